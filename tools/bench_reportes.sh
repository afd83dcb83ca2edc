#!/usr/bin/env bash
# tools/bench_reportes.sh -- the reports section of the benchmarks (SPEC §9,
# §13; issue 12, item 5).  Called by tools/bench.sh once its cluster runs:
#
#   tools/bench_reportes.sh            (PG* variables point at the cluster)
#
# Environment:
#   BENCH_REPORT_VISITAS  generated visits (default 10000000), over the 24
#                         months 2025-01 .. 2026-12 across 3,000 sedes
#   BENCH_REPORT_REPS     timed runs of each query, after one warm-up (default 5)
#   BENCH_REPORT_TX       transitions per pgbench client and run (default 3000)
#   BENCH_REPORT_KEEP     when set, the database is kept at the end (to look at plans)
#
# In a database of its own (pae_bench_reportes, dropped at the end):
# 3,000 sedes in the 42 municipios, 6 operators with one contract a year
# each, 300 visitadores; N visits with the triggers bypassed
# (session_replication_role = replica): states 10 % programada, 5 %
# en_curso, 20 % cerrada, 50 % aprobada, 5 % devuelta, 10 % cancelada, 8 %
# of the checked-in outside the fence; 5 answers on every tenth realizada
# visit.  Then the rollup is built once (pae.reconstruir_resumenes(), time
# printed) and each report is timed against the equivalent raw GROUP BY of
# the base tables, pruned to the months asked by a fecha_visita range
# (jit off for both, parallel query as the server has it).  The two answers
# are checked to be identical.  Prints, with the medians in ms:
#   BENCH report_month_vs_raw <raw / view>      one month of visitas_mensual, all municipios (target >= 100)
#   BENCH report_trend_vs_raw <raw / view>      24-month department trend (target >= 100)
#   BENCH report_coverage_vs_raw <raw / view>   cobertura_sedes, one month (target >= 100)
#   BENCH report_compliance_vs_raw <raw / view> cumplimiento_operador, one month (no target)
# and the cost of the rollup triggers on writes: pgbench, 2 clients,
# audited cancellations through pae.transicion as a coordinator (each one
# writes a rollup delta row: the worst case), rollup triggers enabled vs
# disabled, three rounds, each variant in turn first:
#   BENCH rollup_write_overhead <TPS with / TPS without>        (target >= 0.9)
# Ratios off target do not fail the run; a failed step does.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${BENCH_REPORT_VISITAS:-10000000}
REPS=${BENCH_REPORT_REPS:-5}
TX=${BENCH_REPORT_TX:-3000}
DB=pae_bench_reportes
[[ $N =~ ^[1-9][0-9]*$ ]] && ((N >= 100000)) || { echo "bench_reportes: BENCH_REPORT_VISITAS must be an integer >= 100000 (got '$N')" >&2; exit 2; }
[[ $REPS =~ ^[1-9][0-9]*$ ]] || { echo "bench_reportes: BENCH_REPORT_REPS must be a positive integer (got '$REPS')" >&2; exit 2; }
[[ $TX =~ ^[1-9][0-9]*$ ]] || { echo "bench_reportes: BENCH_REPORT_TX must be a positive integer (got '$TX')" >&2; exit 2; }

fail() { echo "bench_reportes: $*" >&2; exit 1; }
q() { psql -X -q -v ON_ERROR_STOP=1 -P pager=off -d "$DB" "$@"; }
val() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB" -c "$1"; }
limpiar() { [[ -n ${BENCH_REPORT_KEEP:-} ]] || dropdb --if-exists "$DB" >/dev/null 2>&1 || true; }
trap limpiar EXIT

printf '\n========== Section: reports for BI (%s visits, 24 months, 3,000 sedes) ==========\n' "$N"
t0=$SECONDS
dropdb --if-exists "$DB" >/dev/null 2>&1 || true
createdb "$DB" || fail "createdb failed"
q -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION pae_cauca CASCADE' || fail "CREATE EXTENSION failed"

# --- data ----------------------------------------------------------------------------
t=$SECONDS
q -v n="$N" -v tx="$TX" <<'SQL' || fail "data generation failed"
SET client_min_messages = warning;
CREATE SCHEMA bench_rep;
SELECT setseed(0.2026);
INSERT INTO pae.sedes (codigo, nombre, municipio, zona, ubicacion, matricula)
SELECT m.codigo || lpad(g::text, 7, '0'), 'Sede de prueba ' || g, m.codigo,
       CASE WHEN g % 4 = 0 THEN 'urbana' ELSE 'rural' END,
       ST_SetSRID(ST_MakePoint(ST_X(m.ubicacion::geometry) + 0.1 * (random() - 0.5),
                               ST_Y(m.ubicacion::geometry) + 0.1 * (random() - 0.5)), 4326)::geography,
       50 + g % 400
  FROM generate_series(1, 3000) AS g
  JOIN (SELECT codigo, ubicacion, row_number() OVER (ORDER BY codigo) - 1 AS k FROM pae.municipios) m ON m.k = g % 42;
