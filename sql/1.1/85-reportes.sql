-- Reports for BI (SPEC §9, issue 12): schema pae_reportes, read by pae_bi.
--
-- Exactness.  Two rollups hold, per month (calendar month in
-- pae.regla('zona_horaria') of fecha_visita), what the reports count:
-- pae.resumen_visitas per municipio (of the sede) and contrato, the
-- counts of visitas_mensual and cumplimiento_operador; pae.resumen_sedes
-- per sede, its realizada visits (coverage needs distinct sedes).  Row
-- triggers on pae.visitas and pae.visita_respuestas write them in the same
-- transaction as the change, and only by INSERT: each change adds delta
-- rows (+ what the visit counts now, - what it counted), never an UPDATE
-- of a shared total, so two writers of the same month and municipio never
-- wait for each other or deadlock on a hot row; the views add the deltas
-- up.  pae.plegar_resumenes() (called by pae.mantener_particiones, or on
-- its own every few minutes) folds the deltas of each key into one row.
-- Operators and sede activation are joined live (pae.contratos,
-- pae.sedes); a sede moved to another municipio moves its visits' counts
-- (tg_resumen_sedes, which first waits for the writers of visits in
-- flight).
--
-- Partitions.  Both rollups are range-partitioned on mes like pae.visitas
-- (resumen_visitas_pYYYY_MM, resumen_sedes_pYYYY_MM, and default
-- partitions); the partition functions below create them with the visits'
-- and move default-partition rows.

-- Spanish sort order for names (Páez before Puracé) when ICU is there;
-- otherwise a libc Spanish locale, otherwise "C" (the install never fails
-- for want of ICU).
DO $colacion$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_collation
                WHERE collname OPERATOR(pg_catalog.=) 'es-CO-x-icu'
                  AND collencoding IN (-1, pg_catalog.pg_char_to_encoding(pg_catalog.getdatabaseencoding()))) THEN
        CREATE COLLATION pae.espanol FROM pg_catalog."es-CO-x-icu";
    ELSIF EXISTS (SELECT 1 FROM pg_catalog.pg_collation
                   WHERE collname OPERATOR(pg_catalog.=) 'es_CO.utf8'
                     AND collencoding IN (-1, pg_catalog.pg_char_to_encoding(pg_catalog.getdatabaseencoding()))) THEN
        CREATE COLLATION pae.espanol FROM pg_catalog."es_CO.utf8";
    ELSE
        CREATE COLLATION pae.espanol FROM pg_catalog."C";
    END IF;
END
$colacion$;
COMMENT ON COLLATION pae.espanol IS
    'Orden alfabético del español de Colombia (ICU es-CO si el servidor lo tiene; si no, es_CO.utf8 o C) para los nombres de los reportes';

CREATE TABLE pae.resumen_visitas (
    mes                   date NOT NULL,
    municipio             char(5) NOT NULL,
    contrato              text NOT NULL,
    programadas           integer NOT NULL DEFAULT 0,
    realizadas            integer NOT NULL DEFAULT 0,
    aprobadas             integer NOT NULL DEFAULT 0,
    devueltas             integer NOT NULL DEFAULT 0,
    canceladas            integer NOT NULL DEFAULT 0,
    fuera_geocerca        integer NOT NULL DEFAULT 0,
    raciones_programadas  bigint NOT NULL DEFAULT 0,
    raciones_entregadas   bigint NOT NULL DEFAULT 0,
    items_evaluados       integer NOT NULL DEFAULT 0,
    items_cumplen         integer NOT NULL DEFAULT 0
) PARTITION BY RANGE (mes);
CREATE TABLE pae.resumen_visitas_default PARTITION OF pae.resumen_visitas DEFAULT;
COMMENT ON TABLE pae.resumen_visitas IS
    'Resumen mensual de visitas por mes, municipio de la sede y contrato para pae_reportes: filas delta (solo INSERT) escritas por los disparadores en la misma transacción que el cambio; la suma por (mes, municipio, contrato) es exacta en todo momento y pae.plegar_resumenes() junta las deltas';
COMMENT ON TABLE pae.resumen_visitas_default IS
    'Partición por defecto del resumen de visitas: pae.mantener_particiones mueve sus filas a la partición de su mes';
COMMENT ON COLUMN pae.resumen_visitas.mes IS 'Primer día del mes (hora de Colombia) de fecha_visita';
COMMENT ON COLUMN pae.resumen_visitas.municipio IS 'Municipio (actual) de la sede de las visitas';
COMMENT ON COLUMN pae.resumen_visitas.contrato IS 'Contrato de las visitas';
COMMENT ON COLUMN pae.resumen_visitas.programadas IS 'Delta de visitas (todas, en cualquier estado)';
COMMENT ON COLUMN pae.resumen_visitas.realizadas IS 'Delta de visitas cerradas, aprobadas o devueltas';
COMMENT ON COLUMN pae.resumen_visitas.aprobadas IS 'Delta de visitas aprobadas';
COMMENT ON COLUMN pae.resumen_visitas.devueltas IS 'Delta de visitas devueltas';
COMMENT ON COLUMN pae.resumen_visitas.canceladas IS 'Delta de visitas canceladas';
COMMENT ON COLUMN pae.resumen_visitas.fuera_geocerca IS 'Delta de visitas con dentro_geocerca = false';
COMMENT ON COLUMN pae.resumen_visitas.raciones_programadas IS 'Delta de la suma de raciones_programadas';
COMMENT ON COLUMN pae.resumen_visitas.raciones_entregadas IS 'Delta de la suma de raciones_entregadas';
COMMENT ON COLUMN pae.resumen_visitas.items_evaluados IS 'Delta de respuestas cumple o no_cumple de visitas realizadas';
COMMENT ON COLUMN pae.resumen_visitas.items_cumplen IS 'Delta de respuestas cumple de visitas realizadas';

CREATE TABLE pae.resumen_sedes (
    mes         date NOT NULL,
    sede        char(12) NOT NULL,
    realizadas  integer NOT NULL
) PARTITION BY RANGE (mes);
CREATE TABLE pae.resumen_sedes_default PARTITION OF pae.resumen_sedes DEFAULT;
COMMENT ON TABLE pae.resumen_sedes IS
    'Resumen mensual por sede de sus visitas realizadas, para la cobertura de pae_reportes: filas delta (solo INSERT) como pae.resumen_visitas';
COMMENT ON TABLE pae.resumen_sedes_default IS
    'Partición por defecto del resumen por sede: pae.mantener_particiones mueve sus filas a la partición de su mes';
COMMENT ON COLUMN pae.resumen_sedes.mes IS 'Primer día del mes (hora de Colombia) de fecha_visita';
COMMENT ON COLUMN pae.resumen_sedes.sede IS 'Sede';
COMMENT ON COLUMN pae.resumen_sedes.realizadas IS 'Delta de visitas cerradas, aprobadas o devueltas de la sede en el mes';
REVOKE ALL ON pae.resumen_visitas, pae.resumen_visitas_default, pae.resumen_sedes, pae.resumen_sedes_default FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('pae.resumen_visitas_default', '');
SELECT pg_catalog.pg_extension_config_dump('pae.resumen_sedes_default', '');

-- Row trigger of pae.visitas: subtracts what OLD added, adds what NEW adds.
-- A visit moved to another month (another partition) fires it as DELETE
-- on the old partition and INSERT on the new one.  A visit's answers count
-- while it is realizada (cerrada, aprobada, devuelta); they cannot change
-- within the same statement as the visit, so counting them now is what
-- the row added before.
CREATE FUNCTION pae.tg_resumen_visitas()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_o_mes  date;
    v_n_mes  date;
    v_o_real boolean := false;
    v_n_real boolean := false;
    v_ev     integer := 0;
    v_cu     integer := 0;
    v_o_mun  char(5);
    v_n_mun  char(5);
    v_tz     text := pae.regla('zona_horaria');
    v_real   integer;
    v_apr    integer;
    v_dev    integer;
    v_can    integer;
    v_fuera  integer;
    v_rp     bigint;
    v_re     bigint;
