/*
 * gwauth.c - offline token checks: keys, revocation events and the
 * verified-token cache of keygate-gateway (see gwauth.h).
 *
 * Concurrency: the key set is an immutable, reference-counted snapshot
 * swapped under a mutex; events sit behind a rwlock; the cache behind its
 * own mutex. A "trust generation" counter moves whenever keys or events
 * change, and a freshly verified token is only cached if the generation it
 * was checked under is still current, so a revocation can never be undone
 * by a check that raced with it.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/claims.h"
#include "auth/revocation.h"
#include "common/util.h"
#include "gateway/gwauth.h"

#define CACHE_WAYS	4
#define MAX_TOKEN	16384

static const char *const reason_names[GW_R_MAX] = {
	[GW_R_OK] = "ok",
	[GW_R_RULE] = "rule",
	[GW_R_NO_RULE] = "no-rule",
	[GW_R_NO_TOKEN] = "no-token",
	[GW_R_MALFORMED] = "malformed-token",
	[GW_R_BAD_SIGNATURE] = "bad-signature",
	[GW_R_UNKNOWN_KEY] = "unknown-key",
	[GW_R_EXPIRED] = "expired",
	[GW_R_REVOKED] = "revoked",
	[GW_R_WRONG_ISSUER] = "wrong-issuer",
	[GW_R_NO_KEYS] = "no-keys",
	[GW_R_NOT_HTTP] = "not-http",
	[GW_R_AMBIGUOUS] = "ambiguous",
	[GW_R_BAD_PATH] = "bad-path",
	[GW_R_TOO_BIG] = "headers-too-big",
	[GW_R_TIMEOUT] = "header-timeout",
	[GW_R_OVERLOAD] = "overload",
	[GW_R_SHUTDOWN] = "shutdown",
};

const char *
gw_reason_name(enum gw_reason r)
{
	return r < GW_R_MAX ? reason_names[r] : "?";
}

/* An identity and its strings in one allocation. */
struct ident_box {
	atomic_int	refs;
	struct gw_ident	id;
	/* struct gw_role roles[nroles]; then the strings */
};

struct keysnap {
	atomic_int	 refs;
	struct jwt_keyset ks;
};

struct centry {
	unsigned char	 h[32];		/* SHA-256 of the token */
	struct ident_box *box;		/* NULL: free slot */
	uint64_t	 used;		/* last use, for LRU within a set */
};

struct gwauth {
	struct gwauth_cfg cfg;
	char		 issuer[256];

	pthread_mutex_t	 keys_mu;
	struct keysnap	*keys;

	pthread_rwlock_t ev_lock;
	struct kg_revoke_event *ev;
	size_t		 nev, evcap;

	gwauth_revoke_fn on_revoke;	/* told about new events (live flows) */
	void		*on_revoke_arg;

	atomic_uint_fast64_t gen;	/* trust generation */

	pthread_mutex_t	 cache_mu;
	struct centry	*cache;
	size_t		 nsets;		/* power of two; 0 = no cache */
	size_t		 centries;
	uint64_t	 tick;
};

/* ------------------------------------------------------------------
 * Identities
 * ------------------------------------------------------------------ */

static struct ident_box *
box_of(const struct gw_ident *id)
{
	return (struct ident_box *)((char *)id - offsetof(struct ident_box, id));
}

void
gw_ident_put(const struct gw_ident *id)
{
	struct ident_box	*b;

	if (id == NULL)
		return;
	b = box_of(id);
	if (atomic_fetch_sub(&b->refs, 1) == 1)
		free(b);
}

static void
box_get(struct ident_box *b)
{
	atomic_fetch_add(&b->refs, 1);
}

/* Copy s into the box's string area at *p, returning the copy. */
static const char *
put_str(char **p, const char *s)
{
	char	*d = *p;
	size_t	 n = strlen(s) + 1;

	memcpy(d, s, n);
	*p += n;
	return d;
}

