/*
 * it_epfilter.c - OS-EP-FILTER over HTTP: endpoint groups and their
 * filters, the associations of projects with endpoints and with endpoint
 * groups and their list routes, what deletes take with them, the default
 * policy (admins write, admins and system readers read), and the catalog
 * of project-scoped tokens and GET /v3/auth/catalog, which associations
 * restrict as Keystone's do.
 */
#include "tests/integration/it_admin.h"

#define EPF	"/v3/OS-EP-FILTER"
#define EG	EPF "/endpoint_groups"

struct env {
	struct it_server	 s;
	const char		*adm;
	char			*sysread, *member;
	char			 svc1[64], svc2[64], e1[64], e2[64], e3[64],
				 proj[64], proj2[64];
};

static void
setup_catalog(struct env *e)
{
	struct it_server	*s = &e->s;

	it_status(s, "PUT", "/v3/regions/RegionTwo", e->adm, "{\"region\": {}}");
	ia_create(s, "/v3/services", e->adm, "{\"service\": {\"type\": \"compute\","
	    " \"name\": \"nova\"}}", "service.id", e->svc1, sizeof(e->svc1));
	ia_create(s, "/v3/services", e->adm, "{\"service\": {\"type\": \"volume\","
	    " \"name\": \"cinder\"}}", "service.id", e->svc2, sizeof(e->svc2));
	ia_create(s, "/v3/endpoints", e->adm, it_fmt("{\"endpoint\": {\"service_id\":"
	    " \"%s\", \"interface\": \"public\", \"url\": \"http://nova1\","
	    " \"region_id\": \"RegionOne\"}}", e->svc1), "endpoint.id", e->e1,
	    sizeof(e->e1));
	ia_create(s, "/v3/endpoints", e->adm, it_fmt("{\"endpoint\": {\"service_id\":"
	    " \"%s\", \"interface\": \"internal\", \"url\": \"http://nova2\","
	    " \"region_id\": \"RegionTwo\"}}", e->svc1), "endpoint.id", e->e2,
	    sizeof(e->e2));
	ia_create(s, "/v3/endpoints", e->adm, it_fmt("{\"endpoint\": {\"service_id\":"
	    " \"%s\", \"interface\": \"public\", \"url\": \"http://cinder\"}}",
	    e->svc2), "endpoint.id", e->e3, sizeof(e->e3));
	ia_create(s, "/v3/projects", e->adm, "{\"project\": {\"name\": \"eproj\"}}",
	    "project.id", e->proj, sizeof(e->proj));
	ia_create(s, "/v3/projects", e->adm, "{\"project\": {\"name\": \"eproj2\"}}",
	    "project.id", e->proj2, sizeof(e->proj2));
}

