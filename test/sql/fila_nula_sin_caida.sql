-- No row crashes the server (issue 9, item 1).  Generated from the catalog:
-- every table of schema pae (and every insertable view of pae_api) is
-- inserted with a valid base row with each column in turn NULL, DEFAULT and
-- omitted, and updated with each column NULL and DEFAULT, by each role
-- through the PostgREST emulation and by the owner (the superuser with no
-- claims).  Each attempt runs in its own subtransaction and is undone.  A
-- crash fails this file (the backend dies); so does any XX class error
-- (internal_error: an elog, a datum read as what it is not).  A NULL in a
-- NOT NULL column is never accepted.  Then the two crashes of the issue,
-- as explicit assertions.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(15);
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/intentar.sql

-- data for the base rows: a sede outside the contract, a programada visit
-- of the visitador, an en_curso one with an answer, a photo and an alert
INSERT INTO pae.sedes (codigo, nombre, institucion, municipio, zona, ubicacion)
VALUES ('119001900104', 'Sede Sur', '119001900001', '19001', 'urbana', 'SRID=4326;POINT(-76.6128 2.4000)');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000001');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000002', '119001900103', '2026-06-11 08:00-05');
SELECT pg_temp.llevar('00000000-0000-4000-8000-000000000002', 'en_curso');
SELECT pg_temp.completar('00000000-0000-4000-8000-000000000002');
SELECT pg_temp.como(NULL, NULL);
INSERT INTO pae.alertas (visita, tipo) VALUES ('00000000-0000-4000-8000-000000000002', 'prueba_manual')
ON CONFLICT DO NOTHING;

-- the valid base row of each table (to insert) and the row it updates
CREATE TEMP TABLE base (tabla regclass PRIMARY KEY, nueva jsonb NOT NULL, donde text NOT NULL);
INSERT INTO base VALUES
    ('pae.municipios', '{"codigo": "19999", "nombre": "Municipio Nuevo", "ubicacion": "SRID=4326;POINT(-76.6 2.4)"}', $$codigo = '19001'$$),
    ('pae.instituciones', '{"codigo": "119001900009", "nombre": "IE Nueva", "municipio": "19001"}', $$codigo = '119001900001'$$),
    ('pae.sedes', '{"codigo": "119001900109", "nombre": "Sede Nueva", "institucion": "119001900001", "municipio": "19001",
                    "zona": "urbana", "ubicacion": "SRID=4326;POINT(-76.61 2.44)"}', $$codigo = '119001900101'$$),
    ('pae.operadores', '{"nit": "900999999-1", "nombre": "Operador Nuevo"}', $$nit = '900123456-7'$$),
    ('pae.contratos', '{"numero": "PAE-N-001", "operador": "900123456-7", "vigencia": "[2026-01-01,2027-01-01)",
                        "raciones_dia": 100, "modalidad": "RPS"}', $$numero = 'PAE-T-001'$$),
    ('pae.contrato_sedes', '{"contrato": "PAE-T-001", "sede": "119001900104"}', $$contrato = 'PAE-T-001' AND sede = '119001900101'$$),
    ('pae.usuarios', '{"correo": "nuevo@prueba.gov.co", "nombre": "Persona Nueva", "rol": "visitador"}',
     format('id = %L', pg_temp.id('visitador'))),
    ('pae.usuario_municipios', jsonb_build_object('usuario', pg_temp.id('visitador'), 'municipio', '19698'),
     format('usuario = %L', pg_temp.id('visitador'))),
    ('pae.checklist_items', '{"codigo": "ZZZ-01", "categoria": "higiene", "texto": "Ítem nuevo"}',
     $$codigo = (SELECT min(codigo) FROM pae.checklist_items)$$),
    ('pae.visitas_id', '{"id": "00000000-0000-4000-8000-000000000901", "fecha_visita": "2026-06-20 08:00-05"}',
     $$id = '00000000-0000-4000-8000-000000000001'$$),
    ('pae.visitas', jsonb_build_object('id', '00000000-0000-4000-8000-000000000901', 'sede', '119001900101',
                                       'contrato', 'PAE-T-001', 'visitador', pg_temp.id('visitador'),
                                       'fecha_visita', '2026-06-20 08:00-05'),
     $$id = '00000000-0000-4000-8000-000000000001'$$),
    ('pae_api.visitas', jsonb_build_object('id', '00000000-0000-4000-8000-000000000901', 'sede', '119001900101',
                                           'contrato', 'PAE-T-001', 'visitador', pg_temp.id('visitador'),
                                           'fecha_visita', '2026-06-20 08:00-05'),
     $$id = '00000000-0000-4000-8000-000000000001'$$),
    ('pae.visitas_dia', jsonb_build_object('sede', '119001900101', 'visitador', pg_temp.id('visitador'),
                                           'dia', '2026-06-21', 'visita', '00000000-0000-4000-8000-000000000001'),
     $$visita = '00000000-0000-4000-8000-000000000001'$$),
    ('pae.visitas_checkin', jsonb_build_object('visita', '00000000-0000-4000-8000-000000000001', 'visitador', pg_temp.id('visitador'),
                                               'en', '2026-06-10 08:00-05', 'lat', 2.4442, 'lon', -76.6128),
     $$visita = '00000000-0000-4000-8000-000000000002'$$),
    ('pae.visita_respuestas', '{"visita": "00000000-0000-4000-8000-000000000002", "item": "ZZZ-00", "valor": "cumple"}',
     $$visita = '00000000-0000-4000-8000-000000000002' AND item = (SELECT min(r.item) FROM pae.visita_respuestas r)$$),
    ('pae.evidencias', '{"visita": "00000000-0000-4000-8000-000000000002", "tipo": "foto", "bytes": 1000, "mime": "image/jpeg",
                         "sha256": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}',
     $$visita = '00000000-0000-4000-8000-000000000002'$$),
    ('pae.transiciones', '{"visita": "00000000-0000-4000-8000-000000000002", "desde": "en_curso", "hacia": "cerrada"}',
     $$visita = '00000000-0000-4000-8000-000000000002'$$),
    ('pae.alertas', '{"visita": "00000000-0000-4000-8000-000000000001", "tipo": "prueba_nueva"}',
     $$visita = '00000000-0000-4000-8000-000000000002'$$),
    ('pae.eventos', '{"tipo": "prueba"}', $$visita = '00000000-0000-4000-8000-000000000002'$$),
    ('pae.auditoria', '{"en": "2026-06-10 08:00-05", "xid": "1", "tabla": "prueba", "operacion": "INSERT",
                        "rol_db": "prueba", "hash": "\\x00"}', $$id = (SELECT max(id) FROM pae.auditoria)$$),
    ('pae.auditoria_sellos', '{"desde_id": 1, "hasta_id": 1, "filas": 1, "hash": "\\x00"}', 'true'),
    ('pae.auditoria_archivos', '{"particion": "pae.prueba", "mes": "2025-01-01", "filas": 0}', 'true');
