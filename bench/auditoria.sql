-- bench/auditoria.sql -- the audit-trail benchmark (SPEC §6, §12), run by
-- tools/bench_auditoria.sh as the superuser on a database where
-- CREATE EXTENSION pae_cauca CASCADE was run.
--
-- psql variables: n (single-row statements per phase and variant,
-- default 200000).
--
-- Fixture (schema bench_auditoria): one operador and contract, 1,000 sedes
-- near Popayán, one visitador per sede; bench_auditoria.cola numbers
-- 3 x n + 2,000 visits (visitador i visits sede i once a day, 09:00 Colombian
-- time, so no visit is a duplicate).
--
-- Three variants over the same table, pae.visitas, each inserting its own
-- n visits one INSERT at a time and then updating each of them once
-- (observaciones, one UPDATE per row):
--   (a) sin_auditoria  the audit trigger disabled (ALTER TABLE ... DISABLE
--                      TRIGGER auditoria, on pae.visitas and each partition)
--   (b) c              the extension's C audit trigger (pae.tg_auditoria)
--   (c) plpgsql        audit trigger disabled, and instead a PL/pgSQL
--                      trigger in the style of supa_audit: to_jsonb(NEW) and
--                      to_jsonb(OLD) into a month-partitioned table with a
--                      BRIN index on time and btree indexes on table and
--                      record ids
-- The extension's validation triggers on visits (sede, contract, dates,
-- duplicates, state machine) stay enabled in all three variants: they cost
-- the same in each, so "added time" = variant - (a) is the audit alone, and
-- the overhead ratio (b)/(a) is that of an audited visit write.
-- Results go to bench_auditoria.resultados (seconds per variant and phase).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET synchronous_commit = off;
\if :{?n}
\else
\set n 200000
\endif

DROP SCHEMA IF EXISTS bench_auditoria CASCADE;
CREATE SCHEMA bench_auditoria;

INSERT INTO pae.operadores (nit, nombre) VALUES ('900765432-1', 'Operador de la prueba de auditoría')
ON CONFLICT DO NOTHING;
INSERT INTO pae.contratos (numero, operador, vigencia, raciones_dia, modalidad)
VALUES ('PAE-AUD-2025', '900765432-1', daterange('2025-01-01', '2026-12-31', '[]'), 100, 'RPS')
ON CONFLICT DO NOTHING;
INSERT INTO pae.sedes (codigo, nombre, municipio, ubicacion)
SELECT '2190019' || lpad(i::text, 5, '0'), 'Sede de la prueba de auditoría ' || i, '19001',
       ST_SetSRID(ST_MakePoint(-76.60 + (i % 40) * 0.002, 2.44 + (i / 40) * 0.002), 4326)::geography
  FROM generate_series(1, 1000) i
ON CONFLICT DO NOTHING;
INSERT INTO pae.contrato_sedes (contrato, sede)
SELECT 'PAE-AUD-2025', '2190019' || lpad(i::text, 5, '0') FROM generate_series(1, 1000) i
ON CONFLICT DO NOTHING;
INSERT INTO pae.usuarios (id, correo, nombre, rol)
SELECT ('00000000-0000-4000-9000-' || lpad(i::text, 12, '0'))::uuid,
       'auditoria' || i || '@bench.pae.example', 'Visitador de la prueba ' || i, 'visitador'
  FROM generate_series(1, 1000) i
ON CONFLICT DO NOTHING;

CREATE TABLE bench_auditoria.cola (
    n               bigint PRIMARY KEY,
    id              uuid NOT NULL,
    sede            char(12) NOT NULL,
    visitador       uuid NOT NULL,
    fecha_visita    timestamptz NOT NULL
);
INSERT INTO bench_auditoria.cola
SELECT k, ('20000000-' || lpad(to_hex(k / 65536), 4, '0') || '-4000-8000-' || lpad(to_hex(k % 65536), 12, '0'))::uuid,
       '2190019' || lpad((k % 1000 + 1)::text, 5, '0'),
       ('00000000-0000-4000-9000-' || lpad((k % 1000 + 1)::text, 12, '0'))::uuid,
       (date '2025-01-01' + (k / 1000)::int + time '09:00') AT TIME ZONE 'America/Bogota'
  FROM generate_series(0, 3 * :n + 1999) k;
