/*
 * test_jwt.c - the focus of this file is auth/jwt.c: ES256 sign/verify
 * with pinned algorithm, key formats (PEM, JWK, RFC 7638 kid), and interop
 * with libjwt 1.10 and PyJWT (tokens made outside the project).
 */
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <jwt.h>		/* libjwt, for interop and attack tokens */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/jwt.h"
#include "common/util.h"
#include "tests/t.h"

/* A fixed key and its RFC 7638 thumbprint, computed independently with
 * python3-cryptography + hashlib. */
static const char fixed_pem[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIO+f6KC38t4ZZvjLjdYj0lf8+TeLWaaIJV+ONizJySY7oAoGCCqGSM49\n"
    "AwEHoUQDQgAEgbv78Cg4g5MbGdcZuDKBigiOJRLkr8pOjz+DmgoiWwvYfmsSy81F\n"
    "7FVUOOMWOmXGVRRouXxMc7X45CKVgZi8Wg==\n"
    "-----END EC PRIVATE KEY-----\n";
static const char fixed_x[] = "gbv78Cg4g5MbGdcZuDKBigiOJRLkr8pOjz-DmgoiWws";
static const char fixed_y[] = "2H5rEsvNRexVVDjjFjplxlUUaLl8THO1-OQilYGYvFo";
static const char fixed_kid[] = "uja4e2i6cHkjlqf7tul0DAfgwiatoznNow6J5-Mt0Ug";

/* Public key PEM of a private PEM (test-side OpenSSL, not jwt.c). */
static char *
public_pem(const char *priv)
{
	BIO		*in = BIO_new_mem_buf(priv, -1), *out = BIO_new(BIO_s_mem());
	EVP_PKEY	*pk = PEM_read_bio_PrivateKey(in, NULL, NULL, NULL);
	BUF_MEM		*bm;
	char		*s = NULL;

	if (pk != NULL && PEM_write_bio_PUBKEY(out, pk)) {
		BIO_get_mem_ptr(out, &bm);
		s = strndup(bm->data, bm->length);
	}
	EVP_PKEY_free(pk);
	BIO_free(in);
	BIO_free(out);
	return s;
}

/*
 * Build header.payload from raw JSON texts and sign it ES256 with priv
 * (test-side OpenSSL), so tests can craft tokens jwt_sign never makes.
 */
static char *
raw_token(const char *priv, const char *hdr, const char *payload)
{
	BIO		*in = BIO_new_mem_buf(priv, -1);
	EVP_PKEY	*pk = PEM_read_bio_PrivateKey(in, NULL, NULL, NULL);
	EVP_MD_CTX	*m = EVP_MD_CTX_new();
	unsigned char	 der[80], raw[64];
	const unsigned char *p = der;
	size_t		 dl = sizeof(der), hl = strlen(hdr), pl = strlen(payload);
	size_t		 cap = (hl + pl) * 2 + 200, off;
	ECDSA_SIG	*sig;
	const BIGNUM	*r, *s;
	char		*tok = malloc(cap);

	off = (size_t)kg_b64url_encode(hdr, hl, tok, cap);
	tok[off++] = '.';
	off += (size_t)kg_b64url_encode(payload, pl, tok + off, cap - off);
	EVP_DigestSignInit(m, NULL, EVP_sha256(), NULL, pk);
	EVP_DigestSign(m, der, &dl, (unsigned char *)tok, off);
	sig = d2i_ECDSA_SIG(NULL, &p, (long)dl);
	ECDSA_SIG_get0(sig, &r, &s);
	BN_bn2binpad(r, raw, 32);
	BN_bn2binpad(s, raw + 32, 32);
	tok[off++] = '.';
	kg_b64url_encode(raw, 64, tok + off, cap - off);
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(m);
	EVP_PKEY_free(pk);
	BIO_free(in);
	return tok;
}

static int
refused(const struct jwt_keyset *ks, const char *tok)
{
	struct kg_err	 err = { 0 };
	json_t		*c = jwt_verify(ks, tok, strlen(tok), &err);

	json_decref(c);
	return c == NULL && err.kind == KG_EUNAUTH;
}

static int
accepted(const struct jwt_keyset *ks, const char *tok)
{
	struct kg_err	 err = { 0 };
	json_t		*c = jwt_verify(ks, tok, strlen(tok), &err);
	int		 ok = c != NULL;

	json_decref(c);
	return ok;
}

/* libjwt-made token with alg and key, plus our kid in the header. */
static char *
libjwt_token(jwt_alg_t alg, const char *key, const char *kid)
{
	jwt_t	*j = NULL;
	char	*s;

	if (jwt_new(&j) != 0)
		return NULL;
	jwt_add_grant(j, "sub", "someone");
	jwt_add_grant_int(j, "exp", 4000000000L);
	if (kid != NULL)
		jwt_add_header(j, "kid", kid);
	jwt_set_alg(j, alg, (const unsigned char *)key, key ? (int)strlen(key) : 0);
	s = jwt_encode_str(j);
	jwt_free(j);
	return s;
}

struct thr_arg {
	const struct jwt_keyset	*ks;
	const char		*tok;
	int			 ok;
};

static void *
thr_verify(void *p)
{
	struct thr_arg	*a = p;
	int		 i;

	a->ok = 1;
	for (i = 0; i < 50; i++)
		if (!accepted(a->ks, a->tok))
			a->ok = 0;
	return NULL;
}

/* Run a python3 snippet with PyJWT; returns its first output line or NULL. */
static char *
run_py(const char *script, const char *arg1, const char *arg2)
{
	char	 cmd[4096], line[8192];
	FILE	*fp;
	char	*out = NULL;

	if (access("/usr/bin/python3", X_OK) != 0)
		return NULL;
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 -c '%s' '%s' '%s' 2>/dev/null",
	    script, arg1, arg2);
	if ((fp = popen(cmd, "r")) == NULL)
		return NULL;
	if (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		out = strdup(line);
	}
	pclose(fp);
	return out;
}

