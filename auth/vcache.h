/*
 * vcache.h - the validation cache: validated tokens by SHA-256 (never the
 * token itself), each with the caller context and the token object as
 * JSON text (a parsed tree costs ~4x the memory).
 *
 * A bounded table (4-way buckets, least recently used evicted). An entry
 * answers only a look-up at the same store revision, key-set epoch and
 * before the token's expiry: any change to what validation reads bumps
 * the revision, so the next request checks again. Entries found stale are
 * dropped. Thread-safe (one mutex).
 */
#ifndef KG_AUTH_VCACHE_H
#define KG_AUTH_VCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "auth/ctx.h"

struct vcache;

/* A cache of about entries tokens; NULL when entries is 0 (no cache) or
 * out of memory. Every function below accepts a NULL cache (a miss). */
struct vcache	*vcache_new(size_t entries);
void		 vcache_free(struct vcache *c);

/*
 * Look h up at revision rev, key-set epoch and time now (µs). On a hit
 * copy the context into *ctx and, when body is not NULL, the token object
 * text into *body (malloc'd) and return 1; else 0 (a copy that runs out
 * of memory is a miss).
 */
int	vcache_get(struct vcache *c, const unsigned char h[32], int64_t rev,
	    unsigned int epoch, int64_t now, struct kg_ctx *ctx, char **body);

/* Remember (ctx, body) for h, checked at rev with epoch; the entry lives
 * until ctx->expires_at. Copies both. */
void	vcache_put(struct vcache *c, const unsigned char h[32], int64_t rev,
	    unsigned int epoch, const struct kg_ctx *ctx, const char *body);

/* Drop every entry. */
void	vcache_clear(struct vcache *c);

/* Hits and misses since creation. */
void	vcache_stats(struct vcache *c, unsigned long *hits, unsigned long *misses);

#endif /* KG_AUTH_VCACHE_H */
