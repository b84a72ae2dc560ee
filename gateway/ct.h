/*
 * ct.h - the kernel side of ending live connections (teardown): conntrack
 * through libnetfilter_conntrack, and bare TCP segments (resets, probes)
 * sent from raw sockets. The only code that knows either.
 *
 * gwct_act carries out the engine's requests (a gw_act_fn): set a
 * connection's conntrack mark, delete its entry, send a reset each way or
 * a probe to the client. A thread of its own follows conntrack's DESTROY
 * events and tells the engine which tracked connections ended
 * (gw_engine_conn_gone); every 30 s, and after the kernel dropped events
 * (ENOBUFS), it also asks conntrack whether each live flow's entry still
 * exists, so a lost event never keeps a flow forever.
 *
 * Needs CAP_NET_ADMIN (conntrack) and CAP_NET_RAW (raw sockets).
 */
#ifndef KG_GATEWAY_CT_H
#define KG_GATEWAY_CT_H

#include <stdint.h>

#include "common/err.h"
#include "gateway/verdict.h"

struct gwct;

/* mask: the conntrack mark bits the gateway owns. NULL on failure. */
struct gwct	*gwct_start(struct gw_engine *e, uint32_t mask, struct kg_err *err);

/* The engine's action callback (arg: the struct gwct). Thread-safe. */
void		 gwct_act(void *arg, const struct gw_act *a);

/* Stop the event thread and close everything. NULL-safe. */
void		 gwct_stop(struct gwct *c);

#endif /* KG_GATEWAY_CT_H */
