-- The catalogue of rules (pae.regla(nombre), pae.reglas(); src/reglas.h):
-- each rule's value is SPEC's, and it is what the product enforces -- each
-- rule is tried just inside and just outside the value pae.regla() gives
-- (so the test follows the catalogue, and fails when the catalogue and the
-- enforcement part).  An unknown name is 22023; PUBLIC and pae_anon cannot
-- execute either function.  Requests are made as PostgREST makes them.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(31);
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/intentar.sql
SET LOCAL TimeZone = 'UTC';

-- 1. the catalogue
SELECT set_has($$SELECT nombre, valor FROM pae.reglas()$$,
               $$VALUES ('zona_horaria', 'America/Bogota'), ('futuro_tolerado', '10 minutes'),
                        ('precision_beneficio_max_m', '100.0'), ('precision_max_m', '5000.0'),
                        ('viaje_velocidad_max_kmh', '120.0'), ('viaje_distancia_min_m', '1000.0'),
                        ('viaje_ventana', '2 days'), ('raciones_fraccion_min', '0.9'),
                        ('duracion_min', '10 minutes')$$,
               'pae.reglas() lists the rules of SPEC §4-§5 with their values');
SELECT is_empty($$SELECT nombre FROM pae.reglas() WHERE pae.regla(nombre) IS DISTINCT FROM valor$$,
                'pae.regla(nombre) gives the value pae.reglas() lists, for every rule');
SELECT is_empty($$SELECT nombre FROM pae.reglas() GROUP BY nombre
                   HAVING count(*) > 1 OR bool_or(coalesce(btrim(descripcion), '') = '')$$,
                'each rule is listed once, with a description');
SELECT throws_ok($$SELECT pae.regla('no_existe')$$, '22023', 'regla desconocida: "no_existe"',
                 'an unknown rule name is 22023 naming it');
SELECT is(pae.regla(NULL), NULL, 'pae.regla(NULL) is NULL (STRICT)');
SELECT ok(NOT has_function_privilege('public', 'pae.regla(text)', 'EXECUTE')
          AND NOT has_function_privilege('public', 'pae.reglas()', 'EXECUTE'),
          'PUBLIC holds no EXECUTE on pae.regla() nor pae.reglas()');
-- a role with USAGE on the schema (so that only the functions' own
-- privileges are tried) and nothing else but PUBLIC's
CREATE ROLE pae_prueba_sin_rol NOLOGIN;
GRANT USAGE ON SCHEMA pae TO pae_prueba_sin_rol;
SET LOCAL ROLE pae_prueba_sin_rol;
SELECT throws_ok($$SELECT pae.regla('zona_horaria')$$, '42501', NULL,
                 'a role with only PUBLIC''s privileges cannot call pae.regla()');
SELECT throws_ok($$SELECT * FROM pae.reglas()$$, '42501', NULL,
                 'nor pae.reglas()');
RESET ROLE;
SET LOCAL ROLE pae_anon;
SELECT throws_ok($$SELECT pae.regla('zona_horaria')$$, '42501', NULL, 'pae_anon cannot call pae.regla()');
RESET ROLE;
SELECT is(pg_temp.intentar('visitador', $$SELECT pae.regla('futuro_tolerado')$$), 'ok',
          'a visitador (whose requests fire the rules) may read a rule');

-- 2. zona_horaria: the day of the one-visit-a-day rule (PV008) and the month
--    of the partition are the zone's
CREATE FUNCTION pg_temp.en_zona(t timestamp) RETURNS timestamptz LANGUAGE sql AS
$$ SELECT t AT TIME ZONE pae.regla('zona_horaria') $$;
CREATE FUNCTION pg_temp.programar(p_id text, p_sede text, p_t timestamptz) RETURNS text LANGUAGE sql AS
$$ SELECT pg_temp.intentar(NULL, format('SELECT pg_temp.nueva_visita(%L, %L, %L)', p_id, p_sede, p_t)) $$;
SELECT is(pg_temp.programar('00000000-0000-4000-8000-000000000301', '119001900101', pg_temp.en_zona('2026-06-30 23:59')),
          'ok', 'a visit at 23:59 of June 30 in the zone');
