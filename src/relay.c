/*-------------------------------------------------------------------------
 *
 * relay.c
 *	  The event relay: NOTIFY pae_eventos sent after commit by a background
 *	  worker of the extension, one per database that writes events, instead
 *	  of inside the writing transaction (SPEC §7, issue 13).
 *
 * Why
 *	  A NOTIFY queued by a transaction takes the notify queue's global lock
 *	  in PreCommit_Notify and keeps it until the commit record is flushed
 *	  (async.c: queue entries must appear in commit order), so every
 *	  notifying commit of the cluster runs in series with every other.  The
 *	  relay takes that lock once per batch of events, in its own
 *	  transaction; the writers never take it.
 *
 * Active only when pae_cauca is in shared_preload_libraries (shared memory
 * is needed); otherwise eventos.c queues the NOTIFY in the writing
 * transaction, as 1.0 did.
 *
 * Workers, on demand
 *	  No setting names the databases.  The first transaction of a database
 *	  that commits an event while no relay runs there registers a dynamic
 *	  background worker for it (RegisterDynamicBackgroundWorker).  A worker
 *	  with nothing to do for RELAY_INACTIVO_MS exits, so that DROP DATABASE,
 *	  ALTER DATABASE and CREATE DATABASE ... TEMPLATE, which wait up to 5 s
 *	  for the other sessions of a database to leave, are not held back by
 *	  it; the next commit starts it again.  A static launcher registered at
 *	  preload starts one worker per connectable database once when the
 *	  server starts (and again after a crash restart, when shared memory is
 *	  new): each catches up with what committed while no relay ran, then
 *	  exits when idle (at once where pae_cauca is not installed).
 *
 * Waking
 *	  A writing transaction is marked by the statement trigger
 *	  pae.tg_eventos_en_vuelo on pae.eventos (every insert passes through
 *	  it); its XactCallback, at commit (and abort), sets the latch of its
 *	  database's worker, found in the shared array of bases.  The worker
 *	  sleeps on its latch; its timeout only serves the idle exit.
 *
 * Never missing a committed event
 *	  Ids come from a sequence, taken before commit order is known: id N
 *	  may commit after N+1 was announced.  The worker keeps, in
 *	  pae.relay_cursor (updated in the same transaction as its NOTIFYs, so
 *	  both happen or neither):
 *		horizonte	every id <= horizonte is done: announced, or known never
 *					to commit;
 *		anunciados	the ids above horizonte already announced.
 *	  Each cycle announces every visible row above horizonte not in
 *	  anunciados, then moves horizonte over ids that are announced or that
 *	  can no longer commit.  An id g that is not visible is known never to
 *	  commit when g <= L and g < H, where, in this order,
 *		L = the sequence's last value handed out, read first;
 *		H = the lowest "desde" of the writer slots of this database, read
 *			next: a transaction marks its slot, before it takes any id,
 *			with a lower bound of the ids it may take (the highest id the
 *			worker has seen committed, + 1), and clears it after its commit
 *			is visible or its abort;
 *		and only then the snapshot that reads the rows.
 *	  g <= L means g was handed out before L was read, so its transaction
 *	  had marked its slot before that: at the time the slots were read it
 *	  was still running (then H <= g) or it had ended; if it had committed,
 *	  the later snapshot sees g.  So a non-visible g below both bounds
 *	  belongs to a transaction that rolled back.  Nothing else is skipped:
 *	  an id still in flight pins horizonte, and the ids announced above it
 *	  wait in anunciados until it commits (then it is announced, lower id
 *	  after higher) or aborts.
 *	  A transaction that wrote events cannot be PREPAREd (a prepared
 *	  transaction commits without its session, like NOTIFY forbids it).
 *	  The worker commits with synchronous_commit off (the events are
 *	  already durable; only its cursor is not): a crash may lose the last
 *	  cursor update, and then those events are announced again after the
 *	  restart -- duplicates, never a gap.  Consumers dedupe by id.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_database.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "port/atomics.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/backendid.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "tcop/tcopprot.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "disparadores.h"
#include "eventos.h"

PGDLLEXPORT void pae_relay_main(Datum arg);
PGDLLEXPORT void pae_relay_lanzador_main(Datum arg);

PG_FUNCTION_INFO_V1(pae_tg_eventos_en_vuelo);
PG_FUNCTION_INFO_V1(pae_relay_modo);
PG_FUNCTION_INFO_V1(pae_relay_trabajador_activo);

#define RELAY_BASES			64		/* databases with a relay at once */
#define RELAY_LOTE			1000	/* events announced per transaction */
#define RELAY_INACTIVO_MS	1000	/* idle this long: the worker exits */
#define RELAY_BARRIDO_MS	5000	/* the launcher's wait per database */
#define RELAY_ARRANQUE_MS	30000	/* a registered worker that has not
									 * started after this is presumed lost */

