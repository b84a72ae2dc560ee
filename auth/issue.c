/*
 * issue.c - issuing tokens (tokens_issue, see token.h): the password and
 * token methods, scope resolution, audit ids, claims and signature.
 *
 * Every check of an issue runs in one read snapshot, and the token
 * carries that snapshot's store revision (claim "rev"): a revocation that
 * commits after the snapshot has a higher revision and covers the token
 * even if the token is signed after the revocation's time (bcrypt alone
 * takes ~250 ms between the password check and the signature). See
 * auth/revocation.h.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "auth/claims.h"
#include "auth/compliance.h"
#include "auth/keyring.h"
#include "auth/password.h"
#include "auth/scache.h"
#include "auth/token_int.h"
#include "auth/tokenbody.h"
#include "auth/trust.h"
#include "common/log.h"
#include "common/util.h"
#include "store/compliance.h"
#include "store/credential.h"
#include "store/scope.h"
#include "store/trust.h"

#define AUDIT_LEN	22		/* base64url of 16 random bytes */
#define AUDIT_POOL	512

/*
 * Random bytes for audit ids come from a per-thread pool refilled
 * AUDIT_POOL bytes at a time: each RAND_bytes call costs a getpid()
 * syscall and a DRBG round (~5% of a token-method issue). Audit ids are
 * public (every token body shows them), so the pool holds nothing secret;
 * a forked child empties its copy (pthread_atfork) so it cannot repeat
 * its parent's ids.
 */
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
new_audit_id(char out[KG_AUDIT_SIZE])
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
	if (kg_b64url_encode(b, 16, out, KG_AUDIT_SIZE) != AUDIT_LEN)
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

static void
outcome(const struct token_auth *a, enum token_pw_result r, const char *user_id)
{
	if (a->outcome == NULL)
		return;
	a->outcome->result = r;
	kg_strlcpy(a->outcome->user_id, user_id, sizeof(a->outcome->user_id));
}

/*
 * Password method: the user and its domain are loaded into s. The order
 * and texts are Keystone's (token.h), with [security_compliance].
 */
static int
auth_password(struct store *st, const struct token_auth *a, struct subject *s,
    struct kg_err *err)
{
	const struct compliance		*c = compliance_get();
	struct compliance_failures	 f;
	struct compliance_opts		 o;
	struct kg_user_auth		 ua;
	int64_t				 now = kg_now_us();
	int				 inactive;

	if (store_token_user(st, a->user_id, a->user_name, a->user_domain_id,
	    a->user_domain_name, &s->user, err) == -1) {
		if (err != NULL && err->kind == KG_ENOTFOUND) {
			/* A wrong password's cost: no timing oracle for names. */
			(void)password_verify(a->password, NULL);
			return unauthorized(err, "unknown user or domain");
		}
		return -1;
	}
	if (store_user_auth_get(st, s->user.id, &ua, err) == -1)
		return -1;
	compliance_user_options(ua.extra, &o);
	f.count = ua.failed_auth_count;
	f.at = ua.failed_auth_at;
	inactive = compliance_inactive(c, ua.last_active_at, ua.created_at, &o,
	    now);
	if (a->outcome != NULL) {
		a->outcome->failures = f.count;
		a->outcome->last_active_at = ua.last_active_at;
	}
	kg_user_auth_free(&ua);
	if (compliance_locked(c, &f, &o, now)) {
		outcome(a, TOKEN_PW_LOCKED, s->user.id);
		log_info("authentication refused: account locked");
		return kg_err_shown(err, "The account is locked for user: %s.",
		    s->user.id);
	}
	if (!password_verify(a->password ? a->password : "", s->user.password_hash)) {
		outcome(a, TOKEN_PW_WRONG, s->user.id);
		return unauthorized(err, "invalid password");
	}
	if (a->rehash != NULL && password_needs_upgrade(s->user.password_hash)) {
		kg_strlcpy(a->rehash->user_id, s->user.id, sizeof(a->rehash->user_id));
		free(a->rehash->old_hash);
		a->rehash->old_hash = strdup(s->user.password_hash);
	}
	outcome(a, inactive && s->user.enabled ? TOKEN_PW_INACTIVE : TOKEN_PW_OK,
	    s->user.id);
	if (!s->user.enabled || inactive) {
		log_info("authentication refused: user disabled%s",
		    inactive ? " (inactive)" : "");
		return kg_err_shown(err, "The account is disabled for user: %s.",
		    s->user.id);
	}
	if (subject_check_user(s, err) == -1)
		return unauthorized(err, "user or its domain disabled");
	if (s->user.password_expires_at != 0 && !o.ignore_password_expiry &&
	    now >= s->user.password_expires_at) {
		log_info("authentication refused: password expired");
		return kg_err_shown(err, "The password is expired and needs to be "
		    "changed for user: %s.", s->user.id);
	}
	return 0;
}

