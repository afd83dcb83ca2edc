-- Bad input to the geofence functions (SPEC §4, §11): NaN, infinite and
-- out-of-range coordinates and GPS precisions are PV005, an unknown or
-- missing sede is PV004; pae.distancia_m is STRICT (NULL in, NULL out).
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
BEGIN;
SELECT plan(33);

INSERT INTO pae.sedes (codigo, nombre, municipio, ubicacion, radio_geocerca_m)
VALUES ('190010000901', 'Sede entradas inválidas', '19001', 'SRID=4326;POINT(-76.6147 2.4448)', 150);

-- pae.distancia_m: every coordinate, every kind of bad value
SELECT throws_ok('SELECT pae.distancia_m(''NaN'', -76.6, 2.44, -76.6)', 'PV005',
                 'coordenadas inválidas en el primer punto: (NaN, -76.6)',
                 'distancia_m: lat1 NaN is PV005 with the Spanish message');
SELECT throws_ok('SELECT pae.distancia_m(2.44, ''NaN'', 2.44, -76.6)', 'PV005', NULL,
                 'distancia_m: lon1 NaN is PV005');
SELECT throws_ok('SELECT pae.distancia_m(2.44, -76.6, ''NaN'', -76.6)', 'PV005',
                 'coordenadas inválidas en el segundo punto: (NaN, -76.6)',
                 'distancia_m: lat2 NaN is PV005 and names the second point');
SELECT throws_ok('SELECT pae.distancia_m(2.44, -76.6, 2.44, ''NaN'')', 'PV005', NULL,
                 'distancia_m: lon2 NaN is PV005');
SELECT throws_ok('SELECT pae.distancia_m(''Infinity'', -76.6, 2.44, -76.6)', 'PV005', NULL,
                 'distancia_m: lat1 +Infinity is PV005');
SELECT throws_ok('SELECT pae.distancia_m(''-Infinity'', -76.6, 2.44, -76.6)', 'PV005', NULL,
                 'distancia_m: lat1 -Infinity is PV005');
SELECT throws_ok('SELECT pae.distancia_m(2.44, ''Infinity'', 2.44, -76.6)', 'PV005', NULL,
                 'distancia_m: lon1 +Infinity is PV005');
SELECT throws_ok('SELECT pae.distancia_m(2.44, -76.6, 2.44, ''-Infinity'')', 'PV005', NULL,
                 'distancia_m: lon2 -Infinity is PV005');
SELECT throws_ok('SELECT pae.distancia_m(90.000001, 0, 0, 0)', 'PV005', NULL,
                 'distancia_m: lat > 90 is PV005');
SELECT throws_ok('SELECT pae.distancia_m(0, 0, -90.5, 0)', 'PV005', NULL,
                 'distancia_m: lat < -90 is PV005');
SELECT throws_ok('SELECT pae.distancia_m(0, -180.000001, 0, 0)', 'PV005', NULL,
                 'distancia_m: lon < -180 is PV005');
SELECT throws_ok('SELECT pae.distancia_m(0, 0, 0, 180.5)', 'PV005', NULL,
                 'distancia_m: lon > 180 is PV005');
SELECT lives_ok('SELECT pae.distancia_m(90, 180, -90, -180)',
                'distancia_m: the limits ±90 and ±180 themselves are valid');
SELECT is(pae.distancia_m(NULL, -76.6, 2.44, -76.6), NULL, 'distancia_m: NULL lat1 gives NULL (STRICT)');
SELECT is(pae.distancia_m(2.44, -76.6, 2.44, NULL), NULL, 'distancia_m: NULL lon2 gives NULL (STRICT)');

-- pae.evaluar_geocerca: coordinates
SELECT throws_ok('SELECT * FROM pae.evaluar_geocerca(''190010000901'', ''NaN''::float8, -76.6147)', 'PV005',
                 'coordenadas inválidas en la captura: (NaN, -76.6147)',
                 'evaluar_geocerca: lat NaN is PV005 with the Spanish message');
