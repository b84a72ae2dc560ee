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

#endif /* KG_STORE_CATALOG_H */
