/* appcred.c - application credentials and access rules (see appcred.h). */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "store/appcred.h"
#include "store/store_int.h"

#define APPCRED_COLS	"id, name, secret_hash, description, user_id, project_id," \
			" expires_at, unrestricted, created_at"
/* The columns, and how many access rules the credential has (a login
 * then skips the look-up of rules it does not have). */
#define APPCRED_SELECT	"SELECT " APPCRED_COLS ", (SELECT count(*) FROM" \
			" application_credential_access_rule AS x WHERE" \
			" x.application_credential_id = application_credential.id)" \
			" FROM application_credential"
#define RULE_COLS	"id, service, path, method"

static int
oom(struct kg_err *err)
{
	return kg_errf(err, KG_EINTERNAL, "out of memory");
}

void
kg_appcred_free(struct kg_appcred *c)
{
	if (c == NULL)
		return;
	if (c->secret_hash != NULL)
		kg_wipe(c->secret_hash, strlen(c->secret_hash));
	free(c->secret_hash);
	free(c->description);
	free(c->roles);
	free(c->rules);
	memset(c, 0, sizeof(*c));
}

static void
appcred_free_one(void *p)
{
	kg_appcred_free(p);
}

void
kg_appcred_list_free(struct kg_appcred *v, size_t n)
{
	store_free_each(v, n, sizeof(*v), appcred_free_one);
}

/* ------------------------------------------------------------------------
 * Rows.
 * --------------------------------------------------------------------- */

static int
rule_row(struct db_stmt *s, void *p, struct kg_err *err)
{
	struct kg_access_rule	*r = p;

	memset(r, 0, sizeof(*r));
	db_col_copy(s, 0, r->id, sizeof(r->id));
	db_col_copy(s, 1, r->service, sizeof(r->service));
	db_col_copy(s, 2, r->path, sizeof(r->path));
	db_col_copy(s, 3, r->method, sizeof(r->method));
	return 0;
}

static int
role_ref_row(struct db_stmt *s, void *p, struct kg_err *err)
{
	struct kg_role_ref	*r = p;

	memset(r, 0, sizeof(*r));
	db_col_copy(s, 0, r->id, sizeof(r->id));
	db_col_copy(s, 1, r->name, sizeof(r->name));
	return 0;
}

static int
appcred_row(struct db_stmt *s, void *p, struct kg_err *err)
{
	struct kg_appcred	*c = p;

	memset(c, 0, sizeof(*c));
	db_col_copy(s, 0, c->id, sizeof(c->id));
	db_col_copy(s, 1, c->name, sizeof(c->name));
	if ((c->secret_hash = db_col_str(s, 2)) == NULL)
		return oom(err);
	if (!db_col_null(s, 3) &&
	    (c->description = db_col_str(s, 3)) == NULL) {
		kg_appcred_free(c);
		return oom(err);
	}
	db_col_copy(s, 4, c->user_id, sizeof(c->user_id));
	db_col_copy(s, 5, c->project_id, sizeof(c->project_id));
	c->expires_at = db_col_int64(s, 6);		/* NULL -> 0 */
	c->unrestricted = db_col_null(s, 7) ? -1 :
	    db_col_int(s, 7) != 0;
	c->created_at = db_col_int64(s, 8);
	c->nrules = (size_t)db_col_int64(s, 9);	/* load_parts reads them */
	return 0;
}

static int
rules_of(struct store *st, const char *id, struct kg_access_rule **out,
    size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT ar.id, ar.service, ar.path, ar.method"
	    " FROM application_credential_access_rule AS acar"
	    " JOIN access_rule AS ar ON ar.id = acar.access_rule_id"
	    " WHERE acar.application_credential_id = ? ORDER BY acar.rowid",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return store_get_all(st, s, "appcred rules", sizeof(**out), rule_row,
	    NULL, (void **)out, n, err);
}

int
store_appcred_access_rules(struct store *st, const char *id,
    struct kg_access_rule **out, size_t *n, struct kg_err *err)
{
	return rules_of(st, id, out, n, err);
}

