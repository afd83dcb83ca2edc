-- pae.salud(), check pg_cron, and who may run the operations functions
-- (issue 13, items 2-3).  The test database has no pg_cron (the test
-- cluster runs it in the database pae_cron, where the scenario
-- test/escenarios/pg_cron_sellado.sh proves the jobs and their runs): the
-- check is an aviso with the steps, and pae.programar_mantenimiento()
-- fails with 55000 saying them.  pae.salud() is for pae_admin and
-- pae_monitor only, and shows no personal data.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(12);
\i test/fixtures/visitas_y_personas.sql
CREATE FUNCTION pg_temp.salud(c text, OUT chequeo text, OUT estado text, OUT detalle text, OUT sugerencia text)
LANGUAGE sql AS $$
    SELECT * FROM pae.salud() s WHERE s.chequeo = c $$;

-- 1-3. no pg_cron in this database: aviso with the steps; scheduling refuses
SELECT is((pg_temp.salud('pg_cron')).estado, 'aviso', 'pg_cron not in this database: aviso');
SELECT matches((pg_temp.salud('pg_cron')).sugerencia, 'cron\.database_name.*CREATE EXTENSION pg_cron.*pae\.programar_mantenimiento\(\)',
               'the suggestion gives cron.database_name, CREATE EXTENSION pg_cron and pae.programar_mantenimiento()');
SELECT throws_ok('SELECT * FROM pae.programar_mantenimiento()', '55000', NULL,
                 'pae.programar_mantenimiento() without pg_cron: 55000');

-- 4. every check is one row, each estado ok, aviso or error
SELECT is((SELECT count(*) FILTER (WHERE estado NOT IN ('ok', 'aviso', 'error')) FROM pae.salud()), 0::bigint,
          'every estado is ok, aviso or error');

-- 5-9. who may run it
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
SELECT is(pg_temp.puede('pae_admin', 'SELECT count(*) FROM pae.salud()'), 'si', 'pae_admin runs pae.salud()');
SELECT is(pg_temp.puede('pae_monitor', 'SELECT count(*) FROM pae.salud()'), 'si', 'pae_monitor runs pae.salud()');
SELECT is(ARRAY[pg_temp.puede('pae_coordinador', 'SELECT count(*) FROM pae.salud()'),
                pg_temp.puede('pae_supervisor', 'SELECT count(*) FROM pae.salud()'),
                pg_temp.puede('pae_visitador', 'SELECT count(*) FROM pae.salud()'),
                pg_temp.puede('pae_bi', 'SELECT count(*) FROM pae.salud()'),
                pg_temp.puede('pae_anon', 'SELECT count(*) FROM pae.salud()')],
          ARRAY['42501', '42501', '42501', '42501', '42501'], 'nobody else: 42501');
SELECT is(pg_temp.puede('pae_monitor', 'SELECT * FROM pae.programar_mantenimiento()'), '42501',
          'pae_monitor cannot schedule');
SELECT is(pg_temp.puede('pae_admin', 'SELECT * FROM pae.programar_mantenimiento()'), '55000',
          'pae_admin may schedule (here it fails only for want of pg_cron)');

-- 10-12. no personal data, even with a locked account and visits around
INSERT INTO pae.intentos_login (correo, resultado)
SELECT pae.correo_digesto('vis1@prueba.gov.co'), 'fallo' FROM generate_series(1, pae.regla('login_intentos_max')::integer);
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-00000000a001');
SELECT is((pg_temp.salud('cuentas_bloqueadas')).estado, 'aviso', 'the locked account is seen');
SELECT ok(NOT EXISTS (SELECT 1 FROM pae.salud() s, gente g JOIN pae.usuarios u ON u.id = g.id
                       WHERE concat(s.detalle, s.sugerencia) ILIKE '%' || u.correo || '%'
                          OR concat(s.detalle, s.sugerencia) ILIKE '%' || u.nombre || '%'
                          OR concat(s.detalle, s.sugerencia) LIKE '%' || u.id || '%'),
          'no correo, name or person id in any row');
SELECT ok(NOT EXISTS (SELECT 1 FROM pae.salud() s WHERE concat(s.detalle, s.sugerencia) ~ '[0-9a-f]{8}-[0-9a-f]{4}-'),
          'no visit id either');

SELECT * FROM finish();
ROLLBACK;
