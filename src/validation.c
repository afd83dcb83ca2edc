/*-------------------------------------------------------------------------
 *
 * validation.c
 *	  The BEFORE ROW trigger of pae.visitas: data rules of SPEC §5, the
 *	  geofence of the check-in, and the global uniqueness of visit ids.
 *
 * Every path that writes a visit (a plain UPDATE, a PostgREST PATCH, the
 * sync function, pae.transicion, a DBA's script) goes through here, so no
 * client can skip a rule.  State changes are delegated to transitions.c.
 *
 * Row movement: an UPDATE that moves a visit to another month's partition
 * fires BEFORE UPDATE, then BEFORE DELETE on the old partition and BEFORE
 * INSERT on the new one.  The DELETE branch releases the id in
 * pae.visitas_id (and the day in pae.visitas_dia) and the INSERT branch
 * claims them again, in the same statement, so both registries stay exact.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/detoast.h"
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datum.h"
#include "utils/timestamp.h"

#include "disparadores.h"
#include "geodesy.h"
#include "tiempos.h"
#include "visita.h"

PG_FUNCTION_INFO_V1(pae_tg_visitas_antes);

/* prepared once per backend (see spi_plan.c) */
static SPIPlanPtr plan_contrato = NULL;
static SPIPlanPtr plan_visitador = NULL;
static SPIPlanPtr plan_reservar_dia = NULL;
static SPIPlanPtr plan_dia_ocupado = NULL;
static SPIPlanPtr plan_liberar_dia = NULL;
static SPIPlanPtr plan_reclamar_id = NULL;
static SPIPlanPtr plan_mover_id = NULL;
static SPIPlanPtr plan_liberar_id = NULL;


/* PV004: the sede is known (sedes.c) and active */
static void
pae_validar_sede(PaeVisita *v, PaeSede *sede)
{
	pae_sede_exigir(v->sede, sede);
	if (!sede->activa)
		ereport(ERROR,
				(errcode(ERRCODE_PAE_SEDE_CONTRATO),
				 errmsg("la sede \"%s\" está inactiva", v->sede),
				 errdetail("Las visitas solo se programan en sedes con activa = true; la sede \"%s\" no lo está.",
						   v->sede),
				 errhint("Reactive la sede o programe la visita en una sede activa.")));
}

/*
 * PV004: the contract exists, covers the sede and its vigencia holds the
 * visit's date (in Colombian time).  Fills raciones_programadas from the
 * contract when the row leaves it NULL.
 */
static void
pae_validar_contrato(PaeVisita *v, PaeCambios *cambios)
{
	static const Oid argtypes[3] = {TEXTOID, TEXTOID, TIMESTAMPTZOID};
	Datum		args[3];
	HeapTuple	tup;
	TupleDesc	desc;
	bool		isnull;

	args[0] = CStringGetTextDatum(v->contrato);
	args[1] = CStringGetTextDatum(v->sede);
	args[2] = v->value[PV_FECHA];
	pae_plan_ejecutar(pae_plan(&plan_contrato,
							   "SELECT c.vigencia OPERATOR(pg_catalog.@>)"
							   "        (pg_catalog.timezone('" PAE_ZONA_HORARIA "', $3))::pg_catalog.date,"
							   "       EXISTS (SELECT 1 FROM pae.contrato_sedes cs"
							   "               WHERE cs.contrato OPERATOR(pg_catalog.=) c.numero"
							   "                 AND cs.sede OPERATOR(pg_catalog.=) $2::pg_catalog.bpchar),"
							   "       c.raciones_dia, c.vigencia::pg_catalog.text"
							   "  FROM pae.contratos c"
							   " WHERE c.numero OPERATOR(pg_catalog.=) $1",
							   3, argtypes, true),
					  args, NULL, true, 1);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_PAE_SEDE_CONTRATO),
				 errmsg("contrato desconocido: \"%s\"", v->contrato),
				 errdetail("No existe un contrato con número \"%s\".", v->contrato),
				 errhint("Revise el número del contrato en pae.contratos.")));
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	if (!DatumGetBool(SPI_getbinval(tup, desc, 2, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_PAE_SEDE_CONTRATO),
				 errmsg("el contrato \"%s\" no cubre la sede \"%s\"", v->contrato, v->sede),
				 errdetail("La sede \"%s\" no está en pae.contrato_sedes para el contrato \"%s\".",
						   v->sede, v->contrato),
				 errhint("Programe la visita con el contrato que atiende la sede, o agregue la sede al contrato.")));
	if (!DatumGetBool(SPI_getbinval(tup, desc, 1, &isnull)) || isnull)
		ereport(ERROR,
				(errcode(ERRCODE_PAE_SEDE_CONTRATO),
				 errmsg("la fecha de la visita está fuera de la vigencia del contrato \"%s\"", v->contrato),
				 errdetail("fecha_visita %s (hora de Colombia) no está dentro de la vigencia %s.",
						   pae_ts_texto(v->value[PV_FECHA]), SPI_getvalue(tup, desc, 4)),
				 errhint("Programe la visita dentro de la vigencia del contrato o use el contrato vigente en esa fecha.")));
	if (v->isnull[PV_RAC_PROG])
	{
		Datum		rac = SPI_getbinval(tup, desc, 3, &isnull);

		pae_cambiar(cambios, v, PV_RAC_PROG, rac, isnull);
	}
}

