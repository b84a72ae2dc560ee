/*
 * test_h1.c - the gateway's new request parsing: CONNECT heads,
 * Proxy-Authorization (Bearer, Basic), body framing fields, pipelined
 * heads found by h1.c's framing (Content-Length, chunked), and the TLS
 * ClientHello parser (SNI, ALPN), split anywhere.
 */
#include <stdlib.h>
#include <string.h>

#include "gateway/h1.h"
#include "gateway/pkt.h"
#include "tests/t.h"
#include "tests/unit/tlsgen.h"

static enum http_status
hp(const char *s, struct http_req *r)
{
	return http_parse(s, strlen(s), r);
}

static void
test_connect(void)
{
	struct http_req	r;
	char		tok[64];

	T("h1-1.1 CONNECT host:port", hp("CONNECT svc.test:8443 HTTP/1.1\r\nHost: svc.test:8443"
	    "\r\nProxy-Authorization: Bearer abc.def\r\n\r\n", &r) == HTTP_COMPLETE &&
	    r.connect && r.path == NULL && r.target_len == 13 &&
	    memcmp(r.target, "svc.test:8443", 13) == 0);
	T("h1-1.1 Proxy-Authorization: Bearer is the token", r.token_len == 7 &&
	    memcmp(r.token, "abc.def", 7) == 0);
	T("h1-1.2 CONNECT [v6]:port", hp("CONNECT [fd00::1]:22 HTTP/1.1\r\n\r\n", &r) ==
	    HTTP_COMPLETE && r.connect);
	T("h1-1.3 CONNECT without a port", hp("CONNECT svc.test HTTP/1.1\r\n\r\n", &r) ==
	    HTTP_BAD);
	T("h1-1.3 CONNECT port 0 / 65536", hp("CONNECT a:0 HTTP/1.1\r\n\r\n", &r) == HTTP_BAD &&
	    hp("CONNECT a:65536 HTTP/1.1\r\n\r\n", &r) == HTTP_BAD);
	T("h1-1.3 CONNECT with a path", hp("CONNECT /x:1 HTTP/1.1\r\n\r\n", &r) == HTTP_BAD &&
	    hp("CONNECT a/b:1 HTTP/1.1\r\n\r\n", &r) == HTTP_BAD);
	T("h1-1.4 Proxy-Authorization and X-Auth-Token differ", hp("GET / HTTP/1.1\r\n"
	    "Proxy-Authorization: Bearer a\r\nX-Auth-Token: b\r\n\r\n", &r) == HTTP_AMBIGUOUS);
	T("h1-1.5 Basic located", hp("CONNECT h:22 HTTP/1.1\r\nProxy-Authorization: Basic "
	    "dG9rZW46YWJjLmRlZg==\r\n\r\n", &r) == HTTP_COMPLETE && r.token == NULL &&
	    r.basic_len == 20 && memcmp(r.basic, "dG9rZW46YWJjLmRlZg==", 20) == 0);
	T("h1-1.5 Basic twice", hp("GET / HTTP/1.1\r\nProxy-Authorization: Basic YTpi\r\n"
	    "Proxy-Authorization: Basic YTpj\r\n\r\n", &r) == HTTP_AMBIGUOUS);
	T("h1-1.6 Basic: the password is the token", http_basic_token("dG9rZW46YWJjLmRlZg==",
	    20, tok, sizeof(tok)) == 7 && strcmp(tok, "abc.def") == 0);
	T("h1-1.6 Basic: a colon in the token is kept", http_basic_token("dTphOmI=", 8, tok,
	    sizeof(tok)) == 3 && strcmp(tok, "a:b") == 0);
	T("h1-1.6 Basic: no colon, empty password, bad base64, too long",
	    http_basic_token("dG9rZW4=", 8, tok, sizeof(tok)) == -1 &&
	    http_basic_token("dTo=", 4, tok, sizeof(tok)) == -1 &&
	    http_basic_token("d*9r", 4, tok, sizeof(tok)) == -1 &&
	    http_basic_token("dTphYmNkZWZnaA==", 16, tok, 4) == -1 &&
	    http_basic_token("dTphYmM", 7, tok, sizeof(tok)) == -1);
	T("h1-1.6 Basic: control bytes in the token", http_basic_token("dTphCWI=", 8, tok,
	    sizeof(tok)) == -1);
}