/* The roles (with their names) and access rules of c, in creation order. */
static int
load_parts(struct store *st, struct kg_appcred *c, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT r.id, r.name FROM application_credential_role"
	    " AS acr JOIN role AS r ON r.id = acr.role_id"
	    " WHERE acr.application_credential_id = ? ORDER BY acr.rowid",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, c->id);
	if (store_get_all(st, s, "appcred roles", sizeof(*c->roles), role_ref_row,
	    NULL, (void **)&c->roles, &c->nroles, err) == -1)
		return -1;
	if (c->nrules == 0)		/* none: no look-up */
		return 0;
	c->nrules = 0;
	return rules_of(st, c->id, &c->rules, &c->nrules, err);
}

static int
get_one(struct store *st, struct db_stmt *s, const char *what, const char *key,
    struct kg_appcred *out, struct kg_err *err)
{
	memset(out, 0, sizeof(*out));
	if (store_get_one(st, s, what, appcred_row, out, "Application Credential",
	    key, err) == -1)
		return -1;
	if (load_parts(st, out, err) == -1) {
		kg_appcred_free(out);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Reads.
 * --------------------------------------------------------------------- */

int
store_appcred_get(struct store *st, const char *id, struct kg_appcred *out,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, APPCRED_SELECT " WHERE id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return get_one(st, s, "appcred get", id, out, err);
}

int
store_appcred_get_by_name(struct store *st, const char *user_id,
    const char *name, struct kg_appcred *out, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, APPCRED_SELECT " WHERE user_id = ? AND name = ?",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, user_id);
	db_bind_text(s, 2, name);
	return get_one(st, s, "appcred get by name", name, out, err);
}

int
store_appcred_list(struct store *st, const char *user_id, const char *name,
    struct kg_appcred **out, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;
	size_t		 i;

	if ((s = store_prepare(st, APPCRED_SELECT " WHERE user_id = ?1 AND"
	    " (?2 IS NULL OR name = ?2) ORDER BY rowid", err)) == NULL)
		return -1;
	db_bind_text(s, 1, user_id);
	db_bind_text(s, 2, name);
	if (store_get_all(st, s, "appcred list", sizeof(**out), appcred_row,
	    appcred_free_one, (void **)out, n, err) == -1)
		return -1;
	for (i = 0; i < *n; i++)
		if (load_parts(st, &(*out)[i], err) == -1) {
			kg_appcred_list_free(*out, *n);
			*out = NULL;
			*n = 0;
			return -1;
		}
	return 0;
}

int
store_appcred_ids_for_role(struct store *st, const char *role_id, char ***ids,
    size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT ac.id FROM application_credential AS ac"
	    " WHERE ac.id IN (SELECT application_credential_id"
	    "  FROM application_credential_role WHERE role_id = ?1)"
	    " OR EXISTS (SELECT 1 FROM assignment AS a WHERE a.role_id = ?1"
	    "  AND a.user_id = ac.user_id AND a.project_id = ac.project_id)"
	    " ORDER BY ac.rowid", err)) == NULL)
		return -1;
	db_bind_text(s, 1, role_id);
	return store_get_strings(st, s, "appcred ids for role", ids, n, err);
}

int
store_access_rule_get(struct store *st, const char *user_id, const char *id,
    struct kg_access_rule *out, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT " RULE_COLS " FROM access_rule"
	    " WHERE id = ? AND user_id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	db_bind_text(s, 2, user_id);
	return store_get_one(st, s, "access rule get", rule_row, out,
	    "Access Rule", id, err);
}

int
store_access_rule_find(struct store *st, const char *user_id,
    const struct kg_access_rule *m, struct kg_access_rule *out,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT " RULE_COLS " FROM access_rule"
	    " WHERE user_id = ? AND service = ? AND path = ? AND method = ?",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, user_id);
	db_bind_text(s, 2, m->service);
	db_bind_text(s, 3, m->path);
	db_bind_text(s, 4, m->method);
	return store_get_one(st, s, "access rule find", rule_row, out,
	    "Access Rule", m->path, err);
}

int
store_access_rule_exists(struct store *st, const char *id, int *yes,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT 1 FROM access_rule WHERE id = ?",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return store_exists(st, s, "access rule exists", yes, err);
}