typedef enum RelayEstadoBase
{
	BASE_LIBRE = 0,				/* entry unused */
	BASE_INACTIVA,				/* known database, no worker now */
	BASE_REGISTRADA,			/* worker registered, not started yet */
	BASE_ACTIVA					/* worker running: pid, latch */
} RelayEstadoBase;

typedef struct RelayBase
{
	Oid			dboid;
	RelayEstadoBase estado;
	TimestampTz registrada_en;
	pid_t		pid;
	Latch	   *latch;
	uint64		despertares;	/* commits that woke the worker */
	Oid			eventos_oid;	/* the pae.eventos that visto is about */
	int64		visto;			/* highest id the worker saw committed */
} RelayBase;

typedef struct RelayEscritor
{
	pg_atomic_uint64 desde;		/* 0: no event in flight; else a lower
								 * bound of the ids the transaction holds */
	Oid			dboid;
} RelayEscritor;

typedef struct RelayShmem
{
	slock_t		mutex;			/* bases[] */
	RelayBase	bases[RELAY_BASES];
	int			nescritores;
	RelayEscritor escritores[FLEXIBLE_ARRAY_MEMBER];	/* by MyBackendId */
} RelayShmem;

/* set in _PG_init when loaded by shared_preload_libraries */
static bool relay_precargado = false;
static RelayShmem *relay = NULL;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/* this backend: the current transaction holds events; callback installed */
static bool relay_tx_en_vuelo = false;
static bool relay_callback_puesto = false;

static Size
relay_tamano(void)
{
	return add_size(offsetof(RelayShmem, escritores),
					mul_size(MaxBackends, sizeof(RelayEscritor)));
}

static void
relay_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(relay_tamano());
}

static void
relay_shmem_startup(void)
{
	bool		encontrado;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	relay = ShmemInitStruct("pae_cauca relay", relay_tamano(), &encontrado);
	if (!encontrado)
	{
		int			i;

		memset(relay, 0, relay_tamano());
		SpinLockInit(&relay->mutex);
		relay->nescritores = MaxBackends;
		for (i = 0; i < MaxBackends; i++)
			pg_atomic_init_u64(&relay->escritores[i].desde, 0);
	}
	LWLockRelease(AddinShmemInitLock);
}

bool
pae_relay_activo(void)
{
	return relay_precargado && relay != NULL;
}

bool
pae_relay_tx_marcada(void)
{
	return relay_tx_en_vuelo;
}

/* under relay->mutex: the entry of dboid, or NULL */
static RelayBase *
relay_base(Oid dboid)
{
	int			i;

	for (i = 0; i < RELAY_BASES; i++)
		if (relay->bases[i].estado != BASE_LIBRE && relay->bases[i].dboid == dboid)
			return &relay->bases[i];
	return NULL;
}

/* under relay->mutex: a new entry for dboid (a free one, else an idle one) */
static RelayBase *
relay_base_nueva(Oid dboid)
{
	RelayBase  *b = NULL;
	int			i;

	for (i = 0; i < RELAY_BASES && b == NULL; i++)
		if (relay->bases[i].estado == BASE_LIBRE)
			b = &relay->bases[i];
	for (i = 0; i < RELAY_BASES && b == NULL; i++)
		if (relay->bases[i].estado == BASE_INACTIVA)
			b = &relay->bases[i];
	if (b)
	{
		memset(b, 0, sizeof(RelayBase));
		b->dboid = dboid;
		b->estado = BASE_INACTIVA;
	}
	return b;
}

