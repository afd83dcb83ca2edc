-- The access rules hold against a caller who knows the catalog (issue 10,
-- item 7; SPEC §10): every SECURITY DEFINER function of the extension pins
-- its search_path, pae_api holds only security_invoker views and
-- functions, PUBLIC holds nothing, no client role reaches a partition
-- (partitions have no policies of their own), and a visitador's own
-- function with side effects, placed in a WHERE clause, sees only the rows
-- the policies let through (security-barrier order: a function that is not
-- LEAKPROOF runs after the policies).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(17);
\i test/fixtures/visitas_y_personas.sql

-- 1-2. SECURITY DEFINER functions: all pinned (walked from the extension's members)
CREATE TEMP VIEW miembros AS
SELECT p.oid, p.oid::regprocedure::text AS firma, p.prosecdef, p.proconfig
  FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pae_cauca';
SELECT cmp_ok((SELECT count(*)::int FROM miembros WHERE prosecdef), '>=', 10,
              'the walk finds the SECURITY DEFINER functions (pae_api.login, pae.db_pre_request, ...)');
SELECT is((SELECT string_agg(firma, ', ' ORDER BY firma) FROM miembros
            WHERE prosecdef AND NOT coalesce(proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false)),
          NULL, 'every SECURITY DEFINER function pins search_path = pg_catalog, pg_temp');

-- 3-5. pae_api: security_invoker views and functions, nothing else
SELECT is((SELECT string_agg(c.relname, ', ' ORDER BY c.relname) FROM pg_class c
            WHERE c.relnamespace = 'pae_api'::regnamespace AND c.relkind = 'v'
              AND NOT coalesce(c.reloptions @> ARRAY['security_invoker=true'], false)),
          NULL, 'every pae_api view is security_invoker');
SELECT is((SELECT string_agg(format('%s (%s)', c.relname, c.relkind), ', ' ORDER BY c.relname) FROM pg_class c
            WHERE c.relnamespace = 'pae_api'::regnamespace AND c.relkind NOT IN ('v')),
          NULL, 'pae_api holds no table, sequence, index or materialized view');
SELECT is((SELECT string_agg(p.oid::regprocedure::text, ', ' ORDER BY 1) FROM pg_proc p
            WHERE p.pronamespace = 'pae_api'::regnamespace AND p.prosecdef
              AND p.oid <> 'pae_api.login(text, text)'::regprocedure),
          NULL, 'the only SECURITY DEFINER function PostgREST exposes is pae_api.login');

-- 6-8. PUBLIC: no schema, no table, no function (the functions: also publico_no_ejecuta_nada)
SELECT is((SELECT string_agg(n.nspname, ', ' ORDER BY 1) FROM pg_namespace n
            WHERE n.nspname IN ('pae', 'pae_api', 'pae_reportes')
              AND (has_schema_privilege('public', n.oid, 'USAGE') OR has_schema_privilege('public', n.oid, 'CREATE'))),
          NULL, 'PUBLIC has no USAGE nor CREATE on the schemas');
SELECT is((SELECT string_agg(c.oid::regclass::text, ', ' ORDER BY 1) FROM pg_class c
            WHERE c.relnamespace IN ('pae'::regnamespace, 'pae_api'::regnamespace, 'pae_reportes'::regnamespace)
              AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
              AND (has_table_privilege('public', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
                   OR (c.relkind <> 'S' AND has_any_column_privilege('public', c.oid, 'SELECT, INSERT, UPDATE, REFERENCES')))),
          NULL, 'PUBLIC holds no privilege on any table, view or sequence');
SELECT is((SELECT string_agg(firma, ', ' ORDER BY firma) FROM miembros
            WHERE has_function_privilege('public', oid, 'EXECUTE')),
          NULL, 'PUBLIC executes no function of the extension');

-- 9. partitions: nobody but the owner
SELECT is((SELECT string_agg(format('%s: %s', c.oid::regclass, r), ', ' ORDER BY 1)
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
                  unnest(ARRAY['pae_anon', 'pae_visitador', 'pae_supervisor', 'pae_coordinador', 'pae_admin', 'pae_bi']) AS r
            WHERE n.nspname = 'pae' AND c.relispartition
              AND (has_table_privilege(r, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE')
                   OR has_any_column_privilege(r, c.oid, 'SELECT, INSERT, UPDATE'))),
          NULL, 'no client role holds a privilege on a partition (which has no policies)');

-- the visitador's visits and the other one's
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-0000000000d1');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-0000000000d2', '119001900101', '2026-07-11 08:00-05');
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000d2', 'cerrada');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-0000000000d3', '119001900101', '2026-06-12 08:00-05', 'otro_visitador');
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000d3', 'cerrada');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-0000000000d4', '119698900101', '2026-08-12 08:00-05', 'otro_visitador');

-- 10. a visitador cannot declare a function LEAKPROOF
CREATE TEMP TABLE vistas_por_el_espia (objeto text, fila text);
GRANT ALL ON vistas_por_el_espia TO PUBLIC;
SELECT pg_temp.como('visitador');
SELECT throws_ok($$CREATE FUNCTION pg_temp.fuga(t text) RETURNS boolean LANGUAGE sql LEAKPROOF AS 'SELECT true'$$,
                 '42501', NULL, 'a visitador cannot declare a function LEAKPROOF');

