-- Audit and limits (issue 9, items 9, 11 and 12).
--
-- The trail names the real caller and keeps only trusted client headers
-- (C, src/audit.c); sealing waits for writers in flight with a bound and
-- seals what is safe; free texts of a person have limits; the geography
-- overloads take points only; staff roles read only the people data they
-- need.

-- ---------------------------------------------------------------------
-- Geography points (SPEC §4): a LINESTRING, an empty point or another
-- SRID is PV005, never PostGIS's internal error.  PostGIS hands the point
-- over as EWKB, so the library still never links it.
-- ---------------------------------------------------------------------
CREATE FUNCTION pae.punto_wgs84(ewkb bytea, que text,
                                OUT lat double precision, OUT lon double precision)
RETURNS record
AS 'MODULE_PATHNAME', 'pae_punto_wgs84'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pae.punto_wgs84(bytea, text) IS
    'Latitud y longitud de un punto PostGIS dado como EWKB (ST_AsEWKB); PV005 si no es un solo punto no vacío con SRID 4326 y coordenadas válidas. que nombra el punto en el mensaje';

CREATE OR REPLACE FUNCTION pae.evaluar_geocerca(sede text, punto geography,
                                                precision_m double precision DEFAULT NULL,
                                                OUT distancia_m double precision,
                                                OUT radio_m double precision,
                                                OUT dentro boolean)
RETURNS record
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT g.distancia_m, g.radio_m, g.dentro
      FROM pae.punto_wgs84(ST_AsEWKB(punto::geometry), 'la captura') AS p,
           LATERAL pae.evaluar_geocerca(sede, p.lat, p.lon, precision_m) AS g;
END;
COMMENT ON FUNCTION pae.evaluar_geocerca(text, geography, double precision) IS
    'Como pae.evaluar_geocerca(sede, lat, lon, precision_m) con la captura como punto geography (WGS84, SRID 4326); otra geometría, un punto vacío u otro SRID: PV005';

CREATE OR REPLACE FUNCTION pae.distancia_m(a geography, b geography)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT pae.distancia_m(p.lat, p.lon, q.lat, q.lon)
      FROM pae.punto_wgs84(ST_AsEWKB(a::geometry), 'el primer punto') AS p,
           pae.punto_wgs84(ST_AsEWKB(b::geometry), 'el segundo punto') AS q;
END;
COMMENT ON FUNCTION pae.distancia_m(geography, geography) IS
    'Como pae.distancia_m(lat1, lon1, lat2, lon2) entre dos puntos geography (WGS84, SRID 4326); otra geometría, un punto vacío u otro SRID: PV005';

