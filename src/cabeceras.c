/*-------------------------------------------------------------------------
 *
 * cabeceras.c
 *	  The JSON callbacks that read request.headers (see cabeceras.h).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"

#include "cabeceras.h"
#include "reglas.h"

/* objects and arrays both nest: only the keys of the top-level object count */
static void
pae_cabeceras_entrar(void *state)
{
	((PaeCabeceras *) state)->nivel++;
}

static void
pae_cabeceras_salir(void *state)
{
	((PaeCabeceras *) state)->nivel--;
}

static void
pae_cabeceras_escalar(void *state, char *token, JsonTokenType tipo)
{
	PaeCabeceras *c = (PaeCabeceras *) state;
	JsonbValue	k;
	JsonbValue	v;
	int			len;

	if (c->nivel != 1 || !c->guardar || token == NULL || tipo != JSON_TOKEN_STRING)
		return;
	c->guardar = false;
	len = strlen(token);
	if (len > PAE_CABECERA_VALOR_MAX)
		len = pg_mbcliplen(token, len, PAE_CABECERA_VALOR_MAX);
	k.type = jbvString;
	k.val.string.val = c->clave;
	k.val.string.len = strlen(c->clave);
	v.type = jbvString;
	v.val.string.val = token;
	v.val.string.len = len;
	pushJsonbValue(&c->st, WJB_KEY, &k);
	pushJsonbValue(&c->st, WJB_VALUE, &v);
	c->n++;
}

void
pae_cabeceras_sem(JsonSemAction *sem, PaeCabeceras *c, json_ofield_action campo)
{
	memset(sem, 0, sizeof(JsonSemAction));
	sem->semstate = c;
	sem->object_start = pae_cabeceras_entrar;
	sem->object_end = pae_cabeceras_salir;
	sem->array_start = pae_cabeceras_entrar;
	sem->array_end = pae_cabeceras_salir;
	sem->object_field_start = campo;
	sem->scalar = pae_cabeceras_escalar;
}