static void
test_framing_fields(void)
{
	struct http_req	r;

	T("h1-2.1 no body", hp("GET / HTTP/1.1\r\n\r\n", &r) == HTTP_COMPLETE &&
	    r.content_length == -1 && !r.chunked && !r.bad_framing && !r.upgrade);
	T("h1-2.2 Content-Length", hp("POST / HTTP/1.1\r\nContent-Length: 42\r\n\r\n", &r) ==
	    HTTP_COMPLETE && r.content_length == 42 && !r.bad_framing);
	T("h1-2.2 the same Content-Length twice", hp("POST / HTTP/1.1\r\nContent-Length: 4\r\n"
	    "content-length: 4\r\n\r\n", &r) == HTTP_COMPLETE && !r.bad_framing);
	T("h1-2.3 two different Content-Lengths", hp("POST / HTTP/1.1\r\nContent-Length: 4\r\n"
	    "Content-Length: 5\r\n\r\n", &r) == HTTP_COMPLETE && r.bad_framing);
	T("h1-2.3 a list, a sign, junk", hp("POST / HTTP/1.1\r\nContent-Length: 4, 4\r\n\r\n",
	    &r) == HTTP_COMPLETE && r.bad_framing &&
	    hp("POST / HTTP/1.1\r\nContent-Length: +4\r\n\r\n", &r) == HTTP_COMPLETE &&
	    r.bad_framing && hp("POST / HTTP/1.1\r\nContent-Length:\r\n\r\n", &r) ==
	    HTTP_COMPLETE && r.bad_framing);
	T("h1-2.4 chunked", hp("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
	    &r) == HTTP_COMPLETE && r.chunked && !r.bad_framing);
	T("h1-2.4 chunked and Content-Length", hp("POST / HTTP/1.1\r\nContent-Length: 3\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", &r) == HTTP_COMPLETE && r.bad_framing);
	T("h1-2.4 a coding that is not chunked last", hp("POST / HTTP/1.1\r\n"
	    "Transfer-Encoding: chunked, gzip\r\n\r\n", &r) == HTTP_COMPLETE && r.bad_framing);
	T("h1-2.4 Transfer-Encoding on two lines", hp("POST / HTTP/1.1\r\n"
	    "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n", &r) ==
	    HTTP_COMPLETE && r.bad_framing);
	T("h1-2.4 chunked in HTTP/1.0", hp("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n"
	    "\r\n", &r) == HTTP_COMPLETE && r.bad_framing);
	T("h1-2.5 Upgrade", hp("GET / HTTP/1.1\r\nUpgrade: h2c\r\n\r\n", &r) == HTTP_COMPLETE &&
	    r.upgrade);
}

/* Feed stream s in pieces of at most step bytes; return the heads found. */
static int
heads_in(const char *s, size_t step, char paths[][16], int *bad)
{
	struct h1_framing	 f = { 0 };
	struct http_req		 r;
	char			 head[4096];
	size_t			 n = strlen(s), i = 0, hl = 0, k, used;
	int			 nheads = 0;

	*bad = 0;
	while (i < n) {
		k = n - i < step ? n - i : step;
		while (k > 0) {
			if (f.state != H1_HEAD) {
				used = h1_body(&f, (const uint8_t *)s + i, k);
				i += used;
				k -= used;
				if (f.state == H1_BAD) {
					*bad = 1;
					return nheads;
				}
				continue;
			}
			memcpy(head + hl, s + i, k);
			if (http_parse(head, hl + k, &r) == HTTP_INCOMPLETE) {
				hl += k;
				i += k;
				k = 0;
				continue;
			}
			if (http_parse(head, hl + k, &r) != HTTP_COMPLETE) {
				*bad = 1;
				return nheads;
			}
			used = r.head_len - hl;
			snprintf(paths[nheads++], 16, "%.*s", (int)r.path_len, r.path);
			if (h1_after_head(&f, &r) == -1) {
				*bad = 1;
				return nheads;
			}
			hl = 0;
			i += used;
			k -= used;
		}
	}
	return nheads;
}

#define PIPE "POST /a HTTP/1.1\r\nContent-Length: 35\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n" \
	"POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" \
	"5;ext=1\r\nGET /\r\n1a\r\nGET /hidden HTTP/1.1\r\n\r\n\r\n\r\n0\r\n\r\n" \
	"GET /c HTTP/1.1\r\n\r\nCONNECT h:22 HTTP/1.1\r\n\r\nGET /tunnel HTTP/1.1\r\n\r\n"