static enum gw_scope
gw_scope_of(enum kg_scope_kind k)
{
	switch (k) {
	case KG_SCOPE_PROJECT:	return GW_SCOPE_PROJECT;
	case KG_SCOPE_DOMAIN:	return GW_SCOPE_DOMAIN;
	case KG_SCOPE_SYSTEM:	return GW_SCOPE_SYSTEM;
	case KG_SCOPE_NONE:	break;
	}
	return GW_SCOPE_NONE;
}

/*
 * Build an identity from verified claims, read by auth/claims.c exactly as
 * keygate reads them. Returns NULL (reason set) when the claims are not
 * what keygate issues.
 */
static struct ident_box *
ident_from_claims(const json_t *c, enum gw_reason *why)
{
	struct kg_claims k;
	struct ident_box *b;
	struct gw_role	*rl;
	const char	*chain;
	size_t		 i, total;
	char		*p;
	int		 rc;

	if ((rc = claims_parse(c, &k)) != 0) {
		*why = rc == CLAIMS_ENOMEM ? GW_R_OVERLOAD : GW_R_MALFORMED;
		return NULL;
	}
	/* The gateway's identities name the chain as the token's own audit
	 * id when it has none. */
	chain = k.audit_chain_id[0] != '\0' ? k.audit_chain_id : k.audit_id;
	total = sizeof(*b) + k.nroles * sizeof(struct gw_role);
	total += strlen(k.user_id) + strlen(k.user_name) + strlen(k.user_domain_id) +
	    strlen(k.user_domain_name) + strlen(k.scope_id) + strlen(k.scope_name) +
	    strlen(k.scope_domain_id) + strlen(k.scope_domain_name) +
	    strlen(k.audit_id) + strlen(chain) + strlen(k.app_cred_id) +
	    strlen(k.trust_id) + strlen(k.trustor_id) + strlen(k.trustee_id) + 14;
	for (i = 0; i < k.nroles; i++)
		total += strlen(k.roles[i].id) + strlen(k.roles[i].name) + 2;
	if ((b = calloc(1, total)) == NULL) {
		claims_free(&k);
		*why = GW_R_OVERLOAD;
		return NULL;
	}
	atomic_init(&b->refs, 1);
	rl = (struct gw_role *)(b + 1);
	p = (char *)(rl + k.nroles);
	b->id.user_id = put_str(&p, k.user_id);
	b->id.user_name = put_str(&p, k.user_name);
	b->id.user_domain_id = put_str(&p, k.user_domain_id);
	b->id.user_domain_name = put_str(&p, k.user_domain_name);
	b->id.scope = gw_scope_of(k.scope);
	b->id.scope_id = put_str(&p, k.scope_id);
	b->id.scope_name = put_str(&p, k.scope_name);
	b->id.scope_domain_id = put_str(&p, k.scope_domain_id);
	b->id.scope_domain_name = put_str(&p, k.scope_domain_name);
	b->id.audit_id = put_str(&p, k.audit_id);
	b->id.audit_chain_id = put_str(&p, chain);
	b->id.app_cred_id = put_str(&p, k.app_cred_id);
	b->id.trust_id = put_str(&p, k.trust_id);
	b->id.trustor_id = put_str(&p, k.trustor_id);
	b->id.trustee_id = put_str(&p, k.trustee_id);
	for (i = 0; i < k.nroles; i++) {
		rl[i].id = put_str(&p, k.roles[i].id);
		rl[i].name = put_str(&p, k.roles[i].name);
	}
	b->id.roles = rl;
	b->id.nroles = k.nroles;
	b->id.exp = k.exp;
	b->id.iat_us = k.iat_us;
	b->id.rev = k.rev;
	claims_free(&k);
	*why = GW_R_OK;
	return b;
}

/* ------------------------------------------------------------------
 * Revocation events
 * ------------------------------------------------------------------ */

/*
 * The revocation target of id (auth/revocation.h); role ids go into
 * rids[KG_CLAIMS_MAX_ROLES], which must live as long as t.
 */
static void
ident_target(const struct gw_ident *id, const char **rids,
    struct kg_revoke_target *t)
{
	size_t	i;

