/*
 * test_gwauth.c - the gateway's offline token checks: JWKS parsing, the
 * verified-token cache, expiry, issuer, revocation events (Keystone's
 * matching rules) and what a key rotation does to the cache.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "auth/jwt.h"
#include "common/util.h"
#include "gateway/gwauth.h"
#include "tests/t.h"

static int64_t	now_s;

/* A JWKS document with the public halves of keys[0..n). */
static char *
jwks_of(struct jwt_key **keys, size_t n)
{
	json_t	*arr = json_array(), *doc;
	char	*s;
	size_t	 i;

	for (i = 0; i < n; i++)
		json_array_append_new(arr, jwt_key_to_jwk(keys[i]));
	doc = json_pack("{s:o}", "keys", arr);
	s = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return s;
}

static int
install(struct gwauth *a, struct jwt_key **keys, size_t n)
{
	struct jwt_key	**parsed;
	size_t		  np;
	char		 *doc = jwks_of(keys, n);
	int		  rc;

	rc = gwauth_parse_jwks(doc, strlen(doc), &parsed, &np, NULL);
	free(doc);
	if (rc == -1 || np != n)
		return -1;
	return gwauth_set_keys(a, parsed, np);
}

static int64_t	next_rev;	/* claim "rev" of the next token(); 0: none */
static const char *next_appcred;	/* application_credential.id of the next; NULL none */

/* A keygate-shaped token; exp/iat relative to now_s. */
static char *
token(struct jwt_key *k, const char *user, const char *project, const char *role,
    int64_t exp_off, int64_t iat_off, const char *audit, const char *iss)
{
	json_t	*c;
	char	*t;

	c = json_pack("{s:s, s:s, s:I, s:I, s:I, s:[s], s:[s], s:{s:s, s:s, s:{s:s, s:s}}}",
	    "iss", iss, "sub", user, "iat", (json_int_t)(now_s + iat_off),
	    "iat_us", (json_int_t)(now_s + iat_off) * 1000000,
	    "exp", (json_int_t)(now_s + exp_off), "audit_ids", audit, "methods", "password",
	    "user", "id", user, "name", "alice", "domain", "id", "default", "name",
	    "Default");
	if (project != NULL)
		json_object_set_new(c, "project", json_pack("{s:s, s:s, s:{s:s, s:s}}",
		    "id", project, "name", "demo", "domain", "id", "dom1", "name", "D1"));
	if (role != NULL)
		json_object_set_new(c, "roles", json_pack("[{s:s, s:s}]", "id", "rid-1",
		    "name", role));
	if (next_rev > 0)
		json_object_set_new(c, "rev", json_integer(next_rev));
	if (next_appcred != NULL)
		json_object_set_new(c, "application_credential", json_pack(
		    "{s:s, s:s, s:b}", "id", next_appcred, "name", "ac", "restricted", 1));
	t = jwt_sign(k, c, NULL);
	json_decref(c);
	return t;
}

static enum gw_reason
check(struct gwauth *a, const char *t, int *hit, const struct gw_ident **id)
{
	const struct gw_ident	*tmp;
	enum gw_reason		 r;
	int			 h;

	r = gwauth_check(a, t, strlen(t), now_s * 1000000, id != NULL ? id : &tmp,
	    hit != NULL ? hit : &h);
	if (id == NULL)
		gw_ident_put(tmp);
	return r;
}

static size_t
cache_entries(struct gwauth *a)
{
	struct gwauth_info	i;

	gwauth_info(a, &i);
	return i.cache_entries;
}

static void
test_keys(void)
{
	struct jwt_key	**parsed;
	size_t		  n;
	struct kg_err	  err = { 0 };
	const char	 *rsa = "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}";

	T("gwauth-1.1 garbage JWKS refused", gwauth_parse_jwks("nope", 4, &parsed, &n,
	    &err) == -1);
	T("gwauth-1.1 JWKS without keys refused", gwauth_parse_jwks("{\"keys\":[]}", 11,
	    &parsed, &n, &err) == -1);
	T("gwauth-1.1 RSA-only JWKS: no usable key", gwauth_parse_jwks(rsa, strlen(rsa),
	    &parsed, &n, &err) == -1 && strstr(err.msg, "no usable") != NULL);
}

