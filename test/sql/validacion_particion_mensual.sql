-- Monthly partitions of pae.visitas (SPEC §3): a contract brings the
-- partitions of its vigencia; a visit lands in the partition of its
-- Colombian month (UTC-5), not its UTC month nor the session's; visits that
-- fell into pae.visitas_default because their month had no partition are
-- moved by pae.mantener_particiones() into a new monthly partition, with
-- nothing lost and the rules still working on them afterwards.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
BEGIN;
SELECT plan(23);
SET LOCAL TimeZone = 'UTC';
SET LOCAL DateStyle = 'ISO, YMD';
SET LOCAL client_min_messages = warning;

INSERT INTO pae.sedes (codigo, nombre, municipio, ubicacion)
VALUES ('119001000511', 'Sede particiones', '19001', 'SRID=4326;POINT(-76.6147 2.4448)');
INSERT INTO pae.operadores (nit, nombre) VALUES ('900523456-3', 'Operador Particiones SAS');
INSERT INTO pae.usuarios (id, correo, nombre, rol)
VALUES ('a5000000-0000-4000-8000-000000000001', 'v1.pm@example.org', 'Visitador Particiones', 'visitador'),
       ('a5000000-0000-4000-8000-000000000002', 'v2.pm@example.org', 'Visitadora Particiones', 'visitador');

SELECT is((SELECT count(*) FROM pg_inherits WHERE inhparent = 'pae.visitas'::regclass
             AND inhrelid::regclass::text BETWEEN 'pae.visitas_p2025_01' AND 'pae.visitas_p2025_12'),
          0::bigint, 'before the contract, no 2025 partition exists');
INSERT INTO pae.contratos (numero, operador, vigencia, raciones_dia)
VALUES ('PAE-PM-2025', '900523456-3', '[2025-02-01,2025-07-01)', 90);
INSERT INTO pae.contrato_sedes (contrato, sede) VALUES ('PAE-PM-2025', '119001000511');
SELECT is((SELECT array_agg(inhrelid::regclass::text ORDER BY 1) FROM pg_inherits
            WHERE inhparent = 'pae.visitas'::regclass
              AND inhrelid::regclass::text BETWEEN 'pae.visitas_p2025_01' AND 'pae.visitas_p2025_12'),
          ARRAY['pae.visitas_p2025_02', 'pae.visitas_p2025_03', 'pae.visitas_p2025_04',
                'pae.visitas_p2025_05', 'pae.visitas_p2025_06'],
          'the contract created exactly the partitions of its vigencia (February to June)');
SELECT is((SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE oid = 'pae.visitas_p2025_03'::regclass),
          'FOR VALUES FROM (''2025-03-01 05:00:00+00'') TO (''2025-04-01 05:00:00+00'')',
          'a month partition spans the Colombian month (05:00 UTC to 05:00 UTC)');

CREATE FUNCTION pg_temp.ins(n integer, visitador integer, fecha timestamptz) RETURNS void LANGUAGE sql AS $$
    INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)
    VALUES (format('b5000000-0000-4000-8000-%s', lpad(n::text, 12, '0'))::uuid, '119001000511', 'PAE-PM-2025',
            format('a5000000-0000-4000-8000-%s', lpad(visitador::text, 12, '0'))::uuid, fecha, 90) $$;
CREATE FUNCTION pg_temp.particion(n integer) RETURNS text LANGUAGE sql AS $$
    SELECT tableoid::regclass::text FROM pae.visitas
     WHERE id = format('b5000000-0000-4000-8000-%s', lpad(n::text, 12, '0'))::uuid $$;

SELECT lives_ok('SELECT pg_temp.ins(1, 1, ''2025-03-31 23:30-05'')', 'a visit at 2025-03-31 23:30 Colombian time');
SELECT is(pg_temp.particion(1), 'pae.visitas_p2025_03', '... lands in March (it is already April in UTC)');
SELECT lives_ok('SELECT pg_temp.ins(2, 1, ''2025-04-01 00:10-05'')', 'a visit at 2025-04-01 00:10 Colombian time');
SELECT is(pg_temp.particion(2), 'pae.visitas_p2025_04', '... lands in April');
SELECT lives_ok('SELECT pg_temp.ins(3, 1, ''2025-02-01 00:00-05'')', 'a visit at the first instant of February');
SELECT is(pg_temp.particion(3), 'pae.visitas_p2025_02', '... lands in February');
SELECT is((SELECT count(*) FROM pae.visitas_default), 0::bigint, 'nothing in the default partition');

