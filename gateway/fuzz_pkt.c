/*
 * fuzz_pkt.c - libFuzzer target for the gateway's input parsers and its
 * reassembly engine (`make fuzz`, clang -fsanitize=fuzzer,address).
 *
 * The first byte picks what the rest of the input feeds (low 3 bits):
 *   0  pkt_parse, then http_parse and http_path_normalize on the payload
 *   1  http_parse + http_path_normalize, checking what a result promises
 *   2  gwpolicy_parse, then an evaluation
 *   3  the verdict engine: a stream of packets for four flows, checking
 *      that every packet gets exactly one verdict (after a final flush)
 *   4  tls_parse_hello, whole and in every prefix
 *   5  a request stream cut into heads and bodies (h1.c), in pieces
 *   6  the engine as in 3, with check = every and teardown (actions,
 *      revocation scans, kill-marked packets)
 *   7  http_basic_token
 * Broken promises abort(), which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "gateway/gwauth.h"
#include "gateway/gwpolicy.h"
#include "gateway/h1.h"
#include "gateway/pkt.h"
#include "gateway/verdict.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct gwp_marks marks = { 0x1, 0x2, 0x3, 0xff, 0x4 };

static void
check_http(const char *buf, size_t n)
{
	struct http_req	r;
	char		out[HTTP_MAX_PATH + 1];
	long		m;

	if (http_parse(buf, n, &r) != HTTP_COMPLETE)
		return;
	if (r.head_len > n || r.method < buf || r.method + r.method_len > buf + n ||
	    r.path_len > HTTP_MAX_PATH)
		abort();
	if (r.token != NULL && (r.token < buf || r.token + r.token_len > buf + n ||
	    r.token_len == 0))
		abort();
	/* a complete head stays complete with more bytes after it */
	m = http_path_normalize(r.path, r.path_len, out, sizeof(out));
	if (m >= 0 && ((size_t)m != strlen(out) || (out[0] != '/' && out[0] != '*')))
		abort();
	if (m >= 0 && (strstr(out, "/../") != NULL || strstr(out, "//") != NULL))
		abort();
}

static void
fuzz_packet(const uint8_t *d, size_t n)
{
	struct pkt_info	p;

	if (pkt_parse(d, n, &p) != PKT_OK)
		return;
	if (p.payload < d || p.payload + p.paylen > d + n)
		abort();
	check_http((const char *)p.payload, p.paylen);
}

static void
fuzz_policy(const uint8_t *d, size_t n)
{
	struct gwpolicy		*p;
	struct pkt_flow		 f = { .family = 4, .daddr = { 10, 0, 0, 1 }, .dport = 80 };
	struct gw_role		 role = { "r1", "member" };
	struct gw_ident		 id = { "u", "", "", "", GW_SCOPE_PROJECT, "p1", "demo",
				    "d", "D", &role, 1, "", "", "", 0, 0, 0, "", "", "" };
	struct gwp_request	 rq = { .flow = &f, .method = "GET", .method_len = 3,
				    .path = "/v3/users" };
	const struct gwp_rule	*r;

	if ((p = gwpolicy_parse((const char *)d, n, &marks, NULL)) == NULL)
		return;
	r = gwpolicy_eval(p, &rq, &id);
	if (r != NULL && (r < p->rules || r >= p->rules + p->n))
		abort();
	(void)gwpolicy_eval(p, &rq, NULL);
	gwpolicy_free(p);
}

/* ------------------------------------------------------------------ */

static uint8_t	verdicts[256];	/* per packet id: how many verdicts */
static uint8_t	sent[256];

static void
count_verdict(void *arg, uint16_t q, uint32_t id, enum gw_vkind v, int setmark,
    uint32_t mark)
{
	(void)arg;
	(void)q;
	if (id >= 256 || !sent[id] || ++verdicts[id] > 1)
		abort();
	/* a decision mark, or none: a recheck (NF_REPEAT + 0x100) or a pass */
	if (setmark && (mark & 0xff) > 3)
		abort();
	if (setmark && (mark & 0xff) == 0 && !(v == GW_V_REPEAT && (mark & 0x100)) &&
	    !(v == GW_V_ACCEPT && !(mark & 0x100)))
		abort();
}

/*
 * Records: [flags][seq lo][seq hi][len] then len payload bytes. flags bits
 * 0-1 pick the flow, bit 2 makes it a SYN, bits 3-4 the TCP flags.
 */
static size_t	nacts;

static void
count_act(void *arg, const struct gw_act *a)
{
	(void)arg;
	if (a->kind < GW_ACT_CTMARK || a->kind > GW_ACT_CTDELETE ||
	    (a->kind == GW_ACT_CTMARK && a->mark != 0x4 && a->mark != 0x2))
		abort();
	nacts++;
}