/*
 * The assigned visitador is an active user with rol visitador.  Only a
 * privileged session (superuser, owner, pae_admin) learns which of "no such
 * person" (23503) and "not an active visitador" (23514) it is: anyone else
 * gets one answer for both, so a uuid cannot be used to probe who exists,
 * with what role, and whether they are active.
 */
static void
pae_validar_visitador(PaeVisita *v, Oid invocador)
{
	static const Oid argtypes[1] = {UUIDOID};
	char	   *id = pae_uuid_texto(v->value[PV_VISITADOR]);
	char	   *rol = NULL;
	bool		isnull;
	bool		activo = false;
	PaeActor	actor;

	pae_plan_ejecutar(pae_plan(&plan_visitador,
							   "SELECT u.rol, u.activo FROM pae.usuarios u"
							   " WHERE u.id OPERATOR(pg_catalog.=) $1",
							   1, argtypes, true),
					  &v->value[PV_VISITADOR], NULL, true, 1);
	if (SPI_processed == 1)
	{
		rol = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		activo = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)) && !isnull;
		if (rol != NULL && strcmp(rol, "visitador") == 0 && activo)
			return;
	}

	pae_actor_obtener(invocador, &actor);
	if (!actor.privilegiado)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("visitador no asignable: %s", id),
				 errdetail("El id %s no corresponde a un visitador activo.", id),
				 errhint("Asigne la visita a un visitador activo de pae.usuarios.")));
	if (rol == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("visitador desconocido: %s", id),
				 errdetail("No existe un usuario con id %s.", id),
				 errhint("Cree la persona con pae.crear_usuario o asigne un visitador existente.")));
	ereport(ERROR,
			(errcode(ERRCODE_CHECK_VIOLATION),
			 errmsg("el usuario %s no es un visitador activo", id),
			 errdetail("Una visita se asigna a un usuario con rol visitador y activo = true; este tiene rol %s y activo = %s.",
					   rol, activo ? "true" : "false"),
			 errhint("Asigne la visita a un visitador activo.")));
}

/*
 * Who plans (SPEC §5), one rule for every path that creates, re-plans or
 * deletes a visit (the table, pae_api.visitas, sync): a visitador only
 * visits of their own at sedes of their municipios; a supervisor at sedes
 * of their municipios; a coordinador (or an admin person) anywhere; a
 * privileged session acting as nobody anything.  "v" is the visit as
 * created, as it was or as it becomes; "sede" its sede (NULL when unknown:
 * then only those who plan anywhere may).  42501 otherwise.
 */
static void
pae_autorizar_plan(Oid invocador, PaeVisita *v, const PaeSede *sede)
{
	PaeActor	actor;
	bool		propia;

	pae_actor_exigir(invocador, &actor, "planear visitas");
	if (!actor.identificado)
		return;					/* maintenance by a superuser, owner or pae_admin */
	if (strcmp(actor.rol, "coordinador") == 0 || strcmp(actor.rol, "admin") == 0)
		return;
	if (strcmp(actor.rol, "visitador") == 0)
	{
		propia = !v->isnull[PV_VISITADOR] &&
			memcmp(DatumGetUUIDP(v->value[PV_VISITADOR]), &actor.id, sizeof(pg_uuid_t)) == 0;
		if (!propia)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("un visitador solo planea sus propias visitas"),
					 errdetail("La visita %s no está asignada a quien actúa (%s); un visitador crea, reprograma y borra solo visitas suyas.",
							   pae_uuid_texto(v->value[PV_ID]), pae_uuid_texto(UUIDPGetDatum(&actor.id))),
					 errhint("Deje como visitador su propio id, o pida a su supervisor que programe la visita.")));
	}
	else if (strcmp(actor.rol, "supervisor") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("el rol %s no planea visitas", actor.rol),
				 errdetail("Crean, reprograman y borran visitas los visitadores (las suyas), los supervisores (en sus municipios) y los coordinadores."),
				 errhint("Pida a un supervisor o coordinador que programe la visita.")));
	if (sede == NULL || !pae_municipio_a_cargo(&actor.id, sede->municipio))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("la sede \"%s\" no está en los municipios a cargo de quien actúa", v->sede),
				 errdetail("La sede es del municipio %s; un %s planea visitas solo en sedes de los municipios que tiene a cargo (pae.usuario_municipios).",
						   sede ? sede->municipio : "(desconocido)", actor.rol),
				 errhint("Pida a un coordinador que programe la visita, o a un administrador que le asigne el municipio.")));
}

