/*
 * policies.c - policies and their endpoint associations, on either backend
 * (see policies.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "store/policies.h"
#include "store/store_int.h"

static int
oom(struct kg_err *err)
{
	return kg_errf(err, KG_EINTERNAL, "out of memory");
}

void
kg_policy_free(struct kg_policy *p)
{
	if (p == NULL)
		return;
	free(p->blob);
	free(p->extra);
	p->blob = p->extra = NULL;
}

static void
policy_free_one(void *p)
{
	kg_policy_free(p);
}

void
kg_policy_list_free(struct kg_policy *v, size_t n)
{
	store_free_each(v, n, sizeof(*v), policy_free_one);
}

#define POLICY_COLS	"id, type, blob, extra"

static int
policy_row(struct db_stmt *s, void *p, struct kg_err *err)
{
	struct kg_policy	*v = p;

	memset(v, 0, sizeof(*v));
	db_col_copy(s, 0, v->id, sizeof(v->id));
	db_col_copy(s, 1, v->type, sizeof(v->type));
	v->blob = db_col_str(s, 2);
	v->extra = db_col_str(s, 3);
	if (v->blob == NULL || v->extra == NULL) {
		kg_policy_free(v);
		return oom(err);
	}
	return 0;
}

int
store_policy_create(struct store *st, const struct kg_policy *p,
    struct kg_err *err)
{
	struct db_stmt	*s;
	char		 msg[160];

	snprintf(msg, sizeof(msg), "Conflict occurred attempting to store policy"
	    " - Duplicate entry found with ID %s.", p->id);
	if ((s = store_prepare(st, "INSERT INTO policy (" POLICY_COLS ")"
	    " VALUES (?, ?, ?, ?)", err)) == NULL)
		return -1;
	db_bind_text(s, 1, p->id);
	db_bind_text(s, 2, p->type);
	db_bind_text(s, 3, store_or(p->blob, ""));
	db_bind_text(s, 4, store_or(p->extra, "{}"));
	return store_run(st, s, "policy create", msg, err);
}

int
store_policy_get(struct store *st, const char *id, struct kg_policy *out,
    struct kg_err *err)
{
	struct db_stmt	*s;

	memset(out, 0, sizeof(*out));
	if ((s = store_prepare(st, "SELECT " POLICY_COLS " FROM policy WHERE id = ?",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return store_get_one(st, s, "policy get", policy_row, out, "policy", id,
	    err);
}

int
store_policy_list(struct store *st, const char *type, struct kg_policy **out,
    size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT " POLICY_COLS " FROM policy"
	    " WHERE ?1 IS NULL OR type = ?1 ORDER BY rowid", err)) == NULL)
		return -1;
	db_bind_text(s, 1, type);
	return store_get_all(st, s, "policy list", sizeof(**out), policy_row,
	    policy_free_one, (void **)out, n, err);
}

int
store_policy_update(struct store *st, const struct kg_policy *p,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "UPDATE policy SET type = ?, blob = ?, extra = ?"
	    " WHERE id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, p->type);
	db_bind_text(s, 2, store_or(p->blob, ""));
	db_bind_text(s, 3, store_or(p->extra, "{}"));
	db_bind_text(s, 4, p->id);
	return store_exec_one(st, s, "policy update", NULL, "policy", p->id, err);
}

int
store_policy_delete(struct store *st, const char *id, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "DELETE FROM policy WHERE id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return store_exec_one(st, s, "policy delete", NULL, "policy", id, err);
}

/* ------------------------------------------------------------------------
 * Associations.
 * --------------------------------------------------------------------- */

/* "The target is t" over columns that are NULL when not set. */
#define TARGET_IS	"endpoint_id IS NOT DISTINCT FROM ?2" \
	" AND service_id IS NOT DISTINCT FROM ?3" \
	" AND region_id IS NOT DISTINCT FROM ?4"

static void
bind_target(struct db_stmt *s, const struct kg_policy_target *t)
{
	db_bind_text(s, 2, store_nz(t->endpoint_id));
	db_bind_text(s, 3, store_nz(t->service_id));
	db_bind_text(s, 4, store_nz(t->region_id));
}

