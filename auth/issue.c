/*
 * issue.c - issuing tokens (tokens_issue, see token.h): the
 * authentication methods, scope resolution, audit ids, claims and
 * signature.
 *
 * Methods are rows of one table (method_table below): a name and a function
 * that proves a user in the issue's snapshot and records in struct issue
 * what the token inherits from it (the original token's expiry and audit
 * chain for "token"; the credential's project, roles and expiry for
 * "application_credential"; the EC2 credential's project for
 * "ec2credential", which only POST /v3/ec2tokens uses; nothing for
 * "totp", which only proves the user). A new method is one more row and
 * one more function; api_auth.c parses its payload into struct
 * token_auth. Once the user and scope are loaded, token_mfa_gate applies
 * the user's multi-factor rules (auth/receipt.c) before the signature. A trust is a scope, not a method
 * (Keystone's "OS-TRUST:trust"): once the methods have proved the user,
 * load_trust checks that user is the trustee and takes the trust's
 * subject (auth/trust.h).
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
#include "store/appcred.h"
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

/* What the methods of one issue establish, all in its read snapshot. */
struct issue {
	struct tokens		*t;
	struct store		*st;
	const struct token_auth	*a;
	int64_t			 rev;
	struct subject		 s;		/* user loaded by a method, or later */
	int			 user_loaded;
	char			 user_id[KG_ID_SIZE];	/* proved so far; "" none */
	/* "token" */
	struct kg_ctx		 orig;
	int			 has_orig;
	const char		*chain;		/* audit chain; "" none */
	/* "application_credential" */
	struct kg_appcred	 ac;
	int			 has_ac;
	/* "ec2credential": the credential's project */
	char			 ec2_project_id[KG_ID_SIZE];
	int			 has_ec2;
	int64_t			 exp_cap_us;	/* earliest expiry a method imposes; 0 none */
};

/* A method proved user_id: every method must prove the same user. */
static int
prove_user(struct issue *is, const char *user_id, struct kg_err *err)
{
	if (is->user_id[0] == '\0') {
		kg_strlcpy(is->user_id, user_id, sizeof(is->user_id));
		return 0;
	}
	if (strcmp(is->user_id, user_id) != 0)
		return unauthorized(err, "methods disagree on the user");
	return 0;
}

/*
 * The user a method loaded: kept as the subject's when it is the first,
 * else only compared (several methods must prove one user).
 */
static int
take_user(struct issue *is, struct kg_token_user *u, struct kg_err *err)
{
	int	rc;

	if (!is->user_loaded) {
		is->s.user = *u;
		memset(u, 0, sizeof(*u));
		is->user_loaded = 1;
		return prove_user(is, is->s.user.id, err);
	}
	rc = prove_user(is, u->id, err);
	kg_token_user_free(u);
	return rc;
}

static void
cap_expiry(struct issue *is, int64_t us)
{
	if (us > 0 && (is->exp_cap_us == 0 || us < is->exp_cap_us))
		is->exp_cap_us = us;
}

/* "password": auth_password's user, kept by take_user. */
static int
m_password(struct issue *is, struct kg_err *err)
{
	struct subject	 s;
	int		 rc;

	memset(&s, 0, sizeof(s));
	rc = auth_password(is->st, is->a, &s, err);
	if (rc == 0)
		rc = take_user(is, &s.user, err);
	subject_free(&s);
	return rc;
}

