-- Offline sync (SPEC §8): partial success.  Each item runs in its own
-- subtransaction: a bad one is rechazada with the SQLSTATE and message of
-- the rule that refused it (the ordinary triggers of the visit tables
-- judge every step) and leaves nothing behind; the others commit.  Device
-- clocks: times more than 10 minutes ahead of the server are PV006, old
-- times are fine, a check-out before the check-in is PV006.  Alerts fire as
-- online (viaje_imposible between synced check-ins); a returned visit is
-- closed again by a later sync.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(15);
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/intentar.sql
\i test/fixtures/sincronizar.sql

CREATE TEMP TABLE r (respuesta jsonb);
GRANT ALL ON r TO PUBLIC;
CREATE FUNCTION pg_temp.hora(t timestamptz) RETURNS jsonb LANGUAGE sql AS $$
    SELECT to_jsonb(to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')) $$;

INSERT INTO r SELECT pg_temp.sinc('visitador', pg_temp.lote(
    pg_temp.item('00000000-0000-4000-8000-000000000001', 'cerrada', '2026-06-10 08:00-05'),
    pg_temp.item('00000000-0000-4000-8000-000000000002', 'cerrada', '2026-06-11 08:00-05', '119001999999'),
    pg_temp.item('00000000-0000-4000-8000-000000000003', 'en_curso', '2026-06-11 08:00-05'),
    pg_temp.item('00000000-0000-4000-8000-000000000004', 'en_curso', '2026-06-12 08:00-05', '119001900102', 2.4600, -76.6000),
    jsonb_insert(pg_temp.item('00000000-0000-4000-8000-000000000005', 'en_curso', '2026-06-13 08:00-05'),
                 '{respuestas,0}', '{"item": "XXX-99", "valor": "cumple"}'),
    jsonb_set(pg_temp.item('00000000-0000-4000-8000-000000000006', 'en_curso', '2026-06-18 08:00-05'),
              '{checkin,t}', pg_temp.hora(now() + interval '1 hour')),
    jsonb_set(pg_temp.item('00000000-0000-4000-8000-000000000007', 'cerrada', '2026-06-14 08:00-05'),
              '{checkout,t}', '"2026-06-14T07:00:00-05:00"'),
    jsonb_set(pg_temp.item('00000000-0000-4000-8000-000000000008', 'cerrada', '2026-06-15 08:00-05'),
              '{respuestas}', '[{"item": "RAC-01", "valor": "cumple"}]'),
    pg_temp.item('00000000-0000-4000-8000-000000000009', 'aprobada', '2026-06-16 08:00-05'),
    jsonb_set(pg_temp.item('00000000-0000-4000-8000-00000000000a', 'en_curso', '2026-06-17 08:00-05'),
              '{respuestas,0,valor}', '"tal vez"'),
    pg_temp.item('00000000-0000-4000-8000-00000000000b', 'cerrada', '2025-02-03 08:00-05'),
    jsonb_set(pg_temp.item('00000000-0000-4000-8000-00000000000c', 'en_curso', '2026-06-19 08:00-05'),
              '{checkin,t}', pg_temp.hora(now() + interval '5 minutes'))));

SELECT is(pg_temp.resultados(respuesta),
          'aceptada,rechazada:PV004,aceptada,rechazada:PV001,rechazada:23503,rechazada:PV006,'
          'rechazada:PV006,rechazada:PV003,rechazada:PV002,rechazada:23514,aceptada,aceptada',
          'each bad item is refused by its rule, the good ones are accepted, in input order') FROM r;
SELECT is(respuesta - 'resultados', '{"aceptadas": 4, "duplicadas": 0, "conflictos": 0, "rechazadas": 8}', 'the counts') FROM r;
SELECT is(respuesta->'resultados'->1, '{"id": "00000000-0000-4000-8000-000000000002", "resultado": "rechazada",
          "error": {"sqlstate": "PV004", "mensaje": "sede desconocida: \"119001999999\""}}',
          'a refused item carries the SQLSTATE and the Spanish message of the rule') FROM r;