-- a month without partition: its visits fall into the default partition
DROP TABLE pae.visitas_p2025_05;
SELECT lives_ok('SELECT pg_temp.ins(10, 1, ''2025-05-05 09:00-05''), pg_temp.ins(11, 1, ''2025-05-06 09:00-05''),
                        pg_temp.ins(12, 2, ''2025-05-31 23:59-05''), pg_temp.ins(13, 1, ''2025-05-01 00:00-05'')',
                'four May visits are accepted although May has no partition');
SELECT is((SELECT count(*) FROM pae.visitas_default), 4::bigint, 'they are in pae.visitas_default');
SELECT throws_ok('SELECT pg_temp.ins(14, 1, ''2025-05-05 15:00-05'')', 'PV008', NULL,
                 'the one-visit-a-day rule sees visits in the default partition');

CREATE TEMP TABLE antes ON COMMIT DROP AS
SELECT v.*, v.tableoid::regclass AS particion FROM pae.visitas v;

-- what it reports is what it did: the partitions of pae.visitas and
-- pae.auditoria it created (May, and any month ahead still missing today)
CREATE TEMP TABLE particiones_antes ON COMMIT DROP AS
SELECT inhrelid FROM pg_inherits WHERE inhparent IN ('pae.visitas'::regclass, 'pae.auditoria'::regclass);
CREATE TEMP TABLE mantener ON COMMIT DROP AS SELECT pae.mantener_particiones() AS creadas;
SELECT is((SELECT creadas FROM mantener),
          (SELECT count(*)::int FROM pg_inherits
            WHERE inhparent IN ('pae.visitas'::regclass, 'pae.auditoria'::regclass)
              AND inhrelid NOT IN (SELECT inhrelid FROM particiones_antes)),
          'pae.mantener_particiones() returns how many partitions it created');
SELECT ok(EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = to_regclass('pae.visitas_p2025_05')
                      AND inhparent = 'pae.visitas'::regclass
                      AND inhrelid NOT IN (SELECT inhrelid FROM particiones_antes)),
          'among them a new May partition of pae.visitas');
SELECT is((SELECT count(*) FROM pae.visitas_default), 0::bigint, 'the default partition is empty afterwards');
SELECT is((SELECT array_agg(DISTINCT tableoid::regclass::text) FROM pae.visitas
            WHERE fecha_visita >= '2025-05-01 00:00-05' AND fecha_visita < '2025-06-01 00:00-05'),
          ARRAY['pae.visitas_p2025_05'], 'all four May visits are now in pae.visitas_p2025_05');
SELECT is((SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE oid = 'pae.visitas_p2025_05'::regclass),
          'FOR VALUES FROM (''2025-05-01 05:00:00+00'') TO (''2025-06-01 05:00:00+00'')',
          'the recreated May partition spans the Colombian month');
SELECT is((SELECT count(*) FROM pae.visitas), (SELECT count(*) FROM antes),
          'no visit was lost or duplicated by the move');
SELECT is((SELECT count(*) FROM antes a JOIN pae.visitas v USING (id)
            WHERE row(v.sede, v.contrato, v.visitador, v.fecha_visita, v.estado, v.version, v.creada_en,
                      v.actualizada_en, v.raciones_programadas)
                  IS NOT DISTINCT FROM
                  row(a.sede, a.contrato, a.visitador, a.fecha_visita, a.estado, a.version, a.creada_en,
                      a.actualizada_en, a.raciones_programadas)),
          7::bigint, 'every visit kept its data (the move is not a business change: version unchanged)');
SELECT is((SELECT count(*) FROM pae.visitas v JOIN pae.visitas_id r ON r.id = v.id AND r.fecha_visita = v.fecha_visita),
          (SELECT count(*) FROM pae.visitas_id), 'pae.visitas_id still names every visit exactly');

-- the rules still hold on moved rows
SELECT throws_ok('SELECT pg_temp.ins(14, 1, ''2025-05-05 15:00-05'')', 'PV008', NULL,
                 'after the move the one-visit-a-day rule still sees the moved visit');
SELECT throws_ok('SELECT pg_temp.ins(10, 2, ''2025-06-05 09:00-05'')', 'PV008', NULL,
                 'after the move a moved visit''s id is still taken');

SELECT * FROM finish();
ROLLBACK;
