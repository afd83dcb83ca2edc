/*-------------------------------------------------------------------------
 *
 * sync.c
 *	  pae_api.sincronizar(jsonb) RETURNS jsonb: what a device collected
 *	  offline, applied as if each step had been made online (SPEC §8).
 *
 * The batch is checked against its limits before any work (PV011 for the
 * whole call).  Then each item is decoded (sync_item.c) and applied in its
 * own subtransaction, the way a PL/pgSQL exception block does it: a bad
 * item is rolled back alone and answered "rechazada" with its SQLSTATE and
 * message, the others commit.
 *
 * Nothing here re-implements a visit rule.  A new visit is INSERTed into
 * pae.visitas as programada and walked through the state machine with the
 * ordinary statements, as the caller (SECURITY INVOKER: row-level security
 * applies): UPDATE to en_curso with the check-in and the device's time,
 * INSERT of the answers and the evidence, UPDATE to cerrada with the
 * check-out.  The triggers of those tables judge every step (validation,
 * geofence, state machine, alerts, history, events, audit).  A visit the
 * server scheduled is walked the same way from the state it is in.
 *
 * Idempotence and lost updates.  For each accepted item the SHA-256 of its
 * canonical form -- the jsonb text of the item without "version_base"
 * (jsonb sorts keys and drops duplicates, so key order and spacing do not
 * matter) -- is kept in pae.sincronizaciones, one row per visit, written
 * as the extension's owner (clients cannot write it).  An item whose hash
 * is the stored one is "duplicada" and changes nothing.  Otherwise its
 * version_base must be the server's current version of the visit (0 for a
 * visit the server does not have); if not, it is "conflicto" (PV007) with
 * the server's version and state, and the server row is untouched.
 *
 * Concurrency.  The first statement of each item claims the visit's row in
 * pae.sincronizaciones (INSERT ... ON CONFLICT DO NOTHING, or a row lock
 * when the content differs), so two sessions syncing the same visit are
 * serialized on it: the second waits for the first to commit and then sees
 * its hash (duplicada) or its new version (conflicto).  Items are applied
 * in the order of their visit ids, whatever their order in the batch, so
 * two batches holding the same visits claim them in the same order and
 * cannot deadlock; results come back in input order.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

#include "eventos.h"
#include "pae_cauca.h"
#include "plan_clave.h"
#include "sync.h"

PG_FUNCTION_INFO_V1(pae_sincronizar);

typedef enum PaeResultado
{
	RES_ACEPTADA,
	RES_DUPLICADA,
	RES_CONFLICTO,
	RES_RECHAZADA
} PaeResultado;

static const char *const pae_resultados[] = {
	"aceptada", "duplicada", "conflicto", "rechazada"
};

/* the answer for one item (in the call's memory) */
typedef struct PaeSyncRes
{
	char	   *id;				/* as sent; NULL when it was not a string */
	PaeResultado resultado;
	bool		tiene_version;
	int32		version;
	char	   *estado;
	int			sqlerrcode;
	char	   *mensaje;
} PaeSyncRes;

typedef struct PaeSyncLote
{
	MemoryContext llamada;		/* the results live here */
	char	   *dispositivo;	/* NULL: none */
	bool		tiene_actor;
	pg_uuid_t	actor;
} PaeSyncLote;

/* the server's row of a visit, as the caller sees it */
typedef struct PaeServidor
{
	PaeSyncEstado estado;
	int32		version;
	char	   *sede;
	char	   *contrato;
	pg_uuid_t	visitador;
	TimestampTz fecha_visita;
	bool		tiene_raciones_programadas;
	int32		raciones_programadas;
} PaeServidor;

/* prepared once per backend (see spi_plan.c) */
static SPIPlanPtr plan_sinc_reservar = NULL;
static SPIPlanPtr plan_sinc_leer = NULL;
static SPIPlanPtr plan_sinc_bloquear = NULL;
static SPIPlanPtr plan_sinc_guardar = NULL;
static SPIPlanPtr plan_id = NULL;
static SPIPlanPtr plan_visita = NULL;
static SPIPlanPtr plan_insertar = NULL;
static SPIPlanPtr plan_replanear = NULL;
static SPIPlanPtr plan_en_curso = NULL;
static SPIPlanPtr plan_respuestas = NULL;
static SPIPlanPtr plan_respuestas_hay = NULL;
static SPIPlanPtr plan_evidencias = NULL;
static SPIPlanPtr plan_evidencias_hay = NULL;
static SPIPlanPtr plan_cerrada = NULL;
static SPIPlanPtr plan_contenido = NULL;
static SPIPlanPtr plan_evento = NULL;

/* ---------------------------------------------------------------------
 * helpers
 * ---------------------------------------------------------------------
 */

static void
pae_lote_invalido(const char *que, const char *detalle)
{
	ereport(ERROR,
			(errcode(ERRCODE_PAE_LOTE),
			 errmsg("lote de sincronización inválido: %s", que),
			 errdetail_internal("%s", detalle),
			 errhint("Envíe {\"dispositivo\": texto, \"visitas\": [...]} dentro de los límites de pae.reglas() (sync_*); divida los lotes grandes.")));
}

static int
pae_rango(PaeSyncEstado e)
{
	switch (e)
	{
		case PAE_SYNC_PROGRAMADA:
			return 0;
		case PAE_SYNC_EN_CURSO:
		case PAE_SYNC_DEVUELTA:
			return 1;
		case PAE_SYNC_CERRADA:
			return 2;
		default:
			return 3;			/* aprobada, cancelada: final */
	}
}

static PaeSyncEstado
pae_estado_de(const char *txt)
{
	int			i;

	for (i = 0; i < 6; i++)
		if (strcmp(txt, pae_sync_estados[i]) == 0)
			return (PaeSyncEstado) i;
	elog(ERROR, "unknown visit state \"%s\"", txt);
	return PAE_SYNC_PROGRAMADA; /* not reached */
}

static char *
pae_uuid_txt(const pg_uuid_t *u)
{
	return DatumGetCString(DirectFunctionCall1(uuid_out, UUIDPGetDatum(u)));
}

static bytea *
pae_bytea(const uint8 *p, int n)
{
	bytea	   *b = palloc(VARHDRSZ + n);

	SET_VARSIZE(b, VARHDRSZ + n);
	memcpy(VARDATA(b), p, n);
	return b;
}

/*
 * The canonical hash of an item: SHA-256 of the jsonb text of the item
 * without its "version_base".
 */
static void
pae_sync_hash(const JsonbValue *item, uint8 *out)
{
	Jsonb	   *j = JsonbValueToJsonb((JsonbValue *) item);
	char	   *txt;
	pg_cryptohash_ctx *ctx;

	j = DatumGetJsonbP(DirectFunctionCall2(jsonb_delete, JsonbPGetDatum(j),
										   CStringGetTextDatum("version_base")));
	txt = JsonbToCString(NULL, &j->root, VARSIZE(j));
	ctx = pg_cryptohash_create(PG_SHA256);
	if (ctx == NULL || pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) txt, strlen(txt)) < 0 ||
		pg_cryptohash_final(ctx, out, PG_SHA256_DIGEST_LENGTH) < 0)
		elog(ERROR, "could not compute SHA-256");
	pg_cryptohash_free(ctx);
}

