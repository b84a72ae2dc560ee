/*
 * it_version.c - version discovery, routing errors and the HTTP layer's
 * generic behaviour (404/405/413, headers, malformed JSON).
 */
#include <string.h>

#include "tests/integration/it.h"

int
main(void)
{
	struct it_server	 s;
	struct it_resp		 r;
	char			*big, *h;
	const char		*hdr[] = { "Host: keygate.example:5000", NULL };

	it_start(&s, NULL);

	it_req(&s, "GET", "/v3", NULL, NULL, NULL, &r);
	T("version-1.1 GET /v3 -> 200", r.status == 200);
	T("version-1.2 id v3.14", r.json && strcmp(it_str(r.json, "version.id"), "v3.14") == 0);
	T("version-1.3 self link follows Host",
	    strcmp(it_str(r.json, "version.links.0.href"), it_fmt("%s/v3/", s.base)) == 0);
	T("version-1.4 media type", strcmp(it_str(r.json, "version.media-types.0.type"),
	    "application/vnd.openstack.identity-v3+json") == 0);
	h = it_header(&r, "x-openstack-request-id");
	T("version-1.5 request id header", h != NULL && strncmp(h, "req-", 4) == 0 && strlen(h) == 40);
	free(h);
	h = it_header(&r, "Vary");
	T("version-1.6 Vary: X-Auth-Token", h != NULL && strcmp(h, "X-Auth-Token") == 0);
	free(h);
	it_resp_free(&r);

	it_req(&s, "GET", "/v3", NULL, NULL, hdr, &r);
	T("version-1.7 Host header used in links", r.json &&
	    strcmp(it_str(r.json, "version.links.0.href"), "http://keygate.example:5000/v3/") == 0);
	it_resp_free(&r);

	it_req(&s, "GET", "/", NULL, NULL, NULL, &r);
	T("version-2.1 GET / -> 300", r.status == 300);
	T("version-2.2 versions list", r.json && strcmp(it_str(r.json, "versions.values.0.id"), "v3.14") == 0);
	it_resp_free(&r);

	T("version-2.3 HEAD /v3 -> 200", it_status(&s, "HEAD", "/v3", NULL, NULL) == 200);

	it_req(&s, "GET", "/v3/no-such-thing", NULL, NULL, NULL, &r);
	T("http-1.1 unknown path -> 404", r.status == 404);
	T("http-1.2 Keystone error body", r.json && json_integer_value(it_get(r.json, "error.code")) == 404 &&
	    strcmp(it_str(r.json, "error.title"), "Not Found") == 0 &&
	    it_str(r.json, "error.message") != NULL);
	it_resp_free(&r);

	it_req(&s, "DELETE", "/v3", NULL, NULL, NULL, &r);
	T("http-1.3 wrong method -> 405", r.status == 405 &&
	    json_integer_value(it_get(r.json, "error.code")) == 405);
	it_resp_free(&r);

	it_req(&s, "GET", "/v3/projects", NULL, NULL, NULL, &r);
	T("http-2.1 no token -> 401", r.status == 401);
	h = it_header(&r, "WWW-Authenticate");
	T("http-2.2 WWW-Authenticate: Keystone uri", h != NULL &&
	    strcmp(h, it_fmt("Keystone uri=\"%s/v3\"", s.base)) == 0);
	free(h);
	T("http-2.3 401 message is Keystone's", r.json && strcmp(it_str(r.json, "error.message"),
	    "The request you have made requires authentication.") == 0);
	it_resp_free(&r);

	it_req(&s, "POST", "/v3/auth/tokens", NULL, "{not json", NULL, &r);
	T("http-3.1 malformed JSON -> 400", r.status == 400 &&
	    json_integer_value(it_get(r.json, "error.code")) == 400);
	it_resp_free(&r);
	T("http-3.2 JSON array body -> 400",
	    it_status(&s, "POST", "/v3/auth/tokens", NULL, "[1,2]") == 400);

	big = malloc(200000);
	memset(big, ' ', 199999);
	big[0] = '{';
	big[199997] = '}';
	big[199998] = '\0';
	it_req(&s, "POST", "/v3/auth/tokens", NULL, big, NULL, &r);
	T("http-4.1 oversized body -> 413", r.status == 413 &&
	    json_integer_value(it_get(r.json, "error.code")) == 413);
	it_resp_free(&r);
	free(big);
	T("http-4.2 server still answers after 413",
	    it_status(&s, "GET", "/v3", NULL, NULL) == 200);

	T("server-1.1 clean exit on SIGTERM", it_stop(&s) == 0);
	return t_report();
}
