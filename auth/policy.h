/*
 * policy.h - who may call what: an oslo.policy engine with Keystone's
 * default rules as data.
 *
 * Rules are written as oslo.policy (keystone/common/policies, policy.yaml)
 * writes them, e.g.
 *
 *   "identity:get_user": "(role:reader and system_scope:all) or
 *       (role:reader and token.domain.id:%(target.user.domain_id)s) or
 *       user_id:%(target.user.id)s"
 *
 * Checks: "@" (always), "!" (never), "" (an empty rule: always),
 * "rule:NAME", "role:NAME" (case-insensitive, against the token's roles),
 * "ATTR:VALUE" where ATTR is a credential attribute (user_id, domain_id,
 * project_id, system_scope, token.project.domain.id, ... see policy.c), and
 * "LITERAL:VALUE" with LITERAL one of True, False, None, an integer or a
 * quoted string; "and", "or", "not" and parentheses, with oslo.policy's
 * precedence (not > and > or). VALUE may contain %(KEY)s substitutions of
 * the target's attributes (struct policy_target); a check whose KEY the
 * target does not have is false, as in oslo.policy, and a value Python
 * holds as None compares as the string "None".
 *
 * Stricter than oslo.policy: what it would log and then evaluate as
 * false (a rule that does not parse, a check without ':', a check kind it
 * has no handler for, a reference to an undefined rule) or fail on at
 * enforcement time (a cycle of rule references, a "%d" substitution) is
 * refused when the set is built, with the rule's name, the file's line
 * and the reason. Also refused: a credential attribute keygate's tokens
 * cannot carry, and the http:/https: checks.
 *
 * A set (struct policy_set) is built once from a built-in default set, the
 * oslo_policy flags and an optional policy file (policy_file.c reads it),
 * and is immutable afterwards: any number of threads may enforce with it.
 * Evaluation is pure (no I/O, no allocation) and does no string parsing:
 * rule references, credential attributes and target keys are resolved to
 * indices when the set is built.
 */
#ifndef KG_AUTH_POLICY_H
#define KG_AUTH_POLICY_H

#include <stddef.h>

#include "auth/ctx.h"
#include "common/err.h"

/* ------------------------------------------------------------------------
 * Built-in defaults (policy_defaults.c, generated from Keystone's code).
 * --------------------------------------------------------------------- */

/* RuleDefault.scope_types */
#define PS_SYSTEM	0x1u
#define PS_DOMAIN	0x2u
#define PS_PROJECT	0x4u

/* One rule as Keystone registers it (oslo_policy.policy.RuleDefault). */
struct policy_default {
	const char	*name;
	const char	*check_str;
	unsigned int	 scope_types;		/* PS_*; 0: none declared */
	const char	*deprecated_name;	/* NULL: no deprecated rule */
	const char	*deprecated_check_str;
	int		 deprecated_for_removal;
	const char	*operations;		/* "GET /v3/users/{user_id}\n..." or NULL */
};

struct policy_defaults {
	const char			*name;		/* "keystone-22.0.2" */
	const char			*commit;	/* Keystone's git commit */
	const struct policy_default	*rules;
	size_t				 nrules;
};

/* Keystone 22 (Zed, 22.0.2) and the latest release (29.0.2). */
extern const struct policy_defaults policy_keystone_legacy;
extern const struct policy_defaults policy_keystone_current;

/* The set called name ("keystone-22", "keystone-29"), or NULL. */
const struct policy_defaults *policy_defaults_find(const char *name);

/* ------------------------------------------------------------------------
 * Targets: what Keystone's controllers put in the policy dict.
 * --------------------------------------------------------------------- */

/*
 * Every key a rule may substitute with %(KEY)s. URL parameters are keyed
 * by their name in Keystone's routes (view args); objects looked up by the
 * handler under "target.<kind>.<attribute>" (build_target); the subject
 * token of the token routes under "target.token...". A key nobody sets is
 * missing: checks substituting it are false.
 */
