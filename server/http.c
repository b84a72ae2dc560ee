/*
 * http.c - libmicrohttpd glue: per-connection and per-request state,
 * screening, body accumulation with a size cap, routing, token
 * authentication, and Keystone-style replies.
 *
 * One request, as libmicrohttpd (MHD) calls us:
 *   on_uri        request line received: measure the raw target before MHD
 *                 decodes it in place (screen.h)
 *   on_request #1 headers received: screen the line and headers (NUL
 *                 bytes, duplicate token headers, Content-Length over the
 *                 limit, a non-JSON body): a refusal is answered at once
 *   on_request #n body chunks: accumulated up to max_request_body_size
 *   on_request    body complete: route, parse, authenticate, handle (or
 *                 suspend for a hashing thread, R_SLOW), reply
 *   on_completed  log line, metrics, cleanup; the connection is idle again
 *
 * Connections. MHD alone stops accepting at its connection limit (1,020
 * by default) and leaves new clients in the listen backlog, so idle
 * keep-alive connections could lock everyone else out. on_connection
 * registers each connection, with its socket from MHD_get_connection_info,
 * in server/conns.c, which keeps at most server.max_connections open: a
 * newcomer beyond that makes it shut down (not close: the descriptor stays
 * MHD's) the connection idle longest; MHD then reads end-of-file and
 * closes it. A connection is busy, never evicted, from dispatch until its
 * reply is done (mark_busy, on_completed). MHD's own limit is set above
 * ours so the newcomer is accepted first; conns.h has the details.
 *
 * A client that half-closes before its body is complete. MHD 0.9.75 polls
 * with edge-triggered epoll and, after a short read, takes the socket for
 * drained: when the end-of-file arrives together with the last data, no
 * new edge comes and MHD would wait for the connection timeout; when it
 * arrives later, MHD reads it and closes the connection without a reply.
 * So whenever the body is still short of its Content-Length after what
 * MHD has handed us, peek_eof() looks at the socket; at end-of-file
 * kick_reader() makes the kernel signal the socket readable again
 * (on Linux since 4.18, setting SO_RCVLOWAT wakes epoll waiters when data
 * or end-of-file is pending; where it does not, the timeout remains the
 * fallback). Either way MHD then reads the end-of-file and aborts the
 * request, and on_completed, which MHD calls before it shuts the socket,
 * writes a 400 on it (abort_reply). A client that stays connected and
 * sends no more gets the connection timeout; a chunked body cut by an
 * end-of-file that came with its last data is not noticed until then.
 */
#include <microhttpd.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "auth/token.h"
#include "common/log.h"
#include "common/util.h"
#include "server/apijson.h"
#include "server/appcred.h"
#include "server/authguard.h"
#include "server/authz.h"
#include "server/conns.h"
#include "server/http.h"
#include "server/jobs.h"
#include "server/metrics.h"
#include "server/screen.h"

/* Headers screened per request at most; more get 400. */
#define MAX_HEADERS	100

const struct route *const http_route_tables[] = {
	api_version_routes,
	api_auth_routes,
	api_domain_config_routes,	/* before /v3/domains/{}: "config" is a path */
	api_domains_routes,
	api_projects_routes,
	api_users_routes,
	api_groups_routes,
	api_roles_routes,
	api_assignments_routes,
	api_catalog_routes,
	api_limits_routes,
	api_policies_routes,
	api_ep_filter_routes,
	api_ops_routes,
	api_appcred_routes,
	api_oauth2_routes,
	api_credentials_routes,
	api_trusts_routes,
	NULL
};

struct http_daemon {
	struct MHD_Daemon	*mhd;
	const struct server	*srv;
	struct jobs		*jobs;		/* hashing threads (R_SLOW routes) */
	atomic_uint		 deferred;	/* R_SLOW requests not yet completed */
	struct conns		 conns;		/* open connections (conns.h) */
};

/* Per-connection state, MHD's socket context, from accept to close. */
struct http_conn {
	struct conn		 c;		/* registry entry */
	struct screen_target	 target;	/* current request's raw target */
};

/* Where a request stands (conn_state.phase). */
enum {
	PH_READ,	/* receiving the body */
	PH_JOB,		/* suspended: its R_SLOW handler is queued or running */
	PH_DONE		/* the handler finished: reply with final */
};

/* Per-request state, kept in MHD's *req_cls from first call to completion. */
struct conn_state {
	char		*buf;		/* request body as received */
	size_t		 len, cap;
	int		 too_big;	/* body exceeded the limit: 413 */
	uint64_t	 expect;	/* Content-Length; 0 = none or chunked */
	int		 busy;		/* marked busy in the registry */
	int		 body_expected;	/* Content-Length > 0 or chunked */
	int		 deferred;	/* counted in http_daemon.deferred */
	char		*path;		/* copy of the URL path; params point into it */
	int64_t		 started;	/* µs */
	struct req	 req;
	struct kg_ctx	 ctx;
	int		 phase;		/* PH_* */
	unsigned int	 final;		/* status for PH_DONE */
	const struct route *rt;		/* the matched route */
	struct job	 job;		/* an R_SLOW handler on a hashing thread */
};

/* dispatch: the handler is to run on a hashing thread (R_SLOW). */
#define DISPATCH_SLOW	1

/* Keystone's fixed client-facing texts for errors that carry no detail. */
static const struct {
	unsigned int	 code;
	const char	*title;
	const char	*message;
} statuses[] = {
	{ 400, "Bad Request", "The request you have made is malformed." },
	{ 401, "Unauthorized", "The request you have made requires authentication." },
	{ 403, "Forbidden", "You are not authorized to perform the requested action." },
	{ 404, "Not Found", "The resource could not be found." },
	{ 405, "Method Not Allowed", "The method is not allowed for the requested URL." },
	{ 409, "Conflict", "Conflict occurred attempting to store data." },
	{ 413, "Request Entity Too Large", "Request is too large." },
	{ 415, "Unsupported Media Type", "The media type is not supported." },
	{ 429, "Too Many Requests", "Too many failed authentication attempts." },
	{ 500, "Internal Server Error",
	    "An unexpected error prevented the server from fulfilling your request." },
	{ 501, "Not Implemented", "The action you have requested has not been implemented." },
	{ 503, "Service Unavailable", "The service is temporarily unavailable." },
};

static const char *
status_message(unsigned int code)
{
	size_t	i;

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (statuses[i].code == code)
			return statuses[i].message;
	return "Error.";
}

