/* vcache.c - the validation cache (see vcache.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "auth/vcache.h"

#define WAYS	4		/* entries per bucket */

/* One cached validation, allocated on insert. */
struct centry {
	unsigned char	 h[32];		/* SHA-256 of the token */
	unsigned int	 epoch;		/* key set it was verified with */
	int64_t		 rev;		/* store revision it was checked at */
	uint64_t	 tick;		/* last use, for eviction */
	struct kg_ctx	 ctx;		/* roles owned by the entry */
	char		*body;		/* token object, JSON text */
};

struct vcache {
	pthread_mutex_t	  lock;
	struct centry	**slots;	/* nbuckets * WAYS */
	size_t		  nbuckets;
	uint64_t	  tick;
	unsigned long	  hits, misses;
};

static void
centry_free(struct centry *e)
{
	if (e == NULL)
		return;
	kg_ctx_free(&e->ctx);
	free(e->body);
	free(e);
}

struct vcache *
vcache_new(size_t entries)
{
	struct vcache	*c;

	if (entries == 0 || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->nbuckets = (entries + WAYS - 1) / WAYS;
	if ((c->slots = calloc(c->nbuckets * WAYS, sizeof(*c->slots))) == NULL) {
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

void
vcache_clear(struct vcache *c)
{
	size_t	i;

	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < c->nbuckets * WAYS; i++) {
		centry_free(c->slots[i]);
		c->slots[i] = NULL;
	}
	pthread_mutex_unlock(&c->lock);
}

void
vcache_free(struct vcache *c)
{
	if (c == NULL)
		return;
	vcache_clear(c);
	pthread_mutex_destroy(&c->lock);
	free(c->slots);
	free(c);
}

static struct centry **
bucket_of(struct vcache *c, const unsigned char h[32])
{
	uint64_t	v;

	memcpy(&v, h, sizeof(v));
	return &c->slots[(v % c->nbuckets) * WAYS];
}

int
vcache_get(struct vcache *c, const unsigned char h[32], int64_t rev,
    unsigned int epoch, int64_t now, struct kg_ctx *ctx, char **body)
{
	struct centry	**b, *e;
	int		  i, hit = 0;

	if (c == NULL)
		return 0;
	pthread_mutex_lock(&c->lock);
	b = bucket_of(c, h);
	for (i = 0; i < WAYS; i++) {
		if ((e = b[i]) == NULL || memcmp(e->h, h, 32) != 0)
			continue;
		if (e->rev != rev || e->epoch != epoch || now >= e->ctx.expires_at) {
			centry_free(e);
			b[i] = NULL;
			break;
		}
		if (body != NULL && (*body = strdup(e->body)) == NULL)
			break;
		if (kg_ctx_copy(ctx, &e->ctx) == -1) {
			if (body != NULL) {
				free(*body);
				*body = NULL;
			}
			break;
		}
		e->tick = ++c->tick;
		hit = 1;
		break;
	}
	if (hit)
		c->hits++;
	else
		c->misses++;
	pthread_mutex_unlock(&c->lock);
	return hit;
}

void
vcache_put(struct vcache *c, const unsigned char h[32], int64_t rev,
    unsigned int epoch, const struct kg_ctx *ctx, const char *body)
{
	struct centry	**b, *e;
	int		  i, v = -1;

	if (c == NULL)
		return;
	/* Build outside the lock. */
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return;
	if ((e->body = strdup(body)) == NULL || kg_ctx_copy(&e->ctx, ctx) == -1) {
		centry_free(e);
		return;
	}
	memcpy(e->h, h, 32);
	e->epoch = epoch;
	e->rev = rev;
	pthread_mutex_lock(&c->lock);
	b = bucket_of(c, h);
	for (i = 0; i < WAYS; i++) {
		if (b[i] != NULL && memcmp(b[i]->h, h, 32) == 0) {
			v = i;			/* replace the same token */
			break;
		}
		if (b[i] == NULL) {
			if (v == -1 || b[v] != NULL)
				v = i;
		} else if (v == -1 || (b[v] != NULL && b[i]->tick < b[v]->tick))
			v = i;
	}
	centry_free(b[v]);
	e->tick = ++c->tick;
	b[v] = e;
	pthread_mutex_unlock(&c->lock);
}

void
vcache_stats(struct vcache *c, unsigned long *hits, unsigned long *misses)
{
	*hits = *misses = 0;
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	*hits = c->hits;
	*misses = c->misses;
	pthread_mutex_unlock(&c->lock);
}
