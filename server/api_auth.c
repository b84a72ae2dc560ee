/*
 * api_auth.c - Keystone's token API (/v3/auth/...), revocation events
 * (OS-REVOKE) and the public keys for offline verification (JWKS).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/accessrule.h"
#include "auth/password.h"
#include "auth/receipt.h"
#include "auth/token.h"
#include "common/log.h"
#include "common/util.h"
#include "server/apijson.h"
#include "server/authguard.h"
#include "server/metrics.h"
#include "server/ptarget.h"
#include "server/views.h"
#include "store/identity.h"
#include "store/revoke.h"
#include "store/scope.h"
#include "store/trust.h"
#include "svc/svc.h"

/* Keystone's ValidationError text (keystone/exception.py). */
#define VALIDATION_TAIL	" The server could not comply with the request since it is" \
	" either malformed or otherwise incorrect. The client is assumed to be in error."

static int
expecting(struct kg_err *err, const char *attribute, const char *target)
{
	return kg_errf(err, KG_EBADREQ, "Expecting to find %s in %s." VALIDATION_TAIL,
	    attribute, target);
}

/*
 * Member key of o when it has JSON type type, else NULL. request_validate
 * checked the body against Keystone's token_issue schema (server/bodies.c),
 * so a member of another type is never seen here; path and err are kept
 * for the callers' symmetry.
 */
static int
opt_member(json_t *o, const char *key, const char *path, json_type type,
    json_t **out, struct kg_err *err)
{
	json_t	*v = json_object_get(o, key);

	(void)path;
	(void)err;
	*out = v != NULL && json_typeof(v) == type ? v : NULL;
	return 0;
}

/* Optional string member (NULL when absent). */
static int
opt_str(json_t *o, const char *key, const char *path, const char **out,
    struct kg_err *err)
{
	json_t	*v;
	int	 rc;

	rc = opt_member(o, key, path, JSON_STRING, &v, err);
	*out = json_string_value(v);
	return rc;
}

/* Optional object member (NULL when absent). */
static int
opt_obj(json_t *o, const char *key, const char *path, json_t **out,
    struct kg_err *err)
{
	return opt_member(o, key, path, JSON_OBJECT, out, err);
}

/* A {"id", "name"} domain reference; one of them is required. */
static int
parse_domain_ref(json_t *d, const char *path, const char **id, const char **name,
    struct kg_err *err)
{
	if (opt_str(d, "id", path, id, err) == -1 ||
	    opt_str(d, "name", path, name, err) == -1)
		return -1;
	if ((*id == NULL || **id == '\0') && (*name == NULL || **name == '\0'))
		return expecting(err, "id or name", "domain");
	if (*id != NULL && **id == '\0')
		*id = NULL;
	return 0;
}

