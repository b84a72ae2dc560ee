/* authlimit.c - failed-authentication rate limit (see authlimit.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "server/authlimit.h"

#define WAYS		4
#define US		1000000LL

enum kind { K_FREE = 0, K_ADDR, K_USER, K_PAIR };

struct entry {
	unsigned char	 key[16];
	unsigned char	 kind;
	int64_t		 updated;	/* µs: bucket level as of then / pair time */
	double		 level;		/* failures left (buckets) */
};

struct authlimit {
	struct authlimit_cfg	 cfg;
	pthread_mutex_t		 mu;
	struct entry		*e;
	size_t			 nbuckets;
	char			 salt[33];
};

struct authlimit *
authlimit_new(const struct authlimit_cfg *cfg)
{
	struct authlimit	*l;
	unsigned char		 r[16];
	size_t			 i;

	if (!cfg->enabled || (l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->cfg = *cfg;
	l->nbuckets = ((size_t)(cfg->table_size > WAYS ? cfg->table_size : WAYS) +
	    WAYS - 1) / WAYS;
	if ((l->e = calloc(l->nbuckets * WAYS, sizeof(*l->e))) == NULL ||
	    kg_random(r, sizeof(r)) == -1) {
		free(l->e);
		free(l);
		return NULL;
	}
	for (i = 0; i < sizeof(r); i++)
		snprintf(l->salt + 2 * i, 3, "%02x", r[i]);
	pthread_mutex_init(&l->mu, NULL);
	return l;
}

void
authlimit_free(struct authlimit *l)
{
	if (l == NULL)
		return;
	pthread_mutex_destroy(&l->mu);
	free(l->e);
	free(l);
}

static void
make_key(const struct authlimit *l, enum kind k, const char *a, const char *b,
    unsigned char out[16])
{
	const char	*kinds[] = { "", "a", "u", "p" };
	const char	*parts[4] = { l->salt, kinds[k], a, b ? b : "" };
	unsigned char	 h[32];

	kg_sha256_strv(parts, 4, h);
	memcpy(out, h, 16);
}

/* The bucket's level at now (capacity cap, one regained per interval s). */
static double
level_at(const struct entry *x, int cap, int interval, int64_t now)
{
	double	lv = x->level;

	if (now > x->updated && interval > 0)
		lv += (double)(now - x->updated) / ((double)interval * US);
	return lv > cap ? cap : lv;
}

static int
cap_of(const struct authlimit *l, enum kind k)
{
	return k == K_ADDR ? l->cfg.address_failures : l->cfg.user_failures;
}

static int
interval_of(const struct authlimit *l, enum kind k)
{
	return k == K_ADDR ? l->cfg.address_interval : l->cfg.user_interval;
}

/* Is x worth nothing at now: a full bucket, or a forgotten pair? */
static int
idle(const struct authlimit *l, const struct entry *x, int64_t now)
{
	if (x->kind == K_FREE)
		return 1;
	if (x->kind == K_PAIR)
		return x->updated + (int64_t)l->cfg.remember * US <= now;
	return level_at(x, cap_of(l, x->kind), interval_of(l, x->kind), now) >=
	    cap_of(l, x->kind);
}

/* The entry for key, or NULL; with create, a new one (replacing an idle
 * entry, else the least recently updated). */
static struct entry *
find(struct authlimit *l, const unsigned char key[16], enum kind k, int create,
    int64_t now)
{
	struct entry	*b, *victim = NULL;
	size_t		 i, idx;

	memcpy(&idx, key, sizeof(idx));
	b = l->e + (idx % l->nbuckets) * WAYS;
	for (i = 0; i < WAYS; i++)
		if (b[i].kind == k && memcmp(b[i].key, key, 16) == 0)
			return &b[i];
	if (!create)
		return NULL;
	for (i = 0; i < WAYS; i++) {
		if (idle(l, &b[i], now)) {
			victim = &b[i];
			break;
		}
		if (victim == NULL || b[i].updated < victim->updated)
			victim = &b[i];
	}
	memset(victim, 0, sizeof(*victim));
	memcpy(victim->key, key, 16);
	victim->kind = (unsigned char)k;
	victim->updated = now;
	victim->level = k == K_PAIR ? 0 : cap_of(l, k);
	return victim;
}

/* Seconds until the bucket has one failure left again (0: it has). */
static int
wait_for(const struct authlimit *l, const struct entry *x, int64_t now)
{
	double	lv = level_at(x, cap_of(l, x->kind), interval_of(l, x->kind), now);
	double	s;

	if (lv >= 1.0)
		return 0;
	s = (1.0 - lv) * interval_of(l, x->kind);
	return s < 1.0 ? 1 : (int)s + (s > (int)s);
}

int
authlimit_check(struct authlimit *l, const char *addr, const char *user_id,
    int64_t now)
{
	unsigned char	 k[16];
	struct entry	*x;
	int		 wait = 0, uw;

	if (l == NULL)
		return 0;
	pthread_mutex_lock(&l->mu);
	make_key(l, K_ADDR, addr, NULL, k);
	if ((x = find(l, k, K_ADDR, 0, now)) != NULL)
		wait = wait_for(l, x, now);
	if (wait == 0 && user_id != NULL) {
		make_key(l, K_USER, user_id, NULL, k);
		if ((x = find(l, k, K_USER, 0, now)) != NULL &&
		    (uw = wait_for(l, x, now)) > 0) {
			make_key(l, K_PAIR, user_id, addr, k);
			if ((x = find(l, k, K_PAIR, 0, now)) != NULL &&
			    !idle(l, x, now))
				wait = uw;
		}
	}
	pthread_mutex_unlock(&l->mu);
	return wait;
}

static void
take_one(struct authlimit *l, enum kind kind, const char *a, int64_t now)
{
	unsigned char	 k[16];
	struct entry	*x;
	double		 lv;

	make_key(l, kind, a, NULL, k);
	x = find(l, k, kind, 1, now);
	lv = level_at(x, cap_of(l, kind), interval_of(l, kind), now) - 1.0;
	x->level = lv < 0 ? 0 : lv;	/* no debt: waits stay one interval */
	x->updated = now;
}

void
authlimit_failed(struct authlimit *l, const char *addr, const char *user_id,
    int64_t now)
{
	unsigned char	 k[16];
	struct entry	*x;

	if (l == NULL)
		return;
	pthread_mutex_lock(&l->mu);
	take_one(l, K_ADDR, addr, now);
	if (user_id != NULL) {
		take_one(l, K_USER, user_id, now);
		make_key(l, K_PAIR, user_id, addr, k);
		x = find(l, k, K_PAIR, 1, now);
		x->updated = now;
	}
	pthread_mutex_unlock(&l->mu);
}

void
authlimit_succeeded(struct authlimit *l, const char *addr, const char *user_id,
    int64_t now)
{
	unsigned char	 k[16];
	struct entry	*x;

	if (l == NULL || user_id == NULL)
		return;
	pthread_mutex_lock(&l->mu);
	make_key(l, K_PAIR, user_id, addr, k);
	if ((x = find(l, k, K_PAIR, 0, now)) != NULL)
		memset(x, 0, sizeof(*x));
	pthread_mutex_unlock(&l->mu);
}

size_t
authlimit_used(struct authlimit *l)
{
	size_t	i, n = 0;

	if (l == NULL)
		return 0;
	pthread_mutex_lock(&l->mu);
	for (i = 0; i < l->nbuckets * WAYS; i++)
		n += l->e[i].kind != K_FREE;
	pthread_mutex_unlock(&l->mu);
	return n;
}
