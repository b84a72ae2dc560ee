/*
 * totp.h - RFC 6238 time-based one-time passwords as Keystone's totp auth
 * method computes them (keystone/auth/plugins/totp.py): HMAC-SHA1, 6
 * digits, 30-second steps, the secret the base32 text of a credential of
 * type "totp". Pure: no store, no I/O, thread-safe.
 *
 * Secrets: every decoded key is wiped before these functions return; the
 * caller wipes the base32 text. Nothing here logs.
 */
#ifndef KG_AUTH_TOTP_H
#define KG_AUTH_TOTP_H

#include <stddef.h>
#include <stdint.h>

#define TOTP_DIGITS		6
#define TOTP_STEP		30	/* seconds */
#define TOTP_MIN_KEY		16	/* bytes: cryptography's HOTP refuses shorter */
#define TOTP_MAX_WINDOWS	10	/* [totp] included_previous_windows' maximum */

/*
 * Decode base32 text (RFC 4648, upper case, '=' padding optional) into a
 * malloc'd *key of *keylen bytes, as Keystone's padding plus Python's
 * b32decode accept it. -1 when the text is not base32 (nothing allocated).
 */
int	totp_b32decode(const char *text, unsigned char **key, size_t *keylen);

/* The passcode of key at time step counter (RFC 4226's HOTP), as six
 * ASCII digits and a NUL in out. -1 when HMAC fails. */
int	totp_hotp(const unsigned char *key, size_t keylen, uint64_t counter,
	    char out[TOTP_DIGITS + 1]);

/*
 * Does passcode match the base32 secret at now (seconds since the epoch)
 * or in one of the prev_windows steps before (Keystone's [totp]
 * included_previous_windows, 0..TOTP_MAX_WINDOWS)? Every window is
 * computed and compared in constant time. 1 yes, 0 no; a secret that is
 * not base32 or shorter than TOTP_MIN_KEY bytes matches nothing (Keystone
 * skips such a credential).
 */
int	totp_check(const char *secret, const char *passcode, int64_t now,
	    int prev_windows);

#endif /* KG_AUTH_TOTP_H */