static void
relay_registrar(Oid dboid)
{
	BackgroundWorker w;

	memset(&w, 0, sizeof(w));
	w.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	w.bgw_start_time = BgWorkerStart_RecoveryFinished;
	w.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(w.bgw_library_name, BGW_MAXLEN, "pae_cauca");
	snprintf(w.bgw_function_name, BGW_MAXLEN, "pae_relay_main");
	snprintf(w.bgw_name, BGW_MAXLEN, "pae_cauca relay (base %u)", dboid);
	snprintf(w.bgw_type, BGW_MAXLEN, "pae_cauca relay");
	w.bgw_main_arg = ObjectIdGetDatum(dboid);
	w.bgw_notify_pid = 0;
	if (!RegisterDynamicBackgroundWorker(&w, NULL))
	{
		RelayBase  *b;

		SpinLockAcquire(&relay->mutex);
		b = relay_base(dboid);
		if (b && b->estado == BASE_REGISTRADA)
			b->estado = BASE_INACTIVA;
		SpinLockRelease(&relay->mutex);
		ereport(WARNING,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("no se pudo iniciar el relay de eventos de pae_cauca"),
				 errdetail("No queda lugar para otro proceso de fondo (max_worker_processes)."),
				 errhint("Aumente max_worker_processes.  Los eventos quedan en pae.eventos "
						 "y se anuncian cuando el relay arranque, con la próxima confirmación.")));
	}
}

/*
 * A transaction of database dboid that held events ended: wake its worker;
 * when it committed and no worker runs, register one.
 */
static void
relay_despertar(Oid dboid, bool registrar)
{
	TimestampTz ahora = GetCurrentTimestamp();
	Latch	   *latch = NULL;
	bool		registrar_ahora = false;
	bool		sin_lugar = false;
	RelayBase  *b;

	SpinLockAcquire(&relay->mutex);
	b = relay_base(dboid);
	if (b && b->estado == BASE_ACTIVA)
	{
		b->despertares++;
		latch = b->latch;
	}
	else if (b && b->estado == BASE_REGISTRADA &&
			 !TimestampDifferenceExceeds(b->registrada_en, ahora, RELAY_ARRANQUE_MS))
	{
		/* starting: its first cycle sees this commit */
	}
	else if (registrar)
	{
		if (b == NULL)
			b = relay_base_nueva(dboid);
		if (b)
		{
			b->estado = BASE_REGISTRADA;
			b->registrada_en = ahora;
			registrar_ahora = true;
		}
		else
			sin_lugar = true;
	}
	SpinLockRelease(&relay->mutex);

	if (latch)
		SetLatch(latch);
	if (registrar_ahora)
		relay_registrar(dboid);
	if (sin_lugar)
		ereport(WARNING,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("no se pudo iniciar el relay de eventos de pae_cauca"),
				 errdetail("Ya hay relays en %d bases de datos, el máximo.", RELAY_BASES),
				 errhint("Los eventos quedan en pae.eventos y se anuncian cuando termine "
						 "el relay de otra base.")));
}

static void
relay_soltar_escritor(void)
{
	RelayEscritor *e = &relay->escritores[MyBackendId - 1];

	pg_atomic_exchange_u64(&e->desde, 0);
	relay_tx_en_vuelo = false;
}

static void
relay_xact(XactEvent evento, void *arg)
{
	if (!relay_tx_en_vuelo)
		return;
	switch (evento)
	{
		case XACT_EVENT_PRE_PREPARE:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("no se puede preparar (PREPARE TRANSACTION) una transacción que escribió en pae.eventos"),
					 errdetail("El relay anuncia cada evento cuando su transacción confirma, "
							   "y una transacción preparada confirma fuera de su sesión."),
					 errhint("Confirme la transacción con COMMIT.")));
			break;
		case XACT_EVENT_COMMIT:
			/* called after the commit is visible to every new snapshot */
			relay_soltar_escritor();
			relay_despertar(MyDatabaseId, true);
			break;
		case XACT_EVENT_ABORT:
			/* a worker waiting on this transaction's ids may move on */
			relay_soltar_escritor();
			relay_despertar(MyDatabaseId, false);
			break;
		default:
			break;
	}
}

