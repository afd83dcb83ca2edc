-- Closed is closed (SPEC §5, issue 9 item 6): a cerrada visit's content
-- (rations, observaciones, captures, answers, evidence) changes only after a
-- supervisor returns it (devuelta), for the visitador, the supervisor and a
-- privileged session alike; on a move from cerrada only what the state
-- machine writes changes (estado, motivo_estado, version, actualizada_en).
-- An answer or a photo cannot be moved off a cerrada or aprobada visit: the
-- visit a row leaves is checked, not only the one it joins.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(20);
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/intentar.sql

SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000601', '119001900101', '2026-06-10 08:00-05');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000602', '119001900101', '2026-06-11 08:00-05');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000603', '119001900101', '2026-06-12 08:00-05');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000604', '119001900101', '2026-06-13 08:00-05');
SELECT pg_temp.llevar('00000000-0000-4000-8000-000000000601', 'cerrada');
SELECT pg_temp.llevar('00000000-0000-4000-8000-000000000602', 'cerrada');
SELECT pg_temp.llevar('00000000-0000-4000-8000-000000000603', 'aprobada');
SELECT pg_temp.llevar('00000000-0000-4000-8000-000000000604', 'en_curso');
SELECT pg_temp.como('visitador');
SELECT pg_temp.completar('00000000-0000-4000-8000-000000000604');
SELECT pg_temp.como(NULL, NULL);
CREATE TEMP TABLE antes AS
SELECT v.*, (SELECT count(*) FROM pae.visita_respuestas r WHERE r.visita = v.id) AS respuestas,
            (SELECT count(*) FROM pae.evidencias e WHERE e.visita = v.id) AS evidencias
  FROM pae.visitas v;

-- 1. the content of a cerrada visit, for everyone
SELECT is(pg_temp.intentar('visitador', $$UPDATE pae.visitas SET raciones_entregadas = 150 WHERE id = '00000000-0000-4000-8000-000000000601'$$),
          'PV002: la visita 00000000-0000-4000-8000-000000000601 está cerrada y su contenido no cambia',
          'the visitador cannot change the rations of a cerrada visit');
SELECT is(pg_temp.error_completo('visitador', $$UPDATE pae.visitas SET observaciones = 'otra cosa', dispositivo = 'tablet-9' WHERE id = '00000000-0000-4000-8000-000000000601'$$),
          'PV002: la visita 00000000-0000-4000-8000-000000000601 está cerrada y su contenido no cambia | Se intentó cambiar observaciones, dispositivo; en una visita cerrada solo cambian estado y motivo_estado, al aprobarla o devolverla.',
          'nor its observaciones: the detail names the columns');
SELECT is(pg_temp.intentar('supervisor', $$UPDATE pae.visitas SET raciones_entregadas = 200 WHERE id = '00000000-0000-4000-8000-000000000601'$$),
          'PV002: la visita 00000000-0000-4000-8000-000000000601 está cerrada y su contenido no cambia',
          'the supervisor cannot change them either');
SELECT is(pg_temp.intentar('supervisor', $$UPDATE pae.visitas SET estado = 'aprobada', raciones_entregadas = 200 WHERE id = '00000000-0000-4000-8000-000000000601'$$),
          'PV002: la visita 00000000-0000-4000-8000-000000000601 está cerrada y su contenido no cambia',
          'nor approve with other rations than the ones closed');
SELECT is(pg_temp.intentar('supervisor', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000601', 'devuelta', 'recuento', 2.5, -76.6, 5)$$),
          'ok', 'returning through pae.transicion (whose coordinates are for check-in and check-out only) is a move of state only');
SELECT is(pg_temp.intentar(NULL, $$UPDATE pae.visitas SET observaciones = 'corregida por el DBA' WHERE id = '00000000-0000-4000-8000-000000000602'$$),
          'PV002: la visita 00000000-0000-4000-8000-000000000602 está cerrada y su contenido no cambia',
          'a privileged session cannot change a cerrada visit''s content either');
SELECT is(pg_temp.intentar('coordinador', $$UPDATE pae.visitas SET checkout_precision_m = 3 WHERE id = '00000000-0000-4000-8000-000000000602'$$),
          'PV002: transición no permitida: cerrada -> cerrada',
          'nor its captures (the check-out rule answers first)');
SELECT is(pg_temp.intentar('supervisor', $$UPDATE pae.visitas SET motivo_estado = 'revisada' WHERE id = '00000000-0000-4000-8000-000000000602'$$),
          'PV002: la visita 00000000-0000-4000-8000-000000000602 está cerrada y su contenido no cambia',
          'motivo_estado changes only with a move of state');
SELECT is(pg_temp.intentar('visitador', $$UPDATE pae.visitas SET raciones_entregadas = raciones_entregadas, observaciones = observaciones
                                         WHERE id = '00000000-0000-4000-8000-000000000602'$$),
          'ok', 'writing back the same values is no change');

-- 2. returned, the visitador corrects it and closes it again
SELECT is(pg_temp.intentar('visitador', $$UPDATE pae.visitas SET raciones_entregadas = 190, observaciones = 'recontadas' WHERE id = '00000000-0000-4000-8000-000000000601'$$),
          'ok', 'a devuelta visit is corrected by its visitador');
SELECT is(pg_temp.intentar('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000601', 'cerrada', NULL, 2.4443, -76.6128, 5)$$),
          'ok', 'and closed again (the closing checks run again)');
