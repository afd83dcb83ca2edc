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
/* a row's values, deformed once */
typedef struct PaeFila
{
	Datum	   *valores;
	bool	   *nulos;
} PaeFila;

extern void pae_fila_deformar(Relation rel, HeapTuple tup, PaeFila *fila);
extern Jsonb *pae_fila_jsonb(Relation rel, const PaeFila *fila);
extern Jsonb *pae_columnas_jsonb(Relation rel, const PaeFila *fila, const Bitmapset *attrs);
extern Jsonb *pae_clave_jsonb(Relation rel, const PaeFila *fila);

#endif							/* PAE_FILA_JSONB_H */
