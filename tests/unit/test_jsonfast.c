/*
 * test_jsonfast.c - common/jsonfast.c must behave exactly as
 * json_loadb(..., JSON_REJECT_DUPLICATES, ...): same tree (values and key
 * order) or same error, on hand-picked inputs and on random mutations of
 * request bodies. Also checks that the fast path is really taken on the
 * subset and declines everything else.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonfast.h"
#include "tests/t.h"

/* 1 when kg_json_loadb and json_loadb agree on buf[0..n). */
static int
agree(const char *buf, size_t n)
{
	json_error_t	 e1, e2;
	json_t		*a, *b;
	char		*da = NULL, *db = NULL;
	int		 ok;

	memset(&e1, 0x55, sizeof(e1));
	memset(&e2, 0x55, sizeof(e2));
	a = kg_json_loadb(buf, n, &e1);
	b = json_loadb(buf, n, JSON_REJECT_DUPLICATES, &e2);
	if (a == NULL || b == NULL)
		ok = a == NULL && b == NULL;
	else {
		da = json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY);
		db = json_dumps(b, JSON_COMPACT | JSON_ENCODE_ANY);
		ok = da != NULL && db != NULL && strcmp(da, db) == 0 && json_equal(a, b);
	}
	ok = ok && strcmp(e1.text, e2.text) == 0 && strcmp(e1.source, e2.source) == 0 &&
	    e1.line == e2.line && e1.column == e2.column && e1.position == e2.position;
	if (!ok)
		printf("disagree on [%.*s]: %s / %s\n", (int)(n > 200 ? 200 : n), buf,
		    a ? "ok" : e1.text, b ? "ok" : e2.text);
	free(da);
	free(db);
	json_decref(a);
	json_decref(b);
	return ok;
}

/* 1 when the fast path alone takes s (then it also agrees). */
static int
fast(const char *s)
{
	json_t	*v = kg_json_loadb_fast(s, strlen(s));

	json_decref(v);
	return v != NULL && agree(s, strlen(s));
}

/* 1 when the fast path declines s and the whole agrees with jansson. */
static int
declined(const char *s, size_t n)
{
	json_t	*v = kg_json_loadb_fast(s, n);

	json_decref(v);
	return v == NULL && agree(s, n);
}

#define DECLINED(s)	declined((s), sizeof(s) - 1)

static uint64_t	rng = 0x9e3779b97f4a7c15ULL;

static unsigned int
rnd(unsigned int n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned int)(rng % n);
}

static const char *const seeds[] = {
	"{\"auth\":{\"identity\":{\"methods\":[\"token\"],\"token\":{\"id\":"
	    "\"eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJrZXlnYXRlIn0.c2ln\"}},\"scope\":"
	    "{\"project\":{\"name\":\"admin\",\"domain\":{\"id\":\"default\"}}}}}",
	"{\"auth\": {\"identity\": {\"methods\": [\"password\"], \"password\": "
	    "{\"user\": {\"name\": \"admin\", \"domain\": {\"id\": \"default\"}, "
	    "\"password\": \"s3cr3t\"}}}, \"scope\": \"unscoped\"}}",
	"{\"user\":{\"name\":\"u\",\"enabled\":true,\"default_project_id\":null,"
	    "\"options\":{},\"tags\":[],\"extra\":[true,false,null,[],{}]}}",
	"[ {\"a\" : [ \"b\" , {\"c\":\"d\"} ] } , [ [ ] ] ]",
	"{\"n\":12,\"f\":1.5e3,\"u\":\"\\u00e9\",\"x\":\"caf\xc3\xa9\"}",
};

