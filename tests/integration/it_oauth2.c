/*
 * it_oauth2.c - OAuth 2.0 over HTTP with application credentials as the
 * clients: Keystone's POST /v3/OS-OAUTH2/token (client_secret_basic, the
 * reply, every error Keystone's tests check, 405 for other methods), and
 * keygate's RFC 7662 introspection, RFC 7009 revocation and the discovery
 * documents.
 */
#include <openssl/evp.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/util.h"
#include "tests/integration/it_identity.h"

static struct it_server	s;

/* "Authorization: Basic base64(user:pass)" into a static buffer. */
static const char *
basic(const char *user, const char *pass)
{
	static char	hdr[1024];
	char		raw[600];
	unsigned char	b64[900];
	int		n;

	n = snprintf(raw, sizeof(raw), "%s:%s", user ? user : "", pass ? pass : "");
	if (n < 0 || (size_t)n >= sizeof(raw))
		n = 0;
	EVP_EncodeBlock(b64, (const unsigned char *)raw, n);
	snprintf(hdr, sizeof(hdr), "Authorization: Basic %s", b64);
	return hdr;
}

/* POST a form to path with the Authorization header auth (or NULL). */
static long
form(const char *path, const char *auth, const char *body, struct it_resp *r)
{
	const char	*h[3] = { "Content-Type: application/x-www-form-urlencoded",
			    auth, NULL };

	it_req(&s, "POST", path, NULL, body ? body : "", h, r);
	return r->status;
}

static long
token_req(const char *auth, const char *body, struct it_resp *r)
{
	return form("/v3/OS-OAUTH2/token", auth, body, r);
}

/* The OAuth error pair of r. */
static int
is_error(const struct it_resp *r, long status, const char *error,
    const char *desc)
{
	const char	*e = it_str(r->json, "error"), *d = it_str(r->json,
			    "error_description");

	return r->status == status && e != NULL && strcmp(e, error) == 0 &&
	    (desc == NULL || (d != NULL && strcmp(d, desc) == 0));
}

/* Create an application credential for uid with tok; id and secret. */
static int
appcred(const char *tok, const char *uid, const char *body, char **id,
    char **secret)
{
	struct it_resp	r;
	int		ok;

	*id = *secret = NULL;
	it_req(&s, "POST", it_fmt("/v3/users/%s/application_credentials", uid), tok,
	    body, NULL, &r);
	ok = r.status == 201;
	if (ok) {
		*id = strdup(it_str(r.json, "application_credential.id"));
		*secret = strdup(it_str(r.json, "application_credential.secret"));
	}
	it_resp_free(&r);
	return ok;
}

static long
validate_st(const char *tok)
{
	struct it_resp	 r;
	char		 h[8192];
	const char	*hdrs[] = { h, NULL };
	long		 st;

	snprintf(h, sizeof(h), "X-Subject-Token: %s", tok ? tok : "");
	it_req(&s, "GET", "/v3/auth/tokens", s.admin_token, NULL, hdrs, &r);
	st = r.status;
	it_resp_free(&r);
	return st;
}

/* A fresh access token for (id, secret), malloc'd. */
static char *
access_token(const char *id, const char *secret)
{
	struct it_resp	 r;
	char		*t = NULL;
	char		 auth[1100];

	snprintf(auth, sizeof(auth), "%s", basic(id, secret));
	if (token_req(auth, "grant_type=client_credentials", &r) == 200 &&
	    it_str(r.json, "access_token") != NULL)
		t = strdup(it_str(r.json, "access_token"));
	it_resp_free(&r);
	return t;
}

