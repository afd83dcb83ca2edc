-- Preconditions of SPEC §5 (PV003 naming which one), the geofence of the
-- check-in (PV001 at a strict fence, an alert otherwise), self-approval,
-- inactive people, and the same rules through a plain UPDATE (PostgREST
-- PATCH) and through pae_api.transicion when it exists.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(41);
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

-- fixed visit ids so that messages are deterministic
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000001');               -- check-in rules
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000002', '119001900102'); -- strict fence
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000003', '119001900102', '2026-06-11 08:00-05'); -- strict fence, PATCH
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000004', '119001900101', '2026-06-12 08:00-05'); -- soft fence, PATCH
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000005', '119001900101', '2026-06-13 08:00-05'); -- closing rules
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000006', '119001900101', '2026-06-14 08:00-05'); -- motivo rules
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000007', '119001900101', '2026-06-15 08:00-05'); -- devuelta -> cerrada
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000008', '119001900101', '2026-06-16 08:00-05'); -- same state
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000009', '119001900101', '2026-06-17 08:00-05', 'otro_visitador'); -- inactive visitador

-- 1. check-in without coordinates
SELECT is(pg_temp.error_completo('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000001', 'en_curso')$$),
          'PV003: precondición no cumplida para pasar la visita 00000000-0000-4000-8000-000000000001 a en_curso: falta el check-in | Iniciar la visita exige la latitud y longitud del check-in.',
          'check-in without coordinates: PV003 naming the check-in');
SELECT is(pg_temp.intentar('visitador', $$UPDATE pae.visitas SET estado = 'en_curso' WHERE id = '00000000-0000-4000-8000-000000000001'$$),
          'PV003: precondición no cumplida para pasar la visita 00000000-0000-4000-8000-000000000001 a en_curso: falta el check-in',
          'the same through a PATCH');
SELECT alike(pg_temp.intentar('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000001', 'en_curso', NULL, 2.4443, NULL, 5)$$),
          'PV00_:%', 'check-in with latitude only is refused');
SELECT results_eq($$SELECT estado::text, version, checkin_lat IS NULL FROM pae.visitas WHERE id = '00000000-0000-4000-8000-000000000001'$$,
                  $$VALUES ('programada', 1, true)$$, 'refused check-ins leave the visit untouched');

-- 2. strict fence: outside -> PV001, nothing stored
SELECT is(pg_temp.intentar('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000002', 'en_curso', NULL, 2.4600, -76.6000, 5)$$),
          'PV001: check-in fuera de la geocerca estricta de la sede "119001900102"',
          'strict fence, check-in 1.1 km away: PV001');
SELECT is(pg_temp.intentar('visitador', $$UPDATE pae.visitas SET estado = 'en_curso', checkin_lat = 2.4600, checkin_lon = -76.6000, checkin_precision_m = 5
                                         WHERE id = '00000000-0000-4000-8000-000000000003'$$),
          'PV001: check-in fuera de la geocerca estricta de la sede "119001900102"',
          'strict fence through a PATCH: PV001');
SELECT is(pg_temp.intentar('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000002', 'en_curso', NULL, 2.4605, -76.6000, 500)$$),
          'PV001: check-in fuera de la geocerca estricta de la sede "119001900102"',
          'a poor GPS fix gets at most 100 m of benefit of the doubt (580 m away, 150 m + 100 m)');
SELECT results_eq($$SELECT estado::text, version, checkin_lat IS NULL AND checkin_en IS NULL AND distancia_m IS NULL AND dentro_geocerca IS NULL
                      FROM pae.visitas WHERE id IN ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003') ORDER BY id$$,
                  $$VALUES ('programada', 1, true), ('programada', 1, true)$$, 'PV001 stores nothing on the visit');
