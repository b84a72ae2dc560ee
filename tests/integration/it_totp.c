/*
 * it_totp.c - the totp auth method, the multi-factor user options and auth
 * receipts over HTTP (Keystone's TOTP plugin, UserMFARulesValidator and
 * receipts):
 *
 *   totp-1.x  logins with a passcode: by id, by name and domain, the
 *             previous window, with the password, scoped, a second secret
 *   totp-2.x  every refusal: 400s of the payload, 401s (wrong, old, unknown
 *             user, no credential, disabled, secret not base32, mixed users)
 *   totp-3.x  multi_factor_auth_rules / _enabled: validation, the receipt's
 *             401, completing it, the rules off, removed, the token method
 *   totp-4.x  receipts refused: another user's, garbage, tampered, used as
 *             a token, after a password change or a disable, expired
 *   totp-5.x  [totp] included_previous_windows = 0, the lockout and the rate
 *             limit counting wrong passcodes
 *
 * Passcodes are computed here with OpenSSL's HMAC (RFC 6238), not with the
 * server's code. A login whose time step changes while it is in flight is
 * sent again once (the server may have seen the next step).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "tests/integration/it_identity.h"

#define PW		"totp-pw-1"
#define GENERIC_401	"The request you have made requires authentication."
#define TAIL		" The server could not comply with the request since it is " \
	"either malformed or otherwise incorrect. The client is assumed to be in error."

struct secret {
	unsigned char	key[20];
	char		b32[40];
};

static struct it_server	s;

static void
b32_encode(const unsigned char *in, size_t n, char *out)
{
	static const char	digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned int		acc = 0;
	int			bits = 0;
	size_t			i, o = 0;

	for (i = 0; i < n; i++) {
		acc = (acc << 8) | in[i];
		for (bits += 8; bits >= 5; bits -= 5)
			out[o++] = digits[(acc >> (bits - 5)) & 31];
	}
	if (bits > 0)
		out[o++] = digits[(acc << (5 - bits)) & 31];
	out[o] = '\0';
}

static void
new_secret(struct secret *sec)
{
	RAND_bytes(sec->key, sizeof(sec->key));
	b32_encode(sec->key, sizeof(sec->key), sec->b32);
}

/* RFC 6238 (SHA-1, 6 digits) for time step step. */
static const char *
code(const struct secret *sec, long step)
{
	static char	out[4][8];
	static int	slot;
	unsigned char	msg[8], mac[EVP_MAX_MD_SIZE];
	unsigned int	len = 0, off, v;
	char		*o = out[slot++ % 4];
	int		i;

	for (i = 7; i >= 0; i--, step >>= 8)
		msg[i] = (unsigned char)(step & 0xff);
	HMAC(EVP_sha1(), sec->key, sizeof(sec->key), msg, 8, mac, &len);
	off = mac[len - 1] & 0x0f;
	v = ((mac[off] & 0x7fu) << 24 | mac[off + 1] << 16 | mac[off + 2] << 8 |
	    mac[off + 3]) % 1000000;
	snprintf(o, 8, "%06u", v);
	return o;
}

static long
step_now(void)
{
	return (long)(time(NULL) / 30);
}

static const char *
totp_ident(const char *user_json, const char *passcode)
{
	return it_fmt("\"totp\": {\"user\": {%s, \"passcode\": \"%s\"}}", user_json,
	    passcode);
}

static const char *
by_id(const char *uid)
{
	return it_fmt("\"id\": \"%s\"", uid);
}

/*
 * Log in with the totp method (and the password when pw) for user_json,
 * the passcode of step now + delta; receipt (NULL: none) in its header.
 * Sent again once if the step changed meanwhile. The response in *r.
 */
static long
totp_login(const struct secret *sec, const char *user_json, long delta,
    const char *pw, const char *receipt, struct it_resp *r)
{
	char		 hdr[4200];
	const char	*hdrs[] = { hdr, NULL }, *body;
	long		 before;
	int		 tries;

	snprintf(hdr, sizeof(hdr), "Openstack-Auth-Receipt: %s",
	    receipt ? receipt : "");
	for (tries = 0; tries < 2; tries++) {
		before = step_now();
		body = it_fmt("{\"auth\": {\"identity\": {\"methods\": [%s\"totp\"], "
		    "%s%s%s}}}", pw ? "\"password\", " : "", pw ? it_fmt(
		    "\"password\": {\"user\": {%s, \"password\": \"%s\"}}, ",
		    user_json, pw) : "", totp_ident(user_json, code(sec, before + delta)),
		    "");
		if (it_req(&s, "POST", "/v3/auth/tokens", NULL, body,
		    receipt ? hdrs : NULL, r) == -1)
			return 0;
		if (step_now() == before)
			break;
		if (tries == 0)
			it_resp_free(r);
	}
	return r->status;
}

