-- Completeness (SPEC §6): a randomized (setseed) workload of inserts,
-- updates and deletes, in autocommit and in explicit transactions that
-- commit or roll back, with savepoints rolled back or released, leaves in
-- the trail exactly one row per committed change, in order, and none for
-- rolled-back ones.  Each change records its expectation in the same
-- statement, so a rollback removes both.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;
SELECT plan(6);

CREATE TABLE public.auditoria_esperado (
    n       bigserial PRIMARY KEY,
    op      text NOT NULL,
    nit     text NOT NULL,
    nombre  text
);
CREATE TABLE public.auditoria_inicio AS
    SELECT coalesce(pg_sequence_last_value('pae.auditoria_id_seq'), 0) AS id;

CREATE FUNCTION pg_temp.guion(pasos int) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
    en_tx   boolean := false;
    sp      boolean := false;
    r       float8;
    nit     text;
BEGIN
    PERFORM setseed(0.31416);
    FOR i IN 1..pasos LOOP
        r := random();
        nit := '7770000' || lpad((1 + floor(random() * 25))::int::text, 2, '0');
        IF NOT en_tx AND r < 0.15 THEN
            RETURN NEXT 'BEGIN'; en_tx := true; CONTINUE;
        ELSIF en_tx AND r < 0.05 THEN
            RETURN NEXT 'COMMIT'; en_tx := false; sp := false; CONTINUE;
        ELSIF en_tx AND r < 0.10 THEN
            RETURN NEXT 'ROLLBACK'; en_tx := false; sp := false; CONTINUE;
        ELSIF en_tx AND r < 0.14 THEN
            RETURN NEXT 'SAVEPOINT s'; sp := true; CONTINUE;
        ELSIF en_tx AND sp AND r < 0.19 THEN
            RETURN NEXT 'ROLLBACK TO SAVEPOINT s'; CONTINUE;
        ELSIF en_tx AND sp AND r < 0.21 THEN
            RETURN NEXT 'RELEASE SAVEPOINT s'; sp := false; CONTINUE;
        END IF;
        r := random();
        IF r < 0.4 THEN
            RETURN NEXT format('WITH c AS (INSERT INTO pae.operadores (nit, nombre) VALUES (%L, %L)'
                               ' ON CONFLICT DO NOTHING RETURNING nit, nombre)'
                               ' INSERT INTO public.auditoria_esperado (op, nit, nombre) SELECT ''INSERT'', nit, nombre FROM c',
                               nit, 'Operador ' || i);
        ELSIF r < 0.8 THEN
            RETURN NEXT format('WITH c AS (UPDATE pae.operadores SET nombre = %L WHERE nit = %L RETURNING nit, nombre)'
                               ' INSERT INTO public.auditoria_esperado (op, nit, nombre) SELECT ''UPDATE'', nit, nombre FROM c',
                               'Operador ' || i, nit);
        ELSE
            RETURN NEXT format('WITH c AS (DELETE FROM pae.operadores WHERE nit = %L RETURNING nit, nombre)'
                               ' INSERT INTO public.auditoria_esperado (op, nit, nombre) SELECT ''DELETE'', nit, nombre FROM c',
                               nit);
        END IF;
    END LOOP;
    IF en_tx THEN
        RETURN NEXT 'COMMIT';
    END IF;
END
$$;

SELECT g FROM pg_temp.guion(1500) g \gexec

CREATE TEMP VIEW rastro AS
    SELECT a.id, a.operacion, a.pk->>'nit' AS nit,
           coalesce(a.despues, a.antes)->>'nombre' AS nombre
      FROM pae.auditoria a, public.auditoria_inicio i
     WHERE a.id > i.id AND a.tabla = 'operadores' AND a.pk->>'nit' LIKE '7770000%';

SELECT cmp_ok((SELECT count(*) FROM public.auditoria_esperado), '>', 200::bigint,
              'la carga aleatoria confirmó cientos de cambios');
SELECT cmp_ok((SELECT count(*) FROM pg_temp.guion(1500) g WHERE g LIKE 'ROLLBACK%'), '>', 20::bigint,
              'la carga revirtió transacciones y savepoints');
SELECT results_eq('SELECT operacion, nit, nombre FROM rastro ORDER BY id',
                  'SELECT op, nit, nombre FROM public.auditoria_esperado ORDER BY n',
                  'la auditoría tiene exactamente una fila por cambio confirmado, en orden');
SELECT is((SELECT count(*) FROM rastro), (SELECT count(*) FROM public.auditoria_esperado),
          'ninguna fila de cambios revertidos');
-- the trail replayed gives today's table
SELECT set_eq($$SELECT nit, nombre
                  FROM (SELECT DISTINCT ON (nit) nit, nombre, operacion FROM rastro ORDER BY nit, id DESC) u
                 WHERE operacion <> 'DELETE'$$,
              $$SELECT nit, nombre FROM pae.operadores WHERE nit LIKE '7770000%'$$,
              'reproducir la auditoría da el estado actual de la tabla');
SELECT ok(pae.sellar_auditoria() >= 0, 'se sella');
SELECT * FROM finish();

DELETE FROM pae.operadores WHERE nit LIKE '7770000%';
DROP VIEW rastro;
DROP TABLE public.auditoria_esperado, public.auditoria_inicio;
