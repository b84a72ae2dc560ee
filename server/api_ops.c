/* api_ops.c - placeholder route table; the ops API module fills it. */
#include "server/http.h"

const struct route api_ops_routes[] = {
	{ NULL, NULL, NULL, 0 }
};
