/* scache.c - the state cache (see scache.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "auth/scache.h"

struct sentry {
	unsigned char	 key[32];
	int64_t		 rev;		/* 0: empty */
	struct subject	 s;		/* roles owned; user.password_hash NULL */
};

struct scache {
	pthread_mutex_t	 lock;
	struct sentry	 slots[SCACHE_SLOTS];
};

struct scache *
scache_new(void)
{
	struct scache	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

void
scache_clear(struct scache *c)
{
	size_t	i;

	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < SCACHE_SLOTS; i++) {
		free(c->slots[i].s.roles);
		memset(&c->slots[i], 0, sizeof(c->slots[i]));
	}
	pthread_mutex_unlock(&c->lock);
}

void
scache_free(struct scache *c)
{
	if (c == NULL)
		return;
	scache_clear(c);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static struct sentry *
slot_of(struct scache *c, const unsigned char key[32])
{
	uint32_t	v;

	memcpy(&v, key, sizeof(v));
	return &c->slots[v % SCACHE_SLOTS];
}

int
scache_get(struct scache *c, int64_t rev, const unsigned char key[32],
    struct subject *out)
{
	struct sentry	*e;
	int		 hit = 0;

	if (c == NULL)
		return 0;
	pthread_mutex_lock(&c->lock);
	e = slot_of(c, key);
	if (e->rev == rev && memcmp(e->key, key, 32) == 0)
		hit = subject_copy(out, &e->s) == 0;
	pthread_mutex_unlock(&c->lock);
	return hit;
}

void
scache_put(struct scache *c, int64_t rev, const unsigned char key[32],
    const struct subject *s)
{
	struct sentry	*e;
	struct subject	 copy;

	if (c == NULL || subject_copy(&copy, s) == -1)
		return;
	pthread_mutex_lock(&c->lock);
	e = slot_of(c, key);
	free(e->s.roles);
	memcpy(e->key, key, 32);
	e->rev = rev;
	e->s = copy;
	pthread_mutex_unlock(&c->lock);
}