const char *
http_title(unsigned int code)
{
	size_t	i;

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (statuses[i].code == code)
			return statuses[i].title;
	return "Error";
}

unsigned int
http_status_of(enum kg_errkind kind)
{
	switch (kind) {
	case KG_EBADREQ:	return 400;
	case KG_EUNAUTH:	return 401;
	case KG_EFORBID:	return 403;
	case KG_ENOTFOUND:	return 404;
	case KG_ECONFLICT:	return 409;
	case KG_ETOOBIG:	return 413;
	case KG_ENOTIMPL:	return 501;
	case KG_ETOOMANY:	return 429;
	case KG_EUNAVAIL:
	case KG_ERETRY:		return 503;
	case KG_OK:
	case KG_EINTERNAL:	break;
	}
	return 500;
}

/* ------------------------------------------------------------------------
 * Helpers for handlers.
 * --------------------------------------------------------------------- */

const char *
req_query(struct req *r, const char *name)
{
	const char	*v;

	if (!MHD_lookup_connection_value_n(r->conn, MHD_GET_ARGUMENT_KIND, name,
	    strlen(name), &v, NULL))
		return NULL;
	return v ? v : "";
}

struct keybuf {
	char	*p;
	size_t	 len, cap;
	int	 full;
};

/* Append "<len>:<s>" (NULL: "-"): no two argument lists read the same. */
static void
keybuf_add(struct keybuf *k, const char *s)
{
	int	n;

	n = s == NULL ? snprintf(k->p + k->len, k->cap - k->len, "-") :
	    snprintf(k->p + k->len, k->cap - k->len, "%zu:%s", strlen(s), s);
	if (n < 0 || (size_t)n >= k->cap - k->len) {
		k->full = 1;
		return;
	}
	k->len += (size_t)n;
}

static enum MHD_Result
key_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct keybuf	*k = cls;

	(void)kind;
	keybuf_add(k, key);
	keybuf_add(k, value);
	return k->full ? MHD_NO : MHD_YES;
}

int
req_list_key(struct req *r, const char *scope, char *out, size_t outsz)
{
	struct keybuf	k = { out, 0, outsz, 0 };
	char		base[600];

	if (outsz == 0)
		return -1;
	out[0] = '\0';
	req_base_url(r, base, sizeof(base));
	keybuf_add(&k, base);
	keybuf_add(&k, r->path);
	keybuf_add(&k, scope);
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, key_arg, &k);
	return k.full ? -1 : 0;
}

void
req_client_addr(struct req *r, char *out, size_t outsz)
{
	const union MHD_ConnectionInfo	*ci;
	const struct sockaddr		*sa;
	const unsigned char		*b;
	char				 a[INET6_ADDRSTRLEN];

	kg_strlcpy(out, "-", outsz);
	ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return;
	if (sa->sa_family == AF_INET) {
		if (inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)
		    sa)->sin_addr, a, sizeof(a)) != NULL)
			kg_strlcpy(out, a, outsz);
		return;
	}
	if (sa->sa_family != AF_INET6)
		return;
	b = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
	if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)(const void *)b)) {
		snprintf(out, outsz, "%u.%u.%u.%u", b[12], b[13], b[14], b[15]);
		return;
	}
	/* One IPv6 host holds a /64: that is the address that counts. */
	snprintf(out, outsz, "%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64", b[0], b[1],
	    b[2], b[3], b[4], b[5], b[6], b[7]);
}

size_t
req_query_count(struct req *r)
{
	int	n = MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, NULL,
		    NULL);

	return n > 0 ? (size_t)n : 0;
}

/* MHD's iterator over the query, adapted to req_query_each's callback. */
struct query_each {
	int	(*fn)(void *arg, const char *key, const char *value);
	void	*arg;
	int	 stopped;
};

static enum MHD_Result
query_each_iter(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct query_each	*q = cls;

	(void)kind;
	if (q->fn(q->arg, key, value) != 0) {
		q->stopped = 1;
		return MHD_NO;
	}
	return MHD_YES;
}

int
req_query_each(struct req *r, int (*fn)(void *arg, const char *key,
    const char *value), void *arg)
{
	struct query_each	q = { fn, arg, 0 };

	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, query_each_iter, &q);
	return q.stopped ? -1 : 0;
}

