-- Claims that do not name an active person see nothing (issue 10, items 3
-- and 7; SPEC §5, §10): missing, empty, malformed, an unknown or inactive
-- sub, a role that is not the person's, a sub forged by a session that is
-- not the authenticator, a role the authenticator cannot become.  Each
-- request is emulated as PostgREST makes it (claims, headers, method, SET
-- LOCAL ROLE, pae.db_pre_request, the statement); the policies are also
-- tried without the pre-request, so that they fail closed on their own.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(34);
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/intentar.sql

-- three visits of the visitador, one of the other, all in Popayán
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-0000000000c1');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-0000000000c2', '119001900101', '2026-06-11 08:00-05');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-0000000000c3', '119001900101', '2026-06-12 08:00-05');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-0000000000c4', '119001900101', '2026-06-13 08:00-05', 'otro_visitador');

-- One request with the claims as text (they may be malformed).  con_pre:
-- run pae.db_pre_request() first, as PostgREST does.  Returns
-- "<status> <sqlstate or ok> <first column or ->", the status as
-- PostgREST maps it (42501: 401 for pae_anon, 403 otherwise; PTnnn: nnn;
-- other errors 400).
CREATE FUNCTION pg_temp.pedido(rol text, claims text, sentencia text, con_pre boolean DEFAULT true)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE v_res text;
BEGIN
    BEGIN
        PERFORM set_config('request.jwt.claims', coalesce(claims, ''), true);
        PERFORM set_config('request.headers', '{"user-agent":"hostil"}', true);
        PERFORM set_config('request.method', 'GET', true);
        PERFORM set_config('role', coalesce(rol, 'pae_anon'), true);
        IF con_pre THEN
            PERFORM pae.db_pre_request();
        END IF;
        EXECUTE sentencia INTO v_res;
        v_res := '200 ok ' || coalesce(v_res, '-');
        PERFORM set_config('role', 'none', true);
    EXCEPTION WHEN OTHERS THEN
        v_res := CASE WHEN SQLSTATE = '42501' THEN CASE WHEN coalesce(rol, 'pae_anon') = 'pae_anon' THEN '401' ELSE '403' END
                      WHEN SQLSTATE LIKE 'PT%' THEN substr(SQLSTATE, 3)
                      ELSE '400' END || ' ' || SQLSTATE || ' -';
    END;
    PERFORM set_config('request.jwt.claims', '', true);
    RETURN v_res;
END $$;
CREATE FUNCTION pg_temp.claims(quien text, rol text DEFAULT NULL) RETURNS text LANGUAGE sql AS $$
    SELECT json_build_object('sub', g.id, 'role', coalesce(rol, g.rol_db),
                             'iat', floor(extract(epoch FROM now()))::bigint)::text
      FROM gente g WHERE g.clave = quien $$;
CREATE FUNCTION pg_temp.cuenta(quien text, rol text, claims text, con_pre boolean DEFAULT true) RETURNS text LANGUAGE sql AS $$
    SELECT pg_temp.pedido(rol, claims, 'SELECT count(*) FROM pae_api.visitas', con_pre) || ' / '
        || pg_temp.pedido(rol, claims, 'SELECT count(*) FROM pae.visitas', con_pre) || ' / '
        || pg_temp.pedido(rol, claims, 'SELECT count(*) FROM pae.usuarios', con_pre) $$;

-- 1. the baseline: the visitador's own claims
SELECT is(pg_temp.cuenta('visitador', 'pae_visitador', pg_temp.claims('visitador')),
          '200 ok 3 / 200 ok 3 / 200 ok 1', 'baseline: the visitador''s token sees their 3 visits and themself');

-- 2-11. missing and empty claims: nobody, in every staff role
SELECT is(pg_temp.cuenta(NULL, r, NULL), '200 ok 0 / 200 ok 0 / 200 ok 0',
          format('%s without claims sees no visit and no person', r))
  FROM unnest(ARRAY['pae_visitador', 'pae_supervisor', 'pae_coordinador']) AS r;
SELECT is(pg_temp.cuenta(NULL, r, ''), '200 ok 0 / 200 ok 0 / 200 ok 0',
          format('%s with empty claims sees no visit and no person', r))
  FROM unnest(ARRAY['pae_visitador', 'pae_supervisor', 'pae_coordinador']) AS r;
SELECT is(pg_temp.pedido('pae_supervisor', NULL, 'SELECT count(*) FROM pae.usuario_municipios'), '200 ok 0',
          'pae_supervisor without claims sees no municipio assignment');
