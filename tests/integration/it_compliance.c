/*
 * it_compliance.c - PCI-DSS security compliance over HTTP
 * ([security_compliance], Keystone's names, texts and order), and the
 * failed-login rate limit ([rate_limit], 429 with Retry-After):
 *
 *   pci-1.x  lockout: failures, the locked 401, unlock by time or update,
 *            ignore_lockout_failure_attempts
 *   pci-2.x  password_regex on create, update and self-service change
 *   pci-3.x  password history (self-service only) and lock_password
 *   pci-4.x  password_expires_at, change_password_upon_first_use, the
 *            expired-password flow through POST /v3/users/{id}/password,
 *            the ignore_* options, minimum_password_age
 *   pci-5.x  user options: validation, echo, removal
 *   pci-6.x  disable_user_account_days_inactive
 *   pci-7.x  the rate limit: per user (an address with no failure for the
 *            user still gets in), per address, Retry-After, no effect of
 *            other addresses' failures on the right password
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tests/integration/it.h"

#define REGEX_DESC	"at least 7 characters, one letter and one digit"
#define GENERIC_401	"The request you have made requires authentication."

static const char *
login_body(const char *uid, const char *pw)
{
	return it_fmt("{\"auth\": {\"identity\": {\"methods\": [\"password\"], "
	    "\"password\": {\"user\": {\"id\": \"%s\", \"password\": \"%s\"}}}}}",
	    uid, pw);
}

/* POST body to path without a token: the status; *msg (optional) the
 * error message, a static copy. */
static long
post(struct it_server *s, const char *path, const char *body, const char **msg)
{
	static char	m[512];
	struct it_resp	r;
	long		st;

	m[0] = '\0';
	if (it_req(s, "POST", path, NULL, body, NULL, &r) == -1)
		return 0;
	st = r.status;
	if (r.json != NULL && it_str(r.json, "error.message") != NULL)
		snprintf(m, sizeof(m), "%s", it_str(r.json, "error.message"));
	it_resp_free(&r);
	if (msg != NULL)
		*msg = m;
	return st;
}

static long
login(struct it_server *s, const char *uid, const char *pw, const char **msg)
{
	return post(s, "/v3/auth/tokens", login_body(uid, pw), msg);
}

/* Create a user in Default with password pw and options (JSON or NULL);
 * its id into id (33). Returns the status. */
static long
create_user(struct it_server *s, const char *name, const char *pw,
    const char *options, char *id, json_t **user)
{
	struct it_resp	r;
	long		st;

	id[0] = '\0';
	it_req(s, "POST", "/v3/users", s->admin_token,
	    it_fmt("{\"user\": {\"name\": \"%s\", \"password\": \"%s\", "
	    "\"domain_id\": \"default\"%s%s}}", name, pw, options ? ", \"options\": " :
	    "", options ? options : ""), NULL, &r);
	st = r.status;
	if (r.json != NULL && it_str(r.json, "user.id") != NULL)
		snprintf(id, 33, "%s", it_str(r.json, "user.id"));
	if (user != NULL)
		*user = r.json ? json_incref(json_object_get(r.json, "user")) : NULL;
	it_resp_free(&r);
	return st;
}

/* POST /v3/users/{id}/password; *msg the error message. */
static long
change(struct it_server *s, const char *id, const char *orig, const char *pw,
    const char **msg)
{
	return post(s, it_fmt("/v3/users/%s/password", id), it_fmt("{\"user\": "
	    "{\"original_password\": \"%s\", \"password\": \"%s\"}}", orig, pw),
	    msg);
}

static long
patch_user(struct it_server *s, const char *id, const char *body, json_t **user)
{
	struct it_resp	r;
	long		st;

	it_req(s, "PATCH", it_fmt("/v3/users/%s", id), s->admin_token, body, NULL,
	    &r);
	st = r.status;
	if (user != NULL)
		*user = r.json ? json_incref(json_object_get(r.json, "user")) : NULL;
	it_resp_free(&r);
	return st;
}

static const char *
msg_is(const char *fmt, const char *id)
{
	return it_fmt(fmt, id);
}

/* ------------------------------------------------------------------------ */

