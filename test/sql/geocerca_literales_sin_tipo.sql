-- pae.evaluar_geocerca with untyped literals, as psql users and many
-- clients write it: pae.evaluar_geocerca('x', 'NaN', 0) was ambiguous
-- (42725) between the (text, float8, float8, float8) and the (text,
-- geography, float8) overloads.  It resolves now (an overload with lat as
-- text) and means the coordinates one; both typed overloads still answer.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;
BEGIN;
SELECT plan(12);
\i test/fixtures/intentar.sql
CREATE FUNCTION pg_temp.como(quien text) RETURNS void LANGUAGE sql AS $$ SELECT $$;
CREATE FUNCTION pg_temp.como(rol text, sub uuid) RETURNS void LANGUAGE sql AS $$ SELECT $$;

INSERT INTO pae.sedes (codigo, nombre, municipio, ubicacion, radio_geocerca_m)
VALUES ('190010000921', 'Sede literales', '19001', 'SRID=4326;POINT(-76.6147 2.4448)', 150);

SELECT is(pg_temp.intentar(NULL, $$SELECT * FROM pae.evaluar_geocerca('190010000921', 'NaN', 0)$$),
          'PV005: coordenadas inválidas en la captura: (NaN, 0)',
          $$evaluar_geocerca('x', 'NaN', 0) resolves (no 42725) and rejects NaN with PV005$$);
SELECT is((SELECT row(round(distancia_m), radio_m, dentro)::text
             FROM pae.evaluar_geocerca('190010000921', '2.4448', '-76.6147')),
          '(0,150,t)', 'all-literal call: lat and lon as untyped strings, at the sede: inside');
SELECT is((SELECT row(round(distancia_m), radio_m, dentro)::text
             FROM pae.evaluar_geocerca('190010000921', '2.4448', -76.6147, '10')),
          '(0,150,t)', 'four untyped/typed arguments resolve too');
SELECT is((SELECT dentro FROM pae.evaluar_geocerca('190010000921', '2.4548', -76.6147)), false,
          'a literal lat 1.1 km north: outside');
SELECT is(pg_temp.intentar(NULL, $$SELECT * FROM pae.evaluar_geocerca('190010000921', 'Infinity', 0)$$),
          'PV005: coordenadas inválidas en la captura: (Infinity, 0)', 'Infinity: PV005');
SELECT is(pg_temp.intentar(NULL, $$SELECT * FROM pae.evaluar_geocerca('190010000921', 'dos grados', 0)$$),
          '22P02: invalid input syntax for type double precision: "dos grados"',
          'a literal that is no number: 22P02, not XX000');
SELECT is(pg_temp.intentar(NULL, $$SELECT * FROM pae.evaluar_geocerca('190010000921', NULL, NULL)$$) ~ '^PV005: ',
          true, 'untyped NULLs resolve too and are PV005');
SELECT is(pg_temp.intentar(NULL, $$SELECT * FROM pae.evaluar_geocerca('noexiste', '2.4', -76.6)$$),
          'PV004: sede desconocida: "noexiste"', 'unknown sede through the literal call: PV004');
-- the typed overloads, unchanged
SELECT is((SELECT row(round(distancia_m), dentro)::text
             FROM pae.evaluar_geocerca('190010000921', 2.4448::double precision, -76.6147::double precision)),
          '(0,t)', 'the float8 overload answers');
SELECT is((SELECT row(round(distancia_m), dentro)::text
             FROM pae.evaluar_geocerca('190010000921', 'SRID=4326;POINT(-76.6147 2.4448)'::geography, 10)),
          '(0,t)', 'the geography overload answers (typed point)');
SELECT is((SELECT row(round(distancia_m), dentro)::text
             FROM pae.evaluar_geocerca('190010000921', 'SRID=4326;POINT(-76.6147 2.4448)')),
          '(0,t)', 'a two-argument call with a point literal still reaches the geography overload');
SELECT is((SELECT (SELECT row(distancia_m, radio_m, dentro) FROM pae.evaluar_geocerca('190010000921', '2.4501', -76.6102, 30))::text
             = (SELECT row(distancia_m, radio_m, dentro) FROM pae.evaluar_geocerca('190010000921', 2.4501::float8, -76.6102::float8, 30::float8))::text),
          true, 'the literal call gives exactly what the float8 overload gives');

SELECT * FROM finish();
ROLLBACK;
