-- bench/geocerca_datos.sql -- data for section 1 of tools/bench.sh (geofence).
--
-- 3,000 sedes spread uniformly over the Cauca bounding box (lat 0.9..3.4,
-- lon -77.9..-75.7), fence radius 200 m, and 1,000,000 GPS captures, each
-- 0-1,000 m (uniform in distance, uniform bearing) from a sede drawn at
-- random.  Deterministic: setseed() before each generating statement.
--
-- Everything a predicate needs sits in one table, bench.capturas, so every
-- variant of bench/geocerca.sql is a plain sequential scan of the same rows:
--   sede_codigo text, s_lat, s_lon, c_lat, c_lon float8,
--   g_sede, g_cap geography(Point, 4326)
-- Rows are ordered by sede (pae.evaluar_geocerca memoises the last sede it
-- looked up, per call site and statement).
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
  FROM generate_series(1, 3000) AS g,
       (SELECT array_agg(codigo ORDER BY codigo) AS codigos FROM pae.municipios) AS m;

CREATE TABLE bench.sedes_n AS
SELECT row_number() OVER (ORDER BY codigo)::int AS k, codigo::text AS codigo, lat, lon, ubicacion
  FROM pae.sedes;

SELECT setseed(0.1903);
CREATE TABLE bench.capturas AS
WITH c AS MATERIALIZED (
    SELECT g,
           1 + floor(random() * 3000)::int AS k,
           1000 * random()                 AS d,      -- metres from the sede
           2 * pi() * random()             AS b       -- bearing
      FROM generate_series(1, 1000000) AS g
), p AS (
    SELECT c.g, s.codigo, s.lat AS s_lat, s.lon AS s_lon, s.ubicacion AS g_sede,
           s.lat + c.d * cos(c.b) / 110574.0                          AS c_lat,
           s.lon + c.d * sin(c.b) / (111320.0 * cos(radians(s.lat)))  AS c_lon
      FROM c JOIN bench.sedes_n s USING (k)
)
SELECT codigo AS sede_codigo, s_lat, s_lon, c_lat, c_lon, g_sede,
       ST_SetSRID(ST_MakePoint(c_lon, c_lat), 4326)::geography AS g_cap
  FROM p
 ORDER BY codigo, g;
VACUUM (FREEZE, ANALYZE) bench.capturas;

-- (e) a PL/pgSQL haversine, as an application would write it
CREATE FUNCTION bench.haversine_m(lat1 float8, lon1 float8, lat2 float8, lon2 float8)
RETURNS float8
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    r     constant float8 := 6371008.8;   -- mean Earth radius (IUGG)
    dlat  float8 := radians(lat2 - lat1);
    dlon  float8 := radians(lon2 - lon1);
    a     float8;
BEGIN
    a := sin(dlat / 2) ^ 2 + cos(radians(lat1)) * cos(radians(lat2)) * sin(dlon / 2) ^ 2;
    RETURN 2 * r * asin(sqrt(a));
END
$$;
