/*
 * apijson.h - the request side shared by the API modules (server/api_*.c):
 * request_validate, which server/http.c runs before every handler (the
 * body against its route's schema in server/bodies.c, the query against
 * its limits), and the few helpers handlers still need on a validated
 * body: the member object, "extra" attributes, tags, query parameters and
 * the caller's domain. The JSON views and replies are in server/views.h.
 *
 * 400 texts are Keystone 22's (see server/validate.h):
 *   "Invalid input for field '<path>': <jsonschema message>"
 * or the bare message for the member object itself, e.g. "'name' is a
 * required property". Secret values (passwords, tokens) are never echoed.
 */
#ifndef KG_APIJSON_H
#define KG_APIJSON_H

#include <jansson.h>

#include "server/http.h"
#include "store/assignment.h"
#include "store/identity.h"

/* Query parameters: longer keys or values get a 400 (README "Security"). */
#define APIJ_QUERY_KEY_MAX	255	/* bytes */
#define APIJ_QUERY_VALUE_MAX	4096	/* bytes */

/*
 * Check r before its handler runs: every query key and value within the
 * limits above (else -1 with a 400 in err), and the body against the
 * schema of r's route (bodies.h; routes without one take no body and
 * ignore what is sent). A body error is held in r->body_err for the
 * handler, which meets it at apij_body (after authorizing, as Keystone's
 * handlers validate after enforcing policy); http.c refuses a handler's
 * success when it never read the body. Returns 0, or -1 with err.
 */
int	 request_validate(struct req *r, struct kg_err *err);

/* ------------------------------------------------------------------------
 * A validated body. request_validate has checked the types, lengths and
 * patterns of every member the route's schema lists, so these only read.
 * --------------------------------------------------------------------- */

#define APIJ_MAX_TAGS	80	/* per project, as Keystone */

/*
 * The request body as validated: borrowed (NULL when there was none), or
 * NULL with the held 400 when it failed its schema. Call it after
 * authorizing; only then does the body's error reach the client.
 */
json_t	*apij_body(struct req *r, struct kg_err *err);

/*
 * The object body[key] (e.g. "user") of apij_body: borrowed, or NULL with
 * a 400 (the held one, or: missing or not an object).
 */
json_t	*apij_body_object(struct req *r, const char *key, struct kg_err *err);

/*
 * body[key] of apij_body as Keystone reads it, body.get(key, {}): for
 * routes whose schema admits an absent member. A new reference (an empty
 * object when absent), or NULL with the held 400 or a 500.
 */
json_t	*apij_body_member(struct req *r, const char *key, struct kg_err *err);

/* obj[key] as a string: borrowed, NULL when absent, null or no string. */
const char *apij_str(const json_t *obj, const char *key);

/* *out = obj[key] when it is a JSON boolean (left alone otherwise).
 * Returns 1 when it was, else 0. */
int	 apij_set_bool(const json_t *obj, const char *key, int *out);

/*
 * Keystone's _require_matching_id: obj[key], when present and not null,
 * must be id, else 400 with text (e.g. "Cannot change ID").
 */
int	 apij_matching_id(const json_t *obj, const char *id, struct kg_err *err);
int	 apij_matching(const json_t *obj, const char *key, const char *id,
	    const char *text, struct kg_err *err);

/*
 * A project tag from a URL path: what Keystone's project_tag_create schema
 * allows (1..255 characters, no ',' or '/', UTF-8), with its 400 text.
 */
int	 apij_tag_check(const char *tag, struct kg_err *err);

/*
 * The validated tag list v as a new string array of *n, white space
 * stripped as Keystone stores them (free with store_strv_free). 400 when
 * two tags are the same once stripped.
 */
int	 apij_tags(const json_t *v, char ***out, size_t *n, struct kg_err *err);

/*
 * Merge obj["options"] (validated: Keystone's resource options schema)
 * into the "options" object of *extra (malloc'd JSON text or NULL): each
 * option given is set, a null one unset, as Keystone stores resource
 * options. Returns 0, or -1 (500) with *extra unchanged.
 */
int	 apij_set_options(const json_t *obj, char **extra, struct kg_err *err);

