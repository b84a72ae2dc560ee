/*
 * test_verdict.c - the gateway's decision engine without a kernel: packets
 * go in, verdicts come out through a recording send callback. Covers the
 * one-segment case, held verdicts for heads split across segments (in and
 * out of order, retransmitted, conflicting), limits and timeouts, marks,
 * IPv6, the requeue guard and the split-hook mode.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "auth/jwt.h"
#include "common/util.h"
#include "gateway/verdict.h"
#include "tests/t.h"
#include "tests/unit/tlsgen.h"

struct rec {
	uint16_t	queue;
	uint32_t	id;
	enum gw_vkind	v;
	int		setmark;
	uint32_t	mark;
};

static struct rec	recs[256];
static size_t		nrecs;
static int64_t		now;

static void
record(void *arg, uint16_t queue, uint32_t id, enum gw_vkind v, int setmark,
    uint32_t mark)
{
	(void)arg;
	if (nrecs < 256) {
		recs[nrecs].queue = queue;
		recs[nrecs].id = id;
		recs[nrecs].v = v;
		recs[nrecs].setmark = setmark;
		recs[nrecs].mark = mark;
		nrecs++;
	}
}

static struct gw_act	acts[64];
static size_t		nacts;

static void
record_act(void *arg, const struct gw_act *a)
{
	(void)arg;
	if (nacts < 64)
		acts[nacts++] = *a;
}

/* The n-th recorded action of kind k (0-based), or NULL. */
static const struct gw_act *
act_of(enum gw_act_kind k, int n)
{
	size_t	i;

	for (i = 0; i < nacts; i++)
		if (acts[i].kind == k && n-- == 0)
			return &acts[i];
	return NULL;
}

/* Verdict recorded for id, or NULL. */
static const struct rec *
verdict_of(uint32_t id)
{
	size_t	i;

	for (i = 0; i < nrecs; i++)
		if (recs[i].id == id)
			return &recs[i];
	return NULL;
}

static int
is(uint32_t id, enum gw_vkind v, uint32_t mark)
{
	const struct rec	*r = verdict_of(id);

	return r != NULL && r->v == v && r->setmark && r->mark == mark;
}

static int
passed(uint32_t id)
{
	const struct rec	*r = verdict_of(id);

	return r != NULL && r->v == GW_V_ACCEPT && !r->setmark;
}

/* IPv4/TCP packet from 10.0.0.2:sport to 10.0.0.1:8080. */
static size_t
mk4(uint8_t *b, uint16_t sport, uint32_t seq, uint8_t flags, const void *pl, size_t n)
{
	size_t	tot = 40 + n;

	memset(b, 0, 40);
	b[0] = 0x45;
	b[2] = (uint8_t)(tot >> 8);
	b[3] = (uint8_t)tot;
	b[9] = 6;
	memcpy(b + 12, "\x0a\x00\x00\x02", 4);
	memcpy(b + 16, "\x0a\x00\x00\x01", 4);
	b[20] = (uint8_t)(sport >> 8);
	b[21] = (uint8_t)sport;
	b[22] = 0x1f;
	b[23] = 0x90;
	b[24] = (uint8_t)(seq >> 24);
	b[25] = (uint8_t)(seq >> 16);
	b[26] = (uint8_t)(seq >> 8);
	b[27] = (uint8_t)seq;
	b[32] = 5 << 4;
	b[33] = flags;
	memcpy(b + 40, pl, n);
	return tot;
}

static size_t
mk6(uint8_t *b, uint16_t sport, uint32_t seq, const void *pl, size_t n)
{
	memset(b, 0, 60);
	b[0] = 0x60;
	b[4] = (uint8_t)((20 + n) >> 8);
	b[5] = (uint8_t)(20 + n);
	b[6] = 6;
	inet_pton(AF_INET6, "fd77::2", b + 8);
	inet_pton(AF_INET6, "fd77::1", b + 24);
	b[40] = (uint8_t)(sport >> 8);
	b[41] = (uint8_t)sport;
	b[42] = 0x1f;
	b[43] = 0x90;
	b[44] = (uint8_t)(seq >> 24);
	b[45] = (uint8_t)(seq >> 16);
	b[46] = (uint8_t)(seq >> 8);
	b[47] = (uint8_t)seq;
	b[52] = 5 << 4;
	b[53] = TCPF_ACK | TCPF_PSH;
	memcpy(b + 60, pl, n);
	return 60 + n;
}

static struct gw_engine	*eng;
static uint8_t		 pkt[70000];

static void
data(uint32_t id, uint16_t sport, uint32_t seq, const char *s, size_t n)
{
	size_t	len = mk4(pkt, sport, seq, TCPF_ACK | TCPF_PSH, s, n);

	gw_engine_packet(eng, 0, id, pkt, len, 0, now);
}

static char *
request(const char *path, const char *tok, size_t pad)
{
	char	*s = malloc(40000), *p;

	p = s + sprintf(s, "GET %s HTTP/1.1\r\nHost: x\r\n", path);
	if (tok != NULL)
		p += sprintf(p, "X-Auth-Token: %s\r\n", tok);
	if (pad > 0) {
		p += sprintf(p, "X-Pad: ");
		memset(p, 'x', pad);
		p += pad;
		p += sprintf(p, "\r\n");
	}
	sprintf(p, "\r\n");
	return s;
}

