
-- Operations (issue 13, items 2-4; SPEC §12): the maintenance schedule
-- with pg_cron (pae.programar_mantenimiento), the health checks
-- (pae.salud) and the monitoring views (pae.metricas_*), readable by the
-- NOLOGIN group role pae_monitor.
--
-- pg_cron is never required: nothing here names the schema cron outside
-- dynamic SQL that runs only when pg_cron is installed in this database,
-- so CREATE EXTENSION pae_cauca works without it.  Likewise the relay
-- (pae.relay_estado(), issue 13 item 1) is called only when it exists.

-- The monitoring role: a login role of the exporter (or of any dashboard)
-- is granted pae_monitor (and PostgreSQL's pg_monitor for the server's own
-- statistics).  Roles are cluster-wide: created only when missing, reused
-- by a second database, left behind by DROP EXTENSION.
DO $roles$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'pae_monitor') THEN
        CREATE ROLE pae_monitor NOLOGIN;
        COMMENT ON ROLE pae_monitor IS
            'Monitoreo de pae_cauca: lee pae.metricas_* y ejecuta pae.salud(); solo agregados, nunca datos personales';
    END IF;
END
$roles$;
GRANT USAGE ON SCHEMA pae TO pae_monitor;
-- the metric views read the time zone of the programme's calendar
GRANT EXECUTE ON FUNCTION pae.regla(text) TO pae_monitor;

-- Bounded windows of the metric views: the last hours of transitions and
-- alerts are found through BRIN indexes (rows arrive in time order), not by
-- reading whole tables on every scrape.
CREATE INDEX transiciones_en_brin ON pae.transiciones USING brin (en);
CREATE INDEX alertas_detectada_en_brin ON pae.alertas USING brin (detectada_en);

-- ---------------------------------------------------------------------
-- Version of the library
-- ---------------------------------------------------------------------
CREATE FUNCTION pae.version_biblioteca()
RETURNS text
AS 'MODULE_PATHNAME', 'pae_version_biblioteca'
LANGUAGE C STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION pae.version_biblioteca() IS
    'Versión de pae_cauca para la que se compiló la biblioteca cargada (default_version de pae_cauca.control); pae.salud() la compara con la versión del SQL instalado (pg_extension.extversion)';
REVOKE ALL ON FUNCTION pae.version_biblioteca() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.version_biblioteca() TO pae_admin, pae_monitor;

-- ---------------------------------------------------------------------
-- pg_cron: the maintenance schedule
-- ---------------------------------------------------------------------

-- The jobs, in one place: programar_mantenimiento creates them and salud
-- checks them.  Times are pg_cron's (UTC in pg_cron 1.4): 08:15 UTC is
-- 03:15 in Colombia, when nobody is visiting.
CREATE FUNCTION pae.trabajos_mantenimiento(OUT trabajo text, OUT horario text, OUT comando text)
RETURNS SETOF record
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT t.trabajo, t.horario, t.comando
      FROM (VALUES (1, 'pae_sellar_auditoria', '* * * * *', 'SELECT pae.sellar_auditoria()'),
                   (2, 'pae_mantener_particiones', '15 8 * * *', 'SELECT pae.mantener_particiones()'),
                   (3, 'pae_purgar_eventos', '30 8 * * *', 'SELECT pae.purgar_eventos()'),
                   (4, 'pae_purgar_intentos_login', '45 8 * * *', 'SELECT pae.purgar_intentos_login()'))
           AS t(orden, trabajo, horario, comando)
     ORDER BY t.orden;
END;
COMMENT ON FUNCTION pae.trabajos_mantenimiento() IS
    'Trabajos de mantenimiento de pae_cauca (nombre del trabajo en pg_cron, horario cron en UTC y comando): sellar la auditoría cada minuto; a diario (03:15-03:45 hora de Colombia) crear particiones por adelantado, purgar eventos viejos y purgar intentos de inicio de sesión viejos';
REVOKE ALL ON FUNCTION pae.trabajos_mantenimiento() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.trabajos_mantenimiento() TO pae_admin, pae_monitor;