/* "token": the original token, validated as GET /v3/auth/tokens would. */
static int
m_token(struct issue *is, struct kg_err *err)
{
	const struct token_auth	*a = is->a;
	struct kg_ctx		*o = &is->orig;

	/* As Keystone: a bad token is refused as validation refuses it,
	 * 404 "Could not recognize token" / "Failed to validate token". */
	if (token_validate(is->t, is->st, a->token_id, 0, is->rev, o, NULL,
	    err) == -1)
		return -1;
	is->has_orig = 1;
	/* Keystone's token plugin: a delegated token makes no other. */
	if (o->trust_id[0] != '\0')
		return kg_errf(err, KG_EFORBID, "You are not authorized to perform "
		    "the requested action: Using trust-scoped token to create "
		    "another token. Create a new trust-scoped token instead.");
	/* Keystone's token plugin: no project or domain token from a
	 * system-scoped one (ForbiddenAction, 403). */
	if (o->scope == KG_SCOPE_SYSTEM && (a->scope == KG_SCOPE_PROJECT ||
	    a->scope == KG_SCOPE_DOMAIN))
		return kg_errf(err, KG_EFORBID, "You are not authorized to perform "
		    "the requested action: Using a system-scoped token to create a "
		    "project-scoped or domain-scoped token is not allowed.");
	/* An application credential's token makes no other token: its scope
	 * and roles are the credential's (Keystone 22 fails with a 500). */
	if (o->app_cred_nrules > 0)	/* validated without access rules */
		return kg_errf(err, KG_ENOTFOUND, TOKEN_MSG_INVALID);
	if (o->app_cred_id[0] != '\0')
		return kg_errf(err, KG_EFORBID, "You are not authorized to perform "
		    "the requested action: Using a token issued with an application "
		    "credential to create another token. Authenticate with the "
		    "application credential instead.");
	/* Keystone keeps the original's expiry and audit chain. */
	is->chain = o->audit_chain_id[0] != '\0' ? o->audit_chain_id : o->audit_id;
	return prove_user(is, o->user_id, err);
}

/*
 * The application credential of the "application_credential" method: by
 * id (404 when there is none, as Keystone), or by name among its user's
 * (by id, or name in a domain).
 */
static int
lookup_appcred(struct issue *is, struct kg_token_user *cu, struct kg_err *err)
{
	const struct token_auth	*a = is->a;
	struct kg_token_user	 u;
	const char		*uid = a->app_cred_user_id;
	int			 rc;

	if (a->app_cred_id != NULL)
		return store_token_appcred(is->st, a->app_cred_id, NULL, NULL,
		    &is->ac, cu, err);
	memset(&u, 0, sizeof(u));
	if (uid == NULL) {
		if (store_token_user(is->st, NULL, a->app_cred_user_name,
		    a->app_cred_user_domain_id, a->app_cred_user_domain_name, &u,
		    err) == -1) {
			if (err != NULL && err->kind == KG_ENOTFOUND) {
				/* A wrong secret's cost, as for passwords. */
				(void)password_verify(a->app_cred_secret, NULL);
				return unauthorized(err, "unknown user or domain");
			}
			return -1;
		}
		uid = u.id;
	}
	rc = store_token_appcred(is->st, NULL, uid, a->app_cred_name, &is->ac, cu,
	    err);
	kg_token_user_free(&u);
	if (rc == -1 && err != NULL && err->kind == KG_ENOTFOUND) {
		(void)password_verify(a->app_cred_secret, NULL);
		return unauthorized(err, "unknown application credential name");
	}
	return rc;
}

/* "application_credential": Keystone's plugin and AppCredInfo. */
static int
m_app_cred(struct issue *is, struct kg_err *err)
{
	const struct token_auth	*a = is->a;
	struct kg_appcred	*c = &is->ac;
	struct subject		 s;
	int			 rc = -1;

	if (is->has_ac)
		return unauthorized(err, "two application credentials");
	memset(&s, 0, sizeof(s));
	if (lookup_appcred(is, &s.user, err) == -1)
		return -1;
	is->has_ac = 1;
	/* The secret is hashed like a password (bcrypt, the same cost). */
	if (!password_verify(a->app_cred_secret ? a->app_cred_secret : "",
	    c->secret_hash))
		unauthorized(err, "invalid application credential secret");
	else if (c->expires_at != 0 && kg_now_us() >= c->expires_at)
		unauthorized(err, "application credential expired");
	else if (a->scope != KG_SCOPE_NONE || a->explicit_unscoped ||
	    a->trust_id != NULL)
		unauthorized(err, "Application credentials cannot request a scope.");
	else if (subject_check_user(&s, err) == -1)
		unauthorized(err, "user or its domain disabled");
	else {
		/* CVE-2022-2447: no token outlives its credential. */
		cap_expiry(is, c->expires_at);
		rc = take_user(is, &s.user, err);
	}
	kg_token_user_free(&s.user);
	return rc;
}