enum policy_key {
	/* URL parameters */
	PK_USER_ID, PK_GROUP_ID, PK_ROLE_ID, PK_DOMAIN_ID, PK_PROJECT_ID,
	PK_PRIOR_ROLE_ID, PK_IMPLIED_ROLE_ID, PK_REGION_ID, PK_SERVICE_ID,
	PK_ENDPOINT_ID, PK_VALUE, PK_APPLICATION_CREDENTIAL_ID, PK_ACCESS_RULE_ID,
	/* "target.domain_id": target_attr of lists by domain-scoped callers */
	PK_TARGET_DOMAIN_ID,
	PK_T_USER_ID, PK_T_USER_NAME, PK_T_USER_DOMAIN_ID, PK_T_USER_ENABLED,
	PK_T_USER_DEFAULT_PROJECT_ID,
	PK_T_PROJECT_ID, PK_T_PROJECT_NAME, PK_T_PROJECT_DOMAIN_ID,
	PK_T_PROJECT_PARENT_ID, PK_T_PROJECT_IS_DOMAIN, PK_T_PROJECT_ENABLED,
	PK_T_DOMAIN_ID, PK_T_DOMAIN_NAME, PK_T_DOMAIN_ENABLED,
	PK_T_GROUP_ID, PK_T_GROUP_NAME, PK_T_GROUP_DOMAIN_ID,
	PK_T_ROLE_ID, PK_T_ROLE_NAME, PK_T_ROLE_DOMAIN_ID,
	PK_T_PRIOR_ROLE_ID, PK_T_PRIOR_ROLE_NAME, PK_T_PRIOR_ROLE_DOMAIN_ID,
	PK_T_IMPLIED_ROLE_ID, PK_T_IMPLIED_ROLE_NAME, PK_T_IMPLIED_ROLE_DOMAIN_ID,
	PK_T_ENDPOINT_ID, PK_T_ENDPOINT_SERVICE_ID, PK_T_ENDPOINT_REGION_ID,
	PK_T_ENDPOINT_INTERFACE, PK_T_ENDPOINT_ENABLED,
	PK_T_TOKEN_USER_ID, PK_T_TOKEN_USER_DOMAIN_ID,
	/* a limit, with its domain or its project (GET /v3/limits/{id}) */
	PK_T_LIMIT_PROJECT_ID, PK_T_LIMIT_DOMAIN_ID, PK_T_LIMIT_PROJECT_DOMAIN_ID,
	PK_T_CREDENTIAL_USER_ID,
	/* trusts: Keystone 22's create_trust reads the request body's
	 * "trust.trustor_user_id" (enforce_call without a target); the other
	 * trust rules the looked-up trust (build_target) */
	PK_TRUST_TRUSTOR_USER_ID,
	PK_T_TRUST_TRUSTOR_USER_ID, PK_T_TRUST_TRUSTEE_USER_ID,
	PK_COUNT,
	PK_NEVER = PK_COUNT	/* a key keygate never sets (compiled form) */
};

/*
 * The target of one call: v[key] is the value's text as Python's str()
 * gives it ("True"/"False" for booleans, POLICY_NONE for None), NULL
 * when the key is missing. Handlers fill it (server/ptarget.c); pointers
 * must outlive the check.
 */
struct policy_target {
	const char	*v[PK_COUNT];
};

#define POLICY_NONE	"None"
#define POLICY_TRUE	"True"
#define POLICY_FALSE	"False"

/* "target.user.domain_id" for PK_T_USER_DOMAIN_ID; NULL out of range. */
const char	*policy_key_name(enum policy_key k);

/* The key called name, or PK_NEVER. */
enum policy_key	 policy_key_find(const char *name);

/* ------------------------------------------------------------------------
 * Sets.
 * --------------------------------------------------------------------- */

