/*
 * apijson.h - request-body validation and reply building shared by the
 * API modules (server/api_*.c): strict request-body checks with
 * Keystone's JSON-schema style 400 texts, "extra" attribute handling,
 * the JSON views of domains, projects, users, groups and roles, and the
 * list and member replies.
 *
 * 400 texts follow keystone/api/validation/validators.py:
 *   "Invalid input for field/attribute <field>. Value: <v>. <reason>"
 * and for a missing attribute "'<field>' is a required property". The
 * reason comes in two wordings, both kept as clients see them: the
 * identity APIs (domains, projects, users, groups) say "Expecting a
 * string." and show <v> as JSON (apij_string, apij_bool, ...); the roles
 * and catalog APIs use jsonschema's "<repr> is not of type 'string'" and
 * show <v> as Python's repr() would (apij_bad_input). Secret values
 * (passwords) are never echoed.
 */
#ifndef KG_APIJSON_H
#define KG_APIJSON_H

#include <jansson.h>

#include "server/http.h"
#include "store/assignment.h"
#include "store/identity.h"

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
 * obj[field] as a Keystone boolean (true/false, or the strings Keystone's
 * schema accepts: "true", "False", "1", "0", "yes", "off", ...). *out is
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

/*
 * obj["options"] of a project or a domain: absent, null, or an object
 * whose only member is "immutable", a boolean or null (Keystone's
 * PROJECT_OPTIONS_REGISTRY).
 */
int	 apij_resource_options(json_t *obj, struct kg_err *err);

/*
 * Merge obj["options"] (checked) into the "options" object of *extra
 * (malloc'd JSON text or NULL): each option given is set, a null one
 * unset, as Keystone stores resource options. Returns 0, or -1 (500)
 * with *extra unchanged.
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
 * obj["tags"] (checked as apij_tags) into "tags" of *extra, where domains
 * keep their tags; absent or null: nothing. Returns 0, or -1 with err and
 * *extra unchanged.
 */
int	 apij_set_extra_tags(const json_t *obj, char **extra, struct kg_err *err);

/* The "options" object kept in extra ({} when none); new reference. */
json_t	*apij_options_of(const char *extra);

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

/* Add the members of extra (JSON object text, may be NULL) that o does
 * not have: columns win over extra attributes. */
void	 apij_merge_extra(json_t *o, const char *extra);

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

/* ------------------------------------------------------------------------
 * JSON views and replies.
 * --------------------------------------------------------------------- */

/* JSON views (new references, NULL when out of memory). */
json_t	*apij_domain(struct req *r, const struct kg_domain *d);
json_t	*apij_domain_as_project(struct req *r, const struct kg_domain *d);
json_t	*apij_project(struct req *r, const struct kg_project *p);
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

/* {"roles": [...], "links": apij_query_links} for n roles into r->out.
 * Returns 200, or -1 with err. */
int	 apij_reply_roles(struct req *r, const struct kg_role *v, size_t n,
	    struct kg_err *err);

/* r->out = {"<key>": obj}, stealing obj. Returns status or -1. */
int	 apij_reply_member(struct req *r, const char *key, json_t *obj,
	    int status, struct kg_err *err);

/* 500 "out of memory" (returns -1). */
int	 apij_oom(struct kg_err *err);

#endif /* KG_APIJSON_H */
