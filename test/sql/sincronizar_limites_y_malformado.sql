-- Offline sync (SPEC §8): bounded and strict.  A batch over its limits
-- (visits, bytes of the body, bytes, answers or evidence of one visit) or
-- whose shape is wrong (not an object, no "visitas" list, unknown keys)
-- fails at once with PV011, before any item is applied; a malformed item
-- (wrong types, missing fields, bad uuids, unknown keys or states, times
-- without offset, numbers out of range, deep nesting) is rechazada with
-- PV011 and the others go on.  Never a crash, never XX000.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(26);
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/intentar.sql
\i test/fixtures/sincronizar.sql

CREATE TEMP TABLE cuerpo (k text PRIMARY KEY, b jsonb);
GRANT ALL ON cuerpo TO PUBLIC;
CREATE FUNCTION pg_temp.sinc_cuerpo(p_k text) RETURNS text LANGUAGE sql AS $$
    SELECT pg_temp.intentar('visitador', format('SELECT pae_api.sincronizar(b) FROM cuerpo WHERE k = %L', p_k)) $$;

-- 1. the limits are rules of the catalogue
SELECT results_eq($$SELECT nombre, valor FROM pae.reglas() WHERE nombre LIKE 'sync%' ORDER BY nombre$$,
                  $$VALUES ('sync_max_bytes', '16777216'), ('sync_max_bytes_visita', '262144'),
                           ('sync_max_evidencias', '50'), ('sync_max_respuestas', '100'), ('sync_max_visitas', '5000')$$,
                  'the sync limits are in pae.reglas()');

-- 2. over a limit: PV011 for the whole call
INSERT INTO cuerpo VALUES
    ('visitas_5001', jsonb_build_object('visitas', (SELECT jsonb_agg('{}'::jsonb) FROM generate_series(1, 5001)))),
    ('cuerpo_17mb', jsonb_build_object('visitas', jsonb_build_array(pg_temp.item('00000000-0000-4000-8000-000000000001')),
                                       'relleno', repeat('x', 17000000))),
    ('visita_10mb', pg_temp.lote(pg_temp.item('00000000-0000-4000-8000-000000000001'),
                                 pg_temp.item('00000000-0000-4000-8000-000000000002', 'cerrada', '2026-06-11 08:00-05')
                                   || jsonb_build_object('observaciones', repeat('y', 10000000)))),
    ('respuestas_101', pg_temp.lote(pg_temp.item('00000000-0000-4000-8000-000000000001')
                                   || jsonb_build_object('respuestas', (SELECT jsonb_agg(jsonb_build_object('item', 'X-' || g, 'valor', 'cumple'))
                                                                          FROM generate_series(1, 101) g)))),
    ('evidencias_51', pg_temp.lote(pg_temp.item('00000000-0000-4000-8000-000000000001')
                                   || jsonb_build_object('evidencias', (SELECT jsonb_agg(jsonb_build_object('id', gen_random_uuid()))
                                                                          FROM generate_series(1, 51))))),
    ('visitas_5000_vacias', jsonb_build_object('visitas', (SELECT jsonb_agg('{}'::jsonb) FROM generate_series(1, 5000))));
SELECT is(pg_temp.sinc_cuerpo('visitas_5001'), 'PV011: lote de sincronización inválido: demasiadas visitas en el lote',
          '5001 visits: PV011');
SELECT is(pg_temp.sinc_cuerpo('cuerpo_17mb'), 'PV011: lote de sincronización inválido: el lote es demasiado grande',
          'a 17 MB body: PV011');
SELECT is(pg_temp.sinc_cuerpo('visita_10mb'), 'PV011: lote de sincronización inválido: una visita del lote es demasiado grande',
          'a visit of 10 MB: PV011 for the whole batch');
SELECT is(pg_temp.sinc_cuerpo('respuestas_101'), 'PV011: lote de sincronización inválido: demasiadas respuestas en una visita',
          '101 answers in a visit: PV011');
SELECT is(pg_temp.sinc_cuerpo('evidencias_51'), 'PV011: lote de sincronización inválido: demasiadas evidencias en una visita',
          '51 evidencias in a visit: PV011');
SELECT is((SELECT count(*) FROM pae.visitas), 0::bigint, 'a batch over a limit applied none of its visits');
SELECT is(pg_temp.sinc_cuerpo('visitas_5000_vacias'), 'ok', '5000 visits (each malformed) is within the limit');

-- 3. malformed batches: PV011 for the whole call
INSERT INTO cuerpo VALUES ('lista', '[]'), ('texto', '"x"'), ('numero', '1'), ('null_json', 'null'),
    ('sin_visitas', '{"dispositivo": "t"}'), ('visitas_objeto', '{"visitas": {}}'), ('visitas_texto', '{"visitas": "x"}'),
    ('clave_extra', '{"visitas": [], "otra": 1}'), ('dispositivo_numero', '{"dispositivo": 5, "visitas": []}'),
    ('null_sql', NULL), ('vacio', '{"visitas": []}');
