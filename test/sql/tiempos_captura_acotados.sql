-- Capture times sent by clients (checkin_en, checkout_en, evidencias.tomada_en)
-- are bounded (SPEC §5, issue 9 item 5): finite, not before the start of the
-- Colombian day of fecha_visita minus pae.regla('captura_dias_antes'), not
-- more than pae.regla('futuro_tolerado') ahead of the server clock (PV006).
-- The travel and duration alerts use only bounded times: a check-in declared
-- hours before it reached the server is also judged by the server's clock
-- against the visitador's online check-ins, and a check-out declared ahead
-- of time does not lengthen a visit.  Requests are made as PostgREST makes
-- them (PATCH = plain UPDATE).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
-- messages print times in the session's zone and style: the programme's, ISO
SET LOCAL timezone = 'America/Bogota';
SET LOCAL datestyle = 'ISO, YMD';
SELECT plan(20);
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/intentar.sql

CREATE FUNCTION pg_temp.checkin(p_visita text, p_lat float8, p_lon float8, p_en text, quien text DEFAULT 'visitador') RETURNS text LANGUAGE sql AS $$
    SELECT pg_temp.intentar(quien, format($q$UPDATE pae.visitas SET estado = 'en_curso', checkin_lat = %s, checkin_lon = %s, checkin_precision_m = 8, checkin_en = %s
                                          WHERE id = %L$q$, p_lat, p_lon, p_en, p_visita))
$$;
CREATE FUNCTION pg_temp.alerta(p_visita text, p_tipo text) RETURNS jsonb LANGUAGE sql AS $$
    SELECT detalle FROM pae.alertas WHERE visita = p_visita::uuid AND tipo = p_tipo
$$;

SELECT is(pae.regla('captura_dias_antes')::interval, interval '1 day', 'the window is a rule of the catalogue');

-- 1. infinite times: PV006, whatever the path
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000501');  -- 2026-06-10 08:00-05
SELECT is(pg_temp.checkin('00000000-0000-4000-8000-000000000501', 2.4443, -76.6128, $$'-infinity'$$),
          'PV006: hora inválida en el check-in: -infinity', 'a check-in at -infinity is PV006');
SELECT is(pg_temp.checkin('00000000-0000-4000-8000-000000000501', 2.4443, -76.6128, $$'infinity'$$),
          'PV006: hora inválida en el check-in: infinity', 'a check-in at infinity is PV006');
SELECT is(pg_temp.intentar(NULL, $$INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, checkin_lat, checkin_lon, checkin_en)
                                   SELECT '00000000-0000-4000-8000-000000000502', '119001900103', 'PAE-T-001', id, '2026-06-10 08:00-05', 2.8962, -76.6128, '-infinity'
                                     FROM gente WHERE clave = 'visitador'$$),
          'PV006: hora inválida en el check-in: -infinity', 'an INSERT loaded with a check-in at -infinity is PV006, for a privileged session too');

-- 2. the lower bound: the day before the visit's day, 00:00 Colombian time
SELECT is(pg_temp.checkin('00000000-0000-4000-8000-000000000501', 2.4443, -76.6128, $$'2026-06-08 23:59:59-05'$$),
          'PV006: el check-in es anterior al día de la visita: 2026-06-08 23:59:59-05',
          'a check-in before 2026-06-09 00:00 Colombia for a visit of 2026-06-10 is PV006');
SELECT is(pg_temp.error_completo('visitador', format($$UPDATE pae.visitas SET estado = 'en_curso', checkin_lat = 2.4443, checkin_lon = -76.6128, checkin_en = '2026-05-01 08:00-05'
                                                      WHERE id = %L$$, '00000000-0000-4000-8000-000000000501')),
          'PV006: el check-in es anterior al día de la visita: 2026-05-01 08:00:00-05 | checkin_en es anterior a 2026-06-09 00:00:00-05: el inicio del día de fecha_visita (hora de Colombia) menos 1 día(s).',
          'the detail names the bound');
SELECT is(pg_temp.checkin('00000000-0000-4000-8000-000000000501', 2.4443, -76.6128, $$'2026-06-09 00:00-05'$$),
          'ok', 'a check-in at 00:00 of the day before is accepted');

-- 3. the check-out and the evidence's tomada_en have the same bounds
SELECT is(pg_temp.intentar('visitador', $$UPDATE pae.visitas SET checkout_lat = 2.4443, checkout_lon = -76.6128, checkout_en = 'infinity'
                                         WHERE id = '00000000-0000-4000-8000-000000000501'$$),
          'PV006: hora inválida en el check-out: infinity', 'a check-out at infinity is PV006');
SELECT is(pg_temp.intentar('visitador', $$INSERT INTO pae.evidencias (visita, tipo, sha256, bytes, mime, tomada_en)
                                         VALUES ('00000000-0000-4000-8000-000000000501', 'foto', repeat('a1', 32), 1000, 'image/jpeg', '-infinity')$$),
          'PV006: hora inválida en la evidencia: -infinity', 'a photo taken at -infinity is PV006');
SELECT is(pg_temp.intentar('visitador', $$INSERT INTO pae.evidencias (visita, tipo, sha256, bytes, mime, tomada_en)
                                         VALUES ('00000000-0000-4000-8000-000000000501', 'foto', repeat('a1', 32), 1000, 'image/jpeg', '2026-06-01 10:00-05')$$),
          'PV006: la evidencia es anterior al día de la visita: 2026-06-01 10:00:00-05', 'a photo taken days before the visit''s day is PV006');
