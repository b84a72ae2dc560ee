/* util.c - ids, time, base64url, hashing and other small pure helpers. */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/util.h"

int
kg_random(void *buf, size_t n)
{
	return RAND_bytes(buf, (int)n) == 1 ? 0 : -1;
}

int
kg_id_new(char out[KG_ID_HEX_LEN + 1])
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 b[16];
	int			 i;

	if (kg_random(b, sizeof(b)) == -1)
		return -1;
	b[6] = (b[6] & 0x0f) | 0x40;	/* version 4, as uuid.uuid4().hex */
	b[8] = (b[8] & 0x3f) | 0x80;
	for (i = 0; i < 16; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 0xf];
	}
	out[KG_ID_HEX_LEN] = '\0';
	return 0;
}

int64_t
kg_now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
kg_time_fmt(int64_t us, char out[KG_TIME_LEN])
{
	time_t		sec = (time_t)(us / 1000000);
	long		frac = (long)(us % 1000000);
	struct tm	tm;

	if (frac < 0) {
		frac += 1000000;
		sec--;
	}
	gmtime_r(&sec, &tm);
	/* strftime bounds every field, so the fixed-size output cannot overflow */
	strftime(out, KG_TIME_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + 19, KG_TIME_LEN - 19, ".%06dZ", (int)(frac % 1000000));
}

int
kg_time_parse(const char *s, int64_t *us)
{
	struct tm	 tm;
	const char	*p;
	long		 frac = 0;
	int		 digits = 0, n = 0;
	time_t		 t;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 || n != 19)
		return -1;
	p = s + n;
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++, digits++)
			if (digits < 6)
				frac = frac * 10 + (*p - '0');
		if (digits == 0)
			return -1;
		for (; digits < 6; digits++)
			frac *= 10;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (strcmp(p, "+00:00") == 0)
		p += 6;
	if (*p != '\0')
		return -1;
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	*us = (int64_t)t * 1000000 + frac;
	return 0;
}

long
kg_b64url_encode(const void *in, size_t n, char *out, size_t outsz)
{
	static const char	 tbl[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char	*p = in;
	size_t			 i, o = 0;
	unsigned long		 v;

	if (outsz < (n + 2) / 3 * 4 + 1)
		return -1;
	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned long)p[i] << 16 | p[i + 1] << 8 | p[i + 2];
		out[o++] = tbl[v >> 18 & 63];
		out[o++] = tbl[v >> 12 & 63];
		out[o++] = tbl[v >> 6 & 63];
		out[o++] = tbl[v & 63];
	}
	if (n - i == 1) {
		v = (unsigned long)p[i] << 16;
		out[o++] = tbl[v >> 18 & 63];
		out[o++] = tbl[v >> 12 & 63];
	} else if (n - i == 2) {
		v = (unsigned long)p[i] << 16 | p[i + 1] << 8;
		out[o++] = tbl[v >> 18 & 63];
		out[o++] = tbl[v >> 12 & 63];
		out[o++] = tbl[v >> 6 & 63];
	}
	out[o] = '\0';
	return (long)o;
}

static int
b64url_val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

long
kg_b64url_decode(const char *in, size_t n, void *out, size_t outsz)
{
	unsigned char	*o = out;
	unsigned long	 acc = 0;
	size_t		 i, len = 0;
	int		 bits = 0, v;

	if (n % 4 == 1)
		return -1;
	for (i = 0; i < n; i++) {
		if ((v = b64url_val((unsigned char)in[i])) < 0)
			return -1;
		acc = (acc << 6) | (unsigned long)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (len >= outsz)
				return -1;
			o[len++] = (unsigned char)(acc >> bits);
			acc &= (1UL << bits) - 1;
		}
	}
	if (acc != 0)		/* non-canonical trailing bits */
		return -1;
	return (long)len;
}

long
kg_b64_decode(const char *in, size_t n, void *out, size_t outsz)
{
	char	url[4];
	size_t	i, j, pad = 0, o = 0;
	long	k;

	if (n % 4 != 0)
		return -1;
	while (pad < 2 && pad < n && in[n - 1 - pad] == '=')
		pad++;
	/* Four characters at a time through the base64url decoder. */
	for (i = 0; i < n; i += 4) {
		for (j = 0; j < 4; j++) {
			url[j] = in[i + j];
			if (url[j] == '-' || url[j] == '_' ||
			    (url[j] == '=' && i + j < n - pad))
				return -1;
			url[j] = url[j] == '+' ? '-' : url[j] == '/' ? '_' : url[j];
		}
		k = kg_b64url_decode(url, i + 4 == n ? 4 - pad : 4,
		    (unsigned char *)out + o, outsz - o);
		if (k < 0)
			return -1;
		o += (size_t)k;
	}
	return (long)o;
}

