/*-------------------------------------------------------------------------
 *
 * checkins.c
 *	  pae.visitas_checkin: where and when each visit was checked in, kept by
 *	  the visits triggers, read by the impossible-travel alert.
 *
 * The alert asks for a visitador's nearest check-in before and after a
 * moment.  Asked of pae.visitas, that is a search through several monthly
 * partitions (the month of a visit says little about when it was checked
 * in) planned on every call; asked of this one small table, it is two
 * probes of its (visitador, en) index with a plan prepared once.  The
 * table holds one row per visit whose check-in is complete (checkin_lat,
 * checkin_lon and checkin_en set), always equal to the visit's current
 * values: the BEFORE trigger registers it when a visit is inserted with a
 * check-in and removes it when a visit is deleted, the AFTER UPDATE trigger
 * follows every change of the check-in or of the visitador.  Every call
 * runs inside the visits triggers' SPI connection, as the extension owner.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"

#include "visita.h"

static SPIPlanPtr plan_guardar = NULL;
static SPIPlanPtr plan_borrar = NULL;
static SPIPlanPtr plan_vecinos = NULL;
static SPIPlanPtr plan_en_linea = NULL;

/* the visit's check-in is complete: it belongs in the table */
static bool
pae_checkin_completo(const PaeVisita *v)
{
	return !v->isnull[PV_CIN_LAT] && !v->isnull[PV_CIN_LON] && !v->isnull[PV_CIN_EN];
}

/*
 * pae_checkin_registrar
 *		Make the visit's row in pae.visitas_checkin what the visit says now:
 *		its check-in, or no row when it has none.
 */
void
pae_checkin_registrar(const PaeVisita *v)
{
	static const Oid tipos[5] = {UUIDOID, UUIDOID, TIMESTAMPTZOID, FLOAT8OID, FLOAT8OID};
	Datum		args[5];

	if (!pae_checkin_completo(v))
	{
		pae_checkin_borrar(v->value[PV_ID]);
		return;
	}
	args[0] = v->value[PV_ID];
	args[1] = v->value[PV_VISITADOR];
	args[2] = v->value[PV_CIN_EN];
	args[3] = v->value[PV_CIN_LAT];
	args[4] = v->value[PV_CIN_LON];
	pae_plan_ejecutar(pae_plan(&plan_guardar,
							   "INSERT INTO pae.visitas_checkin AS c (visita, visitador, en, lat, lon)"
							   " VALUES ($1, $2, $3, $4, $5)"
							   " ON CONFLICT (visita) DO UPDATE"
							   " SET visitador = EXCLUDED.visitador, en = EXCLUDED.en,"
							   "     lat = EXCLUDED.lat, lon = EXCLUDED.lon",
							   5, tipos, true),
					  args, NULL, false, 0);
}

/* pae_checkin_borrar: the visit has no check-in (or no longer exists) */
void
pae_checkin_borrar(Datum visita)
{
	static const Oid tipos[1] = {UUIDOID};

	pae_plan_ejecutar(pae_plan(&plan_borrar,
							   "DELETE FROM pae.visitas_checkin c WHERE c.visita OPERATOR(pg_catalog.=) $1",
							   1, tipos, true),
					  &visita, NULL, false, 0);
}

/*
 * pae_checkin_vecinos
 *		The visitador's nearest check-in of another visit at or before "en"
 *		and the nearest after it, each within two days: up to two rows of
 *		(lat, lon, en, visita) in SPI_tuptable.  Offline sync can deliver an
 *		earlier check-in after a later one, hence both directions.
 */
void
pae_checkin_vecinos(Datum visitador, Datum visita, Datum en)
{
	static const Oid tipos[3] = {UUIDOID, UUIDOID, TIMESTAMPTZOID};
	Datum		args[3];

	args[0] = visitador;
	args[1] = visita;
	args[2] = en;
	pae_plan_ejecutar(pae_plan_a_medida(&plan_vecinos,
							   "(SELECT c.lat, c.lon, c.en, c.visita FROM pae.visitas_checkin c"
							   "  WHERE c.visitador OPERATOR(pg_catalog.=) $1"
							   "    AND c.visita OPERATOR(pg_catalog.<>) $2"
							   "    AND c.en OPERATOR(pg_catalog.<=) $3"
							   "    AND c.en OPERATOR(pg_catalog.>) ($3 OPERATOR(pg_catalog.-) '" CppAsString2(PAE_VIAJE_VENTANA_DIAS) " days'::pg_catalog.interval)"
							   "  ORDER BY c.en DESC LIMIT 1)"
							   " UNION ALL "
							   "(SELECT c.lat, c.lon, c.en, c.visita FROM pae.visitas_checkin c"
							   "  WHERE c.visitador OPERATOR(pg_catalog.=) $1"
							   "    AND c.visita OPERATOR(pg_catalog.<>) $2"
							   "    AND c.en OPERATOR(pg_catalog.>) $3"
							   "    AND c.en OPERATOR(pg_catalog.<) ($3 OPERATOR(pg_catalog.+) '" CppAsString2(PAE_VIAJE_VENTANA_DIAS) " days'::pg_catalog.interval)"
							   "  ORDER BY c.en ASC LIMIT 1)",
							   3, tipos),
					  args, NULL, true, 2);
}

/*
 * pae_checkin_en_linea_despues
 *		The visitador's latest check-in of another visit that was made online
 *		(its transition to en_curso is as old as its checkin_en: the server
 *		stamped it), declared after "desde" and within the travel window
 *		before "ahora": at most one row of (lat, lon, en, visita) in
 *		SPI_tuptable.  The impossible-travel alert judges a check-in declared
 *		long before it reached the server against it (transitions.c).
 */
void
pae_checkin_en_linea_despues(Datum visitador, Datum visita, Datum desde, Datum ahora)
{
	static const Oid tipos[4] = {UUIDOID, UUIDOID, TIMESTAMPTZOID, TIMESTAMPTZOID};
	Datum		args[4];

	args[0] = visitador;
	args[1] = visita;
	args[2] = desde;
	args[3] = ahora;
	pae_plan_ejecutar(pae_plan_a_medida(&plan_en_linea,
							   "SELECT c.lat, c.lon, c.en, c.visita FROM pae.visitas_checkin c"
							   " WHERE c.visitador OPERATOR(pg_catalog.=) $1"
							   "   AND c.visita OPERATOR(pg_catalog.<>) $2"
							   "   AND c.en OPERATOR(pg_catalog.>) $3"
							   "   AND c.en OPERATOR(pg_catalog.>) ($4 OPERATOR(pg_catalog.-) '" CppAsString2(PAE_VIAJE_VENTANA_DIAS) " days'::pg_catalog.interval)"
							   "   AND EXISTS (SELECT 1 FROM pae.transiciones t"
							   "                WHERE t.visita OPERATOR(pg_catalog.=) c.visita"
							   "                  AND t.hacia OPERATOR(pg_catalog.=) 'en_curso'::pae.estado_visita"
							   "                  AND t.en OPERATOR(pg_catalog.>=) (c.en OPERATOR(pg_catalog.-) '" CppAsString2(PAE_FUTURO_TOLERADO_MIN) " minutes'::pg_catalog.interval)"
							   "                  AND t.en OPERATOR(pg_catalog.<=) (c.en OPERATOR(pg_catalog.+) '" CppAsString2(PAE_FUTURO_TOLERADO_MIN) " minutes'::pg_catalog.interval))"
							   " ORDER BY c.en DESC LIMIT 1",
							   4, tipos),
					  args, NULL, true, 1);
}