static void
test_check(void)
{
	struct gwauth_cfg	 cfg = { "keygate", 64, 60, 86400, 0 };
	struct gwauth		*a = gwauth_new(&cfg, NULL);
	struct jwt_key		*k1 = jwt_key_generate(NULL), *k2 = jwt_key_generate(NULL);
	struct jwt_key		*keys[2];
	const struct gw_ident	*id = NULL;
	char			*t, *t2, *tk2, *texp, *tfut, *tiss, *bad, *tnoproj;
	int			 hit = 0;

	now_s = kg_now_us() / 1000000;
	t = token(k1, "user1", "proj1", "member", 3600, 0, "aud1", "keygate");
	T("gwauth-2.1 no keys yet", check(a, t, NULL, NULL) == GW_R_NO_KEYS);
	keys[0] = k1;
	T("gwauth-2.1 install keys (changed)", install(a, keys, 1) == 1);
	T("gwauth-2.1 same keys again: unchanged", install(a, keys, 1) == 0);

	T("gwauth-2.2 valid token", check(a, t, &hit, &id) == GW_R_OK && !hit && id != NULL);
	if (id != NULL) {
		T("gwauth-2.2 claims", strcmp(id->user_id, "user1") == 0 &&
		    strcmp(id->user_domain_id, "default") == 0 &&
		    id->scope == GW_SCOPE_PROJECT && strcmp(id->scope_id, "proj1") == 0 &&
		    strcmp(id->scope_name, "demo") == 0 &&
		    strcmp(id->scope_domain_id, "dom1") == 0 && id->nroles == 1 &&
		    strcmp(id->roles[0].name, "member") == 0 &&
		    strcmp(id->roles[0].id, "rid-1") == 0 &&
		    strcmp(id->audit_id, "aud1") == 0 &&
		    strcmp(id->audit_chain_id, "aud1") == 0 && id->exp == now_s + 3600);
		gw_ident_put(id);
	}
		T("gwauth-2.2 second check is a cache hit", check(a, t, &hit, NULL) == GW_R_OK &&
	    hit && cache_entries(a) == 1);

	texp = token(k1, "user1", "proj1", "member", -1, -100, "aud2", "keygate");
	T("gwauth-2.3 expired", check(a, texp, NULL, NULL) == GW_R_EXPIRED);
	now_s += 3601;
	T("gwauth-2.3 a cached token expires too", check(a, t, &hit, NULL) == GW_R_EXPIRED &&
	    cache_entries(a) == 0);
	now_s -= 3601;
	tfut = token(k1, "user1", "proj1", "member", 7200, 600, "aud3", "keygate");
	T("gwauth-2.3 issued in the future", check(a, tfut, NULL, NULL) == GW_R_MALFORMED);
	tiss = token(k1, "user1", "proj1", "member", 3600, 0, "aud4", "someone-else");
	T("gwauth-2.4 wrong issuer", check(a, tiss, NULL, NULL) == GW_R_WRONG_ISSUER);

	tk2 = token(k2, "user1", "proj1", "member", 3600, 0, "aud5", "keygate");
	T("gwauth-2.5 unknown key", check(a, tk2, NULL, NULL) == GW_R_UNKNOWN_KEY);
	bad = strdup(t);
	bad[strlen(bad) - 5] = bad[strlen(bad) - 5] == 'A' ? 'B' : 'A';
	T("gwauth-2.5 bad signature", check(a, bad, NULL, NULL) == GW_R_BAD_SIGNATURE);
	T("gwauth-2.5 not a token", check(a, "not-a-token-at-all", NULL, NULL) ==
	    GW_R_MALFORMED);
	T("gwauth-2.5 bad characters", check(a, "abc def.ghi.jklmnopqrst", NULL, NULL) ==
	    GW_R_MALFORMED);
	T("gwauth-2.5 failures are not cached", cache_entries(a) == 0);
	free(bad);

	tnoproj = token(k1, "user1", NULL, NULL, 3600, 0, "aud6", "keygate");
	T("gwauth-2.6 unscoped token", check(a, tnoproj, NULL, &id) == GW_R_OK &&
	    id->scope == GW_SCOPE_NONE && id->nroles == 0);
	gw_ident_put(id);

	/* rotation: a new key joins (cache kept), the old one leaves (flushed) */
	T("gwauth-3.1 cache filled", check(a, t, NULL, NULL) == GW_R_OK &&
	    cache_entries(a) == 2);
	keys[1] = k2;
	T("gwauth-3.1 adding a key keeps the cache", install(a, keys, 2) == 1 &&
	    cache_entries(a) == 2 && check(a, tk2, NULL, NULL) == GW_R_OK);
	T("gwauth-3.2 removing a key flushes the cache", install(a, keys + 1, 1) == 1 &&
	    cache_entries(a) == 0);
	T("gwauth-3.2 tokens of the removed key are refused", check(a, t, NULL, NULL) ==
	    GW_R_UNKNOWN_KEY);
	t2 = token(k2, "user2", "proj1", "member", 3600, 0, "aud7", "keygate");
	T("gwauth-3.2 tokens of the remaining key pass", check(a, t2, NULL, NULL) == GW_R_OK);
	free(t2);

	next_rev = 42;
	t2 = token(k2, "user1", "proj1", "member", 3600, 0, "aud9", "keygate");
	next_rev = 0;
	T("gwauth-2.9 the rev claim is read", check(a, t2, NULL, &id) == GW_R_OK &&
	    id != NULL && id->rev == 42);
	gw_ident_put(id);
	{
		/* A payload that is not keygate's claims (no iat_us, no methods). */
		json_t	*c = json_pack("{s:s, s:s, s:I, s:I, s:[s], s:{s:s}}", "iss",
		    "keygate", "sub", "u", "iat", (json_int_t)now_s, "exp",
		    (json_int_t)now_s + 60, "audit_ids", "a", "user", "id", "u");

		bad = jwt_sign(k2, c, NULL);
		json_decref(c);
	}
	T("gwauth-2.10 claims that are not keygate's: malformed", bad != NULL &&
	    check(a, bad, NULL, NULL) == GW_R_MALFORMED);
	free(bad);

	free(t);
	free(t2);
	free(tk2);
	free(texp);
	free(tfut);
	free(tiss);
	free(tnoproj);
	jwt_key_free(k1);
	jwt_key_free(k2);
	gwauth_free(a);
}

