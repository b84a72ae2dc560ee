/*
 * nfq.c - NFQUEUE through libnetfilter_queue's libmnl-based API (see
 * nfq.h). After libnetfilter_queue's examples/nf-queue.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/types.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#include "common/log.h"
#include "gateway/nfq.h"
#include "gateway/stats.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

struct gwq {
	struct mnl_socket	*nl;
	uint16_t		 num;
	unsigned int		 portid;
	char			*buf;		/* receive buffer */
	size_t			 bufsz;
	unsigned int		 seq;
};

struct dispatch_ctx {
	struct gwq	*q;
	gwq_packet_fn	 fn;
	void		*arg;
};

/*
 * Send a config message and wait for the kernel's ack. Packets queued in
 * between (the queue is live once bound) are dropped: TCP resends them.
 */
static int
config_send(struct gwq *q, struct nlmsghdr *nlh, struct kg_err *err, const char *what)
{
	char		 buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr	*m;
	struct nlmsgerr	*e;
	struct nlattr	*attr[NFQA_MAX + 1];
	struct nfqnl_msg_packet_hdr *ph;
	unsigned int	 seq;
	int		 n, tries;

	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = seq = ++q->seq;
	if (mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0)
		return kg_errf(err, KG_EINTERNAL, "queue %u: %s: %s", q->num, what,
		    strerror(errno));
	for (tries = 0; tries < 1000; tries++) {
		if ((n = (int)mnl_socket_recvfrom(q->nl, buf, sizeof(buf))) < 0)
			return kg_errf(err, KG_EINTERNAL, "queue %u: %s: %s", q->num,
			    what, strerror(errno));
		for (m = (struct nlmsghdr *)buf; mnl_nlmsg_ok(m, n);
		    m = mnl_nlmsg_next(m, &n)) {
			if (m->nlmsg_type == NLMSG_ERROR && m->nlmsg_seq == seq) {
				e = mnl_nlmsg_get_payload(m);
				if (e->error == 0)
					return 0;
				return kg_errf(err, KG_EINTERNAL, "queue %u: %s: %s",
				    q->num, what, strerror(-e->error));
			}
			memset(attr, 0, sizeof(attr));
			if (nfq_nlmsg_parse(m, attr) >= 0 &&
			    attr[NFQA_PACKET_HDR] != NULL) {
				ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
				gwq_verdict(q, ntohl(ph->packet_id), GW_V_DROP, 0, 0);
			}
		}
	}
	return kg_errf(err, KG_EINTERNAL, "queue %u: %s: no answer", q->num, what);
}

struct gwq *
gwq_open(uint16_t num, const struct gwq_opts *o, struct kg_err *err)
{
	struct nlmsghdr	*nlh;
	struct gwq	*q;
	char		 buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t	 flags = NFQA_CFG_F_GSO;
	int		 rcv = o->rcvbuf;

	if ((q = calloc(1, sizeof(*q))) == NULL) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		return NULL;
	}
	q->num = num;
	q->bufsz = 0xffff + MNL_SOCKET_BUFFER_SIZE / 2;
	if ((q->buf = malloc(q->bufsz)) == NULL) {
		free(q);
		kg_errf(err, KG_EINTERNAL, "out of memory");
		return NULL;
	}
	if ((q->nl = mnl_socket_open(NETLINK_NETFILTER)) == NULL ||
	    mnl_socket_bind(q->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		kg_errf(err, KG_EINTERNAL, "netlink socket: %s (root/CAP_NET_ADMIN needed)",
		    strerror(errno));
		goto fail;
	}
	q->portid = mnl_socket_get_portid(q->nl);

	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, num);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
	if (config_send(q, nlh, err, "bind (is another process using this queue?)") == -1)
		goto fail;

	if (o->fail_open)
		flags |= NFQA_CFG_F_FAIL_OPEN;
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, num);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, 0xffff);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(flags));
	if (o->maxlen > 0)
		nfq_nlmsg_cfg_put_qmaxlen(nlh, o->maxlen);
	if (config_send(q, nlh, err, "configure") == -1)
		goto fail;

	/* a large receive buffer rides out bursts; FORCE needs CAP_NET_ADMIN */
	if (rcv > 0 && setsockopt(mnl_socket_get_fd(q->nl), SOL_SOCKET, SO_RCVBUFFORCE,
	    &rcv, sizeof(rcv)) == -1)
		(void)setsockopt(mnl_socket_get_fd(q->nl), SOL_SOCKET, SO_RCVBUF, &rcv,
		    sizeof(rcv));
	return q;
 fail:
	if (q->nl != NULL)
		mnl_socket_close(q->nl);
	free(q->buf);
	free(q);
	return NULL;
}

