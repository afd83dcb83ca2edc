/*-------------------------------------------------------------------------
 *
 * fila_jsonb.h
 *	  Rows as jsonb for the audit trail (fila_jsonb.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PAE_FILA_JSONB_H
#define PAE_FILA_JSONB_H

#include "access/htup.h"
#include "nodes/bitmapset.h"
#include "utils/jsonb.h"
#include "utils/relcache.h"

extern bool pae_clave_sensible(const char *k, int len);
extern Jsonb *pae_fila_jsonb(Relation rel, HeapTuple tup);
extern Jsonb *pae_columnas_jsonb(Relation rel, HeapTuple tup, const Bitmapset *attrs);

#endif							/* PAE_FILA_JSONB_H */