-- Why pg_cron cannot schedule here, or NULL when it can: the message, the
-- detail and the steps (as one hint).  Shared by programar_mantenimiento
-- (which raises it) and salud (which reports it).
CREATE FUNCTION pae.pg_cron_falta(OUT mensaje text, OUT detalle text, OUT pasos text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_base       text := current_database();
    v_precargado boolean;
    v_base_cron  text := nullif(current_setting('cron.database_name', true), '');
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension e WHERE e.extname = 'pg_cron') THEN
        RETURN;    -- all NULL: pg_cron is here
    END IF;
    SELECT 'pg_cron' = ANY (SELECT btrim(l, ' "') FROM unnest(string_to_array(current_setting('shared_preload_libraries'), ',')) l)
      INTO v_precargado;
    IF NOT v_precargado THEN
        mensaje := 'pg_cron no está cargado en este servidor';
        detalle := format('shared_preload_libraries es %L y no incluye pg_cron, así que nada programa el sellado de la auditoría, las particiones ni la retención.',
                          current_setting('shared_preload_libraries'));
        pasos := format('Como root: apt-get install postgresql-15-cron; en postgresql.conf: shared_preload_libraries = ''pg_cron'' (junto a las que ya tenga, p. ej. ''pae_cauca,pg_cron'') y cron.database_name = %L; reinicie PostgreSQL (systemctl restart postgresql@15-main); en esta base, como superusuario: CREATE EXTENSION pg_cron; y luego SELECT pae.programar_mantenimiento(); . Sin pg_cron, programe los mismos comandos (pae.trabajos_mantenimiento()) con un temporizador del sistema (README, Operations).',
                        v_base);
    ELSIF v_base_cron IS DISTINCT FROM v_base THEN
        mensaje := format('pg_cron trabaja en la base %s, no en %s', coalesce(v_base_cron, 'postgres'), v_base);
        detalle := format('cron.database_name es %L: pg_cron solo puede crearse y programar en esa base.',
                          coalesce(v_base_cron, 'postgres'));
        pasos := format('Fije cron.database_name = %L en postgresql.conf y reinicie PostgreSQL; luego, en esta base, CREATE EXTENSION pg_cron; y SELECT pae.programar_mantenimiento(); . O, desde la base %s, programe los comandos de pae.trabajos_mantenimiento() con cron.schedule_in_database(nombre, horario, comando, %L).',
                        v_base, coalesce(v_base_cron, 'postgres'), v_base);
    ELSE
        mensaje := 'la extensión pg_cron no está creada en esta base';
        detalle := format('pg_cron está cargado y cron.database_name es %L, pero falta CREATE EXTENSION pg_cron.', v_base);
        pasos := 'Como superusuario, en esta base: CREATE EXTENSION pg_cron; y luego SELECT pae.programar_mantenimiento(); .';
    END IF;
    RETURN;
END
$$;
COMMENT ON FUNCTION pae.pg_cron_falta() IS
    'Por qué pg_cron no puede programar el mantenimiento en esta base (mensaje, detalle y los pasos para remediarlo), o NULL si pg_cron está instalado aquí; la usan pae.programar_mantenimiento y pae.salud';
REVOKE ALL ON FUNCTION pae.pg_cron_falta() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.pg_cron_falta() TO pae_admin, pae_monitor;

