/*
 * test_store_assignment.c - unit tests for store/assignment.c: roles,
 * implied roles, grants and effective roles.
 *
 * Fixture rows for the identity tables (domains, projects, users, groups,
 * membership) are inserted with plain SQL so these tests do not depend on
 * the identity module; that is why this white-box store test includes
 * store_int.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/assignment.h"
#include "tests/t.h"
#include "tests/unit/tstore.h"

static int
sql(struct store *st, const char *q)
{
	return tstore_sql(st, q);
}

static struct kg_role
mkrole(const char *id, const char *name, const char *domain_id)
{
	struct kg_role	r;

	memset(&r, 0, sizeof(r));
	t_cat(r.id, sizeof(r.id), id);
	t_cat(r.name, sizeof(r.name), name);
	t_cat(r.domain_id, sizeof(r.domain_id), domain_id);
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
			t_cat(buf, sizeof(buf), ",");
		t_cat(buf, sizeof(buf), v[i].name);
	}
	free(v);
	return buf;
}

/* Assignment entries rendered "user/group:actor@target:role[<via>]". */
static const char *
ra(struct store *st, const struct kg_assign_filter *f)
{
	static char		 buf[4096];
	struct kg_assignment	*v;
	struct kg_err		 err = { 0 };
	size_t			 n, i;
	char			 one[600];

	if (store_assignment_list(st, f, &v, &n, &err) == -1)
		return err.kind == KG_ENOTFOUND ? "NOTFOUND" : "ERR";
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		snprintf(one, sizeof(one), "%s%s:%s@%s:%s%s%s%s%s%s%s%s",
		    i ? " " : "", v[i].is_group ? "g" : "u", v[i].actor_id,
		    v[i].target_id, v[i].role_id, v[i].inherited ? "+inh" : "",
		    v[i].via_group[0] ? "<g=" : "", v[i].via_group,
		    v[i].via_target[0] ? "<from=" : "", v[i].via_target,
		    v[i].prior_role[0] ? "<prior=" : "", v[i].prior_role);
		strncat(buf, one, sizeof(buf) - strlen(buf) - 1);
	}
	free(v);
	return buf;
}

static const char *
strv_join(char **v, size_t n)
{
	static char	buf[512];
	size_t		i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i)
			t_cat(buf, sizeof(buf), ",");
		t_cat(buf, sizeof(buf), v[i]);
	}
	store_strv_free(v, n);
	return buf;
}

