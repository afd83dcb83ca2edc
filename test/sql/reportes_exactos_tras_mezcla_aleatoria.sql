-- Reports equal the raw data at every moment (issue 12, item 2; SPEC §9):
-- after a long random mix of the operations that change what the reports
-- count -- visits inserted into any month (late syncs into old months
-- included), state changes through pae.transicion (cancellations
-- included), rations edits, answers inserted, changed and deleted, a
-- programada visit moved to another month, programada visits deleted, sedes
-- moved to another municipio and (de)activated, a contract given to another
-- operator, deltas folded in between -- each of the four views equals a
-- ground-truth GROUP BY over the base tables (EXCEPT ALL both ways), also
-- after folding (pae.plegar_resumenes) and partition upkeep
-- (pae.mantener_particiones moving default-partition rows); rebuilding the
-- rollups from scratch (pae.reconstruir_resumenes) gives what the
-- triggers kept.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(20);
-- estimates on freshly filled tables are large: no JIT compilation for tiny data
SET LOCAL jit = off;
\i test/fixtures/visitas_y_personas.sql

-- a second operator, more sedes in two more municipios (one of them with
-- a sede that is never visited), and a second contract
INSERT INTO pae.operadores (nit, nombre) VALUES ('800765432-1', 'Otro Operador SAS');
INSERT INTO pae.instituciones (codigo, nombre, municipio) VALUES ('119532900001', 'IE Prueba Patía', '19532');
INSERT INTO pae.sedes (codigo, nombre, institucion, municipio, zona, ubicacion) VALUES
    ('119532900101', 'Sede El Bordo', '119532900001', '19532', 'urbana', 'SRID=4326;POINT(-77.0 2.11)'),
    ('119532900102', 'Sede Nunca',    '119532900001', '19532', 'rural',  'SRID=4326;POINT(-77.01 2.12)');
INSERT INTO pae.contratos (numero, operador, vigencia, raciones_dia, modalidad)
VALUES ('PAE-T-002', '800765432-1', daterange('2025-01-01', '2027-01-01'), 150, 'RI');
INSERT INTO pae.contrato_sedes (contrato, sede) SELECT 'PAE-T-002', codigo FROM pae.sedes;
INSERT INTO pae.usuario_municipios (usuario, municipio)
SELECT pg_temp.id(q), m FROM unnest(ARRAY['visitador', 'otro_visitador', 'supervisor']) q,
       unnest(ARRAY['19698', '19532']) m
ON CONFLICT DO NOTHING;

-- December 2026 loses its (empty) partitions: visits of that month land
-- in the default partitions until pae.mantener_particiones moves them
DROP TABLE pae.visitas_p2026_12, pae.resumen_visitas_p2026_12, pae.resumen_sedes_p2026_12;

-- ground truth: raw GROUP BYs over the base tables
CREATE TEMP VIEW gt_mensual AS
SELECT date_trunc('month', v.fecha_visita AT TIME ZONE 'America/Bogota')::date AS mes,
       s.municipio AS municipio_codigo, m.nombre AS municipio_nombre, o.nit AS operador, o.nombre AS operador_nombre,
       v.contrato, count(*) AS programadas,
       count(*) FILTER (WHERE v.estado IN ('cerrada', 'aprobada', 'devuelta')) AS realizadas,
       count(*) FILTER (WHERE v.estado = 'aprobada') AS aprobadas,
       count(*) FILTER (WHERE v.estado = 'devuelta') AS devueltas,
       count(*) FILTER (WHERE v.estado = 'cancelada') AS canceladas,
       count(*) FILTER (WHERE NOT v.dentro_geocerca) AS fuera_geocerca,
       coalesce(sum(v.raciones_programadas), 0) AS raciones_programadas,
       coalesce(sum(v.raciones_entregadas), 0) AS raciones_entregadas
  FROM pae.visitas v JOIN pae.sedes s ON s.codigo = v.sede JOIN pae.municipios m ON m.codigo = s.municipio
  JOIN pae.contratos c ON c.numero = v.contrato JOIN pae.operadores o ON o.nit = c.operador
 GROUP BY 1, 2, 3, 4, 5, 6;
