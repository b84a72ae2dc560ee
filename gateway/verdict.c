/*
 * verdict.c - flows, header reassembly and the once-per-flow decision of
 * keygate-gateway (see verdict.h).
 *
 * One table of flows under one mutex, shared by all queue threads (so a
 * flow whose packets land on different queues, as with
 * --queue-cpu-fanout, is still one flow). The expensive part of a
 * decision, the token check, runs outside the lock: the flow is marked
 * DECIDING, packets that arrive meanwhile are held, and the thread that
 * decided releases them all. Verdicts (and conntrack/reset actions) are
 * collected under the lock and sent after it is dropped.
 *
 * Flows live on one of three lists: the LRU (undecided and decided flows,
 * forgotten when idle), the expiry heap (live flows: accepted with a
 * token, kept until conntrack ends them, ordered by the token's exp), and
 * the ending list (flows being torn down).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "gateway/h1.h"
#include "gateway/verdict.h"

#define HELD_INLINE	4
#define KILL_RETRY_US	200000		/* re-mark and probe an idle flow */
#define KILL_TRIES	10		/* then leave it to the reject mark */
#define KILL_GRACE_US	500000		/* resets sent: delete conntrack after */
#define NO_HEAP		((size_t)-1)


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
enum fstate { F_NEW = 0, F_PENDING, F_DECIDING, F_DONE, F_ENDING };

/* F_ENDING: waiting for a client packet (probing), or resets sent (grace). */
enum kstage { K_PROBING = 1, K_GRACE };

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
	int		 undelivered;		/* F_DONE, but no packet carried the
						   decision to conntrack (a timeout
						   while nothing was held) */
	int		 in_lru;
	/* live: accepted by a rule that needs a token */
	const struct gw_ident *ident;		/* a reference; NULL when not live */
	char		 tag[17];		/* the token's log tag */
	size_t		 hidx;			/* in the expiry heap, or NO_HEAP */
	enum gw_reason	 kill_after;		/* ended while DECIDING: do it after */
	int		 gone;			/* conntrack ended it while DECIDING */
	/* check = every, once accepted */
	int		 every;
	uint32_t	 pos;			/* stream offset: bytes decided */
	size_t		 hlen;			/* bytes of the current head in buf */
	struct h1_framing h1;
	/* F_ENDING */
	enum kstage	 kstage;
	int		 ktries;
	int64_t		 knext;			/* next probe / the conntrack delete */
	enum gw_reason	 kreason;
	struct flow	*kprev, *knext_f;	/* ending list */
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

	gw_act_fn	 act;
	void		*act_arg;
	struct flow	**heap;			/* live flows, min-heap on ident->exp */
	size_t		 nheap, heapcap;
	struct flow	*end_head;		/* ending list */
	size_t		 nending;
	uint64_t	 revoke_gen;		/* moves with each revocation scan */
	size_t		 npartial;		/* every: flows holding part of a head */
	uint64_t	 probe_seq;
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

struct actv {
	struct gw_act	 local[8];
	struct gw_act	*v;
	size_t		 n, cap;
};

