/* jsonw.c - the append-only JSON text writer (see jsonw.h). */
#include <stdlib.h>
#include <string.h>

#include "common/jsonw.h"

#define JSONW_FIRST_CAP	2048	/* a token body or claims with a few roles */

/* Make room for n more bytes and the NUL; sets oom on failure. */
static int
grow(struct jsonw *w, size_t n)
{
	char	*np;
	size_t	 cap;

	if (w->oom)
		return -1;
	if (n < w->cap - w->len && w->p != NULL)
		return 0;
	if (n > SIZE_MAX / 4 - w->len) {
		w->oom = 1;
		return -1;
	}
	for (cap = w->cap ? w->cap : JSONW_FIRST_CAP; cap <= w->len + n; cap *= 2)
		;
	if ((np = realloc(w->p, cap)) == NULL) {
		w->oom = 1;
		return -1;
	}
	w->p = np;
	w->cap = cap;
	return 0;
}

void
jsonw_reserve(struct jsonw *w, size_t n)
{
	size_t	cap;

	/* Exactly n: a known final size needs no doubling. */
	if (w->oom || n < w->cap - w->len)
		return;
	if (n > SIZE_MAX / 4 - w->len) {
		w->oom = 1;
		return;
	}
	cap = w->len + n + 1;
	if (w->p == NULL || cap > w->cap) {
		char *np = realloc(w->p, cap);

		if (np == NULL) {
			w->oom = 1;
			return;
		}
		w->p = np;
		w->cap = cap;
	}
}

void
jsonw_rawn(struct jsonw *w, const char *s, size_t n)
{
	if (grow(w, n) == -1)
		return;
	memcpy(w->p + w->len, s, n);
	w->len += n;
	w->p[w->len] = '\0';
}

void
jsonw_raw(struct jsonw *w, const char *s)
{
	jsonw_rawn(w, s, strlen(s));
}

/*
 * One scan finds what needs escaping (usually nothing: then one memcpy);
 * the output goes through a local pointer, which the compiler keeps in a
 * register (w->p[w->len++] would reload both fields at every byte).
 */
void
jsonw_str(struct jsonw *w, const char *s)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*p = (const unsigned char *)s, *q;
	size_t			 extra = 0, n;
	char			*o;

	if (s == NULL) {
		jsonw_raw(w, "null");
		return;
	}
	for (q = p; *q != '\0'; q++)
		if (*q < 0x20 || *q == '"' || *q == '\\')
			extra += *q < 0x20 ? 5 : 1;
	n = (size_t)(q - p);
	if (n > SIZE_MAX / 8 || grow(w, n + extra + 2) == -1)
		return;
	o = w->p + w->len;
	*o++ = '"';
	if (extra == 0) {
		memcpy(o, p, n);
		o += n;
	} else {
		for (; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\') {
				*o++ = '\\';
				*o++ = (char)*p;
			} else if (*p < 0x20) {
				memcpy(o, "\\u00", 4);
				o[4] = hex[*p >> 4];
				o[5] = hex[*p & 15];
				o += 6;
			} else
				*o++ = (char)*p;
		}
	}
	*o++ = '"';
	*o = '\0';
	w->len = (size_t)(o - w->p);
}

/* Decimal digits by hand: snprintf costs ~10x more. */
void
jsonw_int(struct jsonw *w, int64_t v)
{
	char		 buf[24], *d = buf + sizeof(buf);
	uint64_t	 u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	do {
		*--d = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--d = '-';
	jsonw_rawn(w, d, (size_t)(buf + sizeof(buf) - d));
}

void
jsonw_strv(struct jsonw *w, const char *const *v, size_t n)
{
	size_t	i;

	jsonw_raw(w, "[");
	for (i = 0; i < n; i++) {
		if (i > 0)
			jsonw_raw(w, ",");
		jsonw_str(w, v[i]);
	}
	jsonw_raw(w, "]");
}

void
jsonw_id_name(struct jsonw *w, const char *id, const char *name)
{
	jsonw_raw(w, "{\"id\":");
	jsonw_str(w, id);
	jsonw_raw(w, ",\"name\":");
	jsonw_str(w, name);
	jsonw_raw(w, "}");
}

void
jsonw_roles(struct jsonw *w, const struct kg_role_ref *roles, size_t n)
{
	size_t	i;

	jsonw_raw(w, "[");
	for (i = 0; i < n; i++) {
		if (i > 0)
			jsonw_raw(w, ",");
		jsonw_id_name(w, roles[i].id, roles[i].name);
	}
	jsonw_raw(w, "]");
}

char *
jsonw_done(struct jsonw *w)
{
	char	*p = w->p;

	if (w->oom || p == NULL) {
		free(p);
		p = NULL;
	}
	w->p = NULL;
	w->len = w->cap = 0;
	w->oom = 0;
	return p;
}

void
jsonw_free(struct jsonw *w)
{
	if (w == NULL)
		return;
	free(jsonw_done(w));
}
