/*
 * identity.c - domains, projects (with tags), users, groups and group
 * membership (see identity.h for the contract).
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

/* extra as stored: "{}" for NULL or "". */
static const char *
or_obj(const char *s)
{
	return s != NULL && *s != '\0' ? s : "{}";
}

static int
oom(struct kg_err *err)
{
	return kg_errf(err, KG_EINTERNAL, "out of memory");
}

#define DUP_MSG_SIZE	640

/*
 * Keystone replaces the generic text for projects and domains (which are
 * projects acting as domains there): resource/core.py
 * _generate_project_name_conflict_msg.
 */
static const char *
project_dup_msg(char *buf, const struct kg_project *p)
{
	snprintf(buf, DUP_MSG_SIZE, "Conflict occurred attempting to store project"
	    " - it is not permitted to have two projects with either the same name"
	    " or same id in the same domain: name is %s, project id %s.", p->name,
	    p->id);
	return buf;
}

static const char *
domain_dup_msg(char *buf, const char *name)
{
	snprintf(buf, DUP_MSG_SIZE, "Conflict occurred attempting to store project"
	    " - it is not permitted to have two projects acting as domains with"
	    " the same name: %s.", name);
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
domain_row(struct db_stmt *s, void *p, struct kg_err *err)
{
	struct kg_domain	*d = p;

	memset(d, 0, sizeof(*d));
	db_col_copy(s, 0, d->id, sizeof(d->id));
	db_col_copy(s, 1, d->name, sizeof(d->name));
	d->enabled = db_col_int(s, 3);
	if ((d->description = db_col_str(s, 2)) == NULL ||
	    (d->extra = db_col_str(s, 4)) == NULL) {
		kg_domain_free(d);
		return oom(err);
	}
	return 0;
}

int
store_domain_get(struct store *st, const char *id, struct kg_domain *out,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT " DOMAIN_COLS " FROM domain WHERE id = ?",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return store_get_one(st, s, "domain get", domain_row, out, "domain", id,
	    err);
}

int
store_domain_get_by_name(struct store *st, const char *name,
    struct kg_domain *out, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT " DOMAIN_COLS " FROM domain WHERE name = ?",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, name);
	return store_get_one(st, s, "domain get", domain_row, out, "domain", name,
	    err);
}

int
store_domain_create(struct store *st, const struct kg_domain *d,
    struct kg_err *err)
{
	struct db_stmt	*s;
	char		 msg[DUP_MSG_SIZE];

	if ((s = store_prepare(st, "INSERT INTO domain (id, name, description, enabled,"
	    " extra) VALUES (?, ?, ?, ?, ?)", err)) == NULL)
		return -1;
	db_bind_text(s, 1, d->id);
	db_bind_text(s, 2, d->name);
	db_bind_text(s, 3, store_or(d->description, ""));
	db_bind_int(s, 4, d->enabled ? 1 : 0);
	db_bind_text(s, 5, or_obj(d->extra));
	return store_run(st, s, "domain create", domain_dup_msg(msg, d->name),
	    err);
}

/* ------------------------------------------------------------------------
 * Projects.
 * --------------------------------------------------------------------- */

#define PROJECT_COLS	"id, name, description, domain_id, parent_id, enabled, extra"
#define PROJECT_COLS_P	"p.id, p.name, p.description, p.domain_id, p.parent_id," \
			" p.enabled, p.extra"

/* Load p->tags for p->id (p has none yet). */
static int
project_load_tags(struct store *st, struct kg_project *p, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT name FROM project_tag WHERE project_id = ?"
	    " ORDER BY rowid", err)) == NULL)
		return -1;
	db_bind_text(s, 1, p->id);
	return store_get_strings(st, s, "project tags", &p->tags, &p->ntags, err);
}

/* A project row, without its tags. */
static int
project_row(struct db_stmt *s, void *v, struct kg_err *err)
{
	struct kg_project	*p = v;

	memset(p, 0, sizeof(*p));
	db_col_copy(s, 0, p->id, sizeof(p->id));
	db_col_copy(s, 1, p->name, sizeof(p->name));
	db_col_copy(s, 3, p->domain_id, sizeof(p->domain_id));
	db_col_copy(s, 4, p->parent_id, sizeof(p->parent_id));
	p->enabled = db_col_int(s, 5);
	if ((p->description = db_col_str(s, 2)) == NULL ||
	    (p->extra = db_col_str(s, 6)) == NULL) {
		kg_project_free(p);
		return oom(err);
	}
	return 0;
}

/* store_get_one for a project, with its tags. */
static int
project_one(struct store *st, struct db_stmt *s, const char *key,
    struct kg_project *p, struct kg_err *err)
{
	if (store_get_one(st, s, "project get", project_row, p, "project", key,
	    err) == -1)
		return -1;
	if (project_load_tags(st, p, err) == -1) {
		kg_project_free(p);
		return -1;
	}
	return 0;
}

int
store_project_get(struct store *st, const char *id, struct kg_project *out,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT " PROJECT_COLS " FROM project WHERE id = ?",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return project_one(st, s, id, out, err);
}

int
store_project_get_by_name(struct store *st, const char *domain_id,
    const char *name, struct kg_project *out, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT " PROJECT_COLS " FROM project"
	    " WHERE domain_id = ? AND name = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, domain_id);
	db_bind_text(s, 2, name);
	return project_one(st, s, name, out, err);
}

/* Insert the tags of p (within the caller's transaction, if any). */
static int
project_insert_tags(struct store *st, const char *project_id, char *const *tags,
    size_t ntags, struct kg_err *err)
{
	struct db_stmt	*s;
	size_t		 i;

	for (i = 0; i < ntags; i++) {
		if ((s = store_prepare(st, "INSERT INTO project_tag"
		    " (project_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING", err)) == NULL)
			return -1;
		db_bind_text(s, 1, project_id);
		db_bind_text(s, 2, tags[i]);
		if (store_run(st, s, "project tag", NULL, err) == -1)
			return -1;
	}
	return 0;
}

