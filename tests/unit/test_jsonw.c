/*
 * test_jsonw.c - the focus of this file is common/jsonw.c, the JSON text
 * writer of the token hot paths: every byte that needs escaping, numbers
 * at their limits, growth past the first buffer, and text jansson reads
 * back to the same values.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonw.h"
#include "tests/t.h"

/* s written as a JSON string, read back by jansson: the same bytes? */
static int
round_trips(const char *s)
{
	struct jsonw	 w = JSONW_INIT;
	json_t		*v;
	char		*text;
	int		 ok;

	jsonw_str(&w, s);
	if ((text = jsonw_done(&w)) == NULL)
		return 0;
	v = json_loads(text, JSON_DECODE_ANY, NULL);
	ok = json_is_string(v) && strcmp(json_string_value(v), s) == 0;
	json_decref(v);
	free(text);
	return ok;
}

static int
int_text(int64_t v, const char *want)
{
	struct jsonw	 w = JSONW_INIT;
	char		*text;
	int		 ok;

	jsonw_int(&w, v);
	text = jsonw_done(&w);
	ok = text != NULL && strcmp(text, want) == 0;
	free(text);
	return ok;
}

int
main(void)
{
	struct jsonw	 w = JSONW_INIT;
	const char	*v[3] = { "a", "b\"", "" };
	char		 all[128], *big, *text;
	json_t		*doc;
	size_t		 i;
	int		 ok;

	/* 1. strings */
	T("jsonw-1.1 plain string", round_trips("hello"));
	T("jsonw-1.2 empty string", round_trips(""));
	T("jsonw-1.3 quote and backslash", round_trips("a\"b\\c"));
	for (i = 1; i < 0x20; i++)
		all[i - 1] = (char)i;
	memcpy(all + 0x1f, "\"\\\x7f/end", 8);
	all[0x1f + 8] = '\0';
	T("jsonw-1.4 every control character, DEL and slash", round_trips(all));
	T("jsonw-1.5 UTF-8 passes through", round_trips("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91"));
	jsonw_str(&w, "\x01\n");
	text = jsonw_done(&w);
	T("jsonw-1.6 control characters as \\u00XX", text != NULL &&
	    strcmp(text, "\"\\u0001\\u000a\"") == 0);
	free(text);
	jsonw_str(&w, NULL);
	text = jsonw_done(&w);
	T("jsonw-1.7 NULL is null", text != NULL && strcmp(text, "null") == 0);
	free(text);

	/* 2. integers */
	T("jsonw-2.1 zero", int_text(0, "0"));
	T("jsonw-2.2 negative", int_text(-42, "-42"));
	T("jsonw-2.3 INT64_MAX", int_text(INT64_MAX, "9223372036854775807"));
	T("jsonw-2.4 INT64_MIN", int_text(INT64_MIN, "-9223372036854775808"));

	/* 3. composition, growth */
	jsonw_raw(&w, "{\"v\":");
	jsonw_strv(&w, v, 3);
	jsonw_raw(&w, ",\"e\":");
	jsonw_strv(&w, NULL, 0);
	jsonw_raw(&w, ",\"n\":");
	jsonw_int(&w, 7);
	jsonw_raw(&w, "}");
	text = jsonw_done(&w);
	doc = text ? json_loads(text, 0, NULL) : NULL;
	T("jsonw-3.1 an object of arrays reads back", doc != NULL &&
	    json_array_size(json_object_get(doc, "v")) == 3 &&
	    strcmp(json_string_value(json_array_get(json_object_get(doc, "v"), 1)),
	    "b\"") == 0 && json_array_size(json_object_get(doc, "e")) == 0 &&
	    json_integer_value(json_object_get(doc, "n")) == 7);
	json_decref(doc);
	free(text);

	{
		struct kg_role_ref	r[2];

		memset(r, 0, sizeof(r));
		strcpy(r[0].id, "r1");
		strcpy(r[0].name, "member");
		strcpy(r[1].id, "r2");
		strcpy(r[1].name, "re\"ader");
		jsonw_id_name(&w, "d", "Default");
		text = jsonw_done(&w);
		T("jsonw-3.6 an id/name reference", text != NULL &&
		    strcmp(text, "{\"id\":\"d\",\"name\":\"Default\"}") == 0);
		free(text);
		jsonw_roles(&w, r, 2);
		text = jsonw_done(&w);
		T("jsonw-3.7 roles", text != NULL && strcmp(text, "[{\"id\":\"r1\","
		    "\"name\":\"member\"},{\"id\":\"r2\",\"name\":\"re\\\"ader\"}]") == 0);
		free(text);
		jsonw_roles(&w, r, 0);
		text = jsonw_done(&w);
		T("jsonw-3.8 no roles", text != NULL && strcmp(text, "[]") == 0);
		free(text);
	}

	big = malloc(100001);
	memset(big, '\n', 100000);
	big[100000] = '\0';
	T("jsonw-3.2 100 KB of escapes (6x growth past the first buffer)",
	    round_trips(big));
	free(big);
	ok = 1;
	for (i = 0; i < 5000; i++)
		jsonw_raw(&w, "x");
	text = jsonw_done(&w);
	for (i = 0; text != NULL && i < 5000; i++)
		ok &= text[i] == 'x';
	T("jsonw-3.3 many small appends", text != NULL && ok && strlen(text) == 5000);
	free(text);
	T("jsonw-3.4 nothing written: NULL", jsonw_done(&w) == NULL);
	jsonw_raw(&w, "abc");
	jsonw_free(&w);
	T("jsonw-3.5 free empties the writer", w.p == NULL && w.len == 0);
	jsonw_free(NULL);
	return t_report();
}
