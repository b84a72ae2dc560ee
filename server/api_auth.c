/* api_auth.c - placeholder route table; the auth API module fills it. */
#include "server/http.h"

const struct route api_auth_routes[] = {
	{ NULL, NULL, NULL, 0 }
};
