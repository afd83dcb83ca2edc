-- Audit trail (SPEC §6): a C row trigger on every business table writes
-- pae.auditoria; the trail is append-only (PV009, for the owner too); each
-- row carries the SHA-256 of its canonical bytes, and pae.sellar_auditoria()
-- chains the rows into pae.auditoria_sellos without serializing writers.

-- The C trigger is the only writer (clients hold no INSERT privilege), and
-- it guarantees what CHECK constraints would (operation one of INSERT,
-- UPDATE, DELETE; antes NULL exactly for INSERT, despues NULL exactly for
-- DELETE; a 32-byte hash): a CHECK costs every audited write a parse of its
-- expression.  Anything written behind the trigger's back is caught by
-- pae.verificar_auditoria instead.  Likewise ids are unique by
-- construction (the identity sequence) and found through a BRIN index, as
-- they grow with insertion order; a duplicate id shows up as a seal whose
-- row count no longer matches.
CREATE TABLE pae.auditoria (
    id          bigint GENERATED ALWAYS AS IDENTITY,
    en          timestamptz NOT NULL,
    xid         xid8 NOT NULL,
    tabla       text NOT NULL,
    operacion   text NOT NULL,
    pk          jsonb,
    antes       jsonb,
    despues     jsonb,
    actor       uuid,
    rol_db      text NOT NULL,
    cliente     jsonb,
    hash        bytea NOT NULL
) PARTITION BY RANGE (en);
-- Like pae.visitas (20-tablas.sql), indexes live on each partition, not on
-- the extension-owned parent, so that pg_dump/pg_restore work:
-- pae.auditoria_proteger_particion creates them.
CREATE TABLE pae.auditoria_default PARTITION OF pae.auditoria DEFAULT;

COMMENT ON TABLE pae.auditoria IS
    'Rastro de auditoría de solo inserción (PV009): una fila por cada INSERT, UPDATE o DELETE confirmado en una tabla de negocio; particionada por mes (hora de Colombia) de en';
COMMENT ON TABLE pae.auditoria_default IS
    'Partición por defecto de la auditoría: pae.mantener_particiones mueve sus filas a la partición de su mes';
COMMENT ON COLUMN pae.auditoria.id IS 'Número de secuencia de la fila; los sellos encadenan las filas en este orden';
COMMENT ON COLUMN pae.auditoria.en IS 'Momento del cambio (inicio de la sentencia)';
COMMENT ON COLUMN pae.auditoria.xid IS 'Id de la transacción (de nivel superior) que hizo el cambio';
COMMENT ON COLUMN pae.auditoria.tabla IS 'Tabla de negocio cambiada (sin esquema; pae)';
COMMENT ON COLUMN pae.auditoria.operacion IS 'INSERT, UPDATE o DELETE';
COMMENT ON COLUMN pae.auditoria.pk IS 'Llave primaria de la fila cambiada, como objeto jsonb {columna: valor}';
COMMENT ON COLUMN pae.auditoria.antes IS 'Fila anterior (DELETE) o valores anteriores de las columnas cambiadas (UPDATE); nunca claves ni tokens';
COMMENT ON COLUMN pae.auditoria.despues IS 'Fila nueva (INSERT) o valores nuevos de las columnas cambiadas (UPDATE); nunca claves ni tokens';
COMMENT ON COLUMN pae.auditoria.actor IS 'Persona que actuó (pae.usuarios.id: claim sub del JWT o rol asociado); NULL si no se identificó';
COMMENT ON COLUMN pae.auditoria.rol_db IS 'Rol de base de datos que ejecutó el cambio';
COMMENT ON COLUMN pae.auditoria.cliente IS 'Datos del cliente tomados de request.headers de PostgREST (user-agent, x-forwarded-for, ...; valores de a lo sumo 256 bytes; nunca Authorization ni Cookie)';
COMMENT ON COLUMN pae.auditoria.hash IS 'SHA-256 de la codificación canónica de la fila (pae.auditoria_hash), independiente de TimeZone, DateStyle, extra_float_digits y search_path';

