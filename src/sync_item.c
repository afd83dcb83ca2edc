/*-------------------------------------------------------------------------
 *
 * sync_item.c
 *	  Decoding one item of a pae_api.sincronizar batch (SPEC §8) into a
 *	  PaeSyncItem: the shape of the protocol, nothing of the visit rules.
 *
 * Pure: walks the jsonb with the jsonb API, parses numbers, uuids and
 * times itself, never calls through fmgr and never raises an error for a
 * malformed input -- it returns a message instead -- so that it can be
 * driven by a fuzzer without a backend's error machinery.  What a value
 * means (a known sede, a valid coordinate, a time not in the future, a
 * checklist code that exists) is judged later by the triggers of the
 * tables the sync writes, never here.
 *
 * Strict shape: every key is known, every value has its JSON type (a
 * number is a JSON number, not a string holding one), times carry their
 * UTC offset, uuids are in their canonical 8-4-4-4-12 form.  Unknown keys
 * are refused rather than ignored, so that nothing a device sends is
 * silently dropped and nothing unbounded is stored in the item's hash.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "utils/datetime.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "sync.h"

const char *const pae_sync_estados[] = {
	"programada", "en_curso", "cerrada", "aprobada", "devuelta", "cancelada"
};

/* a uuid in its canonical text form */
static char *
uuid_texto(const pg_uuid_t *u)
{
	static const char hex[] = "0123456789abcdef";
	char	   *s = palloc(37);
	int			i,
				j = 0;

	for (i = 0; i < UUID_LEN; i++)
	{
		if (i == 4 || i == 6 || i == 8 || i == 10)
			s[j++] = '-';
		s[j++] = hex[u->data[i] >> 4];
		s[j++] = hex[u->data[i] & 0x0f];
	}
	s[j] = '\0';
	return s;
}

/* a failed decode: the message (which field, what was wrong) */
static char *
mal(const char *campo, const char *que)
{
	return psprintf("\"%s\" %s", campo, que);
}

static const char *
tipo_json(const JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			return "null";
		case jbvString:
			return "texto";
		case jbvNumeric:
			return "un número";
		case jbvBool:
			return "un booleano";
		case jbvBinary:
			return JsonContainerIsObject(v->val.binary.data) ? "un objeto" : "una lista";
		default:
			return "otro valor";
	}
}

static char *
tipo_errado(const char *campo, const char *esperado, const JsonbValue *v)
{
	return psprintf("\"%s\" debe ser %s; llegó %s", campo, esperado, tipo_json(v));
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool
pae_sync_uuid_leer(const char *s, int len, pg_uuid_t *out)
{
	int			i,
				j = 0;

	if (len != 36)
		return false;
	for (i = 0; i < 36;)
	{
		int			hi,
					lo;

		if (i == 8 || i == 13 || i == 18 || i == 23)
		{
			if (s[i] != '-')
				return false;
			i++;
			continue;
		}
		hi = hexval(s[i]);
		lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0 || i + 1 == 8 || i + 1 == 13 || i + 1 == 18 || i + 1 == 23)
			return false;
		out->data[j++] = (unsigned char) (hi << 4 | lo);
		i += 2;
	}
	return j == UUID_LEN;
}

