-- pae_cauca: supervision of PAE school-feeding visits (Cauca, Colombia)
--
-- This file is one fragment of the install script: the Makefile concatenates
-- sql/install/NN-*.sql, in order, into sql/pae_cauca--<version>.sql.
--
-- Script security: while CREATE EXTENSION runs, search_path is the target
-- schema followed by the schemas of postgis and pgcrypto; pg_catalog is
-- searched first implicitly.  Every function below pins its own search_path
-- and every built-in in a function body is resolved from pg_catalog first.

\echo Use "CREATE EXTENSION pae_cauca CASCADE" to load this file. \quit

CREATE SCHEMA pae;
CREATE SCHEMA pae_api;
CREATE SCHEMA pae_reportes;

COMMENT ON SCHEMA pae IS 'Tablas y funciones del núcleo de pae_cauca: sedes, contratos, usuarios y visitas del PAE';
COMMENT ON SCHEMA pae_api IS 'Superficie que expone PostgREST: solo vistas (security_invoker) y funciones';
COMMENT ON SCHEMA pae_reportes IS 'Vistas para herramientas de BI: cobertura, cumplimiento y alertas';

-- Group roles of SPEC §10.  Roles are cluster-wide: created only when
-- missing, reused by a second database, left behind by DROP EXTENSION.
DO $roles$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['pae_anon', 'pae_visitador', 'pae_supervisor',
                             'pae_coordinador', 'pae_admin', 'pae_bi']
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) r) THEN
            EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
        END IF;
    END LOOP;
END
$roles$;
-- Types of the domain

CREATE TYPE pae.estado_visita AS ENUM
    ('programada', 'en_curso', 'cerrada', 'aprobada', 'devuelta', 'cancelada');
COMMENT ON TYPE pae.estado_visita IS
    'Estados de una visita: programada, en_curso, cerrada, aprobada, devuelta, cancelada';
-- Domain tables (SPEC §3).  Contract columns keep their names; every added
-- column has a default or is nullable.

CREATE TABLE pae.municipios (
    codigo      char(5) PRIMARY KEY
                CONSTRAINT municipios_codigo_dane CHECK (codigo ~ '^19[0-9]{3}$'),
    nombre      text NOT NULL CHECK (btrim(nombre) <> ''),
    ubicacion   geography(Point, 4326) NOT NULL
);
COMMENT ON TABLE pae.municipios IS 'Los 42 municipios del Cauca (DIVIPOLA del DANE) con la ubicación de su cabecera';
COMMENT ON COLUMN pae.municipios.codigo IS 'Código DANE/DIVIPOLA de 5 dígitos (19001 es Popayán)';
COMMENT ON COLUMN pae.municipios.nombre IS 'Nombre oficial del municipio';
COMMENT ON COLUMN pae.municipios.ubicacion IS 'Cabecera municipal, WGS84 (aproximada, para mapas y datos de demostración)';

CREATE TABLE pae.instituciones (
    codigo      char(12) PRIMARY KEY
                CONSTRAINT instituciones_codigo_dane CHECK (codigo ~ '^[0-9]{12}$'),
    nombre      text NOT NULL CHECK (btrim(nombre) <> ''),
    municipio   char(5) NOT NULL REFERENCES pae.municipios
);
CREATE INDEX instituciones_municipio_idx ON pae.instituciones (municipio);
COMMENT ON TABLE pae.instituciones IS 'Instituciones educativas oficiales (código DANE)';
COMMENT ON COLUMN pae.instituciones.codigo IS 'Código DANE de 12 dígitos de la institución';
COMMENT ON COLUMN pae.instituciones.nombre IS 'Nombre de la institución educativa';
COMMENT ON COLUMN pae.instituciones.municipio IS 'Municipio de la institución';

CREATE TABLE pae.sedes (
    codigo              char(12) PRIMARY KEY
                        CONSTRAINT sedes_codigo_dane CHECK (codigo ~ '^[0-9]{12}$'),
    nombre              text NOT NULL CHECK (btrim(nombre) <> ''),
    institucion         char(12) REFERENCES pae.instituciones,
    municipio           char(5) NOT NULL REFERENCES pae.municipios,
    zona                text CHECK (zona IN ('urbana', 'rural')),
    ubicacion           geography(Point, 4326) NOT NULL,
    radio_geocerca_m    double precision NOT NULL DEFAULT 150
                        CONSTRAINT sedes_radio_geocerca CHECK (radio_geocerca_m > 0 AND radio_geocerca_m <= 5000),
    geocerca_estricta   boolean NOT NULL DEFAULT false,
    matricula           integer CHECK (matricula >= 0),
    activa              boolean NOT NULL DEFAULT true,
    lat                 double precision GENERATED ALWAYS AS (ST_Y(ubicacion::geometry)) STORED,
    lon                 double precision GENERATED ALWAYS AS (ST_X(ubicacion::geometry)) STORED,
    CONSTRAINT sedes_ubicacion_en_colombia
        CHECK (lat BETWEEN -4.5 AND 13.5 AND lon BETWEEN -82.0 AND -66.0)
);
CREATE INDEX sedes_municipio_idx ON pae.sedes (municipio) WHERE activa;
CREATE INDEX sedes_institucion_idx ON pae.sedes (institucion);
CREATE INDEX sedes_ubicacion_idx ON pae.sedes USING gist (ubicacion);
COMMENT ON TABLE pae.sedes IS 'Sedes educativas donde se sirve el PAE, con su geocerca';
COMMENT ON COLUMN pae.sedes.codigo IS 'Código DANE de 12 dígitos de la sede';
COMMENT ON COLUMN pae.sedes.nombre IS 'Nombre de la sede';
COMMENT ON COLUMN pae.sedes.institucion IS 'Institución educativa a la que pertenece la sede';
COMMENT ON COLUMN pae.sedes.municipio IS 'Municipio de la sede (código DANE)';
COMMENT ON COLUMN pae.sedes.zona IS 'urbana o rural';
COMMENT ON COLUMN pae.sedes.ubicacion IS 'Punto WGS84 de la sede: centro de su geocerca';
COMMENT ON COLUMN pae.sedes.radio_geocerca_m IS 'Radio de la geocerca en metros (150 por defecto, máximo 5000)';
COMMENT ON COLUMN pae.sedes.geocerca_estricta IS 'Si es verdadero, un check-in fuera de la geocerca se rechaza (PV001) en lugar de solo generar una alerta';
COMMENT ON COLUMN pae.sedes.matricula IS 'Estudiantes matriculados en la sede';
COMMENT ON COLUMN pae.sedes.activa IS 'Solo las sedes activas pueden recibir visitas';
COMMENT ON COLUMN pae.sedes.lat IS 'Latitud de la sede (derivada de ubicacion)';
COMMENT ON COLUMN pae.sedes.lon IS 'Longitud de la sede (derivada de ubicacion)';

CREATE TABLE pae.operadores (
    nit         text PRIMARY KEY
                CONSTRAINT operadores_nit_formato CHECK (nit ~ '^[0-9]{6,12}(-[0-9])?$'),
    nombre      text NOT NULL CHECK (btrim(nombre) <> '')
);
COMMENT ON TABLE pae.operadores IS 'Operadores que prestan el servicio de alimentación';
COMMENT ON COLUMN pae.operadores.nit IS 'NIT del operador, con o sin dígito de verificación (900123456-7)';
COMMENT ON COLUMN pae.operadores.nombre IS 'Razón social del operador';

CREATE TABLE pae.contratos (
    numero      text PRIMARY KEY CHECK (btrim(numero) <> ''),
    operador    text NOT NULL REFERENCES pae.operadores,
    vigencia    daterange NOT NULL
                CONSTRAINT contratos_vigencia_acotada
                CHECK (NOT isempty(vigencia) AND NOT lower_inf(vigencia) AND NOT upper_inf(vigencia)),
    raciones_dia integer NOT NULL CHECK (raciones_dia > 0),
    modalidad   text CHECK (modalidad IN ('RPS', 'RI', 'CCT'))
);
CREATE INDEX contratos_operador_idx ON pae.contratos (operador);
COMMENT ON TABLE pae.contratos IS 'Contratos de operación del PAE';
COMMENT ON COLUMN pae.contratos.numero IS 'Número del contrato (PAE-2025-014)';
COMMENT ON COLUMN pae.contratos.operador IS 'NIT del operador contratista';
COMMENT ON COLUMN pae.contratos.vigencia IS 'Fechas (hora de Colombia) en que el contrato cubre visitas';
COMMENT ON COLUMN pae.contratos.raciones_dia IS 'Raciones contratadas por sede y día escolar';
COMMENT ON COLUMN pae.contratos.modalidad IS 'RPS (preparada en sitio), RI (industrializada) o CCT (caliente transportada)';

CREATE TABLE pae.contrato_sedes (
    contrato    text NOT NULL REFERENCES pae.contratos ON DELETE CASCADE,
    sede        char(12) NOT NULL REFERENCES pae.sedes,
    PRIMARY KEY (contrato, sede)
);
CREATE INDEX contrato_sedes_sede_idx ON pae.contrato_sedes (sede);
COMMENT ON TABLE pae.contrato_sedes IS 'Sedes que cubre cada contrato';
COMMENT ON COLUMN pae.contrato_sedes.contrato IS 'Número del contrato';
COMMENT ON COLUMN pae.contrato_sedes.sede IS 'Código DANE de la sede cubierta';

