/*
 * test_policy.c - the oslo.policy engine (auth/policy.c): the grammar as
 * oslo_policy/_parser.py reads it, the checks as oslo_policy/_checks.py
 * evaluates them (missing target keys, None, case, lists, literals),
 * refusal of bad rules with a clear message, set building as
 * Enforcer.load_rules does it (file overrides, deprecated rules OR'ed in,
 * renamed rules, scope_types), and Keystone's two built-in sets.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"
#include "server/ptarget.h"
#include "tests/t.h"

/* ---- callers ------------------------------------------------------------ */

static struct kg_role_ref r_admin[] = { { "ra", "admin" }, { "rm", "member" },
	{ "rr", "reader" } };
static struct kg_role_ref r_reader[] = { { "rr", "reader" } };
static struct kg_role_ref r_member[] = { { "rm", "member" }, { "rr", "reader" } };
static struct kg_role_ref r_service[] = { { "rs", "service" } };
static struct kg_role_ref r_upper[] = { { "rx", "Admin" } };

static struct kg_ctx
caller(enum kg_scope_kind scope, struct kg_role_ref *roles, size_t n)
{
	struct kg_ctx	c;

	memset(&c, 0, sizeof(c));
	strcpy(c.user_id, "u1");
	strcpy(c.user_domain_id, "d1");
	c.scope = scope;
	if (scope == KG_SCOPE_PROJECT) {
		strcpy(c.project_id, "p1");
		strcpy(c.project_domain_id, "d1");
	} else if (scope == KG_SCOPE_DOMAIN)
		strcpy(c.domain_id, "d1");
	c.roles = roles;
	c.nroles = n;
	return c;
}

#define CALLER(scope, roles) caller(scope, roles, sizeof(roles) / sizeof(roles[0]))

/* ---- a set from one file text ------------------------------------------ */

static const struct policy_default no_rules[] = {
	{ "base", "@", 0, NULL, NULL, 0, NULL },
};
static const struct policy_defaults tiny = { "tiny", "0", no_rules, 1 };

static struct policy_set *
build(const char *yaml, const struct policy_defaults *d, int scope, int newdef,
    struct kg_err *err)
{
	struct policy_options	 o = { d, scope, newdef };
	struct policy_file	 f;
	struct policy_set	*s;

	kg_err_clear(err);
	memset(&f, 0, sizeof(f));
	if (yaml != NULL && policy_file_parse("test.yaml", yaml, strlen(yaml), &f,
	    err) == -1)
		return NULL;
	s = policy_set_build(&o, yaml ? &f : NULL, err);
	policy_file_free(&f);
	return s;
}

/* Evaluate rule text "r" alone (as rule "x") for c on t. -1: refused. */
static int
eval1(const char *rule, const struct kg_ctx *c, const struct policy_target *t)
{
	struct kg_err		 err;
	struct policy_set	*s;
	char			 yaml[2048];
	size_t			 o;
	int			 r;

	/* A YAML single-quoted scalar: ' is written ''. */
	o = (size_t)snprintf(yaml, sizeof(yaml), "\"x\": '");
	for (; *rule != '\0' && o < sizeof(yaml) - 8; rule++) {
		if (*rule == '\'')
			yaml[o++] = '\'';
		yaml[o++] = *rule;
	}
	snprintf(yaml + o, sizeof(yaml) - o, "'\n");
	if ((s = build(yaml, &tiny, 0, 0, &err)) == NULL) {
		printf("    (refused: %s)\n", err.msg);
		return -1;
	}
	r = policy_enforce(s, "x", c, t);
	policy_set_free(s);
	return r;
}

/* 1 when rule text is refused and the message contains want. */
static int
refused(const char *rule, const char *want)
{
	struct kg_err	err;

	kg_err_clear(&err);
	if (policy_check_syntax(rule, &err) == 0)
		return 0;
	if (strstr(err.msg, want) == NULL) {
		printf("    (got \"%s\")\n", err.msg);
		return 0;
	}
	return 1;
}

/* ---- the grammar -------------------------------------------------------- */

