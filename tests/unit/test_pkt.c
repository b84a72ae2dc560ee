/*
 * test_pkt.c - the gateway's pure parsers: IPv4/IPv6/TCP headers, the
 * HTTP request head, path normalization.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/pkt.h"
#include "tests/t.h"

/* Build IPv4 + TCP around payload into buf; returns the length. */
static size_t
mk4(uint8_t *buf, const char *payload, size_t plen, uint8_t flags, uint32_t seq,
    int ihl, int doff)
{
	size_t	ipl = (size_t)ihl * 4, tcpl = (size_t)doff * 4, tot = ipl + tcpl + plen;

	memset(buf, 0, ipl + tcpl);
	buf[0] = (uint8_t)(0x40 | ihl);
	buf[2] = (uint8_t)(tot >> 8);
	buf[3] = (uint8_t)tot;
	buf[8] = 64;
	buf[9] = 6;
	memcpy(buf + 12, "\x0a\x00\x00\x02", 4);
	memcpy(buf + 16, "\x0a\x00\x00\x01", 4);
	buf[ipl] = 0xd4;		/* sport 54321 */
	buf[ipl + 1] = 0x31;
	buf[ipl + 2] = 0x1f;		/* dport 8080 */
	buf[ipl + 3] = 0x90;
	buf[ipl + 4] = (uint8_t)(seq >> 24);
	buf[ipl + 5] = (uint8_t)(seq >> 16);
	buf[ipl + 6] = (uint8_t)(seq >> 8);
	buf[ipl + 7] = (uint8_t)seq;
	buf[ipl + 12] = (uint8_t)(doff << 4);
	buf[ipl + 13] = flags;
	memcpy(buf + ipl + tcpl, payload, plen);
	return tot;
}

/* IPv6 + ext headers (each 8 bytes, type list ext[]) + TCP. */
static size_t
mk6(uint8_t *buf, const char *payload, size_t plen, const uint8_t *ext, int next,
    uint16_t fragfield)
{
	size_t	off = 40, i;
	uint8_t	nh = next > 0 ? ext[0] : 6;

	memset(buf, 0, 40);
	buf[0] = 0x60;
	buf[6] = nh;
	buf[7] = 64;
	inet_pton(AF_INET6, "fd77::2", buf + 8);
	inet_pton(AF_INET6, "fd77::1", buf + 24);
	for (i = 0; i < (size_t)next; i++) {
		memset(buf + off, 0, 8);
		buf[off] = i + 1 < (size_t)next ? ext[i + 1] : 6;
		if (ext[i] == 44) {
			buf[off + 2] = (uint8_t)(fragfield >> 8);
			buf[off + 3] = (uint8_t)fragfield;
		}
		off += 8;
	}
	memset(buf + off, 0, 20);
	buf[off + 1] = 80;		/* sport 80 */
	buf[off + 3] = 80;		/* dport 80 */
	buf[off + 12] = 5 << 4;
	buf[off + 13] = TCPF_ACK | TCPF_PSH;
	memcpy(buf + off + 20, payload, plen);
	buf[4] = (uint8_t)((off - 40 + 20 + plen) >> 8);
	buf[5] = (uint8_t)(off - 40 + 20 + plen);
	return off + 20 + plen;
}

