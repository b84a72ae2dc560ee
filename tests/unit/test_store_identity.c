/* test_store_identity.c - unit tests for store/identity.c (on SQLite, or
 * PostgreSQL with KG_TEST_PG: tests/unit/tstore.h). */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "store/assignment.h"
#include "store/identity.h"
#include "store/revoke.h"
#include "store/store.h"
#include "tests/t.h"
#include "tests/unit/tstore.h"

#define HAS_PREFIX(s, lit)	(strncmp((s), (lit), sizeof(lit) - 1) == 0)

static struct store *
open_db(void)
{
	struct store	*st;

	if ((st = tstore_open()) == NULL)
		exit(1);
	return st;
}

static int
mk_domain(struct store *st, const char *id, const char *name, struct kg_err *err)
{
	struct kg_domain	d;

	memset(&d, 0, sizeof(d));
	kg_strlcpy(d.id, id, sizeof(d.id));
	kg_strlcpy(d.name, name, sizeof(d.name));
	d.description = "desc";
	d.enabled = 1;
	return store_domain_create(st, &d, err);
}

static int
mk_project(struct store *st, char id[STORE_ID_SIZE], const char *domain_id,
    const char *name, const char *parent_id, char **tags, size_t ntags,
    struct kg_err *err)
{
	struct kg_project	p;

	memset(&p, 0, sizeof(p));
	kg_id_new(p.id);
	kg_strlcpy(p.name, name, sizeof(p.name));
	kg_strlcpy(p.domain_id, domain_id, sizeof(p.domain_id));
	if (parent_id != NULL)
		kg_strlcpy(p.parent_id, parent_id, sizeof(p.parent_id));
	p.enabled = 1;
	p.tags = tags;
	p.ntags = ntags;
	kg_strlcpy(id, p.id, STORE_ID_SIZE);
	return store_project_create(st, &p, err);
}

static int
mk_user(struct store *st, char id[STORE_ID_SIZE], const char *domain_id,
    const char *name, const char *hash, struct kg_err *err)
{
	struct kg_user	u;

	memset(&u, 0, sizeof(u));
	kg_id_new(u.id);
	kg_strlcpy(u.name, name, sizeof(u.name));
	kg_strlcpy(u.domain_id, domain_id, sizeof(u.domain_id));
	u.enabled = 1;
	u.password_hash = (char *)hash;
	u.extra = "{\"email\":\"a@example.org\"}";
	kg_strlcpy(id, u.id, STORE_ID_SIZE);
	return store_user_create(st, &u, err);
}