BEGIN
    -- a partition of pae.visitas at any depth, as src/disparadores.c
    -- accepts for the C triggers (pg_partition_root: one catalog lookup,
    -- not a query planned and run for every row)
    IF TG_WHEN <> 'AFTER' OR TG_LEVEL <> 'ROW' OR TG_RELID = 'pae.visitas'::regclass
       OR pg_partition_root(TG_RELID) IS DISTINCT FROM 'pae.visitas'::regclass THEN
        RAISE EXCEPTION 'pae.tg_resumen_visitas no puede dispararse sobre la tabla "%.%" (%, %)',
                        CASE WHEN TG_TABLE_SCHEMA LIKE 'pg\_temp\_%' THEN 'pg_temp' ELSE TG_TABLE_SCHEMA END,
                        TG_TABLE_NAME, TG_WHEN, TG_LEVEL
            USING ERRCODE = 'trigger_protocol_violated',
                  DETAIL = 'pae.tg_resumen_visitas está hecha solo para AFTER ... FOR EACH ROW en las particiones de pae.visitas; sobre otra tabla escribiría el resumen de los reportes en nombre del dueño de la extensión.',
                  HINT = 'Borre ese disparador (DROP TRIGGER); pae.visitas ya tiene el suyo.';
    END IF;
    IF TG_OP = 'UPDATE'
       AND OLD.sede = NEW.sede AND OLD.contrato = NEW.contrato AND OLD.estado = NEW.estado
       AND OLD.dentro_geocerca IS NOT DISTINCT FROM NEW.dentro_geocerca
       AND OLD.raciones_programadas IS NOT DISTINCT FROM NEW.raciones_programadas
       AND OLD.raciones_entregadas IS NOT DISTINCT FROM NEW.raciones_entregadas
       AND (OLD.fecha_visita = NEW.fecha_visita
            OR date_trunc('month', OLD.fecha_visita AT TIME ZONE v_tz) = date_trunc('month', NEW.fecha_visita AT TIME ZONE v_tz)) THEN
        RETURN NULL;    -- nothing the reports count changed
    END IF;
    IF TG_OP <> 'INSERT' THEN
        v_o_mes := date_trunc('month', OLD.fecha_visita AT TIME ZONE v_tz)::date;
        v_o_real := OLD.estado IN ('cerrada', 'aprobada', 'devuelta');
        SELECT s.municipio INTO v_o_mun FROM pae.sedes s WHERE s.codigo = OLD.sede;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        v_n_mes := date_trunc('month', NEW.fecha_visita AT TIME ZONE v_tz)::date;
        v_n_real := NEW.estado IN ('cerrada', 'aprobada', 'devuelta');
        v_n_mun := CASE WHEN TG_OP = 'UPDATE' AND NEW.sede = OLD.sede THEN v_o_mun
                        ELSE (SELECT s.municipio FROM pae.sedes s WHERE s.codigo = NEW.sede) END;
    END IF;
    IF v_o_real OR v_n_real THEN
        SELECT count(*) FILTER (WHERE r.valor IN ('cumple', 'no_cumple')),
               count(*) FILTER (WHERE r.valor = 'cumple')
          INTO v_ev, v_cu
          FROM pae.visita_respuestas r
         WHERE r.visita = CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.sede = NEW.sede AND OLD.contrato = NEW.contrato AND v_o_mes = v_n_mes THEN
        -- the common case (a state change, a check-in, a rations edit):
        -- one row of differences, none when nothing counted changed
        v_real := v_n_real::integer - v_o_real::integer;
        v_apr := (NEW.estado = 'aprobada')::integer - (OLD.estado = 'aprobada')::integer;
        v_dev := (NEW.estado = 'devuelta')::integer - (OLD.estado = 'devuelta')::integer;
        v_can := (NEW.estado = 'cancelada')::integer - (OLD.estado = 'cancelada')::integer;
        v_fuera := coalesce(NOT NEW.dentro_geocerca, false)::integer - coalesce(NOT OLD.dentro_geocerca, false)::integer;
        v_rp := coalesce(NEW.raciones_programadas, 0)::bigint - coalesce(OLD.raciones_programadas, 0);
        v_re := coalesce(NEW.raciones_entregadas, 0)::bigint - coalesce(OLD.raciones_entregadas, 0);
        IF v_real <> 0 OR v_apr <> 0 OR v_dev <> 0 OR v_can <> 0 OR v_fuera <> 0 OR v_rp <> 0 OR v_re <> 0 THEN
            INSERT INTO pae.resumen_visitas
                   (mes, municipio, contrato, realizadas, aprobadas, devueltas, canceladas,
                    fuera_geocerca, raciones_programadas, raciones_entregadas, items_evaluados, items_cumplen)
            VALUES (v_n_mes, v_n_mun, NEW.contrato, v_real, v_apr, v_dev, v_can, v_fuera, v_rp, v_re,
                    v_real * v_ev, v_real * v_cu);
        END IF;
        IF v_real <> 0 THEN
            INSERT INTO pae.resumen_sedes (mes, sede, realizadas) VALUES (v_n_mes, NEW.sede, v_real);
        END IF;
        RETURN NULL;
    END IF;
    INSERT INTO pae.resumen_visitas AS r
           (mes, municipio, contrato, programadas, realizadas, aprobadas, devueltas, canceladas,
            fuera_geocerca, raciones_programadas, raciones_entregadas, items_evaluados, items_cumplen)
    SELECT d.mes, d.municipio, d.contrato, sum(d.s), sum(d.s * d.real::integer),
           sum(d.s * (d.estado = 'aprobada')::integer), sum(d.s * (d.estado = 'devuelta')::integer),
           sum(d.s * (d.estado = 'cancelada')::integer),
           sum(d.s * coalesce(NOT d.dentro, false)::integer),
           sum(d.s * coalesce(d.rp, 0)::bigint), sum(d.s * coalesce(d.re, 0)::bigint),
           sum(d.s * d.real::integer * v_ev), sum(d.s * d.real::integer * v_cu)
      FROM (VALUES (v_o_mes, v_o_mun, OLD.contrato, -1, OLD.estado, v_o_real, OLD.dentro_geocerca,
                    OLD.raciones_programadas, OLD.raciones_entregadas),
                   (v_n_mes, v_n_mun, NEW.contrato, 1, NEW.estado, v_n_real, NEW.dentro_geocerca,
                    NEW.raciones_programadas, NEW.raciones_entregadas))
           AS d(mes, municipio, contrato, s, estado, real, dentro, rp, re)
     WHERE d.mes IS NOT NULL
     GROUP BY d.mes, d.municipio, d.contrato
    HAVING sum(d.s) <> 0 OR sum(d.s * d.real::integer) <> 0
        OR sum(d.s * (d.estado = 'aprobada')::integer) <> 0 OR sum(d.s * (d.estado = 'devuelta')::integer) <> 0
        OR sum(d.s * (d.estado = 'cancelada')::integer) <> 0
        OR sum(d.s * coalesce(NOT d.dentro, false)::integer) <> 0
        OR sum(d.s * coalesce(d.rp, 0)::bigint) <> 0 OR sum(d.s * coalesce(d.re, 0)::bigint) <> 0
        OR sum(d.s * d.real::integer * v_ev) <> 0;
    IF v_o_real OR v_n_real THEN
        INSERT INTO pae.resumen_sedes AS r (mes, sede, realizadas)
        SELECT d.mes, d.sede, sum(d.s)
          FROM (VALUES (v_o_mes, OLD.sede, -1, v_o_real), (v_n_mes, NEW.sede, 1, v_n_real)) AS d(mes, sede, s, real)
         WHERE d.real
         GROUP BY d.mes, d.sede
        HAVING sum(d.s) <> 0;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION pae.tg_resumen_visitas() IS
    'Disparador AFTER de las particiones de pae.visitas (solo de ellas, 39P01 en otra tabla): agrega a pae.resumen_visitas y pae.resumen_sedes, en la misma transacción, las filas delta del cambio (lo que la visita cuenta ahora menos lo que contaba)';

