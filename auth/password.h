/*
 * password.h - password hashing with bcrypt ("$2b$", Keystone's default
 * hasher, so hashes move between the two) through libcrypt's crypt_r.
 */
#ifndef KG_AUTH_PASSWORD_H
#define KG_AUTH_PASSWORD_H

#include "common/err.h"

#define PASSWORD_MAX	4096	/* longer passwords are refused (400) */

/*
 * Hash password with the given bcrypt cost (4..31). Returns a malloc'd
 * "$2b$..." string, or NULL with err filled. bcrypt only reads the first
 * 72 bytes, as in Keystone.
 */
char	*password_hash(const char *password, int cost, struct kg_err *err);

/* 1 when password matches hash (constant-time compare), 0 otherwise
 * (including a NULL or malformed hash). */
int	password_verify(const char *password, const char *hash);

#endif /* KG_AUTH_PASSWORD_H */
