-- Least privilege (issue 9, item 12): staff roles read only the people
-- data they need.  A visitador reads no one's municipios and no correo or
-- database login; a supervisor no correo or login; coordinadores and
-- admins read both.  What the product runs as the invoker keeps working:
-- the supervisor's visits policy (which joins usuario_municipios), the API
-- views and the state machine.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(14);
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/intentar.sql

SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-00000000a931');
SELECT pg_temp.llevar('00000000-0000-4000-8000-00000000a931', 'cerrada');

SELECT is(pg_temp.intentar('visitador', 'SELECT count(*) FROM pae.usuario_municipios'),
          '42501: permission denied for table usuario_municipios',
          'a visitador cannot read pae.usuario_municipios');
SELECT is(pg_temp.intentar('visitador', 'SELECT correo FROM pae.usuarios'),
          '42501: permission denied for table usuarios',
          'a visitador cannot read correos, not even their own');
SELECT is(pg_temp.intentar('visitador', 'SELECT login_db FROM pae.usuarios'),
          '42501: permission denied for table usuarios',
          'a visitador cannot read database logins');
SELECT is(pg_temp.intentar('supervisor', 'SELECT correo FROM pae.usuarios'),
          '42501: permission denied for table usuarios',
          'a supervisor cannot read correos');
SELECT is(pg_temp.intentar('supervisor', 'SELECT login_db FROM pae.usuarios'),
          '42501: permission denied for table usuarios',
          'a supervisor cannot read database logins');
SELECT is(pg_temp.intentar('coordinador', 'SELECT correo, login_db FROM pae.usuarios'), 'ok',
          'a coordinador reads correos and logins');
SELECT is(pg_temp.intentar('admin', 'SELECT correo, login_db FROM pae.usuarios'), 'ok',
          'an admin reads correos and logins');
SELECT is(pg_temp.intentar('visitador', 'SELECT id, nombre, rol, activo FROM pae.usuarios'), 'ok',
          'a visitador still reads names and roles (their own row, under RLS)');

-- what runs as the invoker still works
CREATE TEMP TABLE vistas (quien text, cuantas bigint);
GRANT INSERT ON vistas TO PUBLIC;
SELECT is(pg_temp.intentar('supervisor', $$INSERT INTO vistas SELECT 'supervisor', count(*) FROM pae_api.visitas$$), 'ok',
          'a supervisor lists visits (its policy joins usuario_municipios)');
SELECT is((SELECT cuantas FROM vistas WHERE quien = 'supervisor'), 1::bigint,
          'and sees the visit of its municipio');
SELECT is(pg_temp.intentar('visitador', $$INSERT INTO vistas SELECT 'visitador', count(*) FROM pae_api.alertas$$), 'ok',
          'a visitador lists alerts (the view joins visitas_id)');
SELECT is(pg_temp.intentar('visitador', $$INSERT INTO vistas SELECT 'respuestas', count(*) FROM pae.visita_respuestas$$), 'ok',
          'a visitador reads answers (the policy joins visitas_id)');
SELECT is(pg_temp.intentar('supervisor', $$SELECT pae.transicion('00000000-0000-4000-8000-00000000a931', 'aprobada')$$), 'ok',
          'a supervisor approves a visit of its municipio');
SELECT is(pg_temp.intentar('visitador',
          $$SELECT pae.distancia_m('SRID=4326;POINT(-76.6 2.44)'::geography, 'SRID=4326;POINT(-76.61 2.45)'::geography)$$), 'ok',
          'a visitador measures distances between geography points');

SELECT * FROM finish();
ROLLBACK;
