/*-------------------------------------------------------------------------
 *
 * transitions.c
 *	  The visit state machine of SPEC §5: who may move a visit, from which
 *	  state to which, and the preconditions of each move; the AFTER trigger
 *	  that writes the history, the outbox event (NOTIFY pae_eventos) and the
 *	  fraud and compliance alerts.
 *
 *   from        to          who                                   needs
 *   programada  en_curso    the assigned visitador                check-in
 *   programada  cancelada   supervisor (municipio), coordinador   motivo
 *   en_curso    cerrada     the assigned visitador                check-out, checklist, photo
 *   en_curso    cancelada   supervisor (municipio), coordinador   motivo
 *   cerrada     aprobada    supervisor (municipio), coordinador   never self-approval
 *   cerrada     devuelta    supervisor (municipio), coordinador   motivo
 *   devuelta    cerrada     the assigned visitador                as en_curso -> cerrada
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/timestamp.h"

#include "alertas.h"
#include "disparadores.h"
#include "eventos.h"
#include "geodesy.h"
#include "plan_clave.h"
#include "tiempos.h"
#include "visita.h"

PG_FUNCTION_INFO_V1(pae_tg_visitas_despues);

/* prepared once per backend (see spi_plan.c) */
static SPIPlanPtr plan_faltantes = NULL;
static SPIPlanPtr plan_fotos = NULL;
static SPIPlanPtr plan_historia_evento = NULL;

typedef enum PaeQuien
{
	QUIEN_VISITADOR,			/* the assigned visitador */
	QUIEN_SUPERVISION			/* supervisor of the municipio, coordinador */
} PaeQuien;

typedef struct PaeArista
{
	const char *desde;
	const char *hacia;
	PaeQuien	quien;
	bool		motivo;
	bool		checkout;		/* the closing preconditions */
} PaeArista;

static const PaeArista pae_aristas[] = {
	{"programada", "en_curso", QUIEN_VISITADOR, false, false},
	{"programada", "cancelada", QUIEN_SUPERVISION, true, false},
	{"en_curso", "cerrada", QUIEN_VISITADOR, false, true},
	{"en_curso", "cancelada", QUIEN_SUPERVISION, true, false},
	{"cerrada", "aprobada", QUIEN_SUPERVISION, false, false},
	{"cerrada", "devuelta", QUIEN_SUPERVISION, true, false},
	{"devuelta", "cerrada", QUIEN_VISITADOR, false, true},
};

static const PaeArista *
pae_arista(const char *desde, const char *hacia)
{
	size_t		i;

	for (i = 0; i < lengthof(pae_aristas); i++)
		if (strcmp(pae_aristas[i].desde, desde) == 0 &&
			strcmp(pae_aristas[i].hacia, hacia) == 0)
			return &pae_aristas[i];
	return NULL;
}

static void
pae_precondicion(const char *que, const char *detalle, const char *hint,
				 PaeVisita *v)
{
	ereport(ERROR,
			(errcode(ERRCODE_PAE_PRECONDICION),
			 errmsg("precondición no cumplida para pasar la visita %s a %s: %s",
					pae_uuid_texto(v->value[PV_ID]), v->estado, que),
			 errdetail_internal("%s", detalle),
			 errhint("%s", hint)));
}

/* does this supervisor oversee the sede's municipio? */
static bool
pae_supervisa(pg_uuid_t *actor, const char *sede)
{
	PaeSede		s;

	return pae_sede_buscar(sede, &s) && pae_municipio_a_cargo(actor, s.municipio);
}

static void
pae_no_permitido(PaeVisita *antes, PaeVisita *v, const char *por_que)
{
	ereport(ERROR,
			(errcode(ERRCODE_PAE_TRANSICION),
			 errmsg("transición no permitida: %s -> %s", antes->estado, v->estado),
			 errdetail_internal("Visita %s: %s", pae_uuid_texto(v->value[PV_ID]), por_que),
			 errhint("Consulte la tabla de transiciones de pae_cauca: quién puede mover una visita y desde qué estado.")));
}