/*
 * The user (password method, or user_id from the token method) and the
 * scope (requested, else the user's default project when usable) into s.
 */
static int
load_state(struct store *st, const struct token_auth *a, int pw,
    const char *user_id, struct subject *s, struct kg_err *err)
{
	if (pw) {
		if (auth_password(st, a, s, err) == -1)
			return -1;
		if (user_id != NULL && strcmp(s->user.id, user_id) != 0)
			return unauthorized(err, "methods disagree on the user");
	} else if (subject_load_user(st, user_id, s, err) == -1)
		return unauthorized(err, "token method: user gone or disabled");

	if (a->scope != KG_SCOPE_NONE) {
		if (subject_load_scope(st, a->scope, a->scope == KG_SCOPE_DOMAIN ?
		    a->domain_id : a->project_id, a->scope == KG_SCOPE_DOMAIN ?
		    a->domain_name : a->project_name, a->project_domain_id,
		    a->project_domain_name, s, err) == -1) {
			if (err == NULL || err->kind != KG_EINTERNAL)
				unauthorized(err, err ? err->msg : "scope");
			return -1;
		}
	} else if (!a->explicit_unscoped && s->user.default_project_id[0] != '\0') {
		if (subject_load_scope(st, KG_SCOPE_PROJECT, s->user.default_project_id,
		    NULL, NULL, NULL, s, err) == -1) {
			if (err != NULL && err->kind == KG_EINTERNAL)
				return -1;
			/* As Keystone: fall back to an unscoped token. */
			log_info("default project %s of user %s unusable: unscoped token",
			    s->user.default_project_id, s->user.id);
			subject_unscope(s);
			kg_err_clear(err);
		}
	}
	return 0;
}

/*
 * The subject for the token method alone, from the state cache when the
 * same user asked for the same scope at this revision.
 */
static int
load_state_cached(struct tokens *t, struct store *st, int64_t rev,
    const struct token_auth *a, const char *user_id, struct subject *s,
    struct kg_err *err)
{
	char		 kind[3] = { (char)('0' + a->scope),
			    (char)('0' + a->explicit_unscoped), '\0' };
	const char	*parts[9] = { "i", user_id, kind, a->project_id,
			    a->project_name, a->project_domain_id,
			    a->project_domain_name, a->domain_id, a->domain_name };
	unsigned char	 key[32];
	int		 keyed;

	keyed = kg_sha256_strv(parts, 9, key) == 0;
	if (keyed && scache_get(t->scache, rev, key, s))
		return 0;
	if (load_state(st, a, 0, user_id, s, err) == -1)
		return -1;
	if (keyed)
		scache_put(t->scache, rev, key, s);
	return 0;
}

/*
 * "ec2credential": the credential as the snapshot has it gives the user
 * and the project (Keystone's EC2 tokens are scoped to the credential's
 * project); the user and project must be enabled and the user hold a role
 * there ("User not valid for project.").
 */
static int
load_ec2(struct store *st, const struct token_auth *a, struct subject *s,
    struct kg_err *err)
{
	struct kg_credential	c;
	struct token_auth	b = *a;
	int			rc;

	memset(&c, 0, sizeof(c));
	if (store_credential_get(st, a->ec2_credential_id, &c, err) == -1) {
		if (err != NULL && err->kind == KG_ENOTFOUND)
			return unauthorized(err, "EC2 credential gone");
		return -1;
	}
	if (strcmp(c.type, "ec2") != 0 || c.project_id[0] == '\0') {
		kg_credential_free(&c);
		return unauthorized(err, "not an EC2 credential with a project");
	}
	b.scope = KG_SCOPE_PROJECT;
	b.explicit_unscoped = 0;
	b.project_id = c.project_id;
	b.project_name = b.project_domain_id = b.project_domain_name = NULL;
	rc = load_state(st, &b, 0, c.user_id, s, err);
	kg_credential_free(&c);
	return rc;
}