int
store_policy_assoc_set(struct store *st, const char *policy_id,
    const struct kg_policy_target *t, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "UPDATE policy_association SET policy_id = ?1"
	    " WHERE " TARGET_IS, err)) == NULL)
		return -1;
	db_bind_text(s, 1, policy_id);
	bind_target(s, t);
	if (store_run(st, s, "policy association update", NULL, err) == -1)
		return -1;
	if (store_changes(st) > 0)
		return 0;
	if ((s = store_prepare(st, "INSERT INTO policy_association (policy_id,"
	    " endpoint_id, service_id, region_id) VALUES (?1, ?2, ?3, ?4)",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, policy_id);
	bind_target(s, t);
	return store_run(st, s, "policy association create", NULL, err);
}

int
store_policy_assoc_exists(struct store *st, const char *policy_id,
    const struct kg_policy_target *t, int *yes, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT 1 FROM policy_association"
	    " WHERE policy_id = ?1 AND " TARGET_IS, err)) == NULL)
		return -1;
	db_bind_text(s, 1, policy_id);
	bind_target(s, t);
	return store_exists(st, s, "policy association check", yes, err);
}

int
store_policy_assoc_delete(struct store *st, const char *policy_id,
    const struct kg_policy_target *t, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "DELETE FROM policy_association"
	    " WHERE policy_id = ?1 AND " TARGET_IS, err)) == NULL)
		return -1;
	db_bind_text(s, 1, policy_id);
	bind_target(s, t);
	return store_run(st, s, "policy association delete", NULL, err);
}

static int
id_row(struct db_stmt *s, void *p, struct kg_err *err)
{
	db_col_copy(s, 0, p, STORE_ID_SIZE);
	return 0;
}

int
store_policy_assoc_find(struct store *st, const struct kg_policy_target *t,
    char policy_id[STORE_ID_SIZE], struct kg_err *err)
{
	struct db_stmt	*s;

	policy_id[0] = '\0';
	if ((s = store_prepare(st, "SELECT policy_id FROM policy_association"
	    " WHERE " TARGET_IS, err)) == NULL)
		return -1;
	bind_target(s, t);
	if (store_get_one(st, s, "policy association find", id_row, policy_id,
	    "policy association", "", err) == 0)
		return 0;
	if (err != NULL && err->kind == KG_ENOTFOUND)
		kg_errf(err, KG_ENOTFOUND, "Could not find policy association.");
	return -1;
}

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

int
store_policy_endpoints(struct store *st, const char *policy_id,
    struct kg_endpoint **out, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	/*
	 * Each association with the endpoints it reaches: its endpoint, the
	 * endpoints of its service, or those of its service in its region's
	 * subtree (sub: every association's region with the regions below).
	 */
	if ((s = store_prepare(st, "WITH RECURSIVE sub(assoc, region) AS ("
	    " SELECT rowid, region_id FROM policy_association"
	    " WHERE policy_id = ?1 AND region_id IS NOT NULL UNION"
	    " SELECT sub.assoc, r.id FROM region r"
	    " JOIN sub ON r.parent_region_id = sub.region)"
	    " SELECT e.id FROM policy_association a JOIN endpoint e"
	    " ON e.id = a.endpoint_id"
	    " OR (a.endpoint_id IS NULL AND a.region_id IS NULL"
	    " AND e.service_id = a.service_id)"
	    " OR (a.region_id IS NOT NULL AND e.service_id = a.service_id"
	    " AND e.region_id IN (SELECT region FROM sub WHERE assoc = a.rowid))"
	    " WHERE a.policy_id = ?1 ORDER BY a.rowid, e.rowid", err)) == NULL)
		return -1;
	db_bind_text(s, 1, policy_id);
	return store_get_by_ids(st, s, "policy endpoints", sizeof(**out),
	    endpoint_get, endpoint_free, (void **)out, n, err);
}
