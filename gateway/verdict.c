/*
 * verdict.c - flows, header reassembly and the once-per-flow decision of
 * keygate-gateway (see verdict.h).
 *
 * One table of flows under one mutex, shared by all queue threads (so a
 * flow whose packets land on different queues, as with
 * --queue-cpu-fanout, is still one flow). The expensive part of a
 * decision, the token check, runs outside the lock: the flow is marked
 * DECIDING, packets that arrive meanwhile are held, and the thread that
 * decided releases them all. Verdicts are collected under the lock and
 * sent after it is dropped.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "gateway/verdict.h"

#define HELD_INLINE	4


struct held {
	uint32_t	id;
	uint32_t	mark;		/* the packet's mark when queued */
	uint32_t	end;		/* stream offset after its last byte */
	uint16_t	queue;
};

struct seg {
	uint32_t	lo, hi;		/* [lo, hi) bytes after base */
};

/*
 * NEW: SYN seen (byte 0's sequence number known), no data yet; evictable.
 * PENDING: head incomplete, packets held. DECIDING: a thread is checking
 * the token outside the lock. DONE: decided; later packets get the same.
 */
enum fstate { F_NEW = 0, F_PENDING, F_DECIDING, F_DONE };

struct flow {
	struct flow	*hnext;			/* hash chain */
	struct flow	*lprev, *lnext;		/* LRU list, newest first */
	struct flow	*pprev, *pnext;		/* pending list, oldest first */
	struct pkt_flow	 key;
	size_t		 bucket;
	enum fstate	 state;
	int		 pending;		/* on the pending list */
	uint32_t	 base;			/* sequence number of byte 0 */
	uint8_t		*buf;			/* reassembled head bytes */
	size_t		 bufcap;
	struct seg	*segs;			/* received ranges, sorted, merged */
	size_t		 nsegs, segcap;
	struct held	 held_inline[HELD_INLINE];
	struct held	*held;			/* held_inline or malloc'd */
	size_t		 nheld, heldcap;
	int64_t		 touched;		/* last packet, µs */
	int64_t		 deadline;		/* head complete by, µs */
	int64_t		 done_until;		/* F_DONE: forget after, µs */
	enum gw_vkind	 vkind;			/* the decision, once F_DONE */
	uint32_t	 vmark;
};

struct polsnap {
	atomic_int	 refs;
	struct gwpolicy	*p;
};

struct gw_engine {
	struct gw_engine_cfg cfg;
	struct gwauth	*auth;
	gw_send_fn	 send;
	void		*arg;
	uint64_t	 seed;

	pthread_mutex_t	 mu;
	struct flow	**buckets;
	size_t		 nbuckets;		/* power of two */
	struct flow	*lru_head, *lru_tail;
	struct flow	*pend_head, *pend_tail;
	size_t		 nflows, npending, nheld;

	pthread_mutex_t	 pol_mu;
	struct polsnap	*pol;
	atomic_int	 loop_warned;
};

/* A verdict to send once the lock is dropped. */
struct out {
	uint32_t	id;
	uint32_t	mark;
	uint16_t	queue;
	uint8_t		v;
	uint8_t		setmark;
};

struct outv {
	struct out	 local[16];
	struct out	*v;
	size_t		 n, cap;
};

struct decision {
	enum gwp_action	action;
	uint32_t	mark;		/* the gateway's mark bits */
	enum gw_reason	reason;
};

/* ------------------------------------------------------------------
 * Small helpers
 * ------------------------------------------------------------------ */

static void
outv_init(struct outv *o)
{
	o->v = o->local;
	o->n = 0;
	o->cap = sizeof(o->local) / sizeof(o->local[0]);
}

static void
outv_add(struct outv *o, uint16_t queue, uint32_t id, enum gw_vkind v, int setmark,
    uint32_t mark)
{
	struct out	*nv;

	if (o->n == o->cap) {
		size_t	cap = o->cap * 2;

		if ((nv = malloc(cap * sizeof(*nv))) == NULL)
			return;		/* the kernel drops it when the queue closes */
		memcpy(nv, o->v, o->n * sizeof(*nv));
		if (o->v != o->local)
			free(o->v);
		o->v = nv;
		o->cap = cap;
	}
	o->v[o->n].queue = queue;
	o->v[o->n].id = id;
	o->v[o->n].v = (uint8_t)v;
	o->v[o->n].setmark = (uint8_t)setmark;
	o->v[o->n].mark = mark;
	o->n++;
}

