-- PV008, one visit a day (SPEC §5): no second non-cancelled visit to the
-- same sede by the same visitador on the same day of the Colombian calendar
-- (America/Bogota, UTC-5), whatever the session's time zone.  Another day,
-- another visitador, another sede, or a first visit that was cancelled, are
-- all fine.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
BEGIN;
SELECT plan(22);
-- a session far from Colombia: the rule must not depend on it
SET LOCAL TimeZone = 'Asia/Tokyo';

INSERT INTO pae.sedes (codigo, nombre, municipio, ubicacion)
VALUES ('119001000311', 'Sede duplicadas A', '19001', 'SRID=4326;POINT(-76.6147 2.4448)'),
       ('119001000312', 'Sede duplicadas B', '19001', 'SRID=4326;POINT(-76.6000 2.4500)');
INSERT INTO pae.operadores (nit, nombre) VALUES ('900323456', 'Operador Duplicadas SAS');
INSERT INTO pae.contratos (numero, operador, vigencia, raciones_dia)
VALUES ('PAE-DU-2025', '900323456', '[2025-01-01,2026-01-01)', 150);
INSERT INTO pae.contrato_sedes (contrato, sede) VALUES ('PAE-DU-2025', '119001000311'), ('PAE-DU-2025', '119001000312');
INSERT INTO pae.usuarios (id, correo, nombre, rol)
VALUES ('a3000000-0000-4000-8000-000000000001', 'v1.du@example.org', 'Visitador Uno', 'visitador'),
       ('a3000000-0000-4000-8000-000000000002', 'v2.du@example.org', 'Visitadora Dos', 'visitador');

CREATE FUNCTION pg_temp.ins(n integer, sede text, visitador integer, fecha timestamptz) RETURNS text
LANGUAGE sql AS $$
    SELECT format('INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)'
                  ' VALUES (%L, %L, %L, %L, %L, 150)',
                  format('b3000000-0000-4000-8000-%s', lpad(n::text, 12, '0')), sede, 'PAE-DU-2025',
                  format('a3000000-0000-4000-8000-%s', lpad(visitador::text, 12, '0')), fecha) $$;
CREATE FUNCTION pg_temp.cuenta() RETURNS text LANGUAGE sql AS $$
    SELECT (SELECT count(*) FROM pae.visitas) || ' visitas, ' || (SELECT count(*) FROM pae.visitas_id) || ' ids' $$;

SELECT lives_ok(pg_temp.ins(1, '119001000311', 1, '2025-03-10 09:00-05'),
                'first visit of visitador 1 to sede A on 2025-03-10');
SELECT throws_ok(pg_temp.ins(2, '119001000311', 1, '2025-03-10 15:00-05'), 'PV008',
                 'visita duplicada: el visitador ya tiene una visita a la sede "119001000311" ese día',
                 'a second visit the same afternoon is PV008 with the Spanish message');
SELECT is(pg_temp.cuenta(), '1 visitas, 1 ids', 'the duplicate stored nothing');
SELECT throws_ok(pg_temp.ins(3, '119001000311', 1, '2025-03-10 23:30-05'), 'PV008', NULL,
                 '23:30 in Colombia is still the same day (already the 11th in UTC): PV008');
SELECT throws_ok(pg_temp.ins(4, '119001000311', 1, '2025-03-10 00:00-05'), 'PV008', NULL,
                 'midnight opening the same Colombian day: PV008');
SELECT is(pg_temp.cuenta(), '1 visitas, 1 ids', 'the duplicates stored nothing');

SELECT lives_ok(pg_temp.ins(5, '119001000311', 1, '2025-03-11 00:10-05'),
                'the next Colombian day is fine');
SELECT lives_ok(pg_temp.ins(6, '119001000311', 1, '2025-03-09 23:50-05'),
                'the previous Colombian day is fine (same UTC day as the 10th)');
SELECT lives_ok(pg_temp.ins(7, '119001000311', 2, '2025-03-10 15:00-05'),
                'another visitador to the same sede the same day is fine');
SELECT lives_ok(pg_temp.ins(8, '119001000312', 1, '2025-03-10 15:00-05'),
                'the same visitador to another sede the same day is fine');
SELECT is(pg_temp.cuenta(), '5 visitas, 5 ids', 'four more visits stored');

-- a cancelled visit does not count
SELECT is((SELECT estado::text FROM pae.transicion('b3000000-0000-4000-8000-000000000001', 'cancelada', 'lluvia')),
          'cancelada', 'the first visit of the 10th is cancelled');
SELECT lives_ok(pg_temp.ins(9, '119001000311', 1, '2025-03-10 16:00-05'),
                'after cancelling it, a new visit that day is fine');
SELECT throws_ok(pg_temp.ins(10, '119001000311', 1, '2025-03-10 17:00-05'), 'PV008', NULL,
                 'but only one: a third visit that day is PV008 again');
SELECT lives_ok($$INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas, estado)
                  VALUES ('b3000000-0000-4000-8000-000000000011', '119001000311', 'PAE-DU-2025',
                          'a3000000-0000-4000-8000-000000000001', '2025-03-10 18:00-05', 150, 'cancelada')$$,
                'a visit loaded already cancelled (privileged load) does not collide');

-- reprogramming into an occupied day
SELECT throws_ok($$UPDATE pae.visitas SET fecha_visita = '2025-03-10 20:00-05'
                    WHERE id = 'b3000000-0000-4000-8000-000000000005'$$, 'PV008', NULL,
                 'moving a visit onto a day the visitador already visits the sede is PV008');
SELECT ok((SELECT fecha_visita = '2025-03-11 00:10-05' AND version = 1 FROM pae.visitas
            WHERE id = 'b3000000-0000-4000-8000-000000000005'),
          'the refused move left the visit where it was');
SELECT throws_ok($$UPDATE pae.visitas SET visitador = 'a3000000-0000-4000-8000-000000000002'
                    WHERE id = 'b3000000-0000-4000-8000-000000000009'$$, 'PV008', NULL,
                 'reassigning a visit to a visitador who already visits that sede that day is PV008');
SELECT throws_ok($$UPDATE pae.visitas SET sede = '119001000312'
                    WHERE id = 'b3000000-0000-4000-8000-000000000009'$$, 'PV008', NULL,
                 'moving a visit to a sede the visitador already visits that day is PV008');
SELECT lives_ok($$UPDATE pae.visitas SET fecha_visita = '2025-03-10 10:00-05'
                   WHERE id = 'b3000000-0000-4000-8000-000000000009'$$,
                'moving a visit within its own day is fine (it does not collide with itself)');
SELECT is(pg_temp.cuenta(), '7 visitas, 7 ids', 'in the end: 7 visits, 7 ids');
SELECT is((SELECT count(*) FROM pae.visitas
            WHERE sede = '119001000311' AND visitador = 'a3000000-0000-4000-8000-000000000001'
              AND estado <> 'cancelada'
              AND (fecha_visita AT TIME ZONE 'America/Bogota')::date = '2025-03-10'),
          1::bigint, 'at most one non-cancelled visit of visitador 1 to sede A on 2025-03-10');

SELECT * FROM finish();
ROLLBACK;
