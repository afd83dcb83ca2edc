/*-------------------------------------------------------------------------
 *
 * auditoria_canon.h
 *	  The canonical encoding of an audit row, the bytes whose SHA-256 is the
 *	  row's hash (audit.c): a tag, three integers big-endian, then every
 *	  field length-prefixed, so that no two different rows encode alike.
 *
 * Pure: no fmgr, no palloc, no ereport.  The caller hands the fields as
 * bytes and a function that receives the encoding piece by piece (audit.c
 * feeds a SHA-256 context; test/fuzz decodes it back), so the file can be
 * compiled alone into a fuzzer.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PAE_AUDITORIA_CANON_H
#define PAE_AUDITORIA_CANON_H

#include "c.h"

/* the leading tag, with its terminating NUL (sizeof): version of the encoding */
#define PAE_CANON_ETIQUETA		"pae_cauca.auditoria.v1"

/* the length-prefixed fields, in the order they are encoded */
typedef enum PaeCanonCampo
{
	PAE_CANON_TABLA,
	PAE_CANON_OPERACION,
	PAE_CANON_PK,				/* jsonb: its canonical text */
	PAE_CANON_ANTES,			/* jsonb */
	PAE_CANON_DESPUES,			/* jsonb */
	PAE_CANON_ACTOR,			/* the 16 bytes of the uuid */
	PAE_CANON_ROL_DB,
	PAE_CANON_CLIENTE,			/* jsonb */
	PAE_CANON_NCAMPOS
} PaeCanonCampo;

typedef struct PaeCanonFila
{
	int64		id;
	int64		en_unix_usec;	/* en, in microseconds since 1970-01-01 UTC */
	uint64		xid;
	const char *campo[PAE_CANON_NCAMPOS];
	int32		largo[PAE_CANON_NCAMPOS];	/* bytes of campo[i]; -1: NULL */
} PaeCanonFila;

/* receives the encoding, piece by piece (never a piece of 0 bytes) */
typedef void (*PaeCanonSalida) (void *arg, const uint8 *p, size_t n);

extern void pae_canon_fila(const PaeCanonFila *f, PaeCanonSalida salida, void *arg);

#endif							/* PAE_AUDITORIA_CANON_H */
