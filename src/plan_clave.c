/*-------------------------------------------------------------------------
 *
 * plan_clave.c
 *	  Prepared SPI plans of key lookups, planned with their indexes.
 *
 * A statement that finds its rows by a key (a visit by id and month, the
 * evidence of a visit, a sync row by visit) is best run by the index
 * whatever the size of the table.  The planner does not always see it: a
 * generic plan made while the tables are empty -- the first sync of a
 * fresh database, a new monthly partition -- costs a sequential scan of
 * an empty table at nothing and keeps it for the backend's life, while
 * the table grows to millions of rows and every lookup reads all of them.
 * So the generic plan of such a statement is built here, before its first
 * execution and again whenever it was invalidated, with enable_seqscan off
 * for the planning only (a GUC nest level, as a function's SET clause
 * does); the statement then runs under the session's settings.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "utils/guc.h"
#include "utils/plancache.h"
#include "utils/resowner.h"

#include "pae_cauca.h"
#include "plan_clave.h"

SPIPlanPtr
pae_plan_clave(SPIPlanPtr *cache, const char *sql, int nargs, const Oid *argtypes)
{
	bool		nuevo = *cache == NULL;
	SPIPlanPtr	plan = pae_plan(cache, sql, nargs, argtypes, true);

	if (nuevo || !SPI_plan_is_valid(plan))
	{
		int			nivel = NewGUCNestLevel();
		CachedPlan *cp;

		(void) set_config_option("enable_seqscan", "off", PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
		cp = SPI_plan_get_cached_plan(plan);
		if (cp != NULL)
			ReleaseCachedPlan(cp, CurrentResourceOwner);
		AtEOXact_GUC(true, nivel);
	}
	return plan;
}