static void
groups(struct env *e, char *gid, size_t gidsz)
{
	struct it_server	*s = &e->s;
	struct it_resp		 r;
	char			 msg[512], g2[64], g3[64];

	T("epfilter-1.1 create without token -> 401", it_status(s, "POST", EG,
	    NULL, "{\"endpoint_group\": {\"name\": \"g\", \"filters\":"
	    " {\"interface\": \"public\"}}}") == 401);
	T("epfilter-1.2 create as member -> 403", it_status(s, "POST", EG,
	    e->member, "{\"endpoint_group\": {\"name\": \"g\", \"filters\":"
	    " {\"interface\": \"public\"}}}") == 403);
	T("epfilter-1.3 create as system reader -> 403", it_status(s, "POST", EG,
	    e->sysread, "{\"endpoint_group\": {\"name\": \"g\", \"filters\":"
	    " {\"interface\": \"public\"}}}") == 403);
	it_req(s, "POST", EG, e->adm, it_fmt("{\"endpoint_group\": {\"name\":"
	    " \"nova\", \"description\": \"compute\", \"filters\": {\"service_id\":"
	    " \"%s\"}}}", e->svc1), NULL, &r);
	T("epfilter-1.4 create -> 201", r.status == 201 &&
	    ia_streq(it_str(r.json, "endpoint_group.name"), "nova") &&
	    ia_streq(it_str(r.json, "endpoint_group.description"), "compute") &&
	    ia_streq(it_str(r.json, "endpoint_group.filters.service_id"),
	    e->svc1) && ia_streq(it_str(r.json, "endpoint_group.links.self"),
	    it_fmt("%s/v3/OS-EP-FILTER/endpoint_groups/%s", s->base,
	    it_str(r.json, "endpoint_group.id"))));
	snprintf(gid, gidsz, "%s", it_str(r.json, "endpoint_group.id") ?
	    it_str(r.json, "endpoint_group.id") : "");
	it_resp_free(&r);
	T("epfilter-1.5 description defaults to null", ia_create(s, EG, e->adm,
	    "{\"endpoint_group\": {\"name\": \"pub\", \"filters\": {\"interface\":"
	    " \"public\"}}}", "endpoint_group.id", g2, sizeof(g2)) == 0 &&
	    it_req(s, "GET", it_fmt(EG "/%s", g2), e->adm, NULL, NULL, &r) == 0 &&
	    json_is_null(it_get(r.json, "endpoint_group.description")));
	it_resp_free(&r);
	T("epfilter-1.6 missing name -> 400", ia_err(s, "POST", EG, e->adm,
	    "{\"endpoint_group\": {\"filters\": {\"interface\": \"public\"}}}",
	    msg, sizeof(msg)) == 400 && strstr(msg, "'name' is a required"
	    " property"));
	T("epfilter-1.7 missing filters -> 400", ia_err(s, "POST", EG, e->adm,
	    "{\"endpoint_group\": {\"name\": \"x\"}}", msg, sizeof(msg)) == 400 &&
	    strstr(msg, "'filters' is a required property"));
	T("epfilter-1.8 empty filters -> 400", ia_err(s, "POST", EG, e->adm,
	    "{\"endpoint_group\": {\"name\": \"x\", \"filters\": {}}}", msg,
	    sizeof(msg)) == 400 && ia_streq(msg, "filters field is required and"
	    " cannot be empty"));
	T("epfilter-1.9 unknown filter -> 400", ia_err(s, "POST", EG, e->adm,
	    "{\"endpoint_group\": {\"name\": \"x\", \"filters\": {\"url\": \"y\"}}}",
	    msg, sizeof(msg)) == 400 && strncmp(msg, "Expecting to find service_id"
	    " or region_id or interface in endpoint_group. The server", 80) == 0);
	T("epfilter-1.10 filters not an object -> 400", it_status(s, "POST", EG,
	    e->adm, "{\"endpoint_group\": {\"name\": \"x\", \"filters\": [1]}}") ==
	    400);
	T("epfilter-1.11 blank name -> 400", it_status(s, "POST", EG, e->adm,
	    "{\"endpoint_group\": {\"name\": \" \", \"filters\": {\"interface\":"
	    " \"admin\"}}}") == 400);
	T("epfilter-1.12 unknown attribute -> 400", it_status(s, "POST", EG,
	    e->adm, "{\"endpoint_group\": {\"name\": \"x\", \"color\": 1,"
	    " \"filters\": {\"interface\": \"admin\"}}}") == 400);
	T("epfilter-1.13 no body -> 400", it_status(s, "POST", EG, e->adm, NULL) ==
	    400);

	T("epfilter-2.1 list -> 200", ia_count(s, EG, e->adm, "endpoint_groups")
	    == 2);
	T("epfilter-2.2 list as system reader -> 200", ia_count(s, EG, e->sysread,
	    "endpoint_groups") == 2);
	T("epfilter-2.3 list as member -> 403",
	    it_status(s, "GET", EG, e->member, NULL) == 403);
	T("epfilter-2.4 filter name", ia_count(s, EG "?name=pub", e->adm,
	    "endpoint_groups") == 1);
	T("epfilter-2.5 get unknown -> 404", ia_err(s, "GET", EG "/nope", e->adm,
	    NULL, msg, sizeof(msg)) == 404 && ia_streq(msg, "Could not find"
	    " Endpoint Group: nope."));
	T("epfilter-2.6 get as member -> 403", it_status(s, "GET",
	    it_fmt(EG "/%s", gid), e->member, NULL) == 403);
	T("epfilter-2.7 HEAD -> 200", it_status(s, "HEAD", it_fmt(EG "/%s", gid),
	    e->sysread, NULL) == 200);

	/* the endpoints a group selects */
	T("epfilter-3.1 by service", ia_count(s, it_fmt(EG "/%s/endpoints", gid),
	    e->adm, "endpoints") == 2 && ia_lists(s, it_fmt(EG "/%s/endpoints",
	    gid), e->adm, "endpoints", e->e2));
	T("epfilter-3.2 by interface (the bootstrap's public too)", ia_count(s,
	    it_fmt(EG "/%s/endpoints", g2), e->adm, "endpoints") == 3);
	ia_create(s, EG, e->adm, it_fmt("{\"endpoint_group\": {\"name\": \"two\","
	    " \"filters\": {\"service_id\": \"%s\", \"region_id\": \"RegionTwo\"}}}",
	    e->svc1), "endpoint_group.id", g3, sizeof(g3));
	T("epfilter-3.3 by service and region", ia_count(s,
	    it_fmt(EG "/%s/endpoints", g3), e->adm, "endpoints") == 1 &&
	    ia_lists(s, it_fmt(EG "/%s/endpoints", g3), e->adm, "endpoints",
	    e->e2));
	T("epfilter-3.4 region null: endpoints without a region", it_status(s,
	    "PATCH", it_fmt(EG "/%s", g3), e->adm, "{\"endpoint_group\":"
	    " {\"filters\": {\"region_id\": null}}}") == 200 && ia_count(s,
	    it_fmt(EG "/%s/endpoints", g3), e->adm, "endpoints") == 1 &&
	    ia_lists(s, it_fmt(EG "/%s/endpoints", g3), e->adm, "endpoints",
	    e->e3));
	T("epfilter-3.5a a filter value that is not a string matches nothing",
	    it_status(s, "PATCH", it_fmt(EG "/%s", g3), e->adm,
	    "{\"endpoint_group\": {\"filters\": {\"interface\": 1}}}") == 200 &&
	    ia_count(s, it_fmt(EG "/%s/endpoints", g3), e->adm, "endpoints") == 0);
	T("epfilter-3.5 endpoints of an unknown group -> 404", it_status(s, "GET",
	    EG "/nope/endpoints", e->adm, NULL) == 404);
	T("epfilter-3.6 ... as member -> 403", it_status(s, "GET",
	    it_fmt(EG "/%s/endpoints", gid), e->member, NULL) == 403);

	/* update */
	it_req(s, "PATCH", it_fmt(EG "/%s", g3), e->adm, it_fmt("{\"endpoint_group\":"
	    " {\"name\": \"cinder\", \"description\": null, \"filters\":"
	    " {\"service_id\": \"%s\"}}}", e->svc2), NULL, &r);
	T("epfilter-4.1 update -> 200", r.status == 200 &&
	    ia_streq(it_str(r.json, "endpoint_group.name"), "cinder") &&
	    json_is_null(it_get(r.json, "endpoint_group.description")) &&
	    ia_streq(it_str(r.json, "endpoint_group.filters.service_id"),
	    e->svc2) && it_get(r.json, "endpoint_group.filters.region_id") == NULL);
	it_resp_free(&r);
	T("epfilter-4.2 bad filter -> 400", it_status(s, "PATCH",
	    it_fmt(EG "/%s", g3), e->adm, "{\"endpoint_group\": {\"filters\":"
	    " {\"enabled\": true}}}") == 400);
	T("epfilter-4.3 empty update -> 400", it_status(s, "PATCH",
	    it_fmt(EG "/%s", g3), e->adm, "{\"endpoint_group\": {}}") == 400);
	T("epfilter-4.4 another id -> 400", ia_err(s, "PATCH", it_fmt(EG "/%s",
	    g3), e->adm, "{\"endpoint_group\": {\"id\": \"x\"}}", msg,
	    sizeof(msg)) == 400 && ia_streq(msg, "Cannot change ID"));
	T("epfilter-4.5 update unknown -> 404", it_status(s, "PATCH", EG "/nope",
	    e->adm, "{\"endpoint_group\": {\"name\": \"y\"}}") == 404);
	T("epfilter-4.6 update as system reader -> 403", it_status(s, "PATCH",
	    it_fmt(EG "/%s", g3), e->sysread, "{\"endpoint_group\": {\"name\":"
	    " \"y\"}}") == 403);

	T("epfilter-5.1 delete as member -> 403", it_status(s, "DELETE",
	    it_fmt(EG "/%s", g2), e->member, NULL) == 403);
	T("epfilter-5.2 delete -> 204", it_status(s, "DELETE", it_fmt(EG "/%s",
	    g2), e->adm, NULL) == 204);
	T("epfilter-5.3 delete again -> 404", it_status(s, "DELETE",
	    it_fmt(EG "/%s", g2), e->adm, NULL) == 404);
}

