-- History and outbox of SPEC §5 and §7: exactly one pae.transiciones row and
-- one pae.eventos row per move, with desde/hacia/actor/motivo; none for a
-- refused move; version + 1 on each change.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(12);
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/intentar.sql

SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000201');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000202', '119001900101', '2026-06-11 08:00-05');
SELECT is((SELECT version FROM pae.visitas WHERE id = '00000000-0000-4000-8000-000000000201'), 1, 'a new visit is version 1');

-- a whole life, each step one request; refused requests in between
CREATE TEMP TABLE pasos (n int, quien text, sentencia text, resultado text, version int);
INSERT INTO pasos (n, quien, sentencia) VALUES
 (1, 'visitador',   $$SELECT pae.transicion('00000000-0000-4000-8000-000000000201', 'cerrada', NULL, 2.4443, -76.6128, 5)$$),
 (2, 'visitador',   $$SELECT pae.transicion('00000000-0000-4000-8000-000000000201', 'en_curso', NULL, 2.4443, -76.6128, 5)$$),
 (3, 'visitador',   $$UPDATE pae.visitas SET observaciones = 'llegué a las 8' WHERE id = '00000000-0000-4000-8000-000000000201'$$),
 (4, 'visitador',   $$SELECT pg_temp.completar('00000000-0000-4000-8000-000000000201')$$),
 (5, 'visitador',   $$SELECT pae.transicion('00000000-0000-4000-8000-000000000201', 'cerrada', NULL, 2.4443, -76.6128, 5)$$),
 (6, 'supervisor',  $$SELECT pae.transicion('00000000-0000-4000-8000-000000000201', 'devuelta')$$),
 (7, 'supervisor',  $$SELECT pae.transicion('00000000-0000-4000-8000-000000000201', 'devuelta', 'falta la firma del rector')$$),
 (8, 'visitador',   $$SELECT pae.transicion('00000000-0000-4000-8000-000000000201', 'cerrada')$$),
 (9, 'visitador',   $$SELECT pae.transicion('00000000-0000-4000-8000-000000000201', 'aprobada')$$),
 (10, 'coordinador', $$UPDATE pae.visitas SET estado = 'aprobada' WHERE id = '00000000-0000-4000-8000-000000000201'$$),
 (11, 'coordinador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000201', 'cancelada', 'ya aprobada')$$),
 (12, 'visitador',   $$UPDATE pae.visitas SET observaciones = 'cambio tardío' WHERE id = '00000000-0000-4000-8000-000000000201'$$),
 (13, NULL,          $$SELECT pae.transicion('00000000-0000-4000-8000-000000000202', 'cancelada', 'carga histórica')$$);
DO $$
DECLARE p record; r text;
BEGIN
    FOR p IN SELECT * FROM pasos ORDER BY n LOOP
        r := pg_temp.intentar(p.quien, p.sentencia);
        UPDATE pasos SET resultado = split_part(r, ':', 1),
                         version = (SELECT version FROM pae.visitas WHERE id = CASE WHEN p.n = 13 THEN '00000000-0000-4000-8000-000000000202'::uuid
                                                                                   ELSE '00000000-0000-4000-8000-000000000201'::uuid END)
         WHERE n = p.n;
    END LOOP;
END $$;
SELECT n, coalesce(quien, 'superusuario') AS quien, resultado, version FROM pasos ORDER BY n;

SELECT results_eq($$SELECT resultado, version FROM pasos ORDER BY n$$,
                  $$VALUES ('PV002', 1), ('ok', 2), ('ok', 3), ('ok', 3), ('ok', 4), ('PV003', 4), ('ok', 5), ('ok', 6),
                           ('PV002', 6), ('ok', 7), ('PV002', 7), ('PV002', 7), ('ok', 2)$$,
                  'accepted changes add one to version, refused ones leave it');

