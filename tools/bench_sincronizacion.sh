#!/usr/bin/env bash
# tools/bench_sincronizacion.sh -- the offline-sync section of the benchmarks
# (SPEC §8, §13; issue 11).  Called by tools/bench.sh once its cluster runs
# and sections 1 and 2 have created their sedes and contract:
#
#   tools/bench_sincronizacion.sh DB     (PG* variables point at the cluster)
#
# Environment:
#   BENCH_SYNC_VISITADORES  batches (one visitador each) of the timed runs (default 200)
#   BENCH_SYNC_LOTE         visits per batch, one a day per visitador (default 500, at most 730)
#   BENCH_SYNC_GRANDE       visits of the single batch whose memory is measured (default 5000)
#
# With the defaults: 100,000 closed visits, each with the 19 mandatory
# checklist answers and one photo, in 200 batches of 500 through
# pae_api.sincronizar, each batch one transaction of its visitador (SET
# LOCAL ROLE pae_visitador + request.jwt.claims, as PostgREST does), against
# a bare INSERT ... SELECT of the same rows (visits, their id registry,
# answers, evidence) into the same tables with the extension's triggers
# disabled; then the same 200 batches again (all duplicada).  Prints
#   BENCH sync_vs_bare_insert <sync time / bare time>        (target <= 4)
#   BENCH sync_vs_bare_insert_cpu <the same, in the backend's CPU time>
#   BENCH sync_visits_per_s <visits per second through the sync>
#   BENCH sync_peak_mb <peak private memory of the backend in MB, one 5,000-visit batch>  (target <= 64)
#   BENCH sync_replay_vs_first <replay time / first time>    (target <= 0.25)
# The memory is the backend's RssAnon (private anonymous memory: palloc'd
# memory contexts, not shared buffers) sampled from /proc/<pid>/status every
# 10 ms while the batch runs; VmHWM is printed beside it for reference (it
# also counts the shared buffers the backend touched).
# Ratios off target do not fail the run; a failed step does.
set -euo pipefail
cd "$(dirname "$0")/.."

DB=${1:-${BENCH_DB:-pae_bench}}
VIS=${BENCH_SYNC_VISITADORES:-200}
LOTE=${BENCH_SYNC_LOTE:-500}
GRANDE=${BENCH_SYNC_GRANDE:-5000}
[[ $VIS =~ ^[1-9][0-9]*$ && $LOTE =~ ^[1-9][0-9]*$ && $GRANDE =~ ^[1-9][0-9]*0$ ]] ||
    { echo "bench_sincronizacion: BENCH_SYNC_* must be positive integers (GRANDE a multiple of 10)" >&2; exit 2; }
((LOTE <= 730 && GRANDE / 10 <= 730)) || { echo "bench_sincronizacion: at most 730 days of the contract" >&2; exit 2; }

fail() { echo "bench_sincronizacion: $*" >&2; exit 1; }
bpsql() { psql -X -q -v ON_ERROR_STOP=1 -P pager=off -d "$DB" "$@"; }
bval() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB" -c "$1"; }
ahora() { date +%s.%N; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# CPU time of the backend that runs a psql file, in clock ticks: utime + stime
# of its /proc/<pid>/stat, read by psql itself at the start (cpu_inicio) and
# the end (cpu_fin) of the file.  On a shared machine it moves far less than
# the wall-clock time, which also counts the time other work held the cores.
cpu_inicio() {
    cat <<EOF
SELECT pg_backend_pid() AS bench_pid \\gset
\\setenv BENCH_PID :bench_pid
\\! awk '{ print \$14 + \$15 }' /proc/\$BENCH_PID/stat > $TMP/cpu_$1_0
EOF
}
cpu_fin() {
    cat <<EOF
\\! awk '{ print \$14 + \$15 }' /proc/\$BENCH_PID/stat > $TMP/cpu_$1_1
EOF
}
cpu_ticks() { echo $(($(cat "$TMP/cpu_$1_1") - $(cat "$TMP/cpu_$1_0"))); }

t=$SECONDS
bpsql -v visitadores="$VIS" -v dias="$LOTE" -v grande="$GRANDE" -f bench/sincronizacion_datos.sql >/dev/null ||
    fail "fixture failed"
total=$((VIS * LOTE))
printf 'fixture: %s batches of %s closed visits (%s visits, %s answers, %s photos; one visitador per batch) in %ss\n' \
    "$VIS" "$LOTE" "$total" "$(bval 'SELECT count(*) FROM bench.bare_r')" "$(bval 'SELECT count(*) FROM bench.bare_e')" \
    "$((SECONDS - t))"
printf 'body of one batch: %s (jsonb)\n' "$(bval 'SELECT pg_size_pretty(avg(pg_column_size(cuerpo))::bigint) FROM bench.sync_lotes WHERE timed')"

preparar() {
    bpsql -c 'VACUUM ANALYZE pae.visitas, pae.visitas_id, pae.visita_respuestas, pae.evidencias, pae.sincronizaciones, pae.visitas_dia, pae.visitas_checkin' \
          -c 'CHECKPOINT' >/dev/null
}

# --- (1) bare INSERT ... SELECT, triggers disabled ---------------------------------
preparar
bpsql -c 'ALTER TABLE pae.visitas DISABLE TRIGGER USER' -c 'ALTER TABLE pae.visita_respuestas DISABLE TRIGGER USER' \
      -c 'ALTER TABLE pae.evidencias DISABLE TRIGGER USER' >/dev/null
cat >"$TMP/bare.sql" <<'SQL'
BEGIN;
INSERT INTO pae.visitas_id (id, fecha_visita) SELECT id, fecha_visita FROM bench.bare_v;
INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, estado, checkin_lat, checkin_lon,
                         checkin_precision_m, checkin_en, checkout_lat, checkout_lon, checkout_precision_m,
                         checkout_en, distancia_m, dentro_geocerca, raciones_programadas, raciones_entregadas,
                         observaciones, version, dispositivo)
