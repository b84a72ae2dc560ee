/*
 * assignment.h - roles, implied roles and role assignments (grants).
 * See store/store.h for the conventions on errors and ownership.
 */
#ifndef KG_STORE_ASSIGNMENT_H
#define KG_STORE_ASSIGNMENT_H

#include "store/store.h"

struct kg_role {
	char	 id[STORE_ID_SIZE];
	char	 name[STORE_NAME_SIZE];
	char	*description;
	char	 domain_id[STORE_ID_SIZE];	/* "" for a global role */
	char	*extra;
};

/* A role as it appears in a token: id and name only. */
struct kg_role_ref {
	char	id[STORE_ID_SIZE];
	char	name[STORE_NAME_SIZE];
};

/* What an assignment's target is. */
enum kg_scope_kind { KG_SCOPE_NONE = 0, KG_SCOPE_PROJECT, KG_SCOPE_DOMAIN, KG_SCOPE_SYSTEM };

void	kg_role_free(struct kg_role *r);

int	store_role_get(struct store *st, const char *id, struct kg_role *out,
	    struct kg_err *err);
int	store_role_get_by_name(struct store *st, const char *name,
	    const char *domain_id, struct kg_role *out, struct kg_err *err);
int	store_role_create(struct store *st, const struct kg_role *r,
	    struct kg_err *err);
int	store_role_add_implied(struct store *st, const char *prior_id,
	    const char *implied_id, struct kg_err *err);

/*
 * Grant role_id to a user (is_group 0) or group (is_group 1) on a project
 * (kind KG_SCOPE_PROJECT, target_id a project id), a domain, or the system
 * (target_id ignored, stored as "system"). Granting twice is not an error.
 */
int	store_grant(struct store *st, int is_group, const char *actor_id,
	    enum kg_scope_kind kind, const char *target_id, const char *role_id,
	    int inherited, struct kg_err *err);

/*
 * The effective roles of user_id on a target, as a token carries them:
 * direct grants, grants through the user's groups, inherited grants from
 * the project's domain and parent projects (project targets), and every
 * role those imply (transitively). Sorted by name, no duplicates.
 * *out is an array of *n refs; free() it. *n == 0 means no access.
 */
int	store_effective_roles(struct store *st, const char *user_id,
	    enum kg_scope_kind kind, const char *target_id,
	    struct kg_role_ref **out, size_t *n, struct kg_err *err);

/* The remaining role, inference and grant queries are declared below by
 * the assignment module. */

#endif /* KG_STORE_ASSIGNMENT_H */
