/*
 * metrics.c - lock-free Prometheus counters and the /metrics address
 * matcher (see metrics.h).
 *
 * Requests are counted in fixed arrays indexed by [route][method][status].
 * Route patterns get their index from a small open-addressing table whose
 * slots are claimed with compare-and-swap, so the first request on a route
 * registers it and every later one finds it with one hash and a strcmp.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "auth/password.h"
#include "server/metrics.h"

#define ROUTE_SLOTS	256			/* power of two > METRICS_MAX_ROUTES */
#define ROUTE_OTHER	ROUTE_SLOTS		/* row for routes past the limit */
#define NROUTES		(ROUTE_SLOTS + 1)

static const char *const methods[] = {
	"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"
};
#define NMETHODS	(sizeof(methods) / sizeof(methods[0]))

/* Statuses counted exactly; anything else is counted as its class ("4xx"). */
static const unsigned int statuses[] = {
	200, 201, 204, 300, 400, 401, 403, 404, 405, 409, 413, 415, 500, 501, 503
};
#define NEXACT		(sizeof(statuses) / sizeof(statuses[0]))
#define NSTATUSES	(NEXACT + 6)		/* + 1xx..5xx + "other" */

/* Histogram upper bounds, seconds (as µs), then +Inf. */
static const int64_t bounds_us[] = {
	1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000, 10000000
};
#define NBOUNDS		(sizeof(bounds_us) / sizeof(bounds_us[0]))

static _Atomic(const char *)	route_names[ROUTE_SLOTS];
static atomic_uint		route_count;
static _Atomic uint64_t		requests[NROUTES][NMETHODS][NSTATUSES];
static _Atomic uint64_t		dur_bucket[NROUTES][NBOUNDS + 1];
static _Atomic uint64_t		dur_sum_us[NROUTES];
static _Atomic uint64_t		dur_count[NROUTES];
static atomic_int		hash_queued, hash_running;

static _Atomic uint64_t		tokens_issued, tokens_validated, tokens_revoked,
				auth_failures, auth_limited, db_errors, conns_evicted;
static _Atomic int64_t		conns_open;