/* PV005 for a capture: both coordinates or neither, valid, sane precision */
static void
pae_validar_captura(PaeVisita *v, const char *que, PaeVisitaCol lat,
					PaeVisitaCol lon, PaeVisitaCol prec)
{
	if (v->isnull[lat] != v->isnull[lon])
		ereport(ERROR,
				(errcode(ERRCODE_PAE_COORDENADAS),
				 errmsg("coordenadas incompletas en %s", que),
				 errdetail("Se recibió la %s pero no la %s.",
						   v->isnull[lat] ? "longitud" : "latitud",
						   v->isnull[lat] ? "latitud" : "longitud"),
				 errhint("Envíe latitud y longitud juntas.")));
	if (!v->isnull[lat])
		pae_coordenadas_validar(que, DatumGetFloat8(v->value[lat]),
								DatumGetFloat8(v->value[lon]));
	if (!v->isnull[prec])
		pae_precision_validar(que, DatumGetFloat8(v->value[prec]));
}

/*
 * PV006: capture times within the bounds of tiempos.c, and no check-out
 * without a check-in or before it
 */
static void
pae_validar_tiempos(PaeVisita *v)
{
	TimestampTz fecha = v->isnull[PV_FECHA] ? DT_NOBEGIN :
		DatumGetTimestampTz(v->value[PV_FECHA]);

	if (!v->isnull[PV_CIN_EN])
		pae_captura_validar("el check-in", "checkin_en",
							DatumGetTimestampTz(v->value[PV_CIN_EN]), fecha);
	if (!v->isnull[PV_COUT_EN])
		pae_captura_validar("el check-out", "checkout_en",
							DatumGetTimestampTz(v->value[PV_COUT_EN]), fecha);
	if (!v->isnull[PV_COUT_EN] && v->isnull[PV_CIN_EN])
		ereport(ERROR,
				(errcode(ERRCODE_PAE_TIEMPO),
				 errmsg("check-out sin check-in"),
				 errdetail("checkout_en es %s pero la visita no tiene checkin_en.",
						   pae_ts_texto(v->value[PV_COUT_EN])),
				 errhint("Registre primero el check-in de la visita.")));
	if (!v->isnull[PV_COUT_EN])
		pae_checkout_validar(DatumGetTimestampTz(v->value[PV_CIN_EN]),
							 DatumGetTimestampTz(v->value[PV_COUT_EN]));
}

static void
pae_validar_raciones(PaeVisita *v, PaeVisitaCol col, const char *nombre)
{
	if (!v->isnull[col] && DatumGetInt32(v->value[col]) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("%s no puede ser negativo: %d", nombre, DatumGetInt32(v->value[col])),
				 errdetail("%s debe ser un número entero mayor o igual a 0.", nombre),
				 errhint("Registre el conteo de raciones tal como se hizo en la sede.")));
}

/* (sede, visitador, id, fecha_visita): the parameters of the day claims */
static const Oid pae_dia_argtypes[4] = {TEXTOID, UUIDOID, UUIDOID, TIMESTAMPTZOID};

/* the Colombian day of a timestamptz, as text */
static char *
pae_dia_texto(Datum ts)
{
	Datum		local = DirectFunctionCall2(timestamptz_zone,
											CStringGetTextDatum(PAE_ZONA_HORARIA), ts);

	return DatumGetCString(DirectFunctionCall1(date_out,
											   DirectFunctionCall1(timestamp_date, local)));
}

