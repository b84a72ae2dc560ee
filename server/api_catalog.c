/* api_catalog.c - placeholder route table; the catalog API module fills it. */
#include "server/http.h"

const struct route api_catalog_routes[] = {
	{ NULL, NULL, NULL, 0 }
};
