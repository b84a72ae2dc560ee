/*
 * it_validation_admin.c - request validation of the admin APIs over HTTP,
 * as it_validation.c does for the identity APIs: for every body route of
 * unified limits, policies, endpoint groups (OS-EP-FILTER) and domain
 * configuration, a wrong type, a too long string, a missing required
 * property and an unexpected property, each answered 400 with Keystone
 * 22's text (keystone/limit/schema.py, keystone/policy/schema.py,
 * keystone/catalog/schema.py); the storage limits (StringLengthExceeded);
 * and the order Keystone answers in: a caller the policy refuses gets 403
 * before its body's 400.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/integration/it_admin.h"
#include "tests/integration/it_identity.h"

/* Strings made for the cases, freed at the end (LeakSanitizer). */
static char	*pool[256];
static size_t	 npool;

static const char *
keep(char *s)
{
	if (s == NULL)
		return "missing";	/* a fixture failed: its tests fail */
	if (npool == sizeof(pool) / sizeof(pool[0]))
		abort();
	pool[npool++] = s;
	return s;
}

/* n copies of the UTF-8 character c. */
static const char *
rep(const char *c, size_t n)
{
	size_t	 k = strlen(c), i;
	char	*s = malloc(k * n + 1);

	if (s == NULL)
		abort();
	for (i = 0; i < n; i++)
		memcpy(s + i * k, c, k);
	s[k * n] = '\0';
	return keep(s);
}

static const char *
fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

static const char *
fmt(const char *f, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, f);
	if (vasprintf(&s, f, ap) == -1)
		abort();
	va_end(ap);
	return keep(s);
}

static struct it_server	s;

/*
 * One request as the admin: 1 when it answers status with a message that
 * starts with pre and ends with post (NULL: anything).
 */
static int
answers_like(const char *method, const char *path, const char *body,
    long status, const char *pre, const char *post)
{
	struct it_resp	 r;
	const char	*m;
	size_t		 n;
	int		 ok;

	if (it_req(&s, method, path, s.admin_token, body, NULL, &r) == -1)
		return 0;
	m = ii_msg(&r);
	n = strlen(m);
	ok = r.status == status &&
	    (pre == NULL || strncmp(m, pre, strlen(pre)) == 0) &&
	    (post == NULL || (n >= strlen(post) &&
	    strcmp(m + n - strlen(post), post) == 0));
	if (!ok)
		printf("    %s %.120s -> %ld %.300s\n    want %ld %.300s ... %s\n",
		    method, path, r.status, m, status, pre ? pre : "",
		    post ? post : "");
	it_resp_free(&r);
	return ok;
}

/* Exactly msg (NULL: any message). */
static int
answers(const char *method, const char *path, const char *body, long status,
    const char *msg)
{
	struct it_resp	r;
	int		ok;

	if (msg == NULL || strlen(msg) > 200)
		return answers_like(method, path, body, status, msg, msg);
	if (it_req(&s, method, path, s.admin_token, body, NULL, &r) == -1)
		return 0;
	ok = r.status == status && strcmp(ii_msg(&r), msg) == 0;
	if (!ok)
		printf("    %s %.120s -> %ld %s\n    want %ld %s\n", method, path,
		    r.status, ii_msg(&r), status, msg);
	it_resp_free(&r);
	return ok;
}

#define BAD(id, m, p, b, msg)	T(id, answers(m, p, b, 400, msg))

#define UNEXPECTED_TOP	"Additional properties are not allowed ('extra' was unexpected)"
#define NOT_ENOUGH	"{} does not have enough properties"
#define NOT_ONE		" is not valid under any of the given schemas"

/* A registered limit item of service svc: resource vres, default_limit
 * dflt (JSON text), the members more. */
static const char *
rl_item(const char *svc, const char *dflt, const char *more)
{
	return fmt("{\"service_id\": \"%s\", \"resource_name\": \"vres\", "
	    "\"default_limit\": %s%s}", svc, dflt, more);
}

