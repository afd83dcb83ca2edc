-- Offline sync (SPEC §8): no lost update.  An item whose version_base is
-- not the server's version and whose content differs is conflicto (PV007)
-- with the server's version and state, and the server row is untouched;
-- the same id with other content from another device is conflicto; an
-- evidencia id is stored once, and never moved to another visit; the same
-- photo (sha256) on two visits raises foto_reutilizada on both.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(17);
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/intentar.sql
\i test/fixtures/sincronizar.sql

CREATE TEMP TABLE h (paso text PRIMARY KEY, huella text);
GRANT ALL ON h TO PUBLIC;

SELECT is(pg_temp.resultados(pg_temp.sinc('visitador', pg_temp.lote(
    pg_temp.item('00000000-0000-4000-8000-0000000000c1', 'cerrada', '2026-06-10 08:00-05'),
    pg_temp.item('00000000-0000-4000-8000-0000000000c2', 'en_curso', '2026-06-11 08:00-05')))),
    'aceptada,aceptada', 'two visits synced');
INSERT INTO h VALUES ('antes', pg_temp.huella());

-- 1. another device sends the same id with other content, from version 0
SELECT is(pg_temp.sinc('visitador', jsonb_build_object('dispositivo', 'tablet-99', 'visitas', jsonb_build_array(
    pg_temp.item('00000000-0000-4000-8000-0000000000c1', 'cerrada', '2026-06-10 08:00-05')
      || '{"observaciones": "otra versión", "raciones_entregadas": 100}'))),
    jsonb_build_object('resultados', jsonb_build_array(jsonb_build_object(
        'id', '00000000-0000-4000-8000-0000000000c1', 'resultado', 'conflicto', 'version', 3, 'estado', 'cerrada',
        'error', jsonb_build_object('sqlstate', 'PV007',
            'mensaje', 'conflicto de sincronización en la visita 00000000-0000-4000-8000-0000000000c1: la visita cambió en el servidor desde la versión del dispositivo'))),
        'aceptadas', 0, 'duplicadas', 0, 'conflictos', 1, 'rechazadas', 0),
    'same id, other content, version_base 0: conflicto PV007 with the server version and state');
SELECT results_eq($$SELECT version, observaciones, raciones_entregadas, dispositivo FROM pae.visitas
                     WHERE id = '00000000-0000-4000-8000-0000000000c1'$$,
                  $$VALUES (3, 'sin novedad', 195, 'tablet-17')$$, 'the server row is untouched');

-- 2. a stale version_base (1 < 3) with other content
SELECT is(pg_temp.versiones(pg_temp.sinc('visitador', pg_temp.lote(
    pg_temp.item('00000000-0000-4000-8000-0000000000c1', 'cerrada', '2026-06-10 08:00-05')
      || '{"version_base": 1, "observaciones": "editada sin descargar"}'))),
    'conflicto/3/cerrada', 'version_base older than the server and content differs: conflicto');
-- a version_base the server never had
SELECT is(pg_temp.versiones(pg_temp.sinc('visitador', pg_temp.lote(
    pg_temp.item('00000000-0000-4000-8000-0000000000c2', 'cerrada', '2026-06-11 08:00-05') || '{"version_base": 7}'))),
    'conflicto/2/en_curso', 'version_base newer than the server: conflicto');
-- a visit the server does not have, claimed at version 4
SELECT is(pg_temp.sinc('visitador', pg_temp.lote(
    pg_temp.item('00000000-0000-4000-8000-0000000000c9', 'cerrada', '2026-06-19 08:00-05') || '{"version_base": 4}'))->'resultados'->0,
    '{"id": "00000000-0000-4000-8000-0000000000c9", "resultado": "conflicto", "version": 0,
      "error": {"sqlstate": "PV007", "mensaje": "conflicto de sincronización en la visita 00000000-0000-4000-8000-0000000000c9: la visita no existe en el servidor"}}',
    'an unknown visit with version_base > 0: conflicto with version 0 and no state');
-- the device is behind the server's state at the server's own version
SELECT is(pg_temp.versiones(pg_temp.sinc('visitador', pg_temp.lote(
    pg_temp.item('00000000-0000-4000-8000-0000000000c1', 'en_curso', '2026-06-10 08:00-05') || '{"version_base": 3}'))),
    'conflicto/3/cerrada', 'en_curso sent for a visit the server has cerrada (same version): conflicto');
