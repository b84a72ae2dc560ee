/*
 * test_store_assignment.c - unit tests for store/assignment.c: roles,
 * implied roles, grants and effective roles.
 *
 * Fixture rows for the identity tables (domains, projects, users, groups,
 * membership) are inserted with plain SQL so these tests do not depend on
 * the identity module; that is why this white-box store test includes
 * store_int.h.
 */
#include <stdlib.h>
#include <string.h>

#include "store/assignment.h"
#include "store/store_int.h"
#include "tests/t.h"

static int
sql(struct store *st, const char *q)
{
	return sqlite3_exec(st->db, q, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static struct kg_role
mkrole(const char *id, const char *name, const char *domain_id)
{
	struct kg_role	r;

	memset(&r, 0, sizeof(r));
	strcpy(r.id, id);
	strcpy(r.name, name);
	strcpy(r.domain_id, domain_id);
	return r;
}

/* "name1,name2,..." of the effective roles, or "ERR". */
static const char *
eff(struct store *st, const char *user, enum kg_scope_kind kind, const char *target)
{
	static char		 buf[1024];
	struct kg_role_ref	*v;
	struct kg_err		 err = { 0 };
	size_t			 n, i;

	if (store_effective_roles(st, user, kind, target, &v, &n, &err) == -1)
		return "ERR";
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(buf, ",");
		strcat(buf, v[i].name);
	}
	free(v);
	return buf;
}

int
main(void)
{
	struct store	*st;
	struct kg_err	 err = { 0 };
	struct kg_role	 r, got;
	int64_t		 g0;

	st = store_open(":memory:", &err);
	T("sassign-0.1 open", st != NULL);
	if (st == NULL)
		return t_report();
	T("sassign-0.2 migrate", store_migrate(st, NULL, NULL, &err) == 0);
	T("sassign-0.3 fixtures", sql(st,
	    "INSERT INTO domain (id, name) VALUES ('default', 'Default'), ('d2', 'D2');"
	    "INSERT INTO project (id, name, domain_id, parent_id) VALUES"
	    " ('p1', 'p1', 'default', NULL), ('p2', 'p2', 'default', 'p1'),"
	    " ('p3', 'p3', 'default', 'p2'), ('q1', 'q1', 'd2', NULL);"
	    "INSERT INTO user (id, name, domain_id, created_at) VALUES"
	    " ('u1', 'u1', 'default', 0), ('u2', 'u2', 'default', 0);"
	    "INSERT INTO grp (id, name, domain_id) VALUES ('g1', 'g1', 'default'),"
	    " ('g2', 'g2', 'default');"
	    "INSERT INTO user_group (user_id, group_id) VALUES ('u1', 'g1');") == 0);

	/* Roles. */
	r = mkrole("r-admin", "admin", "");
	T("sassign-1.1 create role", store_role_create(st, &r, &err) == 0);
	r = mkrole("r-member", "member", "");
	r.description = "a member";
	T("sassign-1.2 create role with description",
	    store_role_create(st, &r, &err) == 0);
	r = mkrole("r-reader", "reader", "");
	T("sassign-1.3 create reader", store_role_create(st, &r, &err) == 0);
	r = mkrole("r-x", "admin", "");
	T("sassign-1.4 duplicate global name -> conflict",
	    store_role_create(st, &r, &err) == -1 && err.kind == KG_ECONFLICT &&
	    strcmp(err.msg, "Conflict occurred attempting to store role - "
	    "Duplicate entry found with name admin.") == 0);
	r = mkrole("r-dadmin", "admin", "d2");
	T("sassign-1.5 same name in a domain is another role",
	    store_role_create(st, &r, &err) == 0);
	r = mkrole("r-y", "admin", "d2");
	T("sassign-1.6 duplicate domain role -> conflict with domain text",
	    store_role_create(st, &r, &err) == -1 && err.kind == KG_ECONFLICT &&
	    strstr(err.msg, "at domain ID d2.") != NULL);
	r = mkrole("r-admin", "other", "");
	T("sassign-1.7 duplicate id -> conflict",
	    store_role_create(st, &r, &err) == -1 && err.kind == KG_ECONFLICT);

	memset(&got, 0, sizeof(got));
	T("sassign-1.8 get", store_role_get(st, "r-member", &got, &err) == 0 &&
	    strcmp(got.name, "member") == 0 && strcmp(got.description, "a member") == 0 &&
	    got.domain_id[0] == '\0' && strcmp(got.extra, "{}") == 0);
	kg_role_free(&got);
	T("sassign-1.9 get unknown -> not found",
	    store_role_get(st, "nope", &got, &err) == -1 && err.kind == KG_ENOTFOUND &&
	    strcmp(err.msg, "Could not find role: nope.") == 0);
	T("sassign-1.10 get by name, global",
	    store_role_get_by_name(st, "admin", NULL, &got, &err) == 0 &&
	    strcmp(got.id, "r-admin") == 0);
	kg_role_free(&got);
	T("sassign-1.11 get by name, domain",
	    store_role_get_by_name(st, "admin", "d2", &got, &err) == 0 &&
	    strcmp(got.id, "r-dadmin") == 0 && strcmp(got.domain_id, "d2") == 0);
	kg_role_free(&got);
	T("sassign-1.12 get by name unknown",
	    store_role_get_by_name(st, "member", "d2", &got, &err) == -1 &&
	    err.kind == KG_ENOTFOUND);
	kg_role_free(&got);	/* zeroed struct is fine */

	/* Implied roles. */
	T("sassign-2.1 admin implies member",
	    store_role_add_implied(st, "r-admin", "r-member", &err) == 0);
	T("sassign-2.2 member implies reader",
	    store_role_add_implied(st, "r-member", "r-reader", &err) == 0);
	T("sassign-2.3 implied is idempotent",
	    store_role_add_implied(st, "r-member", "r-reader", &err) == 0);
	T("sassign-2.4 unknown role -> not found",
	    store_role_add_implied(st, "r-member", "nope", &err) == -1 &&
	    err.kind == KG_ENOTFOUND);

	/* Grants and effective roles. */
	T("sassign-3.1 no grants, no roles", strcmp(eff(st, "u1", KG_SCOPE_PROJECT, "p1"), "") == 0);
	T("sassign-3.2 grant user project",
	    store_grant(st, 0, "u1", KG_SCOPE_PROJECT, "p1", "r-reader", 0, &err) == 0);
	g0 = store_generation(st);
	T("sassign-3.3 grant twice is not an error",
	    store_grant(st, 0, "u1", KG_SCOPE_PROJECT, "p1", "r-reader", 0, &err) == 0);
	T("sassign-3.4 idempotent grant leaves generation", store_generation(st) == g0);
	T("sassign-3.5 direct grant", strcmp(eff(st, "u1", KG_SCOPE_PROJECT, "p1"), "reader") == 0);
	T("sassign-3.6 not on the child (not inherited)",
	    strcmp(eff(st, "u1", KG_SCOPE_PROJECT, "p2"), "") == 0);
	T("sassign-3.7 not for another user", strcmp(eff(st, "u2", KG_SCOPE_PROJECT, "p1"), "") == 0);
	T("sassign-3.8 grant with unknown role -> not found",
	    store_grant(st, 0, "u1", KG_SCOPE_PROJECT, "p1", "nope", 0, &err) == -1 &&
	    err.kind == KG_ENOTFOUND);
	T("sassign-3.9 bad scope kind",
	    store_grant(st, 0, "u1", KG_SCOPE_NONE, "p1", "r-reader", 0, &err) == -1);

	/* Through a group, with implications (admin -> member -> reader). */
	T("sassign-4.1 group grant", store_grant(st, 1, "g1", KG_SCOPE_PROJECT, "p1",
	    "r-admin", 0, &err) == 0);
	T("sassign-4.2 group + implied, sorted, no duplicates",
	    strcmp(eff(st, "u1", KG_SCOPE_PROJECT, "p1"), "admin,member,reader") == 0);
	T("sassign-4.3 non-member gets nothing",
	    strcmp(eff(st, "u2", KG_SCOPE_PROJECT, "p1"), "") == 0);
	T("sassign-4.4 group grant of another group is ignored",
	    store_grant(st, 1, "g2", KG_SCOPE_PROJECT, "p3", "r-admin", 0, &err) == 0 &&
	    strcmp(eff(st, "u1", KG_SCOPE_PROJECT, "p3"), "") == 0);

	/* Cycle in implications terminates. */
	T("sassign-4.5 cycle reader -> admin",
	    store_role_add_implied(st, "r-reader", "r-admin", &err) == 0);
	T("sassign-4.6 cycle: closure still finite and unique",
	    strcmp(eff(st, "u2", KG_SCOPE_PROJECT, "p1"), "") == 0 &&
	    store_grant(st, 0, "u2", KG_SCOPE_PROJECT, "p1", "r-reader", 0, &err) == 0 &&
	    strcmp(eff(st, "u2", KG_SCOPE_PROJECT, "p1"), "admin,member,reader") == 0);
	T("sassign-4.7 break the cycle",
	    sql(st, "DELETE FROM implied_role WHERE prior_role_id = 'r-reader'") == 0 &&
	    strcmp(eff(st, "u2", KG_SCOPE_PROJECT, "p1"), "reader") == 0);

	/* Inheritance: project -> subtree, domain -> all its projects. */
	r = mkrole("r-obs", "observer", "");
	T("sassign-5.1 create observer", store_role_create(st, &r, &err) == 0);
	T("sassign-5.2 inherited grant on p1",
	    store_grant(st, 0, "u2", KG_SCOPE_PROJECT, "p1", "r-obs", 1, &err) == 0);
	T("sassign-5.3 inherited grant not on p1 itself",
	    strcmp(eff(st, "u2", KG_SCOPE_PROJECT, "p1"), "reader") == 0);
	T("sassign-5.4 inherited grant on child p2",
	    strcmp(eff(st, "u2", KG_SCOPE_PROJECT, "p2"), "observer") == 0);
	T("sassign-5.5 inherited grant on grandchild p3",
	    strcmp(eff(st, "u2", KG_SCOPE_PROJECT, "p3"), "observer") == 0);
	r = mkrole("r-dom", "domrole", "");
	T("sassign-5.6 domain inherited group grant",
	    store_role_create(st, &r, &err) == 0 &&
	    store_grant(st, 1, "g1", KG_SCOPE_DOMAIN, "default", "r-dom", 1, &err) == 0);
	T("sassign-5.7 domain-inherited applies to projects",
	    strcmp(eff(st, "u1", KG_SCOPE_PROJECT, "p3"), "domrole") == 0);
	T("sassign-5.8 domain-inherited not on the domain itself",
	    strcmp(eff(st, "u1", KG_SCOPE_DOMAIN, "default"), "") == 0);
	T("sassign-5.9 not on a project of another domain",
	    strcmp(eff(st, "u1", KG_SCOPE_PROJECT, "q1"), "") == 0);
	T("sassign-5.10 inherited grant on p2 applies to p3 only",
	    store_grant(st, 0, "u1", KG_SCOPE_PROJECT, "p2", "r-reader", 1, &err) == 0 &&
	    strcmp(eff(st, "u1", KG_SCOPE_PROJECT, "p3"), "domrole,reader") == 0 &&
	    strcmp(eff(st, "u1", KG_SCOPE_PROJECT, "p2"), "domrole") == 0);

	/* Domain and system scopes. */
	T("sassign-6.1 domain grant",
	    store_grant(st, 0, "u1", KG_SCOPE_DOMAIN, "d2", "r-member", 0, &err) == 0 &&
	    strcmp(eff(st, "u1", KG_SCOPE_DOMAIN, "d2"), "member,reader") == 0);
	T("sassign-6.2 domain grant does not reach its projects",
	    strcmp(eff(st, "u1", KG_SCOPE_PROJECT, "q1"), "") == 0);
	T("sassign-6.3 system grant via group, target ignored",
	    store_grant(st, 1, "g1", KG_SCOPE_SYSTEM, "whatever", "r-member", 0, &err) == 0 &&
	    strcmp(eff(st, "u1", KG_SCOPE_SYSTEM, NULL), "member,reader") == 0 &&
	    strcmp(eff(st, "u1", KG_SCOPE_SYSTEM, "system"), "member,reader") == 0);
	T("sassign-6.4 system grant not a project grant",
	    strcmp(eff(st, "u1", KG_SCOPE_PROJECT, "system"), "") == 0);
	T("sassign-6.5 unknown target -> empty", strcmp(eff(st, "u1", KG_SCOPE_PROJECT, "zz"), "") == 0);
	T("sassign-6.6 bad kind -> error", strcmp(eff(st, "u1", KG_SCOPE_NONE, "p1"), "ERR") == 0);

	/* Domain-specific roles only imply others. */
	r = mkrole("r-dspec", "dspec", "default");
	T("sassign-7.1 domain-specific role implying member",
	    store_role_create(st, &r, &err) == 0 &&
	    store_role_add_implied(st, "r-dspec", "r-member", &err) == 0 &&
	    store_grant(st, 0, "u2", KG_SCOPE_PROJECT, "q1", "r-dspec", 0, &err) == 0);
	T("sassign-7.2 domain-specific role stripped, implied kept",
	    strcmp(eff(st, "u2", KG_SCOPE_PROJECT, "q1"), "member,reader") == 0);

	/* Cascades: deleting a group or a role removes its grants. */
	T("sassign-8.1 delete group", sql(st, "DELETE FROM grp WHERE id = 'g1'") == 0);
	T("sassign-8.2 group grants gone",
	    strcmp(eff(st, "u1", KG_SCOPE_PROJECT, "p1"), "reader") == 0);
	T("sassign-8.3 delete role", sql(st, "DELETE FROM role WHERE id = 'r-reader'") == 0);
	T("sassign-8.4 role grants and implications gone",
	    strcmp(eff(st, "u1", KG_SCOPE_PROJECT, "p1"), "") == 0);

	store_close(st);
	return t_report();
}
