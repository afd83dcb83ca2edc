-- Bad input at scale (issue 14, item 4): every function the extension owns
-- in pae, pae_api and pae_reportes (found through pg_depend, so a new
-- function cannot be forgotten) is called with NULLs, NaN, +-Infinity,
-- empty and huge text (1 MB+), huge and deeply nested JSON, malformed
-- bytea (EWKB, invalid UTF-8) and the extremes of every other parameter
-- type, as the superuser and as a visitador with PostgREST claims.  Each
-- call ends in success or a clean error with a SQLSTATE; XX000 (internal
-- error) fails the test and a crash kills the run.
--
-- Invalid UTF-8 cannot reach a text parameter: the server validates text
-- on input (convert_from, E'\xff', chr() all refuse it, 22021), so it is
-- sent where it is reachable -- bytea parameters (pae.punto_wgs84's EWKB,
-- the HMAC key of pae.jwt_firmar, the digest of the login functions).
--
-- How: per parameter type a list of hostile values (built once, kept only
-- if the type accepts them); each function is called with all NULLs, then
-- for each parameter with each hostile value (the other parameters at a
-- plausible value), then with the k-th hostile value everywhere at once.
-- Trigger functions are called directly (they must refuse a call outside
-- a trigger cleanly) and through their tables by the rest of the suite.
-- Everything runs inside this file's transaction, rolled back at the end.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = error;
-- a function that waited forever would hang the suite: fail instead
SET statement_timeout = '8min';
SET lock_timeout = '5s';
BEGIN;
SELECT plan(12);
\i test/fixtures/visitas_y_personas.sql

SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-0000000000f1');
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000f1', 'en_curso');
SELECT pae.fijar_secreto_jwt(repeat('s', 64));  -- so that pae_api.login gets as far as signing