CREATE TABLE bench_rep.sedes AS
SELECT row_number() OVER (ORDER BY s.codigo)::int AS k, s.codigo, (m.k % 6)::int AS op, s.matricula
  FROM pae.sedes s JOIN (SELECT codigo, row_number() OVER (ORDER BY codigo) - 1 AS k FROM pae.municipios) m ON m.codigo = s.municipio;
INSERT INTO pae.operadores (nit, nombre) SELECT '90010000' || k || '-' || k, 'Operador ' || k || ' S.A.S.' FROM generate_series(0, 5) k;
INSERT INTO pae.contratos (numero, operador, vigencia, raciones_dia, modalidad)
SELECT 'PAE-' || y || '-' || k, '90010000' || k || '-' || k, daterange(make_date(y, 1, 1), make_date(y + 1, 1, 1)), 120, 'RPS'
  FROM generate_series(0, 5) k, generate_series(2025, 2026) y;
INSERT INTO pae.contrato_sedes (contrato, sede)
SELECT 'PAE-' || y || '-' || s.op, s.codigo FROM bench_rep.sedes s, generate_series(2025, 2026) y;
INSERT INTO pae.usuarios (id, correo, nombre, rol)
SELECT ('00000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, 'visitador' || i || '@bench.pae.example', 'Visitador ' || i, 'visitador'
  FROM generate_series(1, 300) i;
INSERT INTO pae.usuarios (id, correo, nombre, rol)
VALUES ('00000000-0000-4000-9000-000000000001', 'coordinacion@bench.pae.example', 'Coordinación', 'coordinador');

-- the visits, triggers bypassed (ids registered by hand)
SET session_replication_role = replica;
SELECT setseed(0.1903);
INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, estado, dentro_geocerca,
                         raciones_programadas, raciones_entregadas)
SELECT ('20000000-0000-4000-8000-' || lpad(to_hex(x.g), 12, '0'))::uuid, s.codigo,
       'PAE-' || extract(year FROM x.dia)::int || '-' || s.op,
       ('00000000-0000-4000-8000-' || lpad((1 + x.g % 300)::text, 12, '0'))::uuid,
       (x.dia + time '08:00') AT TIME ZONE 'America/Bogota',
       x.estado::pae.estado_visita,
       CASE WHEN x.estado IN ('programada', 'cancelada') THEN NULL ELSE random() >= 0.08 END,
       s.matricula,
       CASE WHEN x.estado IN ('cerrada', 'aprobada', 'devuelta') THEN s.matricula - floor(random() * 10)::int END
  FROM (SELECT g, 1 + floor(random() * 3000)::int AS k, date '2025-01-01' + floor(random() * 730)::int AS dia,
               (SELECT CASE WHEN r < 0.10 THEN 'programada' WHEN r < 0.15 THEN 'en_curso' WHEN r < 0.35 THEN 'cerrada'
                            WHEN r < 0.85 THEN 'aprobada' WHEN r < 0.90 THEN 'devuelta' ELSE 'cancelada' END
                  FROM (SELECT random() + g * 0 AS r) z) AS estado
          FROM generate_series(1, :n) g) x
  JOIN bench_rep.sedes s ON s.k = x.k;
INSERT INTO pae.visitas_id (id, fecha_visita) SELECT id, fecha_visita FROM pae.visitas;
INSERT INTO pae.visita_respuestas (visita, item, valor)
SELECT v.id, i.codigo, CASE WHEN random() < 0.85 THEN 'cumple' WHEN random() < 0.67 THEN 'no_cumple' ELSE 'no_aplica' END
  FROM pae.visitas v
  CROSS JOIN (SELECT codigo FROM pae.checklist_items ORDER BY codigo LIMIT 5) i
 WHERE v.estado IN ('cerrada', 'aprobada', 'devuelta') AND get_byte(uuid_send(v.id), 15) % 10 = 0;
RESET session_replication_role;

