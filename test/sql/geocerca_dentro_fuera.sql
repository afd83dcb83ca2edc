-- pae.evaluar_geocerca (SPEC §4): a capture is inside when
-- distancia_m <= radio_m + LEAST(COALESCE(precision_m, 0), 100); a poor GPS
-- fix gets at most 100 m of benefit of the doubt.  Captures are placed due
-- north of the sede at a chosen distance, so no raw distance is printed.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
BEGIN;
SELECT plan(24);

INSERT INTO pae.sedes (codigo, nombre, municipio, ubicacion, radio_geocerca_m)
VALUES ('190010000911', 'Sede geocerca', '19001', 'SRID=4326;POINT(-76.6147 2.4448)', 150),
       ('190010000912', 'Sede radio por defecto', '19001', 'SRID=4326;POINT(-76.6000 2.4500)', DEFAULT);

-- latitude of the point due north of the first sede at m metres from it,
-- by PostGIS (the reference geodesic), never by the function under test:
-- a pae.distancia_m off by some factor would otherwise move the captures
-- with it and every boundary below would still pass
CREATE FUNCTION pg_temp.lat_a(m double precision) RETURNS double precision
LANGUAGE sql STABLE
AS $$ SELECT 2.4448 + m * 0.001 / ST_Distance('SRID=4326;POINT(-76.6147 2.4448)'::geography,
                                               'SRID=4326;POINT(-76.6147 2.4458)'::geography) $$;

SELECT is((SELECT proargnames FROM pg_proc
            WHERE oid = 'pae.evaluar_geocerca(text, double precision, double precision, double precision)'::regprocedure),
          ARRAY['sede', 'lat', 'lon', 'precision_m', 'distancia_m', 'radio_m', 'dentro'],
          'evaluar_geocerca(sede, lat, lon, precision_m) returns (distancia_m, radio_m, dentro)');
SELECT cmp_ok((SELECT abs(distancia_m - 270) FROM pae.evaluar_geocerca('190010000911', pg_temp.lat_a(270), -76.6147)),
              '<', 0.05::double precision, 'a capture placed 270 m north (by PostGIS) is measured 270 m away');

SELECT is((SELECT row(distancia_m, radio_m, dentro)::text FROM pae.evaluar_geocerca('190010000911', 2.4448, -76.6147)),
          '(0,150,t)', 'at the sede itself: 0 m, radio 150, inside');
SELECT is((SELECT radio_m FROM pae.evaluar_geocerca('190010000912', 2.45, -76.6)), 150::double precision,
          'a sede created without radio gets the default 150 m');
SELECT is((SELECT dentro FROM pae.evaluar_geocerca('190010000911', pg_temp.lat_a(149), -76.6147)), true,
          'no precision: 149 m from a 150 m fence is inside');
SELECT is((SELECT dentro FROM pae.evaluar_geocerca('190010000911', pg_temp.lat_a(151), -76.6147)), false,
          'no precision: 151 m from a 150 m fence is outside');
SELECT is((SELECT dentro FROM pae.evaluar_geocerca('190010000911', pg_temp.lat_a(160), -76.6147, NULL)), false,
          'NULL precision counts as 0: 160 m is outside');
SELECT is((SELECT dentro FROM pae.evaluar_geocerca('190010000911', pg_temp.lat_a(160), -76.6147, 0)), false,
          'precision 0: 160 m is outside');

-- the benefit of the doubt is the precision, capped at 100 m
SELECT is((SELECT dentro FROM pae.evaluar_geocerca('190010000911', pg_temp.lat_a(200), -76.6147, 60)), true,
          'radio + 50 m with precision 60 m is inside');
SELECT is((SELECT dentro FROM pae.evaluar_geocerca('190010000911', pg_temp.lat_a(215), -76.6147, 60)), false,
          'radio + 65 m with precision 60 m is outside');
SELECT is((SELECT dentro FROM pae.evaluar_geocerca('190010000911', pg_temp.lat_a(270), -76.6147, 500)), false,
          'radio + 120 m with precision 500 m is outside: the benefit is capped at 100 m');
SELECT is((SELECT dentro FROM pae.evaluar_geocerca('190010000911', pg_temp.lat_a(249.9), -76.6147, 100)), true,
          'radio + 99.9 m with precision 100 m is inside');
