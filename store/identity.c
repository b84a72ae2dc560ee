/*
 * identity.c - domains, projects (with tags), users, groups and group
 * membership in SQLite (see identity.h for the contract).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "store/identity.h"
#include "store/store_int.h"

/* ------------------------------------------------------------------------
 * Helpers.
 * --------------------------------------------------------------------- */

/* strdup that treats NULL as "" (columns declared NOT NULL DEFAULT ''). */
static const char *
or_empty(const char *s)
{
	return s != NULL ? s : "";
}

static const char *
or_obj(const char *s)
{
	return s != NULL && *s != '\0' ? s : "{}";
}

/* NULL for "" so optional references are stored as SQL NULL. */
static const char *
nz(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : NULL;
}

/* Duplicate a text column, "" when NULL; NULL only when out of memory. */
static char *
col_str(sqlite3_stmt *s, int col)
{
	char	*v = store_col_strdup(s, col);

	return v != NULL ? v : strdup("");
}

static int
oom(struct kg_err *err)
{
	return kg_errf(err, KG_EINTERNAL, "out of memory");
}

#define DUP_MSG_SIZE	640

/*
 * Keystone's text for a duplicate name (keystone/common/sql/core.py):
 * "Conflict occurred attempting to store <type> - Duplicate entry found
 * with name <name>[ at domain ID <domain>]." Into buf; returns buf.
 */
static const char *
dup_msg(char *buf, const char *type, const char *name, const char *domain_id)
{
	if (domain_id != NULL)
		snprintf(buf, DUP_MSG_SIZE, "Conflict occurred attempting to store %s"
		    " - Duplicate entry found with name %s at domain ID %s.", type,
		    name, domain_id);
	else
		snprintf(buf, DUP_MSG_SIZE, "Conflict occurred attempting to store %s"
		    " - Duplicate entry found with name %s.", type, name);
	return buf;
}

/* ------------------------------------------------------------------------
 * Free functions.
 * --------------------------------------------------------------------- */

void
kg_domain_free(struct kg_domain *d)
{
	if (d == NULL)
		return;
	free(d->description);
	free(d->extra);
	d->description = d->extra = NULL;
}

void
kg_project_free(struct kg_project *p)
{
	if (p == NULL)
		return;
	free(p->description);
	free(p->extra);
	store_strv_free(p->tags, p->ntags);
	p->description = p->extra = NULL;
	p->tags = NULL;
	p->ntags = 0;
}

void
kg_user_free(struct kg_user *u)
{
	if (u == NULL)
		return;
	if (u->password_hash != NULL) {
		kg_wipe(u->password_hash, strlen(u->password_hash));
		free(u->password_hash);
	}
	free(u->extra);
	u->password_hash = u->extra = NULL;
}

void
kg_group_free(struct kg_group *g)
{
	if (g == NULL)
		return;
	free(g->description);
	free(g->extra);
	g->description = g->extra = NULL;
}

/* ------------------------------------------------------------------------
 * Domains.
 * --------------------------------------------------------------------- */

#define DOMAIN_COLS	"id, name, description, enabled, extra"

static int
domain_from_row(sqlite3_stmt *s, struct kg_domain *d, struct kg_err *err)
{
	memset(d, 0, sizeof(*d));
	store_col_copy(s, 0, d->id, sizeof(d->id));
	store_col_copy(s, 1, d->name, sizeof(d->name));
	d->enabled = sqlite3_column_int(s, 3);
	if ((d->description = col_str(s, 2)) == NULL ||
	    (d->extra = col_str(s, 4)) == NULL) {
		kg_domain_free(d);
		return oom(err);
	}
	return 0;
}

/* Step s (bound) expecting at most one row; fill d. */
static int
domain_one(struct store *st, sqlite3_stmt *s, const char *key,
    struct kg_domain *d, struct kg_err *err)
{
	int	rc = sqlite3_step(s), ret;

	if (rc == SQLITE_ROW)
		ret = domain_from_row(s, d, err);
	else if (rc == SQLITE_DONE)
		ret = kg_errf(err, KG_ENOTFOUND, "Could not find domain: %s.", key);
	else
		ret = store_sqlerr(st, rc, "domain get", NULL, err);
	sqlite3_reset(s);
	return ret;
}

