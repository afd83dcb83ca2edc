-- Visit validation, captures and times (SPEC §5, §11): check-in and
-- check-out coordinates that are NaN, infinite, out of range or only half
-- given, and GPS precisions that are negative or over 5,000 m, are PV005;
-- a check-in or check-out more than 10 minutes in the future, a check-out
-- before the check-in and a check-out without check-in are PV006; negative
-- rations are 23514.  Each refused write leaves the visit as it was.  The
-- session is the postgres superuser without identity, which may edit the
-- capture columns of a programada visit directly.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
BEGIN;
SELECT plan(46);

INSERT INTO pae.sedes (codigo, nombre, municipio, ubicacion)
VALUES ('119001000211', 'Sede capturas', '19001', 'SRID=4326;POINT(-76.6147 2.4448)');
INSERT INTO pae.operadores (nit, nombre) VALUES ('900223456-1', 'Operador Capturas SAS');
INSERT INTO pae.contratos (numero, operador, vigencia, raciones_dia)
VALUES ('PAE-CT-2025', '900223456-1', '[2025-01-01,2026-01-01)', 200);
INSERT INTO pae.contrato_sedes (contrato, sede) VALUES ('PAE-CT-2025', '119001000211');
INSERT INTO pae.usuarios (id, correo, nombre, rol)
VALUES ('a2000000-0000-4000-8000-000000000001', 'visitador.ct@example.org', 'Visitador CT', 'visitador');
INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)
VALUES ('b2000000-0000-4000-8000-000000000001', '119001000211', 'PAE-CT-2025',
        'a2000000-0000-4000-8000-000000000001', '2025-06-10 09:00-05', 200);

-- the visit is untouched: no capture, version 1
CREATE FUNCTION pg_temp.intacta() RETURNS boolean LANGUAGE sql AS $$
    SELECT count(*) = 1 AND bool_and(checkin_lat IS NULL AND checkin_lon IS NULL AND checkin_precision_m IS NULL
                                     AND checkin_en IS NULL AND checkout_lat IS NULL AND checkout_lon IS NULL
                                     AND checkout_precision_m IS NULL AND checkout_en IS NULL
                                     AND raciones_entregadas IS NULL AND version = 1)
      FROM pae.visitas WHERE id = 'b2000000-0000-4000-8000-000000000001'
       AND (SELECT count(*) FROM pae.visitas) = 1 AND (SELECT count(*) FROM pae.visitas_id) = 1 $$;
CREATE FUNCTION pg_temp.upd(cambio text) RETURNS text LANGUAGE sql AS $$
    SELECT format('UPDATE pae.visitas SET %s WHERE id = %L', cambio, 'b2000000-0000-4000-8000-000000000001') $$;

SELECT ok(pg_temp.intacta(), 'a new visit stores no capture, is version 1 and registers one id');

-- PV005: check-in coordinates
SELECT throws_ok(pg_temp.upd('checkin_lat = ''NaN'', checkin_lon = -76.6147'), 'PV005',
                 'coordenadas inválidas en el check-in: (NaN, -76.6147)',
                 'check-in lat NaN is PV005 with the Spanish message');
SELECT throws_ok(pg_temp.upd('checkin_lat = 2.4448, checkin_lon = ''NaN'''), 'PV005', NULL,
                 'check-in lon NaN is PV005');
SELECT throws_ok(pg_temp.upd('checkin_lat = ''Infinity'', checkin_lon = -76.6147'), 'PV005', NULL,
                 'check-in lat +Infinity is PV005');
SELECT throws_ok(pg_temp.upd('checkin_lat = 2.4448, checkin_lon = ''-Infinity'''), 'PV005', NULL,
                 'check-in lon -Infinity is PV005');
SELECT throws_ok(pg_temp.upd('checkin_lat = 90.5, checkin_lon = -76.6147'), 'PV005', NULL,
                 'check-in lat > 90 is PV005');
SELECT throws_ok(pg_temp.upd('checkin_lat = -91, checkin_lon = -76.6147'), 'PV005', NULL,
                 'check-in lat < -90 is PV005');
SELECT throws_ok(pg_temp.upd('checkin_lat = 2.4448, checkin_lon = -180.5'), 'PV005', NULL,
                 'check-in lon < -180 is PV005');
