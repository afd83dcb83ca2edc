/*-------------------------------------------------------------------------
 *
 * spi_plan.c
 *	  Prepared SPI plans kept for the life of the backend, and running the
 *	  triggers' bookkeeping as the extension's owner.
 *
 * This is the pattern of PostgreSQL's ri_triggers.c: the plan is prepared
 * on first use and kept with SPI_keepplan.  It is a cache, not transaction
 * state: the plan cache re-plans after DDL on the tables it reads, and every
 * query given here schema-qualifies its names and operators, so search_path
 * never changes what it means.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "nodes/parsenodes.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"

#include "cache.h"
#include "pae_cauca.h"

/*
 * pae_plan_a_medida
 *		A statement planned for each call's values, always: a range scan of a
 *		table that starts empty and grows all day (the check-in registry),
 *		where even the plan cache's own choice would settle on the generic
 *		plan made while the table was empty -- a sequential scan -- and keep
 *		it for the backend's life.
 */
SPIPlanPtr
pae_plan_a_medida(SPIPlanPtr *cache, const char *sql, int nargs, const Oid *argtypes)
{
	if (*cache == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare_cursor(sql, nargs, (Oid *) argtypes,
											  CURSOR_OPT_CUSTOM_PLAN);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s",
				 sql, SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		*cache = plan;
	}
	return *cache;
}

SPIPlanPtr
pae_plan(SPIPlanPtr *cache, const char *sql, int nargs, const Oid *argtypes,
		 bool generico)
{
	if (*cache == NULL)
	{
		/*
		 * generico: a key lookup or an insert, whose best plan never
		 * depends on the values: plan once (no re-planning per call).
		 * Otherwise (range scans of pae.visitas and the tables growing with
		 * it) let the plan cache decide: a custom plan prunes to the months
		 * the values select and follows the table's current statistics,
		 * where a generic plan made while a table was empty would keep a
		 * sequential scan as it grows.
		 */
		SPIPlanPtr	plan = SPI_prepare_cursor(sql, nargs, (Oid *) argtypes,
											  generico ? CURSOR_OPT_GENERIC_PLAN : 0);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s",
				 sql, SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		*cache = plan;
	}
	return *cache;
}

int
pae_plan_ejecutar(SPIPlanPtr plan, Datum *args, const char *nulls,
				  bool read_only, long count)
{
	int			ret = SPI_execute_plan(plan, args, nulls, read_only, count);

	if (ret < 0)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(ret));
	return ret;
}

/*
 * pae_duenio_extension
 *		The role that owns the pae_cauca extension.
 */
Oid
pae_duenio_extension(void)
{
	/*
	 * Every visit write asks several times; the answer is a per-transaction
	 * memo under the rules of cache.h (a DROP and CREATE EXTENSION, even
	 * inside this transaction, moves the generation past it).
	 */
	static PaeSello sello = {0};
	static Oid	cache_owner = InvalidOid;
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	Oid			owner = InvalidOid;
	Oid			ext;
	uint64		generacion;

	if (pae_sello_vigente(&sello) && OidIsValid(cache_owner))
		return cache_owner;
	generacion = pae_cache_generacion();
	ext = get_extension_oid("pae_cauca", false);

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(ext));
	scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		owner = ((Form_pg_extension) GETSTRUCT(tup))->extowner;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	if (!OidIsValid(owner))
		elog(ERROR, "pae_cauca extension has no owner");
	cache_owner = owner;
	pae_sello_poner(&sello, generacion);
	return owner;
}

/*
 * pae_como_duenio / pae_restaurar_usuario
 *		Run the triggers' bookkeeping (id registry, history, events, alerts,
 *		audit) as the extension's owner, the way PostgreSQL's RI triggers run
 *		as the table owner: clients get no direct write access to those
 *		tables, so nobody can forge a history row.  An error needs no
 *		cleanup: (sub)transaction abort restores the user id.
 */
void
pae_como_duenio(PaeUsuarioGuardado *g)
{
	GetUserIdAndSecContext(&g->userid, &g->sec_context);
	SetUserIdAndSecContext(pae_duenio_extension(),
						   g->sec_context | SECURITY_LOCAL_USERID_CHANGE);
}

void
pae_restaurar_usuario(const PaeUsuarioGuardado *g)
{
	SetUserIdAndSecContext(g->userid, g->sec_context);
}