int
store_domain_get(struct store *st, const char *id, struct kg_domain *out,
    struct kg_err *err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, "SELECT " DOMAIN_COLS " FROM domain WHERE id = ?",
	    err)) == NULL)
		return -1;
	store_bind_text(s, 1, id);
	return domain_one(st, s, id, out, err);
}

int
store_domain_get_by_name(struct store *st, const char *name,
    struct kg_domain *out, struct kg_err *err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, "SELECT " DOMAIN_COLS " FROM domain WHERE name = ?",
	    err)) == NULL)
		return -1;
	store_bind_text(s, 1, name);
	return domain_one(st, s, name, out, err);
}

int
store_domain_create(struct store *st, const struct kg_domain *d,
    struct kg_err *err)
{
	sqlite3_stmt	*s;
	char		 msg[DUP_MSG_SIZE];

	if ((s = store_stmt(st, "INSERT INTO domain (id, name, description, enabled,"
	    " extra) VALUES (?, ?, ?, ?, ?)", err)) == NULL)
		return -1;
	store_bind_text(s, 1, d->id);
	store_bind_text(s, 2, d->name);
	store_bind_text(s, 3, or_empty(d->description));
	sqlite3_bind_int(s, 4, d->enabled ? 1 : 0);
	store_bind_text(s, 5, or_obj(d->extra));
	return store_exec_stmt(st, s, "domain create",
	    dup_msg(msg, "domain", d->name, NULL), err);
}

/* ------------------------------------------------------------------------
 * Projects.
 * --------------------------------------------------------------------- */

#define PROJECT_COLS	"id, name, description, domain_id, parent_id, enabled, extra"

/* Load p->tags for p->id. */
static int
project_load_tags(struct store *st, struct kg_project *p, struct kg_err *err)
{
	sqlite3_stmt	*s;
	char		**v;
	size_t		 cap = 0;
	int		 rc;

	if ((s = store_stmt(st, "SELECT name FROM project_tag WHERE project_id = ?"
	    " ORDER BY rowid", err)) == NULL)
		return -1;
	store_bind_text(s, 1, p->id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (p->ntags == cap) {
			cap = cap ? cap * 2 : 4;
			if ((v = realloc(p->tags, cap * sizeof(*v))) == NULL)
				goto nomem;
			p->tags = v;
		}
		if ((p->tags[p->ntags] = col_str(s, 0)) == NULL)
			goto nomem;
		p->ntags++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_sqlerr(st, rc, "project tags", NULL, err);
	return 0;
 nomem:
	sqlite3_reset(s);
	return oom(err);
}

static int
project_from_row(sqlite3_stmt *s, struct kg_project *p, struct kg_err *err)
{
	memset(p, 0, sizeof(*p));
	store_col_copy(s, 0, p->id, sizeof(p->id));
	store_col_copy(s, 1, p->name, sizeof(p->name));
	store_col_copy(s, 3, p->domain_id, sizeof(p->domain_id));
	store_col_copy(s, 4, p->parent_id, sizeof(p->parent_id));
	p->enabled = sqlite3_column_int(s, 5);
	if ((p->description = col_str(s, 2)) == NULL ||
	    (p->extra = col_str(s, 6)) == NULL) {
		kg_project_free(p);
		return oom(err);
	}
	return 0;
}

static int
project_one(struct store *st, sqlite3_stmt *s, const char *key,
    struct kg_project *p, struct kg_err *err)
{
	int	rc = sqlite3_step(s), ret;

	if (rc == SQLITE_ROW)
		ret = project_from_row(s, p, err);
	else if (rc == SQLITE_DONE)
		ret = kg_errf(err, KG_ENOTFOUND, "Could not find project: %s.", key);
	else
		ret = store_sqlerr(st, rc, "project get", NULL, err);
	sqlite3_reset(s);
	if (ret == 0 && project_load_tags(st, p, err) == -1) {
		kg_project_free(p);
		return -1;
	}
	return ret;
}

int
store_project_get(struct store *st, const char *id, struct kg_project *out,
    struct kg_err *err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, "SELECT " PROJECT_COLS " FROM project WHERE id = ?",
	    err)) == NULL)
		return -1;
	store_bind_text(s, 1, id);
	return project_one(st, s, id, out, err);
}