-- Creates or updates the jobs, by name.  SECURITY DEFINER: the jobs belong
-- to the extension's owner and run as it (pg_cron runs a job as the role
-- that scheduled it); the commands are fixed (pae.trabajos_mantenimiento),
-- so a pae_admin who calls it schedules nothing else.
CREATE FUNCTION pae.programar_mantenimiento()
RETURNS TABLE (trabajo text, horario text, comando text, accion text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_falta   record;
    v_t       record;
    v_job     record;
BEGIN
    SELECT * INTO v_falta FROM pae.pg_cron_falta();
    IF v_falta.mensaje IS NOT NULL THEN
        RAISE EXCEPTION '%', v_falta.mensaje
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = v_falta.detalle,
                  HINT = v_falta.pasos;
    END IF;
    FOR v_t IN SELECT * FROM pae.trabajos_mantenimiento() LOOP
        EXECUTE 'SELECT j.jobid, j.schedule, j.command, j.active'
                '  FROM cron.job j'
                ' WHERE j.jobname = $1 AND j.username = current_user AND j.database = current_database()'
           INTO v_job USING v_t.trabajo;
        trabajo := v_t.trabajo;
        horario := v_t.horario;
        comando := v_t.comando;
        IF v_job.jobid IS NULL THEN
            EXECUTE 'SELECT cron.schedule_in_database($1, $2, $3, current_database())'
              USING v_t.trabajo, v_t.horario, v_t.comando;
            accion := 'creado';
        ELSIF v_job.schedule IS DISTINCT FROM v_t.horario OR v_job.command IS DISTINCT FROM v_t.comando
              OR NOT v_job.active THEN
            EXECUTE 'SELECT cron.alter_job($1, schedule => $2, command => $3, database => current_database(), active => true)'
              USING v_job.jobid, v_t.horario, v_t.comando;
            accion := 'actualizado';
        ELSE
            accion := 'sin cambios';
        END IF;
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION pae.programar_mantenimiento() IS
    'Crea o actualiza, por nombre, los trabajos de pg_cron del mantenimiento (pae.trabajos_mantenimiento(): sellar la auditoría cada minuto; particiones, retención de eventos y de intentos de inicio de sesión a diario) y devuelve una fila por trabajo con lo que hizo (creado, actualizado, sin cambios); se puede repetir. Sin pg_cron en esta base falla con 55000 y la pista dice los pasos exactos. Solo pae_admin';
REVOKE ALL ON FUNCTION pae.programar_mantenimiento() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.programar_mantenimiento() TO pae_admin;

-- ---------------------------------------------------------------------
-- Health
-- ---------------------------------------------------------------------

-- The relay's state, or the in-transaction mode of a build without it
-- (pae.relay_estado() belongs to the relay, issue 13 item 1, and is called
-- only when it exists).
CREATE FUNCTION pae.relay_o_transaccion(OUT modo text, OUT trabajador_activo boolean,
                                        OUT ultimo_anunciado bigint, OUT pendientes bigint,
                                        OUT retraso_s double precision, OUT con_relay boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    con_relay := to_regprocedure('pae.relay_estado()') IS NOT NULL;
    IF con_relay THEN
        EXECUTE 'SELECT r.modo, r.trabajador_activo, r.ultimo_anunciado, r.pendientes, r.retraso_s'
                '  FROM pae.relay_estado() r LIMIT 1'
           INTO modo, trabajador_activo, ultimo_anunciado, pendientes, retraso_s;
    ELSE
        modo := 'en_transaccion';
        trabajador_activo := false;
        pendientes := 0;
        retraso_s := 0;
    END IF;
END
$$;
COMMENT ON FUNCTION pae.relay_o_transaccion() IS
    'Estado del anuncio de eventos: lo que dice pae.relay_estado() si existe, o modo en_transaccion (NOTIFY dentro de cada transacción) si no; con_relay dice cuál';
REVOKE ALL ON FUNCTION pae.relay_o_transaccion() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.relay_o_transaccion() TO pae_admin, pae_monitor;

-- Oldest unsealed audit row and last seal.  Rows after the last seal are
-- found by id through each month's BRIN on (en, id) (ids grow with the
-- physical order), so this reads only the unsealed tail.
CREATE FUNCTION pae.auditoria_pendiente(OUT filas bigint, OUT mas_antigua timestamptz,
                                        OUT ultimo_sello bigint, OUT ultimo_sello_en timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_hasta bigint;
BEGIN
    SELECT s.id, s.hasta_id, s.sellado_en INTO ultimo_sello, v_hasta, ultimo_sello_en
      FROM pae.auditoria_sellos s ORDER BY s.id DESC LIMIT 1;
    SELECT count(*), min(a.en) INTO filas, mas_antigua
      FROM pae.auditoria a WHERE a.id > coalesce(v_hasta, 0);
END
$$;
COMMENT ON FUNCTION pae.auditoria_pendiente() IS
    'Filas de auditoría sin sellar (id mayor que el hasta_id del último sello), el momento de la más antigua, y el último sello (id y sellado_en)';
REVOKE ALL ON FUNCTION pae.auditoria_pendiente() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.auditoria_pendiente() TO pae_admin, pae_monitor;

CREATE FUNCTION pae.salud()
RETURNS TABLE (chequeo text, estado text, detalle text, sugerencia text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_zona      text := pae.regla('zona_horaria');
    v_mes0      date := date_trunc('month', now() AT TIME ZONE pae.regla('zona_horaria'))::date;
    v_ahora     timestamptz := clock_timestamp();
    v_t         record;
    v_meses     integer;
    v_n         bigint;
    v_total     bigint;
    v_lista     text;
    v_edad      interval;
    v_a         record;
    v_r         record;
    v_lib       text;
    v_sql       text;
    v_rol       text;
    v_faltan    text;
    v_falta     record;
    v_job       record;
    v_run       record;
    v_mal       text[] := '{}';
    v_bien      integer := 0;
BEGIN
    -- 1. months ahead: every monthly-partitioned table of schema pae
    --    (partitions named <tabla>_pYYYY_MM: visitas, auditoria, resumen_*)
    FOR v_t IN
        SELECT c.oid::regclass AS tabla, c.relname::text AS nombre
          FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
          JOIN pg_partitioned_table p ON p.partrelid = c.oid
         WHERE n.nspname = 'pae' AND c.relkind = 'p' AND p.partstrat = 'r'
           AND (c.relname IN ('visitas', 'auditoria') OR c.relname LIKE 'resumen\_%'
                OR EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class k ON k.oid = i.inhrelid
                            WHERE i.inhparent = c.oid
                              AND k.relname ~ ('^' || c.relname || '_p[0-9]{4}_[0-9]{2}$')))
         ORDER BY c.relname
    LOOP
        v_meses := 0;
        WHILE v_meses < 120 AND EXISTS (
                SELECT 1 FROM pg_inherits i JOIN pg_class k ON k.oid = i.inhrelid
                 WHERE i.inhparent = v_t.tabla
                   AND k.relname = v_t.nombre || '_p' || to_char(v_mes0 + make_interval(months => v_meses), 'YYYY_MM')) LOOP
            v_meses := v_meses + 1;
        END LOOP;
        chequeo := 'particiones:' || v_t.nombre;
        IF v_meses = 0 THEN
            estado := 'error';
            detalle := format('pae.%s no tiene partición del mes actual (%s): sus filas caen en la partición por defecto',
                              v_t.nombre, to_char(v_mes0, 'YYYY-MM'));
        ELSIF v_meses = 1 THEN
            estado := 'aviso';
            detalle := format('pae.%s tiene la partición del mes actual (%s) pero ninguna de los meses siguientes',
                              v_t.nombre, to_char(v_mes0, 'YYYY-MM'));
        ELSE
            estado := 'ok';
            detalle := format('pae.%s tiene particiones hasta %s (%s meses adelante)', v_t.nombre,
                              to_char(v_mes0 + make_interval(months => v_meses - 1), 'YYYY-MM'), v_meses - 1);
        END IF;
        sugerencia := CASE WHEN estado = 'ok' THEN NULL ELSE
            'Ejecute SELECT pae.mantener_particiones(); y prográmela a diario (SELECT pae.programar_mantenimiento(); o un temporizador del sistema)' END;
        RETURN NEXT;
    END LOOP;

    -- 2. rows waiting in default partitions (counted up to 100000 each)
    v_total := 0;
    v_lista := NULL;
    FOR v_t IN
        SELECT k.oid::regclass AS defecto
          FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
          JOIN pg_partitioned_table p ON p.partrelid = c.oid
          JOIN pg_class k ON k.oid = p.partdefid
         WHERE n.nspname = 'pae'
         ORDER BY k.relname
    LOOP
        EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM %s LIMIT 100000) d', v_t.defecto) INTO v_n;
        IF v_n > 0 THEN
            v_total := v_total + v_n;
            v_lista := concat_ws(', ', v_lista, format('%s: %s', v_t.defecto, v_n));
        END IF;
    END LOOP;
    chequeo := 'particiones_por_defecto';
    IF v_total = 0 THEN
        estado := 'ok';
        detalle := 'ninguna fila espera en las particiones por defecto';
        sugerencia := NULL;
    ELSE
        estado := 'aviso';
        detalle := format('filas en particiones por defecto (meses sin partición): %s', v_lista);
        sugerencia := 'Ejecute SELECT pae.mantener_particiones(); : crea la partición de cada mes y mueve allí sus filas';
    END IF;
    RETURN NEXT;

    -- 2b. locks: a query over every month of a partitioned table (and
    --     pg_dump, archiving) locks each partition and each of its indexes
    SELECT c.relname::text AS nombre,
           1 + count(k.oid) + coalesce(sum((SELECT count(*) FROM pg_index x WHERE x.indrelid = k.oid)), 0) AS n
      INTO v_t
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_inherits i ON i.inhparent = c.oid
      LEFT JOIN pg_class k ON k.oid = i.inhrelid
     WHERE n.nspname = 'pae' AND c.relkind = 'p'
     GROUP BY c.relname
     ORDER BY 2 DESC, 1
     LIMIT 1;
    chequeo := 'bloqueos';
    IF v_t.n IS NULL OR v_t.n <= current_setting('max_locks_per_transaction')::integer THEN
        estado := 'ok';
        detalle := format('una consulta sobre todos los meses bloquea a lo sumo %s relaciones (max_locks_per_transaction = %s)',
                          coalesce(v_t.n, 0), current_setting('max_locks_per_transaction'));
        sugerencia := NULL;
    ELSE
        estado := 'aviso';
        detalle := format('una consulta sobre todos los meses de pae.%s bloquea %s relaciones (particiones e índices), más que max_locks_per_transaction = %s: varias a la vez pueden agotar la tabla de bloqueos (out of shared memory)',
                          v_t.nombre, v_t.n, current_setting('max_locks_per_transaction'));
        sugerencia := format('Suba max_locks_per_transaction a %s o más en postgresql.conf y reinicie PostgreSQL; o archive los meses viejos de la auditoría (pae.archivar_auditoria)',
                             power(2, ceil(log(2, v_t.n::numeric)))::bigint);
    END IF;
    RETURN NEXT;

    -- 3. unsealed audit rows and the last seal
    SELECT * INTO v_a FROM pae.auditoria_pendiente();
    chequeo := 'auditoria_sellado';
    v_edad := greatest(v_ahora - v_a.mas_antigua, interval '0');
    IF v_a.filas = 0 THEN
        estado := 'ok';
        detalle := format('todas las filas de auditoría están selladas; último sello: %s',
                          CASE WHEN v_a.ultimo_sello IS NULL THEN 'ninguno'
                               ELSE format('#%s hace %s', v_a.ultimo_sello,
                                           date_trunc('second', v_ahora - v_a.ultimo_sello_en)) END);
    ELSE
        estado := CASE WHEN v_edad >= interval '1 hour' THEN 'error'
                       WHEN v_edad >= interval '5 minutes' THEN 'aviso' ELSE 'ok' END;
        detalle := format('%s filas de auditoría sin sellar, la más antigua de hace %s; último sello: %s',
                          v_a.filas, date_trunc('second', v_edad),
                          CASE WHEN v_a.ultimo_sello IS NULL THEN 'ninguno'
                               ELSE format('#%s hace %s', v_a.ultimo_sello,
                                           date_trunc('second', v_ahora - v_a.ultimo_sello_en)) END);
    END IF;
    sugerencia := CASE WHEN estado = 'ok' THEN NULL ELSE
        'Ejecute SELECT pae.sellar_auditoria(); y prográmela cada minuto (SELECT pae.programar_mantenimiento();); si avisa de un sellado parcial, busque sesiones idle in transaction en pg_stat_activity y transacciones preparadas en pg_prepared_xacts' END;
    RETURN NEXT;

    -- 4. events: the relay (backlog, lag) or the in-transaction NOTIFY
    SELECT * INTO v_r FROM pae.relay_o_transaccion();
    chequeo := 'eventos_relay';
    sugerencia := NULL;
    IF NOT v_r.con_relay THEN
        estado := 'ok';
        detalle := 'modo en_transaccion: cada transacción anuncia sus eventos con NOTIFY al confirmar (esta versión no tiene relay)';
    ELSIF v_r.modo IS DISTINCT FROM 'relay' THEN
        estado := 'aviso';
        detalle := format('modo %s: pae_cauca no está en shared_preload_libraries, así que cada transacción anuncia sus eventos con NOTIFY y se confirma en serie con las demás que notifican',
                          coalesce(v_r.modo, 'desconocido'));
        sugerencia := 'Agregue pae_cauca a shared_preload_libraries (p. ej. ''pae_cauca,pg_cron'') y reinicie PostgreSQL (README, Install)';
    ELSIF NOT coalesce(v_r.trabajador_activo, false) THEN
        estado := 'error';
        detalle := format('modo relay pero el trabajador de fondo no está activo: %s eventos esperan su anuncio',
                          coalesce(v_r.pendientes, 0));
        sugerencia := 'Revise el registro del servidor (background worker de pae_cauca) y reinicie PostgreSQL si no vuelve solo';
    ELSE
        estado := CASE WHEN coalesce(v_r.retraso_s, 0) >= 600 THEN 'error'
                       WHEN coalesce(v_r.retraso_s, 0) >= 60 THEN 'aviso' ELSE 'ok' END;
        detalle := format('modo relay, trabajador activo; %s eventos pendientes, retraso %s s, último anunciado %s',
                          coalesce(v_r.pendientes, 0), round(coalesce(v_r.retraso_s, 0)::numeric, 1),
                          coalesce(v_r.ultimo_anunciado::text, 'ninguno'));
        IF estado <> 'ok' THEN
            sugerencia := 'El relay no da abasto o está detenido: revise el registro del servidor y la carga; los consumidores se ponen al día leyendo pae.eventos por id';
        END IF;
    END IF;
    RETURN NEXT;

    -- 5. accounts locked now (a count: never who)
    SELECT count(*) INTO v_n
      FROM (SELECT DISTINCT i.correo FROM pae.intentos_login i
             WHERE i.resultado = 'fallo' AND i.en > now() - pae.regla('login_bloqueo')::interval) c
     WHERE pae.login_bloqueado_hasta(c.correo, now()) > now();
    chequeo := 'cuentas_bloqueadas';
    IF v_n = 0 THEN
        estado := 'ok';
        detalle := 'ninguna cuenta bloqueada por intentos fallidos';
        sugerencia := NULL;
    ELSE
        estado := 'aviso';
        detalle := format('%s cuentas (correos) bloqueadas ahora por %s intentos fallidos en %s', v_n,
                          pae.regla('login_intentos_max'), pae.regla('login_ventana'));
        sugerencia := format('Se desbloquean solas en %s. A quien demuestre quién es: SELECT pae.desbloquear_login(''correo''); muchas a la vez sugieren un ataque de fuerza bruta: revise el registro de PostgREST',
                             pae.regla('login_bloqueo'));
    END IF;
    RETURN NEXT;

    -- 6. the loaded library against the installed SQL
    v_lib := pae.version_biblioteca();
    SELECT e.extversion INTO v_sql FROM pg_extension e WHERE e.extname = 'pae_cauca';
    chequeo := 'version_biblioteca';
    IF v_lib = v_sql THEN
        estado := 'ok';
        detalle := format('biblioteca %s = SQL %s', v_lib, v_sql);
        sugerencia := NULL;
    ELSE
        estado := 'error';
        detalle := format('la biblioteca cargada es la versión %s pero el SQL instalado es %s', v_lib, v_sql);
        sugerencia := 'Si instaló un paquete nuevo: reinicie PostgreSQL (o cada sesión) y ejecute ALTER EXTENSION pae_cauca UPDATE; si el SQL es más nuevo que la biblioteca, instale la biblioteca de esa versión (make install) y reinicie';
    END IF;
    RETURN NEXT;

    -- 7. the authenticator role of PostgREST
    v_rol := nullif(current_setting('pae.rol_autenticador', true), '');
    chequeo := 'rol_autenticador';
    IF v_rol IS NULL THEN
        estado := 'error';
        detalle := 'pae.rol_autenticador está vacío: no se cree en los claims de ningún token';
        sugerencia := 'ALTER DATABASE ... SET pae.rol_autenticador = ''authenticator''; (el rol con el que PostgREST se conecta)';
    ELSIF NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = v_rol) THEN
        estado := 'error';
        detalle := format('pae.rol_autenticador es %L pero ese rol no existe', v_rol);
        sugerencia := format('CREATE ROLE %I LOGIN NOINHERIT PASSWORD ''...''; GRANT pae_anon, pae_visitador, pae_supervisor, pae_coordinador, pae_admin TO %I; (README, Serving it with PostgREST)',
                             v_rol, v_rol);
    ELSE
        SELECT string_agg(g, ', ' ORDER BY g) INTO v_faltan
          FROM unnest(ARRAY['pae_anon', 'pae_visitador', 'pae_supervisor', 'pae_coordinador', 'pae_admin']) g
         WHERE NOT pg_has_role(v_rol, g, 'MEMBER');
        IF NOT (SELECT r.rolcanlogin FROM pg_roles r WHERE r.rolname = v_rol) THEN
            estado := 'error';
            detalle := format('el rol autenticador %I no puede iniciar sesión (NOLOGIN)', v_rol);
            sugerencia := format('ALTER ROLE %I LOGIN PASSWORD ''...'';', v_rol);
        ELSIF v_faltan IS NOT NULL THEN
            estado := 'error';
            detalle := format('el rol autenticador %I no puede tomar los roles %s (SET ROLE de PostgREST fallaría)', v_rol, v_faltan);
            sugerencia := format('GRANT %s TO %I;', v_faltan, v_rol);
        ELSE
            estado := 'ok';
            detalle := format('el rol autenticador %I existe, inicia sesión y puede tomar los roles pae_anon..pae_admin', v_rol);
            sugerencia := NULL;
        END IF;
    END IF;
    RETURN NEXT;

    -- 8. the JWT secret (its existence only)
    chequeo := 'secreto_jwt';
    IF EXISTS (SELECT 1 FROM pae.secreto_jwt) THEN
        estado := 'ok';
        detalle := format('secreto JWT fijado el %s',
                          (SELECT to_char(s.fijado_en AT TIME ZONE v_zona, 'YYYY-MM-DD HH24:MI') FROM pae.secreto_jwt s));
        sugerencia := NULL;
    ELSE
        estado := 'error';
        detalle := 'no hay secreto JWT: pae_api.login no puede emitir tokens (responde 500)';
        sugerencia := 'Como pae_admin: SELECT pae.fijar_secreto_jwt(''<el jwt-secret de PostgREST>''); (también después de restaurar un respaldo: el secreto no va en pg_dump)';
    END IF;
    RETURN NEXT;

    -- 9. the pg_cron jobs: present, active and their last run succeeded
    chequeo := 'pg_cron';
    SELECT * INTO v_falta FROM pae.pg_cron_falta();
    IF v_falta.mensaje IS NOT NULL THEN
        estado := 'aviso';
        detalle := v_falta.mensaje || ': no se puede verificar que el mantenimiento esté programado';
        sugerencia := v_falta.pasos;
        RETURN NEXT;
        RETURN;
    END IF;
    FOR v_t IN SELECT * FROM pae.trabajos_mantenimiento() LOOP
        v_job := NULL;
        EXECUTE 'SELECT j.jobid, j.active FROM cron.job j'
                ' WHERE j.jobname = $1 AND j.database = current_database()'
                ' ORDER BY j.active DESC, j.jobid DESC LIMIT 1'
           INTO v_job USING v_t.trabajo;
        IF v_job IS NULL OR v_job.jobid IS NULL THEN
            v_mal := v_mal || format('%s no existe', v_t.trabajo);
            CONTINUE;
        ELSIF NOT v_job.active THEN
            v_mal := v_mal || format('%s está inactivo', v_t.trabajo);
            CONTINUE;
        END IF;
        v_run := NULL;
        EXECUTE 'SELECT d.status, d.return_message, d.end_time FROM cron.job_run_details d'
                ' WHERE d.jobid = $1 AND d.status IN (''succeeded'', ''failed'')'
                ' ORDER BY d.runid DESC LIMIT 1'
           INTO v_run USING v_job.jobid;
        IF v_run IS NOT NULL AND v_run.status = 'failed' THEN
            v_mal := v_mal || format('la última ejecución de %s falló (%s): %s', v_t.trabajo,
                                     to_char(v_run.end_time AT TIME ZONE v_zona, 'YYYY-MM-DD HH24:MI'),
                                     left(coalesce(v_run.return_message, ''), 200));
        ELSE
            v_bien := v_bien + 1;
        END IF;
    END LOOP;
    IF cardinality(v_mal) = 0 THEN
        estado := 'ok';
        detalle := format('%s trabajos de mantenimiento activos en pg_cron, ninguna última ejecución fallida', v_bien);
        sugerencia := NULL;
    ELSE
        estado := 'error';
        detalle := array_to_string(v_mal, '; ');
        sugerencia := 'Ejecute SELECT pae.programar_mantenimiento(); (crea o repara los trabajos) y revise cron.job_run_details para el error de una ejecución fallida';
    END IF;
    RETURN NEXT;
