
-- The programme's calendar comes from the catalogue of rules
-- (pae.regla('zona_horaria'), src/reglas.h), not from literals repeated in
-- each partition function.  Bodies otherwise as in 1.0.

CREATE OR REPLACE FUNCTION pae.crear_particion_mes(padre regclass, mes date)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_padre_nombre text;
    v_nombre   text;
    v_desde    timestamptz;
    v_hasta    timestamptz;
    v_defecto  regclass;
    v_filas    bigint;
BEGIN
    IF padre IS NULL OR mes IS NULL THEN
        RAISE EXCEPTION 'tabla y mes son obligatorios'
            USING ERRCODE = 'null_value_not_allowed',
                  DETAIL = 'pae.crear_particion_mes recibió NULL.',
                  HINT = 'Indique la tabla particionada y un día del mes.';
    END IF;
    IF padre NOT IN ('pae.visitas'::regclass) AND
       NOT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE c.oid = padre AND n.nspname = 'pae' AND c.relname = 'auditoria') THEN
        RAISE EXCEPTION 'la tabla % no es una tabla particionada por mes de pae_cauca', padre
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Solo pae.visitas y pae.auditoria se particionan por mes.',
                  HINT = 'Use pae.visitas o pae.auditoria.';
    END IF;
    mes := date_trunc('month', mes)::date;
    SELECT c.relname INTO v_padre_nombre FROM pg_class c WHERE c.oid = padre;
    v_nombre := format('%s_p%s', v_padre_nombre, to_char(mes, 'YYYY_MM'));
    IF to_regclass(format('pae.%I', v_nombre)) IS NOT NULL THEN
        RETURN false;
    END IF;
    v_desde := mes::timestamp AT TIME ZONE pae.regla('zona_horaria');
    v_hasta := (mes + interval '1 month')::timestamp AT TIME ZONE pae.regla('zona_horaria');

    SELECT i.inhrelid::regclass INTO v_defecto
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = padre AND c.relpartbound IS NOT NULL
       AND pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT';

    IF v_defecto IS NOT NULL THEN
        EXECUTE format('SELECT count(*) FROM %s WHERE %I >= $1 AND %I < $2', v_defecto,
                       CASE WHEN v_padre_nombre = 'visitas' THEN 'fecha_visita' ELSE 'en' END,
                       CASE WHEN v_padre_nombre = 'visitas' THEN 'fecha_visita' ELSE 'en' END)
           INTO v_filas USING v_desde, v_hasta;
    ELSE
        v_filas := 0;
    END IF;

    IF v_filas = 0 THEN
        EXECUTE format('CREATE TABLE pae.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                       v_nombre, padre, v_desde, v_hasta);
    ELSE
        -- Rows of this month landed in the default partition: move them
        -- into a new table, then attach it.  Moving is not a business
        -- change, so row triggers (rules, audit) are off for it.
        SET LOCAL session_replication_role = replica;
        EXECUTE format('CREATE TABLE pae.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS)',
                       v_nombre, padre);
        EXECUTE format('WITH m AS (DELETE FROM %s WHERE %I >= $1 AND %I < $2 RETURNING *)'
                       ' INSERT INTO pae.%I SELECT * FROM m', v_defecto,
                       CASE WHEN v_padre_nombre = 'visitas' THEN 'fecha_visita' ELSE 'en' END,
                       CASE WHEN v_padre_nombre = 'visitas' THEN 'fecha_visita' ELSE 'en' END,
                       v_nombre)
           USING v_desde, v_hasta;
        EXECUTE format('ALTER TABLE %s ATTACH PARTITION pae.%I FOR VALUES FROM (%L) TO (%L)',
                       padre, v_nombre, v_desde, v_hasta);
        RESET session_replication_role;
        RAISE NOTICE 'se movieron % filas de % a la partición pae.%', v_filas, v_defecto, v_nombre;
    END IF;
    IF v_padre_nombre = 'auditoria' THEN
        -- TRUNCATE triggers are not cloned onto partitions (65-auditoria.sql)
        PERFORM pae.auditoria_proteger_particion(format('pae.%I', v_nombre)::regclass);
    END IF;
    PERFORM pae.indexar_particion(padre, format('pae.%I', v_nombre)::regclass);
    EXECUTE format('COMMENT ON TABLE pae.%I IS %L', v_nombre,
                   format('Partición de %s para %s (hora de Colombia)', padre, to_char(mes, 'YYYY-MM')));
    RETURN true;
END
$$;

CREATE OR REPLACE FUNCTION pae.mantener_particiones(meses_adelante integer DEFAULT 3)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_hoy     date := (now() AT TIME ZONE pae.regla('zona_horaria'))::date;
    v_creadas integer;
    v_mes     date;
BEGIN
    IF meses_adelante IS NULL OR meses_adelante < 0 OR meses_adelante > 120 THEN
        RAISE EXCEPTION 'meses_adelante inválido: %', meses_adelante
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'meses_adelante debe estar entre 0 y 120.',
                  HINT = 'Use el valor por defecto, 3.';
    END IF;
    v_creadas := pae.asegurar_particiones(v_hoy, (v_hoy + make_interval(months => meses_adelante))::date);
    -- months whose rows landed in the default partition
    FOR v_mes IN SELECT DISTINCT date_trunc('month', d.fecha_visita AT TIME ZONE pae.regla('zona_horaria'))::date
                   FROM pae.visitas_default d
    LOOP
        IF pae.crear_particion_mes('pae.visitas', v_mes) THEN
            v_creadas := v_creadas + 1;
        END IF;
    END LOOP;
    IF to_regclass('pae.auditoria') IS NOT NULL THEN
        v_mes := date_trunc('month', v_hoy)::date;
        WHILE v_mes <= (v_hoy + make_interval(months => meses_adelante))::date LOOP
            IF pae.crear_particion_mes('pae.auditoria', v_mes) THEN
                v_creadas := v_creadas + 1;
            END IF;
            v_mes := (v_mes + interval '1 month')::date;
        END LOOP;
    END IF;
    RETURN v_creadas;
END
$$;
