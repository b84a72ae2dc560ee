/*
 * pkt.c - IPv4/IPv6 + TCP header parsing and the HTTP/1.x request-head
 * parser the gateway reads tokens with. Pure: see pkt.h.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
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
	out->ack = be32(b + off + 8);
	out->flags = b[off + 13] & 0x3f;
	out->payload = b + off + doff;
	out->paylen = end - off - doff;
	return PKT_OK;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* Ones' complement sum of p[0..n), added to sum (RFC 1071). */
static uint32_t
csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t	i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)(p[n - 1] << 8);
	return sum;
}

static uint16_t
csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

size_t
pkt_build_tcp(uint8_t *buf, size_t cap, const struct pkt_flow *f, int reverse,
    uint32_t seq, uint32_t ack, uint8_t flags)
{
	const uint8_t	*src = reverse ? f->daddr : f->saddr;
	const uint8_t	*dst = reverse ? f->saddr : f->daddr;
	uint8_t		*t, pseudo[40];
	size_t		 ihl = f->family == 6 ? 40 : 20, alen = f->family == 6 ? 16 : 4;
	uint32_t	 sum;

	if (cap < ihl + 20 || (f->family != 4 && f->family != 6))
		return 0;
	memset(buf, 0, ihl + 20);
	if (f->family == 6) {
		buf[0] = 0x60;
		put16(buf + 4, 20);		/* payload length */
		buf[6] = IPPROTO_TCP_;
		buf[7] = 64;			/* hop limit */
		memcpy(buf + 8, src, 16);
		memcpy(buf + 24, dst, 16);
	} else {
		buf[0] = 0x45;
		put16(buf + 2, 40);
		put16(buf + 6, 0x4000);		/* DF */
		buf[8] = 64;
		buf[9] = IPPROTO_TCP_;
		memcpy(buf + 12, src, 4);
		memcpy(buf + 16, dst, 4);
		put16(buf + 10, csum_fold(csum_add(0, buf, 20)));
	}
	t = buf + ihl;
	put16(t, reverse ? f->dport : f->sport);
	put16(t + 2, reverse ? f->sport : f->dport);
	put32(t + 4, seq);
	put32(t + 8, (flags & TCPF_ACK) ? ack : 0);
	t[12] = 5 << 4;
	t[13] = flags;
	put16(t + 14, (flags & TCPF_RST) ? 0 : 512);
	/* pseudo-header: addresses, zero, protocol, TCP length */
	memcpy(pseudo, src, alen);
	memcpy(pseudo + alen, dst, alen);
	sum = csum_add(0, pseudo, 2 * alen);
	sum += IPPROTO_TCP_ + 20;
	put16(t + 16, csum_fold(csum_add(sum, t, 20)));
	return ihl + 20;
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

/* "Bearer <token>": the token, or NULL (scheme case-insensitive). */
static const char *
bearer(const char *v, size_t vlen, size_t *n)
{
	size_t	i;

	if (vlen <= 6 || strncasecmp(v, "Bearer", 6) != 0 || !ows((unsigned char)v[6]))
		return NULL;
	for (i = 7; i < vlen && ows((unsigned char)v[i]); i++)
		;
	*n = vlen - i;
	return v + i;
}

/* Content-Length: 1*DIGIT; a repeat must agree (RFC 9112 6.3). */
static void
content_length(struct http_req *r, const char *v, size_t vlen)
{
	int64_t	n = 0;
	size_t	i;

	if (vlen == 0 || vlen > 18) {
		r->bad_framing = 1;
		return;
	}
	for (i = 0; i < vlen; i++) {
		if (v[i] < '0' || v[i] > '9') {
			r->bad_framing = 1;
			return;
		}
		n = n * 10 + (v[i] - '0');
	}
	if (r->content_length >= 0 && r->content_length != n)
		r->bad_framing = 1;
	r->content_length = n;
}

/*
 * Transfer-Encoding: the last coding must be "chunked" (else the server
 * reads until close and nothing after can be framed); a repeat appends.
 */
static void
transfer_encoding(struct http_req *r, const char *v, size_t vlen)
{
	size_t	end = vlen, start;

	while (end > 0 && (ows((unsigned char)v[end - 1]) || v[end - 1] == ','))
		end--;
	for (start = end; start > 0 && v[start - 1] != ',' &&
	    !ows((unsigned char)v[start - 1]); start--)
		;
	r->chunked = end - start == 7 && strncasecmp(v + start, "chunked", 7) == 0;
	if (!r->chunked)
		r->bad_framing = 1;
	else if (r->minor == 0)
		r->bad_framing = 1;	/* HTTP/1.0 has no chunked bodies */
}

/* Look at one complete header line; -1 when it makes the request ambiguous. */
static int
header_line(struct http_req *r, const char *name, size_t nlen, const char *v,
    size_t vlen)
{
	const char	*t;
	size_t		 n;

	if (nlen == 12 && strncasecmp(name, "X-Auth-Token", 12) == 0)
		return take_token(r, v, vlen);
	if (nlen == 13 && strncasecmp(name, "Authorization", 13) == 0 &&
	    (t = bearer(v, vlen, &n)) != NULL)
		return take_token(r, t, n);
	if (nlen == 19 && strncasecmp(name, "Proxy-Authorization", 19) == 0) {
		if ((t = bearer(v, vlen, &n)) != NULL)
			return take_token(r, t, n);
		if (vlen > 6 && strncasecmp(v, "Basic", 5) == 0 && ows((unsigned char)v[5])) {
			for (n = 6; n < vlen && ows((unsigned char)v[n]); n++)
				;
			if (r->basic != NULL)
				return -1;	/* two sets of credentials */
			r->basic = v + n;
			r->basic_len = vlen - n;
		}
		return 0;
	}
	if (nlen == 14 && strncasecmp(name, "Content-Length", 14) == 0)
		content_length(r, v, vlen);
	else if (nlen == 17 && strncasecmp(name, "Transfer-Encoding", 17) == 0) {
		if (r->te)
			r->bad_framing = 1;	/* split over two lines: refused */
		r->te = 1;
		transfer_encoding(r, v, vlen);
	} else if (nlen == 7 && strncasecmp(name, "Upgrade", 7) == 0)
		r->upgrade = 1;
	return 0;
}

/* An authority-form target "host:port" (CONNECT); 0 when it is one. */
static int
authority_form(const char *t, size_t n)
{
	size_t	i, colon, digits;
	long	port = 0;

	for (colon = n; colon > 0 && t[colon - 1] != ':'; colon--)
		;
	if (colon < 2 || colon == n || n - colon > 5)
		return -1;
	for (i = colon, digits = 0; i < n; i++, digits++) {
		if (t[i] < '0' || t[i] > '9')
			return -1;
		port = port * 10 + (t[i] - '0');
	}
	if (port < 1 || port > 65535)
		return -1;
	if (t[0] == '[')		/* [v6]:port */
		return t[colon - 2] == ']' ? 0 : -1;
	for (i = 0; i + 1 < colon; i++)
		if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z') ||
		    (t[i] >= '0' && t[i] <= '9') || t[i] == '-' || t[i] == '.'))
			return -1;
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
	out->content_length = -1;

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
	if (out->chunked && out->content_length >= 0)
		out->bad_framing = 1;	/* both: a smuggling classic */
	if (out->method_len == 7 && memcmp(out->method, "CONNECT", 7) == 0) {
		if (authority_form(out->target, out->target_len) == -1)
			return HTTP_BAD;
		out->connect = 1;
		return HTTP_COMPLETE;
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

/* ------------------------------------------------------------------
 * Basic credentials
 * ------------------------------------------------------------------ */

long
http_basic_token(const char *b64, size_t n, char *out, size_t outsz)
{
	char		url[16384 + 512], buf[16384 + 512];
	size_t		i, colon, pad = 0;
	long		o;

	/* standard base64 with padding, decoded as base64url without it */
	if (n == 0 || n % 4 != 0 || n > sizeof(url))
		return -1;
	while (pad < 2 && b64[n - 1 - pad] == '=')
		pad++;
	for (i = 0; i < n - pad; i++) {
		if (b64[i] == '-' || b64[i] == '_' || b64[i] == '=')
			return -1;
		url[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
	}
	if ((o = kg_b64url_decode(url, n - pad, buf, sizeof(buf))) < 0)
		return -1;
	for (colon = 0; colon < (size_t)o && buf[colon] != ':'; colon++)
		;
	if (colon + 1 >= (size_t)o || (size_t)o - colon - 1 >= outsz)
		return -1;
	for (i = colon + 1; i < (size_t)o; i++)
		if ((unsigned char)buf[i] <= 0x20 || buf[i] == 0x7f)
			return -1;
	memcpy(out, buf + colon + 1, (size_t)o - colon - 1);
	out[(size_t)o - colon - 1] = '\0';
	return o - (long)colon - 1;
}

/* ------------------------------------------------------------------
 * TLS ClientHello (RFC 8446 4.1.2; SNI RFC 6066 3; ALPN RFC 7301 3.1)
 * ------------------------------------------------------------------ */

int
tls_looks_like(const uint8_t *b, size_t len)
{
	return len >= 3 && b[0] == 22 && b[1] == 3 && b[2] <= 4;
}

/* Read n bytes big-endian at *p (bounds checked by the caller). */
static size_t
getn(const uint8_t **p, int n)
{
	size_t	v = 0;

	while (n-- > 0)
		v = v << 8 | *(*p)++;
	return v;
}

/* A DNS host name, lower-cased into out (NUL-terminated); -1 when not one. */
static int
dns_name(const uint8_t *p, size_t n, char *out)
{
	size_t	i;

	if (n == 0 || n > TLS_MAX_SNI || p[0] == '.' || p[n - 1] == '.')
		return -1;
	for (i = 0; i < n; i++) {
		char	c = (char)p[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
		    c == '.') || (c == '.' && out[i - 1] == '.'))
			return -1;
		out[i] = c;
	}
	out[n] = '\0';
	return 0;
}

static enum tls_status
hello_extensions(const uint8_t *p, const uint8_t *end, struct tls_hello *out)
{
	const uint8_t	*e, *le;
	size_t		 type, len, l2, nl;
	int		 seen_sni = 0, seen_alpn = 0;

	while (p < end) {
		if (end - p < 4)
			return TLS_BAD;
		type = getn(&p, 2);
		len = getn(&p, 2);
		if ((size_t)(end - p) < len)
			return TLS_BAD;
		e = p + len;
		if (type == 0) {			/* server_name */
			if (seen_sni++)
				return TLS_AMBIGUOUS;
			if (len < 2 || getn(&p, 2) != len - 2)
				return TLS_BAD;
			while (p < e) {
				if (e - p < 3)
					return TLS_BAD;
				type = getn(&p, 1);
				nl = getn(&p, 2);
				if ((size_t)(e - p) < nl)
					return TLS_BAD;
				if (type == 0) {
					if (out->sni[0] != '\0')
						return TLS_AMBIGUOUS;	/* two host names */
					if (dns_name(p, nl, out->sni) == -1)
						return TLS_BAD;
				}
				p += nl;
			}
		} else if (type == 16) {		/* ALPN */
			if (seen_alpn++)
				return TLS_AMBIGUOUS;
			if (len < 2 || (l2 = getn(&p, 2)) != len - 2 || l2 == 0)
				return TLS_BAD;
			while (p < e) {
				nl = getn(&p, 1);
				if (nl == 0 || nl > 32 || (size_t)(e - p) < nl ||
				    out->nalpn == TLS_MAX_ALPN)
					return TLS_BAD;
				for (le = p; le < p + nl; le++)
					if (*le < 0x21 || *le > 0x7e)
						return TLS_BAD;
				memcpy(out->alpn[out->nalpn], p, nl);
				out->alpn[out->nalpn++][nl] = '\0';
				p += nl;
			}
		}
		p = e;
	}
	return TLS_COMPLETE;
}

enum tls_status
tls_parse_hello(const uint8_t *buf, size_t len, size_t max, struct tls_hello *out)
{
	uint8_t		 msg[65536 + 4];
	const uint8_t	*p, *end;
	size_t		 off = 0, have = 0, rl, need = 0, n;

	memset(out, 0, sizeof(*out));
	if (max > 65536)
		max = 65536;
	/* gather the handshake message from its records */
	for (;;) {
		if (len - off < 5) {
			if (len - off > 0 && (buf[off] != 22 ||
			    (len - off > 1 && buf[off + 1] != 3)))
				return TLS_BAD;
			return TLS_INCOMPLETE;
		}
		if (buf[off] != 22 || buf[off + 1] != 3 || buf[off + 2] > 4)
			return TLS_BAD;
		rl = (size_t)buf[off + 3] << 8 | buf[off + 4];
		if (rl == 0 || rl > 16384 + 256)
			return TLS_BAD;
		n = len - off - 5 < rl ? len - off - 5 : rl;
		if (have + n > sizeof(msg) || off + 5 + rl > max)
			return TLS_BAD;
		memcpy(msg + have, buf + off + 5, n);
		have += n;
		if (have >= 4 && need == 0) {
			if (msg[0] != 1)		/* client_hello */
				return TLS_BAD;
			need = 4 + ((size_t)msg[1] << 16 | (size_t)msg[2] << 8 | msg[3]);
			if (need < 4 + 38 || need > max)
				return TLS_BAD;
		}
		if (need != 0 && have >= need)
			break;
		if (n < rl)
			return TLS_INCOMPLETE;	/* this record is not all here yet */
		off += 5 + rl;
	}
	out->len = off + 5 + need - (have - n);	/* where the message ends */
	p = msg + 4;
	end = msg + need;
	p += 2 + 32;				/* legacy_version, random */
	if (end - p < 1 || (size_t)(end - p) < 1 + (n = p[0]) || n > 32)
		return TLS_BAD;
	p += 1 + n;				/* legacy_session_id */
	if (end - p < 2 || (n = (size_t)p[0] << 8 | p[1]) < 2 || n % 2 ||
	    (size_t)(end - p) < 2 + n)
		return TLS_BAD;
	p += 2 + n;				/* cipher_suites */
	if (end - p < 1 || (n = p[0]) < 1 || (size_t)(end - p) < 1 + n)
		return TLS_BAD;
	p += 1 + n;				/* legacy_compression_methods */
	if (p == end)
		return TLS_COMPLETE;		/* no extensions (old clients) */
	if (end - p < 2 || ((size_t)p[0] << 8 | p[1]) != (size_t)(end - p - 2))
		return TLS_BAD;
	return hello_extensions(p + 2, end, out);
}