END
$$;
COMMENT ON FUNCTION pae.salud() IS
    'Chequeos de salud de pae_cauca, una fila por chequeo (estado ok, aviso o error; detalle; sugerencia de qué hacer): particiones:<tabla> (meses por adelantado de cada tabla particionada por mes), particiones_por_defecto, bloqueos (relaciones que bloquea una consulta sobre todos los meses frente a max_locks_per_transaction), auditoria_sellado (fila sin sellar más antigua y último sello), eventos_relay (modo, pendientes y retraso), cuentas_bloqueadas, version_biblioteca (biblioteca = SQL), rol_autenticador, secreto_jwt y pg_cron (trabajos presentes y sin fallos). Solo conteos y configuración, nunca datos personales. Para pae_admin y pae_monitor';
REVOKE ALL ON FUNCTION pae.salud() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.salud() TO pae_admin, pae_monitor;

-- ---------------------------------------------------------------------
-- Metrics (pae.metricas_*): aggregates only, over bounded windows, for a
-- scrape every 15-60 s.  The views run with their owner's rights (not
-- security_invoker): pae_monitor reads the counts, never the rows.
-- ---------------------------------------------------------------------

CREATE VIEW pae.metricas_visitas AS
WITH meses AS (
    SELECT (date_trunc('month', now() AT TIME ZONE pae.regla('zona_horaria'))
            + make_interval(months => k))::date AS mes
      FROM generate_series(-2, 1) k
), conteo AS (
    SELECT date_trunc('month', v.fecha_visita AT TIME ZONE pae.regla('zona_horaria'))::date AS mes,
           v.estado, count(*) AS visitas
      FROM pae.visitas v
     WHERE v.fecha_visita >= (date_trunc('month', now() AT TIME ZONE pae.regla('zona_horaria')) - interval '2 months')
                             AT TIME ZONE pae.regla('zona_horaria')
       AND v.fecha_visita < (date_trunc('month', now() AT TIME ZONE pae.regla('zona_horaria')) + interval '2 months')
                             AT TIME ZONE pae.regla('zona_horaria')
     GROUP BY 1, 2
)
SELECT m.mes, e.estado::text AS estado, coalesce(c.visitas, 0) AS visitas
  FROM meses m
 CROSS JOIN unnest(enum_range(NULL::pae.estado_visita)) AS e(estado)
  LEFT JOIN conteo c ON c.mes = m.mes AND c.estado = e.estado
 ORDER BY m.mes, e.estado;
