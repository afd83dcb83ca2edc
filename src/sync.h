/*-------------------------------------------------------------------------
 *
 * sync.h
 *	  Offline sync (SPEC §8): one item of a pae_api.sincronizar batch as a
 *	  C struct (decoded by sync_item.c, a pure decoder over the jsonb API,
 *	  no fmgr, so it can be fuzzed alone), and the limits of a batch.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PAE_SYNC_H
#define PAE_SYNC_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "utils/jsonb.h"
#include "utils/uuid.h"

#include "reglas.h"

/* the states of pae.estado_visita, as the device names them */
typedef enum PaeSyncEstado
{
	PAE_SYNC_PROGRAMADA,
	PAE_SYNC_EN_CURSO,
	PAE_SYNC_CERRADA,
	PAE_SYNC_APROBADA,
	PAE_SYNC_DEVUELTA,
	PAE_SYNC_CANCELADA
} PaeSyncEstado;

extern const char *const pae_sync_estados[];

/* a GPS capture with its device time (checkin, checkout) */
typedef struct PaeSyncCaptura
{
	bool		presente;		/* the key was given with an object */
	bool		tiene_lat;
	double		lat;
	bool		tiene_lon;
	double		lon;
	bool		tiene_precision;
	double		precision_m;
	TimestampTz t;				/* required when presente */
} PaeSyncCaptura;

typedef struct PaeSyncRespuesta
{
	char	   *item;
	char	   *valor;
	char	   *observacion;	/* NULL: none */
} PaeSyncRespuesta;

typedef struct PaeSyncEvidencia
{
	bool		tiene_id;
	pg_uuid_t	id;
	bool		tiene_bytes;
	char	   *tipo;
	char	   *sha256;
	int64		bytes;
	char	   *mime;
	bool		tiene_lat;
	double		lat;
	bool		tiene_lon;
	double		lon;
	bool		tiene_tomada;
	TimestampTz tomada_en;
	char	   *uri;			/* NULL: none */
} PaeSyncEvidencia;

typedef struct PaeSyncItem
{
	char	   *id_texto;		/* the id as sent, when it was a string */
	pg_uuid_t	id;
	int32		version_base;
	char	   *sede;
	char	   *contrato;
	bool		tiene_visitador;
	pg_uuid_t	visitador;
	TimestampTz fecha_visita;
	PaeSyncEstado estado;
	PaeSyncCaptura checkin;
	PaeSyncCaptura checkout;
	bool		tiene_raciones_programadas;
	int32		raciones_programadas;
	bool		trae_raciones_entregadas;	/* key present (null clears) */
	bool		tiene_raciones_entregadas;
	int32		raciones_entregadas;
	bool		trae_observaciones; /* key present (null clears) */
	char	   *observaciones;
	int			nrespuestas;
	PaeSyncRespuesta *respuestas;
	int			nevidencias;
	PaeSyncEvidencia *evidencias;
} PaeSyncItem;

/*
 * Decodes one element of "visitas".  Returns NULL when the item is well
 * formed, else a Spanish message naming the field and what was wrong (the
 * caller reports it as PV011).  Never raises an error for any input.
 */
extern char *pae_sync_decodificar(const JsonbValue *item, PaeSyncItem *out);

/* canonical 8-4-4-4-12 hexadecimal uuid, either case */
extern bool pae_sync_uuid_leer(const char *s, int len, pg_uuid_t *out);

#endif							/* PAE_SYNC_H */