static int
ejecutar(SPIPlanPtr *cache, const char *sql, int nargs, const Oid *tipos,
		 Datum *args, const char *nulls)
{
	return pae_plan_ejecutar(pae_plan_clave(cache, sql, nargs, tipos),
							 args, nulls, false, 0);
}

static Datum
col(int k, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, k, isnull);
}

/* an int4 from the first row's column k */
static int32
col_int4(int k)
{
	bool		isnull;
	Datum		d = col(k, &isnull);

	return isnull ? 0 : DatumGetInt32(d);
}

static Datum
pae_array(Datum *elems, bool *nulls, int n, Oid tipo, int16 len, bool byval, char align)
{
	int			dims[1] = {n};
	int			lbs[1] = {1};

	return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs,
											  tipo, len, byval, align));
}

/* ---------------------------------------------------------------------
 * pae.sincronizaciones, as the extension's owner
 * ---------------------------------------------------------------------
 */

/* claim the visit's row; true when it was not there */
static bool
sinc_reservar(PaeSyncLote *lote, const pg_uuid_t *id, const uint8 *hash)
{
	static const Oid tipos[4] = {UUIDOID, BYTEAOID, TEXTOID, UUIDOID};
	Datum		args[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};

	args[0] = UUIDPGetDatum(id);
	args[1] = PointerGetDatum(pae_bytea(hash, PG_SHA256_DIGEST_LENGTH));
	args[2] = lote->dispositivo ? CStringGetTextDatum(lote->dispositivo) : (Datum) 0;
	nulls[2] = lote->dispositivo ? ' ' : 'n';
	args[3] = lote->tiene_actor ? UUIDPGetDatum(&lote->actor) : (Datum) 0;
	nulls[3] = lote->tiene_actor ? ' ' : 'n';
	ejecutar(&plan_sinc_reservar,
			 "INSERT INTO pae.sincronizaciones (visita, hash, version, dispositivo, usuario)"
			 " VALUES ($1, $2, 0, $3, $4) ON CONFLICT (visita) DO NOTHING",
			 4, tipos, args, nulls);
	return SPI_processed == 1;
}

/*
 * The stored hash of the visit and where the visit is: false when it has no
 * row.  *hay_visita false: the row outlived its visit (a programada visit
 * deleted), and the item is treated as new.
 */
static bool
sinc_leer(const pg_uuid_t *id, bool bloquear, uint8 *hash, bool *hay_visita,
		  TimestampTz *fecha)
{
	static const Oid tipos[1] = {UUIDOID};
	Datum		arg = UUIDPGetDatum(id);
	bool		isnull;
	bytea	   *h;

	if (bloquear)
		ejecutar(&plan_sinc_bloquear,
				 "SELECT s.hash, r.fecha_visita FROM pae.sincronizaciones s"
				 "  LEFT JOIN pae.visitas_id r ON r.id = s.visita"
				 " WHERE s.visita = $1 FOR UPDATE OF s",
				 1, tipos, &arg, NULL);
	else
		ejecutar(&plan_sinc_leer,
				 "SELECT s.hash, r.fecha_visita FROM pae.sincronizaciones s"
				 "  LEFT JOIN pae.visitas_id r ON r.id = s.visita"
				 " WHERE s.visita = $1",
				 1, tipos, &arg, NULL);
	if (SPI_processed == 0)
	{
		SPI_freetuptable(SPI_tuptable);
		return false;
	}
	h = DatumGetByteaPP(col(1, &isnull));
	memset(hash, 0, PG_SHA256_DIGEST_LENGTH);
	if (VARSIZE_ANY_EXHDR(h) == PG_SHA256_DIGEST_LENGTH)
		memcpy(hash, VARDATA_ANY(h), PG_SHA256_DIGEST_LENGTH);
	*fecha = DatumGetTimestampTz(col(2, &isnull));
	*hay_visita = !isnull;
	SPI_freetuptable(SPI_tuptable);
	return true;
}

static void
sinc_guardar(PaeSyncLote *lote, const pg_uuid_t *id, const uint8 *hash, int32 version)
{
	static const Oid tipos[5] = {UUIDOID, BYTEAOID, INT4OID, TEXTOID, UUIDOID};
	Datum		args[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', ' '};

	args[0] = UUIDPGetDatum(id);
	args[1] = PointerGetDatum(pae_bytea(hash, PG_SHA256_DIGEST_LENGTH));
	args[2] = Int32GetDatum(version);
	args[3] = lote->dispositivo ? CStringGetTextDatum(lote->dispositivo) : (Datum) 0;
	nulls[3] = lote->dispositivo ? ' ' : 'n';
	args[4] = lote->tiene_actor ? UUIDPGetDatum(&lote->actor) : (Datum) 0;
	nulls[4] = lote->tiene_actor ? ' ' : 'n';
	ejecutar(&plan_sinc_guardar,
			 "UPDATE pae.sincronizaciones SET hash = $2, version = $3, dispositivo = $4,"
			 "       usuario = $5, recibida_en = pg_catalog.now()"
			 " WHERE visita = $1",
			 5, tipos, args, nulls);
}

/* the month of the visit, from the global registry of ids */
static bool
id_leer(const pg_uuid_t *id, TimestampTz *fecha)
{
	static const Oid tipos[1] = {UUIDOID};
	Datum		arg = UUIDPGetDatum(id);
	bool		isnull;

	ejecutar(&plan_id, "SELECT r.fecha_visita FROM pae.visitas_id r WHERE r.id = $1",
			 1, tipos, &arg, NULL);
	if (SPI_processed == 0)
	{
		SPI_freetuptable(SPI_tuptable);
		return false;
	}
	*fecha = DatumGetTimestampTz(col(1, &isnull));
	SPI_freetuptable(SPI_tuptable);
	return true;
}

/* ---------------------------------------------------------------------
 * the visit, as the caller (row-level security applies)
 * ---------------------------------------------------------------------
 */

static bool
visita_leer(const pg_uuid_t *id, TimestampTz fecha, PaeServidor *srv)
{
	static const Oid tipos[2] = {UUIDOID, TIMESTAMPTZOID};
	Datum		args[2];
	bool		isnull;

	args[0] = UUIDPGetDatum(id);
	args[1] = TimestampTzGetDatum(fecha);
	ejecutar(&plan_visita,
			 "SELECT v.estado::pg_catalog.text, v.version, v.sede::pg_catalog.text, v.contrato,"
			 "       v.visitador, v.fecha_visita, v.raciones_programadas"
			 "  FROM pae.visitas v WHERE v.id = $1 AND v.fecha_visita = $2",
			 2, tipos, args, NULL);
	if (SPI_processed == 0)
	{
		SPI_freetuptable(SPI_tuptable);
		return false;
	}
	srv->estado = pae_estado_de(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
	srv->version = col_int4(2);
	srv->sede = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);
	srv->contrato = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4);
	memcpy(&srv->visitador, DatumGetUUIDP(col(5, &isnull)), sizeof(pg_uuid_t));
	srv->fecha_visita = DatumGetTimestampTz(col(6, &isnull));
	srv->raciones_programadas = DatumGetInt32(col(7, &isnull));
	srv->tiene_raciones_programadas = !isnull;
	SPI_freetuptable(SPI_tuptable);
	return true;
}