CREATE TEMP VIEW gt_cobertura AS
WITH meses AS (SELECT DISTINCT date_trunc('month', v.fecha_visita AT TIME ZONE 'America/Bogota')::date AS mes FROM pae.visitas v),
     activas AS (SELECT municipio, count(*) AS n FROM pae.sedes WHERE activa GROUP BY municipio),
     visitadas AS (SELECT date_trunc('month', v.fecha_visita AT TIME ZONE 'America/Bogota')::date AS mes, s.municipio,
                          count(DISTINCT v.sede) AS n
                     FROM pae.visitas v JOIN pae.sedes s ON s.codigo = v.sede
                    WHERE v.estado IN ('cerrada', 'aprobada', 'devuelta') GROUP BY 1, 2)
SELECT meses.mes, m.codigo AS municipio_codigo, m.nombre AS municipio_nombre,
       coalesce(a.n, 0) AS sedes_activas, coalesce(vi.n, 0) AS sedes_visitadas,
       round(100.0 * coalesce(vi.n, 0) / nullif(a.n, 0), 2) AS cobertura_pct, m.ubicacion::text AS ubicacion
  FROM meses CROSS JOIN pae.municipios m
  LEFT JOIN activas a ON a.municipio = m.codigo
  LEFT JOIN visitadas vi ON vi.mes = meses.mes AND vi.municipio = m.codigo
 WHERE a.n IS NOT NULL OR vi.n IS NOT NULL;
CREATE TEMP VIEW gt_cumplimiento AS
SELECT date_trunc('month', v.fecha_visita AT TIME ZONE 'America/Bogota')::date AS mes, o.nit AS operador,
       o.nombre AS operador_nombre,
       count(r.item) FILTER (WHERE r.valor IN ('cumple', 'no_cumple')) AS items_evaluados,
       count(r.item) FILTER (WHERE r.valor = 'cumple') AS items_cumplen,
       round(100.0 * count(r.item) FILTER (WHERE r.valor = 'cumple')
             / nullif(count(r.item) FILTER (WHERE r.valor IN ('cumple', 'no_cumple')), 0), 2) AS cumplimiento_pct
  FROM pae.visitas v JOIN pae.contratos c ON c.numero = v.contrato JOIN pae.operadores o ON o.nit = c.operador
  LEFT JOIN pae.visita_respuestas r ON r.visita = v.id
 WHERE v.estado IN ('cerrada', 'aprobada', 'devuelta')
 GROUP BY 1, 2, 3;
CREATE TEMP VIEW gt_alertas AS
SELECT a.id, a.visita, date_trunc('month', v.fecha_visita AT TIME ZONE 'America/Bogota')::date AS mes, a.tipo, a.detalle,
       a.detectada_en, v.sede, s.nombre AS sede_nombre, s.municipio AS municipio_codigo, m.nombre AS municipio_nombre,
       v.visitador, s.ubicacion::text AS ubicacion
  FROM pae.alertas a JOIN pae.visitas v ON v.id = a.visita JOIN pae.sedes s ON s.codigo = v.sede
  JOIN pae.municipios m ON m.codigo = s.municipio
 WHERE a.cerrada_en IS NULL;
