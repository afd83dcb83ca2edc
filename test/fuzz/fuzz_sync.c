/*
 * fuzz_sync.c -- libFuzzer harness of the text scanners of src/sync_item.c,
 * the decoder of one pae_api.sincronizar item: the canonical uuid reader
 * (pae_sync_uuid_leer) and the check that a time carries its UTC offset
 * (tiene_zona, static, so the file is included here).
 *
 * The rest of the decoder walks a jsonb with the server's jsonb API and
 * reads times with the server's datetime parser, which exist only inside
 * a backend: those entry points are stubbed to abort() (never reached
 * here) and that part is exercised by test/sql/entradas_hostiles_catalogo
 * (hostile sync batches) and by make valgrind instead.
 *
 * Properties: a uuid is accepted exactly when it is 36 characters of the
 * 8-4-4-4-12 hexadecimal form, and printing what was read gives back the
 * input in lower case; tiene_zona never reads past the length it is given
 * (the input is copied into a buffer of exactly that size).
 */
#define _GNU_SOURCE				/* vasprintf */
#include "../../src/sync_item.c"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* --- what the backend would provide ------------------------------------- */
void *
palloc(Size size)
{
	return malloc(size ? size : 1);
}

void *
palloc0(Size size)
{
	return calloc(1, size ? size : 1);
}

char *
pstrdup(const char *in)
{
	return strdup(in);
}

char *
pnstrdup(const char *in, Size len)
{
	return strndup(in, len);
}

char *
psprintf(const char *fmt,...)
{
	va_list		ap;
	char	   *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	return s;
}

int
ParseDateTime(const char *timestr, char *workbuf, size_t buflen, char **field,
			  int *ftype, int maxfields, int *numfields)
{
	abort();
}

int
DecodeDateTime(char **field, int *ftype, int nf, int *dtype, struct pg_tm *tm,
			   fsec_t *fsec, int *tzp)
{
	abort();
}

int
tm2timestamp(struct pg_tm *tm, fsec_t fsec, int *tzp, Timestamp *dt)
{
	abort();
}

JsonbIterator *
JsonbIteratorInit(JsonbContainer *container)
{
	abort();
}

JsonbIteratorToken
JsonbIteratorNext(JsonbIterator **it, JsonbValue *val, bool skipNested)
{
	abort();
}

JsonbValue *
findJsonbValueFromContainer(JsonbContainer *sheader, uint32 flags, JsonbValue *key)
{
	abort();
}

JsonbValue *
getIthJsonbValueFromContainer(JsonbContainer *sheader, uint32 i)
{
	abort();
}

char *
numeric_normalize(Numeric num)
{
	abort();
}

/* --- the harness ---------------------------------------------------------- */
static bool
forma_uuid(const char *s, size_t n)
{
	size_t		i;

	if (n != 36)
		return false;
	for (i = 0; i < 36; i++)
	{
		if (i == 8 || i == 13 || i == 18 || i == 23)
		{
			if (s[i] != '-')
				return false;
		}
		else if (!isxdigit((unsigned char) s[i]))
			return false;
	}
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *s;
	pg_uuid_t	u;
	bool		ok;

	if (size > 1 << 16)
		return 0;
	/* exactly size bytes, no terminator: a read past them is an ASan report */
	s = malloc(size ? size : 1);
	memcpy(s, data, size);

	ok = pae_sync_uuid_leer(s, (int) size, &u);
	if (ok != forma_uuid(s, size))
		abort();
	if (ok)
	{
		char	   *t = uuid_texto(&u);
		size_t		i;

		for (i = 0; i < 36; i++)
			if (t[i] != tolower((unsigned char) s[i]))
				abort();
		free(t);
	}
	(void) tiene_zona(s, (int) size);
	free(s);
	return 0;
}