int
store_project_get_by_name(struct store *st, const char *domain_id,
    const char *name, struct kg_project *out, struct kg_err *err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, "SELECT " PROJECT_COLS " FROM project"
	    " WHERE domain_id = ? AND name = ?", err)) == NULL)
		return -1;
	store_bind_text(s, 1, domain_id);
	store_bind_text(s, 2, name);
	return project_one(st, s, name, out, err);
}

/* Insert the tags of p (within the caller's transaction, if any). */
static int
project_insert_tags(struct store *st, const char *project_id, char *const *tags,
    size_t ntags, struct kg_err *err)
{
	sqlite3_stmt	*s;
	size_t		 i;

	for (i = 0; i < ntags; i++) {
		if ((s = store_stmt(st, "INSERT OR IGNORE INTO project_tag"
		    " (project_id, name) VALUES (?, ?)", err)) == NULL)
			return -1;
		store_bind_text(s, 1, project_id);
		store_bind_text(s, 2, tags[i]);
		if (store_exec_stmt(st, s, "project tag", NULL, err) == -1)
			return -1;
	}
	return 0;
}

/* Open a transaction unless the caller already has one (*own says which). */
static int
tx_begin(struct store *st, int *own, struct kg_err *err)
{
	*own = sqlite3_get_autocommit(st->db);
	return *own ? store_begin(st, err) : 0;
}

static int
tx_end(struct store *st, int own, int ret, struct kg_err *err)
{
	if (!own)
		return ret;
	if (ret == -1) {
		store_rollback(st);
		return -1;
	}
	return store_commit(st, err);
}

int
store_project_create(struct store *st, const struct kg_project *p,
    struct kg_err *err)
{
	sqlite3_stmt	*s;
	char		 msg[DUP_MSG_SIZE];
	int		 own, ret = -1;

	if (tx_begin(st, &own, err) == -1)
		return -1;
	if ((s = store_stmt(st, "INSERT INTO project (id, name, description,"
	    " domain_id, parent_id, enabled, extra) VALUES (?, ?, ?, ?, ?, ?, ?)",
	    err)) == NULL)
		goto done;
	store_bind_text(s, 1, p->id);
	store_bind_text(s, 2, p->name);
	store_bind_text(s, 3, or_empty(p->description));
	store_bind_text(s, 4, p->domain_id);
	store_bind_text(s, 5, nz(p->parent_id));
	sqlite3_bind_int(s, 6, p->enabled ? 1 : 0);
	store_bind_text(s, 7, or_obj(p->extra));
	if (store_exec_stmt(st, s, "project create",
	    dup_msg(msg, "project", p->name, p->domain_id), err) == -1)
		goto done;
	if (project_insert_tags(st, p->id, p->tags, p->ntags, err) == -1)
		goto done;
	ret = 0;
 done:
	return tx_end(st, own, ret, err);
}

/* ------------------------------------------------------------------------
 * Users.
 * --------------------------------------------------------------------- */

#define USER_COLS	"id, name, domain_id, enabled, password_hash," \
			" password_expires_at, default_project_id, extra, created_at"

static int
user_from_row(sqlite3_stmt *s, struct kg_user *u, struct kg_err *err)
{
	memset(u, 0, sizeof(*u));
	store_col_copy(s, 0, u->id, sizeof(u->id));
	store_col_copy(s, 1, u->name, sizeof(u->name));
	store_col_copy(s, 2, u->domain_id, sizeof(u->domain_id));
	u->enabled = sqlite3_column_int(s, 3);
	if (sqlite3_column_type(s, 4) != SQLITE_NULL &&
	    (u->password_hash = store_col_strdup(s, 4)) == NULL)
		goto nomem;
	u->password_expires_at = sqlite3_column_int64(s, 5);
	store_col_copy(s, 6, u->default_project_id, sizeof(u->default_project_id));
	if ((u->extra = col_str(s, 7)) == NULL)
		goto nomem;
	u->created_at = sqlite3_column_int64(s, 8);
	return 0;
 nomem:
	kg_user_free(u);
	return oom(err);
}

static int
user_one(struct store *st, sqlite3_stmt *s, const char *key, struct kg_user *u,
    struct kg_err *err)
{
	int	rc = sqlite3_step(s), ret;

