/*
 * test_metrics.c - unit tests for server/metrics.c (the /metrics address
 * matcher, counters and text rendering) and server/healthcheck.c's URL
 * handling.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "server/healthcheck.h"
#include "server/metrics.h"
#include "tests/t.h"

static struct sockaddr_storage	ss;

/* A sockaddr for a textual IPv4 or IPv6 address (static storage). */
static const struct sockaddr *
sa(const char *ip)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, ip, &sin->sin_addr) == 1)
		sin->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, ip, &sin6->sin6_addr) == 1)
		sin6->sin6_family = AF_INET6;
	return (const struct sockaddr *)&ss;
}

static int
allows(const char *spec, const char *ip)
{
	struct metrics_acl	acl;
	struct kg_err		err = { 0 };

	if (metrics_acl_parse(spec, &acl, &err) == -1)
		return -1;
	return metrics_acl_allows(&acl, sa(ip));
}

static int
parses(const char *spec)
{
	struct metrics_acl	acl;
	struct kg_err		err = { 0 };

	return metrics_acl_parse(spec, &acl, &err) == 0;
}

/* The value of the sample line starting with prefix in text, or -1. */
static double
sample(const char *text, const char *prefix)
{
	const char	*p = text;
	size_t		 n = strlen(prefix);

	while ((p = strstr(p, prefix)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return strtod(p + n + 1, NULL);
		p += n;
	}
	return -1;
}

static void *
hammer(void *arg)
{
	int	i;

	(void)arg;
	for (i = 0; i < 10000; i++) {
		metrics_request("/v3/threads", "GET", 200, 100);
		metrics_token_validated();
	}
	return NULL;
}

int
main(void)
{
	struct metrics_acl	 acl;
	struct kg_err		 err = { 0 };
	pthread_t		 th[4];
	char			*txt, host[64], port[16], path[128], url[128];
	int			 i;
	double			 before;

	/* ---- address matcher ---- */
	T("cidr-1.1 default: 127.0.0.1", allows("", "127.0.0.1") == 1);
	T("cidr-1.2 default: 127.8.9.10", allows("", "127.8.9.10") == 1);
	T("cidr-1.3 default: ::1", allows("", "::1") == 1);
	T("cidr-1.4 default: v4-mapped loopback", allows("", "::ffff:127.0.0.1") == 1);
	T("cidr-1.5 default refuses 10.0.0.1", allows("", "10.0.0.1") == 0);
	T("cidr-1.6 default refuses ::2", allows("", "::2") == 0);
	T("cidr-1.7 blank spec is default", allows("  ", "127.0.0.1") == 1);
	T("cidr-2.1 any", allows("any", "203.0.113.9") == 1 && allows("ANY", "2001:db8::1") == 1);
	T("cidr-2.2 /24 inside", allows("10.9.9.0/24", "10.9.9.200") == 1);
	T("cidr-2.3 /24 outside", allows("10.9.9.0/24", "10.9.8.1") == 0);
	T("cidr-2.4 list excludes loopback", allows("10.9.9.0/24", "127.0.0.1") == 0);
	T("cidr-2.5 host bits masked", allows("10.1.2.3/8", "10.200.0.1") == 1);
	T("cidr-2.6 odd prefix /20", allows("192.168.16.0/20", "192.168.31.255") == 1 &&
	    allows("192.168.16.0/20", "192.168.32.0") == 0);
	T("cidr-2.7 bare address = host", allows("192.0.2.7", "192.0.2.7") == 1 &&
	    allows("192.0.2.7", "192.0.2.8") == 0);
	T("cidr-2.8 /0 matches all IPv4", allows("0.0.0.0/0", "198.51.100.1") == 1 &&
	    allows("0.0.0.0/0", "2001:db8::1") == 0);
	T("cidr-2.9 IPv6 prefix", allows("fd00::/8", "fd12:3456::1") == 1 &&
	    allows("fd00::/8", "fe80::1") == 0);
	T("cidr-2.10 IPv6 /127", allows("2001:db8::/127", "2001:db8::1") == 1 &&
	    allows("2001:db8::/127", "2001:db8::2") == 0);
	T("cidr-2.11 list with spaces", allows(" 10.0.0.0/8 , ::1 ", "::1") == 1 &&
	    allows(" 10.0.0.0/8 , ::1 ", "10.1.1.1") == 1 &&
	    allows(" 10.0.0.0/8 , ::1 ", "127.0.0.1") == 0);
	T("cidr-2.12 v4-mapped client vs IPv4 CIDR",
	    allows("10.9.9.0/24", "::ffff:10.9.9.1") == 1);
	T("cidr-2.13 IPv4 CIDR never matches native IPv6",
	    allows("0.0.0.0/0", "::") == 0);
	T("cidr-3.1 reject garbage", !parses("localhost"));
	T("cidr-3.2 reject prefix > 32", !parses("10.0.0.0/33"));
	T("cidr-3.3 reject prefix > 128", !parses("::/129"));
	T("cidr-3.4 reject negative prefix", !parses("10.0.0.0/-1"));
	T("cidr-3.5 reject empty prefix", !parses("10.0.0.0/"));
	T("cidr-3.6 reject empty entry", !parses("10.0.0.0/8,,::1"));
	T("cidr-3.7 reject trailing comma", !parses("10.0.0.0/8,"));
	T("cidr-3.8 error names the entry", metrics_acl_parse("10.0.0.0/8,bogus", &acl,
	    &err) == -1 && err.kind == KG_EBADREQ && strstr(err.msg, "bogus") != NULL);
	memset(&acl, 0, sizeof(acl));
	T("cidr-3.9 NULL address refused", metrics_acl_allows(&acl, NULL) == 0);

	/* ---- counters and rendering ---- */
	txt = metrics_render(1795597615000000LL);
	T("metrics-1.1 render", txt != NULL);
	T("metrics-1.2 token counters start at 0",
	    txt && sample(txt, "keygate_tokens_issued_total") == 0 &&
	    sample(txt, "keygate_db_errors_total") == 0);
	T("metrics-1.3 build info", txt && strstr(txt,
	    "keygate_build_info{version=\"" KEYGATE_VERSION "\"} 1\n") != NULL);
	T("metrics-1.4 start time", txt &&
	    sample(txt, "process_start_time_seconds") == 1795597615.0);
	T("metrics-1.5 TYPE lines", txt &&
	    strstr(txt, "# TYPE keygate_http_requests_total counter\n") &&
	    strstr(txt, "# TYPE keygate_http_request_duration_seconds histogram\n"));
	free(txt);

	metrics_request("/v3/users/{}", "GET", 200, 3000);
	metrics_request("/v3/users/{}", "GET", 200, 20000000);
	metrics_request("/v3/users/{}", "DELETE", 404, 10);
	metrics_request(NULL, "BREW", 418, 10);
	metrics_token_issued();
	metrics_token_issued();
	metrics_token_revoked();
	metrics_auth_failure();
	metrics_db_error();
	txt = metrics_render(0);
	T("metrics-2.1 request counter", txt && sample(txt, "keygate_http_requests_total"
	    "{route=\"/v3/users/{}\",method=\"GET\",status=\"200\"}") == 2);
	T("metrics-2.2 other method/status", txt && sample(txt,
	    "keygate_http_requests_total{route=\"/v3/users/{}\",method=\"DELETE\","
	    "status=\"404\"}") == 1);
	T("metrics-2.3 unmatched, unknown method, status class", txt && sample(txt,
	    "keygate_http_requests_total{route=\"unmatched\",method=\"other\","
	    "status=\"4xx\"}") == 1);
	T("metrics-2.4 histogram buckets cumulative", txt &&
	    sample(txt, "keygate_http_request_duration_seconds_bucket"
	    "{route=\"/v3/users/{}\",le=\"0.001\"}") == 1 &&
	    sample(txt, "keygate_http_request_duration_seconds_bucket"
	    "{route=\"/v3/users/{}\",le=\"0.005\"}") == 2 &&
	    sample(txt, "keygate_http_request_duration_seconds_bucket"
	    "{route=\"/v3/users/{}\",le=\"10\"}") == 2 &&
	    sample(txt, "keygate_http_request_duration_seconds_bucket"
	    "{route=\"/v3/users/{}\",le=\"+Inf\"}") == 3);
	T("metrics-2.5 histogram count and sum", txt &&
	    sample(txt, "keygate_http_request_duration_seconds_count"
	    "{route=\"/v3/users/{}\"}") == 3 &&
	    sample(txt, "keygate_http_request_duration_seconds_sum"
	    "{route=\"/v3/users/{}\"}") > 20.0);
	T("metrics-2.6 event counters", txt &&
	    sample(txt, "keygate_tokens_issued_total") == 2 &&
	    sample(txt, "keygate_tokens_revoked_total") == 1 &&
	    sample(txt, "keygate_auth_failures_total") == 1 &&
	    sample(txt, "keygate_db_errors_total") == 1 &&
	    sample(txt, "keygate_tokens_validated_total") == 0);
	T("metrics-2.7 no empty series", txt && strstr(txt, "method=\"PUT\"") == NULL);
	before = txt ? sample(txt, "keygate_tokens_validated_total") : -1;
	free(txt);

	/* Same pattern, different pointer: same series. */
	{
		char	pat[] = "/v3/users/{}";

		metrics_request(pat, "GET", 200, 1);
	}
	for (i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, hammer, NULL);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	txt = metrics_render(0);
	T("metrics-3.1 pattern compared by content", txt && sample(txt,
	    "keygate_http_requests_total{route=\"/v3/users/{}\",method=\"GET\","
	    "status=\"200\"}") == 3);
	T("metrics-3.2 concurrent adds are not lost", txt && sample(txt,
	    "keygate_http_requests_total{route=\"/v3/threads\",method=\"GET\","
	    "status=\"200\"}") == 40000 &&
	    sample(txt, "keygate_tokens_validated_total") == before + 40000);
	free(txt);

	/* Many routes: past METRICS_MAX_ROUTES they fold into "other". */
	{
		static char	names[METRICS_MAX_ROUTES + 10][16];

		for (i = 0; i < METRICS_MAX_ROUTES + 10; i++) {
			snprintf(names[i], sizeof(names[i]), "/r/%d", i);
			metrics_request(names[i], "GET", 200, 1);
		}
	}
	txt = metrics_render(0);
	T("metrics-3.3 overflow row", txt && sample(txt,
	    "keygate_http_requests_total{route=\"other\",method=\"GET\","
	    "status=\"200\"}") >= 10);
	T("metrics-3.4 earlier routes still counted", txt && sample(txt,
	    "keygate_http_requests_total{route=\"/v3/threads\",method=\"GET\","
	    "status=\"200\"}") == 40000);
	free(txt);

	/* ---- healthcheck URLs ---- */
	T("hc-1.1 url from listen", healthcheck_url("127.0.0.1:5000", url,
	    sizeof(url)) == 0 && strcmp(url, "http://127.0.0.1:5000/healthcheck") == 0);
	T("hc-1.2 wildcard v4 -> loopback", healthcheck_url("0.0.0.0:35357", url,
	    sizeof(url)) == 0 && strcmp(url, "http://127.0.0.1:35357/healthcheck") == 0);
	T("hc-1.3 wildcard v6 -> ::1", healthcheck_url("[::]:5000", url,
	    sizeof(url)) == 0 && strcmp(url, "http://[::1]:5000/healthcheck") == 0);
	T("hc-1.4 no port", healthcheck_url("localhost", url, sizeof(url)) == -1);
	T("hc-2.1 parse", healthcheck_parse_url("http://h:81/x/y", host, sizeof(host),
	    port, sizeof(port), path, sizeof(path)) == 0 && strcmp(host, "h") == 0 &&
	    strcmp(port, "81") == 0 && strcmp(path, "/x/y") == 0);
	T("hc-2.2 parse v6, default path", healthcheck_parse_url("http://[::1]:5000",
	    host, sizeof(host), port, sizeof(port), path, sizeof(path)) == 0 &&
	    strcmp(host, "::1") == 0 && strcmp(port, "5000") == 0 &&
	    strcmp(path, "/") == 0);
	T("hc-2.3 parse default port", healthcheck_parse_url("http://example/h",
	    host, sizeof(host), port, sizeof(port), path, sizeof(path)) == 0 &&
	    strcmp(port, "80") == 0);
	T("hc-2.4 https refused", healthcheck_parse_url("https://h/", host,
	    sizeof(host), port, sizeof(port), path, sizeof(path)) == -1);
	T("hc-2.5 bad port", healthcheck_parse_url("http://h:8x/", host,
	    sizeof(host), port, sizeof(port), path, sizeof(path)) == -1);
	T("hc-2.6 empty host", healthcheck_parse_url("http://:80/", host,
	    sizeof(host), port, sizeof(port), path, sizeof(path)) == -1);
	T("hc-2.7 CRLF in path refused", healthcheck_parse_url("http://h/a\r\nX: y",
	    host, sizeof(host), port, sizeof(port), path, sizeof(path)) == -1);
	T("hc-3.1 get: nothing listening -> error", healthcheck_get(
	    "http://127.0.0.1:1/healthcheck", 2, &i, &err) == -1);
	return t_report();
}
