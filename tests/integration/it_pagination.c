/*
 * it_pagination.c - ?limit= and ?marker= on the lists, as Keystone 2025.1
 * pages them (keystone/server/flask/common.py, driver_hints.py): pages in
 * id order, links.next with the request's query and marker = the page's
 * last id, "truncated": true, the page sizes from [DEFAULT] list_limit,
 * max_db_limit and the sections' list_limit, MarkerNotFound, and the 400s
 * keygate gives a limit that is not a positive integer.
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "tests/integration/it_identity.h"

/*
 * Follow links.next from path (as admin or tok) until a page has none:
 * the number of members of key seen, or -1 when an id repeats, the ids
 * do not ascend, a page is bigger than max, a page but the last lacks
 * "truncated", or more than 100 pages come. *pages gets the page count.
 */
static long
walk(struct it_server *s, const char *tok, const char *path, const char *key,
    size_t max, int *pages)
{
	struct it_resp	 r;
	char		 last[128] = "", url[2048];
	const char	*next, *id;
	json_t		*v;
	size_t		 i, blen = strlen(s->base);
	long		 total = 0;

	*pages = 0;
	kg_strlcpy(url, path, sizeof(url));
	while (*pages < 100) {
		if (it_req(s, "GET", url, tok ? tok : s->admin_token, NULL, NULL,
		    &r) == -1 || r.status != 200) {
			it_resp_free(&r);
			return -1;
		}
		(*pages)++;
		if (json_array_size(json_object_get(r.json, key)) > max)
			goto bad;
		json_array_foreach(json_object_get(r.json, key), i, v) {
			id = json_string_value(json_object_get(v, "id"));
			if (id == NULL || strcmp(id, last) <= 0)
				goto bad;
			kg_strlcpy(last, id, sizeof(last));
			total++;
		}
		next = it_str(r.json, "links.next");
		if (next == NULL) {
			/* The last page says nothing more. */
			if (json_object_get(r.json, "truncated") != NULL)
				goto bad;
			it_resp_free(&r);
			return total;
		}
		if (!json_is_true(json_object_get(r.json, "truncated")) ||
		    strncmp(next, s->base, blen) != 0)
			goto bad;
		kg_strlcpy(url, next + blen, sizeof(url));
		it_resp_free(&r);
	}
	return -1;
 bad:
	it_resp_free(&r);
	return -1;
}

/* GET path as admin: the reply (caller frees). */
static void
get(struct it_server *s, const char *path, struct it_resp *r)
{
	if (it_req(s, "GET", path, s->admin_token, NULL, NULL, r) == -1)
		r->status = 0;
}

/* The id of the last member of key in r, or "". */
static const char *
last_id(struct it_resp *r, const char *key)
{
	json_t		*a = json_object_get(r->json, key);
	const char	*id;

	if (json_array_size(a) == 0)
		return "";
	id = json_string_value(json_object_get(json_array_get(a,
	    json_array_size(a) - 1), "id"));
	return id ? id : "";
}

