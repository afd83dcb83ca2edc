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
