-- pae.metricas_* (issue 13, item 4) are read by the NOLOGIN role
-- pae_monitor (granted to the exporter's login) and pae_admin, by nobody
-- else, hold only aggregates (no person, visit or correo column), and do
-- not open the tables under them to pae_monitor.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(7);
CREATE FUNCTION pg_temp.puede(rol text, sentencia text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('SET LOCAL ROLE %I', rol);
    EXECUTE sentencia;
    RESET ROLE;
    RETURN 'si';
EXCEPTION WHEN OTHERS THEN
    RESET ROLE;
    RETURN SQLSTATE;
END $$;
CREATE TEMP TABLE vistas AS
SELECT c.relname::text AS vista FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'pae' AND c.relkind = 'v' AND c.relname LIKE 'metricas\_%';
GRANT SELECT ON vistas TO PUBLIC;

-- 1. the seven views of the issue
SELECT set_eq('SELECT vista FROM vistas',
              ARRAY['metricas_visitas', 'metricas_transiciones', 'metricas_alertas', 'metricas_sincronizacion',
                    'metricas_login', 'metricas_auditoria', 'metricas_relay'],
              'the metric views');

-- 2-4. who reads them
SELECT is((SELECT array_agg(DISTINCT pg_temp.puede('pae_monitor', format('SELECT * FROM pae.%I', vista))) FROM vistas),
          ARRAY['si'], 'pae_monitor reads every metric view');
SELECT is((SELECT array_agg(DISTINCT pg_temp.puede('pae_admin', format('SELECT * FROM pae.%I', vista))) FROM vistas),
          ARRAY['si'], 'pae_admin too');
SELECT is((SELECT array_agg(DISTINCT pg_temp.puede(r, format('SELECT * FROM pae.%I', vista)))
             FROM vistas, unnest(ARRAY['pae_visitador', 'pae_supervisor', 'pae_coordinador', 'pae_bi', 'pae_anon']) r),
          ARRAY['42501'], 'nobody else (42501)');

-- 5. the rows under them stay closed to pae_monitor
SELECT is(ARRAY[pg_temp.puede('pae_monitor', 'SELECT count(*) FROM pae.visitas'),
                pg_temp.puede('pae_monitor', 'SELECT count(*) FROM pae.intentos_login'),
                pg_temp.puede('pae_monitor', 'SELECT count(*) FROM pae.auditoria'),
                pg_temp.puede('pae_monitor', 'SELECT count(*) FROM pae.eventos')],
          ARRAY['42501', '42501', '42501', '42501'], 'pae_monitor cannot read visitas, intentos_login, auditoria, eventos');

-- 6-7. aggregates only, every one documented
SELECT is((SELECT array_agg(a.attname::text ORDER BY a.attname)
             FROM vistas v JOIN pg_attribute a ON a.attrelid = ('pae.' || v.vista)::regclass
            WHERE a.attnum > 0 AND (a.atttypid IN ('uuid'::regtype, 'jsonb'::regtype)
                                    OR a.attname ~ '(visitador|usuario|correo|nombre|actor|sede|^id$|^visita$)')),
          NULL, 'no column names a person, a visit or a sede, none is uuid or jsonb');
SELECT is((SELECT count(*) FROM vistas v JOIN pg_attribute a ON a.attrelid = ('pae.' || v.vista)::regclass
            WHERE a.attnum > 0 AND col_description(a.attrelid, a.attnum) IS NULL)
          + (SELECT count(*) FROM vistas v WHERE obj_description(('pae.' || v.vista)::regclass, 'pg_class') IS NULL),
          0::bigint, 'every view and column has a COMMENT');

SELECT * FROM finish();
ROLLBACK;
