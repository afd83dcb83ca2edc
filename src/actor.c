/*-------------------------------------------------------------------------
 *
 * actor.c
 *	  Who is acting: pae.usuario_actual() and the actor record the state
 *	  machine and the audit trail use.
 *
 * The actor is the "sub" claim of request.jwt.claims, but only in sessions
 * opened by the role PostgREST logs in as (setting pae.rol_autenticador) or
 * by a superuser: anyone else can SET request.jwt.claims and would forge an
 * identity.  Otherwise it is the pae.usuarios row whose login_db is
 * current_user.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/memutils.h"
#include "utils/uuid.h"
#include "access/xact.h"
#include "commands/trigger.h"
#include "storage/proc.h"

#include "pae_cauca.h"

PG_FUNCTION_INFO_V1(pae_usuario_actual_sql);

/* prepared once per backend (see spi_plan.c) */
static SPIPlanPtr pae_plan_por_login = NULL;
static SPIPlanPtr pae_plan_por_id = NULL;

/*
 * pae_claims_confiables
 *		True when this session's JWT claims (and the request.headers PostgREST
 *		sets with them) may be believed.
 */
bool
pae_claims_confiables(void)
{
	Oid			sesion = GetSessionUserId();
	const char *nombre;

	if (superuser_arg(sesion))
		return true;
	if (pae_rol_autenticador == NULL || pae_rol_autenticador[0] == '\0')
		return false;
	nombre = GetUserNameFromId(sesion, true);
	return nombre != NULL && strcmp(nombre, pae_rol_autenticador) == 0;
}

/* the "sub" claim as text, or NULL */
static char *
pae_claim_sub(void)
{
	const char *claims = GetConfigOption("request.jwt.claims", true, false);
	Jsonb	   *jb;
	JsonbValue	key;
	JsonbValue *val;

	if (claims == NULL || claims[0] == '\0')
		return NULL;
	jb = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(claims)));
	if (!JB_ROOT_IS_OBJECT(jb))
		return NULL;
	key.type = jbvString;
	key.val.string.val = "sub";
	key.val.string.len = 3;
	val = findJsonbValueFromContainer(&jb->root, JB_FOBJECT, &key);
	if (val == NULL || val->type != jbvString)
		return NULL;
	return pnstrdup(val->val.string.val, val->val.string.len);
}

/*
 * pae_usuario_actual
 *		The acting person's uuid; false when the session has none.
 */
/*
 * A request asks who is acting several times (RLS policies, the visit and
 * audit triggers); parsing the claims JSON each time showed in profiles.
 * The answer from the claims is kept for the rest of the transaction, keyed
 * by everything it depends on (transaction, session user, claims text); it
 * lives in TopTransactionContext and is never read in another transaction.
 */
typedef struct PaeClaimsCache
{
	LocalTransactionId lxid;
	Oid			sesion;
	char	   *claims;			/* in TopTransactionContext */
	bool		hay;
	pg_uuid_t	id;
} PaeClaimsCache;

static PaeClaimsCache pae_claims_cache = {InvalidLocalTransactionId};

/* the actor from trusted JWT claims; false when the claims name nobody */
static bool
pae_actor_de_claims(pg_uuid_t *id)
{
	const char *claims = GetConfigOption("request.jwt.claims", true, false);
	PaeClaimsCache *c = &pae_claims_cache;
	MemoryContext viejo;
	char	   *sub;

	if (claims == NULL || claims[0] == '\0')
		return false;
	if (c->lxid == MyProc->lxid && c->sesion == GetSessionUserId() &&
		c->claims != NULL && strcmp(c->claims, claims) == 0)
	{
		if (c->hay)
			*id = c->id;
		return c->hay;
	}
	if (!pae_claims_confiables())
		return false;

	c->hay = false;
	sub = pae_claim_sub();
	if (sub != NULL)
	{
		Datum		d;

		/* a malformed sub is a broken token, never "nobody" */
		if (strlen(sub) != 36 && strlen(sub) != 32)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("el claim sub del token no es un uuid: \"%s\"", sub),
					 errdetail("request.jwt.claims debe llevar en sub el id (uuid) de un usuario de pae.usuarios."),
					 errhint("Obtenga un token nuevo con pae_api.login.")));
		d = DirectFunctionCall1(uuid_in, CStringGetDatum(sub));
		memcpy(&c->id, DatumGetUUIDP(d), sizeof(pg_uuid_t));
		c->hay = true;
		*id = c->id;
	}
	viejo = MemoryContextSwitchTo(TopTransactionContext);
	c->claims = pstrdup(claims);
	MemoryContextSwitchTo(viejo);
	c->lxid = MyProc->lxid;
	c->sesion = GetSessionUserId();
	return c->hay;
}

