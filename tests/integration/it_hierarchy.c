/*
 * it_hierarchy.c - the project hierarchy over HTTP, as Keystone
 * (keystone/api/projects.py, keystone/resource/core.py):
 *
 * - GET /v3/projects/{id}?parents_as_ids / subtree_as_ids (every project,
 *   the domain at the top) and ?parents_as_list / subtree_as_list (only
 *   the projects the caller has a role on), their 400s;
 * - DELETE /v3/projects/{id}?cascade: the disabled-subtree rule, what is
 *   revoked, what is cleared;
 * - projects acting as domains (is_domain): created, read, changed,
 *   tagged and deleted through either API.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/integration/it_identity.h"

/* GET path as tok (NULL: admin) into r. */
static void
get(struct it_server *s, const char *tok, const char *path, struct it_resp *r)
{
	if (it_req(s, "GET", path, tok ? tok : s->admin_token, NULL, NULL,
	    r) == -1)
		r->status = 0;
}

/* Compact JSON of doc[key] (a static buffer), for exact comparisons. */
static const char *
dump(json_t *doc, const char *key)
{
	static char	 buf[4096];
	char		*t;
	json_t		*v = it_get(doc, key);

	if (v == NULL)
		return "<absent>";
	t = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	snprintf(buf, sizeof(buf), "%s", t ? t : "?");
	free(t);
	return buf;
}

/* The ids of the wrapped list doc[key] ([{"project": {...}}, ...]), comma
 * joined in order. */
static const char *
wrapped_ids(json_t *doc, const char *key)
{
	static char	 buf[1024];
	json_t		*v;
	size_t		 i;

	buf[0] = '\0';
	json_array_foreach(it_get(doc, key), i, v) {
		if (i > 0)
			strncat(buf, ",", sizeof(buf) - strlen(buf) - 1);
		strncat(buf, it_str(v, "project.id") ? it_str(v, "project.id") : "?",
		    sizeof(buf) - strlen(buf) - 1);
	}
	return buf;
}

static char *
mkproject(struct it_server *s, const char *name, const char *dom,
    const char *parent)
{
	return ii_create(s, "/v3/projects", it_fmt("{\"project\": {\"name\":"
	    " \"%s\", \"domain_id\": \"%s\"%s%s%s}}", name, dom, parent ?
	    ", \"parent_id\": \"" : "", parent ? parent : "", parent ? "\"" : ""),
	    "project.id");
}

static long
patch_enabled(struct it_server *s, const char *id, int enabled)
{
	return it_status(s, "PATCH", it_fmt("/v3/projects/%s", id), s->admin_token,
	    it_fmt("{\"project\": {\"enabled\": %s}}", enabled ? "true" : "false"));
}