SELECT is((SELECT count(*) FROM pae.transiciones WHERE visita IN ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003'))
        + (SELECT count(*) FROM pae.eventos WHERE visita IN ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003'))
        + (SELECT count(*) FROM pae.alertas WHERE visita IN ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003')),
          0::bigint, 'PV001 leaves no history, event or alert');
SELECT is(pg_temp.intentar('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000002', 'en_curso', NULL, 2.4505, -76.6000, 5)$$),
          'ok', 'strict fence, check-in 55 m away: allowed');
SELECT results_eq($$SELECT estado::text, dentro_geocerca, round(distancia_m)::int FROM pae.visitas WHERE id = '00000000-0000-4000-8000-000000000002'$$,
                  $$VALUES ('en_curso', true, 55)$$, 'inside the strict fence: stored inside, with its distance');

-- 3. soft fence: outside -> allowed, with an alert fuera_geocerca
SELECT is(pg_temp.intentar('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000001', 'en_curso', NULL, 2.4542, -76.6128, 10)$$),
          'ok', 'soft fence, check-in 1.1 km away: allowed');
SELECT results_eq($$SELECT v.estado::text, v.dentro_geocerca, round(v.distancia_m / 10)::int * 10, a.tipo, (a.detalle->>'distancia_m')::numeric = round(v.distancia_m::numeric, 1)
                      FROM pae.visitas v JOIN pae.alertas a ON a.visita = v.id WHERE v.id = '00000000-0000-4000-8000-000000000001'$$,
                  $$VALUES ('en_curso', false, 1110, 'fuera_geocerca', true)$$,
                  'stored outside, one alert fuera_geocerca with the distance');
SELECT is(pg_temp.intentar('visitador', $$UPDATE pae.visitas SET estado = 'en_curso', checkin_lat = 2.4542, checkin_lon = -76.6128, checkin_precision_m = 10
                                         WHERE id = '00000000-0000-4000-8000-000000000004'$$),
          'ok', 'soft fence through a PATCH: allowed');
SELECT results_eq($$SELECT v.estado::text, v.dentro_geocerca, a.tipo FROM pae.visitas v JOIN pae.alertas a ON a.visita = v.id
                     WHERE v.id = '00000000-0000-4000-8000-000000000004'$$,
                  $$VALUES ('en_curso', false, 'fuera_geocerca')$$, 'PATCH: stored outside, with the alert');

-- 4. closing: check-out, mandatory checklist, photo
SELECT is(pg_temp.intentar('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000005', 'en_curso', NULL, 2.4443, -76.6128, 5)$$), 'ok', 'check-in of the closing visit');
SELECT is(pg_temp.error_completo('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000005', 'cerrada')$$),
          'PV003: precondición no cumplida para pasar la visita 00000000-0000-4000-8000-000000000005 a cerrada: falta el check-out | Para cerrar la visita se requieren checkout_lat y checkout_lon.',
          'closing without check-out coordinates: PV003 naming the check-out');
SELECT is(pg_temp.intentar('visitador', $$INSERT INTO pae.visita_respuestas (visita, item, valor)
                                         SELECT '00000000-0000-4000-8000-000000000005', codigo, 'cumple' FROM pae.checklist_items
                                          WHERE obligatorio AND codigo NOT IN ('MEN-03', 'HIG-04', 'CAL-02')$$), 'ok', 'all mandatory answers but three');
SELECT is(pg_temp.error_completo('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000005', 'cerrada', NULL, 2.4443, -76.6128, 5)$$),
          'PV003: precondición no cumplida para pasar la visita 00000000-0000-4000-8000-000000000005 a cerrada: faltan ítems obligatorios de la lista de chequeo | Faltan 3 ítems obligatorios sin respuesta: MEN-03, HIG-04, CAL-02.',
          'missing mandatory items: PV003 listing them');
SELECT is(pg_temp.intentar('visitador', $$UPDATE pae.visitas SET estado = 'cerrada', checkout_lat = 2.4443, checkout_lon = -76.6128, checkout_en = clock_timestamp()
                                         WHERE id = '00000000-0000-4000-8000-000000000005'$$),
          'PV003: precondición no cumplida para pasar la visita 00000000-0000-4000-8000-000000000005 a cerrada: faltan ítems obligatorios de la lista de chequeo',
          'the same through a PATCH');
SELECT is(pg_temp.intentar('visitador', $$INSERT INTO pae.visita_respuestas (visita, item, valor) VALUES
                                           ('00000000-0000-4000-8000-000000000005', 'MEN-03', 'no_cumple'),
                                           ('00000000-0000-4000-8000-000000000005', 'HIG-04', 'no_aplica'),
                                           ('00000000-0000-4000-8000-000000000005', 'CAL-02', 'cumple');
                                         INSERT INTO pae.evidencias (visita, tipo, sha256, bytes, mime)
                                         VALUES ('00000000-0000-4000-8000-000000000005', 'firma', repeat('5', 64), 2000, 'image/png')$$),
          'ok', 'the rest of the answers, and a signature (not a photo)');
SELECT is(pg_temp.error_completo('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000005', 'cerrada', NULL, 2.4443, -76.6128, 5)$$),
          'PV003: precondición no cumplida para pasar la visita 00000000-0000-4000-8000-000000000005 a cerrada: falta al menos una foto | La visita no tiene ninguna evidencia de tipo foto.',
          'no photo: PV003 naming the photo');
SELECT is(pg_temp.intentar('visitador', $$INSERT INTO pae.evidencias (visita, tipo, sha256, bytes, mime)
                                         VALUES ('00000000-0000-4000-8000-000000000005', 'foto', repeat('6', 64), 2000, 'image/jpeg');
                                         SELECT pae.transicion('00000000-0000-4000-8000-000000000005', 'cerrada', NULL, 2.4443, -76.6128, 5)$$),
          'ok', 'with a photo the visit closes');
SELECT results_eq($$SELECT estado::text, checkout_lat, checkout_en >= checkin_en FROM pae.visitas WHERE id = '00000000-0000-4000-8000-000000000005'$$,
                  $$VALUES ('cerrada', 2.4443::float8, true)$$, 'closed with its check-out stored');

-- 5. self-approval: the visit's own visitador never approves or returns it
SELECT alike(pg_temp.intentar('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000005', 'aprobada')$$),
            'PV002: transición no permitida: cerrada -> aprobada', 'the visitador cannot approve their own visit (PV002)');
