/*
 * test_validate.c - unit tests for the request-body schema engine
 * (server/validate.c) and the route schemas (server/bodies.c): Keystone
 * 22's texts (jsonschema 4.10 Draft 4 messages, Python repr of values),
 * the order errors are found in, the storage pass, and the table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/compliance.h"
#include "server/bodies.h"
#include "server/validate.h"
#include "tests/t.h"

static struct kg_err	err;

/* Validate JSON text v against s; 1 when it fails with exactly msg
 * (msg NULL: when it passes). */
static int
check(const struct vschema *s, const char *v, const char *msg)
{
	json_t	*j = json_loads(v, JSON_DECODE_ANY, NULL);
	int	 rc;

	if (j == NULL) {
		printf("    bad test JSON: %s\n", v);
		return 0;
	}
	memset(&err, 0, sizeof(err));
	rc = validate(s, j, &err);
	json_decref(j);
	if (msg == NULL) {
		if (rc != 0)
			printf("    unexpected: %s\n", err.msg);
		return rc == 0;
	}
	if (rc == 0 || err.kind != KG_EBADREQ || strcmp(err.msg, msg) != 0) {
		printf("    got:  %s\n    want: %s\n", rc == 0 ? "(valid)" : err.msg, msg);
		return 0;
	}
	return 1;
}

/* Check a whole request body against the route's entry. */
static int
body(const char *method, const char *route, const char *v, const char *msg)
{
	const struct body	*b = bodies_find(method, route);
	json_t			*j = v ? json_loads(v, 0, NULL) : NULL;
	int			 rc;

	if (b == NULL || (v != NULL && j == NULL)) {
		printf("    no route or bad JSON: %s %s\n", method, route);
		return 0;
	}
	memset(&err, 0, sizeof(err));
	rc = bodies_validate(b, j, &err);
	json_decref(j);
	if (msg == NULL) {
		if (rc != 0)
			printf("    unexpected: %s\n", err.msg);
		return rc == 0;
	}
	if (rc == 0 || strcmp(err.msg, msg) != 0) {
		printf("    got:  %s\n    want: %s\n", rc == 0 ? "(valid)" : err.msg, msg);
		return 0;
	}
	return 1;
}

static const struct vschema str = { .type = VT_STRING };
static const struct vschema str_null = { .type = VT_STRING | VT_NULL };
static const struct vschema boolean = { .type = VT_BOOLEAN };
static const struct vschema name = { .type = VT_STRING, .min_length = 1,
	.max_length = 5, .pattern = VP_NONBLANK };
static const struct vschema id = { .type = VT_STRING, .min_length = 1,
	.max_length = 64, .pattern = VP_ID };
static const struct vschema tag = { .type = VT_STRING, .pattern = VP_TAG };
static const struct vschema url = { .type = VT_STRING, .max_length = 225,
	.pattern = VP_URL };
static const struct vschema iface = { .type = VT_STRING,
	.enumv = (const char *const[]){ "admin", "internal", "public", NULL } };
static const struct vschema tags = { .type = VT_ARRAY, .items = &tag,
	.max_items = 2, .unique_items = 1 };
static const struct vschema secret = { .type = VT_STRING, .flags = VF_SECRET,
	.max_length = 3 };
static const struct vschema col = { .type = VT_STRING, .column = 4 };
static const struct vschema bytes = { .type = VT_STRING, .max_bytes = 4,
	.column_name = "name" };
static const struct vschema any = { 0 };
static const struct vschema null_str = { .type = VT_STRING | VT_NULL,
	.flags = VF_NULL_FIRST };
static const struct vschema path = { .type = VT_STRING, .pattern = VP_PATH };
static const struct vschema method = { .type = VT_STRING,
	.pattern = VP_METHOD };
static const struct vprop one_prop_props[] = {
	{ "id", &str },
	{ "name", &str },
	{ NULL, NULL }
};
static const struct vschema one_prop = { .type = VT_OBJECT,
	.properties = one_prop_props, .min_properties = 1, .max_properties = 1 };

static const struct vprop inner_props[] = {
	{ "flag", &boolean },
	{ NULL, NULL }
};
static const struct vschema inner = { .type = VT_OBJECT,
	.properties = inner_props, .closed = 1 };