const char *
req_header(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

int
req_query_bool(struct req *r, const char *name, int dflt)
{
	const char	*v = req_query(r, name);

	if (v == NULL)
		return dflt;
	if (*v == '\0' || strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 ||
	    strcasecmp(v, "yes") == 0 || strcasecmp(v, "on") == 0)
		return 1;
	if (strcmp(v, "0") == 0 || strcasecmp(v, "false") == 0 ||
	    strcasecmp(v, "no") == 0 || strcasecmp(v, "off") == 0)
		return 0;
	return -1;
}

/*
 * Is h usable as the host[:port] of our URLs? RFC 3986 authority
 * characters only, and short enough for the caller's buffer: the links
 * and WWW-Authenticate carry it, and a byte that is not UTF-8 would make
 * every reply with a link unencodable (a 500), a quote would break the
 * header.
 */
static int
host_ok(const char *h, size_t max)
{
	size_t	n = strlen(h);

	return n > 0 && n < max && h[strspn(h, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~%!$&'()*+,;=:[]")] == '\0';
}

void
req_base_url(struct req *r, char *out, size_t outsz)
{
	const char	*host;
	size_t		 n;

	if (r->srv->cfg.public_endpoint[0] != '\0') {
		kg_strlcpy(out, r->srv->cfg.public_endpoint, outsz);
	} else {
		host = req_header(r, MHD_HTTP_HEADER_HOST);
		snprintf(out, outsz, "http://%s", host != NULL && outsz > 7 &&
		    host_ok(host, outsz - 7) ? host : r->srv->cfg.listen);
	}
	n = strlen(out);
	while (n > 0 && out[n - 1] == '/')
		out[--n] = '\0';
}

/*
 * The Keystone name of URL parameter i of route pattern (its view arg):
 * the singular of the segment before it plus "_id" ("/v3/users/{}" ->
 * user_id), except /v3/roles/{prior_role_id}/implies/{implied_role_id}
 * and /v3/projects/{project_id}/tags/{value}.
 */
static enum policy_key
url_param_key(const char *pattern, size_t i)
{
	static const struct { const char *seg; enum policy_key key; } names[] = {
		{ "users", PK_USER_ID }, { "groups", PK_GROUP_ID },
		{ "roles", PK_ROLE_ID }, { "domains", PK_DOMAIN_ID },
		{ "projects", PK_PROJECT_ID }, { "regions", PK_REGION_ID },
		{ "services", PK_SERVICE_ID }, { "endpoints", PK_ENDPOINT_ID },
		{ "tags", PK_VALUE }, { "implies", PK_IMPLIED_ROLE_ID },
		{ "application_credentials", PK_APPLICATION_CREDENTIAL_ID },
		{ "access_rules", PK_ACCESS_RULE_ID },
	};
	const char	*p = pattern, *prev = NULL, *seg;
	size_t		 n = 0, len, k;

	while (*p == '/') {
		seg = ++p;
		while (*p != '\0' && *p != '/')
			p++;
		len = (size_t)(p - seg);
		if (len == 2 && seg[0] == '{' && seg[1] == '}') {
			if (n++ != i || prev == NULL)
				continue;
			for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
				if (strncmp(prev, names[k].seg, strlen(names[k].seg))
				    == 0 && prev[strlen(names[k].seg)] == '/') {
					/* /v3/roles/{}/implies/{}: the first is prior */
					if (names[k].key == PK_ROLE_ID &&
					    strstr(p, "/implies") == p)
						return PK_PRIOR_ROLE_ID;
					return names[k].key;
				}
			return PK_NEVER;
		}
		prev = seg;
	}
	return PK_NEVER;
}

int
req_authorize(struct req *r, const char *rule, const struct policy_target *target,
    struct kg_err *err)
{
	static const struct policy_target	 none;
	const struct policy_set			*s;
	struct policy_target			 t;
	enum policy_key				 k;
	size_t					 i;
	int					 ok;

	if (target == NULL)
		target = &none;
	if (r->nparams > 0 && r->route != NULL) {
		t = *target;
		for (i = 0; i < r->nparams; i++)
			if ((k = url_param_key(r->route, i)) != PK_NEVER &&
			    t.v[k] == NULL)
				t.v[k] = r->params[i];
		target = &t;
	}
	s = authz_get(r->srv->authz);
	ok = policy_enforce(s, rule, r->ctx, target);
	authz_put(r->srv->authz, s);
	if (ok)
		return 0;
	return kg_errf(err, KG_EFORBID,
	    "You are not authorized to perform the requested action: %s.", rule);
}

int
req_has_rule(struct req *r, const char *rule)
{
	const struct policy_set	*s;
	int			 yes;

	s = authz_get(r->srv->authz);
	yes = policy_has_rule(s, rule);
	authz_put(r->srv->authz, s);
	return yes;
}

json_t *
req_links(struct req *r)
{
	char	base[600], url[1200];

	req_base_url(r, base, sizeof(base));
	snprintf(url, sizeof(url), "%s%s", base, r->path);
	kg_utf8_repair(url);	/* the path as received: any bytes */
	return json_pack("{s:s, s:n, s:n}", "self", url, "previous", "next");
}

json_t *
req_self_link(struct req *r, const char *collection, const char *id)
{
	char	base[600], url[1200];

	req_base_url(r, base, sizeof(base));
	snprintf(url, sizeof(url), "%s/v3/%s/%s", base, collection, id);
	return json_pack("{s:s}", "self", url);
}

/* ------------------------------------------------------------------------
 * Routing.
 * --------------------------------------------------------------------- */

/*
 * Match path against a pattern where "{}" matches one non-empty segment.
 * Captured segments point into path copy segs (NUL-separated by caller).
 */
static int
route_match(const char *pattern, char *const *segs, size_t nsegs,
    const char **params, size_t *nparams)
{
	const char	*p = pattern;
	size_t		 i = 0, n, np = 0;

	if (*p == '/')
		p++;
	if (*p == '\0')
		return nsegs == 0;
	for (;;) {
		n = strcspn(p, "/");
		if (i >= nsegs)
			return 0;
		if (n == 2 && p[0] == '{' && p[1] == '}') {
			if (np >= REQ_MAX_PARAMS)
				return 0;
			params[np++] = segs[i];
		} else if (strlen(segs[i]) != n || strncmp(segs[i], p, n) != 0)
			return 0;
		i++;
		p += n;
		if (*p == '\0')
			break;
		p++;
	}
	if (i != nsegs)
		return 0;
	*nparams = np;
	return 1;
}

#define MAX_SEGS	12

/* Methods a path may allow, in the order the Allow header lists them. */
static const char *const allow_methods[] = {
	"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"
};
#define NALLOW	(sizeof(allow_methods) / sizeof(allow_methods[0]))

static unsigned int
method_bit(const char *m)
{
	size_t	i;

	for (i = 0; i < NALLOW; i++)
		if (strcmp(allow_methods[i], m) == 0)
			return 1u << i;
	return 0;
}

/* What route_find found for a path. */
struct match {
	const struct route	*rt;		/* route for the method, or NULL */
	const char		*pattern;	/* some route's pattern for the path */
	unsigned int		 allow;		/* method_bit()s the path allows */
};

/*
 * Find the route for method and path (path is cut into segments). Like
 * Flask, HEAD is served by the GET handler. When no route serves the
 * method, m->allow lists the methods the path allows (OPTIONS for any
 * known path), for OPTIONS and the 405's Allow header.
 */
static void
route_find(const char *method, char *path, const char **params, size_t *nparams,
    struct match *m)
{
	char			*segs[MAX_SEGS], *p, *save = NULL;
	const char		*cap[REQ_MAX_PARAMS];
	const struct route	*const *t, *rt, *get = NULL;
	size_t			 nsegs = 0, ncap = 0, ngcap = 0;
	int			 head = strcmp(method, "HEAD") == 0;

	memset(m, 0, sizeof(*m));
	for (p = strtok_r(path, "/", &save); p != NULL; p = strtok_r(NULL, "/", &save)) {
		if (nsegs == MAX_SEGS)
			return;
		segs[nsegs++] = p;
	}
	for (t = http_route_tables; *t != NULL; t++)
		for (rt = *t; rt->method != NULL; rt++) {
			if (!route_match(rt->path, segs, nsegs, cap, &ncap))
				continue;
			if (strcmp(rt->method, method) == 0) {
				memcpy(params, cap, sizeof(cap));
				*nparams = ncap;
				m->rt = rt;
				m->pattern = rt->path;
				return;		/* allow is only needed without */
			}
			if (m->pattern == NULL)
				m->pattern = rt->path;
			m->allow |= method_bit(rt->method) | method_bit("OPTIONS");
			if (strcmp(rt->method, "GET") == 0)
				m->allow |= method_bit("HEAD");
			if (head && get == NULL && strcmp(rt->method, "GET") == 0) {
				get = rt;
				memcpy(params, cap, sizeof(cap));
				ngcap = ncap;
			}
		}
	if (get != NULL) {
		m->rt = get;
		m->pattern = get->path;
		*nparams = ngcap;
	}
}

/* The Allow header for a method_bit() set: "GET, HEAD, OPTIONS". */
static void
allow_header(unsigned int allow, char *out, size_t outsz)
{
	size_t	i, n = 0;

	out[0] = '\0';
	for (i = 0; i < NALLOW; i++)
		if (allow & (1u << i))
			n += (size_t)snprintf(out + n, outsz - n, "%s%s",
			    n ? ", " : "", allow_methods[i]);
}

/* ------------------------------------------------------------------------
 * Replies.
 * --------------------------------------------------------------------- */

static void
add_common_headers(struct MHD_Response *resp, struct req *r)
{
	MHD_add_response_header(resp, "Vary", "X-Auth-Token");
	MHD_add_response_header(resp, "x-openstack-request-id", r->request_id);
}

/* MHD's release of a reply that held a secret (NUL-terminated text). */
static void
wipe_free(void *p)
{
	kg_wipe(p, strlen(p));
	free(p);
}

static enum MHD_Result
send_reply(struct req *r, unsigned int status)
{
	struct MHD_Response	*resp;
	enum MHD_Result		 ret;
	char			*s = NULL, base[600], hdr[700];
	size_t			 len = 0;

	if (r->out_text != NULL && status != 204) {
		s = r->out_text;	/* MHD frees it */
		r->out_text = NULL;
		len = strlen(s);
	} else if (r->out != NULL && status != 204) {
		if ((s = json_dumps(r->out, JSON_COMPACT)) == NULL)
			return MHD_NO;
		len = strlen(s);
	}
	if (s != NULL && r->out_secret)
		resp = MHD_create_response_from_buffer_with_free_callback(len, s,
		    wipe_free);
	else
		resp = MHD_create_response_from_buffer(len, s ? s : (void *)"",
		    s ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (resp == NULL) {
		free(s);
		return MHD_NO;
	}
	add_common_headers(resp, r);
	if (r->out_type != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		    r->out_type);
	else if (s != NULL || (r->head && r->out != NULL))
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		    "application/json");
	if (r->subject_token != NULL)
		MHD_add_response_header(resp, "X-Subject-Token", r->subject_token);
	if (r->auth_receipt != NULL)
		MHD_add_response_header(resp, "Openstack-Auth-Receipt",
		    r->auth_receipt);
	if (r->location != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location);
	if (r->out_secret) {
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
		MHD_add_response_header(resp, MHD_HTTP_HEADER_PRAGMA, "no-cache");
	}
	if (status == 429 && r->retry_after > 0) {
		snprintf(hdr, sizeof(hdr), "%d", r->retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, hdr);
	}
	if (r->allow[0] != '\0')
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
	if (status == 401 && r->auth_receipt == NULL) {
		req_base_url(r, base, sizeof(base));
		snprintf(hdr, sizeof(hdr), "Keystone uri=\"%s/v3\"", base);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, hdr);
	}
	ret = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static const char	*log_safe(const char *s, char *out, size_t outsz);

/* Wipe and free a string that grants something (a receipt). */
static void
free_secret(char **p)
{
	if (*p != NULL) {
		kg_wipe(*p, strlen(*p));
		free(*p);
		*p = NULL;
	}
}

/* Replace any reply with Keystone's error body for err. */
static unsigned int
set_error(struct req *r, const struct kg_err *err)
{
	unsigned int	 code = http_status_of(err->kind);
	const char	*msg = err->msg;

	/* 401 and 5xx never carry detail (Keystone's SecurityError), but
	 * for the reasons Keystone shows too (kg_err_shown). */
	if ((code == 401 && !err->shown) || code >= 500 || msg[0] == '\0')
		msg = status_message(code);
	if (code == 429)
		r->retry_after = err->retry_after;
	if (code >= 500) {
		char	m[64], p[512];

		log_error("%s %s: %s (%s)", log_safe(r->method, m, sizeof(m)),
		    log_safe(r->path, p, sizeof(p)), err->msg, r->request_id);
	}
	json_decref(r->out);
	if (r->out_text != NULL && r->out_secret)
		kg_wipe(r->out_text, strlen(r->out_text));
	free(r->out_text);
	r->out_text = NULL;
	r->out_type = NULL;
	r->out_secret = 0;
	r->out = json_pack("{s:{s:i, s:s, s:s}}", "error", "code", (int)code,
	    "title", http_title(code), "message", msg);
	if (r->out == NULL)	/* msg not UTF-8 (kg_errf repairs it): fixed text */
		r->out = json_pack("{s:{s:i, s:s, s:s}}", "error", "code", (int)code,
		    "title", http_title(code), "message", status_message(code));
	if (r->subject_token != NULL) {
		kg_wipe(r->subject_token, strlen(r->subject_token));
		free(r->subject_token);
		r->subject_token = NULL;
	}
	free_secret(&r->auth_receipt);
	free(r->location);
	r->location = NULL;
	return code;
}

/*
 * The body as Keystone's json_body_before_request reads it: none, or a
 * JSON object (its Content-Type was checked when the headers came).
 */
static int
parse_body(struct conn_state *s, struct kg_err *err)
{
	if (s->len == 0)
		return 0;
	s->req.body = json_loadb(s->buf, s->len, JSON_REJECT_DUPLICATES, NULL);
	if (s->req.body == NULL || !json_is_object(s->req.body))
		return screen_validation_error(err, "valid JSON", "request body");
	return 0;
}

static unsigned int	finish(struct req *r, int status, struct kg_err *err);

/* What carries_secret looks for, or does. */
enum secret_op {
	SECRET_FIND,		/* a password or a secret (R_SLOW) */
	SECRET_PASSWORD,	/* a password (R_LIMIT: the rate limit) */
	SECRET_WIPE		/* overwrite every secret */
};

/* The names of the body members that hold secrets (R_SLOW, and wiped
 * when the request is done); passwords are the rate limit's. A TOTP
 * passcode is only wiped: checking one hashes nothing slow. */
static int
secret_key(const char *k, enum secret_op op)
{
	if (strcmp(k, "password") == 0 || strcmp(k, "original_password") == 0)
		return 1;
	if (op == SECRET_WIPE && strcmp(k, "passcode") == 0)
		return 1;
	return op != SECRET_PASSWORD && strcmp(k, "secret") == 0;
}

/*
 * Does v carry a secret: a string member secret_key() names at most depth
 * levels down? (R_SLOW; the bodies of the routes that hash have them 2 or
 * 5 levels down.) With SECRET_WIPE, overwrite every such string instead
 * (jansson frees without clearing); returns 0 then.
 */
static int
carries_secret(const json_t *v, int depth, enum secret_op op)
{
	const char	*k;
	json_t		*m;

	if (depth == 0 || !json_is_object(v))
		return 0;
	json_object_foreach((json_t *)v, k, m) {
		if (json_is_string(m) && secret_key(k, op)) {
			if (op != SECRET_WIPE)
				return 1;
			kg_wipe((char *)(uintptr_t)json_string_value(m),
			    json_string_length(m));
		} else if (carries_secret(m, depth - 1, op))
			return 1;
	}
	return 0;
}

/* An "Authorization: Basic" header: OAuth 2.0 client credentials. */
static int
basic_auth(struct req *r)
{
	const char	*h = req_header(r, MHD_HTTP_HEADER_AUTHORIZATION);

	return h != NULL && strncasecmp(h, "Basic ", 6) == 0;
}

/* Does the request hold a secret the handler hashes or checks (R_SLOW)? */
static int
carries_secrets(struct req *r)
{
	return carries_secret(r->body, 6, SECRET_FIND) || basic_auth(r);
}

/*
 * No request leaves its connection inside a transaction: the next one's
 * svc_run would join it and its commits never happen. A handler that
 * does is a bug: log it, roll back.
 */
static void
end_transaction(struct req *r)
{
	if (r->st != NULL && store_in_transaction(r->st) != STORE_TX_NONE) {
		log_error("%s %s: a transaction was left open: rolled back",
		    r->method, r->route ? r->route : "-");
		store_rollback(r->st);
	}
}

static int
authenticate(struct conn_state *s, struct kg_err *err)
{
	struct req	*r = &s->req;

	r->auth_token = req_header(r, "X-Auth-Token");
	if (r->auth_token == NULL || r->auth_token[0] == '\0')
		return kg_errf(err, KG_EUNAUTH, "no token");
	if (tokens_authenticate(r->srv->tokens, r->st, r->auth_token, &s->ctx,
	    err) == -1) {
		if (err->kind == KG_EUNAUTH)
			metrics_auth_failure();
		return -1;
	}
	/* keystonemiddleware's check, which Keystone runs on its own API:
	 * a credential's access rules must allow the call ("identity"). */
	if (s->ctx.app_cred_nrules > 0 && !appcred_request_allowed(r->st,
	    &s->ctx, "identity", r->method, r->path)) {
		metrics_auth_failure();
		return kg_errf(err, KG_EUNAUTH, "access rules refuse %s", r->path);
	}
	metrics_token_validated();
	r->ctx = &s->ctx;
	return 0;
}

static unsigned int
dispatch(struct conn_state *s)
{
	struct req		*r = &s->req;
	struct match		 m;
	struct kg_err		 err = { 0 };
	int			 status;

	if ((s->path = strdup(r->path)) == NULL) {
		kg_errf(&err, KG_EINTERNAL, "out of memory");
		return set_error(r, &err);
	}
	route_find(r->method, s->path, r->params, &r->nparams, &m);
	if (m.rt == NULL) {
		r->nparams = 0;
		if (m.allow == 0) {
			kg_errf(&err, KG_ENOTFOUND, "%s", status_message(404));
			return set_error(r, &err);
		}
		allow_header(m.allow, r->allow, sizeof(r->allow));
		/* As Flask: OPTIONS on a known path needs no token. */
		if (strcmp(r->method, "OPTIONS") == 0) {
			r->route = m.pattern;
			return 200;
		}
		json_decref(r->out);
		r->out = json_pack("{s:{s:i, s:s, s:s}}", "error", "code", 405,
		    "title", http_title(405), "message", status_message(405));
		return 405;
	}
	r->route = m.pattern;
	status = -1;
	if (s->too_big) {
		kg_errf(&err, KG_ETOOBIG, "%s", status_message(413));
		goto done;
	}
	if ((r->st = store_thread(&err)) == NULL) {
		err.kind = KG_EUNAVAIL;		/* the database cannot be opened */
		goto done;
	}
	if (m.rt->flags & R_FORM) {
		r->raw = s->buf != NULL ? s->buf : "";
		r->rawlen = s->len;
	} else if (parse_body(s, &err) == -1)
		goto done;
	if (((m.rt->flags & R_AUTH) || ((m.rt->flags & R_AUTH_OPT) &&
	    req_header(r, "X-Auth-Token") != NULL)) && authenticate(s, &err) == -1)
		goto done;
	if (request_validate(r, &err) == -1)	/* body schema, query limits */
		goto done;
	/* The failed-login rate limit, before any hashing or queueing (an
	 * invalid body is its handler's 400, no login). */
	if ((m.rt->flags & R_LIMIT) && r->body_err.kind == KG_OK &&
	    (carries_secret(r->body, 6, SECRET_PASSWORD) || authguard_totp(r)) &&
	    authguard_check(r, &err) == -1)
		goto done;
	/* An invalid body needs no hashing thread: its handler answers 400. */
	if (r->body_err.kind == KG_OK && ((m.rt->flags & R_HASHES) ||
	    ((m.rt->flags & R_SLOW) && carries_secrets(r)))) {
		s->rt = m.rt;
		return DISPATCH_SLOW;
	}
	status = m.rt->fn(r, &err);
	end_transaction(r);
 done:
	return finish(r, status, &err);
}

/* The reply status for a handler's result (status or -1 with err). */
static unsigned int
finish(struct req *r, int status, struct kg_err *err)
{
	/* A handler that never read an invalid body does not succeed. */
	if (status >= 0 && status != DISPATCH_SLOW && r->body_err.kind != KG_OK &&
	    !r->body_seen) {
		log_error("%s %s: the handler ignored its body's error (%s)",
		    r->method, r->route ? r->route : r->path, r->request_id);
		*err = r->body_err;
		status = -1;
	}
	if (status < 0 || status == DISPATCH_SLOW) {
		if (status == DISPATCH_SLOW)	/* no handler returns 1 */
			kg_errf(err, KG_EINTERNAL, "handler returned 1");
		/*
		 * The database went away under the request: whatever the
		 * layers above made of the failed reads (a 500, or a token
		 * judged invalid), the answer is 503, so that clients and
		 * load balancers retry rather than believe it.
		 */
		if (err->kind != KG_EUNAVAIL && r->st != NULL &&
		    store_unavailable(r->st))
			kg_errf(err, KG_EUNAVAIL, "The database is unavailable.");
		if (err->kind == KG_EINTERNAL || err->kind == KG_EUNAVAIL ||
		    err->kind == KG_ERETRY)
			metrics_db_error();
		return set_error(r, err);
	}
	return (unsigned int)status;
}

/*
 * An R_SLOW handler, on a hashing thread (or, cancelled, on the thread
 * stopping the pool). The connection is suspended meanwhile; the worker it
 * belongs to picks the reply up once it is resumed.
 */
static void
run_job(struct job *j, int cancelled)
{
	struct conn_state	*s = (struct conn_state *)(void *)
				    ((char *)j - offsetof(struct conn_state, job));
	struct req		*r = &s->req;
	struct kg_err		 err = { 0 };
	int			 status = -1;

	if (cancelled) {
		/* Not a database error: bypass finish's metrics. */
		kg_errf(&err, KG_EUNAVAIL, "shutting down");
		s->final = set_error(r, &err);
		s->phase = PH_DONE;
		return;
	}
	if ((r->st = store_thread(&err)) == NULL)
		err.kind = KG_EUNAVAIL;
	else
		status = s->rt->fn(r, &err);
	end_transaction(r);
	s->final = finish(r, status, &err);
	r->st = NULL;
	s->phase = PH_DONE;
}

/* The job's result is ready: hand the connection back to its worker. */
static void
job_done(struct job *j)
{
	struct conn_state	*s = (struct conn_state *)(void *)
				    ((char *)j - offsetof(struct conn_state, job));

	/* Last touch of s: the worker may free it once resumed. */
	MHD_resume_connection(s->req.conn);
}

static int
new_request_id(char out[48])
{
	unsigned char	b[16];

	if (kg_random(b, sizeof(b)) == -1)
		return -1;
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 48, "req-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5], b[6],
	    b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}

/* Our per-connection state (MHD's socket context). */
static struct http_conn *
conn_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo	*ci;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci != NULL ? ci->socket_context : NULL;
}

static int
conn_fd(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo	*ci;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	return ci != NULL ? ci->connect_fd : -1;
}

/* A connection opens or closes: keep the registry (conns.h) up to date. */
static void
on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	struct http_daemon	*d = cls;
	struct http_conn	*hc = *socket_context;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		if ((hc = calloc(1, sizeof(*hc))) == NULL) {
			/* Screening fails closed without it (on_request). */
			log_error("out of memory for a connection");
			return;
		}
		*socket_context = hc;
		conns_opened(&d->conns, &hc->c, conn_fd(conn));
		return;
	}
	if (hc != NULL) {
		conns_closed(&d->conns, &hc->c);
		free(hc);
		*socket_context = NULL;
	}
}