-- the queue of programada visits the write benchmark cancels (6 runs x 2 clients)
CREATE TABLE bench_rep.cola AS
SELECT row_number() OVER (ORDER BY v.fecha_visita, v.id) AS n, v.id
  FROM pae.visitas v WHERE v.estado = 'programada' AND v.fecha_visita >= '2026-01-01 00:00-05'
 LIMIT 12 * :tx + 100;
ALTER TABLE bench_rep.cola ADD PRIMARY KEY (n);
CREATE SEQUENCE bench_rep.siguiente;
GRANT USAGE ON SCHEMA bench_rep TO pae_coordinador;
GRANT SELECT ON bench_rep.cola TO pae_coordinador;
GRANT USAGE ON SEQUENCE bench_rep.siguiente TO pae_coordinador;
SQL
printf 'data: %s visits, %s visitas_id rows, %s answers, in %s monthly partitions, generated (triggers bypassed) in %ss\n' \
    "$(val 'SELECT count(*) FROM pae.visitas')" "$(val 'SELECT count(*) FROM pae.visitas_id')" \
    "$(val 'SELECT count(*) FROM pae.visita_respuestas')" \
    "$(val "SELECT count(*) FROM pg_inherits WHERE inhparent = 'pae.visitas'::regclass AND inhrelid::regclass::text <> 'pae.visitas_default'")" \
    "$((SECONDS - t))"
((TX * 12 <= $(val 'SELECT count(*) FROM bench_rep.cola'))) || fail "too few programada visits in 2026 for BENCH_REPORT_TX=$TX (raise BENCH_REPORT_VISITAS)"

# --- the rollup, built once ------------------------------------------------------------
q -c 'SET client_min_messages = warning' -c 'SELECT pae.mantener_particiones(3)' >/dev/null || fail "pae.mantener_particiones failed"
t=$SECONDS
ms=$(val "SELECT round(extract(epoch FROM clock_timestamp() - t0) * 1000) FROM (SELECT clock_timestamp() AS t0) a, LATERAL (SELECT pae.reconstruir_resumenes()) b")
printf 'rollup built once (pae.reconstruir_resumenes): %s rows in %s ms\n' "$(val 'SELECT count(*) FROM pae.resumen_visitas')" "$ms"
q -c 'VACUUM ANALYZE' >/dev/null || fail "VACUUM ANALYZE failed"
printf 'sizes: pae.visitas %s, pae.visita_respuestas %s, pae.resumen_visitas %s\n' \
    "$(val "SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits WHERE inhparent = 'pae.visitas'::regclass")" \
    "$(val "SELECT pg_size_pretty(pg_total_relation_size('pae.visita_respuestas'))")" \
    "$(val "SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits WHERE inhparent = 'pae.resumen_visitas'::regclass")"

# --- reads: each view against its raw GROUP BY ----------------------------------------------
q -v reps="$REPS" <<'SQL' || fail "read measurements failed"
SET client_min_messages = warning;
SET jit = off;
-- median of reps runs (after a warm-up) of a query, in ms; every column
-- of every row is used, so no output is optimised away
CREATE FUNCTION bench_rep.mediana_ms(consulta text, reps integer) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; ts float8[] := '{}';
BEGIN
    EXECUTE format('SELECT sum(hashtext(x::text)) FROM (%s) x', consulta);
    FOR i IN 1 .. reps LOOP
        t0 := clock_timestamp();
        EXECUTE format('SELECT sum(hashtext(x::text)) FROM (%s) x', consulta);
        ts := ts || extract(epoch FROM clock_timestamp() - t0) * 1000;
    END LOOP;
    RETURN (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY t)::numeric, 3) FROM unnest(ts) t);
END $$;
CREATE TABLE bench_rep.consultas (nombre text PRIMARY KEY, vista text, cruda text);
INSERT INTO bench_rep.consultas VALUES
('report_month_vs_raw',
 $q$SELECT * FROM pae_reportes.visitas_mensual WHERE mes = '2026-06-01'$q$,
 $q$SELECT date_trunc('month', v.fecha_visita AT TIME ZONE 'America/Bogota')::date AS mes, s.municipio, m.nombre, o.nit, o.nombre AS operador_nombre, v.contrato,
           count(*), count(*) FILTER (WHERE v.estado IN ('cerrada', 'aprobada', 'devuelta')), count(*) FILTER (WHERE v.estado = 'aprobada'),
           count(*) FILTER (WHERE v.estado = 'devuelta'), count(*) FILTER (WHERE v.estado = 'cancelada'), count(*) FILTER (WHERE NOT v.dentro_geocerca),
           coalesce(sum(v.raciones_programadas), 0), coalesce(sum(v.raciones_entregadas), 0)
      FROM pae.visitas v JOIN pae.sedes s ON s.codigo = v.sede JOIN pae.municipios m ON m.codigo = s.municipio
      JOIN pae.contratos c ON c.numero = v.contrato JOIN pae.operadores o ON o.nit = c.operador
     WHERE v.fecha_visita >= '2026-06-01 00:00-05' AND v.fecha_visita < '2026-07-01 00:00-05'
     GROUP BY 1, 2, 3, 4, 5, 6$q$),
