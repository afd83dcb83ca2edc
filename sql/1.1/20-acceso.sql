-- Access (issue 9, items 3, 4, 7; SPEC §5, §10): a deactivated person sees
-- and changes nothing; a session without an identified, active actor
-- writes nothing (superusers, the extension's owner and pae_admin members
-- acting as nobody aside); one planning rule on every path.

-- The actor as the policies see it (src/acceso.c).  STABLE, and called by
-- the policies as uncorrelated subqueries, (SELECT pae.actor_vigente()):
-- evaluated once per statement, never per row.
CREATE FUNCTION pae.actor_vigente()
RETURNS uuid
AS 'MODULE_PATHNAME', 'pae_actor_vigente_sql'
LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION pae.actor_vigente() IS
    'Persona que actúa si existe en pae.usuarios y está activa; NULL si la sesión no es nadie, o nombra a una persona desconocida o inactiva (a diferencia de pae.usuario_actual, que la nombra igual)';

CREATE FUNCTION pae.sesion_habilitada()
RETURNS boolean
AS 'MODULE_PATHNAME', 'pae_sesion_habilitada_sql'
LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION pae.sesion_habilitada() IS
    'Falso si la sesión nombra a una persona desconocida o inactiva (no ve ni cambia nada); verdadero si no nombra a nadie o nombra a una persona activa';

CREATE FUNCTION pae.exigir_actor(accion text)
RETURNS void
AS 'MODULE_PATHNAME', 'pae_exigir_actor_sql'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION pae.exigir_actor(text) IS
    'La regla única "sin identidad, 42501": error 42501 si la sesión nombra a una persona desconocida o inactiva, o no nombra a nadie y su rol no es superusuario, dueño de la extensión ni miembro de pae_admin; accion completa el mensaje';

CREATE FUNCTION pae.tg_exigir_actor()
RETURNS trigger
AS 'MODULE_PATHNAME', 'pae_tg_exigir_actor'
LANGUAGE C;
COMMENT ON FUNCTION pae.tg_exigir_actor() IS
    'Disparador BEFORE INSERT OR UPDATE OR DELETE ... FOR EACH STATEMENT de las tablas de negocio: toda escritura exige una persona identificada y activa (42501), salvo superusuarios, el dueño de la extensión y pae_admin sin identidad';

REVOKE ALL ON FUNCTION pae.actor_vigente(), pae.sesion_habilitada(), pae.exigir_actor(text),
    pae.tg_exigir_actor() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.actor_vigente(), pae.sesion_habilitada(), pae.exigir_actor(text)
    TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;

-- Every write on a business table, before it reads a row.
CREATE TRIGGER exigir_actor BEFORE INSERT OR UPDATE OR DELETE ON pae.visitas
    FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_exigir_actor();
CREATE TRIGGER exigir_actor BEFORE INSERT OR UPDATE OR DELETE ON pae.visita_respuestas
    FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_exigir_actor();
CREATE TRIGGER exigir_actor BEFORE INSERT OR UPDATE OR DELETE ON pae.evidencias
    FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_exigir_actor();
CREATE TRIGGER exigir_actor BEFORE INSERT OR UPDATE OR DELETE ON pae.sedes
    FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_exigir_actor();
CREATE TRIGGER exigir_actor BEFORE INSERT OR UPDATE OR DELETE ON pae.instituciones
    FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_exigir_actor();
CREATE TRIGGER exigir_actor BEFORE INSERT OR UPDATE OR DELETE ON pae.contratos
    FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_exigir_actor();
CREATE TRIGGER exigir_actor BEFORE INSERT OR UPDATE OR DELETE ON pae.contrato_sedes
    FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_exigir_actor();
CREATE TRIGGER exigir_actor BEFORE INSERT OR UPDATE OR DELETE ON pae.operadores
    FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_exigir_actor();
CREATE TRIGGER exigir_actor BEFORE INSERT OR UPDATE OR DELETE ON pae.checklist_items
    FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_exigir_actor();
CREATE TRIGGER exigir_actor BEFORE INSERT OR UPDATE OR DELETE ON pae.usuarios
    FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_exigir_actor();
CREATE TRIGGER exigir_actor BEFORE INSERT OR UPDATE OR DELETE ON pae.usuario_municipios
    FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_exigir_actor();
CREATE TRIGGER exigir_actor BEFORE INSERT OR UPDATE OR DELETE ON pae.alertas
    FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_exigir_actor();

