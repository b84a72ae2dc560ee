/* api_assignments.c - placeholder route table; the assignments API module fills it. */
#include "server/http.h"

const struct route api_assignments_routes[] = {
	{ NULL, NULL, NULL, 0 }
};
