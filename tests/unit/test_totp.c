/*
 * test_totp.c - auth/totp.c (RFC 6238 with Keystone's parameters) and
 * auth/mfa.c (Keystone's multi-factor rules and required_auth_methods).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/mfa.h"
#include "auth/totp.h"
#include "tests/t.h"

/* RFC 6238 appendix B's SHA-1 seed "12345678901234567890", base32. */
#define RFC_SEED	"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

static const struct {
	int64_t		 t;
	const char	*code;		/* the RFC's 8 digits, last 6 */
} rfc[] = {
	{ 59, "287082" }, { 1111111109, "081804" }, { 1111111111, "050471" },
	{ 1234567890, "005924" }, { 2000000000, "279037" },
	{ INT64_C(20000000000), "353130" },
};

static void
test_rfc6238(void)
{
	unsigned char	*key;
	size_t		 keylen, i;
	char		 code[TOTP_DIGITS + 1], id[80];
	int		 ok = 1;

	T("totp-1.1 base32 seed decodes to the RFC's 20 bytes",
	    totp_b32decode(RFC_SEED, &key, &keylen) == 0 && keylen == 20 &&
	    memcmp(key, "12345678901234567890", 20) == 0);
	for (i = 0; i < sizeof(rfc) / sizeof(rfc[0]); i++) {
		ok = totp_hotp(key, keylen, (uint64_t)(rfc[i].t / TOTP_STEP),
		    code) == 0 && strcmp(code, rfc[i].code) == 0;
		snprintf(id, sizeof(id), "totp-1.2 RFC 6238 vector t=%lld",
		    (long long)rfc[i].t);
		T(id, ok);
		snprintf(id, sizeof(id), "totp-1.3 totp_check t=%lld",
		    (long long)rfc[i].t);
		T(id, totp_check(RFC_SEED, rfc[i].code, rfc[i].t, 0) == 1);
	}
	free(key);
}

static void
test_windows(void)
{
	/* 1111111111 is in step 37037037; 1111111109 in step 37037036. */
	T("totp-2.1 previous window refused with 0 windows",
	    totp_check(RFC_SEED, "081804", 1111111111 + 30, 0) == 0);
	T("totp-2.2 previous window accepted with 1 (Keystone's default)",
	    totp_check(RFC_SEED, "050471", 1111111111 + 30, 1) == 1);
	T("totp-2.3 two windows back refused with 1",
	    totp_check(RFC_SEED, "050471", 1111111111 + 60, 1) == 0);
	T("totp-2.4 two windows back accepted with 2",
	    totp_check(RFC_SEED, "050471", 1111111111 + 60, 2) == 1);
	T("totp-2.5 a future window is refused",
	    totp_check(RFC_SEED, "050471", 1111111111 - 30, 1) == 0);
	T("totp-2.6 more than 10 windows: nothing matches",
	    totp_check(RFC_SEED, "050471", 1111111111, 11) == 0);
	T("totp-2.7 wrong code", totp_check(RFC_SEED, "050472", 1111111111, 1) == 0);
}

static void
test_secrets(void)
{
	unsigned char	*key;
	size_t		 keylen;

	T("totp-3.1 a passcode of 5 or 7 digits never matches",
	    totp_check(RFC_SEED, "05047", 1111111111, 0) == 0 &&
	    totp_check(RFC_SEED, "0504710", 1111111111, 0) == 0);
	T("totp-3.2 lower-case base32 is refused (as Python's b32decode)",
	    totp_b32decode("gezdgnbvgy3tqojq", &key, &keylen) == -1);
	T("totp-3.3 unpadded text is padded as Keystone pads it",
	    totp_b32decode("GEZDGNA", &key, &keylen) == 0 && keylen == 4 &&
	    memcmp(key, "1234", 4) == 0);
	free(key);
	T("totp-3.4 explicit padding accepted",
	    totp_b32decode("GEZDGNA=", &key, &keylen) == 0 && keylen == 4);
	free(key);
	T("totp-3.5 impossible lengths refused (1, 3, 6 digits in a quantum)",
	    totp_b32decode("G", &key, &keylen) == -1 &&
	    totp_b32decode("GEZ", &key, &keylen) == -1 &&
	    totp_b32decode("GEZDGN", &key, &keylen) == -1 &&
	    totp_b32decode("GEZDGNBV========", &key, &keylen) == -1);
	T("totp-3.6 '=' inside or other characters refused",
	    totp_b32decode("GE=DGNBV", &key, &keylen) == -1 &&
	    totp_b32decode("GEZDGNB1", &key, &keylen) == -1);
	/* "1234567890" (10 bytes): cryptography's HOTP refuses keys < 16. */
	T("totp-3.7 a key shorter than 16 bytes matches nothing",
	    totp_check("GEZDGNBVGY3TQOJQ", "000000", 0, 10) == 0);
	T("totp-3.8 not base32 matches nothing",
	    totp_check("not base32!", "287082", 59, 1) == 0);
}