static void
outv_send(struct gw_engine *e, struct outv *o)
{
	size_t	i;

	for (i = 0; i < o->n; i++)
		e->send(e->arg, o->v[i].queue, o->v[i].id, (enum gw_vkind)o->v[i].v,
		    o->v[i].setmark, o->v[i].mark);
	if (o->v != o->local)
		free(o->v);
	outv_init(o);
}

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static size_t
flow_bucket(struct gw_engine *e, const struct pkt_flow *k)
{
	uint64_t	h = e->seed, w;
	size_t		i;

	for (i = 0; i < 16; i += 8) {
		memcpy(&w, k->saddr + i, 8);
		h = mix64(h ^ w);
		memcpy(&w, k->daddr + i, 8);
		h = mix64(h ^ w);
	}
	h = mix64(h ^ ((uint64_t)k->sport << 32 | (uint64_t)k->dport << 16 | k->family));
	return (size_t)(h & (e->nbuckets - 1));
}

static int
key_eq(const struct pkt_flow *a, const struct pkt_flow *b)
{
	return a->family == b->family && a->sport == b->sport && a->dport == b->dport &&
	    memcmp(a->saddr, b->saddr, 16) == 0 && memcmp(a->daddr, b->daddr, 16) == 0;
}

static struct polsnap *
pol_get(struct gw_engine *e)
{
	struct polsnap	*s;

	pthread_mutex_lock(&e->pol_mu);
	if ((s = e->pol) != NULL)
		atomic_fetch_add(&s->refs, 1);
	pthread_mutex_unlock(&e->pol_mu);
	return s;
}

static void
pol_put(struct polsnap *s)
{
	if (s != NULL && atomic_fetch_sub(&s->refs, 1) == 1) {
		gwpolicy_free(s->p);
		free(s);
	}
}

void
gw_engine_set_policy(struct gw_engine *e, struct gwpolicy *p)
{
	struct polsnap	*s, *old;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_error("%s: out of memory; keeping the old policy", __func__);
		gwpolicy_free(p);
		return;
	}
	atomic_init(&s->refs, 1);
	s->p = p;
	pthread_mutex_lock(&e->pol_mu);
	old = e->pol;
	e->pol = s;
	pthread_mutex_unlock(&e->pol_mu);
	pol_put(old);
}

/* ------------------------------------------------------------------
 * The flow table (all under e->mu)
 * ------------------------------------------------------------------ */

static struct flow *
flow_find(struct gw_engine *e, const struct pkt_flow *k, size_t b)
{
	struct flow	*f;

	for (f = e->buckets[b]; f != NULL; f = f->hnext)
		if (key_eq(&f->key, k))
			return f;
	return NULL;
}

static void
lru_unlink(struct gw_engine *e, struct flow *f)
{
	if (f->lprev != NULL)
		f->lprev->lnext = f->lnext;
	else
		e->lru_head = f->lnext;
	if (f->lnext != NULL)
		f->lnext->lprev = f->lprev;
	else
		e->lru_tail = f->lprev;
	f->lprev = f->lnext = NULL;
}

static void
lru_push(struct gw_engine *e, struct flow *f)
{
	f->lprev = NULL;
	f->lnext = e->lru_head;
	if (e->lru_head != NULL)
		e->lru_head->lprev = f;
	e->lru_head = f;
	if (e->lru_tail == NULL)
		e->lru_tail = f;
}

static void
touch(struct gw_engine *e, struct flow *f, int64_t now)
{
	f->touched = now;
	if (e->lru_head != f) {
		lru_unlink(e, f);
		lru_push(e, f);
	}
}

static void
pending_unlink(struct gw_engine *e, struct flow *f)
{
	if (!f->pending)
		return;
	if (f->pprev != NULL)
		f->pprev->pnext = f->pnext;
	else
		e->pend_head = f->pnext;
	if (f->pnext != NULL)
		f->pnext->pprev = f->pprev;
	else
		e->pend_tail = f->pprev;
	f->pprev = f->pnext = NULL;
	f->pending = 0;
	e->npending--;
}

