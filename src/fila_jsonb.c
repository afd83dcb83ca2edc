/*-------------------------------------------------------------------------
 *
 * fila_jsonb.c
 *	  A table row, or some of its columns, as the jsonb object to_jsonb()
 *	  would make of it: the "antes", "despues" and "pk" of the audit trail.
 *
 * to_jsonb(record) looks up, for every column of every row, the column's
 * type category, its output function and whether a cast to json exists,
 * and then sorts the keys.  The audit trigger converts a row per write, so
 * this module works that out once per relation: a per-backend cache keyed
 * by relation oid holds each column's conversion (with its output function
 * already looked up) in jsonb key order, so a row becomes a jsonb object
 * without catalog lookups and without sorting.  The cache is rebuilt when
 * the relation changes (relcache invalidation) or a cast is created or
 * dropped (to_jsonb honours casts to json of user types), under the rules
 * of cache.h: an entry is valid only once its build completed.
 *
 * The values are those of to_jsonb, with one deliberate difference:
 * floating-point columns are written with the shortest digits that read
 * back exactly, whatever extra_float_digits says (to_jsonb rounds them
 * when extra_float_digits <= 0).  The trail must not depend on session
 * settings.  Columns whose name looks like a secret (pae_clave_sensible)
 * are never written.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "fmgr.h"
#include "nodes/makefuncs.h"
#include "parser/parse_coerce.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "cache.h"
#include "fila_jsonb.h"

/* how a column becomes a jsonb value (to_jsonb's categories) */
typedef enum PaeConversion
{
	PAE_CONV_BOOL,				/* true / false */
	PAE_CONV_ENTERO,			/* int2, int4, int8: a number */
	PAE_CONV_FLOAT4,			/* a number, or "NaN" / "Infinity" */
	PAE_CONV_FLOAT8,
	PAE_CONV_NUMERIC,
	PAE_CONV_FECHA,				/* date and timestamps: ISO 8601 string */
	PAE_CONV_TEXTO,				/* text, varchar, char(n): the string */
	PAE_CONV_JSONB,				/* jsonb: nested as is */
	PAE_CONV_SALIDA,			/* other scalars: the output function's text */
	PAE_CONV_TO_JSONB			/* arrays, composites, json, casts: to_jsonb */
} PaeConversion;

typedef struct PaeColumna
{
	AttrNumber	attnum;
	char	   *nombre;
	int			len;
	Oid			tipo;			/* the base type (domains looked through) */
	PaeConversion conv;
	FmgrInfo	fn;				/* output function, or to_jsonb */
} PaeColumna;

typedef struct PaeForma
{
	Oid			relid;			/* hash key */
	bool		valida;
	MemoryContext cxt;			/* holds cols and everything they point to */
	int			ncols;
	PaeColumna *cols;			/* in jsonb key order, no secret columns */
	Bitmapset  *clave;			/* attnums of the row's key (see below) */
} PaeForma;

/* per backend; entries are invalidated, never removed (a few KB each) */
static HTAB *pae_formas = NULL;

/* ---------------------------------------------------------------------
 * Secrets
 * ---------------------------------------------------------------------
 */

/* passwords and tokens never enter the trail */
bool
pae_clave_sensible(const char *k, int len)
{
	char		buf[NAMEDATALEN * 2];
	int			i;

	if (len >= (int) sizeof(buf))
		len = sizeof(buf) - 1;
	for (i = 0; i < len; i++)
		buf[i] = pg_ascii_tolower((unsigned char) k[i]);
	buf[len] = '\0';
	return strstr(buf, "clave") != NULL || strstr(buf, "token") != NULL ||
		strstr(buf, "password") != NULL || strstr(buf, "contrasena") != NULL ||
		strstr(buf, "secret") != NULL;
}

/* ---------------------------------------------------------------------
 * The cache
 * ---------------------------------------------------------------------
 */

/* told by cache.c of relcache invalidations and pg_cast changes (cache.h) */
static void
pae_formas_inval_rel(Oid relid)
{
	HASH_SEQ_STATUS s;
	PaeForma   *f;

	if (pae_formas == NULL)
		return;
	if (OidIsValid(relid))
	{
		f = hash_search(pae_formas, &relid, HASH_FIND, NULL);
		if (f != NULL)
			f->valida = false;
		return;
	}
	hash_seq_init(&s, pae_formas);
	while ((f = hash_seq_search(&s)) != NULL)
		f->valida = false;
}