static char *
leer_uuid(const char *campo, const JsonbValue *v, pg_uuid_t *out)
{
	if (v->type != jbvString)
		return tipo_errado(campo, "un uuid en texto", v);
	if (!pae_sync_uuid_leer(v->val.string.val, v->val.string.len, out))
		return mal(campo, "no es un uuid (forma xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
	return NULL;
}

/* a string, copied; NULL allowed when nullable (*out = NULL) */
static char *
leer_texto(const char *campo, const JsonbValue *v, bool nullable, char **out)
{
	*out = NULL;
	if (v->type == jbvNull && nullable)
		return NULL;
	if (v->type != jbvString)
		return tipo_errado(campo, nullable ? "texto o null" : "texto", v);
	*out = pnstrdup(v->val.string.val, v->val.string.len);
	return NULL;
}

static char *
leer_numero(const char *campo, const JsonbValue *v, bool nullable,
			bool *tiene, double *out)
{
	char	   *txt;
	char	   *fin;

	*tiene = false;
	if (v->type == jbvNull && nullable)
		return NULL;
	if (v->type != jbvNumeric)
		return tipo_errado(campo, nullable ? "un número o null" : "un número", v);
	txt = numeric_normalize(v->val.numeric);
	errno = 0;
	*out = strtod(txt, &fin);
	if (*fin != '\0' || errno == ERANGE || isnan(*out) || isinf(*out))
		return mal(campo, "está fuera del rango de un número de doble precisión");
	*tiene = true;
	return NULL;
}

static char *
leer_entero(const char *campo, const JsonbValue *v, bool nullable,
			int64 min, int64 max, bool *tiene, int64 *out)
{
	char	   *txt;
	char	   *fin;
	long long	n;

	*tiene = false;
	if (v->type == jbvNull && nullable)
		return NULL;
	if (v->type != jbvNumeric)
		return tipo_errado(campo, nullable ? "un entero o null" : "un entero", v);
	txt = numeric_normalize(v->val.numeric);
	if (strpbrk(txt, ".eE") != NULL)
		return mal(campo, "debe ser un número entero");
	errno = 0;
	n = strtoll(txt, &fin, 10);
	if (*fin != '\0' || errno == ERANGE || n < min || n > max)
		return psprintf("\"%s\" debe estar entre " INT64_FORMAT " y " INT64_FORMAT,
						campo, min, max);
	*out = (int64) n;
	*tiene = true;
	return NULL;
}

/* does the time text end with its UTC offset (Z, +hh, +hhmm, +hh:mm)? */
static bool
tiene_zona(const char *s, int len)
{
	int			sep = -1;
	int			p = -1;
	int			i;
	int			n;

	while (len > 0 && isspace((unsigned char) s[len - 1]))
		len--;
	if (len == 0)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] == 'T' || s[i] == 't' || s[i] == ' ')
		{
			sep = i;
			break;
		}
	if (sep < 0)
		return false;			/* a date alone has no offset */
	if (s[len - 1] == 'Z' || s[len - 1] == 'z')
		return true;
	for (i = len - 1; i > sep; i--)
		if (s[i] == '+' || s[i] == '-')
		{
			p = i;
			break;
		}
	if (p < 0)
		return false;
	n = len - p - 1;
	for (i = p + 1; i < len; i++)
		if (!isdigit((unsigned char) s[i]) && !(s[i] == ':' && i == p + 3))
			return false;
	return n == 2 || n == 4 || (n == 5 && s[p + 3] == ':');
}

/* an ISO 8601 time with its UTC offset, as timestamptz_in reads it */
static char *
leer_tiempo(const char *campo, const JsonbValue *v, bool nullable,
			bool *tiene, TimestampTz *out)
{
	char		buf[MAXDATELEN + 1];
	char		workbuf[MAXDATELEN + MAXDATEFIELDS];
	char	   *field[MAXDATEFIELDS];
	int			ftype[MAXDATEFIELDS];
	int			nf;
	int			dtype;
	struct pg_tm tt,
			   *tm = &tt;
	fsec_t		fsec;
	int			tz;
	int			len;

	*tiene = false;
	if (v->type == jbvNull && nullable)
		return NULL;
	if (v->type != jbvString)
		return tipo_errado(campo, nullable ? "una fecha y hora ISO 8601 o null" :
						   "una fecha y hora ISO 8601", v);
	len = v->val.string.len;
	if (len == 0 || len > MAXDATELEN)
		return mal(campo, "no es una fecha y hora ISO 8601");
	memcpy(buf, v->val.string.val, len);
	buf[len] = '\0';
	if (strlen(buf) != (size_t) len)
		return mal(campo, "no es una fecha y hora ISO 8601");
	if (!tiene_zona(buf, len))
		return mal(campo, "debe llevar su desfase de UTC (por ejemplo 2025-03-04T08:10:00-05:00 o ...Z)");
	if (ParseDateTime(buf, workbuf, sizeof(workbuf), field, ftype,
					  MAXDATEFIELDS, &nf) != 0 ||
		DecodeDateTime(field, ftype, nf, &dtype, tm, &fsec, &tz) != 0 ||
		dtype != DTK_DATE ||
		tm2timestamp(tm, fsec, &tz, out) != 0 ||
		!IS_VALID_TIMESTAMP(*out))
		return mal(campo, "no es una fecha y hora ISO 8601 válida");
	*tiene = true;
	return NULL;
}

