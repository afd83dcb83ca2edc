-- bench/geocerca.sql -- section 1 of tools/bench.sh: the C geofence against
-- PostGIS and a PL/pgSQL haversine, single core, on bench.capturas (see
-- bench/geocerca_datos.sql).
--
-- Each variant is `SELECT count(*) FROM bench.capturas WHERE <predicate>`,
-- a plain sequential scan.  Timing: EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON)
-- "Execution Time" (server side: no client round trip, no per-node clocks),
-- one warm-up round, then :reps rounds (BENCH_REPS, default 5) over all
-- the variants; the median of each variant is reported.
--
-- (f), the executor floor: the cost of scanning the same rows, evaluating
-- one cheap expression over the same four float8 columns and counting
-- about as many rows as (a) does:
--     c_lat - s_lat + c_lon - s_lon <= -0.00437
-- three float8 operations and one comparison, no function call; with this
-- data 199,956 rows pass (the 20% quantile), against 200,173 for (a), so
-- the aggregate above the scan does the same work too.  For reference,
-- (f_all) is `s_lat + s_lon + c_lat + c_lon <= 200`, true for every row (it
-- also pays count(*) for all 1M rows), and (f_none) the same expression
-- true for no row.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;   -- single core
SET jit = off;                             -- no LLVM compile time in the timings
SET search_path = public, pg_catalog;      -- PostGIS lives in public
\pset footer off

CREATE TEMP TABLE variantes (orden int, variante text, predicado text);
INSERT INTO variantes VALUES
    (1, 'a',  'pae.distancia_m(s_lat, s_lon, c_lat, c_lon) <= 200'),
    (2, 'b',  '(pae.evaluar_geocerca(sede_codigo, c_lat, c_lon)).dentro'),
    (3, 'c',  'ST_DWithin(g_sede, g_cap, 200)'),
    (4, 'd',  'ST_DWithin(g_sede, g_cap, 200, use_spheroid => false)'),
    (5, 'e',  'bench.haversine_m(s_lat, s_lon, c_lat, c_lon) <= 200'),
    (6, 'f',  'c_lat - s_lat + c_lon - s_lon <= -0.00437'),
    (7, 'f_all',  's_lat + s_lon + c_lat + c_lon <= 200'),
    (8, 'f_none', 's_lat + s_lon + c_lat + c_lon > 200');
CREATE TEMP TABLE corridas (variante text, ronda int, ms float8, filas bigint);

-- One warm-up round, then `reps` rounds; each round runs every variant
-- once, so a change in the machine's background load during the run hits
-- all variants alike instead of skewing one of them.
CREATE FUNCTION pg_temp.medir(reps int)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    v  record;
    j  json;
BEGIN
    FOR ronda IN 0 .. reps LOOP
        FOR v IN SELECT * FROM variantes ORDER BY orden LOOP
            EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON, FORMAT JSON) '
                    'SELECT count(*) FROM bench.capturas WHERE ' || v.predicado INTO j;
            IF ronda > 0 THEN
                INSERT INTO corridas
                VALUES (v.variante, ronda, (j -> 0 ->> 'Execution Time')::float8,
                        -- rows that passed the filter: the scan under the aggregate
                        (j -> 0 -> 'Plan' -> 'Plans' -> 0 ->> 'Actual Rows')::bigint);
            END IF;
        END LOOP;
    END LOOP;
END
$$;

CREATE FUNCTION pg_temp.mediana(float8[]) RETURNS float8
LANGUAGE sql IMMUTABLE
AS $$ SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY x) FROM unnest($1) AS x $$;

\echo
\echo 'Section 1 data:'
SELECT (SELECT count(*) FROM pae.sedes) AS sedes,
       count(*) AS capturas,
       round(avg(pae.distancia_m(s_lat, s_lon, c_lat, c_lon))::numeric, 1) AS distancia_media_m,
       pg_size_pretty(pg_total_relation_size('bench.capturas')) AS tamano_tabla,
       current_setting('shared_buffers') AS shared_buffers
  FROM bench.capturas;

SELECT pg_temp.medir(:reps) \g /dev/null

CREATE TEMP TABLE resultados AS
SELECT v.orden, v.variante, v.predicado,
       array_agg(c.ms ORDER BY c.ronda) AS ms,
       min(c.filas) AS filas
  FROM variantes v JOIN corridas c USING (variante)
 GROUP BY v.orden, v.variante, v.predicado;

