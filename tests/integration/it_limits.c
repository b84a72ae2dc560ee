/*
 * it_limits.c - unified limits over HTTP: /v3/registered_limits,
 * /v3/limits and /v3/limits/model against the real server, with
 * Keystone's bodies, texts and keygate's default policy, Keystone 29's
 * (admins write, system- or project-scoped: an admin on any project is a
 * cloud admin, a domain-scoped admin is refused by scope; everyone reads
 * registered limits; a limit is read by admins, system readers, its
 * domain or its project), under the flat model and then under
 * strict_two_level with its hierarchy rules.
 */
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/integration/it_admin.h"

#define RL	"/v3/registered_limits"
#define LIM	"/v3/limits"

struct env {
	struct it_server	 s;
	char			*sysadm, *sysread, *projadm, *projmem, *domread,
				*domadm, *otherproj;
	char			 svc[64], proj[64], child[64], proj2[64], dom[64];
};

static const char *
tok(const char *t)
{
	return t != NULL ? t : "none";
}

/* A service of a fresh type; its id into id. */
static void
make_service(struct env *e, const char *type, char *id, size_t idsz)
{
	ia_create(&e->s, "/v3/services", e->s.admin_token, it_fmt("{\"service\":"
	    " {\"type\": \"%s\", \"name\": \"%s\"}}", type, type), "service.id",
	    id, idsz);
}

/* A registered limit's id ("" when not created). */
static void
make_rl(struct env *e, const char *svc, const char *region, const char *res,
    int dflt, char *id, size_t idsz)
{
	ia_create(&e->s, RL, e->sysadm, it_fmt("{\"registered_limits\": [{"
	    "\"service_id\": \"%s\", %s%s%s\"resource_name\": \"%s\","
	    " \"default_limit\": %d}]}", svc, region ? "\"region_id\": \"" : "",
	    region ? region : "", region ? "\", " : "", res, dflt),
	    "registered_limits.0.id", id, idsz);
}

/* POST one limit for project (or domain, when dom) p; status. */
static long
post_limit(struct env *e, const char *p, int dom, const char *svc,
    const char *res, long value, char *id, size_t idsz, char *msg,
    size_t msgsz)
{
	return ia_call(&e->s, "POST", LIM, e->sysadm, it_fmt("{\"limits\": [{"
	    "\"%s\": \"%s\", \"service_id\": \"%s\", \"region_id\": \"RegionOne\","
	    " \"resource_name\": \"%s\", \"resource_limit\": %ld}]}",
	    dom ? "domain_id" : "project_id", p, svc, res, value), msg, msgsz,
	    "limits.0.id", id, idsz);
}

