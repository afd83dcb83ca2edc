-- Nearly antipodal captures (found by test/fuzz/fuzz_geodesia.c): the
-- distance must stay within the SPEC's 0.1 % of PostGIS and never be
-- negative -- Andoyer-Lambert, the fallback where Vincenty does not
-- converge, returned -5.9e19 m there, so a capture forged at the antipode
-- of a sede measured "inside" its fence, and the exact antipode came out
-- 33 km too long (Vincenty on the equatorial branch).
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;
BEGIN;
SELECT plan(6);

CREATE TEMP TABLE pares (la1 float8, lo1 float8, la2 float8, lo2 float8);
INSERT INTO pares VALUES
    (-37.027224203348695, -37.343640068998326, 37.02722457087391, 142.65636004331517),
    (-60.18270466757799, 161.26737719241686, 60.18270493628033, -18.732622865846793),
    (19.501321864710704, -89.84025073003033, -19.50132194052066, 90.15974971685417),
    (3.032076468276827, -7.960492870159271, -3.0320764727430594, 172.03950715045792),
    (-34.46616967625974, 171.67105747744648, 34.466780161665476, -8.329130603401211),
    (2.4443, -76.6128, -2.4443, 103.3872),      -- exact antipode of a sede in Popayán
    (0, 0, 0, 180), (0, -90, 0, 90), (90, 0, -90, 0), (45, 10, -45, -170);
-- and a sweep of pairs around the antipode, deterministic
INSERT INTO pares
SELECT la, lo, -la + d1, CASE WHEN lo + 180 + d2 > 180 THEN lo + 180 + d2 - 360 ELSE lo + 180 + d2 END
  FROM generate_series(-85, 85, 5) AS la, generate_series(-175, 175, 25) AS lo,
       (VALUES (0.0, 0.0), (1e-9, 1e-9), (1e-6, -1e-6), (1e-4, 3e-4), (-0.01, 0.2), (0.3, -0.5)) AS d(d1, d2);
CREATE TEMP TABLE medidas AS
SELECT pae.distancia_m(la1, lo1, la2, lo2) AS d,
       ST_Distance(ST_SetSRID(ST_MakePoint(lo1, la1), 4326)::geography,
                   ST_SetSRID(ST_MakePoint(lo2, la2), 4326)::geography) AS g
  FROM pares;

SELECT cmp_ok((SELECT count(*) FROM medidas), '>', 1000::bigint, 'over a thousand nearly antipodal pairs measured');
SELECT is((SELECT count(*) FROM medidas WHERE NOT (d >= 0)), 0::bigint, 'no distance is negative or NaN');
SELECT is((SELECT count(*) FROM medidas WHERE d > 20003931.4587), 0::bigint,
          'no distance is longer than half a meridian, the longest geodesic of WGS84');
SELECT is((SELECT count(*) FROM medidas WHERE abs(d - g) > 0.001 * g), 0::bigint,
          'every one within 0.1 % of ST_Distance(geography) (SPEC §4)');

INSERT INTO pae.sedes (codigo, nombre, municipio, ubicacion, radio_geocerca_m)
VALUES ('190010000931', 'Sede antípoda', '19001', 'SRID=4326;POINT(-76.6128 2.4443)', 150);
SELECT is((SELECT dentro FROM pae.evaluar_geocerca('190010000931', -2.4443::float8, 103.3872::float8, 5::float8)), false,
          'a capture at the antipode of the sede is outside its fence');
SELECT is((SELECT dentro FROM pae.evaluar_geocerca('190010000931', -2.44430001::float8, 103.38720003::float8)), false,
          'and so is one a few millimetres from the antipode');

SELECT * FROM finish();
ROLLBACK;
