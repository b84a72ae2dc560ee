/*
 * scache.h - the state cache: a loaded subject (auth/subject.h, without
 * the password hash) for a request key at one store revision. It spares
 * the token method and validation misses their look-ups (the effective
 * roles query above all) when the same user scopes to the same target
 * again at the same revision.
 *
 * The key is a digest of the request's canonical parts
 * (kg_sha256_strv); the caller chooses the parts, and must only put a
 * subject loaded in a snapshot at exactly that revision. Direct-mapped,
 * SCACHE_SLOTS entries. Thread-safe (one mutex).
 */
#ifndef KG_AUTH_SCACHE_H
#define KG_AUTH_SCACHE_H

#include <stdint.h>

#include "auth/subject.h"

#define SCACHE_SLOTS	256

struct scache;

/* NULL when out of memory; every function accepts a NULL cache (a miss). */
struct scache	*scache_new(void);
void		 scache_free(struct scache *c);

/* Copy the subject cached for key at rev into *out (roles owned by out).
 * 1 on a hit, else 0. */
int	scache_get(struct scache *c, int64_t rev, const unsigned char key[32],
	    struct subject *out);

/* Remember a copy of s (loaded at exactly rev) for key. */
void	scache_put(struct scache *c, int64_t rev, const unsigned char key[32],
	    const struct subject *s);

/* Drop every entry. */
void	scache_clear(struct scache *c);

#endif /* KG_AUTH_SCACHE_H */