static void
pending_push(struct gw_engine *e, struct flow *f)
{
	f->pnext = NULL;
	f->pprev = e->pend_tail;
	if (e->pend_tail != NULL)
		e->pend_tail->pnext = f;
	else
		e->pend_head = f;
	e->pend_tail = f;
	f->pending = 1;
	e->npending++;
}

/* Free the reassembly state (kept only while pending). */
static void
flow_drop_buffers(struct flow *f)
{
	free(f->buf);
	f->buf = NULL;
	f->bufcap = 0;
	free(f->segs);
	f->segs = NULL;
	f->nsegs = f->segcap = 0;
}

static void
flow_remove(struct gw_engine *e, struct flow *f)
{
	struct flow	**pp;

	for (pp = &e->buckets[f->bucket]; *pp != f; pp = &(*pp)->hnext)
		;
	*pp = f->hnext;
	lru_unlink(e, f);
	pending_unlink(e, f);
	e->nheld -= f->nheld;
	e->nflows--;
	flow_drop_buffers(f);
	if (f->held != f->held_inline)
		free(f->held);
	free(f);
}

/* Make room for one more flow: forget the oldest decided one. */
static int
flow_room(struct gw_engine *e)
{
	struct flow	*f;
	int		 scanned = 0;

	if (e->nflows < e->cfg.max_flows)
		return 0;
	for (f = e->lru_tail; f != NULL && scanned < 16; f = f->lprev, scanned++)
		if (f->state == F_DONE || f->state == F_NEW) {
			flow_remove(e, f);
			return 0;
		}
	return -1;
}