static void
pae_dia_args(PaeVisita *v, Datum *args)
{
	args[0] = CStringGetTextDatum(v->sede);
	args[1] = v->value[PV_VISITADOR];
	args[2] = v->value[PV_ID];
	args[3] = v->value[PV_FECHA];
}

/*
 * PV008: a visitador visits a sede at most once a day (Colombian calendar),
 * cancelled visits aside.  Each non-cancelled visit claims its (sede,
 * visitador, day) in pae.visitas_dia, whose primary key arbitrates: the
 * claim is an INSERT ... ON CONFLICT DO NOTHING, so a second session
 * scheduling the same triple waits for the first to commit or abort and
 * then fails or succeeds -- no scan of the visits, no plan to go stale, no
 * lock held per visit.
 */
static void
pae_reservar_dia(PaeVisita *v)
{
	Datum		args[4];

	if (strcmp(v->estado, "cancelada") == 0)
		return;
	pae_dia_args(v, args);
	pae_plan_ejecutar(pae_plan(&plan_reservar_dia,
							   "INSERT INTO pae.visitas_dia (sede, visitador, dia, visita)"
							   " VALUES ($1::pg_catalog.bpchar, $2,"
							   "         pg_catalog.timezone('" PAE_ZONA_HORARIA "', $4)::pg_catalog.date, $3)"
							   " ON CONFLICT (sede, visitador, dia) DO NOTHING",
							   4, pae_dia_argtypes, true),
					  args, NULL, false, 0);
	if (SPI_processed == 1)
		return;
	pae_plan_ejecutar(pae_plan(&plan_dia_ocupado,
							   "SELECT d.visita"
							   "  FROM pae.visitas_dia d"
							   " WHERE d.sede OPERATOR(pg_catalog.=) $1::pg_catalog.bpchar"
							   "   AND d.visitador OPERATOR(pg_catalog.=) $2"
							   "   AND d.dia OPERATOR(pg_catalog.=) pg_catalog.timezone('" PAE_ZONA_HORARIA "', $4)::pg_catalog.date"
							   "   AND $3 IS NOT NULL",
							   4, pae_dia_argtypes, true),
					  args, NULL, false, 1);
	if (SPI_processed == 1)
	{
		bool		isnull;
		Datum		otra = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		/* our own claim (an UPDATE moving the row re-claims it) */
		if (!isnull && memcmp(DatumGetUUIDP(otra), DatumGetUUIDP(v->value[PV_ID]),
							  sizeof(pg_uuid_t)) == 0)
			return;
	}

	/*
	 * The other visit may be one the caller cannot see (a supervisor's plan
	 * for a visitador who already has a visit elsewhere planned by someone
	 * else): the message says only what the caller sent -- sede, visitador,
	 * day -- never the other visit's id or time.
	 */
	ereport(ERROR,
			(errcode(ERRCODE_PAE_DUPLICADA),
			 errmsg("visita duplicada: el visitador ya tiene una visita a la sede \"%s\" ese día", v->sede),
			 errdetail("El visitador %s ya tiene otra visita no cancelada a la sede \"%s\" el día %s (hora de Colombia).",
					   pae_uuid_texto(v->value[PV_VISITADOR]), v->sede,
					   pae_dia_texto(v->value[PV_FECHA])),
			 errhint("Use la visita existente, o cancélela antes de programar otra.")));
}

/* release the day a (non-cancelled) version of this visit claimed */
static void
pae_liberar_dia(PaeVisita *v)
{
	Datum		args[4];

	if (strcmp(v->estado, "cancelada") == 0)
		return;
	pae_dia_args(v, args);
	pae_plan_ejecutar(pae_plan(&plan_liberar_dia,
							   "DELETE FROM pae.visitas_dia d"
							   " WHERE d.sede OPERATOR(pg_catalog.=) $1::pg_catalog.bpchar"
							   "   AND d.visitador OPERATOR(pg_catalog.=) $2"
							   "   AND d.dia OPERATOR(pg_catalog.=) pg_catalog.timezone('" PAE_ZONA_HORARIA "', $4)::pg_catalog.date"
							   "   AND d.visita OPERATOR(pg_catalog.=) $3",
							   4, pae_dia_argtypes, true),
					  args, NULL, false, 0);
}