/*
 * Who is acting: 42501 for an inactive or unknown person, or for a session
 * that is nobody and not privileged (the one rule, pae_actor_exigir).
 * Checked before the move itself, so a session that may not act learns
 * nothing about the visit's state.
 */
static void
pae_identificar(Oid invocador, PaeActor *actor)
{
	pae_actor_exigir(invocador, actor, "cambiar el estado de visitas");
}

/* may this actor make this move? */
static void
pae_autorizar(const PaeActor *a_actor, const PaeArista *a, PaeVisita *antes, PaeVisita *v)
{
	PaeActor	actor = *a_actor;
	pg_uuid_t  *visitador = DatumGetUUIDP(v->value[PV_VISITADOR]);

	if (!actor.identificado)
		return;					/* maintenance by a superuser, owner or pae_admin */

	if (a->quien == QUIEN_VISITADOR)
	{
		if (strcmp(actor.rol, "visitador") != 0 ||
			memcmp(&actor.id, visitador, sizeof(pg_uuid_t)) != 0)
			pae_no_permitido(antes, v, psprintf("solo el visitador asignado (%s) puede hacer este cambio; actúa %s con rol %s.",
												pae_uuid_texto(v->value[PV_VISITADOR]),
												pae_uuid_texto(UUIDPGetDatum(&actor.id)), actor.rol));
		return;
	}

	/* supervision moves: never on one's own visit */
	if (memcmp(&actor.id, visitador, sizeof(pg_uuid_t)) == 0)
		pae_no_permitido(antes, v, "nadie aprueba, devuelve ni cancela su propia visita.");
	if (strcmp(actor.rol, "coordinador") == 0)
		return;
	if (strcmp(actor.rol, "supervisor") == 0)
	{
		if (!pae_supervisa(&actor.id, v->sede))
			pae_no_permitido(antes, v, psprintf("el supervisor %s no tiene a cargo el municipio de la sede \"%s\".",
												pae_uuid_texto(UUIDPGetDatum(&actor.id)), v->sede));
		return;
	}
	pae_no_permitido(antes, v, psprintf("el rol %s no aprueba, devuelve ni cancela visitas; lo hace un supervisor del municipio o un coordinador.",
										actor.rol));
}

/* the closing preconditions: check-out, mandatory checklist, a photo */
static void
pae_validar_cierre(PaeVisita *antes, PaeVisita *v, PaeCambios *cambios)
{
	Datum		id = v->value[PV_ID];
	static const Oid argtypes[1] = {UUIDOID};

	if (v->isnull[PV_CIN_LAT] || v->isnull[PV_CIN_EN])
		pae_precondicion("falta el check-in",
						 "La visita no tiene check-in (checkin_lat, checkin_lon, checkin_en).",
						 "Haga el check-in (paso a en_curso) antes de cerrar la visita.", v);
	if (v->isnull[PV_COUT_LAT])
		pae_precondicion("falta el check-out",
						 "Para cerrar la visita se requieren checkout_lat y checkout_lon.",
						 "Envíe la posición GPS del check-out al cerrar la visita.", v);
	/* a check-out gets the time of the move when none was given */
	if (v->isnull[PV_COUT_EN])
		pae_cambiar(cambios, v, PV_COUT_EN,
					TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()), false);
	pae_checkout_validar(DatumGetTimestampTz(v->value[PV_CIN_EN]),
						 DatumGetTimestampTz(v->value[PV_COUT_EN]));

	pae_plan_ejecutar(pae_plan_clave(&plan_faltantes,
							   "SELECT pg_catalog.string_agg(i.codigo, ', ' ORDER BY i.orden, i.codigo),"
							   "       pg_catalog.count(*)"
							   "  FROM pae.checklist_items i"
							   " WHERE i.obligatorio AND i.activo"
							   "   AND NOT EXISTS (SELECT 1 FROM pae.visita_respuestas r"
							   "                    WHERE r.visita OPERATOR(pg_catalog.=) $1"
							   "                      AND r.item OPERATOR(pg_catalog.=) i.codigo)",
							   1, argtypes),
					  &id, NULL, true, 1);
	if (SPI_processed == 1 &&
		strcmp(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2), "0") != 0)
		pae_precondicion("faltan ítems obligatorios de la lista de chequeo",
						 psprintf("Faltan %s ítems obligatorios sin respuesta: %s.",
								  SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2),
								  SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1)),
						 "Responda cada ítem obligatorio (cumple, no_cumple o no_aplica) antes de cerrar.", v);

	pae_plan_ejecutar(pae_plan_clave(&plan_fotos,
							   "SELECT 1 FROM pae.evidencias e"
							   " WHERE e.visita OPERATOR(pg_catalog.=) $1 AND e.tipo OPERATOR(pg_catalog.=) 'foto'",
							   1, argtypes),
					  &id, NULL, true, 1);
	if (SPI_processed == 0)
		pae_precondicion("falta al menos una foto",
						 "La visita no tiene ninguna evidencia de tipo foto.",
						 "Registre al menos una foto de la visita antes de cerrarla.", v);
}

