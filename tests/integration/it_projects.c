/*
 * it_projects.c - /v3/projects and project tags over HTTP: hierarchy
 * rules, is_domain, filters, validation, conflicts, policy (a member may
 * read its own project), and revocation when a project is disabled or
 * deleted.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/integration/it_identity.h"

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Names of the projects listed at path, sorted and comma-joined (the
 * server lists them in id order). */
static const char *
names(struct it_server *s, const char *path)
{
	static char	 buf[1024];
	struct it_resp	 r;
	const char	*v[64] = { NULL };
	json_t		*p;
	size_t		 i, n = 0, off = 0;
	int		 w;

	buf[0] = '\0';
	if (it_req(s, "GET", path, s->admin_token, NULL, NULL, &r) == -1 ||
	    r.status != 200) {
		it_resp_free(&r);
		return "<error>";
	}
	json_array_foreach(json_object_get(r.json, "projects"), i, p)
		if (n < 64 && json_is_string(json_object_get(p, "name")))
			v[n++] = json_string_value(json_object_get(p, "name"));
	qsort(v, n, sizeof(v[0]), cmp_name);
	for (i = 0; i < n && off < sizeof(buf); i++) {
		w = snprintf(buf + off, sizeof(buf) - off, "%s%s", i > 0 ? "," : "",
		    v[i]);
		if (w < 0 || (size_t)w >= sizeof(buf) - off) {
			it_resp_free(&r);
			return "<too long>";
		}
		off += (size_t)w;
	}
	it_resp_free(&r);
	return buf;
}

/*
 * The list view is written as text, the member view parsed from the same
 * writer: each listed project must equal its GET, with extra attributes
 * of every JSON type, tags, and strings that need escaping (issue 8).
 */
static void
list_equals_members(struct it_server *s)
{
	struct it_resp	 r, m;
	json_t		*v;
	size_t		 i, same = 0, n = 0;
	int		 found = 0;

	it_req(s, "POST", "/v3/projects", s->admin_token, "{\"project\": {\"name\":"
	    " \"view-\\\"q\\\\b\\u00e9\", \"description\": \"l1\\nl2\\t\\u0001\","
	    " \"tags\": [\"a\", \"b\\\"\"], \"x_obj\": {\"k\": [1, null, true]},"
	    " \"x_num\": 1.5, \"x_null\": null, \"x_false\": false}}", NULL, &r);
	T("project-12.1 project with escapes and typed extras -> 201", r.status == 201);
	it_resp_free(&r);
	it_req(s, "GET", "/v3/projects", s->admin_token, NULL, NULL, &r);
	json_array_foreach(json_object_get(r.json, "projects"), i, v) {
		n++;
		it_req(s, "GET", it_fmt("/v3/projects/%s", it_str(v, "id")),
		    s->admin_token, NULL, NULL, &m);
		if (m.status == 200 && json_equal(v, json_object_get(m.json, "project")))
			same++;
		if (json_array_size(json_object_get(json_object_get(v, "x_obj"),
		    "k")) == 3 && json_real_value(json_object_get(v, "x_num")) == 1.5 &&
		    json_is_false(json_object_get(v, "x_false")) &&
		    t_streq(json_string_value(json_object_get(v, "name")),
		    "view-\"q\\b\xc3\xa9") &&
		    t_streq(json_string_value(json_array_get(json_object_get(v,
		    "tags"), 1)), "b\"") &&
		    (json_real_value(json_object_get(v, "x_num")) == 1.5 &&
		    json_is_null(json_object_get(v, "x_null")) &&
		    t_streq(json_string_value(json_object_get(v, "description")),
		    "l1\nl2\t\001")))
			found = 1;
		it_resp_free(&m);
	}
	T("project-12.2 every listed project equals its GET", n > 1 && same == n);
	T("project-12.3 the list carries the extras and escaped strings", found);
	T("project-12.4 the list's links", t_streq(it_str(r.json, "links.self"),
	    it_fmt("%s/v3/projects", s->base)) &&
	    json_is_null(it_get(r.json, "links.next")));
	it_resp_free(&r);
}

/* keygate_list_cache_hits_total, or -1. */
static long
list_hits(struct it_server *s)
{
	struct it_resp	 r;
	const char	*p;
	long		 n = -1;

	if (it_req(s, "GET", "/metrics", NULL, NULL, NULL, &r) == 0 &&
	    r.status == 200 && r.body != NULL &&
	    (p = strstr(r.body, "\nkeygate_list_cache_hits_total ")) != NULL)
		n = atol(p + strlen("\nkeygate_list_cache_hits_total "));
	it_resp_free(&r);
	return n;
}

/*
 * GET /v3/projects is served from the rendered-list cache while the
 * projects revision stands, and never after a change: create, rename,
 * tags, delete through the API, and a write by another process (SQL on
 * the database), on both backends.
 */
