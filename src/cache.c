/*-------------------------------------------------------------------------
 *
 * cache.c
 *	  The generation, the stamps and the invalidation callbacks of every
 *	  cache of pae_cauca.  The rules are in cache.h.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "cache.h"

/* starts at 1: a zeroed stamp is never current */
static uint64 pae_generacion = 1;
static uint64 pae_relaciones = 1;
static bool pae_registrado = false;
static Oid	pae_usuarios_relid = InvalidOid;
/* the per-relation caches told of each relcache and pg_cast invalidation */
#define PAE_OYENTES_MAX	4
static PaeCacheOyente pae_oyentes[PAE_OYENTES_MAX];
static int	pae_noyentes = 0;

static void
pae_cache_avisar(Oid relid)
{
	int			i;

	for (i = 0; i < pae_noyentes; i++)
		pae_oyentes[i] (relid);
}

static void
pae_cache_subxact(SubXactEvent event, SubTransactionId mySubid,
				  SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		pae_generacion++;		/* rule 1 */
}

static void
pae_cache_xact(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		pae_generacion++;		/* rule 1 */
}

static void
pae_cache_extension(Datum arg, int cacheid, uint32 hashvalue)
{
	pae_generacion++;			/* rule 2 */
	pae_usuarios_relid = InvalidOid;
	pae_relaciones++;
	pae_cache_avisar(InvalidOid);
}

static void
pae_cache_relcache(Datum arg, Oid relid)
{
	if (!OidIsValid(relid) || relid == pae_usuarios_relid)
	{
		pae_generacion++;		/* rule 3 */
		pae_usuarios_relid = InvalidOid;
	}
	pae_relaciones++;
	pae_cache_avisar(relid);
}

static void
pae_cache_cast(Datum arg, int cacheid, uint32 hashvalue)
{
	pae_relaciones++;
	pae_cache_avisar(InvalidOid);
}

static void
pae_cache_registrar(void)
{
	if (pae_registrado)
		return;
	RegisterSubXactCallback(pae_cache_subxact, NULL);
	RegisterXactCallback(pae_cache_xact, NULL);
	CacheRegisterSyscacheCallback(EXTENSIONOID, pae_cache_extension, (Datum) 0);
	CacheRegisterSyscacheCallback(CASTSOURCETARGET, pae_cache_cast, (Datum) 0);
	CacheRegisterRelcacheCallback(pae_cache_relcache, (Datum) 0);
	pae_registrado = true;
}

uint64
pae_cache_generacion(void)
{
	pae_cache_registrar();
	return pae_generacion;
}

void
pae_cache_invalidar(void)
{
	pae_generacion++;			/* rule 4 */
}

void
pae_sello_poner(PaeSello *s, uint64 generacion)
{
	s->generacion = generacion;
	s->lxid = MyProc->lxid;
}

bool
pae_sello_vigente(const PaeSello *s)
{
	return pae_sello_vigente_siempre(s) && s->lxid == MyProc->lxid;
}

bool
pae_sello_vigente_siempre(const PaeSello *s)
{
	pae_cache_registrar();
	return s->generacion == pae_generacion;
}

Oid
pae_cache_usuarios_relid(void)
{
	pae_cache_registrar();
	if (!OidIsValid(pae_usuarios_relid))
	{
		Oid			nsp = get_namespace_oid("pae", true);

		if (OidIsValid(nsp))
			pae_usuarios_relid = get_relname_relid("usuarios", nsp);
	}
	return pae_usuarios_relid;
}

void
pae_cache_escuchar_relaciones(PaeCacheOyente oyente)
{
	int			i;

	pae_cache_registrar();
	for (i = 0; i < pae_noyentes; i++)
		if (pae_oyentes[i] == oyente)
			return;
	if (pae_noyentes >= PAE_OYENTES_MAX)
		elog(ERROR, "too many pae_cauca relation cache listeners");
	pae_oyentes[pae_noyentes++] = oyente;
}

uint64
pae_cache_relaciones(void)
{
	pae_cache_registrar();
	return pae_relaciones;
}
