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
 * limits above, and the body against the schema of r's route (bodies.h;
 * routes without one take no body and ignore what is sent). Returns 0, or
 * -1 with a 400 in err.
 */
int	 request_validate(struct req *r, struct kg_err *err);

/* ------------------------------------------------------------------------
 * Request bodies.
 * --------------------------------------------------------------------- */

/* apij_body_object flags. */
#define APIJ_BODY_OPEN		0x100	/* other top-level members allowed */
#define APIJ_BODY_NONEMPTY	0x200	/* {} -> 400 "... does not have enough
					   properties" */
#define APIJ_BODY_REPR		0x400	/* not an object: "<repr> is not of type
					   'object'" (else "Expecting an
					   object.") */

/*
 * The object body[key] (e.g. "user"). 400 when the body is missing,
 * body[key] is absent or not an object, the body has other top-level
 * members (unless APIJ_BODY_OPEN) or body[key] is empty (with
 * APIJ_BODY_NONEMPTY). Borrowed reference, or NULL with err.
 */
json_t	*apij_body_object(struct req *r, const char *key, unsigned int flags,
	    struct kg_err *err);

/*
 * 400 "Invalid input for field/attribute <attr>. Value: <v>. <why>" where
 * v is rendered as Python's str() and why is a format whose one %s
 * receives repr(v) (jsonschema's messages). Returns -1.
 */
int	 apij_bad_input(struct kg_err *err, const char *attr, const json_t *v,
	    const char *why);

/* 400 "'<field>' is a required property". Returns -1. */
int	 apij_required(struct kg_err *err, const char *field);

/*
 * 400 "Additional properties are not allowed ('<key>' was unexpected)",
 * after "Invalid input for field/attribute <field>. " unless field is
 * NULL (the top level of the body). Returns -1.
 */
int	 apij_unexpected(struct kg_err *err, const char *field, const char *key);

/* 400 (apij_bad_input on member) "'<name>' is a required property" when
 * obj has no name; else 0. */
int	 apij_require(const json_t *obj, const char *member, const char *name,
	    struct kg_err *err);

/* Keystone's _require_matching_id: obj["id"], when present and not null,
 * must be id, else 400 "Cannot change ID". */
int	 apij_matching_id(const json_t *obj, const char *id,
	    struct kg_err *err);

/* Flags of apij_string (identity wording) and struct apij_field. */
#define APIJ_REQUIRED	0x01	/* absent -> 400 */
#define APIJ_NULLABLE	0x02	/* JSON null accepted (reads as absent) */
#define APIJ_NONBLANK	0x04	/* at least one non-space char ([\S]+) */
#define APIJ_IDCHARS	0x08	/* ^[a-zA-Z0-9-]+$ (ids), max 64 */
#define APIJ_SECRET	0x10	/* never echo the value in errors */

#define APIJ_MAX_TAGS	80	/* per project, as Keystone */

/* One attribute of a body object, for apij_check_fields. */
struct apij_field {
	const char	*name;
	enum {
		APIJ_F_STR,		/* string */
		APIJ_F_STRN,		/* string or null */
		APIJ_F_BOOL		/* boolean */
	}		 type;
	size_t		 minlen, maxlen; /* strings, bytes; maxlen 0 = unlimited */
	unsigned int	 flags;		/* strings: APIJ_NONBLANK, APIJ_IDCHARS */
};

/*
 * Check the type, length and pattern of every field of f[n] present in
 * obj, in order, with jsonschema's texts (apij_bad_input): "<repr> is not
 * of type 'string'", "... is too short", "... is too long", "... does not
 * match '<pattern>'". Returns 0, or -1 with err.
 */
int	 apij_check_fields(const json_t *obj, const struct apij_field *f,
	    size_t n, struct kg_err *err);

/*
 * obj[field] as a string of at most maxchars characters (UTF-8; 0: no
 * limit) and fewer than STORE_NAME_SIZE bytes when APIJ_NONBLANK is set
 * (names). *out: borrowed, NULL when absent (or null with APIJ_NULLABLE).
 */
int	 apij_string(json_t *obj, const char *field, unsigned int flags,
	    size_t maxchars, const char **out, struct kg_err *err);

/*
 * obj[field] as a JSON boolean (true/false only: the strings "false",
 * "yes", ... are refused, as Keystone's schema refuses them). *out is
 * left alone when absent or null. *present (may be NULL) says whether it
 * was given.
 */
int	 apij_bool(json_t *obj, const char *field, int *out, int *present,
	    struct kg_err *err);

/*
 * obj["options"] must be absent, null or an empty object: keygate has no
 * resource options (immutable, ignore_password_expiry, ...) yet.
 */
int	 apij_options(json_t *obj, struct kg_err *err);

/* A project tag: 1..255 characters, no ',' or '/'. */
int	 apij_tag_check(const char *field, const char *tag, struct kg_err *err);

/*
 * v as a tag list (array of unique tags, at most APIJ_MAX_TAGS): *out is a
 * new string array of *n (store_strv_free).
 */
int	 apij_tags(json_t *v, const char *field, char ***out, size_t *n,
	    struct kg_err *err);

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
