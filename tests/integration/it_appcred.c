/*
 * it_appcred.c - application credentials and access rules over HTTP:
 * /v3/users/{id}/application_credentials (create with every body check,
 * list and ?name, show, delete), the application_credential auth method
 * (by id, by name with the user, secrets, expiry, no scope), the token
 * body and claims, restricted credentials, access rules (shared, deleted
 * when unused, enforced on validation and on keygate's own API), what
 * invalidates a credential (deletion, user disabled or deleted, a role
 * lost or deleted, project deleted) and the RBAC of keygate's default
 * policy (Keystone 29's secure RBAC, enforce_scope on) for non-admin
 * personas.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "tests/integration/it_identity.h"

static struct it_server	s;

/* POST an application credential for uid with token tok; the reply. */
static long
create(const char *tok, const char *uid, const char *body, struct it_resp *r)
{
	it_req(&s, "POST", it_fmt("/v3/users/%s/application_credentials", uid), tok,
	    body, NULL, r);
	return r->status;
}

/* Create and keep (id, secret), malloc'd; NULL on failure. */
static int
create_ok(const char *tok, const char *uid, const char *body, char **id,
    char **secret)
{
	struct it_resp	r;
	int		ok;

	*id = *secret = NULL;
	ok = create(tok, uid, body, &r) == 201 &&
	    it_str(r.json, "application_credential.id") != NULL &&
	    it_str(r.json, "application_credential.secret") != NULL;
	if (ok) {
		*id = strdup(it_str(r.json, "application_credential.id"));
		*secret = strdup(it_str(r.json, "application_credential.secret"));
	}
	it_resp_free(&r);
	return ok;
}

/* POST /v3/auth/tokens with the application_credential method. */
static long
ac_auth(const char *ident, const char *scope, struct it_resp *r)
{
	it_req(&s, "POST", "/v3/auth/tokens", NULL, it_fmt("{\"auth\": {\"identity\":"
	    " {\"methods\": [\"application_credential\"], \"application_credential\":"
	    " %s}%s%s}}", ident, scope ? ", \"scope\": " : "", scope ? scope : ""),
	    NULL, r);
	return r->status;
}

static char *
ac_token(const char *id, const char *secret)
{
	struct it_resp	 r;
	char		*tok = NULL;

	if (ac_auth(it_fmt("{\"id\": \"%s\", \"secret\": \"%s\"}", id, secret), NULL,
	    &r) == 201 && r.subject_token != NULL)
		tok = strdup(r.subject_token);
	it_resp_free(&r);
	return tok;
}

/* GET /v3/auth/tokens for subj as admin, with extra header h (or NULL). */
static long
validate(const char *subj, const char *h, struct it_resp *r)
{
	static char	 sh[16384];
	const char	*hdrs[3] = { sh, h, NULL };

	snprintf(sh, sizeof(sh), "X-Subject-Token: %s", subj ? subj : "");
	it_req(&s, "GET", "/v3/auth/tokens?nocatalog", s.admin_token, NULL, hdrs, r);
	return r->status;
}

static long
validate_st(const char *subj, const char *h)
{
	struct it_resp	r;
	long		st = validate(subj, h, &r);

	it_resp_free(&r);
	return st;
}

static long
req_st(const char *method, const char *path, const char *tok)
{
	return it_status(&s, method, path, tok, NULL);
}

/* Nonzero when the roles of doc at key are exactly names (comma list). */
static int
roles_are(json_t *doc, const char *key, const char *names)
{
	json_t	*a = it_get(doc, key), *v;
	size_t	 i, n = 0;
	char	 want[256];

	if (!json_is_array(a))
		return 0;
	json_array_foreach(a, i, v) {
		snprintf(want, sizeof(want), ",%s,", names);
		if (strstr(want, it_fmt(",%s,", json_string_value(json_object_get(v,
		    "name")))) == NULL)
			return 0;
		n++;
	}
	for (i = 0; names[i] != '\0'; i++)
		if (names[i] == ',')
			n--;
	return n == 1;
}

/* A token with the given scope JSON for user uid/password. */
static char *
scoped_token(const char *uid, const char *pw, const char *scope)
{
	struct it_resp	 r;
	char		*tok = NULL;

	if (it_req(&s, "POST", "/v3/auth/tokens", NULL, it_fmt("{\"auth\": "
	    "{\"identity\": {\"methods\": [\"password\"], \"password\": {\"user\": "
	    "{\"id\": \"%s\", \"password\": \"%s\"}}}%s%s}}", uid, pw,
	    scope ? ", \"scope\": " : "", scope ? scope : ""), NULL, &r) == 0 &&
	    r.status == 201 && r.subject_token != NULL)
		tok = strdup(r.subject_token);
	it_resp_free(&r);
	return tok;
}

static char *
new_user(const char *name)
{
	return ii_create(&s, "/v3/users", it_fmt("{\"user\": {\"name\": \"%s\","
	    " \"password\": \"%s-pw\"}}", name, name), "user.id");
}

static int
grant(const char *p, const char *u, const char *role)
{
	return it_status(&s, "PUT", it_fmt("/v3/projects/%s/users/%s/roles/%s", p,
	    u, role), s.admin_token, NULL) == 204;
}

