/*
 * ct.c - conntrack and raw-socket side of ending live connections (see
 * ct.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <linux/netfilter/nf_conntrack_tcp.h>

#include "common/log.h"
#include "common/util.h"
#include "gateway/ct.h"
#include "gateway/stats.h"

#define CHECK_EVERY_US	(30 * (int64_t)1000000)
#define MAX_CHECK	65536		/* live flows checked per round */

struct gwct {
	struct gw_engine *e;
	uint32_t	 mask;
	struct nfct_handle *ev;		/* DESTROY events */
	int		 raw4, raw6;
	int		 stopfd[2];
	pthread_t	 thread;
	int		 started;
	atomic_int	 resync;	/* events were lost */
};

/* A conntrack object for flow k: by its original tuple, or its reply one. */
static struct nf_conntrack *
ct_of(const struct pkt_flow *k, int reply)
{
	struct nf_conntrack	*ct;
	uint32_t		 a4;

	if ((ct = nfct_new()) == NULL)
		return NULL;
	nfct_set_attr_u8(ct, ATTR_L3PROTO, k->family == 6 ? AF_INET6 : AF_INET);
	if (!reply) {
		if (k->family == 6) {
			nfct_set_attr(ct, ATTR_ORIG_IPV6_SRC, k->saddr);
			nfct_set_attr(ct, ATTR_ORIG_IPV6_DST, k->daddr);
		} else {
			memcpy(&a4, k->saddr, 4);
			nfct_set_attr_u32(ct, ATTR_ORIG_IPV4_SRC, a4);
			memcpy(&a4, k->daddr, 4);
			nfct_set_attr_u32(ct, ATTR_ORIG_IPV4_DST, a4);
		}
		nfct_set_attr_u8(ct, ATTR_ORIG_L4PROTO, IPPROTO_TCP);
		nfct_set_attr_u16(ct, ATTR_ORIG_PORT_SRC, htons(k->sport));
		nfct_set_attr_u16(ct, ATTR_ORIG_PORT_DST, htons(k->dport));
	} else {
		/* the server answers from daddr:dport to saddr:sport */
		if (k->family == 6) {
			nfct_set_attr(ct, ATTR_REPL_IPV6_SRC, k->daddr);
			nfct_set_attr(ct, ATTR_REPL_IPV6_DST, k->saddr);
		} else {
			memcpy(&a4, k->daddr, 4);
			nfct_set_attr_u32(ct, ATTR_REPL_IPV4_SRC, a4);
			memcpy(&a4, k->saddr, 4);
			nfct_set_attr_u32(ct, ATTR_REPL_IPV4_DST, a4);
		}
		nfct_set_attr_u8(ct, ATTR_REPL_L4PROTO, IPPROTO_TCP);
		nfct_set_attr_u16(ct, ATTR_REPL_PORT_SRC, htons(k->dport));
		nfct_set_attr_u16(ct, ATTR_REPL_PORT_DST, htons(k->sport));
	}
	return ct;
}

struct got {
	int		found;
	uint32_t	mark;
	uint8_t		state;
};

static int
on_get(enum nf_conntrack_msg_type type, struct nf_conntrack *ct, void *arg)
{
	struct got	*g = arg;

	(void)type;
	g->found = 1;
	g->mark = nfct_get_attr_u32(ct, ATTR_MARK);
	g->state = nfct_attr_is_set(ct, ATTR_TCP_STATE) ?
	    nfct_get_attr_u8(ct, ATTR_TCP_STATE) : TCP_CONNTRACK_ESTABLISHED;
	return NFCT_CB_STOP;
}

/*
 * A query handle of its own for each request: requests are rare (one per
 * ended connection), come from several threads, and a handle shared
 * between them could read another request's answer.
 */
static struct nfct_handle *
qopen(void)
{
	struct nfct_handle	*h = nfct_open(CONNTRACK, 0);

	if (h == NULL) {
		STAT_INC(conntrack_errors);
		log_warn("%s: ctnetlink: %s", __func__, strerror(errno));
	}
	return h;
}

