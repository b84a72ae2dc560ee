/*
 * stats.h - keygate-gateway's counters: lock-free, process-wide, dumped
 * as "name value" lines by `keygate-gateway stats` (through the control
 * socket) and to the log on SIGUSR1.
 */
#ifndef KG_GATEWAY_STATS_H
#define KG_GATEWAY_STATS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "gateway/gwauth.h"

/* name, meaning: the table the struct and the dump are built from */
#define GW_COUNTERS(X)							\
	X(packets_queued, "packets received from the queues")		\
	X(packets_passed, "packets without payload let through undecided") \
	X(packets_held, "packets whose verdict was held for reassembly") \
	X(packets_early, "partial-head packets passed before the decision") \
	X(packets_unparsable, "packets that are not IPv4/IPv6 TCP (dropped)") \
	X(packets_requeued, "packets back with a gateway mark: rules out of order") \
	X(packets_rechecked, "packets of decided flows sent back to conntrack") \
	X(verdict_errors, "verdicts the kernel refused")		\
	X(recv_errors, "netlink receive errors (ENOBUFS = queue overrun)") \
	X(flows_decided, "flows given a verdict")			\
	X(flows_accepted, "flows accepted")				\
	X(flows_rejected, "flows rejected (tcp-reset)")			\
	X(flows_dropped, "flows dropped")				\
	X(cache_hits, "token checks answered by the cache")		\
	X(cache_misses, "token checks that verified a signature")	\
	X(sync_ok, "successful syncs with keygate")			\
	X(sync_errors, "failed syncs with keygate")			\
	X(jwks_updates, "key sets installed")				\
	X(revocation_events, "revocation events received")		\
	X(policy_reloads, "policies loaded")				\
	X(policy_errors, "policy reloads refused")			\
	X(requests_decided, "later request heads checked (check = every)") \
	X(requests_denied, "later request heads refused (connection ended)") \
	X(packets_reordered, "out-of-order segments dropped (check = every)") \
	X(teardowns, "live connections ended (revoked, expired, denied)") \
	X(teardowns_revoked, "... because a revocation event matched")	\
	X(teardowns_expired, "... because the token expired")		\
	X(teardown_probes, "probes sent to make an idle client answer")	\
	X(teardown_resets, "TCP reset pairs sent")			\
	X(teardown_gaveup, "idle connections left to the reject mark")	\
	X(conntrack_errors, "conntrack updates or deletes that failed")	\
	X(conntrack_gone, "tracked connections that conntrack ended")

struct gw_stats {
#define GW_STATS_FIELD(name, doc) atomic_uint_fast64_t name;
	GW_COUNTERS(GW_STATS_FIELD)
#undef GW_STATS_FIELD
	atomic_uint_fast64_t by_reason[GW_R_MAX];	/* decisions per reason */
	atomic_int_fast64_t  last_sync_ok;		/* µs; 0 = never */
};

extern struct gw_stats gw_stats;

#define STAT_INC(name)	atomic_fetch_add_explicit(&gw_stats.name, 1, memory_order_relaxed)
#define STAT_ADD(name, n) atomic_fetch_add_explicit(&gw_stats.name, (n), memory_order_relaxed)
#define STAT_GET(name)	atomic_load_explicit(&gw_stats.name, memory_order_relaxed)

/* Values read at dump time from the live objects. */
struct gw_gauges {
	size_t	flows;			/* tracked flows */
	size_t	flows_pending;		/* flows holding packets */
	size_t	flows_live;		/* accepted flows whose token is watched */
	size_t	flows_ending;		/* being torn down */
	size_t	held;			/* packets held now */
	size_t	keys;
	size_t	events;
	size_t	cache_entries;
	size_t	policy_rules;
};

/*
 * Write every counter and gauge as "name value\n" into buf (size sz,
 * always NUL-terminated). Returns the length written.
 */
size_t	gw_stats_text(char *buf, size_t sz, const struct gw_gauges *g, int64_t now_us);

#endif /* KG_GATEWAY_STATS_H */
