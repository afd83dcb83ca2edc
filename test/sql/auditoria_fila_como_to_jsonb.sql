-- The trail's rows are what to_jsonb() makes of them (SPEC §6), for every
-- kind of column: numbers (with NaN and infinities), dates, strings,
-- domains, enums, arrays, composites, json and jsonb (scalar and nested),
-- geography, and a user type with a cast to json.  The C trigger caches
-- how each relation's columns convert; that cache must follow ALTER TABLE
-- and new casts, and the trail must not depend on extra_float_digits.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
BEGIN;
SELECT plan(16);

CREATE SCHEMA prueba_fila;
CREATE DOMAIN prueba_fila.cantidad AS numeric(10, 2) CHECK (VALUE >= 0);
CREATE DOMAIN prueba_fila.nota AS text;
CREATE TYPE prueba_fila.color AS ENUM ('rojo', 'verde');
CREATE TYPE prueba_fila.par AS (a int, b text);
CREATE TYPE prueba_fila.punto AS (x float8, y float8);
-- in schema pae: pae.tg_auditoria audits only the tables of pae
CREATE TABLE pae.todo (
    id          int PRIMARY KEY,
    b           boolean,
    i2          smallint,
    i8          bigint,
    f4          real,
    f8          double precision,
    n           numeric,
    cant        prueba_fila.cantidad,
    d           date,
    ts          timestamp,
    tstz        timestamptz,
    t           text,
    vc          varchar(20),
    ch          char(6),
    nota        prueba_fila.nota,
    color       prueba_fila.color,
    arr         int[],
    tarr        text[],
    par         prueba_fila.par,
    js          json,
    jb          jsonb,
    jbs         jsonb,
    u           uuid,
    by          bytea,
    iv          interval,
    ip          inet,
    g           geography(Point, 4326),
    pt          prueba_fila.punto,
    token_api   text
);
CREATE TRIGGER auditoria AFTER INSERT OR UPDATE OR DELETE ON pae.todo
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria('todo');

CREATE TEMP TABLE antes_id ON COMMIT DROP AS
    SELECT coalesce(pg_sequence_last_value('pae.auditoria_id_seq'), 0) AS id;
CREATE TEMP VIEW mias AS
    SELECT a.* FROM pae.auditoria a, antes_id WHERE a.id > antes_id.id AND a.tabla = 'todo';

-- what the trail must hold: to_jsonb of the row without its secret columns
CREATE FUNCTION pg_temp.esperado(k int) RETURNS jsonb LANGUAGE sql AS
$$ SELECT to_jsonb(fila) - ARRAY['token_api', 'clave_nueva'] FROM pae.todo fila WHERE fila.id = k $$;