('report_trend_vs_raw',
 $q$SELECT mes, sum(programadas) AS programadas, sum(realizadas) AS realizadas, sum(aprobadas) AS aprobadas,
           sum(raciones_programadas) AS rp, sum(raciones_entregadas) AS re
      FROM pae_reportes.visitas_mensual WHERE mes >= '2025-01-01' AND mes < '2027-01-01' GROUP BY mes$q$,
 $q$SELECT date_trunc('month', v.fecha_visita AT TIME ZONE 'America/Bogota')::date AS mes, count(*)::numeric,
           count(*) FILTER (WHERE v.estado IN ('cerrada', 'aprobada', 'devuelta'))::numeric, count(*) FILTER (WHERE v.estado = 'aprobada')::numeric,
           coalesce(sum(v.raciones_programadas), 0)::numeric, coalesce(sum(v.raciones_entregadas), 0)::numeric
      FROM pae.visitas v
     WHERE v.fecha_visita >= '2025-01-01 00:00-05' AND v.fecha_visita < '2027-01-01 00:00-05'
     GROUP BY 1$q$),
('report_coverage_vs_raw',
 $q$SELECT mes, municipio_codigo, municipio_nombre, sedes_activas, sedes_visitadas, cobertura_pct FROM pae_reportes.cobertura_sedes WHERE mes = '2026-06-01'$q$,
 $q$SELECT date '2026-06-01' AS mes, m.codigo, m.nombre, coalesce(a.n, 0), coalesce(vi.n, 0), round(100.0 * coalesce(vi.n, 0) / nullif(a.n, 0), 2)
      FROM pae.municipios m
      LEFT JOIN (SELECT municipio, count(*) AS n FROM pae.sedes WHERE activa GROUP BY municipio) a ON a.municipio = m.codigo
      LEFT JOIN (SELECT s.municipio, count(DISTINCT v.sede) AS n FROM pae.visitas v JOIN pae.sedes s ON s.codigo = v.sede
                  WHERE v.fecha_visita >= '2026-06-01 00:00-05' AND v.fecha_visita < '2026-07-01 00:00-05'
                    AND v.estado IN ('cerrada', 'aprobada', 'devuelta') GROUP BY s.municipio) vi ON vi.municipio = m.codigo
     WHERE (a.n IS NOT NULL OR vi.n IS NOT NULL)
       AND EXISTS (SELECT 1 FROM pae.visitas v WHERE v.fecha_visita >= '2026-06-01 00:00-05' AND v.fecha_visita < '2026-07-01 00:00-05')$q$),
('report_compliance_vs_raw',
 $q$SELECT * FROM pae_reportes.cumplimiento_operador WHERE mes = '2026-06-01'$q$,
 $q$SELECT date '2026-06-01' AS mes, o.nit, o.nombre, count(r.item) FILTER (WHERE r.valor IN ('cumple', 'no_cumple')),
           count(r.item) FILTER (WHERE r.valor = 'cumple'),
           round(100.0 * count(r.item) FILTER (WHERE r.valor = 'cumple') / nullif(count(r.item) FILTER (WHERE r.valor IN ('cumple', 'no_cumple')), 0), 2)
      FROM pae.visitas v JOIN pae.contratos c ON c.numero = v.contrato JOIN pae.operadores o ON o.nit = c.operador
      LEFT JOIN pae.visita_respuestas r ON r.visita = v.id
     WHERE v.fecha_visita >= '2026-06-01 00:00-05' AND v.fecha_visita < '2026-07-01 00:00-05'
       AND v.estado IN ('cerrada', 'aprobada', 'devuelta')
     GROUP BY o.nit, o.nombre$q$);
SQL
for nombre in report_month_vs_raw report_trend_vs_raw report_coverage_vs_raw report_compliance_vs_raw; do
    dif=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB" <<SQL
