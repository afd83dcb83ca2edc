-- Rules of what hangs off a visit (issue 9, items 5, 6, 8, 12, 13): the
-- bounds of capture times, answers and evidence only on a visit being done
-- or corrected (checked on the visit a row leaves as well as the one it
-- joins), limits on their sizes, and foto_reutilizada without leaks.

-- Capture times (src/tiempos.c): the same bounds the visits trigger applies
-- to checkin_en and checkout_en, for the evidence trigger's tomada_en.
CREATE FUNCTION pae.validar_hora_captura(que text, columna text, en timestamptz,
                                         fecha_visita timestamptz)
RETURNS void
AS 'MODULE_PATHNAME', 'pae_validar_hora_captura'
-- VOLATILE: it reads the server clock, as clock_timestamp() does
LANGUAGE C VOLATILE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION pae.validar_hora_captura(text, text, timestamptz, timestamptz) IS
    'PV006 si la hora de captura en no es finita, está más de futuro_tolerado en el futuro o es anterior al inicio del día de fecha_visita (hora de Colombia) menos captura_dias_antes; nada si en es NULL';
REVOKE ALL ON FUNCTION pae.validar_hora_captura(text, text, timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.validar_hora_captura(text, text, timestamptz, timestamptz)
    TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;

-- Answers and evidence: only while the visit is being done (en_curso) or
-- corrected (devuelta) -- the visit a row joins and, on UPDATE and DELETE,
-- the visit it leaves, so nothing is moved off a cerrada or aprobada visit.
-- Sizes are bounded (pae.reglas()); a sha256 is 64 hexadecimal digits,
-- stored in lower case so the same photo always has the same hash.
CREATE OR REPLACE FUNCTION pae.tg_hijos_visita()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_visita uuid;
    v_estado pae.estado_visita;
    v_fecha  timestamptz;
    v_max    integer;
BEGIN
    IF TG_TABLE_SCHEMA <> 'pae' OR TG_TABLE_NAME NOT IN ('visita_respuestas', 'evidencias')
       OR TG_WHEN <> 'BEFORE' OR TG_LEVEL <> 'ROW' THEN
        RAISE EXCEPTION 'pae.tg_hijos_visita no puede dispararse sobre la tabla "%.%"', TG_TABLE_SCHEMA, TG_TABLE_NAME
            USING ERRCODE = 'trigger_protocol_violated',
                  DETAIL = 'pae.tg_hijos_visita es el disparador BEFORE ... FOR EACH ROW de pae.visita_respuestas y pae.evidencias.',
                  HINT = 'No asocie disparadores de pae_cauca a otras tablas.';
    END IF;

    -- the visit the row leaves (UPDATE that moves it, DELETE)
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.visita IS DISTINCT FROM NEW.visita) THEN
        v_visita := OLD.visita;
        SELECT v.estado INTO v_estado
          FROM pae.visitas_id r JOIN pae.visitas v ON v.id = r.id AND v.fecha_visita = r.fecha_visita
         WHERE r.id = v_visita;
        IF FOUND AND v_estado NOT IN ('en_curso', 'devuelta') THEN
            RAISE EXCEPTION 'la visita % está en estado % y no admite cambios en %', v_visita, v_estado, TG_TABLE_NAME
                USING ERRCODE = 'PV002',
                      DETAIL = 'Respuestas y evidencias no se borran ni se pasan a otra visita desde una visita que no está en_curso o devuelta.',
                      HINT = 'Si la visita fue cerrada, espere a que el supervisor la devuelva.';
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
    END IF;

    -- the visit the row joins or stays on
    v_visita := NEW.visita;
    SELECT v.estado, v.fecha_visita INTO v_estado, v_fecha
      FROM pae.visitas_id r JOIN pae.visitas v ON v.id = r.id AND v.fecha_visita = r.fecha_visita
     WHERE r.id = v_visita;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'visita desconocida: %', v_visita
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = 'No existe una visita con ese id.',
                  HINT = 'Cree o sincronice la visita antes de registrar respuestas o evidencias.';
    END IF;
    IF v_estado NOT IN ('en_curso', 'devuelta') THEN
        RAISE EXCEPTION 'la visita % está en estado % y no admite cambios en %', v_visita, v_estado, TG_TABLE_NAME
            USING ERRCODE = 'PV002',
                  DETAIL = 'Respuestas y evidencias se registran mientras la visita está en_curso o devuelta.',
                  HINT = 'Inicie la visita (check-in) o, si fue cerrada, espere a que el supervisor la devuelva.';
    END IF;

    IF TG_TABLE_NAME = 'visita_respuestas' THEN
        v_max := pae.regla('respuesta_observacion_max')::integer;
        IF pg_catalog.length(NEW.observacion) > v_max THEN
            RAISE EXCEPTION 'observación demasiado larga: % caracteres', pg_catalog.length(NEW.observacion)
                USING ERRCODE = 'string_data_right_truncation',
                      DETAIL = pg_catalog.format('La observación de una respuesta admite hasta %s caracteres.', v_max),
                      HINT = 'Resuma la observación, o adjunte el texto largo como evidencia de tipo documento.';
        END IF;
        RETURN NEW;
    END IF;

    -- evidencias
    IF pg_catalog.length(NEW.sha256) > 64 OR pg_catalog.lower(NEW.sha256) !~ '^[0-9a-f]{64}$' THEN
        RAISE EXCEPTION 'huella sha256 inválida'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'sha256 debe tener exactamente 64 dígitos hexadecimales.',
                  HINT = 'Envíe el SHA-256 del archivo en hexadecimal.';
    END IF;
    NEW.sha256 := pg_catalog.lower(NEW.sha256);
    v_max := pae.regla('evidencia_uri_max')::integer;
    IF pg_catalog.length(NEW.uri) > v_max THEN
        RAISE EXCEPTION 'uri de la evidencia demasiado larga: % caracteres', pg_catalog.length(NEW.uri)
            USING ERRCODE = 'string_data_right_truncation',
                  DETAIL = pg_catalog.format('uri admite hasta %s caracteres.', v_max),
                  HINT = 'Use una ubicación más corta en el almacenamiento externo.';
    END IF;
    v_max := pae.regla('evidencia_mime_max')::integer;
    IF pg_catalog.length(NEW.mime) > v_max THEN
        RAISE EXCEPTION 'tipo MIME de la evidencia demasiado largo: % caracteres', pg_catalog.length(NEW.mime)
            USING ERRCODE = 'string_data_right_truncation',
                  DETAIL = pg_catalog.format('mime admite hasta %s caracteres.', v_max),
                  HINT = 'Envíe el tipo MIME del archivo, como image/jpeg.';
    END IF;
    IF TG_OP = 'INSERT' OR OLD.visita IS DISTINCT FROM NEW.visita THEN
        v_max := pae.regla('evidencias_por_visita_max')::integer;
        IF (SELECT pg_catalog.count(*) FROM pae.evidencias e WHERE e.visita = NEW.visita) >= v_max THEN
            RAISE EXCEPTION 'la visita % ya tiene el máximo de evidencias', NEW.visita
                USING ERRCODE = 'check_violation',
                      DETAIL = pg_catalog.format('Una visita admite hasta %s evidencias.', v_max),
                      HINT = 'Borre evidencias repetidas o innecesarias de la visita antes de registrar otras.';
        END IF;
    END IF;
    IF (NEW.lat IS NULL) <> (NEW.lon IS NULL) THEN
        RAISE EXCEPTION 'coordenadas incompletas en la evidencia'
            USING ERRCODE = 'PV005',
                  DETAIL = 'Se recibió solo una de latitud y longitud.',
                  HINT = 'Envíe latitud y longitud juntas, o ninguna.';
    END IF;
    IF NEW.lat IS NOT NULL THEN
        PERFORM pae.distancia_m(NEW.lat, NEW.lon, NEW.lat, NEW.lon);  -- PV005 on bad input
    END IF;
    PERFORM pae.validar_hora_captura('la evidencia', 'tomada_en', NEW.tomada_en, v_fecha);
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION pae.tg_hijos_visita() IS
    'Disparador de respuestas y evidencias: solo con la visita (la de destino y, al mover o borrar, la de origen) en_curso o devuelta (PV002); valida tamaños (22001), el máximo de evidencias por visita (23514), sha256 (22023), coordenadas (PV005) y tomada_en (PV006)';

-- foto_reutilizada (src/alertas.c): the search runs as the owner, the
-- question "may the caller see that visit" as the caller; a visit the
-- caller cannot see is never named, created or reopened by the caller.
CREATE OR REPLACE FUNCTION pae.tg_foto_reutilizada()
RETURNS trigger
AS 'MODULE_PATHNAME', 'pae_tg_foto_reutilizada'
LANGUAGE C SECURITY INVOKER
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION pae.tg_foto_reutilizada() IS
    'Disparador AFTER INSERT OR UPDATE OF sha256 de evidencias: la misma huella sha256 en otra visita abre foto_reutilizada en la visita de quien la registra (nombrando la otra solo si puede verla) y en la otra visita solo si quien registra puede verla';
