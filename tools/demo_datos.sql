-- tools/demo_datos.sql -- realistic demo data for pae_cauca (used by tools/demo.sh)
--
-- Deterministic (setseed): about 300 sedes within ~3 km of the real seats
-- of the 42 municipios of Cauca, their instituciones, 3 operadores with one
-- contract each (2025-01-01 .. 2026-12-31) covering every sede, 12 staff
-- created with pae.crear_usuario (8 visitadores, 3 supervisores, 1
-- coordinador), two or three visits per sede in 2025 (one in February to
-- April, one in May to September, and for half of the sedes a third one in
-- October, the month the demo reports on), and check-ins for about half of them (one in ten of those lands
-- 300 m to 2 km from the sede, outside its 150 m geofence; the extension
-- computes distancia_m and dentro_geocerca and raises the alerts itself),
-- then checklists, photos, closings, approvals, returns and cancellations
-- made by the people themselves, as PostgREST would send them.  Every alert
-- type comes out of the triggers: fuera_geocerca, raciones_faltantes,
-- duracion_sospechosa, foto_reutilizada, and one viaje_imposible (a
-- visitador checks in at a sede more than 60 km from their check-in twenty
-- minutes earlier).
--
-- Run as a superuser on a database where CREATE EXTENSION pae_cauca CASCADE
-- was run:  psql -X -v ON_ERROR_STOP=1 -f tools/demo_datos.sql
--
-- Codes follow the DANE pattern: institución 1 + municipio + 4 digits + 00;
-- sede (1 urbana / 2 rural) + municipio + the institución's 4 digits + 2 digits.

\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET TimeZone = 'America/Bogota';

BEGIN;

SELECT setseed(0.42) AS semilla \gset

-- Municipios with their seat, contract region (1 norte, 2 centro, 3 sur y
-- costa) and the group of the visitador who covers them (8 = costa pacífica).
CREATE TEMP TABLE demo_mun ON COMMIT DROP AS
WITH base AS (
    SELECT m.codigo, m.nombre,
           ST_Y(m.ubicacion::geometry) AS lat,
           ST_X(m.ubicacion::geometry) AS lon,
           m.codigo IN ('19318', '19809', '19418') AS costa
      FROM pae.municipios m
)
SELECT b.*,
       CASE WHEN b.costa THEN 3
            ELSE ntile(3) OVER (PARTITION BY b.costa ORDER BY b.lat DESC, b.codigo) END AS region,
       CASE WHEN b.costa THEN 8
            ELSE ntile(7) OVER (PARTITION BY b.costa ORDER BY b.lat DESC, b.lon, b.codigo) END AS grupo
  FROM base b;

-- Sedes: Popayán 24, every other municipio 5 to 9.
CREATE TEMP TABLE demo_sede ON COMMIT DROP AS
WITH cuantas AS (
    SELECT m.*, CASE WHEN m.codigo = '19001' THEN 24 ELSE 5 + floor(random() * 5)::int END AS n
      FROM (SELECT * FROM demo_mun ORDER BY codigo) m
), s0 AS (
    SELECT c.codigo AS municipio, c.nombre AS mun_nombre, c.lat AS mlat, c.lon AS mlon, c.region,
           g AS k,
           (g - 1) / 3 + 1 AS inst_n,              -- 3 sedes per institución
           (g - 1) % 3 + 1 AS sede_n,
           3000 * sqrt(random()) AS dist_m,          -- uniform over a 3 km disc
           2 * pi() * random() AS azimut,
           random() AS r_mat,
           1 + (random() < 0.85)::int + (random() < 0.5)::int AS n_visitas
      FROM cuantas c, generate_series(1, c.n) AS g
), u AS (
    -- near the seat the sede is urban (most of Popayán); further out, rural
    SELECT s0.*, s0.dist_m < CASE WHEN s0.municipio = '19001' THEN 2500 ELSE 1200 END AS urbana
      FROM s0
)
SELECT s.*,
       CASE WHEN s.urbana THEN 'urbana' ELSE 'rural' END AS zona,
       s.mlat + s.dist_m * cos(s.azimut) / 111320.0 AS lat,
       s.mlon + s.dist_m * sin(s.azimut) / (111320.0 * cos(radians(s.mlat))) AS lon,
       '1' || s.municipio || lpad(s.inst_n::text, 4, '0') || '00' AS institucion,
       CASE WHEN s.urbana THEN '1' ELSE '2' END
           || s.municipio || lpad(s.inst_n::text, 4, '0') || lpad(s.sede_n::text, 2, '0') AS codigo,
       CASE WHEN s.urbana THEN 180 + floor(s.r_mat * 900)::int
            ELSE 12 + floor(s.r_mat * 140)::int END AS matricula,
       CASE s.region WHEN 1 THEN 'PAE-2025-014' WHEN 2 THEN 'PAE-2025-015' ELSE 'PAE-2025-016' END AS contrato
  FROM u AS s;

