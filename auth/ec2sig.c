/*
 * ec2sig.c - AWS signatures as Keystone checks them (see ec2sig.h):
 * keystoneclient's Ec2Signer (versions 0, 1, 2, 4) for ec2tokens and
 * Keystone's S3 token signatures (1 and 4) for s3tokens.
 *
 * Strings to sign are built in a jsonw buffer (it only appends bytes
 * here); every HMAC is OpenSSL's. Derived keys are wiped.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth/ec2sig.h"
#include "common/jsonw.h"
#include "common/util.h"

#define SHA1_LEN	20
#define SHA256_LEN	32
#define PYSTR_SIZE	32	/* str() of an integer, True, False, None */

/* ------------------------------------------------------------------------
 * Helpers: Python's str() of a JSON value, quoting, digests.
 * --------------------------------------------------------------------- */

static enum ec2sig_rc
fail(enum ec2sig_rc rc, char *why, size_t whysz, const char *fmt, const char *arg)
{
	if (why != NULL && whysz > 0)
		snprintf(why, whysz, fmt, arg != NULL ? arg : "");
	return rc;
}

/*
 * str(v) as Keystone's signer sees a value json.loads gave it: a string
 * as is, an integer in decimal, True, False, None. NULL for what keygate
 * refuses to sign (floats, arrays, objects). buf holds the non-strings.
 */
static const char *
pystr(const json_t *v, char buf[PYSTR_SIZE])
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_string_value(v);
	case JSON_INTEGER:
		snprintf(buf, PYSTR_SIZE, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		return buf;
	case JSON_TRUE:
		return "True";
	case JSON_FALSE:
		return "False";
	case JSON_NULL:
		return "None";
	default:
		return NULL;
	}
}

/* A member that must be a string: NULL when absent or another type. */
static const char *
member_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/*
 * urllib.parse.quote(s, safe): letters, digits, "_.-~" and the characters
 * of safe stay, every other byte of the UTF-8 text becomes %XX.
 */
static void
quote(struct jsonw *w, const char *s, const char *safe)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p;
	char			 esc[3];

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (isalnum(*p) && *p < 0x80)
			jsonw_rawn(w, (const char *)p, 1);
		else if (strchr("_.-~", *p) != NULL || strchr(safe, *p) != NULL)
			jsonw_rawn(w, (const char *)p, 1);
		else {
			esc[0] = '%';
			esc[1] = hex[*p >> 4];
			esc[2] = hex[*p & 0xf];
			jsonw_rawn(w, esc, 3);
		}
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of o (borrowed), sorted as Python sorts str (code points, which
 * is UTF-8 byte order). *n of them; NULL with *n = 0 when out of memory. */
static const char **
sorted_keys(const json_t *o, size_t *n)
{
	const char	**keys;
	const char	 *k;
	json_t		 *v;
	size_t		  i = 0;

	*n = json_object_size(o);
	if ((keys = calloc(*n + 1, sizeof(*keys))) == NULL) {
		*n = 0;
		return NULL;
	}
	json_object_foreach((json_t *)(uintptr_t)o, k, v)
		keys[i++] = k;
	*n = i;
	qsort(keys, i, sizeof(*keys), cmp_str);
	return keys;
}

/*
 * Ec2Signer._canonical_qs: "key=value" pairs in key order, joined by '&',
 * the key quoted with safe "", the value with safe "-_~". With set_key,
 * params[set_key] = set_val first (v2 forces SignatureMethod). Returns
 * EC2SIG_OK or EC2SIG_EFORMAT / EC2SIG_ENOMEM.
 */
