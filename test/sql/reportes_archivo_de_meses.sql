-- Archiving old months of visits (issue 12, item 4): pae.archivar_visitas
-- refuses months whose audit trail is not sealed (55000), the current or
-- a future month (22023) and NULL; once sealed it detaches each month that
-- ended before the date, with that month's rollup partitions, so the
-- months leave visits and reports together (the reports still equal the
-- base tables), keeps them as standalone tables, records them, and a
-- second call archives nothing.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(11);
SET LOCAL jit = off;
\i test/fixtures/visitas_y_personas.sql

SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-0000000000c1', p_fecha => '2025-03-10 08:00-05');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-0000000000c2', p_fecha => '2025-04-10 08:00-05');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-0000000000c3', p_fecha => '2025-06-10 08:00-05');
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000c2', 'cancelada');
SELECT pg_temp.como(NULL, NULL);

-- 1-3. refused: audit not sealed, the current month, NULL
SELECT throws_ok($$SELECT pae.archivar_visitas('2025-05-01')$$, '55000', NULL,
                 'a month whose audit trail is not sealed is not archived');
SELECT throws_ok($$SELECT pae.archivar_visitas((date_trunc('month', now() AT TIME ZONE 'America/Bogota') + interval '1 day')::date)$$,
                 '22023', NULL, 'the current month is not archived');
SELECT throws_ok($$SELECT pae.archivar_visitas(NULL)$$, '22004', NULL, 'NULL is refused');

-- 4-9. sealed: January to April 2025 leave visits and reports together
SELECT pae.sellar_auditoria() IS NOT NULL AS sellado;
SELECT is(pae.archivar_visitas('2025-05-01'), 4, 'four months (January to April 2025) archived');
SELECT ok(to_regclass('pae.visitas_p2025_03') IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = 'pae.visitas_p2025_03'::regclass),
          'the month is a standalone table, no longer a partition of pae.visitas');
SELECT is((SELECT count(*) FROM pae.visitas_p2025_03), 1::bigint, 'the standalone table keeps the month''s visit');
SELECT is((SELECT array_agg(DISTINCT mes ORDER BY mes) FROM pae_reportes.visitas_mensual), ARRAY[date '2025-06-01'],
          'the reports keep only the month not archived');
SELECT ok(NOT EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid IN ('pae.resumen_visitas_p2025_04'::regclass, 'pae.resumen_sedes_p2025_04'::regclass)),
          'the rollup partitions of an archived month left with it');
SELECT is((SELECT array_agg(to_char(mes, 'YYYY-MM-DD') || ' ' || filas || ' ' || array_length(resumenes, 1) ORDER BY mes) FROM pae.visitas_archivos),
          ARRAY['2025-01-01 0 2', '2025-02-01 0 2', '2025-03-01 1 2', '2025-04-01 1 2'],
          'each archived month is recorded with its visits and its two rollup tables');

-- 10-11. idempotent; reports equal the base tables
SELECT is(pae.archivar_visitas('2025-05-01'), 0, 'archiving again archives nothing');
SELECT is((SELECT sum(programadas) FROM pae_reportes.visitas_mensual), (SELECT count(*) FROM pae.visitas)::numeric,
          'the reports count exactly the visits left in pae.visitas');

SELECT * FROM finish();
ROLLBACK;
