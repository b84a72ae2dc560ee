/*
 * compliance.h - PCI-DSS security compliance: Keystone's
 * [security_compliance] rules as pure functions (no store, no I/O).
 *
 * The options (keygate.conf [security_compliance], Keystone's names and
 * meanings) are loaded once at start (compliance_init) and published with
 * compliance_set; every thread reads them through compliance_get, which
 * never returns NULL (all features off until set). Callers: auth/issue.c
 * (lockout, expiry, inactivity at login), svc/ (what a password change
 * stores: expiry, history, self-service; the lockout counter), server/
 * (the password rules of the API, with Keystone's 400 texts).
 *
 * A user's resource options (Keystone's identity/backends/resource_options)
 * are kept in the user's "extra" JSON under "options", like a role's
 * "immutable": compliance_user_options reads them.
 *
 * Times are microseconds since the epoch (kg_now_us).
 */
#ifndef KG_AUTH_COMPLIANCE_H
#define KG_AUTH_COMPLIANCE_H

#include <stdint.h>

#include "common/err.h"

#define COMPLIANCE_REGEX_MAX	512

struct compliance {
	int	 lockout_failure_attempts;	/* 0: no lockout */
	long	 lockout_duration;		/* seconds; 0: until enabled again */
	int	 disable_user_account_days_inactive;	/* 0: off */
	int	 password_expires_days;		/* 0: passwords never expire */
	int	 unique_last_password_count;	/* 0: no history check */
	int	 minimum_password_age;		/* days; 0: off */
	char	 password_regex[COMPLIANCE_REGEX_MAX];	/* "": any password */
	char	 password_regex_description[COMPLIANCE_REGEX_MAX];
	int	 change_password_upon_first_use;
	void	*re;				/* compiled password_regex (pcre2) */
};

/* The user resource options keygate knows (Keystone's names). */
struct compliance_opts {
	int	ignore_change_password_upon_first_use;
	int	ignore_password_expiry;
	int	ignore_lockout_failure_attempts;
	int	lock_password;
	int	ignore_user_inactivity;
};

/* The names of the user options keygate knows, for validation and docs:
 * those above and the multi-factor ones (auth/mfa.h); NULL-terminated. */
extern const char *const compliance_option_names[];

/*
 * Compile c->password_regex (when set). KG_EBADREQ naming the option and
 * PCRE2's message when it does not compile: a bad expression stops the
 * server at start (Keystone refuses every password change at run time).
 */
int	compliance_init(struct compliance *c, struct kg_err *err);
void	compliance_fini(struct compliance *c);

/* Publish c (borrowed for the process's life; NULL: every feature off)
 * before threads start / read it. */
void			 compliance_set(const struct compliance *c);
const struct compliance	*compliance_get(void);

/* Parse the options from a user's extra JSON text (NULL: none set). */
void	compliance_user_options(const char *extra, struct compliance_opts *o);

/* The lockout state of a user at now. */
struct compliance_failures {
	int	 count;		/* failed authentications on record */
	int64_t	 at;		/* the last one; 0: none */
};

/*
 * Is the account locked (Keystone's _is_account_locked): attempts on
 * record >= lockout_failure_attempts, and the last one less than
 * lockout_duration ago (0: for ever), unless the user ignores lockout.
 */
int	compliance_locked(const struct compliance *c,
	    const struct compliance_failures *f, const struct compliance_opts *o,
	    int64_t now);

/* The count to store after one more failure at now: a lock that has run
 * out starts again from 1 (Keystone resets it when it finds it expired). */
int	compliance_next_failure_count(const struct compliance *c,
	    const struct compliance_failures *f, int64_t now);

/*
 * Has the user been inactive for disable_user_account_days_inactive days
 * (Keystone's User.enabled): calendar days (UTC) between its last
 * authentication (last_active_at, else created_at) and now.
 */
int	compliance_inactive(const struct compliance *c, int64_t last_active_at,
	    int64_t created_at, const struct compliance_opts *o, int64_t now);

/*
 * When a password set at now expires (0: never): now if must_change (an
 * administrator set it and change_password_upon_first_use applies), else
 * password_expires_days later, to the second, unless the user ignores
 * expiry.
 */
int64_t	compliance_expires_at(const struct compliance *c,
	    const struct compliance_opts *o, int must_change, int64_t now);

/* Does an administrator's password (create, PATCH) have to be changed at
 * first use (change_password_upon_first_use, unless ignored)? */
int	compliance_must_change(const struct compliance *c,
	    const struct compliance_opts *o);

/*
 * Keystone's validators.validate_password: the password matches
 * password_regex (anchored at the start, as Python's re.match), else 400
 * "The password does not match the requirements: <description>.".
 */
int	compliance_check_password(const struct compliance *c, const char *pw,
	    struct kg_err *err);

/*
 * minimum_password_age for a self-service change of a password set at
 * created_at (only when that one was self-service too): 400 with
 * Keystone's PasswordAgeValidationError text.
 */
int	compliance_check_age(const struct compliance *c, int64_t created_at,
	    int self_service, int64_t now, struct kg_err *err);

/* 400 texts of Keystone's PasswordHistoryValidationError and
 * PasswordSelfServiceDisabled. */
int	compliance_history_error(const struct compliance *c, struct kg_err *err);
int	compliance_locked_password_error(struct kg_err *err);

/* How many previous hashes to keep besides the current one. */
int	compliance_history_keep(const struct compliance *c);

#endif /* KG_AUTH_COMPLIANCE_H */
