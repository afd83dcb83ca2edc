-- People and the acting person (SPEC §5, §10)

CREATE FUNCTION pae.usuario_actual()
RETURNS uuid
AS 'MODULE_PATHNAME', 'pae_usuario_actual_sql'
LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION pae.usuario_actual() IS
    'Persona que actúa: el claim sub de request.jwt.claims si la sesión la abrió el rol autenticador de PostgREST (pae.rol_autenticador) o un superusuario; si no, el usuario cuyo login_db es current_user; NULL si no hay ninguno';

-- The backend caches what pae.usuarios says of the acting session for the
-- rest of the transaction; every statement that writes the table makes that
-- cache stale.
CREATE FUNCTION pae.tg_usuarios_cambio()
RETURNS trigger
AS 'MODULE_PATHNAME', 'pae_tg_usuarios_cambio'
LANGUAGE C;
COMMENT ON FUNCTION pae.tg_usuarios_cambio() IS
    'Disparador AFTER ... FOR EACH STATEMENT de pae.usuarios: invalida lo que la sesión guardó de las personas (quién actúa, su rol, si está activa)';
CREATE TRIGGER usuarios_cambio
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON pae.usuarios
    FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_usuarios_cambio();

-- bcrypt through pgcrypto; BEGIN ATOMIC binds crypt/gen_salt at install
-- time, in whatever schema pgcrypto was installed.
CREATE FUNCTION pae.hash_clave(clave text)
RETURNS text
LANGUAGE sql VOLATILE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT crypt(clave, gen_salt('bf', 10));
END;
COMMENT ON FUNCTION pae.hash_clave(text) IS 'Hash bcrypt (costo 10) de una contraseña, con pgcrypto';

CREATE FUNCTION pae.verificar_clave(clave text, hash text)
RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT crypt(clave, hash) = hash;
END;
COMMENT ON FUNCTION pae.verificar_clave(text, text) IS 'Verdadero si la contraseña corresponde al hash bcrypt';

CREATE FUNCTION pae.crear_usuario(correo text, nombre text, rol text, clave text,
                                  municipios char(5)[] DEFAULT '{}')
RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id        uuid;
    v_faltantes text;
BEGIN
    IF correo IS NULL OR correo !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' THEN
        RAISE EXCEPTION 'correo inválido: "%"', correo
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'El correo debe tener la forma usuario@dominio.tld.',
                  HINT = 'Escriba el correo institucional de la persona.';
    END IF;
    IF nombre IS NULL OR btrim(nombre) = '' THEN
        RAISE EXCEPTION 'nombre vacío'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'El nombre completo de la persona es obligatorio.',
                  HINT = 'Escriba nombres y apellidos.';
    END IF;
    IF rol IS NULL OR rol NOT IN ('visitador', 'supervisor', 'coordinador', 'admin', 'bi') THEN
        RAISE EXCEPTION 'rol inválido: "%"', rol
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Los roles son visitador, supervisor, coordinador, admin y bi.',
                  HINT = 'Use uno de esos roles.';
    END IF;
    IF clave IS NULL OR length(clave) < 10 THEN
        RAISE EXCEPTION 'contraseña débil: tiene % caracteres', coalesce(length(clave), 0)
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Las contraseñas deben tener al menos 10 caracteres.',
                  HINT = 'Use una frase de paso de 10 caracteres o más.';
    END IF;
    IF EXISTS (SELECT 1 FROM pae.usuarios u WHERE lower(u.correo) = lower(crear_usuario.correo)) THEN
        RAISE EXCEPTION 'ya existe un usuario con el correo "%"', correo
            USING ERRCODE = 'unique_violation',
                  DETAIL = 'Los correos son únicos, sin distinguir mayúsculas.',
                  HINT = 'Use otro correo o reactive el usuario existente.';
    END IF;
    SELECT string_agg(m, ', ') INTO v_faltantes
      FROM unnest(coalesce(municipios, '{}'::char(5)[])) AS m
     WHERE NOT EXISTS (SELECT 1 FROM pae.municipios x WHERE x.codigo = m);
    IF v_faltantes IS NOT NULL THEN
        RAISE EXCEPTION 'municipios desconocidos: %', v_faltantes
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = 'Los municipios se indican con su código DANE de 5 dígitos (19001 es Popayán).',
                  HINT = 'Consulte pae.municipios.';
    END IF;

    INSERT INTO pae.usuarios (correo, nombre, rol, clave_hash)
    VALUES (correo, btrim(nombre), rol, pae.hash_clave(clave))
    RETURNING id INTO v_id;
    INSERT INTO pae.usuario_municipios (usuario, municipio)
    SELECT DISTINCT v_id, m FROM unnest(coalesce(municipios, '{}'::char(5)[])) AS m;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION pae.crear_usuario(text, text, text, text, char(5)[]) IS
    'Crea una persona (solo administradores: rol pae_admin) con contraseña bcrypt y sus municipios a cargo; devuelve su id. Contraseñas de menos de 10 caracteres se rechazan';
REVOKE ALL ON FUNCTION pae.crear_usuario(text, text, text, text, char(5)[]) FROM PUBLIC;
