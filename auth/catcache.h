/*
 * catcache.h - the service catalog as tokens show it, as JSON text, kept
 * for the store revision it was read at:
 *   [{"endpoints": [{id, interface, region_id, url, region}], "id", "type",
 *     "name"}, ...]
 * Built once per revision (the catalog changes rarely; every token reply
 * with a catalog needs it). Thread-safe (one mutex).
 */
#ifndef KG_AUTH_CATCACHE_H
#define KG_AUTH_CATCACHE_H

#include <stdint.h>

#include "common/err.h"

struct store;
struct catcache;

/* NULL when out of memory. */
struct catcache	*catcache_new(void);
void		 catcache_free(struct catcache *c);	/* NULL-safe */

/*
 * Call fn(text, arg) with the catalog at revision rev: the cached text
 * (under the cache's lock, so fn must be quick and must not call back
 * into the cache), or, when the cache holds another revision, the catalog
 * read from st in one snapshot (then cached at that snapshot's revision,
 * which may be newer than rev). Returns 0, or -1 with err (fn not called).
 */
int	catcache_with(struct catcache *c, struct store *st, int64_t rev,
	    void (*fn)(const char *text, void *arg), void *arg, struct kg_err *err);

#endif /* KG_AUTH_CATCACHE_H */
