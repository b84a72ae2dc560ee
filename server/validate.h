/*
 * validate.h - a small JSON Schema engine for request bodies, with the
 * texts Keystone's validator sends (keystone/common/validation in Keystone
 * 22 over python3-jsonschema 4.10's Draft 4 messages).
 *
 * A schema is a static const struct vschema, written with designated
 * initializers; server/bodies.c holds one per request body. The engine
 * knows the keywords Keystone's schemas use: type (a set), properties (in
 * Keystone's order, which is the order errors are found in), required,
 * minProperties, maxProperties, additionalProperties (true, or false),
 * minLength and
 * maxLength (characters, i.e. code points, as Python counts), pattern (the
 * few patterns Keystone uses, as named classes), enum (strings), minimum
 * and maximum (numbers), items, minItems, maxItems, uniqueItems, oneOf.
 *
 * Validation runs in two passes, as a request does in Keystone:
 *
 *   1. the schema, in jsonschema's order (type, then per kind: enum,
 *      minLength, maxLength, pattern / minimum, maximum / items, minItems,
 *      maxItems, uniqueItems / properties, required, minProperties,
 *      maxProperties, additionalProperties; then oneOf); the first error
 *      is reported as
 *        "Invalid input for field '<a/b/0>': <message>"
 *      or the bare message for the validated object itself, where message
 *      is jsonschema's ("'yes' is not of type 'boolean'", "... is too
 *      long", "'name' is a required property", "Additional properties are
 *      not allowed ('x' was unexpected)") with values shown as Python's
 *      repr() shows them;
 *   2. the storage limits, which Keystone's SQL layer checks when it builds
 *      a row (keystone/common/sql/core.py, exception.StringLengthExceeded):
 *      a string longer than its column (characters), or than keygate's
 *      own storage (bytes: names live in 255-byte buffers), or additional
 *      properties ("extra") whose JSON is longer than extra_max, get
 *        "String length exceeded. The length of string '<v>' exceeds the
 *         limit of column <name>(CHAR(<n>))."
 *
 * Differences from Keystone, on purpose: values flagged VF_SECRET are shown
 * as '******' (Keystone echoes passwords); a value is echoed up to
 * VALIDATE_ECHO_MAX bytes and cut with "..." beyond (Keystone echoes all of
 * it); patterns anchored with '$' do not accept a trailing newline
 * (Python's re.search does); a value valid under more than one schema of a
 * oneOf gets "<v> is valid under each of the given schemas" (jsonschema
 * lists the schemas' reprs; keygate's oneOf schemas exclude each other, so
 * this is not reached by the bodies it declares).
 *
 * Pure and thread-safe: no state; errors go to a struct kg_err (400,
 * KG_EBADREQ; 500 only when out of memory).
 */
#ifndef KG_VALIDATE_H
#define KG_VALIDATE_H

#include <jansson.h>
#include <stddef.h>

#include "common/err.h"

/* JSON types a schema admits (JSON Schema "type"); 0 admits any. */
#define VT_NULL		0x01
#define VT_BOOLEAN	0x02
#define VT_INTEGER	0x04
#define VT_NUMBER	0x08	/* integers too */
#define VT_STRING	0x10
#define VT_ARRAY	0x20
#define VT_OBJECT	0x40

/* The patterns Keystone's schemas use (jsonschema's re.search semantics). */
enum vpattern {
	VP_NONE = 0,
	VP_NONBLANK,	/* '[\S]+': at least one non-white-space character */
	VP_ID,		/* '^[a-zA-Z0-9-]+$' (id_string) */
	VP_TAG,		/* '^[^,/]*$' (project tags) */
	VP_URL,		/* '^[a-zA-Z0-9+.-]+:.+' (parameter_types.url) */
	VP_PATH,	/* '^\\/.*' (an access rule's path) */
	VP_METHOD	/* '^(POST|GET|HEAD|PATCH|PUT|DELETE)$' (its method) */
};

/* struct vschema flags. */
#define VF_SECRET	0x01	/* never echo the value in an error */
#define VF_NULL_FIRST	0x02	/* Keystone wrote ['null', ...]: name null
				   first, as its type error does */
#define VF_MINIMUM	0x04	/* numbers: minimum applies */
#define VF_MAXIMUM	0x08	/* numbers: maximum applies */

/* One member of an object schema's properties. */
struct vprop {
	const char		*name;
	const struct vschema	*schema;
};

struct vschema {
	unsigned int		 type;		/* VT_* set; 0: any type */
	unsigned int		 flags;		/* VF_* */
	const char		*title;		/* what it is, for the schema dump */

	/* strings */
	size_t			 min_length;	/* characters */
	size_t			 max_length;	/* characters; 0: no maxLength */
	enum vpattern		 pattern;
	const char *const	*enumv;		/* allowed strings, NULL-ended */

	/* numbers (with VF_MINIMUM, VF_MAXIMUM) */
	long long		 minimum;
	long long		 maximum;

	/* pass 2: storage limits (StringLengthExceeded) */
	size_t			 column;	/* characters; 0: none */
	size_t			 max_bytes;	/* UTF-8 bytes; 0: none */
	const char		*column_name;	/* NULL: the property's name
						   (objects: "extra") */

	/* arrays */
	const struct vschema	*items;
	size_t			 min_items;
	size_t			 max_items;	/* 0: no maxItems */
	int			 unique_items;

	/* objects */
	const struct vprop	*properties;	/* ends with { NULL, NULL } */
	const char *const	*required;	/* NULL-ended */
	size_t			 min_properties;
	size_t			 max_properties;	/* 0: no maxProperties */
	int			 closed;	/* additionalProperties: false */
	size_t			 extra_max;	/* JSON bytes of the additional
						   properties; 0: unbounded */

	/* any type: valid under exactly one of these (NULL-ended); pass 2
	 * then follows the one that matched */
	const struct vschema *const *one_of;
};

/* Longest echo of a value in an error text, in bytes. */
#define VALIDATE_ECHO_MAX	900

/*
 * Check v against s (both passes). Returns 0, or -1 with a 400 in err
 * (its message as described above).
 */
int	 validate(const struct vschema *s, const json_t *v, struct kg_err *err);

/*
 * The two passes on their own: validate_schema is pass 1, with the path of
 * v given as prefix ("" for the validated object itself); validate_storage
 * is pass 2, for a v that passed pass 1.
 */
int	 validate_schema(const struct vschema *s, const json_t *v,
	    const char *prefix, struct kg_err *err);
int	 validate_storage(const struct vschema *s, const json_t *v,
	    struct kg_err *err);

/*
 * v as Python's repr() shows it ('abc', True, None, [1, 'a'], {'a': 1})
 * into out, at most max bytes of it (then "..."). out is always
 * NUL-terminated (outsz > 4).
 */
void	 validate_repr(const json_t *v, char *out, size_t outsz, size_t max);

/* The number of characters (code points) of the UTF-8 string s. */
size_t	 validate_utf8_len(const char *s, size_t n);

/*
 * s as a JSON Schema document (2020-12 keywords: type, properties,
 * required, additionalProperties, minProperties, maxProperties,
 * minLength, maxLength, the pattern as a regular expression, enum,
 * minimum, maximum, items, minItems, maxItems, uniqueItems, oneOf,
 * writeOnly for secrets): pass 1 exactly, so a JSON Schema
 * validator finds the same first error. The storage limits of pass 2 are
 * given as "x-keygate-column", "x-keygate-max-bytes" and
 * "x-keygate-extra-max". New reference, NULL when out of memory.
 */
json_t	*validate_dump(const struct vschema *s);

#endif /* KG_VALIDATE_H */
