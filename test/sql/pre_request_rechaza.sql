-- pae.db_pre_request, PostgREST's db-pre-request (issue 10, item 5): a
-- token of an inactive or unknown person, or with a role that is not the
-- person's, is refused with 42501 (HTTP 403); a token issued before the
-- person's password, role or activo last changed, or without iat, with
-- PT401 (HTTP 401); claims of a session PostgREST did not open are not
-- checked (nobody acts for them).  It also trims request.headers: no
-- Authorization or Cookie, each value at most cabecera_valor_max bytes.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(18);
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/postgrest.sql
SELECT pae.fijar_secreto_jwt('secreto-de-prueba-con-mas-de-32-bytes-0123456789');

-- the claims of a token of quien, issued hace ago
CREATE FUNCTION pg_temp.claims(quien text, hace interval DEFAULT interval '0') RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('sub', g.id, 'role', g.rol_db,
                              'iat', floor(extract(epoch FROM clock_timestamp() - hace))::bigint,
                              'exp', floor(extract(epoch FROM clock_timestamp() + interval '1 hour'))::bigint)
      FROM gente g WHERE g.clave = quien $$;
CREATE FUNCTION pg_temp.pedir(claims jsonb, sentencia text DEFAULT 'SELECT count(*)::text FROM pae_api.visitas')
RETURNS text LANGUAGE sql AS $$
    SELECT format('%s %s', r->>'status', coalesce(r->>'sqlstate', 'ok'))
      FROM pg_temp.postgrest(claims->>'role', claims, sentencia) AS r $$;
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-00000000c001');
-- the people of the fixture were created an hour ago (creating one sets the column too)
UPDATE pae.usuarios SET credenciales_cambiadas_en = credenciales_cambiadas_en - interval '1 hour';
CREATE TEMP TABLE ant AS SELECT id, credenciales_cambiadas_en AS en FROM pae.usuarios;

-- 1-2. the token login gives passes; anon without a token passes
SELECT is(pg_temp.pedir((SELECT convert_from(pg_temp.b64url(split_part(
              (pg_temp.login('vis1@prueba.gov.co', 'clave-larga-1')->>'cuerpo')::jsonb->>'token', '.', 2)), 'UTF8')::jsonb)),
          '200 ok', 'the claims of a fresh login pass');
SELECT is((pg_temp.postgrest('pae_anon', NULL, 'SELECT 1::text'))->>'status', '200', 'pae_anon with no token passes');

-- 3-5. password changed after the token: 401 (PT401); a token issued after it passes
CREATE TEMP TABLE tok AS SELECT pg_temp.claims('visitador', interval '1 minute') AS c;
SELECT is(pg_temp.pedir((SELECT c FROM tok)), '200 ok', 'a token of a minute ago passes');
UPDATE pae.usuarios SET clave_hash = pae.hash_clave('otra-clave-larga') WHERE id = pg_temp.id('visitador');
SELECT is(pg_temp.pedir((SELECT c FROM tok)), '401 PT401', 'after a password change it is refused: HTTP 401 (PT401)');
SELECT is(pg_temp.pedir(pg_temp.claims('visitador', interval '-1 second')), '200 ok', 'a token issued after the change passes');

-- 6-9. what bumps credenciales_cambiadas_en, and what does not
UPDATE pae.usuarios SET nombre = 'Otro Nombre' WHERE id = pg_temp.id('supervisor');
UPDATE pae.usuarios SET rol = 'coordinador' WHERE id = pg_temp.id('supervisor_otro');
UPDATE pae.usuarios SET activo = false WHERE id = pg_temp.id('otro_visitador');
UPDATE pae.usuarios SET activo = activo WHERE id = pg_temp.id('coordinador');
SELECT is((SELECT array_agg(g.clave ORDER BY g.clave) FROM pae.usuarios u JOIN ant USING (id) JOIN gente g USING (id)
            WHERE u.credenciales_cambiadas_en > ant.en),
          ARRAY['otro_visitador', 'supervisor_otro', 'visitador'],
          'a change of password, rol or activo moves credenciales_cambiadas_en; of nombre, or a no-op, does not');
SELECT is(pg_temp.pedir(pg_temp.claims('otro_visitador', interval '1 minute')), '403 42501',
          'a deactivated person''s token: HTTP 403 (42501)');
SELECT is(pg_temp.pedir(pg_temp.claims('supervisor_otro', interval '1 minute')), '403 42501',
          'a token naming the old role of a person: 403 (the role is not theirs)');
SELECT is(pg_temp.pedir(jsonb_set(pg_temp.claims('supervisor_otro', interval '1 minute'), '{role}', '"pae_coordinador"')), '401 PT401',
          'the person''s new role in a token older than the change: 401');

-- 10-14. hostile claims
SELECT is(pg_temp.pedir(jsonb_set(pg_temp.claims('visitador'), '{sub}', '"00000000-0000-4000-8000-0000000000ff"')), '403 42501',
          'an unknown sub: 403');
SELECT is(pg_temp.pedir(jsonb_set(pg_temp.claims('visitador'), '{sub}', '"no-es-uuid"')), '403 42501',
          'a sub that is no uuid: 403');
SELECT is(pg_temp.pedir(pg_temp.claims('visitador', interval '-1 second') - 'iat'), '401 PT401', 'no iat: 401');
SELECT is(pg_temp.pedir('{"role": "pae_coordinador"}'), '403 42501', 'a staff role with no sub: 403');
SELECT is(pg_temp.pedir(jsonb_set(pg_temp.claims('coordinador'), '{role}', '"pae_admin"')), '403 42501',
          'a role that is not the person''s: 403');

-- 15. an untrusted session (not the authenticator, not a superuser): its
-- claims are not believed, so not checked either; it acts as nobody
CREATE ROLE prueba_sesion_directa LOGIN;
GRANT pae_visitador TO prueba_sesion_directa;
SET LOCAL SESSION AUTHORIZATION prueba_sesion_directa;
SELECT is(pg_temp.postgrest('pae_visitador', pg_temp.claims('otro_visitador'),
                            'SELECT coalesce(pae.usuario_actual()::text, ''nadie'')')->>'cuerpo',
          'nadie', 'a direct login that sets claims of a deactivated person is nobody, not refused and not them');
RESET SESSION AUTHORIZATION;

-- 16-18. the headers the rest of the request sees
CREATE TEMP TABLE cab AS
SELECT (pg_temp.postgrest('pae_anon', NULL, $$SELECT current_setting('request.headers')$$,
        json_build_object('user-agent', repeat('ñ', 200), 'authorization', 'Bearer abc.def.ghi',
                          'Cookie', 'sesion=1', 'x-forwarded-for', '10.0.0.1')::text)->>'cuerpo')::jsonb AS c;
SELECT is((SELECT array_agg(k ORDER BY k) FROM cab, jsonb_object_keys(c) AS k), ARRAY['user-agent', 'x-forwarded-for'],
          'Authorization and Cookie are gone from request.headers');
SELECT is((SELECT octet_length(c->>'user-agent') FROM cab), pae.regla('cabecera_valor_max')::int,
          'a 400-byte value is cut to cabecera_valor_max bytes, on a character boundary');
SELECT is((pg_temp.postgrest('pae_anon', NULL, $$SELECT current_setting('request.headers')$$, 'no es json'))->>'cuerpo',
          '{}', 'malformed headers become {}');

SELECT * FROM finish();
ROLLBACK;
