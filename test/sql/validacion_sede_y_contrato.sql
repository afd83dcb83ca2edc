-- Visit validation, sede and contract (SPEC §3, §5): an INSERT naming only
-- the contract columns works and starts programada at version 1; an unknown
-- or inactive sede, an unknown contract, a contract that does not cover the
-- sede, and a fecha_visita outside the vigencia (Colombian calendar) are all
-- PV004, on INSERT and on UPDATE, and leave nothing behind.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
BEGIN;
SELECT plan(37);

-- fixture: two sedes covered by the contract (one inactive), one not covered
INSERT INTO pae.instituciones (codigo, nombre, municipio)
VALUES ('119001000101', 'IE Validación Sede', '19001');
INSERT INTO pae.sedes (codigo, nombre, institucion, municipio, zona, ubicacion, activa)
VALUES ('119001000111', 'Sede activa', '119001000101', '19001', 'urbana', 'SRID=4326;POINT(-76.6147 2.4448)', true),
       ('119001000112', 'Sede inactiva', '119001000101', '19001', 'urbana', 'SRID=4326;POINT(-76.6100 2.4400)', false),
       ('119001000113', 'Sede sin contrato', '119001000101', '19001', 'rural', 'SRID=4326;POINT(-76.6000 2.4300)', true);
INSERT INTO pae.operadores (nit, nombre) VALUES ('900123456-7', 'Operador Validación SAS');
INSERT INTO pae.contratos (numero, operador, vigencia, raciones_dia)
VALUES ('PAE-VS-2025', '900123456-7', '[2025-01-01,2026-01-01)', 320);
INSERT INTO pae.contrato_sedes (contrato, sede)
VALUES ('PAE-VS-2025', '119001000111'), ('PAE-VS-2025', '119001000112');
INSERT INTO pae.usuarios (id, correo, nombre, rol)
VALUES ('a1000000-0000-4000-8000-000000000001', 'visitador.vs@example.org', 'Visitadora VS', 'visitador'),
       ('a1000000-0000-4000-8000-000000000002', 'supervisor.vs@example.org', 'Supervisor VS', 'supervisor');

-- the contract-column INSERT
SELECT lives_ok($$INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)
                  VALUES ('b1000000-0000-4000-8000-000000000001', '119001000111', 'PAE-VS-2025',
                          'a1000000-0000-4000-8000-000000000001', '2025-03-10 09:00-05', 300)$$,
                'an INSERT naming only id, sede, contrato, visitador, fecha_visita, raciones_programadas works');
SELECT is((SELECT estado::text FROM pae.visitas WHERE id = 'b1000000-0000-4000-8000-000000000001'),
          'programada', 'a new visit starts programada');
SELECT is((SELECT version FROM pae.visitas WHERE id = 'b1000000-0000-4000-8000-000000000001'),
          1, 'a new visit starts at version 1');
SELECT is((SELECT raciones_programadas FROM pae.visitas WHERE id = 'b1000000-0000-4000-8000-000000000001'),
          300, 'raciones_programadas is kept as given');
SELECT ok((SELECT checkin_lat IS NULL AND distancia_m IS NULL AND dentro_geocerca IS NULL
                  AND creada_en IS NOT NULL AND actualizada_en IS NOT NULL
             FROM pae.visitas WHERE id = 'b1000000-0000-4000-8000-000000000001'),
          'a new visit has no capture and has its timestamps');
SELECT is((SELECT count(*) FROM pae.visitas_id WHERE id = 'b1000000-0000-4000-8000-000000000001'),
          1::bigint, 'the new visit''s id is registered in pae.visitas_id');
SELECT lives_ok($$INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita)
                  VALUES ('b1000000-0000-4000-8000-000000000002', '119001000111', 'PAE-VS-2025',
                          'a1000000-0000-4000-8000-000000000001', '2025-03-11 09:00-05')$$,
                'raciones_programadas may be left out');
SELECT is((SELECT raciones_programadas FROM pae.visitas WHERE id = 'b1000000-0000-4000-8000-000000000002'),
          320, 'left out, raciones_programadas comes from the contract''s raciones_dia');