static char *
make_token_exp(struct jwt_key *k, const char *role, const char *user, int64_t life)
{
	json_t	*c;
	char	*t;
	int64_t	 s = now / 1000000;

	/* keygate's claims (auth/claims.h), as the gateway reads them. */
	c = json_pack("{s:s, s:s, s:I, s:I, s:I, s:[s], s:[s], s:{s:s, s:s, s:{s:s, s:s}},"
	    " s:{s:s, s:s, s:{s:s, s:s}}, s:[{s:s, s:s}]}",
	    "iss", "keygate", "sub", user, "iat", (json_int_t)s, "exp",
	    (json_int_t)(s + life), "iat_us", (json_int_t)s * 1000000,
	    "audit_ids", "aud", "methods", "password",
	    "user", "id", user, "name", "alice", "domain", "id", "default", "name",
	    "Default", "project", "id", "p1", "name", "demo", "domain", "id", "default",
	    "name", "Default", "roles", "id", "r1", "name", role);
	t = jwt_sign(k, c, NULL);
	json_decref(c);
	return t;
}

static char *
make_token(struct jwt_key *k, const char *role)
{
	return make_token_exp(k, role, "user1", 600);
}

static const char *default_policy = "rule admin roles admin mark 0x10\n"
    "rule health path /healthz noauth\n"
    "rule members roles member project demo\n";

/* every: check = every; teardown: live flows, actions recorded. */
static struct gw_engine *
engine_with(struct gwauth *a, int split, size_t max_pending, int hold_all, int every,
    int teardown, const char *pol)
{
	struct gw_engine_cfg	 ec;
	struct kg_err		 err = { 0 };
	struct gw_engine	*e;
	const struct gwp_marks	 m = { 0x1, 0x2, 0x3, 0xff, 0x4 };

	memset(&ec, 0, sizeof(ec));
	ec.marks = m;
	ec.split = split;
	ec.max_header = 4096;
	ec.hold_timeout_us = 1000000;
	ec.max_flows = 64;
	ec.max_pending = max_pending;
	ec.max_held = 8;
	ec.flow_idle_us = 5000000;
	ec.hold_all = hold_all;
	ec.recheck = 0x100;
	ec.every = every;
	ec.teardown = teardown;
	ec.kill_mark = teardown ? 0x4 : 0;
	if ((e = gw_engine_new(&ec, a, record, NULL, &err)) == NULL)
		return NULL;
	gw_engine_set_policy(e, gwpolicy_parse(pol, strlen(pol), &m, &err));
	if (teardown)
		gw_engine_set_actions(e, record_act, NULL);
	return e;
}

static struct gw_engine *
engine(struct gwauth *a, int split, size_t max_pending, int hold_all)
{
	struct gw_engine_cfg	 ec;
	struct kg_err		 err = { 0 };
	struct gw_engine	*e;
	const struct gwp_marks	 m = { 0x1, 0x2, 0x3, 0xff, 0 };
	const char		*pol = default_policy;

	memset(&ec, 0, sizeof(ec));
	ec.marks = m;
	ec.split = split;
	ec.max_header = 4096;
	ec.hold_timeout_us = 1000000;
	ec.max_flows = 64;
	ec.max_pending = max_pending;
	ec.max_held = 8;
	ec.flow_idle_us = 5000000;
	ec.log_decisions = 0;
	ec.hold_all = hold_all;
	ec.recheck = 0x100;
	if ((e = gw_engine_new(&ec, a, record, NULL, &err)) == NULL)
		return NULL;
	gw_engine_set_policy(e, gwpolicy_parse(pol, strlen(pol), &m, &err));
	return e;
}

