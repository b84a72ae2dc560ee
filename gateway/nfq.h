/*
 * nfq.h - the netlink side of keygate-gateway: bind an NFQUEUE queue,
 * receive queued packets, send verdicts. The only code that knows
 * libnetfilter_queue (and libmnl).
 *
 * One struct gwq per queue number, read by one thread; gwq_verdict may be
 * called from any thread (a held packet can be released by the thread
 * that completed its flow's request head).
 */
#ifndef KG_GATEWAY_NFQ_H
#define KG_GATEWAY_NFQ_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "gateway/verdict.h"

struct gwq_opts {
	uint32_t	maxlen;		/* packets the kernel queues for us */
	int		fail_open;	/* NFQA_CFG_F_FAIL_OPEN: accept when full */
	int		rcvbuf;		/* socket receive buffer, bytes */
};

/* One queued packet: IP packet pkt[0..len), its id and mark. */
typedef void (*gwq_packet_fn)(void *arg, uint16_t queue, uint32_t id,
    const void *pkt, size_t len, uint32_t mark);

struct gwq;

/*
 * Bind queue num (copy whole packets, GSO packets unsegmented). Fails,
 * e.g., when another process holds the queue. NULL on error.
 */
struct gwq	*gwq_open(uint16_t num, const struct gwq_opts *o, struct kg_err *err);

/* The socket, for poll(). */
int		 gwq_fd(const struct gwq *q);

/*
 * Read one batch of messages without blocking and call fn for each
 * packet. Returns 1 when a batch was read, 0 when there was nothing to
 * read, -1 on a fatal socket error. A receive buffer overrun (ENOBUFS:
 * the kernel dropped packets) is counted, not fatal.
 */
int		 gwq_dispatch(struct gwq *q, gwq_packet_fn fn, void *arg);

/* Send a verdict (see gw_send_fn). Returns 0 or -1 (counted). */
int		 gwq_verdict(struct gwq *q, uint32_t id, enum gw_vkind v, int setmark,
		    uint32_t mark);

/* Unbind and close. NULL-safe. Packets still queued are dropped by the kernel. */
void		 gwq_close(struct gwq *q);

#endif /* KG_GATEWAY_NFQ_H */