/* jsonb orders object keys by length, then bytes */
static int
pae_columna_cmp(const void *a, const void *b)
{
	const PaeColumna *x = (const PaeColumna *) a;
	const PaeColumna *y = (const PaeColumna *) b;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->nombre, y->nombre, x->len);
}

/* to_jsonb's category of a column type, with what its conversion needs */
static void
pae_columna_preparar(PaeColumna *c, Form_pg_attribute a, MemoryContext cxt)
{
	Oid			base = getBaseType(a->atttypid);
	Oid			salida;
	Oid			castfunc;
	bool		varlena;

	c->tipo = base;
	switch (base)
	{
		case BOOLOID:
			c->conv = PAE_CONV_BOOL;
			return;
		case INT2OID:
		case INT4OID:
		case INT8OID:
			c->conv = PAE_CONV_ENTERO;
			return;
		case FLOAT4OID:
			c->conv = PAE_CONV_FLOAT4;
			return;
		case FLOAT8OID:
			c->conv = PAE_CONV_FLOAT8;
			return;
		case NUMERICOID:
			c->conv = PAE_CONV_NUMERIC;
			fmgr_info_cxt(F_NUMERIC_OUT, &c->fn, cxt);
			return;
		case DATEOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			c->conv = PAE_CONV_FECHA;
			return;
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
			c->conv = PAE_CONV_TEXTO;
			return;
		case JSONBOID:
			c->conv = PAE_CONV_JSONB;
			return;
		default:
			break;
	}
	if (base == JSONOID || OidIsValid(get_element_type(base)) || type_is_rowtype(base) ||
		(base >= FirstNormalObjectId &&
		 find_coercion_pathway(JSONOID, base, COERCION_EXPLICIT, &castfunc) == COERCION_PATH_FUNC))
	{
		MemoryContext viejo = MemoryContextSwitchTo(cxt);

		c->conv = PAE_CONV_TO_JSONB;
		fmgr_info_cxt(F_TO_JSONB, &c->fn, cxt);
		/* to_jsonb(anyelement) learns the argument's type from its expression */
		c->fn.fn_expr = (Node *) makeFuncExpr(F_TO_JSONB, JSONBOID,
											  list_make1(makeNullConst(a->atttypid, a->atttypmod,
																	   a->attcollation)),
											  InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
		MemoryContextSwitchTo(viejo);
		return;
	}
	c->conv = PAE_CONV_SALIDA;
	getTypeOutputInfo(base, &salida, &varlena);
	fmgr_info_cxt(salida, &c->fn, cxt);
}

/* (re)build the columns of a relation into a fresh context */
static void
pae_forma_construir(PaeForma *f, Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	MemoryContext cxt = AllocSetContextCreate(CacheMemoryContext, "pae fila_jsonb",
											  ALLOCSET_SMALL_SIZES);
	PaeColumna *cols = MemoryContextAllocZero(cxt, sizeof(PaeColumna) * Max(desc->natts, 1));
	int			n = 0;
	int			i;
	Bitmapset  *clave_rel;
	Bitmapset  *clave = NULL;
	int			x = -1;
	MemoryContext viejo;

	MemoryContextCopyAndSetIdentifier(cxt, RelationGetRelationName(rel));
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);
		const char *nombre = NameStr(a->attname);

		if (a->attisdropped || pae_clave_sensible(nombre, strlen(nombre)))
			continue;
		cols[n].attnum = a->attnum;
		cols[n].nombre = MemoryContextStrdup(cxt, nombre);
		cols[n].len = strlen(nombre);
		pae_columna_preparar(&cols[n], a, cxt);
		n++;
	}
	qsort(cols, n, sizeof(PaeColumna), pae_columna_cmp);

	/*
	 * The row's key: its primary key, or its replica identity (partitions of
	 * pae.visitas have no primary key of their own: their unique id index is
	 * their replica identity, see pae.indexar_particion).  The relcache's
	 * bitmaps are offset by FirstLowInvalidHeapAttributeNumber.
	 */
	clave_rel = RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_PRIMARY_KEY);
	if (clave_rel == NULL)
		clave_rel = RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_IDENTITY_KEY);
	viejo = MemoryContextSwitchTo(cxt);
	while ((x = bms_next_member(clave_rel, x)) >= 0)
		clave = bms_add_member(clave, x + FirstLowInvalidHeapAttributeNumber);
	MemoryContextSwitchTo(viejo);

	/*
	 * The previous columns may still be in use further up the stack (a cast
	 * function run by to_jsonb can write another audited row): they live on
	 * until the end of the transaction instead of going at once.
	 */
	if (f->cxt != NULL)
	{
		if (IsTransactionState())
			MemoryContextSetParent(f->cxt, TopTransactionContext);
		else
			MemoryContextDelete(f->cxt);
	}
	f->cxt = cxt;
	f->cols = cols;
	f->ncols = n;
	f->clave = clave;
}

