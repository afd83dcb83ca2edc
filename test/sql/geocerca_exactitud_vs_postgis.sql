-- pae.distancia_m against PostGIS ST_Distance(geography, geography), which
-- solves the ellipsoidal geodesic on WGS84 (SPEC §4): within 0.5 m for
-- points under 2 km apart anywhere in Colombia, within 0.1 % for any pair in
-- Colombia; plus zero, symmetry, the antimeridian, the poles and the
-- geography overloads.  The pairs are pseudo-random but deterministic
-- (md5 of the row number), so every run checks the same 40,000 pairs.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
BEGIN;
SELECT plan(14);

-- uniform [0, 1) from the md5 of (i, salt)
CREATE FUNCTION pg_temp.u(i integer, salt text) RETURNS double precision
LANGUAGE sql IMMUTABLE
AS $$ SELECT ('x' || substr(md5(i || ':' || salt), 1, 8))::bit(32)::bigint / 4294967296.0 $$;

-- (a) 20,000 pairs less than 2 km apart, the first point anywhere in the
-- Colombian box lat -4.2..13.4, lon -79..-67, the second at a random bearing
-- and distance 0..1990 m (by a flat-earth offset: only the reference needs
-- to be exact, and it is PostGIS)
CREATE TEMP TABLE cerca ON COMMIT DROP AS
SELECT i, lat1, lon1,
       lat1 + d * cos(b) / 111320.0 AS lat2,
       lon1 + d * sin(b) / (111320.0 * cos(radians(lat1))) AS lon2
  FROM (SELECT i,
               -4.2 + 17.6 * pg_temp.u(i, 'a') AS lat1,
               -79.0 + 12.0 * pg_temp.u(i, 'b') AS lon1,
               2 * pi() * pg_temp.u(i, 'c') AS b,
               1990.0 * pg_temp.u(i, 'd') AS d
          FROM generate_series(1, 20000) AS i) AS s;
ALTER TABLE cerca ADD COLUMN pae double precision, ADD COLUMN postgis double precision,
                  ADD COLUMN pae_inv double precision;
UPDATE cerca SET pae = pae.distancia_m(lat1, lon1, lat2, lon2),
                 pae_inv = pae.distancia_m(lat2, lon2, lat1, lon1),
                 postgis = ST_Distance(ST_SetSRID(ST_MakePoint(lon1, lat1), 4326)::geography,
                                       ST_SetSRID(ST_MakePoint(lon2, lat2), 4326)::geography);

-- (b) 20,000 arbitrary pairs, both points anywhere in the same box
CREATE TEMP TABLE lejos ON COMMIT DROP AS
SELECT i,
       -4.2 + 17.6 * pg_temp.u(i, 'e') AS lat1, -79.0 + 12.0 * pg_temp.u(i, 'f') AS lon1,
       -4.2 + 17.6 * pg_temp.u(i, 'g') AS lat2, -79.0 + 12.0 * pg_temp.u(i, 'h') AS lon2
  FROM generate_series(1, 20000) AS i;
ALTER TABLE lejos ADD COLUMN pae double precision, ADD COLUMN postgis double precision;
UPDATE lejos SET pae = pae.distancia_m(lat1, lon1, lat2, lon2),
                 postgis = ST_Distance(ST_SetSRID(ST_MakePoint(lon1, lat1), 4326)::geography,
                                       ST_SetSRID(ST_MakePoint(lon2, lat2), 4326)::geography);

-- premises of the test, on its own generator (not assertions): the short
-- pairs are under 2 km apart, and no pair is 0 m apart by PostGIS (the
-- relative error divides by it)
DO $$ BEGIN
    IF (SELECT count(*) FROM cerca WHERE postgis < 2000) <> 20000
       OR (SELECT count(*) FROM lejos WHERE postgis > 0) <> 20000 THEN
        RAISE EXCEPTION 'premisa de la prueba: pares cortos de 2 km o más, o pares a 0 m';
    END IF;
END $$;
SELECT is((SELECT count(pae) FROM cerca), 20000::bigint,
          'the 20,000 short pairs are all measured (no NULL)');
SELECT cmp_ok((SELECT max(abs(pae - postgis)) FROM cerca), '<', 0.5::double precision,
              'under 2 km: max absolute error against ST_Distance(geography) < 0.5 m');
