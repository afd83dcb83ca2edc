
-- Known holes (issue 14, item 9).
--
-- 1. TRUNCATE bypasses row triggers.  On pae.visitas (or one of its monthly
--    partitions) it would delete visits in any state -- a visit that left
--    'programada' is never deleted (PV002) -- and leave pae.visitas_id,
--    pae.visitas_dia and pae.visitas_checkin describing visits that no
--    longer exist (PV008 and the viaje_imposible alert would then act on
--    ghosts).  Clearing the bookkeeping "consistently" would mean cascading
--    into respuestas, evidencias, transiciones and alertas: the evidence of
--    the supervision, which the Contraloría may ask for years later.  So
--    TRUNCATE is refused, for the owner too, on the visits, on each of their
--    partitions (statement triggers are not cloned onto partitions, so
--    pae.indexar_particion gives each one its own) and on the three
--    bookkeeping tables.  To start from nothing: DROP EXTENSION ... CASCADE.

CREATE FUNCTION pae.tg_visitas_sin_truncate()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'TRUNCATE de %.% no está permitido', TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'PV002',
              DETAIL = 'TRUNCATE no pasa por los disparadores de fila: borraría visitas que ya no están '
                       'programadas y dejaría pae.visitas_id, pae.visitas_dia y pae.visitas_checkin '
                       'desalineados con pae.visitas.',
              HINT = 'Cancele las visitas (estado cancelada) o borre con DELETE las que siguen programadas; '
                     'para empezar de cero use DROP EXTENSION pae_cauca CASCADE.';
END
$$;
COMMENT ON FUNCTION pae.tg_visitas_sin_truncate() IS
    'Disparador BEFORE TRUNCATE de pae.visitas, de cada partición suya y de pae.visitas_id, pae.visitas_dia y pae.visitas_checkin: siempre falla con PV002 (TRUNCATE se saltaría los disparadores que mantienen ese registro)';
REVOKE ALL ON FUNCTION pae.tg_visitas_sin_truncate() FROM PUBLIC;

CREATE TRIGGER visitas_sin_truncate BEFORE TRUNCATE ON pae.visitas
    FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_visitas_sin_truncate();
CREATE TRIGGER visitas_id_sin_truncate BEFORE TRUNCATE ON pae.visitas_id
    FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_visitas_sin_truncate();
CREATE TRIGGER visitas_dia_sin_truncate BEFORE TRUNCATE ON pae.visitas_dia
    FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_visitas_sin_truncate();
CREATE TRIGGER visitas_checkin_sin_truncate BEFORE TRUNCATE ON pae.visitas_checkin
    FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_visitas_sin_truncate();

-- Each partition of pae.visitas gets the trigger where it gets its indexes:
-- body as in 1.0, plus the trigger.
CREATE OR REPLACE FUNCTION pae.indexar_particion(padre regclass, particion regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_nombre text;
    i        record;
BEGIN
    SELECT c.relname INTO v_nombre FROM pg_class c WHERE c.oid = particion;
    FOR i IN
        SELECT x.sufijo, x.unico, x.columnas
          FROM (VALUES ('pae.visitas'::regclass, 1, 'id_key',              true,  'id'),
                       ('pae.visitas'::regclass, 2, 'visitador_fecha_idx', false, 'visitador, fecha_visita'),
                       ('pae.visitas'::regclass, 3, 'sede_estado_idx',     false, 'sede, estado'),
                       ('pae.visitas'::regclass, 4, 'estado_fecha_idx',    false, 'estado, fecha_visita'),
                       ('pae.visitas'::regclass, 5, 'contrato_fecha_idx',  false, 'contrato, fecha_visita'))
               AS x(padre, orden, sufijo, unico, columnas)
         WHERE x.padre = indexar_particion.padre
         ORDER BY x.orden
    LOOP
        EXECUTE format('CREATE %s INDEX IF NOT EXISTS %I ON %s (%s)',
                       CASE WHEN i.unico THEN 'UNIQUE' ELSE '' END,
                       v_nombre || '_' || i.sufijo, particion, i.columnas);
        -- the unique key identifies the row (audit trail, logical replication)
        IF i.unico THEN
            EXECUTE format('ALTER TABLE %s REPLICA IDENTITY USING INDEX %I',
                           particion, v_nombre || '_' || i.sufijo);
        END IF;
    END LOOP;
    -- TRUNCATE triggers are not cloned onto partitions
    IF padre = 'pae.visitas'::regclass AND particion IS NOT NULL AND
       NOT EXISTS (SELECT 1 FROM pg_trigger t
                    WHERE t.tgrelid = particion AND t.tgname = 'visitas_sin_truncate') THEN
        EXECUTE format('CREATE TRIGGER visitas_sin_truncate BEFORE TRUNCATE ON %s'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_visitas_sin_truncate()', particion);
    END IF;
END
$$;

-- the partitions that exist already (the default one; on an upgrade, every month)
DO $$
DECLARE
    p regclass;
BEGIN
    FOR p IN SELECT i.inhrelid::regclass FROM pg_inherits i
              WHERE i.inhparent = 'pae.visitas'::regclass ORDER BY i.inhrelid::regclass::text
    LOOP
        PERFORM pae.indexar_particion('pae.visitas', p);
    END LOOP;
END
$$;

-- 2. pae.evaluar_geocerca('190010000911', '2.44', -76.6) -- untyped string
--    literals, as psql users and some clients send them -- was ambiguous
--    (42725) between (text, float8, float8, float8) and (text, geography,
--    float8): both take three arguments and PostgreSQL does not prefer a
--    numeric over a user-defined type for an unknown literal.  Both exist
--    since 1.0, so neither signature changes; PostgreSQL resolves an unknown
--    literal to the string category when a candidate accepts text there, so
--    an overload taking lat as text makes the common call resolve.  A
--    two-argument call with a point literal ('x', 'SRID=4326;POINT(..)')
--    still reaches the geography overload (this one needs lon).
CREATE FUNCTION pae.evaluar_geocerca(sede text, lat text, lon double precision,
                                     precision_m double precision DEFAULT NULL,
                                     OUT distancia_m double precision,
                                     OUT radio_m double precision,
                                     OUT dentro boolean)
RETURNS record
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT g.distancia_m, g.radio_m, g.dentro
      FROM pae.evaluar_geocerca(sede, lat::double precision, lon, precision_m) AS g;
END;
COMMENT ON FUNCTION pae.evaluar_geocerca(text, text, double precision, double precision) IS
    'Como pae.evaluar_geocerca(sede, lat, lon, precision_m) con lat como texto: hace que una llamada con literales sin tipo (pae.evaluar_geocerca(''x'', ''2.44'', -76.6)) no sea ambigua entre las versiones de coordenadas y de geography; un lat que no es número: 22P02; NaN o fuera de rango: PV005';
REVOKE ALL ON FUNCTION pae.evaluar_geocerca(text, text, double precision, double precision) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.evaluar_geocerca(text, text, double precision, double precision)
    TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;
