#!/usr/bin/env bash
# Scenario: without pae_cauca in shared_preload_libraries the writing
# transaction sends NOTIFY pae_eventos itself, as 1.0 did (SPEC §7).
#
# tools/test.sh runs the suite on a cluster that preloads pae_cauca (relay
# mode).  This scenario starts a second throwaway cluster from the same
# private tree, without the preload, and there
#   - pae.relay_estado() says modo = en_transaccion, no worker, nothing pending;
#   - no relay process runs;
#   - the notify specs (evento_notify, evento_id_menor_confirmado_despues)
#     give the very same expected output as in relay mode.
set -euo pipefail
cd "$(dirname "$0")/../.."

: "${PAE_TMP:?run by tools/test.sh}" "${PAE_PGBIN:?run by tools/test.sh}"
# shellcheck source=tools/pgenv.sh
. tools/pgenv.sh
# the private tree is the suite's (built and installed already); the
# cluster is ours: a directory of its own (data, socket, server.log) whose
# root/ links to the suite's tree
suite_tmp=$PAE_TMP
PAE_TMP=$(mktemp -d /tmp/pae_cauca.XXXXXX)
chmod 755 "$PAE_TMP"
ln -s "$suite_tmp/root" "$PAE_TMP/root"
PAE_PGDATA=$PAE_TMP/data
PAE_CLUSTER_CONF=''
trap 'pae_cluster_stop; rm -rf -- "$PAE_TMP"' EXIT
pae_cluster_start >/dev/null

fallo() { echo "eventos_sin_preload: $*" >&2; exit 1; }
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }

[[ -z $(q -d postgres -c "SHOW shared_preload_libraries") ]] || fallo "the second cluster preloads something"
createdb pae_sin_preload
q -d pae_sin_preload -c "SET client_min_messages = warning" -c "CREATE EXTENSION pae_cauca CASCADE"
estado=$(q -d pae_sin_preload -c "SELECT modo || ' ' || trabajador_activo || ' ' || pendientes FROM pae.relay_estado()")
[[ $estado == "en_transaccion false 0" ]] || fallo "relay_estado() without the preload: '$estado'"
relays=$(q -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'pae_cauca relay%'")
[[ $relays == 0 ]] || fallo "$relays relay processes run without the preload"
dropdb pae_sin_preload
echo "relay_estado(): $estado; no relay process"

iso=$("$PAE_PG_CONFIG" --pkglibdir)/pgxs/src/test/isolation/pg_isolation_regress
out=$PAE_TMP/iso_sin_preload
mkdir -p "$out"
if ! "$iso" --inputdir=test --outputdir="$out" --bindir="$PAE_PGBIN" \
        --dbname=pae_isolation --load-extension=postgis --load-extension=pgcrypto \
        --load-extension=pae_cauca evento_notify evento_id_menor_confirmado_despues >"$out/log" 2>&1; then
    cat "$out/log"
    [[ -f $out/regression.diffs ]] && head -n 100 "$out/regression.diffs"
    fallo "the notify specs differ without the preload"
fi
grep -E '^(ok|not ok|test) ' "$out/log" || tail -n 3 "$out/log"
echo "eventos_sin_preload: in-transaction NOTIFY, same output as the relay"
