/*
 * it_filters.c - Keystone's inexact list filters over HTTP: name__contains,
 * name__icontains, name__startswith, name__istartswith, name__endswith and
 * name__iendswith on users, projects, domains, groups and roles (they used
 * to be ignored: the whole list came back), with Keystone's case rules,
 * '%' and '_' taken literally, combined with the exact filters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/integration/it_identity.h"

static struct it_server	s;

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The "name"s of GET path's key list, sorted (lists come in id order),
 * joined by ',' (or "ERR <status>"). */
static const char *
names(const char *path, const char *key)
{
	static char	 out[1024];
	struct it_resp	 r;
	json_t		*list, *v;
	const char	*nv[64];
	size_t		 i, n = 0;

	out[0] = '\0';
	if (it_req(&s, "GET", path, s.admin_token, NULL, NULL, &r) == -1 ||
	    r.status != 200) {
		snprintf(out, sizeof(out), "ERR %ld %s", r.status, ii_msg(&r));
		it_resp_free(&r);
		return out;
	}
	list = json_object_get(r.json, key);
	json_array_foreach(list, i, v)
		if (n < sizeof(nv) / sizeof(nv[0]) &&
		    json_is_string(json_object_get(v, "name")))
			nv[n++] = json_string_value(json_object_get(v, "name"));
	if (n > 1)
		qsort(nv, n, sizeof(nv[0]), cmp_str);
	for (i = 0; i < n; i++) {
		if (i > 0)
			strncat(out, ",", sizeof(out) - strlen(out) - 1);
		strncat(out, nv[i], sizeof(out) - strlen(out) - 1);
	}
	it_resp_free(&r);
	return out;
}

static int
is(const char *got, const char *want)
{
	if (strcmp(got, want) == 0)
		return 1;
	printf("    got '%s', want '%s'\n", got, want);
	return 0;
}

static void
mk(const char *path, const char *body, const char *idpath)
{
	char	*id = ii_create(&s, path, body, idpath);

	if (id == NULL)
		printf("    fixture failed: POST %s %s\n", path, body);
	free(id);
}

int
main(void)
{
	it_start(&s, NULL);
	T("filter-0.1 admin token", s.admin_token[0] != '\0');
	mk("/v3/users", "{\"user\": {\"name\": \"flt-Alice\"}}", "user.id");
	mk("/v3/users", "{\"user\": {\"name\": \"flt-alice_b\"}}", "user.id");
	mk("/v3/users", "{\"user\": {\"name\": \"flt-aliceXb\"}}", "user.id");
	mk("/v3/users", "{\"user\": {\"name\": \"flt-bob%\"}}", "user.id");
	mk("/v3/projects", "{\"project\": {\"name\": \"flt-Web\"}}", "project.id");
	mk("/v3/projects", "{\"project\": {\"name\": \"flt-web-2\"}}", "project.id");
	mk("/v3/projects", "{\"project\": {\"name\": \"flt-db\"}}", "project.id");
	mk("/v3/domains", "{\"domain\": {\"name\": \"flt-Acme\"}}", "domain.id");
	mk("/v3/domains", "{\"domain\": {\"name\": \"flt-acme-eu\"}}", "domain.id");
	mk("/v3/groups", "{\"group\": {\"name\": \"flt-Ops\"}}", "group.id");
	mk("/v3/groups", "{\"group\": {\"name\": \"flt-ops_2\"}}", "group.id");
	mk("/v3/roles", "{\"role\": {\"name\": \"flt-Viewer\"}}", "role.id");
	mk("/v3/roles", "{\"role\": {\"name\": \"flt-viewer-x\"}}", "role.id");

	/* users */
	T("filter-1.1 users: name__contains (case-sensitive)", is(names(
	    "/v3/users?name__contains=lice", "users"),
	    "flt-Alice,flt-aliceXb,flt-alice_b"));
	T("filter-1.2 users: name__contains=Alice", is(names(
	    "/v3/users?name__contains=Alice", "users"), "flt-Alice"));
	T("filter-1.3 users: name__icontains=ALICE", is(names(
	    "/v3/users?name__icontains=ALICE", "users"),
	    "flt-Alice,flt-aliceXb,flt-alice_b"));
	T("filter-1.4 users: '_' is literal", is(names(
	    "/v3/users?name__icontains=e_b", "users"), "flt-alice_b"));
	T("filter-1.5 users: '%' is literal (%25)", is(names(
	    "/v3/users?name__iendswith=%25", "users"), "flt-bob%"));
	T("filter-1.6 users: name__startswith", is(names(
	    "/v3/users?name__startswith=flt-a", "users"),
	    "flt-aliceXb,flt-alice_b"));
	T("filter-1.7 users: name__istartswith", is(names(
	    "/v3/users?name__istartswith=FLT-A", "users"),
	    "flt-Alice,flt-aliceXb,flt-alice_b"));
	T("filter-1.8 users: name__endswith", is(names(
	    "/v3/users?name__endswith=Xb", "users"), "flt-aliceXb"));
	T("filter-1.9 users: combined with enabled and each other", is(names(
	    "/v3/users?enabled=true&name__istartswith=flt-&name__endswith=b",
	    "users"), "flt-aliceXb,flt-alice_b"));
	T("filter-1.10 users: unknown comparator ignored, as Keystone",
	    is(names("/v3/users?name__near=x&name__contains=bob", "users"),
	    "flt-bob%"));
	T("filter-1.11 users: no match", is(names(
	    "/v3/users?name__contains=zzz", "users"), ""));

	/* projects, domains, groups, roles */
	T("filter-2.1 projects: name__icontains", is(names(
	    "/v3/projects?name__icontains=WEB", "projects"), "flt-Web,flt-web-2"));
	T("filter-2.2 projects: name__contains", is(names(
	    "/v3/projects?name__contains=web", "projects"), "flt-web-2"));
	T("filter-2.3 projects: name__endswith with domain_id", is(names(
	    "/v3/projects?domain_id=default&name__endswith=db", "projects"),
	    "flt-db"));
	T("filter-2.4 projects acting as domains", is(names(
	    "/v3/projects?is_domain=true&name__istartswith=FLT-ACME", "projects"),
	    "flt-Acme,flt-acme-eu"));
	T("filter-3.1 domains: name__istartswith", is(names(
	    "/v3/domains?name__istartswith=flt-ACME", "domains"),
	    "flt-Acme,flt-acme-eu"));
	T("filter-3.2 domains: name__iendswith", is(names(
	    "/v3/domains?name__iendswith=-EU", "domains"), "flt-acme-eu"));
	T("filter-4.1 groups: name__startswith", is(names(
	    "/v3/groups?name__startswith=flt-O", "groups"), "flt-Ops"));
	T("filter-4.2 groups: name__icontains with '_'", is(names(
	    "/v3/groups?name__icontains=S_2", "groups"), "flt-ops_2"));
	T("filter-5.1 roles: name__icontains", is(names(
	    "/v3/roles?name__icontains=VIEWER", "roles"),
	    "flt-Viewer,flt-viewer-x"));
	T("filter-5.2 roles: name__iendswith", is(names(
	    "/v3/roles?name__iendswith=-X", "roles"), "flt-viewer-x"));
	T("filter-5.3 roles: name__contains", is(names(
	    "/v3/roles?name__contains=V", "roles"), "flt-Viewer"));

	T("filter-9.1 clean exit", it_stop(&s) == 0);
	return t_report();
}
