/*
 * fuzz_token.c - libFuzzer target for token parsing and validation: the
 * JWS framing, header and signature checks of auth/jwt.c, then the claims,
 * revocation and state checks of auth/token.c against a real store (a
 * bootstrapped SQLite database in a temporary directory).
 *
 *   byte 0   bits 0-1 the mode, bit 2 allow_expired, bit 3 no catalog:
 *     0  the rest is a token, validated as it is (framing and header);
 *     1  the rest is the claims (JSON text), signed by the primary key
 *        with keygate's own header, then validated: claims parsing and
 *        the validation proper run on every input;
 *     2  "<header JSON>\n<claims JSON>", both encoded and signed as they
 *        are: header checks behind a good signature;
 *     3  "<claims JSON>\n<scope>": the claims are signed, then used as
 *        the token method's token to issue a new token; scope is
 *        "p <name>\n<domain>", "P <id>", "d <name>", "D <id>", "s" or
 *        "u" (explicitly unscoped); anything else requests no scope.
 *   "@X" markers are replaced: @u the admin user id, @p the admin
 *   project id, @r the admin role id, @k the primary key's kid, @n now
 *   (seconds), @m now (µs), @x now + 1 hour, @o a minute ago (seconds);
 *   "@@" is '@'.
 *
 * Checked: whatever validates gives a context for the claimed user and a
 * token body and reply that parse as JSON; the sanitizers catch the rest.
 * Seeds: tests/fuzz/token/.
 */
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <dirent.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/jwt.h"
#include "auth/keys.h"
#include "auth/token.h"
#include "common/util.h"
#include "store/revoke.h"
#include "store/scope.h"
#include "store/store.h"
#include "tests/fuzz/fuzz_env.h"

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct kg_config	 cfg;
static struct store	*st;
static struct tokens	*toks;
static struct jwt_key	*primary;	/* signs mode 1 and 3 */
static struct jwt_keyset ks;
static EVP_PKEY		*pkey;		/* the same key, for mode 2 */
static char		 user_id[STORE_ID_SIZE], project_id[STORE_ID_SIZE];
static char		 role_id[STORE_ID_SIZE];


static void
substitute(struct fz_buf *b, const char *s, size_t n)
{
	char		 num[32];
	const char	*v;
	size_t		 i, start = 0;
	int64_t		 now = kg_now_us();

	b->len = 0;
	fz_buf_add(b, "", 0);
	for (i = 0; i + 1 < n; i++) {
		if (s[i] != '@')
			continue;
		switch (s[i + 1]) {
		case '@': v = "@"; break;
		case 'u': v = user_id; break;
		case 'p': v = project_id; break;
		case 'r': v = role_id; break;
		case 'k': v = jwt_key_kid(primary); break;
		case 'n':
			snprintf(num, sizeof(num), "%lld", (long long)(now / 1000000));
			v = num;
			break;
		case 'm':
			snprintf(num, sizeof(num), "%lld", (long long)now);
			v = num;
			break;
		case 'x':
			snprintf(num, sizeof(num), "%lld", (long long)(now / 1000000 + 3600));
			v = num;
			break;
		case 'o':
			snprintf(num, sizeof(num), "%lld", (long long)(now / 1000000 - 60));
			v = num;
			break;
		default:
			continue;
		}
		fz_buf_add(b, s + start, i - start);
		fz_buf_add(b, v, strlen(v));
		start = i + 2;
		i++;
	}
	fz_buf_add(b, s + start, n - start);
}