-- "view equals ground truth": the rows of either that the other lacks
CREATE FUNCTION pg_temp.diferencias() RETURNS TABLE (vista text, lado text, fila text) LANGUAGE sql AS $$
    (SELECT 'visitas_mensual', 'solo vista', x::text FROM (SELECT * FROM pae_reportes.visitas_mensual EXCEPT ALL SELECT * FROM gt_mensual) x)
    UNION ALL (SELECT 'visitas_mensual', 'solo verdad', x::text FROM (SELECT * FROM gt_mensual EXCEPT ALL SELECT * FROM pae_reportes.visitas_mensual) x)
    UNION ALL (SELECT 'cobertura_sedes', 'solo vista', x::text FROM (SELECT mes, municipio_codigo, municipio_nombre, sedes_activas, sedes_visitadas, cobertura_pct, ubicacion::text FROM pae_reportes.cobertura_sedes EXCEPT ALL SELECT * FROM gt_cobertura) x)
    UNION ALL (SELECT 'cobertura_sedes', 'solo verdad', x::text FROM (SELECT * FROM gt_cobertura EXCEPT ALL SELECT mes, municipio_codigo, municipio_nombre, sedes_activas, sedes_visitadas, cobertura_pct, ubicacion::text FROM pae_reportes.cobertura_sedes) x)
    UNION ALL (SELECT 'cumplimiento_operador', 'solo vista', x::text FROM (SELECT * FROM pae_reportes.cumplimiento_operador EXCEPT ALL SELECT * FROM gt_cumplimiento) x)
    UNION ALL (SELECT 'cumplimiento_operador', 'solo verdad', x::text FROM (SELECT * FROM gt_cumplimiento EXCEPT ALL SELECT * FROM pae_reportes.cumplimiento_operador) x)
    UNION ALL (SELECT 'alertas', 'solo vista', x::text FROM (SELECT id, visita, mes, tipo, detalle, detectada_en, sede, sede_nombre, municipio_codigo, municipio_nombre, visitador, ubicacion::text FROM pae_reportes.alertas EXCEPT ALL SELECT * FROM gt_alertas) x)
    UNION ALL (SELECT 'alertas', 'solo verdad', x::text FROM (SELECT * FROM gt_alertas EXCEPT ALL SELECT id, visita, mes, tipo, detalle, detectada_en, sede, sede_nombre, municipio_codigo, municipio_nombre, visitador, ubicacion::text FROM pae_reportes.alertas) x)
$$;