int
gwq_fd(const struct gwq *q)
{
	return mnl_socket_get_fd(q->nl);
}

static int
packet_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dispatch_ctx		*c = data;
	struct nlattr			*attr[NFQA_MAX + 1] = { 0 };
	struct nfqnl_msg_packet_hdr	*ph;
	struct nfgenmsg			*nfg;
	uint32_t			 mark = 0;

	if (nfq_nlmsg_parse(nlh, attr) < 0 || attr[NFQA_PACKET_HDR] == NULL) {
		STAT_INC(packets_unparsable);
		return MNL_CB_OK;
	}
	nfg = mnl_nlmsg_get_payload(nlh);
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	if (attr[NFQA_MARK] != NULL)
		mark = ntohl(mnl_attr_get_u32(attr[NFQA_MARK]));
	if (attr[NFQA_PAYLOAD] == NULL) {
		/* nothing to read: never let it through unexamined */
		STAT_INC(packets_unparsable);
		gwq_verdict(c->q, ntohl(ph->packet_id), GW_V_DROP, 0, 0);
		return MNL_CB_OK;
	}
	c->fn(c->arg, ntohs(nfg->res_id), ntohl(ph->packet_id),
	    mnl_attr_get_payload(attr[NFQA_PAYLOAD]),
	    mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]), mark);
	return MNL_CB_OK;
}

int
gwq_dispatch(struct gwq *q, gwq_packet_fn fn, void *arg)
{
	struct dispatch_ctx	c = { q, fn, arg };
	ssize_t			n;

	n = recv(mnl_socket_get_fd(q->nl), q->buf, q->bufsz, MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		if (errno == ENOBUFS) {
			STAT_INC(recv_errors);
			log_warn("%s: queue %u: receive buffer overrun: the kernel "
			    "dropped packets", __func__, q->num);
			return 1;
		}
		log_error("%s: queue %u: %s", __func__, q->num, strerror(errno));
		return -1;
	}
	if (mnl_cb_run(q->buf, (size_t)n, 0, q->portid, packet_cb, &c) < 0 &&
	    errno != 0 && errno != EINTR) {
		STAT_INC(recv_errors);
		log_warn("%s: queue %u: %s", __func__, q->num, strerror(errno));
	}
	return 1;
}

int
gwq_verdict(struct gwq *q, uint32_t id, enum gw_vkind v, int setmark, uint32_t mark)
{
	char		 buf[256];
	struct nlmsghdr	*nlh;
	int		 nv;

	switch (v) {
	case GW_V_ACCEPT:
		nv = NF_ACCEPT;
		break;
	case GW_V_REPEAT:
		nv = NF_REPEAT;
		break;
	default:
		nv = NF_DROP;
		break;
	}
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT, q->num);
	nfq_nlmsg_verdict_put(nlh, (int)id, nv);
	if (setmark)
		nfq_nlmsg_verdict_put_mark(nlh, mark);
	if (mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0) {
		STAT_INC(verdict_errors);
		return -1;
	}
	return 0;
}

void
gwq_close(struct gwq *q)
{
	char		 buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr	*nlh;

	if (q == NULL)
		return;
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, q->num);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_UNBIND);
	(void)mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len);
	mnl_socket_close(q->nl);
	free(q->buf);
	free(q);
}