static void
test_ip(void)
{
	uint8_t		 b[2048];
	struct pkt_info	 p;
	char		 s[PKT_FLOW_STRLEN];
	size_t		 n;
	uint8_t		 ext[4];

	n = mk4(b, "GET /", 5, TCPF_ACK | TCPF_PSH, 1000, 5, 5);
	T("pkt-1.1 IPv4 TCP parses", pkt_parse(b, n, &p) == PKT_OK);
	T("pkt-1.1 family/ports", p.flow.family == 4 && p.flow.sport == 54321 &&
	    p.flow.dport == 8080);
	T("pkt-1.1 addresses", memcmp(p.flow.saddr, "\x0a\x00\x00\x02", 4) == 0 &&
	    memcmp(p.flow.daddr, "\x0a\x00\x00\x01", 4) == 0);
	T("pkt-1.1 seq/flags/payload", p.seq == 1000 && p.flags == (TCPF_ACK | TCPF_PSH) &&
	    p.paylen == 5 && memcmp(p.payload, "GET /", 5) == 0 && !p.truncated);
	pkt_flow_str(&p.flow, s);
	T("pkt-1.1 flow string", strcmp(s, "tcp 10.0.0.2:54321->10.0.0.1:8080") == 0);

	n = mk4(b, "xy", 2, TCPF_ACK, 7, 6, 8);
	T("pkt-1.2 IPv4 options and TCP options", pkt_parse(b, n, &p) == PKT_OK &&
	    p.paylen == 2 && memcmp(p.payload, "xy", 2) == 0);

	n = mk4(b, "", 0, TCPF_SYN, 1, 5, 5);
	T("pkt-1.3 SYN without payload", pkt_parse(b, n, &p) == PKT_OK &&
	    p.paylen == 0 && p.flags == TCPF_SYN);
	T("pkt-1.3 short IPv4 header", pkt_parse(b, 19, &p) == PKT_EMALFORMED);
	T("pkt-1.3 empty buffer", pkt_parse(b, 0, &p) == PKT_EMALFORMED);
	b[0] = 0x44;
	T("pkt-1.3 IHL below 5", pkt_parse(b, n, &p) == PKT_EMALFORMED);
	n = mk4(b, "", 0, TCPF_ACK, 1, 5, 5);
	b[2] = 0;
	b[3] = 10;
	T("pkt-1.3 total length below header", pkt_parse(b, n, &p) == PKT_EMALFORMED);

	n = mk4(b, "abc", 3, TCPF_ACK, 1, 5, 5);
	b[6] = 0x20;
	T("pkt-1.4 more-fragments refused", pkt_parse(b, n, &p) == PKT_EFRAGMENT);
	b[6] = 0x00;
	b[7] = 0x10;
	T("pkt-1.4 fragment offset refused", pkt_parse(b, n, &p) == PKT_EFRAGMENT);
	b[7] = 0;
	b[6] = 0x40;		/* DF is fine */
	T("pkt-1.4 DF is not a fragment", pkt_parse(b, n, &p) == PKT_OK);

	n = mk4(b, "abc", 3, TCPF_ACK, 1, 5, 5);
	b[9] = 17;
	T("pkt-1.5 UDP is not TCP", pkt_parse(b, n, &p) == PKT_ENOTTCP);

	n = mk4(b, "abc", 3, TCPF_ACK, 1, 5, 5);
	b[20 + 12] = 4 << 4;
	T("pkt-1.6 TCP data offset below 5", pkt_parse(b, n, &p) == PKT_EMALFORMED);
	b[20 + 12] = 15 << 4;
	T("pkt-1.6 TCP data offset past the end", pkt_parse(b, n, &p) == PKT_EMALFORMED);
	(void)mk4(b, "abc", 3, TCPF_ACK, 1, 5, 5);	/* only its first 30 bytes */
	T("pkt-1.6 TCP header cut", pkt_parse(b, 30, &p) == PKT_EMALFORMED);

	n = mk4(b, "abcdef", 6, TCPF_ACK, 1, 5, 5);
	T("pkt-1.7 copy shorter than IP length: truncated",
	    pkt_parse(b, n - 2, &p) == PKT_OK && p.truncated && p.paylen == 4);

	n = mk6(b, "GET /", 5, NULL, 0, 0);
	T("pkt-1.8 IPv6 TCP", pkt_parse(b, n, &p) == PKT_OK && p.flow.family == 6 &&
	    p.paylen == 5 && p.flow.dport == 80);
	pkt_flow_str(&p.flow, s);
	T("pkt-1.8 IPv6 flow string", strcmp(s, "tcp [fd77::2]:80->[fd77::1]:80") == 0);
	ext[0] = 0;
	ext[1] = 60;
	n = mk6(b, "GET /", 5, ext, 2, 0);
	T("pkt-1.8 hop-by-hop + destination options skipped",
	    pkt_parse(b, n, &p) == PKT_OK && p.paylen == 5 &&
	    memcmp(p.payload, "GET /", 5) == 0);
	ext[0] = 44;
	n = mk6(b, "GET /", 5, ext, 1, 0);
	T("pkt-1.8 atomic fragment header is fine", pkt_parse(b, n, &p) == PKT_OK);
	n = mk6(b, "GET /", 5, ext, 1, 1);
	T("pkt-1.8 IPv6 fragment (M) refused", pkt_parse(b, n, &p) == PKT_EFRAGMENT);
	n = mk6(b, "GET /", 5, ext, 1, 8);
	T("pkt-1.8 IPv6 fragment offset refused", pkt_parse(b, n, &p) == PKT_EFRAGMENT);
	ext[0] = 59;
	n = mk6(b, "", 0, ext, 1, 0);
	T("pkt-1.8 no next header", pkt_parse(b, n, &p) == PKT_ENOTTCP);
	ext[0] = 17;
	n = mk6(b, "", 0, ext, 1, 0);
	T("pkt-1.8 IPv6 UDP", pkt_parse(b, n, &p) == PKT_ENOTTCP);
	ext[0] = 0;
	n = mk6(b, "", 0, ext, 1, 0);
	T("pkt-1.8 extension header cut", pkt_parse(b, 44, &p) == PKT_EMALFORMED);
	b[41] = 200;		/* hop-by-hop claims 1608 bytes */
	T("pkt-1.8 extension header too long", pkt_parse(b, n, &p) == PKT_EMALFORMED);
	T("pkt-1.8 short IPv6 header", pkt_parse(b, 39, &p) == PKT_EMALFORMED);

	b[0] = 0x50;
	T("pkt-1.9 IP version 5", pkt_parse(b, 60, &p) == PKT_EFAMILY);
}

