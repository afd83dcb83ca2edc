#!/usr/bin/env bash
# tools/bench_relay.sh -- transitions with the event relay against
# in-transaction NOTIFY (issue 13), on a throwaway cluster of its own with
# fsync = on, synchronous_commit = on and full_page_writes = on (the commit
# path is what is measured), track_commit_timestamp = on (for the latency).
#
#   tools/bench_relay.sh                     (also: section 8 of tools/bench.sh)
#   BENCH_RELAY_SECONDS=3 tools/bench_relay.sh   (quick run)
#
# The same data directory runs twice, restarted in between: first without
# pae_cauca in shared_preload_libraries (the writing transaction sends the
# NOTIFY: mode en_transaccion), then with it (the relay's worker sends it
# after commit: mode relay).  Each mode runs bench/transicion.pgbench
# (pae.transicion programada -> en_curso as the visit's visitador, section
# 2's script) with 1, 2, 4 and 8 clients for BENCH_RELAY_SECONDS each; the
# second mode takes the next visits of the same queue.  During each 8-client
# run a listener (bench/relay_oyente.c, libpq) records when every
# notification arrives; the latency is arrival minus the commit time of the
# event's transaction (pg_xact_commit_timestamp of its row).
#
# Prints every run and:
#   BENCH relay_vs_notify_8c     TPS relay / TPS en_transaccion, 8 clients (target >= 1.15)
#   BENCH relay_latency_p50_ms   commit -> LISTEN, relay, 8 clients        (target <= 20)
#   BENCH relay_latency_p99_ms                                             (target <= 200)
set -euo pipefail
cd "$(dirname "$0")/.."

SEGUNDOS=${BENCH_RELAY_SECONDS:-10}
[[ $SEGUNDOS =~ ^[1-9][0-9]*$ ]] || { echo "BENCH_RELAY_SECONDS must be a positive integer" >&2; exit 2; }
CLIENTES=(1 2 4 8)
BD=pae_bench_relay
T0=$SECONDS

# shellcheck source=tools/pgenv.sh
. tools/pgenv.sh
fail() { pae_err "bench_relay: $*"; exit 1; }

if [[ -n ${PAE_TMP:-} && -d ${PAE_TMP:-}/root ]]; then
    # from tools/bench.sh: its tree (built, installed), a cluster of our own
    suite_tmp=$PAE_TMP
    PAE_TMP=$(mktemp -d /tmp/pae_cauca.XXXXXX)
    chmod 755 "$PAE_TMP"
    ln -s "$suite_tmp/root" "$PAE_TMP/root"
    PAE_PGDATA=$PAE_TMP/data
    trap 'pae_cluster_stop; rm -rf -- "$PAE_TMP"' EXIT
else
    pae_ensure_packages || fail "system packages missing"
    pae_build_install || fail "build or install failed"
fi
PAE_CLUSTER_CONF="fsync = on
synchronous_commit = on
full_page_writes = on
track_commit_timestamp = on
shared_preload_libraries = 'pae_cauca'
max_connections = 50"
pae_cluster_start >/dev/null || fail "could not start the cluster"

bpsql() { psql -X -q -v ON_ERROR_STOP=1 -P pager=off -d "$BD" "$@"; }
bval() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$BD" -c "$1"; }
reiniciar() {
    pae_as_server_user "$PAE_PGBIN/pg_ctl" -D "$PAE_PGDATA" -l "$PAE_TMP/server.log" -w -t 60 -s \
        -o "-p $PGPORT -k $PAE_TMP" restart -m fast >/dev/null ||
        { tail -n 20 "$PAE_TMP/server.log" >&2; fail "restart failed"; }
}

oyente=$PAE_TMP/relay_oyente
gcc -O2 -Wall -I"$("$PAE_PG_CONFIG" --includedir)" -o "$oyente" bench/relay_oyente.c \
    -L"$("$PAE_PG_CONFIG" --libdir)" -lpq || fail "could not build bench/relay_oyente.c (libpq-dev)"

# Visits for both modes: 8 runs at up to 1,000 transitions/s on average
# (a commit waits for its WAL flush: a few hundred per second on 2 cores).
VISITADORES=300
rows=$((SEGUNDOS * 8 * 1000))
((rows < 20000)) && rows=20000
DIAS=$(((rows + VISITADORES - 1) / VISITADORES))
((DIAS > 730)) && DIAS=730
TOTAL=$((VISITADORES * DIAS))

t=$SECONDS
createdb "$BD" || fail "createdb failed"
bpsql -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION pae_cauca CASCADE' >/dev/null ||
    fail "CREATE EXTENSION failed"
bpsql -v visitadores="$VISITADORES" -v dias="$DIAS" -f bench/relay_datos.sql >/dev/null || fail "fixture failed"
printf 'fixture: %s visitadores x %s days = %s programada visits (%ss)\n' "$VISITADORES" "$DIAS" "$TOTAL" "$((SECONDS - t))"
printf 'cluster: %s\n' "$(bval "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name) FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'track_commit_timestamp', 'shared_buffers', 'wal_level')")"
printf 'runs: pgbench -M prepared -T %s -c N -j N, bench/transicion.pgbench; load avg %s\n' \
    "$SEGUNDOS" "$(cut -d' ' -f1-3 /proc/loadavg)"

declare -A TPS
LAT_P50='' LAT_P99='' LAT_N=0