/*
 * Look k up on h (original tuple, then reply tuple, for NAT in front).
 * Returns 1 with the tuple kind that found it, its mark and TCP state, 0
 * when conntrack has no entry, -1 on another error.
 */
static int
ct_get(struct nfct_handle *h, const struct pkt_flow *k, int *reply, uint32_t *mark,
    uint8_t *state)
{
	struct nf_conntrack	*ct;
	struct got		 g;
	int			 r, rc = 0, q;

	for (r = 0; r < 2; r++) {
		if ((ct = ct_of(k, r)) == NULL)
			return -1;
		memset(&g, 0, sizeof(g));
		nfct_callback_register(h, NFCT_T_ALL, on_get, &g);
		errno = 0;
		q = nfct_query(h, NFCT_Q_GET, ct);
		nfct_destroy(ct);
		if (g.found) {
			*reply = r;
			*mark = g.mark;
			*state = g.state;
			return 1;
		}
		if (q == -1 && errno != ENOENT) {
			log_warn("%s: conntrack get: %s", __func__, strerror(errno));
			rc = -1;
		}
	}
	return rc;
}

static void
ct_set_mark(struct gwct *c, const struct pkt_flow *k, uint32_t mark)
{
	struct nfct_handle	*h;
	struct nf_conntrack	*ct;
	uint32_t		 old;
	uint8_t			 state;
	int			 reply, found;

	if ((h = qopen()) == NULL)
		return;
	found = ct_get(h, k, &reply, &old, &state);
	if (found == 1 && (state == TCP_CONNTRACK_TIME_WAIT || state == TCP_CONNTRACK_CLOSE)) {
		/* closed already: nothing to end, stop watching it */
		nfct_close(h);
		gw_engine_conn_gone(c->e, k);
		return;
	}
	if (found == 1 && (ct = ct_of(k, reply)) != NULL) {
		nfct_set_attr_u32(ct, ATTR_MARK, (old & ~c->mask) | mark);
		if (nfct_query(h, NFCT_Q_UPDATE, ct) == -1) {
			STAT_INC(conntrack_errors);
			log_warn("%s: conntrack update: %s", __func__, strerror(errno));
		}
		nfct_destroy(ct);
	} else if (found == -1) {
		STAT_INC(conntrack_errors);
	}
	nfct_close(h);
}

static void
ct_delete(struct gwct *c, const struct pkt_flow *k)
{
	struct nfct_handle	*h;
	struct nf_conntrack	*ct;
	int			 r, q;

	(void)c;
	if ((h = qopen()) == NULL)
		return;
	for (r = 0; r < 2; r++) {
		if ((ct = ct_of(k, r)) == NULL)
			break;
		q = nfct_query(h, NFCT_Q_DESTROY, ct);
		nfct_destroy(ct);
		if (q == 0)
			break;
		if (errno != ENOENT) {
			STAT_INC(conntrack_errors);
			log_warn("%s: conntrack delete: %s", __func__, strerror(errno));
			break;
		}
	}
	nfct_close(h);
}

/* Send a bare TCP segment of flow k (reverse: from the server). */
static void
send_tcp(struct gwct *c, const struct pkt_flow *k, int reverse, uint32_t seq, uint32_t ack,
    uint8_t flags)
{
	uint8_t			 buf[PKT_TCP_MAX];
	struct sockaddr_in	 s4;
	struct sockaddr_in6	 s6;
	size_t			 n;
	ssize_t			 rc;

	if ((n = pkt_build_tcp(buf, sizeof(buf), k, reverse, seq, ack, flags)) == 0)
		return;
	if (k->family == 6) {
		memset(&s6, 0, sizeof(s6));
		s6.sin6_family = AF_INET6;
		memcpy(&s6.sin6_addr, reverse ? k->saddr : k->daddr, 16);
		rc = sendto(c->raw6, buf, n, 0, (struct sockaddr *)&s6, sizeof(s6));
	} else {
		memset(&s4, 0, sizeof(s4));
		s4.sin_family = AF_INET;
		memcpy(&s4.sin_addr, reverse ? k->saddr : k->daddr, 4);
		rc = sendto(c->raw4, buf, n, 0, (struct sockaddr *)&s4, sizeof(s4));
	}
	if (rc == -1)
		log_warn("%s: %s", __func__, strerror(errno));
}