#define REQ "GET /v3/users?limit=1 HTTP/1.1\r\nHost: x\r\nX-Auth-Token: abc.def.ghi\r\n" \
	    "Accept: */*\r\n\r\nBODY"

static enum http_status
hp(const char *s, struct http_req *r)
{
	return http_parse(s, strlen(s), r);
}

static void
test_http(void)
{
	struct http_req	 r;
	size_t		 i, n = strlen(REQ);
	int		 ok;
	char		 buf[300];

	T("http-2.1 complete request", hp(REQ, &r) == HTTP_COMPLETE);
	T("http-2.1 method", r.method_len == 3 && memcmp(r.method, "GET", 3) == 0);
	T("http-2.1 path without query", r.path_len == 9 && memcmp(r.path, "/v3/users", 9) == 0);
	T("http-2.1 target", r.target_len == 17);
	T("http-2.1 token", r.token_len == 11 && memcmp(r.token, "abc.def.ghi", 11) == 0);
	T("http-2.1 head length excludes body", r.head_len == n - 4 && r.minor == 1);

	for (i = 0, ok = 1; i < n - 4; i++)
		if (http_parse(REQ, i, &r) != HTTP_INCOMPLETE)
			ok = 0;
	T("http-2.2 every proper prefix is incomplete", ok);

	T("http-2.3 bearer token", hp("GET / HTTP/1.1\r\nauthorization: bearer   t.o.k\r\n\r\n",
	    &r) == HTTP_COMPLETE && r.token_len == 5 && memcmp(r.token, "t.o.k", 5) == 0);
	T("http-2.3 basic auth is no token", hp("GET / HTTP/1.1\r\nAuthorization: Basic "
	    "YTpi\r\n\r\n", &r) == HTTP_COMPLETE && r.token == NULL);
	T("http-2.3 Bearer without a space", hp("GET / HTTP/1.1\r\nAuthorization: "
	    "Bearerxyz\r\n\r\n", &r) == HTTP_COMPLETE && r.token == NULL);
	T("http-2.3 empty X-Auth-Token is no token", hp("GET / HTTP/1.1\r\nX-Auth-Token:"
	    "  \r\n\r\n", &r) == HTTP_COMPLETE && r.token == NULL);
	T("http-2.3 header names case-insensitive", hp("GET / HTTP/1.1\r\nx-AUTH-token: "
	    "q \r\n\r\n", &r) == HTTP_COMPLETE && r.token_len == 1 && r.token[0] == 'q');
	T("http-2.4 LF-only lines", hp("GET /a HTTP/1.0\nX-Auth-Token: t\n\n", &r) ==
	    HTTP_COMPLETE && r.minor == 0 && r.token_len == 1 && r.head_len == 33);
	T("http-2.4 no headers at all", hp("GET / HTTP/1.1\r\n\r\n", &r) == HTTP_COMPLETE &&
	    r.token == NULL);

	T("http-2.5 binary garbage refused at once", http_parse("\x16\x03\x01", 3, &r) ==
	    HTTP_BAD);
	T("http-2.5 TLS ClientHello refused", http_parse("\x16", 1, &r) == HTTP_BAD);
	T("http-2.5 empty method", hp(" / HTTP/1.1\r\n\r\n", &r) == HTTP_BAD);
	T("http-2.5 two spaces", hp("GET  / HTTP/1.1\r\n\r\n", &r) == HTTP_BAD);
	T("http-2.5 HTTP/2 preface", hp("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", &r) == HTTP_BAD);
	T("http-2.5 HTTP/0.9", hp("GET /\r\n", &r) == HTTP_BAD);
	T("http-2.5 version letters", hp("GET / HTTP/1.x\r\n", &r) == HTTP_BAD);
	T("http-2.5 SSH banner", hp("SSH-2.0-OpenSSH_9.2\r\n", &r) == HTTP_BAD);
	memset(buf, 'A', sizeof(buf));
	T("http-2.5 method too long", http_parse(buf, HTTP_MAX_METHOD + 2, &r) == HTTP_BAD);

	T("http-2.6 obs-fold refused", hp("GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", &r) ==
	    HTTP_BAD);
	T("http-2.6 space before colon", hp("GET / HTTP/1.1\r\nX-Auth-Token : t\r\n\r\n",
	    &r) == HTTP_BAD);
	T("http-2.6 bare CR in a value", hp("GET / HTTP/1.1\r\nA: b\rc\r\n\r\n", &r) ==
	    HTTP_BAD);
	T("http-2.6 bare CR line", hp("GET / HTTP/1.1\r\n\rX\r\n", &r) == HTTP_BAD);
	T("http-2.6 NUL in a value", http_parse("GET / HTTP/1.1\r\nA: \0b\r\n\r\n", 24, &r) ==
	    HTTP_BAD);
	T("http-2.6 header without colon", hp("GET / HTTP/1.1\r\nnocolon\r\n\r\n", &r) ==
	    HTTP_BAD);
	T("http-2.6 control byte in target", hp("GET /\x01 HTTP/1.1\r\n\r\n", &r) == HTTP_BAD);

	T("http-2.7 same token twice is fine", hp("GET / HTTP/1.1\r\nX-Auth-Token: t\r\n"
	    "Authorization: Bearer t\r\n\r\n", &r) == HTTP_COMPLETE && r.token_len == 1);
	T("http-2.7 two different tokens", hp("GET / HTTP/1.1\r\nX-Auth-Token: t\r\n"
	    "X-Auth-Token: u\r\n\r\n", &r) == HTTP_AMBIGUOUS);
	T("http-2.7 token vs bearer differ", hp("GET / HTTP/1.1\r\nAuthorization: Bearer t"
	    "\r\nX-Auth-Token: u\r\n\r\n", &r) == HTTP_AMBIGUOUS);

	T("http-2.8 absolute-form", hp("GET http://h:80/a/b?x HTTP/1.1\r\n\r\n", &r) ==
	    HTTP_COMPLETE && r.path_len == 4 && memcmp(r.path, "/a/b", 4) == 0);
	T("http-2.8 absolute-form without path", hp("GET http://h HTTP/1.1\r\n\r\n", &r) ==
	    HTTP_COMPLETE && r.path_len == 1 && r.path[0] == '/');
	T("http-2.8 asterisk-form", hp("OPTIONS * HTTP/1.1\r\n\r\n", &r) == HTTP_COMPLETE &&
	    r.path_len == 1 && r.path[0] == '*');
	T("http-2.8 fragment cut", hp("GET /a#f HTTP/1.1\r\n\r\n", &r) == HTTP_COMPLETE &&
	    r.path_len == 2);
}