/*
 * "ec2credential" (POST /v3/ec2tokens only, which checked the request's
 * signature; never one of POST /v3/auth/tokens' methods): the credential
 * as the snapshot has it gives the user and the project (Keystone's EC2
 * tokens are scoped to the credential's project); load_state then needs
 * the user and project enabled and a role there ("User not valid for
 * project.").
 */
static int
m_ec2(struct issue *is, struct kg_err *err)
{
	const struct token_auth	*a = is->a;
	struct kg_credential	 c;
	int			 rc;

	if (a->ec2_credential_id == NULL)
		return kg_errf(err, KG_EUNAUTH,
		    "Attempted to authenticate with an unsupported method.");
	memset(&c, 0, sizeof(c));
	if (store_credential_get(is->st, a->ec2_credential_id, &c, err) == -1) {
		if (err != NULL && err->kind == KG_ENOTFOUND)
			return unauthorized(err, "EC2 credential gone");
		return -1;
	}
	if (strcmp(c.type, "ec2") != 0 || c.project_id[0] == '\0')
		rc = unauthorized(err, "not an EC2 credential with a project");
	else if ((rc = prove_user(is, c.user_id, err)) == 0) {
		kg_strlcpy(is->ec2_project_id, c.project_id,
		    sizeof(is->ec2_project_id));
		is->has_ec2 = 1;
	}
	kg_credential_free(&c);
	return rc;
}

/* "totp": a passcode of one of the user's TOTP credentials (token.h). */
static int
m_totp(struct issue *is, struct kg_err *err)
{
	char	user_id[KG_ID_SIZE];

	if (token_auth_totp(is->t, is->st, is->a, user_id, err) == -1)
		return -1;
	return prove_user(is, user_id, err);
}

static const struct method {
	const char	*name;
	int		(*authenticate)(struct issue *, struct kg_err *);
} method_table[] = {
	{ "password",			m_password },
	{ "token",			m_token },
	{ "application_credential",	m_app_cred },
	{ "ec2credential",		m_ec2 },
	{ "totp",			m_totp },
};

#define NMETHODS	(sizeof(method_table) / sizeof(method_table[0]))

const char *const tokens_methods[] = { "password", "token",
	"application_credential", "totp", NULL };

static const struct method *
method_find(const char *name)
{
	size_t	i;

	for (i = 0; i < NMETHODS; i++)
		if (strcmp(method_table[i].name, name) == 0)
			return &method_table[i];
	return NULL;
}

/*
 * The scope (requested, else the user's default project when usable) and
 * the user's roles on it, for a user already loaded into s.
 */
static int
load_scope(struct store *st, const struct token_auth *a, struct subject *s,
    struct kg_err *err)
{
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
 * A trust-scoped token's subject (auth/trust.h): the user the methods
 * proved (loaded by load_state) must be the trust's trustee; the trust then gives the token's
 * user, project and roles, and its expiry caps the token's (a trust's
 * tokens end with it, so its expiry needs no event).
 */
static int
load_trust(struct issue *is, struct kg_err *err)
{
	struct kg_trust	*chain = NULL;
	struct subject	 ts;
	size_t		 n = 0;
	int		 ret = -1;

	memset(&ts, 0, sizeof(ts));
	/* Keystone: TrustNotFound while authenticating is a 401. */
	if (trust_chain(is->st, is->a->trust_id, 0, &chain, &n, err) == -1) {
		if (err != NULL && err->kind == KG_ENOTFOUND)
			unauthorized(err, err->msg);
		goto done;
	}
	/* keystone/models/token_model.py: "User is not a trustee." */
	if (strcmp(is->user_id, chain[0].trustee_user_id) != 0) {
		log_info("trust %s refused: user %s is not its trustee",
		    chain[0].id, is->user_id);
		kg_errf(err, KG_EFORBID, "You are not authorized to perform the "
		    "requested action.");
		goto done;
	}
	if (trust_subject(is->st, chain, n, &ts, err) == -1) {
		if (err != NULL && err->kind == KG_EUNAUTH)
			unauthorized(err, err->msg);
		goto done;
	}
	subject_free(&is->s);
	is->s = ts;
	memset(&ts, 0, sizeof(ts));
	cap_expiry(is, is->s.trust.expires_at);
	ret = 0;
 done:
	kg_trust_list_free(chain, n);
	subject_free(&ts);
	return ret;
}

