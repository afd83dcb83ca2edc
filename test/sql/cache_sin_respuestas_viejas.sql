-- Caches that cannot serve stale answers (issue 9, item 10; src/cache.h):
-- a malformed sub rolled back by a savepoint leaves the session who it was
-- (never "nobody": for a pae_admin member that would be the privileged
-- anonymous session); the audit's column cache of a relation is valid only
-- once it was built (an error half way through a build leaves no stale
-- layout behind); and a DROP + CREATE EXTENSION inside one transaction
-- leaves no cached oid, owner or plan of the dropped extension in use.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(9);
\i test/fixtures/visitas_y_personas.sql

-- 1. a malformed sub inside a savepoint
SELECT pg_temp.como('admin');
SELECT is(pae.usuario_actual(), pg_temp.id('admin'), 'the admin person acts');
SELECT throws_ok($$SELECT set_config('request.jwt.claims', '{"sub": "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", "role": "pae_admin"}', true),
                          pae.usuario_actual()$$,
                 '22P02', NULL, 'a malformed sub is an error');
SELECT is(pae.usuario_actual(), pg_temp.id('admin'),
          'once the savepoint is rolled back the session is the admin person again, not nobody');
SELECT throws_ok($$INSERT INTO pae.visitas (sede, contrato, visitador, fecha_visita, estado)
                   VALUES ('119001900101', 'PAE-T-001', pg_temp.id('visitador'), '2026-06-20 08:00-05', 'aprobada')$$,
                 'PV002', NULL, 'so it gets no privilege of a nobody (loading a visit already aprobada)');
SELECT pg_temp.como(NULL, NULL);

-- 2. the audit column cache: a build that fails half way is not valid
CREATE TYPE pg_temp.t_prueba;
CREATE FUNCTION pg_temp.t_prueba_in(cstring) RETURNS pg_temp.t_prueba AS 'textin' LANGUAGE internal IMMUTABLE STRICT;
CREATE FUNCTION pg_temp.t_prueba_out(pg_temp.t_prueba) RETURNS cstring AS 'textout' LANGUAGE internal IMMUTABLE STRICT;
CREATE TYPE pg_temp.t_prueba (INPUT = pg_temp.t_prueba_in, OUTPUT = pg_temp.t_prueba_out, LIKE = text);
ALTER TABLE pae.operadores ADD COLUMN extra pg_temp.t_prueba;
-- the output function cannot be found while the layout is built
UPDATE pg_proc SET prosrc = 'no_existe' WHERE oid = 'pg_temp.t_prueba_out'::regproc;
SELECT throws_ok($$INSERT INTO pae.operadores (nit, nombre) VALUES ('900555000-1', 'Falla')$$,
                 '42883', NULL, 'the audit fails while building the new layout of pae.operadores');
UPDATE pg_proc SET prosrc = 'textout' WHERE oid = 'pg_temp.t_prueba_out'::regproc;
INSERT INTO pae.operadores (nit, nombre, extra) VALUES ('900555000-2', 'Bien', 'dato');
SELECT is((SELECT despues FROM pae.auditoria WHERE tabla = 'operadores' AND pk = '{"nit": "900555000-2"}'),
          '{"nit": "900555000-2", "extra": "dato", "nombre": "Bien"}'::jsonb,
          'the next write is audited with the whole new layout, not a half-built or stale one');
ALTER TABLE pae.operadores DROP COLUMN extra;

-- 3. DROP + CREATE EXTENSION in this transaction: the caches of this
-- backend (actor, owner, plans, audit layouts) are used again afterwards
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-00000000d001');
SELECT pg_temp.como('visitador');
SELECT is((SELECT count(*) FROM pae.visitas), 1::bigint, 'before: the visitador sees their visit');
SELECT pg_temp.como(NULL, NULL);
SET CONSTRAINTS ALL IMMEDIATE;  -- deferred checks of the fixture run now
DROP EXTENSION pae_cauca CASCADE;
CREATE EXTENSION pae_cauca CASCADE;
-- the same person, same id, with a visit; then deactivated
INSERT INTO pae.instituciones (codigo, nombre, municipio) VALUES ('119001900001', 'IE', '19001');
INSERT INTO pae.sedes (codigo, nombre, institucion, municipio, ubicacion)
VALUES ('119001900101', 'Sede', '119001900001', '19001', 'SRID=4326;POINT(-76.6128 2.4442)');
INSERT INTO pae.operadores (nit, nombre) VALUES ('900123456-7', 'Operador');
INSERT INTO pae.contratos (numero, operador, vigencia, raciones_dia) VALUES ('PAE-T-001', '900123456-7', '[2025-01-01,2027-01-01)', 200);
INSERT INTO pae.contrato_sedes VALUES ('PAE-T-001', '119001900101');
INSERT INTO pae.usuarios (id, correo, nombre, rol, activo) VALUES
    (pg_temp.id('visitador'), 'vis1@prueba.gov.co', 'Visitadora Uno', 'visitador', true);
INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita)
VALUES ('00000000-0000-4000-8000-00000000d002', '119001900101', 'PAE-T-001', pg_temp.id('visitador'), '2026-06-10 08:00-05');
UPDATE pae.usuarios SET activo = false WHERE id = pg_temp.id('visitador');
SELECT pg_temp.como('visitador');
SELECT is((SELECT count(*) FROM pae.visitas), 0::bigint, 'after: the now inactive person sees nothing');
SELECT pg_temp.como(NULL, NULL);
SELECT is((SELECT count(*)::int FROM pae.auditoria WHERE tabla = 'visitas' AND pk = '{"id": "00000000-0000-4000-8000-00000000d002"}'),
          1, 'and the new extension''s tables are the ones audited and validated');

SELECT * FROM finish();
ROLLBACK;