static void
project_endpoints(struct env *e)
{
	struct it_server	*s = &e->s;
	const char		*pe = it_fmt(EPF "/projects/%s/endpoints", e->proj);
	char			 msg[512], b[256];

	snprintf(b, sizeof(b), "%s", pe);
	T("epfilter-6.1 add as member -> 403", it_status(s, "PUT",
	    it_fmt("%s/%s", b, e->e1), e->member, NULL) == 403);
	T("epfilter-6.2 add as system reader -> 403", it_status(s, "PUT",
	    it_fmt("%s/%s", b, e->e1), e->sysread, NULL) == 403);
	T("epfilter-6.3 add -> 204", it_status(s, "PUT", it_fmt("%s/%s", b, e->e1),
	    e->adm, NULL) == 204);
	T("epfilter-6.4 add again -> 409", ia_err(s, "PUT", it_fmt("%s/%s", b,
	    e->e1), e->adm, NULL, msg, sizeof(msg)) == 409 && ia_streq(msg,
	    "Conflict occurred attempting to store project_endpoint - Duplicate"
	    " entry."));
	T("epfilter-6.5 unknown endpoint -> 404", ia_err(s, "PUT",
	    it_fmt("%s/nope", b), e->adm, NULL, msg, sizeof(msg)) == 404 &&
	    ia_streq(msg, "Could not find endpoint: nope."));
	T("epfilter-6.6 unknown project -> 404", ia_err(s, "PUT",
	    it_fmt(EPF "/projects/nope/endpoints/%s", e->e1), e->adm, NULL, msg,
	    sizeof(msg)) == 404 && ia_streq(msg, "Could not find project: nope."));
	T("epfilter-6.7 check -> 204", it_status(s, "GET", it_fmt("%s/%s", b,
	    e->e1), e->sysread, NULL) == 204);
	T("epfilter-6.8 check absent -> 404", ia_err(s, "GET", it_fmt("%s/%s", b,
	    e->e3), e->adm, NULL, msg, sizeof(msg)) == 404 && ia_streq(msg,
	    it_fmt("Endpoint %s not found in project %s", e->e3, e->proj)));
	T("epfilter-6.9 check as member -> 403", it_status(s, "GET",
	    it_fmt("%s/%s", b, e->e1), e->member, NULL) == 403);
	T("epfilter-6.10 list the project's endpoints", ia_count(s, b, e->sysread,
	    "endpoints") == 1 && ia_lists(s, b, e->adm, "endpoints", e->e1));
	T("epfilter-6.11 ... as member -> 403",
	    it_status(s, "GET", b, e->member, NULL) == 403);
	T("epfilter-6.12 ... of an unknown project -> 404", it_status(s, "GET",
	    EPF "/projects/nope/endpoints", e->adm, NULL) == 404);
	T("epfilter-6.13 the endpoint's projects", ia_count(s,
	    it_fmt(EPF "/endpoints/%s/projects", e->e1), e->adm, "projects") == 1
	    && ia_lists(s, it_fmt(EPF "/endpoints/%s/projects", e->e1), e->adm,
	    "projects", e->proj));
	T("epfilter-6.14 ... of an unknown endpoint -> 404", it_status(s, "GET",
	    EPF "/endpoints/nope/projects", e->adm, NULL) == 404);
	T("epfilter-6.15 ... as member -> 403", it_status(s, "GET",
	    it_fmt(EPF "/endpoints/%s/projects", e->e1), e->member, NULL) == 403);
	T("epfilter-6.16 remove as member -> 403", it_status(s, "DELETE",
	    it_fmt("%s/%s", b, e->e1), e->member, NULL) == 403);
	T("epfilter-6.17 remove absent -> 404", it_status(s, "DELETE",
	    it_fmt("%s/%s", b, e->e3), e->adm, NULL) == 404);
}

