/*
 * verdict.h - the gateway's decision engine: packets in, verdicts out.
 *
 * For each queued packet the engine finds its TCP flow. Packets without
 * payload pass undecided (nothing reaches the server's application). The
 * first payload bytes of a flow must be an HTTP/1.x request head or a TLS
 * ClientHello: when it is complete the engine checks the token (gwauth),
 * evaluates the policy (gwpolicy) and decides for the flow: accept with
 * the rule's mark, reject or drop (each a mark the iptables rules act on).
 * When the head spans several segments they are reassembled (bounded in
 * bytes, packets and time); the packet that completes the head, and any
 * beyond a gap, are held until the decision and then get the flow's
 * verdict. Packets that only carry part of a still incomplete (but so far
 * valid) head pass unmarked, unless hold_all: a server cannot act on half
 * a head, and holding them would stall the client's TCP (retransmission
 * timeout, cwnd 1) before it sends the rest. A decided flow is remembered
 * for a while: its later packets (queued before conntrack carried the
 * mark) run the hook again with the recheck bit so the connmark rules
 * apply the decision; one that comes back belongs to a new connection on
 * the same 4-tuple and is decided afresh.
 *
 * Live flows (teardown): a flow accepted by a rule that needs a token
 * keeps a reference to the token's identity (user, scope, roles, audit
 * ids, exp) for as long as conntrack keeps the connection
 * (gw_engine_conn_gone). When a new revocation event matches it
 * (gw_engine_revoked) or its token expires (gw_engine_tick), the engine
 * ends it: it asks for the connection's conntrack mark to become the kill
 * mark (the rules then queue every client packet of it), sends a probe
 * that makes an idle client answer, and answers the first client packet
 * with a TCP reset each way built from that packet's sequence numbers;
 * after a grace period it asks for the conntrack entry to be deleted.
 *
 * check = every: the payload packets of accepted connections keep coming
 * (see `keygate-gateway rules`). Each request head is parsed and decided
 * as the first one; bodies are skipped by Content-Length or chunked
 * framing (gateway/h1.c), pipelined heads are decided in order, an
 * accepted CONNECT or TLS flow becomes an opaque tunnel. A refused
 * request is dropped and the connection ended as above.
 *
 * The engine never talks to netlink itself: it hands each verdict to a
 * send callback (gateway/nfq.c in the daemon, a recorder in unit tests)
 * and each conntrack or reset request to an action callback
 * (gateway/ct.c). Thread-safe: several queue threads may call
 * gw_engine_packet at once.
 */
#ifndef KG_GATEWAY_VERDICT_H
#define KG_GATEWAY_VERDICT_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "gateway/gwauth.h"
#include "gateway/gwpolicy.h"
#include "gateway/pkt.h"
#include "gateway/stats.h"

enum gw_vkind {
	GW_V_ACCEPT = 1,	/* NF_ACCEPT */
	GW_V_DROP,		/* NF_DROP */
	GW_V_REPEAT		/* NF_REPEAT: run the hook again, now with the mark */
};

/*
 * Give packet id of queue its verdict; when setmark, also set the packet
 * mark to mark (the engine keeps the bits outside its mask). Called with
 * no engine lock held, possibly from another queue's thread.
 */
typedef void (*gw_send_fn)(void *arg, uint16_t queue, uint32_t id, enum gw_vkind v,
    int setmark, uint32_t mark);

/* What the engine asks of the kernel to end a live connection. */
enum gw_act_kind {
	GW_ACT_CTMARK = 1,	/* set the conntrack mark (bits in mask) to mark */
	GW_ACT_PROBE,		/* server->client ACK with an out-of-window seq:
				   the client answers with its seq and ack */
	GW_ACT_RESET,		/* RST to the server (seq), and to the client
				   (ack, when has_ack) */
	GW_ACT_CTDELETE		/* delete the conntrack entry */
};

struct gw_act {
	enum gw_act_kind kind;
	struct pkt_flow	 flow;		/* client -> server */
	uint32_t	 mark;		/* CTMARK */
	uint32_t	 seq;		/* PROBE: its seq; RESET: the server's rcv_nxt */
	uint32_t	 ack;		/* PROBE: its ack; RESET: the client's rcv_nxt */
	int		 has_ack;	/* RESET: ack is known (the client sent ACK) */
};

/* Carry out a; called with no engine lock held. */
typedef void (*gw_act_fn)(void *arg, const struct gw_act *a);

struct gw_engine_cfg {
	struct gwp_marks marks;
	int		 split;		/* 1: NF_ACCEPT + mark (split hooks);
					   0: NF_REPEAT + mark (one chain) */
	size_t		 max_header;	/* request head bytes (<= 60000) */
	int64_t		 hold_timeout_us; /* head must be complete within */
	size_t		 max_flows;	/* tracked flows */
	size_t		 max_pending;	/* flows holding packets */
	size_t		 max_held;	/* packets held per flow */
	int64_t		 flow_idle_us;	/* forget a decided flow after this */
	int		 log_decisions;	/* one log line per decision */
	int		 hold_all;	/* hold partial-head packets too */
	uint32_t	 recheck;	/* mark bit outside marks.mask: "let
					   conntrack decide, then come back"; with
					   every: "seen and accepted by the daemon" */
	int		 every;		/* check = every: each request head */
	int		 teardown;	/* end live flows (revoked, expired) */
	uint32_t	 kill_mark;	/* conntrack mark of a flow being ended */
};

struct gw_engine;

/* a is borrowed (outlives the engine). NULL on failure. */
struct gw_engine *gw_engine_new(const struct gw_engine_cfg *cfg, struct gwauth *a,
		    gw_send_fn send, void *arg, struct kg_err *err);

/* Frees the engine; held packets get no verdict (call gw_engine_flush). */
void		 gw_engine_free(struct gw_engine *e);

/* Install a policy (takes ownership; the old one is freed when unused). */
void		 gw_engine_set_policy(struct gw_engine *e, struct gwpolicy *p);

/*
 * Handle one queued packet: pkt[0..len) is the IP packet, mark its current
 * mark, now_us the wall clock. Its verdict is sent now or later.
 */
void		 gw_engine_packet(struct gw_engine *e, uint16_t queue, uint32_t id,
		    const void *pkt, size_t len, uint32_t mark, int64_t now_us);

/* Time out held flows (reject) and forget idle ones. Call every ~100 ms. */
void		 gw_engine_tick(struct gw_engine *e, int64_t now_us);

/* Reject every held packet now (before the queues close). */
void		 gw_engine_flush(struct gw_engine *e);

/* Fill the engine's part of the gauges. */
void		 gw_engine_gauges(struct gw_engine *e, struct gw_gauges *g);

/* Where conntrack and reset requests go (none: live flows are not ended). */
void		 gw_engine_set_actions(struct gw_engine *e, gw_act_fn fn, void *arg);

/*
 * New revocation events ev[0..n) (a gwauth_revoke_fn, arg = the engine):
 * end the live flows they revoke.
 */
void		 gw_engine_revoked(void *engine, const struct kg_revoke_event *ev, size_t n);

/* Conntrack ended the connection of flow k (either direction's tuple). */
void		 gw_engine_conn_gone(struct gw_engine *e, const struct pkt_flow *k);

/*
 * Copy up to max live flows' keys into out (for a periodic check that
 * their conntrack entries still exist). Returns the number copied.
 */
size_t		 gw_engine_live(struct gw_engine *e, struct pkt_flow *out, size_t max);

#endif /* KG_GATEWAY_VERDICT_H */