static void
test_grammar(void)
{
	char		deep_parens[400];
	struct kg_ctx	a = CALLER(KG_SCOPE_PROJECT, r_admin);
	struct kg_ctx	rd = CALLER(KG_SCOPE_SYSTEM, r_reader);

	T("policy-1.1 @ allows, ! denies, empty allows",
	    eval1("@", &a, NULL) == 1 && eval1("!", &a, NULL) == 0 &&
	    eval1("", &a, NULL) == 1 && refused("   ", "no check"));
	T("policy-1.2 role: and and/or",
	    eval1("role:admin and role:member", &a, NULL) == 1 &&
	    eval1("role:admin and role:service", &a, NULL) == 0 &&
	    eval1("role:service or role:reader", &a, NULL) == 1);
	T("policy-1.3 and binds tighter than or (A or B and C)",
	    eval1("role:admin or role:service and role:nobody", &a, NULL) == 1 &&
	    eval1("role:nobody or role:admin and role:service", &a, NULL) == 0 &&
	    eval1("role:service and role:nobody or role:admin", &a, NULL) == 1);
	T("policy-1.4 parentheses",
	    eval1("(role:admin or role:service) and role:nobody", &a, NULL) == 0 &&
	    eval1("((role:admin))", &a, NULL) == 1 &&
	    eval1("role:nobody or (role:admin and (role:member or role:x))", &a,
	    NULL) == 1);
	T("policy-1.5 not binds tightest",
	    eval1("not role:admin", &a, NULL) == 0 &&
	    eval1("not role:service and role:admin", &a, NULL) == 1 &&
	    eval1("not (role:service or role:admin)", &a, NULL) == 0 &&
	    eval1("role:nobody or not role:service and role:admin", &a, NULL) == 1 &&
	    eval1("not not role:admin", &a, NULL) == 1);
	T("policy-1.6 and/or/not in any case (oslo lowercases them)",
	    eval1("role:admin AND role:member", &a, NULL) == 1 &&
	    eval1("role:nobody Or NOT role:service", &a, NULL) == 1);
	T("policy-1.7 long or/and chains",
	    eval1("role:a or role:b or role:c or role:reader and system_scope:all",
	    &rd, NULL) == 1 &&
	    eval1("role:a or role:b or role:reader and system_scope:all and "
	    "role:nobody", &rd, NULL) == 0);
	T("policy-1.8 whitespace: tabs and newlines separate tokens",
	    eval1("role:admin\tand\n role:member", &a, NULL) == 1);

	memset(deep_parens, '(', 150);
	snprintf(deep_parens + 150, sizeof(deep_parens) - 150, "role:a");
	T("policy-1.20 refused: unbalanced parentheses",
	    refused("(role:admin", "unbalanced parentheses") &&
	    refused("role:admin)", "unbalanced parentheses"));
	T("policy-1.21 refused: operator without operand",
	    refused("role:admin and", "not one check") &&
	    refused("or role:admin", "not one check") &&
	    refused("not", "not one check") &&
	    refused("role:admin and or role:b", "not one check"));
	T("policy-1.22 refused: two checks in a row",
	    refused("role:admin role:member", "not one check"));
	T("policy-1.23 refused: check without ':'",
	    refused("admin", "is not KIND:MATCH") &&
	    refused("True", "is not KIND:MATCH"));
	T("policy-1.24 refused: quoted string where a check goes",
	    refused("'role:admin'", "not one check"));
	T("policy-1.25 refused: unknown credential attribute",
	    refused("rol:admin", "'rol' is neither a credential attribute") &&
	    refused("token.user.name:bob", "is neither"));
	T("policy-1.26 refused: http and https checks",
	    refused("http://example.com/check:x", "not supported") &&
	    refused("https:x", "not supported"));
	T("policy-1.27 refused: %-formats other than %(key)s",
	    refused("user_id:%(target.user.id)d", "only %(name)s") &&
	    refused("user_id:%s", "only %(name)s") &&
	    refused("user_id:abc%", "only %(name)s") &&
	    refused("user_id:%(unclosed", "only %(name)s"));
	T("policy-1.28 refused: nesting beyond the limit",
	    refused(deep_parens, "deep"));
}

