/*
 * claims.h - the claims of a keygate token: written by the issuer,
 * parsed by keygate's validation and by keygate-gateway's offline checks.
 * Pure (no store, no clock, no keys); thread-safe.
 *
 * Claims (times in seconds unless noted):
 *   iss "keygate", sub <user id>, iat, exp, iat_us (issued at, µs),
 *   rev (store revision of the issue's snapshot, see auth/revocation.h;
 *   absent in tokens from before revisions), audit_ids [<own>, <chain>?],
 *   methods [...], user {id, name, domain {id, name}},
 *   project {id, name, domain {id, name}} | domain {id, name} | system {all: true}
 *   (at most one), roles [{id, name}, ...] (absent when unscoped),
 *   application_credential {id, name, restricted, access_rules?: [{id,
 *   service, path, method}, ...]} (only in tokens issued with one; the
 *   access rules only when it has some, at most KG_MAX_ACCESS_RULES),
 *   "OS-TRUST:trust" {id, impersonation, trustor_user {id}, trustee_user
 *   {id}} (only in a trust-scoped token, which is project-scoped; its user
 *   is the trustor when impersonation is true, else the trustee).
 *
 * claims_parse accepts exactly that shape and nothing looser: sub equal
 * to user.id, ids shorter than KG_ID_SIZE, names shorter than
 * KG_NAME_SIZE, audit ids shorter than KG_AUDIT_SIZE, no NUL inside a
 * string, 1..KG_CLAIMS_MAX_METHODS methods, at most KG_CLAIMS_MAX_ROLES
 * roles, 0 < iat, exp < 10^11. Unknown claims are ignored. The issuer
 * is returned, not checked: the caller knows which one it trusts.
 */
#ifndef KG_AUTH_CLAIMS_H
#define KG_AUTH_CLAIMS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/types.h"

#define KG_CLAIMS_ISSUER	"keygate"
#define KG_CLAIMS_MAX_METHODS	8
#define KG_CLAIMS_METHOD_SIZE	32
#define KG_CLAIMS_MAX_ROLES	1024

struct kg_claims {
	const char		*iss;
	const char		*user_id;		/* sub = user.id */
	const char		*user_name;
	const char		*user_domain_id;
	const char		*user_domain_name;
	enum kg_scope_kind	 scope;
	const char		*scope_id;		/* project or domain; "" otherwise */
	const char		*scope_name;		/* "" when scope_id is */
	const char		*scope_domain_id;	/* the project's domain; "" otherwise */
	const char		*scope_domain_name;
	const char		*audit_id;		/* audit_ids[0] */
	const char		*audit_chain_id;	/* audit_ids[1]; "" when none */
	const char		*methods[KG_CLAIMS_MAX_METHODS];
	size_t			 nmethods;
	struct kg_role_ref	*roles;			/* roles[nroles] */
	size_t			 nroles;
	int64_t			 iat;
	int64_t			 exp;
	int64_t			 iat_us;
	int64_t			 rev;			/* 0 = none */
	/* The application credential the token was issued with: app_cred_id
	 * "" when none; its access rules copied into a malloc'd array. */
	const char		*app_cred_id;
	const char		*app_cred_name;
	int			 app_cred_restricted;
	struct kg_access_rule	*access_rules;		/* access_rules[naccess_rules] */
	size_t			 naccess_rules;
	/* A trust-scoped token: the trust, its trustor and trustee ("" when
	 * not trust-scoped) and whether the token's user is the trustor. */
	const char		*trust_id;
	const char		*trustor_id;
	const char		*trustee_id;
	int			 trust_impersonation;
};

#define CLAIMS_EMALFORMED	(-1)	/* not a keygate token's claims */
#define CLAIMS_ENOMEM		(-2)

/*
 * Read payload (a verified JWT's claims) into *out. Strings point into
 * payload, which must outlive *out; roles are copied into a malloc'd
 * array. Returns 0 (release with claims_free), or CLAIMS_EMALFORMED /
 * CLAIMS_ENOMEM with *out zeroed and nothing to release.
 */
int	claims_parse(const json_t *payload, struct kg_claims *out);

/* Release what claims_parse allocated and zero *c. NULL-safe. */
void	claims_free(struct kg_claims *c);

/*
 * The claims as compact JSON text, ready to sign (malloc'd), or NULL when
 * out of memory. Fields are written as given (iss included), rev only
 * when nonzero, the scope member for c->scope, roles unless unscoped.
 * c->roles is borrowed.
 */
char	*claims_write(const struct kg_claims *c);

/*
 * {"id", "name", "restricted", "access_rules"?: [{id, service, path,
 * method}]} onto w: the claim, which is also the token body's
 * "application_credential" object as Keystone renders it.
 */
struct jsonw;
void	claims_write_app_cred(struct jsonw *w, const char *id, const char *name,
	    int restricted, const struct kg_access_rule *rules, size_t nrules);

/*
 * {"id", "impersonation", "trustor_user": {"id"}, "trustee_user": {"id"}}
 * onto w: the "OS-TRUST:trust" claim, which is also the token body's
 * "OS-TRUST:trust" object as Keystone renders it.
 */
void	claims_write_trust(struct jsonw *w, const char *trust_id,
	    int impersonation, const char *trustor_id, const char *trustee_id);

#endif /* KG_AUTH_CLAIMS_H */
