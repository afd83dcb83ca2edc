-- The event relay and the outbox publication (SPEC §7, issue 13 item 1).
--
-- With pae_cauca in shared_preload_libraries the NOTIFY pae_eventos of each
-- committed event is sent by a background worker of the extension after
-- commit (src/relay.c), not by the writing transaction: an in-transaction
-- NOTIFY holds the notify queue's cluster-wide lock from pre-commit until
-- the commit record is flushed.  Without the preload the writing
-- transaction keeps sending it (src/eventos.c).

-- Where the worker of this database stands.  One row, inserted and written
-- only by the worker, in the same transaction as the NOTIFYs it sends.
CREATE TABLE pae.relay_cursor (
    unica             boolean PRIMARY KEY DEFAULT true CHECK (unica),
    horizonte         bigint NOT NULL,
    anunciados        bigint[] NOT NULL DEFAULT '{}',
    ultimo_anunciado  bigint,
    anunciado_en      timestamptz
);
COMMENT ON TABLE pae.relay_cursor IS
    'Posición del relay de eventos en esta base (una fila, la escribe solo el proceso de fondo, en la misma transacción que sus NOTIFY)';
COMMENT ON COLUMN pae.relay_cursor.unica IS 'Siempre verdadero: la tabla tiene una sola fila';
COMMENT ON COLUMN pae.relay_cursor.horizonte IS
    'Todo evento con id menor o igual ya fue anunciado o no confirmará nunca (su transacción se deshizo)';
COMMENT ON COLUMN pae.relay_cursor.anunciados IS
    'Ids mayores que el horizonte ya anunciados: esperan a que confirme o se deshaga un id menor todavía en curso';
COMMENT ON COLUMN pae.relay_cursor.ultimo_anunciado IS 'Id más alto anunciado hasta ahora';
COMMENT ON COLUMN pae.relay_cursor.anunciado_en IS 'Momento del último anuncio';
ALTER TABLE pae.relay_cursor ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON pae.relay_cursor FROM PUBLIC;
-- dumped: a restored database goes on from where the original was (the
-- script writes no row, so a restore never meets two)
SELECT pg_catalog.pg_extension_config_dump('pae.relay_cursor', '');

-- Where the relay starts when the row is missing (the worker inserts it the
-- first time it runs): after the events written before pae.relay_cursor
-- existed -- a 1.0 database announced those in their own transactions.
-- "Before" is by transaction id: the event's xmin is older than the one of
-- the transaction that created the table (frozen rows are oldest).
CREATE FUNCTION pae.relay_horizonte_inicial()
RETURNS bigint
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT COALESCE(max(e.id), 0)
      FROM pae.eventos e
     WHERE age(e.xmin) > (SELECT age(c.xmin) FROM pg_class c
                           WHERE c.oid = 'pae.relay_cursor'::regclass)
$$;
COMMENT ON FUNCTION pae.relay_horizonte_inicial() IS
    'Horizonte inicial del relay: el mayor id de los eventos escritos antes de instalar la versión 1.1 (ya anunciados por su transacción), 0 en una base nueva';
REVOKE ALL ON FUNCTION pae.relay_horizonte_inicial() FROM PUBLIC;

-- Marks the writing transaction in shared memory before it takes an id
-- (src/relay.c explains why that makes a late lower id impossible to miss).
CREATE FUNCTION pae.tg_eventos_en_vuelo()
RETURNS trigger
LANGUAGE c
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'pae_tg_eventos_en_vuelo';
COMMENT ON FUNCTION pae.tg_eventos_en_vuelo() IS
    'Disparador BEFORE INSERT FOR EACH STATEMENT de pae.eventos: anota la transacción que escribe eventos para el relay (sin la precarga no hace nada)';
REVOKE ALL ON FUNCTION pae.tg_eventos_en_vuelo() FROM PUBLIC;
CREATE TRIGGER eventos_en_vuelo BEFORE INSERT ON pae.eventos
    FOR EACH STATEMENT EXECUTE FUNCTION pae.tg_eventos_en_vuelo();
COMMENT ON TRIGGER eventos_en_vuelo ON pae.eventos IS
    'Anota en memoria compartida, antes de tomar ids, la transacción que escribe eventos, para que el relay nunca salte un id menor confirmado después';

CREATE FUNCTION pae.relay_modo()
RETURNS text
LANGUAGE c STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'pae_relay_modo';
COMMENT ON FUNCTION pae.relay_modo() IS
    'Quién envía NOTIFY pae_eventos: relay (el proceso de fondo, con pae_cauca en shared_preload_libraries) o en_transaccion (la transacción que escribe)';