static uint32_t
fnv1a(const char *s)
{
	uint32_t	h = 2166136261u;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

/* The row for route pattern name (a string that lives forever). */
static size_t
route_index(const char *name)
{
	const char	*cur, *expected;
	size_t		 i, n;
	uint32_t	 h = fnv1a(name);

	for (n = 0; n < ROUTE_SLOTS; n++) {
		i = (h + n) & (ROUTE_SLOTS - 1);
		cur = atomic_load_explicit(&route_names[i], memory_order_acquire);
		if (cur == NULL) {
			if (atomic_load_explicit(&route_count, memory_order_relaxed) >=
			    METRICS_MAX_ROUTES)
				return ROUTE_OTHER;
			expected = NULL;
			if (atomic_compare_exchange_strong(&route_names[i], &expected,
			    name)) {
				atomic_fetch_add(&route_count, 1);
				return i;
			}
			cur = expected;		/* another thread claimed it */
		}
		if (cur == name || strcmp(cur, name) == 0)
			return i;
	}
	return ROUTE_OTHER;
}

static size_t
method_index(const char *m)
{
	size_t	i;

	for (i = 0; m != NULL && i < NMETHODS - 1; i++)
		if (strcmp(m, methods[i]) == 0)
			return i;
	return NMETHODS - 1;
}

static size_t
status_index(unsigned int status)
{
	size_t	i;

	for (i = 0; i < NEXACT; i++)
		if (statuses[i] == status)
			return i;
	if (status >= 100 && status < 600)
		return NEXACT + status / 100 - 1;	/* 1xx .. 5xx */
	return NSTATUSES - 1;
}

static void
status_label(size_t idx, char *out, size_t outsz)
{
	if (idx < NEXACT)
		snprintf(out, outsz, "%u", statuses[idx]);
	else if (idx < NSTATUSES - 1)
		snprintf(out, outsz, "%zuxx", idx - NEXACT + 1);
	else
		snprintf(out, outsz, "other");
}

void
metrics_request(const char *route, const char *method, unsigned int status,
    int64_t duration_us)
{
	size_t	ri = route_index(route != NULL ? route : "unmatched"), b;

	if (duration_us < 0)
		duration_us = 0;
	atomic_fetch_add_explicit(&requests[ri][method_index(method)]
	    [status_index(status)], 1, memory_order_relaxed);
	for (b = 0; b < NBOUNDS && duration_us > bounds_us[b]; b++)
		;
	atomic_fetch_add_explicit(&dur_bucket[ri][b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&dur_sum_us[ri], (uint64_t)duration_us,
	    memory_order_relaxed);
	atomic_fetch_add_explicit(&dur_count[ri], 1, memory_order_relaxed);
}

void
metrics_token_issued(void)
{
	atomic_fetch_add_explicit(&tokens_issued, 1, memory_order_relaxed);
}

void
metrics_token_validated(void)
{
	atomic_fetch_add_explicit(&tokens_validated, 1, memory_order_relaxed);
}

void
metrics_token_revoked(void)
{
	atomic_fetch_add_explicit(&tokens_revoked, 1, memory_order_relaxed);
}

void
metrics_connection_opened(void)
{
	atomic_fetch_add_explicit(&conns_open, 1, memory_order_relaxed);
}

void
metrics_connection_closed(void)
{
	atomic_fetch_sub_explicit(&conns_open, 1, memory_order_relaxed);
}

void
metrics_connections_evicted(unsigned int n)
{
	atomic_fetch_add_explicit(&conns_evicted, n, memory_order_relaxed);
}

void
metrics_auth_failure(void)
{
	atomic_fetch_add_explicit(&auth_failures, 1, memory_order_relaxed);
}

void
metrics_auth_limited(void)
{
	atomic_fetch_add_explicit(&auth_limited, 1, memory_order_relaxed);
}

void
metrics_db_error(void)
{
	atomic_fetch_add_explicit(&db_errors, 1, memory_order_relaxed);
}

/* ------------------------------------------------------------------------
 * Rendering.
 * --------------------------------------------------------------------- */

static const char *
row_name(size_t ri)
{
	return ri == ROUTE_OTHER ? "other" :
	    atomic_load_explicit(&route_names[ri], memory_order_acquire);
}

/* Print s as a label value: escape \, " and newline. */
static void
label(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n') {
			fputs("\\n", f);
			continue;
		}
		fputc(*s, f);
	}
}

static void
counter(FILE *f, const char *name, const char *help, _Atomic uint64_t *v)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help, name,
	    name, (unsigned long long)atomic_load_explicit(v, memory_order_relaxed));
}

