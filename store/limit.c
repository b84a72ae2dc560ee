/*
 * limit.c - registered limits and limits, on either backend (see limit.h).
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "store/limit.h"
#include "store/store_int.h"

#define RL_DUP	"Conflict occurred attempting to store registered_limit -" \
		" Duplicate entry."
#define LIM_DUP	"Conflict occurred attempting to store limit - Duplicate entry."

static int
oom(struct kg_err *err)
{
	return kg_errf(err, KG_EINTERNAL, "out of memory");
}

void
kg_registered_limit_free(struct kg_registered_limit *r)
{
	if (r == NULL)
		return;
	free(r->description);
	r->description = NULL;
}

static void
rl_free_one(void *p)
{
	kg_registered_limit_free(p);
}

void
kg_registered_limit_list_free(struct kg_registered_limit *v, size_t n)
{
	store_free_each(v, n, sizeof(*v), rl_free_one);
}

void
kg_limit_free(struct kg_limit *l)
{
	if (l == NULL)
		return;
	free(l->description);
	l->description = NULL;
}

static void
limit_free_one(void *p)
{
	kg_limit_free(p);
}

void
kg_limit_list_free(struct kg_limit *v, size_t n)
{
	store_free_each(v, n, sizeof(*v), limit_free_one);
}

/* A nullable text column: NULL stays NULL. Returns -1 when out of memory. */
static int
col_nullable(struct db_stmt *s, int col, char **out)
{
	*out = NULL;
	if (db_col_null(s, col))
		return 0;
	return (*out = db_col_strdup(s, col)) == NULL ? -1 : 0;
}

/*
 * store_get_one with Keystone's "Could not find <what> for <id>." text
 * (the limit APIs' wording) instead of "Could not find <type>: <key>.".
 */
static int
get_one_for(struct store *st, struct db_stmt *s, const char *what,
    store_row_fn row, void *out, const char *thing, const char *id,
    struct kg_err *err)
{
	if (store_get_one(st, s, what, row, out, thing, id, err) == 0)
		return 0;
	if (err != NULL && err->kind == KG_ENOTFOUND)
		kg_errf(err, KG_ENOTFOUND, "Could not find %s for %s.", thing, id);
	return -1;
}

/* ------------------------------------------------------------------------
 * Registered limits.
 * --------------------------------------------------------------------- */

#define RL_COLS	"id, service_id, region_id, resource_name, default_limit," \
		" description"

static int
rl_row(struct db_stmt *s, void *p, struct kg_err *err)
{
	struct kg_registered_limit	*r = p;

	memset(r, 0, sizeof(*r));
	db_col_copy(s, 0, r->id, sizeof(r->id));
	db_col_copy(s, 1, r->service_id, sizeof(r->service_id));
	db_col_copy(s, 2, r->region_id, sizeof(r->region_id));
	db_col_copy(s, 3, r->resource_name, sizeof(r->resource_name));
	r->default_limit = db_col_int64(s, 4);
	if (col_nullable(s, 5, &r->description) == -1)
		return oom(err);
	return 0;
}

int
store_registered_limit_create(struct store *st,
    const struct kg_registered_limit *r, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "INSERT INTO registered_limit (" RL_COLS ")"
	    " VALUES (?, ?, ?, ?, ?, ?)", err)) == NULL)
		return -1;
	db_bind_text(s, 1, r->id);
	db_bind_text(s, 2, r->service_id);
	db_bind_text(s, 3, store_nz(r->region_id));
	db_bind_text(s, 4, r->resource_name);
	db_bind_int64(s, 5, r->default_limit);
	db_bind_text(s, 6, r->description);
	return store_run(st, s, "registered limit create", RL_DUP, err);
}

int
store_registered_limit_get(struct store *st, const char *id,
    struct kg_registered_limit *out, struct kg_err *err)
{
	struct db_stmt	*s;

