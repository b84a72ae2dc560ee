/* catalog.c - placeholder: the catalog module replaces this file. */
#include <stdlib.h>

#include "store/catalog.h"

#define NOTYET	return kg_errf(err, KG_ENOTIMPL, "%s: not implemented", __func__)

void kg_region_free(struct kg_region *r) { free(r->description); free(r->extra); }
void kg_service_free(struct kg_service *s) { free(s->description); free(s->extra); }
void kg_endpoint_free(struct kg_endpoint *e) { free(e->url); free(e->extra); }
int store_region_create(struct store *st, const struct kg_region *r, struct kg_err *err) { NOTYET; }
int store_service_create(struct store *st, const struct kg_service *s, struct kg_err *err) { NOTYET; }
int store_endpoint_create(struct store *st, const struct kg_endpoint *e, struct kg_err *err) { NOTYET; }
int store_service_find_by_type_name(struct store *st, const char *type, const char *name, struct kg_service *out, struct kg_err *err) { NOTYET; }
int store_endpoint_list_by_service(struct store *st, const char *service_id, struct kg_endpoint **out, size_t *n, struct kg_err *err) { NOTYET; }
int store_catalog_get(struct store *st, struct kg_catalog *out, struct kg_err *err) { NOTYET; }
void store_catalog_free(struct kg_catalog *c) { }