/* rl: a registered limit no limit uses (so it may change). */
static void
registered_limits(const char *svc, const char *rl)
{
	const char	*P = "/v3/registered_limits", *one;

	BAD("avalid-1.1 registered limit create: wrong type", "POST", P,
	    fmt("{\"registered_limits\": [%s]}", rl_item(svc, "\"5\"", "")),
	    "Invalid input for field '0/default_limit': '5' is not of type"
	    " 'integer'");
	BAD("avalid-1.2 registered limit create: resource_name too long", "POST",
	    P, fmt("{\"registered_limits\": [{\"service_id\": \"%s\", "
	    "\"resource_name\": \"%s\", \"default_limit\": 1}]}", svc,
	    rep("n", 256)),
	    fmt("Invalid input for field '0/resource_name': '%s' is too long",
	    rep("n", 256)));
	BAD("avalid-1.3 registered limit create: missing default_limit", "POST",
	    P, fmt("{\"registered_limits\": [{\"service_id\": \"%s\", "
	    "\"resource_name\": \"r\"}]}", svc),
	    "Invalid input for field '0': 'default_limit' is a required property");
	BAD("avalid-1.4 registered limit create: unexpected property", "POST", P,
	    fmt("{\"registered_limits\": [%s]}", rl_item(svc, "10",
	    ", \"x\": 1")),
	    "Invalid input for field '0': Additional properties are not allowed"
	    " ('x' was unexpected)");
	BAD("avalid-1.5 registered limit create: unexpected member", "POST", P,
	    fmt("{\"registered_limits\": [%s], \"extra\": 1}", rl_item(svc,
	    "10", "")),
	    UNEXPECTED_TOP);
	BAD("avalid-1.6 registered limit create: no list", "POST", P, "{}",
	    "{} is not of type 'array'");
	BAD("avalid-1.7 registered limit create: empty list", "POST", P,
	    "{\"registered_limits\": []}", "[] is too short");
	BAD("avalid-1.8 registered limit create: below -1", "POST", P,
	    fmt("{\"registered_limits\": [%s]}", rl_item(svc, "-2", "")),
	    "Invalid input for field '0/default_limit': -2 is less than the"
	    " minimum of -1");
	BAD("avalid-1.9 registered limit create: over a signed INT", "POST", P,
	    fmt("{\"registered_limits\": [%s]}", rl_item(svc, "2147483648",
	    "")),
	    "Invalid input for field '0/default_limit': 2147483648 is greater"
	    " than the maximum of 2147483647");
	BAD("avalid-1.10 registered limit create: a real is not an integer",
	    "POST", P, fmt("{\"registered_limits\": [%s]}", rl_item(svc, "1.0",
	    "")),
	    "Invalid input for field '0/default_limit': 1.0 is not of type"
	    " 'integer'");
	BAD("avalid-1.11 registered limit create: region_id over its String(64)",
	    "POST", P, fmt("{\"registered_limits\": [%s]}", rl_item(svc, "10",
	    fmt(", \"region_id\": \"%s\"", rep("i", 65)))),
	    fmt("String length exceeded. The length of string '%s' exceeds the"
	    " limit of column region_id(CHAR(64)).", rep("i", 65)));
	BAD("avalid-1.12 registered limit create: description over TEXT", "POST",
	    P, fmt("{\"registered_limits\": [%s]}", rl_item(svc, "10",
	    fmt(", \"description\": \"%s\"", rep("d", 65536)))),
	    fmt("String length exceeded. The length of string '%s...' exceeds "
	    "the limit of column description(CHAR(65535)).", rep("d", 900)));
	one = fmt("{\"service_id\": \"%s\", \"resource_name\": \"r\", "
	    "\"default_limit\": 1}", svc);
	{
		size_t	 k = strlen(one), i, at;
		char	*list = malloc(1001 * (k + 1) + 32);

		if (list == NULL)
			abort();
		at = (size_t)sprintf(list, "{\"registered_limits\": [");
		for (i = 0; i < 1001; i++) {
			memcpy(list + at, one, k);
			at += k;
			list[at++] = i < 1000 ? ',' : ']';
		}
		memcpy(list + at, "}", 2);
		T("avalid-1.13 registered limit create: over 1000 in one request",
		    answers_like("POST", P, keep(list), 400, "[{'service_id': '",
		    "... is too long"));
	}

	P = fmt("/v3/registered_limits/%s", rl);
	BAD("avalid-1.20 registered limit update: wrong type", "PATCH", P,
	    "{\"registered_limit\": {\"default_limit\": true}}",
	    "Invalid input for field 'default_limit': True is not of type"
	    " 'integer'");
	BAD("avalid-1.21 registered limit update: resource_name too long",
	    "PATCH", P, fmt("{\"registered_limit\": {\"resource_name\": \"%s\"}}",
	    rep("n", 256)),
	    fmt("Invalid input for field 'resource_name': '%s' is too long",
	    rep("n", 256)));
	BAD("avalid-1.22 registered limit update: unexpected property (id)",
	    "PATCH", P, "{\"registered_limit\": {\"id\": \"x\"}}",
	    "Additional properties are not allowed ('id' was unexpected)");
	BAD("avalid-1.23 registered limit update: unexpected member", "PATCH", P,
	    "{\"registered_limit\": {}, \"extra\": 1}", UNEXPECTED_TOP);
	BAD("avalid-1.24 registered limit update: not an object", "PATCH", P,
	    "{\"registered_limit\": [1]}", "[1] is not of type 'object'");
	T("avalid-1.25 registered limit update: empty is a no-op (Keystone)",
	    answers("PATCH", P, "{\"registered_limit\": {}}", 200, NULL));
	T("avalid-1.26 registered limit update: no member is a no-op", answers(
	    "PATCH", P, "{}", 200, NULL));
	/* Keystone validates before it looks the object up. */
	BAD("avalid-1.27 bad body on a missing registered limit: 400 first",
	    "PATCH", "/v3/registered_limits/0123456789abcdef0123456789abcdef",
	    "{\"registered_limit\": {\"default_limit\": \"x\"}}",
	    "Invalid input for field 'default_limit': 'x' is not of type"
	    " 'integer'");
}