static void
test_lockout(struct it_server *s)
{
	char		 id[33], id2[33];
	const char	*m;
	json_t		*u = NULL;

	T("pci-1.1 create user", create_user(s, "lock1", "passw0rd1", NULL, id,
	    &u) == 201);
	T("pci-1.2 options {} on a new user",
	    json_is_object(json_object_get(u, "options")) &&
	    json_object_size(json_object_get(u, "options")) == 0);
	json_decref(u);
	T("pci-1.3 right password -> 201", login(s, id, "passw0rd1", NULL) == 201);
	T("pci-1.4 wrong password 1 -> generic 401",
	    login(s, id, "wrong-1", &m) == 401 && t_streq(m, GENERIC_401));
	T("pci-1.5 wrong password 2 -> generic 401",
	    login(s, id, "wrong-2", &m) == 401 && t_streq(m, GENERIC_401));
	T("pci-1.6 locked: right password -> 401 AccountLocked text",
	    login(s, id, "passw0rd1", &m) == 401 &&
	    t_streq(m, msg_is("The account is locked for user: %s.", id)));
	T("pci-1.7 locked: a wrong one says locked too (not hashed)",
	    login(s, id, "wrong-3", &m) == 401 &&
	    t_streq(m, msg_is("The account is locked for user: %s.", id)));
	T("pci-1.8 self-service change refused while locked",
	    change(s, id, "passw0rd1", "newpassw0rd", &m) == 401 &&
	    t_streq(m, msg_is("The account is locked for user: %s.", id)));
	sleep(3);			/* lockout_duration = 2 */
	T("pci-1.9 after lockout_duration -> 201",
	    login(s, id, "passw0rd1", NULL) == 201);
	/* One failure after the lock ran out does not lock again. */
	T("pci-1.10 one failure -> 401", login(s, id, "wrong-4", NULL) == 401);
	T("pci-1.11 then the right password -> 201 (count reset on success)",
	    login(s, id, "passw0rd1", NULL) == 201);
	login(s, id, "wrong-5", NULL);
	T("pci-1.12 success reset the count: one more failure is not a lock",
	    login(s, id, "passw0rd1", NULL) == 201);
	/* An administrator's update unlocks (Keystone's enabled setter). */
	login(s, id, "wrong-6", NULL);
	login(s, id, "wrong-7", NULL);
	T("pci-1.13 locked again", login(s, id, "passw0rd1", NULL) == 401);
	T("pci-1.14 PATCH enabled: true -> 200",
	    patch_user(s, id, "{\"user\": {\"enabled\": true}}", NULL) == 200);
	T("pci-1.15 unlocked by the update -> 201",
	    login(s, id, "passw0rd1", NULL) == 201);
	/* ignore_lockout_failure_attempts */
	T("pci-1.16 create user with ignore_lockout_failure_attempts",
	    create_user(s, "lock2", "passw0rd2",
	    "{\"ignore_lockout_failure_attempts\": true}", id2, NULL) == 201);
	login(s, id2, "bad-1", NULL);
	login(s, id2, "bad-2", NULL);
	login(s, id2, "bad-3", NULL);
	T("pci-1.17 never locked", login(s, id2, "passw0rd2", NULL) == 201);
	/* A disabled user, once the password is right: UserDisabled text. */
	patch_user(s, id2, "{\"user\": {\"enabled\": false}}", NULL);
	T("pci-1.18 disabled user, right password -> 401 UserDisabled text",
	    login(s, id2, "passw0rd2", &m) == 401 &&
	    t_streq(m, msg_is("The account is disabled for user: %s.", id2)));
	T("pci-1.19 disabled user, wrong password -> generic 401",
	    login(s, id2, "nope", &m) == 401 && t_streq(m, GENERIC_401));
}