/* A random structure from the subset's alphabet and a few outsiders. */
static size_t
gen(char *out, size_t cap, int depth)
{
	static const char *const atoms[] = { "\"\"", "\"a\"", "\"key\"", "true",
	    "false", "null", "\"x y\"", "\"~\\u0041\"", "1", "-0", "\"\x7f\"",
	    "\"\\n\"", "01", "tru", "\"\xff\"" };
	size_t	n = 0, i, k;
	int	obj;

	if (cap < 64)
		return 0;
	if (depth > 4 || rnd(3) == 0) {
		const char *a = atoms[rnd(sizeof(atoms) / sizeof(atoms[0]))];

		n = strlen(a);
		memcpy(out, a, n);
		return n;
	}
	obj = rnd(2);
	out[n++] = obj ? '{' : '[';
	k = rnd(4);
	for (i = 0; i < k && n + 64 < cap; i++) {
		if (i > 0)
			out[n++] = ',';
		if (rnd(4) == 0)
			out[n++] = ' ';
		if (obj) {
			/* few distinct keys: duplicates happen */
			n += (size_t)snprintf(out + n, cap - n, "\"k%u\"%s:", rnd(3),
			    rnd(3) ? "" : " ");
		}
		n += gen(out + n, cap - n - 2, depth + 1);
	}
	out[n++] = obj ? '}' : ']';
	return n;
}

