/*
 * token.c - the tokens object, validation and event pruning (see token.h):
 * ES256 JWTs checked against every loaded key, then, in one read snapshot,
 * against the revocation events that could match them (a few index
 * look-ups) and the current state of their subject. Issuing is in
 * issue.c.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "auth/catcache.h"
#include "auth/claims.h"
#include "auth/jwt.h"
#include "auth/keyring.h"
#include "auth/revocation.h"
#include "auth/scache.h"
#include "auth/token_int.h"
#include "auth/tokenbody.h"
#include "auth/trust.h"
#include "auth/vcache.h"
#include "common/log.h"
#include "common/util.h"
#include "store/revoke.h"
#include "store/scope.h"
#include "store/trust.h"

#define PRUNE_EVERY_US	(60 * 1000000LL)
#define STACK_KEYS	32		/* revocation index keys without malloc */

/* ------------------------------------------------------------------------
 * Open, close, reload, stats.
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
	pthread_mutex_init(&t->prunelock, NULL);
	if ((t->catalog = catcache_new(!cfg->catalog_filtered_only)) == NULL ||
	    (cfg->cache_size > 0 && ((t->scache = scache_new()) == NULL ||
	    (t->vcache = vcache_new((size_t)cfg->cache_size)) == NULL))) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		tokens_close(t);
		return NULL;
	}
	if ((t->keys = keyring_open(t->key_dir, err)) == NULL) {
		tokens_close(t);
		return NULL;
	}
	return t;
}

void
tokens_close(struct tokens *t)
{
	if (t == NULL)
		return;
	vcache_free(t->vcache);
	scache_free(t->scache);
	catcache_free(t->catalog);
	keyring_close(t->keys);
	pthread_mutex_destroy(&t->prunelock);
	free(t->key_dir);
	free(t);
}

int
tokens_reload(struct tokens *t, struct kg_err *err)
{
	/* Entries verified with the old keys become misses (epoch differs). */
	return keyring_reload(t->keys, err);
}

json_t *
tokens_jwks(struct tokens *t)
{
	return keyring_jwks(t->keys);
}

void
tokens_cache_clear(struct tokens *t)
{
	vcache_clear(t->vcache);
	scache_clear(t->scache);
}

void
tokens_stats(struct tokens *t, struct token_stats *out)
{
	vcache_stats(t->vcache, &out->hits, &out->misses);
}

int
token_revision(struct store *st, int64_t *rev, struct kg_err *err)
{
	if ((*rev = store_generation(st)) == -1)
		return kg_errf(err, KG_EINTERNAL, "cannot read the store revision");
	return 0;
}

int
token_ctx(const struct subject *s, const char *audit_id, const char *audit_chain_id,
    const char *const *methods, size_t nmethods, int64_t exp_s, int64_t rev,
    const struct token_appcred *ac, struct kg_ctx *ctx, struct kg_err *err)
{
	size_t	i;
	int	oom;

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
	kg_strlcpy(ctx->audit_chain_id, audit_chain_id, sizeof(ctx->audit_chain_id));
	for (i = 0; i < nmethods && i < KG_MAX_METHODS; i++)
		kg_strlcpy(ctx->methods[i], methods[i], sizeof(ctx->methods[i]));
	ctx->nmethods = i;
	ctx->expires_at = exp_s * 1000000;
	ctx->rev = rev;
	if (ac != NULL) {
		kg_strlcpy(ctx->app_cred_id, ac->id, sizeof(ctx->app_cred_id));
		ctx->app_cred_restricted = ac->restricted;
		ctx->app_cred_nrules = ac->nrules;
	}
	ctx->roles = kg_roles_dup(s->roles, s->nroles, &oom);
	if (oom)
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	ctx->nroles = s->nroles;
	kg_strlcpy(ctx->trust_id, s->trust.id, sizeof(ctx->trust_id));
	kg_strlcpy(ctx->trustor_id, s->trust.trustor_id, sizeof(ctx->trustor_id));
	kg_strlcpy(ctx->trustee_id, s->trust.trustee_id, sizeof(ctx->trustee_id));
	ctx->trust_impersonation = s->trust.impersonation;
	return 0;
}

/* ------------------------------------------------------------------------
 * Replies and the catalog.
 * --------------------------------------------------------------------- */