/* The "scope" member of "auth" (Keystone's _validate_and_normalize_scope_data). */
static int
parse_scope(json_t *scope, struct token_auth *a, struct kg_err *err)
{
	json_t	*proj, *dom, *sys, *pd, *tr;
	size_t	 nscope;

	if (json_is_string(scope)) {
		if (strstr(json_string_value(scope), "unscoped") == NULL)
			return expecting(err, "system, project, domain, OS-TRUST:trust "
			    "or unscoped", "scope");
		a->explicit_unscoped = 1;
		return 0;
	}
	nscope = (json_object_get(scope, "project") != NULL) +
	    (json_object_get(scope, "domain") != NULL) +
	    (json_object_get(scope, "system") != NULL) +
	    (json_object_get(scope, "unscoped") != NULL) +
	    (json_object_get(scope, "OS-TRUST:trust") != NULL);
	if (nscope != 1)
		return expecting(err, "system, project, domain, OS-TRUST:trust or "
		    "unscoped", "scope");
	if ((tr = json_object_get(scope, "OS-TRUST:trust")) != NULL) {
		/* Keystone's AuthInfo._lookup_trust */
		if (opt_obj(scope, "OS-TRUST:trust", "scope", &tr, err) == -1 ||
		    opt_str(tr, "id", "scope/OS-TRUST:trust", &a->trust_id,
		    err) == -1)
			return -1;
		if (a->trust_id == NULL || a->trust_id[0] == '\0')
			return expecting(err, "trust_id", "trust");
		return 0;
	}
	if (json_object_get(scope, "unscoped") != NULL) {
		a->explicit_unscoped = 1;
		return 0;
	}
	if (opt_obj(scope, "project", "scope", &proj, err) == -1 ||
	    opt_obj(scope, "domain", "scope", &dom, err) == -1 ||
	    opt_obj(scope, "system", "scope", &sys, err) == -1)
		return -1;
	if (sys != NULL) {
		a->scope = KG_SCOPE_SYSTEM;
		return 0;
	}
	if (dom != NULL) {
		a->scope = KG_SCOPE_DOMAIN;
		return parse_domain_ref(dom, "scope/domain", &a->domain_id,
		    &a->domain_name, err);
	}
	a->scope = KG_SCOPE_PROJECT;
	if (opt_str(proj, "id", "scope/project", &a->project_id, err) == -1 ||
	    opt_str(proj, "name", "scope/project", &a->project_name, err) == -1 ||
	    opt_obj(proj, "domain", "scope/project", &pd, err) == -1)
		return -1;
	if (a->project_name != NULL && a->project_name[0] != '\0') {
		a->project_id = NULL;
		if (pd == NULL)
			return expecting(err, "domain", "project");
		return parse_domain_ref(pd, "scope/project/domain",
		    &a->project_domain_id, &a->project_domain_name, err);
	}
	/* Neither id nor name: Keystone finds no project, a 401. */
	if (a->project_id == NULL || a->project_id[0] == '\0')
		return kg_errf(err, KG_EUNAUTH, "Could not find project: None.");
	return 0;
}

/* The "password" method payload (Keystone's UserAuthInfo). */
static int
parse_password(json_t *pw, struct token_auth *a, struct kg_err *err)
{
	json_t	*user, *dom;

	if (opt_obj(pw, "user", "identity/password", &user, err) == -1)
		return -1;
	if (user == NULL)
		return expecting(err, "user", "password");
	if (opt_str(user, "id", "identity/password/user", &a->user_id, err) == -1 ||
	    opt_str(user, "name", "identity/password/user", &a->user_name, err) == -1 ||
	    opt_str(user, "password", "identity/password/user", &a->password, err) == -1 ||
	    opt_obj(user, "domain", "identity/password/user", &dom, err) == -1)
		return -1;
	if ((a->user_id == NULL || a->user_id[0] == '\0') &&
	    (a->user_name == NULL || a->user_name[0] == '\0'))
		return expecting(err, "id or name", "user");
	if (a->user_name == NULL || a->user_name[0] == '\0')
		return 0;
	a->user_id = NULL;
	if (dom == NULL)
		return expecting(err, "domain", "user");
	return parse_domain_ref(dom, "identity/password/user/domain",
	    &a->user_domain_id, &a->user_domain_name, err);
}

/*
 * The "totp" method payload (Keystone's TOTPUserInfo): the user as the
 * password method names it, and a passcode ("Expecting to find passcode
 * in totp." when missing or empty).
 */
static int
parse_totp(json_t *totp, struct token_auth *a, struct kg_err *err)
{
	const char	*P = "identity/totp/user";
	json_t		*user, *dom;

	if (opt_obj(totp, "user", "identity/totp", &user, err) == -1)
		return -1;
	if (user == NULL)
		return expecting(err, "user", "totp");
	if (opt_str(user, "id", P, &a->totp_user_id, err) == -1 ||
	    opt_str(user, "name", P, &a->totp_user_name, err) == -1 ||
	    opt_str(user, "passcode", P, &a->totp_passcode, err) == -1 ||
	    opt_obj(user, "domain", P, &dom, err) == -1)
		return -1;
	if ((a->totp_user_id == NULL || a->totp_user_id[0] == '\0') &&
	    (a->totp_user_name == NULL || a->totp_user_name[0] == '\0'))
		return expecting(err, "id or name", "user");
	if (a->totp_user_name != NULL && a->totp_user_name[0] != '\0') {
		a->totp_user_id = NULL;
		if (dom == NULL)
			return expecting(err, "domain", "user");
		if (parse_domain_ref(dom, "identity/totp/user/domain",
		    &a->totp_user_domain_id, &a->totp_user_domain_name, err) == -1)
			return -1;
	}
	if (a->totp_passcode == NULL || a->totp_passcode[0] == '\0')
		return expecting(err, "passcode", "totp");
	return 0;
}