static void
project_groups(struct env *e, const char *gid)
{
	struct it_server	*s = &e->s;
	struct it_resp		 r;
	char			 msg[512], b[256];

	snprintf(b, sizeof(b), EG "/%s/projects/%s", gid, e->proj);
	T("epfilter-7.1 add as member -> 403",
	    it_status(s, "PUT", b, e->member, NULL) == 403);
	T("epfilter-7.2 add -> 204", it_status(s, "PUT", b, e->adm, NULL) == 204);
	T("epfilter-7.3 add again -> 409", ia_err(s, "PUT", b, e->adm, NULL, msg,
	    sizeof(msg)) == 409 && ia_streq(msg, "Conflict occurred attempting to"
	    " store project_endpoint_group - Duplicate entry."));
	T("epfilter-7.4 unknown project -> 404", ia_err(s, "PUT",
	    it_fmt(EG "/%s/projects/nope", gid), e->adm, NULL, msg, sizeof(msg)) ==
	    404 && ia_streq(msg, "Could not find project: nope."));
	T("epfilter-7.5 unknown group -> 404", ia_err(s, "PUT",
	    it_fmt(EG "/nope/projects/%s", e->proj), e->adm, NULL, msg,
	    sizeof(msg)) == 404 && ia_streq(msg, "Could not find Endpoint Group:"
	    " nope."));
	it_req(s, "GET", b, e->sysread, NULL, NULL, &r);
	T("epfilter-7.6 get -> 200", r.status == 200 &&
	    ia_streq(it_str(r.json, "project_endpoint_group.endpoint_group_id"),
	    gid) && ia_streq(it_str(r.json, "project_endpoint_group.project_id"),
	    e->proj) && ia_streq(it_str(r.json,
	    "project_endpoint_group.links.self"), it_fmt("%s/v3%s", s->base,
	    b + 3)));
	it_resp_free(&r);
	T("epfilter-7.7 get absent -> 404", ia_err(s, "GET",
	    it_fmt(EG "/%s/projects/%s", gid, e->proj2), e->adm, NULL, msg,
	    sizeof(msg)) == 404 && ia_streq(msg, "Endpoint Group Project"
	    " Association not found"));
	T("epfilter-7.8 get as member -> 403",
	    it_status(s, "GET", b, e->member, NULL) == 403);
	T("epfilter-7.9 the group's projects", ia_count(s, it_fmt(EG "/%s/projects",
	    gid), e->sysread, "projects") == 1 && ia_lists(s,
	    it_fmt(EG "/%s/projects", gid), e->adm, "projects", e->proj));
	T("epfilter-7.10 ... of an unknown group: none (as Keystone)", ia_count(s,
	    EG "/nope/projects", e->adm, "projects") == 0);
	it_req(s, "GET", EG "/%80%ff/projects", e->adm, NULL, NULL, &r);
	T("epfilter-7.10b ... an id that is not UTF-8: none, the self link"
	    " repaired (was a 500)", r.status == 200 && json_array_size(
	    it_get(r.json, "projects")) == 0 && it_get(r.json, "links.self") &&
	    strstr(json_string_value(it_get(r.json, "links.self")),
	    "/?" "?/projects") != NULL);
	it_resp_free(&r);
	T("epfilter-7.11 the project's groups", ia_count(s,
	    it_fmt(EPF "/projects/%s/endpoint_groups", e->proj), e->sysread,
	    "endpoint_groups") == 1 && ia_lists(s,
	    it_fmt(EPF "/projects/%s/endpoint_groups", e->proj), e->adm,
	    "endpoint_groups", gid));
	T("epfilter-7.12 ... of an unknown project -> 404", it_status(s, "GET",
	    EPF "/projects/nope/endpoint_groups", e->adm, NULL) == 404);
	T("epfilter-7.13 ... as member -> 403", it_status(s, "GET",
	    it_fmt(EPF "/projects/%s/endpoint_groups", e->proj), e->member, NULL)
	    == 403);
	T("epfilter-7.14 the project's endpoints: direct and through groups",
	    ia_count(s, it_fmt(EPF "/projects/%s/endpoints", e->proj), e->adm,
	    "endpoints") == 2 && ia_lists(s, it_fmt(EPF "/projects/%s/endpoints",
	    e->proj), e->adm, "endpoints", e->e2));
	T("epfilter-7.15 remove as member -> 403",
	    it_status(s, "DELETE", b, e->member, NULL) == 403);
	T("epfilter-7.16 remove absent -> 404", ia_err(s, "DELETE",
	    it_fmt(EG "/%s/projects/%s", gid, e->proj2), e->adm, NULL, msg,
	    sizeof(msg)) == 404 && ia_streq(msg, "Endpoint Group Project"
	    " Association not found"));
}