SELECT is((SELECT count(pae) FROM lejos), 20000::bigint,
          'the 20,000 pairs across Colombia are all measured (no NULL)');
SELECT cmp_ok((SELECT max(abs(pae - postgis) / postgis) FROM lejos), '<', 0.001::double precision,
              'across Colombia: max relative error against ST_Distance(geography) < 0.1 %');
SELECT cmp_ok(abs(pae.distancia_m(-4.2, -79, 13.4, -67)
                  - ST_Distance('SRID=4326;POINT(-79 -4.2)'::geography,
                                'SRID=4326;POINT(-67 13.4)'::geography)), '<', 1.0::double precision,
              'opposite corners of the box (2,355 km): within 1 m of PostGIS');

SELECT is((SELECT count(*) FROM cerca WHERE pae <> pae_inv), 0::bigint,
          'symmetric: distancia_m(a, b) = distancia_m(b, a) for all 20,000 short pairs');
SELECT is(pae.distancia_m(2.4448, -76.6147, 2.4448, -76.6147), 0::double precision,
          'identical points are 0 m apart');
SELECT is((SELECT count(*) FROM cerca WHERE pae.distancia_m(lat1, lon1, lat1, lon1) <> 0), 0::bigint,
          'identical points are 0 m apart for 20,000 points across Colombia');

-- sanity away from Colombia: short pairs across the antimeridian and near
-- the poles keep the short-range bound (0.5 m)
SELECT cmp_ok((SELECT max(abs(pae.distancia_m(lat1, lon1, lat2, lon2)
                              - ST_Distance(ST_SetSRID(ST_MakePoint(lon1, lat1), 4326)::geography,
                                            ST_SetSRID(ST_MakePoint(lon2, lat2), 4326)::geography)))
                 FROM (VALUES (0.0, 179.99, 0.0, -179.99),
                              (0.0, -179.995, 0.01, 179.995),
                              (45.0, 179.999, 45.001, -179.999),
                              (-45.0, -179.999, -45.0, 179.999)) AS p(lat1, lon1, lat2, lon2)),
              '<', 0.5::double precision,
              'pairs across the antimeridian (~1-2 km, not ~40,000 km): within 0.5 m of PostGIS');
SELECT cmp_ok((SELECT max(abs(pae.distancia_m(lat1, lon1, lat2, lon2)
                              - ST_Distance(ST_SetSRID(ST_MakePoint(lon1, lat1), 4326)::geography,
                                            ST_SetSRID(ST_MakePoint(lon2, lat2), 4326)::geography)))
                 FROM (VALUES (89.9, 0.0, 89.9, 180.0),
                              (89.99, 10.0, 89.995, -100.0),
                              (-89.9, 45.0, -89.9, -135.0),
                              (89.5, -76.0, 89.51, -75.0)) AS p(lat1, lon1, lat2, lon2)),
              '<', 0.5::double precision,
              'pairs near and across the poles: within 0.5 m of PostGIS');
SELECT cmp_ok(pae.distancia_m(90, 0, 90, 123), '<', 0.000001::double precision,
              'the north pole at two longitudes is one point');

-- geography overloads: the same numbers as the float8 form
SELECT is((SELECT count(*) FROM cerca
            WHERE pae.distancia_m(ST_SetSRID(ST_MakePoint(lon1, lat1), 4326)::geography,
                                  ST_SetSRID(ST_MakePoint(lon2, lat2), 4326)::geography) <> pae),
          0::bigint,
          'pae.distancia_m(geography, geography) equals pae.distancia_m(lat1, lon1, lat2, lon2)');
SELECT is(pae.distancia_m(NULL::geography, 'SRID=4326;POINT(-76.6 2.44)'::geography), NULL,
          'pae.distancia_m(geography, geography) is STRICT');
SELECT cmp_ok(abs(pae.distancia_m('SRID=4326;POINT(-76.6147 2.4448)'::geography,
                                  'SRID=4326;POINT(-76.6050 2.4500)'::geography)
                  - ST_Distance('SRID=4326;POINT(-76.6147 2.4448)'::geography,
                                'SRID=4326;POINT(-76.6050 2.4500)'::geography)), '<', 0.5::double precision,
              'pae.distancia_m(geography, geography) in Popayán agrees with ST_Distance');

SELECT * FROM finish();
ROLLBACK;
