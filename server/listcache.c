/*
 * listcache.c - rendered list replies kept on a store revision (see
 * listcache.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "server/listcache.h"

struct entry {
	char		*key;		/* NULL: free slot */
	char		*body;
	size_t		 len;		/* strlen(body) */
	int64_t		 rev;
	uint64_t	 used;		/* last use, from c->clock */
};

struct listcache {
	pthread_mutex_t	 mu;
	size_t		 max_bytes;
	size_t		 bytes;		/* sum of the bodies' len */
	uint64_t	 clock;
	struct entry	 e[LISTCACHE_ENTRIES];
};

struct listcache *
listcache_new(size_t max_bytes)
{
	struct listcache	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if (pthread_mutex_init(&c->mu, NULL) != 0) {
		free(c);
		return NULL;
	}
	c->max_bytes = max_bytes;
	return c;
}

static void
entry_clear(struct listcache *c, struct entry *e)
{
	if (e->key == NULL)
		return;
	c->bytes -= e->len;
	free(e->key);
	free(e->body);
	memset(e, 0, sizeof(*e));
}

void
listcache_free(struct listcache *c)
{
	size_t	i;

	if (c == NULL)
		return;
	for (i = 0; i < LISTCACHE_ENTRIES; i++)
		entry_clear(c, &c->e[i]);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

static struct entry *
find(struct listcache *c, const char *key)
{
	size_t	i;

	for (i = 0; i < LISTCACHE_ENTRIES; i++)
		if (c->e[i].key != NULL && strcmp(c->e[i].key, key) == 0)
			return &c->e[i];
	return NULL;
}

char *
listcache_get(struct listcache *c, const char *key, int64_t rev)
{
	struct entry	*e;
	char		*copy = NULL;

	if (c == NULL)
		return NULL;
	pthread_mutex_lock(&c->mu);
	if ((e = find(c, key)) != NULL && e->rev == rev &&
	    (copy = malloc(e->len + 1)) != NULL) {
		memcpy(copy, e->body, e->len + 1);
		e->used = ++c->clock;
	}
	pthread_mutex_unlock(&c->mu);
	return copy;
}

/* The least recently used entry holding a body, or NULL. */
static struct entry *
lru(struct listcache *c)
{
	struct entry	*v = NULL;
	size_t		 i;

	for (i = 0; i < LISTCACHE_ENTRIES; i++)
		if (c->e[i].key != NULL && (v == NULL || c->e[i].used < v->used))
			v = &c->e[i];
	return v;
}

/* A free slot, evicting the least recently used entry if none is free. */
static struct entry *
slot(struct listcache *c)
{
	size_t	i;

	for (i = 0; i < LISTCACHE_ENTRIES; i++)
		if (c->e[i].key == NULL)
			return &c->e[i];
	return lru(c);
}

void
listcache_put(struct listcache *c, const char *key, int64_t rev,
    const char *body)
{
	struct entry	*e, *v;
	size_t		 len = strlen(body), klen = strlen(key);
	char		*k, *b;

	if (c == NULL || len > c->max_bytes / 4 || klen >= LISTCACHE_KEY_MAX)
		return;
	if ((k = malloc(klen + 1)) == NULL)
		return;
	if ((b = malloc(len + 1)) == NULL) {
		free(k);
		return;
	}
	memcpy(k, key, klen + 1);
	memcpy(b, body, len + 1);
	pthread_mutex_lock(&c->mu);
	if ((e = find(c, key)) != NULL)
		entry_clear(c, e);
	while (c->bytes + len > c->max_bytes && (v = lru(c)) != NULL)
		entry_clear(c, v);
	e = slot(c);
	entry_clear(c, e);
	e->key = k;
	e->body = b;
	e->len = len;
	e->rev = rev;
	e->used = ++c->clock;
	c->bytes += len;
	pthread_mutex_unlock(&c->mu);
}