/*
 * What the state machine itself writes: all a cerrada visit lets change.
 * motivo_estado only together with estado (the motivo of that move).
 */
static const char *const pae_columnas_de_la_maquina[] = {
	"estado", "version", "actualizada_en"
};

/*
 * pae_cerrada_validar
 *		Called by the BEFORE UPDATE trigger (validation.c) for every update
 *		of a visit that was cerrada: its content (rations, observaciones,
 *		captures, anything but the columns the state machine writes) is
 *		frozen for everyone until a supervisor returns it (devuelta), so
 *		what is approved is what was closed and checked; motivo_estado
 *		changes only with a move ("mueve": estado changes too).  PV002, naming the
 *		columns, otherwise.  Values are compared by their bytes after
 *		detoasting, so writing back the same value is no change.
 */
void
pae_cerrada_validar(HeapTuple antes, HeapTuple despues, TupleDesc desc,
					PaeVisita *v_antes, bool mueve)
{
	StringInfoData cambiadas;
	int			i;

	if (strcmp(v_antes->estado, "cerrada") != 0)
		return;
	initStringInfo(&cambiadas);
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		const char *nombre = NameStr(att->attname);
		bool		nulo_antes,
					nulo_despues;
		Datum		a,
					d;
		size_t		k;
		bool		de_la_maquina = false;

		if (att->attisdropped)
			continue;
		for (k = 0; k < lengthof(pae_columnas_de_la_maquina); k++)
			if (strcmp(nombre, pae_columnas_de_la_maquina[k]) == 0)
				de_la_maquina = true;
		if (de_la_maquina || (mueve && strcmp(nombre, "motivo_estado") == 0))
			continue;
		a = heap_getattr(antes, i + 1, desc, &nulo_antes);
		d = heap_getattr(despues, i + 1, desc, &nulo_despues);
		if (nulo_antes && nulo_despues)
			continue;
		if (nulo_antes == nulo_despues &&
			datum_image_eq(a, d, att->attbyval, att->attlen))
			continue;
		appendStringInfo(&cambiadas, "%s%s", cambiadas.len > 0 ? ", " : "", nombre);
	}
	if (cambiadas.len > 0)
		ereport(ERROR,
				(errcode(ERRCODE_PAE_TRANSICION),
				 errmsg("la visita %s está cerrada y su contenido no cambia",
						pae_uuid_texto(v_antes->value[PV_ID])),
				 errdetail("Se intentó cambiar %s; en una visita cerrada solo cambian estado y motivo_estado, al aprobarla o devolverla.",
						   cambiadas.data),
				 errhint("Para corregirla, un supervisor la devuelve (devuelta); el visitador la corrige y la cierra de nuevo.")));
}