/* the fields of an object, one callback per key (skipping nested values) */
typedef char *(*PaeCampoFn) (void *destino, const char *prefijo,
							 const char *clave, int len, JsonbValue *v);

static char *
recorrer_objeto(const char *campo, const JsonbValue *obj, void *destino,
				const char *prefijo, PaeCampoFn fn)
{
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	k,
				v;
	char	   *err = NULL;

	if (obj->type != jbvBinary || !JsonContainerIsObject(obj->val.binary.data))
		return tipo_errado(campo, "un objeto", obj);
	it = JsonbIteratorInit(obj->val.binary.data);
	tok = JsonbIteratorNext(&it, &k, true); /* WJB_BEGIN_OBJECT */
	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		if (tok != WJB_KEY)
			continue;			/* WJB_END_OBJECT */
		tok = JsonbIteratorNext(&it, &v, true);
		Assert(tok == WJB_VALUE);
		err = fn(destino, prefijo, k.val.string.val, k.val.string.len, &v);
		if (err != NULL)
			return err;			/* the iterator's memory goes with the item's */
	}
	return NULL;
}

static bool
es(const char *clave, int len, const char *nombre)
{
	return (int) strlen(nombre) == len && memcmp(clave, nombre, len) == 0;
}

static char *
desconocida(const char *prefijo, const char *clave, int len)
{
	return psprintf("clave desconocida \"%s%.*s\"", prefijo, len, clave);
}

#define CAMPO(nombre) psprintf("%s%s", prefijo, nombre)

static char *
campo_captura(void *destino, const char *prefijo, const char *clave, int len,
			  JsonbValue *v)
{
	PaeSyncCaptura *c = (PaeSyncCaptura *) destino;
	bool		tiene;

	if (es(clave, len, "lat"))
		return leer_numero(CAMPO("lat"), v, true, &c->tiene_lat, &c->lat);
	if (es(clave, len, "lon"))
		return leer_numero(CAMPO("lon"), v, true, &c->tiene_lon, &c->lon);
	if (es(clave, len, "precision_m"))
		return leer_numero(CAMPO("precision_m"), v, true, &c->tiene_precision, &c->precision_m);
	if (es(clave, len, "t"))
	{
		char	   *err = leer_tiempo(CAMPO("t"), v, false, &tiene, &c->t);

		return err;
	}
	return desconocida(prefijo, clave, len);
}

static char *
leer_captura(const char *campo, const JsonbValue *v, PaeSyncCaptura *c)
{
	char	   *err;
	JsonbValue	clave;
	JsonbValue *t;

	memset(c, 0, sizeof(*c));
	if (v->type == jbvNull)
		return NULL;
	err = recorrer_objeto(campo, v, c, psprintf("%s.", campo), campo_captura);
	if (err != NULL)
		return err;
	clave.type = jbvString;
	clave.val.string.val = "t";
	clave.val.string.len = 1;
	t = findJsonbValueFromContainer(v->val.binary.data, JB_FOBJECT, &clave);
	if (t == NULL)
		return psprintf("falta \"%s.t\", la hora del dispositivo", campo);
	c->presente = true;
	return NULL;
}

static char *
campo_respuesta(void *destino, const char *prefijo, const char *clave, int len,
				JsonbValue *v)
{
	PaeSyncRespuesta *r = (PaeSyncRespuesta *) destino;

	if (es(clave, len, "item"))
		return leer_texto(CAMPO("item"), v, false, &r->item);
	if (es(clave, len, "valor"))
		return leer_texto(CAMPO("valor"), v, false, &r->valor);
	if (es(clave, len, "observacion"))
		return leer_texto(CAMPO("observacion"), v, true, &r->observacion);
	return desconocida(prefijo, clave, len);
}

