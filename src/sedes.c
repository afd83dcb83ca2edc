/*-------------------------------------------------------------------------
 *
 * sedes.c
 *	  Looking up a school site (pae.sedes) from C.
 *
 * The plan is prepared once per backend (see spi_plan.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"

#include "pae_cauca.h"

/* prepared once per backend (see spi_plan.c) */
static SPIPlanPtr pae_sede_plan = NULL;

/*
 * pae_sede_buscar
 *		Fill *sede with the site whose DANE code is codigo; false if unknown.
 */
bool
pae_sede_buscar(const char *codigo, PaeSede *sede)
{
	static const Oid argtypes[1] = {TEXTOID};
	Datum		args[1];
	bool		found = false;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	args[0] = CStringGetTextDatum(codigo);
	pae_plan_ejecutar(pae_plan(&pae_sede_plan,
							   "SELECT s.activa, s.geocerca_estricta, s.lat, s.lon,"
							   " s.radio_geocerca_m, s.municipio::pg_catalog.text"
							   " FROM pae.sedes s"
							   " WHERE s.codigo OPERATOR(pg_catalog.=) $1::pg_catalog.bpchar",
							   1, argtypes, true),
					  args, NULL, true, 1);

	if (SPI_processed == 1)
	{
		HeapTuple	tup = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		char	   *mun;

		found = true;
		sede->activa = DatumGetBool(SPI_getbinval(tup, desc, 1, &isnull)) && !isnull;
		sede->estricta = DatumGetBool(SPI_getbinval(tup, desc, 2, &isnull)) && !isnull;
		sede->lat = DatumGetFloat8(SPI_getbinval(tup, desc, 3, &isnull));
		sede->lon = DatumGetFloat8(SPI_getbinval(tup, desc, 4, &isnull));
		sede->radio_m = DatumGetFloat8(SPI_getbinval(tup, desc, 5, &isnull));
		if (isnull)
			sede->radio_m = 150.0;
		mun = SPI_getvalue(tup, desc, 6);
		strlcpy(sede->municipio, mun ? mun : "", sizeof(sede->municipio));
	}

	SPI_finish();
	return found;
}

/*
 * pae_sede_exigir
 *		As pae_sede_buscar, but an unknown codigo is PV004: the one
 *		definition of "unknown sede" (visits trigger, geofence functions).
 */
void
pae_sede_exigir(const char *codigo, PaeSede *sede)
{
	if (strlen(codigo) > 12 || !pae_sede_buscar(codigo, sede))
		ereport(ERROR,
				(errcode(ERRCODE_PAE_SEDE_CONTRATO),
				 errmsg("sede desconocida: \"%s\"", codigo),
				 errdetail("No existe una sede con el código DANE \"%s\".", codigo),
				 errhint("Revise el código DANE de 12 dígitos de la sede en pae.sedes.")));
}
