/*
 * epfilter.c - endpoint groups and project endpoint associations, on
 * either backend (see epfilter.h). An endpoint group's filters are matched
 * in plain SQL on the filter_* columns svc/ derives from them.
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "store/epfilter.h"
#include "store/store_int.h"

static int
oom(struct kg_err *err)
{
	return kg_errf(err, KG_EINTERNAL, "out of memory");
}

/*
 * "Endpoint e matches the filters of group g", on the columns svc/
 * derives from g.filters (see struct kg_endpoint_group): every attribute
 * filtered on has the filter's value.
 */
#define EP_MATCHES_GROUP "g.filter_never = 0" \
	" AND (g.filter_service_id IS NULL OR g.filter_service_id = e.service_id)" \
	" AND (g.filter_interface IS NULL OR g.filter_interface = e.interface)" \
	" AND (g.filter_region_set = 0" \
	" OR e.region_id IS NOT DISTINCT FROM g.filter_region_id)"

void
kg_endpoint_group_free(struct kg_endpoint_group *g)
{
	if (g == NULL)
		return;
	free(g->description);
	free(g->filters);
	free(g->filter_service_id);
	free(g->filter_interface);
	free(g->filter_region_id);
	g->description = g->filters = NULL;
	g->filter_service_id = g->filter_interface = g->filter_region_id = NULL;
}

static void
group_free_one(void *p)
{
	kg_endpoint_group_free(p);
}

void
kg_endpoint_group_list_free(struct kg_endpoint_group *v, size_t n)
{
	store_free_each(v, n, sizeof(*v), group_free_one);
}

#define GROUP_COLS	"id, name, description, filters, filter_service_id," \
	" filter_interface, filter_region_set, filter_region_id, filter_never"

static int
group_row(struct db_stmt *s, void *p, struct kg_err *err)
{
	struct kg_endpoint_group	*g = p;

	memset(g, 0, sizeof(*g));
	db_col_copy(s, 0, g->id, sizeof(g->id));
	db_col_copy(s, 1, g->name, sizeof(g->name));
	if (!db_col_null(s, 2) &&
	    (g->description = db_col_strdup(s, 2)) == NULL)
		return oom(err);
	if ((g->filters = db_col_str(s, 3)) == NULL ||
	    (!db_col_null(s, 4) &&
	    (g->filter_service_id = db_col_strdup(s, 4)) == NULL) ||
	    (!db_col_null(s, 5) &&
	    (g->filter_interface = db_col_strdup(s, 5)) == NULL) ||
	    (!db_col_null(s, 7) &&
	    (g->filter_region_id = db_col_strdup(s, 7)) == NULL)) {
		kg_endpoint_group_free(g);
		return oom(err);
	}
	g->filter_region_set = db_col_int(s, 6) != 0;
	g->filter_never = db_col_int(s, 8) != 0;
	return 0;
}

/* Bind the attributes of g as ?2..?9 (GROUP_COLS after the id). */
static void
bind_group(struct db_stmt *s, const struct kg_endpoint_group *g)
{
	db_bind_text(s, 2, g->name);
	db_bind_text(s, 3, g->description);
	db_bind_text(s, 4, store_or(g->filters, "{}"));
	db_bind_text(s, 5, g->filter_service_id);
	db_bind_text(s, 6, g->filter_interface);
	db_bind_int(s, 7, g->filter_region_set != 0);
	db_bind_text(s, 8, g->filter_region_id);
	db_bind_int(s, 9, g->filter_never != 0);
}

int
store_endpoint_group_create(struct store *st, const struct kg_endpoint_group *g,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "INSERT INTO endpoint_group (" GROUP_COLS ")"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", err)) == NULL)
		return -1;
	db_bind_text(s, 1, g->id);
	bind_group(s, g);
	return store_run(st, s, "endpoint group create", NULL, err);
}

/* KG_ENOTFOUND with Keystone's capitalised "Endpoint Group". */
static int
group_notfound(struct kg_err *err, const char *id)
{
	if (err != NULL && err->kind == KG_ENOTFOUND)
		kg_errf(err, KG_ENOTFOUND, "Could not find Endpoint Group: %s.", id);
	return -1;
}

