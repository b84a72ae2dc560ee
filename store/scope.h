/*
 * scope.h - what a user can scope a token to (GET /v3/auth/projects,
 * /v3/auth/domains): enabled targets on which the user holds at least one
 * effective role. See store/store.h for the conventions.
 */
#ifndef KG_STORE_SCOPE_H
#define KG_STORE_SCOPE_H

#include "store/assignment.h"
#include "store/store.h"

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
