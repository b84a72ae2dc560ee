/*
 * pkt.c - IPv4/IPv6 + TCP header parsing and the HTTP/1.x request-head
 * parser the gateway reads tokens with. Pure: see pkt.h.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "gateway/pkt.h"

#define IPPROTO_TCP_	6
#define MAX_EXT_HDRS	8	/* IPv6 extension headers we walk at most */

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Walk the IPv6 extension headers from *off; leaves *off at the TCP header. */
static enum pkt_status
ipv6_skip_ext(const uint8_t *b, size_t end, uint8_t nh, size_t *off)
{
	size_t	o = *off, hl;
	int	i;

	for (i = 0; i <= MAX_EXT_HDRS; i++) {
		switch (nh) {
		case IPPROTO_TCP_:
			*off = o;
			return PKT_OK;
		case 0:		/* hop-by-hop options */
		case 43:	/* routing */
		case 60:	/* destination options */
			if (o + 2 > end)
				return PKT_EMALFORMED;
			hl = ((size_t)b[o + 1] + 1) * 8;
			break;
		case 44:	/* fragment: only an unfragmented one is fine */
			if (o + 8 > end)
				return PKT_EMALFORMED;
			if ((be16(b + o + 2) & 0xfff9) != 0)
				return PKT_EFRAGMENT;
			hl = 8;
			break;
		case 51:	/* authentication header */
			if (o + 2 > end)
				return PKT_EMALFORMED;
			hl = ((size_t)b[o + 1] + 2) * 4;
			break;
		default:	/* 59 (no next header), UDP, ICMPv6, ESP, ... */
			return PKT_ENOTTCP;
		}
		if (o + hl > end)
			return PKT_EMALFORMED;
		nh = b[o];
		o += hl;
	}
	return PKT_EMALFORMED;		/* absurdly long header chain */
}

enum pkt_status
pkt_parse(const void *buf, size_t len, struct pkt_info *out)
{
	const uint8_t	*b = buf;
	size_t		 off, end, total, doff;
	enum pkt_status	 st;

	memset(out, 0, sizeof(*out));
	if (len < 1)
		return PKT_EMALFORMED;
	switch (b[0] >> 4) {
	case 4:
		if (len < 20)
			return PKT_EMALFORMED;
		off = (size_t)(b[0] & 0x0f) * 4;
		total = be16(b + 2);
		if (total == 0 && len > 65535)	/* BIG TCP: length in skb only */
			total = len;
		if (off < 20 || off > len || total < off)
			return PKT_EMALFORMED;
		if ((be16(b + 6) & 0x3fff) != 0)	/* MF or offset */
			return PKT_EFRAGMENT;
		if (b[9] != IPPROTO_TCP_)
			return PKT_ENOTTCP;
		out->flow.family = 4;
		memcpy(out->flow.saddr, b + 12, 4);
		memcpy(out->flow.daddr, b + 16, 4);
		break;
	case 6:
		if (len < 40)
			return PKT_EMALFORMED;
		total = 40 + (size_t)be16(b + 4);
		if (total == 40 && len > 40)	/* jumbogram / BIG TCP */
			total = len;
		off = 40;
		if ((st = ipv6_skip_ext(b, total < len ? total : len, b[6], &off)) != PKT_OK)
			return st;
		out->flow.family = 6;
		memcpy(out->flow.saddr, b + 8, 16);
		memcpy(out->flow.daddr, b + 24, 16);
		break;
	default:
		return PKT_EFAMILY;
	}
	out->truncated = total > len;
	end = total < len ? total : len;
	if (off + 20 > end)
		return PKT_EMALFORMED;
	doff = (size_t)(b[off + 12] >> 4) * 4;
	if (doff < 20 || off + doff > end)
		return PKT_EMALFORMED;
	out->flow.sport = be16(b + off);
	out->flow.dport = be16(b + off + 2);
	out->seq = be32(b + off + 4);
	out->flags = b[off + 13] & 0x3f;
	out->payload = b + off + doff;
	out->paylen = end - off - doff;
	return PKT_OK;
}

