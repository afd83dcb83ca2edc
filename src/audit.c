/*-------------------------------------------------------------------------
 *
 * audit.c
 *	  The audit trail of SPEC §6: the row trigger that writes pae.auditoria,
 *	  the append-only guard (PV009), the canonical row hash and the wait
 *	  that lets pae.sellar_auditoria() seal without serializing writers.
 *
 * Every audit row carries hash = SHA-256 of a canonical encoding of its
 * contents that depends on no session setting (TimeZone, DateStyle,
 * extra_float_digits, search_path):
 *
 *	 "pae_cauca.auditoria.v1" NUL
 *	 id			int64, big-endian
 *	 en			int64 big-endian, microseconds since 1970-01-01 00:00 UTC
 *	 xid		uint64 big-endian (full transaction id)
 *	 tabla, operacion, pk, antes, despues, actor, rol_db, cliente
 *				each as int32 big-endian length then the bytes; -1 and no
 *				bytes for NULL.  jsonb columns contribute their canonical
 *				text (jsonb_out), actor its 16 raw bytes.
 *
 * Rows are not chained at insert time, so concurrent writers never wait on
 * a chain head; pae.sellar_auditoria() later chains the rows in id order
 * into pae.auditoria_sellos.  Each writing transaction announces a lower
 * bound of its ids with a lock (pae_anunciar_escritor), so the sealer can
 * wait for the writers in flight with a bound and seal only what no
 * uncommitted id can still precede (pae_auditoria_esperar_escritores_hasta).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "common/cryptohash.h"
#include "common/jsonapi.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "partitioning/partbounds.h"
#include "partitioning/partdesc.h"
#include "utils/partcache.h"
#include "access/table.h"
#include "access/tableam.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "storage/lwlock.h"
#include "storage/procarray.h"
#include "storage/standby.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"
#include "utils/xid8.h"

#include "auditoria_canon.h"
#include "disparadores.h"
#include "cabeceras.h"
#include "cache.h"
#include "fila_jsonb.h"
#include "pae_cauca.h"

#define PAE_HASH_LEN			32
/* longest value kept of each client header, in bytes (reglas.h) */
#define PAE_CLIENTE_VALOR_MAX	PAE_CABECERA_VALOR_MAX
/* microseconds between 1970-01-01 and 2000-01-01 */
#define PAE_EPOCH_UNIX_USEC \
	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY)

PG_FUNCTION_INFO_V1(pae_tg_auditoria);
PG_FUNCTION_INFO_V1(pae_tg_auditoria_inmutable);
PG_FUNCTION_INFO_V1(pae_auditoria_hash);
PG_FUNCTION_INFO_V1(pae_auditoria_esperar_escritores);
PG_FUNCTION_INFO_V1(pae_auditoria_esperar_escritores_hasta);

/*
 * Every transaction writing audit rows announces itself with a
 * transaction-level lock on an advisory tag of this class (locktag_field4;
 * pg_advisory_lock and friends use 1 and 2, so no SQL call can take or
 * fake one), whose key (field2:field3) is a lower bound of every audit id
 * the transaction holds.  See pae_anunciar_escritor.
 */
#define PAE_CLASE_ESCRITOR		0x5041

/* The request.headers PostgREST sets that the trail keeps (lower case) */
static const char *const pae_cabeceras_guardadas[] = {
	"user-agent", "x-forwarded-for", "x-real-ip", "x-forwarded-host",
	"x-forwarded-proto", "x-request-id", "x-client-info", "origin",
	"referer", "host", NULL
};


/*
 * Per-transaction memo (stamped as cache.h says): the client headers do not change from row to row,
 * so they are parsed once per transaction (and again whenever the headers
 * text changes).  Kept in TopMemoryContext because it outlives the trigger
 * call; it is tiny and replaced, never accumulated.
 */

static PaeSello pae_cliente_sello;		/* per transaction (cache.h) */
static Oid	pae_cliente_sesion = InvalidOid;
static bool pae_cliente_confiable = false;
static char *pae_cliente_fuente = NULL;
static Jsonb *pae_cliente_jsonb = NULL;
static char *pae_cliente_texto = NULL;


/* ---------------------------------------------------------------------
 * Canonical hash
 * ---------------------------------------------------------------------
 */
/* the encoding (auditoria_canon.c) goes straight into the SHA-256 context */
static void
pae_h_salida(void *arg, const uint8 *p, size_t n)
{
	if (pg_cryptohash_update((pg_cryptohash_ctx *) arg, p, n) < 0)
		elog(ERROR, "could not update SHA-256 context");
}

static void
pae_h_texto(PaeCanonFila *c, PaeCanonCampo i, text *t)
{
	c->campo[i] = t ? VARDATA_ANY(t) : NULL;
	c->largo[i] = t ? (int32) VARSIZE_ANY_EXHDR(t) : -1;
}

/* jsonb contributes its canonical text, which no setting changes */
static void
pae_h_jsonb(PaeCanonFila *c, PaeCanonCampo i, Jsonb *j, const char *ya_texto)
{
	const char *s = NULL;

	if (j != NULL)
		s = ya_texto ? ya_texto : JsonbToCString(NULL, &j->root, VARSIZE(j));
	c->campo[i] = s;
	c->largo[i] = s ? (int32) strlen(s) : -1;
}

