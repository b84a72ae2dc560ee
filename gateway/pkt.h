/*
 * pkt.h - the gateway's pure parsers: IPv4/IPv6 + TCP headers of a queued
 * packet, and the HTTP/1.x request head (request line + headers) carried
 * in the first bytes of a TCP stream.
 *
 * No allocation, no I/O, no global state: every function reads a buffer
 * and fills a caller's struct with pointers into that buffer. The parsers
 * are strict where a lenient reading would let the gateway and the server
 * behind it see different requests (bare CR, obs-fold, NUL, whitespace
 * before a colon, two different tokens): such input is refused.
 *
 *   struct pkt_info p;
 *   if (pkt_parse(buf, len, &p) == PKT_OK && p.paylen > 0)
 *           switch (http_parse(p.payload, p.paylen, &req)) { ... }
 */
#ifndef KG_GATEWAY_PKT_H
#define KG_GATEWAY_PKT_H

#include <stddef.h>
#include <stdint.h>

/* A TCP flow, client to server, as seen in the queued packet. */
struct pkt_flow {
	uint8_t		family;		/* 4 or 6 */
	uint8_t		saddr[16];	/* IPv4: first 4 bytes */
	uint8_t		daddr[16];
	uint16_t	sport;		/* host byte order */
	uint16_t	dport;
};

#define TCPF_FIN	0x01
#define TCPF_SYN	0x02
#define TCPF_RST	0x04
#define TCPF_PSH	0x08
#define TCPF_ACK	0x10

struct pkt_info {
	struct pkt_flow	 flow;
	uint32_t	 seq;		/* TCP sequence number, host order */
	uint32_t	 ack;		/* acknowledgment number (valid with TCPF_ACK) */
	uint8_t		 flags;		/* TCPF_* */
	const uint8_t	*payload;	/* TCP payload (points into the buffer) */
	size_t		 paylen;	/* bytes of payload present in the buffer */
	int		 truncated;	/* the IP length says more than was copied */
};

enum pkt_status {
	PKT_OK = 0,
	PKT_EMALFORMED,		/* bad or truncated IP/TCP header */
	PKT_EFAMILY,		/* neither IPv4 nor IPv6 */
	PKT_ENOTTCP,		/* not TCP (or IPv6 "no next header") */
	PKT_EFRAGMENT		/* an IP fragment: never guessed at */
};

/*
 * Parse the IP and TCP headers of buf[0..len). IPv6 extension headers
 * (hop-by-hop, routing, destination options, AH, first fragment) are
 * skipped. Returns PKT_OK and fills *out, or a PKT_E* code.
 */
enum pkt_status	pkt_parse(const void *buf, size_t len, struct pkt_info *out);

/*
 * Build a bare TCP segment (no payload, no options) of flow f into
 * buf[0..cap): client to server, or server to client when reverse. flags
 * are TCPF_*; seq and ack in host order; window 0 for a RST. IP and TCP
 * checksums are filled in. Returns its length, 0 when cap is too small
 * (60 bytes always suffice).
 */
#define PKT_TCP_MAX	60
size_t	pkt_build_tcp(uint8_t *buf, size_t cap, const struct pkt_flow *f, int reverse,
	    uint32_t seq, uint32_t ack, uint8_t flags);

/* "tcp 10.0.0.2:5555->10.0.0.1:8080" or "tcp [fd00::2]:5555->[fd00::1]:8080". */
#define PKT_FLOW_STRLEN	128
void	pkt_flow_str(const struct pkt_flow *f, char out[PKT_FLOW_STRLEN]);

/* ------------------------------------------------------------------ */

#define HTTP_MAX_METHOD	32	/* longer methods are refused */
#define HTTP_MAX_PATH	4096	/* longer request targets are refused */