char *
metrics_render(int64_t started_at)
{
	FILE		*f;
	char		*buf = NULL, st[8];
	size_t		 len = 0, ri, mi, si, b;
	uint64_t	 v, cum;
	const char	*name;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return NULL;
	fputs("# HELP keygate_http_requests_total HTTP requests by route pattern,"
	    " method and status.\n# TYPE keygate_http_requests_total counter\n", f);
	for (ri = 0; ri < NROUTES; ri++) {
		if ((name = row_name(ri)) == NULL)
			continue;
		for (mi = 0; mi < NMETHODS; mi++)
			for (si = 0; si < NSTATUSES; si++) {
				v = atomic_load_explicit(&requests[ri][mi][si],
				    memory_order_relaxed);
				if (v == 0)
					continue;
				status_label(si, st, sizeof(st));
				fputs("keygate_http_requests_total{route=\"", f);
				label(f, name);
				fprintf(f, "\",method=\"%s\",status=\"%s\"} %llu\n",
				    methods[mi], st, (unsigned long long)v);
			}
	}

	fputs("# HELP keygate_http_request_duration_seconds HTTP request latency"
	    " by route pattern.\n"
	    "# TYPE keygate_http_request_duration_seconds histogram\n", f);
	for (ri = 0; ri < NROUTES; ri++) {
		if ((name = row_name(ri)) == NULL ||
		    atomic_load_explicit(&dur_count[ri], memory_order_relaxed) == 0)
			continue;
		cum = 0;
		for (b = 0; b <= NBOUNDS; b++) {
			cum += atomic_load_explicit(&dur_bucket[ri][b],
			    memory_order_relaxed);
			fputs("keygate_http_request_duration_seconds_bucket{route=\"", f);
			label(f, name);
			if (b < NBOUNDS)
				fprintf(f, "\",le=\"%g\"} %llu\n",
				    (double)bounds_us[b] / 1e6, (unsigned long long)cum);
			else
				fprintf(f, "\",le=\"+Inf\"} %llu\n",
				    (unsigned long long)cum);
		}
		fputs("keygate_http_request_duration_seconds_sum{route=\"", f);
		label(f, name);
		fprintf(f, "\"} %.6f\n", (double)atomic_load_explicit(&dur_sum_us[ri],
		    memory_order_relaxed) / 1e6);
		fputs("keygate_http_request_duration_seconds_count{route=\"", f);
		label(f, name);
		/* The count is the +Inf bucket, so both agree in one scrape. */
		fprintf(f, "\"} %llu\n", (unsigned long long)cum);
	}

	counter(f, "keygate_tokens_issued_total", "Tokens issued.", &tokens_issued);
	counter(f, "keygate_tokens_validated_total", "Tokens validated successfully.",
	    &tokens_validated);
	counter(f, "keygate_tokens_revoked_total", "Tokens revoked.", &tokens_revoked);
	counter(f, "keygate_auth_failures_total",
	    "Failed authentications (bad credentials or invalid tokens).",
	    &auth_failures);
	counter(f, "keygate_auth_rate_limited_total",
	    "Password checks refused by the failed-login rate limit (429).",
	    &auth_limited);
	counter(f, "keygate_db_errors_total",
	    "Requests failed by an internal or database error.", &db_errors);
	fprintf(f, "# HELP keygate_http_connections Open client connections.\n"
	    "# TYPE keygate_http_connections gauge\nkeygate_http_connections %lld\n",
	    (long long)atomic_load_explicit(&conns_open, memory_order_relaxed));
	counter(f, "keygate_http_connections_evicted_total",
	    "Idle connections closed to make room for new clients"
	    " (server.max_connections).", &conns_evicted);
	fprintf(f, "# HELP keygate_password_hashes_total bcrypt computations:"
	    " password checks (against a dummy hash for unknown users) and new"
	    " hashes.\n# TYPE keygate_password_hashes_total counter\n"
	    "keygate_password_hashes_total %llu\n",
	    (unsigned long long)password_bcrypt_runs());
	fprintf(f, "# HELP keygate_hash_jobs Password requests waiting for or"
	    " running on a hashing thread.\n# TYPE keygate_hash_jobs gauge\n"
	    "keygate_hash_jobs{state=\"queued\"} %d\n"
	    "keygate_hash_jobs{state=\"running\"} %d\n",
	    atomic_load_explicit(&hash_queued, memory_order_relaxed),
	    atomic_load_explicit(&hash_running, memory_order_relaxed));
	fprintf(f, "# HELP keygate_build_info Build information.\n"
	    "# TYPE keygate_build_info gauge\n"
	    "keygate_build_info{version=\"%s\"} 1\n", KEYGATE_VERSION);
	fprintf(f, "# HELP process_start_time_seconds Start time of the process"
	    " since unix epoch in seconds.\n"
	    "# TYPE process_start_time_seconds gauge\n"
	    "process_start_time_seconds %.3f\n", (double)started_at / 1e6);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* ------------------------------------------------------------------------
 * Address matching.
 * --------------------------------------------------------------------- */

static int
cidr_add(struct metrics_acl *acl, const char *entry, struct kg_err *err)
{
	struct metrics_cidr	*c;
	char			 host[64], *slash, *end;
	long			 prefix;
	size_t			 n;
	int			 maxbits, i;

	if (acl->ncidrs == METRICS_MAX_CIDRS)
		return kg_errf(err, KG_EBADREQ, "metrics.allow: more than %d entries",
		    METRICS_MAX_CIDRS);
	if ((n = strlen(entry)) >= sizeof(host))
		return kg_errf(err, KG_EBADREQ, "metrics.allow: bad entry %.64s", entry);
	memcpy(host, entry, n + 1);
	c = &acl->cidrs[acl->ncidrs];
	memset(c, 0, sizeof(*c));
	prefix = -1;
	if ((slash = strchr(host, '/')) != NULL) {
		*slash = '\0';
		prefix = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || prefix < 0)
			return kg_errf(err, KG_EBADREQ,
			    "metrics.allow: bad prefix length in %s", entry);
	}
	if (inet_pton(AF_INET, host, c->addr) == 1) {
		c->family = AF_INET;
		maxbits = 32;
	} else if (inet_pton(AF_INET6, host, c->addr) == 1) {
		c->family = AF_INET6;
		maxbits = 128;
	} else
		return kg_errf(err, KG_EBADREQ,
		    "metrics.allow: not an IP address or CIDR: %s", entry);
	if (prefix > maxbits)
		return kg_errf(err, KG_EBADREQ,
		    "metrics.allow: prefix length too long in %s", entry);
	c->prefix = prefix < 0 ? maxbits : (int)prefix;
	/* Keep only the network part, so "10.1.2.3/8" means 10.0.0.0/8. */
	for (i = 0; i < maxbits / 8; i++) {
		if (i * 8 >= c->prefix)
			c->addr[i] = 0;
		else if (i * 8 + 8 > c->prefix)
			c->addr[i] &= (unsigned char)(0xff << (8 - (c->prefix - i * 8)));
	}
	acl->ncidrs++;
	return 0;
}

