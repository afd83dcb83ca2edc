/*-------------------------------------------------------------------------
 *
 * cache.h
 *	  The caches of pae_cauca and the one set of rules that invalidates
 *	  them.  Every cached answer in the library (who the session is, a
 *	  person's role and state, the extension's owner, the oid of
 *	  pae.usuarios, the audit's column layout of a relation, the audit's
 *	  own oids and the client headers of the transaction, the partition
 *	  root of a relation) follows the rules written here and nowhere else.
 *	  The one exception needs none: the geofence's memo of the last sede
 *	  (geofence.c) is reused only under the very same snapshot.
 *
 * The generation
 *	  One backend-wide counter, pae_cache_generacion().  It goes up when
 *	  1. a transaction or a subtransaction aborts: an answer computed inside
 *		 it may rest on rows that were rolled back, or be half built when
 *		 the error came (a malformed claim, say);
 *	  2. pg_extension changes (CREATE, DROP, ALTER EXTENSION, in this
 *		 backend at once, in others before their next transaction): every
 *		 oid, owner and row read under the old extension is gone;
 *	  3. a relcache invalidation names pae.usuarios, or every relation
 *		 (sinval overflow): people changed in a transaction another backend
 *		 committed, or the table was dropped;
 *	  4. pae_cache_invalidar() is called: this backend wrote pae.usuarios
 *		 (pae.tg_usuarios_cambio, after every statement that writes it).
 *
 * Stamps
 *	  An answer is stored with a PaeSello: the generation read BEFORE the
 *	  answer was computed, and the transaction's local id.  The stamp is
 *	  written only after the answer is complete, so an error half way leaves
 *	  the previous (stale or empty) stamp, never a valid one; and an
 *	  invalidation that arrives while computing moves the generation past
 *	  the stamp.
 *	  - pae_sello_vigente(): same generation and same transaction (a
 *		per-transaction memo);
 *	  - pae_sello_vigente_siempre(): same generation, any transaction
 *		(only for answers read with a fresh snapshot).
 *
 * Per-relation caches
 *	  pae_cache_escuchar_relaciones() registers a listener (fila_jsonb's
 *	  layouts, the audit's oids, disparadores.c's partition roots) told of
 *	  each relcache invalidation (InvalidOid: all relations) and of every
 *	  change to pg_cast or pg_extension (as InvalidOid); each forgets what it
 *	  kept of that relation.  pae_cache_relaciones() counts those events.  A per-relation entry is marked valid only after its
 *	  build completed with the count unchanged (else it is built again).
 *
 * Prepared SPI plans (spi_plan.c) need no rule here: the plan cache
 * re-analyses them after DDL on what they read, and their queries name
 * everything by schema, so a dropped and re-created extension is found by
 * name again.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PAE_CACHE_H
#define PAE_CACHE_H

#include "postgres.h"

typedef struct PaeSello
{
	uint64		generacion;		/* 0: never stamped */
	uint32		lxid;			/* LocalTransactionId */
} PaeSello;

extern uint64 pae_cache_generacion(void);
extern void pae_cache_invalidar(void);

extern void pae_sello_poner(PaeSello *s, uint64 generacion);
extern bool pae_sello_vigente(const PaeSello *s);
extern bool pae_sello_vigente_siempre(const PaeSello *s);

/* the oid of pae.usuarios, watched by rule 3 (InvalidOid when missing) */
extern Oid	pae_cache_usuarios_relid(void);

typedef void (*PaeCacheOyente) (Oid relid);
extern void pae_cache_escuchar_relaciones(PaeCacheOyente oyente);
extern uint64 pae_cache_relaciones(void);

#endif							/* PAE_CACHE_H */
