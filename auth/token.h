/*
 * token.h - keygate tokens: ES256-signed JWTs that carry identity, scope
 * and roles, so other services can also verify them offline.
 *
 * Issuing and validating (signature with the pinned algorithm, expiry,
 * revocation events, current state of user/project/roles); auth/ only
 * reads the store: revoking a token is svc_token_revoke's (svc/svc.h).
 * The tokens object holds the signing keys (auth/keyring.h) and the caches
 * (auth/vcache.h, auth/scache.h, auth/catcache.h); it is shared by all
 * worker threads and is thread-safe. Claims: auth/claims.h; which events
 * revoke which tokens: auth/revocation.h.
 *
 * Snapshots: each issue and each validation that reads the store does so
 * in one read transaction, and everything it decides is as of that
 * snapshot's store revision (store_generation). A token carries the
 * revision its issue was checked at (claim "rev"), which is what makes
 * issue and revocation linearizable (auth/revocation.h). The caller
 * context records the revision it was checked at (ctx->rev); a request
 * passes it on (tokens_validate_reply) so one request sees one snapshot. Validation is authoritative: a token
 * whose signature checks out is still refused when it expired, when a
 * revocation event matches it, or when its user, the user's domain, its
 * project (and that project's domain) or its domain is gone or disabled,
 * or when the user no longer holds any role on its scope. The roles and
 * names returned are the current ones, recomputed from the store.
 *
 * Validation cache: a bounded table (cache_size entries, 4-way buckets,
 * least recently used evicted) keyed by SHA-256 of the token (never the
 * token). An entry holds the caller context and the token object as JSON
 * text (~1-2 KB); it is used only while the store revision is unchanged,
 * the key set it was verified with is still loaded and the token has not
 * expired, so any change to users, projects, domains, roles, grants,
 * catalog or revocation events is seen by the next request. Entries are
 * made by validation, not by issue. A small state cache (user, scope
 * target, effective roles per request key and revision) spares the
 * token method and validation misses their queries.
 *
 * 404 texts: Keystone says "Could not recognize Fernet token" for a token
 * it cannot parse; ours are not Fernet tokens, so TOKEN_MSG_UNRECOGNIZED
 * drops that word. "Failed to validate token" is Keystone's text as is.
 */
#ifndef KG_AUTH_TOKEN_H
#define KG_AUTH_TOKEN_H

#include <jansson.h>

#include "auth/ctx.h"
#include "common/err.h"

struct credkeys;
struct store;
struct tokens;

struct token_cfg {
	const char	*key_dir;		/* signing key repository */
	long		 expiration;		/* seconds */
	long		 allow_expired_window;	/* seconds */
	int		 cache_size;		/* validated tokens cached; 0 = off */
	int		 totp_windows;		/* [totp] included_previous_windows */
	long		 receipt_expiration;	/* [receipt] expiration, seconds */
	int		 catalog_filtered_only;	/* no catalog but a filtered
						   project's ([endpoint_filter]
						   return_all_endpoints_if_no_filter
						   false); 0: Keystone's default */
};

/* Keystone's 404 texts for a subject token that fails validation. */
#define TOKEN_MSG_UNRECOGNIZED	"Could not recognize token"
#define TOKEN_MSG_INVALID	"Failed to validate token"

/* Load the keys in cfg->key_dir (which must exist, see auth/keys.h).
 * NULL on failure. */
struct tokens	*tokens_open(const struct token_cfg *cfg, struct kg_err *err);
void		 tokens_close(struct tokens *t);

/*
 * Reload the signing keys from the repository (SIGHUP after "keygate keys
 * rotate"). On failure the old keys stay in use. Returns 0 or -1.
 */
int	tokens_reload(struct tokens *t, struct kg_err *err);

/*
 * Authenticate a request: validate token (never expired, never revoked)
 * against the current state and fill *ctx with the caller; ctx->rev is the
 * store revision it was checked at, the request's snapshot. KG_EUNAUTH on
 * any failure (the message is Keystone's fixed text).
 */
int	tokens_authenticate(struct tokens *t, struct store *st, const char *token,
	    struct kg_ctx *ctx, struct kg_err *err);

/*
 * Validate a subject token (GET/HEAD/DELETE /v3/auth/tokens). With
 * allow_expired, a token expired less than allow_expired_window ago is
 * accepted. Fills *ctx (free with kg_ctx_free) and, when body is not NULL,
 * *body with the token's {"methods": ..., "user": ..., ...} object without
 * catalog (new reference, private to the caller). Fails with KG_ENOTFOUND
 * and TOKEN_MSG_UNRECOGNIZED (not one of our tokens) or TOKEN_MSG_INVALID
 * (expired, revoked, user/project/domain disabled or gone, no roles), or
 * KG_EINTERNAL.
 */
