#!/usr/bin/env bash
# tools/bench_rls.sh -- the cost of row-level security (issue 10, item 9;
# SPEC §13): one visitador lists their visits through pae_api.visitas, as
# PostgREST makes the request, against the extension's owner listing the
# same visits from pae.visitas with a plain WHERE.  Called once a cluster
# runs (tools/bench.sh section 6, or by hand):
#
#   tools/bench_rls.sh [DB]          (PG* variables point at the cluster;
#                                     DB is only a name prefix: the data
#                                     go into their own database DB_rls,
#                                     dropped at the end)
#
# Environment:
#   BENCH_RLS_VISITAS      visits generated (default 1000000)
#   BENCH_RLS_VISITADORES  visitadores they are spread over (default 50)
#   BENCH_RLS_REPS         timed runs of each variant, after one warm-up (default 7)
#
# Data: the visits are spread evenly over the visitadores and over the 24
# months of 2025-2026 (one monthly partition each, created by the
# contract's trigger), 100 sedes, inserted with the extension's triggers
# off (session_replication_role = replica), then VACUUM ANALYZE.
#
# The two variants, timed alternately in one warm session with jit off and
# no parallel workers (neither then depends on cost estimates, which
# differ between the policy's InitPlan parameter and the owner's literal),
# each run one EXPLAIN (ANALYZE, TIMING OFF) execution time (the executor,
# no transfer to the client):
#   visitador: BEGIN; request.jwt.claims / request.headers / request.method;
#              SET LOCAL ROLE pae_visitador; SELECT pae.db_pre_request();
#              SELECT <the view's columns> FROM pae_api.visitas   (RLS alone filters)
#   owner:     SELECT <the same columns> FROM pae.visitas WHERE visitador = '<id>'
#              as the extension's owner (no RLS)
# Prints the sizes, every run, the medians and
#   BENCH rls_overhead <median visitador / median owner>   (target <= 1.5)
# plus the visitador's plan, to see that the identity lookup is one
# InitPlan per statement and each partition is read by its visitador index.
set -euo pipefail
cd "$(dirname "$0")/.."

BASE=${1:-${BENCH_DB:-pae_bench}}
DB=${BASE}_rls
N=${BENCH_RLS_VISITAS:-1000000}
NV=${BENCH_RLS_VISITADORES:-50}
REPS=${BENCH_RLS_REPS:-7}
[[ $N =~ ^[1-9][0-9]*$ && $NV =~ ^[1-9][0-9]*$ && $REPS =~ ^[1-9][0-9]*$ ]] ||
    { echo "bench_rls: BENCH_RLS_* must be positive integers" >&2; exit 2; }
fail() { echo "bench_rls: $*" >&2; exit 1; }
q() { psql -X -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }
val() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB" -c "$1"; }

printf '\n========== Section: row-level security (pae_api.visitas as a visitador vs the owner) ==========\n'
dropdb --if-exists "$DB" >/dev/null 2>&1 || true
createdb "$DB" || fail "createdb $DB failed"
trap 'dropdb --if-exists "$DB" >/dev/null 2>&1 || true' EXIT
q -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION pae_cauca CASCADE' ||
    fail "CREATE EXTENSION failed"

t=$SECONDS
q -v n="$N" -v nv="$NV" >/dev/null <<'SQL' || fail "data generation failed"
SET client_min_messages = warning;
INSERT INTO pae.instituciones (codigo, nombre, municipio) VALUES ('119001990001', 'IE Benchmark RLS', '19001');
INSERT INTO pae.sedes (codigo, nombre, institucion, municipio, zona, ubicacion)
SELECT '1190019' || lpad(i::text, 5, '0'), format('Sede %s', i), '119001990001', '19001', 'urbana',
       format('SRID=4326;POINT(%s %s)', -76.6 + i * 0.001, 2.44 + i * 0.001)::geography
  FROM generate_series(1, 100) AS i;
INSERT INTO pae.operadores (nit, nombre) VALUES ('900999999-1', 'Operador Benchmark');
-- its trigger creates the 24 monthly partitions of 2025-2026
INSERT INTO pae.contratos (numero, operador, vigencia, raciones_dia, modalidad)
VALUES ('PAE-B-RLS', '900999999-1', daterange('2025-01-01', '2027-01-01'), 200, 'RPS');
INSERT INTO pae.contrato_sedes (contrato, sede) SELECT 'PAE-B-RLS', codigo FROM pae.sedes;
CREATE SCHEMA bench;
CREATE TABLE bench.visitadores (n int PRIMARY KEY, id uuid NOT NULL);
INSERT INTO bench.visitadores
SELECT i, pae.crear_usuario(format('rls%s@bench.gov.co', i), format('Visitador %s', i), 'visitador',
                            'clave-de-benchmark', ARRAY['19001']::char(5)[])
  FROM generate_series(1, :nv) AS i;
SET session_replication_role = replica;
INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, estado, raciones_programadas, observaciones)
SELECT gen_random_uuid(), '1190019' || lpad((1 + i % 100)::text, 5, '0'), 'PAE-B-RLS', v.id,
       timestamptz '2025-01-01 07:00-05' + (i::double precision / :n) * interval '729 days' + (i % 7) * interval '1 hour',
       'programada', 200, 'visita de benchmark'
  FROM generate_series(0, :n - 1) AS i
  JOIN bench.visitadores v ON v.n = 1 + i % :nv;
RESET session_replication_role;
VACUUM ANALYZE pae.visitas;
ANALYZE pae.usuarios;
-- one EXPLAIN ANALYZE execution time, in ms, of a statement run by the caller
CREATE FUNCTION bench.ms(sentencia text) RETURNS double precision LANGUAGE plpgsql AS $$
DECLARE j json;
BEGIN
    EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON, FORMAT JSON) ' || sentencia INTO j;
    RETURN (j->0->>'Execution Time')::double precision;