/* the version a statement's RETURNING gave; PV007 when no row changed */
static int32
version_devuelta(const pg_uuid_t *id, const char *paso)
{
	int32		v;

	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_PAE_CONFLICTO),
				 errmsg("la visita %s cambió en el servidor durante la sincronización", pae_uuid_txt(id)),
				 errdetail("El paso %s no encontró la visita en el estado esperado.", paso),
				 errhint("Descargue la visita del servidor y reenvíela con su versión actual.")));
	v = col_int4(1);
	SPI_freetuptable(SPI_tuptable);
	return v;
}

static void
args_texto(Datum *args, char *nulls, int k, const char *s)
{
	args[k] = s ? CStringGetTextDatum(s) : (Datum) 0;
	nulls[k] = s ? ' ' : 'n';
}

static void
args_int4(Datum *args, char *nulls, int k, bool tiene, int32 v)
{
	args[k] = Int32GetDatum(v);
	nulls[k] = tiene ? ' ' : 'n';
}

static void
args_float8(Datum *args, char *nulls, int k, bool tiene, double v)
{
	args[k] = Float8GetDatum(v);
	nulls[k] = tiene ? ' ' : 'n';
}

/* the content columns: present in the item, or kept as the server has them */
static void
args_contenido(PaeSyncItem *it, Datum *args, char *nulls, int k)
{
	args[k] = BoolGetDatum(it->trae_observaciones);
	nulls[k] = ' ';
	args_texto(args, nulls, k + 1, it->observaciones);
	args[k + 2] = BoolGetDatum(it->trae_raciones_entregadas);
	nulls[k + 2] = ' ';
	args_int4(args, nulls, k + 3, it->tiene_raciones_entregadas, it->raciones_entregadas);
}

static int32
visita_insertar(PaeSyncLote *lote, PaeSyncItem *it, const pg_uuid_t *visitador,
				bool con_contenido, TimestampTz *fecha)
{
	static const Oid tipos[9] = {UUIDOID, TEXTOID, TEXTOID, UUIDOID, TIMESTAMPTZOID,
	INT4OID, TEXTOID, INT4OID, TEXTOID};
	Datum		args[9];
	char		nulls[9] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
	bool		isnull;
	int32		v;

	args[0] = UUIDPGetDatum(&it->id);
	args[1] = CStringGetTextDatum(it->sede);
	args[2] = CStringGetTextDatum(it->contrato);
	args[3] = UUIDPGetDatum(visitador);
	args[4] = TimestampTzGetDatum(it->fecha_visita);
	args_int4(args, nulls, 5, it->tiene_raciones_programadas, it->raciones_programadas);
	args_texto(args, nulls, 6, con_contenido ? it->observaciones : NULL);
	args_int4(args, nulls, 7, con_contenido && it->tiene_raciones_entregadas,
			  it->raciones_entregadas);
	args_texto(args, nulls, 8, lote->dispositivo);
	ejecutar(&plan_insertar,
			 "INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita,"
			 "                         raciones_programadas, observaciones,"
			 "                         raciones_entregadas, dispositivo)"
			 " VALUES ($1, $2::pg_catalog.bpchar, $3, $4, $5, $6, $7, $8, $9)"
			 " RETURNING version, fecha_visita",
			 9, tipos, args, nulls);
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("no se pudo crear la visita %s", pae_uuid_txt(&it->id)),
				 errdetail("La inserción no devolvió la fila creada."),
				 errhint("Revise los permisos de la sesión sobre pae.visitas.")));
	v = col_int4(1);
	*fecha = DatumGetTimestampTz(col(2, &isnull));
	SPI_freetuptable(SPI_tuptable);
	return v;
}

/* sede, contrato, visitador, fecha_visita or raciones_programadas changed? */
static bool
plan_cambia(PaeSyncItem *it, PaeServidor *srv)
{
	return strcmp(it->sede, srv->sede) != 0 ||
		strcmp(it->contrato, srv->contrato) != 0 ||
		(it->tiene_visitador &&
		 memcmp(&it->visitador, &srv->visitador, sizeof(pg_uuid_t)) != 0) ||
		it->fecha_visita != srv->fecha_visita ||
		(it->tiene_raciones_programadas &&
		 (!srv->tiene_raciones_programadas ||
		  it->raciones_programadas != srv->raciones_programadas));
}

static int32
visita_replanear(PaeSyncLote *lote, PaeSyncItem *it, PaeServidor *srv, TimestampTz *fecha)
{
	static const Oid tipos[8] = {UUIDOID, TIMESTAMPTZOID, TEXTOID, TEXTOID, UUIDOID,
	TIMESTAMPTZOID, INT4OID, TEXTOID};
	Datum		args[8];
	char		nulls[8] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
	bool		isnull;
	int32		v;

	args[0] = UUIDPGetDatum(&it->id);
	args[1] = TimestampTzGetDatum(srv->fecha_visita);
	args[2] = CStringGetTextDatum(it->sede);
	args[3] = CStringGetTextDatum(it->contrato);
	args[4] = UUIDPGetDatum(it->tiene_visitador ? &it->visitador : &srv->visitador);
	args[5] = TimestampTzGetDatum(it->fecha_visita);
	args_int4(args, nulls, 6, it->tiene_raciones_programadas, it->raciones_programadas);
	args_texto(args, nulls, 7, lote->dispositivo);
	ejecutar(&plan_replanear,
			 "UPDATE pae.visitas v SET sede = $3::pg_catalog.bpchar, contrato = $4, visitador = $5,"
			 "       fecha_visita = $6,"
			 "       raciones_programadas = pg_catalog.coalesce($7, v.raciones_programadas),"
			 "       dispositivo = $8"
			 " WHERE v.id = $1 AND v.fecha_visita = $2"
			 " RETURNING v.version, v.fecha_visita",
			 8, tipos, args, nulls);
	if (SPI_processed == 1)
		*fecha = DatumGetTimestampTz(col(2, &isnull));
	v = version_devuelta(&it->id, "de reprogramación");
	return v;
}

/*
 * The parameters of a move with a capture (to en_curso with the check-in,
 * to cerrada with the check-out): $1 id, $2 fecha_visita, $3-$6 the
 * capture (lat, lon, precision, time), $7 dispositivo, $8-$11 the content
 * (observaciones, raciones_entregadas, each with whether the item brings it).
 */
#define PAE_PASO_NARGS 11
static const Oid pae_paso_tipos[PAE_PASO_NARGS] = {UUIDOID, TIMESTAMPTZOID, FLOAT8OID, FLOAT8OID,
FLOAT8OID, TIMESTAMPTZOID, TEXTOID, BOOLOID, TEXTOID, BOOLOID, INT4OID};

static void
args_paso(PaeSyncLote *lote, PaeSyncItem *it, const PaeSyncCaptura *c,
		  TimestampTz fecha, Datum *args, char *nulls)
{
	memset(nulls, ' ', PAE_PASO_NARGS);
	args[0] = UUIDPGetDatum(&it->id);
	args[1] = TimestampTzGetDatum(fecha);
	args_float8(args, nulls, 2, c->presente && c->tiene_lat, c->lat);
	args_float8(args, nulls, 3, c->presente && c->tiene_lon, c->lon);
	args_float8(args, nulls, 4, c->presente && c->tiene_precision, c->precision_m);
	args[5] = TimestampTzGetDatum(c->t);
	nulls[5] = c->presente ? ' ' : 'n';
	args_texto(args, nulls, 6, lote->dispositivo);
	args_contenido(it, args, nulls, 7);
}