SELECT results_eq($$SELECT x.e->'error'->>'sqlstate', x.e->'error'->>'mensaje'
                      FROM r, jsonb_array_elements(r.respuesta->'resultados') WITH ORDINALITY AS x(e, n) WHERE x.n IN (7, 8, 9)$$,
                  $$VALUES ('PV006', 'check-out anterior al check-in'),
                           ('PV003', 'precondición no cumplida para pasar la visita 00000000-0000-4000-8000-000000000008 a cerrada: faltan ítems obligatorios de la lista de chequeo'),
                           ('PV002', 'la sincronización no lleva visitas al estado aprobada')$$,
                  'check-out before check-in, missing answers, a supervision state: their own messages');
SELECT matches(respuesta->'resultados'->5->'error'->>'mensaje', '^el check-in en el futuro: ',
               'a check-in an hour ahead of the server clock: PV006') FROM r;
SELECT results_eq($$SELECT id::text, estado::text FROM pae.visitas ORDER BY id$$,
                  $$VALUES ('00000000-0000-4000-8000-000000000001', 'cerrada'), ('00000000-0000-4000-8000-000000000003', 'en_curso'),
                           ('00000000-0000-4000-8000-00000000000b', 'cerrada'), ('00000000-0000-4000-8000-00000000000c', 'en_curso')$$,
                  'the accepted visits committed; old device times (2025) and 5 minutes ahead are fine');
SELECT is((SELECT count(*) FROM pae.visitas_id), 4::bigint, 'refused visits left no id claimed');
SELECT is((SELECT count(*) FROM pae.sincronizaciones), 4::bigint, 'nor a sync row');
SELECT is((SELECT count(*) FROM pae.evidencias e WHERE e.visita NOT IN (SELECT id FROM pae.visitas)), 0::bigint,
          'nor evidence');
SELECT is((SELECT count(*) FROM pae.auditoria a WHERE a.tabla IN ('visitas', 'visita_respuestas', 'evidencias')
             AND coalesce(a.pk->>'id', a.pk->>'visita') IN ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000004',
                 '00000000-0000-4000-8000-000000000005', '00000000-0000-4000-8000-000000000008')), 0::bigint,
          'nor audit rows');

-- alerts as online: impossible travel between two synced check-ins
SELECT is(pg_temp.resultados(pg_temp.sinc('visitador', pg_temp.lote(
    pg_temp.item('00000000-0000-4000-8000-000000000101', 'cerrada', '2026-06-25 08:00-05'),
    pg_temp.item('00000000-0000-4000-8000-000000000102', 'cerrada', '2026-06-25 08:20-05', '119001900103', 2.8962, -76.6128)))),
    'aceptada,aceptada', 'two visits 50 km and 20 minutes apart');
SELECT is((SELECT count(*) FROM pae.alertas WHERE tipo = 'viaje_imposible'
             AND visita IN ('00000000-0000-4000-8000-000000000101', '00000000-0000-4000-8000-000000000102')), 1::bigint,
          'raise viaje_imposible');

-- a returned visit is closed again by a later sync from its version
SELECT pg_temp.como('supervisor');
SELECT estado FROM pae.transicion('00000000-0000-4000-8000-000000000001', 'devuelta', 'faltan firmas');
SELECT pg_temp.como(NULL, NULL);
SELECT is(pg_temp.versiones(pg_temp.sinc('visitador', pg_temp.lote(
    jsonb_set(pg_temp.item('00000000-0000-4000-8000-000000000001', 'cerrada', '2026-06-10 08:00-05'),
              '{respuestas,0,valor}', '"no_cumple"') || '{"version_base": 4, "observaciones": "corregida"}'))),
    'aceptada/5/cerrada', 'devuelta (version 4) -> cerrada with a corrected answer');
SELECT results_eq($$SELECT r.valor, v.observaciones FROM pae.visita_respuestas r JOIN pae.visitas v ON v.id = r.visita
                     WHERE r.visita = '00000000-0000-4000-8000-000000000001' AND r.item = 'RAC-01'$$,
                  $$VALUES ('no_cumple', 'corregida')$$, 'the answer and the observation were corrected');
SELECT results_eq($$SELECT desde::text, hacia::text FROM pae.transiciones WHERE visita = '00000000-0000-4000-8000-000000000001' ORDER BY id$$,
                  $$VALUES ('programada', 'en_curso'), ('en_curso', 'cerrada'), ('cerrada', 'devuelta'), ('devuelta', 'cerrada')$$,
                  'with the history of every move');

SELECT * FROM finish();
ROLLBACK;
