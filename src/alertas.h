/*-------------------------------------------------------------------------
 *
 * alertas.h
 *	  Recording a signal in pae.alertas, written once (alertas.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PAE_ALERTAS_H
#define PAE_ALERTAS_H

#include "postgres.h"

/* open, or reopen with fresh detail, the alert (visita, tipo); inside SPI, as the owner */
extern void pae_alerta_registrar(Datum visita, const char *tipo, const char *detalle_json);

#endif							/* PAE_ALERTAS_H */
