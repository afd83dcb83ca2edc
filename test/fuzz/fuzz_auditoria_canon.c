/*
 * fuzz_auditoria_canon.c -- libFuzzer harness of src/auditoria_canon.c,
 * the canonical encoding of an audit row whose SHA-256 chains the trail.
 *
 * The input is cut into two rows (three integers and eight fields each, a
 * field NULL, empty or some bytes); both are encoded and the encodings are
 * read back by a decoder written here.  Properties: the encoding decodes
 * to exactly the row (so it is unambiguous: two rows with the same
 * encoding are the same row -- the hash can only collide through SHA-256),
 * it never hands out a piece of 0 bytes, and its length is the sum of its
 * parts.
 */
#include "c.h"

#include <stdlib.h>

#include "auditoria_canon.h"

typedef struct Buf
{
	uint8	   *p;
	size_t		n;
	size_t		cap;
} Buf;

static void
salida(void *arg, const uint8 *p, size_t n)
{
	Buf		   *b = arg;

	if (n == 0)
		abort();
	if (b->n + n > b->cap)
	{
		b->cap = (b->n + n) * 2;
		b->p = realloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static uint64
be64(const uint8 *p)
{
	uint64		v = 0;
	int			i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

/* read a row back; false when the bytes are not one encoding, whole */
static bool
decodificar(const uint8 *p, size_t n, PaeCanonFila *f)
{
	size_t		pos = sizeof(PAE_CANON_ETIQUETA);
	int			i;

	if (n < pos + 24 || memcmp(p, PAE_CANON_ETIQUETA, pos) != 0)
		return false;
	f->id = (int64) be64(p + pos);
	f->en_unix_usec = (int64) be64(p + pos + 8);
	f->xid = be64(p + pos + 16);
	pos += 24;
	for (i = 0; i < PAE_CANON_NCAMPOS; i++)
	{
		uint32		u;

		if (n - pos < 4)
			return false;
		u = ((uint32) p[pos] << 24) | ((uint32) p[pos + 1] << 16) |
			((uint32) p[pos + 2] << 8) | p[pos + 3];
		pos += 4;
		f->largo[i] = (int32) u;
		f->campo[i] = NULL;
		if (f->largo[i] > 0)
		{
			if (n - pos < u)
				return false;
			f->campo[i] = (const char *) p + pos;
			pos += u;
		}
	}
	return pos == n;
}

static bool
iguales(const PaeCanonFila *a, const PaeCanonFila *b)
{
	int			i;

	if (a->id != b->id || a->en_unix_usec != b->en_unix_usec || a->xid != b->xid)
		return false;
	for (i = 0; i < PAE_CANON_NCAMPOS; i++)
	{
		/* NULL is -1; an empty field is 0 (any negative length is NULL) */
		int32		la = a->largo[i] < 0 ? -1 : a->largo[i];
		int32		lb = b->largo[i] < 0 ? -1 : b->largo[i];

		if (la != lb || (la > 0 && memcmp(a->campo[i], b->campo[i], la) != 0))
			return false;
	}
	return true;
}

/* one row from the input: 24 bytes of integers, then per field a tag byte */
static void
leer_fila(const uint8 **p, size_t *n, PaeCanonFila *f)
{
	uint8		ints[24] = {0};
	int			i;

	memcpy(ints, *p, Min(*n, 24));
	*p += Min(*n, 24);
	*n -= Min(*n, 24);
	f->id = (int64) be64(ints);
	f->en_unix_usec = (int64) be64(ints + 8);
	f->xid = be64(ints + 16);
	for (i = 0; i < PAE_CANON_NCAMPOS; i++)
	{
		uint8		t = *n > 0 ? **p : 0;
		size_t		l;

		if (*n > 0)
		{
			(*p)++;
			(*n)--;
		}
		if (t == 0xff)
		{
			f->campo[i] = NULL;
			f->largo[i] = -1;
			continue;
		}
		l = Min((size_t) t, *n);
		f->campo[i] = (const char *) *p;
		f->largo[i] = (int32) l;
		*p += l;
		*n -= l;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8 *p = data;
	size_t		n = size;
	PaeCanonFila a,
				b,
				da,
				db;
	Buf			ea = {0},
				eb = {0};
	size_t		esperado;
	int			i;

	leer_fila(&p, &n, &a);
	leer_fila(&p, &n, &b);
	pae_canon_fila(&a, salida, &ea);
	pae_canon_fila(&b, salida, &eb);

	esperado = sizeof(PAE_CANON_ETIQUETA) + 24;
	for (i = 0; i < PAE_CANON_NCAMPOS; i++)
		esperado += 4 + (a.largo[i] > 0 ? a.largo[i] : 0);
	if (ea.n != esperado)
		abort();
	if (!decodificar(ea.p, ea.n, &da) || !iguales(&a, &da))
		abort();
	if (!decodificar(eb.p, eb.n, &db) || !iguales(&b, &db))
		abort();
	/* unambiguous: equal encodings only for equal rows */
	if ((ea.n == eb.n && memcmp(ea.p, eb.p, ea.n) == 0) != iguales(&a, &b))
		abort();
	free(ea.p);
	free(eb.p);
	return 0;
}
