/*
 * page.h - Keystone's pagination of lists (2025.1: keystone/server/flask/
 * common.py build_driver_hints and wrap_collection, common/driver_hints.py):
 * ?limit= and ?marker= in, "links.next" and "truncated" out.
 *
 * The page size is the request's limit, else the list's section
 * list_limit ([resource], [identity], [role], [catalog]), else [DEFAULT]
 * list_limit, else [DEFAULT] max_db_limit; never more than max_db_limit.
 * The store reads the page from an index (struct kg_page, store/store.h),
 * one row beyond it to know whether the list goes on: "truncated": true and
 * links.next (this request's URL with marker = the page's last id and limit
 * = the page size) only when it does. Keystone sets them whenever a page is
 * full, and says nothing when max_db_limit cut an unlimited list.
 */
#ifndef KG_PAGE_H
#define KG_PAGE_H

#include <jansson.h>

#include "server/http.h"
#include "server/views.h"
#include "store/store.h"

/* Which section's list_limit sizes a list's pages. */
enum page_kind {
	PAGE_RESOURCE,		/* projects, domains */
	PAGE_IDENTITY,		/* users, groups */
	PAGE_ROLE,		/* roles */
	PAGE_CATALOG		/* regions, services, endpoints */
};

/*
 * The page the request asks for into *pg: marker from ?marker (absent or
 * empty: the first page), limit as above. 400 "Invalid input for query
 * parameters limit. ..." when ?limit is not a positive integer (empty:
 * as if absent, as Keystone). Returns 0, or -1 with err.
 */
int	page_from_request(struct req *r, enum page_kind kind, struct kg_page *pg,
	    struct kg_err *err);

/*
 * Add the page's links.next (when pg->more: last_id is the id of the
 * page's last row) to links, and r->out = {"<key>": arr, "links": links,
 * "truncated": true (when pg->more)}, stealing arr and links (NULL: out of
 * memory). Returns 200, or -1 with err.
 */
int	page_reply(struct req *r, const char *key, json_t *arr, json_t *links,
	    const struct kg_page *pg, const char *last_id, struct kg_err *err);

/*
 * page_reply for a list written as text (server/views.h apij_list): adds
 * links.next to links as page_reply does and ends l with them and
 * "truncated" (links stolen; NULL: out of memory). Returns 200, or -1
 * with err.
 */
int	page_list_end(struct req *r, struct apij_list *l, json_t *links,
	    const struct kg_page *pg, const char *last_id, struct kg_err *err);

#endif /* KG_PAGE_H */