/* ---- checks ------------------------------------------------------------- */

static void
test_checks(void)
{
	struct kg_ctx		pa = CALLER(KG_SCOPE_PROJECT, r_admin);
	struct kg_ctx		sr = CALLER(KG_SCOPE_SYSTEM, r_reader);
	struct kg_ctx		dr = CALLER(KG_SCOPE_DOMAIN, r_reader);
	struct kg_ctx		up = CALLER(KG_SCOPE_PROJECT, r_upper);
	struct kg_ctx		un = caller(KG_SCOPE_NONE, NULL, 0);
	struct policy_target	t;

	memset(&t, 0, sizeof(t));
	T("policy-2.1 role: is case-insensitive both ways",
	    eval1("role:ADMIN", &pa, NULL) == 1 && eval1("role:admin", &up, NULL) == 1);
	T("policy-2.2 generic checks compare exactly (case-sensitive)",
	    eval1("system_scope:all", &sr, NULL) == 1 &&
	    eval1("system_scope:ALL", &sr, NULL) == 0 &&
	    eval1("user_id:u1", &pa, NULL) == 1 && eval1("user_id:U1", &pa, NULL) == 0);
	T("policy-2.3 a missing target key makes the check false (KeyError)",
	    eval1("user_id:%(target.user.id)s", &pa, &t) == 0 &&
	    eval1("not user_id:%(target.user.id)s", &pa, &t) == 1 &&
	    eval1("role:%(target.role.name)s", &pa, &t) == 0);
	t.v[PK_T_USER_ID] = "u1";
	T("policy-2.4 substitution", eval1("user_id:%(target.user.id)s", &pa, &t) == 1);
	t.v[PK_T_USER_ID] = "u2";
	T("policy-2.5 substitution, other value",
	    eval1("user_id:%(target.user.id)s", &pa, &t) == 0);
	t.v[PK_USER_ID] = "u1";
	T("policy-2.6 URL parameter (view arg)", eval1("user_id:%(user_id)s", &pa, &t));
	T("policy-2.7 mixed template and %%",
	    eval1("user_id:%(user_id)s%%", &pa, &t) == 0 &&
	    eval1("'u1%':%(user_id)s%%", &pa, &t) == 1 &&
	    eval1("'x-u1-y':x-%(user_id)s-y", &pa, &t) == 1);
	T("policy-2.8 None: a project-scoped token's domain_id is None",
	    eval1("domain_id:None", &pa, NULL) == 1 &&
	    eval1("not domain_id:None", &dr, NULL) == 1 &&
	    eval1("project_id:None", &sr, NULL) == 1 &&
	    eval1("system_scope:None", &pa, NULL) == 1);
	t.v[PK_T_ROLE_DOMAIN_ID] = POLICY_NONE;
	T("policy-2.9 a global role: None:%(target.role.domain_id)s holds",
	    eval1("None:%(target.role.domain_id)s", &pa, &t) == 1 &&
	    eval1("domain_id:%(target.role.domain_id)s", &pa, &t) == 1 &&
	    eval1("domain_id:%(target.role.domain_id)s", &dr, &t) == 0);
	t.v[PK_T_ROLE_DOMAIN_ID] = "d1";
	T("policy-2.10 a domain role: None: no longer holds, domain_id does",
	    eval1("None:%(target.role.domain_id)s", &pa, &t) == 0 &&
	    eval1("domain_id:%(target.role.domain_id)s", &dr, &t) == 1);
	t.v[PK_T_ROLE_NAME] = "member";
	t.v[PK_T_USER_ENABLED] = POLICY_TRUE;
	T("policy-2.11 literal kinds: quoted, True, integers",
	    eval1("'member':%(target.role.name)s", &pa, &t) == 1 &&
	    eval1("\"member\":%(target.role.name)s", &pa, &t) == 1 &&
	    eval1("'Member':%(target.role.name)s", &pa, &t) == 0 &&
	    eval1("True:%(target.user.enabled)s", &pa, &t) == 1 &&
	    eval1("False:%(target.user.enabled)s", &pa, &t) == 0 &&
	    eval1("1:1", &pa, NULL) == 1 && eval1("+1:1", &pa, NULL) == 1 &&
	    eval1("-0:0", &pa, NULL) == 1);
	T("policy-2.12 refused: a literal Python would not parse",
	    refused("007:7", "is neither") && refused("'a\\'b':x", "is neither"));
	T("policy-2.13 lists: roles and token.roles.name match any item",
	    eval1("roles:member", &pa, NULL) == 1 &&
	    eval1("roles:Member", &pa, NULL) == 0 &&
	    eval1("token.roles.name:reader", &pa, NULL) == 1 &&
	    eval1("token.roles.id:ra", &pa, NULL) == 1 &&
	    eval1("service_roles:admin", &pa, NULL) == 0);
	T("policy-2.14 token.* attributes by scope",
	    eval1("token.project.domain.id:d1", &pa, NULL) == 1 &&
	    eval1("token.domain.id:d1", &pa, NULL) == 0 &&
	    eval1("token.domain.id:d1", &dr, NULL) == 1 &&
	    eval1("token.project.domain.id:None", &dr, NULL) == 0 &&
	    eval1("token.system.all:True", &sr, NULL) == 1 &&
	    eval1("token.user.domain.id:d1", &sr, NULL) == 1);
	T("policy-2.15 system is set only for system scope; is_admin never",
	    eval1("system:all", &sr, NULL) == 1 && eval1("system:None", &pa, NULL) == 0 &&
	    eval1("is_admin:1", &pa, NULL) == 0 && eval1("is_admin:False", &pa, NULL) == 0);
	T("policy-2.16 is_admin_project: False for domain scope only",
	    eval1("is_admin_project:True", &pa, NULL) == 1 &&
	    eval1("is_admin_project:False", &dr, NULL) == 1);
	T("policy-2.17 an unscoped token: no roles, project_id None",
	    eval1("role:admin", &un, NULL) == 0 && eval1("project_id:None", &un, NULL) == 1);
	T("policy-2.18 an unknown target key is never present",
	    eval1("user_id:%(target.credential.user_id)s", &pa, &t) == 0 &&
	    eval1("not user_id:%(target.credential.user_id)s", &pa, &t) == 1);
}

