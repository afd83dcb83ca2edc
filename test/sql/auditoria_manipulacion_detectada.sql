-- Tamper evidence (SPEC §6): a superuser who switches the triggers off
-- (session_replication_role = replica) and edits, deletes, inserts or
-- reorders audit rows, or edits a seal, is reported by
-- pae.verificar_auditoria(); verification does not depend on TimeZone,
-- DateStyle, extra_float_digits or search_path.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
BEGIN;
SELECT plan(13);

-- two seals over rows of this test
SELECT NULL FROM pae.sellar_auditoria();
INSERT INTO pae.operadores (nit, nombre)
SELECT format('9000000%s-1', g), format('Operador %s', g) FROM generate_series(10, 14) g;
UPDATE pae.operadores SET nombre = nombre || ' SAS' WHERE nit LIKE '9000000%-1';
SELECT NULL FROM pae.sellar_auditoria();
INSERT INTO pae.checklist_items (codigo, categoria, texto, peso)
VALUES ('TST-01', 'higiene', 'Ítem de prueba con peso decimal', 1.5);
DELETE FROM pae.operadores WHERE nit = '900000014-1';
SELECT NULL FROM pae.sellar_auditoria();

CREATE TEMP TABLE s ON COMMIT DROP AS
    SELECT (SELECT max(id) - 1 FROM pae.auditoria_sellos) AS penultimo,
           (SELECT max(id) FROM pae.auditoria_sellos) AS ultimo;
CREATE TEMP TABLE f ON COMMIT DROP AS
    SELECT min(a.id) AS uno, min(a.id) + 1 AS dos, min(a.id) + 2 AS tres
      FROM pae.auditoria a, pae.auditoria_sellos x, s
     WHERE x.id = s.penultimo AND a.id BETWEEN x.desde_id AND x.hasta_id;

SELECT is_empty('SELECT * FROM pae.verificar_auditoria()', 'auditoría íntegra tras sellar');

SET LOCAL session_replication_role = replica;

-- 1. a row's data edited
SAVEPOINT m;
UPDATE pae.auditoria SET despues = jsonb_set(despues, '{nombre}', '"Otro"') WHERE id = (SELECT uno FROM f);
SELECT set_eq('SELECT tipo, auditoria_id, sello_id FROM pae.verificar_auditoria()',
    'SELECT ''fila_alterada'', uno, NULL::bigint FROM f',
    'una fila editada se detecta');
ROLLBACK TO m;

-- 2. a row deleted
DELETE FROM pae.auditoria WHERE id = (SELECT dos FROM f);
SELECT set_eq('SELECT tipo, auditoria_id, sello_id FROM pae.verificar_auditoria()',
    'SELECT ''sello_filas'', NULL::bigint, penultimo FROM s UNION ALL SELECT ''sello_alterado'', NULL, penultimo FROM s',
    'una fila borrada se detecta (filas y cadena del sello)');
ROLLBACK TO m;

-- 3. a row inserted behind the back, with a self-consistent hash, inside a
--    sealed range (a duplicate id) and beyond anything the sequence gave
INSERT INTO pae.auditoria (id, en, xid, tabla, operacion, pk, despues, rol_db, hash)
OVERRIDING SYSTEM VALUE
SELECT f.dos, now(), pg_current_xact_id(), 'operadores', 'INSERT', '{"nit":"1"}', '{"nit":"1"}', 'postgres',
       pae.auditoria_hash(f.dos, now(), pg_current_xact_id(), 'operadores', 'INSERT', '{"nit":"1"}', NULL,
                          '{"nit":"1"}', NULL, 'postgres', NULL)
  FROM f;
SELECT set_eq('SELECT tipo, auditoria_id, sello_id FROM pae.verificar_auditoria()',
    'SELECT ''sello_filas'', NULL::bigint, penultimo FROM s UNION ALL SELECT ''sello_alterado'', NULL, penultimo FROM s',
    'una fila insertada a escondidas dentro de un sello se detecta');
ROLLBACK TO m;
INSERT INTO pae.auditoria (id, en, xid, tabla, operacion, pk, despues, rol_db, hash)
OVERRIDING SYSTEM VALUE
SELECT 1000000000, now(), pg_current_xact_id(), 'operadores', 'INSERT', '{"nit":"1"}', '{"nit":"1"}', 'postgres',
       pae.auditoria_hash(1000000000, now(), pg_current_xact_id(), 'operadores', 'INSERT', '{"nit":"1"}', NULL,
                          '{"nit":"1"}', NULL, 'postgres', NULL);
