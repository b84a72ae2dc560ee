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

/* struct kg_role_ref (a role as a token names it) and enum kg_scope_kind
 * (an assignment's target) are in common/types.h. */

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

/*
 * The same with the domain-specific roles too (Keystone's
 * strip_domain_roles=False): what a trustor holds, may delegate and must
 * keep for the trust's tokens to stay valid.
 */
int	store_effective_roles_all(struct store *st, const char *user_id,
	    enum kg_scope_kind kind, const char *target_id,
	    struct kg_role_ref **out, size_t *n, struct kg_err *err);

/* ------------------------------------------------------------------------
 * Roles (CRUD). KG_ENOTFOUND texts are Keystone's ("Could not find role:
 * <id>."), KG_ECONFLICT texts Keystone's duplicate-entry messages.
 * --------------------------------------------------------------------- */

/*
 * Roles named name (NULL: any) in domain domain_id (NULL or "": global
 * roles only, as Keystone lists them), matching match (NULL: no name
 * filter), one page of them in id order (struct kg_page, store.h; NULL:
 * all). *out is an array of *n roles: release it with kg_role_list_free.
 */
int	store_role_list(struct store *st, const char *name, const char *domain_id,
	    const struct kg_name_match *match, struct kg_page *pg,
	    struct kg_role **out, size_t *n,
	    struct kg_err *err);

/* Release an array returned by store_role_list. NULL-safe. */
void	kg_role_list_free(struct kg_role *v, size_t n);

/* Set name, description (NULL: "") and extra (NULL: "{}") of role r->id;
 * domain_id is never changed. */
int	store_role_update(struct store *st, const struct kg_role *r,
	    struct kg_err *err);

/* Delete a role; its grants and implication rules go with it. */
int	store_role_delete(struct store *st, const char *id, struct kg_err *err);

/*
 * Ids of the users whose tokens can carry role_id: users granted role_id,
 * or a role implying it (transitively), on any target, directly or through
 * a group. Sorted, unique; free with store_strv_free(*ids, *n). Used to
 * record revocation events before a role or an implication disappears.
 */
int	store_role_holders(struct store *st, const char *role_id, char ***ids,
	    size_t *n, struct kg_err *err);

/* ------------------------------------------------------------------------
 * Implied roles (inference rules).
 * --------------------------------------------------------------------- */

struct kg_implied_role {
	char	prior_id[STORE_ID_SIZE];
	char	prior_name[STORE_NAME_SIZE];
	char	implied_id[STORE_ID_SIZE];
	char	implied_name[STORE_NAME_SIZE];
};

/* 0 when prior_id implies implied_id, else KG_ENOTFOUND ("<prior> does not
 * imply <implied>."). */
int	store_implied_get(struct store *st, const char *prior_id,
	    const char *implied_id, struct kg_err *err);

/* Remove one rule; KG_ENOTFOUND as store_implied_get when absent. */
int	store_implied_delete(struct store *st, const char *prior_id,
	    const char *implied_id, struct kg_err *err);

/* Rules whose prior role is prior_id (NULL: all rules), ordered by prior
 * then implied role id. *out is an array of *n; free() it. */
int	store_implied_list(struct store *st, const char *prior_id,
	    struct kg_implied_role **out, size_t *n, struct kg_err *err);

/* ------------------------------------------------------------------------
 * Grants. Arguments as store_grant. KG_ENOTFOUND texts are Keystone's
 * "Could not find role assignment with role: ..., user or group: ...,
 * project, domain, or system: ...".
 * --------------------------------------------------------------------- */

/* 0 when the grant exists. */
int	store_grant_check(struct store *st, int is_group, const char *actor_id,
	    enum kg_scope_kind kind, const char *target_id, const char *role_id,
	    int inherited, struct kg_err *err);

/* Remove a grant; KG_ENOTFOUND when there is none. The caller records the
 * revocation events. */
int	store_ungrant(struct store *st, int is_group, const char *actor_id,
	    enum kg_scope_kind kind, const char *target_id, const char *role_id,
	    int inherited, struct kg_err *err);

/* Roles granted to the actor on the target (no implied roles), ordered by
 * name; release as store_role_list. */
int	store_grant_roles(struct store *st, int is_group, const char *actor_id,
	    enum kg_scope_kind kind, const char *target_id, int inherited,
	    struct kg_role **out, size_t *n, struct kg_err *err);

/* Ids of the members of group_id, sorted; free with store_strv_free. */
int	store_assignment_group_members(struct store *st, const char *group_id,
	    char ***ids, size_t *n, struct kg_err *err);

/* ------------------------------------------------------------------------
 * Role assignment listing (GET /v3/role_assignments), Keystone semantics.
 * --------------------------------------------------------------------- */

struct kg_assign_filter {
	const char	*user_id;	/* NULL: any */
	const char	*group_id;
	const char	*role_id;
	const char	*project_id;	/* scope.project.id */
	const char	*domain_id;	/* scope.domain.id */
	int		 system;	/* scope.system=all */
	int		 inherited;	/* -1 any, 0 direct only, 1 inherited only */
	int		 include_subtree;	/* with project_id: its subtree too */
	int		 effective;	/* expand groups, inheritance, implications */
};

/* One role assignment, or in effective mode one way a user gets a role. */
struct kg_assignment {
	int			is_group;
	char			actor_id[STORE_ID_SIZE];
	enum kg_scope_kind	kind;
	char			target_id[STORE_ID_SIZE];	/* "system" */
	char			role_id[STORE_ID_SIZE];
	int			inherited;	/* an inherited_to_projects grant */
	/* Effective mode: where the entry comes from ("" / NONE: direct). */
	char			via_group[STORE_ID_SIZE];	/* group membership */
	enum kg_scope_kind	via_kind;	/* inherited from a project/domain */
	char			via_target[STORE_ID_SIZE];
	char			prior_role[STORE_ID_SIZE];	/* implied by */
};

/*
 * List role assignments as Keystone's list_role_assignments does (the
 * caller rejects the invalid filter combinations with 400 first). Effective
 * mode leaves out group and system assignments, expands group grants into
 * their members, inherited grants onto the projects below, adds implied
 * roles and strips domain-specific roles. *out is an array of *n; free() it.
 */
int	store_assignment_list(struct store *st, const struct kg_assign_filter *f,
	    struct kg_assignment **out, size_t *n, struct kg_err *err);

/* ------------------------------------------------------------------------
 * Names and existence checks for the objects assignments refer to.
 * --------------------------------------------------------------------- */

enum kg_assign_obj { KG_OBJ_USER, KG_OBJ_GROUP, KG_OBJ_PROJECT, KG_OBJ_DOMAIN,
	KG_OBJ_ROLE };

struct kg_assign_name {
	char	name[STORE_NAME_SIZE];
	char	domain_id[STORE_ID_SIZE];	/* owner; "" for domains, global roles */
	char	domain_name[STORE_NAME_SIZE];
};

/*
 * Name and owning domain of an object, or KG_ENOTFOUND with Keystone's
 * text ("Could not find project: <id>."). out may be NULL (existence check).
 */
int	store_assign_name(struct store *st, enum kg_assign_obj obj, const char *id,
	    struct kg_assign_name *out, struct kg_err *err);

#endif /* KG_STORE_ASSIGNMENT_H */