/* ---- sets --------------------------------------------------------------- */

static const struct policy_default dep_rules[] = {
	{ "admin_required", "role:admin", 0, NULL, NULL, 0, NULL },
	{ "svc:get", "role:reader and system_scope:all", PS_SYSTEM,
	  "svc:get", "rule:admin_required", 0, "GET /x" },
	{ "svc:same", "role:reader", PS_SYSTEM | PS_PROJECT,
	  "svc:same", "role:reader", 0, NULL },
	{ "svc:new_name", "role:reader and system_scope:all", PS_SYSTEM,
	  "svc:old_name", "role:admin", 0, NULL },
};
static const struct policy_defaults deps = { "deps", "0", dep_rules, 4 };

static void
test_sets(void)
{
	struct kg_ctx		 pa = CALLER(KG_SCOPE_PROJECT, r_admin);
	struct kg_ctx		 sr = CALLER(KG_SCOPE_SYSTEM, r_reader);
	struct kg_ctx		 pm = CALLER(KG_SCOPE_PROJECT, r_member);
	struct kg_err		 err;
	struct policy_set	*s;
	struct policy_rule_info	 ri;
	size_t			 i;
	int			 found;

	s = build(NULL, &deps, 0, 0, &err);
	T("policy-3.1 new or deprecated when enforce_new_defaults is off",
	    s != NULL && policy_enforce(s, "svc:get", &pa, NULL) == 1 &&
	    policy_enforce(s, "svc:get", &sr, NULL) == 1 &&
	    policy_enforce(s, "svc:get", &pm, NULL) == 0);
	T("policy-3.2 scope_types only logged when enforce_scope is off",
	    s != NULL && policy_enforce(s, "svc:same", &pm, NULL) == 1);
	T("policy-3.3 an unknown rule is denied",
	    s != NULL && policy_enforce(s, "svc:nothing", &pa, NULL) == 0);
	found = 0;
	for (i = 0; s != NULL && i < policy_set_count(s); i++)
		if (policy_set_rule(s, i, &ri) == 0 && strcmp(ri.name, "svc:get") == 0)
			found = strcmp(ri.check_str, "(role:reader and system_scope:all) "
			    "or (rule:admin_required)") == 0 &&
			    strcmp(ri.origin, "default or deprecated") == 0;
	T("policy-3.4 the list shows the OR'ed check", found);
	policy_set_free(s);

	s = build(NULL, &deps, 0, 1, &err);
	T("policy-3.5 enforce_new_defaults drops the deprecated check",
	    s != NULL && policy_enforce(s, "svc:get", &pa, NULL) == 0 &&
	    policy_enforce(s, "svc:get", &sr, NULL) == 1);
	policy_set_free(s);

	s = build(NULL, &deps, 1, 1, &err);
	T("policy-3.6 enforce_scope denies a token of another scope",
	    s != NULL && policy_enforce(s, "svc:same", &pm, NULL) == 1 &&
	    policy_enforce(s, "svc:get", &pa, NULL) == 0 &&
	    policy_enforce(s, "admin_required", &pa, NULL) == 1);
	policy_set_free(s);

	s = build("svc:get: role:member\n", &deps, 0, 0, &err);
	T("policy-3.7 a file rule replaces the default and its deprecated check",
	    s != NULL && policy_enforce(s, "svc:get", &pm, NULL) == 1 &&
	    policy_enforce(s, "svc:get", &sr, NULL) == 0);
	policy_set_free(s);

	s = build("{\"svc:old_name\": \"role:member\"}", &deps, 0, 0, &err);
	T("policy-3.8 a file rule under a renamed rule's old name applies to the new",
	    s != NULL && policy_enforce(s, "svc:new_name", &pm, NULL) == 1 &&
	    policy_enforce(s, "svc:new_name", &sr, NULL) == 0);
	policy_set_free(s);

	s = build("svc:old_name: rule:svc:new_name\n", &deps, 0, 0, &err);
	T("policy-3.9 ... unless it just points at the new name",
	    s != NULL && policy_enforce(s, "svc:new_name", &sr, NULL) == 1);
	policy_set_free(s);

	s = build("svc:get: rule:mine\nmine: role:member or rule:admin_required\n",
	    &deps, 0, 0, &err);
	T("policy-3.10 a file may add rules and refer to defaults",
	    s != NULL && policy_enforce(s, "svc:get", &pm, NULL) == 1);
	policy_set_free(s);

	s = build("a: role:x\nsvc:get: rule:nosuch\n", &deps, 0, 0, &err);
	T("policy-3.11 refused: reference to an undefined rule, with file and line",
	    s == NULL && strstr(err.msg, "test.yaml:2: rule \"svc:get\"") != NULL &&
	    strstr(err.msg, "rule:nosuch") != NULL);
	s = build("a: rule:b\nb: role:x or rule:c\nc: rule:a\n", &deps, 0, 0, &err);
	T("policy-3.12 refused: a cycle of rule: references",
	    s == NULL && strstr(err.msg, "refers to itself") != NULL);
	s = build("a: role:x\nb: role:x and\n", &deps, 0, 0, &err);
	T("policy-3.13 refused: a bad rule, with its line and name",
	    s == NULL && strstr(err.msg, "test.yaml:2: rule \"b\": could not parse")
	    == err.msg);
	s = build("a: rule:a\n", &deps, 0, 0, &err);
	T("policy-3.14 refused: a rule referring to itself",
	    s == NULL && strstr(err.msg, "refers to itself") != NULL);
}

