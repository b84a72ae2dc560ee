/*
 * http.c - libmicrohttpd glue: per-request state, body accumulation with
 * a size cap, routing, token authentication, and Keystone-style replies.
 */
#include <microhttpd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "auth/token.h"
#include "common/log.h"
#include "common/util.h"
#include "server/authz.h"
#include "server/http.h"
#include "server/jobs.h"
#include "server/metrics.h"

const struct route *const http_route_tables[] = {
	api_version_routes,
	api_auth_routes,
	api_domains_routes,
	api_projects_routes,
	api_users_routes,
	api_groups_routes,
	api_roles_routes,
	api_assignments_routes,
	api_catalog_routes,
	api_ops_routes,
	NULL
};

struct http_daemon {
	struct MHD_Daemon	*mhd;
	const struct server	*srv;
	struct jobs		*jobs;		/* hashing threads (R_SLOW routes) */
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

struct query_each {
	int	(*fn)(void *cls, const char *key, const char *value);
	void	*cls;
	int	 stopped;
};

static enum MHD_Result
query_each_cb(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct query_each	*q = cls;

	if (q->fn(q->cls, key, value != NULL ? value : "") != 0) {
		q->stopped = 1;
		return MHD_NO;
	}
	return MHD_YES;
}

int
req_query_each(struct req *r, int (*fn)(void *cls, const char *key,
    const char *value), void *cls)
{
	struct query_each	q = { fn, cls, 0 };

	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, query_each_cb,
	    &q);
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

json_t *
req_links(struct req *r)
{
	char	base[600], url[1200];

	req_base_url(r, base, sizeof(base));
	snprintf(url, sizeof(url), "%s%s", base, r->path);
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

/*
 * Find the route for method and path. Returns the route; *path_matched is
 * set when some route matched the path with another method (405).
 */
static const struct route *
route_find(const char *method, char *path, const char **params, size_t *nparams,
    int *path_matched)
{
	char			*segs[MAX_SEGS], *p, *save = NULL;
	const char		*cap[REQ_MAX_PARAMS];
	const struct route	*const *t, *rt, *get = NULL;
	size_t			 nsegs = 0, ncap = 0, ngcap = 0;
	int			 head = strcmp(method, "HEAD") == 0;

	*path_matched = 0;
	for (p = strtok_r(path, "/", &save); p != NULL; p = strtok_r(NULL, "/", &save)) {
		if (nsegs == MAX_SEGS)
			return NULL;
		segs[nsegs++] = p;
	}
	for (t = http_route_tables; *t != NULL; t++)
		for (rt = *t; rt->method != NULL; rt++) {
			if (!route_match(rt->path, segs, nsegs, cap, &ncap))
				continue;
			*path_matched = 1;
			if (strcmp(rt->method, method) == 0) {
				memcpy(params, cap, sizeof(cap));
				*nparams = ncap;
				return rt;
			}
			/* Like Flask, HEAD is served by the GET handler. */
			if (head && get == NULL && strcmp(rt->method, "GET") == 0) {
				get = rt;
				memcpy(params, cap, sizeof(cap));
				ngcap = ncap;
			}
		}
	if (get != NULL)
		*nparams = ngcap;
	return get;
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
	if (r->location != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location);
	if (status == 401) {
		req_base_url(r, base, sizeof(base));
		snprintf(hdr, sizeof(hdr), "Keystone uri=\"%s/v3\"", base);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, hdr);
	}
	ret = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static const char	*log_safe(const char *s, char *out, size_t outsz);

/* Replace any reply with Keystone's error body for err. */
static unsigned int
set_error(struct req *r, const struct kg_err *err)
{
	unsigned int	 code = http_status_of(err->kind);
	const char	*msg = err->msg;

	/* 401 and 5xx never carry detail (Keystone's SecurityError). */
	if (code == 401 || code >= 500 || msg[0] == '\0')
		msg = status_message(code);
	if (code >= 500) {
		char	m[64], p[512];

		log_error("%s %s: %s (%s)", log_safe(r->method, m, sizeof(m)),
		    log_safe(r->path, p, sizeof(p)), err->msg, r->request_id);
	}
	json_decref(r->out);
	free(r->out_text);
	r->out_text = NULL;
	r->out_type = NULL;
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
	free(r->location);
	r->location = NULL;
	return code;
}

static int
parse_body(struct conn_state *s, struct kg_err *err)
{
	json_error_t	 jerr;

	if (s->len == 0)
		return 0;
	s->req.body = json_loadb(s->buf, s->len, JSON_REJECT_DUPLICATES, &jerr);
	if (s->req.body == NULL)
		return kg_errf(err, KG_EBADREQ,
		    "Expecting to find valid JSON in request body: %s", jerr.text);
	if (!json_is_object(s->req.body))
		return kg_errf(err, KG_EBADREQ,
		    "Expecting to find a JSON object in request body.");
	return 0;
}

static unsigned int	finish(struct req *r, int status, struct kg_err *err);

/*
 * Does v carry a password: a string member "password" or
 * "original_password" at most depth levels down? (R_SLOW; the bodies of
 * the routes that hash have them 2 or 5 levels down.)
 */
static int
carries_password(const json_t *v, int depth)
{
	const char	*k;
	json_t		*m;

	if (depth == 0 || !json_is_object(v))
		return 0;
	json_object_foreach((json_t *)v, k, m) {
		if (json_is_string(m) && (strcmp(k, "password") == 0 ||
		    strcmp(k, "original_password") == 0))
			return 1;
		if (carries_password(m, depth - 1))
			return 1;
	}
	return 0;
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
	metrics_token_validated();
	r->ctx = &s->ctx;
	return 0;
}

static unsigned int
dispatch(struct conn_state *s)
{
	struct req		*r = &s->req;
	const struct route	*rt;
	struct kg_err		 err = { 0 };
	int			 path_matched, status;

	if ((s->path = strdup(r->path)) == NULL) {
		kg_errf(&err, KG_EINTERNAL, "out of memory");
		return set_error(r, &err);
	}
	rt = route_find(r->method, s->path, r->params, &r->nparams, &path_matched);
	if (rt == NULL) {
		r->nparams = 0;
		if (path_matched) {
			json_decref(r->out);
			r->out = json_pack("{s:{s:i, s:s, s:s}}", "error", "code", 405,
			    "title", http_title(405), "message", status_message(405));
			return 405;
		}
		kg_errf(&err, KG_ENOTFOUND, "%s", status_message(404));
		return set_error(r, &err);
	}
	r->route = rt->path;
	status = -1;
	if (s->too_big) {
		kg_errf(&err, KG_ETOOBIG, "%s", status_message(413));
		goto done;
	}
	if ((r->st = store_thread(&err)) == NULL) {
		err.kind = KG_EUNAVAIL;		/* the database cannot be opened */
		goto done;
	}
	if (parse_body(s, &err) == -1)
		goto done;
	if ((rt->flags & R_AUTH) && authenticate(s, &err) == -1)
		goto done;
	if ((rt->flags & R_SLOW) && carries_password(r->body, 6)) {
		s->rt = rt;
		return DISPATCH_SLOW;
	}
	status = rt->fn(r, &err);
	end_transaction(r);
 done:
	return finish(r, status, &err);
}

/* The reply status for a handler's result (status or -1 with err). */
static unsigned int
finish(struct req *r, int status, struct kg_err *err)
{
	if (status < 0 || status == DISPATCH_SLOW) {
		if (status == DISPATCH_SLOW)	/* no handler returns 1 */
			kg_errf(err, KG_EINTERNAL, "handler returned 1");
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
	r->st = NULL;
	s->final = finish(r, status, &err);
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
		/* First call: headers only. Replying now would cost keep-alive. */
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
		return MHD_YES;
	}
	status = dispatch(s);
	if (status == DISPATCH_SLOW) {
		/* Suspend first: the job may resume the connection at once. */
		s->phase = PH_JOB;
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

static void
on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct conn_state	*s = *req_cls;
	const union MHD_ConnectionInfo *ci;
	unsigned int		 status;
	int64_t			 us;
	char			 path[512], method[64];

	if (s == NULL)
		return;
	us = kg_now_us() - s->started;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_HTTP_STATUS);
	status = ci ? ci->http_status : 0;
	/* Never the query string, headers or body: they may hold secrets. */
	log_info("%s %s %u %.2fms %s user=%s route=%s",
	    log_safe(s->req.method, method, sizeof(method)),
	    log_safe(s->req.path, path, sizeof(path)),
	    status, (double)us / 1000.0, s->req.request_id,
	    s->ctx.user_id[0] ? s->ctx.user_id : "-",
	    s->req.route ? s->req.route : "-");
	if (status != 0)
		metrics_request(s->req.route, s->req.method, status, us);
	free(s->req.out_text);
	json_decref(s->req.body);
	json_decref(s->req.out);
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

struct http_daemon *
http_start(const struct server *srv, struct kg_err *err)
{
	struct http_daemon	*d;
	struct sockaddr_storage	 ss;
	unsigned int		 flags = MHD_USE_INTERNAL_POLLING_THREAD |
				    MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
				    MHD_ALLOW_SUSPEND_RESUME;

	if (parse_listen(srv->cfg.listen, &ss, err) == -1)
		return NULL;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		return NULL;
	}
	d->srv = srv;
	if ((d->jobs = jobs_start(srv->cfg.hash_threads, srv->cfg.hash_queue,
	    err)) == NULL) {
		free(d);
		return NULL;
	}
	d->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, d,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)srv->cfg.threads,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)srv->cfg.connection_timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
	    MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	    MHD_OPTION_END);
	if (d->mhd == NULL) {
		jobs_free(d->jobs);
		free(d);
		kg_errf(err, KG_EINTERNAL, "cannot listen on %s", srv->cfg.listen);
		return NULL;
	}
	return d;
}

void
http_stop(struct http_daemon *d)
{
	if (d == NULL)
		return;
	/*
	 * Finish or cancel the deferred requests first: every suspended
	 * connection is resumed before MHD stops (its API requires it), and
	 * no job touches a connection MHD has already freed.
	 */
	jobs_stop(d->jobs);
	MHD_stop_daemon(d->mhd);
	jobs_free(d->jobs);
	free(d);
}
