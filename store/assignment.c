/*
 * assignment.c - roles, implied roles and role assignments (grants), and
 * the effective-role computation tokens are built from (see assignment.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "store/assignment.h"
#include "store/store_int.h"

/* ------------------------------------------------------------------------
 * Helpers.
 * --------------------------------------------------------------------- */

/* The assignment.type suffix for a scope kind, or NULL. */
static const char *
scope_suffix(enum kg_scope_kind kind)
{
	switch (kind) {
	case KG_SCOPE_PROJECT:
		return "Project";
	case KG_SCOPE_DOMAIN:
		return "Domain";
	case KG_SCOPE_SYSTEM:
		return "System";
	default:
		return NULL;
	}
}

/* Fill buf with the assignment.type of an actor/scope pair; -1 when bad. */
static int
assignment_type(int is_group, enum kg_scope_kind kind, char *buf, size_t bufsz)
{
	const char	*sfx = scope_suffix(kind);

	if (sfx == NULL)
		return -1;
	snprintf(buf, bufsz, "%s%s", is_group ? "Group" : "User", sfx);
	return 0;
}

static const char *
nn(const char *s)
{
	return s != NULL ? s : "";
}

/* Read a role row (id, name, description, domain_id, extra) into out. */
static int
role_from_row(sqlite3_stmt *s, struct kg_role *out, struct kg_err *err)
{
	memset(out, 0, sizeof(*out));
	store_col_copy(s, 0, out->id, sizeof(out->id));
	store_col_copy(s, 1, out->name, sizeof(out->name));
	store_col_copy(s, 3, out->domain_id, sizeof(out->domain_id));
	if ((out->description = store_col_strdup(s, 2)) == NULL ||
	    (out->extra = store_col_strdup(s, 4)) == NULL) {
		kg_role_free(out);
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Roles.
 * --------------------------------------------------------------------- */

void
kg_role_free(struct kg_role *r)
{
	if (r == NULL)
		return;
	free(r->description);
	free(r->extra);
	r->description = r->extra = NULL;
}

int
store_role_get(struct store *st, const char *id, struct kg_role *out,
    struct kg_err *err)
{
	sqlite3_stmt	*s;
	int		 rc, ret;

	if ((s = store_stmt(st, "SELECT id, name, description, domain_id, extra"
	    " FROM role WHERE id = ?", err)) == NULL)
		return -1;
	store_bind_text(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		ret = role_from_row(s, out, err);
	else if (rc == SQLITE_DONE)
		ret = kg_errf(err, KG_ENOTFOUND, "Could not find role: %s.", id);
	else
		ret = store_sqlerr(st, rc, "role get", NULL, err);
	sqlite3_reset(s);
	return ret;
}

int
store_role_get_by_name(struct store *st, const char *name, const char *domain_id,
    struct kg_role *out, struct kg_err *err)
{
	sqlite3_stmt	*s;
	int		 rc, ret;

	if ((s = store_stmt(st, "SELECT id, name, description, domain_id, extra"
	    " FROM role WHERE name = ? AND domain_id = ?", err)) == NULL)
		return -1;
	store_bind_text(s, 1, name);
	store_bind_text(s, 2, nn(domain_id));
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		ret = role_from_row(s, out, err);
	else if (rc == SQLITE_DONE)
		ret = kg_errf(err, KG_ENOTFOUND, "Could not find role: %s.", name);
	else
		ret = store_sqlerr(st, rc, "role get by name", NULL, err);
	sqlite3_reset(s);
	return ret;
}

int
store_role_create(struct store *st, const struct kg_role *r, struct kg_err *err)
{
	sqlite3_stmt	*s;
	char		 msg[512];	/* truncated to err->msg */

	if (r->id[0] == '\0' || r->name[0] == '\0')
		return kg_errf(err, KG_EBADREQ, "A role needs an id and a name.");
	if (r->domain_id[0] != '\0')
		snprintf(msg, sizeof(msg), "Conflict occurred attempting to store"
		    " role - Duplicate entry found with name %s at domain ID %s.",
		    r->name, r->domain_id);
	else
		snprintf(msg, sizeof(msg), "Conflict occurred attempting to store"
		    " role - Duplicate entry found with name %s.", r->name);
	if ((s = store_stmt(st, "INSERT INTO role (id, name, description,"
	    " domain_id, extra) VALUES (?, ?, ?, ?, ?)", err)) == NULL)
		return -1;
	store_bind_text(s, 1, r->id);
	store_bind_text(s, 2, r->name);
	store_bind_text(s, 3, nn(r->description));
	store_bind_text(s, 4, r->domain_id);
	store_bind_text(s, 5, r->extra != NULL ? r->extra : "{}");
	return store_exec_stmt(st, s, "role create", msg, err);
}

int
store_role_add_implied(struct store *st, const char *prior_id,
    const char *implied_id, struct kg_err *err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, "INSERT OR IGNORE INTO implied_role"
	    " (prior_role_id, implied_role_id) VALUES (?, ?)", err)) == NULL)
		return -1;
	store_bind_text(s, 1, prior_id);
	store_bind_text(s, 2, implied_id);
	if (store_exec_stmt(st, s, "role add implied", NULL, err) == -1) {
		/* A foreign key failure: one of the roles does not exist. */
		if (err != NULL && err->kind == KG_ECONFLICT)
			return kg_errf(err, KG_ENOTFOUND, "Could not find role: %s.",
			    prior_id);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Grants.
 * --------------------------------------------------------------------- */

int
store_grant(struct store *st, int is_group, const char *actor_id,
    enum kg_scope_kind kind, const char *target_id, const char *role_id,
    int inherited, struct kg_err *err)
{
	sqlite3_stmt	*s;
	char		 type[16];

	if (assignment_type(is_group, kind, type, sizeof(type)) == -1)
		return kg_errf(err, KG_EBADREQ, "Invalid assignment target.");
	if (kind == KG_SCOPE_SYSTEM)
		target_id = "system";
	if ((s = store_stmt(st, "INSERT OR IGNORE INTO assignment (type, actor_id,"
	    " target_id, role_id, inherited) VALUES (?, ?, ?, ?, ?)", err)) == NULL)
		return -1;
	store_bind_text(s, 1, type);
	store_bind_text(s, 2, actor_id);
	store_bind_text(s, 3, target_id);
	store_bind_text(s, 4, role_id);
	sqlite3_bind_int(s, 5, inherited ? 1 : 0);
	if (store_exec_stmt(st, s, "grant", NULL, err) == -1) {
		if (err != NULL && err->kind == KG_ECONFLICT)
			return kg_errf(err, KG_ENOTFOUND, "Could not find role: %s.",
			    role_id);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Effective roles.
 * --------------------------------------------------------------------- */

/*
 * One statement computes a user's effective roles on a target:
 *   actors   the user and its groups, each with its type prefix;
 *   targets  (scope, id, inherited) triples whose grants apply: the target
 *            itself (not inherited) and, for a project, every ancestor
 *            project and the project's domain (inherited grants only);
 *   direct   roles granted to an actor on a target: each pair is one
 *            primary-key lookup on assignment (type, actor_id, target_id);
 *   eff      the closure over implied_role; UNION (not UNION ALL) drops
 *            rows already seen, so a cycle of implications terminates.
 * Domain-specific roles only serve to imply others: Keystone strips them
 * from effective assignments, and so from tokens.
 *   ?1 user id, ?2 target id, ?3 scope suffix ("Project", ...).
 */
static const char SQL_EFFECTIVE[] =
	"WITH RECURSIVE"
	" actors(t, id) AS ("
	"  SELECT 'User', ?1"
	"  UNION ALL SELECT 'Group', group_id FROM user_group WHERE user_id = ?1),"
	" anc(id) AS ("
	"  SELECT parent_id FROM project WHERE ?3 = 'Project' AND id = ?2"
	"   AND parent_id IS NOT NULL"
	"  UNION SELECT p.parent_id FROM project p JOIN anc ON p.id = anc.id"
	"   WHERE p.parent_id IS NOT NULL),"
	" targets(sfx, id, inh) AS ("
	"  SELECT ?3, ?2, 0"
	"  UNION ALL SELECT 'Project', id, 1 FROM anc"
	"  UNION ALL SELECT 'Domain', domain_id, 1 FROM project"
	"   WHERE ?3 = 'Project' AND id = ?2),"
	" direct(role_id) AS ("
	"  SELECT a.role_id FROM actors, targets, assignment a"
	"   WHERE a.type = actors.t || targets.sfx AND a.actor_id = actors.id"
	"   AND a.target_id = targets.id AND a.inherited = targets.inh),"
	" eff(role_id) AS ("
	"  SELECT role_id FROM direct"
	"  UNION SELECT i.implied_role_id FROM implied_role i"
	"   JOIN eff ON i.prior_role_id = eff.role_id)"
	" SELECT r.id, r.name FROM role r JOIN eff ON r.id = eff.role_id"
	" WHERE r.domain_id = '' ORDER BY r.name, r.id";

int
store_effective_roles(struct store *st, const char *user_id,
    enum kg_scope_kind kind, const char *target_id, struct kg_role_ref **out,
    size_t *n, struct kg_err *err)
{
	sqlite3_stmt		*s;
	struct kg_role_ref	*v = NULL, *nv;
	size_t			 cnt = 0, cap = 0;
	const char		*sfx;
	int			 rc;

	*out = NULL;
	*n = 0;
	if ((sfx = scope_suffix(kind)) == NULL)
		return kg_errf(err, KG_EBADREQ, "Invalid assignment target.");
	if (kind == KG_SCOPE_SYSTEM)
		target_id = "system";
	if ((s = store_stmt(st, SQL_EFFECTIVE, err)) == NULL)
		return -1;
	store_bind_text(s, 1, user_id);
	store_bind_text(s, 2, target_id);
	store_bind_text(s, 3, sfx);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 8;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				free(v);
				sqlite3_reset(s);
				return kg_errf(err, KG_EINTERNAL, "out of memory");
			}
			v = nv;
		}
		store_col_copy(s, 0, v[cnt].id, sizeof(v[cnt].id));
		store_col_copy(s, 1, v[cnt].name, sizeof(v[cnt].name));
		cnt++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return store_sqlerr(st, rc, "effective roles", NULL, err);
	}
	*out = v;
	*n = cnt;
	return 0;
}