/*
 * pae.tg_eventos_en_vuelo() RETURNS trigger
 *		BEFORE INSERT ON pae.eventos FOR EACH STATEMENT: marks the
 *		transaction in shared memory before any id is taken (see the file
 *		header).  Without the preload it does nothing.
 */
Datum
pae_tg_eventos_en_vuelo(PG_FUNCTION_ARGS)
{
	TriggerData *td;
	Oid			eventos;
	int64		desde = 1;
	RelayBase  *b;
	RelayEscritor *e;

	pae_tg_exigir_protocolo(fcinfo, "pae.tg_eventos_en_vuelo",
							PAE_TG_ANTES | PAE_TG_SENTENCIA | PAE_TG_INSERT,
							"BEFORE INSERT ... FOR EACH STATEMENT");
	td = (TriggerData *) fcinfo->context;
	if (!pae_rel_es_tabla(td->tg_relation, "eventos"))
		pae_tg_rechazar_tabla("pae.tg_eventos_en_vuelo", td->tg_relation,
							  "marca las transacciones que escriben eventos");
	if (!pae_relay_activo() || relay_tx_en_vuelo)
		return PointerGetDatum(NULL);
	if (MyBackendId < 1 || MyBackendId > relay->nescritores)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("este proceso no puede escribir en pae.eventos"),
				 errdetail("El proceso no tiene lugar en la tabla de escritores del relay (id de proceso %d).",
						   MyBackendId),
				 errhint("Escriba los eventos desde una sesión normal.")));

	if (!relay_callback_puesto)
	{
		RegisterXactCallback(relay_xact, NULL);
		relay_callback_puesto = true;
	}

	eventos = RelationGetRelid(td->tg_relation);
	SpinLockAcquire(&relay->mutex);
	b = relay_base(MyDatabaseId);
	if (b && b->eventos_oid == eventos)
		desde = b->visto + 1;
	SpinLockRelease(&relay->mutex);

	e = &relay->escritores[MyBackendId - 1];
	e->dboid = MyDatabaseId;
	/* a full barrier: the slot is visible before this statement takes an id */
	pg_atomic_exchange_u64(&e->desde, (uint64) desde);
	relay_tx_en_vuelo = true;
	return PointerGetDatum(NULL);
}

/*
 * pae.relay_modo() RETURNS text: 'relay' or 'en_transaccion'
 */
Datum
pae_relay_modo(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(pae_relay_activo() ? "relay" : "en_transaccion"));
}

/*
 * pae.relay_trabajador_activo() RETURNS boolean: a relay worker runs for
 * this database now
 */
Datum
pae_relay_trabajador_activo(PG_FUNCTION_ARGS)
{
	bool		activo = false;
	RelayBase  *b;

	if (pae_relay_activo())
	{
		SpinLockAcquire(&relay->mutex);
		b = relay_base(MyDatabaseId);
		activo = b && b->estado == BASE_ACTIVA;
		SpinLockRelease(&relay->mutex);
	}
	PG_RETURN_BOOL(activo);
}

/* ---------------------------------------------------------------------
 * The worker
 * ---------------------------------------------------------------------
 */

typedef enum RelayCiclo
{
	CICLO_HECHO,				/* caught up */
	CICLO_MAS,					/* a full batch: go on at once */
	CICLO_SIN_EXTENSION			/* pae_cauca 1.1 is not installed here */
} RelayCiclo;

static RelayBase *relay_mia = NULL;

static void
relay_soltar_base(int code, Datum arg)
{
	SpinLockAcquire(&relay->mutex);
	if (relay_mia && relay_mia->estado == BASE_ACTIVA && relay_mia->pid == MyProcPid)
	{
		relay_mia->estado = BASE_INACTIVA;
		relay_mia->pid = 0;
		relay_mia->latch = NULL;
	}
	SpinLockRelease(&relay->mutex);
}

/*
 * The lowest lower bound of the events in flight in this database.  A
 * writer's bound is at most ultimo_dado + 1 (it is an id the worker saw
 * committed, + 1); a higher one was read before the sequence went back
 * (TRUNCATE ... RESTART IDENTITY, setval) and bounds nothing: 1.
 */
