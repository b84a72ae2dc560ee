/*
 * listcache.h - rendered list replies kept on a store revision, so that a
 * repeated GET /v3/projects costs a revision read and a copy instead of
 * the SQL and the text (issue 8: 100 projects at >= 1/3 of GET /v3's
 * rate). Keystone has no such cache: it renders every list.
 *
 * An entry is a body for a key (what selects the list: the request's base
 * URL, path and query, and what the caller's scope restricts) at a
 * revision (store_projects_revision, read before the list was). A lookup
 * at another revision misses; the caller renders and puts the new body.
 * So a body is never served after its list changed, whatever process or
 * replica changed it: the revision is the database's.
 *
 * Bounded: LISTCACHE_ENTRIES entries and max_bytes of bodies in all, the
 * least recently used evicted first; a body larger than max_bytes / 4 is
 * not kept. Thread-safe (one mutex, held for a scan of the entries and a
 * copy). Memory: the bodies, owned here; get returns a copy.
 */
#ifndef KG_LISTCACHE_H
#define KG_LISTCACHE_H

#include <stddef.h>
#include <stdint.h>

#define LISTCACHE_ENTRIES	32
#define LISTCACHE_KEY_MAX	2048	/* longer keys are not cached */

struct listcache;

/* NULL when out of memory. max_bytes 0: a cache that keeps nothing. */
struct listcache *listcache_new(size_t max_bytes);
void		  listcache_free(struct listcache *c);

/* A malloc'd copy of the body kept for key at rev, or NULL (a miss, or
 * out of memory). */
char		*listcache_get(struct listcache *c, const char *key, int64_t rev);

/* Keep a copy of body for key at rev (replacing what key had). Silently
 * keeps nothing when the body or key is too large or memory is short. */
void		 listcache_put(struct listcache *c, const char *key, int64_t rev,
		    const char *body);

#endif /* KG_LISTCACHE_H */