	memset(t, 0, sizeof(*t));
	t->user_id = id->user_id;
	t->user_domain_id = id->user_domain_id;
	if (id->scope == GW_SCOPE_PROJECT) {
		t->project_id = id->scope_id;
		t->project_domain_id = id->scope_domain_id;
	} else if (id->scope == GW_SCOPE_DOMAIN)
		t->domain_id = id->scope_id;
	t->audit_id = id->audit_id;
	t->audit_chain_id = id->audit_chain_id;
	t->app_cred_id = id->app_cred_id;
	t->trust_id = id->trust_id;
	t->trustor_id = id->trustor_id;
	t->trustee_id = id->trustee_id;
	for (i = 0; i < id->nroles && i < KG_CLAIMS_MAX_ROLES; i++)
		rids[i] = id->roles[i].id;
	t->role_ids = rids;
	t->nroles = i;
	t->issued_at = id->iat_us;
	t->expires_at = id->exp * 1000000;
	t->revision = id->rev;
}

int
gw_revent_matches(const struct kg_revoke_event *e, const struct gw_ident *id)
{
	struct kg_revoke_target	 t;
	const char		*rids[KG_CLAIMS_MAX_ROLES];

	ident_target(id, rids, &t);
	return kg_revoke_matches(e, &t);
}

/* Under ev_lock (read). */
static int
revoked_locked(struct gwauth *a, const struct gw_ident *id)
{
	struct kg_revoke_target	 t;
	const char		*rids[KG_CLAIMS_MAX_ROLES];
	size_t			 i;

	ident_target(id, rids, &t);
	for (i = 0; i < a->nev; i++)
		if (kg_revoke_matches(&a->ev[i], &t))
			return 1;
	return 0;
}

static int
ev_str(const json_t *o, const char *key, char *out, size_t outsz)
{
	const json_t	*v = json_object_get(o, key);

	out[0] = '\0';
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) || json_string_length(v) >= outsz)
		return -1;
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

/* A time field: ISO 8601 string (Keystone) or integer seconds. */
static int
ev_time(const json_t *o, const char *key, int64_t *out, int required)
{
	const json_t	*v = json_object_get(o, key);

	*out = 0;
	if (v == NULL || json_is_null(v))
		return required ? -1 : 0;
	if (json_is_integer(v)) {
		*out = (int64_t)json_integer_value(v) * 1000000;
		return 0;
	}
	if (!json_is_string(v))
		return -1;
	return kg_time_parse(json_string_value(v), out);
}

/* keygate's "OS-KEYGATE:revision": absent (0) or a positive integer. */
static int
ev_revision(const json_t *o, int64_t *out)
{
	const json_t	*v = json_object_get(o, "OS-KEYGATE:revision");

	*out = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 1)
		return -1;
	*out = json_integer_value(v);
	return 0;
}