	memset(out, 0, sizeof(*out));
	if ((s = store_prepare(st, "SELECT " RL_COLS " FROM registered_limit"
	    " WHERE id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return get_one_for(st, s, "registered limit get", rl_row, out,
	    "registered limit", id, err);
}

int
store_registered_limit_find(struct store *st, const char *service_id,
    const char *region_id, const char *resource_name,
    struct kg_registered_limit *out, struct kg_err *err)
{
	struct db_stmt	*s;

	memset(out, 0, sizeof(*out));
	if ((s = store_prepare(st, "SELECT " RL_COLS " FROM registered_limit"
	    " WHERE service_id = ?1 AND region_id IS NOT DISTINCT FROM ?2"
	    " AND resource_name = ?3",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, service_id);
	db_bind_text(s, 2, store_nz(region_id));
	db_bind_text(s, 3, resource_name);
	return store_get_one(st, s, "registered limit find", rl_row, out,
	    "registered limit", resource_name, err);
}

int
store_registered_limit_list(struct store *st, const struct kg_limit_filter *f,
    struct kg_registered_limit **out, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT " RL_COLS " FROM registered_limit"
	    " WHERE (?1 IS NULL OR service_id = ?1)"
	    " AND (?2 IS NULL OR region_id = ?2)"
	    " AND (?3 IS NULL OR resource_name = ?3) ORDER BY rowid", err)) == NULL)
		return -1;
	db_bind_text(s, 1, f != NULL ? f->service_id : NULL);
	db_bind_text(s, 2, f != NULL ? f->region_id : NULL);
	db_bind_text(s, 3, f != NULL ? f->resource_name : NULL);
	return store_get_all(st, s, "registered limit list", sizeof(**out),
	    rl_row, rl_free_one, (void **)out, n, err);
}

int
store_registered_limit_update(struct store *st,
    const struct kg_registered_limit *r, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "UPDATE registered_limit SET service_id = ?,"
	    " region_id = ?, resource_name = ?, default_limit = ?,"
	    " description = ? WHERE id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, r->service_id);
	db_bind_text(s, 2, store_nz(r->region_id));
	db_bind_text(s, 3, r->resource_name);
	db_bind_int64(s, 4, r->default_limit);
	db_bind_text(s, 5, r->description);
	db_bind_text(s, 6, r->id);
	if (store_run(st, s, "registered limit update", RL_DUP, err) == -1)
		return -1;
	if (store_changes(st) == 0)
		return kg_errf(err, KG_ENOTFOUND, "Could not find registered limit"
		    " for %s.", r->id);
	return 0;
}

int
store_registered_limit_delete(struct store *st, const char *id,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "DELETE FROM registered_limit WHERE id = ?",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	if (store_run(st, s, "registered limit delete", NULL, err) == -1)
		return -1;
	if (store_changes(st) == 0)
		return kg_errf(err, KG_ENOTFOUND, "Could not find registered limit"
		    " for %s.", id);
	return 0;
}

int
store_registered_limit_in_use(struct store *st, const char *id, int *yes,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT 1 FROM unified_limit"
	    " WHERE registered_limit_id = ? LIMIT 1", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return store_exists(st, s, "registered limit in use", yes, err);
}

int
store_registered_limit_uses_service(struct store *st, const char *service_id,
    int *yes, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT 1 FROM registered_limit"
	    " WHERE service_id = ? LIMIT 1", err)) == NULL)
		return -1;
	db_bind_text(s, 1, service_id);
	return store_exists(st, s, "registered limit uses service", yes, err);
}

int
store_registered_limit_uses_region(struct store *st, const char *region_id,
    int *yes, struct kg_err *err)
{
	struct db_stmt	*s;

	/* The region or one below it: a region is deleted with its subtree. */
	if ((s = store_prepare(st, "WITH RECURSIVE sub(id) AS (SELECT id"
	    " FROM region WHERE id = ?1 UNION SELECT r.id FROM region r JOIN sub ON r.parent_region_id = sub.id)"
	    " SELECT 1 FROM registered_limit WHERE region_id IN"
	    " (SELECT id FROM sub) LIMIT 1", err)) == NULL)
		return -1;
	db_bind_text(s, 1, region_id);
	return store_exists(st, s, "registered limit uses region", yes, err);
}

/* ------------------------------------------------------------------------
 * Limits: the attributes of their registered limit come with a join.
 * --------------------------------------------------------------------- */

#define LIMIT_SELECT	"SELECT l.id, l.registered_limit_id, l.project_id," \
	" l.domain_id, r.service_id, r.region_id, r.resource_name," \
	" l.resource_limit, l.description FROM unified_limit l" \
	" JOIN registered_limit r ON r.id = l.registered_limit_id"

/* The exact-match filters of a list, on the joined row. */
#define LIMIT_FILTERS	" (?1 IS NULL OR r.service_id = ?1)" \
	" AND (?2 IS NULL OR r.region_id = ?2)" \
	" AND (?3 IS NULL OR r.resource_name = ?3)" \
	" AND (?4 IS NULL OR l.project_id = ?4)" \
	" AND (?5 IS NULL OR l.domain_id = ?5)"

static int
limit_row(struct db_stmt *s, void *p, struct kg_err *err)
{
	struct kg_limit	*l = p;

	memset(l, 0, sizeof(*l));
	db_col_copy(s, 0, l->id, sizeof(l->id));
	db_col_copy(s, 1, l->registered_limit_id, sizeof(l->registered_limit_id));
	db_col_copy(s, 2, l->project_id, sizeof(l->project_id));
	db_col_copy(s, 3, l->domain_id, sizeof(l->domain_id));
	db_col_copy(s, 4, l->service_id, sizeof(l->service_id));
	db_col_copy(s, 5, l->region_id, sizeof(l->region_id));
	db_col_copy(s, 6, l->resource_name, sizeof(l->resource_name));
	l->resource_limit = db_col_int64(s, 7);
	if (col_nullable(s, 8, &l->description) == -1)
		return oom(err);
	return 0;
}

static void
bind_filter(struct db_stmt *s, const struct kg_limit_filter *f)
{
	if (f == NULL)
		return;
	db_bind_text(s, 1, f->service_id);
	db_bind_text(s, 2, f->region_id);
	db_bind_text(s, 3, f->resource_name);
	db_bind_text(s, 4, f->project_id);
	db_bind_text(s, 5, f->domain_id);
}

