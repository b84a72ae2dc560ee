/*
 * assignment.c - roles, implied roles and role assignments (grants), and
 * the effective-role computation tokens are built from (see assignment.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "store/assignment.h"
#include "store/identity.h"
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

/* Read a role row (id, name, description, domain_id, extra) into p. */
static int
role_row(struct db_stmt *s, void *p, struct kg_err *err)
{
	struct kg_role	*out = p;

	memset(out, 0, sizeof(*out));
	db_col_copy(s, 0, out->id, sizeof(out->id));
	db_col_copy(s, 1, out->name, sizeof(out->name));
	db_col_copy(s, 3, out->domain_id, sizeof(out->domain_id));
	if ((out->description = db_col_strdup(s, 2)) == NULL ||
	    (out->extra = db_col_strdup(s, 4)) == NULL) {
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

static void
role_free_one(void *p)
{
	kg_role_free(p);
}

/* Keystone's duplicate-name text for a role of domain_id ("": global). */
static const char *
role_dup_msg(char *buf, size_t bufsz, const char *name, const char *domain_id)
{
	return store_dup_msg(buf, bufsz, "role", name,
	    domain_id[0] != '\0' ? domain_id : NULL);
}

int
store_role_get(struct store *st, const char *id, struct kg_role *out,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT id, name, description, domain_id, extra"
	    " FROM role WHERE id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return store_get_one(st, s, "role get", role_row, out, "role", id, err);
}

int
store_role_get_by_name(struct store *st, const char *name, const char *domain_id,
    struct kg_role *out, struct kg_err *err)
{
	struct db_stmt	*s;

	/* ?2 NULL: a global role (domain_id IS NULL). */
	if ((s = store_prepare(st, "SELECT id, name, description, domain_id, extra"
	    " FROM role WHERE name = ?1 AND (domain_id = ?2"
	    " OR (domain_id IS NULL AND ?2 IS NULL))", err)) == NULL)
		return -1;
	db_bind_text(s, 1, name);
	db_bind_text(s, 2, store_nz(domain_id));
	return store_get_one(st, s, "role get by name", role_row, out, "role",
	    name, err);
}

int
store_role_create(struct store *st, const struct kg_role *r, struct kg_err *err)
{
	struct db_stmt	*s;
	char		 msg[512];	/* truncated to err->msg */

	if (r->id[0] == '\0' || r->name[0] == '\0')
		return kg_errf(err, KG_EBADREQ, "A role needs an id and a name.");
	role_dup_msg(msg, sizeof(msg), r->name, r->domain_id);
	if ((s = store_prepare(st, "INSERT INTO role (id, name, description,"
	    " domain_id, extra) VALUES (?, ?, ?, ?, ?)", err)) == NULL)
		return -1;
	db_bind_text(s, 1, r->id);
	db_bind_text(s, 2, r->name);
	db_bind_text(s, 3, store_or(r->description, ""));
	db_bind_text(s, 4, store_nz(r->domain_id));
	db_bind_text(s, 5, r->extra != NULL ? r->extra : "{}");
	return store_run(st, s, "role create", msg, err);
}

int
store_role_add_implied(struct store *st, const char *prior_id,
    const char *implied_id, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "INSERT INTO implied_role"
	    " (prior_role_id, implied_role_id) VALUES (?, ?) ON CONFLICT DO NOTHING", err)) == NULL)
		return -1;
	db_bind_text(s, 1, prior_id);
	db_bind_text(s, 2, implied_id);
	if (store_run(st, s, "role add implied", NULL, err) == -1) {
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

/*
 * The statement for sql (a string literal, see store_prepare) with a grant's
 * key bound: ?1 its type, ?2 actor_id, ?3 target_id ("system" for the
 * system), ?4 role_id, ?5 inherited. NULL with err (400 for an actor and
 * scope that make no assignment type).
 */
static struct db_stmt *
grant_stmt(struct store *st, const char *sql, int is_group,
    const char *actor_id, enum kg_scope_kind kind, const char *target_id,
    const char *role_id, int inherited, struct kg_err *err)
{
	struct db_stmt	*s;
	char		 type[16];

	if (assignment_type(is_group, kind, type, sizeof(type)) == -1) {
		kg_errf(err, KG_EBADREQ, "Invalid assignment target.");
		return NULL;
	}
	if ((s = store_prepare(st, sql, err)) == NULL)
		return NULL;
	db_bind_text(s, 1, type);
	db_bind_text(s, 2, actor_id);
	db_bind_text(s, 3, kind == KG_SCOPE_SYSTEM ? "system" : target_id);
	db_bind_text(s, 4, role_id);
	db_bind_int(s, 5, inherited ? 1 : 0);
	return s;
}

int
store_grant(struct store *st, int is_group, const char *actor_id,
    enum kg_scope_kind kind, const char *target_id, const char *role_id,
    int inherited, struct kg_err *err)
{
	struct db_stmt	*s;

	if (scope_suffix(kind) == NULL)
		return kg_errf(err, KG_EBADREQ, "Invalid assignment target.");
	/* One typed column per kind of actor and target: the foreign keys. */
	if ((s = store_prepare(st, "INSERT INTO assignment (user_id, group_id,"
	    " project_id, domain_id, role_id, inherited)"
	    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", err)) == NULL)
		return -1;
	db_bind_text(s, is_group ? 2 : 1, actor_id);
	if (kind != KG_SCOPE_SYSTEM)
		db_bind_text(s, kind == KG_SCOPE_PROJECT ? 3 : 4, target_id);
	db_bind_text(s, 5, role_id);
	db_bind_int(s, 6, inherited ? 1 : 0);
	/* A foreign key refused the grant: something it names does not exist
	 * (svc/grant.c checks each first, with Keystone's texts). */
	return store_run(st, s, "grant", "Conflict occurred attempting to"
	    " store role assignment - the user, group, project, domain or role"
	    " does not exist.", err);
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
#define SQL_EFFECTIVE_ROLES						\
	"WITH RECURSIVE"						\
	" actors(t, id) AS ("						\
	"  SELECT 'User', CAST(?1 AS TEXT)"				\
	"  UNION ALL SELECT 'Group', group_id FROM user_group WHERE user_id = ?1)," \
	" anc(id) AS ("							\
	"  SELECT parent_id FROM project WHERE ?3 = 'Project' AND id = ?2" \
	"   AND parent_id IS NOT NULL"					\
	"  UNION SELECT p.parent_id FROM project p JOIN anc ON p.id = anc.id" \
	"   WHERE p.parent_id IS NOT NULL),"				\
	" targets(sfx, id, inh) AS ("					\
	"  SELECT CAST(?3 AS TEXT), CAST(?2 AS TEXT), 0"		\
	"  UNION ALL SELECT 'Project', id, 1 FROM anc"			\
	"  UNION ALL SELECT 'Domain', domain_id, 1 FROM project"	\
	"   WHERE ?3 = 'Project' AND id = ?2),"				\
	" direct(role_id) AS ("						\
	"  SELECT a.role_id FROM actors, targets, assignment a"		\
	"   WHERE a.type = actors.t || targets.sfx AND a.actor_id = actors.id" \
	"   AND a.target_id = targets.id AND a.inherited = targets.inh)," \
	" eff(role_id) AS ("						\
	"  SELECT role_id FROM direct"					\
	"  UNION SELECT i.implied_role_id FROM implied_role i"		\
	"   JOIN eff ON i.prior_role_id = eff.role_id)"			\
	" SELECT r.id, r.name FROM role r JOIN eff ON r.id = eff.role_id"

static const char SQL_EFFECTIVE[] = SQL_EFFECTIVE_ROLES
	" WHERE r.domain_id IS NULL ORDER BY r.name, r.id";
/* Domain-specific roles too (Keystone's strip_domain_roles=False). */
static const char SQL_EFFECTIVE_ALL[] = SQL_EFFECTIVE_ROLES
	" ORDER BY r.name, r.id";

static int
effective_roles(struct store *st, const char *sql, const char *user_id,
    enum kg_scope_kind kind, const char *target_id, struct kg_role_ref **out,
    size_t *n, struct kg_err *err)
{
	struct db_stmt		*s;
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
	if ((s = store_prepare(st, sql, err)) == NULL)
		return -1;
	db_bind_text(s, 1, user_id);
	db_bind_text(s, 2, target_id);
	db_bind_text(s, 3, sfx);
	while ((rc = db_step(s)) == DB_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 8;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				free(v);
				db_reset(s);
				return kg_errf(err, KG_EINTERNAL, "out of memory");
			}
			v = nv;
		}
		db_col_copy(s, 0, v[cnt].id, sizeof(v[cnt].id));
		db_col_copy(s, 1, v[cnt].name, sizeof(v[cnt].name));
		cnt++;
	}
	db_reset(s);
	if (rc != DB_DONE) {
		free(v);
		return store_dberr(st, "effective roles", NULL, err);
	}
	*out = v;
	*n = cnt;
	return 0;
}

int
store_effective_roles(struct store *st, const char *user_id,
    enum kg_scope_kind kind, const char *target_id, struct kg_role_ref **out,
    size_t *n, struct kg_err *err)
{
	return effective_roles(st, SQL_EFFECTIVE, user_id, kind, target_id, out, n,
	    err);
}

int
store_effective_roles_all(struct store *st, const char *user_id,
    enum kg_scope_kind kind, const char *target_id, struct kg_role_ref **out,
    size_t *n, struct kg_err *err)
{
	return effective_roles(st, SQL_EFFECTIVE_ALL, user_id, kind, target_id, out,
	    n, err);
}

/* ------------------------------------------------------------------------
 * Role CRUD.
 * --------------------------------------------------------------------- */

void
kg_role_list_free(struct kg_role *v, size_t n)
{
	store_free_each(v, n, sizeof(*v), role_free_one);
}

int
store_role_list(struct store *st, const char *name, const char *domain_id,
    const struct kg_name_match *match, struct kg_page *pg,
    struct kg_role **out, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	*out = NULL;
	*n = 0;
	if (store_page_marker(st, "SELECT 1 FROM role WHERE id = ?1", pg,
	    err) == -1)
		return -1;
	if ((s = store_prepare(st, "SELECT id, name, description, domain_id, extra"
	    " FROM role WHERE" STORE_PAGE_AFTER("id") " AND (domain_id = :domain"
	    " OR (domain_id IS NULL AND :domain IS NULL))"
	    " AND (:name IS NULL OR name = :name)" STORE_NAME_MATCH_SQL
	    STORE_PAGE_END("id"), err)) == NULL)
		return -1;
	store_bind_named(s, ":domain", store_nz(domain_id));
	store_bind_named(s, ":name", name);
	if (store_bind_name_match(s, match, err) == -1) {
		db_reset(s);
		return -1;
	}
	store_bind_page(s, pg);
	return store_get_page(st, s, "role list", sizeof(**out), role_row,
	    role_free_one, pg, (void **)out, n, err);
}

int
store_role_update(struct store *st, const struct kg_role *r, struct kg_err *err)
{
	struct db_stmt	*s;
	char		 msg[512];	/* truncated to err->msg */
	struct kg_role	 cur;

	memset(&cur, 0, sizeof(cur));
	if (store_role_get(st, r->id, &cur, err) == -1)
		return -1;
	role_dup_msg(msg, sizeof(msg), r->name, cur.domain_id);
	kg_role_free(&cur);
	if ((s = store_prepare(st, "UPDATE role SET name = ?, description = ?,"
	    " extra = ? WHERE id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, r->name);
	db_bind_text(s, 2, store_or(r->description, ""));
	db_bind_text(s, 3, r->extra != NULL ? r->extra : "{}");
	db_bind_text(s, 4, r->id);
	return store_run(st, s, "role update", msg, err);
}

int
store_role_delete(struct store *st, const char *id, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "DELETE FROM role WHERE id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return store_exec_one(st, s, "role delete", NULL, "role", id, err);
}

int
store_role_holders(struct store *st, const char *role_id, char ***ids,
    size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "WITH RECURSIVE"
	    " priors(id) AS (SELECT id FROM role WHERE id = ?1 UNION SELECT i.prior_role_id"
	    "  FROM implied_role i JOIN priors ON i.implied_role_id = priors.id),"
	    " g(user_id, group_id) AS (SELECT user_id, group_id FROM assignment"
	    "  WHERE role_id IN (SELECT id FROM priors))"
	    " SELECT user_id FROM g WHERE user_id IS NOT NULL"
	    " UNION SELECT ug.user_id FROM user_group ug JOIN g"
	    "  ON g.group_id = ug.group_id"
	    " ORDER BY 1", err)) == NULL)
		return -1;
	db_bind_text(s, 1, role_id);
	return store_get_strings(st, s, "role holders", ids, n, err);
}

/* ------------------------------------------------------------------------
 * Implied roles.
 * --------------------------------------------------------------------- */

int
store_implied_get(struct store *st, const char *prior_id, const char *implied_id,
    struct kg_err *err)
{
	struct db_stmt	*s;
	int		 yes = 0;

	if ((s = store_prepare(st, "SELECT 1 FROM implied_role WHERE prior_role_id = ?"
	    " AND implied_role_id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, prior_id);
	db_bind_text(s, 2, implied_id);
	if (store_exists(st, s, "implied get", &yes, err) == -1)
		return -1;
	if (yes)
		return 0;
	return kg_errf(err, KG_ENOTFOUND, "%s does not imply %s.", prior_id,
	    implied_id);
}

int
store_implied_delete(struct store *st, const char *prior_id,
    const char *implied_id, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "DELETE FROM implied_role WHERE prior_role_id = ?"
	    " AND implied_role_id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, prior_id);
	db_bind_text(s, 2, implied_id);
	if (store_run(st, s, "implied delete", NULL, err) == -1)
		return -1;
	if (store_changes(st) == 0)
		return kg_errf(err, KG_ENOTFOUND, "%s does not imply %s.", prior_id,
		    implied_id);
	return 0;
}

/* Read an implication row (prior id, name, implied id, name) into p. */
static int
implied_row(struct db_stmt *s, void *p, struct kg_err *err)
{
	struct kg_implied_role	*v = p;

	db_col_copy(s, 0, v->prior_id, sizeof(v->prior_id));
	db_col_copy(s, 1, v->prior_name, sizeof(v->prior_name));
	db_col_copy(s, 2, v->implied_id, sizeof(v->implied_id));
	db_col_copy(s, 3, v->implied_name, sizeof(v->implied_name));
	return 0;
}

int
store_implied_list(struct store *st, const char *prior_id,
    struct kg_implied_role **out, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	*out = NULL;
	*n = 0;
	if ((s = store_prepare(st, "SELECT p.id, p.name, r.id, r.name"
	    " FROM implied_role i JOIN role p ON p.id = i.prior_role_id"
	    " JOIN role r ON r.id = i.implied_role_id"
	    " WHERE ?1 IS NULL OR i.prior_role_id = ?1"
	    " ORDER BY i.prior_role_id, i.implied_role_id", err)) == NULL)
		return -1;
	db_bind_text(s, 1, prior_id);
	return store_get_all(st, s, "implied list", sizeof(**out), implied_row,
	    NULL, (void **)out, n, err);
}

/* ------------------------------------------------------------------------
 * Grant checks, removal and listing.
 * --------------------------------------------------------------------- */

static int
grant_notfound(const char *actor_id, enum kg_scope_kind kind,
    const char *target_id, const char *role_id, struct kg_err *err)
{
	return kg_errf(err, KG_ENOTFOUND, "Could not find role assignment with"
	    " role: %s, user or group: %s, project, domain, or system: %s.",
	    role_id, actor_id, kind == KG_SCOPE_SYSTEM ? "system" : target_id);
}

int
store_grant_check(struct store *st, int is_group, const char *actor_id,
    enum kg_scope_kind kind, const char *target_id, const char *role_id,
    int inherited, struct kg_err *err)
{
	struct db_stmt	*s;
	int		 yes = 0;

	if ((s = grant_stmt(st, "SELECT 1 FROM assignment WHERE type = ? AND"
	    " actor_id = ? AND target_id = ? AND role_id = ? AND inherited = ?",
	    is_group, actor_id, kind, target_id, role_id, inherited, err)) == NULL)
		return -1;
	if (store_exists(st, s, "grant check", &yes, err) == -1)
		return -1;
	if (yes)
		return 0;
	return grant_notfound(actor_id, kind, target_id, role_id, err);
}

int
store_ungrant(struct store *st, int is_group, const char *actor_id,
    enum kg_scope_kind kind, const char *target_id, const char *role_id,
    int inherited, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = grant_stmt(st, "DELETE FROM assignment WHERE type = ? AND"
	    " actor_id = ? AND target_id = ? AND role_id = ? AND inherited = ?",
	    is_group, actor_id, kind, target_id, role_id, inherited, err)) == NULL)
		return -1;
	if (store_run(st, s, "ungrant", NULL, err) == -1)
		return -1;
	if (store_changes(st) == 0)
		return grant_notfound(actor_id, kind, target_id, role_id, err);
	return 0;
}

int
store_grant_roles(struct store *st, int is_group, const char *actor_id,
    enum kg_scope_kind kind, const char *target_id, int inherited,
    struct kg_role **out, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	*out = NULL;
	*n = 0;
	/* Every role of the grant key: ?4 (the role) goes unused. */
	if ((s = grant_stmt(st, "SELECT r.id, r.name, r.description, r.domain_id,"
	    " r.extra FROM assignment a JOIN role r ON r.id = a.role_id"
	    " WHERE a.type = ?1 AND a.actor_id = ?2 AND a.target_id = ?3"
	    " AND a.inherited = ?5 ORDER BY r.name, r.id", is_group, actor_id,
	    kind, target_id, NULL, inherited, err)) == NULL)
		return -1;
	return store_get_all(st, s, "grant roles", sizeof(**out), role_row,
	    role_free_one, (void **)out, n, err);
}

int
store_assignment_group_members(struct store *st, const char *group_id,
    char ***ids, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT user_id FROM user_group WHERE group_id = ?"
	    " ORDER BY user_id", err)) == NULL)
		return -1;
	db_bind_text(s, 1, group_id);
	return store_get_strings(st, s, "group members", ids, n, err);
}

/* ------------------------------------------------------------------------
 * Names.
 * --------------------------------------------------------------------- */

/* Read (name, domain id, domain name) into the kg_assign_name at p, if
 * any. */
static int
name_row(struct db_stmt *s, void *p, struct kg_err *err)
{
	struct kg_assign_name	*out = p;

	if (out != NULL) {
		db_col_copy(s, 0, out->name, sizeof(out->name));
		db_col_copy(s, 1, out->domain_id, sizeof(out->domain_id));
		db_col_copy(s, 2, out->domain_name, sizeof(out->domain_name));
	}
	return 0;
}

int
store_assign_name(struct store *st, enum kg_assign_obj obj, const char *id,
    struct kg_assign_name *out, struct kg_err *err)
{
	struct db_stmt	*s = NULL;
	const char	*what = "role";

	switch (obj) {
	case KG_OBJ_USER:
		what = "user";
		s = store_prepare(st, "SELECT o.name, o.domain_id, d.name FROM \"user\" o"
		    " JOIN domain d ON d.id = o.domain_id WHERE o.id = ?", err);
		break;
	case KG_OBJ_GROUP:
		what = "group";
		s = store_prepare(st, "SELECT o.name, o.domain_id, d.name FROM grp o"
		    " JOIN domain d ON d.id = o.domain_id WHERE o.id = ?", err);
		break;
	case KG_OBJ_PROJECT:
		what = "project";
		s = store_prepare(st, "SELECT o.name, o.domain_id, d.name FROM project o"
		    " JOIN domain d ON d.id = o.domain_id WHERE o.id = ?", err);
		break;
	case KG_OBJ_DOMAIN:
		what = "domain";
		s = store_prepare(st, "SELECT name, '', '' FROM domain WHERE id = ?", err);
		break;
	case KG_OBJ_ROLE:
		s = store_prepare(st, "SELECT o.name, o.domain_id, COALESCE(d.name, '')"
		    " FROM role o LEFT JOIN domain d ON d.id = o.domain_id"
		    " WHERE o.id = ?", err);
		break;
	}
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return store_get_one(st, s, "assign name", name_row, out, what, id, err);
}

/* ------------------------------------------------------------------------
 * Role assignment listing. This follows keystone/assignment/core.py
 * (list_role_assignments and its helpers) step by step, including the
 * order entries come out in, so that clients see what Keystone shows.
 * --------------------------------------------------------------------- */

/* Assignment types, as bits. */
#define T_UP	0x01u
#define T_GP	0x02u
#define T_UD	0x04u
#define T_GD	0x08u
#define T_SYS	0x30u	/* UserSystem, GroupSystem */
#define T_PD	(T_UP | T_GP | T_UD | T_GD)

struct alist {
	struct kg_assignment	*v;
	size_t			 n, cap;
};

static int
alist_push(struct alist *l, const struct kg_assignment *a, struct kg_err *err)
{
	if (store_grow(&l->v, sizeof(*l->v), l->n, &l->cap, err) == -1)
		return -1;
	l->v[l->n++] = *a;
	return 0;
}

static unsigned int
row_bit(const struct kg_assignment *a)
{
	switch (a->kind) {
	case KG_SCOPE_PROJECT:
		return a->is_group ? T_GP : T_UP;
	case KG_SCOPE_DOMAIN:
		return a->is_group ? T_GD : T_UD;
	default:
		return T_SYS;
	}
}

static int
in_strv(const char *s, char *const *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(s, v[i]) == 0)
			return 1;
	return 0;
}