static void
test_single(const char *good, const char *admin)
{
	char	*r;
	size_t	 len;

	nrecs = 0;
	len = mk4(pkt, 1000, 99, TCPF_SYN, "", 0);
	gw_engine_packet(eng, 0, 1, pkt, len, 0, now);
	T("verd-1.1 SYN passes unmarked", passed(1));
	len = mk4(pkt, 1000, 100, TCPF_ACK, "", 0);
	gw_engine_packet(eng, 0, 2, pkt, len, 0, now);
	T("verd-1.1 bare ACK passes unmarked", passed(2));
	r = request("/", good, 0);
	data(3, 1000, 100, r, strlen(r));
	T("verd-1.2 good token: REPEAT + accept mark", is(3, GW_V_REPEAT, 0x1));
	data(4, 1000, 100 + (uint32_t)strlen(r), "more body", 9);
	T("verd-1.2 later packets of the flow: back to conntrack with the recheck bit",
	    is(4, GW_V_REPEAT, 0x100));
	len = mk4(pkt, 1000, 200, TCPF_ACK, "", 0);
	gw_engine_packet(eng, 0, 5, pkt, len, 0, now);
	T("verd-1.2 a bare ACK of a decided flow too", is(5, GW_V_REPEAT, 0x100));
	free(r);

	r = request("/", NULL, 0);
	data(6, 1001, 1, r, strlen(r));
	T("verd-1.3 no token: reject mark", is(6, GW_V_REPEAT, 0x2));
	free(r);
	r = request("/", admin, 0);
	data(7, 1002, 1, r, strlen(r));
	T("verd-1.4 admin rule mark", is(7, GW_V_REPEAT, 0x10));
	free(r);
	r = request("/healthz", NULL, 0);
	data(8, 1003, 1, r, strlen(r));
	T("verd-1.5 noauth rule", is(8, GW_V_REPEAT, 0x1));
	free(r);
	r = request("/x/../healthz", good, 0);
	data(9, 1004, 1, r, strlen(r));
	T("verd-1.6 unsafe path with path rules: reject", is(9, GW_V_REPEAT, 0x2));
	free(r);
	data(10, 1005, 1, "\x16\x03\x01\x00\x04\x02\x00\x00\x00", 9);
	T("verd-1.7 TLS but not a ClientHello / not HTTP: reject", is(10, GW_V_REPEAT, 0x2));
	gw_engine_packet(eng, 0, 11, "\x45\x00", 2, 0, now);
	T("verd-1.8 unparsable packet dropped", verdict_of(11) != NULL &&
	    verdict_of(11)->v == GW_V_DROP);

	r = request("/", good, 0);
	len = mk4(pkt, 1006, 1, TCPF_ACK, r, strlen(r));
	gw_engine_packet(eng, 0, 12, pkt, len, 0x1000, now);
	T("verd-1.9 foreign mark bits kept", is(12, GW_V_REPEAT, 0x1001));
	gw_engine_packet(eng, 0, 13, pkt, len, 0x1001, now);
	T("verd-1.9 requeued with our mark: accepted, no loop", passed(13));
	len = mk4(pkt, 1007, 1, TCPF_ACK, r, strlen(r));
	gw_engine_packet(eng, 0, 14, pkt, len, 0x2, now);
	T("verd-1.9 requeued with the reject mark: dropped", verdict_of(14) != NULL &&
	    verdict_of(14)->v == GW_V_DROP);
	free(r);

	r = request("/", good, 0);
	len = mk6(pkt, 1008, 1, r, strlen(r));
	gw_engine_packet(eng, 3, 15, pkt, len, 0, now);
	T("verd-1.10 IPv6 request, queue number kept", is(15, GW_V_REPEAT, 0x1) &&
	    verdict_of(15)->queue == 3);
	free(r);
	T("verd-1.11 counters", STAT_GET(flows_accepted) >= 4 && STAT_GET(flows_rejected) >= 3 &&
	    atomic_load(&gw_stats.by_reason[GW_R_NO_TOKEN]) >= 1 &&
	    atomic_load(&gw_stats.by_reason[GW_R_BAD_PATH]) == 1 &&
	    atomic_load(&gw_stats.by_reason[GW_R_NOT_HTTP]) == 1 &&
	    STAT_GET(packets_requeued) == 2 && STAT_GET(packets_unparsable) == 1);
}

