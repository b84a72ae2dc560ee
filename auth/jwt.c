/*
 * jwt.c - ES256 JSON Web Tokens (RFC 7515/7519) on OpenSSL 3 EVP with keys
 * parsed once (see jwt.h). The algorithm is pinned: a token is refused on
 * its header alone unless it says ES256 and names a key we hold.
 */
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <stdlib.h>
#include <string.h>

#include "auth/jwt.h"
#include "common/util.h"

#define JWT_MAX_TOKEN	16384	/* longer tokens are refused unparsed */
#define JWT_MAX_HEADER	1024	/* decoded header bytes */
#define KID_LEN		43	/* base64url of a SHA-256 digest */

/* Never prompt for a passphrase: key files are not encrypted. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf; (void)size; (void)rwflag; (void)u;
	return -1;
}

struct jwt_key {
	EVP_PKEY	*pkey;
	EVP_MD_CTX	*sign_tmpl;	/* DigestSign-initialised (private keys) */
	EVP_MD_CTX	*verify_tmpl;	/* DigestVerify-initialised */
	int		 priv;
	unsigned char	 x[32], y[32];		/* public point */
	char		 kid[KID_LEN + 2];	/* encoder wants 4*ceil(n/3)+1 */
};

/* Check that pkey is an EC P-256 key and fill k's point and kid. */
static int
key_finish(struct jwt_key *k, struct kg_err *err)
{
	char		 group[64], xb[48], yb[48], jwk[256];
	unsigned char	 dig[32];
	BIGNUM		*bx = NULL, *by = NULL;
	size_t		 glen = 0;
	int		 n, ret = -1;

	if (!EVP_PKEY_is_a(k->pkey, "EC") ||
	    !EVP_PKEY_get_utf8_string_param(k->pkey, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, sizeof(group), &glen) || strcmp(group, "prime256v1") != 0) {
		kg_errf(err, KG_EBADREQ, "key is not an EC P-256 key");
		goto done;
	}
	if (!EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_EC_PUB_X, &bx) ||
	    !EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &by) ||
	    BN_bn2binpad(bx, k->x, 32) != 32 || BN_bn2binpad(by, k->y, 32) != 32) {
		kg_errf(err, KG_EBADREQ, "key has no usable public point");
		goto done;
	}
	kg_b64url_encode(k->x, 32, xb, sizeof(xb));
	kg_b64url_encode(k->y, 32, yb, sizeof(yb));
	/* RFC 7638: required members only, lexicographic order, no spaces. */
	n = snprintf(jwk, sizeof(jwk),
	    "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}", xb, yb);
	kg_sha256(jwk, (size_t)n, dig);
	kg_b64url_encode(dig, sizeof(dig), k->kid, sizeof(k->kid));
	ret = 0;
 done:
	BN_free(bx);
	BN_free(by);
	return ret;
}

static struct jwt_key *
key_wrap(EVP_PKEY *pkey, int priv, struct kg_err *err)
{
	struct jwt_key	*k;

	if ((k = calloc(1, sizeof(*k))) == NULL) {
		EVP_PKEY_free(pkey);
		kg_errf(err, KG_EINTERNAL, "out of memory");
		return NULL;
	}
	k->pkey = pkey;
	k->priv = priv;
	if (key_finish(k, err) == -1) {
		jwt_key_free(k);
		return NULL;
	}
	if ((k->verify_tmpl = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(k->verify_tmpl, NULL, EVP_sha256(), NULL,
	    k->pkey) != 1 ||
	    (priv && ((k->sign_tmpl = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(k->sign_tmpl, NULL, EVP_sha256(), NULL,
	    k->pkey) != 1))) {
		ERR_clear_error();
		jwt_key_free(k);
		kg_errf(err, KG_EINTERNAL, "cannot prepare ECDSA contexts");
		return NULL;
	}
	return k;
}

struct jwt_key *
jwt_key_from_pem(const char *pem, size_t len, struct kg_err *err)
{
	EVP_PKEY	*pkey;
	BIO		*bio;
	int		 priv = 1;

	if (len > 64 * 1024) {
		kg_errf(err, KG_EBADREQ, "PEM key too large");
		return NULL;
	}
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		return NULL;
	}
	pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	if (pkey == NULL) {
		priv = 0;
		BIO_free(bio);
		if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
			kg_errf(err, KG_EINTERNAL, "out of memory");
			return NULL;
		}
		pkey = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
	}
	BIO_free(bio);
	ERR_clear_error();
	if (pkey == NULL) {
		kg_errf(err, KG_EBADREQ, "not a PEM EC key");
		return NULL;
	}
	return key_wrap(pkey, priv, err);
}