int	tokens_validate(struct tokens *t, struct store *st, const char *token,
	    int allow_expired, struct kg_ctx *ctx, json_t **body, struct kg_err *err);

/*
 * tokens_validate for GET /v3/auth/tokens: *reply (malloc'd) is the whole
 * {"token": {...}} reply as JSON text, with the catalog when with_catalog
 * and the token is scoped. A cached validation builds no JSON tree. rev is
 * the request's snapshot (the caller's ctx->rev) or 0 to read one: a
 * validation cached at rev answers without reading the store; a miss
 * reads it in a snapshot of its own.
 */
int	tokens_validate_reply(struct tokens *t, struct store *st, const char *token,
	    int allow_expired, int with_catalog, int64_t rev,
	    struct kg_ctx *ctx, char **reply, struct kg_err *err);

/*
 * What the password method found (security compliance, auth/compliance.h),
 * for the caller to record through svc/ (svc_user_auth_*): auth/ only
 * reads the store.
 */
enum token_pw_result {
	TOKEN_PW_NONE = 0,	/* no password checked (unknown user, token method) */
	TOKEN_PW_OK,		/* the right password (the issue may still fail) */
	TOKEN_PW_WRONG,		/* a wrong password for user_id */
	TOKEN_PW_LOCKED,	/* refused unhashed: the account is locked */
	TOKEN_PW_INACTIVE	/* right password, user inactive too long */
};

struct token_pw_outcome {
	enum token_pw_result	 result;
	char			 user_id[128];	/* "" when no user was found */
	int			 failures;	/* failed logins on record */
	int64_t			 last_active_at;	/* µs, as read */
};

/*
 * A POST /v3/auth/tokens request once its JSON has been checked. Strings
 * are borrowed (typically from the request body).
 */
struct token_auth {
	const char	*methods[4];		/* as requested, e.g. "password" */
	size_t		 nmethods;
	/* "password" method */
	const char	*user_id;		/* or user_name + a domain */
	const char	*user_name;
	const char	*user_domain_id;
	const char	*user_domain_name;
	const char	*password;
	/* "token" method */
	const char	*token_id;
	/* "totp" method (auth/totp.h): the user by id, or name + a domain,
	 * and the passcode; the credentials' blobs are opened with credkeys */
	const char	*totp_user_id;
	const char	*totp_user_name;
	const char	*totp_user_domain_id;
	const char	*totp_user_domain_name;
	const char	*totp_passcode;
	struct credkeys	*credkeys;
	struct token_pw_outcome *totp_outcome;	/* NULL: not wanted */
	/* Openstack-Auth-Receipt of the request (NULL: none): the methods of
	 * an earlier partial authentication (see tokens_issue) */
	const char	*receipt;
	struct token_receipt *receipt_out;	/* NULL: not wanted */
	/* "application_credential" method: the credential by id, or by name
	 * with its user (by id, or name + domain id or name) */
	const char	*app_cred_id;
	const char	*app_cred_name;
	const char	*app_cred_secret;
	const char	*app_cred_user_id;
	const char	*app_cred_user_name;
	const char	*app_cred_user_domain_id;
	const char	*app_cred_user_domain_name;
	/*
	 * "ec2credential" (POST /v3/ec2tokens; never from the methods of
	 * POST /v3/auth/tokens): the EC2 credential whose signature the
	 * caller checked. Alone; the token is for its user and project, as
	 * the snapshot has them (a credential deleted meanwhile is refused).
	 */
	const char	*ec2_credential_id;
	/* scope: KG_SCOPE_NONE = none requested */
	enum kg_scope_kind scope;
	int		 explicit_unscoped;	/* "scope": "unscoped" */
	const char	*project_id;		/* or project_name + a domain */
	const char	*project_name;
	const char	*project_domain_id;
	const char	*project_domain_name;
	const char	*domain_id;		/* domain scope: id or name */
	const char	*domain_name;
	/* scope "OS-TRUST:trust": {"id": trust_id} (scope stays
	 * KG_SCOPE_NONE; the trust gives the project) */
	const char	*trust_id;
	struct token_pw_outcome *outcome;	/* NULL: not wanted */
	/* Out, optional: when the password matched a legacy hash
	 * (password_needs_upgrade), the user's id and a malloc'd copy of that
	 * hash, for the caller to rehash once the login has succeeded. */
	struct token_rehash	*rehash;
};

struct token_rehash {
	char	 user_id[KG_ID_SIZE];
	char	*old_hash;		/* malloc'd; NULL when nothing to do */
};

/* The authentication methods tokens_issue knows, NULL-terminated. */
extern const char *const tokens_methods[];

/*
 * What a request that authenticated but did not meet the user's
 * multi-factor rules gets instead of a token (Keystone's auth receipt):
 * the receipt for the Openstack-Auth-Receipt header and the 401 body
 * {"receipt": {methods, user, expires_at, issued_at},
 * "required_auth_methods": [[...]]} as JSON text. Both malloc'd; release
 * with token_receipt_free.
 */