typedef struct PaeFilaAuditoria
{
	int64		id;
	TimestampTz en;
	uint64		xid;
	text	   *tabla;
	text	   *operacion;
	Jsonb	   *pk;
	Jsonb	   *antes;
	Jsonb	   *despues;
	pg_uuid_t  *actor;			/* NULL when nobody was identified */
	text	   *rol_db;
	Jsonb	   *cliente;
	const char *cliente_texto;	/* jsonb_out of cliente, if known */
} PaeFilaAuditoria;

static void
pae_hash_fila(const PaeFilaAuditoria *f, uint8 *out)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);
	PaeCanonFila c;

	if (ctx == NULL || pg_cryptohash_init(ctx) < 0)
		elog(ERROR, "could not initialize SHA-256 context");
	c.id = f->id;
	c.en_unix_usec = f->en + PAE_EPOCH_UNIX_USEC;
	c.xid = f->xid;
	pae_h_texto(&c, PAE_CANON_TABLA, f->tabla);
	pae_h_texto(&c, PAE_CANON_OPERACION, f->operacion);
	pae_h_jsonb(&c, PAE_CANON_PK, f->pk, NULL);
	pae_h_jsonb(&c, PAE_CANON_ANTES, f->antes, NULL);
	pae_h_jsonb(&c, PAE_CANON_DESPUES, f->despues, NULL);
	c.campo[PAE_CANON_ACTOR] = f->actor ? (const char *) f->actor->data : NULL;
	c.largo[PAE_CANON_ACTOR] = f->actor ? UUID_LEN : -1;
	pae_h_texto(&c, PAE_CANON_ROL_DB, f->rol_db);
	pae_h_jsonb(&c, PAE_CANON_CLIENTE, f->cliente, f->cliente_texto);
	pae_canon_fila(&c, pae_h_salida, ctx);
	if (pg_cryptohash_final(ctx, out, PAE_HASH_LEN) < 0)
		elog(ERROR, "could not finalize SHA-256 context");
	pg_cryptohash_free(ctx);
}

/*
 * pae.auditoria_hash(id bigint, en timestamptz, xid xid8, tabla text,
 *					  operacion text, pk jsonb, antes jsonb, despues jsonb,
 *					  actor uuid, rol_db text, cliente jsonb) RETURNS bytea
 *		The canonical hash of an audit row, as the trigger computed it.
 */
Datum
pae_auditoria_hash(PG_FUNCTION_ARGS)
{
	PaeFilaAuditoria f;
	bytea	   *res;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	memset(&f, 0, sizeof(f));
	f.id = PG_GETARG_INT64(0);
	f.en = PG_GETARG_TIMESTAMPTZ(1);
	f.xid = U64FromFullTransactionId(PG_GETARG_FULLTRANSACTIONID(2));
	f.tabla = PG_ARGISNULL(3) ? NULL : PG_GETARG_TEXT_PP(3);
	f.operacion = PG_ARGISNULL(4) ? NULL : PG_GETARG_TEXT_PP(4);
	f.pk = PG_ARGISNULL(5) ? NULL : PG_GETARG_JSONB_P(5);
	f.antes = PG_ARGISNULL(6) ? NULL : PG_GETARG_JSONB_P(6);
	f.despues = PG_ARGISNULL(7) ? NULL : PG_GETARG_JSONB_P(7);
	f.actor = PG_ARGISNULL(8) ? NULL : PG_GETARG_UUID_P(8);
	f.rol_db = PG_ARGISNULL(9) ? NULL : PG_GETARG_TEXT_PP(9);
	f.cliente = PG_ARGISNULL(10) ? NULL : PG_GETARG_JSONB_P(10);

	res = (bytea *) palloc(VARHDRSZ + PAE_HASH_LEN);
	SET_VARSIZE(res, VARHDRSZ + PAE_HASH_LEN);
	pae_hash_fila(&f, (uint8 *) VARDATA(res));
	PG_RETURN_BYTEA_P(res);
}

/* ---------------------------------------------------------------------
 * Who and from where
 * ---------------------------------------------------------------------
 */
/* who is acting (pae_usuario_actual caches the JWT answer per transaction) */
static pg_uuid_t *
pae_auditoria_actor(Oid invocador)
{
	pg_uuid_t  *id = palloc(sizeof(pg_uuid_t));

	return pae_usuario_actual(invocador, id) ? id : NULL;
}

static void
pae_cab_campo(void *state, char *fname, bool isnull)
{
	PaeCabeceras *c = (PaeCabeceras *) state;
	int			i;

	if (c->nivel != 1)
		return;
	c->guardar = false;
	c->clave = NULL;
	for (i = 0; fname != NULL && pae_cabeceras_guardadas[i] != NULL; i++)
		if (pg_strcasecmp(fname, pae_cabeceras_guardadas[i]) == 0)
		{
			c->guardar = true;
			c->clave = (char *) pae_cabeceras_guardadas[i];
		}
}

/*
 * A copy of the headers JSON in which every string literal holding a
 * \u0000 escape (which text cannot hold, so the JSON parser refuses the
 * whole document) is replaced: a key by "" (which names no kept header),
 * a value by null (which is not kept).  Only the header carrying it is
 * lost.  Malformed input is copied as it comes; the parser rejects it.
 */
