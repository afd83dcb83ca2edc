/*-------------------------------------------------------------------------
 *
 * reglas.h
 *	  The catalogue of pae_cauca's rules: the PV error class, the
 *	  tolerances, thresholds and limits, and the programme's time zone.
 *	  Each rule is defined here once; C reads the macros, and SQL reads the
 *	  same values through pae.regla(nombre) / pae.reglas() (reglas.c), so no
 *	  SQL literal repeats a number of this file.
 *
 *	  This header knows nothing else: no PostgreSQL type beyond the
 *	  timestamp units, no function of the extension.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PAE_REGLAS_H
#define PAE_REGLAS_H

#include "datatype/timestamp.h"

/* The PV error class of SPEC §11 */
#define ERRCODE_PAE_FUERA_GEOCERCA		MAKE_SQLSTATE('P','V','0','0','1')
#define ERRCODE_PAE_TRANSICION			MAKE_SQLSTATE('P','V','0','0','2')
#define ERRCODE_PAE_PRECONDICION		MAKE_SQLSTATE('P','V','0','0','3')
#define ERRCODE_PAE_SEDE_CONTRATO		MAKE_SQLSTATE('P','V','0','0','4')
#define ERRCODE_PAE_COORDENADAS			MAKE_SQLSTATE('P','V','0','0','5')
#define ERRCODE_PAE_TIEMPO				MAKE_SQLSTATE('P','V','0','0','6')
#define ERRCODE_PAE_CONFLICTO			MAKE_SQLSTATE('P','V','0','0','7')
#define ERRCODE_PAE_DUPLICADA			MAKE_SQLSTATE('P','V','0','0','8')
#define ERRCODE_PAE_AUDITORIA			MAKE_SQLSTATE('P','V','0','0','9')
#define ERRCODE_PAE_BLOQUEO				MAKE_SQLSTATE('P','V','0','1','0')
#define ERRCODE_PAE_LOTE				MAKE_SQLSTATE('P','V','0','1','1')

/* time zone of the programme's calendar (days and months of visits) */
#define PAE_ZONA_HORARIA	"America/Bogota"

/* tolerated clock skew of devices: timestamps up to this far ahead pass */
#define PAE_FUTURO_TOLERADO_MIN		10
#define PAE_FUTURO_TOLERADO_USEC	((int64) PAE_FUTURO_TOLERADO_MIN * USECS_PER_MINUTE)

/* a poor GPS fix gets at most this much benefit of the doubt (metres) */
#define PAE_PRECISION_BENEFICIO_MAX	100.0
/* fixes reported worse than this are refused (metres) */
#define PAE_PRECISION_MAX			5000.0

/* impossible travel: faster than this between two check-ins (km/h) ... */
#define PAE_VIAJE_VELOCIDAD_MAX_KMH	120.0
/* ... counting only check-ins at least this far apart (metres, GPS noise) ... */
#define PAE_VIAJE_DISTANCIA_MIN_M	1000.0
/* ... and this close in time (days) */
#define PAE_VIAJE_VENTANA_DIAS		2

/* raciones_faltantes: delivered below this share of the scheduled rations */
#define PAE_RACIONES_FRACCION_MIN	0.9

/* duracion_sospechosa: a visit shorter than this (minutes) */
#define PAE_DURACION_MIN_MIN		10

/*
 * offline sync (pae_api.sincronizar, SPEC §8): a batch over any of these
 * fails at once with PV011, before any item is applied
 */
/* visits per batch */
#define PAE_SYNC_MAX_VISITAS		5000
/* bytes of the whole body (jsonb, as PostgREST passes it): 16 MB */
#define PAE_SYNC_MAX_BYTES			16777216
/* bytes of one visit of the batch (jsonb): 256 kB */
#define PAE_SYNC_MAX_BYTES_VISITA	262144
/* checklist answers per visit */
#define PAE_SYNC_MAX_RESPUESTAS		100
/* evidence (photos, signatures, documents) per visit */
#define PAE_SYNC_MAX_EVIDENCIAS		50

#endif							/* PAE_REGLAS_H */
