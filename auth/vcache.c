/* vcache.c - the validation cache (see vcache.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "auth/vcache.h"
#include "common/util.h"

#define WAYS	4		/* entries per bucket */

/*
 * One cached validation in one allocation: the header, the context packed
 * (its fixed-size arrays and 321-byte role refs would cost ~3x the bytes
 * they use) and the body text. A full default cache (10,000 tokens) thus
 * stays near 13 MB instead of ~27.
 */
struct centry {
	unsigned char	 h[32];		/* SHA-256 of the token */
	unsigned int	 epoch;		/* key set it was verified with */
	int64_t		 rev;		/* store revision it was checked at */
	int64_t		 expires_at;	/* the token's, µs */
	uint64_t	 tick;		/* last use, for eviction */
	size_t		 ctx_len;	/* packed context bytes at data */
	char		 data[];	/* packed context, then the body + NUL */
};

/* Strings of a context in packing order, with their sizes. */
#define CTX_STRINGS(c) \
	{ (c)->user_id, sizeof((c)->user_id) },				\
	{ (c)->user_domain_id, sizeof((c)->user_domain_id) },		\
	{ (c)->project_id, sizeof((c)->project_id) },			\
	{ (c)->project_domain_id, sizeof((c)->project_domain_id) },	\
	{ (c)->domain_id, sizeof((c)->domain_id) },			\
	{ (c)->audit_id, sizeof((c)->audit_id) },			\
	{ (c)->audit_chain_id, sizeof((c)->audit_chain_id) },		\
	{ (c)->app_cred_id, sizeof((c)->app_cred_id) },			\
	{ (c)->trust_id, sizeof((c)->trust_id) },			\
	{ (c)->trustor_id, sizeof((c)->trustor_id) },			\
	{ (c)->trustee_id, sizeof((c)->trustee_id) }

struct field {
	char	*s;
	size_t	 size;
};

/* The fixed part of a packed context. */
struct packed_head {
	int64_t		expires_at;
	int64_t		rev;
	uint32_t	nroles;
	uint8_t		scope;
	uint8_t		nmethods;
	uint8_t		app_cred_restricted;
	uint8_t		app_cred_nrules;
	uint8_t		trust_impersonation;
};

/* Bytes ctx takes packed. */
static size_t
ctx_packed_size(const struct kg_ctx *c)
{
	struct field	 f[] = { CTX_STRINGS((struct kg_ctx *)c) };
	size_t		 i, n = sizeof(struct packed_head);

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		n += strlen(f[i].s) + 1;
	for (i = 0; i < c->nmethods; i++)
		n += strlen(c->methods[i]) + 1;
	for (i = 0; i < c->nroles; i++)
		n += strlen(c->roles[i].id) + strlen(c->roles[i].name) + 2;
	return n;
}

static char *
put_str(char *p, const char *s)
{
	size_t	n = strlen(s) + 1;

	memcpy(p, s, n);
	return p + n;
}

/* Pack c at p (ctx_packed_size bytes). */
static void
ctx_pack(char *p, const struct kg_ctx *c)
{
	struct field		f[] = { CTX_STRINGS((struct kg_ctx *)c) };
	struct packed_head	h;
	size_t			i;

	memset(&h, 0, sizeof(h));
	h.expires_at = c->expires_at;
	h.rev = c->rev;
	h.nroles = (uint32_t)c->nroles;
	h.scope = (uint8_t)c->scope;
	h.nmethods = (uint8_t)c->nmethods;
	h.app_cred_restricted = (uint8_t)(c->app_cred_restricted != 0);
	h.app_cred_nrules = (uint8_t)c->app_cred_nrules;	/* <= KG_MAX_ACCESS_RULES */
	h.trust_impersonation = (uint8_t)(c->trust_impersonation != 0);
	memcpy(p, &h, sizeof(h));
	p += sizeof(h);
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		p = put_str(p, f[i].s);
	for (i = 0; i < c->nmethods; i++)
		p = put_str(p, c->methods[i]);
	for (i = 0; i < c->nroles; i++) {
		p = put_str(p, c->roles[i].id);
		p = put_str(p, c->roles[i].name);
	}
}

static const char *
get_str(const char *p, char *dst, size_t size)
{
	kg_strlcpy(dst, p, size);
	return p + strlen(p) + 1;
}

/* Unpack into c (roles malloc'd). 0, or -1 when out of memory. */
static int
ctx_unpack(const char *p, struct kg_ctx *c)
{
	struct packed_head	h;
	size_t			i;

	memset(c, 0, sizeof(*c));
	memcpy(&h, p, sizeof(h));
	p += sizeof(h);
	{
		struct field	f[] = { CTX_STRINGS(c) };

		for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
			p = get_str(p, f[i].s, f[i].size);
	}
	c->scope = (enum kg_scope_kind)h.scope;
	c->expires_at = h.expires_at;
	c->rev = h.rev;
	c->nmethods = h.nmethods;
	c->app_cred_restricted = h.app_cred_restricted;
	c->app_cred_nrules = h.app_cred_nrules;
	c->trust_impersonation = h.trust_impersonation;
	for (i = 0; i < c->nmethods; i++)
		p = get_str(p, c->methods[i], sizeof(c->methods[i]));
	if (h.nroles == 0)
		return 0;
	if ((c->roles = malloc(h.nroles * sizeof(*c->roles))) == NULL)
		return -1;
	c->nroles = h.nroles;
	for (i = 0; i < c->nroles; i++) {
		p = get_str(p, c->roles[i].id, sizeof(c->roles[i].id));
		p = get_str(p, c->roles[i].name, sizeof(c->roles[i].name));
	}
	return 0;
}

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
		if (e->rev != rev || e->epoch != epoch || now >= e->expires_at) {
			centry_free(e);
			b[i] = NULL;
			break;
		}
		if (body != NULL && (*body = strdup(e->data + e->ctx_len)) == NULL)
			break;
		if (ctx_unpack(e->data, ctx) == -1) {
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
	size_t		  clen, blen;
	int		  i, v = -1;

	if (c == NULL)
		return;
	/* Build outside the lock. */
	clen = ctx_packed_size(ctx);
	blen = strlen(body) + 1;
	if ((e = malloc(sizeof(*e) + clen + blen)) == NULL)
		return;
	memset(e, 0, sizeof(*e));
	ctx_pack(e->data, ctx);
	memcpy(e->data + clen, body, blen);
	e->ctx_len = clen;
	memcpy(e->h, h, 32);
	e->epoch = epoch;
	e->rev = rev;
	e->expires_at = ctx->expires_at;
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