-- functions deliberately not called, each with its reason (none today:
-- nothing of ours commits, and the waits are bounded -- sealing waits for
-- other sessions' writers at most its interval, and no other session writes)
CREATE TEMP TABLE omitidas (fn regprocedure PRIMARY KEY, razon text NOT NULL);

-- the catalog
CREATE TEMP TABLE funciones AS
SELECT p.oid::regprocedure AS fn, p.oid, p.prokind, p.prorettype, p.pronargs,
       ARRAY(SELECT unnest(p.proargtypes::oid[])) AS tipos,  -- 1-based (an oidvector is 0-based)
       p.proargnames AS nombres, p.proretset
  FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid
 WHERE d.classid = 'pg_proc'::regclass AND d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pae_cauca') AND d.deptype = 'e'
   AND p.pronamespace IN ('pae'::regnamespace, 'pae_api'::regnamespace, 'pae_reportes'::regnamespace);
GRANT SELECT ON funciones TO PUBLIC;

-- hostile values: (type, label, SQL expression); kept only when the type takes them
CREATE TEMP TABLE candidatos (tipo regtype, etiqueta text, expr text);
INSERT INTO candidatos
SELECT t::regtype, e, x FROM (VALUES
  -- text and friends
  ('text', 'vacio', $$''$$), ('text', 'espacio', $$' '$$),
  ('text', 'enorme_1MB', $$repeat('x', 1100000)$$),
  ('text', 'enorme_multibyte', $$repeat('ñ€💥', 150000)$$),
  ('text', 'NaN', $$'NaN'$$), ('text', 'Infinity', $$'-Infinity'$$),
  ('text', 'control', $$E'\t\n\r\x01\x7f'$$), ('text', 'digitos_400', $$repeat('9', 400)$$),
  ('text', 'inyeccion', $$'''); SELECT 1; --'$$), ('text', 'formato', $$'%s%n%x%%'$$),
  ('text', 'tabla', $$'pae.visitas'$$), ('text', 'json', $$'{"a":[1,2]}'$$),
  ('text', 'punto_nan', $$'SRID=4326;POINT(NaN NaN)'$$), ('text', 'sede', $$'119001900101'$$),
  ('text', 'correo', $$'vis1@prueba.gov.co'$$), ('text', 'cabeceras', $$'{"user-agent":"' || repeat('u', 100000) || '"}'$$),
  -- numbers
  ('double precision', 'NaN', $$'NaN'$$), ('double precision', 'Infinity', $$'Infinity'$$),
  ('double precision', '-Infinity', $$'-Infinity'$$), ('double precision', 'cero', '0'),
  ('double precision', 'menos_cero', $$'-0'$$), ('double precision', 'max', '1e308'),
  ('double precision', 'min', '-1e308'), ('double precision', 'subnormal', '5e-324'),
  ('double precision', 'lat_fuera', '90.0000001'), ('double precision', 'lon_fuera', '-180.0000001'),
  ('double precision', 'antipoda', '-2.4443'), ('double precision', 'negativo', '-1'),
  ('real', 'NaN', $$'NaN'$$), ('real', 'Infinity', $$'Infinity'$$), ('real', 'max', '3.4e38'),
  ('numeric', 'NaN', $$'NaN'$$), ('numeric', 'Infinity', $$'Infinity'$$), ('numeric', '-Infinity', $$'-Infinity'$$),
  ('numeric', 'enorme', $$'1e1000'$$), ('numeric', 'diminuto', $$'-1e-1000'$$),
  ('smallint', 'max', '32767'), ('smallint', 'min', '-32768'), ('smallint', 'cero', '0'),
  ('integer', 'max', '2147483647'), ('integer', 'min', '-2147483648'), ('integer', 'cero', '0'),
  ('integer', 'negativo', '-1'),
  ('bigint', 'max', '9223372036854775807'), ('bigint', 'min', '-9223372036854775808'),
  ('bigint', 'cero', '0'), ('bigint', 'negativo', '-1'),
  ('boolean', 'verdadero', 'true'), ('boolean', 'falso', 'false'),
  -- ids and time
  ('uuid', 'ceros', $$'00000000-0000-0000-0000-000000000000'$$),
  ('uuid', 'unos', $$'ffffffff-ffff-ffff-ffff-ffffffffffff'$$), ('uuid', 'visita', $$'00000000-0000-4000-8000-0000000000f1'$$),
  ('date', 'infinity', $$'infinity'$$), ('date', '-infinity', $$'-infinity'$$),
  ('date', 'ac', $$'4713-01-01 BC'$$), ('date', 'lejana', $$'5874897-12-31'$$), ('date', 'epoch', $$'1970-01-01'$$),
  ('timestamp with time zone', 'infinity', $$'infinity'$$), ('timestamp with time zone', '-infinity', $$'-infinity'$$),
  ('timestamp with time zone', 'ac', $$'4713-01-01 00:00+00 BC'$$),
  ('timestamp with time zone', 'lejana', $$'294276-12-31 23:59:59+00'$$),
  ('timestamp with time zone', 'futuro', $$now() + interval '1 day'$$),
  ('timestamp without time zone', 'infinity', $$'infinity'$$), ('timestamp without time zone', 'ac', $$'4713-01-01 BC'$$),
  ('interval', 'cero', $$'0'$$), ('interval', 'negativo', $$'-1 second'$$),
  ('interval', 'siglos', $$'178000000 years'$$), ('interval', '-siglos', $$'-178000000 years'$$),
  ('interval', 'horas_max', $$'2147483647 days 2562047788 hours'$$), ('interval', 'micro', $$'1 microsecond'$$),
  ('xid8', 'cero', $$'0'$$), ('xid8', 'max', $$'18446744073709551615'$$),
  ('regclass', 'visitas', $$'pae.visitas'$$), ('regclass', 'pg_class', $$'pg_class'$$),
  ('regclass', 'auditoria', $$'pae.auditoria'$$), ('regclass', 'cero', $$'-'$$),
  ('regclass', 'particion', $$'pae.visitas_default'$$),
  -- json
  ('jsonb', 'null', $$'null'$$), ('jsonb', 'objeto', $$'{}'$$), ('jsonb', 'arreglo', $$'[]'$$),
  ('jsonb', 'cadena', $$'""'$$), ('jsonb', 'numero', $$'0'$$), ('jsonb', 'verdadero', $$'true'$$),
  ('jsonb', 'numero_enorme', $$'1e1000'$$),
  ('jsonb', 'arreglo_enorme', $$(SELECT jsonb_agg(g) FROM generate_series(1, 200000) g)$$),
  ('jsonb', 'cadena_1MB', $$to_jsonb(repeat('x', 1100000))$$),
  ('jsonb', 'anidado_arreglos', $$(repeat('[', 5000) || repeat(']', 5000))::jsonb$$),
  ('jsonb', 'anidado_objetos', $$(repeat('{"a":', 5000) || '1' || repeat('}', 5000))::jsonb$$),
  ('jsonb', 'claves_100k', $$(SELECT jsonb_object_agg('k' || g, g) FROM generate_series(1, 100000) g)$$),
  ('jsonb', 'lote_visitas_null', $$'{"dispositivo": "d", "visitas": [null, 1, "x", [], {}]}'$$),
  ('jsonb', 'lote_enorme', $$jsonb_build_object('dispositivo', 'd', 'visitas', (SELECT jsonb_agg('{}'::jsonb) FROM generate_series(1, 100000)))$$),
  ('jsonb', 'lote_hostil', $$jsonb_build_object('dispositivo', repeat('d', 1100000), 'visitas', jsonb_build_array(
        jsonb_build_object('id', '00000000-0000-4000-8000-0000000000f2', 'version_base', 2147483648, 'sede', repeat('1', 100000),
            'contrato', 'PAE-T-001', 'fecha_visita', '294277-01-01T00:00:00Z', 'estado', 'cerrada',
            'checkin', jsonb_build_object('lat', '1e1000'::jsonb, 'lon', 'NaN', 'precision_m', -1e300, 't', 'infinity'),
            'checkout', jsonb_build_object('lat', 90.0000001, 'lon', -180.5, 't', '2026-06-10T25:61:61+99:99'),
            'raciones_entregadas', 1e20, 'observaciones', repeat('o', 1100000),
            'respuestas', (SELECT jsonb_agg(jsonb_build_object('item', 'RAC-01', 'valor', 'cumple')) FROM generate_series(1, 5000)),
            'evidencias', jsonb_build_array(jsonb_build_object('id', 'no-uuid', 'tipo', 'foto', 'sha256', repeat('g', 64),
                'bytes', -9223372036854775808, 'mime', '', 'lat', 'NaN', 'lon', 'Infinity', 'tomada_en', '-infinity'))),
        jsonb_build_object('id', '00000000-0000-4000-8000-0000000000f1', 'version_base', -1, 'estado', 'inventado',
            'checkin', 'no-objeto', 'respuestas', '{}', 'evidencias', jsonb_build_array(null)),
        jsonb_build_object('id', 12, 'version_base', 'NaN', 'sede', null, 'fecha_visita', 1.5),
        jsonb_build_object('id', '00000000-0000-4000-8000-0000000000f3', 'sede', '119001900101', 'contrato', 'PAE-T-001',
            'fecha_visita', '2026-06-11T08:00:00-05:00', 'estado', 'en_curso',
            'checkin', jsonb_build_object('lat', 2.4443, 'lon', -76.6128, 'precision_m', 'NaN', 't', '2026-06-11T08:05:00-05:00'))))$$),
  ('jsonb', 'claims', $$jsonb_build_object('sub', '00000000-0000-0000-0000-000000000000', 'role', 'pae_admin', 'exp', 1e30, 'iat', -1e30)$$),
  ('json', 'null', $$'null'$$), ('json', 'anidado', $$(repeat('[', 5000) || repeat(']', 5000))::json$$),
  -- bytea: EWKB of every shape, invalid UTF-8, huge
  ('bytea', 'vacio', $$'\x'::bytea$$), ('bytea', 'cero', $$'\x00'::bytea$$),
  ('bytea', 'utf8_invalido', $$'\xc328ffa0eda080f888808080'::bytea$$),
  ('bytea', 'enorme_1MB', $$decode(repeat('ff', 1100000), 'hex')$$),
  ('bytea', 'ewkb_punto', $$ST_AsEWKB('SRID=4326;POINT(-76.6128 2.4443)'::geometry)$$),
  ('bytea', 'ewkb_big_endian', $$ST_AsEWKB('SRID=4326;POINT(-76.6128 2.4443)'::geometry, 'XDR')$$),
  ('bytea', 'ewkb_truncado', $$substr(ST_AsEWKB('SRID=4326;POINT(-76.6128 2.4443)'::geometry), 1, 20)$$),
  ('bytea', 'ewkb_nan', $$'\x0101000020e6100000000000000000f87f000000000000f87f'::bytea$$),
  ('bytea', 'ewkb_infinito', $$'\x0101000020e6100000000000000000f07f000000000000f0ff'::bytea$$),
  ('bytea', 'ewkb_sin_srid', $$ST_AsEWKB('POINT(1 2)'::geometry)$$),
  ('bytea', 'ewkb_otro_srid', $$ST_AsEWKB('SRID=3857;POINT(1 2)'::geometry)$$),
  ('bytea', 'ewkb_vacio', $$ST_AsEWKB('SRID=4326;POINT EMPTY'::geometry)$$),
  ('bytea', 'ewkb_multipunto', $$ST_AsEWKB('SRID=4326;MULTIPOINT((1 2),(3 4))'::geometry)$$),
  ('bytea', 'ewkb_z', $$ST_AsEWKB('SRID=4326;POINT Z (1 2 3)'::geometry)$$),
  ('bytea', 'ewkb_cuenta_enorme', $$'\x0104000020e6100000ffffff7f'::bytea$$),
  ('bytea', 'ewkb_tipo_raro', $$'\x01ffffff2fe6100000000000000000f03f000000000000f03f'::bytea$$),
  ('bytea', 'clave_32', $$decode(repeat('ab', 32), 'hex')$$),
  -- arrays, enums, geography
  ('character[]', 'vacio', $$'{}'$$), ('character[]', 'nulos', $$'{NULL}'$$),
  ('character[]', 'enorme', $$(SELECT array_agg('19001'::text) FROM generate_series(1, 100000))$$),
  ('character[]', 'elemento_1MB', $$ARRAY[repeat('x', 1100000)]$$), ('character[]', 'bidimensional', $$'{{19001},{19698}}'$$),
  ('character[]', 'desconocido', $$'{99999}'$$),
  ('text[]', 'vacio', $$'{}'$$), ('text[]', 'nulos', $$'{NULL}'$$),
  ('pae.estado_visita', 'programada', $$'programada'$$), ('pae.estado_visita', 'en_curso', $$'en_curso'$$),
  ('pae.estado_visita', 'cerrada', $$'cerrada'$$), ('pae.estado_visita', 'aprobada', $$'aprobada'$$),
  ('pae.estado_visita', 'devuelta', $$'devuelta'$$), ('pae.estado_visita', 'cancelada', $$'cancelada'$$),
  ('geography', 'vacio', $$'SRID=4326;POINT EMPTY'$$), ('geography', 'linea', $$'SRID=4326;LINESTRING(0 0,1 1)'$$),
  ('geography', 'esquina', $$'SRID=4326;POINT(180 90)'$$), ('geography', 'multipunto', $$'SRID=4326;MULTIPOINT((0 0),(1 1))'$$),
  ('geography', 'poligono_vacio', $$'SRID=4326;POLYGON EMPTY'$$), ('geography', 'z', $$'SRID=4326;POINT Z (1 2 3)'$$),
  ('geography', 'antipoda', $$'SRID=4326;POINT(103.3872 -2.4443)'$$), ('geography', 'nan', $$ST_MakePoint('NaN', 'NaN')::geography$$)
) AS v(t, e, x);

-- plausible values, for the parameters not under attack
CREATE TEMP TABLE base (tipo regtype PRIMARY KEY, expr text);
INSERT INTO base SELECT t::regtype, x FROM (VALUES
  ('text', $$'119001900101'$$), ('double precision', '2.4443'), ('real', '1'), ('numeric', '1'),
  ('smallint', '1'), ('integer', '1'), ('bigint', '1'), ('boolean', 'true'),
  ('uuid', $$'00000000-0000-4000-8000-0000000000f1'$$), ('date', $$'2026-06-10'$$),
  ('timestamp with time zone', $$'2026-06-10 08:00-05'$$), ('timestamp without time zone', $$'2026-06-10 08:00'$$),
  ('interval', $$'1 second'$$), ('xid8', $$'1'$$), ('regclass', $$'pae.visitas'$$),
  ('jsonb', $$'{}'$$), ('json', $$'{}'$$), ('bytea', $$ST_AsEWKB('SRID=4326;POINT(-76.6128 2.4443)'::geometry)$$),
  ('character[]', $$'{19001}'$$), ('text[]', $$'{a}'$$), ('pae.estado_visita', $$'cerrada'$$),
  ('geography', $$'SRID=4326;POINT(-76.6128 2.4443)'$$)) AS v(t, x);

-- plausible values by parameter name, where the type's one would stop the call early
CREATE TEMP TABLE base_nombre (nombre text, tipo regtype, expr text, PRIMARY KEY (nombre, tipo));
INSERT INTO base_nombre SELECT n, t::regtype, x FROM (VALUES
  ('correo', 'text', $$'hostil@prueba.gov.co'$$), ('clave', 'text', $$'clave-larga-hostil'$$),
  ('rol', 'text', $$'visitador'$$), ('nombre', 'text', $$'Persona Hostil'$$), ('item', 'text', $$'RAC-01'$$),
  ('valor', 'text', $$'cumple'$$), ('tipo', 'text', $$'foto'$$), ('mime', 'text', $$'image/jpeg'$$),
  ('sha256', 'text', $$repeat('ab', 32)$$), ('uri', 'text', $$'https://x/y.jpg'$$), ('tabla', 'text', $$'visitas'$$),
  ('operacion', 'text', $$'INSERT'$$), ('cabeceras', 'text', $$'{"user-agent":"x"}'$$), ('lat', 'text', $$'2.4443'$$),
  ('secreto', 'text', $$repeat('s', 64)$$), ('secreto', 'bytea', $$decode(repeat('ab', 32), 'hex')$$),
  ('lon', 'double precision', '-76.6128'), ('lon1', 'double precision', '-76.6128'), ('lon2', 'double precision', '-76.6'),
  ('precision_m', 'double precision', '5'), ('claims', 'jsonb', $$'{"sub":"00000000-0000-4000-8000-0000000000f1","role":"pae_visitador"}'$$),
  ('correo', 'bytea', $$pae.correo_digesto('vis1@prueba.gov.co')$$), ('mes', 'date', $$'2026-06-01'$$),
  ('particion', 'regclass', $$'pae.visitas_default'$$)) AS v(n, t, x);

-- build each value once; keep those the type accepts (by its input function or expression)
CREATE TEMP TABLE hostiles (id serial PRIMARY KEY, tipo regtype, etiqueta text, v text, k integer);
CREATE TEMP TABLE descartados (tipo regtype, etiqueta text, sqlstate text);
DO $$
DECLARE c record; v text;
BEGIN
    FOR c IN SELECT * FROM candidatos UNION ALL SELECT tipo, 'base', expr FROM base
             UNION ALL SELECT tipo, 'base:' || nombre, expr FROM base_nombre LOOP
        BEGIN
            EXECUTE format('SELECT (%s)::%s::text', c.expr, c.tipo) INTO v;
            INSERT INTO hostiles (tipo, etiqueta, v) VALUES (c.tipo, c.etiqueta, v);
        EXCEPTION WHEN OTHERS THEN
            INSERT INTO descartados VALUES (c.tipo, c.etiqueta, SQLSTATE);
        END;
    END LOOP;
    -- NULL of every type
    INSERT INTO hostiles (tipo, etiqueta, v) SELECT DISTINCT tipo, 'NULL', NULL FROM candidatos;
    UPDATE hostiles h SET k = x.k
      FROM (SELECT id, row_number() OVER (PARTITION BY tipo ORDER BY id) AS k FROM hostiles WHERE etiqueta !~ '^base') x
     WHERE x.id = h.id;
END $$;
GRANT SELECT ON hostiles TO PUBLIC;

CREATE TEMP TABLE resultados (fn regprocedure, rol text, caso text, sqlstate text, mensaje text, sentencia text);
GRANT INSERT, SELECT ON resultados TO PUBLIC;

-- one call: the arguments are subqueries on hostiles by id, cast to the parameter type
CREATE FUNCTION pg_temp.llamar(f funciones, ids integer[], rol text, caso text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_args text;
    v_sql  text;
    v_est  text := '00000';
    v_msg  text;
BEGIN
    SELECT string_agg(format('(SELECT v FROM pg_temp.hostiles WHERE id = %s)::%s', ids[i], f.tipos[i]::regtype), ', ' ORDER BY i)
      INTO v_args FROM generate_subscripts(f.tipos, 1) AS i;
    v_sql := format('SELECT count(*) FROM (SELECT %s(%s)) AS s',
                    (SELECT format('%I.%I', n.nspname, p.proname) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                      WHERE p.oid = f.oid), coalesce(v_args, ''));
    BEGIN
        IF rol = 'visitador' THEN
            PERFORM set_config('request.jwt.claims',
                               json_build_object('sub', pg_temp.id('visitador'), 'role', 'pae_visitador',
                                                 'iat', extract(epoch FROM now())::bigint + 1)::text, true);
            PERFORM set_config('request.headers', '{"user-agent":"hostil"}', true);
            PERFORM set_config('request.method', 'POST', true);
            PERFORM set_config('role', 'pae_visitador', true);
            PERFORM pae.db_pre_request();
        END IF;
        EXECUTE v_sql;
        -- undo what a successful call did: every call starts from the same ground
        RAISE EXCEPTION 'deshacer' USING ERRCODE = 'PH999';
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_est = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT;
        IF v_est = 'PH999' THEN
            v_est := '00000';
            v_msg := NULL;
        END IF;
    END;
    PERFORM set_config('role', 'none', true);
    PERFORM set_config('request.jwt.claims', '', true);
    INSERT INTO resultados VALUES (f.fn, rol, caso, v_est, left(v_msg, 300), v_sql);
END $$;

DO $$
DECLARE
    f      funciones;
    i      integer;
    h      record;
    ids    integer[];
    bases  integer[];
    nulos  integer[];
    kmax   integer;
    rol    text;
BEGIN
    FOR f IN SELECT * FROM funciones WHERE fn NOT IN (SELECT fn FROM omitidas) ORDER BY fn::text LOOP
        SELECT coalesce(array_agg((SELECT min(id) FROM hostiles WHERE tipo = t AND etiqueta = 'NULL') ORDER BY o), '{}'),
               coalesce(array_agg(coalesce((SELECT min(id) FROM hostiles WHERE tipo = t AND etiqueta = 'base:' || f.nombres[o]),
                                           (SELECT min(id) FROM hostiles WHERE tipo = t AND etiqueta = 'base'),
                                           (SELECT min(id) FROM hostiles WHERE tipo = t AND etiqueta = 'NULL')) ORDER BY o), '{}')
          INTO nulos, bases FROM unnest(f.tipos) WITH ORDINALITY AS u(t, o);
        FOREACH rol IN ARRAY ARRAY['superusuario', 'visitador'] LOOP
            PERFORM pg_temp.llamar(f, nulos, rol, 'todo NULL');
            PERFORM pg_temp.llamar(f, bases, rol, 'plausible');
            FOR i IN 1 .. f.pronargs LOOP
                FOR h IN SELECT id, etiqueta FROM hostiles WHERE tipo = f.tipos[i] AND etiqueta !~ '^(base|NULL)' ORDER BY id LOOP
                    ids := bases;
                    ids[i] := h.id;
                    PERFORM pg_temp.llamar(f, ids, rol, format('arg %s = %s', i, h.etiqueta));
                END LOOP;
            END LOOP;
            -- the k-th hostile value of each type at every position at once
            SELECT coalesce(max(k), 0) INTO kmax FROM hostiles WHERE tipo = ANY (f.tipos::regtype[]);
            FOR i IN 1 .. CASE WHEN f.pronargs > 1 THEN kmax ELSE 0 END LOOP
                SELECT array_agg(coalesce((SELECT id FROM hostiles WHERE tipo = t AND k = 1 + (i - 1) % (SELECT max(k) FROM hostiles WHERE tipo = t)),
                                          nulos[o]) ORDER BY o)
                  INTO ids FROM unnest(f.tipos) WITH ORDINALITY AS u(t, o);
                PERFORM pg_temp.llamar(f, ids, rol, format('todos %s', i));
            END LOOP;
        END LOOP;
    END LOOP;
END $$;
SET CONSTRAINTS ALL IMMEDIATE;

-- 1. nothing forgotten
SELECT is((SELECT count(*) FROM funciones),
          (SELECT count(*) FROM pg_depend d
            WHERE d.classid = 'pg_proc'::regclass AND d.refclassid = 'pg_extension'::regclass
              AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pae_cauca') AND d.deptype = 'e'),
          'the walk covers every function the extension owns (all of them live in pae, pae_api, pae_reportes)');
SELECT is((SELECT count(DISTINCT fn) FROM resultados) + (SELECT count(*) FROM omitidas),
          (SELECT count(*) FROM funciones), 'every function of the catalog was called or is skipped with a reason');
SELECT is((SELECT count(*) FROM omitidas WHERE fn NOT IN (SELECT fn FROM funciones)), 0::bigint,
          'no skipped function is missing from the catalog (the list is not stale)');
SELECT is((SELECT string_agg(DISTINCT t::regtype::text, ', ') FROM funciones, unnest(tipos) AS t
            WHERE t NOT IN (SELECT tipo FROM hostiles WHERE etiqueta !~ '^(base|NULL)')), NULL,
          'every parameter type of every function has hostile values (a new type needs its list)');
SELECT is((SELECT string_agg(DISTINCT t::regtype::text, ', ') FROM funciones, unnest(tipos) AS t
            WHERE t NOT IN (SELECT tipo FROM base)), NULL, 'every parameter type has a plausible value');
SELECT is((SELECT count(*) FROM funciones f
            WHERE f.fn NOT IN (SELECT fn FROM omitidas)
              AND (SELECT count(DISTINCT rol) FROM resultados r WHERE r.fn = f.fn) < 2), 0::bigint,
          'every function was called as the superuser and as a visitador');

-- 2. never an internal error
SELECT is((SELECT string_agg(DISTINCT format('%s [%s, %s]: %s', fn, rol, caso, mensaje), E'\n')
             FROM resultados WHERE sqlstate = 'XX000'), NULL,
          'no call ended in XX000 (internal error)');
SELECT is((SELECT string_agg(DISTINCT format('%s [%s, %s]: %s', fn, rol, caso, mensaje), E'\n')
             FROM resultados WHERE sqlstate IS NULL OR sqlstate !~ '^[0-9A-Z]{5}$'), NULL,
          'every failed call carries a SQLSTATE');

-- 3. the attack reached the code: huge values went in, both outcomes happened
SELECT cmp_ok((SELECT count(*) FROM resultados WHERE caso ~ '(enorme|1MB|anidado|claves_100k|lote_)'), '>', 200::bigint,
              'hundreds of calls carried 1 MB+ text, bytea or JSON, or JSON nested 5000 deep');
SELECT cmp_ok((SELECT count(DISTINCT fn) FROM resultados WHERE sqlstate = '00000'), '>', 20::bigint,
              'some hostile calls succeed (the walk is not refused wholesale)');
SELECT cmp_ok((SELECT count(DISTINCT sqlstate) FROM resultados WHERE rol = 'visitador'), '>', 3::bigint,
              'as a visitador the calls get past the privilege check too (several distinct SQLSTATEs)');

-- 4. invalid UTF-8 cannot be smuggled into text: the server refuses it cleanly
CREATE FUNCTION pg_temp.estado_de(sentencia text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sentencia;
    RETURN '00000';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;
SELECT is(pg_temp.estado_de($$SELECT pae.regla(convert_from('\xc328'::bytea, 'UTF8'))$$), '22021',
          'invalid UTF-8 turned into text is refused by the server (22021) before any function of ours runs');

SELECT * FROM finish();
ROLLBACK;
