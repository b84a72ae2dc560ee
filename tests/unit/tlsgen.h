/*
 * tlsgen.h - a TLS 1.3-style ClientHello for the gateway's unit tests
 * (test_h1, test_verdict): SNI, ALPN, an unknown extension.
 */
#ifndef KG_TESTS_TLSGEN_H
#define KG_TESTS_TLSGEN_H

#include <stdint.h>
#include <string.h>

static size_t
put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return 2;
}

/* A ClientHello with sni (NULL: none) and ALPN alpn ("h2,http/1.1"). */
static size_t __attribute__((unused))
client_hello(uint8_t *out, const char *sni, const char *alpn, int dup_sni)
{
	uint8_t	 ext[2048], body[4096];
	size_t	 e = 0, b = 0, n, l;
	const char *p, *c;
	int	 k;

	for (k = 0; sni != NULL && k < 1 + dup_sni; k++) {
		n = strlen(sni);
		e += put16(ext + e, 0);
		e += put16(ext + e, n + 5);
		e += put16(ext + e, n + 3);
		ext[e++] = 0;
		e += put16(ext + e, n);
		memcpy(ext + e, sni, n);
		e += n;
	}
	if (alpn != NULL) {
		size_t	start;

		e += put16(ext + e, 16);
		start = e;
		e += 4;
		for (p = alpn; *p; p = *c ? c + 1 : c) {
			c = strchr(p, ',');
			if (c == NULL)
				c = p + strlen(p);
			l = (size_t)(c - p);
			ext[e++] = (uint8_t)l;
			memcpy(ext + e, p, l);
			e += l;
		}
		put16(ext + start, e - start - 2);
		put16(ext + start + 2, e - start - 4);
	}
	/* an unknown extension (padding) */
	e += put16(ext + e, 21);
	e += put16(ext + e, 3);
	memset(ext + e, 0, 3);
	e += 3;
	b += put16(body + b, 0x0303);
	memset(body + b, 0xab, 32);
	b += 32;
	body[b++] = 0;				/* session id */
	b += put16(body + b, 4);
	b += put16(body + b, 0x1301);
	b += put16(body + b, 0x1302);
	body[b++] = 1;
	body[b++] = 0;
	b += put16(body + b, e);
	memcpy(body + b, ext, e);
	b += e;
	out[0] = 22;
	out[1] = 3;
	out[2] = 1;
	put16(out + 3, b + 4);
	out[5] = 1;
	out[6] = (uint8_t)(b >> 16);
	out[7] = (uint8_t)(b >> 8);
	out[8] = (uint8_t)b;
	memcpy(out + 9, body, b);
	return 9 + b;
}

#endif /* KG_TESTS_TLSGEN_H */