int
store_endpoint_group_get(struct store *st, const char *id,
    struct kg_endpoint_group *out, struct kg_err *err)
{
	struct db_stmt	*s;

	memset(out, 0, sizeof(*out));
	if ((s = store_prepare(st, "SELECT " GROUP_COLS " FROM endpoint_group"
	    " WHERE id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	if (store_get_one(st, s, "endpoint group get", group_row, out,
	    "Endpoint Group", id, err) == 0)
		return 0;
	return group_notfound(err, id);
}

int
store_endpoint_group_list(struct store *st, const char *name,
    struct kg_endpoint_group **out, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT " GROUP_COLS " FROM endpoint_group"
	    " WHERE ?1 IS NULL OR name = ?1 ORDER BY rowid", err)) == NULL)
		return -1;
	db_bind_text(s, 1, name);
	return store_get_all(st, s, "endpoint group list", sizeof(**out),
	    group_row, group_free_one, (void **)out, n, err);
}

int
store_endpoint_group_update(struct store *st, const struct kg_endpoint_group *g,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "UPDATE endpoint_group SET name = ?2,"
	    " description = ?3, filters = ?4, filter_service_id = ?5,"
	    " filter_interface = ?6, filter_region_set = ?7,"
	    " filter_region_id = ?8, filter_never = ?9 WHERE id = ?1",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, g->id);
	bind_group(s, g);
	if (store_exec_one(st, s, "endpoint group update", NULL, "Endpoint Group",
	    g->id, err) == 0)
		return 0;
	return group_notfound(err, g->id);
}

int
store_endpoint_group_delete(struct store *st, const char *id,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "DELETE FROM endpoint_group WHERE id = ?",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	if (store_exec_one(st, s, "endpoint group delete", NULL, "Endpoint Group",
	    id, err) == 0)
		return 0;
	return group_notfound(err, id);
}

/* store_get_by_ids for endpoints and projects. */
static int
endpoint_get(struct store *st, const char *id, void *out, struct kg_err *err)
{
	return store_endpoint_get(st, id, out, err);
}

static void
endpoint_free(void *p)
{
	kg_endpoint_free(p);
}

static int
endpoints_of(struct store *st, struct db_stmt *s, const char *what,
    struct kg_endpoint **out, size_t *n, struct kg_err *err)
{
	return store_get_by_ids(st, s, what, sizeof(**out), endpoint_get,
	    endpoint_free, (void **)out, n, err);
}

static int
project_get(struct store *st, const char *id, void *out, struct kg_err *err)
{
	return store_project_get(st, id, out, err);
}

static void
project_free(void *p)
{
	kg_project_free(p);
}

static int
projects_of(struct store *st, struct db_stmt *s, const char *what,
    struct kg_project **out, size_t *n, struct kg_err *err)
{
	return store_get_by_ids(st, s, what, sizeof(**out), project_get,
	    project_free, (void **)out, n, err);
}

int
store_endpoint_group_endpoints(struct store *st, const char *id,
    struct kg_endpoint **out, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT e.id FROM endpoint e, endpoint_group g"
	    " WHERE g.id = ?1 AND " EP_MATCHES_GROUP " ORDER BY e.rowid",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return endpoints_of(st, s, "endpoint group endpoints", out, n, err);
}

/* ------------------------------------------------------------------------
 * The two association tables, project <-> endpoint and project <->
 * endpoint group: each row is a pair (a, b) of ids.
 * --------------------------------------------------------------------- */

struct pair_table {
	const char	*add;		/* SQL: INSERT (a, b) */
	const char	*exists;	/* SQL: SELECT 1 ... a = ?1 AND b = ?2 */
	const char	*remove;	/* SQL: DELETE ... a = ?1 AND b = ?2 */
	const char	*dup;		/* 409 text */
	const char	*what;		/* for log lines */
};