static void
test_split(const char *good)
{
	char		*r = request("/", good, 1500);
	size_t		 n = strlen(r), a = n / 3, b = 2 * n / 3;
	struct gw_gauges g;

	nrecs = 0;
	data(20, 2000, 5000, r, a);
	data(21, 2000, 5000 + (uint32_t)a, r + a, b - a);
	T("verd-2.1 incomplete head: verdicts held", nrecs == 0);
	gw_engine_gauges(eng, &g);
	T("verd-2.1 gauges show the held packets", g.held == 2 && g.flows_pending == 1);
	data(22, 2000, 5000 + (uint32_t)b, r + b, n - b);
	T("verd-2.1 complete: every held packet accepted", nrecs == 3 &&
	    is(20, GW_V_REPEAT, 0x1) && is(21, GW_V_REPEAT, 0x1) && is(22, GW_V_REPEAT, 0x1));
	gw_engine_gauges(eng, &g);
	T("verd-2.1 nothing held afterwards", g.held == 0 && g.flows_pending == 0);

	nrecs = 0;
	{
		size_t	len = mk4(pkt, 2001, 8999, TCPF_SYN, "", 0);

		gw_engine_packet(eng, 0, 60, pkt, len, 0, now);
	}
	data(23, 2001, 9000 + (uint32_t)b, r + b, n - b);
	data(24, 2001, 9000 + (uint32_t)a, r + a, b - a);
	T("verd-2.2 out of order: held", nrecs == 1 && passed(60));
	data(25, 2001, 9000 + (uint32_t)a, r + a, b - a);	/* retransmission */
	T("verd-2.2 retransmission: still held", nrecs == 1);
	data(26, 2001, 9000, r, a);
	T("verd-2.2 first segment last: all accepted", nrecs == 5 && passed(60) &&
	    is(23, GW_V_REPEAT, 0x1) && is(26, GW_V_REPEAT, 0x1));

	/* without the SYN the first data seen is taken as the start */
	nrecs = 0;
	data(61, 2009, 7000 + (uint32_t)b, r + b, n - b);
	T("verd-2.2 no SYN, middle segment first: not HTTP", is(61, GW_V_REPEAT, 0x2));

	nrecs = 0;
	data(27, 2002, 100, r, a);
	{
		char	*evil = strdup(r);

		evil[5] ^= 1;		/* same bytes, different content */
		data(28, 2002, 100, evil, a);
		free(evil);
	}
	T("verd-2.3 overlapping segments that differ: reject", is(27, GW_V_REPEAT, 0x2) &&
	    is(28, GW_V_REPEAT, 0x2) &&
	    atomic_load(&gw_stats.by_reason[GW_R_AMBIGUOUS]) == 1);
	nrecs = 0;
	data(62, 2010, 100, r, a);		/* a valid start, held */
	data(63, 2010, 50, r, 10);
	T("verd-2.3 data before the first seen byte: reject", is(62, GW_V_REPEAT, 0x2) &&
	    is(63, GW_V_REPEAT, 0x2));
	free(r);

	nrecs = 0;
	r = request("/", good, 6000);		/* head above max_header 4096 */
	data(29, 2003, 1, r, 1400);
	data(30, 2003, 1401, r + 1400, 1400);
	T("verd-2.4 below the limit: held", nrecs == 0);
	data(31, 2003, 2801, r + 2800, 1400);
	T("verd-2.4 head over the limit: reject", is(29, GW_V_REPEAT, 0x2) &&
	    is(31, GW_V_REPEAT, 0x2) &&
	    atomic_load(&gw_stats.by_reason[GW_R_TOO_BIG]) == 1);
	free(r);

	nrecs = 0;
	r = request("/", NULL, 0);
	data(32, 2004, 1, r, 10);
	data(33, 2005, 1, r, 10);
	T("verd-2.5 second pending flow over max_pending: reject at once",
	    nrecs == 1 && is(33, GW_V_REPEAT, 0x2));
	gw_engine_tick(eng, now + 500000);
	T("verd-2.5 before the hold timeout: still held", nrecs == 1);
	gw_engine_tick(eng, now + 1000001);
	T("verd-2.5 hold timeout: reject", is(32, GW_V_REPEAT, 0x2) &&
	    atomic_load(&gw_stats.by_reason[GW_R_TIMEOUT]) == 1);
	data(34, 2004, 11, r + 10, strlen(r) - 10);
	T("verd-2.5 the rest after the timeout: to conntrack (rejected there)",
	    is(34, GW_V_REPEAT, 0x100));

	nrecs = 0;
	data(35, 2006, 1, r, 10);
	gw_engine_flush(eng);
	T("verd-2.6 flush rejects held packets", is(35, GW_V_REPEAT, 0x2));
	free(r);

	nrecs = 0;
	r = request("/", good, 0);
	{
		size_t	len = mk4(pkt, 2006, 50, TCPF_SYN, "", 0);

		gw_engine_packet(eng, 0, 36, pkt, len, 0, now);
	}
	data(37, 2006, 51, r, strlen(r));
	T("verd-2.7 SYN on a decided 4-tuple starts a new flow", passed(36) &&
	    is(37, GW_V_REPEAT, 0x1));
	free(r);

	/*
	 * A decided flow's verdict never carries over to another connection
	 * on the same 4-tuple: its packets go back to conntrack with the
	 * recheck bit; one that returns (no connmark) is decided afresh.
	 */
	nrecs = 0;
	r = request("/", good, 0);
	data(64, 2011, 1000, r, strlen(r));
	free(r);
	r = request("/", NULL, 0);
	data(65, 2011, 1000 + 781250, r, strlen(r));	/* RFC 6528: ISN + 50 ms */
	T("verd-2.9 decided flow: the next packet goes to conntrack",
	    is(64, GW_V_REPEAT, 0x1) && is(65, GW_V_REPEAT, 0x100));
	{
		size_t	len = mk4(pkt, 2011, 1000 + 781250, TCPF_ACK | TCPF_PSH, r, strlen(r));

		gw_engine_packet(eng, 0, 66, pkt, len, 0x100 | 0x1000, now);
	}
	T("verd-2.9 back with the recheck bit: decided afresh, bit cleared",
	    is(66, GW_V_REPEAT, 0x1002));
	data(67, 2011, 1000 + 781250 + 10, "x", 1);
	T("verd-2.9 the new flow's later packets: to conntrack again",
	    is(67, GW_V_REPEAT, 0x100));
	{
		size_t	len = mk4(pkt, 2011, 5, TCPF_ACK, "", 0);

		gw_engine_packet(eng, 0, 68, pkt, len, 0x100, now);
		len = mk4(pkt, 2012, 5, TCPF_ACK, "", 0);
		gw_engine_packet(eng, 0, 69, pkt, len, 0x100, now);
	}
	T("verd-2.9 recheck bit cleared on a pass", verdict_of(69) != NULL &&
	    verdict_of(69)->v == GW_V_ACCEPT && verdict_of(69)->setmark &&
	    verdict_of(69)->mark == 0 && STAT_GET(packets_rechecked) >= 4);
	free(r);

	nrecs = 0;
	r = request("/", good, 0);
	for (uint32_t i = 0; i < 9; i++)
		data(40 + i, 2007, 1 + i, r + i, 1);
	T("verd-2.8 too many held packets: reject", is(40, GW_V_REPEAT, 0x2) &&
	    atomic_load(&gw_stats.by_reason[GW_R_OVERLOAD]) >= 2);
	free(r);
}

