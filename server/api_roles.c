/* api_roles.c - placeholder route table; the roles API module fills it. */
#include "server/http.h"

const struct route api_roles_routes[] = {
	{ NULL, NULL, NULL, 0 }
};