SELECT is(pg_temp.sinc_cuerpo('lista'), 'PV011: lote de sincronización inválido: el cuerpo no es un objeto', 'a list: PV011');
SELECT is(pg_temp.sinc_cuerpo('texto'), 'PV011: lote de sincronización inválido: el cuerpo no es un objeto', 'a string: PV011');
SELECT is(pg_temp.sinc_cuerpo('numero'), 'PV011: lote de sincronización inválido: el cuerpo no es un objeto', 'a number: PV011');
SELECT is(pg_temp.sinc_cuerpo('null_json'), 'PV011: lote de sincronización inválido: el cuerpo no es un objeto', 'JSON null: PV011');
SELECT is(pg_temp.sinc_cuerpo('null_sql'), 'PV011: lote de sincronización inválido: el cuerpo es null', 'SQL NULL: PV011');
SELECT is(pg_temp.sinc_cuerpo('sin_visitas'), 'PV011: lote de sincronización inválido: falta "visitas"', 'no visitas: PV011');
SELECT is(pg_temp.sinc_cuerpo('visitas_objeto'), 'PV011: lote de sincronización inválido: "visitas" debe ser una lista', 'visitas an object: PV011');
SELECT is(pg_temp.sinc_cuerpo('visitas_texto'), 'PV011: lote de sincronización inválido: "visitas" debe ser una lista', 'visitas a string: PV011');
SELECT is(pg_temp.sinc_cuerpo('clave_extra'), 'PV011: lote de sincronización inválido: clave desconocida "otra"', 'an unknown key: PV011');
SELECT is(pg_temp.sinc_cuerpo('dispositivo_numero'), 'PV011: lote de sincronización inválido: "dispositivo" debe ser texto', 'dispositivo a number: PV011');
SELECT is(pg_temp.sinc('visitador', b), '{"resultados": [], "aceptadas": 0, "duplicadas": 0, "conflictos": 0, "rechazadas": 0}',
          'an empty batch answers zeros') FROM cuerpo WHERE k = 'vacio';

-- 4. malformed items: rechazada PV011, the good one goes on
CREATE TEMP TABLE malos (n int, item jsonb, mensaje text);
INSERT INTO malos VALUES
    (1, '1', 'visita 0 del lote mal formada: "visita" debe ser un objeto; llegó un número'),
    (2, '{}', 'visita 1 del lote mal formada: falta "id", el uuid de la visita generado por el dispositivo'),
    (3, pg_temp.item('00000000-0000-4000-8000-000000000001') || '{"id": "no-es-uuid"}',
        'visita 2 del lote mal formada: "id" no es un uuid (forma xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)'),
    (4, jsonb_set(pg_temp.item('00000000-0000-4000-8000-000000000004'), '{checkin,lat}', '"2.44"'),
        'visita 3 del lote mal formada: "checkin.lat" debe ser un número o null; llegó texto'),
    (5, pg_temp.item('00000000-0000-4000-8000-000000000005') || '{"foto": "base64..."}',
        'visita 4 del lote mal formada: clave desconocida "foto"'),
    (6, pg_temp.item('00000000-0000-4000-8000-000000000006') || '{"fecha_visita": "2026-06-10T08:00:00"}',
        'visita 5 del lote mal formada: "fecha_visita" debe llevar su desfase de UTC (por ejemplo 2025-03-04T08:10:00-05:00 o ...Z)'),
    (7, pg_temp.item('00000000-0000-4000-8000-000000000007') || '{"fecha_visita": "2026-02-30T08:00:00-05:00"}',
        'visita 6 del lote mal formada: "fecha_visita" no es una fecha y hora ISO 8601 válida'),
    (8, pg_temp.item('00000000-0000-4000-8000-000000000008') || '{"estado": "terminada"}',
        'visita 7 del lote mal formada: "estado" desconocido: "terminada" (programada, en_curso, cerrada, aprobada, devuelta o cancelada)'),
    (9, pg_temp.item('00000000-0000-4000-8000-000000000009') || '{"version_base": 1.5}',
        'visita 8 del lote mal formada: "version_base" debe ser un número entero'),
    (10, pg_temp.item('00000000-0000-4000-8000-000000000010') || '{"raciones_entregadas": 1e10}',
        'visita 9 del lote mal formada: "raciones_entregadas" debe estar entre -2147483648 y 2147483647'),
    (11, jsonb_insert(pg_temp.item('00000000-0000-4000-8000-000000000011'), '{respuestas,0}', '{"item": "RAC-01", "valor": "no_cumple"}'),
        'visita 10 del lote mal formada: "respuestas" responde dos veces el ítem "RAC-01"'),
    (12, pg_temp.item('00000000-0000-4000-8000-000000000012') || jsonb_build_object('observaciones', (repeat('[', 1000) || repeat(']', 1000))::jsonb),
        'visita 11 del lote mal formada: "observaciones" debe ser texto o null; llegó una lista'),
    (13, jsonb_set(pg_temp.item('00000000-0000-4000-8000-000000000013'), '{checkin}', '{"lat": 2.44, "lon": -76.61}'),
        'visita 12 del lote mal formada: falta "checkin.t", la hora del dispositivo'),
    (14, jsonb_set(pg_temp.item('00000000-0000-4000-8000-000000000014'), '{checkin,lat}', '1e400'),
        'visita 13 del lote mal formada: "checkin.lat" está fuera del rango de un número de doble precisión'),
    (15, pg_temp.item('00000000-0000-4000-8000-000000000015', 'programada', '2026-06-25 08:00-05'), NULL);