SELECT alike(pg_temp.intentar('visitador', $$UPDATE pae.visitas SET estado = 'aprobada' WHERE id = '00000000-0000-4000-8000-000000000005'$$),
            'PV002: transición no permitida: cerrada -> aprobada', 'nor through a PATCH');

-- 6. motivo
SELECT is(pg_temp.error_completo('coordinador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000006', 'cancelada')$$),
          'PV003: precondición no cumplida para pasar la visita 00000000-0000-4000-8000-000000000006 a cancelada: falta el motivo | Pasar una visita a cancelada exige un motivo escrito.',
          'cancel without motivo: PV003 naming the motivo');
SELECT is(pg_temp.intentar('coordinador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000006', 'cancelada', E'  \t ')$$),
          'PV003: precondición no cumplida para pasar la visita 00000000-0000-4000-8000-000000000006 a cancelada: falta el motivo',
          'a blank motivo is no motivo');
SELECT is(pg_temp.intentar('supervisor', $$UPDATE pae.visitas SET estado = 'cancelada' WHERE id = '00000000-0000-4000-8000-000000000006'$$),
          'PV003: precondición no cumplida para pasar la visita 00000000-0000-4000-8000-000000000006 a cancelada: falta el motivo',
          'cancel through a PATCH without motivo_estado');
SELECT is(pg_temp.intentar('supervisor', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000005', 'devuelta')$$),
          'PV003: precondición no cumplida para pasar la visita 00000000-0000-4000-8000-000000000005 a devuelta: falta el motivo',
          'return without motivo: PV003');
SELECT is(pg_temp.intentar('supervisor', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000005', 'devuelta', 'el conteo de raciones no cuadra')$$),
          'ok', 'return with motivo');
SELECT is(pg_temp.intentar('coordinador', $$UPDATE pae.visitas SET estado = 'cancelada', motivo_estado = 'sede cerrada por paro' WHERE id = '00000000-0000-4000-8000-000000000006'$$),
          'ok', 'cancel through a PATCH with motivo_estado');
SELECT results_eq($$SELECT hacia::text, motivo FROM pae.transiciones WHERE visita IN ('00000000-0000-4000-8000-000000000005', '00000000-0000-4000-8000-000000000006')
                     AND hacia IN ('devuelta', 'cancelada') ORDER BY id$$,
                  $$VALUES ('devuelta', 'el conteo de raciones no cuadra'), ('cancelada', 'sede cerrada por paro')$$,
                  'the motivo is kept in the history');

-- 7. devuelta -> cerrada has the closing preconditions again
SELECT is(pg_temp.intentar('visitador', $$DELETE FROM pae.evidencias WHERE visita = '00000000-0000-4000-8000-000000000005' AND tipo = 'foto'$$),
          'ok', 'a returned visit can be corrected (its photo removed)');
SELECT is(pg_temp.intentar('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000005', 'cerrada', NULL, 2.4443, -76.6128, 5)$$),
          'PV003: precondición no cumplida para pasar la visita 00000000-0000-4000-8000-000000000005 a cerrada: falta al menos una foto',
          'devuelta -> cerrada without a photo: PV003');

-- 8. an inactive person is refused (42501), even the assigned visitador
UPDATE pae.usuarios SET activo = false WHERE id = pg_temp.id('otro_visitador');
SELECT alike(pg_temp.intentar('otro_visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000009', 'en_curso', NULL, 2.4443, -76.6128, 5)$$),
            '42501: %', 'an inactive assigned visitador cannot check in (42501)');
SELECT alike(pg_temp.intentar('inactivo', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000008', 'cancelada', 'motivo')$$),
            '42501: %', 'an inactive coordinador cannot cancel (42501)');

-- 9. pae.transicion to the state the visit is already in is not a move: PV002,
-- and it does not rewrite the check-in
SELECT is(pg_temp.intentar('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000008', 'en_curso', NULL, 2.4443, -76.6128, 5)$$),
          'ok', 'check-in');
SELECT alike(pg_temp.intentar('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000008', 'en_curso', NULL, 2.4600, -76.6000, 5)$$),
            'PV002: %', 'a second check-in of an en_curso visit is refused (PV002)');
SELECT results_eq($$SELECT checkin_lat, version FROM pae.visitas WHERE id = '00000000-0000-4000-8000-000000000008'$$,
                  $$VALUES (2.4443::float8, 2)$$, 'the first check-in stays');

-- 10. pae_api.transicion obeys the same rules, when it exists
SELECT CASE WHEN to_regprocedure('pae_api.transicion(uuid, pae.estado_visita, text, double precision, double precision, double precision)') IS NULL
            THEN skip('pae_api.transicion does not exist yet', 1)
            ELSE is(pg_temp.intentar('visitador', $$SELECT pae_api.transicion('00000000-0000-4000-8000-000000000001', 'cerrada')$$),
                    'PV003: precondición no cumplida para pasar la visita 00000000-0000-4000-8000-000000000001 a cerrada: falta el check-out',
                    'pae_api.transicion: closing without check-out is PV003') END;

SELECT * FROM finish();
ROLLBACK;