/* Request line received: measure the target before MHD decodes it. */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct http_conn	*hc = conn_of(conn);

	if (hc != NULL)
		screen_target(uri, &hc->target);
	return NULL;	/* *req_cls: on_request allocates it */
}

struct hdr_list {
	struct screen_hdr	h[MAX_HEADERS];
	size_t			n;
	int			overflow;
};

static enum MHD_Result
collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
    size_t key_size, const char *value, size_t value_size)
{
	struct hdr_list	*l = cls;

	if (l->n == MAX_HEADERS) {
		l->overflow = 1;
		return MHD_NO;
	}
	l->h[l->n].name = key;
	l->h[l->n].name_len = key_size;
	l->h[l->n].value = value != NULL ? value : "";
	l->h[l->n].value_len = value != NULL ? value_size : 0;
	l->n++;
	return MHD_YES;
}

/*
 * The headers have arrived: everything we refuse before reading a body
 * (screen.h, plus a Content-Length over the limit: 413 as Keystone's
 * size limit middleware). 0, or -1 with err.
 */
static int
screen_headers(struct conn_state *s, struct MHD_Connection *conn,
    const char *method, const char *version, struct kg_err *err)
{
	const union MHD_ConnectionInfo	*ci;
	struct http_conn		*hc = conn_of(conn);
	struct hdr_list			 list, *l = &list;	/* not zeroed: hot */
	struct screen_in		 in;
	const char			*cl, *te;
	char				*end;
	int				 rc;

	l->n = 0;
	l->overflow = 0;
	MHD_get_connection_values_n(conn, MHD_HEADER_KIND, collect_header, l);
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
	memset(&in, 0, sizeof(in));
	in.block = method;
	in.block_len = ci != NULL ? ci->header_size : 0;
	in.version = version;
	if (hc != NULL)
		in.target = hc->target;
	in.hdrs = l->h;
	in.nhdrs = l->n;
	if (l->overflow)
		rc = kg_errf(err, KG_EBADREQ, "The request you have made is malformed:"
		    " more than %d header fields.", MAX_HEADERS);
	else
		rc = screen_request(&in, err);
	if (rc == -1)
		return -1;

	cl = req_header(&s->req, MHD_HTTP_HEADER_CONTENT_LENGTH);
	te = req_header(&s->req, MHD_HTTP_HEADER_TRANSFER_ENCODING);
	if (cl != NULL) {
		s->expect = strtoull(cl, &end, 10);	/* MHD checked the digits */
		if (s->expect > (uint64_t)s->req.srv->cfg.max_request_body_size)
			return kg_errf(err, KG_ETOOBIG, "%s", status_message(413));
	}
	s->body_expected = s->expect > 0 || te != NULL;
	/* As Keystone's json_body_before_request, not for /v3/OS-OAUTH2/:
	 * its bodies are forms (RFC 6749), which its handlers read. */
	if (s->body_expected && strncmp(s->req.path, "/v3/OS-OAUTH2/", 14) != 0 &&
	    screen_content_type(req_header(&s->req,
	    MHD_HTTP_HEADER_CONTENT_TYPE), err) == -1)
		return -1;
	return 0;
}