INSERT INTO pae.instituciones (codigo, nombre, municipio)
SELECT DISTINCT ON (s.institucion)
       s.institucion,
       'Institución Educativa ' ||
       (ARRAY['San José', 'Santa Teresita', 'Los Andes', 'La Esperanza', 'Simón Bolívar',
              'Francisco José de Caldas', 'Nuestra Señora del Carmen', 'El Rosario',
              'Técnica Agropecuaria', 'Policarpa Salavarrieta', 'Antonio Nariño', 'Juan Pablo II',
              'Santa Ana', 'La Inmaculada', 'San Antonio de Padua', 'Indígena Nasa We''sx',
              'Agroambiental Misak', 'Camilo Torres', 'Jorge Eliécer Gaitán', 'Manuel María Mosquera',
              'Normal Superior', 'Cristo Rey', 'La Milagrosa'])
           [1 + (abs(hashtext(s.municipio)) + 7 * s.inst_n) % 23],
       s.municipio
  FROM demo_sede s
 ORDER BY s.institucion, s.sede_n;

INSERT INTO pae.sedes (codigo, nombre, institucion, municipio, zona, ubicacion, matricula)
SELECT s.codigo,
       CASE WHEN s.sede_n = 1 THEN i.nombre || ' - Sede Principal'
            WHEN s.zona = 'rural' THEN 'Escuela Rural Mixta ' ||
                 (ARRAY['El Placer', 'La Playa', 'Santa Marta', 'El Cairo', 'Las Delicias',
                        'La Florida', 'El Rosal', 'San Isidro', 'La Cumbre', 'El Mirador',
                        'Buenavista', 'Alto Grande', 'La Palma', 'Campo Alegre', 'El Carmen',
                        'Los Robles', 'Pueblo Nuevo', 'La Venta', 'El Tablón', 'Chapa',
                        'Quebrada Honda', 'La Laguna', 'El Hato'])
                 [1 + (abs(hashtext(s.codigo)) % 23)]
            ELSE 'Sede ' ||
                 (ARRAY['Centro', 'El Recuerdo', 'La Esmeralda', 'Bello Horizonte', 'El Libertador',
                        'San Camilo', 'La Paz', 'Villa del Norte', 'Santa Inés', 'El Empedrado'])
                 [1 + (abs(hashtext(s.codigo)) % 10)]
       END,
       s.institucion, s.municipio, s.zona,
       ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326)::geography,
       s.matricula
  FROM demo_sede s
  JOIN pae.instituciones i ON i.codigo = s.institucion
 ORDER BY s.codigo;

INSERT INTO pae.operadores (nit, nombre) VALUES
    ('900123456-7', 'Unión Temporal Alimentando el Cauca 2025'),
    ('901456789-2', 'Consorcio Nutrir Cauca Centro'),
    ('900765432-1', 'Fundación Pacífico Bien Nutrido');