static const char *const active[] = { "password", "token", "totp", NULL };

static int
sat(const char *rules, const char *const *done, size_t n)
{
	char	extra[512];

	snprintf(extra, sizeof(extra), "{\"options\": %s}", rules);
	return mfa_satisfied(extra, done, n, active);
}

static int
req_is(const char *rules, const char *const *done, size_t n, const char *want)
{
	char	 extra[512], *s;
	json_t	*r;
	int	 ok;

	snprintf(extra, sizeof(extra), "{\"options\": %s}", rules);
	r = mfa_required(extra, done, n, active);
	s = json_dumps(r, JSON_COMPACT);
	ok = s != NULL && strcmp(s, want) == 0;
	if (!ok)
		printf("required: %s\n", s ? s : "(null)");
	free(s);
	json_decref(r);
	return ok;
}

static void
test_rules(void)
{
	const char *const pw[] = { "password" }, *const both[] = { "password",
	    "totp" }, *const tk[] = { "token" };
	const char	*r1 = "{\"multi_factor_auth_rules\": [[\"password\", \"totp\"]]}";

	T("mfa-1.1 no options: any method", mfa_satisfied(NULL, pw, 1, active) &&
	    sat("{}", pw, 1));
	T("mfa-1.2 password alone fails [[password, totp]]", !sat(r1, pw, 1));
	T("mfa-1.3 password + totp meets it", sat(r1, both, 2));
	T("mfa-1.4 multi_factor_auth_enabled false: rules ignored",
	    sat("{\"multi_factor_auth_enabled\": false, \"multi_factor_auth_rules\": "
	    "[[\"password\", \"totp\"]]}", pw, 1));
	T("mfa-1.5 enabled true and rules: enforced",
	    !sat("{\"multi_factor_auth_enabled\": true, \"multi_factor_auth_rules\": "
	    "[[\"password\", \"totp\"]]}", pw, 1));
	T("mfa-1.6 one of several rules is enough",
	    sat("{\"multi_factor_auth_rules\": [[\"password\", \"totp\"], "
	    "[\"token\"]]}", tk, 1));
	T("mfa-1.7 a method this server lacks is dropped from the rule",
	    sat("{\"multi_factor_auth_rules\": [[\"password\", \"mapped\"]]}",
	    pw, 1));
	T("mfa-1.8 a rule of inactive methods only is met",
	    sat("{\"multi_factor_auth_rules\": [[\"oauth1\"], [\"password\", "
	    "\"totp\"]]}", tk, 1));
	T("mfa-1.9 malformed rules skipped; none left: any method",
	    sat("{\"multi_factor_auth_rules\": [[], [1], \"totp\"]}", pw, 1));
	T("mfa-1.10 empty rule list: any method",
	    sat("{\"multi_factor_auth_rules\": []}", pw, 1));
	T("mfa-2.1 required_auth_methods: the rules sharing a method done",
	    req_is("{\"multi_factor_auth_rules\": [[\"password\", \"totp\"], "
	    "[\"token\", \"totp\"], [\"password\", \"mapped\", \"password\"]]}", pw, 1,
	    "[[\"password\",\"totp\"],[\"password\"]]"));
	T("mfa-2.3 a rule sharing one of two methods done is listed",
	    req_is("{\"multi_factor_auth_rules\": [[\"password\", \"totp\"], "
	    "[\"token\", \"totp\"]]}", both, 2,
	    "[[\"password\",\"totp\"],[\"token\",\"totp\"]]"));
	T("mfa-2.2 no rules: empty", req_is("{}", pw, 1, "[]"));
}

int
main(void)
{
	test_rfc6238();
	test_windows();
	test_secrets();
	test_rules();
	return t_report();
}
