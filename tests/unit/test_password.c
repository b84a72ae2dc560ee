/*
 * test_password.c - unit tests for auth/password.c: the bcrypt_sha256
 * format against vectors made with Debian's python3-passlib 1.7.4
 * (passlib.hash.bcrypt_sha256.using(salt=..., rounds=...).hash(pw)), a
 * fresh hash checked by passlib itself, plain bcrypt hashes as Keystone
 * stores them, the 72-byte rule, and the dummy work for unknown hashes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/password.h"
#include "tests/t.h"

/* passlib's verdict on (password, hash), both passed through the
 * environment: 1 match, 0 no match, -1 when passlib cannot run. */
static int
passlib_verify(const char *password, const char *hash)
{
	FILE	*p;
	char	 line[16] = "";
	int	 rc;

	setenv("KG_PW", password, 1);
	setenv("KG_HASH", hash, 1);
	p = popen("/usr/bin/python3 -c 'import os; from passlib.hash import "
	    "bcrypt_sha256 as h; print(int(h.verify(os.environ[\"KG_PW\"], "
	    "os.environ[\"KG_HASH\"])))' 2>/dev/null", "r");
	if (p == NULL)
		return -1;
	if (fgets(line, sizeof(line), p) == NULL)
		line[0] = '\0';
	rc = pclose(p);
	if (rc != 0)
		return -1;
	return line[0] == '1' ? 1 : line[0] == '0' ? 0 : -1;
}