static enum ec2sig_rc
canonical_qs(struct jsonw *w, const json_t *params, const char *set_key,
    const char *set_val, char *why, size_t whysz)
{
	const char	**keys, *val;
	char		  buf[PYSTR_SIZE];
	size_t		  n, i, j;
	int		  first = 1;

	if ((keys = sorted_keys(params, &n)) == NULL)
		return EC2SIG_ENOMEM;
	if (set_key != NULL && json_object_get(params, set_key) == NULL) {
		/* Insert set_key in order (keys has room for one more). */
		for (i = 0; i < n && strcmp(keys[i], set_key) < 0; i++)
			;
		for (j = n; j > i; j--)
			keys[j] = keys[j - 1];
		keys[i] = set_key;
		n++;
	}
	for (i = 0; i < n; i++) {
		if (set_key != NULL && strcmp(keys[i], set_key) == 0)
			val = set_val;
		else if ((val = pystr(json_object_get(params, keys[i]), buf)) == NULL) {
			fail(EC2SIG_EFORMAT, why, whysz,
			    "params.%.64s: not a string, integer, boolean or null",
			    keys[i]);
			free(keys);
			return EC2SIG_EFORMAT;
		}
		if (!first)
			jsonw_raw(w, "&");
		first = 0;
		quote(w, keys[i], "");
		jsonw_raw(w, "=");
		quote(w, val, "-_~");
	}
	free(keys);
	return EC2SIG_OK;
}

static void
hmac(const EVP_MD *md, const void *key, size_t keylen, const void *msg,
    size_t msglen, unsigned char *out)
{
	unsigned int	len = 0;

	HMAC(md, key, (int)keylen, msg, msglen, out, &len);
}

static void
hexstr(const unsigned char *d, size_t n, char *out)
{
	static const char	hex[] = "0123456789abcdef";
	size_t			i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 0xf];
	}
	out[2 * n] = '\0';
}

static void
b64(const unsigned char *d, size_t n, char out[EC2SIG_MAX])
{
	EVP_EncodeBlock((unsigned char *)out, d, (int)n);
}

/* ------------------------------------------------------------------------
 * Versions 0, 1, 2.
 * --------------------------------------------------------------------- */

/* base64(HMAC-SHA1(secret, Action + Timestamp)) */
static enum ec2sig_rc
sig_v0(const json_t *params, const char *secret, char out[EC2SIG_MAX],
    char *why, size_t whysz)
{
	const char	*action = member_str(params, "Action");
	const char	*ts = member_str(params, "Timestamp");
	unsigned char	 d[SHA1_LEN];
	struct jsonw	 w = JSONW_INIT;

	if (action == NULL || ts == NULL)
		return fail(EC2SIG_EFORMAT, why, whysz,
		    "signature version 0 needs params Action and Timestamp%s", "");
	jsonw_raw(&w, action);
	jsonw_raw(&w, ts);
	if (w.oom)
		return EC2SIG_ENOMEM;
	hmac(EVP_sha1(), secret, strlen(secret), w.p, w.len, d);
	free(w.p);
	b64(d, sizeof(d), out);
	return EC2SIG_OK;
}

struct v1key {
	const char	*key;
	size_t		 idx;		/* insertion order: Python's sort is stable */
};

