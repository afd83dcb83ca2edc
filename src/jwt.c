/*-------------------------------------------------------------------------
 *
 * jwt.c
 *	  Pure helpers of the JWT HS256 tokens (see jwt.h): base64url,
 *	  HMAC-SHA256 and the constant-time comparison.  No fmgr, no palloc,
 *	  no ereport: callers own every buffer.
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "common/cryptohash.h"
#include "common/hmac.h"

#include "jwt.h"

static const char pae_b64url_alfabeto[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t
pae_b64url_codificar(const uint8 *src, size_t n, char *dst)
{
	size_t		i = 0;
	size_t		o = 0;

	for (; i + 3 <= n; i += 3)
	{
		uint32		v = ((uint32) src[i] << 16) | ((uint32) src[i + 1] << 8) | src[i + 2];

		dst[o++] = pae_b64url_alfabeto[(v >> 18) & 0x3F];
		dst[o++] = pae_b64url_alfabeto[(v >> 12) & 0x3F];
		dst[o++] = pae_b64url_alfabeto[(v >> 6) & 0x3F];
		dst[o++] = pae_b64url_alfabeto[v & 0x3F];
	}
	if (n - i == 1)
	{
		uint32		v = (uint32) src[i] << 16;

		dst[o++] = pae_b64url_alfabeto[(v >> 18) & 0x3F];
		dst[o++] = pae_b64url_alfabeto[(v >> 12) & 0x3F];
	}
	else if (n - i == 2)
	{
		uint32		v = ((uint32) src[i] << 16) | ((uint32) src[i + 1] << 8);

		dst[o++] = pae_b64url_alfabeto[(v >> 18) & 0x3F];
		dst[o++] = pae_b64url_alfabeto[(v >> 12) & 0x3F];
		dst[o++] = pae_b64url_alfabeto[(v >> 6) & 0x3F];
	}
	return o;
}

/* value of one base64url character, or -1 */
static int
pae_b64url_valor(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

ssize_t
pae_b64url_decodificar(const char *src, size_t n, uint8 *dst)
{
	size_t		i;
	size_t		o = 0;
	uint32		acum = 0;
	int			bits = 0;

	if (n % 4 == 1)
		return -1;
	for (i = 0; i < n; i++)
	{
		int			v = pae_b64url_valor(src[i]);

		if (v < 0)
			return -1;
		acum = (acum << 6) | (uint32) v;
		bits += 6;
		if (bits >= 8)
		{
			bits -= 8;
			dst[o++] = (uint8) ((acum >> bits) & 0xFF);
		}
	}
	/* the bits left over must be zero: one text per byte string */
	if (bits > 0 && (acum & ((1u << bits) - 1)) != 0)
		return -1;
	return (ssize_t) o;
}

bool
pae_hmac_sha256(const uint8 *key, size_t key_len,
				const uint8 *msg, size_t msg_len,
				uint8 firma[PAE_JWT_FIRMA_LEN])
{
	pg_hmac_ctx *ctx = pg_hmac_create(PG_SHA256);
	bool		ok;

	if (ctx == NULL)
		return false;
	ok = pg_hmac_init(ctx, key, key_len) == 0 &&
		pg_hmac_update(ctx, msg, msg_len) == 0 &&
		pg_hmac_final(ctx, firma, PAE_JWT_FIRMA_LEN) == 0;
	pg_hmac_free(ctx);
	return ok;
}

bool
pae_iguales_constante(const uint8 *a, size_t a_len,
					  const uint8 *b, size_t b_len)
{
	volatile uint8 dif = 0;
	size_t		i;

	if (a_len != b_len)
		return false;
	for (i = 0; i < a_len; i++)
		dif |= a[i] ^ b[i];
	return dif == 0;
}
