/*-------------------------------------------------------------------------
 *
 * visita.c
 *	  Reading a pae.visitas row inside the triggers.
 *
 * Columns are found by name on each call: a partition may have a different
 * physical layout from its parent (dropped columns), and the trigger fires on
 * the partition.  Each column must also have its type: a row is read by
 * those types (a uuid as 16 bytes behind a pointer, a text as a varlena),
 * so a column of another type would be read as garbage.  The triggers
 * check the table before (disparadores.c); this is the last line.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "visita.h"

static const char *const pae_visita_columnas[PV_NCOLS] = {
	"id", "sede", "contrato", "visitador", "fecha_visita", "estado",
	"checkin_lat", "checkin_lon", "checkin_precision_m", "checkin_en",
	"checkout_lat", "checkout_lon", "checkout_precision_m", "checkout_en",
	"distancia_m", "dentro_geocerca", "raciones_programadas",
	"raciones_entregadas", "version", "creada_en", "actualizada_en",
	"motivo_estado"
};

/* the type of each column; InvalidOid: an enum (pae.estado_visita) */
static const Oid pae_visita_tipos[PV_NCOLS] = {
	UUIDOID, BPCHAROID, TEXTOID, UUIDOID, TIMESTAMPTZOID, InvalidOid,
	FLOAT8OID, FLOAT8OID, FLOAT8OID, TIMESTAMPTZOID,
	FLOAT8OID, FLOAT8OID, FLOAT8OID, TIMESTAMPTZOID,
	FLOAT8OID, BOOLOID, INT4OID,
	INT4OID, INT4OID, TIMESTAMPTZOID, TIMESTAMPTZOID,
	TEXTOID
};

/*
 * The NOT NULL columns of the contract.  The BEFORE trigger runs before
 * NOT NULL constraints are checked, so it sees a NULL the constraint would
 * refuse later, and must refuse it itself before using the value.
 * version and actualizada_en are the trigger's on UPDATE.
 */
typedef struct PaeObligatoria
{
	PaeVisitaCol col;
	bool		solo_insert;
	const char *pista;
} PaeObligatoria;

static const PaeObligatoria pae_visita_obligatorias[] = {
	{PV_ID, false, "Omita id para que se genere uno, o envíe el uuid que generó el dispositivo."},
	{PV_SEDE, false, "Indique el código DANE de 12 dígitos de la sede visitada."},
	{PV_CONTRATO, false, "Indique el número del contrato que atiende la sede."},
	{PV_VISITADOR, false, "Indique el id del visitador asignado (el propio, para una visita de campo)."},
	{PV_FECHA, false, "Indique la fecha y hora planeada de la visita."},
	{PV_ESTADO, false, "Omita estado (una visita nueva es programada) y muévala con pae.transicion."},
	{PV_CREADA, false, "Omita creada_en: la base la fija al crear la visita."},
	{PV_VERSION, true, "Omita version: la base la fija y la sube en cada cambio."},
	{PV_ACTUALIZADA, true, "Omita actualizada_en: la base la fija en cada cambio."},
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
			ereport(ERROR,
					(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
					 errmsg("la tabla no tiene la columna \"%s\" de pae.visitas",
							pae_visita_columnas[i]),
					 errdetail("Los disparadores de visitas leen las columnas de pae.visitas por nombre y tipo."),
					 errhint("Use estos disparadores solo en pae.visitas.")));
		if (pae_visita_tipos[i] != InvalidOid ?
			TupleDescAttr(desc, attnum - 1)->atttypid != pae_visita_tipos[i] :
			!type_is_enum(TupleDescAttr(desc, attnum - 1)->atttypid))
			ereport(ERROR,
					(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
					 errmsg("la columna \"%s\" no tiene el tipo que tiene en pae.visitas",
							pae_visita_columnas[i]),
					 errdetail("La columna es de tipo %s; en pae.visitas es de tipo %s.",
							   format_type_be(TupleDescAttr(desc, attnum - 1)->atttypid),
							   pae_visita_tipos[i] != InvalidOid ?
							   format_type_be(pae_visita_tipos[i]) : "pae.estado_visita"),
					 errhint("Use estos disparadores solo en pae.visitas.")));
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

/*
 * pae_visita_exigir
 *		23502 when a NOT NULL column of the contract is NULL in the row a
 *		statement writes (insert: a new visit; else the NEW of an UPDATE).
 */
void
pae_visita_exigir(Relation rel, const PaeVisita *v, bool insert)
{
	size_t		i;

	for (i = 0; i < lengthof(pae_visita_obligatorias); i++)
	{
		const PaeObligatoria *o = &pae_visita_obligatorias[i];

		if (!v->isnull[o->col] || (o->solo_insert && !insert))
			continue;
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("valor nulo en la columna \"%s\" de la visita", pae_visita_columnas[o->col]),
				 errdetail("La columna \"%s\" de pae.visitas es obligatoria (NOT NULL) y la fila %s la trae en NULL.",
						   pae_visita_columnas[o->col], insert ? "nueva" : "actualizada"),
				 errhint("%s", o->pista),
				 errtablecol(rel, v->attnum[o->col])));
	}
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