/* The status of a totp login, freeing the response. */
static long
totp_status(const struct secret *sec, const char *user_json, long delta)
{
	struct it_resp	r;
	long		st = totp_login(sec, user_json, delta, NULL, NULL, &r);

	it_resp_free(&r);
	return st;
}

/* POST an auth body; the status and (static copy) the error message. */
static long
auth(const char *body, const char *const *hdrs, const char **msg)
{
	static char	m[512];
	struct it_resp	r;
	long		st;

	m[0] = '\0';
	if (it_req(&s, "POST", "/v3/auth/tokens", NULL, body, hdrs, &r) == -1)
		return 0;
	st = r.status;
	snprintf(m, sizeof(m), "%s", ii_msg(&r));
	it_resp_free(&r);
	if (msg != NULL)
		*msg = m;
	return st;
}

static char *
make_user(const char *name, const char *extra)
{
	return ii_create(&s, "/v3/users", it_fmt("{\"user\": {\"name\": \"%s\", "
	    "\"password\": \"%s\", \"domain_id\": \"default\"%s}}", name, PW,
	    extra ? extra : ""), "user.id");
}

static long
add_totp(const char *uid, const char *blob)
{
	return it_status(&s, "POST", "/v3/credentials", s.admin_token, it_fmt(
	    "{\"credential\": {\"user_id\": \"%s\", \"type\": \"totp\", \"blob\": "
	    "\"%s\"}}", uid, blob));
}

static long
patch_user(const char *uid, const char *body)
{
	return it_status(&s, "PATCH", it_fmt("/v3/users/%s", uid), s.admin_token,
	    body);
}

static const char *
pw_body(const char *uid, const char *pw)
{
	return it_fmt("{\"auth\": {\"identity\": {\"methods\": [\"password\"], "
	    "\"password\": {\"user\": {\"id\": \"%s\", \"password\": \"%s\"}}}}}",
	    uid, pw);
}

/* Does the reply carry header name? */
static int
has_header(const struct it_resp *r, const char *name)
{
	char	*v = it_header(r, name);

	free(v);
	return v != NULL;
}

/* Does the token reply's methods list hold exactly want (comma-separated)? */
static int
methods_are(json_t *doc, const char *want)
{
	json_t	*m = it_get(doc, "token.methods"), *v;
	char	 got[128] = "";
	size_t	 i;

	json_array_foreach(m, i, v) {
		if (i > 0)
			strncat(got, ",", sizeof(got) - strlen(got) - 1);
		strncat(got, json_string_value(v) ? json_string_value(v) : "?",
		    sizeof(got) - strlen(got) - 1);
	}
	if (strcmp(got, want) != 0)
		printf("    methods: %s, want %s\n", got, want);
	return strcmp(got, want) == 0;
}