int
main(void)
{
	char	 buf[4096], deep[256];
	size_t	 i, n, j;
	int	 bad = 0, fasts = 0, iters = 20000;

	/* 1: the subset takes the fast path and builds jansson's tree. */
	T("jsonfast-1.1 token-method body", fast(seeds[0]));
	T("jsonfast-1.2 spaced password body", fast(seeds[1]));
	T("jsonfast-1.3 literals, empty containers",  fast(seeds[2]));
	T("jsonfast-1.4 top-level array, all whitespace kinds",
	    fast(" \t\r\n[ {\"a\" : [ \"b\" , {\"c\":\"d\"} ] } , [ [ ] ] ]\n"));
	T("jsonfast-1.5 empty object", fast("{}"));
	T("jsonfast-1.6 key order kept", fast("{\"z\":\"1\",\"a\":\"2\",\"m\":\"3\"}"));
	T("jsonfast-1.7 DEL and every printable", fast("[\"\x7f !#$%&'()*+,-./09:;<=>?@AZ[]^_`az{|}~\"]"));
	T("jsonfast-1.8 empty key", fast("{\"\":true}"));
	T("jsonfast-1.9 same key in different objects", fast("{\"a\":{\"a\":null},\"b\":{\"a\":null}}"));
	memset(deep, '[', 32);
	memset(deep + 32, ']', 32);
	deep[64] = '\0';
	T("jsonfast-1.10 32 levels", fast(deep));

	/* 2: everything else is declined, then jansson decides. */
	T("jsonfast-2.1 duplicate key", DECLINED("{\"a\":true,\"a\":false}"));
	T("jsonfast-2.2 nested duplicate", DECLINED("[{\"k\":{\"x\":null,\"x\":null}}]"));
	T("jsonfast-2.3 numbers", DECLINED("{\"n\":1}"));
	T("jsonfast-2.4 negative zero", DECLINED("[-0]"));
	T("jsonfast-2.5 escape", DECLINED("{\"a\":\"\\\"\"}"));
	T("jsonfast-2.6 unicode escape", DECLINED("{\"a\":\"\\u0000\"}"));
	T("jsonfast-2.7 UTF-8", DECLINED("{\"a\":\"caf\xc3\xa9\"}"));
	T("jsonfast-2.8 bad UTF-8", DECLINED("{\"a\":\"\xff\"}"));
	T("jsonfast-2.9 control character", DECLINED("{\"a\":\"x\ty\"}"));
	T("jsonfast-2.10 NUL in a string", DECLINED("{\"a\":\"x\0y\"}"));
	T("jsonfast-2.11 NUL after the value", DECLINED("{}\0"));
	T("jsonfast-2.12 top-level string", DECLINED("\"x\""));
	T("jsonfast-2.13 top-level literal", DECLINED("true"));
	T("jsonfast-2.14 trailing text", DECLINED("{} x"));
	T("jsonfast-2.15 two values", DECLINED("{}{}"));
	T("jsonfast-2.16 empty", DECLINED(""));
	T("jsonfast-2.17 whitespace only", DECLINED(" \n"));
	T("jsonfast-2.18 trailing comma", DECLINED("{\"a\":true,}"));
	T("jsonfast-2.19 array trailing comma", DECLINED("[null,]"));
	T("jsonfast-2.20 lone comma", DECLINED("[,]"));
	T("jsonfast-2.21 literal runs on", DECLINED("[truex]"));
	T("jsonfast-2.22 literal then digit", DECLINED("[true1]"));
	T("jsonfast-2.23 cut literal", DECLINED("[tru]"));
	T("jsonfast-2.24 capitalised literal", DECLINED("[True]"));
	T("jsonfast-2.25 unterminated string", DECLINED("{\"a\":\"abc"));
	T("jsonfast-2.26 unterminated object", DECLINED("{\"a\":true"));
	T("jsonfast-2.27 missing colon", DECLINED("{\"a\" true}"));
	T("jsonfast-2.28 unquoted key", DECLINED("{a:true}"));
	T("jsonfast-2.29 single quotes", DECLINED("{'a':true}"));
	T("jsonfast-2.30 vertical tab is not space", DECLINED("{\v}"));
	T("jsonfast-2.31 NULL buffer", kg_json_loadb_fast(NULL, 0) == NULL);
	memset(deep, '[', 33);
	memset(deep + 33, ']', 33);
	T("jsonfast-2.32 33 levels", declined(deep, 66));
	T("jsonfast-2.33 mismatched closer", DECLINED("[}"));
	T("jsonfast-2.34 comment", DECLINED("{/*x*/}"));

	/* 3: every byte inside a string. */
	for (i = 0; i < 256; i++) {
		n = (size_t)snprintf(buf, sizeof(buf), "[\"a");
		buf[n++] = (char)i;
		buf[n++] = 'b';
		buf[n++] = '"';
		buf[n++] = ']';
		if (!agree(buf, n))
			bad++;
	}
	T("jsonfast-3.1 each byte in a string agrees", bad == 0);

	/* 4: random mutations of seeds and random structures. */
	bad = 0;
	for (j = 0; j < (size_t)iters; j++) {
		static const char	ins[] = "{}[]\",: \t\n\\0-etfn\x7f\x80";
		const char		*s = seeds[rnd(sizeof(seeds) / sizeof(seeds[0]))];
		unsigned int		 m, op;
		json_t			*v;

		if (j % 2 == 0)
			n = gen(buf, sizeof(buf) - 8, 0);
		else {
			n = strlen(s);
			memcpy(buf, s, n);
		}
		for (m = rnd(4); m > 0 && n > 0; m--) {
			i = rnd((unsigned int)n);
			op = rnd(3);
			if (op == 0)
				buf[i] = ins[rnd(sizeof(ins) - 1)];
			else if (op == 1) {
				memmove(buf + i, buf + i + 1, n - i - 1);
				n--;
			} else if (n + 1 < sizeof(buf)) {
				memmove(buf + i + 1, buf + i, n - i);
				buf[i] = ins[rnd(sizeof(ins) - 1)];
				n++;
			}
		}
		if ((v = kg_json_loadb_fast(buf, n)) != NULL)
			fasts++;
		json_decref(v);
		if (!agree(buf, n) && ++bad > 5)
			break;
	}
	printf("%d of %d random inputs took the fast path\n", fasts, iters);
	T("jsonfast-4.1 20000 random inputs agree with json_loadb", bad == 0);
	T("jsonfast-4.2 the fast path took a good share of them", fasts > iters / 10);
	T("jsonfast-4.3 and declined a good share", fasts < iters - iters / 10);
	return t_report();
}
