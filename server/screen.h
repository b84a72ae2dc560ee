/*
 * screen.h - request screening: what libmicrohttpd 0.9.75 lets through and
 * keygate refuses before routing, authentication or any handler sees the
 * request. Pure functions over the request as libmicrohttpd has parsed
 * it; server/http.c (the only microhttpd.h user) gathers the inputs.
 *
 * Refused with 400 and Keystone's error body:
 *   - a NUL byte in the request line or in a header, raw or as "%00" in
 *     the request target. libmicrohttpd hands out C strings, so a raw NUL
 *     silently cuts a value ("X-Auth-Token: <valid>\0junk" reads as
 *     <valid>) and "%00" is decoded in place ("/v3/users/<id>%00junk"
 *     routes as "/v3/users/<id>", "?name=admin%00x" filters on "admin");
 *   - a header continued on the next line (obsolete line folding, which
 *     RFC 9112 section 5.2 lets a server refuse);
 *   - two or more X-Auth-Token, or X-Subject-Token, headers (otherwise the
 *     first one would silently win);
 *   - more than one of Content-Length and Transfer-Encoding, together
 *     (a proxy in front could frame the body differently);
 *   - a request body whose Content-Type is not JSON: Keystone's
 *     json_body_before_request, same rule and text.
 *
 * How a raw NUL is found. libmicrohttpd 0.9.75 parses the header block in
 * place in its read buffer: it writes a NUL over the space after the
 * method, the space before the HTTP version, each colon and each line
 * end (CR and LF, or a bare LF), and hands out pointers into that block.
 * Reading the block back, everything between the end of one string it
 * handed out and the start of the next is known: one NUL and spaces
 * (method to target), one NUL (target to version), one NUL and blanks
 * (name to value), one or two NULs (a line end), two to four (the last
 * line end and the empty line). A NUL sent by the client moves a string's
 * end (strlen stops at it) so the gap after it holds the rest of the cut
 * string, which screen_request finds. The request target is measured
 * before libmicrohttpd decodes it in place (screen_target, called from its
 * URI callback), and must end exactly where the version begins.
 *
 * One NUL cannot be seen this way: a NUL as the very last byte of a line
 * ended by a bare LF ("value\0\n") leaves the same two NULs as "\r\n". No
 * byte of the value is lost in that case.
 *
 * Threads: no state; call from any thread.
 */
#ifndef KG_SCREEN_H
#define KG_SCREEN_H

#include <stddef.h>

#include "common/err.h"

/* The request target as received, measured before it is decoded. */
struct screen_target {
	const char	*start;		/* first byte of the target, or NULL */
	size_t		 len;		/* strlen(start) before decoding */
	int		 pct00;		/* it contains "%00" */
};

/* One request header, as libmicrohttpd hands it out, in arrival order. */
struct screen_hdr {
	const char	*name;
	size_t		 name_len;
	const char	*value;
	size_t		 value_len;
};

struct screen_in {
	const char		*block;		/* header block parsed in place:
						   starts with the method */
	size_t			 block_len;	/* through the empty line */
	const char		*version;	/* "HTTP/1.1", inside block */
	struct screen_target	 target;
	const struct screen_hdr	*hdrs;
	size_t			 nhdrs;
};

/* Measure uri (as passed to libmicrohttpd's URI callback) into t. */
void	screen_target(const char *uri, struct screen_target *t);

/*
 * Check a request's line and headers (see above). Returns 0, or -1 with
 * a KG_EBADREQ in err whose message is the client-facing text.
 */
int	screen_request(const struct screen_in *in, struct kg_err *err);

/*
 * Keystone's Content-Type rule for a request that has a body: JSON is
 * "application/json" or "application/<x>+json" (parameters such as
 * "; charset=utf-8" ignored, any case), and a missing or empty header
 * counts as JSON. Returns 0, or -1 with Keystone's 400 in err.
 */
int	screen_content_type(const char *content_type, struct kg_err *err);

/* Keystone's ValidationError text: "Expecting to find <what> in <where>.
 * The server could not comply ... The client is assumed to be in error." */
int	screen_validation_error(struct kg_err *err, const char *what,
	    const char *where);

#endif /* KG_SCREEN_H */
