#!/usr/bin/env bash
# tools/bench.sh -- the benchmarks of pae_cauca (SPEC §12) on a throwaway
# cluster, in one run.
#
#   tools/bench.sh                       (also: make bench)
#   BENCH_SECONDS=5 tools/bench.sh       (quick run: shorter pgbench runs)
#
# Environment:
#   BENCH_SECONDS  length of each pgbench run of section 2 (default 30)
#   BENCH_REPS     timed rounds of section 1, after one warm-up (default 5)
#
# Like tools/test.sh it installs missing system packages (as root), builds
# the extension, installs it into a private copy of the PostgreSQL tree and
# starts a private cluster on a unix socket (tools/pgenv.sh); the cluster
# is stopped and its directory removed at exit, also on failure or Ctrl-C.
# The cluster is the test cluster (fsync, synchronous_commit and
# full_page_writes off) with shared_buffers raised to 1GB so that section
# 1's table stays in PostgreSQL's buffers.
#
# Section 1, geofence: 1,000,000 GPS captures 0-1,000 m from 3,000 sedes in
# the Cauca bounding box (bench/geocerca_datos.sql), each predicate timed as
# a single-core sequential scan (bench/geocerca.sql).
# Section 2, state machine: pgbench, 2 clients, moving visits programada ->
# en_curso through pae.transicion as their visitador, against a bare UPDATE
# of the same rows with the extension's triggers disabled
# (bench/transicion_datos.sql, bench/*.pgbench).
#
# Section 4, offline sync: 100,000 closed visits (mandatory answers and a
# photo each) in batches of 500 through pae_api.sincronizar as their
# visitador, against a bare INSERT ... SELECT of the same rows with the
# triggers disabled; the replay of the same batches; the peak memory of one
# 5,000-visit batch (tools/bench_sincronizacion.sh, bench/sincronizacion_datos.sql;
# sizes: BENCH_SYNC_VISITADORES, BENCH_SYNC_LOTE, BENCH_SYNC_GRANDE).
#
# Section 6, row-level security: one visitador's visits among 1,000,000
# (50 visitadores, 24 monthly partitions) listed through pae_api.visitas as
# PostgREST requests them, against the owner's plain WHERE on pae.visitas,
# in a database of its own (tools/bench_rls.sh; sizes: BENCH_RLS_VISITAS,
# BENCH_RLS_VISITADORES, BENCH_RLS_REPS).
# Section 7, reports for BI: BENCH_REPORT_VISITAS (default 10,000,000)
# generated visits over 24 months across 3,000 sedes in a database of its
# own; each pae_reportes view against the equivalent raw GROUP BY, and the
# audited write cost of the rollup triggers (tools/bench_reportes.sh;
# BENCH_REPORT_REPS, BENCH_REPORT_TX).
# Section 8, event relay: pae.transicion with 1, 2, 4, 8 pgbench clients,
# NOTIFY pae_eventos sent after commit by the relay (pae_cauca preloaded)
# against in-transaction NOTIFY (not preloaded), and the commit-to-LISTEN
# latency, on a cluster of its own with fsync and synchronous_commit on
# (tools/bench_relay.sh, bench/relay_datos.sql, bench/relay_oyente.c;
# length: BENCH_RELAY_SECONDS, default 10 per run).
#
# Result lines start with `BENCH <name> <ratio>`.  The exit status is
# non-zero when a step failed; ratios off target do not fail the run.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=tools/pgenv.sh
. tools/pgenv.sh

BENCH_SECONDS=${BENCH_SECONDS:-30}
BENCH_REPS=${BENCH_REPS:-5}
[[ $BENCH_SECONDS =~ ^[1-9][0-9]*$ ]] || { pae_err "BENCH_SECONDS must be a positive integer (got '$BENCH_SECONDS')"; exit 2; }
[[ $BENCH_REPS =~ ^[1-9][0-9]*$ ]] || { pae_err "BENCH_REPS must be a positive integer (got '$BENCH_REPS')"; exit 2; }
BENCH_DB=pae_bench
T0=$SECONDS

