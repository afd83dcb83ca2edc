-- PUBLIC can execute no function of pae_cauca (issue 10, item 2): every
-- function is granted to the group roles that need it.  The catalog walk
-- catches a function a later script forgets to revoke.
BEGIN;
SELECT plan(3);
SELECT is((SELECT string_agg(p.oid::regprocedure::text, ', ' ORDER BY 1)
             FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname IN ('pae', 'pae_api', 'pae_reportes')
              AND has_function_privilege('public', p.oid, 'EXECUTE')),
          NULL, 'no function of the extension is executable by PUBLIC');
SELECT is((SELECT string_agg(p.oid::regprocedure::text, ', ' ORDER BY 1)
             FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname IN ('pae', 'pae_api', 'pae_reportes')
              AND has_function_privilege('pae_anon', p.oid, 'EXECUTE')
              AND p.oid NOT IN ('pae_api.login(text, text)'::regprocedure, 'pae.db_pre_request()'::regprocedure)),
          NULL, 'the anonymous role executes only the login and the pre-request');
SELECT ok(has_function_privilege('pae_visitador', 'pae.puede_ver_visita_id(uuid)', 'EXECUTE'),
          'the staff roles keep what their policies call');
SELECT * FROM finish();
ROLLBACK;
