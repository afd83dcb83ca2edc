-- One planning rule on every path (issue 9, item 7; SPEC §5): a visitador
-- creates visits for themselves only, at sedes of their municipios, and
-- re-plans (sede, contrato, fecha_visita, visitador) or deletes them only
-- while programada; a supervisor plans at sedes of their municipios; a
-- coordinador anywhere; a privileged session acting as nobody anything.
-- The base table and the API view (PostgREST POST / PATCH / DELETE) agree.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(24);
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/intentar.sql

-- the visitador's municipio is 19001 (sedes 1190019001xx); 119698900101 is in 19698
CREATE FUNCTION pg_temp.crear(via text, id text, sede text, visitador text, dia int) RETURNS text LANGUAGE sql AS $$
    SELECT format('INSERT INTO %s (id, sede, contrato, visitador, fecha_visita) VALUES (%L, %L, ''PAE-T-001'', %L, %L)',
                  via, id, sede, pg_temp.id(visitador), timestamptz '2026-07-01 08:00-05' + dia * interval '1 day') $$;

-- a visitador: own visits at sedes of their municipios, on both paths
SELECT is(pg_temp.intentar('visitador', pg_temp.crear('pae.visitas', '00000000-0000-4000-8000-00000000c001', '119001900101', 'visitador', 1)),
          'ok', 'a visitador creates an own visit at a sede of their municipio (table)');
SELECT is(pg_temp.intentar('visitador', pg_temp.crear('pae_api.visitas', '00000000-0000-4000-8000-00000000c002', '119001900103', 'visitador', 2)),
          'ok', 'and through the API view (an unplanned field visit, POST /visitas)');
SELECT is(pg_temp.error_completo('visitador', pg_temp.crear('pae.visitas', '00000000-0000-4000-8000-00000000c003', '119001900101', 'otro_visitador', 3)),
          format('42501: un visitador solo planea sus propias visitas | La visita 00000000-0000-4000-8000-00000000c003 no está asignada a quien actúa (%s); un visitador crea, reprograma y borra solo visitas suyas.', pg_temp.id('visitador')),
          'not for another visitador (table)');
SELECT is(pg_temp.intentar('visitador', pg_temp.crear('pae_api.visitas', '00000000-0000-4000-8000-00000000c003', '119001900101', 'otro_visitador', 3)),
          '42501: un visitador solo planea sus propias visitas', 'nor through the view');
SELECT is(pg_temp.error_completo('visitador', pg_temp.crear('pae.visitas', '00000000-0000-4000-8000-00000000c004', '119698900101', 'visitador', 4)),
          '42501: la sede "119698900101" no está en los municipios a cargo de quien actúa | La sede es del municipio 19698; un visitador planea visitas solo en sedes de los municipios que tiene a cargo (pae.usuario_municipios).',
          'not at a sede outside their municipios (table)');
SELECT is(pg_temp.intentar('visitador', pg_temp.crear('pae_api.visitas', '00000000-0000-4000-8000-00000000c004', '119698900101', 'visitador', 4)),
          '42501: la sede "119698900101" no está en los municipios a cargo de quien actúa', 'nor through the view');

-- re-planning an own programada visit
SELECT is(pg_temp.intentar('visitador', $$UPDATE pae_api.visitas SET fecha_visita = '2026-07-11 08:00-05' WHERE id = '00000000-0000-4000-8000-00000000c001'$$),
          'ok', 'a visitador re-plans the date of an own programada visit');
SELECT is(pg_temp.intentar('visitador', $$UPDATE pae.visitas SET sede = '119698900101' WHERE id = '00000000-0000-4000-8000-00000000c001'$$),
          '42501: la sede "119698900101" no está en los municipios a cargo de quien actúa', 'but not to a sede outside their municipios');
SELECT is(pg_temp.intentar('visitador', $$UPDATE pae_api.visitas SET visitador = pg_temp.id('otro_visitador') WHERE id = '00000000-0000-4000-8000-00000000c001'$$),
          '42501: un visitador solo planea sus propias visitas', 'nor hand it to another visitador');
SELECT is(pg_temp.intentar('visitador', $$DELETE FROM pae_api.visitas WHERE id = '00000000-0000-4000-8000-00000000c002'$$),
          'ok', 'a visitador deletes an own programada visit through the view (DELETE /visitas)');
