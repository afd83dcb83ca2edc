/*-------------------------------------------------------------------------
 *
 * geofence.c
 *	  SQL-callable geofence: pae.distancia_m and pae.evaluar_geocerca, and
 *	  the coordinate checks every capture goes through.
 *
 * Only plain float8 crosses this boundary; the geography overloads are SQL
 * wrappers, so this library never links PostGIS and survives its upgrades.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"

#include "geodesy.h"
#include "pae_cauca.h"

PG_FUNCTION_INFO_V1(pae_distancia_m);
PG_FUNCTION_INFO_V1(pae_evaluar_geocerca);
PG_FUNCTION_INFO_V1(pae_punto_wgs84);

/* the SRID of WGS84 longitude/latitude, the only one the fence measures */
#define PAE_SRID_WGS84		4326

/*
 * Per-call-site memo of the last site looked up (lives in fn_mcxt).  It is
 * only reused under the very same snapshot: same transaction, same command
 * and no transaction completed since (snapXactCompletionCount), so a memo
 * can never show a site older than a fresh lookup would.
 */
typedef struct PaeGeocercaMemo
{
	char		codigo[13];
	LocalTransactionId lxid;
	CommandId	curcid;
	uint64		completion;
	PaeSede		sede;
} PaeGeocercaMemo;

/*
 * pae_coordenadas_validar
 *		PV005 unless (lat, lon) is a finite point on the globe.
 *
 * que names the capture in the message ("check-in", "la sede", ...).
 */
void
pae_coordenadas_validar(const char *que, double lat, double lon)
{
	if (pae_geo_coords_valid(lat, lon))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_PAE_COORDENADAS),
			 errmsg("coordenadas inválidas en %s: (%g, %g)", que, lat, lon),
			 errdetail("La latitud debe ser un número finito entre -90 y 90 y la longitud entre -180 y 180; se recibió latitud %g y longitud %g.",
					   lat, lon),
			 errhint("Envíe la posición del GPS en grados decimales WGS84 (latitud, longitud), sin NaN ni infinitos.")));
}

/*
 * pae_precision_validar
 *		PV005 unless precision_m is a finite number in [0, 5000].
 */
void
pae_precision_validar(const char *que, double precision_m)
{
	if (isfinite(precision_m) && precision_m >= 0.0 &&
		precision_m <= PAE_PRECISION_MAX)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_PAE_COORDENADAS),
			 errmsg("precisión de GPS inválida en %s: %g m", que, precision_m),
			 errdetail("La precisión informada debe estar entre 0 y %g metros; se recibió %g.",
					   PAE_PRECISION_MAX, precision_m),
			 errhint("Envíe la precisión horizontal que reporta el GPS en metros, o NULL si no se conoce; repita la captura si el GPS no tiene señal.")));
}

/*
 * pae_geocerca_dentro
 *		The fence rule of SPEC §4: inside when
 *		distancia <= radio + LEAST(COALESCE(precision, 0), 100).
 */
bool
pae_geocerca_dentro(double distancia_m, double radio_m,
					bool tiene_precision, double precision_m)
{
	double		beneficio = tiene_precision ?
		Min(precision_m, PAE_PRECISION_BENEFICIO_MAX) : 0.0;

	return distancia_m <= radio_m + beneficio;
}

/*
 * pae.distancia_m(lat1 float8, lon1 float8, lat2 float8, lon2 float8)
 *		RETURNS float8 -- metres on the WGS84 ellipsoid
 */
Datum
pae_distancia_m(PG_FUNCTION_ARGS)
{
	double		lat1 = PG_GETARG_FLOAT8(0);
	double		lon1 = PG_GETARG_FLOAT8(1);
	double		lat2 = PG_GETARG_FLOAT8(2);
	double		lon2 = PG_GETARG_FLOAT8(3);

	if (unlikely(!pae_geo_coords_valid(lat1, lon1)))
		pae_coordenadas_validar("el primer punto", lat1, lon1);
	if (unlikely(!pae_geo_coords_valid(lat2, lon2)))
		pae_coordenadas_validar("el segundo punto", lat2, lon2);

	PG_RETURN_FLOAT8(pae_geo_distance(lat1, lon1, lat2, lon2));
}

/*
 * pae.evaluar_geocerca(sede text, lat float8, lon float8,
 *						precision_m float8 DEFAULT NULL,
 *						OUT distancia_m float8, OUT radio_m float8,
 *						OUT dentro boolean)
 */