SELECT set_eq('SELECT tipo, auditoria_id FROM pae.verificar_auditoria()',
    $$VALUES ('fila_fuera_de_secuencia', 1000000000::bigint)$$,
    'una fila con un id que la secuencia nunca entregó se detecta');
ROLLBACK TO m;

-- 4. two rows reordered (ids swapped)
CREATE TEMP TABLE d ON COMMIT DROP AS SELECT a.* FROM pae.auditoria a, f WHERE a.id IN (f.uno, f.tres);
DELETE FROM pae.auditoria a USING f WHERE a.id IN (f.uno, f.tres);
INSERT INTO pae.auditoria OVERRIDING SYSTEM VALUE
SELECT CASE d.id WHEN f.uno THEN f.tres ELSE f.uno END, d.en, d.xid, d.tabla, d.operacion, d.pk, d.antes,
       d.despues, d.actor, d.rol_db, d.cliente, d.hash
  FROM d, f;
SELECT set_eq('SELECT tipo, auditoria_id, sello_id FROM pae.verificar_auditoria()',
    'SELECT ''fila_alterada'', uno, NULL::bigint FROM f UNION ALL SELECT ''fila_alterada'', tres, NULL FROM f
     UNION ALL SELECT ''sello_alterado'', NULL, penultimo FROM s',
    'dos filas intercambiadas se detectan');
ROLLBACK TO m;

-- 5. a seal edited: its chain and the next seal's link break
UPDATE pae.auditoria_sellos SET hash = sha256('otro'::bytea) WHERE id = (SELECT penultimo FROM s);
SELECT set_eq('SELECT tipo, auditoria_id, sello_id FROM pae.verificar_auditoria()',
    'SELECT ''sello_alterado'', NULL::bigint, penultimo FROM s UNION ALL SELECT ''enlace_roto'', NULL, ultimo FROM s',
    'un sello editado se detecta, y el enlace del siguiente');
ROLLBACK TO m;

-- 6. a seal's range edited to leave a deleted row out
DELETE FROM pae.auditoria WHERE id = (SELECT max(hasta_id) FROM pae.auditoria_sellos);
UPDATE pae.auditoria_sellos SET hasta_id = hasta_id - 1, filas = filas - 1 WHERE id = (SELECT ultimo FROM s);
SELECT set_eq('SELECT tipo, sello_id FROM pae.verificar_auditoria()',
    'SELECT ''sello_alterado'', ultimo FROM s',
    'un sello recortado para ocultar un borrado se detecta');
ROLLBACK TO m;

-- 7. a seal deleted
DELETE FROM pae.auditoria_sellos WHERE id = (SELECT penultimo FROM s);
SELECT set_eq('SELECT tipo, sello_id FROM pae.verificar_auditoria()',
    'SELECT ''enlace_roto'', ultimo FROM s UNION ALL SELECT ''enlace_roto'', ultimo FROM s',
    'un sello borrado rompe el enlace del siguiente (hash y rango)');
ROLLBACK TO m;
RESET session_replication_role;

-- the canonical hash does not depend on the session's settings
SET LOCAL TimeZone = 'Asia/Kathmandu';
SET LOCAL DateStyle = 'SQL, DMY';
SET LOCAL extra_float_digits = -10;
SET LOCAL IntervalStyle = 'sql_standard';
CREATE SCHEMA trampa;
CREATE FUNCTION trampa.sha256(bytea) RETURNS bytea LANGUAGE sql AS $$ SELECT '\x00'::bytea $$;
CREATE FUNCTION trampa.string_agg(bytea, bytea) RETURNS bytea LANGUAGE sql AS $$ SELECT '\x00'::bytea $$;
SET LOCAL search_path = trampa, public;
SELECT is_empty('SELECT * FROM pae.verificar_auditoria()',
                'verificación limpia con otra TimeZone, DateStyle, extra_float_digits y search_path');
INSERT INTO pae.operadores (nit, nombre) VALUES ('900000099-1', 'Con otra zona');
SELECT is(pae.sellar_auditoria(), 1::bigint, 'se sella con otros ajustes: la única fila escrita desde el último sello');
RESET ALL;
SELECT is_empty('SELECT * FROM pae.verificar_auditoria()',
                'lo sellado con otros ajustes verifica con los de siempre');
SELECT is((SELECT count(*)::int FROM pae.auditoria a WHERE a.id > (SELECT max(hasta_id) FROM pae.auditoria_sellos)), 0,
          'no quedan filas sin sellar');

SELECT * FROM finish();
ROLLBACK;
