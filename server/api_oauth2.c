/*
 * api_oauth2.c - OAuth 2.0 with application credentials as the clients.
 *
 * Keystone's (since Zed, keystone/api/os_oauth2.py): POST
 * /v3/OS-OAUTH2/token, the client credentials grant (RFC 6749 4.4) with
 * client_secret_basic (the credential's id and secret in "Authorization:
 * Basic"), answering {"access_token", "token_type": "Bearer",
 * "expires_in"} and RFC 6749 errors {"error", "error_description"}; the
 * other methods answer 405 in that shape.
 *
 * Beyond Keystone, so that software outside OpenStack can accept keygate
 * tokens: RFC 7662 introspection (POST /v3/OS-OAUTH2/introspect) and RFC
 * 7009 revocation (POST /v3/OS-OAUTH2/revoke), the client authenticated
 * with an application credential (Basic) or a keygate token (Bearer), and
 * the discovery documents /.well-known/openid-configuration and
 * /.well-known/oauth-authorization-server (RFC 8414).
 *
 * Routes with Basic credentials run on a hashing thread (R_SLOW: the
 * secret is checked with bcrypt); their bodies are forms (R_FORM).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/claims.h"
#include "auth/token.h"
#include "common/util.h"
#include "server/apijson.h"
#include "server/appcred.h"
#include "server/http.h"
#include "server/metrics.h"
#include "server/ptarget.h"
#include "server/views.h"
#include "svc/svc.h"

/* Longest client id and secret accepted in Basic credentials. */
#define BASIC_MAX	8192

/* ------------------------------------------------------------------------
 * RFC 6749 error replies (Keystone's oauth2/handlers.py build_response).
 * --------------------------------------------------------------------- */

/*
 * desc may echo what the client sent (a grant type, an authorization
 * scheme), cut by a %.64s: it is made valid UTF-8 first, since jansson
 * refuses anything else and the reply would go out without a body.
 */
static int
oauth_error(struct req *r, int status, const char *error, const char *desc)
{
	char	text[256];

	snprintf(text, sizeof(text), "%s", desc);
	kg_utf8_repair(text);
	json_decref(r->out);
	r->out = json_pack("{s:s, s:s}", "error", error, "error_description", text);
	return status;
}

/* The Keystone errors of authenticate_for_token as Keystone maps them. */
static int
oauth_auth_failed(struct req *r, const struct kg_err *err)
{
	unsigned int	code = http_status_of(err->kind);

	if (code == 401)
		return oauth_error(r, 401, "invalid_client",
		    "The request you have made requires authentication.");
	if (code == 400)
		return oauth_error(r, 400, "invalid_request", err->msg);
	return oauth_error(r, (int)code, "other_error", "An unknown error occurred "
	    "and failed to get an OAuth2.0 access token.");
}

/* ------------------------------------------------------------------------
 * Forms and client credentials.
 * --------------------------------------------------------------------- */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * The first value of key in the application/x-www-form-urlencoded body
 * (when the request says it is one, as Flask's request.form): *out a
 * malloc'd decoded copy, NULL when absent. -1 when malformed or out of
 * memory.
 */
static int
form_get(struct req *r, const char *key, char **out)
{
	const char	*ct = req_header(r, "Content-Type");
	const char	*p = r->raw, *end, *amp, *eq;
	size_t		 klen = strlen(key), i, o;
	char		*v;
	int		 h, l;

	*out = NULL;
	if (ct == NULL || strncasecmp(ct, "application/x-www-form-urlencoded",
	    33) != 0 || p == NULL)
		return 0;
	end = p + r->rawlen;
	for (; p < end; p = amp + 1) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL || (size_t)(eq - p) != klen ||
		    memcmp(p, key, klen) != 0)
			continue;
		if ((v = malloc((size_t)(amp - eq))) == NULL)
			return -1;
		for (i = 1, o = 0; eq + i < amp; i++) {
			if (eq[i] == '+')
				v[o++] = ' ';
			else if (eq[i] == '%') {
				if (eq + i + 2 >= amp ||
				    (h = hexval((unsigned char)eq[i + 1])) < 0 ||
				    (l = hexval((unsigned char)eq[i + 2])) < 0 ||
				    (h == 0 && l == 0)) {
					kg_wipe(v, o);
					free(v);
					return -1;
				}
				v[o++] = (char)(h << 4 | l);
				i += 2;
			} else
				v[o++] = eq[i];
		}
		v[o] = '\0';
		*out = v;
		return 0;
	}
	return 0;
}