SELECT is(split_part(pg_temp.programar('00000000-0000-4000-8000-000000000302', '119001900101', pg_temp.en_zona('2026-06-30 00:00')), ':', 1),
          'PV008', 'another at 00:00 of the same day in the zone is the same day (PV008)');
SELECT is(pg_temp.programar('00000000-0000-4000-8000-000000000303', '119001900101', pg_temp.en_zona('2026-07-01 00:00')),
          'ok', 'at 00:00 of July 1 in the zone it is the next day');
SELECT results_eq($$SELECT tableoid::regclass::text FROM pae.visitas
                     WHERE id IN ('00000000-0000-4000-8000-000000000301', '00000000-0000-4000-8000-000000000303') ORDER BY id$$,
                  $$VALUES ('pae.visitas_p2026_06'), ('pae.visitas_p2026_07')$$,
                  'and the months of the partitions are the zone''s: June 30 23:59 in June, July 1 00:00 in July');
SELECT is((SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE oid = 'pae.visitas_p2026_07'::regclass),
          format('FOR VALUES FROM (%L) TO (%L)', pg_temp.en_zona('2026-07-01 00:00'), pg_temp.en_zona('2026-08-01 00:00')),
          'a month partition spans the month in the zone');

-- 3. futuro_tolerado: a capture time ahead of the server clock, just within
--    and just beyond the tolerance, on a visit of today (its own contract,
--    so the file does not depend on the date it runs)
INSERT INTO pae.contratos (numero, operador, vigencia, raciones_dia)
VALUES ('PAE-T-HOY', '900123456-7', daterange(current_date - 40, current_date + 40), 100);
INSERT INTO pae.contrato_sedes (contrato, sede) VALUES ('PAE-T-HOY', '119001900103');
INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita)
VALUES ('00000000-0000-4000-8000-000000000311', '119001900103', 'PAE-T-HOY', pg_temp.id('visitador'), now());
SELECT is(pg_temp.intentar(NULL, $$UPDATE pae.visitas SET checkin_en = clock_timestamp() + pae.regla('futuro_tolerado')::interval + interval '1 minute'
                                     WHERE id = '00000000-0000-4000-8000-000000000311'$$)::varchar(5),
          'PV006', 'a check-in one minute beyond futuro_tolerado ahead of the server clock is PV006');
SELECT is(pg_temp.intentar(NULL, $$UPDATE pae.visitas SET checkin_en = clock_timestamp() + pae.regla('futuro_tolerado')::interval - interval '1 minute'
                                     WHERE id = '00000000-0000-4000-8000-000000000311'$$),
          'ok', 'a check-in one minute within futuro_tolerado ahead is accepted');
SELECT is(pg_temp.intentar(NULL, $$UPDATE pae.visitas SET checkin_en = now(), checkout_en = clock_timestamp() + pae.regla('futuro_tolerado')::interval + interval '1 minute'
                                     WHERE id = '00000000-0000-4000-8000-000000000311'$$)::varchar(5),
          'PV006', 'a check-out one minute beyond futuro_tolerado ahead is PV006');
SELECT is(pg_temp.intentar(NULL, $$UPDATE pae.visitas SET checkin_en = now(), checkout_en = clock_timestamp() + pae.regla('futuro_tolerado')::interval - interval '1 minute'
                                     WHERE id = '00000000-0000-4000-8000-000000000311'$$),
          'ok', 'a check-out one minute within futuro_tolerado ahead is accepted');

-- 4. precision_beneficio_max_m and precision_max_m: the geofence of Sede
--    Centro, captures due north of it placed by PostGIS
CREATE FUNCTION pg_temp.al_norte(m double precision) RETURNS double precision LANGUAGE sql AS
$$ SELECT 2.4442 + m * 0.001 / ST_Distance('SRID=4326;POINT(-76.6128 2.4442)'::geography,
                                           'SRID=4326;POINT(-76.6128 2.4452)'::geography) $$;
CREATE FUNCTION pg_temp.dentro(fuera_del_radio double precision, precision_m double precision) RETURNS boolean LANGUAGE sql AS
$$ SELECT g.dentro FROM pae.sedes s,
          LATERAL pae.evaluar_geocerca(s.codigo, pg_temp.al_norte(s.radio_geocerca_m + fuera_del_radio), -76.6128, precision_m) g
    WHERE s.codigo = '119001900101' $$;
