/*
 * it_users.c - /v3/users over HTTP: create, list, get, update, delete,
 * the self-service password change, a user's projects and groups, the
 * user JSON shape (no password hash, extras echoed), validation,
 * conflicts, policy, and token revocation on password change, disable
 * and delete.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/integration/it_identity.h"

int
main(void)
{
	struct it_server	 s;
	struct it_resp		 r;
	const char		*A;
	char			*u1, *u2, *t1, *t2, *t3, *p1, *p2, *g1, *member, *dom, *x, *dtok, *admin_role;

	it_start(&s, NULL);
	A = s.admin_token;
	T("user-0.1 admin token", A[0] != '\0');

	T("user-1.1 POST without token -> 401", it_status(&s, "POST", "/v3/users", NULL,
	    "{\"user\": {\"name\": \"x\"}}") == 401);
	T("user-1.2 GET without token -> 401", it_status(&s, "GET", "/v3/users", NULL,
	    NULL) == 401);

	p1 = ii_create(&s, "/v3/projects", "{\"project\": {\"name\": \"alpha\"}}",
	    "project.id");
	p2 = ii_create(&s, "/v3/projects", "{\"project\": {\"name\": \"beta\"}}",
	    "project.id");
	T("user-1.3 fixtures", p1 && p2);

	/* create */
	it_req(&s, "POST", "/v3/users", A, it_fmt("{\"user\": {\"name\": \"alice\","
	    " \"password\": \"alice-pw\", \"email\": \"alice@example.org\","
	    " \"description\": \"first\", \"default_project_id\": \"%s\"}}", p1), NULL, &r);
	T("user-2.1 create -> 201", r.status == 201);
	u1 = it_str(r.json, "user.id") ? strdup(it_str(r.json, "user.id")) : NULL;
	T("user-2.2 shape", r.json && strcmp(it_str(r.json, "user.name"), "alice") == 0 &&
	    strcmp(it_str(r.json, "user.domain_id"), "default") == 0 &&
	    json_is_true(it_get(r.json, "user.enabled")) &&
	    json_is_null(it_get(r.json, "user.password_expires_at")) &&
	    json_is_object(it_get(r.json, "user.options")));
	T("user-2.3 extras echoed", r.json && strcmp(it_str(r.json, "user.email"),
	    "alice@example.org") == 0 && strcmp(it_str(r.json, "user.description"),
	    "first") == 0 && t_streq(it_str(r.json, "user.default_project_id"), p1));
	T("user-2.4 no password in reply", it_get(r.json, "user.password") == NULL &&
	    strstr(r.body, "$2b$") == NULL && strstr(r.body, "alice-pw") == NULL);
	T("user-2.5 self link", u1 && strcmp(it_str(r.json, "user.links.self"),
	    it_fmt("%s/v3/users/%s", s.base, u1)) == 0);
	it_resp_free(&r);
	t1 = it_token(&s, "alice", "alice-pw", NULL);
	T("user-2.6 new user can authenticate", t1 != NULL);
	u2 = ii_create(&s, "/v3/users", "{\"user\": {\"name\": \"bob\", \"enabled\": false}}",
	    "user.id");
	T("user-2.7 user without password, disabled", u2 != NULL);
	it_req(&s, "GET", it_fmt("/v3/users/%s", u2), A, NULL, NULL, &r);
	T("user-2.8 no default_project_id when unset", r.status == 200 &&
	    it_get(r.json, "user.default_project_id") == NULL &&
	    json_is_false(it_get(r.json, "user.enabled")));
	it_resp_free(&r);
	x = ii_create(&s, "/v3/users", "{\"user\": {\"name\": \"nopw\", \"password\": null}}",
	    "user.id");
	T("user-2.9 null password accepted", x != NULL);
	free(x);

	/* validation, conflicts */
	it_req(&s, "POST", "/v3/users", A, "{\"user\": {\"name\": \"alice\"}}", NULL, &r);
	T("user-3.1 duplicate -> 409", r.status == 409 && strcmp(ii_msg(&r),
	    "Conflict occurred attempting to store user - Duplicate entry found with "
	    "name alice at domain ID default.") == 0);
	it_resp_free(&r);
	it_req(&s, "POST", "/v3/users", A, "{\"user\": {\"password\": \"x\"}}", NULL, &r);
	T("user-3.2 missing name -> 400", r.status == 400 &&
	    strcmp(ii_msg(&r), "'name' is a required property") == 0);
	it_resp_free(&r);
	it_req(&s, "POST", "/v3/users", A, "{\"user\": {\"name\": \"x\", \"password\": 42}}",
	    NULL, &r);
	T("user-3.3 password wrong type -> 400, value not echoed", r.status == 400 &&
	    strstr(ii_msg(&r), "42") == NULL);
	it_resp_free(&r);
	T("user-3.4 enabled wrong type -> 400", it_status(&s, "POST", "/v3/users", A,
	    "{\"user\": {\"name\": \"x\", \"enabled\": [true]}}") == 400);
	it_req(&s, "POST", "/v3/users", A, "{\"user\": {\"name\": \"x\", \"domain_id\":"
	    " \"nope\"}}", NULL, &r);
	T("user-3.5 unknown domain -> 404", r.status == 404 &&
	    strcmp(ii_msg(&r), "Could not find domain: nope.") == 0);
	it_resp_free(&r);
	T("user-3.6 default project is a domain -> 400", it_status(&s, "POST",
	    "/v3/users", A, "{\"user\": {\"name\": \"x\", \"default_project_id\":"
	    " \"default\"}}") == 400);
	/* Keystone's user options (it_compliance.c pci-5.x): unknown ones
	 * are refused. */
	T("user-3.7 unknown option -> 400", it_status(&s, "POST", "/v3/users", A,
	    "{\"user\": {\"name\": \"x\", \"options\": {\"lock_passwords\": true}}}") == 400);
	T("user-3.8 federated -> 501", it_status(&s, "POST", "/v3/users", A,
	    "{\"user\": {\"name\": \"x\", \"federated\": [{\"idp_id\": \"i\","
	    " \"protocols\": [{\"protocol_id\": \"p\", \"unique_id\": \"u\"}]}]}}")
	    == 501);
	T("user-3.9 malformed JSON -> 400", it_status(&s, "POST", "/v3/users", A,
	    "{user}") == 400);
	T("user-3.10 no user object -> 400", it_status(&s, "POST", "/v3/users", A,
	    "{}") == 400);
	dom = ii_create(&s, "/v3/domains", "{\"domain\": {\"name\": \"Second\"}}",
	    "domain.id");
	x = dom ? ii_create(&s, "/v3/users", it_fmt("{\"user\": {\"name\": \"alice\","
	    " \"domain_id\": \"%s\"}}", dom), "user.id") : NULL;
	T("user-3.11 same name in another domain -> 201", x != NULL);
	free(x);

	/* list */
	it_req(&s, "GET", "/v3/users", A, NULL, NULL, &r);
	T("user-4.1 list", r.status == 200 && ii_has_id(r.json, "users", u1) &&
	    ii_has_id(r.json, "users", u2) && ii_count(r.json, "users") == 5);
	T("user-4.2 list has no hashes", strstr(r.body, "$2b$") == NULL &&
	    strstr(r.body, "password\"") == NULL);
	it_resp_free(&r);
	it_req(&s, "GET", "/v3/users?name=alice", A, NULL, NULL, &r);
	T("user-4.3 filter name", r.status == 200 && ii_count(r.json, "users") == 2);
	it_resp_free(&r);
	it_req(&s, "GET", "/v3/users?name=alice&domain_id=default", A, NULL, NULL, &r);
	T("user-4.4 filter name+domain", r.status == 200 && ii_count(r.json, "users") == 1 &&
	    ii_has_id(r.json, "users", u1));
	it_resp_free(&r);
	it_req(&s, "GET", "/v3/users?enabled=0", A, NULL, NULL, &r);
	T("user-4.5 filter enabled", r.status == 200 && ii_count(r.json, "users") == 1 &&
	    ii_has_id(r.json, "users", u2));
	it_resp_free(&r);
	it_req(&s, "GET", "/v3/users?password_expires_at=lt:2099-01-01T00:00:00Z", A,
	    NULL, NULL, &r);
	T("user-4.6 password_expires_at filter: none expire", r.status == 200 &&
	    ii_count(r.json, "users") == 0);
	it_resp_free(&r);
	T("user-4.7 bad password_expires_at -> 400", it_status(&s, "GET",
	    "/v3/users?password_expires_at=lt:soon", A, NULL) == 400);
	T("user-4.8 bad enabled -> 400", it_status(&s, "GET", "/v3/users?enabled=2", A,
	    NULL) == 400);

	/* get, policy */
	T("user-5.1 get -> 200", it_status(&s, "GET", it_fmt("/v3/users/%s", u1), A,
	    NULL) == 200);
	it_req(&s, "GET", "/v3/users/nope", A, NULL, NULL, &r);
	T("user-5.2 unknown -> 404", r.status == 404 &&
	    strcmp(ii_msg(&r), "Could not find user: nope.") == 0);
	it_resp_free(&r);
	T("user-5.3 self get -> 200", it_status(&s, "GET", it_fmt("/v3/users/%s", u1),
	    t1, NULL) == 200);
	T("user-5.4 other user get -> 403", it_status(&s, "GET",
	    it_fmt("/v3/users/%s", u2), t1, NULL) == 403);
	T("user-5.5 non-admin list -> 403", it_status(&s, "GET", "/v3/users", t1,
	    NULL) == 403);
	T("user-5.6 non-admin create -> 403", it_status(&s, "POST", "/v3/users", t1,
	    "{\"user\": {\"name\": \"evil\"}}") == 403);
	T("user-5.7 non-admin self update -> 403", it_status(&s, "PATCH",
	    it_fmt("/v3/users/%s", u1), t1, "{\"user\": {\"email\": \"x\"}}") == 403);
	T("user-5.8 non-admin delete -> 403", it_status(&s, "DELETE",
	    it_fmt("/v3/users/%s", u2), t1, NULL) == 403);

	/* update */
	it_req(&s, "PATCH", it_fmt("/v3/users/%s", u1), A,
	    "{\"user\": {\"email\": \"a2@example.org\", \"phone\": \"123\"}}", NULL, &r);
	T("user-6.1 patch extras -> 200", r.status == 200 &&
	    strcmp(it_str(r.json, "user.email"), "a2@example.org") == 0 &&
	    strcmp(it_str(r.json, "user.phone"), "123") == 0 &&
	    strcmp(it_str(r.json, "user.description"), "first") == 0);
	it_resp_free(&r);
	T("user-6.2 extras-only patch keeps the token", ii_validate(&s, t1) == 200);
	T("user-6.3 change domain -> 400", it_status(&s, "PATCH",
	    it_fmt("/v3/users/%s", u1), A, it_fmt("{\"user\": {\"domain_id\": \"%s\"}}",
	    dom)) == 400);
	T("user-6.4 change id -> 400", it_status(&s, "PATCH", it_fmt("/v3/users/%s", u1),
	    A, "{\"user\": {\"id\": \"x\"}}") == 400);
	T("user-6.5 rename to taken -> 409", it_status(&s, "PATCH",
	    it_fmt("/v3/users/%s", u2), A, "{\"user\": {\"name\": \"alice\"}}") == 409);
	T("user-6.6 empty patch -> 400", it_status(&s, "PATCH", it_fmt("/v3/users/%s",
	    u1), A, "{\"user\": {}}") == 400);
	T("user-6.7 patch unknown -> 404", it_status(&s, "PATCH", "/v3/users/nope", A,
	    "{\"user\": {\"name\": \"z\"}}") == 404);
	it_req(&s, "PATCH", it_fmt("/v3/users/%s", u1), A,
	    "{\"user\": {\"default_project_id\": null}}", NULL, &r);
	T("user-6.8 clear default project", r.status == 200 &&
	    it_get(r.json, "user.default_project_id") == NULL);
	it_resp_free(&r);
	T("user-6.9 password patch -> 200", it_status(&s, "PATCH",
	    it_fmt("/v3/users/%s", u1), A, "{\"user\": {\"password\": \"alice-pw2\"}}") == 200);
	T("user-6.10 password patch revokes tokens", ii_validate(&s, t1) == 404);
	x = it_token(&s, "alice", "alice-pw", NULL);
	T("user-6.11 old password refused", x == NULL);
	free(x);
	free(t1);
	t1 = it_token(&s, "alice", "alice-pw2", NULL);
	T("user-6.12 new password works", t1 != NULL);
	T("user-6.13 disable -> 200", it_status(&s, "PATCH", it_fmt("/v3/users/%s", u1),
	    A, "{\"user\": {\"enabled\": false}}") == 200);
	T("user-6.14 disabling revokes tokens", ii_validate(&s, t1) == 404);
	x = it_token(&s, "alice", "alice-pw2", NULL);
	T("user-6.15 disabled user cannot authenticate", x == NULL);
	free(x);
	x = ii_create(&s, "/v3/users", "{\"user\": {\"name\": \"carl\", \"password\":"
	    " \"carl-pw\"}}", "user.id");
	T("user-6.16 null password clears it", x != NULL && it_status(&s, "PATCH",
	    it_fmt("/v3/users/%s", x), A, "{\"user\": {\"password\": null}}") == 200);
	t2 = x ? it_token(&s, x, "carl-pw", NULL) : NULL;
	T("user-6.17 cleared password refused", t2 == NULL);
	free(t2);
	T("user-6.18 HEAD user -> 200", x && it_status(&s, "HEAD",
	    it_fmt("/v3/users/%s", x), A, NULL) == 200 && it_status(&s, "DELETE",
	    it_fmt("/v3/users/%s", x), A, NULL) == 204);
	free(x);
	T("user-6.19 enable again", it_status(&s, "PATCH", it_fmt("/v3/users/%s", u1),
	    A, "{\"user\": {\"enabled\": true}}") == 200);

	/* self-service password change: no token needed */
	it_req(&s, "POST", it_fmt("/v3/users/%s/password", u1), NULL, "{\"user\": "
	    "{\"original_password\": \"wrong\", \"password\": \"alice-pw3\"}}", NULL, &r);
	T("user-7.1 wrong original -> 401", r.status == 401);
	it_resp_free(&r);
	t2 = it_token(&s, "alice", "alice-pw2", NULL);
	T("user-7.2 token before change", t2 != NULL && ii_validate(&s, t2) == 200);
	T("user-7.3 change -> 204", it_status(&s, "POST", it_fmt("/v3/users/%s/password",
	    u1), NULL, "{\"user\": {\"original_password\": \"alice-pw2\", \"password\":"
	    " \"alice-pw3\"}}") == 204);
	T("user-7.4 change revokes tokens", ii_validate(&s, t2) == 404);
	t3 = it_token(&s, "alice", "alice-pw3", NULL);
	T("user-7.5 new password works", t3 != NULL);
	T("user-7.6 missing password -> 400", it_status(&s, "POST",
	    it_fmt("/v3/users/%s/password", u1), NULL,
	    "{\"user\": {\"original_password\": \"alice-pw3\"}}") == 400);
	T("user-7.7 extra member -> 400", it_status(&s, "POST",
	    it_fmt("/v3/users/%s/password", u1), NULL, "{\"user\": {\"original_password\":"
	    " \"alice-pw3\", \"password\": \"p\", \"x\": 1}}") == 400);
	T("user-7.8 unknown user -> 401", it_status(&s, "POST",
	    "/v3/users/nope/password", NULL, "{\"user\": {\"original_password\": \"a\","
	    " \"password\": \"b\"}}") == 401);
	T("user-7.9 user without password -> 401", it_status(&s, "POST",
	    it_fmt("/v3/users/%s/password", u2), NULL, "{\"user\": {\"original_password\":"
	    " \"\", \"password\": \"b\"}}") == 401);
	T("user-7.10 GET on the password URL -> 405", it_status(&s, "GET",
	    it_fmt("/v3/users/%s/password", u1), A, NULL) == 405);
	T("user-7.11 bad JSON -> 400", it_status(&s, "POST",
	    it_fmt("/v3/users/%s/password", u1), NULL, "{") == 400);

	/* projects and groups of a user */
	member = ii_role_id(&s, "member");
	g1 = ii_create(&s, "/v3/groups", "{\"group\": {\"name\": \"devs\"}}", "group.id");
	T("user-8.1 grants", member && g1 && u1 &&
	    it_status(&s, "PUT", it_fmt("/v3/projects/%s/users/%s/roles/%s", p1, u1,
	    member), A, NULL) == 204 &&
	    it_status(&s, "PUT", it_fmt("/v3/projects/%s/groups/%s/roles/%s", p2, g1,
	    member), A, NULL) == 204);
	it_req(&s, "GET", it_fmt("/v3/users/%s/projects", u1), A, NULL, NULL, &r);
	T("user-8.2 direct grant only", r.status == 200 && ii_count(r.json,
	    "projects") == 1 && ii_has_id(r.json, "projects", p1));
	it_resp_free(&r);
	T("user-8.3 join group", it_status(&s, "PUT", it_fmt("/v3/groups/%s/users/%s",
	    g1, u1), A, NULL) == 204);
	it_req(&s, "GET", it_fmt("/v3/users/%s/projects", u1), t3, NULL, NULL, &r);
	T("user-8.4 self: direct and group grants", r.status == 200 &&
	    ii_count(r.json, "projects") == 2 && ii_has_id(r.json, "projects", p2));
	it_resp_free(&r);
	it_req(&s, "GET", it_fmt("/v3/users/%s/projects?name=beta", u1), A, NULL, NULL, &r);
	T("user-8.5 filter by name", r.status == 200 && ii_count(r.json, "projects") == 1 &&
	    ii_has_id(r.json, "projects", p2));
	it_resp_free(&r);
	T("user-8.6 unknown user's projects -> 404", it_status(&s, "GET",
	    "/v3/users/nope/projects", A, NULL) == 404);
	T("user-8.7 other user's projects -> 403", it_status(&s, "GET",
	    it_fmt("/v3/users/%s/projects", u2), t3, NULL) == 403);
	it_req(&s, "GET", it_fmt("/v3/users/%s/groups", u1), t3, NULL, NULL, &r);
	T("user-8.8 own groups", r.status == 200 && ii_count(r.json, "groups") == 1 &&
	    ii_has_id(r.json, "groups", g1) &&
	    json_is_null(it_get(r.json, "groups.0.membership_expires_at")));
	it_resp_free(&r);
	T("user-8.9 unknown user's groups -> 404", it_status(&s, "GET",
	    "/v3/users/nope/groups", A, NULL) == 404);
	T("user-8.10 other user's groups -> 403", it_status(&s, "GET",
	    it_fmt("/v3/users/%s/groups", u2), t3, NULL) == 403);

	/* domain-scoped callers see and create in their own domain only */
	x = dom ? ii_create(&s, "/v3/users", it_fmt("{\"user\": {\"name\": \"dadmin\","
	    " \"domain_id\": \"%s\", \"password\": \"da-pw\"}}", dom), "user.id") : NULL;
	dtok = NULL;
	admin_role = ii_role_id(&s, "admin");
	if (x != NULL && admin_role != NULL && it_status(&s, "PUT",
	    it_fmt("/v3/domains/%s/users/%s/roles/%s", dom, x, admin_role), A,
	    NULL) == 204) {
		it_req(&s, "POST", "/v3/auth/tokens", NULL, it_fmt("{\"auth\": "
		    "{\"identity\": {\"methods\": [\"password\"], \"password\": "
		    "{\"user\": {\"id\": \"%s\", \"password\": \"da-pw\"}}}, "
		    "\"scope\": {\"domain\": {\"id\": \"%s\"}}}}", x, dom), NULL, &r);
		if (r.status == 201 && r.subject_token != NULL)
			dtok = strdup(r.subject_token);
		it_resp_free(&r);
	}
	T("user-8.11 domain-scoped admin token", dtok != NULL);
	it_req(&s, "GET", "/v3/users", dtok, NULL, NULL, &r);
	T("user-8.12 domain-scoped list shows its domain only", r.status == 200 &&
	    ii_count(r.json, "users") == 2 && ii_has_id(r.json, "users", x));
	it_resp_free(&r);
	it_req(&s, "GET", "/v3/users?domain_id=default", dtok, NULL, NULL, &r);
	T("user-8.13 domain-scoped list of another domain is empty", r.status == 200 &&
	    ii_count(r.json, "users") == 0);
	it_resp_free(&r);
	it_req(&s, "POST", "/v3/users", dtok, "{\"user\": {\"name\": \"newbie\"}}",
	    NULL, &r);
	T("user-8.14 created in the token's domain", r.status == 201 && dom &&
	    strcmp(it_str(r.json, "user.domain_id"), dom) == 0);
	it_resp_free(&r);
	free(x);
	free(dtok);
	free(admin_role);

	/* delete */
	T("user-9.1 delete -> 204", it_status(&s, "DELETE", it_fmt("/v3/users/%s", u1),
	    A, NULL) == 204);
	T("user-9.2 deleted user's token revoked", ii_validate(&s, t3) == 404);
	T("user-9.3 gone -> 404", it_status(&s, "GET", it_fmt("/v3/users/%s", u1), A,
	    NULL) == 404);
	T("user-9.4 delete again -> 404", it_status(&s, "DELETE",
	    it_fmt("/v3/users/%s", u1), A, NULL) == 404);
	it_req(&s, "GET", it_fmt("/v3/groups/%s/users", g1), A, NULL, NULL, &r);
	T("user-9.5 membership gone", r.status == 200 && ii_count(r.json, "users") == 0);
	it_resp_free(&r);

	/* keygate bootstrap again: as Keystone's, the admin keeps its tokens
	 * when the password is the same, and loses them when it changes. */
	x = it_token(&s, "admin", IT_ADMIN_PASSWORD, "admin");
	T("user-9.6 bootstrap re-run with the same password: tokens kept",
	    it_bootstrap(&s, IT_ADMIN_PASSWORD) == 0 && ii_validate(&s, x) == 200);
	T("user-9.7 bootstrap with a new password: the admin's tokens revoked",
	    it_bootstrap(&s, "admin-renewed") == 0 &&
	    it_status(&s, "GET", "/v3/users", x, NULL) == 401 &&
	    it_status(&s, "GET", "/v3/users", A, NULL) == 401);
	free(x);
	x = it_token(&s, "admin", "admin-renewed", "admin");
	T("user-9.8 ... and the new password logs in", x != NULL &&
	    it_status(&s, "GET", "/v3/users", x, NULL) == 200);
	free(x);

	free(u1);
	free(u2);
	free(t1);
	free(t2);
	free(t3);
	free(p1);
	free(p2);
	free(g1);
	free(member);
	free(dom);
	T("user-10.1 server exits cleanly", it_stop(&s) == 0);
	return t_report();
}
