-- Preconditions of SPEC §5 (PV003 naming which one), the geofence of the
-- check-in (PV001 at a strict fence, an alert otherwise), self-approval,
-- inactive people, and the same rules through a plain UPDATE (PostgREST
-- PATCH) and through pae_api.transicion.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(42);
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/intentar.sql

-- fixed visit ids so that messages are deterministic
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000001');               -- check-in rules
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000002', '119001900102'); -- strict fence
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000003', '119001900102', '2026-06-11 08:00-05'); -- strict fence, PATCH
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000004', '119001900101', '2026-06-12 08:00-05'); -- soft fence, PATCH
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000005', '119001900101', '2026-06-13 08:00-05'); -- closing rules
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000006', '119001900101', '2026-06-14 08:00-05'); -- motivo rules
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000007', '119001900101', '2026-06-15 08:00-05'); -- devuelta -> cerrada
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000008', '119001900101', '2026-06-16 08:00-05'); -- same state
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000009', '119001900101', '2026-06-17 08:00-05', 'otro_visitador'); -- inactive visitador

-- 1. check-in without coordinates
SELECT is(pg_temp.error_completo('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000001', 'en_curso')$$),
          'PV003: precondición no cumplida para pasar la visita 00000000-0000-4000-8000-000000000001 a en_curso: falta el check-in | Iniciar la visita exige la latitud y longitud del check-in.',
          'check-in without coordinates: PV003 naming the check-in');
SELECT is(pg_temp.intentar('visitador', $$UPDATE pae.visitas SET estado = 'en_curso' WHERE id = '00000000-0000-4000-8000-000000000001'$$),
          'PV003: precondición no cumplida para pasar la visita 00000000-0000-4000-8000-000000000001 a en_curso: falta el check-in',
          'the same through a PATCH');
SELECT is(pg_temp.intentar('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000001', 'en_curso', NULL, 2.4443, NULL, 5)$$),
          'PV003: precondición no cumplida para pasar la visita 00000000-0000-4000-8000-000000000001 a en_curso: falta el check-in',
          'check-in with latitude only: PV003 naming the check-in');
SELECT results_eq($$SELECT estado::text, version, checkin_lat IS NULL FROM pae.visitas WHERE id = '00000000-0000-4000-8000-000000000001'$$,
                  $$VALUES ('programada', 1, true)$$, 'refused check-ins leave the visit untouched');

-- 2. strict fence: outside -> PV001, nothing stored
SELECT is(pg_temp.intentar('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000002', 'en_curso', NULL, 2.4600, -76.6000, 5)$$),
          'PV001: check-in fuera de la geocerca estricta de la sede "119001900102"',
          'strict fence, check-in 1.1 km away: PV001');
SELECT is(pg_temp.intentar('visitador', $$UPDATE pae.visitas SET estado = 'en_curso', checkin_lat = 2.4600, checkin_lon = -76.6000, checkin_precision_m = 5
                                         WHERE id = '00000000-0000-4000-8000-000000000003'$$),
          'PV001: check-in fuera de la geocerca estricta de la sede "119001900102"',
          'strict fence through a PATCH: PV001');
SELECT is(pg_temp.intentar('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000002', 'en_curso', NULL, 2.4605, -76.6000, 500)$$),
          'PV001: check-in fuera de la geocerca estricta de la sede "119001900102"',
          'a poor GPS fix gets at most 100 m of benefit of the doubt (580 m away, 150 m + 100 m)');
SELECT results_eq($$SELECT estado::text, version, checkin_lat IS NULL AND checkin_en IS NULL AND distancia_m IS NULL AND dentro_geocerca IS NULL
                      FROM pae.visitas WHERE id IN ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003') ORDER BY id$$,
                  $$VALUES ('programada', 1, true), ('programada', 1, true)$$, 'PV001 stores nothing on the visit');