/*
 * A trust-scoped token's subject (auth/trust.h): the user authenticates
 * (password, or user_id from the token method) and must be the trust's
 * trustee; the trust then gives the token's user, project and roles.
 */
static int
load_trust(struct store *st, const struct token_auth *a, int pw,
    const char *user_id, struct subject *s, struct kg_err *err)
{
	struct subject	 u;
	struct kg_trust	*chain = NULL;
	size_t		 n = 0;
	int		 ret = -1;

	memset(&u, 0, sizeof(u));
	if (pw) {
		if (auth_password(st, a, &u, err) == -1)
			goto done;
		if (user_id != NULL && strcmp(u.user.id, user_id) != 0) {
			unauthorized(err, "methods disagree on the user");
			goto done;
		}
	} else if (subject_load_user(st, user_id, &u, err) == -1) {
		unauthorized(err, "token method: user gone or disabled");
		goto done;
	}
	/* Keystone: TrustNotFound while authenticating is a 401. */
	if (trust_chain(st, a->trust_id, 0, &chain, &n, err) == -1) {
		if (err != NULL && err->kind == KG_ENOTFOUND)
			unauthorized(err, err->msg);
		goto done;
	}
	/* keystone/models/token_model.py: "User is not a trustee." */
	if (strcmp(u.user.id, chain[0].trustee_user_id) != 0) {
		log_info("trust %s refused: user %s is not its trustee",
		    chain[0].id, u.user.id);
		kg_errf(err, KG_EFORBID, "You are not authorized to perform the "
		    "requested action.");
		goto done;
	}
	if (trust_subject(st, chain, n, s, err) == -1) {
		if (err != NULL && err->kind == KG_EUNAUTH)
			unauthorized(err, err->msg);
		goto done;
	}
	ret = 0;
 done:
	kg_trust_list_free(chain, n);
	subject_free(&u);
	return ret;
}

/* Add the methods of the original token (token method) to m, no repeats. */
static void
merge_methods(const char **m, size_t *n, const struct kg_ctx *orig)
{
	size_t	i, j;

	for (i = 0; i < orig->nmethods && *n < KG_MAX_METHODS; i++) {
		for (j = 0; j < *n; j++)
			if (strcmp(m[j], orig->methods[i]) == 0)
				break;
		if (j == *n)
			m[(*n)++] = orig->methods[i];
	}
}

/* Sign the claims of a token for s; *token is the compact JWT. */
static int
sign(struct tokens *t, const struct subject *s, const char *const *methods,
    size_t nmethods, const char *aid, const char *chain, int64_t iat_us,
    int64_t exp_s, int64_t rev, char **token, struct kg_err *err)
{
	struct keyring_keys	*keys;
	struct kg_claims	 c;
	char			*text;
	size_t			 i;

	memset(&c, 0, sizeof(c));
	c.iss = KG_CLAIMS_ISSUER;
	c.user_id = s->user.id;
	c.user_name = s->user.name;
	c.user_domain_id = s->user.domain_id;
	c.user_domain_name = s->user.domain_name;
	c.scope = s->scope;
	if (s->scope == KG_SCOPE_PROJECT || s->scope == KG_SCOPE_DOMAIN) {
		c.scope_id = s->tgt.id;
		c.scope_name = s->tgt.name;
	}
	if (s->scope == KG_SCOPE_PROJECT) {
		c.scope_domain_id = s->tgt.domain_id;
		c.scope_domain_name = s->tgt.domain_name;
	}
	c.audit_id = aid;
	c.audit_chain_id = chain;
	for (i = 0; i < nmethods; i++)
		c.methods[c.nmethods++] = methods[i];
	c.roles = s->roles;
	c.nroles = s->nroles;
	c.iat = iat_us / 1000000;
	c.exp = exp_s;
	c.iat_us = iat_us;
	c.rev = rev;
	c.trust_id = s->trust.id;
	c.trustor_id = s->trust.trustor_id;
	c.trustee_id = s->trust.trustee_id;
	c.trust_impersonation = s->trust.impersonation;
	if ((text = claims_write(&c)) == NULL)
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	keys = keyring_acquire(t->keys);
	*token = jwt_sign_text(keys->primary, text, strlen(text), err);
	keyring_release(t->keys, keys);
	free(text);
	if (*token == NULL)
		return kg_errf(err, KG_EINTERNAL, "cannot sign the token");
	return 0;
}

