#!/usr/bin/env bash
# tools/bench_auditoria.sh -- the audit-trail section of the benchmarks
# (SPEC §6, §12).  Called by tools/bench.sh once its cluster runs and the
# extension is installed:
#
#   tools/bench_auditoria.sh DB          (PG* variables point at the cluster)
#
# Environment:
#   BENCH_AUDIT_N   single-row statements per phase and variant (default 200000)
#   BENCH_SECONDS   length of each pgbench run (default 30; capped at 10 here)
#
# Runs bench/auditoria.sql -- n single-row INSERTs and then n single-row
# UPDATEs of pae.visitas, (a) with the audit trigger disabled, (b) with the
# C audit trigger, (c) with a PL/pgSQL to_jsonb audit trigger instead, the
# visit validation triggers enabled in all three, interleaved in ten rounds
# -- then pgbench audited UPDATEs with 1 and 2 clients.  Prints
#   BENCH audit_vs_plpgsql <PL/pgSQL added time / C added time>      (target >= 2)
#   BENCH audit_overhead <audited time / unaudited time>             (target <= 1.5)
#   BENCH audit_2clients_scaling <TPS 2 clients / TPS 1 client>      (target >= 1.5)
# Ratios off target do not fail the run; a failed step does.
set -euo pipefail
cd "$(dirname "$0")/.."

DB=${1:-${BENCH_DB:-pae_bench}}
N=${BENCH_AUDIT_N:-200000}
SECS=${BENCH_SECONDS:-30}
((SECS > 10)) && SECS=10
[[ $N =~ ^[1-9][0-9]*0$ ]] || { echo "bench_auditoria: BENCH_AUDIT_N must be a multiple of 10 (got '$N')" >&2; exit 2; }

fail() { echo "bench_auditoria: $*" >&2; exit 1; }
val() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB" -c "$1"; }

printf '\n========== Section: audit trail (%s INSERTs + %s UPDATEs of pae.visitas per variant) ==========\n' "$N" "$N"
t=$SECONDS
psql -X -q -v ON_ERROR_STOP=1 -P pager=off -d "$DB" -v n="$N" -f bench/auditoria.sql ||
    fail "bench/auditoria.sql failed"

secs() { val "SELECT sum(segundos) FROM bench_auditoria.resultados WHERE variante = '$1'"; }
A=$(secs sin_auditoria); C=$(secs c); P=$(secs plpgsql)
printf 'total seconds (insert + update): (a) no audit %s, (b) C audit %s, (c) PL/pgSQL audit %s\n' "$A" "$C" "$P"

# pgbench: audited single-row UPDATEs, 1 then 2 clients
TOTAL=$(val "SELECT count(*) FROM bench_auditoria.cola")
psql -X -q -d "$DB" -c 'VACUUM ANALYZE pae.visitas' -c 'CHECKPOINT' >/dev/null
tps() {
    local out
    out=$(pgbench -n -M prepared -c "$1" -j "$1" -T "$SECS" -D total="$TOTAL" -f bench/auditoria_update.pgbench "$DB" 2>&1) ||
        { echo "$out" >&2; fail "pgbench with $1 client(s) failed"; }
    echo "$out" | sed -n 's/^tps = \([0-9.]*\) .*/\1/p'
}
T1=$(tps 1)
T2=$(tps 2)
printf 'pgbench audited UPDATE (-T %s, -M prepared): 1 client %s tps, 2 clients %s tps\n' "$SECS" "$T1" "$T2"
val "SELECT pae.sellar_auditoria()" >/dev/null || fail "pae.sellar_auditoria() failed"
printf 'check: %s\n' "$(val "SELECT CASE WHEN count(*) = 0 THEN 'sealed; verificar_auditoria clean' ELSE count(*) || ' verification failures' END FROM pae.verificar_auditoria()")"

awk -v a="$A" -v c="$C" -v p="$P" -v t1="$T1" -v t2="$T2" 'BEGIN {
    printf "BENCH audit_vs_plpgsql %.2f\n", (p - a) / (c - a)
    printf "BENCH audit_overhead %.2f\n", c / a
    printf "BENCH audit_2clients_scaling %.2f\n", t2 / t1
}'
printf '(audit section: %ss)\n' "$((SECONDS - t))"
