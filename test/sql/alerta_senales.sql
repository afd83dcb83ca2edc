-- Alerts of SPEC §5: fuera_geocerca, viaje_imposible, raciones_faltantes,
-- duracion_sospechosa, foto_reutilizada.  Each is recorded, none blocks the
-- move.  Requests are made as PostgREST makes them (PATCH = plain UPDATE).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(30);
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/intentar.sql

-- check-in through a PATCH with the device's time
CREATE FUNCTION pg_temp.checkin(p_visita text, p_lat float8, p_lon float8, p_en timestamptz, quien text DEFAULT 'visitador') RETURNS text LANGUAGE sql AS $$
    SELECT pg_temp.intentar(quien, format($q$UPDATE pae.visitas SET estado = 'en_curso', checkin_lat = %s, checkin_lon = %s, checkin_precision_m = 8, checkin_en = %L
                                          WHERE id = %L$q$, p_lat, p_lon, p_en, p_visita))
$$;
CREATE FUNCTION pg_temp.alertas_de(p_visita text) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(tipo, ', ' ORDER BY tipo), '') FROM pae.alertas WHERE visita = p_visita::uuid
$$;

-- Sede Centro (2.4442, -76.6128) and Sede Norte (2.8962, -76.6128) are 50 km apart
SELECT round(pae.distancia_m(2.4443, -76.6128, 2.8962, -76.6128) / 1000) AS km_centro_norte;

-- 1. viaje_imposible: 50 km in 10 minutes
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000101', '119001900101', '2026-06-20 07:30-05');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000102', '119001900103', '2026-06-20 08:00-05');
SELECT is(pg_temp.checkin('00000000-0000-4000-8000-000000000101', 2.4443, -76.6128, '2026-06-20 08:00-05'), 'ok', 'check-in at Centro 08:00');
SELECT is(pg_temp.checkin('00000000-0000-4000-8000-000000000102', 2.8962, -76.6128, '2026-06-20 08:10-05'), 'ok', 'check-in at Norte 08:10 is not blocked');
SELECT is(pg_temp.alertas_de('00000000-0000-4000-8000-000000000102'), 'viaje_imposible', '50 km in 10 minutes: viaje_imposible');
SELECT results_eq($$SELECT detalle->>'otra_visita', round((detalle->>'distancia_m')::numeric / 1000), round((detalle->>'velocidad_kmh')::numeric / 10) * 10
                      FROM pae.alertas WHERE visita = '00000000-0000-4000-8000-000000000102' AND tipo = 'viaje_imposible'$$,
                  $$VALUES ('00000000-0000-4000-8000-000000000101', 50::numeric, 300::numeric)$$,
                  'the alert names the previous visit, the distance and the speed (~300 km/h)');
SELECT is(pg_temp.alertas_de('00000000-0000-4000-8000-000000000101'), '', 'the first check-in has no alert');

-- 2. the same instant, far apart
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000103', '119001900101', '2026-06-21 09:00-05');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000104', '119001900103', '2026-06-21 09:00-05');
SELECT is(pg_temp.checkin('00000000-0000-4000-8000-000000000103', 2.4443, -76.6128, '2026-06-21 09:00-05'), 'ok', 'check-in at Centro 09:00 (a day after Norte)');
SELECT is(pg_temp.checkin('00000000-0000-4000-8000-000000000104', 2.8962, -76.6128, '2026-06-21 09:00-05'), 'ok', 'check-in at Norte at the same instant');
SELECT is(pg_temp.alertas_de('00000000-0000-4000-8000-000000000103'), '', '50 km in 25 hours: no alert');
SELECT results_eq($$SELECT tipo, detalle->>'otra_visita', detalle->'velocidad_kmh' FROM pae.alertas WHERE visita = '00000000-0000-4000-8000-000000000104'$$,
                  $$VALUES ('viaje_imposible', '00000000-0000-4000-8000-000000000103', 'null'::jsonb)$$,
                  'same instant, 50 km apart: viaje_imposible (infinite speed)');

-- 3. 50 km in 3 hours is possible
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000105', '119001900101', '2026-06-25 08:00-05');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000106', '119001900103', '2026-06-25 11:00-05');
SELECT is(pg_temp.checkin('00000000-0000-4000-8000-000000000105', 2.4443, -76.6128, '2026-06-25 08:00-05'), 'ok', 'check-in at Centro 08:00');
SELECT is(pg_temp.checkin('00000000-0000-4000-8000-000000000106', 2.8962, -76.6128, '2026-06-25 11:00-05'), 'ok', 'check-in at Norte 11:00');
SELECT is(pg_temp.alertas_de('00000000-0000-4000-8000-000000000106'), '', '50 km in 3 hours: no alert');

