/*-------------------------------------------------------------------------
 *
 * hijos_visita.c
 *	  pae.tg_hijos_visita(): the BEFORE ... FOR EACH ROW trigger of
 *	  pae.visita_respuestas and pae.evidencias (issue 9, items 5, 6, 8, 12,
 *	  13).  Answers and evidence only while the visit they join -- and, on
 *	  UPDATE and DELETE, the visit they leave -- is en_curso or devuelta
 *	  (PV002); sizes bounded by the rules of reglas.h (22001, 23514); a
 *	  sha256 of 64 hexadecimal digits stored in lower case (22023);
 *	  evidence coordinates (PV005) and capture time (PV006) validated like
 *	  a visit's.
 *
 * The visit is looked up as the caller (visita_alcance.c): a visit the
 * caller may not see is as unknown as one that does not exist.  The
 * lookup is shared with the policies' pae.puede_ver_visita_id and kept
 * for the statement, so the rows of one statement on one visit cost one
 * lookup.  The count of a visit's evidence sees the rows the statement
 * has already written (a fresh snapshot), so a multi-row INSERT cannot
 * pass the limit.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "pae_cauca.h"
#include "plan_clave.h"
#include "tiempos.h"
#include "visita_alcance.h"

PG_FUNCTION_INFO_V1(pae_tg_hijos_visita);

static SPIPlanPtr plan_contar = NULL;

static char *
uuid_txt(const pg_uuid_t *u)
{
	return u ? DatumGetCString(DirectFunctionCall1(uuid_out, UUIDPGetDatum(u))) :
		pstrdup("<NULL>");
}

/* a column of the row by name: its datum, NULL-ness in *isnull */
static Datum
campo(HeapTuple tup, TupleDesc desc, const char *nombre, bool *isnull)
{
	int			k = SPI_fnumber(desc, nombre);

	if (k <= 0)
		elog(ERROR, "column \"%s\" not found", nombre);
	return heap_getattr(tup, k, desc, isnull);
}

static pg_uuid_t *
campo_uuid(HeapTuple tup, TupleDesc desc, const char *nombre)
{
	bool		isnull;
	Datum		d = campo(tup, desc, nombre, &isnull);

	return isnull ? NULL : DatumGetUUIDP(d);
}