/* A rule from a policy file (policy_file.c). */
struct policy_file_rule {
	char	*name;
	char	*check_str;
	int	 line;		/* 1-based, in the file */
};

struct policy_file {
	char			*path;
	struct policy_file_rule	*v;
	size_t			 n;
};

/* How a set is built: Keystone's [oslo_policy] options. */
struct policy_options {
	const struct policy_defaults	*defaults;
	int				 enforce_scope;
	int				 enforce_new_defaults;
};

struct policy_set;

/*
 * Compile defaults, overridden rule by rule by file (may be NULL), as
 * oslo.policy's Enforcer.load_rules does: a file rule replaces the
 * default of that name; a default with a deprecated rule becomes "new or
 * deprecated" unless enforce_new_defaults (or the file names it); a file
 * rule under a deprecated (renamed) rule's old name stands for the new
 * name. Returns the set, or NULL with err naming the rule, the file and
 * line, and what is wrong; nothing is half-built.
 */
struct policy_set	*policy_set_build(const struct policy_options *o,
			    const struct policy_file *file, struct kg_err *err);
void			 policy_set_free(struct policy_set *s);

/* The options the set was built with. */
const struct policy_options *policy_set_options(const struct policy_set *s);

/*
 * 1 when the caller ctx may perform rule on target t (NULL: an empty
 * target), 0 when not: the rule is unknown (fail closed), the token's
 * scope is not among the rule's scope_types while enforce_scope is set, or
 * the rule's check is false.
 */
int	policy_enforce(const struct policy_set *s, const char *rule,
	    const struct kg_ctx *ctx, const struct policy_target *t);

/* Nonzero when s has a rule called rule (defaults or file). */
int	policy_has_rule(const struct policy_set *s, const char *rule);

/*
 * policy_enforce, with each check's outcome reported to trace (for
 * "keygate policy check"): depth in the rule tree, the check as text,
 * its result (1/0). trace may print; the engine itself does not.
 */
typedef void	(*policy_trace_fn)(void *arg, int depth, const char *what,
		    int result);
int	policy_explain(const struct policy_set *s, const char *rule,
	    const struct kg_ctx *ctx, const struct policy_target *t,
	    policy_trace_fn trace, void *arg);

/* What "keygate policy list" shows of each rule, in name order. */
struct policy_rule_info {
	const char	*name;
	const char	*check_str;	/* as enforced (new or deprecated when so) */
	unsigned int	 scope_types;	/* from the defaults; 0: none */
	const char	*origin;	/* "default", "default or deprecated",
					 * "file", "file (deprecated name)" */
	int		 line;		/* file line, 0 for defaults */
};

size_t	policy_set_count(const struct policy_set *s);
int	policy_set_rule(const struct policy_set *s, size_t i,
	    struct policy_rule_info *out);

/*
 * Check one rule string alone (no rule: references resolved): 0, or -1
 * with err saying what is wrong. For tests and error messages.
 */
int	policy_check_syntax(const char *check_str, struct kg_err *err);

/* ------------------------------------------------------------------------
 * Policy files (policy_file.c: the I/O).
 * --------------------------------------------------------------------- */

/*
 * Read path as oslo.policy does (JSON first, then YAML): a mapping of rule
 * name to check string. Refused, with the line: not a mapping, a
 * duplicate name, a value that is not a string (YAML null, numbers,
 * booleans, lists), more than POLICY_FILE_MAX bytes. An empty file is an
 * empty set of rules.
 */
#define POLICY_FILE_MAX	(4 * 1024 * 1024)
int	policy_file_load(const char *path, struct policy_file *out,
	    struct kg_err *err);
/* The same from memory (name is used in messages). */
int	policy_file_parse(const char *name, const char *data, size_t len,
	    struct policy_file *out, struct kg_err *err);
void	policy_file_free(struct policy_file *f);

#endif /* KG_AUTH_POLICY_H */
