#!/usr/bin/env bash
# tools/bench_login.sh -- logins per second through pae_api.login (issue 10,
# item 9).  Called once a cluster runs and the extension is installed:
#
#   tools/bench_login.sh DB          (PG* variables point at the cluster)
#
# Environment:
#   BENCH_SECONDS   length of the pgbench run (default 30; capped at 10 here)
#
# Creates 100 people (bcrypt cost 10, the cost of pae.hash_clave), sets a
# JWT secret, and runs pgbench with 2 clients, each transaction one
# successful login of a random person as PostgREST makes it (SET LOCAL ROLE
# pae_anon, then SELECT pae_api.login).  Prints
#   BENCH logins_per_s <n>           (for the record: bcrypt dominates; no target)
# and removes what it created.
set -euo pipefail
cd "$(dirname "$0")/.."

DB=${1:-${BENCH_DB:-pae_bench}}
SECS=${BENCH_SECONDS:-30}
((SECS > 10)) && SECS=10
fail() { echo "bench_login: $*" >&2; exit 1; }

printf '\n========== Section: logins (pgbench, 2 clients, %ss, bcrypt cost 10) ==========\n' "$SECS"
psql -X -q -v ON_ERROR_STOP=1 -d "$DB" >/dev/null <<'SQL' || fail "set-up failed"
SELECT pae.fijar_secreto_jwt('secreto-de-benchmark-con-mas-de-32-bytes-0123456789');
SELECT pae.crear_usuario(format('bench%s@login.gov.co', i), format('Persona %s', i), 'visitador',
                         'clave-de-benchmark') FROM generate_series(1, 100) AS i;
SQL
script=$(mktemp)
out=$(mktemp)
trap 'rm -f "$script" "$out"' EXIT
cat >"$script" <<'SQL'
\set i random(1, 100)
BEGIN;
SET LOCAL ROLE pae_anon;
SELECT pae_api.login('bench' || :i || '@login.gov.co', 'clave-de-benchmark');
COMMIT;
SQL
pgbench -n -c 2 -j 2 -T "$SECS" -f "$script" "$DB" >"$out" 2>&1 || { cat "$out" >&2; fail "pgbench failed"; }
tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$out" | tail -1)
[[ -n $tps ]] || { cat "$out" >&2; fail "no tps in pgbench's output"; }
printf 'BENCH logins_per_s %.0f\n' "$tps"
psql -X -q -v ON_ERROR_STOP=1 -d "$DB" <<'SQL' || fail "clean-up failed"
DELETE FROM pae.intentos_login;
DELETE FROM pae.usuario_municipios WHERE usuario IN (SELECT id FROM pae.usuarios WHERE correo LIKE 'bench%@login.gov.co');
DELETE FROM pae.usuarios WHERE correo LIKE 'bench%@login.gov.co';
DELETE FROM pae.secreto_jwt;
SQL
