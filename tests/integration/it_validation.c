/*
 * it_validation.c - request validation over HTTP: for every route that
 * takes a body, a wrong type, a too long string, a missing required
 * property and an unexpected property, each answered 400 with Keystone
 * 22's text (application credentials, and the application_credential
 * method of a token request, too); the storage limits (Keystone's
 * StringLengthExceeded); the string booleans that used to be read as
 * booleans; the query limits.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* printf into a kept malloc'd string. */
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

/* "\"t0\", \"t1\", ... " for n tags, and Python's "'t0', 't1', ... ". */
static char *
tag_list(int n)
{
	char	*s = calloc(1, (size_t)n * 12 + 1);
	int	 i;

	for (i = 0; s != NULL && i < n; i++)
		sprintf(s + strlen(s), "\"t%d\", ", i);
	return s;
}

static char *
tag_repr(int n)
{
	char	*s = calloc(1, (size_t)n * 12 + 1);
	int	 i;

	for (i = 0; s != NULL && i < n; i++)
		sprintf(s + strlen(s), "'t%d', ", i);
	return s;
}

static struct it_server	s;

/* One request: 1 when it answers status with exactly msg (NULL: any). */
static int
answers(const char *method, const char *path, const char *body, long status,
    const char *msg)
{
	struct it_resp	r;
	int		ok;

	if (it_req(&s, method, path, s.admin_token, body, NULL, &r) == -1)
		return 0;
	ok = r.status == status && (msg == NULL || strcmp(ii_msg(&r), msg) == 0);
	if (!ok)
		printf("    %s %.120s -> %ld %s\n    want %ld %s\n", method, path, r.status,
		    ii_msg(&r), status, msg ? msg : "");
	it_resp_free(&r);
	return ok;
}

#define BAD(id, m, p, b, msg)	T(id, answers(m, p, b, 400, msg))

#define UNEXPECTED_TOP	"Additional properties are not allowed ('extra' was unexpected)"
#define NOT_ENOUGH	"{} does not have enough properties"

