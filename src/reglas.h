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

/*
 * capture times sent by clients (checkin_en, checkout_en, evidencias.
 * tomada_en) are finite, not in the future (above), and not earlier than the
 * start of the Colombian day of fecha_visita minus this many days: offline
 * sync may deliver a capture days after it was taken, but never a capture
 * taken well before the day the visit was planned for
 */
#define PAE_CAPTURA_DIAS_ANTES		1

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

/* limits on what hangs off a visit (22001 or 23514 when exceeded) */
/* characters of visita_respuestas.observacion */
#define PAE_RESPUESTA_OBSERVACION_MAX	2000
/* characters of evidencias.uri */
#define PAE_EVIDENCIA_URI_MAX		2048
/* characters of evidencias.mime (RFC 6838: type/subtype, 127 each) */
#define PAE_EVIDENCIA_MIME_MAX		255
/* evidencias of one visit */
#define PAE_EVIDENCIAS_POR_VISITA_MAX	50
/*
 * a contract's vigencia spans at most this many months, and lies within
 * these years before and after today: each contract row creates at most
 * that many monthly partitions of pae.visitas (pae.tg_contratos_particiones)
 */
#define PAE_CONTRATO_MESES_MAX		36
#define PAE_CONTRATO_ANIOS_ATRAS	10
#define PAE_CONTRATO_ANIOS_ADELANTE	5
/* longest free texts of a visit, in characters (22001 beyond) */
#define PAE_OBSERVACIONES_MAX		10000
#define PAE_MOTIVO_MAX				1000
#define PAE_DISPOSITIVO_MAX			200

/* longest correo and nombre of a person, in characters (22023 beyond) */
#define PAE_CORREO_MAX				254
#define PAE_NOMBRE_MAX				200

/*
 * pae.sellar_auditoria() waits at most this long (milliseconds) for the
 * transactions still writing audit rows it would seal; rows of those still
 * open then are left for the next seal
 */
#define PAE_SELLADO_ESPERA_MS		2000

/* PostgREST access (SPEC §10): pae_api.login and pae.db_pre_request */
/* shortest HS256 secret accepted, in bytes (PostgREST's own minimum) */
#define PAE_JWT_SECRETO_MIN			32
/* lifetime of a token pae_api.login issues (minutes): one field day */
#define PAE_TOKEN_VIDA_MIN			480
/* failed logins of one correo within the window that lock it ... */
#define PAE_LOGIN_INTENTOS_MAX		5
#define PAE_LOGIN_VENTANA_MIN		15
/* ... for this long (minutes), even for the right password */
#define PAE_LOGIN_BLOQUEO_MIN		15
/* login attempts older than this are purged (days) */
#define PAE_LOGIN_RETENCION_DIAS	30
/* request headers kept for the request and its audit: bytes per value, count */
#define PAE_CABECERA_VALOR_MAX		256
#define PAE_CABECERAS_MAX			64
/* pae_api.mis_visitas: today and this many days after (Colombian days) */
#define PAE_MIS_VISITAS_DIAS		7
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
