-- Each INSERT, UPDATE and DELETE on a business table leaves one audit row
-- with its table, operation, primary key, old and new values (only the
-- changed columns for an UPDATE), the actor, the database role and the
-- client headers; passwords and tokens never enter the trail.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
BEGIN;
SELECT plan(16);

SELECT NULL FROM set_config('request.headers',
    '{"user-agent":"pae-app/2.1","x-forwarded-for":"190.0.0.7","authorization":"Bearer ey.secreto","cookie":"s=1","x-nada":"z"}', true);
-- the acting person exists and is active: every write needs one (SPEC §5)
INSERT INTO pae.usuarios (id, correo, nombre, rol, clave_hash)
VALUES ('11111111-2222-3333-4444-555555555555', 'jefa@pae.test', 'Jefa', 'admin', '$2a$06$nada');
SELECT NULL FROM set_config('request.jwt.claims', '{"sub":"11111111-2222-3333-4444-555555555555","role":"pae_admin"}', true);
CREATE TEMP TABLE antes_id ON COMMIT DROP AS
    SELECT coalesce(pg_sequence_last_value('pae.auditoria_id_seq'), 0) AS id;

INSERT INTO pae.operadores (nit, nombre) VALUES ('900111222-3', 'Alimentos del Cauca');
UPDATE pae.operadores SET nombre = 'Alimentos del Cauca SAS' WHERE nit = '900111222-3';
INSERT INTO pae.usuarios (id, correo, nombre, rol, clave_hash)
VALUES ('22222222-2222-3333-4444-555555555555', 'auditora@pae.test', 'Auditora', 'admin', '$2a$06$nada');
UPDATE pae.usuarios SET clave_hash = '$2a$06$otra', nombre = 'Auditora Uno' WHERE correo = 'auditora@pae.test';
DELETE FROM pae.operadores WHERE nit = '900111222-3';

CREATE TEMP VIEW mias AS
    SELECT a.* FROM pae.auditoria a, antes_id WHERE a.id > antes_id.id;

SELECT results_eq(
    'SELECT tabla, operacion, pk FROM mias ORDER BY id',
    $$VALUES ('operadores', 'INSERT', '{"nit": "900111222-3"}'::jsonb),
             ('operadores', 'UPDATE', '{"nit": "900111222-3"}'::jsonb),
             ('usuarios', 'INSERT', '{"id": "22222222-2222-3333-4444-555555555555"}'::jsonb),
             ('usuarios', 'UPDATE', '{"id": "22222222-2222-3333-4444-555555555555"}'::jsonb),
             ('operadores', 'DELETE', '{"nit": "900111222-3"}'::jsonb)$$,
    'una fila de auditoría por cambio, con tabla, operación y llave primaria');
SELECT is((SELECT despues FROM mias WHERE tabla = 'operadores' AND operacion = 'INSERT'),
          '{"nit": "900111222-3", "nombre": "Alimentos del Cauca"}'::jsonb,
          'INSERT guarda la fila nueva completa');
SELECT is((SELECT antes FROM mias WHERE tabla = 'operadores' AND operacion = 'INSERT'), NULL,
          'INSERT no tiene fila anterior');
SELECT is((SELECT antes || jsonb_build_object('|', despues) FROM mias WHERE tabla = 'operadores' AND operacion = 'UPDATE'),
          '{"nombre": "Alimentos del Cauca", "|": {"nombre": "Alimentos del Cauca SAS"}}'::jsonb,
          'UPDATE guarda antes y después solo de las columnas cambiadas');
SELECT is((SELECT antes FROM mias WHERE operacion = 'DELETE'),
          '{"nit": "900111222-3", "nombre": "Alimentos del Cauca SAS"}'::jsonb,
          'DELETE guarda la fila borrada completa');
SELECT ok(NOT EXISTS (SELECT 1 FROM mias WHERE tabla = 'usuarios'
                        AND (coalesce(antes, '{}') ? 'clave_hash' OR coalesce(despues, '{}') ? 'clave_hash')),
          'clave_hash nunca entra en la auditoría');
-- (credenciales_cambiadas_en, the moment the password changed, is kept: issue 10)
SELECT is((SELECT despues - 'credenciales_cambiadas_en' FROM mias WHERE tabla = 'usuarios' AND operacion = 'UPDATE'),
          '{"nombre": "Auditora Uno"}'::jsonb,
          'un UPDATE de la clave solo registra las demás columnas cambiadas');
SELECT is((SELECT array_agg(DISTINCT coalesce(actor::text, 'NULL')) FROM mias), ARRAY['11111111-2222-3333-4444-555555555555'],
          'el actor de cada fila es el sub del JWT');
SELECT is((SELECT array_agg(DISTINCT coalesce(rol_db, 'NULL')) FROM mias), ARRAY[current_user::text],
          'rol_db de cada fila es el rol que ejecutó');
SELECT is((SELECT cliente FROM mias LIMIT 1),
          '{"user-agent": "pae-app/2.1", "x-forwarded-for": "190.0.0.7"}'::jsonb,
          'cliente guarda user-agent y x-forwarded-for, nunca authorization ni cookie');
SELECT is((SELECT array_agg(DISTINCT coalesce(xid::text, 'NULL')) FROM mias), ARRAY[pg_current_xact_id()::text],
          'xid de cada fila es la transacción que hizo el cambio');
SELECT ok((SELECT bool_and(hash = pae.auditoria_hash(id, en, xid, tabla, operacion, pk, antes, despues,
                                                      actor, rol_db, cliente)) FROM mias),
          'cada fila lleva el hash de su contenido');

-- headers: values are bounded; malformed text gives no client info
SELECT NULL FROM set_config('request.headers', format('{"user-agent":"%s"}', repeat('x', 5000)), true);
INSERT INTO pae.operadores (nit, nombre) VALUES ('900111222-4', 'Otro');
SELECT is((SELECT length(cliente->>'user-agent') FROM mias ORDER BY id DESC LIMIT 1), 256,
          'cada valor de cabecera se recorta a 256 bytes');
SELECT NULL FROM set_config('request.headers', '{"user-agent": nope', true);
UPDATE pae.operadores SET nombre = 'Otro más' WHERE nit = '900111222-4';
SELECT is((SELECT cliente FROM mias ORDER BY id DESC LIMIT 1), NULL,
          'cabeceras mal formadas no impiden el cambio: cliente queda NULL');

-- a role without privileges on the trail cannot write or read it
SET LOCAL ROLE pae_coordinador;
SELECT throws_ok($$INSERT INTO pae.auditoria (en, xid, tabla, operacion, rol_db, hash, despues)
                   VALUES (now(), '1', 'x', 'INSERT', 'x', '\x00', '{}')$$,
                 '42501', NULL, 'los clientes no escriben la auditoría');
SELECT lives_ok($$INSERT INTO pae.operadores (nit, nombre) VALUES ('900111222-5', 'Con rol')$$,
                'un coordinador cambia una tabla auditada: el disparador escribe como dueño');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
