/*
 * jwt.h - ES256 JSON Web Tokens with pre-parsed keys.
 *
 * Pure crypto and encoding: no store, no HTTP, no clock policy. Shared by
 * the server (signing, verifying) and keygate-gateway (verifying offline
 * with public keys from keygate's JWKS).
 *
 * Keys are EC P-256, parsed once (libjwt 1.10 parses the PEM on every call,
 * which costs ~430 µs a token; see README). Verification pins the
 * algorithm: the header must say {"alg":"ES256"} and name a known "kid";
 * alg=none, HS256 and every other algorithm are refused before any
 * signature check. Expiry and revocation are the caller's business.
 *
 * The claims keygate puts in its tokens: auth/claims.h.
 */
#ifndef KG_AUTH_JWT_H
#define KG_AUTH_JWT_H

#include <jansson.h>
#include <stddef.h>

#include "common/err.h"

struct jwt_key;			/* one P-256 key, private or public only */

/* Parse a PEM private key ("EC PRIVATE KEY" or PKCS#8) or public key. */
struct jwt_key	*jwt_key_from_pem(const char *pem, size_t len, struct kg_err *err);

/* Parse a public JWK {"kty":"EC","crv":"P-256","x":..,"y":..}. */
struct jwt_key	*jwt_key_from_jwk(const json_t *jwk, struct kg_err *err);

/* The key id: RFC 7638 SHA-256 thumbprint of the public key, base64url. */
const char	*jwt_key_kid(const struct jwt_key *k);

/* Nonzero when the key can sign. */
int		 jwt_key_is_private(const struct jwt_key *k);

/* The public JWK (with "kid", "use":"sig", "alg":"ES256"); new reference. */
json_t		*jwt_key_to_jwk(const struct jwt_key *k);

/* PEM text of the private key (for writing a key file); malloc'd. */
char		*jwt_key_private_pem(const struct jwt_key *k, struct kg_err *err);

/* Generate a new P-256 key pair. */
struct jwt_key	*jwt_key_generate(struct kg_err *err);

void		 jwt_key_free(struct jwt_key *k);

/* A set of verification keys, looked up by kid. */
struct jwt_keyset {
	struct jwt_key	**keys;
	size_t		  n;
};

/*
 * Sign claims with k: header {"alg":"ES256","typ":"JWT","kid":...}.
 * Returns the compact token (malloc'd) or NULL.
 */
char	*jwt_sign(const struct jwt_key *k, const json_t *claims, struct kg_err *err);

/* The same with the claims already serialized (a JSON object's text). */
char	*jwt_sign_text(const struct jwt_key *k, const char *claims, size_t len,
	    struct kg_err *err);

/*
 * jwt_sign_text with another header "typ" (a short ASCII name without
 * quotes), for JWTs that are not tokens (auth receipts): jwt_verify
 * refuses them, and jwt_verify_typ with that typ accepts only them.
 */
char	*jwt_sign_typ(const struct jwt_key *k, const char *typ,
	    const char *claims, size_t len, struct kg_err *err);

/*
 * Verify token against ks: pinned ES256, known kid, valid signature,
 * payload a JSON object. Returns the claims (new reference) or NULL with
 * KG_EUNAUTH. Does NOT check exp/iat (callers own the clock).
 */
json_t	*jwt_verify(const struct jwt_keyset *ks, const char *token, size_t len,
	    struct kg_err *err);

/* jwt_verify for a JWT whose header "typ" must be want_typ ("JWT": may
 * also be absent, as jwt_verify). */
json_t	*jwt_verify_typ(const struct jwt_keyset *ks, const char *want_typ,
	    const char *token, size_t len, struct kg_err *err);

#endif /* KG_AUTH_JWT_H */