/* A limit item: project (or domain, by key) id, of service svc, limit
 * lim (JSON text), the members more. */
static const char *
limit_item(const char *key, const char *id, const char *svc, const char *lim,
    const char *more)
{
	return fmt("{\"%s\": \"%s\", \"service_id\": \"%s\", \"resource_name\":"
	    " \"vres\", \"resource_limit\": %s%s}", key, id, svc, lim, more);
}

static void
limits(const char *svc, const char *proj, const char *dom, const char *lim)
{
	const char	*P = "/v3/limits", *it;

	it = limit_item("project_id", proj, svc, "\"5\"", "");
	BAD("avalid-2.1 limit create: wrong type", "POST", P,
	    fmt("{\"limits\": [%s]}", it),
	    fmt("Invalid input for field '0': {'project_id': '%s', 'service_id':"
	    " '%s', 'resource_name': 'vres', 'resource_limit': '5'}" NOT_ONE,
	    proj, svc));
	it = fmt("{\"project_id\": \"%s\", \"service_id\": \"%s\", "
	    "\"resource_name\": \"%s\", \"resource_limit\": 1}", proj, svc,
	    rep("n", 256));
	BAD("avalid-2.2 limit create: resource_name too long", "POST", P,
	    fmt("{\"limits\": [%s]}", it),
	    fmt("Invalid input for field '0': {'project_id': '%s', 'service_id':"
	    " '%s', 'resource_name': '%s', 'resource_limit': 1}" NOT_ONE, proj,
	    svc, rep("n", 256)));
	BAD("avalid-2.3 limit create: neither project nor domain", "POST", P,
	    fmt("{\"limits\": [{\"service_id\": \"%s\", \"resource_name\": \"r\","
	    " \"resource_limit\": 1}]}", svc),
	    fmt("Invalid input for field '0': {'service_id': '%s', "
	    "'resource_name': 'r', 'resource_limit': 1}" NOT_ONE, svc));
	BAD("avalid-2.4 limit create: both project and domain", "POST", P,
	    fmt("{\"limits\": [%s]}", limit_item("project_id", proj, svc, "5",
	    fmt(", \"domain_id\": \"%s\"", dom))),
	    fmt("Invalid input for field '0': {'project_id': '%s', 'service_id':"
	    " '%s', 'resource_name': 'vres', 'resource_limit': 5, 'domain_id': "
	    "'%s'}" NOT_ONE, proj, svc, dom));
	BAD("avalid-2.5 limit create: a domain limit's wrong type", "POST", P,
	    fmt("{\"limits\": [%s]}", limit_item("domain_id", dom, svc, "5",
	    ", \"description\": 5")),
	    fmt("Invalid input for field '0': {'domain_id': '%s', 'service_id': "
	    "'%s', 'resource_name': 'vres', 'resource_limit': 5, 'description': "
	    "5}" NOT_ONE, dom, svc));
	BAD("avalid-2.6 limit create: unexpected property", "POST", P,
	    fmt("{\"limits\": [%s]}", limit_item("project_id", proj, svc, "5",
	    ", \"x\": 1")),
	    fmt("Invalid input for field '0': {'project_id': '%s', 'service_id':"
	    " '%s', 'resource_name': 'vres', 'resource_limit': 5, 'x': 1}" NOT_ONE,
	    proj, svc));
	BAD("avalid-2.7 limit create: unexpected member", "POST", P,
	    fmt("{\"limits\": [%s], \"extra\": 1}", limit_item("project_id", proj,
	    svc, "5", "")), UNEXPECTED_TOP);
	BAD("avalid-2.8 limit create: not a list", "POST", P,
	    "{\"limits\": {\"a\": 1}}", "{'a': 1} is not of type 'array'");
	BAD("avalid-2.9 limit create: an item not an object", "POST", P,
	    "{\"limits\": [\"x\"]}",
	    "Invalid input for field '0': 'x' is not of type 'object'");
	BAD("avalid-2.10 limit create: description over TEXT (the branch that"
	    " matched)", "POST", P, fmt("{\"limits\": [%s]}",
	    limit_item("domain_id", dom, svc, "5", fmt(", \"description\": \"%s\"",
	    rep("d", 65536)))),
	    fmt("String length exceeded. The length of string '%s...' exceeds "
	    "the limit of column description(CHAR(65535)).", rep("d", 900)));
	BAD("avalid-2.11 limit create: region_id over keygate's 64 bytes",
	    "POST", P, fmt("{\"limits\": [%s]}", limit_item("project_id", proj,
	    svc, "5", fmt(", \"region_id\": \"%s\"", rep("i", 65)))),
	    fmt("String length exceeded. The length of string '%s' exceeds the"
	    " limit of column region_id(CHAR(64)).", rep("i", 65)));
	T("avalid-2.12 limit create: a valid domain limit passes", answers("POST",
	    P, fmt("{\"limits\": [%s]}", limit_item("domain_id", dom, svc, "5", "")),
	    201, NULL));

	P = fmt("/v3/limits/%s", lim);
	BAD("avalid-2.20 limit update: wrong type", "PATCH", P,
	    "{\"limit\": {\"resource_limit\": \"x\"}}",
	    "Invalid input for field 'resource_limit': 'x' is not of type"
	    " 'integer'");
	BAD("avalid-2.21 limit update: below -1", "PATCH", P,
	    "{\"limit\": {\"resource_limit\": -5}}",
	    "Invalid input for field 'resource_limit': -5 is less than the"
	    " minimum of -1");
	BAD("avalid-2.22 limit update: unexpected property", "PATCH", P,
	    fmt("{\"limit\": {\"project_id\": \"%s\"}}", proj),
	    "Additional properties are not allowed ('project_id' was"
	    " unexpected)");
	BAD("avalid-2.23 limit update: description over TEXT", "PATCH", P,
	    fmt("{\"limit\": {\"description\": \"%s\"}}", rep("d", 65536)),
	    fmt("String length exceeded. The length of string '%s...' exceeds "
	    "the limit of column description(CHAR(65535)).", rep("d", 900)));
	BAD("avalid-2.24 limit update: unexpected member", "PATCH", P,
	    "{\"limit\": {}, \"extra\": 1}", UNEXPECTED_TOP);
	T("avalid-2.25 limit update: -1 (no limit) passes", answers("PATCH", P,
	    "{\"limit\": {\"resource_limit\": -1}}", 200, NULL));
}