SELECT is((SELECT count(*) FROM pae.transiciones WHERE visita IN ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003'))
        + (SELECT count(*) FROM pae.eventos WHERE visita IN ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003'))
        + (SELECT count(*) FROM pae.alertas WHERE visita IN ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003')),
          0::bigint, 'PV001 leaves no history, event or alert');
SELECT is(pg_temp.intentar('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000002', 'en_curso', NULL, 2.4505, -76.6000, 5)$$),
          'ok', 'strict fence, check-in 55 m away: allowed');
SELECT results_eq($$SELECT estado::text, dentro_geocerca, round(distancia_m)::int FROM pae.visitas WHERE id = '00000000-0000-4000-8000-000000000002'$$,
                  $$VALUES ('en_curso', true, 55)$$, 'inside the strict fence: stored inside, with its distance');

-- 3. soft fence: outside -> allowed, with an alert fuera_geocerca
SELECT is(pg_temp.intentar('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000001', 'en_curso', NULL, 2.4542, -76.6128, 10)$$),
          'ok', 'soft fence, check-in 1.1 km away: allowed');
SELECT results_eq($$SELECT v.estado::text, v.dentro_geocerca, round(v.distancia_m / 10)::int * 10, a.tipo, (a.detalle->>'distancia_m')::numeric = round(v.distancia_m::numeric, 1)
                      FROM pae.visitas v JOIN pae.alertas a ON a.visita = v.id AND a.tipo = 'fuera_geocerca'
                     WHERE v.id = '00000000-0000-4000-8000-000000000001'$$,
                  $$VALUES ('en_curso', false, 1110, 'fuera_geocerca', true)$$,
                  'stored outside, one alert fuera_geocerca with the distance');
-- the same visitador checked in at the other sede (1.5 km away) moments
-- before, whatever the months of the two visits: impossible travel too
SELECT is((SELECT a.detalle->>'otra_visita' FROM pae.alertas a
            WHERE a.visita = '00000000-0000-4000-8000-000000000001' AND a.tipo = 'viaje_imposible'),
          '00000000-0000-4000-8000-000000000002',
          'and viaje_imposible against the check-in made moments before 1.5 km away');
SELECT is(pg_temp.intentar('visitador', $$UPDATE pae.visitas SET estado = 'en_curso', checkin_lat = 2.4542, checkin_lon = -76.6128, checkin_precision_m = 10
                                         WHERE id = '00000000-0000-4000-8000-000000000004'$$),
          'ok', 'soft fence through a PATCH: allowed');
SELECT results_eq($$SELECT v.estado::text, v.dentro_geocerca, a.tipo FROM pae.visitas v JOIN pae.alertas a ON a.visita = v.id
                     WHERE v.id = '00000000-0000-4000-8000-000000000004' AND a.tipo = 'fuera_geocerca'$$,
                  $$VALUES ('en_curso', false, 'fuera_geocerca')$$, 'PATCH: stored outside, with the alert');

-- 4. closing: check-out, mandatory checklist, photo
SELECT is(pg_temp.intentar('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000005', 'en_curso', NULL, 2.4443, -76.6128, 5)$$), 'ok', 'check-in of the closing visit');
SELECT is(pg_temp.error_completo('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000005', 'cerrada')$$),
          'PV003: precondición no cumplida para pasar la visita 00000000-0000-4000-8000-000000000005 a cerrada: falta el check-out | Para cerrar la visita se requieren checkout_lat y checkout_lon.',
          'closing without check-out coordinates: PV003 naming the check-out');
SELECT is(pg_temp.intentar('visitador', $$INSERT INTO pae.visita_respuestas (visita, item, valor)
                                         SELECT '00000000-0000-4000-8000-000000000005', codigo, 'cumple' FROM pae.checklist_items
                                          WHERE obligatorio AND codigo NOT IN ('MEN-03', 'HIG-04', 'CAL-02')$$), 'ok', 'all mandatory answers but three');