-- Row trigger of pae.visita_respuestas: an answer counts while its visit is
-- realizada.  The visit row is read FOR SHARE: a concurrent transition of
-- the same visit either waits for this answer (and then counts it among
-- the visit's answers) or is seen here with its new state.
CREATE FUNCTION pae.tg_resumen_respuestas()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_lado   record;
    v_visita record;
BEGIN
    IF TG_RELID IS DISTINCT FROM 'pae.visita_respuestas'::regclass OR TG_WHEN <> 'AFTER' OR TG_LEVEL <> 'ROW' THEN
        RAISE EXCEPTION 'pae.tg_resumen_respuestas no puede dispararse sobre la tabla "%.%" (%, %)',
                        CASE WHEN TG_TABLE_SCHEMA LIKE 'pg\_temp\_%' THEN 'pg_temp' ELSE TG_TABLE_SCHEMA END,
                        TG_TABLE_NAME, TG_WHEN, TG_LEVEL
            USING ERRCODE = 'trigger_protocol_violated',
                  DETAIL = 'pae.tg_resumen_respuestas está hecha solo para AFTER ... FOR EACH ROW ON pae.visita_respuestas.',
                  HINT = 'Borre ese disparador (DROP TRIGGER); pae.visita_respuestas ya tiene el suyo.';
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.visita = NEW.visita AND OLD.valor = NEW.valor THEN
        RETURN NULL;
    END IF;
    FOR v_lado IN
        SELECT x.visita, sum(x.s * (x.valor IN ('cumple', 'no_cumple'))::integer) AS ev,
               sum(x.s * (x.valor = 'cumple')::integer) AS cu
          FROM (VALUES (OLD.visita, -1, OLD.valor), (NEW.visita, 1, NEW.valor)) AS x(visita, s, valor)
         WHERE x.visita IS NOT NULL
         GROUP BY x.visita
         ORDER BY x.visita
    LOOP
        CONTINUE WHEN v_lado.ev = 0 AND v_lado.cu = 0;
        SELECT v.fecha_visita, v.sede, v.contrato, v.estado INTO v_visita
          FROM pae.visitas_id i
          JOIN pae.visitas v ON v.id = i.id AND v.fecha_visita = i.fecha_visita
         WHERE i.id = v_lado.visita
           FOR SHARE OF v;
        CONTINUE WHEN NOT FOUND OR v_visita.estado NOT IN ('cerrada', 'aprobada', 'devuelta');
        INSERT INTO pae.resumen_visitas (mes, municipio, contrato, items_evaluados, items_cumplen)
        SELECT date_trunc('month', v_visita.fecha_visita AT TIME ZONE pae.regla('zona_horaria'))::date, s.municipio, v_visita.contrato, v_lado.ev, v_lado.cu
          FROM pae.sedes s WHERE s.codigo = v_visita.sede;
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION pae.tg_resumen_respuestas() IS
    'Disparador AFTER de pae.visita_respuestas (solo de ella, 39P01 en otra tabla): si la visita está realizada, agrega a pae.resumen_visitas la fila delta de ítems evaluados y cumplidos';

-- A sede moved to another municipio takes its visits' counts along.  It
-- first waits for the writers of visits and answers in flight (SHARE
-- locks; they may have counted the sede under its old municipio) and holds
-- new ones back until it commits; then it moves, from the base tables,
-- exactly what this sede's visits count.  Rare (an admin's correction), so
-- the short stop of writers is the price of exact reports.
CREATE FUNCTION pae.tg_resumen_sedes()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tz text := pae.regla('zona_horaria');
BEGIN
    IF TG_RELID IS DISTINCT FROM 'pae.sedes'::regclass OR TG_WHEN <> 'AFTER' OR TG_LEVEL <> 'ROW' OR TG_OP <> 'UPDATE' THEN
        RAISE EXCEPTION 'pae.tg_resumen_sedes no puede dispararse sobre la tabla "%.%" (%, %, %)',
                        CASE WHEN TG_TABLE_SCHEMA LIKE 'pg\_temp\_%' THEN 'pg_temp' ELSE TG_TABLE_SCHEMA END,
                        TG_TABLE_NAME, TG_WHEN, TG_LEVEL, TG_OP
            USING ERRCODE = 'trigger_protocol_violated',
                  DETAIL = 'pae.tg_resumen_sedes está hecha solo para AFTER UPDATE OF municipio ON pae.sedes FOR EACH ROW.',
                  HINT = 'Borre ese disparador (DROP TRIGGER); pae.sedes ya tiene el suyo.';
    END IF;
    IF OLD.municipio IS NOT DISTINCT FROM NEW.municipio THEN
        RETURN NULL;
    END IF;
    LOCK TABLE pae.visitas, pae.visita_respuestas IN SHARE MODE;
    INSERT INTO pae.resumen_visitas
    SELECT x.mes, m.municipio, x.contrato, m.s * x.programadas, m.s * x.realizadas, m.s * x.aprobadas,
           m.s * x.devueltas, m.s * x.canceladas, m.s * x.fuera, m.s * x.rp, m.s * x.re, m.s * x.ev, m.s * x.cu
      FROM (SELECT date_trunc('month', v.fecha_visita AT TIME ZONE v_tz)::date AS mes, v.contrato,
                   count(*)::integer AS programadas,
                   count(*) FILTER (WHERE v.estado IN ('cerrada', 'aprobada', 'devuelta'))::integer AS realizadas,
                   count(*) FILTER (WHERE v.estado = 'aprobada')::integer AS aprobadas,
                   count(*) FILTER (WHERE v.estado = 'devuelta')::integer AS devueltas,
                   count(*) FILTER (WHERE v.estado = 'cancelada')::integer AS canceladas,
                   count(*) FILTER (WHERE v.dentro_geocerca = false)::integer AS fuera,
                   coalesce(sum(v.raciones_programadas), 0) AS rp, coalesce(sum(v.raciones_entregadas), 0) AS re,
                   coalesce(sum(r.ev), 0)::integer AS ev, coalesce(sum(r.cu), 0)::integer AS cu
              FROM pae.visitas v
              LEFT JOIN LATERAL (SELECT count(*) FILTER (WHERE a.valor IN ('cumple', 'no_cumple')) AS ev,
                                        count(*) FILTER (WHERE a.valor = 'cumple') AS cu
                                   FROM pae.visita_respuestas a WHERE a.visita = v.id) r
                     ON v.estado IN ('cerrada', 'aprobada', 'devuelta')
             WHERE v.sede = NEW.codigo
             GROUP BY 1, 2) x
     CROSS JOIN (VALUES (OLD.municipio, -1), (NEW.municipio, 1)) AS m(municipio, s);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION pae.tg_resumen_sedes() IS
    'Disparador AFTER UPDATE OF municipio de pae.sedes (solo de ella, 39P01 en otra tabla): espera a quienes escriben visitas en curso y pasa lo que cuentan las visitas de la sede del municipio anterior al nuevo en pae.resumen_visitas';

REVOKE ALL ON FUNCTION pae.tg_resumen_visitas(), pae.tg_resumen_respuestas(), pae.tg_resumen_sedes()
    FROM PUBLIC, pae_anon, pae_visitador, pae_supervisor, pae_coordinador, pae_admin, pae_bi;