ANALYZE bench_auditoria.cola;

-- (c) the PL/pgSQL comparison, supa_audit style
CREATE TABLE bench_auditoria.record_version (
    id              bigserial,
    record_id       uuid,
    old_record_id   uuid,
    op              text NOT NULL,
    ts              timestamptz NOT NULL DEFAULT now(),
    table_oid       oid NOT NULL,
    table_schema    name NOT NULL,
    table_name      name NOT NULL,
    record          jsonb,
    old_record      jsonb,
    PRIMARY KEY (id, ts)
) PARTITION BY RANGE (ts);
CREATE INDEX ON bench_auditoria.record_version USING brin (ts);
CREATE INDEX ON bench_auditoria.record_version (table_oid);
CREATE INDEX ON bench_auditoria.record_version (record_id);
CREATE INDEX ON bench_auditoria.record_version (old_record_id);
CREATE TABLE bench_auditoria.record_version_default PARTITION OF bench_auditoria.record_version DEFAULT;
SELECT format('CREATE TABLE bench_auditoria.record_version_actual PARTITION OF bench_auditoria.record_version FOR VALUES FROM (%L) TO (%L)',
              date_trunc('month', now()), date_trunc('month', now()) + interval '1 month') \gexec

CREATE FUNCTION bench_auditoria.tg_plpgsql()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
    rec     jsonb;
    old_rec jsonb;
BEGIN
    IF TG_OP <> 'DELETE' THEN
        rec := pg_catalog.to_jsonb(NEW);
    END IF;
    IF TG_OP <> 'INSERT' THEN
        old_rec := pg_catalog.to_jsonb(OLD);
    END IF;
    INSERT INTO bench_auditoria.record_version (record_id, old_record_id, op, table_oid, table_schema,
                                                table_name, record, old_record)
    VALUES (pg_catalog.md5(pg_catalog.jsonb_build_array(rec->'id', rec->'fecha_visita')::text)::uuid,
            pg_catalog.md5(pg_catalog.jsonb_build_array(old_rec->'id', old_rec->'fecha_visita')::text)::uuid,
            TG_OP, TG_RELID, TG_TABLE_SCHEMA, TG_TABLE_NAME, rec, old_rec);
    RETURN NULL;
END
$$;

-- switching variants: the C audit trigger of visits (parent and every
-- partition) on for 'c', the PL/pgSQL trigger present for 'plpgsql'
CREATE PROCEDURE bench_auditoria.variante(v text)
LANGUAGE plpgsql AS $$
DECLARE
    r regclass;
BEGIN
    FOR r IN SELECT 'pae.visitas'::regclass
             UNION ALL SELECT i.inhrelid::regclass FROM pg_inherits i WHERE i.inhparent = 'pae.visitas'::regclass
    LOOP
        EXECUTE format('ALTER TABLE %s %s TRIGGER auditoria', r, CASE WHEN v = 'c' THEN 'ENABLE' ELSE 'DISABLE' END);
    END LOOP;
    DROP TRIGGER IF EXISTS bench_plpgsql ON pae.visitas;
    IF v = 'plpgsql' THEN
        CREATE TRIGGER bench_plpgsql AFTER INSERT OR UPDATE OR DELETE ON pae.visitas
            FOR EACH ROW EXECUTE FUNCTION bench_auditoria.tg_plpgsql();
    END IF;
END
$$;

CREATE TABLE bench_auditoria.resultados (
    variante    text NOT NULL,
    fase        text NOT NULL,
    segundos    float8 NOT NULL,
    filas       bigint NOT NULL,
    PRIMARY KEY (variante, fase)
);

