/*-------------------------------------------------------------------------
 *
 * visita.h
 *	  A row of pae.visitas as the triggers read and change it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PAE_VISITA_H
#define PAE_VISITA_H

#include "access/htup.h"
#include "access/tupdesc.h"
#include "utils/relcache.h"
#include "utils/uuid.h"

#include "pae_cauca.h"

/* columns the rules read, by position in PaeVisita.attnum/isnull */
typedef enum PaeVisitaCol
{
	PV_ID,
	PV_SEDE,
	PV_CONTRATO,
	PV_VISITADOR,
	PV_FECHA,
	PV_ESTADO,
	PV_CIN_LAT,
	PV_CIN_LON,
	PV_CIN_PREC,
	PV_CIN_EN,
	PV_COUT_LAT,
	PV_COUT_LON,
	PV_COUT_PREC,
	PV_COUT_EN,
	PV_DISTANCIA,
	PV_DENTRO,
	PV_RAC_PROG,
	PV_RAC_ENTR,
	PV_VERSION,
	PV_CREADA,
	PV_ACTUALIZADA,
	PV_MOTIVO,
	PV_NCOLS
} PaeVisitaCol;

typedef struct PaeVisita
{
	int			attnum[PV_NCOLS];
	Datum		value[PV_NCOLS];
	bool		isnull[PV_NCOLS];
	char	   *estado;			/* label of the estado enum */
	char	   *sede;			/* trimmed DANE code */
	char	   *contrato;
} PaeVisita;

/* the columns a trigger call changes in NEW */
typedef struct PaeCambios
{
	int			n;
	int			cols[PV_NCOLS];
	Datum		values[PV_NCOLS];
	bool		nulls[PV_NCOLS];
} PaeCambios;

extern void pae_cambiar(PaeCambios *c, PaeVisita *v, PaeVisitaCol col,
						Datum value, bool isnull);
extern char *pae_ts_texto(Datum ts);
extern void pae_visita_leer(HeapTuple tuple, TupleDesc desc, PaeVisita *v);
extern void pae_visita_exigir(Relation rel, const PaeVisita *v, bool insert);
extern bool pae_visita_cambio(const PaeVisita *antes, const PaeVisita *despues,
							  PaeVisitaCol col, TupleDesc desc);
extern char *pae_uuid_texto(Datum uuid);

/* the state machine (transitions.c) */
extern void pae_transicion_validar(Oid invocador, PaeVisita *antes,
								   PaeVisita *despues, TupleDesc desc,
								   PaeCambios *cambios);

extern void pae_cerrada_validar(HeapTuple antes, HeapTuple despues,
								TupleDesc desc, PaeVisita *v_antes, bool mueve);

/* the check-in registry of the impossible-travel alert (checkins.c) */
extern void pae_checkin_registrar(const PaeVisita *v);
extern void pae_checkin_borrar(Datum visita);
extern void pae_checkin_vecinos(Datum visitador, Datum visita, Datum en);
extern void pae_checkin_en_linea_despues(Datum visitador, Datum visita,
										 Datum desde, Datum ahora);

#endif							/* PAE_VISITA_H */
