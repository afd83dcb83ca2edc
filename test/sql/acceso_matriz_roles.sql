-- Who reads and writes what (issue 10, item 7; SPEC §10): every role a
-- PostgREST request can take -- pae_anon, a visitador, a supervisor in the
-- visits' municipio and one outside it, a coordinador, an admin, pae_bi --
-- against every table of pae and every view and function of pae_api, with
-- SELECT, INSERT, UPDATE and DELETE: the rows it sees or changes, or the
-- SQLSTATE it gets.  Each cell is one request emulated as PostgREST makes
-- it (claims, headers, method, SET LOCAL ROLE, pae.db_pre_request, the
-- statement), rolled back afterwards.  The objects come from the catalog:
-- a table, view or function added without a line here fails test 1.  The
-- expected outcomes are written out below, never derived from the
-- privileges or policies under test.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(44);
\i test/fixtures/visitas_y_personas.sql
SELECT pae.fijar_secreto_jwt('secreto-de-la-matriz-con-mas-de-32-bytes-0123456789');

-- Five visits: a1..a5.  Popayán (19001) is the municipio of the
-- visitadores and of "supervisor"; "supervisor_otro" has Santander de
-- Quilichao (19698).
--   a1 visitador       Popayán    programada, tomorrow (in their day plan)
--   a2 visitador       Popayán    cerrada: 19 answers, a photo, 2 moves, an alert
--   a3 otro_visitador  Popayán    en_curso, checked in 50 km away: an alert
--   a4 otro_visitador  Quilichao  programada
--   a5 visitador       Popayán    en_curso, one answer and one photo
INSERT INTO pae.contratos (numero, operador, vigencia, raciones_dia, modalidad)
VALUES ('PAE-T-HOY', '900123456-7', daterange(current_date - 40, current_date + 40), 200, 'RPS');
INSERT INTO pae.contrato_sedes (contrato, sede) VALUES ('PAE-T-HOY', '119001900101');
SELECT pg_temp.como(NULL, NULL);
INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)
VALUES ('00000000-0000-4000-8000-0000000000a1', '119001900101', 'PAE-T-HOY', pg_temp.id('visitador'),
        date_trunc('day', now()) + interval '1 day 13 hours', 200);
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-0000000000a2');
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000a2', 'cerrada');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-0000000000a3', '119001900103', '2026-06-11 08:00-05', 'otro_visitador');
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000a3', 'en_curso');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-0000000000a4', '119698900101', '2026-06-12 08:00-05', 'otro_visitador');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-0000000000a5', '119001900101', '2026-06-13 08:00-05');
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000a5', 'en_curso');
SELECT pg_temp.como('visitador');
SELECT (pae_api.responder('00000000-0000-4000-8000-0000000000a5', 'HIG-01', 'cumple')).item;
SELECT (pae_api.registrar_evidencia('00000000-0000-4000-8000-0000000000a5', 'foto', repeat('a5', 32), 1000, 'image/jpeg')).tipo;
SELECT pg_temp.como(NULL, NULL);