/* The user proved by the methods and its scope into is->s. */
static int
load_state(struct issue *is, struct kg_err *err)
{
	struct subject	*s = &is->s;

	if (!is->user_loaded) {
		if (subject_load_user(is->st, is->user_id, s, err) == -1)
			return unauthorized(err, "user gone or disabled");
		is->user_loaded = 1;
	}
	if (is->has_ec2) {
		struct token_auth	b = *is->a;

		b.scope = KG_SCOPE_PROJECT;
		b.explicit_unscoped = 0;
		b.project_id = is->ec2_project_id;
		b.project_name = b.project_domain_id = b.project_domain_name = NULL;
		return load_scope(is->st, &b, s, err);
	}
	if (is->a->trust_id != NULL)
		return load_trust(is, err);
	if (!is->has_ac)
		return load_scope(is->st, is->a, s, err);
	/* The credential's project, and the roles it names that the user
	 * still holds there (Keystone's _get_application_credential_roles). */
	if (subject_load_scope(is->st, KG_SCOPE_PROJECT, is->ac.project_id, NULL,
	    NULL, NULL, s, err) == -1 ||
	    subject_restrict_roles(s, is->ac.roles, is->ac.nroles, err) == -1) {
		if (err == NULL || err->kind != KG_EINTERNAL)
			unauthorized(err, err ? err->msg : "scope");
		return -1;
	}
	return 0;
}

/*
 * The subject for the token method alone, from the state cache when the
 * same user asked for the same scope at this revision.
 */
static int
load_state_cached(struct issue *is, struct kg_err *err)
{
	const struct token_auth	*a = is->a;
	char			 kind[3] = { (char)('0' + a->scope),
				    (char)('0' + a->explicit_unscoped), '\0' };
	const char		*parts[9] = { "i", is->user_id, kind, a->project_id,
				    a->project_name, a->project_domain_id,
				    a->project_domain_name, a->domain_id,
				    a->domain_name };
	unsigned char		 key[32];
	int			 keyed;

	keyed = kg_sha256_strv(parts, 9, key) == 0;
	if (keyed && scache_get(is->t->scache, is->rev, key, &is->s))
		return 0;
	if (load_state(is, err) == -1)
		return -1;
	if (keyed)
		scache_put(is->t->scache, is->rev, key, &is->s);
	return 0;
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
    int64_t exp_s, int64_t rev, const struct token_appcred *ac, char **token,
    struct kg_err *err)
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
	if (ac != NULL) {
		c.app_cred_id = ac->id;
		c.app_cred_name = ac->name;
		c.app_cred_restricted = ac->restricted;
		c.access_rules = (struct kg_access_rule *)(uintptr_t)ac->rules;
		c.naccess_rules = ac->nrules;
	}
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

/* Run every method of a, in order, then load the user and scope. */
static int
authenticate(struct issue *is, const char **m, size_t *nm, struct kg_err *err)
{
	const struct token_auth	*a = is->a;
	const struct method	*meth;
	size_t			 i;
	int			 token_only;

	for (i = 0; i < a->nmethods; i++)
		if (method_find(a->methods[i]) == NULL)
			return kg_errf(err, KG_EUNAUTH,
			    "Attempted to authenticate with an unsupported method.");
	if (a->nmethods == 0)
		return kg_errf(err, KG_EUNAUTH, "no authentication method");
	/* An EC2 token is made by its method alone. */
	if (a->ec2_credential_id != NULL && (a->nmethods != 1 ||
	    strcmp(a->methods[0], "ec2credential") != 0))
		return kg_errf(err, KG_EUNAUTH,
		    "Attempted to authenticate with an unsupported method.");
	for (i = 0; i < a->nmethods && *nm < KG_MAX_METHODS; i++)
		m[(*nm)++] = a->methods[i];
	for (i = 0; i < a->nmethods; i++) {
		meth = method_find(a->methods[i]);
		if (meth->authenticate(is, err) == -1)
			return -1;
	}
	if (is->has_orig)
		merge_methods(m, nm, &is->orig);
	token_only = a->nmethods == 1 && is->has_orig && a->trust_id == NULL;
	return token_only ? load_state_cached(is, err) : load_state(is, err);
}

