/*
 * policy.c - Keystone's default policy for the Identity v3 APIs keygate
 * serves, as one table. See policy.h for the meaning of each alternative.
 *
 * Source: keystone/common/policies/ (Python) (Zed), with enforce_scope off as
 * Keystone ships it: "rule:admin_required" (role:admin in any scope) is an
 * alternative of almost every rule, so a project-scoped admin can do what
 * a system admin can, and readers are limited by scope.
 */
#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"
#include "common/log.h"

#define P_ADMIN		0x001u
#define P_SYS_READER	0x002u
#define P_DOM_READER	0x004u
#define P_OWNER		0x008u
#define P_PROJECT	0x010u
#define P_SERVICE	0x020u
#define P_ANY		0x040u
#define P_TOKEN_DOMAIN	0x080u
#define P_SYS_ADMIN	0x100u
#define P_DOMAIN_SCOPE	0x200u

#define READERS		(P_ADMIN | P_SYS_READER | P_DOM_READER)

struct rule {
	const char	*name;
	unsigned int	 any;		/* allowed when any of these holds */
};

/* Sorted by name: looked up with bsearch. */
static const struct rule rules[] = {
	{ "identity:add_endpoint_group_to_project", P_ADMIN },
	{ "identity:add_endpoint_to_project",	P_ADMIN },
	{ "identity:add_user_to_group",		P_ADMIN },
	{ "identity:check_endpoint_in_project",	P_ADMIN | P_SYS_READER },
	{ "identity:check_grant",		READERS },
	{ "identity:check_implied_role",	P_ADMIN | P_SYS_READER },
	{ "identity:check_policy_association_for_endpoint", P_ADMIN | P_SYS_READER },
	{ "identity:check_policy_association_for_region_and_service", P_ADMIN | P_SYS_READER },
	{ "identity:check_policy_association_for_service", P_ADMIN | P_SYS_READER },
	{ "identity:check_system_grant_for_group", P_ADMIN | P_SYS_READER },
	{ "identity:check_system_grant_for_user", P_ADMIN | P_SYS_READER },
	{ "identity:check_token",		P_ADMIN | P_SERVICE | P_OWNER },
	{ "identity:check_user_in_group",	READERS },
	{ "identity:create_domain",		P_ADMIN },
	{ "identity:create_domain_config",	P_ADMIN },
	{ "identity:create_domain_role",	P_ADMIN },
	{ "identity:create_endpoint",		P_ADMIN },
	{ "identity:create_endpoint_group",	P_ADMIN },
	{ "identity:create_grant",		P_ADMIN },
	{ "identity:create_group",		P_ADMIN },
	{ "identity:create_implied_role",	P_ADMIN },
	{ "identity:create_limits",		P_SYS_ADMIN },
	{ "identity:create_policy",		P_ADMIN },
	{ "identity:create_policy_association_for_endpoint", P_ADMIN },
	{ "identity:create_policy_association_for_region_and_service", P_ADMIN },
	{ "identity:create_policy_association_for_service", P_ADMIN },
	{ "identity:create_project",		P_ADMIN },
	{ "identity:create_project_tag",	P_ADMIN },
	{ "identity:create_region",		P_ADMIN },
	{ "identity:create_registered_limits",	P_SYS_ADMIN },
	{ "identity:create_role",		P_ADMIN },
	{ "identity:create_service",		P_ADMIN },
	{ "identity:create_system_grant_for_group", P_ADMIN },
	{ "identity:create_system_grant_for_user", P_ADMIN },
	{ "identity:create_user",		P_ADMIN },
	{ "identity:delete_domain",		P_ADMIN },
	{ "identity:delete_domain_config",	P_ADMIN },
	{ "identity:delete_domain_role",	P_ADMIN },
	{ "identity:delete_endpoint",		P_ADMIN },
	{ "identity:delete_endpoint_group",	P_ADMIN },
	{ "identity:delete_group",		P_ADMIN },
	{ "identity:delete_implied_role",	P_ADMIN },
	{ "identity:delete_limit",		P_SYS_ADMIN },
	{ "identity:delete_policy",		P_ADMIN },
	{ "identity:delete_policy_association_for_endpoint", P_ADMIN },
	{ "identity:delete_policy_association_for_region_and_service", P_ADMIN },
	{ "identity:delete_policy_association_for_service", P_ADMIN },
	{ "identity:delete_project",		P_ADMIN },
	{ "identity:delete_project_tag",	P_ADMIN },
	{ "identity:delete_project_tags",	P_ADMIN },
	{ "identity:delete_region",		P_ADMIN },
	{ "identity:delete_registered_limit",	P_SYS_ADMIN },
	{ "identity:delete_role",		P_ADMIN },
	{ "identity:delete_service",		P_ADMIN },
	{ "identity:delete_user",		P_ADMIN },
	{ "identity:get_auth_catalog",		P_ANY },
	{ "identity:get_auth_domains",		P_ANY },
	{ "identity:get_auth_projects",		P_ANY },
	{ "identity:get_auth_system",		P_ANY },
	{ "identity:get_domain",		P_ADMIN | P_SYS_READER | P_TOKEN_DOMAIN },
	{ "identity:get_domain_config",		P_ADMIN | P_SYS_READER },
	{ "identity:get_domain_config_default",	P_ADMIN | P_SYS_READER },
	{ "identity:get_domain_role",		P_ADMIN | P_SYS_READER },
	{ "identity:get_endpoint",		P_ADMIN | P_SYS_READER },
	{ "identity:get_endpoint_group",	P_ADMIN | P_SYS_READER },
	{ "identity:get_endpoint_group_in_project", P_ADMIN | P_SYS_READER },
	{ "identity:get_group",			READERS },
	{ "identity:get_implied_role",		P_ADMIN | P_SYS_READER },
	{ "identity:get_limit",			P_SYS_READER | P_DOMAIN_SCOPE | P_PROJECT },
	{ "identity:get_limit_model",		P_ANY },
	{ "identity:get_policy",		P_ADMIN | P_SYS_READER },
	{ "identity:get_policy_for_endpoint",	P_ADMIN | P_SYS_READER },
	{ "identity:get_project",		READERS | P_PROJECT },
	{ "identity:get_project_tag",		READERS | P_PROJECT },
	{ "identity:get_region",		P_ANY },
	{ "identity:get_registered_limit",	P_ANY },
	{ "identity:get_role",			READERS },
	{ "identity:get_security_compliance_domain_config", P_ANY },
	{ "identity:get_service",		P_ADMIN | P_SYS_READER },
	{ "identity:get_user",			READERS | P_OWNER },
	{ "identity:list_domain_roles",		P_ADMIN | P_SYS_READER },
	{ "identity:list_domains",		P_ADMIN | P_SYS_READER },
	{ "identity:list_endpoint_groups",	P_ADMIN | P_SYS_READER },
	{ "identity:list_endpoint_groups_for_project", P_ADMIN | P_SYS_READER },
	{ "identity:list_endpoints",		P_ADMIN | P_SYS_READER },
	{ "identity:list_endpoints_associated_with_endpoint_group", P_ADMIN | P_SYS_READER },
	{ "identity:list_endpoints_for_policy",	P_ADMIN | P_SYS_READER },
	{ "identity:list_endpoints_for_project", P_ADMIN | P_SYS_READER },
	{ "identity:list_grants",		READERS },
	{ "identity:list_groups",		READERS },
	{ "identity:list_groups_for_user",	READERS | P_OWNER },
	{ "identity:list_implied_roles",	P_ADMIN | P_SYS_READER },
	{ "identity:list_limits",		P_ANY },
	{ "identity:list_policies",		P_ADMIN | P_SYS_READER },
	{ "identity:list_project_tags",		READERS | P_PROJECT },
	{ "identity:list_projects",		READERS },
	{ "identity:list_projects_associated_with_endpoint_group", P_ADMIN | P_SYS_READER },
	{ "identity:list_projects_for_endpoint", P_ADMIN | P_SYS_READER },
	{ "identity:list_regions",		P_ANY },
	{ "identity:list_registered_limits",	P_ANY },
	{ "identity:list_revoke_events",	P_ADMIN | P_SERVICE | P_SYS_READER },
	{ "identity:list_role_assignments",	READERS },
	{ "identity:list_role_assignments_for_tree", READERS },
	{ "identity:list_role_inference_rules",	P_ADMIN | P_SYS_READER },
	{ "identity:list_roles",		READERS },
	{ "identity:list_services",		P_ADMIN | P_SYS_READER },
	{ "identity:list_system_grants_for_group", P_ADMIN | P_SYS_READER },
	{ "identity:list_system_grants_for_user", P_ADMIN | P_SYS_READER },
	{ "identity:list_user_projects",	READERS | P_OWNER },
	{ "identity:list_users",		READERS },
	{ "identity:list_users_in_group",	READERS },
	{ "identity:remove_endpoint_from_project", P_ADMIN },
	{ "identity:remove_endpoint_group_from_project", P_ADMIN },
	{ "identity:remove_user_from_group",	P_ADMIN },
	{ "identity:revoke_grant",		P_ADMIN },
	{ "identity:revoke_system_grant_for_group", P_ADMIN },
	{ "identity:revoke_system_grant_for_user", P_ADMIN },
	{ "identity:revoke_token",		P_ADMIN | P_OWNER },
	{ "identity:update_domain",		P_ADMIN },
	{ "identity:update_domain_config",	P_ADMIN },
	{ "identity:update_domain_role",	P_ADMIN },
	{ "identity:update_endpoint",		P_ADMIN },
	{ "identity:update_endpoint_group",	P_ADMIN },
	{ "identity:update_group",		P_ADMIN },
	{ "identity:update_limit",		P_SYS_ADMIN },
	{ "identity:update_policy",		P_ADMIN },
	{ "identity:update_project",		P_ADMIN },
	{ "identity:update_project_tags",	P_ADMIN },
	{ "identity:update_region",		P_ADMIN },
	{ "identity:update_registered_limit",	P_SYS_ADMIN },
	{ "identity:update_role",		P_ADMIN },
	{ "identity:update_service",		P_ADMIN },
	{ "identity:update_user",		P_ADMIN },
	{ "identity:validate_token",		P_ADMIN | P_SERVICE | P_OWNER },
};