static void
registered_limits(struct env *e)
{
	struct it_server	*s = &e->s;
	struct it_resp		 r;
	char			 msg[1024], id[64], id2[64], id3[64], svc2[64];
	json_t			*o;

	T("limits-1.1 create without token -> 401", it_status(s, "POST", RL, NULL,
	    it_fmt("{\"registered_limits\": [{\"service_id\": \"%s\","
	    " \"resource_name\": \"cores\", \"default_limit\": 10}]}", e->svc)) ==
	    401);
	T("limits-1.2 create as project member -> 403 (admins only)",
	    ia_err(s, "POST", RL, e->projmem, it_fmt("{\"registered_limits\": [{"
	    "\"service_id\": \"%s\", \"resource_name\": \"cores\","
	    " \"default_limit\": 10}]}", e->svc), msg, sizeof(msg)) == 403 &&
	    strstr(msg, "not authorized") != NULL);
	T("limits-1.2b create as domain-scoped admin -> 403 (scope: system or"
	    " project)", it_status(s, "POST", RL, tok(e->domadm),
	    it_fmt("{\"registered_limits\": [{\"service_id\": \"%s\","
	    " \"resource_name\": \"cores\", \"default_limit\": 10}]}", e->svc)) ==
	    403);
	T("limits-1.3 create as system reader -> 403", it_status(s, "POST", RL,
	    tok(e->sysread), it_fmt("{\"registered_limits\": [{\"service_id\":"
	    " \"%s\", \"resource_name\": \"cores\", \"default_limit\": 10}]}",
	    e->svc)) == 403);

	it_req(s, "POST", RL, e->sysadm, it_fmt("{\"registered_limits\": [{"
	    "\"service_id\": \"%s\", \"region_id\": \"RegionOne\","
	    " \"resource_name\": \"volume\", \"default_limit\": 10,"
	    " \"description\": \"volumes\"}, {\"service_id\": \"%s\","
	    " \"resource_name\": \"snapshot\", \"default_limit\": -1}]}", e->svc,
	    e->svc), NULL, &r);
	o = it_get(r.json, "registered_limits.0");
	T("limits-1.4 create two -> 201", r.status == 201 &&
	    json_array_size(it_get(r.json, "registered_limits")) == 2);
	T("limits-1.5 registered limit fields", o != NULL &&
	    ia_streq(it_str(o, "service_id"), e->svc) &&
	    ia_streq(it_str(o, "region_id"), "RegionOne") &&
	    ia_streq(it_str(o, "resource_name"), "volume") &&
	    json_integer_value(json_object_get(o, "default_limit")) == 10 &&
	    ia_streq(it_str(o, "description"), "volumes") &&
	    ia_streq(it_str(o, "links.self"), it_fmt("%s/v3/registered_limits/%s",
	    s->base, it_str(o, "id"))));
	T("limits-1.6 null region and description, -1 default",
	    json_is_null(it_get(r.json, "registered_limits.1.region_id")) &&
	    json_is_null(it_get(r.json, "registered_limits.1.description")) &&
	    json_integer_value(it_get(r.json,
	    "registered_limits.1.default_limit")) == -1);
	T("limits-1.7 creation reply has no links",
	    it_get(r.json, "links") == NULL);
	snprintf(id, sizeof(id), "%s", it_str(r.json, "registered_limits.0.id") ?
	    it_str(r.json, "registered_limits.0.id") : "");
	snprintf(id2, sizeof(id2), "%s", it_str(r.json, "registered_limits.1.id") ?
	    it_str(r.json, "registered_limits.1.id") : "");
	it_resp_free(&r);

	T("limits-1.8 duplicate -> 409", ia_err(s, "POST", RL, e->sysadm,
	    it_fmt("{\"registered_limits\": [{\"service_id\": \"%s\","
	    " \"region_id\": \"RegionOne\", \"resource_name\": \"volume\","
	    " \"default_limit\": 5}]}", e->svc), msg, sizeof(msg)) == 409 &&
	    ia_streq(msg, "Conflict occurred attempting to store registered_limit"
	    " - Duplicate entry."));
	T("limits-1.9 duplicate within a request -> 409, nothing created",
	    it_status(s, "POST", RL, e->sysadm, it_fmt("{\"registered_limits\": [{"
	    "\"service_id\": \"%s\", \"resource_name\": \"gpus\","
	    " \"default_limit\": 1}, {\"service_id\": \"%s\", \"resource_name\":"
	    " \"gpus\", \"default_limit\": 2}]}", e->svc, e->svc)) == 409 &&
	    ia_count(s, RL "?resource_name=gpus", e->sysadm,
	    "registered_limits") == 0);
	T("limits-1.10 same resource in another region is not a duplicate",
	    (make_rl(e, e->svc, NULL, "volume", 3, id3, sizeof(id3)), id3[0]));
	T("limits-1.11 unknown service -> 400", ia_err(s, "POST", RL, e->sysadm,
	    "{\"registered_limits\": [{\"service_id\": \"nope\","
	    " \"resource_name\": \"x\", \"default_limit\": 1}]}", msg,
	    sizeof(msg)) == 400 && strncmp(msg, "Expecting to find service_id in"
	    " registered_limit. The server could not comply", 72) == 0);
	T("limits-1.12 unknown region -> 400", ia_err(s, "POST", RL, e->sysadm,
	    it_fmt("{\"registered_limits\": [{\"service_id\": \"%s\","
	    " \"region_id\": \"Nowhere\", \"resource_name\": \"x\","
	    " \"default_limit\": 1}]}", e->svc), msg, sizeof(msg)) == 400 &&
	    strncmp(msg, "Expecting to find region_id in registered_limit.", 48)
	    == 0);
	T("limits-1.13 not a list -> 400", it_status(s, "POST", RL, e->sysadm,
	    "{\"registered_limits\": {}}") == 400);
	T("limits-1.14 empty list -> 400", it_status(s, "POST", RL, e->sysadm,
	    "{\"registered_limits\": []}") == 400);
	T("limits-1.15 no body -> 400",
	    it_status(s, "POST", RL, e->sysadm, NULL) == 400);
	T("limits-1.16 missing default_limit -> 400", ia_err(s, "POST", RL,
	    e->sysadm, it_fmt("{\"registered_limits\": [{\"service_id\": \"%s\","
	    " \"resource_name\": \"x\"}]}", e->svc), msg, sizeof(msg)) == 400 &&
	    strstr(msg, "'default_limit' is a required property") != NULL);
	T("limits-1.17 default_limit below -1 -> 400", ia_err(s, "POST", RL,
	    e->sysadm, it_fmt("{\"registered_limits\": [{\"service_id\": \"%s\","
	    " \"resource_name\": \"x\", \"default_limit\": -2}]}", e->svc), msg,
	    sizeof(msg)) == 400 && strstr(msg, "less than the minimum of -1"));
	T("limits-1.18 default_limit above 2^31-1 -> 400", it_status(s, "POST",
	    RL, e->sysadm, it_fmt("{\"registered_limits\": [{\"service_id\":"
	    " \"%s\", \"resource_name\": \"x\", \"default_limit\": 2147483648}]}",
	    e->svc)) == 400);
	T("limits-1.19 default_limit not an integer -> 400", it_status(s, "POST",
	    RL, e->sysadm, it_fmt("{\"registered_limits\": [{\"service_id\":"
	    " \"%s\", \"resource_name\": \"x\", \"default_limit\": 1.5}]}",
	    e->svc)) == 400);
	T("limits-1.20 unknown attribute -> 400", ia_err(s, "POST", RL, e->sysadm,
	    it_fmt("{\"registered_limits\": [{\"service_id\": \"%s\","
	    " \"resource_name\": \"x\", \"default_limit\": 1, \"color\": 1}]}",
	    e->svc), msg, sizeof(msg)) == 400 && strstr(msg, "'color' was"
	    " unexpected"));
	T("limits-1.21 bad service id characters -> 400", it_status(s, "POST", RL,
	    e->sysadm, "{\"registered_limits\": [{\"service_id\": \"a b\","
	    " \"resource_name\": \"x\", \"default_limit\": 1}]}") == 400);
	T("limits-1.22 empty resource name -> 400", it_status(s, "POST", RL,
	    e->sysadm, it_fmt("{\"registered_limits\": [{\"service_id\": \"%s\","
	    " \"resource_name\": \"\", \"default_limit\": 1}]}", e->svc)) == 400);

	/* list and get: any token */
	T("limits-2.1 list as project member -> 200", ia_count(s, RL, e->projmem,
	    "registered_limits") == 3);
	T("limits-2.2 filter resource_name", ia_count(s, RL "?resource_name=volume",
	    e->projmem, "registered_limits") == 2);
	T("limits-2.3 filter region_id", ia_count(s, RL "?region_id=RegionOne",
	    e->projmem, "registered_limits") == 1);
	T("limits-2.4 filter service_id", ia_count(s, it_fmt(RL "?service_id=%s",
	    e->svc), e->projmem, "registered_limits") == 3 &&
	    ia_count(s, RL "?service_id=other", e->projmem,
	    "registered_limits") == 0);
	it_req(s, "GET", RL "?resource_name=volume", e->projmem, NULL, NULL, &r);
	T("limits-2.5 list links with the query", ia_streq(it_str(r.json,
	    "links.self"), it_fmt("%s/v3/registered_limits?resource_name=volume",
	    s->base)) && json_is_null(it_get(r.json, "links.next")));
	it_resp_free(&r);
	T("limits-2.6 list without token -> 401",
	    it_status(s, "GET", RL, NULL, NULL) == 401);
	it_req(s, "GET", it_fmt(RL "/%s", id), tok(e->domread), NULL, NULL, &r);
	T("limits-2.7 get as domain reader -> 200", r.status == 200 &&
	    ia_streq(it_str(r.json, "registered_limit.id"), id));
	it_resp_free(&r);
	T("limits-2.8 get unknown -> 404", ia_err(s, "GET", RL "/nope", e->projmem,
	    NULL, msg, sizeof(msg)) == 404 && ia_streq(msg, "Could not find"
	    " registered limit for nope."));
	T("limits-2.9 HEAD -> 200",
	    it_status(s, "HEAD", it_fmt(RL "/%s", id), e->projmem, NULL) == 200);

	/* update */
	it_req(s, "PATCH", it_fmt(RL "/%s", id2), e->sysadm,
	    "{\"registered_limit\": {\"default_limit\": 7, \"description\":"
	    " \"snaps\", \"region_id\": \"RegionOne\"}}", NULL, &r);
	T("limits-3.1 update -> 200", r.status == 200 &&
	    json_integer_value(it_get(r.json, "registered_limit.default_limit"))
	    == 7 && ia_streq(it_str(r.json, "registered_limit.description"),
	    "snaps") && ia_streq(it_str(r.json, "registered_limit.region_id"),
	    "RegionOne"));
	it_resp_free(&r);
	T("limits-3.2 update region to null", ia_call(s, "PATCH",
	    it_fmt(RL "/%s", id2), e->sysadm, "{\"registered_limit\":"
	    " {\"region_id\": null, \"description\": null}}", NULL, 0,
	    "registered_limit.region_id", msg, sizeof(msg)) == 200 && msg[0] == 0);
	T("limits-3.3 update repeating its own service -> 200 (not a duplicate)",
	    it_status(s, "PATCH", it_fmt(RL "/%s", id2), e->sysadm,
	    it_fmt("{\"registered_limit\": {\"service_id\": \"%s\"}}", e->svc))
	    == 200);
	T("limits-3.4 update into a duplicate -> 409", ia_err(s, "PATCH",
	    it_fmt(RL "/%s", id3), e->sysadm, "{\"registered_limit\":"
	    " {\"region_id\": \"RegionOne\"}}", msg, sizeof(msg)) == 409 &&
	    strstr(msg, "Duplicate entry") != NULL);
	T("limits-3.5 update with unknown service -> 400", ia_err(s, "PATCH",
	    it_fmt(RL "/%s", id2), e->sysadm, "{\"registered_limit\":"
	    " {\"service_id\": \"nope\"}}", msg, sizeof(msg)) == 400 &&
	    strstr(msg, "service_id in registered_limit") != NULL);
	T("limits-3.6 update unknown -> 404", it_status(s, "PATCH", RL "/nope",
	    e->sysadm, "{\"registered_limit\": {\"default_limit\": 1}}") == 404);
	T("limits-3.7 update as project member -> 403", it_status(s, "PATCH",
	    it_fmt(RL "/%s", id2), e->projmem, "{\"registered_limit\":"
	    " {\"default_limit\": 1}}") == 403);
	T("limits-3.7b update as domain-scoped admin -> 403", it_status(s,
	    "PATCH", it_fmt(RL "/%s", id2), tok(e->domadm),
	    "{\"registered_limit\": {\"default_limit\": 1}}") == 403);
	T("limits-3.8 update with id -> 400", it_status(s, "PATCH",
	    it_fmt(RL "/%s", id2), e->sysadm, "{\"registered_limit\":"
	    " {\"id\": \"x\"}}") == 400);
	T("limits-3.9 update bad type -> 400", it_status(s, "PATCH",
	    it_fmt(RL "/%s", id2), e->sysadm, "{\"registered_limit\":"
	    " {\"default_limit\": \"7\"}}") == 400);
	T("limits-3.10 empty update -> 200", it_status(s, "PATCH",
	    it_fmt(RL "/%s", id2), e->sysadm, "{\"registered_limit\": {}}") == 200);

	/* a second service for the delete tests */
	make_service(e, "limitsvc2", svc2, sizeof(svc2));
	make_rl(e, svc2, NULL, "ram", 100, id3, sizeof(id3));
	T("limits-4.1 delete as project member -> 403",
	    it_status(s, "DELETE", it_fmt(RL "/%s", id3), e->projmem, NULL) == 403);
	T("limits-4.2 service with registered limits cannot go -> 403",
	    ia_err(s, "DELETE", it_fmt("/v3/services/%s", svc2), s->admin_token,
	    NULL, msg, sizeof(msg)) == 403 && strstr(msg, "registered limits"));
	T("limits-4.3 delete as project admin (a cloud admin) -> 204",
	    it_status(s, "DELETE", it_fmt(RL "/%s", id3), e->projadm, NULL) == 204);
	T("limits-4.4 delete again -> 404",
	    it_status(s, "DELETE", it_fmt(RL "/%s", id3), e->sysadm, NULL) == 404);
	T("limits-4.5 then the service can go", it_status(s, "DELETE",
	    it_fmt("/v3/services/%s", svc2), s->admin_token, NULL) == 204);
	make_rl(e, e->svc, "RegionOne", "ram", 1, id3, sizeof(id3));
	T("limits-4.6 region with registered limits cannot go -> 403",
	    it_status(s, "PUT", "/v3/regions/LimitRegion", s->admin_token,
	    "{\"region\": {}}") == 201 && ia_create(s, RL, e->sysadm,
	    it_fmt("{\"registered_limits\": [{\"service_id\": \"%s\","
	    " \"region_id\": \"LimitRegion\", \"resource_name\": \"x\","
	    " \"default_limit\": 1}]}", e->svc), "registered_limits.0.id", id3,
	    sizeof(id3)) == 0 && it_status(s, "DELETE", "/v3/regions/LimitRegion",
	    s->admin_token, NULL) == 403);
	T("limits-4.7 ... until they are gone", it_status(s, "DELETE",
	    it_fmt(RL "/%s", id3), e->sysadm, NULL) == 204 && it_status(s,
	    "DELETE", "/v3/regions/LimitRegion", s->admin_token, NULL) == 204);
}