END $$;
GRANT USAGE ON SCHEMA bench TO pae_visitador;
GRANT SELECT ON bench.visitadores TO pae_visitador;
CREATE TABLE bench.tiempos (variante text, corrida int, ms double precision);
SQL
printf 'data: %s visits, %s visitadores (%s visits each), %s monthly partitions + default, %s of table, generated in %ss (triggers off)\n' \
    "$(val 'SELECT count(*) FROM pae.visitas')" "$NV" "$((N / NV))" \
    "$(val "SELECT count(*) - 1 FROM pg_inherits WHERE inhparent = 'pae.visitas'::regclass")" \
    "$(val "SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits WHERE inhparent = 'pae.visitas'::regclass")" \
    "$((SECONDS - t))"

ID=$(val 'SELECT id FROM bench.visitadores WHERE n = 1')
CLAIMS=$(val "SELECT json_build_object('sub', id, 'role', 'pae_visitador', 'iat', floor(extract(epoch FROM now()))::bigint + 60, 'exp', floor(extract(epoch FROM now()))::bigint + 3600) FROM bench.visitadores WHERE n = 1")
COLS=$(val "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'pae_api.visitas'::regclass AND attnum > 0")
SQL_VIS="SELECT $COLS FROM pae_api.visitas"
SQL_OWN="SELECT $COLS FROM pae.visitas WHERE visitador = '$ID'"
printf 'visitador %s lists %s visits; the owner %s\n' \
    "$ID" "$(val "SELECT count(*) FROM pae.visitas WHERE visitador = '$ID'")" "$(val 'SELECT current_user')"

# The runs, alternating, all in one session, as PostgREST's pooled
# connections are warm (a fresh backend's first request also prepares the
# extension's SPI plans and fills its caches).  Each visitador run is one
# request: one transaction with its claims, role and pre-request.
script=$(mktemp)
trap 'rm -f "$script"; dropdb --if-exists "$DB" >/dev/null 2>&1 || true' EXIT
printf 'SET jit = off;\nSET max_parallel_workers_per_gather = 0;\n' >"$script"
for i in $(seq 0 "$REPS"); do
    cat >>"$script" <<SQL
BEGIN;
SELECT set_config('request.jwt.claims', :'claims', true), set_config('request.headers', '{"user-agent":"bench"}', true),
       set_config('request.method', 'GET', true) \\gset
SET LOCAL ROLE pae_visitador;
SELECT pae.db_pre_request() \\gset
SELECT bench.ms(:'sql_vis') AS ms \\gset
RESET ROLE;
INSERT INTO bench.tiempos VALUES ('visitador', $i, :ms);
COMMIT;
INSERT INTO bench.tiempos SELECT 'owner', $i, bench.ms(:'sql_own');
SQL
done
q -v claims="$CLAIMS" -v sql_vis="$SQL_VIS" -v sql_own="$SQL_OWN" -f "$script" >/dev/null || fail "the timed runs failed"

# the check: both listings return the same rows
same=$(q -A -t -v claims="$CLAIMS" -v sql="$SQL_VIS" -v own="$SQL_OWN" <<'SQL'
BEGIN;
SELECT set_config('request.jwt.claims', :'claims', true) \gset
SET LOCAL ROLE pae_visitador;
CREATE TEMP TABLE por_rls AS SELECT id, fecha_visita FROM pae_api.visitas;
RESET ROLE;
SELECT (SELECT count(*) FROM por_rls) = (SELECT count(*) FROM pae.visitas WHERE visitador = (SELECT id FROM bench.visitadores WHERE n = 1))
       AND NOT EXISTS (SELECT id, fecha_visita FROM pae.visitas WHERE visitador = (SELECT id FROM bench.visitadores WHERE n = 1)
                       EXCEPT SELECT id, fecha_visita FROM por_rls);
ROLLBACK;
SQL
)
[[ $same == t ]] || fail "the visitador's listing is not the owner's listing (got '$same')"

printf 'runs (ms, EXPLAIN ANALYZE execution time; run 0 is the warm-up, not counted):\n'
val "SELECT format('  run %s: visitador %s  owner %s', a.corrida, round(a.ms::numeric, 1), round(b.ms::numeric, 1))
       FROM bench.tiempos a JOIN bench.tiempos b ON b.corrida = a.corrida AND b.variante = 'owner'
      WHERE a.variante = 'visitador' ORDER BY a.corrida"
val "SELECT format('medians: visitador %s ms, owner %s ms', round(v::numeric, 1), round(o::numeric, 1))
       FROM (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE variante = 'visitador') AS v,
                    percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE variante = 'owner') AS o
               FROM bench.tiempos WHERE corrida > 0) m"
printf "the visitador's plan (one run):\n"
q -A -t -v claims="$CLAIMS" -v sql="$SQL_VIS" <<'SQL' | sed -n '1,12p;/InitPlan\|SubPlan/p' | sed 's/^/    /' | uniq
SET jit = off;
SET max_parallel_workers_per_gather = 0;
BEGIN;
SELECT set_config('request.jwt.claims', :'claims', true) \gset
SET LOCAL ROLE pae_visitador;
SELECT pae.db_pre_request() \gset
EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) :sql;
ROLLBACK;
SQL
val "SELECT format('BENCH rls_overhead %s',
                   round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE variante = 'visitador')
                          / percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE variante = 'owner'))::numeric, 2))
       FROM bench.tiempos WHERE corrida > 0"
