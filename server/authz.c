/*
 * authz.c - the server's policy set (see authz.h).
 *
 * A set is reference counted so a reload never frees one a worker is
 * enforcing with. To keep locks off the request path, each thread keeps a
 * reference to the set it last used and only takes the lock when the
 * generation changed (a reload): authz_put is then free, and a replaced
 * set is freed once every thread that held it has moved on (or at exit).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "server/authz.h"

struct held {
	struct policy_set	*s;
	int			 refs;		/* current + threads; under lock */
	struct held		*next;		/* replaced sets still held */
};

struct authz {
	pthread_mutex_t	 lock;
	struct held	*cur;
	struct held	*old;			/* replaced, still referenced */
	atomic_uint	 gen;			/* bumped by each reload */
	unsigned long	 id;			/* unique in the process */
};

static atomic_ulong	next_id = 1;

/* What this thread holds: the set of authz a at generation gen. */
static __thread struct {
	unsigned long		 id;		/* authz.id; 0: none */
	unsigned int		 gen;
	struct held		*h;
} mine;

struct policy_set *
authz_build(const struct kg_config *cfg, struct kg_err *err)
{
	struct policy_options	 o;
	struct policy_file	 f;
	struct policy_set	*s;

	o.defaults = policy_defaults_find(cfg->policy_defaults);
	o.enforce_scope = cfg->enforce_scope;
	o.enforce_new_defaults = cfg->enforce_new_defaults;
	if (o.defaults == NULL) {
		kg_errf(err, KG_EBADREQ, "oslo_policy.defaults: unknown set %s",
		    cfg->policy_defaults);
		return NULL;
	}
	if (cfg->policy_file[0] == '\0')
		return policy_set_build(&o, NULL, err);
	if (policy_file_load(cfg->policy_file, &f, err) == -1)
		return NULL;
	s = policy_set_build(&o, &f, err);
	policy_file_free(&f);
	return s;
}

struct authz *
authz_new(struct policy_set *s)
{
	struct authz	*a;

	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    (a->cur = calloc(1, sizeof(*a->cur))) == NULL) {
		free(a);
		return NULL;
	}
	pthread_mutex_init(&a->lock, NULL);
	atomic_init(&a->gen, 1);
	a->id = atomic_fetch_add(&next_id, 1);
	a->cur->s = s;
	a->cur->refs = 1;
	return a;
}

void
authz_free(struct authz *a)
{
	struct held	*h, *next;

	if (a == NULL)
		return;
	for (h = a->old; h != NULL; h = next) {
		next = h->next;
		policy_set_free(h->s);
		free(h);
	}
	policy_set_free(a->cur->s);
	free(a->cur);
	pthread_mutex_destroy(&a->lock);
	if (mine.id == a->id)
		mine.id = 0;
	free(a);
}

/* Drop one reference to h, under lock; returns h when it is now unused. */
static struct held *
unref(struct authz *a, struct held *h)
{
	struct held	**pp;

	if (--h->refs > 0 || h == a->cur)
		return NULL;
	for (pp = &a->old; *pp != NULL; pp = &(*pp)->next)
		if (*pp == h) {
			*pp = h->next;
			break;
		}
	return h;
}

const struct policy_set *
authz_get(struct authz *a)
{
	struct held	*drop = NULL;
	unsigned int	 gen = atomic_load_explicit(&a->gen, memory_order_acquire);

	if (mine.id == a->id && mine.gen == gen)
		return mine.h->s;
	pthread_mutex_lock(&a->lock);
	if (mine.id == a->id)
		drop = unref(a, mine.h);
	mine.id = a->id;
	mine.h = a->cur;
	mine.h->refs++;
	mine.gen = atomic_load_explicit(&a->gen, memory_order_relaxed);
	pthread_mutex_unlock(&a->lock);
	if (drop != NULL) {
		policy_set_free(drop->s);
		free(drop);
	}
	return mine.h->s;
}

void
authz_put(struct authz *a, const struct policy_set *s)
{
	/* The thread keeps its reference until the set is replaced. */
	(void)a;
	(void)s;
}

int
authz_reload(struct authz *a, const struct kg_config *cfg, struct kg_err *err)
{
	struct policy_set	*s;
	struct held		*h, *prev;

	if ((s = authz_build(cfg, err)) == NULL)
		return -1;
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		policy_set_free(s);
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	}
	h->s = s;
	h->refs = 1;
	pthread_mutex_lock(&a->lock);
	prev = a->cur;
	a->cur = h;
	prev->next = a->old;
	a->old = prev;
	prev = unref(a, prev);		/* the "current" reference */
	atomic_fetch_add_explicit(&a->gen, 1, memory_order_release);
	pthread_mutex_unlock(&a->lock);
	if (prev != NULL) {
		policy_set_free(prev->s);
		free(prev);
	}
	return 0;
}

void
authz_describe(const struct policy_set *s, const struct kg_config *cfg,
    char *buf, size_t bufsz)
{
	const struct policy_options	*o = policy_set_options(s);

	snprintf(buf, bufsz, "policy: %zu rules, defaults %s (Keystone commit %.12s), "
	    "enforce_scope %s, enforce_new_defaults %s, policy_file %s",
	    policy_set_count(s), o->defaults->name, o->defaults->commit,
	    o->enforce_scope ? "true" : "false",
	    o->enforce_new_defaults ? "true" : "false",
	    cfg->policy_file[0] ? cfg->policy_file : "(none)");
}