CREATE TABLE pae.auditoria_sellos (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    desde_id        bigint NOT NULL,
    hasta_id        bigint NOT NULL,
    filas           bigint NOT NULL CHECK (filas > 0),
    hash_anterior   bytea,
    hash            bytea NOT NULL,
    sellado_en      timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    CONSTRAINT auditoria_sellos_rango CHECK (desde_id <= hasta_id)
);
COMMENT ON TABLE pae.auditoria_sellos IS
    'Sellos de la auditoría: cada uno encadena, en orden de id, las filas de auditoria con id entre desde_id y hasta_id; hash = SHA-256(hash_anterior || hash de cada fila); de solo inserción (PV009)';
COMMENT ON COLUMN pae.auditoria_sellos.id IS 'Número del sello';
COMMENT ON COLUMN pae.auditoria_sellos.desde_id IS 'Primer id de auditoría cubierto (el hasta_id del sello anterior + 1)';
COMMENT ON COLUMN pae.auditoria_sellos.hasta_id IS 'Último id de auditoría cubierto';
COMMENT ON COLUMN pae.auditoria_sellos.filas IS 'Filas de auditoría selladas (los ids de transacciones abortadas quedan como huecos)';
COMMENT ON COLUMN pae.auditoria_sellos.hash_anterior IS 'hash del sello anterior (NULL en el primero)';
COMMENT ON COLUMN pae.auditoria_sellos.hash IS 'SHA-256(hash_anterior || hash de cada fila en orden de id); publique el último fuera de la base';
COMMENT ON COLUMN pae.auditoria_sellos.sellado_en IS 'Momento del sellado';

CREATE TABLE pae.auditoria_archivos (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    particion       text NOT NULL,
    mes             date NOT NULL,
    filas           bigint NOT NULL,
    desde_id        bigint,
    hasta_id        bigint,
    archivado_en    timestamptz NOT NULL DEFAULT pg_catalog.now(),
    archivado_por   text NOT NULL DEFAULT CURRENT_USER
);
COMMENT ON TABLE pae.auditoria_archivos IS
    'Meses de auditoría separados por pae.archivar_auditoria: la partición queda como tabla suelta para respaldarla (pg_dump -t) y borrarla';
COMMENT ON COLUMN pae.auditoria_archivos.id IS 'Número del archivo';
COMMENT ON COLUMN pae.auditoria_archivos.particion IS 'Tabla separada (pae.auditoria_pAAAA_MM)';
COMMENT ON COLUMN pae.auditoria_archivos.mes IS 'Mes que contenía (hora de Colombia)';
COMMENT ON COLUMN pae.auditoria_archivos.filas IS 'Filas que tenía al separarla';
COMMENT ON COLUMN pae.auditoria_archivos.desde_id IS 'Menor id de auditoría que tenía';
COMMENT ON COLUMN pae.auditoria_archivos.hasta_id IS 'Mayor id de auditoría que tenía';
COMMENT ON COLUMN pae.auditoria_archivos.archivado_en IS 'Momento en que se separó';
COMMENT ON COLUMN pae.auditoria_archivos.archivado_por IS 'Rol que la separó';

-- C functions
CREATE FUNCTION pae.tg_auditoria()
RETURNS trigger
AS 'MODULE_PATHNAME', 'pae_tg_auditoria'
LANGUAGE C;
COMMENT ON FUNCTION pae.tg_auditoria() IS
    'Disparador AFTER ... FOR EACH ROW de las tablas de negocio: escribe la fila de pae.auditoria (como dueño de la extensión) con su hash canónico; el argumento nombra la tabla';

CREATE FUNCTION pae.tg_auditoria_inmutable()
RETURNS trigger
AS 'MODULE_PATHNAME', 'pae_tg_auditoria_inmutable'
LANGUAGE C;
COMMENT ON FUNCTION pae.tg_auditoria_inmutable() IS
    'Disparador BEFORE UPDATE/DELETE/TRUNCATE de la auditoría y sus sellos: siempre falla con PV009';

CREATE FUNCTION pae.auditoria_hash(id bigint, en timestamptz, xid xid8, tabla text, operacion text,
                                   pk jsonb, antes jsonb, despues jsonb, actor uuid, rol_db text,
                                   cliente jsonb)
RETURNS bytea
AS 'MODULE_PATHNAME', 'pae_auditoria_hash'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION pae.auditoria_hash(bigint, timestamptz, xid8, text, text, jsonb, jsonb, jsonb, uuid, text, jsonb) IS
    'SHA-256 de la codificación canónica de una fila de auditoría (en como microsegundos Unix, textos con prefijo de largo, jsonb por su texto canónico): no depende de ninguna configuración de la sesión';

