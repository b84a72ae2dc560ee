/*
 * it_policies.c - /v3/policies and OS-ENDPOINT-POLICY over HTTP: CRUD with
 * extra attributes, Keystone's texts, the associations with an endpoint,
 * a service and a service in a region, the lookup of an endpoint's
 * policy (endpoint first, then region and the regions above it, then the
 * service), what a delete takes with it, and the default policy (admins
 * write, admins and system readers read).
 */
#include "tests/integration/it_admin.h"

#define POL	"/v3/policies"
#define EPP	"OS-ENDPOINT-POLICY"

struct env {
	struct it_server	 s;
	const char		*adm;
	char			*sysread, *member;
};

static void
crud(struct env *e, char *pid, size_t pidsz)
{
	struct it_server	*s = &e->s;
	struct it_resp		 r;
	char			 msg[512], p2[64], p3[64];

	T("policies-1.1 create without token -> 401", it_status(s, "POST", POL,
	    NULL, "{\"policy\": {\"blob\": \"{}\", \"type\": \"json\"}}") == 401);
	T("policies-1.2 create as member -> 403", it_status(s, "POST", POL,
	    e->member, "{\"policy\": {\"blob\": \"{}\", \"type\": \"json\"}}") ==
	    403);
	T("policies-1.3 create as system reader -> 403", it_status(s, "POST", POL,
	    e->sysread, "{\"policy\": {\"blob\": \"{}\", \"type\": \"json\"}}") ==
	    403);
	it_req(s, "POST", POL, e->adm, "{\"policy\": {\"blob\": \"{\\\"a\\\": 1}\","
	    " \"type\": \"application/json\", \"id\": \"mine\", \"owner\":"
	    " \"ops\"}}", NULL, &r);
	T("policies-1.4 create -> 201", r.status == 201);
	T("policies-1.5 fields", ia_streq(it_str(r.json, "policy.blob"),
	    "{\"a\": 1}") && ia_streq(it_str(r.json, "policy.type"),
	    "application/json") && it_str(r.json, "policy.id") != NULL &&
	    !ia_streq(it_str(r.json, "policy.id"), "mine") &&
	    ia_streq(it_str(r.json, "policy.links.self"), it_fmt("%s/v3/policies/%s",
	    s->base, it_str(r.json, "policy.id"))));
	T("policies-1.6 other attributes kept", ia_streq(it_str(r.json,
	    "policy.owner"), "ops"));
	snprintf(pid, pidsz, "%s", it_str(r.json, "policy.id") ?
	    it_str(r.json, "policy.id") : "");
	it_resp_free(&r);
	T("policies-1.7 missing type -> 400", ia_err(s, "POST", POL, e->adm,
	    "{\"policy\": {\"blob\": \"x\"}}", msg, sizeof(msg)) == 400 &&
	    strstr(msg, "'type' is a required property") != NULL);
	T("policies-1.8 missing blob -> 400", ia_err(s, "POST", POL, e->adm,
	    "{\"policy\": {\"type\": \"x\"}}", msg, sizeof(msg)) == 400 &&
	    strstr(msg, "'blob' is a required property") != NULL);
	T("policies-1.9 blob not a string -> 400", it_status(s, "POST", POL,
	    e->adm, "{\"policy\": {\"blob\": {}, \"type\": \"x\"}}") == 400);
	T("policies-1.10 type too long -> 400", it_status(s, "POST", POL, e->adm,
	    it_fmt("{\"policy\": {\"blob\": \"x\", \"type\": \"%0256d\"}}", 0)) ==
	    400);
	T("policies-1.11 no body -> 400",
	    it_status(s, "POST", POL, e->adm, NULL) == 400);
	T("policies-1.12 policy not an object -> 400",
	    it_status(s, "POST", POL, e->adm, "{\"policy\": []}") == 400);
	ia_create(s, POL, e->adm, "{\"policy\": {\"blob\": \"b\", \"type\":"
	    " \"text/plain\"}}", "policy.id", p2, sizeof(p2));
	ia_create(s, POL, e->adm, "{\"policy\": {\"blob\": \"\", \"type\":"
	    " \"text/plain\"}}", "policy.id", p3, sizeof(p3));
	T("policies-1.13 an empty blob is a blob", p2[0] && p3[0]);

	T("policies-2.1 list -> 200", ia_count(s, POL, e->adm, "policies") == 3);
	T("policies-2.2 list as system reader -> 200",
	    ia_count(s, POL, e->sysread, "policies") == 3);
	T("policies-2.3 list as member -> 403",
	    it_status(s, "GET", POL, e->member, NULL) == 403);
	T("policies-2.4 filter type", ia_count(s, POL "?type=text/plain", e->adm,
	    "policies") == 2 && ia_count(s, POL "?type=none", e->adm,
	    "policies") == 0);
	T("policies-2.5 get -> 200", ia_call(s, "GET", it_fmt(POL "/%s", pid),
	    e->sysread, NULL, NULL, 0, "policy.owner", msg, sizeof(msg)) == 200 &&
	    ia_streq(msg, "ops"));
	T("policies-2.6 get unknown -> 404", ia_err(s, "GET", POL "/nope", e->adm,
	    NULL, msg, sizeof(msg)) == 404 && ia_streq(msg, "Could not find"
	    " policy: nope."));
	T("policies-2.7 get as member -> 403", it_status(s, "GET",
	    it_fmt(POL "/%s", pid), e->member, NULL) == 403);

	it_req(s, "PATCH", it_fmt(POL "/%s", p2), e->adm, "{\"policy\": {\"type\":"
	    " \"application/yaml\", \"team\": \"a\"}}", NULL, &r);
	T("policies-3.1 update -> 200", r.status == 200 &&
	    ia_streq(it_str(r.json, "policy.type"), "application/yaml") &&
	    ia_streq(it_str(r.json, "policy.blob"), "b") &&
	    ia_streq(it_str(r.json, "policy.team"), "a"));
	it_resp_free(&r);
	T("policies-3.2 extra merged on update", ia_call(s, "PATCH",
	    it_fmt(POL "/%s", p2), e->adm, "{\"policy\": {\"size\": 2}}", NULL, 0,
	    "policy.team", msg, sizeof(msg)) == 200 && ia_streq(msg, "a"));
	T("policies-3.3 changing the id -> 400", ia_err(s, "PATCH",
	    it_fmt(POL "/%s", p2), e->adm, "{\"policy\": {\"id\": \"other\"}}",
	    msg, sizeof(msg)) == 400 && ia_streq(msg, "Cannot change policy ID"));
	T("policies-3.4 the same id -> 200", it_status(s, "PATCH",
	    it_fmt(POL "/%s", p2), e->adm, it_fmt("{\"policy\": {\"id\": \"%s\"}}",
	    p2)) == 200);
	T("policies-3.5 empty update -> 400", it_status(s, "PATCH",
	    it_fmt(POL "/%s", p2), e->adm, "{\"policy\": {}}") == 400);
	T("policies-3.6 update unknown -> 404", it_status(s, "PATCH", POL "/nope",
	    e->adm, "{\"policy\": {\"blob\": \"x\"}}") == 404);
	T("policies-3.7 update as system reader -> 403", it_status(s, "PATCH",
	    it_fmt(POL "/%s", p2), e->sysread, "{\"policy\": {\"blob\": \"x\"}}")
	    == 403);
	T("policies-3.8 bad type -> 400", it_status(s, "PATCH",
	    it_fmt(POL "/%s", p2), e->adm, "{\"policy\": {\"type\": 5}}") == 400);

	T("policies-4.1 delete as member -> 403", it_status(s, "DELETE",
	    it_fmt(POL "/%s", p3), e->member, NULL) == 403);
	T("policies-4.2 delete -> 204",
	    it_status(s, "DELETE", it_fmt(POL "/%s", p3), e->adm, NULL) == 204);
	T("policies-4.3 delete again -> 404",
	    it_status(s, "DELETE", it_fmt(POL "/%s", p3), e->adm, NULL) == 404);
}

