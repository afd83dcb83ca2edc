-- Visit rules (SPEC §5): C triggers on pae.visitas, and the rules of what
-- hangs off a visit.

CREATE FUNCTION pae.tg_visitas_antes()
RETURNS trigger
AS 'MODULE_PATHNAME', 'pae_tg_visitas_antes'
LANGUAGE C;
COMMENT ON FUNCTION pae.tg_visitas_antes() IS
    'Disparador BEFORE de pae.visitas: valida sede, contrato, fechas, coordenadas y duplicados, evalúa la geocerca del check-in y aplica la máquina de estados';

CREATE FUNCTION pae.tg_visitas_despues()
RETURNS trigger
AS 'MODULE_PATHNAME', 'pae_tg_visitas_despues'
LANGUAGE C;
COMMENT ON FUNCTION pae.tg_visitas_despues() IS
    'Disparador AFTER UPDATE de pae.visitas: registra la transición, el evento (NOTIFY pae_eventos) y las alertas, y mantiene pae.visitas_checkin';

CREATE TRIGGER visitas_antes
    BEFORE INSERT OR UPDATE OR DELETE ON pae.visitas
    FOR EACH ROW EXECUTE FUNCTION pae.tg_visitas_antes();
CREATE TRIGGER visitas_despues
    AFTER UPDATE OF estado, visitador, checkin_lat, checkin_lon, checkin_en ON pae.visitas
    FOR EACH ROW EXECUTE FUNCTION pae.tg_visitas_despues();

-- Answers and evidence: only while the visit is being done (en_curso) or
-- corrected (devuelta); evidence coordinates and times are validated like a
-- visit's; a photo whose sha256 was already used on another visit raises a
-- foto_reutilizada alert on both visits.
CREATE FUNCTION pae.tg_hijos_visita()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_visita uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.visita ELSE NEW.visita END;
    v_estado pae.estado_visita;
BEGIN
    SELECT v.estado INTO v_estado
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
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF TG_TABLE_NAME = 'evidencias' THEN
        IF (NEW.lat IS NULL) <> (NEW.lon IS NULL) THEN
            RAISE EXCEPTION 'coordenadas incompletas en la evidencia'
                USING ERRCODE = 'PV005',
                      DETAIL = 'Se recibió solo una de latitud y longitud.',
                      HINT = 'Envíe latitud y longitud juntas, o ninguna.';
        END IF;
        IF NEW.lat IS NOT NULL THEN
            PERFORM pae.distancia_m(NEW.lat, NEW.lon, NEW.lat, NEW.lon);  -- PV005 on bad input
        END IF;
        IF NEW.tomada_en > clock_timestamp() + interval '10 minutes' THEN
            RAISE EXCEPTION 'evidencia tomada en el futuro: %', NEW.tomada_en
                USING ERRCODE = 'PV006',
                      DETAIL = 'tomada_en es posterior en más de 10 minutos a la hora del servidor.',
                      HINT = 'Corrija la fecha y hora del dispositivo y sincronice de nuevo.';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION pae.tg_hijos_visita() IS
    'Disparador de respuestas y evidencias: solo con la visita en_curso o devuelta; valida coordenadas (PV005) y tiempos (PV006)';

CREATE TRIGGER visita_respuestas_reglas
    BEFORE INSERT OR UPDATE OR DELETE ON pae.visita_respuestas
    FOR EACH ROW EXECUTE FUNCTION pae.tg_hijos_visita();
CREATE TRIGGER evidencias_reglas
    BEFORE INSERT OR UPDATE OR DELETE ON pae.evidencias
    FOR EACH ROW EXECUTE FUNCTION pae.tg_hijos_visita();

-- SECURITY DEFINER: the search must see every visit's evidence (not only
-- the caller's, under row-level security) and the alert is bookkeeping
-- clients cannot write.
CREATE FUNCTION pae.tg_foto_reutilizada()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT e.visita, e.id FROM pae.evidencias e
              WHERE e.sha256 = NEW.sha256 AND e.visita <> NEW.visita
              ORDER BY e.creada_en, e.id
    LOOP
        INSERT INTO pae.alertas AS a (visita, tipo, detalle)
        VALUES (NEW.visita, 'foto_reutilizada',
                jsonb_build_object('sha256', NEW.sha256, 'evidencia', NEW.id,
                                   'otra_visita', r.visita, 'otra_evidencia', r.id)),
               (r.visita, 'foto_reutilizada',
                jsonb_build_object('sha256', NEW.sha256, 'evidencia', r.id,
                                   'otra_visita', NEW.visita, 'otra_evidencia', NEW.id))
        ON CONFLICT (visita, tipo) DO UPDATE
            SET detalle = EXCLUDED.detalle, detectada_en = now(), cerrada_en = NULL;
        EXIT;
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION pae.tg_foto_reutilizada() IS
    'Disparador AFTER INSERT de evidencias: la misma huella sha256 en dos visitas distintas genera la alerta foto_reutilizada en ambas';
