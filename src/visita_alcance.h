/*-------------------------------------------------------------------------
 *
 * visita_alcance.h
 *	  May the session see a visit, and in which state and month is it
 *	  (visita_alcance.c): the question the policies and the trigger of
 *	  what hangs off a visit ask for every row.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PAE_VISITA_ALCANCE_H
#define PAE_VISITA_ALCANCE_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "utils/uuid.h"

typedef struct PaeVisitaVista
{
	char		estado[16];		/* pae.estado_visita, as text */
	TimestampTz fecha_visita;
} PaeVisitaVista;

/*
 * True when the visit exists and the session may see it (the policies of
 * pae.visitas decide, for the current user), under the active snapshot;
 * then *vista (when not NULL) holds its state and date.
 */
extern bool pae_visita_alcance(const pg_uuid_t *visita, PaeVisitaVista *vista);

#endif							/* PAE_VISITA_ALCANCE_H */