/* The functions bootstrap and authentication rely on. */
static void
test_contract(void)
{
	struct store		*st = open_db();
	struct kg_err		 err = { 0 };
	struct kg_domain	 d;
	struct kg_project	 p;
	struct kg_user		 u;
	char			 pid[STORE_ID_SIZE], pid2[STORE_ID_SIZE];
	char			 uid[STORE_ID_SIZE], uid2[STORE_ID_SIZE];
	char			*tags[] = { "b-tag", "a-tag" }, **ids = NULL;
	size_t			 n = 99;

	memset(&d, 0, sizeof(d));
	memset(&p, 0, sizeof(p));
	memset(&u, 0, sizeof(u));

	T("identity-1.1 domain create", mk_domain(st, "default", "Default", &err) == 0);
	T("identity-1.2 domain get", store_domain_get(st, "default", &d, &err) == 0 &&
	    strcmp(d.name, "Default") == 0 && d.enabled == 1 &&
	    strcmp(d.description, "desc") == 0 && strcmp(d.extra, "{}") == 0);
	kg_domain_free(&d);
	T("identity-1.3 domain get by name", store_domain_get_by_name(st, "Default",
	    &d, &err) == 0 && strcmp(d.id, "default") == 0);
	kg_domain_free(&d);
	T("identity-1.4 domain missing", store_domain_get(st, "nope", &d, &err) == -1 &&
	    err.kind == KG_ENOTFOUND && strcmp(err.msg, "Could not find domain: nope.") == 0);
	T("identity-1.5 domain by name missing", store_domain_get_by_name(st, "Nope",
	    &d, &err) == -1 && err.kind == KG_ENOTFOUND);
	T("identity-1.6 domain duplicate name", mk_domain(st, "other", "Default", &err) == -1 &&
	    err.kind == KG_ECONFLICT && strcmp(err.msg, "Conflict occurred attempting "
	    "to store project - it is not permitted to have two projects acting as "
	    "domains with the same name: Default.") == 0);
	T("identity-1.7 domain duplicate id", mk_domain(st, "default", "X", &err) == -1 &&
	    err.kind == KG_ECONFLICT);

	T("identity-2.1 project create with tags", mk_project(st, pid, "default", "admin",
	    NULL, tags, 2, &err) == 0);
	T("identity-2.2 project get", store_project_get(st, pid, &p, &err) == 0 &&
	    strcmp(p.name, "admin") == 0 && strcmp(p.domain_id, "default") == 0 &&
	    p.parent_id[0] == '\0' && p.enabled == 1 && strcmp(p.description, "") == 0 &&
	    strcmp(p.extra, "{}") == 0);
	T("identity-2.3 project tags in insertion order", p.ntags == 2 &&
	    strcmp(p.tags[0], "b-tag") == 0 && strcmp(p.tags[1], "a-tag") == 0);
	kg_project_free(&p);
	T("identity-2.4 project get by name", store_project_get_by_name(st, "default",
	    "admin", &p, &err) == 0 && strcmp(p.id, pid) == 0 && p.ntags == 2);
	kg_project_free(&p);
	T("identity-2.5 project by name wrong domain", store_project_get_by_name(st,
	    "other", "admin", &p, &err) == -1 && err.kind == KG_ENOTFOUND &&
	    strcmp(err.msg, "Could not find project: admin.") == 0);
	T("identity-2.6 project duplicate", mk_project(st, pid2, "default", "admin",
	    NULL, NULL, 0, &err) == -1 && err.kind == KG_ECONFLICT &&
	    HAS_PREFIX(err.msg, "Conflict occurred attempting to store project - it is "
	    "not permitted to have two projects with either the same name or same id "
	    "in the same domain: name is admin, project id "));
	T("identity-2.7 duplicate left nothing behind", store_project_get(st, pid2, &p,
	    &err) == -1 && err.kind == KG_ENOTFOUND);
	T("identity-2.8 project unknown domain", mk_project(st, pid2, "nodomain", "x",
	    NULL, NULL, 0, &err) == -1 && err.kind == KG_ECONFLICT);
	T("identity-2.9 child project", mk_project(st, pid2, "default", "child", pid,
	    NULL, 0, &err) == 0 && store_project_get(st, pid2, &p, &err) == 0 &&
	    strcmp(p.parent_id, pid) == 0 && p.ntags == 0 && p.tags == NULL);
	kg_project_free(&p);
	kg_project_free(&p);	/* idempotent after free */

	T("identity-3.1 user create", mk_user(st, uid, "default", "admin", "$2b$04$hash",
	    &err) == 0);
	T("identity-3.2 user get", store_user_get(st, uid, &u, &err) == 0 &&
	    strcmp(u.name, "admin") == 0 && strcmp(u.domain_id, "default") == 0 &&
	    u.enabled == 1 && u.password_hash != NULL &&
	    strcmp(u.password_hash, "$2b$04$hash") == 0 && u.password_expires_at == 0 &&
	    u.default_project_id[0] == '\0' && strstr(u.extra, "email") != NULL &&
	    u.created_at > 0);
	kg_user_free(&u);
	T("identity-3.3 user get by name", store_user_get_by_name(st, "default", "admin",
	    &u, &err) == 0 && strcmp(u.id, uid) == 0);
	kg_user_free(&u);
	T("identity-3.4 user missing", store_user_get(st, "nope", &u, &err) == -1 &&
	    err.kind == KG_ENOTFOUND && strcmp(err.msg, "Could not find user: nope.") == 0);
	/* PostgreSQL refuses text that is not UTF-8 where SQLite compares
	 * bytes: a look-up by one finds nothing on both, and inside a write
	 * transaction it does not abort the transaction. */
	T("identity-3.10 user get by an id that is not UTF-8: not found",
	    store_user_get(st, "\xff\xfe", &u, &err) == -1 &&
	    err.kind == KG_ENOTFOUND);
	T("identity-3.11 ... inside a write transaction, which then commits",
	    store_begin(st, &err) == 0 &&
	    store_user_get_by_name(st, "default", "x\x80", &u, &err) == -1 &&
	    err.kind == KG_ENOTFOUND &&
	    mk_domain(st, "utf8check", "UTF8 check", &err) == 0 &&
	    store_commit(st, &err) == 0 &&
	    store_domain_get(st, "utf8check", &d, &err) == 0);
	store_rollback(st);
	kg_domain_free(&d);
	T("identity-3.5 user duplicate", mk_user(st, uid2, "default", "admin", NULL,
	    &err) == -1 && err.kind == KG_ECONFLICT && strcmp(err.msg,
	    "Conflict occurred attempting to store user - Duplicate entry found "
	    "with name admin at domain ID default.") == 0);
	T("identity-3.6 user without password", mk_user(st, uid2, "default", "nopw",
	    NULL, &err) == 0 && store_user_get(st, uid2, &u, &err) == 0 &&
	    u.password_hash == NULL);
	kg_user_free(&u);
	T("identity-3.7 set password", store_user_set_password(st, uid2, "$2b$04$new",
	    1900000000000000LL, &err) == 0 && store_user_get(st, uid2, &u, &err) == 0 &&
	    strcmp(u.password_hash, "$2b$04$new") == 0 &&
	    u.password_expires_at == 1900000000000000LL);
	kg_user_free(&u);
	T("identity-3.8 clear password", store_user_set_password(st, uid2, NULL, 0,
	    &err) == 0 && store_user_get(st, uid2, &u, &err) == 0 &&
	    u.password_hash == NULL && u.password_expires_at == 0);
	kg_user_free(&u);
	T("identity-3.9 set password unknown user", store_user_set_password(st, "nope",
	    "$2b$04$x", 0, &err) == -1 && err.kind == KG_ENOTFOUND);

	T("identity-4.1 no groups", store_user_group_ids(st, uid, &ids, &n, &err) == 0 &&
	    n == 0);
	store_strv_free(ids, n);

	store_close(st);
}


static const char *
fmt_member(const char *u, const char *g)
{
	static char	buf[256];

	snprintf(buf, sizeof(buf), "User '%s' not found in group '%s'", u, g);
	return buf;
}

static const char *
fmt_user(const char *u)
{
	static char	buf[128];

	snprintf(buf, sizeof(buf), "Could not find user: %s.", u);
	return buf;
}

static int
mk_group(struct store *st, char id[STORE_ID_SIZE], const char *domain_id,
    const char *name, struct kg_err *err)
{
	struct kg_group	g;

	memset(&g, 0, sizeof(g));
	kg_id_new(g.id);
	kg_strlcpy(g.name, name, sizeof(g.name));
	kg_strlcpy(g.domain_id, domain_id, sizeof(g.domain_id));
	g.description = "a group";
	kg_strlcpy(id, g.id, STORE_ID_SIZE);
	return store_group_create(st, &g, err);
}

static int
mk_role(struct store *st, char id[STORE_ID_SIZE], const char *name,
    const char *domain_id, struct kg_err *err)
{
	struct kg_role	r;

	memset(&r, 0, sizeof(r));
	kg_id_new(r.id);
	kg_strlcpy(r.name, name, sizeof(r.name));
	kg_strlcpy(r.domain_id, domain_id, sizeof(r.domain_id));
	r.description = "";
	r.extra = "{}";
	kg_strlcpy(id, r.id, STORE_ID_SIZE);
	return store_role_create(st, &r, err);
}

/* Names of a project list joined with ",", for compact assertions. */
static const char *
pnames(struct kg_project *v, size_t n)
{
	static char	buf[512];
	size_t		i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			t_cat(buf, sizeof(buf), ",");
		t_cat(buf, sizeof(buf), v[i].name);
	}
	return buf;
}