-- An update fires the rollup only when something the reports count may
-- change (its WHEN is evaluated by the executor, not in PL/pgSQL): many
-- updates -- a check-in inside the fence, observaciones, the check-out's
-- coordinates -- change no count and no longer pay for the call.
-- The conditions are those of the function's own early exit, made coarser
-- (any change of fecha_visita fires), never finer.
CREATE TRIGGER resumen AFTER INSERT OR DELETE ON pae.visitas
    FOR EACH ROW EXECUTE FUNCTION pae.tg_resumen_visitas();
CREATE TRIGGER resumen_cambio AFTER UPDATE ON pae.visitas
    FOR EACH ROW
    WHEN (OLD.sede IS DISTINCT FROM NEW.sede
          OR OLD.contrato IS DISTINCT FROM NEW.contrato
          OR OLD.fecha_visita IS DISTINCT FROM NEW.fecha_visita
          OR OLD.raciones_programadas IS DISTINCT FROM NEW.raciones_programadas
          OR OLD.raciones_entregadas IS DISTINCT FROM NEW.raciones_entregadas
          OR (OLD.dentro_geocerca IS FALSE) <> (NEW.dentro_geocerca IS FALSE)
          OR (OLD.estado IN ('cerrada', 'aprobada', 'devuelta')) <> (NEW.estado IN ('cerrada', 'aprobada', 'devuelta'))
          OR (OLD.estado = 'aprobada') <> (NEW.estado = 'aprobada')
          OR (OLD.estado = 'devuelta') <> (NEW.estado = 'devuelta')
          OR (OLD.estado = 'cancelada') <> (NEW.estado = 'cancelada'))
    EXECUTE FUNCTION pae.tg_resumen_visitas();
CREATE TRIGGER resumen AFTER INSERT OR UPDATE OR DELETE ON pae.visita_respuestas
    FOR EACH ROW EXECUTE FUNCTION pae.tg_resumen_respuestas();
CREATE TRIGGER resumen AFTER UPDATE OF municipio ON pae.sedes
    FOR EACH ROW EXECUTE FUNCTION pae.tg_resumen_sedes();

-- Folding: each key with more than one row becomes one row (none when
-- everything cancels out).  Rows of transactions still in progress are
-- not visible, so they stay as they are; folders take turns (advisory
-- lock) and writers never wait for them.
CREATE FUNCTION pae.plegar_resumenes()
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_visitas bigint;
    v_sedes   bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('pae.plegar_resumenes'));
    WITH g AS (
        SELECT r.mes, r.municipio, r.contrato
          FROM pae.resumen_visitas r
         GROUP BY r.mes, r.municipio, r.contrato
        HAVING count(*) > 1
            OR (sum(r.programadas) = 0 AND sum(r.realizadas) = 0 AND sum(r.aprobadas) = 0
                AND sum(r.devueltas) = 0 AND sum(r.canceladas) = 0 AND sum(r.fuera_geocerca) = 0
                AND sum(r.raciones_programadas) = 0 AND sum(r.raciones_entregadas) = 0
                AND sum(r.items_evaluados) = 0 AND sum(r.items_cumplen) = 0)
    ), d AS (
        DELETE FROM pae.resumen_visitas r USING g
         WHERE r.mes = g.mes AND r.municipio = g.municipio AND r.contrato = g.contrato
        RETURNING r.*
    ), i AS (
        INSERT INTO pae.resumen_visitas
        SELECT d.mes, d.municipio, d.contrato, sum(d.programadas), sum(d.realizadas), sum(d.aprobadas),
               sum(d.devueltas), sum(d.canceladas), sum(d.fuera_geocerca),
               sum(d.raciones_programadas), sum(d.raciones_entregadas),
               sum(d.items_evaluados), sum(d.items_cumplen)
          FROM d
         GROUP BY d.mes, d.municipio, d.contrato
        HAVING sum(d.programadas) <> 0 OR sum(d.realizadas) <> 0 OR sum(d.aprobadas) <> 0
            OR sum(d.devueltas) <> 0 OR sum(d.canceladas) <> 0 OR sum(d.fuera_geocerca) <> 0
            OR sum(d.raciones_programadas) <> 0 OR sum(d.raciones_entregadas) <> 0
            OR sum(d.items_evaluados) <> 0 OR sum(d.items_cumplen) <> 0
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM d) - (SELECT count(*) FROM i) INTO v_visitas;
    WITH g AS (
        SELECT r.mes, r.sede FROM pae.resumen_sedes r
         GROUP BY r.mes, r.sede HAVING count(*) > 1 OR sum(r.realizadas) = 0
    ), d AS (
        DELETE FROM pae.resumen_sedes r USING g
         WHERE r.mes = g.mes AND r.sede = g.sede
        RETURNING r.*
    ), i AS (
        INSERT INTO pae.resumen_sedes
        SELECT d.mes, d.sede, sum(d.realizadas) FROM d
         GROUP BY d.mes, d.sede HAVING sum(d.realizadas) <> 0
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM d) - (SELECT count(*) FROM i) INTO v_sedes;
    RETURN v_visitas + v_sedes;
END
$$;
COMMENT ON FUNCTION pae.plegar_resumenes() IS
    'Junta las filas delta de pae.resumen_visitas y pae.resumen_sedes en una fila por clave sin cambiar ninguna suma; no bloquea a quienes escriben visitas. La llama pae.mantener_particiones; puede programarse cada pocos minutos. Devuelve cuántas filas quitó';
REVOKE ALL ON FUNCTION pae.plegar_resumenes() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.plegar_resumenes() TO pae_admin;

-- Partitions: pae.resumen_visitas and pae.resumen_sedes join pae.visitas
-- and pae.auditoria as tables partitioned by month.  The bodies of 1.0, with
-- the programme's calendar from the catalogue of rules
-- (pae.regla('zona_horaria'), src/reglas.h) instead of repeated literals,
-- and the rollups' date bounds.
CREATE OR REPLACE FUNCTION pae.crear_particion_mes(padre regclass, mes date)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_padre_nombre text;
    v_nombre   text;
    v_columna  text;
    v_desde    text;
    v_hasta    text;
    v_defecto  regclass;
    v_filas    bigint;