static int32
visita_en_curso(PaeSyncLote *lote, PaeSyncItem *it, TimestampTz fecha, bool con_contenido)
{
	Datum		args[PAE_PASO_NARGS];
	char		nulls[PAE_PASO_NARGS];

	args_paso(lote, it, &it->checkin, fecha, args, nulls);
	if (!con_contenido)
		args[7] = args[9] = BoolGetDatum(false);
	ejecutar(&plan_en_curso,
			 "UPDATE pae.visitas v SET estado = 'en_curso',"
			 "       checkin_lat = $3, checkin_lon = $4, checkin_precision_m = $5, checkin_en = $6,"
			 "       dispositivo = $7,"
			 "       observaciones = CASE WHEN $8 THEN $9 ELSE v.observaciones END,"
			 "       raciones_entregadas = CASE WHEN $10 THEN $11 ELSE v.raciones_entregadas END"
			 " WHERE v.id = $1 AND v.fecha_visita = $2 AND v.estado = 'programada'"
			 " RETURNING v.version",
			 PAE_PASO_NARGS, pae_paso_tipos, args, nulls);
	return version_devuelta(&it->id, "de check-in (a en_curso)");
}

static int32
visita_cerrada(PaeSyncLote *lote, PaeSyncItem *it, TimestampTz fecha)
{
	Datum		args[PAE_PASO_NARGS];
	char		nulls[PAE_PASO_NARGS];

	args_paso(lote, it, &it->checkout, fecha, args, nulls);
	ejecutar(&plan_cerrada,
			 "UPDATE pae.visitas v SET estado = 'cerrada',"
			 "       checkout_lat = $3, checkout_lon = $4, checkout_precision_m = $5,"
			 "       checkout_en = $6, dispositivo = $7,"
			 "       observaciones = CASE WHEN $8 THEN $9 ELSE v.observaciones END,"
			 "       raciones_entregadas = CASE WHEN $10 THEN $11 ELSE v.raciones_entregadas END"
			 " WHERE v.id = $1 AND v.fecha_visita = $2"
			 "   AND v.estado IN ('en_curso', 'devuelta')"
			 " RETURNING v.version",
			 PAE_PASO_NARGS, pae_paso_tipos, args, nulls);
	return version_devuelta(&it->id, "de check-out (a cerrada)");
}

/* observaciones / raciones_entregadas without a change of state */
static bool
visita_contenido(PaeSyncLote *lote, PaeSyncItem *it, TimestampTz fecha, int32 *version)
{
	static const Oid tipos[7] = {UUIDOID, TIMESTAMPTZOID, BOOLOID, TEXTOID, BOOLOID, INT4OID,
	TEXTOID};
	Datum		args[7];
	char		nulls[7];

	if (!it->trae_observaciones && !it->trae_raciones_entregadas)
		return false;
	memset(nulls, ' ', sizeof(nulls));
	args[0] = UUIDPGetDatum(&it->id);
	args[1] = TimestampTzGetDatum(fecha);
	args_contenido(it, args, nulls, 2);
	args_texto(args, nulls, 6, lote->dispositivo);
	ejecutar(&plan_contenido,
			 "UPDATE pae.visitas v SET"
			 "       observaciones = CASE WHEN $3 THEN $4 ELSE v.observaciones END,"
			 "       raciones_entregadas = CASE WHEN $5 THEN $6 ELSE v.raciones_entregadas END,"
			 "       dispositivo = $7"
			 " WHERE v.id = $1 AND v.fecha_visita = $2"
			 "   AND (($3 AND v.observaciones IS DISTINCT FROM $4)"
			 "        OR ($5 AND v.raciones_entregadas IS DISTINCT FROM $6))"
			 " RETURNING v.version",
			 7, tipos, args, nulls);
	if (SPI_processed == 0)
	{
		SPI_freetuptable(SPI_tuptable);
		return false;
	}
	*version = version_devuelta(&it->id, "de contenido");
	return true;
}

/*
 * What the visit already has, read as the extension's owner: by the time
 * answers and evidence are written the visit is the caller's (created by
 * them, or read under their policies), so the owner sees exactly the rows
 * the caller would -- without asking the children's policy row by row.
 * The filtering is done here, not by a NOT EXISTS in the INSERT, whose
 * scan of the child table would run that policy for every row it reads.
 */
static int
visita_existentes(SPIPlanPtr *cache, const char *sql, const pg_uuid_t *id)
{
	static const Oid tipos[1] = {UUIDOID};
	PaeUsuarioGuardado guardado;
	Datum		arg = UUIDPGetDatum(id);

	pae_como_duenio(&guardado);
	ejecutar(cache, sql, 1, tipos, &arg, NULL);
	pae_restaurar_usuario(&guardado);
	return (int) SPI_processed;
}