SELECT is(pg_temp.dentro(pae.regla('precision_beneficio_max_m')::float8 - 0.5, pae.regla('precision_max_m')::float8), true,
          'a poor fix gets the benefit of the doubt up to precision_beneficio_max_m beyond the radio');
SELECT is(pg_temp.dentro(pae.regla('precision_beneficio_max_m')::float8 + 0.5, pae.regla('precision_max_m')::float8), false,
          'and not a metre more, however poor the fix');
SELECT lives_ok($$SELECT * FROM pae.evaluar_geocerca('119001900101', 2.4442, -76.6128, pae.regla('precision_max_m')::float8)$$,
                'a precision of precision_max_m is accepted');
SELECT throws_ok($$SELECT * FROM pae.evaluar_geocerca('119001900101', 2.4442, -76.6128, pae.regla('precision_max_m')::float8 + 0.5)$$,
                 'PV005', NULL, 'a precision beyond precision_max_m is PV005');

-- 5. viaje_velocidad_max_kmh, viaje_distancia_min_m, viaje_ventana: pairs of
--    check-ins of the visitador, each pair days away from the others; the
--    first at Sede Centro, the second on a visit to Sede Norte (a soft fence)
CREATE FUNCTION pg_temp.par(n int, p_t1 timestamptz, p_t2 timestamptz, p_lat2 float8, p_lon2 float8) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v1 uuid := format('00000000-0000-4000-8000-000000004%s1', lpad(n::text, 2, '0'))::uuid;
    v2 uuid := format('00000000-0000-4000-8000-000000004%s2', lpad(n::text, 2, '0'))::uuid;
    r text;
BEGIN
    PERFORM pg_temp.nueva_visita(v1, '119001900101', p_t1);
    PERFORM pg_temp.nueva_visita(v2, '119001900103', p_t2);
    r := pg_temp.intentar('visitador', format($q$UPDATE pae.visitas SET estado = 'en_curso', checkin_lat = 2.4442, checkin_lon = -76.6128,
                                               checkin_precision_m = 5, checkin_en = %L WHERE id = %L$q$, p_t1, v1));
    IF r <> 'ok' THEN RETURN 'primer check-in: ' || r; END IF;
    r := pg_temp.intentar('visitador', format($q$UPDATE pae.visitas SET estado = 'en_curso', checkin_lat = %s, checkin_lon = %s,
                                               checkin_precision_m = 5, checkin_en = %L WHERE id = %L$q$, p_lat2, p_lon2, p_t2, v2));
    IF r <> 'ok' THEN RETURN 'segundo check-in: ' || r; END IF;
    RETURN CASE WHEN EXISTS (SELECT 1 FROM pae.alertas a WHERE a.visita IN (v1, v2) AND a.tipo = 'viaje_imposible')
                THEN 'viaje_imposible' ELSE 'sin alerta' END;
END $$;
-- Centro to Norte (50 km) by the product's own distance, at a speed just
-- under and just over the maximum
CREATE TEMP TABLE viaje ON COMMIT DROP AS
SELECT pae.distancia_m(2.4442, -76.6128, 2.8962, -76.6128) / 1000 AS km, pae.regla('viaje_velocidad_max_kmh')::float8 AS kmh;
SELECT is(pg_temp.par(1, '2026-06-01 08:00-05', timestamptz '2026-06-01 08:00-05' + make_interval(secs => 3600 * km / (kmh * 0.98)), 2.8962, -76.6128),
          'sin alerta', '2 % under viaje_velocidad_max_kmh between two check-ins: no alert') FROM viaje;
SELECT is(pg_temp.par(2, '2026-06-05 08:00-05', timestamptz '2026-06-05 08:00-05' + make_interval(secs => 3600 * km / (kmh * 1.02)), 2.8962, -76.6128),
          'viaje_imposible', '2 % over it: viaje_imposible') FROM viaje;
-- check-ins 10 s apart (hundreds of km/h) just under and just over the
-- minimum distance
SELECT is(pg_temp.par(3, '2026-06-09 08:00-05', '2026-06-09 08:00:10-05', pg_temp.al_norte(pae.regla('viaje_distancia_min_m')::float8 - 10), -76.6128),
          'sin alerta', 'check-ins 10 m closer than viaje_distancia_min_m are GPS noise, however fast: no alert');