void
gwct_act(void *arg, const struct gw_act *a)
{
	struct gwct	*c = arg;
	char		 fs[PKT_FLOW_STRLEN];

	if (log_enabled(LOG_LVL_DEBUG)) {
		pkt_flow_str(&a->flow, fs);
		log_debug("%s: %s %s mark 0x%x seq %u ack %u%s", __func__, fs,
		    a->kind == GW_ACT_CTMARK ? "ct-mark" : a->kind == GW_ACT_CTDELETE ?
		    "ct-delete" : a->kind == GW_ACT_PROBE ? "probe" : "reset", a->mark,
		    a->seq, a->ack, a->has_ack ? "" : " (no ack)");
	}
	switch (a->kind) {
	case GW_ACT_CTMARK:
		ct_set_mark(c, &a->flow, a->mark);
		break;
	case GW_ACT_CTDELETE:
		ct_delete(c, &a->flow);
		break;
	case GW_ACT_PROBE:
		send_tcp(c, &a->flow, 1, a->seq, a->ack, TCPF_ACK);
		break;
	case GW_ACT_RESET:
		/* the server's next expected byte; the client's, when known */
		send_tcp(c, &a->flow, 0, a->seq, 0, TCPF_RST);
		if (a->has_ack)
			send_tcp(c, &a->flow, 1, a->ack, 0, TCPF_RST);
		break;
	}
}

/* ------------------------------------------------------------------
 * Following conntrack
 * ------------------------------------------------------------------ */

static int
on_destroy(enum nf_conntrack_msg_type type, struct nf_conntrack *ct, void *arg)
{
	struct gwct	*c = arg;
	struct pkt_flow	 k;
	uint8_t		 l3 = nfct_get_attr_u8(ct, ATTR_L3PROTO);
	uint32_t	 a4;

	(void)type;
	if (nfct_get_attr_u8(ct, ATTR_ORIG_L4PROTO) != IPPROTO_TCP ||
	    (l3 != AF_INET && l3 != AF_INET6))
		return NFCT_CB_CONTINUE;
	memset(&k, 0, sizeof(k));
	if (l3 == AF_INET6) {
		k.family = 6;
		memcpy(k.saddr, nfct_get_attr(ct, ATTR_ORIG_IPV6_SRC), 16);
		memcpy(k.daddr, nfct_get_attr(ct, ATTR_ORIG_IPV6_DST), 16);
	} else {
		k.family = 4;
		a4 = nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_SRC);
		memcpy(k.saddr, &a4, 4);
		a4 = nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_DST);
		memcpy(k.daddr, &a4, 4);
	}
	k.sport = ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_SRC));
	k.dport = ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_DST));
	gw_engine_conn_gone(c->e, &k);
	return NFCT_CB_CONTINUE;
}

/* Ask conntrack about every live flow; forget those it no longer has. */
static void
check_live(struct gwct *c)
{
	struct nfct_handle *h;
	struct pkt_flow	*keys;
	size_t		 n, i;
	uint32_t	 mark;
	uint8_t		 state;
	int		 reply, found;

	if ((keys = malloc(MAX_CHECK * sizeof(*keys))) == NULL)
		return;
	if ((h = qopen()) == NULL) {
		free(keys);
		return;
	}
	n = gw_engine_live(c->e, keys, MAX_CHECK);
	for (i = 0; i < n; i++) {
		found = ct_get(h, &keys[i], &reply, &mark, &state);
		if (found == 0 || (found == 1 && (state == TCP_CONNTRACK_TIME_WAIT ||
		    state == TCP_CONNTRACK_CLOSE)))
			gw_engine_conn_gone(c->e, &keys[i]);
	}
	nfct_close(h);
	free(keys);
}

