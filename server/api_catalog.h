/*
 * api_catalog.h - the catalog API's view of an endpoint, shared with the
 * APIs that list endpoints (OS-ENDPOINT-POLICY, OS-EP-FILTER).
 */
#ifndef KG_API_CATALOG_H
#define KG_API_CATALOG_H

#include <jansson.h>

#include "server/http.h"
#include "store/catalog.h"

/*
 * An endpoint as GET /v3/endpoints/{id} shows it: id, interface,
 * region_id and its legacy alias region, service_id, url, enabled, links
 * and the extra attributes. New reference, NULL when out of memory.
 */
json_t	*apij_endpoint(struct req *r, const struct kg_endpoint *e);

#endif /* KG_API_CATALOG_H */