/* Default mode: partial-head packets pass, the completing one is held. */
static void
test_partial(struct gwauth *a, const char *good)
{
	struct gw_engine	*e2 = engine(a, 0, 4, 0);
	char			*r = request("/", good, 1500), *nr = request("/", NULL, 0);
	size_t			 n = strlen(r), q = n / 4, len;
	struct gw_engine	*saved = eng;
	uint64_t		 early = STAT_GET(packets_early);

	eng = e2;
	nrecs = 0;
	len = mk4(pkt, 4000, 9, TCPF_SYN, "", 0);
	gw_engine_packet(eng, 0, 70, pkt, len, 0, now);
	data(71, 4000, 10, r, q);
	T("verd-4.1 partial head: passes unmarked at once", passed(71));
	data(72, 4000, 10 + 2 * (uint32_t)q, r + 2 * q, q);
	T("verd-4.1 segment beyond a gap: held", verdict_of(72) == NULL);
	data(73, 4000, 10 + (uint32_t)q, r + q, q);
	T("verd-4.1 gap filled, head still incomplete: both pass", passed(73) && passed(72));
	data(74, 4000, 10, r, q);
	T("verd-4.1 retransmission of passed bytes passes", passed(74));
	data(75, 4000, 10 + 3 * (uint32_t)q, r + 3 * q, n - 3 * q);
	T("verd-4.1 completing segment gets the decision", is(75, GW_V_REPEAT, 0x1));
	T("verd-4.1 counted as early", STAT_GET(packets_early) == early + 4);

	nrecs = 0;
	data(76, 4001, 1, nr, 10);
	T("verd-4.2 rejected flow: partial packet passed", passed(76));
	data(77, 4001, 11, nr + 10, strlen(nr) - 10);
	T("verd-4.2 completing segment rejected", is(77, GW_V_REPEAT, 0x2));
	nrecs = 0;
	data(78, 4002, 1, "GET / HTTP/1.1\r\nHost", 20);
	data(79, 4002, 21, "\x01\x02", 2);
	T("verd-4.3 garbage after a valid prefix: reject", passed(78) &&
	    is(79, GW_V_REPEAT, 0x2));

	/* a head completed after the hold timeout: one decision, logged once */
	{
		uint64_t	decided = STAT_GET(flows_decided);
		uint64_t	nothttp = atomic_load(&gw_stats.by_reason[GW_R_NOT_HTTP]);
		uint64_t	timeout = atomic_load(&gw_stats.by_reason[GW_R_TIMEOUT]);

		nrecs = 0;
		data(80, 4003, 1, r, q);
		T("verd-4.4 partial head passes", passed(80));
		gw_engine_tick(eng, now + 1000001);
		data(81, 4003, 1 + (uint32_t)q, r + q, n - q);
		T("verd-4.4 the rest after the timeout carries the reject",
		    is(81, GW_V_REPEAT, 0x2));
		T("verd-4.4 decided once: header-timeout, no not-http",
		    STAT_GET(flows_decided) == decided + 1 &&
		    atomic_load(&gw_stats.by_reason[GW_R_TIMEOUT]) == timeout + 1 &&
		    atomic_load(&gw_stats.by_reason[GW_R_NOT_HTTP]) == nothttp);
		data(82, 4003, 1 + (uint32_t)n, "x", 1);
		T("verd-4.4 once delivered, later packets go to conntrack",
		    is(82, GW_V_REPEAT, 0x100));
	}
	free(r);
	free(nr);
	eng = saved;
	gw_engine_free(e2);
}

static void
test_modes(struct gwauth *a, const char *good)
{
	struct gw_engine	*e2 = engine(a, 1, 16, 1);
	char			*r = request("/", good, 0);
	size_t			 len = mk4(pkt, 3000, 1, TCPF_ACK, r, strlen(r));

	nrecs = 0;
	gw_engine_packet(e2, 0, 50, pkt, len, 0, now);
	T("verd-3.1 split mode: NF_ACCEPT + mark", is(50, GW_V_ACCEPT, 0x1));
	free(r);
	r = request("/", NULL, 0);
	len = mk4(pkt, 3001, 1, TCPF_ACK, r, strlen(r));
	gw_engine_packet(e2, 0, 51, pkt, len, 0, now);
	T("verd-3.1 split mode reject: NF_ACCEPT + reject mark", is(51, GW_V_ACCEPT, 0x2));
	free(r);
	gw_engine_free(e2);
}

/* A packet with flags and mark, from 10.0.0.2:sport. */
static void
pkt_in(uint32_t id, uint16_t sport, uint32_t seq, uint32_t ack, uint8_t flags, uint32_t mark,
    const char *s, size_t n)
{
	size_t	len = mk4(pkt, sport, seq, flags, s, n);

	pkt[28] = (uint8_t)(ack >> 24);
	pkt[29] = (uint8_t)(ack >> 16);
	pkt[30] = (uint8_t)(ack >> 8);
	pkt[31] = (uint8_t)ack;
	gw_engine_packet(eng, 0, id, pkt, len, mark, now);
}

static int
dropped(uint32_t id)
{
	const struct rec	*r = verdict_of(id);

	return r != NULL && r->v == GW_V_DROP;
}