SELECT throws_ok(pg_temp.upd('checkin_lat = 2.4448, checkin_lon = 181'), 'PV005', NULL,
                 'check-in lon > 180 is PV005');
SELECT throws_ok(pg_temp.upd('checkin_lat = 2.4448'), 'PV005', 'coordenadas incompletas en el check-in',
                 'check-in latitude without longitude is PV005 with the Spanish message');
SELECT throws_ok(pg_temp.upd('checkin_lon = -76.6147'), 'PV005', NULL,
                 'check-in longitude without latitude is PV005');
-- PV005: precision
SELECT throws_ok(pg_temp.upd('checkin_lat = 2.4448, checkin_lon = -76.6147, checkin_precision_m = -1'), 'PV005',
                 'precisión de GPS inválida en el check-in: -1 m',
                 'check-in precision negative is PV005 with the Spanish message');
SELECT throws_ok(pg_temp.upd('checkin_lat = 2.4448, checkin_lon = -76.6147, checkin_precision_m = 5000.5'), 'PV005', NULL,
                 'check-in precision over 5000 m is PV005');
SELECT throws_ok(pg_temp.upd('checkin_lat = 2.4448, checkin_lon = -76.6147, checkin_precision_m = ''NaN'''), 'PV005', NULL,
                 'check-in precision NaN is PV005');
SELECT throws_ok(pg_temp.upd('checkin_precision_m = -0.5'), 'PV005', NULL,
                 'a negative precision is PV005 even without coordinates');
-- PV005: check-out
SELECT throws_ok(pg_temp.upd('checkout_lat = ''NaN'', checkout_lon = -76.6147'), 'PV005', NULL,
                 'check-out lat NaN is PV005');
SELECT throws_ok(pg_temp.upd('checkout_lat = 2.4448, checkout_lon = 200'), 'PV005', NULL,
                 'check-out lon out of range is PV005');
SELECT throws_ok(pg_temp.upd('checkout_lon = -76.6147'), 'PV005', 'coordenadas incompletas en el check-out',
                 'check-out longitude without latitude is PV005');
SELECT throws_ok(pg_temp.upd('checkout_precision_m = 9999'), 'PV005', NULL,
                 'check-out precision over 5000 m is PV005');
SELECT ok(pg_temp.intacta(), 'after every refused capture the visit is unchanged');

-- PV005 on INSERT too
SELECT throws_ok($$INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, checkin_lat, checkin_lon)
                   VALUES ('b2000000-0000-4000-8000-000000000002', '119001000211', 'PAE-CT-2025',
                           'a2000000-0000-4000-8000-000000000001', '2025-06-11 09:00-05', 'NaN', -76.6)$$,
                 'PV005', NULL, 'an INSERT with a NaN check-in is PV005');
SELECT throws_ok($$INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, checkin_precision_m)
                   VALUES ('b2000000-0000-4000-8000-000000000002', '119001000211', 'PAE-CT-2025',
                           'a2000000-0000-4000-8000-000000000001', '2025-06-11 09:00-05', -3)$$,
                 'PV005', NULL, 'an INSERT with a negative precision is PV005');
SELECT ok(pg_temp.intacta(), 'refused INSERTs stored nothing');

-- valid captures are accepted and evaluated
SELECT lives_ok(pg_temp.upd('checkin_lat = 2.4450, checkin_lon = -76.6147, checkin_precision_m = 5000'),
                'a valid check-in with precision 5000 m is accepted');
SELECT is((SELECT row(dentro_geocerca, round(distancia_m::numeric, 1))::text FROM pae.visitas
            WHERE id = 'b2000000-0000-4000-8000-000000000001'),
          (SELECT row(true, round(ST_Distance('SRID=4326;POINT(-76.6147 2.4448)'::geography,
                                              'SRID=4326;POINT(-76.6147 2.4450)'::geography)::numeric, 1))::text),
          'the check-in''s fence was evaluated and stored: inside, at its distance from the sede');
SELECT lives_ok(pg_temp.upd('checkin_lat = NULL, checkin_lon = NULL, checkin_precision_m = NULL'),
                'the capture can be cleared while programada');
SELECT ok((SELECT distancia_m IS NULL AND dentro_geocerca IS NULL FROM pae.visitas
            WHERE id = 'b2000000-0000-4000-8000-000000000001'),
          'clearing the capture clears its fence result');

