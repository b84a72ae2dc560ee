/*
 * token.c - issuing, validating and revoking keygate tokens (see token.h):
 * ES256 JWTs signed with the primary key of the key repository, checked
 * against every loaded key, then against revocation events and the
 * current state of the store. Results are cached by SHA-256 of the token.
 */
#include <openssl/evp.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "auth/jwt.h"
#include "auth/keys.h"
#include "auth/password.h"
#include "auth/token.h"
#include "common/log.h"
#include "common/util.h"
#include "store/assignment.h"
#include "store/catalog.h"
#include "store/identity.h"
#include "store/revoke.h"
#include "store/scope.h"

#define TOKEN_ISSUER	"keygate"
#define CACHE_WAYS	4		/* entries per bucket */
#define AUDIT_LEN	22		/* base64url of 16 random bytes */
#define AUDIT_BUF	32		/* the encoder wants 4*ceil(n/3)+1 */
#define PRUNE_EVERY_US	(60 * 1000000LL)
#define SCACHE_SLOTS	256		/* state cache (see struct sentry) */

static EVP_MD		*sha256_md;
static pthread_once_t	 sha256_once = PTHREAD_ONCE_INIT;

static void
sha256_init(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

/* SHA-256 with the algorithm fetched once (SHA256() fetches per call). */
static void
hash(const void *data, size_t n, unsigned char out[32])
{
	pthread_once(&sha256_once, sha256_init);
	if (sha256_md == NULL || !EVP_Digest(data, n, out, NULL, sha256_md, NULL))
		kg_sha256(data, n, out);
}

/*
 * The store generation read by the last successful tokens_authenticate on
 * this thread, for the same request's handler: one snapshot for the whole
 * request (see tokens_validate_reply). Keyed by the caller's token pointer
 * and consumed once.
 */
static __thread struct {
	const struct tokens	*t;
	const char		*token;
	int64_t			 gen;
} req_gen;

/* ------------------------------------------------------------------------
 * The loaded keys, shared by reference so SIGHUP can swap them while
 * requests are verifying with the old set.
 * --------------------------------------------------------------------- */

struct keyring {
	int			 refs;		/* under tokens.lock */
	unsigned int		 epoch;		/* cache entries name the ring */
	struct jwt_keyset	 ks;
	struct jwt_key		*primary;
	json_t			*jwks;		/* {"keys": [...]}, immutable */
};

/* What a token passed to the token method contributes to the new one. */
struct tinfo {
	char	chain[AUDIT_BUF];	/* audit chain id: audit_ids[-1] */
	char	methods[64];		/* "password,token" */
};

/*
 * One cached validation, allocated on insert: the caller context and the
 * token object as compact JSON text (a parsed tree costs ~4x the memory).
 */
struct centry {
	unsigned char	 h[32];		/* SHA-256 of the token */
	unsigned int	 epoch;		/* keyring it was verified with */
	int64_t		 gen;		/* store generation it was checked at */
	int64_t		 exp_us;	/* token expiry */
	uint64_t	 tick;		/* last use, for eviction */
	struct kg_ctx	 ctx;		/* roles owned by the entry */
	struct tinfo	 info;		/* what the token method reuses */
	char		*body;		/* token object, JSON text */
};

/* A token's subject and scope as currently stored. */
struct tstate {
	struct kg_token_user	 user;		/* with its domain */
	enum kg_scope_kind	 scope;
	struct kg_token_target	 tgt;		/* project (+ domain) or domain */
	struct kg_role_ref	*roles;
	size_t			 nroles;
};

/*
 * The state cache: the loaded user (without password hash), scope target
 * and effective roles for a (user, scope request) key, valid while the
 * store generation is unchanged. It spares the token method and
 * validation misses their look-ups (the effective-roles query above all)
 * when the same user scopes to the same target again.
 */
struct sentry {
	unsigned char	 key[32];	/* SHA-256 of the request's canonical form */
	int64_t		 gen;		/* 0: empty */
	struct tstate	 s;		/* roles owned; user.password_hash NULL */
};

struct tokens {
	struct token_cfg	 cfg;
	char			*key_dir;
	pthread_mutex_t		 lock;		/* ring swaps and refcounts */
	struct keyring		*ring;
	unsigned int		 next_epoch;

	pthread_mutex_t		 clock;		/* the cache */
	struct centry		**cache;	/* nbuckets * CACHE_WAYS slots */
	size_t			 nbuckets;
	uint64_t		 tick;
	unsigned long		 hits, misses;

	pthread_mutex_t		 catlock;	/* catalog cache */
	int64_t			 cat_gen;
	char			*catalog;	/* JSON text */

	pthread_mutex_t		 slock;		/* state cache */
	struct sentry		*scache;	/* SCACHE_SLOTS, direct-mapped */

	pthread_mutex_t		 prunelock;
	int64_t			 last_prune;	/* µs */
};

static void
ring_free(struct keyring *r)
{
	if (r == NULL)
		return;
	keys_free(&r->ks);
	json_decref(r->jwks);
	free(r);
}

static struct keyring *
ring_load(const char *dir, struct kg_err *err)
{
	struct keyring	*r;
	json_t		*keys;
	size_t		 i;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		return NULL;
	}
	if (keys_load(dir, &r->ks, &r->primary, err) == -1) {
		free(r);
		return NULL;
	}
	keys = json_array();
	for (i = 0; i < r->ks.n; i++)
		json_array_append_new(keys, jwt_key_to_jwk(r->ks.keys[i]));
	r->jwks = json_pack("{s:o}", "keys", keys);
	r->refs = 1;
	return r;
}

static struct keyring *
ring_get(struct tokens *t)
{
	struct keyring	*r;

	pthread_mutex_lock(&t->lock);
	r = t->ring;
	r->refs++;
	pthread_mutex_unlock(&t->lock);
	return r;
}

static void
ring_put(struct tokens *t, struct keyring *r)
{
	int	last;

	pthread_mutex_lock(&t->lock);
	last = --r->refs == 0;
	pthread_mutex_unlock(&t->lock);
	if (last)
		ring_free(r);
}

/* ------------------------------------------------------------------------
 * Open, close, reload.
 * --------------------------------------------------------------------- */

struct tokens *
tokens_open(const struct token_cfg *cfg, struct kg_err *err)
{
	struct tokens	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->key_dir = strdup(cfg->key_dir)) == NULL) {
		free(t);
		kg_errf(err, KG_EINTERNAL, "out of memory");
		return NULL;
	}
	t->cfg = *cfg;
	t->cfg.key_dir = t->key_dir;
	if (t->cfg.expiration <= 0)
		t->cfg.expiration = 3600;
	if (t->cfg.allow_expired_window < 0)
		t->cfg.allow_expired_window = 0;
	pthread_mutex_init(&t->lock, NULL);
	pthread_mutex_init(&t->clock, NULL);
	pthread_mutex_init(&t->catlock, NULL);
	pthread_mutex_init(&t->prunelock, NULL);
	pthread_mutex_init(&t->slock, NULL);
	if (cfg->cache_size > 0) {
		if ((t->scache = calloc(SCACHE_SLOTS, sizeof(*t->scache))) == NULL) {
			kg_errf(err, KG_EINTERNAL, "out of memory");
			tokens_close(t);
			return NULL;
		}
		t->nbuckets = ((size_t)cfg->cache_size + CACHE_WAYS - 1) / CACHE_WAYS;
		if ((t->cache = calloc(t->nbuckets * CACHE_WAYS,
		    sizeof(*t->cache))) == NULL) {
			kg_errf(err, KG_EINTERNAL, "out of memory");
			tokens_close(t);
			return NULL;
		}
	}
	if ((t->ring = ring_load(t->key_dir, err)) == NULL) {
		tokens_close(t);
		return NULL;
	}
	t->ring->epoch = ++t->next_epoch;
	log_info("%s: %zu signing keys loaded, primary %s", __func__, t->ring->ks.n,
	    jwt_key_kid(t->ring->primary));
	return t;
}