/* ---- the built-in sets -------------------------------------------------- */

/* Every rule the server enforces (grep 'identity:' server/api_*.c). */
static const char *const used[] = {
	"identity:add_user_to_group", "identity:check_grant",
	"identity:check_implied_role", "identity:check_system_grant_for_group",
	"identity:check_system_grant_for_user", "identity:check_token",
	"identity:check_user_in_group", "identity:create_domain",
	"identity:create_domain_role", "identity:create_endpoint",
	"identity:create_grant", "identity:create_group",
	"identity:create_implied_role", "identity:create_project",
	"identity:create_project_tag", "identity:create_region",
	"identity:create_role", "identity:create_service",
	"identity:create_system_grant_for_group",
	"identity:create_system_grant_for_user", "identity:create_user",
	"identity:delete_domain", "identity:delete_domain_role",
	"identity:delete_endpoint", "identity:delete_group",
	"identity:delete_implied_role", "identity:delete_project",
	"identity:delete_project_tag", "identity:delete_project_tags",
	"identity:delete_region", "identity:delete_role", "identity:delete_service",
	"identity:delete_user", "identity:get_auth_catalog",
	"identity:get_auth_domains", "identity:get_auth_projects",
	"identity:get_auth_system", "identity:get_domain",
	"identity:get_domain_role", "identity:get_endpoint", "identity:get_group",
	"identity:get_implied_role", "identity:get_project",
	"identity:get_project_tag", "identity:get_region", "identity:get_role",
	"identity:get_service", "identity:get_user", "identity:list_domain_roles",
	"identity:list_domains", "identity:list_endpoints", "identity:list_grants",
	"identity:list_groups", "identity:list_groups_for_user",
	"identity:list_implied_roles", "identity:list_project_tags",
	"identity:list_projects", "identity:list_regions",
	"identity:list_revoke_events", "identity:list_role_assignments",
	"identity:list_role_assignments_for_tree",
	"identity:list_role_inference_rules", "identity:list_roles",
	"identity:list_services", "identity:list_system_grants_for_group",
	"identity:list_system_grants_for_user", "identity:list_user_projects",
	"identity:list_users", "identity:list_users_in_group",
	"identity:remove_user_from_group", "identity:revoke_grant",
	"identity:revoke_system_grant_for_group",
	"identity:revoke_system_grant_for_user", "identity:revoke_token",
	"identity:update_domain", "identity:update_domain_role",
	"identity:update_endpoint", "identity:update_group",
	"identity:update_project", "identity:update_project_tags",
	"identity:update_region", "identity:update_role", "identity:update_service",
	"identity:update_user", "identity:validate_token",
};