SELECT is(pg_temp.error_completo('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000005', 'cerrada', NULL, 2.4443, -76.6128, 5)$$),
          'PV003: precondición no cumplida para pasar la visita 00000000-0000-4000-8000-000000000005 a cerrada: faltan ítems obligatorios de la lista de chequeo | Faltan 3 ítems obligatorios sin respuesta: MEN-03, HIG-04, CAL-02.',
          'missing mandatory items: PV003 listing them');
SELECT is(pg_temp.intentar('visitador', $$UPDATE pae.visitas SET estado = 'cerrada', checkout_lat = 2.4443, checkout_lon = -76.6128, checkout_en = clock_timestamp()
                                         WHERE id = '00000000-0000-4000-8000-000000000005'$$),
          'PV003: precondición no cumplida para pasar la visita 00000000-0000-4000-8000-000000000005 a cerrada: faltan ítems obligatorios de la lista de chequeo',
          'the same through a PATCH');
SELECT is(pg_temp.intentar('visitador', $$INSERT INTO pae.visita_respuestas (visita, item, valor) VALUES
                                           ('00000000-0000-4000-8000-000000000005', 'MEN-03', 'no_cumple'),
                                           ('00000000-0000-4000-8000-000000000005', 'HIG-04', 'no_aplica'),
                                           ('00000000-0000-4000-8000-000000000005', 'CAL-02', 'cumple');
                                         INSERT INTO pae.evidencias (visita, tipo, sha256, bytes, mime)
                                         VALUES ('00000000-0000-4000-8000-000000000005', 'firma', repeat('5', 64), 2000, 'image/png')$$),
          'ok', 'the rest of the answers, and a signature (not a photo)');
SELECT is(pg_temp.error_completo('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000005', 'cerrada', NULL, 2.4443, -76.6128, 5)$$),
          'PV003: precondición no cumplida para pasar la visita 00000000-0000-4000-8000-000000000005 a cerrada: falta al menos una foto | La visita no tiene ninguna evidencia de tipo foto.',
          'no photo: PV003 naming the photo');
SELECT is(pg_temp.intentar('visitador', $$INSERT INTO pae.evidencias (visita, tipo, sha256, bytes, mime)
                                         VALUES ('00000000-0000-4000-8000-000000000005', 'foto', repeat('6', 64), 2000, 'image/jpeg');
                                         SELECT pae.transicion('00000000-0000-4000-8000-000000000005', 'cerrada', NULL, 2.4443, -76.6128, 5)$$),
          'ok', 'with a photo the visit closes');
SELECT results_eq($$SELECT estado::text, checkout_lat, checkout_en >= checkin_en FROM pae.visitas WHERE id = '00000000-0000-4000-8000-000000000005'$$,
                  $$VALUES ('cerrada', 2.4443::float8, true)$$, 'closed with its check-out stored');

-- 5. self-approval: the visit's own visitador never approves or returns it
SELECT alike(pg_temp.intentar('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000005', 'aprobada')$$),
            'PV002: transición no permitida: cerrada -> aprobada', 'the visitador cannot approve their own visit (PV002)');
SELECT alike(pg_temp.intentar('visitador', $$UPDATE pae.visitas SET estado = 'aprobada' WHERE id = '00000000-0000-4000-8000-000000000005'$$),
            'PV002: transición no permitida: cerrada -> aprobada', 'nor through a PATCH');

-- 6. motivo
SELECT is(pg_temp.error_completo('coordinador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000006', 'cancelada')$$),
          'PV003: precondición no cumplida para pasar la visita 00000000-0000-4000-8000-000000000006 a cancelada: falta el motivo | Pasar una visita a cancelada exige un motivo escrito.',
          'cancel without motivo: PV003 naming the motivo');
SELECT is(pg_temp.intentar('coordinador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000006', 'cancelada', E'  \t ')$$),
          'PV003: precondición no cumplida para pasar la visita 00000000-0000-4000-8000-000000000006 a cancelada: falta el motivo',
          'a blank motivo is no motivo');