/*
 * The "application_credential" method payload: the credential by id, or
 * by name with its user (Keystone's AuthInfo._lookup_app_cred).
 */
static int
parse_app_cred(json_t *ac, struct token_auth *a, struct kg_err *err)
{
	const char	*P = "identity/application_credential";
	const char	*id, *name;
	json_t		*user, *dom;

	if (opt_str(ac, "id", P, &id, err) == -1 ||
	    opt_str(ac, "name", P, &name, err) == -1 ||
	    opt_str(ac, "secret", P, &a->app_cred_secret, err) == -1 ||
	    opt_obj(ac, "user", P, &user, err) == -1)
		return -1;
	if (id != NULL && id[0] != '\0') {
		a->app_cred_id = id;
		return 0;
	}
	if (name == NULL || name[0] == '\0')
		return expecting(err, "name or ID", "application credential");
	a->app_cred_name = name;
	if (user == NULL)
		return expecting(err, "user", "application credential");
	if (opt_str(user, "id", "identity/application_credential/user",
	    &a->app_cred_user_id, err) == -1 ||
	    opt_str(user, "name", "identity/application_credential/user",
	    &a->app_cred_user_name, err) == -1 ||
	    opt_obj(user, "domain", "identity/application_credential/user", &dom,
	    err) == -1)
		return -1;
	if (a->app_cred_user_id != NULL && a->app_cred_user_id[0] != '\0') {
		a->app_cred_user_name = NULL;
		return 0;
	}
	a->app_cred_user_id = NULL;
	if (a->app_cred_user_name == NULL || a->app_cred_user_name[0] == '\0')
		return expecting(err, "id or name", "user");
	if (dom == NULL)
		return expecting(err, "domain", "user");
	return parse_domain_ref(dom, "identity/application_credential/user/domain",
	    &a->app_cred_user_domain_id, &a->app_cred_user_domain_name, err);
}

/* Is m one of the methods tokens_issue knows? */
static int
known_method(const char *m)
{
	size_t	i;

	for (i = 0; tokens_methods[i] != NULL; i++)
		if (strcmp(tokens_methods[i], m) == 0)
			return 1;
	return 0;
}

/*
 * Check the request against Keystone's token_issue schema and AuthInfo
 * rules, filling a. Strings are borrowed from body.
 */
static int
parse_auth(json_t *body, struct token_auth *a, struct kg_err *err)
{
	json_t		*auth, *id, *methods, *m, *tok, *scope;
	const char	*s;
	size_t		 i, j;

	/* request_validate checked Keystone's token_issue schema: the
	 * types below are the schema's. */
	memset(a, 0, sizeof(*a));
	auth = json_object_get(body, "auth");
	id = json_object_get(auth, "identity");
	if (!json_is_object(id) || !json_is_array(methods = json_object_get(id,
	    "methods")))
		return kg_errf(err, KG_EBADREQ, "'identity' is a required property");
	if ((tok = json_object_get(id, "token")) != NULL)
		a->token_id = json_string_value(json_object_get(tok, "id"));
	if ((scope = json_object_get(auth, "scope")) != NULL &&
	    parse_scope(scope, a, err) == -1)
		return -1;
	json_array_foreach(methods, i, m) {
		if ((s = json_string_value(m)) == NULL)
			continue;
		for (j = 0; j < a->nmethods; j++)
			if (strcmp(a->methods[j], s) == 0)
				break;
		if (j < a->nmethods)
			continue;		/* Keystone ignores repeats */
		if (!known_method(s) || a->nmethods == sizeof(a->methods) /
		    sizeof(a->methods[0]))
			return kg_errf(err, KG_EUNAUTH,
			    "Attempted to authenticate with an unsupported method.");
		if (json_object_get(id, s) == NULL)
			return expecting(err, s, "identity");
		if (strcmp(s, "password") == 0 &&
		    parse_password(json_object_get(id, s), a, err) == -1)
			return -1;
		if (strcmp(s, "totp") == 0 &&
		    parse_totp(json_object_get(id, s), a, err) == -1)
			return -1;
		if (strcmp(s, "application_credential") == 0 &&
		    parse_app_cred(json_object_get(id, s), a, err) == -1)
			return -1;
		a->methods[a->nmethods++] = s;
	}
	if (a->nmethods == 0)
		return kg_errf(err, KG_EUNAUTH, "no authentication method");
	return 0;
}