int
main(void)
{
	struct it_server	 s;
	struct it_resp		 r;
	char			*D, *A, *B, *C, *E, *uid, *member, *utok, *atok, *X;
	char			*F, *G, *H, *xd = NULL, *dd = NULL;
	char			 want[1024];

	it_start(&s, NULL);
	D = ii_create(&s, "/v3/domains", "{\"domain\": {\"name\": \"hd\"}}",
	    "domain.id");
	/* D: A (B (C), E) */
	A = D ? mkproject(&s, "A", D, NULL) : NULL;
	B = A ? mkproject(&s, "B", D, A) : NULL;
	C = B ? mkproject(&s, "C", D, B) : NULL;
	E = A ? mkproject(&s, "E", D, A) : NULL;
	T("hier-0.1 set-up: a domain, four projects", E != NULL && C != NULL);
	if (E == NULL || C == NULL) {
		free(D);
		free(A);
		free(B);
		free(C);
		free(E);
		return t_report();
	}

	/* The ids: every project, nested; the domain at the top. */
	get(&s, NULL, it_fmt("/v3/projects/%s?parents_as_ids", C), &r);
	snprintf(want, sizeof(want), "{\"%s\":{\"%s\":{\"%s\":null}}}", B, A, D);
	T("hier-1.1 parents_as_ids of C: {B: {A: {D: null}}}", r.status == 200 &&
	    strcmp(dump(r.json, "project.parents"), want) == 0);
	T("hier-1.2 ... no subtree unless asked", json_object_get(json_object_get(
	    r.json, "project"), "subtree") == NULL);
	it_resp_free(&r);
	get(&s, NULL, it_fmt("/v3/projects/%s?parents_as_ids=1", A), &r);
	T("hier-1.3 parents_as_ids of a top-level project: {D: null}",
	    strcmp(dump(r.json, "project.parents"), it_fmt("{\"%s\":null}", D)) == 0);
	it_resp_free(&r);
	get(&s, NULL, it_fmt("/v3/projects/%s?subtree_as_ids", A), &r);
	snprintf(want, sizeof(want), "{\"%s\":{\"%s\":null},\"%s\":null}", B, C, E);
	if (strcmp(B, E) > 0)
		snprintf(want, sizeof(want), "{\"%s\":null,\"%s\":{\"%s\":null}}", E,
		    B, C);
	T("hier-1.4 subtree_as_ids of A: {B: {C: null}, E: null}",
	    r.status == 200 && strcmp(dump(r.json, "project.subtree"), want) == 0);
	it_resp_free(&r);
	get(&s, NULL, it_fmt("/v3/projects/%s?subtree_as_ids&parents_as_ids", C),
	    &r);
	T("hier-1.5 a leaf's subtree_as_ids is null, with parents too",
	    r.status == 200 && json_is_null(it_get(r.json, "project.subtree")) &&
	    json_is_object(it_get(r.json, "project.parents")));
	it_resp_free(&r);
	get(&s, NULL, it_fmt("/v3/projects/%s?subtree_as_ids&parents_as_ids", D),
	    &r);
	T("hier-1.6 a domain as a project: parents null, subtree its projects",
	    r.status == 200 && json_is_true(it_get(r.json, "project.is_domain")) &&
	    json_is_null(it_get(r.json, "project.parents")) &&
	    json_is_object(it_get(r.json, it_fmt("project.subtree.%s", A))) &&
	    json_object_size(it_get(r.json, "project.subtree")) == 1);
	it_resp_free(&r);
	get(&s, NULL, it_fmt("/v3/projects/%s?parents_as_ids=0&subtree_as_ids=0",
	    A), &r);
	T("hier-1.7 =0 means no", r.status == 200 && json_object_get(
	    json_object_get(r.json, "project"), "parents") == NULL &&
	    json_object_get(json_object_get(r.json, "project"), "subtree") == NULL);
	it_resp_free(&r);

	/* The lists: only the projects the caller has a role on. */
	get(&s, NULL, it_fmt("/v3/projects/%s?parents_as_list&subtree_as_list", B),
	    &r);
	T("hier-2.1 admin has no role on them: both lists empty", r.status == 200 &&
	    json_array_size(it_get(r.json, "project.parents")) == 0 &&
	    json_is_array(it_get(r.json, "project.parents")) &&
	    json_array_size(it_get(r.json, "project.subtree")) == 0);
	it_resp_free(&r);
	uid = ii_create(&s, "/v3/users", it_fmt("{\"user\": {\"name\": \"hu\","
	    " \"domain_id\": \"%s\", \"password\": \"pw-hu-1\"}}", D), "user.id");
	member = ii_role_id(&s, "member");
	T("hier-2.2 roles on A and C", uid && member &&
	    it_status(&s, "PUT", it_fmt("/v3/projects/%s/users/%s/roles/%s", A, uid,
	    member), s.admin_token, NULL) == 204 &&
	    it_status(&s, "PUT", it_fmt("/v3/projects/%s/users/%s/roles/%s", C, uid,
	    member), s.admin_token, NULL) == 204);
	utok = ii_project_token(&s, uid, "pw-hu-1", A);
	get(&s, utok, it_fmt("/v3/projects/%s?subtree_as_list", A), &r);
	T("hier-2.3 a member of A: A's subtree as a list holds C only",
	    r.status == 200 && strcmp(wrapped_ids(r.json, "project.subtree"),
	    C) == 0);
	T("hier-2.4 ... each wrapped as {\"project\": {...}} with its links",
	    it_str(r.json, "project.subtree.0.project.links.self") != NULL &&
	    strcmp(it_str(r.json, "project.subtree.0.project.parent_id"), B) == 0);
	it_resp_free(&r);
	get(&s, NULL, it_fmt("/v3/projects/%s?parents_as_list", C), &r);
	T("hier-2.5 the admin's view of C's parents: empty", r.status == 200 &&
	    json_array_size(it_get(r.json, "project.parents")) == 0);
	it_resp_free(&r);
	atok = ii_project_token(&s, uid, "pw-hu-1", C);
	get(&s, atok, it_fmt("/v3/projects/%s?parents_as_list", C), &r);
	T("hier-2.6 the member's view of C's parents: A (not B, not the domain)",
	    r.status == 200 && strcmp(wrapped_ids(r.json, "project.parents"),
	    A) == 0);
	it_resp_free(&r);
	T("hier-2.7 an inherited role on A", it_status(&s, "PUT",
	    it_fmt("/v3/OS-INHERIT/projects/%s/users/%s/roles/%s/inherited_to_projects",
	    A, uid, member), s.admin_token, NULL) == 204);
	get(&s, utok, it_fmt("/v3/projects/%s?subtree_as_list", A), &r);
	snprintf(want, sizeof(want), "%s,%s,%s", strcmp(B, E) < 0 ? B : E,
	    strcmp(B, E) < 0 ? E : B, C);
	T("hier-2.8 ... reaches the whole subtree, level by level",
	    r.status == 200 && strcmp(wrapped_ids(r.json, "project.subtree"),
	    want) == 0);
	it_resp_free(&r);
	T("hier-2.9 the member may not read B (policy first)", it_status(&s, "GET",
	    it_fmt("/v3/projects/%s?subtree_as_list", B), utok, NULL) == 403);

	get(&s, NULL, it_fmt("/v3/projects/%s?parents_as_list&parents_as_ids", C),
	    &r);
	T("hier-3.1 both parents forms -> 400", r.status == 400 &&
	    strcmp(ii_msg(&r), "Cannot use parents_as_list and parents_as_ids "
	    "query params at the same time.") == 0);
	it_resp_free(&r);
	get(&s, NULL, it_fmt("/v3/projects/%s?subtree_as_list&subtree_as_ids", C),
	    &r);
	T("hier-3.2 both subtree forms -> 400", r.status == 400 &&
	    strcmp(ii_msg(&r), "Cannot use subtree_as_list and subtree_as_ids "
	    "query params at the same time.") == 0);
	it_resp_free(&r);
	T("hier-3.3 unknown project -> 404", it_status(&s, "GET",
	    "/v3/projects/nope?subtree_as_ids", s.admin_token, NULL) == 404);
	T("hier-3.4 no token -> 401", it_status(&s, "GET",
	    it_fmt("/v3/projects/%s?subtree_as_ids", A), NULL, NULL) == 401);

	/* Cascade delete. */
	it_req(&s, "DELETE", it_fmt("/v3/projects/%s", A), s.admin_token, NULL,
	    NULL, &r);
	T("hier-4.1 delete a parent without cascade -> 403", r.status == 403 &&
	    strcmp(ii_msg(&r), it_fmt("Cannot delete the project %s since it is "
	    "not a leaf in the hierarchy. Use the cascade option if you want to "
	    "delete a whole subtree.", A)) == 0);
	it_resp_free(&r);
	it_req(&s, "DELETE", it_fmt("/v3/projects/%s?cascade", A), s.admin_token,
	    NULL, NULL, &r);
	T("hier-4.2 cascade with enabled projects below -> 403", r.status == 403 &&
	    strcmp(ii_msg(&r), it_fmt("Cannot delete project %s since its subtree "
	    "contains enabled projects.", A)) == 0);
	it_resp_free(&r);
	T("hier-4.3 cascade=maybe -> 400", it_status(&s, "DELETE",
	    it_fmt("/v3/projects/%s?cascade=maybe", A), s.admin_token, NULL) == 400);
	T("hier-4.4 a member may not cascade-delete its project -> 403",
	    it_status(&s, "DELETE", it_fmt("/v3/projects/%s?cascade", A), utok,
	    NULL) == 403);
	T("hier-4.5 disable C, then B and E", patch_enabled(&s, C, 0) == 200 &&
	    patch_enabled(&s, B, 0) == 200 && patch_enabled(&s, E, 0) == 200);
	T("hier-4.6 cascade=false on a parent is the plain delete -> 403",
	    it_status(&s, "DELETE", it_fmt("/v3/projects/%s?cascade=false", A),
	    s.admin_token, NULL) == 403);
	it_req(&s, "PATCH", it_fmt("/v3/users/%s", uid), s.admin_token,
	    it_fmt("{\"user\": {\"default_project_id\": \"%s\"}}", B), NULL, &r);
	it_resp_free(&r);
	T("hier-4.7 the member's token on A is valid before", ii_validate(&s,
	    utok) == 200);
	T("hier-4.8 cascade: A (enabled) and its disabled subtree -> 204",
	    it_status(&s, "DELETE", it_fmt("/v3/projects/%s?cascade", A),
	    s.admin_token, NULL) == 204);
	T("hier-4.9 ... all four gone", it_status(&s, "GET", it_fmt("/v3/projects/%s",
	    A), s.admin_token, NULL) == 404 && it_status(&s, "GET",
	    it_fmt("/v3/projects/%s", B), s.admin_token, NULL) == 404 &&
	    it_status(&s, "GET", it_fmt("/v3/projects/%s", C), s.admin_token,
	    NULL) == 404 && it_status(&s, "GET", it_fmt("/v3/projects/%s", E),
	    s.admin_token, NULL) == 404);
	T("hier-4.10 ... the token scoped to A is revoked", ii_validate(&s,
	    utok) == 404);
	get(&s, NULL, it_fmt("/v3/users/%s", uid), &r);
	T("hier-4.11 ... a default project among them is cleared",
	    r.status == 200 && it_get(r.json, "user.default_project_id") == NULL);
	it_resp_free(&r);
	get(&s, NULL, it_fmt("/v3/role_assignments?user.id=%s", uid), &r);
	T("hier-4.12 ... and the grants on them", r.status == 200 &&
	    ii_count(r.json, "role_assignments") == 0);
	it_resp_free(&r);
	F = mkproject(&s, "F", D, NULL);
	T("hier-4.13 cascade on a leaf -> 204", F && it_status(&s, "DELETE",
	    it_fmt("/v3/projects/%s?cascade=true", F), s.admin_token, NULL) == 204);
	G = mkproject(&s, "G", D, NULL);
	H = G ? mkproject(&s, "H", D, G) : NULL;
	T("hier-4.14 an immutable project below", H && patch_enabled(&s, H, 0) ==
	    200 && it_status(&s, "PATCH", it_fmt("/v3/projects/%s", H),
	    s.admin_token, "{\"project\": {\"options\": {\"immutable\": true}}}") ==
	    200);
	it_req(&s, "DELETE", it_fmt("/v3/projects/%s?cascade", G), s.admin_token,
	    NULL, NULL, &r);
	T("hier-4.15 ... stops the cascade (403), nothing deleted",
	    r.status == 403 && strcmp(ii_msg(&r), it_fmt("Unable to delete "
	    "immutable project resource: `%s. Set resource option \"immutable\" to "
	    "false first.", H)) == 0 && it_status(&s, "GET",
	    it_fmt("/v3/projects/%s", G), s.admin_token, NULL) == 200);
	it_resp_free(&r);

	/* Projects acting as domains (tempest's test_create_is_domain_project). */
	it_req(&s, "POST", "/v3/projects", s.admin_token, "{\"project\": {\"name\":"
	    " \"isdom\", \"domain_id\": null, \"is_domain\": true, \"tags\":"
	    " [\"t0\"]}}", NULL, &r);
	X = r.status == 201 && it_str(r.json, "project.id") ?
	    strdup(it_str(r.json, "project.id")) : NULL;
	T("hier-5.1 POST /v3/projects is_domain -> 201, a project acting as a "
	    "domain", X && json_is_true(it_get(r.json, "project.is_domain")) &&
	    json_is_null(it_get(r.json, "project.domain_id")) &&
	    json_is_null(it_get(r.json, "project.parent_id")) &&
	    strcmp(it_str(r.json, "project.tags.0"), "t0") == 0);
	it_resp_free(&r);
	if (X == NULL)
		goto done;
	get(&s, NULL, it_fmt("/v3/domains/%s", X), &r);
	T("hier-5.2 ... readable as a domain, with its tags", r.status == 200 &&
	    strcmp(it_str(r.json, "domain.name"), "isdom") == 0 &&
	    strcmp(it_str(r.json, "domain.tags.0"), "t0") == 0);
	it_resp_free(&r);
	get(&s, NULL, "/v3/domains", &r);
	T("hier-5.3 ... in the domain list", ii_has_id(r.json, "domains", X));
	it_resp_free(&r);
	get(&s, NULL, "/v3/projects?is_domain=true", &r);
	T("hier-5.4 ... in ?is_domain=true", ii_has_id(r.json, "projects", X));
	it_resp_free(&r);
	get(&s, NULL, "/v3/projects", &r);
	T("hier-5.5 ... not in the plain project list", r.status == 200 &&
	    !ii_has_id(r.json, "projects", X));
	it_resp_free(&r);
	T("hier-5.6 PUT a tag through the projects API", it_status(&s, "PUT",
	    it_fmt("/v3/projects/%s/tags/t1", X), s.admin_token, NULL) == 201);
	get(&s, NULL, it_fmt("/v3/domains/%s", X), &r);
	T("hier-5.7 ... the domain has it", json_array_size(it_get(r.json,
	    "domain.tags")) == 2 && strcmp(it_str(r.json, "domain.tags.1"),
	    "t1") == 0);
	it_resp_free(&r);
	T("hier-5.8 GET and DELETE that tag", it_status(&s, "GET",
	    it_fmt("/v3/projects/%s/tags/t1", X), s.admin_token, NULL) == 204 &&
	    it_status(&s, "DELETE", it_fmt("/v3/projects/%s/tags/t1", X),
	    s.admin_token, NULL) == 204 && it_status(&s, "GET",
	    it_fmt("/v3/projects/%s/tags/t1", X), s.admin_token, NULL) == 404);
	it_req(&s, "PATCH", it_fmt("/v3/projects/%s", X), s.admin_token,
	    "{\"project\": {\"parent_id\": \"x\"}}", NULL, &r);
	T("hier-5.9 PATCH its parent_id -> 403", r.status == 403 &&
	    strcmp(ii_msg(&r), "Update of `parent_id` is not allowed.") == 0);
	it_resp_free(&r);
	it_req(&s, "PATCH", it_fmt("/v3/projects/%s", X), s.admin_token,
	    "{\"project\": {\"is_domain\": false}}", NULL, &r);
	T("hier-5.10 PATCH is_domain false -> 400", r.status == 400 &&
	    strcmp(ii_msg(&r), "Update of `is_domain` is not allowed.") == 0);
	it_resp_free(&r);
	T("hier-5.11 PATCH domain_id -> 400", it_status(&s, "PATCH",
	    it_fmt("/v3/projects/%s", X), s.admin_token, "{\"project\":"
	    " {\"domain_id\": \"default\"}}") == 400);
	it_req(&s, "DELETE", it_fmt("/v3/projects/%s", X), s.admin_token, NULL,
	    NULL, &r);
	T("hier-5.12 DELETE while enabled -> 403 (the domain's rule)",
	    r.status == 403 && strcmp(ii_msg(&r), "Cannot delete a domain that is "
	    "enabled, please disable it first.") == 0);
	it_resp_free(&r);
	xd = ii_create(&s, "/v3/projects", it_fmt("{\"project\": {\"name\": \"in-x\","
	    " \"domain_id\": \"%s\"}}", X), "project.id");
	T("hier-5.13 a project in it", xd != NULL);
	it_req(&s, "PATCH", it_fmt("/v3/projects/%s", X), s.admin_token,
	    "{\"project\": {\"enabled\": false, \"is_domain\": true, \"name\":"
	    " \"isdom2\"}}", NULL, &r);
	T("hier-5.14 PATCH: disabled (its projects enabled: a domain may) and "
	    "renamed", r.status == 200 && json_is_false(it_get(r.json,
	    "project.enabled")) && strcmp(it_str(r.json, "project.name"),
	    "isdom2") == 0 && json_is_true(it_get(r.json, "project.is_domain")));
	it_resp_free(&r);
	get(&s, NULL, it_fmt("/v3/domains/%s", X), &r);
	T("hier-5.15 ... the domain says so", json_is_false(it_get(r.json,
	    "domain.enabled")) && strcmp(it_str(r.json, "domain.name"),
	    "isdom2") == 0);
	it_resp_free(&r);
	T("hier-5.16 DELETE /v3/projects/<domain> -> 204, with its projects",
	    it_status(&s, "DELETE", it_fmt("/v3/projects/%s", X), s.admin_token,
	    NULL) == 204 && it_status(&s, "GET", it_fmt("/v3/domains/%s", X),
	    s.admin_token, NULL) == 404 && it_status(&s, "GET",
	    it_fmt("/v3/projects/%s", xd ? xd : "x"), s.admin_token, NULL) == 404);
	T("hier-5.17 is_domain with a parent -> 400", it_status(&s, "POST",
	    "/v3/projects", s.admin_token, it_fmt("{\"project\": {\"name\": \"bad\","
	    " \"is_domain\": true, \"parent_id\": \"%s\"}}", D)) == 400);
	dd = ii_create(&s, "/v3/domains", "{\"domain\": {\"name\": \"viad\"}}",
	    "domain.id");
	T("hier-5.18 a domain made by /v3/domains: PATCH through the projects API",
	    dd && it_status(&s, "PATCH", it_fmt("/v3/projects/%s", dd),
	    s.admin_token, "{\"project\": {\"description\": \"d\"}}") == 200);
	free(atok);
	atok = NULL;
	if (G != NULL && it_status(&s, "PUT", it_fmt("/v3/projects/%s/users/%s/"
	    "roles/%s", G, uid, member), s.admin_token, NULL) == 204)
		atok = ii_project_token(&s, uid, "pw-hu-1", G);
	T("hier-5.19 a project member may not PATCH a domain -> 403", atok &&
	    it_status(&s, "PATCH", it_fmt("/v3/projects/%s", dd ? dd : "x"), atok,
	    "{\"project\": {\"description\": \"e\"}}") == 403);
	T("hier-5.20 ... nor DELETE it, nor tag it -> 403", atok &&
	    it_status(&s, "DELETE", it_fmt("/v3/projects/%s", dd ? dd : "x"),
	    atok, NULL) == 403 && it_status(&s, "PUT",
	    it_fmt("/v3/projects/%s/tags/x", dd ? dd : "x"), atok, NULL) == 403);

done:
	free(D); free(A); free(B); free(C); free(E); free(F); free(G); free(H);
	free(X); free(xd); free(dd); free(uid); free(member); free(utok);
	free(atok);
	T("hier-9.9 server stops cleanly", it_stop(&s) == 0);
	return t_report();
}
