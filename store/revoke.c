/* revoke.c - revocation events (see revoke.h). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "store/revoke.h"
#include "store/store_int.h"

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
	    " revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", err)) == NULL)
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
	struct kg_revoke_event	*v = NULL, *nv, *e;
	size_t			 cnt = 0, cap = 0;
	int			 rc;

	*out = NULL;
	*n = 0;
	if ((s = store_prepare(st, "SELECT id, user_id, project_id, domain_id, role_id,"
	    " audit_id, audit_chain_id, expires_at, issued_before, revoked_at"
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
		e = &v[cnt++];
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

static int
field_eq(const char *ev, const char *tok)
{
	return ev[0] == '\0' || (tok != NULL && strcmp(ev, tok) == 0);
}

static int
nonempty_eq(const char *a, const char *b)
{
	return b != NULL && b[0] != '\0' && strcmp(a, b) == 0;
}

int
kg_revoke_matches(const struct kg_revoke_event *ev, const struct kg_revoke_target *t)
{
	const char	*chain;
	size_t		 i;

	if (t->issued_at > ev->issued_before)
		return 0;
	if (!field_eq(ev->user_id, t->user_id) ||
	    !field_eq(ev->project_id, t->project_id))
		return 0;
	if (ev->domain_id[0] != '\0' && !nonempty_eq(ev->domain_id, t->user_domain_id) &&
	    !nonempty_eq(ev->domain_id, t->project_domain_id) &&
	    !nonempty_eq(ev->domain_id, t->domain_id))
		return 0;
	chain = t->audit_chain_id != NULL && t->audit_chain_id[0] != '\0' ?
	    t->audit_chain_id : t->audit_id;
	if (ev->audit_id[0] != '\0' && !nonempty_eq(ev->audit_id, t->audit_id) &&
	    !nonempty_eq(ev->audit_id, t->audit_chain_id))
		return 0;
	if (!field_eq(ev->audit_chain_id, chain))
		return 0;
	if (ev->expires_at != 0 && ev->expires_at != t->expires_at)
		return 0;
	if (ev->role_id[0] != '\0') {
		for (i = 0; i < t->nroles; i++)
			if (strcmp(ev->role_id, t->roles[i].id) == 0)
				break;
		if (i == t->nroles)
			return 0;
	}
	return 1;
}

int
store_revoke_check(struct store *st, const struct kg_revoke_target *t, int *revoked,
    struct kg_err *err)
{
	struct db_stmt		*s;
	struct kg_revoke_event	 e;
	int			 rc;

	*revoked = 0;
	/* SQL narrows by the indexed-or-selective fields; C decides the rest. */
	if ((s = store_prepare(st, "SELECT id, user_id, project_id, domain_id, role_id,"
	    " audit_id, audit_chain_id, expires_at, issued_before, revoked_at"
	    " FROM revocation_event WHERE issued_before >= ?1"
	    " AND (user_id IS NULL OR user_id = ?2)"
	    " AND (project_id IS NULL OR project_id = ?3)", err)) == NULL)
		return -1;
	db_bind_int64(s, 1, t->issued_at);
	db_bind_text(s, 2, t->user_id ? t->user_id : "");
	db_bind_text(s, 3, t->project_id ? t->project_id : "");
	while ((rc = db_step(s)) == DB_ROW) {
		memset(&e, 0, sizeof(e));
		db_col_copy(s, 1, e.user_id, sizeof(e.user_id));
		db_col_copy(s, 2, e.project_id, sizeof(e.project_id));
		db_col_copy(s, 3, e.domain_id, sizeof(e.domain_id));
		db_col_copy(s, 4, e.role_id, sizeof(e.role_id));
		db_col_copy(s, 5, e.audit_id, sizeof(e.audit_id));
		db_col_copy(s, 6, e.audit_chain_id, sizeof(e.audit_chain_id));
		e.expires_at = db_col_int64(s, 7);
		e.issued_before = db_col_int64(s, 8);
		e.revoked_at = db_col_int64(s, 9);
		if (kg_revoke_matches(&e, t)) {
			*revoked = 1;
			break;
		}
	}
	db_reset(s);
	if (rc != DB_DONE && rc != DB_ROW)
		return store_dberr(st, "revoke check", NULL, err);
	return 0;
}
