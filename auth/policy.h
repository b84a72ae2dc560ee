/*
 * policy.h - who may call what: Keystone's default policy (2023 defaults
 * with enforce_scope off, as Keystone ships it) in one table.
 *
 * Rules are named as Keystone names them ("identity:get_user"). Each is a
 * set of alternatives; the call is allowed when any alternative holds:
 *
 *   ADMIN        the token has the admin role (any scope)
 *   SYS_READER   reader role and system scope
 *   DOM_READER   reader role, domain scope, on target->domain_id
 *   OWNER        the token's user is target->user_id (for token rules:
 *                the user of the token being validated or revoked)
 *   PROJECT      a project-scoped token on target->project_id
 *   SERVICE      the token has the service role
 *   TOKEN_DOMAIN the target domain is the token's domain or its project's domain
 *   SYS_ADMIN    admin role and system scope (rules with no deprecated
 *                admin_required alternative: the unified limits' writes)
 *   DOMAIN_SCOPE a domain-scoped token on target->domain_id, any role
 *   ANY          any valid token
 *
 * Pure: no I/O, no allocation.
 */
#ifndef KG_AUTH_POLICY_H
#define KG_AUTH_POLICY_H

#include "auth/ctx.h"

/* Attributes of the object a call acts on; unused fields stay NULL. */
struct policy_target {
	const char	*user_id;	/* user acted on / token subject */
	const char	*domain_id;	/* domain owning the target */
	const char	*project_id;	/* project acted on */
};

/*
 * 1 when ctx may perform the action named rule on target, 0 when not.
 * An unknown rule name is denied (and logged): fail closed.
 * target may be NULL when the rule needs no attributes.
 */
int	policy_allowed(const char *rule, const struct kg_ctx *ctx,
	    const struct policy_target *target);

/* Nonzero when rule names a known policy (for tests and route checks). */
int	policy_known(const char *rule);

#endif /* KG_AUTH_POLICY_H */
