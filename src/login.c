/*-------------------------------------------------------------------------
 *
 * login.c
 *	  The SQL face of PostgREST access (SPEC §10): signing the JWT that
 *	  pae_api.login returns, the constant-time comparison the password
 *	  check uses, and the request headers pae.db_pre_request keeps.
 *
 * None of these functions is for clients: pae_api.login and
 * pae.db_pre_request (SECURITY DEFINER, extension owner) call them.
 * The crypto itself is in jwt.c, free of fmgr.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/jsonapi.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "cabeceras.h"
#include "jwt.h"
#include "pae_cauca.h"

PG_FUNCTION_INFO_V1(pae_jwt_firmar);
PG_FUNCTION_INFO_V1(pae_iguales_constante_sql);
PG_FUNCTION_INFO_V1(pae_cabeceras_acotadas);
PG_FUNCTION_INFO_V1(pae_claims_confiables_sql);

/*
 * pae.jwt_firmar(claims jsonb, secreto bytea) RETURNS text
 *		header.payload.signature, HS256, base64url without padding.  A
 *		secret shorter than PAE_JWT_SECRETO_MIN bytes is refused (22023):
 *		PostgREST refuses it too, and a short one can be guessed offline
 *		from any token.
 */
Datum
pae_jwt_firmar(PG_FUNCTION_ARGS)
{
	Jsonb	   *claims;
	bytea	   *secreto;
	char	   *payload;
	size_t		cab_len = strlen(PAE_JWT_CABECERA);
	size_t		pay_len;
	size_t		total;
	char	   *token;
	size_t		o;
	uint8		firma[PAE_JWT_FIRMA_LEN];

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("no se puede firmar un token sin claims o sin secreto"),
				 errdetail("pae.jwt_firmar recibió NULL."),
				 errhint("Fije el secreto con pae.fijar_secreto_jwt.")));
	claims = PG_GETARG_JSONB_P(0);
	secreto = PG_GETARG_BYTEA_PP(1);
	if (!JB_ROOT_IS_OBJECT(claims) || JB_ROOT_IS_SCALAR(claims))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("los claims de un token deben ser un objeto JSON"),
				 errdetail("pae.jwt_firmar recibió un arreglo o un escalar."),
				 errhint("Pase un objeto como {\"sub\": ..., \"role\": ...}.")));
	if (VARSIZE_ANY_EXHDR(secreto) < PAE_JWT_SECRETO_MIN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("el secreto JWT es demasiado corto: %zu bytes",
						(size_t) VARSIZE_ANY_EXHDR(secreto)),
				 errdetail("Un secreto HS256 debe tener al menos %d bytes.", PAE_JWT_SECRETO_MIN),
				 errhint("Fije un secreto largo y aleatorio con pae.fijar_secreto_jwt (el mismo jwt-secret de PostgREST).")));

	payload = JsonbToCString(NULL, &claims->root, VARSIZE(claims));
	pay_len = strlen(payload);
	total = PAE_B64URL_LEN(cab_len) + 1 + PAE_B64URL_LEN(pay_len) + 1 +
		PAE_B64URL_LEN(PAE_JWT_FIRMA_LEN);
	token = palloc(total + 1);
	o = pae_b64url_codificar((const uint8 *) PAE_JWT_CABECERA, cab_len, token);
	token[o++] = '.';
	o += pae_b64url_codificar((const uint8 *) payload, pay_len, token + o);
	if (!pae_hmac_sha256((const uint8 *) VARDATA_ANY(secreto), VARSIZE_ANY_EXHDR(secreto),
						 (const uint8 *) token, o, firma))
		elog(ERROR, "could not compute HMAC-SHA256");
	token[o++] = '.';
	o += pae_b64url_codificar(firma, PAE_JWT_FIRMA_LEN, token + o);
	Assert(o == total);
	token[o] = '\0';
	explicit_bzero(firma, sizeof(firma));
	PG_RETURN_TEXT_P(cstring_to_text_with_len(token, o));
}

/*
 * pae.iguales_tiempo_constante(a text, b text) RETURNS boolean
 *		a = b, in a time that does not tell where they differ.
 */
Datum
pae_iguales_constante_sql(PG_FUNCTION_ARGS)
{
	text	   *a = PG_GETARG_TEXT_PP(0);
	text	   *b = PG_GETARG_TEXT_PP(1);

	PG_RETURN_BOOL(pae_iguales_constante((const uint8 *) VARDATA_ANY(a), VARSIZE_ANY_EXHDR(a),
										 (const uint8 *) VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b)));
}

/*
 * pae.claims_confiables() RETURNS boolean
 *		Whether this session's request.jwt.claims are believed (actor.c).
 */
Datum
pae_claims_confiables_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(pae_claims_confiables());
}

/* ---------------------------------------------------------------------
 * Request headers kept for the rest of the request
 * ---------------------------------------------------------------------
 */

/* never kept: they carry credentials */
static const char *const pae_cabeceras_secretas[] = {
	"authorization", "cookie", "proxy-authorization", NULL
};

static void
pae_acotar_campo(void *state, char *fname, bool isnull)
{
	PaeCabeceras *c = (PaeCabeceras *) state;
	int			i;

	if (c->nivel != 1)
		return;
	c->guardar = fname != NULL && strlen(fname) <= PAE_CABECERA_VALOR_MAX &&
		c->n < PAE_CABECERAS_MAX;
	for (i = 0; c->guardar && pae_cabeceras_secretas[i] != NULL; i++)
		if (pg_strcasecmp(fname, pae_cabeceras_secretas[i]) == 0)
			c->guardar = false;
	c->clave = c->guardar ? fname : NULL;
}

/*
 * pae.cabeceras_acotadas(cabeceras text) RETURNS text
 *		The request.headers PostgREST set, as the rest of the request (the
 *		audit trail, any function reading them) should see them: string
 *		headers only, never Authorization, Cookie or Proxy-Authorization,
 *		at most PAE_CABECERAS_MAX of them, each value cut to
 *		PAE_CABECERA_VALOR_MAX bytes (on a character boundary).  NULL,
 *		empty or malformed text gives '{}'.
 */
Datum
pae_cabeceras_acotadas(PG_FUNCTION_ARGS)
{
	char	   *fuente;
	PaeCabeceras c;
	JsonSemAction sem;
	JsonLexContext *lex;
	JsonbValue *res;
	Jsonb	   *jb;

	if (PG_ARGISNULL(0))
		PG_RETURN_TEXT_P(cstring_to_text("{}"));
	fuente = text_to_cstring(PG_GETARG_TEXT_PP(0));
	memset(&c, 0, sizeof(c));
	pae_cabeceras_sem(&sem, &c, pae_acotar_campo);
	pushJsonbValue(&c.st, WJB_BEGIN_OBJECT, NULL);
	lex = makeJsonLexContextCstringLen(fuente, strlen(fuente), GetDatabaseEncoding(), true);
	if (fuente[0] == '\0' || pg_parse_json(lex, &sem) != JSON_SUCCESS || c.nivel != 0)
		PG_RETURN_TEXT_P(cstring_to_text("{}"));
	res = pushJsonbValue(&c.st, WJB_END_OBJECT, NULL);
	jb = JsonbValueToJsonb(res);
	PG_RETURN_TEXT_P(cstring_to_text(JsonbToCString(NULL, &jb->root, VARSIZE(jb))));
}