/* Deletes take their associations with them. */
static void
cascades(struct env *e, const char *gid)
{
	struct it_server	*s = &e->s;
	char			 p3[64], g4[64];

	ia_create(s, "/v3/projects", e->adm, "{\"project\": {\"name\": \"eproj3\"}}",
	    "project.id", p3, sizeof(p3));
	T("epfilter-8.1 associate a project that will go", it_status(s, "PUT",
	    it_fmt(EG "/%s/projects/%s", gid, p3), e->adm, NULL) == 204 &&
	    it_status(s, "PUT", it_fmt(EPF "/projects/%s/endpoints/%s", p3, e->e3),
	    e->adm, NULL) == 204);
	T("epfilter-8.2 deleting the project drops them", it_status(s, "DELETE",
	    it_fmt("/v3/projects/%s", p3), e->adm, NULL) == 204 &&
	    !ia_lists(s, it_fmt(EG "/%s/projects", gid), e->adm, "projects", p3) &&
	    ia_count(s, it_fmt(EPF "/endpoints/%s/projects", e->e3), e->adm,
	    "projects") == 0);
	ia_create(s, EG, e->adm, "{\"endpoint_group\": {\"name\": \"tmp\","
	    " \"filters\": {\"interface\": \"admin\"}}}", "endpoint_group.id", g4,
	    sizeof(g4));
	T("epfilter-8.3 deleting a group drops its associations", it_status(s,
	    "PUT", it_fmt(EG "/%s/projects/%s", g4, e->proj2), e->adm, NULL) ==
	    204 && it_status(s, "DELETE", it_fmt(EG "/%s", g4), e->adm, NULL) ==
	    204 && ia_count(s, it_fmt(EPF "/projects/%s/endpoint_groups",
	    e->proj2), e->adm, "endpoint_groups") == 0);
}