static void
free_secret(char *s)
{
	if (s != NULL) {
		kg_wipe(s, strlen(s));
		free(s);
	}
}

/*
 * "Authorization: Basic base64(id:secret)" (Keystone takes both as
 * werkzeug decodes them: no percent-decoding). Returns 1 with *id and
 * *secret (one malloc'd buffer at *id: free_secret(*id)), 0 when the
 * header is missing (*scheme NULL) or another scheme (*scheme points at
 * it), -1 when the credentials are malformed or empty.
 */
static int
basic_credentials(struct req *r, const char **scheme, char **id, char **secret)
{
	const char	*h = req_header(r, "Authorization"), *b;
	char		*buf, *colon;
	size_t		 n;
	long		 len;

	*scheme = NULL;
	*id = *secret = NULL;
	if (h == NULL)
		return 0;
	while (*h == ' ')
		h++;
	*scheme = h;
	if (strncasecmp(h, "Basic ", 6) != 0)
		return 0;
	for (b = h + 6; *b == ' '; b++)
		;
	n = strlen(b);
	while (n > 0 && b[n - 1] == ' ')
		n--;
	if (n == 0 || n > BASIC_MAX * 2 || (buf = malloc(n + 1)) == NULL)
		return -1;
	if ((len = kg_b64_decode(b, n, buf, n)) < 0 ||
	    memchr(buf, '\0', (size_t)len) != NULL) {
		kg_wipe(buf, n);
		free(buf);
		return -1;
	}
	buf[len] = '\0';
	if ((colon = strchr(buf, ':')) == NULL || colon == buf ||
	    colon[1] == '\0') {
		free_secret(buf);
		return -1;
	}
	*colon = '\0';
	*id = buf;
	*secret = colon + 1;
	return 1;
}

/* The scheme word of an Authorization header, lower-cased (werkzeug's
 * Authorization.type), into out. */
static void
scheme_of(const char *h, char *out, size_t outsz)
{
	size_t	i;

	for (i = 0; h[i] != '\0' && h[i] != ' ' && i + 1 < outsz; i++)
		out[i] = (char)tolower((unsigned char)h[i]);
	out[i] = '\0';
}

/*
 * The token endpoint's client authentication, Keystone's checks and texts.
 * Returns 1 with the credentials, or an error reply's status (401).
 */
static int
client_basic(struct req *r, char **id, char **secret)
{
	const char	*scheme;
	char		 type[32];
	char		 desc[96];
	int		 rc;

	if ((rc = basic_credentials(r, &scheme, id, secret)) == 1)
		return 1;
	if (rc == -1)
		return oauth_error(r, 401, "invalid_client",
		    "OAuth2.0 client authorization is invalid.");
	if (scheme == NULL || *scheme == '\0')
		return oauth_error(r, 401, "invalid_client",
		    "OAuth2.0 client authorization is required.");
	scheme_of(scheme, type, sizeof(type));
	snprintf(desc, sizeof(desc), "OAuth2.0 client authorization type %s is "
	    "not supported.", type);
	return oauth_error(r, 401, "invalid_client", desc);
}

/* Issue a token for the application credential id with secret. */
static int
issue_for(struct req *r, const char *id, const char *secret, char **token,
    struct kg_ctx *ctx, struct kg_err *err)
{
	struct token_auth	 a;
	char			*reply = NULL;
	int			 rc;

	memset(&a, 0, sizeof(a));
	a.methods[0] = "application_credential";
	a.nmethods = 1;
	a.app_cred_id = id;
	a.app_cred_secret = secret;
	rc = tokens_issue(r->srv->tokens, r->st, &a, 0, token, &reply, ctx, err);
	free(reply);
	if (rc == -1 && err->kind == KG_EUNAUTH)
		metrics_auth_failure();
	return rc;
}

/*
 * The client of an introspection or revocation request into *ctx: an
 * application credential (Basic) or a keygate token (Bearer). Returns 1,
 * or an error reply's status.
 */