static void
list_cache(struct it_server *s)
{
	const char	*A = s->admin_token, *h[2] = { "Host: other.example:5000", NULL };
	struct it_resp	 r;
	char		*id = NULL;
	long		 h0;

	(void)names(s, "/v3/projects");
	h0 = list_hits(s);
	T("project-14.1 a repeated list is a cache hit", strcmp(names(s,
	    "/v3/projects?name=lc1"), "") == 0 && strcmp(names(s,
	    "/v3/projects?name=lc1"), "") == 0 && list_hits(s) == h0 + 1);
	it_req(s, "POST", "/v3/projects", A, "{\"project\": {\"name\": \"lc1\"}}",
	    NULL, &r);
	if (r.status == 201 && it_str(r.json, "project.id") != NULL)
		id = strdup(it_str(r.json, "project.id"));
	it_resp_free(&r);
	T("project-14.2 a created project is listed at once", id != NULL &&
	    strcmp(names(s, "/v3/projects?name=lc1"), "lc1") == 0);
	T("project-14.3 a rename is listed at once", it_status(s, "PATCH",
	    it_fmt("/v3/projects/%s", id ? id : "x"), A,
	    "{\"project\": {\"name\": \"lc2\"}}") == 200 &&
	    strcmp(names(s, "/v3/projects?name=lc1"), "") == 0 &&
	    strcmp(names(s, "/v3/projects?name=lc2"), "lc2") == 0);
	(void)names(s, "/v3/projects?tags=lctag");
	T("project-14.4 a tag added is listed at once", it_status(s, "PUT",
	    it_fmt("/v3/projects/%s/tags/lctag", id ? id : "x"), A, NULL) == 201 &&
	    strcmp(names(s, "/v3/projects?tags=lctag"), "lc2") == 0);
	(void)names(s, "/v3/projects?name=lc3");
	T("project-14.5 another process's write is listed at once",
	    it_sql(s, it_fmt("UPDATE project SET name = 'lc3' WHERE id = '%s'",
	    id ? id : "x")) == 0 &&
	    strcmp(names(s, "/v3/projects?name=lc3"), "lc3") == 0);
	it_req(s, "GET", "/v3/projects?name=lc3", A, NULL, h, &r);
	T("project-14.6 another Host: links of that host, not the cached ones",
	    r.status == 200 && strncmp(it_str(r.json, "projects.0.links.self") ?
	    it_str(r.json, "projects.0.links.self") : "",
	    "http://other.example:5000/v3/projects/", 38) == 0);
	it_resp_free(&r);
	T("project-14.7 a deleted project leaves the list at once",
	    it_status(s, "PATCH", it_fmt("/v3/projects/%s", id ? id : "x"), A,
	    "{\"project\": {\"enabled\": false}}") == 200 &&
	    it_status(s, "DELETE", it_fmt("/v3/projects/%s", id ? id : "x"), A,
	    NULL) == 204 && strcmp(names(s, "/v3/projects?name=lc3"), "") == 0);
	free(id);
}

