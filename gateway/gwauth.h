/*
 * gwauth.h - offline token checks for keygate-gateway: the verification
 * keys (from keygate's JWKS), the revocation events (from
 * /v3/OS-REVOKE/events) and a bounded cache of verified tokens.
 *
 * A token is accepted when auth/jwt.c verifies it (pinned ES256, key by
 * "kid"), its claims are keygate's (auth/claims.c, the parser keygate
 * itself uses), iss is the configured issuer, it has not expired and no
 * revocation event revokes it (auth/revocation.c, keygate's own rule:
 * events are struct kg_revoke_event, with keygate's revision). The cache is keyed
 * by the SHA-256 of the token (the token itself is never stored or
 * logged); an entry lives until the token's exp, is dropped when a new
 * event matches it, and the whole cache is flushed when a key disappears.
 *
 * Thread-safe: queue threads call gwauth_check while the sync thread
 * installs keys and events; checks never wait for the network.
 */
#ifndef KG_GATEWAY_GWAUTH_H
#define KG_GATEWAY_GWAUTH_H

#include <stddef.h>
#include <stdint.h>

#include "auth/jwt.h"
#include "common/err.h"
#include "common/types.h"
#include "gateway/gwpolicy.h"

/* Why a flow got its verdict. Names in gw_reason_name(). */
enum gw_reason {
	GW_R_OK = 0,		/* a rule accepted it */
	GW_R_RULE,		/* a rule said reject/drop */
	GW_R_NO_RULE,		/* valid token, but no rule matched */
	GW_R_NO_TOKEN,		/* no X-Auth-Token / Bearer */
	GW_R_MALFORMED,		/* not a JWS, bad claims */
	GW_R_BAD_SIGNATURE,	/* signature or algorithm refused */
	GW_R_UNKNOWN_KEY,	/* kid not in the JWKS */
	GW_R_EXPIRED,
	GW_R_REVOKED,
	GW_R_WRONG_ISSUER,
	GW_R_NO_KEYS,		/* no JWKS loaded yet */
	GW_R_NOT_HTTP,		/* first bytes are not an HTTP/1.x request */
	GW_R_AMBIGUOUS,		/* two different tokens, or two readings of the stream */
	GW_R_BAD_PATH,		/* dot segments, encoded slash... */
	GW_R_TOO_BIG,		/* header block over the limit */
	GW_R_TIMEOUT,		/* header block incomplete in time */
	GW_R_OVERLOAD,		/* flow table or hold limits */
	GW_R_SHUTDOWN,		/* held when the daemon stopped */
	GW_R_MAX
};

const char	*gw_reason_name(enum gw_reason r);


struct gwauth_cfg {
	const char	*issuer;	/* required "iss"; "" = not checked */
	size_t		 cache_size;	/* entries; 0 = no cache */
	int64_t		 leeway;	/* seconds of clock skew allowed on iat */
	int64_t		 max_lifetime;	/* seconds: events older are pruned */
	size_t		 max_events;	/* bound on stored events */
};

struct gwauth;

struct gwauth	*gwauth_new(const struct gwauth_cfg *cfg, struct kg_err *err);
void		 gwauth_free(struct gwauth *a);		/* NULL-safe */

/*
 * Parse a JWKS document {"keys":[...]} into keys (EC P-256 ones; others
 * are skipped). *keys is a malloc'd array the caller gives to
 * gwauth_set_keys or frees with gwauth_keys_free. Fails when no usable
 * key is found.
 */
int	gwauth_parse_jwks(const char *text, size_t len, struct jwt_key ***keys,
	    size_t *n, struct kg_err *err);
void	gwauth_keys_free(struct jwt_key **keys, size_t n);

/*
 * Install a new key set (takes ownership of keys and the array). When a
 * previously known kid is missing, cached tokens are flushed. Returns 1
 * when the set of kids changed, 0 when it is the same.
 */
int	gwauth_set_keys(struct gwauth *a, struct jwt_key **keys, size_t n);

/*
 * Parse {"events":[...]} as /v3/OS-REVOKE/events answers, keygate's
 * "OS-KEYGATE:revision" included. *ev is malloc'd (free()); *n may be 0.
 */
int	gwauth_parse_events(const char *text, size_t len, struct kg_revoke_event **ev,
	    size_t *n, struct kg_err *err);

/*
 * Merge events (duplicates ignored; replace=1 drops the old list first)
 * and drop cached tokens they revoke. Events not known before are then
 * handed to the revoke listener. Returns the number of new events.
 */
size_t	gwauth_add_events(struct gwauth *a, const struct kg_revoke_event *ev, size_t n,
	    int replace);

/*
 * Called (on the thread that added them, no gwauth lock held) with the
 * events that gwauth_add_events has just learned: the gateway's engine
 * ends the live connections whose token they revoke (gw_revent_matches).
 */
typedef void (*gwauth_revoke_fn)(void *arg, const struct kg_revoke_event *ev, size_t n);
void	gwauth_set_revoke_listener(struct gwauth *a, gwauth_revoke_fn fn, void *arg);

/* 1 when a stored event revokes the (already verified) identity id. */
int	gwauth_revoked(struct gwauth *a, const struct gw_ident *id);

/* Drop events no live token can match any more (now in µs). */
void	gwauth_prune_events(struct gwauth *a, int64_t now_us);

/* The latest revoked_at of the stored events (µs), 0 when none. */
int64_t	gwauth_events_latest(struct gwauth *a);

/*
 * Check a token at time now_us. On GW_R_OK *out holds a reference to the
 * identity (gw_ident_put it); *hit says whether the cache answered.
 * Otherwise *out is NULL and the reason says why.
 */
enum gw_reason gwauth_check(struct gwauth *a, const char *token, size_t len,
	    int64_t now_us, const struct gw_ident **out, int *hit);

void	gw_ident_put(const struct gw_ident *id);	/* NULL-safe */

/* Counters for stats. */
struct gwauth_info {
	size_t	keys;
	size_t	events;
	size_t	cache_entries;
};
void	gwauth_info(struct gwauth *a, struct gwauth_info *out);

/*
 * 1 when event e revokes the token id: kg_revoke_matches (auth/revocation.h)
 * on id's fields, the rule keygate applies.
 */
int	gw_revent_matches(const struct kg_revoke_event *e, const struct gw_ident *id);

/* First 8 bytes of SHA-256(token) as 16 hex chars: a log-safe token tag. */
void	gw_token_tag(const char *token, size_t len, char out[17]);

#endif /* KG_GATEWAY_GWAUTH_H */