int
main(void)
{
	struct kg_err	 err = { 0 };
	struct jwt_key	*k, *k2, *fk, *pub, *imp, *keys[2];
	struct jwt_keyset ks, ks_pub;
	json_t		*claims, *c, *jwk, *bad;
	char		*tok, *pem, *ppem, *fpem, *s, *t2, *big;
	char		 tmpl[] = "/tmp/kg-jwt-XXXXXX";
	const char	*fk_kid;
	size_t		 n, i;
	pthread_t	 th[4];
	struct thr_arg	 ta[4];
	jwt_t		*lj;
	FILE		*fp;
	int		 fd, py;

	/* ---- keys ---- */
	k = jwt_key_from_pem(fixed_pem, strlen(fixed_pem), &err);
	T("jwt-1.1 parse EC PRIVATE KEY PEM", k != NULL && jwt_key_is_private(k));
	T("jwt-1.2 kid is the RFC 7638 thumbprint",
	    k != NULL && strcmp(jwt_key_kid(k), fixed_kid) == 0);
	jwk = jwt_key_to_jwk(k);
	T("jwt-1.3 JWK x/y/kty/crv/alg/use/kid",
	    strcmp(json_string_value(json_object_get(jwk, "x")), fixed_x) == 0 &&
	    strcmp(json_string_value(json_object_get(jwk, "y")), fixed_y) == 0 &&
	    strcmp(json_string_value(json_object_get(jwk, "kty")), "EC") == 0 &&
	    strcmp(json_string_value(json_object_get(jwk, "crv")), "P-256") == 0 &&
	    strcmp(json_string_value(json_object_get(jwk, "alg")), "ES256") == 0 &&
	    strcmp(json_string_value(json_object_get(jwk, "use")), "sig") == 0 &&
	    strcmp(json_string_value(json_object_get(jwk, "kid")), fixed_kid) == 0 &&
	    json_object_get(jwk, "d") == NULL);
	imp = jwt_key_from_jwk(jwk, &err);
	T("jwt-1.4 JWK import: public, same kid", imp != NULL &&
	    !jwt_key_is_private(imp) && strcmp(jwt_key_kid(imp), fixed_kid) == 0);

	bad = json_deep_copy(jwk);
	json_object_set_new(bad, "x", json_string("gbv78Cg4g5MbGdcZuDKBigiOJRLkr8pOjz-Dmgoi"));
	T("jwt-1.5 JWK with a 30-byte x refused", jwt_key_from_jwk(bad, &err) == NULL &&
	    err.kind == KG_EBADREQ);
	json_object_set_new(bad, "x", json_string(fixed_y));	/* off the curve */
	T("jwt-1.6 JWK point not on the curve refused", jwt_key_from_jwk(bad, &err) == NULL);
	json_object_set_new(bad, "x", json_string(fixed_x));
	json_object_set_new(bad, "crv", json_string("P-384"));
	T("jwt-1.7 JWK crv P-384 refused", jwt_key_from_jwk(bad, &err) == NULL);
	json_object_set_new(bad, "crv", json_string("P-256"));
	json_object_set_new(bad, "kty", json_string("RSA"));
	T("jwt-1.8 JWK kty RSA refused", jwt_key_from_jwk(bad, &err) == NULL);
	json_object_set_new(bad, "kty", json_string("EC"));
	json_object_set_new(bad, "d", json_string(fixed_x));
	T("jwt-1.9 JWK carrying a private d refused", jwt_key_from_jwk(bad, &err) == NULL);
	json_object_del(bad, "d");
	json_object_set_new(bad, "y", json_string("2H5rEsvNRexVVDjjFjplxlUUaLl8THO1-OQilYGYvF+"));
	T("jwt-1.10 JWK with non-base64url y refused", jwt_key_from_jwk(bad, &err) == NULL);
	json_object_set_new(bad, "y", json_integer(5));
	T("jwt-1.11 JWK with numeric y refused", jwt_key_from_jwk(bad, &err) == NULL);
	json_decref(bad);
	T("jwt-1.12 garbage PEM refused",
	    jwt_key_from_pem("-----BEGIN X-----\nabc\n", 21, &err) == NULL);

	pem = jwt_key_private_pem(k, &err);
	k2 = pem ? jwt_key_from_pem(pem, strlen(pem), &err) : NULL;
	T("jwt-1.13 private PEM export round trip (PKCS#8)", k2 != NULL &&
	    strstr(pem, "BEGIN PRIVATE KEY") != NULL &&
	    strcmp(jwt_key_kid(k2), fixed_kid) == 0 && jwt_key_is_private(k2));
	jwt_key_free(k2);
	free(pem);
	ppem = public_pem(fixed_pem);
	pub = jwt_key_from_pem(ppem, strlen(ppem), &err);
	T("jwt-1.14 public PEM parses as a public key", pub != NULL &&
	    !jwt_key_is_private(pub) && strcmp(jwt_key_kid(pub), fixed_kid) == 0);
	T("jwt-1.15 private PEM of a public key refused",
	    jwt_key_private_pem(pub, &err) == NULL);

	fk = jwt_key_generate(&err);
	k2 = jwt_key_generate(&err);
	T("jwt-1.16 generated keys are private with distinct kids", fk && k2 &&
	    jwt_key_is_private(fk) && strcmp(jwt_key_kid(fk), jwt_key_kid(k2)) != 0 &&
	    strlen(jwt_key_kid(fk)) == 43);

	/* ---- sign / verify ---- */
	claims = json_pack("{s:s, s:s, s:I, s:I, s:[s], s:{s:s, s:s}}", "iss", "keygate",
	    "sub", "u1", "iat", (json_int_t)1700000000, "exp", (json_int_t)1700003600,
	    "methods", "password", "user", "id", "u1", "name", "alice");
	tok = jwt_sign(k, claims, &err);
	keys[0] = k2;
	keys[1] = pub;
	ks.keys = keys;
	ks.n = 2;
	c = tok ? jwt_verify(&ks, tok, strlen(tok), &err) : NULL;
	T("jwt-2.1 sign then verify with the public key, claims intact",
	    c != NULL && json_equal(c, claims));
	json_decref(c);
	T("jwt-2.2 signature is raw r||s (86 base64url chars)",
	    tok && strlen(strrchr(tok, '.') + 1) == 86);
	T("jwt-2.3 public key cannot sign", jwt_sign(pub, claims, &err) == NULL);
	ks_pub.keys = &imp;
	ks_pub.n = 1;
	T("jwt-2.4 verifies with a JWK-imported key", accepted(&ks_pub, tok));
	ks_pub.keys = &k2;
	T("jwt-2.5 kid not in the keyset refused", refused(&ks_pub, tok));

	for (i = 0, n = 0; i < 12; i++) {	/* every length mod 3 of both parts */
		json_object_set_new(claims, "pad", json_stringn("xxxxxxxxxxxx", i));
		s = jwt_sign(k, claims, &err);
		n += s != NULL && accepted(&ks, s) && strlen(strrchr(s, '.') + 1) == 86;
		free(s);
	}
	json_object_del(claims, "pad");
	T("jwt-2.6 sign/verify for payload lengths of every residue", n == 12);

	/* header pinning */
	s = raw_token(fixed_pem, "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"uja4e2i6cHkjlqf7tul0DAfgwiatoznNow6J5-Mt0Ug\"}", "{\"a\":1}");
	T("jwt-3.1 hand-made ES256 token with our kid verifies", accepted(&ks, s));
	free(s);
	s = raw_token(fixed_pem, "{\"alg\":\"es256\",\"kid\":\"uja4e2i6cHkjlqf7tul0DAfgwiatoznNow6J5-Mt0Ug\"}", "{\"a\":1}");
	T("jwt-3.2 alg \"es256\" (wrong case) refused", refused(&ks, s));
	free(s);
	s = raw_token(fixed_pem, "{\"alg\":\"ES256\"}", "{\"a\":1}");
	T("jwt-3.3 no kid refused", refused(&ks, s));
	free(s);
	s = raw_token(fixed_pem, "{\"alg\":\"ES256\",\"kid\":7}", "{\"a\":1}");
	T("jwt-3.4 numeric kid refused", refused(&ks, s));
	free(s);
	s = raw_token(fixed_pem, "{\"alg\":\"ES256\",\"kid\":\"uja4e2i6cHkjlqf7tul0DAfgwiatoznNow6J5-Mt0Ug\",\"crit\":[\"exp\"]}", "{\"a\":1}");
	T("jwt-3.5 crit header refused", refused(&ks, s));
	free(s);
	s = raw_token(fixed_pem, "[\"ES256\"]", "{\"a\":1}");
	T("jwt-3.6 non-object header refused", refused(&ks, s));
	free(s);
	s = raw_token(fixed_pem, "{\"alg\":\"ES256\",\"kid\":\"uja4e2i6cHkjlqf7tul0DAfgwiatoznNow6J5-Mt0Ug\"}", "[1,2]");
	T("jwt-3.7 validly signed non-object payload refused", refused(&ks, s));
	free(s);
	s = raw_token(fixed_pem, "{\"alg\":\"ES256\",\"kid\":\"uja4e2i6cHkjlqf7tul0DAfgwiatoznNow6J5-Mt0Ug\"}", "{\"a\":1,\"a\":2}");
	T("jwt-3.8 payload with duplicate keys refused", refused(&ks, s));
	free(s);
	s = raw_token(fixed_pem, "{\"alg\":\"ES256\",\"alg\":\"none\",\"kid\":\"uja4e2i6cHkjlqf7tul0DAfgwiatoznNow6J5-Mt0Ug\"}", "{\"a\":1}");
	T("jwt-3.9 header with duplicate alg refused", refused(&ks, s));
	free(s);
	s = raw_token(fixed_pem, "{\"alg\":\"ES256\",\"kid\":\"uja4e2i6cHkjlqf7tul0DAfgwiatoznNow6J5-Mt0Ug\"}", "not json");
	T("jwt-3.10 validly signed non-JSON payload refused", refused(&ks, s));
	free(s);
	n = 17000;
	big = malloc(n + 32);
	memcpy(big, "{\"p\":\"", 6);
	memset(big + 6, 'a', n);
	memcpy(big + 6 + n, "\"}", 3);
	s = raw_token(fixed_pem, "{\"alg\":\"ES256\",\"kid\":\"uja4e2i6cHkjlqf7tul0DAfgwiatoznNow6J5-Mt0Ug\"}", big);
	T("jwt-3.11 validly signed token > 16 KiB refused", strlen(s) > 16384 &&
	    refused(&ks, s));
	free(s);
	free(big);

	/* malformed compact forms */
	T("jwt-4.1 empty token refused", refused(&ks, ""));
	T("jwt-4.2 two parts refused", refused(&ks, "eyJhbGciOiJFUzI1NiJ9.e30"));
	n = strlen(tok);
	t2 = malloc(n + 3);
	snprintf(t2, n + 3, "%s.x", tok);
	T("jwt-4.3 four parts refused", refused(&ks, t2));
	memcpy(t2, tok, n + 1);
	t2[3] = '+';
	T("jwt-4.4 non-base64url char in header refused", refused(&ks, t2));
	memcpy(t2, tok, n + 1);
	t2[n - 1] = t2[n - 1] == 'A' ? 'B' : 'A';
	T("jwt-4.5 flipped signature char refused", refused(&ks, t2));
	memcpy(t2, tok, n + 1);
	t2[n - 4] = '\0';
	T("jwt-4.6 truncated signature refused", refused(&ks, t2));
	memcpy(t2, tok, n + 1);
	t2[n - 86] = '\0';
	T("jwt-4.7 empty signature refused", refused(&ks, t2));
	memcpy(t2, tok, n + 1);
	s = strchr(t2, '.') + 1;
	*s = *s == 'e' ? 'f' : 'e';
	T("jwt-4.8 tampered payload refused", refused(&ks, t2));
	memcpy(t2, tok, n + 1);
	T("jwt-4.9 embedded NUL in length refused", jwt_verify(&ks, t2, n + 1, &err) == NULL);
	T("jwt-4.10 padded base64 (=) refused", (snprintf(t2, n + 3, "%s=", tok), refused(&ks, t2)));
	free(t2);

	/* ---- libjwt interop ---- */
	T("jwt-5.1 libjwt jwt_decode accepts our token with the public PEM",
	    jwt_decode(&lj, tok, (const unsigned char *)ppem, (int)strlen(ppem)) == 0 &&
	    jwt_get_alg(lj) == JWT_ALG_ES256 &&
	    strcmp(jwt_get_grant(lj, "sub"), "u1") == 0 &&
	    strcmp(jwt_get_header(lj, "kid"), fixed_kid) == 0);
	jwt_free(lj);
	s = libjwt_token(JWT_ALG_ES256, fixed_pem, fixed_kid);
	T("jwt-5.2 libjwt-signed ES256 token with our key and kid verifies",
	    s != NULL && accepted(&ks, s));
	free(s);
	s = libjwt_token(JWT_ALG_HS256, ppem, fixed_kid);
	T("jwt-5.3 algorithm confusion (HS256 keyed with the public PEM) refused",
	    s != NULL && refused(&ks, s));
	/* libjwt itself falls for it; we must not. */
	T("jwt-5.4 (control) libjwt 1.10 accepts that HS256 token",
	    jwt_decode(&lj, s, (const unsigned char *)ppem, (int)strlen(ppem)) == 0);
	jwt_free(lj);
	free(s);
	s = libjwt_token(JWT_ALG_NONE, NULL, fixed_kid);
	T("jwt-5.5 alg=none token refused", s != NULL && refused(&ks, s));
	free(s);
	fpem = jwt_key_private_pem(fk, &err);
	s = libjwt_token(JWT_ALG_ES256, fpem, fixed_kid);
	T("jwt-5.6 token signed by a foreign key under our kid refused",
	    s != NULL && refused(&ks, s));
	free(s);
	fk_kid = jwt_key_kid(fk);
	s = libjwt_token(JWT_ALG_ES256, fpem, fk_kid);
	T("jwt-5.7 token signed by a foreign key under its own kid refused",
	    s != NULL && refused(&ks, s));
	free(s);
	s = libjwt_token(JWT_ALG_HS256, "secret", fixed_kid);
	T("jwt-5.8 HS256 with any secret refused", s != NULL && refused(&ks, s));
	free(s);

	/* ---- PyJWT interop (optional: python3-jwt) ---- */
	s = run_py("import jwt; print(jwt.__version__)", "", "");
	py = s != NULL;
	free(s);
	if (py && (fd = mkstemp(tmpl)) != -1 && (fp = fdopen(fd, "w")) != NULL) {
		fputs(fixed_pem, fp);
		fclose(fp);
		s = run_py("import jwt,sys; k=open(sys.argv[1]).read(); "
		    "print(jwt.encode({\"sub\":\"py\",\"n\":[1,2]}, k, algorithm=\"ES256\", "
		    "headers={\"kid\":sys.argv[2]}))", tmpl, fixed_kid);
		c = s ? jwt_verify(&ks, s, strlen(s), &err) : NULL;
		T("jwt-6.1 PyJWT-made ES256 token verifies", c != NULL &&
		    strcmp(json_string_value(json_object_get(c, "sub")), "py") == 0);
		json_decref(c);
		free(s);
		s = run_py("import jwt,sys; k=open(sys.argv[1]).read(); "
		    "print(jwt.encode({\"sub\":\"py\"}, \"k\", algorithm=\"HS256\", "
		    "headers={\"kid\":sys.argv[2]}))", tmpl, fixed_kid);
		T("jwt-6.2 PyJWT-made HS256 token refused", s != NULL && refused(&ks, s));
		free(s);
		fp = fopen(tmpl, "w");
		fputs(ppem, fp);
		fclose(fp);
		s = run_py("import jwt,sys; k=open(sys.argv[1]).read(); "
		    "print(jwt.decode(sys.argv[2], k, algorithms=[\"ES256\"], "
		    "options={\"verify_exp\": False})[\"sub\"])", tmpl, tok);
		T("jwt-6.3 PyJWT verifies our token", s != NULL && strcmp(s, "u1") == 0);
		free(s);
		unlink(tmpl);
	} else
		printf("skip jwt-6.x: /usr/bin/python3 with PyJWT not available\n");

	/* ---- threads share one parsed key ---- */
	for (i = 0; i < 4; i++) {
		ta[i].ks = &ks;
		ta[i].tok = tok;
		pthread_create(&th[i], NULL, thr_verify, &ta[i]);
	}
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	T("jwt-7.1 concurrent verification with a shared key",
	    ta[0].ok && ta[1].ok && ta[2].ok && ta[3].ok);
	{
		/* Another typ (auth receipts): never a token, and back. */
		char	*rc = jwt_sign_typ(k, "keygate-receipt+jwt", "{\"sub\":\"u1\"}",
		    12, &err);
		json_t	*v1 = rc ? jwt_verify(&ks, rc, strlen(rc), &err) : NULL;
		json_t	*v2 = rc ? jwt_verify_typ(&ks, "keygate-receipt+jwt", rc,
		    strlen(rc), &err) : NULL;
		json_t	*v3 = jwt_verify_typ(&ks, "keygate-receipt+jwt", tok,
		    strlen(tok), &err);

		T("jwt-8.1 a JWT of another typ is refused by jwt_verify",
		    rc != NULL && v1 == NULL);
		T("jwt-8.2 jwt_verify_typ accepts its typ only", v2 != NULL &&
		    t_streq(json_string_value(json_object_get(v2, "sub")), "u1") &&
		    v3 == NULL);
		json_decref(v1);
		json_decref(v2);
		json_decref(v3);
		free(rc);
	}

	free(fpem);
	free(tok);
	free(ppem);
	json_decref(claims);
	json_decref(jwk);
	jwt_key_free(k);
	jwt_key_free(k2);
	jwt_key_free(fk);
	jwt_key_free(pub);
	jwt_key_free(imp);
	return t_report();
}