-- 11-16. the visitador's own spy: records every value it is shown, says
-- "keep it", and is the cheapest qual the planner could run first
CREATE FUNCTION pg_temp.espia(objeto text, fila uuid) RETURNS boolean
LANGUAGE plpgsql VOLATILE COST 0.0001 AS $$
BEGIN
    INSERT INTO vistas_por_el_espia VALUES (objeto, fila);
    RAISE NOTICE 'espía: % %', objeto, fila;
    RETURN true;
END $$;
-- sequential scans, where a leaky qual ordered first would see every row
SET LOCAL enable_indexscan = off;
SET LOCAL enable_bitmapscan = off;
SELECT count(*) FROM pae.visitas WHERE pg_temp.espia('pae.visitas', id);
SELECT count(*) FROM pae_api.visitas WHERE pg_temp.espia('pae_api.visitas', id);
SELECT count(*) FROM pae_api.visitas v WHERE v.visitador <> pae.actor_vigente() OR pg_temp.espia('pae_api.visitas OR', v.id);
SELECT count(*) FROM pae.visitas WHERE id IN (SELECT id FROM pae.visitas_id WHERE pg_temp.espia('pae.visitas_id', id));
SELECT count(*) FROM pae.visita_respuestas WHERE pg_temp.espia('pae.visita_respuestas', visita);
SELECT count(*) FROM pae.evidencias WHERE pg_temp.espia('pae.evidencias', visita);
SELECT count(*) FROM pae.transiciones WHERE pg_temp.espia('pae.transiciones', visita);
SELECT count(*) FROM pae.usuarios WHERE pg_temp.espia('pae.usuarios', id);
SELECT count(*) FROM pae_api.alertas WHERE pg_temp.espia('pae_api.alertas', visita);
-- and index scans
RESET enable_indexscan;
RESET enable_bitmapscan;
SET LOCAL enable_seqscan = off;
SELECT count(*) FROM pae.visitas WHERE pg_temp.espia('pae.visitas sin seqscan', id);
RESET enable_seqscan;
SELECT pg_temp.como(NULL, NULL);

SELECT is((SELECT array_agg(format('%s=%s', objeto, n) ORDER BY objeto)
             FROM (SELECT objeto, count(*) AS n FROM vistas_por_el_espia
                    WHERE objeto IN ('pae.visitas', 'pae_api.visitas', 'pae_api.visitas OR', 'pae.visitas_id', 'pae.visitas sin seqscan')
                    GROUP BY objeto) x),
          ARRAY['pae.visitas=2', 'pae.visitas sin seqscan=2', 'pae.visitas_id=2', 'pae_api.visitas=2', 'pae_api.visitas OR=2'],
          'over the visits the spy ran once per row the policies let through');
SELECT is((SELECT array_agg(DISTINCT fila ORDER BY fila) FROM vistas_por_el_espia
            WHERE objeto IN ('pae.visitas', 'pae_api.visitas', 'pae_api.visitas OR', 'pae.visitas_id', 'pae.visitas sin seqscan')),
          ARRAY['00000000-0000-4000-8000-0000000000d1', '00000000-0000-4000-8000-0000000000d2'],
          'over the visits it saw only the visitador''s two');
SELECT is((SELECT array_agg(DISTINCT fila ORDER BY fila) FROM vistas_por_el_espia
            WHERE objeto IN ('pae.visita_respuestas', 'pae.evidencias', 'pae.transiciones', 'pae_api.alertas')),
          ARRAY['00000000-0000-4000-8000-0000000000d2'],
          'over answers, evidence, history and alerts only those of the visitador''s closed visit');
SELECT is((SELECT array_agg(DISTINCT fila) FROM vistas_por_el_espia WHERE objeto = 'pae.usuarios'),
          ARRAY[pg_temp.id('visitador')::text], 'over the people only themself');
SELECT is((SELECT count(*)::int FROM vistas_por_el_espia
            WHERE fila IN ('00000000-0000-4000-8000-0000000000d3', '00000000-0000-4000-8000-0000000000d4',
                           pg_temp.id('otro_visitador')::text)),
          0, 'no value of the other visitador reached the spy');
SELECT is((SELECT array_agg(DISTINCT objeto ORDER BY objeto) FROM vistas_por_el_espia),
          ARRAY['pae.evidencias', 'pae.transiciones', 'pae.usuarios', 'pae.visita_respuestas', 'pae.visitas',
                'pae.visitas sin seqscan', 'pae.visitas_id', 'pae_api.alertas', 'pae_api.visitas', 'pae_api.visitas OR'],
          'every probe ran');

-- 17. the same spy as the supervisor of Quilichao sees only that visit
SELECT pg_temp.como('supervisor_otro');
DELETE FROM vistas_por_el_espia;
SELECT count(*) FROM pae_api.visitas WHERE pg_temp.espia('supervisor', id);
SELECT pg_temp.como(NULL, NULL);
SELECT is((SELECT array_agg(fila) FROM vistas_por_el_espia), ARRAY['00000000-0000-4000-8000-0000000000d4'],
          'a supervisor''s spy sees only the visits of their municipio');

SELECT * FROM finish();
ROLLBACK;
