-- A GET under PostgREST runs in BEGIN READ ONLY, and a hot standby runs
-- everything read-only (issue 14, item 7): the read paths of pae_cauca --
-- the pae_api views as every role, the pae_reportes views as pae_bi,
-- pae.db_pre_request(), the acting person and its cache, the audit check --
-- answer there exactly as in a read-write transaction, and never try to
-- write; the write paths fail cleanly with 25006 (HTTP 405), pae_api.login
-- before it looks at the password (it could not count the attempt).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(19);
\i test/fixtures/visitas_y_personas.sql

SELECT pg_temp.nueva_visita(('00000000-0000-4000-8000-0000000000a' || n)::uuid,
                            p_fecha => ('2026-06-1' || n || ' 08:00-05')::timestamptz)
  FROM generate_series(1, 6) n;
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000a2', 'en_curso');
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000a3', 'cerrada');
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000a4', 'aprobada');
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000a5', 'devuelta');
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000a6', 'cancelada');
SELECT pae.fijar_secreto_jwt('secreto-de-prueba-de-solo-lectura-con-32-bytes');
SELECT pg_temp.como(NULL, NULL);

-- One GET as PostgREST makes it: role, claims of a valid token, headers,
-- method, pae.db_pre_request(), then the statement.  Answers its first
-- column as text, or 'ERROR <sqlstate>'.  p_iat NULL: a fresh token.
CREATE FUNCTION pg_temp.get(p_quien text, p_sentencia text, p_iat bigint DEFAULT NULL) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE g record; r text;
BEGIN
    SELECT * INTO STRICT g FROM gente WHERE clave = p_quien;
    BEGIN
        PERFORM set_config('role', g.rol_db, true);
        PERFORM set_config('request.jwt.claims', json_build_object('sub', g.id, 'role', g.rol_db,
                    'iat', coalesce(p_iat, extract(epoch FROM now())::bigint + 1),
                    'exp', extract(epoch FROM now())::bigint + 3600)::text, true);
        PERFORM set_config('request.headers', '{"user-agent":"prueba-get","authorization":"Bearer x"}', true);
        PERFORM set_config('request.method', 'GET', true);
        PERFORM pae.db_pre_request();
        EXECUTE p_sentencia INTO r;
        PERFORM set_config('role', 'none', true);
    EXCEPTION WHEN OTHERS THEN
        PERFORM set_config('role', 'none', true);
        r := 'ERROR ' || SQLSTATE;
    END;
    RETURN r;
END $$;
-- what each staff role reads from every pae_api view: 'view=rows' or 'view=ERROR <sqlstate>'
CREATE FUNCTION pg_temp.lecturas(p_quien text) RETURNS text[] LANGUAGE sql AS $$
    SELECT array_agg(c.relname || '=' || pg_temp.get(p_quien, format('SELECT count(*) FROM pae_api.%I', c.relname))
                     ORDER BY c.relname)
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'pae_api' AND c.relkind = 'v' $$;
-- what pae_bi reads from every pae_reportes view (none yet: an empty array)
CREATE FUNCTION pg_temp.reportes() RETURNS text[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg(c.relname || '=' || pg_temp.get('bi', format('SELECT count(*) FROM pae_reportes.%I', c.relname))
                     ORDER BY c.relname), '{}')
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'pae_reportes' AND c.relkind IN ('v', 'm') $$;

-- the same reads in read-write mode, to compare with
CREATE TEMP TABLE base AS
SELECT q.quien, pg_temp.lecturas(q.quien) AS filas
  FROM unnest(ARRAY['visitador', 'supervisor', 'coordinador', 'admin']) q(quien);
CREATE TEMP TABLE base_reportes AS SELECT pg_temp.reportes() AS filas;
CREATE TEMP TABLE intentos_antes AS SELECT count(*) AS n FROM pae.intentos_login;
GRANT SELECT ON base, base_reportes, intentos_antes TO PUBLIC;

