/*
 * util.h - small pure helpers shared by every component: ids, time
 * formatting, base64url, hashing and constant-time comparison.
 */
#ifndef KG_UTIL_H
#define KG_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define KG_ID_HEX_LEN	32	/* Keystone-style id: 32 lowercase hex chars */
#define KG_TIME_LEN	28	/* "2026-11-25T09:06:55.000000Z" + NUL */

/* Fill out with a random 32-hex id (uuid4().hex) and NUL. Returns 0, or
 * -1 when the system RNG fails. */
int	kg_id_new(char out[KG_ID_HEX_LEN + 1]);

/* Fill buf with n cryptographically random bytes. Returns 0 or -1. */
int	kg_random(void *buf, size_t n);

/* Current wall-clock time in microseconds since the epoch. */
int64_t	kg_now_us(void);

/* Format microseconds since the epoch as Keystone does:
 * "2026-11-25T09:06:55.000000Z". Writes KG_TIME_LEN bytes at most. */
void	kg_time_fmt(int64_t us, char out[KG_TIME_LEN]);

/* Parse an ISO 8601 UTC time ("2026-11-25T09:06:55Z", optional fraction,
 * optional "Z" or "+00:00") into microseconds. Returns 0 or -1. */
int	kg_time_parse(const char *s, int64_t *us);

/*
 * base64url without padding (RFC 7515 section 2).
 * kg_b64url_encode writes into out (size outsz) and returns the length, or
 * -1 when out is too small (needs 4*ceil(n/3)+1).
 * kg_b64url_decode returns the decoded length or -1 on bad input / overflow.
 */
long	kg_b64url_encode(const void *in, size_t n, char *out, size_t outsz);
long	kg_b64url_decode(const char *in, size_t n, void *out, size_t outsz);

/*
 * Standard base64 (RFC 4648 section 4, '+' and '/', '=' padding to a
 * multiple of 4), as HTTP Basic credentials use it: the decoded length
 * into out (size outsz, not NUL-terminated), or -1 on bad input or
 * overflow.
 */
long	kg_b64_decode(const char *in, size_t n, void *out, size_t outsz);

/* SHA-256 of data into out (32 bytes). */
void	kg_sha256(const void *data, size_t n, unsigned char out[32]);

/*
 * SHA-256 over the n strings of parts (each NULL, or a string fed with a
 * tag and its terminating NUL, part by part: parts of any length are never
 * copied, and distinct lists give distinct inputs). Returns 0, or -1 when
 * the digest cannot be set up.
 */
int	kg_sha256_strv(const char *const *parts, size_t n, unsigned char out[32]);

/* Constant-time comparison of two n-byte buffers: 1 when equal. */
int	kg_ct_equal(const void *a, const void *b, size_t n);

/* Copy src into dst of size dstsz, always NUL-terminated. Returns the
 * length of src (truncation when >= dstsz), like strlcpy. */
size_t	kg_strlcpy(char *dst, const char *src, size_t dstsz);

/*
 * Make the NUL-terminated s valid UTF-8 in place: every byte that does not
 * start a valid sequence (a stray continuation byte, a sequence cut short
 * by truncation, an overlong form, a surrogate) becomes '?'. Returns how
 * many bytes were replaced. JSON encoders refuse invalid UTF-8, so text
 * built from client bytes is repaired before it goes into a reply.
 */
size_t	kg_utf8_repair(char *s);

/* Nonzero when the NUL-terminated s is valid UTF-8 (as above). */
int	kg_utf8_valid(const char *s);

/* Wipe n bytes at p in a way the compiler cannot elide. NULL-safe. */
void	kg_wipe(void *p, size_t n);

/* Length of the URI scheme when s starts "scheme://" (a letter, then
 * letters, digits, '+', '-', '.'), else 0. */
size_t	kg_uri_scheme(const char *s);

/*
 * A database connection string as it may be shown in logs and dumps: a URI
 * "scheme://user:password@host:port/db?params" loses its password and its
 * query (which may carry password=): "scheme://user@host:port/db";
 * anything else (a file path) is copied unchanged. Into buf (truncated to
 * bufsz, which must be > 0); returns buf.
 */
const char *kg_conninfo_redact(const char *conn, char *buf, size_t bufsz);
/*
 * The length of the longest prefix of the UTF-8 text s[0..n) that does not
 * end inside a character: where to cut s at n bytes or fewer.
 */
size_t	kg_utf8_cut(const char *s, size_t n);

/* Nonzero when s is exactly 32 lowercase-or-uppercase hex characters. */
int	kg_is_hex_id(const char *s);

#endif /* KG_UTIL_H */