/* PV008: claim the id in the global registry, whatever the month */
static void
pae_reclamar_id(PaeVisita *v)
{
	static const Oid argtypes[2] = {UUIDOID, TIMESTAMPTZOID};
	Datum		args[2];

	args[0] = v->value[PV_ID];
	args[1] = v->value[PV_FECHA];
	pae_plan_ejecutar(pae_plan(&plan_reclamar_id,
							   "INSERT INTO pae.visitas_id (id, fecha_visita) VALUES ($1, $2)"
							   " ON CONFLICT (id) DO NOTHING",
							   2, argtypes, true),
					  args, NULL, false, 0);
	if (SPI_processed == 1)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_PAE_DUPLICADA),
			 errmsg("ya existe una visita con id %s", pae_uuid_texto(v->value[PV_ID])),
			 errdetail("El id %s ya pertenece a otra visita; los ids de visita son únicos en todos los meses.",
					   pae_uuid_texto(v->value[PV_ID])),
			 errhint("Genere un uuid nuevo para una visita nueva; para reenviar una visita ya creada use pae_api.sincronizar.")));
}

static void
pae_liberar_id(PaeVisita *v)
{
	static const Oid argtypes[1] = {UUIDOID};

	pae_plan_ejecutar(pae_plan(&plan_liberar_id,
							   "DELETE FROM pae.visitas_id r WHERE r.id OPERATOR(pg_catalog.=) $1",
							   1, argtypes, true),
					  &v->value[PV_ID], NULL, false, 0);
}

static void
pae_mover_id(PaeVisita *v)
{
	static const Oid argtypes[2] = {UUIDOID, TIMESTAMPTZOID};
	Datum		args[2];

	args[0] = v->value[PV_ID];
	args[1] = v->value[PV_FECHA];
	pae_plan_ejecutar(pae_plan(&plan_mover_id,
							   "UPDATE pae.visitas_id r SET fecha_visita = $2"
							   " WHERE r.id OPERATOR(pg_catalog.=) $1",
							   2, argtypes, true),
					  args, NULL, false, 0);
}

/*
 * Evaluate and store the fence of the check-in; PV001 at a strict fence.
 */
static void
pae_evaluar_checkin(PaeVisita *v, const PaeSede *sede, PaeCambios *cambios)
{
	double		lat,
				lon,
				distancia;
	bool		tiene_prec = !v->isnull[PV_CIN_PREC];
	double		prec = tiene_prec ? DatumGetFloat8(v->value[PV_CIN_PREC]) : 0.0;
	bool		dentro;

	if (v->isnull[PV_CIN_LAT])
	{
		if (!v->isnull[PV_DISTANCIA])
			pae_cambiar(cambios, v, PV_DISTANCIA, (Datum) 0, true);
		if (!v->isnull[PV_DENTRO])
			pae_cambiar(cambios, v, PV_DENTRO, (Datum) 0, true);
		return;
	}
	lat = DatumGetFloat8(v->value[PV_CIN_LAT]);
	lon = DatumGetFloat8(v->value[PV_CIN_LON]);
	distancia = pae_geo_distance(sede->lat, sede->lon, lat, lon);
	dentro = pae_geocerca_dentro(distancia, sede->radio_m, tiene_prec, prec);
	if (!dentro && sede->estricta)
		ereport(ERROR,
				(errcode(ERRCODE_PAE_FUERA_GEOCERCA),
				 errmsg("check-in fuera de la geocerca estricta de la sede \"%s\"", v->sede),
				 errdetail("La captura (%g, %g) está a %.1f m de la sede; el radio es %.0f m más %.0f m de tolerancia por precisión del GPS.",
						   lat, lon, distancia, sede->radio_m,
						   tiene_prec ? Min(prec, PAE_PRECISION_BENEFICIO_MAX) : 0.0),
				 errhint("Haga el check-in dentro de la sede; si la ubicación registrada de la sede es incorrecta, pida que la corrijan.")));
	pae_cambiar(cambios, v, PV_DISTANCIA, Float8GetDatum(distancia), false);
	pae_cambiar(cambios, v, PV_DENTRO, BoolGetDatum(dentro), false);
}

/* the free texts of a visit and their limits (reglas.h), in characters */
typedef struct PaeLimiteTexto
{
	const char *columna;
	int			max;
} PaeLimiteTexto;

static const PaeLimiteTexto pae_limites_texto[] = {
	{"observaciones", PAE_OBSERVACIONES_MAX},
	{"motivo_estado", PAE_MOTIVO_MAX},
	{"dispositivo", PAE_DISPOSITIVO_MAX},
};

/*
 * 22001 for a free text over its limit.  On UPDATE only a text that
 * changes is measured: a visit stored before the limits existed still
 * moves through its states.  A text of no more bytes than the limit has no
 * more characters either, so only long ones are counted.
 */
