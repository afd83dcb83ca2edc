-- The app's working views (issue 10, item 1; SPEC §10), through PostgREST
-- requests: pae_api.mis_visitas gives a visitador their visits of today and
-- the next mis_visitas_dias days with the sede's name, position and fence
-- radius, and takes a PATCH of observaciones / raciones_entregadas only;
-- pae_api.checklist is the active checklist; pae_api.cola_revision gives a
-- supervisor the cerradas of their municipios (a coordinador all).  All
-- are security_invoker with a comment on every column; pae_anon reads none.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(14);
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/postgrest.sql
UPDATE pae.usuarios SET credenciales_cambiadas_en = credenciales_cambiadas_en - interval '1 hour';
CREATE FUNCTION pg_temp.pedir(quien text, sentencia text) RETURNS jsonb LANGUAGE sql AS $$
    SELECT pg_temp.postgrest(coalesce(g.rol_db, 'pae_anon'),
                             CASE WHEN g.id IS NULL THEN NULL
                                  ELSE jsonb_build_object('sub', g.id, 'role', g.rol_db,
                                                          'iat', floor(extract(epoch FROM clock_timestamp()))::bigint) END,
                             sentencia)
      FROM (SELECT 1) x LEFT JOIN gente g ON g.clave = quien $$;
-- d days from today (Colombia), at 10:00
CREATE FUNCTION pg_temp.dia(d integer) RETURNS timestamptz LANGUAGE sql AS $$
    SELECT (date_trunc('day', now() AT TIME ZONE 'America/Bogota') + make_interval(days => d, hours => 10))
           AT TIME ZONE 'America/Bogota' $$;
-- visits around today, under a contract around today (whatever today is)
INSERT INTO pae.contratos (numero, operador, vigencia, raciones_dia, modalidad)
VALUES ('PAE-T-HOY', '900123456-7', daterange(current_date - 30, current_date + 60), 200, 'RPS');
INSERT INTO pae.contrato_sedes (contrato, sede) VALUES ('PAE-T-HOY', '119001900101'), ('PAE-T-HOY', '119001900103');
CREATE FUNCTION pg_temp.visita_hoy(p_id uuid, p_sede text, p_dia integer, p_visitador text DEFAULT 'visitador')
RETURNS uuid LANGUAGE sql AS $$
    INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)
    VALUES (p_id, p_sede, 'PAE-T-HOY', pg_temp.id(p_visitador), pg_temp.dia(p_dia), 200) RETURNING id $$;
SELECT pg_temp.visita_hoy('00000000-0000-4000-8000-00000000d101', '119001900101', 0);
SELECT pg_temp.visita_hoy('00000000-0000-4000-8000-00000000d102', '119001900103', 1);
SELECT pg_temp.visita_hoy('00000000-0000-4000-8000-00000000d103', '119001900101', -1);
SELECT pg_temp.visita_hoy('00000000-0000-4000-8000-00000000d104', '119001900101', pae.regla('mis_visitas_dias')::int + 1);
SELECT pg_temp.visita_hoy('00000000-0000-4000-8000-00000000d105', '119001900101', 0, 'otro_visitador');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-00000000d106');
SELECT pg_temp.llevar('00000000-0000-4000-8000-00000000d106', 'cerrada');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-00000000d107', '119698900101', '2026-06-11 08:00-05', 'otro_visitador');
SELECT pg_temp.llevar('00000000-0000-4000-8000-00000000d107', 'cerrada');

-- 1-3. mis_visitas
SELECT is(pg_temp.pedir('visitador', $$SELECT string_agg(right(id::text, 4), ',' ORDER BY fecha_visita) FROM pae_api.mis_visitas$$)->>'cuerpo',
          'd101,d102', 'a visitador: their visits of today and tomorrow, not of yesterday nor beyond mis_visitas_dias');