static struct flow *
flow_new(struct gw_engine *e, const struct pkt_flow *k, size_t b, int64_t now)
{
	struct flow	*f;

	if (flow_room(e) == -1 || (f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->key = *k;
	f->bucket = b;
	f->held = f->held_inline;
	f->heldcap = HELD_INLINE;
	f->hnext = e->buckets[b];
	e->buckets[b] = f;
	f->touched = now;
	lru_push(e, f);
	e->nflows++;
	return f;
}

static int
flow_hold(struct gw_engine *e, struct flow *f, uint16_t queue, uint32_t id,
    uint32_t mark)
{
	struct held	*nh;

	if (f->nheld == f->heldcap) {
		size_t	cap = f->heldcap * 2;

		if ((nh = malloc(cap * sizeof(*nh))) == NULL)
			return -1;
		memcpy(nh, f->held, f->nheld * sizeof(*nh));
		if (f->held != f->held_inline)
			free(f->held);
		f->held = nh;
		f->heldcap = cap;
	}
	f->held[f->nheld].id = id;
	f->held[f->nheld].mark = mark;
	f->held[f->nheld].end = UINT32_MAX;	/* set by the caller when known */
	f->held[f->nheld].queue = queue;
	f->nheld++;
	e->nheld++;
	STAT_INC(packets_held);
	return 0;
}

/* The verdict of a decided flow for one packet with mark pktmark. */
static void
flow_verdict(struct gw_engine *e, const struct flow *f, struct outv *o,
    uint16_t queue, uint32_t id, uint32_t pktmark)
{
	outv_add(o, queue, id, f->vkind, 1,
	    (pktmark & ~(e->cfg.marks.mask | e->cfg.recheck)) | f->vmark);
}

/* Let a packet through undecided (clearing a recheck bit it may carry). */
static void
pass(struct gw_engine *e, struct outv *o, uint16_t queue, uint32_t id, uint32_t mark)
{
	if (mark & e->cfg.recheck)
		outv_add(o, queue, id, GW_V_ACCEPT, 1, mark & ~e->cfg.recheck);
	else
		outv_add(o, queue, id, GW_V_ACCEPT, 0, 0);
}

/* Record the decision d on f, release its held packets into o. */
static void
flow_finish(struct gw_engine *e, struct flow *f, const struct decision *d,
    struct outv *o, int64_t now)
{
	size_t	i;

	f->state = F_DONE;
	f->done_until = now + e->cfg.flow_idle_us;
	f->vkind = e->cfg.split ? GW_V_ACCEPT : GW_V_REPEAT;
	f->vmark = d->mark;
	pending_unlink(e, f);
	for (i = 0; i < f->nheld; i++)
		flow_verdict(e, f, o, f->held[i].queue, f->held[i].id, f->held[i].mark);
	e->nheld -= f->nheld;
	f->nheld = 0;
	if (f->held != f->held_inline) {
		free(f->held);
		f->held = f->held_inline;
		f->heldcap = HELD_INLINE;
	}
	flow_drop_buffers(f);
}

/*
 * The head is still incomplete after have contiguous bytes: let the
 * packets that lie wholly inside them through, unmarked. An HTTP/1.x
 * server acts on nothing before the head is complete, and the packet that
 * completes it stays held; passing the rest keeps the client's TCP from
 * stalling on its retransmission timer (cwnd 1) while we wait.
 */
static void
flow_pass_partial(struct gw_engine *e, struct flow *f, size_t have, struct outv *o)
{
	size_t	i, k = 0;

	for (i = 0; i < f->nheld; i++) {
		if (f->held[i].end <= have) {
			pass(e, o, f->held[i].queue, f->held[i].id, f->held[i].mark);
			STAT_INC(packets_early);
			e->nheld--;
		} else {
			f->held[k++] = f->held[i];
		}
	}
	f->nheld = k;
}

/* ------------------------------------------------------------------
 * Decisions
 * ------------------------------------------------------------------ */

static uint32_t
action_mark(const struct gw_engine *e, enum gwp_action a, uint32_t rule_mark)
{
	switch (a) {
	case GWP_ACCEPT:
		return rule_mark != 0 ? rule_mark : e->cfg.marks.accept;
	case GWP_REJECT:
		return e->cfg.marks.reject;
	case GWP_DROP:
		return e->cfg.marks.drop;
	}
	return e->cfg.marks.reject;
}

static void
count(const struct decision *d)
{
	STAT_INC(flows_decided);
	atomic_fetch_add(&gw_stats.by_reason[d->reason], 1);
	switch (d->action) {
	case GWP_ACCEPT:
		STAT_INC(flows_accepted);
		break;
	case GWP_REJECT:
		STAT_INC(flows_rejected);
		break;
	case GWP_DROP:
		STAT_INC(flows_dropped);
		break;
	}
}

/* A decision without a request to look at (limits, timeouts). */
static void
decide_fixed(struct gw_engine *e, const struct flow *f, enum gw_reason r,
    struct decision *d)
{
	struct polsnap	*ps = pol_get(e);
	char		 fs[PKT_FLOW_STRLEN];

	d->action = ps != NULL && ps->p->def == GWP_DROP ? GWP_DROP : GWP_REJECT;
	d->mark = action_mark(e, d->action, 0);
	d->reason = r;
	pol_put(ps);
	count(d);
	if (e->cfg.log_decisions) {
		pkt_flow_str(&f->key, fs);
		log_info("decision %s user=- scope=- rule=- verdict=%s mark=0x%x "
		    "reason=%s", fs, gwp_action_name(d->action), d->mark,
		    gw_reason_name(r));
	}
}

static void
scope_str(const struct gw_ident *id, char *out, size_t n)
{
	if (id == NULL)
		snprintf(out, n, "-");
	else if (id->scope == GW_SCOPE_PROJECT)
		snprintf(out, n, "project:%s", id->scope_id);
	else if (id->scope == GW_SCOPE_DOMAIN)
		snprintf(out, n, "domain:%s", id->scope_id);
	else if (id->scope == GW_SCOPE_SYSTEM)
		snprintf(out, n, "system");
	else
		snprintf(out, n, "unscoped");
}

/*
 * Decide for flow fl whose stream starts with head[0..len): parse, check
 * the token, evaluate the policy; log one line; count. No lock held.
 */
static void
decide(struct gw_engine *e, const struct pkt_flow *fl, const char *head, size_t len,
    int64_t now, struct decision *d)
{
	struct polsnap		*ps = pol_get(e);
	const struct gwp_rule	*rule = NULL;
	const struct gw_ident	*id = NULL;
	struct gwp_request	 rq;
	struct http_req		 hr;
	enum http_status	 hs;
	enum gw_reason		 tr = GW_R_NO_TOKEN;
	char			 path[HTTP_MAX_PATH + 1], fs[PKT_FLOW_STRLEN], tag[17] = "-";
	char			 scope[100];
	const char		*cache = "-";
	long			 plen = -1;
	int			 hit = 0;

	d->action = ps != NULL && ps->p->def == GWP_DROP ? GWP_DROP : GWP_REJECT;
	hs = http_parse(head, len, &hr);
	if (hs == HTTP_BAD || hs == HTTP_INCOMPLETE) {
		d->reason = GW_R_NOT_HTTP;
	} else if (hs == HTTP_AMBIGUOUS) {
		d->reason = GW_R_AMBIGUOUS;
	} else {
		plen = http_path_normalize(hr.path, hr.path_len, path, sizeof(path));
		if (hr.token != NULL) {
			tr = gwauth_check(e->auth, hr.token, hr.token_len, now, &id, &hit);
			gw_token_tag(hr.token, hr.token_len, tag);
			if (tr == GW_R_OK) {
				cache = hit ? "hit" : "miss";
				if (hit)
					STAT_INC(cache_hits);
				else
					STAT_INC(cache_misses);
			}
		}
		if (ps == NULL) {
			d->reason = GW_R_NO_RULE;
		} else if (plen < 0 && ps->p->uses_path) {
			d->reason = GW_R_BAD_PATH;
		} else {
			rq.flow = fl;
			rq.method = hr.method;
			rq.method_len = hr.method_len;
			rq.path = plen >= 0 ? path : NULL;
			if ((rule = gwpolicy_eval(ps->p, &rq, id)) != NULL) {
				d->action = rule->action;
				d->reason = rule->action == GWP_ACCEPT ? GW_R_OK : GW_R_RULE;
			} else {
				d->reason = hr.token == NULL ? GW_R_NO_TOKEN :
				    tr != GW_R_OK ? tr : GW_R_NO_RULE;
			}
		}
	}
	d->mark = action_mark(e, d->action, rule != NULL ? rule->mark : 0);
	count(d);
	if (e->cfg.log_decisions) {
		pkt_flow_str(fl, fs);
		scope_str(id, scope, sizeof(scope));
		log_info("decision %s %.*s %.*s user=%s scope=%s rule=%s verdict=%s "
		    "mark=0x%x reason=%s token=%s cache=%s", fs,
		    hs == HTTP_COMPLETE ? (int)hr.method_len : 1,
		    hs == HTTP_COMPLETE ? hr.method : "-",
		    hs != HTTP_COMPLETE ? 1 : plen >= 0 ? (int)plen : (int)(hr.path_len > 200 ?
		    200 : hr.path_len),
		    hs != HTTP_COMPLETE ? "-" : plen >= 0 ? path : hr.path,
		    id != NULL ? id->user_id : "-", scope, rule != NULL ? rule->name : "-",
		    gwp_action_name(d->action), d->mark, gw_reason_name(d->reason), tag,
		    cache);
	}
	gw_ident_put(id);
	pol_put(ps);
}

/* ------------------------------------------------------------------
 * Reassembly (under e->mu, flow PENDING)
 * ------------------------------------------------------------------ */

/* Grow f->buf to hold n bytes (n <= max_header). */
static int
buf_reserve(struct flow *f, size_t n)
{
	uint8_t	*nb;
	size_t	 cap = f->bufcap ? f->bufcap : 2048;

	if (n <= f->bufcap)
		return 0;
	while (cap < n)
		cap *= 2;
	if ((nb = realloc(f->buf, cap)) == NULL)
		return -1;
	f->buf = nb;
	f->bufcap = cap;
	return 0;
}

/*
 * Add payload at stream offset off. Returns 0, -1 when out of memory or
 * limits, -2 when it overlaps received bytes with different content (two
 * readings of one stream: refused).
 */
static int
flow_add(struct gw_engine *e, struct flow *f, uint32_t off, const uint8_t *data,
    size_t n)
{
	struct seg	*ns;
	size_t		 i, j, lo, hi, a, b;

	if (off >= e->cfg.max_header || n == 0)
		return 0;		/* beyond the head limit: nothing to read */
	if (n > e->cfg.max_header - off)
		n = e->cfg.max_header - off;
	lo = off;
	hi = off + n;
	for (i = 0; i < f->nsegs; i++) {
		a = f->segs[i].lo > lo ? f->segs[i].lo : lo;
		b = f->segs[i].hi < hi ? f->segs[i].hi : hi;
		if (a < b && memcmp(f->buf + a, data + (a - lo), b - a) != 0)
			return -2;
	}
	if (buf_reserve(f, hi) == -1)
		return -1;
	memcpy(f->buf + lo, data, n);
	if (f->nsegs == f->segcap) {
		size_t	cap = f->segcap ? f->segcap * 2 : 4;

		if ((ns = realloc(f->segs, cap * sizeof(*ns))) == NULL)
			return -1;
		f->segs = ns;
		f->segcap = cap;
	}
	/* insert sorted by lo, then merge touching/overlapping ranges */
	for (i = 0; i < f->nsegs && f->segs[i].lo < lo; i++)
		;
	memmove(f->segs + i + 1, f->segs + i, (f->nsegs - i) * sizeof(*f->segs));
	f->segs[i].lo = (uint32_t)lo;
	f->segs[i].hi = (uint32_t)hi;
	f->nsegs++;
	for (i = 0, j = 0; i < f->nsegs; i++) {
		if (j > 0 && f->segs[i].lo <= f->segs[j - 1].hi) {
			if (f->segs[i].hi > f->segs[j - 1].hi)
				f->segs[j - 1].hi = f->segs[i].hi;
		} else {
			f->segs[j++] = f->segs[i];
		}
	}
	f->nsegs = j;
	return 0;
}

/* Contiguous bytes from stream offset 0. */
static size_t
flow_have(const struct flow *f)
{
	return f->nsegs > 0 && f->segs[0].lo == 0 ? f->segs[0].hi : 0;
}

/* ------------------------------------------------------------------
 * Packets
 * ------------------------------------------------------------------ */

/* A packet that already carries a gateway mark came back: never loop. */
static void
requeued(struct gw_engine *e, uint16_t queue, uint32_t id, uint32_t mark)
{
	uint32_t	m = mark & e->cfg.marks.mask;

	STAT_INC(packets_requeued);
	if (atomic_exchange(&e->loop_warned, 1) == 0)
		log_warn("%s: packet came back with mark 0x%x: the mark rules must "
		    "precede the NFQUEUE rule (see keygate-gateway rules)", __func__, m);
	e->send(e->arg, queue, id, m == e->cfg.marks.reject || m == e->cfg.marks.drop ?
	    GW_V_DROP : GW_V_ACCEPT, 0, 0);
}

void
gw_engine_packet(struct gw_engine *e, uint16_t queue, uint32_t id, const void *pkt,
    size_t len, uint32_t mark, int64_t now)
{
	struct pkt_info	 pi;
	struct http_req	 hr;
	struct decision	 d;
	struct outv	 o;
	struct flow	*f;
	enum http_status hs;
	size_t		 b, have;
	uint32_t	 seq;
	int32_t		 off;
	int		 rc;

	STAT_INC(packets_queued);
	outv_init(&o);
	if (pkt_parse(pkt, len, &pi) != PKT_OK) {
		STAT_INC(packets_unparsable);
		e->send(e->arg, queue, id, GW_V_DROP, 0, 0);	/* fail closed */
		return;
	}
	if ((mark & e->cfg.marks.mask) != 0) {
		requeued(e, queue, id, mark);
		return;
	}
	seq = pi.seq;
	b = flow_bucket(e, &pi.flow);

	pthread_mutex_lock(&e->mu);
	f = flow_find(e, &pi.flow, b);
	if ((pi.flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN) {
		/* a new connection on this 4-tuple: forget the old flow */
		if (f != NULL && f->state != F_DECIDING) {
			if (f->state == F_PENDING) {
				decide_fixed(e, f, GW_R_TIMEOUT, &d);
				flow_finish(e, f, &d, &o, now);
			}
			flow_remove(e, f);
			f = NULL;
		}
		seq++;			/* data in a SYN (TCP Fast Open) follows it */
		/* remember where the stream starts, so reordered first
		 * segments are put in place (evicted first when full) */
		if (f == NULL && (f = flow_new(e, &pi.flow, b, now)) != NULL) {
			f->base = seq;
		}
	}
	if (f != NULL && f->state == F_DONE) {
		/*
		 * Packets queued before the decision's mark reached conntrack
		 * belong here, but so would a new connection reusing the
		 * 4-tuple (its ISN is close to the old one: RFC 6528). Let
		 * conntrack tell: run the hook again with the recheck bit,
		 * which the rules never save. A decided connection is accepted
		 * or rejected there by its connmark; one that comes back with
		 * the bit has no decision and is decided afresh below.
		 */
		if (!(mark & e->cfg.recheck)) {
			outv_add(&o, queue, id, GW_V_REPEAT, 1, mark | e->cfg.recheck);
			STAT_INC(packets_rechecked);
			goto unlock;
		}
		flow_remove(e, f);
		f = NULL;
	}
	if (pi.paylen == 0) {
		STAT_INC(packets_passed);
		if (f != NULL)
			touch(e, f, now);
		pass(e, &o, queue, id, mark);
		goto unlock;
	}
	if (f != NULL && f->state == F_DECIDING) {
		if (f->nheld >= e->cfg.max_held || flow_hold(e, f, queue, id, mark) == -1)
			outv_add(&o, queue, id, GW_V_DROP, 0, 0);  /* TCP resends it */
		goto unlock;
	}

	if (f == NULL || f->state == F_NEW) {
		if (f == NULL) {
			if ((f = flow_new(e, &pi.flow, b, now)) == NULL) {
				struct flow	tmp = { .key = pi.flow };

				decide_fixed(e, &tmp, GW_R_OVERLOAD, &d);
				outv_add(&o, queue, id, e->cfg.split ? GW_V_ACCEPT :
				    GW_V_REPEAT, 1, (mark & ~(e->cfg.marks.mask |
				    e->cfg.recheck)) | d.mark);
				goto unlock;
			}
			f->base = seq;	/* the first data we see starts the stream */
		}
		hs = seq == f->base ? http_parse((const char *)pi.payload, pi.paylen, &hr) :
		    HTTP_INCOMPLETE;
		if (hs != HTTP_INCOMPLETE && !pi.truncated) {
			/* the common case: the whole head in one segment */
			f->state = F_DECIDING;
			touch(e, f, now);
			flow_hold(e, f, queue, id, mark);
			pthread_mutex_unlock(&e->mu);
			decide(e, &pi.flow, (const char *)pi.payload, pi.paylen, now, &d);
			pthread_mutex_lock(&e->mu);
			flow_finish(e, f, &d, &o, now);
			goto unlock;
		}
		f->state = F_PENDING;
		f->deadline = now + e->cfg.hold_timeout_us;
		if (e->npending >= e->cfg.max_pending) {
			decide_fixed(e, f, GW_R_OVERLOAD, &d);
			flow_finish(e, f, &d, &o, now);
			flow_verdict(e, f, &o, queue, id, mark);
			goto unlock;
		}
		pending_push(e, f);
	}

	/* PENDING: reassemble the head, holding the packets */
	touch(e, f, now);
	if (flow_hold(e, f, queue, id, mark) == -1) {
		outv_add(&o, queue, id, GW_V_DROP, 0, 0);
		goto unlock;
	}
	off = (int32_t)(seq - f->base);
	if (off >= 0 && pi.paylen <= UINT32_MAX - (uint32_t)off && !pi.truncated)
		f->held[f->nheld - 1].end = (uint32_t)off + (uint32_t)pi.paylen;
	if (off < 0) {
		/* before byte 0: the stream did not start where we thought */
		decide_fixed(e, f, GW_R_NOT_HTTP, &d);
		flow_finish(e, f, &d, &o, now);
		goto unlock;
	}
	if ((rc = flow_add(e, f, (uint32_t)off, pi.payload, pi.paylen)) != 0) {
		decide_fixed(e, f, rc == -2 ? GW_R_AMBIGUOUS : GW_R_OVERLOAD, &d);
		flow_finish(e, f, &d, &o, now);
		goto unlock;
	}
	have = flow_have(f);
	hs = have > 0 ? http_parse((const char *)f->buf, have, &hr) : HTTP_INCOMPLETE;
	if (log_enabled(LOG_LVL_DEBUG)) {
		char	fs[PKT_FLOW_STRLEN];

		pkt_flow_str(&f->key, fs);
		log_debug("%s: %s: %zu bytes at %d, %zu contiguous, %zu held, head %s",
		    __func__, fs, pi.paylen, off, have, f->nheld,
		    hs == HTTP_INCOMPLETE ? "incomplete" : "done");
	}
	if (hs != HTTP_INCOMPLETE) {
		f->state = F_DECIDING;
		pending_unlink(e, f);
		pthread_mutex_unlock(&e->mu);
		decide(e, &f->key, (const char *)f->buf, have, now, &d);
		pthread_mutex_lock(&e->mu);
		flow_finish(e, f, &d, &o, now);
	} else if (have >= e->cfg.max_header || (pi.truncated && off == 0)) {
		decide_fixed(e, f, GW_R_TOO_BIG, &d);
		flow_finish(e, f, &d, &o, now);
	} else if (f->nheld > e->cfg.max_held) {
		decide_fixed(e, f, GW_R_OVERLOAD, &d);
		flow_finish(e, f, &d, &o, now);
	} else if (!e->cfg.hold_all) {
		flow_pass_partial(e, f, have, &o);
	}
 unlock:
	pthread_mutex_unlock(&e->mu);
	outv_send(e, &o);
}

void
gw_engine_tick(struct gw_engine *e, int64_t now)
{
	struct decision	 d;
	struct outv	 o;
	struct flow	*f;

	outv_init(&o);
	pthread_mutex_lock(&e->mu);
	while ((f = e->pend_head) != NULL && f->deadline <= now) {
		decide_fixed(e, f, GW_R_TIMEOUT, &d);
		flow_finish(e, f, &d, &o, now);
	}
	while ((f = e->lru_tail) != NULL && ((f->state == F_DONE && f->done_until <= now) ||
	    (f->state == F_NEW && f->touched + e->cfg.flow_idle_us <= now)))
		flow_remove(e, f);
	pthread_mutex_unlock(&e->mu);
	outv_send(e, &o);
}

void
gw_engine_flush(struct gw_engine *e)
{
	struct decision	 d;
	struct outv	 o;
	struct flow	*f;
	int64_t		 now = kg_now_us();

	outv_init(&o);
	pthread_mutex_lock(&e->mu);
	while ((f = e->pend_head) != NULL) {
		decide_fixed(e, f, GW_R_SHUTDOWN, &d);
		flow_finish(e, f, &d, &o, now);
	}
	pthread_mutex_unlock(&e->mu);
	outv_send(e, &o);
}

void
gw_engine_gauges(struct gw_engine *e, struct gw_gauges *g)
{
	struct polsnap	*ps;

	pthread_mutex_lock(&e->mu);
	g->flows = e->nflows;
	g->flows_pending = e->npending;
	g->held = e->nheld;
	pthread_mutex_unlock(&e->mu);
	ps = pol_get(e);
	g->policy_rules = ps != NULL ? ps->p->n : 0;
	pol_put(ps);
}

/* ------------------------------------------------------------------
 * Life cycle
 * ------------------------------------------------------------------ */

struct gw_engine *
gw_engine_new(const struct gw_engine_cfg *cfg, struct gwauth *a, gw_send_fn send,
    void *arg, struct kg_err *err)
{
	struct gw_engine	*e;
	size_t			 nb = 64;

	if (cfg->max_header < 64 || cfg->max_header > 60000 || cfg->max_flows < 1 ||
	    cfg->max_held < 1 || cfg->max_pending < 1) {
		kg_errf(err, KG_EBADREQ, "gateway limits out of range");
		return NULL;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		return NULL;
	}
	e->cfg = *cfg;
	e->auth = a;
	e->send = send;
	e->arg = arg;
	while (nb < cfg->max_flows)
		nb *= 2;
	if ((e->buckets = calloc(nb, sizeof(*e->buckets))) == NULL ||
	    kg_random(&e->seed, sizeof(e->seed)) == -1) {
		free(e->buckets);
		free(e);
		kg_errf(err, KG_EINTERNAL, "out of memory or no randomness");
		return NULL;
	}
	e->nbuckets = nb;
	pthread_mutex_init(&e->mu, NULL);
	pthread_mutex_init(&e->pol_mu, NULL);
	return e;
}

void
gw_engine_free(struct gw_engine *e)
{
	struct flow	*f, *next;

	if (e == NULL)
		return;
	for (f = e->lru_head; f != NULL; f = next) {
		next = f->lnext;
		flow_remove(e, f);
	}
	free(e->buckets);
	pol_put(e->pol);
	pthread_mutex_destroy(&e->mu);
	pthread_mutex_destroy(&e->pol_mu);
	free(e);
}
