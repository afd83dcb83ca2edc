-- Visit ids are unique across all monthly partitions (SPEC §3), registered
-- in pae.visitas_id: an id reused in another month (or the same month) is
-- PV008.  A visit is deleted only while programada (PV002 otherwise), and
-- deleting it frees its id.  A visit is born programada: inserting it in a
-- later state is PV002 for an identified, non-privileged session.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
BEGIN;
SELECT plan(30);

INSERT INTO pae.sedes (codigo, nombre, municipio, ubicacion)
VALUES ('119001000411', 'Sede ids', '19001', 'SRID=4326;POINT(-76.6147 2.4448)');
INSERT INTO pae.operadores (nit, nombre) VALUES ('900423456-2', 'Operador Ids SAS');
INSERT INTO pae.contratos (numero, operador, vigencia, raciones_dia)
VALUES ('PAE-ID-2025', '900423456-2', '[2025-01-01,2026-01-01)', 100);
INSERT INTO pae.contrato_sedes (contrato, sede) VALUES ('PAE-ID-2025', '119001000411');
INSERT INTO pae.usuarios (id, correo, nombre, rol)
VALUES ('a4000000-0000-4000-8000-000000000001', 'v1.id@example.org', 'Visitador Ids', 'visitador');
-- a visitador plans only at sedes of their municipios (SPEC §5)
INSERT INTO pae.usuario_municipios (usuario, municipio) VALUES ('a4000000-0000-4000-8000-000000000001', '19001');

CREATE FUNCTION pg_temp.ins(id text, fecha timestamptz) RETURNS text LANGUAGE sql AS $$
    SELECT format('INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)'
                  ' VALUES (%L, %L, %L, %L, %L, 100)', id, '119001000411', 'PAE-ID-2025',
                  'a4000000-0000-4000-8000-000000000001', fecha) $$;
CREATE FUNCTION pg_temp.cuenta() RETURNS text LANGUAGE sql AS $$
    SELECT (SELECT count(*) FROM pae.visitas) || ' visitas, ' || (SELECT count(*) FROM pae.visitas_id) || ' ids' $$;

SELECT lives_ok(pg_temp.ins('b4000000-0000-4000-8000-000000000001', '2025-03-10 09:00-05'),
                'a visit in March');
SELECT is((SELECT tableoid::regclass::text FROM pae.visitas WHERE id = 'b4000000-0000-4000-8000-000000000001'),
          'pae.visitas_p2025_03', 'it is stored in the March partition');
SELECT throws_ok(pg_temp.ins('b4000000-0000-4000-8000-000000000001', '2025-05-20 09:00-05'), 'PV008',
                 'ya existe una visita con id b4000000-0000-4000-8000-000000000001',
                 'the same id in May (another partition) is PV008 with the Spanish message');
SELECT is(pg_temp.cuenta(), '1 visitas, 1 ids', 'the reused id stored nothing');
SELECT throws_ok(pg_temp.ins('b4000000-0000-4000-8000-000000000001', '2025-03-12 09:00-05'), 'PV008', NULL,
                 'the same id on another day of March (same partition, other fecha_visita) is PV008');
SELECT throws_ok(pg_temp.ins('b4000000-0000-4000-8000-000000000001', '2025-03-10 09:00-05'), 'PV008', NULL,
                 'the same id with the very same fecha_visita is PV008');
SELECT is(pg_temp.cuenta(), '1 visitas, 1 ids', 'the reused ids stored nothing');
SELECT throws_ok($$INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)
                   VALUES ('b4000000-0000-4000-8000-000000000002', '119001000411', 'PAE-ID-2025',
                           'a4000000-0000-4000-8000-000000000001', '2025-07-01 09:00-05', 100),
                          ('b4000000-0000-4000-8000-000000000002', '119001000411', 'PAE-ID-2025',
                           'a4000000-0000-4000-8000-000000000001', '2025-08-01 09:00-05', 100)$$,
                 'PV008', NULL, 'one statement inserting one new id in two months is PV008');
SELECT is(pg_temp.cuenta(), '1 visitas, 1 ids', 'and the statement left nothing, not even its first row');

-- moving a programada visit to another month keeps the registry exact
SELECT lives_ok($$UPDATE pae.visitas SET fecha_visita = '2025-05-20 09:00-05'
                   WHERE id = 'b4000000-0000-4000-8000-000000000001'$$,
                'reprogramming the March visit to May');
SELECT is((SELECT tableoid::regclass::text FROM pae.visitas WHERE id = 'b4000000-0000-4000-8000-000000000001'),
          'pae.visitas_p2025_05', 'the visit moved to the May partition');