static char *
campo_evidencia(void *destino, const char *prefijo, const char *clave, int len,
				JsonbValue *v)
{
	PaeSyncEvidencia *e = (PaeSyncEvidencia *) destino;

	if (es(clave, len, "id"))
	{
		e->tiene_id = true;
		return leer_uuid(CAMPO("id"), v, &e->id);
	}
	if (es(clave, len, "tipo"))
		return leer_texto(CAMPO("tipo"), v, false, &e->tipo);
	if (es(clave, len, "sha256"))
		return leer_texto(CAMPO("sha256"), v, false, &e->sha256);
	if (es(clave, len, "bytes"))
		return leer_entero(CAMPO("bytes"), v, false, PG_INT64_MIN, PG_INT64_MAX,
						   &e->tiene_bytes, &e->bytes);
	if (es(clave, len, "mime"))
		return leer_texto(CAMPO("mime"), v, false, &e->mime);
	if (es(clave, len, "lat"))
		return leer_numero(CAMPO("lat"), v, true, &e->tiene_lat, &e->lat);
	if (es(clave, len, "lon"))
		return leer_numero(CAMPO("lon"), v, true, &e->tiene_lon, &e->lon);
	if (es(clave, len, "tomada_en"))
		return leer_tiempo(CAMPO("tomada_en"), v, true, &e->tiene_tomada, &e->tomada_en);
	if (es(clave, len, "uri"))
		return leer_texto(CAMPO("uri"), v, true, &e->uri);
	return desconocida(prefijo, clave, len);
}

/* a list of objects, each decoded by fn into elementos[i] */
static char *
leer_lista(const char *campo, const JsonbValue *v, int max, Size tam,
		   PaeCampoFn fn, int *n, void **elementos)
{
	JsonbContainer *c;
	int			i,
				total;

	*n = 0;
	*elementos = NULL;
	if (v->type == jbvNull)
		return NULL;
	if (v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data) ||
		JsonContainerIsScalar(v->val.binary.data))
		return tipo_errado(campo, "una lista", v);
	c = v->val.binary.data;
	total = JsonContainerSize(c);
	if (total > max)
		return psprintf("\"%s\" trae %d elementos; el máximo es %d", campo, total, max);
	if (total == 0)
		return NULL;
	*elementos = palloc0(tam * total);
	for (i = 0; i < total; i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(c, i);
		char	   *err;

		err = recorrer_objeto(psprintf("%s[%d]", campo, i), e,
							  (char *) *elementos + tam * i,
							  psprintf("%s[%d].", campo, i), fn);
		if (err != NULL)
			return err;
	}
	*n = total;
	return NULL;
}

/* the keys of the item: which were seen, for the required ones */
typedef struct PaeItemLectura
{
	PaeSyncItem *it;
	bool		vistos[8];
} PaeItemLectura;

enum
{
	VISTO_ID, VISTO_SEDE, VISTO_CONTRATO, VISTO_FECHA, VISTO_ESTADO
};

static char *
campo_item(void *destino, const char *prefijo, const char *clave, int len,
		   JsonbValue *v)
{
	PaeItemLectura *l = (PaeItemLectura *) destino;
	PaeSyncItem *it = l->it;
	bool		tiene;
	int64		n;
	char	   *err;
	char	   *txt;
	int			i;

	if (es(clave, len, "id"))
	{
		l->vistos[VISTO_ID] = true;
		return leer_uuid("id", v, &it->id);
	}
	if (es(clave, len, "version_base"))
	{
		err = leer_entero("version_base", v, true, 0, PG_INT32_MAX, &tiene, &n);
		it->version_base = tiene ? (int32) n : 0;
		return err;
	}
	if (es(clave, len, "sede"))
	{
		l->vistos[VISTO_SEDE] = true;
		return leer_texto("sede", v, false, &it->sede);
	}
	if (es(clave, len, "contrato"))
	{
		l->vistos[VISTO_CONTRATO] = true;
		return leer_texto("contrato", v, false, &it->contrato);
	}
	if (es(clave, len, "visitador"))
	{
		if (v->type == jbvNull)
			return NULL;
		it->tiene_visitador = true;
		return leer_uuid("visitador", v, &it->visitador);
	}
	if (es(clave, len, "fecha_visita"))
	{
		l->vistos[VISTO_FECHA] = true;
		return leer_tiempo("fecha_visita", v, false, &tiene, &it->fecha_visita);
	}
	if (es(clave, len, "estado"))
	{
		l->vistos[VISTO_ESTADO] = true;
		err = leer_texto("estado", v, false, &txt);
		if (err != NULL)
			return err;
		for (i = 0; i < (int) lengthof(pae_sync_estados); i++)
			if (strcmp(txt, pae_sync_estados[i]) == 0)
			{
				it->estado = (PaeSyncEstado) i;
				return NULL;
			}
		return psprintf("\"estado\" desconocido: \"%s\" (programada, en_curso, cerrada, aprobada, devuelta o cancelada)",
						txt);
	}
	if (es(clave, len, "checkin"))
		return leer_captura("checkin", v, &it->checkin);
	if (es(clave, len, "checkout"))
		return leer_captura("checkout", v, &it->checkout);
	if (es(clave, len, "raciones_programadas"))
	{
		err = leer_entero("raciones_programadas", v, true, PG_INT32_MIN, PG_INT32_MAX,
						  &it->tiene_raciones_programadas, &n);
		it->raciones_programadas = (int32) n;
		return err;
	}
	if (es(clave, len, "raciones_entregadas"))
	{
		it->trae_raciones_entregadas = true;
		err = leer_entero("raciones_entregadas", v, true, PG_INT32_MIN, PG_INT32_MAX,
						  &it->tiene_raciones_entregadas, &n);
		it->raciones_entregadas = (int32) n;
		return err;
	}
	if (es(clave, len, "observaciones"))
	{
		it->trae_observaciones = true;
		return leer_texto("observaciones", v, true, &it->observaciones);
	}
	if (es(clave, len, "respuestas"))
		return leer_lista("respuestas", v, PAE_SYNC_MAX_RESPUESTAS,
						  sizeof(PaeSyncRespuesta), campo_respuesta,
						  &it->nrespuestas, (void **) &it->respuestas);
	if (es(clave, len, "evidencias"))
		return leer_lista("evidencias", v, PAE_SYNC_MAX_EVIDENCIAS,
						  sizeof(PaeSyncEvidencia), campo_evidencia,
						  &it->nevidencias, (void **) &it->evidencias);
	return desconocida(prefijo, clave, len);
}

