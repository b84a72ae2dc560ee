/*
 * token.c - issuing, validating and revoking keygate tokens (see token.h):
 * ES256 JWTs signed with the primary key of the key repository, checked
 * against every loaded key, then against revocation events and the
 * current state of the store. Results are cached by SHA-256 of the token.
 */
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

#define TOKEN_ISSUER	"keygate"
#define CACHE_WAYS	4		/* entries per bucket */
#define AUDIT_LEN	22		/* base64url of 16 random bytes */
#define AUDIT_BUF	32		/* the encoder wants 4*ceil(n/3)+1 */
#define PRUNE_EVERY_US	(60 * 1000000LL)

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

/* One cached validation. */
struct centry {
	unsigned char	 h[32];		/* SHA-256 of the token */
	int		 used;
	unsigned int	 epoch;		/* keyring it was verified with */
	int64_t		 gen;		/* store generation it was checked at */
	int64_t		 exp_us;	/* token expiry */
	uint64_t	 tick;		/* last use, for eviction */
	struct kg_ctx	 ctx;		/* roles owned by the entry */
	json_t		*body;		/* token object; never modified once cached */
};

struct tokens {
	struct token_cfg	 cfg;
	char			*key_dir;
	pthread_mutex_t		 lock;		/* ring swaps and refcounts */
	struct keyring		*ring;
	unsigned int		 next_epoch;

	pthread_mutex_t		 clock;		/* the cache */
	struct centry		*cache;		/* nbuckets * CACHE_WAYS */
	size_t			 nbuckets;
	uint64_t		 tick;
	unsigned long		 hits, misses;

