/* trust.c - trusts and their roles (see trust.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "store/store_int.h"
#include "store/trust.h"

#define TRUST_COLS	"id, trustor_user_id, trustee_user_id, project_id," \
			" impersonation, expires_at, remaining_uses," \
			" redelegated_trust_id, redelegation_count, extra"

static int
oom(struct kg_err *err)
{
	return kg_errf(err, KG_EINTERNAL, "out of memory");
}

void
kg_trust_free(struct kg_trust *t)
{
	if (t == NULL)
		return;
	free(t->extra);
	free(t->roles);
	memset(t, 0, sizeof(*t));
}

static void
trust_free_one(void *p)
{
	kg_trust_free(p);
}

void
kg_trust_list_free(struct kg_trust *v, size_t n)
{
	store_free_each(v, n, sizeof(*v), trust_free_one);
}

/* The current row (TRUST_COLS) into *p, without roles. */
static int
trust_row(struct db_stmt *s, void *p, struct kg_err *err)
{
	struct kg_trust	*t = p;

	memset(t, 0, sizeof(*t));
	db_col_copy(s, 0, t->id, sizeof(t->id));
	db_col_copy(s, 1, t->trustor_user_id, sizeof(t->trustor_user_id));
	db_col_copy(s, 2, t->trustee_user_id, sizeof(t->trustee_user_id));
	db_col_copy(s, 3, t->project_id, sizeof(t->project_id));
	t->impersonation = db_col_int64(s, 4) != 0;
	t->expires_at = db_col_int64(s, 5);	/* NULL -> 0: never */
	t->remaining_uses = db_col_null(s, 6) ? KG_TRUST_UNLIMITED :
	    db_col_int64(s, 6);
	db_col_copy(s, 7, t->redelegated_trust_id,
	    sizeof(t->redelegated_trust_id));
	t->redelegation_count = (int)db_col_int64(s, 8);
	if ((t->extra = db_col_str(s, 9)) == NULL)
		return oom(err);
	return 0;
}

int
store_trust_create(struct store *st, const struct kg_trust *t,
    struct kg_err *err)
{
	struct db_stmt	*s;
	char		 msg[160];
	size_t		 i;

	if ((s = store_prepare(st, "INSERT INTO trust (" TRUST_COLS ")"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err)) == NULL)
		return -1;
	db_bind_text(s, 1, t->id);
	db_bind_text(s, 2, t->trustor_user_id);
	db_bind_text(s, 3, t->trustee_user_id);
	db_bind_text(s, 4, store_nz(t->project_id));
	db_bind_int(s, 5, t->impersonation != 0);
	if (t->expires_at != 0)
		db_bind_int64(s, 6, t->expires_at);
	if (t->remaining_uses != KG_TRUST_UNLIMITED)
		db_bind_int64(s, 7, t->remaining_uses);
	db_bind_text(s, 8, store_nz(t->redelegated_trust_id));
	db_bind_int(s, 9, t->redelegation_count);
	db_bind_text(s, 10, store_or(t->extra, "{}"));
	/* keystone/common/sql/core.py handle_conflicts: the trust names its id. */
	snprintf(msg, sizeof(msg), "Conflict occurred attempting to store trust -"
	    " Duplicate entry found with ID %s.", t->id);
	if (store_run(st, s, "trust create", msg, err) == -1)
		return -1;
	for (i = 0; i < t->nroles; i++) {
		/* A role named twice is Keystone's duplicate entry too. */
		if ((s = store_prepare(st, "INSERT INTO trust_role (trust_id, role_id)"
		    " VALUES (?, ?)", err)) == NULL)
			return -1;
		db_bind_text(s, 1, t->id);
		db_bind_text(s, 2, t->roles[i].id);
		if (store_run(st, s, "trust role", msg, err) == -1)
			return -1;
	}
	return 0;
}

static int
role_ref_row(struct db_stmt *s, void *p, struct kg_err *err)
{
	struct kg_role_ref	*r = p;

	(void)err;
	memset(r, 0, sizeof(*r));
	db_col_copy(s, 0, r->id, sizeof(r->id));
	db_col_copy(s, 1, r->name, sizeof(r->name));
	return 0;
}

/* The roles of trust t->id (id and name) into t, by id (the order of
 * Keystone's trust_role primary key). */
static int
load_roles(struct store *st, struct kg_trust *t, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT r.id, r.name FROM trust_role tr"
	    " JOIN role r ON r.id = tr.role_id WHERE tr.trust_id = ?"
	    " ORDER BY r.id", err)) == NULL)
		return -1;
	db_bind_text(s, 1, t->id);
	return store_get_all(st, s, "trust roles", sizeof(*t->roles),
	    role_ref_row, NULL, (void **)&t->roles, &t->nroles, err);
}

int
store_trust_get(struct store *st, const char *id, struct kg_trust *out,
    struct kg_err *err)
{
	struct db_stmt	*s;