/* Read a grant row (type, actor_id, target_id, role_id, inherited) into
 * the kg_assignment at p. */
static int
assignment_row(struct db_stmt *s, void *p, struct kg_err *err)
{
	struct kg_assignment	*a = p;
	char			 type[16];

	memset(a, 0, sizeof(*a));
	db_col_copy(s, 0, type, sizeof(type));
	db_col_copy(s, 1, a->actor_id, sizeof(a->actor_id));
	db_col_copy(s, 2, a->target_id, sizeof(a->target_id));
	db_col_copy(s, 3, a->role_id, sizeof(a->role_id));
	a->inherited = db_col_int(s, 4) != 0;
	a->is_group = strncmp(type, "Group", 5) == 0;
	if (strstr(type, "Project") != NULL)
		a->kind = KG_SCOPE_PROJECT;
	else if (strstr(type, "Domain") != NULL)
		a->kind = KG_SCOPE_DOMAIN;
	else
		a->kind = KG_SCOPE_SYSTEM;
	return 0;
}

/* Every grant row into the empty list out, project/domain rows first,
 * each part in primary-key order (Keystone keeps system grants in a table
 * of their own). */
static int
fetch_rows(struct store *st, struct alist *out, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT type, actor_id, target_id, role_id, inherited"
	    " FROM assignment ORDER BY type LIKE '%System', type, actor_id,"
	    " target_id, role_id, inherited", err)) == NULL)
		return -1;
	if (store_get_all(st, s, "assignment rows", sizeof(*out->v),
	    assignment_row, NULL, (void **)&out->v, &out->n, err) == -1)
		return -1;
	out->cap = out->n;
	return 0;
}