SELECT results_eq($$SELECT t.desde::text, t.hacia::text, g.clave, t.motivo FROM pae.transiciones t LEFT JOIN gente g ON g.id = t.actor
                     WHERE t.visita = '00000000-0000-4000-8000-000000000201' ORDER BY t.id$$,
                  $$VALUES ('programada', 'en_curso', 'visitador', NULL::text),
                           ('en_curso', 'cerrada', 'visitador', NULL),
                           ('cerrada', 'devuelta', 'supervisor', 'falta la firma del rector'),
                           ('devuelta', 'cerrada', 'visitador', NULL),
                           ('cerrada', 'aprobada', 'coordinador', NULL)$$,
                  'one history row per move, with desde, hacia, actor and motivo; none for refused moves');
SELECT results_eq($$SELECT e.tipo, e.payload FROM pae.eventos e WHERE e.visita = '00000000-0000-4000-8000-000000000201' ORDER BY e.id$$,
                  $$VALUES ('visita.en_curso', '{"desde": "programada", "hacia": "en_curso"}'::jsonb),
                           ('visita.cerrada', '{"desde": "en_curso", "hacia": "cerrada"}'),
                           ('visita.devuelta', '{"desde": "cerrada", "hacia": "devuelta"}'),
                           ('visita.cerrada', '{"desde": "devuelta", "hacia": "cerrada"}'),
                           ('visita.aprobada', '{"desde": "cerrada", "hacia": "aprobada"}')$$,
                  'one event per move, none for refused moves');
SELECT is((SELECT count(*) FROM pae.transiciones WHERE visita = '00000000-0000-4000-8000-000000000201'),
          (SELECT count(*) FROM pae.eventos WHERE visita = '00000000-0000-4000-8000-000000000201'), 'as many events as history rows');
SELECT is((SELECT bool_and(t.en = now()) FROM pae.transiciones t WHERE t.visita = '00000000-0000-4000-8000-000000000201'), true,
          'history rows carry the time of their transaction');
SELECT is((SELECT motivo_estado FROM pae.visitas WHERE id = '00000000-0000-4000-8000-000000000201'), NULL,
          'a move without motivo clears the previous motivo_estado');
SELECT is((SELECT observaciones FROM pae.visitas WHERE id = '00000000-0000-4000-8000-000000000201'), 'llegué a las 8',
          'an approved visit is frozen: the late change was refused');

-- a session without identity that is privileged (superuser): actor NULL
SELECT results_eq($$SELECT desde::text, hacia::text, actor IS NULL, motivo FROM pae.transiciones WHERE visita = '00000000-0000-4000-8000-000000000202'$$,
                  $$VALUES ('programada', 'cancelada', true, 'carga histórica')$$,
                  'a privileged session without identity moves the visit with actor NULL');
-- the database role of the request is recorded (the session's role, not the extension owner)
SELECT is((SELECT array_agg(t.rol_db::text ORDER BY t.id) FROM pae.transiciones t WHERE t.visita = '00000000-0000-4000-8000-000000000201'),
          ARRAY['pae_visitador', 'pae_visitador', 'pae_supervisor', 'pae_visitador', 'pae_coordinador'],
                  'transiciones.rol_db is the role of the request');

-- a refused move inside a transaction that goes on leaves no row behind
\set ON_ERROR_STOP 0
\set VERBOSITY terse
SAVEPOINT antes_de_error;
SELECT pg_temp.como('supervisor');
SELECT pae.transicion('00000000-0000-4000-8000-000000000201', 'cancelada', 'tarde');
ROLLBACK TO SAVEPOINT antes_de_error;
\set VERBOSITY default
\set ON_ERROR_STOP 1
SELECT pg_temp.como(NULL, NULL);
SELECT is((SELECT count(*) FROM pae.transiciones)::int + (SELECT count(*) FROM pae.eventos)::int, 12, 'still 6 history rows and 6 events in all');
SELECT is((SELECT estado::text FROM pae.visitas WHERE id = '00000000-0000-4000-8000-000000000201'), 'aprobada', 'and the visit is aprobada');

SELECT * FROM finish();
ROLLBACK;