CREATE TRIGGER evidencias_foto_reutilizada
    AFTER INSERT OR UPDATE OF sha256 ON pae.evidencias
    FOR EACH ROW EXECUTE FUNCTION pae.tg_foto_reutilizada();

CREATE FUNCTION pae.transicion(visita uuid, a pae.estado_visita, motivo text DEFAULT NULL,
                               lat double precision DEFAULT NULL, lon double precision DEFAULT NULL,
                               precision_m double precision DEFAULT NULL)
RETURNS pae.visitas
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
-- The UPDATE below names one visit by (id, fecha_visita): a generic plan
-- prunes to its partition when it starts, where a custom plan (PL/pgSQL's
-- choice for a partitioned table) would be planned again on every call.
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    v_fecha timestamptz;
    v_fila  pae.visitas;
BEGIN
    IF visita IS NULL OR a IS NULL THEN
        RAISE EXCEPTION 'visita y estado destino son obligatorios'
            USING ERRCODE = 'PV002',
                  DETAIL = 'pae.transicion recibió NULL en visita o en el estado destino.',
                  HINT = 'Indique el id de la visita y el estado al que pasa.';
    END IF;
    -- nobody, and not privileged: 42501 before anything about the visit
    IF pae.usuario_actual() IS NULL
       AND NOT (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = current_user)
       AND NOT pg_has_role('pae_admin', 'USAGE')
       AND NOT pg_has_role((SELECT e.extowner FROM pg_extension e WHERE e.extname = 'pae_cauca'), 'USAGE') THEN
        RAISE EXCEPTION 'sesión sin usuario identificado no puede cambiar el estado de visitas'
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = format('La sesión no trae un JWT de confianza ni su rol "%s" está asociado a una persona en pae.usuarios.login_db.', current_user),
                  HINT = 'Inicie sesión con pae_api.login, o asocie el rol a una persona (pae.usuarios.login_db).';
    END IF;
    SELECT r.fecha_visita INTO v_fecha FROM pae.visitas_id r WHERE r.id = transicion.visita;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'visita desconocida: %', visita
            USING ERRCODE = 'no_data_found',
                  DETAIL = 'No existe una visita con ese id (o la sesión no puede verla).',
                  HINT = 'Revise el id o sincronice la visita primero.';
    END IF;
    UPDATE pae.visitas v
       SET estado = a,
           motivo_estado = coalesce(transicion.motivo, v.motivo_estado),
           checkin_lat = CASE WHEN a = 'en_curso' THEN lat ELSE v.checkin_lat END,
           checkin_lon = CASE WHEN a = 'en_curso' THEN lon ELSE v.checkin_lon END,
           checkin_precision_m = CASE WHEN a = 'en_curso' THEN precision_m ELSE v.checkin_precision_m END,
           checkin_en = CASE WHEN a = 'en_curso' AND lat IS NOT NULL THEN clock_timestamp() ELSE v.checkin_en END,
           checkout_lat = CASE WHEN a = 'cerrada' AND lat IS NOT NULL THEN lat ELSE v.checkout_lat END,
           checkout_lon = CASE WHEN a = 'cerrada' AND lat IS NOT NULL THEN lon ELSE v.checkout_lon END,
           checkout_precision_m = CASE WHEN a = 'cerrada' AND lat IS NOT NULL THEN precision_m ELSE v.checkout_precision_m END,
           checkout_en = CASE WHEN a = 'cerrada' AND lat IS NOT NULL THEN clock_timestamp() ELSE v.checkout_en END
     WHERE v.id = transicion.visita AND v.fecha_visita = v_fecha
       AND v.estado IS DISTINCT FROM a
    RETURNING * INTO v_fila;
    IF NOT FOUND THEN
        -- already there (perhaps moved there by a concurrent request)?
        IF EXISTS (SELECT 1 FROM pae.visitas v
                    WHERE v.id = transicion.visita AND v.fecha_visita = v_fecha AND v.estado = a) THEN
            RAISE EXCEPTION 'transición no permitida: % -> %', a, a
                USING ERRCODE = 'PV002',
                      DETAIL = format('Visita %s: ya está en estado %s.', visita, a),
                      HINT = 'Consulte el estado actual de la visita antes de moverla.';
        END IF;
        RAISE EXCEPTION 'visita desconocida: %', visita
            USING ERRCODE = 'no_data_found',
                  DETAIL = 'La visita no existe o la sesión no puede modificarla.',
                  HINT = 'Revise el id de la visita y sus permisos.';
    END IF;
    RETURN v_fila;
END
$$;
COMMENT ON FUNCTION pae.transicion(uuid, pae.estado_visita, text, double precision, double precision, double precision) IS
    'Mueve una visita de estado: en_curso registra el check-in (lat, lon, precision_m) y evalúa la geocerca; cerrada registra el check-out; cancelada y devuelta exigen motivo. Devuelve la fila actualizada. Errores: PV001, PV002, PV003, PV005, PV006, 42501';
