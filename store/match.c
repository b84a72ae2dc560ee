/*
 * match.c - Keystone's inexact name filters in SQL (see store_int.h): the
 * binding of struct kg_name_match, with LIKE's metacharacters escaped so
 * that a client's '%' or '_' matches itself, and db_utf8_lower (db.h), the
 * Unicode lower case of the patterns and of SQLite's lower().
 */
#include <locale.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "store/db.h"
#include "store/store_int.h"

static locale_t		utf8_locale;
static pthread_once_t	utf8_once = PTHREAD_ONCE_INIT;

static void
utf8_init(void)
{
	/* C.UTF-8 has the Unicode case tables; without it, ASCII only. */
	utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* Decode one UTF-8 character (invalid bytes pass through as themselves). */
static size_t
utf8_dec(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] < 0xe0 && n >= 2 && (s[1] & 0xc0) == 0x80) {
		*cp = (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
		return 2;
	}
	if (s[0] >= 0xe0 && s[0] < 0xf0 && n >= 3 && (s[1] & 0xc0) == 0x80 &&
	    (s[2] & 0xc0) == 0x80) {
		*cp = (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 |
		    (s[2] & 0x3f);
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] < 0xf5 && n >= 4 && (s[1] & 0xc0) == 0x80 &&
	    (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80) {
		*cp = (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
		    (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
		return 4;
	}
	*cp = 0xffffffff;	/* not a character: copy the byte */
	return 1;
}

static size_t
utf8_enc(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | c >> 12);
		out[1] = (char)(0x80 | (c >> 6 & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | c >> 18);
	out[1] = (char)(0x80 | (c >> 12 & 0x3f));
	out[2] = (char)(0x80 | (c >> 6 & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

char *
db_utf8_lower(const char *s, size_t n, int escape, size_t *outlen)
{
	const unsigned char	*u = (const unsigned char *)s;
	char			*out, *o;
	size_t			 i, k;
	uint32_t		 c, l;

	pthread_once(&utf8_once, utf8_init);
	/* A character at most doubles (a '\' before it, or 2 -> 3 bytes). */
	if (n > (SIZE_MAX - 1) / 2 || (out = malloc(2 * n + 1)) == NULL)
		return NULL;
	for (i = 0, o = out; i < n; i += k) {
		k = utf8_dec(u + i, n - i, &c);
		if (c == 0xffffffff) {
			*o++ = s[i];
			continue;
		}
		if (c < 0x80)
			l = (c >= 'A' && c <= 'Z') ? c + 32 : c;
		else if (utf8_locale != (locale_t)0)
			l = (uint32_t)towlower_l((wint_t)c, utf8_locale);
		else
			l = c;
		if (utf8_enc(l, (char[4]){ 0 }) > 2 * k)
			l = c;		/* never grow past the buffer */
		if (escape && (l == '%' || l == '_' || l == '\\'))
			*o++ = '\\';
		o += utf8_enc(l, o);
	}
	*o = '\0';
	*outlen = (size_t)(o - out);
	return out;
}

/* Bind a LIKE pattern: lead '%' + escaped lower-case v + tail '%'. */
static int
bind_like(struct db_stmt *s, const char *name, const char *v, int lead,
    int tail, struct kg_err *err)
{
	int	 idx = db_param_index(s, name);
	char	*l, *p;
	size_t	 n;

	if (idx == 0 || v == NULL)
		return 0;
	if ((l = db_utf8_lower(v, strlen(v), 1, &n)) == NULL ||
	    (p = malloc(n + 3)) == NULL) {
		free(l);
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	}
	snprintf(p, n + 3, "%s%s%s", lead ? "%" : "", l, tail ? "%" : "");
	free(l);
	db_bind_text(s, idx, p);	/* copied */
	free(p);
	return 0;
}

static void
bind_exact(struct db_stmt *s, const char *name, const char *v)
{
	int	idx = db_param_index(s, name);

	if (idx != 0)
		db_bind_text(s, idx, v);
}

int
store_bind_name_match(struct db_stmt *s, const struct kg_name_match *m,
    struct kg_err *err)
{
	static const struct kg_name_match	none;

	if (m == NULL)
		m = &none;
	bind_exact(s, ":nm_c", m->contains);
	bind_exact(s, ":nm_s", m->startswith);
	bind_exact(s, ":nm_e", m->endswith);
	if (bind_like(s, ":nm_ic", m->icontains, 1, 1, err) == -1 ||
	    bind_like(s, ":nm_is", m->istartswith, 0, 1, err) == -1 ||
	    bind_like(s, ":nm_ie", m->iendswith, 1, 0, err) == -1)
		return -1;
	return 0;
}