static void
centry_free(struct centry *e)
{
	if (e == NULL)
		return;
	kg_ctx_free(&e->ctx);
	free(e->body);
	free(e);
}

void
tokens_cache_clear(struct tokens *t)
{
	size_t	i;

	pthread_mutex_lock(&t->clock);
	for (i = 0; t->cache != NULL && i < t->nbuckets * CACHE_WAYS; i++) {
		centry_free(t->cache[i]);
		t->cache[i] = NULL;
	}
	pthread_mutex_unlock(&t->clock);
	pthread_mutex_lock(&t->slock);
	for (i = 0; t->scache != NULL && i < SCACHE_SLOTS; i++) {
		free(t->scache[i].s.roles);
		memset(&t->scache[i], 0, sizeof(t->scache[i]));
	}
	pthread_mutex_unlock(&t->slock);
}

void
tokens_close(struct tokens *t)
{
	if (t == NULL)
		return;
	tokens_cache_clear(t);
	free(t->cache);
	free(t->scache);
	if (t->ring != NULL)
		ring_put(t, t->ring);
	free(t->catalog);
	pthread_mutex_destroy(&t->lock);
	pthread_mutex_destroy(&t->clock);
	pthread_mutex_destroy(&t->catlock);
	pthread_mutex_destroy(&t->prunelock);
	pthread_mutex_destroy(&t->slock);
	free(t->key_dir);
	free(t);
}

int
tokens_reload(struct tokens *t, struct kg_err *err)
{
	struct keyring	*r, *old;

	if ((r = ring_load(t->key_dir, err)) == NULL)
		return -1;
	pthread_mutex_lock(&t->lock);
	r->epoch = ++t->next_epoch;
	old = t->ring;
	t->ring = r;
	pthread_mutex_unlock(&t->lock);
	ring_put(t, old);
	/* Entries verified with the old ring are now misses (epoch differs). */
	log_info("%s: %zu signing keys loaded, primary %s", __func__, r->ks.n,
	    jwt_key_kid(r->primary));
	return 0;
}

json_t *
tokens_jwks(struct tokens *t)
{
	struct keyring	*r = ring_get(t);
	json_t		*j = json_deep_copy(r->jwks);

	ring_put(t, r);
	return j;
}

void
tokens_stats(struct tokens *t, struct token_stats *out)
{
	pthread_mutex_lock(&t->clock);
	out->hits = t->hits;
	out->misses = t->misses;
	pthread_mutex_unlock(&t->clock);
}

/* ------------------------------------------------------------------------
 * The validation cache.
 * --------------------------------------------------------------------- */

static int
ctx_copy(struct kg_ctx *dst, const struct kg_ctx *src)
{
	*dst = *src;
	dst->roles = NULL;
	if (src->nroles == 0)
		return 0;
	if ((dst->roles = malloc(src->nroles * sizeof(*src->roles))) == NULL) {
		memset(dst, 0, sizeof(*dst));
		return -1;
	}
	memcpy(dst->roles, src->roles, src->nroles * sizeof(*src->roles));
	return 0;
}

static struct centry **
bucket_of(struct tokens *t, const unsigned char h[32])
{
	uint64_t	v;

	memcpy(&v, h, sizeof(v));
	return &t->cache[(v % t->nbuckets) * CACHE_WAYS];
}

/*
 * Look h up; on a usable hit copy the context into *ctx and, when body is
 * not NULL, the token object text into *body (malloc'd). 1 on a hit.
 * Stale entries (other generation or keyring, expired) are dropped.
 */
static int
cache_get(struct tokens *t, const unsigned char h[32], int64_t gen, int64_t now,
    unsigned int epoch, struct kg_ctx *ctx, struct tinfo *info, char **body)
{
	struct centry	**b, *e;
	int		  i, hit = 0;

	if (t->cache == NULL)
		return 0;
	pthread_mutex_lock(&t->clock);
	b = bucket_of(t, h);
	for (i = 0; i < CACHE_WAYS; i++) {
		if ((e = b[i]) == NULL || memcmp(e->h, h, 32) != 0)
			continue;
		if (e->gen != gen || e->epoch != epoch || now >= e->exp_us) {
			centry_free(e);
			b[i] = NULL;
			break;
		}
		if (body != NULL && (*body = strdup(e->body)) == NULL)
			break;
		if (ctx_copy(ctx, &e->ctx) == -1) {
			if (body != NULL) {
				free(*body);
				*body = NULL;
			}
			break;
		}
		if (info != NULL)
			*info = e->info;
		e->tick = ++t->tick;
		hit = 1;
		break;
	}
	if (hit)
		t->hits++;
	else
		t->misses++;
	pthread_mutex_unlock(&t->clock);
	return hit;
}

