-- An unidentified session writes nothing (issue 9, item 4; SPEC §5): a
-- login granted a client role but mapped to no person (no trusted claims,
-- no login_db) gets 42501 on every INSERT, UPDATE and DELETE of every
-- business table, before any row is read; superusers, the extension's
-- owner and pae_admin members acting as nobody may still load and correct
-- data.  The trigger function is no client tool.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(15);
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/intentar.sql

SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-00000000b001');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-00000000b002', '119001900101', '2026-06-11 08:00-05');
SELECT pg_temp.llevar('00000000-0000-4000-8000-00000000b002', 'en_curso');
INSERT INTO gente VALUES ('anonimo_coordinador', gen_random_uuid(), 'pae_coordinador'),
                         ('anonimo_admin', gen_random_uuid(), 'pae_admin');
-- as nobody in a role: SET ROLE, no claims
CREATE FUNCTION pg_temp.intentar_anonimo(rol text, sentencia text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE v_res text := 'ok';
BEGIN
    BEGIN
        PERFORM pg_temp.como(rol, NULL);
        EXECUTE sentencia;
    EXCEPTION WHEN OTHERS THEN
        v_res := SQLSTATE || ': ' || SQLERRM;
    END;
    PERFORM pg_temp.como(NULL, NULL);
    RETURN v_res;
END $$;

-- the reproduction of the issue
SELECT is(pg_temp.intentar_anonimo('pae_coordinador', $$UPDATE pae.visitas SET observaciones = 'cambiada' WHERE id = '00000000-0000-4000-8000-00000000b002'$$),
          '42501: sesión sin usuario identificado no puede escribir en pae.visitas',
          'an unidentified coordinador cannot UPDATE a visit''s observaciones');
SELECT is(pg_temp.intentar_anonimo('pae_coordinador', $$DELETE FROM pae.visitas WHERE id = '00000000-0000-4000-8000-00000000b001'$$),
          '42501: sesión sin usuario identificado no puede escribir en pae.visitas',
          'nor DELETE a programada visit');
SELECT is(pg_temp.intentar_anonimo('pae_coordinador', $$UPDATE pae_api.visitas SET raciones_entregadas = 1$$),
          '42501: sesión sin usuario identificado no puede escribir en pae.visitas',
          'nor PATCH through the API view');
SELECT is(pg_temp.intentar_anonimo('pae_coordinador', $$INSERT INTO pae.operadores (nit, nombre) VALUES ('900000002-2', 'X')$$),
          '42501: sesión sin usuario identificado no puede escribir en pae.operadores',
          'nor write reference data');
SELECT is(pg_temp.intentar_anonimo('pae_visitador', $$SELECT pae_api.responder('00000000-0000-4000-8000-00000000b002', 'HIG-03', 'no_cumple')$$),
          '42501: sesión sin usuario identificado no puede escribir en pae.visita_respuestas',
          'an unidentified visitador cannot answer the checklist');
SELECT is(pg_temp.intentar_anonimo('pae_coordinador', $$SELECT pae.transicion('00000000-0000-4000-8000-00000000b002', 'cancelada', 'x')$$),
          '42501: sesión sin usuario identificado no puede cambiar el estado de visitas',
          'nor move a visit (one rule, the same message as before)');
SELECT results_eq($$SELECT count(*), count(*) FILTER (WHERE observaciones IS NULL AND raciones_entregadas IS NULL)
                      FROM pae.visitas WHERE id::text LIKE '00000000-0000-4000-8000-00000000b%'$$,
                  $$VALUES (2::bigint, 2::bigint)$$, 'nothing was written');

-- every write of every business table, by a role holding every privilege
-- but naming nobody (a WHERE false statement still fires the guard)
CREATE ROLE pae_prueba_escritor;
GRANT USAGE ON SCHEMA pae TO pae_prueba_escritor;
GRANT SELECT, INSERT, UPDATE, DELETE ON pae.visitas, pae.visita_respuestas, pae.evidencias, pae.sedes,
      pae.instituciones, pae.contratos, pae.contrato_sedes, pae.operadores, pae.checklist_items,
      pae.usuarios, pae.usuario_municipios, pae.alertas TO pae_prueba_escritor;
GRANT EXECUTE ON FUNCTION pae.usuario_actual(), pae.actor_vigente(), pae.sesion_habilitada(),
      pae.puede_ver_visita_id(uuid) TO pae_prueba_escritor;  -- what its policies call (PUBLIC executes nothing of ours)
SELECT is((SELECT string_agg(t || ' ' || op || ': ' || r, E'\n' ORDER BY t, op)
             FROM unnest(ARRAY['visitas', 'visita_respuestas', 'evidencias', 'sedes', 'instituciones', 'contratos',
                               'contrato_sedes', 'operadores', 'checklist_items', 'usuarios', 'usuario_municipios',
                               'alertas']) AS t,
                  unnest(ARRAY['INSERT', 'UPDATE', 'DELETE']) AS op,
                  LATERAL (SELECT a.attname FROM pg_attribute a
                            WHERE a.attrelid = ('pae.' || t)::regclass AND a.attnum > 0 AND NOT a.attisdropped
                              AND a.attidentity = '' AND a.attgenerated = '' ORDER BY a.attnum LIMIT 1) AS col(c),
                  LATERAL pg_temp.intentar_anonimo('pae_prueba_escritor',
                      CASE op WHEN 'INSERT' THEN format('INSERT INTO pae.%I (%I) SELECT %I FROM pae.%I WHERE false', t, c, c, t)
                              WHEN 'UPDATE' THEN format('UPDATE pae.%I SET %I = %I WHERE false', t, c, c)
                              ELSE format('DELETE FROM pae.%I WHERE false', t) END) AS r
            WHERE r <> '42501: sesión sin usuario identificado no puede escribir en pae.' || t),
          NULL, 'every INSERT, UPDATE and DELETE of the 12 business tables is refused to nobody');

-- privileged nobody, and identified people, still write
SELECT is(pg_temp.intentar_anonimo('pae_admin', $$UPDATE pae.visitas SET observaciones = 'corregida por admin' WHERE id = '00000000-0000-4000-8000-00000000b002'$$),
          'ok', 'a pae_admin member acting as nobody may correct data');
SELECT is(pg_temp.intentar_anonimo(NULL, $$INSERT INTO pae.operadores (nit, nombre) VALUES ('900000003-3', 'Carga')$$),
          'ok', 'so may a superuser');
SELECT is(pg_temp.intentar('coordinador', $$UPDATE pae.visitas SET observaciones = 'revisada' WHERE id = '00000000-0000-4000-8000-00000000b002'$$),
          'ok', 'an identified, active coordinador writes');
SELECT is((SELECT observaciones FROM pae.visitas WHERE id = '00000000-0000-4000-8000-00000000b002'), 'revisada',
          'and the write is there');

-- the guard is no client tool, and no other table's
SELECT is(pg_temp.intentar_anonimo('pae_admin', $$CREATE TEMP TABLE t_mia (x int); CREATE TRIGGER g BEFORE INSERT ON t_mia FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_exigir_actor()$$),
          '42501: permission denied for function pae.tg_exigir_actor', 'client roles cannot attach the guard');
CREATE TEMP TABLE t_ajena (x int);
CREATE TRIGGER g BEFORE INSERT ON t_ajena FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_exigir_actor();
SELECT throws_ok($$INSERT INTO t_ajena VALUES (1)$$, '39P01',
                 'pae.tg_exigir_actor no puede usarse en la tabla "t_ajena"', 'on another table it refuses to run');
CREATE TRIGGER g2 BEFORE INSERT ON pae.operadores FOR EACH ROW EXECUTE FUNCTION pae.tg_exigir_actor();
SELECT throws_ok($$INSERT INTO pae.operadores (nit, nombre) VALUES ('900000004-4', 'Y')$$, '39P01', NULL,
                 'as a row trigger it refuses to run');
DROP TRIGGER g2 ON pae.operadores;

SELECT * FROM finish();
ROLLBACK;
