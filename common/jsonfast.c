/*
 * jsonfast.c - a fast path for the common subset of JSON, falling back to
 * json_loadb for everything else (see jsonfast.h).
 */
#include <string.h>

#include "common/jsonfast.h"

#define FAST_MAX_DEPTH	32

struct fparse {
	const unsigned char	*p;		/* next byte */
	const unsigned char	*end;
	int			 depth;		/* open objects and arrays */
};

/* 1 for the bytes a fast-path string may hold: 0x20-0x7f but " and \. */
static const unsigned char plain[256] = {
	[0x20] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

static void
skip_ws(struct fparse *f)
{
	while (f->p < f->end && (*f->p == ' ' || *f->p == '\n' || *f->p == '\r' ||
	    *f->p == '\t'))
		f->p++;
}

/* At '"': the string's bytes into *s, *n and past the closing quote. */
static int
scan_string(struct fparse *f, const char **s, size_t *n)
{
	const unsigned char	*q = f->p + 1;

	while (q < f->end && plain[*q])
		q++;
	if (q == f->end || *q != '"')
		return -1;		/* escape, control, non-ASCII or EOF */
	*s = (const char *)f->p + 1;
	*n = (size_t)(q - f->p - 1);
	f->p = q + 1;
	return 0;
}

/* The literal word at f->p, which must end there (as jansson lexes it). */
static int
literal(struct fparse *f, const char *word, size_t n)
{
	if ((size_t)(f->end - f->p) < n || memcmp(f->p, word, n) != 0)
		return -1;
	f->p += n;
	if (f->p < f->end && ((*f->p >= 'a' && *f->p <= 'z') ||
	    (*f->p >= 'A' && *f->p <= 'Z')))
		return -1;
	return 0;
}

static json_t	*parse_value(struct fparse *f);

static json_t *
parse_object(struct fparse *f)
{
	json_t		*o, *v;
	const char	*k;
	size_t		 kn;

	f->p++;				/* '{' */
	if ((o = json_object()) == NULL)
		return NULL;
	skip_ws(f);
	if (f->p < f->end && *f->p == '}') {
		f->p++;
		return o;
	}
	for (;;) {
		if (f->p == f->end || *f->p != '"' || scan_string(f, &k, &kn) == -1)
			goto fail;
		skip_ws(f);
		if (f->p == f->end || *f->p != ':')
			goto fail;
		f->p++;
		skip_ws(f);
		if ((v = parse_value(f)) == NULL)
			goto fail;
		/* A duplicate is jansson's error to report. */
		if (json_object_getn(o, k, kn) != NULL) {
			json_decref(v);
			goto fail;
		}
		if (json_object_setn_new_nocheck(o, k, kn, v) == -1)
			goto fail;	/* v is released by jansson */
		skip_ws(f);
		if (f->p == f->end)
			goto fail;
		if (*f->p == '}') {
			f->p++;
			return o;
		}
		if (*f->p != ',')
			goto fail;
		f->p++;
		skip_ws(f);
	}
 fail:
	json_decref(o);
	return NULL;
}

static json_t *
parse_array(struct fparse *f)
{
	json_t	*a, *v;

	f->p++;				/* '[' */
	if ((a = json_array()) == NULL)
		return NULL;
	skip_ws(f);
	if (f->p < f->end && *f->p == ']') {
		f->p++;
		return a;
	}
	for (;;) {
		if ((v = parse_value(f)) == NULL || json_array_append_new(a, v) == -1)
			goto fail;
		skip_ws(f);
		if (f->p == f->end)
			goto fail;
		if (*f->p == ']') {
			f->p++;
			return a;
		}
		if (*f->p != ',')
			goto fail;
		f->p++;
		skip_ws(f);
	}
 fail:
	json_decref(a);
	return NULL;
}

/* One value at f->p (no leading space); NULL when outside the subset. */
static json_t *
parse_value(struct fparse *f)
{
	json_t		*v = NULL;
	const char	*s;
	size_t		 n;

	if (f->p == f->end)
		return NULL;
	switch (*f->p) {
	case '{':
	case '[':
		if (f->depth >= FAST_MAX_DEPTH)
			return NULL;
		f->depth++;
		v = *f->p == '{' ? parse_object(f) : parse_array(f);
		f->depth--;
		return v;
	case '"':
		return scan_string(f, &s, &n) == -1 ? NULL : json_stringn_nocheck(s, n);
	case 't':
		return literal(f, "true", 4) == -1 ? NULL : json_true();
	case 'f':
		return literal(f, "false", 5) == -1 ? NULL : json_false();
	case 'n':
		return literal(f, "null", 4) == -1 ? NULL : json_null();
	default:
		return NULL;		/* numbers and anything invalid */
	}
}

json_t *
kg_json_loadb_fast(const char *buf, size_t len)
{
	struct fparse	 f;
	json_t		*v;

	if (buf == NULL)
		return NULL;
	f.p = (const unsigned char *)buf;
	f.end = f.p + len;
	f.depth = 0;
	skip_ws(&f);
	/* Like json_loadb without JSON_DECODE_ANY: an array or object. */
	if (f.p == f.end || (*f.p != '{' && *f.p != '[') ||
	    (v = parse_value(&f)) == NULL)
		return NULL;
	skip_ws(&f);
	if (f.p != f.end) {
		json_decref(v);
		return NULL;
	}
	return v;
}

json_t *
kg_json_loadb(const char *buf, size_t len, json_error_t *err)
{
	json_t	*v;

	if ((v = kg_json_loadb_fast(buf, len)) == NULL)
		return json_loadb(buf, len, JSON_REJECT_DUPLICATES, err);
	if (err != NULL) {
		/* What json_loadb leaves in err on success. */
		memset(err, 0, sizeof(*err));
		err->line = err->column = -1;
		err->position = (int)len;	/* bytes read */
		strcpy(err->source, "<buffer>");
	}
	return v;
}