	if (rc == SQLITE_ROW)
		ret = user_from_row(s, u, err);
	else if (rc == SQLITE_DONE)
		ret = kg_errf(err, KG_ENOTFOUND, "Could not find user: %s.", key);
	else
		ret = store_sqlerr(st, rc, "user get", NULL, err);
	sqlite3_reset(s);
	return ret;
}

int
store_user_get(struct store *st, const char *id, struct kg_user *out,
    struct kg_err *err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, "SELECT " USER_COLS " FROM user WHERE id = ?",
	    err)) == NULL)
		return -1;
	store_bind_text(s, 1, id);
	return user_one(st, s, id, out, err);
}

int
store_user_get_by_name(struct store *st, const char *domain_id,
    const char *name, struct kg_user *out, struct kg_err *err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, "SELECT " USER_COLS " FROM user"
	    " WHERE domain_id = ? AND name = ?", err)) == NULL)
		return -1;
	store_bind_text(s, 1, domain_id);
	store_bind_text(s, 2, name);
	return user_one(st, s, name, out, err);
}

int
store_user_create(struct store *st, const struct kg_user *u, struct kg_err *err)
{
	sqlite3_stmt	*s;
	char		 msg[DUP_MSG_SIZE];
	int64_t		 now = u->created_at ? u->created_at : kg_now_us();

	if ((s = store_stmt(st, "INSERT INTO user (id, name, domain_id, enabled,"
	    " password_hash, password_created_at, password_expires_at,"
	    " default_project_id, extra, created_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err)) == NULL)
		return -1;
	store_bind_text(s, 1, u->id);
	store_bind_text(s, 2, u->name);
	store_bind_text(s, 3, u->domain_id);
	sqlite3_bind_int(s, 4, u->enabled ? 1 : 0);
	store_bind_text(s, 5, u->password_hash);
	if (u->password_hash != NULL)
		sqlite3_bind_int64(s, 6, now);
	if (u->password_expires_at != 0)
		sqlite3_bind_int64(s, 7, u->password_expires_at);
	store_bind_text(s, 8, nz(u->default_project_id));
	store_bind_text(s, 9, or_obj(u->extra));
	sqlite3_bind_int64(s, 10, now);
	return store_exec_stmt(st, s, "user create",
	    dup_msg(msg, "user", u->name, u->domain_id), err);
}

int
store_user_set_password(struct store *st, const char *user_id,
    const char *hash, int64_t expires_at, struct kg_err *err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, "UPDATE user SET password_hash = ?,"
	    " password_created_at = ?, password_expires_at = ? WHERE id = ?",
	    err)) == NULL)
		return -1;
	store_bind_text(s, 1, hash);
	if (hash != NULL)
		sqlite3_bind_int64(s, 2, kg_now_us());
	if (expires_at != 0)
		sqlite3_bind_int64(s, 3, expires_at);
	store_bind_text(s, 4, user_id);
	if (store_exec_stmt(st, s, "user set password", NULL, err) == -1)
		return -1;
	if (store_changes(st) == 0)
		return kg_errf(err, KG_ENOTFOUND, "Could not find user: %s.", user_id);
	return 0;
}

/* Collect column 0 of every row of s (bound) into a string array. */
static int
collect_strings(struct store *st, sqlite3_stmt *s, char ***out, size_t *n,
    struct kg_err *err)
{
	char	**v = NULL, **nv;
	size_t	 cnt = 0, cap = 0;
	int	 rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 8;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
				goto nomem;
			v = nv;
		}
		if ((v[cnt] = col_str(s, 0)) == NULL)
			goto nomem;
		cnt++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_strv_free(v, cnt);
		return store_sqlerr(st, rc, "list ids", NULL, err);
	}
	*out = v;
	*n = cnt;
	return 0;
 nomem:
	sqlite3_reset(s);
	store_strv_free(v, cnt);
	return oom(err);
}

int
store_user_group_ids(struct store *st, const char *user_id, char ***ids,
    size_t *n, struct kg_err *err)
{
	sqlite3_stmt	*s;

	*ids = NULL;
	*n = 0;
	if ((s = store_stmt(st, "SELECT group_id FROM user_group WHERE user_id = ?"
	    " ORDER BY group_id", err)) == NULL)
		return -1;
	store_bind_text(s, 1, user_id);
	return collect_strings(st, s, ids, n, err);
}