int
main(void)
{
	struct it_resp	 r;
	const char	*A, *m;
	char		*p, *p2, *alice, *bob, *member, *reader, *observer, *admin_role;
	char		*ta, *tb, *id1, *sec1, *id2, *sec2, *id3, *sec3, *t1, *t2, *x;
	char		*rule1, *dom, *dadmin, *sysr, *tsys, *tdom, *padmin, *tpadmin;
	char		 big[400], exp_s[64], ruleid[80], *cs;
	time_t		 now;
	struct tm	 tm;
	int		 i;

	it_start(&s, NULL);
	A = s.admin_token;
	p = ii_create(&s, "/v3/projects", "{\"project\": {\"name\": \"demo\"}}",
	    "project.id");
	p2 = ii_create(&s, "/v3/projects", "{\"project\": {\"name\": \"other\"}}",
	    "project.id");
	alice = new_user("alice");
	bob = new_user("bob");
	member = ii_role_id(&s, "member");
	reader = ii_role_id(&s, "reader");
	admin_role = ii_role_id(&s, "admin");
	observer = ii_create(&s, "/v3/roles", "{\"role\": {\"name\": \"observer\"}}",
	    "role.id");
	T("appcred-0.1 fixtures", p && p2 && alice && bob && member && reader &&
	    observer && admin_role && grant(p, alice, member) &&
	    grant(p, alice, observer) && grant(p, bob, member) &&
	    grant(p2, alice, member));
	ta = ii_project_token(&s, alice, "alice-pw", p);
	tb = ii_project_token(&s, bob, "bob-pw", p);
	T("appcred-0.2 project tokens", ta && tb);

	/* ---- create ------------------------------------------------------ */
	T("appcred-1.1 no token -> 401", it_status(&s, "POST",
	    it_fmt("/v3/users/%s/application_credentials", alice), NULL,
	    "{\"application_credential\": {\"name\": \"x\"}}") == 401);
	create(ta, alice, "{\"application_credential\": {\"name\": \"one\"}}", &r);
	T("appcred-1.2 create -> 201", r.status == 201);
	m = it_str(r.json, "application_credential.secret");
	T("appcred-1.3 secret generated: 86 base64url characters", m &&
	    strlen(m) == 86 && strspn(m, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmno"
	    "pqrstuvwxyz0123456789-_") == 86);
	T("appcred-1.4 shape", r.json && strcmp(it_str(r.json,
	    "application_credential.name"), "one") == 0 &&
	    strcmp(it_str(r.json, "application_credential.project_id"), p) == 0 &&
	    strcmp(it_str(r.json, "application_credential.user_id"), alice) == 0 &&
	    json_is_null(it_get(r.json, "application_credential.description")) &&
	    json_is_null(it_get(r.json, "application_credential.expires_at")) &&
	    json_is_null(it_get(r.json, "application_credential.unrestricted")) &&
	    json_is_null(it_get(r.json, "application_credential.system")) &&
	    it_get(r.json, "application_credential.access_rules") == NULL);
	T("appcred-1.5 roles: the token's (implied reader included)",
	    roles_are(r.json, "application_credential.roles", "member,reader,observer")
	    && json_is_null(it_get(r.json, "application_credential.roles.0.domain_id"))
	    && json_is_object(it_get(r.json, "application_credential.roles.0.options")));
	T("appcred-1.6 no hash in the reply", strstr(r.body, "$2b$") == NULL &&
	    strstr(r.body, "secret_hash") == NULL);
	T("appcred-1.7 Cache-Control: no-store on the reply with the secret",
	    strstr(r.headers, "Cache-Control: no-store") != NULL);
	id1 = it_str(r.json, "application_credential.id") ?
	    strdup(it_str(r.json, "application_credential.id")) : NULL;
	sec1 = m ? strdup(m) : NULL;
	T("appcred-1.8 self link as Keystone's", id1 && strcmp(it_str(r.json,
	    "application_credential.links.self"), it_fmt("%s/v3/application_credentials"
	    "/%s", s.base, id1)) == 0);
	it_resp_free(&r);

	now = time(NULL) + 86400 * 400;
	gmtime_r(&now, &tm);
	strftime(exp_s, sizeof(exp_s), "%Y-%m-%d %H:%M:%S.250000", &tm);
	create(ta, alice, it_fmt("{\"application_credential\": {\"name\": \"two\","
	    " \"secret\": \"given-secret\", \"description\": \"for backups\","
	    " \"expires_at\": \"%s\", \"unrestricted\": true, \"roles\": [{\"name\":"
	    " \"member\"}]}}", exp_s), &r);
	T("appcred-1.9 create with a given secret, expiry, roles -> 201",
	    r.status == 201);
	exp_s[10] = 'T';
	T("appcred-1.10 echoes the secret; expiry as Keystone shows it",
	    r.json && strcmp(it_str(r.json, "application_credential.secret"),
	    "given-secret") == 0 && strcmp(it_str(r.json,
	    "application_credential.expires_at"), exp_s) == 0 &&
	    json_is_true(it_get(r.json, "application_credential.unrestricted")) &&
	    strcmp(it_str(r.json, "application_credential.description"),
	    "for backups") == 0 &&
	    roles_are(r.json, "application_credential.roles", "member"));
	id2 = it_str(r.json, "application_credential.id") ?
	    strdup(it_str(r.json, "application_credential.id")) : NULL;
	sec2 = strdup("given-secret");
	it_resp_free(&r);

	create(ta, alice, "{\"application_credential\": {\"name\": \"one\"}}", &r);
	T("appcred-1.11 duplicate name -> 409", r.status == 409 && strcmp(ii_msg(&r),
	    "Conflict occurred attempting to store application_credential - "
	    "Duplicate entry found with name one.") == 0);
	it_resp_free(&r);
	create(ta, alice, "{\"application_credential\": {}}", &r);
	T("appcred-1.12 no name -> 400", r.status == 400 &&
	    strcmp(ii_msg(&r), "'name' is a required property") == 0);
	it_resp_free(&r);
	T("appcred-1.13 no application_credential member -> 400",
	    create(ta, alice, "{}", &r) == 400);
	it_resp_free(&r);
	memset(big, 'n', 256);
	big[256] = '\0';
	T("appcred-1.14 name of 256 characters -> 400", create(ta, alice,
	    it_fmt("{\"application_credential\": {\"name\": \"%s\"}}", big), &r) == 400);
	it_resp_free(&r);
	T("appcred-1.15 name not a string -> 400", create(ta, alice,
	    "{\"application_credential\": {\"name\": 42}}", &r) == 400);
	it_resp_free(&r);
	T("appcred-1.16 blank name -> 400", create(ta, alice,
	    "{\"application_credential\": {\"name\": \"   \"}}", &r) == 400);
	it_resp_free(&r);
	T("appcred-1.17 roles not an array -> 400", create(ta, alice,
	    "{\"application_credential\": {\"name\": \"r\", \"roles\": {}}}", &r) == 400);
	it_resp_free(&r);
	create(ta, alice, it_fmt("{\"application_credential\": {\"name\": \"r\","
	    " \"roles\": [{\"id\": \"%s\", \"name\": \"member\"}]}}", member), &r);
	T("appcred-1.18 role with id and name -> 400", r.status == 400 &&
	    strstr(ii_msg(&r), "has too many properties") != NULL);
	it_resp_free(&r);
	T("appcred-1.19 role {} -> 400", create(ta, alice,
	    "{\"application_credential\": {\"name\": \"r\", \"roles\": [{}]}}", &r) == 400);
	it_resp_free(&r);
	T("appcred-1.20 role with another member -> 400", create(ta, alice,
	    "{\"application_credential\": {\"name\": \"r\", \"roles\": [{\"x\": 1}]}}",
	    &r) == 400);
	it_resp_free(&r);
	create(ta, alice, it_fmt("{\"application_credential\": {\"name\": \"r\","
	    " \"roles\": [{\"id\": \"%s\"}]}}", admin_role), &r);
	T("appcred-1.21 a role the token does not carry -> 400", r.status == 400 &&
	    strcmp(ii_msg(&r), "Invalid application credential: Cannot create an "
	    "application credential with unassigned role") == 0);
	it_resp_free(&r);
	create(ta, alice, "{\"application_credential\": {\"name\": \"r\","
	    " \"roles\": [{\"name\": \"nosuch\"}]}}", &r);
	T("appcred-1.22 unknown role name -> 404", r.status == 404 &&
	    strcmp(ii_msg(&r), "Role nosuch is not defined") == 0);
	it_resp_free(&r);
	create(ta, alice, "{\"application_credential\": {\"name\": \"r\","
	    " \"expires_at\": \"next tuesday\"}}", &r);
	T("appcred-1.23 expires_at not a time -> 400", r.status == 400 &&
	    strncmp(ii_msg(&r), "Timestamp not in expected format.", 33) == 0);
	it_resp_free(&r);
	create(ta, alice, "{\"application_credential\": {\"name\": \"r\","
	    " \"expires_at\": \"2001-01-01T00:00:00Z\"}}", &r);
	T("appcred-1.24 expires_at in the past -> 400", r.status == 400 &&
	    strncmp(ii_msg(&r), "The 'expires_at' must not be before now.", 40) == 0);
	it_resp_free(&r);
	create(ta, bob, "{\"application_credential\": {\"name\": \"r\"}}", &r);
	T("appcred-1.25 for another user -> 403", r.status == 403);
	it_resp_free(&r);
	create(ta, alice, "{\"application_credential\": {\"name\": \"r\","
	    " \"secret\": 4242424242}}", &r);
	T("appcred-1.26 secret not a string -> 400, never echoed",
	    r.status == 400 && strstr(r.body, "4242424242") == NULL);
	it_resp_free(&r);
	T("appcred-1.27 unrestricted not a boolean -> 400", create(ta, alice,
	    "{\"application_credential\": {\"name\": \"r\", \"unrestricted\": \"yes\"}}",
	    &r) == 400);
	it_resp_free(&r);
	x = scoped_token(alice, "alice-pw", NULL);
	create(x, alice, "{\"application_credential\": {\"name\": \"r\"}}", &r);
	T("appcred-1.28 unscoped token -> 403", r.status == 403);
	it_resp_free(&r);
	free(x);
	T("appcred-1.29 access rule method not allowed -> 400", create(ta, alice,
	    "{\"application_credential\": {\"name\": \"r\", \"access_rules\": "
	    "[{\"service\": \"compute\", \"path\": \"/v2.1/servers\", \"method\": "
	    "\"FETCH\"}]}}", &r) == 400);
	it_resp_free(&r);
	T("appcred-1.30 access rule path without a leading / -> 400", create(ta,
	    alice, "{\"application_credential\": {\"name\": \"r\", \"access_rules\": "
	    "[{\"service\": \"compute\", \"path\": \"v2.1\", \"method\": \"GET\"}]}}",
	    &r) == 400);
	it_resp_free(&r);
	T("appcred-1.31 access rule with another member -> 400", create(ta, alice,
	    "{\"application_credential\": {\"name\": \"r\", \"access_rules\": "
	    "[{\"service\": \"compute\", \"path\": \"/\", \"method\": \"GET\", "
	    "\"x\": 1}]}}", &r) == 400);
	it_resp_free(&r);
	T("appcred-1.32 access rule without a service -> 400", create(ta, alice,
	    "{\"application_credential\": {\"name\": \"r\", \"access_rules\": "
	    "[{\"path\": \"/\", \"method\": \"GET\"}]}}", &r) == 400);
	it_resp_free(&r);
	{
		char	many[4096];
		size_t	o = 0;

		o += (size_t)snprintf(many + o, sizeof(many) - o,
		    "{\"application_credential\": {\"name\": \"r\", \"access_rules\": [");
		for (i = 0; i < 17; i++)
			o += (size_t)snprintf(many + o, sizeof(many) - o, "%s{\"service\":"
			    " \"compute\", \"path\": \"/p%d\", \"method\": \"GET\"}",
			    i ? "," : "", i);
		snprintf(many + o, sizeof(many) - o, "]}}");
		T("appcred-1.33 17 access rules -> 400", create(ta, alice, many,
		    &r) == 400);
		it_resp_free(&r);
	}
	create(ta, alice, "{\"application_credential\": {\"name\": \"r\","
	    " \"access_rules\": [{\"id\": \"nosuchrule\"}]}}", &r);
	T("appcred-1.34 unknown access rule id -> 400", r.status == 400 &&
	    strcmp(ii_msg(&r), "Invalid application credential: Could not find "
	    "Access Rule: nosuchrule.") == 0);
	it_resp_free(&r);
	T("appcred-1.35 body not JSON -> 400", create(ta, alice, "{", &r) == 400);
	it_resp_free(&r);

	/* ---- list, show ---------------------------------------------------- */
	it_req(&s, "GET", it_fmt("/v3/users/%s/application_credentials", alice), ta,
	    NULL, NULL, &r);
	T("appcred-2.1 list -> 200, both", r.status == 200 &&
	    ii_count(r.json, "application_credentials") == 2 &&
	    it_get(r.json, "application_credentials.0.secret") == NULL &&
	    strstr(r.body, "$2b$") == NULL);
	it_resp_free(&r);
	it_req(&s, "GET", it_fmt("/v3/users/%s/application_credentials?name=two",
	    alice), ta, NULL, NULL, &r);
	T("appcred-2.2 ?name= filters", r.status == 200 &&
	    ii_count(r.json, "application_credentials") == 1 && strcmp(it_str(r.json,
	    "application_credentials.0.name"), "two") == 0);
	it_resp_free(&r);
	it_req(&s, "GET", it_fmt("/v3/users/%s/application_credentials/%s", alice,
	    id1), ta, NULL, NULL, &r);
	T("appcred-2.3 show -> 200, no secret", r.status == 200 &&
	    it_get(r.json, "application_credential.secret") == NULL &&
	    strcmp(it_str(r.json, "application_credential.id"), id1) == 0);
	it_resp_free(&r);
	it_req(&s, "GET", it_fmt("/v3/users/%s/application_credentials/nosuch", alice),
	    ta, NULL, NULL, &r);
	T("appcred-2.4 show unknown -> 404", r.status == 404 && strcmp(ii_msg(&r),
	    "Could not find Application Credential: nosuch.") == 0);
	it_resp_free(&r);
	T("appcred-2.5 bob cannot show alice's, under her path -> 403",
	    req_st("GET", it_fmt("/v3/users/%s/application_credentials/%s", alice,
	    id1), tb) == 403);
	T("appcred-2.6 ... nor under his own path -> 403 (the owner decides)",
	    req_st("GET", it_fmt("/v3/users/%s/application_credentials/%s", bob,
	    id1), tb) == 403);
	T("appcred-2.7 ... an unknown one under her path -> 403",
	    req_st("GET", it_fmt("/v3/users/%s/application_credentials/nosuch",
	    alice), tb) == 403);
	T("appcred-2.8 bob cannot list alice's -> 403", req_st("GET",
	    it_fmt("/v3/users/%s/application_credentials", alice), tb) == 403);
	T("appcred-2.9 bob cannot delete alice's -> 403", req_st("DELETE",
	    it_fmt("/v3/users/%s/application_credentials/%s", alice, id1), tb) == 403);
	T("appcred-2.10 admin shows alice's -> 200", req_st("GET",
	    it_fmt("/v3/users/%s/application_credentials/%s", alice, id1), A) == 200);
	T("appcred-2.11 admin under the wrong user's path -> 404", req_st("GET",
	    it_fmt("/v3/users/%s/application_credentials/%s", bob, id1), A) == 404);
	it_req(&s, "GET", "/v3/users/nosuchuser/application_credentials", A, NULL,
	    NULL, &r);
	T("appcred-2.12 admin lists an unknown user's -> 200 [] (as Keystone)",
	    r.status == 200 && ii_count(r.json, "application_credentials") == 0);
	it_resp_free(&r);
	T("appcred-2.13 HEAD show -> 200", req_st("HEAD",
	    it_fmt("/v3/users/%s/application_credentials/%s", alice, id1), ta) == 200);

	/* ---- authentication ------------------------------------------------ */
	ac_auth(it_fmt("{\"id\": \"%s\", \"secret\": \"%s\"}", id1, sec1), NULL, &r);
	T("appcred-3.1 auth by id -> 201", r.status == 201 && r.subject_token);
	T("appcred-3.2 token body: methods, project, the credential",
	    r.json && strcmp(it_str(r.json, "token.methods.0"),
	    "application_credential") == 0 && strcmp(it_str(r.json,
	    "token.project.id"), p) == 0 && strcmp(it_str(r.json,
	    "token.application_credential.id"), id1) == 0 && strcmp(it_str(r.json,
	    "token.application_credential.name"), "one") == 0 && json_is_true(
	    it_get(r.json, "token.application_credential.restricted")) &&
	    it_get(r.json, "token.application_credential.access_rules") == NULL &&
	    roles_are(r.json, "token.roles", "member,reader,observer"));
	t1 = r.subject_token ? strdup(r.subject_token) : NULL;
	it_resp_free(&r);
	validate(t1, NULL, &r);
	T("appcred-3.3 validates with the credential in the body", r.status == 200 &&
	    strcmp(it_str(r.json, "token.application_credential.id"), id1) == 0 &&
	    roles_are(r.json, "token.roles", "member,reader,observer"));
	it_resp_free(&r);
	T("appcred-3.4 auth by name + user id -> 201", ac_auth(it_fmt("{\"name\": "
	    "\"one\", \"user\": {\"id\": \"%s\"}, \"secret\": \"%s\"}", alice, sec1),
	    NULL, &r) == 201);
	it_resp_free(&r);
	T("appcred-3.5 auth by name + user name and domain -> 201", ac_auth(
	    it_fmt("{\"name\": \"one\", \"user\": {\"name\": \"alice\", \"domain\": "
	    "{\"name\": \"Default\"}}, \"secret\": \"%s\"}", sec1), NULL, &r) == 201);
	it_resp_free(&r);
	ac_auth(it_fmt("{\"id\": \"%s\", \"secret\": \"wrong\"}", id1), NULL, &r);
	T("appcred-3.6 wrong secret -> 401 + WWW-Authenticate", r.status == 401 &&
	    strstr(r.headers, "WWW-Authenticate: Keystone uri=") != NULL &&
	    strcmp(ii_msg(&r), "The request you have made requires authentication.")
	    == 0);
	it_resp_free(&r);
	T("appcred-3.7 no secret -> 401", ac_auth(it_fmt("{\"id\": \"%s\"}", id1),
	    NULL, &r) == 401);
	it_resp_free(&r);
	ac_auth("{\"id\": \"nosuchcred\", \"secret\": \"x\"}", NULL, &r);
	T("appcred-3.8 unknown id -> 404 (as Keystone)", r.status == 404 &&
	    strcmp(ii_msg(&r), "Could not find Application Credential: nosuchcred.")
	    == 0);
	it_resp_free(&r);
	T("appcred-3.9 unknown name -> 401", ac_auth(it_fmt("{\"name\": \"nosuch\","
	    " \"user\": {\"id\": \"%s\"}, \"secret\": \"x\"}", alice), NULL, &r) == 401);
	it_resp_free(&r);
	T("appcred-3.10 unknown user name -> 401", ac_auth("{\"name\": \"one\", "
	    "\"user\": {\"name\": \"nobody\", \"domain\": {\"id\": \"default\"}}, "
	    "\"secret\": \"x\"}", NULL, &r) == 401);
	it_resp_free(&r);
	T("appcred-3.11 a scope -> 401", ac_auth(it_fmt("{\"id\": \"%s\", \"secret\":"
	    " \"%s\"}", id1, sec1), it_fmt("{\"project\": {\"id\": \"%s\"}}", p2),
	    &r) == 401);
	it_resp_free(&r);
	T("appcred-3.12 \"unscoped\" -> 401", ac_auth(it_fmt("{\"id\": \"%s\", "
	    "\"secret\": \"%s\"}", id1, sec1), "\"unscoped\"", &r) == 401);
	it_resp_free(&r);
	ac_auth("{\"secret\": \"x\"}", NULL, &r);
	T("appcred-3.13 neither id nor name -> 400", r.status == 400 &&
	    strncmp(ii_msg(&r), "Expecting to find name or ID in application "
	    "credential.", 54) == 0);
	it_resp_free(&r);
	T("appcred-3.14 name without user -> 400", ac_auth("{\"name\": \"one\", "
	    "\"secret\": \"x\"}", NULL, &r) == 400);
	it_resp_free(&r);
	T("appcred-3.15 user name without domain -> 400", ac_auth("{\"name\": \"one\","
	    " \"user\": {\"name\": \"alice\"}, \"secret\": \"x\"}", NULL, &r) == 400);
	it_resp_free(&r);
	ac_auth(it_fmt("{\"id\": \"%s\", \"secret\": 987654321}", id1), NULL, &r);
	T("appcred-3.16 secret not a string -> 400, masked", r.status == 400 &&
	    strstr(r.body, "987654321") == NULL);
	it_resp_free(&r);
	ac_auth(it_fmt("{\"id\": \"%s\", \"secret\": \"%s\"}", id2, sec2), NULL, &r);
	T("appcred-3.17 a credential naming member: its tokens carry member only",
	    r.status == 201 && roles_are(r.json, "token.roles", "member") &&
	    json_is_false(it_get(r.json, "token.application_credential.restricted")));
	t2 = r.subject_token ? strdup(r.subject_token) : NULL;
	it_resp_free(&r);
	T("appcred-3.18 the token method from a credential's token -> 403",
	    it_status(&s, "POST", "/v3/auth/tokens", NULL, it_fmt("{\"auth\": "
	    "{\"identity\": {\"methods\": [\"token\"], \"token\": {\"id\": \"%s\"}}}}",
	    t1)) == 403);
	T("appcred-3.19 password and application_credential together -> 201",
	    it_status(&s, "POST", "/v3/auth/tokens", NULL, it_fmt("{\"auth\": "
	    "{\"identity\": {\"methods\": [\"password\", \"application_credential\"],"
	    " \"password\": {\"user\": {\"id\": \"%s\", \"password\": \"alice-pw\"}},"
	    " \"application_credential\": {\"id\": \"%s\", \"secret\": \"%s\"}}}}",
	    alice, id1, sec1)) == 201);
	T("appcred-3.20 ... for two users -> 401", it_status(&s, "POST",
	    "/v3/auth/tokens", NULL, it_fmt("{\"auth\": {\"identity\": {\"methods\":"
	    " [\"password\", \"application_credential\"], \"password\": {\"user\": "
	    "{\"id\": \"%s\", \"password\": \"bob-pw\"}}, \"application_credential\": "
	    "{\"id\": \"%s\", \"secret\": \"%s\"}}}}", bob, id1, sec1)) == 401);

	/* Restricted and unrestricted credentials. */
	create(t1, alice, "{\"application_credential\": {\"name\": \"via-ac\"}}", &r);
	T("appcred-3.21 a restricted credential's token cannot create one -> 403",
	    r.status == 403 && strcmp(ii_msg(&r), "You are not authorized to perform "
	    "the requested action: Using method 'application_credential' is not "
	    "allowed for managing additional application credentials.") == 0);
	it_resp_free(&r);
	T("appcred-3.22 ... nor delete one -> 403", req_st("DELETE",
	    it_fmt("/v3/users/%s/application_credentials/%s", alice, id2), t1) == 403);
	T("appcred-3.23 an unrestricted one's token can -> 201", create_ok(t2, alice,
	    "{\"application_credential\": {\"name\": \"three\"}}", &id3, &sec3));
	it_req(&s, "GET", it_fmt("/v3/users/%s/application_credentials/%s", alice,
	    id3), ta, NULL, NULL, &r);
	T("appcred-3.24 ... whose roles are that token's (member)", r.status == 200 &&
	    roles_are(r.json, "application_credential.roles", "member"));
	it_resp_free(&r);

	/* Expiry: tokens never outlive their credential; expired refuses. */
	now = time(NULL) + 90;
	gmtime_r(&now, &tm);
	strftime(exp_s, sizeof(exp_s), "%Y-%m-%dT%H:%M:%SZ", &tm);
	{
		char	*sid = NULL, *ssec = NULL;

		T("appcred-3.25 credential expiring in 90 s", create_ok(ta, alice,
		    it_fmt("{\"application_credential\": {\"name\": \"short\","
		    " \"expires_at\": \"%s\"}}", exp_s), &sid, &ssec));
		if (sid != NULL) {
			int64_t	 exp_us = 0, want;

			ac_auth(it_fmt("{\"id\": \"%s\", \"secret\": \"%s\"}", sid, ssec),
			    NULL, &r);
			want = (int64_t)now * 1000000;
			T("appcred-3.26 token expires with the credential (CVE-2022-2447)",
			    r.status == 201 && kg_time_parse(it_str(r.json,
			    "token.expires_at"), &exp_us) == 0 && exp_us <= want &&
			    exp_us > want - 5000000);
			it_resp_free(&r);
		} else
			T("appcred-3.26 token expires with the credential", 0);
		free(sid);
		free(ssec);
	}
	now = time(NULL) + 2;
	gmtime_r(&now, &tm);
	strftime(exp_s, sizeof(exp_s), "%Y-%m-%dT%H:%M:%SZ", &tm);
	{
		char	*eid = NULL, *esec = NULL, *etok;

		T("appcred-3.27 credential expiring in 2 s", create_ok(ta, alice,
		    it_fmt("{\"application_credential\": {\"name\": \"expiring\","
		    " \"expires_at\": \"%s\"}}", exp_s), &eid, &esec));
		etok = eid ? ac_token(eid, esec) : NULL;
		T("appcred-3.28 ... logs in now", etok != NULL);
		sleep(3);
		T("appcred-3.29 ... is refused once expired -> 401", eid && ac_auth(
		    it_fmt("{\"id\": \"%s\", \"secret\": \"%s\"}", eid, esec), NULL,
		    &r) == 401);
		it_resp_free(&r);
		T("appcred-3.30 ... and its token expired with it -> 404",
		    validate_st(etok, NULL) == 404);
		{
			char		 sh[8192];
			const char	*h[] = { sh, NULL };

			snprintf(sh, sizeof(sh), "X-Subject-Token: %s", etok ? etok : "");
			it_req(&s, "GET", "/v3/auth/tokens?allow_expired=1", A, NULL, h, &r);
			T("appcred-3.32 expired credential token + allow_expired -> 200",
			    r.status == 200);
			it_resp_free(&r);
		}
		free(eid);
		free(esec);
		free(etok);
	}

	/* ---- access rules -------------------------------------------------- */
	create(ta, alice, "{\"application_credential\": {\"name\": \"ruled\","
	    " \"access_rules\": [{\"service\": \"identity\", \"method\": \"GET\","
	    " \"path\": \"/v3/auth/projects\"}, {\"service\": \"identity\", \"method\":"
	    " \"GET\", \"path\": \"/v3/users/*\"}, {\"service\": \"compute\","
	    " \"method\": \"GET\", \"path\": \"/v2.1/servers/{server_id}/ips\"}]}}",
	    &r);
	T("appcred-5.1 create with access rules -> 201", r.status == 201 &&
	    ii_count(it_get(r.json, "application_credential"), "access_rules") == 3 &&
	    strcmp(it_str(r.json, "application_credential.access_rules.0.path"),
	    "/v3/auth/projects") == 0 && it_str(r.json,
	    "application_credential.access_rules.0.id") != NULL);
	rule1 = it_str(r.json, "application_credential.access_rules.2.id") ?
	    strdup(it_str(r.json, "application_credential.access_rules.2.id")) : NULL;
	{
		char	*rid = it_str(r.json, "application_credential.id") ?
			    strdup(it_str(r.json, "application_credential.id")) : NULL;
		char	*rsec = it_str(r.json, "application_credential.secret") ?
			    strdup(it_str(r.json, "application_credential.secret")) : NULL;
		char	*rt, *rid2 = NULL, *rsec2 = NULL;

		it_resp_free(&r);
		it_req(&s, "GET", it_fmt("/v3/users/%s/access_rules", alice), ta, NULL,
		    NULL, &r);
		T("appcred-5.2 list access rules -> 200, with links", r.status == 200 &&
		    ii_count(r.json, "access_rules") == 3 && strcmp(it_str(r.json,
		    "access_rules.0.links.self"), it_fmt("%s/v3/access_rules/%s", s.base,
		    it_str(r.json, "access_rules.0.id"))) == 0);
		it_resp_free(&r);
		it_req(&s, "GET", it_fmt("/v3/users/%s/access_rules?service=compute",
		    alice), ta, NULL, NULL, &r);
		T("appcred-5.3 ?service= filters", r.status == 200 &&
		    ii_count(r.json, "access_rules") == 1);
		it_resp_free(&r);
		it_req(&s, "GET", it_fmt("/v3/users/%s/access_rules?method=GET&path="
		    "/v3/auth/projects", alice), ta, NULL, NULL, &r);
		T("appcred-5.4 ?method=&path= filter", r.status == 200 &&
		    ii_count(r.json, "access_rules") == 1);
		it_resp_free(&r);
		it_req(&s, "GET", it_fmt("/v3/users/%s/access_rules/%s", alice, rule1),
		    ta, NULL, NULL, &r);
		T("appcred-5.5 show -> 200", r.status == 200 && strcmp(it_str(r.json,
		    "access_rule.path"), "/v2.1/servers/{server_id}/ips") == 0 &&
		    strcmp(it_str(r.json, "access_rule.service"), "compute") == 0);
		it_resp_free(&r);
		it_req(&s, "GET", it_fmt("/v3/users/%s/access_rules/nosuch", alice), ta,
		    NULL, NULL, &r);
		T("appcred-5.6 show unknown -> 404", r.status == 404 && strcmp(ii_msg(&r),
		    "Could not find Access Rule: nosuch.") == 0);
		it_resp_free(&r);
		T("appcred-5.7 another user's rule under one's own path -> 404",
		    req_st("GET", it_fmt("/v3/users/%s/access_rules/%s", bob, rule1),
		    tb) == 404);
		T("appcred-5.8 another user's rules -> 403", req_st("GET",
		    it_fmt("/v3/users/%s/access_rules", alice), tb) == 403 &&
		    req_st("GET", it_fmt("/v3/users/%s/access_rules/%s", alice, rule1),
		    tb) == 403 && req_st("DELETE", it_fmt("/v3/users/%s/access_rules/%s",
		    alice, rule1), tb) == 403);
		T("appcred-5.9 a second credential naming the rule by id",
		    create_ok(ta, alice, it_fmt("{\"application_credential\": {\"name\":"
		    " \"ruled2\", \"access_rules\": [{\"id\": \"%s\"}, {\"service\": "
		    "\"identity\", \"method\": \"GET\", \"path\": \"/v3/auth/projects\"}]}}",
		    rule1), &rid2, &rsec2));
		it_req(&s, "GET", it_fmt("/v3/users/%s/access_rules", alice), ta, NULL,
		    NULL, &r);
		T("appcred-5.10 rules are shared: still 3", r.status == 200 &&
		    ii_count(r.json, "access_rules") == 3);
		it_resp_free(&r);
		it_req(&s, "DELETE", it_fmt("/v3/users/%s/access_rules/%s", alice, rule1),
		    ta, NULL, NULL, &r);
		T("appcred-5.11 delete a rule in use -> 403", r.status == 403 &&
		    strcmp(ii_msg(&r), "May not delete access rule in use") == 0);
		it_resp_free(&r);
		T("appcred-5.12 bob cannot name alice's rule -> 400", create(tb, bob,
		    it_fmt("{\"application_credential\": {\"name\": \"steal\", "
		    "\"access_rules\": [{\"id\": \"%s\"}]}}", rule1), &r) == 400);
		it_resp_free(&r);

		rt = rid ? ac_token(rid, rsec) : NULL;
		T("appcred-5.13 ruled credential logs in", rt != NULL);
		T("appcred-5.14 validation without OpenStack-Identity-Access-Rules -> 404",
		    validate_st(rt, NULL) == 404);
		T("appcred-5.15 ... with version 0.9 -> 404", validate_st(rt,
		    "OpenStack-Identity-Access-Rules: 0.9") == 404);
		validate(rt, "OpenStack-Identity-Access-Rules: 1.0", &r);
		T("appcred-5.16 ... with 1.0 -> 200 and the rules in the body",
		    r.status == 200 && ii_count(it_get(r.json,
		    "token.application_credential"), "access_rules") == 3);
		it_resp_free(&r);
		T("appcred-5.17 keygate's API: an allowed call -> 200",
		    req_st("GET", "/v3/auth/projects", rt) == 200 &&
		    req_st("GET", it_fmt("/v3/users/%s", alice), rt) == 200);
		T("appcred-5.18 ... a call no rule allows -> 401",
		    req_st("GET", "/v3/users", rt) == 401 &&
		    req_st("GET", it_fmt("/v3/users/%s/groups", alice), rt) == 401 &&
		    req_st("GET", "/v3/auth/domains", rt) == 401);
		{
			char		 sh[8192];
			const char	*h[] = { sh, "OpenStack-Identity-Access-Rules: 1",
					    NULL };

			snprintf(sh, sizeof(sh), "X-Subject-Token: %s", rt ? rt : "");
			it_req(&s, "GET", "/v3/auth/tokens", rt, NULL, h, &r);
			T("appcred-5.19 ... validating itself is always allowed",
			    r.status == 200);
			it_resp_free(&r);
		}
		T("appcred-5.20 the token method from a ruled token -> 404",
		    it_status(&s, "POST", "/v3/auth/tokens", NULL, it_fmt("{\"auth\": "
		    "{\"identity\": {\"methods\": [\"token\"], \"token\": {\"id\": "
		    "\"%s\"}}}}", rt ? rt : "x")) == 404);
		T("appcred-5.21 delete both credentials", req_st("DELETE",
		    it_fmt("/v3/users/%s/application_credentials/%s", alice, rid), ta)
		    == 204 && req_st("DELETE", it_fmt("/v3/users/%s/application_"
		    "credentials/%s", alice, rid2), ta) == 204);
		T("appcred-5.22 the rule, unused, deletes -> 204", req_st("DELETE",
		    it_fmt("/v3/users/%s/access_rules/%s", alice, rule1), ta) == 204);
		T("appcred-5.23 deleted rule -> 404", req_st("GET",
		    it_fmt("/v3/users/%s/access_rules/%s", alice, rule1), ta) == 404 &&
		    req_st("DELETE", it_fmt("/v3/users/%s/access_rules/%s", alice,
		    rule1), ta) == 404);
		snprintf(ruleid, sizeof(ruleid), "chosen-rule-id");
		T("appcred-5.24 a rule with an id the client chose", create_ok(ta, alice,
		    it_fmt("{\"application_credential\": {\"name\": \"chosen\", "
		    "\"access_rules\": [{\"id\": \"%s\", \"service\": \"image\", "
		    "\"method\": \"GET\", \"path\": \"/v2/**\"}]}}", ruleid), &x,
		    &cs));
		free(x);
		free(cs);
		T("appcred-5.25 ... shows under that id", req_st("GET",
		    it_fmt("/v3/users/%s/access_rules/%s", alice, ruleid), ta) == 200);
		create(tb, bob, it_fmt("{\"application_credential\": {\"name\": "
		    "\"clash\", \"access_rules\": [{\"id\": \"%s\", \"service\": "
		    "\"image\", \"method\": \"GET\", \"path\": \"/x\"}]}}", ruleid), &r);
		T("appcred-5.26 another user choosing that id -> 409", r.status == 409);
		it_resp_free(&r);
		free(rid);
		free(rsec);
		free(rid2);
		free(rsec2);
		free(rt);
	}

	/* ---- what invalidates a credential and its tokens ------------------ */
	T("appcred-4.1 delete -> 204", req_st("DELETE",
	    it_fmt("/v3/users/%s/application_credentials/%s", alice, id3), ta) == 204);
	T("appcred-4.2 deleted -> 404 on show and delete", req_st("GET",
	    it_fmt("/v3/users/%s/application_credentials/%s", alice, id3), ta) == 404
	    && req_st("DELETE", it_fmt("/v3/users/%s/application_credentials/%s",
	    alice, id3), ta) == 404);
	T("appcred-4.3 deleted credential's login -> 404", ac_auth(it_fmt("{\"id\": "
	    "\"%s\", \"secret\": \"%s\"}", id3, sec3), NULL, &r) == 404);
	it_resp_free(&r);
	x = ac_token(id1, sec1);
	T("appcred-4.4 tokens of other credentials and passwords stay", x &&
	    validate_st(x, NULL) == 200 && validate_st(ta, NULL) == 200);
	it_req(&s, "GET", "/v3/OS-REVOKE/events", A, NULL, NULL, &r);
	{
		json_t	*ev = json_object_get(r.json, "events"), *e;
		size_t	 k;
		int	 found = 0;

		json_array_foreach(ev, k, e)
			if (json_is_string(json_object_get(e,
			    "OS-KEYGATE:application_credential_id")) &&
			    strcmp(json_string_value(json_object_get(e,
			    "OS-KEYGATE:application_credential_id")), id3) == 0 &&
			    strcmp(json_string_value(json_object_get(e, "user_id")),
			    alice) == 0)
				found = 1;
		T("appcred-4.5 the deletion is a revocation event (user + credential)",
		    r.status == 200 && found);
	}
	it_resp_free(&r);

	/* A role lost: tokens revoked; later tokens without it; none: 401. */
	T("appcred-4.6 remove alice's observer grant", req_st("DELETE",
	    it_fmt("/v3/projects/%s/users/%s/roles/%s", p, alice, observer), A) == 204);
	T("appcred-4.7 ... the credential's earlier tokens are revoked",
	    validate_st(x, NULL) == 404);
	free(x);
	ac_auth(it_fmt("{\"id\": \"%s\", \"secret\": \"%s\"}", id1, sec1), NULL, &r);
	T("appcred-4.8 ... later tokens carry the roles she still has",
	    r.status == 201 && roles_are(r.json, "token.roles", "member,reader"));
	x = r.subject_token ? strdup(r.subject_token) : NULL;
	it_resp_free(&r);
	T("appcred-4.9 grant it back", grant(p, alice, observer));
	free(t1);
	T("appcred-4.10 a token of the credential carries observer again",
	    (t1 = ac_token(id1, sec1)) != NULL);
	T("appcred-4.11 delete the observer role -> 204", req_st("DELETE",
	    it_fmt("/v3/roles/%s", observer), A) == 204);
	T("appcred-4.12 ... the credential carrying it is deleted", req_st("GET",
	    it_fmt("/v3/users/%s/application_credentials/%s", alice, id1), A) == 404);
	T("appcred-4.12a ... and, as Keystone, every credential of a user who held "
	    "it on that project", req_st("GET", it_fmt("/v3/users/%s/application_"
	    "credentials/%s", alice, id2), A) == 404);
	free(id2);
	free(sec2);
	free(ta);		/* revoked with the role: a new one */
	ta = ii_project_token(&s, alice, "alice-pw", p);
	T("appcred-4.12b a new credential", ta && create_ok(ta, alice,
	    "{\"application_credential\": {\"name\": \"again\", \"unrestricted\":"
	    " true}}", &id2, &sec2));
	T("appcred-4.13 ... and its tokens revoked", validate_st(t1, NULL) == 404 &&
	    validate_st(x, NULL) == 404);
	free(t1);
	free(x);

	/* A user disabled: tokens revoked, login refused, credential kept. */
	free(t2);
	t2 = ac_token(id2, sec2);
	T("appcred-4.14 disable alice", it_status(&s, "PATCH", it_fmt("/v3/users/%s",
	    alice), A, "{\"user\": {\"enabled\": false}}") == 200);
	T("appcred-4.15 ... her credential's token is revoked", validate_st(t2,
	    NULL) == 404);
	T("appcred-4.16 ... its login -> 401", ac_auth(it_fmt("{\"id\": \"%s\", "
	    "\"secret\": \"%s\"}", id2, sec2), NULL, &r) == 401);
	it_resp_free(&r);
	T("appcred-4.17 enable her again: the credential works (as Keystone)",
	    it_status(&s, "PATCH", it_fmt("/v3/users/%s", alice), A,
	    "{\"user\": {\"enabled\": true}}") == 200 && (x = ac_token(id2, sec2)) != NULL);
	free(t2);
	free(x);

	/* Roles through a group; the member role removed. */
	{
		char	*g = ii_create(&s, "/v3/groups", "{\"group\": {\"name\": \"g1\"}}",
			    "group.id");
		char	*carol = new_user("carol"), *tc, *gid = NULL, *gsec = NULL;

		T("appcred-4.18 carol in a group holding member on the project",
		    g && carol && req_st("PUT", it_fmt("/v3/groups/%s/users/%s", g, carol),
		    A) == 204 && req_st("PUT", it_fmt("/v3/projects/%s/groups/%s/roles/%s",
		    p, g, member), A) == 204);
		tc = ii_project_token(&s, carol, "carol-pw", p);
		T("appcred-4.19 her credential (roles through the group) logs in",
		    create_ok(tc, carol, "{\"application_credential\": {\"name\": \"c\"}}",
		    &gid, &gsec) && (x = ac_token(gid, gsec)) != NULL);
		T("appcred-4.20 out of the group: token revoked, login refused",
		    req_st("DELETE", it_fmt("/v3/groups/%s/users/%s", g, carol), A) == 204
		    && validate_st(x, NULL) == 404 && ac_auth(it_fmt("{\"id\": \"%s\", "
		    "\"secret\": \"%s\"}", gid, gsec), NULL, &r) == 401);
		it_resp_free(&r);
		free(x);
		T("appcred-4.21 user deleted: credentials gone (login -> 404)",
		    req_st("DELETE", it_fmt("/v3/users/%s", carol), A) == 204 &&
		    ac_auth(it_fmt("{\"id\": \"%s\", \"secret\": \"%s\"}", gid, gsec), NULL,
		    &r) == 404);
		it_resp_free(&r);
		free(g);
		free(carol);
		free(tc);
		free(gid);
		free(gsec);
	}
	/* Project deleted: the credential goes with it. */
	{
		char	*tp2 = ii_project_token(&s, alice, "alice-pw", p2), *pid = NULL,
			*psec = NULL;

		T("appcred-4.22 a credential on the other project", tp2 && create_ok(tp2,
		    alice, "{\"application_credential\": {\"name\": \"p2\"}}", &pid,
		    &psec));
		T("appcred-4.23 project deleted: credential gone (login -> 404)",
		    it_status(&s, "PATCH", it_fmt("/v3/projects/%s", p2), A,
		    "{\"project\": {\"enabled\": false}}") == 200 &&
		    req_st("DELETE", it_fmt("/v3/projects/%s", p2), A) == 204 &&
		    ac_auth(it_fmt("{\"id\": \"%s\", \"secret\": \"%s\"}", pid, psec),
		    NULL, &r) == 404);
		it_resp_free(&r);
		free(tp2);
		free(pid);
		free(psec);
	}

	/* ---- RBAC: the default policy (Keystone 29), non-admin personas ----- */
	dom = ii_create(&s, "/v3/domains", "{\"domain\": {\"name\": \"d1\"}}",
	    "domain.id");
	dadmin = new_user("dadmin");
	sysr = new_user("sysreader");
	padmin = new_user("padmin");
	T("appcred-6.0 personas", dom && dadmin && sysr && padmin &&
	    req_st("PUT", it_fmt("/v3/domains/%s/users/%s/roles/%s", dom, dadmin,
	    admin_role), A) == 204 && req_st("PUT", it_fmt("/v3/system/users/%s/"
	    "roles/%s", sysr, reader), A) == 204 && grant(p, padmin, admin_role));
	tdom = scoped_token(dadmin, "dadmin-pw", it_fmt("{\"domain\": {\"id\": "
	    "\"%s\"}}", dom));
	tsys = scoped_token(sysr, "sysreader-pw", "{\"system\": {\"all\": true}}");
	tpadmin = ii_project_token(&s, padmin, "padmin-pw", p);
	T("appcred-6.1 persona tokens", tdom && tsys && tpadmin);
	T("appcred-6.2 system reader lists and shows alice's -> 200",
	    req_st("GET", it_fmt("/v3/users/%s/application_credentials", alice),
	    tsys) == 200 && req_st("GET", it_fmt("/v3/users/%s/application_"
	    "credentials/%s", alice, id2), tsys) == 200);
	T("appcred-6.3 system reader cannot delete -> 403", req_st("DELETE",
	    it_fmt("/v3/users/%s/application_credentials/%s", alice, id2), tsys)
	    == 403);
	T("appcred-6.4 system reader cannot create for alice -> 403", create(tsys,
	    alice, "{\"application_credential\": {\"name\": \"s\"}}", &r) == 403);
	it_resp_free(&r);
	T("appcred-6.5 domain admin: a domain-scoped token is outside the rules' "
	    "scope types (system, project) -> 403", req_st("GET", it_fmt("/v3/users/"
	    "%s/application_credentials", alice), tdom) == 403 && req_st("GET",
	    it_fmt("/v3/users/%s/application_credentials/%s", alice, id2), tdom)
	    == 403 && req_st("DELETE", it_fmt("/v3/users/%s/application_credentials"
	    "/%s", alice, id2), tdom) == 403);
	{
		char	*dmem = new_user("dmember"), *tdm;

		T("appcred-6.5a a domain member", dmem && req_st("PUT",
		    it_fmt("/v3/domains/%s/users/%s/roles/%s", dom, dmem, member), A)
		    == 204);
		tdm = scoped_token(dmem, "dmember-pw", it_fmt("{\"domain\": {\"id\": "
		    "\"%s\"}}", dom));
		T("appcred-6.5b domain member: no access to her credentials -> 403",
		    tdm && req_st("GET", it_fmt("/v3/users/%s/application_credentials",
		    alice), tdm) == 403 && req_st("GET", it_fmt("/v3/users/%s/"
		    "application_credentials/%s", alice, id2), tdm) == 403 &&
		    req_st("DELETE", it_fmt("/v3/users/%s/application_credentials/%s",
		    alice, id2), tdm) == 403 && req_st("GET", it_fmt("/v3/users/%s/"
		    "access_rules", alice), tdm) == 403);
		free(dmem);
		free(tdm);
	}
	T("appcred-6.6 project admin (rule:admin_required: an admin on any "
	    "project is a cloud admin) shows -> 200",
	    req_st("GET", it_fmt("/v3/users/%s/application_credentials/%s", alice,
	    id2), tpadmin) == 200);
	T("appcred-6.7 project member (bob) -> 403 everywhere", req_st("GET",
	    it_fmt("/v3/users/%s/application_credentials/%s", alice, id2), tb) == 403
	    && req_st("DELETE", it_fmt("/v3/users/%s/application_credentials/%s",
	    alice, id2), tb) == 403);
	T("appcred-6.8 access rules: system reader lists -> 200, deletes -> 403",
	    req_st("GET", it_fmt("/v3/users/%s/access_rules", alice), tsys) == 200 &&
	    req_st("DELETE", it_fmt("/v3/users/%s/access_rules/%s", alice, ruleid),
	    tsys) == 403);
	T("appcred-6.9 access rules: project admin -> 403 (no deprecated rule)",
	    req_st("GET", it_fmt("/v3/users/%s/access_rules", alice), tpadmin) == 403
	    && req_st("GET", it_fmt("/v3/users/%s/access_rules/%s", alice, ruleid),
	    tpadmin) == 403);
	T("appcred-6.10 access rules: domain admin -> 403", req_st("GET",
	    it_fmt("/v3/users/%s/access_rules", alice), tdom) == 403);
	T("appcred-6.11 admin (system) deletes alice's credential -> 204",
	    req_st("DELETE", it_fmt("/v3/users/%s/application_credentials/%s", alice,
	    id2), A) == 204);

	/* ---- a user deleted takes credentials and access rules -------------- */
	it_req(&s, "GET", it_fmt("/v3/users/%s/access_rules", alice), tsys, NULL,
	    NULL, &r);
	T("appcred-7.0 alice has an access rule", r.status == 200 &&
	    ii_count(r.json, "access_rules") >= 1);
	it_resp_free(&r);
	T("appcred-7.1 delete alice", req_st("DELETE", it_fmt("/v3/users/%s", alice),
	    A) == 204);
	it_req(&s, "GET", it_fmt("/v3/users/%s/access_rules", alice), tsys, NULL,
	    NULL, &r);
	T("appcred-7.2 her access rules are gone", r.status == 200 &&
	    ii_count(r.json, "access_rules") == 0);
	it_resp_free(&r);
	it_req(&s, "GET", it_fmt("/v3/users/%s/application_credentials", alice), A,
	    NULL, NULL, &r);
	T("appcred-7.3 her credentials are gone", r.status == 200 &&
	    ii_count(r.json, "application_credentials") == 0);
	it_resp_free(&r);

	/* ---- delegation meets delegation: trusts and credentials ---------- */
	{
		const char	*ac_trusts = "You are not authorized to perform the "
				    "requested action: Using method "
				    "'application_credential' is not allowed for "
				    "managing trusts.";
		char		*carol = new_user("carol"), *trust = NULL, *tt, *tu, *tr;
		char		*uid = NULL, *usec = NULL, *rid = NULL, *rsec = NULL;

		/* The trustor posts it, with his project token. */
		it_req(&s, "POST", "/v3/OS-TRUST/trusts", tb, it_fmt("{\"trust\": "
		    "{\"trustor_user_id\": \"%s\", \"trustee_user_id\": \"%s\", "
		    "\"project_id\": \"%s\", \"impersonation\": true, \"roles\": "
		    "[{\"name\": \"member\"}]}}", bob, carol, p), NULL, &r);
		if (r.status == 201 && it_str(r.json, "trust.id") != NULL)
			trust = strdup(it_str(r.json, "trust.id"));
		it_resp_free(&r);
		T("appcred-8.0 fixtures: bob's credentials (unrestricted and "
		    "restricted), his trust to carol with impersonation", carol &&
		    trust && create_ok(tb, bob, "{\"application_credential\": "
		    "{\"name\": \"ub\", \"unrestricted\": true}}", &uid, &usec) &&
		    create_ok(tb, bob, "{\"application_credential\": {\"name\": "
		    "\"rb\"}}", &rid, &rsec));
		tu = uid ? ac_token(uid, usec) : NULL;
		tr = rid ? ac_token(rid, rsec) : NULL;
		tt = carol ? scoped_token(carol, "carol-pw", it_fmt("{\"OS-TRUST:"
		    "trust\": {\"id\": \"%s\"}}", trust ? trust : "")) : NULL;
		T("appcred-8.1 tokens: both credentials', carol's trust-scoped",
		    tu && tr && tt);

		/* Keystone's _check_application_credential (CVE-2026-43000):
		 * restricted or not, no trust operation. */
		it_req(&s, "POST", "/v3/OS-TRUST/trusts", tu, it_fmt("{\"trust\": "
		    "{\"trustor_user_id\": \"%s\", \"trustee_user_id\": \"%s\", "
		    "\"project_id\": \"%s\", \"impersonation\": false, "
		    "\"roles\": [{\"name\": \"member\"}]}}", bob, carol, p),
		    NULL, &r);
		T("appcred-8.2 an unrestricted credential's token creates no trust "
		    "-> 403, Keystone's text", r.status == 403 &&
		    t_streq(ii_msg(&r), ac_trusts));
		it_resp_free(&r);
		it_req(&s, "POST", "/v3/OS-TRUST/trusts", tr, it_fmt("{\"trust\": "
		    "{\"trustor_user_id\": \"%s\", \"trustee_user_id\": \"%s\", "
		    "\"project_id\": \"%s\", \"impersonation\": false, "
		    "\"roles\": [{\"name\": \"member\"}]}}", bob, carol, p),
		    NULL, &r);
		T("appcred-8.3 ... nor a restricted one's -> 403", r.status == 403 &&
		    t_streq(ii_msg(&r), ac_trusts));
		it_resp_free(&r);
		T("appcred-8.4 ... nor lists, shows, reads the roles of one -> 403",
		    req_st("GET", it_fmt("/v3/OS-TRUST/trusts?trustor_user_id=%s",
		    bob), tu) == 403 && req_st("GET", "/v3/OS-TRUST/trusts", tu)
		    == 403 && req_st("GET", it_fmt("/v3/OS-TRUST/trusts/%s", trust),
		    tu) == 403 && req_st("GET", it_fmt("/v3/OS-TRUST/trusts/%s/roles",
		    trust), tu) == 403 && req_st("GET", it_fmt("/v3/OS-TRUST/trusts/"
		    "%s/roles/%s", trust, member), tu) == 403);
		T("appcred-8.5 ... nor deletes one -> 403; the trust stays",
		    req_st("DELETE", it_fmt("/v3/OS-TRUST/trusts/%s", trust), tu)
		    == 403 && req_st("GET", it_fmt("/v3/OS-TRUST/trusts/%s", trust),
		    tb) == 200);
		T("appcred-8.6 a trust that does not exist is still a 404 first",
		    req_st("GET", "/v3/OS-TRUST/trusts/nosuchtrust", tu) == 404);
		T("appcred-8.7 bob's password token lists his trusts -> 200",
		    req_st("GET", it_fmt("/v3/OS-TRUST/trusts?trustor_user_id=%s",
		    bob), tb) == 200);

		/* Keystone's _block_delegated_token_app_creds: the trust-scoped
		 * token is bob's (impersonation), yet manages none of his. */
		it_req(&s, "POST", it_fmt("/v3/users/%s/application_credentials",
		    bob), tt, "{\"application_credential\": {\"name\": \"viatrust\"}}",
		    NULL, &r);
		T("appcred-8.8 a trust-scoped token creates no credential -> 403 "
		    "(Keystone's generic text)", r.status == 403 && t_streq(ii_msg(&r),
		    "You are not authorized to perform the requested action."));
		it_resp_free(&r);
		T("appcred-8.9 ... lists, shows, deletes none -> 403; it stays",
		    req_st("GET", it_fmt("/v3/users/%s/application_credentials", bob),
		    tt) == 403 && req_st("GET", it_fmt("/v3/users/%s/application_"
		    "credentials/%s", bob, uid), tt) == 403 && req_st("DELETE",
		    it_fmt("/v3/users/%s/application_credentials/%s", bob, uid), tt)
		    == 403 && req_st("GET", it_fmt("/v3/users/%s/application_"
		    "credentials/%s", bob, uid), tb) == 200);
		T("appcred-8.10 ... and no access rule -> 403", req_st("GET",
		    it_fmt("/v3/users/%s/access_rules", bob), tt) == 403 &&
		    req_st("GET", it_fmt("/v3/users/%s/access_rules/nosuch", bob), tt)
		    == 403 && req_st("DELETE", it_fmt("/v3/users/%s/access_rules/"
		    "nosuch", bob), tt) == 403);
		T("appcred-8.11 the trust-scoped token is otherwise good",
		    ii_validate(&s, tt) == 200);

		/* The auth methods: a credential names its own scope. */
		T("appcred-8.12 a credential's login with a trust scope -> 401",
		    ac_auth(it_fmt("{\"id\": \"%s\", \"secret\": \"%s\"}", uid,
		    usec), it_fmt("{\"OS-TRUST:trust\": {\"id\": \"%s\"}}", trust),
		    &r) == 401);
		it_resp_free(&r);
		it_req(&s, "POST", "/v3/auth/tokens", NULL, it_fmt("{\"auth\": "
		    "{\"identity\": {\"methods\": [\"token\"], \"token\": "
		    "{\"id\": \"%s\"}}, \"scope\": {\"OS-TRUST:trust\": {\"id\": "
		    "\"%s\"}}}}", tu, trust), NULL, &r);
		T("appcred-8.13 a credential's token makes no trust-scoped token "
		    "-> 403", r.status == 403);
		it_resp_free(&r);
		it_req(&s, "POST", "/v3/auth/tokens", NULL, it_fmt("{\"auth\": "
		    "{\"identity\": {\"methods\": [\"token\"], \"token\": "
		    "{\"id\": \"%s\"}}, \"scope\": {\"project\": {\"id\": "
		    "\"%s\"}}}}", tt, p), NULL, &r);
		T("appcred-8.14 a trust-scoped token makes no other token -> 403",
		    r.status == 403);
		it_resp_free(&r);

		/* EC2 credentials (Keystone bug 2142138): none from a restricted
		 * credential; a delegated maker is recorded in the blob. */
		it_req(&s, "POST", it_fmt("/v3/users/%s/credentials/OS-EC2", bob), tr,
		    it_fmt("{\"tenant_id\": \"%s\"}", p), NULL, &r);
		T("appcred-8.15 a restricted credential's token makes no EC2 "
		    "credential -> 403", r.status == 403 && t_streq(ii_msg(&r),
		    "You are not authorized to perform the requested action: Using "
		    "method 'application_credential' is not allowed for managing "
		    "additional application credentials."));
		it_resp_free(&r);
		it_req(&s, "POST", "/v3/credentials", tr, it_fmt("{\"credential\": "
		    "{\"user_id\": \"%s\", \"project_id\": \"%s\", \"type\": "
		    "\"EC2\", \"blob\": \"{\\\"access\\\": \\\"ac-r\\\", "
		    "\\\"secret\\\": \\\"s\\\"}\"}}", bob, p), NULL, &r);
		T("appcred-8.16 ... nor through /v3/credentials -> 403",
		    r.status == 403 && t_streq(ii_msg(&r), "You are not authorized to "
		    "perform the requested action: Using method 'application_credential'"
		    " is not allowed for managing additional credentials."));
		it_resp_free(&r);
		it_req(&s, "POST", "/v3/credentials", tu, it_fmt("{\"credential\": "
		    "{\"user_id\": \"%s\", \"project_id\": \"%s\", \"type\": "
		    "\"ec2\", \"blob\": \"{\\\"access\\\": \\\"ac-u\\\", "
		    "\\\"secret\\\": \\\"s\\\"}\"}}", bob, p), NULL, &r);
		cs = it_str(r.json, "credential.blob") ? strdup(it_str(r.json,
		    "credential.blob")) : NULL;
		T("appcred-8.17 an unrestricted credential's EC2 credential -> 201, "
		    "bound to it in its blob", r.status == 201 && cs != NULL &&
		    strstr(cs, it_fmt("\"app_cred_id\":\"%s\"", uid)) != NULL &&
		    strstr(cs, "\"access\":\"ac-u\"") != NULL);
		it_resp_free(&r);
		free(cs);
		it_req(&s, "POST", it_fmt("/v3/users/%s/credentials/OS-EC2", bob), tt,
		    it_fmt("{\"tenant_id\": \"%s\"}", p), NULL, &r);
		T("appcred-8.18 a trust-scoped token's OS-EC2 credential -> 201, "
		    "its trust_id the trust", r.status == 201 &&
		    t_streq(it_str(r.json, "credential.trust_id"), trust));
		it_resp_free(&r);
		it_req(&s, "POST", it_fmt("/v3/users/%s/credentials/OS-EC2", bob), tb,
		    it_fmt("{\"tenant_id\": \"%s\"}", p), NULL, &r);
		T("appcred-8.19 bob's own token's -> 201, trust_id null",
		    r.status == 201 && json_is_null(it_get(r.json,
		    "credential.trust_id")));
		it_resp_free(&r);
		free(carol);
		free(trust);
		free(tt);
		free(tu);
		free(tr);
		free(uid);
		free(usec);
		free(rid);
		free(rsec);
	}

	T("appcred-9.1 server stops cleanly, database consistent", it_stop(&s) == 0);
	free(p);
	free(p2);
	free(alice);
	free(bob);
	free(member);
	free(reader);
	free(observer);
	free(admin_role);
	free(ta);
	free(tb);
	free(id1);
	free(sec1);
	free(id2);
	free(sec2);
	free(id3);
	free(sec3);
	free(rule1);
	free(dom);
	free(dadmin);
	free(sysr);
	free(padmin);
	free(tsys);
	free(tdom);
	free(tpadmin);
	return t_report();
}