/* Role CRUD, inference rules, grant checks and Keystone's listing. */
static void
test_crud_and_listing(void)
{
	struct store		*st;
	struct kg_err		 err = { 0 };
	struct kg_role		 r, *v;
	struct kg_implied_role	*iv;
	struct kg_assign_name	 nm;
	struct kg_assign_filter	 f;
	char			**ids;
	size_t			 n;

	st = tstore_open();
	T("sassign-10.1 open", st != NULL);
	if (st == NULL)
		return;
	T("sassign-10.2 fixtures", sql(st,
	    "INSERT INTO domain (id, name) VALUES ('default', 'Default'), ('d2', 'D2');"
	    "INSERT INTO project (id, name, domain_id, parent_id) VALUES"
	    " ('p1', 'one', 'default', NULL), ('p2', 'two', 'default', 'p1'),"
	    " ('p3', 'three', 'default', 'p2');"
	    "INSERT INTO \"user\" (id, name, domain_id, created_at) VALUES"
	    " ('u1', 'alice', 'default', 0), ('u2', 'bob', 'd2', 0),"
	    " ('u3', 'carol', 'default', 0);"
	    "INSERT INTO grp (id, name, domain_id) VALUES ('g1', 'devs', 'default');"
	    "INSERT INTO user_group (user_id, group_id) VALUES ('u1', 'g1'), ('u2', 'g1');"
	    "INSERT INTO role (id, name, domain_id) VALUES ('ra', 'admin', NULL),"
	    " ('rm', 'member', NULL), ('rr', 'reader', NULL), ('rd', 'dom', 'default');"
	    "INSERT INTO implied_role VALUES ('ra', 'rm'), ('rm', 'rr'), ('rd', 'rr');") == 0);

	/* Listing and update. */
	T("sassign-11.1 list global roles by name",
	    store_role_list(st, NULL, NULL, NULL, NULL, &v, &n, &err) == 0 && n == 3 &&
	    strcmp(v[0].name, "admin") == 0 && strcmp(v[2].name, "reader") == 0);
	kg_role_list_free(v, n);
	T("sassign-11.2 list domain roles",
	    store_role_list(st, NULL, "default", NULL, NULL, &v, &n, &err) == 0 && n == 1 &&
	    strcmp(v[0].id, "rd") == 0);
	kg_role_list_free(v, n);
	T("sassign-11.3 name filter", store_role_list(st, "member", "", NULL, NULL, &v, &n, &err) == 0 &&
	    n == 1 && strcmp(v[0].id, "rm") == 0);
	kg_role_list_free(v, n);
	T("sassign-11.4 name filter no match",
	    store_role_list(st, "nope", NULL, NULL, NULL, &v, &n, &err) == 0 && n == 0);
	kg_role_list_free(v, n);
	r = mkrole("rm", "membre", "");
	r.description = "d";
	r.extra = "{\"x\":1}";
	T("sassign-11.5 update", store_role_update(st, &r, &err) == 0);
	memset(&r, 0, sizeof(r));
	T("sassign-11.6 update stored", store_role_get(st, "rm", &r, &err) == 0 &&
	    strcmp(r.name, "membre") == 0 && strcmp(r.description, "d") == 0 &&
	    strcmp(r.extra, "{\"x\":1}") == 0);
	kg_role_free(&r);
	r = mkrole("rm", "admin", "");
	T("sassign-11.7 update to taken name -> conflict",
	    store_role_update(st, &r, &err) == -1 && err.kind == KG_ECONFLICT &&
	    strstr(err.msg, "Duplicate entry found with name admin.") != NULL);
	r = mkrole("zz", "x", "");
	T("sassign-11.8 update unknown -> not found",
	    store_role_update(st, &r, &err) == -1 && err.kind == KG_ENOTFOUND);
	r = mkrole("rm", "member", "");
	T("sassign-11.9 rename back", store_role_update(st, &r, &err) == 0);

	/* Inference rules. */
	T("sassign-12.1 implied get", store_implied_get(st, "ra", "rm", &err) == 0);
	T("sassign-12.2 implied get missing -> text",
	    store_implied_get(st, "rm", "ra", &err) == -1 && err.kind == KG_ENOTFOUND &&
	    strcmp(err.msg, "rm does not imply ra.") == 0);
	T("sassign-12.3 list all rules",
	    store_implied_list(st, NULL, &iv, &n, &err) == 0 && n == 3 &&
	    strcmp(iv[0].prior_id, "ra") == 0 && strcmp(iv[0].implied_name, "member") == 0 &&
	    strcmp(iv[2].prior_id, "rm") == 0);
	free(iv);
	T("sassign-12.4 list one prior",
	    store_implied_list(st, "rd", &iv, &n, &err) == 0 && n == 1 &&
	    strcmp(iv[0].implied_id, "rr") == 0 && strcmp(iv[0].prior_name, "dom") == 0);
	free(iv);

	/* Grants. */
	T("sassign-13.1 grants", store_grant(st, 0, "u1", KG_SCOPE_PROJECT, "p1", "rm", 0, &err) == 0 &&
	    store_grant(st, 1, "g1", KG_SCOPE_PROJECT, "p1", "rr", 0, &err) == 0 &&
	    store_grant(st, 0, "u3", KG_SCOPE_PROJECT, "p1", "ra", 1, &err) == 0 &&
	    store_grant(st, 1, "g1", KG_SCOPE_DOMAIN, "default", "rd", 1, &err) == 0 &&
	    store_grant(st, 0, "u1", KG_SCOPE_DOMAIN, "default", "rr", 0, &err) == 0 &&
	    store_grant(st, 0, "u3", KG_SCOPE_SYSTEM, NULL, "ra", 0, &err) == 0);
	T("sassign-13.2 check", store_grant_check(st, 0, "u1", KG_SCOPE_PROJECT, "p1",
	    "rm", 0, &err) == 0);
	T("sassign-13.3 check: inherited is another grant",
	    store_grant_check(st, 0, "u3", KG_SCOPE_PROJECT, "p1", "ra", 0, &err) == -1 &&
	    err.kind == KG_ENOTFOUND && strcmp(err.msg, "Could not find role assignment"
	    " with role: ra, user or group: u3, project, domain, or system: p1.") == 0);
	T("sassign-13.4 check: user is not group",
	    store_grant_check(st, 1, "u1", KG_SCOPE_PROJECT, "p1", "rm", 0, &err) == -1);
	T("sassign-13.5 check system",
	    store_grant_check(st, 0, "u3", KG_SCOPE_SYSTEM, "ignored", "ra", 0, &err) == 0);
	T("sassign-13.6 grant roles",
	    store_grant_roles(st, 0, "u1", KG_SCOPE_DOMAIN, "default", 0, &v, &n, &err) == 0 &&
	    n == 1 && strcmp(v[0].name, "reader") == 0);
	kg_role_list_free(v, n);
	T("sassign-13.7 group members",
	    store_assignment_group_members(st, "g1", &ids, &n, &err) == 0 &&
	    strcmp(strv_join(ids, n), "u1,u2") == 0);

	/* Who holds a role, directly, via groups or via implications. */
	T("sassign-14.1 holders of reader",
	    store_role_holders(st, "rr", &ids, &n, &err) == 0 &&
	    strcmp(strv_join(ids, n), "u1,u2,u3") == 0);
	T("sassign-14.2 holders of admin",
	    store_role_holders(st, "ra", &ids, &n, &err) == 0 &&
	    strcmp(strv_join(ids, n), "u3") == 0);
	T("sassign-14.3 holders of dom (group)",
	    store_role_holders(st, "rd", &ids, &n, &err) == 0 &&
	    strcmp(strv_join(ids, n), "u1,u2") == 0);

	/* Names. */
	T("sassign-15.1 user name", store_assign_name(st, KG_OBJ_USER, "u2", &nm, &err) == 0 &&
	    strcmp(nm.name, "bob") == 0 && strcmp(nm.domain_id, "d2") == 0 &&
	    strcmp(nm.domain_name, "D2") == 0);
	T("sassign-15.2 project name",
	    store_assign_name(st, KG_OBJ_PROJECT, "p2", &nm, &err) == 0 &&
	    strcmp(nm.name, "two") == 0 && strcmp(nm.domain_name, "Default") == 0);
	T("sassign-15.3 domain-specific role name",
	    store_assign_name(st, KG_OBJ_ROLE, "rd", &nm, &err) == 0 &&
	    strcmp(nm.domain_name, "Default") == 0);
	T("sassign-15.4 global role has no domain",
	    store_assign_name(st, KG_OBJ_ROLE, "rr", &nm, &err) == 0 && nm.domain_id[0] == 0);
	T("sassign-15.5 missing group text",
	    store_assign_name(st, KG_OBJ_GROUP, "gx", NULL, &err) == -1 &&
	    strcmp(err.msg, "Could not find group: gx.") == 0);
	T("sassign-15.6 missing domain text",
	    store_assign_name(st, KG_OBJ_DOMAIN, "dx", NULL, &err) == -1 &&
	    strcmp(err.msg, "Could not find domain: dx.") == 0);

	/* Direct listing, as Keystone's _list_direct_role_assignments. */
	memset(&f, 0, sizeof(f));
	f.inherited = -1;
	T("sassign-16.1 everything, system last", strcmp(ra(st, &f),
	    "g:g1@default:rd+inh g:g1@p1:rr u:u1@default:rr u:u1@p1:rm u:u3@p1:ra+inh"
	    " u:u3@system:ra") == 0);
	f.user_id = "u1";
	T("sassign-16.2 by user", strcmp(ra(st, &f), "u:u1@default:rr u:u1@p1:rm") == 0);
	f.user_id = NULL;
	f.group_id = "g1";
	f.project_id = "p1";
	T("sassign-16.3 by group and project", strcmp(ra(st, &f), "g:g1@p1:rr") == 0);
	f.group_id = NULL;
	f.inherited = 1;
	T("sassign-16.4 inherited on project", strcmp(ra(st, &f), "u:u3@p1:ra+inh") == 0);
	f.inherited = -1;
	f.project_id = "p2";
	T("sassign-16.5 nothing directly on p2", strcmp(ra(st, &f), "") == 0);
	f.project_id = "p1";
	f.include_subtree = 1;
	T("sassign-16.6 subtree includes p1", strstr(ra(st, &f), "u:u1@p1:rm") != NULL);
	f.project_id = "nope";
	T("sassign-16.7 subtree of unknown project", strcmp(ra(st, &f), "NOTFOUND") == 0);
	f.include_subtree = 0;
	T("sassign-16.8 unknown project, no subtree: empty", strcmp(ra(st, &f), "") == 0);
	f.project_id = NULL;
	f.system = 1;
	T("sassign-16.9 system only", strcmp(ra(st, &f), "u:u3@system:ra") == 0);
	f.system = 0;
	f.role_id = "rr";
	T("sassign-16.10 by role", strcmp(ra(st, &f), "g:g1@p1:rr u:u1@default:rr") == 0);

	/* Effective listing. */
	memset(&f, 0, sizeof(f));
	f.inherited = -1;
	f.effective = 1;
	f.user_id = "u1";
	f.project_id = "p2";
	/* u1 on p2: only the domain-inherited group grant of a domain role,
	 * which is stripped; what it implies stays. */
	T("sassign-17.1 effective user on project",
	    strcmp(ra(st, &f), "u:u1@p2:rr<g=g1<from=default<prior=rd") == 0);
	f.project_id = "p1";
	T("sassign-17.2 effective user on p1: direct, group, inherited, implied",
	    strcmp(ra(st, &f), "u:u1@p1:rm u:u1@p1:rr<g=g1"
	    " u:u1@p1:rr<g=g1<from=default<prior=rd u:u1@p1:rr<prior=rm") == 0);
	f.user_id = NULL;
	f.project_id = "p3";
	/* Keystone's order: expanded grants, then implied ones depth first
	 * from the end of the list. */
	T("sassign-17.3 effective on p3: project-inherited from p1, groups expanded",
	    strcmp(ra(st, &f), "u:u3@p3:ra<from=p1 u:u3@p3:rm<from=p1<prior=ra"
	    " u:u3@p3:rr<from=p1<prior=rm u:u2@p3:rr<g=g1<from=default<prior=rd"
	    " u:u1@p3:rr<g=g1<from=default<prior=rd") == 0);
	f.role_id = "ra";
	T("sassign-17.4 effective role filter", strcmp(ra(st, &f), "u:u3@p3:ra<from=p1") == 0);
	f.role_id = NULL;
	f.project_id = NULL;
	f.user_id = "u3";
	T("sassign-17.5 effective user, no target: subtree, no system",
	    strcmp(ra(st, &f), "u:u3@p2:ra<from=p1 u:u3@p3:ra<from=p1"
	    " u:u3@p3:rm<from=p1<prior=ra u:u3@p3:rr<from=p1<prior=rm"
	    " u:u3@p2:rm<from=p1<prior=ra u:u3@p2:rr<from=p1<prior=rm") == 0);
	f.user_id = NULL;
	f.domain_id = "default";
	T("sassign-17.6 effective on a domain", strcmp(ra(st, &f),
	    "u:u1@default:rr") == 0);
	f.inherited = 1;
	T("sassign-17.7 effective, domain, inherited: empty", strcmp(ra(st, &f), "") == 0);
	f.domain_id = NULL;
	f.inherited = -1;
	f.project_id = "nope";
	T("sassign-17.8 effective unknown project -> not found",
	    strcmp(ra(st, &f), "NOTFOUND") == 0);
	f.project_id = "p1";
	f.include_subtree = 1;
	f.inherited = 1;
	T("sassign-17.9 effective subtree inherited only",
	    strstr(ra(st, &f), "u:u3@p2:ra<from=p1") != NULL &&
	    strstr(ra(st, &f), "u:u1@p1:rm") == NULL);

	/* Removal. */
	T("sassign-18.1 ungrant", store_ungrant(st, 0, "u1", KG_SCOPE_PROJECT, "p1",
	    "rm", 0, &err) == 0);
	T("sassign-18.2 ungrant again -> not found", store_ungrant(st, 0, "u1",
	    KG_SCOPE_PROJECT, "p1", "rm", 0, &err) == -1 && err.kind == KG_ENOTFOUND);
	T("sassign-18.3 ungrant system", store_ungrant(st, 0, "u3", KG_SCOPE_SYSTEM,
	    NULL, "ra", 0, &err) == 0);
	T("sassign-18.4 implied delete", store_implied_delete(st, "rm", "rr", &err) == 0);
	T("sassign-18.5 implied delete again",
	    store_implied_delete(st, "rm", "rr", &err) == -1 && err.kind == KG_ENOTFOUND);
	T("sassign-18.6 role delete", store_role_delete(st, "rr", &err) == 0);
	T("sassign-18.7 role delete again",
	    store_role_delete(st, "rr", &err) == -1 && err.kind == KG_ENOTFOUND);
	T("sassign-18.8 grants and rules of the role gone",
	    store_implied_list(st, NULL, &iv, &n, &err) == 0 && n == 1 &&
	    strcmp(ra(st, &(struct kg_assign_filter){ .inherited = -1 }),
	    "g:g1@default:rd+inh u:u3@p1:ra+inh") == 0);
	free(iv);
	store_close(st);
}

