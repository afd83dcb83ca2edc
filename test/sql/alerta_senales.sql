-- Alerts of SPEC §5: fuera_geocerca, viaje_imposible, raciones_faltantes,
-- duracion_sospechosa, foto_reutilizada.  Each is recorded, none blocks the
-- move.  Requests are made as PostgREST makes them (PATCH = plain UPDATE).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(24);
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

-- check-in through a PATCH with the device's time
CREATE FUNCTION pg_temp.checkin(p_visita text, p_lat float8, p_lon float8, p_en timestamptz, quien text DEFAULT 'visitador') RETURNS text LANGUAGE sql AS $$
    SELECT pg_temp.intentar(quien, format($q$UPDATE pae.visitas SET estado = 'en_curso', checkin_lat = %s, checkin_lon = %s, checkin_precision_m = 8, checkin_en = %L
                                          WHERE id = %L$q$, p_lat, p_lon, p_en, p_visita))
$$;
CREATE FUNCTION pg_temp.alertas_de(p_visita text) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(tipo, ', ' ORDER BY tipo), '') FROM pae.alertas WHERE visita = p_visita::uuid
$$;

-- Sede Centro (2.4442, -76.6128) and Sede Norte (2.8962, -76.6128) are 50 km apart
SELECT round(pae.distancia_m(2.4443, -76.6128, 2.8962, -76.6128) / 1000) AS km_centro_norte;

-- 1. viaje_imposible: 50 km in 10 minutes
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000101', '119001900101', '2026-06-20 07:30-05');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000102', '119001900103', '2026-06-20 08:00-05');
SELECT is(pg_temp.checkin('00000000-0000-4000-8000-000000000101', 2.4443, -76.6128, '2026-06-20 08:00-05'), 'ok', 'check-in at Centro 08:00');
SELECT is(pg_temp.checkin('00000000-0000-4000-8000-000000000102', 2.8962, -76.6128, '2026-06-20 08:10-05'), 'ok', 'check-in at Norte 08:10 is not blocked');
SELECT is(pg_temp.alertas_de('00000000-0000-4000-8000-000000000102'), 'viaje_imposible', '50 km in 10 minutes: viaje_imposible');
SELECT results_eq($$SELECT detalle->>'otra_visita', round((detalle->>'distancia_m')::numeric / 1000), round((detalle->>'velocidad_kmh')::numeric / 10) * 10
                      FROM pae.alertas WHERE visita = '00000000-0000-4000-8000-000000000102' AND tipo = 'viaje_imposible'$$,
                  $$VALUES ('00000000-0000-4000-8000-000000000101', 50::numeric, 300::numeric)$$,
                  'the alert names the previous visit, the distance and the speed (~300 km/h)');
SELECT is(pg_temp.alertas_de('00000000-0000-4000-8000-000000000101'), '', 'the first check-in has no alert');

-- 2. the same instant, far apart
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000103', '119001900101', '2026-06-21 09:00-05');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000104', '119001900103', '2026-06-21 09:00-05');
SELECT is(pg_temp.checkin('00000000-0000-4000-8000-000000000103', 2.4443, -76.6128, '2026-06-21 09:00-05'), 'ok', 'check-in at Centro 09:00 (a day after Norte)');
SELECT is(pg_temp.checkin('00000000-0000-4000-8000-000000000104', 2.8962, -76.6128, '2026-06-21 09:00-05'), 'ok', 'check-in at Norte at the same instant');
SELECT is(pg_temp.alertas_de('00000000-0000-4000-8000-000000000103'), '', '50 km in 25 hours: no alert');
SELECT results_eq($$SELECT tipo, detalle->>'otra_visita', detalle->'velocidad_kmh' FROM pae.alertas WHERE visita = '00000000-0000-4000-8000-000000000104'$$,
                  $$VALUES ('viaje_imposible', '00000000-0000-4000-8000-000000000103', 'null'::jsonb)$$,
                  'same instant, 50 km apart: viaje_imposible (infinite speed)');

-- 3. 50 km in 3 hours is possible
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000105', '119001900101', '2026-06-25 08:00-05');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000106', '119001900103', '2026-06-25 11:00-05');
SELECT is(pg_temp.checkin('00000000-0000-4000-8000-000000000105', 2.4443, -76.6128, '2026-06-25 08:00-05'), 'ok', 'check-in at Centro 08:00');
SELECT is(pg_temp.checkin('00000000-0000-4000-8000-000000000106', 2.8962, -76.6128, '2026-06-25 11:00-05'), 'ok', 'check-in at Norte 11:00');
SELECT is(pg_temp.alertas_de('00000000-0000-4000-8000-000000000106'), '', '50 km in 3 hours: no alert');

-- 4. another visitador's check-ins are not this visitador's travel
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000107', '119001900101', '2026-06-25 08:00-05', 'otro_visitador');
SELECT is(pg_temp.checkin('00000000-0000-4000-8000-000000000107', 2.4443, -76.6128, '2026-06-25 11:05-05', 'otro_visitador'), 'ok', 'another visitador at Centro 11:05');
SELECT is(pg_temp.alertas_de('00000000-0000-4000-8000-000000000107'), '', 'no viaje_imposible across visitadores');

