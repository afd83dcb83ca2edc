-- Lockout that survives PostgREST's rollback (issue 10, item 4; SPEC §10):
-- wrong credentials answer HTTP 401 {"error": {"code": "PV010", ...}}
-- without raising, so each failure is counted although the request "fails";
-- five failures of one correo within login_ventana lock it for
-- login_bloqueo (HTTP 429 + Retry-After, no token) even for the right
-- password, an unknown correo the same; the lock ends on time (old attempts
-- are inserted directly to stand for the passing of time).  Attempts are
-- not readable by clients and are purged.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(22);
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/postgrest.sql
SELECT pae.fijar_secreto_jwt('secreto-de-prueba-con-mas-de-32-bytes-0123456789');
CREATE FUNCTION pg_temp.fallos(correo text) RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM pae.intentos_login WHERE correo = pae.correo_digesto($1) AND resultado = 'fallo' $$;
-- the request's answer without the message (status, headers, body code, token?)
-- (or, if it raised, status and SQLSTATE)
CREATE FUNCTION pg_temp.resumen(r jsonb) RETURNS text LANGUAGE sql AS $$
    SELECT CASE WHEN r->>'sqlstate' IS NOT NULL THEN format('%s raised %s', r->>'status', r->>'sqlstate')
                ELSE format('%s %s %s', r->>'status', coalesce((r->>'cuerpo')::jsonb#>>'{error,code}', '-'),
                            CASE WHEN (r->>'cuerpo')::jsonb ? 'token' THEN 'token' ELSE 'sin token' END) END $$;

-- 1-3. a wrong password: 401, PV010, no token, and the failure is kept
CREATE TEMP TABLE r1 AS SELECT pg_temp.login('vis1@prueba.gov.co', 'equivocada') AS r;
SELECT is((SELECT pg_temp.resumen(r) FROM r1), '401 PV010 sin token', 'wrong password: 401, PV010, no token');
SELECT is((SELECT r->>'sqlstate' FROM r1), NULL, 'answered without raising');
SELECT is(pg_temp.fallos('vis1@prueba.gov.co'), 1::bigint,
          'the failure is counted although the request failed (it committed)');

-- 4-5. four more (any case and spacing of the correo counts as the same)
SELECT is((SELECT array_agg(pg_temp.resumen(pg_temp.login(c, 'equivocada')))
             FROM unnest(ARRAY['VIS1@prueba.gov.co', ' vis1@prueba.gov.co', 'vis1@PRUEBA.gov.co', 'vis1@prueba.gov.co']) AS c),
          ARRAY['401 PV010 sin token', '401 PV010 sin token', '401 PV010 sin token', '401 PV010 sin token'],
          'failures 2 to 5: 401 each');
SELECT is(pg_temp.fallos('vis1@prueba.gov.co'), 5::bigint, 'five failures counted');

-- 6-9. locked: even the right password gets 429 + Retry-After, no token
CREATE TEMP TABLE r6 AS SELECT pg_temp.login('vis1@prueba.gov.co', 'clave-larga-1') AS r;
SELECT is((SELECT pg_temp.resumen(r) FROM r6), '429 PV010 sin token', 'right password while locked: 429, PV010, no token');
SELECT ok((SELECT coalesce((r->'cabeceras'->0->>'Retry-After')::int BETWEEN 1
                  AND extract(epoch FROM pae.regla('login_bloqueo')::interval), false) FROM r6),
          'with a Retry-After header (seconds, at most login_bloqueo)');
SELECT ok((SELECT r->>'sqlstate' IS NULL AND (r->>'cuerpo')::jsonb#>>'{error,mensaje}' LIKE 'inicio de sesión bloqueado%' FROM r6),
          'and a Spanish message');
SELECT is(pg_temp.fallos('vis1@prueba.gov.co'), 5::bigint, 'a locked attempt is not a failure: the lock is not extended');

-- 10. another correo is not locked
SELECT is(pg_temp.resumen(pg_temp.login('vis2@prueba.gov.co', 'clave-larga-2')), '200 - token',
          'another person logs in meanwhile');

-- 11-12. the lock ends: the attempts become login_bloqueo (+1 s) old
UPDATE pae.intentos_login SET en = en - pae.regla('login_bloqueo')::interval - interval '1 second'
 WHERE correo = pae.correo_digesto('vis1@prueba.gov.co');
SELECT is(pg_temp.resumen(pg_temp.login('vis1@prueba.gov.co', 'clave-larga-1')), '200 - token',
          'after login_bloqueo the right password works again');
SELECT is(pg_temp.resumen(pg_temp.login('vis1@prueba.gov.co', 'equivocada')), '401 PV010 sin token',
          'and one failure after a success is one failure, not a lock');

-- 13. failures spread wider than the window do not lock
DELETE FROM pae.intentos_login;
INSERT INTO pae.intentos_login (correo, en, resultado)
SELECT pae.correo_digesto('sup1@prueba.gov.co'), clock_timestamp() - pae.regla('login_ventana')::interval - interval '1 minute', 'fallo'
  FROM generate_series(1, 4);
SELECT is(array[pg_temp.resumen(pg_temp.login('sup1@prueba.gov.co', 'equivocada')),
                pg_temp.resumen(pg_temp.login('sup1@prueba.gov.co', 'clave-larga-3'))],
          ARRAY['401 PV010 sin token', '200 - token'],
          '4 old failures outside login_ventana + 1 now: no lock');

-- 14. a success resets the count
INSERT INTO pae.intentos_login (correo, en, resultado)
SELECT pae.correo_digesto('coo1@prueba.gov.co'), clock_timestamp() - interval '2 minutes', 'fallo' FROM generate_series(1, 4);
SELECT is(array[pg_temp.resumen(pg_temp.login('coo1@prueba.gov.co', 'clave-larga-5')),
                pg_temp.resumen(pg_temp.login('coo1@prueba.gov.co', 'equivocada')),
                pg_temp.resumen(pg_temp.login('coo1@prueba.gov.co', 'clave-larga-5'))],
          ARRAY['200 - token', '401 PV010 sin token', '200 - token'],
          '4 failures, a success, 1 failure: the next right password works');

-- 15. an unknown correo locks the same way (no way to tell who exists)
SELECT is((SELECT array_agg(pg_temp.resumen(pg_temp.login('nadie@prueba.gov.co', 'x'))) FROM generate_series(1, 6)),
          ARRAY['401 PV010 sin token', '401 PV010 sin token', '401 PV010 sin token', '401 PV010 sin token',
                '401 PV010 sin token', '429 PV010 sin token'],
          'an unknown correo: five 401, then 429');

-- 16-17. an admin sees the lock and lifts it
SELECT is(pg_temp.postgrest('pae_admin', jsonb_build_object('sub', pg_temp.id('admin'), 'role', 'pae_admin',
                                                            'iat', extract(epoch FROM clock_timestamp())::bigint),
                            $$SELECT (pae.login_bloqueado_hasta(pae.correo_digesto('Nadie@prueba.gov.co'), clock_timestamp()) IS NOT NULL)::text
                                     || ' ' || pae.desbloquear_login('nadie@prueba.gov.co')$$)->>'cuerpo',
          'true 6', 'an admin sees that the correo is locked and lifts the lock (its 5 failures and 1 refusal)');
SELECT is(pg_temp.resumen(pg_temp.login('nadie@prueba.gov.co', 'x')), '401 PV010 sin token', 'unlocked: 401 again, not 429');

-- 18. an inactive person: 401 like a wrong password, also with the right one
SELECT is(pg_temp.resumen(pg_temp.login('coo2@prueba.gov.co', 'clave-larga-8')), '401 PV010 sin token',
          'an inactive person with the right password: 401');

-- 19-20. nobody but the owner reads the attempts
SELECT is((SELECT array_agg(r ORDER BY r) FROM unnest(ARRAY['pae_anon', 'pae_visitador', 'pae_supervisor',
                  'pae_coordinador', 'pae_admin', 'pae_bi']) AS r
            WHERE has_table_privilege(r, 'pae.intentos_login', 'SELECT, INSERT, UPDATE, DELETE')),
          NULL, 'no client role reads or writes pae.intentos_login');
SELECT is(pg_temp.postgrest('pae_admin', jsonb_build_object('sub', pg_temp.id('admin'), 'role', 'pae_admin',
                                                            'iat', extract(epoch FROM clock_timestamp())::bigint),
                            'SELECT count(*)::text FROM pae.intentos_login')->>'sqlstate',
          '42501', 'an admin''s request reading it: 42501');

-- 21-22. retention
INSERT INTO pae.intentos_login (correo, en, resultado)
VALUES (pae.correo_digesto('viejo@prueba.gov.co'), clock_timestamp() - pae.regla('login_retencion')::interval - interval '1 day', 'fallo');
CREATE TEMP TABLE n AS SELECT count(*) AS n FROM pae.intentos_login;
SELECT is(pae.purgar_intentos_login(), 1::bigint, 'pae.purgar_intentos_login() deletes what is older than login_retencion');
SELECT is(pae.purgar_intentos_login(interval '1 second'), 0::bigint,
          'and never what is younger than login_ventana + login_bloqueo, whatever it is asked');

SELECT * FROM finish();
ROLLBACK;
