/*
 * screen.c - request screening before routing (see screen.h for what is
 * refused and how a raw NUL is found in libmicrohttpd's parsed block).
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "server/screen.h"

#define VALIDATION_TAIL	" The server could not comply with the request since it is" \
	" either malformed or otherwise incorrect. The client is assumed to be" \
	" in error."

int
screen_validation_error(struct kg_err *err, const char *what, const char *where)
{
	return kg_errf(err, KG_EBADREQ, "Expecting to find %s in %s." VALIDATION_TAIL,
	    what, where);
}

static int
nul_error(struct kg_err *err)
{
	return kg_errf(err, KG_EBADREQ, "The request you have made is malformed:"
	    " the request line or a header contains a NUL byte (raw or %%00).");
}

void
screen_target(const char *uri, struct screen_target *t)
{
	t->start = uri;
	t->len = uri != NULL ? strlen(uri) : 0;
	t->pct00 = uri != NULL && strstr(uri, "%00") != NULL;
}

/* Pointer p lies in [lo, hi]; compared as integers (p may be elsewhere). */
static int
within(const char *p, const char *lo, const char *hi)
{
	return (uintptr_t)p >= (uintptr_t)lo && (uintptr_t)p <= (uintptr_t)hi;
}

/* [p, q) holds only NUL bytes and between min and max of them. */
static int
nul_gap(const char *p, const char *q, size_t min, size_t max)
{
	size_t	n = (size_t)(q - p), i;

	if (n < min || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (p[i] != '\0')
			return 0;
	return 1;
}

/*
 * Walk the request line: method, NUL, spaces, target (its measured length
 * must reach the NUL before the version), version. Returns the end of the
 * version, or NULL when a client's NUL moved one of those ends.
 */
static const char *
request_line(const struct screen_in *in, const char *end)
{
	const char	*p;

	p = in->block + strnlen(in->block, (size_t)(end - in->block));
	if (p >= end)
		return NULL;
	for (p++; p < end && *p == ' '; p++)
		;
	if (p != in->target.start || !within(in->version, p + 1, end) ||
	    in->target.len != (size_t)(in->version - p) - 1 ||
	    in->version[-1] != '\0')
		return NULL;
	p = in->version + strnlen(in->version, (size_t)(end - in->version));
	return p - in->version == 8 ? p : NULL;
}

/*
 * One header: its name must end at the NUL that was its colon, its value
 * start after blanks only; both inside the block and after the previous
 * line's end (cursor), from which only a line end (one or two NULs)
 * separates it. Returns the end of the value, or NULL.
 */
static const char *
header_line(const struct screen_hdr *h, const char *cursor, const char *end,
    int *folded)
{
	const char	*p;

	if (!within(h->name, cursor, end) || !within(h->value, h->name, end) ||
	    !within(h->value + h->value_len, h->value, end)) {
		/* Outside the block: libmicrohttpd copied a folded line. */
		*folded = 1;
		return NULL;
	}
	if (!nul_gap(cursor, h->name, 1, 2))
		return NULL;
	p = h->name + h->name_len;
	if (p >= h->value || *p != '\0')
		return NULL;
	for (p++; p < h->value && (*p == ' ' || *p == '\t'); p++)
		;
	return p == h->value ? h->value + h->value_len : NULL;
}

static int
count_dup(const struct screen_hdr *h, const char *name, int *n)
{
	if (h->name_len == strlen(name) && strncasecmp(h->name, name,
	    h->name_len) == 0)
		(*n)++;
	return *n > 1;
}

int
screen_request(const struct screen_in *in, struct kg_err *err)
{
	const char	*end, *cursor;
	size_t		 i;
	int		 folded = 0, ntok = 0, nsubj = 0, nframe = 0;

	if (in->target.pct00)
		return nul_error(err);
	if (in->block == NULL || in->target.start == NULL || in->version == NULL)
		return kg_errf(err, KG_EBADREQ, "The request you have made is"
		    " malformed.");
	end = in->block + in->block_len;
	if ((cursor = request_line(in, end)) == NULL)
		return nul_error(err);
	for (i = 0; i < in->nhdrs && cursor != NULL; i++)
		cursor = header_line(&in->hdrs[i], cursor, end, &folded);
	if (folded)
		return kg_errf(err, KG_EBADREQ, "The request you have made is"
		    " malformed: a header is continued on the next line (obsolete"
		    " line folding).");
	/* After the last line: its end and the empty line, 2 to 4 NULs. */
	if (cursor == NULL || !nul_gap(cursor, end, 2, 4))
		return nul_error(err);
	for (i = 0; i < in->nhdrs; i++) {
		if (count_dup(&in->hdrs[i], "X-Auth-Token", &ntok))
			return screen_validation_error(err,
			    "a single X-Auth-Token header", "the request");
		if (count_dup(&in->hdrs[i], "X-Subject-Token", &nsubj))
			return screen_validation_error(err,
			    "a single X-Subject-Token header", "the request");
		/* Framing a proxy in front might read otherwise (smuggling). */
		if (count_dup(&in->hdrs[i], "Content-Length", &nframe) ||
		    count_dup(&in->hdrs[i], "Transfer-Encoding", &nframe))
			return kg_errf(err, KG_EBADREQ, "The request you have made"
			    " is malformed: more than one Content-Length or"
			    " Transfer-Encoding header.");
	}
	return 0;
}

int
screen_content_type(const char *ct, struct kg_err *err)
{
	const char	*p, *e;
	size_t		 n;

	if (ct == NULL || ct[0] == '\0')
		return 0;
	/* The media type: up to ';', blanks trimmed, any case. */
	for (p = ct; *p == ' ' || *p == '\t'; p++)
		;
	for (e = p; *e != '\0' && *e != ';'; e++)
		;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	n = (size_t)(e - p);
	if (n == 16 && strncasecmp(p, "application/json", 16) == 0)
		return 0;
	if (n > 12 + 5 && strncasecmp(p, "application/", 12) == 0 &&
	    strncasecmp(e - 5, "+json", 5) == 0)
		return 0;
	return screen_validation_error(err, "application/json",
	    "Content-Type header");
}