/*
 * What pae.usuarios says of a session (which person a database role is,
 * a person's role and whether they are active) is read once and cached.
 * The answers are keyed by a generation that goes up whenever pae.usuarios
 * may have changed: after every statement that writes it, in this backend
 * at once (pae.tg_usuarios_cambio) and in every other backend when that
 * transaction commits (the trigger sends a relcache invalidation of
 * pae.usuarios, which reaches every backend before its next transaction
 * or lock); and whenever a subtransaction aborts, so that a rolled-back
 * change never stays cached.  A person's role and state are also kept
 * across transactions (the PostgREST pattern: one request, one
 * transaction); the login mapping is kept for one transaction.
 */
static uint64 pae_usuarios_generacion = 0;
static bool pae_usuarios_callback = false;
static Oid	pae_usuarios_relid = InvalidOid;

static void
pae_usuarios_subxact(SubXactEvent event, SubTransactionId mySubid,
					 SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		pae_usuarios_generacion++;
}

static void
pae_usuarios_relcache(Datum arg, Oid relid)
{
	if (!OidIsValid(relid) || relid == pae_usuarios_relid)
		pae_usuarios_generacion++;
}

static void
pae_usuarios_cache_preparar(void)
{
	if (!pae_usuarios_callback)
	{
		RegisterSubXactCallback(pae_usuarios_subxact, NULL);
		CacheRegisterRelcacheCallback(pae_usuarios_relcache, (Datum) 0);
		pae_usuarios_callback = true;
	}
}

/* the person a database role is, per transaction */
typedef struct PaeLoginCache
{
	LocalTransactionId lxid;
	uint64		generacion;
	Oid			invocador;
	bool		hay;
	pg_uuid_t	id;
} PaeLoginCache;

static PaeLoginCache pae_login_cache = {InvalidLocalTransactionId};

/* a person's role and state */
typedef struct PaeFichaCache
{
	LocalTransactionId lxid;
	bool		entre_transacciones;	/* read with a fresh snapshot */
	uint64		generacion;
	pg_uuid_t	id;
	bool		identificado;
	char		rol[16];
	bool		activo;
} PaeFichaCache;

static PaeFichaCache pae_ficha_cache = {InvalidLocalTransactionId};

PG_FUNCTION_INFO_V1(pae_tg_usuarios_cambio);

/*
 * pae.tg_usuarios_cambio() RETURNS trigger
 *		AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ... FOR EACH STATEMENT
 *		on pae.usuarios: what this backend cached of the people is stale.
 */
Datum
pae_tg_usuarios_cambio(PG_FUNCTION_ARGS)
{
	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("pae.tg_usuarios_cambio solo puede usarse como disparador"),
				 errdetail("La función fue llamada fuera de un disparador."),
				 errhint("Úsela en CREATE TRIGGER ... AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ... FOR EACH STATEMENT.")));
	pae_usuarios_generacion++;
	/* and, once this transaction commits, in every other backend */
	CacheInvalidateRelcache(((TriggerData *) fcinfo->context)->tg_relation);
	return PointerGetDatum(NULL);
}

bool
pae_usuario_actual(Oid invocador, pg_uuid_t *id)
{
	bool		found = false;
	PaeUsuarioGuardado guardado;

	if (pae_actor_de_claims(id))
		return true;

	pae_usuarios_cache_preparar();
	if (pae_login_cache.lxid == MyProc->lxid &&
		pae_login_cache.generacion == pae_usuarios_generacion &&
		pae_login_cache.invocador == invocador)
	{
		if (pae_login_cache.hay)
			*id = pae_login_cache.id;
		return pae_login_cache.hay;
	}

	/*
	 * Fall back to the database role mapped to a person.  The lookup runs as
	 * the extension's owner: under the caller's row-level security the
	 * policy on pae.usuarios would call pae.usuario_actual() again.
	 */
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	pae_como_duenio(&guardado);
	{
		Oid			argtype = NAMEOID;
		SPIPlanPtr	plan = pae_plan(&pae_plan_por_login,
									"SELECT u.id FROM pae.usuarios u"
									" WHERE u.login_db OPERATOR(pg_catalog.=) $1",
									1, &argtype, true);
		Datum		arg = DirectFunctionCall1(namein,
											  CStringGetDatum(GetUserNameFromId(invocador, false)));

		pae_plan_ejecutar(plan, &arg, NULL, true, 1);
		if (SPI_processed == 1)
		{
			bool		isnull;
			Datum		d = SPI_getbinval(SPI_tuptable->vals[0],
										  SPI_tuptable->tupdesc, 1, &isnull);

			if (!isnull)
			{
				memcpy(id, DatumGetUUIDP(d), sizeof(pg_uuid_t));
				found = true;
			}
		}
	}
	pae_restaurar_usuario(&guardado);
	SPI_finish();

	pae_login_cache.lxid = MyProc->lxid;
	pae_login_cache.generacion = pae_usuarios_generacion;
	pae_login_cache.invocador = invocador;
	pae_login_cache.hay = found;
	if (found)
		pae_login_cache.id = *id;
	return found;
}

