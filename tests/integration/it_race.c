/*
 * it_race.c - requests that interleave on the same objects, many threads
 * against one server: a change and the deletion of what it refers to, two
 * PATCHes of the same object, a listing while its objects go away. The
 * server must answer every request as if they had run one after the other
 * (a change to something deleted first is a 404, never a 409 or 500) and
 * leave no orphan behind: no grant, membership or tag may point at a
 * deleted user, group, project, domain or role (it_stop also runs
 * keygate db-check on the database).
 *
 * Every round starts its threads together at a barrier; rounds and
 * threads are bounded (RACE_ROUNDS, a few threads), and so is each
 * request (the harness' 30 s timeout).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/integration/it.h"

#define RACE_ROUNDS	30	/* per race */
#define MAX_GONE	512	/* ids deleted during the run */

static struct it_server	 s;
static const char	*admin;

/* Ids of everything deleted, to look for in the listings at the end. */
static char	*gone[MAX_GONE];
static size_t	 ngone;

static void
remember_gone(const char *id)
{
	if (ngone < MAX_GONE)
		gone[ngone++] = strdup(id);
}

/* Was id deleted (as the from-th deleted id or later)? */
static int
was_deleted(const char *id, size_t from)
{
	size_t	i;

	for (i = from; id != NULL && i < ngone; i++)
		if (strcmp(gone[i], id) == 0)
			return 1;
	return 0;
}

/* POST body to path as admin; a copy of the new object's id at idpath. */
static char *
create(const char *path, const char *body, const char *idpath)
{
	struct it_resp	 r;
	const char	*id;
	char		*ret;

	it_req(&s, "POST", path, admin, body, NULL, &r);
	id = r.status == 201 && r.json != NULL ? it_str(r.json, idpath) : NULL;
	ret = strdup(id != NULL ? id : "missing");
	it_resp_free(&r);
	return ret;
}

static char *
new_user(void)
{
	static int	n;

	return create("/v3/users", it_fmt("{\"user\": {\"name\": \"race-u%d-%ld\"}}",
	    n++, (long)getpid()), "user.id");
}

static char *
new_group(void)
{
	static int	n;

	return create("/v3/groups", it_fmt("{\"group\": {\"name\": \"race-g%d\"}}",
	    n++), "group.id");
}

static char *
new_project(const char *parent)
{
	static int	n;

	if (parent != NULL)
		return create("/v3/projects", it_fmt("{\"project\": {\"name\": "
		    "\"race-c%d\", \"parent_id\": \"%s\"}}", n++, parent),
		    "project.id");
	return create("/v3/projects", it_fmt("{\"project\": {\"name\": "
	    "\"race-p%d\"}}", n++), "project.id");
}

static char *
new_role(void)
{
	static int	n;

	return create("/v3/roles", it_fmt("{\"role\": {\"name\": \"race-r%d\"}}",
	    n++), "role.id");
}

/* A disabled domain, ready to be deleted. */
static char *
new_domain(void)
{
	static int	n;
	char		*id;

	id = create("/v3/domains", it_fmt("{\"domain\": {\"name\": \"race-d%d\"}}",
	    n++), "domain.id");
	it_status(&s, "PATCH", it_fmt("/v3/domains/%s", id), admin,
	    "{\"domain\": {\"enabled\": false}}");
	return id;
}

/* ------------------------------------------------------------------------
 * Running requests together.
 * --------------------------------------------------------------------- */

struct call {
	const char	*method;
	char		 path[512];
	char		 body[512];
	long		 status;
	int		 loop;		/* repeat until stop is set */
	int		 bad;		/* loop: answers other than 200 */
	pthread_barrier_t *bar;
	volatile int	*stop;
};

static void *
call_run(void *p)
{
	struct call	*c = p;

	pthread_barrier_wait(c->bar);
	do {
		c->status = it_status(&s, c->method, c->path, admin,
		    c->body[0] ? c->body : NULL);
		if (c->loop && c->status != 200)
			c->bad++;
	} while (c->loop && !*c->stop);
	return NULL;
}

