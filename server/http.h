/*
 * http.h - the HTTP layer: libmicrohttpd glue, request state, routing,
 * authentication of X-Auth-Token, Keystone-style replies and errors.
 *
 * Flow of one request: MHD calls http.c, which accumulates the body up to
 * max_request_body_size (413 beyond), matches the route table, parses a
 * JSON body once (400 when malformed), authenticates X-Auth-Token for
 * routes flagged R_AUTH (401), checks the body against the route's schema
 * and the query against its limits (request_validate, server/apijson.h:
 * 400, a body's error held for the handler), then calls the handler -- on
 * this worker, or, for an R_SLOW route whose body carries a password, on a
 * hashing thread. A handler returns an HTTP status and leaves its reply
 * body in r->out, or returns -1 with err filled; only this layer turns a
 * struct kg_err into a status.
 */
#ifndef KG_HTTP_H
#define KG_HTTP_H

#include <jansson.h>
#include <stdint.h>

#include "auth/ctx.h"
#include "auth/policy.h"
#include "common/err.h"
#include "server/config.h"
#include "store/store.h"

struct MHD_Connection;
struct tokens;
struct authz;
struct credkeys;
struct listcache;

/* Process-wide state, built by serve and shared read-only by workers. */
struct server {
	struct kg_config	 cfg;
	struct tokens		*tokens;
	struct authz		*authz;		/* the policy set (server/authz.h) */
	struct authlimit	*limit;		/* failed-login rate limit; NULL: off */
	struct credkeys		*credkeys;	/* credential blobs (auth/credkeys.h) */
	struct listcache	*lists;		/* rendered lists (server/listcache.h) */
	int64_t			 started_at;	/* µs */
};

#define REQ_MAX_PARAMS	4

struct req {
	struct MHD_Connection	*conn;
	const struct server	*srv;
	const char		*method;	/* as received; HEAD kept */
	const char		*path;		/* URL path without query */
	const char		*params[REQ_MAX_PARAMS];	/* {x} segments, in order */
	size_t			 nparams;
	json_t			*body;		/* parsed JSON body, or NULL */
	const char		*raw;		/* the body as received (R_FORM
						   routes; NULL otherwise) */
	size_t			 rawlen;
	struct store		*st;		/* this worker's connection */
	struct kg_ctx		*ctx;		/* caller; set for R_AUTH routes */
	const char		*auth_token;	/* raw X-Auth-Token; never log it */
	int			 head;		/* HEAD: reply without a body */
	char			 request_id[48];	/* "req-<uuid>" */
	const char		*route;		/* matched pattern ("/v3/users/{}"), or NULL */

	/*
	 * The body's schema error, held for the handler (request_validate):
	 * as in Keystone, a handler authorizes first and meets it when it
	 * reads the body (apij_body); body_seen records that it did.
	 */
	struct kg_err		 body_err;
	int			 body_seen;

	/* Reply, filled by the handler. */
	json_t			*out;		/* body (owned); NULL = no body */
	char			*subject_token;	/* X-Subject-Token to send (owned) */
	char			*auth_receipt;	/* Openstack-Auth-Receipt to send (owned) */
	char			*location;	/* Location header to send (owned) */
	char			*out_text;	/* non-JSON body (owned, malloc'd); wins over out */
	const char		*out_type;	/* its Content-Type (static string) */
	int			 out_secret;	/* the body holds a secret: wipe it
						   once sent, and tell caches not
						   to keep it (Cache-Control:
						   no-store, RFC 6749 5.1) */
	int			 retry_after;	/* 429: the Retry-After seconds */
	char			 allow[64];	/* Allow header (OPTIONS, 405); "" = none */
};

/* A handler: returns an HTTP status (2xx/3xx) or -1 with err filled. */
typedef int (*api_fn)(struct req *r, struct kg_err *err);

#define R_AUTH		0x1	/* a valid X-Auth-Token is required */
/*
 * The handler checks or hashes a secret when the request carries one: a
 * string member "password", "original_password" or "secret" in the body,
 * up to 6 levels down (POST /v3/auth/tokens has them 5 levels down), or
 * an "Authorization: Basic" header (OAuth 2.0 client credentials). bcrypt
 * takes ~250 ms, so such a request runs its handler on a hashing thread,
 * off the HTTP workers ([identity] hash_threads; 503 when hash_queue is
 * full or the server is stopping). There r->st is the hashing thread's
 * own store connection; the handler is the same and runs once.
 */
#define R_SLOW		0x2
/* The handler always hashes (it makes a secret when none is given):
 * always on a hashing thread, as R_SLOW with a secret. */
#define R_HASHES	0x4
/* The body is not JSON (application/x-www-form-urlencoded): it is not
 * parsed, the handler reads r->raw. */
#define R_FORM		0x8
/*
 * X-Auth-Token is optional: when the request has one it must be valid
 * (401) and r->ctx is its caller, else r->ctx is NULL. For routes that
 * Keystone opens to anyone under one policy and not another
 * (POST /v3/ec2tokens: identity:ec2tokens_validate since Keystone 29).
 */
#define R_AUTH_OPT	0x10
/*
 * A password check under the failed-login rate limit (server/authguard.h):
 * when the body carries a password, authguard_check runs on the worker
 * first and may answer 429, before any hashing or queueing.
 */
