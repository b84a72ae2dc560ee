/*
 * receipt.c - multi-factor rules at issue and auth receipts
 * (token_mfa_gate; see auth/receipt.h and token.h).
 */
#include <stdlib.h>
#include <string.h>

#include "auth/keyring.h"
#include "auth/mfa.h"
#include "auth/receipt.h"
#include "auth/token_int.h"
#include "common/log.h"
#include "common/util.h"
#include "store/compliance.h"
#include "store/scope.h"

/* The verified claims of the request's receipt: its method names. */
struct receipt_hold {
	json_t	*claims;
};

void
receipt_hold_free(struct receipt_hold *h)
{
	if (h == NULL)
		return;
	json_decref(h->claims);
	free(h);
}

void
token_receipt_free(struct token_receipt *r)
{
	if (r == NULL)
		return;
	if (r->receipt != NULL)
		kg_wipe(r->receipt, strlen(r->receipt));
	free(r->receipt);
	free(r->body);
	r->receipt = r->body = NULL;
}

static int
refuse(struct kg_err *err, const char *why)
{
	log_info("auth receipt refused: %s", why);
	/* Keystone's ReceiptNotFound: a 401 with the generic text. */
	return kg_errf(err, KG_EUNAUTH, "Could not find auth receipt.");
}

static int
known_method(const char *m)
{
	size_t	i;

	for (i = 0; tokens_methods[i] != NULL; i++)
		if (strcmp(tokens_methods[i], m) == 0)
			return 1;
	return 0;
}

static int
str_eq(const char *a, const char *b)
{
	return a != NULL && strcmp(a, b) == 0;
}

static const char *
claim_str(json_t *c, const char *k)
{
	return json_string_value(json_object_get(c, k));
}

/* The claims' shape: ours, a receipt, unexpired, known methods. */
static int
claims_ok(json_t *c)
{
	json_t	*m, *v;
	size_t	 i;

	m = json_object_get(c, "methods");
	if (!str_eq(claim_str(c, "iss"), KG_CLAIMS_ISSUER) ||
	    !str_eq(claim_str(c, "aud"), RECEIPT_AUD) ||
	    claim_str(c, "sub") == NULL || claim_str(c, "user_domain_id") == NULL ||
	    !json_is_integer(json_object_get(c, "exp")) ||
	    !json_is_integer(json_object_get(c, "iat_us")) ||
	    !json_is_integer(json_object_get(c, "rev")) ||
	    !json_is_array(m) || json_array_size(m) == 0 ||
	    json_array_size(m) > KG_CLAIMS_MAX_METHODS)
		return 0;
	json_array_foreach(m, i, v)
		if (!json_is_string(v) || !known_method(json_string_value(v)))
			return 0;
	return 1;
}

/* A revocation event covers the receipt as it would a token of its user. */
static int
receipt_revoked(struct store *st, json_t *c, struct kg_err *err)
{
	struct kg_claims	k;

	memset(&k, 0, sizeof(k));
	k.user_id = claim_str(c, "sub");
	k.user_domain_id = claim_str(c, "user_domain_id");
	k.scope_id = k.scope_name = k.scope_domain_id = k.scope_domain_name = "";
	k.audit_id = k.audit_chain_id = "";
	k.trust_id = k.trustor_id = k.trustee_id = "";
	k.iat_us = json_integer_value(json_object_get(c, "iat_us"));
	k.iat = k.iat_us / 1000000;
	k.exp = json_integer_value(json_object_get(c, "exp"));
	k.rev = json_integer_value(json_object_get(c, "rev"));
	return token_revoked(st, &k, err);
}

/*
 * Verify the request's receipt for user_id: into h->claims when it is
 * ours, unexpired, of that user and not revoked; else the generic 401.
 */
static int
receipt_verify(struct tokens *t, struct store *st, const char *receipt,
    const char *user_id, struct receipt_hold *h, struct kg_err *err)
{
	struct keyring_keys	*keys;
	struct kg_err		 e = { 0 };
	size_t			 len = strnlen(receipt, RECEIPT_MAX + 1);
	int			 rc;

	if (len == 0 || len > RECEIPT_MAX)
		return refuse(err, "empty or too long");
	keys = keyring_acquire(t->keys);
	h->claims = jwt_verify_typ(&keys->ks, RECEIPT_TYP, receipt, len, &e);
	keyring_release(t->keys, keys);
	if (h->claims == NULL)
		return refuse(err, e.msg);
	if (!claims_ok(h->claims))
		return refuse(err, "claims malformed");
	if (json_integer_value(json_object_get(h->claims, "exp")) <=
	    kg_now_us() / 1000000)
		return refuse(err, "expired");
	if (strcmp(claim_str(h->claims, "sub"), user_id) != 0)
		return refuse(err, "issued to another user");
	if ((rc = receipt_revoked(st, h->claims, err)) == -1)
		return -1;
	return rc == 1 ? refuse(err, "revoked") : 0;
}

/* Add the receipt's methods to methods[*n], without repeats. */
static void
merge_receipt_methods(json_t *c, const char **methods, size_t *n)
{
	json_t		*v;
	const char	*m;
	size_t		 i, j;

	json_array_foreach(json_object_get(c, "methods"), i, v) {
		m = json_string_value(v);
		for (j = 0; j < *n && strcmp(methods[j], m) != 0; j++)
			;
		if (j == *n && *n < KG_MAX_METHODS)
			methods[(*n)++] = m;
	}
}

