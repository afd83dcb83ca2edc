-- Documented limits on what hangs off a visit (issue 9 item 12, pae.reglas()):
-- the text of an answer's observacion, an evidence's uri and mime (22001),
-- the number of evidences of a visit (23514: PostgREST answers 400, where 54000 would be a 500), and a sha256 that is 64
-- hexadecimal digits (22023).  Each refused write stores nothing.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(16);
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/intentar.sql

SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000801');
SELECT pg_temp.llevar('00000000-0000-4000-8000-000000000801', 'en_curso');
CREATE FUNCTION pg_temp.evidencia(p_sha text, p_mime text DEFAULT 'image/jpeg', p_uri text DEFAULT NULL) RETURNS text LANGUAGE sql AS $$
    SELECT pg_temp.intentar('visitador', format($q$INSERT INTO pae.evidencias (visita, tipo, sha256, bytes, mime, uri)
                                                  VALUES ('00000000-0000-4000-8000-000000000801', 'foto', %L, 1000, %L, %L)$q$, p_sha, p_mime, p_uri))
$$;

SELECT results_eq($$SELECT nombre, valor FROM pae.reglas()
                     WHERE nombre IN ('respuesta_observacion_max', 'evidencia_uri_max', 'evidencia_mime_max', 'evidencias_por_visita_max')
                     ORDER BY nombre$$,
                  $$VALUES ('evidencia_mime_max', '255'), ('evidencia_uri_max', '2048'),
                           ('evidencias_por_visita_max', '50'), ('respuesta_observacion_max', '2000')$$,
                  'the limits are rules of the catalogue');

-- 1. an answer's observacion
SELECT is(pg_temp.intentar('visitador', $$SELECT pae_api.responder('00000000-0000-4000-8000-000000000801', 'HIG-01', 'cumple', repeat('x', 2000))$$),
          'ok', 'an observación of 2000 characters is accepted');
SELECT is(pg_temp.intentar('visitador', $$SELECT pae_api.responder('00000000-0000-4000-8000-000000000801', 'HIG-01', 'no_cumple', repeat('á', 2001))$$),
          '22001: observación demasiado larga: 2001 caracteres', 'one character more is 22001 (characters, not bytes)');
SELECT is(pg_temp.intentar('visitador', $$INSERT INTO pae.visita_respuestas (visita, item, valor, observacion)
                                         VALUES ('00000000-0000-4000-8000-000000000801', 'MEN-01', 'cumple', repeat('x', 1048576))$$),
          '22001: observación demasiado larga: 1048576 caracteres', 'a 1 MB observación is 22001');
SELECT is((SELECT valor FROM pae.visita_respuestas WHERE visita = '00000000-0000-4000-8000-000000000801' AND item = 'HIG-01'), 'cumple',
          'the refused correction left the answer as it was');

-- 2. evidence: sha256, mime, uri
SELECT is(pg_temp.evidencia('abc'), '22023: huella sha256 inválida', 'a sha256 of 3 characters is 22023');
SELECT is(pg_temp.evidencia(repeat('ab', 32) || 'c'), '22023: huella sha256 inválida', 'a sha256 of 65 hex digits is 22023');
SELECT is(pg_temp.evidencia(repeat('zz', 32)), '22023: huella sha256 inválida', '64 characters that are not hexadecimal are 22023');
SELECT is(pg_temp.evidencia(repeat('ab', 32), 'image/' || repeat('x', 250)), '22001: tipo MIME de la evidencia demasiado largo: 256 caracteres',
          'a mime of 256 characters is 22001');
SELECT is(pg_temp.evidencia(repeat('ab', 32), 'image/jpeg', 's3://pae/' || repeat('x', 2040)), '22001: uri de la evidencia demasiado larga: 2049 caracteres',
          'a uri of 2049 characters is 22001');
SELECT is(pg_temp.evidencia(repeat('ab', 32), 'image/' || repeat('x', 249), 's3://pae/' || repeat('x', 2039)), 'ok',
          'a mime of 255 and a uri of 2048 characters are accepted');

-- 3. evidence per visit
SELECT is(pg_temp.intentar('visitador', $$INSERT INTO pae.evidencias (visita, tipo, sha256, bytes, mime)
                                         SELECT '00000000-0000-4000-8000-000000000801', 'foto', encode(sha256(convert_to(i::text, 'UTF8')), 'hex'), 1000, 'image/jpeg'
                                           FROM generate_series(1, 49) AS i$$),
          'ok', '50 evidences on one visit are accepted');
SELECT is(pg_temp.evidencia(repeat('cd', 32)), '23514: la visita 00000000-0000-4000-8000-000000000801 ya tiene el máximo de evidencias',
          'the 51st is 23514');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000802', '119001900101', '2026-06-11 08:00-05');
SELECT pg_temp.llevar('00000000-0000-4000-8000-000000000802', 'en_curso');
SELECT is(pg_temp.intentar('visitador', $$INSERT INTO pae.evidencias (visita, tipo, sha256, bytes, mime)
                                         SELECT '00000000-0000-4000-8000-000000000802', 'foto', encode(sha256(convert_to('o' || i, 'UTF8')), 'hex'), 1000, 'image/jpeg'
                                           FROM generate_series(1, 51) AS i$$),
          '23514: la visita 00000000-0000-4000-8000-000000000802 ya tiene el máximo de evidencias',
          'one statement with 51 evidences is 23514');
SELECT is(pg_temp.intentar('visitador', $$INSERT INTO pae.evidencias (visita, tipo, sha256, bytes, mime)
                                         VALUES ('00000000-0000-4000-8000-000000000802', 'foto', repeat('ef', 32), 1000, 'image/jpeg')$$)
          || ' ' || pg_temp.intentar('visitador', $$UPDATE pae.evidencias SET visita = '00000000-0000-4000-8000-000000000801'
                                                    WHERE visita = '00000000-0000-4000-8000-000000000802'$$),
          'ok 23514: la visita 00000000-0000-4000-8000-000000000801 ya tiene el máximo de evidencias',
          'moving an evidence onto a full visit is 23514');
SELECT results_eq($$SELECT visita::text, count(*) FROM pae.evidencias GROUP BY visita ORDER BY visita$$,
                  $$VALUES ('00000000-0000-4000-8000-000000000801', 50::bigint), ('00000000-0000-4000-8000-000000000802', 1::bigint)$$,
                  'the visit holds exactly its 50 evidences; nothing refused was stored');

SELECT * FROM finish();
ROLLBACK;