static int
rule_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct rule *)elem)->name);
}

static const struct rule *
rule_find(const char *name)
{
	return bsearch(name, rules, sizeof(rules) / sizeof(rules[0]),
	    sizeof(rules[0]), rule_cmp);
}

int
policy_known(const char *rule)
{
	return rule_find(rule) != NULL;
}

static int
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && a[0] != '\0' && strcmp(a, b) == 0;
}

static int
alternative_holds(unsigned int alt, const struct kg_ctx *c,
    const struct policy_target *t)
{
	static const struct policy_target	 none;

	if (t == NULL)
		t = &none;
	switch (alt) {
	case P_ADMIN:
		return kg_ctx_has_role(c, "admin");
	case P_SYS_READER:
		return c->scope == KG_SCOPE_SYSTEM && kg_ctx_has_role(c, "reader");
	case P_DOM_READER:
		return c->scope == KG_SCOPE_DOMAIN && kg_ctx_has_role(c, "reader") &&
		    same(c->domain_id, t->domain_id);
	case P_OWNER:
		return same(c->user_id, t->user_id);
	case P_PROJECT:
		return c->scope == KG_SCOPE_PROJECT && same(c->project_id, t->project_id);
	case P_SERVICE:
		return kg_ctx_has_role(c, "service");
	case P_ANY:
		return 1;
	case P_SYS_ADMIN:
		return c->scope == KG_SCOPE_SYSTEM && kg_ctx_has_role(c, "admin");
	case P_DOMAIN_SCOPE:
		return c->scope == KG_SCOPE_DOMAIN && same(c->domain_id, t->domain_id);
	case P_TOKEN_DOMAIN:
		return (c->scope == KG_SCOPE_DOMAIN && same(c->domain_id, t->domain_id)) ||
		    (c->scope == KG_SCOPE_PROJECT && same(c->project_domain_id, t->domain_id));
	}
	return 0;
}

int
policy_allowed(const char *rule, const struct kg_ctx *ctx,
    const struct policy_target *target)
{
	const struct rule	*r;
	unsigned int		 bit;

	if (ctx == NULL)
		return 0;
	if ((r = rule_find(rule)) == NULL) {
		log_error("%s: unknown policy rule %s: denied", __func__, rule);
		return 0;
	}
	for (bit = 1; bit <= r->any; bit <<= 1)
		if ((r->any & bit) && alternative_holds(bit, ctx, target))
			return 1;
	return 0;
}
