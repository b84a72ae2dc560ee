/*
 * test_screen.c - unit tests for server/screen.c. mhd_parse() below lays
 * a raw request out as libmicrohttpd 0.9.75 parses it in place (NULs over
 * the method's space, the version's space, each colon and each line end;
 * strings handed out up to their first NUL), which is what screen_request
 * reads back; the integration test it_strict drives the real library.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/screen.h"
#include "tests/t.h"

#define MAXH	16

struct parsed {
	char			 buf[2048];
	struct screen_in	 in;
	struct screen_hdr	 h[MAXH];
};

/* Next line from *pos and its length: NUL its end (CRLF or LF) like MHD. */
static char *
next_line(char *buf, size_t len, size_t *pos, size_t *line_len)
{
	size_t	i;
	char	*line = buf + *pos;

	for (i = *pos; i < len; i++) {
		if (buf[i] == '\r' && i + 1 < len && buf[i + 1] == '\n') {
			*line_len = i - *pos;
			buf[i] = buf[i + 1] = '\0';
			*pos = i + 2;
			return line;
		}
		if (buf[i] == '\n') {
			*line_len = i - *pos;
			buf[i] = '\0';
			*pos = i + 1;
			return line;
		}
	}
	return NULL;
}

/* Returns 0, or -1 where MHD itself would have refused the request. */
static int
mhd_parse(struct parsed *p, const char *raw, size_t len)
{
	char	*line, *sp, *v, *colon;
	size_t	 pos = 0, n;

	memset(p, 0, sizeof(*p));
	memcpy(p->buf, raw, len);
	if ((line = next_line(p->buf, len, &pos, &n)) == NULL)
		return -1;
	/* Method: up to the first space of the whole line; the version:
	 * after the last space (our lines have no trailing spaces). */
	if ((sp = memchr(line, ' ', n)) == NULL)
		return -1;
	*sp++ = '\0';
	while (*sp == ' ')
		sp++;
	for (v = line + n - 1; v > sp && *v != ' '; v--)
		;
	if (v <= sp || line + n - (v + 1) != 8)
		return -1;
	*v++ = '\0';			/* before the URI callback, as MHD */
	screen_target(sp, &p->in.target);
	p->in.block = p->buf;
	p->in.version = v;
	while ((line = next_line(p->buf, len, &pos, &n)) != NULL && line[0] != '\0') {
		if ((colon = strchr(line, ':')) == NULL || p->in.nhdrs == MAXH)
			return -1;
		*colon++ = '\0';
		while (*colon == ' ' || *colon == '\t')
			colon++;
		p->h[p->in.nhdrs].name = line;
		p->h[p->in.nhdrs].name_len = strlen(line);
		p->h[p->in.nhdrs].value = colon;
		p->h[p->in.nhdrs].value_len = strlen(colon);
		p->in.nhdrs++;
	}
	if (line == NULL)
		return -1;
	p->in.block_len = pos;
	p->in.hdrs = p->h;
	return 0;
}

static int
screened(const char *raw, size_t len)
{
	static struct parsed	p;
	struct kg_err		err = { 0 };

	if (mhd_parse(&p, raw, len) == -1)
		return -2;
	return screen_request(&p.in, &err);
}

#define S(lit)	screened(lit, sizeof(lit) - 1)
#define P(lit)	mhd_parse(&p, lit, sizeof(lit) - 1)