SELECT throws_ok('SELECT * FROM pae.evaluar_geocerca(''190010000901'', 2.4448, ''Infinity'')', 'PV005', NULL,
                 'evaluar_geocerca: lon Infinity is PV005');
SELECT throws_ok('SELECT * FROM pae.evaluar_geocerca(''190010000901'', 91, -76.6147)', 'PV005', NULL,
                 'evaluar_geocerca: lat 91 is PV005');
SELECT throws_ok('SELECT * FROM pae.evaluar_geocerca(''190010000901'', 2.4448, -181)', 'PV005', NULL,
                 'evaluar_geocerca: lon -181 is PV005');
SELECT throws_ok('SELECT * FROM pae.evaluar_geocerca(''190010000901'', NULL::float8, -76.6147)', 'PV005',
                 'coordenadas incompletas',
                 'evaluar_geocerca: NULL lat is PV005 (coordenadas incompletas)');
SELECT throws_ok('SELECT * FROM pae.evaluar_geocerca(''190010000901'', 2.4448, NULL)', 'PV005', NULL,
                 'evaluar_geocerca: NULL lon is PV005');

-- pae.evaluar_geocerca: GPS precision
SELECT throws_ok('SELECT * FROM pae.evaluar_geocerca(''190010000901'', 2.4448, -76.6147, -1)', 'PV005',
                 'precisión de GPS inválida en la captura: -1 m',
                 'evaluar_geocerca: negative precision is PV005 with the Spanish message');
SELECT throws_ok('SELECT * FROM pae.evaluar_geocerca(''190010000901'', 2.4448, -76.6147, ''NaN'')', 'PV005', NULL,
                 'evaluar_geocerca: NaN precision is PV005');
SELECT throws_ok('SELECT * FROM pae.evaluar_geocerca(''190010000901'', 2.4448, -76.6147, ''Infinity'')', 'PV005', NULL,
                 'evaluar_geocerca: infinite precision is PV005');
SELECT throws_ok('SELECT * FROM pae.evaluar_geocerca(''190010000901'', 2.4448, -76.6147, 5001)', 'PV005', NULL,
                 'evaluar_geocerca: precision 5001 m is PV005');
SELECT lives_ok('SELECT * FROM pae.evaluar_geocerca(''190010000901'', 2.4448, -76.6147, 5000)',
                'evaluar_geocerca: precision 5000 m is the largest accepted');
SELECT lives_ok('SELECT * FROM pae.evaluar_geocerca(''190010000901'', 2.4448, -76.6147, 0)',
                'evaluar_geocerca: precision 0 m is accepted');

-- pae.evaluar_geocerca: the sede
SELECT throws_ok('SELECT * FROM pae.evaluar_geocerca(''190010009999'', 2.4448, -76.6147)', 'PV004',
                 'sede desconocida: "190010009999"',
                 'evaluar_geocerca: unknown sede is PV004 with the Spanish message');
SELECT throws_ok('SELECT * FROM pae.evaluar_geocerca(NULL, 2.4448, -76.6147)', 'PV004',
                 'sede no indicada',
                 'evaluar_geocerca: NULL sede is PV004 (sede no indicada)');
SELECT throws_ok('SELECT * FROM pae.evaluar_geocerca(''1900100009011'', 2.4448, -76.6147)', 'PV004', NULL,
                 'evaluar_geocerca: a 13-character code is an unknown sede (PV004), never a prefix match');
SELECT throws_ok('SELECT * FROM pae.evaluar_geocerca('''', 2.4448, -76.6147)', 'PV004', NULL,
                 'evaluar_geocerca: empty sede code is PV004');

-- geography overload: same checks
SELECT throws_ok('SELECT * FROM pae.evaluar_geocerca(''190010009999'', ''SRID=4326;POINT(-76.6147 2.4448)''::geography)',
                 'PV004', NULL, 'evaluar_geocerca(geography): unknown sede is PV004');
SELECT throws_ok('SELECT * FROM pae.evaluar_geocerca(''190010000901'', NULL::geography)',
                 'PV005', NULL, 'evaluar_geocerca(geography): NULL point is PV005');

SELECT * FROM finish();
ROLLBACK;