INSERT INTO pae.contratos (numero, operador, vigencia, raciones_dia, modalidad) VALUES
    ('PAE-2025-014', '900123456-7', daterange('2025-01-01', '2026-12-31', '[]'), 420, 'RPS'),
    ('PAE-2025-015', '901456789-2', daterange('2025-01-01', '2026-12-31', '[]'), 380, 'CCT'),
    ('PAE-2025-016', '900765432-1', daterange('2025-01-01', '2026-12-31', '[]'), 260, 'RI');

INSERT INTO pae.contrato_sedes (contrato, sede)
SELECT s.contrato, s.codigo FROM demo_sede s ORDER BY s.codigo;

-- Staff.  grupo: visitadores -> demo_mun.grupo, supervisores -> demo_mun.region.
CREATE TEMP TABLE demo_usuario (
    n       int PRIMARY KEY,
    correo  text NOT NULL,
    nombre  text NOT NULL,
    rol     text NOT NULL,
    grupo   int,
    id      uuid
) ON COMMIT DROP;
INSERT INTO demo_usuario (n, correo, nombre, rol, grupo) VALUES
    ( 1, 'maria.munoz@pae.cauca.gov.co',     'María Fernanda Muñoz Collazos',  'visitador', 1),
    ( 2, 'jhon.velasco@pae.cauca.gov.co',    'Jhon Jairo Velasco Ordóñez',     'visitador', 2),
    ( 3, 'luz.dorado@pae.cauca.gov.co',      'Luz Adriana Dorado Chicangana',  'visitador', 3),
    ( 4, 'carlos.ipia@pae.cauca.gov.co',     'Carlos Andrés Ipia Pechené',     'visitador', 4),
    ( 5, 'diana.campo@pae.cauca.gov.co',     'Diana Marcela Campo Hurtado',    'visitador', 5),
    ( 6, 'edwin.guzman@pae.cauca.gov.co',    'Edwin Alexis Guzmán Meneses',    'visitador', 6),
    ( 7, 'yolanda.papamija@pae.cauca.gov.co','Yolanda Papamija Quilindo',      'visitador', 7),
    ( 8, 'wilmer.angulo@pae.cauca.gov.co',   'Wilmer Angulo Riascos',          'visitador', 8),
    ( 9, 'patricia.zuniga@pae.cauca.gov.co', 'Patricia Zúñiga Ledezma',        'supervisor', 1),
    (10, 'hernan.bolanos@pae.cauca.gov.co',  'Hernán Darío Bolaños Sarria',    'supervisor', 2),
    (11, 'gloria.mosquera@pae.cauca.gov.co', 'Gloria Inés Mosquera Caicedo',   'supervisor', 3),
    (12, 'andres.lopez@pae.cauca.gov.co',    'Andrés Felipe López Fernández',  'coordinador', NULL);

UPDATE demo_usuario d
   SET id = pae.crear_usuario(
            d.correo, d.nombre, d.rol, 'Cauca-PAE-2025!',
            CASE d.rol
                WHEN 'visitador'  THEN ARRAY(SELECT m.codigo FROM demo_mun m WHERE m.grupo = d.grupo ORDER BY 1)
                WHEN 'supervisor' THEN ARRAY(SELECT m.codigo FROM demo_mun m WHERE m.region = d.grupo ORDER BY 1)
                ELSE '{}'::char(5)[]
            END);