static void
policies(const char *pol)
{
	const char	*P = "/v3/policies";

	BAD("avalid-3.1 policy create: wrong type", "POST", P,
	    "{\"policy\": {\"blob\": {\"a\": 1}, \"type\": \"t\"}}",
	    "Invalid input for field 'blob': {'a': 1} is not of type 'string'");
	BAD("avalid-3.2 policy create: type too long", "POST", P,
	    fmt("{\"policy\": {\"blob\": \"b\", \"type\": \"%s\"}}",
	    rep("t", 256)),
	    fmt("Invalid input for field 'type': '%s' is too long", rep("t", 256)));
	BAD("avalid-3.3 policy create: missing type", "POST", P,
	    "{\"policy\": {\"blob\": \"b\"}}", "'type' is a required property");
	BAD("avalid-3.4 policy create: no policy", "POST", P, "{}",
	    "'blob' is a required property");
	BAD("avalid-3.5 policy create: unexpected member", "POST", P,
	    "{\"policy\": {\"blob\": \"b\", \"type\": \"t\"}, \"extra\": 1}",
	    UNEXPECTED_TOP);
	T("avalid-3.6 policy create: other properties are kept (Keystone's"
	    " additionalProperties)", answers("POST", P, "{\"policy\": {\"blob\":"
	    " \"b\", \"type\": \"t\", \"x\": [1]}}", 201, NULL));
	BAD("avalid-3.7 policy create: blob over TEXT", "POST", P,
	    fmt("{\"policy\": {\"blob\": \"%s\", \"type\": \"t\"}}",
	    rep("b", 65536)),
	    fmt("String length exceeded. The length of string '%s...' exceeds "
	    "the limit of column blob(CHAR(65535)).", rep("b", 900)));
	BAD("avalid-3.8 policy create: type over keygate's 255 bytes", "POST", P,
	    fmt("{\"policy\": {\"blob\": \"b\", \"type\": \"%s\"}}",
	    rep("\xc3\xa9", 255)),
	    fmt("String length exceeded. The length of string '%s' exceeds the"
	    " limit of column type(CHAR(255)).", rep("\xc3\xa9", 255)));
	T("avalid-3.9 policy create: other properties over 65535 bytes",
	    answers_like("POST", P, fmt("{\"policy\": {\"blob\": \"b\", \"type\":"
	    " \"t\", \"x\": \"%s\"}}", rep("x", 65536)), 400,
	    "String length exceeded. The length of string '{\"x\":\"xxx",
	    "...' exceeds the limit of column extra(CHAR(65535))."));

	P = fmt("/v3/policies/%s", pol);
	BAD("avalid-3.20 policy update: empty", "PATCH", P, "{\"policy\": {}}",
	    NOT_ENOUGH);
	BAD("avalid-3.21 policy update: wrong type", "PATCH", P,
	    "{\"policy\": {\"type\": null}}",
	    "Invalid input for field 'type': None is not of type 'string'");
	/* Keystone validates body.get("policy", {}) first. */
	BAD("avalid-3.22 policy update: no policy", "PATCH", P, "{\"x\": {}}",
	    NOT_ENOUGH);
	BAD("avalid-3.23 policy update: not an object", "PATCH", P,
	    "{\"policy\": \"p\"}", "'p' is not of type 'object'");
}