static char *
pae_cabeceras_sin_nul(const char *fuente)
{
	StringInfoData out;
	const char *p = fuente;

	initStringInfo(&out);
	while (*p != '\0')
	{
		const char *inicio;
		const char *q;
		bool		nul = false;

		if (*p != '"')
		{
			appendStringInfoChar(&out, *p++);
			continue;
		}
		inicio = p++;
		while (*p != '\0' && *p != '"')
		{
			if (*p == '\\' && p[1] != '\0')
			{
				if (strncmp(p + 1, "u0000", 5) == 0)
					nul = true;
				p++;
			}
			p++;
		}
		if (*p == '"')
			p++;
		if (!nul)
		{
			appendBinaryStringInfo(&out, inicio, p - inicio);
			continue;
		}
		for (q = p; *q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'; q++)
			;
		appendStringInfoString(&out, *q == ':' ? "\"\"" : "null");
	}
	return out.data;
}

/*
 * The client information PostgREST puts in request.headers, reduced to
 * the headers worth keeping (never Authorization or Cookie), each value
 * cut to PAE_CLIENTE_VALOR_MAX bytes.  Only sessions whose JWT claims are
 * trusted (opened by the authenticator role or a superuser) have their
 * headers recorded: anyone else can SET request.headers and forge
 * x-forwarded-for.  Malformed text gives NULL: the audit never makes a
 * business change fail.
 */
static Jsonb *
pae_auditoria_cliente(const char **texto)
{
	uint64		generacion = pae_cache_generacion();
	Oid			sesion = GetSessionUserId();
	bool		otra = (!pae_sello_vigente(&pae_cliente_sello) || sesion != pae_cliente_sesion);
	const char *fuente;

	/* trust depends only on the session user: once per transaction */
	if (otra)
		pae_cliente_confiable = pae_claims_confiables();
	fuente = pae_cliente_confiable ?
		GetConfigOption("request.headers", true, false) : NULL;
	if (fuente == NULL)
		fuente = "";
	if (otra || pae_cliente_fuente == NULL ||
		strcmp(fuente, pae_cliente_fuente) != 0)
	{
		Jsonb	   *res = NULL;
		MemoryContext viejo;

		if (fuente[0] != '\0')
		{
			PaeCabeceras c;
			JsonSemAction sem;
			JsonLexContext *lex;
			char	   *copia = strstr(fuente, "\\u0000") != NULL ?
				pae_cabeceras_sin_nul(fuente) : pstrdup(fuente);

			memset(&c, 0, sizeof(c));
			pae_cabeceras_sem(&sem, &c, pae_cab_campo);
			pushJsonbValue(&c.st, WJB_BEGIN_OBJECT, NULL);
			lex = makeJsonLexContextCstringLen(copia, strlen(copia),
											   GetDatabaseEncoding(), true);
			if (pg_parse_json(lex, &sem) == JSON_SUCCESS && c.nivel == 0)
				res = JsonbValueToJsonb(pushJsonbValue(&c.st, WJB_END_OBJECT, NULL));
		}

		if (pae_cliente_fuente)
			pfree(pae_cliente_fuente);
		if (pae_cliente_jsonb)
			pfree(pae_cliente_jsonb);
		if (pae_cliente_texto)
			pfree(pae_cliente_texto);
		viejo = MemoryContextSwitchTo(TopMemoryContext);
		pae_cliente_fuente = pstrdup(fuente);
		pae_cliente_jsonb = NULL;
		pae_cliente_texto = NULL;
		if (res != NULL)
		{
			pae_cliente_jsonb = (Jsonb *) palloc(VARSIZE(res));
			memcpy(pae_cliente_jsonb, res, VARSIZE(res));
			pae_cliente_texto = JsonbToCString(NULL, &res->root, VARSIZE(res));
		}
		MemoryContextSwitchTo(viejo);
		pae_sello_poner(&pae_cliente_sello, generacion);
		pae_cliente_sesion = sesion;
	}
	*texto = pae_cliente_texto;
	return pae_cliente_jsonb;
}

/* ---------------------------------------------------------------------
 * Writing the row
 * ---------------------------------------------------------------------
 */

/* the columns of pae.auditoria the trigger fills, in this order */
#define PAE_AUD_NCOLS	12
static const char *const pae_auditoria_columnas[PAE_AUD_NCOLS] = {
	"id", "en", "xid", "tabla", "operacion", "pk", "antes", "despues",
	"actor", "rol_db", "cliente", "hash"
};

/*
 * pae_auditoria_insertar
 *		Insert one audit row straight into the monthly partition of en.
 *
 * An SPI INSERT would start an executor, route the tuple and build its
 * projection for every audited row; this does only the work that remains:
 * find the partition from the partitioned table's own bounds (the binary
 * search PostgreSQL's tuple routing does), insert the heap tuple and its
 * index entries.  The trail has no INSERT triggers, constraints or
 * defaults to honour (every value comes from here), and clients have no
 * INSERT privilege on it: this is the only writer.
 */
/*
 * The oids of pae.auditoria and its id sequence, looked up once and
 * forgotten when either relation changes (dropped with the extension,
 * say): a relcache invalidation names them, or all relations.
 */
static Oid	pae_aud_padre = InvalidOid;
static Oid	pae_aud_secuencia = InvalidOid;

static void
pae_aud_olvidar(Oid relid)
{
	if (!OidIsValid(relid) || relid == pae_aud_padre || relid == pae_aud_secuencia)
	{
		pae_aud_padre = InvalidOid;
		pae_aud_secuencia = InvalidOid;
	}
}

static void
pae_aud_oids(Oid *padre, Oid *secuencia)
{
	pae_cache_escuchar_relaciones(pae_aud_olvidar);
	if (!OidIsValid(pae_aud_padre) || !OidIsValid(pae_aud_secuencia))
	{
		Oid			nsp = get_namespace_oid("pae", false);
		Oid			p = get_relname_relid("auditoria", nsp);
		Oid			s = get_relname_relid("auditoria_id_seq", nsp);

		if (!OidIsValid(p))
			elog(ERROR, "table pae.auditoria is missing");
		if (!OidIsValid(s))
			elog(ERROR, "sequence pae.auditoria_id_seq is missing");
		pae_aud_padre = p;
		pae_aud_secuencia = s;
	}
	*padre = pae_aud_padre;
	*secuencia = pae_aud_secuencia;
}

static void
pae_auditoria_insertar(Oid padre_oid, Datum *valores, bool *nulos, TimestampTz en)
{
	Relation	padre;
	Relation	part;
	PartitionKey clave;
	PartitionDesc pd;
	PartitionBoundInfo limites;
	int			idx = -1;
	TupleDesc	desc;
	TupleTableSlot *slot;
	ResultRelInfo *rri;
	EState	   *estado;
	int			i;

	padre = table_open(padre_oid, RowExclusiveLock);
	clave = RelationGetPartitionKey(padre);
	pd = RelationGetPartitionDesc(padre, true);
	limites = pd->boundinfo;
	if (limites != NULL && clave != NULL && limites->ndatums > 0)
	{
		Datum		v = TimestampTzGetDatum(en);
		bool		igual;
		int			off = partition_range_datum_bsearch(clave->partsupfunc,
														clave->partcollation,
														limites, clave->partnatts,
														&v, &igual);

		idx = limites->indexes[off + 1];
	}
	if (idx < 0 && limites != NULL)
		idx = limites->default_index;
	if (idx < 0)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("pae.auditoria no tiene partición para %s",
						DatumGetCString(DirectFunctionCall1(timestamptz_out,
															TimestampTzGetDatum(en)))),
				 errdetail("Ni una partición mensual ni la partición por defecto cubren ese momento."),
				 errhint("Ejecute pae.mantener_particiones() o restaure pae.auditoria_default.")));

	part = table_open(pd->oids[idx], RowExclusiveLock);
	desc = RelationGetDescr(part);

	/* a partition's columns may sit at other positions than its parent's */
	slot = MakeSingleTupleTableSlot(desc, &TTSOpsVirtual);
	ExecClearTuple(slot);
	for (i = 0; i < desc->natts; i++)
	{
		slot->tts_values[i] = (Datum) 0;
		slot->tts_isnull[i] = true;
	}
	for (i = 0; i < PAE_AUD_NCOLS; i++)
	{
		int			attnum = i + 1;

		/* the usual case: the partition's columns are the parent's */
		if (attnum > desc->natts || TupleDescAttr(desc, i)->attisdropped ||
			strcmp(NameStr(TupleDescAttr(desc, i)->attname), pae_auditoria_columnas[i]) != 0)
			attnum = SPI_fnumber(desc, pae_auditoria_columnas[i]);
		if (attnum <= 0)
			elog(ERROR, "column \"%s\" of %s not found",
				 pae_auditoria_columnas[i], RelationGetRelationName(part));
		slot->tts_values[attnum - 1] = valores[i];
		slot->tts_isnull[attnum - 1] = nulos[i];
	}
	ExecStoreVirtualTuple(slot);

	/*
	 * Only what index insertion reads of a result relation: the relation
	 * and its indexes (InitResultRelInfo would also copy its triggers).
	 */
	estado = CreateExecutorState();
	rri = makeNode(ResultRelInfo);
	rri->ri_RangeTableIndex = 1;
	rri->ri_RelationDesc = part;
	ExecOpenIndices(rri, false);

	table_tuple_insert(part, slot, GetCurrentCommandId(true), 0, NULL);
	ExecInsertIndexTuples(rri, slot, estado, false, false, NULL, NIL);

	ExecCloseIndices(rri);
	FreeExecutorState(estado);
	ExecDropSingleTupleTableSlot(slot);
	table_close(part, NoLock);
	table_close(padre, NoLock);
}

