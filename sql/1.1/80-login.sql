-- PostgREST access (issue 10; SPEC §5, §10): pae_api.login issues JWT HS256
-- tokens signed in C (src/jwt.c, src/login.c), answers wrong credentials
-- and a locked correo without raising (response.status 401 / 429 +
-- Retry-After), and pae.db_pre_request refuses tokens of inactive people or
-- issued before their credentials changed, and trims the request headers.

-- When a person's credentials last changed (password, role, activo): a
-- token issued before is refused by pae.db_pre_request.
ALTER TABLE pae.usuarios
    ADD COLUMN credenciales_cambiadas_en timestamptz NOT NULL DEFAULT now();
COMMENT ON COLUMN pae.usuarios.credenciales_cambiadas_en IS
    'Último cambio de contraseña, rol o estado activo; pae.db_pre_request rechaza los tokens emitidos antes (iat anterior a este segundo)';

CREATE FUNCTION pae.tg_usuarios_credenciales()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.clave_hash IS DISTINCT FROM OLD.clave_hash OR NEW.rol IS DISTINCT FROM OLD.rol
       OR NEW.activo IS DISTINCT FROM OLD.activo THEN
        NEW.credenciales_cambiadas_en := pg_catalog.clock_timestamp();
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION pae.tg_usuarios_credenciales() IS
    'Disparador BEFORE UPDATE de pae.usuarios: un cambio de contraseña, rol o estado activo fija credenciales_cambiadas_en, lo que revoca los tokens emitidos antes';
REVOKE ALL ON FUNCTION pae.tg_usuarios_credenciales() FROM PUBLIC;
CREATE TRIGGER usuarios_credenciales
    BEFORE UPDATE OF clave_hash, rol, activo ON pae.usuarios
    FOR EACH ROW EXECUTE FUNCTION pae.tg_usuarios_credenciales();

-- The HS256 secret, shared with PostgREST's jwt-secret.  Readable only by
-- the extension's owner (no grant, RLS on without policies), and on purpose
-- NOT registered with pg_extension_config_dump: a dump never carries it;
-- after a restore an administrator sets it again (pae.fijar_secreto_jwt).
CREATE TABLE pae.secreto_jwt (
    unico       boolean PRIMARY KEY DEFAULT true CHECK (unico),
    secreto     bytea NOT NULL
                CONSTRAINT secreto_jwt_largo_minimo
                CHECK (pg_catalog.octet_length(secreto) >= pae.regla('jwt_secreto_min')::integer),
    fijado_en   timestamptz NOT NULL DEFAULT now(),
    fijado_por  name NOT NULL DEFAULT session_user
);
ALTER TABLE pae.secreto_jwt ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON pae.secreto_jwt FROM PUBLIC;
COMMENT ON TABLE pae.secreto_jwt IS
    'Secreto HS256 de los tokens (el jwt-secret de PostgREST); una sola fila, solo el dueño de la extensión la lee; no va en pg_dump';
COMMENT ON COLUMN pae.secreto_jwt.unico IS 'Siempre verdadero: la tabla tiene a lo sumo una fila';
COMMENT ON COLUMN pae.secreto_jwt.secreto IS 'Bytes del secreto (el texto de jwt-secret en UTF-8), al menos jwt_secreto_min';
COMMENT ON COLUMN pae.secreto_jwt.fijado_en IS 'Cuándo se fijó';
COMMENT ON COLUMN pae.secreto_jwt.fijado_por IS 'Rol de base de datos de la sesión que lo fijó';