int
metrics_acl_parse(const char *spec, struct metrics_acl *acl, struct kg_err *err)
{
	char		 entry[128];
	const char	*p = spec, *q;
	size_t		 n;

	memset(acl, 0, sizeof(*acl));
	p += strspn(p, " \t");
	if (*p == '\0')
		return cidr_add(acl, "127.0.0.0/8", err) == -1 ||
		    cidr_add(acl, "::1/128", err) == -1 ? -1 : 0;
	while (*p != '\0') {
		q = p + strcspn(p, ",");
		n = (size_t)(q - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == 0 || n >= sizeof(entry))
			return kg_errf(err, KG_EBADREQ, "metrics.allow: empty or"
			    " overlong entry in \"%.64s\"", spec);
		memcpy(entry, p, n);
		entry[n] = '\0';
		if (strcasecmp(entry, "any") == 0)
			acl->any = 1;
		else if (cidr_add(acl, entry, err) == -1)
			return -1;
		p = *q == ',' ? q + 1 : q;
		p += strspn(p, " \t");
		if (*q == ',' && *p == '\0')
			return kg_errf(err, KG_EBADREQ, "metrics.allow: trailing comma"
			    " in \"%.64s\"", spec);
	}
	return 0;
}

static int
prefix_match(const unsigned char *a, const unsigned char *net, int bits)
{
	int	full = bits / 8, rest = bits % 8;

	if (memcmp(a, net, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((a[full] ^ net[full]) & (0xff << (8 - rest))) == 0;
}

int
metrics_acl_allows(const struct metrics_acl *acl, const struct sockaddr *sa)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;
	const unsigned char		*a;
	int				 family;
	size_t				 i;

	if (acl->any)
		return 1;
	if (sa == NULL)
		return 0;
	if (sa->sa_family == AF_INET) {
		sin = (const struct sockaddr_in *)(const void *)sa;
		a = (const unsigned char *)&sin->sin_addr;
		family = AF_INET;
	} else if (sa->sa_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)(const void *)sa;
		a = sin6->sin6_addr.s6_addr;
		family = AF_INET6;
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			a += 12;
			family = AF_INET;
		}
	} else
		return 0;
	for (i = 0; i < acl->ncidrs; i++)
		if (acl->cidrs[i].family == family &&
		    prefix_match(a, acl->cidrs[i].addr, acl->cidrs[i].prefix))
			return 1;
	return 0;
}

void
metrics_hash_jobs(int queued, int running)
{
	atomic_store_explicit(&hash_queued, queued, memory_order_relaxed);
	atomic_store_explicit(&hash_running, running, memory_order_relaxed);
}
