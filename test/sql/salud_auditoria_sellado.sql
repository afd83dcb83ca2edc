-- pae.salud(), check auditoria_sellado (issue 13, item 3): the oldest
-- unsealed audit row and the last seal.  Unsealed rows younger than 5
-- minutes are ok (the seal runs every minute), older an aviso, older than
-- an hour an error; sealing clears it.  Old rows are written directly
-- (triggers off) to stand for the passing of time, and rolled back.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(7);
CREATE FUNCTION pg_temp.salud(c text, OUT chequeo text, OUT estado text, OUT detalle text, OUT sugerencia text)
LANGUAGE sql AS $$
    SELECT * FROM pae.salud() s WHERE s.chequeo = c $$;
SELECT pae.mantener_particiones(1) >= 0 AS hecho;
SELECT pae.sellar_auditoria() >= 0 AS sellado;

-- 1-2. everything sealed: ok, naming the last seal
SELECT is((pg_temp.salud('auditoria_sellado')).estado, 'ok', 'all sealed: ok');
SELECT matches((pg_temp.salud('auditoria_sellado')).detalle, 'todas las filas de auditoría están selladas; último sello: (ninguno|#[0-9]+ hace .*)',
               'the detail says all rows are sealed and which seal is the last');

-- 3. a fresh audited change: unsealed but young, ok with the count
INSERT INTO pae.operadores (nit, nombre) VALUES ('900000001-1', 'Operador Salud');
SELECT matches((pg_temp.salud('auditoria_sellado')).estado || ' ' || (pg_temp.salud('auditoria_sellado')).detalle,
               '^ok 1 filas de auditoría sin sellar, la más antigua de hace ', 'one young unsealed row: ok, counted');

-- 4-5. an unsealed row of 10 minutes ago: aviso, with what to run
SET LOCAL session_replication_role = replica;
INSERT INTO pae.auditoria (en, xid, tabla, operacion, pk, despues, rol_db, hash)
VALUES (now() - interval '10 minutes', pg_current_xact_id(), 'operadores', 'INSERT', '{"nit": "x"}', '{}', 'postgres', '\x00');
RESET session_replication_role;
SELECT is((pg_temp.salud('auditoria_sellado')).estado, 'aviso', 'oldest unsealed row 10 minutes old: aviso');
SELECT matches((pg_temp.salud('auditoria_sellado')).sugerencia, 'pae\.sellar_auditoria\(\)', 'the suggestion names pae.sellar_auditoria()');

-- 6. two hours old: error
SET LOCAL session_replication_role = replica;
INSERT INTO pae.auditoria (en, xid, tabla, operacion, pk, despues, rol_db, hash)
VALUES (now() - interval '2 hours', pg_current_xact_id(), 'operadores', 'INSERT', '{"nit": "y"}', '{}', 'postgres', '\x00');
RESET session_replication_role;
SELECT is((pg_temp.salud('auditoria_sellado')).estado, 'error', 'oldest unsealed row 2 hours old: error');

-- 7. sealing clears it
SELECT pae.sellar_auditoria() >= 3 AS sellado;
SELECT is((pg_temp.salud('auditoria_sellado')).estado, 'ok', 'after pae.sellar_auditoria(): ok again');

SELECT * FROM finish();
ROLLBACK;