/*
 * Keystone's SQL driver list_role_assignments over the project/domain
 * grants: the type set comes from which actor and target filters are
 * given; group_ids win over user_id as actors, project_ids over domain_id
 * as targets; inherited -1 means either.
 */
static int
drv_list(const struct alist *rows, const char *role_id, const char *user_id,
    char *const *group_ids, size_t ngroups, const char *domain_id,
    char *const *project_ids, size_t nprojects, int inherited,
    struct alist *out, struct kg_err *err)
{
	const struct kg_assignment	*a;
	unsigned int			 at = 0, tt = 0, types;
	size_t				 i;

	if (user_id != NULL)
		at = T_UP | T_UD;
	else if (ngroups > 0)
		at = T_GP | T_GD;
	if (nprojects > 0)
		tt = T_UP | T_GP;
	else if (domain_id != NULL)
		tt = T_UD | T_GD;
	types = (at && tt) ? (at & tt) : (at | tt);
	if (types == 0)
		types = T_PD;
	for (i = 0; i < rows->n; i++) {
		a = &rows->v[i];
		if (!(row_bit(a) & types))
			continue;
		if (role_id != NULL && strcmp(a->role_id, role_id) != 0)
			continue;
		if (ngroups > 0) {
			if (!in_strv(a->actor_id, group_ids, ngroups))
				continue;
		} else if (user_id != NULL && strcmp(a->actor_id, user_id) != 0)
			continue;
		if (nprojects > 0) {
			if (!in_strv(a->target_id, project_ids, nprojects))
				continue;
		} else if (domain_id != NULL && strcmp(a->target_id, domain_id) != 0)
			continue;
		if (inherited != -1 && a->inherited != inherited)
			continue;
		if (alist_push(out, a, err) == -1)
			return -1;
	}
	return 0;
}