REVOKE ALL ON FUNCTION pae.punto_wgs84(bytea, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.punto_wgs84(bytea, text)
    TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;

-- ---------------------------------------------------------------------
-- People: correo and nombre have limits (src/reglas.h), checked before
-- anything echoes the value back.
-- ---------------------------------------------------------------------
CREATE OR REPLACE FUNCTION pae.crear_usuario(correo text, nombre text, rol text, clave text,
                                             municipios char(5)[] DEFAULT '{}')
RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id        uuid;
    v_faltantes text;
    v_correo_max integer := pae.regla('correo_max')::integer;
    v_nombre_max integer := pae.regla('nombre_max')::integer;
BEGIN
    IF length(correo) > v_correo_max THEN
        RAISE EXCEPTION 'correo demasiado largo: % caracteres', length(correo)
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Un correo tiene a lo sumo %s caracteres.', v_correo_max),
                  HINT = 'Escriba el correo institucional de la persona.';
    END IF;
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
    IF length(btrim(nombre)) > v_nombre_max THEN
        RAISE EXCEPTION 'nombre demasiado largo: % caracteres', length(btrim(nombre))
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Un nombre tiene a lo sumo %s caracteres.', v_nombre_max),
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
    'Crea una persona (solo administradores: rol pae_admin) con contraseña bcrypt y sus municipios a cargo; devuelve su id. Contraseñas de menos de 10 caracteres, correos de más de pae.regla(''correo_max'') y nombres de más de pae.regla(''nombre_max'') caracteres se rechazan (22023)';

-- ---------------------------------------------------------------------
-- Sealing never hangs (SPEC §6).  Each transaction writing audit rows
-- holds a writer lock whose key bounds its ids from below (src/audit.c);
-- the sealer waits for the holders of keys up to the last id handed out,
-- at most pae.regla('sellado_espera') in all, and seals up to just below
-- the first one still open.  The rest waits for the next seal.
-- ---------------------------------------------------------------------
CREATE FUNCTION pae.auditoria_esperar_escritores(hasta_id bigint,
                                                 espera interval DEFAULT pae.regla('sellado_espera')::interval)
RETURNS bigint
AS 'MODULE_PATHNAME', 'pae_auditoria_esperar_escritores_hasta'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION pae.auditoria_esperar_escritores(bigint, interval) IS
    'Uso interno de pae.sellar_auditoria: espera, a lo sumo espera en total, a las transacciones abiertas que pueden tener ids de auditoría hasta hasta_id, y devuelve el mayor id que se puede sellar sin que un id menor sin confirmar lo preceda';
REVOKE ALL ON FUNCTION pae.auditoria_esperar_escritores(bigint, interval) FROM PUBLIC;

CREATE OR REPLACE FUNCTION pae.sellar_auditoria()
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_c         bigint;
    v_b         bigint;
    v_desde     bigint;
    v_hasta     bigint;
    v_prev      bytea;
    v_filas     bigint;
    v_max       bigint;
    v_hash      bytea;
    v_total     bigint := 0;
    v_quedan    bigint;
BEGIN
    LOCK TABLE pae.auditoria_sellos IN SHARE ROW EXCLUSIVE MODE;
    v_c := pg_sequence_last_value('pae.auditoria_id_seq');
    IF v_c IS NULL THEN
        RETURN 0;
    END IF;
    v_b := pae.auditoria_esperar_escritores(v_c);

    SELECT s.hasta_id, s.hash INTO v_hasta, v_prev
      FROM pae.auditoria_sellos s ORDER BY s.id DESC LIMIT 1;
    v_desde := coalesce(v_hasta, 0) + 1;
    WHILE v_desde <= v_b LOOP
        SELECT count(*), max(a.id),
               sha256(coalesce(v_prev, ''::bytea) || coalesce(string_agg(a.hash, ''::bytea ORDER BY a.id), ''::bytea))
          INTO v_filas, v_max, v_hash
          FROM (SELECT a.id, a.hash FROM pae.auditoria a
                 WHERE a.id >= v_desde AND a.id <= v_b
                 ORDER BY a.id LIMIT 100000) a;
        EXIT WHEN v_filas = 0;
        v_hasta := CASE WHEN v_filas < 100000 THEN v_b ELSE v_max END;
        INSERT INTO pae.auditoria_sellos (desde_id, hasta_id, filas, hash_anterior, hash)
        VALUES (v_desde, v_hasta, v_filas, v_prev, v_hash);
        v_total := v_total + v_filas;
        v_prev := v_hash;
        v_desde := v_hasta + 1;
    END LOOP;

    IF v_b < v_c THEN
        SELECT count(*) INTO v_quedan
          FROM pae.auditoria a WHERE a.id >= v_desde AND a.id <= v_c;
        RAISE WARNING 'sellado parcial: filas de auditoría confirmadas que quedan sin sellar: %', v_quedan
            USING DETAIL = format('Tras esperar %s, una transacción que escribió en la auditoría sigue abierta y puede tener ids menores que esas filas; se sellaron solo las filas que ningún id sin confirmar puede preceder.',
                                  pae.regla('sellado_espera')),
                  HINT = 'Busque sesiones "idle in transaction" en pg_stat_activity y transacciones preparadas en pg_prepared_xacts; cuando terminen, el siguiente sello cubrirá esas filas.';
    END IF;
    RETURN v_total;
END
$$;
COMMENT ON FUNCTION pae.sellar_auditoria() IS
    'Sella las filas de auditoría escritas desde el último sello sin bloquear a quienes escriben; espera a las transacciones que aún escriben a lo sumo pae.regla(''sellado_espera''), y si alguna sigue abierta sella solo hasta la primera fila que ella podría preceder y avisa (WARNING) cuántas filas quedan; devuelve cuántas filas selló. Prográmela (p. ej. con pg_cron) y publique fuera de la base el hash del último sello';

-- 1.0's unbounded wait is gone (its C symbol stays for 1.0's script)
DROP FUNCTION pae.auditoria_esperar_escritores();

