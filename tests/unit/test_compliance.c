/*
 * test_compliance.c - PCI-DSS security compliance and the failed-login
 * rate limit as units: auth/compliance.c's rules (lockout, expiry,
 * inactivity, regex, minimum age, options), server/authlimit.c's buckets
 * (the property that another address's failures never refuse a clean
 * address, bounded memory), and svc/compliance.c + svc/user.c on a real
 * store, SQLite or PostgreSQL as tests/unit/tstore.h chooses (counter,
 * history, self-service, revocation of an inactive user, the rules
 * re-checked in the transaction).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/compliance.h"
#include "common/util.h"
#include "server/authlimit.h"
#include "store/compliance.h"
#include "store/revoke.h"
#include "store/store_int.h"
#include "svc/svc.h"
#include "tests/t.h"
#include "tests/unit/tstore.h"

#define US	1000000LL
#define DAY	(86400LL * US)

static void
test_rules(void)
{
	struct compliance		c;
	struct compliance_opts		o, ign;
	struct compliance_failures	f;
	struct kg_err			err = { 0 };
	int64_t				now = 1800000000LL * US;

	memset(&c, 0, sizeof(c));
	memset(&o, 0, sizeof(o));
	memset(&ign, 0, sizeof(ign));
	ign.ignore_lockout_failure_attempts = 1;
	ign.ignore_password_expiry = 1;
	ign.ignore_change_password_upon_first_use = 1;
	ign.ignore_user_inactivity = 1;

	/* Lockout. */
	f.count = 5;
	f.at = now;
	T("cmp-1.1 lockout off: never locked", !compliance_locked(&c, &f, &o, now));
	c.lockout_failure_attempts = 3;
	c.lockout_duration = 60;
	f.count = 2;
	T("cmp-1.2 below the attempts: not locked", !compliance_locked(&c, &f, &o, now));
	f.count = 3;
	T("cmp-1.3 at the attempts: locked", compliance_locked(&c, &f, &o, now + 59 * US));
	T("cmp-1.4 after the duration: not locked",
	    !compliance_locked(&c, &f, &o, now + 60 * US));
	T("cmp-1.5 ignore_lockout_failure_attempts", !compliance_locked(&c, &f, &ign, now));
	c.lockout_duration = 0;
	T("cmp-1.6 duration 0: locked for ever",
	    compliance_locked(&c, &f, &o, now + 3650 * DAY));
	c.lockout_duration = 60;
	T("cmp-1.7 next failure during a lock counts on",
	    compliance_next_failure_count(&c, &f, now + US) == 4);
	T("cmp-1.8 next failure after a lock ran out starts at 1",
	    compliance_next_failure_count(&c, &f, now + 61 * US) == 1);

	/* Expiry. */
	T("cmp-2.1 no expiry configured: 0", compliance_expires_at(&c, &o, 0, now) == 0);
	c.password_expires_days = 90;
	T("cmp-2.2 90 days, whole seconds", compliance_expires_at(&c, &o, 0,
	    now + 123456) == now + 90 * DAY);
	T("cmp-2.3 ignore_password_expiry", compliance_expires_at(&c, &ign, 0, now) == 0);
	T("cmp-2.4 must change: now", compliance_expires_at(&c, &o, 1, now) == now);
	T("cmp-2.5 first use off: no must-change", !compliance_must_change(&c, &o));
	c.change_password_upon_first_use = 1;
	T("cmp-2.6 first use on", compliance_must_change(&c, &o));
	T("cmp-2.7 ignore_change_password_upon_first_use",
	    !compliance_must_change(&c, &ign));

	/* Inactivity: calendar days. */
	T("cmp-3.1 off", !compliance_inactive(&c, now - 400 * DAY, 0, &o, now));
	c.disable_user_account_days_inactive = 2;
	T("cmp-3.2 one day ago: active",
	    !compliance_inactive(&c, now - DAY, 0, &o, now));
	T("cmp-3.3 two days ago: inactive",
	    compliance_inactive(&c, now - 2 * DAY, 0, &o, now));
	T("cmp-3.4 never active: created_at counts",
	    compliance_inactive(&c, 0, now - 5 * DAY, &o, now));
	T("cmp-3.5 ignore_user_inactivity",
	    !compliance_inactive(&c, now - 5 * DAY, 0, &ign, now));

	/* Minimum age. */
	c.minimum_password_age = 1;
	T("cmp-4.1 admin-set password: no age rule",
	    compliance_check_age(&c, now, 0, now, &err) == 0);
	T("cmp-4.2 self-service, too young: 400",
	    compliance_check_age(&c, now - DAY / 2, 1, now, &err) == -1 &&
	    err.kind == KG_EBADREQ && strstr(err.msg, "for 1 day(s)") != NULL &&
	    strstr(err.msg, "in 0 day(s)") != NULL);
	T("cmp-4.3 self-service, old enough",
	    compliance_check_age(&c, now - DAY, 1, now, &err) == 0);

	/* History size. */
	c.unique_last_password_count = 0;
	T("cmp-5.1 history off: keep 0", compliance_history_keep(&c) == 0);
	c.unique_last_password_count = 1;
	T("cmp-5.2 count 1 (the current one only): keep 0",
	    compliance_history_keep(&c) == 0);
	c.unique_last_password_count = 5;
	T("cmp-5.3 count 5: keep 4", compliance_history_keep(&c) == 4);

	/* Options from extra. */
	compliance_user_options("{\"email\": \"a\", \"options\": {\"lock_password\": "
	    "true, \"ignore_password_expiry\": false}}", &o);
	T("cmp-6.1 options read", o.lock_password && !o.ignore_password_expiry);
	compliance_user_options("not json", &o);
	T("cmp-6.2 bad extra: none", !o.lock_password);
	compliance_user_options(NULL, &o);
	T("cmp-6.3 NULL extra: none", !o.lock_password);
}