static bool
texto_igual(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/*
 * The answers that are new or differ from the stored ones, in one
 * statement.  nueva: the visit was created by this item, so it has none.
 */
static void
visita_respuestas(PaeSyncItem *it, bool nueva)
{
	static const Oid tipos[4] = {UUIDOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID};
	Datum		args[4];
	Datum	   *items,
			   *valores,
			   *obs;
	bool	   *sin_obs;
	bool	   *nunca;
	bool	   *igual;
	int			i,
				j,
				k,
				guardadas,
				n = it->nrespuestas;

	if (n == 0)
		return;
	igual = palloc0(sizeof(bool) * n);
	guardadas = nueva ? 0 : visita_existentes(&plan_respuestas_hay,
								  "SELECT o.item, o.valor, o.observacion FROM pae.visita_respuestas o"
								  " WHERE o.visita OPERATOR(pg_catalog.=) $1",
								  &it->id);
	for (j = 0; j < guardadas; j++)
	{
		HeapTuple	tup = SPI_tuptable->vals[j];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *item = SPI_getvalue(tup, desc, 1);

		for (i = 0; i < n; i++)
			if (!igual[i] && strcmp(item, it->respuestas[i].item) == 0 &&
				texto_igual(SPI_getvalue(tup, desc, 2), it->respuestas[i].valor) &&
				texto_igual(SPI_getvalue(tup, desc, 3), it->respuestas[i].observacion))
				igual[i] = true;
	}
	if (!nueva)
		SPI_freetuptable(SPI_tuptable);

	items = palloc(sizeof(Datum) * n);
	valores = palloc(sizeof(Datum) * n);
	obs = palloc(sizeof(Datum) * n);
	sin_obs = palloc(sizeof(bool) * n);
	nunca = palloc0(sizeof(bool) * n);
	for (i = 0, k = 0; i < n; i++)
	{
		if (igual[i])
			continue;
		items[k] = CStringGetTextDatum(it->respuestas[i].item);
		valores[k] = CStringGetTextDatum(it->respuestas[i].valor);
		sin_obs[k] = it->respuestas[i].observacion == NULL;
		obs[k] = sin_obs[k] ? (Datum) 0 : CStringGetTextDatum(it->respuestas[i].observacion);
		k++;
	}
	if (k == 0)
		return;
	args[0] = UUIDPGetDatum(&it->id);
	args[1] = pae_array(items, nunca, k, TEXTOID, -1, false, TYPALIGN_INT);
	args[2] = pae_array(valores, nunca, k, TEXTOID, -1, false, TYPALIGN_INT);
	args[3] = pae_array(obs, sin_obs, k, TEXTOID, -1, false, TYPALIGN_INT);
	ejecutar(&plan_respuestas,
			 "INSERT INTO pae.visita_respuestas AS r (visita, item, valor, observacion)"
			 " SELECT $1, x.item, x.valor, x.observacion"
			 "   FROM ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3), pg_catalog.unnest($4))"
			 "        WITH ORDINALITY AS x(item, valor, observacion, n)"
			 "  ORDER BY x.n"
			 " ON CONFLICT (visita, item) DO UPDATE"
			 "    SET valor = EXCLUDED.valor, observacion = EXCLUDED.observacion,"
			 "        respondida_en = pg_catalog.now()",
			 4, tipos, args, NULL);
}

/*
 * The evidence not stored yet for this visit (an evidence id is stored
 * once).  nueva: the visit was created by this item, so it has none.
 */
static void
visita_evidencias(PaeSyncItem *it, bool nueva)
{
	static const Oid tipos[10] = {UUIDOID, UUIDARRAYOID, TEXTARRAYOID, TEXTARRAYOID,
		INT8ARRAYOID, TEXTARRAYOID, FLOAT8ARRAYOID, FLOAT8ARRAYOID, TIMESTAMPTZARRAYOID,
	TEXTARRAYOID};
	Datum		args[10];
	int			n = it->nevidencias;
	Datum	   *d[9];
	bool	   *nul[9];
	bool	   *guardada;
	int			i,
				j,
				k,
				m,
				guardadas;

	if (n == 0)
		return;
	guardada = palloc0(sizeof(bool) * n);
	guardadas = nueva ? 0 : visita_existentes(&plan_evidencias_hay,
								  "SELECT e.id FROM pae.evidencias e"
								  " WHERE e.visita OPERATOR(pg_catalog.=) $1",
								  &it->id);
	for (j = 0; j < guardadas; j++)
	{
		bool		isnull;
		pg_uuid_t  *eid = DatumGetUUIDP(SPI_getbinval(SPI_tuptable->vals[j],
													  SPI_tuptable->tupdesc, 1, &isnull));

		for (i = 0; i < n; i++)
			if (!isnull && memcmp(eid, &it->evidencias[i].id, sizeof(pg_uuid_t)) == 0)
				guardada[i] = true;
	}
	if (!nueva)
		SPI_freetuptable(SPI_tuptable);

	for (m = 0; m < 9; m++)
	{
		d[m] = palloc(sizeof(Datum) * n);
		nul[m] = palloc0(sizeof(bool) * n);
	}
	for (i = 0, k = 0; i < n; i++)
	{
		PaeSyncEvidencia *e = &it->evidencias[i];

		if (guardada[i])
			continue;
		d[0][k] = UUIDPGetDatum(&e->id);
		d[1][k] = CStringGetTextDatum(e->tipo);
		d[2][k] = CStringGetTextDatum(e->sha256);
		d[3][k] = Int64GetDatum(e->bytes);
		d[4][k] = CStringGetTextDatum(e->mime);
		d[5][k] = Float8GetDatum(e->lat);
		nul[5][k] = !e->tiene_lat;
		d[6][k] = Float8GetDatum(e->lon);
		nul[6][k] = !e->tiene_lon;
		d[7][k] = TimestampTzGetDatum(e->tomada_en);
		nul[7][k] = !e->tiene_tomada;
		d[8][k] = e->uri ? CStringGetTextDatum(e->uri) : (Datum) 0;
		nul[8][k] = e->uri == NULL;
		k++;
	}
	if (k == 0)
		return;
	args[0] = UUIDPGetDatum(&it->id);
	args[1] = pae_array(d[0], nul[0], k, UUIDOID, UUID_LEN, false, TYPALIGN_CHAR);
	args[2] = pae_array(d[1], nul[1], k, TEXTOID, -1, false, TYPALIGN_INT);
	args[3] = pae_array(d[2], nul[2], k, TEXTOID, -1, false, TYPALIGN_INT);
	args[4] = pae_array(d[3], nul[3], k, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	args[5] = pae_array(d[4], nul[4], k, TEXTOID, -1, false, TYPALIGN_INT);
	args[6] = pae_array(d[5], nul[5], k, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	args[7] = pae_array(d[6], nul[6], k, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	args[8] = pae_array(d[7], nul[7], k, TIMESTAMPTZOID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	args[9] = pae_array(d[8], nul[8], k, TEXTOID, -1, false, TYPALIGN_INT);
	ejecutar(&plan_evidencias,
			 "INSERT INTO pae.evidencias (id, visita, tipo, sha256, bytes, mime, lat, lon,"
			 "                            tomada_en, uri)"
			 " SELECT x.id, $1, x.tipo, pg_catalog.lower(x.sha256), x.bytes, x.mime, x.lat, x.lon,"
			 "        x.tomada_en, x.uri"
			 "   FROM ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3), pg_catalog.unnest($4),"
			 "                   pg_catalog.unnest($5), pg_catalog.unnest($6), pg_catalog.unnest($7),"
			 "                   pg_catalog.unnest($8), pg_catalog.unnest($9), pg_catalog.unnest($10))"
			 "        WITH ORDINALITY"
			 "        AS x(id, tipo, sha256, bytes, mime, lat, lon, tomada_en, uri, n)"
			 "  ORDER BY x.n",
			 10, tipos, args, NULL);
}

/* ---------------------------------------------------------------------
 * one item
 * ---------------------------------------------------------------------
 */

static void
pae_conflicto(PaeSyncLote *lote, PaeSyncRes *res, PaeSyncItem *it,
			  bool hay, PaeServidor *srv, const char *por_que)
{
	res->tiene_version = true;
	res->version = hay ? srv->version : 0;
	res->estado = hay ? MemoryContextStrdup(lote->llamada, pae_sync_estados[srv->estado]) : NULL;
	ereport(ERROR,
			(errcode(ERRCODE_PAE_CONFLICTO),
			 errmsg("conflicto de sincronización en la visita %s: %s",
					pae_uuid_txt(&it->id), por_que),
			 errdetail("El dispositivo partió de la versión %d; el servidor tiene la versión %d%s%s.",
					   it->version_base, res->version,
					   hay ? " en estado " : "", hay ? res->estado : ""),
			 errhint("Descargue la visita del servidor, reconcilie los cambios y reenvíela con version_base = %d.",
					 res->version)));
}

static void
pae_sync_item(PaeSyncLote *lote, PaeSyncItem *it, const uint8 *hash, PaeSyncRes *res)
{
	PaeUsuarioGuardado guardado;
	PaeServidor srv;
	bool		reservada;
	bool		hay = false;	/* the visit exists */
	bool		igual = false;	/* same content as last accepted */
	uint8		guardado_hash[PG_SHA256_DIGEST_LENGTH];
	TimestampTz fecha = 0;
	int32		version;
	PaeSyncEstado s;
	PaeSyncEstado t = it->estado;
	bool		contenido_hecho = false;

	memset(&srv, 0, sizeof(srv));
	/* a device completes visits; supervision moves are made online */
	if (t != PAE_SYNC_PROGRAMADA && t != PAE_SYNC_EN_CURSO && t != PAE_SYNC_CERRADA)
		ereport(ERROR,
				(errcode(ERRCODE_PAE_TRANSICION),
				 errmsg("la sincronización no lleva visitas al estado %s", pae_sync_estados[t]),
				 errdetail("Un dispositivo sincroniza visitas programadas, en_curso o cerradas; la visita %s llegó en estado %s.",
						   pae_uuid_txt(&it->id), pae_sync_estados[t]),
				 errhint("Apruebe, devuelva o cancele visitas con pae_api.transicion.")));

	/* 1. claim the visit's sync row (serializes concurrent syncs of it) */
	pae_como_duenio(&guardado);
	reservada = sinc_reservar(lote, &it->id, hash);
	if (reservada)
		hay = id_leer(&it->id, &fecha);
	else if (sinc_leer(&it->id, false, guardado_hash, &hay, &fecha))
	{
		igual = memcmp(guardado_hash, hash, PG_SHA256_DIGEST_LENGTH) == 0;
		/* differs: wait for a concurrent sync of it, then look again */
		if (!igual && sinc_leer(&it->id, true, guardado_hash, &hay, &fecha))
			igual = memcmp(guardado_hash, hash, PG_SHA256_DIGEST_LENGTH) == 0;
		if (!hay)
			igual = false;		/* its visit was deleted: new again */
	}
	pae_restaurar_usuario(&guardado);

	/* 2. the server's visit, as the caller may see it */
	if (hay && !visita_leer(&it->id, fecha, &srv))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("la visita %s no es de esta sesión", pae_uuid_txt(&it->id)),
				 errdetail("El id pertenece a una visita que la sesión no puede ver ni cambiar."),
				 errhint("Sincronice solo visitas propias; para una visita nueva genere un uuid nuevo.")));

	if (igual)
	{
		res->resultado = RES_DUPLICADA;
		res->tiene_version = true;
		res->version = srv.version;
		res->estado = MemoryContextStrdup(lote->llamada, pae_sync_estados[srv.estado]);
		return;
	}

	/* 3. no lost update: the device must start from the server's version */
	if (hay && it->version_base != srv.version)
		pae_conflicto(lote, res, it, true, &srv,
					  it->version_base < srv.version ?
					  "la visita cambió en el servidor desde la versión del dispositivo" :
					  "version_base es posterior a la versión del servidor");
	if (!hay && it->version_base != 0)
		pae_conflicto(lote, res, it, false, &srv,
					  "la visita no existe en el servidor");

	/* 4. create it, or re-plan it, as the caller */
	if (!hay)
	{
		pg_uuid_t  *visitador;

		if (it->tiene_visitador && lote->tiene_actor &&
			memcmp(&it->visitador, &lote->actor, sizeof(pg_uuid_t)) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("una visita sincronizada es del visitador que la sincroniza"),
					 errdetail("La visita nueva %s nombra al visitador %s pero la sincroniza %s.",
							   pae_uuid_txt(&it->id), pae_uuid_txt(&it->visitador),
							   pae_uuid_txt(&lote->actor)),
					 errhint("Omita \"visitador\" (se usa quien sincroniza) o sincronice con la sesión de ese visitador.")));
		if (it->tiene_visitador)
			visitador = &it->visitador;
		else if (lote->tiene_actor)
			visitador = &lote->actor;
		else
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("sesión sin usuario identificado no puede sincronizar visitas"),
					 errdetail("La visita nueva %s no nombra visitador y la sesión no trae un JWT de confianza ni un rol asociado a una persona.",
							   pae_uuid_txt(&it->id)),
					 errhint("Inicie sesión con pae_api.login y sincronice con su token.")));
		version = visita_insertar(lote, it, visitador, t == PAE_SYNC_PROGRAMADA, &fecha);
		s = PAE_SYNC_PROGRAMADA;
		contenido_hecho = (t == PAE_SYNC_PROGRAMADA);
	}
	else
	{
		s = srv.estado;
		version = srv.version;
		/* the server is past the device's state (closed, approved, ...) */
		if (pae_rango(t) < pae_rango(s) || pae_rango(s) == 3)
			pae_conflicto(lote, res, it, true, &srv,
						  psprintf("el servidor tiene la visita en estado %s", pae_sync_estados[s]));
		if (plan_cambia(it, &srv))
			version = visita_replanear(lote, it, &srv, &fecha);
	}

	/* 5. walk the state machine to the state the device reached */
	if (s == PAE_SYNC_PROGRAMADA && pae_rango(t) >= 1)
	{
		version = visita_en_curso(lote, it, fecha, t == PAE_SYNC_EN_CURSO);
		contenido_hecho = (t == PAE_SYNC_EN_CURSO);
		s = PAE_SYNC_EN_CURSO;
	}
	if (pae_rango(t) >= 1)
	{
		visita_respuestas(it, !hay);
		visita_evidencias(it, !hay);
	}
	if (t == PAE_SYNC_CERRADA && pae_rango(s) == 1)
	{
		version = visita_cerrada(lote, it, fecha);
		contenido_hecho = true;
		s = PAE_SYNC_CERRADA;
	}
	if (!contenido_hecho)
		visita_contenido(lote, it, fecha, &version);

	/* 6. remember what was accepted */
	pae_como_duenio(&guardado);
	sinc_guardar(lote, &it->id, hash, version);
	pae_restaurar_usuario(&guardado);

	res->resultado = RES_ACEPTADA;
	res->tiene_version = true;
	res->version = version;
	res->estado = MemoryContextStrdup(lote->llamada, pae_sync_estados[s]);
}

