/* api_users.c - placeholder route table; the users API module fills it. */
#include "server/http.h"

const struct route api_users_routes[] = {
	{ NULL, NULL, NULL, 0 }
};