static void
pae_validar_textos(TupleDesc desc, HeapTuple nueva, HeapTuple vieja)
{
	size_t		i;

	for (i = 0; i < lengthof(pae_limites_texto); i++)
	{
		const PaeLimiteTexto *l = &pae_limites_texto[i];
		int			attnum = SPI_fnumber(desc, l->columna);
		Form_pg_attribute att;
		Datum		d;
		bool		isnull;
		text	   *t;
		int			largo;

		if (attnum <= 0)
			continue;
		att = TupleDescAttr(desc, attnum - 1);
		if (att->attlen != -1)
			continue;
		d = heap_getattr(nueva, attnum, desc, &isnull);
		if (isnull || toast_raw_datum_size(d) - VARHDRSZ <= (Size) l->max)
			continue;
		if (vieja != NULL)
		{
			bool		viejo_nulo;
			Datum		viejo = heap_getattr(vieja, attnum, desc, &viejo_nulo);

			if (!viejo_nulo && datum_image_eq(viejo, d, false, -1))
				continue;
		}
		t = DatumGetTextPP(d);
		largo = pg_mbstrlen_with_len(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
		if (largo > l->max)
			ereport(ERROR,
					(errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
					 errmsg("%s demasiado largo: %d caracteres", l->columna, largo),
					 errdetail("%s admite a lo sumo %d caracteres; se recibieron %d.",
							   l->columna, l->max, largo),
					 errhint("Resuma el texto; los documentos largos van como evidencias.")));
	}
}

/*
 * True when the row an UPDATE would store (NEW with the trigger's changes)
 * equals OLD in every column but version and actualizada_en, the two the
 * trigger itself bumps.
 */
static bool
pae_actualizacion_vacia(TupleDesc desc, HeapTuple viejo, HeapTuple nuevo,
						const PaeVisita *v, const PaeCambios *cambios)
{
	Datum	   *vv = palloc(sizeof(Datum) * desc->natts);
	bool	   *vn = palloc(sizeof(bool) * desc->natts);
	Datum	   *nv = palloc(sizeof(Datum) * desc->natts);
	bool	   *nn = palloc(sizeof(bool) * desc->natts);
	int			i;

	heap_deform_tuple(viejo, desc, vv, vn);
	heap_deform_tuple(nuevo, desc, nv, nn);
	for (i = 0; i < cambios->n; i++)
	{
		nv[cambios->cols[i] - 1] = cambios->values[i];
		nn[cambios->cols[i] - 1] = cambios->nulls[i];
	}
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped || i + 1 == v->attnum[PV_VERSION] ||
			i + 1 == v->attnum[PV_ACTUALIZADA])
			continue;
		if (vn[i] != nn[i])
			return false;
		if (vn[i])
			continue;
		if (!datumIsEqual(vv[i], nv[i], att->attbyval, att->attlen) &&
			!(att->attlen == -1 && datum_image_eq(vv[i], nv[i], false, -1)))
			return false;
	}
	return true;
}

/* rules for every row a statement writes, whatever the operation */
static void
pae_validar_fila(PaeVisita *v)
{
	pae_validar_captura(v, "el check-in", PV_CIN_LAT, PV_CIN_LON, PV_CIN_PREC);
	pae_validar_captura(v, "el check-out", PV_COUT_LAT, PV_COUT_LON, PV_COUT_PREC);
	pae_validar_tiempos(v);
	pae_validar_raciones(v, PV_RAC_PROG, "raciones_programadas");
	pae_validar_raciones(v, PV_RAC_ENTR, "raciones_entregadas");
}