/* sorted(params, key=str.lower), ties in insertion order. */
static int
cmp_v1(const void *a, const void *b)
{
	const struct v1key	*x = a, *y = b;
	int			 c;

	if ((c = strcasecmp(x->key, y->key)) != 0)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* base64(HMAC-SHA1 over key1 value1 key2 value2 ... in key.lower() order) */
static enum ec2sig_rc
sig_v1(const json_t *params, const char *secret, char out[EC2SIG_MAX],
    char *why, size_t whysz)
{
	struct v1key	*keys;
	struct jsonw	 w = JSONW_INIT;
	const char	*k, *val;
	json_t		*v;
	char		 buf[PYSTR_SIZE];
	unsigned char	 d[SHA1_LEN];
	size_t		 n = 0, i;

	if ((keys = calloc(json_object_size(params) + 1, sizeof(*keys))) == NULL)
		return EC2SIG_ENOMEM;
	json_object_foreach((json_t *)(uintptr_t)params, k, v) {
		keys[n].key = k;
		keys[n].idx = n;
		n++;
	}
	qsort(keys, n, sizeof(*keys), cmp_v1);
	for (i = 0; i < n; i++) {
		if ((val = pystr(json_object_get(params, keys[i].key), buf)) == NULL) {
			fail(EC2SIG_EFORMAT, why, whysz,
			    "params.%.64s: not a string, integer, boolean or null",
			    keys[i].key);
			free(keys);
			free(w.p);
			return EC2SIG_EFORMAT;
		}
		jsonw_raw(&w, keys[i].key);
		jsonw_raw(&w, val);
	}
	free(keys);
	if (w.oom)
		return EC2SIG_ENOMEM;
	hmac(EVP_sha1(), secret, strlen(secret), w.p != NULL ? w.p : "", w.len, d);
	free(w.p);
	b64(d, sizeof(d), out);
	return EC2SIG_OK;
}

/* The str() of creds[key], which Keystone requires (KeyError otherwise). */
static const char *
required(const json_t *creds, const char *key, char buf[PYSTR_SIZE], char *why,
    size_t whysz)
{
	const json_t	*v = json_object_get(creds, key);
	const char	*s;

	if (v == NULL || (s = pystr(v, buf)) == NULL) {
		fail(EC2SIG_EFORMAT, why, whysz, "credentials need a string \"%s\"", key);
		return NULL;
	}
	return s;
}

/* base64(HMAC-SHA256(verb \n host \n path \n canonical query)), with
 * params.SignatureMethod forced to HmacSHA256 as Ec2Signer does. */
static enum ec2sig_rc
sig_v2(const json_t *creds, const json_t *params, const char *secret,
    const char *host, char out[EC2SIG_MAX], char *why, size_t whysz)
{
	struct jsonw	 w = JSONW_INIT;
	const char	*verb, *path;
	char		 b1[PYSTR_SIZE], b2[PYSTR_SIZE], b3[PYSTR_SIZE];
	unsigned char	 d[SHA256_LEN];
	enum ec2sig_rc	 rc;

	if ((verb = required(creds, "verb", b1, why, whysz)) == NULL ||
	    (host == NULL && (host = required(creds, "host", b2, why,
	    whysz)) == NULL) ||
	    (path = required(creds, "path", b3, why, whysz)) == NULL)
		return EC2SIG_EFORMAT;
	jsonw_raw(&w, verb);
	jsonw_raw(&w, "\n");
	jsonw_raw(&w, host);
	jsonw_raw(&w, "\n");
	jsonw_raw(&w, path);
	jsonw_raw(&w, "\n");
	if ((rc = canonical_qs(&w, params, "SignatureMethod", "HmacSHA256", why,
	    whysz)) != EC2SIG_OK) {
		free(w.p);
		return rc;
	}
	if (w.oom)
		return EC2SIG_ENOMEM;
	hmac(EVP_sha256(), secret, strlen(secret), w.p, w.len, d);
	free(w.p);
	b64(d, sizeof(d), out);
	return EC2SIG_OK;
}

/* ------------------------------------------------------------------------
 * Version 4.
 * --------------------------------------------------------------------- */

/*
 * auth_param(name): from headers.Authorization, the text after the first
 * "<name>=" up to the next ','  ("" when absent); without that header,
 * params["X-Amz-<name>"] (NULL when absent or not a string). The result
 * is copied into out (malloc'd).
 */
static char *
auth_param(const json_t *headers, const json_t *params, const char *name)
{
	const char	*auth = member_str(headers, "Authorization"), *p, *e;
	char		 key[64];

	if (json_object_get(headers, "Authorization") != NULL) {
		if (auth == NULL)
			return NULL;
		snprintf(key, sizeof(key), "%s=", name);
		if ((p = strstr(auth, key)) == NULL)
			return strdup("");
		p += strlen(key);
		e = strchr(p, ',');
		return strndup(p, e != NULL ? (size_t)(e - p) : strlen(p));
	}
	snprintf(key, sizeof(key), "X-Amz-%s", name);
	if ((p = member_str(params, key)) == NULL)
		return NULL;
	return strdup(p);
}

/* A header name as Keystone keys it: lower case, surrounding blanks off. */
static char *
lower_strip(const char *s)
{
	const char	*e;
	char		*out;
	size_t		 i, n;

	while (*s != '\0' && isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	n = (size_t)(e - s);
	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[n] = '\0';
	return out;
}

/* The value of header name (already lower case) among headers, the last
 * one whose lowered, stripped name matches (Python's dict keeps the last);
 * *len is its length without surrounding blanks. NULL when absent. */
static const char *
header_value(const json_t *headers, const char *name, size_t *len)
{
	const char	*k, *found = NULL, *s, *e;
	json_t		*v;
	char		*lk;

	json_object_foreach((json_t *)(uintptr_t)headers, k, v) {
		if ((lk = lower_strip(k)) == NULL)
			return NULL;
		if (strcmp(lk, name) == 0 && json_is_string(v))
			found = json_string_value(v);
		free(lk);
	}
	if (found == NULL)
		return NULL;
	for (s = found; *s != '\0' && isspace((unsigned char)*s); s++)
		;
	for (e = s + strlen(s); e > s && isspace((unsigned char)e[-1]); e--)
		;
	*len = (size_t)(e - s);
	return s;
}

/* Every header value must be a string (Keystone calls .strip() on it). */
static enum ec2sig_rc
check_headers(const json_t *headers, char *why, size_t whysz)
{
	const char	*k;
	json_t		*v;

	if (!json_is_object(headers))
		return fail(EC2SIG_EFORMAT, why, whysz,
		    "signature version 4 needs a \"headers\" object%s", "");
	/* Each signed header is looked up among all: bound both. */
	if (json_object_size(headers) > EC2SIG_MAX_HEADERS)
		return fail(EC2SIG_EFORMAT, why, whysz, "more than %s headers",
		    EC2SIG_MAX_HEADERS_STR);
	json_object_foreach((json_t *)(uintptr_t)headers, k, v)
		if (!json_is_string(v))
			return fail(EC2SIG_EFORMAT, why, whysz,
			    "headers.%.64s: not a string", k);
	return EC2SIG_OK;
}

/* Boto < 2.9.3 signs the Host header without its port. */
static int
old_boto(const json_t *headers)
{
	const char	*ua;
	size_t		 n;

	if ((ua = header_value(headers, "user-agent", &n)) == NULL || n < 10)
		return 0;
	return strncmp(ua, "Boto/2.", 7) == 0 && isdigit((unsigned char)ua[7]) &&
	    ua[8] == '.' && ua[9] >= '0' && ua[9] <= '2';
}

/* canonical_header_str(): "name:value\n" for each signed header present. */
static enum ec2sig_rc
canonical_headers(struct jsonw *w, const json_t *headers, const char *signed_hdrs)
{
	const char	*p = signed_hdrs, *semi, *v, *colon;
	char		 name[256];
	size_t		 n, len;
	int		 first = 1, strip_port = old_boto(headers);

	for (;; p = semi + 1) {
		semi = strchr(p, ';');
		n = semi != NULL ? (size_t)(semi - p) : strlen(p);
		if (n < sizeof(name)) {
			memcpy(name, p, n);
			name[n] = '\0';
			if ((v = header_value(headers, name, &len)) != NULL) {
				if (strip_port && strcmp(name, "host") == 0 &&
				    (colon = memchr(v, ':', len)) != NULL)
					len = (size_t)(colon - v);
				if (!first)
					jsonw_raw(w, "\n");
				first = 0;
				jsonw_raw(w, name);
				jsonw_raw(w, ":");
				jsonw_rawn(w, v, len);
			}
		}
		if (semi == NULL)
			break;
	}
	jsonw_raw(w, "\n");
	return w->oom ? EC2SIG_ENOMEM : EC2SIG_OK;
}

/* SigV4 signing key: HMAC chain from "AWS4" + secret over date, region,
 * service, "aws4_request". */
static void
v4_key(const char *secret, const char *date, size_t datelen, const char *region,
    size_t regionlen, const char *service, size_t servicelen,
    unsigned char out[SHA256_LEN])
{
	unsigned char	 k[SHA256_LEN];
	char		*seed;
	size_t		 n = strlen(secret) + 4;

	if ((seed = malloc(n + 1)) == NULL) {
		memset(out, 0, SHA256_LEN);
		return;
	}
	snprintf(seed, n + 1, "AWS4%s", secret);
	hmac(EVP_sha256(), seed, n, date, datelen, k);
	kg_wipe(seed, n);
	free(seed);
	hmac(EVP_sha256(), k, sizeof(k), region, regionlen, k);
	hmac(EVP_sha256(), k, sizeof(k), service, servicelen, k);
	hmac(EVP_sha256(), k, sizeof(k), "aws4_request", 12, out);
	kg_wipe(k, sizeof(k));
}

/* hex(HMAC-SHA256(key, string_to_sign)) */
static void
v4_sign(const unsigned char key[SHA256_LEN], const char *sts, size_t len,
    char out[EC2SIG_MAX])
{
	unsigned char	d[SHA256_LEN];

	hmac(EVP_sha256(), key, SHA256_LEN, sts, len, d);
	hexstr(d, sizeof(d), out);
}

/* The n-th '/'-separated field of s (0-based): *f and *len. 0 or -1. */
static int
field(const char *s, int n, const char **f, size_t *len)
{
	const char	*e;

	for (; n > 0; n--) {
		if ((s = strchr(s, '/')) == NULL)
			return -1;
		s++;
	}
	e = strchr(s, '/');
	*f = s;
	*len = e != NULL ? (size_t)(e - s) : strlen(s);
	return 0;
}

static enum ec2sig_rc
sig_v4(const json_t *creds, const json_t *params, const char *secret,
    char out[EC2SIG_MAX], char *why, size_t whysz)
{
	const json_t	*headers = json_object_get(creds, "headers");
	struct jsonw	 cr = JSONW_INIT, sts = JSONW_INIT;
	const char	*verb, *path, *body_hash, *date, *region, *service, *scope;
	char		*signed_hdrs = NULL, *cred = NULL, hex[65], c;
	const char	*p;
	unsigned char	 d[SHA256_LEN], key[SHA256_LEN];
	size_t		 datelen, regionlen, servicelen, n;
	enum ec2sig_rc	 rc;

	if ((rc = check_headers(headers, why, whysz)) != EC2SIG_OK)
		return rc;
	if ((verb = member_str(creds, "verb")) == NULL ||
	    (path = member_str(creds, "path")) == NULL ||
	    (body_hash = member_str(creds, "body_hash")) == NULL)
		return fail(EC2SIG_EFORMAT, why, whysz, "signature version 4 needs "
		    "strings verb, path and body_hash%s", "");
	if ((signed_hdrs = auth_param(headers, params, "SignedHeaders")) == NULL ||
	    (cred = auth_param(headers, params, "Credential")) == NULL) {
		rc = fail(EC2SIG_EFORMAT, why, whysz, "signature version 4 needs "
		    "SignedHeaders and Credential%s", "");
		goto done;
	}
	for (n = 0, p = signed_hdrs; (p = strchr(p, ';')) != NULL; p++)
		if (++n >= EC2SIG_MAX_HEADERS) {
			rc = fail(EC2SIG_EFORMAT, why, whysz, "more than %s signed "
			    "headers", EC2SIG_MAX_HEADERS_STR);
			goto done;
		}
	/* The canonical request. */
	for (p = verb; *p != '\0'; p++) {
		c = (char)toupper((unsigned char)*p);
		jsonw_rawn(&cr, &c, 1);
	}
	jsonw_raw(&cr, "\n");
	jsonw_raw(&cr, path);
	jsonw_raw(&cr, "\n");
	if (strcasecmp(verb, "POST") != 0 &&
	    (rc = canonical_qs(&cr, params, NULL, NULL, why, whysz)) != EC2SIG_OK)
		goto done;
	jsonw_raw(&cr, "\n");
	if ((rc = canonical_headers(&cr, headers, signed_hdrs)) != EC2SIG_OK)
		goto done;
	jsonw_raw(&cr, "\n");
	jsonw_raw(&cr, signed_hdrs);
	jsonw_raw(&cr, "\n");
	jsonw_raw(&cr, body_hash);
	if (cr.oom) {
		rc = EC2SIG_ENOMEM;
		goto done;
	}
	/* The credential scope and the date it must agree with. */
	if (field(cred, 1, &date, &datelen) == -1 ||
	    field(cred, 2, &region, &regionlen) == -1 ||
	    field(cred, 3, &service, &servicelen) == -1) {
		rc = fail(EC2SIG_EFORMAT, why, whysz, "the Credential is not "
		    "<key>/<date>/<region>/<service>/...%s", "");
		goto done;
	}
	scope = date;
	if (json_object_get(headers, "X-Amz-Date") != NULL)
		p = member_str(headers, "X-Amz-Date");
	else
		p = member_str(params, "X-Amz-Date");
	if (p == NULL) {
		rc = fail(EC2SIG_EFORMAT, why, whysz, "signature version 4 needs "
		    "X-Amz-Date%s", "");
		goto done;
	}
	if (strncmp(p, date, datelen) != 0) {
		rc = fail(EC2SIG_EDATE, why, whysz, "Request date mismatch error%s", "");
		goto done;
	}
	kg_sha256(cr.p, cr.len, d);
	hexstr(d, sizeof(d), hex);
	jsonw_raw(&sts, "AWS4-HMAC-SHA256\n");
	jsonw_raw(&sts, p);
	jsonw_raw(&sts, "\n");
	jsonw_raw(&sts, scope);
	jsonw_raw(&sts, "\n");
	jsonw_raw(&sts, hex);
	if (sts.oom) {
		rc = EC2SIG_ENOMEM;
		goto done;
	}
	v4_key(secret, date, datelen, region, regionlen, service, servicelen, key);
	v4_sign(key, sts.p, sts.len, out);
	kg_wipe(key, sizeof(key));
	rc = EC2SIG_OK;
 done:
	free(cr.p);
	free(sts.p);
	free(signed_hdrs);
	free(cred);
	return rc;
}

/* Ec2Signer._v4_creds */
static int
is_v4(const json_t *creds, const json_t *params)
{
	const json_t	*headers = json_object_get(creds, "headers");
	const json_t	*auth = json_object_get(headers, "Authorization");
	const char	*alg;

	if (json_is_object(headers) && auth != NULL)
		return json_is_string(auth) && strncmp(json_string_value(auth),
		    "AWS4-HMAC-SHA256", 16) == 0;
	alg = member_str(params, "X-Amz-Algorithm");
	return alg != NULL && strcmp(alg, "AWS4-HMAC-SHA256") == 0;
}

enum ec2sig_rc
ec2sig_generate(const json_t *creds, const char *secret, const char *host,
    char out[EC2SIG_MAX], char *why, size_t whysz)
{
	const json_t	*params = json_object_get(creds, "params");
	const json_t	*ver;
	const char	*v;

	out[0] = '\0';
	if (!json_is_object(creds) || !json_is_object(params))
		return fail(EC2SIG_EFORMAT, why, whysz,
		    "credentials need a \"params\" object%s", "");
	ver = json_object_get(params, "SignatureVersion");
	v = json_string_value(ver);
	if (v != NULL && strcmp(v, "0") == 0)
		return sig_v0(params, secret, out, why, whysz);
	if (v != NULL && strcmp(v, "1") == 0)
		return sig_v1(params, secret, out, why, whysz);
	if (v != NULL && strcmp(v, "2") == 0)
		return sig_v2(creds, params, secret, host, out, why, whysz);
	if (is_v4(creds, params))
		return sig_v4(creds, params, secret, out, why, whysz);
	if (ver != NULL)
		return fail(EC2SIG_EFORMAT, why, whysz,
		    "Unknown signature version: %.32s", v != NULL ? v : "?");
	return fail(EC2SIG_EFORMAT, why, whysz, "Unexpected signature format%s", "");
}

/* Constant time in the length of the expected signature. */
static int
sig_equal(const char *given, const char *expected)
{
	size_t	n = strlen(expected);

	if (strlen(given) != n)
		return 0;
	return kg_ct_equal(given, expected, n);
}

/* urlsplit("//" + host).hostname: the host without user, port or
 * brackets, lower case. 0, or -1 when host has no port to drop. */
static int
host_without_port(const char *host, char *out, size_t outsz)
{
	const char	*h = strrchr(host, '@'), *e;
	size_t		 i, n;

	h = h != NULL ? h + 1 : host;
	if (*h == '[') {
		if ((e = strchr(h, ']')) == NULL)
			return -1;
		h++;
	} else if ((e = strchr(h, ':')) == NULL)
		e = h + strlen(h);
	n = (size_t)(e - h);
	if (n >= outsz)
		return -1;
	for (i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)h[i]);
	out[n] = '\0';
	return 0;
}

enum ec2sig_rc
ec2sig_check(const json_t *creds, const char *secret, char *why, size_t whysz)
{
	const char	*given, *host;
	char		 sig[EC2SIG_MAX], bare[256];
	enum ec2sig_rc	 rc;

	if ((rc = ec2sig_generate(creds, secret, NULL, sig, why, whysz)) != EC2SIG_OK)
		return rc;
	given = member_str(creds, "signature");
	if (given == NULL || given[0] == '\0')
		return EC2SIG_NOSIG;
	if (sig_equal(given, sig))
		return EC2SIG_OK;
	/* Some client libraries sign without the port: try again. */
	host = member_str(creds, "host");
	if (host != NULL && strchr(host, ':') != NULL &&
	    host_without_port(host, bare, sizeof(bare)) == 0) {
		if ((rc = ec2sig_generate(creds, secret, bare, sig, why,
		    whysz)) != EC2SIG_OK)
			return rc;
		if (sig_equal(given, sig))
			return EC2SIG_OK;
	}
	return EC2SIG_MISMATCH;
}

/* ------------------------------------------------------------------------
 * S3 token signatures.
 * --------------------------------------------------------------------- */

/*
 * base64.urlsafe_b64decode(s): '-' and '_' read as '+' and '/', other
 * characters outside the alphabet dropped, padding required. Returns the
 * decoded length, or -1 (malloc'd *out on success).
 */
static long
urlsafe_b64decode(const char *s, unsigned char **out)
{
	char	*clean;
	size_t	 i, n = 0, pad = 0;
	int	 len;

	if ((clean = malloc(strlen(s) + 1)) == NULL)
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		char	c = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];

		if (c == '=') {
			pad++;
			clean[n++] = c;
		} else if (isalnum((unsigned char)c) || c == '+' || c == '/') {
			if (pad > 0)		/* data after padding */
				goto bad;
			clean[n++] = c;
		}
	}
	if (n % 4 != 0 || pad > 2)
		goto bad;
	clean[n] = '\0';
	if ((*out = malloc(n / 4 * 3 + 1)) == NULL)
		goto bad;
	if ((len = EVP_DecodeBlock(*out, (unsigned char *)clean, (int)n)) < 0) {
		free(*out);
		goto bad;
	}
	free(clean);
	return (long)len - (long)pad;
 bad:
	free(clean);
	return -1;
}