CREATE FUNCTION pae.auditoria_esperar_escritores()
RETURNS integer
AS 'MODULE_PATHNAME', 'pae_auditoria_esperar_escritores'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION pae.auditoria_esperar_escritores() IS
    'Espera a que terminen las transacciones en curso (uso interno de pae.sellar_auditoria); devuelve a cuántas esperó';

-- Append-only, for the owner too.  Row triggers on the partitioned table
-- are cloned onto every partition; TRUNCATE triggers are not, so
-- pae.auditoria_proteger_particion adds one to each partition
-- (pae.crear_particion_mes calls it).
CREATE TRIGGER auditoria_inmutable
    BEFORE UPDATE OR DELETE ON pae.auditoria
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria_inmutable();
CREATE TRIGGER auditoria_sin_truncate
    BEFORE TRUNCATE ON pae.auditoria
    FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_auditoria_inmutable();
CREATE TRIGGER auditoria_sellos_inmutable
    BEFORE UPDATE OR DELETE ON pae.auditoria_sellos
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria_inmutable();
CREATE TRIGGER auditoria_sellos_sin_truncate
    BEFORE TRUNCATE ON pae.auditoria_sellos
    FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_auditoria_inmutable();

CREATE FUNCTION pae.auditoria_proteger_particion(particion regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_nombre text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_inherits i
                    WHERE i.inhrelid = particion AND i.inhparent = 'pae.auditoria'::regclass) THEN
        RAISE EXCEPTION '% no es una partición de pae.auditoria', particion
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Solo las particiones de pae.auditoria reciben el disparador contra TRUNCATE y los índices de la auditoría.',
                  HINT = 'Cree las particiones con pae.crear_particion_mes(''pae.auditoria'', mes).';
    END IF;
    SELECT c.relname INTO v_nombre FROM pg_class c WHERE c.oid = particion;
    IF NOT EXISTS (SELECT 1 FROM pg_trigger t
                    WHERE t.tgrelid = particion AND t.tgname = 'auditoria_sin_truncate') THEN
        EXECUTE format('CREATE TRIGGER auditoria_sin_truncate BEFORE TRUNCATE ON %s'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_auditoria_inmutable()', particion);
    END IF;
    -- history of a row; what a person did; time and id ranges (sealing,
    -- verification: ids grow with insertion order, so BRIN suffices)
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s (pk, tabla)', v_nombre || '_pk_tabla_idx', particion);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s (actor, en)', v_nombre || '_actor_en_idx', particion);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING brin (en, id)', v_nombre || '_en_id_brin', particion);
END
$$;
COMMENT ON FUNCTION pae.auditoria_proteger_particion(regclass) IS
    'Da a una partición de pae.auditoria el disparador que rechaza TRUNCATE (PV009) y los índices de la auditoría (pk, tabla), (actor, en) y BRIN (en, id); pae.crear_particion_mes lo llama';
REVOKE ALL ON FUNCTION pae.auditoria_proteger_particion(regclass) FROM PUBLIC;

SELECT pae.auditoria_proteger_particion('pae.auditoria_default');

-- Sealing.  The rows are chained in id order, but ids are drawn before
-- their transactions commit, so a row with a lower id may still become
-- visible after a higher one.  The sealer therefore (1) reads the last id
-- handed out, C, (2) waits for every transaction in progress at that
-- moment (pae.auditoria_esperar_escritores), after which every id <= C is
-- committed or gone for good, and (3) seals the visible rows with ids up
-- to C.  Writers never wait: only the sealer waits for writers in flight,
-- and a lock on pae.auditoria_sellos keeps sealers one at a time.  A seal
-- covers at most 100,000 rows (verification recomputes a seal in memory).
CREATE FUNCTION pae.sellar_auditoria()
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_c         bigint;
    v_desde     bigint;
    v_hasta     bigint;
    v_prev      bytea;
    v_filas     bigint;
    v_max       bigint;
    v_hash      bytea;
    v_total     bigint := 0;