-- One request: returns the first column of a SELECT as text, the number of
-- rows an INSERT, UPDATE or DELETE touched, or the SQLSTATE it raised; its
-- effects are always rolled back (each cell starts from the fixture).
CREATE FUNCTION pg_temp.celda(quien text, metodo text, sentencia text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v_rol    text := 'pae_anon';
    v_claims text := '';
    v_res    text;
    v_n      bigint;
BEGIN
    IF quien <> 'anon' THEN
        SELECT g.rol_db, json_build_object('sub', g.id, 'role', g.rol_db,
                                           'iat', floor(extract(epoch FROM now()))::bigint,
                                           'exp', floor(extract(epoch FROM now()))::bigint + 3600)::text
          INTO STRICT v_rol, v_claims FROM gente g WHERE g.clave = quien;
    END IF;
    BEGIN
        PERFORM set_config('request.jwt.claims', v_claims, true);
        PERFORM set_config('request.headers', '{"user-agent":"matriz"}', true);
        PERFORM set_config('request.method', metodo, true);
        PERFORM set_config('role', v_rol, true);
        PERFORM pae.db_pre_request();
        IF metodo IN ('GET', 'RPC') THEN
            EXECUTE sentencia INTO v_res;
            IF metodo = 'RPC' THEN
                v_res := 'ok';
            END IF;
        ELSE
            EXECUTE sentencia;
            GET DIAGNOSTICS v_n = ROW_COUNT;
            v_res := v_n::text;
        END IF;
        RAISE EXCEPTION 'deshacer' USING ERRCODE = 'ZZ999';
    EXCEPTION
        WHEN SQLSTATE 'ZZ999' THEN NULL;
        WHEN OTHERS THEN v_res := SQLSTATE;
    END;
    PERFORM set_config('role', 'none', true);
    PERFORM set_config('request.jwt.claims', '', true);
    RETURN v_res;
END $$;

-- The statements.  NULL: DEFAULT VALUES / SET first column = itself /
-- DELETE of every row (for tables no client role may write).
CREATE TEMP TABLE sentencias (objeto text PRIMARY KEY, sel text, ins text, upd text, del text);
INSERT INTO sentencias VALUES
('pae.alertas', NULL, NULL, 'UPDATE pae.alertas SET cerrada_en = now()', NULL),
('pae.auditoria', 'SELECT sign(count(*)) FROM pae.auditoria', NULL, NULL, NULL),
('pae.auditoria_archivos', NULL, NULL, NULL, NULL),
('pae.auditoria_sellos', NULL, NULL, NULL, NULL),
('pae.checklist_items', NULL,
 $$INSERT INTO pae.checklist_items (codigo, categoria, texto) VALUES ('MAT-01', 'higiene', 'Ítem de la matriz')$$,
 'UPDATE pae.checklist_items SET texto = texto', $$DELETE FROM pae.checklist_items WHERE codigo = 'MAT-00'$$),
('pae.contrato_sedes', NULL,
 $$INSERT INTO pae.contrato_sedes (contrato, sede) VALUES ('PAE-T-HOY', '119001900102')$$,
 'UPDATE pae.contrato_sedes SET sede = sede', $$DELETE FROM pae.contrato_sedes WHERE contrato = 'PAE-T-000'$$),
('pae.contratos', NULL,
 $$INSERT INTO pae.contratos (numero, operador, vigencia, raciones_dia, modalidad) VALUES ('PAE-T-MAT', '900123456-7', daterange(current_date, current_date + 10), 100, 'RPS')$$,
 'UPDATE pae.contratos SET raciones_dia = raciones_dia', $$DELETE FROM pae.contratos WHERE numero = 'PAE-T-000'$$),
('pae.eventos', NULL, NULL, NULL, NULL),
('pae.evidencias', NULL,
 $$INSERT INTO pae.evidencias (visita, tipo, sha256, bytes, mime) VALUES ('00000000-0000-4000-8000-0000000000a5', 'firma', repeat('5a', 32), 100, 'image/png')$$,
 $$UPDATE pae.evidencias SET uri = 'https://archivos/matriz' WHERE visita = '00000000-0000-4000-8000-0000000000a5'$$,
 $$DELETE FROM pae.evidencias WHERE visita = '00000000-0000-4000-8000-0000000000a5'$$),
('pae.instituciones', NULL,
 $$INSERT INTO pae.instituciones (codigo, nombre, municipio) VALUES ('119001900009', 'IE Matriz', '19001')$$,
 'UPDATE pae.instituciones SET nombre = nombre', $$DELETE FROM pae.instituciones WHERE codigo = '119001900000'$$),
('pae.intentos_login', NULL, NULL, NULL, NULL),
('pae.municipios', NULL, NULL, NULL, NULL),
('pae.operadores', NULL,
 $$INSERT INTO pae.operadores (nit, nombre) VALUES ('900000009-9', 'Operador Matriz')$$,
 'UPDATE pae.operadores SET nombre = nombre', $$DELETE FROM pae.operadores WHERE nit = '000000000-0'$$),
('pae.relay_cursor', NULL, NULL, NULL, NULL),
('pae.resumen_sedes', NULL, NULL, NULL, NULL),
('pae.resumen_visitas', NULL, NULL, NULL, NULL),
('pae.secreto_jwt', NULL, NULL, NULL, NULL),
('pae.sedes', NULL,
 $$INSERT INTO pae.sedes (codigo, nombre, institucion, municipio, zona, ubicacion) VALUES ('119001900109', 'Sede Matriz', '119001900001', '19001', 'urbana', 'SRID=4326;POINT(-76.61 2.44)')$$,
 'UPDATE pae.sedes SET nombre = nombre', $$DELETE FROM pae.sedes WHERE codigo = '119001900000'$$),
('pae.sincronizaciones', NULL, NULL, NULL, NULL),
('pae.transiciones', NULL, NULL, NULL, NULL),
('pae.usuario_municipios', NULL,
 $$INSERT INTO pae.usuario_municipios (usuario, municipio) VALUES ((SELECT id FROM gente WHERE clave = 'coordinador'), '19001')$$,
 'UPDATE pae.usuario_municipios SET municipio = municipio', $$DELETE FROM pae.usuario_municipios WHERE municipio = '19698'$$),
('pae.usuarios', NULL, NULL, 'UPDATE pae.usuarios SET nombre = nombre', NULL),
('pae.visita_respuestas', NULL,
 $$INSERT INTO pae.visita_respuestas (visita, item, valor) VALUES ('00000000-0000-4000-8000-0000000000a5', 'HIG-02', 'cumple')$$,
 $$UPDATE pae.visita_respuestas SET observacion = 'matriz' WHERE visita = '00000000-0000-4000-8000-0000000000a5'$$,
 $$DELETE FROM pae.visita_respuestas WHERE visita = '00000000-0000-4000-8000-0000000000a5'$$),
('pae.visitas', NULL,
 $$INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas) VALUES ('00000000-0000-4000-8000-0000000000a9', '119001900101', 'PAE-T-001', (SELECT id FROM gente WHERE clave = 'visitador'), '2026-06-20 08:00-05', 200)$$,
 $$UPDATE pae.visitas SET observaciones = 'matriz' WHERE estado IN ('programada', 'en_curso')$$,
 $$DELETE FROM pae.visitas WHERE estado = 'programada'$$),