CREATE FUNCTION pae.fijar_secreto_jwt(secreto text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_bytes bytea := convert_to(coalesce(fijar_secreto_jwt.secreto, ''), 'UTF8');
    v_min   integer := pae.regla('jwt_secreto_min')::integer;
BEGIN
    IF octet_length(v_bytes) < v_min THEN
        RAISE EXCEPTION 'el secreto JWT es demasiado corto: % bytes', octet_length(v_bytes)
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Un secreto HS256 debe tener al menos %s bytes.', v_min),
                  HINT = 'Genere uno aleatorio (openssl rand -base64 48) y use el mismo texto en jwt-secret de PostgREST.';
    END IF;
    INSERT INTO pae.secreto_jwt AS s (unico, secreto) VALUES (true, v_bytes)
    ON CONFLICT (unico) DO UPDATE
       SET secreto = EXCLUDED.secreto, fijado_en = now(), fijado_por = session_user;
END
$$;
COMMENT ON FUNCTION pae.fijar_secreto_jwt(text) IS
    'Fija el secreto HS256 con que pae_api.login firma los tokens (solo pae_admin); debe ser el mismo texto que jwt-secret de PostgREST, de al menos jwt_secreto_min bytes (22023 si es más corto). Cambiarlo invalida todos los tokens emitidos';
REVOKE ALL ON FUNCTION pae.fijar_secreto_jwt(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.fijar_secreto_jwt(text) TO pae_admin;

-- The C helpers: for the owner's SECURITY DEFINER functions only.
CREATE FUNCTION pae.jwt_firmar(claims jsonb, secreto bytea)
RETURNS text
AS 'MODULE_PATHNAME', 'pae_jwt_firmar'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION pae.jwt_firmar(jsonb, bytea) IS
    'Token JWT HS256 (cabecera.carga.firma en base64url) con estos claims y este secreto; secreto de menos de jwt_secreto_min bytes: 22023. Solo para el dueño de la extensión';

CREATE FUNCTION pae.iguales_tiempo_constante(a text, b text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'pae_iguales_constante_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pae.iguales_tiempo_constante(text, text) IS
    'a = b byte a byte, en un tiempo que no revela dónde difieren (comparación de hashes de contraseñas)';

CREATE FUNCTION pae.cabeceras_acotadas(cabeceras text)
RETURNS text
AS 'MODULE_PATHNAME', 'pae_cabeceras_acotadas'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION pae.cabeceras_acotadas(text) IS
    'Las cabeceras HTTP de request.headers sin Authorization, Cookie ni Proxy-Authorization, a lo sumo cabeceras_max, cada valor cortado a cabecera_valor_max bytes; texto nulo, vacío o mal formado: {}';

CREATE FUNCTION pae.claims_confiables()
RETURNS boolean
AS 'MODULE_PATHNAME', 'pae_claims_confiables_sql'
LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION pae.claims_confiables() IS
    'Verdadero si la sesión la abrió el rol autenticador (pae.rol_autenticador) o un superusuario: solo entonces se cree en request.jwt.claims';

REVOKE ALL ON FUNCTION pae.jwt_firmar(jsonb, bytea), pae.iguales_tiempo_constante(text, text),
    pae.cabeceras_acotadas(text), pae.claims_confiables() FROM PUBLIC;

-- The password check compares the bcrypt output in constant time.
CREATE OR REPLACE FUNCTION pae.verificar_clave(clave text, hash text)
RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT pae.iguales_tiempo_constante(crypt(clave, hash), hash);
END;
COMMENT ON FUNCTION pae.verificar_clave(text, text) IS
    'Verdadero si la contraseña corresponde al hash bcrypt (comparación en tiempo constante)';

-- Login attempts, for the lockout: kept by a digest of the normalized
-- correo (an unknown correo -- often a password typed in the wrong field --
-- is never stored in clear).  Short-lived security state: not in pg_dump,
-- purged by pae.purgar_intentos_login.
CREATE TABLE pae.intentos_login (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    correo      bytea NOT NULL,
    en          timestamptz NOT NULL DEFAULT clock_timestamp(),
    resultado   text NOT NULL
                CONSTRAINT intentos_login_resultado_valido
                CHECK (resultado IN ('exito', 'fallo', 'bloqueado'))
);
CREATE INDEX intentos_login_correo_en_idx ON pae.intentos_login (correo, en);
CREATE INDEX intentos_login_en_idx ON pae.intentos_login (en);
ALTER TABLE pae.intentos_login ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON pae.intentos_login FROM PUBLIC;
COMMENT ON TABLE pae.intentos_login IS
    'Intentos de inicio de sesión de pae_api.login, para el bloqueo por intentos fallidos; solo el dueño de la extensión la lee; no va en pg_dump';
COMMENT ON COLUMN pae.intentos_login.id IS 'Número del intento';
COMMENT ON COLUMN pae.intentos_login.correo IS 'sha256 del correo normalizado (minúsculas, sin espacios a los lados), exista o no la persona';
COMMENT ON COLUMN pae.intentos_login.en IS 'Momento del intento';
COMMENT ON COLUMN pae.intentos_login.resultado IS 'exito, fallo (credenciales incorrectas) o bloqueado (rechazado sin mirar la contraseña)';

CREATE FUNCTION pae.correo_digesto(correo text)
RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT pg_catalog.sha256(pg_catalog.convert_to(pg_catalog.lower(pg_catalog.btrim(coalesce(correo, ''))), 'UTF8'));
END;
COMMENT ON FUNCTION pae.correo_digesto(text) IS
    'Clave de pae.intentos_login para un correo: sha256 del correo en minúsculas y sin espacios a los lados';
REVOKE ALL ON FUNCTION pae.correo_digesto(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.correo_digesto(text) TO pae_admin;

-- When the lock of a correo ends, or NULL: the most recent failure (since
-- the last success) that completed login_intentos_max failures within
-- login_ventana, plus login_bloqueo, if that is still ahead.  Attempts
-- refused while locked do not count: the lock ends on time.
CREATE FUNCTION pae.login_bloqueado_hasta(correo bytea, ahora timestamptz)
RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    WITH exito AS (
        SELECT coalesce(max(i.en), '-infinity'::timestamptz) AS en
          FROM pae.intentos_login i
         WHERE i.correo = login_bloqueado_hasta.correo AND i.resultado = 'exito'
    )
    SELECT max(f.en) + pae.regla('login_bloqueo')::interval
      FROM pae.intentos_login f, exito
     WHERE f.correo = login_bloqueado_hasta.correo AND f.resultado = 'fallo'
       AND f.en > exito.en
       AND f.en > ahora - pae.regla('login_bloqueo')::interval
       AND (SELECT count(*) FROM pae.intentos_login g
             WHERE g.correo = login_bloqueado_hasta.correo AND g.resultado = 'fallo'
               AND g.en > exito.en
               AND g.en > f.en - pae.regla('login_ventana')::interval
               AND g.en <= f.en) >= pae.regla('login_intentos_max')::integer;
END;
COMMENT ON FUNCTION pae.login_bloqueado_hasta(bytea, timestamptz) IS
    'Hasta cuándo está bloqueado un correo (su digesto, pae.correo_digesto) en el momento dado, o NULL si no lo está: login_intentos_max fallos dentro de login_ventana lo bloquean login_bloqueo desde el último de ellos';
REVOKE ALL ON FUNCTION pae.login_bloqueado_hasta(bytea, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.login_bloqueado_hasta(bytea, timestamptz) TO pae_admin;

-- The support desk's tool: a person who proved who they are is let in
-- before the lock ends.
CREATE FUNCTION pae.desbloquear_login(correo text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_n bigint;
BEGIN
    DELETE FROM pae.intentos_login i
     WHERE i.correo = pae.correo_digesto(desbloquear_login.correo) AND i.resultado <> 'exito';
    GET DIAGNOSTICS v_n = ROW_COUNT;
    RETURN v_n;
END
$$;
COMMENT ON FUNCTION pae.desbloquear_login(text) IS
    'Levanta el bloqueo de inicio de sesión de un correo borrando sus intentos fallidos y bloqueados (solo pae_admin); devuelve cuántos borró';
REVOKE ALL ON FUNCTION pae.desbloquear_login(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.desbloquear_login(text) TO pae_admin;

CREATE FUNCTION pae.purgar_intentos_login(antiguedad interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_edad interval := greatest(coalesce(antiguedad, pae.regla('login_retencion')::interval),
                                pae.regla('login_ventana')::interval + pae.regla('login_bloqueo')::interval);
    v_n    bigint;
BEGIN
    DELETE FROM pae.intentos_login i WHERE i.en < clock_timestamp() - v_edad;
    GET DIAGNOSTICS v_n = ROW_COUNT;
    RETURN v_n;
END
$$;
COMMENT ON FUNCTION pae.purgar_intentos_login(interval) IS
    'Borra los intentos de inicio de sesión más antiguos que antiguedad (por omisión la regla login_retencion; nunca menos que login_ventana + login_bloqueo, para no levantar un bloqueo vigente); devuelve cuántos borró. Solo pae_admin';
REVOKE ALL ON FUNCTION pae.purgar_intentos_login(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.purgar_intentos_login(interval) TO pae_admin;

-- pae_api.login.  Never raises for the client's mistakes: under PostgREST a
-- raised error rolls back the whole request, and with it the failure just
-- counted.  Wrong correo, wrong password, inactive person and a person
-- without password all give the same body and status, after the same
-- bcrypt work (a dummy hash of cost 10, the cost of pae.hash_clave, for a
-- correo that names nobody).  Attempts of one correo are serialized by a
-- transaction advisory lock, so concurrent guesses cannot outrun the count.
CREATE FUNCTION pae_api.login(correo text, clave text)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_correo  text := lower(btrim(coalesce(login.correo, '')));
    v_digesto bytea := pae.correo_digesto(login.correo);
    v_secreto bytea;
    v_ahora   timestamptz;
    v_hasta   timestamptz;
    v_espera  bigint;
    v_id      uuid;
    v_rol     text;
    v_activo  boolean;
    v_hash    text;
    v_ok      boolean;
    v_iat     bigint;
BEGIN
    -- each attempt must be counted (the lockout lives in pae.intentos_login);
    -- a read-only transaction (GET /rpc/login, a replica) could check the
    -- password but not record the attempt: refuse before looking at it
    IF current_setting('transaction_read_only')::boolean THEN
        RAISE EXCEPTION 'pae_api.login necesita una transacción de lectura y escritura'
            USING ERRCODE = 'read_only_sql_transaction',
                  DETAIL = 'Cada intento se registra para bloquear el correo tras login_intentos_max fallos, y una transacción de solo lectura (un GET de PostgREST, una réplica) no puede registrarlo: no se revisa la contraseña.',
                  HINT = 'Inicie sesión con POST /rpc/login en el servidor primario.';
    END IF;
    SELECT s.secreto INTO v_secreto FROM pae.secreto_jwt s;
    IF v_secreto IS NULL THEN
        RAISE EXCEPTION 'el servidor no tiene secreto JWT configurado'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'pae_api.login no puede firmar tokens sin el secreto que comparte con PostgREST.',
                  HINT = 'Un administrador debe ejecutar pae.fijar_secreto_jwt con el mismo texto que jwt-secret de PostgREST.';
    END IF;

    -- one attempt of this correo at a time (class 'PL' of advisory keys)
    PERFORM pg_advisory_xact_lock(x'504c'::integer, hashtext(v_correo));
    v_ahora := clock_timestamp();

    v_hasta := pae.login_bloqueado_hasta(v_digesto, v_ahora);
    IF v_hasta IS NOT NULL THEN
        INSERT INTO pae.intentos_login (correo, en, resultado) VALUES (v_digesto, v_ahora, 'bloqueado');
        v_espera := greatest(1, ceil(extract(epoch FROM v_hasta - v_ahora)))::bigint;
        PERFORM set_config('response.status', '429', true);
        PERFORM set_config('response.headers',
                           jsonb_build_array(jsonb_build_object('Retry-After', v_espera::text))::text, true);
        RETURN jsonb_build_object('error', jsonb_build_object(
            'code', 'PV010',
            'mensaje', format('inicio de sesión bloqueado por %s intentos fallidos; intente de nuevo en %s segundos',
                              pae.regla('login_intentos_max'), v_espera)));
    END IF;

    SELECT u.id, u.rol, u.activo, u.clave_hash INTO v_id, v_rol, v_activo, v_hash
      FROM pae.usuarios u WHERE lower(u.correo) = v_correo;
    -- the same bcrypt work whether or not the correo names someone
    v_ok := pae.verificar_clave(coalesce(login.clave, ''),
                                coalesce(v_hash, '$2a$10$mvg9Hibjso3xSAAO67rYle.8R3V1DTbhg5kPapduM6EnkcwT61.zm'));
    IF NOT (coalesce(v_ok, false) AND v_hash IS NOT NULL AND coalesce(v_activo, false)) THEN
        INSERT INTO pae.intentos_login (correo, en, resultado) VALUES (v_digesto, v_ahora, 'fallo');
        PERFORM set_config('response.status', '401', true);
        RETURN jsonb_build_object('error', jsonb_build_object(
            'code', 'PV010',
            'mensaje', 'correo o contraseña incorrectos'));
    END IF;

    INSERT INTO pae.intentos_login (correo, en, resultado) VALUES (v_digesto, v_ahora, 'exito');
    v_iat := floor(extract(epoch FROM v_ahora))::bigint;
    RETURN jsonb_build_object('token', pae.jwt_firmar(
        jsonb_build_object('sub', v_id,
                           'role', 'pae_' || v_rol,
                           'iat', v_iat,
                           'exp', v_iat + extract(epoch FROM pae.regla('token_vida')::interval)::bigint),
        v_secreto));
END
$$;
COMMENT ON FUNCTION pae_api.login(text, text) IS
$$Inicia sesión y devuelve un token JWT.

Con el correo y la contraseña de una persona activa devuelve {"token": "<JWT HS256>"} con los claims sub (id de la persona), role (pae_visitador, pae_supervisor, pae_coordinador, pae_admin o pae_bi), iat y exp (vigencia: regla token_vida). Credenciales incorrectas, correo desconocido o persona inactiva: HTTP 401 y {"error": {"code": "PV010", "mensaje": "correo o contraseña incorrectos"}}. Cinco fallos de un correo en 15 minutos lo bloquean 15 minutos, aun con la contraseña correcta: HTTP 429, cabecera Retry-After (segundos) y {"error": {"code": "PV010", ...}}. Sin secreto JWT configurado: 55000 (HTTP 500). En una transacción de solo lectura (GET /rpc/login, una réplica) no revisa la contraseña: 25006 (HTTP 405), porque no podría contar el intento.$$;
REVOKE ALL ON FUNCTION pae_api.login(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae_api.login(text, text)
    TO pae_anon, pae_visitador, pae_supervisor, pae_coordinador, pae_admin, pae_bi;

-- pae.db_pre_request: PostgREST's db-pre-request, run after it switched to
-- the token's role and set request.jwt.claims / request.headers, before the
-- request's statement.  Refusals raise (nothing of the request is kept):
-- 42501 (HTTP 403 for a token, 401 for pae_anon) for an unknown or inactive
-- person, a staff role without sub, or a role that is not the person's;
-- PT401 (HTTP 401) for a token issued before the person's credentials last
-- changed, or without iat.  Claims of a session not opened by the
-- authenticator (or a superuser) are not believed and not checked: nobody
-- acts for them (pae.usuario_actual).
CREATE FUNCTION pae.db_pre_request()
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_texto  text := current_setting('request.jwt.claims', true);
    v_claims jsonb;
    v_rol    text;
    v_sub    text;
    v_iat    numeric;
    v_activo boolean;
    v_urol   text;
    v_cambio timestamptz;
BEGIN
    PERFORM set_config('request.headers',
                       pae.cabeceras_acotadas(current_setting('request.headers', true)), true);

    IF NOT pae.claims_confiables() OR v_texto IS NULL OR v_texto = '' THEN
        RETURN;
    END IF;
    v_claims := v_texto::jsonb;
    IF jsonb_typeof(v_claims) IS DISTINCT FROM 'object' THEN
        RAISE EXCEPTION 'los claims del token no son un objeto JSON'
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'request.jwt.claims debe ser un objeto con sub, role, iat y exp.',
                  HINT = 'Obtenga un token nuevo con pae_api.login.';
    END IF;
    v_rol := v_claims->>'role';
    v_sub := v_claims->>'sub';
    IF v_sub IS NULL THEN
        IF v_rol IN ('pae_visitador', 'pae_supervisor', 'pae_coordinador', 'pae_admin', 'pae_bi') THEN
            RAISE EXCEPTION 'token sin persona para el rol %', v_rol
                USING ERRCODE = 'insufficient_privilege',
                      DETAIL = 'Los tokens de los roles del equipo deben llevar en sub el id de una persona de pae.usuarios.',
                      HINT = 'Obtenga un token con pae_api.login.';
        END IF;
        RETURN;
    END IF;
    IF v_sub !~* '^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$' THEN
        RAISE EXCEPTION 'el claim sub del token no es un uuid: "%"', left(v_sub, 64)
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'request.jwt.claims debe llevar en sub el id (uuid) de un usuario de pae.usuarios.',
                  HINT = 'Obtenga un token nuevo con pae_api.login.';
    END IF;

    SELECT u.activo, u.rol, u.credenciales_cambiadas_en INTO v_activo, v_urol, v_cambio
      FROM pae.usuarios u WHERE u.id = v_sub::uuid;
    IF NOT FOUND OR NOT v_activo THEN
        RAISE EXCEPTION 'la persona del token no existe o está inactiva'
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'El claim sub no nombra a una persona activa de pae.usuarios.',
                  HINT = 'Si la cuenta fue desactivada, pida a un administrador que la reactive.';
    END IF;
    IF v_rol IS DISTINCT FROM 'pae_' || v_urol THEN
        RAISE EXCEPTION 'el rol del token no es el de la persona'
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = format('El token dice %s y la persona tiene rol %s.', coalesce(v_rol, 'nada'), v_urol),
                  HINT = 'Obtenga un token nuevo con pae_api.login.';
    END IF;
    IF jsonb_typeof(v_claims->'iat') IS DISTINCT FROM 'number' THEN
        RAISE EXCEPTION 'token sin fecha de emisión'
            USING ERRCODE = 'PT401',
                  DETAIL = 'El claim iat falta o no es un número: no se puede saber si el token es anterior a un cambio de credenciales.',
                  HINT = 'Obtenga un token nuevo con pae_api.login.';
    END IF;
    v_iat := (v_claims->>'iat')::numeric;
    IF v_iat < floor(extract(epoch FROM v_cambio)) THEN
        RAISE EXCEPTION 'token revocado: es anterior al último cambio de credenciales'
            USING ERRCODE = 'PT401',
                  DETAIL = format('El token se emitió en %s y las credenciales de la persona cambiaron en %s.',
                                  to_timestamp(v_iat), date_trunc('second', v_cambio)),
                  HINT = 'Inicie sesión de nuevo con pae_api.login.';
    END IF;
END
$$;
COMMENT ON FUNCTION pae.db_pre_request() IS
    'Función db-pre-request de PostgREST: deja en request.headers solo cabeceras acotadas (sin Authorization ni Cookie, valores de hasta cabecera_valor_max bytes) y rechaza el token de una persona desconocida o inactiva, o con un rol que no es el suyo (42501: HTTP 403), o emitido antes del último cambio de sus credenciales o sin iat (PT401: HTTP 401)';
REVOKE ALL ON FUNCTION pae.db_pre_request() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.db_pre_request()
    TO pae_anon, pae_visitador, pae_supervisor, pae_coordinador, pae_admin, pae_bi;
-- PostgREST calls it as the request's role: anon and bi need the schema
-- (USAGE only: they still hold no privilege on any table of it).
GRANT USAGE ON SCHEMA pae TO pae_anon, pae_bi;

-- The working views of the app (issue 10, item 1): all security_invoker,
-- so the caller's row-level security decides the rows.

CREATE VIEW pae_api.mis_visitas WITH (security_invoker = true) AS
SELECT v.id, v.fecha_visita, v.estado, v.sede,
       (SELECT s.nombre FROM pae.sedes s WHERE s.codigo = v.sede) AS sede_nombre,
       (SELECT s.lat FROM pae.sedes s WHERE s.codigo = v.sede) AS sede_lat,
       (SELECT s.lon FROM pae.sedes s WHERE s.codigo = v.sede) AS sede_lon,
       (SELECT s.radio_geocerca_m FROM pae.sedes s WHERE s.codigo = v.sede) AS radio_geocerca_m,
       (SELECT s.geocerca_estricta FROM pae.sedes s WHERE s.codigo = v.sede) AS geocerca_estricta,
       v.contrato, v.raciones_programadas, v.raciones_entregadas, v.observaciones,
       v.checkin_en, v.checkout_en, v.motivo_estado, v.version
  FROM pae.visitas v
 WHERE v.visitador = (SELECT pae.actor_vigente())
   AND v.fecha_visita >= (SELECT pg_catalog.date_trunc('day', pg_catalog.now() AT TIME ZONE pae.regla('zona_horaria'))
                                 AT TIME ZONE pae.regla('zona_horaria'))
   AND v.fecha_visita < (SELECT (pg_catalog.date_trunc('day', pg_catalog.now() AT TIME ZONE pae.regla('zona_horaria'))
                                 + pg_catalog.make_interval(days => pae.regla('mis_visitas_dias')::integer + 1))
                                AT TIME ZONE pae.regla('zona_horaria'));
COMMENT ON VIEW pae_api.mis_visitas IS
$$Mis visitas de hoy y de los próximos días.

Las visitas de la persona que llama (visitador) desde hoy hasta mis_visitas_dias días después (días de Colombia), con el nombre, la posición y el radio de la geocerca de cada sede, para trabajar sin conexión. PATCH de observaciones y raciones_entregadas; los cambios de estado van por POST /rpc/transicion.$$;

CREATE VIEW pae_api.checklist WITH (security_invoker = true) AS
SELECT c.codigo, c.categoria, c.texto, c.obligatorio, c.peso, c.orden
  FROM pae.checklist_items c
 WHERE c.activo;
COMMENT ON VIEW pae_api.checklist IS
$$Lista de chequeo vigente del acta de visita.

Los ítems activos, con su categoría, si son obligatorios para cerrar una visita y su peso en el puntaje. Se responden con POST /rpc/responder.$$;

CREATE VIEW pae_api.cola_revision WITH (security_invoker = true) AS
SELECT v.id, v.fecha_visita, v.sede, s.nombre AS sede_nombre, s.municipio, m.nombre AS municipio_nombre,
       v.visitador, u.nombre AS visitador_nombre, v.checkin_en, v.checkout_en, v.dentro_geocerca,
       v.distancia_m, v.raciones_programadas, v.raciones_entregadas, v.observaciones,
       (SELECT pg_catalog.count(*) FROM pae.alertas a WHERE a.visita = v.id AND a.cerrada_en IS NULL) AS alertas_abiertas
  FROM pae.visitas v
  JOIN pae.sedes s ON s.codigo = v.sede
  JOIN pae.municipios m ON m.codigo = s.municipio
  LEFT JOIN pae.usuarios u ON u.id = v.visitador
 WHERE v.estado = 'cerrada'
   AND v.visitador IS DISTINCT FROM (SELECT pae.actor_vigente());
COMMENT ON VIEW pae_api.cola_revision IS
$$Visitas cerradas que esperan revisión.

Las visitas en estado cerrada que la persona que llama puede revisar: las de sus municipios (supervisor) o todas (coordinador), nunca las propias, con la sede, el visitador, la geocerca, las raciones y las alertas abiertas. Se aprueban o devuelven con POST /rpc/transicion.$$;

DO $comentarios$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT c.relname, a.attname,
                    coalesce(col_description(CASE c.relname WHEN 'checklist' THEN 'pae.checklist_items'::regclass
                                                            ELSE 'pae.visitas'::regclass END,
                                             (SELECT s.attnum FROM pg_catalog.pg_attribute s
                                               WHERE s.attrelid = CASE c.relname WHEN 'checklist' THEN 'pae.checklist_items'::regclass
                                                                                 ELSE 'pae.visitas'::regclass END
                                                 AND s.attname = a.attname AND s.attnum > 0 AND NOT s.attisdropped)),
                             a.attname) AS texto
               FROM pg_catalog.pg_class c
               JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'pae_api'
               JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
              WHERE c.relname IN ('mis_visitas', 'checklist', 'cola_revision')
    LOOP
        EXECUTE pg_catalog.format('COMMENT ON COLUMN pae_api.%I.%I IS %L', r.relname, r.attname,
            CASE r.attname
                WHEN 'sede_nombre' THEN 'Nombre de la sede'
                WHEN 'sede_lat' THEN 'Latitud del centro de la geocerca de la sede'
                WHEN 'sede_lon' THEN 'Longitud del centro de la geocerca de la sede'
                WHEN 'radio_geocerca_m' THEN 'Radio de la geocerca de la sede, en metros'
                WHEN 'geocerca_estricta' THEN 'Si la sede rechaza un check-in fuera de la geocerca (PV001)'
                WHEN 'municipio' THEN 'Municipio de la sede (código DANE)'
                WHEN 'municipio_nombre' THEN 'Nombre del municipio'
                WHEN 'visitador_nombre' THEN 'Nombre del visitador'
                WHEN 'alertas_abiertas' THEN 'Alertas de la visita aún no cerradas'
                ELSE r.texto END);
    END LOOP;
END
$comentarios$;

GRANT SELECT ON pae_api.mis_visitas TO pae_visitador;
GRANT UPDATE (observaciones, raciones_entregadas) ON pae_api.mis_visitas TO pae_visitador;
GRANT SELECT ON pae_api.checklist TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;
GRANT SELECT ON pae_api.cola_revision TO pae_supervisor, pae_coordinador, pae_admin;
