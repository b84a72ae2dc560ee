/* api_groups.c - placeholder route table; the groups API module fills it. */
#include "server/http.h"

const struct route api_groups_routes[] = {
	{ NULL, NULL, NULL, 0 }
};