/* Decode a base64url coordinate that must be exactly 32 bytes. */
static int
coord_decode(const json_t *v, unsigned char out[32])
{
	const char	*s;

	if (!json_is_string(v))
		return -1;
	s = json_string_value(v);
	return kg_b64url_decode(s, strlen(s), out, 32) == 32 ? 0 : -1;
}

struct jwt_key *
jwt_key_from_jwk(const json_t *jwk, struct kg_err *err)
{
	OSSL_PARAM_BLD	*bld = NULL;
	OSSL_PARAM	*params = NULL;
	EVP_PKEY_CTX	*pctx = NULL, *cctx = NULL;
	EVP_PKEY	*pkey = NULL;
	unsigned char	 pt[65];
	const char	*kty, *crv;

	if (!json_is_object(jwk) ||
	    (kty = json_string_value(json_object_get(jwk, "kty"))) == NULL ||
	    (crv = json_string_value(json_object_get(jwk, "crv"))) == NULL ||
	    strcmp(kty, "EC") != 0 || strcmp(crv, "P-256") != 0) {
		kg_errf(err, KG_EBADREQ, "JWK is not an EC P-256 key");
		return NULL;
	}
	if (json_object_get(jwk, "d") != NULL) {
		kg_errf(err, KG_EBADREQ, "JWK must be a public key");
		return NULL;
	}
	pt[0] = 0x04;			/* uncompressed point */
	if (coord_decode(json_object_get(jwk, "x"), pt + 1) == -1 ||
	    coord_decode(json_object_get(jwk, "y"), pt + 33) == -1) {
		kg_errf(err, KG_EBADREQ, "JWK x and y must be 32-byte base64url values");
		return NULL;
	}
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt,
	    sizeof(pt)) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(pctx) <= 0 ||
	    EVP_PKEY_fromdata(pctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
		kg_errf(err, KG_EBADREQ, "JWK is not a valid P-256 public key");
		goto fail;
	}
	/* Refuse points off the curve (invalid-curve attacks). */
	if ((cctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL ||
	    EVP_PKEY_public_check(cctx) != 1) {
		kg_errf(err, KG_EBADREQ, "JWK is not a valid P-256 public key");
		goto fail;
	}
	EVP_PKEY_CTX_free(cctx);
	EVP_PKEY_CTX_free(pctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return key_wrap(pkey, 0, err);
 fail:
	ERR_clear_error();
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(cctx);
	EVP_PKEY_CTX_free(pctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return NULL;
}

const char *
jwt_key_kid(const struct jwt_key *k)
{
	return k->kid;
}

int
jwt_key_is_private(const struct jwt_key *k)
{
	return k->priv;
}

json_t *
jwt_key_to_jwk(const struct jwt_key *k)
{
	char	xb[48], yb[48];

	kg_b64url_encode(k->x, 32, xb, sizeof(xb));
	kg_b64url_encode(k->y, 32, yb, sizeof(yb));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kty", "EC",
	    "crv", "P-256", "x", xb, "y", yb, "kid", k->kid, "use", "sig",
	    "alg", "ES256");
}

char *
jwt_key_private_pem(const struct jwt_key *k, struct kg_err *err)
{
	BIO	*bio;
	BUF_MEM	*bm;
	char	*out = NULL;

	if (!k->priv) {
		kg_errf(err, KG_EBADREQ, "not a private key");
		return NULL;
	}
	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    !PEM_write_bio_PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL, NULL)) {
		BIO_free(bio);
		kg_errf(err, KG_EINTERNAL, "cannot encode private key");
		return NULL;
	}
	BIO_get_mem_ptr(bio, &bm);
	if ((out = malloc(bm->length + 1)) == NULL)
		kg_errf(err, KG_EINTERNAL, "out of memory");
	else {
		memcpy(out, bm->data, bm->length);
		out[bm->length] = '\0';
	}
	kg_wipe(bm->data, bm->length);
	BIO_free(bio);
	return out;
}