int
gwauth_parse_events(const char *text, size_t len, struct kg_revoke_event **evp,
    size_t *np, struct kg_err *err)
{
	json_t		*root, *arr, *o;
	json_error_t	 jerr;
	struct kg_revoke_event *ev = NULL;
	size_t		 i, n;

	*evp = NULL;
	*np = 0;
	if ((root = json_loadb(text, len, 0, &jerr)) == NULL)
		return kg_errf(err, KG_EBADREQ, "events: %s", jerr.text);
	arr = json_object_get(root, "events");
	if (!json_is_array(arr)) {
		json_decref(root);
		return kg_errf(err, KG_EBADREQ, "events: no \"events\" array");
	}
	n = json_array_size(arr);
	if (n > 0 && (ev = calloc(n, sizeof(*ev))) == NULL) {
		json_decref(root);
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	}
	for (i = 0; i < n; i++) {
		o = json_array_get(arr, i);
		if (!json_is_object(o) ||
		    ev_str(o, "user_id", ev[i].user_id, sizeof(ev[i].user_id)) == -1 ||
		    ev_str(o, "project_id", ev[i].project_id, sizeof(ev[i].project_id)) == -1 ||
		    ev_str(o, "domain_id", ev[i].domain_id, sizeof(ev[i].domain_id)) == -1 ||
		    ev_str(o, "role_id", ev[i].role_id, sizeof(ev[i].role_id)) == -1 ||
		    ev_str(o, "audit_id", ev[i].audit_id, sizeof(ev[i].audit_id)) == -1 ||
		    ev_str(o, "audit_chain_id", ev[i].audit_chain_id,
		    sizeof(ev[i].audit_chain_id)) == -1 ||
		    ev_str(o, "OS-KEYGATE:application_credential_id",
		    ev[i].app_cred_id, sizeof(ev[i].app_cred_id)) == -1 ||
		    ev_str(o, "OS-TRUST:trust_id", ev[i].trust_id,
		    sizeof(ev[i].trust_id)) == -1 ||
		    ev_time(o, "issued_before", &ev[i].issued_before, 1) == -1 ||
		    ev_time(o, "revoked_at", &ev[i].revoked_at, 0) == -1 ||
		    ev_time(o, "expires_at", &ev[i].expires_at, 0) == -1 ||
		    ev_revision(o, &ev[i].revision) == -1) {
			free(ev);
			json_decref(root);
			return kg_errf(err, KG_EBADREQ, "events: event %zu is malformed", i);
		}
		if (ev[i].revoked_at == 0)
			ev[i].revoked_at = ev[i].issued_before;
	}
	json_decref(root);
	*evp = ev;
	*np = n;
	return 0;
}

/* Remove cached tokens that one of ev[0..n) revokes. */
static void
cache_purge_events(struct gwauth *a, const struct kg_revoke_event *ev, size_t n)
{
	size_t	i, j;

	pthread_mutex_lock(&a->cache_mu);
	for (i = 0; i < a->nsets * CACHE_WAYS; i++) {
		if (a->cache[i].box == NULL)
			continue;
		for (j = 0; j < n; j++)
			if (gw_revent_matches(&ev[j], &a->cache[i].box->id))
				break;
		if (j < n) {
			gw_ident_put(&a->cache[i].box->id);
			a->cache[i].box = NULL;
			a->centries--;
		}
	}
	pthread_mutex_unlock(&a->cache_mu);
}

/* 1 when ev is in a->ev[0..n). Under ev_lock. */
static int
has_event(const struct gwauth *a, size_t n, const struct kg_revoke_event *ev)
{
	size_t	j;

	for (j = 0; j < n; j++)
		if (memcmp(&a->ev[j], ev, sizeof(*ev)) == 0)
			return 1;
	return 0;
}

size_t
gwauth_add_events(struct gwauth *a, const struct kg_revoke_event *ev, size_t n, int replace)
{
	struct kg_revoke_event *nev, *fresh = NULL;
	size_t		  i, added = 0, nfresh = 0, keep;

	pthread_rwlock_wrlock(&a->ev_lock);
	/*
	 * With replace, the old list is dropped, but an event is only "new"
	 * (purged from the cache, told to the listener) when it was not
	 * known before: a full fetch repeats every stored event.
	 */
	keep = a->nev;
	if (n > 0)
		fresh = malloc(n * sizeof(*fresh));
	for (i = 0; i < n; i++)
		if (!has_event(a, keep, &ev[i]) && fresh != NULL)
			fresh[nfresh++] = ev[i];
	if (replace)
		a->nev = 0;
	for (i = 0; i < n; i++) {
		if (has_event(a, a->nev, &ev[i]))
			continue;
		if (a->nev == a->cfg.max_events) {
			/* bounded: forget the oldest (revoked longest ago) */
			memmove(a->ev, a->ev + 1, (a->nev - 1) * sizeof(*a->ev));
			a->nev--;
		}
		if (a->nev == a->evcap) {
			size_t	cap = a->evcap ? a->evcap * 2 : 64;

			if ((nev = realloc(a->ev, cap * sizeof(*nev))) == NULL)
				break;
			a->ev = nev;
			a->evcap = cap;
		}
		a->ev[a->nev++] = ev[i];
		added++;
	}
	if (added > 0 || replace)
		atomic_fetch_add(&a->gen, 1);
	pthread_rwlock_unlock(&a->ev_lock);
	/* after the generation moved: a racing check will not cache */
	if (fresh == NULL && n > 0) {
		/* out of memory: treat them all as new */
		cache_purge_events(a, ev, n);
		if (a->on_revoke != NULL)
			a->on_revoke(a->on_revoke_arg, ev, n);
	} else if (nfresh > 0) {
		cache_purge_events(a, fresh, nfresh);
		if (a->on_revoke != NULL)
			a->on_revoke(a->on_revoke_arg, fresh, nfresh);
	}
	free(fresh);
	return replace ? nfresh : added;
}