/* ---------------------------------------------------------------------
 * Writers in flight
 * ---------------------------------------------------------------------
 */

static void
pae_tag_escritor(LOCKTAG *tag, uint64 clave)
{
	SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, (uint32) (clave >> 32),
						 (uint32) clave, PAE_CLASE_ESCRITOR);
}

/* the announcement this backend made, and for which transaction */
static FullTransactionId pae_anuncio_fxid = {0};
static uint64 pae_anuncio_clave = 0;

/*
 * pae_anunciar_escritor
 *		Before this transaction draws an audit id, make sure it holds the
 *		writer lock whose key is at most every id it holds.
 *
 * The key is the sequence's last value + 1, read before the id is drawn,
 * so it is at most every id drawn after it.  The lock is taken once per
 * transaction (ShareLock: writers never conflict with each other), and
 * again when a rolled-back subtransaction released it -- the rows drawn
 * under it are gone with it.  A sealer that read the sequence's last value
 * C and then lists these locks therefore knows, for every transaction
 * still open that may hold an id <= C, an id below which it holds none.
 */
static void
pae_anunciar_escritor(Oid secuencia)
{
	FullTransactionId fxid = GetTopFullTransactionId();
	LOCKTAG		tag;
	PaeUsuarioGuardado guardado;
	Datum		ultimo;
	uint64		clave;

	LOCAL_FCINFO(fcinfo, 1);

	if (FullTransactionIdEquals(fxid, pae_anuncio_fxid))
	{
		pae_tag_escritor(&tag, pae_anuncio_clave);
		if (LockHeldByMe(&tag, ShareLock))
			return;
	}

	/* clients hold no privilege on the sequence: read it as the owner */
	pae_como_duenio(&guardado);
	InitFunctionCallInfoData(*fcinfo, NULL, 1, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = ObjectIdGetDatum(secuencia);
	fcinfo->args[0].isnull = false;
	ultimo = pg_sequence_last_value(fcinfo);
	pae_restaurar_usuario(&guardado);
	clave = fcinfo->isnull ? 1 : (uint64) DatumGetInt64(ultimo) + 1;

	pae_tag_escritor(&tag, clave);
	(void) LockAcquire(&tag, ShareLock, false, false);
	pae_anuncio_fxid = fxid;
	pae_anuncio_clave = clave;
}

/* ---------------------------------------------------------------------
 * The trigger
 * ---------------------------------------------------------------------
 */

/*
 * The audit is for the business tables of schema pae: a table of pae (or
 * a partition of one), never the trail itself, and the trigger's argument,
 * when given, is that table's name.  Anywhere else the trigger would write
 * sealed rows about rows that are not the business's (a temporary table
 * claiming to be pae.visitas).
 */
static void
pae_auditoria_exigir_tabla(TriggerData *td)
{
	Relation	rel = td->tg_relation;
	Oid			raiz = pae_rel_raiz(rel);
	Oid			nsp = get_namespace_oid("pae", true);
	bool		es_raiz = (raiz == RelationGetRelid(rel));
	const char *nombre = es_raiz ? RelationGetRelationName(rel) : get_rel_name(raiz);
	Oid			raiz_nsp = es_raiz ? RelationGetNamespace(rel) : get_rel_namespace(raiz);
	char		raiz_tipo = es_raiz ? rel->rd_rel->relkind : get_rel_relkind(raiz);

	if (!OidIsValid(nsp) || nombre == NULL || raiz_nsp != nsp ||
		rel->rd_rel->relkind != RELKIND_RELATION ||
		(raiz_tipo != RELKIND_RELATION && raiz_tipo != RELKIND_PARTITIONED_TABLE) ||
		strncmp(nombre, "auditoria", strlen("auditoria")) == 0)
		pae_tg_rechazar_tabla("pae.tg_auditoria", rel,
							  "las tablas de negocio del esquema pae (y sus particiones)");
	if (td->tg_trigger->tgnargs > 1 ||
		(td->tg_trigger->tgnargs == 1 && strcmp(td->tg_trigger->tgargs[0], nombre) != 0))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("el argumento de pae.tg_auditoria debe ser \"%s\", el nombre de la tabla", nombre),
				 td->tg_trigger->tgnargs > 1 ?
				 errdetail("El disparador \"%s\" pasa %d argumentos; pae.tg_auditoria admite uno, el nombre de la tabla.",
						   td->tg_trigger->tgname, td->tg_trigger->tgnargs) :
				 errdetail("El disparador \"%s\" nombra la tabla \"%s\"; el rastro nombra cada tabla por su propio nombre.",
						   td->tg_trigger->tgname, td->tg_trigger->tgargs[0]),
				 errhint("Cree el disparador con pae.tg_auditoria('%s') o sin argumento.", nombre)));
}

