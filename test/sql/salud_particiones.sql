-- pae.salud(), checks particiones:<tabla>, particiones_por_defecto and
-- bloqueos (issue 13, items 3 and 6): every monthly-partitioned table of
-- schema pae (partitions named <tabla>_pYYYY_MM: visitas, auditoria, the
-- rollups pae.resumen_*) has this month's partition and the next (else
-- error / aviso), rows waiting in a default partition are reported, and so
-- is a table whose partitions and indexes outnumber max_locks_per_transaction.  Each
-- failing condition is made inside the transaction and rolled back.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(14);
CREATE FUNCTION pg_temp.salud(c text, OUT chequeo text, OUT estado text, OUT detalle text, OUT sugerencia text)
LANGUAGE sql AS $$
    SELECT * FROM pae.salud() s WHERE s.chequeo = c $$;
CREATE FUNCTION pg_temp.mes(k integer) RETURNS text LANGUAGE sql AS $$
    SELECT to_char(date_trunc('month', now() AT TIME ZONE pae.regla('zona_horaria')) + make_interval(months => k), 'YYYY_MM') $$;
SELECT pae.mantener_particiones(3) >= 0 AS hecho;

-- 1-2. after the upkeep: ok, with the months ahead said
SELECT is((pg_temp.salud('particiones:visitas')).estado, 'ok', 'visits with 3 months ahead: ok');
SELECT is((pg_temp.salud('particiones:auditoria')).detalle,
          format('pae.auditoria tiene particiones hasta %s (3 meses adelante)', replace(pg_temp.mes(3), '_', '-')),
          'the detail says up to which month');

-- 3-4. next month's partition missing: aviso, with what to run
DO $$ BEGIN EXECUTE format('DROP TABLE pae.visitas_p%s', pg_temp.mes(1)); END $$;
SELECT is((pg_temp.salud('particiones:visitas')).estado, 'aviso', 'no partition for next month: aviso');
SELECT matches((pg_temp.salud('particiones:visitas')).sugerencia, 'pae\.mantener_particiones\(\)',
               'the suggestion names pae.mantener_particiones()');

-- 5. this month's partition missing: error
DO $$ BEGIN EXECUTE format('DROP TABLE pae.auditoria_p%s', pg_temp.mes(0)); END $$;
SELECT is((pg_temp.salud('particiones:auditoria')).estado, 'error', 'no partition for this month: error');

-- 6-8. any monthly-partitioned table of pae is checked (a rollup, say)
CREATE TABLE pae.resumen_prueba (mes date NOT NULL, n bigint) PARTITION BY RANGE (mes);
SELECT is((pg_temp.salud('particiones:resumen_prueba')).estado, 'error', 'a rollup without partitions: error');
DO $$ BEGIN
    EXECUTE format('CREATE TABLE pae.resumen_prueba_p%s PARTITION OF pae.resumen_prueba FOR VALUES FROM (%L) TO (%L)',
                   pg_temp.mes(0), date_trunc('month', now() AT TIME ZONE pae.regla('zona_horaria'))::date,
                   (date_trunc('month', now() AT TIME ZONE pae.regla('zona_horaria')) + interval '1 month')::date);
END $$;
SELECT is((pg_temp.salud('particiones:resumen_prueba')).estado, 'aviso', 'a rollup with only this month: aviso');
CREATE TABLE pae.otra_prueba (en date NOT NULL) PARTITION BY RANGE (en);
CREATE TABLE pae.otra_prueba_p2020_01 PARTITION OF pae.otra_prueba FOR VALUES FROM ('2020-01-01') TO ('2020-02-01');
SELECT is((pg_temp.salud('particiones:otra_prueba')).estado, 'error',
          'found by its partitions named <tabla>_pYYYY_MM, whatever its name');

-- 9-11. rows waiting in a default partition
SELECT is((pg_temp.salud('particiones_por_defecto')).estado, 'ok', 'no rows in default partitions: ok');
CREATE TABLE pae.resumen_prueba_default PARTITION OF pae.resumen_prueba DEFAULT;
INSERT INTO pae.resumen_prueba VALUES ('2001-01-01', 1), ('2001-02-01', 2);
SELECT is((pg_temp.salud('particiones_por_defecto')).estado, 'aviso', 'rows in a default partition: aviso');
SELECT is((pg_temp.salud('particiones_por_defecto')).detalle,
          'filas en particiones por defecto (meses sin partición): pae.resumen_prueba_default: 2',
          'the detail names the default partition and its rows');

-- 12-14. locks: a query over every month locks each partition and index
SELECT is((pg_temp.salud('bloqueos')).estado, 'ok', 'few partitions: ok');
DO $$ BEGIN
    FOR k IN 1 .. current_setting('max_locks_per_transaction')::integer LOOP
        EXECUTE format('CREATE TABLE pae.otra_prueba_p%s PARTITION OF pae.otra_prueba FOR VALUES FROM (%L) TO (%L)',
                       to_char(date '2100-01-01' + make_interval(months => k), 'YYYY_MM'),
                       date '2100-01-01' + make_interval(months => k), date '2100-01-01' + make_interval(months => k + 1));
    END LOOP;
END $$;
SELECT is((pg_temp.salud('bloqueos')).estado, 'aviso', 'more partitions than max_locks_per_transaction: aviso');
SELECT matches((pg_temp.salud('bloqueos')).sugerencia, '^Suba max_locks_per_transaction a [0-9]+',
               'the suggestion gives a value for max_locks_per_transaction');

SELECT * FROM finish();
ROLLBACK;