-- PV006: times
SELECT throws_ok(pg_temp.upd('checkin_en = now() + interval ''1 hour'''), 'PV006', NULL,
                 'a check-in one hour in the future is PV006');
SELECT throws_ok(pg_temp.upd('checkin_en = clock_timestamp() + interval ''11 minutes'''), 'PV006', NULL,
                 'a check-in 11 minutes in the future is PV006');
SELECT throws_ok(pg_temp.upd('checkin_en = now() - interval ''1 hour'', checkout_en = now() + interval ''1 day'''),
                 'PV006', NULL, 'a check-out a day in the future is PV006');
SELECT throws_ok(pg_temp.upd('checkin_en = ''2025-06-10 10:00-05'', checkout_en = ''2025-06-10 09:59-05'''),
                 'PV006', 'check-out anterior al check-in',
                 'a check-out before the check-in is PV006 with the Spanish message');
SELECT throws_ok(pg_temp.upd('checkout_en = ''2025-06-10 11:00-05'''), 'PV006', 'check-out sin check-in',
                 'a check-out without check-in is PV006 with the Spanish message');
SELECT throws_ok($$INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, checkin_en)
                   VALUES ('b2000000-0000-4000-8000-000000000003', '119001000211', 'PAE-CT-2025',
                           'a2000000-0000-4000-8000-000000000001', '2025-06-12 09:00-05', now() + interval '2 hours')$$,
                 'PV006', NULL, 'an INSERT with a check-in in the future is PV006');
SELECT ok((SELECT checkin_en IS NULL AND checkout_en IS NULL AND version = 3
             FROM pae.visitas WHERE id = 'b2000000-0000-4000-8000-000000000001')
          AND (SELECT count(*) FROM pae.visitas) = 1 AND (SELECT count(*) FROM pae.visitas_id) = 1,
          'after every refused time nothing changed (still version 3: two accepted captures) or was added');
SELECT lives_ok(pg_temp.upd('checkin_en = clock_timestamp() + interval ''5 minutes'''),
                'a check-in 5 minutes ahead (clock skew within 10 minutes) is accepted');
SELECT lives_ok(pg_temp.upd('checkin_en = ''2025-06-10 10:00-05'', checkout_en = ''2025-06-10 10:00-05'''),
                'a check-out at the very time of the check-in is accepted');
SELECT lives_ok(pg_temp.upd('checkin_en = ''2025-06-10 10:00-05'', checkout_en = ''2025-06-10 11:30-05'''),
                'a check-out after the check-in is accepted');
SELECT throws_ok(pg_temp.upd('checkin_en = NULL'), 'PV006', NULL,
                 'removing the check-in while a check-out remains is PV006');
SELECT throws_ok(pg_temp.upd('checkin_en = ''2025-06-10 12:00-05'''), 'PV006', NULL,
                 'moving the check-in after the existing check-out is PV006');
SELECT is((SELECT row(checkin_en = '2025-06-10 10:00-05', checkout_en = '2025-06-10 11:30-05')::text
             FROM pae.visitas WHERE id = 'b2000000-0000-4000-8000-000000000001'),
          '(t,t)', 'the refused time changes left the stored times as they were');

-- rations
SELECT throws_ok(pg_temp.upd('raciones_entregadas = -1'), '23514', NULL,
                 'negative raciones_entregadas is 23514');
SELECT throws_ok(pg_temp.upd('raciones_programadas = -5'), '23514', NULL,
                 'negative raciones_programadas is 23514');
SELECT throws_ok($$INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)
                   VALUES ('b2000000-0000-4000-8000-000000000004', '119001000211', 'PAE-CT-2025',
                           'a2000000-0000-4000-8000-000000000001', '2025-06-13 09:00-05', -1)$$,
                 '23514', NULL, 'an INSERT with negative raciones_programadas is 23514');
SELECT lives_ok(pg_temp.upd('raciones_entregadas = 0'), 'zero rations delivered is accepted');
SELECT is((SELECT row(raciones_programadas, raciones_entregadas)::text
             FROM pae.visitas WHERE id = 'b2000000-0000-4000-8000-000000000001'),
          '(200,0)', 'rations as accepted');
SELECT is((SELECT count(*) FROM pae.visitas) + (SELECT count(*) FROM pae.visitas_id), 2::bigint,
          'in the end one visit and one id: no refused INSERT left anything');

SELECT * FROM finish();
ROLLBACK;