/*
 * The append-only guard belongs to pae.auditoria (its partitions, and the
 * months pae.archivar_auditoria detached, which keep their TRUNCATE
 * guard) and pae.auditoria_sellos.
 */
static void
pae_auditoria_inmutable_exigir_tabla(Relation rel)
{
	Oid			nsp = get_namespace_oid("pae", true);
	const char *nombre = RelationGetRelationName(rel);

	if (pae_rel_es_tabla(rel, "auditoria") || pae_rel_es_tabla(rel, "auditoria_sellos"))
		return;
	if (OidIsValid(nsp) && RelationGetNamespace(rel) == nsp &&
		rel->rd_rel->relkind == RELKIND_RELATION &&
		strncmp(nombre, "auditoria_p", strlen("auditoria_p")) == 0)
		return;
	pae_tg_rechazar_tabla("pae.tg_auditoria_inmutable", rel,
						  "pae.auditoria, sus particiones y pae.auditoria_sellos");
}


/*
 * Equal values: the same bytes (the usual case, an unchanged column keeps
 * its stored, perhaps toasted, form), or for a varlena the same contents
 * once detoasted (a value set again to what it was arrives uncompressed).
 */
static bool
pae_mismo_valor(Datum a, Datum b, Form_pg_attribute att)
{
	if (datumIsEqual(a, b, att->attbyval, att->attlen))
		return true;
	return att->attlen == -1 && datum_image_eq(a, b, false, -1);
}