static void
endpoint_groups(const char *grp)
{
	const char	*P = "/v3/OS-EP-FILTER/endpoint_groups";

	BAD("avalid-4.1 endpoint group create: wrong type", "POST", P,
	    "{\"endpoint_group\": {\"name\": \"g\", \"filters\": [\"x\"]}}",
	    "Invalid input for field 'filters': ['x'] is not of type 'object'");
	BAD("avalid-4.2 endpoint group create: name too long", "POST", P,
	    fmt("{\"endpoint_group\": {\"name\": \"%s\", \"filters\": "
	    "{\"interface\": \"public\"}}}", rep("n", 256)),
	    fmt("Invalid input for field 'name': '%s' is too long",
	    rep("n", 256)));
	BAD("avalid-4.3 endpoint group create: missing filters", "POST", P,
	    "{\"endpoint_group\": {\"name\": \"g\"}}",
	    "'filters' is a required property");
	BAD("avalid-4.4 endpoint group create: unexpected property", "POST", P,
	    "{\"endpoint_group\": {\"name\": \"g\", \"filters\": {\"interface\":"
	    " \"public\"}, \"x\": 1}}",
	    "Additional properties are not allowed ('x' was unexpected)");
	BAD("avalid-4.5 endpoint group create: unexpected member", "POST", P,
	    "{\"endpoint_group\": {\"name\": \"g\", \"filters\": {\"interface\":"
	    " \"public\"}}, \"extra\": 1}", UNEXPECTED_TOP);
	BAD("avalid-4.6 endpoint group create: blank name", "POST", P,
	    "{\"endpoint_group\": {\"name\": \"  \", \"filters\": {\"interface\":"
	    " \"public\"}}}",
	    "Invalid input for field 'name': '  ' does not match '[\\\\S]+'");
	/* Keystone's checks after the schema. */
	BAD("avalid-4.7 endpoint group create: empty filters", "POST", P,
	    "{\"endpoint_group\": {\"name\": \"g\", \"filters\": {}}}",
	    "filters field is required and cannot be empty");
	T("avalid-4.8 endpoint group create: a filter on another attribute",
	    answers_like("POST", P, "{\"endpoint_group\": {\"name\": \"g\", "
	    "\"filters\": {\"url\": \"x\"}}}", 400, "Expecting to find service_id"
	    " or region_id or interface in endpoint_group.", NULL));
	T("avalid-4.9 endpoint group create: id and links are ignored",
	    answers("POST", P, "{\"endpoint_group\": {\"id\": 5, \"links\": 1, "
	    "\"name\": \"g\", \"filters\": {\"interface\": \"public\"}}}", 201,
	    NULL));

	P = fmt("/v3/OS-EP-FILTER/endpoint_groups/%s", grp);
	BAD("avalid-4.20 endpoint group update: empty", "PATCH", P,
	    "{\"endpoint_group\": {}}", NOT_ENOUGH);
	BAD("avalid-4.21 endpoint group update: wrong type", "PATCH", P,
	    "{\"endpoint_group\": {\"description\": 1}}",
	    "Invalid input for field 'description': 1 is not of type 'string',"
	    " 'null'");
	BAD("avalid-4.22 endpoint group update: name over 255 bytes", "PATCH", P,
	    fmt("{\"endpoint_group\": {\"name\": \"%s\"}}", rep("\xc3\xa9", 200)),
	    fmt("String length exceeded. The length of string '%s' exceeds the"
	    " limit of column name(CHAR(255)).", rep("\xc3\xa9", 200)));
	BAD("avalid-4.23 endpoint group update: another id", "PATCH", P,
	    "{\"endpoint_group\": {\"id\": \"other\"}}", NULL);
}