SELECT is((SELECT dentro FROM pae.evaluar_geocerca('190010000911', pg_temp.lat_a(250.1), -76.6147, 5000)), false,
          'radio + 100.1 m with precision 5000 m is outside');
SELECT is((SELECT dentro FROM pae.evaluar_geocerca('190010000911', pg_temp.lat_a(249.9), -76.6147, 5000)), true,
          'radio + 99.9 m with precision 5000 m is inside');

-- what it reports
SELECT is((SELECT distancia_m FROM pae.evaluar_geocerca('190010000911', 2.4500, -76.6100, 30)),
          pae.distancia_m(2.4448, -76.6147, 2.4500, -76.6100),
          'distancia_m is pae.distancia_m from the sede to the capture');
SELECT cmp_ok((SELECT abs(distancia_m - ST_Distance('SRID=4326;POINT(-76.6147 2.4448)'::geography,
                                                    'SRID=4326;POINT(-76.6100 2.4500)'::geography))
                 FROM pae.evaluar_geocerca('190010000911', 2.4500, -76.6100)),
              '<', 0.5::double precision, 'distancia_m agrees with PostGIS');
SELECT is((SELECT radio_m FROM pae.evaluar_geocerca('190010000911', 2.4500, -76.6100, 30)), 150::double precision,
          'radio_m is the sede''s radio_geocerca_m');

-- the sede as the statement sees it, not a stale copy
UPDATE pae.sedes SET radio_geocerca_m = 300 WHERE codigo = '190010000911';
SELECT is((SELECT row(radio_m, dentro)::text FROM pae.evaluar_geocerca('190010000911', pg_temp.lat_a(270), -76.6147)),
          '(300,t)', 'after widening the fence to 300 m the same capture is inside');
UPDATE pae.sedes SET ubicacion = 'SRID=4326;POINT(-76.6147 2.4500)' WHERE codigo = '190010000911';
SELECT cmp_ok((SELECT distancia_m FROM pae.evaluar_geocerca('190010000911', 2.4500, -76.6147)),
              '<', 0.001::double precision, 'after moving the sede, distances are from its new place');
UPDATE pae.sedes SET ubicacion = 'SRID=4326;POINT(-76.6147 2.4448)', radio_geocerca_m = 150
 WHERE codigo = '190010000911';

-- one query, many captures, two sedes interleaved: each row against its sede
SELECT is((SELECT count(*) FROM generate_series(0, 399) AS i,
                  LATERAL pae.evaluar_geocerca(CASE WHEN i % 2 = 0 THEN '190010000911' ELSE '190010000912' END,
                                               CASE WHEN i % 2 = 0 THEN pg_temp.lat_a(i) ELSE 2.45 END,
                                               CASE WHEN i % 2 = 0 THEN -76.6147 ELSE -76.6 END, 21) AS g
            WHERE g.dentro),
          (86 + 200)::bigint,
          'a batch of 400 captures over two sedes, precision 21 m: those 0..170 m north of the first (86) and all 200 at the second are inside');

-- geography overload
SELECT is((SELECT row(distancia_m, radio_m, dentro)::text
             FROM pae.evaluar_geocerca('190010000911', ST_SetSRID(ST_MakePoint(-76.6100, 2.4500), 4326)::geography, 30)),
          (SELECT row(distancia_m, radio_m, dentro)::text
             FROM pae.evaluar_geocerca('190010000911', 2.4500, -76.6100, 30)),
          'evaluar_geocerca(sede, geography, precision) gives the same row as (sede, lat, lon, precision)');
SELECT is((SELECT dentro FROM pae.evaluar_geocerca('190010000911',
                                                    ST_SetSRID(ST_MakePoint(-76.6147, pg_temp.lat_a(270)), 4326)::geography, 500)),
          false, 'geography overload: the 100 m cap applies too');
SELECT is((SELECT dentro FROM pae.evaluar_geocerca('190010000911',
                                                    ST_SetSRID(ST_MakePoint(-76.6147, pg_temp.lat_a(200)), 4326)::geography)),
          false, 'geography overload: precision defaults to none');
SELECT throws_ok('SELECT * FROM pae.evaluar_geocerca(''190010000911'', ''SRID=4326;POINT(-76.6147 2.4448)''::geography, -5)',
                 'PV005', NULL, 'geography overload: negative precision is PV005');

SELECT * FROM finish();
ROLLBACK;