-- Visits: two or three per sede, in distinct months of 2025 (February-October,
-- school days, 07:00-11:30 Bogotá time), so that each (sede, visitador, day)
-- is unique.  Ids are derived from md5 to keep the data reproducible.
CREATE TEMP TABLE demo_visita ON COMMIT DROP AS
WITH v AS (
    SELECT s.codigo AS sede, s.contrato, s.lat, s.lon, s.matricula, u.id AS visitador, gs.k,
           CASE gs.k WHEN 1 THEN 2 + floor(random() * 3)::int                       -- feb-abr
                  WHEN 2 THEN (ARRAY[5, 7, 8, 9])[1 + floor(random() * 4)::int]  -- may, jul-sep
                  ELSE 10 + floor(random() * 0)::int END AS mes,                 -- oct
           floor(random() * 28)::int AS dia0,
           420 + 15 * floor(random() * 19)::int AS minuto,
           random() AS r_rac, random() AS r_checkin, random() AS r_fuera,
           random() AS r_dist, random() AS r_az, random() AS r_prec
      FROM demo_sede s
      JOIN demo_mun m ON m.codigo = s.municipio
      JOIN demo_usuario u ON u.rol = 'visitador' AND u.grupo = m.grupo
     CROSS JOIN LATERAL generate_series(1, s.n_visitas) AS gs(k)
), d AS (
    SELECT v.*, make_date(2025, v.mes, 1) + v.dia0 AS dia FROM v
), p AS (
    SELECT d.*,
           d.dia + CASE extract(isodow FROM d.dia) WHEN 6 THEN 2 WHEN 7 THEN 1 ELSE 0 END AS dia_habil,
           d.r_checkin < 0.5 AS checkin,
           d.r_checkin < 0.5 AND d.r_fuera < 0.1 AS fuera,
           CASE WHEN d.r_fuera < 0.1 THEN 300 + 1700 * d.r_dist ELSE 5 + 90 * d.r_dist END AS cdist,
           CASE WHEN d.r_fuera < 0.1 THEN 5 + floor(d.r_prec * 26) ELSE 3 + floor(d.r_prec * 20) END AS cprec
      FROM d
)
SELECT md5('pae-demo-visita-' || p.sede || '-' || p.k)::uuid AS id,
       p.sede, p.contrato, p.visitador,
       ((p.dia_habil + make_interval(mins => p.minuto))::timestamp AT TIME ZONE 'America/Bogota') AS fecha_visita,
       greatest(1, round(p.matricula * (0.85 + 0.1 * p.r_rac)))::int AS raciones_programadas,
       p.checkin, p.fuera,
       p.lat + p.cdist * cos(2 * pi() * p.r_az) / 111320.0 AS checkin_lat,
       p.lon + p.cdist * sin(2 * pi() * p.r_az) / (111320.0 * cos(radians(p.lat))) AS checkin_lon,
       p.cprec::float8 AS checkin_precision_m
  FROM p;

INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)
SELECT v.id, v.sede, v.contrato, v.visitador, v.fecha_visita, v.raciones_programadas
  FROM demo_visita v
 ORDER BY v.fecha_visita, v.id;

-- Check-in of about half of them, through a plain UPDATE: the triggers
-- evaluate the geofence, fill distancia_m / dentro_geocerca and raise alerts.
UPDATE pae.visitas v
   SET estado = 'en_curso',
       checkin_lat = p.checkin_lat,
       checkin_lon = p.checkin_lon,
       checkin_precision_m = p.checkin_precision_m,
       checkin_en = v.fecha_visita
  FROM demo_visita p
 WHERE p.id = v.id
   AND p.checkin;

-- The rest of the field work, done by the people themselves the way
-- PostgREST drives the database (role + JWT claims per request): each
-- visitador answers the checklist, attaches a photo and closes 80% of their
-- started visits; supervisors approve most closed visits of their
-- municipios and return some; the coordinador cancels a few planned ones.
-- Two visits share a photo and a few are short or short of rations, so
-- every kind of alert shows up.
DO $trabajo$
DECLARE
    v       record;
    r       double precision;
    sup     uuid;
    n       int := 0;
    fotos   int := 0;
