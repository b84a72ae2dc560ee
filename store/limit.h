/*
 * limit.h - unified limits: registered limits (a service's default for one
 * resource, in a region or in none) and limits (a project's or a domain's
 * override of one registered limit). See store/store.h for the
 * conventions on errors and ownership; the rules (what must exist, the
 * enforcement models) are svc/limit.c's.
 */
#ifndef KG_STORE_LIMIT_H
#define KG_STORE_LIMIT_H

#include <stdint.h>

#include "store/store.h"

struct kg_registered_limit {
	char	 id[STORE_ID_SIZE];
	char	 service_id[STORE_ID_SIZE];
	char	 region_id[STORE_ID_SIZE];	/* "" when none */
	char	 resource_name[STORE_NAME_SIZE];
	int64_t	 default_limit;
	char	*description;			/* NULL: none (JSON null) */
};

/*
 * A limit. service_id, region_id and resource_name are those of its
 * registered limit (read-only here: a limit names them through
 * registered_limit_id).
 */
struct kg_limit {
	char	 id[STORE_ID_SIZE];
	char	 registered_limit_id[STORE_ID_SIZE];
	char	 project_id[STORE_ID_SIZE];	/* exactly one of these two */
	char	 domain_id[STORE_ID_SIZE];	/* is set, the other "" */
	char	 service_id[STORE_ID_SIZE];
	char	 region_id[STORE_ID_SIZE];	/* "" when none */
	char	 resource_name[STORE_NAME_SIZE];
	int64_t	 resource_limit;
	char	*description;			/* NULL: none */
};

void	kg_registered_limit_free(struct kg_registered_limit *r);
void	kg_registered_limit_list_free(struct kg_registered_limit *v, size_t n);
void	kg_limit_free(struct kg_limit *l);
void	kg_limit_list_free(struct kg_limit *v, size_t n);

/* List filters (exact matches); NULL matches anything. */
struct kg_limit_filter {
	const char	*service_id;
	const char	*region_id;
	const char	*resource_name;
	const char	*project_id;	/* limits only */
	const char	*domain_id;	/* limits only */
};

/* ------------------------------------------------------------------------
 * Registered limits.
 * --------------------------------------------------------------------- */

/*
 * Insert r. KG_ECONFLICT "Conflict occurred attempting to store
 * registered_limit - Duplicate entry." when one exists for the same
 * service, region and resource (or the id exists).
 */
int	store_registered_limit_create(struct store *st,
	    const struct kg_registered_limit *r, struct kg_err *err);

/* KG_ENOTFOUND "Could not find registered limit for <id>." */
int	store_registered_limit_get(struct store *st, const char *id,
	    struct kg_registered_limit *out, struct kg_err *err);

/*
 * The registered limit of service_id, region_id ("" or NULL: none) and
 * resource_name. KG_ENOTFOUND when there is none.
 */
int	store_registered_limit_find(struct store *st, const char *service_id,
	    const char *region_id, const char *resource_name,
	    struct kg_registered_limit *out, struct kg_err *err);

/* In creation order. */
int	store_registered_limit_list(struct store *st,
	    const struct kg_limit_filter *f, struct kg_registered_limit **out,
	    size_t *n, struct kg_err *err);

/* Rewrite every column of r->id; KG_ECONFLICT as for create. */
int	store_registered_limit_update(struct store *st,
	    const struct kg_registered_limit *r, struct kg_err *err);

/* Delete (KG_ENOTFOUND); the caller makes sure no limit refers to it. */
int	store_registered_limit_delete(struct store *st, const char *id,
	    struct kg_err *err);

/* *yes: whether any limit refers to registered limit id. */
int	store_registered_limit_in_use(struct store *st, const char *id,
	    int *yes, struct kg_err *err);

/* *yes: whether any registered limit names the service / the region. */
int	store_registered_limit_uses_service(struct store *st,
	    const char *service_id, int *yes, struct kg_err *err);
int	store_registered_limit_uses_region(struct store *st,
	    const char *region_id, int *yes, struct kg_err *err);

/* ------------------------------------------------------------------------
 * Limits.
 * --------------------------------------------------------------------- */

/*
 * Insert l (id, registered_limit_id, project_id or domain_id,
 * resource_limit, description). KG_ECONFLICT "Conflict occurred attempting
 * to store limit - Duplicate entry." when the project or domain already
 * has a limit for that registered limit.
 */
int	store_limit_create(struct store *st, const struct kg_limit *l,
	    struct kg_err *err);

/* KG_ENOTFOUND "Could not find limit for <id>." */
int	store_limit_get(struct store *st, const char *id, struct kg_limit *out,
	    struct kg_err *err);

/*
 * The limit of project_id (or, when it is NULL, of domain_id) for
 * registered limit rl_id. KG_ENOTFOUND when there is none.
 */
int	store_limit_find(struct store *st, const char *rl_id,
	    const char *project_id, const char *domain_id, struct kg_limit *out,
	    struct kg_err *err);

/* In creation order. */
int	store_limit_list(struct store *st, const struct kg_limit_filter *f,
	    struct kg_limit **out, size_t *n, struct kg_err *err);

/* Limits of the projects of domain_id and of the domain itself (a
 * domain-scoped caller's view), in creation order. */
int	store_limit_list_in_domain(struct store *st,
	    const struct kg_limit_filter *f, const char *domain_id,
	    struct kg_limit **out, size_t *n, struct kg_err *err);

/* Rewrite resource_limit and description of l->id. */
int	store_limit_update(struct store *st, const struct kg_limit *l,
	    struct kg_err *err);

int	store_limit_delete(struct store *st, const char *id, struct kg_err *err);

/*
 * *yes: whether a project of domain_id (at any level) has a limit for
 * rl_id that is nonzero and greater than value (the strict-two-level
 * model's "a domain's limit is not smaller than its projects'").
 */
int	store_limit_child_above(struct store *st, const char *rl_id,
	    const char *domain_id, int64_t value, int *yes, struct kg_err *err);

/*
 * The projects below level max (a domain's top-level projects are at
 * level 1): *ids[*n] (store_strv_free). For the strict-two-level model's
 * start-up check.
 */
int	store_projects_below_level(struct store *st, int max, char ***ids,
	    size_t *n, struct kg_err *err);

#endif /* KG_STORE_LIMIT_H */
