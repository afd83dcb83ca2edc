-- The PostgREST surface (SPEC §10): views with security_invoker (row-level
-- security of the caller applies) and functions.  COMMENTs become the
-- OpenAPI description PostgREST serves.

CREATE VIEW pae_api.visitas WITH (security_invoker = true) AS
SELECT v.id, v.sede, v.contrato, v.visitador, v.fecha_visita, v.estado,
       v.checkin_lat, v.checkin_lon, v.checkin_precision_m, v.checkin_en,
       v.checkout_lat, v.checkout_lon, v.checkout_precision_m, v.checkout_en,
       v.distancia_m, v.dentro_geocerca, v.raciones_programadas, v.raciones_entregadas,
       v.observaciones, v.motivo_estado, v.version, v.dispositivo, v.creada_en, v.actualizada_en
  FROM pae.visitas v;
COMMENT ON VIEW pae_api.visitas IS
    'Visitas que la sesión puede ver: las propias (visitador), las de sus municipios (supervisor) o todas (coordinador). PATCH con estado aplica la máquina de estados';

CREATE VIEW pae_api.sedes WITH (security_invoker = true) AS
SELECT s.codigo, s.nombre, s.institucion, s.municipio, m.nombre AS municipio_nombre, s.zona,
       s.lat, s.lon, s.radio_geocerca_m, s.geocerca_estricta, s.matricula, s.activa
  FROM pae.sedes s JOIN pae.municipios m ON m.codigo = s.municipio;
COMMENT ON VIEW pae_api.sedes IS 'Sedes educativas con su geocerca (centro lat/lon y radio en metros)';

CREATE VIEW pae_api.alertas WITH (security_invoker = true) AS
SELECT a.id, a.visita, a.tipo, a.detalle, a.detectada_en, a.cerrada_en,
       v.sede, s.municipio, v.visitador, v.fecha_visita
  FROM pae.alertas a
  JOIN pae.visitas_id r ON r.id = a.visita
  JOIN pae.visitas v ON v.id = r.id AND v.fecha_visita = r.fecha_visita
  JOIN pae.sedes s ON s.codigo = v.sede;
COMMENT ON VIEW pae_api.alertas IS 'Señales de fraude y cumplimiento de las visitas que la sesión puede ver';

DO $comentarios$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT c.relname, a.attname, coalesce(col_description(src.attrelid, src.attnum), a.attname) AS texto
               FROM pg_catalog.pg_class c
               JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'pae_api'
               JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
               LEFT JOIN pg_catalog.pg_attribute src
                      ON src.attname = a.attname AND src.attnum > 0
                     AND src.attrelid = CASE c.relname WHEN 'visitas' THEN 'pae.visitas'::regclass
                                                       WHEN 'sedes' THEN 'pae.sedes'::regclass
                                                       ELSE 'pae.alertas'::regclass END
              WHERE c.relkind = 'v'
    LOOP
        EXECUTE pg_catalog.format('COMMENT ON COLUMN pae_api.%I.%I IS %L', r.relname, r.attname,
            CASE WHEN r.attname = 'municipio_nombre' THEN 'Nombre del municipio'
                 WHEN r.relname = 'alertas' AND r.attname = 'sede' THEN 'Sede visitada (código DANE)'
                 WHEN r.relname = 'alertas' AND r.attname = 'municipio' THEN 'Municipio de la sede'
                 WHEN r.relname = 'alertas' AND r.attname = 'visitador' THEN 'Visitador asignado'
                 WHEN r.relname = 'alertas' AND r.attname = 'fecha_visita' THEN 'Fecha y hora planeada de la visita'
                 ELSE r.texto END);
    END LOOP;
END
$comentarios$;

CREATE FUNCTION pae_api.transicion(visita uuid, a pae.estado_visita, motivo text DEFAULT NULL,
                                   lat double precision DEFAULT NULL, lon double precision DEFAULT NULL,
                                   precision_m double precision DEFAULT NULL)
