/*
 * h1.c - HTTP/1.1 request body framing for check = every (see h1.h).
 */
#include "gateway/h1.h"

#define MAX_CHUNK_DIGITS	15	/* < 2^60 bytes: never overflows */

int
h1_after_head(struct h1_framing *f, const struct http_req *r)
{
	f->left = 0;
	f->digits = 0;
	if (r->bad_framing || r->upgrade) {
		f->state = H1_BAD;
		return -1;
	}
	if (r->connect)
		f->state = H1_TUNNEL;
	else if (r->chunked)
		f->state = H1_CHUNK_SIZE;
	else if (r->content_length > 0) {
		f->state = H1_BODY;
		f->left = (uint64_t)r->content_length;
	} else
		f->state = H1_HEAD;
	return 0;
}

static int
hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t
h1_body(struct h1_framing *f, const uint8_t *p, size_t n)
{
	size_t	i = 0, k;
	int	v;

	while (i < n) {
		switch (f->state) {
		case H1_HEAD:
		case H1_BAD:
			return i;
		case H1_TUNNEL:
			return n;
		case H1_BODY:
		case H1_CHUNK_DATA:
			k = n - i < f->left ? n - i : (size_t)f->left;
			i += k;
			f->left -= k;
			if (f->left == 0)
				f->state = f->state == H1_BODY ? H1_HEAD : H1_CHUNK_CR;
			break;
		case H1_CHUNK_SIZE:
			if ((v = hexval(p[i])) >= 0) {
				if (++f->digits > MAX_CHUNK_DIGITS) {
					f->state = H1_BAD;
					return i;
				}
				f->left = f->left << 4 | (uint64_t)v;
			} else if (f->digits == 0) {
				f->state = H1_BAD;
				return i;
			} else if (p[i] == ';' || p[i] == ' ' || p[i] == '\t') {
				f->state = H1_CHUNK_EXT;
			} else if (p[i] == '\r') {
				f->state = H1_CHUNK_LF;
			} else {
				f->state = H1_BAD;
				return i;
			}
			i++;
			break;
		case H1_CHUNK_EXT:
			if (p[i] == '\r')
				f->state = H1_CHUNK_LF;
			else if ((p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f) {
				f->state = H1_BAD;	/* bare LF, NUL, ... */
				return i;
			}
			i++;
			break;
		case H1_CHUNK_LF:
			if (p[i] != '\n') {
				f->state = H1_BAD;
				return i;
			}
			i++;
			f->digits = 0;
			f->state = f->left > 0 ? H1_CHUNK_DATA : H1_TRAILER_CR;
			break;
		case H1_CHUNK_CR:
		case H1_TRAILER_CR:
			if (p[i] != '\r') {
				/* a trailer field, or data longer than its size */
				f->state = H1_BAD;
				return i;
			}
			i++;
			f->state = f->state == H1_CHUNK_CR ? H1_CHUNK_CRLF_LF : H1_TRAILER_LF;
			break;
		case H1_CHUNK_CRLF_LF:
		case H1_TRAILER_LF:
			if (p[i] != '\n') {
				f->state = H1_BAD;
				return i;
			}
			i++;
			if (f->state == H1_TRAILER_LF) {
				f->state = H1_HEAD;
				return i;
			}
			f->left = 0;
			f->state = H1_CHUNK_SIZE;
			break;
		}
	}
	return i;
}
