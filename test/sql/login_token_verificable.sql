-- pae_api.login issues a JWT HS256 that PostgREST verifies (issue 10, item
-- 4; SPEC §10): {"token": ...} with sub, role, iat and exp, signed with the
-- secret of pae.fijar_secreto_jwt -- checked here against an independent
-- HMAC (pgcrypto's hmac()), which stops matching once one byte of the
-- secret changes.  The secret is readable by no client role, at least 32
-- bytes, and missing it is a server misconfiguration (55000).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(22);
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/postgrest.sql

SELECT pae.fijar_secreto_jwt('secreto-de-prueba-con-mas-de-32-bytes-0123456789');

-- 1-2. a visitador logs in through PostgREST (as pae_anon, no token)
CREATE TEMP TABLE r AS SELECT pg_temp.login('vis1@prueba.gov.co', 'clave-larga-1') AS r;
SELECT is((SELECT (r->>'status')::int FROM r), 200, 'right credentials: HTTP 200');
SELECT is((SELECT array_agg(k) FROM r, jsonb_object_keys((r->>'cuerpo')::jsonb) AS k), ARRAY['token'],
          'the body is {"token": ...} and nothing else');
CREATE TEMP TABLE t AS
SELECT split_part(tok, '.', 1) AS h, split_part(tok, '.', 2) AS p, split_part(tok, '.', 3) AS s
  FROM (SELECT (r->>'cuerpo')::jsonb->>'token' AS tok FROM r) x;
CREATE TEMP TABLE c AS SELECT convert_from(pg_temp.b64url(p), 'UTF8')::jsonb AS c FROM t;

-- 3-8. header and claims
SELECT is((SELECT convert_from(pg_temp.b64url(h), 'UTF8')::jsonb FROM t), '{"alg": "HS256", "typ": "JWT"}'::jsonb,
          'header: HS256, JWT');
SELECT is((SELECT c->>'sub' FROM c), pg_temp.id('visitador')::text, 'sub is the person''s id');
SELECT is((SELECT c->>'role' FROM c), 'pae_visitador', 'role is the group role of their rol');
SELECT is((SELECT (c->>'exp')::bigint - (c->>'iat')::bigint FROM c),
          extract(epoch FROM pae.regla('token_vida')::interval)::bigint, 'exp - iat is the rule token_vida');
SELECT ok((SELECT abs((c->>'iat')::numeric - extract(epoch FROM clock_timestamp())) < 300 FROM c),
          'iat is the server''s clock (seconds since 1970)');
SELECT is((SELECT array_agg(k ORDER BY k) FROM c, jsonb_object_keys(c) AS k), ARRAY['exp', 'iat', 'role', 'sub'],
          'the claims are sub, role, iat and exp');

-- 9-10. the signature is HMAC-SHA256(secret, header.payload), base64url without padding
CREATE FUNCTION pg_temp.firma(h text, p text, secreto bytea) RETURNS text LANGUAGE sql AS $$
    SELECT rtrim(translate(encode(hmac(convert_to(h || '.' || p, 'UTF8'), secreto, 'sha256'), 'base64'), '+/', '-_'), '=') $$;
SELECT is((SELECT s FROM t),
          (SELECT pg_temp.firma(h, p, convert_to('secreto-de-prueba-con-mas-de-32-bytes-0123456789', 'UTF8')) FROM t),
          'the signature verifies with an independent HMAC (pgcrypto) under the secret');
SELECT isnt((SELECT s FROM t),
            (SELECT pg_temp.firma(h, p, convert_to('secreto-de-prueba-con-mas-de-32-bytes-0123456788', 'UTF8')) FROM t),
            'one byte of the secret changed: it no longer verifies');

-- 11. the token's claims, as PostgREST passes them, identify the person
SELECT is((SELECT pg_temp.postgrest(c->>'role', c, 'SELECT pae.usuario_actual()::text')->>'cuerpo' FROM c),
          pg_temp.id('visitador')::text, 'a request with those claims acts as that person');

-- 12. each rol gets its group role
SELECT is((SELECT array_agg(format('%s=%s', g.clave,
                  convert_from(pg_temp.b64url(split_part(((pg_temp.login(u.correo, 'clave-larga-' || n)->>'cuerpo')::jsonb->>'token'), '.', 2)), 'UTF8')::jsonb->>'role')
                  ORDER BY g.clave)
             FROM (VALUES ('supervisor', 3), ('coordinador', 5), ('admin', 6), ('bi', 7)) AS x(clave, n)
             JOIN gente g USING (clave) JOIN pae.usuarios u ON u.id = g.id),
          ARRAY['admin=pae_admin', 'bi=pae_bi', 'coordinador=pae_coordinador', 'supervisor=pae_supervisor'],
          'supervisor, coordinador, admin and bi get pae_supervisor, pae_coordinador, pae_admin, pae_bi');

-- 13-16. the secret: at least 32 bytes; nobody but the owner reads it
SELECT throws_ok($$SELECT pae.fijar_secreto_jwt(repeat('x', 31))$$, '22023', NULL,
                 'pae.fijar_secreto_jwt refuses a secret of 31 bytes');
SELECT throws_ok($$SELECT pae.jwt_firmar('{"sub": "x"}', convert_to(repeat('x', 31), 'UTF8'))$$, '22023', NULL,
                 'the C signer refuses a secret under 32 bytes too');
SELECT is((SELECT array_agg(r ORDER BY r) FROM unnest(ARRAY['pae_anon', 'pae_visitador', 'pae_supervisor',
                  'pae_coordinador', 'pae_admin', 'pae_bi']) AS r
            WHERE has_table_privilege(r, 'pae.secreto_jwt', 'SELECT')
               OR has_function_privilege(r, 'pae.jwt_firmar(jsonb, bytea)', 'EXECUTE')),
          NULL, 'no client role reads pae.secreto_jwt or may call the signer');
SELECT is((SELECT array_agg(r ORDER BY r) FROM unnest(ARRAY['pae_anon', 'pae_visitador', 'pae_supervisor',
                  'pae_coordinador', 'pae_admin', 'pae_bi']) AS r
            WHERE has_function_privilege(r, 'pae.fijar_secreto_jwt(text)', 'EXECUTE')),
          ARRAY['pae_admin'], 'only pae_admin may set the secret');

-- 17-19. the function as PostgREST exposes it
SELECT ok(has_function_privilege('pae_anon', 'pae_api.login(text, text)', 'EXECUTE')
          AND NOT EXISTS (SELECT 1 FROM pg_proc p, aclexplode(p.proacl) a
                           WHERE p.oid = 'pae_api.login(text, text)'::regprocedure AND a.grantee = 0),
          'pae_anon may call pae_api.login; PUBLIC may not');
SELECT is((SELECT prosecdef AND proconfig @> ARRAY['search_path=pg_catalog, pg_temp'] FROM pg_proc
            WHERE oid = 'pae_api.login(text, text)'::regprocedure), true,
          'pae_api.login is SECURITY DEFINER with a pinned search_path');
SELECT is((SELECT count(*)::int FROM pg_extension e, LATERAL unnest(e.extconfig) AS t
            WHERE e.extname = 'pae_cauca' AND t IN ('pae.secreto_jwt'::regclass, 'pae.intentos_login'::regclass)),
          0, 'the secret and the attempts are not in pg_dump');

-- 20-22. no secret: a server misconfiguration, raised (nothing to count)
DELETE FROM pae.secreto_jwt;
CREATE TEMP TABLE antes AS SELECT count(*) AS n FROM pae.intentos_login;
SELECT is(pg_temp.login('vis1@prueba.gov.co', 'clave-larga-1') - 'cuerpo',
          '{"status": 500, "cabeceras": null, "sqlstate": "55000"}'::jsonb,
          'without a secret login raises 55000 (HTTP 500)');
SELECT is((SELECT count(*) FROM pae.intentos_login), (SELECT n FROM antes), 'and the attempt that raised left no row');
SELECT pae.fijar_secreto_jwt('otro-secreto-de-prueba-con-mas-de-32-bytes-000000');
SELECT is((SELECT (pg_temp.login('vis1@prueba.gov.co', 'clave-larga-1')->>'status')::int), 200,
          'once set again, login works');

SELECT * FROM finish();
ROLLBACK;
