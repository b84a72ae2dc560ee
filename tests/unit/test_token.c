/*
 * test_token.c - the focus of this file is auth/token.c and auth/issue.c
 * (with their caches, store/revoke.c and store/scope.c): issuing with password and token methods and
 * every scope, authoritative validation (expiry, allow_expired, revocation
 * events, current state), the validation cache, key reload, pruning and
 * concurrent use.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth/jwt.h"
#include "auth/keys.h"
#include "auth/password.h"
#include "auth/token.h"
#include "common/util.h"
#include "server/bootstrap.h"
#include "store/assignment.h"
#include "store/catalog.h"
#include "store/identity.h"
#include "store/revoke.h"
#include "store/scope.h"
#include "svc/svc.h"
#include "tests/t.h"

static char	 dir[64], keydir[128], dbpath[128];
static struct store *st;
static struct tokens *tk;
static char	 admin_role[STORE_ID_SIZE], member_role[STORE_ID_SIZE];
static char	 alice[STORE_ID_SIZE], bob[STORE_ID_SIZE], carol[STORE_ID_SIZE];
static char	 p1[STORE_ID_SIZE], p2[STORE_ID_SIZE], d2[STORE_ID_SIZE];

static void
mk_user(const char *name, const char *pw, int enabled, const char *dflt,
    int64_t pw_expires, char id[STORE_ID_SIZE])
{
	struct kg_user	 u;
	struct kg_err	 err = { 0 };

	memset(&u, 0, sizeof(u));
	kg_id_new(u.id);
	kg_strlcpy(u.name, name, sizeof(u.name));
	kg_strlcpy(u.domain_id, "default", sizeof(u.domain_id));
	u.enabled = enabled;
	u.password_hash = password_hash(pw, 4, &err);
	u.password_expires_at = pw_expires;
	if (dflt != NULL)
		kg_strlcpy(u.default_project_id, dflt, sizeof(u.default_project_id));
	u.created_at = kg_now_us();
	if (store_user_create(st, &u, &err) == -1)
		printf("mk_user %s: %s\n", name, err.msg);
	free(u.password_hash);
	kg_strlcpy(id, u.id, STORE_ID_SIZE);
}

static void
mk_project(const char *name, const char *domain_id, char id[STORE_ID_SIZE])
{
	struct kg_project	 p;
	struct kg_err		 err = { 0 };

	memset(&p, 0, sizeof(p));
	kg_id_new(p.id);
	kg_strlcpy(p.name, name, sizeof(p.name));
	kg_strlcpy(p.domain_id, domain_id, sizeof(p.domain_id));
	p.enabled = 1;
	if (store_project_create(st, &p, &err) == -1)
		printf("mk_project %s: %s\n", name, err.msg);
	kg_strlcpy(id, p.id, STORE_ID_SIZE);
}

static void
setup(void)
{
	struct bootstrap_opts	 o;
	struct kg_domain	 d;
	struct kg_role		 r;
	struct kg_err		 err = { 0 };
	struct token_cfg	 cfg;

	snprintf(dir, sizeof(dir), "/tmp/kg-token-XXXXXX");
	if (mkdtemp(dir) == NULL)
		exit(1);
	snprintf(keydir, sizeof(keydir), "%s/keys", dir);
	snprintf(dbpath, sizeof(dbpath), "%s/kg.db", dir);
	if (keys_setup(keydir, &err) == -1 || (st = store_open(dbpath, &err)) == NULL ||
	    store_migrate(st, NULL, NULL, &err) == -1) {
		printf("setup: %s\n", err.msg);
		exit(1);
	}
	memset(&o, 0, sizeof(o));
	o.password = "admin-secret";
	o.username = "admin";
	o.project_name = "admin";
	o.role_name = "admin";
	o.service_name = "keystone";
	o.region_id = "RegionOne";
	o.public_url = "http://127.0.0.1:5000/v3";
	o.hash_rounds = 4;
	if (bootstrap_run(st, &o, &err) == -1) {
		printf("bootstrap: %s\n", err.msg);
		exit(1);
	}
	memset(&r, 0, sizeof(r));
	store_role_get_by_name(st, "admin", "", &r, &err);
	kg_strlcpy(admin_role, r.id, sizeof(admin_role));
	kg_role_free(&r);
	store_role_get_by_name(st, "member", "", &r, &err);
	kg_strlcpy(member_role, r.id, sizeof(member_role));
	kg_role_free(&r);

	memset(&d, 0, sizeof(d));
	kg_id_new(d.id);
	kg_strlcpy(d.name, "dom2", sizeof(d.name));
	d.enabled = 1;
	store_domain_create(st, &d, &err);
	kg_strlcpy(d2, d.id, sizeof(d2));
	mk_project("p1", "default", p1);
	mk_project("p2", d2, p2);
	mk_user("alice", "alice-pw", 1, p1, 0, alice);
	mk_user("bob", "bob-pw", 0, NULL, 0, bob);		/* disabled */
	mk_user("carol", "carol-pw", 1, p2, kg_now_us() - 1000000, carol); /* expired pw */
	store_grant(st, 0, alice, KG_SCOPE_PROJECT, p1, member_role, 0, &err);
	store_grant(st, 0, alice, KG_SCOPE_PROJECT, p2, member_role, 0, &err);
	store_grant(st, 0, alice, KG_SCOPE_DOMAIN, d2, member_role, 0, &err);
	store_grant(st, 0, bob, KG_SCOPE_PROJECT, p1, member_role, 0, &err);

	memset(&cfg, 0, sizeof(cfg));
	cfg.key_dir = keydir;
	cfg.expiration = 3600;
	cfg.allow_expired_window = 172800;
	cfg.cache_size = 64;
	if ((tk = tokens_open(&cfg, &err)) == NULL) {
		printf("tokens_open: %s\n", err.msg);
		exit(1);
	}
}

/* Password auth by name in Default; scope: project name in Default or NULL. */
static struct token_auth
pw_auth(const char *user, const char *pw)
{
	struct token_auth	a;

	memset(&a, 0, sizeof(a));
	a.methods[0] = "password";
	a.nmethods = 1;
	a.user_name = user;
	a.user_domain_name = "Default";
	a.password = pw;
	return a;
}

