-- Offline sync (SPEC §5, §8): the actor is the caller.  A new visit's
-- visitador is whoever syncs it; naming someone else is 42501.  A visit
-- assigned to someone else cannot be synced (42501), and a supervisor
-- cannot make the visitador's moves (the state machine refuses, PV002).
-- A session with no identity creates nothing; roles without the grant
-- cannot call the function at all.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(11);
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/intentar.sql
\i test/fixtures/sincronizar.sql

-- 1. a new visit in someone else's name
SELECT is(pg_temp.sinc('visitador', pg_temp.lote(
    pg_temp.item('00000000-0000-4000-8000-000000000001') || jsonb_build_object('visitador', pg_temp.id('otro_visitador'))))->'resultados'->0->'error',
    '{"sqlstate": "42501", "mensaje": "una visita sincronizada es del visitador que la sincroniza"}',
    'a new visit naming another visitador: 42501');
SELECT is((SELECT count(*) FROM pae.visitas), 0::bigint, 'and nothing was created');
SELECT is(pg_temp.resultados(pg_temp.sinc('visitador', pg_temp.lote(
    pg_temp.item('00000000-0000-4000-8000-000000000001') || jsonb_build_object('visitador', pg_temp.id('visitador'))))),
    'aceptada', 'naming oneself is the same as naming nobody');

-- 2. a visit assigned to someone else
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000002', '119001900101', '2026-06-12 08:00-05', 'otro_visitador');
SELECT is(pg_temp.sinc('visitador', pg_temp.lote(
    pg_temp.item('00000000-0000-4000-8000-000000000002', 'cerrada', '2026-06-12 08:00-05') || '{"version_base": 1}'))->'resultados'->0->'error',
    '{"sqlstate": "42501", "mensaje": "la visita 00000000-0000-4000-8000-000000000002 no es de esta sesión"}',
    'completing a visit assigned to another visitador: 42501');
SELECT is(pg_temp.resultados(pg_temp.sinc('otro_visitador', pg_temp.lote(
    pg_temp.item('00000000-0000-4000-8000-000000000001') || jsonb_build_object('visitador', pg_temp.id('visitador'))))),
    'rechazada:42501', 'replaying the content another visitador synced: 42501, not duplicada');
SELECT results_eq($$SELECT id::text, estado::text, version FROM pae.visitas ORDER BY id$$,
                  $$VALUES ('00000000-0000-4000-8000-000000000001', 'cerrada', 3), ('00000000-0000-4000-8000-000000000002', 'programada', 1)$$,
                  'both visits are untouched');

-- 3. a supervisor of the municipio sees the visit but is not its visitador
SELECT is(pg_temp.resultados(pg_temp.sinc('supervisor', pg_temp.lote(
    pg_temp.item('00000000-0000-4000-8000-000000000002', 'cerrada', '2026-06-12 08:00-05')
      || jsonb_build_object('version_base', 1, 'visitador', pg_temp.id('otro_visitador'))))),
    'rechazada:PV002', 'a supervisor cannot check a visitador''s visit in: PV002 from the state machine');
SELECT is(pg_temp.resultados(pg_temp.sinc('supervisor_otro', pg_temp.lote(
    pg_temp.item('00000000-0000-4000-8000-000000000002', 'cerrada', '2026-06-12 08:00-05') || '{"version_base": 1}'))),
    'rechazada:42501', 'a supervisor of another municipio does not even see it');

-- 4. a session with no identity
SELECT pg_temp.como(NULL, NULL);
SELECT set_config('role', 'pae_visitador', true);
SELECT is(pae_api.sincronizar(pg_temp.lote(pg_temp.item('00000000-0000-4000-8000-000000000003', 'programada', '2026-06-13 08:00-05')))->'resultados'->0->'error',
          '{"sqlstate": "42501", "mensaje": "sesión sin usuario identificado no puede sincronizar visitas"}',
          'a session with no identity creates nothing: 42501');
SELECT pg_temp.como(NULL, NULL);

-- 5. privileges
CREATE FUNCTION pg_temp.como_rol(rol text, sentencia text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE v text := 'ok';
BEGIN
    BEGIN
        PERFORM pg_temp.como(rol, NULL);
        EXECUTE sentencia;
    EXCEPTION WHEN OTHERS THEN
        v := SQLSTATE || ': ' || SQLERRM;
    END;
    PERFORM pg_temp.como(NULL, NULL);
    RETURN v;
END $$;
SELECT is(pg_temp.como_rol('pae_anon', $$SELECT pae_api.sincronizar('{"visitas": []}')$$),
          '42501: permission denied for function sincronizar', 'pae_anon (PostgREST before login) cannot call it');
SELECT is((SELECT array_agg(r.rolname::text ORDER BY r.rolname) FROM pg_roles r
            WHERE has_function_privilege(r.oid, 'pae_api.sincronizar(jsonb)', 'EXECUTE')
              AND r.rolname LIKE 'pae\_%' AND NOT r.rolsuper),
          ARRAY['pae_admin', 'pae_coordinador', 'pae_supervisor', 'pae_visitador'],
          'EXECUTE is granted to the four staff roles only, not to PUBLIC');

SELECT * FROM finish();
ROLLBACK;
