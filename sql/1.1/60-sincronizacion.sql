-- Offline sync (SPEC §8, issue 11): pae_api.sincronizar(jsonb), in C
-- (src/sync.c, src/sync_item.c).  It drives the ordinary statements on
-- pae.visitas, pae.visita_respuestas and pae.evidencias as the caller, so
-- every trigger and policy judges every step; the only table it writes as
-- the extension's owner is pae.sincronizaciones.

-- What was last accepted for each visit: the canonical hash of the item
-- (SHA-256 of the jsonb text of the item without version_base).  No
-- foreign key to pae.visitas_id: re-planning a visit to another month
-- releases and re-claims its id within one statement, and deleting a
-- programada visit must not be blocked by its sync row.  A row whose visit
-- is gone is treated by the sync as absent.
CREATE TABLE pae.sincronizaciones (
    visita       uuid PRIMARY KEY,
    hash         bytea NOT NULL,
    version      integer NOT NULL,
    dispositivo  text,
    usuario      uuid,
    recibida_en  timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE pae.sincronizaciones IS
    'Última versión aceptada de cada visita sincronizada por pae_api.sincronizar: el hash canónico (SHA-256 del texto jsonb del ítem sin version_base) decide si un reenvío es duplicado; la escribe solo la función, como dueña de la extensión';
COMMENT ON COLUMN pae.sincronizaciones.visita IS 'Visita (id generado por el dispositivo)';
COMMENT ON COLUMN pae.sincronizaciones.hash IS 'SHA-256 del texto jsonb canónico del último ítem aceptado, sin version_base';
COMMENT ON COLUMN pae.sincronizaciones.version IS 'Versión de la visita que dejó ese ítem al aceptarse';
COMMENT ON COLUMN pae.sincronizaciones.dispositivo IS 'Dispositivo que envió el ítem aceptado';
COMMENT ON COLUMN pae.sincronizaciones.usuario IS 'Persona que lo sincronizó (pae.usuario_actual())';
COMMENT ON COLUMN pae.sincronizaciones.recibida_en IS 'Momento en que se aceptó';

REVOKE ALL ON pae.sincronizaciones FROM PUBLIC;
GRANT SELECT ON pae.sincronizaciones TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;
ALTER TABLE pae.sincronizaciones ENABLE ROW LEVEL SECURITY;
CREATE POLICY sincronizaciones_alcance ON pae.sincronizaciones
    USING (pae.puede_ver_visita_id(visita));
SELECT pg_catalog.pg_extension_config_dump('pae.sincronizaciones', '');

CREATE FUNCTION pae_api.sincronizar(jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pae_sincronizar'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION pae_api.sincronizar(jsonb) IS
$$Sincroniza las visitas capturadas sin conexión (POST /rpc/sincronizar)

Cuerpo: {"dispositivo": "tablet-17", "visitas": [{"id": uuid, "version_base": 0, "sede", "contrato", "fecha_visita", "estado": "programada" | "en_curso" | "cerrada", "checkin": {"lat", "lon", "precision_m", "t"}, "checkout": {...}, "raciones_entregadas", "observaciones", "respuestas": [{"item", "valor", "observacion"}], "evidencias": [{"id", "tipo", "sha256", "bytes", "mime", "lat", "lon", "tomada_en", "uri"}]}]}.
Cada visita se aplica en su propia subtransacción con las mismas reglas que cualquier otra vía (se crea programada y recorre la máquina de estados con las horas del dispositivo) y responde, en el orden de entrada, aceptada, duplicada (mismo contenido ya aceptado: no cambia nada), conflicto (PV007: version_base no es la versión del servidor; trae version y estado del servidor) o rechazada (con su SQLSTATE y mensaje); las demás se confirman.
Respuesta: {"resultados": [{"id", "resultado", "version", "estado", "error": {"sqlstate", "mensaje"}}], "aceptadas", "duplicadas", "conflictos", "rechazadas"}.
Límites (pae.reglas(), sync_*): 5000 visitas y 16 MB por lote, 256 kB, 100 respuestas y 50 evidencias por visita; por encima, o con un cuerpo mal formado, PV011 para todo el lote antes de aplicar nada.$$;
REVOKE ALL ON FUNCTION pae_api.sincronizar(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae_api.sincronizar(jsonb)
    TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;
