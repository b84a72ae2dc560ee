/*
 * api_version.c - version discovery: GET / (300 Multiple Choices with the
 * versions list) and GET /v3 (the v3.14 version document), as Keystone.
 */
#include "server/http.h"

static json_t *
version_v3(struct req *r)
{
	char	base[600], self[700];

	req_base_url(r, base, sizeof(base));
	snprintf(self, sizeof(self), "%s/v3/", base);
	return json_pack("{s:s, s:s, s:s, s:[{s:s, s:s}], s:[{s:s, s:s}]}",
	    "id", "v3.14", "status", "stable", "updated", "2020-04-07T00:00:00Z",
	    "links", "rel", "self", "href", self,
	    "media-types", "base", "application/json",
	    "type", "application/vnd.openstack.identity-v3+json");
}

static int
get_versions(struct req *r, struct kg_err *err)
{
	json_t	*v;

	if ((v = version_v3(r)) == NULL)
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	r->out = json_pack("{s:{s:[o]}}", "versions", "values", v);
	return 300;
}

static int
get_v3(struct req *r, struct kg_err *err)
{
	json_t	*v;

	if ((v = version_v3(r)) == NULL)
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	r->out = json_pack("{s:o}", "version", v);
	return 200;
}

const struct route api_version_routes[] = {
	{ "GET", "/", get_versions, 0 },
	{ "GET", "/v3", get_v3, 0 },
	{ NULL, NULL, NULL, 0 }
};