/* ------------------------------------------------------------------------
 * The catalog of project-scoped tokens.
 * --------------------------------------------------------------------- */

/* Whether a catalog (array of services) lists endpoint id; and how many
 * services it has. */
static int
cat_has(json_t *cat, const char *id)
{
	json_t	*svc, *ep;
	size_t	 i, j;

	json_array_foreach(cat, i, svc) {
		json_array_foreach(json_object_get(svc, "endpoints"), j, ep) {
			if (ia_streq(json_string_value(json_object_get(ep, "id")), id))
				return 1;
		}
	}
	return 0;
}

/* The catalog in the validation of tok (GET /v3/auth/tokens), or NULL. */
static json_t *
token_catalog(struct it_server *s, const char *tok)
{
	struct it_resp	 r;
	char		 hdr[4200];
	const char	*hdrs[] = { hdr, NULL };
	json_t		*cat = NULL;

	snprintf(hdr, sizeof(hdr), "X-Subject-Token: %s", tok);
	if (it_req(s, "GET", "/v3/auth/tokens", s->admin_token, NULL, hdrs,
	    &r) == 0 && r.status == 200)
		cat = json_incref(it_get(r.json, "token.catalog"));
	it_resp_free(&r);
	return cat;
}

/* GET /v3/auth/catalog as tok, or NULL. */
static json_t *
auth_catalog(struct it_server *s, const char *tok)
{
	struct it_resp	 r;
	json_t		*cat = NULL;

	if (it_req(s, "GET", "/v3/auth/catalog", tok, NULL, NULL, &r) == 0 &&
	    r.status == 200)
		cat = json_incref(json_object_get(r.json, "catalog"));
	it_resp_free(&r);
	return cat;
}