/* The policy GET /v3/endpoints/{ep}/OS-ENDPOINT-POLICY/policy finds ("" for
 * none), and the status. */
static long
endpoint_policy(struct env *e, const char *ep, char *pid, size_t pidsz)
{
	return ia_call(&e->s, "GET", it_fmt("/v3/endpoints/%s/" EPP "/policy", ep),
	    e->adm, NULL, NULL, 0, "policy.id", pid, pidsz);
}

static void
associations(struct env *e, const char *pid)
{
	struct it_server	*s = &e->s;
	char			 msg[512], svc[64], ep1[64], ep2[64], ep3[64],
				 p2[64], got[64];
	const char		*base = it_fmt(POL "/%s/" EPP, pid);
	char			 b[256];

	snprintf(b, sizeof(b), "%s", base);
	/* RegionOne > RegionKid; ep1 in RegionOne, ep2 in RegionKid, ep3 none */
	it_status(s, "PUT", "/v3/regions/RegionKid", e->adm, "{\"region\":"
	    " {\"parent_region_id\": \"RegionOne\"}}");
	ia_create(s, "/v3/services", e->adm, "{\"service\": {\"type\": \"pol\"}}",
	    "service.id", svc, sizeof(svc));
	ia_create(s, "/v3/endpoints", e->adm, it_fmt("{\"endpoint\": {\"service_id\":"
	    " \"%s\", \"interface\": \"public\", \"url\": \"http://a\", \"region_id\":"
	    " \"RegionOne\"}}", svc), "endpoint.id", ep1, sizeof(ep1));
	ia_create(s, "/v3/endpoints", e->adm, it_fmt("{\"endpoint\": {\"service_id\":"
	    " \"%s\", \"interface\": \"admin\", \"url\": \"http://b\", \"region_id\":"
	    " \"RegionKid\"}}", svc), "endpoint.id", ep2, sizeof(ep2));
	ia_create(s, "/v3/endpoints", e->adm, it_fmt("{\"endpoint\": {\"service_id\":"
	    " \"%s\", \"interface\": \"internal\", \"url\": \"http://c\"}}", svc),
	    "endpoint.id", ep3, sizeof(ep3));
	ia_create(s, POL, e->adm, "{\"policy\": {\"blob\": \"2\", \"type\":"
	    " \"t\"}}", "policy.id", p2, sizeof(p2));
	T("policies-5.0 catalog set up", svc[0] && ep1[0] && ep2[0] && ep3[0] &&
	    p2[0]);

	/* endpoint */
	T("policies-5.1 check before -> 404", ia_err(s, "GET",
	    it_fmt("%s/endpoints/%s", b, ep1), e->adm, NULL, msg, sizeof(msg)) ==
	    404 && ia_streq(msg, "Could not find policy association."));
	T("policies-5.2 associate endpoint as member -> 403", it_status(s, "PUT",
	    it_fmt("%s/endpoints/%s", b, ep1), e->member, NULL) == 403);
	T("policies-5.3 associate endpoint as system reader -> 403",
	    it_status(s, "PUT", it_fmt("%s/endpoints/%s", b, ep1), e->sysread,
	    NULL) == 403);
	T("policies-5.4 associate endpoint -> 204", it_status(s, "PUT",
	    it_fmt("%s/endpoints/%s", b, ep1), e->adm, NULL) == 204);
	T("policies-5.5 again -> 204 (idempotent)", it_status(s, "PUT",
	    it_fmt("%s/endpoints/%s", b, ep1), e->adm, NULL) == 204);
	T("policies-5.6 check -> 204 (system reader)", it_status(s, "GET",
	    it_fmt("%s/endpoints/%s", b, ep1), e->sysread, NULL) == 204);
	T("policies-5.7 check as member -> 403", it_status(s, "GET",
	    it_fmt("%s/endpoints/%s", b, ep1), e->member, NULL) == 403);
	T("policies-5.8 unknown policy -> 404", ia_err(s, "PUT",
	    it_fmt(POL "/nope/" EPP "/endpoints/%s", ep1), e->adm, NULL, msg,
	    sizeof(msg)) == 404 && ia_streq(msg, "Could not find policy: nope."));
	T("policies-5.9 unknown endpoint -> 404", ia_err(s, "PUT",
	    it_fmt("%s/endpoints/nope", b), e->adm, NULL, msg, sizeof(msg)) ==
	    404 && ia_streq(msg, "Could not find endpoint: nope."));
	T("policies-5.10 another policy for the endpoint replaces it",
	    it_status(s, "PUT", it_fmt(POL "/%s/" EPP "/endpoints/%s", p2, ep1),
	    e->adm, NULL) == 204 && it_status(s, "GET", it_fmt("%s/endpoints/%s",
	    b, ep1), e->adm, NULL) == 404 && (endpoint_policy(e, ep1, got,
	    sizeof(got)), ia_streq(got, p2)));
	T("policies-5.11 put it back", it_status(s, "PUT",
	    it_fmt("%s/endpoints/%s", b, ep1), e->adm, NULL) == 204);

	/* service, service + region */
	T("policies-6.1 associate service -> 204", it_status(s, "PUT",
	    it_fmt("%s/services/%s", b, svc), e->adm, NULL) == 204);
	T("policies-6.2 check service -> 204", it_status(s, "GET",
	    it_fmt("%s/services/%s", b, svc), e->adm, NULL) == 204);
	T("policies-6.3 unknown service -> 404", ia_err(s, "PUT",
	    it_fmt("%s/services/nope", b), e->adm, NULL, msg, sizeof(msg)) == 404 &&
	    ia_streq(msg, "Could not find service: nope."));
	T("policies-6.4 associate service in region -> 204", it_status(s, "PUT",
	    it_fmt("%s/services/%s/regions/RegionOne", b, svc), e->adm, NULL) ==
	    204);
	T("policies-6.5 check service in region -> 204", it_status(s, "GET",
	    it_fmt("%s/services/%s/regions/RegionOne", b, svc), e->sysread, NULL)
	    == 204);
	T("policies-6.6 check service in another region -> 404", it_status(s, "GET",
	    it_fmt("%s/services/%s/regions/RegionKid", b, svc), e->adm, NULL) ==
	    404);
	T("policies-6.7 unknown region -> 404", ia_err(s, "PUT",
	    it_fmt("%s/services/%s/regions/Nowhere", b, svc), e->adm, NULL, msg,
	    sizeof(msg)) == 404 && ia_streq(msg, "Could not find region: Nowhere."));
	T("policies-6.8 as member -> 403", it_status(s, "PUT",
	    it_fmt("%s/services/%s/regions/RegionOne", b, svc), e->member, NULL)
	    == 403);

	/* the endpoints a policy applies to */
	T("policies-7.1 endpoints for the policy", ia_count(s, it_fmt("%s/endpoints",
	    b), e->sysread, "endpoints") == 6 && ia_lists(s, it_fmt("%s/endpoints",
	    b), e->adm, "endpoints", ep2));
	T("policies-7.2 ... as member -> 403", it_status(s, "GET",
	    it_fmt("%s/endpoints", b), e->member, NULL) == 403);
	T("policies-7.3 ... unknown policy -> 404", it_status(s, "GET",
	    POL "/nope/" EPP "/endpoints", e->adm, NULL) == 404);

	/* an endpoint's policy: endpoint, then region up, then service */
	T("policies-8.1 policy for ep1: its own association", endpoint_policy(e,
	    ep1, got, sizeof(got)) == 200 && ia_streq(got, pid));
	T("policies-8.2 policy for ep2: its region's parent's", it_status(s,
	    "PUT", it_fmt(POL "/%s/" EPP "/services/%s/regions/RegionOne", p2, svc),
	    e->adm, NULL) == 204 && endpoint_policy(e, ep2, got, sizeof(got)) ==
	    200 && ia_streq(got, p2));
	T("policies-8.3 policy for ep3 (no region): the service's",
	    endpoint_policy(e, ep3, got, sizeof(got)) == 200 && ia_streq(got, pid));
	T("policies-8.4 unknown endpoint -> 404", ia_err(s, "GET",
	    "/v3/endpoints/nope/" EPP "/policy", e->adm, NULL, msg, sizeof(msg)) ==
	    404 && ia_streq(msg, "Could not find endpoint: nope."));
	T("policies-8.5 as member -> 403", it_status(s, "GET",
	    it_fmt("/v3/endpoints/%s/" EPP "/policy", ep1), e->member, NULL) ==
	    403);

	/* dissociation and what deletes take with them */
	T("policies-9.1 remove service association -> 204", it_status(s,
	    "DELETE", it_fmt("%s/services/%s", b, svc), e->adm, NULL) == 204);
	T("policies-9.2 removing one that is not there -> 204 (as Keystone)",
	    it_status(s, "DELETE", it_fmt("%s/services/%s", b, svc), e->adm, NULL)
	    == 204);
	T("policies-9.3 ep3 has no policy now -> 404", ia_err(s, "GET",
	    it_fmt("/v3/endpoints/%s/" EPP "/policy", ep3), e->adm, NULL, msg,
	    sizeof(msg)) == 404 && ia_streq(msg, it_fmt("No policy is associated"
	    " with endpoint %s.", ep3)));
	T("policies-9.4 remove as member -> 403", it_status(s, "DELETE",
	    it_fmt("%s/endpoints/%s", b, ep1), e->member, NULL) == 403);
	T("policies-9.5 remove with unknown endpoint -> 404", it_status(s,
	    "DELETE", it_fmt("%s/endpoints/nope", b), e->adm, NULL) == 404);
	T("policies-9.6 deleting an endpoint drops its association", it_status(s,
	    "DELETE", it_fmt("/v3/endpoints/%s", ep1), e->adm, NULL) == 204 &&
	    !ia_lists(s, it_fmt("%s/endpoints", b), e->adm, "endpoints", ep1));
	T("policies-9.7 deleting a policy drops its associations", it_status(s,
	    "DELETE", it_fmt(POL "/%s", p2), e->adm, NULL) == 204 && ia_err(s,
	    "GET", it_fmt("/v3/endpoints/%s/" EPP "/policy", ep2), e->adm, NULL,
	    msg, sizeof(msg)) == 404);
	T("policies-9.8 deleting a region drops its associations", it_status(s,
	    "PUT", it_fmt("%s/services/%s/regions/RegionKid", b, svc), e->adm,
	    NULL) == 204 && it_status(s, "DELETE", it_fmt("/v3/endpoints/%s", ep2),
	    e->adm, NULL) == 204 && it_status(s, "DELETE", "/v3/regions/RegionKid",
	    e->adm, NULL) == 204 && ia_count(s, it_fmt("%s/endpoints", b), e->adm,
	    "endpoints") == 0);
}

int
main(void)
{
	struct env	 e;
	char		 pid[64] = "", proj[64] = "";

	memset(&e, 0, sizeof(e));
	it_start(&e.s, NULL);
	e.adm = e.s.admin_token;
	ia_find_id(&e.s, "/v3/projects", "projects", "admin", proj, sizeof(proj));
	e.sysread = ia_persona(&e.s, "psysreader", "reader", 's', NULL);
	e.member = ia_persona(&e.s, "pmember", "member", 'p', proj);
	T("policies-0.1 personas", e.sysread != NULL && e.member != NULL);
	if (e.sysread == NULL)
		e.sysread = strdup("none");
	if (e.member == NULL)
		e.member = strdup("none");

	crud(&e, pid, sizeof(pid));
	associations(&e, pid);

	T("policies-0.2 clean exit", it_stop(&e.s) == 0);
	free(e.sysread);
	free(e.member);
	return t_report();
}