struct jwt_key *
jwt_key_generate(struct kg_err *err)
{
	EVP_PKEY	*pkey;

	if ((pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) == NULL) {
		kg_errf(err, KG_EINTERNAL, "cannot generate a P-256 key");
		return NULL;
	}
	return key_wrap(pkey, 1, err);
}

void
jwt_key_free(struct jwt_key *k)
{
	if (k == NULL)
		return;
	EVP_MD_CTX_free(k->sign_tmpl);
	EVP_MD_CTX_free(k->verify_tmpl);
	EVP_PKEY_free(k->pkey);
	free(k);
}

/* ------------------------------------------------------------------------
 * Signing and verification.
 * --------------------------------------------------------------------- */

/* Append base64url(data) to buf at *off (buf has room: callers size it). */
static void
b64_append(char *buf, size_t bufsz, size_t *off, const void *data, size_t n)
{
	long	w = kg_b64url_encode(data, n, buf + *off, bufsz - *off);

	if (w > 0)
		*off += (size_t)w;
}

/*
 * A digest context ready to sign (or verify) with k, copied per use:
 * EVP_DigestSignInit looks the algorithms up in the provider store on
 * every call, a copy of an initialised context does not (~4 µs a token).
 * The templates are only read after creation, so threads share them.
 */
static EVP_MD_CTX *
md_ctx(const struct jwt_key *k, int sign)
{
	EVP_MD_CTX	*t = sign ? k->sign_tmpl : k->verify_tmpl, *m;

	if (t == NULL)
		return NULL;
	if ((m = EVP_MD_CTX_new()) != NULL && !EVP_MD_CTX_copy_ex(m, t)) {
		EVP_MD_CTX_free(m);
		m = NULL;
	}
	return m;
}

char *
jwt_sign_text(const struct jwt_key *k, const char *payload, size_t plen,
    struct kg_err *err)
{
	return jwt_sign_typ(k, "JWT", payload, plen, err);
}