SELECT alike(pg_temp.intentar('visitador', $$INSERT INTO pae.evidencias (visita, tipo, sha256, bytes, mime, tomada_en)
                                            VALUES ('00000000-0000-4000-8000-000000000501', 'foto', repeat('a1', 32), 1000, 'image/jpeg', clock_timestamp() + interval '11 minutes')$$),
             'PV006: la evidencia en el futuro: %', 'a photo taken 11 minutes in the future is PV006');
SELECT is(pg_temp.intentar('visitador', $$INSERT INTO pae.evidencias (visita, tipo, sha256, bytes, mime, tomada_en)
                                         VALUES ('00000000-0000-4000-8000-000000000501', 'foto', repeat('a1', 32), 1000, 'image/jpeg', '2026-06-09 00:00-05')$$),
          'ok', 'a photo taken inside the bounds is stored');
SELECT is((SELECT count(*) FROM pae.evidencias WHERE visita = '00000000-0000-4000-8000-000000000501'), 1::bigint,
          'only the photo inside the bounds was stored');

-- 4. the server's clock: visits planned for today (own contract, so the test
--    does not depend on the date it runs)
SELECT pg_temp.como(NULL, NULL);
INSERT INTO pae.contratos (numero, operador, vigencia, raciones_dia, modalidad)
VALUES ('PAE-T-HOY', '900123456-7', daterange(current_date - 30, current_date + 30), 200, 'RPS');
INSERT INTO pae.contrato_sedes (contrato, sede) VALUES ('PAE-T-HOY', '119001900101'), ('PAE-T-HOY', '119001900103');
INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)
SELECT x.id::uuid, x.sede, 'PAE-T-HOY', g.id, now() + x.dias * interval '1 day', 200
  FROM (VALUES ('00000000-0000-4000-8000-000000000511', '119001900101', 'visitador', 0),
               ('00000000-0000-4000-8000-000000000512', '119001900103', 'visitador', 0),
               ('00000000-0000-4000-8000-000000000513', '119001900101', 'visitador', -1),
               ('00000000-0000-4000-8000-000000000521', '119001900101', 'otro_visitador', 0),
               ('00000000-0000-4000-8000-000000000522', '119001900103', 'otro_visitador', 0)) AS x(id, sede, quien, dias)
  JOIN gente g ON g.clave = x.quien;

-- a check-in at Centro made online: pae.transicion stamps it with the server clock
SELECT is(pg_temp.intentar('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000511', 'en_curso', NULL, 2.4443, -76.6128, 5)$$),
          'ok', 'online check-in at Centro');
-- then a PATCH at Norte (50 km away) declaring a time three hours back:
-- 50 km in three hours by the declared times, seconds by the server's
SELECT is(pg_temp.checkin('00000000-0000-4000-8000-000000000512', 2.8962, -76.6128, $$now() - interval '3 hours'$$),
          'ok', 'a check-in declared three hours back is accepted (inside the bounds) ...');
SELECT is(pg_temp.alerta('00000000-0000-4000-8000-000000000512', 'viaje_imposible') ->> 'segun', 'hora_servidor',
          '... and judged by the server''s clock: viaje_imposible');
SELECT is(pg_temp.alerta('00000000-0000-4000-8000-000000000512', 'viaje_imposible') ->> 'otra_visita', '00000000-0000-4000-8000-000000000511',
          'the alert names the online check-in it was judged against');
-- offline work (both check-ins device time, delivered late) is judged by the
-- declared times only: 50 km in four hours is no alert
SELECT is(pg_temp.checkin('00000000-0000-4000-8000-000000000521', 2.4443, -76.6128, $$now() - interval '5 hours'$$, 'otro_visitador')
          || ' ' || pg_temp.checkin('00000000-0000-4000-8000-000000000522', 2.8962, -76.6128, $$now() - interval '1 hour'$$, 'otro_visitador')
          || ' ' || (SELECT count(*) FROM pae.alertas WHERE visita IN ('00000000-0000-4000-8000-000000000521', '00000000-0000-4000-8000-000000000522'))::text,
          'ok ok 0', 'two offline check-ins four hours apart, delivered together: no alert');

-- 5. duracion_sospechosa: a check-out declared ahead of the server clock
--    (inside the 10 minutes of tolerance) does not lengthen the visit
SELECT is(pg_temp.checkin('00000000-0000-4000-8000-000000000513', 2.4443, -76.6128, $$now() - interval '5 minutes'$$)
          || ' ' || pg_temp.intentar('visitador', $$SELECT pg_temp.completar('00000000-0000-4000-8000-000000000513')$$)
          || ' ' || pg_temp.intentar('visitador', $$UPDATE pae.visitas SET estado = 'cerrada', checkout_lat = 2.4443, checkout_lon = -76.6128,
                                                      checkout_en = clock_timestamp() + interval '9 minutes'
                                                WHERE id = '00000000-0000-4000-8000-000000000513'$$),
          'ok ok ok', 'a visit checked in 5 minutes ago closes with a check-out declared 9 minutes ahead');
SELECT cmp_ok((pg_temp.alerta('00000000-0000-4000-8000-000000000513', 'duracion_sospechosa') ->> 'minutos')::numeric, '<', 10::numeric,
              'duracion_sospechosa counts up to the server clock, not the declared check-out');

SELECT * FROM finish();
ROLLBACK;