int
main(void)
{
	const char	*A, *L65, *L256, *pw, *longdesc, *p, *u, *g, *rl, *svc, *ep,
			*d, *t, *ac;
	char		*x;
	struct it_resp	 r;

	it_start(&s, NULL);
	A = s.admin_token;
	T("valid-0.1 admin token", A[0] != '\0');
	L65 = rep("i", 65);
	L256 = rep("n", 256);
	pw = fmt("{\"identity\": {\"methods\": [\"password\"], \"password\": {\"user\":"
	    " {\"name\": \"admin\", \"domain\": {\"id\": \"default\"}, \"password\": "
	    "\"%s\"}}}", IT_ADMIN_PASSWORD);
	p = keep(ii_create(&s, "/v3/projects", "{\"project\": {\"name\": \"vp\"}}",
	    "project.id"));
	u = keep(ii_create(&s, "/v3/users", "{\"user\": {\"name\": \"vu\", "
	    "\"password\": \"vu-pw\", \"default_project_id\": \"x\"}}", "user.id"));
	g = keep(ii_create(&s, "/v3/groups", "{\"group\": {\"name\": \"vg\"}}",
	    "group.id"));
	rl = keep(ii_create(&s, "/v3/roles", "{\"role\": {\"name\": \"vr\"}}",
	    "role.id"));
	d = keep(ii_create(&s, "/v3/domains", "{\"domain\": {\"name\": \"vd\"}}",
	    "domain.id"));
	svc = keep(ii_create(&s, "/v3/services", "{\"service\": {\"type\": \"vt\"}}",
	    "service.id"));
	ep = keep(ii_create(&s, "/v3/endpoints", fmt("{\"endpoint\": {\"interface\": "
	    "\"public\", \"service_id\": \"%s\", \"url\": \"http://v\"}}", svc),
	    "endpoint.id"));
	T("valid-0.2 fixtures", ep != NULL);

	/* POST /v3/auth/tokens */
	BAD("valid-1.1 token: wrong type", "POST", "/v3/auth/tokens",
	    "{\"auth\": {\"identity\": {\"methods\": [\"password\"]}, \"scope\": "
	    "{\"system\": {\"all\": \"yes\"}}}}",
	    "Invalid input for field 'scope/system/all': 'yes' is not of type 'boolean'");
	BAD("valid-1.2 token: too long (project.name column)", "POST", "/v3/auth/tokens",
	    fmt("{\"auth\": %s, \"scope\": {\"project\": {\"name\": \"%s\", \"domain\": "
	    "{\"id\": \"default\"}}}}}", pw, L65), fmt("String length exceeded. The "
	    "length of string '%s' exceeds the limit of column name(CHAR(64)).", L65));
	BAD("valid-1.3 token: missing identity", "POST", "/v3/auth/tokens",
	    "{\"auth\": {\"scope\": \"unscoped\"}}", "'identity' is a required property");
	BAD("valid-1.4 token: unexpected member", "POST", "/v3/auth/tokens",
	    fmt("{\"auth\": %s}, \"extra\": 1}", pw), UNEXPECTED_TOP);
	BAD("valid-1.5 token: Keystone's id-or-name rule", "POST", "/v3/auth/tokens",
	    "{\"auth\": {\"identity\": {\"methods\": [\"password\"], \"password\": "
	    "{\"user\": {\"password\": \"x\", \"domain\": {\"id\": \"default\"}}}}}}",
	    "Invalid input for field identity/password/user: id or name must be "
	    "present.");
	BAD("valid-1.6 token: the token is never echoed", "POST", "/v3/auth/tokens",
	    "{\"auth\": {\"identity\": {\"methods\": [\"token\"], \"token\": {\"id\": "
	    "12345}}}}", "Invalid input for field 'identity/token/id': '******' is "
	    "not of type 'string'");

	BAD("valid-1.7 token: application_credential not an object", "POST",
	    "/v3/auth/tokens", "{\"auth\": {\"identity\": {\"methods\": "
	    "[\"application_credential\"], \"application_credential\": \"x\"}}}",
	    "Invalid input for field 'identity/application_credential': 'x' is not "
	    "of type 'object'");
	BAD("valid-1.8 token: the secret is never echoed", "POST", "/v3/auth/tokens",
	    "{\"auth\": {\"identity\": {\"methods\": [\"application_credential\"],"
	    " \"application_credential\": {\"id\": \"x\", \"secret\": 12345}}}}",
	    "Invalid input for field 'identity/application_credential/secret': "
	    "'******' is not of type 'string'");
	BAD("valid-1.9 token: application credential id over its column", "POST",
	    "/v3/auth/tokens", fmt("{\"auth\": {\"identity\": {\"methods\": "
	    "[\"application_credential\"], \"application_credential\": {\"id\": "
	    "\"%s\", \"secret\": \"s\"}}}}", L65), fmt("String length exceeded. "
	    "The length of string '%s' exceeds the limit of column id(CHAR(64)).",
	    L65));
	BAD("valid-1.10 token: application credential's user domain", "POST",
	    "/v3/auth/tokens", "{\"auth\": {\"identity\": {\"methods\": "
	    "[\"application_credential\"], \"application_credential\": {\"name\":"
	    " \"a\", \"secret\": \"s\", \"user\": {\"name\": \"admin\", "
	    "\"domain\": \"default\"}}}}}", "Invalid input for field "
	    "'identity/application_credential/user/domain': 'default' is not of "
	    "type 'object'");

	/* POST, PATCH /v3/domains */
	BAD("valid-2.1 domain create: \"enabled\": \"false\"", "POST", "/v3/domains",
	    "{\"domain\": {\"name\": \"vd2\", \"enabled\": \"false\"}}",
	    "Invalid input for field 'enabled': 'false' is not of type 'boolean'");
	BAD("valid-2.2 domain create: name too long", "POST", "/v3/domains",
	    fmt("{\"domain\": {\"name\": \"%s\"}}", L65),
	    fmt("Invalid input for field 'name': '%s' is too long", L65));
	BAD("valid-2.3 domain create: missing name", "POST", "/v3/domains",
	    "{\"domain\": {\"enabled\": true}}", "'name' is a required property");
	BAD("valid-2.4 domain create: unexpected option", "POST", "/v3/domains",
	    "{\"domain\": {\"name\": \"vd2\", \"options\": {\"x\": 1}}}",
	    "Invalid input for field 'options': Additional properties are not "
	    "allowed ('x' was unexpected)");
	BAD("valid-2.5 domain update: \"enabled\": \"false\"", "PATCH",
	    fmt("/v3/domains/%s", d), "{\"domain\": {\"enabled\": \"false\"}}",
	    "Invalid input for field 'enabled': 'false' is not of type 'boolean'");
	it_req(&s, "GET", fmt("/v3/domains/%s", d), A, NULL, NULL, &r);
	T("valid-2.6 domain still enabled", r.status == 200 &&
	    json_is_true(it_get(r.json, "domain.enabled")));
	it_resp_free(&r);
	longdesc = rep("d", 65536);
	BAD("valid-2.7 domain update: description over TEXT's 65535", "PATCH",
	    fmt("/v3/domains/%s", d), fmt("{\"domain\": {\"description\": \"%s\"}}",
	    longdesc), fmt("String length exceeded. The length of string '%s...' "
	    "exceeds the limit of column description(CHAR(65535)).", rep("d", 900)));
	BAD("valid-2.8 domain update: empty", "PATCH", fmt("/v3/domains/%s", d),
	    "{\"domain\": {}}", NOT_ENOUGH);
	BAD("valid-2.9 domain update: unexpected member", "PATCH",
	    fmt("/v3/domains/%s", d), "{\"domain\": {\"name\": \"x\"}, \"extra\": 1}",
	    UNEXPECTED_TOP);
	BAD("valid-2.10 domain create: options.immutable not a boolean", "POST",
	    "/v3/domains", "{\"domain\": {\"name\": \"vd2\", \"options\": "
	    "{\"immutable\": \"yes\"}}}", "Invalid input for field "
	    "'options/immutable': 'yes' is not of type 'boolean', 'null'");
	BAD("valid-2.11 domain update: options not an object", "PATCH",
	    fmt("/v3/domains/%s", d), "{\"domain\": {\"options\": [true]}}",
	    "Invalid input for field 'options': [True] is not of type 'object'");
	T("valid-2.12 domain update: options.immutable null passes", answers("PATCH",
	    fmt("/v3/domains/%s", d), "{\"domain\": {\"options\": {\"immutable\": "
	    "null}}}", 200, NULL));

	/* POST, PATCH /v3/projects; PUT tags */
	BAD("valid-3.1 project create: \"enabled\": \"false\"", "POST", "/v3/projects",
	    "{\"project\": {\"name\": \"vp2\", \"enabled\": \"false\"}}",
	    "Invalid input for field 'enabled': 'false' is not of type 'boolean'");
	BAD("valid-3.2 project create: \"is_domain\": \"true\"", "POST", "/v3/projects",
	    "{\"project\": {\"name\": \"vp2\", \"is_domain\": \"true\"}}",
	    "Invalid input for field 'is_domain': 'true' is not of type 'boolean'");
	BAD("valid-3.3 project create: name too long", "POST", "/v3/projects",
	    fmt("{\"project\": {\"name\": \"%s\"}}", L65),
	    fmt("Invalid input for field 'name': '%s' is too long", L65));
	BAD("valid-3.4 project create: missing name", "POST", "/v3/projects",
	    "{\"project\": {\"description\": \"x\"}}", "'name' is a required property");
	BAD("valid-3.5 project create: unexpected option", "POST", "/v3/projects",
	    "{\"project\": {\"name\": \"vp2\", \"options\": {\"lock\": true}}}",
	    "Invalid input for field 'options': Additional properties are not "
	    "allowed ('lock' was unexpected)");
	BAD("valid-3.5a project create: options.immutable not a boolean", "POST",
	    "/v3/projects", "{\"project\": {\"name\": \"vp2\", \"options\": "
	    "{\"immutable\": 1}}}", "Invalid input for field 'options/immutable': "
	    "1 is not of type 'boolean', 'null'");
	BAD("valid-3.5b project update: options.immutable \"false\"", "PATCH",
	    fmt("/v3/projects/%s", p), "{\"project\": {\"options\": {\"immutable\":"
	    " \"false\"}}}", "Invalid input for field 'options/immutable': 'false' "
	    "is not of type 'boolean', 'null'");
	BAD("valid-3.5c project update: is_domain not a boolean", "PATCH",
	    fmt("/v3/projects/%s", p), "{\"project\": {\"is_domain\": 0}}",
	    "Invalid input for field 'is_domain': 0 is not of type 'boolean'");
	BAD("valid-3.5d project create: parent_id not an id", "POST", "/v3/projects",
	    "{\"project\": {\"name\": \"vp2\", \"parent_id\": \"a/b\"}}",
	    "Invalid input for field 'parent_id': 'a/b' does not match "
	    "'^[a-zA-Z0-9-]+$'");
	T("valid-3.5e project create: options.immutable false passes",
	    answers("POST", "/v3/projects", "{\"project\": {\"name\": \"vp-opt\", "
	    "\"options\": {\"immutable\": false}}}", 201, NULL));
	BAD("valid-3.6 project update: tags not an array", "PATCH",
	    fmt("/v3/projects/%s", p), "{\"project\": {\"tags\": \"a\"}}",
	    "Invalid input for field 'tags': 'a' is not of type 'array'");
	BAD("valid-3.7 project update: tag too long", "PATCH", fmt("/v3/projects/%s", p),
	    fmt("{\"project\": {\"tags\": [\"%s\"]}}", L256),
	    fmt("Invalid input for field 'tags/0': '%s' is too long", L256));
	BAD("valid-3.8 project update: empty", "PATCH", fmt("/v3/projects/%s", p),
	    "{\"project\": {}}", NOT_ENOUGH);
	BAD("valid-3.9 project update: unexpected member", "PATCH",
	    fmt("/v3/projects/%s", p), "{\"project\": {\"name\": \"x\"}, \"extra\": 1}",
	    UNEXPECTED_TOP);
	BAD("valid-3.10 tags: wrong type", "PUT", fmt("/v3/projects/%s/tags", p),
	    "{\"tags\": [1]}", "Invalid input for field '0': 1 is not of type 'string'");
	BAD("valid-3.11 tags: 81 of them", "PUT", fmt("/v3/projects/%s/tags", p),
	    fmt("{\"tags\": [%s\"x\"]}", rep("\"t\", ", 80)),
	    fmt("[%s'x'] is too long", rep("'t', ", 80)));
	it_req(&s, "PUT", fmt("/v3/projects/%s/tags", p), A, fmt("{\"tags\": "
	    "[%s\"t80\"]}", keep(tag_list(79))), NULL, &r);
	it_resp_free(&r);
	BAD("valid-3.11a the 81st tag by URL: Keystone's list text", "PUT",
	    fmt("/v3/projects/%s/tags/t81", p), NULL, fmt("[%s't80', 't81'] is "
	    "too long", keep(tag_repr(79))));
	T("valid-3.11b re-adding a tag the project has: 201", answers("PUT",
	    fmt("/v3/projects/%s/tags/t80", p), NULL, 201, NULL));
	BAD("valid-3.12 tags: duplicates", "PUT", fmt("/v3/projects/%s/tags", p),
	    "{\"tags\": [\"a\", \"a\"]}", "['a', 'a'] has non-unique elements");
	BAD("valid-3.13 tags: missing", "PUT", fmt("/v3/projects/%s/tags", p), "{}",
	    "{} is not of type 'array'");
	BAD("valid-3.14 tags: unexpected member", "PUT", fmt("/v3/projects/%s/tags", p),
	    "{\"tags\": [], \"extra\": 1}", UNEXPECTED_TOP);

	/* POST, PATCH /v3/users; password change */
	BAD("valid-4.1 user create: \"enabled\": \"false\"", "POST", "/v3/users",
	    "{\"user\": {\"name\": \"vu2\", \"enabled\": \"false\"}}",
	    "Invalid input for field 'enabled': 'false' is not of type 'boolean'");
	it_req(&s, "GET", "/v3/users?name=vu2", A, NULL, NULL, &r);
	T("valid-4.2 no user was created", r.status == 200 &&
	    ii_count(r.json, "users") == 0);
	it_resp_free(&r);
	BAD("valid-4.3 user create: name too long", "POST", "/v3/users",
	    fmt("{\"user\": {\"name\": \"%s\"}}", L256),
	    fmt("Invalid input for field 'name': '%s' is too long", L256));
	BAD("valid-4.4 user create: missing name", "POST", "/v3/users",
	    "{\"user\": {\"email\": \"a@b\"}}", "'name' is a required property");
	/* The PCI-DSS and MFA options are accepted (it_compliance pci-5.x,
	 * it_totp totp-3.x); one that keygate does not know is refused by the
	 * schema. */
	BAD("valid-4.5 user create: unexpected option", "POST", "/v3/users",
	    "{\"user\": {\"name\": \"vu2\", \"options\": "
	    "{\"multi_factor_auth_required\": true}}}",
	    "Invalid input for field 'options': Additional properties are not "
	    "allowed ('multi_factor_auth_required' was unexpected)");
	BAD("valid-4.5b user create: an option not a boolean", "POST", "/v3/users",
	    "{\"user\": {\"name\": \"vu2\", \"options\": "
	    "{\"lock_password\": \"yes\"}}}",
	    "Invalid input for field 'options/lock_password': 'yes' is not of "
	    "type 'boolean', 'null'");
	BAD("valid-4.6 user create: unexpected member", "POST", "/v3/users",
	    "{\"user\": {\"name\": \"vu2\"}, \"extra\": 1}", UNEXPECTED_TOP);
	t = keep(it_token(&s, "vu", "vu-pw", NULL));
	BAD("valid-4.7 user update: \"enabled\": \"false\"", "PATCH",
	    fmt("/v3/users/%s", u), "{\"user\": {\"enabled\": \"false\"}}",
	    "Invalid input for field 'enabled': 'false' is not of type 'boolean'");
	it_req(&s, "GET", fmt("/v3/users/%s", u), A, NULL, NULL, &r);
	T("valid-4.8 the user is still enabled, its token still valid",
	    r.status == 200 && json_is_true(it_get(r.json, "user.enabled")) &&
	    ii_validate(&s, t) == 200);
	it_resp_free(&r);
	BAD("valid-4.9 user update: default_project_id too long", "PATCH",
	    fmt("/v3/users/%s", u), fmt("{\"user\": {\"default_project_id\": \"%s\"}}",
	    L65), fmt("Invalid input for field 'default_project_id': '%s' is too long",
	    L65));
	BAD("valid-4.10 user update: empty", "PATCH", fmt("/v3/users/%s", u),
	    "{\"user\": {}}", NOT_ENOUGH);
	BAD("valid-4.11 user update: null enabled", "PATCH", fmt("/v3/users/%s", u),
	    "{\"user\": {\"enabled\": null}}",
	    "Invalid input for field 'enabled': None is not of type 'boolean'");
	BAD("valid-4.12 password: wrong type, not echoed", "POST",
	    fmt("/v3/users/%s/password", u), "{\"user\": {\"original_password\": "
	    "\"vu-pw\", \"password\": 12345}}",
	    "Invalid input for field 'password': '******' is not of type 'string'");
	BAD("valid-4.13 password: too long", "POST", fmt("/v3/users/%s/password", u),
	    fmt("{\"user\": {\"original_password\": \"vu-pw\", \"password\": \"%s\"}}",
	    rep("p", 4097)), "Invalid input for field 'password': '******' is too long");
	BAD("valid-4.14 password: missing original", "POST",
	    fmt("/v3/users/%s/password", u), "{\"user\": {\"password\": \"x\"}}",
	    "'original_password' is a required property");
	BAD("valid-4.15 password: unexpected property", "POST",
	    fmt("/v3/users/%s/password", u), "{\"user\": {\"original_password\": "
	    "\"vu-pw\", \"password\": \"x\", \"extra\": 1}}", UNEXPECTED_TOP);
	BAD("valid-4.16 user: name over 255 bytes (keygate's storage)", "POST",
	    "/v3/users", fmt("{\"user\": {\"name\": \"%s\"}}", rep("\xe2\x82\xac", 128)),
	    fmt("String length exceeded. The length of string '%s' exceeds the limit "
	    "of column name(CHAR(255)).", rep("\xe2\x82\xac", 128)));
	T("valid-4.17 user: 85 three-byte characters fit", answers("POST", "/v3/users",
	    fmt("{\"user\": {\"name\": \"%s\"}}", rep("\xe2\x82\xac", 85)), 201, NULL));
	x = malloc(70001);
	memset(x, 'e', 70000);
	x[70000] = '\0';
	keep(x);
	BAD("valid-4.18 user: extra attributes over 65535 bytes", "POST", "/v3/users",
	    fmt("{\"user\": {\"name\": \"vu3\", \"email\": \"%s\"}}", x),
	    fmt("String length exceeded. The length of string '{\"email\":\"%s...' "
	    "exceeds the limit of column extra(CHAR(65535)).", rep("e", 890)));

	/* POST, PATCH /v3/groups */
	BAD("valid-5.1 group create: wrong type", "POST", "/v3/groups",
	    "{\"group\": {\"name\": true}}",
	    "Invalid input for field 'name': True is not of type 'string'");
	BAD("valid-5.2 group create: name over its String(64) column", "POST",
	    "/v3/groups", fmt("{\"group\": {\"name\": \"%s\"}}", L65),
	    fmt("String length exceeded. The length of string '%s' exceeds the limit "
	    "of column name(CHAR(64)).", L65));
	BAD("valid-5.3 group create: missing name", "POST", "/v3/groups",
	    "{\"group\": {}}", "'name' is a required property");
	BAD("valid-5.4 group create: unexpected member", "POST", "/v3/groups",
	    "{\"group\": {\"name\": \"x\"}, \"extra\": 1}", UNEXPECTED_TOP);
	BAD("valid-5.5 group update: wrong type", "PATCH", fmt("/v3/groups/%s", g),
	    "{\"group\": {\"description\": 5}}", "Invalid input for field "
	    "'description': 5 is not of type 'string', 'null'");
	BAD("valid-5.6 group update: name too long", "PATCH", fmt("/v3/groups/%s", g),
	    fmt("{\"group\": {\"name\": \"%s\"}}", L256),
	    fmt("Invalid input for field 'name': '%s' is too long", L256));
	BAD("valid-5.7 group update: empty", "PATCH", fmt("/v3/groups/%s", g),
	    "{\"group\": {}}", NOT_ENOUGH);
	BAD("valid-5.8 group update: unexpected member", "PATCH",
	    fmt("/v3/groups/%s", g), "{\"group\": {\"name\": \"x\"}, \"extra\": 1}",
	    UNEXPECTED_TOP);

	/* POST, PATCH /v3/roles */
	BAD("valid-6.1 role create: wrong type", "POST", "/v3/roles",
	    "{\"role\": {\"name\": \"r\", \"options\": {\"immutable\": \"yes\"}}}",
	    "Invalid input for field 'options/immutable': 'yes' is not of type "
	    "'boolean', 'null'");
	BAD("valid-6.2 role create: description over its String(255) column", "POST",
	    "/v3/roles", fmt("{\"role\": {\"name\": \"r\", \"description\": \"%s\"}}",
	    L256), fmt("String length exceeded. The length of string '%s' exceeds the "
	    "limit of column description(CHAR(255)).", L256));
	BAD("valid-6.3 role create: missing name", "POST", "/v3/roles",
	    "{\"role\": {\"description\": \"x\"}}", "'name' is a required property");
	BAD("valid-6.4 role create: unexpected option", "POST", "/v3/roles",
	    "{\"role\": {\"name\": \"r\", \"options\": {\"x\": true}}}",
	    "Invalid input for field 'options': Additional properties are not "
	    "allowed ('x' was unexpected)");
	BAD("valid-6.5 role update: wrong type", "PATCH", fmt("/v3/roles/%s", rl),
	    "{\"role\": {\"name\": 5}}",
	    "Invalid input for field 'name': 5 is not of type 'string'");
	BAD("valid-6.6 role update: name too long", "PATCH", fmt("/v3/roles/%s", rl),
	    fmt("{\"role\": {\"name\": \"%s\"}}", L256),
	    fmt("Invalid input for field 'name': '%s' is too long", L256));
	BAD("valid-6.7 role update: empty", "PATCH", fmt("/v3/roles/%s", rl),
	    "{\"role\": {}}", NOT_ENOUGH);
	BAD("valid-6.8 role update: unexpected member", "PATCH",
	    fmt("/v3/roles/%s", rl), "{\"role\": {\"name\": \"x\"}, \"extra\": 1}",
	    UNEXPECTED_TOP);

	/* POST, PUT, PATCH /v3/regions */
	BAD("valid-7.1 region create: wrong type", "POST", "/v3/regions",
	    "{\"region\": {\"description\": 5}}", "Invalid input for field "
	    "'description': 5 is not of type 'string', 'null'");
	BAD("valid-7.2 region create: id over its String(255) column", "POST",
	    "/v3/regions", fmt("{\"region\": {\"id\": \"%s\"}}", L256),
	    fmt("String length exceeded. The length of string '%s' exceeds the limit "
	    "of column id(CHAR(255)).", L256));
	BAD("valid-7.3 region create: no region", "POST", "/v3/regions", "{}",
	    "None is not of type 'object'");
	BAD("valid-7.4 region create: unexpected member", "POST", "/v3/regions",
	    "{\"region\": {}, \"extra\": 1}", UNEXPECTED_TOP);
	BAD("valid-7.5 region put: wrong type", "PUT", "/v3/regions/vreg",
	    "{\"region\": {\"parent_region_id\": 5}}", "Invalid input for field "
	    "'parent_region_id': 5 is not of type 'string', 'null'");
	BAD("valid-7.6 region put: description too long", "PUT", "/v3/regions/vreg",
	    fmt("{\"region\": {\"description\": \"%s\"}}", L256),
	    fmt("String length exceeded. The length of string '%s' exceeds the limit "
	    "of column description(CHAR(255)).", L256));
	BAD("valid-7.7 region put: no region", "PUT", "/v3/regions/vreg",
	    "{\"regions\": {}}", "None is not of type 'object'");
	BAD("valid-7.8 region update: empty", "PATCH", "/v3/regions/RegionOne",
	    "{\"region\": {}}", NOT_ENOUGH);
	BAD("valid-7.9 region update: wrong type", "PATCH", "/v3/regions/RegionOne",
	    "{\"region\": {\"description\": true}}", "Invalid input for field "
	    "'description': True is not of type 'string', 'null'");

	/* POST, PATCH /v3/services */
	BAD("valid-8.1 service create: \"enabled\": \"true\"", "POST", "/v3/services",
	    "{\"service\": {\"type\": \"t\", \"enabled\": \"true\"}}",
	    "Invalid input for field 'enabled': 'true' is not of type 'boolean'");
	BAD("valid-8.2 service create: type too long", "POST", "/v3/services",
	    fmt("{\"service\": {\"type\": \"%s\"}}", L256),
	    fmt("Invalid input for field 'type': '%s' is too long", L256));
	BAD("valid-8.3 service create: missing type", "POST", "/v3/services",
	    "{\"service\": {\"name\": \"n\"}}", "'type' is a required property");
	BAD("valid-8.4 service create: unexpected member", "POST", "/v3/services",
	    "{\"service\": {\"type\": \"t\"}, \"extra\": 1}", UNEXPECTED_TOP);
	BAD("valid-8.5 service update: blank name", "PATCH",
	    fmt("/v3/services/%s", svc), "{\"service\": {\"name\": \" \"}}",
	    "Invalid input for field 'name': ' ' does not match '[\\\\S]+'");
	BAD("valid-8.6 service update: empty", "PATCH", fmt("/v3/services/%s", svc),
	    "{\"service\": {}}", NOT_ENOUGH);

	/* POST, PATCH /v3/endpoints */
	BAD("valid-9.1 endpoint create: bad interface", "POST", "/v3/endpoints",
	    fmt("{\"endpoint\": {\"interface\": \"private\", \"service_id\": \"%s\", "
	    "\"url\": \"http://x\"}}", svc), "Invalid input for field 'interface': "
	    "'private' is not one of ['admin', 'internal', 'public']");
	BAD("valid-9.2 endpoint create: url too long", "POST", "/v3/endpoints",
	    fmt("{\"endpoint\": {\"interface\": \"public\", \"service_id\": \"%s\", "
	    "\"url\": \"http://%s\"}}", svc, rep("u", 219)),
	    fmt("Invalid input for field 'url': 'http://%s' is too long", rep("u", 219)));
	BAD("valid-9.3 endpoint create: missing url", "POST", "/v3/endpoints",
	    fmt("{\"endpoint\": {\"interface\": \"public\", \"service_id\": \"%s\"}}",
	    svc), "'url' is a required property");
	BAD("valid-9.4 endpoint create: unexpected member", "POST", "/v3/endpoints",
	    fmt("{\"endpoint\": {\"interface\": \"public\", \"service_id\": \"%s\", "
	    "\"url\": \"http://x\"}, \"extra\": 1}", svc), UNEXPECTED_TOP);
	BAD("valid-9.5 endpoint update: \"enabled\": \"false\"", "PATCH",
	    fmt("/v3/endpoints/%s", ep), "{\"endpoint\": {\"enabled\": \"false\"}}",
	    "Invalid input for field 'enabled': 'false' is not of type 'boolean'");
	BAD("valid-9.6 endpoint update: region_id over its String(255) column",
	    "PATCH", fmt("/v3/endpoints/%s", ep), fmt("{\"endpoint\": {\"region_id\": "
	    "\"%s\"}}", L256), fmt("String length exceeded. The length of string '%s' "
	    "exceeds the limit of column region_id(CHAR(255)).", L256));
	BAD("valid-9.7 endpoint update: empty", "PATCH", fmt("/v3/endpoints/%s", ep),
	    "{\"endpoint\": {}}", NOT_ENOUGH);
	BAD("valid-9.8 endpoint update: region_id null (Keystone refuses it)",
	    "PATCH", fmt("/v3/endpoints/%s", ep), "{\"endpoint\": {\"region_id\": "
	    "null}}", "Invalid input for field 'region_id': None is not of type "
	    "'string'");

	/* POST /v3/users/{id}/application_credentials (the admin's own) */
	it_req(&s, "GET", "/v3/users?name=admin", A, NULL, NULL, &r);
	ac = fmt("/v3/users/%s/application_credentials",
	    it_str(r.json, "users.0.id") ? it_str(r.json, "users.0.id") : "x");
	it_resp_free(&r);
	BAD("valid-13.1 app cred: \"unrestricted\": \"true\"", "POST", ac,
	    "{\"application_credential\": {\"name\": \"va\", \"unrestricted\": "
	    "\"true\"}}", "Invalid input for field 'unrestricted': 'true' is not of "
	    "type 'boolean'");
	BAD("valid-13.2 app cred: name too long", "POST", ac,
	    fmt("{\"application_credential\": {\"name\": \"%s\"}}", L256),
	    fmt("Invalid input for field 'name': '%s' is too long", L256));
	BAD("valid-13.3 app cred: missing name", "POST", ac,
	    "{\"application_credential\": {\"description\": \"x\"}}",
	    "'name' is a required property");
	BAD("valid-13.4 app cred: no member (Keystone reads {})", "POST", ac, "{}",
	    "'name' is a required property");
	BAD("valid-13.5 app cred: unexpected property (keygate)", "POST", ac,
	    "{\"application_credential\": {\"name\": \"va\", \"project_id\": "
	    "\"p\"}}", "Additional properties are not allowed ('project_id' was "
	    "unexpected)");
	BAD("valid-13.6 app cred: unexpected member", "POST", ac,
	    "{\"application_credential\": {\"name\": \"va\"}, \"extra\": 1}",
	    UNEXPECTED_TOP);
	BAD("valid-13.7 app cred: a role by id and name", "POST", ac,
	    "{\"application_credential\": {\"name\": \"va\", \"roles\": "
	    "[{\"id\": \"a\", \"name\": \"b\"}]}}", "Invalid input for field "
	    "'roles/0': {'id': 'a', 'name': 'b'} has too many properties");
	BAD("valid-13.8 app cred: an empty role", "POST", ac,
	    "{\"application_credential\": {\"name\": \"va\", \"roles\": [{}]}}",
	    "Invalid input for field 'roles/0': {} does not have enough properties");
	BAD("valid-13.9 app cred: a rule's path without '/'", "POST", ac,
	    "{\"application_credential\": {\"name\": \"va\", \"access_rules\": "
	    "[{\"service\": \"compute\", \"method\": \"GET\", \"path\": "
	    "\"v2\"}]}}", "Invalid input for field 'access_rules/0/path': 'v2' "
	    "does not match '^\\\\/.*'");
	BAD("valid-13.10 app cred: a rule's method", "POST", ac,
	    "{\"application_credential\": {\"name\": \"va\", \"access_rules\": "
	    "[{\"service\": \"compute\", \"method\": \"get\", \"path\": "
	    "\"/v2\"}]}}", "Invalid input for field 'access_rules/0/method': 'get' "
	    "does not match '^(POST|GET|HEAD|PATCH|PUT|DELETE)$'");
	BAD("valid-13.11 app cred: a rule's path over its String(128) column",
	    "POST", ac, fmt("{\"application_credential\": {\"name\": \"va\", "
	    "\"access_rules\": [{\"service\": \"compute\", \"method\": \"GET\", "
	    "\"path\": \"/%s\"}]}}", rep("p", 128)), fmt("String length exceeded. "
	    "The length of string '/%s' exceeds the limit of column "
	    "path(CHAR(128)).", rep("p", 128)));
	BAD("valid-13.12 app cred: 17 access rules (keygate's 16)", "POST", ac,
	    fmt("{\"application_credential\": {\"name\": \"va\", \"access_rules\":"
	    " [%s{\"id\": \"x\"}]}}", rep("{\"id\": \"x\"}, ", 16)),
	    fmt("Invalid input for field 'access_rules': [%s{'id': 'x'}] is too "
	    "long", rep("{'id': 'x'}, ", 16)));
	BAD("valid-13.13 app cred: a new rule needs its method (keygate)", "POST",
	    ac, "{\"application_credential\": {\"name\": \"va\", \"access_rules\":"
	    " [{\"service\": \"compute\", \"path\": \"/v2\"}]}}",
	    "Invalid input for field 'access_rules/0': 'method' is a required "
	    "property");
	BAD("valid-13.14 app cred: a rule's unexpected property", "POST", ac,
	    "{\"application_credential\": {\"name\": \"va\", \"access_rules\": "
	    "[{\"id\": \"x\", \"x\": 1}]}}", "Invalid input for field "
	    "'access_rules/0': Additional properties are not allowed ('x' was "
	    "unexpected)");
	BAD("valid-13.15 app cred: the secret is never echoed", "POST", ac,
	    "{\"application_credential\": {\"name\": \"va\", \"secret\": 5}}",
	    "Invalid input for field 'secret': '******' is not of type 'null', "
	    "'string'");
	BAD("valid-13.16 app cred: expires_at", "POST", ac,
	    "{\"application_credential\": {\"name\": \"va\", \"expires_at\": "
	    "true}}", "Invalid input for field 'expires_at': True is not of type "
	    "'null', 'string'");
	T("valid-13.17 bad body, caller not allowed -> 403", it_status(&s, "POST",
	    ac, t, "{\"application_credential\": {\"name\": 5}}") == 403);
	T("valid-13.18 a valid body -> 201", answers("POST", ac,
	    "{\"application_credential\": {\"name\": \"va\", \"roles\": "
	    "[{\"name\": \"admin\"}], \"access_rules\": [{\"service\": "
	    "\"identity\", \"method\": \"GET\", \"path\": \"/v3/users\"}]}}",
	    201, NULL));
	it_req(&s, "GET", ac, A, NULL, NULL, &r);
	T("valid-13.19 no credential was made by the refused bodies",
	    r.status == 200 && ii_count(r.json, "application_credentials") == 1);
	it_resp_free(&r);

	/* query limits */
	BAD("valid-10.1 query value over 4096 bytes", "GET",
	    fmt("/v3/users?name=%s", rep("q", 4097)), NULL, "Invalid input for query "
	    "parameters 'name': the value is too long (at most 4096 bytes).");
	BAD("valid-10.2 query name over 255 bytes", "GET",
	    fmt("/v3/users?%s=1", rep("k", 256)), NULL, fmt("Invalid input for query "
	    "parameters: the name '%s... is too long (at most 255 bytes).",
	    rep("k", 63)));
	T("valid-10.3 4096 bytes pass", answers("GET", fmt("/v3/users?name=%s",
	    rep("q", 4096)), NULL, 200, NULL));
	T("valid-10.4 checked before routes without a body too", answers("GET",
	    fmt("/v3/auth/projects?x=%s", rep("q", 5000)), NULL, 400, NULL));
	/* Found by fuzz_http: a long name that is not UTF-8 answered 500
	 * "out of memory" (its echo was made a JSON string first). */
	BAD("valid-10.5 query name over 255 bytes, not UTF-8", "GET",
	    fmt("/v3/users?%%FF%s=1", rep("k", 256)), NULL, fmt("Invalid input "
	    "for query parameters: the name '?%s... is too long (at most 255 "
	    "bytes).", rep("k", 62)));
	BAD("valid-10.6 query value over 4096 bytes, name not UTF-8", "GET",
	    fmt("/v3/users?%%FF%%C2=%s", rep("q", 4097)), NULL, "Invalid input for "
	    "query parameters '?" "?': the value is too long (at most 4096 bytes).");

	/* Query parameters of the pages, the hierarchy and cascade. */
	BAD("valid-13.1 ?limit not an integer", "GET", "/v3/domains?limit=1.5", NULL,
	    "Invalid input for query parameters limit. Value: 1.5. '1.5' is not of "
	    "type 'integer'");
	BAD("valid-13.2 ?limit=0", "GET", "/v3/roles?limit=0", NULL, "Invalid "
	    "input for query parameters limit. Value: 0. 0 is less than the "
	    "minimum of 1");
	T("valid-13.3 ?marker over 4096 bytes -> 400", answers("GET",
	    fmt("/v3/projects?marker=%s", rep("m", 4097)), NULL, 400, NULL));
	T("valid-13.4 ?marker that names nothing -> 404", answers("GET",
	    "/v3/users?marker=nope", NULL, 404, "Marker nope could not be found."));
	BAD("valid-13.5 ?cascade not a boolean", "DELETE", fmt("/v3/projects/%s?"
	    "cascade=maybe", p), NULL, "Invalid input for query parameters cascade."
	    " Value: maybe. Expecting a boolean.");
	BAD("valid-13.6 ?subtree_as_list and ?subtree_as_ids", "GET",
	    fmt("/v3/projects/%s?subtree_as_list=1&subtree_as_ids=yes", p), NULL,
	    "Cannot use subtree_as_list and subtree_as_ids query params at the "
	    "same time.");
	T("valid-13.7 ?parents_as_ids=0 is false (Keystone's query_filter_is_true)",
	    answers("GET", fmt("/v3/projects/%s?parents_as_list&parents_as_ids=0",
	    p), NULL, 200, NULL));

	/* As Keystone: authorization (and the object's look-up) before the body. */
	T("valid-12.1 bad body, caller not allowed -> 403", it_status(&s, "PATCH",
	    fmt("/v3/projects/%s", p), t, "{\"project\": {}}") == 403);
	T("valid-12.2 bad body, no such project -> 404", it_status(&s, "PATCH",
	    "/v3/projects/0123456789abcdef0123456789abcdef", A,
	    "{\"project\": {\"enabled\": \"no\"}}") == 404);
	T("valid-12.3 bad body on create, caller not allowed -> 403", it_status(&s,
	    "POST", "/v3/domains", t, "{\"domain\": {\"name\": 5}}") == 403);
	T("valid-12.4 bad body, allowed caller -> 400", answers("PATCH",
	    fmt("/v3/projects/%s", p), "{\"project\": {}}", 400, NOT_ENOUGH));

	T("valid-11.1 server still up, clean exit", it_stop(&s) == 0);
	while (npool > 0)
		free(pool[--npool]);
	return t_report();
}