SELECT is(pg_temp.intentar('supervisor', $$UPDATE pae.visitas SET estado = 'cancelada' WHERE id = '00000000-0000-4000-8000-000000000006'$$),
          'PV003: precondición no cumplida para pasar la visita 00000000-0000-4000-8000-000000000006 a cancelada: falta el motivo',
          'cancel through a PATCH without motivo_estado');
SELECT is(pg_temp.intentar('supervisor', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000005', 'devuelta')$$),
          'PV003: precondición no cumplida para pasar la visita 00000000-0000-4000-8000-000000000005 a devuelta: falta el motivo',
          'return without motivo: PV003');
SELECT is(pg_temp.intentar('supervisor', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000005', 'devuelta', 'el conteo de raciones no cuadra')$$),
          'ok', 'return with motivo');
SELECT is(pg_temp.intentar('coordinador', $$UPDATE pae.visitas SET estado = 'cancelada', motivo_estado = 'sede cerrada por paro' WHERE id = '00000000-0000-4000-8000-000000000006'$$),
          'ok', 'cancel through a PATCH with motivo_estado');
SELECT results_eq($$SELECT hacia::text, motivo FROM pae.transiciones WHERE visita IN ('00000000-0000-4000-8000-000000000005', '00000000-0000-4000-8000-000000000006')
                     AND hacia IN ('devuelta', 'cancelada') ORDER BY id$$,
                  $$VALUES ('devuelta', 'el conteo de raciones no cuadra'), ('cancelada', 'sede cerrada por paro')$$,
                  'the motivo is kept in the history');

-- 7. devuelta -> cerrada has the closing preconditions again
SELECT is(pg_temp.intentar('visitador', $$DELETE FROM pae.evidencias WHERE visita = '00000000-0000-4000-8000-000000000005' AND tipo = 'foto'$$),
          'ok', 'a returned visit can be corrected (its photo removed)');
SELECT is(pg_temp.intentar('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000005', 'cerrada', NULL, 2.4443, -76.6128, 5)$$),
          'PV003: precondición no cumplida para pasar la visita 00000000-0000-4000-8000-000000000005 a cerrada: falta al menos una foto',
          'devuelta -> cerrada without a photo: PV003');

-- 8. an inactive person is refused (42501), even the assigned visitador
UPDATE pae.usuarios SET activo = false WHERE id = pg_temp.id('otro_visitador');
SELECT alike(pg_temp.intentar('otro_visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000009', 'en_curso', NULL, 2.4443, -76.6128, 5)$$),
            '42501: %', 'an inactive assigned visitador cannot check in (42501)');
SELECT alike(pg_temp.intentar('inactivo', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000008', 'cancelada', 'motivo')$$),
            '42501: %', 'an inactive coordinador cannot cancel (42501)');

-- 9. pae.transicion to the state the visit is already in is not a move: PV002,
-- and it does not rewrite the check-in
SELECT is(pg_temp.intentar('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000008', 'en_curso', NULL, 2.4443, -76.6128, 5)$$),
          'ok', 'check-in');
SELECT alike(pg_temp.intentar('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000008', 'en_curso', NULL, 2.4600, -76.6000, 5)$$),
            'PV002: %', 'a second check-in of an en_curso visit is refused (PV002)');
SELECT results_eq($$SELECT checkin_lat, version FROM pae.visitas WHERE id = '00000000-0000-4000-8000-000000000008'$$,
                  $$VALUES (2.4443::float8, 2)$$, 'the first check-in stays');

-- 10. pae_api.transicion obeys the same rules
SELECT is(pg_temp.intentar('visitador', $$SELECT pae_api.transicion('00000000-0000-4000-8000-000000000001', 'cerrada')$$),
          'PV003: precondición no cumplida para pasar la visita 00000000-0000-4000-8000-000000000001 a cerrada: falta el check-out',
          'pae_api.transicion: closing without check-out is PV003');

SELECT * FROM finish();
ROLLBACK;
