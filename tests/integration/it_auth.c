/*
 * it_auth.c - the focus of this file is the token API against the real
 * server: POST/GET/HEAD/DELETE /v3/auth/tokens (success and every
 * refusal), /v3/auth/{catalog,projects,domains,system}, JWKS with offline
 * verification, OS-REVOKE events, key rotation with SIGHUP, and tokens
 * crafted outside the server (expired, tampered, alg=none, HS256 keyed
 * with the public key, foreign key).
 *
 * Fixtures the users API would make (a second user, disabling, password
 * change) are made with "keygate bootstrap" and SQL (it_sql) on the
 * server's database, so these tests depend only on the token module.
 */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <dirent.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "tests/integration/it.h"

static struct it_server	s;

/* ---- test-side JOSE helpers (independent of auth/jwt.c) ---------------- */

static char *
b64(const void *p, size_t n)
{
	size_t	 cap = (n + 2) / 3 * 4 + 1;
	char	*o = malloc(cap);

	kg_b64url_encode(p, n, o, cap);
	return o;
}

/* Decode the JSON of a token part (0 header, 1 payload). */
static json_t *
part(const char *tok, int which)
{
	const char	*a = tok, *b;
	char		 buf[16384];
	long		 n;

	if (which == 1)
		a = strchr(tok, '.') + 1;
	b = strchr(a, '.');
	n = kg_b64url_decode(a, (size_t)(b - a), buf, sizeof(buf));
	return n > 0 ? json_loadb(buf, (size_t)n, 0, NULL) : NULL;
}

/* The server's key file with the highest index (the primary). */
static EVP_PKEY *
primary_key(void)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[512];
	long		 best = -1, v;
	FILE		*fp;
	EVP_PKEY	*k = NULL;

	snprintf(path, sizeof(path), "%s/keys", s.dir);
	if ((d = opendir(path)) == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] >= '0' && de->d_name[0] <= '9' &&
		    (v = strtol(de->d_name, NULL, 10)) > best)
			best = v;
	closedir(d);
	snprintf(path, sizeof(path), "%s/keys/%ld", s.dir, best);
	if ((fp = fopen(path, "r")) != NULL) {
		k = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
		fclose(fp);
	}
	return k;
}

/* RFC 7638 thumbprint of an EC key, computed here. */
static char *
thumbprint(EVP_PKEY *k)
{
	BIGNUM		*x = NULL, *y = NULL;
	unsigned char	 xb[32], yb[32], dig[32];
	char		*xs, *ys, j[256];

	EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_X, &x);
	EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_Y, &y);
	BN_bn2binpad(x, xb, 32);
	BN_bn2binpad(y, yb, 32);
	xs = b64(xb, 32);
	ys = b64(yb, 32);
	snprintf(j, sizeof(j), "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}",
	    xs, ys);
	kg_sha256(j, strlen(j), dig);
	free(xs);
	free(ys);
	BN_free(x);
	BN_free(y);
	return b64(dig, 32);
}

/* header.payload signed ES256 with k (raw r||s). */
static char *
sign_es256(EVP_PKEY *k, const char *hdr, json_t *payload)
{
	EVP_MD_CTX	*m = EVP_MD_CTX_new();
	unsigned char	 der[80], raw[64];
	const unsigned char *p = der;
	size_t		 dl = sizeof(der);
	ECDSA_SIG	*sig;
	const BIGNUM	*r, *ss;
	char		*ps = json_dumps(payload, JSON_COMPACT), *h64, *p64, *s64, *out;
	size_t		 n;

	h64 = b64(hdr, strlen(hdr));
	p64 = b64(ps, strlen(ps));
	n = strlen(h64) + strlen(p64) + 100;
	out = malloc(n);
	snprintf(out, n, "%s.%s", h64, p64);
	EVP_DigestSignInit(m, NULL, EVP_sha256(), NULL, k);
	EVP_DigestSign(m, der, &dl, (unsigned char *)out, strlen(out));
	sig = d2i_ECDSA_SIG(NULL, &p, (long)dl);
	ECDSA_SIG_get0(sig, &r, &ss);
	BN_bn2binpad(r, raw, 32);
	BN_bn2binpad(ss, raw + 32, 32);
	s64 = b64(raw, 64);
	t_cat(out, n, ".");
	t_cat(out, n, s64);
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(m);
	free(ps);
	free(h64);
	free(p64);
	free(s64);
	return out;
}

static char *
hdr_with_kid(const char *alg, const char *kid)
{
	static char	h[256];

	snprintf(h, sizeof(h), "{\"alg\":\"%s\",\"typ\":\"JWT\",\"kid\":\"%s\"}", alg, kid);
	return h;
}

/* Verify tok offline with the server's JWKS, as keygate-gateway would. */
static int
verify_with_jwks(json_t *jwks, const char *tok)
{
	json_t		*hdr = part(tok, 0), *k;
	const char	*kid = json_string_value(json_object_get(hdr, "kid")), *dot;
	unsigned char	 x[32], y[32], pt[65], raw[64], *der = NULL;
	EVP_PKEY	*pk = NULL;
	EVP_PKEY_CTX	*pc;
	EVP_MD_CTX	*m;
	OSSL_PARAM	 prm[3];
	ECDSA_SIG	*sig;
	size_t		 i;
	int		 ok = 0, dl;

	json_array_foreach(json_object_get(jwks, "keys"), i, k) {
		if (kid == NULL || strcmp(json_string_value(json_object_get(k, "kid")), kid))
			continue;
		kg_b64url_decode(json_string_value(json_object_get(k, "x")), 43, x, 32);
		kg_b64url_decode(json_string_value(json_object_get(k, "y")), 43, y, 32);
		pt[0] = 4;
		memcpy(pt + 1, x, 32);
		memcpy(pt + 33, y, 32);
		prm[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
		    (char *)"prime256v1", 0);
		prm[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pt, 65);
		prm[2] = OSSL_PARAM_construct_end();
		pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
		EVP_PKEY_fromdata_init(pc);
		EVP_PKEY_fromdata(pc, &pk, EVP_PKEY_PUBLIC_KEY, prm);
		EVP_PKEY_CTX_free(pc);
	}
	json_decref(hdr);
	if (pk == NULL)
		return 0;
	dot = strrchr(tok, '.');
	if (kg_b64url_decode(dot + 1, strlen(dot + 1), raw, 64) == 64) {
		sig = ECDSA_SIG_new();
		ECDSA_SIG_set0(sig, BN_bin2bn(raw, 32, NULL), BN_bin2bn(raw + 32, 32, NULL));
		dl = i2d_ECDSA_SIG(sig, &der);
		m = EVP_MD_CTX_new();
		EVP_DigestVerifyInit(m, NULL, EVP_sha256(), NULL, pk);
		ok = EVP_DigestVerify(m, der, (size_t)dl, (const unsigned char *)tok,
		    (size_t)(dot - tok)) == 1;
		EVP_MD_CTX_free(m);
		OPENSSL_free(der);
		ECDSA_SIG_free(sig);
	}
	EVP_PKEY_free(pk);
	return ok;
}