/*
 * 1 when the client has half-closed and sent everything: nothing to read
 * but end-of-file. Only meaningful when MHD has handed us all it read.
 */
static int
peek_eof(struct MHD_Connection *conn)
{
	char	c;
	int	fd = conn_fd(conn);

	return fd != -1 && recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

/* Make epoll report the socket readable again (see the top of this file). */
static void
kick_reader(struct MHD_Connection *conn)
{
	int	one = 1, fd = conn_fd(conn);

	if (fd != -1 && setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &one,
	    sizeof(one)) == -1)
		log_warn("SO_RCVLOWAT: %s", strerror(errno));
}

/* The body is still short of its Content-Length and never will arrive. */
static void
check_short_body(struct conn_state *s, struct MHD_Connection *conn)
{
	if (s->expect > 0 && s->len < s->expect && !s->too_big && peek_eof(conn))
		kick_reader(conn);
}

static void
mark_busy(struct http_daemon *d, struct conn_state *s, struct MHD_Connection *conn)
{
	struct http_conn	*hc = conn_of(conn);

	if (hc != NULL && !s->busy) {
		conns_busy(&d->conns, &hc->c);
		s->busy = 1;
	}
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **req_cls)
{
	struct http_daemon	*d = cls;
	const struct server	*srv = d->srv;
	struct conn_state	*s = *req_cls;
	struct kg_err		 err = { 0 };
	unsigned int		 status;
	size_t			 max = (size_t)srv->cfg.max_request_body_size;
	char			*nb;

	if (s == NULL) {
		if ((s = calloc(1, sizeof(*s))) == NULL)
			return MHD_NO;
		s->started = kg_now_us();
		s->req.conn = conn;
		s->req.srv = srv;
		s->req.method = method;
		s->req.path = url;
		s->req.head = strcmp(method, "HEAD") == 0;
		new_request_id(s->req.request_id);
		*req_cls = s;
		if (screen_headers(s, conn, method, version, &err) == -1) {
			/* Answered now: MHD then closes the connection. */
			mark_busy(d, s, conn);
			return send_reply(&s->req, set_error(&s->req, &err));
		}
		/* Replying now would cost keep-alive: wait for the next call. */
		if (s->expect > 0)
			check_short_body(s, conn);
		return MHD_YES;
	}
	if (s->phase == PH_DONE)
		return send_reply(&s->req, s->final);
	if (*upload_data_size > 0) {
		if (!s->too_big && s->len + *upload_data_size > max) {
			s->too_big = 1;
			free(s->buf);
			s->buf = NULL;
			s->len = s->cap = 0;
		}
		if (!s->too_big) {
			if (s->len + *upload_data_size > s->cap) {
				size_t ncap = s->cap ? s->cap * 2 : 4096;

				while (ncap < s->len + *upload_data_size)
					ncap *= 2;
				if ((nb = realloc(s->buf, ncap)) == NULL)
					return MHD_NO;
				s->buf = nb;
				s->cap = ncap;
			}
			memcpy(s->buf + s->len, upload_data, *upload_data_size);
			s->len += *upload_data_size;
		}
		*upload_data_size = 0;
		check_short_body(s, conn);
		return MHD_YES;
	}
	mark_busy(d, s, conn);
	status = dispatch(s);
	if (status == DISPATCH_SLOW) {
		/* Suspend first: the job may resume the connection at once. */
		s->phase = PH_JOB;
		s->deferred = 1;
		atomic_fetch_add(&d->deferred, 1);
		s->job.run = run_job;
		s->job.done = job_done;
		MHD_suspend_connection(conn);
		if (jobs_submit(d->jobs, &s->job, &err) == -1) {
			s->req.st = NULL;
			s->final = set_error(&s->req, &err);
			s->phase = PH_DONE;
			MHD_resume_connection(conn);
		}
		return MHD_YES;
	}
	return send_reply(&s->req, status);
}