static HeapTuple
pae_antes_insert(TriggerData *td, TupleDesc desc, Oid invocador)
{
	PaeVisita	v;
	PaeCambios	cambios = {0};
	PaeSede		sede;

	pae_visita_leer(td->tg_trigtuple, desc, &v);
	pae_visita_exigir(td->tg_relation, &v, true);

	/*
	 * A visit is born programada.  Only a privileged session acting as
	 * nobody (a DBA loading history, pg_restore) may insert it in a later
	 * state; the data rules below still apply to it.
	 */
	if (strcmp(v.estado, "programada") != 0 && !pae_sesion_privilegiada_anonima(invocador))
		ereport(ERROR,
				(errcode(ERRCODE_PAE_TRANSICION),
				 errmsg("una visita nueva debe crearse en estado programada, no %s", v.estado),
				 errdetail("Se intentó crear la visita %s directamente en estado %s.",
						   pae_uuid_texto(v.value[PV_ID]), v.estado),
				 errhint("Cree la visita como programada y avance su estado con pae.transicion o pae_api.sincronizar.")));
	pae_validar_fila(&v);
	pae_validar_textos(desc, td->tg_trigtuple, NULL);
	pae_validar_sede(&v, &sede);
	pae_autorizar_plan(invocador, &v, &sede);
	pae_validar_contrato(&v, &cambios);
	pae_validar_visitador(&v, invocador);
	pae_evaluar_checkin(&v, &sede, &cambios);
	pae_reclamar_id(&v);
	pae_reservar_dia(&v);
	/* a visit loaded with its check-in (history, sync) is registered now */
	if (!v.isnull[PV_CIN_LAT] && !v.isnull[PV_CIN_LON] && !v.isnull[PV_CIN_EN])
		pae_checkin_registrar(&v);

	if (cambios.n == 0)
		return td->tg_trigtuple;
	return heap_modify_tuple_by_cols(td->tg_trigtuple, desc, cambios.n,
									 cambios.cols, cambios.values, cambios.nulls);
}

static HeapTuple
pae_antes_update(TriggerData *td, TupleDesc desc, Oid invocador)
{
	PaeVisita	antes,
				v;
	PaeCambios	cambios = {0};
	PaeSede		sede;
	bool		planeacion;

	pae_visita_leer(td->tg_trigtuple, desc, &antes);
	pae_visita_leer(td->tg_newtuple, desc, &v);
	pae_visita_exigir(td->tg_relation, &v, false);

	if (pae_visita_cambio(&antes, &v, PV_ID, desc) ||
		pae_visita_cambio(&antes, &v, PV_CREADA, desc))
		ereport(ERROR,
				(errcode(ERRCODE_PAE_TRANSICION),
				 errmsg("no se puede cambiar el id ni creada_en de la visita %s",
						pae_uuid_texto(antes.value[PV_ID])),
				 errdetail("id y creada_en identifican la visita y no cambian nunca."),
				 errhint("Para corregir una visita mal creada, cancélela (o bórrela si sigue programada) y cree otra.")));

	planeacion = pae_visita_cambio(&antes, &v, PV_SEDE, desc) ||
		pae_visita_cambio(&antes, &v, PV_CONTRATO, desc) ||
		pae_visita_cambio(&antes, &v, PV_VISITADOR, desc) ||
		pae_visita_cambio(&antes, &v, PV_FECHA, desc);
	if (planeacion &&
		(strcmp(antes.estado, "programada") != 0 || strcmp(v.estado, "programada") != 0))
		ereport(ERROR,
				(errcode(ERRCODE_PAE_TRANSICION),
				 errmsg("solo una visita programada puede reprogramarse"),
				 errdetail("La visita %s está en estado %s; sede, contrato, visitador y fecha_visita solo cambian mientras está programada y sin cambiar de estado a la vez.",
						   pae_uuid_texto(antes.value[PV_ID]), antes.estado),
				 errhint("Cancele la visita y programe una nueva.")));

	pae_transicion_validar(invocador, &antes, &v, desc, &cambios);
	/* after the move was judged (who acts, which edge): 42501 comes first */
	pae_cerrada_validar(td->tg_trigtuple, td->tg_newtuple, desc, &antes,
						pae_visita_cambio(&antes, &v, PV_ESTADO, desc));
	pae_validar_fila(&v);
	pae_validar_textos(desc, td->tg_newtuple, td->tg_trigtuple);

	/* a known sede always; active only when (re)planning */
	if (!planeacion)
		pae_sede_exigir(v.sede, &sede);
	else
	{
		PaeSede		sede_antes;

		pae_validar_sede(&v, &sede);
		/* the visit as it was must be the actor's to re-plan, and as it becomes */
		pae_autorizar_plan(invocador, &antes,
						   pae_sede_buscar(antes.sede, &sede_antes) ? &sede_antes : NULL);
		pae_autorizar_plan(invocador, &v, &sede);
		pae_validar_contrato(&v, &cambios);
		pae_validar_visitador(&v, invocador);
	}
	/* the day claimed moves with the plan, and is freed by cancelling */
	if (planeacion || strcmp(v.estado, "cancelada") == 0)
		pae_liberar_dia(&antes);
	if (planeacion)
		pae_reservar_dia(&v);
	if (pae_visita_cambio(&antes, &v, PV_CIN_LAT, desc) ||
		pae_visita_cambio(&antes, &v, PV_CIN_LON, desc) ||
		pae_visita_cambio(&antes, &v, PV_CIN_PREC, desc) ||
		pae_visita_cambio(&antes, &v, PV_SEDE, desc))
		pae_evaluar_checkin(&v, &sede, &cambios);
	else
	{
		/* derived columns are the trigger's, not the client's */
		if (pae_visita_cambio(&antes, &v, PV_DISTANCIA, desc))
			pae_cambiar(&cambios, &v, PV_DISTANCIA, antes.value[PV_DISTANCIA], antes.isnull[PV_DISTANCIA]);
		if (pae_visita_cambio(&antes, &v, PV_DENTRO, desc))
			pae_cambiar(&cambios, &v, PV_DENTRO, antes.value[PV_DENTRO], antes.isnull[PV_DENTRO]);
	}
	if (pae_visita_cambio(&antes, &v, PV_FECHA, desc))
		pae_mover_id(&v);

	/* a state change without a new motivo clears the previous one */
	if (pae_visita_cambio(&antes, &v, PV_ESTADO, desc) &&
		!pae_visita_cambio(&antes, &v, PV_MOTIVO, desc) && !v.isnull[PV_MOTIVO])
		pae_cambiar(&cambios, &v, PV_MOTIVO, (Datum) 0, true);

	/*
	 * Nothing would change: the row stays as it was, version and
	 * actualizada_en included, and the audit records nothing.
	 */
	if (pae_actualizacion_vacia(desc, td->tg_trigtuple, td->tg_newtuple, &v, &cambios))
		return td->tg_trigtuple;

	pae_cambiar(&cambios, &v, PV_VERSION,
				Int32GetDatum(DatumGetInt32(antes.value[PV_VERSION]) + 1), false);
	pae_cambiar(&cambios, &v, PV_ACTUALIZADA,
				TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()), false);

	return heap_modify_tuple_by_cols(td->tg_newtuple, desc, cambios.n,
									 cambios.cols, cambios.values, cambios.nulls);
}