static int64
relay_en_vuelo_minimo(int64 ultimo_dado)
{
	int64		h = PG_INT64_MAX;
	int			i;

	for (i = 0; i < relay->nescritores; i++)
	{
		RelayEscritor *e = &relay->escritores[i];
		uint64		desde = pg_atomic_read_u64(&e->desde);

		pg_read_barrier();
		if (desde == 0 || e->dboid != MyDatabaseId)
			continue;
		if ((int64) desde > ultimo_dado + 1)
			desde = 1;
		if ((int64) desde < h)
			h = (int64) desde;
	}
	return h;
}

static int64
relay_int8(int fila, int col, bool *nulo)
{
	Datum		d = SPI_getbinval(SPI_tuptable->vals[fila], SPI_tuptable->tupdesc, col, nulo);

	return *nulo ? 0 : DatumGetInt64(d);
}

static int
relay_int8_cmp(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return (x > y) - (x < y);
}

/* one transaction: announce what committed, move the cursor */
static RelayCiclo
relay_ciclo(void)
{
	RelayCiclo	resultado = CICLO_HECHO;
	int64		visto = 0;
	bool		reiniciada = false;
	bool		nulo;
	int64		horizonte,
				ultimo_dado,
				en_vuelo,
				limite,
				nuevo,
				maximo = 0;
	Oid			eventos = InvalidOid;
	int64	   *anunciados = NULL;
	int			nanunciados = 0;
	int64	   *visibles;
	int64	   *todos;
	int			nvisibles,
				ntodos,
				i,
				j,
				k,
				nuevos = 0;
	StringInfoData sql;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, "pae_cauca relay: anunciando eventos");

	if (!OidIsValid(get_extension_oid("pae_cauca", true)) ||
		SPI_execute("SELECT pg_catalog.to_regclass('pae.relay_cursor') IS NOT NULL", true, 1) != SPI_OK_SELECT ||
		!DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &nulo)))
	{
		resultado = CICLO_SIN_EXTENSION;
		goto fin;
	}

	/* 1. the cursor, then L: the last id handed out */
	for (i = 0; i < 2; i++)
	{
		if (SPI_execute("SELECT c.horizonte, c.anunciados,"
						"       (SELECT CASE WHEN s.is_called THEN s.last_value ELSE s.last_value - 1 END"
						"          FROM pae.eventos_id_seq s),"
						"       'pae.eventos'::pg_catalog.regclass::pg_catalog.oid,"
						"       COALESCE((SELECT pg_catalog.age(e.xmin) OPERATOR(pg_catalog.<) pg_catalog.age(c.xmin)"
						"                   FROM pae.eventos e WHERE e.id OPERATOR(pg_catalog.<=) c.horizonte"
						"                  ORDER BY e.id DESC LIMIT 1), false)"
						"  FROM pae.relay_cursor c FOR UPDATE", false, 0) != SPI_OK_SELECT)
			elog(ERROR, "SPI_execute failed");
		if (SPI_processed > 0 || i > 0)
			break;
		/* the first cycle in this database (or the row was deleted) */
		if (SPI_execute("INSERT INTO pae.relay_cursor (horizonte)"
						" SELECT pae.relay_horizonte_inicial() ON CONFLICT DO NOTHING",
						false, 0) != SPI_OK_INSERT)
			elog(ERROR, "SPI_execute failed");
	}
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("pae.relay_cursor debe tener exactamente una fila"),
				 errdetail("La tabla tiene " UINT64_FORMAT " filas.", SPI_processed),
				 errhint("Reinstale la extensión pae_cauca.")));
	horizonte = relay_int8(0, 1, &nulo);
	{
		Datum		arr = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &nulo);

		if (!nulo)
		{
			ArrayType  *a = DatumGetArrayTypeP(arr);
			Datum	   *elems;
			bool	   *nulos;

			deconstruct_array(a, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
							  &elems, &nulos, &nanunciados);
			anunciados = palloc(sizeof(int64) * Max(nanunciados, 1));
			for (i = 0; i < nanunciados; i++)
				anunciados[i] = nulos[i] ? 0 : DatumGetInt64(elems[i]);
			qsort(anunciados, nanunciados, sizeof(int64), relay_int8_cmp);
		}
	}
	ultimo_dado = relay_int8(0, 3, &nulo);
	eventos = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4, &nulo));

	/*
	 * The sequence started again (TRUNCATE ... RESTART IDENTITY, ALTER
	 * SEQUENCE ... RESTART, setval): start over.  Seen as a last id handed
	 * out below the horizon, or, once the new ids have caught up, as the
	 * highest row at or below the horizon written after the cursor's last
	 * update -- in normal operation that row committed before the update
	 * that moved the horizon past it, so its xmin is older (a restored
	 * outbox is loaded before, or with, the restored cursor).
	 */
	if (DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 5, &nulo)) ||
		ultimo_dado < horizonte)
	{
		ereport(LOG,
				(errmsg("la secuencia de pae.eventos volvió a empezar (último id " INT64_FORMAT
						", horizonte del relay " INT64_FORMAT ")",
						ultimo_dado, horizonte),
				 errdetail("El relay anuncia desde el principio los eventos que queden.")));
		horizonte = 0;
		nanunciados = 0;
		reiniciada = true;
	}

	/* 2. H: the events still in flight (after L, before the snapshot) */
	en_vuelo = relay_en_vuelo_minimo(ultimo_dado);

	/* 3. a new snapshot: the committed rows above the horizon, in id order */
	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "SELECT e.id, pg_catalog.jsonb_build_object('id', e.id, 'tipo', e.tipo,"
					 "       'visita', e.visita)::pg_catalog.text"
					 "  FROM pae.eventos e WHERE e.id > " INT64_FORMAT
					 " ORDER BY e.id LIMIT %d", horizonte, RELAY_LOTE);
	if (SPI_execute(sql.data, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed");
	nvisibles = (int) SPI_processed;
	visibles = palloc(sizeof(int64) * Max(nvisibles, 1));
	for (i = 0; i < nvisibles; i++)
	{
		char	   *payload;

		visibles[i] = relay_int8(i, 1, &nulo);
		if (bsearch(&visibles[i], anunciados, nanunciados, sizeof(int64), relay_int8_cmp))
			continue;
		payload = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);
		Async_Notify(PAE_CANAL_EVENTOS, payload);
		nuevos++;
	}

	/* 4. the new horizon: ids up to limite are final; then announced ones */
	limite = Min(ultimo_dado, en_vuelo - 1);
	if (nvisibles == RELAY_LOTE)
	{
		limite = Min(limite, visibles[nvisibles - 1]);
		resultado = CICLO_MAS;
	}
	nuevo = Max(horizonte, limite);
	todos = palloc(sizeof(int64) * Max(nvisibles + nanunciados, 1));
	ntodos = 0;
	for (j = 0, k = 0; j < nvisibles || k < nanunciados;)
	{
		int64		x;

		if (k >= nanunciados || (j < nvisibles && visibles[j] <= anunciados[k]))
		{
			x = visibles[j++];
			if (k < nanunciados && anunciados[k] == x)
				k++;
		}
		else
			x = anunciados[k++];
		if (ntodos == 0 || todos[ntodos - 1] != x)
			todos[ntodos++] = x;
	}
	for (i = 0; i < ntodos; i++)
	{
		if (todos[i] <= nuevo)
			continue;
		if (todos[i] != nuevo + 1)
			break;
		nuevo = todos[i];
	}
	if (ntodos > 0)
		maximo = todos[ntodos - 1];
	if (nvisibles > 0)
		visto = visibles[nvisibles - 1];

	if (nuevos > 0 || nuevo != horizonte || ntodos != nanunciados || reiniciada)
	{
		resetStringInfo(&sql);
		appendStringInfo(&sql,
						 "UPDATE pae.relay_cursor SET horizonte = " INT64_FORMAT ", anunciados = '{",
						 nuevo);
		for (i = 0, k = 0; i < ntodos; i++)
			if (todos[i] > nuevo)
				appendStringInfo(&sql, "%s" INT64_FORMAT, k++ ? "," : "", todos[i]);
		if (reiniciada)
			appendStringInfo(&sql, "}', ultimo_anunciado = NULLIF(" INT64_FORMAT ", 0)", maximo);
		else
			appendStringInfo(&sql, "}', ultimo_anunciado = GREATEST(ultimo_anunciado, " INT64_FORMAT ")",
							 maximo);
		appendStringInfo(&sql,
						 ", anunciado_en = CASE WHEN %d > 0 THEN pg_catalog.clock_timestamp() ELSE anunciado_en END",
						 nuevos);
		if (SPI_execute(sql.data, false, 0) != SPI_OK_UPDATE)
			elog(ERROR, "SPI_execute failed");
	}

fin:
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();	/* the NOTIFYs go out here */
	pgstat_report_stat(true);
	pgstat_report_activity(STATE_IDLE, NULL);

	if (resultado != CICLO_SIN_EXTENSION && OidIsValid(eventos))
	{
		/* the writers' lower bound: ids up to maximo were taken already */
		SpinLockAcquire(&relay->mutex);
		if (relay_mia->eventos_oid != eventos || reiniciada)
		{
			relay_mia->eventos_oid = eventos;
			relay_mia->visto = 0;
		}
		if (visto > relay_mia->visto)
			relay_mia->visto = visto;
		SpinLockRelease(&relay->mutex);
	}
	return resultado;
}

