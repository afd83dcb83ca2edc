-- Trigger functions are not client tools (issue 9, item 2).  No client role
-- may attach any trigger function of schema pae to a table of its own
-- (42501: EXECUTE is revoked), while the product's own triggers keep firing
-- for every role; and a superuser who attaches the C triggers (or
-- pae.tg_contratos_particiones) to a table they were not made for gets a
-- clean refusal (39P01) when they fire: nothing reaches pae.*.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(21);
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/intentar.sql

SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000001');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000002', '119001900103', '2026-06-11 08:00-05');
SELECT pg_temp.llevar('00000000-0000-4000-8000-000000000002', 'en_curso');
SELECT pg_temp.como(NULL, NULL);

-- what must not move: the bookkeeping the triggers write as the owner
CREATE FUNCTION pg_temp.huella() RETURNS text LANGUAGE sql AS $$
    SELECT format('auditoria=%s transiciones=%s eventos=%s alertas=%s visitas_id=%s visitas_dia=%s visitas_checkin=%s particiones=%s',
                  (SELECT count(*) FROM pae.auditoria), (SELECT count(*) FROM pae.transiciones),
                  (SELECT count(*) FROM pae.eventos), (SELECT count(*) FROM pae.alertas),
                  (SELECT count(*) FROM pae.visitas_id), (SELECT count(*) FROM pae.visitas_dia),
                  (SELECT count(*) FROM pae.visitas_checkin),
                  (SELECT count(*) FROM pg_inherits WHERE inhparent = 'pae.visitas'::regclass)) $$;

-- one attempt, always undone: its SQLSTATE or 'ok'
CREATE FUNCTION pg_temp.intento(quien text, sentencia text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE v text;
BEGIN
    BEGIN
        IF quien = 'anon' THEN
            PERFORM pg_temp.como('pae_anon', NULL);
        ELSE
            PERFORM pg_temp.como(quien);
        END IF;
        EXECUTE sentencia;
        RAISE EXCEPTION 'deshacer' USING ERRCODE = 'ZZ000';
    EXCEPTION WHEN OTHERS THEN
        v := CASE WHEN SQLSTATE = 'ZZ000' THEN 'ok' ELSE SQLSTATE END;
    END;
    PERFORM pg_temp.como(NULL, NULL);
    RETURN v;
END $$;

-- 1-3. no client role holds EXECUTE on a trigger function, nor can attach one
CREATE TEMP TABLE funciones AS
SELECT p.oid::regprocedure AS f, p.proname
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname IN ('pae', 'pae_api') AND p.prorettype = 'trigger'::regtype;
CREATE TEMP TABLE roles_cliente (rol text, quien text);
INSERT INTO roles_cliente VALUES ('pae_visitador', 'visitador'), ('pae_supervisor', 'supervisor'),
    ('pae_coordinador', 'coordinador'), ('pae_admin', 'admin'), ('pae_bi', 'bi'), ('pae_anon', 'anon');
SELECT is((SELECT array_agg(proname ORDER BY proname) FROM funciones
            WHERE proname IN ('tg_auditoria', 'tg_auditoria_inmutable', 'tg_contratos_particiones', 'tg_foto_reutilizada',
                              'tg_hijos_visita', 'tg_usuarios_cambio', 'tg_visitas_antes', 'tg_visitas_despues')),
          ARRAY['tg_auditoria', 'tg_auditoria_inmutable', 'tg_contratos_particiones', 'tg_foto_reutilizada',
                'tg_hijos_visita', 'tg_usuarios_cambio', 'tg_visitas_antes', 'tg_visitas_despues']::name[],
          'the walk covers (at least) the eight trigger functions of 1.0');
SELECT is((SELECT array_agg(format('%s: %s', r.rol, f.proname) ORDER BY 1)
             FROM funciones f CROSS JOIN roles_cliente r
            WHERE has_function_privilege(r.rol, f.f, 'EXECUTE')),
          NULL, 'no client role (nor PUBLIC) holds EXECUTE on any of them');
SELECT is((SELECT array_agg(DISTINCT format('%s con %s: %s', r.rol, f.proname, resultado))
             FROM funciones f CROSS JOIN roles_cliente r,
                  LATERAL pg_temp.intento(r.quien, format(
                      'CREATE TEMP TABLE herramienta (LIKE pae.visitas); '
                      'CREATE TRIGGER herramienta AFTER INSERT OR UPDATE OR DELETE ON herramienta FOR EACH ROW EXECUTE FUNCTION %s',
                      replace(f.f::text, '()', CASE WHEN f.proname = 'tg_auditoria' THEN '(''visitas'')' ELSE '()' END))) AS resultado
            WHERE resultado <> '42501'),
          NULL, 'each client role trying each trigger function on a temp table of its own: 42501');

-- 4-5. the product's own triggers still fire for the client roles
SELECT is(pg_temp.intentar('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-000000000001', 'en_curso', NULL, 2.4443, -76.6128, 5)$$),
          'ok', 'a visitador''s check-in still runs the visits triggers');