/* Run n calls at once (released by one barrier) and wait for all. */
static void
together(struct call *c, size_t n)
{
	pthread_barrier_t	bar;
	pthread_t		th[8];
	volatile int		stop = 0;
	size_t			i;

	pthread_barrier_init(&bar, NULL, (unsigned int)n);
	for (i = 0; i < n; i++) {
		c[i].bar = &bar;
		c[i].stop = &stop;
		c[i].bad = 0;
		pthread_create(&th[i], NULL, call_run, &c[i]);
	}
	for (i = 0; i < n; i++)
		if (!c[i].loop)
			pthread_join(th[i], NULL);
	stop = 1;
	for (i = 0; i < n; i++)
		if (c[i].loop)
			pthread_join(th[i], NULL);
	pthread_barrier_destroy(&bar);
}

static void
set_call(struct call *c, const char *method, const char *path, const char *body)
{
	memset(c, 0, sizeof(*c));
	c->method = method;
	snprintf(c->path, sizeof(c->path), "%s", path);
	if (body != NULL)
		snprintf(c->body, sizeof(c->body), "%s", body);
}

static int	orphan_assignments(const char *query, size_t from);

/*
 * One race kind, RACE_ROUNDS times: a change (put) against the deletion of
 * what it refers to. *bad counts answers outside ok_put / 204.
 */
struct race {
	const char	*id;
	char		*(*make)(void);		/* the object deleted */
	const char	*put_method;
	const char	*put_fmt;		/* %s: the object's id */
	const char	*del_fmt;		/* %s: the object's id */
	long		 ok_put;		/* success status of the change */
};

static int
run_race(const struct race *rc)
{
	struct call	 c[2];
	char		*id;
	size_t		 from = ngone;
	int		 i, bad = 0, orphans;

	for (i = 0; i < RACE_ROUNDS; i++) {
		id = rc->make();
		set_call(&c[0], rc->put_method, it_fmt(rc->put_fmt, id), NULL);
		set_call(&c[1], "DELETE", it_fmt(rc->del_fmt, id), NULL);
		/* Alternate who starts first, so both orders happen. */
		if (i & 1) {
			struct call	t = c[0];

			c[0] = c[1];
			c[1] = t;
		}
		together(c, 2);
		if (i & 1) {
			struct call	t = c[0];

			c[0] = c[1];
			c[1] = t;
		}
		if ((c[0].status != rc->ok_put && c[0].status != 404) ||
		    c[1].status != 204) {
			if (bad == 0)
				printf("# %s: %s %s -> %ld, DELETE -> %ld\n", rc->id,
				    c[0].method, c[0].path, c[0].status, c[1].status);
			bad++;
		}
		remember_gone(id);
		free(id);
	}
	/* Nothing the change made may outlive what it referred to. */
	if ((orphans = orphan_assignments("", from)) != 0) {
		printf("# %s: %d orphan grants\n", rc->id, orphans);
		bad++;
	}
	return bad;
}

/* Shared objects the races grant on and with. */
static char	*user_id, *project_id, *role_id, *group_id;

static char *
mk_user(void)
{
	return new_user();
}

static char *
mk_group(void)
{
	return new_group();
}

static char *
mk_project(void)
{
	return new_project(NULL);
}

static char *
mk_domain(void)
{
	return new_domain();
}

static char *
mk_role(void)
{
	return new_role();
}

static char *
mk_endpoint_group(void)
{
	static int	n;

	return create("/v3/OS-EP-FILTER/endpoint_groups", it_fmt(
	    "{\"endpoint_group\": {\"name\": \"race-g%d\", \"filters\":"
	    " {\"interface\": \"public\"}}}", n++), "endpoint_group.id");
}

/* ------------------------------------------------------------------------
 * Checks on what is left.
 * --------------------------------------------------------------------- */

/* Number of assignments that name an object deleted as the from-th or
 * later; -1 when the listing fails. */