BEGIN
    LOCK TABLE pae.auditoria_sellos IN SHARE ROW EXCLUSIVE MODE;
    v_c := pg_sequence_last_value('pae.auditoria_id_seq');
    IF v_c IS NULL THEN
        RETURN 0;
    END IF;
    PERFORM pae.auditoria_esperar_escritores();

    SELECT s.hasta_id, s.hash INTO v_hasta, v_prev
      FROM pae.auditoria_sellos s ORDER BY s.id DESC LIMIT 1;
    v_desde := coalesce(v_hasta, 0) + 1;
    WHILE v_desde <= v_c LOOP
        SELECT count(*), max(a.id),
               sha256(coalesce(v_prev, ''::bytea) || coalesce(string_agg(a.hash, ''::bytea ORDER BY a.id), ''::bytea))
          INTO v_filas, v_max, v_hash
          FROM (SELECT a.id, a.hash FROM pae.auditoria a
                 WHERE a.id >= v_desde AND a.id <= v_c
                 ORDER BY a.id LIMIT 100000) a;
        EXIT WHEN v_filas = 0;
        v_hasta := CASE WHEN v_filas < 100000 THEN v_c ELSE v_max END;
        INSERT INTO pae.auditoria_sellos (desde_id, hasta_id, filas, hash_anterior, hash)
        VALUES (v_desde, v_hasta, v_filas, v_prev, v_hash);
        v_total := v_total + v_filas;
        v_prev := v_hash;
        v_desde := v_hasta + 1;
    END LOOP;
    RETURN v_total;
END
$$;
COMMENT ON FUNCTION pae.sellar_auditoria() IS
    'Sella las filas de auditoría escritas desde el último sello (sin bloquear a quienes escriben; espera a las transacciones en curso); devuelve cuántas filas selló. Prográmela (p. ej. con pg_cron) y publique fuera de la base el hash del último sello';
REVOKE ALL ON FUNCTION pae.sellar_auditoria() FROM PUBLIC;

