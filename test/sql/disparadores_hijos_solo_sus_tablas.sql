-- pae.tg_hijos_visita and pae.tg_foto_reutilizada refuse any table that is
-- not theirs (39P01), even attached by a superuser to a copy of
-- pae.evidencias: nothing reaches pae.alertas (issue 9 items 2 and 8).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(5);
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/intentar.sql

SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000901');
SELECT pg_temp.llevar('00000000-0000-4000-8000-000000000901', 'en_curso');
SELECT pg_temp.como('visitador');
SELECT pg_temp.completar('00000000-0000-4000-8000-000000000901');
SELECT pg_temp.como(NULL, NULL);
SELECT is((SELECT count(*) FROM pae.alertas), 0::bigint, 'no alert to begin with');

CREATE TEMP TABLE copia_evidencias (LIKE pae.evidencias INCLUDING DEFAULTS);
CREATE TRIGGER foto AFTER INSERT ON copia_evidencias FOR EACH ROW EXECUTE FUNCTION pae.tg_foto_reutilizada();
SELECT throws_ok($$INSERT INTO copia_evidencias (visita, tipo, sha256, bytes, mime)
                   SELECT '00000000-0000-4000-8000-000000000901', 'foto', sha256, 1000, 'image/jpeg' FROM pae.evidencias LIMIT 1$$,
                 '39P01', NULL, 'tg_foto_reutilizada on another table: 39P01');
SELECT is((SELECT count(*) FROM pae.alertas), 0::bigint, 'and no alert was written');
DROP TRIGGER foto ON copia_evidencias;

CREATE TRIGGER hijos BEFORE INSERT ON copia_evidencias FOR EACH ROW EXECUTE FUNCTION pae.tg_hijos_visita();
SELECT throws_ok($$INSERT INTO copia_evidencias (visita, tipo, sha256, bytes, mime)
                   VALUES ('00000000-0000-4000-8000-000000000901', 'foto', repeat('ab', 32), 1000, 'image/jpeg')$$,
                 '39P01', 'pae.tg_hijos_visita no puede dispararse sobre la tabla "' || pg_my_temp_schema()::regnamespace || '.copia_evidencias"',
                 'tg_hijos_visita on another table: 39P01 naming it');
DROP TRIGGER hijos ON copia_evidencias;
CREATE TRIGGER hijos AFTER INSERT ON pae.evidencias FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_hijos_visita();
SELECT throws_ok($$INSERT INTO pae.evidencias (visita, tipo, sha256, bytes, mime)
                   VALUES ('00000000-0000-4000-8000-000000000901', 'foto', repeat('ab', 32), 1000, 'image/jpeg')$$,
                 '39P01', NULL, 'tg_hijos_visita fired otherwise than BEFORE ... FOR EACH ROW: 39P01');

SELECT * FROM finish();
ROLLBACK;