static void
test_live(struct gwauth *a, struct jwt_key *k, const char *good)
{
	struct gw_engine	*saved = eng;
	struct gw_gauges	 g;
	struct kg_revoke_event	 ev;
	char			*r = request("/", good, 0), *shortlived, *r2;
	const struct gw_act	*x;
	uint64_t		 revoked = STAT_GET(teardowns_revoked);
	uint64_t		 expired = STAT_GET(teardowns_expired);

	eng = engine_with(a, 0, 4, 0, 0, 1, default_policy);
	nrecs = nacts = 0;
	data(100, 5000, 1, r, strlen(r));
	gw_engine_gauges(eng, &g);
	T("live-1.1 accepted by a token rule: live", is(100, GW_V_REPEAT, 0x1) &&
	    g.flows_live == 1);
	r2 = request("/healthz", NULL, 0);
	data(101, 5001, 1, r2, strlen(r2));
	gw_engine_gauges(eng, &g);
	T("live-1.1 accepted by a noauth rule: not live", is(101, GW_V_REPEAT, 0x1) &&
	    g.flows_live == 1);

	memset(&ev, 0, sizeof(ev));
	strcpy(ev.user_id, "someone-else");
	ev.issued_before = now + 1000000;
	gw_engine_revoked(eng, &ev, 1);
	T("live-1.2 an event for another user: nothing happens", nacts == 0);
	strcpy(ev.user_id, "user1");
	gw_engine_revoked(eng, &ev, 1);
	gw_engine_gauges(eng, &g);
	x = act_of(GW_ACT_CTMARK, 0);
	T("live-1.3 revoked: conntrack mark := kill mark", x != NULL && x->mark == 0x4 &&
	    x->flow.sport == 5000 && x->flow.dport == 8080);
	T("live-1.3 a probe to the idle client", act_of(GW_ACT_PROBE, 0) != NULL &&
	    g.flows_live == 0 && g.flows_ending == 1 &&
	    STAT_GET(teardowns_revoked) == revoked + 1);
	nacts = 0;
	gw_engine_tick(eng, now + 250000);
	T("live-1.4 no answer yet: mark and probe again", act_of(GW_ACT_CTMARK, 0) != NULL &&
	    act_of(GW_ACT_PROBE, 0) != NULL);
	nacts = 0;
	pkt_in(102, 5000, 7777, 8888, TCPF_ACK, 0x4, "", 0);
	x = act_of(GW_ACT_RESET, 0);
	T("live-1.5 the client's answer: dropped, a reset each way from its numbers",
	    dropped(102) && x != NULL && x->seq == 7777 && x->ack == 8888 && x->has_ack);
	pkt_in(103, 5000, 7777, 0, TCPF_RST, 0x4, "", 0);
	T("live-1.5 a reset passes", passed(103));
	nacts = 0;
	gw_engine_tick(eng, now + 250000 + 600000);
	gw_engine_gauges(eng, &g);
	T("live-1.6 after the grace period the conntrack entry is deleted",
	    act_of(GW_ACT_CTDELETE, 0) != NULL && g.flows_ending == 0);
	nacts = 0;
	pkt_in(104, 5999, 10, 20, TCPF_ACK | TCPF_PSH, 0x4, "x", 1);
	T("live-1.7 a kill-marked packet of a flow not known: resets, entry deleted",
	    dropped(104) && act_of(GW_ACT_RESET, 0) != NULL &&
	    act_of(GW_ACT_CTDELETE, 0) != NULL);

	/* expiry */
	shortlived = make_token_exp(k, "member", "user2", 2);
	free(r);
	r = request("/", shortlived, 0);
	nacts = 0;
	data(105, 5002, 1, r, strlen(r));
	gw_engine_tick(eng, now + 1000000);
	T("live-2.1 before exp: nothing", is(105, GW_V_REPEAT, 0x1) && nacts == 0);
	gw_engine_tick(eng, (now / 1000000 + 2) * 1000000);
	T("live-2.2 at exp: ended", act_of(GW_ACT_CTMARK, 0) != NULL &&
	    STAT_GET(teardowns_expired) == expired + 1);
	for (int i = 1; i <= 12; i++)
		gw_engine_tick(eng, (now / 1000000 + 2) * 1000000 + i * 210000);
	x = act_of(GW_ACT_CTMARK, 10);
	gw_engine_gauges(eng, &g);
	T("live-2.3 a client that never answers: left to the reject mark",
	    x != NULL && x->mark == 0x2 && g.flows_ending == 0 &&
	    STAT_GET(teardown_gaveup) >= 1);

	/* conntrack ended it first */
	free(r);
	r = request("/", good, 0);
	data(106, 5003, 1, r, strlen(r));
	{
		struct pkt_flow	rev = { 4, { 10, 0, 0, 1 }, { 10, 0, 0, 2 }, 8080, 5003 };

		gw_engine_conn_gone(eng, &rev);
	}
	gw_engine_gauges(eng, &g);
	T("live-3.1 conntrack's DESTROY (reply tuple) forgets a live flow", g.flows_live == 0);
	gw_engine_free(eng);

	eng = engine_with(a, 0, 4, 0, 0, 0, default_policy);
	nacts = 0;
	data(107, 5004, 1, r, strlen(r));
	gw_engine_gauges(eng, &g);
	T("live-4.1 teardown = no: nothing live", g.flows_live == 0 && nacts == 0);
	gw_engine_free(eng);
	free(r);
	free(r2);
	free(shortlived);
	eng = saved;
}