int
main(void)
{
	struct it_server	 s;
	struct it_resp		 r;
	const char		*A;
	char			*p1, *p2, *p3, *lvl[6], *dp, *uid, *utok, *ptok, *member;
	char			 many[1200], *x;
	int			 i;

	it_start(&s, NULL);
	A = s.admin_token;
	T("project-0.1 admin token", A[0] != '\0');

	T("project-1.1 POST without token -> 401", it_status(&s, "POST", "/v3/projects",
	    NULL, "{\"project\": {\"name\": \"x\"}}") == 401);
	T("project-1.2 GET without token -> 401", it_status(&s, "GET", "/v3/projects",
	    NULL, NULL) == 401);

	/* create */
	it_req(&s, "POST", "/v3/projects", A, "{\"project\": {\"name\": \"web\","
	    " \"description\": \"frontend\", \"tags\": [\"prod\", \"eu\"],"
	    " \"color\": \"blue\"}}", NULL, &r);
	T("project-2.1 create -> 201", r.status == 201);
	p1 = it_str(r.json, "project.id") ? strdup(it_str(r.json, "project.id")) : NULL;
	T("project-2.2 default domain", r.json && strcmp(it_str(r.json,
	    "project.domain_id"), "default") == 0);
	T("project-2.3 parent of top level is the domain", r.json &&
	    strcmp(it_str(r.json, "project.parent_id"), "default") == 0);
	T("project-2.4 shape", json_is_false(it_get(r.json, "project.is_domain")) &&
	    json_is_true(it_get(r.json, "project.enabled")) &&
	    json_is_object(it_get(r.json, "project.options")) &&
	    strcmp(it_str(r.json, "project.description"), "frontend") == 0);
	T("project-2.5 tags kept in order", strcmp(it_str(r.json, "project.tags.0"),
	    "prod") == 0 && strcmp(it_str(r.json, "project.tags.1"), "eu") == 0);
	T("project-2.6 extra attribute echoed", strcmp(it_str(r.json, "project.color"),
	    "blue") == 0);
	T("project-2.7 self link", p1 && strcmp(it_str(r.json, "project.links.self"),
	    it_fmt("%s/v3/projects/%s", s.base, p1)) == 0);
	it_resp_free(&r);

	p2 = ii_create(&s, "/v3/projects", it_fmt("{\"project\": {\"name\": \"api\","
	    " \"parent_id\": \"%s\", \"tags\": [\"prod\"]}}", p1), "project.id");
	T("project-2.8 child project", p2 != NULL);
	it_req(&s, "GET", it_fmt("/v3/projects/%s", p2), A, NULL, NULL, &r);
	T("project-2.9 child's parent and domain", r.status == 200 &&
	    t_streq(it_str(r.json, "project.parent_id"), p1) &&
	    strcmp(it_str(r.json, "project.domain_id"), "default") == 0);
	it_resp_free(&r);
	p3 = ii_create(&s, "/v3/projects", "{\"project\": {\"name\": \"db\","
	    " \"domain_id\": \"default\", \"parent_id\": \"default\", \"enabled\": false,"
	    " \"tags\": [\"dev\"]}}", "project.id");
	T("project-2.10 parent_id = domain id is top level", p3 != NULL);

	/* hierarchy limits */
	lvl[0] = ii_create(&s, "/v3/projects", "{\"project\": {\"name\": \"l1\"}}",
	    "project.id");
	for (i = 1; i < 5; i++)
		lvl[i] = lvl[i - 1] ? ii_create(&s, "/v3/projects", it_fmt("{\"project\":"
		    " {\"name\": \"l%d\", \"parent_id\": \"%s\"}}", i + 1, lvl[i - 1]),
		    "project.id") : NULL;
	T("project-3.1 five levels allowed", lvl[4] != NULL);
	it_req(&s, "POST", "/v3/projects", A, it_fmt("{\"project\": {\"name\": \"l6\","
	    " \"parent_id\": \"%s\"}}", lvl[4] ? lvl[4] : "x"), NULL, &r);
	T("project-3.2 sixth level -> 403", r.status == 403 && strcmp(ii_msg(&r),
	    it_fmt("Max hierarchy depth reached for %s branch.", lvl[4])) == 0);
	it_resp_free(&r);
	it_req(&s, "POST", "/v3/projects", A, "{\"project\": {\"name\": \"x\","
	    " \"parent_id\": \"nope\"}}", NULL, &r);
	T("project-3.3 unknown parent -> 400", r.status == 400 &&
	    strcmp(ii_msg(&r), "Could not find project: nope.") == 0);
	it_resp_free(&r);
	it_req(&s, "POST", "/v3/projects", A, "{\"project\": {\"name\": \"x\","
	    " \"domain_id\": \"nope\"}}", NULL, &r);
	T("project-3.4 unknown domain -> 400", r.status == 400 &&
	    strcmp(ii_msg(&r), "Could not find domain: nope.") == 0);
	it_resp_free(&r);
	it_req(&s, "POST", "/v3/projects", A, it_fmt("{\"project\": {\"name\": \"x\","
	    " \"parent_id\": \"%s\"}}", p3), NULL, &r);
	T("project-3.5 disabled parent -> 400", r.status == 400 &&
	    strstr(ii_msg(&r), "branch containing a disabled project") != NULL);
	it_resp_free(&r);
	dp = ii_create(&s, "/v3/domains", "{\"domain\": {\"name\": \"Elsewhere\"}}",
	    "domain.id");
	T("project-3.6 parent in another domain -> 400", it_status(&s, "POST",
	    "/v3/projects", A, it_fmt("{\"project\": {\"name\": \"x\", \"domain_id\":"
	    " \"%s\", \"parent_id\": \"%s\"}}", dp, p1)) == 400);
	x = ii_create(&s, "/v3/projects", it_fmt("{\"project\": {\"name\": \"web\","
	    " \"domain_id\": \"%s\"}}", dp), "project.id");
	T("project-3.7 same name in another domain -> 201", x != NULL);
	free(x);

	/* is_domain */
	it_req(&s, "POST", "/v3/projects", A, "{\"project\": {\"name\": \"AsDomain\","
	    " \"is_domain\": true}}", NULL, &r);
	T("project-4.1 is_domain creates a domain", r.status == 201 &&
	    json_is_true(it_get(r.json, "project.is_domain")) &&
	    json_is_null(it_get(r.json, "project.domain_id")));
	T("project-4.2 visible as a domain", r.json && it_status(&s, "GET",
	    it_fmt("/v3/domains/%s", it_str(r.json, "project.id")), A, NULL) == 200);
	it_resp_free(&r);
	T("project-4.3 is_domain with parent -> 400", it_status(&s, "POST",
	    "/v3/projects", A, it_fmt("{\"project\": {\"name\": \"D2\", \"is_domain\":"
	    " true, \"parent_id\": \"%s\"}}", p1)) == 400);
	it_req(&s, "GET", "/v3/projects/default", A, NULL, NULL, &r);
	T("project-4.4 GET a domain as a project", r.status == 200 &&
	    json_is_true(it_get(r.json, "project.is_domain")));
	it_resp_free(&r);
	T("project-4.5 is_domain=true lists domains", strstr(names(&s,
	    "/v3/projects?is_domain=true"), "AsDomain") != NULL &&
	    strstr(names(&s, "/v3/projects?is_domain=true"), "web") == NULL);

	/* conflicts and validation */
	it_req(&s, "POST", "/v3/projects", A, "{\"project\": {\"name\": \"web\"}}", NULL, &r);
	T("project-5.1 duplicate -> 409", r.status == 409 && strncmp(ii_msg(&r),
	    "Conflict occurred attempting to store project - it is not permitted to "
	    "have two projects with either the same name or same id in the same "
	    "domain: name is web, project id ", 170) == 0);
	it_resp_free(&r);
	T("project-5.2 missing name -> 400", it_status(&s, "POST", "/v3/projects", A,
	    "{\"project\": {\"description\": \"x\"}}") == 400);
	T("project-5.3 name wrong type -> 400", it_status(&s, "POST", "/v3/projects", A,
	    "{\"project\": {\"name\": [1]}}") == 400);
	T("project-5.4 enabled wrong type -> 400", it_status(&s, "POST", "/v3/projects",
	    A, "{\"project\": {\"name\": \"x\", \"enabled\": {}}}") == 400);
	T("project-5.5 tag with comma -> 400", it_status(&s, "POST", "/v3/projects", A,
	    "{\"project\": {\"name\": \"x\", \"tags\": [\"a,b\"]}}") == 400);
	T("project-5.6 duplicate tags -> 400", it_status(&s, "POST", "/v3/projects", A,
	    "{\"project\": {\"name\": \"x\", \"tags\": [\"a\", \"a\"]}}") == 400);
	T("project-5.7 tags not an array -> 400", it_status(&s, "POST", "/v3/projects",
	    A, "{\"project\": {\"name\": \"x\", \"tags\": \"a\"}}") == 400);
	strcpy(many, "[");
	for (i = 0; i < 81; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "%s\"t%d\"",
		    i ? "," : "", i);
	t_cat(many, sizeof(many), "]");
	T("project-5.8 81 tags -> 400", it_status(&s, "POST", "/v3/projects", A,
	    it_fmt("{\"project\": {\"name\": \"x\", \"tags\": %s}}", many)) == 400);
	T("project-5.9 malformed JSON -> 400", it_status(&s, "POST", "/v3/projects", A,
	    "{\"project\": {") == 400);
	T("project-5.10 bad domain_id characters -> 400", it_status(&s, "POST",
	    "/v3/projects", A, "{\"project\": {\"name\": \"x\", \"domain_id\":"
	    " \"a b\"}}") == 400);
	T("project-5.11 65-char name -> 400", it_status(&s, "POST", "/v3/projects", A,
	    "{\"project\": {\"name\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxx\"}}") == 400);

	/* list filters */
	T("project-6.1 filter name", strcmp(names(&s, "/v3/projects?name=web&"
	    "domain_id=default"), "web") == 0);
	T("project-6.2 filter parent_id", p1 && strcmp(names(&s,
	    it_fmt("/v3/projects?parent_id=%s", p1)), "api") == 0);
	T("project-6.3 filter enabled=false", strcmp(names(&s,
	    "/v3/projects?enabled=false"), "db") == 0);
	T("project-6.4 filter tags (all)", strcmp(names(&s,
	    "/v3/projects?tags=prod,eu"), "web") == 0);
	T("project-6.5 filter tags-any", strcmp(names(&s,
	    "/v3/projects?tags-any=eu,dev"), "db,web") == 0);
	T("project-6.6 filter not-tags-any", strstr(names(&s,
	    "/v3/projects?domain_id=default&not-tags-any=prod,dev"), "web") == NULL &&
	    strstr(names(&s, "/v3/projects?not-tags-any=prod,dev"), "admin") != NULL);
	T("project-6.7 filter not-tags", strcmp(names(&s,
	    "/v3/projects?tags=prod&not-tags=prod,eu"), "api") == 0);
	T("project-6.8 filter domain_id", dp && strcmp(names(&s,
	    it_fmt("/v3/projects?domain_id=%s", dp)), "web") == 0);
	T("project-6.9 bad boolean filter -> 400", it_status(&s, "GET",
	    "/v3/projects?enabled=perhaps", A, NULL) == 400);

	/* update */
	it_req(&s, "PATCH", it_fmt("/v3/projects/%s", p2), A, "{\"project\": "
	    "{\"name\": \"api2\", \"owner\": \"ops\", \"tags\": [\"x\"]}}", NULL, &r);
	T("project-7.1 patch -> 200", r.status == 200 &&
	    strcmp(it_str(r.json, "project.name"), "api2") == 0 &&
	    strcmp(it_str(r.json, "project.owner"), "ops") == 0 &&
	    strcmp(it_str(r.json, "project.tags.0"), "x") == 0);
	it_resp_free(&r);
	it_req(&s, "PATCH", it_fmt("/v3/projects/%s", p1), A, "{\"project\": "
	    "{\"description\": null}}", NULL, &r);
	T("project-7.2 extras survive a patch", r.status == 200 &&
	    strcmp(it_str(r.json, "project.color"), "blue") == 0 &&
	    strcmp(it_str(r.json, "project.description"), "") == 0);
	it_resp_free(&r);
	T("project-7.3 change domain -> 400", it_status(&s, "PATCH",
	    it_fmt("/v3/projects/%s", p1), A, it_fmt("{\"project\": {\"domain_id\":"
	    " \"%s\"}}", dp)) == 400);
	T("project-7.4 change parent -> 403", it_status(&s, "PATCH",
	    it_fmt("/v3/projects/%s", p2), A, it_fmt("{\"project\": {\"parent_id\":"
	    " \"%s\"}}", p3)) == 403);
	T("project-7.5 is_domain -> 400", it_status(&s, "PATCH",
	    it_fmt("/v3/projects/%s", p2), A, "{\"project\": {\"is_domain\": true}}") == 400);
	T("project-7.6 rename to taken -> 409", it_status(&s, "PATCH",
	    it_fmt("/v3/projects/%s", p2), A, "{\"project\": {\"name\": \"web\"}}") == 409);
	T("project-7.7 empty patch -> 400", it_status(&s, "PATCH",
	    it_fmt("/v3/projects/%s", p2), A, "{\"project\": {}}") == 400);
	T("project-7.8 patch unknown -> 404", it_status(&s, "PATCH", "/v3/projects/nope",
	    A, "{\"project\": {\"name\": \"z\"}}") == 404);
	it_req(&s, "PATCH", it_fmt("/v3/projects/%s", p1), A,
	    "{\"project\": {\"enabled\": false}}", NULL, &r);
	T("project-7.9 disable with enabled child -> 403", r.status == 403 &&
	    strstr(ii_msg(&r), "since its subtree contains enabled projects") != NULL);
	it_resp_free(&r);
	T("project-7.10 disable child, then parent", it_status(&s, "PATCH",
	    it_fmt("/v3/projects/%s", p2), A, "{\"project\": {\"enabled\": false}}") == 200 &&
	    it_status(&s, "PATCH", it_fmt("/v3/projects/%s", p1), A,
	    "{\"project\": {\"enabled\": false}}") == 200);
	T("project-7.11 enable child of disabled parent -> 403", it_status(&s, "PATCH",
	    it_fmt("/v3/projects/%s", p2), A, "{\"project\": {\"enabled\": true}}") == 403);
	T("project-7.12 enable parent, then child", it_status(&s, "PATCH",
	    it_fmt("/v3/projects/%s", p1), A, "{\"project\": {\"enabled\": true}}") == 200 &&
	    it_status(&s, "PATCH", it_fmt("/v3/projects/%s", p2), A,
	    "{\"project\": {\"enabled\": true}}") == 200);

	/* tags API */
	it_req(&s, "GET", it_fmt("/v3/projects/%s/tags", p1), A, NULL, NULL, &r);
	T("tags-1.1 list", r.status == 200 && ii_count(r.json, "tags") == 2 &&
	    it_str(r.json, "links.self") != NULL);
	it_resp_free(&r);
	it_req(&s, "PUT", it_fmt("/v3/projects/%s/tags", p1), A,
	    "{\"tags\": [\"one\", \"two\", \"three\"]}", NULL, &r);
	T("tags-1.2 replace -> 200", r.status == 200 && ii_count(r.json, "tags") == 3 &&
	    strcmp(it_str(r.json, "tags.2"), "three") == 0);
	it_resp_free(&r);
	T("tags-1.3 replace without tags -> 400", it_status(&s, "PUT",
	    it_fmt("/v3/projects/%s/tags", p1), A, "{\"x\": []}") == 400);
	T("tags-1.4 replace with bad tag -> 400", it_status(&s, "PUT",
	    it_fmt("/v3/projects/%s/tags", p1), A, "{\"tags\": [\"a/b\"]}") == 400);
	T("tags-1.5 check present -> 204", it_status(&s, "GET",
	    it_fmt("/v3/projects/%s/tags/two", p1), A, NULL) == 204);
	T("tags-1.6 HEAD present -> 204", it_status(&s, "HEAD",
	    it_fmt("/v3/projects/%s/tags/two", p1), A, NULL) == 204);
	it_req(&s, "GET", it_fmt("/v3/projects/%s/tags/four", p1), A, NULL, NULL, &r);
	T("tags-1.7 check absent -> 404", r.status == 404 &&
	    strcmp(ii_msg(&r), "Could not find project tag: four.") == 0);
	it_resp_free(&r);
	T("tags-1.8 add one -> 201", it_status(&s, "PUT",
	    it_fmt("/v3/projects/%s/tags/four", p1), A, NULL) == 201 &&
	    it_status(&s, "GET", it_fmt("/v3/projects/%s/tags/four", p1), A, NULL) == 204);
	it_req(&s, "PUT", it_fmt("/v3/projects/%s/tags/five%%20x", p1), A, NULL, NULL, &r);
	{
		char	*loc = it_header(&r, "Location");

		T("tags-1.8b add answers Location of the new tag", r.status == 201 &&
		    loc != NULL && strcmp(loc, it_fmt("%s/v3/projects/%s/tags/five%%20x",
		    s.base, p1)) == 0);
		free(loc);
	}
	it_resp_free(&r);
	T("tags-1.9 add with comma -> 400", it_status(&s, "PUT",
	    it_fmt("/v3/projects/%s/tags/a%%2Cb", p1), A, NULL) == 400);
	T("tags-1.10 URL-encoded tag", it_status(&s, "PUT",
	    it_fmt("/v3/projects/%s/tags/with%%20space", p1), A, NULL) == 201 &&
	    it_status(&s, "GET", it_fmt("/v3/projects/%s/tags/with%%20space", p1), A,
	    NULL) == 204);
	T("tags-1.11 delete one -> 204", it_status(&s, "DELETE",
	    it_fmt("/v3/projects/%s/tags/four", p1), A, NULL) == 204);
	T("tags-1.12 delete absent -> 404", it_status(&s, "DELETE",
	    it_fmt("/v3/projects/%s/tags/four", p1), A, NULL) == 404);
	T("tags-1.13 delete all -> 204", it_status(&s, "DELETE",
	    it_fmt("/v3/projects/%s/tags", p1), A, NULL) == 204);
	it_req(&s, "GET", it_fmt("/v3/projects/%s/tags", p1), A, NULL, NULL, &r);
	T("tags-1.14 now empty", r.status == 200 && ii_count(r.json, "tags") == 0);
	it_resp_free(&r);
	T("tags-1.15 unknown project -> 404", it_status(&s, "GET",
	    "/v3/projects/nope/tags", A, NULL) == 404 && it_status(&s, "PUT",
	    "/v3/projects/nope/tags/x", A, NULL) == 404);

	/* non-admin callers */
	uid = ii_create(&s, "/v3/users", "{\"user\": {\"name\": \"pat\","
	    " \"password\": \"pat-pw\"}}", "user.id");
	utok = uid ? it_token(&s, uid, "pat-pw", NULL) : NULL;
	T("project-8.1 non-admin token", utok != NULL);
	T("project-8.2 non-admin create -> 403", it_status(&s, "POST", "/v3/projects",
	    utok, "{\"project\": {\"name\": \"evil\"}}") == 403);
	T("project-8.3 non-admin list -> 403", it_status(&s, "GET", "/v3/projects",
	    utok, NULL) == 403);
	T("project-8.4 non-admin get (unscoped) -> 403", it_status(&s, "GET",
	    it_fmt("/v3/projects/%s", p1), utok, NULL) == 403);
	T("project-8.5 non-admin patch/delete -> 403", it_status(&s, "PATCH",
	    it_fmt("/v3/projects/%s", p1), utok, "{\"project\": {\"name\": \"q\"}}") == 403 &&
	    it_status(&s, "DELETE", it_fmt("/v3/projects/%s", p2), utok, NULL) == 403);
	T("project-8.6 non-admin tag change -> 403", it_status(&s, "PUT",
	    it_fmt("/v3/projects/%s/tags/x", p1), utok, NULL) == 403);
	member = ii_role_id(&s, "member");
	T("project-8.7 grant member on web", member && uid && it_status(&s, "PUT",
	    it_fmt("/v3/projects/%s/users/%s/roles/%s", p1, uid, member), A, NULL) == 204);
	ptok = uid ? ii_project_token(&s, uid, "pat-pw", p1) : NULL;
	T("project-8.8 project-scoped member token", ptok != NULL);
	T("project-8.9 member reads own project -> 200", it_status(&s, "GET",
	    it_fmt("/v3/projects/%s", p1), ptok, NULL) == 200);
	T("project-8.10 member reads own tags -> 200", it_status(&s, "GET",
	    it_fmt("/v3/projects/%s/tags", p1), ptok, NULL) == 200);
	T("project-8.11 member reads another project -> 403", it_status(&s, "GET",
	    it_fmt("/v3/projects/%s", p3), ptok, NULL) == 403);
	T("project-8.12 member cannot update own project -> 403", it_status(&s, "PATCH",
	    it_fmt("/v3/projects/%s", p1), ptok, "{\"project\": {\"name\": \"q\"}}") == 403);
	T("project-8.13 member reads its project's domain -> 200", it_status(&s, "GET",
	    "/v3/domains/default", ptok, NULL) == 200);
	T("project-8.14 member reads another domain -> 403", it_status(&s, "GET",
	    it_fmt("/v3/domains/%s", dp), ptok, NULL) == 403);
	T("project-8.15 member lists projects -> 403", it_status(&s, "GET",
	    "/v3/projects", ptok, NULL) == 403);

	/* disabling / deleting revokes project-scoped tokens */
	T("project-9.1 member token valid", ii_validate(&s, ptok) == 200);
	T("project-9.2 disable web (child first)", it_status(&s, "PATCH",
	    it_fmt("/v3/projects/%s", p2), A, "{\"project\": {\"enabled\": false}}") == 200 &&
	    it_status(&s, "PATCH", it_fmt("/v3/projects/%s", p1), A,
	    "{\"project\": {\"enabled\": false}}") == 200);
	T("project-9.3 member token revoked", ii_validate(&s, ptok) == 404);
	T("project-9.4 unscoped token unaffected", ii_validate(&s, utok) == 200);
	T("project-9.5 re-enable", it_status(&s, "PATCH", it_fmt("/v3/projects/%s", p1),
	    A, "{\"project\": {\"enabled\": true}}") == 200);
	free(ptok);
	ptok = uid ? ii_project_token(&s, uid, "pat-pw", p1) : NULL;
	T("project-9.6 fresh token after re-enable", ptok != NULL &&
	    ii_validate(&s, ptok) == 200);

	/* delete */
	it_req(&s, "DELETE", it_fmt("/v3/projects/%s", p1), A, NULL, NULL, &r);
	T("project-10.1 delete non-leaf -> 403", r.status == 403 && strstr(ii_msg(&r),
	    "since it is not a leaf in the hierarchy") != NULL);
	it_resp_free(&r);
	T("project-10.2 delete leaf -> 204", it_status(&s, "DELETE",
	    it_fmt("/v3/projects/%s", p2), A, NULL) == 204);
	T("project-10.3 delete parent -> 204", it_status(&s, "DELETE",
	    it_fmt("/v3/projects/%s", p1), A, NULL) == 204);
	T("project-10.4 deleted project's token revoked", ii_validate(&s, ptok) == 404);
	it_req(&s, "GET", it_fmt("/v3/projects/%s", p1), A, NULL, NULL, &r);
	T("project-10.5 gone -> 404", r.status == 404 &&
	    strcmp(ii_msg(&r), it_fmt("Could not find project: %s.", p1)) == 0);
	it_resp_free(&r);
	T("project-10.6 delete unknown -> 404", it_status(&s, "DELETE",
	    it_fmt("/v3/projects/%s", p1), A, NULL) == 404);
	T("project-10.7 non-admin get unknown -> 403", it_status(&s, "GET",
	    "/v3/projects/nope", utok, NULL) == 403);

	/* options.immutable (keystone/common/resource_options). */
	it_req(&s, "POST", "/v3/projects", A, "{\"project\": {\"name\": \"imm\","
	    " \"tags\": [\"t\"], \"options\": {\"immutable\": true}}}", NULL, &r);
	x = r.status == 201 && it_str(r.json, "project.id") ?
	    strdup(it_str(r.json, "project.id")) : NULL;
	T("project-13.1 create immutable -> 201, options shown", x != NULL &&
	    json_is_true(it_get(r.json, "project.options.immutable")));
	it_resp_free(&r);
	it_req(&s, "GET", "/v3/projects?name=imm", A, NULL, NULL, &r);
	T("project-13.1b ... and in the list (written as text)", r.status == 200 &&
	    json_array_size(json_object_get(r.json, "projects")) == 1 &&
	    json_is_true(json_object_get(json_object_get(json_array_get(
	    json_object_get(r.json, "projects"), 0), "options"), "immutable")));
	it_resp_free(&r);
	it_req(&s, "PATCH", it_fmt("/v3/projects/%s", x ? x : "x"), A,
	    "{\"project\": {\"name\": \"imm2\"}}", NULL, &r);
	T("project-13.2 PATCH name -> 403, Keystone's text", r.status == 403 &&
	    strcmp(ii_msg(&r), it_fmt("Unable to update immutable project "
	    "resource: `%s. Set resource option \"immutable\" to false first.",
	    x ? x : "x")) == 0);
	it_resp_free(&r);
	T("project-13.3 clearing it with another change -> 403", it_status(&s,
	    "PATCH", it_fmt("/v3/projects/%s", x ? x : "x"), A, "{\"project\":"
	    " {\"options\": {\"immutable\": false}, \"enabled\": false}}") == 403);
	it_req(&s, "DELETE", it_fmt("/v3/projects/%s", x ? x : "x"), A, NULL, NULL,
	    &r);
	T("project-13.4 DELETE -> 403", r.status == 403 && strcmp(ii_msg(&r),
	    it_fmt("Unable to delete immutable project resource: `%s. Set "
	    "resource option \"immutable\" to false first.", x ? x : "x")) == 0);
	it_resp_free(&r);
	it_req(&s, "PUT", it_fmt("/v3/projects/%s/tags/u", x ? x : "x"), A, NULL,
	    NULL, &r);
	T("project-13.5 add a tag -> 403", r.status == 403 && strcmp(ii_msg(&r),
	    it_fmt("Cannot create project tags for %s, project is immutable. Set "
	    "\"immutable\" option to false before creating project tags.",
	    x ? x : "x")) == 0);
	it_resp_free(&r);
	it_req(&s, "PUT", it_fmt("/v3/projects/%s/tags", x ? x : "x"), A,
	    "{\"tags\": [\"a\"]}", NULL, &r);
	T("project-13.6 replace the tags -> 403", r.status == 403 && strstr(
	    ii_msg(&r), "Cannot update project tags for") != NULL);
	it_resp_free(&r);
	T("project-13.7 clear the tags -> 403", it_status(&s, "DELETE",
	    it_fmt("/v3/projects/%s/tags", x ? x : "x"), A, NULL) == 403);
	it_req(&s, "DELETE", it_fmt("/v3/projects/%s/tags/t", x ? x : "x"), A, NULL,
	    NULL, &r);
	T("project-13.8 delete a tag -> 403", r.status == 403 && strstr(ii_msg(&r),
	    "Cannot delete project tags for") != NULL);
	it_resp_free(&r);
	T("project-13.9 PATCH tags -> 403", it_status(&s, "PATCH",
	    it_fmt("/v3/projects/%s", x ? x : "x"), A, "{\"project\": {\"tags\":"
	    " []}}") == 403);
	T("project-13.10 options: an unknown one -> 400", it_status(&s, "PATCH",
	    it_fmt("/v3/projects/%s", x ? x : "x"), A, "{\"project\": {\"options\":"
	    " {\"lock_password\": true}}}") == 400);
	T("project-13.11 options: immutable not a boolean -> 400", it_status(&s,
	    "POST", "/v3/projects", A, "{\"project\": {\"name\": \"i2\","
	    " \"options\": {\"immutable\": \"yes\"}}}") == 400);
	it_req(&s, "PATCH", it_fmt("/v3/projects/%s", x ? x : "x"), A,
	    "{\"project\": {\"options\": {\"immutable\": false}}}", NULL, &r);
	T("project-13.12 options.immutable false alone -> 200, shown false",
	    r.status == 200 && json_is_false(it_get(r.json,
	    "project.options.immutable")));
	it_resp_free(&r);
	T("project-13.13 then it changes and deletes like any project",
	    it_status(&s, "PUT", it_fmt("/v3/projects/%s/tags/u", x ? x : "x"), A,
	    NULL) == 201 && it_status(&s, "PATCH", it_fmt("/v3/projects/%s",
	    x ? x : "x"), A, "{\"project\": {\"options\": {\"immutable\": true}}}")
	    == 200);
	it_req(&s, "PATCH", it_fmt("/v3/projects/%s", x ? x : "x"), A,
	    "{\"project\": {\"options\": {\"immutable\": null}}}", NULL, &r);
	T("project-13.14 immutable null unsets the option -> options {}",
	    r.status == 200 && json_object_size(it_get(r.json,
	    "project.options")) == 0);
	it_resp_free(&r);
	T("project-13.15 delete -> 204", it_status(&s, "DELETE",
	    it_fmt("/v3/projects/%s", x ? x : "x"), A, NULL) == 204);
	T("project-13.16 a member may not set the option -> 403", it_status(&s,
	    "PATCH", it_fmt("/v3/projects/%s", p3), utok, "{\"project\":"
	    " {\"options\": {\"immutable\": true}}}") == 403);
	free(x);

	free(p1);
	free(p2);
	free(p3);
	for (i = 0; i < 5; i++)
		free(lvl[i]);
	free(dp);
	free(uid);
	free(utok);
	free(ptok);
	free(member);
	list_equals_members(&s);
	list_cache(&s);
	T("project-11.1 server exits cleanly", it_stop(&s) == 0);
	return t_report();
}
