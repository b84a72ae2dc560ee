/*
 * bodies.h - every request body keygate accepts, declared once: one schema
 * per resource (mirroring Keystone 22's keystone/{identity,resource,
 * assignment,catalog,auth,application_credential,limit,policy}/schema.py,
 * with the storage limits of its SQL columns and keygate's own where
 * Keystone has none; domain configuration, which Keystone checks without a
 * schema, has keygate's), and the table that maps a route (method +
 * pattern, as in the route tables) to its schema. Form bodies (OS-OAUTH2,
 * R_FORM routes) are not JSON and have no entry: their handlers read them.
 *
 * server/http.c checks a request against its route's entry (through
 * request_validate in server/apijson.c) after authentication and before the
 * handler runs, so a handler only ever sees a body of the right shape: the
 * member (e.g. "user") is an object with the types, lengths and patterns
 * of its schema. A route without an entry takes no body (one sent is
 * ignored, as Keystone does).
 *
 * A body is {"<member>": <value>}: other top-level members are refused
 * (keygate; Keystone ignores them). The value is checked as Keystone checks
 * request_body_json.get(member, {}) (or get(member), for the catalog), so
 * error paths start inside the member, as Keystone's do.
 *
 * The limits (README "Security") are BODY_TEXT_MAX characters for
 * descriptions and other text Keystone keeps in TEXT columns, and
 * BODY_EXTRA_MAX bytes of JSON for the attributes without a column
 * ("extra"); names are also limited to BODY_NAME_BYTES bytes of UTF-8,
 * ids (region ids too) to BODY_ID_BYTES.
 */
#ifndef KG_BODIES_H
#define KG_BODIES_H

#include <jansson.h>

#include "common/err.h"
#include "server/validate.h"

#define BODY_TEXT_MAX	65535	/* MySQL TEXT, Keystone's Text() columns */
#define BODY_EXTRA_MAX	65535	/* JSON of the extra attributes */
#define BODY_NAME_BYTES	255	/* keygate's name buffers (STORE_NAME_SIZE) */
#define BODY_ID_BYTES	64	/* keygate's id buffers (STORE_ID_SIZE) */
#define BODY_TOKEN_MAX	65536	/* a token in a body: as big as a header can be */

struct body {
	const char		*method;
	const char		*route;		/* "/v3/users/{}" */
	const char		*member;	/* the body is {member: value} */
	int			 absent_null;	/* member absent: check null, not {} */
	const struct vschema	*schema;	/* of the value */
	const char		*name;		/* Keystone's name for it: "user_create" */
	/* rules Keystone states next to its schema (run after pass 1) */
	int			(*check)(const json_t *value, struct kg_err *err);
};

/* The entry of a route, or NULL when the route takes no body. */
const struct body	*bodies_find(const char *method, const char *route);

/* The whole table, *n entries. */
const struct body	*bodies_table(size_t *n);

/*
 * Check a request body (the parsed JSON object, NULL when there was none)
 * against b. Returns 0, or -1 with a 400 (Keystone's text) in err.
 */
int	 bodies_validate(const struct body *b, const json_t *body,
	    struct kg_err *err);

/*
 * A project tag given in a URL (PUT /v3/projects/{id}/tags/{tag}), and the
 * project's tags with it, against Keystone's project_tag_create and
 * project_tags_update schemas: 0, or -1 with the 400.
 */
int	 bodies_check_tag(const json_t *tag, struct kg_err *err);
int	 bodies_check_tags(const json_t *tags, struct kg_err *err);

/* A string value (from a URL path) for column of max bytes: 0, or -1 with
 * Keystone's StringLengthExceeded 400. */
int	 bodies_check_bytes(const char *column, const json_t *v, size_t max,
	    struct kg_err *err);

/*
 * {"<METHOD> <route>": <JSON Schema of the whole body>, ...} for every
 * entry (`keygate schemas`; the API description test compares it with
 * api-docs/openapi.yaml). New reference, NULL when out of memory.
 */
json_t	*bodies_dump(void);

#endif /* KG_BODIES_H */