static int
norm_is(const char *in, const char *want)
{
	char	out[256];
	long	n = http_path_normalize(in, strlen(in), out, sizeof(out));

	if (want == NULL)
		return n == -1;
	return n >= 0 && strcmp(out, want) == 0 && (size_t)n == strlen(want);
}

static void
test_path(void)
{
	char	out[4];

	T("path-3.1 plain", norm_is("/v3/users", "/v3/users"));
	T("path-3.1 root", norm_is("/", "/"));
	T("path-3.2 repeated slashes collapse", norm_is("//v3///users/", "/v3/users/"));
	T("path-3.2 percent-decoding", norm_is("/v3/%75sers", "/v3/users"));
	T("path-3.2 query and fragment cut", norm_is("/a?b=/../c", "/a") &&
	    norm_is("/a#x", "/a"));
	T("path-3.2 asterisk", norm_is("*", "*"));
	T("path-3.2 dots inside names are fine", norm_is("/.well-known/a..b/...", "/.well-known/a..b/..."));
	T("path-3.3 dot-dot refused", norm_is("/a/../b", NULL));
	T("path-3.3 trailing dot-dot refused", norm_is("/a/..", NULL));
	T("path-3.3 dot refused", norm_is("/a/./b", NULL) && norm_is("/.", NULL));
	T("path-3.3 encoded dot-dot refused", norm_is("/a/%2e%2E/b", NULL) &&
	    norm_is("/a/.%2e", NULL));
	T("path-3.3 dot-dot with parameters refused", norm_is("/a/..;x/b", NULL));
	T("path-3.3 encoded slash refused", norm_is("/a%2fb", NULL) && norm_is("/a%2Fb", NULL));
	T("path-3.3 backslash refused", norm_is("/a\\b", NULL) && norm_is("/a%5cb", NULL));
	T("path-3.3 encoded NUL / control refused", norm_is("/a%00", NULL) &&
	    norm_is("/a%0a", NULL));
	T("path-3.3 bad escapes refused", norm_is("/a%zz", NULL) && norm_is("/a%4", NULL) &&
	    norm_is("/a%", NULL));
	T("path-3.3 relative refused", norm_is("a/b", NULL) && norm_is("", NULL));
	T("path-3.4 too long for the buffer", http_path_normalize("/abcd", 5, out,
	    sizeof(out)) == -1);
	T("path-3.4 fits exactly", http_path_normalize("/ab", 3, out, sizeof(out)) == 3);
}

