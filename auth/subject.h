/*
 * subject.h - a token's subject as the store holds it now: the user (with
 * its domain), the scope target (a project with its domain, a domain, or
 * the system) and the user's effective roles on it, loaded and checked the
 * way issue and validation both need.
 *
 * Checks: the user and its domain exist and are enabled; a project and
 * its domain, or a domain, exist and are enabled; a scoped subject holds
 * at least one role. A refusal is KG_EUNAUTH with the reason in the
 * message (for the log, never for the client); a store failure stays
 * KG_EINTERNAL. Callers group the look-ups in one read transaction.
 */
#ifndef KG_AUTH_SUBJECT_H
#define KG_AUTH_SUBJECT_H

#include <stddef.h>

#include "common/err.h"
#include "common/types.h"

struct store;

/* The trust of a trust-scoped token's subject (auth/trust.h). */
struct subject_trust {
	char	 id[KG_ID_SIZE];		/* "": not trust-scoped */
	char	 trustor_id[KG_ID_SIZE];
	char	 trustee_id[KG_ID_SIZE];
	int	 impersonation;			/* the user is the trustor */
	int64_t	 expires_at;			/* µs; 0: never */
};

struct subject {
	struct kg_token_user	 user;		/* with its domain */
	enum kg_scope_kind	 scope;
	struct kg_token_target	 tgt;		/* project (+ domain) or domain */
	struct kg_role_ref	*roles;		/* effective roles, owned */
	size_t			 nroles;
	struct subject_trust	 trust;		/* a trust-scoped token's trust */
};

/* Release the roles and the user's password hash; zero s. NULL-safe. */
void	subject_free(struct subject *s);

/* Drop the scope and roles (an unscoped subject). */
void	subject_unscope(struct subject *s);

/* dst = src without the password hash; dst owns a copy of the roles.
 * 0, or -1 when out of memory (dst zeroed). */
int	subject_copy(struct subject *dst, const struct subject *src);

/* The loaded user and its domain must be enabled. 0 or -1 (KG_EUNAUTH). */
int	subject_check_user(const struct subject *s, struct kg_err *err);

/*
 * Keep only the roles of s whose ids are in allowed[n] (an application
 * credential's, or those a token of one carried), in allowed's order:
 * Keystone's _get_application_credential_roles. A subject left with none
 * is refused (KG_EUNAUTH, "no access"); -1 also when out of memory
 * (KG_EINTERNAL).
 */
int	subject_restrict_roles(struct subject *s, const struct kg_role_ref *allowed,
	    size_t n, struct kg_err *err);

/* Load the user by id into s and check it. */
int	subject_load_user(struct store *st, const char *user_id, struct subject *s,
	    struct kg_err *err);

/*
 * Load the scope target of kind (project: by id, or name and a domain id
 * or name; domain: by id or name; system; none) for the user already in s,
 * check it and load the user's effective roles on it.
 */
int	subject_load_scope(struct store *st, enum kg_scope_kind kind,
	    const char *id, const char *name, const char *domain_id,
	    const char *domain_name, struct subject *s, struct kg_err *err);

#endif /* KG_AUTH_SUBJECT_H */
