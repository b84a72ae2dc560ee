/*
 * h1.h - HTTP/1.1 request framing for `check = every`: after each request
 * head, where its body ends and so where the next head (pipelined or
 * keep-alive) starts (RFC 9112 section 6: Content-Length, or the chunked
 * coding; no body otherwise). An accepted CONNECT turns the rest of the
 * stream into an opaque tunnel.
 *
 * Pure and incremental: the engine feeds the body bytes of each packet as
 * they come; no allocation, no I/O. Strict where servers disagree: chunk
 * lines must end in CRLF, chunk extensions may not hold control bytes, a
 * trailer section must be empty.
 *
 *   struct h1_framing f = { 0 };          // at a head: f.state == H1_HEAD
 *   if (h1_after_head(&f, &req) == -1) refuse;
 *   used = h1_body(&f, p, n);              // f.state back to H1_HEAD: next head
 */
#ifndef KG_GATEWAY_H1_H
#define KG_GATEWAY_H1_H

#include <stddef.h>
#include <stdint.h>

#include "gateway/pkt.h"

enum h1_state {
	H1_HEAD = 0,		/* the next bytes start a request head */
	H1_BODY,		/* left bytes of a Content-Length body */
	H1_CHUNK_SIZE,		/* hex digits of a chunk-size line */
	H1_CHUNK_EXT,		/* ";ext" up to CR */
	H1_CHUNK_LF,		/* the LF after a chunk-size line's CR */
	H1_CHUNK_DATA,		/* left bytes of chunk data */
	H1_CHUNK_CR,		/* the CR after chunk data */
	H1_CHUNK_CRLF_LF,	/* the LF after chunk data */
	H1_TRAILER_CR,		/* after the last chunk: the CR of the empty line */
	H1_TRAILER_LF,		/* ... and its LF */
	H1_TUNNEL,		/* after CONNECT: opaque bytes */
	H1_BAD			/* framing error: refuse the connection */
};

struct h1_framing {
	enum h1_state	state;
	uint64_t	left;		/* H1_BODY, H1_CHUNK_DATA */
	int		digits;		/* H1_CHUNK_SIZE: hex digits so far */
};

/*
 * Set up the body of the complete request head r. Returns 0, or -1 when
 * its framing cannot be followed (bad_framing, an Upgrade): the gateway
 * could not tell where the next request starts.
 */
int	h1_after_head(struct h1_framing *f, const struct http_req *r);

/*
 * Consume body bytes from p[0..n) (state other than H1_HEAD). Returns the
 * bytes consumed: all of them, or fewer when the body ends (state back to
 * H1_HEAD) or a framing error is found (H1_BAD). In H1_TUNNEL everything
 * is consumed.
 */
size_t	h1_body(struct h1_framing *f, const uint8_t *p, size_t n);

#endif /* KG_GATEWAY_H1_H */