/* Keystone's _calculate_signature_v4; -1 for "Invalid EC2 signature." */
static int
s3_v4(const unsigned char *sts, size_t len, const char *secret,
    char out[EC2SIG_MAX])
{
	const unsigned char	*nl[3], *p, *scope, *s[4], *end = sts + len;
	size_t			 i, k;
	unsigned char		 key[SHA256_LEN];

	/* Exactly four lines, the first "AWS4-HMAC-SHA256". */
	for (k = 0, p = sts; p < end; p++)
		if (*p == '\n') {
			if (k == 3)
				return -1;
			nl[k++] = p;
		}
	if (k != 3 || nl[0] - sts != 16 || memcmp(sts, "AWS4-HMAC-SHA256", 16) != 0)
		return -1;
	/* The scope (third line): date/region/service/aws4_request. */
	scope = nl[1] + 1;
	s[0] = scope;
	for (i = 1, p = scope; p < nl[2]; p++)
		if (*p == '/') {
			if (i == 4)
				return -1;
			s[i++] = p + 1;
		}
	if (i != 4 || (size_t)(nl[2] - s[3]) != 12 ||
	    memcmp(s[3], "aws4_request", 12) != 0)
		return -1;
	k = (size_t)(s[3] - s[2] - 1);
	if (!((k == 2 && memcmp(s[2], "s3", 2) == 0) ||
	    (k == 3 && (memcmp(s[2], "iam", 3) == 0 || memcmp(s[2], "sts", 3) == 0))))
		return -1;
	v4_key(secret, (const char *)s[0], (size_t)(s[1] - s[0] - 1),
	    (const char *)s[1], (size_t)(s[2] - s[1] - 1), (const char *)s[2], k, key);
	v4_sign(key, (const char *)sts, len, out);
	kg_wipe(key, sizeof(key));
	return 0;
}

