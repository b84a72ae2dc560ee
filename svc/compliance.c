/*
 * compliance.c - the writes of PCI-DSS security compliance at
 * authentication (see svc.h): the failed-authentication counter, the last
 * authentication, users disabled for inactivity. The password rules of
 * a change (history, expiry, self-service, minimum age) are in svc/user.c.
 */
#include <string.h>

#include "auth/compliance.h"
#include "common/util.h"
#include "store/compliance.h"
#include "svc/svc_int.h"

#define US_PER_DAY	(86400LL * 1000000LL)

struct auth_change {
	const char	*user_id;
	int64_t		 now;
};

static int
failed_body(struct store *st, void *cls, struct kg_err *err)
{
	const struct auth_change	*c = cls;
	struct kg_user_auth		 a;
	struct compliance_failures	 f;
	int				 count;

	if (store_user_auth_get(st, c->user_id, &a, err) == -1)
		return -1;
	f.count = a.failed_auth_count;
	f.at = a.failed_auth_at;
	kg_user_auth_free(&a);
	count = compliance_next_failure_count(compliance_get(), &f, c->now);
	return store_user_auth_set_failures(st, c->user_id, count, c->now, err);
}

int
svc_user_auth_failed(struct store *st, const char *user_id, struct kg_err *err)
{
	struct auth_change	c = { user_id, kg_now_us() };

	return svc_run(st, "user auth failed", failed_body, &c, err);
}

int
svc_user_activity_due(int64_t last_active_at)
{
	/* Keystone keeps the date only: one write a day at most. */
	return compliance_get()->disable_user_account_days_inactive > 0 &&
	    last_active_at / US_PER_DAY != kg_now_us() / US_PER_DAY;
}

static int
ok_body(struct store *st, void *cls, struct kg_err *err)
{
	const struct auth_change	*c = cls;
	struct kg_user_auth		 a;
	int				 ret = -1;

	if (store_user_auth_get(st, c->user_id, &a, err) == -1)
		return -1;
	if (a.failed_auth_count != 0 &&
	    store_user_auth_set_failures(st, c->user_id, 0, 0, err) == -1)
		goto done;
	if (svc_user_activity_due(a.last_active_at) &&
	    store_user_set_last_active(st, c->user_id, c->now, err) == -1)
		goto done;
	ret = 0;
 done:
	kg_user_auth_free(&a);
	return ret;
}

int
svc_user_auth_succeeded(struct store *st, const char *user_id,
    struct kg_err *err)
{
	struct auth_change	c = { user_id, kg_now_us() };

	return svc_run(st, "user auth succeeded", ok_body, &c, err);
}

static int
inactive_body(struct store *st, void *cls, struct kg_err *err)
{
	const struct auth_change	*c = cls;
	struct kg_user_auth		 a;
	struct compliance_opts		 o;
	int				 inactive;

	/* Still inactive as stored now (an admin may have just enabled it,
	 * which counts as activity)? */
	if (store_user_auth_get(st, c->user_id, &a, err) == -1)
		return -1;
	compliance_user_options(a.extra, &o);
	inactive = compliance_inactive(compliance_get(), a.last_active_at,
	    a.created_at, &o, c->now);
	kg_user_auth_free(&a);
	if (!inactive)
		return 0;
	/* As any disable (svc_user_update): its trusts' tokens end too. */
	if (svc_revoke_trusts(st, KG_TRUST_USER, c->user_id, err) == -1 ||
	    store_user_disable(st, c->user_id, err) == -1 ||
	    svc_revoke_user(st, c->user_id, err) == -1)
		return -1;
	return 0;
}

int
svc_user_disable_inactive(struct store *st, const char *user_id,
    struct kg_err *err)
{
	struct auth_change	c = { user_id, kg_now_us() };

	return svc_run(st, "user disable inactive", inactive_body, &c, err);
}
