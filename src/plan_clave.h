/*-------------------------------------------------------------------------
 *
 * plan_clave.h
 *	  Prepared SPI plans of key lookups, planned with their indexes
 *	  (plan_clave.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PAE_PLAN_CLAVE_H
#define PAE_PLAN_CLAVE_H

#include "postgres.h"

#include "executor/spi.h"

/*
 * pae_plan (generic, kept for the backend), whose generic plan is built
 * with sequential scans disabled.  For statements that find their rows by
 * a key; SPI must be connected.
 */
extern SPIPlanPtr pae_plan_clave(SPIPlanPtr *cache, const char *sql, int nargs,
								 const Oid *argtypes);

#endif							/* PAE_PLAN_CLAVE_H */