/*
 * The password just logged in against a legacy (plain bcrypt) hash:
 * store it in the current format, which counts every byte. A separate
 * write after the login; if it fails the login stands and the next one
 * tries again.
 */
static void
upgrade_hash(struct req *r, const struct token_rehash *rh, const char *password)
{
	struct kg_err	 err = { 0 };
	char		*hash;
	int		 rc = -1;

	if ((hash = password_hash(password ? password : "",
	    r->srv->cfg.password_hash_rounds, &err)) != NULL) {
		rc = svc_user_rehash_password(r->st, rh->user_id, rh->old_hash,
		    hash, &err);
		kg_wipe(hash, strlen(hash));
		free(hash);
	}
	if (rc == -1)
		log_warn("user %s: password hash not upgraded: %s", rh->user_id,
		    err.msg);
	else if (rc == 1)
		log_info("user %s: password hash upgraded to bcrypt_sha256",
		    rh->user_id);
}

/*
 * What the password method found, recorded through svc/ after the issue's
 * read snapshot ([security_compliance]: the failure counter, the last
 * activity, a user disabled for inactivity) and in the rate limit. These
 * writes never change the answer: one that fails is logged.
 */
static void
record_outcome(struct req *r, const struct token_auth *a,
    const struct token_pw_outcome *o, const struct kg_err *err)
{
	struct kg_err	 e = { 0 };
	const char	*uid = o->user_id[0] != '\0' ? o->user_id : NULL;
	int		 rc = 0;

	if (a->password == NULL)
		return;
	switch (o->result) {
	case TOKEN_PW_NONE:		/* no such user (else: no password checked) */
		if (err->kind == KG_EUNAUTH)
			authguard_record(r, NULL, 0);
		return;
	case TOKEN_PW_LOCKED:
		authguard_record(r, NULL, 0);
		return;
	case TOKEN_PW_WRONG:
		authguard_record(r, uid, 0);
		rc = svc_user_auth_failed(r->st, uid, &e);
		break;
	case TOKEN_PW_OK:
		authguard_record(r, uid, 1);
		/* A write only when there is something to change: most logins
		 * leave no trace (no write lock taken). */
		if (o->failures > 0 || svc_user_activity_due(o->last_active_at))
			rc = svc_user_auth_succeeded(r->st, uid, &e);
		break;
	case TOKEN_PW_INACTIVE:
		authguard_record(r, uid, 1);
		rc = svc_user_disable_inactive(r->st, uid, &e);
		break;
	}
	if (rc == -1 && e.kind != KG_ENOTFOUND)
		log_error("recording a login of user %s: %s", uid, e.msg);
}

/*
 * What the totp method found, as record_outcome does for passwords: a
 * wrong passcode is a failed login (the rate limit; the lockout counter
 * when the user exists). A right one counts as a success only when the
 * login as a whole succeeded (issued): a passcode alone must not reset
 * the failures of a password being guessed, nor a guessed passcode
 * those of another factor.
 */