static PaeForma *
pae_forma(Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	PaeForma   *f;
	bool		hallada;

	if (pae_formas == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(PaeForma);
		ctl.hcxt = CacheMemoryContext;
		pae_formas = hash_create("pae fila_jsonb", 64, &ctl,
								 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		pae_cache_escuchar_relaciones(pae_formas_inval_rel);
	}
	f = hash_search(pae_formas, &relid, HASH_ENTER, &hallada);
	if (!hallada)
	{
		f->valida = false;
		f->cxt = NULL;
		f->cols = NULL;
		f->ncols = 0;
		f->clave = NULL;
	}

	/*
	 * Valid only once built (cache.h): an error half way leaves the entry
	 * invalid, and the catalog lookups of a build may process invalidations
	 * (of this relation, or of a cast): build again until one build ran
	 * with none.
	 */
	while (!f->valida)
	{
		uint64		antes = pae_cache_relaciones();

		pae_forma_construir(f, rel);
		f->valida = (pae_cache_relaciones() == antes);
	}
	return f;
}

/* ---------------------------------------------------------------------
 * Values
 * ---------------------------------------------------------------------
 */

static void
pae_jbv_texto(JsonbValue *v, char *s, size_t len)
{
	if (len > JENTRY_OFFLENMASK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("un valor de %zu bytes no cabe en una cadena jsonb de la auditoría", len),
				 errdetail("jsonb admite cadenas de hasta %d bytes.", JENTRY_OFFLENMASK),
				 errhint("Guarde el contenido grande aparte y deje en la tabla una referencia.")));
	v->type = jbvString;
	v->val.string.val = s;
	v->val.string.len = (int) len;
}

static void
pae_jbv_numero(JsonbValue *v, const char *s)
{
	v->type = jbvNumeric;
	v->val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(s),
														 ObjectIdGetDatum(InvalidOid),
														 Int32GetDatum(-1)));
}

/* a float as to_jsonb writes it, with the digits that read back exactly */
static void
pae_jbv_doble(JsonbValue *v, double x, bool es_float4)
{
	char		buf[32];

	if (isnan(x))
		pae_jbv_texto(v, pstrdup("NaN"), 3);
	else if (isinf(x))
		pae_jbv_texto(v, pstrdup(x > 0 ? "Infinity" : "-Infinity"), x > 0 ? 8 : 9);
	else
	{
		if (es_float4)
			float_to_shortest_decimal_buf((float) x, buf);
		else
			double_to_shortest_decimal_buf(x, buf);
		pae_jbv_numero(v, buf);
	}
}

/* a jsonb datum as a value: scalars unwrapped, containers nested */
static void
pae_jbv_jsonb(JsonbValue *v, Jsonb *jb)
{
	if (!JsonbExtractScalar(&jb->root, v))
	{
		v->type = jbvBinary;
		v->val.binary.data = &jb->root;
		v->val.binary.len = VARSIZE(jb) - VARHDRSZ;
	}
}

