/* stats.c - the gateway's counters and their text dump (see stats.h). */
#include <stdio.h>
#include <string.h>

#include "gateway/stats.h"

struct gw_stats gw_stats;

/* Append one "name value" line if it fits; keeps buf NUL-terminated. */
static void
line(char *buf, size_t sz, size_t *off, const char *name, unsigned long long v)
{
	char	l[128];
	int	n;

	n = snprintf(l, sizeof(l), "%.80s %llu\n", name, v);
	if (n <= 0 || *off + (size_t)n >= sz)
		return;
	memcpy(buf + *off, l, (size_t)n + 1);
	*off += (size_t)n;
}

size_t
gw_stats_text(char *buf, size_t sz, const struct gw_gauges *g, int64_t now_us)
{
	char		name[64];
	size_t		off = 0;
	int64_t		last;
	int		r;

	if (sz == 0)
		return 0;
	buf[0] = '\0';
#define GW_STATS_LINE(n, doc) line(buf, sz, &off, #n, STAT_GET(n));
	GW_COUNTERS(GW_STATS_LINE)
#undef GW_STATS_LINE
	for (r = 0; r < GW_R_MAX; r++) {
		snprintf(name, sizeof(name), "decisions_%s", gw_reason_name(r));
		for (char *p = name; *p; p++)
			if (*p == '-')
				*p = '_';
		line(buf, sz, &off, name, atomic_load(&gw_stats.by_reason[r]));
	}
	line(buf, sz, &off, "flows_tracked", g->flows);
	line(buf, sz, &off, "flows_pending", g->flows_pending);
	line(buf, sz, &off, "flows_live", g->flows_live);
	line(buf, sz, &off, "flows_ending", g->flows_ending);
	line(buf, sz, &off, "packets_held_now", g->held);
	line(buf, sz, &off, "keys", g->keys);
	line(buf, sz, &off, "revocation_events_stored", g->events);
	line(buf, sz, &off, "cache_entries", g->cache_entries);
	line(buf, sz, &off, "policy_rules", g->policy_rules);
	/* absent until the first successful sync */
	if ((last = atomic_load(&gw_stats.last_sync_ok)) != 0)
		line(buf, sz, &off, "seconds_since_sync",
		    (unsigned long long)((now_us - last) / 1000000));
	return off;
}
