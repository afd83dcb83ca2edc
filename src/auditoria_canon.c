/*-------------------------------------------------------------------------
 *
 * auditoria_canon.c
 *	  The canonical encoding of an audit row (auditoria_canon.h).
 *
 *	  tag (with its NUL) | id | en | xid | 8 x (length | bytes)
 *
 * Integers are 8 bytes big-endian (id and en as their two's complement),
 * a length is 4 bytes big-endian, 0xFFFFFFFF for NULL (then no bytes
 * follow, as for an empty field).  Nothing depends on a session setting.
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "auditoria_canon.h"

static void
canon_bytes(PaeCanonSalida salida, void *arg, const void *p, size_t n)
{
	if (n > 0)
		salida(arg, (const uint8 *) p, n);
}

static void
canon_uint64(PaeCanonSalida salida, void *arg, uint64 v)
{
	uint8		b[8];
	int			i;

	for (i = 7; i >= 0; i--)
	{
		b[i] = (uint8) (v & 0xff);
		v >>= 8;
	}
	canon_bytes(salida, arg, b, 8);
}

/* a length-prefixed field; len < 0 is NULL */
static void
canon_campo(PaeCanonSalida salida, void *arg, const char *p, int32 len)
{
	uint32		u = (uint32) len;
	uint8		b[4];

	b[0] = (uint8) (u >> 24);
	b[1] = (uint8) (u >> 16);
	b[2] = (uint8) (u >> 8);
	b[3] = (uint8) u;
	canon_bytes(salida, arg, b, 4);
	if (len > 0)
		canon_bytes(salida, arg, p, len);
}

void
pae_canon_fila(const PaeCanonFila *f, PaeCanonSalida salida, void *arg)
{
	int			i;

	canon_bytes(salida, arg, PAE_CANON_ETIQUETA, sizeof(PAE_CANON_ETIQUETA));
	canon_uint64(salida, arg, (uint64) f->id);
	canon_uint64(salida, arg, (uint64) f->en_unix_usec);
	canon_uint64(salida, arg, f->xid);
	for (i = 0; i < PAE_CANON_NCAMPOS; i++)
		canon_campo(salida, arg, f->campo[i], f->largo[i]);
}
