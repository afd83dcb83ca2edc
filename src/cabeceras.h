/*-------------------------------------------------------------------------
 *
 * cabeceras.h
 *	  Reading PostgREST's request.headers (a JSON object of strings) into
 *	  a jsonb object of the headers a caller keeps, each value clipped to
 *	  PAE_CABECERA_VALOR_MAX bytes on a character boundary.  Shared by the
 *	  audit (which headers it records) and the pre-request (which it lets
 *	  through); each decides, in its own field callback, which keys to keep.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PAE_CABECERAS_H
#define PAE_CABECERAS_H

#include "postgres.h"

#include "common/jsonapi.h"
#include "utils/jsonb.h"

typedef struct PaeCabeceras
{
	int			nivel;			/* nesting of objects and arrays */
	bool		guardar;		/* the current top-level key is kept */
	char	   *clave;			/* under this name */
	JsonbParseState *st;		/* the object being built */
	int			n;				/* headers kept so far */
} PaeCabeceras;

/*
 * Fills sem for c: nesting is counted, and the string value of each
 * top-level key that "campo" marked (guardar, clave; only at nivel 1) is
 * pushed into c->st.  The caller pushes WJB_BEGIN_OBJECT before parsing and
 * WJB_END_OBJECT after.
 */
extern void pae_cabeceras_sem(JsonSemAction *sem, PaeCabeceras *c,
							  json_ofield_action campo);

#endif							/* PAE_CABECERAS_H */