('pae.visitas_checkin', NULL, NULL, NULL, NULL),
('pae.visitas_dia', NULL, NULL, NULL, NULL),
('pae.visitas_archivos', NULL, NULL, NULL, NULL),
('pae.visitas_id', NULL, NULL, NULL, NULL),
('pae_api.alertas', NULL,
 $$INSERT INTO pae_api.alertas (visita, tipo) VALUES ('00000000-0000-4000-8000-0000000000a5', 'matriz')$$,
 'UPDATE pae_api.alertas SET cerrada_en = now()', 'DELETE FROM pae_api.alertas'),
('pae_api.checklist', NULL,
 $$INSERT INTO pae_api.checklist (codigo, categoria, texto) VALUES ('MAT-01', 'matriz', 'Ítem de la matriz')$$,
 'UPDATE pae_api.checklist SET texto = texto', 'DELETE FROM pae_api.checklist'),
('pae_api.cola_revision', NULL,
 $$INSERT INTO pae_api.cola_revision (id) VALUES ('00000000-0000-4000-8000-0000000000a9')$$,
 $$UPDATE pae_api.cola_revision SET observaciones = 'matriz'$$, 'DELETE FROM pae_api.cola_revision'),
('pae_api.mis_visitas', NULL,
 $$INSERT INTO pae_api.mis_visitas (id, sede, contrato, fecha_visita, raciones_programadas) VALUES ('00000000-0000-4000-8000-0000000000a9', '119001900101', 'PAE-T-HOY', now() + interval '1 day', 200)$$,
 $$UPDATE pae_api.mis_visitas SET observaciones = 'matriz', raciones_entregadas = 10$$, 'DELETE FROM pae_api.mis_visitas'),
('pae_api.sedes', NULL,
 $$INSERT INTO pae_api.sedes (codigo, nombre) VALUES ('119001900109', 'Sede Matriz')$$,
 'UPDATE pae_api.sedes SET nombre = nombre', 'DELETE FROM pae_api.sedes'),
('pae_api.visitas', NULL,
 $$INSERT INTO pae_api.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas) VALUES ('00000000-0000-4000-8000-0000000000a9', '119001900101', 'PAE-T-001', (SELECT id FROM gente WHERE clave = 'visitador'), '2026-06-20 08:00-05', 200)$$,
 $$UPDATE pae_api.visitas SET observaciones = 'matriz' WHERE estado IN ('programada', 'en_curso')$$,
 $$DELETE FROM pae_api.visitas WHERE estado = 'programada'$$);
