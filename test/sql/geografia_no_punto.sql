-- The geography overloads of the geofence take one WGS84 point: a
-- LINESTRING (or any other geometry), an empty point or another SRID is
-- PV005 with a Spanish message, never PostGIS's XX000; a point still
-- gives what the float8 functions give, for client roles too.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
BEGIN;
SELECT plan(11);

INSERT INTO pae.sedes (codigo, nombre, municipio, ubicacion, radio_geocerca_m)
VALUES ('190010000902', 'Sede geografía', '19001', 'SRID=4326;POINT(-76.6147 2.4448)', 150);

SELECT throws_ok($$SELECT pae.distancia_m('SRID=4326;LINESTRING(-76.6 2.44, -76.5 2.5)'::geography,
                                          'SRID=4326;POINT(-76.6 2.44)'::geography)$$,
                 'PV005', 'el primer punto no es un punto WGS84 válido',
                 'distancia_m(geography): a LINESTRING is PV005');
SELECT throws_ok($$SELECT pae.distancia_m('SRID=4326;POINT(-76.6 2.44)'::geography,
                                          'SRID=4326;POLYGON((-76.6 2.44, -76.5 2.44, -76.5 2.5, -76.6 2.44))'::geography)$$,
                 'PV005', 'el segundo punto no es un punto WGS84 válido',
                 'distancia_m(geography): a POLYGON as the second point is PV005 naming it');
SELECT throws_ok($$SELECT pae.distancia_m('SRID=4326;POINT EMPTY'::geography, 'SRID=4326;POINT(-76.6 2.44)'::geography)$$,
                 'PV005', 'el primer punto no es un punto WGS84 válido',
                 'distancia_m(geography): an empty point is PV005');
SELECT throws_ok($$SELECT pae.distancia_m('SRID=4269;POINT(-76.6 2.44)'::geography, 'SRID=4326;POINT(-76.6 2.44)'::geography)$$,
                 'PV005', 'el primer punto no es un punto WGS84 válido',
                 'distancia_m(geography): a point in another SRID is PV005');
SELECT throws_ok($$SELECT * FROM pae.evaluar_geocerca('190010000902', 'SRID=4326;LINESTRING(-76.6 2.44, -76.5 2.5)'::geography)$$,
                 'PV005', 'la captura no es un punto WGS84 válido',
                 'evaluar_geocerca(geography): a LINESTRING is PV005');
SELECT throws_ok($$SELECT * FROM pae.evaluar_geocerca('190010000902', 'SRID=4326;MULTIPOINT((-76.6 2.44))'::geography, 5)$$,
                 'PV005', 'la captura no es un punto WGS84 válido',
                 'evaluar_geocerca(geography): a MULTIPOINT is PV005');
SELECT throws_ok($$SELECT * FROM pae.evaluar_geocerca('190010000902', 'SRID=4326;POINT EMPTY'::geography)$$,
                 'PV005', 'la captura no es un punto WGS84 válido',
                 'evaluar_geocerca(geography): an empty point is PV005');
SELECT throws_ok($$SELECT * FROM pae.evaluar_geocerca('190010000902', NULL::geography)$$,
                 'PV005', 'coordenadas incompletas',
                 'evaluar_geocerca(geography): NULL stays PV005, incomplete coordinates');

-- points still work, as a client role too
SET LOCAL ROLE pae_visitador;
SELECT is(pae.distancia_m('SRID=4326;POINT(-76.6 2.44)'::geography, 'SRID=4326;POINT(-76.61 2.45)'::geography),
          pae.distancia_m(2.44, -76.6, 2.45, -76.61),
          'distancia_m(geography) of two points equals the float8 version, for a visitador');
SELECT is((SELECT row(g.*)::text FROM pae.evaluar_geocerca('190010000902', 'SRID=4326;POINT(-76.6147 2.4449)'::geography, 5) g),
          (SELECT row(g.*)::text FROM pae.evaluar_geocerca('190010000902', 2.4449, -76.6147, 5) g),
          'evaluar_geocerca(geography) of a point equals the float8 version');
SELECT throws_ok($$SELECT pae.distancia_m('SRID=4326;LINESTRING(-76.6 2.44, -76.5 2.5)'::geography,
                                          'SRID=4326;POINT(-76.6 2.44)'::geography)$$,
                 'PV005', NULL, 'a LINESTRING from a visitador is PV005 too');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