static void
test_logins(const char *uid, const struct secret *sec, const struct secret *sec2)
{
	struct it_resp	r;
	long		st;
	char		*proj;

	st = totp_login(sec, by_id(uid), 0, NULL, NULL, &r);
	T("totp-1.1 passcode by user id -> 201, methods [totp]", st == 201 &&
	    methods_are(r.json, "totp") && r.subject_token != NULL &&
	    ii_validate(&s, r.subject_token) == 200);
	it_resp_free(&r);
	T("totp-1.2 by name and domain id, by name and domain name -> 201",
	    totp_status(sec, "\"name\": \"totp-u1\", \"domain\": {\"id\": "
	    "\"default\"}", 0) == 201 && totp_status(sec, "\"name\": \"totp-u1\", "
	    "\"domain\": {\"name\": \"Default\"}", 0) == 201);
	T("totp-1.3 the previous window's passcode -> 201 (windows = 1)",
	    totp_status(sec, by_id(uid), -1) == 201);
	st = totp_login(sec, by_id(uid), 0, PW, NULL, &r);
	T("totp-1.4 password and totp together -> 201, both methods", st == 201 &&
	    methods_are(r.json, "password,totp"));
	it_resp_free(&r);
	proj = ii_create(&s, "/v3/projects", "{\"project\": {\"name\": \"totp-p\", "
	    "\"domain_id\": \"default\"}}", "project.id");
	{
		long	 rst;
		json_t	*roles = it_json(&s, "GET", "/v3/roles?name=member",
		    s.admin_token, NULL, &rst);

		it_status(&s, "PUT", it_fmt("/v3/projects/%s/users/%s/roles/%s",
		    proj, uid, it_str(roles, "roles.0.id")), s.admin_token, NULL);
		json_decref(roles);
	}
	st = auth(it_fmt("{\"auth\": {\"identity\": {\"methods\": [\"totp\"], %s}, "
	    "\"scope\": {\"project\": {\"id\": \"%s\"}}}}", totp_ident(by_id(uid),
	    code(sec, step_now())), proj), NULL, NULL);
	T("totp-1.5 a project-scoped totp token -> 201", st == 201 ||
	    /* the step may have turned: once more */
	    auth(it_fmt("{\"auth\": {\"identity\": {\"methods\": [\"totp\"], %s}, "
	    "\"scope\": {\"project\": {\"id\": \"%s\"}}}}", totp_ident(by_id(uid),
	    code(sec, step_now())), proj), NULL, NULL) == 201);
	free(proj);
	T("totp-1.6 any of the user's totp credentials -> 201",
	    add_totp(uid, sec2->b32) == 201 && totp_status(sec2, by_id(uid), 0) == 201 &&
	    totp_status(sec, by_id(uid), 0) == 201);
}

static const char *
totp_body(const char *payload)
{
	return it_fmt("{\"auth\": {\"identity\": {\"methods\": [\"totp\"]%s%s}}}",
	    payload ? ", \"totp\": " : "", payload ? payload : "");
}