-- an item the answer may use (answers need an active item)
INSERT INTO pae.checklist_items (codigo, categoria, texto) VALUES ('ZZZ-00', 'higiene', 'Ítem de la prueba');

-- what is walked: every table of pae (partitioned parents, not their
-- partitions) and every view of pae_api that accepts INSERT
CREATE TEMP TABLE tablas AS
SELECT c.oid::regclass AS tabla, c.relkind
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE (n.nspname = 'pae' AND c.relkind IN ('r', 'p') AND NOT c.relispartition)
    OR (n.nspname = 'pae_api' AND c.relkind = 'v' AND pg_relation_is_updatable(c.oid, false) & 8 = 8);

-- one attempt as one request, always undone: its SQLSTATE, 'ok', or
-- 'sin filas' (an UPDATE that found no row it may see)
CREATE FUNCTION pg_temp.intento(quien text, sentencia text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE v text; n bigint;
BEGIN
    BEGIN
        IF quien = 'duenio' THEN
            PERFORM pg_temp.como(NULL, NULL);
        ELSIF quien = 'anon' THEN
            PERFORM pg_temp.como('pae_anon', NULL);
        ELSE
            PERFORM pg_temp.como(quien);
        END IF;
        EXECUTE sentencia;
        GET DIAGNOSTICS n = ROW_COUNT;
        RAISE EXCEPTION 'deshacer' USING ERRCODE = CASE WHEN n = 0 THEN 'ZZ001' ELSE 'ZZ000' END;
    EXCEPTION WHEN OTHERS THEN
        v := CASE SQLSTATE WHEN 'ZZ000' THEN 'ok' WHEN 'ZZ001' THEN 'sin filas' ELSE SQLSTATE END;
    END;
    PERFORM pg_temp.como(NULL, NULL);
    RETURN v;
END $$;

-- the statement of one attempt: modo nulo / defecto / omitida on column col
CREATE FUNCTION pg_temp.sentencia(t regclass, op text, col text, modo text) RETURNS text LANGUAGE sql AS $$
    SELECT CASE op
        WHEN 'UPDATE' THEN
            format('UPDATE %s SET %I = %s WHERE %s', t, col,
                   CASE modo WHEN 'nulo' THEN 'NULL' ELSE 'DEFAULT' END,
                   coalesce((SELECT b.donde FROM base b WHERE b.tabla = t), 'true'))
        ELSE coalesce(
            (SELECT format('INSERT INTO %s (%s) VALUES (%s)', t,
                           string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum),
                           string_agg(CASE WHEN a.attname = col AND modo = 'nulo' THEN 'NULL'
                                           WHEN a.attname = col AND modo = 'defecto' THEN 'DEFAULT'
                                           ELSE format('%L::%s', n.nueva ->> a.attname::text,
                                                       format_type(a.atttypid, a.atttypmod)) END,
                                      ', ' ORDER BY a.attnum))
               FROM pg_attribute a,
                    (SELECT coalesce((SELECT b.nueva FROM base b WHERE b.tabla = t), '{}') AS nueva) n
              WHERE a.attrelid = t AND a.attnum > 0 AND NOT a.attisdropped
                AND ((n.nueva ? a.attname AND NOT (a.attname = col AND modo = 'omitida'))
                     OR (a.attname = col AND modo IN ('nulo', 'defecto')))
             HAVING count(*) > 0),
            format('INSERT INTO %s DEFAULT VALUES', t))
    END $$;

