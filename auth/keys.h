/*
 * keys.h - the signing key repository, like Keystone's fernet keys.
 *
 * A directory (mode 0700) of EC P-256 private keys in PEM files (0600)
 * named by index, as fernet: "0" is the staged key, the highest index is
 * the primary (signs new tokens), the others are secondary (still verify
 * tokens they signed). Rotation promotes the staged key to primary, makes
 * a new staged key and prunes the oldest secondaries beyond max_active,
 * so a rotation never invalidates a live token as long as max_active
 * covers the token lifetime. Each key's "kid" is derived from its public
 * key (RFC 7638 thumbprint), so it is the same on every host.
 */
#ifndef KG_AUTH_KEYS_H
#define KG_AUTH_KEYS_H

#include <stdio.h>

#include "auth/jwt.h"
#include "common/err.h"

#define KEYS_MAX_ACTIVE_DEFAULT	3

/* Create dir and its first staged and primary keys when it holds none.
 * Idempotent. Returns 0 or -1. */
int	keys_setup(const char *dir, struct kg_err *err);

/* Rotate as described above, keeping at most max_active keys. */
int	keys_rotate(const char *dir, int max_active, struct kg_err *err);

/* Print one line per key: index, role (staged/primary/secondary), kid. */
int	keys_list(const char *dir, FILE *fp, struct kg_err *err);

/*
 * Load every key of dir into ks (ascending index; the server verifies
 * with all of them) and point *primary at the highest index, the one that
 * signs. Release with keys_free. Returns 0 or -1 (no keys, unreadable or
 * malformed key file).
 */
int	keys_load(const char *dir, struct jwt_keyset *ks, struct jwt_key **primary,
	    struct kg_err *err);

/* Free the keys loaded by keys_load and empty ks. NULL-safe. */
void	keys_free(struct jwt_keyset *ks);

#endif /* KG_AUTH_KEYS_H */