/*
 * Memory of a committed item.  A subtransaction's CurTransactionContext
 * (an 8 kB block at least) outlives its commit until the end of the whole
 * transaction, unless nothing was ever allocated in it -- and every
 * statement on a table with a statement-level trigger allocates there
 * (the executor's per-table trigger state), then frees it when the
 * statement ends.  So a 5,000-visit batch would keep 5,000 such blocks
 * holding nothing.  Before the commit, a context with no children whose
 * every chunk is free (its used space is that of an allocated-and-freed
 * reference context: headers only) is reset, so that the commit finds it
 * empty and deletes it, as PostgreSQL does for an unused one.  A context
 * still holding anything (a pending NOTIFY, invalidation messages the
 * parent will need) is left alone.
 */
static Size
pae_contexto_ocupado(MemoryContext cxt, Size *bloques)
{
	MemoryContextCounters c;

	memset(&c, 0, sizeof(c));
	cxt->methods->stats(cxt, NULL, NULL, &c, false);
	*bloques = c.nblocks;
	return c.totalspace - c.freespace;
}

static void
pae_soltar_contexto_libre(MemoryContext cxt)
{
	static Size vacio = 0;		/* used space of an AllocSet holding nothing */
	Size		bloques;

	if (vacio == 0)
	{
		MemoryContext ref = AllocSetContextCreate(CurrentMemoryContext,
												  "pae_sincronizar referencia",
												  ALLOCSET_DEFAULT_SIZES);

		pfree(MemoryContextAlloc(ref, 64));
		vacio = pae_contexto_ocupado(ref, &bloques);
		MemoryContextDelete(ref);
	}
	if (cxt == NULL || !IsA(cxt, AllocSetContext) || cxt->firstchild != NULL)
		return;
	if (pae_contexto_ocupado(cxt, &bloques) == vacio && bloques == 1)
		MemoryContextReset(cxt);
}