static void
limits(struct env *e)
{
	struct it_server	*s = &e->s;
	struct it_resp		 r;
	char			 msg[1024], pl[64], dl[64], cl[64], p2l[64], x[64];
	json_t			*o;

	T("limits-5.1 model -> 200 flat", it_req(s, "GET", LIM "/model",
	    e->projmem, NULL, NULL, &r) == 0 && r.status == 200 &&
	    ia_streq(it_str(r.json, "model.name"), "flat") &&
	    ia_streq(it_str(r.json, "model.description"), "Limit enforcement and"
	    " validation does not take project hierarchy into consideration."));
	it_resp_free(&r);
	T("limits-5.2 model without token -> 401",
	    it_status(s, "GET", LIM "/model", NULL, NULL) == 401);

	it_req(s, "POST", LIM, e->sysadm, it_fmt("{\"limits\": [{\"project_id\":"
	    " \"%s\", \"service_id\": \"%s\", \"region_id\": \"RegionOne\","
	    " \"resource_name\": \"volume\", \"resource_limit\": 5,"
	    " \"description\": \"five\"}, {\"domain_id\": \"default\","
	    " \"service_id\": \"%s\", \"region_id\": \"RegionOne\","
	    " \"resource_name\": \"volume\", \"resource_limit\": 50}]}", e->proj,
	    e->svc, e->svc), NULL, &r);
	o = it_get(r.json, "limits.0");
	T("limits-6.1 create project and domain limits -> 201", r.status == 201 &&
	    json_array_size(it_get(r.json, "limits")) == 2);
	T("limits-6.2 limit fields", o != NULL &&
	    ia_streq(it_str(o, "project_id"), e->proj) &&
	    json_is_null(json_object_get(o, "domain_id")) &&
	    ia_streq(it_str(o, "service_id"), e->svc) &&
	    ia_streq(it_str(o, "region_id"), "RegionOne") &&
	    ia_streq(it_str(o, "resource_name"), "volume") &&
	    json_integer_value(json_object_get(o, "resource_limit")) == 5 &&
	    ia_streq(it_str(o, "description"), "five") &&
	    ia_streq(it_str(o, "links.self"), it_fmt("%s/v3/limits/%s", s->base,
	    it_str(o, "id"))));
	T("limits-6.3 domain limit", ia_streq(it_str(r.json, "limits.1.domain_id"),
	    "default") && json_is_null(it_get(r.json, "limits.1.project_id")));
	snprintf(pl, sizeof(pl), "%s", it_str(r.json, "limits.0.id") ?
	    it_str(r.json, "limits.0.id") : "");
	snprintf(dl, sizeof(dl), "%s", it_str(r.json, "limits.1.id") ?
	    it_str(r.json, "limits.1.id") : "");
	it_resp_free(&r);

	T("limits-6.4 project_id naming a domain makes a domain limit",
	    ia_call(s, "POST", LIM, e->sysadm, it_fmt("{\"limits\": [{"
	    "\"project_id\": \"%s\", \"service_id\": \"%s\", \"region_id\":"
	    " \"RegionOne\", \"resource_name\": \"volume\", \"resource_limit\": 9}]}",
	    e->dom, e->svc), NULL, 0, "limits.0.domain_id", x, sizeof(x)) == 201 &&
	    ia_streq(x, e->dom));
	T("limits-6.5 duplicate -> 409", post_limit(e, e->proj, 0, e->svc,
	    "volume", 6, x, sizeof(x), msg, sizeof(msg)) == 409 && ia_streq(msg,
	    "Conflict occurred attempting to store limit - Duplicate entry."));
	T("limits-6.6 no registered limit -> 403", post_limit(e, e->proj, 0,
	    e->svc, "nothing", 6, x, sizeof(x), msg, sizeof(msg)) == 403 &&
	    ia_streq(msg, "Unable to create a limit that has no corresponding"
	    " registered limit."));
	T("limits-6.7 unknown project -> 400", post_limit(e, "nope", 0,
	    e->svc, "volume", 6, x, sizeof(x), msg, sizeof(msg)) == 400 &&
	    strncmp(msg, "Expecting to find project_id in limit.", 38) == 0);
	T("limits-6.8 unknown domain -> 400", post_limit(e, "nope", 1,
	    e->svc, "volume", 6, x, sizeof(x), msg, sizeof(msg)) == 400 &&
	    strncmp(msg, "Expecting to find domain_id in limit.", 37) == 0);
	T("limits-6.9 unknown service -> 400", post_limit(e, e->proj, 0,
	    "nope", "volume", 6, x, sizeof(x), msg, sizeof(msg)) == 400 &&
	    strncmp(msg, "Expecting to find service_id in limit.", 38) == 0);
	T("limits-6.10 both project_id and domain_id -> 400", ia_err(s, "POST",
	    LIM, e->sysadm, it_fmt("{\"limits\": [{\"project_id\": \"%s\","
	    " \"domain_id\": \"default\", \"service_id\": \"%s\","
	    " \"resource_name\": \"volume\", \"resource_limit\": 1}]}", e->proj,
	    e->svc), msg, sizeof(msg)) == 400);
	T("limits-6.11 neither -> 400", it_status(s, "POST", LIM, e->sysadm,
	    it_fmt("{\"limits\": [{\"service_id\": \"%s\", \"resource_name\":"
	    " \"volume\", \"resource_limit\": 1}]}", e->svc)) == 400);
	T("limits-6.12 region_id null -> 400 (a string for limits)", it_status(s,
	    "POST", LIM, e->sysadm, it_fmt("{\"limits\": [{\"project_id\": \"%s\","
	    " \"service_id\": \"%s\", \"region_id\": null, \"resource_name\":"
	    " \"volume\", \"resource_limit\": 1}]}", e->proj, e->svc)) == 400);
	T("limits-6.13 as project member -> 403", it_status(s, "POST", LIM,
	    e->projmem, it_fmt("{\"limits\": [{\"project_id\": \"%s\","
	    " \"service_id\": \"%s\", \"resource_name\": \"volume\","
	    " \"resource_limit\": 1}]}", e->proj, e->svc)) == 403);
	T("limits-6.14 empty list -> 400",
	    it_status(s, "POST", LIM, e->sysadm, "{\"limits\": []}") == 400);
	T("limits-6.15 one bad item refuses all", it_status(s, "POST", LIM,
	    e->sysadm, it_fmt("{\"limits\": [{\"project_id\": \"%s\", \"service_id\":"
	    " \"%s\", \"region_id\": \"RegionOne\", \"resource_name\": \"volume\","
	    " \"resource_limit\": 1}, {\"project_id\": \"nope\", \"service_id\":"
	    " \"%s\", \"region_id\": \"RegionOne\", \"resource_name\": \"volume\","
	    " \"resource_limit\": 1}]}", e->child, e->svc, e->svc)) == 400 &&
	    ia_count(s, it_fmt(LIM "?project_id=%s", e->child), e->sysadm,
	    "limits") == 0);
	post_limit(e, e->child, 0, e->svc, "volume", 3, cl, sizeof(cl),
	    NULL, 0);
	post_limit(e, e->proj2, 0, e->svc, "volume", 4, p2l, sizeof(p2l),
	    NULL, 0);
	T("limits-6.16 limits for another project and a child", cl[0] && p2l[0]);

	/* list: what each scope sees */
	T("limits-7.1 system reader sees all", ia_count(s, LIM, tok(e->sysread),
	    "limits") == 5);
	T("limits-7.2 project member sees its project's", ia_count(s, LIM,
	    e->projmem, "limits") == 1 && ia_lists(s, LIM, e->projmem, "limits",
	    pl));
	T("limits-7.3 project member asking for another project: none",
	    ia_count(s, it_fmt(LIM "?project_id=%s", e->proj2), e->projmem,
	    "limits") == 0);
	T("limits-7.4 domain-scoped reader: its domain's and its projects'",
	    ia_count(s, LIM, tok(e->domread), "limits") == 3 &&
	    !ia_lists(s, LIM, tok(e->domread), "limits", p2l));
	T("limits-7.5 filters", ia_count(s, it_fmt(LIM "?project_id=%s",
	    e->child), e->sysadm, "limits") == 1 && ia_count(s,
	    LIM "?domain_id=default", e->sysadm, "limits") == 1 &&
	    ia_count(s, LIM "?resource_name=nothing", e->sysadm, "limits") == 0 &&
	    ia_count(s, LIM "?region_id=RegionOne", e->sysadm, "limits") == 5);
	T("limits-7.6 unscoped token sees none", ia_count(s, LIM,
	    tok(e->otherproj), "limits") == 0);
	T("limits-7.7 list without token -> 401",
	    it_status(s, "GET", LIM, NULL, NULL) == 401);

	/* get */
	T("limits-8.1 project member gets its limit", it_status(s, "GET",
	    it_fmt(LIM "/%s", pl), e->projmem, NULL) == 200);
	T("limits-8.2 ... not another project's -> 403", it_status(s, "GET",
	    it_fmt(LIM "/%s", p2l), e->projmem, NULL) == 403);
	T("limits-8.3 ... nor its domain's -> 403", it_status(s, "GET",
	    it_fmt(LIM "/%s", dl), e->projmem, NULL) == 403);
	T("limits-8.4 domain reader gets its domain's and its projects'",
	    it_status(s, "GET", it_fmt(LIM "/%s", dl), tok(e->domread), NULL) ==
	    200 && it_status(s, "GET", it_fmt(LIM "/%s", cl), tok(e->domread),
	    NULL) == 200 && it_status(s, "GET", it_fmt(LIM "/%s", p2l),
	    tok(e->domread), NULL) == 403);
	T("limits-8.5 system reader gets any", it_status(s, "GET",
	    it_fmt(LIM "/%s", p2l), tok(e->sysread), NULL) == 200);
	T("limits-8.6 unknown as system reader -> 404", ia_err(s, "GET",
	    LIM "/nope", tok(e->sysread), NULL, msg, sizeof(msg)) == 404 &&
	    ia_streq(msg, "Could not find limit for nope."));
	T("limits-8.7 unknown as project member -> 403 (no existence leak)",
	    it_status(s, "GET", LIM "/nope", e->projmem, NULL) == 403);
	T("limits-8.8 project member cannot read another project's -> 403",
	    it_status(s, "GET", it_fmt(LIM "/%s", p2l), e->projmem, NULL) == 403);
	T("limits-8.9 project admin (a cloud admin) reads another project's",
	    it_status(s, "GET", it_fmt(LIM "/%s", p2l), e->projadm, NULL) == 200);

	/* update */
	it_req(s, "PATCH", it_fmt(LIM "/%s", pl), e->sysadm, "{\"limit\":"
	    " {\"resource_limit\": 0, \"description\": null}}", NULL, &r);
	T("limits-9.1 update -> 200 (0 and null are values)", r.status == 200 &&
	    json_integer_value(it_get(r.json, "limit.resource_limit")) == 0 &&
	    json_is_null(it_get(r.json, "limit.description")) &&
	    ia_streq(it_str(r.json, "limit.project_id"), e->proj));
	it_resp_free(&r);
	T("limits-9.2 update as project member -> 403", it_status(s, "PATCH",
	    it_fmt(LIM "/%s", pl), e->projmem, "{\"limit\": {\"resource_limit\":"
	    " 1}}") == 403);
	T("limits-9.2b update as domain-scoped admin -> 403", it_status(s,
	    "PATCH", it_fmt(LIM "/%s", pl), tok(e->domadm), "{\"limit\":"
	    " {\"resource_limit\": 1}}") == 403);
	T("limits-9.3 update unknown -> 404", it_status(s, "PATCH", LIM "/nope",
	    e->sysadm, "{\"limit\": {\"resource_limit\": 1}}") == 404);
	T("limits-9.4 update other attribute -> 400", ia_err(s, "PATCH",
	    it_fmt(LIM "/%s", pl), e->sysadm, "{\"limit\": {\"project_id\":"
	    " \"x\"}}", msg, sizeof(msg)) == 400 && strstr(msg, "'project_id' was"
	    " unexpected"));
	T("limits-9.5 update bad value -> 400", it_status(s, "PATCH",
	    it_fmt(LIM "/%s", pl), e->sysadm, "{\"limit\": {\"resource_limit\":"
	    " -5}}") == 400);

	/* delete */
	T("limits-10.1 delete as project member -> 403", it_status(s, "DELETE",
	    it_fmt(LIM "/%s", p2l), e->projmem, NULL) == 403);
	T("limits-10.2 delete as project admin (a cloud admin) -> 204",
	    it_status(s, "DELETE", it_fmt(LIM "/%s", p2l), e->projadm, NULL) ==
	    204);
	T("limits-10.3 delete again -> 404", it_status(s, "DELETE",
	    it_fmt(LIM "/%s", p2l), e->sysadm, NULL) == 404);
	T("limits-10.4 deleting a project deletes its limits", it_status(s,
	    "DELETE", it_fmt("/v3/projects/%s", e->child), s->admin_token, NULL) ==
	    204 && it_status(s, "GET", it_fmt(LIM "/%s", cl), e->sysadm, NULL) ==
	    404);
}

