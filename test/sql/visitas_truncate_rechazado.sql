-- TRUNCATE skips the row triggers that keep pae.visitas_id, pae.visitas_dia
-- and pae.visitas_checkin equal to the visits, and would delete visits
-- that are no longer programada (SPEC §5: never deleted, PV002).  It is
-- refused with PV002, for the superuser too, on the visits, on each monthly
-- partition (old and new) and on the three bookkeeping tables; nothing is
-- lost and the bookkeeping still equals the visits.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;
BEGIN;
SELECT plan(15);
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/intentar.sql

SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-0000000000a1');
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000a1', 'aprobada');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-0000000000a2', '119001900101', '2026-06-11 08:00-05');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-0000000000a3', '119001900101', '2026-06-12 08:00-05');
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000a3', 'en_curso');

CREATE TEMP TABLE antes AS
SELECT (SELECT count(*) FROM pae.visitas) AS visitas, (SELECT count(*) FROM pae.visitas_id) AS ids,
       (SELECT count(*) FROM pae.visitas_dia) AS dias, (SELECT count(*) FROM pae.visitas_checkin) AS checkins,
       (SELECT count(*) FROM pae.transiciones) AS transiciones, (SELECT count(*) FROM pae.visita_respuestas) AS respuestas;

SELECT is((SELECT row(visitas, ids, dias, checkins)::text FROM antes), '(3,3,3,2)',
          'fixture: three visits, their ids and days, two check-ins');
SELECT is((SELECT string_agg(DISTINCT tableoid::regclass::text, ',') FROM pae.visitas),
          'pae.visitas_p2026_06', 'fixture: the visits sit in the monthly partition the contract created');

-- the deferred foreign keys of pae.visitas_dia are checked now, not at the
-- commit this test never makes (pending checks would refuse TRUNCATE first)
SET CONSTRAINTS ALL IMMEDIATE;
SELECT is(pg_temp.error_completo(NULL, 'TRUNCATE pae.visitas'),
          'PV002: TRUNCATE de pae.visitas no está permitido | TRUNCATE no pasa por los disparadores de fila: borraría visitas que ya no están programadas y dejaría pae.visitas_id, pae.visitas_dia y pae.visitas_checkin desalineados con pae.visitas.',
          'TRUNCATE pae.visitas as superuser: PV002 saying what it would break');
SELECT is(pg_temp.intentar(NULL, 'TRUNCATE pae.visitas_p2026_06'),
          'PV002: TRUNCATE de pae.visitas_p2026_06 no está permitido',
          'TRUNCATE of a monthly partition (made by pae.crear_particion_mes): PV002');
SELECT is(pg_temp.intentar(NULL, 'TRUNCATE pae.visitas_default'),
          'PV002: TRUNCATE de pae.visitas_default no está permitido',
          'TRUNCATE of the default partition: PV002');
SELECT is(pg_temp.intentar(NULL, 'TRUNCATE pae.visitas_id CASCADE'),
          'PV002: TRUNCATE de pae.visitas_id no está permitido',
          'TRUNCATE pae.visitas_id CASCADE (respuestas, evidencias, transiciones, alertas): PV002');
SELECT is(pg_temp.intentar(NULL, 'TRUNCATE pae.visitas_dia'),
          'PV002: TRUNCATE de pae.visitas_dia no está permitido', 'TRUNCATE pae.visitas_dia: PV002');
SELECT is(pg_temp.intentar(NULL, 'TRUNCATE pae.visitas_checkin'),
          'PV002: TRUNCATE de pae.visitas_checkin no está permitido', 'TRUNCATE pae.visitas_checkin: PV002');
SELECT is(pg_temp.intentar(NULL, 'TRUNCATE ONLY pae.visitas_p2026_06, pae.visitas_default'),
          'PV002: TRUNCATE de pae.visitas_p2026_06 no está permitido',
          'TRUNCATE ONLY of partitions named together: PV002');
-- a partition made by hand, attached later, gets the trigger from pae.indexar_particion
CREATE TABLE pae.visitas_p2035_01 (LIKE pae.visitas INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE pae.visitas ATTACH PARTITION pae.visitas_p2035_01
    FOR VALUES FROM ('2035-01-01 00:00-05') TO ('2035-02-01 00:00-05');
SELECT pae.indexar_particion('pae.visitas', 'pae.visitas_p2035_01');
SELECT is(pg_temp.intentar(NULL, 'TRUNCATE pae.visitas_p2035_01'),
          'PV002: TRUNCATE de pae.visitas_p2035_01 no está permitido',
          'a partition given its indexes by pae.indexar_particion refuses TRUNCATE too');
SELECT is((SELECT count(*) FROM pg_inherits i
            WHERE i.inhparent = 'pae.visitas'::regclass
              AND NOT EXISTS (SELECT 1 FROM pg_trigger t
                               WHERE t.tgrelid = i.inhrelid AND t.tgname = 'visitas_sin_truncate')),
          0::bigint, 'every partition of pae.visitas carries the trigger');

SELECT is((SELECT row(visitas, ids, dias, checkins, transiciones, respuestas)::text FROM antes),
          (SELECT row((SELECT count(*) FROM pae.visitas), (SELECT count(*) FROM pae.visitas_id),
                      (SELECT count(*) FROM pae.visitas_dia), (SELECT count(*) FROM pae.visitas_checkin),
                      (SELECT count(*) FROM pae.transiciones), (SELECT count(*) FROM pae.visita_respuestas))::text),
          'nothing was removed');
SELECT is((SELECT count(*) FROM pae.visitas v FULL JOIN pae.visitas_id i ON i.id = v.id
            WHERE v.id IS NULL OR i.id IS NULL OR i.fecha_visita <> v.fecha_visita),
          0::bigint, 'pae.visitas_id still equals the visits');
SELECT is((SELECT count(*) FROM pae.visitas v FULL JOIN pae.visitas_checkin c ON c.visita = v.id
            WHERE (v.checkin_en IS NOT NULL OR c.visita IS NOT NULL)
              AND (v.id IS NULL OR c.visita IS NULL OR c.en <> v.checkin_en)),
          0::bigint, 'pae.visitas_checkin still equals the check-ins');
SELECT is(pg_temp.intentar(NULL, 'SELECT pae.tg_visitas_sin_truncate()'),
          '0A000: trigger functions can only be called as triggers',
          'the trigger function is no tool: called directly it fails cleanly');

SELECT * FROM finish();
ROLLBACK;