enum ec2sig_rc
s3sig_check(const json_t *creds, const char *secret, char *why, size_t whysz)
{
	const char	*token = member_str(creds, "token");
	const char	*given = member_str(creds, "signature");
	unsigned char	*sts = NULL, d[SHA1_LEN];
	char		 sig[EC2SIG_MAX];
	long		 n;
	enum ec2sig_rc	 rc;

	if (token == NULL)
		return fail(EC2SIG_EFORMAT, why, whysz,
		    "credentials need a string \"token\"%s", "");
	if ((n = urlsafe_b64decode(token, &sts)) < 0)
		return fail(EC2SIG_EFORMAT, why, whysz,
		    "the token is not base64url with padding%s", "");
	if (n >= 4 && memcmp(sts, "AWS4", 4) == 0) {
		if (s3_v4(sts, (size_t)n, secret, sig) == -1) {
			rc = EC2SIG_MISMATCH;
			goto done;
		}
	} else {
		hmac(EVP_sha1(), secret, strlen(secret), sts, (size_t)n, d);
		b64(d, sizeof(d), sig);
	}
	if (given == NULL)
		rc = EC2SIG_NOSIG;
	else
		rc = sig_equal(given, sig) ? EC2SIG_OK : EC2SIG_MISMATCH;
 done:
	free(sts);
	return rc;
}

