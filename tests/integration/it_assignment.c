/*
 * it_assignment.c - roles, implied roles, grants and role assignments over
 * HTTP against the real server: every endpoint, success and failure, the
 * effective assignments through groups, inheritance and implied roles, the
 * roles tokens carry, and revocation when grants or roles go away.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/integration/it.h"

static struct it_server	 s;
static const char	*admin;

static int
eq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* One request; *st gets the status; returns the parsed body (decref it). */
static json_t *
rq(const char *method, const char *path, const char *token, const char *body,
    long *st)
{
	return it_json(&s, method, path, token, body, st);
}

/* Status of an admin request. */
static long
ast(const char *method, const char *path, const char *body)
{
	return it_status(&s, method, path, admin, body);
}

/* POST body to path as admin and return a copy of the id at idpath, or a
 * placeholder (so later checks fail instead of crashing). */
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

/* Error message of a failed request, for comparing Keystone's texts. */
static int
err_is(const char *method, const char *path, const char *token, long want,
    const char *msg)
{
	long	 st;
	json_t	*j = rq(method, path, token, NULL, &st);
	int	 ok = st == want && j != NULL &&
		    json_integer_value(it_get(j, "error.code")) == want &&
		    (msg == NULL || eq(it_str(j, "error.message"), msg));

	json_decref(j);
	return ok;
}

/* Does array at path of doc hold an object whose key equals val? */
static int
has(json_t *doc, const char *path, const char *key, const char *val)
{
	json_t	*a = it_get(doc, path), *e;
	size_t	 i;

	json_array_foreach(a, i, e)
		if (eq(json_string_value(json_object_get(e, key)), val))
			return 1;
	return 0;
}

/* Issue a project-scoped token by ids; returns the response JSON (with
 * *tok set to a malloc'd token) or NULL. */
static json_t *
issue(const char *user_id, const char *password, const char *project_id,
    char **tok)
{
	struct it_resp	 r;
	json_t		*j = NULL;
	const char	*body;

	*tok = NULL;
	body = it_fmt("{\"auth\": {\"identity\": {\"methods\": [\"password\"],"
	    " \"password\": {\"user\": {\"id\": \"%s\", \"password\": \"%s\"}}},"
	    " \"scope\": {\"project\": {\"id\": \"%s\"}}}}", user_id, password,
	    project_id);
	if (it_req(&s, "POST", "/v3/auth/tokens", NULL, body, NULL, &r) == 0 &&
	    r.status == 201 && r.subject_token != NULL) {
		*tok = strdup(r.subject_token);
		j = json_incref(r.json);
	}
	it_resp_free(&r);
	return j;
}

/* Names of token.roles joined with ',' (static buffer), "" when none. */
static const char *
token_roles(json_t *j)
{
	static char	 buf[512];
	json_t		*a = it_get(j, "token.roles"), *e;
	size_t		 i;

	buf[0] = '\0';
	json_array_foreach(a, i, e) {
		if (i > 0)
			strncat(buf, ",", sizeof(buf) - strlen(buf) - 1);
		strncat(buf, json_string_value(json_object_get(e, "name")) ?: "?",
		    sizeof(buf) - strlen(buf) - 1);
	}
	return buf;
}

/* Is the token still valid (GET /v3/auth/tokens as admin)? */
static long
validate(const char *tok)
{
	struct it_resp	 r;
	const char	*hdr[] = { NULL, NULL };
	long		 st;

	hdr[0] = it_fmt("X-Subject-Token: %s", tok ? tok : "none");
	if (it_req(&s, "GET", "/v3/auth/tokens", admin, NULL, hdr, &r) == -1)
		return 0;
	st = r.status;
	it_resp_free(&r);
	return st;
}

/* Role assignment entries matching role id and scope project (or NULL). */
static json_t *
find_ra(json_t *doc, const char *user, const char *role, const char *project,
    int nth)
{
	json_t	*a = it_get(doc, "role_assignments"), *e;
	size_t	 i;

	json_array_foreach(a, i, e) {
		if (user != NULL && !eq(it_str(e, "user.id"), user))
			continue;
		if (!eq(it_str(e, "role.id"), role))
			continue;
		if (project != NULL && !eq(it_str(e, "scope.project.id"), project))
			continue;
		if (nth-- == 0)
			return e;
	}
	return NULL;
}