BEGIN
    FOR v IN SELECT x.id, x.visitador, x.checkin_lat, x.checkin_lon, x.checkin_en, x.raciones_programadas, s.municipio
               FROM pae.visitas x JOIN pae.sedes s ON s.codigo = x.sede
              WHERE x.estado = 'en_curso' ORDER BY x.fecha_visita, x.id
    LOOP
        n := n + 1;
        r := random();
        CONTINUE WHEN r >= 0.8;                                  -- 20% still open
        PERFORM set_config('request.jwt.claims', json_build_object('sub', v.visitador, 'role', 'pae_visitador')::text, true);
        PERFORM set_config('role', 'pae_visitador', true);
        PERFORM pae_api.responder(v.id, i.codigo,
                                  CASE WHEN random() < 0.88 THEN 'cumple' WHEN random() < 0.7 THEN 'no_cumple' ELSE 'no_aplica' END)
           FROM pae.checklist_items i ORDER BY i.orden;
        fotos := fotos + 1;
        PERFORM pae_api.registrar_evidencia(v.id, 'foto',
                    CASE WHEN fotos IN (7, 8) THEN repeat('ab', 32)      -- one photo, two visits
                         ELSE encode(sha256(convert_to(v.id::text, 'UTF8')), 'hex') END,
                    150000 + floor(random() * 900000)::bigint, 'image/jpeg',
                    v.checkin_lat, v.checkin_lon, v.checkin_en + interval '20 minutes');
        UPDATE pae.visitas x
           SET estado = 'cerrada',
               checkout_lat = v.checkin_lat + 0.0001, checkout_lon = v.checkin_lon,
               checkout_precision_m = 8,
               checkout_en = v.checkin_en + CASE WHEN n % 23 = 0 THEN interval '6 minutes'
                                                 ELSE make_interval(mins => 40 + floor(random() * 80)::int) END,
               raciones_entregadas = CASE WHEN n % 11 = 0 THEN round(v.raciones_programadas * 0.7)::int
                                          ELSE v.raciones_programadas - floor(random() * 5)::int END
         WHERE x.id = v.id;
        PERFORM set_config('role', 'none', true);

        SELECT um.usuario INTO sup FROM pae.usuario_municipios um JOIN pae.usuarios u ON u.id = um.usuario
         WHERE um.municipio = v.municipio AND u.rol = 'supervisor' LIMIT 1;
        CONTINUE WHEN sup IS NULL OR random() < 0.15;            -- some still to review
        PERFORM set_config('request.jwt.claims', json_build_object('sub', sup, 'role', 'pae_supervisor')::text, true);
        PERFORM set_config('role', 'pae_supervisor', true);
        IF random() < 0.82 THEN
            PERFORM pae.transicion(v.id, 'aprobada');
        ELSE
            PERFORM pae.transicion(v.id, 'devuelta', 'Falta la firma del rector en el acta de entrega');
        END IF;
        PERFORM set_config('role', 'none', true);
    END LOOP;

    PERFORM set_config('request.jwt.claims',
                       json_build_object('sub', (SELECT id FROM pae.usuarios WHERE rol = 'coordinador' LIMIT 1),
                                         'role', 'pae_coordinador')::text, true);
    PERFORM set_config('role', 'pae_coordinador', true);
    PERFORM pae.transicion(x.id, 'cancelada', 'Sede sin clases por paro de transportadores')
       FROM (SELECT id FROM pae.visitas WHERE estado = 'programada' ORDER BY fecha_visita, id LIMIT 12) x;
    PERFORM set_config('role', 'none', true);
    PERFORM set_config('request.jwt.claims', '', true);
END
$trabajo$;

-- Impossible travel: the latest check-in of the period that was the
-- visitador's only one in two hours; twenty minutes later the same
-- visitador plans an unplanned field visit at a sede of their municipios
-- more than 60 km away and checks in there (PATCH as PostgREST sends it,
-- with the device's time).  The trigger compares the two check-ins (over
-- 180 km/h) and raises viaje_imposible on the new visit.
DO $viaje$
DECLARE
    p   record;
    w   uuid := md5('pae-demo-visita-viaje-imposible')::uuid;