int
main(void)
{
	struct store	*st;
	struct kg_err	 err = { 0 };
	struct kg_role	 r, got;
	int64_t		 g0;

	st = tstore_open();
	T("sassign-0.1 open", st != NULL);
	if (st == NULL)
		return t_report();
	T("sassign-0.2 migrate", store_schema_version(st) == store_schema_latest());
	T("sassign-0.3 fixtures", sql(st,
	    "INSERT INTO domain (id, name) VALUES ('default', 'Default'), ('d2', 'D2');"
	    "INSERT INTO project (id, name, domain_id, parent_id) VALUES"
	    " ('p1', 'p1', 'default', NULL), ('p2', 'p2', 'default', 'p1'),"
	    " ('p3', 'p3', 'default', 'p2'), ('q1', 'q1', 'd2', NULL);"
	    "INSERT INTO \"user\" (id, name, domain_id, created_at) VALUES"
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
	T("sassign-3.8 grant with unknown role: the foreign key refuses it",
	    store_grant(st, 0, "u1", KG_SCOPE_PROJECT, "p1", "nope", 0, &err) == -1 &&
	    err.kind == KG_ECONFLICT);
	T("sassign-3.10 grant to an unknown user, group, project or domain: refused",
	    store_grant(st, 0, "nobody", KG_SCOPE_PROJECT, "p1", "r-reader", 0,
	    &err) == -1 && err.kind == KG_ECONFLICT &&
	    store_grant(st, 1, "nogroup", KG_SCOPE_SYSTEM, NULL, "r-reader", 0,
	    &err) == -1 && err.kind == KG_ECONFLICT &&
	    store_grant(st, 0, "u1", KG_SCOPE_PROJECT, "noproj", "r-reader", 0,
	    &err) == -1 && err.kind == KG_ECONFLICT &&
	    store_grant(st, 0, "u1", KG_SCOPE_DOMAIN, "nodom", "r-reader", 1,
	    &err) == -1 && err.kind == KG_ECONFLICT);
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
	test_crud_and_listing();
	return t_report();
}
