-- Offline sync (SPEC §8, issue 11): a batch creates its visits and walks
-- them through the state machine with the device's times, as the caller;
-- the same batch again -- whole, reordered, split, with other key order or
-- another version_base -- changes nothing (no row, no audit row, no event)
-- and answers duplicada; a later item building on the returned version, and
-- a server-scheduled visit completed offline, are walked the same way.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(28);
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/intentar.sql
\i test/fixtures/sincronizar.sql

CREATE TEMP TABLE r (paso text PRIMARY KEY, respuesta jsonb, huella text);
GRANT ALL ON r TO PUBLIC;

-- 1. first sync: a closed visit, one in progress, one planned
INSERT INTO r SELECT 'primera', pg_temp.sinc('visitador', pg_temp.lote(
    pg_temp.item('00000000-0000-4000-8000-0000000000a1', 'cerrada', '2026-06-10 08:00-05'),
    pg_temp.item('00000000-0000-4000-8000-0000000000a2', 'en_curso', '2026-06-11 08:00-05'),
    pg_temp.item('00000000-0000-4000-8000-0000000000a3', 'programada', '2026-06-12 08:00-05'))),
    pg_temp.huella();
SELECT is(pg_temp.versiones(respuesta), 'aceptada/3/cerrada,aceptada/2/en_curso,aceptada/1/programada',
          'each item is accepted, in input order, with the version and state it reached')
  FROM r WHERE paso = 'primera';
SELECT is(respuesta - 'resultados', '{"aceptadas": 3, "duplicadas": 0, "conflictos": 0, "rechazadas": 0}',
          'the counts of the batch') FROM r WHERE paso = 'primera';
SELECT results_eq($$SELECT id::text, estado::text, version, visitador = pg_temp.id('visitador'),
                           checkin_en, checkout_en, raciones_entregadas, observaciones, dispositivo, dentro_geocerca
                      FROM pae.visitas ORDER BY id$$,
                  $$VALUES ('00000000-0000-4000-8000-0000000000a1', 'cerrada', 3, true,
                            '2026-06-10 08:05-05'::timestamptz, '2026-06-10 09:05-05'::timestamptz, 195, 'sin novedad', 'tablet-17', true),
                           ('00000000-0000-4000-8000-0000000000a2', 'en_curso', 2, true,
                            '2026-06-11 08:05-05'::timestamptz, NULL::timestamptz, NULL::int, NULL::text, 'tablet-17', true),
                           ('00000000-0000-4000-8000-0000000000a3', 'programada', 1, true,
                            NULL::timestamptz, NULL::timestamptz, NULL::int, NULL::text, 'tablet-17', NULL::boolean)$$,
                  'the visits carry the caller as visitador, the device times of check-in and check-out, the fence verdict');
SELECT results_eq($$SELECT desde::text, hacia::text, actor = pg_temp.id('visitador'), rol_db::text COLLATE "default"
                      FROM pae.transiciones WHERE visita = '00000000-0000-4000-8000-0000000000a1' ORDER BY id$$,
                  $$VALUES ('programada', 'en_curso', true, 'pae_visitador'), ('en_curso', 'cerrada', true, 'pae_visitador')$$,
                  'the closed visit was walked programada -> en_curso -> cerrada by the caller');
SELECT is((SELECT count(*) FROM pae.visita_respuestas WHERE visita = '00000000-0000-4000-8000-0000000000a1'),
          (SELECT count(*) FROM pae.checklist_items WHERE obligatorio AND activo),
          'its answers were stored');
SELECT results_eq($$SELECT id, tipo, bytes, tomada_en FROM pae.evidencias WHERE visita = '00000000-0000-4000-8000-0000000000a1'$$,
                  $$VALUES (md5('00000000-0000-4000-8000-0000000000a1foto')::uuid, 'foto', 183020::bigint, '2026-06-10 08:30-05'::timestamptz)$$,
                  'its photo was stored with the device id and time');