/*
 * pae_transicion_validar
 *		Called by the BEFORE UPDATE trigger (validation.c) for every update.
 */
void
pae_transicion_validar(Oid invocador, PaeVisita *antes, PaeVisita *v,
					   TupleDesc desc, PaeCambios *cambios)
{
	const PaeArista *a;
	PaeActor	actor;

	if (!pae_visita_cambio(antes, v, PV_ESTADO, desc))
	{
		/*
		 * A recorded check-in is never rewritten (a second check-in, a capture
		 * moved after the fact would change a geofence verdict after its
		 * alert was decided); a check-out only changes while the visit is
		 * being done or corrected.
		 */
		if (strcmp(antes->estado, "programada") != 0 &&
			(pae_visita_cambio(antes, v, PV_CIN_LAT, desc) ||
			 pae_visita_cambio(antes, v, PV_CIN_LON, desc) ||
			 pae_visita_cambio(antes, v, PV_CIN_PREC, desc) ||
			 pae_visita_cambio(antes, v, PV_CIN_EN, desc)))
			pae_no_permitido(antes, v, "el check-in se registra una sola vez, al pasar a en_curso.");
		if (strcmp(antes->estado, "en_curso") != 0 && strcmp(antes->estado, "devuelta") != 0 &&
			strcmp(antes->estado, "programada") != 0 &&
			(pae_visita_cambio(antes, v, PV_COUT_LAT, desc) ||
			 pae_visita_cambio(antes, v, PV_COUT_LON, desc) ||
			 pae_visita_cambio(antes, v, PV_COUT_PREC, desc) ||
			 pae_visita_cambio(antes, v, PV_COUT_EN, desc)))
			pae_no_permitido(antes, v, "el check-out se registra al cerrar la visita (desde en_curso o devuelta).");
		/* finished visits are frozen */
		if (strcmp(antes->estado, "aprobada") == 0 || strcmp(antes->estado, "cancelada") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_PAE_TRANSICION),
					 errmsg("la visita %s está %s y no admite cambios",
							pae_uuid_texto(v->value[PV_ID]), antes->estado),
					 errdetail("Las visitas aprobadas o canceladas son definitivas."),
					 errhint("Si hay un error, regístrelo como observación en una visita nueva.")));
		return;
	}

	pae_identificar(invocador, &actor);
	a = pae_arista(antes->estado, v->estado);
	if (a == NULL)
		pae_no_permitido(antes, v, psprintf("no existe la transición de %s a %s.",
											antes->estado, v->estado));
	pae_autorizar(&actor, a, antes, v);

	if (a->motivo &&
		(v->isnull[PV_MOTIVO] || !pae_visita_cambio(antes, v, PV_MOTIVO, desc) ||
		 strspn(TextDatumGetCString(v->value[PV_MOTIVO]), " \t\r\n") ==
		 strlen(TextDatumGetCString(v->value[PV_MOTIVO]))))
		pae_precondicion("falta el motivo",
						 psprintf("Pasar una visita a %s exige un motivo escrito.", v->estado),
						 "Indique el motivo (argumento motivo de pae.transicion, o la columna motivo_estado).", v);

	if (strcmp(v->estado, "en_curso") == 0)
	{
		if (v->isnull[PV_CIN_LAT] || v->isnull[PV_CIN_LON])
			pae_precondicion("falta el check-in",
							 "Iniciar la visita exige la latitud y longitud del check-in.",
							 "Envíe la posición GPS del check-in (lat, lon y precisión).", v);
		if (v->isnull[PV_CIN_EN])
			pae_cambiar(cambios, v, PV_CIN_EN,
						TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()), false);
	}
	if (a->checkout)
		pae_validar_cierre(antes, v, cambios);
}

/* ---------------------------------------------------------------------
 * AFTER UPDATE: history, outbox event, alerts
 * ---------------------------------------------------------------------
 */