static void
record_totp(struct req *r, const struct token_pw_outcome *o, int issued,
    int pw_ok)
{
	struct kg_err	 e = { 0 };
	const char	*uid = o->user_id[0] != '\0' ? o->user_id : NULL;
	int		 rc = 0;

	switch (o->result) {
	case TOKEN_PW_WRONG:
		authguard_record(r, uid, 0);
		if (uid != NULL)
			rc = svc_user_auth_failed(r->st, uid, &e);
		break;
	case TOKEN_PW_LOCKED:
		authguard_record(r, NULL, 0);
		break;
	case TOKEN_PW_OK:
		if (!issued || pw_ok)	/* the password's record did it */
			break;
		authguard_record(r, uid, 1);
		if (o->failures > 0 || svc_user_activity_due(o->last_active_at))
			rc = svc_user_auth_succeeded(r->st, uid, &e);
		break;
	default:
		break;
	}
	if (rc == -1 && e.kind != KG_ENOTFOUND)
		log_error("recording a totp login of user %s: %s", uid, e.msg);
}

/*
 * The 401 of a login that needs more methods: Keystone's receipt body,
 * the receipt in Openstack-Auth-Receipt (no WWW-Authenticate, as
 * Keystone's build_receipt).
 */
static int
reply_receipt(struct req *r, struct token_receipt *rc)
{
	r->auth_receipt = rc->receipt;
	r->out_text = rc->body;
	r->out_type = "application/json";
	rc->receipt = rc->body = NULL;
	metrics_auth_failure();
	return 401;
}

/*
 * Take one use of the trust of a token just issued, when the trust counts
 * them (Keystone's consume_use, after the token is made): another issue
 * may have taken the last one meanwhile (403), or the trust may be gone
 * (401); the token is then not handed out.
 */
static int
consume_trust_use(struct req *r, const char *trust_id, struct kg_err *err)
{
	struct kg_trust	tr;
	int		limited;

	if (store_trust_get(r->st, trust_id, &tr, err) == -1) {
		if (err->kind == KG_ENOTFOUND)
			kg_errf(err, KG_EUNAUTH, "trust %s is gone", trust_id);
		return -1;
	}
	limited = tr.remaining_uses != KG_TRUST_UNLIMITED;
	kg_trust_free(&tr);
	return limited ? svc_trust_consume(r->st, trust_id, err) : 0;
}

/*
 * POST /v3/auth/tokens. R_SLOW: a body with a password or a secret (the
 * password and application_credential methods) runs on a hashing thread,
 * since bcrypt takes ~250 ms. R_LIMIT: one with a password is under the
 * failed-login rate limit first.
 */
static int
issue_token(struct req *r, struct kg_err *err)
{
	struct token_pw_outcome	 out, tout;
	struct token_auth	 a;
	struct token_receipt	 receipt = { NULL, NULL };
	struct kg_ctx		 ctx;
	struct token_rehash	 rh = { "", NULL };
	char			*tok, *reply;
	int			 rc;

	if (apij_body(r, err) == NULL || parse_auth(r->body, &a, err) == -1)
		return -1;
	memset(&out, 0, sizeof(out));
	memset(&tout, 0, sizeof(tout));
	a.outcome = &out;
	a.rehash = &rh;
	a.credkeys = r->srv->credkeys;
	a.totp_outcome = &tout;
	a.receipt = req_header(r, RECEIPT_HEADER);
	a.receipt_out = &receipt;
	rc = tokens_issue(r->srv->tokens, r->st, &a,
	    req_query(r, "nocatalog") == NULL, &tok, &reply, &ctx, err);
	record_outcome(r, &a, &out, err);
	if (a.totp_passcode != NULL) {
		record_totp(r, &tout, rc == 0, out.result == TOKEN_PW_OK);
		kg_wipe((char *)(uintptr_t)a.totp_passcode, strlen(a.totp_passcode));
	}
	if (rc == 0 && rh.old_hash != NULL)
		upgrade_hash(r, &rh, a.password);
	free(rh.old_hash);
	/* jansson's own copies: done with them */
	if (a.password != NULL)
		kg_wipe((char *)(uintptr_t)a.password, strlen(a.password));
	if (a.app_cred_secret != NULL)
		kg_wipe((char *)(uintptr_t)a.app_cred_secret,
		    strlen(a.app_cred_secret));
	if (rc == 0 && ctx.trust_id[0] != '\0' &&
	    consume_trust_use(r, ctx.trust_id, err) == -1) {
		kg_wipe(tok, strlen(tok));
		free(tok);
		free(reply);
		rc = -1;
	}
	kg_ctx_free(&ctx);
	if (rc == -1 && receipt.receipt != NULL)
		return reply_receipt(r, &receipt);
	if (rc == -1) {
		if (err->kind == KG_EUNAUTH)
			metrics_auth_failure();
		return -1;
	}
	r->subject_token = tok;
	r->out_text = reply;
	r->out_type = "application/json";
	metrics_token_issued();
	tokens_prune(r->srv->tokens, r->st);
	return 201;
}

