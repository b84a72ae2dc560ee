/*
 * validate.c - the request-body schema engine (see validate.h).
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "server/validate.h"

/* ------------------------------------------------------------------------
 * A bounded text buffer: appends past its end are dropped, and the text is
 * then cut at a character boundary and ends with "...".
 * --------------------------------------------------------------------- */

struct sbuf {
	char	*s;
	size_t	 len, cap;	/* cap: bytes usable, the NUL excluded */
	int	 full;
};

static void
sb_init(struct sbuf *b, char *out, size_t outsz, size_t max)
{
	b->s = out;
	b->len = 0;
	b->cap = outsz - 1 < max ? outsz - 1 : max;
	b->full = 0;
	out[0] = '\0';
}

static void
sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->full)
		return;
	if (n > b->cap - b->len) {
		n = b->cap - b->len;
		b->full = 1;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
sb_str(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static void
sb_fmt(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sb_fmt(struct sbuf *b, const char *fmt, ...)
{
	char	tmp[64];
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		sb_add(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* After a cut: drop a partial UTF-8 sequence and end with "..." (the
 * buffer behind b->s has room: sb_init kept 4 bytes when it could). */
static void
sb_finish(struct sbuf *b, size_t outsz)
{
	size_t	n;

	if (!b->full)
		return;
	n = kg_utf8_cut(b->s, b->len);	/* drop a cut character */
	if (n + 4 > outsz)
		n = outsz > 4 ? outsz - 4 : 0;
	memcpy(b->s + n, "...", 4);
	b->len = n + 3;
}

/* ------------------------------------------------------------------------
 * UTF-8 and Python's repr().
 * --------------------------------------------------------------------- */

/* Decode the (valid: jansson checked it) UTF-8 character at s; returns
 * its length in bytes. */
static size_t
utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (s[0] < 0x80 || n < 2) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		*cp = (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
		return 2;
	}
	if ((s[0] & 0xf0) == 0xe0 && n >= 3) {
		*cp = (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 |
		    (s[2] & 0x3f);
		return 3;
	}
	if (n >= 4) {
		*cp = (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
		    (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
		return 4;
	}
	*cp = s[0];
	return 1;
}

size_t
validate_utf8_len(const char *s, size_t n)
{
	size_t	i, chars = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			chars++;
	return chars;
}

/* Python's str.isspace(), which is what '\S' of a str pattern negates. */
static int
py_isspace(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) ||
	    c == 0x85 || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
	    c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

/*
 * Not str.isprintable(): Python's repr() escapes these. The control,
 * separator, format and private-use characters (Cc, Zs but ' ', Zl, Zp,
 * Cf, Co); unassigned code points are not listed.
 */
static int
py_unprintable(uint32_t c)
{
	static const struct { uint32_t lo, hi; } r[] = {
		{ 0x00, 0x1f }, { 0x7f, 0xa0 }, { 0xad, 0xad }, { 0x600, 0x605 },
		{ 0x61c, 0x61c }, { 0x6dd, 0x6dd }, { 0x70f, 0x70f },
		{ 0x8e2, 0x8e2 }, { 0x1680, 0x1680 }, { 0x180e, 0x180e },
		{ 0x2000, 0x200f }, { 0x2028, 0x202f }, { 0x205f, 0x2064 },
		{ 0x2066, 0x206f }, { 0x3000, 0x3000 }, { 0xd800, 0xf8ff },
		{ 0xfeff, 0xfeff }, { 0xfff9, 0xfffb }, { 0x110bd, 0x110bd },
		{ 0x1d173, 0x1d17a }, { 0xe0001, 0xe0001 }, { 0xe0020, 0xe007f },
		{ 0xf0000, 0x10ffff },
	};
	size_t	i;

	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		if (c >= r[i].lo && c <= r[i].hi)
			return 1;
	return 0;
}

/* A Python str literal for s[n]: quotes, escapes, as repr() writes it. */
static void
repr_str(struct sbuf *b, const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	char			 q = '\'';
	size_t			 i, k;
	uint32_t		 c;

	if (memchr(s, '\'', n) != NULL && memchr(s, '"', n) == NULL)
		q = '"';
	sb_add(b, &q, 1);
	for (i = 0; i < n && !b->full; i += k) {
		k = utf8_next(p + i, n - i, &c);
		if (c == (uint32_t)q || c == '\\') {
			sb_add(b, "\\", 1);
			sb_add(b, s + i, 1);
		} else if (c == '\n')
			sb_str(b, "\\n");
		else if (c == '\r')
			sb_str(b, "\\r");
		else if (c == '\t')
			sb_str(b, "\\t");
		else if (py_unprintable(c))
			sb_fmt(b, c < 0x100 ? "\\x%02x" : c < 0x10000 ? "\\u%04x" :
			    "\\U%08x", (unsigned int)c);
		else
			sb_add(b, s + i, k);
	}
	sb_add(b, &q, 1);
}

/* Python's repr() of a float: the shortest string that reads back. */
static void
repr_float(struct sbuf *b, double d)
{
	char	tmp[40], digits[24], out[48];
	int	p, exp, nd, i, o = 0;
	char	*e;

	if (isnan(d) || isinf(d)) {
		sb_str(b, isnan(d) ? "nan" : d < 0 ? "-inf" : "inf");
		return;
	}
	for (p = 1; p <= 17; p++) {
		snprintf(tmp, sizeof(tmp), "%.*e", p - 1, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	/* tmp: [-]D[.DDD]e[+-]XX */
	e = strchr(tmp, 'e');
	exp = e ? atoi(e + 1) : 0;
	nd = 0;
	for (i = tmp[0] == '-' ? 1 : 0; tmp + i < e && nd < 20; i++)
		if (tmp[i] >= '0' && tmp[i] <= '9')
			digits[nd++] = tmp[i];
	if (nd == 0)
		digits[nd++] = '0';
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (tmp[0] == '-')
		out[o++] = '-';
	if (exp < -4 || exp >= 16) {
		out[o++] = digits[0];
		if (nd > 1) {
			out[o++] = '.';
			for (i = 1; i < nd; i++)
				out[o++] = digits[i];
		}
		snprintf(out + o, sizeof(out) - (size_t)o, "e%c%02d",
		    exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
	} else if (exp < 0) {
		out[o++] = '0';
		out[o++] = '.';
		for (i = 0; i < -exp - 1; i++)
			out[o++] = '0';
		for (i = 0; i < nd; i++)
			out[o++] = digits[i];
		out[o] = '\0';
	} else {
		for (i = 0; i <= exp; i++)
			out[o++] = i < nd ? digits[i] : '0';
		out[o++] = '.';
		if (nd > exp + 1)
			for (i = exp + 1; i < nd; i++)
				out[o++] = digits[i];
		else
			out[o++] = '0';
		out[o] = '\0';
	}
	sb_str(b, out);
}

static void
repr_any(struct sbuf *b, const json_t *v, int depth)
{
	const char	*k;
	json_t		*x;
	size_t		 i;
	int		 first = 1;

	if (depth > 32) {
		sb_str(b, "...");
		return;
	}
	switch (json_typeof(v)) {
	case JSON_STRING:
		repr_str(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		sb_fmt(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		repr_float(b, json_real_value(v));
		break;
	case JSON_TRUE:
		sb_str(b, "True");
		break;
	case JSON_FALSE:
		sb_str(b, "False");
		break;
	case JSON_NULL:
		sb_str(b, "None");
		break;
	case JSON_ARRAY:
		sb_str(b, "[");
		json_array_foreach(v, i, x) {
			if (b->full)
				break;
			if (i > 0)
				sb_str(b, ", ");
			repr_any(b, x, depth + 1);
		}
		sb_str(b, "]");
		break;
	case JSON_OBJECT:
		sb_str(b, "{");
		json_object_foreach((json_t *)v, k, x) {
			if (b->full)
				break;
			if (!first)
				sb_str(b, ", ");
			first = 0;
			repr_str(b, k, strlen(k));
			sb_str(b, ": ");
			repr_any(b, x, depth + 1);
		}
		sb_str(b, "}");
		break;
	}
}

void
validate_repr(const json_t *v, char *out, size_t outsz, size_t max)
{
	struct sbuf	b;

	sb_init(&b, out, outsz, outsz > 4 && max > outsz - 4 ? outsz - 4 : max);
	repr_any(&b, v, 0);
	sb_finish(&b, outsz);
}

/* ------------------------------------------------------------------------
 * Error texts.
 * --------------------------------------------------------------------- */

/* Room for a message: kg_err's, less nothing (kg_errf cuts what is over). */
#define MSG_SIZE	sizeof(((struct kg_err *)0)->msg)

struct vctx {
	char		 path[256];	/* "a/b/0", from the validated object */
	size_t		 plen;
	struct kg_err	*err;
};

/* Append a value's repr (or '******') to b within the echo limit. */
static void
echo_value(struct sbuf *b, const struct vschema *s, const json_t *v)
{
	char	tmp[VALIDATE_ECHO_MAX + 8];

	if (s != NULL && (s->flags & VF_SECRET)) {
		sb_str(b, "'******'");
		return;
	}
	validate_repr(v, tmp, sizeof(tmp), VALIDATE_ECHO_MAX);
	sb_str(b, tmp);
}

/*
 * 400 "Invalid input for field '<path>': <echo(v)><text>" (or without the
 * prefix at the top); text may be NULL when the message is all in pre.
 */
static int
fail(struct vctx *c, const struct vschema *s, const json_t *v, const char *pre,
    const char *text)
{
	char		msg[MSG_SIZE];
	struct sbuf	b;

	sb_init(&b, msg, sizeof(msg), sizeof(msg) - 4);
	if (c->plen > 0) {
		sb_str(&b, "Invalid input for field '");
		sb_add(&b, c->path, c->plen);
		sb_str(&b, "': ");
	}
	if (pre != NULL)
		sb_str(&b, pre);
	if (v != NULL)
		echo_value(&b, s, v);
	if (text != NULL)
		sb_str(&b, text);
	sb_finish(&b, sizeof(msg));
	return kg_errf(c->err, KG_EBADREQ, "%s", msg);
}

static size_t
path_push(struct vctx *c, const char *seg)
{
	size_t	saved = c->plen;
	int	n;

	n = snprintf(c->path + c->plen, sizeof(c->path) - c->plen, "%s%s",
	    c->plen > 0 ? "/" : "", seg);
	if (n > 0)
		c->plen += (size_t)n < sizeof(c->path) - c->plen ? (size_t)n :
		    sizeof(c->path) - c->plen - 1;
	return saved;
}

static void
path_pop(struct vctx *c, size_t saved)
{
	c->plen = saved;
	c->path[saved] = '\0';
}

/* ------------------------------------------------------------------------
 * Pass 1: the schema.
 * --------------------------------------------------------------------- */

static unsigned int
json_types(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:	return VT_OBJECT;
	case JSON_ARRAY:	return VT_ARRAY;
	case JSON_STRING:	return VT_STRING;
	case JSON_INTEGER:	return VT_INTEGER | VT_NUMBER;
	case JSON_REAL:		return VT_NUMBER;
	case JSON_TRUE:
	case JSON_FALSE:	return VT_BOOLEAN;
	case JSON_NULL:		return VT_NULL;
	}
	return 0;
}

/* The type names of a set, in the order Keystone's schemas list them. */
static const struct { unsigned int bit; const char *name; } type_names[] = {
	{ VT_OBJECT, "object" }, { VT_ARRAY, "array" }, { VT_STRING, "string" },
	{ VT_BOOLEAN, "boolean" }, { VT_INTEGER, "integer" },
	{ VT_NUMBER, "number" }, { VT_NULL, "null" },
};

static const char *
pattern_regex(enum vpattern p)
{
	switch (p) {
	case VP_NONBLANK:	return "[\\S]+";
	case VP_ID:		return "^[a-zA-Z0-9-]+$";
	case VP_TAG:		return "^[^,/]*$";
	case VP_URL:		return "^[a-zA-Z0-9+.-]+:.+";
	case VP_PATH:		return "^\\/.*";
	case VP_METHOD:		return "^(POST|GET|HEAD|PATCH|PUT|DELETE)$";
	case VP_NONE:		break;
	}
	return "";
}

static int
pattern_match(enum vpattern p, const char *s, size_t n)
{
	static const char *const methods[] = { "POST", "GET", "HEAD", "PATCH",
	    "PUT", "DELETE", NULL };
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i, k;
	uint32_t		 c;

	switch (p) {
	case VP_NONE:
		return 1;
	case VP_NONBLANK:
		for (i = 0; i < n; i += k) {
			k = utf8_next(u + i, n - i, &c);
			if (!py_isspace(c))
				return 1;
		}
		return 0;
	case VP_ID:
		if (n == 0)
			return 0;
		for (i = 0; i < n; i++)
			if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
			    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
				return 0;
		return 1;
	case VP_TAG:
		return memchr(s, ',', n) == NULL && memchr(s, '/', n) == NULL;
	case VP_URL:
		k = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789+.-");
		return k > 0 && k + 1 < n && s[k] == ':' && s[k + 1] != '\n';
	case VP_PATH:
		return n > 0 && s[0] == '/';
	case VP_METHOD:
		for (i = 0; methods[i] != NULL; i++)
			if (strlen(methods[i]) == n && memcmp(methods[i], s, n) == 0)
				return 1;
		return 0;
	}
	return 0;
}

static int	v_schema(const struct vschema *s, const json_t *v, struct vctx *c);

static int
v_type(const struct vschema *s, const json_t *v, struct vctx *c)
{
	char		names[96];
	struct sbuf	b;
	size_t		i, n = 0;

	if (s->type == 0 || (json_types(v) & s->type) != 0)
		return 0;
	sb_init(&b, names, sizeof(names), sizeof(names) - 1);
	sb_str(&b, " is not of type ");
	if ((s->flags & VF_NULL_FIRST) && (s->type & VT_NULL)) {
		sb_str(&b, "'null'");
		n++;
	}
	for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if ((s->type & type_names[i].bit) && !(n > 0 &&
		    type_names[i].bit == VT_NULL && (s->flags & VF_NULL_FIRST))) {
			sb_fmt(&b, "%s'%s'", n++ ? ", " : "", type_names[i].name);
		}
	return fail(c, s, v, NULL, names);
}

static int
v_string(const struct vschema *s, const json_t *v, struct vctx *c)
{
	const char		*str = json_string_value(v);
	size_t			 n = json_string_length(v), chars, i;
	const char *const	*e;
	char			 msg[160];
	struct sbuf		 b;

	if (s->enumv != NULL) {
		for (e = s->enumv; *e != NULL; e++)
			if (strlen(*e) == n && memcmp(*e, str, n) == 0)
				break;
		if (*e == NULL) {
			sb_init(&b, msg, sizeof(msg), sizeof(msg) - 1);
			sb_str(&b, " is not one of [");
			for (i = 0; s->enumv[i] != NULL; i++) {
				if (i > 0)
					sb_str(&b, ", ");
				repr_str(&b, s->enumv[i], strlen(s->enumv[i]));
			}
			sb_str(&b, "]");
			return fail(c, s, v, NULL, msg);
		}
	}
	chars = validate_utf8_len(str, n);
	if (chars < s->min_length)
		return fail(c, s, v, NULL, " is too short");
	if (s->max_length != 0 && chars > s->max_length)
		return fail(c, s, v, NULL, " is too long");
	if (!pattern_match(s->pattern, str, n)) {
		sb_init(&b, msg, sizeof(msg), sizeof(msg) - 1);
		sb_str(&b, " does not match ");
		/* repr of the regular expression: its backslashes doubled */
		repr_str(&b, pattern_regex(s->pattern), strlen(pattern_regex(s->pattern)));
		return fail(c, s, v, NULL, msg);
	}
	return 0;
}

static int
v_array(const struct vschema *s, const json_t *v, struct vctx *c)
{
	size_t	 i, j, n = json_array_size(v), saved;
	char	 idx[24];

	if (s->items != NULL)
		for (i = 0; i < n; i++) {
			snprintf(idx, sizeof(idx), "%zu", i);
			saved = path_push(c, idx);
			if (v_schema(s->items, json_array_get(v, i), c) == -1)
				return -1;
			path_pop(c, saved);
		}
	if (n < s->min_items)
		return fail(c, s, v, NULL, " is too short");
	if (s->max_items != 0 && n > s->max_items)
		return fail(c, s, v, NULL, " is too long");
	if (s->unique_items)
		for (i = 0; i < n; i++)
			for (j = i + 1; j < n; j++)
				if (json_equal(json_array_get(v, i),
				    json_array_get(v, j)))
					return fail(c, s, v, NULL,
					    " has non-unique elements");
	return 0;
}

static int
v_number(const struct vschema *s, const json_t *v, struct vctx *c)
{
	char	msg[80];
	double	d = json_number_value(v);
	int	below, above;

	if (json_is_integer(v)) {
		below = json_integer_value(v) < s->minimum;
		above = json_integer_value(v) > s->maximum;
	} else {
		below = d < (double)s->minimum;
		above = d > (double)s->maximum;
	}
	if ((s->flags & VF_MINIMUM) && below) {
		snprintf(msg, sizeof(msg), " is less than the minimum of %lld",
		    s->minimum);
		return fail(c, s, v, NULL, msg);
	}
	if ((s->flags & VF_MAXIMUM) && above) {
		snprintf(msg, sizeof(msg), " is greater than the maximum of %lld",
		    s->maximum);
		return fail(c, s, v, NULL, msg);
	}
	return 0;
}

/*
 * The first schema of s->one_of that v passes (pass 1), or NULL; *nvalid
 * counts them (up to 2).
 */
static const struct vschema *
one_of_match(const struct vschema *s, const json_t *v, int *nvalid)
{
	const struct vschema *const	*o;
	const struct vschema		*first = NULL;
	struct kg_err			 scratch;

	*nvalid = 0;
	for (o = s->one_of; *o != NULL && *nvalid < 2; o++)
		if (validate_schema(*o, v, "", &scratch) == 0) {
			if (first == NULL)
				first = *o;
			(*nvalid)++;
		}
	return first;
}

static int
v_one_of(const struct vschema *s, const json_t *v, struct vctx *c)
{
	int	n;

	one_of_match(s, v, &n);
	if (n == 0)
		return fail(c, s, v, NULL,
		    " is not valid under any of the given schemas");
	if (n > 1)
		return fail(c, s, v, NULL, " is valid under each of the given"
		    " schemas");
	return 0;
}

/* Is key one of s's properties? */
static const struct vprop *
prop_find(const struct vschema *s, const char *key)
{
	const struct vprop	*p;

	for (p = s->properties; p != NULL && p->name != NULL; p++)
		if (strcmp(p->name, key) == 0)
			return p;
	return NULL;
}

static int
v_object(const struct vschema *s, const json_t *v, struct vctx *c)
{
	const struct vprop	*p;
	const char *const	*r;
	const char		*k;
	json_t			*x;
	size_t			 saved, nextra = 0;
	char			 msg[MSG_SIZE];
	struct sbuf		 b;

	for (p = s->properties; p != NULL && p->name != NULL; p++) {
		if ((x = json_object_get(v, p->name)) == NULL)
			continue;
		saved = path_push(c, p->name);
		if (v_schema(p->schema, x, c) == -1)
			return -1;
		path_pop(c, saved);
	}
	for (r = s->required; r != NULL && *r != NULL; r++)
		if (json_object_get(v, *r) == NULL) {
			sb_init(&b, msg, sizeof(msg), sizeof(msg) - 1);
			repr_str(&b, *r, strlen(*r));
			sb_str(&b, " is a required property");
			return fail(c, s, NULL, msg, NULL);
		}
	if (json_object_size(v) < s->min_properties)
		return fail(c, s, v, NULL, " does not have enough properties");
	if (s->max_properties != 0 && json_object_size(v) > s->max_properties)
		return fail(c, s, v, NULL, " has too many properties");
	if (!s->closed)
		return 0;
	sb_init(&b, msg, sizeof(msg), sizeof(msg) - 4);
	sb_str(&b, "Additional properties are not allowed (");
	json_object_foreach((json_t *)v, k, x) {
		if (prop_find(s, k) != NULL)
			continue;
		if (nextra++ > 0)
			sb_str(&b, ", ");
		repr_str(&b, k, strlen(k));
	}
	if (nextra == 0)
		return 0;
	sb_str(&b, nextra == 1 ? " was unexpected)" : " were unexpected)");
	sb_finish(&b, sizeof(msg));
	return fail(c, s, NULL, msg, NULL);
}

static int
v_schema(const struct vschema *s, const json_t *v, struct vctx *c)
{
	int	ret;

	if (v_type(s, v, c) == -1)
		return -1;
	switch (json_typeof(v)) {
	case JSON_STRING:
		ret = v_string(s, v, c);
		break;
	case JSON_INTEGER:
	case JSON_REAL:
		ret = v_number(s, v, c);
		break;
	case JSON_ARRAY:
		ret = v_array(s, v, c);
		break;
	case JSON_OBJECT:
		ret = v_object(s, v, c);
		break;
	default:
		ret = 0;
		break;
	}
	if (ret == 0 && s->one_of != NULL)
		ret = v_one_of(s, v, c);
	return ret;
}

int
validate_schema(const struct vschema *s, const json_t *v, const char *prefix,
    struct kg_err *err)
{
	struct vctx	c;

	memset(&c, 0, sizeof(c));
	c.err = err;
	if (prefix != NULL && *prefix != '\0')
		path_push(&c, prefix);
	return v_schema(s, v, &c);
}

/* ------------------------------------------------------------------------
 * Pass 2: storage limits.
 * --------------------------------------------------------------------- */

/* Keystone's StringLengthExceeded for s (shown raw, not as a repr). */
static int
too_long_for_column(struct kg_err *err, const struct vschema *s,
    const char *str, size_t n, const char *column, size_t limit)
{
	char		msg[MSG_SIZE];
	struct sbuf	b;
	size_t		echo = n;
	int		cut = 0;

	if (echo > VALIDATE_ECHO_MAX) {
		echo = kg_utf8_cut(str, VALIDATE_ECHO_MAX);
		cut = 1;
	}
	sb_init(&b, msg, sizeof(msg), sizeof(msg) - 1);
	sb_str(&b, "String length exceeded. The length of string '");
	if (s != NULL && (s->flags & VF_SECRET))
		sb_str(&b, "******");
	else {
		sb_add(&b, str, echo);
		if (cut)
			sb_str(&b, "...");
	}
	sb_fmt(&b, "' exceeds the limit of column %.40s", column);
	sb_fmt(&b, "(CHAR(%zu)).", limit);
	return kg_errf(err, KG_EBADREQ, "%s", msg);
}

static int	v_storage(const struct vschema *s, const json_t *v,
		    const char *name, struct kg_err *err);

/* The additional properties of v (those s does not list) as JSON text. */
static int
extra_check(const struct vschema *s, const json_t *v, struct kg_err *err)
{
	json_t		*extra;
	const char	*k;
	json_t		*x;
	char		*text;
	size_t		 n;
	int		 ret = 0;

	if ((extra = json_object()) == NULL)
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	json_object_foreach((json_t *)v, k, x)
		if (prop_find(s, k) == NULL && json_object_set(extra, k, x) == -1) {
			json_decref(extra);
			return kg_errf(err, KG_EINTERNAL, "out of memory");
		}
	if (json_object_size(extra) > 0) {
		if ((text = json_dumps(extra, JSON_COMPACT)) == NULL)
			ret = kg_errf(err, KG_EINTERNAL, "out of memory");
		else {
			n = strlen(text);
			if (n > s->extra_max)
				ret = too_long_for_column(err, NULL, text, n,
				    s->column_name != NULL ? s->column_name :
				    "extra", s->extra_max);
			free(text);
		}
	}
	json_decref(extra);
	return ret;
}

static int
v_storage(const struct vschema *s, const json_t *v, const char *name,
    struct kg_err *err)
{
	const struct vprop	*p;
	const struct vschema	*one;
	const char		*col;
	json_t			*x;
	size_t			 i, n;
	int			 nvalid;

	if (s->one_of != NULL && (one = one_of_match(s, v, &nvalid)) != NULL &&
	    v_storage(one, v, name, err) == -1)
		return -1;
	if (json_is_string(v)) {
		col = s->column_name != NULL ? s->column_name : name;
		n = json_string_length(v);
		if (s->column != 0 &&
		    validate_utf8_len(json_string_value(v), n) > s->column)
			return too_long_for_column(err, s, json_string_value(v), n,
			    col, s->column);
		if (s->max_bytes != 0 && n > s->max_bytes)
			return too_long_for_column(err, s, json_string_value(v), n,
			    col, s->max_bytes);
		return 0;
	}
	if (json_is_array(v) && s->items != NULL) {
		json_array_foreach(v, i, x)
			if (v_storage(s->items, x, name, err) == -1)
				return -1;
		return 0;
	}
	if (!json_is_object(v))
		return 0;
	for (p = s->properties; p != NULL && p->name != NULL; p++)
		if ((x = json_object_get(v, p->name)) != NULL &&
		    v_storage(p->schema, x, p->name, err) == -1)
			return -1;
	if (s->extra_max != 0 && !s->closed)
		return extra_check(s, v, err);
	return 0;
}

int
validate_storage(const struct vschema *s, const json_t *v, struct kg_err *err)
{
	return v_storage(s, v, "value", err);
}

int
validate(const struct vschema *s, const json_t *v, struct kg_err *err)
{
	if (validate_schema(s, v, "", err) == -1)
		return -1;
	return validate_storage(s, v, err);
}

/* ------------------------------------------------------------------------
 * The schema as a JSON Schema document.
 * --------------------------------------------------------------------- */

static int
set_size(json_t *o, const char *key, size_t n)
{
	return json_object_set_new(o, key, json_integer((json_int_t)n));
}

json_t *
validate_dump(const struct vschema *s)
{
	json_t			*o, *t, *a, *props;
	const struct vprop	*p;
	const struct vschema *const *sub;
	const char *const	*e;
	size_t			 i;
	int			 rc = 0;

	if ((o = json_object()) == NULL)
		return NULL;
	if (s->title != NULL)
		rc |= json_object_set_new(o, "description", json_string(s->title));
	if (s->type != 0) {
		t = json_array();
		if ((s->flags & VF_NULL_FIRST) && (s->type & VT_NULL))
			rc |= json_array_append_new(t, json_string("null"));
		for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
			if ((s->type & type_names[i].bit) && !(type_names[i].bit ==
			    VT_NULL && (s->flags & VF_NULL_FIRST)))
				rc |= json_array_append_new(t,
				    json_string(type_names[i].name));
		if (json_array_size(t) == 1) {
			rc |= json_object_set(o, "type", json_array_get(t, 0));
			json_decref(t);
		} else
			rc |= json_object_set_new(o, "type", t);
	}
	if (s->min_length != 0)
		rc |= set_size(o, "minLength", s->min_length);
	if (s->max_length != 0)
		rc |= set_size(o, "maxLength", s->max_length);
	if (s->column != 0)
		rc |= set_size(o, "x-keygate-column", s->column);
	if (s->max_bytes != 0)
		rc |= set_size(o, "x-keygate-max-bytes", s->max_bytes);
	if (s->pattern != VP_NONE)
		rc |= json_object_set_new(o, "pattern",
		    json_string(pattern_regex(s->pattern)));
	if (s->enumv != NULL) {
		a = json_array();
		for (e = s->enumv; *e != NULL; e++)
			rc |= json_array_append_new(a, json_string(*e));
		if (s->type & VT_NULL)
			rc |= json_array_append_new(a, json_null());
		rc |= json_object_set_new(o, "enum", a);
	}
	if (s->flags & VF_MINIMUM)
		rc |= json_object_set_new(o, "minimum", json_integer(s->minimum));
	if (s->flags & VF_MAXIMUM)
		rc |= json_object_set_new(o, "maximum", json_integer(s->maximum));
	if (s->items != NULL)
		rc |= json_object_set_new(o, "items", validate_dump(s->items));
	if (s->min_items != 0)
		rc |= set_size(o, "minItems", s->min_items);
	if (s->max_items != 0)
		rc |= set_size(o, "maxItems", s->max_items);
	if (s->unique_items)
		rc |= json_object_set_new(o, "uniqueItems", json_true());
	if (s->properties != NULL) {
		props = json_object();
		for (p = s->properties; p->name != NULL; p++)
			rc |= json_object_set_new(props, p->name,
			    validate_dump(p->schema));
		rc |= json_object_set_new(o, "properties", props);
	}
	if (s->required != NULL) {
		a = json_array();
		for (e = s->required; *e != NULL; e++)
			rc |= json_array_append_new(a, json_string(*e));
		rc |= json_object_set_new(o, "required", a);
	}
	if (s->min_properties != 0)
		rc |= set_size(o, "minProperties", s->min_properties);
	if (s->max_properties != 0)
		rc |= set_size(o, "maxProperties", s->max_properties);
	if (s->closed)
		rc |= json_object_set_new(o, "additionalProperties", json_false());
	if (s->extra_max != 0)
		rc |= set_size(o, "x-keygate-extra-max", s->extra_max);
	if (s->one_of != NULL) {
		a = json_array();
		for (sub = s->one_of; *sub != NULL; sub++)
			rc |= json_array_append_new(a, validate_dump(*sub));
		rc |= json_object_set_new(o, "oneOf", a);
	}
	if (s->flags & VF_SECRET)
		rc |= json_object_set_new(o, "writeOnly", json_true());
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}
