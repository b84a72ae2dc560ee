/*
 * catcache.h - the service catalog as tokens show it, as JSON text, kept
 * for the store revision it was read at:
 *   [{"endpoints": [{id, interface, region_id, url, region}], "id", "type",
 *     "name"}, ...]
 * Built once per revision (the catalog changes rarely; every token reply
 * with a catalog needs it). Thread-safe (one mutex).
 *
 * OS-EP-FILTER, as Keystone's get_v3_catalog: a project associated with
 * endpoints (directly or through endpoint groups) sees only those, and
 * only the services that keep one; every other scoped token sees the whole
 * catalog, or none when return_all is off ([endpoint_filter]
 * return_all_endpoints_if_no_filter). While no project has an association
 * (the revision says so) every reply is the cached text; a filtered
 * project's catalog is read for its reply.
 */
#ifndef KG_AUTH_CATCACHE_H
#define KG_AUTH_CATCACHE_H

#include <stdint.h>

#include "common/err.h"

struct store;
struct catcache;

/* NULL when out of memory. */
struct catcache	*catcache_new(int return_all);
void		 catcache_free(struct catcache *c);	/* NULL-safe */

/*
 * Call fn(text, arg) with the catalog at revision rev of a token scoped to
 * project_id (NULL: a domain or system token): the cached text (under the
 * cache's lock, so fn must be quick and must not call back into the
 * cache), or, when the cache holds another revision, the catalog read from
 * st in one snapshot (then cached at that snapshot's revision, which may
 * be newer than rev); a filtered project's own catalog is read in one
 * snapshot and not cached. Returns 0, or -1 with err (fn not called).
 */
int	catcache_with(struct catcache *c, struct store *st, int64_t rev,
	    const char *project_id, void (*fn)(const char *text, void *arg),
	    void *arg, struct kg_err *err);

#endif /* KG_AUTH_CATCACHE_H */