SELECT id, sede, contrato, visitador, fecha_visita, estado, checkin_lat, checkin_lon,
       checkin_precision_m, checkin_en, checkout_lat, checkout_lon, checkout_precision_m,
       checkout_en, distancia_m, dentro_geocerca, raciones_programadas, raciones_entregadas,
       observaciones, version, dispositivo
  FROM bench.bare_v;
INSERT INTO pae.visita_respuestas (visita, item, valor, observacion) SELECT visita, item, valor, observacion FROM bench.bare_r;
INSERT INTO pae.evidencias (id, visita, tipo, sha256, bytes, mime, lat, lon, tomada_en)
SELECT id, visita, tipo, sha256, bytes, mime, lat, lon, tomada_en FROM bench.bare_e;
COMMIT;
SQL
{ cpu_inicio bare; cat "$TMP/bare.sql"; cpu_fin bare; } >"$TMP/bare_cpu.sql"
t0=$(ahora)
bpsql -f "$TMP/bare_cpu.sql" || fail "bare insert failed"
t1=$(ahora)
BARE=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
# remove them again (triggers still disabled), so the sync starts from the same tables
bpsql -c 'DELETE FROM pae.evidencias e USING bench.bare_v b WHERE e.visita = b.id' \
      -c 'DELETE FROM pae.visita_respuestas r USING bench.bare_v b WHERE r.visita = b.id' \
      -c 'DELETE FROM pae.visitas v USING bench.bare_v b WHERE v.id = b.id AND v.fecha_visita = b.fecha_visita' \
      -c 'DELETE FROM pae.visitas_id r USING bench.bare_v b WHERE r.id = b.id' \
      -c 'ALTER TABLE pae.visitas ENABLE TRIGGER USER' -c 'ALTER TABLE pae.visita_respuestas ENABLE TRIGGER USER' \
      -c 'ALTER TABLE pae.evidencias ENABLE TRIGGER USER' >/dev/null || fail "could not remove the bare rows"
printf -- '--- bare INSERT ... SELECT (triggers disabled): %ss (backend CPU %s ticks)\n' "$BARE" "$(cpu_ticks bare)"

# --- (2) pae_api.sincronizar, one transaction per batch, as its visitador ---------
: >"$TMP/sync.sql"
for ((n = 1; n <= VIS; n++)); do
    cat >>"$TMP/sync.sql" <<SQL
BEGIN;
SELECT set_config('request.jwt.claims', claims, true) FROM bench.sync_lotes WHERE n = $n \\g /dev/null
SET LOCAL ROLE pae_visitador;
SELECT r->'aceptadas', r->'duplicadas', r->'conflictos', r->'rechazadas'
  FROM (SELECT pae_api.sincronizar(cuerpo) AS r FROM bench.sync_lotes WHERE n = $n) x
\\g $TMP/res_$n.txt
COMMIT;
SQL
done
{ cpu_inicio sync; cat "$TMP/sync.sql"; cpu_fin sync; } >"$TMP/sync_cpu.sql"
{ cpu_inicio replay; cat "$TMP/sync.sql"; cpu_fin replay; } >"$TMP/replay_cpu.sql"
ev0=$(bval "SELECT count(*) FROM pae.eventos")
au0=$(bval "SELECT count(*) FROM pae.auditoria")
preparar
t0=$(ahora)
bpsql -A -t -f "$TMP/sync_cpu.sql" || fail "sync run failed"
t1=$(ahora)
SYNC=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
cat "$TMP"/res_*.txt | awk -F'|' '{ a += $1; d += $2; c += $3; r += $4 } END { printf "    answers: %d aceptadas, %d duplicadas, %d conflictos, %d rechazadas\n", a, d, c, r }'
acc=$(cat "$TMP"/res_*.txt | awk -F'|' '{ a += $1 } END { print a }')
ev1=$(bval "SELECT count(*) FROM pae.eventos")
au1=$(bval "SELECT count(*) FROM pae.auditoria")
cerr=$(bval "SELECT count(*) FROM pae.visitas v JOIN bench.bare_v b ON b.id = v.id AND b.fecha_visita = v.fecha_visita WHERE v.estado = 'cerrada'")
printf -- '--- pae_api.sincronizar, %s batches of %s: %ss, backend CPU %s ticks (%s visits cerrada, %s events, %s audit rows)\n' \
    "$VIS" "$LOTE" "$SYNC" "$(cpu_ticks sync)" "$cerr" "$((ev1 - ev0))" "$((au1 - au0))"
