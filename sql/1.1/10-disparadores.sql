
-- Trigger functions are not client tools (issue 9, item 2).  1.0 granted
-- EXECUTE on them to the staff roles; with it, anyone could attach
-- pae.tg_auditoria or pae.tg_visitas_despues to a table of their own and
-- have the extension's owner write forged audit rows, history and alerts.
-- PostgreSQL checks EXECUTE on a trigger function only at CREATE TRIGGER,
-- so the product's own triggers keep firing for every role.  Each trigger
-- also refuses a table it was not made for (39P01): the C ones in
-- src/disparadores.c, pae.tg_contratos_particiones below.
REVOKE EXECUTE ON FUNCTION
    pae.tg_visitas_antes(), pae.tg_visitas_despues(), pae.tg_hijos_visita(),
    pae.tg_foto_reutilizada(), pae.tg_contratos_particiones(), pae.tg_auditoria(),
    pae.tg_auditoria_inmutable(), pae.tg_usuarios_cambio()
    FROM PUBLIC, pae_anon, pae_visitador, pae_supervisor, pae_coordinador, pae_admin, pae_bi;

-- Contracts bring the months they cover, on pae.contratos only, and a
-- bounded number of them: a vigencia spans at most
-- pae.regla('contrato_meses_max') months and lies between
-- pae.regla('contrato_anios_atras') years before today and
-- pae.regla('contrato_anios_adelante') years after it (each contract row
-- creates at most that many partitions of pae.visitas).
CREATE OR REPLACE FUNCTION pae.tg_contratos_particiones()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_meses_max  integer := pae.regla('contrato_meses_max')::integer;
    v_atras      integer := pae.regla('contrato_anios_atras')::integer;
    v_adelante   integer := pae.regla('contrato_anios_adelante')::integer;
    v_hoy        date := (now() AT TIME ZONE pae.regla('zona_horaria'))::date;
    v_desde      date;
    v_hasta      date;
    v_meses      integer;
BEGIN
    IF TG_RELID IS DISTINCT FROM 'pae.contratos'::regclass OR TG_WHEN <> 'AFTER'
       OR TG_LEVEL <> 'ROW' OR TG_OP NOT IN ('INSERT', 'UPDATE') THEN
        RAISE EXCEPTION 'pae.tg_contratos_particiones no puede dispararse sobre la tabla "%.%" (%, %, %)',
                        CASE WHEN TG_TABLE_SCHEMA LIKE 'pg\_temp\_%' THEN 'pg_temp' ELSE TG_TABLE_SCHEMA END,
                        TG_TABLE_NAME, TG_WHEN, TG_LEVEL, TG_OP
            USING ERRCODE = 'trigger_protocol_violated',
                  DETAIL = 'pae.tg_contratos_particiones está hecha solo para AFTER INSERT OR UPDATE OF vigencia ON pae.contratos FOR EACH ROW; sobre otra tabla crearía particiones de pae.visitas en nombre del dueño de la extensión.',
                  HINT = 'Borre ese disparador (DROP TRIGGER); pae.contratos ya tiene el suyo.';
    END IF;
    IF NEW.vigencia IS NULL OR isempty(NEW.vigencia) OR lower_inf(NEW.vigencia) OR upper_inf(NEW.vigencia) THEN
        RETURN NULL;    -- the table's NOT NULL and CHECK constraints refuse it
    END IF;
    v_desde := lower(NEW.vigencia);
    v_hasta := upper(NEW.vigencia) - 1;
    v_meses := (extract(year FROM v_hasta)::integer * 12 + extract(month FROM v_hasta)::integer)
             - (extract(year FROM v_desde)::integer * 12 + extract(month FROM v_desde)::integer) + 1;
    IF v_meses > v_meses_max THEN
        RAISE EXCEPTION 'la vigencia del contrato "%" abarca % meses', NEW.numero, v_meses
            USING ERRCODE = 'check_violation',
                  DETAIL = format('La vigencia %s abarca %s meses; un contrato abarca a lo sumo %s.', NEW.vigencia, v_meses, v_meses_max),
                  HINT = 'Registre cada vigencia (año escolar) como un contrato, o corrija las fechas.';
    END IF;
    IF v_desde < (v_hoy - make_interval(years => v_atras))::date
       OR v_hasta > (v_hoy + make_interval(years => v_adelante))::date THEN
        RAISE EXCEPTION 'la vigencia del contrato "%" está fuera del rango admitido', NEW.numero
            USING ERRCODE = 'check_violation',
                  DETAIL = format('La vigencia %s no está entre %s y %s (%s años antes y %s años después de hoy).',
                                  NEW.vigencia, (v_hoy - make_interval(years => v_atras))::date,
                                  (v_hoy + make_interval(years => v_adelante))::date, v_atras, v_adelante),
                  HINT = 'Revise las fechas de la vigencia del contrato.';
    END IF;
    PERFORM pae.asegurar_particiones(v_desde, v_hasta);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION pae.tg_contratos_particiones() IS
    'Disparador AFTER INSERT OR UPDATE OF vigencia de pae.contratos (solo de esa tabla, 39P01 en otra): crea las particiones mensuales de visitas que cubre la vigencia; una vigencia de más de contrato_meses_max meses o fuera del rango contrato_anios_atras / contrato_anios_adelante alrededor de hoy es 23514';
