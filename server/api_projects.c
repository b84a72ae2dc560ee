/* api_projects.c - placeholder route table; the projects API module fills it. */
#include "server/http.h"

const struct route api_projects_routes[] = {
	{ NULL, NULL, NULL, 0 }
};