-- ---------------------------------------------------------------------
-- Retention and verification build identifiers only from the catalog,
-- quoted with %I or as regclass, never from a table's text.
-- ---------------------------------------------------------------------
CREATE OR REPLACE FUNCTION pae.archivar_auditoria(antes_de date)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_part      record;
    v_sellado   bigint;
    v_filas     bigint;
    v_min       bigint;
    v_max       bigint;
    v_n         integer := 0;
BEGIN
    IF antes_de IS NULL THEN
        RAISE EXCEPTION 'antes_de es obligatorio'
            USING ERRCODE = 'null_value_not_allowed',
                  DETAIL = 'pae.archivar_auditoria recibió NULL.',
                  HINT = 'Indique la fecha: se archivan los meses que terminan antes de ella.';
    END IF;
    LOCK TABLE pae.auditoria_sellos IN SHARE ROW EXCLUSIVE MODE;
    SELECT max(s.hasta_id) INTO v_sellado FROM pae.auditoria_sellos s;
    FOR v_part IN
        SELECT n.nspname, c.relname,
               to_date(substring(c.relname FROM '^auditoria_p([0-9]{4}_[0-9]{2})$'), 'YYYY_MM') AS mes
          FROM pg_inherits i
          JOIN pg_class c ON c.oid = i.inhrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE i.inhparent = 'pae.auditoria'::regclass
           AND c.relname ~ '^auditoria_p[0-9]{4}_[0-9]{2}$'
         ORDER BY c.relname
    LOOP
        CONTINUE WHEN (v_part.mes + interval '1 month')::date > antes_de;
        EXECUTE format('SELECT count(*), min(a.id), max(a.id) FROM %I.%I a', v_part.nspname, v_part.relname)
           INTO v_filas, v_min, v_max;
        IF v_filas > 0 AND (v_sellado IS NULL OR v_max > v_sellado) THEN
            RAISE EXCEPTION 'la partición %.% tiene filas sin sellar', v_part.nspname, v_part.relname
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      DETAIL = format('Su mayor id es %s y el último sello llega hasta %s.', v_max, coalesce(v_sellado::text, 'ninguno')),
                      HINT = 'Ejecute pae.sellar_auditoria() y vuelva a intentarlo.';
        END IF;
        EXECUTE format('ALTER TABLE pae.auditoria DETACH PARTITION %I.%I', v_part.nspname, v_part.relname);
        INSERT INTO pae.auditoria_archivos (particion, mes, filas, desde_id, hasta_id, archivado_por)
        VALUES (format('%I.%I', v_part.nspname, v_part.relname), v_part.mes, v_filas, v_min, v_max, session_user);
        v_n := v_n + 1;
    END LOOP;
    RETURN v_n;
END
$$;

