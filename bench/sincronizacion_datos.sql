-- bench/sincronizacion_datos.sql -- fixture for the offline-sync section of
-- tools/bench.sh (tools/bench_sincronizacion.sh), created by the superuser
-- in the database of section 1 (whose 3,000 sedes it reuses: sedes 1001 on,
-- untouched by section 2) and its contract PAE-BENCH-2025 (section 2).
--
-- psql variables: visitadores, dias (closed visits per visitador, one a
-- day at its own sede, at most 730), grande (visits of the one big batch of
-- the memory measurement: one more visitador, at 10 sedes a day).
--
-- Each visit is what a tablet sends after a day offline: check-in 20 m
-- from the sede 5 minutes after fecha_visita, check-out an hour later,
-- the mandatory checklist items answered, one photo.  The same content
-- is kept in two forms: bench.sync_lotes holds the batches of
-- pae_api.sincronizar (one per visitador, with its JWT claims), and
-- bench.bare_* the rows a bare INSERT ... SELECT writes with the triggers
-- disabled (the columns the triggers would derive computed here, untimed).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE TABLE bench.sync_visitadores AS
SELECT i, ('20000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid AS id,
       s.codigo AS sede, s.lat, s.lon, p.municipio
  FROM generate_series(1, :visitadores + 1) AS i
  JOIN bench.sedes_n s ON s.k = 1000 + i
  JOIN pae.sedes p ON p.codigo = s.codigo;
INSERT INTO pae.usuarios (id, correo, nombre, rol)
SELECT id, 'sync' || i || '@bench.pae.example', 'Visitador sync ' || i, 'visitador'
  FROM bench.sync_visitadores;
-- the big batch's visitador (the last one) works at 10 sedes
CREATE TABLE bench.sync_sedes AS
SELECT v.id AS visitador, s.codigo AS sede, s.lat, s.lon, p.municipio, row_number() OVER (PARTITION BY v.id ORDER BY s.k) AS j
  FROM bench.sync_visitadores v
  JOIN bench.sedes_n s ON (v.i <= :visitadores AND s.k = 1000 + v.i)
                       OR (v.i = :visitadores + 1 AND s.k BETWEEN 2001 AND 2010)
  JOIN pae.sedes p ON p.codigo = s.codigo;
INSERT INTO pae.usuario_municipios (usuario, municipio)
SELECT DISTINCT visitador, municipio FROM bench.sync_sedes;

CREATE TABLE bench.sync_v AS
SELECT ss.visitador, ss.sede, d.d, ss.j,
       ('30000000-' || lpad(to_hex(d.d), 4, '0') || '-4' || lpad(to_hex(ss.j::int), 3, '0') || '-8000-' ||
        right(ss.visitador::text, 12))::uuid AS id,
       (date '2025-01-01' + d.d + time '07:00') AT TIME ZONE 'America/Bogota' AS fecha,
       ss.lat + 20 / 110574.0 AS lat, ss.lon, ss.lat AS sede_lat, ss.lon AS sede_lon
  FROM bench.sync_sedes ss
  JOIN bench.sync_visitadores v ON v.id = ss.visitador
  CROSS JOIN LATERAL generate_series(0, CASE WHEN v.i <= :visitadores THEN :dias ELSE :grande / 10 END - 1) AS d(d);
CREATE INDEX ON bench.sync_v (visitador, d, j);

CREATE TABLE bench.sync_items AS
SELECT v.visitador, v.d, v.j, v.id,
       jsonb_build_object(
           'id', v.id, 'version_base', 0, 'sede', v.sede, 'contrato', 'PAE-BENCH-2025',
           'fecha_visita', v.fecha, 'estado', 'cerrada',
           'checkin', jsonb_build_object('lat', v.lat, 'lon', v.lon, 'precision_m', 8, 't', v.fecha + interval '5 minutes'),
           'checkout', jsonb_build_object('lat', v.lat, 'lon', v.lon, 'precision_m', 9, 't', v.fecha + interval '65 minutes'),
           'raciones_entregadas', 118, 'observaciones', 'sin novedad',
           'respuestas', r.respuestas,
           'evidencias', jsonb_build_array(jsonb_build_object(
               'id', md5(v.id::text)::uuid, 'tipo', 'foto', 'sha256', encode(sha256(convert_to(v.id::text, 'UTF8')), 'hex'),
               'bytes', 183020, 'mime', 'image/jpeg', 'lat', v.lat, 'lon', v.lon, 'tomada_en', v.fecha + interval '30 minutes'))) AS item
  FROM bench.sync_v v,
       (SELECT jsonb_agg(jsonb_build_object('item', codigo, 'valor', 'cumple') ORDER BY orden) AS respuestas
          FROM pae.checklist_items WHERE obligatorio AND activo) r;

-- one batch per visitador of the timed runs; the big one apart
CREATE TABLE bench.sync_lotes AS
SELECT row_number() OVER (ORDER BY v.i) AS n, v.i <= :visitadores AS timed,
       json_build_object('sub', v.id, 'role', 'pae_visitador')::text AS claims,
       jsonb_build_object('dispositivo', 'tablet-bench-' || v.i,
                          'visitas', (SELECT jsonb_agg(it.item ORDER BY it.d, it.j) FROM bench.sync_items it
                                       WHERE it.visitador = v.id)) AS cuerpo
  FROM bench.sync_visitadores v;
GRANT USAGE ON SCHEMA bench TO pae_visitador;
GRANT SELECT ON bench.sync_lotes TO pae_visitador;

-- the same rows for the bare INSERT (timed visitadores only)
CREATE TABLE bench.bare_v AS
SELECT v.id, v.sede::char(12) AS sede, 'PAE-BENCH-2025'::text AS contrato, v.visitador, v.fecha AS fecha_visita,
       'cerrada'::pae.estado_visita AS estado,
       v.lat AS checkin_lat, v.lon AS checkin_lon, 8::float8 AS checkin_precision_m, v.fecha + interval '5 minutes' AS checkin_en,
       v.lat AS checkout_lat, v.lon AS checkout_lon, 9::float8 AS checkout_precision_m, v.fecha + interval '65 minutes' AS checkout_en,
       pae.distancia_m(v.sede_lat, v.sede_lon, v.lat, v.lon) AS distancia_m, true AS dentro_geocerca,
       120 AS raciones_programadas, 118 AS raciones_entregadas, 'sin novedad'::text AS observaciones,
       3 AS version, 'tablet-bench' AS dispositivo
  FROM bench.sync_v v JOIN bench.sync_visitadores u ON u.id = v.visitador AND u.i <= :visitadores;
CREATE TABLE bench.bare_r AS
SELECT b.id AS visita, i.codigo AS item, 'cumple'::text AS valor, NULL::text AS observacion
  FROM bench.bare_v b, pae.checklist_items i WHERE i.obligatorio AND i.activo;
CREATE TABLE bench.bare_e AS
SELECT md5(b.id::text)::uuid AS id, b.id AS visita, 'foto'::text AS tipo,
       encode(sha256(convert_to(b.id::text, 'UTF8')), 'hex') AS sha256, 183020::bigint AS bytes,
       'image/jpeg'::text AS mime, b.checkin_lat AS lat, b.checkin_lon AS lon,
       b.fecha_visita + interval '30 minutes' AS tomada_en
  FROM bench.bare_v b;
ANALYZE bench.sync_lotes, bench.bare_v, bench.bare_r, bench.bare_e;
