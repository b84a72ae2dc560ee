/*
 * catalog.h - regions, services and endpoints (the service catalog).
 * See store/store.h for the conventions on errors and ownership.
 */
#ifndef KG_STORE_CATALOG_H
#define KG_STORE_CATALOG_H

#include "store/store.h"

struct kg_region {
	char	 id[STORE_ID_SIZE];
	char	*description;
	char	 parent_region_id[STORE_ID_SIZE];	/* "" when none */
	char	*extra;
};

struct kg_service {
	char	 id[STORE_ID_SIZE];
	char	 type[STORE_NAME_SIZE];
	char	 name[STORE_NAME_SIZE];
	char	*description;
	int	 enabled;
	char	*extra;
};

struct kg_endpoint {
	char	 id[STORE_ID_SIZE];
	char	 service_id[STORE_ID_SIZE];
	char	 region_id[STORE_ID_SIZE];	/* "" when none */
	char	 interface[16];			/* public | internal | admin */
	char	*url;
	int	 enabled;
	char	*extra;
};

void	kg_region_free(struct kg_region *r);
void	kg_service_free(struct kg_service *s);
void	kg_endpoint_free(struct kg_endpoint *e);

int	store_region_create(struct store *st, const struct kg_region *r,
	    struct kg_err *err);
int	store_service_create(struct store *st, const struct kg_service *s,
	    struct kg_err *err);
int	store_endpoint_create(struct store *st, const struct kg_endpoint *e,
	    struct kg_err *err);
int	store_service_find_by_type_name(struct store *st, const char *type,
	    const char *name, struct kg_service *out, struct kg_err *err);
int	store_endpoint_list_by_service(struct store *st, const char *service_id,
	    struct kg_endpoint **out, size_t *n, struct kg_err *err);

/*
 * The enabled services with their enabled endpoints, as a token's catalog
 * needs them: services[nservices], and for each service i its endpoints
 * eps[i][neps[i]]. Free with store_catalog_free.
 */
struct kg_catalog {
	struct kg_service	 *services;
	size_t			  nservices;
	struct kg_endpoint	**eps;
	size_t			 *neps;
};
int	store_catalog_get(struct store *st, struct kg_catalog *out, struct kg_err *err);
void	store_catalog_free(struct kg_catalog *c);

/* The remaining CRUD is declared below by the catalog module. */

/*
 * Conventions for the functions below: *_get fill *out (free its members
 * with the type's *_free) or fail with KG_ENOTFOUND ("Could not find
 * region: <id>."). Lists return a malloc'd array of *n structs, free with
 * the matching kg_*_list_free(v, n). A NULL filter matches everything.
 * Updates replace every column from the struct (read, modify, write) and
 * fail with KG_ENOTFOUND when the id is unknown. NULL description/extra/url
 * are stored as "", "{}" and "". store_*_create: KG_ECONFLICT for an
 * existing id.
 */
void	kg_region_list_free(struct kg_region *v, size_t n);
void	kg_service_list_free(struct kg_service *v, size_t n);
void	kg_endpoint_list_free(struct kg_endpoint *v, size_t n);

/*
 * store_region_create: KG_ENOTFOUND when parent_region_id names no region,
 * KG_ECONFLICT (Keystone's "... - Duplicate ID, <id>..") when the id exists
 * (checked first, as Keystone does).
 * store_region_update: KG_ENOTFOUND for an unknown parent, KG_EBADREQ when
 * the new parent is the region itself or one of its descendants.
 * store_region_delete: as Keystone, deletes the region and all its
 * descendants, unless one of them has endpoints (KG_EFORBID). Run it in a
 * transaction when the caller needs all-or-nothing.
 */
int	store_region_get(struct store *st, const char *id, struct kg_region *out,
	    struct kg_err *err);
int	store_region_list(struct store *st, const char *parent_region_id,
	    struct kg_page *pg, struct kg_region **out, size_t *n,
	    struct kg_err *err);
int	store_region_update(struct store *st, const struct kg_region *r,
	    struct kg_err *err);
int	store_region_delete(struct store *st, const char *id, struct kg_err *err);

/* Services. store_service_delete removes the service's endpoints too. */
int	store_service_get(struct store *st, const char *id, struct kg_service *out,
	    struct kg_err *err);
int	store_service_list(struct store *st, const char *type, const char *name,
	    struct kg_page *pg, struct kg_service **out, size_t *n,
	    struct kg_err *err);
int	store_service_update(struct store *st, const struct kg_service *s,
	    struct kg_err *err);
int	store_service_delete(struct store *st, const char *id, struct kg_err *err);

/*
 * Endpoints. create/update: KG_EBADREQ for an interface other than public,
 * internal or admin; KG_ECONFLICT when the id exists or service_id /
 * region_id name nothing (callers wanting 400/404 texts check first).
 * store_endpoint_list_by_service(st, id, ...) equals
 * store_endpoint_list(st, NULL, id, NULL, NULL, ...).
 *
 * The lists come one page at a time in id order (struct kg_page in
 * store.h; NULL: all).
 */
int	store_endpoint_get(struct store *st, const char *id,
	    struct kg_endpoint *out, struct kg_err *err);
int	store_endpoint_list(struct store *st, const char *interface,
	    const char *service_id, const char *region_id, struct kg_page *pg,
	    struct kg_endpoint **out, size_t *n, struct kg_err *err);
int	store_endpoint_update(struct store *st, const struct kg_endpoint *e,
	    struct kg_err *err);
int	store_endpoint_delete(struct store *st, const char *id, struct kg_err *err);

#endif /* KG_STORE_CATALOG_H */