BEGIN
    IF padre IS NULL OR mes IS NULL THEN
        RAISE EXCEPTION 'tabla y mes son obligatorios'
            USING ERRCODE = 'null_value_not_allowed',
                  DETAIL = 'pae.crear_particion_mes recibió NULL.',
                  HINT = 'Indique la tabla particionada y un día del mes.';
    END IF;
    SELECT c.relname INTO v_padre_nombre
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = padre AND n.nspname = 'pae' AND c.relkind = 'p'
       AND c.relname IN ('visitas', 'auditoria', 'resumen_visitas', 'resumen_sedes');
    IF NOT FOUND THEN
        RAISE EXCEPTION 'la tabla % no es una tabla particionada por mes de pae_cauca', padre
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Solo pae.visitas, pae.auditoria, pae.resumen_visitas y pae.resumen_sedes se particionan por mes.',
                  HINT = 'Use pae.visitas, pae.auditoria, pae.resumen_visitas o pae.resumen_sedes.';
    END IF;
    mes := date_trunc('month', mes)::date;
    v_nombre := format('%s_p%s', v_padre_nombre, to_char(mes, 'YYYY_MM'));
    IF to_regclass(format('pae.%I', v_nombre)) IS NOT NULL THEN
        RETURN false;
    END IF;
    IF v_padre_nombre LIKE 'resumen\_%' THEN
        v_columna := 'mes';
        v_desde := mes::text;
        v_hasta := (mes + interval '1 month')::date::text;
    ELSE
        v_columna := CASE WHEN v_padre_nombre = 'visitas' THEN 'fecha_visita' ELSE 'en' END;
        v_desde := (mes::timestamp AT TIME ZONE pae.regla('zona_horaria'))::text;
        v_hasta := ((mes + interval '1 month')::timestamp AT TIME ZONE pae.regla('zona_horaria'))::text;
    END IF;

    SELECT i.inhrelid::regclass INTO v_defecto
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = padre AND c.relpartbound IS NOT NULL
       AND pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT';

    -- Writers active: wait for the ones in flight and hold new ones back
    -- (they lock the parent, then the partition), so that the rows counted
    -- and moved below are all the default partition will hold.  Without
    -- this, a row committed after the count would make the new partition
    -- fail.  The rollup's writers wait only when they write into its
    -- default partition; BI readers never wait.
    IF v_padre_nombre LIKE 'resumen\_%' THEN
        IF v_defecto IS NOT NULL THEN
            EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', v_defecto);
        END IF;
    ELSE
        EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', padre);
    END IF;
    IF to_regclass(format('pae.%I', v_nombre)) IS NOT NULL THEN
        RETURN false;   -- made meanwhile by another session
    END IF;

    IF v_defecto IS NOT NULL THEN
        EXECUTE format('SELECT count(*) FROM %s WHERE %I >= %L AND %I < %L', v_defecto,
                       v_columna, v_desde, v_columna, v_hasta)
           INTO v_filas;
    ELSE
        v_filas := 0;
    END IF;

    IF v_filas = 0 AND v_padre_nombre NOT LIKE 'resumen\_%' THEN
        EXECUTE format('CREATE TABLE pae.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                       v_nombre, padre, v_desde, v_hasta);
    ELSE
        -- Rows of this month landed in the default partition: move them
        -- into a new table, then attach it.  Moving is not a business
        -- change, so row triggers (rules, audit, rollup) are off for it.
        -- The rollups always take this path: ATTACH locks its parent only
        -- in SHARE UPDATE EXCLUSIVE mode, so writers of other months go on.
        SET LOCAL session_replication_role = replica;
        EXECUTE format('CREATE TABLE pae.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS)',
                       v_nombre, padre);
        IF v_filas > 0 THEN
            EXECUTE format('WITH m AS (DELETE FROM %s WHERE %I >= %L AND %I < %L RETURNING *)'
                           ' INSERT INTO pae.%I SELECT * FROM m', v_defecto,
                           v_columna, v_desde, v_columna, v_hasta, v_nombre);
        END IF;
        EXECUTE format('ALTER TABLE %s ATTACH PARTITION pae.%I FOR VALUES FROM (%L) TO (%L)',
                       padre, v_nombre, v_desde, v_hasta);
        RESET session_replication_role;
        IF v_filas > 0 THEN
            RAISE NOTICE 'se movieron % filas de % a la partición pae.%', v_filas, v_defecto, v_nombre;
        END IF;
    END IF;
    IF v_padre_nombre = 'auditoria' THEN
        -- TRUNCATE triggers are not cloned onto partitions (65-auditoria.sql)
        PERFORM pae.auditoria_proteger_particion(format('pae.%I', v_nombre)::regclass);
    END IF;
    IF v_padre_nombre NOT LIKE 'resumen\_%' THEN
        PERFORM pae.indexar_particion(padre, format('pae.%I', v_nombre)::regclass);
    END IF;
    EXECUTE format('COMMENT ON TABLE pae.%I IS %L', v_nombre,
                   format('Partición de %s para %s (hora de Colombia)', padre, to_char(mes, 'YYYY-MM')));
    RETURN true;
END
$$;
COMMENT ON FUNCTION pae.crear_particion_mes(regclass, date) IS
    'Crea la partición mensual (hora de Colombia) de pae.visitas, pae.auditoria, pae.resumen_visitas o pae.resumen_sedes que contiene la fecha dada, moviendo a ella las filas que hubieran caído en la partición por defecto; falso si ya existía';

CREATE OR REPLACE FUNCTION pae.asegurar_particiones(desde date, hasta date)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_mes    date;
    v_creadas integer := 0;
BEGIN
    IF desde IS NULL OR hasta IS NULL OR hasta < desde THEN
        RAISE EXCEPTION 'rango de meses inválido: % a %', desde, hasta
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'desde y hasta son obligatorios y desde no puede ser posterior a hasta.',
                  HINT = 'Indique un rango de fechas válido.';
    END IF;
    IF hasta > desde + interval '10 years' THEN
        RAISE EXCEPTION 'rango de meses demasiado largo: % a %', desde, hasta
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Se crean particiones para a lo sumo 10 años de una vez.',
                  HINT = 'Revise la vigencia del contrato o cree las particiones por tramos.';
    END IF;
    -- visits first, then their rollup: the order in which writers of
    -- visits lock the two tables
    v_mes := date_trunc('month', desde)::date;
    WHILE v_mes <= hasta LOOP
        IF pae.crear_particion_mes('pae.visitas', v_mes) THEN
            v_creadas := v_creadas + 1;
        END IF;
        v_mes := (v_mes + interval '1 month')::date;
    END LOOP;
    v_mes := date_trunc('month', desde)::date;
    WHILE v_mes <= hasta LOOP
        PERFORM pae.crear_particion_mes('pae.resumen_visitas', v_mes);
        PERFORM pae.crear_particion_mes('pae.resumen_sedes', v_mes);
        v_mes := (v_mes + interval '1 month')::date;
    END LOOP;
    RETURN v_creadas;
END
$$;
COMMENT ON FUNCTION pae.asegurar_particiones(date, date) IS
    'Crea las particiones mensuales de pae.visitas y de sus resúmenes (pae.resumen_visitas, pae.resumen_sedes) entre dos fechas (a lo sumo 10 años); devuelve cuántas de visitas creó';

CREATE OR REPLACE FUNCTION pae.mantener_particiones(meses_adelante integer DEFAULT 3)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_hoy     date := (now() AT TIME ZONE pae.regla('zona_horaria'))::date;
    v_hasta   date;
    v_creadas integer := 0;
    v_mes     date;
BEGIN
    IF meses_adelante IS NULL OR meses_adelante < 0 OR meses_adelante > 120 THEN
        RAISE EXCEPTION 'meses_adelante inválido: %', meses_adelante
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'meses_adelante debe estar entre 0 y 120.',
                  HINT = 'Use el valor por defecto, 3.';
    END IF;
    v_hasta := (v_hoy + make_interval(months => meses_adelante))::date;
    -- Tables in the order writers of visits lock them (visits, audit,
    -- rollup), so that upkeep and writers never wait for each other in a
    -- circle.  1. visits: the coming months, and the months whose rows
    -- landed in the default partition
    FOR v_mes IN
        SELECT g::date FROM generate_series(date_trunc('month', v_hoy), v_hasta, interval '1 month') g
        UNION
        SELECT DISTINCT date_trunc('month', d.fecha_visita AT TIME ZONE pae.regla('zona_horaria'))::date FROM pae.visitas_default d
        ORDER BY 1
    LOOP
        IF pae.crear_particion_mes('pae.visitas', v_mes) THEN
            v_creadas := v_creadas + 1;
        END IF;
    END LOOP;
    -- 2. audit
    IF to_regclass('pae.auditoria') IS NOT NULL THEN
        v_mes := date_trunc('month', v_hoy)::date;
        WHILE v_mes <= v_hasta LOOP
            IF pae.crear_particion_mes('pae.auditoria', v_mes) THEN
                v_creadas := v_creadas + 1;
            END IF;
            v_mes := (v_mes + interval '1 month')::date;
        END LOOP;
    END IF;
    -- 3. rollups: a partition for every month visits have one, and for the
    -- months whose rows are in its default partition
    FOR v_mes IN
        SELECT to_date(substring(c.relname FROM '^visitas_p([0-9]{4}_[0-9]{2})$'), 'YYYY_MM')
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'pae.visitas'::regclass AND c.relname ~ '^visitas_p[0-9]{4}_[0-9]{2}$'
        UNION
        SELECT DISTINCT d.mes FROM pae.resumen_visitas_default d
        UNION
        SELECT DISTINCT d.mes FROM pae.resumen_sedes_default d
        ORDER BY 1
    LOOP
        -- (not counted: the result stays the partitions of visits and audit)
        PERFORM pae.crear_particion_mes('pae.resumen_visitas', v_mes);
        PERFORM pae.crear_particion_mes('pae.resumen_sedes', v_mes);
    END LOOP;
    PERFORM pae.plegar_resumenes();
    RETURN v_creadas;
END
$$;
COMMENT ON FUNCTION pae.mantener_particiones(integer) IS
    'Mantenimiento de particiones (programar a diario, p. ej. con pg_cron): crea las de los próximos meses_adelante meses de visitas, auditoría y resúmenes de reportes, mueve a su partición mensual las filas que cayeron en una partición por defecto y junta las filas delta de los resúmenes (pae.plegar_resumenes); devuelve cuántas particiones de visitas y auditoría creó';

-- Archive: whole months of visits leave pae.visitas, and the reports with
-- them (their rollup partitions leave too), as standalone tables
-- pae.visitas_pYYYY_MM, pae.resumen_visitas_pYYYY_MM and
-- pae.resumen_sedes_pYYYY_MM, to be exported and dropped, or attached
-- again.  Only months whose audit trail is sealed.
CREATE TABLE pae.visitas_archivos (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    mes           date NOT NULL,
    particion     text NOT NULL,
    resumenes     text[] NOT NULL,
    filas         bigint NOT NULL,
    archivada_en  timestamptz NOT NULL DEFAULT now(),
    archivado_por name NOT NULL DEFAULT session_user
);
COMMENT ON TABLE pae.visitas_archivos IS 'Meses de visitas separados de pae.visitas por pae.archivar_visitas (tablas sueltas para exportar)';
COMMENT ON COLUMN pae.visitas_archivos.id IS 'Orden del archivo';
COMMENT ON COLUMN pae.visitas_archivos.mes IS 'Mes archivado (primer día, hora de Colombia)';
COMMENT ON COLUMN pae.visitas_archivos.particion IS 'Tabla suelta con las visitas del mes';
COMMENT ON COLUMN pae.visitas_archivos.resumenes IS 'Tablas sueltas con los resúmenes de reportes del mes';
COMMENT ON COLUMN pae.visitas_archivos.filas IS 'Visitas que tenía el mes al archivarse';
COMMENT ON COLUMN pae.visitas_archivos.archivada_en IS 'Momento del archivo';
COMMENT ON COLUMN pae.visitas_archivos.archivado_por IS 'Rol de sesión que archivó';
REVOKE ALL ON pae.visitas_archivos FROM PUBLIC;
GRANT SELECT ON pae.visitas_archivos TO pae_admin;
ALTER TABLE pae.visitas_archivos ENABLE ROW LEVEL SECURITY;
CREATE POLICY visitas_archivos_admin ON pae.visitas_archivos TO pae_admin USING (true);
SELECT pg_catalog.pg_extension_config_dump('pae.visitas_archivos', '');
SELECT pg_catalog.pg_extension_config_dump('pae.visitas_archivos_id_seq', '');

CREATE FUNCTION pae.archivar_visitas(antes_de date)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_part    record;
    v_sellado bigint;
    v_max     bigint;
    v_filas   bigint;
    v_resumen regclass;
    v_padre   regclass;
    v_sueltas text[];
    v_n       integer := 0;
    v_hoy     date := (now() AT TIME ZONE pae.regla('zona_horaria'))::date;
BEGIN
    IF antes_de IS NULL THEN
        RAISE EXCEPTION 'antes_de es obligatorio'
            USING ERRCODE = 'null_value_not_allowed',
                  DETAIL = 'pae.archivar_visitas recibió NULL.',
                  HINT = 'Indique la fecha: se archivan los meses de visitas que terminan antes de ella.';
    END IF;
    IF antes_de > date_trunc('month', v_hoy)::date THEN
        RAISE EXCEPTION 'no se archiva el mes en curso ni meses futuros: antes_de = %', antes_de
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('antes_de debe ser a lo sumo %s, el primer día del mes en curso.', date_trunc('month', v_hoy)::date),
                  HINT = 'Indique una fecha del pasado.';
    END IF;
    -- the same lock as pae.archivar_auditoria: no seal comes in between
    LOCK TABLE pae.auditoria_sellos IN SHARE ROW EXCLUSIVE MODE;
    SELECT max(s.hasta_id) INTO v_sellado FROM pae.auditoria_sellos s;
    FOR v_part IN
        SELECT c.relname,
               to_date(substring(c.relname FROM '^visitas_p([0-9]{4}_[0-9]{2})$'), 'YYYY_MM') AS mes
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'pae.visitas'::regclass
           AND c.relname ~ '^visitas_p[0-9]{4}_[0-9]{2}$'
         ORDER BY c.relname
    LOOP
        CONTINUE WHEN (v_part.mes + interval '1 month')::date > antes_de;
        -- sealed: every audit row written up to the end of the month ...
        SELECT max(a.id) INTO v_max FROM pae.auditoria a
         WHERE a.en < ((v_part.mes + interval '1 month')::timestamp AT TIME ZONE pae.regla('zona_horaria'));
        IF v_max IS NOT NULL AND (v_sellado IS NULL OR v_max > v_sellado) THEN
            RAISE EXCEPTION 'el mes % de visitas tiene auditoría sin sellar', to_char(v_part.mes, 'YYYY-MM')
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      DETAIL = format('La auditoría hasta el fin de ese mes llega al id %s y el último sello hasta %s.',
                                      v_max, coalesce(v_sellado::text, 'ninguno')),
                      HINT = 'Ejecute pae.sellar_auditoria() y vuelva a intentarlo.';
        END IF;
        -- and the trail of the month's visits themselves, whenever written
        EXECUTE format('SELECT max(a.id) FROM pae.auditoria a WHERE a.id > $1 AND a.tabla = ''visitas'''
                       ' AND a.pk IN (SELECT jsonb_build_object(''id'', v.id) FROM pae.%I v)', v_part.relname)
           INTO v_max USING coalesce(v_sellado, 0);
        IF v_max IS NOT NULL THEN
            RAISE EXCEPTION 'el mes % de visitas tiene auditoría sin sellar', to_char(v_part.mes, 'YYYY-MM')
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      DETAIL = format('La fila %s de la auditoría, sobre una visita de ese mes, es posterior al último sello (%s).',
                                      v_max, coalesce(v_sellado::text, 'ninguno')),
                      HINT = 'Ejecute pae.sellar_auditoria() y vuelva a intentarlo.';
        END IF;
        EXECUTE format('SELECT count(*) FROM pae.%I', v_part.relname) INTO v_filas;
        -- visits before their rollup: the order in which writers lock them
        EXECUTE format('ALTER TABLE pae.visitas DETACH PARTITION pae.%I', v_part.relname);
        -- the month's rollup rows leave with it (first out of a default
        -- partition, if some are there)
        v_sueltas := '{}';
        FOREACH v_padre IN ARRAY ARRAY['pae.resumen_visitas', 'pae.resumen_sedes']::regclass[] LOOP
            PERFORM pae.crear_particion_mes(v_padre, v_part.mes);
            v_resumen := to_regclass(format('%s_p%s', v_padre, to_char(v_part.mes, 'YYYY_MM')));
            IF EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = v_resumen AND i.inhparent = v_padre) THEN
                EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', v_padre, v_resumen);
                v_sueltas := v_sueltas || v_resumen::text;
            END IF;
        END LOOP;
        INSERT INTO pae.visitas_archivos (mes, particion, resumenes, filas)
        VALUES (v_part.mes, format('pae.%I', v_part.relname), v_sueltas, v_filas);
        v_n := v_n + 1;
    END LOOP;
    RETURN v_n;
