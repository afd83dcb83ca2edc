-- pae.salud(), check version_biblioteca (issue 13, item 3): the loaded
-- library (built for pae_cauca.control's default_version) against the
-- installed SQL (pg_extension.extversion).  A mismatch -- a package
-- installed without ALTER EXTENSION ... UPDATE -- is an error; it is made
-- by rewriting extversion inside the transaction.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(5);
CREATE FUNCTION pg_temp.salud(c text, OUT chequeo text, OUT estado text, OUT detalle text, OUT sugerencia text)
LANGUAGE sql AS $$
    SELECT * FROM pae.salud() s WHERE s.chequeo = c $$;

-- 1-2. the library is the control file's version, and the SQL's
SELECT is(pae.version_biblioteca(), (SELECT default_version FROM pg_available_extensions WHERE name = 'pae_cauca'),
          'pae.version_biblioteca() is default_version of pae_cauca.control');
SELECT is((pg_temp.salud('version_biblioteca')).estado, 'ok', 'library = SQL: ok');

-- 3-5. SQL older than the library: error, suggesting ALTER EXTENSION UPDATE
UPDATE pg_extension SET extversion = '1.0' WHERE extname = 'pae_cauca';
SELECT is((pg_temp.salud('version_biblioteca')).estado, 'error', 'library 1.1, SQL 1.0: error');
SELECT is((pg_temp.salud('version_biblioteca')).detalle,
          format('la biblioteca cargada es la versión %s pero el SQL instalado es 1.0', pae.version_biblioteca()),
          'the detail gives both versions');
SELECT matches((pg_temp.salud('version_biblioteca')).sugerencia, 'ALTER EXTENSION pae_cauca UPDATE',
               'the suggestion says ALTER EXTENSION pae_cauca UPDATE');

SELECT * FROM finish();
ROLLBACK;