void
pkt_flow_str(const struct pkt_flow *f, char out[PKT_FLOW_STRLEN])
{
	char	s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];

	if (f->family == 6) {
		inet_ntop(AF_INET6, f->saddr, s, sizeof(s));
		inet_ntop(AF_INET6, f->daddr, d, sizeof(d));
		snprintf(out, PKT_FLOW_STRLEN, "tcp [%s]:%u->[%s]:%u", s, f->sport, d,
		    f->dport);
	} else {
		inet_ntop(AF_INET, f->saddr, s, sizeof(s));
		inet_ntop(AF_INET, f->daddr, d, sizeof(d));
		snprintf(out, PKT_FLOW_STRLEN, "tcp %s:%u->%s:%u", s, f->sport, d,
		    f->dport);
	}
}

/* ------------------------------------------------------------------
 * HTTP request head
 * ------------------------------------------------------------------ */

/* RFC 9110 tchar: the characters of a method or a header name. */
static int
is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* A byte allowed inside a header value (field-vchar, SP, HTAB, obs-text). */
static int
is_value_char(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static int
ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Record a token value; two different ones make the request ambiguous.
 * Returns 0, or -1 on a conflict.
 */
static int
take_token(struct http_req *r, const char *v, size_t n)
{
	if (n == 0)
		return 0;
	if (r->token != NULL)
		return r->token_len == n && memcmp(r->token, v, n) == 0 ? 0 : -1;
	r->token = v;
	r->token_len = n;
	return 0;
}

/* Look at one complete header line; -1 when it makes the request ambiguous. */
static int
header_line(struct http_req *r, const char *name, size_t nlen, const char *v,
    size_t vlen)
{
	size_t	i;

	if (nlen == 12 && strncasecmp(name, "X-Auth-Token", 12) == 0)
		return take_token(r, v, vlen);
	if (nlen == 13 && strncasecmp(name, "Authorization", 13) == 0 &&
	    vlen > 6 && strncasecmp(v, "Bearer", 6) == 0 && ows((unsigned char)v[6])) {
		for (i = 7; i < vlen && ows((unsigned char)v[i]); i++)
			;
		return take_token(r, v + i, vlen - i);
	}
	return 0;
}

/* Split the request-target into its path (see pkt.h). */
static void
target_path(struct http_req *r)
{
	const char	*t = r->target, *p, *end = r->target + r->target_len;
	size_t		 i;

	if (t[0] == '/') {
		p = t;
	} else if (r->target_len == 1 && t[0] == '*') {
		r->path = t;
		r->path_len = 1;
		return;
	} else {
		/* absolute-form "scheme://authority/path?query" */
		for (i = 0; i < r->target_len && t[i] != ':'; i++)
			;
		if (i + 3 <= r->target_len && memcmp(t + i, "://", 3) == 0) {
			for (p = t + i + 3; p < end && *p != '/' && *p != '?' && *p != '#'; p++)
				;
			if (p == end || *p != '/') {
				r->path = "/";
				r->path_len = 1;
				return;
			}
		} else {
			p = t;		/* authority-form (CONNECT) or garbage */
		}
	}
	r->path = p;
	for (r->path_len = 0; p + r->path_len < end && p[r->path_len] != '?' &&
	    p[r->path_len] != '#'; r->path_len++)
		;
}

enum http_status
http_parse(const char *buf, size_t len, struct http_req *out)
{
	static const char	 ver[] = "HTTP/1.";
	const unsigned char	*b = (const unsigned char *)buf;
	const char		*name, *val;
	size_t			 i = 0, j, nlen, vend;

	memset(out, 0, sizeof(*out));

	/* method SP */
	while (i < len && is_tchar(b[i]))
		i++;
	if (i > HTTP_MAX_METHOD)
		return HTTP_BAD;
	if (i == len)
		return HTTP_INCOMPLETE;
	if (i == 0 || b[i] != ' ')
		return HTTP_BAD;
	out->method = buf;
	out->method_len = i++;

	/* request-target SP */
	j = i;
	while (i < len && b[i] > 0x20 && b[i] != 0x7f)
		i++;
	if (i - j > HTTP_MAX_PATH)
		return HTTP_BAD;
	if (i == len)
		return HTTP_INCOMPLETE;
	if (i == j || b[i] != ' ')
		return HTTP_BAD;
	out->target = buf + j;
	out->target_len = i - j;
	i++;

	/* "HTTP/1.x" CRLF */
	for (j = 0; j < sizeof(ver) - 1; j++, i++) {
		if (i == len)
			return HTTP_INCOMPLETE;
		if (b[i] != (unsigned char)ver[j])
			return HTTP_BAD;
	}
	if (i == len)
		return HTTP_INCOMPLETE;
	if (b[i] < '0' || b[i] > '9')
		return HTTP_BAD;
	out->minor = b[i++] - '0';
	if (i < len && b[i] == '\r')
		i++;
	if (i == len)
		return HTTP_INCOMPLETE;
	if (b[i++] != '\n')
		return HTTP_BAD;

	/* header fields, up to the blank line */
	for (;;) {
		if (i == len)
			return HTTP_INCOMPLETE;
		if (b[i] == '\r') {
			if (i + 1 == len)
				return HTTP_INCOMPLETE;
			if (b[i + 1] != '\n')
				return HTTP_BAD;
			out->head_len = i + 2;
			break;
		}
		if (b[i] == '\n') {
			out->head_len = i + 1;
			break;
		}
		name = buf + i;
		while (i < len && is_tchar(b[i]))
			i++;
		if (i == len)
			return HTTP_INCOMPLETE;
		/* no obs-fold, no empty name, no space before the colon */
		if (name == buf + i || b[i] != ':')
			return HTTP_BAD;
		nlen = (size_t)(buf + i - name);
		i++;
		while (i < len && ows(b[i]))
			i++;
		val = buf + i;
		while (i < len && is_value_char(b[i]))
			i++;
		vend = i;
		if (i < len && b[i] == '\r')
			i++;
		if (i == len)
			return HTTP_INCOMPLETE;
		if (b[i] != '\n')
			return HTTP_BAD;	/* NUL, bare CR, control byte */
		i++;
		while (vend > (size_t)(val - buf) && ows(b[vend - 1]))
			vend--;
		if (header_line(out, name, nlen, val, vend - (size_t)(val - buf)) == -1)
			return HTTP_AMBIGUOUS;
	}
	target_path(out);
	return HTTP_COMPLETE;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* 1 when seg[0..n) reads as "." or ".." to some server (";params" cut). */
static int
dot_segment(const char *seg, size_t n)
{
	const char	*semi = memchr(seg, ';', n);

	if (semi != NULL)
		n = (size_t)(semi - seg);
	return (n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.');
}

long
http_path_normalize(const char *path, size_t n, char *out, size_t outsz)
{
	size_t	i, o = 0, seg = 0;
	int	hi, lo;
	char	c;

	if (outsz == 0)
		return -1;
	for (i = 0; i < n && path[i] != '?' && path[i] != '#'; i++)
		;
	n = i;
	if (n == 1 && path[0] == '*') {
		if (outsz < 2)
			return -1;
		memcpy(out, "*", 2);
		return 1;
	}
	if (n == 0 || path[0] != '/')
		return -1;
	for (i = 0; i < n; i++) {
		c = path[i];
		if (c == '%') {
			if (i + 2 >= n)
				return -1;
			if ((hi = hexval(path[i + 1])) < 0 || (lo = hexval(path[i + 2])) < 0)
				return -1;
			c = (char)(hi << 4 | lo);
			i += 2;
			if (c == '/')
				return -1;	/* an encoded slash is a different path */
		} else if (c == '/') {
			if (o > 0 && out[o - 1] == '/')
				continue;	/* collapse "//" */
			if (o > 0 && dot_segment(out + seg, o - seg))
				return -1;
			if (o + 1 >= outsz)
				return -1;
			out[o++] = '/';
			seg = o;
			continue;
		}
		if (c == '\\' || (unsigned char)c < 0x20 || c == 0x7f)
			return -1;
		if (o + 1 >= outsz)
			return -1;
		out[o++] = c;
	}
	if (dot_segment(out + seg, o - seg))
		return -1;
	out[o] = '\0';
	return (long)o;
}