COMMENT ON VIEW pae.metricas_visitas IS
    'Visitas por mes (hora de Colombia) y estado, de dos meses atrás al mes siguiente (una fila por mes y estado, también en cero); solo lee esas particiones';
COMMENT ON COLUMN pae.metricas_visitas.mes IS 'Primer día del mes de fecha_visita (hora de Colombia)';
COMMENT ON COLUMN pae.metricas_visitas.estado IS 'Estado de la visita';
COMMENT ON COLUMN pae.metricas_visitas.visitas IS 'Visitas de ese mes en ese estado';

CREATE VIEW pae.metricas_transiciones AS
WITH t AS (
    SELECT t.hacia, count(*) FILTER (WHERE t.en > now() - interval '1 hour') AS ultima_hora,
           count(*) AS ultimas_24h
      FROM pae.transiciones t
     WHERE t.en > now() - interval '24 hours'
     GROUP BY t.hacia
)
SELECT e.hacia::text AS hacia, coalesce(t.ultima_hora, 0) AS ultima_hora, coalesce(t.ultimas_24h, 0) AS ultimas_24h
  FROM unnest(enum_range(NULL::pae.estado_visita)) AS e(hacia)
  LEFT JOIN t ON t.hacia = e.hacia
 ORDER BY e.hacia;
