/*-------------------------------------------------------------------------
 *
 * acceso.c
 *	  Who may read and write at all (SPEC §5, §10): the actor as the RLS
 *	  policies see it, and the statement trigger that refuses every write
 *	  of a session without an identified, active actor.
 *
 * A session names a person (trusted claims, or a login_db mapping), or
 * nobody.  A person who is unknown or inactive is denied: the policies
 * show them no row and every write raises 42501, whatever their database
 * role -- an inactive pae_admin member never becomes "nobody", the
 * privileged anonymous session of maintenance.  A session that is nobody
 * reads what its role's policy gives nobody and writes only when its role
 * is privileged (a superuser, the extension's owner, a pae_admin member).
 *
 * The SQL functions are cheap and STABLE; the policies call them as
 * uncorrelated subqueries, (SELECT pae.actor_vigente()), so each is run
 * once per statement, not once per row (cache.h keeps the answer for the
 * transaction).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "pae_cauca.h"

PG_FUNCTION_INFO_V1(pae_actor_vigente_sql);
PG_FUNCTION_INFO_V1(pae_sesion_habilitada_sql);
PG_FUNCTION_INFO_V1(pae_exigir_actor_sql);
PG_FUNCTION_INFO_V1(pae_tg_exigir_actor);

/*
 * pae.actor_vigente() RETURNS uuid
 *		The acting person when they exist and are active; NULL for nobody,
 *		an unknown person or an inactive one.  Never raises for those.
 */
Datum
pae_actor_vigente_sql(PG_FUNCTION_ARGS)
{
	PaeActor	actor;
	pg_uuid_t  *id;

	pae_actor_consultar(GetUserId(), &actor);
	if (!actor.identificado || !actor.activo)
		PG_RETURN_NULL();
	id = palloc(sizeof(pg_uuid_t));
	*id = actor.id;
	PG_RETURN_UUID_P(id);
}

/*
 * pae.sesion_habilitada() RETURNS boolean
 *		False when the session names a person who is unknown or inactive
 *		(denied); true for nobody and for an active person.
 */
Datum
pae_sesion_habilitada_sql(PG_FUNCTION_ARGS)
{
	PaeActor	actor;

	pae_actor_consultar(GetUserId(), &actor);
	PG_RETURN_BOOL(!actor.nombrado || (actor.identificado && actor.activo));
}

/*
 * pae.exigir_actor(accion text) RETURNS void
 *		The 42501 rule of pae_actor_exigir, for SQL callers (pae.transicion
 *		raises it before looking at the visit).
 */
Datum
pae_exigir_actor_sql(PG_FUNCTION_ARGS)
{
	PaeActor	actor;

	pae_actor_exigir(GetUserId(), &actor,
					 PG_ARGISNULL(0) ? "escribir" : text_to_cstring(PG_GETARG_TEXT_PP(0)));
	PG_RETURN_VOID();
}

/* the business tables whose writes need an actor */
static const char *const pae_tablas_negocio[] = {
	"visitas", "visita_respuestas", "evidencias", "sedes", "instituciones",
	"contratos", "contrato_sedes", "operadores", "checklist_items",
	"usuarios", "usuario_municipios", "alertas"
};

static bool
pae_tabla_negocio(Relation rel)
{
	const char *nombre = RelationGetRelationName(rel);
	size_t		i;

	if (rel->rd_rel->relkind != RELKIND_RELATION &&
		rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
		return false;
	if (RelationGetNamespace(rel) != get_namespace_oid("pae", true))
		return false;
	for (i = 0; i < lengthof(pae_tablas_negocio); i++)
		if (strcmp(nombre, pae_tablas_negocio[i]) == 0)
			return true;
	return false;
}

/*
 * pae.tg_exigir_actor() RETURNS trigger
 *		BEFORE INSERT OR UPDATE OR DELETE ... FOR EACH STATEMENT on every
 *		business table: 42501 unless the session has an identified, active
 *		actor or is a privileged session acting as nobody.  Before the
 *		statement reads a row, so a denied session learns nothing of them.
 */
Datum
pae_tg_exigir_actor(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	PaeActor	actor;
	char	   *accion;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(td->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(td->tg_event) || TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("pae.tg_exigir_actor solo puede usarse como disparador BEFORE INSERT OR UPDATE OR DELETE ... FOR EACH STATEMENT"),
				 errdetail("La función fue llamada fuera de un disparador o con otro momento, nivel o evento."),
				 errhint("Es el disparador exigir_actor de las tablas de negocio de pae_cauca; no la use en otras tablas.")));
	if (!pae_tabla_negocio(td->tg_relation))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("pae.tg_exigir_actor no puede usarse en la tabla \"%s\"",
						RelationGetRelationName(td->tg_relation)),
				 errdetail("El disparador es de las tablas de negocio del esquema pae de pae_cauca."),
				 errhint("Quite el disparador de esa tabla.")));

	accion = psprintf("escribir en pae.%s", RelationGetRelationName(td->tg_relation));
	pae_actor_exigir(GetUserId(), &actor, accion);
	return PointerGetDatum(NULL);
}