	pthread_mutex_t		 catlock;	/* catalog cache */
	int64_t			 cat_gen;
	json_t			*catalog;

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
	if (cfg->cache_size > 0) {
		t->nbuckets = ((size_t)cfg->cache_size + CACHE_WAYS - 1) / CACHE_WAYS;
		if ((t->cache = calloc(t->nbuckets * CACHE_WAYS, sizeof(*t->cache))) == NULL) {
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
centry_clear(struct centry *e)
{
	kg_ctx_free(&e->ctx);
	json_decref(e->body);
	memset(e, 0, sizeof(*e));
}

void
tokens_cache_clear(struct tokens *t)
{
	size_t	i;

	pthread_mutex_lock(&t->clock);
	for (i = 0; t->cache != NULL && i < t->nbuckets * CACHE_WAYS; i++)
		centry_clear(&t->cache[i]);
	pthread_mutex_unlock(&t->clock);
}

void
tokens_close(struct tokens *t)
{
	if (t == NULL)
		return;
	tokens_cache_clear(t);
	free(t->cache);
	if (t->ring != NULL)
		ring_put(t, t->ring);
	json_decref(t->catalog);
	pthread_mutex_destroy(&t->lock);
	pthread_mutex_destroy(&t->clock);
	pthread_mutex_destroy(&t->catlock);
	pthread_mutex_destroy(&t->prunelock);
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

static struct centry *
bucket_of(struct tokens *t, const unsigned char h[32])
{
	uint64_t	v;

	memcpy(&v, h, sizeof(v));
	return &t->cache[(v % t->nbuckets) * CACHE_WAYS];
}

/*
 * Look h up; on a usable hit copy the context into *ctx and, when body is
 * not NULL, take a reference on the cached body into *body. 1 on a hit.
 */
static int
cache_get(struct tokens *t, const unsigned char h[32], int64_t gen, int64_t now,
    unsigned int epoch, struct kg_ctx *ctx, json_t **body)
{
	struct centry	*b;
	int		 i, hit = 0;

	if (t->cache == NULL)
		return 0;
	pthread_mutex_lock(&t->clock);
	b = bucket_of(t, h);
	for (i = 0; i < CACHE_WAYS; i++) {
		if (!b[i].used || memcmp(b[i].h, h, 32) != 0)
			continue;
		if (b[i].gen != gen || b[i].epoch != epoch || now >= b[i].exp_us) {
			centry_clear(&b[i]);
			break;
		}
		if (ctx_copy(ctx, &b[i].ctx) == -1)
			break;
		if (body != NULL)
			*body = json_incref(b[i].body);
		b[i].tick = ++t->tick;
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

/* Insert (h -> ctx, body); takes a reference on body, copies ctx. */
static void
cache_put(struct tokens *t, const unsigned char h[32], int64_t gen, unsigned int epoch,
    const struct kg_ctx *ctx, json_t *body)
{
	struct centry	*b, *victim = NULL;
	int		 i;

	if (t->cache == NULL)
		return;
	pthread_mutex_lock(&t->clock);
	b = bucket_of(t, h);
	for (i = 0; i < CACHE_WAYS; i++) {
		if (b[i].used && memcmp(b[i].h, h, 32) == 0) {
			victim = &b[i];
			break;
		}
		if (!b[i].used) {
			if (victim == NULL || victim->used)
				victim = &b[i];
		} else if (victim == NULL || (victim->used && b[i].tick < victim->tick))
			victim = &b[i];
	}
	centry_clear(victim);
	if (ctx_copy(&victim->ctx, ctx) == 0) {
		memcpy(victim->h, h, 32);
		victim->used = 1;
		victim->epoch = epoch;
		victim->gen = gen;
		victim->exp_us = ctx->expires_at;
		victim->tick = ++t->tick;
		victim->body = json_incref(body);
	}
	pthread_mutex_unlock(&t->clock);
}

/* ------------------------------------------------------------------------
 * Current state of a token's subject and scope.
 * --------------------------------------------------------------------- */

struct tstate {
	struct kg_user		 user;
	struct kg_domain	 udom;		/* the user's domain */
	enum kg_scope_kind	 scope;
	struct kg_project	 proj;		/* project scope */
	struct kg_domain	 pdom;		/* the project's domain */
	struct kg_domain	 dom;		/* domain scope */
	struct kg_role_ref	*roles;
	size_t			 nroles;
};

static void
tstate_free(struct tstate *s)
{
	kg_user_free(&s->user);
	kg_domain_free(&s->udom);
	kg_project_free(&s->proj);
	kg_domain_free(&s->pdom);
	kg_domain_free(&s->dom);
	free(s->roles);
	memset(s, 0, sizeof(*s));
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

/* Load the user and its domain; both must exist and be enabled. */
static int
load_user(struct store *st, const char *user_id, struct tstate *s, struct kg_err *err)
{
	if (store_user_get(st, user_id, &s->user, err) == -1)
		return refuse_if_missing(err);
	if (!s->user.enabled)
		return kg_errf(err, KG_EUNAUTH, "User %s is disabled.", user_id);
	if (store_domain_get(st, s->user.domain_id, &s->udom, err) == -1)
		return refuse_if_missing(err);
	if (!s->udom.enabled)
		return kg_errf(err, KG_EUNAUTH, "Domain %s is disabled.", s->udom.id);
	return 0;
}

/*
 * Load the scope target (project + its domain, or domain) and the user's
 * effective roles on it; a scoped token needs at least one role.
 */
static int
load_scope(struct store *st, enum kg_scope_kind kind, const char *target_id,
    struct tstate *s, struct kg_err *err)
{
	s->scope = kind;
	switch (kind) {
	case KG_SCOPE_NONE:
		return 0;
	case KG_SCOPE_PROJECT:
		if (store_project_get(st, target_id, &s->proj, err) == -1)
			return refuse_if_missing(err);
		if (!s->proj.enabled)
			return kg_errf(err, KG_EUNAUTH, "Project %s is disabled.", target_id);
		if (store_domain_get(st, s->proj.domain_id, &s->pdom, err) == -1)
			return refuse_if_missing(err);
		if (!s->pdom.enabled)
			return kg_errf(err, KG_EUNAUTH, "Domain %s is disabled.", s->pdom.id);
		break;
	case KG_SCOPE_DOMAIN:
		if (store_domain_get(st, target_id, &s->dom, err) == -1)
			return refuse_if_missing(err);
		if (!s->dom.enabled)
			return kg_errf(err, KG_EUNAUTH, "Domain %s is disabled.", target_id);
		break;
	case KG_SCOPE_SYSTEM:
		target_id = "system";
		break;
	}
	if (store_effective_roles(st, s->user.id, kind, target_id, &s->roles,
	    &s->nroles, err) == -1)
		return -1;
	if (s->nroles == 0)
		return kg_errf(err, KG_EUNAUTH, "User %s has no access to %s.",
		    s->user.id, target_id);
	return 0;
}

/* ------------------------------------------------------------------------
 * Token bodies, claims and contexts.
 * --------------------------------------------------------------------- */

static json_t *
time_json(int64_t us)
{
	char	buf[KG_TIME_LEN];

	kg_time_fmt(us, buf);
	return json_string(buf);
}

static json_t *
id_name(const char *id, const char *name)
{
	return json_pack("{s:s, s:s}", "id", id, "name", name);
}

static json_t *
roles_json(const struct tstate *s)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < s->nroles; i++)
		json_array_append_new(a, id_name(s->roles[i].id, s->roles[i].name));
	return a;
}

/*
 * The token object as Keystone shows it (order as on the wire):
 * methods, user, audit_ids, expires_at, issued_at, then the scope,
 * is_domain (projects) and roles; the catalog is added by the caller.
 */
static json_t *
build_body(const struct tstate *s, json_t *methods, json_t *audit_ids,
    int64_t iat_s, int64_t exp_s)
{
	json_t	*b, *u;

	u = json_pack("{s:o, s:s, s:s}", "domain", id_name(s->udom.id, s->udom.name),
	    "id", s->user.id, "name", s->user.name);
	json_object_set_new(u, "password_expires_at", s->user.password_expires_at ?
	    time_json(s->user.password_expires_at) : json_null());
	b = json_pack("{s:O, s:o, s:O, s:o, s:o}", "methods", methods, "user", u,
	    "audit_ids", audit_ids, "expires_at", time_json(exp_s * 1000000),
	    "issued_at", time_json(iat_s * 1000000));
	switch (s->scope) {
	case KG_SCOPE_PROJECT:
		json_object_set_new(b, "project", json_pack("{s:o, s:s, s:s}", "domain",
		    id_name(s->pdom.id, s->pdom.name), "id", s->proj.id,
		    "name", s->proj.name));
		json_object_set_new(b, "is_domain", json_false());
		break;
	case KG_SCOPE_DOMAIN:
		json_object_set_new(b, "domain", id_name(s->dom.id, s->dom.name));
		break;
	case KG_SCOPE_SYSTEM:
		json_object_set_new(b, "system", json_pack("{s:b}", "all", 1));
		break;
	case KG_SCOPE_NONE:
		return b;
	}
	json_object_set_new(b, "roles", roles_json(s));
	return b;
}

/* The claims auth/jwt.h documents. */
static json_t *
build_claims(const struct tstate *s, json_t *methods, json_t *audit_ids,
    int64_t iat_us, int64_t exp_s)
{
	json_t	*c;

	c = json_pack("{s:s, s:s, s:I, s:I, s:I, s:O, s:O, s:{s:s, s:s, s:o}}",
	    "iss", TOKEN_ISSUER, "sub", s->user.id,
	    "iat", (json_int_t)(iat_us / 1000000), "exp", (json_int_t)exp_s,
	    "iat_us", (json_int_t)iat_us, "audit_ids", audit_ids, "methods", methods,
	    "user", "id", s->user.id, "name", s->user.name,
	    "domain", id_name(s->udom.id, s->udom.name));
	switch (s->scope) {
	case KG_SCOPE_PROJECT:
		json_object_set_new(c, "project", json_pack("{s:s, s:s, s:o}", "id",
		    s->proj.id, "name", s->proj.name, "domain",
		    id_name(s->pdom.id, s->pdom.name)));
		break;
	case KG_SCOPE_DOMAIN:
		json_object_set_new(c, "domain", id_name(s->dom.id, s->dom.name));
		break;
	case KG_SCOPE_SYSTEM:
		json_object_set_new(c, "system", json_pack("{s:b}", "all", 1));
		break;
	case KG_SCOPE_NONE:
		return c;
	}
	json_object_set_new(c, "roles", roles_json(s));
	return c;
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
		kg_strlcpy(ctx->project_id, s->proj.id, sizeof(ctx->project_id));
		kg_strlcpy(ctx->project_domain_id, s->proj.domain_id,
		    sizeof(ctx->project_domain_id));
	} else if (s->scope == KG_SCOPE_DOMAIN)
		kg_strlcpy(ctx->domain_id, s->dom.id, sizeof(ctx->domain_id));
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

int
tokens_validate(struct tokens *t, struct store *st, const char *token,
    int allow_expired, struct kg_ctx *ctx, json_t **body, struct kg_err *err)
{
	struct keyring		*ring;
	struct tclaims		 tc;
	struct tstate		 s;
	struct kg_revoke_target	 rt;
	json_t			*claims = NULL, *b = NULL;
	unsigned char		 h[32];
	int64_t			 gen, now = kg_now_us();
	size_t			 len;
	int			 revoked, ret = -1, cacheable;

	memset(ctx, 0, sizeof(*ctx));
	memset(&s, 0, sizeof(s));
	memset(&tc, 0, sizeof(tc));
	if (body != NULL)
		*body = NULL;
	if (token == NULL || (len = strlen(token)) == 0)
		return unrecognized(err);
	/* Read the generation first: a change after this point makes the
	 * entry we may cache stale rather than wrongly current. */
	if ((gen = store_generation(st)) == -1)
		return kg_errf(err, KG_EINTERNAL, "cannot read the store generation");
	kg_sha256(token, len, h);
	ring = ring_get(t);
	if (cache_get(t, h, gen, now, ring->epoch, ctx, body ? &b : NULL)) {
		ring_put(t, ring);
		if (body != NULL) {
			*body = json_deep_copy(b);
			json_decref(b);
			if (*body == NULL) {
				kg_ctx_free(ctx);
				return kg_errf(err, KG_EINTERNAL, "out of memory");
			}
		}
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
	if (load_user(st, tc.user_id, &s, err) == -1 ||
	    load_scope(st, tc.scope, tc.target_id, &s, err) == -1) {
		invalid(err, err ? err->msg : "state");
		goto done;
	}
	if (strcmp(s.user.domain_id, tc.user_domain_id) != 0 ||
	    (tc.scope == KG_SCOPE_PROJECT &&
	    strcmp(s.proj.domain_id, tc.project_domain_id) != 0)) {
		invalid(err, "domain moved");
		goto done;
	}
	b = build_body(&s, tc.methods, tc.audit_ids, tc.iat_s, tc.exp_s);
	if (b == NULL || build_ctx(&s, tc.audit_id, tc.exp_s, ctx, err) == -1) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		goto done;
	}
	if (cacheable)
		cache_put(t, h, gen, ring->epoch, ctx, b);
	if (body != NULL && (*body = json_deep_copy(b)) == NULL) {
		kg_ctx_free(ctx);
		kg_errf(err, KG_EINTERNAL, "out of memory");
		goto done;
	}
	ret = 0;
 done:
	ring_put(t, ring);
	json_decref(b);
	json_decref(claims);
	free(tc.roles);
	tstate_free(&s);
	return ret;
}

int
tokens_authenticate(struct tokens *t, struct store *st, const char *token,
    struct kg_ctx *ctx, struct kg_err *err)
{
	if (tokens_validate(t, st, token, 0, ctx, NULL, err) == 0)
		return 0;
	if (err != NULL && err->kind == KG_EINTERNAL)
		return -1;
	return kg_errf(err, KG_EUNAUTH, "The request you have made requires "
	    "authentication.");
}

/* ------------------------------------------------------------------------
 * Issuing.
 * --------------------------------------------------------------------- */

/* A Keystone-style audit id: 16 random bytes, base64url (22 chars). */
static int
new_audit_id(char out[AUDIT_BUF])
{
	unsigned char	b[16];

	if (kg_random(b, sizeof(b)) == -1 ||
	    kg_b64url_encode(b, sizeof(b), out, AUDIT_BUF) != AUDIT_LEN)
		return -1;
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
	struct kg_domain	 d;
	int			 rc;

	memset(&d, 0, sizeof(d));
	if (a->user_id != NULL)
		rc = store_user_get(st, a->user_id, &s->user, err);
	else {
		if (a->user_domain_id != NULL)
			rc = store_domain_get(st, a->user_domain_id, &d, err);
		else
			rc = store_domain_get_by_name(st, a->user_domain_name, &d, err);
		if (rc == 0)
			rc = store_user_get_by_name(st, d.id, a->user_name, &s->user, err);
		kg_domain_free(&d);
	}
	if (rc == -1) {
		if (err != NULL && err->kind == KG_ENOTFOUND)
			return unauthorized(err, "unknown user or domain");
		return -1;
	}
	if (!password_verify(a->password ? a->password : "", s->user.password_hash))
		return unauthorized(err, "invalid password");
	if (!s->user.enabled)
		return unauthorized(err, "user disabled");
	if (store_domain_get(st, s->user.domain_id, &s->udom, err) == -1)
		return refuse_if_missing(err);
	if (!s->udom.enabled)
		return unauthorized(err, "user's domain disabled");
	if (s->user.password_expires_at != 0 &&
	    kg_now_us() >= s->user.password_expires_at)
		return unauthorized(err, "password expired");
	return 0;
}

/* Resolve the requested scope to (kind, id); a name needs its domain. */
static int
resolve_scope(struct store *st, const struct token_auth *a, char id[STORE_ID_SIZE],
    struct kg_err *err)
{
	struct kg_domain	 d;
	struct kg_project	 p;
	int			 rc = 0;

	memset(&d, 0, sizeof(d));
	memset(&p, 0, sizeof(p));
	id[0] = '\0';
	switch (a->scope) {
	case KG_SCOPE_PROJECT:
		if (a->project_id != NULL) {
			kg_strlcpy(id, a->project_id, STORE_ID_SIZE);
			break;
		}
		if (a->project_domain_id != NULL)
			rc = store_domain_get(st, a->project_domain_id, &d, err);
		else
			rc = store_domain_get_by_name(st, a->project_domain_name, &d, err);
		if (rc == 0 && (rc = store_project_get_by_name(st, d.id, a->project_name,
		    &p, err)) == 0)
			kg_strlcpy(id, p.id, STORE_ID_SIZE);
		break;
	case KG_SCOPE_DOMAIN:
		if (a->domain_id != NULL) {
			kg_strlcpy(id, a->domain_id, STORE_ID_SIZE);
			break;
		}
		if ((rc = store_domain_get_by_name(st, a->domain_name, &d, err)) == 0)
			kg_strlcpy(id, d.id, STORE_ID_SIZE);
		break;
	case KG_SCOPE_SYSTEM:
		kg_strlcpy(id, "system", STORE_ID_SIZE);
		break;
	case KG_SCOPE_NONE:
		break;
	}
	kg_domain_free(&d);
	kg_project_free(&p);
	if (rc == -1)
		return refuse_if_missing(err);
	return 0;
}

int
tokens_issue(struct tokens *t, struct store *st, const struct token_auth *a,
    char **token, json_t **body, struct kg_ctx *ctx, struct kg_err *err)
{
	struct keyring	*ring = NULL;
	struct tstate	 s;
	struct kg_ctx	 orig, c;
	json_t		*ob = NULL, *methods = NULL, *audit = NULL, *claims = NULL;
	json_t		*b = NULL, *v;
	char		 target[STORE_ID_SIZE], aid[AUDIT_BUF];
	const char	*chain = NULL;
	unsigned char	 h[32];
	int64_t		 gen, iat_us, exp_s;
	size_t		 i;
	int		 ret = -1, pw, tk;

	*token = NULL;
	*body = NULL;
	memset(&s, 0, sizeof(s));
	memset(&orig, 0, sizeof(orig));
	memset(&c, 0, sizeof(c));
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
		return kg_errf(err, KG_EBADREQ, "Invalid input for field 'identity': "
		    "'methods' must not be empty");
	if ((gen = store_generation(st)) == -1)
		return kg_errf(err, KG_EINTERNAL, "cannot read the store generation");

	methods = json_array();
	for (i = 0; i < a->nmethods; i++)
		json_array_append_new(methods, json_string(a->methods[i]));
	if (tk) {
		if (tokens_validate(t, st, a->token_id, 0, &orig, &ob, err) == -1) {
			if (err == NULL || err->kind != KG_EINTERNAL)
				unauthorized(err, "token method: invalid token");
			goto done;
		}
		/* Keystone keeps the original's expiry and audit chain. */
		json_array_foreach(json_object_get(ob, "methods"), i, v) {
			size_t	j;
			int	dup = 0;

			for (j = 0; j < json_array_size(methods); j++)
				if (json_equal(json_array_get(methods, j), v))
					dup = 1;
			if (!dup)
				json_array_append(methods, v);
		}
		v = json_object_get(ob, "audit_ids");
		chain = json_string_value(json_array_get(v, json_array_size(v) - 1));
	}
	if (pw) {
		if (auth_password(st, a, &s, err) == -1)
			goto done;
		if (tk && strcmp(s.user.id, orig.user_id) != 0) {
			unauthorized(err, "methods disagree on the user");
			goto done;
		}
	} else if (load_user(st, orig.user_id, &s, err) == -1) {
		unauthorized(err, "token method: user gone or disabled");
		goto done;
	}

	/* Scope: requested, else the user's default project when usable. */
	if (a->scope != KG_SCOPE_NONE) {
		if (resolve_scope(st, a, target, err) == -1 ||
		    load_scope(st, a->scope, target, &s, err) == -1) {
			if (err == NULL || err->kind != KG_EINTERNAL)
				unauthorized(err, err ? err->msg : "scope");
			goto done;
		}
	} else if (!a->explicit_unscoped && s.user.default_project_id[0] != '\0') {
		kg_strlcpy(target, s.user.default_project_id, sizeof(target));
		if (load_scope(st, KG_SCOPE_PROJECT, target, &s, err) == -1) {
			if (err != NULL && err->kind == KG_EINTERNAL)
				goto done;
			/* As Keystone: fall back to an unscoped token. */
			log_info("default project %s of user %s unusable: unscoped token",
			    target, s.user.id);
			kg_project_free(&s.proj);
			kg_domain_free(&s.pdom);
			free(s.roles);
			s.roles = NULL;
			s.nroles = 0;
			s.scope = KG_SCOPE_NONE;
			kg_err_clear(err);
		}
	}

	if (new_audit_id(aid) == -1) {
		kg_errf(err, KG_EINTERNAL, "random source failed");
		goto done;
	}
	audit = chain != NULL ? json_pack("[s, s]", aid, chain) : json_pack("[s]", aid);
	iat_us = kg_now_us();
	exp_s = tk ? orig.expires_at / 1000000 : iat_us / 1000000 + t->cfg.expiration;
	claims = build_claims(&s, methods, audit, iat_us, exp_s);
	b = build_body(&s, methods, audit, iat_us / 1000000, exp_s);
	ring = ring_get(t);
	if (claims == NULL || b == NULL ||
	    (*token = jwt_sign(ring->primary, claims, err)) == NULL) {
		kg_errf(err, KG_EINTERNAL, "cannot sign the token");
		goto done;
	}
	if (build_ctx(&s, aid, exp_s, &c, err) == -1)
		goto done;
	/* The first validation of a new token is then a cache hit. */
	kg_sha256(*token, strlen(*token), h);
	cache_put(t, h, gen, ring->epoch, &c, b);
	if ((*body = json_deep_copy(b)) == NULL) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		goto done;
	}
	if (ctx != NULL) {
		*ctx = c;
		memset(&c, 0, sizeof(c));
	}
	ret = 0;
 done:
	if (ret == -1 && *token != NULL) {
		kg_wipe(*token, strlen(*token));
		free(*token);
		*token = NULL;
	}
	if (ring != NULL)
		ring_put(t, ring);
	kg_ctx_free(&c);
	kg_ctx_free(&orig);
	json_decref(ob);
	json_decref(methods);
	json_decref(audit);
	json_decref(claims);
	json_decref(b);
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

json_t *
tokens_catalog(struct tokens *t, struct store *st, struct kg_err *err)
{
	struct kg_catalog	 c;
	json_t			*cat = NULL;
	int64_t			 gen;

	if ((gen = store_generation(st)) == -1) {
		kg_errf(err, KG_EINTERNAL, "cannot read the store generation");
		return NULL;
	}
	pthread_mutex_lock(&t->catlock);
	if (t->catalog != NULL && t->cat_gen == gen)
		cat = json_deep_copy(t->catalog);
	pthread_mutex_unlock(&t->catlock);
	if (cat != NULL)
		return cat;
	if (store_catalog_get(st, &c, err) == -1)
		return NULL;
	cat = catalog_build(&c);
	store_catalog_free(&c);
	if (cat == NULL) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		return NULL;
	}
	pthread_mutex_lock(&t->catlock);
	json_decref(t->catalog);
	t->catalog = json_deep_copy(cat);
	t->cat_gen = gen;
	pthread_mutex_unlock(&t->catlock);
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
