/*
 * metrics.h - Prometheus counters for keygate, and the address matcher
 * that guards GET /metrics.
 *
 * Every counter is a C11 atomic in a fixed array (requests are indexed by
 * route pattern, method and status), so recording costs a few relaxed
 * atomic adds and never takes a lock or allocates. Any thread may call any
 * function here at any time; nothing needs initialising.
 *
 * Exposed (text format 0.0.4, see metrics_render):
 *   keygate_http_requests_total{route,method,status}     counter
 *   keygate_http_request_duration_seconds{route}         histogram
 *   keygate_tokens_issued_total, keygate_tokens_validated_total,
 *   keygate_tokens_revoked_total, keygate_auth_failures_total,
 *   keygate_auth_rate_limited_total,
 *   keygate_db_errors_total                              counters
 *   keygate_http_connections                             gauge
 *   keygate_http_connections_evicted_total               counter
 *   keygate_password_hashes_total                        counter
 *   keygate_build_info{version}                          gauge (1)
 *   process_start_time_seconds                           gauge
 * (server/api_ops.c appends keygate_token_cache_{hits,misses}_total.)
 */
#ifndef KG_METRICS_H
#define KG_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/version.h"

struct sockaddr;

/* Distinct route patterns tracked; patterns beyond it count as "other". */
#define METRICS_MAX_ROUTES	192

/*
 * Record one finished HTTP request: route is the matched pattern
 * ("/v3/users/{}") or NULL when no route matched (label "unmatched"),
 * method as received, status the HTTP status sent, duration_us its wall
 * time. Patterns are compared by content, so a route's label is stable.
 */
void	metrics_request(const char *route, const char *method, unsigned int status,
	    int64_t duration_us);

/*
 * Event counters. X-Auth-Token checks of R_AUTH routes are counted by
 * http.c (validated, or an auth failure when the token is refused); the
 * token module counts what only it sees. Call once per:
 *   metrics_token_issued     token issued (POST /v3/auth/tokens -> 201)
 *   metrics_token_validated  subject token validated (GET/HEAD
 *                            /v3/auth/tokens -> 200) [and, by http.c,
 *                            each accepted X-Auth-Token]
 *   metrics_token_revoked    token revoked (DELETE /v3/auth/tokens -> 204)
 *   metrics_auth_failure     failed authentication on POST /v3/auth/tokens
 *   metrics_auth_limited     a password check refused by the rate limit (429)
 *                            (bad credentials) [and, by http.c, each
 *                            refused X-Auth-Token]
 *   metrics_db_error         request failed with an internal or
 *                            database-unavailable error (by http.c)
 */
void	metrics_token_issued(void);
void	metrics_token_validated(void);
void	metrics_token_revoked(void);
void	metrics_auth_failure(void);
void	metrics_auth_limited(void);
void	metrics_db_error(void);

/*
 * Client connections (by server/conns.c): one opened / closed, n idle
 * ones closed to make room at server.max_connections.
 */
void	metrics_connection_opened(void);
void	metrics_connection_closed(void);
void	metrics_connections_evicted(unsigned int n);

/*
 * The hashing pool's gauges (server/jobs.c calls it under its lock after
 * every change): password requests waiting for a thread and running on
 * one. Exposed as keygate_hash_jobs{state="queued"|"running"}.
 */
void	metrics_hash_jobs(int queued, int running);

/*
 * Render every metric in the Prometheus text format; started_at is the
 * process start (µs since the epoch). Returns a malloc'd NUL-terminated
 * string (caller frees) or NULL when out of memory.
 */
char	*metrics_render(int64_t started_at);

/* ---- who may scrape ---------------------------------------------------- */

#define METRICS_MAX_CIDRS	32

struct metrics_cidr {
	int		family;		/* AF_INET or AF_INET6 */
	unsigned char	addr[16];	/* network address (4 bytes used for IPv4) */
	int		prefix;		/* prefix length in bits */
};

struct metrics_acl {
	int			any;	/* "any": everyone may scrape */
	struct metrics_cidr	cidrs[METRICS_MAX_CIDRS];
	size_t			ncidrs;
};

/*
 * Parse metrics.allow: "" = loopback only (127.0.0.0/8 and ::1), "any",
 * or a comma-separated list of CIDRs ("10.0.0.0/8, fd00::/8"; a bare
 * address means a single host). Returns 0, or -1 with KG_EBADREQ naming
 * the bad entry.
 */
int	metrics_acl_parse(const char *spec, struct metrics_acl *acl, struct kg_err *err);

/*
 * 1 when the client address sa (AF_INET or AF_INET6; IPv4-mapped IPv6
 * addresses are matched as IPv4) is allowed by acl, else 0. NULL sa: 0.
 */
int	metrics_acl_allows(const struct metrics_acl *acl, const struct sockaddr *sa);

#endif /* KG_METRICS_H */
