-- The audit names the role that called, not the owner of the SECURITY
-- DEFINER function the change ran in (nested definer calls included), and
-- a person mapped by login_db is the actor of what their role does through
-- such a function.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(8);
\i test/fixtures/visitas_y_personas.sql

SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-00000000a901');
-- a definer function (owned by the superuser) that writes a visit
CREATE FUNCTION pg_temp.anotar(p_texto text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    UPDATE pae.visitas SET observaciones = p_texto WHERE id = '00000000-0000-4000-8000-00000000a901' $$;
-- and another definer function, owned by another role, that calls it
CREATE ROLE pae_prueba_duenio NOLOGIN;
CREATE FUNCTION pg_temp.anotar_por(p_texto text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_temp.anotar(p_texto) $$;
ALTER FUNCTION pg_temp.anotar_por(text) OWNER TO pae_prueba_duenio;
-- a database role mapped to the coordinadora by login_db
CREATE ROLE pae_prueba_quien NOLOGIN IN ROLE pae_coordinador;
UPDATE pae.usuarios SET login_db = 'pae_prueba_quien' WHERE id = pg_temp.id('coordinador');

CREATE TEMP VIEW cambio AS
    SELECT a.despues->>'observaciones' AS texto, a.rol_db, a.actor
      FROM pae.auditoria a
     WHERE a.tabla = 'visitas' AND a.operacion = 'UPDATE'
       AND a.pk->>'id' = '00000000-0000-4000-8000-00000000a901';
GRANT SELECT ON cambio TO PUBLIC;

-- 1. a PostgREST request (trusted JWT) calling the definer function
SELECT pg_temp.como('supervisor');
SELECT pg_temp.anotar('por jwt');
-- 2. the login_db role, no claims
SELECT pg_temp.como('pae_prueba_quien', NULL);
SELECT pg_temp.anotar('por login_db');
-- 3. the same role through two nested definer functions
SELECT pg_temp.anotar_por('anidada');
SELECT pg_temp.como(NULL, NULL);

SELECT is((SELECT rol_db FROM cambio WHERE texto = 'por jwt'), 'pae_supervisor',
          'rol_db is the role of the request, not the owner of the definer function');
SELECT is((SELECT actor FROM cambio WHERE texto = 'por jwt'), pg_temp.id('supervisor'),
          'the actor is the sub of the trusted JWT');
SELECT is((SELECT rol_db FROM cambio WHERE texto = 'por login_db'), 'pae_prueba_quien',
          'rol_db is the login_db role that called');
SELECT is((SELECT actor FROM cambio WHERE texto = 'por login_db'), pg_temp.id('coordinador'),
          'the person mapped by login_db to the calling role is the actor');
SELECT is((SELECT rol_db FROM cambio WHERE texto = 'anidada'), 'pae_prueba_quien',
          'nested definer functions: rol_db is still the role that called the outer one');
SELECT is((SELECT actor FROM cambio WHERE texto = 'anidada'), pg_temp.id('coordinador'),
          'nested definer functions: the actor is still the mapped person');
SELECT ok(NOT EXISTS (SELECT 1 FROM cambio WHERE rol_db IN ('postgres', 'pae_prueba_duenio')),
          'no audit row names a function owner');
-- the trigger's own bookkeeping runs as the extension's owner: still the caller
SELECT is((SELECT count(*)::int FROM pae.auditoria a
            WHERE a.pk->>'id' = '00000000-0000-4000-8000-00000000a901'
              AND a.tabla = 'visitas' AND a.rol_db = current_user), 1,
          'only the superuser''s own INSERT of the visit names the superuser');

SELECT * FROM finish();
ROLLBACK;