/* Insert (h -> ctx, body), evicting the least recently used of the bucket. */
static void
cache_put(struct tokens *t, const unsigned char h[32], int64_t gen, unsigned int epoch,
    const struct kg_ctx *ctx, const struct tinfo *info, const char *body)
{
	struct centry	**b, *e;
	int		  i, v = -1;

	if (t->cache == NULL)
		return;
	/* Build outside the lock. */
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return;
	if ((e->body = strdup(body)) == NULL ||
	    ctx_copy(&e->ctx, ctx) == -1) {
		centry_free(e);
		return;
	}
	memcpy(e->h, h, 32);
	e->info = *info;
	e->epoch = epoch;
	e->gen = gen;
	e->exp_us = ctx->expires_at;
	pthread_mutex_lock(&t->clock);
	b = bucket_of(t, h);
	for (i = 0; i < CACHE_WAYS; i++) {
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
	e->tick = ++t->tick;
	b[v] = e;
	pthread_mutex_unlock(&t->clock);
}

/* ------------------------------------------------------------------------
 * Current state of a token's subject and scope.
 * --------------------------------------------------------------------- */


static void
tstate_free(struct tstate *s)
{
	kg_token_user_free(&s->user);
	free(s->roles);
	memset(s, 0, sizeof(*s));
}

static void
tstate_unscope(struct tstate *s)
{
	free(s->roles);
	s->roles = NULL;
	s->nroles = 0;
	memset(&s->tgt, 0, sizeof(s->tgt));
	s->scope = KG_SCOPE_NONE;
}


/*
 * key = SHA-256 over the NUL-separated parts (NULL -> "\1"), hashed part
 * by part: parts come from the request (names of any length), so they are
 * never copied into a buffer, and no two distinct part lists share a key.
 * Returns 0, or -1 (no key: the caller skips the cache) when the digest
 * cannot be set up.
 */
static int
state_key(unsigned char key[32], const char *const *parts, size_t n)
{
	EVP_MD_CTX	*md;
	const char	*p;
	size_t		 i;
	int		 ret = -1;

	pthread_once(&sha256_once, sha256_init);
	if (sha256_md == NULL || (md = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (!EVP_DigestInit_ex(md, sha256_md, NULL))
		goto fail;
	for (i = 0; i < n; i++) {
		p = parts[i] != NULL ? parts[i] : "\1";
		/* strlen + 1: the terminating NUL separates the parts. */
		if (!EVP_DigestUpdate(md, p, strlen(p) + 1))
			goto fail;
	}
	if (!EVP_DigestFinal_ex(md, key, NULL))
		goto fail;
	ret = 0;
 fail:
	EVP_MD_CTX_free(md);
	return ret;
}

static struct sentry *
state_slot(struct tokens *t, const unsigned char key[32])
{
	uint32_t	v;

	memcpy(&v, key, sizeof(v));
	return &t->scache[v % SCACHE_SLOTS];
}

/* Copy the cached state for key at gen into *out. 1 on a hit. */
static int
state_get(struct tokens *t, int64_t gen, const unsigned char key[32],
    struct tstate *out)
{
	struct sentry	*e;
	int		 hit = 0;

	if (t->scache == NULL)
		return 0;
	pthread_mutex_lock(&t->slock);
	e = state_slot(t, key);
	if (e->gen == gen && memcmp(e->key, key, 32) == 0) {
		*out = e->s;
		out->roles = NULL;
		if (e->s.nroles == 0 || (out->roles = malloc(e->s.nroles *
		    sizeof(*e->s.roles))) != NULL) {
			if (e->s.nroles > 0)
				memcpy(out->roles, e->s.roles, e->s.nroles *
				    sizeof(*e->s.roles));
			hit = 1;
		} else
			memset(out, 0, sizeof(*out));
	}
	pthread_mutex_unlock(&t->slock);
	return hit;
}

/* Remember s (loaded from a snapshot at or after gen) for key. */
static void
state_put(struct tokens *t, int64_t gen, const unsigned char key[32],
    const struct tstate *s)
{
	struct sentry		*e;
	struct kg_role_ref	*roles = NULL;

	if (t->scache == NULL ||
	    (s->nroles > 0 && (roles = malloc(s->nroles * sizeof(*roles))) == NULL))
		return;
	if (s->nroles > 0)
		memcpy(roles, s->roles, s->nroles * sizeof(*roles));
	pthread_mutex_lock(&t->slock);
	e = state_slot(t, key);
	free(e->s.roles);
	memcpy(e->key, key, 32);
	e->gen = gen;
	e->s = *s;
	e->s.user.password_hash = NULL;
	e->s.roles = roles;
	pthread_mutex_unlock(&t->slock);
}

/*
 * A store failure: not-found becomes a refusal (KG_EUNAUTH), anything
 * else stays as it is (KG_EINTERNAL).
 */
static int
refuse_if_missing(struct kg_err *err)
{
	if (err != NULL && err->kind == KG_ENOTFOUND)
		err->kind = KG_EUNAUTH;
	return -1;
}

/* The loaded user and its domain must be enabled. */
static int
check_user(const struct tstate *s, struct kg_err *err)
{
	if (!s->user.enabled)
		return kg_errf(err, KG_EUNAUTH, "User %s is disabled.", s->user.id);
	if (!s->user.domain_enabled)
		return kg_errf(err, KG_EUNAUTH, "Domain %s is disabled.",
		    s->user.domain_id);
	return 0;
}

/* Load the user (by id) and its domain; both must exist and be enabled. */
static int
load_user(struct store *st, const char *user_id, struct tstate *s, struct kg_err *err)
{
	if (store_token_user(st, user_id, NULL, NULL, NULL, &s->user, err) == -1)
		return refuse_if_missing(err);
	return check_user(s, err);
}

/*
 * Check the scope target already in s->tgt (project + its domain, or
 * domain) and load the user's effective roles on it; a scoped token needs
 * at least one role.
 */
static int
check_scope(struct store *st, enum kg_scope_kind kind, struct tstate *s,
    struct kg_err *err)
{
	const char	*target = s->tgt.id;

	s->scope = kind;
	switch (kind) {
	case KG_SCOPE_NONE:
		return 0;
	case KG_SCOPE_PROJECT:
		if (!s->tgt.enabled)
			return kg_errf(err, KG_EUNAUTH, "Project %s is disabled.", target);
		/* FALLTHROUGH */
	case KG_SCOPE_DOMAIN:
		if (!s->tgt.domain_enabled)
			return kg_errf(err, KG_EUNAUTH, "Domain %s is disabled.",
			    s->tgt.domain_id);
		break;
	case KG_SCOPE_SYSTEM:
		target = "system";
		break;
	}
	if (store_effective_roles(st, s->user.id, kind, target, &s->roles,
	    &s->nroles, err) == -1)
		return -1;
	if (s->nroles == 0)
		return kg_errf(err, KG_EUNAUTH, "User %s has no access to %s.",
		    s->user.id, target);
	return 0;
}

/* Load the scope target by id and check it (see check_scope). */
static int
load_scope(struct store *st, enum kg_scope_kind kind, const char *target_id,
    struct tstate *s, struct kg_err *err)
{
	int	rc = 0;

	if (kind == KG_SCOPE_PROJECT)
		rc = store_token_project(st, target_id, NULL, NULL, NULL, &s->tgt, err);
	else if (kind == KG_SCOPE_DOMAIN)
		rc = store_token_domain(st, target_id, NULL, &s->tgt, err);
	if (rc == -1)
		return refuse_if_missing(err);
	return check_scope(st, kind, s, err);
}

/* ------------------------------------------------------------------------
 * Token bodies, claims and contexts.
 * --------------------------------------------------------------------- */

/*
 * Token bodies and claims are written as JSON text directly: they are on
 * the issue path, and building then dumping jansson trees cost more than
 * the ECDSA signature.
 */
struct sbuf {
	char	*p;
	size_t	 len, cap;
	int	 oom;
};

static void
sb_grow(struct sbuf *b, size_t n)
{
	char	*np;
	size_t	 cap;

	if (b->oom || b->len + n + 1 <= b->cap)
		return;
	/* 2 KB holds a token body or claims with a few roles: no realloc. */
	for (cap = b->cap ? b->cap : 2048; cap < b->len + n + 1; cap *= 2)
		;
	if ((np = realloc(b->p, cap)) == NULL) {
		b->oom = 1;
		return;
	}
	b->p = np;
	b->cap = cap;
}

static void
sb_put(struct sbuf *b, const char *s)
{
	size_t	n = strlen(s);

	sb_grow(b, n);
	if (b->oom)
		return;
	memcpy(b->p + b->len, s, n + 1);
	b->len += n;
}

/*
 * A JSON string: quotes, \" \\ and control characters escaped. One scan
 * finds what needs escaping (usually nothing: then one memcpy); the
 * output goes through a local pointer, which the compiler keeps in a
 * register (b->p[b->len++] reloads both fields at every byte).
 */
static void
sb_str(struct sbuf *b, const char *s)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*p = (const unsigned char *)s, *q;
	size_t			 extra = 0, n;
	char			*o;

	for (q = p; *q != '\0'; q++)
		if (*q < 0x20 || *q == '"' || *q == '\\')
			extra += *q < 0x20 ? 5 : 1;
	n = (size_t)(q - p);
	sb_grow(b, n + extra + 2);
	if (b->oom)
		return;
	o = b->p + b->len;
	*o++ = '"';
	if (extra == 0) {
		memcpy(o, p, n);
		o += n;
	} else {
		for (; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\') {
				*o++ = '\\';
				*o++ = (char)*p;
			} else if (*p < 0x20) {
				memcpy(o, "\\u00", 4);
				o[4] = hex[*p >> 4];
				o[5] = hex[*p & 15];
				o += 6;
			} else
				*o++ = (char)*p;
		}
	}
	*o++ = '"';
	*o = '\0';
	b->len = (size_t)(o - b->p);
}

/* A decimal integer (snprintf costs ~10x more). */
static void
sb_int(struct sbuf *b, int64_t v)
{
	char		 buf[24], *e = buf + sizeof(buf) - 1, *d = e;
	uint64_t	 u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	*d = '\0';
	do {
		*--d = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--d = '-';
	sb_put(b, d);
}

/*
 * A time as Keystone writes it. The last two formatted per thread are
 * kept: a token's expiry and issue time repeat from one token to the next
 * (gmtime_r + strftime + snprintf cost more than the rest of the body).
 */
static void
sb_time(struct sbuf *b, int64_t us)
{
	static __thread struct {
		int64_t	us;
		char	text[KG_TIME_LEN];
	}			 last[2];
	static __thread unsigned int next;
	unsigned int		 i;

	for (i = 0; i < 2; i++)
		if (last[i].us == us && last[i].text[0] != '\0')
			break;
	if (i == 2) {
		i = next++ & 1;
		kg_time_fmt(us, last[i].text);
		last[i].us = us;
	}
	sb_str(b, last[i].text);
}

/* {"id":..,"name":..} */
static void
sb_id_name(struct sbuf *b, const char *id, const char *name)
{
	sb_put(b, "{\"id\":");
	sb_str(b, id);
	sb_put(b, ",\"name\":");
	sb_str(b, name);
	sb_put(b, "}");
}

static void
sb_strv(struct sbuf *b, const char *const *v, size_t n)
{
	size_t	i;

	sb_put(b, "[");
	for (i = 0; i < n; i++) {
		if (i > 0)
			sb_put(b, ",");
		sb_str(b, v[i]);
	}
	sb_put(b, "]");
}

static void
sb_roles(struct sbuf *b, const struct tstate *s)
{
	size_t	i;

	sb_put(b, "[");
	for (i = 0; i < s->nroles; i++) {
		if (i > 0)
			sb_put(b, ",");
		sb_id_name(b, s->roles[i].id, s->roles[i].name);
	}
	sb_put(b, "]");
}

/* Text of b, or NULL (and b freed) when out of memory. */
static char *
sb_done(struct sbuf *b)
{
	if (b->oom || b->p == NULL) {
		free(b->p);
		return NULL;
	}
	return b->p;
}

/* A token's method names and audit ids, as strings. */
struct tlists {
	const char	*methods[8];
	size_t		 nmethods;
	const char	*audit[2];
	size_t		 naudit;
};

/* The scope members other than a project (whose shape differs between
 * the token body and the claims): domain, system, or nothing. */
static void
sb_scope_rest(struct sbuf *b, const struct tstate *s)
{
	if (s->scope == KG_SCOPE_DOMAIN) {
		sb_put(b, ",\"domain\":");
		sb_id_name(b, s->tgt.id, s->tgt.name);
	} else if (s->scope == KG_SCOPE_SYSTEM)
		sb_put(b, ",\"system\":{\"all\":true}");
}

/*
 * The token object as Keystone shows it (order as on the wire):
 * methods, user, audit_ids, expires_at, issued_at, then the scope,
 * is_domain (projects) and roles; the catalog is added by the caller.
 * Returns malloc'd JSON text or NULL.
 */
static char *
body_text(const struct tstate *s, const struct tlists *l, int64_t iat_s,
    int64_t exp_s)
{
	struct sbuf	b = { NULL, 0, 0, 0 };

	sb_put(&b, "{\"methods\":");
	sb_strv(&b, l->methods, l->nmethods);
	sb_put(&b, ",\"user\":{\"domain\":");
	sb_id_name(&b, s->user.domain_id, s->user.domain_name);
	sb_put(&b, ",\"id\":");
	sb_str(&b, s->user.id);
	sb_put(&b, ",\"name\":");
	sb_str(&b, s->user.name);
	sb_put(&b, ",\"password_expires_at\":");
	if (s->user.password_expires_at != 0)
		sb_time(&b, s->user.password_expires_at);
	else
		sb_put(&b, "null");
	sb_put(&b, "},\"audit_ids\":");
	sb_strv(&b, l->audit, l->naudit);
	sb_put(&b, ",\"expires_at\":");
	sb_time(&b, exp_s * 1000000);
	sb_put(&b, ",\"issued_at\":");
	sb_time(&b, iat_s * 1000000);
	switch (s->scope) {
	case KG_SCOPE_PROJECT:
		sb_put(&b, ",\"project\":{\"domain\":");
		sb_id_name(&b, s->tgt.domain_id, s->tgt.domain_name);
		sb_put(&b, ",\"id\":");
		sb_str(&b, s->tgt.id);
		sb_put(&b, ",\"name\":");
		sb_str(&b, s->tgt.name);
		sb_put(&b, "},\"is_domain\":false");
		break;
	default:
		sb_scope_rest(&b, s);
		break;
	}
	if (s->scope != KG_SCOPE_NONE) {
		sb_put(&b, ",\"roles\":");
		sb_roles(&b, s);
	}
	sb_put(&b, "}");
	return sb_done(&b);
}

/* The claims auth/jwt.h documents, as JSON text (malloc'd) or NULL. */
static char *
claims_text(const struct tstate *s, const struct tlists *l, int64_t iat_us,
    int64_t exp_s)
{
	struct sbuf	b = { NULL, 0, 0, 0 };

	sb_put(&b, "{\"iss\":\"" TOKEN_ISSUER "\",\"sub\":");
	sb_str(&b, s->user.id);
	sb_put(&b, ",\"iat\":");
	sb_int(&b, iat_us / 1000000);
	sb_put(&b, ",\"exp\":");
	sb_int(&b, exp_s);
	sb_put(&b, ",\"iat_us\":");
	sb_int(&b, iat_us);
	sb_put(&b, ",\"audit_ids\":");
	sb_strv(&b, l->audit, l->naudit);
	sb_put(&b, ",\"methods\":");
	sb_strv(&b, l->methods, l->nmethods);
	sb_put(&b, ",\"user\":{\"id\":");
	sb_str(&b, s->user.id);
	sb_put(&b, ",\"name\":");
	sb_str(&b, s->user.name);
	sb_put(&b, ",\"domain\":");
	sb_id_name(&b, s->user.domain_id, s->user.domain_name);
	sb_put(&b, "}");
	switch (s->scope) {
	case KG_SCOPE_PROJECT:
		sb_put(&b, ",\"project\":{\"id\":");
		sb_str(&b, s->tgt.id);
		sb_put(&b, ",\"name\":");
		sb_str(&b, s->tgt.name);
		sb_put(&b, ",\"domain\":");
		sb_id_name(&b, s->tgt.domain_id, s->tgt.domain_name);
		sb_put(&b, "}");
		break;
	default:
		sb_scope_rest(&b, s);
		break;
	}
	if (s->scope != KG_SCOPE_NONE) {
		sb_put(&b, ",\"roles\":");
		sb_roles(&b, s);
	}
	sb_put(&b, "}");
	return sb_done(&b);
}

/* Fill ctx from the state; ctx owns a copy of the roles. */
static int
build_ctx(const struct tstate *s, const char *audit_id, int64_t exp_s,
    struct kg_ctx *ctx, struct kg_err *err)
{
	memset(ctx, 0, sizeof(*ctx));
	kg_strlcpy(ctx->user_id, s->user.id, sizeof(ctx->user_id));
	kg_strlcpy(ctx->user_domain_id, s->user.domain_id, sizeof(ctx->user_domain_id));
	ctx->scope = s->scope;
	if (s->scope == KG_SCOPE_PROJECT) {
		kg_strlcpy(ctx->project_id, s->tgt.id, sizeof(ctx->project_id));
		kg_strlcpy(ctx->project_domain_id, s->tgt.domain_id,
		    sizeof(ctx->project_domain_id));
	} else if (s->scope == KG_SCOPE_DOMAIN)
		kg_strlcpy(ctx->domain_id, s->tgt.id, sizeof(ctx->domain_id));
	kg_strlcpy(ctx->audit_id, audit_id, sizeof(ctx->audit_id));
	ctx->expires_at = exp_s * 1000000;
	if (s->nroles > 0) {
		if ((ctx->roles = malloc(s->nroles * sizeof(*s->roles))) == NULL)
			return kg_errf(err, KG_EINTERNAL, "out of memory");
		memcpy(ctx->roles, s->roles, s->nroles * sizeof(*s->roles));
		ctx->nroles = s->nroles;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Claims of a verified token.
 * --------------------------------------------------------------------- */

struct tclaims {
	const char		*user_id;
	const char		*user_domain_id;
	enum kg_scope_kind	 scope;
	const char		*target_id;	/* project or domain id */
	const char		*project_domain_id;
	const char		*audit_id;
	const char		*audit_chain_id;	/* "" when none */
	int64_t			 iat_s, exp_s, iat_us;
	json_t			*methods;	/* borrowed */
	json_t			*audit_ids;	/* borrowed */
	struct kg_role_ref	*roles;		/* claimed roles, for role events */
	size_t			 nroles;
};

static const char *
str_at(json_t *o, const char *k1, const char *k2)
{
	json_t	*v = json_object_get(o, k1);

	if (k2 != NULL)
		v = json_object_get(v, k2);
	return json_string_value(v);
}

static int
short_id(const char *s)
{
	return s != NULL && s[0] != '\0' && strlen(s) < STORE_ID_SIZE;
}

/* Check the shape of our claims; -1 when this is not one of our tokens. */
static int
claims_parse(json_t *c, struct tclaims *tc)
{
	json_t		*v, *r;
	const char	*s;
	size_t		 i, n = 0;

	memset(tc, 0, sizeof(*tc));
	if ((s = str_at(c, "iss", NULL)) == NULL || strcmp(s, TOKEN_ISSUER) != 0)
		return -1;
	tc->user_id = str_at(c, "sub", NULL);
	s = str_at(c, "user", "id");
	tc->user_domain_id = json_string_value(json_object_get(json_object_get(
	    json_object_get(c, "user"), "domain"), "id"));
	if (!short_id(tc->user_id) || s == NULL || strcmp(s, tc->user_id) != 0 ||
	    !short_id(tc->user_domain_id))
		return -1;
	if (!json_is_integer(json_object_get(c, "iat")) ||
	    !json_is_integer(json_object_get(c, "exp")) ||
	    !json_is_integer(json_object_get(c, "iat_us")))
		return -1;
	tc->iat_s = json_integer_value(json_object_get(c, "iat"));
	tc->exp_s = json_integer_value(json_object_get(c, "exp"));
	tc->iat_us = json_integer_value(json_object_get(c, "iat_us"));
	if (tc->exp_s <= 0 || tc->exp_s > 100000000000LL || tc->iat_us <= 0)
		return -1;
	tc->audit_ids = json_object_get(c, "audit_ids");
	if (!json_is_array(tc->audit_ids) || json_array_size(tc->audit_ids) < 1 ||
	    json_array_size(tc->audit_ids) > 2)
		return -1;
	json_array_foreach(tc->audit_ids, i, v)
		if ((s = json_string_value(v)) == NULL || s[0] == '\0' || strlen(s) >= 32)
			return -1;
	tc->audit_id = json_string_value(json_array_get(tc->audit_ids, 0));
	tc->audit_chain_id = json_array_size(tc->audit_ids) == 2 ?
	    json_string_value(json_array_get(tc->audit_ids, 1)) : "";
	tc->methods = json_object_get(c, "methods");
	if (!json_is_array(tc->methods) || json_array_size(tc->methods) == 0)
		return -1;
	json_array_foreach(tc->methods, i, v)
		if (!json_is_string(v))
			return -1;
	if ((v = json_object_get(c, "project")) != NULL) {
		tc->scope = KG_SCOPE_PROJECT;
		tc->target_id = str_at(v, "id", NULL);
		tc->project_domain_id = str_at(v, "domain", "id");
		n++;
	}
	if ((v = json_object_get(c, "domain")) != NULL) {
		tc->scope = KG_SCOPE_DOMAIN;
		tc->target_id = str_at(v, "id", NULL);
		n++;
	}
	if ((v = json_object_get(c, "system")) != NULL) {
		if (!json_is_true(json_object_get(v, "all")))
			return -1;
		tc->scope = KG_SCOPE_SYSTEM;
		tc->target_id = "system";
		n++;
	}
	if (n > 1 || (n == 1 && !short_id(tc->target_id)))
		return -1;
	if (tc->scope == KG_SCOPE_PROJECT && !short_id(tc->project_domain_id))
		return -1;
	r = json_object_get(c, "roles");
	if (r != NULL && !json_is_array(r))
		return -1;
	if ((tc->nroles = json_array_size(r)) > 0) {
		if ((tc->roles = calloc(tc->nroles, sizeof(*tc->roles))) == NULL)
			return -1;
		json_array_foreach(r, i, v) {
			if (!short_id(s = str_at(v, "id", NULL)))
				return -1;
			kg_strlcpy(tc->roles[i].id, s, sizeof(tc->roles[i].id));
		}
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Validation.
 * --------------------------------------------------------------------- */

static int
unrecognized(struct kg_err *err)
{
	return kg_errf(err, KG_ENOTFOUND, TOKEN_MSG_UNRECOGNIZED);
}

/* A refusal of a recognized token; KG_EINTERNAL passes through. */
static int
invalid(struct kg_err *err, const char *why)
{
	if (err != NULL && err->kind == KG_EINTERNAL)
		return -1;
	log_debug("token refused: %s", why);	/* why may be err->msg */
	return kg_errf(err, KG_ENOTFOUND, TOKEN_MSG_INVALID);
}

/* The token method's view of claims tc. */
static void
tinfo_from(const struct tclaims *tc, struct tinfo *info)
{
	json_t	*v;
	size_t	 i, n = 0, l;

	kg_strlcpy(info->chain, tc->audit_chain_id[0] ? tc->audit_chain_id :
	    tc->audit_id, sizeof(info->chain));
	info->methods[0] = '\0';
	json_array_foreach(tc->methods, i, v) {
		l = strlen(json_string_value(v));
		if (n + l + 2 > sizeof(info->methods))
			break;
		if (n > 0)
			info->methods[n++] = ',';
		memcpy(info->methods + n, json_string_value(v), l + 1);
		n += l;
	}
}

/*
 * The validation proper, at store generation gen: fills *ctx, *info when
 * not NULL and, when body is not NULL, *body with the token object as JSON
 * text (malloc'd).
 */
static int
validate(struct tokens *t, struct store *st, const char *token, int allow_expired,
    int64_t gen, struct kg_ctx *ctx, struct tinfo *info, char **body,
    struct kg_err *err)
{
	struct keyring		*ring;
	struct tclaims		 tc;
	struct tstate		 s;
	struct tinfo		 ti;
	struct kg_revoke_target	 rt;
	struct tlists		 tl;
	json_t			*claims = NULL, *v;
	char			*b = NULL;
	unsigned char		 h[32], skey[32];
	int64_t			 now = kg_now_us();
	size_t			 len, i;
	int			 revoked, ret = -1, cacheable, tx = 0, keyed = 0;

	memset(ctx, 0, sizeof(*ctx));
	memset(&s, 0, sizeof(s));
	memset(&tc, 0, sizeof(tc));
	if (body != NULL)
		*body = NULL;
	if (token == NULL || (len = strlen(token)) == 0)
		return unrecognized(err);
	hash(token, len, h);
	ring = ring_get(t);
	if (cache_get(t, h, gen, now, ring->epoch, ctx, info, body)) {
		ring_put(t, ring);
		return 0;
	}

	if ((claims = jwt_verify(&ring->ks, token, len, err)) == NULL ||
	    claims_parse(claims, &tc) == -1) {
		unrecognized(err);
		goto done;
	}
	cacheable = now < tc.exp_s * 1000000;
	if (!cacheable && (!allow_expired ||
	    now >= (tc.exp_s + t->cfg.allow_expired_window) * 1000000)) {
		invalid(err, "expired");
		goto done;
	}
	/* One snapshot and one lock for the look-ups below. */
	if ((tx = store_read_begin(st, err)) == -1)
		goto done;
	memset(&rt, 0, sizeof(rt));
	rt.user_id = tc.user_id;
	rt.user_domain_id = tc.user_domain_id;
	rt.project_id = tc.scope == KG_SCOPE_PROJECT ? tc.target_id : "";
	rt.project_domain_id = tc.scope == KG_SCOPE_PROJECT ? tc.project_domain_id : "";
	rt.domain_id = tc.scope == KG_SCOPE_DOMAIN ? tc.target_id : "";
	rt.audit_id = tc.audit_id;
	rt.audit_chain_id = tc.audit_chain_id;
	rt.roles = tc.roles;
	rt.nroles = tc.nroles;
	rt.issued_at = tc.iat_us;
	rt.expires_at = tc.exp_s * 1000000;
	if (store_revoke_check(st, &rt, &revoked, err) == -1)
		goto done;
	if (revoked) {
		invalid(err, "revoked");
		goto done;
	}
	{
		char		 kind[2] = { (char)('0' + tc.scope), '\0' };
		const char	*parts[4] = { "v", tc.user_id, kind, tc.target_id };

		keyed = state_key(skey, parts, 4) == 0;
	}
	if (!keyed || !state_get(t, gen, skey, &s)) {
		if (load_user(st, tc.user_id, &s, err) == -1 ||
		    load_scope(st, tc.scope, tc.target_id, &s, err) == -1) {
			invalid(err, err ? err->msg : "state");
			goto done;
		}
		if (keyed)
			state_put(t, gen, skey, &s);
	}
	if (strcmp(s.user.domain_id, tc.user_domain_id) != 0 ||
	    (tc.scope == KG_SCOPE_PROJECT &&
	    strcmp(s.tgt.domain_id, tc.project_domain_id) != 0)) {
		invalid(err, "domain moved");
		goto done;
	}
	tinfo_from(&tc, &ti);
	memset(&tl, 0, sizeof(tl));
	json_array_foreach(tc.methods, i, v)
		if (tl.nmethods < sizeof(tl.methods) / sizeof(tl.methods[0]))
			tl.methods[tl.nmethods++] = json_string_value(v);
	tl.audit[tl.naudit++] = tc.audit_id;
	if (tc.audit_chain_id[0] != '\0')
		tl.audit[tl.naudit++] = tc.audit_chain_id;
	if ((b = body_text(&s, &tl, tc.iat_s, tc.exp_s)) == NULL ||
	    build_ctx(&s, tc.audit_id, tc.exp_s, ctx, err) == -1) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		goto done;
	}
	if (cacheable)
		cache_put(t, h, gen, ring->epoch, ctx, &ti, b);
	if (body != NULL) {
		*body = b;
		b = NULL;
	}
	if (info != NULL)
		*info = ti;
	ret = 0;
 done:
	store_read_end(st, tx);
	ring_put(t, ring);
	free(b);
	json_decref(claims);
	free(tc.roles);
	tstate_free(&s);
	return ret;
}

/* Read the generation first: a change after this point makes what we
 * cache stale rather than wrongly current. */
static int
read_gen(struct store *st, int64_t *gen, struct kg_err *err)
{
	if ((*gen = store_generation(st)) == -1)
		return kg_errf(err, KG_EINTERNAL, "cannot read the store generation");
	return 0;
}

int
tokens_validate(struct tokens *t, struct store *st, const char *token,
    int allow_expired, struct kg_ctx *ctx, json_t **body, struct kg_err *err)
{
	char	*text = NULL;
	int64_t	 gen;

	memset(ctx, 0, sizeof(*ctx));
	if (body != NULL)
		*body = NULL;
	if (read_gen(st, &gen, err) == -1 ||
	    validate(t, st, token, allow_expired, gen, ctx, NULL, body ? &text : NULL,
	    err) == -1)
		return -1;
	if (body != NULL) {
		*body = json_loads(text, 0, NULL);
		free(text);
		if (*body == NULL) {
			kg_ctx_free(ctx);
			return kg_errf(err, KG_EINTERNAL, "out of memory");
		}
	}
	return 0;
}

static char	*catalog_text(struct tokens *t, struct store *st, int64_t gen,
		    struct kg_err *err);

/* {"token": <body without its closing brace>[,"catalog":<cat>]}} */
static char *
compose(const char *body, const char *cat)
{
	size_t	 bl = strlen(body), cl = cat ? strlen(cat) : 0, n;
	char	*r;

	if (bl < 2 || body[bl - 1] != '}' ||
	    (r = malloc(9 + bl + (cat ? 11 + cl : 0) + 3)) == NULL)
		return NULL;
	memcpy(r, "{\"token\":", 9);
	memcpy(r + 9, body, bl - 1);
	n = 9 + bl - 1;
	if (cat != NULL) {
		memcpy(r + n, ",\"catalog\":", 11);
		memcpy(r + n + 11, cat, cl);
		n += 11 + cl;
	}
	memcpy(r + n, "}}", 3);
	return r;
}

/*
 * compose() with the catalog when with_catalog: copied straight from the
 * cache under its lock when it is current, not duplicated first.
 */
static char *
reply_text(struct tokens *t, struct store *st, int64_t gen, const char *body,
    int with_catalog, struct kg_err *err)
{
	char	*r = NULL, *cat;
	int	 hit = 0;

	if (!with_catalog)
		r = compose(body, NULL);
	else {
		pthread_mutex_lock(&t->catlock);
		if (t->catalog != NULL && t->cat_gen == gen) {
			hit = 1;
			r = compose(body, t->catalog);
		}
		pthread_mutex_unlock(&t->catlock);
		if (!hit) {
			if ((cat = catalog_text(t, st, gen, err)) == NULL)
				return NULL;
			r = compose(body, cat);
			free(cat);
		}
	}
	if (r == NULL)
		kg_errf(err, KG_EINTERNAL, "out of memory");
	return r;
}

int
tokens_validate_reply(struct tokens *t, struct store *st, const char *token,
    int allow_expired, int with_catalog, const char *caller, struct kg_ctx *ctx,
    char **reply, struct kg_err *err)
{
	char	*body = NULL;
	int64_t	 gen;

	*reply = NULL;
	memset(ctx, 0, sizeof(*ctx));
	if (caller != NULL && req_gen.t == t && req_gen.token == caller)
		gen = req_gen.gen;	/* this request's snapshot */
	else if (read_gen(st, &gen, err) == -1)
		return -1;
	req_gen.t = NULL;
	if (validate(t, st, token, allow_expired, gen, ctx, NULL, &body, err) == -1)
		return -1;
	*reply = reply_text(t, st, gen, body, with_catalog &&
	    ctx->scope != KG_SCOPE_NONE, err);
	free(body);
	if (*reply == NULL) {
		kg_ctx_free(ctx);
		return -1;
	}
	return 0;
}

int
tokens_authenticate(struct tokens *t, struct store *st, const char *token,
    struct kg_ctx *ctx, struct kg_err *err)
{
	int64_t	gen;

	req_gen.t = NULL;
	memset(ctx, 0, sizeof(*ctx));
	if (read_gen(st, &gen, err) == -1)
		return -1;
	if (validate(t, st, token, 0, gen, ctx, NULL, NULL, err) == 0) {
		req_gen.t = t;
		req_gen.token = token;
		req_gen.gen = gen;
		return 0;
	}
	if (err != NULL && err->kind == KG_EINTERNAL)
		return -1;
	return kg_errf(err, KG_EUNAUTH, "The request you have made requires "
	    "authentication.");
}

/* ------------------------------------------------------------------------
 * Issuing.
 * --------------------------------------------------------------------- */

/*
 * Random bytes for audit ids come from a per-thread pool refilled
 * AUDIT_POOL bytes at a time: each RAND_bytes call costs a getpid()
 * syscall and a DRBG round (~5% of a token-method issue). Audit ids are
 * public (every token body shows them), so the pool holds nothing secret;
 * a forked child empties its copy (pthread_atfork) so it cannot repeat
 * its parent's ids.
 */
#define AUDIT_POOL	512

static __thread unsigned char	 apool[AUDIT_POOL];
static __thread size_t		 apool_left;
static pthread_once_t		 apool_once = PTHREAD_ONCE_INIT;

static void
apool_forked(void)
{
	/* The child has one thread: the one that forked, running this. */
	kg_wipe(apool, sizeof(apool));
	apool_left = 0;
}

static void
apool_init(void)
{
	pthread_atfork(NULL, NULL, apool_forked);
}

/* A Keystone-style audit id: 16 random bytes, base64url (22 chars). */
static int
new_audit_id(char out[AUDIT_BUF])
{
	unsigned char	*b;

	pthread_once(&apool_once, apool_init);
	if (apool_left < 16) {
		if (kg_random(apool, sizeof(apool)) == -1)
			return -1;
		apool_left = sizeof(apool);
	}
	b = apool + sizeof(apool) - apool_left;
	apool_left -= 16;
	if (kg_b64url_encode(b, 16, out, AUDIT_BUF) != AUDIT_LEN)
		return -1;
	memset(b, 0, 16);		/* never handed out twice */
	return 0;
}

static int
has_method(const struct token_auth *a, const char *m)
{
	size_t	i;

	for (i = 0; i < a->nmethods; i++)
		if (strcmp(a->methods[i], m) == 0)
			return 1;
	return 0;
}

static int
unauthorized(struct kg_err *err, const char *why)
{
	char	buf[sizeof(err->msg)];

	/* The reason is for the log only: 401 bodies carry Keystone's text. */
	kg_strlcpy(buf, why, sizeof(buf));
	log_info("authentication refused: %s", buf);
	return kg_errf(err, KG_EUNAUTH, "%s", buf);
}

/* Password method: the user and its domain are loaded into s. */
static int
auth_password(struct store *st, const struct token_auth *a, struct tstate *s,
    struct kg_err *err)
{
	if (store_token_user(st, a->user_id, a->user_name, a->user_domain_id,
	    a->user_domain_name, &s->user, err) == -1) {
		if (err != NULL && err->kind == KG_ENOTFOUND)
			return unauthorized(err, "unknown user or domain");
		return -1;
	}
	if (!password_verify(a->password ? a->password : "", s->user.password_hash))
		return unauthorized(err, "invalid password");
	if (check_user(s, err) == -1)
		return unauthorized(err, "user or its domain disabled");
	if (s->user.password_expires_at != 0 &&
	    kg_now_us() >= s->user.password_expires_at)
		return unauthorized(err, "password expired");
	return 0;
}

/* Resolve the requested scope into s->tgt and check it (roles included). */
static int
resolve_scope(struct store *st, const struct token_auth *a, struct tstate *s,
    struct kg_err *err)
{
	int	rc = 0;

	if (a->scope == KG_SCOPE_PROJECT)
		rc = store_token_project(st, a->project_id, a->project_name,
		    a->project_domain_id, a->project_domain_name, &s->tgt, err);
	else if (a->scope == KG_SCOPE_DOMAIN)
		rc = store_token_domain(st, a->domain_id, a->domain_name, &s->tgt, err);
	if (rc == -1)
		return refuse_if_missing(err);
	return check_scope(st, a->scope, s, err);
}

/*
 * The user (password method, or user_id from the token method) and the
 * scope (requested, else the user's default project when usable) into s.
 */
static int
load_state(struct store *st, const struct token_auth *a, int pw,
    const char *user_id, struct tstate *s, struct kg_err *err)
{
	if (pw) {
		if (auth_password(st, a, s, err) == -1)
			return -1;
		if (user_id != NULL && strcmp(s->user.id, user_id) != 0)
			return unauthorized(err, "methods disagree on the user");
	} else if (load_user(st, user_id, s, err) == -1)
		return unauthorized(err, "token method: user gone or disabled");

	if (a->scope != KG_SCOPE_NONE) {
		if (resolve_scope(st, a, s, err) == -1) {
			if (err == NULL || err->kind != KG_EINTERNAL)
				unauthorized(err, err ? err->msg : "scope");
			return -1;
		}
	} else if (!a->explicit_unscoped && s->user.default_project_id[0] != '\0') {
		if (load_scope(st, KG_SCOPE_PROJECT, s->user.default_project_id, s,
		    err) == -1) {
			if (err != NULL && err->kind == KG_EINTERNAL)
				return -1;
			/* As Keystone: fall back to an unscoped token. */
			log_info("default project %s of user %s unusable: unscoped token",
			    s->user.default_project_id, s->user.id);
			tstate_unscope(s);
			kg_err_clear(err);
		}
	}
	return 0;
}

int
tokens_issue(struct tokens *t, struct store *st, const struct token_auth *a,
    int with_catalog, char **token, char **reply, struct kg_ctx *ctx,
    struct kg_err *err)
{
	struct keyring	*ring = NULL;
	struct tstate	 s;
	struct tinfo	 oi;
	struct kg_ctx	 orig;
	struct tlists	 tl;
	char		*claims = NULL, *body = NULL, aid[AUDIT_BUF];
	char		*m, *save = NULL;
	unsigned char	 skey[32];
	int64_t		 gen, iat_us, exp_s;
	size_t		 i, j;
	int		 ret = -1, pw, tk, tx = 0, cached = 0, keyed = 0;

	*token = NULL;
	*reply = NULL;
	memset(&s, 0, sizeof(s));
	memset(&orig, 0, sizeof(orig));
	if (ctx != NULL)
		memset(ctx, 0, sizeof(*ctx));
	pw = has_method(a, "password");
	tk = has_method(a, "token");
	for (i = 0; i < a->nmethods; i++)
		if (strcmp(a->methods[i], "password") != 0 &&
		    strcmp(a->methods[i], "token") != 0)
			return kg_errf(err, KG_EUNAUTH,
			    "Attempted to authenticate with an unsupported method.");
	if (!pw && !tk)
		return kg_errf(err, KG_EUNAUTH, "no authentication method");

	if (read_gen(st, &gen, err) == -1)
		return -1;
	memset(&tl, 0, sizeof(tl));
	for (i = 0; i < a->nmethods && i < 4; i++)
		tl.methods[tl.nmethods++] = a->methods[i];
	if (tk) {
		/* As Keystone: a bad token is refused as validation refuses it,
		 * 404 "Could not recognize token" / "Failed to validate token". */
		if (validate(t, st, a->token_id, 0, gen, &orig, &oi, NULL, err) == -1)
			goto done;
		/* Keystone's token plugin: no project or domain token from a
		 * system-scoped one (ForbiddenAction, 403). */
		if (orig.scope == KG_SCOPE_SYSTEM && (a->scope == KG_SCOPE_PROJECT ||
		    a->scope == KG_SCOPE_DOMAIN)) {
			kg_errf(err, KG_EFORBID, "You are not authorized to perform the "
			    "requested action: Using a system-scoped token to create a "
			    "project-scoped or domain-scoped token is not allowed.");
			goto done;
		}
		/* Keystone keeps the original's expiry and audit chain and
		 * adds its methods. */
		for (m = strtok_r(oi.methods, ",", &save); m != NULL &&
		    tl.nmethods < sizeof(tl.methods) / sizeof(tl.methods[0]);
		    m = strtok_r(NULL, ",", &save)) {
			for (j = 0; j < tl.nmethods; j++)
				if (strcmp(tl.methods[j], m) == 0)
					break;
			if (j == tl.nmethods)
				tl.methods[tl.nmethods++] = m;	/* points into oi */
		}
	}
	/* The token method alone: the user and scope may be cached. */
	if (tk && !pw) {
		char		 kind[3] = { (char)('0' + a->scope),
				    (char)('0' + a->explicit_unscoped), '\0' };
		const char	*parts[9] = { "i", orig.user_id, kind, a->project_id,
				    a->project_name, a->project_domain_id,
				    a->project_domain_name, a->domain_id, a->domain_name };

		keyed = state_key(skey, parts, 9) == 0;
		cached = keyed && state_get(t, gen, skey, &s);
	}
	if (!cached) {
		/* One read transaction: one lock, one snapshot. */
		if ((tx = store_read_begin(st, err)) == -1)
			goto done;
		if (load_state(st, a, pw, tk ? orig.user_id : NULL, &s, err) == -1)
			goto done;
		store_read_end(st, tx);
		tx = 0;
		if (keyed)
			state_put(t, gen, skey, &s);
	}

	if (new_audit_id(aid) == -1) {
		kg_errf(err, KG_EINTERNAL, "random source failed");
		goto done;
	}
	tl.audit[tl.naudit++] = aid;
	if (tk)
		tl.audit[tl.naudit++] = oi.chain;
	iat_us = kg_now_us();
	exp_s = tk ? orig.expires_at / 1000000 : iat_us / 1000000 + t->cfg.expiration;
	ring = ring_get(t);
	if ((claims = claims_text(&s, &tl, iat_us, exp_s)) == NULL ||
	    (*token = jwt_sign_text(ring->primary, claims, strlen(claims),
	    err)) == NULL) {
		kg_errf(err, KG_EINTERNAL, "cannot sign the token");
		goto done;
	}
	/*
	 * Not cached here: an entry costs ~2 KB for a token that may never be
	 * validated (token-method clients mint many); the first validation
	 * pays one signature check instead.
	 */
	if ((body = body_text(&s, &tl, iat_us / 1000000, exp_s)) == NULL ||
	    (ctx != NULL && build_ctx(&s, aid, exp_s, ctx, err) == -1)) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		goto done;
	}
	if ((*reply = reply_text(t, st, gen, body, with_catalog &&
	    s.scope != KG_SCOPE_NONE, err)) == NULL)
		goto done;
	ret = 0;
 done:
	store_read_end(st, tx);
	if (ret == -1) {
		if (*token != NULL) {
			kg_wipe(*token, strlen(*token));
			free(*token);
			*token = NULL;
		}
		free(*reply);
		*reply = NULL;
		if (ctx != NULL)
			kg_ctx_free(ctx);
	}
	if (ring != NULL)
		ring_put(t, ring);
	kg_ctx_free(&orig);
	free(claims);
	free(body);
	tstate_free(&s);
	return ret;
}

/* ------------------------------------------------------------------------
 * Revocation, catalog, pruning.
 * --------------------------------------------------------------------- */

int
tokens_revoke(struct tokens *t, struct store *st, const struct kg_ctx *subject,
    struct kg_err *err)
{
	struct kg_revoke_event	ev;

	memset(&ev, 0, sizeof(ev));
	kg_strlcpy(ev.audit_id, subject->audit_id, sizeof(ev.audit_id));
	ev.issued_before = ev.revoked_at = kg_now_us();
	if (store_revoke_add(st, &ev, err) == -1)
		return -1;
	tokens_prune(t, st);
	return 0;
}

static json_t *
catalog_build(const struct kg_catalog *c)
{
	json_t			*cat = json_array(), *eps, *e;
	const struct kg_endpoint *ep;
	size_t			 i, j;

	for (i = 0; i < c->nservices; i++) {
		eps = json_array();
		for (j = 0; j < c->neps[i]; j++) {
			ep = &c->eps[i][j];
			e = json_pack("{s:s, s:s}", "id", ep->id, "interface", ep->interface);
			json_object_set_new(e, "region_id", ep->region_id[0] ?
			    json_string(ep->region_id) : json_null());
			json_object_set_new(e, "url", json_string(ep->url ? ep->url : ""));
			json_object_set_new(e, "region", ep->region_id[0] ?
			    json_string(ep->region_id) : json_null());
			json_array_append_new(eps, e);
		}
		json_array_append_new(cat, json_pack("{s:o, s:s, s:s, s:s}", "endpoints",
		    eps, "id", c->services[i].id, "type", c->services[i].type,
		    "name", c->services[i].name));
	}
	return cat;
}

/* The catalog as JSON text (malloc'd), rebuilt when gen moves on. */
static char *
catalog_text(struct tokens *t, struct store *st, int64_t gen, struct kg_err *err)
{
	struct kg_catalog	 c;
	json_t			*cat;
	char			*text = NULL;

	pthread_mutex_lock(&t->catlock);
	if (t->catalog != NULL && t->cat_gen == gen)
		text = strdup(t->catalog);
	pthread_mutex_unlock(&t->catlock);
	if (text != NULL)
		return text;
	if (store_catalog_get(st, &c, err) == -1)
		return NULL;
	cat = catalog_build(&c);
	store_catalog_free(&c);
	if (cat == NULL || (text = json_dumps(cat, JSON_COMPACT)) == NULL) {
		json_decref(cat);
		kg_errf(err, KG_EINTERNAL, "out of memory");
		return NULL;
	}
	json_decref(cat);
	pthread_mutex_lock(&t->catlock);
	free(t->catalog);
	t->catalog = strdup(text);
	t->cat_gen = gen;
	pthread_mutex_unlock(&t->catlock);
	return text;
}

json_t *
tokens_catalog(struct tokens *t, struct store *st, struct kg_err *err)
{
	json_t	*cat;
	char	*text;
	int64_t	 gen;

	if (read_gen(st, &gen, err) == -1 ||
	    (text = catalog_text(t, st, gen, err)) == NULL)
		return NULL;
	cat = json_loads(text, 0, NULL);
	free(text);
	if (cat == NULL)
		kg_errf(err, KG_EINTERNAL, "out of memory");
	return cat;
}

void
tokens_prune(struct tokens *t, struct store *st)
{
	struct kg_err	err = { 0 };
	int64_t		now = kg_now_us(), cutoff;
	int		n, due;

	pthread_mutex_lock(&t->prunelock);
	due = now - t->last_prune >= PRUNE_EVERY_US;
	if (due)
		t->last_prune = now;
	pthread_mutex_unlock(&t->prunelock);
	if (!due)
		return;
	/* No token issued before the cutoff can still validate, even with
	 * allow_expired (token-method tokens keep their original expiry). */
	cutoff = now - (t->cfg.expiration + t->cfg.allow_expired_window) * 1000000LL;
	if ((n = store_revoke_prune(st, cutoff, &err)) == -1)
		log_warn("%s: %s", __func__, err.msg);
	else if (n > 0)
		log_info("%s: %d revocation events pruned", __func__, n);
}