static char *
issue(const struct token_auth *a, json_t **body, struct kg_err *err)
{
	char	*tok = NULL, *b = NULL;

	if (body != NULL)
		*body = NULL;
	if (tokens_issue(tk, st, a, 0, &tok, &b, NULL, err) == -1)
		return NULL;
	if (body != NULL) {
		json_t *r = json_loads(b, 0, NULL);

		*body = json_incref(json_object_get(r, "token"));
		json_decref(r);
	}
	free(b);
	return tok;
}

static int
valid(const char *tok)
{
	struct kg_ctx	ctx;
	struct kg_err	err = { 0 };
	int		ok = tokens_validate(tk, st, tok, 0, &ctx, NULL, &err) == 0;

	kg_ctx_free(&ctx);
	return ok;
}

/* The validation error message ("" when valid). */
static const char *
why(const char *tok, int allow_expired)
{
	static struct kg_err	err;
	struct kg_ctx		ctx;

	memset(&err, 0, sizeof(err));
	if (tokens_validate(tk, st, tok, allow_expired, &ctx, NULL, &err) == 0) {
		kg_ctx_free(&ctx);
		return "";
	}
	return err.kind == KG_ENOTFOUND ? err.msg : "other error";
}

/* Sign claims with the repository's primary key (forged-but-signed tokens). */
static char *
forge(json_t *claims)
{
	struct jwt_keyset	 ks;
	struct jwt_key		*primary;
	struct kg_err		 err = { 0 };
	char			*tok = NULL;

	if (keys_load(keydir, &ks, &primary, &err) == 0)
		tok = jwt_sign(primary, claims, &err);
	keys_free(&ks);
	json_decref(claims);
	return tok;
}

/* Claims of tok (no verification; test-side decode). */
static json_t *
claims_of(const char *tok)
{
	const char	*a = strchr(tok, '.') + 1, *b = strchr(a, '.');
	char		 buf[16384];
	long		 n = kg_b64url_decode(a, (size_t)(b - a), buf, sizeof(buf));

	return n > 0 ? json_loadb(buf, (size_t)n, 0, NULL) : NULL;
}

static const char *
it_str_or(json_t *v)
{
	return json_is_string(v) ? json_string_value(v) : "";
}

/* "name,name,..." of the roles in a token body or claims ("" if none). */
static const char *
role_names(json_t *o)
{
	static char	 buf[256];
	json_t		*r;
	size_t		 i, n = 0;

	buf[0] = '\0';
	json_array_foreach(json_object_get(o, "roles"), i, r)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? "," : "",
		    it_str_or(json_object_get(r, "name")));
	return buf;
}

/*
 * Issue with a (the token method in the state-cache tests); 1 when both
 * the body's and the signed claims' roles read want, and the body's
 * project name (when pname is not NULL) is pname.
 */
static int
issued_roles(const struct token_auth *a, const char *want, const char *pname)
{
	struct kg_err	 err = { 0 };
	json_t		*b = NULL, *c = NULL;
	char		*tok;
	int		 ok;

	if ((tok = issue(a, &b, &err)) == NULL)
		return 0;
	c = claims_of(tok);
	ok = b != NULL && c != NULL && strcmp(role_names(b), want) == 0 &&
	    strcmp(role_names(c), want) == 0 && (pname == NULL ||
	    strcmp(it_str_or(json_object_get(json_object_get(b, "project"), "name")),
	    pname) == 0);
	if (!ok)
		printf("issued_roles: body [%s] claims [%s] want [%s]\n",
		    b ? role_names(b) : "-", c ? role_names(c) : "-", want);
	json_decref(b);
	json_decref(c);
	free(tok);
	return ok;
}

/* The audit id of tok (its first), into out. */
static void
audit_of(const char *tok, char out[64])
{
	json_t	*c = claims_of(tok);

	snprintf(out, 64, "%s", it_str_or(json_array_get(json_object_get(c,
	    "audit_ids"), 0)));
	json_decref(c);
}

struct thr {
	const char	*tok;
	int		 ok;
};

static void *
thr_main(void *p)
{
	struct thr	*t = p;
	struct store	*mine;
	struct kg_err	 err = { 0 };
	struct kg_ctx	 ctx;
	json_t		*b;
	int		 i;

	t->ok = 1;
	if ((mine = store_open(dbpath, &err)) == NULL) {
		t->ok = 0;
		return NULL;
	}
	for (i = 0; i < 200; i++) {
		if (tokens_validate(tk, mine, t->tok, 0, &ctx, &b, &err) == -1)
			t->ok = 0;
		else {
			json_decref(b);
			kg_ctx_free(&ctx);
		}
		if (i % 50 == 0)
			tokens_cache_clear(tk);
	}
	store_close(mine);
	return NULL;
}