fail() { pae_err "bench: $*"; exit 1; }

# BENCH_SECTIONS="2 4" runs only those sections (default: all eight)
BENCH_SECTIONS=${BENCH_SECTIONS:-1 2 3 4 5 6 7 8}
want() { [[ " $BENCH_SECTIONS " == *" $1 "* ]]; }

# psql on the bench database: quiet, stop at the first error.
bpsql() { psql -X -q -v ON_ERROR_STOP=1 -P pager=off -d "$BENCH_DB" "$@"; }
# one value
bval() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$BENCH_DB" -c "$1"; }

pae_ensure_packages || fail "system packages missing"
pae_build_install || fail "build or install failed"
# The product as the README recommends it: pae_cauca preloaded, so events are
# relayed after commit (section 8 compares both modes on a cluster of its own).
export PAE_CLUSTER_CONF=${PAE_CLUSTER_CONF-"shared_preload_libraries = 'pae_cauca'"}
pae_cluster_start || fail "could not start the throwaway cluster"

# A bigger buffer pool than the test cluster's: section 1 scans a 135 MB
# table and should measure the executor, not buffer replacement.
psql -X -q -v ON_ERROR_STOP=1 -c "ALTER SYSTEM SET shared_buffers = '1GB'" ||
    fail "ALTER SYSTEM failed"
pae_as_server_user "$PAE_PGBIN/pg_ctl" -D "$PAE_PGDATA" -l "$PAE_TMP/server.log" -w -t 60 -s \
    -o "-p $PGPORT -k $PAE_TMP" restart >/dev/null ||
    { tail -n 20 "$PAE_TMP/server.log" >&2; fail "could not restart the cluster with shared_buffers = 1GB"; }

createdb "$BENCH_DB" || fail "createdb failed"
bpsql -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION pae_cauca CASCADE' ||
    fail "CREATE EXTENSION pae_cauca CASCADE failed"

# --- header -------------------------------------------------------------------
printf '\n========== pae_cauca benchmarks ==========\n'
printf 'date:        %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
printf 'machine:     %s, %s CPU(s) (nproc), %s, %s RAM\n' \
    "$(uname -m)" "$(nproc)" \
    "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1 || echo 'cpu unknown')" \
    "$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
printf 'kernel:      %s\n' "$(uname -sr)"
printf 'load avg:    %s (other work on the machine skews timings)\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'PostgreSQL:  %s\n' "$(bval 'SELECT version()')"
printf 'PostGIS:     %s\n' "$(bval 'SELECT postgis_lib_version()')"
printf 'pae_cauca:   %s\n' "$(bval "SELECT extversion FROM pg_extension WHERE extname = 'pae_cauca'")"
printf 'cluster:     throwaway; %s\n' "$(bval "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name) FROM pg_settings WHERE name IN ('shared_buffers', 'fsync', 'synchronous_commit', 'full_page_writes')")"
printf '             (server defaults jit=%s, max_parallel_workers_per_gather=%s; section 1 sets off and 0)\n' \
    "$(bval "SELECT current_setting('jit')")" "$(bval "SELECT current_setting('max_parallel_workers_per_gather')")"
printf 'sizes:       section 1: 3,000 sedes, 1,000,000 captures, %d timed rounds + 1 warm-up\n' "$BENCH_REPS"
printf '             section 2: pgbench -c 2 -j 2 -T %d -M prepared, per variant\n' "$BENCH_SECONDS"
printf '             section 4: %s batches x %s visits through pae_api.sincronizar, + one batch of %s\n' \
    "${BENCH_SYNC_VISITADORES:-200}" "${BENCH_SYNC_LOTE:-500}" "${BENCH_SYNC_GRANDE:-5000}"
printf '             section 6: %s visits over %s visitadores, %s timed runs per variant + 1 warm-up\n' \
    "${BENCH_RLS_VISITAS:-1000000}" "${BENCH_RLS_VISITADORES:-50}" "${BENCH_RLS_REPS:-7}"
