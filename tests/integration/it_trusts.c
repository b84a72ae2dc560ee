/*
 * it_trusts.c - trusts (OS-TRUST) over HTTP against the real server: every
 * route with its successes and refusals for the trustor, the trustee, an
 * unrelated user and the admin; trust-scoped tokens (impersonation or not,
 * limited uses, redelegation); and what ends a trust's tokens (the trust
 * deleted, the trustor losing a role, the trustee disabled, the trustor
 * deleted).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/integration/it.h"

static struct it_server	 s;
static const char	*admin;

/* One request; *st gets the status; returns the parsed body (decref it). */
static json_t *
rq(const char *method, const char *path, const char *token, const char *body,
    long *st)
{
	return it_json(&s, method, path, token, body, st);
}

static long
st_of(const char *method, const char *path, const char *token, const char *body)
{
	return it_status(&s, method, path, token, body);
}

/* POST as admin; a copy of the id at idpath, or "missing". */
static char *
create(const char *path, const char *body, const char *idpath)
{
	long		 st;
	json_t		*j = rq("POST", path, admin, body, &st);
	const char	*id = j ? it_str(j, idpath) : NULL;
	char		*ret = strdup(st == 201 && id != NULL ? id : "missing");

	json_decref(j);
	return ret;
}

/* The status of a request and whether its error message is msg. */
static int
err_is(const char *method, const char *path, const char *token,
    const char *body, long want, const char *msg)
{
	long	 st;
	json_t	*j = rq(method, path, token, body, &st);
	int	 ok = st == want && j != NULL &&
		    json_integer_value(it_get(j, "error.code")) == want &&
		    (msg == NULL || t_streq(it_str(j, "error.message"), msg));

	if (!ok)
		printf("  got %ld: %s\n", st, j ? it_str(j, "error.message") : "");
	json_decref(j);
	return ok;
}

/* Create a trust with token tok; *st the status; the trust id or NULL. */
static char *
trust_new(const char *tok, const char *body, long *st)
{
	json_t		*j = rq("POST", "/v3/OS-TRUST/trusts", tok, body, st);
	const char	*id = j ? it_str(j, "trust.id") : NULL;
	char		*ret = *st == 201 && id ? strdup(id) : NULL;

	json_decref(j);
	return ret;
}

/*
 * A trust-scoped token for trust (password of user id uid); *st the
 * status; the reply (decref) and *tok (free) on success. *tok (NULL or a
 * token from before) is freed first.
 */
static json_t *
trust_token(const char *uid, const char *pw, const char *trust, long *st,
    char **tok)
{
	struct it_resp	 r;
	json_t		*j = NULL;

	free(*tok);
	*tok = NULL;
	*st = 0;
	if (it_req(&s, "POST", "/v3/auth/tokens", NULL, it_fmt("{\"auth\": "
	    "{\"identity\": {\"methods\": [\"password\"], \"password\": {\"user\":"
	    " {\"id\": \"%s\", \"password\": \"%s\"}}}, \"scope\": "
	    "{\"OS-TRUST:trust\": {\"id\": \"%s\"}}}}", uid, pw, trust), NULL,
	    &r) == -1)
		return NULL;
	*st = r.status;
	if (r.status == 201 && r.subject_token != NULL) {
		*tok = strdup(r.subject_token);
		j = json_incref(r.json);
	}
	it_resp_free(&r);
	return j;
}

/* Validate tok as admin: 200 or 404; *body (decref) when not NULL. */
static long
validate(const char *tok, json_t **body)
{
	struct it_resp	 r;
	const char	*hdr[] = { NULL, NULL };
	long		 st;

	if (body != NULL)
		*body = NULL;
	hdr[0] = it_fmt("X-Subject-Token: %s", tok ? tok : "none");
	if (it_req(&s, "GET", "/v3/auth/tokens", admin, NULL, hdr, &r) == -1)
		return 0;
	st = r.status;
	if (body != NULL && r.json != NULL)
		*body = json_incref(r.json);
	it_resp_free(&r);
	return st;
}

/* Does the array at path of doc hold an object whose key is val? */
static int
has(json_t *doc, const char *path, const char *key, const char *val)
{
	json_t	*a = it_get(doc, path), *e;
	size_t	 i;

	json_array_foreach(a, i, e)
		if (t_streq(json_string_value(json_object_get(e, key)), val))
			return 1;
	return 0;
}