/*
 * pae.tg_auditoria() RETURNS trigger
 *		AFTER INSERT OR UPDATE OR DELETE ... FOR EACH ROW on every business
 *		table.  Its optional argument names the table in the trail (a
 *		partition reports its partitioned table).
 */
Datum
pae_tg_auditoria(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	desc;
	PaeFilaAuditoria f;
	Jsonb	   *fila;
	/*
	 * The role that called, not the owner of a SECURITY DEFINER function
	 * the change ran in (nor the extension's owner the triggers' own
	 * bookkeeping runs as): the outer user id is the one SET ROLE or the
	 * login set, and no definer function, however nested, can change it
	 * (SET ROLE is refused inside one).
	 */
	Oid			invocador = GetOuterUserId();
	Oid			padre;
	Oid			seq;
	uint8		hash[PAE_HASH_LEN];
	bytea	   *hash_b;
	Datum		valores[PAE_AUD_NCOLS];
	bool		nulos[PAE_AUD_NCOLS];
	const char *op;

	pae_tg_exigir_protocolo(fcinfo, "pae.tg_auditoria",
							PAE_TG_DESPUES | PAE_TG_FILA |
							PAE_TG_INSERT | PAE_TG_UPDATE | PAE_TG_DELETE,
							"AFTER INSERT OR UPDATE OR DELETE ... FOR EACH ROW");
	pae_auditoria_exigir_tabla(td);

	/*
	 * The extension's own script (shipped data, upgrades) is not a business
	 * change; its rows would also come back twice through pg_dump.
	 */
	if (creating_extension)
		return PointerGetDatum(NULL);

	rel = td->tg_relation;
	desc = RelationGetDescr(rel);
	memset(&f, 0, sizeof(f));

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event) || TRIGGER_FIRED_BY_DELETE(td->tg_event))
	{
		PaeFila		valores;

		/* the whole row, like to_jsonb(NEW) or to_jsonb(OLD) */
		pae_fila_deformar(rel, td->tg_trigtuple, &valores);
		fila = pae_fila_jsonb(rel, &valores);
		if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		{
			op = "INSERT";
			f.despues = fila;
		}
		else
		{
			op = "DELETE";
			f.antes = fila;
		}
		f.pk = pae_clave_jsonb(rel, &valores);
	}
	else if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		PaeFila		viejo;
		PaeFila		nuevo;
		Bitmapset  *cambiados = NULL;
		int			i;

		op = "UPDATE";
		pae_fila_deformar(rel, td->tg_trigtuple, &viejo);
		pae_fila_deformar(rel, td->tg_newtuple, &nuevo);
		/* old and new of the changed columns only */
		for (i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute a = TupleDescAttr(desc, i);

			if (a->attisdropped)
				continue;
			if (viejo.nulos[i] != nuevo.nulos[i] ||
				(!viejo.nulos[i] &&
				 !pae_mismo_valor(viejo.valores[i], nuevo.valores[i], a)))
				cambiados = bms_add_member(cambiados, i + 1);
		}
		/* an UPDATE that changed nothing leaves no trace */
		if (bms_is_empty(cambiados))
			return PointerGetDatum(NULL);
		f.antes = pae_columnas_jsonb(rel, &viejo, cambiados);
		f.despues = pae_columnas_jsonb(rel, &nuevo, cambiados);
		f.pk = pae_clave_jsonb(rel, &nuevo);
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("pae.tg_auditoria no admite TRUNCATE"),
				 errdetail("Solo se auditan INSERT, UPDATE y DELETE fila por fila."),
				 errhint("Cree el disparador AFTER INSERT OR UPDATE OR DELETE ... FOR EACH ROW.")));

	/* the transaction already has an id (it wrote the row) */
	f.xid = U64FromFullTransactionId(GetTopFullTransactionId());
	f.en = GetCurrentStatementStartTimestamp();
	f.tabla = cstring_to_text(td->tg_trigger->tgnargs >= 1 ?
							  td->tg_trigger->tgargs[0] : RelationGetRelationName(rel));
	f.operacion = cstring_to_text(op);
	f.actor = pae_auditoria_actor(invocador);
	f.rol_db = cstring_to_text(GetUserNameFromId(invocador, false));
	f.cliente = pae_auditoria_cliente(&f.cliente_texto);

	/*
	 * The id is drawn here, after the transaction id was assigned: a
	 * sealer that reads the sequence and then waits for every transaction
	 * in progress knows no lower id can still appear (see
	 * pae_auditoria_esperar_escritores).
	 */
	pae_aud_oids(&padre, &seq);
	pae_anunciar_escritor(seq);
	f.id = nextval_internal(seq, false);

	pae_hash_fila(&f, hash);
	hash_b = (bytea *) palloc(VARHDRSZ + PAE_HASH_LEN);
	SET_VARSIZE(hash_b, VARHDRSZ + PAE_HASH_LEN);
	memcpy(VARDATA(hash_b), hash, PAE_HASH_LEN);

	memset(nulos, false, sizeof(nulos));
	valores[0] = Int64GetDatum(f.id);
	valores[1] = TimestampTzGetDatum(f.en);
	valores[2] = FullTransactionIdGetDatum(FullTransactionIdFromU64(f.xid));
	valores[3] = PointerGetDatum(f.tabla);
	valores[4] = PointerGetDatum(f.operacion);
	valores[5] = PointerGetDatum(f.pk);
	nulos[5] = (f.pk == NULL);
	valores[6] = PointerGetDatum(f.antes);
	nulos[6] = (f.antes == NULL);
	valores[7] = PointerGetDatum(f.despues);
	nulos[7] = (f.despues == NULL);
	valores[8] = f.actor ? UUIDPGetDatum(f.actor) : (Datum) 0;
	nulos[8] = (f.actor == NULL);
	valores[9] = PointerGetDatum(f.rol_db);
	valores[10] = PointerGetDatum(f.cliente);
	nulos[10] = (f.cliente == NULL);
	valores[11] = PointerGetDatum(hash_b);

	pae_auditoria_insertar(padre, valores, nulos, f.en);

	return PointerGetDatum(NULL);
}