static int
client_ctx(struct req *r, struct kg_ctx *ctx, struct kg_err *err)
{
	const char	*h = req_header(r, "Authorization"), *tok;
	char		*id, *secret, *token = NULL;
	int		 rc;

	memset(ctx, 0, sizeof(*ctx));
	if (h != NULL && strncasecmp(h, "Bearer ", 7) == 0) {
		for (tok = h + 7; *tok == ' '; tok++)
			;
		if (tokens_authenticate(r->srv->tokens, r->st, tok, ctx, err) == 0 &&
		    appcred_request_allowed(r->st, ctx, "identity", r->method, r->path))
			return 1;
		kg_ctx_free(ctx);
		if (err->kind == KG_EINTERNAL)
			return -1;
		metrics_auth_failure();
		return oauth_error(r, 401, "invalid_client",
		    "The request you have made requires authentication.");
	}
	if ((rc = client_basic(r, &id, &secret)) != 1)
		return rc;
	rc = issue_for(r, id, secret, &token, ctx, err);
	free_secret(id);
	free_secret(token);
	if (rc == -1) {
		if (err->kind == KG_EINTERNAL || err->kind == KG_EUNAVAIL)
			return -1;
		return oauth_error(r, 401, "invalid_client",
		    "The request you have made requires authentication.");
	}
	return 1;
}

/* ------------------------------------------------------------------------
 * The token endpoint.
 * --------------------------------------------------------------------- */

/* POST /v3/OS-OAUTH2/token */
static int
token_post(struct req *r, struct kg_err *err)
{
	struct kg_ctx	 ctx;
	char		*id = NULL, *secret, *grant = NULL, *token = NULL;
	char		 desc[128];
	int64_t		 left;
	int		 status;

	memset(&ctx, 0, sizeof(ctx));
	if ((status = client_basic(r, &id, &secret)) != 1)
		return status;
	if (form_get(r, "grant_type", &grant) == -1) {
		status = oauth_error(r, 400, "invalid_request",
		    "The request body is not a valid form.");
		goto done;
	}
	if (grant == NULL) {
		status = oauth_error(r, 400, "invalid_request",
		    "The parameter grant_type is required.");
		goto done;
	}
	if (strcmp(grant, "client_credentials") != 0) {
		snprintf(desc, sizeof(desc), "The parameter grant_type %.64s is not "
		    "supported.", grant);
		status = oauth_error(r, 400, "unsupported_grant_type", desc);
		goto done;
	}
	if (issue_for(r, id, secret, &token, &ctx, err) == -1) {
		status = err->kind == KG_EINTERNAL || err->kind == KG_EUNAVAIL ? -1 :
		    oauth_auth_failed(r, err);
		goto done;
	}
	/* Keystone answers [token] expiration; keygate the token's own
	 * lifetime, shorter when its credential expires sooner. */
	left = (ctx.expires_at - kg_now_us()) / 1000000;
	json_decref(r->out);
	if ((r->out = json_pack("{s:s, s:s, s:I}", "access_token", token,
	    "token_type", "Bearer", "expires_in", (json_int_t)(left > 0 ? left : 0)))
	    == NULL) {
		status = apij_oom(err);
		goto done;
	}
	if ((r->out_text = json_dumps(r->out, JSON_COMPACT)) == NULL) {
		status = apij_oom(err);
		goto done;
	}
	/* The jansson copy of the token: wiped before it is freed. */
	kg_wipe((char *)(uintptr_t)json_string_value(json_object_get(r->out,
	    "access_token")), strlen(token));
	json_decref(r->out);
	r->out = NULL;
	r->out_type = "application/json";
	r->out_secret = 1;
	metrics_token_issued();
	status = 200;
 done:
	free_secret(id);
	free_secret(token);
	free(grant);
	kg_ctx_free(&ctx);
	return status;
}

/* GET, HEAD, PUT, PATCH, DELETE /v3/OS-OAUTH2/token */
static int
token_other(struct req *r, struct kg_err *err)
{
	return oauth_error(r, 405, "other_error",
	    "The method is not allowed for the requested URL.");
}

/* ------------------------------------------------------------------------
 * Introspection (RFC 7662) and revocation (RFC 7009).
 * --------------------------------------------------------------------- */