CREATE TEMP TABLE quienes (quien text PRIMARY KEY, rol_db text NOT NULL);
INSERT INTO quienes VALUES ('duenio', current_user), ('visitador', 'pae_visitador'), ('supervisor', 'pae_supervisor'),
    ('coordinador', 'pae_coordinador'), ('admin', 'pae_admin'), ('bi', 'pae_bi'), ('anon', 'pae_anon');
CREATE TEMP TABLE modos (op text, modo text);
INSERT INTO modos VALUES ('INSERT', 'nulo'), ('INSERT', 'defecto'), ('INSERT', 'omitida'),
                         ('UPDATE', 'nulo'), ('UPDATE', 'defecto');

CREATE TEMP TABLE intentos (tabla regclass, columna name, no_nula boolean, quien text,
                            op text, modo text, sentencia text, resultado text);
INSERT INTO intentos (tabla, columna, no_nula, quien, op, modo, sentencia)
SELECT t.tabla, a.attname, a.attnotnull AND t.relkind IN ('r', 'p'), q.quien, m.op, m.modo,
       pg_temp.sentencia(t.tabla, m.op, a.attname, m.modo)
  FROM tablas t
  JOIN pg_attribute a ON a.attrelid = t.tabla AND a.attnum > 0 AND NOT a.attisdropped
 CROSS JOIN quienes q CROSS JOIN modos m
 -- a role without the privilege is refused before any row is read: its
 -- base row below says so (42501) once per table
 WHERE has_any_column_privilege(q.rol_db, t.tabla, m.op)
   -- DEFAULT of a column without a default is NULL, tried already
   AND (m.modo <> 'defecto' OR a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '');
-- and the base row itself, untouched
INSERT INTO intentos (tabla, columna, no_nula, quien, op, modo, sentencia)
SELECT t.tabla, NULL, false, q.quien, 'INSERT', 'base', pg_temp.sentencia(t.tabla, 'INSERT', NULL, 'base')
  FROM tablas t CROSS JOIN quienes q;

DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT ctid, quien, sentencia FROM intentos LOOP
        UPDATE intentos SET resultado = pg_temp.intento(r.quien, r.sentencia) WHERE ctid = r.ctid;
    END LOOP;
END $$;

-- 1-5. the walk
SELECT is((SELECT array_agg(DISTINCT format('%s %s.%s %s como %s: %s', op, tabla, columna, modo, quien, resultado))
             FROM intentos WHERE resultado IS NULL OR resultado LIKE 'XX%' OR resultado LIKE '58%'),
          NULL, 'no attempt on any table, column, mode or role ends in an internal error (XX000) or a crash');
SELECT is((SELECT array_agg(DISTINCT format('%s %s.%s como %s', op, tabla, columna, quien))
             FROM intentos WHERE no_nula AND modo = 'nulo' AND resultado = 'ok'
              AND NOT (op = 'UPDATE' AND (tabla, columna) IN (('pae.visitas'::regclass, 'version'), ('pae.visitas'::regclass, 'actualizada_en')))),
          NULL, 'a NULL in a NOT NULL column is never accepted (version and actualizada_en of an updated visit are the trigger''s)');
SELECT is((SELECT array_agg(DISTINCT format('%s.%s: %s', tabla, columna, resultado))
             FROM intentos WHERE no_nula AND modo = 'nulo' AND quien = 'duenio' AND op = 'INSERT'
              AND resultado NOT IN ('23502', '428C9') AND NOT (resultado = '23503' AND columna = 'visita')),
          NULL, 'as the owner, a NULL in a NOT NULL column of a new row is 23502 (428C9 for a generated column, 23503 for the visit of an answer or evidence)');