static const struct pair_table project_endpoint = {
	"INSERT INTO project_endpoint (endpoint_id, project_id) VALUES (?1, ?2)",
	"SELECT 1 FROM project_endpoint WHERE endpoint_id = ?1 AND project_id = ?2",
	"DELETE FROM project_endpoint WHERE endpoint_id = ?1 AND project_id = ?2",
	"Conflict occurred attempting to store project_endpoint - Duplicate entry.",
	"project endpoint"
};

static const struct pair_table project_endpoint_group = {
	"INSERT INTO project_endpoint_group (endpoint_group_id, project_id)"
	" VALUES (?1, ?2)",
	"SELECT 1 FROM project_endpoint_group WHERE endpoint_group_id = ?1"
	" AND project_id = ?2",
	"DELETE FROM project_endpoint_group WHERE endpoint_group_id = ?1"
	" AND project_id = ?2",
	"Conflict occurred attempting to store project_endpoint_group -"
	" Duplicate entry.",
	"project endpoint group"
};

/* Prepare sql of t with a and b bound. */
static struct db_stmt *
pair_stmt(struct store *st, const char *sql, const char *a, const char *b,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, sql, err)) == NULL)
		return NULL;
	db_bind_text(s, 1, a);
	db_bind_text(s, 2, b);
	return s;
}

static int
pair_add(struct store *st, const struct pair_table *t, const char *a,
    const char *b, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = pair_stmt(st, t->add, a, b, err)) == NULL)
		return -1;
	return store_run(st, s, t->what, t->dup, err);
}

static int
pair_exists(struct store *st, const struct pair_table *t, const char *a,
    const char *b, int *yes, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = pair_stmt(st, t->exists, a, b, err)) == NULL)
		return -1;
	return store_exists(st, s, t->what, yes, err);
}

/* 1 when a row went, 0 when there was none, -1 on error. */
static int
pair_remove(struct store *st, const struct pair_table *t, const char *a,
    const char *b, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = pair_stmt(st, t->remove, a, b, err)) == NULL ||
	    store_run(st, s, t->what, NULL, err) == -1)
		return -1;
	return store_changes(st) > 0;
}

int
store_project_endpoint_add(struct store *st, const char *project_id,
    const char *endpoint_id, struct kg_err *err)
{
	return pair_add(st, &project_endpoint, endpoint_id, project_id, err);
}

int
store_project_endpoint_exists(struct store *st, const char *project_id,
    const char *endpoint_id, int *yes, struct kg_err *err)
{
	return pair_exists(st, &project_endpoint, endpoint_id, project_id, yes,
	    err);
}

int
store_project_endpoint_remove(struct store *st, const char *project_id,
    const char *endpoint_id, struct kg_err *err)
{
	switch (pair_remove(st, &project_endpoint, endpoint_id, project_id, err)) {
	case -1:
		return -1;
	case 0:
		return kg_errf(err, KG_ENOTFOUND, "Endpoint %s not found in project"
		    " %s", endpoint_id, project_id);
	}
	return 0;
}

int
store_endpoint_projects(struct store *st, const char *endpoint_id,
    struct kg_project **out, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT project_id FROM project_endpoint"
	    " WHERE endpoint_id = ? ORDER BY rowid", err)) == NULL)
		return -1;
	db_bind_text(s, 1, endpoint_id);
	return projects_of(st, s, "endpoint projects", out, n, err);
}

int
store_project_endpoint_group_add(struct store *st, const char *group_id,
    const char *project_id, struct kg_err *err)
{
	return pair_add(st, &project_endpoint_group, group_id, project_id, err);
}

int
store_project_endpoint_group_exists(struct store *st, const char *group_id,
    const char *project_id, int *yes, struct kg_err *err)
{
	return pair_exists(st, &project_endpoint_group, group_id, project_id,
	    yes, err);
}

int
store_project_endpoint_group_remove(struct store *st, const char *group_id,
    const char *project_id, struct kg_err *err)
{
	switch (pair_remove(st, &project_endpoint_group, group_id, project_id,
	    err)) {
	case -1:
		return -1;
	case 0:
		return kg_errf(err, KG_ENOTFOUND, "Endpoint Group Project"
		    " Association not found");
	}
	return 0;
}

