-- pae.purgar_eventos keeps the outbox bounded: it deletes events older than
-- the retention it is given (90 days by default), refuses a retention under
-- one day or NULL (consumers must have time to catch up), and is for admins.
BEGIN;
SELECT plan(8);

INSERT INTO pae.eventos (tipo, payload, creado_en) VALUES
    ('prueba.vieja', '{}', now() - interval '200 days'),
    ('prueba.vieja', '{}', now() - interval '91 days'),
    ('prueba.reciente', '{}', now() - interval '89 days'),
    ('prueba.reciente', '{}', now() - interval '2 hours');

SELECT is(pae.purgar_eventos(), 2::bigint, 'default retention (90 days) deletes the two older events');
SELECT is((SELECT count(*) FROM pae.eventos WHERE tipo LIKE 'prueba.%'), 2::bigint, 'the recent ones stay');
SELECT is(pae.purgar_eventos(interval '30 days'), 1::bigint, 'a shorter retention deletes what is older than it');
SELECT is((SELECT tipo FROM pae.eventos WHERE tipo LIKE 'prueba.%'), 'prueba.reciente', 'only the event of two hours ago is left');
SELECT throws_ok($$SELECT pae.purgar_eventos(interval '1 hour')$$, '22023', NULL,
                 'a retention under one day is refused');
SELECT throws_ok($$SELECT pae.purgar_eventos(NULL)$$, '22023', NULL, 'NULL retention is refused');
SELECT is((SELECT count(*) FROM pae.eventos WHERE tipo LIKE 'prueba.%'), 1::bigint, 'refused calls delete nothing');

SET LOCAL ROLE pae_visitador;
SELECT throws_ok($$SELECT pae.purgar_eventos()$$, '42501', NULL, 'a visitador cannot purge the outbox');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