/* the worker of one database; bgw_main_arg: its oid */
void
pae_relay_main(Datum arg)
{
	Oid			dboid = DatumGetObjectId(arg);
	bool		duplicado = false;
	MemoryContext ciclo;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnectionByOid(dboid, InvalidOid, 0);
	pgstat_report_appname("pae_cauca relay");

	/*
	 * Its commits do not wait for the WAL flush: the events themselves were
	 * made durable by their writers; a crash can only lose a cursor update,
	 * and then those events are announced again (never lost).  One flush
	 * less per batch, on a disk the writers are waiting for.
	 */
	SetConfigOption("synchronous_commit", "off", PGC_SUSET, PGC_S_OVERRIDE);

	/* claim the database's entry; a second worker of the same base leaves */
	SpinLockAcquire(&relay->mutex);
	relay_mia = relay_base(dboid);
	if (relay_mia == NULL)
		relay_mia = relay_base_nueva(dboid);
	if (relay_mia == NULL || (relay_mia->estado == BASE_ACTIVA && relay_mia->pid != MyProcPid))
		duplicado = true;
	else
	{
		relay_mia->estado = BASE_ACTIVA;
		relay_mia->pid = MyProcPid;
		relay_mia->latch = MyLatch;
	}
	SpinLockRelease(&relay->mutex);
	if (duplicado)
		proc_exit(0);
	before_shmem_exit(relay_soltar_base, (Datum) 0);

	ciclo = AllocSetContextCreate(TopMemoryContext, "pae_cauca relay",
								  ALLOCSET_DEFAULT_SIZES);
	for (;;)
	{
		uint64		vistos;
		RelayCiclo	r;
		int			rc;
		bool		salir = false;

		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		SpinLockAcquire(&relay->mutex);
		vistos = relay_mia->despertares;
		SpinLockRelease(&relay->mutex);

		MemoryContextReset(ciclo);
		{
			MemoryContext antes = MemoryContextSwitchTo(ciclo);

			r = relay_ciclo();
			MemoryContextSwitchTo(antes);
		}
		if (r == CICLO_SIN_EXTENSION)
			break;
		if (r == CICLO_MAS)
			continue;

		rc = WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
					   RELAY_INACTIVO_MS, PG_WAIT_EXTENSION);
		if (rc & WL_LATCH_SET)
			continue;
		/* idle: leave, unless a commit came since the cycle began */
		SpinLockAcquire(&relay->mutex);
		if (relay_mia->despertares == vistos)
		{
			relay_mia->estado = BASE_INACTIVA;
			relay_mia->pid = 0;
			relay_mia->latch = NULL;
			salir = true;
		}
		SpinLockRelease(&relay->mutex);
		if (salir)
			break;
	}
	proc_exit(0);
}