static void
test_regex(struct it_server *s)
{
	char		 id[33];
	const char	*m, *want = "The password does not match the requirements: "
			    REGEX_DESC ".";
	struct it_resp	 r;

	T("pci-2.1 create with a weak password -> 400 with the description",
	    create_user(s, "weak1", "short", NULL, id, NULL) == 400);
	it_req(s, "POST", "/v3/users", s->admin_token, "{\"user\": {\"name\": "
	    "\"weak2\", \"password\": \"lettersonly\"}}", NULL, &r);
	T("pci-2.2 its text is Keystone's", r.status == 400 &&
	    t_streq(it_str(r.json, "error.message"), want));
	it_resp_free(&r);
	T("pci-2.3 no user was created", it_status(s, "GET",
	    "/v3/users?name=weak2", s->admin_token, NULL) == 200);
	T("pci-2.4 create with a good one -> 201",
	    create_user(s, "strong1", "g00dpassword", NULL, id, NULL) == 201);
	T("pci-2.5 PATCH a weak password -> 400",
	    patch_user(s, id, "{\"user\": {\"password\": \"1234567\"}}", NULL) == 400);
	T("pci-2.6 the old one still works",
	    login(s, id, "g00dpassword", NULL) == 201);
	T("pci-2.7 self-service change to a weak one -> 400",
	    change(s, id, "g00dpassword", "weak", &m) == 400 && t_streq(m, want));
	T("pci-2.8 a user without a password may be created",
	    it_status(s, "POST", "/v3/users", s->admin_token,
	    "{\"user\": {\"name\": \"nopw\"}}") == 201);
}

static void
test_history(struct it_server *s)
{
	char		 id[33], id2[33];
	const char	*m, *hist = "The new password cannot be identical to a previous "
			    "password. The total number which includes the new "
			    "password must be unique is 2.";

	create_user(s, "hist1", "passwordA1", NULL, id, NULL);
	T("pci-3.1 A -> B", change(s, id, "passwordA1", "passwordB1", NULL) == 204);
	T("pci-3.2 B -> B refused (the current one)",
	    change(s, id, "passwordB1", "passwordB1", &m) == 400 && t_streq(m, hist));
	T("pci-3.3 B -> A refused (one back)",
	    change(s, id, "passwordB1", "passwordA1", &m) == 400 && t_streq(m, hist));
	T("pci-3.4 B -> C", change(s, id, "passwordB1", "passwordC1", NULL) == 204);
	T("pci-3.5 C -> A allowed (two back, count 2)",
	    change(s, id, "passwordC1", "passwordA1", NULL) == 204);
	T("pci-3.6 login with A", login(s, id, "passwordA1", NULL) == 201);
	T("pci-3.7 old password refused", login(s, id, "passwordC1", NULL) == 401);
	T("pci-3.8 an administrator may reuse (not enforced on PATCH)",
	    patch_user(s, id, "{\"user\": {\"password\": \"passwordA1\"}}",
	    NULL) == 200 && login(s, id, "passwordA1", NULL) == 201);
	T("pci-3.9 wrong original -> generic 401",
	    change(s, id, "nope-nope1", "passwordD1", &m) == 401 &&
	    t_streq(m, GENERIC_401));
	/* lock_password */
	T("pci-3.10 create with lock_password",
	    create_user(s, "locked-pw", "passwordL1", "{\"lock_password\": true}",
	    id2, NULL) == 201);
	T("pci-3.11 self-service change -> 400 PasswordSelfServiceDisabled",
	    change(s, id2, "passwordL1", "passwordL2", &m) == 400 &&
	    t_streq(m, "You cannot change your password at this time due to "
	    "password policy disallowing password changes. Please contact your "
	    "administrator to reset your password."));
	T("pci-3.12 an administrator still may",
	    patch_user(s, id2, "{\"user\": {\"password\": \"passwordL2\"}}",
	    NULL) == 200 && login(s, id2, "passwordL2", NULL) == 201);
	T("pci-3.13 lock_password: null removes it, then the user may",
	    patch_user(s, id2, "{\"user\": {\"options\": {\"lock_password\": null}}}",
	    NULL) == 200 && change(s, id2, "passwordL2", "passwordL3", NULL) == 204);
}