UPDATE sentencias s SET
    sel = coalesce(sel, format('SELECT count(*) FROM %s', objeto)),
    ins = coalesce(ins, format('INSERT INTO %s DEFAULT VALUES', objeto)),
    upd = coalesce(upd, format('UPDATE %s SET %I = %I', objeto, a.attname, a.attname)),
    del = coalesce(del, format('DELETE FROM %s', objeto))
  FROM pg_attribute a
 WHERE a.attrelid = s.objeto::regclass
   AND a.attnum = (SELECT min(b.attnum) FROM pg_attribute b
                    WHERE b.attrelid = a.attrelid AND b.attnum > 0 AND NOT b.attisdropped
                      AND b.attidentity = '' AND b.attgenerated = '');

CREATE TEMP TABLE llamadas (objeto text PRIMARY KEY, sentencia text NOT NULL);
INSERT INTO llamadas VALUES
('pae_api.evaluar_geocerca(text,double precision,double precision,double precision)',
 $$SELECT pae_api.evaluar_geocerca('119001900101', 2.4442, -76.6128, 5)$$),
('pae_api.login(text,text)', $$SELECT pae_api.login('nadie@prueba.gov.co', 'clave-cualquiera')$$),
('pae_api.registrar_evidencia(uuid,text,text,bigint,text,double precision,double precision,timestamp with time zone,text,uuid)',
 $$SELECT pae_api.registrar_evidencia('00000000-0000-4000-8000-0000000000a5', 'documento', repeat('d5', 32), 2000, 'application/pdf')$$),
('pae_api.responder(uuid,text,text,text)',
 $$SELECT pae_api.responder('00000000-0000-4000-8000-0000000000a5', 'HIG-03', 'no_cumple')$$),
('pae_api.sincronizar(jsonb)', $$SELECT pae_api.sincronizar('{"dispositivo": "matriz", "visitas": []}')$$),
('pae_api.transicion(uuid,pae.estado_visita,text,double precision,double precision,double precision)',
 $$SELECT pae_api.transicion('00000000-0000-4000-8000-0000000000a1', 'en_curso', NULL, 2.4443, -76.6128, 5)$$);

-- 1. the matrix covers exactly the catalog
SELECT set_eq(
    $$SELECT objeto FROM sentencias UNION ALL SELECT objeto FROM llamadas$$,
    $$SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE (n.nspname = 'pae' AND c.relkind IN ('r', 'p') AND NOT c.relispartition)
          OR (n.nspname = 'pae_api' AND c.relkind IN ('r', 'p', 'v', 'm', 'f'))
      UNION ALL
      SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname = 'pae_api'$$,
    'the matrix covers every table of pae and every view and function of pae_api, and nothing else');

-- The expected outcomes, "SELECT INSERT UPDATE DELETE" per role: a number
-- is the rows seen or touched, a code the SQLSTATE.  55000 is PostgreSQL's
-- "cannot insert into / update / delete from view" (a view over a join is
-- read-only, for every role).
CREATE TEMP TABLE esperado (objeto text PRIMARY KEY, anon text, visitador text, supervisor text,
                            supervisor_otro text, coordinador text, admin text, bi text);
