/*-------------------------------------------------------------------------
 *
 * visita.c
 *	  Reading a pae.visitas row inside the triggers.
 *
 * Columns are found by name on each call: a partition may have a different
 * physical layout from its parent (dropped columns), and the trigger fires on
 * the partition.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/datum.h"

#include "visita.h"

static const char *const pae_visita_columnas[PV_NCOLS] = {
	"id", "sede", "contrato", "visitador", "fecha_visita", "estado",
	"checkin_lat", "checkin_lon", "checkin_precision_m", "checkin_en",
	"checkout_lat", "checkout_lon", "checkout_precision_m", "checkout_en",
	"distancia_m", "dentro_geocerca", "raciones_programadas",
	"raciones_entregadas", "version", "creada_en", "actualizada_en",
	"motivo_estado"
};

/* text of a uuid Datum, for messages */
char *
pae_uuid_texto(Datum uuid)
{
	return DatumGetCString(DirectFunctionCall1(uuid_out, uuid));
}

void
pae_visita_leer(HeapTuple tuple, TupleDesc desc, PaeVisita *v)
{
	Datum	   *valores = palloc(sizeof(Datum) * desc->natts);
	bool	   *nulos = palloc(sizeof(bool) * desc->natts);
	int			i;

	/* one pass over the tuple, not one heap_getattr walk per column */
	heap_deform_tuple(tuple, desc, valores, nulos);
	for (i = 0; i < PV_NCOLS; i++)
	{
		int			attnum = SPI_fnumber(desc, pae_visita_columnas[i]);

		if (attnum <= 0)
			elog(ERROR, "column \"%s\" of pae.visitas not found",
				 pae_visita_columnas[i]);
		v->attnum[i] = attnum;
		v->value[i] = valores[attnum - 1];
		v->isnull[i] = nulos[attnum - 1];
	}
	v->estado = v->isnull[PV_ESTADO] ? "" :
		DatumGetCString(DirectFunctionCall1(enum_out, v->value[PV_ESTADO]));
	if (v->isnull[PV_SEDE])
		v->sede = "";
	else
	{
		char	   *s = TextDatumGetCString(v->value[PV_SEDE]);
		int			n = strlen(s);

		while (n > 0 && s[n - 1] == ' ')
			s[--n] = '\0';
		v->sede = s;
	}
	v->contrato = v->isnull[PV_CONTRATO] ? "" :
		TextDatumGetCString(v->value[PV_CONTRATO]);
}

/* true when column col differs (NULL-aware, binary) between two versions */
bool
pae_visita_cambio(const PaeVisita *antes, const PaeVisita *despues,
				  PaeVisitaCol col, TupleDesc desc)
{
	Form_pg_attribute att = TupleDescAttr(desc, despues->attnum[col] - 1);

	if (antes->isnull[col] || despues->isnull[col])
		return antes->isnull[col] != despues->isnull[col];
	return !datumIsEqual(antes->value[col], despues->value[col],
						 att->attbyval, att->attlen);
}

/* text of a timestamptz Datum, for messages */
char *
pae_ts_texto(Datum ts)
{
	return DatumGetCString(DirectFunctionCall1(timestamptz_out, ts));
}

/* set column col of NEW to value, remembering it for heap_modify_tuple */
void
pae_cambiar(PaeCambios *c, PaeVisita *v, PaeVisitaCol col, Datum value, bool isnull)
{
	int			i;

	for (i = 0; i < c->n; i++)
		if (c->cols[i] == v->attnum[col])
			break;
	if (i == c->n)
		c->n++;
	c->cols[i] = v->attnum[col];
	c->values[i] = value;
	c->nulls[i] = isnull;
	v->value[col] = value;
	v->isnull[col] = isnull;
}
