/*-------------------------------------------------------------------------
 *
 * eventos.c
 *	  pae_evento_anunciar(): the one place that decides how an outbox event
 *	  is announced (see eventos.h for the two modes).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/async.h"

#include "eventos.h"

void
pae_evento_anunciar(const char *id, const char *tipo, const char *visita)
{
	/*
	 * Relay mode: nothing to queue.  The statement trigger on pae.eventos
	 * already put this transaction in shared memory (every insert passes
	 * through it, also one not made by this library), and its commit wakes
	 * the worker.  A database still at 1.0 (no trigger, no relay cursor)
	 * under a preloaded 1.1 library keeps the in-transaction NOTIFY.
	 */
	if (pae_relay_activo() && pae_relay_tx_marcada())
		return;

	/* queued now, delivered only when this transaction commits */
	if (visita)
		Async_Notify(PAE_CANAL_EVENTOS,
					 psprintf("{\"id\": %s, \"tipo\": \"%s\", \"visita\": \"%s\"}",
							  id, tipo, visita));
	else
		Async_Notify(PAE_CANAL_EVENTOS,
					 psprintf("{\"id\": %s, \"tipo\": \"%s\", \"visita\": null}",
							  id, tipo));
}
