-- pae.salud(), checks rol_autenticador and secreto_jwt (issue 13, item 3):
-- the role named by pae.rol_autenticador exists, can log in and can become
-- pae_anon..pae_admin (PostgREST's SET ROLE), and the JWT secret is set
-- (never shown).  Roles are made inside the transaction and rolled back.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(10);
CREATE FUNCTION pg_temp.salud(c text, OUT chequeo text, OUT estado text, OUT detalle text, OUT sugerencia text)
LANGUAGE sql AS $$
    SELECT * FROM pae.salud() s WHERE s.chequeo = c $$;

-- 1-2. a role that does not exist: error, with the statements to create it
SET LOCAL pae.rol_autenticador = 'autenticador_inexistente';
SELECT is((pg_temp.salud('rol_autenticador')).estado, 'error', 'authenticator role missing: error');
SELECT matches((pg_temp.salud('rol_autenticador')).sugerencia, '^CREATE ROLE autenticador_inexistente LOGIN',
               'the suggestion creates it');

-- 3-4. exists but cannot become the pae_* roles: error, naming the grant
CREATE ROLE autenticador_prueba LOGIN NOINHERIT;
SET LOCAL pae.rol_autenticador = 'autenticador_prueba';
SELECT is((pg_temp.salud('rol_autenticador')).estado, 'error', 'authenticator without the pae_* roles: error');
GRANT pae_anon, pae_visitador, pae_supervisor, pae_coordinador TO autenticador_prueba;
SELECT is((pg_temp.salud('rol_autenticador')).sugerencia, 'GRANT pae_admin TO autenticador_prueba;',
          'the suggestion grants exactly the missing roles');

-- 5. all granted: ok
GRANT pae_admin TO autenticador_prueba;
SELECT is((pg_temp.salud('rol_autenticador')).estado, 'ok', 'authenticator that can become every pae_* role: ok');

-- 6. NOLOGIN: error
ALTER ROLE autenticador_prueba NOLOGIN;
SELECT is((pg_temp.salud('rol_autenticador')).estado, 'error', 'a NOLOGIN authenticator: error');

-- 7. setting empty: error
SET LOCAL pae.rol_autenticador = '';
SELECT is((pg_temp.salud('rol_autenticador')).estado, 'error', 'pae.rol_autenticador empty: error');

-- 8-10. the JWT secret
DELETE FROM pae.secreto_jwt;
SELECT is((pg_temp.salud('secreto_jwt')).estado, 'error', 'no JWT secret: error');
SELECT pae.fijar_secreto_jwt('secreto-de-prueba-de-salud-con-mas-de-32-bytes');
SELECT is((pg_temp.salud('secreto_jwt')).estado, 'ok', 'secret set: ok');
SELECT ok(NOT EXISTS (SELECT 1 FROM pae.salud() s WHERE concat(s.detalle, s.sugerencia) LIKE '%secreto-de-prueba%'),
          'the secret is never shown');

SELECT * FROM finish();
ROLLBACK;
