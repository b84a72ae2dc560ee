/*
 * compliance.c - Keystone's [security_compliance] rules (see compliance.h;
 * keystone/identity/backends/sql.py and sql_model.py, validators.py).
 */
#define PCRE2_CODE_UNIT_WIDTH	8
#include <pcre2.h>
#include <stdatomic.h>
#include <string.h>

#include <jansson.h>

#include "auth/compliance.h"

#define US_PER_SEC	1000000LL
#define US_PER_DAY	(86400LL * US_PER_SEC)

const char *const compliance_option_names[] = {
	"ignore_change_password_upon_first_use",
	"ignore_password_expiry",
	"ignore_lockout_failure_attempts",
	"lock_password",
	"ignore_user_inactivity",
	"multi_factor_auth_enabled",	/* auth/mfa.h reads these two */
	"multi_factor_auth_rules",
	NULL
};

static const struct compliance			 off;
static _Atomic(const struct compliance *)	 current;

int
compliance_init(struct compliance *c, struct kg_err *err)
{
	PCRE2_UCHAR	 msg[160];
	PCRE2_SIZE	 off_at;
	pcre2_code	*re;
	int		 ec;

	c->re = NULL;
	if (c->password_regex[0] == '\0')
		return 0;
	re = pcre2_compile((PCRE2_SPTR)c->password_regex, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF, &ec, &off_at, NULL);
	if (re == NULL) {
		pcre2_get_error_message(ec, msg, sizeof(msg));
		return kg_errf(err, KG_EBADREQ, "security_compliance.password_regex: "
		    "%s at offset %zu", (const char *)msg, (size_t)off_at);
	}
	c->re = re;
	return 0;
}

void
compliance_fini(struct compliance *c)
{
	if (c != NULL && c->re != NULL) {
		pcre2_code_free(c->re);
		c->re = NULL;
	}
}

void
compliance_set(const struct compliance *c)
{
	atomic_store(&current, c);
}

const struct compliance *
compliance_get(void)
{
	const struct compliance	*c = atomic_load(&current);

	return c != NULL ? c : &off;
}

void
compliance_user_options(const char *extra, struct compliance_opts *o)
{
	json_t		*root, *opts;
	json_error_t	 jerr;

	memset(o, 0, sizeof(*o));
	if (extra == NULL || strstr(extra, "\"options\"") == NULL ||
	    (root = json_loads(extra, 0, &jerr)) == NULL)
		return;
	if (json_is_object(opts = json_object_get(root, "options"))) {
		o->ignore_change_password_upon_first_use = json_is_true(
		    json_object_get(opts, "ignore_change_password_upon_first_use"));
		o->ignore_password_expiry = json_is_true(
		    json_object_get(opts, "ignore_password_expiry"));
		o->ignore_lockout_failure_attempts = json_is_true(
		    json_object_get(opts, "ignore_lockout_failure_attempts"));
		o->lock_password = json_is_true(json_object_get(opts,
		    "lock_password"));
		o->ignore_user_inactivity = json_is_true(json_object_get(opts,
		    "ignore_user_inactivity"));
	}
	json_decref(root);
}

int
compliance_locked(const struct compliance *c, const struct compliance_failures *f,
    const struct compliance_opts *o, int64_t now)
{
	if (c->lockout_failure_attempts <= 0 || o->ignore_lockout_failure_attempts ||
	    f->count < c->lockout_failure_attempts)
		return 0;
	if (c->lockout_duration <= 0)
		return 1;
	return f->at + (int64_t)c->lockout_duration * US_PER_SEC > now;
}

int
compliance_next_failure_count(const struct compliance *c,
    const struct compliance_failures *f, int64_t now)
{
	if (c->lockout_failure_attempts > 0 && c->lockout_duration > 0 &&
	    f->count >= c->lockout_failure_attempts &&
	    f->at + (int64_t)c->lockout_duration * US_PER_SEC <= now)
		return 1;
	return f->count < 0x3fffffff ? f->count + 1 : f->count;
}

int
compliance_inactive(const struct compliance *c, int64_t last_active_at,
    int64_t created_at, const struct compliance_opts *o, int64_t now)
{
	int64_t	last = last_active_at != 0 ? last_active_at : created_at;

	if (c->disable_user_account_days_inactive <= 0 || o->ignore_user_inactivity ||
	    last <= 0)
		return 0;
	return now / US_PER_DAY - last / US_PER_DAY >=
	    c->disable_user_account_days_inactive;
}

int
compliance_must_change(const struct compliance *c, const struct compliance_opts *o)
{
	return c->change_password_upon_first_use &&
	    !o->ignore_change_password_upon_first_use;
}

int64_t
compliance_expires_at(const struct compliance *c, const struct compliance_opts *o,
    int must_change, int64_t now)
{
	if (must_change)
		return now;
	if (o->ignore_password_expiry || c->password_expires_days <= 0)
		return 0;
	/* Keystone drops the microseconds of the expiry. */
	return (now / US_PER_SEC + (int64_t)c->password_expires_days * 86400) *
	    US_PER_SEC;
}

int
compliance_check_password(const struct compliance *c, const char *pw,
    struct kg_err *err)
{
	pcre2_match_data	*md;
	int			 rc;

	if (c->re == NULL)
		return 0;
	if ((md = pcre2_match_data_create_from_pattern(c->re, NULL)) == NULL)
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	/* re.match: anchored at the start only. */
	rc = pcre2_match(c->re, (PCRE2_SPTR)pw, strlen(pw), 0, PCRE2_ANCHORED,
	    md, NULL);
	pcre2_match_data_free(md);
	if (rc >= 0)
		return 0;
	if (rc == PCRE2_ERROR_NOMATCH || (rc <= PCRE2_ERROR_UTF8_ERR1 &&
	    rc >= PCRE2_ERROR_UTF8_ERR21))
		return kg_errf(err, KG_EBADREQ, "The password does not match the "
		    "requirements: %s.", c->password_regex_description[0] != '\0' ?
		    c->password_regex_description : "None");
	/* Match limits and the like: Keystone's invalid-configuration text. */
	return kg_errf(err, KG_EBADREQ, "Password validation error: Unable to "
	    "validate password due to invalid configuration.");
}

int
compliance_check_age(const struct compliance *c, int64_t created_at,
    int self_service, int64_t now, struct kg_err *err)
{
	int64_t	min_age;

	if (c->minimum_password_age <= 0 || !self_service || created_at <= 0)
		return 0;
	min_age = created_at + (int64_t)c->minimum_password_age * US_PER_DAY;
	if (now >= min_age)
		return 0;
	return kg_errf(err, KG_EBADREQ, "You cannot change your password at this "
	    "time due to the minimum password age. Once you change your password, "
	    "it must be used for %d day(s) before it can be changed. Please try "
	    "again in %d day(s) or contact your administrator to reset your "
	    "password.", c->minimum_password_age,
	    (int)((min_age - now) / US_PER_DAY));
}

int
compliance_history_error(const struct compliance *c, struct kg_err *err)
{
	return kg_errf(err, KG_EBADREQ, "The new password cannot be identical to a "
	    "previous password. The total number which includes the new password "
	    "must be unique is %d.", c->unique_last_password_count);
}

int
compliance_locked_password_error(struct kg_err *err)
{
	return kg_errf(err, KG_EBADREQ, "You cannot change your password at this "
	    "time due to password policy disallowing password changes. Please "
	    "contact your administrator to reset your password.");
}

int
compliance_history_keep(const struct compliance *c)
{
	return c->unique_last_password_count > 1 ?
	    c->unique_last_password_count - 1 : 0;
}