static void
pae_jbv_columna(JsonbValue *v, PaeColumna *c, Datum d)
{
	switch (c->conv)
	{
		case PAE_CONV_BOOL:
			v->type = jbvBool;
			v->val.boolean = DatumGetBool(d);
			break;
		case PAE_CONV_ENTERO:
			v->type = jbvNumeric;
			v->val.numeric = int64_to_numeric(c->tipo == INT2OID ? DatumGetInt16(d) :
											  c->tipo == INT4OID ? DatumGetInt32(d) :
											  DatumGetInt64(d));
			break;
		case PAE_CONV_FLOAT4:
			pae_jbv_doble(v, DatumGetFloat4(d), true);
			break;
		case PAE_CONV_FLOAT8:
			pae_jbv_doble(v, DatumGetFloat8(d), false);
			break;
		case PAE_CONV_NUMERIC:
			{
				Numeric		n = DatumGetNumeric(d);

				if (numeric_is_nan(n) || numeric_is_inf(n))
				{
					char	   *s = OutputFunctionCall(&c->fn, d);

					pae_jbv_texto(v, s, strlen(s));
				}
				else
				{
					v->type = jbvNumeric;
					v->val.numeric = n;
				}
			}
			break;
		case PAE_CONV_FECHA:
			{
				char	   *s = JsonEncodeDateTime(NULL, d, c->tipo, NULL);

				pae_jbv_texto(v, s, strlen(s));
			}
			break;
		case PAE_CONV_TEXTO:
			{
				text	   *t = DatumGetTextPP(d);

				pae_jbv_texto(v, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
			}
			break;
		case PAE_CONV_JSONB:
			pae_jbv_jsonb(v, DatumGetJsonbP(d));
			break;
		case PAE_CONV_SALIDA:
			{
				char	   *s = OutputFunctionCall(&c->fn, d);

				pae_jbv_texto(v, s, strlen(s));
			}
			break;
		case PAE_CONV_TO_JSONB:
			pae_jbv_jsonb(v, DatumGetJsonbP(FunctionCall1(&c->fn, d)));
			break;
	}
}

/*
 * The object of every column (todas), of the row's key (clave), or of the
 * columns in attrs.
 */
static Jsonb *
pae_objeto(Relation rel, const PaeFila *fila, bool todas, bool clave,
		   const Bitmapset *attrs)
{
	PaeForma   *f = pae_forma(rel);
	int			ncols = f->ncols;
	PaeColumna *cols = f->cols;
	Datum	   *valores = fila->valores;
	bool	   *nulos = fila->nulos;
	JsonbPair  *pares = palloc(sizeof(JsonbPair) * Max(ncols, 1));
	bool		anidado = false;
	int			n = 0;
	int			i;

	if (clave)
		attrs = f->clave;
	for (i = 0; i < ncols; i++)
	{
		PaeColumna *c = &cols[i];
		JsonbPair  *p = &pares[n];

		if (!todas && !bms_is_member(c->attnum, attrs))
			continue;
		p->key.type = jbvString;
		p->key.val.string.val = c->nombre;
		p->key.val.string.len = c->len;
		p->order = n;
		if (nulos[c->attnum - 1])
			p->value.type = jbvNull;
		else
			pae_jbv_columna(&p->value, c, valores[c->attnum - 1]);
		anidado |= (p->value.type == jbvBinary);
		n++;
	}

	if (!anidado)
	{
		/* the keys are already in jsonb order and unique */
		JsonbValue	obj;

		obj.type = jbvObject;
		obj.val.object.nPairs = n;
		obj.val.object.pairs = pares;
		return JsonbValueToJsonb(&obj);
	}
	else
	{
		/* nested containers are unpacked by pushJsonbValue */
		JsonbParseState *st = NULL;

		pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
		for (i = 0; i < n; i++)
		{
			pushJsonbValue(&st, WJB_KEY, &pares[i].key);
			pushJsonbValue(&st, WJB_VALUE, &pares[i].value);
		}
		return JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL));
	}
}

/*
 * pae_fila_deformar
 *		The values of every column of "tup", once for all the objects made
 *		of it.
 */
void
pae_fila_deformar(Relation rel, HeapTuple tup, PaeFila *fila)
{
	TupleDesc	desc = RelationGetDescr(rel);

	fila->valores = palloc(sizeof(Datum) * Max(desc->natts, 1));
	fila->nulos = palloc(sizeof(bool) * Max(desc->natts, 1));
	heap_deform_tuple(tup, desc, fila->valores, fila->nulos);
}

/*
 * pae_fila_jsonb
 *		The row as a jsonb object, like to_jsonb(row), but never with a
 *		secret column.
 */
Jsonb *
pae_fila_jsonb(Relation rel, const PaeFila *fila)
{
	return pae_objeto(rel, fila, true, false, NULL);
}

/*
 * pae_columnas_jsonb
 *		The same object restricted to the columns in "attrs" (attribute
 *		numbers); an empty set gives {}.
 */
Jsonb *
pae_columnas_jsonb(Relation rel, const PaeFila *fila, const Bitmapset *attrs)
{
	return pae_objeto(rel, fila, false, false, attrs);
}

/*
 * pae_clave_jsonb
 *		The object of the row's key: its primary key, else its replica
 *		identity; {} for a table with neither.
 */
Jsonb *
pae_clave_jsonb(Relation rel, const PaeFila *fila)
{
	return pae_objeto(rel, fila, false, true, NULL);
}
