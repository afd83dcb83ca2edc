-- The event relay's contract (SPEC §7, issue 13): pae.relay_estado() says
-- who sends NOTIFY pae_eventos -- the relay when pae_cauca is preloaded
-- (tools/test.sh), the writing transaction otherwise
-- (test/escenarios/eventos_sin_preload.sh checks that mode) --; the
-- statement trigger that marks writers is on pae.eventos and refuses any
-- other table; pae.publicar_eventos() creates the logical-replication
-- publication of the outbox, inserts only, idempotently.
BEGIN;
SELECT plan(12);

SELECT is(pae.relay_modo(),
          CASE WHEN current_setting('shared_preload_libraries') ~ '(^|[ ,])pae_cauca($|[ ,])'
               THEN 'relay' ELSE 'en_transaccion' END,
          'relay_modo() follows shared_preload_libraries');
SELECT results_eq($$ SELECT modo FROM pae.relay_estado() $$, $$ SELECT pae.relay_modo() $$,
                  'relay_estado() returns one row, in that mode');
SELECT ok(NOT has_function_privilege('pae_visitador', 'pae.relay_estado()', 'EXECUTE')
          AND NOT has_function_privilege('pae_bi', 'pae.relay_estado()', 'EXECUTE')
          AND has_function_privilege('pae_admin', 'pae.relay_estado()', 'EXECUTE'),
          'relay_estado() is for pae_admin, not for field or BI roles');

SELECT trigger_is('pae', 'eventos', 'eventos_en_vuelo', 'pae', 'tg_eventos_en_vuelo',
                  'every insert into pae.eventos passes through the relay''s statement trigger');
CREATE TEMP TABLE otra_bandeja (x integer);
CREATE TRIGGER marca BEFORE INSERT ON otra_bandeja
    FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_eventos_en_vuelo();
SELECT throws_ok($$ INSERT INTO otra_bandeja VALUES (1) $$, '39P01', NULL,
                 'the relay''s trigger refuses a table other than pae.eventos');

-- the publication (wal_level need not be logical to create it: a WARNING)
SET LOCAL client_min_messages = error;
SELECT is((SELECT count(*) FROM pg_publication WHERE pubname = 'pae_eventos'), 0::bigint,
          'CREATE EXTENSION makes no publication (pg_dump would dump it and a restore fail on it)');
SELECT is(pae.publicar_eventos(), 'publicación pae_eventos creada', 'publicar_eventos() creates it');
SELECT is((SELECT string_agg(format('%I.%I', schemaname, tablename), ', ') FROM pg_publication_tables WHERE pubname = 'pae_eventos'),
          'pae.eventos', 'it publishes pae.eventos, and only it');
SELECT results_eq($$ SELECT pubinsert, pubupdate, pubdelete, pubtruncate FROM pg_publication WHERE pubname = 'pae_eventos' $$,
                  $$ VALUES (true, false, false, false) $$, 'inserts only: retention deletes are not events');
SELECT is(pae.publicar_eventos(), 'la publicación pae_eventos ya publica pae.eventos', 'a second call changes nothing');
ALTER PUBLICATION pae_eventos DROP TABLE pae.eventos;
SELECT is(pae.publicar_eventos(), 'pae.eventos añadida a la publicación pae_eventos',
          'a publication left without the table (DROP EXTENSION) gets it back');
SELECT ok(NOT has_function_privilege('pae_coordinador', 'pae.publicar_eventos()', 'EXECUTE')
          AND has_function_privilege('pae_admin', 'pae.publicar_eventos()', 'EXECUTE'),
          'publicar_eventos() is for pae_admin');

SELECT * FROM finish();
ROLLBACK;