SELECT is(pg_temp.pedir('visitador', $$SELECT format('%s %s %s %s %s', sede_nombre, round(sede_lat::numeric, 4), round(sede_lon::numeric, 4),
                                                        radio_geocerca_m, geocerca_estricta::text)
                                           FROM pae_api.mis_visitas WHERE id = '00000000-0000-4000-8000-00000000d101'$$)->>'cuerpo',
          'Sede Centro 2.4442 -76.6128 150 false', 'with the sede''s name, position and fence');
SELECT is(pg_temp.pedir('otro_visitador', $$SELECT string_agg(right(id::text, 4), ',') FROM pae_api.mis_visitas$$)->>'cuerpo',
          'd105', 'another visitador: only theirs');

-- 4-6. PATCH through mis_visitas: observaciones yes, estado no
SELECT is(pg_temp.pedir('visitador', $$WITH u AS (UPDATE pae_api.mis_visitas SET observaciones = 'portón cerrado', raciones_entregadas = 180
                                                   WHERE id = '00000000-0000-4000-8000-00000000d101' RETURNING 1)
                                      SELECT count(*)::text FROM u$$)->>'cuerpo',
          '1', 'PATCH of observaciones and raciones_entregadas');
SELECT is((SELECT format('%s %s', observaciones, raciones_entregadas) FROM pae.visitas WHERE id = '00000000-0000-4000-8000-00000000d101'),
          'portón cerrado 180', 'the visit changed');
SELECT is(pg_temp.pedir('visitador', $$UPDATE pae_api.mis_visitas SET estado = 'cancelada' WHERE id = '00000000-0000-4000-8000-00000000d101'$$)->>'sqlstate',
          '42501', 'PATCH of estado through mis_visitas: 42501');

-- 7. checklist
SELECT is((pg_temp.pedir('visitador', 'SELECT count(*)::text FROM pae_api.checklist')->>'cuerpo')::int,
          (SELECT count(*)::int FROM pae.checklist_items WHERE activo), 'the checklist: the active items');

-- 8-11. cola_revision
SELECT is(pg_temp.pedir('supervisor', $$SELECT string_agg(right(id::text, 4), ',') FROM pae_api.cola_revision$$)->>'cuerpo',
          'd106', 'a supervisor of 19001: the cerradas of 19001');
SELECT is(pg_temp.pedir('supervisor_otro', $$SELECT string_agg(right(id::text, 4) || ' ' || visitador_nombre || ' ' || (alertas_abiertas > 0), ',') FROM pae_api.cola_revision$$)->>'cuerpo',
          'd107 Visitador Dos true', 'a supervisor of 19698: theirs, with the visitador''s name and open alerts');
SELECT is(pg_temp.pedir('coordinador', $$SELECT string_agg(right(id::text, 4), ',' ORDER BY id) FROM pae_api.cola_revision$$)->>'cuerpo',
          'd106,d107', 'a coordinador: all');
SELECT is(pg_temp.pedir('visitador', 'SELECT count(*)::text FROM pae_api.cola_revision')->>'sqlstate',
          '42501', 'a visitador: 42501');

-- 12-14. shape
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'pae_api' AND c.relkind = 'v'
              AND NOT coalesce(c.reloptions @> ARRAY['security_invoker=true'], false)),
          NULL, 'every pae_api view is security_invoker');
SELECT is((SELECT array_agg(format('%s.%s', c.relname, a.attname)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
            WHERE n.nspname = 'pae_api' AND c.relname IN ('mis_visitas', 'checklist', 'cola_revision')
              AND coalesce(col_description(c.oid, a.attnum), a.attname) = a.attname),
          NULL, 'every column of the three views has a real comment');
SELECT is((SELECT array_agg(v) FROM unnest(ARRAY['mis_visitas', 'checklist', 'cola_revision']) v
            WHERE pg_temp.pedir(NULL, format('SELECT count(*)::text FROM pae_api.%I', v))->>'sqlstate' IS DISTINCT FROM '42501'),
          NULL, 'pae_anon reads none of them (42501)');

SELECT * FROM finish();
ROLLBACK;