INSERT INTO esperado VALUES
--  object                    anon                       visitador                supervisor (19001)     supervisor (19698)     coordinador           admin                 bi
('pae.alertas',             '42501 42501 42501 42501', '1 42501 42501 42501',   '2 42501 2 42501',     '0 42501 0 42501',     '2 42501 2 42501',    '2 42501 2 42501',    '42501 42501 42501 42501'),
('pae.auditoria',           '42501 42501 42501 42501', '42501 42501 42501 42501','42501 42501 42501 42501','42501 42501 42501 42501','42501 42501 42501 42501','1 42501 42501 42501','42501 42501 42501 42501'),
('pae.auditoria_archivos',  '42501 42501 42501 42501', '42501 42501 42501 42501','42501 42501 42501 42501','42501 42501 42501 42501','42501 42501 42501 42501','0 42501 42501 42501','42501 42501 42501 42501'),
('pae.auditoria_sellos',    '42501 42501 42501 42501', '42501 42501 42501 42501','42501 42501 42501 42501','42501 42501 42501 42501','42501 42501 42501 42501','0 42501 42501 42501','42501 42501 42501 42501'),
('pae.checklist_items',     '42501 42501 42501 42501', '33 42501 42501 42501',  '33 42501 42501 42501', '33 42501 42501 42501', '33 1 33 0',          '33 1 33 0',          '42501 42501 42501 42501'),
('pae.contrato_sedes',      '42501 42501 42501 42501', '5 42501 42501 42501',   '5 42501 42501 42501',  '5 42501 42501 42501',  '5 1 5 0',            '5 1 5 0',            '42501 42501 42501 42501'),
('pae.contratos',           '42501 42501 42501 42501', '2 42501 42501 42501',   '2 42501 42501 42501',  '2 42501 42501 42501',  '2 1 2 0',            '2 1 2 0',            '42501 42501 42501 42501'),
('pae.eventos',             '42501 42501 42501 42501', '3 42501 42501 42501',   '4 42501 42501 42501',  '0 42501 42501 42501',  '4 42501 42501 42501','4 42501 42501 42501','42501 42501 42501 42501'),
('pae.evidencias',          '42501 42501 42501 42501', '2 1 1 1',               '2 1 1 1',              '0 23503 0 0',          '2 1 1 1',            '2 1 1 1',            '42501 42501 42501 42501'),
('pae.instituciones',       '42501 42501 42501 42501', '2 42501 42501 42501',   '2 42501 42501 42501',  '2 42501 42501 42501',  '2 1 2 0',            '2 1 2 0',            '42501 42501 42501 42501'),
('pae.intentos_login',      '42501 42501 42501 42501', '42501 42501 42501 42501','42501 42501 42501 42501','42501 42501 42501 42501','42501 42501 42501 42501','42501 42501 42501 42501','42501 42501 42501 42501'),
('pae.municipios',          '42501 42501 42501 42501', '42 42501 42501 42501',  '42 42501 42501 42501', '42 42501 42501 42501', '42 42501 42501 42501','42 42501 42501 42501','42501 42501 42501 42501'),
('pae.operadores',          '42501 42501 42501 42501', '1 42501 42501 42501',   '1 42501 42501 42501',  '1 42501 42501 42501',  '1 1 1 0',            '1 1 1 0',            '42501 42501 42501 42501'),
('pae.relay_cursor',        '42501 42501 42501 42501', '42501 42501 42501 42501', '42501 42501 42501 42501', '42501 42501 42501 42501', '42501 42501 42501 42501', '42501 42501 42501 42501', '42501 42501 42501 42501'),
('pae.resumen_sedes',       '42501 42501 42501 42501', '42501 42501 42501 42501', '42501 42501 42501 42501', '42501 42501 42501 42501', '42501 42501 42501 42501', '42501 42501 42501 42501', '42501 42501 42501 42501'),
('pae.resumen_visitas',     '42501 42501 42501 42501', '42501 42501 42501 42501', '42501 42501 42501 42501', '42501 42501 42501 42501', '42501 42501 42501 42501', '42501 42501 42501 42501', '42501 42501 42501 42501'),
('pae.secreto_jwt',         '42501 42501 42501 42501', '42501 42501 42501 42501','42501 42501 42501 42501','42501 42501 42501 42501','42501 42501 42501 42501','42501 42501 42501 42501','42501 42501 42501 42501'),
('pae.sedes',               '42501 42501 42501 42501', '4 42501 42501 42501',   '4 42501 42501 42501',  '4 42501 42501 42501',  '4 1 4 0',            '4 1 4 0',            '42501 42501 42501 42501'),
('pae.sincronizaciones',    '42501 42501 42501 42501', '0 42501 42501 42501',   '0 42501 42501 42501',  '0 42501 42501 42501',  '0 42501 42501 42501','0 42501 42501 42501','42501 42501 42501 42501'),
('pae.transiciones',        '42501 42501 42501 42501', '3 42501 42501 42501',   '4 42501 42501 42501',  '0 42501 42501 42501',  '4 42501 42501 42501','4 42501 42501 42501','42501 42501 42501 42501'),
('pae.usuario_municipios',  '42501 42501 42501 42501', '42501 42501 42501 42501','4 42501 42501 42501', '4 42501 42501 42501',  '4 42501 42501 42501','4 1 42501 1',        '42501 42501 42501 42501'),
('pae.usuarios',            '42501 42501 42501 42501', '1 42501 42501 42501',   '8 42501 42501 42501',  '8 42501 42501 42501',  '8 42501 42501 42501','8 42501 8 42501',    '42501 42501 42501 42501'),
('pae.visita_respuestas',   '42501 42501 42501 42501', '20 1 1 1',              '20 1 1 1',             '0 23503 0 0',          '20 1 1 1',           '20 1 1 1',           '42501 42501 42501 42501'),
('pae.visitas',             '42501 42501 42501 42501', '3 1 2 1',               '4 1 3 1',              '1 42501 1 1',          '5 1 4 2',            '5 1 4 2',            '42501 42501 42501 42501'),
('pae.visitas_checkin',     '42501 42501 42501 42501', '42501 42501 42501 42501','42501 42501 42501 42501','42501 42501 42501 42501','42501 42501 42501 42501','42501 42501 42501 42501','42501 42501 42501 42501'),
('pae.visitas_dia',         '42501 42501 42501 42501', '42501 42501 42501 42501','42501 42501 42501 42501','42501 42501 42501 42501','42501 42501 42501 42501','42501 42501 42501 42501','42501 42501 42501 42501'),
('pae.visitas_archivos',    '42501 42501 42501 42501', '42501 42501 42501 42501', '42501 42501 42501 42501', '42501 42501 42501 42501', '42501 42501 42501 42501', '0 42501 42501 42501', '42501 42501 42501 42501'),
('pae.visitas_id',          '42501 42501 42501 42501', '3 42501 42501 42501',   '4 42501 42501 42501',  '1 42501 42501 42501',  '5 42501 42501 42501','5 42501 42501 42501','42501 42501 42501 42501'),
('pae_api.alertas',         '42501 55000 55000 55000', '1 55000 55000 55000',   '2 55000 55000 55000',  '0 55000 55000 55000',  '2 55000 55000 55000','2 55000 55000 55000','42501 42501 42501 42501'),
('pae_api.checklist',       '42501 42501 42501 42501', '33 42501 42501 42501',  '33 42501 42501 42501', '33 42501 42501 42501', '33 42501 42501 42501','33 42501 42501 42501','42501 42501 42501 42501'),
('pae_api.cola_revision',   '42501 55000 55000 55000', '42501 55000 55000 55000','1 55000 55000 55000', '0 55000 55000 55000',  '1 55000 55000 55000','1 55000 55000 55000','42501 42501 42501 42501'),
('pae_api.mis_visitas',     '42501 42501 42501 42501', '1 42501 1 42501',       '42501 42501 42501 42501','42501 42501 42501 42501','42501 42501 42501 42501','42501 42501 42501 42501','42501 42501 42501 42501'),
('pae_api.sedes',           '42501 55000 55000 55000', '4 55000 55000 55000',   '4 55000 55000 55000',  '4 55000 55000 55000',  '4 55000 55000 55000','4 55000 55000 55000','42501 42501 42501 42501'),
('pae_api.visitas',         '42501 42501 42501 42501', '3 1 2 1',               '4 1 3 1',              '1 42501 1 1',          '5 1 4 2',            '5 1 4 2',            '42501 42501 42501 42501');

