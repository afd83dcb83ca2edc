-- pae_bi reads the reports and nothing with personal data (issue 12, item 3;
-- SPEC §9): it can read the four views of pae_reportes and no table or
-- view of pae or pae_api (people, visits with their visitador and GPS
-- positions, evidence, history, audit, the rollup); in
-- pae_reportes.alertas the visitador is NULL for it and the check-in's
-- coordinates are gone from the detail, while a coordinator sees both.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(12);
SET LOCAL jit = off;
\i test/fixtures/visitas_y_personas.sql

-- a visit checked in outside its geofence: a fuera_geocerca alert whose
-- detail carries the check-in's position
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-0000000000b1', p_sede => '119001900103');
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000b1', 'cerrada');
SELECT pg_temp.como(NULL, NULL);

-- 1. what pae_bi may read at all: exactly the four views
SELECT is((SELECT array_agg(n.nspname || '.' || c.relname ORDER BY c.relname)
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname IN ('pae', 'pae_api', 'pae_reportes') AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
              AND (has_table_privilege('pae_bi', c.oid, 'SELECT') OR has_any_column_privilege('pae_bi', c.oid, 'SELECT'))),
          ARRAY['pae_reportes.alertas', 'pae_reportes.cobertura_sedes', 'pae_reportes.cumplimiento_operador',
                'pae_reportes.visitas_mensual'],
          'pae_bi can read the four report views and no other table or view of the extension');

-- 2-5. as an analyst through PostgREST's identity: reading tables with personal data fails
SELECT pg_temp.como('bi');
SELECT throws_ok('SELECT count(*) FROM pae.usuarios', '42501', NULL, 'pae_bi cannot read pae.usuarios (names, emails)');
SELECT throws_ok('SELECT count(*) FROM pae.visitas', '42501', NULL, 'pae_bi cannot read pae.visitas (visitador, check-in positions)');
SELECT throws_ok('SELECT count(*) FROM pae.visitas_checkin', '42501', NULL, 'pae_bi cannot read pae.visitas_checkin (where people were)');
SELECT throws_ok('SELECT count(*) FROM pae.evidencias', '42501', NULL, 'pae_bi cannot read pae.evidencias');

-- 6-9. it reads every view; in alertas no visitador and no check-in coordinates
SELECT ok((SELECT count(*) FROM pae_reportes.visitas_mensual) > 0 AND (SELECT count(*) FROM pae_reportes.cobertura_sedes) > 0
          AND (SELECT count(*) FROM pae_reportes.cumplimiento_operador) > 0,
          'pae_bi reads visitas_mensual, cobertura_sedes and cumplimiento_operador');
SELECT is((SELECT count(*) FROM pae_reportes.alertas WHERE tipo = 'fuera_geocerca'), 1::bigint,
          'pae_bi reads the open fuera_geocerca alert');
SELECT is((SELECT count(*) FROM pae_reportes.alertas WHERE visitador IS NOT NULL), 0::bigint,
          'pae_bi sees no visitador in alertas');
SELECT is((SELECT count(*) FROM pae_reportes.alertas WHERE detalle ?| ARRAY['lat', 'lon', 'precision_m']), 0::bigint,
          'pae_bi sees no check-in coordinates in the alerts'' detail');
SELECT pg_temp.como(NULL, NULL);

-- 10-12. a coordinator sees the visitador and the whole detail
SELECT pg_temp.como('coordinador');
SELECT is((SELECT visitador FROM pae_reportes.alertas WHERE tipo = 'fuera_geocerca'), pg_temp.id('visitador'),
          'a coordinator sees the visitador of the alert');
SELECT ok((SELECT detalle ? 'lat' AND detalle ? 'distancia_m' FROM pae_reportes.alertas WHERE tipo = 'fuera_geocerca'),
          'a coordinator sees the whole detail');
SELECT pg_temp.como(NULL, NULL);
SELECT is((SELECT (detalle ? 'distancia_m') FROM pae_reportes.alertas WHERE tipo = 'fuera_geocerca'), true,
          'the detail keeps what is not a position (distancia_m)');

SELECT * FROM finish();
ROLLBACK;