/*
 * Validate X-Subject-Token; 404 with Keystone's texts when it fails. With
 * reply, also render the GET reply text (catalog unless ?nocatalog).
 */
static int
subject(struct req *r, int allow_expired, struct kg_ctx *sctx, char **reply,
    struct kg_err *err)
{
	const char	*tok = req_header(r, "X-Subject-Token");
	int		 rc;

	memset(sctx, 0, sizeof(*sctx));
	if (tok == NULL || tok[0] == '\0')
		return kg_errf(err, KG_ENOTFOUND, "No token in the request");
	if (reply != NULL)
		rc = tokens_validate_reply(r->srv->tokens, r->st, tok, allow_expired,
		    req_query(r, "nocatalog") == NULL, r->ctx != NULL ? r->ctx->rev : 0,
		    sctx, reply, err);
	else
		rc = tokens_validate(r->srv->tokens, r->st, tok, allow_expired, sctx,
		    NULL, err);
	/* A credential's token with access rules is shown only to services
	 * that enforce them (keystonemiddleware sends the header), as
	 * Keystone's _validate_token_access_rules. */
	if (rc == 0 && sctx->app_cred_nrules > 0 && !access_rules_supported(
	    req_header(r, "OpenStack-Identity-Access-Rules"))) {
		kg_ctx_free(sctx);
		if (reply != NULL) {
			free(*reply);
			*reply = NULL;
		}
		rc = kg_errf(err, KG_ENOTFOUND, TOKEN_MSG_INVALID);
	}
	if (rc == -1 && err->kind == KG_ENOTFOUND)
		metrics_auth_failure();
	return rc;
}

/* GET and HEAD /v3/auth/tokens */
static int
validate_token(struct req *r, struct kg_err *err)
{
	struct policy_target	 tgt = { 0 };
	struct kg_ctx		 sctx;
	char			*reply = NULL;
	int			 allow_expired;

	allow_expired = req_query_bool(r, "allow_expired", 0) == 1;
	if (subject(r, allow_expired, &sctx, r->head ? NULL : &reply, err) == -1)
		return -1;
	ptarget_token(&tgt, &sctx);
	if (req_authorize(r, r->head ? "identity:check_token" :
	    "identity:validate_token", &tgt, err) == -1 ||
	    (r->subject_token = strdup(req_header(r, "X-Subject-Token"))) == NULL) {
		if (err->kind == KG_OK)
			apij_oom(err);
		kg_ctx_free(&sctx);
		free(reply);
		return -1;
	}
	kg_ctx_free(&sctx);
	r->out_text = reply;		/* NULL for HEAD */
	r->out_type = "application/json";
	metrics_token_validated();
	return 200;
}