static void
test_events(void)
{
	struct gwauth_cfg	 cfg = { "keygate", 64, 60, 3600, 0 };
	struct gwauth		*a = gwauth_new(&cfg, NULL);
	struct jwt_key		*k = jwt_key_generate(NULL);
	struct kg_revoke_event	*ev;
	struct gwauth_info	 info;
	struct kg_err		 err = { 0 };
	char			*t1, *t2, *t3, *t4, *t5, doc[1024], ib[KG_TIME_LEN];
	char			 old[64];
	size_t			 n;
	int			 hit;

	now_s = kg_now_us() / 1000000;
	install(a, &k, 1);
	t1 = token(k, "user1", "proj1", "member", 3600, -10, "audA", "keygate");
	t2 = token(k, "user2", "proj1", "member", 3600, -10, "audB", "keygate");
	t3 = token(k, "user3", "proj2", "member", 3600, -10, "audC", "keygate");
	T("gwauth-4.1 three tokens cached", check(a, t1, NULL, NULL) == GW_R_OK &&
	    check(a, t2, NULL, NULL) == GW_R_OK && check(a, t3, NULL, NULL) == GW_R_OK &&
	    cache_entries(a) == 3);

	kg_time_fmt((now_s - 1) * 1000000, ib);
	snprintf(doc, sizeof(doc), "{\"events\":[{\"audit_id\":\"audA\",\"issued_before\":"
	    "\"%s\",\"revoked_at\":\"%s\"}]}", ib, ib);
	T("gwauth-4.2 Keystone event list parses", gwauth_parse_events(doc, strlen(doc), &ev,
	    &n, &err) == 0 && n == 1 && strcmp(ev[0].audit_id, "audA") == 0 &&
	    ev[0].issued_before == (now_s - 1) * 1000000);
	T("gwauth-4.2 new event added", gwauth_add_events(a, ev, n, 0) == 1);
	T("gwauth-4.2 the same event again is not new", gwauth_add_events(a, ev, n, 0) == 0);
	free(ev);
	T("gwauth-4.3 revoked token dropped from the cache", cache_entries(a) == 2);
	T("gwauth-4.3 revoked token refused", check(a, t1, &hit, NULL) == GW_R_REVOKED);
	T("gwauth-4.3 other tokens still cached", check(a, t2, &hit, NULL) == GW_R_OK && hit);

	snprintf(doc, sizeof(doc), "{\"events\":[{\"project_id\":\"proj2\",\"issued_before\":"
	    "\"%s\",\"revoked_at\":\"%s\",\"user_id\":null}]}", ib, ib);
	T("gwauth-4.4 project event", gwauth_parse_events(doc, strlen(doc), &ev, &n, &err) ==
	    0 && gwauth_add_events(a, ev, n, 0) == 1);
	free(ev);
	T("gwauth-4.4 project event revokes its tokens only", check(a, t3, NULL, NULL) ==
	    GW_R_REVOKED && check(a, t2, NULL, NULL) == GW_R_OK);
	gwauth_info(a, &info);
	T("gwauth-4.5 two events stored", info.events == 2 &&
	    gwauth_events_latest(a) == (now_s - 1) * 1000000);

	T("gwauth-4.6 malformed event list", gwauth_parse_events("{\"events\":[{}]}", 15,
	    &ev, &n, &err) == -1 && gwauth_parse_events("[]", 2, &ev, &n, &err) == -1);

	/* a token issued after the event is not revoked by it */
	kg_time_fmt((now_s - 100) * 1000000, ib);
	snprintf(doc, sizeof(doc), "{\"events\":[{\"user_id\":\"user2\",\"issued_before\":"
	    "\"%s\"}]}", ib);
	gwauth_parse_events(doc, strlen(doc), &ev, &n, &err);
	gwauth_add_events(a, ev, n, 0);
	free(ev);
	T("gwauth-4.7 issued after the event: still valid", check(a, t2, NULL, NULL) ==
	    GW_R_OK);

	/* replace drops the old list; prune drops events older than the lifetime */
	kg_time_fmt((now_s - 7200) * 1000000, old);
	snprintf(doc, sizeof(doc), "{\"events\":[{\"user_id\":\"user9\",\"issued_before\":"
	    "\"%s\"}]}", old);
	gwauth_parse_events(doc, strlen(doc), &ev, &n, &err);
	gwauth_add_events(a, ev, n, 1);
	free(ev);
	gwauth_info(a, &info);
	T("gwauth-4.8 replace", info.events == 1 && check(a, t1, NULL, NULL) == GW_R_OK);
	gwauth_prune_events(a, now_s * 1000000);
	gwauth_info(a, &info);
	T("gwauth-4.8 prune past the token lifetime", info.events == 0);

	/*
	 * keygate's revisions: a token checked at revision 10 is revoked by an
	 * event written at revision 11 although it was signed after the
	 * event's issued_before (its issue raced with the revocation); a token
	 * checked at 11 already saw the change.
	 */
	next_rev = 10;
	t4 = token(k, "user4", "proj1", "member", 3600, -10, "audD", "keygate");
	next_rev = 11;
	t5 = token(k, "user5", "proj1", "member", 3600, -10, "audE", "keygate");
	next_rev = 0;
	kg_time_fmt((now_s - 100) * 1000000, ib);
	snprintf(doc, sizeof(doc), "{\"events\":[{\"user_id\":\"user4\",\"issued_before\":"
	    "\"%s\",\"OS-KEYGATE:revision\":11},{\"user_id\":\"user5\",\"issued_before\":"
	    "\"%s\",\"OS-KEYGATE:revision\":11}]}", ib, ib);
	T("gwauth-4.9 OS-KEYGATE:revision parses", gwauth_parse_events(doc, strlen(doc),
	    &ev, &n, &err) == 0 && n == 2 && ev[0].revision == 11 &&
	    gwauth_add_events(a, ev, n, 0) == 2);
	free(ev);
	T("gwauth-4.10 a token checked before the revocation committed is revoked, "
	    "though signed after its time", check(a, t4, NULL, NULL) == GW_R_REVOKED);
	T("gwauth-4.11 a token checked at the event's revision is not",
	    check(a, t5, NULL, NULL) == GW_R_OK);
	snprintf(doc, sizeof(doc), "{\"events\":[{\"issued_before\":0,"
	    "\"OS-KEYGATE:revision\":\"11\"}]}");
	snprintf(old, sizeof(old), "%s", "{\"events\":[{\"issued_before\":0,"
	    "\"OS-KEYGATE:revision\":0}]}");
	T("gwauth-4.12 a revision that is not a positive integer: malformed",
	    gwauth_parse_events(doc, strlen(doc), &ev, &n, &err) == -1 &&
	    gwauth_parse_events(old, strlen(old), &ev, &n, &err) == -1);
	free(t4);
	free(t5);

	/* An application credential's event (keygate's extension): with its
	 * user, it revokes the tokens of that credential only. */
	next_appcred = "ac1";
	t4 = token(k, "user6", "proj1", "member", 3600, -10, "audF", "keygate");
	next_appcred = "ac2";
	t5 = token(k, "user6", "proj1", "member", 3600, -10, "audG", "keygate");
	next_appcred = NULL;
	free(t1);
	t1 = token(k, "user6", "proj1", "member", 3600, -10, "audH", "keygate");
	T("gwauth-4.13 tokens of two credentials and a password token of one user",
	    check(a, t4, NULL, NULL) == GW_R_OK && check(a, t5, NULL, NULL) == GW_R_OK &&
	    check(a, t1, NULL, NULL) == GW_R_OK);
	kg_time_fmt((now_s - 1) * 1000000, ib);
	snprintf(doc, sizeof(doc), "{\"events\":[{\"user_id\":\"user6\","
	    "\"OS-KEYGATE:application_credential_id\":\"ac1\",\"issued_before\":"
	    "\"%s\"}]}", ib);
	T("gwauth-4.14 OS-KEYGATE:application_credential_id parses",
	    gwauth_parse_events(doc, strlen(doc), &ev, &n, &err) == 0 && n == 1 &&
	    strcmp(ev[0].app_cred_id, "ac1") == 0 && gwauth_add_events(a, ev, n, 0) == 1);
	free(ev);
	T("gwauth-4.15 ... revokes that credential's token, cached or not",
	    check(a, t4, NULL, NULL) == GW_R_REVOKED);
	T("gwauth-4.16 ... not the other credential's, nor the password token",
	    check(a, t5, NULL, NULL) == GW_R_OK && check(a, t1, NULL, NULL) == GW_R_OK);
	free(t4);
	free(t5);

	free(t1);
	free(t2);
	free(t3);
	jwt_key_free(k);
	gwauth_free(a);
}

