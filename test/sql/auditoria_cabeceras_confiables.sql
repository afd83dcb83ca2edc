-- request.headers enter the audit only from sessions whose claims are
-- trusted (opened by the authenticator role, pae.rol_autenticador, or by a
-- superuser): any other session can SET request.headers and forge
-- x-forwarded-for.  A \u0000 in a header drops that header, not the whole
-- cliente.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(8);
\i test/fixtures/visitas_y_personas.sql

SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-00000000a902');
-- a login mapped to the coordinadora (no JWT), and an authenticator
CREATE ROLE pae_prueba_login LOGIN IN ROLE pae_coordinador;
UPDATE pae.usuarios SET login_db = 'pae_prueba_login' WHERE id = pg_temp.id('coordinador');
CREATE ROLE pae_prueba_autenticador LOGIN NOINHERIT IN ROLE pae_supervisor;
SET LOCAL pae.rol_autenticador = 'pae_prueba_autenticador';

-- one PATCH of the visit's observaciones with the given headers
CREATE FUNCTION pg_temp.anotar(p_texto text, p_cabeceras text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('request.headers', p_cabeceras, true);
    UPDATE pae.visitas SET observaciones = p_texto WHERE id = '00000000-0000-4000-8000-00000000a902';
END $$;
CREATE TEMP VIEW cambio AS
    SELECT a.despues->>'observaciones' AS texto, a.cliente, a.actor
      FROM pae.auditoria a
     WHERE a.tabla = 'visitas' AND a.operacion = 'UPDATE'
       AND a.pk->>'id' = '00000000-0000-4000-8000-00000000a902';

-- the superuser's session: trusted
SELECT pg_temp.como('coordinador');
SELECT pg_temp.anotar('confiable', '{"user-agent":"pae-app/2.1","x-forwarded-for":"190.0.0.7"}');
SELECT pg_temp.anotar('nul en un valor', '{"user-agent":"pae\u0000app","x-forwarded-for":"190.0.0.7"}');
SELECT pg_temp.anotar('nul en una clave', '{"x-nada\u0000":"z","user-agent":"pae-app/2.1"}');
SELECT pg_temp.anotar('barra escapada', '{"user-agent":"pae\\u0000app"}');
SELECT pg_temp.como(NULL, NULL);

-- a session opened by a login that is not the authenticator: untrusted
SET SESSION AUTHORIZATION pae_prueba_login;
SELECT set_config('request.jwt.claims', json_build_object('sub', pg_temp.id('admin'), 'role', 'pae_admin')::text, true) IS NOT NULL AS claims_forjados;
SELECT pg_temp.anotar('no confiable', '{"user-agent":"pae-app/2.1","x-forwarded-for":"10.6.6.6"}');
RESET SESSION AUTHORIZATION;

-- a session opened by the authenticator role, then SET ROLE as PostgREST does
SET SESSION AUTHORIZATION pae_prueba_autenticador;
SELECT pg_temp.como('supervisor');
SELECT pg_temp.anotar('autenticador', '{"user-agent":"pae-app/2.1","x-forwarded-for":"190.0.0.8"}');
RESET ROLE;
RESET SESSION AUTHORIZATION;
SELECT pg_temp.como(NULL, NULL);

SELECT is((SELECT cliente FROM cambio WHERE texto = 'confiable'),
          '{"user-agent": "pae-app/2.1", "x-forwarded-for": "190.0.0.7"}'::jsonb,
          'a superuser''s session: the headers are recorded');
SELECT is((SELECT cliente FROM cambio WHERE texto = 'nul en un valor'),
          '{"x-forwarded-for": "190.0.0.7"}'::jsonb,
          'a \u0000 in a value drops that header only');
SELECT is((SELECT cliente FROM cambio WHERE texto = 'nul en una clave'),
          '{"user-agent": "pae-app/2.1"}'::jsonb,
          'a \u0000 in a key drops that member only');
SELECT is((SELECT cliente FROM cambio WHERE texto = 'barra escapada'),
          '{"user-agent": "pae\\u0000app"}'::jsonb,
          'an escaped backslash before u0000 is no NUL: the value is kept as sent');
SELECT is((SELECT cliente FROM cambio WHERE texto = 'no confiable'), NULL,
          'a session not opened by the authenticator: its headers are not recorded');
SELECT is((SELECT actor FROM cambio WHERE texto = 'no confiable'), pg_temp.id('coordinador'),
          'and its claims are not believed: the actor is the login_db person');
SELECT is((SELECT cliente FROM cambio WHERE texto = 'autenticador'),
          '{"user-agent": "pae-app/2.1", "x-forwarded-for": "190.0.0.8"}'::jsonb,
          'a session opened by the authenticator role: the headers are recorded');
SELECT is((SELECT actor FROM cambio WHERE texto = 'autenticador'), pg_temp.id('supervisor'),
          'and the actor is the sub of its JWT');

SELECT * FROM finish();
ROLLBACK;