/*
 * pae.tg_auditoria_inmutable() RETURNS trigger
 *		BEFORE UPDATE OR DELETE (row) and BEFORE TRUNCATE (statement) on
 *		pae.auditoria, its partitions and pae.auditoria_sellos: the trail is
 *		append-only, for the owner too.
 */
Datum
pae_tg_auditoria_inmutable(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	const char *op = "modificar";

	pae_tg_exigir_protocolo(fcinfo, "pae.tg_auditoria_inmutable",
							PAE_TG_ANTES | PAE_TG_FILA | PAE_TG_SENTENCIA |
							PAE_TG_UPDATE | PAE_TG_DELETE | PAE_TG_TRUNCATE,
							"BEFORE UPDATE OR DELETE (FOR EACH ROW) o BEFORE TRUNCATE");
	pae_auditoria_inmutable_exigir_tabla(td->tg_relation);
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		op = "UPDATE";
	else if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
		op = "DELETE";
	else if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
		op = "TRUNCATE";
	ereport(ERROR,
			(errcode(ERRCODE_PAE_AUDITORIA),
			 errmsg("la auditoría es de solo inserción: %s sobre \"%s\" no está permitido",
					op, RelationGetRelationName(td->tg_relation)),
			 errdetail("pae.auditoria y pae.auditoria_sellos no admiten UPDATE, DELETE ni TRUNCATE, tampoco para su dueño."),
			 errhint("Los meses antiguos salen solo con pae.archivar_auditoria(antes_de date).")));
	PG_RETURN_NULL();
}


/* sealing reads rows as they commit: a transaction snapshot would not see them */
static void
pae_sellado_exigir_read_committed(void)
{
	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_STATE),
				 errmsg("el sellado de la auditoría requiere READ COMMITTED"),
				 errdetail("El nivel de aislamiento de la transacción es REPEATABLE READ o SERIALIZABLE; su instantánea no vería las filas que se confirman mientras se sella."),
				 errhint("Ejecute pae.sellar_auditoria() en una transacción READ COMMITTED.")));
}

/*
 * pae.auditoria_esperar_escritores() RETURNS integer
 *		Waits until every transaction in progress now has ended; returns
 *		how many it waited for.  1.0's sealer calls it; 1.1 replaced it with
 *		the bounded pae_auditoria_esperar_escritores_hasta below.
 *
 * pae.sellar_auditoria() reads the id sequence's last value C first and
 * calls this next.  The trigger draws an audit id only after its
 * transaction has an xid, so every transaction that holds an id <= C is
 * in the list of running transactions taken here (or already over).  Once they have all ended,
 * each row with id <= C is committed, hence visible to the sealer's next
 * statement (READ COMMITTED), or gone for good: sealing the ids up to C
 * can never skip a row that commits later.  Writers never wait for the
 * sealer; the sealer waits for the writers in flight.
 */
Datum
pae_auditoria_esperar_escritores(PG_FUNCTION_ARGS)
{
	RunningTransactions running;
	TransactionId *xids;
	int			n;
	int			i;
	int			esperadas = 0;

	pae_sellado_exigir_read_committed();

	/*
	 * Not a snapshot's xip: a snapshot leaves out running transactions whose
	 * xid is past latestCompletedXid, and those may hold ids <= C too.  The
	 * running-transactions list has them all (it returns holding
	 * ProcArrayLock and XidGenLock, released at once after the copy).
	 */
	running = GetRunningTransactionData();
	n = running->xcnt;
	xids = palloc(sizeof(TransactionId) * Max(n, 1));
	memcpy(xids, running->xids, sizeof(TransactionId) * n);
	LWLockRelease(ProcArrayLock);
	LWLockRelease(XidGenLock);

	for (i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (TransactionIdIsCurrentTransactionId(xids[i]))
			continue;
		XactLockTableWait(xids[i], NULL, NULL, XLTW_None);
		esperadas++;
	}
	PG_RETURN_INT32(esperadas);
}

/*
 * Wait for one transaction for at most espera_us more microseconds (none
 * when espera_us <= 0); true when it has ended.  The wait is an ordinary
 * lock wait (on the transaction's virtual id, or its xid once prepared)
 * under a lock_timeout, so it is seen in pg_locks and never makes anybody
 * else wait.
 */