SET jit = off;
SELECT vista AS v, cruda AS r FROM bench_rep.consultas WHERE nombre = '$nombre' \gset
SELECT count(*) FROM ((:v) EXCEPT ALL (:r)) a;
SELECT count(*) FROM ((:r) EXCEPT ALL (:v)) b;
SELECT count(*) FROM (:v) c;
SQL
    ) || fail "comparing $nombre failed"
    read -r solo_vista solo_cruda filas <<<"$(echo $dif)"
    if [[ $solo_vista != 0 || $solo_cruda != 0 ]]; then
        fail "$nombre: the view and the raw GROUP BY differ ($solo_vista rows only in the view, $solo_cruda only in the raw answer)"
    fi
    read -r mv mr <<<"$(val "SET jit = off; SELECT bench_rep.mediana_ms(vista, $REPS) || ' ' || bench_rep.mediana_ms(cruda, $REPS) FROM bench_rep.consultas WHERE nombre = '$nombre'" | tail -n 1)"
    printf '%s: %s rows, identical; median of %s runs: view %s ms, raw GROUP BY %s ms\n' "$nombre" "$filas" "$REPS" "$mv" "$mr"
    awk -v n="$nombre" -v a="$mr" -v b="$mv" 'BEGIN { printf "BENCH %s %.1f\n", n, a / b }'
done

# --- writes: audited transitions with and without the rollup triggers --------------------------
script=$(mktemp)
trap 'rm -f "$script"; limpiar' EXIT
cat >"$script" <<'PGB'
BEGIN;
SELECT c.id, set_config('request.jwt.claims', '{"sub": "00000000-0000-4000-9000-000000000001", "role": "pae_coordinador"}', true) AS claims,
       set_config('role', 'pae_coordinador', true) AS rol
  FROM bench_rep.cola c WHERE c.n = (SELECT nextval('bench_rep.siguiente')) \gset
SELECT (pae.transicion(:id, 'cancelada', 'banco de pruebas')).estado;
COMMIT;
PGB
q -c 'VACUUM ANALYZE pae.visitas_id, bench_rep.cola' -c 'CHECKPOINT' >/dev/null
run() { # $1: label; sets TPS
    local out
    out=$(pgbench -n -M prepared -c 2 -j 2 -t "$TX" -f "$script" "$DB" 2>&1) || { echo "$out" >&2; fail "pgbench ($1) failed"; }
    TPS=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\) .*/\1/p')
    printf '    %-22s %s tps (%s transactions)\n' "$1" "$TPS" "$((2 * TX))"
}
disparadores() { q -c "ALTER TABLE pae.visitas $1 TRIGGER resumen" -c "ALTER TABLE pae.visitas $1 TRIGGER resumen_cambio" \
                   -c "ALTER TABLE pae.visita_respuestas $1 TRIGGER resumen" >/dev/null; }
printf 'writes: pgbench -c 2 -j 2 -t %s -M prepared, pae.transicion(programada -> cancelada) as a coordinator, audited:\n' "$TX"
deltas0=$(val 'SELECT count(*) FROM pae.resumen_visitas')
SA=0 SB=0
for ronda in 1 2 3; do   # alternated, in turn first and second: the machine's load drifts
    for variante in $( ((ronda % 2)) && echo "con sin" || echo "sin con"); do
        if [[ $variante == con ]]; then
            run "with rollup ($ronda)"; SA=$(awk -v a="$SA" -v b="$TPS" 'BEGIN { print a + b }')
        else
            disparadores DISABLE
            [[ $(val "SELECT count(*) FROM pg_trigger t JOIN pg_inherits i ON i.inhrelid = t.tgrelid WHERE i.inhparent = 'pae.visitas'::regclass AND t.tgname IN ('resumen', 'resumen_cambio') AND t.tgenabled <> 'D'") == 0 ]] ||
                fail "DISABLE TRIGGER did not reach the partitions"
            run "without rollup ($ronda)"; SB=$(awk -v a="$SB" -v b="$TPS" 'BEGIN { print a + b }')
            disparadores ENABLE
        fi
    done
done
deltas=$(( $(val 'SELECT count(*) FROM pae.resumen_visitas') - deltas0 ))
printf '    check: %s cancelled, %s rollup delta rows written by the runs with the rollup\n' \
    "$(val "SELECT count(*) FROM pae.transiciones WHERE hacia = 'cancelada'")" "$deltas"
((deltas == 6 * TX)) || fail "expected $((6 * TX)) delta rows from the runs with the rollup, got $deltas"
awk -v a="$SA" -v b="$SB" 'BEGIN {
    printf "with rollup %.1f tps, without %.1f tps (means of 3 runs each)\n", a / 3, b / 3
    printf "BENCH rollup_write_overhead %.2f\n", a / b
}'
printf '(reports section: %ss)\n' "$((SECONDS - t0))"
