-- bench/transicion_datos.sql -- fixture for section 2 of tools/bench.sh
-- (the state machine), created by the superuser in the database of
-- section 1 (whose 3,000 sedes it reuses).
--
-- psql variables: visitadores (how many), dias (programada visits per
-- visitador, at most 730).  Visitador i visits sede i once a day on
-- consecutive days of the contract's vigencia (2025-01-01 .. 2026-12-31),
-- at 09:00 Colombian time: one non-cancelled visit per sede, visitador and
-- day, as the rules require.  The visits are inserted through the
-- extension's triggers (validated, ids claimed) like any other.
--
-- bench.cola numbers the visits in the order the pgbench clients take
-- them (day by day, visitador by visitador, so consecutive transactions
-- belong to different visitadores) with each visit's check-in: 20 m north
-- of its sede, inside the fence (the happy path, no alert).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

INSERT INTO pae.operadores (nit, nombre) VALUES ('900123456-7', 'Operador de prueba S.A.S.');
INSERT INTO pae.contratos (numero, operador, vigencia, raciones_dia, modalidad)
VALUES ('PAE-BENCH-2025', '900123456-7', daterange('2025-01-01', '2026-12-31', '[]'), 120, 'RPS');
INSERT INTO pae.contrato_sedes (contrato, sede)
SELECT 'PAE-BENCH-2025', codigo FROM pae.sedes;

CREATE TABLE bench.visitadores AS
SELECT i, ('00000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid AS id, s.codigo AS sede, s.lat, s.lon
  FROM generate_series(1, :visitadores) AS i
  JOIN bench.sedes_n s ON s.k = i;
INSERT INTO pae.usuarios (id, correo, nombre, rol)
SELECT id, 'visitador' || i || '@bench.pae.example', 'Visitador de prueba ' || i, 'visitador'
  FROM bench.visitadores;

CREATE TABLE bench.cola (
    n               bigint PRIMARY KEY,
    id              uuid NOT NULL,
    fecha_visita    timestamptz NOT NULL,
    visitador       uuid NOT NULL,
    claims          text NOT NULL,
    lat             float8 NOT NULL,
    lon             float8 NOT NULL
);
INSERT INTO bench.cola
SELECT row_number() OVER (ORDER BY d.d, v.i),
       ('10000000-' || lpad(to_hex(d.d), 4, '0') || '-4000-8000-' || lpad(v.i::text, 12, '0'))::uuid,
       (date '2025-01-01' + d.d + time '09:00') AT TIME ZONE 'America/Bogota',
       v.id,
       json_build_object('sub', v.id, 'role', 'pae_visitador')::text,
       v.lat + 20 / 110574.0,
       v.lon
  FROM bench.visitadores v, generate_series(0, :dias - 1) AS d(d);

-- Ten days per transaction: the duplicate check holds one advisory lock
-- per (sede, visitador, day) until commit, and the lock table is finite.
DO $$
DECLARE
    desde bigint := 1;
    lote  bigint := 10 * (SELECT count(*) FROM bench.visitadores);
    total bigint := (SELECT count(*) FROM bench.cola);
BEGIN
    WHILE desde <= total LOOP
        INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)
        SELECT c.id, v.sede, 'PAE-BENCH-2025', c.visitador, c.fecha_visita, 120
          FROM bench.cola c JOIN bench.visitadores v ON v.id = c.visitador
         WHERE c.n >= desde AND c.n < desde + lote
         ORDER BY c.n;
        COMMIT;
        desde := desde + lote;
    END LOOP;
END
$$;
VACUUM ANALYZE pae.visitas, pae.visitas_id, bench.cola;
CREATE SEQUENCE bench.siguiente;