static bool
pae_esperar_transaccion(VirtualTransactionId vxid, int64 espera_us)
{
	MemoryContext ctx = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	int			nivel;
	bool		terminada;
	char		ms[32];

	if (espera_us < 1000)
		return VirtualXactLock(vxid, false);

	nivel = NewGUCNestLevel();
	snprintf(ms, sizeof(ms), INT64_FORMAT, Min(espera_us / 1000, (int64) INT_MAX));
	(void) set_config_option("lock_timeout", ms, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(ctx);
	PG_TRY();
	{
		terminada = VirtualXactLock(vxid, true);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(ctx);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *e;

		MemoryContextSwitchTo(ctx);
		e = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(ctx);
		CurrentResourceOwner = owner;
		if (e->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE)
			ReThrowError(e);
		FreeErrorData(e);
		terminada = false;
	}
	PG_END_TRY();
	AtEOXact_GUC(true, nivel);
	return terminada;
}

static int
pae_comparar_claves(const void *a, const void *b)
{
	uint64		x = *(const uint64 *) a;
	uint64		y = *(const uint64 *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/*
 * pae.auditoria_esperar_escritores(hasta_id bigint, espera interval)
 *		RETURNS bigint
 *		Waits, at most espera in all, for the transactions still open that
 *		may hold audit ids <= hasta_id; returns the highest id up to which
 *		sealing is safe: hasta_id when they all ended, else one less than
 *		the lowest id the oldest of those still open may hold.
 *
 * pae.sellar_auditoria() reads the sequence's last value C, then calls
 * this.  A transaction takes its writer lock (pae_anunciar_escritor)
 * before it draws an id, and the lock lasts as long as any id drawn under
 * it can still commit.  So every transaction that holds an id <= C and has
 * not ended holds, when the locks are listed here (after C was read), a
 * writer lock whose key is at most its lowest id; one that does not hold
 * it has ended (its rows are committed, so visible to the sealer's next
 * statement, READ COMMITTED, or gone for good) or draws its ids later,
 * above C.  Waiting for the holders of the keys <= C in ascending order,
 * the first one still open after espera bounds what can be sealed: no id
 * below its key can still be preceded by an uncommitted one.  Writers
 * never wait for the sealer; an idle-in-transaction session or a prepared
 * transaction delays sealing by espera at most, and holds back only the
 * rows from its own first id on.
 */
Datum
pae_auditoria_esperar_escritores_hasta(PG_FUNCTION_ARGS)
{
	int64		hasta = PG_GETARG_INT64(0);
	Interval   *espera = PG_GETARG_INTERVAL_P(1);
	int64		espera_us;
	TimestampTz limite;
	LockData   *bloqueos;
	uint64	   *claves;
	int			nclaves = 0;
	int			i;
	int64		seguro = hasta;

	pae_sellado_exigir_read_committed();

	espera_us = espera->time + (int64) espera->day * USECS_PER_DAY +
		(int64) espera->month * DAYS_PER_MONTH * USECS_PER_DAY;
	if (espera_us < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("espera negativa: no se puede esperar menos que nada"),
				 errdetail("pae.auditoria_esperar_escritores recibió una espera menor que cero."),
				 errhint("Indique una espera de cero o más, p. ej. pae.regla('sellado_espera')::interval.")));
	limite = GetCurrentTimestamp() + espera_us;

	/* the writer locks of this database held by others, keys <= hasta */
	bloqueos = GetLockStatusData();
	claves = palloc(sizeof(uint64) * Max(bloqueos->nelements, 1));
	for (i = 0; i < bloqueos->nelements; i++)
	{
		LockInstanceData *b = &bloqueos->locks[i];
		uint64		clave;

		if (b->locktag.locktag_type != LOCKTAG_ADVISORY ||
			b->locktag.locktag_lockmethodid != USER_LOCKMETHOD ||
			b->locktag.locktag_field4 != PAE_CLASE_ESCRITOR ||
			b->locktag.locktag_field1 != MyDatabaseId ||
			b->holdMask == 0 || b->pid == MyProcPid)
			continue;
		clave = ((uint64) b->locktag.locktag_field2 << 32) | b->locktag.locktag_field3;
		if (clave > (uint64) hasta)
			continue;
		claves[nclaves++] = clave;
	}
	qsort(claves, nclaves, sizeof(uint64), pae_comparar_claves);

	for (i = 0; i < nclaves; i++)
	{
		LOCKTAG		tag;
		VirtualTransactionId *vxids;
		int			n;
		int			j;
		bool		abiertas = false;

		CHECK_FOR_INTERRUPTS();
		if (i > 0 && claves[i] == claves[i - 1])
			continue;
		pae_tag_escritor(&tag, claves[i]);
		vxids = GetLockConflicts(&tag, ExclusiveLock, &n);
		for (j = 0; j < n; j++)
		{
			int64		resta = limite - GetCurrentTimestamp();

			if (!pae_esperar_transaccion(vxids[j], resta))
				abiertas = true;
		}
		if (abiertas)
		{
			seguro = (int64) claves[i] - 1;
			break;
		}
	}
	PG_RETURN_INT64(seguro);
}