/* run one item in its own subtransaction; record its outcome */
static void
pae_sync_item_subtransaccion(PaeSyncLote *lote, PaeSyncItem *it, const uint8 *hash,
							 PaeSyncRes *res, MemoryContext item_ctx)
{
	MemoryContext antes = CurrentMemoryContext;
	ResourceOwner duenio = CurrentResourceOwner;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(item_ctx);
	PG_TRY();
	{
		pae_sync_item(lote, it, hash, res);
		pae_soltar_contexto_libre(CurTransactionContext);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(antes);
		CurrentResourceOwner = duenio;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(item_ctx);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(antes);
		CurrentResourceOwner = duenio;

		/* a cancel or lack of memory ends the call, as in PL/pgSQL */
		if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED ||
			edata->sqlerrcode == ERRCODE_OUT_OF_MEMORY ||
			edata->elevel > ERROR)
			ReThrowError(edata);

		res->sqlerrcode = edata->sqlerrcode;
		res->mensaje = MemoryContextStrdup(lote->llamada,
										   edata->message ? edata->message : "error");
		if (edata->sqlerrcode == ERRCODE_PAE_CONFLICTO)
			res->resultado = RES_CONFLICTO;
		else
		{
			res->resultado = RES_RECHAZADA;
			res->tiene_version = false;
			res->estado = NULL;
		}
	}
	PG_END_TRY();
}

/* ---------------------------------------------------------------------
 * the batch
 * ---------------------------------------------------------------------
 */

typedef struct PaeOrden
{
	int			indice;
	bool		tiene_id;
	pg_uuid_t	id;
} PaeOrden;

static int
pae_orden_cmp(const void *a, const void *b)
{
	const PaeOrden *x = (const PaeOrden *) a;
	const PaeOrden *y = (const PaeOrden *) b;
	int			c;

	if (x->tiene_id != y->tiene_id)
		return x->tiene_id ? 1 : -1;
	if (x->tiene_id)
	{
		c = memcmp(x->id.data, y->id.data, UUID_LEN);
		if (c != 0)
			return c;
	}
	return x->indice < y->indice ? -1 : x->indice > y->indice ? 1 : 0;
}

static JsonbValue *
jb_texto(JsonbValue *v, const char *s)
{
	if (s == NULL)
	{
		v->type = jbvNull;
		return v;
	}
	v->type = jbvString;
	v->val.string.val = (char *) s;
	v->val.string.len = strlen(s);
	return v;
}

static JsonbValue *
jb_entero(JsonbValue *v, int64 n)
{
	v->type = jbvNumeric;
	v->val.numeric = int64_to_numeric(n);
	return v;
}

static void
jb_clave(JsonbParseState **st, const char *k)
{
	JsonbValue	v;

	pushJsonbValue(st, WJB_KEY, jb_texto(&v, k));
}

static Jsonb *
pae_respuesta(PaeSyncRes *res, int n, const int *cuenta)
{
	JsonbParseState *st = NULL;
	JsonbValue	v;
	JsonbValue *r;
	int			i;

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	jb_clave(&st, "resultados");
	pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < n; i++)
	{
		pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
		jb_clave(&st, "id");
		pushJsonbValue(&st, WJB_VALUE, jb_texto(&v, res[i].id));
		jb_clave(&st, "resultado");
		pushJsonbValue(&st, WJB_VALUE, jb_texto(&v, pae_resultados[res[i].resultado]));
		if (res[i].tiene_version)
		{
			jb_clave(&st, "version");
			pushJsonbValue(&st, WJB_VALUE, jb_entero(&v, res[i].version));
		}
		if (res[i].estado)
		{
			jb_clave(&st, "estado");
			pushJsonbValue(&st, WJB_VALUE, jb_texto(&v, res[i].estado));
		}
		if (res[i].resultado == RES_CONFLICTO || res[i].resultado == RES_RECHAZADA)
		{
			jb_clave(&st, "error");
			pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
			jb_clave(&st, "sqlstate");
			pushJsonbValue(&st, WJB_VALUE, jb_texto(&v, pstrdup(unpack_sql_state(res[i].sqlerrcode))));
			jb_clave(&st, "mensaje");
			pushJsonbValue(&st, WJB_VALUE, jb_texto(&v, res[i].mensaje));
			pushJsonbValue(&st, WJB_END_OBJECT, NULL);
		}
		pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(&st, WJB_END_ARRAY, NULL);
	for (i = 0; i < 4; i++)
	{
		jb_clave(&st, psprintf("%ss", pae_resultados[i]));
		pushJsonbValue(&st, WJB_VALUE, jb_entero(&v, cuenta[i]));
	}
	r = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(r);
}

/* one outbox event per batch that changed something, NOTIFY pae_eventos */
static void
pae_evento_lote(PaeSyncLote *lote, int n, const int *cuenta)
{
	static const Oid tipos[6] = {TEXTOID, UUIDOID, INT4OID, INT4OID, INT4OID, INT4OID};
	Datum		args[6];
	char		nulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};
	PaeUsuarioGuardado guardado;
	char	   *id;

	args_texto(args, nulls, 0, lote->dispositivo);
	args[1] = lote->tiene_actor ? UUIDPGetDatum(&lote->actor) : (Datum) 0;
	nulls[1] = lote->tiene_actor ? ' ' : 'n';
	args[2] = Int32GetDatum(cuenta[RES_ACEPTADA]);
	args[3] = Int32GetDatum(cuenta[RES_DUPLICADA]);
	args[4] = Int32GetDatum(cuenta[RES_CONFLICTO]);
	args[5] = Int32GetDatum(cuenta[RES_RECHAZADA]);
	pae_como_duenio(&guardado);
	pae_plan_ejecutar(pae_plan(&plan_evento,
							   "INSERT INTO pae.eventos (tipo, visita, payload)"
							   " VALUES ('sincronizacion', NULL,"
							   "         pg_catalog.jsonb_build_object('dispositivo', $1, 'usuario', $2,"
							   "             'visitas', $3 + $4 + $5 + $6, 'aceptadas', $3,"
							   "             'duplicadas', $4, 'conflictos', $5, 'rechazadas', $6))"
							   " RETURNING id",
							   6, tipos, true),
					  args, nulls, false, 0);
	id = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	pae_restaurar_usuario(&guardado);
	/* announced once the transaction commits (eventos.h) */
	pae_evento_anunciar(id, "sincronizacion", NULL);
	(void) n;
}

static JsonbValue *
pae_clave_objeto(JsonbContainer *c, const char *k)
{
	JsonbValue	clave;

	clave.type = jbvString;
	clave.val.string.val = (char *) k;
	clave.val.string.len = strlen(k);
	return findJsonbValueFromContainer(c, JB_FOBJECT, &clave);
}

/*
 * pae_api.sincronizar(jsonb) RETURNS jsonb
 */
