/*
 * it_catalog.c - /v3/regions, /v3/services and /v3/endpoints against the
 * real server: success paths, Keystone's JSON shapes, and the failures
 * (400 bad input, 401 no token, 403 non-admin, 404 unknown, 409 duplicate).
 */
#include <string.h>

#include "common/util.h"
#include "tests/integration/it.h"

static int
streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* The element of array doc[path] whose "id" is id, or NULL. */
static json_t *
find_id(json_t *doc, const char *path, const char *id)
{
	json_t	*a = it_get(doc, path), *v;
	size_t	 i;

	json_array_foreach(a, i, v)
		if (streq(json_string_value(json_object_get(v, "id")), id))
			return v;
	return NULL;
}

/* Number of elements of array doc[path] (0 when absent). */
static size_t
count(json_t *doc, const char *path)
{
	return json_array_size(it_get(doc, path));
}

/* Every element of doc[path] has string attribute key == val. */
static int
all_have(json_t *doc, const char *path, const char *key, const char *val)
{
	json_t	*a = it_get(doc, path), *v;
	size_t	 i;

	if (!json_is_array(a))
		return 0;
	json_array_foreach(a, i, v)
		if (!streq(json_string_value(json_object_get(v, key)), val))
			return 0;
	return 1;
}

static long
status_of(struct it_server *s, const char *m, const char *path, const char *tok,
    const char *body, char *msg, size_t msgsz)
{
	struct it_resp	r;
	long		st;

	it_req(s, m, path, tok, body, NULL, &r);
	st = r.status;
	if (msg != NULL)
		snprintf(msg, msgsz, "%s", r.json && it_str(r.json, "error.message") ?
		    it_str(r.json, "error.message") : "");
	it_resp_free(&r);
	return st;
}

/* Create a member user on project admin and return its token (or NULL). */
static char *
member_token(struct it_server *s, const char *adm)
{
	struct it_resp	 r;
	char		 uid[64] = "", pid[64] = "", rid[64] = "";

	it_req(s, "POST", "/v3/users", adm, "{\"user\": {\"name\": \"catmember\","
	    " \"password\": \"member-secret\", \"domain_id\": \"default\"}}", NULL, &r);
	if (it_str(r.json, "user.id"))
		snprintf(uid, sizeof(uid), "%s", it_str(r.json, "user.id"));
	it_resp_free(&r);
	it_req(s, "GET", "/v3/projects?name=admin", adm, NULL, NULL, &r);
	if (it_str(r.json, "projects.0.id"))
		snprintf(pid, sizeof(pid), "%s", it_str(r.json, "projects.0.id"));
	it_resp_free(&r);
	it_req(s, "GET", "/v3/roles?name=member", adm, NULL, NULL, &r);
	if (it_str(r.json, "roles.0.id"))
		snprintf(rid, sizeof(rid), "%s", it_str(r.json, "roles.0.id"));
	it_resp_free(&r);
	if (!*uid || !*pid || !*rid)
		return NULL;
	if (it_status(s, "PUT", it_fmt("/v3/projects/%s/users/%s/roles/%s", pid,
	    uid, rid), adm, NULL) != 204)
		return NULL;
	return it_token(s, "catmember", "member-secret", "admin");
}

