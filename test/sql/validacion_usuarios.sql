-- People (SPEC §5, §10): pae.crear_usuario refuses weak passwords, invalid
-- roles, duplicate correos (case-insensitive), unknown municipios and
-- non-admin callers, storing nothing; passwords are kept as bcrypt hashes
-- only.  pae.usuario_actual() believes the JWT sub claim only in sessions
-- opened by a superuser or by the authenticator role (pae.rol_autenticador);
-- otherwise it maps current_user through login_db.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
BEGIN;
SELECT plan(41);

CREATE FUNCTION pg_temp.usuarios(correo text) RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM pae.usuarios u WHERE lower(u.correo) = lower($1) $$;

-- creating a person
SELECT lives_ok($$SELECT pae.crear_usuario('ana.ruiz@example.org', '  Ana Ruiz  ', 'visitador',
                                           'clave-larga-2025', ARRAY['19001', '19130']::char(5)[])$$,
                'an admin session creates a visitador with two municipios');
SELECT is((SELECT row(nombre, rol, activo, login_db IS NULL)::text FROM pae.usuarios
            WHERE correo = 'ana.ruiz@example.org'),
          '("Ana Ruiz",visitador,t,t)', 'the person is stored active, with a trimmed name and no login_db');
SELECT ok((SELECT clave_hash LIKE '$2a$%' FROM pae.usuarios WHERE correo = 'ana.ruiz@example.org'),
          'the password is stored as a bcrypt hash ($2a$)');
SELECT ok((SELECT position('clave-larga-2025' IN clave_hash) = 0 FROM pae.usuarios WHERE correo = 'ana.ruiz@example.org'),
          'the plain password appears nowhere in the stored hash');
SELECT ok((SELECT pae.verificar_clave('clave-larga-2025', clave_hash) FROM pae.usuarios WHERE correo = 'ana.ruiz@example.org'),
          'the hash verifies the right password');
SELECT ok((SELECT NOT pae.verificar_clave('clave-larga-2024', clave_hash) FROM pae.usuarios WHERE correo = 'ana.ruiz@example.org'),
          'the hash rejects a wrong password');
SELECT is((SELECT array_agg(um.municipio::text ORDER BY um.municipio) FROM pae.usuario_municipios um
             JOIN pae.usuarios u ON u.id = um.usuario WHERE u.correo = 'ana.ruiz@example.org'),
          ARRAY['19001', '19130'], 'the municipios in charge are stored');
CREATE TEMP TABLE creado ON COMMIT DROP AS
SELECT pae.crear_usuario('luis.paz@example.org', 'Luis Paz', 'supervisor', 'otra-clave-123') AS id;
SELECT is(pg_temp.usuarios('luis.paz@example.org'), 1::bigint, 'crear_usuario without municipios stores the person');
SELECT is((SELECT id FROM creado), (SELECT id FROM pae.usuarios WHERE correo = 'luis.paz@example.org'),
          'crear_usuario returns the new person''s id');
SELECT is((SELECT count(*) FROM pae.usuario_municipios um JOIN pae.usuarios u ON u.id = um.usuario
            WHERE u.correo = 'luis.paz@example.org'), 0::bigint, 'no municipios when none are given');
SELECT is((SELECT clave_hash FROM pae.usuarios WHERE correo = 'ana.ruiz@example.org'),
          (SELECT crypt('clave-larga-2025', clave_hash) FROM pae.usuarios WHERE correo = 'ana.ruiz@example.org'),
          'the stored hash is the bcrypt of the password (pgcrypto''s crypt agrees)');

-- refusals, each storing nothing
SELECT throws_ok($$SELECT pae.crear_usuario('debil@example.org', 'Débil', 'visitador', '123456789')$$,
                 '22023', 'contraseña débil: tiene 9 caracteres',
                 'a 9-character password is refused (22023) with the Spanish message');
SELECT is(pg_temp.usuarios('debil@example.org'), 0::bigint, 'weak password: nothing stored');
SELECT throws_ok($$SELECT pae.crear_usuario('debil@example.org', 'Débil', 'visitador', NULL)$$,
                 '22023', NULL, 'a NULL password is refused (22023)');
SELECT lives_ok($$SELECT pae.crear_usuario('justa@example.org', 'Justa', 'visitador', '1234567890')$$,
                'a 10-character password is accepted');