Datum
pae_sincronizar(PG_FUNCTION_ARGS)
{
	PaeSyncLote lote;
	Size		bytes;
	Jsonb	   *cuerpo;
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	k,
				v;
	JsonbContainer *visitas = NULL;
	PaeSyncRes *res;
	PaeOrden   *orden;
	MemoryContext item_ctx;
	int			n,
				i;
	int			cuenta[4] = {0, 0, 0, 0};
	Jsonb	   *salida;

	/*
	 * 0. a read-only transaction (a GET under PostgREST, a hot standby)
	 * could store nothing: refuse the whole batch at once rather than
	 * answer every item rechazada
	 */
	if (XactReadOnly)
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("la sincronización no se puede hacer en una transacción de solo lectura"),
				 errdetail("pae_api.sincronizar guarda visitas y esta transacción es READ ONLY (un GET de PostgREST o una réplica)."),
				 errhint("Envíe el lote con POST /rpc/sincronizar al servidor primario.")));

	/* 1. limits and shape of the whole batch, before any work */
	if (PG_ARGISNULL(0))
		pae_lote_invalido("el cuerpo es null", "pae_api.sincronizar recibió NULL.");
	bytes = toast_raw_datum_size(PG_GETARG_DATUM(0));
	if (bytes > PAE_SYNC_MAX_BYTES)
		pae_lote_invalido("el lote es demasiado grande",
						  psprintf("El lote ocupa %zu bytes; el máximo es %d.",
								   bytes, PAE_SYNC_MAX_BYTES));
	cuerpo = PG_GETARG_JSONB_P(0);
	if (!JB_ROOT_IS_OBJECT(cuerpo))
		pae_lote_invalido("el cuerpo no es un objeto",
						  "El cuerpo debe ser un objeto JSON con las claves dispositivo y visitas.");

	memset(&lote, 0, sizeof(lote));
	lote.llamada = CurrentMemoryContext;
	it = JsonbIteratorInit(&cuerpo->root);
	tok = JsonbIteratorNext(&it, &k, true);
	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		if (tok != WJB_KEY)
			continue;
		JsonbIteratorNext(&it, &v, true);
		if (k.val.string.len == 11 && memcmp(k.val.string.val, "dispositivo", 11) == 0)
		{
			if (v.type == jbvString)
				lote.dispositivo = pnstrdup(v.val.string.val, v.val.string.len);
			else if (v.type != jbvNull)
				pae_lote_invalido("\"dispositivo\" debe ser texto",
								  "dispositivo identifica el equipo que envía el lote.");
		}
		else if (k.val.string.len == 7 && memcmp(k.val.string.val, "visitas", 7) == 0)
		{
			if (v.type != jbvBinary || !JsonContainerIsArray(v.val.binary.data) ||
				JsonContainerIsScalar(v.val.binary.data))
				pae_lote_invalido("\"visitas\" debe ser una lista",
								  "visitas es la lista de visitas capturadas sin conexión.");
			visitas = v.val.binary.data;
		}
		else
			pae_lote_invalido(psprintf("clave desconocida \"%.*s\"",
									   Min(k.val.string.len, 64), k.val.string.val),
							  "El cuerpo solo lleva las claves dispositivo y visitas.");
	}
	if (visitas == NULL)
		pae_lote_invalido("falta \"visitas\"",
						  "El cuerpo debe traer la lista visitas (puede estar vacía).");
	n = JsonContainerSize(visitas);
	if (n > PAE_SYNC_MAX_VISITAS)
		pae_lote_invalido("demasiadas visitas en el lote",
						  psprintf("El lote trae %d visitas; el máximo es %d.",
								   n, PAE_SYNC_MAX_VISITAS));

	/* per item: size, answers, evidence; and the processing order */
	res = palloc0(sizeof(PaeSyncRes) * Max(n, 1));
	orden = palloc0(sizeof(PaeOrden) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(visitas, i);

		orden[i].indice = i;
		if (e->type == jbvBinary && JsonContainerIsObject(e->val.binary.data))
		{
			JsonbValue *x;

			if (e->val.binary.len > PAE_SYNC_MAX_BYTES_VISITA)
				pae_lote_invalido("una visita del lote es demasiado grande",
								  psprintf("La visita %d del lote ocupa %d bytes; el máximo por visita es %d.",
										   i, e->val.binary.len, PAE_SYNC_MAX_BYTES_VISITA));
			x = pae_clave_objeto(e->val.binary.data, "respuestas");
			if (x && x->type == jbvBinary && JsonContainerIsArray(x->val.binary.data) &&
				JsonContainerSize(x->val.binary.data) > PAE_SYNC_MAX_RESPUESTAS)
				pae_lote_invalido("demasiadas respuestas en una visita",
								  psprintf("La visita %d del lote trae %d respuestas; el máximo es %d.",
										   i, JsonContainerSize(x->val.binary.data),
										   PAE_SYNC_MAX_RESPUESTAS));
			x = pae_clave_objeto(e->val.binary.data, "evidencias");
			if (x && x->type == jbvBinary && JsonContainerIsArray(x->val.binary.data) &&
				JsonContainerSize(x->val.binary.data) > PAE_SYNC_MAX_EVIDENCIAS)
				pae_lote_invalido("demasiadas evidencias en una visita",
								  psprintf("La visita %d del lote trae %d evidencias; el máximo es %d.",
										   i, JsonContainerSize(x->val.binary.data),
										   PAE_SYNC_MAX_EVIDENCIAS));
			x = pae_clave_objeto(e->val.binary.data, "id");
			if (x && x->type == jbvString)
				orden[i].tiene_id = pae_sync_uuid_leer(x->val.string.val,
													   x->val.string.len, &orden[i].id);
		}
		pfree(e);
	}
	qsort(orden, n, sizeof(PaeOrden), pae_orden_cmp);

	lote.tiene_actor = pae_usuario_actual(GetUserId(), &lote.actor);

	/* 2. each item in its own subtransaction, in the order of the ids */
	item_ctx = AllocSetContextCreate(CurrentMemoryContext, "pae_sincronizar visita",
									 ALLOCSET_DEFAULT_SIZES);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	for (i = 0; i < n; i++)
	{
		int			j = orden[i].indice;
		PaeSyncRes *r = &res[j];
		MemoryContext antes;
		JsonbValue *e;
		PaeSyncItem item;
		char	   *err;
		uint8		hash[PG_SHA256_DIGEST_LENGTH];

		CHECK_FOR_INTERRUPTS();
		antes = MemoryContextSwitchTo(item_ctx);
		e = getIthJsonbValueFromContainer(visitas, j);
		err = pae_sync_decodificar(e, &item);
		MemoryContextSwitchTo(antes);
		if (item.id_texto)
			r->id = MemoryContextStrdup(lote.llamada, item.id_texto);
		if (err != NULL)
		{
			r->resultado = RES_RECHAZADA;
			r->sqlerrcode = ERRCODE_PAE_LOTE;
			r->mensaje = MemoryContextStrdup(lote.llamada,
											 psprintf("visita %d del lote mal formada: %s", j, err));
		}
		else
		{
			antes = MemoryContextSwitchTo(item_ctx);
			pae_sync_hash(e, hash);
			MemoryContextSwitchTo(antes);
			pae_sync_item_subtransaccion(&lote, &item, hash, r, item_ctx);
		}
		cuenta[r->resultado]++;
		MemoryContextReset(item_ctx);
	}

	/* 3. the batch's event, when it changed anything */
	if (cuenta[RES_ACEPTADA] > 0)
		pae_evento_lote(&lote, n, cuenta);
	SPI_finish();
	MemoryContextDelete(item_ctx);

	salida = pae_respuesta(res, n, cuenta);
	PG_RETURN_JSONB_P(salida);
}