CREATE TEMP TABLE esperado_llamadas (objeto text PRIMARY KEY, anon text, visitador text, supervisor text,
                                     supervisor_otro text, coordinador text, admin text, bi text);
INSERT INTO esperado_llamadas VALUES
('pae_api.evaluar_geocerca(text,double precision,double precision,double precision)',
                                  '42501', 'ok', 'ok', 'ok', 'ok', 'ok', '42501'),
('pae_api.login(text,text)',      'ok',    'ok', 'ok', 'ok', 'ok', 'ok', '42501'),
('pae_api.registrar_evidencia(uuid,text,text,bigint,text,double precision,double precision,timestamp with time zone,text,uuid)',
                                  '42501', 'ok', 'ok', '23503', 'ok', 'ok', '42501'),
('pae_api.responder(uuid,text,text,text)',
                                  '42501', 'ok', 'ok', '23503', 'ok', 'ok', '42501'),
('pae_api.sincronizar(jsonb)',    '42501', 'ok', 'ok', 'ok', 'ok', 'ok', '42501'),
('pae_api.transicion(uuid,pae.estado_visita,text,double precision,double precision,double precision)',
                                  '42501', 'ok', 'PV002', 'P0002', 'PV002', 'PV002', '42501');

-- 2. every expected line names an object of the matrix
SELECT set_eq($$SELECT objeto FROM esperado UNION ALL SELECT objeto FROM esperado_llamadas$$,
              $$SELECT objeto FROM sentencias UNION ALL SELECT objeto FROM llamadas$$,
              'every object of the matrix has its expected outcomes written out');

