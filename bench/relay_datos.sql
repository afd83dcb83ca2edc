-- bench/relay_datos.sql -- fixture of tools/bench_relay.sh (transitions,
-- relay vs in-transaction NOTIFY): the sedes that bench/transicion_datos.sql
-- needs (one per visitador; section 1's 3,000 sedes without its 1,000,000
-- captures), then that fixture itself.
--
-- psql variables: visitadores, dias (see bench/transicion_datos.sql).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE SCHEMA bench;

SELECT setseed(0.2026);
INSERT INTO pae.sedes (codigo, nombre, municipio, zona, ubicacion, radio_geocerca_m, matricula)
SELECT m.codigos[1 + g % 42] || lpad(g::text, 7, '0'),
       'Sede de prueba ' || g,
       m.codigos[1 + g % 42],
       CASE WHEN g % 4 = 0 THEN 'urbana' ELSE 'rural' END,
       ST_SetSRID(ST_MakePoint(-77.9 + 2.2 * random(), 0.9 + 2.5 * random()), 4326)::geography,
       200,
       50 + g % 400
  FROM generate_series(1, :visitadores) AS g,
       (SELECT array_agg(codigo ORDER BY codigo) AS codigos FROM pae.municipios) AS m;

CREATE TABLE bench.sedes_n AS
SELECT row_number() OVER (ORDER BY codigo)::int AS k, codigo::text AS codigo, lat, lon, ubicacion
  FROM pae.sedes;

\ir transicion_datos.sql
