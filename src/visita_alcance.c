/*-------------------------------------------------------------------------
 *
 * visita_alcance.c
 *	  May the session see a visit, and in which state and month is it:
 *	  pae.puede_ver_visita_id(uuid), which the policies of answers,
 *	  evidence, transitions, alerts, events and sync rows call for every
 *	  row, and the lookup pae.tg_hijos_visita makes for every answer and
 *	  photo.
 *
 * The question is the policies' of pae.visitas, asked as the caller
 * (row-level security applies): the month of the visit is read from the
 * registry of ids (pae.visitas_id, as the extension's owner: a key
 * lookup, whose answer is never shown), then the visit is asked of that
 * one month of pae.visitas as the caller.  A visit that does not exist
 * and one the caller may not see give the same answer.
 *
 * Memo.  A statement that writes 19 answers of one visit asks 19 times
 * about the same visit (the trigger, then the policy's WITH CHECK, for
 * every row).  The last answer is kept and reused only under the very
 * same snapshot, user and actor: same transaction and subtransaction,
 * same command, no transaction completed since (snapXactCompletionCount,
 * as the geofence's memo), same cache generation (cache.h: an abort, a
 * change of people) -- so it is exactly what the query would answer
 * again, as the STABLE function it implements promises.  Queries run
 * read-only under the active snapshot, the statement's, as a STABLE SQL
 * function's would.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "cache.h"
#include "pae_cauca.h"
#include "plan_clave.h"
#include "visita_alcance.h"

PG_FUNCTION_INFO_V1(pae_puede_ver_visita_id);

typedef struct PaeAlcanceMemo
{
	bool		valido;
	pg_uuid_t	visita;
	LocalTransactionId lxid;
	SubTransactionId subxid;
	uint64		generacion;
	Oid			usuario;
	bool		tiene_actor;
	pg_uuid_t	actor;
	CommandId	curcid;
	uint64		completion;
	TransactionId xmin;
	TransactionId xmax;
	bool		visible;
	PaeVisitaVista vista;
} PaeAlcanceMemo;

static PaeAlcanceMemo pae_alcance_memo;

static SPIPlanPtr plan_mes = NULL;
static SPIPlanPtr plan_visita = NULL;

/* the key of the memo for the present moment; false: no memo possible */
static bool
pae_alcance_clave(const pg_uuid_t *visita, PaeAlcanceMemo *k)
{
	Snapshot	snap;

	if (!ActiveSnapshotSet())
		return false;
	snap = GetActiveSnapshot();
	memset(k, 0, sizeof(*k));
	k->visita = *visita;
	k->lxid = MyProc->lxid;
	k->subxid = GetCurrentSubTransactionId();
	k->generacion = pae_cache_generacion();
	k->usuario = GetUserId();
	k->tiene_actor = pae_usuario_actual(k->usuario, &k->actor);
	k->curcid = snap->curcid;
	k->completion = snap->snapXactCompletionCount;
	k->xmin = snap->xmin;
	k->xmax = snap->xmax;
	return true;
}

static bool
pae_alcance_igual(const PaeAlcanceMemo *m, const PaeAlcanceMemo *k)
{
	return m->valido &&
		memcmp(&m->visita, &k->visita, sizeof(pg_uuid_t)) == 0 &&
		m->lxid == k->lxid && m->subxid == k->subxid &&
		m->generacion == k->generacion && m->usuario == k->usuario &&
		m->tiene_actor == k->tiene_actor &&
		(!k->tiene_actor || memcmp(&m->actor, &k->actor, sizeof(pg_uuid_t)) == 0) &&
		m->curcid == k->curcid && m->completion == k->completion &&
		m->xmin == k->xmin && m->xmax == k->xmax;
}

/* the two queries; read_only: under the active snapshot */
static bool
pae_alcance_consultar(const pg_uuid_t *visita, bool read_only, PaeVisitaVista *vista)
{
	static const Oid tipos[2] = {UUIDOID, TIMESTAMPTZOID};
	PaeUsuarioGuardado guardado;
	Datum		args[2];
	bool		isnull;
	bool		hay = false;
	char	   *estado;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	/* the month, from the registry, as the owner (nothing is shown) */
	args[0] = UUIDPGetDatum(visita);
	pae_como_duenio(&guardado);
	pae_plan_ejecutar(pae_plan_clave(&plan_mes,
							   "SELECT r.fecha_visita FROM pae.visitas_id r"
							   " WHERE r.id OPERATOR(pg_catalog.=) $1", 1, tipos),
					  args, NULL, read_only, 1);
	pae_restaurar_usuario(&guardado);
	if (SPI_processed == 1)
	{
		args[1] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		hay = !isnull;
	}

	/* the visit in that month, as the caller: the policies decide */
	if (hay)
	{
		pae_plan_ejecutar(pae_plan_clave(&plan_visita,
								   "SELECT v.estado::pg_catalog.text, v.fecha_visita FROM pae.visitas v"
								   " WHERE v.id OPERATOR(pg_catalog.=) $1"
								   "   AND v.fecha_visita OPERATOR(pg_catalog.=) $2", 2, tipos),
						  args, NULL, read_only, 1);
		hay = SPI_processed == 1;
		if (hay)
		{
			estado = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
			strlcpy(vista->estado, estado ? estado : "", sizeof(vista->estado));
			vista->fecha_visita =
				DatumGetTimestampTz(SPI_getbinval(SPI_tuptable->vals[0],
												  SPI_tuptable->tupdesc, 2, &isnull));
		}
	}
	SPI_finish();
	return hay;
}

bool
pae_visita_alcance(const pg_uuid_t *visita, PaeVisitaVista *vista)
{
	PaeAlcanceMemo k;
	PaeVisitaVista v;
	bool		visible;

	memset(&v, 0, sizeof(v));
	if (!pae_alcance_clave(visita, &k))
	{
		/* no statement snapshot to share: ask with a fresh one, no memo */
		visible = pae_alcance_consultar(visita, false, &v);
		if (visible && vista)
			*vista = v;
		return visible;
	}
	if (!pae_alcance_igual(&pae_alcance_memo, &k))
	{
		/* invalid while computing: an error half way leaves no answer */
		pae_alcance_memo.valido = false;
		visible = pae_alcance_consultar(visita, true, &v);
		k.visible = visible;
		k.vista = v;
		k.valido = true;
		pae_alcance_memo = k;
	}
	if (pae_alcance_memo.visible && vista)
		*vista = pae_alcance_memo.vista;
	return pae_alcance_memo.visible;
}

/*
 * pae.puede_ver_visita_id(visita uuid) RETURNS boolean
 *		True when the session may see the visit (the policies of pae.visitas
 *		decide); false for NULL, an unknown visit or another's.
 */
Datum
pae_puede_ver_visita_id(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(pae_visita_alcance(PG_GETARG_UUID_P(0), NULL));
}