static void
test_regex(void)
{
	struct compliance	c;
	struct kg_err		err = { 0 };

	memset(&c, 0, sizeof(c));
	T("cmp-7.1 no regex: anything", compliance_init(&c, &err) == 0 &&
	    compliance_check_password(&c, "", &err) == 0);
	snprintf(c.password_regex, sizeof(c.password_regex), "%s",
	    "^(?=.*\\d)(?=.*[a-zA-Z]).{7,}$");
	snprintf(c.password_regex_description, sizeof(c.password_regex_description),
	    "%s", "7+ with a digit");
	T("cmp-7.2 Keystone's sample expression compiles (lookaheads)",
	    compliance_init(&c, &err) == 0);
	T("cmp-7.3 matches", compliance_check_password(&c, "abcdef1", &err) == 0);
	T("cmp-7.4 too short: 400 with the description",
	    compliance_check_password(&c, "abc1", &err) == -1 &&
	    err.kind == KG_EBADREQ && strcmp(err.msg, "The password does not "
	    "match the requirements: 7+ with a digit.") == 0);
	T("cmp-7.5 UTF-8 passwords", compliance_check_password(&c, "\xc3\xa9t\xc3\xa9"
	    "2024x", &err) == 0);
	compliance_fini(&c);
	/* re.match anchors at the start only. */
	snprintf(c.password_regex, sizeof(c.password_regex), "%s", "[0-9]");
	T("cmp-7.6 anchored at the start", compliance_init(&c, &err) == 0 &&
	    compliance_check_password(&c, "1abc", &err) == 0 &&
	    compliance_check_password(&c, "abc1", &err) == -1);
	compliance_fini(&c);
	snprintf(c.password_regex, sizeof(c.password_regex), "%s", "(unclosed");
	T("cmp-7.7 a bad expression is refused at start",
	    compliance_init(&c, &err) == -1 &&
	    strstr(err.msg, "security_compliance.password_regex") != NULL);
}

static void
test_limit(void)
{
	struct authlimit_cfg	 cfg = { 1, 4, 10, 3, 60, 900, 64 };
	struct authlimit	*l;
	int64_t			 t = 1000 * US;
	int			 i, ok;
	char			 a[32];

	cfg.enabled = 0;
	T("cmp-8.1 disabled: no table", authlimit_new(&cfg) == NULL);
	cfg.enabled = 1;
	T("cmp-8.2 NULL limiter allows", authlimit_check(NULL, "x", "u", t) == 0);
	l = authlimit_new(&cfg);
	T("cmp-8.3 new", l != NULL);
	for (i = 0; i < 3; i++)
		authlimit_failed(l, "10.0.0.1", "alice", t);
	T("cmp-8.4 user spent from A: A refused for alice",
	    authlimit_check(l, "10.0.0.1", "alice", t) > 0);
	T("cmp-8.5 a clean address B is never refused for alice",
	    authlimit_check(l, "10.0.0.2", "alice", t) == 0);
	authlimit_failed(l, "10.0.0.2", "alice", t);
	T("cmp-8.6 after one failure of its own, B waits too",
	    authlimit_check(l, "10.0.0.2", "alice", t) > 0);
	T("cmp-8.7 Retry-After: the user interval at most",
	    authlimit_check(l, "10.0.0.2", "alice", t) <= 60);
	T("cmp-8.8 A is fine for bob (A has budget left)",
	    authlimit_check(l, "10.0.0.1", "bob", t) == 0);
	T("cmp-8.9 one user interval later A may try alice again",
	    authlimit_check(l, "10.0.0.1", "alice", t + 60 * US) == 0);
	authlimit_succeeded(l, "10.0.0.2", "alice", t);
	T("cmp-8.10 a success clears B's record for alice",
	    authlimit_check(l, "10.0.0.2", "alice", t) == 0);
	authlimit_failed(l, "10.0.0.1", NULL, t);	/* A: its 4th */
	T("cmp-8.11 address budget spent: A refused for anyone",
	    authlimit_check(l, "10.0.0.1", "carol", t) > 0 &&
	    authlimit_check(l, "10.0.0.1", NULL, t) > 0);
	T("cmp-8.12 address waits one address interval",
	    authlimit_check(l, "10.0.0.1", NULL, t) <= 10 &&
	    authlimit_check(l, "10.0.0.1", NULL, t + 10 * US) == 0);
	T("cmp-8.13 pair forgotten after `remember`",
	    authlimit_check(l, "10.0.0.2", "alice", t + 901 * US) == 0);
	/* Bounded memory: a flood of addresses never grows the table. */
	ok = 1;
	for (i = 0; i < 5000; i++) {
		snprintf(a, sizeof(a), "192.0.%d.%d", i / 256, i % 256);
		authlimit_failed(l, a, "alice", t + i);
	}
	T("cmp-8.14 table stays within table_size", authlimit_used(l) <= 64);
	/* Under that flood, a never-seen address still gets alice's check. */
	if (authlimit_check(l, "198.51.100.7", "alice", t + 5000) != 0)
		ok = 0;
	T("cmp-8.15 after a distributed attack, a clean address still checks",
	    ok);
	authlimit_free(l);
}