/* DELETE /v3/auth/tokens */
static int
revoke_token(struct req *r, struct kg_err *err)
{
	struct policy_target	 tgt = { 0 };
	struct kg_ctx		 sctx;
	int			 rc;

	if (subject(r, 0, &sctx, NULL, err) == -1)
		return -1;
	ptarget_token(&tgt, &sctx);
	rc = req_authorize(r, "identity:revoke_token", &tgt, err);
	if (rc == 0 && (rc = svc_token_revoke(r->st, sctx.audit_id, err)) == 0) {
		metrics_token_revoked();
		tokens_prune(r->srv->tokens, r->st);
	}
	kg_ctx_free(&sctx);
	return rc == -1 ? -1 : 204;
}

/* GET /v3/auth/catalog */
static int
get_catalog(struct req *r, struct kg_err *err)
{
	json_t	*cat;

	if (req_authorize(r, "identity:get_auth_catalog", NULL, err) == -1)
		return -1;
	/* Keystone: only a project-scoped token has a catalog (not system or
	 * domain tokens either). */
	if (r->ctx->scope != KG_SCOPE_PROJECT)
		return kg_errf(err, KG_EFORBID, "A project-scoped token is required to "
		    "produce a service catalog.");
	if ((cat = tokens_catalog(r->srv->tokens, r->st, r->ctx->project_id,
	    err)) == NULL)
		return -1;
	return apij_reply_list(r, "catalog", cat, err);
}

/*
 * A domain as /v3/auth/domains shows it: unlike apij_domain (GET
 * /v3/domains), "tags" is always empty and the other extra attributes
 * are merged in.
 */
static json_t *
domain_json(struct req *r, const struct kg_domain *d)
{
	json_t	*o;

	o = json_pack("{s:s, s:s, s:s, s:b, s:[], s:{}, s:o}", "id", d->id,
	    "name", d->name, "description", d->description ? d->description : "",
	    "enabled", d->enabled, "tags", "options",
	    "links", req_self_link(r, "domains", d->id));
	apij_merge_extra(o, d->extra);
	return o;
}

/* GET /v3/auth/projects and /v3/auth/domains */
static int
list_targets(struct req *r, enum kg_scope_kind kind, struct kg_err *err)
{
	struct kg_project	 p;
	struct kg_domain	 d;
	json_t			*list;
	char			**ids;
	size_t			 n, i;
	int			 rc = 0;

	if (req_authorize(r, kind == KG_SCOPE_PROJECT ? "identity:get_auth_projects" :
	    "identity:get_auth_domains", NULL, err) == -1)
		return -1;
	if (store_scope_targets(r->st, r->ctx->user_id, kind, &ids, &n, err) == -1)
		return -1;
	list = json_array();
	for (i = 0; i < n && rc == 0; i++) {
		if (kind == KG_SCOPE_PROJECT) {
			memset(&p, 0, sizeof(p));
			if ((rc = store_project_get(r->st, ids[i], &p, err)) == 0)
				json_array_append_new(list, apij_project(r, &p));
			kg_project_free(&p);
		} else {
			memset(&d, 0, sizeof(d));
			if ((rc = store_domain_get(r->st, ids[i], &d, err)) == 0)
				json_array_append_new(list, domain_json(r, &d));
			kg_domain_free(&d);
		}
	}
	store_strv_free(ids, n);
	if (rc == -1) {
		json_decref(list);
		return -1;
	}
	return apij_reply_list(r, kind == KG_SCOPE_PROJECT ? "projects" :
	    "domains", list, err);
}

static int
get_projects(struct req *r, struct kg_err *err)
{
	return list_targets(r, KG_SCOPE_PROJECT, err);
}

static int
get_domains(struct req *r, struct kg_err *err)
{
	return list_targets(r, KG_SCOPE_DOMAIN, err);
}

/* GET /v3/auth/system */
static int
get_system(struct req *r, struct kg_err *err)
{
	struct kg_role_ref	*roles;
	size_t			 n;
	json_t			*sys = json_array();

	if (req_authorize(r, "identity:get_auth_system", NULL, err) == -1 ||
	    store_effective_roles(r->st, r->ctx->user_id, KG_SCOPE_SYSTEM, "system",
	    &roles, &n, err) == -1) {
		json_decref(sys);
		return -1;
	}
	free(roles);
	if (n > 0)
		json_array_append_new(sys, json_pack("{s:b}", "all", 1));
	return apij_reply_list(r, "system", sys, err);
}