SELECT results_eq($$SELECT tipo, visita::text FROM pae.eventos ORDER BY id$$,
                  $$VALUES ('visita.en_curso', '00000000-0000-4000-8000-0000000000a1'), ('visita.cerrada', '00000000-0000-4000-8000-0000000000a1'),
                           ('visita.en_curso', '00000000-0000-4000-8000-0000000000a2'), ('sincronizacion', NULL)$$,
                  'one event per transition, then one sincronizacion event for the batch');
SELECT is((SELECT payload FROM pae.eventos WHERE tipo = 'sincronizacion'),
          jsonb_build_object('dispositivo', 'tablet-17', 'usuario', pg_temp.id('visitador'), 'visitas', 3,
                             'aceptadas', 3, 'duplicadas', 0, 'conflictos', 0, 'rechazadas', 0),
          'the batch event carries its counts');
SELECT is((SELECT count(*) FROM pae.auditoria WHERE tabla = 'visitas' AND pk->>'id' = '00000000-0000-4000-8000-0000000000a1'),
          3::bigint, 'the audit trail has the insert and both moves of the closed visit');
SELECT results_eq($$SELECT visita::text, version, dispositivo, usuario = pg_temp.id('visitador'), length(hash)
                      FROM pae.sincronizaciones ORDER BY visita$$,
                  $$VALUES ('00000000-0000-4000-8000-0000000000a1', 3, 'tablet-17', true, 32),
                           ('00000000-0000-4000-8000-0000000000a2', 2, 'tablet-17', true, 32),
                           ('00000000-0000-4000-8000-0000000000a3', 1, 'tablet-17', true, 32)$$,
                  'the accepted hash and version of each visit are kept');

-- 2. the same batch again: duplicada, nothing written
INSERT INTO r SELECT 'repetida', pg_temp.sinc('visitador', pg_temp.lote(
    pg_temp.item('00000000-0000-4000-8000-0000000000a1', 'cerrada', '2026-06-10 08:00-05'),
    pg_temp.item('00000000-0000-4000-8000-0000000000a2', 'en_curso', '2026-06-11 08:00-05'),
    pg_temp.item('00000000-0000-4000-8000-0000000000a3', 'programada', '2026-06-12 08:00-05'))),
    pg_temp.huella();
SELECT is(pg_temp.versiones(respuesta), 'duplicada/3/cerrada,duplicada/2/en_curso,duplicada/1/programada',
          'the same batch again: duplicada per item, with the server version')
  FROM r WHERE paso = 'repetida';
SELECT is((SELECT huella FROM r WHERE paso = 'repetida'), (SELECT huella FROM r WHERE paso = 'primera'),
          'the replay wrote no visit, answer, evidence, history, event, alert, audit or sync row');

-- 3. reordered, split, other key order and spacing, another version_base
INSERT INTO r SELECT 'reordenada', pg_temp.sinc('visitador', pg_temp.lote(
    pg_temp.item('00000000-0000-4000-8000-0000000000a3', 'programada', '2026-06-12 08:00-05'),
    pg_temp.item('00000000-0000-4000-8000-0000000000a1', 'cerrada', '2026-06-10 08:00-05'))),
    pg_temp.huella();
SELECT is(pg_temp.versiones(respuesta), 'duplicada/1/programada,duplicada/3/cerrada',
          'reordered and split: duplicada, answered in the order sent') FROM r WHERE paso = 'reordenada';
INSERT INTO r SELECT 'otra_forma', pg_temp.sinc('visitador', pg_temp.lote(
    (pg_temp.item('00000000-0000-4000-8000-0000000000a2', 'en_curso', '2026-06-11 08:00-05')::text)::jsonb || '{"version_base": 2}')),
    pg_temp.huella();
SELECT is(pg_temp.versiones(respuesta), 'duplicada/2/en_curso',
          'the same content with the version_base the first answer returned is still duplicada') FROM r WHERE paso = 'otra_forma';