/* A registered limit that limits use can be neither changed nor deleted. */
static void
registered_in_use(struct env *e)
{
	struct it_server	*s = &e->s;
	struct it_resp		 r;
	char			 msg[1024], id[64] = "";

	it_req(s, "GET", RL "?resource_name=volume&region_id=RegionOne",
	    e->sysadm, NULL, NULL, &r);
	if (it_str(r.json, "registered_limits.0.id"))
		snprintf(id, sizeof(id), "%s", it_str(r.json,
		    "registered_limits.0.id"));
	it_resp_free(&r);
	T("limits-11.1 update in use -> 403", ia_err(s, "PATCH",
	    it_fmt(RL "/%s", id), e->sysadm, "{\"registered_limit\":"
	    " {\"default_limit\": 1}}", msg, sizeof(msg)) == 403 &&
	    ia_streq(msg, it_fmt("Unable to update or delete registered limit %s"
	    " because there are project limits associated with it.", id)));
	T("limits-11.2 delete in use -> 403", it_status(s, "DELETE",
	    it_fmt(RL "/%s", id), e->sysadm, NULL) == 403);
}

/* The server refuses to start under strict_two_level with a deeper tree. */
static void
strict_refuses_deep_tree(struct env *e)
{
	struct it_server	*s = &e->s;
	char			 gc[64], exe[512], listen[64];
	pid_t			 pid;
	int			 status = 0, i, exited = 0;

	/* e->proj > its child (recreated) > grandchild */
	ia_create(s, "/v3/projects", s->admin_token, it_fmt("{\"project\":"
	    " {\"name\": \"lchild2\", \"parent_id\": \"%s\"}}", e->proj),
	    "project.id", e->child, sizeof(e->child));
	ia_create(s, "/v3/projects", s->admin_token, it_fmt("{\"project\":"
	    " {\"name\": \"lgrand\", \"parent_id\": \"%s\"}}", e->child),
	    "project.id", gc, sizeof(gc));
	T("limits-12.1 a three-level tree under flat", gc[0] != '\0');
	snprintf(exe, sizeof(exe), "%s/keygate", getenv("KG_BUILD") ?
	    getenv("KG_BUILD") : "build");
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", s->port + 1 > 65535 ?
	    1025 : s->port + 1);
	if ((pid = fork()) == 0) {
		setenv("KEYGATE_UNIFIED_LIMIT_ENFORCEMENT_MODEL", "strict_two_level",
		    1);
		setenv("KEYGATE_SERVER_LISTEN", listen, 1);
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(126);
		execl(exe, "keygate", "serve", (char *)NULL);
		_exit(127);
	}
	for (i = 0; pid > 0 && i < 100; i++) {		/* up to 10 s */
		if (waitpid(pid, &status, WNOHANG) == pid) {
			exited = 1;
			break;
		}
		nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
	}
	if (pid > 0 && !exited) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	T("limits-12.2 strict_two_level refuses to start with it", exited &&
	    WIFEXITED(status) && WEXITSTATUS(status) == 1);
}