#define R_LIMIT		0x20

/* Branches number their flags apart: no two may share a bit. */
_Static_assert((R_AUTH ^ R_SLOW ^ R_HASHES ^ R_FORM ^ R_AUTH_OPT ^ R_LIMIT) ==
    (R_AUTH | R_SLOW | R_HASHES | R_FORM | R_AUTH_OPT | R_LIMIT),
    "route flags overlap");

struct route {
	const char	*method;	/* "GET", "POST", ... */
	const char	*path;		/* "/v3/users/{}" ; {} matches one segment */
	api_fn		 fn;
	unsigned int	 flags;
};

/* Route tables, one per API module, each ending with { NULL }. */
extern const struct route api_version_routes[];
extern const struct route api_auth_routes[];
extern const struct route api_domains_routes[];
extern const struct route api_projects_routes[];
extern const struct route api_users_routes[];
extern const struct route api_groups_routes[];
extern const struct route api_roles_routes[];
extern const struct route api_assignments_routes[];
extern const struct route api_catalog_routes[];
extern const struct route api_limits_routes[];
extern const struct route api_policies_routes[];
extern const struct route api_ep_filter_routes[];
extern const struct route api_domain_config_routes[];
extern const struct route api_ops_routes[];
extern const struct route api_appcred_routes[];
extern const struct route api_oauth2_routes[];
extern const struct route api_credentials_routes[];
extern const struct route api_trusts_routes[];

/* Every table above, NULL-terminated (for dispatch and the API docs test). */
extern const struct route *const http_route_tables[];

/*
 * Bind and listen on listen_addr ("host:port", "[v6]:port"): the socket,
 * or -1 with err (a clear message when the address is in use: a second
 * server never shares the port). Call before anything else at start.
 */
int		 http_listen(const char *listen_addr, struct kg_err *err);

/*
 * Serve listen_fd (from http_listen; owned by the daemon from then on)
 * with cfg.threads workers, at most cfg.max_connections connections
 * (raising RLIMIT_NOFILE as needed, see server/conns.h). Returns an
 * opaque daemon handle, or NULL with err filled (then the caller gives
 * up: listen_fd may or may not have been closed). http_stop stops it and
 * waits for in-flight requests.
 */
struct http_daemon;
struct http_daemon	*http_start(const struct server *srv, int listen_fd,
			    struct kg_err *err);
void			 http_stop(struct http_daemon *d);

/* ---- helpers for handlers --------------------------------------------- */

/* Query parameter value ("" for "?flag"), or NULL when absent. */
const char	*req_query(struct req *r, const char *name);

/* How many query parameters the request has. */
size_t		 req_query_count(struct req *r);

/*
 * Call fn(arg, key, value) for each query parameter, in order (value NULL
 * for "?flag"), until fn returns non-zero. Returns 0, or -1 when fn
 * stopped the walk.
 */
int		 req_query_each(struct req *r, int (*fn)(void *arg,
		    const char *key, const char *value), void *arg);

/* Request header value, or NULL. */
const char	*req_header(struct req *r, const char *name);

/* The client's address as the rate limit counts it: IPv4 dotted (also
 * when IPv4-mapped), an IPv6 address's /64 ("2001:0db8:0000:0001::/64");
 * "-" when unknown. */
void		 req_client_addr(struct req *r, char *out, size_t outsz);

/*
 * Base URL clients reach us at, no trailing slash: server.public_endpoint
 * when set, else "http://" + the Host header. Into out (size outsz).
 */
/*
 * The cache key of a list reply (server/listcache.h) into out: the base
 * URL (links are built on it), the path, scope (what the caller's token
 * restricts the list to; NULL: nothing) and every query argument, each
 * length-prefixed. Returns 0, or -1 when it does not fit (do not cache).
 */
int		 req_list_key(struct req *r, const char *scope, char *out,
		    size_t outsz);
void		 req_base_url(struct req *r, char *out, size_t outsz);

/*
 * Check policy rule for the caller on target (may be NULL), as Keystone's
 * enforce_call: the route's URL parameters are added to it under their
 * Keystone names (user_id, project_id, role_id, prior_role_id, value, ...)
 * unless the handler set them. Returns 0, or -1 with a 403 (Keystone's
 * text) in err.
 */
int		 req_authorize(struct req *r, const char *rule,
		    const struct policy_target *target, struct kg_err *err);

/*
 * Build Keystone's "links" object for the current URL:
 * {"self": base + path, "previous": null, "next": null}. New reference.
 */
json_t		*req_links(struct req *r);

/* {"self": base + "/v3/<collection>/<id>"}; new reference. */
json_t		*req_self_link(struct req *r, const char *collection, const char *id);

/*
 * Parse a query boolean as Keystone does: absent -> dflt; "", "1", "true",
 * "yes", "on" (any case) -> 1; "0", "false", "no", "off" -> 0; else -1.
 */
int		 req_query_bool(struct req *r, const char *name, int dflt);

/* Nonzero when the policy in force has a rule of this name. */
int		 req_has_rule(struct req *r, const char *rule);

/* Map an error kind to its HTTP status / Keystone title. */
unsigned int	 http_status_of(enum kg_errkind kind);
const char	*http_title(unsigned int status);

#endif /* KG_HTTP_H */