-- 4. another visitador's check-ins are not this visitador's travel
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000107', '119001900101', '2026-06-25 08:00-05', 'otro_visitador');
SELECT is(pg_temp.checkin('00000000-0000-4000-8000-000000000107', 2.4443, -76.6128, '2026-06-25 11:05-05', 'otro_visitador'), 'ok', 'another visitador at Centro 11:05');
SELECT is(pg_temp.alertas_de('00000000-0000-4000-8000-000000000107'), '', 'no viaje_imposible across visitadores');

-- 5. raciones_faltantes (< 90 % of raciones_programadas) and duracion_sospechosa (< 10 min)
--    on closing through a PATCH with the device's times
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000111', '119001900101', '2026-07-01 08:00-05');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000112', '119001900101', '2026-07-02 08:00-05');
SELECT pg_temp.checkin('00000000-0000-4000-8000-000000000111', 2.4443, -76.6128, '2026-07-01 08:00-05'),
       pg_temp.checkin('00000000-0000-4000-8000-000000000112', 2.4443, -76.6128, '2026-07-02 08:00-05');
SELECT pg_temp.intentar('visitador', $$SELECT pg_temp.completar('00000000-0000-4000-8000-000000000111'), pg_temp.completar('00000000-0000-4000-8000-000000000112')$$);
SELECT is(pg_temp.intentar('visitador', $$UPDATE pae.visitas SET estado = 'cerrada', checkout_lat = 2.4443, checkout_lon = -76.6128,
                                                checkout_en = '2026-07-01 08:09:59-05', raciones_entregadas = 179
                                          WHERE id = '00000000-0000-4000-8000-000000000111'$$),
          'ok', '179 of 200 rations in 9 min 59 s: closes');
SELECT is(pg_temp.alertas_de('00000000-0000-4000-8000-000000000111'), 'duracion_sospechosa, raciones_faltantes', 'both alerts');
SELECT results_eq($$SELECT tipo, detalle FROM pae.alertas WHERE visita = '00000000-0000-4000-8000-000000000111' ORDER BY tipo$$,
                  $$VALUES ('duracion_sospechosa', '{"minutos": 9.98, "minimo_minutos": 10}'::jsonb),
                           ('raciones_faltantes', '{"programadas": 200, "entregadas": 179, "porcentaje": 89.5}'::jsonb)$$,
                  'their detail');
SELECT is(pg_temp.intentar('visitador', $$UPDATE pae.visitas SET estado = 'cerrada', checkout_lat = 2.4443, checkout_lon = -76.6128,
                                                checkout_en = '2026-07-02 08:10:00-05', raciones_entregadas = 180
                                          WHERE id = '00000000-0000-4000-8000-000000000112'$$),
          'ok', '180 of 200 rations (90 %) in exactly 10 min: closes');
SELECT is(pg_temp.alertas_de('00000000-0000-4000-8000-000000000112'), '', 'no alert at the thresholds');

-- 6. foto_reutilizada: the same sha256 on two visits raises the alert on both,
-- and the evidence is stored anyway
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000121', '119001900101', '2026-07-10 08:00-05');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000122', '119001900101', '2026-07-11 08:00-05');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000123', '119001900101', '2026-07-12 08:00-05', 'otro_visitador');
SELECT pg_temp.checkin('00000000-0000-4000-8000-000000000121', 2.4443, -76.6128, '2026-07-10 08:00-05'),
       pg_temp.checkin('00000000-0000-4000-8000-000000000122', 2.4443, -76.6128, '2026-07-11 08:00-05'),
       pg_temp.checkin('00000000-0000-4000-8000-000000000123', 2.4443, -76.6128, '2026-07-12 08:00-05', 'otro_visitador');
SELECT is(pg_temp.intentar('visitador', $$INSERT INTO pae.evidencias (id, visita, tipo, sha256, bytes, mime)
                                         VALUES ('00000000-0000-4000-8000-0000000e0121', '00000000-0000-4000-8000-000000000121', 'foto', repeat('c0', 32), 1000, 'image/jpeg')$$),
          'ok', 'a photo on the first visit');
SELECT is(pg_temp.intentar('visitador', $$INSERT INTO pae.evidencias (id, visita, tipo, sha256, bytes, mime)
                                         VALUES ('00000000-0000-4000-8000-0000000e0122', '00000000-0000-4000-8000-000000000122', 'foto', repeat('c0', 32), 1000, 'image/jpeg')$$),
          'ok', 'the same photo on the visitador''s second visit is stored');