int
main(void)
{
	struct token_auth	 a;
	struct kg_err		 err = { 0 };
	struct kg_ctx		 ctx;
	struct token_stats	 s0, s1;
	struct kg_revoke_event	 ev, *evs;
	struct kg_role		 role;
	struct token_cfg	 cfg;
	struct tokens		*nocache;
	json_t			*b, *b2, *c, *cat;
	char			*t_admin, *t_alice, *t_un, *t_child, *t_dom, *t_sys, *t;
	char			*t_p2, **ids;
	const char		*kid_old;
	size_t			 n;
	int64_t			 now = kg_now_us();
	pthread_t		 th[3];
	struct thr		 ta[3];
	int			 i;

	setup();

	/* ---- pruning ---- */
	memset(&ev, 0, sizeof(ev));
	kg_strlcpy(ev.user_id, "ancient", sizeof(ev.user_id));
	ev.issued_before = ev.revoked_at = now - 3LL * 86400 * 1000000;
	store_revoke_add(st, &ev, &err);
	memset(&ev, 0, sizeof(ev));
	ev.issued_before = ev.revoked_at = now - 1000000;
	kg_strlcpy(ev.user_id, "recent", sizeof(ev.user_id));
	store_revoke_add(st, &ev, &err);
	tokens_prune(tk, st);	/* first call in this process: runs */
	store_revoke_list(st, 0, &evs, &n, &err);
	for (i = 0; i < (int)n; i++)
		if (strcmp(evs[i].user_id, "ancient") == 0)
			break;
	T("token-5.1 prune drops events older than lifetime + window, keeps recent",
	    i == (int)n && n == 1 && strcmp(evs[0].user_id, "recent") == 0);
	free(evs);

	/* ---- issue ---- */
	a = pw_auth("admin", "admin-secret");
	a.scope = KG_SCOPE_PROJECT;
	a.project_name = "admin";
	a.project_domain_id = "default";
	t_admin = issue(&a, &b, &err);
	T("token-1.1 admin password token scoped to project admin", t_admin != NULL &&
	    json_is_false(json_object_get(b, "is_domain")) &&
	    strcmp(json_string_value(json_object_get(json_object_get(b, "project"),
	    "name")), "admin") == 0 &&
	    json_array_size(json_object_get(b, "roles")) >= 1 &&
	    json_is_null(json_object_get(json_object_get(b, "user"),
	    "password_expires_at")) &&
	    json_object_get(b, "catalog") == NULL);
	T("token-1.2 body times end in .000000Z, expires 1h after issue",
	    b && strstr(json_string_value(json_object_get(b, "expires_at")), ".000000Z") &&
	    strlen(json_string_value(json_object_get(b, "issued_at"))) == 27);
	c = t_admin ? claims_of(t_admin) : NULL;
	T("token-1.3 claims as jwt.h documents", c != NULL &&
	    strcmp(json_string_value(json_object_get(c, "iss")), "keygate") == 0 &&
	    json_integer_value(json_object_get(c, "exp")) -
	    json_integer_value(json_object_get(c, "iat")) == 3600 &&
	    json_integer_value(json_object_get(c, "iat_us")) / 1000000 ==
	    json_integer_value(json_object_get(c, "iat")) &&
	    json_equal(json_object_get(c, "audit_ids"), json_object_get(b, "audit_ids")) &&
	    strlen(json_string_value(json_array_get(json_object_get(c, "audit_ids"), 0)))
	    == 22 &&
	    json_object_get(json_object_get(json_object_get(c, "project"), "domain"),
	    "name") != NULL &&
	    json_array_size(json_object_get(c, "roles")) ==
	    json_array_size(json_object_get(b, "roles")) &&
	    strcmp(json_string_value(json_object_get(c, "sub")), json_string_value(
	    json_object_get(json_object_get(b, "user"), "id"))) == 0);
	json_decref(c);
	json_decref(b);

	a = pw_auth("alice", "alice-pw");
	a.explicit_unscoped = 1;
	t_un = issue(&a, &b, &err);
	T("token-1.4 explicit unscoped: no project, roles, is_domain",
	    t_un != NULL && json_object_get(b, "project") == NULL &&
	    json_object_get(b, "roles") == NULL && json_object_get(b, "is_domain") == NULL);
	json_decref(b);
	a.explicit_unscoped = 0;
	t_alice = issue(&a, &b, &err);
	T("token-1.5 no scope: alice's default project p1 (she has a role there)",
	    t_alice != NULL && strcmp(json_string_value(json_object_get(
	    json_object_get(b, "project"), "id")), p1) == 0);
	json_decref(b);
	memset(&a, 0, sizeof(a));
	a.methods[0] = "password";
	a.nmethods = 1;
	a.user_id = alice;
	a.password = "alice-pw";
	a.scope = KG_SCOPE_PROJECT;
	a.project_id = p2;
	t_p2 = issue(&a, &b, &err);
	T("token-1.6 user by id, project by id in another domain", t_p2 != NULL &&
	    strcmp(json_string_value(json_object_get(json_object_get(json_object_get(b,
	    "project"), "domain"), "name")), "dom2") == 0);
	json_decref(b);
	a.scope = KG_SCOPE_DOMAIN;
	a.domain_name = "dom2";
	t_dom = issue(&a, &b, &err);
	T("token-1.7 domain scope by name", t_dom != NULL &&
	    strcmp(json_string_value(json_object_get(json_object_get(b, "domain"),
	    "id")), d2) == 0 && json_object_get(b, "is_domain") == NULL &&
	    json_array_size(json_object_get(b, "roles")) > 0);
	json_decref(b);
	a.domain_name = NULL;
	a.domain_id = "default";
	T("token-1.8 domain without a role refused (401)", issue(&a, NULL, &err) == NULL &&
	    err.kind == KG_EUNAUTH);
	a.scope = KG_SCOPE_SYSTEM;
	T("token-1.9 system scope without system role refused",
	    issue(&a, NULL, &err) == NULL && err.kind == KG_EUNAUTH);
	a = pw_auth("admin", "admin-secret");
	a.scope = KG_SCOPE_SYSTEM;
	t_sys = issue(&a, &b, &err);
	T("token-1.10 admin system scope", t_sys != NULL && json_is_true(json_object_get(
	    json_object_get(b, "system"), "all")));
	json_decref(b);

	a = pw_auth("alice", "wrong");
	T("token-1.11 wrong password -> 401", issue(&a, NULL, &err) == NULL &&
	    err.kind == KG_EUNAUTH);
	a = pw_auth("nobody", "x");
	T("token-1.12 unknown user -> 401", issue(&a, NULL, &err) == NULL &&
	    err.kind == KG_EUNAUTH);
	a = pw_auth("alice", "alice-pw");
	a.user_domain_name = "NoSuchDomain";
	T("token-1.13 unknown user domain -> 401", issue(&a, NULL, &err) == NULL &&
	    err.kind == KG_EUNAUTH);
	a = pw_auth("bob", "bob-pw");
	T("token-1.14 disabled user -> 401", issue(&a, NULL, &err) == NULL &&
	    err.kind == KG_EUNAUTH);
	a = pw_auth("carol", "carol-pw");
	T("token-1.15 expired password -> 401", issue(&a, NULL, &err) == NULL &&
	    err.kind == KG_EUNAUTH);
	a = pw_auth("alice", "alice-pw");
	a.scope = KG_SCOPE_PROJECT;
	a.project_name = "admin";
	a.project_domain_name = "Default";
	T("token-1.16 project without roles -> 401", issue(&a, NULL, &err) == NULL &&
	    err.kind == KG_EUNAUTH);
	a.project_name = "nope";
	T("token-1.17 unknown project -> 401", issue(&a, NULL, &err) == NULL &&
	    err.kind == KG_EUNAUTH);
	a = pw_auth("alice", "alice-pw");
	a.methods[0] = "oauth1";
	T("token-1.18 unsupported method -> 401", issue(&a, NULL, &err) == NULL &&
	    err.kind == KG_EUNAUTH);

	/* token method: rescope the unscoped token, keeping expiry and chain */
	memset(&a, 0, sizeof(a));
	a.methods[0] = "token";
	a.nmethods = 1;
	a.token_id = t_un;
	a.scope = KG_SCOPE_PROJECT;
	a.project_id = p2;
	t_child = issue(&a, &b, &err);
	tokens_validate(tk, st, t_un, 0, &ctx, &b2, &err);
	T("token-1.19 token method keeps expiry, chains audit ids, adds methods",
	    t_child != NULL && b2 != NULL && json_equal(json_object_get(b, "expires_at"),
	    json_object_get(b2, "expires_at")) &&
	    json_array_size(json_object_get(b, "audit_ids")) == 2 &&
	    json_equal(json_array_get(json_object_get(b, "audit_ids"), 1),
	    json_array_get(json_object_get(b2, "audit_ids"), 0)) &&
	    strcmp(json_string_value(json_array_get(json_object_get(b, "methods"), 0)),
	    "token") == 0 &&
	    strcmp(json_string_value(json_array_get(json_object_get(b, "methods"), 1)),
	    "password") == 0);
	kg_ctx_free(&ctx);
	json_decref(b);
	json_decref(b2);
	a.token_id = "garbage";
	T("token-1.20 token method with a garbage token -> 404, as validation",
	    issue(&a, NULL, &err) == NULL && err.kind == KG_ENOTFOUND &&
	    strcmp(err.msg, TOKEN_MSG_UNRECOGNIZED) == 0);

	/* names that need escaping survive into the body and the claims */
	{
		char	odd[STORE_ID_SIZE], *tq;
		json_t	*ob = NULL, *oc;

		mk_user("q\"uo\\te\n\x01", "odd-pw", 1, NULL, 0, odd);
		store_grant(st, 0, odd, KG_SCOPE_PROJECT, p1, member_role, 0, &err);
		a = pw_auth("q\"uo\\te\n\x01", "odd-pw");
		a.scope = KG_SCOPE_PROJECT;
		a.project_id = p1;
		tq = issue(&a, &ob, &err);
		oc = tq ? claims_of(tq) : NULL;
		T("token-1.21 a name with quote, backslash, control chars round-trips",
		    tq != NULL && ob != NULL && oc != NULL &&
		    strcmp(json_string_value(json_object_get(json_object_get(ob, "user"),
		    "name")), "q\"uo\\te\n\x01") == 0 &&
		    strcmp(json_string_value(json_object_get(json_object_get(oc, "user"),
		    "name")), "q\"uo\\te\n\x01") == 0 && valid(tq));
		json_decref(ob);
		json_decref(oc);
		free(tq);
	}

	/* ---- validate ---- */
	T("token-2.1 issued tokens validate", valid(t_admin) && valid(t_alice) &&
	    valid(t_un) && valid(t_child) && valid(t_dom) && valid(t_sys) && valid(t_p2));
	T("token-2.2 ctx of a project token", tokens_validate(tk, st, t_alice, 0, &ctx,
	    NULL, &err) == 0 && ctx.scope == KG_SCOPE_PROJECT &&
	    strcmp(ctx.project_id, p1) == 0 && strcmp(ctx.user_id, alice) == 0 &&
	    strcmp(ctx.project_domain_id, "default") == 0 && ctx.nroles >= 2 &&
	    kg_ctx_has_role(&ctx, "member") && kg_ctx_has_role(&ctx, "reader") &&
	    strlen(ctx.audit_id) == 22 && ctx.expires_at > now);
	kg_ctx_free(&ctx);
	T("token-2.3 authenticate fills ctx; garbage -> 401",
	    tokens_authenticate(tk, st, t_dom, &ctx, &err) == 0 &&
	    ctx.scope == KG_SCOPE_DOMAIN && strcmp(ctx.domain_id, d2) == 0 &&
	    (kg_ctx_free(&ctx), tokens_authenticate(tk, st, "x.y.z", &ctx, &err)) == -1 &&
	    err.kind == KG_EUNAUTH);
	T("token-2.4 garbage -> Could not recognize token",
	    strcmp(why("garbage", 0), TOKEN_MSG_UNRECOGNIZED) == 0 &&
	    strcmp(why("", 0), TOKEN_MSG_UNRECOGNIZED) == 0);

	c = json_pack("{s:s, s:s, s:I, s:I, s:I, s:[s], s:[s], s:{s:s, s:s, s:{s:s, s:s}}}",
	    "iss", "keygate", "sub", alice, "iat", (json_int_t)(now / 1000000 - 7200),
	    "exp", (json_int_t)(now / 1000000 - 3600), "iat_us", (json_int_t)(now - 7200000000LL),
	    "audit_ids", "AAAAAAAAAAAAAAAAAAAAAA", "methods", "password",
	    "user", "id", alice, "name", "alice", "domain", "id", "default", "name", "Default");
	t = forge(json_deep_copy(c));
	T("token-2.5 expired an hour ago -> Failed to validate token",
	    strcmp(why(t, 0), TOKEN_MSG_INVALID) == 0);
	T("token-2.6 ... but accepted with allow_expired (window 2 days)",
	    strcmp(why(t, 1), "") == 0);
	free(t);
	json_object_set_new(c, "exp", json_integer(now / 1000000 - 172800 - 10));
	t = forge(json_deep_copy(c));
	T("token-2.7 expired beyond the window -> refused even with allow_expired",
	    strcmp(why(t, 1), TOKEN_MSG_INVALID) == 0);
	free(t);
	json_object_set_new(c, "exp", json_integer(now / 1000000 + 600));
	t = forge(json_deep_copy(c));
	T("token-2.8 hand-signed unscoped token with valid claims validates",
	    strcmp(why(t, 0), "") == 0);
	free(t);
	/* audit (found by fuzz_token): iat went unchecked into the body's
	 * issued_at as iat * 10^6, a signed overflow (UBSan under check-asan). */
	json_object_set_new(c, "iat", json_integer(now));	/* µs, not s */
	t = forge(json_deep_copy(c));
	T("token-2.8a an iat beyond 64-bit microseconds -> not recognized",
	    strcmp(why(t, 0), TOKEN_MSG_UNRECOGNIZED) == 0);
	free(t);
	json_object_set_new(c, "iat", json_integer(now / 1000000 - 7200));
	json_object_set_new(c, "iss", json_string("someone-else"));
	t = forge(json_deep_copy(c));
	T("token-2.9 other issuer -> not recognized",
	    strcmp(why(t, 0), TOKEN_MSG_UNRECOGNIZED) == 0);
	free(t);
	json_object_set_new(c, "iss", json_string("keygate"));
	json_object_set_new(c, "sub", json_string(bob));
	t = forge(json_deep_copy(c));
	T("token-2.10 sub differing from user.id -> not recognized",
	    strcmp(why(t, 0), TOKEN_MSG_UNRECOGNIZED) == 0);
	free(t);
	json_object_set_new(c, "exp", json_string("soon"));
	t = forge(json_deep_copy(c));
	T("token-2.11 non-integer exp -> not recognized",
	    strcmp(why(t, 0), TOKEN_MSG_UNRECOGNIZED) == 0);
	free(t);
	json_object_set_new(c, "exp", json_integer(now / 1000000 + 600));
	json_object_set_new(c, "sub", json_string("0123456789abcdef0123456789abcdef"));
	json_object_set_new(json_object_get(c, "user"), "id",
	    json_string("0123456789abcdef0123456789abcdef"));
	t = forge(json_deep_copy(c));
	T("token-2.12 well-formed token of an unknown user -> Failed to validate",
	    strcmp(why(t, 0), TOKEN_MSG_INVALID) == 0);
	free(t);
	json_object_set_new(c, "sub", json_string(bob));
	json_object_set_new(json_object_get(c, "user"), "id", json_string(bob));
	t = forge(json_deep_copy(c));
	T("token-2.13 token of a disabled user -> Failed to validate",
	    strcmp(why(t, 0), TOKEN_MSG_INVALID) == 0);
	free(t);
	json_object_set_new(c, "sub", json_string(alice));
	json_object_set_new(json_object_get(c, "user"), "id", json_string(alice));
	json_object_set_new(c, "project", json_pack("{s:s, s:s, s:{s:s, s:s}}", "id",
	    p1, "name", "p1", "domain", "id", "default", "name", "Default"));
	json_object_set_new(c, "domain", json_pack("{s:s, s:s}", "id", d2, "name", "d"));
	t = forge(json_deep_copy(c));
	T("token-2.14 two scopes in one token -> not recognized",
	    strcmp(why(t, 0), TOKEN_MSG_UNRECOGNIZED) == 0);
	free(t);
	json_object_del(c, "domain");
	json_object_set_new(c, "project", json_pack("{s:s, s:s, s:{s:s, s:s}}", "id",
	    "0123456789abcdef0123456789abcdef", "name", "x", "domain", "id",
	    "default", "name", "Default"));
	t = forge(json_deep_copy(c));
	T("token-2.15 token scoped to an unknown project -> Failed to validate",
	    strcmp(why(t, 0), TOKEN_MSG_INVALID) == 0);
	free(t);
	json_object_set_new(c, "project", json_pack("{s:s, s:s, s:{s:s, s:s}}", "id",
	    p1, "name", "p1", "domain", "id", d2, "name", "dom2"));
	t = forge(json_deep_copy(c));
	T("token-2.16 claimed project domain differs from the store -> refused",
	    strcmp(why(t, 0), TOKEN_MSG_INVALID) == 0);
	free(t);
	json_decref(c);

	/* ---- current state, without revocation events ---- */
	{
		struct kg_domain	 d3;
		struct kg_project	 p3;
		char			 p3id[STORE_ID_SIZE], dave[STORE_ID_SIZE], *td;
		json_t			*db = NULL;
		char			 when[KG_TIME_LEN];
		int64_t			 exp = (now / 1000000 + 86400) * 1000000;

		memset(&d3, 0, sizeof(d3));
		kg_id_new(d3.id);
		kg_strlcpy(d3.name, "dom3", sizeof(d3.name));
		d3.enabled = 1;
		store_domain_create(st, &d3, &err);
		mk_project("p3", d3.id, p3id);
		mk_user("dave", "dave-pw", 1, NULL, exp, dave);
		store_grant(st, 0, dave, KG_SCOPE_PROJECT, p3id, member_role, 0, &err);
		a = pw_auth("dave", "dave-pw");
		a.scope = KG_SCOPE_PROJECT;
		a.project_id = p3id;
		td = issue(&a, &db, &err);
		kg_time_fmt(exp, when);
		T("token-2.17 password_expires_at shown when set",
		    td != NULL && strcmp(json_string_value(json_object_get(
		    json_object_get(db, "user"), "password_expires_at")), when) == 0);
		json_decref(db);
		d3.enabled = 0;
		T("token-2.18 project's domain disabled (no event): token refused",
		    valid(td) && store_domain_update(st, &d3, &err) == 0 &&
		    strcmp(why(td, 0), TOKEN_MSG_INVALID) == 0 &&
		    issue(&a, NULL, &err) == NULL && err.kind == KG_EUNAUTH);
		d3.enabled = 1;
		T("token-2.19 re-enabled: valid again", store_domain_update(st, &d3,
		    &err) == 0 && valid(td));
		memset(&p3, 0, sizeof(p3));
		store_project_get(st, p3id, &p3, &err);
		p3.enabled = 0;
		T("token-2.20 project disabled (no event): refused",
		    store_project_update(st, &p3, &err) == 0 &&
		    strcmp(why(td, 0), TOKEN_MSG_INVALID) == 0);
		p3.enabled = 1;
		store_project_update(st, &p3, &err);
		kg_project_free(&p3);
		d3.enabled = 0;
		kg_strlcpy(d3.id, "default", sizeof(d3.id));
		kg_strlcpy(d3.name, "Default", sizeof(d3.name));
		T("token-2.21 the user's own domain disabled: refused",
		    valid(td) && store_domain_update(st, &d3, &err) == 0 &&
		    strcmp(why(td, 0), TOKEN_MSG_INVALID) == 0);
		d3.enabled = 1;
		store_domain_update(st, &d3, &err);
		T("token-2.22 grant removed: no roles left, refused",
		    valid(td) && store_ungrant(st, 0, dave, KG_SCOPE_PROJECT, p3id, member_role, 0, &err) == 0 &&
		    strcmp(why(td, 0), TOKEN_MSG_INVALID) == 0);
		free(td);
	}

	/* ---- cache ---- */
	valid(t_admin);		/* (re)fill after the store changes above */
	tokens_stats(tk, &s0);
	valid(t_admin);
	valid(t_admin);
	tokens_stats(tk, &s1);
	T("token-3.1 repeated validation hits the cache", s1.hits == s0.hits + 2 &&
	    s1.misses == s0.misses);
	memset(&role, 0, sizeof(role));
	kg_id_new(role.id);
	kg_strlcpy(role.name, "unrelated", sizeof(role.name));
	store_role_create(st, &role, &err);
	store_role_add_implied(st, role.id, member_role, &err);	/* bumps generation */
	tokens_stats(tk, &s0);
	T("token-3.2 after a store change the entry is rechecked, still valid",
	    valid(t_admin) && (tokens_stats(tk, &s1), s1.misses == s0.misses + 1));
	T("token-3.3 then cached again", valid(t_admin) &&
	    (tokens_stats(tk, &s0), s0.hits == s1.hits + 1));
	memset(&cfg, 0, sizeof(cfg));
	cfg.key_dir = keydir;
	cfg.expiration = 3600;
	cfg.cache_size = 0;
	nocache = tokens_open(&cfg, &err);
	T("token-3.4 a tokens object without cache validates the same tokens",
	    nocache != NULL && tokens_validate(nocache, st, t_alice, 0, &ctx, &b, &err) == 0 &&
	    json_object_get(b, "project") != NULL);
	kg_ctx_free(&ctx);
	json_decref(b);
	tokens_close(nocache);

	/* ---- revocation ---- */
	tokens_validate(tk, st, t_un, 0, &ctx, NULL, &err);
	T("token-4.1 revoke one token (cached): it fails, others survive",
	    svc_token_revoke(st, ctx.audit_id, &err) == 0 &&
	    strcmp(why(t_un, 0), TOKEN_MSG_INVALID) == 0 && valid(t_alice));
	kg_ctx_free(&ctx);
	T("token-4.2 a token rescoped from the revoked one is revoked too",
	    strcmp(why(t_child, 0), TOKEN_MSG_INVALID) == 0);
	T("token-4.3 revoked stays revoked with allow_expired",
	    strcmp(why(t_un, 1), TOKEN_MSG_INVALID) == 0);
	memset(&a, 0, sizeof(a));
	a.methods[0] = "token";
	a.nmethods = 1;
	a.token_id = t_un;
	T("token-4.4 a revoked token cannot mint new ones (404, as validation)",
	    issue(&a, NULL, &err) == NULL && err.kind == KG_ENOTFOUND &&
	    strcmp(err.msg, TOKEN_MSG_INVALID) == 0);
	T("token-4.5 project event revokes project tokens only",
	    store_revoke_project(st, p2, &err) == 0 &&
	    strcmp(why(t_p2, 0), TOKEN_MSG_INVALID) == 0 && valid(t_alice) &&
	    valid(t_dom));
	T("token-4.6 domain event revokes tokens scoped to it",
	    store_revoke_domain(st, d2, &err) == 0 &&
	    strcmp(why(t_dom, 0), TOKEN_MSG_INVALID) == 0 && valid(t_alice));
	usleep(2);
	T("token-4.7 user event (password change) revokes all of the user's tokens",
	    store_user_set_password(st, alice, NULL, 0, &err) == 0 &&
	    store_revoke_user(st, alice, &err) == 0 &&
	    strcmp(why(t_alice, 0), TOKEN_MSG_INVALID) == 0 && valid(t_admin));
	a = pw_auth("alice", "alice-pw");
	T("token-4.8 old password no longer works", issue(&a, NULL, &err) == NULL);
	{
		char *h = password_hash("alice-new", 4, &err);

		store_user_set_password(st, alice, h, 0, &err);
		free(h);
	}
	a = pw_auth("alice", "alice-new");
	t = issue(&a, NULL, &err);
	T("token-4.9 a token issued after the event is valid", t != NULL && valid(t));
	free(t);

	/* ---- catalog ---- */
	cat = tokens_catalog(tk, st, NULL, &err);
	T("token-6.1 catalog: identity service with a public endpoint in RegionOne",
	    json_array_size(cat) == 1 && strcmp(json_string_value(json_object_get(
	    json_array_get(cat, 0), "type")), "identity") == 0 &&
	    strcmp(it_str_or(json_object_get(json_array_get(json_object_get(
	    json_array_get(cat, 0), "endpoints"), 0), "region")), "RegionOne") == 0);
	json_decref(cat);

	/* ---- scope targets ---- */
	T("token-7.1 alice can scope to p1 and p2 (enabled, with roles)",
	    store_scope_targets(st, alice, KG_SCOPE_PROJECT, &ids, &n, &err) == 0 &&
	    n == 2);
	store_strv_free(ids, n);
	T("token-7.2 ... and to domain dom2 only",
	    store_scope_targets(st, alice, KG_SCOPE_DOMAIN, &ids, &n, &err) == 0 &&
	    n == 1 && strcmp(ids[0], d2) == 0);
	store_strv_free(ids, n);

	/* ---- key rotation + reload ---- */
	c = claims_of(t_admin);
	kid_old = NULL;
	T("token-8.1 rotate + reload: old tokens still validate",
	    keys_rotate(keydir, 3, &err) == 0 && tokens_reload(tk, &err) == 0 &&
	    valid(t_admin) && valid(t_sys));
	a = pw_auth("admin", "admin-secret");
	t = issue(&a, NULL, &err);
	{
		json_t *j1 = NULL, *j2 = NULL;
		char hb[512];
		long hn;

		hn = kg_b64url_decode(t, strchr(t, '.') - t, hb, sizeof(hb));
		j1 = hn > 0 ? json_loadb(hb, hn, 0, NULL) : NULL;
		hn = kg_b64url_decode(t_admin, strchr(t_admin, '.') - t_admin, hb, sizeof(hb));
		j2 = hn > 0 ? json_loadb(hb, hn, 0, NULL) : NULL;
		kid_old = json_string_value(json_object_get(j2, "kid"));
		T("token-8.2 new tokens are signed by the new primary",
		    t != NULL && j1 && j2 && strcmp(json_string_value(json_object_get(j1,
		    "kid")), kid_old) != 0 && valid(t));
		json_decref(j1);
		json_decref(j2);
	}
	free(t);
	T("token-8.3 after two more rotations the signing key is pruned: refused",
	    keys_rotate(keydir, 3, &err) == 0 && keys_rotate(keydir, 3, &err) == 0 &&
	    tokens_reload(tk, &err) == 0 &&
	    strcmp(why(t_admin, 0), TOKEN_MSG_UNRECOGNIZED) == 0);
	json_decref(c);

	/* ---- the token method's state cache follows every store change ---- */
	{
		struct kg_group		 g;
		struct kg_project	 pp;
		struct kg_user		 uu;
		struct kg_service	 sv;
		struct kg_endpoint	 ep;
		struct kg_role		 aud, obs;
		char			 erin[STORE_ID_SIZE], observer[STORE_ID_SIZE];
		char			*te, *tok = NULL, *reply = NULL, aids[80][64];
		json_t			*r;
		int			 ncat = -1, distinct = 1, j, k;
		int			 fds[2];
		pid_t			 pid = -1;

		mk_user("erin", "erin-pw", 1, NULL, 0, erin);
		store_grant(st, 0, erin, KG_SCOPE_PROJECT, p1, member_role, 0, &err);
		a = pw_auth("erin", "erin-pw");
		te = issue(&a, NULL, &err);		/* unscoped */
		memset(&a, 0, sizeof(a));
		a.methods[0] = "token";
		a.nmethods = 1;
		a.token_id = te;
		a.scope = KG_SCOPE_PROJECT;
		a.project_id = p1;
		T("token-10.1 token method, twice at one generation: same roles",
		    te != NULL && issued_roles(&a, "member,reader", "p1") &&
		    issued_roles(&a, "member,reader", "p1"));
		T("token-10.2 role granted between two issues: in the next token",
		    store_grant(st, 0, erin, KG_SCOPE_PROJECT, p1, admin_role, 0,
		    &err) == 0 && issued_roles(&a, "admin,manager,member,reader", NULL));
		T("token-10.3 role removed: gone from the next token",
		    store_ungrant(st, 0, erin, KG_SCOPE_PROJECT, p1, admin_role, 0,
		    &err) == 0 && issued_roles(&a, "member,reader", NULL));
		/* a role member does not imply (it implies reader) */
		memset(&obs, 0, sizeof(obs));
		kg_id_new(obs.id);
		kg_strlcpy(obs.name, "observer", sizeof(obs.name));
		store_role_create(st, &obs, &err);
		kg_strlcpy(observer, obs.id, sizeof(observer));
		memset(&g, 0, sizeof(g));
		kg_id_new(g.id);
		kg_strlcpy(g.name, "erin-group", sizeof(g.name));
		kg_strlcpy(g.domain_id, "default", sizeof(g.domain_id));
		store_group_create(st, &g, &err);
		store_grant(st, 1, g.id, KG_SCOPE_PROJECT, p1, observer, 0, &err);
		T("token-10.4 joined a group holding a role: role in the next token",
		    issued_roles(&a, "member,reader", NULL) &&
		    store_group_add_user(st, g.id, erin, &err) == 0 &&
		    issued_roles(&a, "member,observer,reader", NULL));
		T("token-10.5 left the group: role gone",
		    store_group_remove_user(st, g.id, erin, &err) == 0 &&
		    issued_roles(&a, "member,reader", NULL));
		memset(&aud, 0, sizeof(aud));
		kg_id_new(aud.id);
		kg_strlcpy(aud.name, "auditor", sizeof(aud.name));
		store_role_create(st, &aud, &err);
		T("token-10.6 new implied role of a held role: in the next token",
		    store_role_add_implied(st, member_role, aud.id, &err) == 0 &&
		    issued_roles(&a, "auditor,member,reader", NULL));
		T("token-10.7 implication removed: gone",
		    store_implied_delete(st, member_role, aud.id, &err) == 0 &&
		    issued_roles(&a, "member,reader", NULL));
		memset(&pp, 0, sizeof(pp));
		store_project_get(st, p1, &pp, &err);
		kg_strlcpy(pp.name, "p1-renamed", sizeof(pp.name));
		T("token-10.8 project renamed: new name in the next token",
		    store_project_update(st, &pp, &err) == 0 &&
		    issued_roles(&a, "member,reader", "p1-renamed"));
		pp.enabled = 0;
		T("token-10.9 project disabled: the token method is refused at once",
		    store_project_update(st, &pp, &err) == 0 &&
		    issue(&a, NULL, &err) == NULL && err.kind == KG_EUNAUTH);
		pp.enabled = 1;
		kg_strlcpy(pp.name, "p1", sizeof(pp.name));
		T("token-10.10 re-enabled and named back: issued again",
		    store_project_update(st, &pp, &err) == 0 &&
		    issued_roles(&a, "member,reader", "p1"));
		kg_project_free(&pp);
		memset(&uu, 0, sizeof(uu));
		store_user_get(st, erin, &uu, &err);
		kg_strlcpy(uu.name, "erin2", sizeof(uu.name));
		T("token-10.11 user renamed: new name in the next token",
		    store_user_update(st, &uu, &err) == 0 &&
		    (t = issue(&a, &b, &err)) != NULL && strcmp(it_str_or(
		    json_object_get(json_object_get(b, "user"), "name")), "erin2") == 0);
		free(t);
		json_decref(b);
		uu.enabled = 0;
		T("token-10.12 user disabled: refused at once (404, as validation)",
		    store_user_update(st, &uu, &err) == 0 &&
		    issue(&a, NULL, &err) == NULL && err.kind == KG_ENOTFOUND);
		uu.enabled = 1;
		store_user_update(st, &uu, &err);
		kg_user_free(&uu);

		/* the catalog in the reply follows the store too */
		memset(&sv, 0, sizeof(sv));
		kg_id_new(sv.id);
		kg_strlcpy(sv.type, "compute", sizeof(sv.type));
		kg_strlcpy(sv.name, "nova", sizeof(sv.name));
		sv.enabled = 1;
		if (tokens_issue(tk, st, &a, 1, &tok, &reply, NULL, &err) == 0 &&
		    (r = json_loads(reply, 0, NULL)) != NULL) {
			ncat = (int)json_array_size(json_object_get(json_object_get(r,
			    "token"), "catalog"));
			json_decref(r);
		}
		free(tok);
		free(reply);
		memset(&ep, 0, sizeof(ep));
		kg_id_new(ep.id);
		kg_strlcpy(ep.service_id, sv.id, sizeof(ep.service_id));
		kg_strlcpy(ep.interface, "public", sizeof(ep.interface));
		ep.url = "http://nova.example/v2.1";
		ep.enabled = 1;
		r = NULL;
		T("token-10.13 service and endpoint added: in the next reply's catalog",
		    ncat >= 1 && store_service_create(st, &sv, &err) == 0 &&
		    store_endpoint_create(st, &ep, &err) == 0 &&
		    tokens_issue(tk, st, &a, 1, &tok, &reply, NULL, &err) == 0 &&
		    (r = json_loads(reply, 0, NULL)) != NULL &&
		    (int)json_array_size(json_object_get(json_object_get(r, "token"),
		    "catalog")) == ncat + 1);
		json_decref(r);
		free(tok);
		free(reply);
		r = NULL;
		T("token-10.14 service deleted: gone from the next reply's catalog",
		    store_service_delete(st, sv.id, &err) == 0 &&
		    tokens_issue(tk, st, &a, 1, &tok, &reply, NULL, &err) == 0 &&
		    (r = json_loads(reply, 0, NULL)) != NULL &&
		    (int)json_array_size(json_object_get(json_object_get(r, "token"),
		    "catalog")) == ncat);
		json_decref(r);
		free(tok);
		free(reply);

		/* audit ids: from a per-thread pool; unique across refills and forks */
		for (j = 0; j < 80; j++) {
			aids[j][0] = '\0';
			if ((t = issue(&a, NULL, &err)) != NULL)
				audit_of(t, aids[j]);
			free(t);
		}
		for (j = 0; j < 80 && distinct; j++)
			for (k = 0; k < j; k++)
				if (aids[j][0] == '\0' || strcmp(aids[j], aids[k]) == 0) {
					distinct = 0;
					break;
				}
		T("token-10.15 80 token-method issues: 80 distinct audit ids",
		    distinct && strlen(aids[0]) == 22);
		aids[0][0] = aids[1][0] = '\0';
		if (pipe(fds) == 0 && (pid = fork()) == 0) {
			struct store	*cst;
			char		 id[64] = "";

			close(fds[0]);
			/* the child's own connection: SQLite's do not cross fork */
			if ((cst = store_open(dbpath, &err)) != NULL &&
			    tokens_issue(tk, cst, &a, 0, &tok, &reply, NULL, &err) == 0)
				audit_of(tok, id);
			if (write(fds[1], id, sizeof(id)) != (ssize_t)sizeof(id))
				_exit(1);
			_exit(0);
		} else if (pid > 0) {
			close(fds[1]);
			if (read(fds[0], aids[0], 64) != 64)
				aids[0][0] = '\0';
			close(fds[0]);
			waitpid(pid, NULL, 0);
			if ((t = issue(&a, NULL, &err)) != NULL)
				audit_of(t, aids[1]);
			free(t);
		}
		T("token-10.16 a forked child does not repeat its parent's audit ids",
		    aids[0][0] != '\0' && aids[1][0] != '\0' && strcmp(aids[0], aids[1]) != 0);
		T("token-10.17 all grants removed: the token method is refused",
		    store_ungrant(st, 0, erin, KG_SCOPE_PROJECT, p1, member_role, 0,
		    &err) == 0 && issue(&a, NULL, &err) == NULL && err.kind == KG_EUNAUTH);
		kg_group_free(&g);
		kg_role_free(&aud);
		free(te);
	}

	/* ---- threads: validate, clear the cache, reload concurrently ---- */
	a = pw_auth("admin", "admin-secret");
	t = issue(&a, NULL, &err);
	for (i = 0; i < 3; i++) {
		ta[i].tok = t;
		pthread_create(&th[i], NULL, thr_main, &ta[i]);
	}
	for (i = 0; i < 5; i++)
		tokens_reload(tk, &err);
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	T("token-9.1 concurrent validation with cache clears and key reloads",
	    ta[0].ok && ta[1].ok && ta[2].ok);
	free(t);

	free(t_admin);
	free(t_alice);
	free(t_un);
	free(t_child);
	free(t_dom);
	free(t_sys);
	free(t_p2);
	kg_role_free(&role);
	tokens_close(tk);
	store_close(st);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			return 1;
	}
	return t_report();
}