/* The request head, as pointers into the parsed buffer. */
struct http_req {
	const char	*method;	/* "GET" */
	size_t		 method_len;
	const char	*target;	/* request-target as sent */
	size_t		 target_len;
	const char	*path;		/* the path part of target (no query) */
	size_t		 path_len;
	const char	*token;		/* X-Auth-Token or Bearer value; NULL if none */
	size_t		 token_len;
	const char	*basic;		/* Proxy-Authorization: Basic credentials
					   (base64 "user:token"); NULL if none */
	size_t		 basic_len;
	size_t		 head_len;	/* bytes up to and including the blank line */
	int		 minor;		/* HTTP/1.<minor> */
	int		 connect;	/* CONNECT host:port (path is NULL then) */
	/* body framing (RFC 9112 section 6), for check = every */
	int64_t		 content_length; /* -1: no Content-Length */
	int		 chunked;	/* Transfer-Encoding ends in "chunked" */
	int		 te;		/* a Transfer-Encoding header was seen */
	int		 bad_framing;	/* a Transfer-Encoding that does not end
					   in chunked, both it and Content-Length,
					   two different or bad Content-Lengths */
	int		 upgrade;	/* an Upgrade header (h2c, websocket) */
};

enum http_status {
	HTTP_COMPLETE = 0,	/* a whole, valid request head */
	HTTP_INCOMPLETE,	/* valid so far; more bytes needed */
	HTTP_BAD,		/* not an HTTP/1.x request head */
	HTTP_AMBIGUOUS		/* two token headers with different values */
};

/*
 * Parse the request head at buf[0..len). Lines end in CRLF or LF. On
 * HTTP_COMPLETE *out is filled; on HTTP_INCOMPLETE the bytes so far are a
 * valid prefix (binary garbage is refused as soon as it is seen, not when
 * the head would be complete). The token is taken from "X-Auth-Token:",
 * "Authorization: Bearer ..." or "Proxy-Authorization: Bearer ..." (names
 * and the scheme case-insensitive); repeating the same token is allowed,
 * two different ones are HTTP_AMBIGUOUS. "Proxy-Authorization: Basic"
 * credentials are only located (basic): the caller decodes them (see
 * http_basic_token). A CONNECT request must have an authority-form target
 * "host:port" (connect = 1, path NULL); the framing fields say how long
 * the body is.
 */
enum http_status http_parse(const char *buf, size_t len, struct http_req *out);

/*
 * Normalize a request path for policy matching: percent-decode, collapse
 * repeated slashes, drop a trailing "?query"/"#frag" if present. Writes a
 * NUL-terminated path into out (size outsz) and returns its length, or -1
 * when the path is unsafe to match by prefix: a "." or ".." segment (also
 * percent-encoded), an encoded '/' or '\\', a backslash, a NUL or control
 * byte, a bad %-escape, not starting with '/', or too long. "*" (OPTIONS *)
 * is returned as is.
 */
long	http_path_normalize(const char *path, size_t n, char *out, size_t outsz);

/*
 * The token in Basic credentials b64[0..n) ("user:token", base64): the
 * part after the first ':' is copied, NUL-terminated, into out (size
 * outsz). Returns its length, or -1 when the credentials are malformed,
 * empty or too long.
 */
long	http_basic_token(const char *b64, size_t n, char *out, size_t outsz);

/* ------------------------------------------------------------------ */

#define TLS_MAX_SNI	253
#define TLS_MAX_ALPN	16	/* ALPN protocols we keep (more: refused) */

/* What a TLS ClientHello says about where it is going. */
struct tls_hello {
	char		sni[TLS_MAX_SNI + 1];	/* host_name, lower case; "" = none */
	char		alpn[TLS_MAX_ALPN][33];	/* offered protocols (<= 32 bytes) */
	size_t		nalpn;			/* 0: no ALPN extension */
	size_t		len;			/* bytes up to the message's end */
};

enum tls_status {
	TLS_COMPLETE = 0,	/* a whole, well-formed ClientHello */
	TLS_INCOMPLETE,		/* a valid prefix; more bytes needed */
	TLS_BAD,		/* not a TLS ClientHello */
	TLS_AMBIGUOUS		/* duplicate extension or server name */
};

/* 1 when buf[0..len) starts like a TLS handshake record (needs 3 bytes). */
int	tls_looks_like(const uint8_t *buf, size_t len);

/*
 * Parse the ClientHello at the start of a TLS stream buf[0..len), which
 * may span several handshake records (at most max bytes). The server name
 * must be a DNS name (letters, digits, '-', '.'), an ALPN protocol
 * printable ASCII.
 */
enum tls_status tls_parse_hello(const uint8_t *buf, size_t len, size_t max,
	    struct tls_hello *out);

#endif /* KG_GATEWAY_PKT_H */
