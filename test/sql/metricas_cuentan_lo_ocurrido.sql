-- pae.metricas_* (issue 13, item 4): each view counts what happened in its
-- window -- visits of this month by state, transitions of the last hour,
-- alerts by type, sync batches and their visits by result, login attempts
-- by result, unsealed audit rows, the last event id -- compared before and
-- after writing known rows in this transaction.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(13);
\i test/fixtures/visitas_y_personas.sql
SELECT pae.mantener_particiones(1) >= 0 AS hecho;
SELECT pae.sellar_auditoria() >= 0 AS sellado;
CREATE TEMP TABLE antes AS
SELECT (SELECT jsonb_object_agg(estado, visitas) FROM pae.metricas_visitas
         WHERE mes = date_trunc('month', now() AT TIME ZONE pae.regla('zona_horaria'))::date) AS visitas,
       (SELECT jsonb_object_agg(hacia, ultima_hora) FROM pae.metricas_transiciones) AS transiciones,
       (SELECT jsonb_object_agg(resultado, jsonb_build_array(lotes_ultima_hora, visitas_ultima_hora, lotes_24h, visitas_24h))
          FROM pae.metricas_sincronizacion) AS sincronizacion,
       (SELECT jsonb_object_agg(resultado, ultima_hora) FROM pae.metricas_login) AS login,
       (SELECT ultimo_evento FROM pae.metricas_relay) AS ultimo_evento;
GRANT SELECT ON antes TO PUBLIC;

-- three visits today, one taken to en_curso
SELECT pg_temp.nueva_visita(('00000000-0000-4000-8000-00000000b00' || k)::uuid, '11900190010' || k, now())
  FROM generate_series(1, 3) k;
SELECT pg_temp.llevar('00000000-0000-4000-8000-00000000b001', 'en_curso');
-- an alert of a type of its own, a sync batch, login attempts
INSERT INTO pae.alertas (visita, tipo, detalle) VALUES ('00000000-0000-4000-8000-00000000b002', 'prueba_metricas', '{}');
INSERT INTO pae.eventos (tipo, payload)
VALUES ('sincronizacion', '{"visitas": 6, "aceptadas": 3, "duplicadas": 0, "conflictos": 1, "rechazadas": 2}');
INSERT INTO pae.intentos_login (correo, resultado)
VALUES (pae.correo_digesto('a@b.co'), 'fallo'), (pae.correo_digesto('a@b.co'), 'fallo'), (pae.correo_digesto('c@d.co'), 'exito');
-- and one that happened two days ago: outside every window
INSERT INTO pae.intentos_login (correo, en, resultado) VALUES (pae.correo_digesto('e@f.co'), now() - interval '2 days', 'fallo');

CREATE FUNCTION pg_temp.delta(antes jsonb, despues jsonb) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_object_agg(k, (despues->k)::numeric - coalesce((antes->k)::numeric, 0))
      FROM jsonb_object_keys(despues) k WHERE (despues->k)::numeric <> coalesce((antes->k)::numeric, 0) $$;

-- 1-2. visits of this month by state
SELECT is(pg_temp.delta((SELECT visitas FROM antes),
                        (SELECT jsonb_object_agg(estado, visitas) FROM pae.metricas_visitas
                          WHERE mes = date_trunc('month', now() AT TIME ZONE pae.regla('zona_horaria'))::date)),
          '{"programada": 2, "en_curso": 1}'::jsonb, 'visits: 2 programada and 1 en_curso more this month');
SELECT is((SELECT count(*) FROM pae.metricas_visitas), 4 * 6::bigint,
          'one row per month (two back, this, next) and state, zeros too');

-- 3. transitions of the last hour
SELECT is(pg_temp.delta((SELECT transiciones FROM antes),
                        (SELECT jsonb_object_agg(hacia, ultima_hora) FROM pae.metricas_transiciones)),
          '{"en_curso": 1}'::jsonb, 'transitions: one more to en_curso in the last hour');

-- 4-5. alerts by type
SELECT is((SELECT (abiertas, ultimas_24h)::text FROM pae.metricas_alertas WHERE tipo = 'prueba_metricas'),
          '(1,1)', 'alerts: the new type, open and detected in the last 24 h');
UPDATE pae.alertas SET cerrada_en = now() WHERE tipo = 'prueba_metricas';
SELECT is((SELECT (abiertas, ultimas_24h)::text FROM pae.metricas_alertas WHERE tipo = 'prueba_metricas'),
          '(0,1)', 'closed: no longer open, still detected');

-- 6. sync batches and visits by result
SELECT is((SELECT jsonb_object_agg(m.resultado, jsonb_build_array(m.lotes_ultima_hora - (a.sincronizacion->m.resultado->>0)::bigint,
                                                                  m.visitas_ultima_hora - (a.sincronizacion->m.resultado->>1)::bigint,
                                                                  m.lotes_24h - (a.sincronizacion->m.resultado->>2)::bigint,
                                                                  m.visitas_24h - (a.sincronizacion->m.resultado->>3)::bigint))
             FROM pae.metricas_sincronizacion m, antes a),
          '{"aceptada": [1, 3, 1, 3], "duplicada": [0, 0, 0, 0], "conflicto": [1, 1, 1, 1], "rechazada": [1, 2, 1, 2]}'::jsonb,
          'sync: one batch, its visits by result (a result with no visit counts no batch)');

-- 7-8. login attempts of the last hour by result (the old one is outside)
SELECT is(pg_temp.delta((SELECT login FROM antes), (SELECT jsonb_object_agg(resultado, ultima_hora) FROM pae.metricas_login)),
          '{"fallo": 2, "exito": 1}'::jsonb, 'logins: 2 failures and 1 success in the last hour');
SELECT is((SELECT ultimas_24h FROM pae.metricas_login WHERE resultado = 'fallo')
          - (SELECT count(*) FROM pae.intentos_login WHERE resultado = 'fallo' AND en > now() - interval '24 hours'),
          0::bigint, 'the 24-hour window leaves out the attempt of two days ago');

-- 9-11. audit: unsealed rows, then sealed
SELECT is((SELECT filas_sin_sellar FROM pae.metricas_auditoria),
          (SELECT count(*) FROM pae.auditoria WHERE id > (SELECT coalesce(max(hasta_id), 0) FROM pae.auditoria_sellos)),
          'audit: the unsealed rows');
SELECT ok((SELECT filas_sin_sellar > 0 FROM pae.metricas_auditoria), 'the writes above left unsealed rows');
SELECT pae.sellar_auditoria() > 0 AS sellado;
SELECT is((SELECT (filas_sin_sellar, sin_sellar_antiguedad_s, ultimo_sello = (SELECT max(id) FROM pae.auditoria_sellos))::text
             FROM pae.metricas_auditoria), '(0,0,t)', 'after sealing: none, age 0, the last seal');

-- 12-13. events
SELECT is((SELECT ultimo_evento FROM pae.metricas_relay), (SELECT max(id) FROM pae.eventos), 'relay: the last event id');
SELECT ok((SELECT ultimo_evento FROM pae.metricas_relay) > (SELECT coalesce(ultimo_evento, 0) FROM antes),
          'it grew with the transition and the sync event');

SELECT * FROM finish();
ROLLBACK;