int
tokens_issue(struct tokens *t, struct store *st, const struct token_auth *a,
    int with_catalog, char **token, char **reply, struct kg_ctx *ctx,
    struct kg_err *err)
{
	struct issue		 is;
	struct token_appcred	 ac, *acp = NULL;
	struct receipt_hold	*hold = NULL;
	const char		*methods[KG_MAX_METHODS];
	char			*body = NULL, aid[KG_AUDIT_SIZE];
	int64_t			 iat_us, exp_s;
	size_t			 nmethods = 0;
	int			 ret = -1, tx = 0;

	*token = NULL;
	*reply = NULL;
	memset(&is, 0, sizeof(is));
	is.t = t;
	is.st = st;
	is.a = a;
	is.chain = "";
	if (ctx != NULL)
		memset(ctx, 0, sizeof(*ctx));

	/* One snapshot for every check; the token carries its revision. */
	if ((tx = store_read_begin(st, err)) == -1 ||
	    token_revision(st, &is.rev, err) == -1 ||
	    authenticate(&is, methods, &nmethods, err) == -1)
		goto done;
	/* Multi-factor rules of the user the methods proved (a trust's
	 * trustee), with an auth receipt's methods; not for EC2 (as
	 * Keystone's ec2tokens). */
	if (!is.has_ec2 && token_mfa_gate(t, st, is.rev, a, is.user_id, methods,
	    &nmethods, &hold, err) == -1)
		goto done;
	if (new_audit_id(aid) == -1) {
		kg_errf(err, KG_EINTERNAL, "random source failed");
		goto done;
	}
	iat_us = kg_now_us();
	exp_s = is.has_orig ? is.orig.expires_at / 1000000 :
	    iat_us / 1000000 + t->cfg.expiration;
	if (is.exp_cap_us != 0 && is.exp_cap_us / 1000000 < exp_s)
		exp_s = is.exp_cap_us / 1000000;
	if (is.has_ac) {
		ac.id = is.ac.id;
		ac.name = is.ac.name;
		ac.restricted = is.ac.unrestricted != 1;
		ac.rules = is.ac.rules;
		ac.nrules = is.ac.nrules;
		acp = &ac;
	}
	if (sign(t, &is.s, methods, nmethods, aid, is.chain, iat_us, exp_s, is.rev,
	    acp, token, err) == -1)
		goto done;
	/*
	 * Not cached here: an entry costs ~2 KB for a token that may never be
	 * validated (token-method clients mint many); the first validation
	 * pays one signature check instead.
	 */
	if ((body = tokenbody_text(&is.s, methods, nmethods, aid, is.chain,
	    iat_us / 1000000, exp_s, acp)) == NULL) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		goto done;
	}
	if ((ctx != NULL && token_ctx(&is.s, aid, is.chain, methods, nmethods, exp_s,
	    is.rev, acp, ctx, err) == -1) ||
	    (*reply = token_reply(t, st, is.rev, body, with_catalog &&
	    is.s.scope != KG_SCOPE_NONE, is.s.scope == KG_SCOPE_PROJECT ?
	    is.s.tgt.id : NULL, err)) == NULL)
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
	kg_ctx_free(&is.orig);
	kg_appcred_free(&is.ac);
	receipt_hold_free(hold);
	free(body);
	subject_free(&is.s);
	return ret;
}