SELECT is(pg_temp.intentar('supervisor', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000601', 'aprobada')$$),
          'ok', 'a move that changes only the state is allowed');
SELECT results_eq($$SELECT estado::text, raciones_entregadas, observaciones FROM pae.visitas WHERE id = '00000000-0000-4000-8000-000000000601'$$,
                  $$VALUES ('aprobada', 190, 'recontadas')$$, 'what was approved is what was closed');

-- 3. answers and photos stay on a cerrada or aprobada visit
SELECT is(pg_temp.intentar('visitador', $$UPDATE pae.visita_respuestas SET visita = '00000000-0000-4000-8000-000000000604'
                                         WHERE visita = '00000000-0000-4000-8000-000000000602' AND item = (SELECT min(item) FROM pae.visita_respuestas WHERE visita = '00000000-0000-4000-8000-000000000602')$$),
          'PV002: la visita 00000000-0000-4000-8000-000000000602 está en estado cerrada y no admite cambios en visita_respuestas',
          'an answer cannot be moved off a cerrada visit onto an en_curso one');
SELECT is(pg_temp.intentar('visitador', $$UPDATE pae.evidencias SET visita = '00000000-0000-4000-8000-000000000604'
                                         WHERE visita = '00000000-0000-4000-8000-000000000603'$$),
          'PV002: la visita 00000000-0000-4000-8000-000000000603 está en estado aprobada y no admite cambios en evidencias',
          'a photo cannot be moved off an aprobada visit');
SELECT is(pg_temp.intentar('coordinador', $$UPDATE pae.evidencias SET visita = '00000000-0000-4000-8000-000000000604'
                                           WHERE visita = '00000000-0000-4000-8000-000000000602'$$),
          'PV002: la visita 00000000-0000-4000-8000-000000000602 está en estado cerrada y no admite cambios en evidencias',
          'nor by a coordinador');
SELECT is(pg_temp.intentar('visitador', $$DELETE FROM pae.evidencias WHERE visita = '00000000-0000-4000-8000-000000000602'$$),
          'PV002: la visita 00000000-0000-4000-8000-000000000602 está en estado cerrada y no admite cambios en evidencias',
          'nor deleted from a cerrada visit');
SELECT is(pg_temp.intentar('visitador', $$UPDATE pae.evidencias SET visita = '00000000-0000-4000-8000-000000000602'
                                         WHERE visita = '00000000-0000-4000-8000-000000000604'$$),
          'PV002: la visita 00000000-0000-4000-8000-000000000602 está en estado cerrada y no admite cambios en evidencias',
          'nor moved onto a cerrada visit');

-- 4. nothing of the refused writes was stored
SELECT pg_temp.como(NULL, NULL);
SELECT results_eq($$SELECT v.id, v.estado::text, v.raciones_entregadas, v.observaciones, v.checkout_precision_m, v.motivo_estado,
                           (SELECT count(*) FROM pae.visita_respuestas r WHERE r.visita = v.id),
                           (SELECT count(*) FROM pae.evidencias e WHERE e.visita = v.id)
                      FROM pae.visitas v WHERE v.id <> '00000000-0000-4000-8000-000000000601' ORDER BY v.id$$,
                  $$SELECT a.id, a.estado::text, a.raciones_entregadas, a.observaciones, a.checkout_precision_m, a.motivo_estado, a.respuestas, a.evidencias
                      FROM antes a WHERE a.id <> '00000000-0000-4000-8000-000000000601' ORDER BY a.id$$,
                  'the other visits, their answers and their evidence are as they were');
SELECT is((SELECT count(*) FROM pae.transiciones WHERE visita = '00000000-0000-4000-8000-000000000602'), 2::bigint,
          'the refused approval left no history');

SELECT * FROM finish();
ROLLBACK;
