/*
 * gwpolicy.h - the gateway's policy file: ordered rules that say which
 * tokens may open which TCP connections, and with which packet mark.
 *
 * One rule per line, first match wins, no match = the default (reject):
 *
 *   # comment
 *   default reject|drop
 *   rule NAME [dst CIDR,...] [port N|N-M,...] [method M,...] [path /p,...]
 *             [connect HOST:PORT,...] [sni NAME,...] [alpn PROTO,...]
 *             (roles R,...|roles *|noauth) [project ID|NAME[@DOMAIN]]
 *             [domain ID|NAME] [system] [action accept|reject|drop] [mark N]
 *
 * A rule matches a request when the destination address and port, the
 * HTTP method and the path prefix (whole segments: "/v3/users" matches
 * "/v3/users" and "/v3/users/x", not "/v3/usersx") match, and the token is
 * valid, carries one of the roles (by name or id; "*" = any valid token)
 * and has the required scope. "noauth" rules match without any token.
 * A connection may also start with a TLS ClientHello instead of an HTTP
 * head: it carries no token, so only noauth rules can match it; "sni"
 * (the server name: exact, or "*.example.com" for any name below) and
 * "alpn" (every protocol offered is in the list) match only TLS, "method",
 * "path" and "connect" (a CONNECT request's target; host exact or
 * "*.suffix", port or "*") only HTTP.
 * The file is parsed whole: any error refuses it (with the line number),
 * so a policy is never half-loaded.
 *
 * Pure: parsing and evaluation do no I/O except gwpolicy_load's read.
 */
#ifndef KG_GATEWAY_GWPOLICY_H
#define KG_GATEWAY_GWPOLICY_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "gateway/pkt.h"

enum gwp_action { GWP_ACCEPT = 0, GWP_REJECT, GWP_DROP };

/* Token scope kinds, as the claims say. */
enum gw_scope { GW_SCOPE_NONE = 0, GW_SCOPE_PROJECT, GW_SCOPE_DOMAIN, GW_SCOPE_SYSTEM };

struct gw_role {
	const char	*id;
	const char	*name;
};

/*
 * What a verified token says (see auth/jwt.h for the claims). Built by
 * gwauth.c in one allocation; immutable and reference-counted there.
 * Strings are never NULL ("" when absent).
 */
struct gw_ident {
	const char	*user_id;
	const char	*user_name;
	const char	*user_domain_id;
	const char	*user_domain_name;
	enum gw_scope	 scope;
	const char	*scope_id;		/* project or domain id */
	const char	*scope_name;
	const char	*scope_domain_id;	/* the project's domain */
	const char	*scope_domain_name;
	const struct gw_role *roles;
	size_t		 nroles;
	const char	*audit_id;		/* audit_ids[0] */
	const char	*audit_chain_id;	/* audit_ids[1], else audit_ids[0] */
	const char	*app_cred_id;		/* application credential; "" none */
	int64_t		 exp;			/* seconds since the epoch */
	int64_t		 iat_us;		/* issued at, µs */
	int64_t		 rev;			/* claim "rev"; 0 = none */
	const char	*trust_id;		/* trust-scoped token: the trust, */
	const char	*trustor_id;		/* its trustor and trustee; */
	const char	*trustee_id;		/* "" otherwise */
};

/* The marks the gateway owns, from its configuration. */
struct gwp_marks {
	uint32_t	accept;		/* default accept mark */
	uint32_t	reject;		/* turned into REJECT tcp-reset by the rules */
	uint32_t	drop;		/* turned into DROP by the rules */
	uint32_t	mask;		/* the mark bits the gateway owns */
	uint32_t	kill;		/* a connection being ended (0: none) */
};

struct gwp_cidr {
	uint8_t		family;		/* 4 or 6 */
	uint8_t		plen;		/* prefix length */
	uint8_t		addr[16];
};

struct gwp_ports {
	uint16_t	lo, hi;
};

struct gwp_rule {
	char		 name[32];
	int		 line;		/* line in the policy file */
	struct gwp_cidr	*dst;		/* ndst == 0: any address */
	size_t		 ndst;
	struct gwp_ports *ports;	/* nports == 0: any port */
	size_t		 nports;
	char		**methods;	/* nmethods == 0: any method */
	size_t		 nmethods;
	char		**paths;	/* npaths == 0: any path */
	size_t		 npaths;
	char		**connect;	/* CONNECT targets "host:port" ("*.x", ":*") */
	size_t		 nconnect;
	char		**sni;		/* TLS server names ("*.x": below x) */
	size_t		 nsni;
	char		**alpn;		/* TLS: every offered protocol among these */
	size_t		 nalpn;
	char		**roles;	/* any of these role names/ids */
	size_t		 nroles;
	int		 any_role;	/* "roles *": any valid token */
	int		 noauth;	/* no token needed */
	enum gw_scope	 scope;		/* GW_SCOPE_NONE: any scope */
	char		*scope_ref;	/* project/domain id or name */
	char		*scope_domain;	/* project NAME@DOMAIN: the domain */
	enum gwp_action	 action;
	uint32_t	 mark;		/* accept mark (0 = the default) */
};

struct gwpolicy {
	struct gwp_rule	*rules;
	size_t		 n;
	enum gwp_action	 def;		/* action when no rule matches */
	int		 uses_path;	/* some rule matches on path */
};

/* A request to evaluate: an HTTP head, or a TLS ClientHello. */
struct gwp_request {
	const struct pkt_flow *flow;	/* destination address and port */
	const char	*method;	/* HTTP; NULL for TLS */
	size_t		 method_len;
	const char	*path;		/* normalized, NUL-terminated; NULL = unsafe,
					   CONNECT or TLS */
	const char	*authority;	/* CONNECT target "host:port", else NULL */
	size_t		 authority_len;
	const struct tls_hello *tls;	/* TLS: what the ClientHello says */
};

/*
 * Parse a policy text. marks bounds the "mark" values (nonzero, inside
 * mask, not the reject/drop mark). Returns a new policy (gwpolicy_free) or
 * NULL with KG_EBADREQ "line N: ...".
 */
struct gwpolicy	*gwpolicy_parse(const char *text, size_t len,
		    const struct gwp_marks *marks, struct kg_err *err);

/* Read and parse the file at path (at most 1 MiB). NULL on any error. */
struct gwpolicy	*gwpolicy_load(const char *path, const struct gwp_marks *marks,
		    struct kg_err *err);

void		 gwpolicy_free(struct gwpolicy *p);	/* NULL-safe */

/*
 * The first rule matching rq for ident (NULL = no valid token), or NULL
 * when none does (apply p->def). A rule with paths never matches a NULL
 * (unsafe) path.
 */
const struct gwp_rule *gwpolicy_eval(const struct gwpolicy *p,
		    const struct gwp_request *rq, const struct gw_ident *ident);

/* "accept", "reject", "drop". */
const char	*gwp_action_name(enum gwp_action a);

#endif /* KG_GATEWAY_GWPOLICY_H */