-- 5. raciones_faltantes (< 90 % of raciones_programadas) and duracion_sospechosa (< 10 min)
--    on closing through a PATCH with the device's times
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000111', '119001900101', '2026-07-01 08:00-05');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000112', '119001900101', '2026-07-02 08:00-05');
SELECT pg_temp.checkin('00000000-0000-4000-8000-000000000111', 2.4443, -76.6128, '2026-07-01 08:00-05'),
       pg_temp.checkin('00000000-0000-4000-8000-000000000112', 2.4443, -76.6128, '2026-07-02 08:00-05');
SELECT pg_temp.intentar('visitador', $$SELECT pg_temp.completar('00000000-0000-4000-8000-000000000111'), pg_temp.completar('00000000-0000-4000-8000-000000000112')$$);
SELECT is(pg_temp.intentar('visitador', $$UPDATE pae.visitas SET estado = 'cerrada', checkout_lat = 2.4443, checkout_lon = -76.6128,
                                                checkout_en = '2026-07-01 08:09:59-05', raciones_entregadas = 179
                                          WHERE id = '00000000-0000-4000-8000-000000000111'$$),
          'ok', '179 of 200 rations in 9 min 59 s: closes');
SELECT is(pg_temp.alertas_de('00000000-0000-4000-8000-000000000111'), 'duracion_sospechosa, raciones_faltantes', 'both alerts');
SELECT results_eq($$SELECT tipo, detalle FROM pae.alertas WHERE visita = '00000000-0000-4000-8000-000000000111' ORDER BY tipo$$,
                  $$VALUES ('duracion_sospechosa', '{"minutos": 9.98, "minimo_minutos": 10}'::jsonb),
                           ('raciones_faltantes', '{"programadas": 200, "entregadas": 179, "porcentaje": 89.5}'::jsonb)$$,
                  'their detail');
SELECT is(pg_temp.intentar('visitador', $$UPDATE pae.visitas SET estado = 'cerrada', checkout_lat = 2.4443, checkout_lon = -76.6128,
                                                checkout_en = '2026-07-02 08:10:00-05', raciones_entregadas = 180
                                          WHERE id = '00000000-0000-4000-8000-000000000112'$$),
          'ok', '180 of 200 rations (90 %) in exactly 10 min: closes');
SELECT is(pg_temp.alertas_de('00000000-0000-4000-8000-000000000112'), '', 'no alert at the thresholds');

-- 6. foto_reutilizada: the same sha256 on two visits raises the alert on both,
-- and the evidence is stored anyway
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000121', '119001900101', '2026-07-10 08:00-05');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000122', '119001900101', '2026-07-11 08:00-05');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000123', '119001900101', '2026-07-12 08:00-05', 'otro_visitador');
SELECT pg_temp.checkin('00000000-0000-4000-8000-000000000121', 2.4443, -76.6128, '2026-07-10 08:00-05'),
       pg_temp.checkin('00000000-0000-4000-8000-000000000122', 2.4443, -76.6128, '2026-07-11 08:00-05'),
       pg_temp.checkin('00000000-0000-4000-8000-000000000123', 2.4443, -76.6128, '2026-07-12 08:00-05', 'otro_visitador');
SELECT is(pg_temp.intentar('visitador', $$INSERT INTO pae.evidencias (id, visita, tipo, sha256, bytes, mime)
                                         VALUES ('00000000-0000-4000-8000-0000000e0121', '00000000-0000-4000-8000-000000000121', 'foto', repeat('c0', 32), 1000, 'image/jpeg')$$),
          'ok', 'a photo on the first visit');
SELECT is(pg_temp.intentar('visitador', $$INSERT INTO pae.evidencias (id, visita, tipo, sha256, bytes, mime)
                                         VALUES ('00000000-0000-4000-8000-0000000e0122', '00000000-0000-4000-8000-000000000122', 'foto', repeat('c0', 32), 1000, 'image/jpeg')$$),
          'ok', 'the same photo on the visitador''s second visit is stored');
SELECT results_eq($$SELECT visita::text, tipo, detalle->>'otra_visita' FROM pae.alertas WHERE tipo = 'foto_reutilizada' ORDER BY visita$$,
                  $$VALUES ('00000000-0000-4000-8000-000000000121', 'foto_reutilizada', '00000000-0000-4000-8000-000000000122'),
                           ('00000000-0000-4000-8000-000000000122', 'foto_reutilizada', '00000000-0000-4000-8000-000000000121')$$,
                  'foto_reutilizada on both visits, each naming the other');
SELECT is(pg_temp.intentar('otro_visitador', $$INSERT INTO pae.evidencias (id, visita, tipo, sha256, bytes, mime)
                                              VALUES ('00000000-0000-4000-8000-0000000e0123', '00000000-0000-4000-8000-000000000123', 'foto', repeat('c0', 32), 1000, 'image/jpeg')$$),
          'ok', 'another visitador sends the same photo: stored');
SELECT is(pg_temp.alertas_de('00000000-0000-4000-8000-000000000123'), 'foto_reutilizada',
          'a photo reused from another visitador''s visit (which they cannot see) is detected too');

SELECT * FROM finish();
ROLLBACK;
