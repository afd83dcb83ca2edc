-- History and outbox of SPEC §5 and §7: exactly one pae.transiciones row and
-- one pae.eventos row per move, with desde/hacia/actor/motivo; none for a
-- refused move; version + 1 on each change.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(12);
-- fixture (rolled back at the end of the file)
CREATE TEMP TABLE gente (clave text PRIMARY KEY, id uuid NOT NULL, rol_db text NOT NULL);
INSERT INTO pae.instituciones (codigo, nombre, municipio) VALUES
    ('119001900001', 'IE Prueba Popayán', '19001'),
    ('119698900001', 'IE Prueba Santander', '19698');
INSERT INTO pae.sedes (codigo, nombre, institucion, municipio, zona, ubicacion, geocerca_estricta) VALUES
    ('119001900101', 'Sede Centro',   '119001900001', '19001', 'urbana', 'SRID=4326;POINT(-76.6128 2.4442)', false),
    ('119001900102', 'Sede Estricta', '119001900001', '19001', 'urbana', 'SRID=4326;POINT(-76.6000 2.4500)', true),
    ('119001900103', 'Sede Norte',    '119001900001', '19001', 'rural',  'SRID=4326;POINT(-76.6128 2.8962)', false),
    ('119698900101', 'Sede Quilichao','119698900001', '19698', 'urbana', 'SRID=4326;POINT(-76.48537 3.016054)', false);
INSERT INTO pae.operadores (nit, nombre) VALUES ('900123456-7', 'Operador de Prueba SAS');
INSERT INTO pae.contratos (numero, operador, vigencia, raciones_dia, modalidad)
VALUES ('PAE-T-001', '900123456-7', daterange('2025-01-01', '2027-01-01'), 200, 'RPS');
INSERT INTO pae.contrato_sedes (contrato, sede)
SELECT 'PAE-T-001', codigo FROM pae.sedes WHERE codigo LIKE '1190019001%' OR codigo LIKE '1196989001%';
INSERT INTO gente VALUES
    ('visitador',        pae.crear_usuario('vis1@prueba.gov.co', 'Visitadora Uno', 'visitador', 'clave-larga-1', ARRAY['19001']::char(5)[]), 'pae_visitador'),
    ('otro_visitador',   pae.crear_usuario('vis2@prueba.gov.co', 'Visitador Dos', 'visitador', 'clave-larga-2', ARRAY['19001']::char(5)[]), 'pae_visitador'),
    ('supervisor',       pae.crear_usuario('sup1@prueba.gov.co', 'Supervisora Popayán', 'supervisor', 'clave-larga-3', ARRAY['19001']::char(5)[]), 'pae_supervisor'),
    ('supervisor_otro',  pae.crear_usuario('sup2@prueba.gov.co', 'Supervisor Quilichao', 'supervisor', 'clave-larga-4', ARRAY['19698']::char(5)[]), 'pae_supervisor'),
    ('coordinador',      pae.crear_usuario('coo1@prueba.gov.co', 'Coordinadora', 'coordinador', 'clave-larga-5'), 'pae_coordinador'),
    ('admin',            pae.crear_usuario('adm1@prueba.gov.co', 'Administrador', 'admin', 'clave-larga-6'), 'pae_admin'),
    ('bi',               pae.crear_usuario('bi1@prueba.gov.co', 'Analista BI', 'bi', 'clave-larga-7'), 'pae_bi'),
    ('inactivo',         pae.crear_usuario('coo2@prueba.gov.co', 'Coordinador Retirado', 'coordinador', 'clave-larga-8'), 'pae_coordinador');
UPDATE pae.usuarios SET activo = false WHERE id = (SELECT id FROM gente WHERE clave = 'inactivo');
GRANT SELECT ON gente TO PUBLIC;