static int
has_rule(const struct policy_set *s, const char *name)
{
	struct policy_rule_info	ri;
	size_t			i;

	for (i = 0; i < policy_set_count(s); i++)
		if (policy_set_rule(s, i, &ri) == 0 && strcmp(ri.name, name) == 0)
			return 1;
	return 0;
}

static void
test_builtin(void)
{
	const struct policy_defaults	*sets[2] = { &policy_keystone_legacy,
		&policy_keystone_current };
	struct kg_ctx			 sr = CALLER(KG_SCOPE_SYSTEM, r_reader);
	struct kg_ctx			 pa = CALLER(KG_SCOPE_PROJECT, r_admin);
	struct kg_ctx			 ps = CALLER(KG_SCOPE_PROJECT, r_service);
	struct kg_ctx			 dr = CALLER(KG_SCOPE_DOMAIN, r_reader);
	struct policy_target		 t;
	struct kg_err			 err;
	struct policy_set		*s;
	size_t				 i, k, missing;
	int				 flags;

	T("policy-4.1 the sets are found by name",
	    policy_defaults_find("keystone-22") == &policy_keystone_legacy &&
	    policy_defaults_find("keystone-29") == &policy_keystone_current &&
	    policy_defaults_find("keystone") == NULL);
	for (k = 0; k < 2; k++)
		for (flags = 0; flags < 4; flags++) {
			s = build(NULL, sets[k], flags & 1, flags >> 1, &err);
			missing = 0;
			for (i = 0; s != NULL && i < sizeof(used) / sizeof(used[0]); i++)
				if (!has_rule(s, used[i])) {
					printf("    (%s lacks %s)\n", sets[k]->name, used[i]);
					missing++;
				}
			T("policy-4.2 each built-in set builds with each flag and has every "
			    "rule keygate enforces", s != NULL && missing == 0);
			if (s == NULL)
				printf("    (%s: %s)\n", sets[k]->name, err.msg);
			policy_set_free(s);
		}

	/* Keystone 22 out of the box: issue 7 §3's cells at the rule level. */
	s = build(NULL, &policy_keystone_legacy, 0, 0, &err);
	memset(&t, 0, sizeof(t));
	t.v[PK_T_TOKEN_USER_ID] = "someone-else";
	T("policy-4.3 k22: a system reader may validate another user's token",
	    s != NULL && policy_enforce(s, "identity:validate_token", &sr, &t) == 1 &&
	    policy_enforce(s, "identity:check_token", &sr, &t) == 1);
	T("policy-4.4 k22: the service role may GET but not HEAD another's token",
	    s != NULL && policy_enforce(s, "identity:validate_token", &ps, &t) == 1 &&
	    policy_enforce(s, "identity:check_token", &ps, &t) == 0);
	T("policy-4.5 k22: a system reader may not list revocation events",
	    s != NULL && policy_enforce(s, "identity:list_revoke_events", &sr, NULL) == 0 &&
	    policy_enforce(s, "identity:list_revoke_events", &ps, NULL) == 1);
	t.v[PK_T_DOMAIN_ID] = "d1";
	t.v[PK_T_USER_DOMAIN_ID] = "d2";
	T("policy-4.6 k22: a domain reader may not list grants of another domain's user",
	    s != NULL && policy_enforce(s, "identity:list_grants", &dr, &t) == 0);
	t.v[PK_T_USER_DOMAIN_ID] = "d1";
	T("policy-4.7 ... but may for a user of its own domain",
	    s != NULL && policy_enforce(s, "identity:list_grants", &dr, &t) == 1);
	T("policy-4.8 k22: a project admin is a cloud admin (rule:admin_required)",
	    s != NULL && policy_enforce(s, "identity:create_domain", &pa, NULL) == 1);
	policy_set_free(s);

	s = build(NULL, &policy_keystone_legacy, 1, 1, &err);
	T("policy-4.9 k22 with secure RBAC: a project admin may not create domains",
	    s != NULL && policy_enforce(s, "identity:create_domain", &pa, NULL) == 0);
	policy_set_free(s);
}

