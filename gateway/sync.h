/*
 * sync.h - keep the gateway's keys and revocation events in step with
 * keygate, from a thread of its own (libcurl), so the queue threads never
 * wait on the network.
 *
 * It polls, on one kept-alive connection (libcurl):
 *   1. a service token (POST /v3/auth/tokens, password method, the
 *      configured user scoped to the configured project) when it has none
 *      or it is about to expire;
 *   2. GET /v3/OS-KEYGATE/jwks every sync_interval seconds, installing the
 *      keys when they changed;
 *   3. GET /v3/OS-REVOKE/events?since=<last seen - 1 s> every
 *      revocation_interval_ms (the whole list on the first round, after a
 *      kick and every 5 minutes), merging the events: gwauth drops the
 *      cached tokens they revoke and tells its listener (the engine ends
 *      the live flows they revoke).
 * A failure keeps the last good copy and is retried next interval. When
 * state_dir is set, the last good JWKS and events are written there and
 * read back at start, so a restart while keygate is down still works.
 */
#ifndef KG_GATEWAY_SYNC_H
#define KG_GATEWAY_SYNC_H

#include "common/err.h"
#include "gateway/conf.h"
#include "gateway/gwauth.h"

struct gwsync;

/*
 * Load the static jwks_file and the state_dir copies into a (as at start
 * and on SIGHUP). Returns 0, or -1 when a configured jwks_file is
 * unreadable or holds no usable key.
 */
int		 gwsync_load_files(const struct gw_conf *c, struct gwauth *a,
		    struct kg_err *err);

/* Start the sync thread (nothing to do and no thread when c->url is ""). */
struct gwsync	*gwsync_start(const struct gw_conf *c, struct gwauth *a,
		    struct kg_err *err);

/* Sync now, fetching the whole event list (SIGHUP). NULL-safe. */
void		 gwsync_kick(struct gwsync *s);

/* Stop (aborting a transfer in progress) and free. NULL-safe. */
void		 gwsync_stop(struct gwsync *s);

#endif /* KG_GATEWAY_SYNC_H */