int
store_endpoint_group_projects(struct store *st, const char *group_id,
    struct kg_project **out, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT project_id FROM project_endpoint_group"
	    " WHERE endpoint_group_id = ? ORDER BY rowid", err)) == NULL)
		return -1;
	db_bind_text(s, 1, group_id);
	return projects_of(st, s, "endpoint group projects", out, n, err);
}

int
store_project_endpoint_groups(struct store *st, const char *project_id,
    struct kg_endpoint_group **out, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT g.id, g.name, g.description, g.filters,"
	    " g.filter_service_id, g.filter_interface, g.filter_region_set,"
	    " g.filter_region_id, g.filter_never"
	    " FROM project_endpoint_group p JOIN endpoint_group g"
	    " ON g.id = p.endpoint_group_id WHERE p.project_id = ?"
	    " ORDER BY p.rowid", err)) == NULL)
		return -1;
	db_bind_text(s, 1, project_id);
	return store_get_all(st, s, "project endpoint groups", sizeof(**out),
	    group_row, group_free_one, (void **)out, n, err);
}

int
store_project_endpoints(struct store *st, const char *project_id,
    struct kg_endpoint **out, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT e.id FROM endpoint e"
	    " WHERE e.id IN (SELECT endpoint_id FROM project_endpoint"
	    " WHERE project_id = ?1)"
	    " OR EXISTS (SELECT 1 FROM project_endpoint_group p"
	    " JOIN endpoint_group g ON g.id = p.endpoint_group_id"
	    " WHERE p.project_id = ?1 AND " EP_MATCHES_GROUP ")"
	    " ORDER BY e.rowid", err)) == NULL)
		return -1;
	db_bind_text(s, 1, project_id);
	return endpoints_of(st, s, "project endpoints", out, n, err);
}

/* ------------------------------------------------------------------------
 * The catalog of a project's tokens.
 * --------------------------------------------------------------------- */

int
store_endpoint_filter_used(struct store *st, int *yes, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT 1 WHERE EXISTS (SELECT 1 FROM"
	    " project_endpoint) OR EXISTS (SELECT 1 FROM project_endpoint_group)",
	    err)) == NULL)
		return -1;
	return store_exists(st, s, "endpoint filter used", yes, err);
}

int
store_project_endpoint_ids(struct store *st, const char *project_id,
    char ***ids, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT e.id FROM endpoint e"
	    " WHERE e.id IN (SELECT endpoint_id FROM project_endpoint"
	    " WHERE project_id = ?1)"
	    " OR EXISTS (SELECT 1 FROM project_endpoint_group p"
	    " JOIN endpoint_group g ON g.id = p.endpoint_group_id"
	    " WHERE p.project_id = ?1 AND " EP_MATCHES_GROUP ")"
	    " ORDER BY e.id", err)) == NULL)
		return -1;
	db_bind_text(s, 1, project_id);
	return store_get_strings(st, s, "project endpoint ids", ids, n, err);
}

static int
id_cmp(const void *key, const void *elem)
{
	return strcmp(key, *(char *const *)elem);
}

void
kg_catalog_keep(struct kg_catalog *c, char *const *ids, size_t n)
{
	size_t	i, j, ki, kj;

	for (i = ki = 0; i < c->nservices; i++) {
		for (j = kj = 0; j < c->neps[i]; j++) {
			if (bsearch(c->eps[i][j].id, ids, n, sizeof(*ids),
			    id_cmp) == NULL) {
				kg_endpoint_free(&c->eps[i][j]);
				continue;
			}
			if (kj != j)
				c->eps[i][kj] = c->eps[i][j];
			kj++;
		}
		c->neps[i] = kj;
		if (kj == 0) {
			/* Keystone leaves out a service left without endpoints. */
			kg_service_free(&c->services[i]);
			free(c->eps[i]);
			continue;
		}
		if (ki != i) {
			c->services[ki] = c->services[i];
			c->eps[ki] = c->eps[i];
			c->neps[ki] = c->neps[i];
		}
		ki++;
	}
	c->nservices = ki;
}