/* ------------------------------------------------------------------------
 * svc/ on a real store.
 * --------------------------------------------------------------------- */

static int
mkuser(struct store *st, const char *id, const char *hash, const char *extra)
{
	struct kg_user	u;
	struct kg_err	err = { 0 };

	memset(&u, 0, sizeof(u));
	kg_strlcpy(u.id, id, sizeof(u.id));
	kg_strlcpy(u.name, id, sizeof(u.name));
	kg_strlcpy(u.domain_id, "default", sizeof(u.domain_id));
	u.enabled = 1;
	u.password_hash = (char *)(uintptr_t)hash;
	u.extra = (char *)(uintptr_t)(extra ? extra : "{}");
	return svc_user_create(st, &u, &err);
}

static size_t
nevents(struct store *st)
{
	struct kg_revoke_event	*ev = NULL;
	struct kg_err		 err = { 0 };
	size_t			 n = 0;

	store_revoke_list(st, 0, &ev, &n, &err);
	free(ev);
	return n;
}

static int
sql(struct store *st, const char *q)
{
	return tstore_sql(st, q);
}

static int
enable_edit(void *obj, void *cls, struct kg_err *err)
{
	((struct kg_user *)obj)->enabled = 1;
	return 0;
}

static void
test_svc(void)
{
	static struct compliance	c;
	struct store			*st;
	struct kg_user_auth		a;
	struct kg_user			u;
	struct kg_err			err = { 0 };
	struct svc_user_change		ch;
	char				**h = NULL;
	size_t				n = 0, ev;
	int64_t				g;

	if ((st = tstore_open()) == NULL)
		exit(1);
	memset(&c, 0, sizeof(c));
	c.lockout_failure_attempts = 2;
	c.lockout_duration = 60;
	c.unique_last_password_count = 3;
	c.password_expires_days = 10;
	c.minimum_password_age = 1;
	c.disable_user_account_days_inactive = 5;
	compliance_set(&c);
	{
		struct kg_domain d;

		memset(&d, 0, sizeof(d));
		kg_strlcpy(d.id, "default", sizeof(d.id));
		kg_strlcpy(d.name, "Default", sizeof(d.name));
		d.enabled = 1;
		svc_domain_create(st, &d, &err);
	}
	T("cmp-9.1 create user", mkuser(st, "u1", "$2b$04$h1", NULL) == 0);
	memset(&u, 0, sizeof(u));
	store_user_get(st, "u1", &u, &err);
	T("cmp-9.2 created with password_expires_days",
	    u.password_expires_at > kg_now_us() + 9 * DAY &&
	    u.password_expires_at <= kg_now_us() + 10 * DAY);
	kg_user_free(&u);

	g = store_generation(st);
	T("cmp-9.3 a failure is counted", svc_user_auth_failed(st, "u1", &err) == 0 &&
	    svc_user_auth_failed(st, "u1", &err) == 0 &&
	    store_user_auth_get(st, "u1", &a, &err) == 0 && a.failed_auth_count == 2 &&
	    a.failed_auth_at > 0);
	kg_user_auth_free(&a);
	T("cmp-9.4 failures do not bump the generation (caches stay)",
	    store_generation(st) == g);
	ev = nevents(st);
	T("cmp-9.5 a lock revokes nothing", nevents(st) == ev);
	T("cmp-9.6 success forgets the failures",
	    svc_user_auth_succeeded(st, "u1", &err) == 0 &&
	    store_user_auth_get(st, "u1", &a, &err) == 0 && a.failed_auth_count == 0 &&
	    a.last_active_at > 0);
	kg_user_auth_free(&a);
	T("cmp-9.7 last_active_at does not bump the generation", store_generation(st) == g);

	/* Admin updates: history, not self-service, expiry. */
	svc_user_auth_failed(st, "u1", &err);
	memset(&ch, 0, sizeof(ch));
	ch.set_password = 1;
	ch.password_hash = "$2b$04$h2";
	T("cmp-10.1 admin sets h2", svc_user_update(st, "u1", &ch, NULL, &err) == 0);
	ch.password_hash = "$2b$04$h3";
	svc_user_update(st, "u1", &ch, NULL, &err);
	ch.password_hash = "$2b$04$h4";
	svc_user_update(st, "u1", &ch, NULL, &err);
	T("cmp-10.2 history keeps count - 1 = 2, newest first",
	    store_password_history(st, "u1", 10, &h, &n, &err) == 0 && n == 2 &&
	    strcmp(h[0], "$2b$04$h3") == 0 && strcmp(h[1], "$2b$04$h2") == 0);
	store_strv_free(h, n);
	T("cmp-10.3 an update leaving the user enabled unlocks",
	    store_user_auth_get(st, "u1", &a, &err) == 0 && a.failed_auth_count == 0 &&
	    !a.password_self_service);
	kg_user_auth_free(&a);

	/* Self-service change: age rule applies only after a self-service one. */
	T("cmp-11.1 self-service after an admin set: allowed",
	    svc_user_change_password(st, "u1", "$2b$04$h4", "$2b$04$h5", &err) == 0);
	T("cmp-11.2 marked self-service",
	    store_user_auth_get(st, "u1", &a, &err) == 0 && a.password_self_service);
	kg_user_auth_free(&a);
	T("cmp-11.3 a second at once: minimum_password_age, 400",
	    svc_user_change_password(st, "u1", "$2b$04$h5", "$2b$04$h6", &err) == -1 &&
	    err.kind == KG_EBADREQ);
	T("cmp-11.4 a stale verified hash: 401",
	    svc_user_change_password(st, "u1", "$2b$04$h4", "$2b$04$h6", &err) == -1 &&
	    err.kind == KG_EUNAUTH);
	T("cmp-12.1 lock_password user", mkuser(st, "u2", "$2b$04$k1",
	    "{\"options\": {\"lock_password\": true}}") == 0);
	T("cmp-12.2 lock_password: 400 in the transaction",
	    svc_user_change_password(st, "u2", "$2b$04$k1", "$2b$04$k2", &err) == -1 &&
	    err.kind == KG_EBADREQ && strstr(err.msg, "disallowing") != NULL);

	/* Inactive: disabled and revoked, once. */
	mkuser(st, "u3", "$2b$04$i1", NULL);
	ev = nevents(st);
	T("cmp-13.1 active user: disable_inactive does nothing",
	    svc_user_disable_inactive(st, "u3", &err) == 0 && nevents(st) == ev);
	sql(st, "UPDATE \"user\" SET created_at = created_at - 6 * 86400000000"
	    " WHERE id = 'u3'");
	T("cmp-13.2 inactive: disabled, tokens revoked",
	    svc_user_disable_inactive(st, "u3", &err) == 0 && nevents(st) == ev + 1 &&
	    store_user_get(st, "u3", &u, &err) == 0 && !u.enabled);
	kg_user_free(&u);
	memset(&ch, 0, sizeof(ch));
	ch.edit.fn = enable_edit;
	ch.enable = 1;
	T("cmp-13.3 enabling again counts as activity",
	    svc_user_update(st, "u3", &ch, NULL, &err) == 0 &&
	    store_user_auth_get(st, "u3", &a, &err) == 0 &&
	    a.last_active_at > kg_now_us() - 60 * US);
	kg_user_auth_free(&a);
	T("cmp-13.4 user deletion takes its history and counter (FK)",
	    svc_user_auth_failed(st, "u1", &err) == 0 &&
	    svc_user_delete(st, "u1", &err) == 0 &&
	    store_password_history(st, "u1", 10, &h, &n, &err) == 0 && n == 0);
	store_strv_free(h, n);
	compliance_set(NULL);
	store_close(st);
}

int
main(void)
{
	test_rules();
	test_regex();
	test_limit();
	test_svc();
	return t_report();
}
