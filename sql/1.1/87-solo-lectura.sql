-- 1.1, fragment 87: nothing of pae_cauca writes in a read-only transaction
-- (issue 14, item 7).  PostgREST runs a GET in BEGIN READ ONLY, and a hot
-- standby runs everything read-only: the read paths (views of pae_api and
-- pae_reportes, pae.db_pre_request(), the actor and its cache, the audit
-- check) never write, so they answer there; the write paths fail with
-- 25006 (HTTP 405 under PostgREST) before doing anything.
--
-- pae_api.login must count each attempt (the lockout after
-- login_intentos_max failures lives in pae.intentos_login).  In a read-only
-- transaction -- GET /rpc/login, or a replica -- it could check the password
-- but not record the attempt: unlimited guesses, uncounted.  It now refuses
-- at once, before the password is looked at, the same way for every correo.
-- (The body below is fragment 80's with that first check added.)
CREATE OR REPLACE FUNCTION pae_api.login(correo text, clave text)
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