-- one phase: n single-row INSERTs, or n single-row UPDATEs, of the rows of
-- cola numbered [desde, desde + n), committing every 1,000 rows (the visit
-- rules take a transaction-level advisory lock per visit)
CREATE PROCEDURE bench_auditoria.fase(p_variante text, p_fase text, p_desde bigint, p_n bigint)
LANGUAGE plpgsql AS $$
DECLARE
    r   record;
    t0  timestamptz;
BEGIN
    t0 := clock_timestamp();
    IF p_fase = 'insert' THEN
        FOR r IN SELECT c.* FROM bench_auditoria.cola c WHERE c.n >= p_desde AND c.n < p_desde + p_n ORDER BY c.n LOOP
            INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)
            VALUES (r.id, r.sede, 'PAE-AUD-2025', r.visitador, r.fecha_visita, 100);
            IF r.n % 1000 = 999 THEN
                COMMIT;
            END IF;
        END LOOP;
    ELSE
        FOR r IN SELECT c.* FROM bench_auditoria.cola c WHERE c.n >= p_desde AND c.n < p_desde + p_n ORDER BY c.n LOOP
            UPDATE pae.visitas SET observaciones = 'revisada ' || r.n
             WHERE id = r.id AND fecha_visita = r.fecha_visita;
            IF r.n % 1000 = 999 THEN
                COMMIT;
            END IF;
        END LOOP;
    END IF;
    INSERT INTO bench_auditoria.resultados
    VALUES (p_variante, p_fase, extract(epoch FROM clock_timestamp() - t0), p_n)
    ON CONFLICT (variante, fase) DO UPDATE
       SET segundos = resultados.segundos + EXCLUDED.segundos, filas = resultados.filas + EXCLUDED.filas;
END
$$;

-- every month of the visits exists before timing (no partition creation
-- inside a timed phase), and the audit's current month too
SELECT pae.asegurar_particiones('2025-01-01', '2026-12-31') AS particiones_visitas \gset
SELECT pae.mantener_particiones(1) AS particiones_auditoria \gset
VACUUM ANALYZE pae.visitas;
CHECKPOINT;

-- rows already in the trail (earlier benchmark sections share this database)
SELECT coalesce(max(id), 0) AS base_auditoria FROM pae.auditoria \gset

-- warm-up (not timed): 2,000 rows past the three ranges, C audit on
CALL bench_auditoria.fase('calentamiento', 'insert', 3 * :n, 2000);
CALL bench_auditoria.fase('calentamiento', 'update', 3 * :n, 2000);
DELETE FROM bench_auditoria.resultados;
ANALYZE pae.visitas;

-- Ten rounds; in each, every variant writes a tenth of its rows, so table
-- growth, statistics and cache drift hit the three variants alike.
SELECT format('CALL bench_auditoria.variante(%L)', v.variante),
       format('CALL bench_auditoria.fase(%L, %L, %s, %s)', v.variante, f.fase,
              v.k * :n + r * (:n / 10), :n / 10)
  FROM generate_series(0, 9) r,
       (VALUES (0, 'sin_auditoria'), (1, 'c'), (2, 'plpgsql')) v(k, variante),
       (VALUES (0, 'insert'), (1, 'update')) f(o, fase)
 ORDER BY f.o, r, v.k \gexec
CALL bench_auditoria.variante('c');
CHECKPOINT;

-- sanity: the C trail holds one row per write of variant (b), none of (a)/(c)
SELECT count(*) - 4000 AS filas_auditoria_c FROM pae.auditoria
 WHERE tabla = 'visitas' AND id > :base_auditoria \gset
SELECT count(*) AS filas_plpgsql FROM bench_auditoria.record_version \gset
\echo audit rows written by (b): :filas_auditoria_c (expected 2 x :n); by (c): :filas_plpgsql
SELECT variante, fase, round(segundos::numeric, 2) AS segundos,
       round((segundos * 1e6 / filas)::numeric, 1) AS us_por_fila
  FROM bench_auditoria.resultados ORDER BY fase, variante;
