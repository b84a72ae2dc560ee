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
make_token(struct jwt_key *k, const char *role)
{
	json_t	*c;
	char	*t;
	int64_t	 s = now / 1000000;

	/* keygate's claims (auth/claims.h), as the gateway reads them. */
	c = json_pack("{s:s, s:s, s:I, s:I, s:I, s:[s], s:[s], s:{s:s, s:s, s:{s:s, s:s}},"
	    " s:{s:s, s:s, s:{s:s, s:s}}, s:[{s:s, s:s}]}",
	    "iss", "keygate", "sub", "user1", "iat", (json_int_t)s, "exp",
	    (json_int_t)(s + 600), "iat_us", (json_int_t)s * 1000000,
	    "audit_ids", "aud", "methods", "password",
	    "user", "id", "user1", "name", "alice", "domain", "id", "default", "name",
	    "Default", "project", "id", "p1", "name", "demo", "domain", "id", "default",
	    "name", "Default", "roles", "id", "r1", "name", role);
	t = jwt_sign(k, c, NULL);
	json_decref(c);
	return t;
}

static struct gw_engine *
engine(struct gwauth *a, int split, size_t max_pending, int hold_all)
{
	struct gw_engine_cfg	 ec;
	struct kg_err		 err = { 0 };
	struct gw_engine	*e;
	const struct gwp_marks	 m = { 0x1, 0x2, 0x3, 0xff };
	const char		*pol = "rule admin roles admin mark 0x10\n"
				    "rule health path /healthz noauth\n"
				    "rule members roles member project demo\n";

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
	data(10, 1005, 1, "\x16\x03\x01\x02\x00", 5);
	T("verd-1.7 TLS / not HTTP: reject", is(10, GW_V_REPEAT, 0x2));
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

int
main(void)
{
	struct gwauth_cfg	 ac = { "keygate", 64, 60, 86400, 0 };
	struct gwauth		*a = gwauth_new(&ac, NULL);
	struct jwt_key		*k = jwt_key_generate(NULL), **keys;
	json_t			*jwks;
	char			*doc, *good, *admin;
	size_t			 n;

	now = kg_now_us();
	jwks = json_pack("{s:[o]}", "keys", jwt_key_to_jwk(k));
	doc = json_dumps(jwks, 0);
	gwauth_parse_jwks(doc, strlen(doc), &keys, &n, NULL);
	gwauth_set_keys(a, keys, n);
	good = make_token(k, "member");
	admin = make_token(k, "admin");
	eng = engine(a, 0, 1, 1);
	T("verd-0.1 engine created", eng != NULL);
	if (eng != NULL) {
		test_single(good, admin);
		test_split(good);
		test_modes(a, good);
		test_partial(a, good);
		gw_engine_free(eng);
	}
	free(good);
	free(admin);
	free(doc);
	json_decref(jwks);
	jwt_key_free(k);
	gwauth_free(a);
	return t_report();
}