COMMENT ON VIEW pae.metricas_transiciones IS
    'Transiciones de estado por estado de llegada en la última hora y en las últimas 24 horas (una fila por estado, también en cero)';
COMMENT ON COLUMN pae.metricas_transiciones.hacia IS 'Estado al que llegó la visita';
COMMENT ON COLUMN pae.metricas_transiciones.ultima_hora IS 'Transiciones con en dentro de la última hora';
COMMENT ON COLUMN pae.metricas_transiciones.ultimas_24h IS 'Transiciones con en dentro de las últimas 24 horas';

CREATE VIEW pae.metricas_alertas AS
WITH abiertas AS (
    SELECT a.tipo, count(*) AS n FROM pae.alertas a WHERE a.cerrada_en IS NULL GROUP BY a.tipo
), recientes AS (
    SELECT a.tipo, count(*) AS n FROM pae.alertas a
     WHERE a.detectada_en > now() - interval '24 hours' GROUP BY a.tipo
)
SELECT tipo, coalesce(abiertas.n, 0) AS abiertas, coalesce(recientes.n, 0) AS ultimas_24h
  FROM abiertas FULL JOIN recientes USING (tipo)
 ORDER BY tipo;
COMMENT ON VIEW pae.metricas_alertas IS
    'Alertas por tipo: abiertas (sin cerrar, por el índice de abiertas) y detectadas en las últimas 24 horas';