/*
 * Keystone's check_immutable_update on the object as stored (its extra)
 * and the PATCH member m: an immutable <type> only takes m =
 * {"options": {"immutable": false or null}}; anything else is 403
 * (svc_immutable_update). Returns 0 or -1.
 */
int	 apij_immutable_edit(const char *extra, const json_t *m,
	    const char *type, const char *id, struct kg_err *err);

/*
 * obj["tags"] (validated; stripped and checked as apij_tags) into "tags"
 * of *extra, where domains keep their tags; absent or null: nothing.
 * Returns 0, or -1 with err and *extra unchanged.
 */
int	 apij_set_extra_tags(const json_t *obj, char **extra, struct kg_err *err);

/*
 * The members of obj not named in known[] (NULL-terminated) merged over
 * old (JSON object text or NULL): the new "extra" as malloc'd JSON text,
 * or NULL with err (500) on failure.
 */
char	*apij_extra(const json_t *obj, const char *const *known,
	    const char *old, struct kg_err *err);

/* *extra (malloc'd JSON text or NULL) becomes apij_extra(obj, known,
 * *extra). Returns 0, or -1 with err and *extra unchanged. */
int	 apij_set_extra(const json_t *obj, const char *const *known,
	    char **extra, struct kg_err *err);

/*
 * A text attribute as PATCH and create treat it: obj[key] a string
 * replaces *dst (malloc'd or NULL), null makes it "", absent leaves it.
 * Returns 0, or -1 (500) with *dst unchanged.
 */
int	 apij_set_text(const json_t *obj, const char *key, char **dst,
	    struct kg_err *err);

/* Copy s without leading/trailing white space into out (Keystone strips
 * names). */
void	 apij_strip(const char *s, char *out, size_t outsz);

/*
 * A value taken from the URL path (which no schema sees) for a column of
 * max bytes: 0, or -1 with a 400 when it is not UTF-8 or too long
 * (Keystone's StringLengthExceeded text, as for a body).
 */
int	 apij_path_value(const char *column, const char *v, size_t max,
	    struct kg_err *err);

/*
 * 400 "Invalid input for field '<field>': <repr(v)><why>" (Keystone's
 * schema text), e.g. why " is too long". Returns -1.
 */
int	 apij_bad_input(struct kg_err *err, const char *field, const json_t *v,
	    const char *why);

/* ------------------------------------------------------------------------
 * Query parameters and the caller's domain.
 * --------------------------------------------------------------------- */

/*
 * Query boolean name: *out = -1 when absent, else 0/1; 400 "Invalid input
 * for query parameters <name>. ..." for anything else.
 */
int	 apij_query_bool(struct req *r, const char *name, int *out,
	    struct kg_err *err);

/*
 * Keystone's inexact name filters of the query (?name__contains=,
 * __icontains, __startswith, __istartswith, __endswith, __iendswith) into
 * m; absent ones are NULL. The strings are the request's.
 */
void	 apij_name_match(struct req *r, struct kg_name_match *m);

/* Query flag as Keystone's query_filter_is_true: present and not "0". */
int	 apij_query_true(struct req *r, const char *name);

/*
 * Keystone's order for a rule on an object that may not exist. lookup is
 * the error of the object's look-up (kind KG_OK: found): a failure other
 * than KG_ENOTFOUND is returned at once; then rule is checked on t (built
 * from what was found); then a missing object is reported. A caller the
 * rule refuses so learns nothing about existence. Returns 0 (found and
 * allowed), or -1 with err.
 */
int	 apij_authorize_lookup(struct req *r, const char *rule,
	    const struct policy_target *t, const struct kg_err *lookup,
	    struct kg_err *err);

/* Domain for a new user/group/project without domain_id: the caller's
 * domain when the token is domain-scoped, else the default domain. */
const char *apij_default_domain(struct req *r);

/*
 * Domain filter for a list: a domain-scoped caller only sees its own
 * domain. *dom gets the effective filter (NULL: any); returns 0 when the
 * list is empty by construction (query asked for another domain), 1 to
 * go on.
 */
int	 apij_list_domain(struct req *r, const char **dom);

#endif /* KG_APIJSON_H */