SELECT pg_temp.llevar('00000000-0000-4000-8000-00000000c001', 'en_curso');
SELECT is(pg_temp.intentar('visitador', $$UPDATE pae.visitas SET fecha_visita = '2026-07-12 08:00-05' WHERE id = '00000000-0000-4000-8000-00000000c001'$$),
          'PV002: solo una visita programada puede reprogramarse', 'once started it is not re-planned');
SELECT is(pg_temp.intentar('visitador', $$DELETE FROM pae_api.visitas WHERE id = '00000000-0000-4000-8000-00000000c001'$$),
          'PV002: no se puede borrar la visita 00000000-0000-4000-8000-00000000c001 en estado en_curso', 'nor deleted');

-- supervisors: their municipios, for anyone
SELECT is(pg_temp.intentar('supervisor', pg_temp.crear('pae_api.visitas', '00000000-0000-4000-8000-00000000c005', '119001900101', 'otro_visitador', 5)),
          'ok', 'a supervisor plans a visit at a sede of their municipio, for a visitador');
SELECT is(pg_temp.error_completo('supervisor', pg_temp.crear('pae.visitas', '00000000-0000-4000-8000-00000000c006', '119698900101', 'visitador', 6)),
          '42501: la sede "119698900101" no está en los municipios a cargo de quien actúa | La sede es del municipio 19698; un supervisor planea visitas solo en sedes de los municipios que tiene a cargo (pae.usuario_municipios).',
          'not elsewhere (table)');
SELECT is(pg_temp.intentar('supervisor_otro', pg_temp.crear('pae_api.visitas', '00000000-0000-4000-8000-00000000c006', '119001900101', 'visitador', 6)),
          '42501: la sede "119001900101" no está en los municipios a cargo de quien actúa', 'nor elsewhere through the view');
SELECT is(pg_temp.intentar('supervisor', $$UPDATE pae.visitas SET visitador = pg_temp.id('visitador') WHERE id = '00000000-0000-4000-8000-00000000c005'$$),
          'ok', 'a supervisor reassigns a programada visit of their municipio');
SELECT is(pg_temp.intentar('supervisor', $$UPDATE pae.visitas SET sede = '119698900101' WHERE id = '00000000-0000-4000-8000-00000000c005'$$),
          '42501: la sede "119698900101" no está en los municipios a cargo de quien actúa', 'but does not move it out of their municipios');
SELECT is(pg_temp.intentar('supervisor', $$DELETE FROM pae_api.visitas WHERE id = '00000000-0000-4000-8000-00000000c005'$$),
          'ok', 'and deletes it while programada through the view');

-- coordinadores anywhere; privileged nobody anything; other roles nothing
SELECT is(pg_temp.intentar('coordinador', pg_temp.crear('pae_api.visitas', '00000000-0000-4000-8000-00000000c007', '119698900101', 'visitador', 7)),
          'ok', 'a coordinador plans anywhere');
SELECT is(pg_temp.intentar('coordinador', $$UPDATE pae.visitas SET sede = '119001900101' WHERE id = '00000000-0000-4000-8000-00000000c007'$$),
          'ok', 'and re-plans anywhere');
SELECT is(pg_temp.intentar(NULL, pg_temp.crear('pae.visitas', '00000000-0000-4000-8000-00000000c008', '119698900101', 'otro_visitador', 8)),
          'ok', 'a superuser acting as nobody plans anything');
SELECT is(pg_temp.intentar('admin', pg_temp.crear('pae.visitas', '00000000-0000-4000-8000-00000000c009', '119698900101', 'otro_visitador', 9)),
          'ok', 'an admin person plans anywhere');
SELECT is(pg_temp.intentar('visitador', $$DELETE FROM pae.visitas WHERE id = '00000000-0000-4000-8000-00000000c008'$$),
          'ok', 'RLS still hides other people''s visits from a visitador''s DELETE (no row, no error)');

SELECT results_eq($$SELECT id::text, sede::text, visitador = pg_temp.id('visitador'), estado::text
                      FROM pae.visitas WHERE id::text LIKE '00000000-0000-4000-8000-00000000c%' ORDER BY id$$,
                  $$VALUES ('00000000-0000-4000-8000-00000000c001', '119001900101', true, 'en_curso'),
                           ('00000000-0000-4000-8000-00000000c007', '119001900101', true, 'programada'),
                           ('00000000-0000-4000-8000-00000000c008', '119698900101', false, 'programada'),
                           ('00000000-0000-4000-8000-00000000c009', '119698900101', false, 'programada')$$,
                  'exactly the allowed plans are stored');

SELECT * FROM finish();
ROLLBACK;