static void
test_refusals(const char *uid, const struct secret *sec)
{
	struct secret	 other;
	const char	*msg;
	char		*u2, *u3, *u4;
	struct it_resp	 r;
	char		*www;

	new_secret(&other);
	T("totp-2.1 wrong passcode -> 401, Keystone's generic text",
	    totp_status(&other, by_id(uid), 0) == 401);
	if (it_req(&s, "POST", "/v3/auth/tokens", NULL, totp_body(it_fmt(
	    "{\"user\": {\"id\": \"%s\", \"passcode\": \"000000x\"}}", uid)), NULL,
	    &r) == 0) {
		www = it_header(&r, "WWW-Authenticate");
		T("totp-2.2 a 7-character passcode -> 401 with WWW-Authenticate",
		    r.status == 401 && strcmp(ii_msg(&r), GENERIC_401) == 0 &&
		    www != NULL);
		free(www);
		it_resp_free(&r);
	}
	T("totp-2.3 two windows back -> 401", totp_status(sec, by_id(uid), -2) == 401);
	T("totp-2.4 no passcode -> 400", auth(totp_body(it_fmt("{\"user\": {\"id\": "
	    "\"%s\"}}", uid)), NULL, &msg) == 400 && strcmp(msg,
	    "Expecting to find passcode in totp." TAIL) == 0);
	T("totp-2.5 empty passcode -> 400", auth(totp_body(it_fmt("{\"user\": "
	    "{\"id\": \"%s\", \"passcode\": \"\"}}", uid)), NULL, &msg) == 400 &&
	    strcmp(msg, "Expecting to find passcode in totp." TAIL) == 0);
	T("totp-2.6 no user -> 400", auth(totp_body("{}"), NULL, &msg) == 400 &&
	    strcmp(msg, "Expecting to find user in totp." TAIL) == 0);
	T("totp-2.7 user without id or name -> 400", auth(totp_body("{\"user\": "
	    "{\"passcode\": \"123456\"}}"), NULL, &msg) == 400 && strcmp(msg,
	    "Expecting to find id or name in user." TAIL) == 0);
	T("totp-2.8 name without domain -> 400", auth(totp_body("{\"user\": "
	    "{\"name\": \"totp-u1\", \"passcode\": \"123456\"}}"), NULL, &msg) == 400 &&
	    strcmp(msg, "Expecting to find domain in user." TAIL) == 0);
	T("totp-2.9 methods [totp] without a totp member -> 400",
	    auth(totp_body(NULL), NULL, &msg) == 400 &&
	    strcmp(msg, "Expecting to find totp in identity." TAIL) == 0);
	T("totp-2.10 passcode not a string -> 400, not echoed",
	    auth(totp_body(it_fmt("{\"user\": {\"id\": \"%s\", \"passcode\": 123456}}",
	    uid)), NULL, &msg) == 400 && strcmp(msg, "Invalid input for field "
	    "'identity/totp/user/passcode': '******' is not of type 'string'") == 0);
	T("totp-2.11 unknown user or domain -> 401",
	    totp_status(sec, by_id("0123456789abcdef0123456789abcdef"), 0) == 401 &&
	    totp_status(sec, "\"name\": \"totp-u1\", \"domain\": {\"id\": \"nope\"}",
	    0) == 401);
	u2 = make_user("totp-u2", NULL);
	T("totp-2.12 a user without totp credentials -> 401",
	    totp_status(sec, by_id(u2), 0) == 401);
	T("totp-2.13 a secret that is not base32 never matches (401), the server "
	    "stays up", add_totp(u2, "not base32 at all!") == 201 &&
	    totp_status(sec, by_id(u2), 0) == 401 &&
	    it_status(&s, "GET", "/v3", NULL, NULL) == 200);
	u3 = make_user("totp-u3", NULL);
	T("totp-2.14 a disabled user with the right passcode -> 401",
	    add_totp(u3, sec->b32) == 201 && totp_status(sec, by_id(u3), 0) == 201 &&
	    patch_user(u3, "{\"user\": {\"enabled\": false}}") == 200 &&
	    totp_status(sec, by_id(u3), 0) == 401);
	T("totp-2.15 the password of one user, the passcode of another -> 401",
	    auth(it_fmt("{\"auth\": {\"identity\": {\"methods\": [\"password\", "
	    "\"totp\"], \"password\": {\"user\": {\"id\": \"%s\", \"password\": \"%s\"}},"
	    " %s}}}", u2, PW, totp_ident(by_id(uid), code(sec, step_now()))), NULL,
	    NULL) == 401);
	T("totp-2.16 right password, wrong passcode -> 401",
	    totp_login(&other, by_id(uid), 0, PW, NULL, &r) == 401);
	it_resp_free(&r);
	u4 = make_user("totp-u4", NULL);
	T("totp-2.17 a short secret (10 bytes) matches nothing -> 401",
	    add_totp(u4, "GEZDGNBVGY3TQOJQ") == 201 && auth(totp_body(it_fmt(
	    "{\"user\": {\"id\": \"%s\", \"passcode\": \"%s\"}}", u4, "123456")),
	    NULL, NULL) == 401);
	free(u2);
	free(u3);
	free(u4);
}

#define RULES_PW_TOTP	"{\"user\": {\"options\": {\"multi_factor_auth_rules\": " \
	"[[\"password\", \"totp\"]]}}}"

/* A password login that must get a receipt: the receipt (malloc'd). */
static char *
get_receipt(const char *uid, const char *name, int *ok)
{
	struct it_resp	 r;
	char		*rc = NULL, *www;
	json_t		*req;

	*ok = 0;
	if (it_req(&s, "POST", "/v3/auth/tokens", NULL, pw_body(uid, PW), NULL,
	    &r) == -1)
		return NULL;
	rc = it_header(&r, "Openstack-Auth-Receipt");
	www = it_header(&r, "WWW-Authenticate");
	req = it_get(r.json, "required_auth_methods");
	*ok = r.status == 401 && rc != NULL && r.subject_token == NULL &&
	    www == NULL && it_get(r.json, "error") == NULL &&
	    json_array_size(it_get(r.json, "receipt.methods")) == 1 &&
	    t_streq(it_str(r.json, "receipt.methods.0"), "password") &&
	    t_streq(it_str(r.json, "receipt.user.id"), uid) &&
	    t_streq(it_str(r.json, "receipt.user.name"), name) &&
	    t_streq(it_str(r.json, "receipt.user.domain.id"), "default") &&
	    t_streq(it_str(r.json, "receipt.user.domain.name"), "Default") &&
	    it_str(r.json, "receipt.expires_at") != NULL &&
	    it_str(r.json, "receipt.issued_at") != NULL &&
	    strcmp(it_str(r.json, "receipt.issued_at"),
	    it_str(r.json, "receipt.expires_at")) < 0 &&
	    json_array_size(req) == 1 &&
	    t_streq(it_str(r.json, "required_auth_methods.0.0"), "password") &&
	    t_streq(it_str(r.json, "required_auth_methods.0.1"), "totp");
	if (!*ok)
		printf("    receipt reply %ld: %s\n", r.status, r.body);
	free(www);
	it_resp_free(&r);
	return rc;
}