/* ---- explain ------------------------------------------------------------ */

static int	nlines, last_result;
static char	first[200];

static void
trace(void *arg, int depth, const char *what, int result)
{
	(void)arg;
	(void)depth;
	if (nlines++ == 0)
		snprintf(first, sizeof(first), "%s", what);
	last_result = result;
}

static void
test_explain(void)
{
	struct kg_ctx		 pa = CALLER(KG_SCOPE_PROJECT, r_admin);
	struct kg_err		 err;
	struct policy_set	*s = build(NULL, &policy_keystone_legacy, 1, 0, &err);
	int			 r;

	r = s ? policy_explain(s, "identity:list_domains", &pa, NULL, trace, NULL) : -1;
	T("policy-5.1 explain reports the scope check and the checks",
	    r == 0 && nlines > 1 && strstr(first, "scope") != NULL);
	policy_set_free(s);
}

/* ---- against oslo.policy (tests/conformance/policy_oslo.sh) ------------ */

static json_t *
jstr_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

/* --dump-defaults NAME: the built-in set as JSON, for policy_oslo.py. */
static int
dump_defaults(const char *name)
{
	const struct policy_defaults	*d = policy_defaults_find(name);
	json_t				*o, *a;
	size_t				 i;

	if (d == NULL)
		return 2;
	a = json_array();
	for (i = 0; i < d->nrules; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:i, s:o, s:o, s:b}",
		    "name", d->rules[i].name, "check_str", d->rules[i].check_str,
		    "scope_types", (int)d->rules[i].scope_types,
		    "deprecated_name", jstr_or_null(d->rules[i].deprecated_name),
		    "deprecated_check_str", jstr_or_null(d->rules[i].deprecated_check_str),
		    "deprecated_for_removal", d->rules[i].deprecated_for_removal));
	o = json_pack("{s:s, s:o}", "name", name, "rules", a);
	json_dumpf(o, stdout, JSON_COMPACT);
	json_decref(o);
	return 0;
}