-- 3-32. tables and views: one test per object, all seven roles
CREATE TEMP TABLE roles (orden int, quien text);
INSERT INTO roles VALUES (1, 'anon'), (2, 'visitador'), (3, 'supervisor'), (4, 'supervisor_otro'),
                         (5, 'coordinador'), (6, 'admin'), (7, 'bi');
CREATE FUNCTION pg_temp.fila(o text) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(format('%s: %s %s %s %s', r.quien,
                             pg_temp.celda(r.quien, 'GET', s.sel), pg_temp.celda(r.quien, 'POST', s.ins),
                             pg_temp.celda(r.quien, 'PATCH', s.upd), pg_temp.celda(r.quien, 'DELETE', s.del)),
                      ' | ' ORDER BY r.orden)
      FROM sentencias s, roles r WHERE s.objeto = o $$;
CREATE FUNCTION pg_temp.fila_esperada(o text) RETURNS text LANGUAGE sql AS $$
    SELECT format('anon: %s | visitador: %s | supervisor: %s | supervisor_otro: %s | coordinador: %s | admin: %s | bi: %s',
                  anon, visitador, supervisor, supervisor_otro, coordinador, admin, bi)
      FROM esperado WHERE objeto = o $$;
SELECT is(pg_temp.fila(objeto), pg_temp.fila_esperada(objeto), objeto || ': select insert update delete per role')
  FROM sentencias ORDER BY objeto;

-- 33-38. pae_api functions: one call per role
SELECT is((SELECT string_agg(format('%s: %s', r.quien, pg_temp.celda(r.quien, 'RPC', l.sentencia)), ' | ' ORDER BY r.orden)
             FROM roles r),
          (SELECT format('anon: %s | visitador: %s | supervisor: %s | supervisor_otro: %s | coordinador: %s | admin: %s | bi: %s',
                         e.anon, e.visitador, e.supervisor, e.supervisor_otro, e.coordinador, e.admin, e.bi)
             FROM esperado_llamadas e WHERE e.objeto = l.objeto),
          l.objeto || ': called by each role')
  FROM llamadas l ORDER BY l.objeto;

-- 39. the cells rolled back: the fixture is intact
SELECT results_eq($$SELECT id::text, estado::text, observaciones FROM pae.visitas ORDER BY id$$,
                  $$VALUES ('00000000-0000-4000-8000-0000000000a1', 'programada', NULL::text),
                           ('00000000-0000-4000-8000-0000000000a2', 'cerrada', NULL),
                           ('00000000-0000-4000-8000-0000000000a3', 'en_curso', NULL),
                           ('00000000-0000-4000-8000-0000000000a4', 'programada', NULL),
                           ('00000000-0000-4000-8000-0000000000a5', 'en_curso', NULL)$$,
                  'every request was rolled back: the visits are as the fixture left them');

-- 40. answering a visit one cannot see reads exactly like answering one that does not exist
CREATE FUNCTION pg_temp.error_como(quien text, sentencia text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE v_det text; v_hint text;
BEGIN
    PERFORM pg_temp.como(quien);
    EXECUTE sentencia;
    PERFORM pg_temp.como(NULL, NULL);
    RETURN 'sin error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v_det = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
    PERFORM pg_temp.como(NULL, NULL);
    RETURN format('%s: %s | %s | %s', SQLSTATE, SQLERRM, v_det, v_hint);
END $$;
SELECT is(replace(pg_temp.error_como('supervisor_otro', $$SELECT pae_api.responder('00000000-0000-4000-8000-0000000000a5', 'HIG-03', 'cumple')$$),
                  '00000000-0000-4000-8000-0000000000a5', '<id>'),
          replace(pg_temp.error_como('supervisor_otro', $$SELECT pae_api.responder('00000000-0000-4000-8000-0000000000ff', 'HIG-03', 'cumple')$$),
                  '00000000-0000-4000-8000-0000000000ff', '<id>'),
          'a hidden visit and an absent one give the same 23503, message, detail and hint');

SELECT * FROM finish();
ROLLBACK;