static void *
ct_main(void *arg)
{
	struct gwct	*c = arg;
	struct pollfd	 p[2] = { { nfct_fd(c->ev), POLLIN, 0 }, { c->stopfd[0], POLLIN, 0 } };
	int64_t		 next_check = kg_now_us() + CHECK_EVERY_US;

	for (;;) {
		if (poll(p, 2, 1000) > 0) {
			if (p[1].revents)
				break;
			if (p[0].revents && nfct_catch(c->ev) == -1 && errno == ENOBUFS) {
				log_warn("%s: conntrack events lost; checking the live flows",
				    __func__);
				atomic_store(&c->resync, 1);
			}
		}
		if (atomic_exchange(&c->resync, 0) || kg_now_us() >= next_check) {
			check_live(c);
			next_check = kg_now_us() + CHECK_EVERY_US;
		}
	}
	return NULL;
}

/*
 * Only the ends of TCP connections that carry one of the gateway's marks
 * concern it: let the kernel drop the others' events (a socket filter),
 * so a busy host's connections cost the daemon nothing.
 */
static void
events_filter(struct gwct *c)
{
	struct nfct_filter		*f;
	struct nfct_filter_dump_mark	 unmarked = { 0, c->mask };

	if ((f = nfct_filter_create()) == NULL)
		return;
	nfct_filter_add_attr_u32(f, NFCT_FILTER_L4PROTO, IPPROTO_TCP);
	nfct_filter_add_attr(f, NFCT_FILTER_MARK, &unmarked);
	nfct_filter_set_logic(f, NFCT_FILTER_MARK, NFCT_FILTER_LOGIC_NEGATIVE);
	if (nfct_filter_attach(nfct_fd(c->ev), f) == -1)
		log_warn("%s: no kernel-side filter for conntrack events (%s); "
		    "reading them all", __func__, strerror(errno));
	nfct_filter_destroy(f);
}

struct gwct *
gwct_start(struct gw_engine *e, uint32_t mask, struct kg_err *err)
{
	struct gwct	*c;
	int		 one = 1;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		return NULL;
	}
	c->e = e;
	c->mask = mask;
	c->raw4 = c->raw6 = c->stopfd[0] = c->stopfd[1] = -1;
	if ((c->ev = nfct_open(CONNTRACK, NF_NETLINK_CONNTRACK_DESTROY)) == NULL) {
		kg_errf(err, KG_EINTERNAL, "conntrack events: %s", strerror(errno));
		goto fail;
	}
	(void)setsockopt(nfct_fd(c->ev), SOL_SOCKET, SO_RCVBUFFORCE, &(int){ 4 << 20 },
	    sizeof(int));
	(void)fcntl(nfct_fd(c->ev), F_SETFL, O_NONBLOCK);
	events_filter(c);
	nfct_callback_register(c->ev, NFCT_T_DESTROY, on_destroy, c);
	if ((c->raw4 = socket(AF_INET, SOCK_RAW, IPPROTO_RAW)) == -1 ||
	    (c->raw6 = socket(AF_INET6, SOCK_RAW, IPPROTO_RAW)) == -1) {
		kg_errf(err, KG_EINTERNAL, "raw socket for TCP resets (CAP_NET_RAW): %s",
		    strerror(errno));
		goto fail;
	}
	(void)setsockopt(c->raw4, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one));
	if (pipe2(c->stopfd, O_CLOEXEC) == -1 ||
	    (errno = pthread_create(&c->thread, NULL, ct_main, c)) != 0) {
		kg_errf(err, KG_EINTERNAL, "conntrack thread: %s", strerror(errno));
		goto fail;
	}
	c->started = 1;
	return c;
 fail:
	gwct_stop(c);
	return NULL;
}

void
gwct_stop(struct gwct *c)
{
	if (c == NULL)
		return;
	if (c->started) {
		(void)!write(c->stopfd[1], "x", 1);
		pthread_join(c->thread, NULL);
	}
	if (c->stopfd[0] != -1) {
		close(c->stopfd[0]);
		close(c->stopfd[1]);
	}
	if (c->raw4 != -1)
		close(c->raw4);
	if (c->raw6 != -1)
		close(c->raw6);
	if (c->ev != NULL)
		nfct_close(c->ev);
	free(c);
}