/* --oslo-cases FILE: every decision must be oslo.policy's. */
static void
oslo_cases(const char *path)
{
	json_error_t		 je;
	json_t			*doc, *creds, *targets, *cfg, *cases, *c, *rules;
	struct kg_ctx		*ctx;
	struct policy_target	*tg;
	struct policy_options	 o;
	struct policy_file	 f;
	struct policy_set	*s;
	struct kg_err		 err;
	size_t			 i, k, nc, nt, bad, shown;
	const char		*pf, *rule;
	char			 id[200];
	int			 got, want;

	if ((doc = json_load_file(path, 0, &je)) == NULL) {
		printf("%s: %s\n", path, je.text);
		T("policy-oslo cases file", 0);
		return;
	}
	creds = json_object_get(doc, "creds");
	targets = json_object_get(doc, "targets");
	nc = json_array_size(creds);
	nt = json_array_size(targets);
	ctx = calloc(nc, sizeof(*ctx));
	tg = calloc(nt, sizeof(*tg));
	for (i = 0; i < nc; i++)
		if (pcreds_from_json(json_array_get(creds, i), &ctx[i], &err) == -1)
			printf("    creds %zu: %s\n", i, err.msg);
	for (i = 0; i < nt; i++)
		if (ptarget_from_json(json_array_get(targets, i), &tg[i], &err) == -1)
			printf("    target %zu: %s\n", i, err.msg);
	json_array_foreach(json_object_get(doc, "configs"), k, cfg) {
		memset(&o, 0, sizeof(o));
		memset(&f, 0, sizeof(f));
		o.defaults = policy_defaults_find(json_string_value(json_object_get(cfg,
		    "defaults")));
		o.enforce_scope = json_integer_value(json_object_get(cfg, "enforce_scope"));
		o.enforce_new_defaults = json_integer_value(json_object_get(cfg,
		    "enforce_new_defaults"));
		pf = json_string_value(json_object_get(cfg, "policy_file"));
		kg_err_clear(&err);
		s = NULL;
		if (pf == NULL || policy_file_load(pf, &f, &err) == 0)
			s = policy_set_build(&o, pf ? &f : NULL, &err);
		policy_file_free(&f);
		snprintf(id, sizeof(id), "policy-oslo %s: same decisions as oslo.policy",
		    json_string_value(json_object_get(cfg, "name")));
		if (s == NULL) {
			printf("    (%s)\n", err.msg);
			T(id, 0);
			continue;
		}
		rules = json_object_get(cfg, "rules");
		cases = json_object_get(cfg, "cases");
		bad = shown = 0;
		json_array_foreach(cases, i, c) {
			rule = json_string_value(json_array_get(rules,
			    json_integer_value(json_array_get(c, 0))));
			got = policy_enforce(s, rule, &ctx[json_integer_value(
			    json_array_get(c, 1))], &tg[json_integer_value(
			    json_array_get(c, 2))]);
			want = (int)json_integer_value(json_array_get(c, 3));
			if (got != want && bad++ < 10)
				printf("    %s: rule %s creds %lld target %lld: keygate %d, "
				    "oslo %d\n", json_string_value(json_object_get(cfg, "name")),
				    rule, json_integer_value(json_array_get(c, 1)),
				    json_integer_value(json_array_get(c, 2)), got, want);
		}
		printf("    %s: %zu cases, %zu differ\n", json_string_value(
		    json_object_get(cfg, "name")), json_array_size(cases), bad);
		T(id, bad == 0 && json_array_size(cases) > 0);
		(void)shown;
		policy_set_free(s);
	}
	for (i = 0; i < nc; i++)
		kg_ctx_free(&ctx[i]);
	free(ctx);
	free(tg);
	json_decref(doc);
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--dump-defaults") == 0)
		return dump_defaults(argv[2]);
	if (argc == 3 && strcmp(argv[1], "--oslo-cases") == 0) {
		oslo_cases(argv[2]);
		return t_report();
	}
	test_grammar();
	test_checks();
	test_sets();
	test_builtin();
	test_explain();
	return t_report();
}