/* GET /v3/OS-KEYGATE/jwks and /.well-known/jwks.json (no auth). */
static int
get_jwks(struct req *r, struct kg_err *err)
{
	if ((r->out = tokens_jwks(r->srv->tokens)) == NULL)
		return apij_oom(err);
	return 200;
}

static void
set_time(json_t *o, const char *key, int64_t us)
{
	char	buf[KG_TIME_LEN];

	kg_time_fmt(us, buf);
	json_object_set_new(o, key, json_string(buf));
}

/* GET /v3/OS-REVOKE/events[?since=ISO] */
static int
list_revoke_events(struct req *r, struct kg_err *err)
{
	struct kg_revoke_event	*ev;
	const char		*since_s;
	json_t			*list, *o;
	int64_t			 since = 0;
	size_t			 n, i;

	if (req_authorize(r, "identity:list_revoke_events", NULL, err) == -1)
		return -1;
	if ((since_s = req_query(r, "since")) != NULL &&
	    kg_time_parse(since_s, &since) == -1)
		return kg_errf(err, KG_EBADREQ, "invalidate date format %.64s", since_s);
	if (store_revoke_list(r->st, since, &ev, &n, err) == -1)
		return -1;
	list = json_array();
	for (i = 0; i < n; i++) {
		o = json_object();
		set_time(o, "issued_before", ev[i].issued_before);
		set_time(o, "revoked_at", ev[i].revoked_at);
		if (ev[i].user_id[0])
			json_object_set_new(o, "user_id", json_string(ev[i].user_id));
		if (ev[i].project_id[0])
			json_object_set_new(o, "project_id", json_string(ev[i].project_id));
		if (ev[i].domain_id[0])
			json_object_set_new(o, "domain_id", json_string(ev[i].domain_id));
		if (ev[i].role_id[0])
			json_object_set_new(o, "role_id", json_string(ev[i].role_id));
		if (ev[i].audit_id[0])
			json_object_set_new(o, "audit_id", json_string(ev[i].audit_id));
		if (ev[i].audit_chain_id[0])
			json_object_set_new(o, "audit_chain_id",
			    json_string(ev[i].audit_chain_id));
		if (ev[i].trust_id[0])
			json_object_set_new(o, "OS-TRUST:trust_id",
			    json_string(ev[i].trust_id));
		if (ev[i].expires_at != 0)
			set_time(o, "expires_at", ev[i].expires_at);
		/* keygate's extension: see "Token format" in the README. */
		if (ev[i].revision > 0)
			json_object_set_new(o, "OS-KEYGATE:revision",
			    json_integer(ev[i].revision));
		if (ev[i].app_cred_id[0])
			json_object_set_new(o, "OS-KEYGATE:application_credential_id",
			    json_string(ev[i].app_cred_id));
		json_array_append_new(list, o);
	}
	free(ev);
	return apij_reply_list(r, "events", list, err);
}

const struct route api_auth_routes[] = {
	{ "POST",	"/v3/auth/tokens",	issue_token,		R_SLOW | R_LIMIT },
	{ "GET",	"/v3/auth/tokens",	validate_token,		R_AUTH },
	{ "DELETE",	"/v3/auth/tokens",	revoke_token,		R_AUTH },
	{ "GET",	"/v3/auth/catalog",	get_catalog,		R_AUTH },
	{ "GET",	"/v3/auth/projects",	get_projects,		R_AUTH },
	{ "GET",	"/v3/auth/domains",	get_domains,		R_AUTH },
	{ "GET",	"/v3/auth/system",	get_system,		R_AUTH },
	{ "GET",	"/v3/OS-KEYGATE/jwks",	get_jwks,		0 },
	{ "GET",	"/.well-known/jwks.json", get_jwks,		0 },
	{ "GET",	"/v3/OS-REVOKE/events",	list_revoke_events,	R_AUTH },
	{ NULL, NULL, NULL, 0 }
};