[[ $acc == "$total" && $cerr == "$total" ]] || fail "every visit should be accepted and cerrada (accepted $acc, cerrada $cerr of $total)"

# --- (3) the same batches again: all duplicada, nothing written ------------------
rm -f "$TMP"/res_*.txt
t0=$(ahora)
bpsql -A -t -f "$TMP/replay_cpu.sql" || fail "replay failed"
t1=$(ahora)
REPLAY=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
dup=$(cat "$TMP"/res_*.txt | awk -F'|' '{ d += $2 } END { print d }')
ev2=$(bval "SELECT count(*) FROM pae.eventos")
au2=$(bval "SELECT count(*) FROM pae.auditoria")
printf -- '--- the same batches again: %ss, backend CPU %s ticks (%s duplicadas, %s new events, %s new audit rows)\n' \
    "$REPLAY" "$(cpu_ticks replay)" "$dup" "$((ev2 - ev1))" "$((au2 - au1))"
[[ $dup == "$total" && $ev2 == "$ev1" && $au2 == "$au1" ]] || fail "the replay should be all duplicada and write nothing"

# --- (4) memory of one batch of $GRANDE visits ------------------------------------
big=$(bval 'SELECT n FROM bench.sync_lotes WHERE NOT timed')
printf 'big batch: %s visits, %s (jsonb)\n' "$(bval "SELECT jsonb_array_length(cuerpo->'visitas') FROM bench.sync_lotes WHERE n = $big")" \
    "$(bval "SELECT pg_size_pretty(pg_column_size(cuerpo)::bigint) FROM bench.sync_lotes WHERE n = $big")"
cat >"$TMP/grande.sql" <<SQL
SELECT pg_backend_pid() \\g $TMP/pid
SELECT pg_sleep(0.3);
BEGIN;
SELECT set_config('request.jwt.claims', claims, true) FROM bench.sync_lotes WHERE n = $big \\g /dev/null
SET LOCAL ROLE pae_visitador;
SELECT r->'aceptadas' FROM (SELECT pae_api.sincronizar(cuerpo) AS r FROM bench.sync_lotes WHERE n = $big) x \\g $TMP/grande.txt
COMMIT;
SQL
rm -f "$TMP/pid"
bpsql -A -t -f "$TMP/grande.sql" >/dev/null &
psql_pid=$!
while [[ ! -s $TMP/pid ]] && kill -0 "$psql_pid" 2>/dev/null; do sleep 0.01; done
bpid=$(tr -d '[:space:]' <"$TMP/pid")
base=$(awk '/^RssAnon:/ { print $2 }' "/proc/$bpid/status")
pico=$base
hwm=0
while kill -0 "$psql_pid" 2>/dev/null; do
    if [[ -r /proc/$bpid/status ]]; then
        read -r rss h < <(awk '/^RssAnon:/ { r = $2 } /^VmHWM:/ { h = $2 } END { print r + 0, h + 0 }' "/proc/$bpid/status" 2>/dev/null || echo "0 0")
        ((rss > pico)) && pico=$rss
        ((h > hwm)) && hwm=$h
    fi
    sleep 0.01
done
wait "$psql_pid" || fail "the big batch failed"
printf -- '--- one batch of %s visits: %s aceptadas; backend RssAnon %s MB before, peak %s MB; VmHWM %s MB\n' \
    "$GRANDE" "$(tr -d '[:space:]' <"$TMP/grande.txt")" "$((base / 1024))" "$((pico / 1024))" "$((hwm / 1024))"

printf '\nbare: %ss; sync: %ss (%s visits); replay: %ss\n' "$BARE" "$SYNC" "$total" "$REPLAY"
awk -v s="$SYNC" -v b="$BARE" 'BEGIN { printf "BENCH sync_vs_bare_insert %.2f\n", s / b }'
awk -v s="$(cpu_ticks sync)" -v b="$(cpu_ticks bare)" 'BEGIN { printf "BENCH sync_vs_bare_insert_cpu %.2f\n", s / (b > 0 ? b : 1) }'
awk -v s="$SYNC" -v n="$total" 'BEGIN { printf "BENCH sync_visits_per_s %.0f\n", n / s }'
awk -v p="$pico" 'BEGIN { printf "BENCH sync_peak_mb %.1f\n", p / 1024 }'
awk -v r="$REPLAY" -v s="$SYNC" 'BEGIN { printf "BENCH sync_replay_vs_first %.3f\n", r / s }'
