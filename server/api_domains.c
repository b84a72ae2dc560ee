/* api_domains.c - placeholder route table; the domains API module fills it. */
#include "server/http.h"

const struct route api_domains_routes[] = {
	{ NULL, NULL, NULL, 0 }
};
