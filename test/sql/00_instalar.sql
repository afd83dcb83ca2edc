-- CREATE EXTENSION pae_cauca CASCADE on a database without it installs
-- everything (SPEC §2): postgis and pgcrypto, the schemas, the group roles
-- (reused when the cluster already has them: DROP EXTENSION leaves them),
-- the shipped data, comments on every object and a pinned search_path on
-- every function.  pg_regress creates the test database with the extensions
-- already installed (Makefile, REGRESS_OPTS), so that every test file stands
-- alone; this file drops them inside its transaction, creates pae_cauca
-- again with CASCADE, checks what it installed, and rolls it all back.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(14);

CREATE TEMP TABLE roles_antes ON COMMIT DROP AS
SELECT oid, rolname FROM pg_roles
 WHERE rolname IN ('pae_anon', 'pae_visitador', 'pae_supervisor', 'pae_coordinador', 'pae_admin', 'pae_bi');

-- a database without the extensions (DROP without CASCADE: nothing else of
-- this database may depend on them, or this file stops here)
DROP EXTENSION pae_cauca;
DROP EXTENSION postgis;
DROP EXTENSION pgcrypto;
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname IN ('pae_cauca', 'postgis', 'pgcrypto'))
       OR EXISTS (SELECT 1 FROM pg_namespace WHERE nspname LIKE 'pae%') THEN
        RAISE EXCEPTION 'premisa de la prueba: quedan extensiones o esquemas tras DROP EXTENSION';
    END IF;
END $$;
SELECT is((SELECT count(*)::int FROM pg_roles r JOIN roles_antes a USING (oid, rolname)), 6,
          'DROP EXTENSION leaves the six group roles (they are cluster-wide)');

CREATE EXTENSION pae_cauca CASCADE;

SELECT is((SELECT extversion || ' ' || extrelocatable FROM pg_extension WHERE extname = 'pae_cauca'),
          (SELECT default_version || ' false' FROM pg_available_extensions WHERE name = 'pae_cauca'),
          'pae_cauca is installed at the control file''s default_version, not relocatable');
SELECT set_eq($$SELECT extname::text FROM pg_extension WHERE extname IN ('postgis', 'pgcrypto')$$,
              ARRAY['postgis', 'pgcrypto'], 'CASCADE installs postgis and pgcrypto');
SELECT set_eq($$SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'pae%'$$,
              ARRAY['pae', 'pae_api', 'pae_reportes'], 'the three schemas');
SELECT set_eq($$SELECT rolname::text, rolcanlogin FROM pg_roles WHERE rolname LIKE 'pae\_%'$$,
              $$VALUES ('pae_admin', false), ('pae_anon', false), ('pae_bi', false),
                       ('pae_coordinador', false), ('pae_supervisor', false), ('pae_visitador', false),
                       ('pae_monitor', false)$$,
              'the six group roles and pae_monitor (1.1), NOLOGIN');
SELECT is((SELECT count(*)::int FROM pg_roles r JOIN roles_antes a USING (oid, rolname)), 6,
          'a second CREATE EXTENSION in the cluster reuses the roles (same oids)');
SELECT results_eq($$SELECT count(*)::int, count(*) FILTER (WHERE codigo = '19001' AND nombre = 'Popayán')::int
                      FROM pae.municipios$$,
                  $$VALUES (42, 1)$$, 'the 42 municipios of Cauca are shipped, 19001 is Popayán');
SELECT results_eq($$SELECT categoria::text, count(*)::int, (count(*) FILTER (WHERE obligatorio))::int
                      FROM pae.checklist_items GROUP BY categoria ORDER BY categoria$$,
                  $$VALUES ('almacenamiento', 4, 3), ('calidad', 3, 2), ('higiene', 5, 3), ('infraestructura', 6, 2),
                           ('manipuladoras', 4, 4), ('menu', 4, 2), ('raciones', 4, 3), ('visibilidad', 3, 0)$$,
                  'the checklist is shipped: items and mandatory items per category');

-- every function of the extension pins search_path, or is C (its SPI
-- queries qualify everything), or has a BEGIN ATOMIC body (bound at
-- creation: no search_path can redirect it)
SELECT is_empty($$SELECT p.oid::regprocedure::text
                    FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
                    JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pae_cauca'
                   WHERE p.prolang <> (SELECT oid FROM pg_language WHERE lanname = 'c')
                     AND p.prosqlbody IS NULL
                     AND NOT coalesce(p.proconfig::text[] @> ARRAY['search_path=pg_catalog, pg_temp'], false)$$,
                'every SQL or PL/pgSQL function pins search_path = pg_catalog, pg_temp or has a BEGIN ATOMIC body');
-- every table, view, column and function of the extension has a comment
SELECT is_empty($$SELECT c.oid::regclass::text
                    FROM pg_class c JOIN pg_depend d ON d.objid = c.oid AND d.deptype = 'e'
                    JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pae_cauca'
                   WHERE c.relkind IN ('r', 'p', 'v', 'm') AND obj_description(c.oid, 'pg_class') IS NULL$$,
                'every table and view has a comment');
SELECT is_empty($$SELECT p.oid::regprocedure::text
                    FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
                    JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pae_cauca'
                   WHERE obj_description(p.oid, 'pg_proc') IS NULL$$,
                'every function has a comment');
SELECT is_empty($$SELECT a.attrelid::regclass::text || '.' || a.attname
                    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                    JOIN pg_depend d ON d.objid = c.oid AND d.deptype = 'e'
                    JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pae_cauca'
                   WHERE c.relkind IN ('r', 'p', 'v') AND NOT c.relispartition AND a.attnum > 0 AND NOT a.attisdropped
                     AND col_description(c.oid, a.attnum) IS NULL$$,
                'every column of every table and view has a comment');
SELECT is_empty($$SELECT c.oid::regclass::text
                    FROM pg_class c JOIN pg_depend d ON d.objid = c.oid AND d.deptype = 'e'
                    JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pae_cauca'
                    JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = 'pae_api' AND c.relkind NOT IN ('v')$$,
                'pae_api holds only views (and functions)');
SELECT is((SELECT count(*)::int FROM pae.auditoria) + (SELECT count(*)::int FROM pae.auditoria_sellos), 0,
          'a fresh install starts with an empty audit trail and no seals');

SELECT * FROM finish();
ROLLBACK;