struct compose {
	const char	*body;
	char		*reply;
};

/* Called with the catalog text under the catalog cache's lock. */
static void
compose_with(const char *catalog, void *arg)
{
	struct compose	*c = arg;

	c->reply = tokenbody_reply(c->body, catalog);
}

char *
token_reply(struct tokens *t, struct store *st, int64_t rev, const char *body,
    int with_catalog, const char *project_id, struct kg_err *err)
{
	struct compose	c = { body, NULL };

	if (!with_catalog)
		c.reply = tokenbody_reply(body, NULL);
	else if (catcache_with(t->catalog, st, rev, project_id, compose_with, &c,
	    err) == -1)
		return NULL;
	if (c.reply == NULL)
		kg_errf(err, KG_EINTERNAL, "out of memory");
	return c.reply;
}

static void
parse_catalog(const char *text, void *arg)
{
	*(json_t **)arg = json_loads(text, 0, NULL);
}

json_t *
tokens_catalog(struct tokens *t, struct store *st, const char *project_id,
    struct kg_err *err)
{
	json_t	*cat = NULL;
	int64_t	 rev;

	if (token_revision(st, &rev, err) == -1 ||
	    catcache_with(t->catalog, st, rev, project_id, parse_catalog, &cat,
	    err) == -1)
		return NULL;
	if (cat == NULL)
		kg_errf(err, KG_EINTERNAL, "out of memory");
	return cat;
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

/* The index keys of a target, collected for store_revoke_find. */
struct keylist {
	char		(*buf)[KG_REVOKE_KEY_SIZE];
	const char	**ptr;
	size_t		  n, cap;
};

static int
collect_key(const char *key, void *arg)
{
	struct keylist	*l = arg;

	if (l->n == l->cap)
		return -1;		/* cannot happen: cap counts every key */
	kg_strlcpy(l->buf[l->n], key, KG_REVOKE_KEY_SIZE);
	l->ptr[l->n] = l->buf[l->n];
	l->n++;
	return 0;
}

static int
event_matches(const struct kg_revoke_event *ev, void *arg)
{
	return kg_revoke_matches(ev, arg);
}

/* 1 when a stored event revokes the token of claims c, 0 when none, -1. */
int
token_revoked(struct store *st, const struct kg_claims *c, struct kg_err *err)
{
	struct kg_revoke_target	 rt;
	struct keylist		 l;
	char			 kbuf[STACK_KEYS][KG_REVOKE_KEY_SIZE];
	const char		*kptr[STACK_KEYS], *ridbuf[STACK_KEYS], **rids;
	size_t			 i;
	int			 rc;

	memset(&rt, 0, sizeof(rt));
	rt.user_id = c->user_id;
	rt.user_domain_id = c->user_domain_id;
	if (c->scope == KG_SCOPE_PROJECT) {
		rt.project_id = c->scope_id;
		rt.project_domain_id = c->scope_domain_id;
	} else if (c->scope == KG_SCOPE_DOMAIN)
		rt.domain_id = c->scope_id;
	rt.audit_id = c->audit_id;
	rt.audit_chain_id = c->audit_chain_id;
	rt.app_cred_id = c->app_cred_id;
	rt.trust_id = c->trust_id;
	rt.trustor_id = c->trustor_id;
	rt.trustee_id = c->trustee_id;
	rt.nroles = c->nroles;
	rt.issued_at = c->iat_us;
	rt.expires_at = c->exp * 1000000;
	rt.revision = c->rev;

	l.n = 0;
	l.cap = KG_REVOKE_TARGET_KEYS + c->nroles;
	rids = c->nroles <= STACK_KEYS ? ridbuf : calloc(c->nroles, sizeof(*rids));
	if (l.cap <= STACK_KEYS) {
		l.buf = kbuf;
		l.ptr = kptr;
	} else {
		l.buf = calloc(l.cap, sizeof(*l.buf));
		l.ptr = calloc(l.cap, sizeof(*l.ptr));
	}
	if (rids == NULL || l.buf == NULL || l.ptr == NULL) {
		rc = kg_errf(err, KG_EINTERNAL, "out of memory");
		goto done;
	}
	for (i = 0; i < c->nroles; i++)
		rids[i] = c->roles[i].id;
	rt.role_ids = rids;
	kg_revoke_target_keys(&rt, collect_key, &l);
	rc = store_revoke_find(st, l.ptr, l.n, rt.issued_at, rt.revision,
	    event_matches, &rt, err);
 done:
	if (l.buf != kbuf) {
		free(l.buf);
		free(l.ptr);
	}
	if (rids != ridbuf)
		free(rids);
	return rc;
}

/*
 * The subject of a trust-scoped token's claims c as stored now: the trust
 * (and its chain) still usable, though it may have no use left (uses
 * count issues, not validations), its parties and project enabled, the
 * trustor still holding every delegated role, and the same user.
 */
static int
load_trust_subject(struct store *st, const struct kg_claims *c,
    struct subject *s, struct kg_err *err)
{
	struct kg_trust	*chain = NULL;
	size_t		 n = 0;
	int		 ret = -1;