/* characters of a text column, -1 when NULL (SQL length()) */
static int
campo_largo(HeapTuple tup, TupleDesc desc, const char *nombre)
{
	bool		isnull;
	Datum		d = campo(tup, desc, nombre, &isnull);
	text	   *t;

	if (isnull)
		return -1;
	t = DatumGetTextPP(d);
	return pg_mbstrlen_with_len(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

static bool
misma_visita(const pg_uuid_t *a, const pg_uuid_t *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return memcmp(a, b, sizeof(pg_uuid_t)) == 0;
}

static bool
estado_admite(const PaeVisitaVista *v)
{
	return strcmp(v->estado, "en_curso") == 0 || strcmp(v->estado, "devuelta") == 0;
}

/* evidence of the visit already stored, with the statement's own rows */
static int64
evidencias_de(const pg_uuid_t *visita)
{
	static const Oid tipos[1] = {UUIDOID};
	PaeUsuarioGuardado guardado;
	Datum		arg = UUIDPGetDatum(visita);
	bool		isnull;
	int64		n = 0;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* as the owner: every row of a visit the caller sees is visible to them */
	pae_como_duenio(&guardado);
	pae_plan_ejecutar(pae_plan_clave(&plan_contar,
							   "SELECT pg_catalog.count(*) FROM pae.evidencias e"
							   " WHERE e.visita OPERATOR(pg_catalog.=) $1", 1, tipos),
					  &arg, NULL, false, 1);
	pae_restaurar_usuario(&guardado);
	if (SPI_processed == 1)
		n = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	return n;
}

/* the sha256: 64 hexadecimal digits, either case */
static bool
sha256_valido(const char *s, int len)
{
	int			i;

	if (len != 64)
		return false;
	for (i = 0; i < len; i++)
		if (!isxdigit((unsigned char) s[i]))
			return false;
	return true;
}

static HeapTuple
evidencia_reglas(HeapTuple nueva, TupleDesc desc, const pg_uuid_t *visita,
				 const PaeVisitaVista *v, bool movida)
{
	bool		isnull;
	Datum		d;
	int			n;
	bool		tiene_lat,
				tiene_lon;
	double		lat = 0,
				lon = 0;

	/* sha256, stored in lower case */
	d = campo(nueva, desc, "sha256", &isnull);
	if (!isnull)
	{
		text	   *t = DatumGetTextPP(d);
		char	   *s = VARDATA_ANY(t);
		int			len = VARSIZE_ANY_EXHDR(t);
		bool		mayusculas = false;
		int			i;

		if (!sha256_valido(s, len))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("huella sha256 inválida"),
					 errdetail("sha256 debe tener exactamente 64 dígitos hexadecimales."),
					 errhint("Envíe el SHA-256 del archivo en hexadecimal.")));
		for (i = 0; i < len; i++)
			if (isupper((unsigned char) s[i]))
				mayusculas = true;
		if (mayusculas)
		{
			char	   *baja = pnstrdup(s, len);
			int			col = SPI_fnumber(desc, "sha256");
			Datum		valor;
			bool		nulo = false;

			for (i = 0; i < len; i++)
				baja[i] = pg_ascii_tolower((unsigned char) baja[i]);
			valor = CStringGetTextDatum(baja);
			nueva = heap_modify_tuple_by_cols(nueva, desc, 1, &col, &valor, &nulo);
		}
	}

	n = campo_largo(nueva, desc, "uri");
	if (n > PAE_EVIDENCIA_URI_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
				 errmsg("uri de la evidencia demasiado larga: %d caracteres", n),
				 errdetail("uri admite hasta %d caracteres.", PAE_EVIDENCIA_URI_MAX),
				 errhint("Use una ubicación más corta en el almacenamiento externo.")));
	n = campo_largo(nueva, desc, "mime");
	if (n > PAE_EVIDENCIA_MIME_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
				 errmsg("tipo MIME de la evidencia demasiado largo: %d caracteres", n),
				 errdetail("mime admite hasta %d caracteres.", PAE_EVIDENCIA_MIME_MAX),
				 errhint("Envíe el tipo MIME del archivo, como image/jpeg.")));
	if (movida && evidencias_de(visita) >= PAE_EVIDENCIAS_POR_VISITA_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("la visita %s ya tiene el máximo de evidencias", uuid_txt(visita)),
				 errdetail("Una visita admite hasta %d evidencias.", PAE_EVIDENCIAS_POR_VISITA_MAX),
				 errhint("Borre evidencias repetidas o innecesarias de la visita antes de registrar otras.")));

	d = campo(nueva, desc, "lat", &isnull);
	tiene_lat = !isnull;
	if (tiene_lat)
		lat = DatumGetFloat8(d);
	d = campo(nueva, desc, "lon", &isnull);
	tiene_lon = !isnull;
	if (tiene_lon)
		lon = DatumGetFloat8(d);
	if (tiene_lat != tiene_lon)
		ereport(ERROR,
				(errcode(ERRCODE_PAE_COORDENADAS),
				 errmsg("coordenadas incompletas en la evidencia"),
				 errdetail("Se recibió solo una de latitud y longitud."),
				 errhint("Envíe latitud y longitud juntas, o ninguna.")));
	if (tiene_lat)
		pae_coordenadas_validar("el primer punto", lat, lon);	/* as pae.distancia_m */

	d = campo(nueva, desc, "tomada_en", &isnull);
	if (!isnull)
		pae_captura_validar("la evidencia", "tomada_en", DatumGetTimestampTz(d), v->fecha_visita);
	return nueva;
}

/*
 * pae.tg_hijos_visita() RETURNS trigger
 */
