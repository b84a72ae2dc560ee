/*
 * epfilter.h - OS-EP-FILTER: endpoint groups (endpoints selected by
 * attribute) and the associations of projects with endpoints and with
 * endpoint groups, which restrict a project's catalog. See store/store.h
 * for the conventions.
 */
#ifndef KG_STORE_EPFILTER_H
#define KG_STORE_EPFILTER_H

#include "store/catalog.h"
#include "store/identity.h"
#include "store/store.h"

/*
 * An endpoint group. filters is a JSON object text whose members name
 * endpoint attributes (service_id, region_id, interface) and the value an
 * endpoint must have: an endpoint matches when it has every one ({}
 * matches every endpoint). The match runs in SQL on the filter_* fields,
 * which svc/ derives from filters (svc_endpoint_group_derive): NULL / 0
 * where filters has no such member.
 */
struct kg_endpoint_group {
	char	 id[STORE_ID_SIZE];
	char	 name[STORE_NAME_SIZE];
	char	*description;	/* NULL: none (JSON null) */
	char	*filters;
	char	*filter_service_id;	/* the endpoint's service_id must be */
	char	*filter_interface;	/* its interface must be */
	int	 filter_region_set;	/* its region_id must be filter_region_id */
	char	*filter_region_id;	/* (NULL: no region) */
	int	 filter_never;		/* a filter no endpoint can match */
};

void	kg_endpoint_group_free(struct kg_endpoint_group *g);
void	kg_endpoint_group_list_free(struct kg_endpoint_group *v, size_t n);

int	store_endpoint_group_create(struct store *st,
	    const struct kg_endpoint_group *g, struct kg_err *err);
/* KG_ENOTFOUND "Could not find Endpoint Group: <id>." */
int	store_endpoint_group_get(struct store *st, const char *id,
	    struct kg_endpoint_group *out, struct kg_err *err);
/* In creation order; name NULL: any. */
int	store_endpoint_group_list(struct store *st, const char *name,
	    struct kg_endpoint_group **out, size_t *n, struct kg_err *err);
/* Rewrite name, description and filters of g->id. */
int	store_endpoint_group_update(struct store *st,
	    const struct kg_endpoint_group *g, struct kg_err *err);
/* Delete, with its project associations (the foreign key cascades). */
int	store_endpoint_group_delete(struct store *st, const char *id,
	    struct kg_err *err);

/* The endpoints group id selects, in creation order. */
int	store_endpoint_group_endpoints(struct store *st, const char *id,
	    struct kg_endpoint **out, size_t *n, struct kg_err *err);

/* ------------------------------------------------------------------------
 * Project <-> endpoint.
 * --------------------------------------------------------------------- */

/* KG_ECONFLICT "Conflict occurred attempting to store project_endpoint -
 * Duplicate entry." when it exists. */
int	store_project_endpoint_add(struct store *st, const char *project_id,
	    const char *endpoint_id, struct kg_err *err);
int	store_project_endpoint_exists(struct store *st, const char *project_id,
	    const char *endpoint_id, int *yes, struct kg_err *err);
/* KG_ENOTFOUND "Endpoint <e> not found in project <p>" when absent. */
int	store_project_endpoint_remove(struct store *st, const char *project_id,
	    const char *endpoint_id, struct kg_err *err);
/* The projects associated with an endpoint, in association order. */
int	store_endpoint_projects(struct store *st, const char *endpoint_id,
	    struct kg_project **out, size_t *n, struct kg_err *err);

/* ------------------------------------------------------------------------
 * Project <-> endpoint group.
 * --------------------------------------------------------------------- */

/* KG_ECONFLICT "... project_endpoint_group - Duplicate entry." */
int	store_project_endpoint_group_add(struct store *st, const char *group_id,
	    const char *project_id, struct kg_err *err);
int	store_project_endpoint_group_exists(struct store *st,
	    const char *group_id, const char *project_id, int *yes,
	    struct kg_err *err);
/* KG_ENOTFOUND "Endpoint Group Project Association not found". */
int	store_project_endpoint_group_remove(struct store *st,
	    const char *group_id, const char *project_id, struct kg_err *err);
/* The projects associated with an endpoint group, in association order. */
int	store_endpoint_group_projects(struct store *st, const char *group_id,
	    struct kg_project **out, size_t *n, struct kg_err *err);
/* The endpoint groups associated with a project. */
int	store_project_endpoint_groups(struct store *st, const char *project_id,
	    struct kg_endpoint_group **out, size_t *n, struct kg_err *err);

/* ------------------------------------------------------------------------
 * A project's endpoints.
 * --------------------------------------------------------------------- */

/*
 * The endpoints a project is associated with, directly or through its
 * endpoint groups (Keystone's list_endpoints_for_project), each once, in
 * creation order, disabled ones included. None: the project is not
 * filtered, and its catalog is the whole catalog.
 */
int	store_project_endpoints(struct store *st, const char *project_id,
	    struct kg_endpoint **out, size_t *n, struct kg_err *err);

/* ------------------------------------------------------------------------
 * The catalog of a project's tokens.
 * --------------------------------------------------------------------- */

/*
 * *yes: whether any project is associated with an endpoint or an endpoint
 * group. When none is, every project's catalog is the whole catalog.
 */
int	store_endpoint_filter_used(struct store *st, int *yes,
	    struct kg_err *err);

/*
 * The ids of store_project_endpoints(project_id), sorted (strcmp):
 * *ids[*n] (store_strv_free). None: the project is not filtered.
 */
int	store_project_endpoint_ids(struct store *st, const char *project_id,
	    char ***ids, size_t *n, struct kg_err *err);

/*
 * Keystone's filtered catalog (catalog/backends/sql.py get_v3_catalog):
 * keep in c only the endpoints whose id is in ids[n] (sorted, as
 * store_project_endpoint_ids gives them), and drop the services left
 * without one. Pure; frees what it drops.
 */
void	kg_catalog_keep(struct kg_catalog *c, char *const *ids, size_t n);

#endif /* KG_STORE_EPFILTER_H */