/* Column 0 into the STORE_ID_SIZE buffer at p. */
static int
id_row(struct db_stmt *s, void *p, struct kg_err *err)
{
	db_col_copy(s, 0, p, STORE_ID_SIZE);
	return 0;
}

static int
project_domain(struct store *st, const char *project_id,
    char out[STORE_ID_SIZE], struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT domain_id FROM project WHERE id = ?",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, project_id);
	return store_get_one(st, s, "project domain", id_row, out, "project",
	    project_id, err);
}

/* Projects below project_id (not itself), breadth first. */
static int
project_subtree(struct store *st, const char *project_id, char ***ids,
    size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "WITH RECURSIVE sub(id, depth) AS ("
	    " SELECT id, 1 FROM project WHERE parent_id = ?1"
	    " UNION SELECT p.id, sub.depth + 1 FROM project p JOIN sub"
	    "  ON p.parent_id = sub.id WHERE sub.depth < 64)"
	    " SELECT id FROM sub ORDER BY depth, id", err)) == NULL)
		return -1;
	db_bind_text(s, 1, project_id);
	return store_get_strings(st, s, "project subtree", ids, n, err);
}

/* Ancestors of project_id, nearest first. */
static int
project_parents(struct store *st, const char *project_id, char ***ids,
    size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "WITH RECURSIVE anc(id, depth) AS ("
	    " SELECT parent_id, 1 FROM project WHERE id = ?1 AND parent_id IS NOT NULL"
	    " UNION SELECT p.parent_id, anc.depth + 1 FROM project p JOIN anc"
	    "  ON p.id = anc.id WHERE p.parent_id IS NOT NULL AND anc.depth < 64)"
	    " SELECT id FROM anc ORDER BY depth", err)) == NULL)
		return -1;
	db_bind_text(s, 1, project_id);
	return store_get_strings(st, s, "project parents", ids, n, err);
}