static HeapTuple
pae_antes_delete(TriggerData *td, TupleDesc desc, Oid invocador)
{
	PaeVisita	v;
	PaeSede		sede;

	pae_visita_leer(td->tg_trigtuple, desc, &v);
	if (strcmp(v.estado, "programada") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_PAE_TRANSICION),
				 errmsg("no se puede borrar la visita %s en estado %s",
						pae_uuid_texto(v.value[PV_ID]), v.estado),
				 errdetail("Solo una visita programada (un error de planeación) se borra; después de iniciada se cancela."),
				 errhint("Use pae.transicion(id, 'cancelada', motivo) para cancelarla.")));
	pae_autorizar_plan(invocador, &v, pae_sede_buscar(v.sede, &sede) ? &sede : NULL);
	pae_liberar_dia(&v);
	pae_liberar_id(&v);
	if (!v.isnull[PV_CIN_LAT] || !v.isnull[PV_CIN_EN])
		pae_checkin_borrar(v.value[PV_ID]);
	return td->tg_trigtuple;
}

/*
 * pae.tg_visitas_antes() RETURNS trigger
 *		BEFORE INSERT OR UPDATE OR DELETE ... FOR EACH ROW on pae.visitas
 */
Datum
pae_tg_visitas_antes(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	HeapTuple	result;
	Oid			invocador;
	PaeUsuarioGuardado guardado;

	pae_tg_exigir_protocolo(fcinfo, "pae.tg_visitas_antes",
							PAE_TG_ANTES | PAE_TG_FILA |
							PAE_TG_INSERT | PAE_TG_UPDATE | PAE_TG_DELETE,
							"BEFORE INSERT OR UPDATE OR DELETE ON pae.visitas FOR EACH ROW");
	if (!pae_rel_es_tabla(td->tg_relation, "visitas"))
		pae_tg_rechazar_tabla("pae.tg_visitas_antes", td->tg_relation,
							  "pae.visitas y sus particiones");

	desc = td->tg_relation->rd_att;
	invocador = GetUserId();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	pae_como_duenio(&guardado);

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		result = pae_antes_insert(td, desc, invocador);
	else if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		result = pae_antes_update(td, desc, invocador);
	else
		result = pae_antes_delete(td, desc, invocador);

	pae_restaurar_usuario(&guardado);
	/* the tuple is copied out of SPI's memory before SPI_finish frees it */
	result = SPI_copytuple(result);
	SPI_finish();
	return PointerGetDatum(result);
}
