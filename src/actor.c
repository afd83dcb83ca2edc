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

#include "cache.h"
#include "disparadores.h"
#include "pae_cauca.h"

PG_FUNCTION_INFO_V1(pae_usuario_actual_sql);

/* prepared once per backend (see spi_plan.c) */
static SPIPlanPtr pae_plan_por_login = NULL;
static SPIPlanPtr pae_plan_por_id = NULL;
static SPIPlanPtr pae_plan_a_cargo = NULL;

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
 * A request asks who is acting several times (RLS policies, the visit and
 * audit triggers); parsing the claims JSON each time showed in profiles.
 * The answer from the claims is a per-transaction memo (cache.h), keyed
 * also by everything it depends on (session user, claims text).  It is
 * stored only once complete: a malformed sub raises before anything is
 * stored, and a savepoint rolled back over it leaves no memo behind.
 */
typedef struct PaeClaimsCache
{
	PaeSello	sello;
	Oid			sesion;
	char	   *claims;			/* in TopTransactionContext */
	bool		hay;
	pg_uuid_t	id;
} PaeClaimsCache;

static PaeClaimsCache pae_claims_cache = {{0}};

/* the actor from trusted JWT claims; false when the claims name nobody */
static bool
pae_actor_de_claims(pg_uuid_t *id)
{
	const char *claims = GetConfigOption("request.jwt.claims", true, false);
	PaeClaimsCache *c = &pae_claims_cache;
	uint64		generacion;
	MemoryContext viejo;
	char	   *sub;
	bool		hay = false;
	pg_uuid_t	leido;
	char	   *copia;

	if (claims == NULL || claims[0] == '\0')
		return false;
	if (pae_sello_vigente(&c->sello) && c->sesion == GetSessionUserId() &&
		c->claims != NULL && strcmp(c->claims, claims) == 0)
	{
		if (c->hay)
			*id = c->id;
		return c->hay;
	}
	if (!pae_claims_confiables())
		return false;

	generacion = pae_cache_generacion();
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
		memcpy(&leido, DatumGetUUIDP(d), sizeof(pg_uuid_t));
		hay = true;
	}
	viejo = MemoryContextSwitchTo(TopTransactionContext);
	copia = pstrdup(claims);
	MemoryContextSwitchTo(viejo);

	/* complete: store it, then stamp it */
	c->claims = copia;
	c->sesion = GetSessionUserId();
	c->hay = hay;
	if (hay)
	{
		c->id = leido;
		*id = leido;
	}
	pae_sello_poner(&c->sello, generacion);
	return hay;
}

/*
 * What pae.usuarios says of a session (which person a database role is,
 * a person's role and whether they are active) is read once and cached
 * under the rules of cache.h: pae.tg_usuarios_cambio bumps the generation
 * in this backend after every statement that writes the table and sends a
 * relcache invalidation of pae.usuarios, which reaches every other backend
 * before its next transaction or lock once the writer commits.  A person's
 * role and state are also kept across transactions (the PostgREST
 * pattern: one request, one transaction); the login mapping is kept for
 * one transaction.
 */

/* the person a database role is, per transaction */
typedef struct PaeLoginCache
{
	PaeSello	sello;
	Oid			invocador;
	bool		hay;
	pg_uuid_t	id;
} PaeLoginCache;

static PaeLoginCache pae_login_cache = {{0}};

/* a person's role and state */
typedef struct PaeFichaCache
{
	PaeSello	sello;
	bool		entre_transacciones;	/* read with a fresh snapshot */
	pg_uuid_t	id;
	bool		identificado;
	char		rol[16];
	bool		activo;
} PaeFichaCache;

static PaeFichaCache pae_ficha_cache = {{0}};

PG_FUNCTION_INFO_V1(pae_tg_usuarios_cambio);

/*
 * pae.tg_usuarios_cambio() RETURNS trigger
 *		AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ... FOR EACH STATEMENT
 *		on pae.usuarios: what this backend cached of the people is stale.
 */
Datum
pae_tg_usuarios_cambio(PG_FUNCTION_ARGS)
{
	pae_tg_exigir_protocolo(fcinfo, "pae.tg_usuarios_cambio",
							PAE_TG_DESPUES | PAE_TG_SENTENCIA | PAE_TG_INSERT |
							PAE_TG_UPDATE | PAE_TG_DELETE | PAE_TG_TRUNCATE,
							"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON pae.usuarios FOR EACH STATEMENT");
	if (!pae_rel_es_tabla(((TriggerData *) fcinfo->context)->tg_relation, "usuarios"))
		pae_tg_rechazar_tabla("pae.tg_usuarios_cambio",
							  ((TriggerData *) fcinfo->context)->tg_relation, "pae.usuarios");
	pae_cache_invalidar();
	/* and, once this transaction commits, in every other backend */
	CacheInvalidateRelcache(((TriggerData *) fcinfo->context)->tg_relation);
	return PointerGetDatum(NULL);
}