static int
domain_projects(struct store *st, const char *domain_id, char ***ids, size_t *n,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT id FROM project WHERE domain_id = ?"
	    " ORDER BY id", err)) == NULL)
		return -1;
	db_bind_text(s, 1, domain_id);
	return store_get_strings(st, s, "domain projects", ids, n, err);
}

/* The filters and look-ups one effective listing shares. */
struct eff_ctx {
	struct store			*st;
	const struct kg_assign_filter	*f;
	const struct alist		*rows;
	int				 inherited;	/* -1, 0, 1 */
	char				 proj_domain[STORE_ID_SIZE];
	char				**pids;		/* project + subtree */
	size_t				 npids;
	size_t				 nsubtree;	/* pids[1..] */
	char				**parents;
	size_t				 nparents;
};

/* list_role_assignments_for_actor: the grants that can affect the actor
 * (a user, a set of groups, or anyone) on the target filters. */
static int
for_actor(struct eff_ctx *c, const char *user_id, char *const *group_ids,
    size_t ngroups, struct alist *out, struct kg_err *err)
{
	const struct kg_assign_filter	*f = c->f;
	char				**src = NULL;
	size_t				 nsrc = 0, i;
	int				 ret = -1;

	if (c->inherited != 1 && drv_list(c->rows, NULL, user_id, group_ids,
	    ngroups, f->domain_id, c->pids, c->npids, 0, out, err) == -1)
		return -1;
	if (c->inherited == 0)
		return 0;
	if (f->project_id == NULL)
		return drv_list(c->rows, NULL, user_id, group_ids, ngroups, NULL,
		    NULL, 0, 1, out, err);
	if (drv_list(c->rows, NULL, user_id, group_ids, ngroups, c->proj_domain,
	    NULL, 0, 1, out, err) == -1)
		return -1;
	/* Inherited project grants come from the parents, or from inside the
	 * subtree when one is listed. */
	if ((src = calloc(c->nparents + c->npids + 1, sizeof(*src))) == NULL)
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	for (i = 0; i < c->nparents; i++)
		src[nsrc++] = c->parents[i];
	if (c->nsubtree > 0)
		for (i = 0; i < c->npids; i++)
			src[nsrc++] = c->pids[i];
	if (nsrc > 0 && drv_list(c->rows, NULL, user_id, group_ids, ngroups, NULL,
	    src, nsrc, 1, out, err) == -1)
		goto done;
	ret = 0;
 done:
	free(src);
	return ret;
}