int
main(void)
{
	static const struct {
		const char	*id, *pw, *hash;
	} vec[] = {
		{ "pw-1.1 passlib vector", "secret",
		  "$bcrypt-sha256$v=2,t=2b,r=4$abcdefghijklmnopqrstuu$"
		  "m8phM5HLiIEvmH7mK6Z5Wd.AC8vC0.y" },
		{ "pw-1.2 passlib vector, 100 bytes, cost 5",
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "$bcrypt-sha256$v=2,t=2b,r=5$ABCDEFGHIJKLMNOPQRSTUe$"
		  "YPcA1TxCblViJkdWWC1h7bET025IoGS" },
		{ "pw-1.3 passlib vector, UTF-8", "p\xc3\xa4ssw\xc3\xb6rd \xe2\x9c\x93",
		  "$bcrypt-sha256$v=2,t=2b,r=4$0123456789./012345678u$"
		  "ieOqy/rINab8BNxrWFHOp0aowRf7rke" },
		{ "pw-1.4 passlib vector, empty", "",
		  "$bcrypt-sha256$v=2,t=2b,r=4$zyxwvutsrqponmlkjihgfO$"
		  "cg/R/14Yul4zJYo2jCa2EjJjyqYG7o." },
		{ "pw-2.1 Keystone bcrypt $2b$", "secret",
		  "$2b$04$abcdefghijklmnopqrstuu2r9OfJnfCsdneAXAGHnS4UpFFP8WIrW" },
		{ "pw-2.2 bcrypt $2a$", "secret",
		  "$2a$04$abcdefghijklmnopqrstuu2r9OfJnfCsdneAXAGHnS4UpFFP8WIrW" },
		{ "pw-2.3 bcrypt $2y$", "secret",
		  "$2y$04$abcdefghijklmnopqrstuu2r9OfJnfCsdneAXAGHnS4UpFFP8WIrW" },
	};
	/* bcrypt ("$2b$", cost 4) of 80 'x': only its first 72 bytes count. */
	static const char legacy80[] =
	    "$2b$04$abcdefghijklmnopqrstuubzadhGtS2zEF.gu0yd0opP6cVzb.e0i";
	struct kg_err	 err = { 0 };
	char		 x72[73], x80[81], a101[102], wrong[160], id[64];
	char		*h, *h2;
	uint64_t	 before;
	size_t		 i;
	int		 pl;

	T("pw-0.1 init with cost 4", password_init(4, &err) == 0);
	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		T(vec[i].id, password_verify(vec[i].pw, vec[i].hash) == 1);
		snprintf(wrong, sizeof(wrong), "%sx", vec[i].pw);
		snprintf(id, sizeof(id), "pw-1.9.%zu one more byte does not match", i);
		T(id, password_verify(wrong, vec[i].hash) == 0);
	}

	/* Every byte counts in the new format. */
	memset(a101, 'a', 101);
	a101[101] = '\0';
	T("pw-1.5 101st byte counts", password_verify(a101, vec[1].hash) == 0);
	a101[99] = 'b';
	a101[100] = '\0';
	T("pw-1.6 100th byte counts", password_verify(a101, vec[1].hash) == 0);

	/* Plain bcrypt: over 72 bytes is refused, even when the first 72 match. */
	memset(x80, 'x', 80);
	x80[80] = '\0';
	memset(x72, 'x', 72);
	x72[72] = '\0';
	T("pw-2.4 72 bytes against a legacy hash", password_verify(x72, legacy80) == 1);
	T("pw-2.5 the set 80 bytes are refused (> 72)", password_verify(x80, legacy80) == 0);
	x80[79] = 'y';
	T("pw-2.6 a different tail is refused", password_verify(x80, legacy80) == 0);
	T("pw-2.7 legacy needs upgrade", password_needs_upgrade(legacy80) &&
	    password_needs_upgrade(vec[5].hash) && password_needs_upgrade(vec[6].hash));
	T("pw-2.8 new format needs none", !password_needs_upgrade(vec[0].hash) &&
	    !password_needs_upgrade(NULL) && !password_needs_upgrade("$2b$04$short"));

	/* Fresh hashes: format, round trip, salts differ, passlib agrees. */
	h = password_hash("correct horse", 4, &err);
	h2 = password_hash("correct horse", 4, &err);
	T("pw-3.1 hash made", h != NULL && h2 != NULL);
	if (h != NULL && h2 != NULL) {
		T("pw-3.2 bcrypt_sha256 v2 format", strncmp(h,
		    "$bcrypt-sha256$v=2,t=2b,r=4$", 28) == 0 && strlen(h) == 28 + 22 + 1 + 31 &&
		    h[28 + 22] == '$');
		T("pw-3.3 round trip", password_verify("correct horse", h) == 1);
		T("pw-3.4 wrong password", password_verify("correct horsf", h) == 0);
		T("pw-3.5 salted", strcmp(h, h2) != 0);
		pl = passlib_verify("correct horse", h);
		T("pw-3.6 passlib verifies our hash", pl == 1);
		pl = passlib_verify("correct horsE", h);
		T("pw-3.7 passlib refuses a wrong password", pl == 0);
	}
	free(h);
	free(h2);
	h = password_hash(a101, 4, &err);
	T("pw-3.8 passlib verifies a 100-byte password's hash", h != NULL &&
	    passlib_verify(a101, h) == 1);
	free(h);
	T("pw-3.9 cost out of range", password_hash("x", 3, &err) == NULL &&
	    password_hash("x", 32, &err) == NULL);

	/* Malformed hashes never match, and still cost one bcrypt. */
	before = password_bcrypt_runs();
	T("pw-4.1 NULL hash", password_verify("secret", NULL) == 0);
	T("pw-4.2 runs the dummy", password_bcrypt_runs() == before + 1);
	before = password_bcrypt_runs();
	T("pw-4.3 unknown format", password_verify("secret", "plaintext") == 0 &&
	    password_verify("secret", "$bcrypt-sha256$v=2,t=2b,r=4$abc$def") == 0 &&
	    password_verify("secret", "$bcrypt-sha256$v=2,t=2b,r=99$"
	    "abcdefghijklmnopqrstuu$m8phM5HLiIEvmH7mK6Z5Wd.AC8vC0.y") == 0 &&
	    password_verify("secret", "$bcrypt-sha256$v=2,t=2b,r=4$"
	    "abcdefghijklmnopqrstuv$m8phM5HLiIEvmH7mK6Z5Wd.AC8vC0.y") == 0 &&
	    password_verify("secret", "$2x$04$abcdefghijklmnopqrstuu2r9OfJnf"
	    "CsdneAXAGHnS4UpFFP8WIrW") == 0);
	T("pw-4.4 each ran one bcrypt", password_bcrypt_runs() == before + 5);
	before = password_bcrypt_runs();
	T("pw-4.5 a wrong password runs one bcrypt too",
	    password_verify("nope", vec[0].hash) == 0 &&
	    password_bcrypt_runs() == before + 1);
	before = password_bcrypt_runs();
	T("pw-4.6 over 72 bytes against legacy still runs bcrypt",
	    password_verify(x80, legacy80) == 0 && password_bcrypt_runs() == before + 1);
	return t_report();
}