SELECT is(pg_temp.par(4, '2026-06-13 08:00-05', '2026-06-13 08:00:10-05', pg_temp.al_norte(pae.regla('viaje_distancia_min_m')::float8 + 10), -76.6128),
          'viaje_imposible', '10 m farther than viaje_distancia_min_m: viaje_imposible');
-- Popayán to Tokyo (over 14,000 km: faster than the maximum even over days)
-- an hour within and an hour beyond the window
SELECT is(pg_temp.par(5, '2026-06-17 08:00-05', timestamptz '2026-06-17 08:00-05' + pae.regla('viaje_ventana')::interval - interval '1 hour', 35.68, 139.69),
          'viaje_imposible', 'check-ins an hour less than viaje_ventana apart are compared: viaje_imposible');
SELECT is(pg_temp.par(6, '2026-06-23 08:00-05', timestamptz '2026-06-23 08:00-05' + pae.regla('viaje_ventana')::interval + interval '1 hour', 35.68, 139.69),
          'sin alerta', 'an hour more than viaje_ventana apart they are not: no alert');
-- premise (not an assertion): the pair beyond the window is faster than the
-- maximum, so only the window spares it
DO $$ BEGIN
    IF pae.distancia_m(2.4442, -76.6128, 35.68, 139.69) / 1000
       / extract(epoch FROM pae.regla('viaje_ventana')::interval + interval '1 hour') * 3600
       <= pae.regla('viaje_velocidad_max_kmh')::float8 THEN
        RAISE EXCEPTION 'premisa de la prueba: el par fuera de la ventana no supera la velocidad máxima';
    END IF;
END $$;

-- 6. raciones_fraccion_min and duracion_min on closing, through a PATCH
CREATE FUNCTION pg_temp.cerrar(p_id uuid, p_fecha timestamptz, p_raciones int, p_duracion interval) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
    PERFORM pg_temp.nueva_visita(p_id, '119001900101', p_fecha);
    r := pg_temp.intentar('visitador', format($q$UPDATE pae.visitas SET estado = 'en_curso', checkin_lat = 2.4442, checkin_lon = -76.6128,
                                               checkin_precision_m = 5, checkin_en = %L WHERE id = %L$q$, p_fecha, p_id));
    IF r <> 'ok' THEN RETURN 'check-in: ' || r; END IF;
    r := pg_temp.intentar('visitador', format('SELECT pg_temp.completar(%L)', p_id));
    IF r <> 'ok' THEN RETURN 'completar: ' || r; END IF;
    r := pg_temp.intentar('visitador', format($q$UPDATE pae.visitas SET estado = 'cerrada', checkout_lat = 2.4442, checkout_lon = -76.6128,
                                               checkout_en = %L, raciones_entregadas = %s WHERE id = %L$q$,
                                              p_fecha + p_duracion, p_raciones, p_id));
    IF r <> 'ok' THEN RETURN 'cierre: ' || r; END IF;
    RETURN coalesce((SELECT string_agg(tipo, ', ' ORDER BY tipo) FROM pae.alertas
                      WHERE visita = p_id AND tipo IN ('raciones_faltantes', 'duracion_sospechosa')), 'sin alerta');
END $$;
-- the visits are scheduled with 200 rations (pg_temp.nueva_visita)
SELECT is(pg_temp.cerrar('00000000-0000-4000-8000-000000000501', '2026-07-10 08:00-05',
                         ceil(200 * pae.regla('raciones_fraccion_min')::numeric)::int - 1,
                         pae.regla('duracion_min')::interval - interval '1 second'),
          'duracion_sospechosa, raciones_faltantes',
          'one ration under raciones_fraccion_min of 200 and a second under duracion_min: both alerts');
SELECT is(pg_temp.cerrar('00000000-0000-4000-8000-000000000502', '2026-07-11 08:00-05',
                         ceil(200 * pae.regla('raciones_fraccion_min')::numeric)::int,
                         pae.regla('duracion_min')::interval),
          'sin alerta', 'exactly raciones_fraccion_min of the rations in exactly duracion_min: no alert');

SELECT * FROM finish();
ROLLBACK;