static void
test_every(struct gwauth *a, const char *good, const char *reader)
{
	struct gw_engine	*saved = eng;
	const struct gw_act	*x;
	char			 buf[8192];
	char			*r1 = request("/", good, 0), *r2 = request("/healthz", NULL, 0);
	char			*r3 = request("/", NULL, 0), *rr = request("/x", reader, 0);
	uint32_t		 seq;
	size_t			 n;
	uint64_t		 denied = STAT_GET(requests_denied);
	uint64_t		 reord = STAT_GET(packets_reordered);

	eng = engine_with(a, 0, 4, 0, 1, 1, default_policy);
	nrecs = nacts = 0;
	pkt_in(110, 6000, 999, 0, TCPF_SYN, 0, "", 0);
	seq = 1000;
	data(111, 6000, seq, r1, strlen(r1));
	T("every-1.1 first request: its decision and the seen bit", is(111, GW_V_REPEAT, 0x101));
	seq += (uint32_t)strlen(r1);
	data(112, 6000, seq, r2, strlen(r2));
	T("every-1.2 next request decided on its own (noauth): the seen bit only",
	    is(112, GW_V_REPEAT, 0x100));
	data(113, 6000, seq, r2, strlen(r2));
	T("every-1.3 a retransmission of decided bytes passes", is(113, GW_V_REPEAT, 0x100));
	seq += (uint32_t)strlen(r2);
	data(114, 6000, seq + 10, r2, strlen(r2));
	T("every-1.4 a segment beyond a gap is dropped (TCP sends it again)", dropped(114) &&
	    STAT_GET(packets_reordered) == reord + 1);
	/* a head in two pieces */
	data(115, 6000, seq, r1, 10);
	T("every-1.5 part of a head passes", is(115, GW_V_REPEAT, 0x100));
	data(116, 6000, seq + 10, r1 + 10, strlen(r1) - 10);
	T("every-1.5 the rest completes it: decided", is(116, GW_V_REPEAT, 0x100));
	seq += (uint32_t)strlen(r1);
	/* a body that looks like a request, then a pipelined pair */
	n = (size_t)snprintf(buf, sizeof(buf), "POST /up HTTP/1.1\r\nX-Auth-Token: %s\r\n"
	    "Content-Length: 17\r\n\r\nGET /x HTTP/1.1\r\n%s%s", good, r2, r1);
	data(117, 6000, seq, buf, n);
	T("every-2.1 POST body skipped, pipelined heads decided, all pass",
	    is(117, GW_V_REPEAT, 0x100));
	seq += (uint32_t)n;
	n = (size_t)snprintf(buf, sizeof(buf), "%s%s", r1, r3);
	nacts = 0;
	pkt_in(118, 6000, seq, 4242, TCPF_ACK | TCPF_PSH, 0, buf, n);
	x = act_of(GW_ACT_RESET, 0);
	T("every-2.2 a pipelined request without a token: packet dropped",
	    dropped(118) && STAT_GET(requests_denied) == denied + 1);
	T("every-2.2 ... and the connection ended: resets from its numbers, kill mark",
	    x != NULL && x->seq == seq && x->ack == 4242 && act_of(GW_ACT_CTMARK, 0) != NULL &&
	    act_of(GW_ACT_CTMARK, 0)->mark == 0x4);

	/* a later request by a token that the rules refuse */
	nrecs = nacts = 0;
	data(120, 6001, 1, r1, strlen(r1));
	data(121, 6001, 1 + (uint32_t)strlen(r1), rr, strlen(rr));
	T("every-3.1 reader after member on one connection: refused", is(120, GW_V_REPEAT,
	    0x101) && dropped(121) && act_of(GW_ACT_RESET, 0) != NULL);
	/* chunked body, then Upgrade */
	nrecs = nacts = 0;
	n = (size_t)snprintf(buf, sizeof(buf), "POST / HTTP/1.1\r\nX-Auth-Token: %s\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n4\r\nGET \r\n", good);
	data(122, 6002, 1, buf, n);
	seq = 1 + (uint32_t)n;
	data(123, 6002, seq, "0\r\n\r\n", 5);
	seq += 5;
	n = (size_t)snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nX-Auth-Token: %s\r\n"
	    "Upgrade: h2c\r\n\r\n", good);
	data(124, 6002, seq, buf, n);
	T("every-4.1 chunked body followed, then an Upgrade refused", is(122, GW_V_REPEAT,
	    0x101) && is(123, GW_V_REPEAT, 0x100) && dropped(124));
	/* CONNECT: a tunnel afterwards */
	nrecs = 0;
	n = (size_t)snprintf(buf, sizeof(buf), "CONNECT h:22 HTTP/1.1\r\nProxy-Authorization: "
	    "Bearer %s\r\n\r\nSSH-2.0-x\r\n", good);
	data(125, 6003, 1, buf, n);
	data(126, 6003, 1 + (uint32_t)n, "\x00\x00\x01\x0c binary", 12);
	T("every-5.1 CONNECT accepted, the tunnel's bytes pass unparsed",
	    is(125, GW_V_REPEAT, 0x101) && is(126, GW_V_REPEAT, 0x100));
	/* a SYN starts a new stream on a flow that is not live */
	nrecs = 0;
	data(127, 6004, 1, r2, strlen(r2));
	pkt_in(128, 6004, 4999, 0, TCPF_SYN, 0, "", 0);
	data(129, 6004, 5000, r3, strlen(r3));
	T("every-6.1 a SYN resets the stream: the new first request decided",
	    is(127, GW_V_REPEAT, 0x101) && passed(128) && dropped(129));
	gw_engine_free(eng);
	free(r1);
	free(r2);
	free(r3);
	free(rr);
	eng = saved;
}