-- the random mix, through the real paths; each operation in its own
-- subtransaction (a refused one leaves nothing behind, deltas included)
CREATE TEMP TABLE hechos (op text, ok boolean);
GRANT ALL ON hechos TO PUBLIC;
CREATE FUNCTION pg_temp.mezcla(n integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    i integer; op text; v record; v_id uuid; v_ok boolean; v_sede text; v_fecha timestamptz;
    v_sedes text[] := ARRAY['119001900101', '119001900103', '119698900101', '119532900101', '119001900102'];
    v_items text[] := ARRAY(SELECT codigo FROM pae.checklist_items WHERE activo ORDER BY codigo);
    v_valores text[] := ARRAY['cumple', 'no_cumple', 'no_aplica'];
    r float8;
BEGIN
    FOR i IN 1 .. n LOOP
        r := random();
        SELECT * INTO v FROM pae.visitas ORDER BY random() LIMIT 1;
        IF r >= 0.58 AND r < 0.76 AND random() < 0.8 THEN
            -- answers are taken while a visit is en_curso or devuelta
            SELECT * INTO v FROM pae.visitas WHERE estado IN ('en_curso', 'devuelta') ORDER BY random() LIMIT 1;
        END IF;
        op := CASE WHEN v IS NULL OR r < 0.22 THEN 'insertar'
                   WHEN r < 0.45 THEN 'avanzar'
                   WHEN r < 0.50 THEN 'cancelar'
                   WHEN r < 0.58 THEN 'raciones'
                   WHEN r < 0.72 THEN 'responder'
                   WHEN r < 0.76 THEN 'borrar_respuesta'
                   WHEN r < 0.81 THEN 'mover_mes'
                   WHEN r < 0.84 THEN 'borrar_visita'
                   WHEN r < 0.88 THEN 'sede_municipio'
                   WHEN r < 0.91 THEN 'sede_activa'
                   WHEN r < 0.93 THEN 'contrato_operador'
                   WHEN r < 0.96 THEN 'cambiar_contrato'
                   ELSE 'plegar' END;
        v_ok := true;
        BEGIN
            IF op = 'insertar' THEN
                -- any month of 2025-2026: late syncs into old months too
                v_fecha := timestamptz '2025-01-01 08:00-05' + make_interval(days => floor(random() * 700)::integer,
                                                                              hours => floor(random() * 10)::integer);
                PERFORM pg_temp.como(NULL, NULL);
                INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas, raciones_entregadas)
                VALUES (gen_random_uuid(), v_sedes[1 + floor(random() * 4)::integer],
                        CASE WHEN random() < 0.6 THEN 'PAE-T-001' ELSE 'PAE-T-002' END,
                        pg_temp.id(CASE WHEN random() < 0.5 THEN 'visitador' ELSE 'otro_visitador' END), v_fecha,
                        CASE WHEN random() < 0.2 THEN NULL ELSE floor(random() * 300)::integer END,
                        CASE WHEN random() < 0.5 THEN NULL ELSE floor(random() * 300)::integer END);
            ELSIF op = 'avanzar' THEN
                PERFORM pg_temp.como(NULL, NULL);
                IF v.estado = 'programada' THEN
                    PERFORM pg_temp.como((SELECT clave FROM gente WHERE id = v.visitador));
                    PERFORM pae.transicion(v.id, 'en_curso', NULL, 2.4443, -76.6128, 5);
                ELSIF v.estado = 'en_curso' THEN
                    PERFORM pg_temp.completar(v.id);
                    PERFORM pg_temp.como((SELECT clave FROM gente WHERE id = v.visitador));
                    PERFORM pae.transicion(v.id, 'cerrada', NULL, 2.4443, -76.6128, 5);
                ELSIF v.estado = 'cerrada' THEN
                    PERFORM pg_temp.como('supervisor');
                    IF random() < 0.5 THEN
                        PERFORM pae.transicion(v.id, 'aprobada');
                    ELSE
                        PERFORM pae.transicion(v.id, 'devuelta', 'faltan firmas');
                    END IF;
                ELSIF v.estado = 'devuelta' THEN
                    PERFORM pg_temp.como((SELECT clave FROM gente WHERE id = v.visitador));
                    PERFORM pae.transicion(v.id, 'cerrada', NULL, 2.4443, -76.6128, 5);
                ELSE
                    v_ok := false;
                END IF;
            ELSIF op = 'cancelar' THEN
                PERFORM pg_temp.como('coordinador');
                PERFORM pae.transicion(v.id, 'cancelada', 'error de planeación');
            ELSIF op = 'raciones' THEN
                PERFORM pg_temp.como(NULL, NULL);
                UPDATE pae.visitas SET raciones_entregadas = floor(random() * 300)::integer,
                                       raciones_programadas = CASE WHEN random() < 0.3 THEN floor(random() * 300)::integer ELSE raciones_programadas END
                 WHERE id = v.id;
            ELSIF op = 'responder' THEN
                PERFORM pg_temp.como(NULL, NULL);
                INSERT INTO pae.visita_respuestas (visita, item, valor)
                VALUES (v.id, v_items[1 + floor(random() * array_length(v_items, 1))::integer],
                        v_valores[1 + floor(random() * 3)::integer])
                ON CONFLICT (visita, item) DO UPDATE SET valor = EXCLUDED.valor;
            ELSIF op = 'borrar_respuesta' THEN
                PERFORM pg_temp.como(NULL, NULL);
                DELETE FROM pae.visita_respuestas
                 WHERE (visita, item) IN (SELECT visita, item FROM pae.visita_respuestas WHERE visita = v.id LIMIT 1);
                v_ok := FOUND;
            ELSIF op = 'mover_mes' THEN
                PERFORM pg_temp.como(NULL, NULL);
                UPDATE pae.visitas SET fecha_visita = fecha_visita + make_interval(days => 20 + floor(random() * 60)::integer)
                 WHERE id = v.id;
            ELSIF op = 'borrar_visita' THEN
                PERFORM pg_temp.como(NULL, NULL);
                DELETE FROM pae.visitas WHERE id = v.id;
            ELSIF op = 'sede_municipio' THEN
                PERFORM pg_temp.como(NULL, NULL);
                UPDATE pae.sedes SET municipio = CASE municipio WHEN '19001' THEN '19698' WHEN '19698' THEN '19532' ELSE '19001' END
                 WHERE codigo = v_sedes[1 + floor(random() * 4)::integer];
            ELSIF op = 'sede_activa' THEN
                PERFORM pg_temp.como(NULL, NULL);
                UPDATE pae.sedes SET activa = NOT activa WHERE codigo = v_sedes[5];
            ELSIF op = 'contrato_operador' THEN
                PERFORM pg_temp.como(NULL, NULL);
                UPDATE pae.contratos SET operador = CASE operador WHEN '900123456-7' THEN '800765432-1' ELSE '900123456-7' END
                 WHERE numero = 'PAE-T-002';
            ELSIF op = 'cambiar_contrato' THEN
                PERFORM pg_temp.como(NULL, NULL);
                UPDATE pae.visitas SET contrato = CASE contrato WHEN 'PAE-T-001' THEN 'PAE-T-002' ELSE 'PAE-T-001' END
                 WHERE id = v.id;
            ELSE
                PERFORM pae.plegar_resumenes();
            END IF;
            PERFORM pg_temp.como(NULL, NULL);
        EXCEPTION WHEN OTHERS THEN
            PERFORM pg_temp.como(NULL, NULL);
            v_ok := false;
        END;
        INSERT INTO hechos VALUES (op, v_ok);
    END LOOP;
