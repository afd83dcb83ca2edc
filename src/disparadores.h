/*-------------------------------------------------------------------------
 *
 * disparadores.h
 *	  What every C trigger of pae_cauca checks before it reads a row: that
 *	  it was fired the way it was made for (BEFORE/AFTER, ROW/STATEMENT,
 *	  which operations), and on the table it was made for.
 *
 * A trigger function is a tool with its owner's rights (it writes the
 * history, the ids registry, the audit as the extension's owner): fired on
 * any other table, even by a superuser, it would write forged bookkeeping.
 * Each trigger refuses such a table with 39P01 before it reads the row.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PAE_DISPARADORES_H
#define PAE_DISPARADORES_H

#include "fmgr.h"
#include "utils/relcache.h"

/* how a trigger may be fired: one bit of each group must match */
#define PAE_TG_ANTES		0x01	/* BEFORE */
#define PAE_TG_DESPUES		0x02	/* AFTER */
#define PAE_TG_FILA			0x04	/* FOR EACH ROW */
#define PAE_TG_SENTENCIA	0x08	/* FOR EACH STATEMENT */
#define PAE_TG_INSERT		0x10
#define PAE_TG_UPDATE		0x20
#define PAE_TG_DELETE		0x40
#define PAE_TG_TRUNCATE		0x80

/*
 * 39P01 unless fcinfo is a trigger call fired as forma allows; uso says, for
 * the hint, how the trigger is created ("BEFORE INSERT ... FOR EACH ROW").
 */
extern void pae_tg_exigir_protocolo(FunctionCallInfo fcinfo, const char *funcion,
									int forma, const char *uso);

/*
 * rel is pae.<tabla>, or a partition (at any depth) whose partitioned root
 * is pae.<tabla>.  Answers are cached per relation and forgotten when the
 * relation changes (relcache invalidation: DETACH, DROP, ALTER ...).
 */
extern bool pae_rel_es_tabla(Relation rel, const char *tabla);

/* the partitioned root of rel (rel itself when it is no partition) */
extern Oid	pae_rel_raiz(Relation rel);

/* 39P01: funcion was fired on rel, which is not a table it was made for */
extern void pae_tg_rechazar_tabla(const char *funcion, Relation rel,
								  const char *para_que) pg_attribute_noreturn();

#endif							/* PAE_DISPARADORES_H */