/*
 * Copy s for a log line: control characters and non-ASCII bytes become
 * \xNN, so a decoded path (or a method: libmicrohttpd passes any bytes
 * but space) cannot forge or split log lines or reach a terminal.
 */
static const char *
log_safe(const char *s, char *out, size_t outsz)
{
	size_t	n = 0;

	for (; *s != '\0' && n + 5 < outsz; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			n += (size_t)snprintf(out + n, outsz - n, "\\x%02x",
			    (unsigned char)*s);
		else
			out[n++] = *s;
	}
	out[n] = '\0';
	return out;
}

/*
 * MHD gave up on a request whose body fell short of its Content-Length
 * because the client half-closed: answer 400 on the socket ourselves, as
 * MHD is about to shut it (it calls on_completed first). Returns the
 * status written, 0 when nothing could be.
 */
static unsigned int
abort_reply(struct conn_state *s, struct MHD_Connection *conn)
{
	struct kg_err	 err = { 0 };
	char		*body, head[512];
	int		 fd = conn_fd(conn), n;
	unsigned int	 code;
	ssize_t		 w1, w2;

	kg_errf(&err, KG_EBADREQ, "The request you have made is malformed: its"
	    " body is shorter than its Content-Length and the client closed the"
	    " connection.");
	code = set_error(&s->req, &err);
	if (fd == -1 || (body = json_dumps(s->req.out, JSON_COMPACT)) == NULL)
		return 0;
	n = snprintf(head, sizeof(head), "HTTP/1.1 %u %s\r\nConnection: close\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n"
	    "Vary: X-Auth-Token\r\nx-openstack-request-id: %s\r\n\r\n", code,
	    http_title(code), strlen(body), s->req.request_id);
	w1 = send(fd, head, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	w2 = w1 == n ? send(fd, body, strlen(body), MSG_NOSIGNAL | MSG_DONTWAIT) : -1;
	free(body);
	return w2 > 0 ? code : 0;
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_daemon	*d = cls;
	struct conn_state	*s = *req_cls;
	struct http_conn	*hc = conn_of(conn);
	const union MHD_ConnectionInfo *ci;
	unsigned int		 status;
	int64_t			 us;
	char			 path[512], method[64];

	if (s == NULL)
		return;
	us = kg_now_us() - s->started;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_HTTP_STATUS);
	status = ci ? ci->http_status : 0;
	/* MHD read end-of-file before the body was whole (we never
	 * dispatched): the client half-closed. */
	if (status == 0 && toe == MHD_REQUEST_TERMINATED_CLIENT_ABORT &&
	    s->body_expected && !s->busy &&
	    (hc == NULL || !conns_is_closing(&d->conns, &hc->c)))
		status = abort_reply(s, conn);
	/* Never the query string, headers or body: they may hold secrets. */
	log_info("%s %s %u %.2fms %s user=%s route=%s",
	    log_safe(s->req.method, method, sizeof(method)),
	    log_safe(s->req.path, path, sizeof(path)),
	    status, (double)us / 1000.0, s->req.request_id,
	    s->ctx.user_id[0] ? s->ctx.user_id : "-",
	    s->req.route ? s->req.route : "-");
	if (status != 0)
		metrics_request(s->req.route, s->req.method, status, us);
	if (hc != NULL)
		conns_idle(&d->conns, &hc->c);
	if (s->deferred)
		atomic_fetch_sub(&d->deferred, 1);
	if (s->req.out_text != NULL && s->req.out_secret)
		kg_wipe(s->req.out_text, strlen(s->req.out_text));
	free(s->req.out_text);
	carries_secret(s->req.body, 6, SECRET_WIPE);	/* wipe what it holds */
	json_decref(s->req.body);
	json_decref(s->req.out);
	free_secret(&s->req.auth_receipt);
	if (s->req.subject_token != NULL) {
		kg_wipe(s->req.subject_token, strlen(s->req.subject_token));
		free(s->req.subject_token);
	}
	free(s->req.location);
	kg_ctx_free(&s->ctx);
	free(s->path);
	if (s->buf != NULL)		/* may hold a password */
		kg_wipe(s->buf, s->len);
	free(s->buf);
	free(s);
	*req_cls = NULL;
}

