-- CREATE EXTENSION pae_cauca CASCADE on a fresh database installs
-- everything; later test files use this extension and keep their own
-- fixtures inside transactions they roll back.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION pae_cauca CASCADE;
RESET client_min_messages;
SELECT extname, extversion, extrelocatable FROM pg_extension
 WHERE extname IN ('pae_cauca', 'postgis', 'pgcrypto') ORDER BY extname;
SELECT nspname FROM pg_namespace WHERE nspname LIKE 'pae%' ORDER BY 1;
SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname LIKE 'pae\_%' ORDER BY 1;
SELECT count(*) AS municipios, count(*) FILTER (WHERE codigo = '19001' AND nombre = 'Popayán') AS popayan
  FROM pae.municipios;
SELECT categoria, count(*) AS items, count(*) FILTER (WHERE obligatorio) AS obligatorios
  FROM pae.checklist_items GROUP BY categoria ORDER BY categoria;
-- every function of the extension pins search_path, or is C (its SPI
-- queries qualify everything, see 40-geocerca.sql), or has a BEGIN ATOMIC
-- body (bound at creation: no search_path can redirect it)
SELECT p.oid::regprocedure AS sin_search_path
  FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pae_cauca'
 WHERE p.prolang <> (SELECT oid FROM pg_language WHERE lanname = 'c')
   AND p.prosqlbody IS NULL
   AND NOT coalesce(p.proconfig::text[] @> ARRAY['search_path=pg_catalog, pg_temp'], false)
 ORDER BY 1;
-- every table, view, column and function of the extension has a comment
SELECT c.oid::regclass AS sin_comentario
  FROM pg_class c JOIN pg_depend d ON d.objid = c.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pae_cauca'
 WHERE c.relkind IN ('r', 'p', 'v', 'm') AND obj_description(c.oid, 'pg_class') IS NULL
ORDER BY 1;
SELECT p.oid::regprocedure AS funcion_sin_comentario
  FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pae_cauca'
 WHERE obj_description(p.oid, 'pg_proc') IS NULL ORDER BY 1;
SELECT a.attrelid::regclass AS tabla, a.attname AS columna_sin_comentario
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_depend d ON d.objid = c.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pae_cauca'
 WHERE c.relkind IN ('r', 'p', 'v') AND NOT c.relispartition AND a.attnum > 0 AND NOT a.attisdropped
   AND col_description(c.oid, a.attnum) IS NULL
 ORDER BY 1, 2;
-- a second CREATE in the same cluster reuses the roles (they are cluster-wide)
SELECT count(*) AS roles_pae FROM pg_roles WHERE rolname IN
  ('pae_anon', 'pae_visitador', 'pae_supervisor', 'pae_coordinador', 'pae_admin', 'pae_bi');