static void
test_rules(void)
{
	struct secret	 sec;
	struct it_resp	 r;
	json_t		*u;
	char		*uid, *rc, hdr[4200];
	const char	*hdrs[] = { hdr, NULL };
	int		 ok;
	long		 st;

	new_secret(&sec);
	uid = make_user("totp-u5", ",\"options\": {\"multi_factor_auth_rules\": "
	    "[[\"password\", \"totp\"]]}");
	u = it_json(&s, "GET", it_fmt("/v3/users/%s", uid), s.admin_token, NULL,
	    &st);
	T("totp-3.1 multi_factor_auth_rules stored and shown in options",
	    uid != NULL && add_totp(uid, sec.b32) == 201 &&
	    t_streq(it_str(u, "user.options.multi_factor_auth_rules.0.1"), "totp"));
	json_decref(u);
	rc = get_receipt(uid, "totp-u5", &ok);
	T("totp-3.2 password alone -> 401 with Openstack-Auth-Receipt and "
	    "Keystone's receipt body", ok);
	st = totp_login(&sec, by_id(uid), 0, NULL, rc, &r);
	T("totp-3.3 the receipt and the passcode -> 201, methods of both",
	    st == 201 && methods_are(r.json, "totp,password") &&
	    ii_validate(&s, r.subject_token) == 200);
	it_resp_free(&r);
	st = totp_login(&sec, by_id(uid), 0, NULL, NULL, &r);
	T("totp-3.4 the passcode alone -> 401 receipt of [totp]", st == 401 &&
	    t_streq(it_str(r.json, "receipt.methods.0"), "totp") &&
	    t_streq(it_str(r.json, "required_auth_methods.0.0"), "password"));
	if (r.status == 401) {
		char	*rc2 = it_header(&r, "Openstack-Auth-Receipt");

		snprintf(hdr, sizeof(hdr), "Openstack-Auth-Receipt: %s",
		    rc2 ? rc2 : "");
		T("totp-3.5 ... completed by the password -> 201",
		    auth(pw_body(uid, PW), hdrs, NULL) == 201);
		free(rc2);
	}
	it_resp_free(&r);
	st = totp_login(&sec, by_id(uid), 0, PW, NULL, &r);
	T("totp-3.6 password and totp in one request -> 201", st == 201);
	/* The token method: the original's methods meet the rules. */
	T("totp-3.7 token method on a password+totp token -> 201",
	    r.subject_token != NULL && auth(it_fmt("{\"auth\": {\"identity\": "
	    "{\"methods\": [\"token\"], \"token\": {\"id\": \"%s\"}}}}",
	    r.subject_token), NULL, NULL) == 201);
	it_resp_free(&r);
	snprintf(hdr, sizeof(hdr), "Openstack-Auth-Receipt: %s", rc ? rc : "");
	T("totp-3.8 a receipt with a wrong password -> 401 without a receipt",
	    it_req(&s, "POST", "/v3/auth/tokens", NULL, pw_body(uid, "wrong-pw"),
	    hdrs, &r) == 0 && r.status == 401 &&
	    !has_header(&r, "Openstack-Auth-Receipt") &&
	    strcmp(ii_msg(&r), GENERIC_401) == 0);
	it_resp_free(&r);
	T("totp-3.9 multi_factor_auth_enabled false: the password alone -> 201",
	    patch_user(uid, "{\"user\": {\"options\": {\"multi_factor_auth_enabled\":"
	    " false}}}") == 200 && auth(pw_body(uid, PW), NULL, NULL) == 201 &&
	    patch_user(uid, "{\"user\": {\"options\": {\"multi_factor_auth_enabled\":"
	    " true}}}") == 200 && auth(pw_body(uid, PW), NULL, NULL) == 401);
	T("totp-3.10 rules that are not lists of lists of strings -> 400",
	    patch_user(uid, "{\"user\": {\"options\": {\"multi_factor_auth_rules\": "
	    "[\"password\"]}}}") == 400 && patch_user(uid, "{\"user\": {\"options\": "
	    "{\"multi_factor_auth_rules\": [[]]}}}") == 400 && patch_user(uid,
	    "{\"user\": {\"options\": {\"multi_factor_auth_rules\": [[\"totp\"], "
	    "[\"totp\"]]}}}") == 400);
	T("totp-3.11 a rule of methods the server lacks is met",
	    patch_user(uid, "{\"user\": {\"options\": {\"multi_factor_auth_rules\": "
	    "[[\"password\", \"mapped\"]]}}}") == 200 &&
	    auth(pw_body(uid, PW), NULL, NULL) == 201);
	T("totp-3.12 rules removed with null: the password alone -> 201",
	    patch_user(uid, RULES_PW_TOTP) == 200 &&
	    auth(pw_body(uid, PW), NULL, NULL) == 401 &&
	    patch_user(uid, "{\"user\": {\"options\": {\"multi_factor_auth_rules\": "
	    "null}}}") == 200 && auth(pw_body(uid, PW), NULL, NULL) == 201);
	free(rc);
	free(uid);
}