INSERT INTO h VALUES ('conflictos', pg_temp.huella());
SELECT is((SELECT huella FROM h WHERE paso = 'conflictos'), (SELECT huella FROM h WHERE paso = 'antes'),
          'conflicts wrote nothing');

-- 3. the server changed a scheduled visit since the device pulled it
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-0000000000d1', '119001900101', '2026-06-20 08:00-05');
SELECT pg_temp.como('coordinador');
UPDATE pae.visitas SET fecha_visita = '2026-06-20 10:00-05' WHERE id = '00000000-0000-4000-8000-0000000000d1';
SELECT pg_temp.como(NULL, NULL);
SELECT is(pg_temp.versiones(pg_temp.sinc('visitador', pg_temp.lote(
    pg_temp.item('00000000-0000-4000-8000-0000000000d1', 'cerrada', '2026-06-20 08:00-05')
      || '{"version_base": 1, "raciones_programadas": 200}'))),
    'conflicto/2/programada', 're-planned on the server (version 2) after the device pulled version 1: conflicto');
SELECT results_eq($$SELECT estado::text, version, fecha_visita FROM pae.visitas WHERE id = '00000000-0000-4000-8000-0000000000d1'$$,
                  $$VALUES ('programada', 2, '2026-06-20 10:00-05'::timestamptz)$$, 'the re-planned visit is untouched');
SELECT is(pg_temp.versiones(pg_temp.sinc('visitador', pg_temp.lote(
    pg_temp.item('00000000-0000-4000-8000-0000000000d1', 'cerrada', '2026-06-20 10:00-05')
      || '{"version_base": 2, "raciones_programadas": 200}'))),
    'aceptada/4/cerrada', 'the device re-sends from version 2: accepted');

-- 4. the same id twice in one batch: the first wins
SELECT is(pg_temp.resultados(pg_temp.sinc('visitador', pg_temp.lote(
    pg_temp.item('00000000-0000-4000-8000-0000000000e1', 'programada', '2026-06-22 08:00-05'),
    pg_temp.item('00000000-0000-4000-8000-0000000000e1', 'programada', '2026-06-22 08:00-05') || '{"observaciones": "otra"}',
    pg_temp.item('00000000-0000-4000-8000-0000000000e1', 'programada', '2026-06-22 08:00-05')))),
    'aceptada,conflicto:PV007,duplicada', 'one id twice in a batch with other content: the first is accepted, the other is conflicto');

-- 5. evidence: stored once per id, never moved to another visit
SELECT is(pg_temp.resultados(pg_temp.sinc('visitador', pg_temp.lote(
    jsonb_set(pg_temp.item('00000000-0000-4000-8000-0000000000c3', 'en_curso', '2026-06-23 08:00-05'),
              '{evidencias,0,id}', to_jsonb(md5('00000000-0000-4000-8000-0000000000c2foto')::uuid))))),
    'rechazada:23505', 'an evidencia id already stored on another visit: rechazada (unique id), not moved');
SELECT is((SELECT count(*) FROM pae.visitas WHERE id = '00000000-0000-4000-8000-0000000000c3'), 0::bigint,
          'and that visit was rolled back whole');
SELECT is((SELECT visita::text FROM pae.evidencias WHERE id = md5('00000000-0000-4000-8000-0000000000c2foto')::uuid),
          '00000000-0000-4000-8000-0000000000c2', 'the evidence stays with its visit');

-- 6. the same photo (sha256) on another visit: foto_reutilizada on both
SELECT is(pg_temp.resultados(pg_temp.sinc('visitador', pg_temp.lote(
    jsonb_set(pg_temp.item('00000000-0000-4000-8000-0000000000c4', 'en_curso', '2026-06-24 08:00-05'),
              '{evidencias,0,sha256}', to_jsonb(encode(sha256(convert_to('00000000-0000-4000-8000-0000000000c1', 'UTF8')), 'hex')))))),
    'aceptada', 'a photo already used on another visit is accepted');
SELECT results_eq($$SELECT visita::text, detalle->>'otra_visita' FROM pae.alertas WHERE tipo = 'foto_reutilizada' ORDER BY visita$$,
                  $$VALUES ('00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000c4'),
                           ('00000000-0000-4000-8000-0000000000c4', '00000000-0000-4000-8000-0000000000c1')$$,
                  'and raises foto_reutilizada on both visits');

SELECT * FROM finish();
ROLLBACK;
