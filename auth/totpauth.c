/*
 * totpauth.c - the "totp" authentication method (token_auth_totp, rules
 * in token.h): Keystone's TOTP plugin (keystone/auth/plugins/totp.py)
 * over the user's credentials of type "totp", whose sealed blobs hold the
 * base32 secrets. Runs in the read snapshot; never writes (the
 * caller records a->totp_outcome through svc/).
 *
 * Secrets: each blob is opened, checked and wiped in turn; neither a
 * secret nor a passcode reaches the log.
 */
#include <string.h>

#include "auth/compliance.h"
#include "auth/credkeys.h"
#include "auth/token_int.h"
#include "auth/totp.h"
#include "common/log.h"
#include "common/util.h"
#include "store/compliance.h"
#include "store/credential.h"
#include "store/scope.h"

static void
totp_outcome(const struct token_auth *a, enum token_pw_result r,
    const char *user_id, const struct kg_user_auth *ua)
{
	struct token_pw_outcome	*o = a->totp_outcome;

	if (o == NULL)
		return;
	o->result = r;
	kg_strlcpy(o->user_id, user_id, sizeof(o->user_id));
	if (ua != NULL) {
		o->failures = ua->failed_auth_count;
		o->last_active_at = ua->last_active_at;
	}
}

/* Does passcode match credential c's secret? 0 on any failure to open. */
static int
credential_matches(struct credkeys *ck, const struct kg_credential *c,
    const char *passcode, int windows)
{
	struct credkeys_aad	 aad = { c->id, c->user_id, c->project_id, c->type };
	struct kg_err		 e = { 0 };
	char			*plain;
	size_t			 len;
	int			 ok;

	if (credkeys_open_blob(ck, &aad, c->encrypted_blob, c->key_hash, &plain,
	    &len, &e) == -1) {
		log_warn("totp credential %s of user %s not usable: %s", c->id,
		    c->user_id, e.msg);
		return 0;
	}
	ok = strlen(plain) == len &&
	    totp_check(plain, passcode, kg_now_us() / 1000000, windows);
	credkeys_free_plain(plain);
	return ok;
}

/* Does passcode match any of user_id's totp credentials? 1, 0 or -1. */
static int
passcode_matches(struct tokens *t, struct store *st, const struct token_auth *a,
    const char *user_id, struct kg_err *err)
{
	struct kg_credential	*v;
	size_t			 n, i;
	int			 ok = 0;

	if (store_credential_list(st, user_id, "totp", &v, &n, err) == -1)
		return -1;
	for (i = 0; i < n && !ok; i++)
		ok = credential_matches(a->credkeys, &v[i], a->totp_passcode,
		    t->cfg.totp_windows);
	kg_credential_list_free(v, n);
	return ok;
}

/* The user's account state: locked (1), inactive (2), usable (0), -1. */
static int
account_state(struct store *st, const struct kg_token_user *u,
    struct kg_user_auth *ua, struct kg_err *err)
{
	const struct compliance		*c = compliance_get();
	struct compliance_failures	 f;
	struct compliance_opts		 o;
	int64_t				 now = kg_now_us();

	if (store_user_auth_get(st, u->id, ua, err) == -1)
		return -1;
	compliance_user_options(ua->extra, &o);
	f.count = ua->failed_auth_count;
	f.at = ua->failed_auth_at;
	if (compliance_locked(c, &f, &o, now))
		return 1;
	if (compliance_inactive(c, ua->last_active_at, ua->created_at, &o, now))
		return 2;
	return 0;
}

static int
refuse(struct kg_err *err, const char *why)
{
	log_info("authentication refused: totp: %s", why);
	/* Keystone's text, hidden behind the generic 401 as Keystone's. */
	return kg_errf(err, KG_EUNAUTH, "Invalid username or TOTP passcode");
}

int
token_auth_totp(struct tokens *t, struct store *st, const struct token_auth *a,
    char user_id[KG_ID_SIZE], struct kg_err *err)
{
	struct kg_token_user	 u;
	struct kg_user_auth	 ua;
	int			 ret = -1, state, ok;

	memset(&u, 0, sizeof(u));
	memset(&ua, 0, sizeof(ua));
	if (a->credkeys == NULL)
		return kg_errf(err, KG_EINTERNAL, "totp: no credential keys");
	if (store_token_user(st, a->totp_user_id, a->totp_user_name,
	    a->totp_user_domain_id, a->totp_user_domain_name, &u, err) == -1) {
		if (err != NULL && err->kind == KG_ENOTFOUND) {
			totp_outcome(a, TOKEN_PW_WRONG, "", NULL);
			refuse(err, "unknown user or domain");
		}
		return -1;
	}
	if ((state = account_state(st, &u, &ua, err)) == -1)
		goto fail;
	if (state == 1) {
		totp_outcome(a, TOKEN_PW_LOCKED, u.id, &ua);
		log_info("authentication refused: totp: account locked");
		kg_err_shown(err, "The account is locked for user: %s.", u.id);
		goto fail;
	}
	/* Keystone's BaseUserInfo: the domain, then the user, enabled. */
	if (!u.domain_enabled || !u.enabled || state == 2) {
		refuse(err, "user or its domain disabled");
		goto fail;
	}
	if ((ok = passcode_matches(t, st, a, u.id, err)) == -1)
		goto fail;
	if (!ok) {
		totp_outcome(a, TOKEN_PW_WRONG, u.id, &ua);
		refuse(err, "wrong passcode");
		goto fail;
	}
	totp_outcome(a, TOKEN_PW_OK, u.id, &ua);
	kg_strlcpy(user_id, u.id, KG_ID_SIZE);
	ret = 0;
 fail:
	kg_user_auth_free(&ua);
	kg_token_user_free(&u);
	return ret;
}
