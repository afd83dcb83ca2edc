-- An unknown correo is indistinguishable from a wrong password (issue 10,
-- item 4): the same status, headers and body for an unknown correo, a
-- wrong password, an inactive person and a person without a password, and
-- about the same time -- the unknown correo pays the same bcrypt against a
-- dummy hash.  Time is compared as a ratio of medians over interleaved
-- tries (generous bounds, no absolute time), with the attempts cleared
-- between tries so that no try meets the lockout.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(5);
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/postgrest.sql
SELECT pae.fijar_secreto_jwt('secreto-de-prueba-con-mas-de-32-bytes-0123456789');
INSERT INTO pae.usuarios (correo, nombre, rol) VALUES ('sinclave@prueba.gov.co', 'Persona Sin Clave', 'visitador');

-- 1-3. the same answer
SELECT is(pg_temp.login('nadie@prueba.gov.co', 'clave-larga-1'),
          pg_temp.login('vis1@prueba.gov.co', 'clave-equivocada'),
          'unknown correo and wrong password: the same status, headers and body');
SELECT is(pg_temp.login('coo2@prueba.gov.co', 'clave-larga-8'),
          pg_temp.login('vis1@prueba.gov.co', 'clave-equivocada'),
          'an inactive person with the right password: the same answer');
SELECT is(pg_temp.login('sinclave@prueba.gov.co', ''),
          pg_temp.login('vis1@prueba.gov.co', 'clave-equivocada'),
          'a person without a password: the same answer');

-- 4-5. about the same time: ratio of the medians of 15 interleaved tries
CREATE TEMP TABLE tiempos (tipo text, ms double precision);
CREATE FUNCTION pg_temp.medir(correo text, clave text) RETURNS double precision LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz;
BEGIN
    DELETE FROM pae.intentos_login;
    t0 := clock_timestamp();
    PERFORM pg_temp.login(correo, clave);
    RETURN extract(epoch FROM clock_timestamp() - t0) * 1000;
END $$;
DO $$
BEGIN
    FOR i IN 1..15 LOOP
        INSERT INTO tiempos VALUES ('desconocido', pg_temp.medir(format('nadie%s@prueba.gov.co', i), 'clave-larga-1'));
        INSERT INTO tiempos VALUES ('equivocada', pg_temp.medir('vis1@prueba.gov.co', format('equivocada-%s', i)));
    END LOOP;
END $$;
CREATE TEMP TABLE razon AS
SELECT (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FROM tiempos WHERE tipo = 'desconocido')
     / (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FROM tiempos WHERE tipo = 'equivocada') AS r;
SELECT cmp_ok((SELECT r FROM razon), '>=', 0.5::double precision,
              'median time of an unknown correo / of a wrong password >= 0.5');
SELECT cmp_ok((SELECT r FROM razon), '<=', 2.0::double precision,
              'median time of an unknown correo / of a wrong password <= 2.0');

SELECT * FROM finish();
ROLLBACK;