int
main(void)
{
	struct kg_err	err = { 0 };
	struct parsed	p;

	T("screen-1.1 a clean request", S("GET /v3 HTTP/1.1\r\nHost: x\r\n"
	    "X-Auth-Token: abc\r\n\r\n") == 0);
	T("screen-1.2 bare LF line ends", S("GET /v3 HTTP/1.1\nHost: x\n\n") == 0);
	T("screen-1.3 no headers", S("GET /v3 HTTP/1.0\r\n\r\n") == 0);
	T("screen-1.4 empty and blank values", S("GET /v3 HTTP/1.1\r\nA:\r\n"
	    "B:   \r\nC: \t x \r\n\r\n") == 0);
	T("screen-1.5 query and extra spaces", S("GET  /v3/users?name=a&b HTTP/1.1"
	    "\r\nHost: x\r\n\r\n") == 0);

	T("screen-2.1 raw NUL in the path", S("GET /v3/users\0junk HTTP/1.1\r\n"
	    "Host: x\r\n\r\n") == -1);
	T("screen-2.2 raw NUL in the query", S("GET /v3/users?name=admin\0x HTTP/1.1"
	    "\r\nHost: x\r\n\r\n") == -1);
	T("screen-2.3 %00 in the path", S("GET /v3/users/%00 HTTP/1.1\r\n\r\n") == -1);
	T("screen-2.4 %00 in the query", S("GET /v3/users?name=admin%00junk HTTP/1.1"
	    "\r\n\r\n") == -1);
	T("screen-2.5 raw NUL in a header value", S("GET /v3 HTTP/1.1\r\n"
	    "X-Auth-Token: good\0junk\r\nHost: x\r\n\r\n") == -1);
	T("screen-2.6 ... in the last header", S("GET /v3 HTTP/1.1\r\nHost: x\r\n"
	    "X-Auth-Token: good\0junk\r\n\r\n") == -1);
	T("screen-2.7 NUL right after the colon", S("GET /v3 HTTP/1.1\r\n"
	    "X-Auth-Token:\0good\r\n\r\n") == -1);
	T("screen-2.8 NUL then CRLF (3 NULs)", S("GET /v3 HTTP/1.1\r\nA: b\0\r\n"
	    "Host: x\r\n\r\n") == -1);
	T("screen-2.9 raw NUL in the method", S("GE\0T /v3 HTTP/1.1\r\n\r\n") == -1);
	T("screen-2.10 a line made of a NUL ends the headers early",
	    S("GET /v3 HTTP/1.1\r\nHost: x\r\n\0X-Auth-Token: a\r\n\r\n") == -1);
	/* The documented blind spot: "\0\n" and "\r\n" leave the same bytes. */
	T("screen-2.11 NUL before a bare LF is indistinguishable",
	    S("GET /v3 HTTP/1.1\r\nA: b\0\nHost: x\r\n\r\n") == 0);

	T("screen-3.1 two X-Auth-Token", S("GET /v3 HTTP/1.1\r\nX-Auth-Token: a\r\n"
	    "x-auth-token: b\r\n\r\n") == -1);
	T("screen-3.2 two X-Subject-Token", S("GET /v3 HTTP/1.1\r\n"
	    "X-Subject-Token: a\r\nX-Subject-Token: a\r\n\r\n") == -1);
	T("screen-3.3 one of each is fine", S("GET /v3 HTTP/1.1\r\nX-Auth-Token: a\r\n"
	    "X-Subject-Token: a\r\n\r\n") == 0);
	T("screen-3.4 Content-Length and Transfer-Encoding", S("POST /v3 HTTP/1.1\r\n"
	    "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n") == -1);
	T("screen-3.5 two Content-Length", S("POST /v3 HTTP/1.1\r\n"
	    "Content-Length: 2\r\nContent-Length: 3\r\n\r\n") == -1);
	P("GET /v3 HTTP/1.1\r\nX-Auth-Token: a\r\nX-Auth-Token: b\r\n\r\n");
	screen_request(&p.in, &err);
	T("screen-3.6 Keystone-style text", strcmp(err.msg, "Expecting to find a single"
	    " X-Auth-Token header in the request. The server could not comply with"
	    " the request since it is either malformed or otherwise incorrect. The"
	    " client is assumed to be in error.") == 0);

	/* A value copied out of the block: what MHD does to a folded line. */
	P("GET /v3 HTTP/1.1\r\nA: b\r\n\r\n");
	p.h[0].value = "b";
	T("screen-4.1 value outside the block (folding)",
	    screen_request(&p.in, &err) == -1 && strstr(err.msg, "folding") != NULL);
	P("GET /v3 HTTP/1.1\r\nA: b\r\n\r\n");
	p.in.target.start = NULL;
	T("screen-4.2 no target measured: refused", screen_request(&p.in, &err) == -1);

	T("screen-5.1 JSON", screen_content_type("application/json", &err) == 0);
	T("screen-5.2 with charset", screen_content_type("application/json; "
	    "charset=utf-8", &err) == 0);
	T("screen-5.3 any case, blanks", screen_content_type(" Application/JSON ;x",
	    &err) == 0);
	T("screen-5.4 +json", screen_content_type("application/vnd.openstack+json",
	    &err) == 0);
	T("screen-5.5 missing or empty", screen_content_type(NULL, &err) == 0 &&
	    screen_content_type("", &err) == 0);
	T("screen-5.6 text/plain", screen_content_type("text/plain", &err) == -1 &&
	    strcmp(err.msg, "Expecting to find application/json in Content-Type "
	    "header. The server could not comply with the request since it is "
	    "either malformed or otherwise incorrect. The client is assumed to be "
	    "in error.") == 0);
	T("screen-5.7 lookalikes", screen_content_type("application/jsonx", &err) == -1 &&
	    screen_content_type("text/json", &err) == -1 &&
	    screen_content_type("application/+json", &err) == -1 &&
	    screen_content_type("; charset=utf-8", &err) == -1 &&
	    screen_content_type("application/x-www-form-urlencoded", &err) == -1);
	return t_report();
}
