/*-------------------------------------------------------------------------
 *
 * eventos.h
 *	  Announcing the outbox (pae.eventos, SPEC §7): the one call every
 *	  writer of an event makes, and the relay that sends the NOTIFYs after
 *	  commit when the extension is preloaded (relay.c).
 *
 * Two modes, fixed for the life of the server:
 *	  - relay: pae_cauca is in shared_preload_libraries.  The writing
 *		transaction only marks itself in shared memory (the statement
 *		trigger pae.tg_eventos_en_vuelo on pae.eventos); at commit it sets
 *		the latch of its database's relay worker, which reads the committed
 *		rows and sends NOTIFY pae_eventos for each, in id order, in a
 *		transaction of its own.  The writer never takes the notify queue's
 *		lock.
 *	  - en_transaccion: not preloaded.  The writing transaction queues the
 *		NOTIFY itself (Async_Notify), delivered when it commits.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PAE_EVENTOS_H
#define PAE_EVENTOS_H

#define PAE_CANAL_EVENTOS "pae_eventos"

/*
 * The event `id` (decimal text), of type `tipo`, about visit `visita`
 * (uuid text, or NULL) was just inserted into pae.eventos by this
 * transaction: have it announced once the transaction commits.
 */
extern void pae_evento_anunciar(const char *id, const char *tipo, const char *visita);

/* relay.c */
extern bool pae_relay_activo(void);		/* preloaded: the worker announces */
extern bool pae_relay_tx_marcada(void); /* this transaction is in the relay */
extern void pae_relay_init(void);		/* from _PG_init */

#endif							/* PAE_EVENTOS_H */