SELECT lives_ok($$INSERT INTO pae.visitas (sede, contrato, visitador, fecha_visita)
                  VALUES ('119001000111', 'PAE-VS-2025', 'a1000000-0000-4000-8000-000000000001', '2025-03-12 09:00-05')$$,
                'without an id the visit gets a generated one');

CREATE TEMP TABLE antes ON COMMIT DROP AS
SELECT (SELECT count(*) FROM pae.visitas) AS visitas, (SELECT count(*) FROM pae.visitas_id) AS ids;
CREATE FUNCTION pg_temp.nada_guardado() RETURNS boolean LANGUAGE sql AS $$
    SELECT (SELECT count(*) FROM pae.visitas) = a.visitas AND (SELECT count(*) FROM pae.visitas_id) = a.ids
      FROM antes a $$;

-- PV004 on INSERT
SELECT throws_ok($$INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)
                   VALUES ('b1000000-0000-4000-8000-000000000010', '119001009999', 'PAE-VS-2025',
                           'a1000000-0000-4000-8000-000000000001', '2025-04-01 09:00-05', 300)$$,
                 'PV004', 'sede desconocida: "119001009999"', 'unknown sede is PV004 with the Spanish message');
SELECT ok(pg_temp.nada_guardado(), 'unknown sede: nothing stored');
SELECT throws_ok($$INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)
                   VALUES ('b1000000-0000-4000-8000-000000000011', '119001000112', 'PAE-VS-2025',
                           'a1000000-0000-4000-8000-000000000001', '2025-04-01 09:00-05', 300)$$,
                 'PV004', 'la sede "119001000112" está inactiva', 'inactive sede is PV004 with the Spanish message');
SELECT ok(pg_temp.nada_guardado(), 'inactive sede: nothing stored');
SELECT throws_ok($$INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)
                   VALUES ('b1000000-0000-4000-8000-000000000012', '119001000111', 'PAE-NO-EXISTE',
                           'a1000000-0000-4000-8000-000000000001', '2025-04-01 09:00-05', 300)$$,
                 'PV004', 'contrato desconocido: "PAE-NO-EXISTE"', 'unknown contract is PV004 with the Spanish message');
SELECT ok(pg_temp.nada_guardado(), 'unknown contract: nothing stored');
SELECT throws_ok($$INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)
                   VALUES ('b1000000-0000-4000-8000-000000000013', '119001000113', 'PAE-VS-2025',
                           'a1000000-0000-4000-8000-000000000001', '2025-04-01 09:00-05', 300)$$,
                 'PV004', 'el contrato "PAE-VS-2025" no cubre la sede "119001000113"',
                 'a contract that does not cover the sede is PV004 with the Spanish message');
SELECT ok(pg_temp.nada_guardado(), 'contract not covering the sede: nothing stored');
SELECT throws_ok($$INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)
                   VALUES ('b1000000-0000-4000-8000-000000000014', '119001000111', 'PAE-VS-2025',
                           'a1000000-0000-4000-8000-000000000001', '2026-02-02 09:00-05', 300)$$,
                 'PV004', 'la fecha de la visita está fuera de la vigencia del contrato "PAE-VS-2025"',
                 'fecha_visita after the vigencia is PV004 with the Spanish message');
SELECT ok(pg_temp.nada_guardado(), 'fecha_visita after the vigencia: nothing stored');
SELECT throws_ok($$INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)
                   VALUES ('b1000000-0000-4000-8000-000000000015', '119001000111', 'PAE-VS-2025',
                           'a1000000-0000-4000-8000-000000000001', '2024-12-31 23:59-05', 300)$$,
                 'PV004', NULL,
                 'the last minute before the vigencia in Colombia (already 2025 in UTC) is PV004');
SELECT ok(pg_temp.nada_guardado(), 'fecha_visita before the vigencia: nothing stored');
SELECT throws_ok($$INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)
                   VALUES ('b1000000-0000-4000-8000-000000000016', '119001000111', 'PAE-VS-2025',
                           'a1000000-0000-4000-8000-000000000001', '2026-01-01 00:00-05', 300)$$,
                 'PV004', NULL, 'the vigencia''s exclusive upper bound (2026-01-01 in Colombia) is PV004');