Datum
pae_evaluar_geocerca(PG_FUNCTION_ARGS)
{
	PaeGeocercaMemo *memo;
	Snapshot	snap;
	char	   *codigo;
	double		lat,
				lon,
				precision_m = 0.0,
				distancia;
	bool		tiene_precision = !PG_ARGISNULL(3);
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_PAE_SEDE_CONTRATO),
				 errmsg("sede no indicada"),
				 errdetail("El código DANE de la sede es NULL."),
				 errhint("Indique el código DANE de 12 dígitos de la sede.")));
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_PAE_COORDENADAS),
				 errmsg("coordenadas incompletas"),
				 errdetail("La latitud y la longitud de la captura son obligatorias; se recibió un valor NULL."),
				 errhint("Envíe ambas coordenadas de la captura GPS.")));

	codigo = text_to_cstring(PG_GETARG_TEXT_PP(0));
	lat = PG_GETARG_FLOAT8(1);
	lon = PG_GETARG_FLOAT8(2);
	pae_coordenadas_validar("la captura", lat, lon);
	if (tiene_precision)
	{
		precision_m = PG_GETARG_FLOAT8(3);
		pae_precision_validar("la captura", precision_m);
	}

	/*
	 * The site can't change under a running statement (its snapshot is
	 * fixed), so one query that evaluates many captures against the same
	 * site looks it up once.
	 */
	snap = GetActiveSnapshot();
	memo = (PaeGeocercaMemo *) fcinfo->flinfo->fn_extra;
	if (memo == NULL || strcmp(memo->codigo, codigo) != 0 ||
		memo->lxid != MyProc->lxid || snap == NULL ||
		memo->curcid != snap->curcid ||
		memo->completion != snap->snapXactCompletionCount)
	{
		PaeSede		sede;

		pae_sede_exigir(codigo, &sede);
		if (memo == NULL)
		{
			memo = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
										  sizeof(PaeGeocercaMemo));
			fcinfo->flinfo->fn_extra = memo;
		}
		strlcpy(memo->codigo, codigo, sizeof(memo->codigo));
		memo->sede = sede;
		memo->lxid = MyProc->lxid;
		memo->curcid = snap ? snap->curcid : InvalidCommandId;
		memo->completion = snap ? snap->snapXactCompletionCount : 0;
	}

	distancia = pae_geo_distance(memo->sede.lat, memo->sede.lon, lat, lon);

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);

	values[0] = Float8GetDatum(distancia);
	values[1] = Float8GetDatum(memo->sede.radio_m);
	values[2] = BoolGetDatum(pae_geocerca_dentro(distancia, memo->sede.radio_m,
												 tiene_precision, precision_m));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* ---------------------------------------------------------------------
 * Points from PostGIS, as EWKB
 * ---------------------------------------------------------------------
 */

/* PV005 for a geography that is not one WGS84 point */
static void
pae_punto_rechazar(const char *que, const char *detalle)
{
	ereport(ERROR,
			(errcode(ERRCODE_PAE_COORDENADAS),
			 errmsg("%s no es un punto WGS84 válido", que),
			 errdetail("%s", detalle),
			 errhint("Envíe la captura como un solo punto geography (SRID 4326) con latitud y longitud, p. ej. ST_MakePoint(lon, lat)::geography.")));
}

static uint32
pae_ewkb_uint32(const uint8 *p, bool little)
{
	return little ?
		((uint32) p[0] | (uint32) p[1] << 8 | (uint32) p[2] << 16 | (uint32) p[3] << 24) :
		((uint32) p[3] | (uint32) p[2] << 8 | (uint32) p[1] << 16 | (uint32) p[0] << 24);
}

static double
pae_ewkb_double(const uint8 *p, bool little)
{
	uint64		u = 0;
	double		d;
	int			i;

	for (i = 0; i < 8; i++)
		u |= (uint64) p[little ? i : 7 - i] << (8 * i);
	memcpy(&d, &u, sizeof(d));
	return d;
}

/*
 * pae.punto_wgs84(ewkb bytea, que text, OUT lat float8, OUT lon float8)
 *		The latitude and longitude of a PostGIS point given as EWKB
 *		(ST_AsEWKB): PV005 unless it is one non-empty point with SRID 4326
 *		and valid coordinates.  The geography overloads read their points
 *		through here, so a LINESTRING or another SRID is PV005, never
 *		PostGIS's internal error; the library still never links PostGIS.
 */
Datum
pae_punto_wgs84(PG_FUNCTION_ARGS)
{
	bytea	   *ewkb = PG_GETARG_BYTEA_PP(0);
	char	   *que = text_to_cstring(PG_GETARG_TEXT_PP(1));
	const uint8 *p = (const uint8 *) VARDATA_ANY(ewkb);
	int			n = VARSIZE_ANY_EXHDR(ewkb);
	bool		little;
	uint32		tipo;
	uint32		base;
	int			off = 5;
	double		lon,
				lat;
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	if (n < 5 || (p[0] != 0 && p[0] != 1))
		pae_punto_rechazar(que, "El valor recibido no es una geometría EWKB.");
	little = (p[0] == 1);
	tipo = pae_ewkb_uint32(p + 1, little);
	base = (tipo & 0x0FFFFFFF) % 1000;
	if (base != 1)
		pae_punto_rechazar(que, psprintf("Se recibió una geometría de tipo %s; se espera un POINT.",
										 base == 2 ? "LINESTRING" : base == 3 ? "POLYGON" :
										 base == 4 ? "MULTIPOINT" : base == 5 ? "MULTILINESTRING" :
										 base == 6 ? "MULTIPOLYGON" : base == 7 ? "GEOMETRYCOLLECTION" :
										 psprintf("%u", base)));
	if ((tipo & 0x20000000) == 0)
		pae_punto_rechazar(que, "El punto no declara SRID; se espera 4326 (WGS84).");
	if (n < off + 4)
		pae_punto_rechazar(que, "El valor EWKB está truncado.");
	if (pae_ewkb_uint32(p + off, little) != PAE_SRID_WGS84)
		pae_punto_rechazar(que, psprintf("El punto tiene SRID %u; se espera 4326 (WGS84).",
										 pae_ewkb_uint32(p + off, little)));
	off += 4;
	if (n < off + 16)
		pae_punto_rechazar(que, "El valor EWKB está truncado.");
	lon = pae_ewkb_double(p + off, little);
	lat = pae_ewkb_double(p + off + 8, little);
	/* PostGIS writes POINT EMPTY as NaN coordinates */
	if (isnan(lon) && isnan(lat))
		pae_punto_rechazar(que, "El punto está vacío (POINT EMPTY).");
	pae_coordenadas_validar(que, lat, lon);

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = Float8GetDatum(lat);
	values[1] = Float8GetDatum(lon);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
