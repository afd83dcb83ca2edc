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