int
store_limit_create(struct store *st, const struct kg_limit *l,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "INSERT INTO unified_limit (id,"
	    " registered_limit_id, project_id, domain_id, resource_limit,"
	    " description) VALUES (?, ?, ?, ?, ?, ?)", err)) == NULL)
		return -1;
	db_bind_text(s, 1, l->id);
	db_bind_text(s, 2, l->registered_limit_id);
	db_bind_text(s, 3, store_nz(l->project_id));
	db_bind_text(s, 4, store_nz(l->domain_id));
	db_bind_int64(s, 5, l->resource_limit);
	db_bind_text(s, 6, l->description);
	return store_run(st, s, "limit create", LIM_DUP, err);
}

int
store_limit_get(struct store *st, const char *id, struct kg_limit *out,
    struct kg_err *err)
{
	struct db_stmt	*s;

	memset(out, 0, sizeof(*out));
	if ((s = store_prepare(st, LIMIT_SELECT " WHERE l.id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return get_one_for(st, s, "limit get", limit_row, out, "limit", id, err);
}

int
store_limit_find(struct store *st, const char *rl_id, const char *project_id,
    const char *domain_id, struct kg_limit *out, struct kg_err *err)
{
	struct db_stmt	*s;

	memset(out, 0, sizeof(*out));
	if ((s = store_prepare(st, LIMIT_SELECT " WHERE l.registered_limit_id = ?1"
	    " AND (CASE WHEN ?2 IS NOT NULL THEN l.project_id = ?2"
	    " ELSE l.domain_id = ?3 END)", err)) == NULL)
		return -1;
	db_bind_text(s, 1, rl_id);
	db_bind_text(s, 2, store_nz(project_id));
	db_bind_text(s, 3, domain_id);
	return store_get_one(st, s, "limit find", limit_row, out, "limit", rl_id,
	    err);
}

int
store_limit_list(struct store *st, const struct kg_limit_filter *f,
    struct kg_limit **out, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, LIMIT_SELECT " WHERE" LIMIT_FILTERS
	    " ORDER BY l.rowid", err)) == NULL)
		return -1;
	bind_filter(s, f);
	return store_get_all(st, s, "limit list", sizeof(**out), limit_row,
	    limit_free_one, (void **)out, n, err);
}

int
store_limit_list_in_domain(struct store *st, const struct kg_limit_filter *f,
    const char *domain_id, struct kg_limit **out, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, LIMIT_SELECT " WHERE" LIMIT_FILTERS
	    " AND (l.domain_id = ?6 OR l.project_id IN"
	    " (SELECT id FROM project WHERE domain_id = ?6)) ORDER BY l.rowid",
	    err)) == NULL)
		return -1;
	bind_filter(s, f);
	db_bind_text(s, 6, domain_id);
	return store_get_all(st, s, "limit list in domain", sizeof(**out),
	    limit_row, limit_free_one, (void **)out, n, err);
}

int
store_limit_update(struct store *st, const struct kg_limit *l,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "UPDATE unified_limit SET resource_limit = ?,"
	    " description = ? WHERE id = ?", err)) == NULL)
		return -1;
	db_bind_int64(s, 1, l->resource_limit);
	db_bind_text(s, 2, l->description);
	db_bind_text(s, 3, l->id);
	if (store_run(st, s, "limit update", NULL, err) == -1)
		return -1;
	if (store_changes(st) == 0)
		return kg_errf(err, KG_ENOTFOUND, "Could not find limit for %s.",
		    l->id);
	return 0;
}

int
store_limit_delete(struct store *st, const char *id, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "DELETE FROM unified_limit WHERE id = ?",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	if (store_run(st, s, "limit delete", NULL, err) == -1)
		return -1;
	if (store_changes(st) == 0)
		return kg_errf(err, KG_ENOTFOUND, "Could not find limit for %s.", id);
	return 0;
}

int
store_limit_child_above(struct store *st, const char *rl_id,
    const char *domain_id, int64_t value, int *yes, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT 1 FROM unified_limit l"
	    " JOIN project p ON p.id = l.project_id"
	    " WHERE l.registered_limit_id = ?1 AND p.domain_id = ?2"
	    " AND l.resource_limit <> 0 AND l.resource_limit > ?3 LIMIT 1",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, rl_id);
	db_bind_text(s, 2, domain_id);
	db_bind_int64(s, 3, value);
	return store_exists(st, s, "limit child above", yes, err);
}

int
store_projects_below_level(struct store *st, int max, char ***ids, size_t *n,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "WITH RECURSIVE lvl(id, depth) AS ("
	    " SELECT id, 1 FROM project WHERE parent_id IS NULL UNION ALL"
	    " SELECT p.id, lvl.depth + 1 FROM project p"
	    " JOIN lvl ON p.parent_id = lvl.id)"
	    " SELECT id FROM lvl WHERE depth > ? ORDER BY id", err)) == NULL)
		return -1;
	db_bind_int(s, 1, max);
	return store_get_strings(st, s, "projects below level", ids, n, err);
}