static void
test_tls_connect(struct gwauth *a, const char *good)
{
	struct gw_engine	*saved = eng;
	uint8_t			 hello[8192];
	char			 buf[8192], b64[8192];
	size_t			 n, h;
	const char		*pol = "rule web port 8080 sni www.test alpn http/1.1 noauth\n"
				    "rule tun method CONNECT connect h.test:22 roles member\n";

	eng = engine_with(a, 0, 4, 0, 0, 1, pol);
	nrecs = 0;
	h = client_hello(hello, "www.test", "http/1.1", 0);
	data(130, 7000, 1, (char *)hello, h);
	T("tlsv-1.1 ClientHello with an allowed SNI: accepted", is(130, GW_V_REPEAT, 0x1));
	h = client_hello(hello, "evil.test", "http/1.1", 0);
	data(131, 7001, 1, (char *)hello, h);
	T("tlsv-1.2 another SNI: rejected", is(131, GW_V_REPEAT, 0x2));
	h = client_hello(hello, "www.test", "h2,http/1.1", 0);
	data(132, 7002, 1, (char *)hello, h);
	T("tlsv-1.3 ALPN offering h2 too: rejected", is(132, GW_V_REPEAT, 0x2));
	h = client_hello(hello, "www.test", "http/1.1", 0);
	data(133, 7003, 1, (char *)hello, 50);
	T("tlsv-1.4 half a ClientHello: passes, waits for the rest", passed(133));
	data(134, 7003, 51, (char *)hello + 50, h - 50);
	T("tlsv-1.4 the rest: decided", is(134, GW_V_REPEAT, 0x1));

	n = (size_t)snprintf(buf, sizeof(buf), "CONNECT h.test:22 HTTP/1.1\r\n"
	    "Proxy-Authorization: Bearer %s\r\n\r\n", good);
	data(135, 7004, 1, buf, n);
	T("tlsv-2.1 CONNECT with Proxy-Authorization: Bearer", is(135, GW_V_REPEAT, 0x1));
	{
		/* Basic "token:<token>", as socat's proxyauth sends it */
		static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789+/";
		char	 plain[4096];
		size_t	 pl = (size_t)snprintf(plain, sizeof(plain), "token:%s", good), i, o = 0;

		for (i = 0; i < pl; i += 3) {
			uint32_t v = (uint32_t)(unsigned char)plain[i] << 16 |
			    (i + 1 < pl ? (uint32_t)(unsigned char)plain[i + 1] << 8 : 0) |
			    (i + 2 < pl ? (unsigned char)plain[i + 2] : 0);

			b64[o++] = tbl[v >> 18 & 63];
			b64[o++] = tbl[v >> 12 & 63];
			b64[o++] = i + 1 < pl ? tbl[v >> 6 & 63] : '=';
			b64[o++] = i + 2 < pl ? tbl[v & 63] : '=';
		}
		b64[o] = '\0';
	}
	n = (size_t)snprintf(buf, sizeof(buf), "CONNECT h.test:22 HTTP/1.1\r\n"
	    "Proxy-Authorization: Basic %s\r\n\r\n", b64);
	data(136, 7005, 1, buf, n);
	T("tlsv-2.2 CONNECT with Basic credentials (password = token)",
	    is(136, GW_V_REPEAT, 0x1));
	n = (size_t)snprintf(buf, sizeof(buf), "CONNECT h.test:23 HTTP/1.1\r\n"
	    "Proxy-Authorization: Bearer %s\r\n\r\n", good);
	data(137, 7006, 1, buf, n);
	data(138, 7007, 1, "CONNECT h.test:22 HTTP/1.1\r\n\r\n", 31);
	T("tlsv-2.3 another target, or no token: rejected", is(137, GW_V_REPEAT, 0x2) &&
	    is(138, GW_V_REPEAT, 0x2));
	n = (size_t)snprintf(buf, sizeof(buf), "CONNECT h.test:22 HTTP/1.1\r\n"
	    "Proxy-Authorization: Basic %s\r\nX-Auth-Token: other\r\n\r\n", b64);
	data(139, 7008, 1, buf, n);
	T("tlsv-2.4 Basic and another token: ambiguous", is(139, GW_V_REPEAT, 0x2));
	gw_engine_free(eng);
	eng = saved;
}

int
main(void)
{
	struct gwauth_cfg	 ac = { "keygate", 64, 60, 86400, 0 };
	struct gwauth		*a = gwauth_new(&ac, NULL);
	struct jwt_key		*k = jwt_key_generate(NULL), **keys;
	json_t			*jwks;
	char			*doc, *good, *admin, *reader;
	size_t			 n;

	now = kg_now_us();
	jwks = json_pack("{s:[o]}", "keys", jwt_key_to_jwk(k));
	doc = json_dumps(jwks, 0);
	gwauth_parse_jwks(doc, strlen(doc), &keys, &n, NULL);
	gwauth_set_keys(a, keys, n);
	good = make_token(k, "member");
	admin = make_token(k, "admin");
	reader = make_token(k, "reader");
	eng = engine(a, 0, 1, 1);
	T("verd-0.1 engine created", eng != NULL);
	if (eng != NULL) {
		test_single(good, admin);
		test_split(good);
		test_modes(a, good);
		test_partial(a, good);
		test_live(a, k, good);
		test_every(a, good, reader);
		test_tls_connect(a, good);
		gw_engine_free(eng);
	}
	free(good);
	free(admin);
	free(reader);
	free(doc);
	json_decref(jwks);
	jwt_key_free(k);
	gwauth_free(a);
	return t_report();
}