static void
fuzz_engine(const uint8_t *d, size_t n, int every)
{
	static struct gwauth	*a;
	struct gw_engine_cfg	 ec = { marks, 0, 512, 1000000, 8, 2, 6, 5000000, 0, 0,
				     0x100, every, every, every ? 0x4 : 0 };
	struct gw_engine	*e;
	struct gwpolicy		*p;
	const char		*pol = "rule open path /ok noauth\nrule t roles *\n";
	uint8_t			 pkt[40 + 255];
	uint32_t		 id = 0, seq;
	size_t			 i = 0, len, plen;
	int64_t			 now = 1000000000;

	if (a == NULL) {
		struct gwauth_cfg	ac = { "keygate", 16, 60, 86400, 0 };

		a = gwauth_new(&ac, NULL);
	}
	if ((e = gw_engine_new(&ec, a, count_verdict, NULL, NULL)) == NULL)
		abort();
	p = gwpolicy_parse(pol, strlen(pol), &marks, NULL);
	gw_engine_set_policy(e, p);
	if (every)
		gw_engine_set_actions(e, count_act, NULL);
	memset(verdicts, 0, sizeof(verdicts));
	memset(sent, 0, sizeof(sent));
	while (i + 4 <= n && id < 255) {
		uint8_t	f = d[i];

		seq = (uint32_t)d[i + 1] | (uint32_t)d[i + 2] << 8;
		plen = d[i + 3];
		i += 4;
		if (plen > n - i)
			plen = n - i;
		len = 40 + plen;
		memset(pkt, 0, 40);
		pkt[0] = 0x45;
		pkt[2] = (uint8_t)(len >> 8);
		pkt[3] = (uint8_t)len;
		pkt[9] = 6;
		pkt[12] = 10;
		pkt[15] = 2;
		pkt[16] = 10;
		pkt[19] = 1;
		pkt[21] = (uint8_t)(f & 3);
		pkt[23] = 80;
		pkt[26] = (uint8_t)(seq >> 8);
		pkt[27] = (uint8_t)seq;
		pkt[32] = 5 << 4;
		pkt[33] = (uint8_t)((f & 4 ? 0x02 : 0x10) | (f & 0x18));
		memcpy(pkt + 40, d + i, plen);
		i += plen;
		sent[++id] = 1;
		gw_engine_packet(e, 0, id, pkt, len, f & 0x80 ? (every ? 0x4 : 0x100) : 0, now);
		now += (f & 0x60) << 12;	/* sometimes time passes */
		if (f & 0x60)
			gw_engine_tick(e, now);
		if (every && (f & 0x78) == 0x78) {
			struct kg_revoke_event	ev;
			struct pkt_flow		k = { 4, { 10, 0, 0, 2 }, { 10, 0, 0, 1 },
						    (uint16_t)(f & 3), 80 };

			memset(&ev, 0, sizeof(ev));
			ev.issued_before = INT64_MAX;
			gw_engine_revoked(e, &ev, 1);	/* revokes every token */
			gw_engine_conn_gone(e, &k);
		}
	}
	gw_engine_flush(e);
	for (i = 1; i <= id; i++)
		if (verdicts[i] != 1)
			abort();		/* a packet left without a verdict */
	gw_engine_free(e);
}

static void
fuzz_tls(const uint8_t *d, size_t n)
{
	struct tls_hello	h;
	size_t			i;
	enum tls_status		st = tls_parse_hello(d, n, 16384, &h);

	if (st == TLS_COMPLETE && (h.len > n || strlen(h.sni) > TLS_MAX_SNI ||
	    h.nalpn > TLS_MAX_ALPN))
		abort();
	for (i = 0; st == TLS_COMPLETE && i < h.len; i++)
		if (tls_parse_hello(d, i, 16384, &h) != TLS_INCOMPLETE)
			abort();	/* a prefix of a complete hello is incomplete */
}

/* A request stream fed in pieces of d[0] bytes: never stuck, never past n. */
static void
fuzz_h1(const uint8_t *d, size_t n)
{
	struct h1_framing f = { 0 };
	struct http_req	  r;
	size_t		  step, i = 0, hl = 0, k, used, guard = 0;
	char		  head[600];

	if (n < 1)
		return;
	step = d[0] % 64 + 1;
	d++;
	n--;
	while (i < n && guard++ < 100000) {
		k = n - i < step ? n - i : step;
		if (f.state == H1_BAD)
			return;
		if (f.state != H1_HEAD) {
			used = h1_body(&f, d + i, k);
			if (used > k || (used == 0 && f.state != H1_HEAD && f.state != H1_BAD))
				abort();
			i += used;
			continue;
		}
		if (hl + k > sizeof(head))
			return;
		memcpy(head + hl, d + i, k);
		switch (http_parse(head, hl + k, &r)) {
		case HTTP_INCOMPLETE:
			hl += k;
			i += k;
			break;
		case HTTP_COMPLETE:
			if (r.head_len <= hl || r.head_len > hl + k)
				abort();
			used = r.head_len - hl;
			(void)h1_after_head(&f, &r);
			hl = 0;
			i += used;
			break;
		default:
			return;
		}
	}
	if (guard >= 100000)
		abort();		/* no progress */
}

static void
fuzz_basic(const uint8_t *d, size_t n)
{
	char	out[256];
	long	r = http_basic_token((const char *)d, n, out, sizeof(out));

	if (r >= (long)sizeof(out) || (r >= 0 && (size_t)r != strlen(out)))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	init;

	if (!init) {
		log_set_level(LOG_LVL_ERROR);
		init = 1;
	}
	if (size < 1)
		return 0;
	switch (data[0] & 7) {
	case 0:
		fuzz_packet(data + 1, size - 1);
		break;
	case 1:
		check_http((const char *)data + 1, size - 1);
		break;
	case 2:
		fuzz_policy(data + 1, size - 1);
		break;
	case 3:
		fuzz_engine(data + 1, size - 1, 0);
		break;
	case 4:
		fuzz_tls(data + 1, size - 1);
		break;
	case 5:
		fuzz_h1(data + 1, size - 1);
		break;
	case 6:
		fuzz_engine(data + 1, size - 1, 1);
		break;
	case 7:
		fuzz_basic(data + 1, size - 1);
		break;
	}
	return 0;
}