/* A catalog holding e1 and e2 of nova and nothing else. */
static int
only_nova(const struct env *e, json_t *cat)
{
	return json_array_size(cat) == 1 && cat_has(cat, e->e1) &&
	    cat_has(cat, e->e2) && !cat_has(cat, e->e3) &&
	    ia_streq(json_string_value(json_object_get(json_array_get(cat, 0),
	    "type")), "compute");
}

/* The whole catalog: identity, nova (2 endpoints), cinder. */
static int
whole(const struct env *e, json_t *cat)
{
	return json_array_size(cat) == 3 && cat_has(cat, e->e1) &&
	    cat_has(cat, e->e2) && cat_has(cat, e->e3);
}

static void
catalogs(struct env *e)
{
	struct it_server	*s = &e->s;
	char			*ptok, *p2tok, *dtok;
	json_t			*c1, *c2;
	struct it_resp		 r;

	/* e->proj: e1 directly, and gid (nova: e1, e2); e->proj2: nothing */
	ptok = ia_persona(s, "ecat1", "member", 'p', e->proj);
	p2tok = ia_persona(s, "ecat2", "member", 'p', e->proj2);
	dtok = ia_persona(s, "ecat3", "member", 'd', "default");
	T("epfilter-9.0 tokens", ptok && p2tok && dtok);
	if (!ptok || !p2tok || !dtok) {
		free(ptok);
		free(p2tok);
		free(dtok);
		return;
	}
	c1 = token_catalog(s, ptok);
	c2 = auth_catalog(s, ptok);
	T("epfilter-9.1 an associated project's token: only its endpoints",
	    only_nova(e, c1));
	T("epfilter-9.2 ... and GET /v3/auth/catalog the same", only_nova(e, c2));
	json_decref(c1);
	json_decref(c2);
	it_req(s, "POST", "/v3/auth/tokens", NULL, it_fmt("{\"auth\":"
	    " {\"identity\": {\"methods\": [\"token\"], \"token\": {\"id\":"
	    " \"%s\"}}, \"scope\": {\"project\": {\"id\": \"%s\"}}}}", ptok,
	    e->proj), NULL, &r);
	T("epfilter-9.3 ... and a new token's catalog at issue",
	    r.status == 201 && only_nova(e, it_get(r.json, "token.catalog")));
	it_resp_free(&r);
	c1 = token_catalog(s, p2tok);
	T("epfilter-9.4 a project without associations: the whole catalog",
	    whole(e, c1));
	json_decref(c1);
	c1 = token_catalog(s, dtok);
	T("epfilter-9.5 a domain token: the whole catalog", whole(e, c1));
	json_decref(c1);
	T("epfilter-9.6 a disabled endpoint leaves it", it_status(s, "PATCH",
	    it_fmt("/v3/endpoints/%s", e->e2), e->adm, "{\"endpoint\":"
	    " {\"enabled\": false}}") == 200 && (c1 = auth_catalog(s, ptok)) !=
	    NULL && json_array_size(c1) == 1 && cat_has(c1, e->e1) &&
	    !cat_has(c1, e->e2));
	json_decref(c1);
	it_status(s, "PATCH", it_fmt("/v3/endpoints/%s", e->e2), e->adm,
	    "{\"endpoint\": {\"enabled\": true}}");
	T("epfilter-9.7 a project whose only endpoint goes sees the whole",
	    it_status(s, "PUT", it_fmt(EPF "/projects/%s/endpoints/%s", e->proj2,
	    e->e3), e->adm, NULL) == 204 && (c1 = auth_catalog(s, p2tok)) !=
	    NULL && json_array_size(c1) == 1 && cat_has(c1, e->e3));
	json_decref(c1);
	T("epfilter-9.8 ... once the association is removed", it_status(s,
	    "DELETE", it_fmt(EPF "/projects/%s/endpoints/%s", e->proj2, e->e3),
	    e->adm, NULL) == 204 && (c1 = auth_catalog(s, p2tok)) != NULL &&
	    whole(e, c1));
	json_decref(c1);
	free(ptok);
	free(p2tok);
	free(dtok);
}