CREATE OR REPLACE FUNCTION pae.verificar_auditoria()
RETURNS TABLE (tipo text, auditoria_id bigint, sello_id bigint, detalle text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_fuente    text := 'SELECT id, hash FROM pae.auditoria';
    v_perdidos  int8multirange := '{}';
    v_arch      record;
    v_rel       regclass;
    v_sello     record;
    v_prev      record;
    v_hay_prev  boolean := false;
    v_filas     bigint;
    v_min       bigint;
    v_max       bigint;
    v_hash      bytea;
    v_ultimo    bigint := pg_sequence_last_value('pae.auditoria_id_seq');
BEGIN
    -- 1. rows whose stored hash no longer matches their contents
    RETURN QUERY
        SELECT 'fila_alterada'::text, a.id, NULL::bigint,
               format('el hash guardado de la fila %s de %s (%s) no corresponde a su contenido',
                      a.id, a.tabla, a.operacion)
          FROM pae.auditoria a
         WHERE a.hash IS DISTINCT FROM pae.auditoria_hash(a.id, a.en, a.xid, a.tabla, a.operacion,
                                                          a.pk, a.antes, a.despues, a.actor,
                                                          a.rol_db, a.cliente)
         ORDER BY a.id;

    -- 2. rows with an id the sequence never handed out
    RETURN QUERY
        SELECT 'fila_fuera_de_secuencia'::text, a.id, NULL::bigint,
               format('la fila %s tiene un id mayor que el último entregado por la secuencia (%s)',
                      a.id, coalesce(v_ultimo, 0))
          FROM pae.auditoria a
         WHERE a.id > coalesce(v_ultimo, 0)
         ORDER BY a.id;

    -- archived months: still-present tables join the check (named by the
    -- regclass the stored name resolves to, never by the stored text),
    -- dropped ones make their id ranges unverifiable
    FOR v_arch IN SELECT * FROM pae.auditoria_archivos ORDER BY id LOOP
        v_rel := to_regclass(v_arch.particion);
        IF v_rel IS NOT NULL THEN
            v_fuente := v_fuente || format(' UNION ALL SELECT id, hash FROM %s', v_rel);
        ELSIF v_arch.desde_id IS NOT NULL THEN
            v_perdidos := v_perdidos + int8multirange(int8range(v_arch.desde_id, v_arch.hasta_id, '[]'));
        END IF;
    END LOOP;

    -- 3. seals: links, id ranges, row counts and the recomputed chain
    FOR v_sello IN SELECT * FROM pae.auditoria_sellos s ORDER BY s.id LOOP
        IF NOT v_hay_prev THEN
            IF v_sello.hash_anterior IS NOT NULL THEN
                RETURN QUERY SELECT 'enlace_roto'::text, NULL::bigint, v_sello.id,
                    format('el sello %s es el primero pero tiene hash_anterior', v_sello.id);
            END IF;
        ELSE
            IF v_sello.hash_anterior IS DISTINCT FROM v_prev.hash THEN
                RETURN QUERY SELECT 'enlace_roto'::text, NULL::bigint, v_sello.id,
                    format('el hash_anterior del sello %s no es el hash del sello %s', v_sello.id, v_prev.id);
            END IF;
            IF v_sello.desde_id <> v_prev.hasta_id + 1 THEN
                RETURN QUERY SELECT 'enlace_roto'::text, NULL::bigint, v_sello.id,
                    format('el sello %s empieza en el id %s pero el sello %s terminó en %s',
                           v_sello.id, v_sello.desde_id, v_prev.id, v_prev.hasta_id);
            END IF;
        END IF;
        IF NOT (v_perdidos && int8range(v_sello.desde_id, v_sello.hasta_id, '[]')) THEN
            EXECUTE format('SELECT count(*), min(f.id), max(f.id),'
                           ' sha256(coalesce($1, ''''::bytea) || coalesce(string_agg(f.hash, ''''::bytea ORDER BY f.id), ''''::bytea))'
                           ' FROM (%s) f WHERE f.id BETWEEN $2 AND $3', v_fuente)
               INTO v_filas, v_min, v_max, v_hash
              USING v_sello.hash_anterior, v_sello.desde_id, v_sello.hasta_id;
            IF v_filas <> v_sello.filas THEN
                RETURN QUERY SELECT 'sello_filas'::text, NULL::bigint, v_sello.id,
                    format('el sello %s cubre %s filas (ids %s a %s) pero hay %s',
                           v_sello.id, v_sello.filas, v_sello.desde_id, v_sello.hasta_id, v_filas);
            END IF;
            IF v_hash IS DISTINCT FROM v_sello.hash THEN
                RETURN QUERY SELECT 'sello_alterado'::text, NULL::bigint, v_sello.id,
                    format('la cadena recalculada de las filas %s a %s no coincide con el hash del sello %s',
                           v_sello.desde_id, v_sello.hasta_id, v_sello.id);
            END IF;
        END IF;
        v_prev := v_sello;
        v_hay_prev := true;
    END LOOP;
END
$$;

-- ---------------------------------------------------------------------
-- Least privilege.  A visitador reads no one's municipios (the planning
-- rule reads them in C, as the owner); only coordinadores and admins read
-- the staff's correos and database logins.  Supervisors keep
-- usuario_municipios: the RLS policy of pae.visitas for them joins it as
-- the invoker.  pae.visitas_id stays readable by staff: the invoker-run
-- pae.puede_ver_visita_id, pae.transicion and pae_api.alertas join it.
-- ---------------------------------------------------------------------
REVOKE SELECT ON pae.usuario_municipios FROM pae_visitador;
REVOKE SELECT (correo, login_db) ON pae.usuarios FROM pae_visitador, pae_supervisor;