/*
 * Judge this check-in (lat, lon at time en) against the check-ins in
 * SPI_tuptable (lat, lon, en, visita); "segun" says, in the alert's detail,
 * which clock gave en.  True when viaje_imposible was raised.
 */
static bool
pae_viaje_juzgar(PaeVisita *v, double lat, double lon, TimestampTz en,
				 const char *segun)
{
	uint64		i;

	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		double		olat = DatumGetFloat8(SPI_getbinval(tup, desc, 1, &isnull));
		double		olon = DatumGetFloat8(SPI_getbinval(tup, desc, 2, &isnull));
		TimestampTz otro = DatumGetTimestampTz(SPI_getbinval(tup, desc, 3, &isnull));
		double		dist_m = pae_geo_distance(olat, olon, lat, lon);
		double		horas = fabs((double) en - (double) otro) / (double) USECS_PER_HOUR;
		double		kmh;

		if (dist_m < PAE_VIAJE_DISTANCIA_MIN_M)
			continue;			/* same place: GPS noise, not travel */
		kmh = horas > 0 ? (dist_m / 1000.0) / horas : INFINITY;
		if (kmh <= PAE_VIAJE_VELOCIDAD_MAX_KMH)
			continue;
		pae_alerta_registrar(v->value[PV_ID], "viaje_imposible",
							 psprintf("{\"otra_visita\": \"%s\", \"distancia_m\": %.1f, \"horas\": %.4f, \"velocidad_kmh\": %s, \"segun\": \"%s\"}",
									  SPI_getvalue(tup, desc, 4), dist_m, horas,
									  isinf(kmh) ? "null" : psprintf("%.1f", kmh), segun));
		return true;
	}
	return false;
}

/*
 * Impossible travel: the implied speed between this check-in and the same
 * visitador's nearest check-in before it, and the nearest after it (offline
 * sync can deliver an earlier check-in after a later one), within two days.
 *
 * Which clock: checkin_en is the server's when the check-in was made online
 * through pae.transicion, the device's when a client wrote it (PATCH, sync).
 * Device time is accepted only inside the bounds of tiempos.c, and is taken
 * no later than the server clock now.  A check-in declared earlier than the
 * server received it (by more than PAE_FUTURO_TOLERADO_MIN) could have been
 * declared at any time inside those bounds -- three hours back puts a far
 * sede within reach -- so it is also judged by the server's clock: against
 * the visitador's latest check-in made online (stamped by the server, as
 * its transition to en_curso shows) after the declared time, using the time
 * this one reached the server.  Had it really been made before that online
 * check-in, the device held it back while it was online; the alert says so
 * ("segun": "hora_servidor") for a supervisor to judge.
 */
static void
pae_alerta_viaje(PaeVisita *v)
{
	double		lat = DatumGetFloat8(v->value[PV_CIN_LAT]);
	double		lon = DatumGetFloat8(v->value[PV_CIN_LON]);
	TimestampTz recibido = GetCurrentTimestamp();
	TimestampTz declarado = DatumGetTimestampTz(v->value[PV_CIN_EN]);
	TimestampTz en = Min(declarado, recibido);

	pae_checkin_vecinos(v->value[PV_VISITADOR], v->value[PV_ID], TimestampTzGetDatum(en));
	if (pae_viaje_juzgar(v, lat, lon, en, "hora_declarada"))
		return;
	if (declarado >= recibido - PAE_FUTURO_TOLERADO_USEC)
		return;					/* made online: the declared time is the server's */
	pae_checkin_en_linea_despues(v->value[PV_VISITADOR], v->value[PV_ID],
								 TimestampTzGetDatum(declarado),
								 TimestampTzGetDatum(recibido));
	pae_viaje_juzgar(v, lat, lon, recibido, "hora_servidor");
}

