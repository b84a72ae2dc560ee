/*
 * views.h - the JSON views of keygate's objects and the reply builders
 * shared by the API modules (server/api_*.c): domains, projects, users,
 * groups and roles as Keystone renders them (extra attributes merged in),
 * collection links, and the {"<key>": ...} member and list replies.
 *
 * Views return new references (NULL when out of memory); reply builders
 * store the body in r->out and return the HTTP status, or -1 with err
 * (500 out of memory). Nothing here validates input: see apijson.h.
 * (The apij_ prefix is kept from the former single apijson module.)
 */
#ifndef KG_VIEWS_H
#define KG_VIEWS_H

#include <jansson.h>

#include "common/jsonw.h"
#include "server/http.h"
#include "store/assignment.h"
#include "store/identity.h"

/* 500 "out of memory" (returns -1). */
int	 apij_oom(struct kg_err *err);

/* Add the members of extra (JSON object text, may be NULL) that o does
 * not have: columns win over extra attributes. */
void	 apij_merge_extra(json_t *o, const char *extra);


/* The resource options kept in extra's "options" ({} when none): a new
 * reference, NULL when out of memory. */
json_t	*apij_options_of(const char *extra);

/* JSON views (new references, NULL when out of memory). */
json_t	*apij_domain(struct req *r, const struct kg_domain *d);
json_t	*apij_domain_as_project(struct req *r, const struct kg_domain *d);
json_t	*apij_project(struct req *r, const struct kg_project *p);

/* The members of a project's view, NULL-terminated: a request's other
 * attributes are kept as "extra", and extra never replaces these. */
extern const char *const apij_project_keys[];
json_t	*apij_user(struct req *r, const struct kg_user *u);
json_t	*apij_group(struct req *r, const struct kg_group *g);

/*
 * A role as Keystone renders it: its extra attributes, then id, name,
 * domain_id (null for a global role), description (null when empty),
 * options and links.self.
 */
json_t	*apij_role(struct req *r, const struct kg_role *role);

/* base + "/v3" + path (path starts with '/') into out. */
void	 apij_url(struct req *r, const char *path, char *out, size_t outsz);

/*
 * Keystone's collection links with the query string: {"next": null,
 * "self": base + path + "?query" (as received), "previous": null}. New
 * reference. (req_links gives the same without the query, its members in
 * another order.)
 */
json_t	*apij_query_links(struct req *r);

/*
 * r->out = {"<key>": arr, "links": links}, stealing arr and links (NULL:
 * out of memory). Returns 200, or -1 with err.
 */
int	 apij_reply_list_links(struct req *r, const char *key, json_t *arr,
	    json_t *links, struct kg_err *err);

/* apij_reply_list_links with req_links(r). */
int	 apij_reply_list(struct req *r, const char *key, json_t *arr,
	    struct kg_err *err);

/*
 * A list reply written as text, item by item (common/jsonw.h), without a
 * jansson tree: for long lists the tree costs several times the SQL
 * (issue 8). apij_list_begin opens {"<key>": [ with the self links of
 * <collection>; apij_list_<type> appends one item, with the same view as
 * the member reply (apij_<type> parses the same text); apij_list_end
 * closes it with links (stolen; NULL: out of memory) and puts the text in
 * r->out_text. Returns 200, or -1 with err (out of memory; the list is
 * freed either way).
 */
#define APIJ_SELF_MAX	700
struct apij_list {
	struct jsonw	w;
	char		self[APIJ_SELF_MAX];	/* "<base>/v3/<collection>/" */
	size_t		n;			/* items so far */
};
void	 apij_list_begin(struct req *r, struct apij_list *l, const char *key,
	    const char *collection);
void	 apij_list_project(struct apij_list *l, const struct kg_project *p);
int	 apij_list_end(struct req *r, struct apij_list *l, json_t *links,
	    struct kg_err *err);
/* apij_list_end, and "truncated": true after the links when truncated
 * (a page that is not the list's last: server/page.h). */
int	 apij_list_end_page(struct req *r, struct apij_list *l, json_t *links,
	    int truncated, struct kg_err *err);

/* {"roles": [...], "links": apij_query_links} for n roles into r->out.
 * Returns 200, or -1 with err. */
int	 apij_reply_roles(struct req *r, const struct kg_role *v, size_t n,
	    struct kg_err *err);

/* r->out = {"<key>": obj}, stealing obj. Returns status or -1. */
int	 apij_reply_member(struct req *r, const char *key, json_t *obj,
	    int status, struct kg_err *err);

#endif /* KG_VIEWS_H */