/* The "token" parameter, or an error reply's status (400). */
static int
token_param(struct req *r, char **token)
{
	if (form_get(r, "token", token) == -1)
		return oauth_error(r, 400, "invalid_request",
		    "The request body is not a valid form.");
	if (*token == NULL || (*token)[0] == '\0') {
		free_secret(*token);
		*token = NULL;
		return oauth_error(r, 400, "invalid_request",
		    "The parameter token is required.");
	}
	return 1;
}

/* May client see (identity:validate_token) the token of subject s? */
static int
client_may(struct req *r, struct kg_ctx *client, const char *rule,
    const struct kg_ctx *s)
{
	struct policy_target	 tgt = { 0 };
	struct kg_ctx		*saved = r->ctx;
	struct kg_err		 e = { 0 };
	int			 ok;

	ptarget_token(&tgt, s);
	r->ctx = client;
	ok = req_authorize(r, rule, &tgt, &e) == 0;
	r->ctx = saved;
	return ok;
}

static int64_t
body_time(json_t *body, const char *key)
{
	int64_t	us = 0;
	const char *s = json_string_value(json_object_get(body, key));

	if (s == NULL || kg_time_parse(s, &us) == -1)
		return 0;
	return us / 1000000;
}

/* The RFC 7662 reply for an active token of context s and body b. */
static json_t *
introspection(const struct kg_ctx *s, json_t *b)
{
	json_t	*o, *roles;
	size_t	 i;

	o = json_pack("{s:b, s:s, s:s, s:s, s:I, s:I, s:s, s:s}", "active", 1,
	    "token_type", "Bearer", "iss", KG_CLAIMS_ISSUER, "sub", s->user_id,
	    "exp", (json_int_t)(s->expires_at / 1000000),
	    "iat", (json_int_t)body_time(b, "issued_at"),
	    "jti", s->audit_id, "user_domain_id", s->user_domain_id);
	if (o == NULL)
		return NULL;
	json_object_set(o, "username", json_object_get(json_object_get(b, "user"),
	    "name"));
	if (s->app_cred_id[0] != '\0')
		json_object_set_new(o, "client_id", json_string(s->app_cred_id));
	if (s->scope == KG_SCOPE_PROJECT)
		json_object_set_new(o, "project_id", json_string(s->project_id));
	else if (s->scope == KG_SCOPE_DOMAIN)
		json_object_set_new(o, "domain_id", json_string(s->domain_id));
	else if (s->scope == KG_SCOPE_SYSTEM)
		json_object_set_new(o, "system", json_string("all"));
	roles = json_array();
	for (i = 0; roles != NULL && i < s->nroles; i++)
		json_array_append_new(roles, json_string(s->roles[i].name));
	json_object_set_new(o, "roles", roles);
	return o;
}

/* POST /v3/OS-OAUTH2/introspect */
static int
introspect(struct req *r, struct kg_err *err)
{
	struct kg_ctx	 client, s;
	struct kg_err	 verr = { 0 };
	json_t		*body = NULL;
	char		*token = NULL;
	int		 status;

	memset(&s, 0, sizeof(s));
	if ((status = client_ctx(r, &client, err)) != 1)
		return status;
	if ((status = token_param(r, &token)) != 1)
		goto done;
	status = 200;
	/* Inactive: not ours, expired, revoked -- or not the client's to see
	 * (RFC 7662 2.2: say no more than "active": false). */
	if (tokens_validate(r->srv->tokens, r->st, token, 0, &s, &body,
	    &verr) == -1) {
		if (verr.kind == KG_EINTERNAL) {
			*err = verr;
			status = -1;
			goto done;
		}
	} else if (client_may(r, &client, "identity:validate_token", &s)) {
		json_decref(r->out);
		if ((r->out = introspection(&s, body)) == NULL)
			status = apij_oom(err);
		goto done;
	}
	json_decref(r->out);
	r->out = json_pack("{s:b}", "active", 0);
 done:
	json_decref(body);
	free_secret(token);
	kg_ctx_free(&s);
	kg_ctx_free(&client);
	return status;
}