SELECT is(pg_temp.resultados(pg_temp.sinc('visitador', jsonb_build_object('visitas', jsonb_build_array(
    '{"estado": "programada", "contrato": "PAE-T-001", "sede": "119001900101",
      "fecha_visita": "2026-06-12T08:00:00-05:00",    "version_base": 0, "id": "00000000-0000-4000-8000-0000000000a3"}'::jsonb)))),
    'duplicada', 'key order and spacing do not matter (canonical jsonb text)');
SELECT is(huella, (SELECT huella FROM r WHERE paso = 'primera'), 'none of the re-sends wrote anything')
  FROM r WHERE paso = 'otra_forma';
SELECT is((SELECT count(*) FROM pae.eventos WHERE tipo = 'sincronizacion'), 1::bigint,
          'batches that changed nothing leave no sincronizacion event');

-- 4. building on the returned version: the visit in progress is closed
SELECT is(pg_temp.versiones(pg_temp.sinc('visitador', pg_temp.lote(
    pg_temp.item('00000000-0000-4000-8000-0000000000a2', 'cerrada', '2026-06-11 08:00-05') || '{"version_base": 2}'))),
    'aceptada/3/cerrada', 'a later item with version_base = the returned version walks en_curso -> cerrada');
SELECT results_eq($$SELECT estado::text, checkin_en, checkout_en FROM pae.visitas WHERE id = '00000000-0000-4000-8000-0000000000a2'$$,
                  $$VALUES ('cerrada', '2026-06-11 08:05-05'::timestamptz, '2026-06-11 09:05-05'::timestamptz)$$,
                  'its check-in is the first one, its check-out the device''s');
SELECT is((SELECT count(*) FROM pae.evidencias WHERE visita = '00000000-0000-4000-8000-0000000000a2'), 1::bigint,
          'the photo sent twice (same evidencia id) is stored once');
SELECT is((SELECT count(*) FROM pae.transiciones WHERE visita = '00000000-0000-4000-8000-0000000000a2'), 2::bigint,
          'no move was made twice');

-- 5. a visit the server scheduled, completed offline
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-0000000000b1', '119001900101', '2026-06-15 08:00-05');
SELECT is(pg_temp.versiones(pg_temp.sinc('visitador', pg_temp.lote(
    pg_temp.item('00000000-0000-4000-8000-0000000000b1', 'cerrada', '2026-06-15 08:00-05') || '{"version_base": 1, "raciones_programadas": 200}'))),
    'aceptada/3/cerrada', 'a server-scheduled programada visit (version 1) completed offline is walked to cerrada');
SELECT results_eq($$SELECT desde::text, hacia::text FROM pae.transiciones WHERE visita = '00000000-0000-4000-8000-0000000000b1' ORDER BY id$$,
                  $$VALUES ('programada', 'en_curso'), ('en_curso', 'cerrada')$$,
                  'through the same two moves');
SELECT is(pg_temp.versiones(pg_temp.sinc('visitador', pg_temp.lote(
    pg_temp.item('00000000-0000-4000-8000-0000000000b1', 'cerrada', '2026-06-15 08:00-05') || '{"version_base": 1, "raciones_programadas": 200}'))),
    'duplicada/3/cerrada', 'and its replay is duplicada');

-- 6. the sync bookkeeping is not writable by clients, readable within scope
SELECT is(pg_temp.intentar('visitador', $$INSERT INTO pae.sincronizaciones (visita, hash, version) VALUES (gen_random_uuid(), '\x00', 1)$$),
          '42501: permission denied for table sincronizaciones', 'a visitador cannot write pae.sincronizaciones');
SELECT is(pg_temp.intentar('visitador', $$UPDATE pae.sincronizaciones SET hash = '\x00'$$),
          '42501: permission denied for table sincronizaciones', 'nor change a stored hash');
SELECT is((SELECT count(*) FROM pae.sincronizaciones), 4::bigint, 'four visits synced');
SELECT pg_temp.como('otro_visitador');
SELECT is((SELECT count(*) FROM pae.sincronizaciones), 0::bigint, 'another visitador sees none of them');
SELECT pg_temp.como(NULL, NULL);

SELECT * FROM finish();
ROLLBACK;
