/*
 * it_ops.c - operability: GET /healthcheck, GET /metrics (format, counters
 * moving, access control by metrics.allow, 404 when disabled) and the
 * "keygate healthcheck" subcommand, against the real server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/integration/it.h"

/* The value of the sample line starting with prefix, or -1. */
static double
sample(const char *text, const char *prefix)
{
	const char	*p = text;
	size_t		 n = strlen(prefix);

	if (text == NULL)
		return -1;
	while ((p = strstr(p, prefix)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return strtod(p + n + 1, NULL);
		p += n;
	}
	return -1;
}

/* Every non-comment line is "name{labels} value" or "name value". */
static int
well_formed(const char *text)
{
	const char	*p = text, *nl, *sp;

	if (text == NULL || *text == '\0')
		return 0;
	for (; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			return 0;		/* must end with a newline */
		if (*p == '#') {
			if (strncmp(p, "# HELP ", 7) != 0 && strncmp(p, "# TYPE ", 7) != 0)
				return 0;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
			return 0;
		if ((sp = memchr(p, ' ', (size_t)(nl - p))) == NULL || sp + 1 == nl)
			return 0;
		if (memchr(p, '{', (size_t)(sp - p)) != NULL && sp[-1] != '}')
			return 0;
	}
	return 1;
}

/* Run build/keygate healthcheck ARGS; returns its exit status. */
static int
run_healthcheck(const char *args)
{
	const char	*b = getenv("KG_BUILD");
	char		 cmd[512];
	int		 st;

	snprintf(cmd, sizeof(cmd), "%s/keygate healthcheck %s 2>/dev/null",
	    b && *b ? b : "build", args);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int
main(void)
{
	static const char *const deny_env[] = { "KEYGATE_METRICS_ALLOW=10.9.9.0/24", NULL };
	static const char *const list_env[] = {
		"KEYGATE_METRICS_ALLOW=10.9.9.0/24, 127.0.0.1", NULL };
	static const char *const off_env[] = { "KEYGATE_METRICS_ENABLED=false",
		"KEYGATE_METRICS_ALLOW=", NULL };
	struct it_server	 s;
	struct it_resp		 r;
	char			*h, *m1 = NULL, *tok;
	const char		*v3 = "keygate_http_requests_total{route=\"/v3\","
				    "method=\"GET\",status=\"200\"}";
	double			 before;
	int			 i;

	it_start(&s, NULL);

	/* ---- healthcheck ---- */
	it_req(&s, "GET", "/healthcheck", NULL, NULL, NULL, &r);
	T("ops-1.1 GET /healthcheck -> 200 without a token", r.status == 200);
	T("ops-1.2 body OK", strcmp(r.body, "OK") == 0);
	h = it_header(&r, "Content-Type");
	T("ops-1.3 text/plain", h != NULL && strncmp(h, "text/plain", 10) == 0);
	free(h);
	it_resp_free(&r);
	T("ops-1.4 HEAD /healthcheck -> 200",
	    it_status(&s, "HEAD", "/healthcheck", NULL, NULL) == 200);
	T("ops-1.5 POST /healthcheck -> 405",
	    it_status(&s, "POST", "/healthcheck", NULL, "{}") == 405);
	T("ops-2.1 keygate healthcheck -u URL -> exit 0",
	    run_healthcheck(it_fmt("-u %s/healthcheck", s.base)) == 0);
	T("ops-2.2 keygate healthcheck (server.listen from env) -> exit 0",
	    run_healthcheck("") == 0);
	T("ops-2.3 wrong path (404) -> exit 1",
	    run_healthcheck(it_fmt("-u %s/nope", s.base)) == 1);
	T("ops-2.4 nothing listening -> exit 1",
	    run_healthcheck("-u http://127.0.0.1:1/healthcheck -t 2") == 1);
	T("ops-2.5 bad URL -> exit 1",
	    run_healthcheck("-u ftp://127.0.0.1/healthcheck") == 1);

	/* ---- metrics ---- */
	it_req(&s, "GET", "/metrics", NULL, NULL, NULL, &r);
	T("ops-3.1 GET /metrics from loopback -> 200", r.status == 200);
	h = it_header(&r, "Content-Type");
	T("ops-3.2 Prometheus content type", h != NULL &&
	    strncmp(h, "text/plain; version=0.0.4", 25) == 0);
	free(h);
	T("ops-3.3 exposition format", well_formed(r.body));
	T("ops-3.4 every family present", r.body &&
	    strstr(r.body, "# TYPE keygate_http_requests_total counter\n") &&
	    strstr(r.body, "# TYPE keygate_http_request_duration_seconds histogram\n") &&
	    strstr(r.body, "# TYPE keygate_tokens_issued_total counter\n") &&
	    strstr(r.body, "# TYPE keygate_tokens_validated_total counter\n") &&
	    strstr(r.body, "# TYPE keygate_tokens_revoked_total counter\n") &&
	    strstr(r.body, "# TYPE keygate_auth_failures_total counter\n") &&
	    strstr(r.body, "# TYPE keygate_db_errors_total counter\n") &&
	    strstr(r.body, "keygate_build_info{version=\"") &&
	    sample(r.body, "process_start_time_seconds") > 1.5e9);
	T("ops-3.5 healthchecks counted", sample(r.body, "keygate_http_requests_total"
	    "{route=\"/healthcheck\",method=\"GET\",status=\"200\"}") >= 1);
	T("ops-3.6 HEAD counted apart", sample(r.body, "keygate_http_requests_total"
	    "{route=\"/healthcheck\",method=\"HEAD\",status=\"200\"}") == 1);
	T("ops-3.7 405 counted", sample(r.body, "keygate_http_requests_total"
	    "{route=\"unmatched\",method=\"POST\",status=\"405\"}") == 1);
	m1 = r.body ? strdup(r.body) : NULL;
	it_resp_free(&r);

	before = sample(m1, v3);
	for (i = 0; i < 3; i++)
		it_status(&s, "GET", "/v3", NULL, NULL);
	it_status(&s, "GET", "/v3/no-such-thing", NULL, NULL);
	it_req(&s, "GET", "/metrics", NULL, NULL, NULL, &r);
	T("ops-4.1 /v3 counter grew by 3", before >= 1 && sample(r.body, v3) == before + 3);
	T("ops-4.2 404 on unmatched path counted", sample(r.body,
	    "keygate_http_requests_total{route=\"unmatched\",method=\"GET\","
	    "status=\"404\"}") >= 1);
	T("ops-4.3 previous scrape counted", sample(r.body, "keygate_http_requests_total"
	    "{route=\"/metrics\",method=\"GET\",status=\"200\"}") >= 1);
	T("ops-4.4 histogram count follows", sample(r.body,
	    "keygate_http_request_duration_seconds_count{route=\"/v3\"}") == before + 3 &&
	    sample(r.body, "keygate_http_request_duration_seconds_bucket"
	    "{route=\"/v3\",le=\"+Inf\"}") == before + 3);
	it_resp_free(&r);

	/*
	 * Token counters. X-Auth-Token checks are counted by http.c; issuing
	 * and password failures by the token module (auth/, api_auth.c).
	 */
	T("ops-4.5 unknown token -> 401",
	    it_status(&s, "GET", "/v3/regions", "not-a-token", NULL) == 401);
	T("ops-4.6 admin token accepted",
	    it_status(&s, "GET", "/v3/regions", s.admin_token, NULL) == 200);
	tok = it_token(&s, "admin", IT_ADMIN_PASSWORD, "admin");
	free(tok);
	tok = it_token(&s, "admin", "wrong-password", NULL);
	T("ops-4.7 wrong password refused", tok == NULL);
	free(tok);
	it_req(&s, "GET", "/metrics", NULL, NULL, NULL, &r);
	T("ops-4.8 refused X-Auth-Token counted as auth failure",
	    sample(r.body, "keygate_auth_failures_total") >=
	    sample(m1, "keygate_auth_failures_total") + 1);
	T("ops-4.9 accepted X-Auth-Token counted as validated",
	    sample(r.body, "keygate_tokens_validated_total") >=
	    sample(m1, "keygate_tokens_validated_total") + 1);
	T("ops-4.10 issued token counted (token module)",
	    sample(r.body, "keygate_tokens_issued_total") >=
	    sample(m1, "keygate_tokens_issued_total") + 1);
	T("ops-4.11 wrong password counted (token module)",
	    sample(r.body, "keygate_auth_failures_total") >=
	    sample(m1, "keygate_auth_failures_total") + 2);
	T("ops-4.12 token cache counters", sample(r.body,
	    "keygate_token_cache_hits_total") >= 0 &&
	    sample(r.body, "keygate_token_cache_misses_total") >= 1);
	T("ops-4.13 no 5xx, no db errors", sample(r.body, "keygate_db_errors_total") == 0);
	it_resp_free(&r);
	free(m1);
	T("ops-4.14 clean exit", it_stop(&s) == 0);

	/* ---- access control ---- */
	it_start(&s, deny_env);
	it_req(&s, "GET", "/metrics", NULL, NULL, NULL, &r);
	T("ops-5.1 metrics.allow without loopback -> 403", r.status == 403);
	T("ops-5.2 Keystone error body", r.json &&
	    json_integer_value(it_get(r.json, "error.code")) == 403);
	T("ops-5.3 no metrics leaked", r.body && strstr(r.body, "keygate_") == NULL);
	it_resp_free(&r);
	T("ops-5.4 healthcheck unaffected",
	    it_status(&s, "GET", "/healthcheck", NULL, NULL) == 200);
	T("ops-5.5 clean exit", it_stop(&s) == 0);

	it_start(&s, list_env);
	T("ops-6.1 loopback host in a CIDR list -> 200",
	    it_status(&s, "GET", "/metrics", NULL, NULL) == 200);
	T("ops-6.2 clean exit", it_stop(&s) == 0);

	it_start(&s, off_env);
	T("ops-7.1 metrics.enabled=false -> 404",
	    it_status(&s, "GET", "/metrics", NULL, NULL) == 404);
	T("ops-7.2 healthcheck still 200",
	    it_status(&s, "GET", "/healthcheck", NULL, NULL) == 200);
	T("ops-7.3 clean exit", it_stop(&s) == 0);

	{
		const char	*b = getenv("KG_BUILD");
		int		 st;

		st = system(it_fmt("KEYGATE_METRICS_ALLOW=10.0.0.0/99 %s/keygate serve -n"
		    " >/dev/null 2>&1", b && *b ? b : "build"));
		T("ops-8.1 bad metrics.allow refused at start",
		    WIFEXITED(st) && WEXITSTATUS(st) == 1);
		st = system(it_fmt("KEYGATE_METRICS_ALLOW='any' %s/keygate serve -n"
		    " >/dev/null 2>&1", b && *b ? b : "build"));
		T("ops-8.2 good metrics.allow accepted", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	return t_report();
}
