/*-------------------------------------------------------------------------
 *
 * jwt.h
 *	  Pure helpers of the JWT HS256 tokens pae_api.login issues: base64url
 *	  (RFC 4648 §5, no padding), HMAC-SHA256 over PostgreSQL's own
 *	  common/hmac.h, and a comparison whose time does not depend on where
 *	  two byte strings differ.
 *
 * Nothing here calls fmgr, palloc or ereport: every function writes into a
 * buffer its caller provides and answers with a length or -1, so the file
 * can be compiled alone into a fuzzer.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PAE_JWT_H
#define PAE_JWT_H

#include "c.h"

/* bytes of an HMAC-SHA256 signature */
#define PAE_JWT_FIRMA_LEN	32

/* the fixed header of every token: {"alg":"HS256","typ":"JWT"} */
#define PAE_JWT_CABECERA	"{\"alg\":\"HS256\",\"typ\":\"JWT\"}"

/* characters base64url needs for n bytes (no padding, no terminator) */
#define PAE_B64URL_LEN(n)	(((n) / 3) * 4 + (((n) % 3) ? ((n) % 3) + 1 : 0))

/* encode n bytes into dst (room for PAE_B64URL_LEN(n) chars); returns that length */
extern size_t pae_b64url_codificar(const uint8 *src, size_t n, char *dst);

/*
 * decode n base64url chars into dst (room for n * 3 / 4 bytes); -1 when
 * the text is not canonical base64url (a foreign character, padding, a
 * length of 4k+1, or stray bits in the last character)
 */
extern ssize_t pae_b64url_decodificar(const char *src, size_t n, uint8 *dst);

/* HMAC-SHA256 of msg under key into firma[32]; false when the crypto layer fails */
extern bool pae_hmac_sha256(const uint8 *key, size_t key_len,
							const uint8 *msg, size_t msg_len,
							uint8 firma[PAE_JWT_FIRMA_LEN]);

/*
 * a.length == b.length and same bytes, in a time that depends only on the
 * lengths (never on the position of the first difference)
 */
extern bool pae_iguales_constante(const uint8 *a, size_t a_len,
								  const uint8 *b, size_t b_len);

#endif							/* PAE_JWT_H */