/*
 * The launcher: at server start (and after a crash restart) one worker per
 * connectable database, one after the other, to announce what committed
 * while no relay ran; then it sleeps until shutdown.
 */
void
pae_relay_lanzador_main(Datum arg)
{
	List	   *bases = NIL;
	ListCell   *lc;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);
	pgstat_report_appname("pae_cauca relay lanzador");

	{
		Relation	rel;
		TableScanDesc scan;
		HeapTuple	tup;
		MemoryContext antes = CurrentMemoryContext;

		StartTransactionCommand();
		(void) GetTransactionSnapshot();
		rel = table_open(DatabaseRelationId, AccessShareLock);
		scan = table_beginscan_catalog(rel, 0, NULL);
		while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
		{
			Form_pg_database d = (Form_pg_database) GETSTRUCT(tup);
			MemoryContext tx = MemoryContextSwitchTo(antes);

			if (d->datallowconn && !d->datistemplate)
				bases = lappend_oid(bases, d->oid);
			MemoryContextSwitchTo(tx);
		}
		table_endscan(scan);
		table_close(rel, AccessShareLock);
		CommitTransactionCommand();
	}

	foreach(lc, bases)
	{
		BackgroundWorker w;
		BackgroundWorkerHandle *h;
		pid_t		pid;
		Oid			dboid = lfirst_oid(lc);
		bool		lanzar = false;
		RelayBase  *b;

		CHECK_FOR_INTERRUPTS();
		SpinLockAcquire(&relay->mutex);
		b = relay_base(dboid);
		if (b == NULL)
			b = relay_base_nueva(dboid);
		if (b && b->estado == BASE_INACTIVA)
		{
			b->estado = BASE_REGISTRADA;
			b->registrada_en = GetCurrentTimestamp();
			lanzar = true;
		}
		SpinLockRelease(&relay->mutex);
		if (!lanzar)
			continue;

		memset(&w, 0, sizeof(w));
		w.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
		w.bgw_start_time = BgWorkerStart_RecoveryFinished;
		w.bgw_restart_time = BGW_NEVER_RESTART;
		snprintf(w.bgw_library_name, BGW_MAXLEN, "pae_cauca");
		snprintf(w.bgw_function_name, BGW_MAXLEN, "pae_relay_main");
		snprintf(w.bgw_name, BGW_MAXLEN, "pae_cauca relay (base %u)", dboid);
		snprintf(w.bgw_type, BGW_MAXLEN, "pae_cauca relay");
		w.bgw_main_arg = ObjectIdGetDatum(dboid);
		w.bgw_notify_pid = MyProcPid;
		if (!RegisterDynamicBackgroundWorker(&w, &h))
		{
			SpinLockAcquire(&relay->mutex);
			if (b->dboid == dboid && b->estado == BASE_REGISTRADA)
				b->estado = BASE_INACTIVA;
			SpinLockRelease(&relay->mutex);
			continue;
		}
		/*
		 * One at a time, so that a cluster with many databases keeps its
		 * worker slots: until this one exits (idle), or for at most
		 * RELAY_BARRIDO_MS (a busy database keeps its worker).
		 */
		if (WaitForBackgroundWorkerStartup(h, &pid) == BGWH_STARTED)
		{
			TimestampTz desde = GetCurrentTimestamp();

			while (GetBackgroundWorkerPid(h, &pid) == BGWH_STARTED &&
				   !TimestampDifferenceExceeds(desde, GetCurrentTimestamp(), RELAY_BARRIDO_MS))
			{
				(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
								 100L, PG_WAIT_EXTENSION);
				ResetLatch(MyLatch);
				CHECK_FOR_INTERRUPTS();
			}
		}
		pfree(h);
	}

	for (;;)
	{
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 3600 * 1000L, PG_WAIT_EXTENSION);
	}
}

void
pae_relay_init(void)
{
	BackgroundWorker w;

	/* single-user mode has no workers: the writers keep their NOTIFY */
	if (!process_shared_preload_libraries_in_progress || !IsPostmasterEnvironment)
		return;
	relay_precargado = true;
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = relay_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = relay_shmem_startup;

	memset(&w, 0, sizeof(w));
	w.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	w.bgw_start_time = BgWorkerStart_RecoveryFinished;
	w.bgw_restart_time = 10;
	snprintf(w.bgw_library_name, BGW_MAXLEN, "pae_cauca");
	snprintf(w.bgw_function_name, BGW_MAXLEN, "pae_relay_lanzador_main");
	snprintf(w.bgw_name, BGW_MAXLEN, "pae_cauca relay lanzador");
	snprintf(w.bgw_type, BGW_MAXLEN, "pae_cauca relay lanzador");
	RegisterBackgroundWorker(&w);
}