char *
pae_sync_decodificar(const JsonbValue *item, PaeSyncItem *out)
{
	PaeItemLectura l;
	JsonbValue	clave;
	JsonbValue *id;
	char	   *err;
	int			i,
				j;

	memset(out, 0, sizeof(*out));
	memset(&l, 0, sizeof(l));
	l.it = out;
	if (item->type != jbvBinary || !JsonContainerIsObject(item->val.binary.data))
		return tipo_errado("visita", "un objeto", item);

	/* the id first, so that a refusal can name the item */
	clave.type = jbvString;
	clave.val.string.val = "id";
	clave.val.string.len = 2;
	id = findJsonbValueFromContainer(item->val.binary.data, JB_FOBJECT, &clave);
	if (id != NULL && id->type == jbvString)
		out->id_texto = pnstrdup(id->val.string.val, Min(id->val.string.len, 64));

	err = recorrer_objeto("visita", item, &l, "", campo_item);
	if (err != NULL)
		return err;
	if (!l.vistos[VISTO_ID])
		return pstrdup("falta \"id\", el uuid de la visita generado por el dispositivo");
	if (!l.vistos[VISTO_SEDE])
		return pstrdup("falta \"sede\", el código DANE de la sede");
	if (!l.vistos[VISTO_CONTRATO])
		return pstrdup("falta \"contrato\"");
	if (!l.vistos[VISTO_FECHA])
		return pstrdup("falta \"fecha_visita\"");
	if (!l.vistos[VISTO_ESTADO])
		return pstrdup("falta \"estado\"");

	/* one answer per checklist item, one row per evidence id */
	for (i = 0; i < out->nrespuestas; i++)
	{
		if (out->respuestas[i].item == NULL || out->respuestas[i].valor == NULL)
			return psprintf("\"respuestas[%d]\" debe traer \"item\" y \"valor\"", i);
		for (j = 0; j < i; j++)
			if (strcmp(out->respuestas[i].item, out->respuestas[j].item) == 0)
				return psprintf("\"respuestas\" responde dos veces el ítem \"%s\"",
								out->respuestas[i].item);
	}
	for (i = 0; i < out->nevidencias; i++)
	{
		PaeSyncEvidencia *e = &out->evidencias[i];

		if (!e->tiene_id || !e->tiene_bytes || e->tipo == NULL ||
			e->sha256 == NULL || e->mime == NULL)
			return psprintf("\"evidencias[%d]\" debe traer \"id\", \"tipo\", \"sha256\", \"bytes\" y \"mime\"", i);
		for (j = 0; j < i; j++)
			if (memcmp(&e->id, &out->evidencias[j].id, sizeof(pg_uuid_t)) == 0)
				return psprintf("\"evidencias\" trae dos veces la evidencia %s",
								uuid_texto(&e->id));
	}
	return NULL;
}