SELECT results_eq($$SELECT (SELECT count(*) FROM pae.transiciones WHERE visita = '00000000-0000-4000-8000-000000000001'),
                           (SELECT count(*) FROM pae.auditoria WHERE tabla = 'visitas' AND pk->>'id' = '00000000-0000-4000-8000-000000000001')$$,
                  $$VALUES (1::bigint, 2::bigint)$$, 'its history row and its audit rows were written');
CREATE TEMP TABLE huella_despues AS SELECT pg_temp.huella() AS h;

-- 6-18. a superuser attaches them where they do not belong: 39P01 on firing
CREATE TEMP TABLE falsa_visita (LIKE pae.visitas INCLUDING DEFAULTS);
INSERT INTO falsa_visita SELECT * FROM pae.visitas WHERE id = '00000000-0000-4000-8000-000000000002';
CREATE TRIGGER antes BEFORE INSERT OR UPDATE OR DELETE ON falsa_visita FOR EACH ROW EXECUTE FUNCTION pae.tg_visitas_antes();
CREATE TRIGGER despues AFTER UPDATE ON falsa_visita FOR EACH ROW EXECUTE FUNCTION pae.tg_visitas_despues();
SELECT is(pg_temp.intentar(NULL, $$INSERT INTO falsa_visita (id, sede, contrato, visitador, fecha_visita)
                                   VALUES ('00000000-0000-4000-8000-000000000099', '119001900101', 'PAE-T-001', pg_temp.id('otro_visitador'), '2026-06-12 08:00-05')$$),
          '39P01: pae.tg_visitas_antes no puede dispararse sobre la tabla "pg_temp.falsa_visita"',
          'tg_visitas_antes on a LIKE pae.visitas temp table: INSERT refused (no orphan id)');
SELECT is(pg_temp.intentar(NULL, $$DELETE FROM falsa_visita WHERE id = '00000000-0000-4000-8000-000000000002'$$),
          '39P01: pae.tg_visitas_antes no puede dispararse sobre la tabla "pg_temp.falsa_visita"',
          'DELETE naming a real visit refused (its id is not released)');
DROP TRIGGER antes ON falsa_visita;
SELECT is(pg_temp.intentar(NULL, $$UPDATE falsa_visita SET estado = 'aprobada' WHERE id = '00000000-0000-4000-8000-000000000002'$$),
          '39P01: pae.tg_visitas_despues no puede dispararse sobre la tabla "pg_temp.falsa_visita"',
          'tg_visitas_despues: a forged en_curso -> aprobada refused (no history, event, NOTIFY or alert)');
DROP TRIGGER despues ON falsa_visita;
CREATE TRIGGER auditoria AFTER INSERT OR UPDATE OR DELETE ON falsa_visita FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria('visitas');
SELECT is(pg_temp.intentar(NULL, $$DELETE FROM falsa_visita$$),
          '39P01: pae.tg_auditoria no puede dispararse sobre la tabla "pg_temp.falsa_visita"',
          'tg_auditoria(''visitas'') on a temp table: refused (no forged audit row)');
CREATE TEMP TABLE sin_argumento (a int);
CREATE TRIGGER auditoria AFTER INSERT ON sin_argumento FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria();
SELECT is(pg_temp.intentar(NULL, $$INSERT INTO sin_argumento VALUES (1)$$),
          '39P01: pae.tg_auditoria no puede dispararse sobre la tabla "pg_temp.sin_argumento"',
          'tg_auditoria() without argument on a temp table: refused');
-- a table of pae, but the argument names another one
CREATE TRIGGER auditoria_falsa AFTER INSERT ON pae.operadores FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria('visitas');
SELECT is(pg_temp.error_completo(NULL, $$INSERT INTO pae.operadores VALUES ('900111222-3', 'Operador Falso')$$),
          '39P01: el argumento de pae.tg_auditoria debe ser "operadores", el nombre de la tabla | El disparador "auditoria_falsa" nombra la tabla "visitas"; el rastro nombra cada tabla por su propio nombre.',
          'tg_auditoria(''visitas'') on pae.operadores: refused, the trail names a table by its own name');
DROP TRIGGER auditoria_falsa ON pae.operadores;
-- the trail cannot audit itself
CREATE TRIGGER auditoria_falsa AFTER UPDATE ON pae.auditoria_archivos FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria();
INSERT INTO pae.auditoria_archivos (particion, mes, filas) VALUES ('pae.prueba', '2025-01-01', 0);
SELECT is(pg_temp.intentar(NULL, $$UPDATE pae.auditoria_archivos SET filas = 1$$),
          '39P01: pae.tg_auditoria no puede dispararse sobre la tabla "pae.auditoria_archivos"',
          'tg_auditoria on a table of the trail itself: refused');
DROP TRIGGER auditoria_falsa ON pae.auditoria_archivos;
-- fired the wrong way on its own table
CREATE TRIGGER antes_al_reves AFTER INSERT ON pae.visitas FOR EACH ROW EXECUTE FUNCTION pae.tg_visitas_antes();
SELECT is(pg_temp.intentar(NULL, $$INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita)
                                   VALUES ('00000000-0000-4000-8000-000000000005', '119001900101', 'PAE-T-001', pg_temp.id('visitador'), '2026-06-13 08:00-05')$$),
          '39P01: pae.tg_visitas_antes debe dispararse BEFORE INSERT OR UPDATE OR DELETE ON pae.visitas FOR EACH ROW',
          'tg_visitas_antes fired AFTER, on pae.visitas itself: refused');