static EVP_MD		*sha256_md;
static pthread_once_t	 sha256_once = PTHREAD_ONCE_INIT;

static void
sha256_init(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

/* SHA-256 with the algorithm fetched once: SHA256() fetches per call. */
void
kg_sha256(const void *data, size_t n, unsigned char out[32])
{
	pthread_once(&sha256_once, sha256_init);
	if (sha256_md == NULL || !EVP_Digest(data, n, out, NULL, sha256_md, NULL))
		SHA256(data, n, out);
}

int
kg_sha256_strv(const char *const *parts, size_t n, unsigned char out[32])
{
	EVP_MD_CTX	*md;
	const char	*p;
	size_t		 i;
	int		 ret = -1;

	pthread_once(&sha256_once, sha256_init);
	if (sha256_md == NULL || (md = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (!EVP_DigestInit_ex(md, sha256_md, NULL))
		goto fail;
	for (i = 0; i < n; i++) {
		/* "N" for NULL, else "S" + the string + its NUL: injective. */
		p = parts[i];
		if (!EVP_DigestUpdate(md, p != NULL ? "S" : "N", 1) ||
		    (p != NULL && !EVP_DigestUpdate(md, p, strlen(p) + 1)))
			goto fail;
	}
	if (!EVP_DigestFinal_ex(md, out, NULL))
		goto fail;
	ret = 0;
 fail:
	EVP_MD_CTX_free(md);
	return ret;
}

int
kg_ct_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

size_t
kg_strlcpy(char *dst, const char *src, size_t dstsz)
{
	size_t	len = strlen(src);

	if (dstsz > 0) {
		size_t	n = len < dstsz - 1 ? len : dstsz - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

void
kg_wipe(void *p, size_t n)
{
	if (p != NULL)
		OPENSSL_cleanse(p, n);
}

size_t
kg_uri_scheme(const char *s)
{
	size_t	n = 0;

	if (!isalpha((unsigned char)s[0]))
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '+' || s[n] == '-' ||
	    s[n] == '.')
		n++;
	return strncmp(s + n, "://", 3) == 0 ? n : 0;
}

const char *
kg_conninfo_redact(const char *conn, char *buf, size_t bufsz)
{
	const char	*rest, *end, *at, *p;
	size_t		 n, user;

	if ((n = kg_uri_scheme(conn)) == 0) {
		kg_strlcpy(buf, conn, bufsz);
		return buf;
	}
	rest = conn + n + 3;
	end = rest + strcspn(rest, "?#");
	/* The last '@' ends the user info (a password may hold '/' or '@'). */
	for (at = NULL, p = rest; p < end; p++)
		if (*p == '@')
			at = p;
	n += 3;
	if (at != NULL) {
		user = strcspn(rest, ":@");
		snprintf(buf, bufsz, "%.*s%.*s%s%.*s", (int)n, conn, (int)user, rest,
		    user > 0 ? "@" : "", (int)(end - at - 1), at + 1);
	} else
		snprintf(buf, bufsz, "%.*s%.*s", (int)n, conn, (int)(end - rest),
		    rest);
	return buf;
}

int
kg_is_hex_id(const char *s)
{
	size_t	i;

	for (i = 0; i < KG_ID_HEX_LEN; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return s[i] == '\0';
}

size_t
kg_utf8_cut(const char *s, size_t n)
{
	size_t		lead = n, need;
	unsigned char	c;

	while (lead > 0 && ((unsigned char)s[lead - 1] & 0xc0) == 0x80)
		lead--;
	if (lead == 0 || !((unsigned char)s[lead - 1] & 0x80))
		return n;		/* ends after ASCII (or no lead byte) */
	c = (unsigned char)s[lead - 1];
	need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
	return n - (lead - 1) < need ? lead - 1 : n;
}

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlong forms,
 * surrogates or code points above U+10FFFF), or 0 when invalid. */
static size_t
utf8_seq(const unsigned char *s)
{
	unsigned char	c = s[0];
	size_t		n, i;
	unsigned char	lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c < 0xc2 || c > 0xf4)
		return 0;
	n = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

size_t
kg_utf8_repair(char *s)
{
	unsigned char	*p = (unsigned char *)s;
	size_t		 n, fixed = 0;

	while (*p != '\0') {
		if ((n = utf8_seq(p)) == 0) {
			*p++ = '?';
			fixed++;
		} else
			p += n;
	}
	return fixed;
}

int
kg_utf8_valid(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n;

	for (; *p != '\0'; p += n)
		if ((n = utf8_seq(p)) == 0)
			return 0;
	return 1;
}
