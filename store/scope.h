/*
 * scope.h - what the token module needs from the store, in as few
 * statements as possible: a user with its domain, a project with its
 * domain, a domain (one statement each), the targets a user can scope to,
 * and read transactions that group a token's look-ups under one lock.
 * See store/store.h for the conventions.
 */
#ifndef KG_STORE_SCOPE_H
#define KG_STORE_SCOPE_H

#include "common/types.h"
#include "store/appcred.h"
#include "store/assignment.h"
#include "store/store.h"

/* struct kg_token_user and struct kg_token_target: common/types.h. */

/* Wipes and frees password_hash. NULL-safe. */
void	kg_token_user_free(struct kg_token_user *u);

/*
 * The user by id, or by name in a domain given by id or name (the first
 * non-NULL of id, then (name, domain_id), then (name, domain_name) is
 * used). KG_ENOTFOUND ("Could not find user: <key>.") when absent.
 */
int	store_token_user(struct store *st, const char *id, const char *name,
	    const char *domain_id, const char *domain_name, struct kg_token_user *out,
	    struct kg_err *err);

/*
 * The application credential a login names -- by id, else by user_id and
 * name -- with its roles (ids only: names come with the user's effective
 * roles) and its user (with the user's domain; no password hash) in one
 * statement; its access rules in a second one, only when it has some. KG_ENOTFOUND ("Could not find
 * Application Credential: <id or name>."). Release *ac with
 * kg_appcred_free, *u with kg_token_user_free.
 */
int	store_token_appcred(struct store *st, const char *id, const char *user_id,
	    const char *name, struct kg_appcred *ac, struct kg_token_user *u,
	    struct kg_err *err);

/* The project, same lookup rules as store_token_user. KG_ENOTFOUND. */
int	store_token_project(struct store *st, const char *id, const char *name,
	    const char *domain_id, const char *domain_name,
	    struct kg_token_target *out, struct kg_err *err);

/* The domain by id, else by name. KG_ENOTFOUND. */
int	store_token_domain(struct store *st, const char *id, const char *name,
	    struct kg_token_target *out, struct kg_err *err);

/*
 * Ids of the enabled projects (in enabled domains; kind KG_SCOPE_PROJECT)
 * or enabled domains (KG_SCOPE_DOMAIN) where user_id has an effective
 * role, ordered by name. *ids is an array of *n strings; free with
 * store_strv_free(*ids, *n). Every candidate is checked with
 * store_effective_roles, so the cost grows with the number of targets.
 */
int	store_scope_targets(struct store *st, const char *user_id,
	    enum kg_scope_kind kind, char ***ids, size_t *n, struct kg_err *err);

#endif /* KG_STORE_SCOPE_H */