	memset(out, 0, sizeof(*out));
	if ((s = store_prepare(st, "SELECT " TRUST_COLS " FROM trust WHERE id = ?",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	if (store_get_one(st, s, "trust get", trust_row, out, "trust", id,
	    err) == -1)
		return -1;
	if (load_roles(st, out, err) == -1) {
		kg_trust_free(out);
		return -1;
	}
	return 0;
}

int
store_trust_list(struct store *st, const char *trustor_user_id,
    const char *trustee_user_id, struct kg_trust **out, size_t *n,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT " TRUST_COLS " FROM trust"
	    " WHERE (?1 IS NULL OR trustor_user_id = ?1)"
	    " AND (?2 IS NULL OR trustee_user_id = ?2) ORDER BY id",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, trustor_user_id);
	db_bind_text(s, 2, trustee_user_id);
	return store_get_all(st, s, "trust list", sizeof(**out), trust_row,
	    trust_free_one, (void **)out, n, err);
}

int
store_trust_delete(struct store *st, const char *id, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "DELETE FROM trust WHERE id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return store_exec_one(st, s, "trust delete", NULL, "trust", id, err);
}

int
store_trust_consume(struct store *st, const char *id, int *taken,
    struct kg_err *err)
{
	struct db_stmt	*s;
	int		 yes = 0;

	*taken = 0;
	if ((s = store_prepare(st, "UPDATE trust SET remaining_uses = remaining_uses - 1"
	    " WHERE id = ? AND remaining_uses > 0", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	if (store_run(st, s, "trust consume", NULL, err) == -1)
		return -1;
	if (store_changes(st) == 1) {
		*taken = 1;
		return 0;
	}
	if ((s = store_prepare(st, "SELECT 1 FROM trust WHERE id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	if (store_exists(st, s, "trust exists", &yes, err) == -1)
		return -1;
	if (!yes)
		return kg_errf(err, KG_ENOTFOUND, "Could not find trust: %s.", id);
	return 0;
}

/*
 * The trusts a selection names, then down their redelegation chains:
 * ?1 is the selection's id. One text per selection, so each look-up uses
 * its index.
 */
#define AFFECTED(seed)							\
	"WITH RECURSIVE fam(id) AS (" seed				\
	" UNION SELECT t.id FROM trust t JOIN fam"			\
	"  ON t.redelegated_trust_id = fam.id)"				\
	" SELECT " TRUST_COLS " FROM trust WHERE id IN (SELECT id FROM fam)" \
	" ORDER BY id"

static const char *const affected_sql[] = {
	[KG_TRUST_ID] = AFFECTED("SELECT id FROM trust WHERE id = ?1"),
	[KG_TRUST_USER] = AFFECTED("SELECT id FROM trust WHERE trustor_user_id = ?1"
	    " UNION SELECT id FROM trust WHERE trustee_user_id = ?1"),
	[KG_TRUST_PROJECT] = AFFECTED("SELECT id FROM trust WHERE project_id = ?1"),
	[KG_TRUST_DOMAIN] = AFFECTED("SELECT t.id FROM trust t JOIN \"user\" u"
	    " ON u.id = t.trustor_user_id WHERE u.domain_id = ?1"
	    " UNION SELECT t.id FROM trust t JOIN \"user\" u"
	    " ON u.id = t.trustee_user_id WHERE u.domain_id = ?1"
	    " UNION SELECT t.id FROM trust t JOIN project p"
	    " ON p.id = t.project_id WHERE p.domain_id = ?1"),
};

int
store_trust_affected(struct store *st, enum kg_trust_sel sel, const char *id,
    struct kg_trust **out, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	*out = NULL;
	*n = 0;
	if ((unsigned int)sel >= sizeof(affected_sql) / sizeof(affected_sql[0]))
		return kg_errf(err, KG_EINTERNAL, "bad trust selection");
	if ((s = store_prepare(st, affected_sql[sel], err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return store_get_all(st, s, "trust affected", sizeof(**out), trust_row,
	    trust_free_one, (void **)out, n, err);
}

static int
trust_role_row(struct db_stmt *s, void *p, struct kg_err *err)
{
	struct kg_trust_role	*r = p;

	(void)err;
	memset(r, 0, sizeof(*r));
	db_col_copy(s, 0, r->ref.id, sizeof(r->ref.id));
	db_col_copy(s, 1, r->ref.name, sizeof(r->ref.name));
	r->domain_specific = !db_col_null(s, 2);
	return 0;
}

int
store_trust_effective_roles(struct store *st, const char *trust_id,
    struct kg_trust_role **out, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	/* Keystone's add_implied_roles: the closure under implied_role. */
	if ((s = store_prepare(st, "WITH RECURSIVE eff(role_id) AS ("
	    " SELECT role_id FROM trust_role WHERE trust_id = ?"
	    " UNION SELECT i.implied_role_id FROM implied_role i"
	    "  JOIN eff ON i.prior_role_id = eff.role_id)"
	    " SELECT r.id, r.name, r.domain_id FROM role r JOIN eff"
	    " ON r.id = eff.role_id ORDER BY r.name, r.id", err)) == NULL)
		return -1;
	db_bind_text(s, 1, trust_id);
	return store_get_all(st, s, "trust effective roles", sizeof(**out),
	    trust_role_row, NULL, (void **)out, n, err);
}
