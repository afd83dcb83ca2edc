-- Alerts and errors leak nothing row-level security hides (issue 9 item 8).
-- foto_reutilizada raised from a caller's photo flags the caller's visit
-- only, without naming a visit the caller cannot see, and never creates or
-- reopens an alert on such a visit; a caller who sees both visits (the
-- supervisor of the municipio) flags both, each naming the other.  PV008
-- says only what the caller sent.  An unknown uuid and a person who is not
-- an active visitador get the same answer, unless the session is privileged.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SET LOCAL timezone = 'America/Bogota';
SET LOCAL datestyle = 'ISO, YMD';
SELECT plan(16);
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/intentar.sql

SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000701', '119001900101', '2026-06-10 08:00-05', 'otro_visitador');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000702', '119001900101', '2026-06-11 08:00-05', 'visitador');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000703', '119001900103', '2026-06-12 08:00-05', 'otro_visitador');
SELECT pg_temp.llevar('00000000-0000-4000-8000-000000000701', 'en_curso');
SELECT pg_temp.llevar('00000000-0000-4000-8000-000000000702', 'en_curso');
SELECT pg_temp.llevar('00000000-0000-4000-8000-000000000703', 'en_curso');
SELECT is(pg_temp.intentar('otro_visitador', $$INSERT INTO pae.evidencias (id, visita, tipo, sha256, bytes, mime)
                                              VALUES ('00000000-0000-4000-8000-0000000e0701', '00000000-0000-4000-8000-000000000701', 'foto', repeat('d7', 32), 1000, 'image/jpeg')$$),
          'ok', 'a photo on another visitador''s visit');
-- that visit already had a foto_reutilizada alert, reviewed and closed
INSERT INTO pae.alertas (visita, tipo, detalle, cerrada_en)
VALUES ('00000000-0000-4000-8000-000000000701', 'foto_reutilizada', '{"revisada": true}', '2026-06-10 12:00-05');

-- 1. the visitador sends the same photo: flagged on their side only
SELECT is(pg_temp.intentar('visitador', $$INSERT INTO pae.evidencias (id, visita, tipo, sha256, bytes, mime)
                                         VALUES ('00000000-0000-4000-8000-0000000e0702', '00000000-0000-4000-8000-000000000702', 'foto', repeat('D7', 32), 1000, 'image/jpeg')$$),
          'ok', 'the same photo (its hash in upper case) on the visitador''s visit is stored');
SELECT is((SELECT sha256 FROM pae.evidencias WHERE id = '00000000-0000-4000-8000-0000000e0702'), repeat('d7', 32),
          'the hash is stored in lower case');
SELECT results_eq($$SELECT detalle->>'sha256', detalle->>'evidencia', detalle->'otra_visita', detalle->'otra_evidencia', cerrada_en IS NULL
                      FROM pae.alertas WHERE visita = '00000000-0000-4000-8000-000000000702' AND tipo = 'foto_reutilizada'$$,
                  $$VALUES (repeat('d7', 32), '00000000-0000-4000-8000-0000000e0702', 'null'::jsonb, 'null'::jsonb, true)$$,
                  'the caller''s visit gets an open foto_reutilizada naming the hash and the caller''s evidence only');
SELECT ok((SELECT detalle::text FROM pae.alertas WHERE visita = '00000000-0000-4000-8000-000000000702' AND tipo = 'foto_reutilizada')
          NOT LIKE '%0000000e0701%'
          AND (SELECT detalle::text FROM pae.alertas WHERE visita = '00000000-0000-4000-8000-000000000702' AND tipo = 'foto_reutilizada')
          NOT LIKE '%000000000701%',
          'the detail carries neither the other visit nor the other evidence');
SELECT results_eq($$SELECT detalle, cerrada_en FROM pae.alertas WHERE visita = '00000000-0000-4000-8000-000000000701'$$,
                  $$VALUES ('{"revisada": true}'::jsonb, '2026-06-10 12:00-05'::timestamptz)$$,
                  'the other visit''s alert is not reopened nor rewritten by a caller who cannot see that visit');