SELECT is((SELECT array_agg(format('%s: %s', tabla, resultado) ORDER BY tabla::text)
             FROM intentos i WHERE modo = 'base' AND quien = 'duenio' AND resultado <> 'ok'
              AND tabla IN (SELECT b.tabla FROM base b)),
          NULL, 'as the owner, every base row is accepted (so the walk tests real writes)');
SELECT ok((SELECT count(DISTINCT tabla) FROM intentos WHERE modo = 'base' AND quien IN ('visitador', 'supervisor', 'coordinador') AND resultado = 'ok') >= 3,
          'through the PostgREST emulation too, base rows are accepted (visits, answers, evidence)');

-- 6-15. the crashes of the issue, one by one
SELECT is(pg_temp.error_completo('visitador', $$INSERT INTO pae.visitas (sede, contrato, fecha_visita) VALUES ('119001900101', 'PAE-T-001', now() + interval '1 day')$$),
          '23502: valor nulo en la columna "visitador" de la visita | La columna "visitador" de pae.visitas es obligatoria (NOT NULL) y la fila nueva la trae en NULL.',
          'a visitador''s visit without visitador: 23502 naming the column (was: segmentation fault)');
SELECT is(pg_temp.error_completo('visitador', format($$INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita) VALUES (NULL, '119001900101', 'PAE-T-001', %L, now() + interval '1 day')$$, pg_temp.id('visitador'))),
          '23502: valor nulo en la columna "id" de la visita | La columna "id" de pae.visitas es obligatoria (NOT NULL) y la fila nueva la trae en NULL.',
          'a visit with a NULL id: 23502');
SELECT is(pg_temp.error_completo('visitador', $$UPDATE pae_api.visitas SET visitador = NULL WHERE id = '00000000-0000-4000-8000-000000000001'$$),
          '23502: valor nulo en la columna "visitador" de la visita | La columna "visitador" de pae.visitas es obligatoria (NOT NULL) y la fila actualizada la trae en NULL.',
          'SET visitador = NULL on an own programada visit through pae_api.visitas: 23502');
SELECT is(pg_temp.error_completo('supervisor', $$UPDATE pae.visitas SET sede = NULL WHERE id = '00000000-0000-4000-8000-000000000001'$$),
          '23502: valor nulo en la columna "sede" de la visita | La columna "sede" de pae.visitas es obligatoria (NOT NULL) y la fila actualizada la trae en NULL.',
          'SET sede = NULL by a supervisor: 23502');
CREATE FUNCTION pg_temp.pista(sentencia text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE v text;
BEGIN
    PERFORM pg_temp.como('visitador');
    EXECUTE sentencia;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v = PG_EXCEPTION_HINT;
    RETURN v;
END $$;
SELECT is(pg_temp.pista($$INSERT INTO pae.visitas (sede, contrato, fecha_visita) VALUES ('119001900101', 'PAE-T-001', now() + interval '1 day')$$),
          'Indique el id del visitador asignado (el propio, para una visita de campo).',
          'and the hint says what to send');
SELECT pg_temp.como(NULL, NULL);
SELECT results_eq($$SELECT visitador = pg_temp.id('visitador'), sede, version FROM pae.visitas WHERE id = '00000000-0000-4000-8000-000000000001'$$,
                  $$VALUES (true, '119001900101'::char(12), 1)$$, 'the refused updates changed nothing');
SELECT is((SELECT count(*) FROM pae.visitas_id), 2::bigint, 'no id was left in pae.visitas_id by any refused row');
-- a table of another shape with the visits trigger: refused, never read
CREATE TEMP TABLE otra_forma (id uuid DEFAULT gen_random_uuid(), sede int, contrato text, visitador uuid, fecha_visita timestamptz);
CREATE TRIGGER visitas_antes BEFORE INSERT OR UPDATE OR DELETE ON otra_forma
    FOR EACH ROW EXECUTE FUNCTION pae.tg_visitas_antes();
SELECT is(pg_temp.intentar(NULL, $$INSERT INTO otra_forma (sede, contrato, visitador, fecha_visita) VALUES (5, 'PAE-T-001', NULL, now())$$),
          '39P01: pae.tg_visitas_antes no puede dispararse sobre la tabla "pg_temp.otra_forma"',
          'a temp table with sede int and pae.tg_visitas_antes: 39P01 (was: segmentation fault)');
SELECT is((SELECT count(*) FROM pae.visitas_id), 2::bigint, 'and nothing reached pae.visitas_id');
SELECT ok((SELECT count(*) = 1 FROM pg_stat_activity WHERE pid = pg_backend_pid()), 'the server is up, this session too');

SELECT * FROM finish();
ROLLBACK;