char *
jwt_sign_typ(const struct jwt_key *k, const char *typ, const char *payload,
    size_t plen, struct kg_err *err)
{
	EVP_MD_CTX	*mctx = NULL;
	ECDSA_SIG	*sig = NULL;
	const BIGNUM	*r, *s;
	const unsigned char *p;
	unsigned char	 der[80], raw[64];
	char		 hdr[128], *tok = NULL;
	size_t		 cap, off = 0, derlen = sizeof(der);
	int		 hlen;

	if (!k->priv) {
		kg_errf(err, KG_EINTERNAL, "jwt_sign: public key cannot sign");
		return NULL;
	}
	if (plen < 2 || payload[0] != '{') {
		kg_errf(err, KG_EINTERNAL, "jwt_sign: claims are not a JSON object");
		return NULL;
	}
	hlen = snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"typ\":\"%s\","
	    "\"kid\":\"%s\"}", typ, k->kid);
	if (hlen < 0 || (size_t)hlen >= sizeof(hdr)) {
		kg_errf(err, KG_EINTERNAL, "jwt_sign: header too long");
		return NULL;
	}
	/* Each encode wants 4*ceil(n/3)+1 bytes of room; the signature 89. */
	cap = ((size_t)hlen + 2) / 3 * 4 + (plen + 2) / 3 * 4 + 96;
	if ((tok = malloc(cap)) == NULL) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		goto fail;
	}
	b64_append(tok, cap, &off, hdr, (size_t)hlen);
	tok[off++] = '.';
	b64_append(tok, cap, &off, payload, plen);
	if ((mctx = md_ctx(k, 1)) == NULL ||
	    EVP_DigestSign(mctx, der, &derlen, (unsigned char *)tok, off) != 1) {
		kg_errf(err, KG_EINTERNAL, "jwt_sign: ECDSA signing failed");
		goto fail;
	}
	/* JWS wants the raw r||s, each left-padded to 32 bytes (RFC 7518 3.4). */
	p = der;
	if ((sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen)) == NULL) {
		kg_errf(err, KG_EINTERNAL, "jwt_sign: bad DER signature");
		goto fail;
	}
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_bn2binpad(r, raw, 32) != 32 || BN_bn2binpad(s, raw + 32, 32) != 32) {
		kg_errf(err, KG_EINTERNAL, "jwt_sign: signature out of range");
		goto fail;
	}
	tok[off++] = '.';
	b64_append(tok, cap, &off, raw, sizeof(raw));
	tok[off] = '\0';
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(mctx);
	return tok;
 fail:
	ERR_clear_error();
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(mctx);
	free(tok);
	return NULL;
}

char *
jwt_sign(const struct jwt_key *k, const json_t *claims, struct kg_err *err)
{
	char	*payload, *tok;

	if (!json_is_object(claims) ||
	    (payload = json_dumps(claims, JSON_COMPACT)) == NULL) {
		kg_errf(err, KG_EINTERNAL, "jwt_sign: claims are not a JSON object");
		return NULL;
	}
	tok = jwt_sign_text(k, payload, strlen(payload), err);
	free(payload);
	return tok;
}

static const struct jwt_key *
keyset_find(const struct jwt_keyset *ks, const char *kid)
{
	size_t	i;

	for (i = 0; i < ks->n; i++)
		if (strcmp(ks->keys[i]->kid, kid) == 0)
			return ks->keys[i];
	return NULL;
}