static int
orphan_assignments(const char *query, size_t from)
{
	struct it_resp	 r;
	json_t		*list, *a;
	size_t		 i;
	int		 n = 0;
	static const char *const paths[] = { "user.id", "group.id",
	    "scope.project.id", "scope.domain.id", "role.id" };
	size_t		 k;

	if (it_req(&s, "GET", it_fmt("/v3/role_assignments%s", query), admin, NULL,
	    NULL, &r) == -1 || r.status != 200 || r.json == NULL) {
		printf("# GET /v3/role_assignments%s -> %ld\n", query, r.status);
		it_resp_free(&r);
		return -1;
	}
	list = json_object_get(r.json, "role_assignments");
	json_array_foreach(list, i, a)
		for (k = 0; k < sizeof(paths) / sizeof(paths[0]); k++)
			if (was_deleted(it_str(a, paths[k]), from)) {
				n++;
				break;
			}
	it_resp_free(&r);
	return n;
}

int
main(void)
{
	static const struct race grant_races[] = {
		{ "race-1.1 grant to a user being deleted", mk_user, "PUT",
		    NULL, "/v3/users/%s", 204 },
		{ "race-1.2 grant to a group being deleted", mk_group, "PUT",
		    NULL, "/v3/groups/%s", 204 },
		{ "race-1.3 grant on a project being deleted", mk_project, "PUT",
		    NULL, "/v3/projects/%s", 204 },
		{ "race-1.4 grant on a domain being deleted", mk_domain, "PUT",
		    NULL, "/v3/domains/%s", 204 },
		{ "race-1.5 grant of a role being deleted", mk_role, "PUT",
		    NULL, "/v3/roles/%s", 204 },
		{ "race-2.1 membership of a user being deleted", mk_user, "PUT",
		    NULL, "/v3/users/%s", 204 },
		{ "race-2.2 membership in a group being deleted", mk_group, "PUT",
		    NULL, "/v3/groups/%s", 204 },
		{ "race-2.3 tag on a project being deleted", mk_project, "PUT",
		    NULL, "/v3/projects/%s", 201 },
	};
	struct race	 rc;
	struct call	 c[3];
	char		 fmt[8][256];
	char		*parent, *child, *rid;
	const char	*env[] = { "KEYGATE_SERVER_THREADS=4", NULL };
	size_t		 i;
	int		 bad, n, lost;

	it_start(&s, env);
	admin = s.admin_token;
	T("race-0.1 admin token", admin[0] != '\0');
	user_id = new_user();
	group_id = new_group();
	project_id = new_project(NULL);
	role_id = new_role();
	T("race-0.2 shared objects", strcmp(user_id, "missing") != 0 &&
	    strcmp(group_id, "missing") != 0 && strcmp(project_id, "missing") != 0 &&
	    strcmp(role_id, "missing") != 0);

	/* The change each race makes, with the racing object as %s. */
	snprintf(fmt[0], sizeof(fmt[0]), "/v3/projects/%s/users/%%s/roles/%s",
	    project_id, role_id);
	snprintf(fmt[1], sizeof(fmt[1]), "/v3/projects/%s/groups/%%s/roles/%s",
	    project_id, role_id);
	snprintf(fmt[2], sizeof(fmt[2]), "/v3/projects/%%s/users/%s/roles/%s",
	    user_id, role_id);
	snprintf(fmt[3], sizeof(fmt[3]), "/v3/domains/%%s/users/%s/roles/%s",
	    user_id, role_id);
	snprintf(fmt[4], sizeof(fmt[4]), "/v3/projects/%s/users/%s/roles/%%s",
	    project_id, user_id);
	snprintf(fmt[5], sizeof(fmt[5]), "/v3/groups/%s/users/%%s", group_id);
	snprintf(fmt[6], sizeof(fmt[6]), "/v3/groups/%%s/users/%s", user_id);
	snprintf(fmt[7], sizeof(fmt[7]), "/v3/projects/%%s/tags/race-tag");
	for (i = 0; i < sizeof(grant_races) / sizeof(grant_races[0]); i++) {
		rc = grant_races[i];
		rc.put_fmt = fmt[i];
		bad = run_race(&rc);
		T(rc.id, bad == 0);
	}

	/* No grant left on anything deleted, and listings by name work. */
	n = orphan_assignments("", 0);
	T("race-3.1 no assignment names a deleted object", n == 0);
	n = orphan_assignments("?include_names", 0);
	T("race-3.2 role_assignments?include_names answers 200, no orphan", n == 0);
	n = orphan_assignments("?effective&include_names", 0);
	T("race-3.3 effective listing with names answers 200, no orphan", n == 0);

	/* A child project created while its parent is deleted. */
	for (bad = 0, n = 0; n < RACE_ROUNDS; n++) {
		parent = new_project(NULL);
		set_call(&c[0], "POST", "/v3/projects", it_fmt("{\"project\": "
		    "{\"name\": \"race-kid%d\", \"parent_id\": \"%s\"}}", n, parent));
		set_call(&c[1], "DELETE", it_fmt("/v3/projects/%s", parent), NULL);
		together(c, 2);
		/* Either the child came first (delete refused) or the parent
		 * went first (the child has no parent to go under). */
		if (!((c[0].status == 201 && c[1].status == 403) ||
		    ((c[0].status == 400 || c[0].status == 404) &&
		    c[1].status == 204)))
			bad++;
		free(parent);
	}
	T("race-4.1 child project vs deletion of its parent", bad == 0);

	/* A grant on a project below, while the subtree is cascade-deleted. */
	for (bad = 0, n = 0; n < RACE_ROUNDS; n++) {
		parent = new_project(NULL);
		child = new_project(parent);
		it_status(&s, "PATCH", it_fmt("/v3/projects/%s", child), admin,
		    "{\"project\": {\"enabled\": false}}");
		set_call(&c[0], "PUT", it_fmt("/v3/projects/%s/users/%s/roles/%s",
		    child, user_id, role_id), NULL);
		set_call(&c[1], "DELETE", it_fmt("/v3/projects/%s?cascade", parent),
		    NULL);
		together(c, 2);
		/* Granted first (and deleted with it), or 404 after it. */
		if (!((c[0].status == 204 || c[0].status == 404) &&
		    c[1].status == 204))
			bad++;
		remember_gone(parent);
		remember_gone(child);
		free(parent);
		free(child);
	}
	T("race-4.2 a grant below vs a cascade delete: 204 or 404, no orphan",
	    bad == 0 && orphan_assignments("", 0) == 0);

	/* Enabling a project below while the subtree is cascade-deleted. */
	for (bad = 0, n = 0; n < RACE_ROUNDS; n++) {
		parent = new_project(NULL);
		child = new_project(parent);
		it_status(&s, "PATCH", it_fmt("/v3/projects/%s", child), admin,
		    "{\"project\": {\"enabled\": false}}");
		set_call(&c[0], "PATCH", it_fmt("/v3/projects/%s", child),
		    "{\"project\": {\"enabled\": true}}");
		set_call(&c[1], "DELETE", it_fmt("/v3/projects/%s?cascade", parent),
		    NULL);
		together(c, 2);
		/* Enabled first (the cascade refuses: 403), or gone (404). */
		if (!((c[0].status == 200 && c[1].status == 403) ||
		    (c[0].status == 404 && c[1].status == 204)))
			bad++;
		if (c[1].status == 403) {
			it_status(&s, "PATCH", it_fmt("/v3/projects/%s", child), admin,
			    "{\"project\": {\"enabled\": false}}");
			it_status(&s, "DELETE", it_fmt("/v3/projects/%s?cascade",
			    parent), admin, NULL);
		}
		remember_gone(parent);
		remember_gone(child);
		free(parent);
		free(child);
	}
	T("race-4.3 enabling a project below vs a cascade delete: one order",
	    bad == 0);

	/* Two PATCHes of different attributes of one role: both stick. */
	for (lost = 0, n = 0; n < RACE_ROUNDS; n++) {
		struct it_resp	r;

		rid = new_role();
		set_call(&c[0], "PATCH", it_fmt("/v3/roles/%s", rid),
		    it_fmt("{\"role\": {\"description\": \"d%d\"}}", n));
		set_call(&c[1], "PATCH", it_fmt("/v3/roles/%s", rid),
		    it_fmt("{\"role\": {\"race_attr\": \"v%d\"}}", n));
		together(c, 2);
		it_req(&s, "GET", it_fmt("/v3/roles/%s", rid), admin, NULL, NULL, &r);
		if (c[0].status != 200 || c[1].status != 200 ||
		    it_str(r.json, "role.description") == NULL ||
		    strcmp(it_str(r.json, "role.description"),
		    it_fmt("d%d", n)) != 0 ||
		    it_str(r.json, "role.race_attr") == NULL ||
		    strcmp(it_str(r.json, "role.race_attr"), it_fmt("v%d", n)) != 0)
			lost++;
		it_resp_free(&r);
		free(rid);
	}
	T("race-5.1 concurrent role PATCHes lose nothing", lost == 0);

	/* Listing with names while granted projects are deleted. */
	for (bad = 0, n = 0; n < RACE_ROUNDS; n++) {
		child = new_project(NULL);
		it_status(&s, "PUT", it_fmt("/v3/projects/%s/users/%s/roles/%s",
		    child, user_id, role_id), admin, NULL);
		set_call(&c[0], "GET", "/v3/role_assignments?include_names", NULL);
		c[0].loop = 1;
		set_call(&c[1], "DELETE", it_fmt("/v3/projects/%s", child), NULL);
		together(c, 2);
		bad += c[0].bad + (c[1].status != 204);
		remember_gone(child);
		free(child);
	}
	T("race-6.1 include_names listing never fails while projects go", bad == 0);

	/* OS-EP-FILTER associations against the deletion of either end. */
	{
		struct it_resp	 r;
		char		 ep[80] = "", *gid = mk_endpoint_group();
		static const struct race ep_races[] = {
			{ "race-7.1 project endpoint vs deletion of the project",
			    mk_project, "PUT", NULL, "/v3/projects/%s", 204 },
			{ "race-7.2 project endpoint group vs deletion of the group",
			    mk_endpoint_group, "PUT", NULL,
			    "/v3/OS-EP-FILTER/endpoint_groups/%s", 204 },
			{ "race-7.3 project endpoint group vs deletion of the project",
			    mk_project, "PUT", NULL, "/v3/projects/%s", 204 },
		};

		it_req(&s, "GET", "/v3/endpoints?interface=public", admin, NULL,
		    NULL, &r);
		if (it_str(r.json, "endpoints.0.id") != NULL)
			snprintf(ep, sizeof(ep), "%s", it_str(r.json,
			    "endpoints.0.id"));
		it_resp_free(&r);
		snprintf(fmt[0], sizeof(fmt[0]),
		    "/v3/OS-EP-FILTER/projects/%%s/endpoints/%s", ep);
		snprintf(fmt[1], sizeof(fmt[1]),
		    "/v3/OS-EP-FILTER/endpoint_groups/%%s/projects/%s", project_id);
		snprintf(fmt[2], sizeof(fmt[2]),
		    "/v3/OS-EP-FILTER/endpoint_groups/%s/projects/%%s", gid);
		for (i = 0; i < sizeof(ep_races) / sizeof(ep_races[0]); i++) {
			rc = ep_races[i];
			rc.put_fmt = fmt[i];
			bad = run_race(&rc);
			T(rc.id, bad == 0);
		}
		/* A list that met an orphan would fail to read it (404). */
		T("race-7.4 association lists answer 200 after the races",
		    it_status(&s, "GET", it_fmt("/v3/OS-EP-FILTER/endpoints/%s/"
		    "projects", ep), admin, NULL) == 200 && it_status(&s, "GET",
		    it_fmt("/v3/OS-EP-FILTER/endpoint_groups/%s/projects", gid),
		    admin, NULL) == 200 && it_status(&s, "GET",
		    it_fmt("/v3/OS-EP-FILTER/projects/%s/endpoint_groups",
		    project_id), admin, NULL) == 200);
		free(gid);
	}

	T("race-9.9 server exits cleanly, database consistent", it_stop(&s) == 0);
	for (i = 0; i < ngone; i++)
		free(gone[i]);
	return t_report();
}