\echo
\echo 'Section 1 results (single core; median and min of the runs listed, ms; ns per row scanned = median / rows):'
SELECT r.variante AS v,
       r.predicado,
       to_char(pg_temp.mediana(r.ms), 'FM999990.0') AS mediana_ms,
       to_char(pg_temp.mediana(r.ms) * 1e6 / n.total, 'FM99990.0') AS ns_fila,
       to_char((SELECT min(x) FROM unnest(r.ms) AS x), 'FM999990.0') AS min_ms,
       r.filas AS cuenta,
       (SELECT string_agg(to_char(x, 'FM999990.0'), ' ') FROM unnest(r.ms) AS x) AS corridas_ms
  FROM resultados r, (SELECT count(*) AS total FROM bench.capturas) n
 ORDER BY r.orden;

\echo 'Agreement of the counts: (a) WGS84 ellipsoid in C, (b) the same through the sede''s fence'
\echo '(radius 200 m, no GPS precision), (c) PostGIS spheroid; (d) and (e) are on a sphere and'
\echo 'differ by design.  (a) vs (c), pair by pair:'
SELECT count(*) FILTER (WHERE a <> c) AS pares_en_desacuerdo,
       coalesce(to_char(max(abs(dist - 200)) FILTER (WHERE a <> c) * 1000, 'FM99990.000'), '-')
           AS max_mm_desde_200m_en_desacuerdo,
       count(*) FILTER (WHERE abs(dist - 200) < 0.001) AS pares_a_menos_de_1mm_de_200m
  FROM (SELECT pae.distancia_m(s_lat, s_lon, c_lat, c_lon) <= 200 AS a,
               ST_DWithin(g_sede, g_cap, 200) AS c,
               ST_Distance(g_sede, g_cap) AS dist
          FROM bench.capturas
         WHERE ST_DWithin(g_sede, g_cap, 201)) s;

\echo
\pset tuples_only on
\pset format unaligned
WITH m AS (SELECT variante, pg_temp.mediana(ms) AS med FROM resultados)
SELECT format('BENCH geofence_vs_postgis_dwithin %s',
              to_char((SELECT med FROM m WHERE variante = 'c') / (SELECT med FROM m WHERE variante = 'a'), 'FM9999990.00'))
UNION ALL
SELECT format('BENCH geofence_over_floor %s',
              to_char((SELECT med FROM m WHERE variante = 'a') / (SELECT med FROM m WHERE variante = 'f'), 'FM9999990.00'))
UNION ALL
SELECT format('BENCH geofence_vs_plpgsql_haversine %s',
              to_char((SELECT med FROM m WHERE variante = 'e') / (SELECT med FROM m WHERE variante = 'a'), 'FM9999990.00'))
UNION ALL
SELECT format('BENCH geofence_vs_postgis_sphere %s',
              to_char((SELECT med FROM m WHERE variante = 'd') / (SELECT med FROM m WHERE variante = 'a'), 'FM9999990.00'));
\pset tuples_only off
\pset format aligned

\echo
\echo 'For reading a noisy machine only (not the BENCH figures): the same ratios from each'
\echo 'variant''s fastest run, and from the medians with (f_all) as the floor:'
WITH m AS (SELECT variante, (SELECT min(x) FROM unnest(ms) AS x) AS mn, pg_temp.mediana(ms) AS med FROM resultados)
SELECT to_char((SELECT mn FROM m WHERE variante = 'c') / (SELECT mn FROM m WHERE variante = 'a'), 'FM9990.00') AS vs_postgis_dwithin_min,
       to_char((SELECT mn FROM m WHERE variante = 'a') / (SELECT mn FROM m WHERE variante = 'f'), 'FM9990.00') AS over_floor_min,
       to_char((SELECT mn FROM m WHERE variante = 'e') / (SELECT mn FROM m WHERE variante = 'a'), 'FM9990.00') AS vs_plpgsql_haversine_min,
       to_char((SELECT mn FROM m WHERE variante = 'd') / (SELECT mn FROM m WHERE variante = 'a'), 'FM9990.00') AS vs_postgis_sphere_min,
       to_char((SELECT med FROM m WHERE variante = 'a') / (SELECT med FROM m WHERE variante = 'f_all'), 'FM9990.00') AS over_floor_all_rows;