SELECT results_eq($$SELECT x.e->>'resultado', x.e->'error'->>'sqlstate', x.e->'error'->>'mensaje'
                      FROM jsonb_array_elements(pg_temp.sinc('visitador', jsonb_build_object('visitas',
                               (SELECT jsonb_agg(item ORDER BY n) FROM malos)))->'resultados') WITH ORDINALITY AS x(e, n)
                     ORDER BY x.n$$,
                  $$SELECT CASE WHEN mensaje IS NULL THEN 'aceptada' ELSE 'rechazada' END,
                           CASE WHEN mensaje IS NULL THEN NULL ELSE 'PV011' END, mensaje FROM malos ORDER BY n$$,
                  'each malformed item is rechazada PV011 naming its field; the good item is accepted');
SELECT is((SELECT count(*) FROM pae.visitas), 1::bigint, 'only the good item was applied');

-- 5. every field replaced by every kind of junk: never XX000, never a raised error
CREATE TEMP TABLE basura AS
SELECT row_number() OVER () AS n, jsonb_set(
           jsonb_set(pg_temp.item('00000000-0000-4000-8000-000000000200', 'cerrada', '2026-07-01 08:00-05'),
                     '{id}', to_jsonb(md5('basura' || c.ruta::text || j.valor)::uuid)),
           c.ruta::text[], j.valor::jsonb) AS item
  FROM unnest(ARRAY['{id}', '{version_base}', '{sede}', '{contrato}', '{fecha_visita}', '{estado}', '{checkin}',
                    '{checkout}', '{raciones_entregadas}', '{observaciones}', '{respuestas}', '{evidencias}',
                    '{checkin,lat}', '{checkin,t}', '{checkout,precision_m}', '{respuestas,0,item}',
                    '{respuestas,0,valor}', '{evidencias,0,id}', '{evidencias,0,bytes}', '{evidencias,0,sha256}']::text[]) AS c(ruta),
       unnest(ARRAY['null', '0', '-1.5', '"x"', 'true', '[]', '{}', '[[[[[[[[[[1]]]]]]]]]]',
                    '"' || repeat('9', 300) || '"', '1e400', '-99999999999999999999', '"2026-06-10T08:00:00+99:00"']) AS j(valor);
CREATE TEMP TABLE basura_res AS
SELECT pg_temp.sinc('visitador', jsonb_build_object('dispositivo', 'fuzz', 'visitas', (SELECT jsonb_agg(item ORDER BY n) FROM basura))) AS r;
SELECT is(jsonb_array_length(r->'resultados'), 240, 'one answer for each of the 240 junk items') FROM basura_res;
SELECT is((SELECT count(*) FROM basura_res, jsonb_array_elements(r->'resultados') e
            WHERE e->'error'->>'sqlstate' IN ('XX000', 'XX001', 'XX002') OR e->'error'->>'sqlstate' LIKE '58%'), 0::bigint,
          'no internal error among them');
SELECT is((SELECT count(*) FROM basura_res, jsonb_array_elements(r->'resultados') e
            WHERE e->>'resultado' NOT IN ('aceptada', 'rechazada', 'conflicto')), 0::bigint,
          'each is accepted (harmless junk), refused or a conflict');
SELECT cmp_ok((SELECT count(*) FROM basura_res, jsonb_array_elements(r->'resultados') e
                WHERE e->'error'->>'sqlstate' = 'PV011'), '>', 100::bigint,
              'most are refused by the decoder itself (PV011)');

-- 6. a body nested 5000 levels deep inside the list
INSERT INTO cuerpo VALUES ('profundo', ('{"visitas": [' || repeat('[', 5000) || repeat(']', 5000) || ']}')::jsonb);
SELECT is(pg_temp.sinc('visitador', b)->'resultados'->0->'error'->>'sqlstate', 'PV011',
          'a visit nested 5000 levels deep: rechazada PV011') FROM cuerpo WHERE k = 'profundo';

SELECT * FROM finish();
ROLLBACK;