struct token_receipt {
	char	*receipt;
	char	*body;
};

void	token_receipt_free(struct token_receipt *r);

/*
 * Authenticate a and issue a token, every check in one read snapshot whose
 * revision the token carries. *token (malloc'd) is the compact JWT
 * for X-Subject-Token, *reply (malloc'd) the {"token": {...}} reply as JSON
 * text, with the catalog when with_catalog and the token is scoped; *ctx
 * (optional, free with kg_ctx_free) the new token's context. Fails with
 * KG_EUNAUTH (bad credentials, disabled user/domain/project, no role on
 * the scope, unsupported method), KG_ENOTFOUND (the token method's token
 * does not validate; an application credential id that does not exist,
 * as Keystone), KG_EFORBID (Keystone's refusals of the token method and of
 * a trust) or KG_EINTERNAL.
 *
 * Methods (issue.c's table, tokens_methods): "password", "token",
 * "application_credential". Each proves a user; several must prove the
 * same one. An application credential also fixes the scope, narrows the
 * roles and caps the expiry, and is written into the claims, where
 * revocation events (auth/revocation.h) and the token body find it; it
 * cannot be combined with a requested scope, a trust's included (401,
 * "Application credentials cannot request a scope.").
 *
 * The password method applies [security_compliance] (compliance_get()),
 * in Keystone's order (identity/backends/sql.py authenticate): a locked
 * account is refused before hashing, "The account is locked for user:
 * <id>."; a wrong password is the generic 401; then a disabled user (or
 * one inactive for disable_user_account_days_inactive) "The account is
 * disabled for user: <id>.", an expired password "The password is
 * expired and needs to be changed for user: <id>." (those three texts
 * are shown, kg_err_shown). a->outcome gets what was found.
 *
 * The totp method (Keystone's TOTP plugin): the user enabled, with its
 * domain, and not inactive; a passcode that matches one of its "totp"
 * credentials (auth/totp.h) now or [totp] included_previous_windows steps
 * before; anything else is the generic 401 ("Invalid username or TOTP
 * passcode" in the log). Beyond Keystone, a locked account is refused
 * ("The account is locked for user: <id>.") and a wrong passcode counts
 * as a failed login (a->totp_outcome, recorded by the caller as the
 * password's).
 *
 * Multi-factor rules (auth/mfa.h): once the methods have proved the user
 * and the scope is loaded, the methods used (with those of the original
 * token for the token method, and those of a valid a->receipt) must meet
 * the user's rules; otherwise KG_EUNAUTH and, when a->receipt_out is set,
 * a new receipt there (Keystone's InsufficientAuthMethods). A receipt is
 * refused (the generic 401) when it does not verify, has expired, names
 * another user than the methods proved, or a revocation event covers it
 * (its user's password changed, the user or its domain disabled or
 * deleted: auth/receipt.h).
 *
 * A trust-scoped token (a->trust_id, auth/trust.h): the authenticated
 * user must be the trust's trustee (403 otherwise); a trust that is gone,
 * expired or used up is a 401 (Keystone's TrustNotFound at issue); a
 * trust-scoped token cannot be used with the token method (403, as
 * Keystone), nor can an application credential's; the token expires with
 * the trust at the latest. Taking one of the trust's uses is the caller's
 * (svc_trust_consume), once the token is issued: auth/ only reads the
 * store.
 */
int	tokens_issue(struct tokens *t, struct store *st, const struct token_auth *a,
	    int with_catalog, char **token, char **reply, struct kg_ctx *ctx,
	    struct kg_err *err);

/*
 * The service catalog as tokens scoped to project_id show it (NULL: a
 * domain or system token; see catcache.h for OS-EP-FILTER):
 * [{"endpoints": [{id, interface, region_id, url, region}], "id", "type",
 * "name"}, ...]. New reference, private to the caller; the whole catalog
 * is built once per store revision.
 */
json_t	*tokens_catalog(struct tokens *t, struct store *st,
	    const char *project_id, struct kg_err *err);

/* {"keys": [public JWK of every loaded key]}; new reference. */
json_t	*tokens_jwks(struct tokens *t);

/*
 * Delete revocation events no live token can match any more (older than
 * the token lifetime plus the allow_expired window). Runs at most once a
 * minute; cheap to call often. Errors are logged.
 */
void	tokens_prune(struct tokens *t, struct store *st);

/* Drop every cached validation (tests). */
void	tokens_cache_clear(struct tokens *t);

/* Cache counters since open (tests, metrics). */
struct token_stats {
	unsigned long	hits;
	unsigned long	misses;
};
void	tokens_stats(struct tokens *t, struct token_stats *out);

#endif /* KG_AUTH_TOKEN_H */
