/*
 * it_audit.c - regressions found by the buffer and length audit and the
 * request fuzzer (docs/audit.md): each case crashed the server, answered
 * an error without a body, answered 500, or stored what it then could
 * not show.
 */
#include <string.h>

#include "tests/integration/it.h"

/* A Keystone error body with this code. */
static int
keystone_error(const struct it_resp *r, long code)
{
	json_t	*c = it_get(r->json, "error.code");

	return r->status == code && json_is_integer(c) && json_integer_value(c) == code &&
	    it_str(r->json, "error.title") != NULL && it_str(r->json, "error.message") != NULL;
}

int
main(void)
{
	struct it_server	 s;
	struct it_resp		 r;
	const char		*tok, *pid, *self;
	char			 longid[80], body[512];
	const char		*bad_host[] = { "Host: \xff\xfe", NULL };
	const char		*quote_host[] = { "Host: a\"b", NULL };
	const char		*long_host[700 / 8];
	char			 lh[700];
	size_t			 i;

	it_start(&s, NULL);
	tok = s.admin_token;

	/* audit-1: PUT /v3/regions/{id} with an id over 64 characters and no
	 * "id" in the body dereferenced NULL in the 400 text (SIGSEGV). */
	memset(longid, 'a', 70);
	longid[70] = '\0';
	it_req(&s, "PUT", it_fmt("/v3/regions/%s", longid), tok, "{\"region\": {}}",
	    NULL, &r);
	T("audit-1.1 PUT a region with a 70-character id -> 400", keystone_error(&r, 400));
	it_resp_free(&r);
	T("audit-1.2 ... and the server is still up", it_status(&s, "GET", "/v3", NULL,
	    NULL) == 200);

	/* audit-2: path bytes that are not UTF-8 were stored (region id, project
	 * tag), then vanished from every listing, the region with a 500. */
	it_req(&s, "PUT", "/v3/regions/%80%80%ff", tok, "{\"region\": {}}", NULL, &r);
	T("audit-2.1 PUT /v3/regions/<not UTF-8> -> 400", keystone_error(&r, 400));
	it_resp_free(&r);
	it_req(&s, "GET", "/v3/regions", tok, NULL, NULL, &r);
	T("audit-2.2 ... and nothing was stored", json_array_size(it_get(r.json,
	    "regions")) == 1);
	it_resp_free(&r);
	it_req(&s, "GET", "/v3/projects?name=admin", tok, NULL, NULL, &r);
	pid = it_str(r.json, "projects.0.id");
	snprintf(body, sizeof(body), "%s", pid ? pid : "none");
	it_resp_free(&r);
	it_req(&s, "PUT", it_fmt("/v3/projects/%s/tags/%%80%%80%%ff", body), tok, NULL,
	    NULL, &r);
	T("audit-2.3 PUT a project tag that is not UTF-8 -> 400", keystone_error(&r, 400));
	it_resp_free(&r);
	it_req(&s, "PUT", it_fmt("/v3/projects/%s/tags/%s", body,
	    "%80%80%80%80%80%80%80%80%80%80%80%80%80%80%80%80%80%80%80%80"), tok, NULL,
	    NULL, &r);
	T("audit-2.4 ... nor made of continuation bytes only (counted 0 characters)",
	    keystone_error(&r, 400));
	it_resp_free(&r);

	/* audit-3: an error text quoting client input was cut inside a UTF-8
	 * character: the body could not be encoded, the client got none. */
	snprintf(body, sizeof(body), "{\"user\": {\"name\": \"x\", \"enabled\": \"");
	for (i = 0; i < 60; i++)
		t_cat(body, sizeof(body), "\xc3\xa9");
	t_cat(body, sizeof(body), "\"}}");
	it_req(&s, "POST", "/v3/users", tok, body, NULL, &r);
	T("audit-3.1 a long non-ASCII value in a 400 text -> Keystone's body",
	    keystone_error(&r, 400));
	it_resp_free(&r);
	it_req(&s, "GET", "/v3/users/%ff%fe/groups", tok, NULL, NULL, &r);
	T("audit-3.2 an id that is not UTF-8 -> 404 with Keystone's body",
	    keystone_error(&r, 404));
	it_resp_free(&r);
	/* On PostgreSQL, which refuses such text, these were 500s. */
	it_req(&s, "GET", "/v3/users?name=%ff%fe", tok, NULL, NULL, &r);
	T("audit-3.3 a list filter that is not UTF-8 -> 200, nothing matches",
	    r.status == 200 && json_array_size(it_get(r.json, "users")) == 0);
	it_resp_free(&r);
	it_req(&s, "GET", "/v3/projects/%ff/tags/%ff", tok, NULL, NULL, &r);
	T("audit-3.4 a project id and tag that are not UTF-8 -> 404",
	    keystone_error(&r, 404));
	it_resp_free(&r);

	/* audit-4: the Host header went into every link unchecked: a byte that
	 * is not UTF-8 turned each reply with a link into a 500. */
	it_req(&s, "GET", "/v3/users", tok, NULL, bad_host, &r);
	self = it_str(r.json, "links.self");
	T("audit-4.1 Host that is not UTF-8 -> 200", r.status == 200);
	T("audit-4.2 ... links from the listen address",
	    self != NULL && strcmp(self, it_fmt("%s/v3/users", s.base)) == 0);
	it_resp_free(&r);
	it_req(&s, "GET", "/v3/users", NULL, NULL, quote_host, &r);
	{
		char	*h = it_header(&r, "WWW-Authenticate");

		T("audit-4.3 a quote in Host does not reach WWW-Authenticate",
		    r.status == 401 && h != NULL &&
		    strcmp(h, it_fmt("Keystone uri=\"%s/v3\"", s.base)) == 0);
		free(h);
	}
	it_resp_free(&r);
	memset(lh, 'h', sizeof(lh) - 1);
	memcpy(lh, "Host: ", 6);
	lh[sizeof(lh) - 1] = '\0';
	long_host[0] = lh;
	long_host[1] = NULL;
	it_req(&s, "GET", "/v3", NULL, NULL, long_host, &r);
	T("audit-4.4 a Host too long for a link is not cut into one",
	    r.status == 200 && strcmp(it_str(r.json, "version.links.0.href"),
	    it_fmt("%s/v3/", s.base)) == 0);
	it_resp_free(&r);

	/* audit-5: values longer than the fixed array they are copied into
	 * were cut silently: the cut value named another region, or was
	 * stored as broken UTF-8 and vanished from the user. */
	memset(longid, 'R', 64);
	longid[64] = '\0';
	T("audit-5.1 a region with a 64-character id", it_status(&s, "PUT",
	    it_fmt("/v3/regions/%s", longid), tok, "{\"region\": {}}") == 201);
	it_req(&s, "PUT", "/v3/regions/child5", tok, it_fmt("{\"region\": "
	    "{\"parent_region_id\": \"%sXYZ\"}}", longid), NULL, &r);
	T("audit-5.2 a parent_region_id longer than any id -> 404, not its "
	    "64-character prefix", keystone_error(&r, 404));
	it_resp_free(&r);
	T("audit-5.3 ... and no region was made", it_status(&s, "GET",
	    "/v3/regions/child5", tok, NULL) == 404);
	T("audit-5.4 PATCH the same way -> 404", it_status(&s, "PATCH",
	    it_fmt("/v3/regions/%s", longid), tok, it_fmt("{\"region\": "
	    "{\"parent_region_id\": \"%sXYZ\"}}", longid)) == 404);
	it_req(&s, "GET", "/v3/services", tok, NULL, NULL, &r);
	snprintf(body, sizeof(body), "{\"endpoint\": {\"service_id\": \"%s\", "
	    "\"interface\": \"public\", \"url\": \"http://x/\", \"region\": "
	    "\"%.64sQQ\"}}", it_str(r.json, "services.0.id") ?
	    it_str(r.json, "services.0.id") : "none",
	    "QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ");
	it_resp_free(&r);
	it_req(&s, "POST", "/v3/endpoints", tok, body, NULL, &r);
	T("audit-5.5 an endpoint's legacy region too long for a region id -> 400",
	    keystone_error(&r, 400));
	it_resp_free(&r);
	T("audit-5.6 ... and the cut region was not made", it_status(&s, "GET",
	    it_fmt("/v3/regions/%.64s",
	    "QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ"), tok,
	    NULL) == 404);
	snprintf(body, sizeof(body), "{\"user\": {\"name\": \"dp\", "
	    "\"default_project_id\": \"a");
	for (i = 0; i < 63; i++)
		t_cat(body, sizeof(body), "\xc3\xa9");
	t_cat(body, sizeof(body), "\"}}");
	it_req(&s, "POST", "/v3/users", tok, body, NULL, &r);
	T("audit-5.7 a default_project_id that is not an id -> 400 (it was cut "
	    "inside a character)", keystone_error(&r, 400));
	it_resp_free(&r);

	T("audit-9.1 clean exit", it_stop(&s) == 0);
	return t_report();
}