static json_t *
str_array(const char *const *v, size_t n)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; a != NULL && i < n; i++)
		if (json_array_append_new(a, json_string(v[i])) == -1) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* The receipt JWT for user u and methods; NULL with err. */
static char *
receipt_sign(struct tokens *t, const struct kg_token_user *u, int64_t rev,
    const char *const *methods, size_t n, int64_t iat_us, int64_t exp,
    struct kg_err *err)
{
	struct keyring_keys	*keys;
	json_t			*c;
	char			*text, *jwt = NULL;

	c = json_pack("{s:s, s:s, s:s, s:s, s:o?, s:I, s:I, s:I, s:I}",
	    "iss", KG_CLAIMS_ISSUER, "aud", RECEIPT_AUD, "sub", u->id,
	    "user_domain_id", u->domain_id, "methods", str_array(methods, n),
	    "iat", (json_int_t)(iat_us / 1000000), "iat_us", (json_int_t)iat_us,
	    "exp", (json_int_t)exp, "rev", (json_int_t)rev);
	if (c == NULL || (text = json_dumps(c, JSON_COMPACT)) == NULL) {
		json_decref(c);
		kg_errf(err, KG_EINTERNAL, "out of memory");
		return NULL;
	}
	json_decref(c);
	keys = keyring_acquire(t->keys);
	jwt = jwt_sign_typ(keys->primary, RECEIPT_TYP, text, strlen(text), err);
	keyring_release(t->keys, keys);
	free(text);
	return jwt;
}

/* Keystone's receipt body (_render_receipt_response_from_model). */
static char *
receipt_body(const struct kg_token_user *u, const char *const *methods,
    size_t n, int64_t iat_us, int64_t exp, const char *extra)
{
	char	 issued[KG_TIME_LEN], expires[KG_TIME_LEN], *text;
	json_t	*b;

	kg_time_fmt(iat_us, issued);
	kg_time_fmt(exp * 1000000, expires);
	b = json_pack("{s:{s:o?, s:{s:s, s:s, s:{s:s, s:s}}, s:s, s:s}, s:o?}",
	    "receipt", "methods", str_array(methods, n), "user", "id", u->id,
	    "name", u->name, "domain", "id", u->domain_id, "name", u->domain_name,
	    "expires_at", expires, "issued_at", issued,
	    "required_auth_methods", mfa_required(extra, methods, n,
	    tokens_methods));
	text = b != NULL ? json_dumps(b, JSON_COMPACT) : NULL;
	json_decref(b);
	return text;
}

/*
 * The receipt for user_id and its methods into a->receipt_out (when the
 * caller wants one); always -1 with Keystone's InsufficientAuthMethods.
 */
static int
receipt_issue(struct tokens *t, struct store *st, int64_t rev,
    const struct token_auth *a, const char *user_id, const char *extra,
    const char *const *methods, size_t n, struct kg_err *err)
{
	struct token_receipt	*out = a->receipt_out;
	struct kg_token_user	 u;
	int64_t			 iat_us = kg_now_us(), exp;
	char			 list[KG_MAX_METHODS * (KG_METHOD_SIZE + 1) + 1];
	size_t			 i, off = 0;
	int			 k;

	if (out == NULL)
		goto refuse;
	memset(&u, 0, sizeof(u));
	if (store_token_user(st, user_id, NULL, NULL, NULL, &u, err) == -1)
		return -1;
	exp = iat_us / 1000000 + t->cfg.receipt_expiration;
	out->receipt = receipt_sign(t, &u, rev, methods, n, iat_us, exp, err);
	out->body = receipt_body(&u, methods, n, iat_us, exp, extra);
	kg_token_user_free(&u);
	if (out->receipt == NULL || out->body == NULL) {
		token_receipt_free(out);
		return kg_errf(err, KG_EINTERNAL, "cannot make an auth receipt");
	}
 refuse:
	list[0] = '\0';
	for (i = 0; i < n && off < sizeof(list); i++) {
		k = snprintf(list + off, sizeof(list) - off, "%s%.*s",
		    i > 0 ? "," : "", KG_METHOD_SIZE - 1, methods[i]);
		off += k > 0 ? (size_t)k : 0;
	}
	log_info("user %s: multi-factor rules not met by [%s]: auth receipt",
	    user_id, list);
	return kg_errf(err, KG_EUNAUTH, "Insufficient auth methods received for "
	    "%s. Auth Methods Provided: [%s].", user_id, list);
}

int
token_mfa_gate(struct tokens *t, struct store *st, int64_t rev,
    const struct token_auth *a, const char *user_id, const char **methods,
    size_t *n, struct receipt_hold **hold, struct kg_err *err)
{
	struct kg_user_auth	ua;
	int			rc;

	*hold = NULL;
	if (a->receipt != NULL) {
		if ((*hold = calloc(1, sizeof(**hold))) == NULL)
			return kg_errf(err, KG_EINTERNAL, "out of memory");
		if (receipt_verify(t, st, a->receipt, user_id, *hold, err) == -1)
			return -1;
		merge_receipt_methods((*hold)->claims, methods, n);
	}
	memset(&ua, 0, sizeof(ua));
	if (store_user_auth_get(st, user_id, &ua, err) == -1) {
		if (err != NULL && err->kind == KG_ENOTFOUND)
			kg_errf(err, KG_EUNAUTH, "user %s is gone", user_id);
		return -1;
	}
	rc = mfa_satisfied(ua.extra, methods, *n, tokens_methods) ? 0 :
	    receipt_issue(t, st, rev, a, user_id, ua.extra, methods, *n, err);
	kg_user_auth_free(&ua);
	return rc;
}