void
gwauth_set_revoke_listener(struct gwauth *a, gwauth_revoke_fn fn, void *arg)
{
	pthread_rwlock_wrlock(&a->ev_lock);
	a->on_revoke = fn;
	a->on_revoke_arg = arg;
	pthread_rwlock_unlock(&a->ev_lock);
}

int
gwauth_revoked(struct gwauth *a, const struct gw_ident *id)
{
	int	r;

	pthread_rwlock_rdlock(&a->ev_lock);
	r = revoked_locked(a, id);
	pthread_rwlock_unlock(&a->ev_lock);
	return r;
}

void
gwauth_prune_events(struct gwauth *a, int64_t now_us)
{
	size_t	i, o = 0;
	int64_t	horizon = a->cfg.max_lifetime > 0 ?
		    now_us - a->cfg.max_lifetime * 1000000 : INT64_MIN;

	pthread_rwlock_wrlock(&a->ev_lock);
	for (i = 0; i < a->nev; i++) {
		const struct kg_revoke_event *e = &a->ev[i];

		if ((e->expires_at != 0 && e->expires_at < now_us) ||
		    e->issued_before < horizon)
			continue;	/* every token it could match has expired */
		a->ev[o++] = *e;
	}
	a->nev = o;
	pthread_rwlock_unlock(&a->ev_lock);
}

int64_t
gwauth_events_latest(struct gwauth *a)
{
	int64_t	latest = 0;
	size_t	i;

	pthread_rwlock_rdlock(&a->ev_lock);
	for (i = 0; i < a->nev; i++)
		if (a->ev[i].revoked_at > latest)
			latest = a->ev[i].revoked_at;
	pthread_rwlock_unlock(&a->ev_lock);
	return latest;
}

/* ------------------------------------------------------------------
 * Keys
 * ------------------------------------------------------------------ */

void
gwauth_keys_free(struct jwt_key **keys, size_t n)
{
	size_t	i;

	if (keys == NULL)
		return;
	for (i = 0; i < n; i++)
		jwt_key_free(keys[i]);
	free(keys);
}

int
gwauth_parse_jwks(const char *text, size_t len, struct jwt_key ***keysp, size_t *np,
    struct kg_err *err)
{
	json_t		*root, *arr, *k;
	json_error_t	 jerr;
	struct jwt_key	**keys = NULL, *key;
	struct kg_err	 kerr = { 0 };
	size_t		 i, n = 0;

	*keysp = NULL;
	*np = 0;
	if ((root = json_loadb(text, len, 0, &jerr)) == NULL)
		return kg_errf(err, KG_EBADREQ, "JWKS: %s", jerr.text);
	arr = json_object_get(root, "keys");
	if (!json_is_array(arr) || json_array_size(arr) == 0 ||
	    json_array_size(arr) > 64) {
		json_decref(root);
		return kg_errf(err, KG_EBADREQ, "JWKS: no \"keys\" array (1..64 keys)");
	}
	if ((keys = calloc(json_array_size(arr), sizeof(*keys))) == NULL) {
		json_decref(root);
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	}
	json_array_foreach(arr, i, k) {
		const char *kty = json_string_value(json_object_get(k, "kty"));
		const char *use = json_string_value(json_object_get(k, "use"));
		const char *alg = json_string_value(json_object_get(k, "alg"));

		/* only signature keys for ES256; others are someone else's */
		if (kty == NULL || strcmp(kty, "EC") != 0 ||
		    (use != NULL && strcmp(use, "sig") != 0) ||
		    (alg != NULL && strcmp(alg, "ES256") != 0))
			continue;
		if ((key = jwt_key_from_jwk(k, &kerr)) == NULL)
			continue;
		keys[n++] = key;
	}
	json_decref(root);
	if (n == 0) {
		free(keys);
		return kg_errf(err, KG_EBADREQ, "JWKS: no usable EC P-256 key%s%s",
		    kerr.msg[0] ? ": " : "", kerr.msg);
	}
	*keysp = keys;
	*np = n;
	return 0;
}