/* Ones' complement sum over buf (an independent check of the checksums). */
static uint16_t
sum16(const uint8_t *b, size_t n, uint32_t s)
{
	size_t	i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static void
test_build(void)
{
	struct pkt_flow	 f = { 4, { 10, 77, 0, 2 }, { 10, 77, 0, 1 }, 40000, 8080 };
	struct pkt_flow	 f6 = { 6, { 0xfd, 0x77, [15] = 2 }, { 0xfd, 0x77, [15] = 1 }, 40001, 443 };
	struct pkt_info	 pi;
	uint8_t		 b[PKT_TCP_MAX], pseudo[40];
	size_t		 n;
	uint32_t	 s;

	n = pkt_build_tcp(b, sizeof(b), &f, 0, 1000, 0, TCPF_RST);
	T("build-4.1 RST to the server parses back", n == 40 && pkt_parse(b, n, &pi) == PKT_OK &&
	    pi.flow.sport == 40000 && pi.flow.dport == 8080 && pi.seq == 1000 &&
	    pi.flags == TCPF_RST && pi.paylen == 0 &&
	    memcmp(pi.flow.saddr, f.saddr, 4) == 0 && memcmp(pi.flow.daddr, f.daddr, 4) == 0);
	T("build-4.1 IPv4 header checksum", sum16(b, 20, 0) == 0xffff);
	memcpy(pseudo, b + 12, 8);
	s = 6 + 20 + sum16(pseudo, 8, 0);
	T("build-4.1 TCP checksum", sum16(b + 20, 20, s) == 0xffff);
	n = pkt_build_tcp(b, sizeof(b), &f, 1, 77, 99, TCPF_ACK);
	T("build-4.2 probe to the client: reversed, with its ack", n == 40 &&
	    pkt_parse(b, n, &pi) == PKT_OK && pi.flow.sport == 8080 &&
	    pi.flow.dport == 40000 && pi.seq == 77 && pi.ack == 99 &&
	    memcmp(pi.flow.saddr, f.daddr, 4) == 0);
	n = pkt_build_tcp(b, sizeof(b), &f6, 1, 5, 6, TCPF_RST | TCPF_ACK);
	memcpy(pseudo, b + 8, 32);
	s = 6 + 20 + sum16(pseudo, 32, 0);
	T("build-4.3 IPv6: parses back, TCP checksum", n == 60 &&
	    pkt_parse(b, n, &pi) == PKT_OK && pi.flow.family == 6 && pi.flow.sport == 443 &&
	    pi.ack == 6 && sum16(b + 40, 20, s) == 0xffff);
	T("build-4.4 too small a buffer", pkt_build_tcp(b, 39, &f, 0, 1, 1, TCPF_RST) == 0);
}

int
main(void)
{
	test_ip();
	test_build();
	test_http();
	test_path();
	return t_report();
}