int
main(void)
{
	/* Projects and domains: pages of 4 unless asked; users and groups
	 * ([DEFAULT] list_limit): 5; never more than 6. */
	const char *const	 env[] = { "KEYGATE_DEFAULT_MAX_DB_LIMIT=6",
	    "KEYGATE_RESOURCE_LIST_LIMIT=4", "KEYGATE_DEFAULT_LIST_LIMIT=5",
	    NULL };
	struct it_server	 s;
	struct it_resp		 r;
	char			*id, *dom, *dtok = NULL, *uid, *admin_role;
	char			 want[2048];
	int			 i, pages;
	long			 n;

	it_start(&s, env);

	/* 11 projects besides admin: 8 in Default (3 tagged "pg"), 3 in dom. */
	for (i = 0; i < 8; i++) {
		id = ii_create(&s, "/v3/projects", it_fmt("{\"project\": {\"name\":"
		    " \"p%d\"%s}}", i, i % 3 == 0 ? ", \"tags\": [\"pg\"]" : ""),
		    "project.id");
		free(id);
	}
	dom = ii_create(&s, "/v3/domains", "{\"domain\": {\"name\": \"pd\"}}",
	    "domain.id");
	for (i = 0; i < 3; i++)
		free(ii_create(&s, "/v3/projects", it_fmt("{\"project\": {\"name\":"
		    " \"q%d\", \"domain_id\": \"%s\"}}", i, dom ? dom : "x"),
		    "project.id"));
	T("page-0.1 set-up", dom != NULL);

	get(&s, "/v3/projects?limit=2", &r);
	T("page-1.1 ?limit=2: two projects, truncated", r.status == 200 &&
	    ii_count(r.json, "projects") == 2 &&
	    json_is_true(json_object_get(r.json, "truncated")));
	snprintf(want, sizeof(want), "%s/v3/projects?limit=2&marker=%s", s.base,
	    last_id(&r, "projects"));
	T("page-1.2 links.next: the query with the page's last id as marker",
	    it_str(r.json, "links.next") != NULL &&
	    strcmp(it_str(r.json, "links.next"), want) == 0);
	T("page-1.3 links.self without the query, previous null",
	    it_str(r.json, "links.self") != NULL &&
	    strcmp(it_str(r.json, "links.self"), it_fmt("%s/v3/projects",
	    s.base)) == 0 && json_is_null(it_get(r.json, "links.previous")));
	it_resp_free(&r);
	n = walk(&s, NULL, "/v3/projects?limit=2", "projects", 2, &pages);
	T("page-1.4 following links.next lists the 12 projects once, in id order",
	    n == 12 && pages == 6);
	n = walk(&s, NULL, "/v3/projects", "projects", 4, &pages);
	T("page-1.5 no limit: [resource] list_limit (4) a page", n == 12 &&
	    pages == 3);
	get(&s, "/v3/projects", &r);
	snprintf(want, sizeof(want), "%s/v3/projects?marker=%s&limit=4", s.base,
	    last_id(&r, "projects"));
	T("page-1.6 ... links.next adds marker, then limit", it_str(r.json,
	    "links.next") != NULL && strcmp(it_str(r.json, "links.next"),
	    want) == 0);
	it_resp_free(&r);
	get(&s, "/v3/projects?limit=100", &r);
	snprintf(want, sizeof(want), "%s/v3/projects?limit=6&marker=%s", s.base,
	    last_id(&r, "projects"));
	T("page-1.7 a limit above max_db_limit gives max_db_limit (6)",
	    ii_count(r.json, "projects") == 6 && it_str(r.json, "links.next") &&
	    strcmp(it_str(r.json, "links.next"), want) == 0);
	it_resp_free(&r);
	get(&s, "/v3/projects?enabled=true&name__x=a%20b&limit=3", &r);
	snprintf(want, sizeof(want), "%s/v3/projects?enabled=true&name__x=a+b"
	    "&limit=3&marker=%s", s.base, last_id(&r, "projects"));
	T("page-1.8 links.next keeps the other parameters, in order, encoded",
	    r.status == 200 && it_str(r.json, "links.next") &&
	    strcmp(it_str(r.json, "links.next"), want) == 0);
	it_resp_free(&r);
	get(&s, "/v3/projects?limit=6", &r);
	kg_strlcpy(want, last_id(&r, "projects"), sizeof(want));
	it_resp_free(&r);
	get(&s, it_fmt("/v3/projects?limit=6&marker=%s", want), &r);
	T("page-1.9 a full last page: no truncated, links.next null (keygate "
	    "reads one row more; Keystone would offer a next page)",
	    r.status == 200 && ii_count(r.json, "projects") == 6 &&
	    json_is_null(it_get(r.json, "links.next")) &&
	    json_object_get(r.json, "truncated") == NULL);
	it_resp_free(&r);

	get(&s, "/v3/projects?marker=nope", &r);
	T("page-2.1 unknown marker -> 404 MarkerNotFound", r.status == 404 &&
	    strcmp(ii_msg(&r), "Marker nope could not be found.") == 0);
	it_resp_free(&r);
	get(&s, "/v3/projects?limit=abc", &r);
	T("page-2.2 limit not an integer -> 400", r.status == 400 &&
	    strcmp(ii_msg(&r), "Invalid input for query parameters limit. Value: "
	    "abc. 'abc' is not of type 'integer'") == 0);
	it_resp_free(&r);
	T("page-2.3 limit=0 -> 400", it_status(&s, "GET", "/v3/projects?limit=0",
	    s.admin_token, NULL) == 400);
	T("page-2.4 limit=-1 -> 400", it_status(&s, "GET", "/v3/projects?limit=-1",
	    s.admin_token, NULL) == 400);
	get(&s, "/v3/projects?limit=&marker=", &r);
	T("page-2.5 empty limit and marker: as if absent (Keystone)",
	    r.status == 200 && ii_count(r.json, "projects") == 4);
	it_resp_free(&r);
	T("page-2.6 no token -> 401", it_status(&s, "GET", "/v3/projects?limit=1",
	    NULL, NULL) == 401);
	get(&s, "/v3/projects?marker=default&limit=1", &r);
	T("page-2.7 a domain's id is a place in the project list too",
	    r.status == 200);
	it_resp_free(&r);

	/* Filters are applied before the page is cut. */
	n = walk(&s, NULL, "/v3/projects?tags=pg&limit=1", "projects", 1, &pages);
	T("page-3.1 ?tags with pages of 1: the 3 tagged", n == 3 && pages == 3);
	n = walk(&s, NULL, it_fmt("/v3/projects?domain_id=%s&limit=2", dom ? dom :
	    "x"), "projects", 2, &pages);
	T("page-3.2 ?domain_id with pages of 2", n == 3 && pages == 2);
	n = walk(&s, NULL, "/v3/projects?is_domain=true&limit=1", "projects", 1,
	    &pages);
	T("page-3.3 is_domain=true: the domains as projects, paged", n == 2 &&
	    pages == 2);
	free(ii_create(&s, "/v3/projects", "{\"project\": {\"name\": \"dtag\","
	    " \"is_domain\": true, \"tags\": [\"dt\"]}}", "project.id"));
	n = walk(&s, NULL, "/v3/projects?is_domain=true&tags=dt&limit=1",
	    "projects", 1, &pages);
	T("page-3.4 is_domain=true with a tag filter", n == 1 && pages == 1);
	n = walk(&s, NULL, "/v3/domains?limit=2", "domains", 2, &pages);
	T("page-3.5 domains, pages of 2", n == 3 && pages == 2);

	/* A domain-scoped caller: its own domain's projects only. */
	uid = ii_create(&s, "/v3/users", it_fmt("{\"user\": {\"name\": \"dadm\","
	    " \"domain_id\": \"%s\", \"password\": \"pw-dadm-1\"}}", dom ? dom :
	    "x"), "user.id");
	admin_role = ii_role_id(&s, "admin");
	if (uid != NULL && admin_role != NULL && it_status(&s, "PUT",
	    it_fmt("/v3/domains/%s/users/%s/roles/%s", dom, uid, admin_role),
	    s.admin_token, NULL) == 204)
		dtok = ii_domain_token(&s, uid, "pw-dadm-1", dom);
	n = walk(&s, dtok, "/v3/projects?limit=2", "projects", 2, &pages);
	T("page-3.6 domain-scoped lists: its 3 projects in pages of 2", dtok &&
	    n == 3 && pages == 2);

	/* Users and groups: [DEFAULT] list_limit (5). */
	for (i = 0; i < 6; i++) {
		free(ii_create(&s, "/v3/users", it_fmt("{\"user\": {\"name\":"
		    " \"u%d\"}}", i), "user.id"));
		free(ii_create(&s, "/v3/groups", it_fmt("{\"group\": {\"name\":"
		    " \"g%d\"}}", i), "group.id"));
	}
	n = walk(&s, NULL, "/v3/users", "users", 5, &pages);
	T("page-4.1 users: 8 in pages of 5 ([DEFAULT] list_limit)", n == 8 &&
	    pages == 2);
	n = walk(&s, NULL, "/v3/groups?limit=4", "groups", 4, &pages);
	T("page-4.2 groups: 6 in pages of 4", n == 6 && pages == 2);
	get(&s, "/v3/users?marker=nope", &r);
	T("page-4.3 users: unknown marker -> 404", r.status == 404 &&
	    strcmp(ii_msg(&r), "Marker nope could not be found.") == 0);
	it_resp_free(&r);

	/* Where keygate pages too: roles and the catalog. */
	n = walk(&s, NULL, "/v3/roles?limit=2", "roles", 2, &pages);
	T("page-5.1 roles: the bootstrap's 5 in pages of 2", n == 5 && pages == 3);
	get(&s, "/v3/roles?limit=2", &r);
	T("page-5.2 roles: links.self keeps the query, as the roles list's does",
	    it_str(r.json, "links.self") && strcmp(it_str(r.json, "links.self"),
	    it_fmt("%s/v3/roles?limit=2", s.base)) == 0);
	it_resp_free(&r);
	free(ii_create(&s, "/v3/regions", "{\"region\": {\"id\": \"R2\"}}",
	    "region.id"));
	n = walk(&s, NULL, "/v3/regions?limit=1", "regions", 1, &pages);
	T("page-5.3 regions in pages of 1", n == 2 && pages == 2);
	n = walk(&s, NULL, "/v3/endpoints?limit=2", "endpoints", 2, &pages);
	T("page-5.4 endpoints in pages of 2", n == 3 && pages == 2);
	n = walk(&s, NULL, "/v3/endpoints?interface=public&limit=1", "endpoints",
	    1, &pages);
	T("page-5.5 endpoints filtered, then paged", n == 1 && pages == 1);
	n = walk(&s, NULL, "/v3/services?limit=1", "services", 1, &pages);
	T("page-5.6 services", n == 1 && pages == 1);
	T("page-5.7 a catalog marker that names nothing -> 404", it_status(&s,
	    "GET", "/v3/services?marker=nope", s.admin_token, NULL) == 404);

	free(dom);
	free(uid);
	free(admin_role);
	free(dtok);
	T("page-9.9 server stops cleanly", it_stop(&s) == 0);
	return t_report();
}