/*
 * duracion_sospechosa: check-out minus check-in, both inside the bounds of
 * tiempos.c (finite, so the difference cannot overflow) and the check-out
 * taken no later than the server clock when the visit is closed: a device
 * cannot lengthen a visit by declaring its check-out ahead of time.
 */
static void
pae_alerta_duracion(PaeVisita *v)
{
	TimestampTz cin = DatumGetTimestampTz(v->value[PV_CIN_EN]);
	TimestampTz cout = Min(DatumGetTimestampTz(v->value[PV_COUT_EN]), GetCurrentTimestamp());
	double		minutos = ((double) cout - (double) cin) / (double) USECS_PER_MINUTE;

	if (minutos < PAE_DURACION_MIN_MIN)
		pae_alerta_registrar(v->value[PV_ID], "duracion_sospechosa",
							 psprintf("{\"minutos\": %.2f, \"minimo_minutos\": %d}",
									  minutos, PAE_DURACION_MIN_MIN));
}

static void
pae_alertas(PaeVisita *v)
{
	if (strcmp(v->estado, "en_curso") == 0)
	{
		if (!v->isnull[PV_DENTRO] && !DatumGetBool(v->value[PV_DENTRO]))
			pae_alerta_registrar(v->value[PV_ID], "fuera_geocerca",
					   psprintf("{\"distancia_m\": %.1f, \"lat\": %.7f, \"lon\": %.7f, \"precision_m\": %s}",
								DatumGetFloat8(v->value[PV_DISTANCIA]),
								DatumGetFloat8(v->value[PV_CIN_LAT]),
								DatumGetFloat8(v->value[PV_CIN_LON]),
								v->isnull[PV_CIN_PREC] ? "null" :
								psprintf("%.1f", DatumGetFloat8(v->value[PV_CIN_PREC]))));
		pae_alerta_viaje(v);
	}
	else if (strcmp(v->estado, "cerrada") == 0)
	{
		if (!v->isnull[PV_RAC_ENTR] && !v->isnull[PV_RAC_PROG] &&
			(double) DatumGetInt32(v->value[PV_RAC_ENTR]) <
			PAE_RACIONES_FRACCION_MIN * (double) DatumGetInt32(v->value[PV_RAC_PROG]))
			pae_alerta_registrar(v->value[PV_ID], "raciones_faltantes",
					   psprintf("{\"programadas\": %d, \"entregadas\": %d, \"porcentaje\": %.1f}",
								DatumGetInt32(v->value[PV_RAC_PROG]),
								DatumGetInt32(v->value[PV_RAC_ENTR]),
								DatumGetInt32(v->value[PV_RAC_PROG]) == 0 ? 0.0 :
								100.0 * DatumGetInt32(v->value[PV_RAC_ENTR]) /
								DatumGetInt32(v->value[PV_RAC_PROG])));
		if (!v->isnull[PV_CIN_EN] && !v->isnull[PV_COUT_EN])
			pae_alerta_duracion(v);
	}
}

/*
 * pae.tg_visitas_despues() RETURNS trigger
 *		AFTER UPDATE ... FOR EACH ROW on pae.visitas: for each change of
 *		estado, one pae.transiciones row, one pae.eventos row announced with
 *		NOTIFY pae_eventos (delivered at commit, never after a rollback), and
 *		the alerts the new state reveals; for each change of the check-in or
 *		the visitador, the visit's row in pae.visitas_checkin (checkins.c).
 */