static const struct vprop obj_props[] = {
	{ "b", &boolean },
	{ "name", &name },
	{ "inner", &inner },
	{ "tags", &tags },
	{ "pw", &secret },
	{ "col", &col },
	{ "bytes", &bytes },
	{ NULL, NULL }
};
static const struct vschema obj = { .type = VT_OBJECT, .properties = obj_props,
	.required = (const char *const[]){ "name", NULL } };
static const struct vschema obj_update = { .type = VT_OBJECT,
	.properties = obj_props, .min_properties = 1, .extra_max = 20 };
static const struct vschema closed = { .type = VT_OBJECT,
	.properties = obj_props, .closed = 1 };

/* Numbers and oneOf (the unified limits' schemas). */
static const struct vschema bounded = { .type = VT_INTEGER,
	.flags = VF_MINIMUM | VF_MAXIMUM, .minimum = -1, .maximum = 10 };
static const struct vschema num_max = { .type = VT_NUMBER,
	.flags = VF_MAXIMUM, .maximum = 1 };
static const struct vschema str4 = { .type = VT_STRING, .column = 4 };
static const struct vprop one_a_props[] = { { "a", &bounded }, { NULL, NULL } };
static const struct vprop one_b_props[] = { { "b", &str4 }, { NULL, NULL } };
static const struct vschema one_a = { .properties = one_a_props,
	.required = (const char *const[]){ "a", NULL }, .closed = 1 };
static const struct vschema one_b = { .properties = one_b_props,
	.required = (const char *const[]){ "b", NULL }, .closed = 1 };
static const struct vschema one = { .type = VT_OBJECT,
	.one_of = (const struct vschema *const[]){ &one_a, &one_b, NULL } };
static const struct vschema both = {
	.one_of = (const struct vschema *const[]){ &any, &str, NULL } };