static int
parse_listen(const char *listen, struct sockaddr_storage *ss, struct kg_err *err)
{
	char			 host[128];
	const char		*colon;
	long			 port;
	char			*end;
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (listen[0] == '[') {
		if ((colon = strstr(listen, "]:")) == NULL ||
		    (size_t)(colon - listen - 1) >= sizeof(host))
			goto bad;
		memcpy(host, listen + 1, colon - listen - 1);
		host[colon - listen - 1] = '\0';
		colon++;
	} else {
		if ((colon = strrchr(listen, ':')) == NULL ||
		    (size_t)(colon - listen) >= sizeof(host))
			goto bad;
		memcpy(host, listen, colon - listen);
		host[colon - listen] = '\0';
	}
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || port < 0 || port > 65535)
		goto bad;
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		return 0;
	}
 bad:
	return kg_errf(err, KG_EBADREQ, "server.listen: expected ADDRESS:PORT, got %s",
	    listen);
}

int
http_listen(const char *listen_addr, struct kg_err *err)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 fd, on = 1, e;

	if (parse_listen(listen_addr, &ss, err) == -1)
		return -1;
	len = ss.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return kg_errf(err, KG_EINTERNAL, "socket: %s", strerror(errno));
	/*
	 * SO_REUSEADDR only, so a restart need not wait out TIME_WAIT; never
	 * SO_REUSEPORT, which would let a second server share the port.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    (ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY,
	    &on, sizeof(on)) == -1))
		goto fail;
	if (bind(fd, (struct sockaddr *)&ss, len) == -1) {
		e = errno;
		close(fd);
		if (e == EADDRINUSE)
			return kg_errf(err, KG_EINTERNAL, "cannot listen on %s: the"
			    " address is already in use (another keygate serve?)",
			    listen_addr);
		return kg_errf(err, KG_EINTERNAL, "cannot listen on %s: %s",
		    listen_addr, strerror(e));
	}
	if (listen(fd, SOMAXCONN) == -1)
		goto fail;
	return fd;
 fail:
	e = errno;
	close(fd);
	return kg_errf(err, KG_EINTERNAL, "cannot listen on %s: %s", listen_addr,
	    strerror(e));
}

/*
 * Descriptors the server needs besides client connections: stdio and
 * logs, the listening socket, per worker an epoll and an event fd, per
 * database connection (workers, hashing threads, main) the database, its
 * WAL and shared memory, and key files while they are read.
 */