COMMENT ON COLUMN pae.metricas_alertas.tipo IS 'Tipo de señal (fuera_geocerca, viaje_imposible, ...)';
COMMENT ON COLUMN pae.metricas_alertas.abiertas IS 'Alertas de ese tipo aún abiertas';
COMMENT ON COLUMN pae.metricas_alertas.ultimas_24h IS 'Alertas de ese tipo detectadas en las últimas 24 horas';

-- A sync batch leaves one pae.eventos row of tipo sincronizacion with its
-- counts (src/sync.c); the outbox's BRIN on creado_en bounds the window.
CREATE VIEW pae.metricas_sincronizacion AS
WITH lotes AS (
    SELECT e.creado_en > now() - interval '1 hour' AS ultima_hora, r.resultado,
           coalesce((e.payload ->> r.campo)::bigint, 0) AS visitas
      FROM pae.eventos e
     CROSS JOIN (VALUES ('aceptada', 'aceptadas'), ('duplicada', 'duplicadas'),
                        ('conflicto', 'conflictos'), ('rechazada', 'rechazadas')) AS r(resultado, campo)
     WHERE e.tipo = 'sincronizacion' AND e.creado_en > now() - interval '24 hours'
)
SELECT r.resultado,
       count(*) FILTER (WHERE l.ultima_hora AND l.visitas > 0) AS lotes_ultima_hora,
       coalesce(sum(l.visitas) FILTER (WHERE l.ultima_hora), 0)::bigint AS visitas_ultima_hora,
       count(*) FILTER (WHERE l.visitas > 0) AS lotes_24h,
       coalesce(sum(l.visitas), 0)::bigint AS visitas_24h
  FROM (VALUES (1, 'aceptada'), (2, 'duplicada'), (3, 'conflicto'), (4, 'rechazada')) AS r(orden, resultado)
  LEFT JOIN lotes l ON l.resultado = r.resultado
 GROUP BY r.orden, r.resultado
 ORDER BY r.orden;
COMMENT ON VIEW pae.metricas_sincronizacion IS
    'Lotes de pae_api.sincronizar y sus visitas por resultado (aceptada, duplicada, conflicto, rechazada) en la última hora y en las últimas 24 horas, leídos de los eventos sincronizacion de la bandeja pae.eventos';