-- one PostgREST request's identity: SET LOCAL ROLE + request.jwt.claims + request.headers
-- como(NULL, NULL) is the superuser session with no claims
CREATE FUNCTION pg_temp.como(rol text, sub uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('role', 'none', true);
    PERFORM set_config('request.jwt.claims',
                       CASE WHEN sub IS NULL THEN '' ELSE json_build_object('sub', sub, 'role', rol)::text END, true);
    PERFORM set_config('request.headers', '{"user-agent":"test"}', true);
    IF rol IS NOT NULL THEN
        PERFORM set_config('role', rol, true);
    END IF;
END $$;
-- como(clave) acts as a person of the fixture
CREATE FUNCTION pg_temp.como(quien text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE g record;
BEGIN
    PERFORM set_config('role', 'none', true);
    SELECT * INTO STRICT g FROM gente WHERE clave = quien;
    PERFORM pg_temp.como(g.rol_db, g.id);
END $$;
CREATE FUNCTION pg_temp.id(quien text) RETURNS uuid LANGUAGE sql AS $$ SELECT id FROM gente WHERE clave = quien $$;
-- drive a visit to a state through legal moves, as the people who may make them
CREATE FUNCTION pg_temp.nueva_visita(p_id uuid, p_sede text DEFAULT '119001900101',
                                     p_fecha timestamptz DEFAULT '2026-06-10 08:00-05',
                                     p_visitador text DEFAULT 'visitador')
RETURNS uuid LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.como(NULL, NULL);
    INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)
    VALUES (p_id, p_sede, 'PAE-T-001', pg_temp.id(p_visitador), p_fecha, 200);
    RETURN p_id;
END $$;
CREATE FUNCTION pg_temp.completar(p_visita uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO pae.visita_respuestas (visita, item, valor)
    SELECT p_visita, codigo, 'cumple' FROM pae.checklist_items WHERE obligatorio AND activo
    ON CONFLICT DO NOTHING;
    INSERT INTO pae.evidencias (visita, tipo, sha256, bytes, mime, lat, lon)
    VALUES (p_visita, 'foto', encode(sha256(convert_to(p_visita::text, 'UTF8')), 'hex'), 183020, 'image/jpeg', 2.4443, -76.6128);
END $$;
CREATE FUNCTION pg_temp.llevar(p_visita uuid, p_estado pae.estado_visita) RETURNS void LANGUAGE plpgsql AS $$
DECLARE v_visitador text;
BEGIN
    PERFORM pg_temp.como(NULL, NULL);
    SELECT g.clave INTO STRICT v_visitador FROM pae.visitas v JOIN gente g ON g.id = v.visitador WHERE v.id = p_visita;
    IF p_estado = 'programada' THEN
        RETURN;
    ELSIF p_estado = 'cancelada' THEN
        PERFORM pg_temp.como('coordinador');
        PERFORM pae.transicion(p_visita, 'cancelada', 'error de planeación');
    ELSE
        PERFORM pg_temp.como(v_visitador);
        PERFORM pae.transicion(p_visita, 'en_curso', NULL, 2.4443, -76.6128, 5);
        IF p_estado <> 'en_curso' THEN
            PERFORM pg_temp.completar(p_visita);
            PERFORM pae.transicion(p_visita, 'cerrada', NULL, 2.4443, -76.6128, 5);
            IF p_estado = 'aprobada' THEN
                PERFORM pg_temp.como('supervisor');
                PERFORM pae.transicion(p_visita, 'aprobada');
            ELSIF p_estado = 'devuelta' THEN
                PERFORM pg_temp.como('supervisor');
                PERFORM pae.transicion(p_visita, 'devuelta', 'faltan firmas');
            END IF;
        END IF;
    END IF;
    PERFORM pg_temp.como(NULL, NULL);
    IF (SELECT estado FROM pae.visitas WHERE id = p_visita) <> p_estado THEN
        RAISE EXCEPTION 'fixture: la visita no quedó en %', p_estado;
    END IF;
END $$;
-- one request as a person (or NULL: the superuser with no claims): runs the
-- statement, then goes back to the superuser; returns 'ok' or
-- 'SQLSTATE: message' (the request is rolled back on error, as PostgREST does)
CREATE FUNCTION pg_temp.intentar(quien text, sentencia text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE v_res text := 'ok';
BEGIN
    BEGIN
        IF quien IS NULL THEN
            PERFORM pg_temp.como(NULL, NULL);
        ELSE
            PERFORM pg_temp.como(quien);
        END IF;
        EXECUTE sentencia;
    EXCEPTION WHEN OTHERS THEN
        v_res := SQLSTATE || ': ' || SQLERRM;
    END;
    PERFORM pg_temp.como(NULL, NULL);
    RETURN v_res;
END $$;
-- the same, returning SQLSTATE, message and detail
CREATE FUNCTION pg_temp.error_completo(quien text, sentencia text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE v_res text := 'ok'; v_det text;
BEGIN
    BEGIN
        IF quien IS NULL THEN
            PERFORM pg_temp.como(NULL, NULL);
        ELSE
            PERFORM pg_temp.como(quien);
        END IF;
        EXECUTE sentencia;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_det = PG_EXCEPTION_DETAIL;
        v_res := SQLSTATE || ': ' || SQLERRM || ' | ' || coalesce(v_det, '');
    END;
    PERFORM pg_temp.como(NULL, NULL);
    RETURN v_res;
END $$;

SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000201');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000202', '119001900101', '2026-06-11 08:00-05');
SELECT is((SELECT version FROM pae.visitas WHERE id = '00000000-0000-4000-8000-000000000201'), 1, 'a new visit is version 1');

-- a whole life, each step one request; refused requests in between
CREATE TEMP TABLE pasos (n int, quien text, sentencia text, resultado text, version int);
INSERT INTO pasos (n, quien, sentencia) VALUES
 (1, 'visitador',   $$SELECT pae.transicion('00000000-0000-4000-8000-000000000201', 'cerrada', NULL, 2.4443, -76.6128, 5)$$),
 (2, 'visitador',   $$SELECT pae.transicion('00000000-0000-4000-8000-000000000201', 'en_curso', NULL, 2.4443, -76.6128, 5)$$),
 (3, 'visitador',   $$UPDATE pae.visitas SET observaciones = 'llegué a las 8' WHERE id = '00000000-0000-4000-8000-000000000201'$$),
 (4, 'visitador',   $$SELECT pg_temp.completar('00000000-0000-4000-8000-000000000201')$$),
 (5, 'visitador',   $$SELECT pae.transicion('00000000-0000-4000-8000-000000000201', 'cerrada', NULL, 2.4443, -76.6128, 5)$$),
 (6, 'supervisor',  $$SELECT pae.transicion('00000000-0000-4000-8000-000000000201', 'devuelta')$$),
 (7, 'supervisor',  $$SELECT pae.transicion('00000000-0000-4000-8000-000000000201', 'devuelta', 'falta la firma del rector')$$),
 (8, 'visitador',   $$SELECT pae.transicion('00000000-0000-4000-8000-000000000201', 'cerrada')$$),
 (9, 'visitador',   $$SELECT pae.transicion('00000000-0000-4000-8000-000000000201', 'aprobada')$$),
 (10, 'coordinador', $$UPDATE pae.visitas SET estado = 'aprobada' WHERE id = '00000000-0000-4000-8000-000000000201'$$),
 (11, 'coordinador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000201', 'cancelada', 'ya aprobada')$$),
 (12, 'visitador',   $$UPDATE pae.visitas SET observaciones = 'cambio tardío' WHERE id = '00000000-0000-4000-8000-000000000201'$$),
 (13, NULL,          $$SELECT pae.transicion('00000000-0000-4000-8000-000000000202', 'cancelada', 'carga histórica')$$);
DO $$
DECLARE p record; r text;
BEGIN
    FOR p IN SELECT * FROM pasos ORDER BY n LOOP
        r := pg_temp.intentar(p.quien, p.sentencia);
        UPDATE pasos SET resultado = split_part(r, ':', 1),
                         version = (SELECT version FROM pae.visitas WHERE id = CASE WHEN p.n = 13 THEN '00000000-0000-4000-8000-000000000202'::uuid
                                                                                   ELSE '00000000-0000-4000-8000-000000000201'::uuid END)
         WHERE n = p.n;
    END LOOP;
END $$;
SELECT n, coalesce(quien, 'superusuario') AS quien, resultado, version FROM pasos ORDER BY n;

SELECT results_eq($$SELECT resultado, version FROM pasos ORDER BY n$$,
                  $$VALUES ('PV002', 1), ('ok', 2), ('ok', 3), ('ok', 3), ('ok', 4), ('PV003', 4), ('ok', 5), ('ok', 6),
                           ('PV002', 6), ('ok', 7), ('PV002', 7), ('PV002', 7), ('ok', 2)$$,
                  'accepted changes add one to version, refused ones leave it');

SELECT results_eq($$SELECT t.desde::text, t.hacia::text, g.clave, t.motivo FROM pae.transiciones t LEFT JOIN gente g ON g.id = t.actor
                     WHERE t.visita = '00000000-0000-4000-8000-000000000201' ORDER BY t.id$$,
                  $$VALUES ('programada', 'en_curso', 'visitador', NULL::text),
                           ('en_curso', 'cerrada', 'visitador', NULL),
                           ('cerrada', 'devuelta', 'supervisor', 'falta la firma del rector'),
                           ('devuelta', 'cerrada', 'visitador', NULL),
                           ('cerrada', 'aprobada', 'coordinador', NULL)$$,
                  'one history row per move, with desde, hacia, actor and motivo; none for refused moves');
SELECT results_eq($$SELECT e.tipo, e.payload FROM pae.eventos e WHERE e.visita = '00000000-0000-4000-8000-000000000201' ORDER BY e.id$$,
                  $$VALUES ('visita.en_curso', '{"desde": "programada", "hacia": "en_curso"}'::jsonb),
                           ('visita.cerrada', '{"desde": "en_curso", "hacia": "cerrada"}'),
                           ('visita.devuelta', '{"desde": "cerrada", "hacia": "devuelta"}'),
                           ('visita.cerrada', '{"desde": "devuelta", "hacia": "cerrada"}'),
                           ('visita.aprobada', '{"desde": "cerrada", "hacia": "aprobada"}')$$,
                  'one event per move, none for refused moves');
SELECT is((SELECT count(*) FROM pae.transiciones WHERE visita = '00000000-0000-4000-8000-000000000201'),
          (SELECT count(*) FROM pae.eventos WHERE visita = '00000000-0000-4000-8000-000000000201'), 'as many events as history rows');
SELECT is((SELECT bool_and(t.en = now()) FROM pae.transiciones t WHERE t.visita = '00000000-0000-4000-8000-000000000201'), true,
          'history rows carry the time of their transaction');
SELECT is((SELECT motivo_estado FROM pae.visitas WHERE id = '00000000-0000-4000-8000-000000000201'), NULL,
          'a move without motivo clears the previous motivo_estado');
SELECT is((SELECT observaciones FROM pae.visitas WHERE id = '00000000-0000-4000-8000-000000000201'), 'llegué a las 8',
          'an approved visit is frozen: the late change was refused');

-- a session without identity that is privileged (superuser): actor NULL
SELECT results_eq($$SELECT desde::text, hacia::text, actor IS NULL, motivo FROM pae.transiciones WHERE visita = '00000000-0000-4000-8000-000000000202'$$,
                  $$VALUES ('programada', 'cancelada', true, 'carga histórica')$$,
                  'a privileged session without identity moves the visit with actor NULL');
-- the database role of the request is recorded (the session's role, not the extension owner)
SELECT is((SELECT array_agg(t.rol_db::text ORDER BY t.id) FROM pae.transiciones t WHERE t.visita = '00000000-0000-4000-8000-000000000201'),
          ARRAY['pae_visitador', 'pae_visitador', 'pae_supervisor', 'pae_visitador', 'pae_coordinador'],
                  'transiciones.rol_db is the role of the request');

-- a refused move inside a transaction that goes on leaves no row behind
\set ON_ERROR_STOP 0
\set VERBOSITY terse
SAVEPOINT antes_de_error;
SELECT pg_temp.como('supervisor');
SELECT pae.transicion('00000000-0000-4000-8000-000000000201', 'cancelada', 'tarde');
ROLLBACK TO SAVEPOINT antes_de_error;
\set VERBOSITY default
\set ON_ERROR_STOP 1
SELECT pg_temp.como(NULL, NULL);
SELECT is((SELECT count(*) FROM pae.transiciones)::int + (SELECT count(*) FROM pae.eventos)::int, 12, 'still 6 history rows and 6 events in all');
SELECT is((SELECT estado::text FROM pae.visitas WHERE id = '00000000-0000-4000-8000-000000000201'), 'aprobada', 'and the visit is aprobada');

SELECT * FROM finish();
ROLLBACK;