/* "n0", "n1", ... (a static buffer per call site is not needed: the
 * callers copy it at once). */
static const char *
it_name(size_t i)
{
	static char	buf[16];

	snprintf(buf, sizeof(buf), "n%zu", i);
	return buf;
}

static int
cmp_project_name(const void *a, const void *b)
{
	const struct kg_project	*x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* Nonzero when the n ids of v (elsz bytes each, id first) ascend. */
static int
ids_ascend(const void *v, size_t n, size_t elsz)
{
	size_t	i;

	for (i = 1; i < n; i++)
		if (strcmp((const char *)v + (i - 1) * elsz,
		    (const char *)v + i * elsz) >= 0)
			return 0;
	return 1;
}

/* The names the filter f lists (they come in id order: sorted here by
 * name for the assertions), after checking the order. */
static const char *
list_projects(struct store *st, const struct kg_project_filter *f)
{
	struct kg_project	*v = NULL;
	struct kg_err		 err = { 0 };
	size_t			 n = 0;
	const char		*r;

	if (store_project_list(st, f, NULL, &v, &n, &err) == -1)
		return "<error>";
	if (!ids_ascend(v, n, sizeof(*v))) {
		kg_project_list_free(v, n);
		return "<not in id order>";
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_project_name);
	r = pnames(v, n);
	kg_project_list_free(v, n);
	return r;
}

static void
test_domains(void)
{
	struct store		*st = open_db();
	struct kg_err		 err = { 0 };
	struct kg_domain	*v = NULL, d;
	struct kg_domain_filter	 df;
	struct kg_user		 u;
	struct kg_group		 g;
	struct kg_role		 role;
	struct kg_project	 p;
	size_t			 n = 0;
	char			 pid[STORE_ID_SIZE], cid[STORE_ID_SIZE];
	char			 uid[STORE_ID_SIZE], gid[STORE_ID_SIZE], rid[STORE_ID_SIZE];
	char			 grid[STORE_ID_SIZE], keep[STORE_ID_SIZE];

	memset(&d, 0, sizeof(d));
	mk_domain(st, "default", "Default", &err);
	mk_domain(st, "d2", "Beta", &err);
	mk_domain(st, "d3", "Alpha", &err);

	memset(&df, 0, sizeof(df));
	df.enabled = -1;
	T("domain-1.1 list all sorted by id", store_domain_list(st, &df, NULL, &v,
	    &n, &err) == 0 && n == 3 && strcmp(v[0].id, "d2") == 0 &&
	    strcmp(v[2].id, "default") == 0);
	kg_domain_list_free(v, n);
	df.name = "Beta";
	T("domain-1.2 list by name", store_domain_list(st, &df, NULL, &v, &n,
	    &err) == 0 && n == 1 && strcmp(v[0].id, "d2") == 0);
	kg_domain_list_free(v, n);
	df.name = "Nope";
	T("domain-1.3 list by unknown name", store_domain_list(st, &df, NULL, &v, &n,
	    &err) == 0 && n == 0 && v == NULL);
	df.name = NULL;
	df.id = "d3";
	T("domain-1.4 list one id", store_domain_list(st, &df, NULL, &v, &n,
	    &err) == 0 && n == 1 && strcmp(v[0].name, "Alpha") == 0);
	kg_domain_list_free(v, n);
	df.id = NULL;

	store_domain_get(st, "d2", &d, &err);
	d.enabled = 0;
	free(d.description);
	d.description = strdup("new");
	T("domain-2.1 update", store_domain_update(st, &d, &err) == 0);
	kg_domain_free(&d);
	T("domain-2.2 update visible", store_domain_get(st, "d2", &d, &err) == 0 &&
	    d.enabled == 0 && strcmp(d.description, "new") == 0);
	kg_domain_free(&d);
	df.enabled = 0;
	T("domain-2.3 list enabled=0", store_domain_list(st, &df, NULL, &v, &n,
	    &err) == 0 && n == 1 && strcmp(v[0].id, "d2") == 0);
	kg_domain_list_free(v, n);
	df.enabled = 1;
	T("domain-2.4 list enabled=1", store_domain_list(st, &df, NULL, &v, &n,
	    &err) == 0 && n == 2);
	kg_domain_list_free(v, n);
	store_domain_get(st, "d2", &d, &err);
	kg_strlcpy(d.name, "Alpha", sizeof(d.name));
	T("domain-2.5 rename to taken name", store_domain_update(st, &d, &err) == -1 &&
	    err.kind == KG_ECONFLICT);
	kg_strlcpy(d.id, "zz", sizeof(d.id));
	kg_strlcpy(d.name, "Zed", sizeof(d.name));
	T("domain-2.6 update unknown", store_domain_update(st, &d, &err) == -1 &&
	    err.kind == KG_ENOTFOUND && strcmp(err.msg, "Could not find domain: zz.") == 0);
	kg_domain_free(&d);

	/* d2 owns a project tree, a user, a group, a domain role and grants. */
	mk_project(st, pid, "d2", "top", NULL, NULL, 0, &err);
	mk_project(st, cid, "d2", "child", pid, NULL, 0, &err);
	mk_user(st, uid, "d2", "bob", NULL, &err);
	mk_group(st, gid, "d2", "g", &err);
	mk_role(st, rid, "d2role", "d2", &err);
	mk_role(st, grid, "global", "", &err);
	store_group_add_user(st, gid, uid, &err);
	store_grant(st, 0, uid, KG_SCOPE_PROJECT, pid, grid, 0, &err);
	mk_user(st, keep, "default", "keep", NULL, &err);
	store_grant(st, 0, keep, KG_SCOPE_DOMAIN, "d2", grid, 0, &err);
	T("domain-3.1 delete in transaction", store_begin(st, &err) == 0 &&
	    store_domain_delete(st, "d2", &err) == 0 && store_commit(st, &err) == 0);
	T("domain-3.2 domain gone", store_domain_get(st, "d2", &d, &err) == -1 &&
	    err.kind == KG_ENOTFOUND);
	T("domain-3.3 projects gone", store_project_get(st, cid, &p, &err) == -1 &&
	    store_project_get(st, pid, &p, &err) == -1);
	T("domain-3.4 user gone", store_user_get(st, uid, &u, &err) == -1 &&
	    err.kind == KG_ENOTFOUND);
	T("domain-3.5 group gone", store_group_get(st, gid, &g, &err) == -1 &&
	    err.kind == KG_ENOTFOUND);
	T("domain-3.6 domain role gone, global kept", store_role_get(st, rid, &role,
	    &err) == -1 && store_role_get(st, grid, &role, &err) == 0);
	kg_role_free(&role);
	T("domain-3.7 other domain's user kept", store_user_get(st, keep, &u, &err) == 0);
	kg_user_free(&u);
	T("domain-3.8 delete unknown", store_domain_delete(st, "d2", &err) == -1 &&
	    err.kind == KG_ENOTFOUND);
	store_close(st);
}

static void
test_projects(void)
{
	struct store		*st = open_db();
	struct kg_err		 err = { 0 };
	struct kg_project_filter f;
	struct kg_project	 p;
	char			 a[STORE_ID_SIZE], b[STORE_ID_SIZE], c[STORE_ID_SIZE];
	char			 d[STORE_ID_SIZE], o[STORE_ID_SIZE], dis[STORE_ID_SIZE];
	char			*ta[] = { "red", "blue" }, *tb[] = { "blue" };
	char			*tc[] = { "green", "red" }, *newtags[] = { "x", "y", "x" };
	char			**ids = NULL;
	struct kg_project	*pv = NULL;
	size_t			 n = 0, total = 0, en = 0;

	memset(&p, 0, sizeof(p));
	mk_domain(st, "default", "Default", &err);
	mk_domain(st, "other", "Other", &err);
	mk_project(st, a, "default", "a", NULL, ta, 2, &err);
	mk_project(st, b, "default", "b", a, tb, 1, &err);
	mk_project(st, c, "default", "c", b, tc, 2, &err);
	mk_project(st, d, "default", "d", NULL, NULL, 0, &err);
	mk_project(st, o, "other", "a", NULL, NULL, 0, &err);

	memset(&f, 0, sizeof(f));
	f.enabled = -1;
	T("project-1.1 list all", strcmp(list_projects(st, &f), "a,a,b,c,d") == 0);
	f.domain_id = "default";
	T("project-1.2 by domain", strcmp(list_projects(st, &f), "a,b,c,d") == 0);
	f.domain_id = NULL;
	f.name = "a";
	T("project-1.3 by name", strcmp(list_projects(st, &f), "a,a") == 0);
	f.name = NULL;
	f.parent_id = a;
	T("project-1.4 by parent", strcmp(list_projects(st, &f), "b") == 0);
	f.parent_id = "default";
	T("project-1.5 parent = domain: top level", strcmp(list_projects(st, &f),
	    "a,d") == 0);
	f.parent_id = NULL;
	f.tags = "red";
	T("project-1.6 tags one", strcmp(list_projects(st, &f), "a,c") == 0);
	f.tags = "red,blue";
	T("project-1.7 tags all", strcmp(list_projects(st, &f), "a") == 0);
	f.tags = NULL;
	f.tags_any = "blue,green";
	T("project-1.8 tags-any", strcmp(list_projects(st, &f), "a,b,c") == 0);
	f.tags_any = NULL;
	f.not_tags = "red,blue";
	T("project-1.10 not-tags drops only all-matching", strcmp(list_projects(st,
	    &f), "a,b,c,d") == 0);
	f.not_tags = NULL;
	f.not_tags_any = "red,blue";
	T("project-1.11 not-tags-any", strcmp(list_projects(st, &f), "a,d") == 0);
	f.not_tags_any = NULL;
	f.tags_any = "red";
	f.not_tags = "green";
	T("project-1.12 combined filters", strcmp(list_projects(st, &f), "a") == 0);
	f.tags_any = NULL;
	f.not_tags = NULL;
	f.tags = "red,red";
	T("project-1.13 tags: a name listed twice counts once (Keystone's set)",
	    strcmp(list_projects(st, &f), "a,c") == 0);
	f.tags = "red,";
	T("project-1.14 tags: an empty name matches nothing", strcmp(
	    list_projects(st, &f), "") == 0);
	f.tags = "re";
	T("project-1.15 tags: whole names only", strcmp(list_projects(st, &f),
	    "") == 0);
	f.tags = NULL;
	f.not_tags = "blue,blue";
	T("project-1.16 not-tags with a repeat", strcmp(list_projects(st, &f),
	    "a,c,d") == 0);
	f.not_tags = NULL;

	T("project-1.17 parents of c: b, a", store_project_parents(st, c, &pv, &n,
	    &err) == 0 && n == 2 && strcmp(pv[0].id, b) == 0 &&
	    strcmp(pv[1].id, a) == 0 && pv[1].ntags == 2);
	kg_project_list_free(pv, n);
	T("project-1.18 parents of a top-level project: none",
	    store_project_parents(st, a, &pv, &n, &err) == 0 && n == 0);
	T("project-1.19 subtree of a: b then c", store_project_subtree(st, a, &pv,
	    &n, &err) == 0 && n == 2 && strcmp(pv[0].id, b) == 0 &&
	    strcmp(pv[1].id, c) == 0 && pv[1].ntags == 2);
	kg_project_list_free(pv, n);
	T("project-1.20 subtree of a domain: its projects, top level first",
	    store_project_subtree(st, "default", &pv, &n, &err) == 0 && n == 4 &&
	    strcmp(pv[2].id, b) == 0 && strcmp(pv[3].id, c) == 0 &&
	    ids_ascend(pv, 2, sizeof(*pv)));
	kg_project_list_free(pv, n);
	T("project-1.21 subtree of a leaf: none", store_project_subtree(st, c, &pv,
	    &n, &err) == 0 && n == 0);

	T("project-2.1 ancestors of c", store_project_ancestors(st, c, &ids, &n, dis,
	    &err) == 0 && n == 2 && strcmp(ids[0], b) == 0 && strcmp(ids[1], a) == 0 &&
	    dis[0] == '\0');
	store_strv_free(ids, n);
	T("project-2.2 ancestors of top", store_project_ancestors(st, a, &ids, &n, dis,
	    &err) == 0 && n == 0);
	store_strv_free(ids, n);
	T("project-2.3 descendants", store_project_descendants(st, a, &total, &en,
	    &err) == 0 && total == 2 && en == 2);
	store_project_get(st, b, &p, &err);
	p.enabled = 0;
	kg_strlcpy(p.name, "b2", sizeof(p.name));
	T("project-2.4 update", store_project_update(st, &p, &err) == 0);
	kg_project_free(&p);
	T("project-2.5 update visible, tags kept", store_project_get(st, b, &p, &err) == 0 &&
	    p.enabled == 0 && strcmp(p.name, "b2") == 0 && p.ntags == 1);
	kg_strlcpy(p.name, "d", sizeof(p.name));
	T("project-2.6 rename to taken", store_project_update(st, &p, &err) == -1 &&
	    err.kind == KG_ECONFLICT);
	kg_project_free(&p);
	T("project-2.7 disabled ancestor reported", store_project_ancestors(st, c, &ids,
	    &n, dis, &err) == 0 && strcmp(dis, b) == 0);
	store_strv_free(ids, n);
	T("project-2.8 descendants enabled count", store_project_descendants(st, a,
	    &total, &en, &err) == 0 && total == 2 && en == 1);

	T("project-3.1 set tags (dups ignored)", store_project_set_tags(st, d, newtags,
	    3, &err) == 0 && store_project_get(st, d, &p, &err) == 0 && p.ntags == 2 &&
	    strcmp(p.tags[0], "x") == 0 && strcmp(p.tags[1], "y") == 0);
	kg_project_free(&p);
	T("project-3.2 add tag", store_project_add_tag(st, d, "z", &err) == 0 &&
	    store_project_add_tag(st, d, "z", &err) == 0 &&
	    store_project_get(st, d, &p, &err) == 0 && p.ntags == 3);
	kg_project_free(&p);
	T("project-3.3 delete tag", store_project_delete_tag(st, d, "x", &err) == 0 &&
	    store_project_get(st, d, &p, &err) == 0 && p.ntags == 2);
	kg_project_free(&p);
	T("project-3.4 delete missing tag", store_project_delete_tag(st, d, "x", &err) ==
	    -1 && err.kind == KG_ENOTFOUND && strcmp(err.msg,
	    "Could not find project tag: x.") == 0);
	T("project-3.5 tags on unknown project", store_project_set_tags(st, "nope",
	    NULL, 0, &err) == -1 && err.kind == KG_ENOTFOUND &&
	    store_project_add_tag(st, "nope", "t", &err) == -1 && err.kind == KG_ENOTFOUND);
	T("project-3.6 clear tags", store_project_set_tags(st, d, NULL, 0, &err) == 0 &&
	    store_project_get(st, d, &p, &err) == 0 && p.ntags == 0);
	kg_project_free(&p);

	T("project-4.1 delete non-leaf refused", store_project_delete(st, a, &err) == -1 &&
	    err.kind == KG_EFORBID && HAS_PREFIX(err.msg, "Cannot delete the project "));
	T("project-4.2 delete leaf", store_project_delete(st, c, &err) == 0 &&
	    store_project_get(st, c, &p, &err) == -1 && err.kind == KG_ENOTFOUND);
	T("project-4.3 delete unknown", store_project_delete(st, c, &err) == -1 &&
	    err.kind == KG_ENOTFOUND);
	T("project-4.4 parent deletable afterwards", store_project_delete(st, b, &err) == 0 &&
	    store_project_delete(st, a, &err) == 0);
	store_close(st);
}

static void
test_users_groups(void)
{
	struct store		*st = open_db();
	struct kg_err		 err = { 0 };
	struct kg_user_filter	 uf;
	struct kg_user		*uv = NULL, u;
	struct kg_group		*gv = NULL, g;
	struct kg_project	*pv = NULL;
	size_t			 n = 0;
	int			 yes = -1;
	char			 u1[STORE_ID_SIZE], u2[STORE_ID_SIZE], u3[STORE_ID_SIZE];
	char			 g1[STORE_ID_SIZE], g2[STORE_ID_SIZE], r[STORE_ID_SIZE];
	char			 p1[STORE_ID_SIZE], p2[STORE_ID_SIZE], p3[STORE_ID_SIZE];
	char			 p4[STORE_ID_SIZE], p5[STORE_ID_SIZE], q[STORE_ID_SIZE];
	char			**ids = NULL;

	memset(&u, 0, sizeof(u));
	memset(&g, 0, sizeof(g));
	mk_domain(st, "default", "Default", &err);
	mk_domain(st, "other", "Other", &err);
	mk_user(st, u1, "default", "carol", "$2b$04$secret", &err);
	mk_user(st, u2, "default", "alice", NULL, &err);
	mk_user(st, u3, "other", "alice", NULL, &err);

	memset(&uf, 0, sizeof(uf));
	uf.enabled = -1;
	T("user-1.1 list all sorted by id", store_user_list(st, &uf, NULL, &uv, &n,
	    &err) == 0 && n == 3 && ids_ascend(uv, n, sizeof(*uv)));
	T("user-1.2 list never carries hashes", n == 3 && uv[0].password_hash ==
	    NULL && uv[1].password_hash == NULL && uv[2].password_hash == NULL);
	kg_user_list_free(uv, n);
	uf.name = "alice";
	uf.domain_id = "other";
	T("user-1.3 by name and domain", store_user_list(st, &uf, NULL, &uv, &n,
	    &err) == 0 &&
	    n == 1 && strcmp(uv[0].id, u3) == 0);
	kg_user_list_free(uv, n);

	store_user_get(st, u2, &u, &err);
	u.enabled = 0;
	kg_strlcpy(u.default_project_id, "p", sizeof(u.default_project_id));
	free(u.extra);
	u.extra = strdup("{\"description\":\"d\"}");
	T("user-2.1 update", store_user_update(st, &u, &err) == 0);
	kg_user_free(&u);
	T("user-2.2 update visible", store_user_get(st, u2, &u, &err) == 0 &&
	    u.enabled == 0 && strcmp(u.default_project_id, "p") == 0 &&
	    strcmp(u.extra, "{\"description\":\"d\"}") == 0);
	kg_strlcpy(u.name, "carol", sizeof(u.name));
	T("user-2.3 rename to taken", store_user_update(st, &u, &err) == -1 &&
	    err.kind == KG_ECONFLICT && strcmp(err.msg, "Conflict occurred attempting "
	    "to store user - Duplicate entry found with name carol at domain ID "
	    "default.") == 0);
	kg_user_free(&u);
	uf.name = NULL;
	uf.domain_id = NULL;
	uf.enabled = 0;
	T("user-2.4 list disabled", store_user_list(st, &uf, NULL, &uv, &n,
	    &err) == 0 &&
	    n == 1 && strcmp(uv[0].id, u2) == 0);
	kg_user_list_free(uv, n);

	T("group-1.1 create", mk_group(st, g1, "default", "admins", &err) == 0 &&
	    mk_group(st, g2, "default", "devs", &err) == 0);
	T("group-1.2 duplicate", mk_group(st, q, "default", "admins", &err) == -1 &&
	    err.kind == KG_ECONFLICT && strcmp(err.msg, "Conflict occurred attempting to "
	    "store group - Duplicate entry found with name admins at domain ID "
	    "default.") == 0);
	T("group-1.3 same name other domain", mk_group(st, q, "other", "admins", &err) == 0);
	T("group-1.4 get", store_group_get(st, g1, &g, &err) == 0 &&
	    strcmp(g.name, "admins") == 0 && strcmp(g.description, "a group") == 0 &&
	    strcmp(g.domain_id, "default") == 0 && strcmp(g.extra, "{}") == 0);
	kg_group_free(&g);
	T("group-1.5 get by name", store_group_get_by_name(st, "other", "admins", &g,
	    &err) == 0 && strcmp(g.id, q) == 0);
	kg_group_free(&g);
	T("group-1.6 get unknown", store_group_get(st, "nope", &g, &err) == -1 &&
	    err.kind == KG_ENOTFOUND && strcmp(err.msg, "Could not find group: nope.") == 0);
	T("group-1.7 list by domain", store_group_list(st, NULL, "default", NULL,
	    NULL, &gv, &n, &err) == 0 && n == 2 && ids_ascend(gv, n, sizeof(*gv)));
	kg_group_list_free(gv, n);
	T("group-1.8 list by name", store_group_list(st, "admins", NULL, NULL,
	    NULL, &gv, &n, &err) == 0 && n == 2);
	kg_group_list_free(gv, n);
	store_group_get(st, g2, &g, &err);
	kg_strlcpy(g.name, "developers", sizeof(g.name));
	T("group-1.9 update", store_group_update(st, &g, &err) == 0);
	kg_strlcpy(g.name, "admins", sizeof(g.name));
	T("group-1.10 rename to taken", store_group_update(st, &g, &err) == -1 &&
	    err.kind == KG_ECONFLICT);
	kg_group_free(&g);

	T("member-1.1 add", store_group_add_user(st, g1, u1, &err) == 0 &&
	    store_group_add_user(st, g1, u1, &err) == 0 &&
	    store_group_add_user(st, g2, u1, &err) == 0 &&
	    store_group_add_user(st, g1, u2, &err) == 0);
	T("member-1.2 add unknown group", store_group_add_user(st, "nope", u1, &err) == -1 &&
	    err.kind == KG_ENOTFOUND && strcmp(err.msg, "Could not find group: nope.") == 0);
	T("member-1.3 add unknown user", store_group_add_user(st, g1, "nope", &err) == -1 &&
	    err.kind == KG_ENOTFOUND && strcmp(err.msg, "Could not find user: nope.") == 0);
	T("member-1.4 check", store_group_check_user(st, g1, u1, &err) == 0);
	T("member-1.5 check non-member", store_group_check_user(st, g2, u2, &err) == -1 &&
	    err.kind == KG_ENOTFOUND && strstr(err.msg, "not found in group") != NULL);
	T("member-1.6 users of group", store_group_user_list(st, g1, &uv, &n, &err) == 0 &&
	    n == 2 && strcmp(uv[0].id, u2) == 0 && uv[1].password_hash == NULL);
	kg_user_list_free(uv, n);
	T("member-1.7 users of unknown group", store_group_user_list(st, "nope", &uv,
	    &n, &err) == -1 && err.kind == KG_ENOTFOUND);
	T("member-1.8 groups of user", store_user_group_list(st, u1, &gv, &n, &err) == 0 &&
	    n == 2 && strcmp(gv[0].id, g1) == 0 && strcmp(gv[1].id, g2) == 0);
	kg_group_list_free(gv, n);
	T("member-1.9 group ids of user", store_user_group_ids(st, u1, &ids, &n, &err) == 0 &&
	    n == 2);
	store_strv_free(ids, n);
	T("member-1.10 groups of unknown user", store_user_group_list(st, "nope", &gv, &n,
	    &err) == -1 && err.kind == KG_ENOTFOUND);
	T("member-1.11 remove", store_group_remove_user(st, g2, u1, &err) == 0 &&
	    store_group_check_user(st, g2, u1, &err) == -1);
	T("member-1.12 remove non-member", store_group_remove_user(st, g2, u1, &err) == -1 &&
	    err.kind == KG_ENOTFOUND && strcmp(err.msg, fmt_member(u1, g2)) == 0);
	T("member-1.13 remove from unknown group", store_group_remove_user(st, "nope", u1,
	    &err) == -1 && strcmp(err.msg, "Could not find group: nope.") == 0);

	/* Projects of a user through every kind of grant. */
	mk_role(st, r, "member", "", &err);
	mk_project(st, p1, "default", "p1", NULL, NULL, 0, &err);
	mk_project(st, p2, "default", "p2", NULL, NULL, 0, &err);
	mk_project(st, p3, "default", "p3", p2, NULL, 0, &err);
	mk_project(st, p4, "other", "p4", NULL, NULL, 0, &err);
	mk_project(st, p5, "other", "p5", NULL, NULL, 0, &err);
	T("uproj-1.1 none", store_user_project_list(st, u1, &pv, &n, &err) == 0 && n == 0);
	store_grant(st, 0, u1, KG_SCOPE_PROJECT, p1, r, 0, &err);
	T("uproj-1.2 direct", store_user_project_list(st, u1, &pv, &n, &err) == 0 &&
	    strcmp(pnames(pv, n), "p1") == 0);
	kg_project_list_free(pv, n);
	store_grant(st, 1, g1, KG_SCOPE_PROJECT, p2, r, 1, &err);
	T("uproj-1.3 inherited via group: subtree only", store_user_project_list(st, u1,
	    &pv, &n, &err) == 0 && strcmp(pnames(pv, n), "p1,p3") == 0);
	kg_project_list_free(pv, n);
	store_grant(st, 1, g1, KG_SCOPE_PROJECT, p2, r, 0, &err);
	T("uproj-1.4 group direct", store_user_project_list(st, u1, &pv, &n, &err) == 0 &&
	    strcmp(pnames(pv, n), "p1,p2,p3") == 0);
	kg_project_list_free(pv, n);
	store_grant(st, 0, u1, KG_SCOPE_DOMAIN, "other", r, 0, &err);
	T("uproj-1.5 plain domain grant adds nothing", store_user_project_list(st, u1,
	    &pv, &n, &err) == 0 && n == 3);
	kg_project_list_free(pv, n);
	store_grant(st, 0, u1, KG_SCOPE_DOMAIN, "other", r, 1, &err);
	T("uproj-1.6 inherited domain grant", store_user_project_list(st, u1, &pv, &n,
	    &err) == 0 && strcmp(pnames(pv, n), "p1,p2,p3,p4,p5") == 0);
	kg_project_list_free(pv, n);
	T("uproj-1.7 others unaffected", store_user_project_list(st, u3, &pv, &n,
	    &err) == 0 && n == 0);
	T("uproj-1.8 u2 via group", store_user_project_list(st, u2, &pv, &n, &err) == 0 &&
	    strcmp(pnames(pv, n), "p2,p3") == 0);
	kg_project_list_free(pv, n);

	T("group-2.1 has grants", store_group_has_grants(st, g1, &yes, &err) == 0 && yes == 1);
	T("group-2.2 no grants", store_group_has_grants(st, g2, &yes, &err) == 0 && yes == 0);
	T("group-2.3 delete", store_group_delete(st, g1, &err) == 0 &&
	    store_group_get(st, g1, &g, &err) == -1);
	T("group-2.4 membership gone", store_user_group_ids(st, u1, &ids, &n, &err) == 0 &&
	    n == 0);
	store_strv_free(ids, n);
	T("group-2.5 group grants gone", store_user_project_list(st, u2, &pv, &n,
	    &err) == 0 && n == 0);
	T("group-2.6 delete unknown", store_group_delete(st, g1, &err) == -1 &&
	    err.kind == KG_ENOTFOUND);

	T("user-3.1 delete", store_user_delete(st, u1, &err) == 0 &&
	    store_user_get(st, u1, &u, &err) == -1 && err.kind == KG_ENOTFOUND);
	T("user-3.2 delete unknown", store_user_delete(st, u1, &err) == -1 &&
	    err.kind == KG_ENOTFOUND && strcmp(err.msg, fmt_user(u1)) == 0);
	T("user-3.3 grants of deleted user gone", store_user_project_list(st, u1, &pv,
	    &n, &err) == 0 && n == 0);
	store_close(st);
}

/* Pages: every list in id order, after the marker, limit + more. */
static void
test_pages(void)
{
	struct store		*st = open_db();
	struct kg_err		 err = { 0 };
	struct kg_project_filter f;
	struct kg_domain_filter	 df;
	struct kg_user_filter	 uf;
	struct kg_page		 pg;
	struct kg_project	*v = NULL;
	struct kg_domain	*dv = NULL;
	struct kg_user		*uv = NULL;
	struct kg_group		*gv = NULL;
	char			 id[8][STORE_ID_SIZE], last[STORE_ID_SIZE], seen[8];
	size_t			 n = 0, i, j, total = 0, pages = 0;
	int			 ok = 1;

	mk_domain(st, "default", "Default", &err);
	mk_domain(st, "other", "Other", &err);
	for (i = 0; i < 7; i++)
		mk_project(st, id[i], i < 5 ? "default" : "other",
		    it_name(i), NULL, NULL, 0, &err);
	memset(&f, 0, sizeof(f));
	f.enabled = -1;
	memset(&pg, 0, sizeof(pg));
	pg.limit = 3;
	T("spage-1.1 first page: 3, more", store_project_list(st, &f, &pg, &v, &n,
	    &err) == 0 && n == 3 && pg.more == 1 && ids_ascend(v, n, sizeof(*v)));
	/* Walk the pages: every project once, in id order. */
	memset(seen, 0, sizeof(seen));
	last[0] = '\0';
	for (;;) {
		pages++;
		for (i = 0; i < n; i++) {
			if (strcmp(v[i].id, last) <= 0)
				ok = 0;
			kg_strlcpy(last, v[i].id, sizeof(last));
			for (j = 0; j < 7; j++)
				if (strcmp(v[i].id, id[j]) == 0)
					seen[j]++;
			total++;
		}
		kg_project_list_free(v, n);
		v = NULL;
		if (!pg.more || pages > 5)
			break;
		pg.marker = last;
		if (store_project_list(st, &f, &pg, &v, &n, &err) == -1) {
			ok = 0;
			break;
		}
	}
	for (j = 0; j < 7; j++)
		if (seen[j] != 1)
			ok = 0;
	T("spage-1.2 three pages hold every project once, ascending", ok &&
	    total == 7 && pages == 3 && pg.more == 0);
	pg.marker = "nope";
	T("spage-1.3 unknown marker -> 404", store_project_list(st, &f, &pg, &v, &n,
	    &err) == -1 && err.kind == KG_ENOTFOUND &&
	    strcmp(err.msg, "Marker nope could not be found.") == 0);
	/* Keystone keeps domains and projects in one table: a domain's id is
	 * a place in the project list too. */
	pg.marker = "default";
	pg.limit = 100;
	T("spage-1.4 a domain id as a project marker", store_project_list(st, &f,
	    &pg, &v, &n, &err) == 0 && pg.more == 0);
	kg_project_list_free(v, n);
	pg.marker = NULL;
	pg.limit = 5;
	T("spage-1.5 a full last page: no more", store_project_list(st, &f, &pg, &v,
	    &n, &err) == 0 && n == 5 && pg.more == 1);
	kg_project_list_free(v, n);
	f.domain_id = "default";
	T("spage-1.6 a domain's 5 projects in a page of 5: no more",
	    store_project_list(st, &f, &pg, &v, &n, &err) == 0 && n == 5 &&
	    pg.more == 0);
	kg_project_list_free(v, n);
	pg.limit = 2;
	pg.marker = id[5];		/* in "other", still a place in the order */
	T("spage-1.7 a marker from another domain", store_project_list(st, &f, &pg,
	    &v, &n, &err) == 0 && n <= 2);
	for (i = 0; i < n; i++)
		if (strcmp(v[i].id, id[5]) <= 0 || strcmp(v[i].domain_id,
		    "default") != 0)
			n = 99;
	T("spage-1.8 ... lists what sorts after it, of the domain only", n <= 2);
	kg_project_list_free(v, n <= 2 ? n : 0);

	memset(&df, 0, sizeof(df));
	df.enabled = -1;
	memset(&pg, 0, sizeof(pg));
	pg.limit = 1;
	T("spage-2.1 domains: one per page", store_domain_list(st, &df, &pg, &dv, &n,
	    &err) == 0 && n == 1 && pg.more == 1 && strcmp(dv[0].id,
	    "default") == 0);
	kg_domain_list_free(dv, n);
	pg.marker = "default";
	T("spage-2.2 domains: the last page", store_domain_list(st, &df, &pg, &dv,
	    &n, &err) == 0 && n == 1 && pg.more == 0 && strcmp(dv[0].id,
	    "other") == 0);
	kg_domain_list_free(dv, n);
	pg.marker = id[0];
	T("spage-2.3 a project id as a domain marker", store_domain_list(st, &df,
	    &pg, &dv, &n, &err) == 0);
	kg_domain_list_free(dv, n);

	memset(&uf, 0, sizeof(uf));
	uf.enabled = -1;
	for (i = 0; i < 4; i++)
		mk_user(st, id[i], "default", it_name(i), NULL, &err);
	memset(&pg, 0, sizeof(pg));
	pg.limit = 3;
	T("spage-3.1 users: a page of 3 of 4", store_user_list(st, &uf, &pg, &uv, &n,
	    &err) == 0 && n == 3 && pg.more == 1 && ids_ascend(uv, n,
	    sizeof(*uv)));
	kg_strlcpy(last, n == 3 ? uv[2].id : "", sizeof(last));
	kg_user_list_free(uv, n);
	pg.marker = last;
	T("spage-3.2 users: the rest", store_user_list(st, &uf, &pg, &uv, &n,
	    &err) == 0 && n == 1 && pg.more == 0 && strcmp(uv[0].id, last) > 0);
	kg_user_list_free(uv, n);
	pg.marker = id[6];		/* a project: not a user */
	T("spage-3.3 users: a marker that is no user -> 404", store_user_list(st,
	    &uf, &pg, &uv, &n, &err) == -1 && err.kind == KG_ENOTFOUND);
	store_user_set_password(st, id[0], "$2b$04$x", 2000000, &err);
	store_user_set_password(st, id[1], "$2b$04$x", 3000000, &err);
	uf.expires_op = KG_EXPIRES_LT;
	uf.expires_at = 2500000;
	pg.marker = NULL;
	T("spage-3.4 users: password_expires_at lt", store_user_list(st, &uf, &pg,
	    &uv, &n, &err) == 0 && n == 1 && strcmp(uv[0].id, id[0]) == 0);
	kg_user_list_free(uv, n);
	uf.expires_op = KG_EXPIRES_NEQ;
	T("spage-3.5 users: neq never matches a password that never expires",
	    store_user_list(st, &uf, &pg, &uv, &n, &err) == 0 && n == 2);
	kg_user_list_free(uv, n);
	uf.expires_op = KG_EXPIRES_GTE;
	uf.expires_at = 3000000;
	T("spage-3.6 users: gte", store_user_list(st, &uf, &pg, &uv, &n,
	    &err) == 0 && n == 1 && strcmp(uv[0].id, id[1]) == 0);
	kg_user_list_free(uv, n);

	for (i = 0; i < 3; i++)
		mk_group(st, id[i], "default", it_name(i), &err);
	memset(&pg, 0, sizeof(pg));
	pg.limit = 2;
	T("spage-4.1 groups: page of 2 of 3", store_group_list(st, NULL, NULL, NULL, &pg,
	    &gv, &n, &err) == 0 && n == 2 && pg.more == 1);
	kg_group_list_free(gv, n);
	pg.limit = 3;
	T("spage-4.2 groups of a domain: all 3, no more", store_group_list(st, NULL,
	    "default", NULL, &pg, &gv, &n, &err) == 0 && n == 3 && pg.more == 0);
	kg_group_list_free(gv, n);
	store_close(st);
}

int
main(void)
{
	test_contract();
	test_domains();
	test_projects();
	test_users_groups();
	test_pages();
	return t_report();
}