/* [endpoint_filter] return_all_endpoints_if_no_filter = false */
static void
no_catalog_unless_filtered(void)
{
	static const char *const env[] = {
		"KEYGATE_ENDPOINT_FILTER_RETURN_ALL_ENDPOINTS_IF_NO_FILTER=false",
		NULL
	};
	struct env	 e;
	char		*ptok, *p2tok, gid[64] = "";
	json_t		*c1, *c2;

	memset(&e, 0, sizeof(e));
	it_start(&e.s, env);
	e.adm = e.s.admin_token;
	setup_catalog(&e);
	ia_create(&e.s, EG, e.adm, it_fmt("{\"endpoint_group\": {\"name\":"
	    " \"nova\", \"filters\": {\"service_id\": \"%s\"}}}", e.svc1),
	    "endpoint_group.id", gid, sizeof(gid));
	ptok = ia_persona(&e.s, "ncat1", "member", 'p', e.proj);
	p2tok = ia_persona(&e.s, "ncat2", "member", 'p', e.proj2);
	T("epfilter-10.0 set up", gid[0] && ptok && p2tok && it_status(&e.s, "PUT",
	    it_fmt(EG "/%s/projects/%s", gid, e.proj), e.adm, NULL) == 204);
	c1 = ptok ? auth_catalog(&e.s, ptok) : NULL;
	c2 = p2tok ? auth_catalog(&e.s, p2tok) : NULL;
	T("epfilter-10.1 an associated project: its endpoints", only_nova(&e, c1));
	T("epfilter-10.2 any other project: an empty catalog",
	    json_is_array(c2) && json_array_size(c2) == 0);
	json_decref(c1);
	json_decref(c2);
	c1 = token_catalog(&e.s, e.adm);
	T("epfilter-10.3 the admin's project (no association): empty too",
	    json_is_array(c1) && json_array_size(c1) == 0);
	json_decref(c1);
	T("epfilter-10.4 clean exit", it_stop(&e.s) == 0);
	free(ptok);
	free(p2tok);
}

int
main(void)
{
	struct env	 e;
	char		 gid[64] = "", adminproj[64] = "";

	memset(&e, 0, sizeof(e));
	it_start(&e.s, NULL);
	e.adm = e.s.admin_token;
	setup_catalog(&e);
	ia_find_id(&e.s, "/v3/projects", "projects", "admin", adminproj,
	    sizeof(adminproj));
	e.sysread = ia_persona(&e.s, "esysreader", "reader", 's', NULL);
	e.member = ia_persona(&e.s, "emember", "member", 'p', adminproj);
	T("epfilter-0.1 set up", e.svc1[0] && e.svc2[0] && e.e1[0] && e.e2[0] &&
	    e.e3[0] && e.proj[0] && e.proj2[0] && e.sysread && e.member);
	if (e.sysread == NULL)
		e.sysread = strdup("none");
	if (e.member == NULL)
		e.member = strdup("none");

	groups(&e, gid, sizeof(gid));
	project_endpoints(&e);
	project_groups(&e, gid);
	catalogs(&e);
	cascades(&e, gid);

	T("epfilter-0.2 clean exit", it_stop(&e.s) == 0);
	free(e.sysread);
	free(e.member);
	no_catalog_unless_filtered();
	return t_report();
}
