/*
 * fuzz_jwt.c -- libFuzzer harness of src/jwt.c: base64url both ways,
 * HMAC-SHA256 and the constant-time comparison, and a whole HS256 token
 * built the way login.c builds it (b64url(header).b64url(claims).
 * b64url(hmac)) then taken apart and verified by a parser written here.
 *
 * Properties: decoding accepts only canonical base64url and re-encodes to
 * the very same text; encoding then decoding gives back the bytes; a token
 * verifies under its key and not under a different one; the comparison
 * agrees with memcmp.
 */
#include "c.h"

#include <stdlib.h>

#include "jwt.h"

static void
chequear(bool cond)
{
	if (!cond)
		abort();
}

/* split at the two dots, decode, verify: the claims' length or -1 */
static ssize_t
verificar_token(const char *tok, size_t n, const uint8 *key, size_t key_len,
				uint8 *claims)
{
	const char *p1 = memchr(tok, '.', n);
	const char *p2;
	uint8		firma[PAE_JWT_FIRMA_LEN];
	uint8		recibida[PAE_JWT_FIRMA_LEN + 3];
	uint8	   *cab;
	ssize_t		nc,
				nf,
				nh;

	if (p1 == NULL)
		return -1;
	p2 = memchr(p1 + 1, '.', n - (p1 + 1 - tok));
	if (p2 == NULL || memchr(p2 + 1, '.', n - (p2 + 1 - tok)) != NULL)
		return -1;
	cab = malloc((p1 - tok) * 3 / 4 + 1);
	nh = pae_b64url_decodificar(tok, p1 - tok, cab);
	if (nh != (ssize_t) strlen(PAE_JWT_CABECERA) || memcmp(cab, PAE_JWT_CABECERA, nh) != 0)
	{
		free(cab);
		return -1;
	}
	free(cab);
	nc = pae_b64url_decodificar(p1 + 1, p2 - p1 - 1, claims);
	if (nc < 0 || (size_t) (n - (p2 + 1 - tok)) > PAE_B64URL_LEN(PAE_JWT_FIRMA_LEN))
		return -1;
	nf = pae_b64url_decodificar(p2 + 1, n - (p2 + 1 - tok), recibida);
	if (!pae_hmac_sha256(key, key_len, (const uint8 *) tok, p2 - tok, firma))
		return -1;
	if (!pae_iguales_constante(firma, PAE_JWT_FIRMA_LEN, recibida, nf < 0 ? 0 : nf))
		return -1;
	return nc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t		corte;
	const uint8 *key;
	size_t		key_len;
	const uint8 *msg;
	size_t		msg_len;
	char	   *txt;
	uint8	   *dec;
	ssize_t		n;

	if (size < 1)
		return 0;

	/* 1. the whole input as base64url text */
	dec = malloc(size * 3 / 4 + 1);
	n = pae_b64url_decodificar((const char *) data, size, dec);
	if (n >= 0)
	{
		txt = malloc(PAE_B64URL_LEN((size_t) n) + 1);
		chequear(pae_b64url_codificar(dec, n, txt) == size);
		chequear(memcmp(txt, data, size) == 0);
		free(txt);
	}
	free(dec);

	/* 2. the input as bytes: encode, decode */
	txt = malloc(PAE_B64URL_LEN(size) + 1);
	n = pae_b64url_codificar(data, size, txt);
	chequear((size_t) n == PAE_B64URL_LEN(size));
	dec = malloc(size + 3);
	chequear(pae_b64url_decodificar(txt, n, dec) == (ssize_t) size);
	chequear(memcmp(dec, data, size) == 0);
	free(dec);
	free(txt);

	/* 3. a token: first byte says where the key ends */
	corte = 1 + (size > 1 ? data[0] % (size - 1) : 0);
	key = data + 1;
	key_len = corte - 1;
	msg = data + corte;
	msg_len = size - corte;
	{
		size_t		lc = strlen(PAE_JWT_CABECERA);
		size_t		cap = PAE_B64URL_LEN(lc) + 1 + PAE_B64URL_LEN(msg_len) + 1 +
			PAE_B64URL_LEN(PAE_JWT_FIRMA_LEN);
		char	   *tok = malloc(cap);
		uint8		firma[PAE_JWT_FIRMA_LEN];
		uint8	   *claims = malloc(msg_len + 3);
		size_t		m = 0;
		uint8	   *otra = malloc(key_len + 1);

		m += pae_b64url_codificar((const uint8 *) PAE_JWT_CABECERA, lc, tok + m);
		tok[m++] = '.';
		m += pae_b64url_codificar(msg, msg_len, tok + m);
		chequear(pae_hmac_sha256(key, key_len, (const uint8 *) tok, m, firma));
		tok[m++] = '.';
		m += pae_b64url_codificar(firma, PAE_JWT_FIRMA_LEN, tok + m);
		chequear(m == cap);
		chequear(verificar_token(tok, m, key, key_len, claims) == (ssize_t) msg_len);
		chequear(memcmp(claims, msg, msg_len) == 0);
		/* another key (first byte flipped; for the empty key, "\x01") must not verify */
		memcpy(otra, key, key_len);
		otra[0] = key_len > 0 ? (uint8) (key[0] ^ 1) : 1;
		chequear(verificar_token(tok, m, otra, Max(key_len, 1), claims) < 0);
		free(otra);
		/* the comparison is memcmp with equal lengths */
		chequear(pae_iguales_constante(msg, msg_len, msg, msg_len));
		chequear(pae_iguales_constante(key, key_len, msg, msg_len) ==
				 (key_len == msg_len && memcmp(key, msg, key_len) == 0));
		free(claims);
		free(tok);
	}
	return 0;
}