static void
keysnap_put(struct keysnap *s)
{
	if (s != NULL && atomic_fetch_sub(&s->refs, 1) == 1) {
		gwauth_keys_free(s->ks.keys, s->ks.n);
		free(s);
	}
}

static struct keysnap *
keysnap_get(struct gwauth *a)
{
	struct keysnap	*s;

	pthread_mutex_lock(&a->keys_mu);
	if ((s = a->keys) != NULL)
		atomic_fetch_add(&s->refs, 1);
	pthread_mutex_unlock(&a->keys_mu);
	return s;
}

static int
has_kid(const struct jwt_keyset *ks, const char *kid)
{
	size_t	i;

	for (i = 0; i < ks->n; i++)
		if (strcmp(jwt_key_kid(ks->keys[i]), kid) == 0)
			return 1;
	return 0;
}

static void
cache_flush(struct gwauth *a)
{
	size_t	i;

	pthread_mutex_lock(&a->cache_mu);
	for (i = 0; i < a->nsets * CACHE_WAYS; i++)
		if (a->cache[i].box != NULL) {
			gw_ident_put(&a->cache[i].box->id);
			a->cache[i].box = NULL;
		}
	a->centries = 0;
	pthread_mutex_unlock(&a->cache_mu);
}

int
gwauth_set_keys(struct gwauth *a, struct jwt_key **keys, size_t n)
{
	struct keysnap	*s, *old;
	size_t		 i;
	int		 removed = 0, changed;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		gwauth_keys_free(keys, n);
		return 0;
	}
	atomic_init(&s->refs, 1);
	s->ks.keys = keys;
	s->ks.n = n;
	pthread_mutex_lock(&a->keys_mu);
	old = a->keys;
	changed = old == NULL || old->ks.n != n;
	if (old != NULL)
		for (i = 0; i < old->ks.n; i++)
			if (!has_kid(&s->ks, jwt_key_kid(old->ks.keys[i])))
				removed = changed = 1;
	a->keys = s;
	if (removed)
		atomic_fetch_add(&a->gen, 1);
	pthread_mutex_unlock(&a->keys_mu);
	keysnap_put(old);
	if (removed)
		cache_flush(a);
	return changed;
}

/* ------------------------------------------------------------------
 * Cache
 * ------------------------------------------------------------------ */

static struct centry *
cache_set(struct gwauth *a, const unsigned char h[32])
{
	uint64_t	v;

	memcpy(&v, h, sizeof(v));
	return &a->cache[(v & (a->nsets - 1)) * CACHE_WAYS];
}

/* Look h up; a live entry returns its box with a new reference. */
static struct ident_box *
cache_get(struct gwauth *a, const unsigned char h[32], int64_t now_s, int *expired)
{
	struct ident_box *b = NULL;
	struct centry	 *set;
	int		  i;

	*expired = 0;
	if (a->nsets == 0)
		return NULL;
	pthread_mutex_lock(&a->cache_mu);
	set = cache_set(a, h);
	for (i = 0; i < CACHE_WAYS; i++) {
		if (set[i].box == NULL || memcmp(set[i].h, h, 32) != 0)
			continue;
		if (set[i].box->id.exp <= now_s) {
			*expired = 1;
			gw_ident_put(&set[i].box->id);
			set[i].box = NULL;
			a->centries--;
			break;
		}
		b = set[i].box;
		box_get(b);
		set[i].used = ++a->tick;
		break;
	}
	pthread_mutex_unlock(&a->cache_mu);
	return b;
}