/* Decode base64url segment in[0..n) and parse it as a JSON object. */
static json_t *
segment_json(const char *in, size_t n)
{
	unsigned char	*buf;
	json_t		*j;
	long		 len;

	if ((buf = malloc(n / 4 * 3 + 3)) == NULL)
		return NULL;
	len = kg_b64url_decode(in, n, buf, n / 4 * 3 + 3);
	j = len > 0 ? json_loadb((char *)buf, (size_t)len, JSON_REJECT_DUPLICATES,
	    NULL) : NULL;
	free(buf);
	if (j != NULL && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

/* Check the ECDSA signature raw r||s over data with k. 1 when valid. */
static int
sig_ok(const struct jwt_key *k, const char *data, size_t n,
    const unsigned char raw[64])
{
	EVP_MD_CTX	*mctx = NULL;
	ECDSA_SIG	*sig = NULL;
	BIGNUM		*r = NULL, *s = NULL;
	unsigned char	*der = NULL;
	int		 derlen, ok = 0;

	if ((sig = ECDSA_SIG_new()) == NULL ||
	    (r = BN_bin2bn(raw, 32, NULL)) == NULL ||
	    (s = BN_bin2bn(raw + 32, 32, NULL)) == NULL)
		goto done;
	if (!ECDSA_SIG_set0(sig, r, s))
		goto done;
	r = s = NULL;			/* owned by sig now */
	if ((derlen = i2d_ECDSA_SIG(sig, &der)) <= 0)
		goto done;
	if ((mctx = md_ctx(k, 0)) == NULL)
		goto done;
	ok = EVP_DigestVerify(mctx, der, (size_t)derlen, (const unsigned char *)data,
	    n) == 1;
 done:
	if (!ok)
		ERR_clear_error();
	EVP_MD_CTX_free(mctx);
	OPENSSL_free(der);
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(sig);
	return ok;
}

json_t *
jwt_verify(const struct jwt_keyset *ks, const char *token, size_t len,
    struct kg_err *err)
{
	return jwt_verify_typ(ks, "JWT", token, len, err);
}

json_t *
jwt_verify_typ(const struct jwt_keyset *ks, const char *want_typ,
    const char *token, size_t len, struct kg_err *err)
{
	const struct jwt_key	*k;
	const char		*dot1, *dot2, *alg, *kid, *typ;
	json_t			*hdr = NULL, *claims;
	unsigned char		 raw[64];
	size_t			 i, hn, sn;

	if (token == NULL || len == 0 || len > JWT_MAX_TOKEN) {
		kg_errf(err, KG_EUNAUTH, "token missing or too long");
		return NULL;
	}
	for (i = 0; i < len; i++)
		if (token[i] == '\0') {
			kg_errf(err, KG_EUNAUTH, "token contains NUL");
			return NULL;
		}
	if ((dot1 = memchr(token, '.', len)) == NULL ||
	    (dot2 = memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token))) == NULL ||
	    memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)) != NULL) {
		kg_errf(err, KG_EUNAUTH, "token is not a compact JWS");
		return NULL;
	}
	hn = (size_t)(dot1 - token);
	sn = len - (size_t)(dot2 + 1 - token);
	if (hn == 0 || hn > JWT_MAX_HEADER / 3 * 4 || dot2 == dot1 + 1) {
		kg_errf(err, KG_EUNAUTH, "token has an empty or oversize part");
		return NULL;
	}

	/* The header decides everything before any crypto: pinned ES256. */
	if ((hdr = segment_json(token, hn)) == NULL) {
		kg_errf(err, KG_EUNAUTH, "token header is not base64url JSON object");
		return NULL;
	}
	alg = json_string_value(json_object_get(hdr, "alg"));
	kid = json_string_value(json_object_get(hdr, "kid"));
	typ = json_string_value(json_object_get(hdr, "typ"));
	if (alg == NULL || strcmp(alg, "ES256") != 0) {
		kg_errf(err, KG_EUNAUTH, "token algorithm is not ES256");
		goto fail;
	}
	/* A token may omit "typ" (RFC 7519); any other type must name it. */
	if (json_object_get(hdr, "crit") != NULL ||
	    (strcmp(want_typ, "JWT") != 0 && typ == NULL) ||
	    (json_object_get(hdr, "typ") != NULL &&
	    (typ == NULL || strcmp(typ, want_typ) != 0))) {
		kg_errf(err, KG_EUNAUTH, "token header not understood");
		goto fail;
	}
	if (kid == NULL || (k = keyset_find(ks, kid)) == NULL) {
		kg_errf(err, KG_EUNAUTH, "token signed by an unknown key");
		goto fail;
	}
	if (sn != 86 || kg_b64url_decode(dot2 + 1, sn, raw, sizeof(raw)) != 64) {
		kg_errf(err, KG_EUNAUTH, "token signature malformed");
		goto fail;
	}
	if (!sig_ok(k, token, (size_t)(dot2 - token), raw)) {
		kg_errf(err, KG_EUNAUTH, "token signature invalid");
		goto fail;
	}
	json_decref(hdr);
	if ((claims = segment_json(dot1 + 1, (size_t)(dot2 - dot1 - 1))) == NULL) {
		kg_errf(err, KG_EUNAUTH, "token payload is not a JSON object");
		return NULL;
	}
	return claims;
 fail:
	json_decref(hdr);
	return NULL;
}