COMMENT ON COLUMN pae.metricas_sincronizacion.resultado IS 'Resultado de una visita del lote';
COMMENT ON COLUMN pae.metricas_sincronizacion.lotes_ultima_hora IS 'Lotes de la última hora con al menos una visita con ese resultado';
COMMENT ON COLUMN pae.metricas_sincronizacion.visitas_ultima_hora IS 'Visitas con ese resultado en los lotes de la última hora';
COMMENT ON COLUMN pae.metricas_sincronizacion.lotes_24h IS 'Lotes de las últimas 24 horas con al menos una visita con ese resultado';
COMMENT ON COLUMN pae.metricas_sincronizacion.visitas_24h IS 'Visitas con ese resultado en los lotes de las últimas 24 horas';

CREATE VIEW pae.metricas_login AS
WITH i AS (
    SELECT i.resultado, count(*) FILTER (WHERE i.en > now() - interval '1 hour') AS ultima_hora,
           count(*) AS ultimas_24h
      FROM pae.intentos_login i
     WHERE i.en > now() - interval '24 hours'
     GROUP BY i.resultado
)
SELECT r.resultado, coalesce(i.ultima_hora, 0) AS ultima_hora, coalesce(i.ultimas_24h, 0) AS ultimas_24h
  FROM (VALUES (1, 'exito'), (2, 'fallo'), (3, 'bloqueado')) AS r(orden, resultado)
  LEFT JOIN i ON i.resultado = r.resultado
 ORDER BY r.orden;
COMMENT ON VIEW pae.metricas_login IS
    'Intentos de inicio de sesión por resultado (exito, fallo, bloqueado) en la última hora y en las últimas 24 horas; nunca quién';
COMMENT ON COLUMN pae.metricas_login.resultado IS 'exito, fallo (credenciales incorrectas) o bloqueado (rechazado por el bloqueo)';
COMMENT ON COLUMN pae.metricas_login.ultima_hora IS 'Intentos en la última hora';
COMMENT ON COLUMN pae.metricas_login.ultimas_24h IS 'Intentos en las últimas 24 horas';

CREATE VIEW pae.metricas_auditoria AS
SELECT p.filas AS filas_sin_sellar,
       coalesce(extract(epoch FROM greatest(clock_timestamp() - p.mas_antigua, interval '0')), 0)::double precision
           AS sin_sellar_antiguedad_s,
       extract(epoch FROM clock_timestamp() - p.ultimo_sello_en)::double precision AS ultimo_sello_antiguedad_s,
       coalesce(p.ultimo_sello, 0) AS ultimo_sello
  FROM pae.auditoria_pendiente() p;
COMMENT ON VIEW pae.metricas_auditoria IS
    'Sellado de la auditoría: filas sin sellar, antigüedad de la más antigua y del último sello (segundos) y número del último sello';
COMMENT ON COLUMN pae.metricas_auditoria.filas_sin_sellar IS 'Filas de auditoría después del último sello';
COMMENT ON COLUMN pae.metricas_auditoria.sin_sellar_antiguedad_s IS 'Segundos desde la fila sin sellar más antigua (0 si no hay)';
COMMENT ON COLUMN pae.metricas_auditoria.ultimo_sello_antiguedad_s IS 'Segundos desde el último sello (NULL si nunca se selló)';
COMMENT ON COLUMN pae.metricas_auditoria.ultimo_sello IS 'Número del último sello (0 si ninguno)';

CREATE VIEW pae.metricas_relay AS
SELECT r.modo, r.trabajador_activo, coalesce(r.pendientes, 0) AS pendientes,
       coalesce(r.retraso_s, 0)::double precision AS retraso_s,
       coalesce((SELECT e.id FROM pae.eventos e ORDER BY e.id DESC LIMIT 1), 0) AS ultimo_evento
  FROM pae.relay_o_transaccion() r;
COMMENT ON VIEW pae.metricas_relay IS
    'Anuncio de eventos: modo (relay o en_transaccion), si el trabajador de fondo está activo, eventos confirmados pendientes de anunciar, retraso en segundos y el último id de pae.eventos';
COMMENT ON COLUMN pae.metricas_relay.modo IS 'relay (trabajador de fondo) o en_transaccion (NOTIFY dentro de cada transacción)';
COMMENT ON COLUMN pae.metricas_relay.trabajador_activo IS 'El trabajador de fondo del relay está corriendo (falso en modo en_transaccion)';
COMMENT ON COLUMN pae.metricas_relay.pendientes IS 'Eventos confirmados que el relay aún no anunció (0 en modo en_transaccion)';
COMMENT ON COLUMN pae.metricas_relay.retraso_s IS 'Retraso del relay en segundos (0 en modo en_transaccion)';
COMMENT ON COLUMN pae.metricas_relay.ultimo_evento IS 'Mayor id de pae.eventos (crece con cada evento; 0 si no hay)';

REVOKE ALL ON pae.metricas_visitas, pae.metricas_transiciones, pae.metricas_alertas,
              pae.metricas_sincronizacion, pae.metricas_login, pae.metricas_auditoria,
              pae.metricas_relay FROM PUBLIC;
GRANT SELECT ON pae.metricas_visitas, pae.metricas_transiciones, pae.metricas_alertas,
                pae.metricas_sincronizacion, pae.metricas_login, pae.metricas_auditoria,
                pae.metricas_relay TO pae_monitor, pae_admin;