SELECT throws_ok($$SELECT pae.crear_usuario('jefe@example.org', 'Jefe', 'jefe', 'clave-larga-2025')$$,
                 '22023', 'rol inválido: "jefe"', 'an invalid rol is refused (22023) with the Spanish message');
SELECT throws_ok($$SELECT pae.crear_usuario('jefe@example.org', 'Jefe', 'Admin', 'clave-larga-2025')$$,
                 '22023', NULL, 'roles are lower-case: "Admin" is refused (22023)');
SELECT is(pg_temp.usuarios('jefe@example.org'), 0::bigint, 'invalid rol: nothing stored');
SELECT throws_ok($$SELECT pae.crear_usuario('ANA.RUIZ@Example.org', 'Otra Ana', 'visitador', 'clave-larga-2025')$$,
                 '23505', 'ya existe un usuario con el correo "ANA.RUIZ@Example.org"',
                 'a correo differing only in case is a duplicate (23505) with the Spanish message');
SELECT is(pg_temp.usuarios('ana.ruiz@example.org'), 1::bigint, 'duplicate correo: still one person with that correo');
SELECT throws_ok($$INSERT INTO pae.usuarios (correo, nombre, rol) VALUES ('Luis.Paz@example.org', 'Luis bis', 'visitador')$$,
                 '23505', NULL, 'a direct INSERT of a correo differing only in case is 23505 too');
SELECT throws_ok($$SELECT pae.crear_usuario('mun@example.org', 'Mun', 'supervisor', 'clave-larga-2025',
                                            ARRAY['19001', '19999']::char(5)[])$$,
                 '23503', 'municipios desconocidos: 19999',
                 'an unknown municipio is refused (23503) with the Spanish message');
SELECT is(pg_temp.usuarios('mun@example.org'), 0::bigint, 'unknown municipio: nothing stored, not even the person');
SELECT throws_ok($$SELECT pae.crear_usuario('no-es-correo', 'Sin Correo', 'visitador', 'clave-larga-2025')$$,
                 '22023', NULL, 'a malformed correo is refused (22023)');

-- only admins
SET LOCAL ROLE pae_visitador;
SELECT throws_ok($$SELECT pae.crear_usuario('intruso@example.org', 'Intruso', 'admin', 'clave-larga-2025')$$,
                 '42501', NULL, 'a visitador cannot create people (42501)');
RESET ROLE;
SET LOCAL ROLE pae_coordinador;
SELECT throws_ok($$SELECT pae.crear_usuario('intruso@example.org', 'Intruso', 'admin', 'clave-larga-2025')$$,
                 '42501', NULL, 'a coordinador cannot create people (42501)');
RESET ROLE;
SELECT is(pg_temp.usuarios('intruso@example.org'), 0::bigint, 'refused callers stored nothing');
SET LOCAL ROLE pae_admin;
SELECT lives_ok($$SELECT pae.crear_usuario('nuevo.admin@example.org', 'Nuevo Admin', 'coordinador', 'clave-larga-2025')$$,
                'pae_admin can create people');
RESET ROLE;
SELECT is(pg_temp.usuarios('nuevo.admin@example.org'), 1::bigint, 'the person created by pae_admin is stored');

-- pae.usuario_actual(), through a wrapper that turns an error into its
-- SQLSTATE so one failure cannot abort the rest of the file
CREATE FUNCTION pg_temp.actual() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN coalesce(pae.usuario_actual()::text, 'nadie');
EXCEPTION WHEN OTHERS THEN
    RETURN 'ERROR ' || SQLSTATE;
END $$;
-- the acting person by name (fixture ids are random: never print them)
CREATE TEMP TABLE personas ON COMMIT DROP AS
SELECT id::text AS id, split_part(correo, '.', 1) AS quien FROM pae.usuarios;
GRANT SELECT ON personas TO PUBLIC;
CREATE FUNCTION pg_temp.quien() RETURNS text LANGUAGE sql AS $$
    SELECT coalesce((SELECT p.quien FROM personas p WHERE p.id = a.a), a.a)
      FROM (SELECT pg_temp.actual() AS a) AS a $$;
GRANT EXECUTE ON FUNCTION pg_temp.actual(), pg_temp.quien() TO PUBLIC;