static void
cache_put(struct gwauth *a, const unsigned char h[32], struct ident_box *b,
    uint64_t gen, int64_t now_s)
{
	struct centry	*set, *victim = NULL;
	int		 i;

	if (a->nsets == 0)
		return;
	pthread_mutex_lock(&a->cache_mu);
	if (atomic_load(&a->gen) != gen)	/* keys/events moved meanwhile */
		goto done;
	set = cache_set(a, h);
	for (i = 0; i < CACHE_WAYS; i++) {
		if (set[i].box != NULL && memcmp(set[i].h, h, 32) == 0)
			goto done;		/* another thread was first */
		if (set[i].box != NULL && set[i].box->id.exp <= now_s) {
			gw_ident_put(&set[i].box->id);
			set[i].box = NULL;
			a->centries--;
		}
		if (set[i].box == NULL) {
			if (victim == NULL || victim->box != NULL)
				victim = &set[i];
		} else if (victim == NULL || (victim->box != NULL &&
		    set[i].used < victim->used)) {
			victim = &set[i];
		}
	}
	if (victim->box != NULL) {
		gw_ident_put(&victim->box->id);
		a->centries--;
	}
	memcpy(victim->h, h, 32);
	box_get(b);
	victim->box = b;
	victim->used = ++a->tick;
	a->centries++;
 done:
	pthread_mutex_unlock(&a->cache_mu);
}

/* ------------------------------------------------------------------
 * Checking a token
 * ------------------------------------------------------------------ */

/* Why jwt_verify refused: the kid is unknown, or anything else. */
static enum gw_reason
verify_failure(const struct jwt_keyset *ks, const char *token, size_t len)
{
	const char	*dot = memchr(token, '.', len);
	unsigned char	 buf[768];
	json_t		*hdr;
	const char	*kid;
	enum gw_reason	 r = GW_R_MALFORMED;
	long		 n;

	if (dot == NULL || (size_t)(dot - token) > 1000 ||
	    (n = kg_b64url_decode(token, (size_t)(dot - token), buf, sizeof(buf))) <= 0)
		return GW_R_MALFORMED;
	if ((hdr = json_loadb((char *)buf, (size_t)n, 0, NULL)) == NULL)
		return GW_R_MALFORMED;
	kid = json_string_value(json_object_get(hdr, "kid"));
	if (kid != NULL && json_is_string(json_object_get(hdr, "alg")))
		r = has_kid(ks, kid) ? GW_R_BAD_SIGNATURE : GW_R_UNKNOWN_KEY;
	json_decref(hdr);
	return r;
}

static int
token_chars_ok(const char *t, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)t[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
			return 0;
	}
	return 1;
}