RETURNS pae.visitas
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM pae.transicion(visita, a, motivo, lat, lon, precision_m);
END;
COMMENT ON FUNCTION pae_api.transicion(uuid, pae.estado_visita, text, double precision, double precision, double precision) IS
    'Mueve una visita de estado (POST /rpc/transicion): en_curso con check-in (lat, lon, precision_m), cerrada con check-out, cancelada y devuelta con motivo';

CREATE FUNCTION pae_api.evaluar_geocerca(sede text, lat double precision, lon double precision,
                                         precision_m double precision DEFAULT NULL,
                                         OUT distancia_m double precision,
                                         OUT radio_m double precision,
                                         OUT dentro boolean)
RETURNS record
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT g.distancia_m, g.radio_m, g.dentro FROM pae.evaluar_geocerca(sede, lat, lon, precision_m) AS g;
END;
COMMENT ON FUNCTION pae_api.evaluar_geocerca(text, double precision, double precision, double precision) IS
    'Evalúa una captura GPS contra la geocerca de una sede (POST /rpc/evaluar_geocerca): distancia_m, radio_m, dentro';

CREATE FUNCTION pae_api.responder(visita uuid, item text, valor text, observacion text DEFAULT NULL)
RETURNS pae.visita_respuestas
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    INSERT INTO pae.visita_respuestas AS r (visita, item, valor, observacion)
    VALUES (visita, item, valor, observacion)
    ON CONFLICT (visita, item) DO UPDATE
        SET valor = EXCLUDED.valor, observacion = EXCLUDED.observacion, respondida_en = now()
    RETURNING *;
END;
COMMENT ON FUNCTION pae_api.responder(uuid, text, text, text) IS
    'Responde (o corrige) un ítem de la lista de chequeo de una visita en_curso o devuelta: valor cumple, no_cumple o no_aplica';

CREATE FUNCTION pae_api.registrar_evidencia(visita uuid, tipo text, sha256 text, bytes bigint, mime text,
                                            lat double precision DEFAULT NULL, lon double precision DEFAULT NULL,
                                            tomada_en timestamptz DEFAULT NULL, uri text DEFAULT NULL,
                                            id uuid DEFAULT gen_random_uuid())
RETURNS pae.evidencias
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    INSERT INTO pae.evidencias (id, visita, tipo, sha256, bytes, mime, lat, lon, tomada_en, uri)
    VALUES (id, visita, tipo, lower(sha256), bytes, mime, lat, lon, tomada_en, uri)
    RETURNING *;
END;
COMMENT ON FUNCTION pae_api.registrar_evidencia(uuid, text, text, bigint, text, double precision, double precision, timestamptz, text, uuid) IS
    'Registra los metadatos de una foto, firma o documento de una visita (el archivo vive fuera de la base); la misma huella sha256 en otra visita genera la alerta foto_reutilizada';

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA pae_api FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA pae_api TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;
GRANT SELECT, UPDATE ON pae_api.visitas TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;
GRANT INSERT, DELETE ON pae_api.visitas TO pae_coordinador, pae_admin;
GRANT SELECT ON pae_api.sedes, pae_api.alertas TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;

-- Retention of the outbox (STYLE: anything that grows has retention).
CREATE FUNCTION pae.purgar_eventos(antes_de interval DEFAULT '90 days')
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_borrados bigint;
BEGIN
    IF antes_de IS NULL OR antes_de < interval '1 day' THEN
        RAISE EXCEPTION 'retención inválida: %', antes_de
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Se conservan al menos los eventos del último día, para los consumidores que se pongan al día.',
                  HINT = 'Use un intervalo de 1 día o más; por defecto 90 días.';
    END IF;
    DELETE FROM pae.eventos e WHERE e.creado_en < now() - antes_de;
    GET DIAGNOSTICS v_borrados = ROW_COUNT;
    RETURN v_borrados;
END
$$;
COMMENT ON FUNCTION pae.purgar_eventos(interval) IS
    'Borra de la bandeja pae.eventos los eventos más antiguos que antes_de (90 días por defecto, mínimo 1 día); devuelve cuántos borró. Programar con pg_cron';
REVOKE ALL ON FUNCTION pae.purgar_eventos(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.purgar_eventos(interval) TO pae_admin;