INSERT INTO pae.todo VALUES
    (1, true, -32768, 9223372036854775807, 1.5, 0.1, 12345678901234567890.000100, 3.5,
     '2025-03-04', '2025-03-04 08:10:00.123456', '2025-03-04 08:10:00-05', 'con "comillas" y \ barra',
     'ñandú', 'ab', 'una nota', 'verde', ARRAY[1, NULL, 3], ARRAY['a', 'b"c'], ROW(7, 'siete'),
     '{"z": 1, "a": [1, 2]}', '{"k": {"n": [true, null]}}', '"solo texto"',
     'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\xdeadbeef', '1 day 02:03:04', '190.0.0.7/32',
     'SRID=4326;POINT(-76.61 2.44)', ROW(1.25, -2.5), 'secreto-1'),
    (2, false, 0, -1, 'NaN', 'Infinity', 'NaN', 0, 'infinity', '-infinity', 'infinity', '',
     '', '', '', 'rojo', '{}', '{}', ROW(NULL, NULL), 'null', '[]', '12.50',
     '00000000-0000-0000-0000-000000000000', '\x', '0', '::1', NULL, NULL, NULL),
    (3, NULL, NULL, NULL, '-Infinity', '-0', '-Infinity', NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (4, true, 1, 2, 3.4028235e38, 1.7976931348623157e308, 1e-20, 0.01, '0001-01-01',
     '1999-12-31 23:59:59.999999', '2000-01-01 00:00:00+14', repeat('x', 3000), 'x', 'x     ',
     'x', 'rojo', ARRAY[[1, 2], [3, 4]], ARRAY[NULL]::text[], ROW(-1, ''), '[1, "dos", {"tres": 3}]',
     '{}', 'true', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '\x00', '-1 mon', '10.0.0.0/8',
     'SRID=4326;POINT(0 0)', ROW(1e300, 5e-324), NULL);

SELECT is((SELECT count(*)::int FROM mias m WHERE m.operacion = 'INSERT'
             AND m.despues = pg_temp.esperado((m.pk->>'id')::int)), 4,
          'INSERT: despues es to_jsonb(fila) sin la columna secreta, para cada tipo de columna');
SELECT is((SELECT count(*)::int FROM mias m WHERE m.operacion = 'INSERT'
             AND m.despues::text = pg_temp.esperado((m.pk->>'id')::int)::text), 4,
          'INSERT: también el texto es el de to_jsonb (números, fechas y orden de llaves)');
SELECT ok(NOT EXISTS (SELECT 1 FROM mias WHERE despues ? 'token_api'),
          'la columna secreta no entra');
SELECT is((SELECT despues->'f8' FROM mias WHERE pk = '{"id": 2}' AND operacion = 'INSERT'),
          '"Infinity"'::jsonb, 'un float infinito se guarda como cadena, como en to_jsonb');
SELECT is((SELECT jsonb_typeof(despues->'jbs') FROM mias WHERE pk = '{"id": 1}' AND operacion = 'INSERT'),
          'string', 'un jsonb escalar queda como escalar');

-- UPDATE of every column: old and new values of exactly those columns
UPDATE pae.todo SET (b, i2, i8, f4, f8, n, cant, d, ts, tstz, t, vc, ch, nota, color, arr, tarr,
                             par, js, jb, jbs, u, by, iv, ip, g, pt, token_api)
    = (SELECT b, i2, i8, f4, f8, n, cant, d, ts, tstz, t, vc, ch, nota, color, arr, tarr,
              par, js, jb, jbs, u, by, iv, ip, g, pt, token_api
         FROM pae.todo WHERE id = 1)
 WHERE id = 2;
SELECT is((SELECT despues FROM mias WHERE operacion = 'UPDATE'),
          pg_temp.esperado(2) - 'id',
          'UPDATE: despues tiene las columnas cambiadas con los valores de to_jsonb');
SELECT is((SELECT antes FROM mias WHERE operacion = 'UPDATE'),
          (SELECT despues - 'id' FROM mias WHERE operacion = 'INSERT' AND pk = '{"id": 2}'),
          'UPDATE: antes tiene los valores anteriores de esas mismas columnas');

DELETE FROM pae.todo WHERE id = 3;
SELECT is((SELECT antes FROM mias WHERE operacion = 'DELETE'),
          (SELECT despues FROM mias WHERE operacion = 'INSERT' AND pk = '{"id": 3}'),
          'DELETE: antes es la fila borrada completa');

-- the trail does not depend on extra_float_digits (to_jsonb would round)
SET LOCAL extra_float_digits = -15;
INSERT INTO pae.todo (id, f4, f8) VALUES (5, 0.1, 0.1);
RESET extra_float_digits;
SELECT is((SELECT despues FROM mias WHERE pk = '{"id": 5}'), pg_temp.esperado(5),
          'con extra_float_digits = -15 el float se guarda con todos sus dígitos');
SELECT is((SELECT despues->>'f8' FROM mias WHERE pk = '{"id": 5}'), '0.1',
          'y con los dígitos más cortos que lo representan');

-- the per-relation cache follows the relation
ALTER TABLE pae.todo ADD COLUMN nueva text DEFAULT 'n', DROP COLUMN vc;
INSERT INTO pae.todo (id, t) VALUES (6, 'tras ALTER');
SELECT is((SELECT despues FROM mias WHERE pk = '{"id": 6}'), pg_temp.esperado(6),
          'tras ADD/DROP COLUMN la fila sigue siendo to_jsonb(fila)');
ALTER TABLE pae.todo ALTER COLUMN i2 TYPE numeric USING i2 / 3.0;
UPDATE pae.todo SET t = 'tras ALTER TYPE' WHERE id = 1;
INSERT INTO pae.todo (id, i2) VALUES (7, 2.5);
SELECT is((SELECT despues FROM mias WHERE pk = '{"id": 7}'), pg_temp.esperado(7),
          'tras ALTER COLUMN TYPE la columna se convierte según su tipo nuevo');
ALTER TABLE pae.todo RENAME COLUMN nueva TO clave_nueva;
INSERT INTO pae.todo (id) VALUES (8);
SELECT ok((SELECT NOT (despues ? 'clave_nueva') AND NOT (despues ? 'nueva') FROM mias WHERE pk = '{"id": 8}'),
          'una columna renombrada a un nombre secreto deja de entrar');

-- a cast to json of a user type created after the first row is honoured
CREATE TYPE prueba_fila.etiqueta AS ENUM ('a');
CREATE FUNCTION prueba_fila.etiqueta_json(e prueba_fila.etiqueta) RETURNS json
    LANGUAGE sql IMMUTABLE AS $$ SELECT json_build_object('etiqueta', e::text) $$;
ALTER TABLE pae.todo ADD COLUMN et prueba_fila.etiqueta;
INSERT INTO pae.todo (id, et) VALUES (9, 'a');
SELECT is((SELECT despues->'et' FROM mias WHERE pk = '{"id": 9}'), '"a"'::jsonb,
          'sin cast a json un enum se guarda como su texto');
CREATE CAST (prueba_fila.etiqueta AS json) WITH FUNCTION prueba_fila.etiqueta_json(prueba_fila.etiqueta);
INSERT INTO pae.todo (id, et) VALUES (10, 'a');
SELECT is((SELECT despues->'et' FROM mias WHERE pk = '{"id": 10}'), '{"etiqueta": "a"}'::jsonb,
          'un CAST a json creado después se usa, como en to_jsonb');
SELECT is((SELECT despues FROM mias WHERE pk = '{"id": 10}'), pg_temp.esperado(10),
          'y la fila completa sigue siendo to_jsonb(fila)');

SELECT * FROM finish();
ROLLBACK;