CREATE TABLE pae.usuarios (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    correo      text NOT NULL UNIQUE
                CONSTRAINT usuarios_correo_formato CHECK (correo ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
    nombre      text NOT NULL CHECK (btrim(nombre) <> ''),
    rol         text NOT NULL
                CONSTRAINT usuarios_rol_valido
                CHECK (rol IN ('visitador', 'supervisor', 'coordinador', 'admin', 'bi')),
    activo      boolean NOT NULL DEFAULT true,
    clave_hash  text,
    login_db    name UNIQUE,
    creado_en   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX usuarios_correo_minusculas_idx ON pae.usuarios (lower(correo));
COMMENT ON TABLE pae.usuarios IS 'Personas del equipo de supervisión; id es el sub del JWT';
COMMENT ON COLUMN pae.usuarios.id IS 'Identificador de la persona (claim sub del JWT)';
COMMENT ON COLUMN pae.usuarios.correo IS 'Correo con el que inicia sesión (único, sin distinguir mayúsculas)';
COMMENT ON COLUMN pae.usuarios.nombre IS 'Nombre completo';
COMMENT ON COLUMN pae.usuarios.rol IS 'visitador, supervisor, coordinador, admin o bi';
COMMENT ON COLUMN pae.usuarios.activo IS 'Un usuario inactivo no puede actuar (42501)';
COMMENT ON COLUMN pae.usuarios.clave_hash IS 'Hash bcrypt de la contraseña (pgcrypto); nunca la contraseña';
COMMENT ON COLUMN pae.usuarios.login_db IS 'Rol de base de datos asociado a esta persona, para sesiones sin JWT';
COMMENT ON COLUMN pae.usuarios.creado_en IS 'Momento de creación';

CREATE TABLE pae.usuario_municipios (
    usuario     uuid NOT NULL REFERENCES pae.usuarios ON DELETE CASCADE,
    municipio   char(5) NOT NULL REFERENCES pae.municipios,
    PRIMARY KEY (usuario, municipio)
);
CREATE INDEX usuario_municipios_municipio_idx ON pae.usuario_municipios (municipio);
COMMENT ON TABLE pae.usuario_municipios IS 'Municipios a cargo de cada persona (alcance de un supervisor)';
COMMENT ON COLUMN pae.usuario_municipios.usuario IS 'Persona';
COMMENT ON COLUMN pae.usuario_municipios.municipio IS 'Municipio a su cargo';

CREATE TABLE pae.checklist_items (
    codigo      text PRIMARY KEY CHECK (codigo ~ '^[A-Z]{3}-[0-9]{2}$'),
    categoria   text NOT NULL
                CONSTRAINT checklist_items_categoria_valida
                CHECK (categoria IN ('raciones', 'menu', 'manipuladoras', 'infraestructura',
                                     'higiene', 'almacenamiento', 'calidad', 'visibilidad')),
    texto       text NOT NULL CHECK (btrim(texto) <> ''),
    obligatorio boolean NOT NULL DEFAULT false,
    peso        numeric(4,1) NOT NULL DEFAULT 1 CHECK (peso > 0),
    orden       integer NOT NULL DEFAULT 0,
    activo      boolean NOT NULL DEFAULT true
);
COMMENT ON TABLE pae.checklist_items IS 'Lista de chequeo del acta de visita PAE (Res. 29452 de 2017 y 335 de 2021)';
COMMENT ON COLUMN pae.checklist_items.codigo IS 'Código del ítem (HIG-01)';
COMMENT ON COLUMN pae.checklist_items.categoria IS 'raciones, menu, manipuladoras, infraestructura, higiene, almacenamiento, calidad o visibilidad';
COMMENT ON COLUMN pae.checklist_items.texto IS 'Lo que el visitador verifica';
COMMENT ON COLUMN pae.checklist_items.obligatorio IS 'Debe responderse para cerrar la visita';
COMMENT ON COLUMN pae.checklist_items.peso IS 'Peso del ítem en el puntaje de cumplimiento';
COMMENT ON COLUMN pae.checklist_items.orden IS 'Orden en el formulario';
COMMENT ON COLUMN pae.checklist_items.activo IS 'Los ítems retirados quedan para el histórico pero no se exigen';

-- Visits.  PostgreSQL has no global unique index over a partitioned table,
-- so pae.visitas_id registers every visit id once, whatever its month:
-- the visits trigger claims the id there (ON CONFLICT, so two sessions
-- racing for one id cannot both win), and child tables reference it.
CREATE TABLE pae.visitas_id (
    id              uuid PRIMARY KEY,
    fecha_visita    timestamptz NOT NULL
);
COMMENT ON TABLE pae.visitas_id IS 'Registro global de ids de visita (unicidad entre particiones y destino de las llaves foráneas)';
COMMENT ON COLUMN pae.visitas_id.id IS 'Id de la visita';
COMMENT ON COLUMN pae.visitas_id.fecha_visita IS 'fecha_visita actual de la visita, para ubicar su partición';

CREATE TABLE pae.visitas (
    id                      uuid NOT NULL DEFAULT gen_random_uuid(),
    sede                    char(12) NOT NULL REFERENCES pae.sedes,
    contrato                text NOT NULL REFERENCES pae.contratos,
    visitador               uuid NOT NULL REFERENCES pae.usuarios,
    fecha_visita            timestamptz NOT NULL,
    estado                  pae.estado_visita NOT NULL DEFAULT 'programada',
    checkin_lat             double precision,
    checkin_lon             double precision,
    checkin_precision_m     double precision,
    checkin_en              timestamptz,
    checkout_lat            double precision,
    checkout_lon            double precision,
    checkout_precision_m    double precision,
    checkout_en             timestamptz,
    distancia_m             double precision,
    dentro_geocerca         boolean,
    raciones_programadas    integer CHECK (raciones_programadas >= 0),
    raciones_entregadas     integer CHECK (raciones_entregadas >= 0),
    observaciones           text,
    motivo_estado           text,
    version                 integer NOT NULL DEFAULT 1,
    dispositivo             text,
    creada_en               timestamptz NOT NULL DEFAULT now(),
    actualizada_en          timestamptz NOT NULL DEFAULT now()
) PARTITION BY RANGE (fecha_visita);

-- Indexes live on each partition, not on the parent.  The parent belongs
-- to the extension; an index on it would be re-created automatically on
-- every partition pg_restore attaches, and then again by the dump's own
-- index definitions ("multiple primary keys").  pae.indexar_particion
-- gives each partition its indexes when it is created.
CREATE FUNCTION pae.indexar_particion(padre regclass, particion regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_nombre text;
    i        record;
BEGIN
    SELECT c.relname INTO v_nombre FROM pg_class c WHERE c.oid = particion;
    FOR i IN
        SELECT x.sufijo, x.unico, x.columnas
          FROM (VALUES ('pae.visitas'::regclass, 1, 'id_key',              true,  'id'),
                       ('pae.visitas'::regclass, 2, 'visitador_fecha_idx', false, 'visitador, fecha_visita'),
                       ('pae.visitas'::regclass, 3, 'sede_estado_idx',     false, 'sede, estado'),
                       ('pae.visitas'::regclass, 4, 'estado_fecha_idx',    false, 'estado, fecha_visita'),
                       ('pae.visitas'::regclass, 5, 'contrato_fecha_idx',  false, 'contrato, fecha_visita'))
               AS x(padre, orden, sufijo, unico, columnas)
         WHERE x.padre = indexar_particion.padre
         ORDER BY x.orden
    LOOP
        EXECUTE format('CREATE %s INDEX IF NOT EXISTS %I ON %s (%s)',
                       CASE WHEN i.unico THEN 'UNIQUE' ELSE '' END,
                       v_nombre || '_' || i.sufijo, particion, i.columnas);
        -- the unique key identifies the row (audit trail, logical replication)
        IF i.unico THEN
            EXECUTE format('ALTER TABLE %s REPLICA IDENTITY USING INDEX %I',
                           particion, v_nombre || '_' || i.sufijo);
        END IF;
    END LOOP;
END
$$;
COMMENT ON FUNCTION pae.indexar_particion(regclass, regclass) IS
    'Crea en una partición mensual los índices de su tabla (las tablas particionadas de pae_cauca no llevan índices en la tabla padre, para que pg_dump/pg_restore funcionen)';
REVOKE ALL ON FUNCTION pae.indexar_particion(regclass, regclass) FROM PUBLIC;

CREATE TABLE pae.visitas_default PARTITION OF pae.visitas DEFAULT;
SELECT pae.indexar_particion('pae.visitas', 'pae.visitas_default');
COMMENT ON TABLE pae.visitas_default IS 'Partición por defecto de visitas: pae.mantener_particiones mueve sus filas a la partición de su mes';

COMMENT ON TABLE pae.visitas IS 'Visitas de supervisión a sedes, particionadas por mes de fecha_visita';
COMMENT ON COLUMN pae.visitas.id IS 'Id de la visita (uuid generado por el dispositivo; único entre todas las particiones)';
COMMENT ON COLUMN pae.visitas.sede IS 'Sede visitada (código DANE)';
COMMENT ON COLUMN pae.visitas.contrato IS 'Contrato cuya operación se supervisa';
COMMENT ON COLUMN pae.visitas.visitador IS 'Visitador asignado';
COMMENT ON COLUMN pae.visitas.fecha_visita IS 'Fecha y hora planeada de la visita';
COMMENT ON COLUMN pae.visitas.estado IS 'Estado de la visita (pae.estado_visita)';
COMMENT ON COLUMN pae.visitas.checkin_lat IS 'Latitud del check-in';
COMMENT ON COLUMN pae.visitas.checkin_lon IS 'Longitud del check-in';
COMMENT ON COLUMN pae.visitas.checkin_precision_m IS 'Precisión informada por el GPS en el check-in (metros)';
COMMENT ON COLUMN pae.visitas.checkin_en IS 'Momento del check-in';
COMMENT ON COLUMN pae.visitas.checkout_lat IS 'Latitud del check-out';
COMMENT ON COLUMN pae.visitas.checkout_lon IS 'Longitud del check-out';
COMMENT ON COLUMN pae.visitas.checkout_precision_m IS 'Precisión informada por el GPS en el check-out (metros)';
COMMENT ON COLUMN pae.visitas.checkout_en IS 'Momento del check-out';
COMMENT ON COLUMN pae.visitas.distancia_m IS 'Distancia del check-in a la sede (metros, WGS84)';
COMMENT ON COLUMN pae.visitas.dentro_geocerca IS 'Si el check-in quedó dentro de la geocerca de la sede';
COMMENT ON COLUMN pae.visitas.raciones_programadas IS 'Raciones programadas para la sede ese día (por defecto las del contrato)';
COMMENT ON COLUMN pae.visitas.raciones_entregadas IS 'Raciones contadas como entregadas';
COMMENT ON COLUMN pae.visitas.observaciones IS 'Observaciones del visitador';
COMMENT ON COLUMN pae.visitas.motivo_estado IS 'Motivo del último cambio de estado (obligatorio al cancelar o devolver; se registra también en pae.transiciones)';
COMMENT ON COLUMN pae.visitas.version IS 'Versión de la fila; sube en cada cambio (sincronización sin pérdida de actualizaciones)';
COMMENT ON COLUMN pae.visitas.dispositivo IS 'Dispositivo que capturó o sincronizó la visita';
COMMENT ON COLUMN pae.visitas.creada_en IS 'Momento de creación';
COMMENT ON COLUMN pae.visitas.actualizada_en IS 'Momento del último cambio';
-- One visit a day (PV008): each non-cancelled visit claims its sede,
-- visitador and Colombian day here; the primary key arbitrates concurrent
-- claims (the visits trigger inserts with ON CONFLICT DO NOTHING).  Its
-- foreign key is checked at commit: an UPDATE that moves a visit to another
-- month releases and re-claims the visit's id in two steps.
CREATE TABLE pae.visitas_dia (
    sede        char(12) NOT NULL,
    visitador   uuid NOT NULL,
    dia         date NOT NULL,
    visita      uuid NOT NULL REFERENCES pae.visitas_id DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (sede, visitador, dia)
);
CREATE INDEX visitas_dia_visita_idx ON pae.visitas_dia (visita);
COMMENT ON TABLE pae.visitas_dia IS 'Día (hora de Colombia) que ocupa cada visita no cancelada de un visitador en una sede: garantiza una visita por sede, visitador y día (PV008)';
COMMENT ON COLUMN pae.visitas_dia.sede IS 'Sede visitada';
COMMENT ON COLUMN pae.visitas_dia.visitador IS 'Visitador asignado';
COMMENT ON COLUMN pae.visitas_dia.dia IS 'Día de fecha_visita en hora de Colombia';
COMMENT ON COLUMN pae.visitas_dia.visita IS 'Visita que ocupa ese día';

-- Where and when each visit was checked in, for the impossible-travel
-- alert (SPEC §5): the visits triggers keep here one row per visit whose
-- check-in is complete, equal to the visit's current checkin_lat,
-- checkin_lon and checkin_en, so that "the visitador's nearest check-in
-- before and after a moment" is two probes of one index instead of a
-- search through the visits' monthly partitions (src/checkins.c).
CREATE TABLE pae.visitas_checkin (
    visita      uuid PRIMARY KEY,
    visitador   uuid NOT NULL,
    en          timestamptz NOT NULL,
    lat         double precision NOT NULL,
    lon         double precision NOT NULL
);
CREATE INDEX visitas_checkin_visitador_en_idx ON pae.visitas_checkin (visitador, en);
COMMENT ON TABLE pae.visitas_checkin IS 'Check-in de cada visita que lo tiene, mantenido por los disparadores de pae.visitas para la alerta viaje_imposible';
COMMENT ON COLUMN pae.visitas_checkin.visita IS 'Visita';
COMMENT ON COLUMN pae.visitas_checkin.visitador IS 'Visitador asignado a la visita';
COMMENT ON COLUMN pae.visitas_checkin.en IS 'checkin_en de la visita';
COMMENT ON COLUMN pae.visitas_checkin.lat IS 'checkin_lat de la visita';
COMMENT ON COLUMN pae.visitas_checkin.lon IS 'checkin_lon de la visita';

-- What hangs off a visit.  Children reference pae.visitas_id, the global
-- registry of visit ids, because a partitioned pae.visitas cannot carry a
-- unique index on id alone.

CREATE TABLE pae.visita_respuestas (
    visita          uuid NOT NULL REFERENCES pae.visitas_id,
    item            text NOT NULL REFERENCES pae.checklist_items,
    valor           text NOT NULL
                    CONSTRAINT visita_respuestas_valor_valido CHECK (valor IN ('cumple', 'no_cumple', 'no_aplica')),
    observacion     text,
    respondida_en   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (visita, item)
);
CREATE INDEX visita_respuestas_item_idx ON pae.visita_respuestas (item);
COMMENT ON TABLE pae.visita_respuestas IS 'Respuestas de la lista de chequeo de cada visita';
COMMENT ON COLUMN pae.visita_respuestas.visita IS 'Visita';
COMMENT ON COLUMN pae.visita_respuestas.item IS 'Ítem de la lista de chequeo';
COMMENT ON COLUMN pae.visita_respuestas.valor IS 'cumple, no_cumple o no_aplica';
COMMENT ON COLUMN pae.visita_respuestas.observacion IS 'Observación del visitador sobre el ítem';
COMMENT ON COLUMN pae.visita_respuestas.respondida_en IS 'Momento en que se registró la respuesta';

CREATE TABLE pae.evidencias (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    visita      uuid NOT NULL REFERENCES pae.visitas_id DEFERRABLE INITIALLY DEFERRED,
    tipo        text NOT NULL CONSTRAINT evidencias_tipo_valido CHECK (tipo IN ('foto', 'firma', 'documento')),
    sha256      text NOT NULL CONSTRAINT evidencias_sha256_hex CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    bytes       bigint NOT NULL CHECK (bytes > 0),
    mime        text NOT NULL CHECK (mime ~ '^[a-z]+/[a-z0-9.+-]+$'),
    lat         double precision,
    lon         double precision,
    tomada_en   timestamptz,
    uri         text,
    creada_en   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX evidencias_visita_idx ON pae.evidencias (visita);
CREATE INDEX evidencias_sha256_idx ON pae.evidencias (sha256);
COMMENT ON TABLE pae.evidencias IS 'Metadatos de fotos, firmas y documentos de una visita (los archivos viven fuera de la base)';
COMMENT ON COLUMN pae.evidencias.id IS 'Id de la evidencia (uuid del dispositivo)';
COMMENT ON COLUMN pae.evidencias.visita IS 'Visita';
COMMENT ON COLUMN pae.evidencias.tipo IS 'foto, firma o documento';
COMMENT ON COLUMN pae.evidencias.sha256 IS 'SHA-256 del archivo en hexadecimal (minúsculas)';
COMMENT ON COLUMN pae.evidencias.bytes IS 'Tamaño del archivo en bytes';
COMMENT ON COLUMN pae.evidencias.mime IS 'Tipo MIME (image/jpeg)';
COMMENT ON COLUMN pae.evidencias.lat IS 'Latitud donde se tomó';
COMMENT ON COLUMN pae.evidencias.lon IS 'Longitud donde se tomó';
COMMENT ON COLUMN pae.evidencias.tomada_en IS 'Momento en que se tomó';
COMMENT ON COLUMN pae.evidencias.uri IS 'Ubicación del archivo en el almacenamiento externo';
COMMENT ON COLUMN pae.evidencias.creada_en IS 'Momento en que se registró';

CREATE TABLE pae.transiciones (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    visita      uuid NOT NULL REFERENCES pae.visitas_id DEFERRABLE INITIALLY DEFERRED,
    desde       pae.estado_visita NOT NULL,
    hacia       pae.estado_visita NOT NULL,
    actor       uuid REFERENCES pae.usuarios,
    rol_db      name NOT NULL DEFAULT current_user,
    en          timestamptz NOT NULL DEFAULT now(),
    motivo      text,
    CHECK (desde <> hacia)
);
CREATE INDEX transiciones_visita_idx ON pae.transiciones (visita, id);
COMMENT ON TABLE pae.transiciones IS 'Historia de estados de cada visita: una fila por transición';
COMMENT ON COLUMN pae.transiciones.id IS 'Orden de la transición';
COMMENT ON COLUMN pae.transiciones.visita IS 'Visita';
COMMENT ON COLUMN pae.transiciones.desde IS 'Estado anterior';
COMMENT ON COLUMN pae.transiciones.hacia IS 'Estado nuevo';
COMMENT ON COLUMN pae.transiciones.actor IS 'Persona que hizo la transición (NULL: mantenimiento sin identidad)';
COMMENT ON COLUMN pae.transiciones.rol_db IS 'Rol de base de datos de la sesión';
COMMENT ON COLUMN pae.transiciones.en IS 'Momento de la transición';
COMMENT ON COLUMN pae.transiciones.motivo IS 'Motivo (obligatorio para cancelar o devolver)';

CREATE TABLE pae.alertas (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    visita          uuid NOT NULL REFERENCES pae.visitas_id,
    tipo            text NOT NULL CHECK (tipo ~ '^[a-z_]+$'),
    detalle         jsonb NOT NULL DEFAULT '{}',
    detectada_en    timestamptz NOT NULL DEFAULT now(),
    cerrada_en      timestamptz,
    UNIQUE (visita, tipo)
);
CREATE INDEX alertas_abiertas_idx ON pae.alertas (detectada_en) WHERE cerrada_en IS NULL;
COMMENT ON TABLE pae.alertas IS 'Señales de fraude y de cumplimiento: fuera_geocerca, viaje_imposible, raciones_faltantes, duracion_sospechosa, foto_reutilizada';
COMMENT ON COLUMN pae.alertas.id IS 'Id de la alerta';
COMMENT ON COLUMN pae.alertas.visita IS 'Visita que generó la señal';
COMMENT ON COLUMN pae.alertas.tipo IS 'Tipo de señal';
COMMENT ON COLUMN pae.alertas.detalle IS 'Datos que explican la señal (distancias, velocidades, conteos)';
COMMENT ON COLUMN pae.alertas.detectada_en IS 'Momento de detección';
COMMENT ON COLUMN pae.alertas.cerrada_en IS 'Momento en que un supervisor la dio por revisada (NULL: abierta)';

CREATE TABLE pae.eventos (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tipo        text NOT NULL,
    visita      uuid,
    payload     jsonb NOT NULL DEFAULT '{}',
    creado_en   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX eventos_creado_en_idx ON pae.eventos USING brin (creado_en);
COMMENT ON TABLE pae.eventos IS 'Bandeja de salida de eventos (outbox); cada fila se anuncia con NOTIFY pae_eventos al confirmar';
COMMENT ON COLUMN pae.eventos.id IS 'Id creciente: los consumidores retoman desde el último id leído';
COMMENT ON COLUMN pae.eventos.tipo IS 'Tipo de evento (visita.en_curso, visita.aprobada, sincronizacion, ...)';
COMMENT ON COLUMN pae.eventos.visita IS 'Visita del evento, si aplica';
COMMENT ON COLUMN pae.eventos.payload IS 'Datos del evento';
COMMENT ON COLUMN pae.eventos.creado_en IS 'Momento del evento';
-- The 42 municipios of Cauca, generated from data/cauca_municipios.csv
-- (DANE DIVIPOLA codes and names; cabecera coordinates good to a few
-- hundred metres).  Regenerate with: tools/municipios_sql.sh > sql/install/30-municipios.sql

INSERT INTO pae.municipios (codigo, nombre, ubicacion) VALUES
    ('19001', 'Popayán', ST_SetSRID(ST_MakePoint(-76.612800, 2.444200), 4326)::geography),
    ('19022', 'Almaguer', ST_SetSRID(ST_MakePoint(-76.855924, 1.913360), 4326)::geography),
    ('19050', 'Argelia', ST_SetSRID(ST_MakePoint(-77.249450, 2.256755), 4326)::geography),
    ('19075', 'Balboa', ST_SetSRID(ST_MakePoint(-77.215898, 2.040479), 4326)::geography),
    ('19100', 'Bolívar', ST_SetSRID(ST_MakePoint(-76.966312, 1.837416), 4326)::geography),
    ('19110', 'Buenos Aires', ST_SetSRID(ST_MakePoint(-76.642281, 3.015427), 4326)::geography),
    ('19130', 'Cajibío', ST_SetSRID(ST_MakePoint(-76.570884, 2.623338), 4326)::geography),
    ('19137', 'Caldono', ST_SetSRID(ST_MakePoint(-76.484448, 2.798131), 4326)::geography),
    ('19142', 'Caloto', ST_SetSRID(ST_MakePoint(-76.408487, 3.034071), 4326)::geography),
    ('19212', 'Corinto', ST_SetSRID(ST_MakePoint(-76.261314, 3.173815), 4326)::geography),
    ('19256', 'El Tambo', ST_SetSRID(ST_MakePoint(-76.810772, 2.451371), 4326)::geography),
    ('19290', 'Florencia', ST_SetSRID(ST_MakePoint(-77.072534, 1.682522), 4326)::geography),
    ('19300', 'Guachené', ST_SetSRID(ST_MakePoint(-76.392189, 3.134153), 4326)::geography),
    ('19318', 'Guapí', ST_SetSRID(ST_MakePoint(-77.888033, 2.572918), 4326)::geography),
    ('19355', 'Inzá', ST_SetSRID(ST_MakePoint(-76.063503, 2.549183), 4326)::geography),
    ('19364', 'Jambaló', ST_SetSRID(ST_MakePoint(-76.323878, 2.777837), 4326)::geography),
    ('19392', 'La Sierra', ST_SetSRID(ST_MakePoint(-76.763209, 2.179322), 4326)::geography),
    ('19397', 'La Vega', ST_SetSRID(ST_MakePoint(-76.778897, 2.001109), 4326)::geography),
    ('19418', 'López de Micay', ST_SetSRID(ST_MakePoint(-77.247692, 2.846716), 4326)::geography),
    ('19450', 'Mercaderes', ST_SetSRID(ST_MakePoint(-77.165844, 1.775772), 4326)::geography),
    ('19455', 'Miranda', ST_SetSRID(ST_MakePoint(-76.228870, 3.253095), 4326)::geography),
    ('19473', 'Morales', ST_SetSRID(ST_MakePoint(-76.629221, 2.754559), 4326)::geography),
    ('19513', 'Padilla', ST_SetSRID(ST_MakePoint(-76.313291, 3.220854), 4326)::geography),
    ('19517', 'Páez', ST_SetSRID(ST_MakePoint(-75.971965, 2.641367), 4326)::geography),
    ('19532', 'Patía', ST_SetSRID(ST_MakePoint(-76.980979, 2.115670), 4326)::geography),
    ('19533', 'Piamonte', ST_SetSRID(ST_MakePoint(-76.325764, 1.117198), 4326)::geography),
    ('19548', 'Piendamó - Tunía', ST_SetSRID(ST_MakePoint(-76.528506, 2.641988), 4326)::geography),
    ('19573', 'Puerto Tejada', ST_SetSRID(ST_MakePoint(-76.417308, 3.233294), 4326)::geography),
    ('19585', 'Puracé', ST_SetSRID(ST_MakePoint(-76.495639, 2.342644), 4326)::geography),
    ('19622', 'Rosas', ST_SetSRID(ST_MakePoint(-76.740352, 2.260980), 4326)::geography),
    ('19693', 'San Sebastián', ST_SetSRID(ST_MakePoint(-76.769332, 1.838374), 4326)::geography),
    ('19698', 'Santander de Quilichao', ST_SetSRID(ST_MakePoint(-76.485370, 3.016054), 4326)::geography),
    ('19701', 'Santa Rosa', ST_SetSRID(ST_MakePoint(-76.573973, 1.702420), 4326)::geography),
    ('19743', 'Silvia', ST_SetSRID(ST_MakePoint(-76.379570, 2.611816), 4326)::geography),
    ('19760', 'Sotará', ST_SetSRID(ST_MakePoint(-76.613298, 2.253134), 4326)::geography),
    ('19780', 'Suárez', ST_SetSRID(ST_MakePoint(-76.693447, 2.959702), 4326)::geography),
    ('19785', 'Sucre', ST_SetSRID(ST_MakePoint(-76.926277, 2.038251), 4326)::geography),
    ('19807', 'Timbío', ST_SetSRID(ST_MakePoint(-76.684239, 2.349976), 4326)::geography),
    ('19809', 'Timbiquí', ST_SetSRID(ST_MakePoint(-77.667565, 2.777414), 4326)::geography),
    ('19821', 'Toribío', ST_SetSRID(ST_MakePoint(-76.271127, 2.951450), 4326)::geography),
    ('19824', 'Totoró', ST_SetSRID(ST_MakePoint(-76.402443, 2.510229), 4326)::geography),
    ('19845', 'Villa Rica', ST_SetSRID(ST_MakePoint(-76.457873, 3.177578), 4326)::geography);
-- The inspection checklist of a PAE visit (acta de visita), after MEN
-- Resolución 29452 de 2017 and UApA Resolución 335 de 2021 (anexos Técnico
-- Administrativo y Financiero, y Calidad e Inocuidad).  Each item is
-- answered cumple / no_cumple / no_aplica.  Mandatory items must be answered
-- before a visit can be closed; the weight feeds the compliance score.

INSERT INTO pae.checklist_items (codigo, categoria, texto, obligatorio, peso, orden) VALUES
    ('RAC-01', 'raciones', 'Las raciones entregadas corresponden a las adjudicadas para la modalidad (RPS, RI o CCT) y el tipo de complemento', true, 3, 10),
    ('RAC-02', 'raciones', 'Las devoluciones y novedades de raciones están registradas y justificadas en el formato de entrega', true, 2, 11),
    ('RAC-03', 'raciones', 'El registro diario de titulares de derecho atendidos está diligenciado y firmado por el rector o su delegado', true, 2, 12),
    ('RAC-04', 'raciones', 'El horario de entrega de cada complemento (jornada mañana, jornada tarde, almuerzo) se cumple', false, 1, 13),
    ('MEN-01', 'menu', 'El menú servido corresponde al ciclo de menús aprobado para el día', true, 3, 20),
    ('MEN-02', 'menu', 'La minuta está publicada en un lugar visible para los estudiantes', false, 1, 21),
    ('MEN-03', 'menu', 'Los componentes y gramajes servidos cumplen la minuta patrón por grupo de edad', true, 3, 22),
    ('MEN-04', 'menu', 'Si se sirvió menú de contingencia, está autorizado y su motivo documentado', false, 1, 23),
    ('MAN-01', 'manipuladoras', 'El número de manipuladoras corresponde a lo exigido por la norma para las raciones servidas', true, 2, 30),
    ('MAN-02', 'manipuladoras', 'Cada manipuladora tiene certificado vigente de manipulación de alimentos', true, 3, 31),
    ('MAN-03', 'manipuladoras', 'Cada manipuladora tiene certificado médico vigente de aptitud para manipular alimentos', true, 2, 32),
    ('MAN-04', 'manipuladoras', 'Las manipuladoras portan la dotación completa (gorro, tapabocas, delantal, calzado cerrado) y no usan joyas', true, 2, 33),
    ('INF-01', 'infraestructura', 'Existen áreas separadas de recibo, almacenamiento, preparación, comedor, lavado y residuos', true, 2, 40),
    ('INF-02', 'infraestructura', 'Pisos, paredes y techos están en buen estado, limpios y son de material sanitario', false, 1, 41),
    ('INF-03', 'infraestructura', 'Las ventanas y aberturas tienen malla antiinsectos', false, 1, 42),
    ('INF-04', 'infraestructura', 'Hay suministro de agua potable suficiente durante la preparación y el servicio', true, 3, 43),
    ('INF-05', 'infraestructura', 'Hay energía eléctrica, alcantarillado o pozo séptico y gas o combustible seguro', false, 1, 44),
    ('INF-06', 'infraestructura', 'El comedor tiene mesas y sillas suficientes y en buen estado para los estudiantes atendidos', false, 1, 45),
    ('HIG-01', 'higiene', 'El plan de saneamiento básico (limpieza y desinfección, residuos, plagas, agua) está documentado y se aplica', true, 3, 50),
    ('HIG-02', 'higiene', 'Los baños y lavamanos están limpios y dotados de jabón y toallas', true, 2, 51),
    ('HIG-03', 'higiene', 'Hay barreras físicas y registros de control de plagas vigentes', false, 1, 52),
    ('HIG-04', 'higiene', 'El concepto sanitario de la autoridad de salud es favorable o favorable con requerimientos', true, 3, 53),
    ('HIG-05', 'higiene', 'Los residuos sólidos se separan y disponen en recipientes con tapa', false, 1, 54),
    ('ALM-01', 'almacenamiento', 'Cada alimento está rotulado con lote, fecha de vencimiento y registro sanitario INVIMA', true, 3, 60),
    ('ALM-02', 'almacenamiento', 'No hay alimentos vencidos, deteriorados o sin rotular', true, 3, 61),
    ('ALM-03', 'almacenamiento', 'Los alimentos perecederos se mantienen en cadena de frío con registro de temperaturas', true, 3, 62),
    ('ALM-04', 'almacenamiento', 'Los alimentos se almacenan sobre estibas, separados de paredes y de productos químicos', false, 1, 63),
    ('CAL-01', 'calidad', 'Se toman y conservan muestras y contramuestras de los alimentos servidos', true, 2, 70),
    ('CAL-02', 'calidad', 'No hay alertas ni casos de enfermedad transmitida por alimentos sin reportar', true, 3, 71),
    ('CAL-03', 'calidad', 'Las características organolépticas (olor, color, textura, temperatura) de lo servido son adecuadas', false, 1, 72),
    ('VIS-01', 'visibilidad', 'Hay señalización visible del Programa de Alimentación Escolar en la sede', false, 1, 80),
    ('VIS-02', 'visibilidad', 'El horario de atención del comedor está publicado', false, 1, 81),
    ('VIS-03', 'visibilidad', 'El Comité de Alimentación Escolar (CAE) está conformado y activo, con actas recientes', false, 1, 82);
-- Geofence (SPEC §4).  C functions on plain float8; the geography
-- overloads are SQL wrappers so the library never links PostGIS.
--
-- search_path: the C functions here and in later fragments carry no SET
-- clause on purpose (it would cost a GUC save/restore per call on the hot
-- path); every query they run through SPI schema-qualifies its tables,
-- functions, operators and types instead.  SQL and PL/pgSQL functions pin
-- search_path.  SQL functions use BEGIN ATOMIC bodies: names are bound
-- when the install script runs (PostGIS's schema is on its search_path
-- then), not at call time, so no later search_path can redirect them.

CREATE FUNCTION pae.distancia_m(lat1 double precision, lon1 double precision,
                                lat2 double precision, lon2 double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'pae_distancia_m'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pae.distancia_m(double precision, double precision, double precision, double precision) IS
    'Distancia en metros sobre el elipsoide WGS84 entre (lat1, lon1) y (lat2, lon2), en grados. Dentro del 0,1 % de ST_Distance(geography) y de 0,5 m bajo 2 km. Coordenadas NaN, infinitas o fuera de rango: PV005';

CREATE FUNCTION pae.evaluar_geocerca(sede text, lat double precision, lon double precision,
                                     precision_m double precision DEFAULT NULL,
                                     OUT distancia_m double precision,
                                     OUT radio_m double precision,
                                     OUT dentro boolean)
RETURNS record
AS 'MODULE_PATHNAME', 'pae_evaluar_geocerca'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION pae.evaluar_geocerca(text, double precision, double precision, double precision) IS
    'Evalúa una captura GPS contra la geocerca de la sede: distancia_m, radio_m y dentro (distancia_m <= radio_m + LEAST(COALESCE(precision_m, 0), 100)). Sede desconocida: PV004; coordenadas o precisión inválidas (negativa, NaN o mayor de 5000 m): PV005';

CREATE FUNCTION pae.evaluar_geocerca(sede text, punto geography,
                                     precision_m double precision DEFAULT NULL,
                                     OUT distancia_m double precision,
                                     OUT radio_m double precision,
                                     OUT dentro boolean)
RETURNS record
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT g.distancia_m, g.radio_m, g.dentro
      FROM pae.evaluar_geocerca(sede,
                                ST_Y(punto::geometry),
                                ST_X(punto::geometry),
                                precision_m) AS g;
END;
COMMENT ON FUNCTION pae.evaluar_geocerca(text, geography, double precision) IS
    'Como pae.evaluar_geocerca(sede, lat, lon, precision_m) con la captura como punto geography (WGS84)';

CREATE FUNCTION pae.distancia_m(a geography, b geography)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT pae.distancia_m(ST_Y(a::geometry),
                           ST_X(a::geometry),
                           ST_Y(b::geometry),
                           ST_X(b::geometry));
END;
COMMENT ON FUNCTION pae.distancia_m(geography, geography) IS
    'Como pae.distancia_m(lat1, lon1, lat2, lon2) entre dos puntos geography (WGS84)';
-- People and the acting person (SPEC §5, §10)

CREATE FUNCTION pae.usuario_actual()
RETURNS uuid
AS 'MODULE_PATHNAME', 'pae_usuario_actual_sql'
LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION pae.usuario_actual() IS
    'Persona que actúa: el claim sub de request.jwt.claims si la sesión la abrió el rol autenticador de PostgREST (pae.rol_autenticador) o un superusuario; si no, el usuario cuyo login_db es current_user; NULL si no hay ninguno';

-- The backend caches what pae.usuarios says of the acting session for the
-- rest of the transaction; every statement that writes the table makes that
-- cache stale.
CREATE FUNCTION pae.tg_usuarios_cambio()
RETURNS trigger
AS 'MODULE_PATHNAME', 'pae_tg_usuarios_cambio'
LANGUAGE C;
COMMENT ON FUNCTION pae.tg_usuarios_cambio() IS
    'Disparador AFTER ... FOR EACH STATEMENT de pae.usuarios: invalida lo que la sesión guardó de las personas (quién actúa, su rol, si está activa)';
CREATE TRIGGER usuarios_cambio
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON pae.usuarios
    FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_usuarios_cambio();

-- bcrypt through pgcrypto; BEGIN ATOMIC binds crypt/gen_salt at install
-- time, in whatever schema pgcrypto was installed.
CREATE FUNCTION pae.hash_clave(clave text)
RETURNS text
LANGUAGE sql VOLATILE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT crypt(clave, gen_salt('bf', 10));
END;
COMMENT ON FUNCTION pae.hash_clave(text) IS 'Hash bcrypt (costo 10) de una contraseña, con pgcrypto';

CREATE FUNCTION pae.verificar_clave(clave text, hash text)
RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT crypt(clave, hash) = hash;
END;
COMMENT ON FUNCTION pae.verificar_clave(text, text) IS 'Verdadero si la contraseña corresponde al hash bcrypt';

CREATE FUNCTION pae.crear_usuario(correo text, nombre text, rol text, clave text,
                                  municipios char(5)[] DEFAULT '{}')
RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id        uuid;
    v_faltantes text;
BEGIN
    IF correo IS NULL OR correo !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' THEN
        RAISE EXCEPTION 'correo inválido: "%"', correo
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'El correo debe tener la forma usuario@dominio.tld.',
                  HINT = 'Escriba el correo institucional de la persona.';
    END IF;
    IF nombre IS NULL OR btrim(nombre) = '' THEN
        RAISE EXCEPTION 'nombre vacío'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'El nombre completo de la persona es obligatorio.',
                  HINT = 'Escriba nombres y apellidos.';
    END IF;
    IF rol IS NULL OR rol NOT IN ('visitador', 'supervisor', 'coordinador', 'admin', 'bi') THEN
        RAISE EXCEPTION 'rol inválido: "%"', rol
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Los roles son visitador, supervisor, coordinador, admin y bi.',
                  HINT = 'Use uno de esos roles.';
    END IF;
    IF clave IS NULL OR length(clave) < 10 THEN
        RAISE EXCEPTION 'contraseña débil: tiene % caracteres', coalesce(length(clave), 0)
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Las contraseñas deben tener al menos 10 caracteres.',
                  HINT = 'Use una frase de paso de 10 caracteres o más.';
    END IF;
    IF EXISTS (SELECT 1 FROM pae.usuarios u WHERE lower(u.correo) = lower(crear_usuario.correo)) THEN
        RAISE EXCEPTION 'ya existe un usuario con el correo "%"', correo
            USING ERRCODE = 'unique_violation',
                  DETAIL = 'Los correos son únicos, sin distinguir mayúsculas.',
                  HINT = 'Use otro correo o reactive el usuario existente.';
    END IF;
    SELECT string_agg(m, ', ') INTO v_faltantes
      FROM unnest(coalesce(municipios, '{}'::char(5)[])) AS m
     WHERE NOT EXISTS (SELECT 1 FROM pae.municipios x WHERE x.codigo = m);
    IF v_faltantes IS NOT NULL THEN
        RAISE EXCEPTION 'municipios desconocidos: %', v_faltantes
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = 'Los municipios se indican con su código DANE de 5 dígitos (19001 es Popayán).',
                  HINT = 'Consulte pae.municipios.';
    END IF;

    INSERT INTO pae.usuarios (correo, nombre, rol, clave_hash)
    VALUES (correo, btrim(nombre), rol, pae.hash_clave(clave))
    RETURNING id INTO v_id;
    INSERT INTO pae.usuario_municipios (usuario, municipio)
    SELECT DISTINCT v_id, m FROM unnest(coalesce(municipios, '{}'::char(5)[])) AS m;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION pae.crear_usuario(text, text, text, text, char(5)[]) IS
    'Crea una persona (solo administradores: rol pae_admin) con contraseña bcrypt y sus municipios a cargo; devuelve su id. Contraseñas de menos de 10 caracteres se rechazan';
REVOKE ALL ON FUNCTION pae.crear_usuario(text, text, text, text, char(5)[]) FROM PUBLIC;
-- Visit rules (SPEC §5): C triggers on pae.visitas, and the rules of what
-- hangs off a visit.

CREATE FUNCTION pae.tg_visitas_antes()
RETURNS trigger
AS 'MODULE_PATHNAME', 'pae_tg_visitas_antes'
LANGUAGE C;
COMMENT ON FUNCTION pae.tg_visitas_antes() IS
    'Disparador BEFORE de pae.visitas: valida sede, contrato, fechas, coordenadas y duplicados, evalúa la geocerca del check-in y aplica la máquina de estados';

CREATE FUNCTION pae.tg_visitas_despues()
RETURNS trigger
AS 'MODULE_PATHNAME', 'pae_tg_visitas_despues'
LANGUAGE C;
COMMENT ON FUNCTION pae.tg_visitas_despues() IS
    'Disparador AFTER UPDATE de pae.visitas: registra la transición, el evento (NOTIFY pae_eventos) y las alertas, y mantiene pae.visitas_checkin';

CREATE TRIGGER visitas_antes
    BEFORE INSERT OR UPDATE OR DELETE ON pae.visitas
    FOR EACH ROW EXECUTE FUNCTION pae.tg_visitas_antes();
CREATE TRIGGER visitas_despues
    AFTER UPDATE OF estado, visitador, checkin_lat, checkin_lon, checkin_en ON pae.visitas
    FOR EACH ROW EXECUTE FUNCTION pae.tg_visitas_despues();

-- Answers and evidence: only while the visit is being done (en_curso) or
-- corrected (devuelta); evidence coordinates and times are validated like a
-- visit's; a photo whose sha256 was already used on another visit raises a
-- foto_reutilizada alert on both visits.
CREATE FUNCTION pae.tg_hijos_visita()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_visita uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.visita ELSE NEW.visita END;
    v_estado pae.estado_visita;
BEGIN
    SELECT v.estado INTO v_estado
      FROM pae.visitas_id r JOIN pae.visitas v ON v.id = r.id AND v.fecha_visita = r.fecha_visita
     WHERE r.id = v_visita;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'visita desconocida: %', v_visita
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = 'No existe una visita con ese id.',
                  HINT = 'Cree o sincronice la visita antes de registrar respuestas o evidencias.';
    END IF;
    IF v_estado NOT IN ('en_curso', 'devuelta') THEN
        RAISE EXCEPTION 'la visita % está en estado % y no admite cambios en %', v_visita, v_estado, TG_TABLE_NAME
            USING ERRCODE = 'PV002',
                  DETAIL = 'Respuestas y evidencias se registran mientras la visita está en_curso o devuelta.',
                  HINT = 'Inicie la visita (check-in) o, si fue cerrada, espere a que el supervisor la devuelva.';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF TG_TABLE_NAME = 'evidencias' THEN
        IF (NEW.lat IS NULL) <> (NEW.lon IS NULL) THEN
            RAISE EXCEPTION 'coordenadas incompletas en la evidencia'
                USING ERRCODE = 'PV005',
                      DETAIL = 'Se recibió solo una de latitud y longitud.',
                      HINT = 'Envíe latitud y longitud juntas, o ninguna.';
        END IF;
        IF NEW.lat IS NOT NULL THEN
            PERFORM pae.distancia_m(NEW.lat, NEW.lon, NEW.lat, NEW.lon);  -- PV005 on bad input
        END IF;
        IF NEW.tomada_en > clock_timestamp() + interval '10 minutes' THEN
            RAISE EXCEPTION 'evidencia tomada en el futuro: %', NEW.tomada_en
                USING ERRCODE = 'PV006',
                      DETAIL = 'tomada_en es posterior en más de 10 minutos a la hora del servidor.',
                      HINT = 'Corrija la fecha y hora del dispositivo y sincronice de nuevo.';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION pae.tg_hijos_visita() IS
    'Disparador de respuestas y evidencias: solo con la visita en_curso o devuelta; valida coordenadas (PV005) y tiempos (PV006)';

CREATE TRIGGER visita_respuestas_reglas
    BEFORE INSERT OR UPDATE OR DELETE ON pae.visita_respuestas
    FOR EACH ROW EXECUTE FUNCTION pae.tg_hijos_visita();
CREATE TRIGGER evidencias_reglas
    BEFORE INSERT OR UPDATE OR DELETE ON pae.evidencias
    FOR EACH ROW EXECUTE FUNCTION pae.tg_hijos_visita();

-- SECURITY DEFINER: the search must see every visit's evidence (not only
-- the caller's, under row-level security) and the alert is bookkeeping
-- clients cannot write.
CREATE FUNCTION pae.tg_foto_reutilizada()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT e.visita, e.id FROM pae.evidencias e
              WHERE e.sha256 = NEW.sha256 AND e.visita <> NEW.visita
              ORDER BY e.creada_en, e.id
    LOOP
        INSERT INTO pae.alertas AS a (visita, tipo, detalle)
        VALUES (NEW.visita, 'foto_reutilizada',
                jsonb_build_object('sha256', NEW.sha256, 'evidencia', NEW.id,
                                   'otra_visita', r.visita, 'otra_evidencia', r.id)),
               (r.visita, 'foto_reutilizada',
                jsonb_build_object('sha256', NEW.sha256, 'evidencia', r.id,
                                   'otra_visita', NEW.visita, 'otra_evidencia', NEW.id))
        ON CONFLICT (visita, tipo) DO UPDATE
            SET detalle = EXCLUDED.detalle, detectada_en = now(), cerrada_en = NULL;
        EXIT;
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION pae.tg_foto_reutilizada() IS
    'Disparador AFTER INSERT de evidencias: la misma huella sha256 en dos visitas distintas genera la alerta foto_reutilizada en ambas';
CREATE TRIGGER evidencias_foto_reutilizada
    AFTER INSERT OR UPDATE OF sha256 ON pae.evidencias
    FOR EACH ROW EXECUTE FUNCTION pae.tg_foto_reutilizada();

CREATE FUNCTION pae.transicion(visita uuid, a pae.estado_visita, motivo text DEFAULT NULL,
                               lat double precision DEFAULT NULL, lon double precision DEFAULT NULL,
                               precision_m double precision DEFAULT NULL)
RETURNS pae.visitas
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
-- The UPDATE below names one visit by (id, fecha_visita): a generic plan
-- prunes to its partition when it starts, where a custom plan (PL/pgSQL's
-- choice for a partitioned table) would be planned again on every call.
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    v_fecha timestamptz;
    v_fila  pae.visitas;
BEGIN
    IF visita IS NULL OR a IS NULL THEN
        RAISE EXCEPTION 'visita y estado destino son obligatorios'
            USING ERRCODE = 'PV002',
                  DETAIL = 'pae.transicion recibió NULL en visita o en el estado destino.',
                  HINT = 'Indique el id de la visita y el estado al que pasa.';
    END IF;
    -- nobody, and not privileged: 42501 before anything about the visit
    IF pae.usuario_actual() IS NULL
       AND NOT (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = current_user)
       AND NOT pg_has_role('pae_admin', 'USAGE')
       AND NOT pg_has_role((SELECT e.extowner FROM pg_extension e WHERE e.extname = 'pae_cauca'), 'USAGE') THEN
        RAISE EXCEPTION 'sesión sin usuario identificado no puede cambiar el estado de visitas'
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = format('La sesión no trae un JWT de confianza ni su rol "%s" está asociado a una persona en pae.usuarios.login_db.', current_user),
                  HINT = 'Inicie sesión con pae_api.login, o asocie el rol a una persona (pae.usuarios.login_db).';
    END IF;
    SELECT r.fecha_visita INTO v_fecha FROM pae.visitas_id r WHERE r.id = transicion.visita;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'visita desconocida: %', visita
            USING ERRCODE = 'no_data_found',
                  DETAIL = 'No existe una visita con ese id (o la sesión no puede verla).',
                  HINT = 'Revise el id o sincronice la visita primero.';
    END IF;
    UPDATE pae.visitas v
       SET estado = a,
           motivo_estado = coalesce(transicion.motivo, v.motivo_estado),
           checkin_lat = CASE WHEN a = 'en_curso' THEN lat ELSE v.checkin_lat END,
           checkin_lon = CASE WHEN a = 'en_curso' THEN lon ELSE v.checkin_lon END,
           checkin_precision_m = CASE WHEN a = 'en_curso' THEN precision_m ELSE v.checkin_precision_m END,
           checkin_en = CASE WHEN a = 'en_curso' AND lat IS NOT NULL THEN clock_timestamp() ELSE v.checkin_en END,
           checkout_lat = CASE WHEN a = 'cerrada' AND lat IS NOT NULL THEN lat ELSE v.checkout_lat END,
           checkout_lon = CASE WHEN a = 'cerrada' AND lat IS NOT NULL THEN lon ELSE v.checkout_lon END,
           checkout_precision_m = CASE WHEN a = 'cerrada' AND lat IS NOT NULL THEN precision_m ELSE v.checkout_precision_m END,
           checkout_en = CASE WHEN a = 'cerrada' AND lat IS NOT NULL THEN clock_timestamp() ELSE v.checkout_en END
     WHERE v.id = transicion.visita AND v.fecha_visita = v_fecha
       AND v.estado IS DISTINCT FROM a
    RETURNING * INTO v_fila;
    IF NOT FOUND THEN
        -- already there (perhaps moved there by a concurrent request)?
        IF EXISTS (SELECT 1 FROM pae.visitas v
                    WHERE v.id = transicion.visita AND v.fecha_visita = v_fecha AND v.estado = a) THEN
            RAISE EXCEPTION 'transición no permitida: % -> %', a, a
                USING ERRCODE = 'PV002',
                      DETAIL = format('Visita %s: ya está en estado %s.', visita, a),
                      HINT = 'Consulte el estado actual de la visita antes de moverla.';
        END IF;
        RAISE EXCEPTION 'visita desconocida: %', visita
            USING ERRCODE = 'no_data_found',
                  DETAIL = 'La visita no existe o la sesión no puede modificarla.',
                  HINT = 'Revise el id de la visita y sus permisos.';
    END IF;
    RETURN v_fila;
END
$$;
COMMENT ON FUNCTION pae.transicion(uuid, pae.estado_visita, text, double precision, double precision, double precision) IS
    'Mueve una visita de estado: en_curso registra el check-in (lat, lon, precision_m) y evalúa la geocerca; cerrada registra el check-out; cancelada y devuelta exigen motivo. Devuelve la fila actualizada. Errores: PV001, PV002, PV003, PV005, PV006, 42501';
-- Audit trail (SPEC §6): a C row trigger on every business table writes
-- pae.auditoria; the trail is append-only (PV009, for the owner too); each
-- row carries the SHA-256 of its canonical bytes, and pae.sellar_auditoria()
-- chains the rows into pae.auditoria_sellos without serializing writers.

-- The C trigger is the only writer (clients hold no INSERT privilege), and
-- it guarantees what CHECK constraints would (operation one of INSERT,
-- UPDATE, DELETE; antes NULL exactly for INSERT, despues NULL exactly for
-- DELETE; a 32-byte hash): a CHECK costs every audited write a parse of its
-- expression.  Anything written behind the trigger's back is caught by
-- pae.verificar_auditoria instead.  Likewise ids are unique by
-- construction (the identity sequence) and found through a BRIN index, as
-- they grow with insertion order; a duplicate id shows up as a seal whose
-- row count no longer matches.
CREATE TABLE pae.auditoria (
    id          bigint GENERATED ALWAYS AS IDENTITY,
    en          timestamptz NOT NULL,
    xid         xid8 NOT NULL,
    tabla       text NOT NULL,
    operacion   text NOT NULL,
    pk          jsonb,
    antes       jsonb,
    despues     jsonb,
    actor       uuid,
    rol_db      text NOT NULL,
    cliente     jsonb,
    hash        bytea NOT NULL
) PARTITION BY RANGE (en);
-- Like pae.visitas (20-tablas.sql), indexes live on each partition, not on
-- the extension-owned parent, so that pg_dump/pg_restore work:
-- pae.auditoria_proteger_particion creates them.
CREATE TABLE pae.auditoria_default PARTITION OF pae.auditoria DEFAULT;

COMMENT ON TABLE pae.auditoria IS
    'Rastro de auditoría de solo inserción (PV009): una fila por cada INSERT, UPDATE o DELETE confirmado en una tabla de negocio; particionada por mes (hora de Colombia) de en';
COMMENT ON TABLE pae.auditoria_default IS
    'Partición por defecto de la auditoría: pae.mantener_particiones mueve sus filas a la partición de su mes';
COMMENT ON COLUMN pae.auditoria.id IS 'Número de secuencia de la fila; los sellos encadenan las filas en este orden';
COMMENT ON COLUMN pae.auditoria.en IS 'Momento del cambio (inicio de la sentencia)';
COMMENT ON COLUMN pae.auditoria.xid IS 'Id de la transacción (de nivel superior) que hizo el cambio';
COMMENT ON COLUMN pae.auditoria.tabla IS 'Tabla de negocio cambiada (sin esquema; pae)';
COMMENT ON COLUMN pae.auditoria.operacion IS 'INSERT, UPDATE o DELETE';
COMMENT ON COLUMN pae.auditoria.pk IS 'Llave primaria de la fila cambiada, como objeto jsonb {columna: valor}';
COMMENT ON COLUMN pae.auditoria.antes IS 'Fila anterior (DELETE) o valores anteriores de las columnas cambiadas (UPDATE); nunca claves ni tokens';
COMMENT ON COLUMN pae.auditoria.despues IS 'Fila nueva (INSERT) o valores nuevos de las columnas cambiadas (UPDATE); nunca claves ni tokens';
COMMENT ON COLUMN pae.auditoria.actor IS 'Persona que actuó (pae.usuarios.id: claim sub del JWT o rol asociado); NULL si no se identificó';
COMMENT ON COLUMN pae.auditoria.rol_db IS 'Rol de base de datos que ejecutó el cambio';
COMMENT ON COLUMN pae.auditoria.cliente IS 'Datos del cliente tomados de request.headers de PostgREST (user-agent, x-forwarded-for, ...; valores de a lo sumo 256 bytes; nunca Authorization ni Cookie)';
COMMENT ON COLUMN pae.auditoria.hash IS 'SHA-256 de la codificación canónica de la fila (pae.auditoria_hash), independiente de TimeZone, DateStyle, extra_float_digits y search_path';

CREATE TABLE pae.auditoria_sellos (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    desde_id        bigint NOT NULL,
    hasta_id        bigint NOT NULL,
    filas           bigint NOT NULL CHECK (filas > 0),
    hash_anterior   bytea,
    hash            bytea NOT NULL,
    sellado_en      timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    CONSTRAINT auditoria_sellos_rango CHECK (desde_id <= hasta_id)
);
COMMENT ON TABLE pae.auditoria_sellos IS
    'Sellos de la auditoría: cada uno encadena, en orden de id, las filas de auditoria con id entre desde_id y hasta_id; hash = SHA-256(hash_anterior || hash de cada fila); de solo inserción (PV009)';
COMMENT ON COLUMN pae.auditoria_sellos.id IS 'Número del sello';
COMMENT ON COLUMN pae.auditoria_sellos.desde_id IS 'Primer id de auditoría cubierto (el hasta_id del sello anterior + 1)';
COMMENT ON COLUMN pae.auditoria_sellos.hasta_id IS 'Último id de auditoría cubierto';
COMMENT ON COLUMN pae.auditoria_sellos.filas IS 'Filas de auditoría selladas (los ids de transacciones abortadas quedan como huecos)';
COMMENT ON COLUMN pae.auditoria_sellos.hash_anterior IS 'hash del sello anterior (NULL en el primero)';
COMMENT ON COLUMN pae.auditoria_sellos.hash IS 'SHA-256(hash_anterior || hash de cada fila en orden de id); publique el último fuera de la base';
COMMENT ON COLUMN pae.auditoria_sellos.sellado_en IS 'Momento del sellado';

CREATE TABLE pae.auditoria_archivos (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    particion       text NOT NULL,
    mes             date NOT NULL,
    filas           bigint NOT NULL,
    desde_id        bigint,
    hasta_id        bigint,
    archivado_en    timestamptz NOT NULL DEFAULT pg_catalog.now(),
    archivado_por   text NOT NULL DEFAULT CURRENT_USER
);
COMMENT ON TABLE pae.auditoria_archivos IS
    'Meses de auditoría separados por pae.archivar_auditoria: la partición queda como tabla suelta para respaldarla (pg_dump -t) y borrarla';
COMMENT ON COLUMN pae.auditoria_archivos.id IS 'Número del archivo';
COMMENT ON COLUMN pae.auditoria_archivos.particion IS 'Tabla separada (pae.auditoria_pAAAA_MM)';
COMMENT ON COLUMN pae.auditoria_archivos.mes IS 'Mes que contenía (hora de Colombia)';
COMMENT ON COLUMN pae.auditoria_archivos.filas IS 'Filas que tenía al separarla';
COMMENT ON COLUMN pae.auditoria_archivos.desde_id IS 'Menor id de auditoría que tenía';
COMMENT ON COLUMN pae.auditoria_archivos.hasta_id IS 'Mayor id de auditoría que tenía';
COMMENT ON COLUMN pae.auditoria_archivos.archivado_en IS 'Momento en que se separó';
COMMENT ON COLUMN pae.auditoria_archivos.archivado_por IS 'Rol que la separó';

-- C functions
CREATE FUNCTION pae.tg_auditoria()
RETURNS trigger
AS 'MODULE_PATHNAME', 'pae_tg_auditoria'
LANGUAGE C;
COMMENT ON FUNCTION pae.tg_auditoria() IS
    'Disparador AFTER ... FOR EACH ROW de las tablas de negocio: escribe la fila de pae.auditoria (como dueño de la extensión) con su hash canónico; el argumento nombra la tabla';

CREATE FUNCTION pae.tg_auditoria_inmutable()
RETURNS trigger
AS 'MODULE_PATHNAME', 'pae_tg_auditoria_inmutable'
LANGUAGE C;
COMMENT ON FUNCTION pae.tg_auditoria_inmutable() IS
    'Disparador BEFORE UPDATE/DELETE/TRUNCATE de la auditoría y sus sellos: siempre falla con PV009';

CREATE FUNCTION pae.auditoria_hash(id bigint, en timestamptz, xid xid8, tabla text, operacion text,
                                   pk jsonb, antes jsonb, despues jsonb, actor uuid, rol_db text,
                                   cliente jsonb)
RETURNS bytea
AS 'MODULE_PATHNAME', 'pae_auditoria_hash'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION pae.auditoria_hash(bigint, timestamptz, xid8, text, text, jsonb, jsonb, jsonb, uuid, text, jsonb) IS
    'SHA-256 de la codificación canónica de una fila de auditoría (en como microsegundos Unix, textos con prefijo de largo, jsonb por su texto canónico): no depende de ninguna configuración de la sesión';

CREATE FUNCTION pae.auditoria_esperar_escritores()
RETURNS integer
AS 'MODULE_PATHNAME', 'pae_auditoria_esperar_escritores'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION pae.auditoria_esperar_escritores() IS
    'Espera a que terminen las transacciones en curso (uso interno de pae.sellar_auditoria); devuelve a cuántas esperó';

-- Append-only, for the owner too.  Row triggers on the partitioned table
-- are cloned onto every partition; TRUNCATE triggers are not, so
-- pae.auditoria_proteger_particion adds one to each partition
-- (pae.crear_particion_mes calls it).
CREATE TRIGGER auditoria_inmutable
    BEFORE UPDATE OR DELETE ON pae.auditoria
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria_inmutable();
CREATE TRIGGER auditoria_sin_truncate
    BEFORE TRUNCATE ON pae.auditoria
    FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_auditoria_inmutable();
CREATE TRIGGER auditoria_sellos_inmutable
    BEFORE UPDATE OR DELETE ON pae.auditoria_sellos
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria_inmutable();
CREATE TRIGGER auditoria_sellos_sin_truncate
    BEFORE TRUNCATE ON pae.auditoria_sellos
    FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_auditoria_inmutable();

CREATE FUNCTION pae.auditoria_proteger_particion(particion regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_nombre text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_inherits i
                    WHERE i.inhrelid = particion AND i.inhparent = 'pae.auditoria'::regclass) THEN
        RAISE EXCEPTION '% no es una partición de pae.auditoria', particion
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Solo las particiones de pae.auditoria reciben el disparador contra TRUNCATE y los índices de la auditoría.',
                  HINT = 'Cree las particiones con pae.crear_particion_mes(''pae.auditoria'', mes).';
    END IF;
    SELECT c.relname INTO v_nombre FROM pg_class c WHERE c.oid = particion;
    IF NOT EXISTS (SELECT 1 FROM pg_trigger t
                    WHERE t.tgrelid = particion AND t.tgname = 'auditoria_sin_truncate') THEN
        EXECUTE format('CREATE TRIGGER auditoria_sin_truncate BEFORE TRUNCATE ON %s'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_auditoria_inmutable()', particion);
    END IF;
    -- history of a row; what a person did; time and id ranges (sealing,
    -- verification: ids grow with insertion order, so BRIN suffices)
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s (pk, tabla)', v_nombre || '_pk_tabla_idx', particion);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s (actor, en)', v_nombre || '_actor_en_idx', particion);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING brin (en, id)', v_nombre || '_en_id_brin', particion);
END
$$;
COMMENT ON FUNCTION pae.auditoria_proteger_particion(regclass) IS
    'Da a una partición de pae.auditoria el disparador que rechaza TRUNCATE (PV009) y los índices de la auditoría (pk, tabla), (actor, en) y BRIN (en, id); pae.crear_particion_mes lo llama';
REVOKE ALL ON FUNCTION pae.auditoria_proteger_particion(regclass) FROM PUBLIC;

SELECT pae.auditoria_proteger_particion('pae.auditoria_default');

-- Sealing.  The rows are chained in id order, but ids are drawn before
-- their transactions commit, so a row with a lower id may still become
-- visible after a higher one.  The sealer therefore (1) reads the last id
-- handed out, C, (2) waits for every transaction in progress at that
-- moment (pae.auditoria_esperar_escritores), after which every id <= C is
-- committed or gone for good, and (3) seals the visible rows with ids up
-- to C.  Writers never wait: only the sealer waits for writers in flight,
-- and a lock on pae.auditoria_sellos keeps sealers one at a time.  A seal
-- covers at most 100,000 rows (verification recomputes a seal in memory).
CREATE FUNCTION pae.sellar_auditoria()
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_c         bigint;
    v_desde     bigint;
    v_hasta     bigint;
    v_prev      bytea;
    v_filas     bigint;
    v_max       bigint;
    v_hash      bytea;
    v_total     bigint := 0;
BEGIN
    LOCK TABLE pae.auditoria_sellos IN SHARE ROW EXCLUSIVE MODE;
    v_c := pg_sequence_last_value('pae.auditoria_id_seq');
    IF v_c IS NULL THEN
        RETURN 0;
    END IF;
    PERFORM pae.auditoria_esperar_escritores();

    SELECT s.hasta_id, s.hash INTO v_hasta, v_prev
      FROM pae.auditoria_sellos s ORDER BY s.id DESC LIMIT 1;
    v_desde := coalesce(v_hasta, 0) + 1;
    WHILE v_desde <= v_c LOOP
        SELECT count(*), max(a.id),
               sha256(coalesce(v_prev, ''::bytea) || coalesce(string_agg(a.hash, ''::bytea ORDER BY a.id), ''::bytea))
          INTO v_filas, v_max, v_hash
          FROM (SELECT a.id, a.hash FROM pae.auditoria a
                 WHERE a.id >= v_desde AND a.id <= v_c
                 ORDER BY a.id LIMIT 100000) a;
        EXIT WHEN v_filas = 0;
        v_hasta := CASE WHEN v_filas < 100000 THEN v_c ELSE v_max END;
        INSERT INTO pae.auditoria_sellos (desde_id, hasta_id, filas, hash_anterior, hash)
        VALUES (v_desde, v_hasta, v_filas, v_prev, v_hash);
        v_total := v_total + v_filas;
        v_prev := v_hash;
        v_desde := v_hasta + 1;
    END LOOP;
    RETURN v_total;
END
$$;
COMMENT ON FUNCTION pae.sellar_auditoria() IS
    'Sella las filas de auditoría escritas desde el último sello (sin bloquear a quienes escriben; espera a las transacciones en curso); devuelve cuántas filas selló. Prográmela (p. ej. con pg_cron) y publique fuera de la base el hash del último sello';
REVOKE ALL ON FUNCTION pae.sellar_auditoria() FROM PUBLIC;

-- Verification.  Rows of archived months whose table was dropped cannot
-- be recomputed: seals that cover them are checked for their links only.
CREATE FUNCTION pae.verificar_auditoria()
RETURNS TABLE (tipo text, auditoria_id bigint, sello_id bigint, detalle text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_fuente    text := 'SELECT id, hash FROM pae.auditoria';
    v_perdidos  int8multirange := '{}';
    v_arch      record;
    v_sello     record;
    v_prev      record;
    v_hay_prev  boolean := false;
    v_filas     bigint;
    v_min       bigint;
    v_max       bigint;
    v_hash      bytea;
    v_ultimo    bigint := pg_sequence_last_value('pae.auditoria_id_seq');
BEGIN
    -- 1. rows whose stored hash no longer matches their contents
    RETURN QUERY
        SELECT 'fila_alterada'::text, a.id, NULL::bigint,
               format('el hash guardado de la fila %s de %s (%s) no corresponde a su contenido',
                      a.id, a.tabla, a.operacion)
          FROM pae.auditoria a
         WHERE a.hash IS DISTINCT FROM pae.auditoria_hash(a.id, a.en, a.xid, a.tabla, a.operacion,
                                                          a.pk, a.antes, a.despues, a.actor,
                                                          a.rol_db, a.cliente)
         ORDER BY a.id;

    -- 2. rows with an id the sequence never handed out
    RETURN QUERY
        SELECT 'fila_fuera_de_secuencia'::text, a.id, NULL::bigint,
               format('la fila %s tiene un id mayor que el último entregado por la secuencia (%s)',
                      a.id, coalesce(v_ultimo, 0))
          FROM pae.auditoria a
         WHERE a.id > coalesce(v_ultimo, 0)
         ORDER BY a.id;

    -- archived months: still-present tables join the check, dropped ones
    -- make their id ranges unverifiable
    FOR v_arch IN SELECT * FROM pae.auditoria_archivos ORDER BY id LOOP
        IF to_regclass(v_arch.particion) IS NOT NULL THEN
            v_fuente := v_fuente || format(' UNION ALL SELECT id, hash FROM %s', v_arch.particion);
        ELSIF v_arch.desde_id IS NOT NULL THEN
            v_perdidos := v_perdidos + int8multirange(int8range(v_arch.desde_id, v_arch.hasta_id, '[]'));
        END IF;
    END LOOP;

    -- 3. seals: links, id ranges, row counts and the recomputed chain
    FOR v_sello IN SELECT * FROM pae.auditoria_sellos s ORDER BY s.id LOOP
        IF NOT v_hay_prev THEN
            IF v_sello.hash_anterior IS NOT NULL THEN
                RETURN QUERY SELECT 'enlace_roto'::text, NULL::bigint, v_sello.id,
                    format('el sello %s es el primero pero tiene hash_anterior', v_sello.id);
            END IF;
        ELSE
            IF v_sello.hash_anterior IS DISTINCT FROM v_prev.hash THEN
                RETURN QUERY SELECT 'enlace_roto'::text, NULL::bigint, v_sello.id,
                    format('el hash_anterior del sello %s no es el hash del sello %s', v_sello.id, v_prev.id);
            END IF;
            IF v_sello.desde_id <> v_prev.hasta_id + 1 THEN
                RETURN QUERY SELECT 'enlace_roto'::text, NULL::bigint, v_sello.id,
                    format('el sello %s empieza en el id %s pero el sello %s terminó en %s',
                           v_sello.id, v_sello.desde_id, v_prev.id, v_prev.hasta_id);
            END IF;
        END IF;
        IF NOT (v_perdidos && int8range(v_sello.desde_id, v_sello.hasta_id, '[]')) THEN
            EXECUTE format('SELECT count(*), min(f.id), max(f.id),'
                           ' sha256(coalesce($1, ''''::bytea) || coalesce(string_agg(f.hash, ''''::bytea ORDER BY f.id), ''''::bytea))'
                           ' FROM (%s) f WHERE f.id BETWEEN $2 AND $3', v_fuente)
               INTO v_filas, v_min, v_max, v_hash
              USING v_sello.hash_anterior, v_sello.desde_id, v_sello.hasta_id;
            IF v_filas <> v_sello.filas THEN
                RETURN QUERY SELECT 'sello_filas'::text, NULL::bigint, v_sello.id,
                    format('el sello %s cubre %s filas (ids %s a %s) pero hay %s',
                           v_sello.id, v_sello.filas, v_sello.desde_id, v_sello.hasta_id, v_filas);
            END IF;
            IF v_hash IS DISTINCT FROM v_sello.hash THEN
                RETURN QUERY SELECT 'sello_alterado'::text, NULL::bigint, v_sello.id,
                    format('la cadena recalculada de las filas %s a %s no coincide con el hash del sello %s',
                           v_sello.desde_id, v_sello.hasta_id, v_sello.id);
            END IF;
        END IF;
        v_prev := v_sello;
        v_hay_prev := true;
    END LOOP;
END
$$;
COMMENT ON FUNCTION pae.verificar_auditoria() IS
    'Verifica la auditoría: devuelve una fila por cada fila de auditoría cuyo hash no corresponde (fila_alterada), con id nunca entregado (fila_fuera_de_secuencia), y por cada sello con enlace roto (enlace_roto), con otra cantidad de filas (sello_filas) o cuya cadena recalculada no coincide (sello_alterado); vacío si todo está íntegro';
REVOKE ALL ON FUNCTION pae.verificar_auditoria() FROM PUBLIC;

-- Retention: whole sealed months leave by detaching their partition.
CREATE FUNCTION pae.archivar_auditoria(antes_de date)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_part      record;
    v_sellado   bigint;
    v_filas     bigint;
    v_min       bigint;
    v_max       bigint;
    v_n         integer := 0;
BEGIN
    IF antes_de IS NULL THEN
        RAISE EXCEPTION 'antes_de es obligatorio'
            USING ERRCODE = 'null_value_not_allowed',
                  DETAIL = 'pae.archivar_auditoria recibió NULL.',
                  HINT = 'Indique la fecha: se archivan los meses que terminan antes de ella.';
    END IF;
    LOCK TABLE pae.auditoria_sellos IN SHARE ROW EXCLUSIVE MODE;
    SELECT max(s.hasta_id) INTO v_sellado FROM pae.auditoria_sellos s;
    FOR v_part IN
        SELECT c.oid::regclass AS rel, c.relname,
               to_date(substring(c.relname FROM '^auditoria_p([0-9]{4}_[0-9]{2})$'), 'YYYY_MM') AS mes
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'pae.auditoria'::regclass
           AND c.relname ~ '^auditoria_p[0-9]{4}_[0-9]{2}$'
         ORDER BY c.relname
    LOOP
        CONTINUE WHEN (v_part.mes + interval '1 month')::date > antes_de;
        EXECUTE format('SELECT count(*), min(id), max(id) FROM %s', v_part.rel)
           INTO v_filas, v_min, v_max;
        IF v_filas > 0 AND (v_sellado IS NULL OR v_max > v_sellado) THEN
            RAISE EXCEPTION 'la partición % tiene filas sin sellar', v_part.rel
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      DETAIL = format('Su mayor id es %s y el último sello llega hasta %s.', v_max, coalesce(v_sellado::text, 'ninguno')),
                      HINT = 'Ejecute pae.sellar_auditoria() y vuelva a intentarlo.';
        END IF;
        EXECUTE format('ALTER TABLE pae.auditoria DETACH PARTITION %s', v_part.rel);
        INSERT INTO pae.auditoria_archivos (particion, mes, filas, desde_id, hasta_id, archivado_por)
        VALUES (format('pae.%I', v_part.relname), v_part.mes, v_filas, v_min, v_max, session_user);
        v_n := v_n + 1;
    END LOOP;
    RETURN v_n;
END
$$;
COMMENT ON FUNCTION pae.archivar_auditoria(date) IS
    'Retención: separa (DETACH) las particiones mensuales de pae.auditoria que terminan antes de antes_de, si todas sus filas están selladas, y lo registra en pae.auditoria_archivos; devuelve cuántas separó. Respalde cada tabla separada (pg_dump -t) antes de borrarla';
REVOKE ALL ON FUNCTION pae.archivar_auditoria(date) FROM PUBLIC;

-- The business tables
CREATE TRIGGER auditoria AFTER INSERT OR UPDATE OR DELETE ON pae.visitas
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria('visitas');
CREATE TRIGGER auditoria AFTER INSERT OR UPDATE OR DELETE ON pae.visita_respuestas
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria('visita_respuestas');
CREATE TRIGGER auditoria AFTER INSERT OR UPDATE OR DELETE ON pae.evidencias
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria('evidencias');
CREATE TRIGGER auditoria AFTER INSERT OR UPDATE OR DELETE ON pae.sedes
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria('sedes');
CREATE TRIGGER auditoria AFTER INSERT OR UPDATE OR DELETE ON pae.instituciones
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria('instituciones');
CREATE TRIGGER auditoria AFTER INSERT OR UPDATE OR DELETE ON pae.contratos
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria('contratos');
CREATE TRIGGER auditoria AFTER INSERT OR UPDATE OR DELETE ON pae.contrato_sedes
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria('contrato_sedes');
CREATE TRIGGER auditoria AFTER INSERT OR UPDATE OR DELETE ON pae.operadores
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria('operadores');
CREATE TRIGGER auditoria AFTER INSERT OR UPDATE OR DELETE ON pae.usuarios
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria('usuarios');
CREATE TRIGGER auditoria AFTER INSERT OR UPDATE OR DELETE ON pae.usuario_municipios
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria('usuario_municipios');
CREATE TRIGGER auditoria AFTER INSERT OR UPDATE OR DELETE ON pae.checklist_items
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria('checklist_items');
CREATE TRIGGER auditoria AFTER INSERT OR UPDATE OR DELETE ON pae.alertas
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria('alertas');
-- The history's rows are written only by the state machine (clients have
-- no INSERT on pae.transiciones), in the same transaction as the visit
-- UPDATE that caused them, whose audit row already holds the move (estado
-- before and after, actor, role, time): auditing the INSERT would record
-- every move twice.  Any later UPDATE or DELETE of the history is audited.
CREATE TRIGGER auditoria AFTER UPDATE OR DELETE ON pae.transiciones
    FOR EACH ROW EXECUTE FUNCTION pae.tg_auditoria('transiciones');

-- Privileges: nobody writes the trail directly (the trigger writes it as
-- the owner); admins read it, verify and seal it.
REVOKE ALL ON pae.auditoria, pae.auditoria_default, pae.auditoria_sellos, pae.auditoria_archivos FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.tg_auditoria() TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;
GRANT SELECT ON pae.auditoria, pae.auditoria_sellos, pae.auditoria_archivos TO pae_admin;
GRANT EXECUTE ON FUNCTION pae.verificar_auditoria(), pae.sellar_auditoria() TO pae_admin;

-- pg_dump keeps the trail, its seals and its archive log (SPEC §2).
-- Monthly partitions are created at run time and dumped with their data.
SELECT pg_catalog.pg_extension_config_dump('pae.auditoria_default', '');
SELECT pg_catalog.pg_extension_config_dump('pae.auditoria_sellos', '');
SELECT pg_catalog.pg_extension_config_dump('pae.auditoria_archivos', '');
SELECT pg_catalog.pg_extension_config_dump('pae.auditoria_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('pae.auditoria_sellos_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('pae.auditoria_archivos_id_seq', '');
-- Monthly partitions (SPEC §3, §9).  Month boundaries are Colombian
-- calendar months (America/Bogota, UTC-5 all year).  Partitions are created
-- at run time, never by this script, so none of them is a member of the
-- extension: pg_dump dumps each with its data and re-attaches it.

CREATE FUNCTION pae.crear_particion_mes(padre regclass, mes date)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_padre_nombre text;
    v_nombre   text;
    v_desde    timestamptz;
    v_hasta    timestamptz;
    v_defecto  regclass;
    v_filas    bigint;
BEGIN
    IF padre IS NULL OR mes IS NULL THEN
        RAISE EXCEPTION 'tabla y mes son obligatorios'
            USING ERRCODE = 'null_value_not_allowed',
                  DETAIL = 'pae.crear_particion_mes recibió NULL.',
                  HINT = 'Indique la tabla particionada y un día del mes.';
    END IF;
    IF padre NOT IN ('pae.visitas'::regclass) AND
       NOT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE c.oid = padre AND n.nspname = 'pae' AND c.relname = 'auditoria') THEN
        RAISE EXCEPTION 'la tabla % no es una tabla particionada por mes de pae_cauca', padre
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Solo pae.visitas y pae.auditoria se particionan por mes.',
                  HINT = 'Use pae.visitas o pae.auditoria.';
    END IF;
    mes := date_trunc('month', mes)::date;
    SELECT c.relname INTO v_padre_nombre FROM pg_class c WHERE c.oid = padre;
    v_nombre := format('%s_p%s', v_padre_nombre, to_char(mes, 'YYYY_MM'));
    IF to_regclass(format('pae.%I', v_nombre)) IS NOT NULL THEN
        RETURN false;
    END IF;
    v_desde := mes::timestamp AT TIME ZONE 'America/Bogota';
    v_hasta := (mes + interval '1 month')::timestamp AT TIME ZONE 'America/Bogota';

    SELECT i.inhrelid::regclass INTO v_defecto
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = padre AND c.relpartbound IS NOT NULL
       AND pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT';

    IF v_defecto IS NOT NULL THEN
        EXECUTE format('SELECT count(*) FROM %s WHERE %I >= $1 AND %I < $2', v_defecto,
                       CASE WHEN v_padre_nombre = 'visitas' THEN 'fecha_visita' ELSE 'en' END,
                       CASE WHEN v_padre_nombre = 'visitas' THEN 'fecha_visita' ELSE 'en' END)
           INTO v_filas USING v_desde, v_hasta;
    ELSE
        v_filas := 0;
    END IF;

    IF v_filas = 0 THEN
        EXECUTE format('CREATE TABLE pae.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                       v_nombre, padre, v_desde, v_hasta);
    ELSE
        -- Rows of this month landed in the default partition: move them
        -- into a new table, then attach it.  Moving is not a business
        -- change, so row triggers (rules, audit) are off for it.
        SET LOCAL session_replication_role = replica;
        EXECUTE format('CREATE TABLE pae.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS)',
                       v_nombre, padre);
        EXECUTE format('WITH m AS (DELETE FROM %s WHERE %I >= $1 AND %I < $2 RETURNING *)'
                       ' INSERT INTO pae.%I SELECT * FROM m', v_defecto,
                       CASE WHEN v_padre_nombre = 'visitas' THEN 'fecha_visita' ELSE 'en' END,
                       CASE WHEN v_padre_nombre = 'visitas' THEN 'fecha_visita' ELSE 'en' END,
                       v_nombre)
           USING v_desde, v_hasta;
        EXECUTE format('ALTER TABLE %s ATTACH PARTITION pae.%I FOR VALUES FROM (%L) TO (%L)',
                       padre, v_nombre, v_desde, v_hasta);
        RESET session_replication_role;
        RAISE NOTICE 'se movieron % filas de % a la partición pae.%', v_filas, v_defecto, v_nombre;
    END IF;
    IF v_padre_nombre = 'auditoria' THEN
        -- TRUNCATE triggers are not cloned onto partitions (65-auditoria.sql)
        PERFORM pae.auditoria_proteger_particion(format('pae.%I', v_nombre)::regclass);
    END IF;
    PERFORM pae.indexar_particion(padre, format('pae.%I', v_nombre)::regclass);
    EXECUTE format('COMMENT ON TABLE pae.%I IS %L', v_nombre,
                   format('Partición de %s para %s (hora de Colombia)', padre, to_char(mes, 'YYYY-MM')));
    RETURN true;
END
$$;
COMMENT ON FUNCTION pae.crear_particion_mes(regclass, date) IS
    'Crea la partición mensual (hora de Colombia) de pae.visitas o pae.auditoria que contiene la fecha dada, moviendo a ella las filas que hubieran caído en la partición por defecto; falso si ya existía';
REVOKE ALL ON FUNCTION pae.crear_particion_mes(regclass, date) FROM PUBLIC;

CREATE FUNCTION pae.asegurar_particiones(desde date, hasta date)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_mes    date;
    v_creadas integer := 0;
BEGIN
    IF desde IS NULL OR hasta IS NULL OR hasta < desde THEN
        RAISE EXCEPTION 'rango de meses inválido: % a %', desde, hasta
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'desde y hasta son obligatorios y desde no puede ser posterior a hasta.',
                  HINT = 'Indique un rango de fechas válido.';
    END IF;
    IF hasta > desde + interval '10 years' THEN
        RAISE EXCEPTION 'rango de meses demasiado largo: % a %', desde, hasta
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Se crean particiones para a lo sumo 10 años de una vez.',
                  HINT = 'Revise la vigencia del contrato o cree las particiones por tramos.';
    END IF;
    v_mes := date_trunc('month', desde)::date;
    WHILE v_mes <= hasta LOOP
        IF pae.crear_particion_mes('pae.visitas', v_mes) THEN
            v_creadas := v_creadas + 1;
        END IF;
        v_mes := (v_mes + interval '1 month')::date;
    END LOOP;
    RETURN v_creadas;
END
$$;
COMMENT ON FUNCTION pae.asegurar_particiones(date, date) IS
    'Crea las particiones mensuales de pae.visitas entre dos fechas (a lo sumo 10 años); devuelve cuántas creó';
REVOKE ALL ON FUNCTION pae.asegurar_particiones(date, date) FROM PUBLIC;

CREATE FUNCTION pae.mantener_particiones(meses_adelante integer DEFAULT 3)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_hoy     date := (now() AT TIME ZONE 'America/Bogota')::date;
    v_creadas integer;
    v_mes     date;
BEGIN
    IF meses_adelante IS NULL OR meses_adelante < 0 OR meses_adelante > 120 THEN
        RAISE EXCEPTION 'meses_adelante inválido: %', meses_adelante
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'meses_adelante debe estar entre 0 y 120.',
                  HINT = 'Use el valor por defecto, 3.';
    END IF;
    v_creadas := pae.asegurar_particiones(v_hoy, (v_hoy + make_interval(months => meses_adelante))::date);
    -- months whose rows landed in the default partition
    FOR v_mes IN SELECT DISTINCT date_trunc('month', d.fecha_visita AT TIME ZONE 'America/Bogota')::date
                   FROM pae.visitas_default d
    LOOP
        IF pae.crear_particion_mes('pae.visitas', v_mes) THEN
            v_creadas := v_creadas + 1;
        END IF;
    END LOOP;
    IF to_regclass('pae.auditoria') IS NOT NULL THEN
        v_mes := date_trunc('month', v_hoy)::date;
        WHILE v_mes <= (v_hoy + make_interval(months => meses_adelante))::date LOOP
            IF pae.crear_particion_mes('pae.auditoria', v_mes) THEN
                v_creadas := v_creadas + 1;
            END IF;
            v_mes := (v_mes + interval '1 month')::date;
        END LOOP;
    END IF;
    RETURN v_creadas;
END
$$;
COMMENT ON FUNCTION pae.mantener_particiones(integer) IS
    'Mantenimiento de particiones (programar a diario, p. ej. con pg_cron): crea las de los próximos meses_adelante meses y mueve a su partición mensual las filas que cayeron en la partición por defecto; devuelve cuántas particiones creó';
REVOKE ALL ON FUNCTION pae.mantener_particiones(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.mantener_particiones(integer) TO pae_admin;

-- Contracts bring the months they cover.
CREATE FUNCTION pae.tg_contratos_particiones()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM pae.asegurar_particiones(lower(NEW.vigencia), upper(NEW.vigencia) - 1);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION pae.tg_contratos_particiones() IS
    'Disparador de contratos: crea las particiones mensuales de visitas que cubre la vigencia';
CREATE TRIGGER contratos_particiones
    AFTER INSERT OR UPDATE OF vigencia ON pae.contratos
    FOR EACH ROW EXECUTE FUNCTION pae.tg_contratos_particiones();
-- The PostgREST surface (SPEC §10): views with security_invoker (row-level
-- security of the caller applies) and functions.  COMMENTs become the
-- OpenAPI description PostgREST serves.

CREATE VIEW pae_api.visitas WITH (security_invoker = true) AS
SELECT v.id, v.sede, v.contrato, v.visitador, v.fecha_visita, v.estado,
       v.checkin_lat, v.checkin_lon, v.checkin_precision_m, v.checkin_en,
       v.checkout_lat, v.checkout_lon, v.checkout_precision_m, v.checkout_en,
       v.distancia_m, v.dentro_geocerca, v.raciones_programadas, v.raciones_entregadas,
       v.observaciones, v.motivo_estado, v.version, v.dispositivo, v.creada_en, v.actualizada_en
  FROM pae.visitas v;
COMMENT ON VIEW pae_api.visitas IS
    'Visitas que la sesión puede ver: las propias (visitador), las de sus municipios (supervisor) o todas (coordinador). PATCH con estado aplica la máquina de estados';

CREATE VIEW pae_api.sedes WITH (security_invoker = true) AS
SELECT s.codigo, s.nombre, s.institucion, s.municipio, m.nombre AS municipio_nombre, s.zona,
       s.lat, s.lon, s.radio_geocerca_m, s.geocerca_estricta, s.matricula, s.activa
  FROM pae.sedes s JOIN pae.municipios m ON m.codigo = s.municipio;
COMMENT ON VIEW pae_api.sedes IS 'Sedes educativas con su geocerca (centro lat/lon y radio en metros)';

CREATE VIEW pae_api.alertas WITH (security_invoker = true) AS
SELECT a.id, a.visita, a.tipo, a.detalle, a.detectada_en, a.cerrada_en,
       v.sede, s.municipio, v.visitador, v.fecha_visita
  FROM pae.alertas a
  JOIN pae.visitas_id r ON r.id = a.visita
  JOIN pae.visitas v ON v.id = r.id AND v.fecha_visita = r.fecha_visita
  JOIN pae.sedes s ON s.codigo = v.sede;
COMMENT ON VIEW pae_api.alertas IS 'Señales de fraude y cumplimiento de las visitas que la sesión puede ver';

DO $comentarios$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT c.relname, a.attname, coalesce(col_description(src.attrelid, src.attnum), a.attname) AS texto
               FROM pg_catalog.pg_class c
               JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'pae_api'
               JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
               LEFT JOIN pg_catalog.pg_attribute src
                      ON src.attname = a.attname AND src.attnum > 0
                     AND src.attrelid = CASE c.relname WHEN 'visitas' THEN 'pae.visitas'::regclass
                                                       WHEN 'sedes' THEN 'pae.sedes'::regclass
                                                       ELSE 'pae.alertas'::regclass END
              WHERE c.relkind = 'v'
    LOOP
        EXECUTE pg_catalog.format('COMMENT ON COLUMN pae_api.%I.%I IS %L', r.relname, r.attname,
            CASE WHEN r.attname = 'municipio_nombre' THEN 'Nombre del municipio'
                 WHEN r.relname = 'alertas' AND r.attname = 'sede' THEN 'Sede visitada (código DANE)'
                 WHEN r.relname = 'alertas' AND r.attname = 'municipio' THEN 'Municipio de la sede'
                 WHEN r.relname = 'alertas' AND r.attname = 'visitador' THEN 'Visitador asignado'
                 WHEN r.relname = 'alertas' AND r.attname = 'fecha_visita' THEN 'Fecha y hora planeada de la visita'
                 ELSE r.texto END);
    END LOOP;
END
$comentarios$;

CREATE FUNCTION pae_api.transicion(visita uuid, a pae.estado_visita, motivo text DEFAULT NULL,
                                   lat double precision DEFAULT NULL, lon double precision DEFAULT NULL,
                                   precision_m double precision DEFAULT NULL)
RETURNS pae.visitas
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM pae.transicion(visita, a, motivo, lat, lon, precision_m);
END;
COMMENT ON FUNCTION pae_api.transicion(uuid, pae.estado_visita, text, double precision, double precision, double precision) IS
    'Mueve una visita de estado (POST /rpc/transicion): en_curso con check-in (lat, lon, precision_m), cerrada con check-out, cancelada y devuelta con motivo';

CREATE FUNCTION pae_api.evaluar_geocerca(sede text, lat double precision, lon double precision,
                                         precision_m double precision DEFAULT NULL,
                                         OUT distancia_m double precision,
                                         OUT radio_m double precision,
                                         OUT dentro boolean)
RETURNS record
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT g.distancia_m, g.radio_m, g.dentro FROM pae.evaluar_geocerca(sede, lat, lon, precision_m) AS g;
END;
COMMENT ON FUNCTION pae_api.evaluar_geocerca(text, double precision, double precision, double precision) IS
    'Evalúa una captura GPS contra la geocerca de una sede (POST /rpc/evaluar_geocerca): distancia_m, radio_m, dentro';

CREATE FUNCTION pae_api.responder(visita uuid, item text, valor text, observacion text DEFAULT NULL)
RETURNS pae.visita_respuestas
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    INSERT INTO pae.visita_respuestas AS r (visita, item, valor, observacion)
    VALUES (visita, item, valor, observacion)
    ON CONFLICT (visita, item) DO UPDATE
        SET valor = EXCLUDED.valor, observacion = EXCLUDED.observacion, respondida_en = now()
    RETURNING *;
END;
COMMENT ON FUNCTION pae_api.responder(uuid, text, text, text) IS
    'Responde (o corrige) un ítem de la lista de chequeo de una visita en_curso o devuelta: valor cumple, no_cumple o no_aplica';

CREATE FUNCTION pae_api.registrar_evidencia(visita uuid, tipo text, sha256 text, bytes bigint, mime text,
                                            lat double precision DEFAULT NULL, lon double precision DEFAULT NULL,
                                            tomada_en timestamptz DEFAULT NULL, uri text DEFAULT NULL,
                                            id uuid DEFAULT gen_random_uuid())
RETURNS pae.evidencias
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    INSERT INTO pae.evidencias (id, visita, tipo, sha256, bytes, mime, lat, lon, tomada_en, uri)
    VALUES (id, visita, tipo, lower(sha256), bytes, mime, lat, lon, tomada_en, uri)
    RETURNING *;
END;
COMMENT ON FUNCTION pae_api.registrar_evidencia(uuid, text, text, bigint, text, double precision, double precision, timestamptz, text, uuid) IS
    'Registra los metadatos de una foto, firma o documento de una visita (el archivo vive fuera de la base); la misma huella sha256 en otra visita genera la alerta foto_reutilizada';

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA pae_api FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA pae_api TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;
GRANT SELECT, UPDATE ON pae_api.visitas TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;
GRANT INSERT, DELETE ON pae_api.visitas TO pae_coordinador, pae_admin;
GRANT SELECT ON pae_api.sedes, pae_api.alertas TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;

-- Retention of the outbox (STYLE: anything that grows has retention).
CREATE FUNCTION pae.purgar_eventos(antes_de interval DEFAULT '90 days')
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_borrados bigint;
BEGIN
    IF antes_de IS NULL OR antes_de < interval '1 day' THEN
        RAISE EXCEPTION 'retención inválida: %', antes_de
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Se conservan al menos los eventos del último día, para los consumidores que se pongan al día.',
                  HINT = 'Use un intervalo de 1 día o más; por defecto 90 días.';
    END IF;
    DELETE FROM pae.eventos e WHERE e.creado_en < now() - antes_de;
    GET DIAGNOSTICS v_borrados = ROW_COUNT;
    RETURN v_borrados;
END
$$;
COMMENT ON FUNCTION pae.purgar_eventos(interval) IS
    'Borra de la bandeja pae.eventos los eventos más antiguos que antes_de (90 días por defecto, mínimo 1 día); devuelve cuántos borró. Programar con pg_cron';
REVOKE ALL ON FUNCTION pae.purgar_eventos(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.purgar_eventos(interval) TO pae_admin;
-- Privileges and row-level security (SPEC §10).
--
-- Clients never write the bookkeeping tables (visitas_id, visitas_checkin, transiciones,
-- eventos, alertas): the C triggers write them as the extension's owner.

REVOKE ALL ON ALL TABLES IN SCHEMA pae FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA pae FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    pae.distancia_m(double precision, double precision, double precision, double precision),
    pae.distancia_m(geography, geography),
    pae.evaluar_geocerca(text, double precision, double precision, double precision),
    pae.evaluar_geocerca(text, geography, double precision),
    pae.usuario_actual(),
    pae.transicion(uuid, pae.estado_visita, text, double precision, double precision, double precision),
    pae.tg_visitas_antes(), pae.tg_visitas_despues(), pae.tg_hijos_visita(),
    pae.tg_foto_reutilizada(), pae.tg_contratos_particiones()
    TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;
GRANT EXECUTE ON FUNCTION pae.crear_usuario(text, text, text, text, char(5)[]) TO pae_admin;

GRANT USAGE ON SCHEMA pae TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;
GRANT USAGE ON SCHEMA pae_api TO pae_anon, pae_visitador, pae_supervisor, pae_coordinador, pae_admin;
GRANT USAGE ON SCHEMA pae_reportes TO pae_bi, pae_coordinador, pae_admin;

-- reference data: readable by staff; written by coordinadores and admins
GRANT SELECT ON pae.municipios, pae.instituciones, pae.sedes, pae.operadores,
                pae.contratos, pae.contrato_sedes, pae.checklist_items
    TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;
GRANT INSERT, UPDATE, DELETE ON pae.instituciones, pae.sedes, pae.operadores,
                pae.contratos, pae.contrato_sedes, pae.checklist_items
    TO pae_coordinador, pae_admin;

-- visits and what hangs off them
GRANT SELECT ON pae.visitas_id TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON pae.visitas TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON pae.visita_respuestas, pae.evidencias
    TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;
GRANT SELECT ON pae.transiciones, pae.alertas, pae.eventos
    TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;
GRANT UPDATE (cerrada_en) ON pae.alertas TO pae_supervisor, pae_coordinador, pae_admin;
GRANT SELECT (id, correo, nombre, rol, activo, login_db, creado_en) ON pae.usuarios
    TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;
GRANT UPDATE (nombre, rol, activo, login_db) ON pae.usuarios TO pae_admin;
GRANT SELECT ON pae.usuario_municipios TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;
GRANT INSERT, DELETE ON pae.usuario_municipios TO pae_admin;

-- Row-level security: a visitador sees and changes only their visits, a
-- supervisor those of the municipios in their charge, coordinadores and
-- admins all.  One policy per group role, so a session gets only the
-- predicate of its role; each is a plain expression (the supervisor's an
-- uncorrelated subquery, computed once per statement), never a SQL function
-- with a subquery inside, which the planner cannot inline and would run for
-- every row.
--
-- No SET search_path on puede_ver_visita_id: the children's policies call
-- it for every row, and a SET clause would stop the planner from inlining
-- it.  Its BEGIN ATOMIC body is bound when this script runs, so no
-- search_path of the caller can redirect it.
CREATE FUNCTION pae.puede_ver_visita_id(visita uuid)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL RESTRICTED
BEGIN ATOMIC
    SELECT EXISTS (SELECT 1 FROM pae.visitas v JOIN pae.visitas_id r ON r.id = v.id AND r.fecha_visita = v.fecha_visita
                    WHERE r.id = puede_ver_visita_id.visita);
END;
COMMENT ON FUNCTION pae.puede_ver_visita_id(uuid) IS
    'Verdadero si la sesión puede ver la visita (las políticas de pae.visitas deciden)';
GRANT EXECUTE ON FUNCTION pae.puede_ver_visita_id(uuid) TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;

ALTER TABLE pae.visitas ENABLE ROW LEVEL SECURITY;
CREATE POLICY visitas_visitador ON pae.visitas TO pae_visitador
    USING (visitador = pae.usuario_actual())
    WITH CHECK (visitador = pae.usuario_actual());
CREATE POLICY visitas_supervisor ON pae.visitas TO pae_supervisor
    USING (sede IN (SELECT s.codigo FROM pae.sedes s
                      JOIN pae.usuario_municipios um ON um.municipio = s.municipio
                     WHERE um.usuario = pae.usuario_actual()))
    WITH CHECK (sede IN (SELECT s.codigo FROM pae.sedes s
                           JOIN pae.usuario_municipios um ON um.municipio = s.municipio
                          WHERE um.usuario = pae.usuario_actual()));
CREATE POLICY visitas_coordinacion ON pae.visitas TO pae_coordinador, pae_admin
    USING (true) WITH CHECK (true);

ALTER TABLE pae.visita_respuestas ENABLE ROW LEVEL SECURITY;
CREATE POLICY visita_respuestas_alcance ON pae.visita_respuestas
    USING (pae.puede_ver_visita_id(visita)) WITH CHECK (pae.puede_ver_visita_id(visita));
ALTER TABLE pae.evidencias ENABLE ROW LEVEL SECURITY;
CREATE POLICY evidencias_alcance ON pae.evidencias
    USING (pae.puede_ver_visita_id(visita)) WITH CHECK (pae.puede_ver_visita_id(visita));
ALTER TABLE pae.transiciones ENABLE ROW LEVEL SECURITY;
CREATE POLICY transiciones_alcance ON pae.transiciones USING (pae.puede_ver_visita_id(visita));
ALTER TABLE pae.alertas ENABLE ROW LEVEL SECURITY;
CREATE POLICY alertas_alcance ON pae.alertas USING (pae.puede_ver_visita_id(visita));
ALTER TABLE pae.eventos ENABLE ROW LEVEL SECURITY;
CREATE POLICY eventos_alcance ON pae.eventos USING (visita IS NULL OR pae.puede_ver_visita_id(visita));
ALTER TABLE pae.usuarios ENABLE ROW LEVEL SECURITY;
CREATE POLICY usuarios_alcance ON pae.usuarios
    USING (id = pae.usuario_actual() OR pg_has_role('pae_supervisor', 'USAGE')
           OR pg_has_role('pae_coordinador', 'USAGE') OR pg_has_role('pae_admin', 'USAGE'));

-- pg_dump keeps the rows users add (SPEC §2).  Shipped reference data
-- (municipios, shipped checklist items) is recreated by CREATE EXTENSION.
ALTER TABLE pae.checklist_items ADD COLUMN de_fabrica boolean NOT NULL DEFAULT false;
UPDATE pae.checklist_items SET de_fabrica = true;
COMMENT ON COLUMN pae.checklist_items.de_fabrica IS 'Ítem instalado por la extensión (los agregados localmente son false)';
SELECT pg_catalog.pg_extension_config_dump('pae.checklist_items', 'WHERE NOT de_fabrica');
SELECT pg_catalog.pg_extension_config_dump('pae.instituciones', '');
SELECT pg_catalog.pg_extension_config_dump('pae.sedes', '');
SELECT pg_catalog.pg_extension_config_dump('pae.operadores', '');
SELECT pg_catalog.pg_extension_config_dump('pae.contratos', '');
SELECT pg_catalog.pg_extension_config_dump('pae.contrato_sedes', '');
SELECT pg_catalog.pg_extension_config_dump('pae.usuarios', '');
SELECT pg_catalog.pg_extension_config_dump('pae.usuario_municipios', '');
SELECT pg_catalog.pg_extension_config_dump('pae.visitas_id', '');
SELECT pg_catalog.pg_extension_config_dump('pae.visitas_dia', '');
SELECT pg_catalog.pg_extension_config_dump('pae.visitas_checkin', '');
SELECT pg_catalog.pg_extension_config_dump('pae.visitas_default', '');
SELECT pg_catalog.pg_extension_config_dump('pae.visita_respuestas', '');
SELECT pg_catalog.pg_extension_config_dump('pae.evidencias', '');
SELECT pg_catalog.pg_extension_config_dump('pae.transiciones', '');
SELECT pg_catalog.pg_extension_config_dump('pae.alertas', '');
SELECT pg_catalog.pg_extension_config_dump('pae.eventos', '');
SELECT pg_catalog.pg_extension_config_dump('pae.transiciones_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('pae.alertas_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('pae.eventos_id_seq', '');