-- a write to pae.usuarios rolled back empties the actor cache of this
-- session at once: the next lookup rebuilds it, read-only
SAVEPOINT antes_de_leer;
UPDATE pae.usuarios SET nombre = nombre WHERE id = pg_temp.id('visitador');
ROLLBACK TO SAVEPOINT antes_de_leer;

SET TRANSACTION READ ONLY;
SELECT is(current_setting('transaction_read_only'), 'on', 'from here on the transaction is read-only');

SELECT is(pg_temp.get('visitador', 'SELECT pae.usuario_actual()::text'), pg_temp.id('visitador')::text,
          'the acting person and its cache are rebuilt in a read-only transaction');
SELECT ok((SELECT bool_and(NOT (x LIKE '%=ERROR%' AND x NOT LIKE '%=ERROR 42501')) FROM base, unnest(filas) x),
          'in read-write mode every pae_api view answers every staff role (or refuses it: 42501)');
SELECT is(pg_temp.lecturas('visitador'), (SELECT filas FROM base WHERE quien = 'visitador'),
          'a visitador reads the same rows from every pae_api view in read-only mode');
SELECT is(pg_temp.lecturas('supervisor'), (SELECT filas FROM base WHERE quien = 'supervisor'),
          'so does a supervisor');
SELECT is(pg_temp.lecturas('coordinador'), (SELECT filas FROM base WHERE quien = 'coordinador'),
          'so does a coordinador');
SELECT is(pg_temp.lecturas('admin'), (SELECT filas FROM base WHERE quien = 'admin'),
          'so does an admin');
SELECT is(pg_temp.reportes(), (SELECT filas FROM base_reportes),
          'pae_bi reads the same rows from every pae_reportes view in read-only mode');
SELECT is(pg_temp.get('inactivo', 'SELECT 1'), 'ERROR 42501',
          'the pre-request still refuses an inactive person (42501), without writing');
SELECT is(pg_temp.get('visitador', 'SELECT 1', 1000), 'ERROR PT401',
          'the pre-request still refuses a token older than the credentials (PT401)');

SELECT throws_ok($$SELECT pae_api.login('vis1@prueba.gov.co', 'clave-equivocada')$$, '25006',
                 'pae_api.login necesita una transacción de lectura y escritura',
                 'login with a wrong password in a read-only transaction: 25006, no answer about the password');
SELECT throws_ok($$SELECT pae_api.login('vis1@prueba.gov.co', 'clave-larga-1')$$, '25006',
                 'pae_api.login necesita una transacción de lectura y escritura',
                 'login with the right password: the same 25006');
SELECT is((SELECT count(*) FROM pae.intentos_login), (SELECT n FROM intentos_antes),
          'and no attempt is recorded or lost');

SELECT is(pg_temp.get('visitador', $$SELECT (pae_api.transicion('00000000-0000-4000-8000-0000000000a1', 'en_curso', NULL, 2.4443, -76.6128, 5)).estado::text$$),
          'ERROR 25006', 'a transition in a read-only transaction fails cleanly: 25006');
SELECT is(pg_temp.get('visitador', $$SELECT pae_api.responder('00000000-0000-4000-8000-0000000000a2', 'HIG-01', 'cumple')::text$$),
          'ERROR 25006', 'an answer in a read-only transaction fails cleanly: 25006');
SELECT is(pg_temp.get('visitador', $$SELECT pae_api.sincronizar('{"dispositivo": "t", "visitas": [{"id": "00000000-0000-4000-8000-0000000000f1"}]}')::text$$),
          'ERROR 25006', 'a sync batch in a read-only transaction is refused whole (25006), not answered item by item');
SELECT throws_ok('SELECT pae.sellar_auditoria()', '25006', NULL,
                 'sealing in a read-only transaction fails cleanly: 25006');
SELECT lives_ok('SELECT count(*) FROM pae.verificar_auditoria()',
                'the audit trail is verified in a read-only transaction');
SELECT is((SELECT count(*) FROM pae.verificar_auditoria()), 0::bigint, '... and it is intact');

SELECT * FROM finish();
ROLLBACK;