SELECT ok((SELECT r.fecha_visita = '2025-05-20 09:00-05' FROM pae.visitas_id r
            WHERE r.id = 'b4000000-0000-4000-8000-000000000001'),
          'pae.visitas_id follows the visit''s new fecha_visita');
SELECT is(pg_temp.cuenta(), '1 visitas, 1 ids', 'moving it neither duplicated nor lost the id');
SELECT throws_ok(pg_temp.ins('b4000000-0000-4000-8000-000000000001', '2025-03-10 09:00-05'), 'PV008', NULL,
                 'its id is still taken in its old month');

-- deleting
SELECT lives_ok($$DELETE FROM pae.visitas WHERE id = 'b4000000-0000-4000-8000-000000000001'$$,
                'a programada visit can be deleted (a planning mistake)');
SELECT is(pg_temp.cuenta(), '0 visitas, 0 ids', 'deleting it removed the visit and freed its id');
SELECT lives_ok(pg_temp.ins('b4000000-0000-4000-8000-000000000001', '2025-09-15 09:00-05'),
                'the freed id can be used again, in yet another month');
SELECT is(pg_temp.cuenta(), '1 visitas, 1 ids', 'the reused id is registered once');

SELECT is((SELECT estado::text FROM pae.transicion('b4000000-0000-4000-8000-000000000001', 'en_curso',
                                                   NULL, 2.4449, -76.6147, 10)),
          'en_curso', 'the visit is started (check-in)');
SELECT throws_ok($$DELETE FROM pae.visitas WHERE id = 'b4000000-0000-4000-8000-000000000001'$$, 'PV002',
                 'no se puede borrar la visita b4000000-0000-4000-8000-000000000001 en estado en_curso',
                 'deleting an en_curso visit is PV002 with the Spanish message');
SELECT is(pg_temp.cuenta(), '1 visitas, 1 ids', 'the refused delete kept the visit and its id');
SELECT is((SELECT estado::text FROM pae.transicion('b4000000-0000-4000-8000-000000000001', 'cancelada', 'error')),
          'cancelada', 'the visit is cancelled');
SELECT throws_ok($$DELETE FROM pae.visitas WHERE id = 'b4000000-0000-4000-8000-000000000001'$$, 'PV002', NULL,
                 'deleting a cancelled visit is PV002');
SELECT throws_ok(pg_temp.ins('b4000000-0000-4000-8000-000000000001', '2025-10-15 09:00-05'), 'PV008', NULL,
                 'a cancelled visit keeps its id');
SELECT is(pg_temp.cuenta(), '1 visitas, 1 ids', 'still one visit, one id');

-- born programada: an identified visitador cannot insert a visit en_curso
SET LOCAL ROLE pae_visitador;
DO $$ BEGIN PERFORM set_config('request.jwt.claims',
    json_build_object('sub', 'a4000000-0000-4000-8000-000000000001', 'role', 'pae_visitador')::text, true); END $$;
SELECT throws_ok($$INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas,
                                            estado, checkin_lat, checkin_lon)
                   VALUES ('b4000000-0000-4000-8000-000000000003', '119001000411', 'PAE-ID-2025',
                           'a4000000-0000-4000-8000-000000000001', '2025-06-10 09:00-05', 100,
                           'en_curso', 2.4448, -76.6147)$$,
                 'PV002', 'una visita nueva debe crearse en estado programada, no en_curso',
                 'an identified visitador inserting a visit already en_curso gets PV002 with the Spanish message');
SELECT throws_ok($$INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas, estado)
                   VALUES ('b4000000-0000-4000-8000-000000000004', '119001000411', 'PAE-ID-2025',
                           'a4000000-0000-4000-8000-000000000001', '2025-06-11 09:00-05', 100, 'aprobada')$$,
                 'PV002', NULL, 'nor already aprobada (PV002)');
SELECT lives_ok($$INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)
                  VALUES ('b4000000-0000-4000-8000-000000000005', '119001000411', 'PAE-ID-2025',
                          'a4000000-0000-4000-8000-000000000001', '2025-06-12 09:00-05', 100)$$,
                'the same visitador may insert a programada visit');
RESET ROLE;
DO $$ BEGIN PERFORM set_config('request.jwt.claims', '', true); END $$;
SELECT is(pg_temp.cuenta(), '2 visitas, 2 ids', 'the refused en_curso and aprobada inserts stored nothing');
SELECT is((SELECT count(*) FROM pae.visitas_id
            WHERE id IN ('b4000000-0000-4000-8000-000000000003', 'b4000000-0000-4000-8000-000000000004')),
          0::bigint, 'the refused inserts did not claim their ids');

SELECT * FROM finish();
ROLLBACK;
