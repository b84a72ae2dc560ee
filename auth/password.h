/*
 * password.h - password hashes: made in passlib's bcrypt_sha256 format,
 * checked in that format and in plain bcrypt (what Keystone stores by
 * default), through libcrypt's crypt_r.
 *
 * Formats:
 *   new:    $bcrypt-sha256$v=2,t=2b,r=NN$<salt 22>$<digest 31>
 *           bcrypt (cost NN, that salt) of base64(HMAC-SHA256(key = the
 *           22 salt characters, message = the password)): passlib's v2
 *           definition, also what Keystone's "bcrypt_sha256" hasher
 *           writes and reads. Every byte of the password counts.
 *   legacy: $2a$NN$..., $2b$NN$..., $2y$NN$... (60 characters): plain
 *           bcrypt, Keystone's default. bcrypt reads only the first 72
 *           bytes, so a longer password cannot be told from another with
 *           the same first 72 bytes: it is refused against such a hash
 *           (0), even when its first 72 bytes match. A good login with a
 *           legacy hash should replace it (password_needs_upgrade).
 *
 * Timing: password_verify spends one bcrypt whatever happens: a NULL or
 * unknown hash (the user does not exist, has no password, or a hash in a
 * format we do not read) is answered 0 after checking the password
 * against a dummy hash of the configured cost, so a login for an unknown
 * user costs what a wrong password costs.
 *
 * Threads: every function may be called from any thread once
 * password_init has returned.
 */
#ifndef KG_AUTH_PASSWORD_H
#define KG_AUTH_PASSWORD_H

#include <stdint.h>

#include "common/err.h"

#define PASSWORD_MAX		4096	/* longer passwords are refused (400) */
#define PASSWORD_BCRYPT_MAX	72	/* what plain bcrypt reads of a password */

/*
 * Set the cost new hashes and the dummy hash use (4..31) and make the
 * dummy hash. Call once at start, before any thread verifies; without it
 * the dummy uses cost 12 (Keystone's default). Returns 0, or -1 with err
 * filled (bad cost, no randomness).
 */
int	password_init(int cost, struct kg_err *err);

/*
 * Hash password with the given bcrypt cost (4..31) in the bcrypt_sha256
 * format. Returns a malloc'd string, or NULL with err filled.
 */
char	*password_hash(const char *password, int cost, struct kg_err *err);

/*
 * 1 when password matches hash (constant-time compare), 0 otherwise:
 * NULL or malformed hash, unknown format, or a password longer than
 * PASSWORD_BCRYPT_MAX bytes against a legacy hash. Always runs one bcrypt.
 */
int	password_verify(const char *password, const char *hash);

/* 1 when hash is a legacy (plain bcrypt) hash that a good login should
 * replace with password_hash's format; 0 otherwise (NULL too). */
int	password_needs_upgrade(const char *hash);

/* bcrypt computations run by this process so far (hash, verify, dummy). */
uint64_t password_bcrypt_runs(void);

#endif /* KG_AUTH_PASSWORD_H */
