-- Run under valgrind by tools/valgrind.sh in a single-user backend (one
-- statement per line): the C paths this extension adds to every write --
-- the audit trigger on a table with every kind of column (its column cache
-- rebuilt by ALTER TABLE), check-ins through pae.transicion with the
-- check-in registry and the travel alert, the actor cache and its
-- invalidation, sealing and verification.
CREATE SCHEMA vg;
CREATE TYPE vg.color AS ENUM ('rojo', 'verde');
CREATE TYPE vg.par AS (a int, b text);
CREATE TABLE pae.t (id int PRIMARY KEY, b boolean, i2 smallint, f4 real, f8 float8, n numeric, d date, tstz timestamptz, t text, ch char(4), c vg.color, arr int[], p vg.par, js json, jb jsonb, u uuid, g geography(Point,4326), clave text);
CREATE TRIGGER auditoria AFTER INSERT OR UPDATE OR DELETE ON pae.t FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria('t');
INSERT INTO pae.t VALUES (1, true, 3, 1.5, 'NaN', 'Infinity', '2025-01-01', now(), 'x', 'ab', 'rojo', '{1,2}', ROW(1,'a'), '{"a":1}', '{"b":[1,2]}', gen_random_uuid(), 'SRID=4326;POINT(-76 2)', 's');
INSERT INTO pae.t (id) VALUES (2);
UPDATE pae.t SET f8 = 0.1, t = 'y', jb = '"s"' WHERE id = 1;
UPDATE pae.t SET id = id WHERE id = 2;
ALTER TABLE pae.t ADD COLUMN z int DEFAULT 7, DROP COLUMN ch;
INSERT INTO pae.t (id, z) VALUES (3, 9);
DELETE FROM pae.t WHERE id = 1;
SELECT count(*) AS filas_auditadas FROM pae.auditoria WHERE tabla = 't';
INSERT INTO pae.instituciones (codigo, nombre, municipio) VALUES ('119001900001', 'IE Prueba', '19001');
INSERT INTO pae.sedes (codigo, nombre, institucion, municipio, ubicacion, geocerca_estricta) VALUES ('119001900101', 'Sede Centro', '119001900001', '19001', 'SRID=4326;POINT(-76.6128 2.4442)', false), ('119001900103', 'Sede Norte', '119001900001', '19001', 'SRID=4326;POINT(-76.6128 2.8962)', false);
INSERT INTO pae.operadores (nit, nombre) VALUES ('900123456-7', 'Operador');
INSERT INTO pae.contratos (numero, operador, vigencia, raciones_dia) VALUES ('PAE-T-001', '900123456-7', daterange('2025-01-01', '2027-01-01'), 200);
INSERT INTO pae.contrato_sedes VALUES ('PAE-T-001', '119001900101'), ('PAE-T-001', '119001900103');
INSERT INTO pae.usuarios (id, correo, nombre, rol) VALUES ('00000000-0000-4000-a000-000000000001', 'v@p.co', 'V', 'visitador');
INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita) VALUES ('00000000-0000-4000-8000-000000000001', '119001900101', 'PAE-T-001', '00000000-0000-4000-a000-000000000001', '2026-06-10 08:00-05'), ('00000000-0000-4000-8000-000000000002', '119001900103', 'PAE-T-001', '00000000-0000-4000-a000-000000000001', '2026-06-11 08:00-05');
SELECT set_config('request.jwt.claims', '{"sub": "00000000-0000-4000-a000-000000000001", "role": "pae_visitador"}', false);
SELECT set_config('request.headers', '{"user-agent": "valgrind", "authorization": "Bearer x"}', false);
SELECT (pae.transicion('00000000-0000-4000-8000-000000000001', 'en_curso', NULL, 2.4443, -76.6128, 5)).estado;
SELECT (pae.transicion('00000000-0000-4000-8000-000000000002', 'en_curso', NULL, 2.8962, -76.6128, 5)).estado;
SELECT string_agg(tipo, ',') AS alertas FROM pae.alertas;
SELECT count(*) AS checkins FROM pae.visitas_checkin;
SELECT set_config('request.jwt.claims', '', false);
UPDATE pae.usuarios SET activo = false;
SELECT pae.sellar_auditoria() AS sellado;
SELECT count(*) AS problemas FROM pae.verificar_auditoria();