printf '             section 7: %s generated visits, 24 months, 3,000 sedes\n' "${BENCH_REPORT_VISITAS:-10000000}"
printf '             section 8: pgbench -c 1/2/4/8 -T %s per mode, own cluster with fsync on\n' "${BENCH_RELAY_SECONDS:-10}"

# --- section 1: geofence ----------------------------------------------------------
# (its sedes are also those of sections 2 and 4: generated when any of them runs)
if want 1 || want 2 || want 4; then
printf '\n========== Section 1: geofence (single core) ==========\n'
t=$SECONDS
bpsql -f bench/geocerca_datos.sql >/dev/null || fail "section 1: data generation failed"
printf 'data generated in %ss\n' "$((SECONDS - t))"
fi
if want 1; then
printf 'Each variant: SELECT count(*) FROM bench.capturas WHERE <predicate>, a sequential scan\n'
printf 'with max_parallel_workers_per_gather = 0 and jit = off; time = EXPLAIN (ANALYZE,\n'
printf 'TIMING OFF, SUMMARY ON) execution time.  (f) is the executor floor: the same scan\n'
printf 'evaluating three float8 operations and one comparison over the same four columns,\n'
printf 'passing about as many rows as (a); (f_all) and (f_none) pass all and none.\n'
bpsql -v reps="$BENCH_REPS" -f bench/geocerca.sql || fail "section 1: measurement failed"
printf '(section 1: %ss)\n' "$((SECONDS - t))"
fi

# --- section 2: state machine -------------------------------------------------------
if want 2; then
printf '\n========== Section 2: state machine (pgbench, 2 clients, %ss per variant) ==========\n' "$BENCH_SECONDS"
t=$SECONDS
# Enough programada visits that the transicion run never runs out: room
# for 5,000 transitions per second; 250 visitadores (one sede each) with
# up to 730 days of the vigencia each.
VISITADORES=250
rows=$((BENCH_SECONDS * 5000))
((rows < 20000)) && rows=20000
DIAS=$(((rows + VISITADORES - 1) / VISITADORES))
((DIAS > 730)) && DIAS=730
TOTAL=$((VISITADORES * DIAS))
bpsql -v visitadores="$VISITADORES" -v dias="$DIAS" -f bench/transicion_datos.sql >/dev/null ||
    fail "section 2: fixture failed"
printf 'fixture: %s visitadores x %s days = %s programada visits in %s monthly partitions (+ default), created through the triggers in %ss\n' \
    "$VISITADORES" "$DIAS" "$TOTAL" \
    "$(bval "SELECT count(*) - 1 FROM pg_inherits WHERE inhparent = 'pae.visitas'::regclass")" \
    "$((SECONDS - t))"

# Prepares a run: statistics fresh, dirty buffers flushed, queue at 1.
prepare_run() {
    bpsql -c 'VACUUM ANALYZE pae.visitas, pae.visitas_id, pae.transiciones, pae.eventos, bench.cola' \
          -c 'CHECKPOINT' -c "SELECT setval('bench.siguiente', 1, false)" >/dev/null
}

# Runs pgbench; prints its summary; sets TPS.  $1: label, $2: script, rest: options
run_pgbench() {
    local label=$1 script=$2 out rc=0
    shift 2
    out=$PAE_TMP/pgbench_$label.out
    pgbench -n -M prepared -c 2 -j 2 -T "$BENCH_SECONDS" "$@" -f "$script" "$BENCH_DB" >"$out" 2>&1 || rc=$?
    printf -- '--- %s (%s)\n' "$label" "$script"
    grep -E '^(number of transactions actually processed|number of failed transactions|latency average|tps)' "$out" | sed 's/^/    /'
    TPS=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$out")
    if ((rc != 0)) || [[ -z $TPS ]]; then
        cat "$out" >&2
        fail "section 2: pgbench $label failed (status $rc; \"expected one row, got 0\" means the $TOTAL queued visits ran out)"
    fi
}