static void
flat(void)
{
	struct env	 e;
	memset(&e, 0, sizeof(e));
	it_start(&e.s, NULL);
	e.sysadm = ia_system_admin(&e.s);
	T("limits-0.1 system-scoped admin token", e.sysadm != NULL);
	if (e.sysadm == NULL)
		e.sysadm = strdup("none");
	e.projadm = e.s.admin_token;
	make_service(&e, "limitsvc", e.svc, sizeof(e.svc));
	ia_create(&e.s, "/v3/projects", e.s.admin_token, "{\"project\": {\"name\":"
	    " \"lproj\"}}", "project.id", e.proj, sizeof(e.proj));
	ia_create(&e.s, "/v3/projects", e.s.admin_token, it_fmt("{\"project\":"
	    " {\"name\": \"lchild\", \"parent_id\": \"%s\"}}", e.proj),
	    "project.id", e.child, sizeof(e.child));
	ia_create(&e.s, "/v3/domains", e.s.admin_token, "{\"domain\": {\"name\":"
	    " \"ldom\"}}", "domain.id", e.dom, sizeof(e.dom));
	ia_create(&e.s, "/v3/projects", e.s.admin_token, it_fmt("{\"project\":"
	    " {\"name\": \"lproj2\", \"domain_id\": \"%s\"}}", e.dom), "project.id",
	    e.proj2, sizeof(e.proj2));
	e.sysread = ia_persona(&e.s, "lsysreader", "reader", 's', NULL);
	e.projmem = ia_persona(&e.s, "lmember", "member", 'p', e.proj);
	e.domread = ia_persona(&e.s, "ldomreader", "reader", 'd', "default");
	e.domadm = ia_persona(&e.s, "ldomadmin", "admin", 'd', "default");
	e.otherproj = ia_token(&e.s, "lmember", IA_PASSWORD, NULL);
	T("limits-0.2 personas", e.svc[0] && e.proj[0] && e.child[0] &&
	    e.proj2[0] && e.sysread && e.projmem && e.domread && e.domadm &&
	    e.otherproj);
	if (e.projmem == NULL)
		e.projmem = strdup("none");

	registered_limits(&e);
	limits(&e);
	registered_in_use(&e);
	strict_refuses_deep_tree(&e);

	T("limits-0.3 clean exit", it_stop(&e.s) == 0);
	free(e.sysadm);
	free(e.sysread);
	free(e.projmem);
	free(e.domread);
	free(e.domadm);
	free(e.otherproj);
}