static void
test_matching(void)
{
	struct gw_role		r[2] = { { "rid-1", "member" }, { "rid-2", "admin" } };
	struct gw_ident		id;
	struct kg_revoke_event	e;

	memset(&id, 0, sizeof(id));
	id.user_id = "u1";
	id.user_domain_id = "udom";
	id.scope = GW_SCOPE_PROJECT;
	id.scope_id = "p1";
	id.scope_domain_id = "pdom";
	id.roles = r;
	id.nroles = 2;
	id.audit_id = "a1";
	id.audit_chain_id = "a0";
	id.exp = 5000;
	id.iat_us = 1000;

	memset(&e, 0, sizeof(e));
	e.issued_before = 1000;
	T("gwauth-5.1 empty event matches everything issued before", gw_revent_matches(&e, &id));
	e.issued_before = 999;
	T("gwauth-5.1 issued after: no match", !gw_revent_matches(&e, &id));
	e.issued_before = 2000;
	strcpy(e.domain_id, "udom");
	T("gwauth-5.2 domain = user's domain", gw_revent_matches(&e, &id));
	strcpy(e.domain_id, "pdom");
	T("gwauth-5.2 domain = project's domain", gw_revent_matches(&e, &id));
	strcpy(e.domain_id, "other");
	T("gwauth-5.2 other domain", !gw_revent_matches(&e, &id));
	e.domain_id[0] = '\0';
	strcpy(e.role_id, "rid-2");
	T("gwauth-5.3 role among the token's", gw_revent_matches(&e, &id));
	strcpy(e.role_id, "rid-9");
	T("gwauth-5.3 role not held", !gw_revent_matches(&e, &id));
	e.role_id[0] = '\0';
	strcpy(e.audit_id, "a0");
	T("gwauth-5.4 audit_id = the token's chain: rescoped tokens too",
	    gw_revent_matches(&e, &id));
	strcpy(e.audit_id, "a9");
	T("gwauth-5.4 other audit id", !gw_revent_matches(&e, &id));
	e.audit_id[0] = '\0';
	strcpy(e.audit_chain_id, "a0");
	T("gwauth-5.4 audit chain", gw_revent_matches(&e, &id));
	strcpy(e.user_id, "u2");
	T("gwauth-5.4 all fields must match", !gw_revent_matches(&e, &id));
	e.user_id[0] = '\0';
	e.expires_at = 5000 * (int64_t)1000000;
	T("gwauth-5.5 expires_at equal", gw_revent_matches(&e, &id));
	e.expires_at = 5001 * (int64_t)1000000;
	T("gwauth-5.5 expires_at differs", !gw_revent_matches(&e, &id));
	T("gwauth-5.6 reason names", strcmp(gw_reason_name(GW_R_NO_TOKEN), "no-token") == 0 &&
	    strcmp(gw_reason_name(GW_R_MAX), "?") == 0);
}