END
$$;
COMMENT ON FUNCTION pae.archivar_visitas(date) IS
    'Separa de pae.visitas (DETACH PARTITION) los meses que terminan antes de antes_de, con sus particiones de los resúmenes de reportes: salen de los reportes y quedan como tablas sueltas para exportar. Rechaza (55000) un mes con auditoría sin sellar (filas escritas hasta el fin del mes o sobre sus visitas). Idempotente; devuelve cuántos meses archivó';
REVOKE ALL ON FUNCTION pae.archivar_visitas(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.archivar_visitas(date) TO pae_admin;

-- The rollup rebuilt from the base tables in one pass: for the upgrade
-- from 1.0, after loading visits with the triggers off (a restore with
-- session_replication_role = replica keeps the dumped rollup and needs
-- nothing), or to check the rollup.  Writers of visits and answers wait
-- while it runs (SHARE locks); readers do not.
CREATE FUNCTION pae.reconstruir_resumenes()
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_filas bigint;
    v_n     bigint;
    v_tz    text := pae.regla('zona_horaria');
BEGIN
    LOCK TABLE pae.visitas, pae.visita_respuestas IN SHARE MODE;
    PERFORM pg_advisory_xact_lock(hashtext('pae.plegar_resumenes'));
    DELETE FROM pae.resumen_visitas;
    DELETE FROM pae.resumen_sedes;
    INSERT INTO pae.resumen_visitas
    SELECT date_trunc('month', v.fecha_visita AT TIME ZONE v_tz)::date, s.municipio, v.contrato,
           count(*), count(*) FILTER (WHERE v.estado IN ('cerrada', 'aprobada', 'devuelta')),
           count(*) FILTER (WHERE v.estado = 'aprobada'), count(*) FILTER (WHERE v.estado = 'devuelta'),
           count(*) FILTER (WHERE v.estado = 'cancelada'), count(*) FILTER (WHERE v.dentro_geocerca = false),
           coalesce(sum(v.raciones_programadas), 0), coalesce(sum(v.raciones_entregadas), 0),
           coalesce(sum(r.ev), 0), coalesce(sum(r.cu), 0)
      FROM pae.visitas v
      JOIN pae.sedes s ON s.codigo = v.sede
      LEFT JOIN (SELECT x.visita, count(*) FILTER (WHERE x.valor IN ('cumple', 'no_cumple')) AS ev,
                        count(*) FILTER (WHERE x.valor = 'cumple') AS cu
                   FROM pae.visita_respuestas x GROUP BY x.visita) r
             ON r.visita = v.id AND v.estado IN ('cerrada', 'aprobada', 'devuelta')
     GROUP BY 1, 2, 3;
    GET DIAGNOSTICS v_filas = ROW_COUNT;
    INSERT INTO pae.resumen_sedes
    SELECT date_trunc('month', v.fecha_visita AT TIME ZONE v_tz)::date, v.sede, count(*)
      FROM pae.visitas v
     WHERE v.estado IN ('cerrada', 'aprobada', 'devuelta')
     GROUP BY 1, 2;
    GET DIAGNOSTICS v_n = ROW_COUNT;
    RETURN v_filas + v_n;
    RETURN v_filas;
END
$$;
COMMENT ON FUNCTION pae.reconstruir_resumenes() IS
    'Rehace pae.resumen_visitas y pae.resumen_sedes desde pae.visitas y pae.visita_respuestas en una pasada (tras cargar visitas con los disparadores apagados, o para comprobarlo); quienes escriben visitas esperan mientras corre. Devuelve cuántas filas escribió';
REVOKE ALL ON FUNCTION pae.reconstruir_resumenes() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.reconstruir_resumenes() TO pae_admin;

-- The rollup of the data already there (upgrade from 1.0).  Rows go to the
-- default partition (a member of the extension, like the fresh install's
-- catalog); pae.mantener_particiones moves them to their months.
SELECT pae.reconstruir_resumenes();

-- The views.  Owned by the extension's owner (not security_invoker): they
-- read the base tables for pae_bi, which reads nothing else.

CREATE VIEW pae_reportes.visitas_mensual AS
SELECT r.mes,
       m.codigo AS municipio_codigo,
       (m.nombre COLLATE pae.espanol) AS municipio_nombre,
       o.nit AS operador,
       o.nombre AS operador_nombre,
       c.numero AS contrato,
       sum(r.programadas)::bigint AS programadas,
       sum(r.realizadas)::bigint AS realizadas,
       sum(r.aprobadas)::bigint AS aprobadas,
       sum(r.devueltas)::bigint AS devueltas,
       sum(r.canceladas)::bigint AS canceladas,
       sum(r.fuera_geocerca)::bigint AS fuera_geocerca,
       sum(r.raciones_programadas)::bigint AS raciones_programadas,
       sum(r.raciones_entregadas)::bigint AS raciones_entregadas
  FROM pae.resumen_visitas r
  JOIN pae.municipios m ON m.codigo = r.municipio
  JOIN pae.contratos c ON c.numero = r.contrato
  JOIN pae.operadores o ON o.nit = c.operador
 GROUP BY r.mes, m.codigo, o.nit, c.numero
HAVING sum(r.programadas) > 0;
COMMENT ON VIEW pae_reportes.visitas_mensual IS
    'Visitas por mes (hora de Colombia de fecha_visita), municipio de la sede, operador y contrato; exacta en todo momento (resumen mantenido en la misma transacción)';
COMMENT ON COLUMN pae_reportes.visitas_mensual.mes IS 'Primer día del mes calendario (hora de Colombia) de fecha_visita';
COMMENT ON COLUMN pae_reportes.visitas_mensual.municipio_codigo IS 'Código DANE del municipio de la sede';
COMMENT ON COLUMN pae_reportes.visitas_mensual.municipio_nombre IS 'Nombre del municipio (se ordena como en español)';
COMMENT ON COLUMN pae_reportes.visitas_mensual.operador IS 'NIT del operador del contrato';
COMMENT ON COLUMN pae_reportes.visitas_mensual.operador_nombre IS 'Razón social del operador';
COMMENT ON COLUMN pae_reportes.visitas_mensual.contrato IS 'Número del contrato';
COMMENT ON COLUMN pae_reportes.visitas_mensual.programadas IS 'Todas las visitas del mes, en cualquier estado';
COMMENT ON COLUMN pae_reportes.visitas_mensual.realizadas IS 'Visitas cerradas, aprobadas o devueltas';
COMMENT ON COLUMN pae_reportes.visitas_mensual.aprobadas IS 'Visitas aprobadas';
COMMENT ON COLUMN pae_reportes.visitas_mensual.devueltas IS 'Visitas devueltas para corrección';
COMMENT ON COLUMN pae_reportes.visitas_mensual.canceladas IS 'Visitas canceladas';
COMMENT ON COLUMN pae_reportes.visitas_mensual.fuera_geocerca IS 'Visitas cuyo check-in quedó fuera de la geocerca (dentro_geocerca = false)';
COMMENT ON COLUMN pae_reportes.visitas_mensual.raciones_programadas IS 'Suma de raciones programadas de las visitas (0 si ninguna las tiene)';
COMMENT ON COLUMN pae_reportes.visitas_mensual.raciones_entregadas IS 'Suma de raciones entregadas de las visitas (0 si ninguna las tiene)';

CREATE VIEW pae_reportes.cobertura_sedes AS
SELECT x.mes,
       m.codigo AS municipio_codigo,
       (m.nombre COLLATE pae.espanol) AS municipio_nombre,
       coalesce(a.sedes, 0)::bigint AS sedes_activas,
       coalesce(v.sedes, 0)::bigint AS sedes_visitadas,
       round(100.0 * coalesce(v.sedes, 0) / nullif(a.sedes, 0), 2) AS cobertura_pct,
       m.ubicacion
  FROM (SELECT r.mes FROM pae.resumen_visitas r GROUP BY r.mes HAVING sum(r.programadas) > 0) x
 CROSS JOIN pae.municipios m
  LEFT JOIN (SELECT s.municipio, count(*) AS sedes FROM pae.sedes s WHERE s.activa GROUP BY s.municipio) a
         ON a.municipio = m.codigo
  LEFT JOIN (SELECT y.mes, s.municipio, count(*) AS sedes
               FROM (SELECT r.mes, r.sede FROM pae.resumen_sedes r
                      GROUP BY r.mes, r.sede HAVING sum(r.realizadas) > 0) y
               JOIN pae.sedes s ON s.codigo = y.sede
              GROUP BY y.mes, s.municipio) v
         ON v.mes = x.mes AND v.municipio = m.codigo
 WHERE a.sedes IS NOT NULL OR v.sedes IS NOT NULL;
COMMENT ON VIEW pae_reportes.cobertura_sedes IS
    'Cobertura por mes y municipio: sedes activas, sedes con al menos una visita realizada en el mes y porcentaje. Una fila por cada mes con alguna visita en el departamento y cada municipio con sedes activas o visitadas (0 % si ninguna fue visitada)';
COMMENT ON COLUMN pae_reportes.cobertura_sedes.mes IS 'Primer día del mes calendario (hora de Colombia)';
COMMENT ON COLUMN pae_reportes.cobertura_sedes.municipio_codigo IS 'Código DANE del municipio';
COMMENT ON COLUMN pae_reportes.cobertura_sedes.municipio_nombre IS 'Nombre del municipio (se ordena como en español)';
COMMENT ON COLUMN pae_reportes.cobertura_sedes.sedes_activas IS 'Sedes activas del municipio (hoy)';
COMMENT ON COLUMN pae_reportes.cobertura_sedes.sedes_visitadas IS 'Sedes distintas con al menos una visita cerrada, aprobada o devuelta en el mes';
COMMENT ON COLUMN pae_reportes.cobertura_sedes.cobertura_pct IS '100 × sedes_visitadas / sedes_activas, con dos decimales (NULL si el municipio no tiene sedes activas)';
COMMENT ON COLUMN pae_reportes.cobertura_sedes.ubicacion IS 'Cabecera municipal (WGS84), para mapas';

CREATE VIEW pae_reportes.cumplimiento_operador AS
SELECT r.mes,
       o.nit AS operador,
       o.nombre AS operador_nombre,
       sum(r.items_evaluados)::bigint AS items_evaluados,
       sum(r.items_cumplen)::bigint AS items_cumplen,
       round(100.0 * sum(r.items_cumplen) / nullif(sum(r.items_evaluados), 0), 2) AS cumplimiento_pct
  FROM pae.resumen_visitas r
  JOIN pae.contratos c ON c.numero = r.contrato
  JOIN pae.operadores o ON o.nit = c.operador
 GROUP BY r.mes, o.nit
HAVING sum(r.realizadas) > 0;
COMMENT ON VIEW pae_reportes.cumplimiento_operador IS
    'Cumplimiento de la lista de chequeo por mes y operador, sobre las respuestas de las visitas realizadas (cerradas, aprobadas o devueltas); una fila por mes y operador con alguna visita realizada';
COMMENT ON COLUMN pae_reportes.cumplimiento_operador.mes IS 'Primer día del mes calendario (hora de Colombia) de fecha_visita';
COMMENT ON COLUMN pae_reportes.cumplimiento_operador.operador IS 'NIT del operador';
COMMENT ON COLUMN pae_reportes.cumplimiento_operador.operador_nombre IS 'Razón social del operador';
COMMENT ON COLUMN pae_reportes.cumplimiento_operador.items_evaluados IS 'Respuestas cumple o no_cumple (no_aplica no cuenta)';
COMMENT ON COLUMN pae_reportes.cumplimiento_operador.items_cumplen IS 'Respuestas cumple';
COMMENT ON COLUMN pae_reportes.cumplimiento_operador.cumplimiento_pct IS '100 × items_cumplen / items_evaluados, con dos decimales (NULL sin ítems evaluados)';

-- Open alerts.  Who may see people: coordinators and admins see the
-- visitador and the whole detail; everyone else (pae_bi) gets NULL and a
-- detail without the check-in's coordinates.
CREATE VIEW pae_reportes.alertas AS
SELECT a.id,
       a.visita,
       date_trunc('month', v.fecha_visita AT TIME ZONE pae.regla('zona_horaria'))::date AS mes,
       a.tipo,
       CASE WHEN pg_has_role(current_user, 'pae_coordinador', 'MEMBER')
              OR pg_has_role(current_user, 'pae_admin', 'MEMBER')
            THEN a.detalle
            ELSE a.detalle - ARRAY['lat', 'lon', 'precision_m'] END AS detalle,
       a.detectada_en,
       s.codigo AS sede,
       s.nombre AS sede_nombre,
       m.codigo AS municipio_codigo,
       (m.nombre COLLATE pae.espanol) AS municipio_nombre,
       CASE WHEN pg_has_role(current_user, 'pae_coordinador', 'MEMBER')
              OR pg_has_role(current_user, 'pae_admin', 'MEMBER')
            THEN v.visitador END AS visitador,
       s.ubicacion
  FROM pae.alertas a
  JOIN pae.visitas_id i ON i.id = a.visita
  JOIN pae.visitas v ON v.id = i.id AND v.fecha_visita = i.fecha_visita
  JOIN pae.sedes s ON s.codigo = v.sede
  JOIN pae.municipios m ON m.codigo = s.municipio
 WHERE a.cerrada_en IS NULL;
COMMENT ON VIEW pae_reportes.alertas IS
    'Alertas abiertas (sin cerrar) con su visita, sede y municipio; el visitador y las coordenadas del check-in solo para coordinación y administración';
COMMENT ON COLUMN pae_reportes.alertas.id IS 'Id de la alerta';
COMMENT ON COLUMN pae_reportes.alertas.visita IS 'Visita que generó la señal';
COMMENT ON COLUMN pae_reportes.alertas.mes IS 'Primer día del mes calendario (hora de Colombia) de la visita';
COMMENT ON COLUMN pae_reportes.alertas.tipo IS 'Tipo de señal: fuera_geocerca, viaje_imposible, raciones_faltantes, duracion_sospechosa, foto_reutilizada';
COMMENT ON COLUMN pae_reportes.alertas.detalle IS 'Datos que explican la señal (sin lat, lon ni precision_m del check-in para quien no puede ver personas)';
COMMENT ON COLUMN pae_reportes.alertas.detectada_en IS 'Momento de detección';
COMMENT ON COLUMN pae_reportes.alertas.sede IS 'Código DANE de la sede visitada';
COMMENT ON COLUMN pae_reportes.alertas.sede_nombre IS 'Nombre de la sede';
COMMENT ON COLUMN pae_reportes.alertas.municipio_codigo IS 'Código DANE del municipio de la sede';
COMMENT ON COLUMN pae_reportes.alertas.municipio_nombre IS 'Nombre del municipio (se ordena como en español)';
COMMENT ON COLUMN pae_reportes.alertas.visitador IS 'Visitador de la visita; NULL para quien no es coordinador ni administrador (pae_bi)';
COMMENT ON COLUMN pae_reportes.alertas.ubicacion IS 'Ubicación de la sede (WGS84), para mapas';

REVOKE ALL ON pae_reportes.visitas_mensual, pae_reportes.cobertura_sedes,
              pae_reportes.cumplimiento_operador, pae_reportes.alertas FROM PUBLIC;
GRANT SELECT ON pae_reportes.visitas_mensual, pae_reportes.cobertura_sedes,
                pae_reportes.cumplimiento_operador, pae_reportes.alertas
    TO pae_bi, pae_coordinador, pae_admin;