SELECT results_eq($$SELECT visita::text, tipo, detalle->>'otra_visita' FROM pae.alertas WHERE tipo = 'foto_reutilizada' ORDER BY visita$$,
                  $$VALUES ('00000000-0000-4000-8000-000000000121', 'foto_reutilizada', '00000000-0000-4000-8000-000000000122'),
                           ('00000000-0000-4000-8000-000000000122', 'foto_reutilizada', '00000000-0000-4000-8000-000000000121')$$,
                  'foto_reutilizada on both visits, each naming the other');
SELECT is(pg_temp.intentar('otro_visitador', $$INSERT INTO pae.evidencias (id, visita, tipo, sha256, bytes, mime)
                                              VALUES ('00000000-0000-4000-8000-0000000e0123', '00000000-0000-4000-8000-000000000123', 'foto', repeat('c0', 32), 1000, 'image/jpeg')$$),
          'ok', 'another visitador sends the same photo: stored');
SELECT is(pg_temp.alertas_de('00000000-0000-4000-8000-000000000123'), 'foto_reutilizada',
          'a photo reused from another visitador''s visit (which they cannot see) is detected too');

-- 7. the check-in registry behind viaje_imposible (pae.visitas_checkin)
--    holds exactly the complete check-ins of the visits, whatever path
--    changed them, and the alert reads it
CREATE FUNCTION pg_temp.registro_al_dia() RETURNS boolean LANGUAGE sql AS $$
    SELECT NOT EXISTS (
        (SELECT c.visita, c.visitador, c.en, c.lat, c.lon FROM pae.visitas_checkin c
         EXCEPT
         SELECT v.id, v.visitador, v.checkin_en, v.checkin_lat, v.checkin_lon FROM pae.visitas v
          WHERE v.checkin_lat IS NOT NULL AND v.checkin_lon IS NOT NULL AND v.checkin_en IS NOT NULL)
        UNION ALL
        (SELECT v.id, v.visitador, v.checkin_en, v.checkin_lat, v.checkin_lon FROM pae.visitas v
          WHERE v.checkin_lat IS NOT NULL AND v.checkin_lon IS NOT NULL AND v.checkin_en IS NOT NULL
         EXCEPT
         SELECT c.visita, c.visitador, c.en, c.lat, c.lon FROM pae.visitas_checkin c)) $$;
SELECT pg_temp.como(NULL, NULL);
SELECT ok(pg_temp.registro_al_dia() AND (SELECT count(*) FROM pae.visitas_checkin) = 12,
          'after the check-ins above the registry holds the 12 check-ins, equal to the visits''');
-- an earlier check-in delivered late (offline sync) is judged against the
-- nearest check-in after it: 121 was at Centro at 08:00 on July 10
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000132', '119001900103', '2026-07-10 10:00-05');
SELECT is(pg_temp.checkin('00000000-0000-4000-8000-000000000132', 2.8962, -76.6128, '2026-07-10 07:40-05'), 'ok', 'check-in at Norte 07:40');
SELECT is(pg_temp.alertas_de('00000000-0000-4000-8000-000000000132'), 'viaje_imposible',
          'judged against the check-in after it (Centro 08:00, 20 minutes later): viaje_imposible');
SELECT pg_temp.como(NULL, NULL);
SELECT ok(pg_temp.registro_al_dia(), 'the registry follows check-ins made through PATCH');
-- a visit loaded with its check-in by a privileged session is registered,
-- and leaves the registry when it is deleted
SELECT pg_temp.como(NULL, NULL);
INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas,
                         checkin_lat, checkin_lon, checkin_precision_m, checkin_en)
VALUES ('00000000-0000-4000-8000-000000000133', '119001900101', 'PAE-T-001', pg_temp.id('visitador'),
        '2026-07-20 08:00-05', 200, 2.4443, -76.6128, 8, '2026-07-20 08:05-05');
SELECT ok(pg_temp.registro_al_dia() AND EXISTS (SELECT 1 FROM pae.visitas_checkin WHERE visita = '00000000-0000-4000-8000-000000000133'),
          'a visit inserted with its check-in is registered');
DELETE FROM pae.visitas WHERE id = '00000000-0000-4000-8000-000000000133';
SELECT ok(pg_temp.registro_al_dia() AND NOT EXISTS (SELECT 1 FROM pae.visitas_checkin WHERE visita = '00000000-0000-4000-8000-000000000133'),
          'a deleted visit leaves the registry');

SELECT * FROM finish();
ROLLBACK;
