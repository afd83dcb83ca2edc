-- The trail is append-only (SPEC §6, PV009): UPDATE, DELETE and TRUNCATE
-- on pae.auditoria, on each partition and on the seals fail, for the owner
-- too; whole sealed months leave only through pae.archivar_auditoria.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
BEGIN;
SELECT plan(13);

SET LOCAL client_min_messages = warning;
INSERT INTO pae.operadores (nit, nombre) VALUES ('900222333-1', 'Para la prueba');
SELECT NULL FROM pae.crear_particion_mes('pae.auditoria', (now() AT TIME ZONE 'America/Bogota')::date);
SELECT NULL FROM pae.crear_particion_mes('pae.auditoria', '2020-01-01');
INSERT INTO pae.operadores (nit, nombre) VALUES ('900222333-2', 'En la partición del mes');
SELECT NULL FROM pae.sellar_auditoria();
CREATE TEMP TABLE p ON COMMIT DROP AS
    SELECT format('pae.auditoria_p%s', to_char(now() AT TIME ZONE 'America/Bogota', 'YYYY_MM')) AS mes;

-- the extension's owner (this superuser) too: a premise of the test, not an assertion
DO $$ BEGIN
    IF (SELECT e.extowner FROM pg_extension e WHERE e.extname = 'pae_cauca')
       IS DISTINCT FROM (SELECT oid FROM pg_roles WHERE rolname = current_user) THEN
        RAISE EXCEPTION 'premisa de la prueba: la sesión no es la dueña de la extensión';
    END IF;
END $$;
SELECT throws_ok('UPDATE pae.auditoria SET tabla = tabla', 'PV009', NULL, 'UPDATE de pae.auditoria: PV009');
SELECT throws_ok('DELETE FROM pae.auditoria', 'PV009', NULL, 'DELETE de pae.auditoria: PV009');
SELECT throws_ok('TRUNCATE pae.auditoria', 'PV009', NULL, 'TRUNCATE de pae.auditoria: PV009');
SELECT throws_ok(format('UPDATE %s SET tabla = tabla', mes), 'PV009', NULL, 'UPDATE de una partición mensual: PV009') FROM p;
SELECT throws_ok(format('DELETE FROM %s', mes), 'PV009', NULL, 'DELETE de una partición mensual: PV009') FROM p;
SELECT throws_ok(format('TRUNCATE %s', mes), 'PV009',
                 format('la auditoría es de solo inserción: TRUNCATE sobre "%s" no está permitido', substr(mes, 5)),
                 'TRUNCATE de una partición mensual: PV009') FROM p;
SELECT throws_ok('TRUNCATE pae.auditoria_default', 'PV009', NULL, 'TRUNCATE de la partición por defecto: PV009');
SELECT throws_ok('UPDATE pae.auditoria_sellos SET filas = filas', 'PV009', NULL, 'UPDATE de un sello: PV009');
SELECT throws_ok('DELETE FROM pae.auditoria_sellos', 'PV009', NULL, 'DELETE de un sello: PV009');
SELECT throws_ok('TRUNCATE pae.auditoria_sellos', 'PV009', NULL, 'TRUNCATE de los sellos: PV009');

-- retention: an old sealed month is detached and logged; unsealed rows refuse
SELECT is(pae.archivar_auditoria('2020-02-01'), 1, 'archivar separa el mes sellado ya vencido');
SELECT is((SELECT particion || ' ' || to_char(mes, 'YYYY-MM-DD') || ' ' || filas FROM pae.auditoria_archivos ORDER BY id DESC LIMIT 1),
          'pae.auditoria_p2020_01 2020-01-01 0', 'y lo registra en pae.auditoria_archivos');
INSERT INTO pae.operadores (nit, nombre) VALUES ('900222333-3', 'Sin sellar');
SELECT throws_ok($$SELECT pae.archivar_auditoria((now() + interval '2 months')::date)$$, '55000', NULL,
                 'un mes con filas sin sellar no se archiva');

SELECT * FROM finish();
ROLLBACK;