SELECT is(pg_temp.pedido('pae_supervisor', pg_temp.claims('supervisor'), 'SELECT count(*) FROM pae.usuario_municipios'), '200 ok 4',
          'the supervisor''s own token sees the four');
SELECT is(pg_temp.cuenta(NULL, 'pae_anon', NULL), '401 42501 - / 401 42501 - / 401 42501 -',
          'pae_anon reads neither the API view nor the tables: 401');
SELECT is(pg_temp.pedido('pae_coordinador', '{"role": "pae_coordinador"}', 'SELECT count(*) FROM pae.visitas'),
          '403 42501 -', 'a staff token without sub is refused by the pre-request (403)');

-- 12-15. malformed claims: an error, never rows
SELECT is(pg_temp.pedido('pae_visitador', '{"sub": "' || pg_temp.id('visitador') || '", "role":', 'SELECT count(*) FROM pae_api.visitas'),
          '400 22P02 -', 'truncated JSON: 22P02 in the pre-request');
SELECT is(pg_temp.pedido('pae_visitador', '{"sub": "' || pg_temp.id('visitador') || '", "role":', 'SELECT count(*) FROM pae_api.visitas', false),
          '400 22P02 -', 'and 22P02 in the policies too, without the pre-request');
SELECT is(pg_temp.pedido('pae_visitador', '["' || pg_temp.id('visitador') || '"]', 'SELECT count(*) FROM pae_api.visitas'),
          '403 42501 -', 'claims that are a JSON array: 42501 (403)');
SELECT is(pg_temp.pedido('pae_visitador', '{"sub": "no-es-un-uuid", "role": "pae_visitador"}', 'SELECT count(*) FROM pae_api.visitas', false),
          '403 42501 -', 'a sub that is no uuid: 42501, in the policies too');

-- 16-19. an unknown sub, an inactive person
SELECT is(pg_temp.cuenta(NULL, 'pae_visitador',
                         '{"sub": "00000000-0000-4000-8000-0000000000ee", "role": "pae_visitador", "iat": 2000000000}'),
          '403 42501 - / 403 42501 - / 403 42501 -', 'an unknown sub is refused by the pre-request');
SELECT is(pg_temp.cuenta(NULL, 'pae_coordinador',
                         '{"sub": "00000000-0000-4000-8000-0000000000ee", "role": "pae_coordinador"}', false),
          '200 ok 0 / 200 ok 0 / 200 ok 0', 'and without it, a coordinador role naming an unknown sub sees nothing');
SELECT is(pg_temp.cuenta(NULL, 'pae_coordinador', pg_temp.claims('inactivo')),
          '403 42501 - / 403 42501 - / 403 42501 -', 'an inactive person is refused by the pre-request');
SELECT is(pg_temp.cuenta(NULL, 'pae_coordinador', pg_temp.claims('inactivo'), false),
          '200 ok 0 / 200 ok 0 / 200 ok 0', 'and without it sees no visit and no person');

-- 20-21. setting the JWT secret needs an active person too
INSERT INTO gente VALUES
    ('admin_inactivo', pae.crear_usuario('adm9@prueba.gov.co', 'Admin Retirado', 'admin', 'clave-larga-9'), 'pae_admin');
UPDATE pae.usuarios SET activo = false WHERE id = pg_temp.id('admin_inactivo');
SELECT is(pg_temp.pedido('pae_admin', pg_temp.claims('admin_inactivo'),
                         'SELECT ''fijado'' FROM pae.fijar_secreto_jwt(''un-secreto-nuevo-de-mas-de-32-bytes-000000'')', false),
          '403 42501 -', 'an inactive admin''s claims cannot set the JWT secret, even without the pre-request');
SELECT is(pg_temp.pedido('pae_admin', pg_temp.claims('admin'),
                         'SELECT ''fijado'' FROM pae.fijar_secreto_jwt(''un-secreto-nuevo-de-mas-de-32-bytes-000000'')', false),
          '200 ok fijado', 'an active admin can');

-- 22-23. a role that is not the person's
SELECT is(pg_temp.pedido('pae_coordinador', pg_temp.claims('visitador', 'pae_coordinador'), 'SELECT count(*) FROM pae.visitas'),
          '403 42501 -', 'the visitador''s sub with role pae_coordinador is refused by the pre-request');