/* ------------------------------------------------------------------------
 * strict_two_level (Keystone's StrictTwoLevelLimitsTestCase, over HTTP).
 * --------------------------------------------------------------------- */

static void
strict(void)
{
	static const char *const env[] = {
		"KEYGATE_UNIFIED_LIMIT_ENFORCEMENT_MODEL=strict_two_level", NULL
	};
	struct env	 e;
	struct it_server *s = &e.s;
	struct it_resp	 r;
	char		 dA[64], pB[64], pC[64], dD[64], pE[64], dF[64], pG[64],
			 rl[64], b[64], dlim[64], msg[1024], x[64];
	char		*sysadm;	/* owned here: e is handed to calls
					   that may change it */

	memset(&e, 0, sizeof(e));
	it_start(s, env);
	if ((sysadm = ia_system_admin(s)) == NULL)
		sysadm = strdup("none");
	e.sysadm = sysadm;
	T("limits-20.1 model strict_two_level", it_req(s, "GET", LIM "/model",
	    e.sysadm, NULL, NULL, &r) == 0 && ia_streq(it_str(r.json,
	    "model.name"), "strict_two_level") && ia_streq(it_str(r.json,
	    "model.description"), "This model requires project hierarchy never"
	    " exceeds a depth of two"));
	it_resp_free(&r);
	make_service(&e, "strictsvc", e.svc, sizeof(e.svc));
	ia_create(s, "/v3/domains", s->admin_token, "{\"domain\": {\"name\":"
	    " \"A\"}}", "domain.id", dA, sizeof(dA));
	ia_create(s, "/v3/projects", s->admin_token, it_fmt("{\"project\":"
	    " {\"name\": \"B\", \"domain_id\": \"%s\"}}", dA), "project.id", pB,
	    sizeof(pB));
	ia_create(s, "/v3/projects", s->admin_token, it_fmt("{\"project\":"
	    " {\"name\": \"C\", \"domain_id\": \"%s\"}}", dA), "project.id", pC,
	    sizeof(pC));
	ia_create(s, "/v3/domains", s->admin_token, "{\"domain\": {\"name\":"
	    " \"D\"}}", "domain.id", dD, sizeof(dD));
	ia_create(s, "/v3/projects", s->admin_token, it_fmt("{\"project\":"
	    " {\"name\": \"E\", \"domain_id\": \"%s\"}}", dD), "project.id", pE,
	    sizeof(pE));
	T("limits-20.2 domains and projects", dA[0] && pB[0] && pC[0] && dD[0] &&
	    pE[0]);
	T("limits-20.3 a child project -> 201", ia_create(s, "/v3/projects",
	    s->admin_token, it_fmt("{\"project\": {\"name\": \"B1\", \"domain_id\":"
	    " \"%s\", \"parent_id\": \"%s\"}}", dA, pB), "project.id", b,
	    sizeof(b)) == 0);
	T("limits-20.4 a grandchild -> 403", ia_err(s, "POST", "/v3/projects",
	    s->admin_token, it_fmt("{\"project\": {\"name\": \"B11\", \"domain_id\":"
	    " \"%s\", \"parent_id\": \"%s\"}}", dA, b), msg, sizeof(msg)) == 403 &&
	    ia_streq(msg, it_fmt("Max hierarchy depth reached for %s branch.", b)));

	ia_create(s, RL, e.sysadm, it_fmt("{\"registered_limits\": [{"
	    "\"service_id\": \"%s\", \"region_id\": \"RegionOne\","
	    " \"resource_name\": \"volume\", \"default_limit\": 10}]}", e.svc),
	    "registered_limits.0.id", rl, sizeof(rl));
	T("limits-21.1 registered default 10", rl[0] != '\0');
	/* A has no limit: the default (10) is B's ceiling. */
	T("limits-21.2 child above the registered default -> 403",
	    post_limit(&e, pC, 0, e.svc, "volume", 11, x, sizeof(x), msg,
	    sizeof(msg)) == 403 && ia_streq(msg, it_fmt("Invalid resource limit:"
	    " The resource limit (project_id: %s, resource_name: volume,"
	    " resource_limit: 11, service_id: %s, region_id: RegionOne) doesn't"
	    " satisfy current hierarchy model..", pC, e.svc)));
	T("limits-21.3 child within the default -> 201", post_limit(&e, pB,
	    0, e.svc, "volume", 5, x, sizeof(x), NULL, 0) == 201);
	T("limits-21.4 domain limit below a child's -> 403", post_limit(&e,
	    dA, 1, e.svc, "volume", 4, x, sizeof(x), msg, sizeof(msg)) == 403 &&
	    strstr(msg, it_fmt("(domain_id: %s,", dA)) != NULL);
	T("limits-21.5 domain limit above -> 201", post_limit(&e, dA, 1,
	    e.svc, "volume", 20, dlim, sizeof(dlim), NULL, 0) == 201);
	T("limits-21.6 now the domain's 20 is the ceiling: 21 -> 403, 18 -> 201",
	    post_limit(&e, pC, 0, e.svc, "volume", 21, x, sizeof(x), NULL,
	    0) == 403 && post_limit(&e, pC, 0, e.svc, "volume", 18, x,
	    sizeof(x), NULL, 0) == 201);
	T("limits-21.7 update a child above the domain -> 403", it_status(s,
	    "PATCH", it_fmt(LIM "/%s", x), e.sysadm, "{\"limit\":"
	    " {\"resource_limit\": 25}}") == 403);
	T("limits-21.8 update the domain below a child -> 403", it_status(s,
	    "PATCH", it_fmt(LIM "/%s", dlim), e.sysadm, "{\"limit\":"
	    " {\"resource_limit\": 17}}") == 403);
	T("limits-21.9 update the domain to 18 -> 200", it_status(s, "PATCH",
	    it_fmt(LIM "/%s", dlim), e.sysadm, "{\"limit\": {\"resource_limit\":"
	    " 18}}") == 200);
	/* Parent and child in one request: the request's parent counts. */
	T("limits-21.10 domain and child in one request, child above -> 403",
	    it_status(s, "POST", LIM, e.sysadm, it_fmt("{\"limits\": [{"
	    "\"domain_id\": \"%s\", \"service_id\": \"%s\", \"region_id\":"
	    " \"RegionOne\", \"resource_name\": \"volume\", \"resource_limit\": 30},"
	    " {\"project_id\": \"%s\", \"service_id\": \"%s\", \"region_id\":"
	    " \"RegionOne\", \"resource_name\": \"volume\", \"resource_limit\":"
	    " 31}]}", dD, e.svc, pE, e.svc)) == 403 && ia_count(s,
	    it_fmt(LIM "?domain_id=%s", dD), e.sysadm, "limits") == 0);
	T("limits-21.11 ... child within -> 201 (above the default is fine)",
	    it_status(s, "POST", LIM, e.sysadm, it_fmt("{\"limits\": [{"
	    "\"domain_id\": \"%s\", \"service_id\": \"%s\", \"region_id\":"
	    " \"RegionOne\", \"resource_name\": \"volume\", \"resource_limit\": 30},"
	    " {\"project_id\": \"%s\", \"service_id\": \"%s\", \"region_id\":"
	    " \"RegionOne\", \"resource_name\": \"volume\", \"resource_limit\":"
	    " 25}]}", dD, e.svc, pE, e.svc)) == 201);
	/* Keystone: a parent limit of 0 does not bound (Python truthiness). */
	ia_create(s, "/v3/domains", s->admin_token, "{\"domain\": {\"name\":"
	    " \"F\"}}", "domain.id", dF, sizeof(dF));
	ia_create(s, "/v3/projects", s->admin_token, it_fmt("{\"project\":"
	    " {\"name\": \"G\", \"domain_id\": \"%s\"}}", dF), "project.id", pG,
	    sizeof(pG));
	T("limits-21.12 under a domain limit of 0 a child is unbounded",
	    post_limit(&e, dF, 1, e.svc, "volume", 0, x, sizeof(x), NULL, 0) ==
	    201 && post_limit(&e, pG, 0, e.svc, "volume", 100, x, sizeof(x), NULL,
	    0) == 201);
	T("limits-0.4 strict server clean exit", it_stop(s) == 0);
	free(sysadm);
}

int
main(void)
{
	flat();
	strict();
	return t_report();
}