static void
domain_config(const char *dom)
{
	const char	*P = fmt("/v3/domains/%s/config", dom);

	BAD("avalid-5.1 domain config create: not an object", "PUT", P,
	    "{\"config\": [\"ldap\"]}", "['ldap'] is not of type 'object'");
	BAD("avalid-5.2 domain config create: unexpected member", "PUT", P,
	    "{\"config\": {\"ldap\": {\"url\": \"u\"}}, \"extra\": 1}",
	    UNEXPECTED_TOP);
	T("avalid-5.3 domain config create: over 65535 bytes of JSON",
	    answers_like("PUT", P, fmt("{\"config\": {\"ldap\": {\"url\": "
	    "\"%s\"}}}", rep("u", 65536)), 400,
	    "String length exceeded. The length of string '{\"ldap\":{\"url\":\"",
	    "...' exceeds the limit of column config(CHAR(65535))."));
	/* Keystone's 403s stay: the schema is only the shape. */
	T("avalid-5.4 domain config create: a group that is not one -> 403",
	    answers("PUT", P, "{\"config\": {\"nogroup\": {\"x\": 1}}}", 403,
	    NULL));
	T("avalid-5.5 domain config create: no config -> 403 (Keystone)",
	    answers("PUT", P, "{}", 403, "Invalid domain specific configuration:"
	    " No options specified."));
	T("avalid-5.6 domain config create: valid", answers("PUT", P,
	    "{\"config\": {\"ldap\": {\"url\": \"ldap://x\"}}}", 201, NULL));
	BAD("avalid-5.7 domain config update: not an object", "PATCH", P,
	    "{\"config\": 1}", "1 is not of type 'object'");
	BAD("avalid-5.8 domain config group update: not an object", "PATCH",
	    fmt("%s/ldap", P), "{\"config\": \"x\"}",
	    "'x' is not of type 'object'");
	BAD("avalid-5.9 domain config option update: not an object", "PATCH",
	    fmt("%s/ldap/url", P), "{\"config\": null}",
	    "None is not of type 'object'");
	T("avalid-5.10 domain config option update: valid", answers("PATCH",
	    fmt("%s/ldap/url", P), "{\"config\": {\"url\": \"ldap://y\"}}", 200,
	    NULL));
}

