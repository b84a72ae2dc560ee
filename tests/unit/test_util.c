/* test_util.c - unit tests for common/util.c and common/err.c. */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/util.h"
#include "tests/t.h"

int
main(void)
{
	char		 id[33], id2[33], tbuf[KG_TIME_LEN], enc[64];
	unsigned char	 dec[64];
	int64_t		 us;
	struct kg_err	 err = { 0 };
	long		 n;

	T("util-1.1 id is 32 hex", kg_id_new(id) == 0 && kg_is_hex_id(id));
	T("util-1.2 ids differ", kg_id_new(id2) == 0 && strcmp(id, id2) != 0);
	T("util-1.3 uuid4 version nibble", id[12] == '4');
	T("util-1.4 not hex", !kg_is_hex_id("default") && !kg_is_hex_id("zz"));

	kg_time_fmt(1795597615000000LL, tbuf);
	T("util-2.1 time format", strcmp(tbuf, "2026-11-25T09:06:55.000000Z") == 0);
	T("util-2.2 parse round trip", kg_time_parse(tbuf, &us) == 0 && us == 1795597615000000LL);
	T("util-2.3 parse no fraction", kg_time_parse("2026-11-25T09:06:55Z", &us) == 0 &&
	    us == 1795597615000000LL);
	T("util-2.4 parse fraction", kg_time_parse("2026-11-25T09:06:55.5Z", &us) == 0 &&
	    us == 1795597615500000LL);
	T("util-2.5 parse +00:00", kg_time_parse("2026-11-25T09:06:55+00:00", &us) == 0);
	T("util-2.6 parse garbage", kg_time_parse("yesterday", &us) == -1);
	T("util-2.7 parse trailing junk", kg_time_parse("2026-11-25T09:06:55Zx", &us) == -1);
	T("util-2.8 parse bad month", kg_time_parse("2026-13-25T09:06:55Z", &us) == -1);

	n = kg_b64url_encode("\xfb\xff\xfe", 3, enc, sizeof(enc));
	T("util-3.1 b64url alphabet", n == 4 && strcmp(enc, "-__-") == 0);
	n = kg_b64url_encode("ab", 2, enc, sizeof(enc));
	T("util-3.2 b64url no padding", n == 3 && strcmp(enc, "YWI") == 0);
	n = kg_b64url_decode("YWI", 3, dec, sizeof(dec));
	T("util-3.3 decode", n == 2 && memcmp(dec, "ab", 2) == 0);
	T("util-3.4 decode rejects '+'", kg_b64url_decode("YW+", 3, dec, sizeof(dec)) == -1);
	T("util-3.5 decode rejects padding", kg_b64url_decode("YWI=", 4, dec, sizeof(dec)) == -1);
	T("util-3.6 decode bounds", kg_b64url_decode("YWJjZGVm", 8, dec, 2) == -1);
	T("util-3.7 encode bounds", kg_b64url_encode("abcdef", 6, enc, 4) == -1);

	T("util-4.1 ct equal", kg_ct_equal("abc", "abc", 3) && !kg_ct_equal("abc", "abd", 3));
	T("util-4.2 strlcpy truncates", kg_strlcpy(enc, "hello", 3) == 5 && strcmp(enc, "he") == 0);

	T("util-5.1 utf8_cut keeps whole characters",
	    kg_utf8_cut("a\xc3\xa9", 3) == 3 && kg_utf8_cut("a\xc3\xa9", 2) == 1 &&
	    kg_utf8_cut("\xe2\x82\xac", 2) == 0 && kg_utf8_cut("ab", 1) == 1 &&
	    kg_utf8_cut("\xf0\x9f\x98\x80x", 4) == 4);
	{
		char	big[1500];
		size_t	i;

		for (i = 0; i + 3 < sizeof(big); i += 3)
			memcpy(big + i, "\xe2\x82\xac", 3);
		big[i] = '\0';
		kg_errf(&err, KG_EBADREQ, "x%s", big);
		T("err-1.5 a cut message ends on a character",
		    strlen(err.msg) == 1 + 3 * ((sizeof(err.msg) - 2) / 3));
	}

	T("err-1.1 errf returns -1", kg_errf(&err, KG_ENOTFOUND, "x %d", 1) == -1 &&
	    err.kind == KG_ENOTFOUND && strcmp(err.msg, "x 1") == 0);
	T("err-1.2 errf NULL-safe", kg_errf(NULL, KG_ENOTFOUND, "x") == -1);
	kg_err_clear(&err);
	T("err-1.3 clear", err.kind == KG_OK && err.msg[0] == '\0');

	/* audit: client text cut inside a UTF-8 sequence made error bodies
	 * unencodable (empty 400/404 replies). */
	{
		char	s[16], big[2100];
		size_t	i;

		strcpy(s, "a\xc3\xa9" "b");
		T("utf8-1.1 valid text kept", kg_utf8_repair(s) == 0 &&
		    strcmp(s, "a\xc3\xa9" "b") == 0);
		strcpy(s, "ab\xc3");
		T("utf8-1.2 cut sequence replaced", kg_utf8_repair(s) == 1 &&
		    strcmp(s, "ab?") == 0);
		strcpy(s, "\xff\xfe/x");
		T("utf8-1.3 invalid bytes replaced", kg_utf8_repair(s) == 2 &&
		    strcmp(s, "?" "?/x") == 0);
		strcpy(s, "\xc0\xaf\xed\xa0\x80");
		T("utf8-1.4 overlong and surrogate refused", kg_utf8_repair(s) == 5);
		strcpy(s, "\xf0\x9f\x98\x80\xf4\x90\x80\x80");
		T("utf8-1.5 4-byte kept, beyond U+10FFFF refused",
		    kg_utf8_repair(s) == 4 && memcmp(s, "\xf0\x9f\x98\x80" "?" "?" "?" "?", 8) == 0);
		for (i = 0; i + 2 < sizeof(big); i += 2)
			memcpy(big + i, "\xc3\xa9", 2);
		big[i] = '\0';
		kg_errf(&err, KG_EBADREQ, "xy%s", big);	/* cut inside a character */
		T("err-1.6 a message cut inside a character is valid UTF-8",
		    strlen(err.msg) == sizeof(err.msg) - 2 &&
		    kg_utf8_repair(err.msg) == 0);
	}
	return t_report();
}