-- Verification.  Rows of archived months whose table was dropped cannot
-- be recomputed: seals that cover them are checked for their links only.
CREATE FUNCTION pae.verificar_auditoria()
RETURNS TABLE (tipo text, auditoria_id bigint, sello_id bigint, detalle text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_fuente    text := 'SELECT id, hash FROM pae.auditoria';
    v_perdidos  int8multirange := '{}';
    v_arch      record;
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

    -- archived months: still-present tables join the check, dropped ones
    -- make their id ranges unverifiable
    FOR v_arch IN SELECT * FROM pae.auditoria_archivos ORDER BY id LOOP
        IF to_regclass(v_arch.particion) IS NOT NULL THEN
            v_fuente := v_fuente || format(' UNION ALL SELECT id, hash FROM %s', v_arch.particion);
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
COMMENT ON FUNCTION pae.verificar_auditoria() IS
    'Verifica la auditoría: devuelve una fila por cada fila de auditoría cuyo hash no corresponde (fila_alterada), con id nunca entregado (fila_fuera_de_secuencia), y por cada sello con enlace roto (enlace_roto), con otra cantidad de filas (sello_filas) o cuya cadena recalculada no coincide (sello_alterado); vacío si todo está íntegro';
REVOKE ALL ON FUNCTION pae.verificar_auditoria() FROM PUBLIC;

-- Retention: whole sealed months leave by detaching their partition.
CREATE FUNCTION pae.archivar_auditoria(antes_de date)
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
        SELECT c.oid::regclass AS rel, c.relname,
               to_date(substring(c.relname FROM '^auditoria_p([0-9]{4}_[0-9]{2})$'), 'YYYY_MM') AS mes
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'pae.auditoria'::regclass
           AND c.relname ~ '^auditoria_p[0-9]{4}_[0-9]{2}$'
         ORDER BY c.relname
    LOOP
        CONTINUE WHEN (v_part.mes + interval '1 month')::date > antes_de;
        EXECUTE format('SELECT count(*), min(id), max(id) FROM %s', v_part.rel)
           INTO v_filas, v_min, v_max;
        IF v_filas > 0 AND (v_sellado IS NULL OR v_max > v_sellado) THEN
            RAISE EXCEPTION 'la partición % tiene filas sin sellar', v_part.rel
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      DETAIL = format('Su mayor id es %s y el último sello llega hasta %s.', v_max, coalesce(v_sellado::text, 'ninguno')),
                      HINT = 'Ejecute pae.sellar_auditoria() y vuelva a intentarlo.';
        END IF;
        EXECUTE format('ALTER TABLE pae.auditoria DETACH PARTITION %s', v_part.rel);
        INSERT INTO pae.auditoria_archivos (particion, mes, filas, desde_id, hasta_id, archivado_por)
        VALUES (format('pae.%I', v_part.relname), v_part.mes, v_filas, v_min, v_max, session_user);
        v_n := v_n + 1;
    END LOOP;
    RETURN v_n;
END
$$;
COMMENT ON FUNCTION pae.archivar_auditoria(date) IS
    'Retención: separa (DETACH) las particiones mensuales de pae.auditoria que terminan antes de antes_de, si todas sus filas están selladas, y lo registra en pae.auditoria_archivos; devuelve cuántas separó. Respalde cada tabla separada (pg_dump -t) antes de borrarla';
REVOKE ALL ON FUNCTION pae.archivar_auditoria(date) FROM PUBLIC;

-- The business tables
CREATE TRIGGER auditoria AFTER INSERT OR UPDATE OR DELETE ON pae.visitas
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria('visitas');
CREATE TRIGGER auditoria AFTER INSERT OR UPDATE OR DELETE ON pae.visita_respuestas
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria('visita_respuestas');
CREATE TRIGGER auditoria AFTER INSERT OR UPDATE OR DELETE ON pae.evidencias
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria('evidencias');
CREATE TRIGGER auditoria AFTER INSERT OR UPDATE OR DELETE ON pae.sedes
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria('sedes');
CREATE TRIGGER auditoria AFTER INSERT OR UPDATE OR DELETE ON pae.instituciones
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria('instituciones');
CREATE TRIGGER auditoria AFTER INSERT OR UPDATE OR DELETE ON pae.contratos
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria('contratos');
CREATE TRIGGER auditoria AFTER INSERT OR UPDATE OR DELETE ON pae.contrato_sedes
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria('contrato_sedes');
CREATE TRIGGER auditoria AFTER INSERT OR UPDATE OR DELETE ON pae.operadores
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria('operadores');
CREATE TRIGGER auditoria AFTER INSERT OR UPDATE OR DELETE ON pae.usuarios
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria('usuarios');
CREATE TRIGGER auditoria AFTER INSERT OR UPDATE OR DELETE ON pae.usuario_municipios
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria('usuario_municipios');
CREATE TRIGGER auditoria AFTER INSERT OR UPDATE OR DELETE ON pae.checklist_items
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria('checklist_items');
CREATE TRIGGER auditoria AFTER INSERT OR UPDATE OR DELETE ON pae.alertas
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria('alertas');
-- The history's rows are written only by the state machine (clients have
-- no INSERT on pae.transiciones), in the same transaction as the visit
-- UPDATE that caused them, whose audit row already holds the move (estado
-- before and after, actor, role, time): auditing the INSERT would record
-- every move twice.  Any later UPDATE or DELETE of the history is audited.
CREATE TRIGGER auditoria AFTER UPDATE OR DELETE ON pae.transiciones
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria('transiciones');

-- Privileges: nobody writes the trail directly (the trigger writes it as
-- the owner); admins read it, verify and seal it.
REVOKE ALL ON pae.auditoria, pae.auditoria_default, pae.auditoria_sellos, pae.auditoria_archivos FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.tg_auditoria() TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;
GRANT SELECT ON pae.auditoria, pae.auditoria_sellos, pae.auditoria_archivos TO pae_admin;
GRANT EXECUTE ON FUNCTION pae.verificar_auditoria(), pae.sellar_auditoria() TO pae_admin;

-- pg_dump keeps the trail, its seals and its archive log (SPEC §2).
-- Monthly partitions are created at run time and dumped with their data.
SELECT pg_catalog.pg_extension_config_dump('pae.auditoria_default', '');
SELECT pg_catalog.pg_extension_config_dump('pae.auditoria_sellos', '');
SELECT pg_catalog.pg_extension_config_dump('pae.auditoria_archivos', '');
SELECT pg_catalog.pg_extension_config_dump('pae.auditoria_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('pae.auditoria_sellos_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('pae.auditoria_archivos_id_seq', '');