static void
test_receipts(void)
{
	struct secret	 sec;
	struct it_resp	 r;
	char		*uid, *u6, *rc, hdr[4200], *bad;
	const char	*hdrs[] = { hdr, NULL };
	int		 ok;

	new_secret(&sec);
	uid = make_user("totp-u5b", ",\"options\": {\"multi_factor_auth_rules\": "
	    "[[\"password\", \"totp\"]]}");
	u6 = make_user("totp-u6", ",\"options\": {\"multi_factor_auth_rules\": "
	    "[[\"password\", \"totp\"]]}");
	add_totp(uid, sec.b32);
	add_totp(u6, sec.b32);
	rc = get_receipt(uid, "totp-u5b", &ok);
	T("totp-4.1 another user's receipt -> 401",
	    totp_login(&sec, by_id(u6), 0, NULL, rc, &r) == 401 &&
	    !has_header(&r, "Openstack-Auth-Receipt"));
	it_resp_free(&r);
	T("totp-4.2 a garbage receipt -> 401, even with enough methods",
	    totp_login(&sec, by_id(uid), 0, PW, "garbage", &r) == 401 &&
	    strcmp(ii_msg(&r), GENERIC_401) == 0);
	it_resp_free(&r);
	bad = strdup(rc ? rc : "x");
	bad[strlen(bad) - 2] = bad[strlen(bad) - 2] == 'A' ? 'B' : 'A';
	T("totp-4.3 a tampered receipt -> 401",
	    totp_login(&sec, by_id(uid), 0, NULL, bad, &r) == 401);
	it_resp_free(&r);
	free(bad);
	snprintf(hdr, sizeof(hdr), "X-Subject-Token: %s", rc ? rc : "");
	T("totp-4.4 a receipt is not a token: X-Auth-Token 401, X-Subject-Token 404",
	    it_status(&s, "GET", "/v3/auth/projects", rc, NULL) == 401 &&
	    it_req(&s, "GET", "/v3/auth/tokens", s.admin_token, NULL, hdrs, &r) == 0 &&
	    r.status == 404);
	it_resp_free(&r);
	T("totp-4.5 a receipt as the token method's token -> 404",
	    auth(it_fmt("{\"auth\": {\"identity\": {\"methods\": [\"token\"], "
	    "\"token\": {\"id\": \"%s\"}}}}", rc ? rc : ""), NULL, NULL) == 404);
	T("totp-4.6 the receipt still completes the login -> 201",
	    totp_login(&sec, by_id(uid), 0, NULL, rc, &r) == 201);
	it_resp_free(&r);
	T("totp-4.7 after a password change the receipt is refused -> 401",
	    patch_user(uid, "{\"user\": {\"password\": \"" PW "\"}}") == 200 &&
	    totp_login(&sec, by_id(uid), 0, NULL, rc, &r) == 401);
	it_resp_free(&r);
	free(rc);
	rc = get_receipt(uid, "totp-u5b", &ok);
	T("totp-4.8 after a disable (enabled again) the receipt is refused -> 401",
	    patch_user(uid, "{\"user\": {\"enabled\": false}}") == 200 &&
	    patch_user(uid, "{\"user\": {\"enabled\": true}}") == 200 &&
	    totp_login(&sec, by_id(uid), 0, NULL, rc, &r) == 401);
	it_resp_free(&r);
	free(rc);
	free(uid);
	free(u6);
}

/* A second server: no previous window, receipts of 1 s, lockout at 2,
 * the rate limit at 3 failures per user. */