/* POST /v3/OS-OAUTH2/revoke */
static int
revoke(struct req *r, struct kg_err *err)
{
	struct kg_ctx	 client, s;
	struct kg_err	 verr = { 0 };
	char		*token = NULL;
	int		 status, mine;

	memset(&s, 0, sizeof(s));
	if ((status = client_ctx(r, &client, err)) != 1)
		return status;
	if ((status = token_param(r, &token)) != 1)
		goto done;
	/* RFC 7009 2.2: a token that is not valid (any more) is no error. */
	status = 200;
	if (tokens_validate(r->srv->tokens, r->st, token, 0, &s, NULL,
	    &verr) == -1) {
		if (verr.kind == KG_EINTERNAL) {
			*err = verr;
			status = -1;
		}
		goto done;
	}
	/* A token issued to this client (its credential's), or one the
	 * client may revoke through DELETE /v3/auth/tokens. */
	mine = client.app_cred_id[0] != '\0' &&
	    strcmp(client.app_cred_id, s.app_cred_id) == 0;
	if (!mine && !client_may(r, &client, "identity:revoke_token", &s)) {
		status = oauth_error(r, 400, "unauthorized_client",
		    "The client may not revoke this token.");
		goto done;
	}
	if (svc_token_revoke(r->st, s.audit_id, err) == -1) {
		status = -1;
		goto done;
	}
	metrics_token_revoked();
 done:
	free_secret(token);
	kg_ctx_free(&s);
	kg_ctx_free(&client);
	return status;
}

/* ------------------------------------------------------------------------
 * Discovery (OpenID Connect Discovery 1.0, RFC 8414).
 * --------------------------------------------------------------------- */

static json_t *
url(struct req *r, const char *path)
{
	char	base[600], u[700];

	req_base_url(r, base, sizeof(base));
	snprintf(u, sizeof(u), "%s%s", base, path);
	return json_string(u);
}

/* GET /.well-known/openid-configuration, /.well-known/oauth-authorization-server */
static int
discovery(struct req *r, struct kg_err *err)
{
	json_decref(r->out);
	r->out = json_pack("{s:s, s:o, s:o, s:o, s:o, s:[s], s:[s], s:[s], s:[s],"
	    " s:[s], s:[s], s:[s], s:[s], s:[s,s,s,s,s,s,s,s,s,s,s,s,s]}",
	    "issuer", KG_CLAIMS_ISSUER,
	    "token_endpoint", url(r, "/v3/OS-OAUTH2/token"),
	    "introspection_endpoint", url(r, "/v3/OS-OAUTH2/introspect"),
	    "revocation_endpoint", url(r, "/v3/OS-OAUTH2/revoke"),
	    "jwks_uri", url(r, "/.well-known/jwks.json"),
	    "grant_types_supported", "client_credentials",
	    "response_types_supported", "token",
	    "token_endpoint_auth_methods_supported", "client_secret_basic",
	    "introspection_endpoint_auth_methods_supported", "client_secret_basic",
	    "revocation_endpoint_auth_methods_supported", "client_secret_basic",
	    "id_token_signing_alg_values_supported", "ES256",
	    "token_endpoint_auth_signing_alg_values_supported", "ES256",
	    "subject_types_supported", "public",
	    "claims_supported", "iss", "sub", "iat", "exp", "iat_us", "rev",
	    "audit_ids", "methods", "user", "project", "domain", "system", "roles");
	if (r->out == NULL)
		return apij_oom(err);
	return 200;
}

const struct route api_oauth2_routes[] = {
	{ "POST",	"/v3/OS-OAUTH2/token",		token_post,	R_FORM | R_SLOW },
	{ "GET",	"/v3/OS-OAUTH2/token",		token_other,	0 },
	{ "PUT",	"/v3/OS-OAUTH2/token",		token_other,	0 },
	{ "PATCH",	"/v3/OS-OAUTH2/token",		token_other,	0 },
	{ "DELETE",	"/v3/OS-OAUTH2/token",		token_other,	0 },
	{ "POST",	"/v3/OS-OAUTH2/introspect",	introspect,	R_FORM | R_SLOW },
	{ "POST",	"/v3/OS-OAUTH2/revoke",		revoke,		R_FORM | R_SLOW },
	{ "GET",	"/.well-known/openid-configuration", discovery,	0 },
	{ "GET",	"/.well-known/oauth-authorization-server", discovery, 0 },
	{ NULL, NULL, NULL, 0 }
};