/*
 * A person's role and state from pae.usuarios, into actor and the cache.
 * The generation is read before the query takes its snapshot: a change
 * committed after that snapshot raises the generation past the one stored.
 * Under REPEATABLE READ or SERIALIZABLE the transaction's snapshot may be
 * older than the generation, so the answer is kept for this transaction
 * only.
 */
static void
pae_actor_ficha(PaeActor *actor)
{
	PaeUsuarioGuardado guardado;
	uint64		generacion = pae_usuarios_generacion;
	bool		entre_transacciones = !IsolationUsesXactSnapshot();

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	pae_como_duenio(&guardado);
	{
		Oid			argtype = UUIDOID;
		SPIPlanPtr	plan = pae_plan(&pae_plan_por_id,
									"SELECT u.rol, u.activo FROM pae.usuarios u"
									" WHERE u.id OPERATOR(pg_catalog.=) $1",
									1, &argtype, true);
		Datum		arg = UUIDPGetDatum(&actor->id);

		/* read-write SPI: a fresh snapshot, taken after the generation was read */
		pae_plan_ejecutar(plan, &arg, NULL, false, 1);
		if (SPI_processed == 1)
		{
			bool		isnull;
			char	   *rol = SPI_getvalue(SPI_tuptable->vals[0],
										   SPI_tuptable->tupdesc, 1);

			actor->identificado = true;
			strlcpy(actor->rol, rol ? rol : "", sizeof(actor->rol));
			actor->activo = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
													   SPI_tuptable->tupdesc,
													   2, &isnull)) && !isnull;
		}
	}
	pae_restaurar_usuario(&guardado);
	SPI_finish();

	if (!OidIsValid(pae_usuarios_relid))
		pae_usuarios_relid = get_relname_relid("usuarios", get_namespace_oid("pae", false));
	pae_ficha_cache.lxid = MyProc->lxid;
	pae_ficha_cache.entre_transacciones = entre_transacciones;
	pae_ficha_cache.generacion = generacion;
	pae_ficha_cache.id = actor->id;
	pae_ficha_cache.identificado = actor->identificado;
	strlcpy(pae_ficha_cache.rol, actor->rol, sizeof(pae_ficha_cache.rol));
	pae_ficha_cache.activo = actor->activo;
}

/* superuser, a pae_admin member or the extension's owner: maintenance allowed */
static bool
pae_rol_privilegiado(Oid invocador)
{
	Oid			admin = get_role_oid("pae_admin", true);

	return superuser_arg(invocador) ||
		(OidIsValid(admin) && has_privs_of_role(invocador, admin)) ||
		has_privs_of_role(invocador, pae_duenio_extension());
}

/*
 * pae_actor_obtener
 *		Everything the rules need to know about who is acting.
 */
void
pae_actor_obtener(Oid invocador, PaeActor *actor)
{
	memset(actor, 0, sizeof(PaeActor));
	actor->privilegiado = pae_rol_privilegiado(invocador);

	if (!pae_usuario_actual(invocador, &actor->id))
		return;

	pae_usuarios_cache_preparar();
	if ((pae_ficha_cache.entre_transacciones || pae_ficha_cache.lxid == MyProc->lxid) &&
		pae_ficha_cache.generacion == pae_usuarios_generacion &&
		memcmp(&pae_ficha_cache.id, &actor->id, sizeof(pg_uuid_t)) == 0)
	{
		actor->identificado = pae_ficha_cache.identificado;
		strlcpy(actor->rol, pae_ficha_cache.rol, sizeof(actor->rol));
		actor->activo = pae_ficha_cache.activo;
	}
	else
		pae_actor_ficha(actor);


	if (!actor->identificado)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("usuario desconocido: %s",
						DatumGetCString(DirectFunctionCall1(uuid_out,
															UUIDPGetDatum(&actor->id)))),
				 errdetail("La sesión se identifica como un usuario que no existe en pae.usuarios."),
				 errhint("Obtenga un token nuevo con pae_api.login o pida a un administrador que cree el usuario.")));
	if (!actor->activo)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("el usuario %s está inactivo",
						DatumGetCString(DirectFunctionCall1(uuid_out,
															UUIDPGetDatum(&actor->id)))),
				 errdetail("Los usuarios con activo = false no pueden actuar en el sistema."),
				 errhint("Pida a un administrador que reactive el usuario.")));
}

/*
 * pae.usuario_actual() RETURNS uuid
 */
Datum
pae_usuario_actual_sql(PG_FUNCTION_ARGS)
{
	pg_uuid_t  *id = palloc(sizeof(pg_uuid_t));

	if (!pae_usuario_actual(GetUserId(), id))
		PG_RETURN_NULL();
	PG_RETURN_UUID_P(id);
}

/*
 * pae_sesion_privilegiada_anonima
 *		A superuser, the extension's owner or a pae_admin member, with no
 *		identified person: maintenance and history loads.
 */
bool
pae_sesion_privilegiada_anonima(Oid invocador)
{
	pg_uuid_t	id;

	if (!pae_rol_privilegiado(invocador))
		return false;
	return !pae_usuario_actual(invocador, &id);
}