END $$;

SELECT setseed(0.12);
SELECT pg_temp.mezcla(700);

-- 1. the mix did each kind of thing, successfully, several times
SELECT is((SELECT array_agg(op ORDER BY op) FROM (SELECT op FROM hechos WHERE ok GROUP BY op HAVING count(*) >= 3) x),
          ARRAY['avanzar', 'borrar_respuesta', 'borrar_visita', 'cambiar_contrato', 'cancelar', 'contrato_operador',
                'insertar', 'mover_mes', 'plegar', 'raciones', 'responder', 'sede_activa', 'sede_municipio'],
          'the random mix succeeded at least 3 times at every kind of operation');
SELECT ok((SELECT count(DISTINCT estado) FROM pae.visitas) = 6
          AND (SELECT count(DISTINCT date_trunc('month', fecha_visita)) FROM pae.visitas) >= 12
          AND (SELECT count(*) FROM pae_reportes.alertas) > 0
          AND (SELECT count(*) FROM pae.visita_respuestas r JOIN pae.visitas v ON v.id = r.visita
                WHERE v.estado IN ('cerrada', 'aprobada', 'devuelta')) > 20,
          'visits in all six states over a year or more, open alerts and answers of realizadas visits');
SELECT ok((SELECT count(*) FROM pae.resumen_visitas) > (SELECT count(*) FROM (SELECT DISTINCT mes, municipio, contrato FROM pae.resumen_visitas) x),
          'unfolded delta rows are there before folding');

-- 2-5. every view equals its ground truth (deltas not folded)
SELECT is_empty($$SELECT * FROM pg_temp.diferencias() WHERE vista = 'visitas_mensual'$$, 'visitas_mensual equals the raw GROUP BY');
SELECT is_empty($$SELECT * FROM pg_temp.diferencias() WHERE vista = 'cobertura_sedes'$$, 'cobertura_sedes equals the raw GROUP BY');
SELECT is_empty($$SELECT * FROM pg_temp.diferencias() WHERE vista = 'cumplimiento_operador'$$, 'cumplimiento_operador equals the raw GROUP BY');
SELECT is_empty($$SELECT * FROM pg_temp.diferencias() WHERE vista = 'alertas'$$, 'alertas equals the open alerts of the base tables');

-- 6-7. the coverage rows: a municipio with active sedes but none visited shows 0 %, not nothing
SELECT ok(EXISTS (SELECT 1 FROM pae_reportes.cobertura_sedes WHERE sedes_activas > 0 AND sedes_visitadas = 0 AND cobertura_pct = 0),
          'a municipio with active sedes and no visited one shows 0 %');
SELECT is((SELECT count(DISTINCT mes) FROM pae_reportes.cobertura_sedes),
          (SELECT count(DISTINCT date_trunc('month', fecha_visita AT TIME ZONE 'America/Bogota')) FROM pae.visitas),
          'cobertura_sedes has every month with a visit');