bool
pae_usuario_actual(Oid invocador, pg_uuid_t *id)
{
	bool		found = false;
	PaeUsuarioGuardado guardado;
	uint64		generacion;
	pg_uuid_t	leido;

	if (pae_actor_de_claims(id))
		return true;

	if (pae_sello_vigente(&pae_login_cache.sello) &&
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
	(void) pae_cache_usuarios_relid();
	generacion = pae_cache_generacion();
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
				memcpy(&leido, DatumGetUUIDP(d), sizeof(pg_uuid_t));
				found = true;
			}
		}
	}
	pae_restaurar_usuario(&guardado);
	SPI_finish();

	pae_login_cache.invocador = invocador;
	pae_login_cache.hay = found;
	if (found)
	{
		pae_login_cache.id = leido;
		*id = leido;
	}
	pae_sello_poner(&pae_login_cache.sello, generacion);
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
	uint64		generacion;
	bool		entre_transacciones = !IsolationUsesXactSnapshot();

	/* the table watched (cache.h, rule 3) is known before the read */
	(void) pae_cache_usuarios_relid();
	generacion = pae_cache_generacion();
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

	pae_ficha_cache.entre_transacciones = entre_transacciones;
	pae_ficha_cache.id = actor->id;
	pae_ficha_cache.identificado = actor->identificado;
	strlcpy(pae_ficha_cache.rol, actor->rol, sizeof(pae_ficha_cache.rol));
	pae_ficha_cache.activo = actor->activo;
	pae_sello_poner(&pae_ficha_cache.sello, generacion);
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
 * pae_actor_consultar
 *		Everything the rules need to know about who is acting, without
 *		judging it (RLS policies must answer, not raise, for an inactive
 *		person).
 */
void
pae_actor_consultar(Oid invocador, PaeActor *actor)
{
	memset(actor, 0, sizeof(PaeActor));
	actor->privilegiado = pae_rol_privilegiado(invocador);

	if (!pae_usuario_actual(invocador, &actor->id))
		return;

	if ((pae_ficha_cache.entre_transacciones ?
		 pae_sello_vigente_siempre(&pae_ficha_cache.sello) :
		 pae_sello_vigente(&pae_ficha_cache.sello)) &&
		memcmp(&pae_ficha_cache.id, &actor->id, sizeof(pg_uuid_t)) == 0)
	{
		actor->identificado = pae_ficha_cache.identificado;
		strlcpy(actor->rol, pae_ficha_cache.rol, sizeof(actor->rol));
		actor->activo = pae_ficha_cache.activo;
	}
	else
		pae_actor_ficha(actor);
	actor->nombrado = true;
}

/*
 * pae_actor_obtener
 *		The actor, with 42501 for a session naming a person who is unknown
 *		or inactive: such a session is denied, never "nobody".
 */
void
pae_actor_obtener(Oid invocador, PaeActor *actor)
{
	pae_actor_consultar(invocador, actor);
	if (!actor->nombrado)
		return;
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
 * pae_actor_exigir
 *		The one rule "no identity, 42501" (SPEC §5): the actor must be an
 *		identified, active person, unless the session is nobody and its
 *		role is privileged (a superuser, the extension's owner or a
 *		pae_admin member, audited by database role).  "accion" completes
 *		the message: "sesión sin usuario identificado no puede <accion>".
 */
void
pae_actor_exigir(Oid invocador, PaeActor *actor, const char *accion)
{
	pae_actor_obtener(invocador, actor);
	if (!actor->identificado && !actor->privilegiado)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("sesión sin usuario identificado no puede %s", accion),
				 errdetail("La sesión no trae un JWT de confianza ni su rol \"%s\" está asociado a una persona en pae.usuarios.login_db.",
						   GetUserNameFromId(invocador, false)),
				 errhint("Inicie sesión con pae_api.login, o asocie el rol a una persona (pae.usuarios.login_db).")));
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

/* is the municipio in this person's charge (pae.usuario_municipios)? */
bool
pae_municipio_a_cargo(const pg_uuid_t *persona, const char *municipio)
{
	static const Oid argtypes[2] = {UUIDOID, TEXTOID};
	Datum		args[2];

	args[0] = UUIDPGetDatum(persona);
	args[1] = CStringGetTextDatum(municipio);
	pae_plan_ejecutar(pae_plan(&pae_plan_a_cargo,
							   "SELECT 1 FROM pae.usuario_municipios um"
							   " WHERE um.usuario OPERATOR(pg_catalog.=) $1"
							   "   AND um.municipio OPERATOR(pg_catalog.=) $2::pg_catalog.bpchar",
							   2, argtypes, true),
					  args, NULL, true, 1);
	return SPI_processed > 0;
}