# (1) pae.transicion, with the triggers, as the visit's visitador
prepare_run
run_pgbench transicion bench/transicion.pgbench
TPS_TRANSICION=$TPS
done_n=$(bval "SELECT count(*) FROM pae.visitas WHERE estado = 'en_curso'")
hist_n=$(bval "SELECT count(*) FROM pae.transiciones WHERE hacia = 'en_curso'")
ev_n=$(bval "SELECT count(*) FROM pae.eventos")
al_n=$(bval "SELECT count(*) FROM pae.alertas")
printf '    check: %s visits en_curso, %s transiciones rows, %s eventos rows, %s alertas\n' \
    "$done_n" "$hist_n" "$ev_n" "$al_n"
[[ $done_n == "$hist_n" && $done_n == "$ev_n" ]] ||
    fail "section 2: every transition should leave one transiciones row and one eventos row"

# (2) bare UPDATE of the same rows, in the same order, triggers disabled.
# The visits moved by run (1) go back to programada first (triggers off).
bpsql -c 'ALTER TABLE pae.visitas DISABLE TRIGGER USER' \
      -c "UPDATE pae.visitas SET estado = 'programada', checkin_lat = NULL, checkin_lon = NULL,
                 checkin_precision_m = NULL, checkin_en = NULL, distancia_m = NULL, dentro_geocerca = NULL
           WHERE estado <> 'programada'" >/dev/null || fail "section 2: reset failed"
prepare_run
run_pgbench bare_update bench/bare_update.pgbench -D total="$TOTAL"
bpsql -c 'ALTER TABLE pae.visitas ENABLE TRIGGER USER' >/dev/null || fail "section 2: could not re-enable the triggers"
TPS_BARE=$TPS

printf '\ntransicion: %s tps; bare UPDATE (triggers disabled): %s tps\n' "$TPS_TRANSICION" "$TPS_BARE"
awk -v a="$TPS_TRANSICION" -v b="$TPS_BARE" 'BEGIN { printf "BENCH transicion_vs_bare_update %.2f\n", a / b }'
printf '(section 2: %ss)\n' "$((SECONDS - t))"
fi

# --- section 3: audit trail ------------------------------------------------------
if want 3; then
t=$SECONDS
printf '\n========== Section 3: audit trail ==========\n'
BENCH_SECONDS="$BENCH_SECONDS" tools/bench_auditoria.sh "$BENCH_DB" || fail "section 3: audit benchmark failed"
printf '(section 3: %ss)\n' "$((SECONDS - t))"
fi

# --- section 4: offline sync ------------------------------------------------------
if want 4; then
t=$SECONDS
printf '\n========== Section 4: offline sync (pae_api.sincronizar) ==========\n'
tools/bench_sincronizacion.sh "$BENCH_DB" || fail "section 4: sync benchmark failed"
printf '(section 4: %ss)\n' "$((SECONDS - t))"
fi

# --- section 5: logins -----------------------------------------------------------
if want 5; then
t=$SECONDS
BENCH_SECONDS="$BENCH_SECONDS" tools/bench_login.sh "$BENCH_DB" || fail "section 5: login benchmark failed"
printf '(section 5: %ss)\n' "$((SECONDS - t))"
fi

# --- section 6: row-level security ---------------------------------------------
if want 6; then
t=$SECONDS
tools/bench_rls.sh "$BENCH_DB" || fail "section 6: row-level security benchmark failed"
printf '(section 6: %ss)\n' "$((SECONDS - t))"
fi

# --- section 7: reports for BI -----------------------------------------------------
if want 7; then
t=$SECONDS
printf '\n========== Section 7: reports for BI (pae_reportes) ==========\n'
tools/bench_reportes.sh || fail "section 7: reports benchmark failed"
printf '(section 7: %ss)\n' "$((SECONDS - t))"
fi

# --- section 8: event relay ------------------------------------------------------
if want 8; then
t=$SECONDS
printf '\n========== Section 8: transitions, relay vs in-transaction NOTIFY (own cluster, fsync on) ==========\n'
tools/bench_relay.sh || fail "section 8: relay benchmark failed"
printf '(section 8: %ss)\n' "$((SECONDS - t))"
fi

printf '\nload avg at the end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'total: %ss\n' "$((SECONDS - T0))"
