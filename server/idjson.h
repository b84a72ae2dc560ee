/*
 * idjson.h - shared by the identity API modules (api_domains.c,
 * api_projects.c, api_users.c, api_groups.c): strict request-body checks
 * with Keystone's JSON-schema style 400 texts, "extra" attribute handling,
 * and the JSON views of domains, projects, users and groups.
 *
 * 400 texts follow keystone/api/validation/validators.py:
 *   "Invalid input for field/attribute <field>. Value: <v>. <reason>"
 * and for a missing attribute "'<field>' is a required property".
 * Secret values (passwords) are never echoed.
 */
#ifndef KG_IDJSON_H
#define KG_IDJSON_H

#include <jansson.h>

#include "server/http.h"
#include "store/identity.h"

#define IDJ_REQUIRED	0x01	/* absent -> 400 */
#define IDJ_NULLABLE	0x02	/* JSON null accepted (reads as absent) */
#define IDJ_NONBLANK	0x04	/* at least one non-space char ([\S]+) */
#define IDJ_IDCHARS	0x08	/* ^[a-zA-Z0-9-]+$ (ids), max 64 */
#define IDJ_SECRET	0x10	/* never echo the value in errors */

#define IDJ_MAX_TAGS	80	/* per project, as Keystone */

/*
 * The object body[key] (e.g. "user"). 400 when the body is missing, has
 * other top-level members, or body[key] is absent or not an object.
 * Borrowed reference.
 */
json_t	*idj_body_object(struct req *r, const char *key, struct kg_err *err);

/* 400 "... {} does not have enough properties" when obj (body[field]) has
 * no member. */
int	 idj_not_empty(json_t *obj, const char *field, struct kg_err *err);

/*
 * obj[field] as a string of at most maxchars characters (UTF-8; 0: no
 * limit) and fewer than STORE_NAME_SIZE bytes when IDJ_NONBLANK is set
 * (names). *out: borrowed, NULL when absent (or null with IDJ_NULLABLE).
 */
int	 idj_string(json_t *obj, const char *field, unsigned int flags,
	    size_t maxchars, const char **out, struct kg_err *err);

/*
 * obj[field] as a Keystone boolean (true/false, or the strings Keystone's
 * schema accepts: "true", "False", "1", "0", "yes", "off", ...). *out is
 * left alone when absent or null. *present (may be NULL) says whether it
 * was given.
 */
int	 idj_bool(json_t *obj, const char *field, int *out, int *present,
	    struct kg_err *err);

/*
 * obj["options"] must be absent, null or an empty object: keygate has no
 * resource options (immutable, ignore_password_expiry, ...) yet.
 */
int	 idj_options(json_t *obj, struct kg_err *err);

/* A project tag: 1..255 characters, no ',' or '/'. */
int	 idj_tag_check(const char *field, const char *tag, struct kg_err *err);

/*
 * v as a tag list (array of unique tags, at most IDJ_MAX_TAGS): *out is a
 * new string array of *n (store_strv_free).
 */
int	 idj_tags(json_t *v, const char *field, char ***out, size_t *n,
	    struct kg_err *err);

/*
 * The members of obj not named in known[] (NULL-terminated) merged over
 * old (JSON object text or NULL): the new "extra" as malloc'd JSON text,
 * or NULL with err (500) on failure.
 */
char	*idj_extra(json_t *obj, const char *const *known, const char *old,
	    struct kg_err *err);

/* Copy s without leading/trailing white space into out (Keystone strips
 * names). */
void	 idj_strip(const char *s, char *out, size_t outsz);

/*
 * Query boolean name: *out = -1 when absent, else 0/1; 400 "Invalid input
 * for query parameters <name>. ..." for anything else.
 */
int	 idj_query_bool(struct req *r, const char *name, int *out,
	    struct kg_err *err);

/* Domain for a new user/group/project without domain_id: the caller's
 * domain when the token is domain-scoped, else the default domain. */
const char *idj_default_domain(struct req *r);

/*
 * Domain filter for a list: a domain-scoped caller only sees its own
 * domain. *dom gets the effective filter (NULL: any); returns 0 when the
 * list is empty by construction (query asked for another domain), 1 to
 * go on.
 */
int	 idj_list_domain(struct req *r, const char **dom);

/* JSON views (new references, NULL when out of memory). */
json_t	*idj_domain(struct req *r, const struct kg_domain *d);
json_t	*idj_domain_as_project(struct req *r, const struct kg_domain *d);
json_t	*idj_project(struct req *r, const struct kg_project *p);
json_t	*idj_user(struct req *r, const struct kg_user *u);
json_t	*idj_group(struct req *r, const struct kg_group *g);

/*
 * r->out = {"<key>": arr, "links": <links>}, stealing arr (NULL: out of
 * memory). Returns 200, or -1 with err.
 */
int	 idj_reply_list(struct req *r, const char *key, json_t *arr,
	    struct kg_err *err);

/* r->out = {"<key>": obj}, stealing obj. Returns status or -1. */
int	 idj_reply_member(struct req *r, const char *key, json_t *obj,
	    int status, struct kg_err *err);

/* 500 "out of memory" (returns -1). */
int	 idj_oom(struct kg_err *err);

#endif /* KG_IDJSON_H */