SELECT is(pg_temp.quien(), 'nadie', 'a superuser session with no claims and no login_db mapping acts as nobody');
DO $$ BEGIN PERFORM set_config('request.jwt.claims',
    json_build_object('sub', (SELECT id FROM pae.usuarios WHERE correo = 'ana.ruiz@example.org'))::text, true); END $$;
SELECT is(pg_temp.quien(), 'ana',
          'the sub claim is trusted when the session user is a superuser');
SET LOCAL ROLE pae_visitador;
SELECT is(pg_temp.quien(), 'ana',
          '... also after SET ROLE (what PostgREST does per request)');
RESET ROLE;
DO $$ BEGIN PERFORM set_config('request.jwt.claims', '{"sub": "no-es-un-uuid"}', true); END $$;
SELECT is(pg_temp.quien(), 'ERROR 42501', 'a malformed sub claim is 42501, never "nobody"');
DO $$ BEGIN PERFORM set_config('request.jwt.claims', '', true); END $$;

-- a session opened by an ordinary role: its claims are not believed; the
-- person is the one whose login_db is current_user
CREATE ROLE pae_prueba_sesion NOLOGIN IN ROLE pae_visitador;
UPDATE pae.usuarios SET login_db = 'pae_prueba_sesion' WHERE correo = 'luis.paz@example.org';
DO $$ BEGIN PERFORM set_config('request.jwt.claims',
    json_build_object('sub', (SELECT id FROM pae.usuarios WHERE correo = 'ana.ruiz@example.org'))::text, true); END $$;
SET LOCAL SESSION AUTHORIZATION pae_prueba_sesion;
SELECT isnt(pg_temp.quien(), 'ana',
            'an ordinary session that sets request.jwt.claims cannot pose as the sub');
SELECT is(pg_temp.quien(), 'luis',
          'an ordinary session is the person whose login_db is current_user');
RESET SESSION AUTHORIZATION;
UPDATE pae.usuarios SET login_db = NULL WHERE correo = 'luis.paz@example.org';
SET LOCAL SESSION AUTHORIZATION pae_prueba_sesion;
SELECT is(pg_temp.quien(), 'nadie', 'without a login_db mapping the ordinary session is nobody, claims or not');
RESET SESSION AUTHORIZATION;

-- what pae.usuarios says of a session is read once per transaction, but
-- never kept past a write to the table or a rolled-back savepoint
SAVEPOINT mapeo;
UPDATE pae.usuarios SET login_db = 'pae_prueba_sesion' WHERE correo = 'luis.paz@example.org';
SET LOCAL SESSION AUTHORIZATION pae_prueba_sesion;
SELECT pg_temp.quien() AS quien_en_savepoint \gset
RESET SESSION AUTHORIZATION;
ROLLBACK TO SAVEPOINT mapeo;
SELECT is(:'quien_en_savepoint'::text, 'luis', 'a login_db mapping made in a savepoint is seen at once');
SET LOCAL SESSION AUTHORIZATION pae_prueba_sesion;
SELECT is(pg_temp.quien(), 'nadie', 'after ROLLBACK TO SAVEPOINT the mapping is gone, not served from a cache');
RESET SESSION AUTHORIZATION;
UPDATE pae.usuarios SET login_db = 'pae_prueba_sesion' WHERE correo = 'luis.paz@example.org';
SET LOCAL SESSION AUTHORIZATION pae_prueba_sesion;
SELECT is(pg_temp.quien(), 'luis', 'the same mapping made outside the savepoint is seen');
RESET SESSION AUTHORIZATION;
UPDATE pae.usuarios SET login_db = NULL WHERE correo = 'luis.paz@example.org';

-- the authenticator role (pae.rol_autenticador) is believed
SET LOCAL pae.rol_autenticador = 'pae_prueba_sesion';
SET LOCAL SESSION AUTHORIZATION pae_prueba_sesion;
SELECT is(pg_temp.quien(), 'ana',
          'a session opened by the role named in pae.rol_autenticador is believed');
SET LOCAL ROLE pae_visitador;
SELECT is(pg_temp.quien(), 'ana',
          '... also after it switches to pae_visitador with SET ROLE');
RESET ROLE;
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
ROLLBACK;
