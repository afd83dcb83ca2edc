/*-------------------------------------------------------------------------
 *
 * tiempos.h
 *	  Bounds of capture times and the order of check-in and check-out
 *	  (tiempos.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PAE_TIEMPOS_H
#define PAE_TIEMPOS_H

#include "datatype/timestamp.h"

#include "reglas.h"

extern TimestampTz pae_captura_desde(TimestampTz fecha_visita);
extern void pae_captura_validar(const char *que, const char *columna,
								TimestampTz en, TimestampTz fecha_visita);
extern void pae_checkout_validar(TimestampTz checkin_en, TimestampTz checkout_en);

#endif							/* PAE_TIEMPOS_H */
