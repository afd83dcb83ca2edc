/*-------------------------------------------------------------------------
 *
 * disparadores.c
 *	  The entry checks of the C triggers: fired as made for, on the table
 *	  made for (see disparadores.h).
 *
 * Finding a partition's root reads pg_inherits, too slow for every row of
 * a bulk load; the answer is kept per relation in a small per-backend
 * table.  A relation's root changes only by ATTACH/DETACH PARTITION or
 * DROP, each of which sends a relcache invalidation of the partition, and
 * an oid is reused only after DROP: the listener (cache.h) forgets an entry whenever
 * its relation or its root is invalidated, and everything on a full reset.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "commands/trigger.h"
#include "nodes/pg_list.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "cache.h"
#include "disparadores.h"

#define PAE_RAICES_N	32

typedef struct PaeRaiz
{
	Oid			relid;			/* InvalidOid: free slot */
	Oid			raiz;
} PaeRaiz;

static PaeRaiz pae_raices[PAE_RAICES_N];
static int	pae_raices_siguiente = 0;

static void
pae_raices_olvidar(Oid relid)
{
	int			i;

	for (i = 0; i < PAE_RAICES_N; i++)
		if (!OidIsValid(relid) || pae_raices[i].relid == relid ||
			pae_raices[i].raiz == relid)
			pae_raices[i].relid = InvalidOid;
}

Oid
pae_rel_raiz(Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	Oid			raiz;
	List	   *ancestros;
	int			i;

	if (!rel->rd_rel->relispartition)
		return relid;
	pae_cache_escuchar_relaciones(pae_raices_olvidar);
	for (i = 0; i < PAE_RAICES_N; i++)
		if (pae_raices[i].relid == relid)
			return pae_raices[i].raiz;

	/* parent first, the root last */
	ancestros = get_partition_ancestors(relid);
	raiz = ancestros != NIL ? llast_oid(ancestros) : relid;
	list_free(ancestros);

	pae_raices[pae_raices_siguiente].relid = relid;
	pae_raices[pae_raices_siguiente].raiz = raiz;
	pae_raices_siguiente = (pae_raices_siguiente + 1) % PAE_RAICES_N;
	return raiz;
}

bool
pae_rel_es_tabla(Relation rel, const char *tabla)
{
	Oid			nsp = get_namespace_oid("pae", true);
	Oid			propia;

	if (!OidIsValid(nsp))
		return false;
	propia = get_relname_relid(tabla, nsp);
	if (!OidIsValid(propia))
		return false;
	return pae_rel_raiz(rel) == propia;
}

void
pae_tg_rechazar_tabla(const char *funcion, Relation rel, const char *para_que)
{
	ereport(ERROR,
			(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
			 errmsg("%s no puede dispararse sobre la tabla \"%s.%s\"", funcion,
					isAnyTempNamespace(RelationGetNamespace(rel)) ? "pg_temp" :
					get_namespace_name(RelationGetNamespace(rel)),
					RelationGetRelationName(rel)),
			 errdetail("%s está hecha solo para %s; sobre otra tabla escribiría registros del sistema en nombre del dueño de la extensión.",
					   funcion, para_que),
			 errhint("Borre ese disparador (DROP TRIGGER); las tablas de pae_cauca ya tienen los suyos.")));
}

void
pae_tg_exigir_protocolo(FunctionCallInfo fcinfo, const char *funcion, int forma,
						const char *uso)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TriggerEvent ev;
	int			tiene;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s solo puede usarse como disparador", funcion),
				 errdetail("La función fue llamada fuera de un disparador."),
				 errhint("Úsela en CREATE TRIGGER ... %s.", uso)));
	ev = td->tg_event;
	tiene = (TRIGGER_FIRED_BEFORE(ev) ? PAE_TG_ANTES :
			 TRIGGER_FIRED_AFTER(ev) ? PAE_TG_DESPUES : 0) |
		(TRIGGER_FIRED_FOR_ROW(ev) ? PAE_TG_FILA : PAE_TG_SENTENCIA) |
		(TRIGGER_FIRED_BY_INSERT(ev) ? PAE_TG_INSERT :
		 TRIGGER_FIRED_BY_UPDATE(ev) ? PAE_TG_UPDATE :
		 TRIGGER_FIRED_BY_DELETE(ev) ? PAE_TG_DELETE :
		 TRIGGER_FIRED_BY_TRUNCATE(ev) ? PAE_TG_TRUNCATE : 0);
	if ((tiene & forma & (PAE_TG_ANTES | PAE_TG_DESPUES)) == 0 ||
		(tiene & forma & (PAE_TG_FILA | PAE_TG_SENTENCIA)) == 0 ||
		(tiene & forma & (PAE_TG_INSERT | PAE_TG_UPDATE | PAE_TG_DELETE | PAE_TG_TRUNCATE)) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s debe dispararse %s", funcion, uso),
				 errdetail("El disparador \"%s\" de la tabla \"%s\" no se creó así.",
						   td->tg_trigger->tgname, RelationGetRelationName(td->tg_relation)),
				 errhint("Borre ese disparador; las tablas de pae_cauca ya tienen los suyos.")));
}