DROP TRIGGER antes_al_reves ON pae.visitas;
CREATE TEMP TABLE inmutable (a int);
INSERT INTO inmutable VALUES (1);
CREATE TRIGGER inmutable BEFORE UPDATE OR DELETE ON inmutable FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria_inmutable();
SELECT is(pg_temp.intentar(NULL, $$DELETE FROM inmutable$$),
          '39P01: pae.tg_auditoria_inmutable no puede dispararse sobre la tabla "pg_temp.inmutable"',
          'tg_auditoria_inmutable on a temp table: refused as not its table');
CREATE TEMP TABLE personas (a int);
CREATE TRIGGER cambio AFTER INSERT ON personas FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_usuarios_cambio();
SELECT is(pg_temp.intentar(NULL, $$INSERT INTO personas VALUES (1)$$),
          '39P01: pae.tg_usuarios_cambio no puede dispararse sobre la tabla "pg_temp.personas"',
          'tg_usuarios_cambio on a temp table: refused');
CREATE TEMP TABLE contratos_falsos (numero text, vigencia daterange);
CREATE TRIGGER particiones AFTER INSERT ON contratos_falsos FOR EACH ROW EXECUTE FUNCTION pae.tg_contratos_particiones();
SELECT is(pg_temp.error_completo(NULL, $$INSERT INTO contratos_falsos VALUES ('X', '[2030-01-01,2039-12-31)')$$),
          '39P01: pae.tg_contratos_particiones no puede dispararse sobre la tabla "pg_temp.contratos_falsos" (AFTER, ROW, INSERT) | pae.tg_contratos_particiones está hecha solo para AFTER INSERT OR UPDATE OF vigencia ON pae.contratos FOR EACH ROW; sobre otra tabla crearía particiones de pae.visitas en nombre del dueño de la extensión.',
          'tg_contratos_particiones on a temp table: refused (no 119 partitions)');
-- on pae.contratos itself, a vigencia creates a bounded number of partitions
SELECT is(pg_temp.intentar('coordinador', $$INSERT INTO pae.contratos VALUES ('PAE-X-001', '900123456-7', '[2030-01-01,2039-12-31)', 100)$$),
          '23514: la vigencia del contrato "PAE-X-001" abarca 120 meses',
          'a contract of 120 months is refused: a contract creates at most pae.regla(''contrato_meses_max'') partitions');
SELECT is(pg_temp.intentar('coordinador', $$INSERT INTO pae.contratos VALUES ('PAE-X-002', '900123456-7', '[2090-01-01,2090-12-31)', 100)$$),
          '23514: la vigencia del contrato "PAE-X-002" está fuera del rango admitido',
          'a contract far in the future is refused: partitions are made only near today');
-- 19. nothing reached pae.*
SELECT is(pg_temp.huella(), (SELECT h FROM huella_despues),
          'after all of it: no audit, history, event, alert, id, day, check-in or partition was written');

-- 20-21. the root of a partition is forgotten when it is detached: a
-- month of pae.visitas (its root cached by the visit just written there)
-- moved under another partitioned table is no longer a visits table
SELECT pg_temp.como(NULL, NULL);
INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita)
VALUES ('00000000-0000-4000-8000-000000000003', '119001900101', 'PAE-T-001', pg_temp.id('visitador'), '2026-08-10 08:00-05');
DELETE FROM pae.visitas WHERE id = '00000000-0000-4000-8000-000000000003';
ALTER TABLE pae.visitas DETACH PARTITION pae.visitas_p2026_08;
CREATE TABLE public.otras_visitas (LIKE pae.visitas) PARTITION BY RANGE (fecha_visita);
ALTER TABLE public.otras_visitas ATTACH PARTITION pae.visitas_p2026_08
    FOR VALUES FROM ('2026-08-01 05:00+00') TO ('2026-09-01 05:00+00');
CREATE TRIGGER antes BEFORE INSERT ON pae.visitas_p2026_08 FOR EACH ROW EXECUTE FUNCTION pae.tg_visitas_antes();
SELECT is(pg_temp.intentar(NULL, $$INSERT INTO public.otras_visitas (id, sede, contrato, visitador, fecha_visita)
                                   VALUES ('00000000-0000-4000-8000-000000000004', '119001900101', 'PAE-T-001', pg_temp.id('visitador'), '2026-08-11 08:00-05')$$),
          '39P01: pae.tg_visitas_antes no puede dispararse sobre la tabla "pae.visitas_p2026_08"',
          'a month detached from pae.visitas and attached elsewhere is no longer its table (the cached root was forgotten)');
SELECT is((SELECT count(*) FROM pae.visitas_id WHERE id IN ('00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000004')),
          0::bigint, 'and no id was claimed for it');
DROP TABLE public.otras_visitas;

SELECT * FROM finish();
ROLLBACK;