SELECT is(pg_temp.pedido('pae_coordinador', pg_temp.claims('visitador', 'pae_coordinador'), 'SELECT pae.transicion(''00000000-0000-4000-8000-0000000000c4'', ''cancelada'', ''x'')'),
          '403 42501 -', 'and cannot cancel the other visitador''s visit');

-- 24-29. claims set by a session that is not the authenticator are not believed
CREATE ROLE pae_prueba_directo LOGIN;
GRANT pae_visitador, pae_coordinador TO pae_prueba_directo;
CREATE ROLE pae_prueba_autenticador LOGIN NOINHERIT;
GRANT pae_anon, pae_visitador, pae_supervisor, pae_coordinador, pae_admin, pae_bi TO pae_prueba_autenticador;
SET LOCAL pae.rol_autenticador = 'pae_prueba_autenticador';
SELECT rolname AS superusuario FROM pg_roles WHERE oid = 10 \gset

SET SESSION AUTHORIZATION pae_prueba_directo;
SELECT is(pg_temp.cuenta(NULL, 'pae_visitador', pg_temp.claims('visitador')), '200 ok 0 / 200 ok 0 / 200 ok 0',
          'a direct login that sets the visitador''s claims sees none of their visits and no person');
SELECT is(pg_temp.cuenta(NULL, 'pae_coordinador', pg_temp.claims('coordinador')), '200 ok 0 / 200 ok 0 / 200 ok 0',
          'nor with the coordinadora''s claims in pae_coordinador');
SELECT is(pg_temp.pedido('pae_visitador', pg_temp.claims('visitador'), 'SELECT coalesce(pae.usuario_actual()::text, ''nadie'')'),
          '200 ok nadie', 'for it the claims name nobody');
SELECT is(pg_temp.pedido('pae_visitador', pg_temp.claims('visitador'),
                         'SELECT pae.transicion(''00000000-0000-4000-8000-0000000000c1'', ''en_curso'', NULL, 2.4443, -76.6128, 5)'),
          '403 42501 -', 'and it cannot move the visitador''s visit');
RESET SESSION AUTHORIZATION;

SET SESSION AUTHORIZATION pae_prueba_autenticador;
SELECT is(pg_temp.cuenta(NULL, 'pae_visitador', pg_temp.claims('visitador')), '200 ok 3 / 200 ok 3 / 200 ok 1',
          'the same claims from the authenticator are believed');
SELECT is(pg_temp.pedido(NULL, NULL, 'SELECT count(*) FROM pae.visitas'), '401 42501 -',
          'the authenticator''s requests without a token are pae_anon''s: 401');

-- 30-32. a role claim the authenticator cannot become
SELECT is(pg_temp.pedido(:'superusuario', pg_temp.claims('admin', :'superusuario'), 'SELECT count(*) FROM pae.visitas'),
          '403 42501 -', 'role claim naming the superuser: SET ROLE is refused (42501)');
SELECT is(pg_temp.pedido('pae_prueba_directo', pg_temp.claims('visitador', 'pae_prueba_directo'), 'SELECT count(*) FROM pae.visitas'),
          '403 42501 -', 'role claim naming another login role: refused');
SELECT is(pg_temp.pedido('pae_no_existe', '{"role": "pae_no_existe"}', 'SELECT count(*) FROM pae.visitas'),
          '400 22023 -', 'role claim naming no role: 22023');
RESET SESSION AUTHORIZATION;

-- 33. the authenticator itself holds nothing
SELECT is((SELECT array_agg(c.oid::regclass::text ORDER BY 1) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname IN ('pae', 'pae_api', 'pae_reportes') AND c.relkind IN ('r', 'p', 'v', 'm')
              AND has_table_privilege('pae_prueba_autenticador', c.oid, 'SELECT, INSERT, UPDATE, DELETE')),
          NULL, 'a NOINHERIT authenticator holds no privilege on any table or view of its own');

-- 34. nothing the hostile requests tried was written
SELECT results_eq($$SELECT id::text, estado::text FROM pae.visitas ORDER BY id$$,
                  $$VALUES ('00000000-0000-4000-8000-0000000000c1', 'programada'), ('00000000-0000-4000-8000-0000000000c2', 'programada'),
                           ('00000000-0000-4000-8000-0000000000c3', 'programada'), ('00000000-0000-4000-8000-0000000000c4', 'programada')$$,
                  'every visit is still programada');

SELECT * FROM finish();
ROLLBACK;
