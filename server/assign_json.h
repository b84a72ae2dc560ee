/*
 * assign_json.h - helpers shared by the roles and assignments APIs
 * (server/api_roles.c, server/api_assignments.c): Keystone's role JSON,
 * collection links with the query string, and jsonschema-style 400 texts.
 */
#ifndef KG_ASSIGN_JSON_H
#define KG_ASSIGN_JSON_H

#include <jansson.h>

#include "server/http.h"
#include "store/assignment.h"

/*
 * A role as Keystone renders it: its extra attributes, then id, name,
 * domain_id (null for a global role), description (null when empty),
 * options and links.self. New reference, or NULL when out of memory.
 */
json_t	*assign_role_json(struct req *r, const struct kg_role *role);

/* {"roles": [...], "links": ...} for an array of roles into r->out.
 * Returns 200, or -1 with err. */
int	 assign_reply_roles(struct req *r, const struct kg_role *v, size_t n,
	    struct kg_err *err);

/*
 * Keystone's collection links: {"next": null, "self": base + path +
 * "?query" (as received), "previous": null}. New reference.
 */
json_t	*assign_links(struct req *r);

/* base + "/v3" + path (path starts with '/') into out. */
void	 assign_url(struct req *r, const char *path, char *out, size_t outsz);

/*
 * Keystone's schema error: "Invalid input for field/attribute <attr>.
 * Value: <v>. <why>" where why has one %s receiving repr(v). Returns -1.
 */
int	 assign_bad_input(struct kg_err *err, const char *attr, const json_t *v,
	    const char *why);

/* Query flag as Keystone's query_filter_is_true: present and not "0". */
int	 assign_query_true(struct req *r, const char *name);

#endif /* KG_ASSIGN_JSON_H */