# $1 mode, $2 clients: one pgbench run; with 8 clients, also the listener
correr() {
    local modo=$1 c=$2 out=$PAE_TMP/pgbench_${1}_$2.out rc=0 tps pid_oy='' tarde
    bpsql -c 'VACUUM ANALYZE pae.visitas, pae.transiciones, pae.eventos' -c 'CHECKPOINT' >/dev/null
    if ((c == 8)); then
        bpsql -c 'SET client_min_messages = warning' -c 'DROP TABLE IF EXISTS bench.recibidos' -c 'CREATE TABLE bench.recibidos (id bigint, recibido_us bigint)' >/dev/null
        PGDATABASE=$BD "$oyente" $((SEGUNDOS + 3)) >"$PAE_TMP/oyente_$modo.tsv" 2>"$PAE_TMP/oyente_$modo.err" &
        pid_oy=$!
        for ((tarde = 0; tarde < 100; tarde++)); do
            grep -q escuchando "$PAE_TMP/oyente_$modo.err" 2>/dev/null && break
            sleep 0.05
        done
        bpsql -c "SELECT pg_catalog.max(id) AS desde FROM pae.eventos" -A -t >"$PAE_TMP/desde_$modo"
    fi
    pgbench -n -M prepared -c "$c" -j "$c" -T "$SEGUNDOS" -f bench/transicion.pgbench "$BD" >"$out" 2>&1 || rc=$?
    tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$out")
    if ((rc != 0)) || [[ -z $tps ]]; then
        cat "$out" >&2
        fail "pgbench $modo, $c clients failed (status $rc; \"expected one row, got 0\": the $TOTAL visits ran out)"
    fi
    TPS[$modo,$c]=$tps
    printf '  %-15s %d client(s): %10s tps  (%s transactions, latency avg %s ms)\n' "$modo" "$c" "$tps" \
        "$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$out")" \
        "$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$out")"
    if [[ -n $pid_oy ]]; then
        wait "$pid_oy" || fail "the listener failed: $(cat "$PAE_TMP/oyente_$modo.err")"
        bpsql -c "\\copy bench.recibidos FROM '$PAE_TMP/oyente_$modo.tsv'" >/dev/null
        # every event of the run, its commit time and when the listener got it
        read -r LAT_N LAT_P50 LAT_P99 LAT_MAX FALTAN < <(bval "
            WITH ev AS (
                SELECT e.id, pg_catalog.pg_xact_commit_timestamp(e.xmin) AS confirmado
                  FROM pae.eventos e WHERE e.id > $(cat "$PAE_TMP/desde_$modo")),
            lat AS (
                SELECT (r.recibido_us - extract(epoch FROM ev.confirmado) * 1e6) / 1000.0 AS ms
                  FROM ev JOIN (SELECT id, min(recibido_us) AS recibido_us FROM bench.recibidos GROUP BY id) r USING (id))
            SELECT (SELECT count(*) FROM lat),
                   round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 2),
                   round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 2),
                   round(max(ms)::numeric, 2),
                   (SELECT count(*) FROM ev) - (SELECT count(*) FROM lat)
              FROM lat" | tr '|' ' ')
        printf '  %-15s commit -> LISTEN over %s events: p50 %s ms, p99 %s ms, max %s ms; %s events not received within the run + 3 s\n' \
            "$modo" "$LAT_N" "$LAT_P50" "$LAT_P99" "$LAT_MAX" "$FALTAN"
        eval "LAT_${modo}_P50=\$LAT_P50 LAT_${modo}_P99=\$LAT_P99"
    fi
}

# 1. in-transaction NOTIFY: not preloaded (a last line of postgresql.conf;
# ALTER SYSTEM would store '' as a list of one empty name)
printf "shared_preload_libraries = ''   # bench_relay: mode en_transaccion\n" >>"$PAE_PGDATA/postgresql.conf"
reiniciar
[[ $(bval "SELECT modo FROM pae.relay_estado()") == en_transaccion ]] || fail "the first mode should be en_transaccion"
printf '\nmode en_transaccion (no preload: the writer sends NOTIFY inside its transaction)\n'
for c in "${CLIENTES[@]}"; do correr en_transaccion "$c"; done

# 2. the relay: preloaded
sed -i '/# bench_relay: mode en_transaccion$/d' "$PAE_PGDATA/postgresql.conf"
reiniciar
[[ $(bval "SELECT modo FROM pae.relay_estado()") == relay ]] || fail "the second mode should be relay"
printf '\nmode relay (pae_cauca preloaded: its worker sends NOTIFY after commit)\n'
for c in "${CLIENTES[@]}"; do correr relay "$c"; done
printf '  relay state at the end: %s\n' "$(bval "SELECT row_to_json(r) FROM pae.relay_estado() r")"

printf '\n%-10s %14s %14s %8s\n' clients en_transaccion relay ratio
for c in "${CLIENTES[@]}"; do
    awk -v c="$c" -v a="${TPS[en_transaccion,$c]}" -v b="${TPS[relay,$c]}" \
        'BEGIN { printf "%-10s %14.1f %14.1f %8.2f\n", c, a, b, b / a }'
done
printf 'in-transaction NOTIFY, 8 clients, commit -> LISTEN: p50 %s ms, p99 %s ms (for comparison)\n' \
    "${LAT_en_transaccion_P50:-?}" "${LAT_en_transaccion_P99:-?}"
awk -v a="${TPS[en_transaccion,8]}" -v b="${TPS[relay,8]}" 'BEGIN { printf "BENCH relay_vs_notify_8c %.2f\n", b / a }'
printf 'BENCH relay_latency_p50_ms %s\n' "${LAT_relay_P50:-?}"
printf 'BENCH relay_latency_p99_ms %s\n' "${LAT_relay_P99:-?}"
printf '(bench_relay: %ss)\n' "$((SECONDS - T0))"