	if (trust_chain(st, c->trust_id, TRUST_ANY_USES, &chain, &n, err) == -1 ||
	    trust_subject(st, chain, n, s, err) == -1)
		goto done;
	if (strcmp(s->user.id, c->user_id) != 0 ||
	    strcmp(s->tgt.id, c->scope_id) != 0) {
		kg_errf(err, KG_ENOTFOUND, "trust %s no longer gives this token",
		    c->trust_id);
		goto done;
	}
	ret = 0;
 done:
	kg_trust_list_free(chain, n);
	return ret;
}

/* The subject of claims c as stored now (possibly from the state cache). */
static int
load_subject(struct tokens *t, struct store *st, int64_t rev,
    const struct kg_claims *c, struct subject *s, struct kg_err *err)
{
	char		 kind[2] = { (char)('0' + c->scope), '\0' };
	const char	*target = c->scope == KG_SCOPE_SYSTEM ? "system" : c->scope_id;
	const char	*parts[4] = { "v", c->user_id, kind, target };
	unsigned char	 key[32];
	int		 keyed;

	if (c->trust_id[0] != '\0')
		return load_trust_subject(st, c, s, err);
	keyed = kg_sha256_strv(parts, 4, key) == 0;
	if (keyed && scache_get(t->scache, rev, key, s))
		return 0;
	if (subject_load_user(st, c->user_id, s, err) == -1 ||
	    subject_load_scope(st, c->scope, c->scope_id, NULL, NULL, NULL, s,
	    err) == -1)
		return -1;
	if (keyed)
		scache_put(t->scache, rev, key, s);
	return 0;
}

/*
 * The validation proper, for a token the cache did not answer: signature
 * with the keys k, claims, expiry, then one read snapshot for the
 * revocation events and the subject. Caches the result at the snapshot's
 * revision.
 */
static int
validate_miss(struct tokens *t, struct store *st, const char *token, size_t len,
    const unsigned char h[32], struct keyring_keys *k, int allow_expired,
    int64_t rev, struct kg_ctx *ctx, char **body, struct kg_err *err)
{
	struct kg_claims	 c;
	struct subject		 s;
	struct token_appcred	 ac, *acp = NULL;
	json_t			*payload;
	char			*b = NULL;
	int64_t			 now = kg_now_us();
	int			 rc, ret = -1, cacheable, tx = 0;

	memset(&s, 0, sizeof(s));
	memset(&c, 0, sizeof(c));
	if ((payload = jwt_verify(&k->ks, token, len, err)) == NULL)
		return unrecognized(err);
	if ((rc = claims_parse(payload, &c)) != 0 ||
	    strcmp(c.iss, KG_CLAIMS_ISSUER) != 0) {
		if (rc == CLAIMS_ENOMEM)
			kg_errf(err, KG_EINTERNAL, "out of memory");
		else
			unrecognized(err);
		goto done;
	}
	cacheable = now < c.exp * 1000000;
	if (!cacheable && (!allow_expired ||
	    now >= (c.exp + t->cfg.allow_expired_window) * 1000000)) {
		invalid(err, "expired");
		goto done;
	}
	/* One snapshot for the look-ups below, at its own revision. */
	if ((tx = store_read_begin(st, err)) == -1 ||
	    (tx == 1 && token_revision(st, &rev, err) == -1))
		goto done;
	if ((rc = token_revoked(st, &c, err)) != 0) {
		if (rc == 1)
			invalid(err, "revoked");
		goto done;
	}
	if (load_subject(t, st, rev, &c, &s, err) == -1) {
		invalid(err, err ? err->msg : "state");
		goto done;
	}
	if (strcmp(s.user.domain_id, c.user_domain_id) != 0 ||
	    (c.scope == KG_SCOPE_PROJECT &&
	    strcmp(s.tgt.domain_id, c.scope_domain_id) != 0)) {
		invalid(err, "domain moved");
		goto done;
	}
	/* A credential's token keeps only the roles it carried that the user
	 * still holds (Keystone recomputes them from the credential's; ours
	 * are those, as of the issue, and a removed grant revokes anyway). */
	if (c.app_cred_id[0] != '\0') {
		ac.id = c.app_cred_id;
		ac.name = c.app_cred_name;
		ac.restricted = c.app_cred_restricted;
		ac.rules = c.access_rules;
		ac.nrules = c.naccess_rules;
		acp = &ac;
		if (c.scope != KG_SCOPE_PROJECT ||
		    subject_restrict_roles(&s, c.roles, c.nroles, err) == -1) {
			invalid(err, "application credential roles");
			goto done;
		}
	}
	if ((b = tokenbody_text(&s, c.methods, c.nmethods, c.audit_id,
	    c.audit_chain_id, c.iat, c.exp, acp)) == NULL) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		goto done;
	}
	if (token_ctx(&s, c.audit_id, c.audit_chain_id, c.methods, c.nmethods, c.exp,
	    rev, acp, ctx, err) == -1)
		goto done;
	if (cacheable)
		vcache_put(t->vcache, h, rev, k->epoch, ctx, b);
	if (body != NULL) {
		*body = b;
		b = NULL;
	}
	ret = 0;
 done:
	store_read_end(st, tx);
	free(b);
	claims_free(&c);
	json_decref(payload);
	subject_free(&s);
	return ret;
}