SELECT is(pg_temp.intentar('visitador', $$INSERT INTO pae.evidencias (id, visita, tipo, sha256, bytes, mime)
                                         VALUES ('00000000-0000-4000-8000-0000000e0703', '00000000-0000-4000-8000-000000000702', 'foto', repeat('e7', 32), 1000, 'image/jpeg')$$),
          'ok', 'another photo of the visitador');
-- 2. the supervisor, who sees both visits, sends that hash on a visit of the other visitador
SELECT is(pg_temp.intentar('supervisor', $$INSERT INTO pae.evidencias (id, visita, tipo, sha256, bytes, mime)
                                          VALUES ('00000000-0000-4000-8000-0000000e0704', '00000000-0000-4000-8000-000000000703', 'foto', repeat('e7', 32), 1000, 'image/jpeg')$$),
          'ok', 'the supervisor registers the same photo on a visit they can see');
SELECT results_eq($$SELECT visita::text, detalle->>'otra_visita' FROM pae.alertas
                     WHERE tipo = 'foto_reutilizada' AND visita IN ('00000000-0000-4000-8000-000000000702', '00000000-0000-4000-8000-000000000703') ORDER BY visita$$,
                  $$VALUES ('00000000-0000-4000-8000-000000000702', '00000000-0000-4000-8000-000000000703'),
                           ('00000000-0000-4000-8000-000000000703', '00000000-0000-4000-8000-000000000702')$$,
                  'a caller who sees both visits flags both, each naming the other');

-- 3. PV008 says only what the caller sent
SELECT is(pg_temp.error_completo('supervisor', $$INSERT INTO pae.visitas (sede, contrato, visitador, fecha_visita)
                                                 SELECT '119001900101', 'PAE-T-001', id, '2026-06-10 15:00-05' FROM gente WHERE clave = 'otro_visitador'$$),
          'PV008: visita duplicada: el visitador ya tiene una visita a la sede "119001900101" ese día | El visitador '
          || pg_temp.id('otro_visitador') || ' ya tiene otra visita no cancelada a la sede "119001900101" el día 2026-06-10 (hora de Colombia).',
          'a second visit the same day: the detail names neither the other visit nor its time');
SELECT is(pg_temp.error_completo('visitador', $$INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita)
                                                SELECT '00000000-0000-4000-8000-000000000703', '119001900101', 'PAE-T-001', id, '2026-07-20 09:00-05' FROM gente WHERE clave = 'visitador'$$),
          'PV008: ya existe una visita con id 00000000-0000-4000-8000-000000000703 | El id 00000000-0000-4000-8000-000000000703 ya pertenece a otra visita; los ids de visita son únicos en todos los meses.',
          'an id taken by someone else''s visit: the detail does not say when that visit is');

-- 4. no enumeration of people through the visitador column
CREATE FUNCTION pg_temp.asignar(quien text, p_visitador uuid) RETURNS text LANGUAGE sql AS $$
    SELECT replace(pg_temp.error_completo(quien, format($q$INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita)
                                                           VALUES ('00000000-0000-4000-8000-0000000007ff', '119001900101', 'PAE-T-001', %L, '2026-08-03 09:00-05')$q$, p_visitador)),
                   p_visitador::text, '<id>')
$$;
SELECT is(pg_temp.asignar('visitador', pg_temp.id('inactivo')), pg_temp.asignar('visitador', 'f0000000-0000-4000-8000-00000000dead'),
          'visitador: an inactive person answers as an unknown uuid');
SELECT is(pg_temp.asignar('visitador', pg_temp.id('supervisor')), pg_temp.asignar('visitador', 'f0000000-0000-4000-8000-00000000dead'),
          'visitador: a person of another role answers as an unknown uuid');
SELECT is(pg_temp.asignar('supervisor', pg_temp.id('coordinador')), pg_temp.asignar('supervisor', 'f0000000-0000-4000-8000-00000000dead'),
          'supervisor: the same single answer');
SELECT unalike(pg_temp.asignar('visitador', pg_temp.id('inactivo')), '%activo =%', 'the answer says nothing of role or activo');
SELECT is(left(pg_temp.asignar(NULL, pg_temp.id('inactivo')), 5) || ' ' || left(pg_temp.asignar(NULL, 'f0000000-0000-4000-8000-00000000dead'), 5),
          '23514 23503', 'a privileged session still learns which it is');

SELECT * FROM finish();
ROLLBACK;