struct decision {
	enum gwp_action	action;
	uint32_t	mark;		/* the gateway's mark bits */
	enum gw_reason	reason;
	const struct gw_ident *id;	/* accept by a token rule: a reference */
	char		tag[17];	/* its token tag */
	int		tunnel;		/* a CONNECT or a TLS flow */
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

static void
actv_init(struct actv *a)
{
	a->v = a->local;
	a->n = 0;
	a->cap = sizeof(a->local) / sizeof(a->local[0]);
}

static void
actv_add(struct gw_engine *e, struct actv *a, enum gw_act_kind kind,
    const struct pkt_flow *f, uint32_t mark, uint32_t seq, uint32_t ack, int has_ack)
{
	struct gw_act	*nv;

	if (e->act == NULL)
		return;
	if (a->n == a->cap) {
		size_t	cap = a->cap * 2;

		if ((nv = malloc(cap * sizeof(*nv))) == NULL)
			return;
		memcpy(nv, a->v, a->n * sizeof(*nv));
		if (a->v != a->local)
			free(a->v);
		a->v = nv;
		a->cap = cap;
	}
	memset(&a->v[a->n], 0, sizeof(a->v[a->n]));
	a->v[a->n].kind = kind;
	a->v[a->n].flow = *f;
	a->v[a->n].mark = mark;
	a->v[a->n].seq = seq;
	a->v[a->n].ack = ack;
	a->v[a->n].has_ack = has_ack;
	a->n++;
}

static void
actv_run(struct gw_engine *e, struct actv *a)
{
	size_t	i;

	for (i = 0; i < a->n; i++)
		e->act(e->act_arg, &a->v[i]);
	if (a->v != a->local)
		free(a->v);
	actv_init(a);
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
	if (!f->in_lru)
		return;
	if (f->lprev != NULL)
		f->lprev->lnext = f->lnext;
	else
		e->lru_head = f->lnext;
	if (f->lnext != NULL)
		f->lnext->lprev = f->lprev;
	else
		e->lru_tail = f->lprev;
	f->lprev = f->lnext = NULL;
	f->in_lru = 0;
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
	f->in_lru = 1;
}

static void
touch(struct gw_engine *e, struct flow *f, int64_t now)
{
	f->touched = now;
	if (f->in_lru && e->lru_head != f) {
		lru_unlink(e, f);
		lru_push(e, f);
	}
}

/* ------------------------------------------------------------------
 * The expiry heap of live flows (min on ident->exp) and the ending list
 * ------------------------------------------------------------------ */

static int64_t
hexp(const struct gw_engine *e, size_t i)
{
	return e->heap[i]->ident->exp;
}

static void
heap_swap(struct gw_engine *e, size_t i, size_t j)
{
	struct flow	*t = e->heap[i];

	e->heap[i] = e->heap[j];
	e->heap[j] = t;
	e->heap[i]->hidx = i;
	e->heap[j]->hidx = j;
}

static void
heap_fix(struct gw_engine *e, size_t i)
{
	size_t	c, p;

	while (i > 0 && hexp(e, p = (i - 1) / 2) > hexp(e, i)) {
		heap_swap(e, i, p);
		i = p;
	}
	for (;;) {
		c = 2 * i + 1;
		if (c >= e->nheap)
			break;
		if (c + 1 < e->nheap && hexp(e, c + 1) < hexp(e, c))
			c++;
		if (hexp(e, i) <= hexp(e, c))
			break;
		heap_swap(e, i, c);
		i = c;
	}
}

static int
heap_add(struct gw_engine *e, struct flow *f)
{
	struct flow	**nh;

	if (e->nheap == e->heapcap) {
		size_t	cap = e->heapcap ? e->heapcap * 2 : 64;

		if ((nh = realloc(e->heap, cap * sizeof(*nh))) == NULL)
			return -1;
		e->heap = nh;
		e->heapcap = cap;
	}
	f->hidx = e->nheap;
	e->heap[e->nheap++] = f;
	heap_fix(e, f->hidx);
	return 0;
}

static void
heap_del(struct gw_engine *e, struct flow *f)
{
	size_t	i = f->hidx;

	if (i == NO_HEAP)
		return;
	f->hidx = NO_HEAP;
	if (i != --e->nheap) {
		e->heap[i] = e->heap[e->nheap];
		e->heap[i]->hidx = i;
		heap_fix(e, i);
	}
}

static void
ending_unlink(struct gw_engine *e, struct flow *f)
{
	if (f->state != F_ENDING)
		return;
	if (f->kprev != NULL)
		f->kprev->knext_f = f->knext_f;
	else
		e->end_head = f->knext_f;
	if (f->knext_f != NULL)
		f->knext_f->kprev = f->kprev;
	f->kprev = f->knext_f = NULL;
	e->nending--;
}

static void
ending_push(struct gw_engine *e, struct flow *f)
{
	f->kprev = NULL;
	f->knext_f = e->end_head;
	if (e->end_head != NULL)
		e->end_head->kprev = f;
	e->end_head = f;
	e->nending++;
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

/* Release f and what it owns; it must already be out of every list. */
static void
flow_destroy(struct flow *f)
{
	gw_ident_put(f->ident);
	flow_drop_buffers(f);
	if (f->held != f->held_inline)
		free(f->held);
	free(f);
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
	heap_del(e, f);
	ending_unlink(e, f);
	if (f->every && f->hlen > 0)
		e->npartial--;
	e->nheld -= f->nheld;
	e->nflows--;
	flow_destroy(f);
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
	f->hidx = NO_HEAP;
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

/*
 * The verdict of a decided flow for one packet with mark pktmark. With
 * check = every an accept also carries the recheck bit: the rules accept
 * a packet the daemon has seen, and queue the others.
 */
static void
flow_verdict(struct gw_engine *e, const struct flow *f, struct outv *o,
    uint16_t queue, uint32_t id, uint32_t pktmark)
{
	uint32_t	m = (pktmark & ~(e->cfg.marks.mask | e->cfg.recheck)) | f->vmark;

	if (e->cfg.every && f->vmark != e->cfg.marks.reject && f->vmark != e->cfg.marks.drop)
		m |= e->cfg.recheck;
	outv_add(o, queue, id, f->vkind, 1, m);
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

/*
 * A flow accepted by a rule that needs a token becomes live: it keeps the
 * token's identity until conntrack ends the connection, and is ended when
 * the token is revoked or expires. Takes over d->id.
 */
static void
flow_make_live(struct gw_engine *e, struct flow *f, struct decision *d)
{
	gw_ident_put(f->ident);
	f->ident = d->id;
	d->id = NULL;
	memcpy(f->tag, d->tag, sizeof(f->tag));
	if (f->hidx != NO_HEAP) {
		heap_fix(e, f->hidx);
		return;
	}
	if (heap_add(e, f) == -1) {
		log_error("%s: out of memory: a live flow is not watched", __func__);
		gw_ident_put(f->ident);
		f->ident = NULL;
		return;
	}
	lru_unlink(e, f);
}

/* Record the decision d on f, release its held packets into o. */
static void
flow_finish(struct gw_engine *e, struct flow *f, struct decision *d,
    struct outv *o, int64_t now)
{
	size_t	i;

	f->state = F_DONE;
	f->done_until = now + e->cfg.flow_idle_us;
	f->vkind = e->cfg.split ? GW_V_ACCEPT : GW_V_REPEAT;
	f->vmark = d->mark;
	f->undelivered = f->nheld == 0;
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
	if (d->id != NULL && d->action == GWP_ACCEPT && e->cfg.teardown && e->act != NULL)
		flow_make_live(e, f, d);
	gw_ident_put(d->id);
	d->id = NULL;
	if (e->cfg.every && d->action == GWP_ACCEPT) {
		f->every = 1;
		f->h1.state = d->tunnel ? H1_TUNNEL : H1_HEAD;
	}
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

	memset(d, 0, sizeof(*d));
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

/* The TLS part of decide(): no token, the ClientHello's SNI and ALPN. */
static void
decide_tls(struct gw_engine *e, struct polsnap *ps, const struct pkt_flow *fl,
    const char *head, size_t len, struct decision *d)
{
	const struct gwp_rule	*rule = NULL;
	struct gwp_request	 rq;
	struct tls_hello	 th;
	enum tls_status		 ts;
	char			 fs[PKT_FLOW_STRLEN], alpn[TLS_MAX_ALPN * 34 + 1] = "-";
	size_t			 i, o = 0;

	ts = tls_parse_hello((const uint8_t *)head, len, e->cfg.max_header, &th);
	if (ts != TLS_COMPLETE) {
		d->reason = ts == TLS_AMBIGUOUS ? GW_R_AMBIGUOUS : GW_R_NOT_HTTP;
	} else if (ps == NULL) {
		d->reason = GW_R_NO_RULE;
	} else {
		memset(&rq, 0, sizeof(rq));
		rq.flow = fl;
		rq.tls = &th;
		if ((rule = gwpolicy_eval(ps->p, &rq, NULL)) != NULL) {
			d->action = rule->action;
			d->reason = rule->action == GWP_ACCEPT ? GW_R_OK : GW_R_RULE;
			d->tunnel = 1;
		} else {
			d->reason = GW_R_NO_TOKEN;
		}
	}
	d->mark = action_mark(e, d->action, rule != NULL ? rule->mark : 0);
	count(d);
	if (e->cfg.log_decisions) {
		for (i = 0; ts == TLS_COMPLETE && i < th.nalpn; i++)
			o += (size_t)snprintf(alpn + o, sizeof(alpn) - o, "%s%s", i ? "," : "",
			    th.alpn[i]);
		pkt_flow_str(fl, fs);
		log_info("decision %s TLS sni=%s alpn=%s user=- scope=- rule=%s verdict=%s "
		    "mark=0x%x reason=%s token=- cache=-", fs,
		    ts == TLS_COMPLETE && th.sni[0] ? th.sni : "-", alpn,
		    rule != NULL ? rule->name : "-", gwp_action_name(d->action), d->mark,
		    gw_reason_name(d->reason));
	}
}

/*
 * The token of a request: X-Auth-Token / Bearer, or the password of
 * Proxy-Authorization: Basic (copied into buf). NULL when none; *bad when
 * the credentials are malformed or disagree with another token header.
 */
static const char *
request_token(const struct http_req *hr, char *buf, size_t bufsz, size_t *len, int *bad)
{
	long	n;

	*bad = 0;
	if (hr->basic == NULL) {
		*len = hr->token_len;
		return hr->token;
	}
	if ((n = http_basic_token(hr->basic, hr->basic_len, buf, bufsz)) < 0) {
		*bad = 1;
		return NULL;
	}
	if (hr->token != NULL && (hr->token_len != (size_t)n ||
	    memcmp(hr->token, buf, (size_t)n) != 0)) {
		*bad = 1;		/* two different tokens */
		return NULL;
	}
	*len = (size_t)n;
	return buf;
}

/*
 * Decide for flow fl on the request head (or TLS ClientHello) head[0..len):
 * parse, check the token, evaluate the policy; log one line; count. When
 * it is accepted by a rule that needs a token, d->id holds a reference to
 * the token's identity. hr_out, when given, gets the parsed head. No lock
 * held.
 */
static void
decide(struct gw_engine *e, const struct pkt_flow *fl, const char *head, size_t len,
    int64_t now, struct decision *d, struct http_req *hr_out)
{
	struct polsnap		*ps = pol_get(e);
	const struct gwp_rule	*rule = NULL;
	const struct gw_ident	*id = NULL;
	struct gwp_request	 rq;
	struct http_req		 hr;
	enum http_status	 hs;
	enum gw_reason		 tr = GW_R_NO_TOKEN;
	char			 path[HTTP_MAX_PATH + 1], fs[PKT_FLOW_STRLEN], tag[17] = "-";
	char			 scope[100], basic[16384 + 1];
	const char		*cache = "-", *tok = NULL, *shown;
	size_t			 toklen = 0;
	long			 plen = -1;
	int			 hit = 0, badcred = 0, shown_len;

	memset(d, 0, sizeof(*d));
	memcpy(d->tag, "-", 2);
	d->action = ps != NULL && ps->p->def == GWP_DROP ? GWP_DROP : GWP_REJECT;
	if (tls_looks_like((const uint8_t *)head, len)) {
		decide_tls(e, ps, fl, head, len, d);
		pol_put(ps);
		return;
	}
	hs = http_parse(head, len, &hr);
	if (hs == HTTP_COMPLETE)
		tok = request_token(&hr, basic, sizeof(basic), &toklen, &badcred);
	if (hs == HTTP_BAD || hs == HTTP_INCOMPLETE) {
		d->reason = GW_R_NOT_HTTP;
	} else if (hs == HTTP_AMBIGUOUS || badcred) {
		d->reason = GW_R_AMBIGUOUS;
	} else {
		if (!hr.connect)
			plen = http_path_normalize(hr.path, hr.path_len, path, sizeof(path));
		if (tok != NULL) {
			tr = gwauth_check(e->auth, tok, toklen, now, &id, &hit);
			gw_token_tag(tok, toklen, tag);
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
		} else if (plen < 0 && !hr.connect && ps->p->uses_path) {
			d->reason = GW_R_BAD_PATH;
		} else {
			memset(&rq, 0, sizeof(rq));
			rq.flow = fl;
			rq.method = hr.method;
			rq.method_len = hr.method_len;
			rq.path = plen >= 0 ? path : NULL;
			if (hr.connect) {
				rq.authority = hr.target;
				rq.authority_len = hr.target_len;
			}
			if ((rule = gwpolicy_eval(ps->p, &rq, id)) != NULL) {
				d->action = rule->action;
				d->reason = rule->action == GWP_ACCEPT ? GW_R_OK : GW_R_RULE;
				d->tunnel = hr.connect && rule->action == GWP_ACCEPT;
			} else {
				d->reason = tok == NULL ? GW_R_NO_TOKEN :
				    tr != GW_R_OK ? tr : GW_R_NO_RULE;
			}
		}
	}
	d->mark = action_mark(e, d->action, rule != NULL ? rule->mark : 0);
	count(d);
	if (e->cfg.log_decisions) {
		pkt_flow_str(fl, fs);
		scope_str(id, scope, sizeof(scope));
		if (hs != HTTP_COMPLETE) {
			shown = "-";
			shown_len = 1;
		} else if (plen >= 0) {
			shown = path;
			shown_len = (int)plen;
		} else {
			shown = hr.connect ? hr.target : hr.path;
			shown_len = (int)(hr.connect ? hr.target_len : hr.path_len);
			if (shown_len > 200)
				shown_len = 200;
		}
		log_info("decision %s %.*s %.*s user=%s scope=%s rule=%s verdict=%s "
		    "mark=0x%x reason=%s token=%s cache=%s", fs,
		    hs == HTTP_COMPLETE ? (int)hr.method_len : 1,
		    hs == HTTP_COMPLETE ? hr.method : "-", shown_len, shown,
		    id != NULL ? id->user_id : "-", scope, rule != NULL ? rule->name : "-",
		    gwp_action_name(d->action), d->mark, gw_reason_name(d->reason), tag,
		    cache);
	}
	if (hs == HTTP_COMPLETE && hr.basic != NULL)
		kg_wipe(basic, sizeof(basic));
	if (d->action == GWP_ACCEPT && rule != NULL && !rule->noauth && id != NULL) {
		d->id = id;		/* the caller keeps it for a live flow */
		memcpy(d->tag, tag, sizeof(d->tag));
	} else {
		gw_ident_put(id);
	}
	if (hr_out != NULL)
		*hr_out = hr;
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
 * Ending live flows (under e->mu)
 * ------------------------------------------------------------------ */

/*
 * A token revoked while its flow was being decided (the revocation scan
 * could not see the flow): turn the accept into a reject, counted and
 * logged as such.
 */
static void
revoked_late(struct gw_engine *e, const struct flow *f, struct decision *d)
{
	char	fs[PKT_FLOW_STRLEN];

	atomic_fetch_sub(&gw_stats.flows_accepted, 1);
	atomic_fetch_sub(&gw_stats.by_reason[d->reason], 1);
	STAT_INC(flows_rejected);
	atomic_fetch_add(&gw_stats.by_reason[GW_R_REVOKED], 1);
	d->action = GWP_REJECT;
	d->mark = e->cfg.marks.reject;
	d->reason = GW_R_REVOKED;
	d->tunnel = 0;
	gw_ident_put(d->id);
	d->id = NULL;
	if (e->cfg.log_decisions) {
		pkt_flow_str(&f->key, fs);
		log_info("decision %s verdict=reject mark=0x%x reason=revoked token=%s "
		    "(revoked while it was being decided)", fs, d->mark, d->tag);
	}
}

/* A reset each way, from sequence numbers the client just sent. */
static void
send_resets(struct gw_engine *e, struct actv *a, const struct pkt_flow *k, uint32_t seq,
    uint32_t ack, int has_ack)
{
	actv_add(e, a, GW_ACT_RESET, k, 0, seq, ack, has_ack);
	STAT_INC(teardown_resets);
}

static void
send_probe(struct gw_engine *e, struct actv *a, const struct flow *f)
{
	uint64_t	r = mix64(e->seed ^ ++e->probe_seq);

	/* a random seq lies outside the client's window (at most 1 GiB of
	 * 4 GiB) nearly always; retries pick others */
	actv_add(e, a, GW_ACT_PROBE, &f->key, 0, (uint32_t)r, (uint32_t)(r >> 32), 1);
	STAT_INC(teardown_probes);
}

/*
 * End flow f: its conntrack mark becomes the kill mark, so every client
 * packet comes here. With rst (the server's next expected seq, from a
 * packet in hand) resets go out at once; otherwise a probe makes the
 * client send one. A flow being decided is ended after its decision.
 */
static void
flow_end(struct gw_engine *e, struct flow *f, enum gw_reason why, const uint32_t *rst,
    uint32_t ack, int has_ack, struct actv *a, int64_t now)
{
	char	fs[PKT_FLOW_STRLEN];

	if (f->state == F_ENDING)
		return;
	heap_del(e, f);
	if (f->state == F_DECIDING) {
		f->kill_after = why;
		return;
	}
	lru_unlink(e, f);
	pending_unlink(e, f);
	f->state = F_ENDING;
	f->kreason = why;
	ending_push(e, f);
	STAT_INC(teardowns);
	if (why == GW_R_REVOKED)
		STAT_INC(teardowns_revoked);
	else if (why == GW_R_EXPIRED)
		STAT_INC(teardowns_expired);
	pkt_flow_str(&f->key, fs);
	log_info("teardown %s user=%s token=%s reason=%s", fs,
	    f->ident != NULL ? f->ident->user_id : "-", f->ident != NULL ? f->tag : "-",
	    gw_reason_name(why));
	actv_add(e, a, GW_ACT_CTMARK, &f->key, e->cfg.kill_mark, 0, 0, 0);
	if (rst != NULL) {
		send_resets(e, a, &f->key, *rst, ack, has_ack);
		f->kstage = K_GRACE;
		f->knext = now + KILL_GRACE_US;
	} else {
		send_probe(e, a, f);
		f->kstage = K_PROBING;
		f->ktries = 1;
		f->knext = now + KILL_RETRY_US;
	}
}

/*
 * A client packet of a flow being ended (f, or NULL when the engine no
 * longer knows it: the packet carries the kill mark): a reset each way
 * from its sequence numbers, and the packet dropped. A reset itself
 * passes (ours to the server comes this way too).
 */
static void
ending_packet(struct gw_engine *e, struct flow *f, const struct pkt_info *pi,
    uint16_t queue, uint32_t id, struct outv *o, struct actv *a, int64_t now)
{
	if (pi->flags & TCPF_RST) {
		outv_add(o, queue, id, GW_V_ACCEPT, 0, 0);
		return;
	}
	send_resets(e, a, &pi->flow, pi->seq, pi->ack, (pi->flags & TCPF_ACK) != 0);
	outv_add(o, queue, id, GW_V_DROP, 0, 0);
	if (f == NULL)
		actv_add(e, a, GW_ACT_CTDELETE, &pi->flow, 0, 0, 0, 0);
	else if (f->kstage == K_PROBING) {
		f->kstage = K_GRACE;
		f->knext = now + KILL_GRACE_US;
	}
}

/* After a decision made without the lock: what happened meanwhile. */
static void
after_decide(struct gw_engine *e, struct flow *f, struct actv *a, int64_t now)
{
	enum gw_reason	why = f->kill_after;

	f->kill_after = GW_R_OK;
	if (f->gone)
		flow_remove(e, f);
	else if (why != GW_R_OK && f->state == F_DONE)
		flow_end(e, f, why, NULL, 0, 0, a, now);
}

/* ------------------------------------------------------------------
 * check = every (under e->mu)
 * ------------------------------------------------------------------ */

/* Accept a packet of an every-mode flow; first: it carries the decision. */
static void
every_accept(struct gw_engine *e, const struct flow *f, struct outv *o, uint16_t queue,
    uint32_t id, uint32_t mark, int first)
{
	uint32_t	m = mark & ~e->cfg.recheck;

	/* a restored connmark (restore_mark) stays; the first decision sets it */
	if (first)
		m = (m & ~e->cfg.marks.mask) | f->vmark;
	if (!e->cfg.split)
		m |= e->cfg.recheck;
	outv_add(o, queue, id, e->cfg.split ? GW_V_ACCEPT : GW_V_REPEAT, 1, m);
}

/*
 * A request refused in the middle of a connection: the packet is dropped
 * and the connection ended with resets built from it (the server expects
 * next_seq; the client acknowledged pi->ack). log: the decision was not
 * logged yet (a framing error), reason r.
 */
static void
every_deny(struct gw_engine *e, struct flow *f, const struct pkt_info *pi,
    uint32_t next_seq, int log, enum gw_reason r, uint16_t queue, uint32_t id,
    struct outv *o, struct actv *a, int64_t now)
{
	struct decision	d;

	if (log)
		decide_fixed(e, f, r, &d);
	if (f->vmark != 0)
		STAT_INC(requests_denied);
	outv_add(o, queue, id, GW_V_DROP, 0, 0);
	flow_end(e, f, r, &next_seq, pi->ack, (pi->flags & TCPF_ACK) != 0, a, now);
}

/*
 * check = every: a payload packet of an HTTP flow that is accepted so far
 * (vmark != 0) or not decided yet (vmark == 0). Bytes are taken in order:
 * retransmissions of decided bytes pass, a segment beyond a gap is
 * dropped (TCP sends it again). Body bytes are skipped by the framing,
 * each complete head is decided (without the lock) before the packet that
 * completes it passes; a partial head passes (the server cannot act on
 * it).
 */
static void
every_packet(struct gw_engine *e, struct flow *f, const struct pkt_info *pi,
    uint16_t queue, uint32_t id, uint32_t mark, int64_t now, struct outv *o,
    struct actv *a)
{
	const uint8_t	*p;
	struct decision	 d;
	struct http_req	 hr;
	enum http_status hs;
	uint32_t	 off = pi->seq - f->base, srv_next;
	int32_t		 rel = (int32_t)(off - f->pos);
	size_t		 n, k, used, hl;
	uint64_t	 rgen;
	int		 first = 0;

	touch(e, f, now);
	f->done_until = now + e->cfg.flow_idle_us;
	if (f->h1.state == H1_TUNNEL || pi->paylen == 0) {
		every_accept(e, f, o, queue, id, mark, 0);
		return;
	}
	if (rel > 0) {
		STAT_INC(packets_reordered);
		outv_add(o, queue, id, GW_V_DROP, 0, 0);
		return;
	}
	if ((int64_t)rel + (int64_t)pi->paylen <= 0) {
		every_accept(e, f, o, queue, id, mark, 0);	/* retransmission */
		return;
	}
	p = pi->payload + (size_t)-rel;
	n = pi->paylen - (size_t)-rel;
	/* a refusal drops the whole packet: the server has the bytes before it */
	srv_next = f->base + f->pos;
	while (n > 0) {
		if (f->h1.state == H1_TUNNEL) {
			f->pos += (uint32_t)n;
			break;
		}
		if (f->h1.state != H1_HEAD) {
			k = h1_body(&f->h1, p, n);
			p += k;
			n -= k;
			f->pos += (uint32_t)k;
			if (f->h1.state == H1_BAD) {
				every_deny(e, f, pi, srv_next, 1, GW_R_AMBIGUOUS, queue, id,
				    o, a, now);
				return;
			}
			continue;
		}
		k = n;
		if (f->hlen + k > e->cfg.max_header)
			k = e->cfg.max_header - f->hlen;
		if (buf_reserve(f, f->hlen + k) == -1) {
			every_deny(e, f, pi, srv_next, 1, GW_R_OVERLOAD, queue, id, o, a, now);
			return;
		}
		if (k > 0)
			memcpy(f->buf + f->hlen, p, k);
		hs = http_parse((const char *)f->buf, f->hlen + k, &hr);
		if (hs == HTTP_INCOMPLETE) {
			if (f->hlen + k >= e->cfg.max_header) {
				every_deny(e, f, pi, srv_next, 1, GW_R_TOO_BIG, queue, id, o,
				    a, now);
				return;
			}
			/* part of a head is kept per flow: bounded like held heads */
			if (f->hlen == 0 && e->npartial >= e->cfg.max_pending) {
				every_deny(e, f, pi, srv_next, 1, GW_R_OVERLOAD, queue, id, o,
				    a, now);
				return;
			}
			if (f->hlen == 0)
				e->npartial++;
			f->hlen += k;
			f->pos += (uint32_t)k;
			p += k;
			n -= k;
			continue;
		}
		hl = hs == HTTP_COMPLETE ? hr.head_len : f->hlen + k;
		used = hl - f->hlen;
		f->state = F_DECIDING;
		rgen = e->revoke_gen;
		pthread_mutex_unlock(&e->mu);
		decide(e, &f->key, (const char *)f->buf, hl, now, &d, &hr);
		pthread_mutex_lock(&e->mu);
		f->state = F_DONE;
		if (d.id != NULL && e->revoke_gen != rgen && gwauth_revoked(e->auth, d.id))
			revoked_late(e, f, &d);
		if (f->vmark != 0)
			STAT_INC(requests_decided);
		if (f->gone) {
			gw_ident_put(d.id);
			outv_add(o, queue, id, GW_V_DROP, 0, 0);
			flow_remove(e, f);
			return;
		}
		if (d.action != GWP_ACCEPT) {
			gw_ident_put(d.id);
			/* the whole packet is dropped: nothing of it reached the server */
			every_deny(e, f, pi, srv_next, 0, d.reason, queue, id, o, a, now);
			return;
		}
		if (h1_after_head(&f->h1, &hr) == -1) {
			gw_ident_put(d.id);
			every_deny(e, f, pi, srv_next, 1, GW_R_AMBIGUOUS, queue, id, o, a,
			    now);
			return;
		}
		if (f->vmark == 0) {
			f->vmark = d.mark;	/* the connection's mark, saved by this packet */
			first = 1;
		}
		if (d.id != NULL && e->cfg.teardown && e->act != NULL)
			flow_make_live(e, f, &d);
		gw_ident_put(d.id);
		if (f->hlen > 0)
			e->npartial--;
		f->hlen = 0;
		if (f->bufcap > 4096) {
			free(f->buf);	/* a big head: do not keep its buffer */
			f->buf = NULL;
			f->bufcap = 0;
		}
		f->pos += (uint32_t)used;
		p += used;
		n -= used;
		if (f->kill_after != GW_R_OK) {
			enum gw_reason	why = f->kill_after;

			f->kill_after = GW_R_OK;
			every_deny(e, f, pi, srv_next, 0, why, queue, id, o, a, now);
			return;
		}
	}
	every_accept(e, f, o, queue, id, mark, first);
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

/* A new flow's first data in every mode: an HTTP stream checked head by head. */
static void
every_start(struct gw_engine *e, struct flow *f)
{
	f->every = 1;
	f->state = F_DONE;
	f->vkind = e->cfg.split ? GW_V_ACCEPT : GW_V_REPEAT;
	f->vmark = 0;			/* nothing decided yet */
	f->pos = 0;
	f->hlen = 0;
	f->h1.state = H1_HEAD;
}

void
gw_engine_packet(struct gw_engine *e, uint16_t queue, uint32_t id, const void *pkt,
    size_t len, uint32_t mark, int64_t now)
{
	struct pkt_info	 pi;
	struct http_req	 hr;
	struct decision	 d;
	struct outv	 o;
	struct actv	 a;
	struct flow	*f;
	enum http_status hs;
	size_t		 b, have;
	uint32_t	 seq;
	uint64_t	 rgen;
	int32_t		 off;
	int		 rc;

	STAT_INC(packets_queued);
	outv_init(&o);
	actv_init(&a);
	if (pkt_parse(pkt, len, &pi) != PKT_OK) {
		STAT_INC(packets_unparsable);
		e->send(e->arg, queue, id, GW_V_DROP, 0, 0);	/* fail closed */
		return;
	}
	seq = pi.seq;
	b = flow_bucket(e, &pi.flow);
	if (e->cfg.kill_mark != 0 && (mark & e->cfg.marks.mask) == e->cfg.kill_mark) {
		/* the rules queue every packet of a connection being ended */
		pthread_mutex_lock(&e->mu);
		f = flow_find(e, &pi.flow, b);
		ending_packet(e, f != NULL && f->state == F_ENDING ? f : NULL, &pi, queue, id,
		    &o, &a, now);
		goto unlock;
	}
	if ((mark & e->cfg.marks.mask) != 0 && !e->cfg.every) {
		/* with every, a restored connmark (restore_mark) comes this way;
		 * the daemon's own verdicts never do (they carry the recheck bit,
		 * which the rules accept) */
		requeued(e, queue, id, mark);
		return;
	}

	pthread_mutex_lock(&e->mu);
	f = flow_find(e, &pi.flow, b);
	if ((pi.flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN) {
		/*
		 * A new connection on this 4-tuple: forget the old flow. Not a
		 * live or ending one: a SYN proves nothing (anyone can send one
		 * on their own 4-tuple); conntrack tells when it is gone.
		 */
		if (f != NULL && f->state != F_DECIDING && f->state != F_ENDING &&
		    f->hidx == NO_HEAP) {
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
	if (f != NULL && f->state == F_ENDING) {
		ending_packet(e, f, &pi, queue, id, &o, &a, now);
		goto unlock;
	}
	if (f != NULL && f->state == F_DONE && f->every) {
		every_packet(e, f, &pi, queue, id, mark, now, &o, &a);
		goto unlock;
	}
	if (f != NULL && f->state == F_DONE && f->undelivered &&
	    seq - f->base < e->cfg.max_header) {
		/*
		 * The rest of a head whose decision (a timeout) no packet has
		 * carried to conntrack yet: this one does. Without this the
		 * recheck below would come back and the tail of the head would
		 * be decided afresh as a second, "not-http", flow.
		 */
		flow_verdict(e, f, &o, queue, id, mark);
		f->undelivered = 0;
		goto unlock;
	}
	if (f != NULL && f->state == F_DONE && e->cfg.every) {
		/* every mode has no recheck round: its bit means "accepted" */
		flow_verdict(e, f, &o, queue, id, mark);
		goto unlock;
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
		if (f->every || f->nheld >= e->cfg.max_held ||
		    flow_hold(e, f, queue, id, mark) == -1)
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
		if (e->cfg.every && !(seq == f->base &&
		    tls_looks_like(pi.payload, pi.paylen))) {
			every_start(e, f);
			every_packet(e, f, &pi, queue, id, mark, now, &o, &a);
			goto unlock;
		}
		hs = seq == f->base ? (tls_looks_like(pi.payload, pi.paylen) ?
		    (tls_parse_hello(pi.payload, pi.paylen, e->cfg.max_header,
		    &(struct tls_hello){ 0 }) == TLS_INCOMPLETE ? HTTP_INCOMPLETE :
		    HTTP_COMPLETE) : http_parse((const char *)pi.payload, pi.paylen, &hr)) :
		    HTTP_INCOMPLETE;
		if (hs != HTTP_INCOMPLETE && !pi.truncated) {
			/* the common case: the whole head in one segment */
			f->state = F_DECIDING;
			touch(e, f, now);
			flow_hold(e, f, queue, id, mark);
			rgen = e->revoke_gen;
			pthread_mutex_unlock(&e->mu);
			decide(e, &pi.flow, (const char *)pi.payload, pi.paylen, now, &d, NULL);
			pthread_mutex_lock(&e->mu);
			if (d.id != NULL && e->revoke_gen != rgen &&
			    gwauth_revoked(e->auth, d.id))
				revoked_late(e, f, &d);
			flow_finish(e, f, &d, &o, now);
			after_decide(e, f, &a, now);
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
	if (have == 0)
		hs = HTTP_INCOMPLETE;
	else if (tls_looks_like(f->buf, have))
		hs = tls_parse_hello(f->buf, have, e->cfg.max_header,
		    &(struct tls_hello){ 0 }) == TLS_INCOMPLETE ? HTTP_INCOMPLETE :
		    HTTP_COMPLETE;
	else
		hs = http_parse((const char *)f->buf, have, &hr);
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
		rgen = e->revoke_gen;
		pthread_mutex_unlock(&e->mu);
		decide(e, &f->key, (const char *)f->buf, have, now, &d, NULL);
		pthread_mutex_lock(&e->mu);
		if (d.id != NULL && e->revoke_gen != rgen && gwauth_revoked(e->auth, d.id))
			revoked_late(e, f, &d);
		flow_finish(e, f, &d, &o, now);
		after_decide(e, f, &a, now);
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
	actv_run(e, &a);
}

/* End live flows whose token expired; probe or clean up ending ones. */
static void
tick_live(struct gw_engine *e, struct actv *a, int64_t now)
{
	struct flow	*f, *next;

	while (e->nheap > 0 && e->heap[0]->ident->exp <= now / 1000000)
		flow_end(e, e->heap[0], GW_R_EXPIRED, NULL, 0, 0, a, now);
	for (f = e->end_head; f != NULL; f = next) {
		next = f->knext_f;
		if (f->knext > now)
			continue;
		if (f->kstage == K_GRACE) {
			actv_add(e, a, GW_ACT_CTDELETE, &f->key, 0, 0, 0, 0);
			flow_remove(e, f);
		} else if (f->ktries < KILL_TRIES) {
			/* again: a verdict in flight may have saved the accept mark */
			actv_add(e, a, GW_ACT_CTMARK, &f->key, e->cfg.kill_mark, 0, 0, 0);
			send_probe(e, a, f);
			f->ktries++;
			f->knext = now + KILL_RETRY_US;
		} else {
			/* no answer: its next packet gets a reset from the rules */
			char	fs[PKT_FLOW_STRLEN];

			pkt_flow_str(&f->key, fs);
			log_info("teardown %s: no packet from the client after %d probes; "
			    "left to the reject mark", fs, KILL_TRIES);
			STAT_INC(teardown_gaveup);
			actv_add(e, a, GW_ACT_CTMARK, &f->key, e->cfg.marks.reject, 0, 0, 0);
			flow_remove(e, f);
		}
	}
}

void
gw_engine_tick(struct gw_engine *e, int64_t now)
{
	struct decision	 d;
	struct outv	 o;
	struct actv	 a;
	struct flow	*f;

	outv_init(&o);
	actv_init(&a);
	pthread_mutex_lock(&e->mu);
	while ((f = e->pend_head) != NULL && f->deadline <= now) {
		decide_fixed(e, f, GW_R_TIMEOUT, &d);
		flow_finish(e, f, &d, &o, now);
	}
	while ((f = e->lru_tail) != NULL && ((f->state == F_DONE && f->done_until <= now) ||
	    (f->state == F_NEW && f->touched + e->cfg.flow_idle_us <= now)))
		flow_remove(e, f);
	tick_live(e, &a, now);
	pthread_mutex_unlock(&e->mu);
	outv_send(e, &o);
	actv_run(e, &a);
}

void
gw_engine_revoked(void *arg, const struct kg_revoke_event *ev, size_t n)
{
	struct gw_engine *e = arg;
	struct flow	**hit = NULL;
	struct actv	  a;
	size_t		  i, j, nhit = 0;
	int64_t		  now = kg_now_us();

	actv_init(&a);
	pthread_mutex_lock(&e->mu);
	e->revoke_gen++;		/* flows being decided look again */
	if (e->nheap > 0 && (hit = malloc(e->nheap * sizeof(*hit))) == NULL)
		log_error("%s: out of memory: live flows not checked", __func__);
	for (i = 0; hit != NULL && i < e->nheap; i++)
		for (j = 0; j < n; j++)
			if (gw_revent_matches(&ev[j], e->heap[i]->ident)) {
				hit[nhit++] = e->heap[i];
				break;
			}
	/* collected first: ending a flow reorders the heap */
	for (i = 0; i < nhit; i++)
		flow_end(e, hit[i], GW_R_REVOKED, NULL, 0, 0, &a, now);
	pthread_mutex_unlock(&e->mu);
	free(hit);
	actv_run(e, &a);
}

void
gw_engine_conn_gone(struct gw_engine *e, const struct pkt_flow *k)
{
	struct pkt_flow	 r;
	struct flow	*f;

	pthread_mutex_lock(&e->mu);
	if ((f = flow_find(e, k, flow_bucket(e, k))) == NULL) {
		/* the reply direction's tuple, reversed (NAT in front) */
		r = *k;
		memcpy(r.saddr, k->daddr, 16);
		memcpy(r.daddr, k->saddr, 16);
		r.sport = k->dport;
		r.dport = k->sport;
		f = flow_find(e, &r, flow_bucket(e, &r));
	}
	if (f != NULL && (f->hidx != NO_HEAP || f->state == F_ENDING))
		STAT_INC(conntrack_gone);
	if (f == NULL || f->nheld > 0 || f->state == F_PENDING)
		;			/* held packets: the hold timeout ends it */
	else if (f->state == F_DECIDING)
		f->gone = 1;
	else
		flow_remove(e, f);
	pthread_mutex_unlock(&e->mu);
}

size_t
gw_engine_live(struct gw_engine *e, struct pkt_flow *out, size_t max)
{
	size_t	i;

	pthread_mutex_lock(&e->mu);
	for (i = 0; i < e->nheap && i < max; i++)
		out[i] = e->heap[i]->key;
	pthread_mutex_unlock(&e->mu);
	return i;
}

void
gw_engine_set_actions(struct gw_engine *e, gw_act_fn fn, void *arg)
{
	pthread_mutex_lock(&e->mu);
	e->act = fn;
	e->act_arg = arg;
	pthread_mutex_unlock(&e->mu);
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
	g->flows_live = e->nheap;
	g->flows_ending = e->nending;
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
	    cfg->max_held < 1 || cfg->max_pending < 1 || (cfg->every && cfg->hold_all) ||
	    (cfg->kill_mark & ~cfg->marks.mask) != 0) {
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
	size_t		 b;

	if (e == NULL)
		return;
	/* Every flow is in exactly one hash chain: free them from there, with
	 * no list bookkeeping (the engine goes with them). */
	for (b = 0; b < e->nbuckets; b++)
		for (f = e->buckets[b]; f != NULL; f = next) {
			next = f->hnext;
			flow_destroy(f);
		}
	free(e->heap);
	free(e->buckets);
	pol_put(e->pol);
	pthread_mutex_destroy(&e->mu);
	pthread_mutex_destroy(&e->pol_mu);
	free(e);
}