/* ------------------------------------------------------------------------
 * Timestamps.
 * --------------------------------------------------------------------- */

/* n digits at *p into *v; advances *p. 0 or -1. */
static int
digits(const char **p, int n, int *v)
{
	*v = 0;
	for (; n > 0; n--, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		*v = *v * 10 + (**p - '0');
	}
	return 0;
}

/*
 * iso8601.parse_date as oslo's parse_isotime uses it: YYYY[-]MM[-]DD, then
 * optionally [T ]hh[[:]mm[[:]ss[.,fraction]]] and Z or +-hh[[:]mm]; no
 * zone is UTC.
 */
static int
parse_iso(const char *s, int64_t *us)
{
	struct tm	 tm;
	const char	*p = s;
	int		 y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0, sign = 1;
	int64_t		 frac = 0, scale = 1000000, t;

	if (digits(&p, 4, &y) == -1)
		return -1;
	if (*p == '-')
		p++;
	if (digits(&p, 2, &mo) == -1)
		return -1;
	if (*p == '-')
		p++;
	if (digits(&p, 2, &d) == -1)
		return -1;
	if (*p == 'T' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) == -1)
			return -1;
		if (*p == ':')
			p++;
		if (isdigit((unsigned char)*p)) {
			if (digits(&p, 2, &mi) == -1)
				return -1;
			if (*p == ':')
				p++;
			if (isdigit((unsigned char)*p)) {
				if (digits(&p, 2, &sec) == -1)
					return -1;
				if (*p == '.' || *p == ',') {
					p++;
					if (!isdigit((unsigned char)*p))
						return -1;
					for (; isdigit((unsigned char)*p); p++)
						if (scale > 1) {
							scale /= 10;
							frac += (*p - '0') * scale;
						}
				}
			}
		}
		if (*p == 'Z')
			p++;
		else if (*p == '+' || *p == '-') {
			sign = *p++ == '-' ? -1 : 1;
			if (digits(&p, 2, &oh) == -1)
				return -1;
			if (*p == ':')
				p++;
			if (isdigit((unsigned char)*p) && digits(&p, 2, &om) == -1)
				return -1;
		}
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60 || oh > 23 || om > 59)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = (int64_t)timegm(&tm);
	t -= sign * (oh * 3600 + om * 60);
	*us = t * 1000000 + frac;
	return 0;
}

/* Python truthiness of a JSON value. */
static int
truthy(const json_t *v)
{
	if (v == NULL)
		return 0;
	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_string_length(v) > 0;
	case JSON_INTEGER:
		return json_integer_value(v) != 0;
	case JSON_REAL:
		return json_real_value(v) != 0.0;
	case JSON_TRUE:
		return 1;
	case JSON_OBJECT:
		return json_object_size(v) > 0;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	default:
		return 0;
	}
}

int
ec2sig_timestamp(const json_t *creds, int64_t *us)
{
	const json_t	*params = json_object_get(creds, "params");
	const json_t	*headers = json_object_get(creds, "headers");
	const json_t	*v = NULL;

	if (truthy(json_object_get(params, "Timestamp")))
		v = json_object_get(params, "Timestamp");
	else if (truthy(json_object_get(headers, "X-Amz-Date")))
		v = json_object_get(headers, "X-Amz-Date");
	else if (truthy(json_object_get(params, "X-Amz-Date")))
		v = json_object_get(params, "X-Amz-Date");
	if (v == NULL)
		return 0;
	if (!json_is_string(v) || parse_iso(json_string_value(v), us) == -1)
		return -1;
	return 1;
}