REVOKE ALL ON FUNCTION pae.relay_modo() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.relay_modo() TO pae_admin;

CREATE FUNCTION pae.relay_trabajador_activo()
RETURNS boolean
LANGUAGE c VOLATILE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'pae_relay_trabajador_activo';
COMMENT ON FUNCTION pae.relay_trabajador_activo() IS
    'Verdadero si el proceso de fondo del relay de esta base está corriendo ahora (se detiene tras 1 s sin trabajo y lo arranca la próxima confirmación)';
REVOKE ALL ON FUNCTION pae.relay_trabajador_activo() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.relay_trabajador_activo() TO pae_admin;

CREATE FUNCTION pae.relay_estado()
RETURNS TABLE(modo text, trabajador_activo boolean, ultimo_anunciado bigint,
              pendientes bigint, retraso_s double precision)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT m.modo,
           pae.relay_trabajador_activo(),
           CASE WHEN m.modo = 'relay' THEN c.ultimo_anunciado
                ELSE (SELECT max(e.id) FROM pae.eventos e) END,
           CASE WHEN m.modo = 'relay' THEN p.n ELSE 0 END,
           CASE WHEN m.modo = 'relay' AND p.n > 0
                THEN extract(epoch FROM clock_timestamp() - p.desde)::double precision
                ELSE 0 END
      FROM pae.relay_modo() AS m(modo)
      LEFT JOIN pae.relay_cursor c ON true
      CROSS JOIN LATERAL (
            SELECT count(*) AS n, min(e.creado_en) AS desde
              FROM pae.eventos e
             WHERE e.id > COALESCE(c.horizonte, pae.relay_horizonte_inicial())
               AND e.id <> ALL (COALESCE(c.anunciados, '{}'))) p
$$;
COMMENT ON FUNCTION pae.relay_estado() IS
    'Estado del anuncio de eventos (NOTIFY pae_eventos) en esta base: modo (relay o en_transaccion), si el proceso de fondo corre, último id anunciado, eventos confirmados aún sin anunciar y la edad en segundos del más antiguo de ellos. En modo en_transaccion cada evento se anuncia al confirmar su transacción: pendientes 0';
REVOKE ALL ON FUNCTION pae.relay_estado() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.relay_estado() TO pae_admin;

COMMENT ON TABLE pae.eventos IS
    'Bandeja de salida de eventos (outbox); cada fila confirmada se anuncia con NOTIFY pae_eventos (por el relay tras confirmar, o en su transacción sin la precarga) y se publica en la publicación pae_eventos (pae.publicar_eventos())';

-- Logical replication of the outbox, for consumers such as Debezium's
-- outbox event router (wal_level = logical and a replication slot; README
-- "Events").  Not created by this script: a publication cannot be a member
-- of an extension (ALTER EXTENSION ... ADD PUBLICATION is refused), so
-- pg_dump dumps it as a user object, and a restore (CREATE EXTENSION first,
-- then the dump's CREATE PUBLICATION) would fail on the one the script had
-- made; DROP EXTENSION would also leave it behind and the next CREATE
-- EXTENSION would fail on it.  The DBA creates it once, with this function.
CREATE FUNCTION pae.publicar_eventos()
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_publication p WHERE p.pubname = 'pae_eventos') THEN
        CREATE PUBLICATION pae_eventos FOR TABLE pae.eventos WITH (publish = 'insert');
        COMMENT ON PUBLICATION pae_eventos IS
            'Publicación de la bandeja pae.eventos (solo inserciones) para consumidores por replicación lógica, p. ej. el enrutador outbox de Debezium';
        RETURN 'publicación pae_eventos creada';
    ELSIF NOT EXISTS (SELECT FROM pg_publication_tables t
                       WHERE t.pubname = 'pae_eventos' AND t.schemaname = 'pae' AND t.tablename = 'eventos') THEN
        -- left behind by DROP EXTENSION, or made by hand
        ALTER PUBLICATION pae_eventos ADD TABLE pae.eventos;
        RETURN 'pae.eventos añadida a la publicación pae_eventos';
    END IF;
    RETURN 'la publicación pae_eventos ya publica pae.eventos';
END
$$;
COMMENT ON FUNCTION pae.publicar_eventos() IS
    'Crea la publicación pae_eventos de la bandeja pae.eventos (solo inserciones) para replicación lógica (Debezium, suscripciones), o le añade la tabla si le falta; idempotente. Requiere wal_level = logical para que un consumidor la lea';
REVOKE ALL ON FUNCTION pae.publicar_eventos() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.publicar_eventos() TO pae_admin;