/* The user's password_expires_at as epoch seconds (0: null). */
static time_t
expires_of(json_t *u)
{
	const char	*t = json_string_value(json_object_get(u, "password_expires_at"));
	struct tm	 tm;

	if (t == NULL)
		return 0;
	memset(&tm, 0, sizeof(tm));
	if (strptime(t, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
		return -1;
	return timegm(&tm);
}

static void
test_expiry(struct it_server *s)
{
	char		 id[33];
	json_t		*u = NULL;
	time_t		 now = time(NULL), e;

	create_user(s, "exp1", "passwordE1", NULL, id, &u);
	e = expires_of(u);
	T("pci-4.1 password_expires_at = now + 90 days",
	    e > now + 90 * 86400 - 60 && e < now + 90 * 86400 + 60);
	json_decref(u);
	u = NULL;
	T("pci-4.2 ignore_password_expiry: null expiry",
	    create_user(s, "exp2", "passwordE2", "{\"ignore_password_expiry\": true}",
	    id, &u) == 201 && json_is_null(json_object_get(u, "password_expires_at")));
	json_decref(u);
}

/* Server with change_password_upon_first_use and minimum_password_age. */
static void
test_first_use(struct it_server *s)
{
	char		 id[33], id2[33];
	const char	*m, *exp;
	json_t		*u = NULL;
	long		 st, st2;
	char		 expbuf[128];

	T("pci-4.3 create (first use) -> 201",
	    create_user(s, "first1", "passwordF1", NULL, id, &u) == 201);
	T("pci-4.4 password_expires_at is now",
	    expires_of(u) > 0 && expires_of(u) <= time(NULL));
	json_decref(u);
	snprintf(expbuf, sizeof(expbuf), "The password is expired and needs to be "
	    "changed for user: %s.", id);
	exp = expbuf;
	T("pci-4.5 login -> 401 PasswordExpired text",
	    login(s, id, "passwordF1", &m) == 401 && t_streq(m, exp));
	T("pci-4.6 wrong password first -> generic 401 (checked before expiry)",
	    login(s, id, "wrongF1", &m) == 401 && t_streq(m, GENERIC_401));
	T("pci-4.7 expired password may be changed -> 204",
	    change(s, id, "passwordF1", "passwordF2", NULL) == 204);
	T("pci-4.8 then login -> 201", login(s, id, "passwordF2", NULL) == 201);
	T("pci-4.9 minimum_password_age: a second change at once -> 400",
	    change(s, id, "passwordF2", "passwordF3", &m) == 400 &&
	    t_streq(m, "You cannot change your password at this time due to the "
	    "minimum password age. Once you change your password, it must be used "
	    "for 1 day(s) before it can be changed. Please try again in 0 day(s) "
	    "or contact your administrator to reset your password."));
	st = patch_user(s, id, "{\"user\": {\"password\": \"passwordF4\"}}", NULL);
	st2 = login(s, id, "passwordF4", &m);
	T("pci-4.10 an administrator's reset expires again (first use)",
	    st == 200 && st2 == 401 && t_streq(m, exp));
	T("pci-4.11 after an admin reset the age rule does not apply",
	    change(s, id, "passwordF4", "passwordF5", NULL) == 204);
	T("pci-4.12 ignore_change_password_upon_first_use: login at once",
	    create_user(s, "first2", "passwordG1",
	    "{\"ignore_change_password_upon_first_use\": true}", id2, NULL) == 201 &&
	    login(s, id2, "passwordG1", NULL) == 201);
	T("pci-4.13 ignore_password_expiry set later: login works",
	    create_user(s, "first3", "passwordH1", NULL, id2, NULL) == 201 &&
	    login(s, id2, "passwordH1", NULL) == 401 &&
	    patch_user(s, id2, "{\"user\": {\"options\": "
	    "{\"ignore_password_expiry\": true}}}", NULL) == 200 &&
	    login(s, id2, "passwordH1", NULL) == 201);
}

static void
test_options(struct it_server *s)
{
	char		 id[33];
	struct it_resp	 r;
	json_t		*u = NULL;

	T("pci-5.1 unknown option -> 400",
	    create_user(s, "opt1", "passwordO1", "{\"multi_factor_auth_x\": true}",
	    id, NULL) == 400);
	it_req(s, "POST", "/v3/users", s->admin_token, "{\"user\": {\"name\": "
	    "\"opt2\", \"options\": {\"lock_password\": \"yes\"}}}", NULL, &r);
	T("pci-5.2 non-boolean option -> 400 naming it", r.status == 400 &&
	    it_str(r.json, "error.message") != NULL &&
	    strstr(it_str(r.json, "error.message"), "lock_password") != NULL);
	it_resp_free(&r);
	T("pci-5.3 options echoed", create_user(s, "opt3", "passwordO3",
	    "{\"lock_password\": true, \"ignore_password_expiry\": false}", id,
	    &u) == 201 && json_is_true(it_get(u, "options.lock_password")) &&
	    json_is_false(it_get(u, "options.ignore_password_expiry")));
	json_decref(u);
	it_req(s, "GET", it_fmt("/v3/users/%s", id), s->admin_token, NULL, NULL, &r);
	T("pci-5.4 GET shows them", r.status == 200 &&
	    json_is_true(it_get(r.json, "user.options.lock_password")));
	it_resp_free(&r);
	T("pci-5.5 PATCH merges: one added, one removed",
	    patch_user(s, id, "{\"user\": {\"options\": {\"lock_password\": null, "
	    "\"ignore_lockout_failure_attempts\": true}}}", &u) == 200 &&
	    it_get(u, "options.lock_password") == NULL &&
	    json_is_true(it_get(u, "options.ignore_lockout_failure_attempts")) &&
	    json_is_false(it_get(u, "options.ignore_password_expiry")));
	json_decref(u);
	T("pci-5.6 options not an object -> 400",
	    patch_user(s, id, "{\"user\": {\"options\": [1]}}", NULL) == 400);
}

static void
sql(struct it_server *s, const char *stmt)
{
	if (it_sql(s, stmt) != 0)
		printf("sql failed: %s\n", stmt);
}

static void
test_inactive(struct it_server *s)
{
	char		 id[33], id2[33], *tok;
	const char	*m;
	struct it_resp	 r;
	long long	 old = ((long long)time(NULL) - 3 * 86400) * 1000000LL;

	create_user(s, "idle1", "passwordI1", NULL, id, NULL);
	tok = it_token(s, id, "passwordI1", NULL);
	T("pci-6.1 active user logs in", tok != NULL);
	sql(s, it_fmt("UPDATE \"user\" SET last_active_at = %lld, created_at = %lld"
	    " WHERE id = '%s'", old, old, id));
	T("pci-6.2 inactive 3 days (limit 2) -> 401 UserDisabled text",
	    login(s, id, "passwordI1", &m) == 401 &&
	    t_streq(m, msg_is("The account is disabled for user: %s.", id)));
	it_req(s, "GET", it_fmt("/v3/users/%s", id), s->admin_token, NULL, NULL, &r);
	T("pci-6.3 the user is now disabled", r.status == 200 &&
	    json_is_false(it_get(r.json, "user.enabled")));
	it_resp_free(&r);
	{
		const char	*h[2] = { NULL, NULL };

		h[0] = it_fmt("X-Subject-Token: %s", tok ? tok : "x");
		it_req(s, "GET", "/v3/auth/tokens", s->admin_token, NULL, h, &r);
		T("pci-6.4 its token is revoked: GET /v3/auth/tokens -> 404", r.status == 404);
		it_resp_free(&r);
	}
	free(tok);
	T("pci-6.6 wrong password while inactive -> generic 401",
	    login(s, id, "nope", &m) == 401 && t_streq(m, GENERIC_401));
	T("pci-6.7 enabling counts as activity -> login 201",
	    patch_user(s, id, "{\"user\": {\"enabled\": true}}", NULL) == 200 &&
	    login(s, id, "passwordI1", NULL) == 201);
	create_user(s, "idle2", "passwordI2", "{\"ignore_user_inactivity\": true}",
	    id2, NULL);
	sql(s, it_fmt("UPDATE \"user\" SET last_active_at = %lld, created_at = %lld"
	    " WHERE id = '%s'", old, old, id2));
	T("pci-6.8 ignore_user_inactivity -> 201",
	    login(s, id2, "passwordI2", NULL) == 201);
}

/* ------------------------------------------------------------------------
 * The rate limit, from chosen loopback source addresses.
 * --------------------------------------------------------------------- */

/* POST body to path from source address src; status, *retry (Retry-After
 * or -1), *code (error.code or 0). */
static long
post_from(struct it_server *s, const char *src, const char *path,
    const char *body, int *retry, long *code)
{
	struct sockaddr_in	 sin, me;
	char			 req[4096], buf[8192], *p;
	size_t			 len = 0;
	ssize_t			 n;
	long			 st = 0;
	int			 fd, w;
	json_t			*j;

	*retry = -1;
	*code = 0;
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return 0;
	memset(&me, 0, sizeof(me));
	me.sin_family = AF_INET;
	inet_pton(AF_INET, src, &me.sin_addr);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)s->port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&me, sizeof(me)) == -1 ||
	    connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		goto done;
	w = snprintf(req, sizeof(req), "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Connection: close\r\nContent-Type: application/json\r\n"
	    "Content-Length: %zu\r\n\r\n%s", path, strlen(body), body);
	if (w < 0 || (size_t)w >= sizeof(req) || write(fd, req, (size_t)w) != w)
		goto done;
	while (len < sizeof(buf) - 1 &&
	    (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	if (sscanf(buf, "HTTP/1.1 %ld", &st) != 1)
		st = 0;
	if ((p = strcasestr(buf, "\r\nRetry-After:")) != NULL)
		*retry = atoi(p + 14);
	if ((p = strstr(buf, "\r\n\r\n")) != NULL &&
	    (j = json_loads(p + 4, 0, NULL)) != NULL) {
		*code = (long)json_integer_value(it_get(j, "error.code"));
		json_decref(j);
	}
 done:
	close(fd);
	return st;
}

static long
login_from(struct it_server *s, const char *src, const char *uid,
    const char *pw, int *retry, long *code)
{
	return post_from(s, src, "/v3/auth/tokens", login_body(uid, pw), retry,
	    code);
}

/* keygate_password_hashes_total, or -1. */
static long
hashes(struct it_server *s)
{
	struct it_resp	 r;
	const char	*p;
	long		 n = -1;

	if (it_req(s, "GET", "/metrics", NULL, NULL, NULL, &r) == 0 &&
	    r.status == 200 && r.body != NULL &&
	    (p = strstr(r.body, "\nkeygate_password_hashes_total ")) != NULL)
		n = atol(p + strlen("\nkeygate_password_hashes_total "));
	it_resp_free(&r);
	return n;
}

static void
test_rate_limit(struct it_server *s)
{
	char		 id[33], id2[33];
	int		 retry;
	long		 code, st;
	int		 i, all401 = 1;
	long		 h0;
	struct it_resp	 r;

	/* user_failures 3, address_failures 5, intervals 60 s. */
	create_user(s, "rl1", "passwordR1", NULL, id, NULL);
	create_user(s, "rl2", "passwordR2", NULL, id2, NULL);
	for (i = 0; i < 3; i++)
		if (login_from(s, "127.0.0.2", id, "wrong", &retry, &code) != 401)
			all401 = 0;
	T("pci-7.1 the user's budget: 3 failures -> 401 each", all401);
	st = login_from(s, "127.0.0.2", id, "wrong", &retry, &code);
	T("pci-7.2 the 4th from that address -> 429", st == 429);
	T("pci-7.3 Retry-After within the user interval",
	    retry >= 1 && retry <= 60);
	T("pci-7.4 Keystone-style error body, code 429", code == 429);
	T("pci-7.5 the right password from that address -> 429 too",
	    login_from(s, "127.0.0.2", id, "passwordR1", &retry, &code) == 429);
	h0 = hashes(s);
	for (i = 0; i < 5; i++)
		login_from(s, "127.0.0.2", id, "wrong", &retry, &code);
	T("pci-7.5b a refused login costs no hashing (keygate_password_hashes_total)",
	    h0 >= 0 && hashes(s) == h0);
	T("pci-7.6 the right password from an address with no failure -> 201",
	    login_from(s, "127.0.0.3", id, "passwordR1", &retry, &code) == 201);
	T("pci-7.7 a wrong one from a fresh address is tried (401), once",
	    login_from(s, "127.0.0.4", id, "wrong", &retry, &code) == 401 &&
	    login_from(s, "127.0.0.4", id, "wrong", &retry, &code) == 429);
	T("pci-7.8 the first address's failures do not touch another user",
	    login_from(s, "127.0.0.2", id2, "passwordR2", &retry, &code) == 201);
	/* The self-service password route counts and is limited too. */
	st = post_from(s, "127.0.0.2", it_fmt("/v3/users/%s/password", id),
	    "{\"user\": {\"original_password\": \"passwordR1\", \"password\": "
	    "\"passwordR9\"}}", &retry, &code);
	T("pci-7.9 POST /v3/users/{id}/password limited too -> 429", st == 429);
	/* Per address: 127.0.0.5 spends its 5 on users that do not exist. */
	all401 = 1;
	for (i = 0; i < 5; i++)
		if (login_from(s, "127.0.0.5", it_fmt("%032x", i), "x", &retry,
		    &code) != 401)
			all401 = 0;
	T("pci-7.10 address budget: 5 failures (unknown users) -> 401", all401);
	T("pci-7.11 then anything from it -> 429, even the right password",
	    login_from(s, "127.0.0.5", id2, "passwordR2", &retry, &code) == 429 &&
	    retry >= 1);
	T("pci-7.12 other addresses unaffected",
	    login_from(s, "127.0.0.6", id2, "passwordR2", &retry, &code) == 201);
	T("pci-7.13 token-method and other routes are not limited",
	    it_status(s, "GET", "/v3/users", s->admin_token, NULL) == 200);
	it_req(s, "GET", "/metrics", NULL, NULL, NULL, &r);
	T("pci-7.14 keygate_auth_rate_limited_total counts the 429s",
	    r.status == 200 && r.body != NULL &&
	    strstr(r.body, "keygate_auth_rate_limited_total 10") != NULL);
	it_resp_free(&r);
}

/* it_start's environment stays in this process: drop the last server's. */
static void
unset_env(const char *const *env)
{
	char	name[128];

	for (; *env != NULL; env++) {
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(*env, "="), *env);
		unsetenv(name);
	}
}

int
main(void)
{
	struct it_server	s;
	static const char *const env_a[] = {
		"KEYGATE_SECURITY_COMPLIANCE_LOCKOUT_FAILURE_ATTEMPTS=2",
		"KEYGATE_SECURITY_COMPLIANCE_LOCKOUT_DURATION=2",
		"KEYGATE_SECURITY_COMPLIANCE_UNIQUE_LAST_PASSWORD_COUNT=2",
		"KEYGATE_SECURITY_COMPLIANCE_MINIMUM_PASSWORD_AGE=0",
		"KEYGATE_SECURITY_COMPLIANCE_PASSWORD_EXPIRES_DAYS=90",
		"KEYGATE_SECURITY_COMPLIANCE_PASSWORD_REGEX=^(?=.*\\d)(?=.*[a-zA-Z]).{7,}$",
		"KEYGATE_SECURITY_COMPLIANCE_PASSWORD_REGEX_DESCRIPTION=" REGEX_DESC,
		"KEYGATE_SECURITY_COMPLIANCE_DISABLE_USER_ACCOUNT_DAYS_INACTIVE=2",
		"KEYGATE_IDENTITY_PASSWORD_HASH_ROUNDS=4",
		NULL
	};
	static const char *const env_b[] = {
		"KEYGATE_SECURITY_COMPLIANCE_CHANGE_PASSWORD_UPON_FIRST_USE=true",
		"KEYGATE_SECURITY_COMPLIANCE_MINIMUM_PASSWORD_AGE=1",
		"KEYGATE_IDENTITY_PASSWORD_HASH_ROUNDS=4",
		NULL
	};
	static const char *const env_c[] = {
		"KEYGATE_RATE_LIMIT_USER_FAILURES=3",
		"KEYGATE_RATE_LIMIT_USER_INTERVAL=60",
		"KEYGATE_RATE_LIMIT_ADDRESS_FAILURES=5",
		"KEYGATE_RATE_LIMIT_ADDRESS_INTERVAL=60",
		"KEYGATE_IDENTITY_PASSWORD_HASH_ROUNDS=4",
		NULL
	};

	it_start(&s, env_a);
	test_lockout(&s);
	test_regex(&s);
	test_history(&s);
	test_expiry(&s);
	test_options(&s);
	test_inactive(&s);
	T("pci-8.1 server A stops cleanly", it_stop(&s) == 0);

	unset_env(env_a);
	it_start(&s, env_b);
	test_first_use(&s);
	T("pci-8.2 server B stops cleanly", it_stop(&s) == 0);

	unset_env(env_b);
	it_start(&s, env_c);
	test_rate_limit(&s);
	T("pci-8.3 server C stops cleanly", it_stop(&s) == 0);
	return t_report();
}