int
main(void)
{
	struct it_resp	 r;
	const char	*m;
	char		*p, *svcp, *alice, *svc, *member, *service, *ta, *ts;
	char		*aid = NULL, *asec = NULL, *sid = NULL, *ssec = NULL, *bid = NULL,
			*bsec = NULL, *at, *at2, *st, *bob, *tb;
	char		 auth[1100], sauth[1100], body[9000], exp_s[64];
	time_t		 now;
	struct tm	 tm;
	long		 left;

	it_start(&s, NULL);
	p = ii_create(&s, "/v3/projects", "{\"project\": {\"name\": \"demo\"}}",
	    "project.id");
	svcp = ii_create(&s, "/v3/projects", "{\"project\": {\"name\": \"service\"}}",
	    "project.id");
	alice = ii_create(&s, "/v3/users", "{\"user\": {\"name\": \"alice\", "
	    "\"password\": \"alice-pw\"}}", "user.id");
	bob = ii_create(&s, "/v3/users", "{\"user\": {\"name\": \"bob\", "
	    "\"password\": \"bob-pw\"}}", "user.id");
	svc = ii_create(&s, "/v3/users", "{\"user\": {\"name\": \"svc\", "
	    "\"password\": \"svc-pw\"}}", "user.id");
	member = ii_role_id(&s, "member");
	service = ii_role_id(&s, "service");
	T("oauth2-0.1 fixtures", p && svcp && alice && svc && bob && member &&
	    service && it_status(&s, "PUT", it_fmt("/v3/projects/%s/users/%s/roles/%s",
	    p, alice, member), s.admin_token, NULL) == 204 && it_status(&s, "PUT",
	    it_fmt("/v3/projects/%s/users/%s/roles/%s", p, bob, member), s.admin_token,
	    NULL) == 204 && it_status(&s, "PUT", it_fmt("/v3/projects/%s/users/%s/"
	    "roles/%s", svcp, svc, service), s.admin_token, NULL) == 204);
	ta = ii_project_token(&s, alice, "alice-pw", p);
	tb = ii_project_token(&s, bob, "bob-pw", p);
	ts = ii_project_token(&s, svc, "svc-pw", svcp);
	T("oauth2-0.2 credentials for alice, bob and the service", ta && ts && tb &&
	    appcred(ta, alice, "{\"application_credential\": {\"name\": \"cli\"}}",
	    &aid, &asec) && appcred(ts, svc, "{\"application_credential\": {\"name\":"
	    " \"gw\"}}", &sid, &ssec) && appcred(tb, bob, "{\"application_credential\":"
	    " {\"name\": \"b\"}}", &bid, &bsec));
	snprintf(auth, sizeof(auth), "%s", basic(aid, asec));
	snprintf(sauth, sizeof(sauth), "%s", basic(sid, ssec));

	/* ---- the token endpoint (Keystone's) -------------------------------- */
	token_req(auth, "grant_type=client_credentials", &r);
	T("oauth2-1.1 client credentials -> 200", r.status == 200);
	T("oauth2-1.2 reply: access_token, Bearer, expires_in", r.json &&
	    it_str(r.json, "access_token") != NULL && strcmp(it_str(r.json,
	    "token_type"), "Bearer") == 0 && json_is_integer(it_get(r.json,
	    "expires_in")) && json_integer_value(it_get(r.json, "expires_in")) > 3590
	    && json_integer_value(it_get(r.json, "expires_in")) <= 3600 &&
	    json_object_size(r.json) == 3);
	T("oauth2-1.3 Cache-Control: no-store, Pragma: no-cache", strstr(r.headers,
	    "Cache-Control: no-store") && strstr(r.headers, "Pragma: no-cache"));
	at = it_str(r.json, "access_token") ? strdup(it_str(r.json, "access_token")) :
	    NULL;
	it_resp_free(&r);
	T("oauth2-1.4 the access token is a keygate token", validate_st(at) == 200);
	it_req(&s, "GET", "/v3/auth/projects", at, NULL, NULL, &r);
	T("oauth2-1.5 ... usable as X-Auth-Token", r.status == 200);
	it_resp_free(&r);
	token_req(NULL, "grant_type=client_credentials", &r);
	T("oauth2-1.6 no client authorization -> 401 invalid_client", is_error(&r,
	    401, "invalid_client", "OAuth2.0 client authorization is required.") &&
	    strstr(r.headers, it_fmt("WWW-Authenticate: Keystone uri=\"%s/v3\"",
	    s.base)) != NULL);
	it_resp_free(&r);
	token_req("Authorization: Digest username=\"x\", realm=\"r\"",
	    "grant_type=client_credentials", &r);
	T("oauth2-1.7 Digest -> 401 'type digest is not supported'", is_error(&r, 401,
	    "invalid_client", "OAuth2.0 client authorization type digest is not "
	    "supported."));
	it_resp_free(&r);
	token_req(basic("", asec), "grant_type=client_credentials", &r);
	T("oauth2-1.8 no client_id -> 401 invalid", is_error(&r, 401,
	    "invalid_client", "OAuth2.0 client authorization is invalid."));
	it_resp_free(&r);
	token_req(basic(aid, ""), "grant_type=client_credentials", &r);
	T("oauth2-1.9 no client_secret -> 401 invalid", is_error(&r, 401,
	    "invalid_client", "OAuth2.0 client authorization is invalid."));
	it_resp_free(&r);
	token_req("Authorization: Basic %%%not-base64", "grant_type=client_credentials",
	    &r);
	T("oauth2-1.10 undecodable Basic -> 401 invalid", is_error(&r, 401,
	    "invalid_client", "OAuth2.0 client authorization is invalid."));
	it_resp_free(&r);
	token_req(auth, "", &r);
	T("oauth2-1.11 no grant_type -> 400 invalid_request", is_error(&r, 400,
	    "invalid_request", "The parameter grant_type is required."));
	it_resp_free(&r);
	token_req(auth, "grant_type=", &r);
	T("oauth2-1.12 blank grant_type -> 400 unsupported_grant_type", is_error(&r,
	    400, "unsupported_grant_type", "The parameter grant_type  is not "
	    "supported."));
	it_resp_free(&r);
	token_req(auth, "grant_type=not_client_credentials", &r);
	T("oauth2-1.13 other grant_type -> 400", is_error(&r, 400,
	    "unsupported_grant_type", "The parameter grant_type not_client_credentials"
	    " is not supported."));
	it_resp_free(&r);
	/* fuzz_http found these: the description echoes the value, which
	 * must still make a JSON body (jansson refuses bytes that are not
	 * UTF-8, and %.64s may cut a character in two). */
	token_req(auth, "grant_type=client%5Fc\xff\xfe%FFredentials", &r);
	T("oauth2-1.13a grant_type not UTF-8 -> 400 with an RFC 6749 body",
	    r.status == 400 && it_str(r.json, "error") != NULL &&
	    strcmp(it_str(r.json, "error"), "unsupported_grant_type") == 0);
	it_resp_free(&r);
	token_req(auth, "grant_type=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "%C3%A9%C3%A9", &r);
	T("oauth2-1.13b a long grant_type cut inside a character -> 400 with a "
	    "body", r.status == 400 && it_str(r.json, "error_description") != NULL &&
	    kg_utf8_valid(it_str(r.json, "error_description")));
	it_resp_free(&r);
	token_req(auth, "scope=x&grant_type=client%5Fcredentials", &r);
	T("oauth2-1.14 form encoding decoded, other parameters ignored",
	    r.status == 200);
	it_resp_free(&r);
	token_req(auth, "grant_type=%zz", &r);
	T("oauth2-1.15 malformed form -> 400 invalid_request", is_error(&r, 400,
	    "invalid_request", NULL));
	it_resp_free(&r);
	token_req(basic(aid, "wrong"), "grant_type=client_credentials", &r);
	T("oauth2-1.16 wrong secret -> 401 invalid_client", is_error(&r, 401,
	    "invalid_client", NULL) && strstr(r.body, "wrong") == NULL);
	it_resp_free(&r);
	token_req(basic("nosuchclient", "x"), "grant_type=client_credentials", &r);
	T("oauth2-1.17 unknown client -> 404 other_error (as Keystone)", is_error(&r,
	    404, "other_error", "An unknown error occurred and failed to get an "
	    "OAuth2.0 access token."));
	it_resp_free(&r);
	{
		const char	*h[] = { auth, NULL };

		it_req(&s, "POST", "/v3/OS-OAUTH2/token", NULL,
		    "{\"grant_type\": \"client_credentials\"}", h, &r);
		T("oauth2-1.18 a JSON body is no form -> 400 grant_type required",
		    is_error(&r, 400, "invalid_request", "The parameter grant_type is "
		    "required."));
		it_resp_free(&r);
	}
	m = "The method is not allowed for the requested URL.";
	T("oauth2-1.19 GET, HEAD, PUT, PATCH, DELETE -> 405 other_error",
	    it_req(&s, "GET", "/v3/OS-OAUTH2/token", NULL, NULL, NULL, &r) == 0 &&
	    is_error(&r, 405, "other_error", m));
	it_resp_free(&r);
	T("oauth2-1.20 ... PUT", it_req(&s, "PUT", "/v3/OS-OAUTH2/token", NULL, "{}",
	    NULL, &r) == 0 && is_error(&r, 405, "other_error", m));
	it_resp_free(&r);
	T("oauth2-1.21 ... PATCH", it_req(&s, "PATCH", "/v3/OS-OAUTH2/token", NULL,
	    "{}", NULL, &r) == 0 && is_error(&r, 405, "other_error", m));
	it_resp_free(&r);
	T("oauth2-1.22 ... DELETE", it_req(&s, "DELETE", "/v3/OS-OAUTH2/token", NULL,
	    NULL, NULL, &r) == 0 && is_error(&r, 405, "other_error", m));
	it_resp_free(&r);
	T("oauth2-1.23 ... HEAD", it_status(&s, "HEAD", "/v3/OS-OAUTH2/token", NULL,
	    NULL) == 405);
	now = time(NULL) + 60;
	gmtime_r(&now, &tm);
	strftime(exp_s, sizeof(exp_s), "%Y-%m-%dT%H:%M:%SZ", &tm);
	{
		char	*eid, *esec;

		T("oauth2-1.24 a credential expiring in 60 s", appcred(ta, alice,
		    it_fmt("{\"application_credential\": {\"name\": \"short\", "
		    "\"expires_at\": \"%s\"}}", exp_s), &eid, &esec));
		token_req(basic(eid ? eid : "x", esec ? esec : "x"),
		    "grant_type=client_credentials", &r);
		left = json_integer_value(it_get(r.json, "expires_in"));
		T("oauth2-1.25 expires_in is the token's real lifetime (<= 60)",
		    r.status == 200 && left <= 60 && left > 50);
		it_resp_free(&r);
		free(eid);
		free(esec);
	}

	/* ---- introspection (RFC 7662) --------------------------------------- */
	snprintf(body, sizeof(body), "token=%s", ta);
	form("/v3/OS-OAUTH2/introspect", sauth, body, &r);
	T("oauth2-2.1 a service introspects alice's token -> active", r.status == 200
	    && json_is_true(it_get(r.json, "active")) && strcmp(it_str(r.json, "sub"),
	    alice) == 0 && strcmp(it_str(r.json, "username"), "alice") == 0 &&
	    strcmp(it_str(r.json, "project_id"), p) == 0 && strcmp(it_str(r.json,
	    "token_type"), "Bearer") == 0 && strcmp(it_str(r.json, "iss"), "keygate")
	    == 0 && json_is_integer(it_get(r.json, "exp")) && json_is_integer(
	    it_get(r.json, "iat")) && json_is_array(it_get(r.json, "roles")) &&
	    it_get(r.json, "client_id") == NULL);
	it_resp_free(&r);
	snprintf(body, sizeof(body), "token=%s&token_type_hint=access_token", at);
	form("/v3/OS-OAUTH2/introspect", sauth, body, &r);
	T("oauth2-2.2 a credential's token names its client_id", r.status == 200 &&
	    json_is_true(it_get(r.json, "active")) && t_streq(it_str(r.json,
	    "client_id"), aid));
	it_resp_free(&r);
	form("/v3/OS-OAUTH2/introspect", sauth, "token=garbage", &r);
	T("oauth2-2.3 garbage -> {active: false}", r.status == 200 &&
	    json_is_false(it_get(r.json, "active")) && json_object_size(r.json) == 1);
	it_resp_free(&r);
	snprintf(body, sizeof(body), "token=%s", tb);
	form("/v3/OS-OAUTH2/introspect", auth, body, &r);
	T("oauth2-2.4 alice's client cannot see bob's token -> active: false",
	    r.status == 200 && json_is_false(it_get(r.json, "active")));
	it_resp_free(&r);
	snprintf(body, sizeof(body), "token=%s", ta);
	form("/v3/OS-OAUTH2/introspect", auth, body, &r);
	T("oauth2-2.5 ... but her own -> active", r.status == 200 &&
	    json_is_true(it_get(r.json, "active")));
	it_resp_free(&r);
	{
		char	bearer[8300];

		snprintf(bearer, sizeof(bearer), "Authorization: Bearer %s", ts);
		form("/v3/OS-OAUTH2/introspect", bearer, body, &r);
		T("oauth2-2.6 a Bearer client (keygate token) -> active",
		    r.status == 200 && json_is_true(it_get(r.json, "active")));
		it_resp_free(&r);
		form("/v3/OS-OAUTH2/introspect", "Authorization: Bearer garbage", body,
		    &r);
		T("oauth2-2.7 a bad Bearer client -> 401 invalid_client",
		    is_error(&r, 401, "invalid_client", NULL));
		it_resp_free(&r);
	}
	form("/v3/OS-OAUTH2/introspect", NULL, body, &r);
	T("oauth2-2.8 no client -> 401 invalid_client", is_error(&r, 401,
	    "invalid_client", NULL));
	it_resp_free(&r);
	form("/v3/OS-OAUTH2/introspect", basic(sid, "wrong"), body, &r);
	T("oauth2-2.9 wrong client secret -> 401 invalid_client", is_error(&r, 401,
	    "invalid_client", NULL));
	it_resp_free(&r);
	form("/v3/OS-OAUTH2/introspect", sauth, "token_type_hint=access_token", &r);
	T("oauth2-2.10 no token parameter -> 400 invalid_request", is_error(&r, 400,
	    "invalid_request", "The parameter token is required."));
	it_resp_free(&r);

	/* ---- revocation (RFC 7009) ------------------------------------------ */
	at2 = access_token(aid, asec);
	snprintf(body, sizeof(body), "token=%s", at2 ? at2 : "x");
	form("/v3/OS-OAUTH2/revoke", auth, body, &r);
	T("oauth2-3.1 a client revokes its own token -> 200", r.status == 200);
	it_resp_free(&r);
	T("oauth2-3.2 ... which no longer validates", validate_st(at2) == 404);
	snprintf(body, sizeof(body), "token=%s", at2 ? at2 : "x");
	form("/v3/OS-OAUTH2/introspect", sauth, body, &r);
	T("oauth2-3.3 ... nor introspects as active", r.status == 200 &&
	    json_is_false(it_get(r.json, "active")));
	it_resp_free(&r);
	form("/v3/OS-OAUTH2/revoke", auth, "token=garbage", &r);
	T("oauth2-3.4 revoking garbage -> 200 (RFC 7009 2.2)", r.status == 200);
	it_resp_free(&r);
	snprintf(body, sizeof(body), "token=%s", tb);
	form("/v3/OS-OAUTH2/revoke", auth, body, &r);
	T("oauth2-3.5 another user's token -> 400 unauthorized_client",
	    is_error(&r, 400, "unauthorized_client", NULL) && validate_st(tb) == 200);
	it_resp_free(&r);
	st = access_token(bid, bsec);
	snprintf(body, sizeof(body), "token=%s", st ? st : "x");
	form("/v3/OS-OAUTH2/revoke", auth, body, &r);
	T("oauth2-3.6 another client's token -> 400", r.status == 400 &&
	    validate_st(st) == 200);
	it_resp_free(&r);
	{
		char	bearer[8300];

		snprintf(bearer, sizeof(bearer), "Authorization: Bearer %s",
		    s.admin_token);
		form("/v3/OS-OAUTH2/revoke", bearer, body, &r);
		T("oauth2-3.7 an admin (Bearer) revokes it -> 200", r.status == 200 &&
		    validate_st(st) == 404);
		it_resp_free(&r);
	}
	form("/v3/OS-OAUTH2/revoke", NULL, "token=x", &r);
	T("oauth2-3.8 no client -> 401", is_error(&r, 401, "invalid_client", NULL));
	it_resp_free(&r);
	form("/v3/OS-OAUTH2/revoke", auth, "", &r);
	T("oauth2-3.9 no token -> 400 invalid_request", is_error(&r, 400,
	    "invalid_request", NULL));
	it_resp_free(&r);

	/* ---- discovery ------------------------------------------------------ */
	it_req(&s, "GET", "/.well-known/openid-configuration", NULL, NULL, NULL, &r);
	T("oauth2-4.1 openid-configuration -> 200", r.status == 200 &&
	    strcmp(it_str(r.json, "issuer"), "keygate") == 0 && strcmp(it_str(r.json,
	    "token_endpoint"), it_fmt("%s/v3/OS-OAUTH2/token", s.base)) == 0 &&
	    strcmp(it_str(r.json, "jwks_uri"), it_fmt("%s/.well-known/jwks.json",
	    s.base)) == 0 && strcmp(it_str(r.json, "introspection_endpoint"),
	    it_fmt("%s/v3/OS-OAUTH2/introspect", s.base)) == 0 &&
	    strcmp(it_str(r.json, "revocation_endpoint"),
	    it_fmt("%s/v3/OS-OAUTH2/revoke", s.base)) == 0 &&
	    strcmp(it_str(r.json, "id_token_signing_alg_values_supported.0"),
	    "ES256") == 0 && strcmp(it_str(r.json, "grant_types_supported.0"),
	    "client_credentials") == 0 && strcmp(it_str(r.json,
	    "token_endpoint_auth_methods_supported.0"), "client_secret_basic") == 0);
	it_resp_free(&r);
	it_req(&s, "GET", "/.well-known/jwks.json", NULL, NULL, NULL, &r);
	T("oauth2-4.2 jwks_uri serves the keys", r.status == 200 &&
	    json_is_array(it_get(r.json, "keys")));
	it_resp_free(&r);
	T("oauth2-4.3 oauth-authorization-server (RFC 8414) -> 200", it_status(&s,
	    "GET", "/.well-known/oauth-authorization-server", NULL, NULL) == 200);

	/* ---- deleting the credential ends its tokens ------------------------ */
	T("oauth2-5.1 delete alice's credential", it_status(&s, "DELETE",
	    it_fmt("/v3/users/%s/application_credentials/%s", alice, aid), ta, NULL)
	    == 204);
	T("oauth2-5.2 its access token is revoked", validate_st(at) == 404);
	token_req(auth, "grant_type=client_credentials", &r);
	T("oauth2-5.3 and the client is gone -> 404 other_error", is_error(&r, 404,
	    "other_error", NULL));
	it_resp_free(&r);

	T("oauth2-9.1 server stops cleanly", it_stop(&s) == 0);
	free(p);
	free(svcp);
	free(alice);
	free(bob);
	free(svc);
	free(member);
	free(service);
	free(ta);
	free(tb);
	free(ts);
	free(aid);
	free(asec);
	free(sid);
	free(ssec);
	free(bid);
	free(bsec);
	free(at);
	free(at2);
	free(st);
	return t_report();
}
