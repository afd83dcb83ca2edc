-- Completeness (SPEC §6): a randomized (setseed) workload of inserts,
-- updates and deletes, in autocommit and in explicit transactions that
-- commit or roll back, with savepoints rolled back or released, leaves in
-- the trail exactly one row per committed change, in order, and none for
-- rolled-back ones.  Each change records its expectation in the same
-- statement, so a rollback removes both.  Sealing then seals exactly the
-- rows written since the last seal, across the gaps the rolled-back
-- writers left, and the trail verifies.
--
-- The one test file that commits (the workload must): it leaves no table,
-- no operador and no unsealed audit row behind; its committed audit rows
-- and seals are the trail's history, which no file relies on.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;
SELECT plan(5);

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

-- premises of the test, on its own generator (not assertions): the
-- workload committed hundreds of changes and rolled back transactions and
-- savepoints
DO $$ BEGIN
    IF (SELECT count(*) FROM public.auditoria_esperado) <= 200
       OR (SELECT count(*) FROM pg_temp.guion(1500) g WHERE g LIKE 'ROLLBACK%') <= 20 THEN
        RAISE EXCEPTION 'premisa de la prueba: la carga aleatoria no confirmó cientos de cambios ni revirtió decenas';
    END IF;
END $$;
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
-- sealing seals exactly the rows written since the last seal (this
-- workload's, and whatever was unsealed before it), across the gaps of the
-- rolled-back writers
CREATE TABLE public.auditoria_sin_sellar AS
    SELECT count(*) AS filas FROM pae.auditoria a
     WHERE a.id > (SELECT coalesce(max(hasta_id), 0) FROM pae.auditoria_sellos);
SELECT is(pae.sellar_auditoria(), (SELECT filas FROM public.auditoria_sin_sellar),
          'se sellan exactamente las filas escritas desde el último sello');
SELECT is_empty($$SELECT * FROM pae.verificar_auditoria()$$,
                'lo sellado sobre los huecos de las escrituras revertidas verifica');
SELECT * FROM finish();

DELETE FROM pae.operadores WHERE nit LIKE '7770000%';
DROP VIEW rastro;
DROP TABLE public.auditoria_esperado, public.auditoria_inicio, public.auditoria_sin_sellar;
-- the clean-up's own audit rows are sealed too: nothing unsealed is left
SELECT NULL FROM pae.sellar_auditoria();