/* As Keystone: a caller the policy refuses gets 403 before the 400. */
static void
order(const char *member, const char *lim, const char *pol, const char *dom)
{
	T("avalid-6.1 registered limit create: member, bad body -> 403",
	    it_status(&s, "POST", "/v3/registered_limits", member,
	    "{\"registered_limits\": 5}") == 403);
	T("avalid-6.2 limit update: member, bad body -> 403", it_status(&s,
	    "PATCH", fmt("/v3/limits/%s", lim), member,
	    "{\"limit\": {\"x\": 1}}") == 403);
	T("avalid-6.3 policy update: member, bad body -> 403", it_status(&s,
	    "PATCH", fmt("/v3/policies/%s", pol), member,
	    "{\"policy\": {}}") == 403);
	T("avalid-6.4 endpoint group create: member, bad body -> 403",
	    it_status(&s, "POST", "/v3/OS-EP-FILTER/endpoint_groups", member,
	    "{\"endpoint_group\": 1}") == 403);
	T("avalid-6.5 domain config: member, bad body -> 403", it_status(&s,
	    "PUT", fmt("/v3/domains/%s/config", dom), member,
	    "{\"config\": 1}") == 403);
}

int
main(void)
{
	char		 proj[64] = "", svc[64] = "", rl[64] = "", rl2[64] = "",
			 lim[64] = "", pol[64] = "", grp[64] = "", dom[64] = "";
	char		*member;
	const char	*A;

	it_start(&s, NULL);
	A = s.admin_token;
	T("avalid-0.1 admin token", A[0] != '\0');
	ia_find_id(&s, "/v3/projects", "projects", "admin", proj, sizeof(proj));
	ia_create(&s, "/v3/services", A, "{\"service\": {\"type\": \"vt\"}}",
	    "service.id", svc, sizeof(svc));
	ia_create(&s, "/v3/domains", A, "{\"domain\": {\"name\": \"vd\"}}",
	    "domain.id", dom, sizeof(dom));
	ia_create(&s, "/v3/registered_limits", A, fmt("{\"registered_limits\": "
	    "[%s]}", rl_item(svc, "10", "")), "registered_limits.0.id", rl,
	    sizeof(rl));
	ia_create(&s, "/v3/registered_limits", A, fmt("{\"registered_limits\": "
	    "[{\"service_id\": \"%s\", \"resource_name\": \"unused\", "
	    "\"default_limit\": 1}]}", svc), "registered_limits.0.id", rl2,
	    sizeof(rl2));
	ia_create(&s, "/v3/limits", A, fmt("{\"limits\": [%s]}",
	    limit_item("project_id", proj, svc, "5", "")), "limits.0.id", lim,
	    sizeof(lim));
	ia_create(&s, "/v3/policies", A, "{\"policy\": {\"blob\": \"{}\", "
	    "\"type\": \"t\"}}", "policy.id", pol, sizeof(pol));
	ia_create(&s, "/v3/OS-EP-FILTER/endpoint_groups", A, "{\"endpoint_group\":"
	    " {\"name\": \"vg\", \"filters\": {\"interface\": \"public\"}}}",
	    "endpoint_group.id", grp, sizeof(grp));
	member = ia_persona(&s, "vmember", "member", 'p', proj);
	T("avalid-0.2 fixtures", proj[0] && svc[0] && dom[0] && rl[0] && rl2[0] &&
	    lim[0] && pol[0] && grp[0] && member != NULL);

	registered_limits(svc, rl2);
	limits(svc, proj, dom, lim);
	policies(pol);
	endpoint_groups(grp);
	domain_config(dom);
	order(member != NULL ? member : "none", lim, pol, dom);

	T("avalid-7.1 server still up, clean exit", it_stop(&s) == 0);
	free(member);
	while (npool > 0)
		free(pool[--npool]);
	return t_report();
}