/* _expand_indirect_assignment: groups into members, inherited grants onto
 * the projects they apply to. */
static int
expand(struct eff_ctx *c, const struct kg_assignment *ref, struct alist *out,
    struct kg_err *err)
{
	const char		*user_id = c->f->user_id;
	struct kg_assignment	 e;
	char			**plist = NULL, **members = NULL;
	size_t			 np = 0, nm = 0, i, j;
	int			 ret = -1, own_plist = 1;

	if (!ref->inherited && !ref->is_group)
		return alist_push(out, ref, err);
	if (ref->is_group) {
		if (user_id == NULL && store_assignment_group_members(c->st, ref->actor_id,
		    &members, &nm, err) == -1)
			return -1;
	}
	if (!ref->inherited) {
		for (i = 0; i < (user_id != NULL ? 1 : nm); i++) {
			e = *ref;
			e.is_group = 0;
			kg_strlcpy(e.actor_id, user_id != NULL ? user_id : members[i],
			    sizeof(e.actor_id));
			kg_strlcpy(e.via_group, ref->actor_id, sizeof(e.via_group));
			if (alist_push(out, &e, err) == -1)
				goto done;
		}
		ret = 0;
		goto done;
	}
	/* The projects an inherited grant applies to. */
	if (c->f->project_id != NULL) {
		int	in = 0;

		if (c->nsubtree > 0 && ref->kind == KG_SCOPE_PROJECT)
			in = in_strv(ref->target_id, c->pids, c->npids);
		if (in) {
			if (project_subtree(c->st, ref->target_id, &plist, &np,
			    err) == -1)
				goto done;
		} else {
			plist = c->pids;
			np = c->nsubtree > 0 ? c->npids : 1;
			own_plist = 0;
		}
	} else if (ref->kind == KG_SCOPE_DOMAIN) {
		if (domain_projects(c->st, ref->target_id, &plist, &np, err) == -1)
			goto done;
	} else if (project_subtree(c->st, ref->target_id, &plist, &np, err) == -1)
		goto done;
	for (i = 0; i < (ref->is_group ? (user_id != NULL ? 1 : nm) : 1); i++)
		for (j = 0; j < np; j++) {
			e = *ref;
			if (ref->is_group) {
				e.is_group = 0;
				kg_strlcpy(e.actor_id, user_id != NULL ? user_id :
				    members[i], sizeof(e.actor_id));
				kg_strlcpy(e.via_group, ref->actor_id,
				    sizeof(e.via_group));
			}
			e.via_kind = ref->kind;
			kg_strlcpy(e.via_target, ref->target_id, sizeof(e.via_target));
			e.kind = KG_SCOPE_PROJECT;
			kg_strlcpy(e.target_id, plist[j], sizeof(e.target_id));
			e.inherited = 0;
			if (alist_push(out, &e, err) == -1)
				goto done;
		}
	ret = 0;
 done:
	if (own_plist)
		store_strv_free(plist, np);
	store_strv_free(members, nm);
	return ret;
}