Datum
pae_tg_hijos_visita(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	desc;
	const char *tabla;
	char	   *esquema;
	bool		respuestas;
	HeapTuple	vieja = NULL;
	HeapTuple	nueva = NULL;
	pg_uuid_t  *visita_vieja = NULL;
	pg_uuid_t  *visita;
	PaeVisitaVista v;
	bool		movida;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("pae.tg_hijos_visita solo puede usarse como disparador"),
				 errdetail("La función fue llamada fuera de un disparador."),
				 errhint("No asocie disparadores de pae_cauca a otras tablas.")));
	rel = td->tg_relation;
	tabla = RelationGetRelationName(rel);
	esquema = get_namespace_name(RelationGetNamespace(rel));
	if (esquema == NULL || strcmp(esquema, "pae") != 0 ||
		(strcmp(tabla, "visita_respuestas") != 0 && strcmp(tabla, "evidencias") != 0) ||
		!TRIGGER_FIRED_BEFORE(td->tg_event) || !TRIGGER_FIRED_FOR_ROW(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("pae.tg_hijos_visita no puede dispararse sobre la tabla \"%s.%s\"",
						esquema ? esquema : "?", tabla),
				 errdetail("pae.tg_hijos_visita es el disparador BEFORE ... FOR EACH ROW de pae.visita_respuestas y pae.evidencias."),
				 errhint("No asocie disparadores de pae_cauca a otras tablas.")));
	respuestas = strcmp(tabla, "visita_respuestas") == 0;
	desc = RelationGetDescr(rel);

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		nueva = td->tg_trigtuple;
	else if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		vieja = td->tg_trigtuple;
		nueva = td->tg_newtuple;
	}
	else
		vieja = td->tg_trigtuple;

	/* the visit the row leaves (UPDATE that moves it, DELETE) */
	if (vieja != NULL)
		visita_vieja = campo_uuid(vieja, desc, "visita");
	movida = nueva == NULL ||
		(vieja != NULL && !misma_visita(visita_vieja, campo_uuid(nueva, desc, "visita")));
	if (vieja != NULL && movida)
	{
		if (visita_vieja != NULL && pae_visita_alcance(visita_vieja, &v) && !estado_admite(&v))
			ereport(ERROR,
					(errcode(ERRCODE_PAE_TRANSICION),
					 errmsg("la visita %s está en estado %s y no admite cambios en %s",
							uuid_txt(visita_vieja), v.estado, tabla),
					 errdetail("Respuestas y evidencias no se borran ni se pasan a otra visita desde una visita que no está en_curso o devuelta."),
					 errhint("Si la visita fue cerrada, espere a que el supervisor la devuelva.")));
		if (nueva == NULL)
			return PointerGetDatum(vieja);
	}

	/* the visit the row joins or stays on */
	visita = campo_uuid(nueva, desc, "visita");
	if (visita == NULL || !pae_visita_alcance(visita, &v))
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("visita desconocida: %s", uuid_txt(visita)),
				 errdetail("No existe una visita con ese id."),
				 errhint("Cree o sincronice la visita antes de registrar respuestas o evidencias.")));
	if (!estado_admite(&v))
		ereport(ERROR,
				(errcode(ERRCODE_PAE_TRANSICION),
				 errmsg("la visita %s está en estado %s y no admite cambios en %s",
						uuid_txt(visita), v.estado, tabla),
				 errdetail("Respuestas y evidencias se registran mientras la visita está en_curso o devuelta."),
				 errhint("Inicie la visita (check-in) o, si fue cerrada, espere a que el supervisor la devuelva.")));

	if (respuestas)
	{
		int			n = campo_largo(nueva, desc, "observacion");

		if (n > PAE_RESPUESTA_OBSERVACION_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
					 errmsg("observación demasiado larga: %d caracteres", n),
					 errdetail("La observación de una respuesta admite hasta %d caracteres.",
							   PAE_RESPUESTA_OBSERVACION_MAX),
					 errhint("Resuma la observación, o adjunte el texto largo como evidencia de tipo documento.")));
		return PointerGetDatum(nueva);
	}
	nueva = evidencia_reglas(nueva, desc, visita, &v, vieja == NULL || movida);
	return PointerGetDatum(nueva);
}