int
main(void)
{
	struct it_server	 s;
	struct it_resp		 r;
	const char		*adm;
	char			*mem, msg[512], svc[64] = "", svc2[64] = "", ep[64] = "",
				 ep2[64] = "", rid[64] = "";
	json_t			*o;

	it_start(&s, NULL);
	adm = s.admin_token;
	mem = member_token(&s, adm);
	T("cat-0.1 admin token", adm[0] != '\0');
	T("cat-0.2 member token", mem != NULL);
	if (mem == NULL)
		mem = strdup("none");

	/* ---- regions ---- */
	T("region-1.1 list without token -> 401",
	    it_status(&s, "GET", "/v3/regions", NULL, NULL) == 401);
	it_req(&s, "GET", "/v3/regions", adm, NULL, NULL, &r);
	T("region-1.2 list -> 200", r.status == 200);
	o = find_id(r.json, "regions", "RegionOne");
	T("region-1.3 bootstrap region listed", o != NULL &&
	    json_is_null(json_object_get(o, "parent_region_id")) &&
	    streq(json_string_value(json_object_get(o, "description")), ""));
	T("region-1.4 list links", streq(it_str(r.json, "links.self"),
	    it_fmt("%s/v3/regions", s.base)) && json_is_null(it_get(r.json, "links.next")));
	it_resp_free(&r);
	T("region-1.5 list as member -> 200 (any token)",
	    it_status(&s, "GET", "/v3/regions", mem, NULL) == 200);

	it_req(&s, "GET", "/v3/regions/RegionOne", mem, NULL, NULL, &r);
	T("region-2.1 get as member -> 200", r.status == 200 &&
	    streq(it_str(r.json, "region.id"), "RegionOne"));
	T("region-2.2 self link", streq(it_str(r.json, "region.links.self"),
	    it_fmt("%s/v3/regions/RegionOne", s.base)));
	it_resp_free(&r);
	T("region-2.3 get unknown -> 404", status_of(&s, "GET", "/v3/regions/Nope",
	    adm, NULL, msg, sizeof(msg)) == 404 &&
	    streq(msg, "Could not find region: Nope."));
	T("region-2.4 HEAD -> 200",
	    it_status(&s, "HEAD", "/v3/regions/RegionOne", adm, NULL) == 200);

	it_req(&s, "POST", "/v3/regions", adm, "{\"region\": {\"id\": \"RegionTwo\","
	    " \"description\": \"two\", \"parent_region_id\": \"RegionOne\","
	    " \"foo\": \"bar\"}}", NULL, &r);
	T("region-3.1 create with id -> 201", r.status == 201);
	T("region-3.2 fields", streq(it_str(r.json, "region.id"), "RegionTwo") &&
	    streq(it_str(r.json, "region.description"), "two") &&
	    streq(it_str(r.json, "region.parent_region_id"), "RegionOne"));
	T("region-3.3 extra attribute kept", streq(it_str(r.json, "region.foo"), "bar"));
	it_resp_free(&r);
	T("region-3.4 duplicate id -> 409", status_of(&s, "POST", "/v3/regions", adm,
	    "{\"region\": {\"id\": \"RegionTwo\"}}", msg, sizeof(msg)) == 409 &&
	    strstr(msg, "Duplicate ID, RegionTwo") != NULL);
	it_req(&s, "POST", "/v3/regions", adm, "{\"region\": {}}", NULL, &r);
	T("region-3.5 create without id -> 201 with generated id", r.status == 201 &&
	    it_str(r.json, "region.id") && kg_is_hex_id(it_str(r.json, "region.id")));
	if (it_str(r.json, "region.id"))
		snprintf(rid, sizeof(rid), "%s", it_str(r.json, "region.id"));
	it_resp_free(&r);
	T("region-3.6 no body -> 400",
	    it_status(&s, "POST", "/v3/regions", adm, NULL) == 400);
	T("region-3.7 region not an object -> 400",
	    it_status(&s, "POST", "/v3/regions", adm, "{\"region\": \"x\"}") == 400);
	T("region-3.8 description wrong type -> 400", it_status(&s, "POST", "/v3/regions",
	    adm, "{\"region\": {\"description\": 5}}") == 400);
	T("region-3.9 unknown parent -> 404", status_of(&s, "POST", "/v3/regions", adm,
	    "{\"region\": {\"id\": \"X1\", \"parent_region_id\": \"Nope\"}}", msg,
	    sizeof(msg)) == 404 && streq(msg, "Could not find region: Nope."));
	T("region-3.10 member -> 403", it_status(&s, "POST", "/v3/regions", mem,
	    "{\"region\": {\"id\": \"M\"}}") == 403);
	T("region-3.11 no token -> 401", it_status(&s, "POST", "/v3/regions", NULL,
	    "{\"region\": {\"id\": \"M\"}}") == 401);
	T("region-3.12 malformed JSON -> 400",
	    it_status(&s, "POST", "/v3/regions", adm, "{\"region\": ") == 400);

	it_req(&s, "PUT", "/v3/regions/RegionThree", adm,
	    "{\"region\": {\"description\": \"three\"}}", NULL, &r);
	T("region-4.1 PUT creates -> 201", r.status == 201 &&
	    streq(it_str(r.json, "region.id"), "RegionThree") &&
	    streq(it_str(r.json, "region.description"), "three"));
	it_resp_free(&r);
	T("region-4.2 PUT existing -> 409", it_status(&s, "PUT", "/v3/regions/RegionThree",
	    adm, "{\"region\": {}}") == 409);
	T("region-4.3 PUT conflicting ids -> 400", status_of(&s, "PUT",
	    "/v3/regions/RegionFour", adm, "{\"region\": {\"id\": \"Other\"}}", msg,
	    sizeof(msg)) == 400 && strstr(msg, "Conflicting region IDs") != NULL);
	T("region-4.4 PUT member -> 403", it_status(&s, "PUT", "/v3/regions/RegionFour",
	    mem, "{\"region\": {}}") == 403);
	T("region-4.5 PUT child", it_status(&s, "PUT", "/v3/regions/RegionThreeA", adm,
	    "{\"region\": {\"parent_region_id\": \"RegionThree\"}}") == 201);

	it_req(&s, "GET", "/v3/regions?parent_region_id=RegionOne", adm, NULL, NULL, &r);
	T("region-5.1 filter parent_region_id", r.status == 200 &&
	    count(r.json, "regions") == 1 &&
	    streq(it_str(r.json, "regions.0.id"), "RegionTwo"));
	it_resp_free(&r);

	it_req(&s, "PATCH", "/v3/regions/RegionTwo", adm,
	    "{\"region\": {\"description\": \"deux\"}}", NULL, &r);
	T("region-6.1 patch -> 200", r.status == 200 &&
	    streq(it_str(r.json, "region.description"), "deux") &&
	    streq(it_str(r.json, "region.parent_region_id"), "RegionOne"));
	T("region-6.2 extra survives patch", streq(it_str(r.json, "region.foo"), "bar"));
	it_resp_free(&r);
	T("region-6.3 empty patch -> 400", it_status(&s, "PATCH", "/v3/regions/RegionTwo",
	    adm, "{\"region\": {}}") == 400);
	T("region-6.4 self parent -> 400", status_of(&s, "PATCH", "/v3/regions/RegionOne",
	    adm, "{\"region\": {\"parent_region_id\": \"RegionOne\"}}", msg,
	    sizeof(msg)) == 400 && strstr(msg, "circular") != NULL);
	T("region-6.5 descendant as parent -> 400", it_status(&s, "PATCH",
	    "/v3/regions/RegionOne", adm,
	    "{\"region\": {\"parent_region_id\": \"RegionTwo\"}}") == 400);
	T("region-6.6 unknown region -> 404", it_status(&s, "PATCH", "/v3/regions/Nope",
	    adm, "{\"region\": {\"description\": \"x\"}}") == 404);
	T("region-6.7 unknown parent -> 404", it_status(&s, "PATCH",
	    "/v3/regions/RegionTwo", adm,
	    "{\"region\": {\"parent_region_id\": \"Nope\"}}") == 404);
	T("region-6.8 change id -> 400", status_of(&s, "PATCH", "/v3/regions/RegionTwo",
	    adm, "{\"region\": {\"id\": \"Other\"}}", msg, sizeof(msg)) == 400 &&
	    streq(msg, "Cannot change ID"));
	T("region-6.9 member -> 403", it_status(&s, "PATCH", "/v3/regions/RegionTwo",
	    mem, "{\"region\": {\"description\": \"x\"}}") == 403);
	it_req(&s, "PATCH", "/v3/regions/RegionTwo", adm,
	    "{\"region\": {\"parent_region_id\": null}}", NULL, &r);
	T("region-6.10 clear parent", r.status == 200 &&
	    json_is_null(it_get(r.json, "region.parent_region_id")));
	it_resp_free(&r);

	/* ---- services ---- */
	T("service-1.1 list without token -> 401",
	    it_status(&s, "GET", "/v3/services", NULL, NULL) == 401);
	T("service-1.2 list as member -> 403",
	    it_status(&s, "GET", "/v3/services", mem, NULL) == 403);
	it_req(&s, "POST", "/v3/services", adm, "{\"service\": {\"type\": \"compute\","
	    " \"name\": \"nova\", \"description\": \"Compute\", \"x\": 1}}", NULL, &r);
	T("service-2.1 create -> 201", r.status == 201);
	T("service-2.2 fields", kg_is_hex_id(it_str(r.json, "service.id") ?
	    it_str(r.json, "service.id") : "") &&
	    streq(it_str(r.json, "service.type"), "compute") &&
	    streq(it_str(r.json, "service.name"), "nova") &&
	    streq(it_str(r.json, "service.description"), "Compute") &&
	    json_is_true(it_get(r.json, "service.enabled")) &&
	    json_integer_value(it_get(r.json, "service.x")) == 1);
	if (it_str(r.json, "service.id"))
		snprintf(svc, sizeof(svc), "%s", it_str(r.json, "service.id"));
	T("service-2.3 self link", streq(it_str(r.json, "service.links.self"),
	    it_fmt("%s/v3/services/%s", s.base, svc)));
	it_resp_free(&r);
	it_req(&s, "POST", "/v3/services", adm, "{\"service\": {\"type\": \"image\","
	    " \"enabled\": false}}", NULL, &r);
	T("service-2.4 create disabled, no name", r.status == 201 &&
	    json_is_false(it_get(r.json, "service.enabled")) &&
	    streq(it_str(r.json, "service.name"), ""));
	if (it_str(r.json, "service.id"))
		snprintf(svc2, sizeof(svc2), "%s", it_str(r.json, "service.id"));
	it_resp_free(&r);
	T("service-2.5 missing type -> 400", status_of(&s, "POST", "/v3/services", adm,
	    "{\"service\": {\"name\": \"x\"}}", msg, sizeof(msg)) == 400 &&
	    strstr(msg, "'type' is a required property") != NULL);
	T("service-2.6 type wrong type -> 400", it_status(&s, "POST", "/v3/services",
	    adm, "{\"service\": {\"type\": 5}}") == 400);
	T("service-2.7 enabled not boolean -> 400", it_status(&s, "POST", "/v3/services",
	    adm, "{\"service\": {\"type\": \"x\", \"enabled\": \"yes\"}}") == 400);
	T("service-2.8 empty type -> 400", it_status(&s, "POST", "/v3/services",
	    adm, "{\"service\": {\"type\": \"\"}}") == 400);
	T("service-2.9 no service key -> 400", it_status(&s, "POST", "/v3/services",
	    adm, "{\"type\": \"x\"}") == 400);
	T("service-2.10 member -> 403", it_status(&s, "POST", "/v3/services", mem,
	    "{\"service\": {\"type\": \"x\"}}") == 403);
	T("service-2.11 no token -> 401", it_status(&s, "POST", "/v3/services", NULL,
	    "{\"service\": {\"type\": \"x\"}}") == 401);

	it_req(&s, "GET", "/v3/services", adm, NULL, NULL, &r);
	T("service-3.1 list", r.status == 200 && count(r.json, "services") == 3 &&
	    find_id(r.json, "services", svc) != NULL);
	it_resp_free(&r);
	it_req(&s, "GET", "/v3/services?type=compute", adm, NULL, NULL, &r);
	T("service-3.2 filter type", r.status == 200 && count(r.json, "services") == 1 &&
	    streq(it_str(r.json, "services.0.id"), svc));
	it_resp_free(&r);
	it_req(&s, "GET", "/v3/services?type=identity&name=keystone", adm, NULL, NULL, &r);
	T("service-3.3 filter type+name", r.status == 200 &&
	    count(r.json, "services") == 1 &&
	    streq(it_str(r.json, "services.0.name"), "keystone"));
	it_resp_free(&r);
	it_req(&s, "GET", "/v3/services?name=none", adm, NULL, NULL, &r);
	T("service-3.4 filter no match", r.status == 200 && count(r.json, "services") == 0);
	it_resp_free(&r);

	it_req(&s, "GET", it_fmt("/v3/services/%s", svc), adm, NULL, NULL, &r);
	T("service-4.1 get", r.status == 200 && streq(it_str(r.json, "service.id"), svc));
	it_resp_free(&r);
	T("service-4.2 get unknown -> 404", status_of(&s, "GET", "/v3/services/nope", adm,
	    NULL, msg, sizeof(msg)) == 404 && streq(msg, "Could not find service: nope."));
	T("service-4.3 get as member -> 403",
	    it_status(&s, "GET", it_fmt("/v3/services/%s", svc), mem, NULL) == 403);

	it_req(&s, "PATCH", it_fmt("/v3/services/%s", svc2), adm,
	    "{\"service\": {\"name\": \"glance\", \"enabled\": true}}", NULL, &r);
	T("service-5.1 patch", r.status == 200 &&
	    streq(it_str(r.json, "service.name"), "glance") &&
	    json_is_true(it_get(r.json, "service.enabled")) &&
	    streq(it_str(r.json, "service.type"), "image"));
	it_resp_free(&r);
	T("service-5.2 empty patch -> 400", it_status(&s, "PATCH",
	    it_fmt("/v3/services/%s", svc2), adm, "{\"service\": {}}") == 400);
	T("service-5.3 patch unknown -> 404", it_status(&s, "PATCH", "/v3/services/nope",
	    adm, "{\"service\": {\"name\": \"x\"}}") == 404);
	T("service-5.4 patch member -> 403", it_status(&s, "PATCH",
	    it_fmt("/v3/services/%s", svc2), mem, "{\"service\": {\"name\": \"x\"}}") == 403);
	T("service-5.5 patch bad type -> 400", it_status(&s, "PATCH",
	    it_fmt("/v3/services/%s", svc2), adm, "{\"service\": {\"enabled\": 1}}") == 400);
	T("service-5.6 patch change id -> 400", it_status(&s, "PATCH",
	    it_fmt("/v3/services/%s", svc2), adm, "{\"service\": {\"id\": \"x\"}}") == 400);

	/* ---- endpoints ---- */
	T("endpoint-1.1 list without token -> 401",
	    it_status(&s, "GET", "/v3/endpoints", NULL, NULL) == 401);
	T("endpoint-1.2 list as member -> 403",
	    it_status(&s, "GET", "/v3/endpoints", mem, NULL) == 403);
	it_req(&s, "POST", "/v3/endpoints", adm, it_fmt("{\"endpoint\": {\"service_id\":"
	    " \"%s\", \"interface\": \"public\", \"url\":"
	    " \"http://nova:8774/v2.1/$(project_id)s\", \"region_id\": \"RegionOne\","
	    " \"name\": \"n\"}}", svc), NULL, &r);
	T("endpoint-2.1 create -> 201", r.status == 201);
	T("endpoint-2.2 Keystone's shape", r.json &&
	    kg_is_hex_id(it_str(r.json, "endpoint.id") ? it_str(r.json, "endpoint.id") : "") &&
	    streq(it_str(r.json, "endpoint.interface"), "public") &&
	    streq(it_str(r.json, "endpoint.region_id"), "RegionOne") &&
	    streq(it_str(r.json, "endpoint.region"), "RegionOne") &&
	    streq(it_str(r.json, "endpoint.service_id"), svc) &&
	    streq(it_str(r.json, "endpoint.url"), "http://nova:8774/v2.1/$(project_id)s") &&
	    json_is_true(it_get(r.json, "endpoint.enabled")) &&
	    streq(it_str(r.json, "endpoint.name"), "n"));
	if (it_str(r.json, "endpoint.id"))
		snprintf(ep, sizeof(ep), "%s", it_str(r.json, "endpoint.id"));
	T("endpoint-2.3 self link", streq(it_str(r.json, "endpoint.links.self"),
	    it_fmt("%s/v3/endpoints/%s", s.base, ep)));
	it_resp_free(&r);
	it_req(&s, "POST", "/v3/endpoints", adm, it_fmt("{\"endpoint\": {\"service_id\":"
	    " \"%s\", \"interface\": \"internal\", \"url\": \"http://nova-int\","
	    " \"region\": \"RegionLegacy\", \"enabled\": false}}", svc), NULL, &r);
	T("endpoint-2.4 legacy region -> 201", r.status == 201 &&
	    streq(it_str(r.json, "endpoint.region_id"), "RegionLegacy") &&
	    json_is_false(it_get(r.json, "endpoint.enabled")));
	if (it_str(r.json, "endpoint.id"))
		snprintf(ep2, sizeof(ep2), "%s", it_str(r.json, "endpoint.id"));
	it_resp_free(&r);
	T("endpoint-2.5 legacy region auto-created",
	    it_status(&s, "GET", "/v3/regions/RegionLegacy", adm, NULL) == 200);
	it_req(&s, "POST", "/v3/endpoints", adm, it_fmt("{\"endpoint\": {\"service_id\":"
	    " \"%s\", \"interface\": \"admin\", \"url\": \"http://glance\"}}", svc2),
	    NULL, &r);
	T("endpoint-2.6 no region -> null", r.status == 201 &&
	    json_is_null(it_get(r.json, "endpoint.region_id")) &&
	    json_is_null(it_get(r.json, "endpoint.region")));
	it_resp_free(&r);
	T("endpoint-2.7 bad interface -> 400", status_of(&s, "POST", "/v3/endpoints", adm,
	    it_fmt("{\"endpoint\": {\"service_id\": \"%s\", \"interface\": \"private\","
	    " \"url\": \"http://x\"}}", svc), msg, sizeof(msg)) == 400 &&
	    strstr(msg, "is not one of") != NULL);
	T("endpoint-2.8 missing url -> 400", status_of(&s, "POST", "/v3/endpoints", adm,
	    it_fmt("{\"endpoint\": {\"service_id\": \"%s\", \"interface\": \"public\"}}",
	    svc), msg, sizeof(msg)) == 400 && strstr(msg, "'url' is a required") != NULL);
	T("endpoint-2.9 unknown service -> 400", status_of(&s, "POST", "/v3/endpoints",
	    adm, "{\"endpoint\": {\"service_id\": \"nope\", \"interface\": \"public\","
	    " \"url\": \"http://x\"}}", msg, sizeof(msg)) == 400 &&
	    strstr(msg, "endpoint service_id in service table") != NULL);
	T("endpoint-2.10 unknown region_id -> 400", status_of(&s, "POST", "/v3/endpoints",
	    adm, it_fmt("{\"endpoint\": {\"service_id\": \"%s\", \"interface\":"
	    " \"public\", \"url\": \"http://x\", \"region_id\": \"Nope\"}}", svc), msg,
	    sizeof(msg)) == 400 && strstr(msg, "endpoint region_id in region table") != NULL);
	T("endpoint-2.11 url without scheme -> 400", it_status(&s, "POST", "/v3/endpoints",
	    adm, it_fmt("{\"endpoint\": {\"service_id\": \"%s\", \"interface\":"
	    " \"public\", \"url\": \"nova\"}}", svc)) == 400);
	T("endpoint-2.12 unknown substitution -> 400", status_of(&s, "POST",
	    "/v3/endpoints", adm, it_fmt("{\"endpoint\": {\"service_id\": \"%s\","
	    " \"interface\": \"public\", \"url\": \"http://x/$(secret)s\"}}", svc), msg,
	    sizeof(msg)) == 400 && strstr(msg, "invalid URL") != NULL);
	T("endpoint-2.13 enabled not boolean -> 400", it_status(&s, "POST",
	    "/v3/endpoints", adm, it_fmt("{\"endpoint\": {\"service_id\": \"%s\","
	    " \"interface\": \"public\", \"url\": \"http://x\", \"enabled\": \"no\"}}",
	    svc)) == 400);
	T("endpoint-2.14 member -> 403", it_status(&s, "POST", "/v3/endpoints", mem,
	    it_fmt("{\"endpoint\": {\"service_id\": \"%s\", \"interface\": \"public\","
	    " \"url\": \"http://x\"}}", svc)) == 403);
	T("endpoint-2.15 no token -> 401", it_status(&s, "POST", "/v3/endpoints", NULL,
	    "{\"endpoint\": {}}") == 401);
	T("endpoint-2.16 service_id wrong type -> 400", it_status(&s, "POST",
	    "/v3/endpoints", adm, "{\"endpoint\": {\"service_id\": 1, \"interface\":"
	    " \"public\", \"url\": \"http://x\"}}") == 400);

	it_req(&s, "GET", "/v3/endpoints?interface=public", adm, NULL, NULL, &r);
	T("endpoint-3.1 filter interface", r.status == 200 &&
	    count(r.json, "endpoints") >= 2 &&
	    all_have(r.json, "endpoints", "interface", "public") &&
	    find_id(r.json, "endpoints", ep) != NULL);
	it_resp_free(&r);
	it_req(&s, "GET", it_fmt("/v3/endpoints?service_id=%s", svc), adm, NULL, NULL, &r);
	T("endpoint-3.2 filter service_id", r.status == 200 &&
	    count(r.json, "endpoints") == 2 && all_have(r.json, "endpoints", "service_id", svc));
	it_resp_free(&r);
	it_req(&s, "GET", "/v3/endpoints?region_id=RegionLegacy", adm, NULL, NULL, &r);
	T("endpoint-3.3 filter region_id", r.status == 200 &&
	    count(r.json, "endpoints") == 1 && streq(it_str(r.json, "endpoints.0.id"), ep2));
	it_resp_free(&r);
	T("endpoint-3.4 bad interface filter -> 400",
	    it_status(&s, "GET", "/v3/endpoints?interface=bogus", adm, NULL) == 400);
	it_req(&s, "GET", "/v3/endpoints", adm, NULL, NULL, &r);
	T("endpoint-3.5 list all (3 bootstrap + 3)", r.status == 200 &&
	    count(r.json, "endpoints") == 6 && it_str(r.json, "links.self") != NULL);
	it_resp_free(&r);

	it_req(&s, "GET", it_fmt("/v3/endpoints/%s", ep), adm, NULL, NULL, &r);
	T("endpoint-4.1 get", r.status == 200 && streq(it_str(r.json, "endpoint.id"), ep));
	it_resp_free(&r);
	T("endpoint-4.2 get unknown -> 404", status_of(&s, "GET", "/v3/endpoints/nope",
	    adm, NULL, msg, sizeof(msg)) == 404 &&
	    streq(msg, "Could not find endpoint: nope."));
	T("endpoint-4.3 get as member -> 403",
	    it_status(&s, "GET", it_fmt("/v3/endpoints/%s", ep), mem, NULL) == 403);

	it_req(&s, "PATCH", it_fmt("/v3/endpoints/%s", ep2), adm,
	    "{\"endpoint\": {\"url\": \"http://nova-int:8774\", \"enabled\": true,"
	    " \"region_id\": \"RegionOne\"}}", NULL, &r);
	T("endpoint-5.1 patch", r.status == 200 &&
	    streq(it_str(r.json, "endpoint.url"), "http://nova-int:8774") &&
	    json_is_true(it_get(r.json, "endpoint.enabled")) &&
	    streq(it_str(r.json, "endpoint.region"), "RegionOne") &&
	    streq(it_str(r.json, "endpoint.interface"), "internal"));
	it_resp_free(&r);
	T("endpoint-5.2 patch bad interface -> 400", it_status(&s, "PATCH",
	    it_fmt("/v3/endpoints/%s", ep2), adm,
	    "{\"endpoint\": {\"interface\": \"x\"}}") == 400);
	T("endpoint-5.3 patch unknown region -> 400", it_status(&s, "PATCH",
	    it_fmt("/v3/endpoints/%s", ep2), adm,
	    "{\"endpoint\": {\"region_id\": \"Nope\"}}") == 400);
	T("endpoint-5.4 patch unknown service -> 400", it_status(&s, "PATCH",
	    it_fmt("/v3/endpoints/%s", ep2), adm,
	    "{\"endpoint\": {\"service_id\": \"nope\"}}") == 400);
	T("endpoint-5.5 patch unknown endpoint -> 404", it_status(&s, "PATCH",
	    "/v3/endpoints/nope", adm, "{\"endpoint\": {\"url\": \"http://y\"}}") == 404);
	T("endpoint-5.6 patch member -> 403", it_status(&s, "PATCH",
	    it_fmt("/v3/endpoints/%s", ep2), mem,
	    "{\"endpoint\": {\"url\": \"http://y\"}}") == 403);
	T("endpoint-5.7 empty patch -> 400", it_status(&s, "PATCH",
	    it_fmt("/v3/endpoints/%s", ep2), adm, "{\"endpoint\": {}}") == 400);

	/* ---- the catalog in a new token: enabled services and endpoints ---- */
	it_req(&s, "GET", "/v3/auth/catalog", adm, NULL, NULL, &r);
	T("catalog-1.1 GET /v3/auth/catalog", r.status == 200 &&
	    find_id(r.json, "catalog", svc) != NULL &&
	    count(find_id(r.json, "catalog", svc), "endpoints") == 2);
	it_resp_free(&r);
	T("catalog-1.2 disable service", it_status(&s, "PATCH",
	    it_fmt("/v3/services/%s", svc), adm,
	    "{\"service\": {\"enabled\": false}}") == 200);
	it_req(&s, "GET", "/v3/auth/catalog", adm, NULL, NULL, &r);
	T("catalog-1.3 disabled service leaves the catalog", r.status == 200 &&
	    find_id(r.json, "catalog", svc) == NULL &&
	    count(r.json, "catalog") >= 1);
	it_resp_free(&r);

	/* ---- deletes ---- */
	T("delete-1.1 region with endpoints -> 403", status_of(&s, "DELETE",
	    "/v3/regions/RegionOne", adm, NULL, msg, sizeof(msg)) == 403 &&
	    strstr(msg, "associated endpoints") != NULL);
	T("delete-1.2 region member -> 403", it_status(&s, "DELETE",
	    "/v3/regions/RegionTwo", mem, NULL) == 403);
	T("delete-1.3 region -> 204",
	    it_status(&s, "DELETE", "/v3/regions/RegionTwo", adm, NULL) == 204);
	T("delete-1.4 region gone -> 404",
	    it_status(&s, "GET", "/v3/regions/RegionTwo", adm, NULL) == 404);
	T("delete-1.5 region again -> 404",
	    it_status(&s, "DELETE", "/v3/regions/RegionTwo", adm, NULL) == 404);
	T("delete-1.6 region with a child -> 204 (subtree, as Keystone)",
	    it_status(&s, "DELETE", "/v3/regions/RegionThree", adm, NULL) == 204 &&
	    it_status(&s, "GET", "/v3/regions/RegionThreeA", adm, NULL) == 404);
	T("delete-1.7 generated-id region",
	    it_status(&s, "DELETE", it_fmt("/v3/regions/%s", rid), adm, NULL) == 204);
	T("delete-2.1 endpoint member -> 403", it_status(&s, "DELETE",
	    it_fmt("/v3/endpoints/%s", ep), mem, NULL) == 403);
	T("delete-2.2 endpoint -> 204",
	    it_status(&s, "DELETE", it_fmt("/v3/endpoints/%s", ep), adm, NULL) == 204);
	T("delete-2.3 endpoint again -> 404",
	    it_status(&s, "DELETE", it_fmt("/v3/endpoints/%s", ep), adm, NULL) == 404);
	T("delete-3.1 service member -> 403", it_status(&s, "DELETE",
	    it_fmt("/v3/services/%s", svc), mem, NULL) == 403);
	T("delete-3.2 service -> 204",
	    it_status(&s, "DELETE", it_fmt("/v3/services/%s", svc), adm, NULL) == 204);
	T("delete-3.3 its endpoints went with it",
	    it_status(&s, "GET", it_fmt("/v3/endpoints/%s", ep2), adm, NULL) == 404);
	T("delete-3.4 service again -> 404",
	    it_status(&s, "DELETE", it_fmt("/v3/services/%s", svc), adm, NULL) == 404);
	T("delete-3.5 no token -> 401",
	    it_status(&s, "DELETE", it_fmt("/v3/services/%s", svc2), NULL, NULL) == 401);

	free(mem);
	T("server-1.1 clean exit", it_stop(&s) == 0);
	return t_report();
}