/* base64url(header) "." base64url(claims) "." ES256 signature, any header. */
static char *
sign_raw(const char *hdr, size_t hn, const char *claims, size_t cn)
{
	EVP_MD_CTX		*m;
	ECDSA_SIG		*sig;
	const BIGNUM		*r, *s;
	const unsigned char	*p;
	unsigned char		 der[80], raw[64];
	size_t			 cap = (hn + 2) / 3 * 4 + (cn + 2) / 3 * 4 + 96, off = 0;
	size_t			 dl = sizeof(der);
	char			*tok;
	long			 w;

	if ((tok = malloc(cap)) == NULL)
		abort();
	w = kg_b64url_encode(hdr, hn, tok, cap);
	off = (size_t)w;
	tok[off++] = '.';
	w = kg_b64url_encode(claims, cn, tok + off, cap - off);
	off += (size_t)w;
	if ((m = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(m, NULL, EVP_sha256(), NULL, pkey) != 1 ||
	    EVP_DigestSign(m, der, &dl, (unsigned char *)tok, off) != 1)
		fz_die("signing failed");
	EVP_MD_CTX_free(m);
	p = der;
	if ((sig = d2i_ECDSA_SIG(NULL, &p, (long)dl)) == NULL)
		fz_die("bad DER signature");
	ECDSA_SIG_get0(sig, &r, &s);
	BN_bn2binpad(r, raw, 32);
	BN_bn2binpad(s, raw + 32, 32);
	ECDSA_SIG_free(sig);
	tok[off++] = '.';
	kg_b64url_encode(raw, sizeof(raw), tok + off, cap - off);
	return tok;
}

static void
check_json(const char *what, const char *text)
{
	json_t	*j;

	if ((j = json_loads(text, 0, NULL)) == NULL) {
		fprintf(stderr, "fuzz_token: %s is not JSON: %s\n", what, text);
		abort();
	}
	json_decref(j);
}

/* Validate tok every way the server does; check what a success promises. */
static void
validate_all(const char *tok, int allow_expired, int catalog)
{
	struct kg_ctx	 ctx;
	struct kg_err	 err = { 0 };
	json_t		*body = NULL, *claims;
	char		*reply = NULL, *s;

	if ((claims = jwt_verify(&ks, tok, strlen(tok), &err)) != NULL) {
		/* jwt_verify promises an object. */
		if (!json_is_object(claims))
			abort();
		json_decref(claims);
	}
	if (tokens_validate(toks, st, tok, allow_expired, &ctx, &body, &err) == 0) {
		if (ctx.user_id[0] == '\0' || !json_is_object(body))
			abort();
		s = json_dumps(body, JSON_COMPACT);
		check_json("the token body", s);
		free(s);
		json_decref(body);
		kg_ctx_free(&ctx);
	}
	if (tokens_validate_reply(toks, st, tok, allow_expired, catalog, 0, &ctx,
	    &reply, &err) == 0) {
		check_json("the validation reply", reply);
		free(reply);
		kg_ctx_free(&ctx);
	}
	if (tokens_authenticate(toks, st, tok, &ctx, &err) == 0)
		kg_ctx_free(&ctx);
}

/* Mode 3: tok as the token method's token, with a scope from s. */
static void
issue_with(const char *tok, const char *s, int catalog)
{
	struct token_auth	 a;
	struct kg_ctx		 ctx;
	struct kg_err		 err = { 0 };
	char			*ntok = NULL, *reply = NULL, *copy, *nl;

	memset(&a, 0, sizeof(a));
	a.methods[0] = "token";
	a.nmethods = 1;
	a.token_id = tok;
	if ((copy = strdup(s)) == NULL)
		abort();
	if ((nl = strchr(copy, '\n')) != NULL)
		*nl++ = '\0';
	switch (copy[0]) {
	case 'p':
		a.scope = KG_SCOPE_PROJECT;
		a.project_name = copy + (copy[1] ? 2 : 1);
		a.project_domain_name = nl ? nl : "Default";
		break;
	case 'P':
		a.scope = KG_SCOPE_PROJECT;
		a.project_id = copy + (copy[1] ? 2 : 1);
		break;
	case 'd':
		a.scope = KG_SCOPE_DOMAIN;
		a.domain_name = copy + (copy[1] ? 2 : 1);
		break;
	case 'D':
		a.scope = KG_SCOPE_DOMAIN;
		a.domain_id = copy + (copy[1] ? 2 : 1);
		break;
	case 's':
		a.scope = KG_SCOPE_SYSTEM;
		break;
	case 'u':
		a.explicit_unscoped = 1;
		break;
	}
	if (tokens_issue(toks, st, &a, catalog, &ntok, &reply, &ctx, &err) == 0) {
		check_json("the issue reply", reply);
		validate_all(ntok, 0, catalog);
		free(ntok);
		free(reply);
		kg_ctx_free(&ctx);
	}
	free(copy);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct token_cfg	 tc;
	struct kg_token_user	 u;
	struct kg_token_target	 p;
	struct kg_role_ref	*roles = NULL;
	struct kg_revoke_event	 ev;
	struct kg_err		 err = { 0 };
	struct dirent		*de;
	DIR			*d;
	FILE			*fp;
	char			 path[PATH_MAX + 64];
	size_t			 nroles = 0;
	long			 idx, best = -1;

	(void)argc;
	(void)argv;
	fz_env_setup(&cfg, "kg-fuzz-token", "http://127.0.0.1:5000/v3");
	if ((st = store_open(config_db_path(&cfg), &err)) == NULL)
		fz_die("store: %s", err.msg);
	memset(&tc, 0, sizeof(tc));
	tc.key_dir = config_key_dir(&cfg);
	tc.expiration = 3600;
	tc.allow_expired_window = 172800;
	tc.cache_size = 64;
	if ((toks = tokens_open(&tc, &err)) == NULL ||
	    keys_load(tc.key_dir, &ks, &primary, &err) == -1)
		fz_die("keys: %s", err.msg);
	/* The primary is the highest index: load it again for raw signing. */
	if ((d = opendir(tc.key_dir)) == NULL)
		fz_die("opendir %s", tc.key_dir);
	while ((de = readdir(d)) != NULL) {
		char	*end;

		idx = strtol(de->d_name, &end, 10);
		if (*end == '\0' && end != de->d_name && idx > best)
			best = idx;
	}
	closedir(d);
	snprintf(path, sizeof(path), "%s/%ld", tc.key_dir, best);
	if ((fp = fopen(path, "r")) == NULL ||
	    (pkey = PEM_read_PrivateKey(fp, NULL, NULL, NULL)) == NULL)
		fz_die("cannot read %s", path);
	fclose(fp);

	memset(&u, 0, sizeof(u));
	memset(&p, 0, sizeof(p));
	if (store_token_user(st, NULL, "admin", "default", NULL, &u, &err) == -1 ||
	    store_token_project(st, NULL, "admin", "default", NULL, &p, &err) == -1 ||
	    store_effective_roles(st, u.id, KG_SCOPE_PROJECT, p.id, &roles, &nroles,
	    &err) == -1 || nroles == 0)
		fz_die("fixtures: %s", err.msg);
	kg_strlcpy(user_id, u.id, sizeof(user_id));
	kg_strlcpy(project_id, p.id, sizeof(project_id));
	kg_strlcpy(role_id, roles[0].id, sizeof(role_id));
	kg_token_user_free(&u);
	free(roles);

	/* Revocation events for the matcher: one audit id, one old user event. */
	memset(&ev, 0, sizeof(ev));
	kg_strlcpy(ev.audit_id, "revokedrevokedrevoked0", sizeof(ev.audit_id));
	ev.issued_before = kg_now_us();
	if (store_revoke_add(st, &ev, &err) == -1)
		fz_die("revoke: %s", err.msg);
	memset(&ev, 0, sizeof(ev));
	kg_strlcpy(ev.user_id, user_id, sizeof(ev.user_id));
	kg_strlcpy(ev.role_id, role_id, sizeof(ev.role_id));
	ev.issued_before = 1000000;	/* 1970: matches only forged old tokens */
	if (store_revoke_add(st, &ev, &err) == -1)
		fz_die("revoke: %s", err.msg);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz_buf	 in;
	struct kg_err		 err = { 0 };
	char			*tok = NULL, *nl;
	int			 allow_expired, catalog;

	if (size < 1 || size > 32768)
		return 0;
	allow_expired = (data[0] & 4) != 0;
	catalog = (data[0] & 8) == 0;
	substitute(&in, (const char *)data + 1, size - 1);
	switch (data[0] & 3) {
	case 0:
		validate_all(in.p, allow_expired, catalog);
		return 0;
	case 1:
		tok = jwt_sign_text(primary, in.p, in.len, &err);
		break;
	case 2:
		if ((nl = memchr(in.p, '\n', in.len)) == NULL)
			return 0;
		tok = sign_raw(in.p, (size_t)(nl - in.p), nl + 1,
		    in.len - (size_t)(nl + 1 - in.p));
		break;
	case 3:
		if ((nl = memchr(in.p, '\n', in.len)) == NULL)
			nl = in.p + in.len;
		if ((tok = jwt_sign_text(primary, in.p, (size_t)(nl - in.p), &err)) != NULL)
			issue_with(tok, nl < in.p + in.len ? nl + 1 : "", catalog);
		free(tok);
		return 0;
	}
	if (tok != NULL)
		validate_all(tok, allow_expired, catalog);
	free(tok);
	return 0;
}