-- Row-level security: the policies of 1.0, with the actor of
-- pae.actor_vigente (an inactive or unknown person is no visitador and no
-- supervisor of anything) and coordinación closed to a denied session.
-- Each fails closed: a NULL actor matches no row.
DROP POLICY IF EXISTS visitas_visitador ON pae.visitas;
CREATE POLICY visitas_visitador ON pae.visitas TO pae_visitador
    USING (visitador = (SELECT pae.actor_vigente()))
    WITH CHECK (visitador = (SELECT pae.actor_vigente()));
DROP POLICY IF EXISTS visitas_supervisor ON pae.visitas;
CREATE POLICY visitas_supervisor ON pae.visitas TO pae_supervisor
    USING (sede IN (SELECT s.codigo FROM pae.sedes s
                      JOIN pae.usuario_municipios um ON um.municipio = s.municipio
                     WHERE um.usuario = (SELECT pae.actor_vigente())))
    WITH CHECK (sede IN (SELECT s.codigo FROM pae.sedes s
                           JOIN pae.usuario_municipios um ON um.municipio = s.municipio
                          WHERE um.usuario = (SELECT pae.actor_vigente())));
DROP POLICY IF EXISTS visitas_coordinacion ON pae.visitas;
CREATE POLICY visitas_coordinacion ON pae.visitas TO pae_coordinador, pae_admin
    USING ((SELECT pae.sesion_habilitada()) IS TRUE)
    WITH CHECK ((SELECT pae.sesion_habilitada()) IS TRUE);
DROP POLICY IF EXISTS eventos_alcance ON pae.eventos;
CREATE POLICY eventos_alcance ON pae.eventos
    USING ((SELECT pae.sesion_habilitada()) IS TRUE
           AND (visita IS NULL OR pae.puede_ver_visita_id(visita)));
DROP POLICY IF EXISTS usuarios_alcance ON pae.usuarios;
CREATE POLICY usuarios_alcance ON pae.usuarios
    USING ((SELECT pae.sesion_habilitada()) IS TRUE
           AND (id = (SELECT pae.usuario_actual()) OR pg_has_role('pae_supervisor', 'USAGE')
                OR pg_has_role('pae_coordinador', 'USAGE') OR pg_has_role('pae_admin', 'USAGE')));

-- One planning rule on every path (validation.c): a visitador may create and
-- delete their own visits through the API view too, under the same rule.
GRANT INSERT, DELETE ON pae_api.visitas TO pae_visitador, pae_supervisor;

-- pae.transicion: the 42501 rule is pae.exigir_actor (the same C code as the
-- trigger's), raised before anything about the visit; "hidden by RLS" and
-- "absent" read the same (P0002, one message, detail and hint).
CREATE OR REPLACE FUNCTION pae.transicion(visita uuid, a pae.estado_visita, motivo text DEFAULT NULL,
                               lat double precision DEFAULT NULL, lon double precision DEFAULT NULL,
                               precision_m double precision DEFAULT NULL)
RETURNS pae.visitas
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
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
    -- nobody and not privileged, or a denied person: 42501 before anything about the visit
    PERFORM pae.exigir_actor('cambiar el estado de visitas');
    SELECT r.fecha_visita INTO v_fecha FROM pae.visitas_id r WHERE r.id = transicion.visita;
    IF FOUND THEN
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
        IF FOUND THEN
            RETURN v_fila;
        END IF;
        -- already there (perhaps moved there by a concurrent request)?
        IF EXISTS (SELECT 1 FROM pae.visitas v
                    WHERE v.id = transicion.visita AND v.fecha_visita = v_fecha AND v.estado = a) THEN
            RAISE EXCEPTION 'transición no permitida: % -> %', a, a
                USING ERRCODE = 'PV002',
                      DETAIL = format('Visita %s: ya está en estado %s.', visita, a),
                      HINT = 'Consulte el estado actual de la visita antes de moverla.';
        END IF;
    END IF;
    -- absent, or hidden from this session: the same answer
    RAISE EXCEPTION 'visita desconocida: %', visita
        USING ERRCODE = 'no_data_found',
              DETAIL = 'No existe una visita con ese id que la sesión pueda ver.',
              HINT = 'Revise el id de la visita y sus permisos, o sincronice la visita primero.';
END
$$;
COMMENT ON FUNCTION pae.transicion(uuid, pae.estado_visita, text, double precision, double precision, double precision) IS
    'Mueve una visita de estado: en_curso registra el check-in (lat, lon, precision_m) y evalúa la geocerca; cerrada registra el check-out; cancelada y devuelta exigen motivo. Devuelve la fila actualizada. Errores: PV001, PV002, PV003, PV005, PV006, 42501, P0002 (visita inexistente u oculta, indistinguibles)';