int
token_validate(struct tokens *t, struct store *st, const char *token,
    int allow_expired, int64_t rev, struct kg_ctx *ctx, char **body,
    struct kg_err *err)
{
	struct keyring_keys	*k;
	unsigned char		 h[32];
	size_t			 len;
	int			 ret = 0;

	memset(ctx, 0, sizeof(*ctx));
	if (body != NULL)
		*body = NULL;
	if (token == NULL || (len = strlen(token)) == 0)
		return unrecognized(err);
	if (rev == 0 && token_revision(st, &rev, err) == -1)
		return -1;
	kg_sha256(token, len, h);
	k = keyring_acquire(t->keys);
	if (vcache_get(t->vcache, h, rev, k->epoch, kg_now_us(), ctx, body))
		ctx->rev = rev;
	else if ((ret = validate_miss(t, st, token, len, h, k, allow_expired, rev,
	    ctx, body, err)) == -1)
		kg_ctx_free(ctx);
	keyring_release(t->keys, k);
	return ret;
}

int
tokens_validate(struct tokens *t, struct store *st, const char *token,
    int allow_expired, struct kg_ctx *ctx, json_t **body, struct kg_err *err)
{
	char	*text = NULL;

	if (body != NULL)
		*body = NULL;
	if (token_validate(t, st, token, allow_expired, 0, ctx, body ? &text : NULL,
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

int
tokens_validate_reply(struct tokens *t, struct store *st, const char *token,
    int allow_expired, int with_catalog, int64_t rev, struct kg_ctx *ctx,
    char **reply, struct kg_err *err)
{
	char	*body = NULL;

	*reply = NULL;
	if (token_validate(t, st, token, allow_expired, rev, ctx, &body, err) == -1)
		return -1;
	*reply = token_reply(t, st, ctx->rev, body, with_catalog &&
	    ctx->scope != KG_SCOPE_NONE, ctx->scope == KG_SCOPE_PROJECT ?
	    ctx->project_id : NULL, err);
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
	if (token_validate(t, st, token, 0, 0, ctx, NULL, err) == 0)
		return 0;
	if (err != NULL && err->kind == KG_EINTERNAL)
		return -1;
	return kg_errf(err, KG_EUNAUTH, "The request you have made requires "
	    "authentication.");
}

/* ------------------------------------------------------------------------
 * Pruning.
 * --------------------------------------------------------------------- */

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