int
store_access_rule_list(struct store *st, const char *user_id,
    const char *service, const char *path, const char *method,
    struct kg_access_rule **out, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT " RULE_COLS " FROM access_rule"
	    " WHERE user_id = ?1 AND (?2 IS NULL OR service = ?2)"
	    " AND (?3 IS NULL OR path = ?3) AND (?4 IS NULL OR method = ?4)"
	    " ORDER BY rowid", err)) == NULL)
		return -1;
	db_bind_text(s, 1, user_id);
	db_bind_text(s, 2, service);
	db_bind_text(s, 3, path);
	db_bind_text(s, 4, method);
	return store_get_all(st, s, "access rule list", sizeof(**out), rule_row,
	    NULL, (void **)out, n, err);
}

int
store_access_rule_in_use(struct store *st, const char *id, int *yes,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT 1 FROM application_credential_access_rule"
	    " WHERE access_rule_id = ? LIMIT 1", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return store_exists(st, s, "access rule in use", yes, err);
}

/* ------------------------------------------------------------------------
 * Writes.
 * --------------------------------------------------------------------- */

int
store_appcred_create(struct store *st, const struct kg_appcred *c,
    struct kg_err *err)
{
	struct db_stmt	*s;
	char		 msg[512];
	size_t		 i;

	if ((s = store_prepare(st, "INSERT INTO application_credential (" APPCRED_COLS
	    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", err)) == NULL)
		return -1;
	db_bind_text(s, 1, c->id);
	db_bind_text(s, 2, c->name);
	db_bind_text(s, 3, c->secret_hash);
	db_bind_text(s, 4, c->description);
	db_bind_text(s, 5, c->user_id);
	db_bind_text(s, 6, c->project_id);
	if (c->expires_at != 0)
		db_bind_int64(s, 7, c->expires_at);
	if (c->unrestricted >= 0)
		db_bind_int(s, 8, c->unrestricted);
	db_bind_int64(s, 9, c->created_at);
	if (store_run(st, s, "appcred create", store_dup_msg(msg, sizeof(msg),
	    "application_credential", c->name, NULL), err) == -1)
		return -1;
	for (i = 0; i < c->nroles; i++) {
		if ((s = store_prepare(st, "INSERT INTO application_credential_role"
		    " (application_credential_id, role_id) VALUES (?, ?)",
		    err)) == NULL)
			return -1;
		db_bind_text(s, 1, c->id);
		db_bind_text(s, 2, c->roles[i].id);
		if (store_run(st, s, "appcred role", NULL, err) == -1)
			return -1;
	}
	for (i = 0; i < c->nrules; i++) {
		if ((s = store_prepare(st, "INSERT INTO application_credential_access_rule"
		    " (application_credential_id, access_rule_id) VALUES (?, ?)",
		    err)) == NULL)
			return -1;
		db_bind_text(s, 1, c->id);
		db_bind_text(s, 2, c->rules[i].id);
		if (store_run(st, s, "appcred access rule", NULL, err) == -1)
			return -1;
	}
	return 0;
}

int
store_appcred_delete(struct store *st, const char *id, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "DELETE FROM application_credential WHERE id = ?",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return store_exec_one(st, s, "appcred delete", NULL,
	    "Application Credential", id, err);
}

int
store_access_rule_create(struct store *st, const char *user_id,
    const struct kg_access_rule *r, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "INSERT INTO access_rule (id, user_id, service, path,"
	    " method) VALUES (?, ?, ?, ?, ?)", err)) == NULL)
		return -1;
	db_bind_text(s, 1, r->id);
	db_bind_text(s, 2, user_id);
	db_bind_text(s, 3, r->service);
	db_bind_text(s, 4, r->path);
	db_bind_text(s, 5, r->method);
	return store_run(st, s, "access rule create",
	    "Conflict occurred attempting to store access_rule - Duplicate entry.",
	    err);
}

int
store_access_rule_delete(struct store *st, const char *user_id, const char *id,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "DELETE FROM access_rule WHERE id = ? AND user_id = ?",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	db_bind_text(s, 2, user_id);
	return store_exec_one(st, s, "access rule delete", NULL, "Access Rule", id,
	    err);
}