/*
 * audit: ident_from_claims multiplied iat by 10^6 before checking its
 * range, a signed overflow (UBSan aborts under make check-asan) for a
 * signed token with a huge iat. It must be refused as malformed.
 */
static void
test_iat_overflow(void)
{
	struct gwauth_cfg	 cfg = { "keygate", 64, 60, 86400, 0 };
	struct gwauth		*a = gwauth_new(&cfg, NULL);
	struct jwt_key		*k = jwt_key_generate(NULL), *keys[1] = { k };
	json_t			*c;
	char			*t;

	now_s = kg_now_us() / 1000000;
	install(a, keys, 1);
	c = json_pack("{s:s, s:s, s:I, s:I, s:[s], s:[s], s:{s:s, s:s, s:{s:s, s:s}}}",
	    "iss", "keygate", "sub", "u1", "iat", (json_int_t)INT64_MAX / 1000,
	    "exp", (json_int_t)(now_s + 3600), "audit_ids", "aud-iat", "methods",
	    "password", "user", "id", "u1", "name", "alice", "domain", "id",
	    "default", "name", "Default");
	t = jwt_sign(k, c, NULL);
	T("gwauth-5.1 a token with iat beyond 64-bit microseconds is malformed",
	    t != NULL && check(a, t, NULL, NULL) == GW_R_MALFORMED);
	free(t);
	json_decref(c);
	gwauth_free(a);
	jwt_key_free(k);
}

int
main(void)
{
	test_keys();
	test_check();
	test_events();
	test_matching();
	test_iat_overflow();
	return t_report();
}