-- 8-10. folding changes no report and leaves one row per (mes, sede, contrato)
SELECT cmp_ok(pae.plegar_resumenes(), '>', 0::bigint, 'folding removed delta rows');
SELECT is((SELECT count(*) FROM pae.resumen_visitas), (SELECT count(*) FROM (SELECT DISTINCT mes, municipio, contrato FROM pae.resumen_visitas) x),
          'after folding: one row per month, municipio and contract');
SELECT is_empty('SELECT * FROM pg_temp.diferencias()', 'after folding every view still equals its ground truth');

-- 11. more of the mix on folded rows
SELECT pg_temp.mezcla(250);
SELECT is_empty('SELECT * FROM pg_temp.diferencias()', 'after more changes on folded rows every view equals its ground truth');

-- 12-16. partition upkeep moves the rows of December (visits and rollup
-- deltas) out of the default partitions; reports unchanged; idempotent
INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)
VALUES ('00000000-0000-4000-8000-00000000d001', '119001900101', 'PAE-T-001', pg_temp.id('visitador'), '2026-12-15 08:00-05', 10);
SELECT ok((SELECT count(*) FROM pae.visitas_default) > 0 AND (SELECT count(*) FROM pae.resumen_visitas_default) > 0,
          'visits of a month without partition and their deltas are in the default partitions');
SELECT cmp_ok(pae.mantener_particiones(0), '>=', 1, 'upkeep created the partition of the month for visits');
SELECT ok((SELECT count(*) FROM pae.visitas_default) = 0 AND (SELECT count(*) FROM pae.resumen_visitas_default) = 0
          AND (SELECT count(*) FROM pae.resumen_sedes_default) = 0
          AND to_regclass('pae.resumen_visitas_p2026_12') IS NOT NULL AND to_regclass('pae.resumen_sedes_p2026_12') IS NOT NULL,
          'upkeep made the rollup partitions of the month and moved the rows out of the default partitions');
SELECT is_empty('SELECT * FROM pg_temp.diferencias()', 'after upkeep every view equals its ground truth');
SELECT is(pae.mantener_particiones(0), 0, 'upkeep again creates nothing (idempotent)');

-- 17. the mix once more, then everything still exact
SELECT pg_temp.mezcla(150);
SELECT is_empty('SELECT * FROM pg_temp.diferencias()', 'after a last round of changes every view equals its ground truth');

-- 20. rebuilding the rollups from the base tables gives the same rollup sums
CREATE TEMP TABLE antes AS
SELECT 'v' AS t, mes, municipio AS clave, contrato, sum(programadas) a, sum(realizadas) b, sum(aprobadas) c, sum(devueltas) d,
       sum(canceladas) e, sum(fuera_geocerca) f, sum(raciones_programadas) g, sum(raciones_entregadas) h, sum(items_evaluados) i, sum(items_cumplen) j
  FROM pae.resumen_visitas GROUP BY mes, municipio, contrato HAVING sum(programadas) <> 0
UNION ALL
SELECT 's', mes, sede, NULL, sum(realizadas), 0, 0, 0, 0, 0, 0, 0, 0, 0 FROM pae.resumen_sedes GROUP BY mes, sede HAVING sum(realizadas) <> 0;
CREATE TEMP TABLE reconstruido AS SELECT pae.reconstruir_resumenes() AS filas;
SELECT set_eq($$SELECT 'v' AS t, mes, municipio, contrato, sum(programadas) a, sum(realizadas) b, sum(aprobadas) c, sum(devueltas) d,
                     sum(canceladas) e, sum(fuera_geocerca) f, sum(raciones_programadas) g, sum(raciones_entregadas) h, sum(items_evaluados) i, sum(items_cumplen) j
                FROM pae.resumen_visitas GROUP BY mes, municipio, contrato
              UNION ALL
              SELECT 's', mes, sede, NULL, sum(realizadas), 0, 0, 0, 0, 0, 0, 0, 0, 0 FROM pae.resumen_sedes GROUP BY mes, sede$$,
              'SELECT * FROM antes', 'pae.reconstruir_resumenes() rebuilds exactly the rollup the triggers kept');

SELECT * FROM finish();
ROLLBACK;