int
tokens_issue(struct tokens *t, struct store *st, const struct token_auth *a,
    int with_catalog, char **token, char **reply, struct kg_ctx *ctx,
    struct kg_err *err)
{
	struct subject	 s;
	struct kg_ctx	 orig;
	const char	*methods[KG_MAX_METHODS], *chain = "";
	char		*body = NULL, aid[KG_AUDIT_SIZE];
	int64_t		 rev, iat_us, exp_s;
	size_t		 i, nmethods = 0;
	int		 ret = -1, pw, tk, ec2, tx = 0;

	*token = NULL;
	*reply = NULL;
	memset(&s, 0, sizeof(s));
	memset(&orig, 0, sizeof(orig));
	if (ctx != NULL)
		memset(ctx, 0, sizeof(*ctx));
	pw = has_method(a, "password");
	tk = has_method(a, "token");
	ec2 = a->ec2_credential_id != NULL;
	for (i = 0; i < a->nmethods; i++) {
		if (ec2 ? a->nmethods == 1 &&
		    strcmp(a->methods[i], "ec2credential") == 0 :
		    strcmp(a->methods[i], "password") == 0 ||
		    strcmp(a->methods[i], "token") == 0)
			continue;
		return kg_errf(err, KG_EUNAUTH,
		    "Attempted to authenticate with an unsupported method.");
	}
	if (!pw && !tk && !ec2)
		return kg_errf(err, KG_EUNAUTH, "no authentication method");
	for (i = 0; i < a->nmethods && nmethods < KG_MAX_METHODS; i++)
		methods[nmethods++] = a->methods[i];

	/* One snapshot for every check; the token carries its revision. */
	if ((tx = store_read_begin(st, err)) == -1 ||
	    token_revision(st, &rev, err) == -1)
		goto done;
	if (tk) {
		/* As Keystone: a bad token is refused as validation refuses it,
		 * 404 "Could not recognize token" / "Failed to validate token". */
		if (token_validate(t, st, a->token_id, 0, rev, &orig, NULL, err) == -1)
			goto done;
		/* Keystone's token plugin: a delegated token makes no other. */
		if (orig.trust_id[0] != '\0') {
			kg_errf(err, KG_EFORBID, "You are not authorized to perform the "
			    "requested action: Using trust-scoped token to create "
			    "another token. Create a new trust-scoped token instead.");
			goto done;
		}
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
		merge_methods(methods, &nmethods, &orig);
		chain = orig.audit_chain_id[0] != '\0' ? orig.audit_chain_id :
		    orig.audit_id;
	}
	if (ec2) {
		if (load_ec2(st, a, &s, err) == -1)
			goto done;
	} else if (a->trust_id != NULL) {
		if (load_trust(st, a, pw, tk ? orig.user_id : NULL, &s, err) == -1)
			goto done;
	} else if (tk && !pw) {
		if (load_state_cached(t, st, rev, a, orig.user_id, &s, err) == -1)
			goto done;
	} else if (load_state(st, a, pw, tk ? orig.user_id : NULL, &s, err) == -1)
		goto done;

	if (new_audit_id(aid) == -1) {
		kg_errf(err, KG_EINTERNAL, "random source failed");
		goto done;
	}
	iat_us = kg_now_us();
	exp_s = tk ? orig.expires_at / 1000000 : iat_us / 1000000 + t->cfg.expiration;
	/* A trust's tokens end with it, so its expiry needs no event. */
	if (s.trust.expires_at != 0 && s.trust.expires_at / 1000000 < exp_s)
		exp_s = s.trust.expires_at / 1000000;
	if (sign(t, &s, methods, nmethods, aid, chain, iat_us, exp_s, rev, token,
	    err) == -1)
		goto done;
	/*
	 * Not cached here: an entry costs ~2 KB for a token that may never be
	 * validated (token-method clients mint many); the first validation
	 * pays one signature check instead.
	 */
	if ((body = tokenbody_text(&s, methods, nmethods, aid, chain,
	    iat_us / 1000000, exp_s)) == NULL) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		goto done;
	}
	if ((ctx != NULL && token_ctx(&s, aid, chain, methods, nmethods, exp_s, rev,
	    ctx, err) == -1) ||
	    (*reply = token_reply(t, st, rev, body, with_catalog &&
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
		if (ctx != NULL)
			kg_ctx_free(ctx);
	}
	kg_ctx_free(&orig);
	free(body);
	subject_free(&s);
	return ret;
}