static unsigned int
fd_reserve(const struct kg_config *cfg)
{
	long	hash = cfg->hash_threads > 0 ? cfg->hash_threads :
		    sysconf(_SC_NPROCESSORS_ONLN);

	if (hash < 1)
		hash = 1;
	return 64 + 8 * ((unsigned int)cfg->threads + (unsigned int)hash);
}

struct http_daemon *
http_start(const struct server *srv, int listen_fd, struct kg_err *err)
{
	struct http_daemon	*d;
	struct conns_plan	 plan;
	unsigned int		 flags = MHD_USE_INTERNAL_POLLING_THREAD |
				    MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
				    MHD_ALLOW_SUSPEND_RESUME;

	if (conns_plan((unsigned int)srv->cfg.max_connections, fd_reserve(&srv->cfg),
	    &plan, err) == -1)
		return NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		return NULL;
	}
	d->srv = srv;
	conns_init(&d->conns, plan.max);
	if ((d->jobs = jobs_start(srv->cfg.hash_threads, srv->cfg.hash_queue,
	    err)) == NULL) {
		conns_destroy(&d->conns);
		free(d);
		return NULL;
	}
	d->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, d,
	    MHD_OPTION_LISTEN_SOCKET, listen_fd,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)srv->cfg.threads,
	    MHD_OPTION_CONNECTION_LIMIT, plan.hard,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)srv->cfg.connection_timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, d,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, d,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, d,
	    MHD_OPTION_END);
	if (d->mhd == NULL) {
		jobs_free(d->jobs);
		conns_destroy(&d->conns);
		free(d);
		kg_errf(err, KG_EINTERNAL, "cannot start the HTTP server on %s",
		    srv->cfg.listen);
		return NULL;
	}
	log_info("at most %u client connections (then the longest idle close),"
	    " open-file limit %lu", plan.max, plan.nofile);
	return d;
}

void
http_stop(struct http_daemon *d)
{
	int	i;

	if (d == NULL)
		return;
	/*
	 * Finish or cancel the deferred requests first: every suspended
	 * connection is resumed before MHD stops (its API requires it), and
	 * no job touches a connection MHD has already freed.
	 */
	jobs_stop(d->jobs);
	/*
	 * Their replies go out once the workers have resumed them: MHD would
	 * close those connections unanswered if it stopped first (up to 5 s).
	 */
	for (i = 0; i < 500 && atomic_load(&d->deferred) > 0; i++)
		usleep(10000);
	MHD_stop_daemon(d->mhd);
	jobs_free(d->jobs);
	conns_destroy(&d->conns);
	free(d);
}