int
main(void)
{
	json_t		*j, *e;
	long		 st;
	char		*reader, *member, *adminrole, *obs, *dspec, *d2role;
	char		*demo, *child, *alice, *bob, *devs, *d2;
	char		*atok = NULL, *btok = NULL, *tok2 = NULL;
	char		 p[512];

	it_start(&s, NULL);
	admin = s.admin_token;
	T("assign-0.1 admin token", admin[0] != '\0');

	/* Fixtures through the identity API. */
	demo = create("/v3/projects", "{\"project\": {\"name\": \"demo\","
	    " \"domain_id\": \"default\"}}", "project.id");
	child = create("/v3/projects", it_fmt("{\"project\": {\"name\": \"child\","
	    " \"domain_id\": \"default\", \"parent_id\": \"%s\"}}", demo),
	    "project.id");
	alice = create("/v3/users", "{\"user\": {\"name\": \"alice\","
	    " \"password\": \"alice-pw\", \"domain_id\": \"default\"}}", "user.id");
	bob = create("/v3/users", "{\"user\": {\"name\": \"bob\","
	    " \"password\": \"bob-pw\", \"domain_id\": \"default\"}}", "user.id");
	devs = create("/v3/groups", "{\"group\": {\"name\": \"devs\","
	    " \"domain_id\": \"default\"}}", "group.id");
	d2 = create("/v3/domains", "{\"domain\": {\"name\": \"d2\"}}", "domain.id");
	T("assign-0.2 fixtures created", strcmp(demo, "missing") != 0 &&
	    strcmp(child, "missing") != 0 && strcmp(alice, "missing") != 0 &&
	    strcmp(bob, "missing") != 0 && strcmp(devs, "missing") != 0 &&
	    strcmp(d2, "missing") != 0);
	T("assign-0.3 bob joins devs",
	    ast("PUT", it_fmt("/v3/groups/%s/users/%s", devs, bob), NULL) == 204);

	/* ---- Roles ---------------------------------------------------- */
	j = rq("GET", "/v3/roles?name=reader", admin, NULL, &st);
	reader = strdup(it_str(j, "roles.0.id") ?: "missing");
	T("roles-1.1 list by name", st == 200 &&
	    json_array_size(it_get(j, "roles")) == 1 &&
	    eq(it_str(j, "roles.0.name"), "reader"));
	T("roles-1.2 bootstrap role shape", j && json_is_null(it_get(j,
	    "roles.0.domain_id")) && json_is_object(it_get(j, "roles.0.options")) &&
	    eq(it_str(j, "roles.0.links.self"), it_fmt("%s/v3/roles/%s", s.base,
	    reader)) && eq(it_str(j, "links.self"),
	    it_fmt("%s/v3/roles?name=reader", s.base)));
	json_decref(j);
	j = rq("GET", "/v3/roles?name=member", admin, NULL, &st);
	member = strdup(it_str(j, "roles.0.id") ?: "missing");
	json_decref(j);
	j = rq("GET", "/v3/roles?name=admin", admin, NULL, &st);
	adminrole = strdup(it_str(j, "roles.0.id") ?: "missing");
	json_decref(j);
	j = rq("GET", "/v3/roles", admin, NULL, &st);
	T("roles-1.3 list all", st == 200 && has(j, "roles", "name", "admin") &&
	    has(j, "roles", "name", "member") && has(j, "roles", "name", "reader"));
	json_decref(j);

	j = rq("POST", "/v3/roles", admin, "{\"role\": {\"name\": \"observer\","
	    " \"description\": \"looks\", \"color\": \"blue\"}}", &st);
	obs = strdup(it_str(j, "role.id") ?: "missing");
	T("roles-2.1 create -> 201", st == 201 && strlen(obs) == 32);
	T("roles-2.2 created shape", j && eq(it_str(j, "role.name"), "observer") &&
	    eq(it_str(j, "role.description"), "looks") &&
	    json_is_null(it_get(j, "role.domain_id")) &&
	    eq(it_str(j, "role.color"), "blue") &&
	    json_object_size(it_get(j, "role.options")) == 0);
	json_decref(j);
	j = rq("POST", "/v3/roles", admin, "{\"role\": {\"name\": \"observer\"}}", &st);
	T("roles-2.3 duplicate -> 409 with Keystone text", st == 409 &&
	    eq(it_str(j, "error.message"), "Conflict occurred attempting to store"
	    " role - Duplicate entry found with name observer."));
	json_decref(j);
	T("roles-2.4 bad JSON -> 400",
	    ast("POST", "/v3/roles", "{\"role\": {") == 400);
	T("roles-2.5 missing role -> 400", ast("POST", "/v3/roles", "{}") == 400);
	T("roles-2.6 missing name -> 400",
	    ast("POST", "/v3/roles", "{\"role\": {\"description\": \"x\"}}") == 400);
	T("roles-2.7 name wrong type -> 400",
	    ast("POST", "/v3/roles", "{\"role\": {\"name\": 7}}") == 400);
	T("roles-2.8 blank name -> 400",
	    ast("POST", "/v3/roles", "{\"role\": {\"name\": \"  \"}}") == 400);
	T("roles-2.9 unknown option -> 400", ast("POST", "/v3/roles",
	    "{\"role\": {\"name\": \"x1\", \"options\": {\"sticky\": true}}}") == 400);
	T("roles-2.10 description wrong type -> 400", ast("POST", "/v3/roles",
	    "{\"role\": {\"name\": \"x2\", \"description\": 1}}") == 400);
	T("roles-2.11 no token -> 401", it_status(&s, "POST", "/v3/roles", NULL,
	    "{\"role\": {\"name\": \"x3\"}}") == 401);

	j = rq("GET", it_fmt("/v3/roles/%s", obs), admin, NULL, &st);
	T("roles-3.1 get", st == 200 && eq(it_str(j, "role.id"), obs) &&
	    eq(it_str(j, "role.color"), "blue"));
	json_decref(j);
	T("roles-3.2 get unknown -> 404", err_is("GET", "/v3/roles/nosuchrole",
	    admin, 404, "Could not find role: nosuchrole."));
	T("roles-3.3 HEAD -> 200", ast("HEAD", it_fmt("/v3/roles/%s", obs), NULL) == 200);
	j = rq("PATCH", it_fmt("/v3/roles/%s", obs), admin,
	    "{\"role\": {\"description\": \"watches\", \"size\": 3}}", &st);
	T("roles-3.4 patch -> 200", st == 200 &&
	    eq(it_str(j, "role.description"), "watches") &&
	    eq(it_str(j, "role.name"), "observer") &&
	    eq(it_str(j, "role.color"), "blue") &&
	    json_integer_value(it_get(j, "role.size")) == 3);
	json_decref(j);
	T("roles-3.5 patch unknown -> 404", ast("PATCH", "/v3/roles/nosuchrole",
	    "{\"role\": {\"name\": \"y\"}}") == 404);
	T("roles-3.6 patch empty -> 400",
	    ast("PATCH", it_fmt("/v3/roles/%s", obs), "{\"role\": {}}") == 400);
	T("roles-3.7 patch domain_id -> 400", ast("PATCH", it_fmt("/v3/roles/%s",
	    obs), "{\"role\": {\"domain_id\": \"default\"}}") == 400);
	T("roles-3.8 patch to a taken name -> 409", ast("PATCH",
	    it_fmt("/v3/roles/%s", obs), "{\"role\": {\"name\": \"member\"}}") == 409);
	T("roles-3.9 patch bad JSON -> 400",
	    ast("PATCH", it_fmt("/v3/roles/%s", obs), "{\"role\"") == 400);

	/* Immutable roles. */
	T("roles-4.1 set immutable", ast("PATCH", it_fmt("/v3/roles/%s", obs),
	    "{\"role\": {\"options\": {\"immutable\": true}}}") == 200);
	T("roles-4.2 immutable: delete -> 403",
	    ast("DELETE", it_fmt("/v3/roles/%s", obs), NULL) == 403);
	T("roles-4.3 immutable: update -> 403", ast("PATCH", it_fmt("/v3/roles/%s",
	    obs), "{\"role\": {\"description\": \"z\"}}") == 403);
	T("roles-4.4 clear immutable", ast("PATCH", it_fmt("/v3/roles/%s", obs),
	    "{\"role\": {\"options\": {\"immutable\": false}}}") == 200);
	j = rq("GET", it_fmt("/v3/roles/%s", adminrole), admin, NULL, &st);
	T("roles-4.5 the bootstrap's roles are immutable (keystone-manage "
	    "bootstrap)", st == 200 && json_is_true(it_get(j,
	    "role.options.immutable")));
	json_decref(j);
	j = rq("DELETE", it_fmt("/v3/roles/%s", member), admin, NULL, &st);
	T("roles-4.6 ... delete member -> 403, Keystone's text", st == 403 &&
	    eq(it_str(j, "error.message"), it_fmt("Unable to delete immutable role "
	    "resource: `%s. Set resource option \"immutable\" to false first.",
	    member)));
	json_decref(j);
	j = rq("PATCH", it_fmt("/v3/roles/%s", reader), admin, "{\"role\":"
	    " {\"options\": {\"immutable\": false}, \"name\": \"r2\"}}", &st);
	T("roles-4.7 ... clearing the option with another change -> 403", st == 403 &&
	    eq(it_str(j, "error.message"), it_fmt("Unable to update immutable role "
	    "resource: `%s. Set resource option \"immutable\" to false first.",
	    reader)));
	json_decref(j);
	T("roles-4.8 ... setting it true again -> 403", ast("PATCH",
	    it_fmt("/v3/roles/%s", reader), "{\"role\": {\"options\":"
	    " {\"immutable\": true}}}") == 403);

	/* Domain-specific roles. */
	j = rq("POST", "/v3/roles", admin, "{\"role\": {\"name\": \"dspec\","
	    " \"domain_id\": \"default\"}}", &st);
	dspec = strdup(it_str(j, "role.id") ?: "missing");
	T("roles-5.1 domain role -> 201", st == 201 &&
	    eq(it_str(j, "role.domain_id"), "default"));
	json_decref(j);
	j = rq("GET", "/v3/roles", admin, NULL, &st);
	T("roles-5.2 not in the global list", st == 200 && !has(j, "roles", "id", dspec));
	json_decref(j);
	j = rq("GET", "/v3/roles?domain_id=default", admin, NULL, &st);
	T("roles-5.3 in its domain's list", st == 200 && has(j, "roles", "id", dspec) &&
	    !has(j, "roles", "name", "admin"));
	json_decref(j);
	T("roles-5.4 domain role, unknown domain -> 404", ast("POST", "/v3/roles",
	    "{\"role\": {\"name\": \"dx\", \"domain_id\": \"nosuchdomain\"}}") == 404);
	T("roles-5.5 same name in a domain is fine", ast("POST", "/v3/roles",
	    "{\"role\": {\"name\": \"observer\", \"domain_id\": \"default\"}}") == 201);
	d2role = create("/v3/roles", it_fmt("{\"role\": {\"name\": \"d2only\","
	    " \"domain_id\": \"%s\"}}", d2), "role.id");

	/* ---- Implied roles -------------------------------------------- */
	snprintf(p, sizeof(p), "/v3/roles/%s/implies/%s", obs, member);
	j = rq("PUT", p, admin, NULL, &st);
	T("implies-1.1 PUT -> 201", st == 201);
	T("implies-1.2 shape", j && eq(it_str(j, "role_inference.prior_role.id"), obs) &&
	    eq(it_str(j, "role_inference.prior_role.name"), "observer") &&
	    eq(it_str(j, "role_inference.implies.id"), member) &&
	    eq(it_str(j, "role_inference.implies.links.self"),
	    it_fmt("%s/v3/roles/%s", s.base, member)) &&
	    eq(it_str(j, "links.self"), it_fmt("%s%s", s.base, p)));
	json_decref(j);
	T("implies-1.3 GET -> 200", ast("GET", p, NULL) == 200);
	T("implies-1.4 HEAD -> 204", ast("HEAD", p, NULL) == 204);
	T("implies-1.5 HEAD reversed -> 404", ast("HEAD",
	    it_fmt("/v3/roles/%s/implies/%s", member, obs), NULL) == 404);
	T("implies-1.6 GET reversed -> 404 with text", err_is("GET",
	    it_fmt("/v3/roles/%s/implies/%s", member, obs), admin, 404,
	    it_fmt("%s does not imply %s.", member, obs)));
	j = rq("GET", it_fmt("/v3/roles/%s/implies", obs), admin, NULL, &st);
	T("implies-1.7 list", st == 200 &&
	    json_array_size(it_get(j, "role_inference.implies")) == 1 &&
	    eq(it_str(j, "role_inference.implies.0.id"), member));
	json_decref(j);
	j = rq("GET", "/v3/role_inferences", admin, NULL, &st);
	T("implies-1.8 role_inferences", st == 200 &&
	    json_array_size(it_get(j, "role_inferences")) >= 3);
	json_decref(j);
	T("implies-1.9 admin cannot be implied -> 403", ast("PUT",
	    it_fmt("/v3/roles/%s/implies/%s", obs, adminrole), NULL) == 403);
	T("implies-1.10 global implying domain role -> 403", ast("PUT",
	    it_fmt("/v3/roles/%s/implies/%s", obs, dspec), NULL) == 403);
	T("implies-1.11 unknown role -> 404", ast("PUT",
	    it_fmt("/v3/roles/%s/implies/nosuchrole", obs), NULL) == 404);
	T("implies-1.12 unknown prior -> 404",
	    ast("GET", "/v3/roles/nosuchrole/implies", NULL) == 404);
	T("implies-1.13 no token -> 401", it_status(&s, "GET", p, NULL, NULL) == 401);
	T("implies-1.14 DELETE -> 204", ast("DELETE", p, NULL) == 204);
	T("implies-1.15 DELETE again -> 404", ast("DELETE", p, NULL) == 404);
	T("implies-1.16 PUT again", ast("PUT", p, NULL) == 201);

	/* ---- Grants ---------------------------------------------------- */
	snprintf(p, sizeof(p), "/v3/projects/%s/users/%s/roles/%s", demo, alice, member);
	T("grants-1.1 PUT user project -> 204", ast("PUT", p, NULL) == 204);
	T("grants-1.2 PUT again -> 204", ast("PUT", p, NULL) == 204);
	T("grants-1.3 HEAD -> 204", ast("HEAD", p, NULL) == 204);
	T("grants-1.4 GET check -> 204", ast("GET", p, NULL) == 204);
	j = rq("GET", it_fmt("/v3/projects/%s/users/%s/roles", demo, alice), admin,
	    NULL, &st);
	T("grants-1.5 list", st == 200 && json_array_size(it_get(j, "roles")) == 1 &&
	    eq(it_str(j, "roles.0.id"), member) && eq(it_str(j, "roles.0.name"), "member"));
	json_decref(j);
	T("grants-1.6 HEAD not granted -> 404", ast("HEAD",
	    it_fmt("/v3/projects/%s/users/%s/roles/%s", demo, bob, member), NULL) == 404);
	T("grants-1.7 unknown project -> 404", err_is("PUT",
	    it_fmt("/v3/projects/nosuchproject/users/%s/roles/%s", alice, member),
	    admin, 404, "Could not find project: nosuchproject."));
	T("grants-1.8 unknown user -> 404", err_is("PUT",
	    it_fmt("/v3/projects/%s/users/nosuchuser/roles/%s", demo, member),
	    admin, 404, "Could not find user: nosuchuser."));
	T("grants-1.9 unknown role -> 404", err_is("PUT",
	    it_fmt("/v3/projects/%s/users/%s/roles/nosuchrole", demo, alice),
	    admin, 404, "Could not find role: nosuchrole."));
	T("grants-1.10 unknown group -> 404", err_is("PUT",
	    it_fmt("/v3/projects/%s/groups/nosuchgroup/roles/%s", demo, member),
	    admin, 404, "Could not find group: nosuchgroup."));
	T("grants-1.11 no token -> 401", it_status(&s, "PUT", p, NULL, NULL) == 401);
	T("grants-1.12 DELETE not granted -> 404 with text", err_is("DELETE",
	    it_fmt("/v3/projects/%s/users/%s/roles/%s", demo, alice, reader), admin,
	    404, it_fmt("Could not find role assignment with role: %s, user or"
	    " group: %s, project, domain, or system: %s.", reader, alice, demo)));
	T("grants-1.13 domain role of another domain -> 403", ast("PUT",
	    it_fmt("/v3/projects/%s/users/%s/roles/%s", demo, alice, d2role),
	    NULL) == 403);

	snprintf(p, sizeof(p), "/v3/projects/%s/groups/%s/roles/%s", demo, devs, reader);
	T("grants-2.1 PUT group project", ast("PUT", p, NULL) == 204);
	T("grants-2.2 HEAD group project", ast("HEAD", p, NULL) == 204);
	j = rq("GET", it_fmt("/v3/projects/%s/groups/%s/roles", demo, devs), admin,
	    NULL, &st);
	T("grants-2.3 list group project", st == 200 && has(j, "roles", "id", reader));
	json_decref(j);

	snprintf(p, sizeof(p), "/v3/domains/default/users/%s/roles/%s", alice, reader);
	T("grants-3.1 PUT user domain", ast("PUT", p, NULL) == 204);
	T("grants-3.2 HEAD user domain", ast("HEAD", p, NULL) == 204);
	j = rq("GET", it_fmt("/v3/domains/default/users/%s/roles", alice), admin,
	    NULL, &st);
	T("grants-3.3 list user domain", st == 200 && has(j, "roles", "id", reader) &&
	    json_array_size(it_get(j, "roles")) == 1);
	json_decref(j);
	T("grants-3.4 unknown domain -> 404", err_is("PUT",
	    it_fmt("/v3/domains/nosuchdomain/users/%s/roles/%s", alice, reader),
	    admin, 404, "Could not find domain: nosuchdomain."));
	snprintf(p, sizeof(p), "/v3/domains/default/groups/%s/roles/%s", devs, obs);
	T("grants-3.5 PUT group domain", ast("PUT", p, NULL) == 204);
	T("grants-3.6 DELETE group domain", ast("DELETE", p, NULL) == 204);
	T("grants-3.7 HEAD after delete -> 404", ast("HEAD", p, NULL) == 404);

	snprintf(p, sizeof(p), "/v3/system/users/%s/roles/%s", alice, reader);
	T("grants-4.1 PUT system user", ast("PUT", p, NULL) == 204);
	T("grants-4.2 HEAD system user", ast("HEAD", p, NULL) == 204);
	j = rq("GET", it_fmt("/v3/system/users/%s/roles", alice), admin, NULL, &st);
	T("grants-4.3 list system user", st == 200 && has(j, "roles", "id", reader));
	json_decref(j);
	T("grants-4.4 domain role on system -> 400", ast("PUT",
	    it_fmt("/v3/system/users/%s/roles/%s", alice, dspec), NULL) == 400);
	T("grants-4.5 DELETE system user", ast("DELETE", p, NULL) == 204);
	T("grants-4.6 DELETE again -> 404", ast("DELETE", p, NULL) == 404);
	snprintf(p, sizeof(p), "/v3/system/groups/%s/roles/%s", devs, reader);
	T("grants-4.7 PUT system group", ast("PUT", p, NULL) == 204);
	j = rq("GET", it_fmt("/v3/system/groups/%s/roles", devs), admin, NULL, &st);
	T("grants-4.8 list system group", st == 200 && has(j, "roles", "id", reader));
	json_decref(j);
	T("grants-4.9 unknown group -> 404", ast("GET",
	    "/v3/system/groups/nosuchgroup/roles", NULL) == 404);
	T("grants-4.10 DELETE system group", ast("DELETE", p, NULL) == 204);

	snprintf(p, sizeof(p), "/v3/OS-INHERIT/projects/%s/users/%s/roles/%s/"
	    "inherited_to_projects", demo, bob, obs);
	T("grants-5.1 PUT inherited project", ast("PUT", p, NULL) == 204);
	T("grants-5.2 HEAD inherited project", ast("HEAD", p, NULL) == 204);
	T("grants-5.3 not a direct grant", ast("HEAD",
	    it_fmt("/v3/projects/%s/users/%s/roles/%s", demo, bob, obs), NULL) == 404);
	snprintf(p, sizeof(p), "/v3/OS-INHERIT/domains/default/groups/%s/roles/%s/"
	    "inherited_to_projects", devs, member);
	T("grants-5.4 PUT inherited domain group", ast("PUT", p, NULL) == 204);
	j = rq("GET", it_fmt("/v3/OS-INHERIT/domains/default/groups/%s/roles/"
	    "inherited_to_projects", devs), admin, NULL, &st);
	T("grants-5.5 list inherited domain group", st == 200 &&
	    has(j, "roles", "id", member) && json_array_size(it_get(j, "roles")) == 1);
	json_decref(j);
	T("grants-5.6 DELETE inherited domain group", ast("DELETE", p, NULL) == 204);

	/* ---- Tokens carry effective roles ------------------------------ */
	j = issue(alice, "alice-pw", demo, &atok);
	T("tokens-1.1 alice: member + implied reader",
	    j != NULL && eq(token_roles(j), "member,reader"));
	json_decref(j);
	j = issue(bob, "bob-pw", child, &btok);
	T("tokens-1.2 bob on child: inherited observer implies member, reader",
	    j != NULL && eq(token_roles(j), "member,observer,reader"));
	json_decref(j);
	j = issue(bob, "bob-pw", demo, &tok2);
	T("tokens-1.3 bob on demo: group reader only",
	    j != NULL && eq(token_roles(j), "reader"));
	json_decref(j);
	T("tokens-1.4 alice (member) cannot create roles -> 403", atok != NULL &&
	    it_status(&s, "POST", "/v3/roles", atok,
	    "{\"role\": {\"name\": \"nope\"}}") == 403);
	T("tokens-1.5 alice cannot grant -> 403", atok != NULL &&
	    it_status(&s, "PUT", it_fmt("/v3/projects/%s/users/%s/roles/%s", demo,
	    alice, adminrole), atok, NULL) == 403);
	T("tokens-1.6 alice cannot list assignments -> 403", atok != NULL &&
	    it_status(&s, "GET", "/v3/role_assignments", atok, NULL) == 403);
	T("tokens-1.7 alice cannot list roles -> 403", atok != NULL &&
	    it_status(&s, "GET", "/v3/roles", atok, NULL) == 403);
	T("tokens-1.8 alice cannot see role inferences -> 403", atok != NULL &&
	    it_status(&s, "GET", "/v3/role_inferences", atok, NULL) == 403);

	/* ---- Role assignments ------------------------------------------ */
	j = rq("GET", it_fmt("/v3/role_assignments?user.id=%s", alice), admin,
	    NULL, &st);
	T("ra-1.1 by user", st == 200 &&
	    json_array_size(it_get(j, "role_assignments")) == 2);
	e = find_ra(j, alice, member, demo, 0);
	T("ra-1.2 project entry shape", e != NULL &&
	    eq(it_str(e, "links.assignment"), it_fmt("%s/v3/projects/%s/users/%s/"
	    "roles/%s", s.base, demo, alice, member)) &&
	    it_get(e, "scope.project.name") == NULL && it_get(e, "user.name") == NULL);
	e = find_ra(j, alice, reader, NULL, 0);
	T("ra-1.3 domain entry", e != NULL && eq(it_str(e, "scope.domain.id"), "default"));
	T("ra-1.4 self link keeps the query", eq(it_str(j, "links.self"),
	    it_fmt("%s/v3/role_assignments?user.id=%s", s.base, alice)) &&
	    json_is_null(it_get(j, "links.next")));
	json_decref(j);

	j = rq("GET", it_fmt("/v3/role_assignments?user.id=%s&include_names", alice),
	    admin, NULL, &st);
	e = find_ra(j, alice, member, demo, 0);
	T("ra-2.1 include_names", st == 200 && e != NULL &&
	    eq(it_str(e, "user.name"), "alice") &&
	    eq(it_str(e, "user.domain.name"), "Default") &&
	    eq(it_str(e, "scope.project.name"), "demo") &&
	    eq(it_str(e, "scope.project.domain.id"), "default") &&
	    eq(it_str(e, "role.name"), "member"));
	e = find_ra(j, alice, reader, NULL, 0);
	T("ra-2.2 include_names domain", e != NULL &&
	    eq(it_str(e, "scope.domain.name"), "Default"));
	json_decref(j);

	j = rq("GET", it_fmt("/v3/role_assignments?group.id=%s", devs), admin, NULL, &st);
	T("ra-3.1 by group", st == 200 &&
	    json_array_size(it_get(j, "role_assignments")) == 1 &&
	    eq(it_str(j, "role_assignments.0.group.id"), devs) &&
	    eq(it_str(j, "role_assignments.0.links.assignment"),
	    it_fmt("%s/v3/projects/%s/groups/%s/roles/%s", s.base, demo, devs, reader)));
	json_decref(j);

	j = rq("GET", "/v3/role_assignments?scope.system=all", admin, NULL, &st);
	T("ra-3.2 system scope", st == 200 &&
	    json_array_size(it_get(j, "role_assignments")) >= 1 &&
	    json_is_true(it_get(j, "role_assignments.0.scope.system.all")) &&
	    eq(it_str(j, "role_assignments.0.links.assignment"),
	    it_fmt("%s/v3/system/users/%s/roles/%s", s.base,
	    it_str(j, "role_assignments.0.user.id") ?: "",
	    it_str(j, "role_assignments.0.role.id") ?: "")));
	json_decref(j);

	j = rq("GET", it_fmt("/v3/role_assignments?role.id=%s&scope.project.id=%s",
	    obs, demo), admin, NULL, &st);
	e = find_ra(j, bob, obs, demo, 0);
	T("ra-3.3 inherited grant listed with OS-INHERIT", st == 200 && e != NULL &&
	    eq(it_str(e, "scope.OS-INHERIT:inherited_to"), "projects") &&
	    eq(it_str(e, "links.assignment"), it_fmt("%s/v3/OS-INHERIT/projects/%s/"
	    "users/%s/roles/%s/inherited_to_projects", s.base, demo, bob, obs)));
	json_decref(j);
	j = rq("GET", it_fmt("/v3/role_assignments?scope.project.id=%s"
	    "&scope.OS-INHERIT:inherited_to=projects", demo), admin, NULL, &st);
	T("ra-3.4 inherited filter", st == 200 &&
	    json_array_size(it_get(j, "role_assignments")) == 1);
	json_decref(j);

	/* Effective: groups expanded, inheritance applied, implied roles. */
	j = rq("GET", it_fmt("/v3/role_assignments?effective&user.id=%s", bob),
	    admin, NULL, &st);
	e = find_ra(j, bob, reader, demo, 0);
	T("ra-4.1 effective: group grant expanded", st == 200 && e != NULL &&
	    it_get(e, "group") == NULL &&
	    eq(it_str(e, "links.membership"), it_fmt("%s/v3/groups/%s/users/%s",
	    s.base, devs, bob)) &&
	    eq(it_str(e, "links.assignment"), it_fmt("%s/v3/projects/%s/groups/%s/"
	    "roles/%s", s.base, demo, devs, reader)));
	e = find_ra(j, bob, obs, child, 0);
	T("ra-4.2 effective: inherited applied to child", e != NULL &&
	    eq(it_str(e, "scope.OS-INHERIT:inherited_to"), "projects"));
	T("ra-4.3 effective: inherited not on the project itself",
	    find_ra(j, bob, obs, demo, 0) == NULL);
	e = find_ra(j, bob, member, child, 0);
	T("ra-4.4 effective: implied role with prior_role link", e != NULL &&
	    eq(it_str(e, "links.assignment"), it_fmt("%s/v3/OS-INHERIT/projects/%s/"
	    "users/%s/roles/%s/inherited_to_projects", s.base, demo, bob, obs)) &&
	    eq(it_str(e, "links.prior_role"), it_fmt("%s/v3/prior_role/%s/implies/%s",
	    s.base, member, obs)));
	T("ra-4.5 effective: implied transitively", find_ra(j, bob, reader, child, 0));
	json_decref(j);
	j = rq("GET", it_fmt("/v3/role_assignments?effective&scope.project.id=%s",
	    demo), admin, NULL, &st);
	T("ra-4.6 effective by project: members and implied", st == 200 &&
	    find_ra(j, bob, reader, demo, 0) && find_ra(j, alice, member, demo, 0) &&
	    find_ra(j, alice, reader, demo, 0) && !find_ra(j, bob, obs, demo, 0));
	json_decref(j);
	j = rq("GET", it_fmt("/v3/role_assignments?effective&include_names"
	    "&scope.project.id=%s&role.id=%s", demo, reader), admin, NULL, &st);
	e = find_ra(j, bob, reader, demo, 0);
	T("ra-4.7 effective + names + role filter", st == 200 && e != NULL &&
	    eq(it_str(e, "user.name"), "bob") && !find_ra(j, alice, member, demo, 0));
	json_decref(j);
	j = rq("GET", it_fmt("/v3/role_assignments?include_subtree"
	    "&scope.project.id=%s", demo), admin, NULL, &st);
	T("ra-4.8 include_subtree", st == 200 &&
	    json_array_size(it_get(j, "role_assignments")) >= 3);
	json_decref(j);

	T("ra-5.1 user and group -> 400", ast("GET", it_fmt("/v3/role_assignments"
	    "?user.id=%s&group.id=%s", alice, devs), NULL) == 400);
	T("ra-5.2 domain and project -> 400", ast("GET", it_fmt("/v3/role_assignments"
	    "?scope.domain.id=default&scope.project.id=%s", demo), NULL) == 400);
	T("ra-5.3 effective and group -> 400", err_is("GET",
	    it_fmt("/v3/role_assignments?effective&group.id=%s", devs), admin, 400,
	    "Combining effective and group filter will always result in an empty"
	    " list."));
	T("ra-5.4 system and project -> 400", ast("GET", it_fmt("/v3/role_assignments"
	    "?scope.system=all&scope.project.id=%s", demo), NULL) == 400);
	T("ra-5.5 include_subtree needs a project -> 400",
	    ast("GET", "/v3/role_assignments?include_subtree", NULL) == 400);
	T("ra-5.6 include_subtree unknown project -> 404", ast("GET",
	    "/v3/role_assignments?include_subtree&scope.project.id=nope", NULL) == 404);
	T("ra-5.7 no token -> 401",
	    it_status(&s, "GET", "/v3/role_assignments", NULL, NULL) == 401);

	/* ---- Revocation ------------------------------------------------ */
	T("revoke-1.1 alice's token valid", atok != NULL && validate(atok) == 200);
	T("revoke-1.2 remove alice's grant", ast("DELETE", it_fmt("/v3/projects/%s/"
	    "users/%s/roles/%s", demo, alice, member), NULL) == 204);
	T("revoke-1.3 alice's token revoked", atok != NULL && validate(atok) == 404);
	T("revoke-1.4 bob's demo token valid", tok2 != NULL && validate(tok2) == 200);
	T("revoke-1.5 remove the group grant", ast("DELETE", it_fmt("/v3/projects/%s/"
	    "groups/%s/roles/%s", demo, devs, reader), NULL) == 204);
	T("revoke-1.6 member bob's token revoked", tok2 != NULL && validate(tok2) == 404);
	T("revoke-1.7 bob's child token valid", btok != NULL && validate(btok) == 200);
	T("revoke-1.8 delete the observer role",
	    ast("DELETE", it_fmt("/v3/roles/%s", obs), NULL) == 204);
	T("revoke-1.9 holder's token revoked", btok != NULL && validate(btok) == 404);
	T("revoke-1.10 role gone", ast("GET", it_fmt("/v3/roles/%s", obs), NULL) == 404);
	T("revoke-1.11 its grants gone", ast("HEAD", it_fmt("/v3/OS-INHERIT/projects/"
	    "%s/users/%s/roles/%s/inherited_to_projects", demo, bob, obs), NULL) == 404);
	T("revoke-1.12 delete again -> 404",
	    ast("DELETE", it_fmt("/v3/roles/%s", obs), NULL) == 404);

	free(atok);
	free(btok);
	free(tok2);
	free(reader);
	free(member);
	free(adminrole);
	free(obs);
	free(dspec);
	free(d2role);
	free(demo);
	free(child);
	free(alice);
	free(bob);
	free(devs);
	free(d2);
	T("assign-9.9 server exits cleanly", it_stop(&s) == 0);
	return t_report();
}