/* ---- fixtures --------------------------------------------------------- */

/* Run build/keygate with a NULL-terminated argument list (environment
 * inherited from it_start). Returns the exit status. */
static int
keygate(const char *arg, ...)
{
	const char	*argv[16];
	char		 exe[512];
	va_list		 ap;
	pid_t		 pid;
	int		 st, n = 0;

	argv[n++] = "keygate";
	va_start(ap, arg);
	for (; arg != NULL && n < 15; arg = va_arg(ap, const char *))
		argv[n++] = arg;
	va_end(ap);
	argv[n] = NULL;
	snprintf(exe, sizeof(exe), "%s/keygate", getenv("KG_BUILD") ?
	    getenv("KG_BUILD") : "build");
	if ((pid = fork()) == 0) {
		if (freopen("/dev/null", "w", stderr) == NULL ||
		    freopen("/dev/null", "w", stdout) == NULL)
			_exit(127);
		execv(exe, (char *const *)argv);
		_exit(127);
	}
	if (pid == -1 || waitpid(pid, &st, 0) == -1)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Run one SQL statement on the server's database. */
static int
sql(const char *stmt)
{
	return it_sql(&s, stmt);
}

static char *
pw_body(const char *user, const char *pw, const char *scope_json)
{
	return strdup(it_fmt("{\"auth\": {\"identity\": {\"methods\": [\"password\"], "
	    "\"password\": {\"user\": {\"name\": \"%s\", \"domain\": {\"id\": \"default\"},"
	    " \"password\": \"%s\"}}}%s%s}}", user, pw, scope_json ? ", \"scope\": " : "",
	    scope_json ? scope_json : ""));
}

/* POST a token; returns the X-Subject-Token (malloc'd) and the reply. */
static char *
post_token(const char *body, const char *query, struct it_resp *r)
{
	char	*tok;

	it_req(&s, "POST", it_fmt("/v3/auth/tokens%s", query ? query : ""), NULL,
	    body, NULL, r);
	tok = r->subject_token ? strdup(r->subject_token) : NULL;
	return tok;
}

static long
check(const char *method, const char *query, const char *auth, const char *subject,
    struct it_resp *r)
{
	char		 h[8192];
	const char	*hdrs[2] = { NULL, NULL };

	if (subject != NULL) {
		snprintf(h, sizeof(h), "X-Subject-Token: %s", subject);
		hdrs[0] = h;
	}
	it_req(&s, method, it_fmt("/v3/auth/tokens%s", query ? query : ""), auth, NULL,
	    hdrs, r);
	return r->status;
}

static long
check_status(const char *method, const char *query, const char *auth,
    const char *subject)
{
	struct it_resp	r;
	long		st = check(method, query, auth, subject, &r);

	it_resp_free(&r);
	return st;
}

static int
msg_is(struct it_resp *r, const char *m)
{
	const char	*v = it_str(r->json, "error.message");

	return v != NULL && strcmp(v, m) == 0;
}

static int
streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* POST expecting a failure: status and (optional) exact message. */
static int
refused(const char *body, long status, const char *msg)
{
	struct it_resp	r;
	int		ok;

	it_req(&s, "POST", "/v3/auth/tokens", NULL, body, NULL, &r);
	ok = r.status == status && (msg == NULL || msg_is(&r, msg)) &&
	    r.subject_token == NULL;
	if (!ok)
		printf("    got %ld %s\n", r.status, r.body);
	it_resp_free(&r);
	return ok;
}

int
main(void)
{
	struct it_resp	 r, r2;
	json_t		*tokbody, *c, *pl, *jwks, *hdr;
	EVP_PKEY	*pk, *foreign;
	char		*admin, *unscoped, *child, *alice, *alice2, *t, *body, *kid;
	char		*pem_pub = NULL, admin_id[64], alice_id[64], demo_id[64];
	char		 admin_audit[64], *ppem;
	const char	*admin_role = NULL, *member_role = NULL;
	BIO		*bio;
	BUF_MEM		*bm;
	unsigned char	 mac[32];
	unsigned int	 maclen;
	char		*h64, *p64, *m64, hs[8192];
	int64_t		 now = kg_now_us() / 1000000;
	size_t		 i;

	it_start(&s, NULL);

	/* ---- 1. issue ---- */
	body = pw_body("admin", IT_ADMIN_PASSWORD, "{\"project\": {\"name\": \"admin\", "
	    "\"domain\": {\"name\": \"Default\"}}}");
	admin = post_token(body, NULL, &r);
	free(body);
	tokbody = json_incref(it_get(r.json, "token"));
	T("auth-1.1 password + project scope -> 201 with X-Subject-Token",
	    r.status == 201 && admin != NULL && strncmp(admin, "eyJ", 3) == 0);
	T("auth-1.2 body: methods, user (domain, password_expires_at null), audit_ids",
	    streq(it_str(r.json, "token.methods.0"), "password") &&
	    streq(it_str(r.json, "token.user.domain.id"), "default") &&
	    streq(it_str(r.json, "token.user.domain.name"), "Default") &&
	    streq(it_str(r.json, "token.user.name"), "admin") &&
	    json_is_null(it_get(r.json, "token.user.password_expires_at")) &&
	    it_str(r.json, "token.audit_ids.0") != NULL &&
	    strlen(it_str(r.json, "token.audit_ids.0")) == 22);
	T("auth-1.3 body: Keystone time format, project, is_domain, roles",
	    it_str(r.json, "token.expires_at") != NULL &&
	    strlen(it_str(r.json, "token.expires_at")) == 27 &&
	    strstr(it_str(r.json, "token.issued_at"), ".000000Z") != NULL &&
	    streq(it_str(r.json, "token.project.name"), "admin") &&
	    streq(it_str(r.json, "token.project.domain.name"), "Default") &&
	    json_is_false(it_get(r.json, "token.is_domain")) &&
	    it_str(r.json, "token.roles.0.id") != NULL);
	T("auth-1.4 catalog: identity service, 3 endpoints in RegionOne",
	    streq(it_str(r.json, "token.catalog.0.type"), "identity") &&
	    streq(it_str(r.json, "token.catalog.0.name"), "keystone") &&
	    json_array_size(it_get(r.json, "token.catalog.0.endpoints")) == 3 &&
	    streq(it_str(r.json, "token.catalog.0.endpoints.0.region"), "RegionOne") &&
	    streq(it_str(r.json, "token.catalog.0.endpoints.0.region_id"), "RegionOne") &&
	    streq(it_str(r.json, "token.catalog.0.endpoints.0.url"),
	    it_fmt("%s/v3", s.base)));
	snprintf(admin_id, sizeof(admin_id), "%s", it_str(r.json, "token.user.id"));
	snprintf(admin_audit, sizeof(admin_audit), "%s", it_str(r.json, "token.audit_ids.0"));
	admin_role = NULL;
	json_array_foreach(it_get(r.json, "token.roles"), i, c)
		if (streq(json_string_value(json_object_get(c, "name")), "admin"))
			admin_role = json_string_value(json_object_get(c, "id"));
		else if (streq(json_string_value(json_object_get(c, "name")), "member"))
			member_role = json_string_value(json_object_get(c, "id"));
	T("auth-1.5 admin holds admin (and implied member)", admin_role && member_role);
	admin_role = strdup(admin_role ? admin_role : "");
	member_role = strdup(member_role ? member_role : "");
	it_resp_free(&r);

	body = pw_body("admin", IT_ADMIN_PASSWORD, "{\"project\": {\"name\": \"admin\", "
	    "\"domain\": {\"id\": \"default\"}}}");
	t = post_token(body, "?nocatalog", &r);
	T("auth-1.6 ?nocatalog on issue", r.status == 201 &&
	    it_get(r.json, "token.catalog") == NULL &&
	    it_get(r.json, "token.roles") != NULL);
	free(t);
	free(body);
	it_resp_free(&r);

	body = pw_body("admin", IT_ADMIN_PASSWORD, "\"unscoped\"");
	unscoped = post_token(body, NULL, &r);
	T("auth-1.7 explicitly unscoped: no project, roles, catalog, is_domain",
	    r.status == 201 && it_get(r.json, "token.project") == NULL &&
	    it_get(r.json, "token.roles") == NULL && it_get(r.json, "token.catalog") == NULL &&
	    it_get(r.json, "token.is_domain") == NULL && it_get(r.json, "token.user") != NULL);
	free(body);
	it_resp_free(&r);

	body = pw_body("admin", IT_ADMIN_PASSWORD, "{\"system\": {\"all\": true}}");
	t = post_token(body, NULL, &r);
	T("auth-1.8 system scope", r.status == 201 &&
	    json_is_true(it_get(r.json, "token.system.all")) &&
	    it_get(r.json, "token.catalog") != NULL && it_get(r.json, "token.project") == NULL);
	free(t);
	free(body);
	it_resp_free(&r);

	body = pw_body("admin", IT_ADMIN_PASSWORD, "{\"domain\": {\"id\": \"default\"}}");
	T("auth-1.9 domain scope without a domain role -> 401", refused(body, 401,
	    "The request you have made requires authentication."));
	T("auth-1.10 grant admin on domain default",
	    it_status(&s, "PUT", it_fmt("/v3/domains/default/users/%s/roles/%s", admin_id,
	    admin_role), admin, NULL) == 204);
	t = post_token(body, NULL, &r);
	T("auth-1.11 then domain scope -> 201 with domain, no is_domain",
	    r.status == 201 && streq(it_str(r.json, "token.domain.id"), "default") &&
	    streq(it_str(r.json, "token.domain.name"), "Default") &&
	    it_get(r.json, "token.is_domain") == NULL && it_get(r.json, "token.roles") != NULL);
	free(t);
	free(body);
	it_resp_free(&r);

	/* token method: rescope the unscoped token */
	body = strdup(it_fmt("{\"auth\": {\"identity\": {\"methods\": [\"token\"], \"token\":"
	    " {\"id\": \"%s\"}}, \"scope\": {\"project\": {\"name\": \"admin\", \"domain\":"
	    " {\"id\": \"default\"}}}}}", unscoped));
	child = post_token(body, NULL, &r);
	check("GET", NULL, admin, unscoped, &r2);
	T("auth-1.12 token method: scoped, same expiry, audit chain, methods",
	    r.status == 201 && child != NULL &&
	    streq(it_str(r.json, "token.project.name"), "admin") &&
	    streq(it_str(r.json, "token.expires_at"), it_str(r2.json, "token.expires_at")) &&
	    streq(it_str(r.json, "token.audit_ids.1"), it_str(r2.json, "token.audit_ids.0")) &&
	    streq(it_str(r.json, "token.methods.0"), "token") &&
	    streq(it_str(r.json, "token.methods.1"), "password"));
	free(body);
	it_resp_free(&r);
	it_resp_free(&r2);

	/* refusals */
	body = pw_body("admin", "wrong", NULL);
	it_req(&s, "POST", "/v3/auth/tokens", NULL, body, NULL, &r);
	t = it_header(&r, "WWW-Authenticate");
	T("auth-1.13 wrong password -> 401, Keystone text, WWW-Authenticate",
	    r.status == 401 && msg_is(&r, "The request you have made requires "
	    "authentication.") && streq(t, it_fmt("Keystone uri=\"%s/v3\"", s.base)) &&
	    r.subject_token == NULL);
	free(t);
	free(body);
	it_resp_free(&r);
	body = pw_body("nobody", "x", NULL);
	T("auth-1.14 unknown user -> 401", refused(body, 401, NULL));
	free(body);
	T("auth-1.15 unknown user domain -> 401", refused("{\"auth\": {\"identity\": "
	    "{\"methods\": [\"password\"], \"password\": {\"user\": {\"name\": \"admin\", "
	    "\"domain\": {\"name\": \"Nope\"}, \"password\": \"admin-secret\"}}}}}", 401, NULL));
	T("auth-1.16 no body -> 400", refused(NULL, 400, NULL));
	T("auth-1.17 malformed JSON -> 400", refused("{\"auth\": ", 400, NULL));
	T("auth-1.18 missing identity -> 400", refused("{\"auth\": {}}", 400,
	    "'identity' is a required property"));
	T("auth-1.19 missing methods -> 400 Keystone text", refused("{\"auth\": "
	    "{\"identity\": {}}}", 400, "Invalid input for field 'identity': 'methods' "
	    "is a required property"));
	T("auth-1.20 methods not an array -> 400", refused("{\"auth\": {\"identity\": "
	    "{\"methods\": \"password\"}}}", 400, "Invalid input for field "
	    "'identity/methods': 'password' is not of type 'array'"));
	T("auth-1.21 password method without payload -> 400", refused("{\"auth\": "
	    "{\"identity\": {\"methods\": [\"password\"]}}}", 400, "Expecting to find "
	    "password in identity. The server could not comply with the request since it "
	    "is either malformed or otherwise incorrect. The client is assumed to be in "
	    "error."));
	T("auth-1.22 user name without domain -> 400", refused("{\"auth\": {\"identity\": "
	    "{\"methods\": [\"password\"], \"password\": {\"user\": {\"name\": \"admin\", "
	    "\"password\": \"x\"}}}}}", 400, NULL));
	T("auth-1.23 password of the wrong type -> 400 without echoing it",
	    refused("{\"auth\": {\"identity\": {\"methods\": [\"password\"], \"password\": "
	    "{\"user\": {\"name\": \"admin\", \"domain\": {\"id\": \"default\"}, "
	    "\"password\": 123456789}}}}}", 400, "Invalid input for field "
	    "'identity/password/user/password': '******' is not of type 'string'"));
	T("auth-1.24 unsupported method -> 401", refused("{\"auth\": {\"identity\": "
	    "{\"methods\": [\"oauth1\"], \"oauth1\": {}}}}", 401, NULL));
	T("auth-1.25 two scopes -> 400", refused("{\"auth\": {\"identity\": {\"methods\": "
	    "[\"password\"], \"password\": {\"user\": {\"name\": \"admin\", \"domain\": "
	    "{\"id\": \"default\"}, \"password\": \"admin-secret\"}}}, \"scope\": "
	    "{\"project\": {\"id\": \"x\"}, \"domain\": {\"id\": \"default\"}}}}", 400, NULL));
	T("auth-1.26 project name without domain -> 400", refused("{\"auth\": "
	    "{\"identity\": {\"methods\": [\"password\"], \"password\": {\"user\": "
	    "{\"name\": \"admin\", \"domain\": {\"id\": \"default\"}, \"password\": "
	    "\"admin-secret\"}}}, \"scope\": {\"project\": {\"name\": \"admin\"}}}}", 400,
	    NULL));
	T("auth-1.27 token method without id -> 400", refused("{\"auth\": {\"identity\": "
	    "{\"methods\": [\"token\"], \"token\": {}}}}", 400, "Invalid input for field "
	    "'identity/token': 'id' is a required property"));
	T("auth-1.28 token method with garbage -> 404 Could not recognize token",
	    refused("{\"auth\": {\"identity\": {\"methods\": [\"token\"], \"token\": "
	    "{\"id\": \"garbage\"}}}}", 404, "Could not recognize token"));
	body = pw_body("admin", IT_ADMIN_PASSWORD, "{\"project\": {\"id\": "
	    "\"0123456789abcdef0123456789abcdef\"}}");
	T("auth-1.29 unknown project -> 401", refused(body, 401, NULL));
	free(body);

	/* A scope name longer than the state cache's old 2 KiB key buffer:
	 * its length computation wrapped and smashed the worker's stack. */
	{
		char	longname[3001];

		memset(longname, 'p', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = '\0';
		body = strdup(it_fmt("{\"auth\": {\"identity\": {\"methods\": [\"token\"], "
		    "\"token\": {\"id\": \"%s\"}}, \"scope\": {\"project\": {\"name\": "
		    "\"%s\", \"domain\": {\"id\": \"default\"}}}}}", unscoped, longname));
		it_req(&s, "POST", "/v3/auth/tokens", NULL, body, NULL, &r);
		T("auth-1.29a token method, 3000-character project name -> 4xx, no crash",
		    r.status == 400 || r.status == 401);
		it_resp_free(&r);
		free(body);
		T("auth-1.29b the server still answers", it_status(&s, "GET", "/v3", NULL,
		    NULL) == 200);
	}

	/* a second user "alice", member on project "demo" (bootstrap does it) */
	T("auth-1.30 fixture: bootstrap makes alice, member on demo",
	    keygate("bootstrap", "--bootstrap-username", "alice", "--bootstrap-password",
	    "alice-pw", "--bootstrap-project-name", "demo", "--bootstrap-role-name",
	    "member", (char *)NULL) == 0);
	body = pw_body("alice", "alice-pw", "{\"project\": {\"name\": \"demo\", "
	    "\"domain\": {\"id\": \"default\"}}}");
	alice = post_token(body, NULL, &r);
	T("auth-1.31 alice gets a demo token with member, not admin",
	    r.status == 201 && alice != NULL &&
	    strstr(r.body, "\"name\":\"admin\"") == NULL &&
	    strstr(r.body, "\"name\":\"member\"") != NULL);
	snprintf(alice_id, sizeof(alice_id), "%s", it_str(r.json, "token.user.id") ?
	    it_str(r.json, "token.user.id") : "");
	snprintf(demo_id, sizeof(demo_id), "%s", it_str(r.json, "token.project.id") ?
	    it_str(r.json, "token.project.id") : "");
	it_resp_free(&r);
	free(body);
	body = pw_body("alice", "alice-pw", "{\"project\": {\"name\": \"admin\", "
	    "\"domain\": {\"id\": \"default\"}}}");
	T("auth-1.32 project without a role -> 401", refused(body, 401, NULL));
	free(body);
	sql(it_fmt("UPDATE project SET enabled = 0 WHERE id = '%s'", demo_id));
	body = pw_body("alice", "alice-pw", it_fmt("{\"project\": {\"id\": \"%s\"}}",
	    demo_id));
	T("auth-1.33 disabled project -> 401, and its tokens fail validation",
	    refused(body, 401, NULL) && check_status("GET", NULL, admin, alice) == 404);
	sql(it_fmt("UPDATE project SET enabled = 1 WHERE id = '%s'", demo_id));
	T("auth-1.34 re-enabled project: token valid again (state, not an event)",
	    check_status("GET", NULL, admin, alice) == 200);
	free(body);

	/* ---- 2. validate ---- */
	check("GET", NULL, admin, admin, &r);
	T("auth-2.1 GET validates: 200, X-Subject-Token echoed, same body",
	    r.status == 200 && streq(r.subject_token, admin) &&
	    json_equal(it_get(r.json, "token"), tokbody));
	it_resp_free(&r);
	check("GET", "?nocatalog", admin, admin, &r);
	T("auth-2.2 ?nocatalog", r.status == 200 && it_get(r.json, "token.catalog") == NULL &&
	    it_get(r.json, "token.project") != NULL);
	it_resp_free(&r);
	check("HEAD", NULL, admin, admin, &r);
	T("auth-2.3 HEAD -> 200, no body, X-Subject-Token", r.status == 200 &&
	    r.body[0] == '\0' && streq(r.subject_token, admin));
	it_resp_free(&r);
	check("GET", NULL, admin, "garbage", &r);
	T("auth-2.4 garbage -> 404 Could not recognize token", r.status == 404 &&
	    msg_is(&r, "Could not recognize token") && r.subject_token == NULL);
	it_resp_free(&r);
	T("auth-2.5 no X-Subject-Token -> 404", check_status("GET", NULL, admin, NULL) == 404);
	T("auth-2.6 no X-Auth-Token -> 401", check_status("GET", NULL, NULL, admin) == 401);
	T("auth-2.7 garbage X-Auth-Token -> 401",
	    check_status("GET", NULL, "garbage", admin) == 401);
	T("auth-2.8 alice validates her own token", check_status("GET", NULL, alice,
	    alice) == 200 && check_status("HEAD", NULL, alice, alice) == 200);
	check("GET", NULL, alice, admin, &r);
	T("auth-2.9 alice validating admin's token -> 403", r.status == 403 &&
	    strstr(it_str(r.json, "error.message"), "identity:validate_token") != NULL);
	it_resp_free(&r);
	T("auth-2.10 admin validates alice's token", check_status("GET", NULL, admin,
	    alice) == 200);
	T("auth-2.11 unscoped token works as X-Auth-Token for itself",
	    check_status("GET", NULL, unscoped, unscoped) == 200);

	/* crafted tokens */
	pl = part(admin, 1);
	t = strdup(admin);
	{
		char *p = strchr(t, '.') + 5;

		*p = *p == 'A' ? 'B' : 'A';
	}
	T("auth-2.12 tampered payload -> 404", check_status("GET", NULL, admin, t) == 404);
	free(t);
	hdr = part(admin, 0);
	kid = strdup(json_string_value(json_object_get(hdr, "kid")));
	json_decref(hdr);
	{
		char *ps = json_dumps(pl, JSON_COMPACT), *hh;

		hh = hdr_with_kid("none", kid);
		h64 = b64(hh, strlen(hh));
		p64 = b64(ps, strlen(ps));
		snprintf(hs, sizeof(hs), "%s.%s.", h64, p64);
		T("auth-2.13 alg=none token -> 404 (and 401 as X-Auth-Token)",
		    check_status("GET", NULL, admin, hs) == 404 &&
		    check_status("GET", NULL, hs, admin) == 401);
		free(h64);
		free(p64);
		/* HS256 keyed with the public key PEM: the algorithm-confusion attack */
		pk = primary_key();
		bio = BIO_new(BIO_s_mem());
		PEM_write_bio_PUBKEY(bio, pk);
		BIO_get_mem_ptr(bio, &bm);
		pem_pub = strndup(bm->data, bm->length);
		BIO_free(bio);
		hh = hdr_with_kid("HS256", kid);
		h64 = b64(hh, strlen(hh));
		p64 = b64(ps, strlen(ps));
		snprintf(hs, sizeof(hs), "%s.%s", h64, p64);
		HMAC(EVP_sha256(), pem_pub, (int)strlen(pem_pub), (unsigned char *)hs,
		    strlen(hs), mac, &maclen);
		m64 = b64(mac, maclen);
		t_cat(hs, sizeof(hs), ".");
		t_cat(hs, sizeof(hs), m64);
		T("auth-2.14 HS256 keyed with the public key PEM -> 404",
		    check_status("GET", NULL, admin, hs) == 404 &&
		    check_status("GET", NULL, hs, admin) == 401);
		free(h64);
		free(p64);
		free(m64);
		free(ps);
	}
	foreign = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	t = sign_es256(foreign, hdr_with_kid("ES256", kid), pl);
	T("auth-2.15 signed by a foreign key under our kid -> 404",
	    check_status("GET", NULL, admin, t) == 404);
	free(t);
	ppem = thumbprint(foreign);
	t = sign_es256(foreign, hdr_with_kid("ES256", ppem), pl);
	T("auth-2.16 signed by a foreign key under its own kid -> 404",
	    check_status("GET", NULL, admin, t) == 404);
	free(t);
	free(ppem);
	ppem = thumbprint(pk);
	t = sign_es256(pk, hdr_with_kid("ES256", ppem), pl);
	T("auth-2.17 (control) re-signed by the repository key -> 200",
	    streq(ppem, kid) && check_status("GET", NULL, admin, t) == 200);
	free(t);
	free(ppem);
	json_object_set_new(pl, "iat", json_integer(now - 7200));
	json_object_set_new(pl, "iat_us", json_integer((now - 7200) * 1000000));
	json_object_set_new(pl, "exp", json_integer(now - 3600));
	t = sign_es256(pk, hdr_with_kid("ES256", kid), pl);
	check("GET", NULL, admin, t, &r);
	T("auth-2.18 expired token -> 404 Failed to validate token",
	    r.status == 404 && msg_is(&r, "Failed to validate token"));
	it_resp_free(&r);
	T("auth-2.19 expired token as X-Auth-Token -> 401",
	    check_status("GET", NULL, t, admin) == 401);
	check("GET", "?allow_expired=1", admin, t, &r);
	T("auth-2.20 ?allow_expired=1 accepts it (within 48 h)", r.status == 200 &&
	    streq(r.subject_token, t));
	it_resp_free(&r);
	T("auth-2.21 allow_expired=0 does not",
	    check_status("GET", "?allow_expired=0", admin, t) == 404);
	free(t);
	json_object_set_new(pl, "exp", json_integer(now - 172800 - 60));
	t = sign_es256(pk, hdr_with_kid("ES256", kid), pl);
	T("auth-2.22 expired beyond the window -> 404 even with allow_expired",
	    check_status("GET", "?allow_expired=1", admin, t) == 404);
	free(t);

	/* ---- 3. revoke ---- */
	body = pw_body("admin", IT_ADMIN_PASSWORD, "\"unscoped\"");
	t = post_token(body, NULL, &r);
	it_resp_free(&r);
	free(body);
	T("auth-3.1 DELETE -> 204", check_status("DELETE", NULL, admin, t) == 204);
	check("GET", NULL, admin, t, &r);
	T("auth-3.2 revoked -> 404 Failed to validate token", r.status == 404 &&
	    msg_is(&r, "Failed to validate token"));
	it_resp_free(&r);
	T("auth-3.3 revoked as X-Auth-Token -> 401", check_status("GET", NULL, t, admin) == 401);
	T("auth-3.4 DELETE again -> 404", check_status("DELETE", NULL, admin, t) == 404);
	T("auth-3.5 revoked even with allow_expired",
	    check_status("GET", "?allow_expired=1", admin, t) == 404);
	/* Keystone's token method validates the token as GET does: 404, not
	 * 401 (tempest's test_user_update_own_password wants it). */
	body = strdup(it_fmt("{\"auth\": {\"identity\": {\"methods\": [\"token\"], "
	    "\"token\": {\"id\": \"%s\"}}}}", t));
	T("auth-3.5a token method with the revoked token -> 404 Failed to validate token",
	    refused(body, 404, "Failed to validate token"));
	free(body);
	free(t);
	T("auth-3.6 alice cannot revoke admin's token -> 403",
	    check_status("DELETE", NULL, alice, admin) == 403);
	body = pw_body("alice", "alice-pw", it_fmt("{\"project\": {\"id\": \"%s\"}}",
	    demo_id));
	alice2 = post_token(body, NULL, &r);
	it_resp_free(&r);
	free(body);
	T("auth-3.7 alice revokes her own token -> 204; her other token lives",
	    check_status("DELETE", NULL, alice, alice2) == 204 &&
	    check_status("GET", NULL, alice, alice) == 200);
	T("auth-3.8 revoking the parent revokes the rescoped child",
	    check_status("GET", NULL, admin, child) == 200 &&
	    check_status("DELETE", NULL, admin, unscoped) == 204 &&
	    check_status("GET", NULL, admin, child) == 404);
	hdr = part(alice2, 1);
	it_req(&s, "GET", "/v3/OS-REVOKE/events", admin, NULL, NULL, &r);
	t = NULL;
	json_array_foreach(it_get(r.json, "events"), i, c)
		if (streq(json_string_value(json_object_get(c, "audit_id")), json_string_value(
		    json_array_get(json_object_get(hdr, "audit_ids"), 0))))
			t = (char *)json_string_value(json_object_get(c, "revoked_at"));
	T("auth-3.9 OS-REVOKE/events lists the revocation by audit id",
	    r.status == 200 && json_array_size(it_get(r.json, "events")) >= 3 && t != NULL &&
	    strlen(t) == 27 && it_str(r.json, "events.0.issued_before") != NULL &&
	    it_get(r.json, "links") != NULL);
	it_resp_free(&r);
	json_decref(hdr);
	free(alice2);
	T("auth-3.10 ?since in the future -> no events",
	    it_req(&s, "GET", "/v3/OS-REVOKE/events?since=2999-01-01T00:00:00Z", admin,
	    NULL, NULL, &r) == 0 && r.status == 200 &&
	    json_array_size(it_get(r.json, "events")) == 0);
	it_resp_free(&r);
	T("auth-3.11 ?since garbage -> 400", it_status(&s, "GET",
	    "/v3/OS-REVOKE/events?since=yesterday", admin, NULL) == 400);
	T("auth-3.12 member -> 403, no token -> 401",
	    it_status(&s, "GET", "/v3/OS-REVOKE/events", alice, NULL) == 403 &&
	    it_status(&s, "GET", "/v3/OS-REVOKE/events", NULL, NULL) == 401);

	/* ---- 4. user state ---- */
	sql(it_fmt("UPDATE \"user\" SET enabled = 0 WHERE id = '%s'", alice_id));
	body = pw_body("alice", "alice-pw", NULL);
	T("auth-4.1 disabled user: cannot authenticate, tokens refused",
	    refused(body, 401, NULL) && check_status("GET", NULL, admin, alice) == 404 &&
	    it_status(&s, "GET", "/v3/auth/projects", alice, NULL) == 401);
	sql(it_fmt("UPDATE \"user\" SET enabled = 1 WHERE id = '%s'", alice_id));
	T("auth-4.2 re-enabled: token valid again", check_status("GET", NULL, admin,
	    alice) == 200);
	/* password change: new hash + the user revocation event it records */
	keygate("bootstrap", "--bootstrap-username", "alice", "--bootstrap-password",
	    "alice-new", "--bootstrap-project-name", "demo", "--bootstrap-role-name",
	    "member", (char *)NULL);
	sql(it_fmt("INSERT INTO revocation_event (user_id, issued_before, revoked_at) "
	    "VALUES ('%s', %lld, %lld)", alice_id, (long long)kg_now_us(),
	    (long long)kg_now_us()));
	T("auth-4.3 password changed: old password and old tokens refused",
	    refused(body, 401, NULL) && check_status("GET", NULL, admin, alice) == 404 &&
	    check_status("GET", NULL, admin, admin) == 200);
	free(body);
	free(alice);
	usleep(1000);
	body = pw_body("alice", "alice-new", it_fmt("{\"project\": {\"id\": \"%s\"}}",
	    demo_id));
	alice = post_token(body, NULL, &r);
	it_resp_free(&r);
	free(body);
	T("auth-4.4 new password: new token valid", alice != NULL &&
	    check_status("GET", NULL, alice, alice) == 200);

	/* ---- 4b. the same through the identity API (it records the events) ---- */
	{
		char	*d2 = NULL, *p2 = NULL, *u2 = NULL, *t2 = NULL, *t3 = NULL;

		it_req(&s, "POST", "/v3/domains", admin, "{\"domain\": {\"name\": "
		    "\"dom2\"}}", NULL, &r);
		d2 = it_str(r.json, "domain.id") ? strdup(it_str(r.json, "domain.id")) : NULL;
		it_resp_free(&r);
		it_req(&s, "POST", "/v3/projects", admin, it_fmt("{\"project\": "
		    "{\"name\": \"p2\", \"domain_id\": \"%s\"}}", d2 ? d2 : ""), NULL, &r);
		p2 = it_str(r.json, "project.id") ? strdup(it_str(r.json, "project.id")) :
		    NULL;
		it_resp_free(&r);
		it_req(&s, "POST", "/v3/users", admin, it_fmt("{\"user\": {\"name\": "
		    "\"carol\", \"domain_id\": \"%s\", \"password\": \"carol-pw\"}}",
		    d2 ? d2 : ""), NULL, &r);
		u2 = it_str(r.json, "user.id") ? strdup(it_str(r.json, "user.id")) : NULL;
		it_resp_free(&r);
		T("auth-4.5 fixture via the API: domain, project, user, grant",
		    d2 && p2 && u2 && it_status(&s, "PUT", it_fmt("/v3/projects/%s/users/"
		    "%s/roles/%s", p2, u2, member_role), admin, NULL) == 204);
		body = strdup(it_fmt("{\"auth\": {\"identity\": {\"methods\": "
		    "[\"password\"], \"password\": {\"user\": {\"id\": \"%s\", "
		    "\"password\": \"carol-pw\"}}}, \"scope\": {\"project\": {\"name\": "
		    "\"p2\", \"domain\": {\"name\": \"dom2\"}}}}}", u2 ? u2 : ""));
		t2 = post_token(body, NULL, &r);
		T("auth-4.6 carol's token in dom2", r.status == 201 &&
		    streq(it_str(r.json, "token.user.domain.name"), "dom2") &&
		    streq(it_str(r.json, "token.project.domain.id"), d2));
		it_resp_free(&r);
		T("auth-4.7 password change through the API revokes her tokens",
		    it_status(&s, "POST", it_fmt("/v3/users/%s/password", u2 ? u2 : "x"),
		    t2, "{\"user\": {\"password\": \"carol-new\", "
		    "\"original_password\": \"carol-pw\"}}") == 204 &&
		    check_status("GET", NULL, admin, t2) == 404 && refused(body, 401, NULL));
		free(body);
		free(t2);
		body = strdup(it_fmt("{\"auth\": {\"identity\": {\"methods\": "
		    "[\"password\"], \"password\": {\"user\": {\"id\": \"%s\", "
		    "\"password\": \"carol-new\"}}}, \"scope\": {\"project\": {\"id\": "
		    "\"%s\"}}}}", u2 ? u2 : "", p2 ? p2 : ""));
		usleep(1000);
		t2 = post_token(body, NULL, &r);
		it_resp_free(&r);
		T("auth-4.8 domain disabled through the API: tokens and logins refused",
		    t2 != NULL && check_status("GET", NULL, admin, t2) == 200 &&
		    it_status(&s, "PATCH", it_fmt("/v3/domains/%s", d2 ? d2 : "x"), admin,
		    "{\"domain\": {\"enabled\": false}}") == 200 &&
		    check_status("GET", NULL, admin, t2) == 404 && refused(body, 401, NULL));
		it_status(&s, "PATCH", it_fmt("/v3/domains/%s", d2 ? d2 : "x"), admin,
		    "{\"domain\": {\"enabled\": true}}");
		usleep(1000);
		t3 = post_token(body, NULL, &r);
		it_resp_free(&r);
		T("auth-4.9 user disabled through the API: token refused",
		    t3 != NULL && check_status("GET", NULL, admin, t3) == 200 &&
		    it_status(&s, "PATCH", it_fmt("/v3/users/%s", u2 ? u2 : "x"), admin,
		    "{\"user\": {\"enabled\": false}}") == 200 &&
		    check_status("GET", NULL, admin, t3) == 404 && refused(body, 401, NULL));
		T("auth-4.10 user deleted: token refused, 404 stays",
		    it_status(&s, "DELETE", it_fmt("/v3/users/%s", u2 ? u2 : "x"), admin,
		    NULL) == 204 && check_status("GET", NULL, admin, t3) == 404);
		free(body);
		free(t2);
		free(t3);
		free(d2);
		free(p2);
		free(u2);
	}

	/* ---- 5. catalog, projects, domains, system ---- */
	it_req(&s, "GET", "/v3/auth/catalog", admin, NULL, NULL, &r);
	T("auth-5.1 /v3/auth/catalog", r.status == 200 &&
	    streq(it_str(r.json, "catalog.0.type"), "identity") &&
	    streq(it_str(r.json, "links.self"), it_fmt("%s/v3/auth/catalog", s.base)));
	it_resp_free(&r);
	body = pw_body("admin", IT_ADMIN_PASSWORD, "\"unscoped\"");
	t = post_token(body, NULL, &r);
	it_resp_free(&r);
	free(body);
	T("auth-5.2 catalog with an unscoped token -> 403",
	    it_status(&s, "GET", "/v3/auth/catalog", t, NULL) == 403);
	it_req(&s, "GET", "/v3/auth/projects", alice, NULL, NULL, &r);
	T("auth-5.3 alice's projects: demo only", r.status == 200 &&
	    json_array_size(it_get(r.json, "projects")) == 1 &&
	    streq(it_str(r.json, "projects.0.name"), "demo") &&
	    streq(it_str(r.json, "projects.0.domain_id"), "default") &&
	    streq(it_str(r.json, "projects.0.links.self"),
	    it_fmt("%s/v3/projects/%s", s.base, demo_id)));
	it_resp_free(&r);
	it_req(&s, "GET", "/v3/auth/projects", t, NULL, NULL, &r);
	T("auth-5.4 admin (unscoped token) sees admin", r.status == 200 &&
	    strstr(r.body, "\"name\":\"admin\"") != NULL);
	it_resp_free(&r);
	it_req(&s, "GET", "/v3/auth/domains", t, NULL, NULL, &r);
	T("auth-5.5 admin's domains: Default", r.status == 200 &&
	    json_array_size(it_get(r.json, "domains")) == 1 &&
	    streq(it_str(r.json, "domains.0.id"), "default"));
	it_resp_free(&r);
	it_req(&s, "GET", "/v3/auth/domains", alice, NULL, NULL, &r);
	T("auth-5.6 alice's domains: none", r.status == 200 &&
	    json_array_size(it_get(r.json, "domains")) == 0);
	it_resp_free(&r);
	it_req(&s, "GET", "/v3/auth/system", t, NULL, NULL, &r);
	T("auth-5.7 admin's system: [{all: true}]", r.status == 200 &&
	    json_is_true(it_get(r.json, "system.0.all")));
	it_resp_free(&r);
	T("auth-5.8 remove alice's system grant", it_status(&s, "DELETE",
	    it_fmt("/v3/system/users/%s/roles/%s", alice_id, member_role), admin,
	    NULL) == 204);
	/* Removing a grant revokes the user's tokens (assignment module): new one. */
	free(alice);
	body = pw_body("alice", "alice-new", it_fmt("{\"project\": {\"id\": \"%s\"}}",
	    demo_id));
	alice = post_token(body, NULL, &r);
	it_resp_free(&r);
	free(body);
	it_req(&s, "GET", "/v3/auth/system", alice, NULL, NULL, &r);
	T("auth-5.9 without system roles: []", r.status == 200 &&
	    json_array_size(it_get(r.json, "system")) == 0);
	it_resp_free(&r);
	T("auth-5.10 no token -> 401",
	    it_status(&s, "GET", "/v3/auth/projects", NULL, NULL) == 401 &&
	    it_status(&s, "GET", "/v3/auth/catalog", NULL, NULL) == 401);
	free(t);

	/* ---- 6. JWKS and offline verification ---- */
	it_req(&s, "GET", "/v3/OS-KEYGATE/jwks", NULL, NULL, NULL, &r);
	jwks = json_incref(r.json);
	T("auth-6.1 JWKS without auth: staged + primary, public EC P-256 keys",
	    r.status == 200 && json_array_size(it_get(r.json, "keys")) == 2 &&
	    streq(it_str(r.json, "keys.0.kty"), "EC") &&
	    streq(it_str(r.json, "keys.0.crv"), "P-256") &&
	    streq(it_str(r.json, "keys.1.alg"), "ES256") &&
	    it_get(r.json, "keys.0.d") == NULL);
	it_resp_free(&r);
	it_req(&s, "GET", "/.well-known/jwks.json", NULL, NULL, NULL, &r);
	T("auth-6.2 /.well-known/jwks.json is the same", r.status == 200 &&
	    json_equal(r.json, jwks));
	it_resp_free(&r);
	T("auth-6.3 a token verifies offline with the JWKS",
	    verify_with_jwks(jwks, admin) && verify_with_jwks(jwks, alice));
	t = strdup(admin);
	t[strlen(t) - 2] = t[strlen(t) - 2] == 'A' ? 'B' : 'A';
	T("auth-6.4 (control) a damaged signature does not", !verify_with_jwks(jwks, t));
	free(t);

	/* ---- 7. rotation + SIGHUP ---- */
	T("auth-7.1 keygate keys rotate", keygate("keys", "rotate", (char *)NULL) == 0);
	kill(s.pid, SIGHUP);
	for (i = 0; i < 100; i++) {
		it_req(&s, "GET", "/v3/OS-KEYGATE/jwks", NULL, NULL, NULL, &r);
		if (json_array_size(it_get(r.json, "keys")) == 3)
			break;
		it_resp_free(&r);
		usleep(20000);
	}
	T("auth-7.2 after SIGHUP the JWKS has 3 keys", i < 100);
	it_resp_free(&r);
	T("auth-7.3 tokens signed before the rotation still validate",
	    check_status("GET", NULL, admin, admin) == 200 &&
	    check_status("GET", NULL, admin, alice) == 200);
	body = pw_body("admin", IT_ADMIN_PASSWORD, "\"unscoped\"");
	t = post_token(body, NULL, &r);
	it_resp_free(&r);
	free(body);
	hdr = t ? part(t, 0) : NULL;
	EVP_PKEY_free(pk);
	pk = primary_key();
	ppem = thumbprint(pk);
	T("auth-7.4 new tokens are signed by the new primary (the old staged key)",
	    hdr != NULL && streq(json_string_value(json_object_get(hdr, "kid")), ppem) &&
	    !streq(ppem, kid) && check_status("GET", NULL, admin, t) == 200);
	json_decref(hdr);
	free(ppem);
	free(t);

	json_decref(jwks);
	json_decref(pl);
	json_decref(tokbody);
	EVP_PKEY_free(pk);
	EVP_PKEY_free(foreign);
	free(pem_pub);
	free(kid);
	free(admin);
	free(unscoped);
	free(child);
	free(alice);
	free((char *)admin_role);
	free((char *)member_role);
	T("auth-9.9 server stops cleanly", it_stop(&s) == 0);
	return t_report();
}