/* A trust of role member on project; more: further members (", ..."). */
static const char *
trust_body_imp(const char *trustor, const char *trustee, const char *project,
    int imp, const char *more)
{
	return it_fmt("{\"trust\": {\"trustor_user_id\": \"%s\", "
	    "\"trustee_user_id\": \"%s\", \"project_id\": \"%s\", "
	    "\"impersonation\": %s, \"roles\": [{\"name\": \"member\"}]%s}}",
	    trustor, trustee, project, imp ? "true" : "false", more ? more : "");
}

static const char *
trust_body(const char *trustor, const char *trustee, const char *project,
    const char *more)
{
	return trust_body_imp(trustor, trustee, project, 0, more);
}

#define FORBID	"You are not authorized to perform the requested action."

int
main(void)
{
	json_t	*j;
	long	 st;
	char	*demo, *other, *alice, *bob, *carol, *dave, *member, *adminrole;
	char	*atok, *btok, *ctok, *t1, *t2, *t3, *t4, *t5, *tt = NULL;
	char	*tt2 = NULL, *ttc = NULL, *tmp = NULL;
	char	 p[512];

	it_start(&s, NULL);
	admin = s.admin_token;

	/* Fixtures: alice (member on demo) trusts bob; carol, a member of demo
	 * too, has nothing to do with the trust; bob and carol also hold a
	 * role on "other" for project-scoped tokens of their own. */
	demo = create("/v3/projects", "{\"project\": {\"name\": \"demo\","
	    " \"domain_id\": \"default\"}}", "project.id");
	other = create("/v3/projects", "{\"project\": {\"name\": \"other\","
	    " \"domain_id\": \"default\"}}", "project.id");
	alice = create("/v3/users", "{\"user\": {\"name\": \"alice\","
	    " \"password\": \"alice-pw\"}}", "user.id");
	bob = create("/v3/users", "{\"user\": {\"name\": \"bob\","
	    " \"password\": \"bob-pw\"}}", "user.id");
	carol = create("/v3/users", "{\"user\": {\"name\": \"carol\","
	    " \"password\": \"carol-pw\"}}", "user.id");
	dave = create("/v3/users", "{\"user\": {\"name\": \"dave\","
	    " \"password\": \"dave-pw\"}}", "user.id");
	j = rq("GET", "/v3/roles?name=member", admin, NULL, &st);
	member = strdup(it_str(j, "roles.0.id") ? it_str(j, "roles.0.id") : "x");
	json_decref(j);
	j = rq("GET", "/v3/roles?name=admin", admin, NULL, &st);
	adminrole = strdup(it_str(j, "roles.0.id") ? it_str(j, "roles.0.id") : "x");
	json_decref(j);
	T("trust-0.1 grants", st_of("PUT", it_fmt("/v3/projects/%s/users/%s/roles/%s",
	    demo, alice, member), admin, NULL) == 204 &&
	    st_of("PUT", it_fmt("/v3/projects/%s/users/%s/roles/%s", demo, carol,
	    member), admin, NULL) == 204 &&
	    st_of("PUT", it_fmt("/v3/projects/%s/users/%s/roles/%s", other, bob,
	    member), admin, NULL) == 204 &&
	    st_of("PUT", it_fmt("/v3/projects/%s/users/%s/roles/%s", other, carol,
	    member), admin, NULL) == 204);
	atok = it_token(&s, "alice", "alice-pw", "demo");
	btok = it_token(&s, "bob", "bob-pw", "other");
	ctok = it_token(&s, "carol", "carol-pw", "other");
	T("trust-0.2 tokens", atok && btok && ctok);

	/* ---- create ---- */
	j = rq("POST", "/v3/OS-TRUST/trusts", atok, it_fmt("{\"trust\": "
	    "{\"trustor_user_id\": \"%s\", \"trustee_user_id\": \"%s\", "
	    "\"project_id\": \"%s\", \"impersonation\": false, \"roles\": "
	    "[{\"name\": \"member\"}], \"expires_at\": \"2099-01-02T03:04:05Z\", "
	    "\"color\": \"blue\"}}", alice, bob, demo), &st);
	t1 = strdup(it_str(j, "trust.id") ? it_str(j, "trust.id") : "missing");
	T("trust-1.1 create -> 201", st == 201);
	T("trust-1.2 create: parties, project, impersonation",
	    t_streq(it_str(j, "trust.trustor_user_id"), alice) &&
	    t_streq(it_str(j, "trust.trustee_user_id"), bob) &&
	    t_streq(it_str(j, "trust.project_id"), demo) &&
	    json_is_false(it_get(j, "trust.impersonation")));
	T("trust-1.3 create: expires_at, remaining_uses null, redelegation 0",
	    t_streq(it_str(j, "trust.expires_at"), "2099-01-02T03:04:05.000000Z") &&
	    json_is_null(it_get(j, "trust.remaining_uses")) &&
	    json_integer_value(it_get(j, "trust.redelegation_count")) == 0 &&
	    json_is_null(it_get(j, "trust.redelegated_trust_id")));
	T("trust-1.4 create: roles in full, links, extra attribute",
	    t_streq(it_str(j, "trust.roles.0.id"), member) &&
	    t_streq(it_str(j, "trust.roles.0.name"), "member") &&
	    it_str(j, "trust.roles_links.self") != NULL &&
	    strstr(it_str(j, "trust.links.self"), t1) != NULL &&
	    t_streq(it_str(j, "trust.color"), "blue"));
	json_decref(j);
	T("trust-1.5 create without a token -> 401", st_of("POST",
	    "/v3/OS-TRUST/trusts", NULL, trust_body(alice, bob, demo, NULL)) == 401);
	T("trust-1.6 create for another trustor -> 403", err_is("POST",
	    "/v3/OS-TRUST/trusts", ctok, trust_body(alice, bob, demo, NULL), 403,
	    NULL));
	T("trust-1.7 the admin cannot create alice's trust -> 403",
	    st_of("POST", "/v3/OS-TRUST/trusts", admin,
	    trust_body(alice, bob, demo, NULL)) == 403);
	T("trust-1.8 missing impersonation -> 400", err_is("POST",
	    "/v3/OS-TRUST/trusts", atok, it_fmt("{\"trust\": {\"trustor_user_id\":"
	    " \"%s\", \"trustee_user_id\": \"%s\"}}", alice, bob), 400,
	    "'impersonation' is a required property"));
	T("trust-1.9 impersonation not a boolean -> 400", st_of("POST",
	    "/v3/OS-TRUST/trusts", atok, it_fmt("{\"trust\": {\"trustor_user_id\":"
	    " \"%s\", \"trustee_user_id\": \"%s\", \"impersonation\": \"no\"}}",
	    alice, bob)) == 400);
	T("trust-1.10 remaining_uses 0 -> 400, Keystone's text", err_is("POST",
	    "/v3/OS-TRUST/trusts", atok, trust_body(alice, bob, demo,
	    ", \"remaining_uses\": 0"), 400, "Invalid input for field "
	    "'remaining_uses': 0 is less than the minimum of 1"));
	T("trust-1.10b redelegation_count -1 -> 400, Keystone's text",
	    err_is("POST", "/v3/OS-TRUST/trusts", atok, trust_body(alice, bob,
	    demo, ", \"allow_redelegation\": true, \"redelegation_count\": -1"),
	    400, "Invalid input for field 'redelegation_count': -1 is less than "
	    "the minimum of 0"));
	T("trust-1.11 remaining_uses a string -> 400", st_of("POST",
	    "/v3/OS-TRUST/trusts", atok, trust_body(alice, bob, demo,
	    ", \"remaining_uses\": \"1\"")) == 400);
	T("trust-1.12 a role with id and name -> 400", st_of("POST",
	    "/v3/OS-TRUST/trusts", atok, it_fmt("{\"trust\": {\"trustor_user_id\":"
	    " \"%s\", \"trustee_user_id\": \"%s\", \"impersonation\": false,"
	    " \"project_id\": \"%s\", \"roles\": [{\"id\": \"%s\", \"name\":"
	    " \"member\"}]}}", alice, bob, demo, member)) == 400);
	T("trust-1.13 roles not an array -> 400", st_of("POST",
	    "/v3/OS-TRUST/trusts", atok, it_fmt("{\"trust\": {\"trustor_user_id\":"
	    " \"%s\", \"trustee_user_id\": \"%s\", \"impersonation\": false,"
	    " \"roles\": \"member\"}}", alice, bob)) == 400);
	T("trust-1.14 a project without roles -> 403", err_is("POST",
	    "/v3/OS-TRUST/trusts", atok, it_fmt("{\"trust\": {\"trustor_user_id\":"
	    " \"%s\", \"trustee_user_id\": \"%s\", \"impersonation\": false,"
	    " \"project_id\": \"%s\"}}", alice, bob, demo), 403,
	    "You are not authorized to perform the requested action: At least "
	    "one role should be specified."));
	T("trust-1.15 unknown trustee -> 404", err_is("POST", "/v3/OS-TRUST/trusts",
	    atok, trust_body(alice, "nosuchuser", demo, NULL), 404,
	    "Could not find user: nosuchuser."));
	T("trust-1.16 a role the trustor lacks -> 404", err_is("POST",
	    "/v3/OS-TRUST/trusts", atok, it_fmt("{\"trust\": {\"trustor_user_id\":"
	    " \"%s\", \"trustee_user_id\": \"%s\", \"impersonation\": false,"
	    " \"project_id\": \"%s\", \"roles\": [{\"id\": \"%s\"}]}}", alice, bob,
	    demo, adminrole), 404, it_fmt("Could not find role: %s.", adminrole)));
	T("trust-1.17 an unknown role name -> 404", st_of("POST",
	    "/v3/OS-TRUST/trusts", atok, it_fmt("{\"trust\": {\"trustor_user_id\":"
	    " \"%s\", \"trustee_user_id\": \"%s\", \"impersonation\": false,"
	    " \"project_id\": \"%s\", \"roles\": [{\"name\": \"nosuchrole\"}]}}",
	    alice, bob, demo)) == 404);
	T("trust-1.18 an unknown project -> 404", st_of("POST",
	    "/v3/OS-TRUST/trusts", atok, trust_body(alice, bob, "nosuchproject",
	    NULL)) == 404);
	T("trust-1.19 expires_at not a time -> 400", err_is("POST",
	    "/v3/OS-TRUST/trusts", atok, trust_body(alice, bob, demo,
	    ", \"expires_at\": \"bad\""), 400, NULL));
	T("trust-1.20 expires_at in the past -> 400", st_of("POST",
	    "/v3/OS-TRUST/trusts", atok, trust_body(alice, bob, demo,
	    ", \"expires_at\": \"2001-01-01T00:00:00Z\"")) == 400);
	T("trust-1.21 the same trust again -> 409", st_of("POST",
	    "/v3/OS-TRUST/trusts", atok, it_fmt("{\"trust\": "
	    "{\"trustor_user_id\": \"%s\", \"trustee_user_id\": \"%s\", "
	    "\"project_id\": \"%s\", \"impersonation\": false, \"roles\": "
	    "[{\"name\": \"member\"}], \"expires_at\": \"2099-01-02T03:04:05Z\"}}",
	    alice, bob, demo)) == 409);
	T("trust-1.22 trust not an object, or none -> 400",
	    st_of("POST", "/v3/OS-TRUST/trusts", atok, "{\"trust\": [1]}") == 400 &&
	    err_is("POST", "/v3/OS-TRUST/trusts", atok, "{}", 400,
	    "'trustor_user_id' is a required property"));
	T("trust-1.23 redelegation deeper than allowed -> 403", st_of("POST",
	    "/v3/OS-TRUST/trusts", atok, trust_body(alice, bob, demo,
	    ", \"allow_redelegation\": true, \"redelegation_count\": 4")) == 403);
	T("trust-1.24 uses with redelegation -> 400", st_of("POST",
	    "/v3/OS-TRUST/trusts", atok, trust_body(alice, bob, demo,
	    ", \"allow_redelegation\": true, \"remaining_uses\": 2")) == 400);
	T("trust-1.25 trustee id too long -> 400", st_of("POST",
	    "/v3/OS-TRUST/trusts", atok, trust_body(alice,
	    "0123456789012345678901234567890123456789012345678901234567890123456789",
	    demo, NULL)) == 400);

	/* ---- list ---- */
	j = rq("GET", "/v3/OS-TRUST/trusts", admin, NULL, &st);
	T("trust-2.1 the admin lists every trust", st == 200 &&
	    has(j, "trusts", "id", t1) && it_get(j, "trusts.0.roles") == NULL &&
	    it_str(j, "links.self") != NULL);
	json_decref(j);
	j = rq("GET", it_fmt("/v3/OS-TRUST/trusts?trustor_user_id=%s", alice), atok,
	    NULL, &st);
	T("trust-2.2 the trustor lists its trusts", st == 200 &&
	    has(j, "trusts", "id", t1));
	json_decref(j);
	j = rq("GET", it_fmt("/v3/OS-TRUST/trusts?trustee_user_id=%s", bob), btok,
	    NULL, &st);
	T("trust-2.3 the trustee lists its trusts", st == 200 &&
	    has(j, "trusts", "id", t1));
	json_decref(j);
	T("trust-2.4 another user's trusts -> 403", st_of("GET",
	    it_fmt("/v3/OS-TRUST/trusts?trustor_user_id=%s", alice), ctok, NULL)
	    == 403 && st_of("GET", it_fmt("/v3/OS-TRUST/trusts?trustee_user_id=%s",
	    bob), ctok, NULL) == 403);
	T("trust-2.5 a member lists all trusts -> 403",
	    st_of("GET", "/v3/OS-TRUST/trusts", atok, NULL) == 403);
	j = rq("GET", "/v3/OS-TRUST/trusts?other=1", admin, NULL, &st);
	T("trust-2.6 another filter lists nothing", st == 200 &&
	    json_array_size(it_get(j, "trusts")) == 0);
	json_decref(j);
	T("trust-2.7 list without a token -> 401",
	    st_of("GET", "/v3/OS-TRUST/trusts", NULL, NULL) == 401);

	/* ---- show, roles ---- */
	snprintf(p, sizeof(p), "/v3/OS-TRUST/trusts/%s", t1);
	j = rq("GET", p, atok, NULL, &st);
	T("trust-3.1 the trustor shows it", st == 200 &&
	    t_streq(it_str(j, "trust.id"), t1) &&
	    t_streq(it_str(j, "trust.roles.0.name"), "member"));
	json_decref(j);
	T("trust-3.2 the trustee and the admin show it",
	    st_of("GET", p, btok, NULL) == 200 && st_of("GET", p, admin, NULL) == 200);
	T("trust-3.3 another user -> 403", err_is("GET", p, ctok, NULL, 403, NULL));
	T("trust-3.4 an unknown trust -> 404", err_is("GET",
	    "/v3/OS-TRUST/trusts/nosuchtrust", atok, NULL, 404,
	    "Could not find trust: nosuchtrust."));
	T("trust-3.5 HEAD -> 200", st_of("HEAD", p, atok, NULL) == 200);
	j = rq("GET", it_fmt("%s/roles", p), btok, NULL, &st);
	T("trust-3.6 its roles", st == 200 && has(j, "roles", "id", member) &&
	    json_array_size(it_get(j, "roles")) == 1 && it_get(j, "links") != NULL);
	json_decref(j);
	j = rq("GET", it_fmt("%s/roles/%s", p, member), atok, NULL, &st);
	T("trust-3.7 one of its roles", st == 200 &&
	    t_streq(it_str(j, "role.id"), member));
	json_decref(j);
	T("trust-3.8 a role it does not delegate -> 404", err_is("GET",
	    it_fmt("%s/roles/%s", p, adminrole), atok, NULL, 404,
	    it_fmt("Could not find role: %s.", adminrole)));
	T("trust-3.9 another user reads its roles -> 403",
	    st_of("GET", it_fmt("%s/roles", p), ctok, NULL) == 403 &&
	    st_of("GET", it_fmt("%s/roles/%s", p, member), ctok, NULL) == 403);
	T("trust-3.10 roles of an unknown trust -> 404",
	    st_of("GET", "/v3/OS-TRUST/trusts/nosuchtrust/roles", atok, NULL) == 404);

	/* ---- trust-scoped tokens ---- */
	j = trust_token(bob, "bob-pw", t1, &st, &tt);
	T("trust-4.1 the trustee gets a trust-scoped token -> 201", st == 201);
	T("trust-4.2 its OS-TRUST:trust",
	    t_streq(it_str(j, "token.OS-TRUST:trust.id"), t1) &&
	    t_streq(it_str(j, "token.OS-TRUST:trust.trustor_user.id"), alice) &&
	    t_streq(it_str(j, "token.OS-TRUST:trust.trustee_user.id"), bob) &&
	    json_is_false(it_get(j, "token.OS-TRUST:trust.impersonation")));
	T("trust-4.3 its user is the trustee, its project the trust's, no is_domain",
	    t_streq(it_str(j, "token.user.id"), bob) &&
	    t_streq(it_str(j, "token.project.id"), demo) &&
	    it_get(j, "token.is_domain") == NULL);
	T("trust-4.4 its roles: the delegated one and what it implies",
	    has(j, "token.roles", "name", "member") &&
	    has(j, "token.roles", "name", "reader") &&
	    !has(j, "token.roles", "name", "admin"));
	T("trust-4.5 it expires with the trust at the latest",
	    it_str(j, "token.expires_at") != NULL &&
	    strcmp(it_str(j, "token.expires_at"), "2099-01-02T03:04:05") < 0);
	json_decref(j);
	j = NULL;
	T("trust-4.6 it validates with OS-TRUST:trust", validate(tt, &j) == 200 &&
	    t_streq(it_str(j, "token.OS-TRUST:trust.id"), t1) &&
	    t_streq(it_str(j, "token.user.id"), bob));
	json_decref(j);
	T("trust-4.7 it authenticates the trustee on the trust",
	    st_of("GET", p, tt, NULL) == 200);
	T("trust-4.8 another user cannot use the trust -> 403", err_is("POST",
	    "/v3/auth/tokens", NULL, it_fmt("{\"auth\": {\"identity\": "
	    "{\"methods\": [\"password\"], \"password\": {\"user\": {\"id\": \"%s\","
	    " \"password\": \"carol-pw\"}}}, \"scope\": {\"OS-TRUST:trust\": "
	    "{\"id\": \"%s\"}}}}", carol, t1), 403, FORBID));
	T("trust-4.9 a trust-scoped token makes no other token -> 403",
	    st_of("POST", "/v3/auth/tokens", NULL, it_fmt("{\"auth\": {\"identity\":"
	    " {\"methods\": [\"token\"], \"token\": {\"id\": \"%s\"}}, \"scope\": "
	    "{\"project\": {\"id\": \"%s\"}}}}", tt, demo)) == 403);
	T("trust-4.10 the token method gives a trust-scoped token -> 201",
	    st_of("POST", "/v3/auth/tokens", NULL, it_fmt("{\"auth\": {\"identity\":"
	    " {\"methods\": [\"token\"], \"token\": {\"id\": \"%s\"}}, \"scope\": "
	    "{\"OS-TRUST:trust\": {\"id\": \"%s\"}}}}", btok, t1)) == 201);
	T("trust-4.11 an unknown trust -> 401", trust_token(bob, "bob-pw",
	    "nosuchtrust", &st, &tmp) == NULL && st == 401);
	T("trust-4.12 a trust without an id -> 400", st_of("POST", "/v3/auth/tokens",
	    NULL, it_fmt("{\"auth\": {\"identity\": {\"methods\": [\"password\"],"
	    " \"password\": {\"user\": {\"id\": \"%s\", \"password\": \"bob-pw\"}}},"
	    " \"scope\": {\"OS-TRUST:trust\": {}}}}", bob)) == 400 &&
	    st_of("POST", "/v3/auth/tokens", NULL, it_fmt("{\"auth\": {\"identity\":"
	    " {\"methods\": [\"password\"], \"password\": {\"user\": {\"id\": \"%s\","
	    " \"password\": \"bob-pw\"}}}, \"scope\": {\"OS-TRUST:trust\": \"x\"}}}",
	    bob)) == 400);
	T("trust-4.13 a bad password with a trust -> 401",
	    trust_token(bob, "wrong", t1, &st, &tmp) == NULL && st == 401);

	/* impersonation: the token's user is the trustor */
	t2 = trust_new(atok, it_fmt("{\"trust\": {\"trustor_user_id\": \"%s\", "
	    "\"trustee_user_id\": \"%s\", \"project_id\": \"%s\", "
	    "\"impersonation\": true, \"roles\": [{\"id\": \"%s\"}]}}", alice, bob,
	    demo, member), &st);
	j = trust_token(bob, "bob-pw", t2 ? t2 : "x", &st, &tt2);
	T("trust-4.14 impersonation: the token's user is the trustor",
	    st == 201 && t_streq(it_str(j, "token.user.id"), alice) &&
	    json_is_true(it_get(j, "token.OS-TRUST:trust.impersonation")) &&
	    t_streq(it_str(j, "token.OS-TRUST:trust.trustee_user.id"), bob));
	json_decref(j);
	T("trust-4.15 the impersonating token validates",
	    validate(tt2, NULL) == 200);

	/* remaining_uses */
	t3 = trust_new(atok, trust_body_imp(alice, bob, demo, 1,
	    ", \"remaining_uses\": 1"), &st);
	T("trust-4.16 a trust with one use -> 201", st == 201 && t3 != NULL);
	json_decref(trust_token(bob, "bob-pw", t3 ? t3 : "x", &st, &ttc));
	T("trust-4.17 its first token -> 201", st == 201);
	T("trust-4.18 its second -> 401", trust_token(bob, "bob-pw",
	    t3 ? t3 : "x", &st, &tmp) == NULL && st == 401);
	T("trust-4.19 the token it gave still validates", validate(ttc, NULL) == 200);
	T("trust-4.20 a used-up trust is not found", st_of("GET",
	    it_fmt("/v3/OS-TRUST/trusts/%s", t3 ? t3 : "x"), atok, NULL) == 404);
	j = rq("GET", it_fmt("/v3/OS-TRUST/trusts?trustor_user_id=%s", alice), atok,
	    NULL, &st);
	T("trust-4.21 but still listed, with no use left", has(j, "trusts", "id",
	    t3 ? t3 : "x"));
	json_decref(j);
	free(ttc);
	ttc = NULL;

	/* ---- redelegation ---- */
	t4 = trust_new(atok, trust_body_imp(alice, bob, demo, 1,
	    ", \"allow_redelegation\": true, "
	    "\"expires_at\": \"2098-01-01T00:00:00Z\""), &st);
	T("trust-5.1 a redelegatable trust -> 201", st == 201 && t4 != NULL);
	free(tmp);
	tmp = NULL;
	json_decref(trust_token(bob, "bob-pw", t4 ? t4 : "x", &st, &tmp));
	j = rq("POST", "/v3/OS-TRUST/trusts", tmp, it_fmt("{\"trust\": "
	    "{\"trustor_user_id\": \"%s\", \"trustee_user_id\": \"%s\", "
	    "\"project_id\": \"%s\", \"impersonation\": false, \"roles\": "
	    "[{\"name\": \"member\"}], \"allow_redelegation\": true}}", alice, carol,
	    demo), &st);
	t5 = st == 201 && it_str(j, "trust.id") ? strdup(it_str(j, "trust.id")) : NULL;
	T("trust-5.2 its trust-scoped token redelegates it -> 201", st == 201);
	T("trust-5.3 the redelegated trust: chain, count, expiry",
	    t_streq(it_str(j, "trust.redelegated_trust_id"), t4) &&
	    json_integer_value(it_get(j, "trust.redelegation_count")) == 2 &&
	    t_streq(it_str(j, "trust.expires_at"), "2098-01-01T00:00:00.000000Z"));
	json_decref(j);
	T("trust-5.4 redelegating with more roles -> 403", err_is("POST",
	    "/v3/OS-TRUST/trusts", tmp, it_fmt("{\"trust\": {\"trustor_user_id\":"
	    " \"%s\", \"trustee_user_id\": \"%s\", \"project_id\": \"%s\", "
	    "\"impersonation\": false, \"roles\": [{\"name\": \"member\"},"
	    " {\"name\": \"reader\"}], \"allow_redelegation\": true}}", alice, dave,
	    demo), 403, FORBID));
	json_decref(trust_token(carol, "carol-pw", t5 ? t5 : "x", &st, &ttc));
	T("trust-5.5 the second trustee gets a token", st == 201 &&
	    validate(ttc, NULL) == 200);
	T("trust-5.6 the trustee of the first trust cannot delete it -> 403",
	    st_of("DELETE", it_fmt("/v3/OS-TRUST/trusts/%s", t4 ? t4 : "x"), btok,
	    NULL) == 403);
	T("trust-5.7 the trustor deletes the first trust -> 204",
	    st_of("DELETE", it_fmt("/v3/OS-TRUST/trusts/%s", t4 ? t4 : "x"), atok,
	    NULL) == 204);
	T("trust-5.8 the redelegated trust went with it", st_of("GET",
	    it_fmt("/v3/OS-TRUST/trusts/%s", t5 ? t5 : "x"), admin, NULL) == 404);
	T("trust-5.9 and the tokens of both", validate(ttc, NULL) == 404 &&
	    validate(tmp, NULL) == 404);
	j = rq("GET", "/v3/OS-REVOKE/events", admin, NULL, &st);
	T("trust-5.10 revocation events name both trusts", st == 200 &&
	    has(j, "events", "OS-TRUST:trust_id", t4 ? t4 : "x") &&
	    has(j, "events", "OS-TRUST:trust_id", t5 ? t5 : "x"));
	json_decref(j);

	/* ---- delete and what ends a trust's tokens ---- */
	T("trust-6.1 another user cannot delete -> 403",
	    st_of("DELETE", p, ctok, NULL) == 403);
	T("trust-6.2 delete an unknown trust -> 404", st_of("DELETE",
	    "/v3/OS-TRUST/trusts/nosuchtrust", atok, NULL) == 404);
	T("trust-6.3 the trustor deletes -> 204", st_of("DELETE", p, atok, NULL)
	    == 204);
	T("trust-6.4 then it is gone", st_of("GET", p, atok, NULL) == 404 &&
	    st_of("DELETE", p, atok, NULL) == 404);
	T("trust-6.5 and its token is revoked", validate(tt, NULL) == 404);

	/* the trustor loses the delegated role */
	T("trust-6.6 impersonating token still valid", validate(tt2, NULL) == 200);
	T("trust-6.7 remove alice's member grant",
	    st_of("DELETE", it_fmt("/v3/projects/%s/users/%s/roles/%s", demo, alice,
	    member), admin, NULL) == 204);
	T("trust-6.8 the trust's token is revoked", validate(tt2, NULL) == 404);
	T("trust-6.9 and it gives no token any more -> 403",
	    trust_token(bob, "bob-pw", t2 ? t2 : "x", &st, &tmp) == NULL &&
	    st == 403);
	T("trust-6.10 grant it back: tokens again", st_of("PUT",
	    it_fmt("/v3/projects/%s/users/%s/roles/%s", demo, alice, member), admin,
	    NULL) == 204);
	free(tt2);
	tt2 = NULL;
	json_decref(trust_token(bob, "bob-pw", t2 ? t2 : "x", &st, &tt2));
	T("trust-6.11 a new token", st == 201 && validate(tt2, NULL) == 200);

	/* the trustee disabled */
	T("trust-6.12 disable bob", st_of("PATCH", it_fmt("/v3/users/%s", bob),
	    admin, "{\"user\": {\"enabled\": false}}") == 200);
	T("trust-6.13 the trust's token is revoked", validate(tt2, NULL) == 404);
	T("trust-6.14 enable bob", st_of("PATCH", it_fmt("/v3/users/%s", bob),
	    admin, "{\"user\": {\"enabled\": true}}") == 200);
	free(tt2);
	tt2 = NULL;
	json_decref(trust_token(bob, "bob-pw", t2 ? t2 : "x", &st, &tt2));
	T("trust-6.15 a new token", st == 201 && validate(tt2, NULL) == 200);

	/* the trustor disabled, then deleted */
	T("trust-6.16 disable alice", st_of("PATCH", it_fmt("/v3/users/%s", alice),
	    admin, "{\"user\": {\"enabled\": false}}") == 200);
	T("trust-6.17 the trust's token is revoked", validate(tt2, NULL) == 404);
	T("trust-6.18 a disabled trustor's trust gives no token -> 403",
	    trust_token(bob, "bob-pw", t2 ? t2 : "x", &st, &tmp) == NULL &&
	    st == 403);
	T("trust-6.19 delete alice", st_of("DELETE", it_fmt("/v3/users/%s", alice),
	    admin, NULL) == 204);
	j = rq("GET", "/v3/OS-TRUST/trusts", admin, NULL, &st);
	T("trust-6.20 her trusts went with her", st == 200 &&
	    json_array_size(it_get(j, "trusts")) == 0);
	json_decref(j);

	free(atok);
	free(btok);
	free(ctok);
	free(tt);
	free(tt2);
	free(ttc);
	free(tmp);
	free(t1);
	free(t2);
	free(t3);
	free(t4);
	free(t5);
	free(demo);
	free(other);
	free(alice);
	free(bob);
	free(carol);
	free(dave);
	free(member);
	free(adminrole);
	T("trust-9.1 the server stops cleanly, database consistent", it_stop(&s) == 0);
	return t_report();
}