BEGIN
    SELECT c.visitador, c.en, b.codigo AS sede, cs.contrato,
           ST_Y(b.ubicacion::geometry) AS lat, ST_X(b.ubicacion::geometry) AS lon
      INTO p
      FROM pae.visitas_checkin c
      JOIN pae.usuario_municipios um ON um.usuario = c.visitador
      JOIN pae.sedes b ON b.municipio = um.municipio AND b.activa
      JOIN pae.contrato_sedes cs ON cs.sede = b.codigo
     WHERE ST_Distance(b.ubicacion, ST_SetSRID(ST_MakePoint(c.lon, c.lat), 4326)::geography) > 60000
       AND NOT EXISTS (SELECT 1 FROM pae.visitas_checkin o
                        WHERE o.visitador = c.visitador AND o.visita <> c.visita
                          AND o.en BETWEEN c.en - interval '2 hours' AND c.en + interval '2 hours')
     ORDER BY c.en DESC, ST_Distance(b.ubicacion, ST_SetSRID(ST_MakePoint(c.lon, c.lat), 4326)::geography) DESC, b.codigo
     LIMIT 1;
    IF p IS NULL THEN
        RAISE EXCEPTION 'demo_datos: no hay un par de sedes para el caso de viaje_imposible';
    END IF;
    PERFORM set_config('request.jwt.claims', json_build_object('sub', p.visitador, 'role', 'pae_visitador')::text, true);
    PERFORM set_config('role', 'pae_visitador', true);
    INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)
    VALUES (w, p.sede, p.contrato, p.visitador, p.en + interval '20 minutes', 150);
    UPDATE pae.visitas
       SET estado = 'en_curso',
           checkin_lat = p.lat + 0.0001, checkin_lon = p.lon,
           checkin_precision_m = 6,
           checkin_en = p.en + interval '20 minutes'
     WHERE id = w;
    PERFORM set_config('role', 'none', true);
    PERFORM set_config('request.jwt.claims', '', true);
    IF NOT EXISTS (SELECT 1 FROM pae.alertas WHERE visita = w AND tipo = 'viaje_imposible') THEN
        RAISE EXCEPTION 'demo_datos: el disparador no levantó viaje_imposible';
    END IF;
END
$viaje$;

-- every alert type of the SPEC is in the demo (tools/demo.sh and
-- test/escenarios/bi_gdal.sh show them)
DO $tipos$
DECLARE
    faltan text;
BEGIN
    SELECT string_agg(t, ', ') INTO faltan
      FROM unnest(ARRAY['fuera_geocerca', 'viaje_imposible', 'raciones_faltantes',
                        'duracion_sospechosa', 'foto_reutilizada']) AS t
     WHERE NOT EXISTS (SELECT 1 FROM pae.alertas a WHERE a.tipo = t);
    IF faltan IS NOT NULL THEN
        RAISE EXCEPTION 'demo_datos: faltan alertas de tipo %', faltan;
    END IF;
END
$tipos$;

COMMIT;

ANALYZE;

SELECT (SELECT count(*) FROM pae.municipios)      AS municipios,
       (SELECT count(*) FROM pae.instituciones)   AS instituciones,
       (SELECT count(*) FROM pae.sedes)           AS sedes,
       (SELECT count(*) FROM pae.operadores)      AS operadores,
       (SELECT count(*) FROM pae.contratos)       AS contratos,
       (SELECT count(*) FROM pae.usuarios)        AS usuarios,
       (SELECT count(*) FROM pae.visitas)         AS visitas,
       (SELECT count(*) FROM pae.visitas WHERE checkin_en IS NOT NULL) AS con_checkin,
       (SELECT count(*) FROM pae.transiciones) AS transiciones,
       (SELECT count(*) FROM pae.alertas) AS alertas;