Datum
pae_tg_visitas_despues(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	PaeVisita	antes,
				v;
	pg_uuid_t	actor;
	bool		tiene_actor;
	Datum		args[7];
	char		nulls[7] = {' ', ' ', ' ', ' ', ' ', ' ', ' '};
	static const Oid historia_evento_tipos[7] = {
		TEXTOID, UUIDOID, TEXTOID, TEXTOID, UUIDOID, TEXTOID, TEXTOID
	};
	bool		cambio_estado;
	bool		cambio_checkin;
	char	   *evento_id;
	char	   *tipo;
	PaeUsuarioGuardado guardado;

	pae_tg_exigir_protocolo(fcinfo, "pae.tg_visitas_despues",
							PAE_TG_DESPUES | PAE_TG_FILA | PAE_TG_UPDATE,
							"AFTER UPDATE ON pae.visitas FOR EACH ROW");
	if (!pae_rel_es_tabla(td->tg_relation, "visitas"))
		pae_tg_rechazar_tabla("pae.tg_visitas_despues", td->tg_relation,
							  "pae.visitas y sus particiones");

	desc = td->tg_relation->rd_att;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	pae_visita_leer(td->tg_trigtuple, desc, &antes);
	pae_visita_leer(td->tg_newtuple, desc, &v);
	pae_visita_exigir(td->tg_relation, &antes, false);
	pae_visita_exigir(td->tg_relation, &v, false);
	cambio_estado = pae_visita_cambio(&antes, &v, PV_ESTADO, desc);
	cambio_checkin = pae_visita_cambio(&antes, &v, PV_CIN_LAT, desc) ||
		pae_visita_cambio(&antes, &v, PV_CIN_LON, desc) ||
		pae_visita_cambio(&antes, &v, PV_CIN_EN, desc) ||
		pae_visita_cambio(&antes, &v, PV_VISITADOR, desc);
	if (!cambio_estado && !cambio_checkin)
	{
		SPI_finish();
		return PointerGetDatum(NULL);
	}

	pae_como_duenio(&guardado);
	if (cambio_checkin)
		pae_checkin_registrar(&v);
	if (!cambio_estado)
	{
		pae_restaurar_usuario(&guardado);
		SPI_finish();
		return PointerGetDatum(NULL);
	}

	/*
	 * The history row and the outbox event, in one statement.  Like the
	 * audit trail, the history names the role that called (and the person
	 * it maps to), not the owner of a SECURITY DEFINER function in between:
	 * GetOuterUserId() is the role set by login or SET ROLE.
	 */
	tiene_actor = pae_usuario_actual(GetOuterUserId(), &actor);
	tipo = psprintf("visita.%s", v.estado);
	args[0] = CStringGetTextDatum(tipo);
	args[1] = v.value[PV_ID];
	args[2] = CStringGetTextDatum(antes.estado);
	args[3] = CStringGetTextDatum(v.estado);
	args[4] = tiene_actor ? UUIDPGetDatum(&actor) : (Datum) 0;
	nulls[4] = tiene_actor ? ' ' : 'n';
	args[5] = v.isnull[PV_MOTIVO] ? (Datum) 0 : v.value[PV_MOTIVO];
	nulls[5] = v.isnull[PV_MOTIVO] ? 'n' : ' ';
	/* the role that asked, not the owner the bookkeeping runs as */
	args[6] = CStringGetTextDatum(GetUserNameFromId(GetOuterUserId(), false));
	pae_plan_ejecutar(pae_plan(&plan_historia_evento,
							   "WITH historia AS ("
							   "  INSERT INTO pae.transiciones (visita, desde, hacia, actor, motivo, rol_db)"
							   "  VALUES ($2, $3::pae.estado_visita, $4::pae.estado_visita, $5, $6,"
							   "          $7::pg_catalog.name))"
							   " INSERT INTO pae.eventos (tipo, visita, payload)"
							   " VALUES ($1, $2, pg_catalog.jsonb_build_object('desde', $3, 'hacia', $4))"
							   " RETURNING id",
							   7, historia_evento_tipos, true),
					  args, nulls, false, 0);
	evento_id = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

	/* announced once this transaction commits, never after a rollback (eventos.h) */
	pae_evento_anunciar(evento_id, tipo, pae_uuid_texto(v.value[PV_ID]));

	pae_alertas(&v);

	pae_restaurar_usuario(&guardado);
	SPI_finish();
	return PointerGetDatum(NULL);
}
