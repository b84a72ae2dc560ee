/*
 * keyring.h - the signing keys a running server uses, loaded from the key
 * repository (auth/keys.h) and swapped whole on reload (SIGHUP after
 * "keygate keys rotate").
 *
 * A load makes an immutable struct keyring_keys: every key (to verify),
 * the primary (to sign), the public JWKS and an epoch number distinct for
 * each load (validation cache entries name the epoch they were verified
 * with, so a reload turns them into misses). Requests take a reference
 * with keyring_acquire and drop it with keyring_release; a reload never
 * frees a set still in use. Thread-safe.
 */
#ifndef KG_AUTH_KEYRING_H
#define KG_AUTH_KEYRING_H

#include <jansson.h>

#include "auth/jwt.h"
#include "common/err.h"

struct keyring_keys {
	unsigned int	 epoch;		/* distinct per load */
	struct jwt_keyset ks;		/* every loaded key: verification */
	struct jwt_key	*primary;	/* the highest index: signs */
	json_t		*jwks;		/* {"keys": [public JWKs]}, never modified */
	int		 refs;		/* private to keyring.c */
};

struct keyring;

/* Load the keys of dir (which must hold some, see keys_setup). NULL on
 * failure. */
struct keyring	*keyring_open(const char *dir, struct kg_err *err);

/* Release the ring; sets still acquired must have been released. NULL-safe. */
void		 keyring_close(struct keyring *kr);

/* Load dir again and make it current; on failure the old set stays.
 * Returns 0 or -1. */
int		 keyring_reload(struct keyring *kr, struct kg_err *err);

/* The current set, referenced until keyring_release. Never NULL. */
struct keyring_keys *keyring_acquire(struct keyring *kr);
void		 keyring_release(struct keyring *kr, struct keyring_keys *k);

/* A copy of the current JWKS {"keys": [...]} (new reference), or NULL. */
json_t		*keyring_jwks(struct keyring *kr);

#endif /* KG_AUTH_KEYRING_H */