static void
test_limits(void)
{
	static const char *const env[] = {
		"KEYGATE_TOTP_INCLUDED_PREVIOUS_WINDOWS=0",
		"KEYGATE_RECEIPT_EXPIRATION=1",
		"KEYGATE_SECURITY_COMPLIANCE_LOCKOUT_FAILURE_ATTEMPTS=2",
		"KEYGATE_RATE_LIMIT_USER_FAILURES=3",
		"KEYGATE_RATE_LIMIT_USER_INTERVAL=60",
		"KEYGATE_IDENTITY_PASSWORD_HASH_ROUNDS=4",
		NULL
	};
	struct secret	 sec, wrong;
	struct it_resp	 r;
	char		*uid, *u2, *rc;
	const char	*msg;
	int		 ok;

	it_start(&s, env);
	new_secret(&sec);
	new_secret(&wrong);
	uid = make_user("totp-u5", ",\"options\": {\"multi_factor_auth_rules\": "
	    "[[\"password\", \"totp\"]]}");
	add_totp(uid, sec.b32);
	/* The user's rules want the password too: a right passcode alone
	 * gets the receipt's 401, a wrong one the generic 401. */
	T("totp-5.1 included_previous_windows = 0: the previous window refused",
	    totp_login(&sec, by_id(uid), 0, NULL, NULL, &r) == 401 &&
	    has_header(&r, "Openstack-Auth-Receipt"));
	it_resp_free(&r);
	T("totp-5.1b ... the previous window's passcode -> no receipt",
	    totp_login(&sec, by_id(uid), -1, NULL, NULL, &r) == 401 &&
	    !has_header(&r, "Openstack-Auth-Receipt"));
	it_resp_free(&r);
	rc = get_receipt(uid, "totp-u5", &ok);
	sleep(2);
	T("totp-5.2 an expired receipt ([receipt] expiration = 1) -> 401",
	    ok && totp_login(&sec, by_id(uid), 0, NULL, rc, &r) == 401 &&
	    !has_header(&r, "Openstack-Auth-Receipt") &&
	    strcmp(ii_msg(&r), GENERIC_401) == 0);
	it_resp_free(&r);
	free(rc);
	free(uid);
	uid = make_user("totp-u8", NULL);
	add_totp(uid, sec.b32);
	T("totp-5.3 two wrong passcodes lock the account (password too)",
	    totp_status(&wrong, by_id(uid), 0) == 401 &&
	    totp_status(&wrong, by_id(uid), 0) == 401 &&
	    totp_login(&sec, by_id(uid), 0, PW, NULL, &r) == 401 &&
	    t_streq(ii_msg(&r), it_fmt("The account is locked for user: %s.", uid)) &&
	    auth(pw_body(uid, PW), NULL, &msg) == 401 &&
	    strcmp(msg, it_fmt("The account is locked for user: %s.", uid)) == 0);
	it_resp_free(&r);
	u2 = make_user("totp-u7", ",\"options\": "
	    "{\"ignore_lockout_failure_attempts\": true}");
	add_totp(u2, sec.b32);
	T("totp-5.4 wrong passcodes count for the rate limit -> 429 with "
	    "Retry-After", totp_status(&wrong, by_id(u2), 0) == 401 &&
	    totp_status(&wrong, by_id(u2), 0) == 401 &&
	    totp_status(&wrong, by_id(u2), 0) == 401 &&
	    totp_status(&sec, by_id(u2), 0) == 429);
	free(uid);
	free(u2);
	T("totp-5.5 server stops cleanly", it_stop(&s) == 0);
}

int
main(void)
{
	static const char *const env[] = {
		"KEYGATE_IDENTITY_PASSWORD_HASH_ROUNDS=4",
		"KEYGATE_RATE_LIMIT_ADDRESS_FAILURES=1000",
		NULL
	};
	struct secret	 sec, sec2;
	char		*uid;

	it_start(&s, env);
	new_secret(&sec);
	new_secret(&sec2);
	uid = make_user("totp-u1", NULL);
	T("totp-0.1 a user with a totp credential", uid != NULL &&
	    add_totp(uid, sec.b32) == 201);
	test_logins(uid, &sec, &sec2);
	test_refusals(uid, &sec);
	test_rules();
	test_receipts();
	free(uid);
	T("totp-0.2 server stops cleanly", it_stop(&s) == 0);
	test_limits();
	return t_report();
}