static int
assignment_eq(const struct kg_assignment *a, const struct kg_assignment *b)
{
	return a->is_group == b->is_group && a->kind == b->kind &&
	    a->inherited == b->inherited && a->via_kind == b->via_kind &&
	    strcmp(a->actor_id, b->actor_id) == 0 &&
	    strcmp(a->target_id, b->target_id) == 0 &&
	    strcmp(a->role_id, b->role_id) == 0 &&
	    strcmp(a->via_group, b->via_group) == 0 &&
	    strcmp(a->via_target, b->via_target) == 0 &&
	    strcmp(a->prior_role, b->prior_role) == 0;
}

static uint64_t
assignment_hash(const struct kg_assignment *a)
{
	const char	*f[6] = { a->actor_id, a->target_id, a->role_id,
			    a->via_group, a->via_target, a->prior_role };
	uint64_t	 h = 1469598103934665603ULL;
	const char	*p;
	size_t		 i;

	for (i = 0; i < 6; i++) {
		for (p = f[i]; *p != '\0'; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL;
	}
	h ^= (uint64_t)(a->is_group | a->kind << 1 | a->inherited << 4 |
	    a->via_kind << 5);
	return h * 1099511628211ULL;
}

/* A set of assignments (open addressing over indexes into l). */
struct aset {
	struct alist	 l;
	size_t		*slot;		/* index + 1; 0 = empty */
	size_t		 nslot;
};

static int
aset_has(const struct aset *s, const struct kg_assignment *a)
{
	size_t	i;

	if (s->nslot == 0)
		return 0;
	for (i = assignment_hash(a) & (s->nslot - 1); s->slot[i] != 0;
	    i = (i + 1) & (s->nslot - 1))
		if (assignment_eq(&s->l.v[s->slot[i] - 1], a))
			return 1;
	return 0;
}

static int
aset_add(struct aset *s, const struct kg_assignment *a, struct kg_err *err)
{
	size_t	*ns, nn, i, k;

	if ((s->l.n + 1) * 2 > s->nslot) {
		nn = s->nslot ? s->nslot * 2 : 64;
		if ((ns = calloc(nn, sizeof(*ns))) == NULL)
			return kg_errf(err, KG_EINTERNAL, "out of memory");
		for (k = 0; k < s->l.n; k++) {
			for (i = assignment_hash(&s->l.v[k]) & (nn - 1); ns[i] != 0;
			    i = (i + 1) & (nn - 1))
				;
			ns[i] = k + 1;
		}
		free(s->slot);
		s->slot = ns;
		s->nslot = nn;
	}
	if (alist_push(&s->l, a, err) == -1)
		return -1;
	for (i = assignment_hash(a) & (s->nslot - 1); s->slot[i] != 0;
	    i = (i + 1) & (s->nslot - 1))
		;
	s->slot[i] = s->l.n;
	return 0;
}

/* add_implied_roles: depth first from the end of the list, skipping
 * entries already expanded (which is what stops cycles). */
static int
add_implied(struct store *st, struct alist *res, struct kg_err *err)
{
	struct alist		 stack = { 0 };
	struct aset		 checked = { { 0 }, NULL, 0 };
	struct kg_assignment	 cur, imp;
	char			**ids = NULL;
	size_t			 nids = 0, i;
	struct db_stmt		*s;
	int			 ret = -1;

	for (i = 0; i < res->n; i++)
		if (alist_push(&stack, &res->v[i], err) == -1)
			goto done;
	while (stack.n > 0) {
		cur = stack.v[--stack.n];
		if (aset_add(&checked, &cur, err) == -1)
			goto done;
		if ((s = store_prepare(st, "SELECT implied_role_id FROM implied_role"
		    " WHERE prior_role_id = ? ORDER BY implied_role_id", err)) == NULL)
			goto done;
		db_bind_text(s, 1, cur.role_id);
		if (store_get_strings(st, s, "implied roles", &ids, &nids,
		    err) == -1)
			goto done;
		for (i = 0; i < nids; i++) {
			imp = cur;
			kg_strlcpy(imp.role_id, ids[i], sizeof(imp.role_id));
			kg_strlcpy(imp.prior_role, cur.role_id, sizeof(imp.prior_role));
			if (aset_has(&checked, &imp))
				continue;
			if (alist_push(res, &imp, err) == -1 ||
			    alist_push(&stack, &imp, err) == -1)
				goto done;
		}
		store_strv_free(ids, nids);
		ids = NULL;
		nids = 0;
	}
	ret = 0;
 done:
	store_strv_free(ids, nids);
	free(stack.v);
	free(checked.l.v);
	free(checked.slot);
	return ret;
}

/* 1 when role_id is domain-specific (or gone), 0 when global, -1 on error. */
static int
role_is_domain_specific(struct store *st, const char *role_id, struct kg_err *err)
{
	struct db_stmt	*s;
	int		 rc, ret = 1;

	if ((s = store_prepare(st, "SELECT CASE WHEN domain_id IS NULL"
	    " THEN 0 ELSE 1 END FROM role WHERE id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, role_id);
	rc = db_step(s);
	if (rc == DB_ROW)
		ret = db_col_int(s, 0);
	db_reset(s);
	if (rc != DB_ROW && rc != DB_DONE)
		return store_dberr(st, "role domain", NULL, err);
	return ret;
}

static int
effective_list(struct store *st, const struct kg_assign_filter *f,
    const struct alist *rows, struct alist *out, struct kg_err *err)
{
	struct eff_ctx	 c;
	struct alist	 refs = { 0 }, res = { 0 };
	char		**sub = NULL, **groups = NULL;
	size_t		 nsub = 0, ngroups = 0, i;
	int		 ret = -1, ds;

	memset(&c, 0, sizeof(c));
	c.st = st;
	c.f = f;
	c.rows = rows;
	/* Group filters and domain-inherited ones can never match. */
	if (f->group_id != NULL || (f->domain_id != NULL && f->inherited == 1))
		return 0;
	c.inherited = f->domain_id != NULL ? 0 : f->inherited;
	if (f->project_id != NULL) {
		if (project_domain(st, f->project_id, c.proj_domain, err) == -1)
			return -1;
		if (f->include_subtree &&
		    project_subtree(st, f->project_id, &sub, &nsub, err) == -1)
			return -1;
		if ((c.pids = calloc(nsub + 1, sizeof(*c.pids))) == NULL) {
			kg_errf(err, KG_EINTERNAL, "out of memory");
			goto done;
		}
		c.pids[0] = (char *)f->project_id;
		for (i = 0; i < nsub; i++)
			c.pids[i + 1] = sub[i];
		c.npids = nsub + 1;
		c.nsubtree = nsub;
		if (project_parents(st, f->project_id, &c.parents, &c.nparents,
		    err) == -1)
			goto done;
	}
	if (for_actor(&c, f->user_id, NULL, 0, &refs, err) == -1)
		goto done;
	if (f->user_id != NULL) {
		if (store_user_group_ids(st, f->user_id, &groups, &ngroups,
		    err) == -1)
			goto done;
		if (ngroups > 0 && for_actor(&c, NULL, groups, ngroups, &refs,
		    err) == -1)
			goto done;
	}
	for (i = 0; i < refs.n; i++)
		if (expand(&c, &refs.v[i], &res, err) == -1)
			goto done;
	if (add_implied(st, &res, err) == -1)
		goto done;
	for (i = 0; i < res.n; i++) {
		if ((ds = role_is_domain_specific(st, res.v[i].role_id, err)) == -1)
			goto done;
		if (ds)
			continue;
		if (f->role_id != NULL && strcmp(res.v[i].role_id, f->role_id) != 0)
			continue;
		if (alist_push(out, &res.v[i], err) == -1)
			goto done;
	}
	ret = 0;
 done:
	free(refs.v);
	free(res.v);
	free(c.pids);
	store_strv_free(sub, nsub);
	store_strv_free(c.parents, c.nparents);
	store_strv_free(groups, ngroups);
	return ret;
}

/* _list_direct_role_assignments. */
static int
direct_list(struct store *st, const struct kg_assign_filter *f,
    const struct alist *rows, struct alist *out, struct kg_err *err)
{
	const struct kg_assignment	*a;
	char				**sub = NULL, **pids = NULL;
	char				*gid[1];
	size_t				 nsub = 0, npids = 0, i;
	int				 ret = -1;

	if (f->project_id != NULL) {
		if (f->include_subtree) {
			char	dom[STORE_ID_SIZE];

			if (project_domain(st, f->project_id, dom, err) == -1 ||
			    project_subtree(st, f->project_id, &sub, &nsub, err) == -1)
				return -1;
		}
		if ((pids = calloc(nsub + 1, sizeof(*pids))) == NULL) {
			kg_errf(err, KG_EINTERNAL, "out of memory");
			goto done;
		}
		pids[0] = (char *)f->project_id;
		for (i = 0; i < nsub; i++)
			pids[i + 1] = sub[i];
		npids = nsub + 1;
	}
	gid[0] = (char *)f->group_id;
	if (!f->system && drv_list(rows, f->role_id, f->user_id, gid,
	    f->group_id != NULL ? 1 : 0, f->domain_id, pids, npids, f->inherited,
	    out, err) == -1)
		goto done;
	if (f->system || (f->project_id == NULL && f->domain_id == NULL)) {
		for (i = 0; i < rows->n; i++) {
			a = &rows->v[i];
			if (a->kind != KG_SCOPE_SYSTEM)
				continue;
			if (f->user_id != NULL) {
				if (a->is_group || strcmp(a->actor_id, f->user_id) != 0)
					continue;
			} else if (f->group_id != NULL) {
				if (!a->is_group || strcmp(a->actor_id, f->group_id) != 0)
					continue;
			}
			if (f->role_id != NULL && strcmp(a->role_id, f->role_id) != 0)
				continue;
			if (alist_push(out, a, err) == -1)
				goto done;
		}
	}
	ret = 0;
 done:
	free(pids);
	store_strv_free(sub, nsub);
	return ret;
}

int
store_assignment_list(struct store *st, const struct kg_assign_filter *f,
    struct kg_assignment **out, size_t *n, struct kg_err *err)
{
	struct alist	rows = { 0 }, res = { 0 };
	int		ret;

	*out = NULL;
	*n = 0;
	if (fetch_rows(st, &rows, err) == -1) {
		free(rows.v);
		return -1;
	}
	if (f->effective)
		ret = effective_list(st, f, &rows, &res, err);
	else
		ret = direct_list(st, f, &rows, &res, err);
	free(rows.v);
	if (ret == -1) {
		free(res.v);
		return -1;
	}
	*out = res.v;
	*n = res.n;
	return 0;
}