static void
test_pipeline(void)
{
	char		paths[16][16];
	size_t		step;
	int		n, bad, ok = 1;

	for (step = 1; step <= strlen(PIPE); step++) {
		n = heads_in(PIPE, step, paths, &bad);
		if (n != 4 || bad || strcmp(paths[0], "/a") != 0 || strcmp(paths[1], "/b") != 0 ||
		    strcmp(paths[2], "/c") != 0) {
			printf("    step %zu: %d heads, bad %d\n", step, n, bad);
			ok = 0;
			break;
		}
	}
	T("h1-3.1 pipelined heads found in order, bodies skipped, split anywhere", ok);
	T("h1-3.1 bodies that look like requests are not heads", n == 4 &&
	    strcmp(paths[3], "h:22") != 0);
	n = heads_in("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n",
	    7, paths, &bad);
	T("h1-3.2 chunk line without CR refused", bad && n == 1);
	n = heads_in("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n", 100, paths,
	    &bad);
	T("h1-3.2 chunk size not hex refused", bad && n == 1);
	n = heads_in("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n", 100,
	    paths, &bad);
	T("h1-3.2 chunk data longer than its size refused", bad && n == 1);
	n = heads_in("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-Auth-Token: t"
	    "\r\n\r\n", 100, paths, &bad);
	T("h1-3.2 a trailer field refused", bad && n == 1);
	n = heads_in("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1234567890abcdef0\r\n",
	    100, paths, &bad);
	T("h1-3.2 a chunk size too long refused", bad && n == 1);
	n = heads_in("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n", 100, paths, &bad);
	T("h1-3.3 Upgrade: the gateway cannot follow what comes next", bad && n == 1);
	n = heads_in("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 100,
	    paths, &bad);
	T("h1-3.3 conflicting lengths refused", bad && n == 1);
	n = heads_in("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\nGET /n HTTP/1.1\r\n\r\n", 5,
	    paths, &bad);
	T("h1-3.4 an empty body", n == 2 && !bad && strcmp(paths[1], "/n") == 0);
}

/* ------------------------------------------------------------------ */

static void
test_tls(void)
{
	uint8_t			buf[8192], two[8192];
	struct tls_hello	h;
	size_t			n, i, half;
	int			ok;

	n = client_hello(buf, "Svc.Test", "h2,http/1.1", 0);
	T("tls-1.1 looks like TLS", tls_looks_like(buf, n) && !tls_looks_like((uint8_t *)"GET",
	    3));
	T("tls-1.1 ClientHello parsed", tls_parse_hello(buf, n, 16384, &h) == TLS_COMPLETE);
	T("tls-1.1 SNI lower-cased", strcmp(h.sni, "svc.test") == 0);
	T("tls-1.1 ALPN list", h.nalpn == 2 && strcmp(h.alpn[0], "h2") == 0 &&
	    strcmp(h.alpn[1], "http/1.1") == 0 && h.len == n);
	for (i = 0, ok = 1; i < n; i++)
		if (tls_parse_hello(buf, i, 16384, &h) != TLS_INCOMPLETE)
			ok = 0;
	T("tls-1.2 every proper prefix is incomplete", ok);
	/* the same handshake message in two records */
	half = (n - 5) / 2;
	memcpy(two, buf, 5 + half);
	put16(two + 3, half);
	two[5 + half] = 22;
	two[5 + half + 1] = 3;
	two[5 + half + 2] = 1;
	put16(two + 5 + half + 3, n - 5 - half);
	memcpy(two + 5 + half + 5, buf + 5 + half, n - 5 - half);
	T("tls-1.3 split over two records", tls_parse_hello(two, n + 5, 16384, &h) ==
	    TLS_COMPLETE && strcmp(h.sni, "svc.test") == 0 && h.nalpn == 2);
	for (i = 0, ok = 1; i < n + 5; i++)
		if (tls_parse_hello(two, i, 16384, &h) != TLS_INCOMPLETE)
			ok = 0;
	T("tls-1.3 every prefix of the two records is incomplete", ok);
	T("tls-1.3 over the size limit", tls_parse_hello(two, n + 5, 64, &h) == TLS_BAD);

	n = client_hello(buf, NULL, NULL, 0);
	T("tls-1.4 no SNI, no ALPN", tls_parse_hello(buf, n, 16384, &h) == TLS_COMPLETE &&
	    h.sni[0] == '\0' && h.nalpn == 0);
	n = client_hello(buf, "a.test", NULL, 1);
	T("tls-1.5 server_name twice", tls_parse_hello(buf, n, 16384, &h) == TLS_AMBIGUOUS);
	n = client_hello(buf, "a_b.test", NULL, 0);
	T("tls-1.5 not a DNS name", tls_parse_hello(buf, n, 16384, &h) == TLS_BAD);
	n = client_hello(buf, "a..test", NULL, 0);
	T("tls-1.5 empty label", tls_parse_hello(buf, n, 16384, &h) == TLS_BAD);
	n = client_hello(buf, "a.test", "h2", 0);
	buf[5] = 2;				/* ServerHello */
	T("tls-1.6 not a ClientHello", tls_parse_hello(buf, n, 16384, &h) == TLS_BAD);
	T("tls-1.6 an alert record", tls_parse_hello((uint8_t *)"\x15\x03\x03\x00\x02\x02\x28",
	    7, 16384, &h) == TLS_BAD);
	n = client_hello(buf, "a.test", "h2", 0);
	buf[n - 8] ^= 0x40;			/* corrupt an extension length */
	T("tls-1.6 corrupt lengths refused, never read past the end",
	    tls_parse_hello(buf, n, 16384, &h) != TLS_COMPLETE || h.len == n);
}

int
main(void)
{
	test_connect();
	test_framing_fields();
	test_pipeline();
	test_tls();
	return t_report();
}