enum gw_reason
gwauth_check(struct gwauth *a, const char *token, size_t len, int64_t now_us,
    const struct gw_ident **out, int *hit)
{
	unsigned char	 h[32];
	struct keysnap	*ks = NULL;
	struct ident_box *b;
	struct kg_err	 err = { 0 };
	json_t		*claims = NULL;
	const char	*iss;
	uint64_t	 gen;
	int64_t		 now_s = now_us / 1000000;
	enum gw_reason	 r;
	int		 expired;

	*out = NULL;
	*hit = 0;
	if (len < 16 || len > MAX_TOKEN || !token_chars_ok(token, len))
		return GW_R_MALFORMED;
	kg_sha256(token, len, h);
	if ((b = cache_get(a, h, now_s, &expired)) != NULL) {
		*hit = 1;
		*out = &b->id;
		return GW_R_OK;
	}
	if (expired)
		return GW_R_EXPIRED;

	gen = atomic_load(&a->gen);
	if ((ks = keysnap_get(a)) == NULL || ks->ks.n == 0) {
		keysnap_put(ks);
		return GW_R_NO_KEYS;
	}
	if ((claims = jwt_verify(&ks->ks, token, len, &err)) == NULL) {
		r = verify_failure(&ks->ks, token, len);
		keysnap_put(ks);
		return r;
	}
	keysnap_put(ks);
	if ((b = ident_from_claims(claims, &r)) == NULL)
		goto done;
	iss = json_string_value(json_object_get(claims, "iss"));
	if (a->issuer[0] != '\0' && (iss == NULL || strcmp(iss, a->issuer) != 0)) {
		r = GW_R_WRONG_ISSUER;
		goto done;
	}
	if (b->id.exp <= now_s) {
		r = GW_R_EXPIRED;
		goto done;
	}
	if (b->id.iat_us / 1000000 > now_s + a->cfg.leeway) {
		r = GW_R_MALFORMED;	/* issued in the future */
		goto done;
	}
	pthread_rwlock_rdlock(&a->ev_lock);
	if (revoked_locked(a, &b->id))
		r = GW_R_REVOKED;
	pthread_rwlock_unlock(&a->ev_lock);
	if (r != GW_R_OK)
		goto done;
	cache_put(a, h, b, gen, now_s);
	*out = &b->id;
	b = NULL;
 done:
	if (b != NULL)
		gw_ident_put(&b->id);
	json_decref(claims);
	return r;
}

void
gw_token_tag(const char *token, size_t len, char out[17])
{
	static const char	hex[] = "0123456789abcdef";
	unsigned char		h[32];
	int			i;

	kg_sha256(token, len, h);
	for (i = 0; i < 8; i++) {
		out[2 * i] = hex[h[i] >> 4];
		out[2 * i + 1] = hex[h[i] & 15];
	}
	out[16] = '\0';
}

/* ------------------------------------------------------------------
 * Life cycle
 * ------------------------------------------------------------------ */

struct gwauth *
gwauth_new(const struct gwauth_cfg *cfg, struct kg_err *err)
{
	struct gwauth	*a;
	size_t		 sets = 1;

	if ((a = calloc(1, sizeof(*a))) == NULL) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		return NULL;
	}
	a->cfg = *cfg;
	kg_strlcpy(a->issuer, cfg->issuer != NULL ? cfg->issuer : "", sizeof(a->issuer));
	a->cfg.issuer = a->issuer;
	if (a->cfg.max_events == 0)
		a->cfg.max_events = 100000;
	if (cfg->cache_size > 0) {
		while (sets * CACHE_WAYS < cfg->cache_size)
			sets *= 2;
		if ((a->cache = calloc(sets * CACHE_WAYS, sizeof(*a->cache))) == NULL) {
			free(a);
			kg_errf(err, KG_EINTERNAL, "out of memory");
			return NULL;
		}
		a->nsets = sets;
	}
	pthread_mutex_init(&a->keys_mu, NULL);
	pthread_mutex_init(&a->cache_mu, NULL);
	pthread_rwlock_init(&a->ev_lock, NULL);
	atomic_init(&a->gen, 1);
	return a;
}

void
gwauth_free(struct gwauth *a)
{
	if (a == NULL)
		return;
	if (a->nsets > 0)
		cache_flush(a);
	free(a->cache);
	keysnap_put(a->keys);
	free(a->ev);
	pthread_mutex_destroy(&a->keys_mu);
	pthread_mutex_destroy(&a->cache_mu);
	pthread_rwlock_destroy(&a->ev_lock);
	free(a);
}

void
gwauth_info(struct gwauth *a, struct gwauth_info *out)
{
	pthread_mutex_lock(&a->keys_mu);
	out->keys = a->keys != NULL ? a->keys->ks.n : 0;
	pthread_mutex_unlock(&a->keys_mu);
	pthread_rwlock_rdlock(&a->ev_lock);
	out->events = a->nev;
	pthread_rwlock_unlock(&a->ev_lock);
	pthread_mutex_lock(&a->cache_mu);
	out->cache_entries = a->centries;
	pthread_mutex_unlock(&a->cache_mu);
}