/* Open a transaction unless the caller already has one (*own says which). */
static int
tx_begin(struct store *st, int *own, struct kg_err *err)
{
	*own = store_in_transaction(st) == STORE_TX_NONE;
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
	struct db_stmt	*s;
	char		 msg[DUP_MSG_SIZE];
	int		 own, ret = -1;

	if (tx_begin(st, &own, err) == -1)
		return -1;
	if ((s = store_prepare(st, "INSERT INTO project (id, name, description,"
	    " domain_id, parent_id, enabled, extra) VALUES (?, ?, ?, ?, ?, ?, ?)",
	    err)) == NULL)
		goto done;
	db_bind_text(s, 1, p->id);
	db_bind_text(s, 2, p->name);
	db_bind_text(s, 3, store_or(p->description, ""));
	db_bind_text(s, 4, p->domain_id);
	db_bind_text(s, 5, store_nz(p->parent_id));
	db_bind_int(s, 6, p->enabled ? 1 : 0);
	db_bind_text(s, 7, or_obj(p->extra));
	if (store_run(st, s, "project create",
	    project_dup_msg(msg, p), err) == -1)
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
user_row(struct db_stmt *s, void *p, struct kg_err *err)
{
	struct kg_user	*u = p;

	memset(u, 0, sizeof(*u));
	db_col_copy(s, 0, u->id, sizeof(u->id));
	db_col_copy(s, 1, u->name, sizeof(u->name));
	db_col_copy(s, 2, u->domain_id, sizeof(u->domain_id));
	u->enabled = db_col_int(s, 3);
	if (!db_col_null(s, 4) &&
	    (u->password_hash = db_col_strdup(s, 4)) == NULL)
		goto nomem;
	u->password_expires_at = db_col_int64(s, 5);
	db_col_copy(s, 6, u->default_project_id, sizeof(u->default_project_id));
	if ((u->extra = db_col_str(s, 7)) == NULL)
		goto nomem;
	u->created_at = db_col_int64(s, 8);
	return 0;
 nomem:
	kg_user_free(u);
	return oom(err);
}

int
store_user_get(struct store *st, const char *id, struct kg_user *out,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT " USER_COLS " FROM \"user\" WHERE id = ?",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return store_get_one(st, s, "user get", user_row, out, "user", id, err);
}

int
store_user_get_by_name(struct store *st, const char *domain_id,
    const char *name, struct kg_user *out, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT " USER_COLS " FROM \"user\""
	    " WHERE domain_id = ? AND name = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, domain_id);
	db_bind_text(s, 2, name);
	return store_get_one(st, s, "user get", user_row, out, "user", name, err);
}

int
store_user_create(struct store *st, const struct kg_user *u, struct kg_err *err)
{
	struct db_stmt	*s;
	char		 msg[DUP_MSG_SIZE];
	int64_t		 now = u->created_at ? u->created_at : kg_now_us();

	if ((s = store_prepare(st, "INSERT INTO \"user\" (id, name, domain_id, enabled,"
	    " password_hash, password_created_at, password_expires_at,"
	    " default_project_id, extra, created_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err)) == NULL)
		return -1;
	db_bind_text(s, 1, u->id);
	db_bind_text(s, 2, u->name);
	db_bind_text(s, 3, u->domain_id);
	db_bind_int(s, 4, u->enabled ? 1 : 0);
	db_bind_text(s, 5, u->password_hash);
	if (u->password_hash != NULL)
		db_bind_int64(s, 6, now);
	if (u->password_expires_at != 0)
		db_bind_int64(s, 7, u->password_expires_at);
	db_bind_text(s, 8, store_nz(u->default_project_id));
	db_bind_text(s, 9, or_obj(u->extra));
	db_bind_int64(s, 10, now);
	return store_run(st, s, "user create", store_dup_msg(msg,
	    sizeof(msg), "user", u->name, u->domain_id), err);
}

int
store_user_set_password(struct store *st, const char *user_id,
    const char *hash, int64_t expires_at, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "UPDATE \"user\" SET password_hash = ?,"
	    " password_created_at = ?, password_expires_at = ? WHERE id = ?",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, hash);
	if (hash != NULL)
		db_bind_int64(s, 2, kg_now_us());
	if (expires_at != 0)
		db_bind_int64(s, 3, expires_at);
	db_bind_text(s, 4, user_id);
	return store_exec_one(st, s, "user set password", NULL, "user", user_id,
	    err);
}

int
store_user_rehash_password(struct store *st, const char *user_id,
    const char *old_hash, const char *new_hash, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "UPDATE \"user\" SET password_hash = ?"
	    " WHERE id = ? AND password_hash = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, new_hash);
	db_bind_text(s, 2, user_id);
	db_bind_text(s, 3, old_hash);
	if (store_run(st, s, "user rehash password", NULL, err) == -1)
		return -1;
	return store_changes(st) > 0;
}

int
store_user_group_ids(struct store *st, const char *user_id, char ***ids,
    size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	*ids = NULL;
	*n = 0;
	if ((s = store_prepare(st, "SELECT group_id FROM user_group WHERE user_id = ?"
	    " ORDER BY group_id", err)) == NULL)
		return -1;
	db_bind_text(s, 1, user_id);
	return store_get_strings(st, s, "list ids", ids, n, err);
}

/* ------------------------------------------------------------------------
 * Lists: store_get_all with per-type free functions.
 * --------------------------------------------------------------------- */

static void
domain_free_one(void *p)
{
	kg_domain_free(p);
}

static void
project_free_one(void *p)
{
	kg_project_free(p);
}

static void
user_free_one(void *p)
{
	kg_user_free(p);
}

static void
group_free_one(void *p)
{
	kg_group_free(p);
}

void
kg_domain_list_free(struct kg_domain *v, size_t n)
{
	store_free_each(v, n, sizeof(*v), domain_free_one);
}

void
kg_project_list_free(struct kg_project *v, size_t n)
{
	store_free_each(v, n, sizeof(*v), project_free_one);
}

void
kg_user_list_free(struct kg_user *v, size_t n)
{
	store_free_each(v, n, sizeof(*v), user_free_one);
}

void
kg_group_list_free(struct kg_group *v, size_t n)
{
	store_free_each(v, n, sizeof(*v), group_free_one);
}

/* ------------------------------------------------------------------------
 * Domains: list, update, delete.
 * --------------------------------------------------------------------- */

/* A marker for a list of projects or domains: Keystone keeps both in
 * one table, so either names a place in either list. */
#define PROJECT_MARKER_SQL	"SELECT 1 FROM project WHERE id = ?1" \
				" UNION ALL SELECT 1 FROM domain WHERE id = ?1"

int
store_domain_list(struct store *st, const struct kg_domain_filter *f,
    struct kg_page *pg, struct kg_domain **out, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	*out = NULL;
	*n = 0;
	if (store_page_marker(st, PROJECT_MARKER_SQL, pg, err) == -1)
		return -1;
	if ((s = store_prepare(st, "SELECT " DOMAIN_COLS " FROM domain WHERE"
	    STORE_PAGE_AFTER("id") " AND (:id IS NULL OR id = :id)"
	    " AND (:name IS NULL OR name = :name)"
	    " AND (:enabled < 0 OR enabled = :enabled)" STORE_NAME_MATCH_SQL
	    STORE_PAGE_END("id"), err)) == NULL)
		return -1;
	store_bind_named(s, ":id", f->id);
	store_bind_named(s, ":name", f->name);
	store_bind_named_int64(s, ":enabled", f->enabled);
	if (store_bind_name_match(s, &f->match, err) == -1) {
		db_reset(s);
		return -1;
	}
	store_bind_page(s, pg);
	return store_get_page(st, s, "domain list", sizeof(**out), domain_row,
	    domain_free_one, pg, (void **)out, n, err);
}

int
store_domain_update(struct store *st, const struct kg_domain *d,
    struct kg_err *err)
{
	struct db_stmt	*s;
	char		 msg[DUP_MSG_SIZE];

	if ((s = store_prepare(st, "UPDATE domain SET name = ?, description = ?,"
	    " enabled = ?, extra = ? WHERE id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, d->name);
	db_bind_text(s, 2, store_or(d->description, ""));
	db_bind_int(s, 3, d->enabled ? 1 : 0);
	db_bind_text(s, 4, or_obj(d->extra));
	db_bind_text(s, 5, d->id);
	return store_exec_one(st, s, "domain update", domain_dup_msg(msg, d->name),
	    "domain", d->id, err);
}

int
store_domain_delete(struct store *st, const char *id, struct kg_err *err)
{
	static const char *const sql[] = {
		"DELETE FROM \"user\" WHERE domain_id = ?",
		"DELETE FROM grp WHERE domain_id = ?",
		/* Users elsewhere keep no default project that is going. */
		("UPDATE \"user\" SET default_project_id = NULL WHERE default_project_id"
		" IN (SELECT id FROM project WHERE domain_id = ?)"),
		/* One statement: the parent_id references are all gone at its end. */
		"DELETE FROM project WHERE domain_id = ?",
		"DELETE FROM role WHERE domain_id = ?",
	};
	struct kg_domain	 d;
	struct db_stmt		*s;
	size_t			 i;

	if (store_domain_get(st, id, &d, err) == -1)
		return -1;
	kg_domain_free(&d);
	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		if ((s = store_prepare(st, sql[i], err)) == NULL)
			return -1;
		db_bind_text(s, 1, id);
		if (store_run(st, s, "domain delete contents", NULL, err) == -1)
			return -1;
	}
	if ((s = store_prepare(st, "DELETE FROM domain WHERE id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return store_exec_one(st, s, "domain delete", NULL, "domain", id, err);
}

/* ------------------------------------------------------------------------
 * Projects: list with filters, update, tags, delete, hierarchy.
 * --------------------------------------------------------------------- */

/*
 * After a list of projects was read (ret: the read's result): load the
 * tags of each, or release the list when that fails. Returns 0 or -1.
 */
static int
project_list_tags(struct store *st, int ret, struct kg_project **out,
    size_t *n, struct kg_err *err)
{
	size_t	i;

	if (ret == -1)
		return -1;
	for (i = 0; i < *n; i++)
		if (project_load_tags(st, &(*out)[i], err) == -1) {
			kg_project_list_free(*out, *n);
			*out = NULL;
			*n = 0;
			return -1;
		}
	return 0;
}

/*
 * Keystone's tag filters (resource/backends/sql.py list_projects_by_tags)
 * in SQL, so that a page is cut after them: :tags_x is the filter's
 * comma-separated list with a comma added at both ends, :ntags_x the
 * number of distinct names in it. A tag holds no ',' (schema), so
 * ",<tag>," occurs in the list only when the list names the tag; the
 * test for it (the list shrinks when it is removed) is in functions
 * both backends have.
 */
#define TAG_HITS(p)	"(SELECT count(*) FROM project_tag t WHERE" \
			" t.project_id = project.id AND length(replace(" p "," \
			" ',' || t.name || ',', '')) < length(" p "))"
#define PROJECT_FILTER_SQL						\
	" AND (:name IS NULL OR name = :name)"				\
	" AND (:parent IS NULL OR parent_id = :parent OR"		\
	"  (parent_id IS NULL AND domain_id = :parent))"		\
	" AND (:enabled < 0 OR enabled = :enabled)"			\
	" AND (:tags IS NULL OR " TAG_HITS(":tags") " = :ntags)"	\
	" AND (:tags_any IS NULL OR " TAG_HITS(":tags_any") " > 0)"	\
	" AND (:not_tags IS NULL OR " TAG_HITS(":not_tags") " < :nnot_tags)" \
	" AND (:not_tags_any IS NULL OR " TAG_HITS(":not_tags_any") " = 0)"

/*
 * Bind one tag filter: ",<list>," to name and the number of distinct
 * names in list to count (NULL list: no filter). -1 when out of memory.
 */
static int
bind_tag_filter(struct db_stmt *s, const char *name, const char *count,
    const char *list, struct kg_err *err)
{
	const char	*t, *u;
	size_t		 len, ulen, distinct = 0;
	char		*framed;

	if (list == NULL)
		return 0;
	/* A name counts once: the first time it appears in the list. */
	for (t = list;; t += len + 1) {
		len = strcspn(t, ",");
		for (u = list; u < t; u += ulen + 1) {
			ulen = strcspn(u, ",");
			if (ulen == len && strncmp(u, t, len) == 0)
				break;
		}
		if (u >= t)
			distinct++;
		if (t[len] == '\0')
			break;
	}
	if (asprintf(&framed, ",%s,", list) == -1)
		return oom(err);
	store_bind_named(s, name, framed);
	if (count != NULL)
		store_bind_named_int64(s, count, (int64_t)distinct);
	free(framed);
	return 0;
}

static int
bind_project_filter(struct db_stmt *s, const struct kg_project_filter *f,
    struct kg_err *err)
{
	store_bind_named(s, ":name", f->name);
	store_bind_named(s, ":domain", f->domain_id);
	store_bind_named(s, ":parent", f->parent_id);
	store_bind_named_int64(s, ":enabled", f->enabled);
	if (store_bind_name_match(s, &f->match, err) == -1 ||
	    bind_tag_filter(s, ":tags", ":ntags", f->tags, err) == -1 ||
	    bind_tag_filter(s, ":tags_any", NULL, f->tags_any, err) == -1 ||
	    bind_tag_filter(s, ":not_tags", ":nnot_tags", f->not_tags,
	    err) == -1 ||
	    bind_tag_filter(s, ":not_tags_any", NULL, f->not_tags_any, err) == -1)
		return -1;
	return 0;
}

/*
 * A list of projects with their tags in one query, not one query per
 * project: the list's own query is the CTE "p" (PROJECT_COLS, its WHERE),
 * and each row of the join carries one tag (NULL for a project without),
 * in the list's order (a project's rows are adjacent in any order that
 * ends with its id).
 */
#define PROJECT_TAGGED_SELECT(order)					\
	" SELECT p.id, p.name, p.description, p.domain_id, p.parent_id,"	\
	" p.enabled, p.extra, t.name FROM p"				\
	" LEFT JOIN project_tag t ON t.project_id = p.id"		\
	" ORDER BY " order ", t.rowid"

/* Append tag column col of s's row to p->tags (*tcap slots). */
static int
project_add_tag(struct db_stmt *s, int col, struct kg_project *p, size_t *tcap,
    struct kg_err *err)
{
	if (store_grow(&p->tags, sizeof(*p->tags), p->ntags, tcap, err) == -1 ||
	    p->tags == NULL)
		return -1;
	if ((p->tags[p->ntags] = db_col_str(s, col)) == NULL)
		return oom(err);
	p->ntags++;
	return 0;
}

/* Read the rows of a PROJECT_TAGGED_SELECT into *out[*n]; resets s. */
static int
project_tagged_rows(struct store *st, struct db_stmt *s,
    struct kg_project **out, size_t *n, struct kg_err *err)
{
	struct kg_project	*v = NULL;
	const char		*id;
	size_t			 cnt = 0, cap = 0, tcap = 0;
	int			 rc;

	*out = NULL;
	*n = 0;
	while ((rc = db_step(s)) == DB_ROW) {
		id = db_col_text(s, 0);
		if (cnt == 0 || id == NULL || strcmp(v[cnt - 1].id, id) != 0) {
			if (store_grow(&v, sizeof(*v), cnt, &cap, err) == -1 ||
			    v == NULL || project_row(s, &v[cnt], err) == -1)
				goto fail;
			cnt++;
			tcap = 0;
		}
		if (!db_col_null(s, 7) &&
		    project_add_tag(s, 7, &v[cnt - 1], &tcap, err) == -1)
			goto fail;
	}
	db_reset(s);
	if (rc != DB_DONE) {
		store_dberr(st, "list", NULL, err);
		goto fail;
	}
	*out = v;
	*n = cnt;
	return 0;
 fail:
	db_reset(s);
	kg_project_list_free(v, cnt);
	return -1;
}

int
store_project_list(struct store *st, const struct kg_project_filter *f,
    struct kg_page *pg, struct kg_project **out, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	*out = NULL;
	*n = 0;
	if (store_page_marker(st, PROJECT_MARKER_SQL, pg, err) == -1)
		return -1;
	/* The page is the CTE "p", then joined with its tags. Two statements,
	 * so that a domain's page reads the (domain_id, id) index rather than
	 * every project's id. */
	if (f->domain_id != NULL)
		s = store_prepare(st, "WITH p AS (SELECT " PROJECT_COLS
		    " FROM project WHERE domain_id = :domain AND"
		    STORE_PAGE_AFTER("id") PROJECT_FILTER_SQL STORE_NAME_MATCH_SQL
		    STORE_PAGE_END("id") ")" PROJECT_TAGGED_SELECT("p.id"), err);
	else
		s = store_prepare(st, "WITH p AS (SELECT " PROJECT_COLS
		    " FROM project WHERE" STORE_PAGE_AFTER("id") PROJECT_FILTER_SQL
		    STORE_NAME_MATCH_SQL STORE_PAGE_END("id") ")"
		    PROJECT_TAGGED_SELECT("p.id"), err);
	if (s == NULL)
		return -1;
	if (bind_project_filter(s, f, err) == -1) {
		db_reset(s);
		return -1;
	}
	store_bind_page(s, pg);
	if (project_tagged_rows(st, s, out, n, err) == -1)
		return -1;
	store_page_cut(pg, sizeof(**out), project_free_one, (void **)out, n);
	return 0;
}

int
store_project_update(struct store *st, const struct kg_project *p,
    struct kg_err *err)
{
	struct db_stmt	*s;
	char		 msg[DUP_MSG_SIZE];

	if ((s = store_prepare(st, "UPDATE project SET name = ?, description = ?,"
	    " enabled = ?, extra = ? WHERE id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, p->name);
	db_bind_text(s, 2, store_or(p->description, ""));
	db_bind_int(s, 3, p->enabled ? 1 : 0);
	db_bind_text(s, 4, or_obj(p->extra));
	db_bind_text(s, 5, p->id);
	return store_exec_one(st, s, "project update", project_dup_msg(msg, p),
	    "project", p->id, err);
}

/* KG_ENOTFOUND unless the project exists. */
static int
project_exists(struct store *st, const char *id, struct kg_err *err)
{
	struct db_stmt	*s;
	int		 yes = 0;

	if ((s = store_prepare(st, "SELECT 1 FROM project WHERE id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	if (store_exists(st, s, "project exists", &yes, err) == -1)
		return -1;
	return yes ? 0 : kg_errf(err, KG_ENOTFOUND, "Could not find project: %s.",
	    id);
}

int
store_project_set_tags(struct store *st, const char *project_id,
    char *const *tags, size_t ntags, struct kg_err *err)
{
	struct db_stmt	*s;

	if (project_exists(st, project_id, err) == -1)
		return -1;
	if ((s = store_prepare(st, "DELETE FROM project_tag WHERE project_id = ?",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, project_id);
	if (store_run(st, s, "project tags clear", NULL, err) == -1)
		return -1;
	return project_insert_tags(st, project_id, tags, ntags, err);
}

int
store_project_add_tag(struct store *st, const char *project_id,
    const char *tag, struct kg_err *err)
{
	char	*tags[1];

	if (project_exists(st, project_id, err) == -1)
		return -1;
	tags[0] = (char *)tag;
	return project_insert_tags(st, project_id, tags, 1, err);
}

int
store_project_delete_tag(struct store *st, const char *project_id,
    const char *tag, struct kg_err *err)
{
	struct db_stmt	*s;

	if (project_exists(st, project_id, err) == -1)
		return -1;
	if ((s = store_prepare(st, "DELETE FROM project_tag WHERE project_id = ?"
	    " AND name = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, project_id);
	db_bind_text(s, 2, tag);
	if (store_run(st, s, "project tag delete", NULL, err) == -1)
		return -1;
	if (store_changes(st) == 0)
		return kg_errf(err, KG_ENOTFOUND, "Could not find project tag: %s.", tag);
	return 0;
}

int
store_project_descendants(struct store *st, const char *id, size_t *total,
    size_t *enabled, struct kg_err *err)
{
	struct db_stmt	*s;

	/* lvl bounds the walk should the data ever hold a cycle. */
	if ((s = store_prepare(st, "WITH RECURSIVE d(id, enabled, lvl) AS ("
	    " SELECT id, enabled, 1 FROM project WHERE parent_id = ?1"
	    " UNION ALL SELECT p.id, p.enabled, d.lvl + 1 FROM project p"
	    " JOIN d ON p.parent_id = d.id WHERE d.lvl < 64)"
	    " SELECT count(*), coalesce(sum(enabled), 0) FROM d", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	if (db_step(s) != DB_ROW) {
		db_reset(s);
		return store_dberr(st, "project descendants", NULL, err);
	}
	if (total != NULL)
		*total = (size_t)db_col_int64(s, 0);
	if (enabled != NULL)
		*enabled = (size_t)db_col_int64(s, 1);
	db_reset(s);
	return 0;
}

int
store_project_ancestors(struct store *st, const char *id, char ***ids,
    size_t *n, char disabled[STORE_ID_SIZE], struct kg_err *err)
{
	struct db_stmt	*s;
	char		**v = NULL;
	size_t		 cnt = 0, cap = 0;
	int		 rc;

	disabled[0] = '\0';
	if ((s = store_prepare(st, "WITH RECURSIVE a(id, parent_id, enabled, lvl) AS ("
	    " SELECT p.id, p.parent_id, p.enabled, 1 FROM project p"
	    " WHERE p.id = (SELECT parent_id FROM project WHERE id = ?1)"
	    " UNION ALL SELECT p.id, p.parent_id, p.enabled, a.lvl + 1"
	    " FROM project p JOIN a ON p.id = a.parent_id WHERE a.lvl < 64)"
	    " SELECT id, enabled FROM a ORDER BY lvl", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	while ((rc = db_step(s)) == DB_ROW) {
		if (store_grow(&v, sizeof(*v), cnt, &cap, err) == -1)
			goto fail;
		if ((v[cnt] = db_col_str(s, 0)) == NULL) {
			oom(err);
			goto fail;
		}
		if (disabled[0] == '\0' && db_col_int(s, 1) == 0)
			kg_strlcpy(disabled, v[cnt], STORE_ID_SIZE);
		cnt++;
	}
	db_reset(s);
	if (rc != DB_DONE) {
		store_strv_free(v, cnt);
		return store_dberr(st, "project ancestors", NULL, err);
	}
	*ids = v;
	*n = cnt;
	return 0;
 fail:
	db_reset(s);
	store_strv_free(v, cnt);
	return -1;
}

int
store_project_parents(struct store *st, const char *id, struct kg_project **out,
    size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	*out = NULL;
	*n = 0;
	/* lvl bounds the walk should the data ever hold a cycle. */
	if ((s = store_prepare(st, "WITH RECURSIVE a(id, lvl) AS ("
	    " SELECT parent_id, 1 FROM project WHERE id = ?1 AND parent_id IS NOT NULL"
	    " UNION ALL SELECT p.parent_id, a.lvl + 1 FROM project p JOIN a"
	    " ON p.id = a.id WHERE p.parent_id IS NOT NULL AND a.lvl < 64)"
	    " SELECT " PROJECT_COLS_P " FROM a JOIN project p ON p.id = a.id"
	    " ORDER BY a.lvl", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return project_list_tags(st, store_get_all(st, s, "project parents",
	    sizeof(**out), project_row, project_free_one, (void **)out, n, err),
	    out, n, err);
}

int
store_project_subtree(struct store *st, const char *id, struct kg_project **out,
    size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	*out = NULL;
	*n = 0;
	/* The top level of a domain has no parent_id: its parent is the
	 * domain (an id is never both a project's and a domain's). */
	if ((s = store_prepare(st, "WITH RECURSIVE d(id, lvl) AS ("
	    " SELECT id, 1 FROM project WHERE parent_id = ?1"
	    " OR (parent_id IS NULL AND domain_id = ?1)"
	    " UNION ALL SELECT p.id, d.lvl + 1 FROM project p JOIN d"
	    " ON p.parent_id = d.id WHERE d.lvl < 64)"
	    " SELECT " PROJECT_COLS_P " FROM d JOIN project p ON p.id = d.id"
	    " ORDER BY d.lvl, p.id", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return project_list_tags(st, store_get_all(st, s, "project subtree",
	    sizeof(**out), project_row, project_free_one, (void **)out, n, err),
	    out, n, err);
}

int
store_project_delete(struct store *st, const char *id, struct kg_err *err)
{
	struct db_stmt	*s;
	size_t		 children = 0;

	if (project_exists(st, id, err) == -1)
		return -1;
	if (store_project_descendants(st, id, &children, NULL, err) == -1)
		return -1;
	if (children > 0)
		return kg_errf(err, KG_EFORBID, "Cannot delete the project %s since"
		    " it is not a leaf in the hierarchy. Use the cascade option if"
		    " you want to delete a whole subtree.", id);
	if ((s = store_prepare(st, "DELETE FROM project WHERE id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return store_exec_one(st, s, "project delete", NULL, "project", id, err);
}

int
store_user_project_list(struct store *st, const char *user_id,
    struct kg_project **out, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	/*
	 * actors: the user and its groups. direct: non-inherited project
	 * grants. sub: the subtrees below inherited project grants. dom: every
	 * project of a domain with an inherited domain grant.
	 */
	if ((s = store_prepare(st, "WITH RECURSIVE"
	    " grants(project_id, domain_id, inherited) AS ("
	    "  SELECT project_id, domain_id, inherited FROM assignment"
	    "  WHERE user_id = ?1"
	    "  UNION ALL SELECT a.project_id, a.domain_id, a.inherited"
	    "  FROM user_group ug JOIN assignment a ON a.group_id = ug.group_id"
	    "  WHERE ug.user_id = ?1),"
	    " sub(id, lvl) AS ("
	    "  SELECT p.id, 1 FROM project p JOIN grants g ON p.parent_id = g.project_id"
	    "  WHERE g.inherited = 1"
	    "  UNION ALL SELECT p.id, sub.lvl + 1 FROM project p"
	    "  JOIN sub ON p.parent_id = sub.id WHERE sub.lvl < 64),"
	    " p AS (SELECT " PROJECT_COLS " FROM project WHERE id IN ("
	    "  SELECT project_id FROM grants WHERE inherited = 0"
	    "  UNION SELECT id FROM sub)"
	    " OR domain_id IN (SELECT domain_id FROM grants WHERE inherited = 1))"
	    PROJECT_TAGGED_SELECT("p.name, p.id"), err)) == NULL)
		return -1;
	db_bind_text(s, 1, user_id);
	return project_tagged_rows(st, s, out, n, err);
}

/* ------------------------------------------------------------------------
 * Users: list, update, delete.
 * --------------------------------------------------------------------- */

/* The password hash never leaves the store in lists. */
#define USER_LIST_COLS	"id, name, domain_id, enabled, NULL," \
			" password_expires_at, default_project_id, extra, created_at"

/* The user list's filters after the page's range (see store_user_list). */
#define USER_FILTER_SQL							\
	" AND (:name IS NULL OR name = :name)"				\
	" AND (:enabled < 0 OR enabled = :enabled)"			\
	" AND (:pe_op = 0 OR (password_expires_at IS NOT NULL AND"	\
	"  CASE :pe_op WHEN 1 THEN password_expires_at < :pe_at"	\
	"  WHEN 2 THEN password_expires_at <= :pe_at"			\
	"  WHEN 3 THEN password_expires_at > :pe_at"			\
	"  WHEN 4 THEN password_expires_at >= :pe_at"			\
	"  WHEN 5 THEN password_expires_at = :pe_at"			\
	"  ELSE password_expires_at <> :pe_at END))"

int
store_user_list(struct store *st, const struct kg_user_filter *f,
    struct kg_page *pg, struct kg_user **out, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	*out = NULL;
	*n = 0;
	if (store_page_marker(st, "SELECT 1 FROM \"user\" WHERE id = ?1", pg,
	    err) == -1)
		return -1;
	if (f->domain_id != NULL)
		s = store_prepare(st, "SELECT " USER_LIST_COLS " FROM \"user\" WHERE"
		    " domain_id = :domain AND" STORE_PAGE_AFTER("id")
		    USER_FILTER_SQL STORE_NAME_MATCH_SQL STORE_PAGE_END("id"), err);
	else
		s = store_prepare(st, "SELECT " USER_LIST_COLS " FROM \"user\" WHERE"
		    STORE_PAGE_AFTER("id") USER_FILTER_SQL STORE_NAME_MATCH_SQL
		    STORE_PAGE_END("id"), err);
	if (s == NULL)
		return -1;
	store_bind_named(s, ":name", f->name);
	store_bind_named(s, ":domain", f->domain_id);
	store_bind_named_int64(s, ":enabled", f->enabled);
	store_bind_named_int64(s, ":pe_op", f->expires_op);
	store_bind_named_int64(s, ":pe_at", f->expires_at);
	if (store_bind_name_match(s, &f->match, err) == -1) {
		db_reset(s);
		return -1;
	}
	store_bind_page(s, pg);
	return store_get_page(st, s, "user list", sizeof(**out), user_row,
	    user_free_one, pg, (void **)out, n, err);
}

int
store_user_update(struct store *st, const struct kg_user *u, struct kg_err *err)
{
	struct db_stmt	*s;
	char		 msg[DUP_MSG_SIZE];

	if ((s = store_prepare(st, "UPDATE \"user\" SET name = ?, enabled = ?,"
	    " default_project_id = ?, extra = ? WHERE id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, u->name);
	db_bind_int(s, 2, u->enabled ? 1 : 0);
	db_bind_text(s, 3, store_nz(u->default_project_id));
	db_bind_text(s, 4, or_obj(u->extra));
	db_bind_text(s, 5, u->id);
	return store_exec_one(st, s, "user update", store_dup_msg(msg,
	    sizeof(msg), "user", u->name, u->domain_id), "user", u->id, err);
}

int
store_user_unset_default_project(struct store *st, const char *project_id,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "UPDATE \"user\" SET default_project_id = NULL"
	    " WHERE default_project_id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, project_id);
	return store_run(st, s, "user unset default project", NULL, err);
}

int
store_user_delete(struct store *st, const char *id, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "DELETE FROM \"user\" WHERE id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return store_exec_one(st, s, "user delete", NULL, "user", id, err);
}

/* ------------------------------------------------------------------------
 * Groups and membership.
 * --------------------------------------------------------------------- */

#define GROUP_COLS	"id, name, description, domain_id, extra"

static int
group_row(struct db_stmt *s, void *p, struct kg_err *err)
{
	struct kg_group	*g = p;

	memset(g, 0, sizeof(*g));
	db_col_copy(s, 0, g->id, sizeof(g->id));
	db_col_copy(s, 1, g->name, sizeof(g->name));
	db_col_copy(s, 3, g->domain_id, sizeof(g->domain_id));
	if ((g->description = db_col_str(s, 2)) == NULL ||
	    (g->extra = db_col_str(s, 4)) == NULL) {
		kg_group_free(g);
		return oom(err);
	}
	return 0;
}

int
store_group_get(struct store *st, const char *id, struct kg_group *out,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT " GROUP_COLS " FROM grp WHERE id = ?",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return store_get_one(st, s, "group get", group_row, out, "group", id, err);
}

int
store_group_get_by_name(struct store *st, const char *domain_id,
    const char *name, struct kg_group *out, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT " GROUP_COLS " FROM grp"
	    " WHERE domain_id = ? AND name = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, domain_id);
	db_bind_text(s, 2, name);
	return store_get_one(st, s, "group get", group_row, out, "group", name,
	    err);
}

int
store_group_create(struct store *st, const struct kg_group *g,
    struct kg_err *err)
{
	struct db_stmt	*s;
	char		 msg[DUP_MSG_SIZE];

	if ((s = store_prepare(st, "INSERT INTO grp (id, name, description, domain_id,"
	    " extra) VALUES (?, ?, ?, ?, ?)", err)) == NULL)
		return -1;
	db_bind_text(s, 1, g->id);
	db_bind_text(s, 2, g->name);
	db_bind_text(s, 3, store_or(g->description, ""));
	db_bind_text(s, 4, g->domain_id);
	db_bind_text(s, 5, or_obj(g->extra));
	return store_run(st, s, "group create", store_dup_msg(msg,
	    sizeof(msg), "group", g->name, g->domain_id), err);
}

int
store_group_update(struct store *st, const struct kg_group *g,
    struct kg_err *err)
{
	struct db_stmt	*s;
	char		 msg[DUP_MSG_SIZE];

	if ((s = store_prepare(st, "UPDATE grp SET name = ?, description = ?,"
	    " extra = ? WHERE id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, g->name);
	db_bind_text(s, 2, store_or(g->description, ""));
	db_bind_text(s, 3, or_obj(g->extra));
	db_bind_text(s, 4, g->id);
	return store_exec_one(st, s, "group update", store_dup_msg(msg,
	    sizeof(msg), "group", g->name, g->domain_id), "group", g->id, err);
}

int
store_group_delete(struct store *st, const char *id, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "DELETE FROM grp WHERE id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return store_exec_one(st, s, "group delete", NULL, "group", id, err);
}

int
store_group_list(struct store *st, const char *name, const char *domain_id,
    const struct kg_name_match *match, struct kg_page *pg,
    struct kg_group **out, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	*out = NULL;
	*n = 0;
	if (store_page_marker(st, "SELECT 1 FROM grp WHERE id = ?1", pg,
	    err) == -1)
		return -1;
	if (domain_id != NULL)
		s = store_prepare(st, "SELECT " GROUP_COLS " FROM grp WHERE"
		    " domain_id = :domain AND" STORE_PAGE_AFTER("id")
		    " AND (:name IS NULL OR name = :name)" STORE_NAME_MATCH_SQL
		    STORE_PAGE_END("id"), err);
	else
		s = store_prepare(st, "SELECT " GROUP_COLS " FROM grp WHERE"
		    STORE_PAGE_AFTER("id") " AND (:name IS NULL OR name = :name)"
		    STORE_NAME_MATCH_SQL STORE_PAGE_END("id"), err);
	if (s == NULL)
		return -1;
	store_bind_named(s, ":name", name);
	store_bind_named(s, ":domain", domain_id);
	if (store_bind_name_match(s, match, err) == -1) {
		db_reset(s);
		return -1;
	}
	store_bind_page(s, pg);
	return store_get_page(st, s, "group list", sizeof(**out), group_row,
	    group_free_one, pg, (void **)out, n, err);
}

int
store_group_has_grants(struct store *st, const char *group_id, int *yes,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT 1 FROM assignment WHERE group_id = ?"
	    " LIMIT 1", err)) == NULL)
		return -1;
	db_bind_text(s, 1, group_id);
	return store_exists(st, s, "exists", yes, err);
}

/* KG_ENOTFOUND naming the group or the user when either is missing. */
static int
group_and_user_exist(struct store *st, const char *group_id,
    const char *user_id, struct kg_err *err)
{
	struct db_stmt	*s;
	int		 yes = 0;

	if ((s = store_prepare(st, "SELECT 1 FROM grp WHERE id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, group_id);
	if (store_exists(st, s, "exists", &yes, err) == -1)
		return -1;
	if (!yes)
		return kg_errf(err, KG_ENOTFOUND, "Could not find group: %s.", group_id);
	if ((s = store_prepare(st, "SELECT 1 FROM \"user\" WHERE id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, user_id);
	if (store_exists(st, s, "exists", &yes, err) == -1)
		return -1;
	if (!yes)
		return kg_errf(err, KG_ENOTFOUND, "Could not find user: %s.", user_id);
	return 0;
}

int
store_group_add_user(struct store *st, const char *group_id,
    const char *user_id, struct kg_err *err)
{
	struct db_stmt	*s;

	if (group_and_user_exist(st, group_id, user_id, err) == -1)
		return -1;
	if ((s = store_prepare(st, "INSERT INTO user_group (user_id, group_id)"
	    " VALUES (?, ?) ON CONFLICT DO NOTHING", err)) == NULL)
		return -1;
	db_bind_text(s, 1, user_id);
	db_bind_text(s, 2, group_id);
	return store_run(st, s, "group add user", NULL, err);
}

static int
not_member(const char *group_id, const char *user_id, struct kg_err *err)
{
	return kg_errf(err, KG_ENOTFOUND, "User '%s' not found in group '%s'",
	    user_id, group_id);
}

int
store_group_remove_user(struct store *st, const char *group_id,
    const char *user_id, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "DELETE FROM user_group WHERE user_id = ?"
	    " AND group_id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, user_id);
	db_bind_text(s, 2, group_id);
	if (store_run(st, s, "group remove user", NULL, err) == -1)
		return -1;
	if (store_changes(st) > 0)
		return 0;
	if (group_and_user_exist(st, group_id, user_id, err) == -1)
		return -1;
	return not_member(group_id, user_id, err);
}

int
store_group_check_user(struct store *st, const char *group_id,
    const char *user_id, struct kg_err *err)
{
	struct db_stmt	*s;
	int		 yes = 0;

	if (group_and_user_exist(st, group_id, user_id, err) == -1)
		return -1;
	if ((s = store_prepare(st, "SELECT 1 FROM user_group WHERE user_id = ?"
	    " AND group_id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, user_id);
	db_bind_text(s, 2, group_id);
	if (store_exists(st, s, "exists", &yes, err) == -1)
		return -1;
	return yes ? 0 : not_member(group_id, user_id, err);
}

int
store_group_user_list(struct store *st, const char *group_id,
    struct kg_user **out, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;
	struct kg_group	 g;

	if (store_group_get(st, group_id, &g, err) == -1)
		return -1;
	kg_group_free(&g);
	if ((s = store_prepare(st, "SELECT id, name, domain_id, enabled, NULL,"
	    " password_expires_at, default_project_id, extra, created_at"
	    " FROM \"user\" JOIN user_group ON user_group.user_id = \"user\".id"
	    " WHERE user_group.group_id = ? ORDER BY name, id", err)) == NULL)
		return -1;
	db_bind_text(s, 1, group_id);
	return store_get_all(st, s, "list", sizeof(**out), user_row,
	    user_free_one, (void **)out, n, err);
}

int
store_user_group_list(struct store *st, const char *user_id,
    struct kg_group **out, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;
	struct kg_user	 u;

	if (store_user_get(st, user_id, &u, err) == -1)
		return -1;
	kg_user_free(&u);
	if ((s = store_prepare(st, "SELECT grp.id, grp.name, grp.description,"
	    " grp.domain_id, grp.extra FROM grp"
	    " JOIN user_group ON user_group.group_id = grp.id"
	    " WHERE user_group.user_id = ? ORDER BY grp.name, grp.id", err)) == NULL)
		return -1;
	db_bind_text(s, 1, user_id);
	return store_get_all(st, s, "list", sizeof(**out), group_row,
	    group_free_one, (void **)out, n, err);
}