SELECT ok(pg_temp.nada_guardado(), 'fecha_visita at the upper bound: nothing stored');
SELECT lives_ok($$INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)
                  VALUES ('b1000000-0000-4000-8000-000000000017', '119001000111', 'PAE-VS-2025',
                          'a1000000-0000-4000-8000-000000000001', '2025-12-31 23:59-05', 300)$$,
                'the last minute of the vigencia in Colombia (already 2026 in UTC) is accepted');
SELECT lives_ok($$INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)
                  VALUES ('b1000000-0000-4000-8000-000000000018', '119001000111', 'PAE-VS-2025',
                          'a1000000-0000-4000-8000-000000000001', '2025-01-01 00:00-05', 300)$$,
                'the first minute of the vigencia in Colombia is accepted');
SELECT throws_ok($$INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)
                   VALUES ('b1000000-0000-4000-8000-000000000019', '119001000111', 'PAE-VS-2025',
                           'a1000000-0000-4000-8000-000000000002', '2025-04-01 09:00-05', 300)$$,
                 '23514', NULL, 'a visit assigned to a supervisor (not a visitador) is refused (23514)');
SELECT throws_ok($$INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)
                   VALUES ('b1000000-0000-4000-8000-000000000019', '119001000111', 'PAE-VS-2025',
                           'a1000000-0000-4000-8000-0000000000ff', '2025-04-01 09:00-05', 300)$$,
                 '23503', NULL, 'a visit assigned to an unknown user is refused (23503)');
UPDATE antes SET visitas = visitas + 2, ids = ids + 2;
SELECT ok(pg_temp.nada_guardado(), 'after all refused INSERTs only the two accepted visits were added');

-- PV004 on UPDATE (reprogramming a programada visit)
SELECT throws_ok($$UPDATE pae.visitas SET sede = '119001000112' WHERE id = 'b1000000-0000-4000-8000-000000000001'$$,
                 'PV004', NULL, 'reprogramming to an inactive sede is PV004');
SELECT throws_ok($$UPDATE pae.visitas SET sede = '119001000113' WHERE id = 'b1000000-0000-4000-8000-000000000001'$$,
                 'PV004', NULL, 'reprogramming to a sede the contract does not cover is PV004');
SELECT throws_ok($$UPDATE pae.visitas SET fecha_visita = '2026-03-10 09:00-05' WHERE id = 'b1000000-0000-4000-8000-000000000001'$$,
                 'PV004', NULL, 'reprogramming outside the vigencia is PV004');
SELECT throws_ok($$UPDATE pae.visitas SET contrato = 'PAE-NO-EXISTE' WHERE id = 'b1000000-0000-4000-8000-000000000001'$$,
                 'PV004', NULL, 'reprogramming to an unknown contract is PV004');
SELECT is((SELECT row(sede, contrato, fecha_visita = '2025-03-10 09:00-05', version)::text
             FROM pae.visitas WHERE id = 'b1000000-0000-4000-8000-000000000001'),
          '(119001000111,PAE-VS-2025,t,1)', 'after the refused UPDATEs the visit is unchanged');
SELECT ok(pg_temp.nada_guardado(), 'after the refused UPDATEs no row was added or lost');

-- a sede that becomes inactive later takes no new visits, but the visits it
-- already has can still be cancelled
UPDATE pae.sedes SET activa = false WHERE codigo = '119001000111';
SELECT is((SELECT estado::text FROM pae.transicion('b1000000-0000-4000-8000-000000000001', 'cancelada',
                                                   'la sede cerró')),
          'cancelada', 'a visit of a sede deactivated since can still be cancelled');
SELECT throws_ok($$INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)
                   VALUES ('b1000000-0000-4000-8000-00000000001a', '119001000111', 'PAE-VS-2025',
                           'a1000000-0000-4000-8000-000000000001', '2025-05-05 09:00-05', 300)$$,
                 'PV004', NULL, 'a deactivated sede takes no new visits');
SELECT ok(pg_temp.nada_guardado(), 'deactivated sede: nothing stored');

SELECT * FROM finish();
ROLLBACK;