int
main(void)
{
	char	big[3000], msg[4096], rep[64];
	json_t	*j;

	/* types */
	T("valid-1.1 boolean refuses the string 'yes'", check(&boolean, "\"yes\"",
	    "'yes' is not of type 'boolean'"));
	T("valid-1.2 boolean refuses \"false\"", check(&boolean, "\"false\"",
	    "'false' is not of type 'boolean'"));
	T("valid-1.3 boolean refuses 0 and null", check(&boolean, "0",
	    "0 is not of type 'boolean'") && check(&boolean, "null",
	    "None is not of type 'boolean'"));
	T("valid-1.4 booleans pass", check(&boolean, "true", NULL) &&
	    check(&boolean, "false", NULL));
	T("valid-1.5 nullable: both types named", check(&str_null, "5",
	    "5 is not of type 'string', 'null'") && check(&str_null, "null", NULL));
	T("valid-1.6 no type: anything", check(&any, "[1]", NULL));
	T("valid-1.7 objects, arrays, floats as Python shows them",
	    check(&str, "{\"a\": [1, true, null, 1.5]}",
	    "{'a': [1, True, None, 1.5]} is not of type 'string'") &&
	    check(&str, "1e16", "1e+16 is not of type 'string'") &&
	    check(&str, "0.1", "0.1 is not of type 'string'") &&
	    check(&str, "2.0", "2.0 is not of type 'string'") &&
	    check(&str, "0.00001", "1e-05 is not of type 'string'"));
	T("valid-1.8 number repr: negative, big", check(&str, "-1234.5678",
	    "-1234.5678 is not of type 'string'") && check(&str, "123456789012",
	    "123456789012 is not of type 'string'"));
	T("valid-1.9 object types", check(&obj, "[]", "[] is not of type 'object'"));

	/* strings: repr, lengths, patterns, enum */
	T("valid-2.1 too long (characters)", check(&name, "\"abcdef\"",
	    "'abcdef' is too long"));
	T("valid-2.2 characters, not bytes", check(&name, "\"\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\"", NULL));
	T("valid-2.3 too short", check(&name, "\"\"", "'' is too short"));
	T("valid-2.4 blank: no non-space character", check(&name, "\" \\t \"",
	    "' \\t ' does not match '[\\\\S]+'"));
	T("valid-2.5 Unicode spaces are blank too", check(&name,
	    "\"\\u3000\\u00a0\"", "'\\u3000\\xa0' does not match '[\\\\S]+'"));
	T("valid-2.6 id pattern", check(&id, "\"a b\"",
	    "'a b' does not match '^[a-zA-Z0-9-]+$'") && check(&id, "\"a-B-9\"", NULL));
	T("valid-2.7 id: no trailing newline (Python's $ would allow it)",
	    check(&id, "\"abc\\n\"", "'abc\\n' does not match '^[a-zA-Z0-9-]+$'"));
	T("valid-2.8 tag pattern", check(&tag, "\"a,b\"",
	    "'a,b' does not match '^[^,/]*$'") && check(&tag, "\"a/b\"",
	    "'a/b' does not match '^[^,/]*$'") && check(&tag, "\"a b\"", NULL));
	T("valid-2.9 url pattern", check(&url, "\"http://x\"", NULL) &&
	    check(&url, "\"nourl\"", "'nourl' does not match '^[a-zA-Z0-9+.-]+:.+'") &&
	    check(&url, "\"http:\"", "'http:' does not match '^[a-zA-Z0-9+.-]+:.+'") &&
	    check(&url, "\"http:\\nx\"",
	    "'http:\\nx' does not match '^[a-zA-Z0-9+.-]+:.+'"));
	T("valid-2.10 enum", check(&iface, "\"private\"",
	    "'private' is not one of ['admin', 'internal', 'public']") &&
	    check(&iface, "\"admin\"", NULL));
	T("valid-2.11 repr quotes like Python", check(&boolean, "\"it's\"",
	    "\"it's\" is not of type 'boolean'") && check(&boolean,
	    "\"it's \\\"x\\\"\"", "'it\\'s \"x\"' is not of type 'boolean'"));
	T("valid-2.12 repr escapes", check(&boolean, "\"a\\\\b\\r\\u0001\\u200b\"",
	    "'a\\\\b\\r\\x01\\u200b' is not of type 'boolean'"));
	T("valid-2.13 repr keeps printable non-ASCII", check(&boolean,
	    "\"caf\xc3\xa9 \xe2\x82\xac\"", "'caf\xc3\xa9 \xe2\x82\xac' is not of type "
	    "'boolean'"));

	/* arrays */
	T("valid-3.1 items, with the index in the path", check(&obj,
	    "{\"name\": \"n\", \"tags\": [\"ok\", \"a,b\"]}",
	    "Invalid input for field 'tags/1': 'a,b' does not match '^[^,/]*$'"));
	T("valid-3.2 maxItems", check(&tags, "[\"a\", \"b\", \"c\"]",
	    "['a', 'b', 'c'] is too long"));
	T("valid-3.3 uniqueItems", check(&tags, "[\"a\", \"a\"]",
	    "['a', 'a'] has non-unique elements"));
	T("valid-3.4 items before maxItems (jsonschema's order)",
	    check(&tags, "[\"a\", \"b\", \"c,\"]", "Invalid input for field '2': "
	    "'c,' does not match '^[^,/]*$'"));

	/* objects */
	T("valid-4.1 required", check(&obj, "{}", "'name' is a required property"));
	T("valid-4.2 properties before required (jsonschema's order)",
	    check(&obj, "{\"b\": \"yes\"}",
	    "Invalid input for field 'b': 'yes' is not of type 'boolean'"));
	T("valid-4.3 properties in the schema's order, not the body's",
	    check(&obj, "{\"tags\": 5, \"b\": 5, \"name\": \"n\"}",
	    "Invalid input for field 'b': 5 is not of type 'boolean'"));
	T("valid-4.4 minProperties", check(&obj_update, "{}",
	    "{} does not have enough properties"));
	T("valid-4.5 additionalProperties false",
	    check(&closed, "{\"zz\": 1}",
	    "Additional properties are not allowed ('zz' was unexpected)") &&
	    check(&closed, "{\"zz\": 1, \"yy\": 2}",
	    "Additional properties are not allowed ('zz', 'yy' were unexpected)"));
	T("valid-4.6 nested path", check(&obj, "{\"name\": \"n\", \"inner\": "
	    "{\"flag\": \"no\"}}", "Invalid input for field 'inner/flag': 'no' is "
	    "not of type 'boolean'"));
	T("valid-4.7 nested additionalProperties",
	    check(&obj, "{\"name\": \"n\", \"inner\": {\"x\": 1}}",
	    "Invalid input for field 'inner': Additional properties are not allowed "
	    "('x' was unexpected)"));
	T("valid-4.8 open objects keep other members", check(&obj,
	    "{\"name\": \"n\", \"email\": \"a@b\"}", NULL));

	/* secrets */
	T("valid-5.1 a secret is never echoed", check(&obj,
	    "{\"name\": \"n\", \"pw\": 123}", "Invalid input for field 'pw': "
	    "'******' is not of type 'string'") && check(&obj,
	    "{\"name\": \"n\", \"pw\": \"hunter2\"}",
	    "Invalid input for field 'pw': '******' is too long"));

	/* pass 2: storage */
	T("valid-6.1 column: Keystone's StringLengthExceeded", check(&obj,
	    "{\"name\": \"n\", \"col\": \"abcde\"}", "String length exceeded. The "
	    "length of string 'abcde' exceeds the limit of column col(CHAR(4))."));
	T("valid-6.2 column counts characters", check(&obj,
	    "{\"name\": \"n\", \"col\": \"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}", NULL));
	T("valid-6.3 bytes: keygate's storage", check(&obj,
	    "{\"name\": \"n\", \"bytes\": \"\xc3\xa9\xc3\xa9\xc3\xa9\"}", "String length "
	    "exceeded. The length of string '\xc3\xa9\xc3\xa9\xc3\xa9' exceeds the limit "
	    "of column name(CHAR(4))."));
	T("valid-6.4 schema errors come first", check(&obj,
	    "{\"col\": \"abcdef\"}", "'name' is a required property"));
	T("valid-6.5 extra attributes are bounded", check(&obj_update,
	    "{\"email\": \"0123456789abcdef\"}", "String length exceeded. The length "
	    "of string '{\"email\":\"0123456789abcdef\"}' exceeds the limit of column "
	    "extra(CHAR(20)).") && check(&obj_update, "{\"e\": \"x\"}", NULL));

	/* long values: echo cut, message always valid UTF-8 */
	memset(big, 'a', sizeof(big));
	memcpy(big, "\"", 1);
	memcpy(big + sizeof(big) - 2, "\"", 2);
	j = json_loads(big, JSON_DECODE_ANY, NULL);
	memset(&err, 0, sizeof(err));
	T("valid-7.1 long value: cut echo", validate(&boolean, j, &err) == -1 &&
	    strlen(err.msg) < 1000 && strstr(err.msg, "...") != NULL &&
	    strstr(err.msg, "is not of type 'boolean'") != NULL);
	json_decref(j);
	{
		char	*u = malloc(3 * 400 + 3);
		size_t	 i;
		json_t	*m = NULL;

		u[0] = '"';
		for (i = 0; i < 400; i++)
			memcpy(u + 1 + 3 * i, "\xe2\x82\xac", 3);
		memcpy(u + 1 + 3 * 400, "\"", 2);
		j = json_loads(u, JSON_DECODE_ANY, NULL);
		memset(&err, 0, sizeof(err));
		T("valid-7.2 cut on a character boundary", validate(&boolean, j,
		    &err) == -1 && (m = json_string(err.msg)) != NULL);
		json_decref(m);
		json_decref(j);
		free(u);
	}
	j = json_string("\xc3\xa9t\xc3\xa9");
	validate_repr(j, rep, sizeof(rep), 3);
	T("valid-7.3 repr cut keeps whole characters", strcmp(rep, "'\xc3\xa9...") == 0);
	json_decref(j);
	T("valid-7.4 utf8_len", validate_utf8_len("\xc3\xa9t\xf0\x9f\x98\x80", 7) == 3);

	/* the routes */
	T("valid-8.1 user: enabled as a string",
	    body("POST", "/v3/users", "{\"user\": {\"name\": \"u\", \"enabled\": \"false\"}}",
	    "Invalid input for field 'enabled': 'false' is not of type 'boolean'"));
	T("valid-8.2 user: no member -> {} (Keystone's get('user', {}))",
	    body("POST", "/v3/users", "{}", "'name' is a required property") &&
	    body("POST", "/v3/users", NULL, "'name' is a required property"));
	T("valid-8.3 service: no member -> None (Keystone's get('service'))",
	    body("POST", "/v3/services", "{}", "None is not of type 'object'"));
	T("valid-8.4 other top-level members are refused",
	    body("POST", "/v3/users", "{\"user\": {\"name\": \"u\"}, \"x\": 1}",
	    "Additional properties are not allowed ('x' was unexpected)"));
	snprintf(msg, sizeof(msg), "{\"user\": {\"name\": \"%0256d\"}}", 0);
	memset(strchr(msg, '0'), 'n', 256);
	{
		char	want[400];

		snprintf(want, sizeof(want), "Invalid input for field 'name': "
		    "'%0256d' is too long", 0);
		memset(strchr(want, '0'), 'n', 256);
		T("valid-8.5 user: name of 256 characters, Keystone's whole text",
		    body("POST", "/v3/users", msg, want));
	}
	T("valid-8.6 update needs a property",
	    body("PATCH", "/v3/users/{}", "{\"user\": {}}",
	    "{} does not have enough properties"));
	T("valid-8.7 password change: closed, both required",
	    body("POST", "/v3/users/{}/password", "{\"user\": {\"password\": \"a\","
	    " \"original_password\": \"b\", \"x\": 1}}",
	    "Additional properties are not allowed ('x' was unexpected)") &&
	    body("POST", "/v3/users/{}/password", "{\"user\": {\"password\": \"a\"}}",
	    "'original_password' is a required property"));
	T("valid-8.8 group name: schema 255, column 64", body("POST", "/v3/groups",
	    "{\"group\": {\"name\": \"" "0123456789012345678901234567890123456789"
	    "01234567890123456789012345\"}}", "String length exceeded. The length of "
	    "string '0123456789012345678901234567890123456789012345678901234567890123"
	    "45' exceeds the limit of column name(CHAR(64))."));
	T("valid-8.9 tags: the body is an array", body("PUT", "/v3/projects/{}/tags",
	    "{\"tags\": \"a\"}", "'a' is not of type 'array'") &&
	    body("PUT", "/v3/projects/{}/tags", "{}", "{} is not of type 'array'") &&
	    body("PUT", "/v3/projects/{}/tags", "{\"tags\": [\"a\"]}", NULL));
	T("valid-8.10 auth: Keystone's id-or-name rule", body("POST",
	    "/v3/auth/tokens", "{\"auth\": {\"identity\": {\"methods\": [\"password\"],"
	    " \"password\": {\"user\": {\"password\": \"x\"}}}}}",
	    "Invalid input for field identity/password/user: id or name must be "
	    "present.") && body("POST", "/v3/auth/tokens", "{\"auth\": {\"identity\":"
	    " {\"methods\": []}, \"scope\": {\"project\": {\"domain\": {}, \"id\": "
	    "\"x\"}}}}", "Invalid input for field scope/project/domain: id or name "
	    "must be present."));
	T("valid-8.11 auth: scope string or object", body("POST", "/v3/auth/tokens",
	    "{\"auth\": {\"identity\": {\"methods\": []}, \"scope\": 5}}",
	    "Invalid input for field 'scope': 5 is not of type 'object', 'string'"));
	T("valid-8.12 auth: system all is a boolean", body("POST", "/v3/auth/tokens",
	    "{\"auth\": {\"identity\": {\"methods\": []}, \"scope\": {\"system\": "
	    "{\"all\": \"true\"}}}}", "Invalid input for field 'scope/system/all': "
	    "'true' is not of type 'boolean'"));
	T("valid-8.13 endpoint interface", body("POST", "/v3/endpoints",
	    "{\"endpoint\": {\"interface\": \"x\", \"service_id\": \"s\", \"url\": "
	    "\"http://a\"}}", "Invalid input for field 'interface': 'x' is not one of "
	    "['admin', 'internal', 'public']"));
	T("valid-8.14 role options: immutable only",
	    body("POST", "/v3/roles", "{\"role\": {\"name\": \"r\", \"options\": "
	    "{\"immutable\": \"yes\"}}}", "Invalid input for field 'options/immutable':"
	    " 'yes' is not of type 'boolean', 'null'") &&
	    body("POST", "/v3/roles", "{\"role\": {\"name\": \"r\", \"options\": "
	    "{\"x\": true}}}", "Invalid input for field 'options': Additional "
	    "properties are not allowed ('x' was unexpected)"));
	T("valid-8.19 user options: multi_factor_auth_rules as Keystone's schema",
	    body("PATCH", "/v3/users/{}", "{\"user\": {\"options\": "
	    "{\"multi_factor_auth_rules\": [[\"password\", \"totp\"], [\"token\"]], "
	    "\"multi_factor_auth_enabled\": true}}}", NULL) &&
	    body("PATCH", "/v3/users/{}", "{\"user\": {\"options\": "
	    "{\"multi_factor_auth_rules\": null}}}", NULL) &&
	    body("PATCH", "/v3/users/{}", "{\"user\": {\"options\": "
	    "{\"multi_factor_auth_rules\": \"password\"}}}", "Invalid input for "
	    "field 'options/multi_factor_auth_rules': 'password' is not of type "
	    "'array', 'null'") &&
	    body("PATCH", "/v3/users/{}", "{\"user\": {\"options\": "
	    "{\"multi_factor_auth_rules\": [[]]}}}", "Invalid input for field "
	    "'options/multi_factor_auth_rules/0': [] is too short") &&
	    body("PATCH", "/v3/users/{}", "{\"user\": {\"options\": "
	    "{\"multi_factor_auth_rules\": [[\"totp\", \"totp\"]]}}}", "Invalid "
	    "input for field 'options/multi_factor_auth_rules/0': ['totp', 'totp'] "
	    "has non-unique elements") &&
	    body("PATCH", "/v3/users/{}", "{\"user\": {\"options\": "
	    "{\"multi_factor_auth_rules\": [[\"totp\"], [\"totp\"]]}}}", "Invalid "
	    "input for field 'options/multi_factor_auth_rules': [['totp'], ['totp']] "
	    "has non-unique elements") &&
	    body("PATCH", "/v3/users/{}", "{\"user\": {\"options\": "
	    "{\"multi_factor_auth_rules\": [[\"totp\", 1]]}}}", "Invalid input for "
	    "field 'options/multi_factor_auth_rules/0/1': 1 is not of type 'string'") &&
	    body("PATCH", "/v3/users/{}", "{\"user\": {\"options\": "
	    "{\"multi_factor_auth_enabled\": \"yes\"}}}", "Invalid input for field "
	    "'options/multi_factor_auth_enabled': 'yes' is not of type 'boolean', "
	    "'null'"));
	T("valid-8.20 auth: the totp method's user and passcode",
	    body("POST", "/v3/auth/tokens", "{\"auth\": {\"identity\": {\"methods\":"
	    " [\"totp\"], \"totp\": {\"user\": {\"id\": \"u\", \"passcode\": "
	    "\"123456\"}}}}}", NULL) &&
	    body("POST", "/v3/auth/tokens", "{\"auth\": {\"identity\": {\"methods\":"
	    " [\"totp\"], \"totp\": {\"user\": {\"id\": \"u\", \"passcode\": "
	    "123456}}}}}", "Invalid input for field 'identity/totp/user/passcode': "
	    "'******' is not of type 'string'") &&
	    body("POST", "/v3/auth/tokens", "{\"auth\": {\"identity\": {\"methods\":"
	    " [\"totp\"], \"totp\": []}}}", "Invalid input for field "
	    "'identity/totp': [] is not of type 'object'"));
	T("valid-8.15 no schema for routes without a body",
	    bodies_find("GET", "/v3/users") == NULL &&
	    bodies_find("PUT", "/v3/roles/{}/implies/{}") == NULL);
	{
		size_t			 n, i;
		const struct body	*t = bodies_table(&n);
		int			 ok = n > 15;

		for (i = 0; i < n; i++)
			ok = ok && bodies_find(t[i].method, t[i].route) == &t[i];
		T("valid-8.16 table: every entry found by its route", ok);
	}
	T("valid-8.18 maxProperties: Keystone's text", check(&one_prop,
	    "{\"id\": \"a\", \"name\": \"b\"}",
	    "{'id': 'a', 'name': 'b'} has too many properties") &&
	    check(&one_prop, "{\"id\": \"a\"}", NULL) &&
	    check(&one_prop, "{}", "{} does not have enough properties"));
	T("valid-8.19 access-rule patterns", check(&path, "\"/v2/**\"", NULL) &&
	    check(&path, "\"/\"", NULL) &&
	    check(&path, "\"v2\"", "'v2' does not match '^\\\\/.*'") &&
	    check(&path, "\"\"", "'' does not match '^\\\\/.*'") &&
	    check(&method, "\"DELETE\"", NULL) &&
	    check(&method, "\"get\"", "'get' does not match "
	    "'^(POST|GET|HEAD|PATCH|PUT|DELETE)$'") &&
	    check(&method, "\"GET\\n\"", "'GET\\n' does not match "
	    "'^(POST|GET|HEAD|PATCH|PUT|DELETE)$'"));
	T("valid-8.20 null named first when Keystone wrote it so",
	    check(&null_str, "5", "5 is not of type 'null', 'string'") &&
	    check(&str_null, "5", "5 is not of type 'string', 'null'"));
	T("valid-8.21 application credential: Keystone's schema",
	    body("POST", "/v3/users/{}/application_credentials", "{}",
	    "'name' is a required property") &&
	    body("POST", "/v3/users/{}/application_credentials",
	    "{\"application_credential\": {\"name\": \"a\", \"unrestricted\": "
	    "\"true\"}}", "Invalid input for field 'unrestricted': 'true' is not "
	    "of type 'boolean'") &&
	    body("POST", "/v3/users/{}/application_credentials",
	    "{\"application_credential\": {\"name\": \"a\", \"roles\": "
	    "[{\"id\": \"r\", \"name\": \"n\"}]}}", "Invalid input for field "
	    "'roles/0': {'id': 'r', 'name': 'n'} has too many properties") &&
	    body("POST", "/v3/users/{}/application_credentials",
	    "{\"application_credential\": {\"name\": \"a\", \"secret\": 5}}",
	    "Invalid input for field 'secret': '******' is not of type 'null', "
	    "'string'") &&
	    body("POST", "/v3/users/{}/application_credentials",
	    "{\"application_credential\": {\"name\": \"a\", \"secret\": null, "
	    "\"expires_at\": null, \"description\": null, \"roles\": "
	    "[{\"name\": \"member\"}], \"unrestricted\": false, "
	    "\"access_rules\": [{\"id\": \"abc\"}, {\"service\": \"compute\", "
	    "\"path\": \"/v2.1/servers\", \"method\": \"GET\"}]}}", NULL));
	T("valid-8.22 application credential: keygate's rules",
	    body("POST", "/v3/users/{}/application_credentials",
	    "{\"application_credential\": {\"name\": \"a\", \"project_id\": "
	    "\"p\"}}", "Additional properties are not allowed ('project_id' was "
	    "unexpected)") &&
	    body("POST", "/v3/users/{}/application_credentials",
	    "{\"application_credential\": {\"name\": \"a\", \"access_rules\": "
	    "[{\"service\": \"compute\", \"path\": \"/\"}]}}", "Invalid input "
	    "for field 'access_rules/0': 'method' is a required property") &&
	    body("POST", "/v3/users/{}/application_credentials",
	    "{\"application_credential\": {\"name\": \"a\", \"access_rules\": "
	    "[{\"id\": \"x\"}, {\"service\": \"compute\", \"path\": \"/\"}]}}",
	    "Invalid input for field 'access_rules/1': 'method' is a required "
	    "property"));
	snprintf(msg, sizeof(msg), "{\"application_credential\": {\"name\": "
	    "\"a\", \"access_rules\": [{\"service\": \"s\", \"method\": "
	    "\"GET\", \"path\": \"/%0128d\"}]}}", 0);
	{
		char	want[400];

		snprintf(want, sizeof(want), "String length exceeded. The length "
		    "of string '/%0128d' exceeds the limit of column "
		    "path(CHAR(128)).", 0);
		T("valid-8.23 access rule path: over its String(128) column",
		    body("POST", "/v3/users/{}/application_credentials", msg,
		    want));
	}
	T("valid-8.24 auth: the application_credential method (keygate's schema)",
	    body("POST", "/v3/auth/tokens", "{\"auth\": {\"identity\": "
	    "{\"methods\": [\"application_credential\"], "
	    "\"application_credential\": {\"id\": \"x\", \"secret\": 5}}}}",
	    "Invalid input for field 'identity/application_credential/secret': "
	    "'******' is not of type 'string'") &&
	    body("POST", "/v3/auth/tokens", "{\"auth\": {\"identity\": "
	    "{\"methods\": [\"application_credential\"], "
	    "\"application_credential\": [1]}}}", "Invalid input for field "
	    "'identity/application_credential': [1] is not of type 'object'") &&
	    body("POST", "/v3/auth/tokens", "{\"auth\": {\"identity\": "
	    "{\"methods\": [\"application_credential\"], "
	    "\"application_credential\": {\"name\": \"a\", \"secret\": \"s\", "
	    "\"user\": {\"name\": \"u\", \"domain\": \"default\"}}}}}",
	    "Invalid input for field 'identity/application_credential/user/domain':"
	    " 'default' is not of type 'object'"));
	j = bodies_dump();
	T("valid-8.17 dump: a JSON Schema per route", j != NULL &&
	    json_is_object(json_object_get(json_object_get(json_object_get(
	    json_object_get(j, "POST /v3/users"), "properties"), "user"),
	    "properties")) && json_integer_value(json_object_get(json_object_get(
	    json_object_get(json_object_get(json_object_get(json_object_get(j,
	    "POST /v3/groups"), "properties"), "group"), "properties"), "name"),
	    "x-keygate-column")) == 64);
	json_decref(j);

	T("valid-20.1 minimum", check(&bounded, "-2",
	    "-2 is less than the minimum of -1"));
	T("valid-20.2 maximum", check(&bounded, "11",
	    "11 is greater than the maximum of 10"));
	T("valid-20.3 the bounds pass; a real is no integer (Draft 4)",
	    check(&bounded, "-1", NULL) && check(&bounded, "10", NULL) &&
	    check(&bounded, "1.0", "1.0 is not of type 'integer'"));
	T("valid-20.4 numbers compare as numbers", check(&num_max, "1.5",
	    "1.5 is greater than the maximum of 1") && check(&num_max, "1", NULL));
	T("valid-20.5 oneOf: under none", check(&one, "{\"a\": 1, \"b\": \"x\"}",
	    "{'a': 1, 'b': 'x'} is not valid under any of the given schemas") &&
	    check(&one, "{\"a\": 11}", "{'a': 11} is not valid under any of the"
	    " given schemas"));
	T("valid-20.6 oneOf: either passes", check(&one, "{\"a\": 3}", NULL) &&
	    check(&one, "{\"b\": \"xy\"}", NULL));
	T("valid-20.7 oneOf: the storage pass follows the match", check(&one,
	    "{\"b\": \"abcde\"}", "String length exceeded. The length of string"
	    " 'abcde' exceeds the limit of column b(CHAR(4))."));
	T("valid-20.8 oneOf: under more than one", check(&both, "\"s\"",
	    "'s' is valid under each of the given schemas"));
	T("valid-20.9 oneOf after type", check(&one, "[]",
	    "[] is not of type 'object'"));
	T("valid-20.10 limits: a domain's limit; no list", body("POST",
	    "/v3/limits", "{\"limits\": [{\"domain_id\": \"d\", \"service_id\":"
	    " \"s\", \"resource_name\": \"r\", \"resource_limit\": -1}]}", NULL) &&
	    body("POST", "/v3/registered_limits", "{}",
	    "{} is not of type 'array'"));
	T("valid-20.11 limits: an item's path", body("POST", "/v3/limits",
	    "{\"limits\": [{\"domain_id\": \"d\", \"service_id\": \"s\", "
	    "\"resource_name\": \"r\", \"resource_limit\": 1}, 5]}",
	    "Invalid input for field '1': 5 is not of type 'object'"));
	j = bodies_dump();
	T("valid-20.12 dump: oneOf, minimum and maximum",
	    json_array_size(json_object_get(json_object_get(json_object_get(
	    json_object_get(json_object_get(j, "POST /v3/limits"),
	    "properties"), "limits"), "items"), "oneOf")) == 2 &&
	    json_integer_value(json_object_get(json_object_get(json_object_get(
	    json_object_get(json_object_get(json_object_get(j,
	    "PATCH /v3/limits/{}"), "properties"), "limit"), "properties"),
	    "resource_limit"), "maximum")) == 2147483647);
	json_decref(j);
	{
		/* The user schema's options are the ones auth/compliance.c
		 * applies: none refused, none accepted and then ignored. */
		json_t	*d = bodies_dump(), *o;
		size_t	 i;
		int	 ok;

		o = json_object_get(json_object_get(json_object_get(
		    json_object_get(json_object_get(json_object_get(d,
		    "POST /v3/users"), "properties"), "user"), "properties"),
		    "options"), "properties");
		ok = json_is_object(o);
		for (i = 0; ok && compliance_option_names[i] != NULL; i++) {
			char	buf[200];

			snprintf(buf, sizeof(buf), "{\"user\": {\"name\": \"u\", "
			    "\"options\": {\"%s\": %s}}}", compliance_option_names[i],
			    strcmp(compliance_option_names[i],
			    "multi_factor_auth_rules") == 0 ?
			    "[[\"password\", \"totp\"]]" : "true");
			ok = json_object_get(o, compliance_option_names[i]) != NULL &&
			    body("POST", "/v3/users", buf, NULL);
		}
		T("valid-8.18 user options: the schema's are compliance_option_names",
		    ok && json_object_size(o) == i);
		json_decref(d);
	}
	return t_report();
}
