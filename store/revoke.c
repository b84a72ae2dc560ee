/* revoke.c - revocation events (see revoke.h). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "store/revoke.h"
#include "store/store_int.h"

#define EVENT_COLS	"id, user_id, project_id, domain_id, role_id, audit_id," \
			" audit_chain_id, expires_at, issued_before, revoked_at, revision," \
			" app_cred_id, trust_id"

/* The current row (EVENT_COLS) into e. */
static void
event_from_row(struct db_stmt *s, struct kg_revoke_event *e)
{
	memset(e, 0, sizeof(*e));
	e->id = db_col_int64(s, 0);
	db_col_copy(s, 1, e->user_id, sizeof(e->user_id));
	db_col_copy(s, 2, e->project_id, sizeof(e->project_id));
	db_col_copy(s, 3, e->domain_id, sizeof(e->domain_id));
	db_col_copy(s, 4, e->role_id, sizeof(e->role_id));
	db_col_copy(s, 5, e->audit_id, sizeof(e->audit_id));
	db_col_copy(s, 6, e->audit_chain_id, sizeof(e->audit_chain_id));
	e->expires_at = db_col_int64(s, 7);
	e->issued_before = db_col_int64(s, 8);
	e->revoked_at = db_col_int64(s, 9);
	e->revision = db_col_int64(s, 10);	/* NULL -> 0 */
	db_col_copy(s, 11, e->app_cred_id, sizeof(e->app_cred_id));
	db_col_copy(s, 12, e->trust_id, sizeof(e->trust_id));
}

static const char *
nz(const char *s)
{
	return s[0] != '\0' ? s : NULL;
}

int
store_revoke_add(struct store *st, const struct kg_revoke_event *ev,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "INSERT INTO revocation_event (user_id, project_id,"
	    " domain_id, role_id, audit_id, audit_chain_id, expires_at, issued_before,"
	    " revoked_at, app_cred_id, trust_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, nz(ev->user_id));
	db_bind_text(s, 2, nz(ev->project_id));
	db_bind_text(s, 3, nz(ev->domain_id));
	db_bind_text(s, 4, nz(ev->role_id));
	db_bind_text(s, 5, nz(ev->audit_id));
	db_bind_text(s, 6, nz(ev->audit_chain_id));
	if (ev->expires_at != 0)
		db_bind_int64(s, 7, ev->expires_at);
	db_bind_int64(s, 8, ev->issued_before);
	db_bind_int64(s, 9, ev->revoked_at ? ev->revoked_at : kg_now_us());
	db_bind_text(s, 10, nz(ev->app_cred_id));
	db_bind_text(s, 11, nz(ev->trust_id));
	return store_run(st, s, "revoke add", NULL, err);
}

static int
revoke_field(struct store *st, size_t off, const char *id, struct kg_err *err)
{
	struct kg_revoke_event	ev;

	memset(&ev, 0, sizeof(ev));
	kg_strlcpy((char *)&ev + off, id, STORE_ID_SIZE);
	ev.issued_before = ev.revoked_at = kg_now_us();
	return store_revoke_add(st, &ev, err);
}

int
store_revoke_user(struct store *st, const char *user_id, struct kg_err *err)
{
	return revoke_field(st, offsetof(struct kg_revoke_event, user_id), user_id, err);
}

int
store_revoke_project(struct store *st, const char *project_id, struct kg_err *err)
{
	return revoke_field(st, offsetof(struct kg_revoke_event, project_id),
	    project_id, err);
}

int
store_revoke_domain(struct store *st, const char *domain_id, struct kg_err *err)
{
	return revoke_field(st, offsetof(struct kg_revoke_event, domain_id),
	    domain_id, err);
}

int
store_revoke_list(struct store *st, int64_t since, struct kg_revoke_event **out,
    size_t *n, struct kg_err *err)
{
	struct db_stmt		*s;
	struct kg_revoke_event	*v = NULL, *nv;
	size_t			 cnt = 0, cap = 0;
	int			 rc;

	*out = NULL;
	*n = 0;
	if ((s = store_prepare(st, "SELECT " EVENT_COLS
	    " FROM revocation_event WHERE revoked_at > ? ORDER BY id", err)) == NULL)
		return -1;
	db_bind_int64(s, 1, since);
	while ((rc = db_step(s)) == DB_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				free(v);
				db_reset(s);
				return kg_errf(err, KG_EINTERNAL, "out of memory");
			}
			v = nv;
		}
		event_from_row(s, &v[cnt++]);
	}
	db_reset(s);
	if (rc != DB_DONE) {
		free(v);
		return store_dberr(st, "revoke list", NULL, err);
	}
	*out = v;
	*n = cnt;
	return 0;
}

int
store_revoke_prune(struct store *st, int64_t cutoff, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "DELETE FROM revocation_event WHERE revoked_at < ?",
	    err)) == NULL)
		return -1;
	db_bind_int64(s, 1, cutoff);
	if (store_run(st, s, "revoke prune", NULL, err) == -1)
		return -1;
	return store_changes(st);
}

int
store_revoke_find(struct store *st, const char *const *keys, size_t nkeys,
    int64_t issued_at, int64_t revision,
    int (*fn)(const struct kg_revoke_event *ev, void *arg), void *arg,
    struct kg_err *err)
{
	struct db_stmt		*s;
	struct kg_revoke_event	 e;
	size_t			 i;
	int			 rc = DB_DONE, ret = 0;

	/*
	 * One probe of revocation_event_match per key; the time test only
	 * thins the rows out, fn decides. (One statement per key costs less
	 * than a single "match_key IN (...)" over all of them, whose list
	 * SQLite first builds into a temporary index.)
	 */
	if ((s = store_prepare(st, "SELECT " EVENT_COLS " FROM revocation_event"
	    " WHERE match_key = ?1 AND (issued_before >= ?2 OR revision > ?3)",
	    err)) == NULL)
		return -1;
	db_bind_int64(s, 2, issued_at);
	db_bind_int64(s, 3, revision > 0 ? revision : INT64_MAX);
	for (i = 0; i < nkeys && ret == 0; i++) {
		db_bind_text(s, 1, keys[i]);
		while ((rc = db_step(s)) == DB_ROW) {
			event_from_row(s, &e);
			if ((ret = fn(&e, arg)) != 0)
				break;
		}
		db_reset(s);
		if (rc != DB_DONE && rc != DB_ROW)
			return store_dberr(st, "revoke find", NULL, err);
	}
	return ret;
}
