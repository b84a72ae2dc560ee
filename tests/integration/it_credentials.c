/*
 * it_credentials.c - /v3/credentials, /v3/users/{id}/credentials/OS-EC2,
 * POST /v3/ec2tokens and /v3/s3tokens over HTTP: every route's success
 * and 4xx answers, the owner / other user / system reader / admin
 * personas of Keystone 22's default policy, a PATCH limited to the blob,
 * EC2 logins signed as AWS clients sign them (version 2, S3 version 1),
 * what refuses them (signature, age, disabled user, lost role, deleted
 * credential), the credentials' going with their user and project, and
 * blobs never stored in the clear.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "tests/integration/it_identity.h"

#define PW	"cred-pw"

static struct it_server	s;

/* base64(HMAC(md, key, msg)) into out (>= 64 bytes). */
static void
hmac_b64(const EVP_MD *md, const char *key, const char *msg, char *out)
{
	unsigned char	d[EVP_MAX_MD_SIZE];
	unsigned int	n = 0;

	if (key == NULL)	/* a failed step before: sign with nothing */
		key = "";
	HMAC(md, key, (int)strlen(key), (const unsigned char *)msg, strlen(msg), d,
	    &n);
	EVP_EncodeBlock((unsigned char *)out, d, (int)n);
}

/*
 * The "credentials" of an EC2 API request signed with signature version 2
 * as boto signs it: HMAC-SHA256 over verb, host, path and the sorted,
 * quoted parameters. ts: the Timestamp parameter (basic ISO 8601: no
 * character needs quoting). sign_host: the host in the string to sign.
 */
static const char *
ec2_v2(const char *access, const char *secret, const char *host,
    const char *sign_host, const char *ts)
{
	char	sts[1024], sig[128];

	snprintf(sts, sizeof(sts), "POST\n%s\n/\nAWSAccessKeyId=%s&Action="
	    "DescribeInstances&SignatureMethod=HmacSHA256&SignatureVersion=2&"
	    "Timestamp=%s", sign_host, access, ts);
	hmac_b64(EVP_sha256(), secret, sts, sig);
	return it_fmt("{\"credentials\": {\"access\": \"%s\", \"host\": \"%s\", "
	    "\"verb\": \"POST\", \"path\": \"/\", \"signature\": \"%s\", "
	    "\"params\": {\"AWSAccessKeyId\": \"%s\", \"Action\": "
	    "\"DescribeInstances\", \"SignatureMethod\": \"HmacSHA256\", "
	    "\"SignatureVersion\": \"2\", \"Timestamp\": \"%s\"}}}", access, host, sig,
	    access, ts);
}

/* Now as basic ISO 8601 (YYYYMMDDTHHMMSSZ), shifted by delta seconds. */
static const char *
ts_now(long delta)
{
	static char	buf[32];
	time_t		t = time(NULL) + delta;
	struct tm	tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
	return buf;
}

/* sha256(access) in hex: an EC2 credential's id. */
static const char *
hash_access(const char *access)
{
	static char	out[65];
	unsigned char	d[32];
	int		i;

	SHA256((const unsigned char *)access, strlen(access), d);
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
	return out;
}

/* Run "keygate credential-keys VERB" on the server's data directory (the
 * environment names it); its output into out. Returns its exit status. */
static int
keys_cli(const char *verb, char *out, size_t outsz)
{
	const char	*b = getenv("KG_BUILD");
	char		 cmd[600];
	FILE		*fp;
	size_t		 n;

	snprintf(cmd, sizeof(cmd), "%s/keygate credential-keys %s 2>/dev/null",
	    b != NULL && *b != '\0' ? b : "build", verb);
	fflush(stdout);
	if ((fp = popen(cmd, "r")) == NULL)
		return -1;
	n = fread(out, 1, outsz - 1, fp);
	out[n] = '\0';
	return pclose(fp);
}

/* Number of lines of text. */
static int
nlines(const char *text)
{
	int	n = 0;

	for (; *text != '\0'; text++)
		n += *text == '\n';
	return n;
}

static long
st(const char *method, const char *path, const char *tok, const char *body)
{
	return it_status(&s, method, path, tok, body);
}

/* Status and error message of one request (message into msg). */
static long
stm(const char *method, const char *path, const char *tok, const char *body,
    char *msg, size_t msgsz)
{
	struct it_resp	r;
	long		code;

	it_req(&s, method, path, tok, body, NULL, &r);
	code = r.status;
	snprintf(msg, msgsz, "%s", ii_msg(&r));
	it_resp_free(&r);
	return code;
}

/* A new user with password PW, member of project p; its id. */
static char *
member_user(const char *name, const char *p, const char *member)
{
	char	*u;

	u = ii_create(&s, "/v3/users", it_fmt("{\"user\": {\"name\": \"%s\", "
	    "\"password\": \"%s\"}}", name, PW), "user.id");
	if (u != NULL && p != NULL && st("PUT", it_fmt("/v3/projects/%s/users/%s/"
	    "roles/%s", p, u, member), s.admin_token, NULL) != 204) {
		free(u);
		return NULL;
	}
	return u;
}

/* Nonzero when file path contains needle. */
static int
file_has(const char *path, const char *needle)
{
	FILE	*fp = fopen(path, "rb");
	char	*buf;
	long	 n;
	int	 found = 0;

	if (fp == NULL)
		return 0;
	if (needle == NULL)		/* a failed step before */
		needle = "";
	if ((buf = malloc(64 * 1024 * 1024)) != NULL) {
		n = (long)fread(buf, 1, 64 * 1024 * 1024, fp);
		found = n > 0 && memmem(buf, (size_t)n, needle, strlen(needle)) != NULL;
		free(buf);
	}
	fclose(fp);
	return found;
}

int
main(void)
{
	struct it_resp	 r;
	const char	*A, *p;
	char		*pA, *pB, *member, *reader, *alice, *bob, *carol;
	char		*tAlice, *tBob, *tCarol, *cert = NULL, *ec2id, *access = NULL;
	char		*secret = NULL, *tok = NULL, *ec2path, msg[512];

	it_start(&s, NULL);
	A = s.admin_token;
	pA = ii_create(&s, "/v3/projects", "{\"project\": {\"name\": \"pA\"}}",
	    "project.id");
	pB = ii_create(&s, "/v3/projects", "{\"project\": {\"name\": \"pB\"}}",
	    "project.id");
	member = ii_role_id(&s, "member");
	reader = ii_role_id(&s, "reader");
	alice = member_user("alice", pA, member);
	bob = member_user("bob", pA, member);
	carol = member_user("carol", NULL, member);
	T("cred-0.1 world", A[0] != '\0' && pA && pB && member && reader && alice &&
	    bob && carol && st("PUT", it_fmt("/v3/system/users/%s/roles/%s", carol,
	    reader), A, NULL) == 204);
	tAlice = ii_project_token(&s, alice, PW, pA);
	tBob = ii_project_token(&s, bob, PW, pA);
	it_req(&s, "POST", "/v3/auth/tokens", NULL, it_fmt("{\"auth\": {\"identity\":"
	    " {\"methods\": [\"password\"], \"password\": {\"user\": {\"id\": \"%s\", "
	    "\"password\": \"%s\"}}}, \"scope\": {\"system\": {\"all\": true}}}}",
	    carol, PW), NULL, &r);
	tCarol = r.subject_token ? strdup(r.subject_token) : NULL;
	it_resp_free(&r);
	T("cred-0.2 tokens: alice, bob (members of pA), carol (system reader)",
	    tAlice && tBob && tCarol);

	/* ---- without a token ---- */
	T("cred-1.1 GET /v3/credentials without token -> 401",
	    st("GET", "/v3/credentials", NULL, NULL) == 401);
	T("cred-1.2 POST /v3/credentials without token -> 401",
	    st("POST", "/v3/credentials", NULL, "{\"credential\": {}}") == 401);
	T("cred-1.3 EC2 list without token -> 401", st("GET",
	    it_fmt("/v3/users/%s/credentials/OS-EC2", alice), NULL, NULL) == 401);

	/* ---- create ---- */
	it_req(&s, "POST", "/v3/credentials", tAlice, it_fmt("{\"credential\": "
	    "{\"user_id\": \"%s\", \"type\": \"cert\", \"blob\": \"secret-cert-1\", "
	    "\"label\": \"laptop\"}}", alice), NULL, &r);
	T("cred-2.1 owner creates a cert credential -> 201", r.status == 201);
	cert = it_str(r.json, "credential.id") ? strdup(it_str(r.json,
	    "credential.id")) : NULL;
	T("cred-2.2 shape: id, user_id, project_id null, type, blob, extra, links",
	    cert != NULL && strlen(cert) == 32 &&
	    t_streq(it_str(r.json, "credential.user_id"), alice) &&
	    json_is_null(it_get(r.json, "credential.project_id")) &&
	    t_streq(it_str(r.json, "credential.type"), "cert") &&
	    t_streq(it_str(r.json, "credential.blob"), "secret-cert-1") &&
	    t_streq(it_str(r.json, "credential.label"), "laptop") &&
	    t_streq(it_str(r.json, "credential.links.self"),
	    it_fmt("%s/v3/credentials/%s", s.base, cert)));
	it_resp_free(&r);
	it_req(&s, "POST", "/v3/credentials", tAlice, it_fmt("{\"credential\": "
	    "{\"user_id\": \"%s\", \"project_id\": \"%s\", \"type\": \"ec2\", "
	    "\"blob\": \"{\\\"access\\\": \\\"AKIA-alice\\\", \\\"secret\\\": "
	    "\\\"ec2-secret-1\\\"}\"}}", alice, pA), NULL, &r);
	T("cred-2.3 EC2 credential through /v3/credentials: id = sha256(access)",
	    r.status == 201 && t_streq(it_str(r.json, "credential.id"),
	    hash_access("AKIA-alice")) &&
	    t_streq(it_str(r.json, "credential.project_id"), pA));
	it_resp_free(&r);
	ec2id = strdup(hash_access("AKIA-alice"));
	T("cred-2.4 the same access key again -> 409", st("POST", "/v3/credentials",
	    tAlice, it_fmt("{\"credential\": {\"user_id\": \"%s\", \"project_id\": "
	    "\"%s\", \"type\": \"ec2\", \"blob\": \"{\\\"access\\\": "
	    "\\\"AKIA-alice\\\"}\"}}", alice, pA)) == 409);
	T("cred-2.5 EC2 without project_id -> 400", stm("POST", "/v3/credentials",
	    tAlice, it_fmt("{\"credential\": {\"user_id\": \"%s\", \"type\": \"ec2\", "
	    "\"blob\": \"{\\\"access\\\": \\\"x\\\"}\"}}", alice), msg, sizeof(msg))
	    == 400 && strstr(msg, "'project_id' is a required property") != NULL);
	T("cred-2.6 EC2 blob that is not JSON -> 400 Keystone's text",
	    stm("POST", "/v3/credentials", tAlice, it_fmt("{\"credential\": "
	    "{\"user_id\": \"%s\", \"project_id\": \"%s\", \"type\": \"ec2\", "
	    "\"blob\": \"{nope\"}}", alice, pA), msg, sizeof(msg)) == 400 &&
	    strcmp(msg, "Invalid blob in credential") == 0);
	T("cred-2.7 EC2 blob that is a list -> 400", stm("POST", "/v3/credentials",
	    tAlice, it_fmt("{\"credential\": {\"user_id\": \"%s\", \"project_id\": "
	    "\"%s\", \"type\": \"EC2\", \"blob\": \"[1]\"}}", alice, pA), msg,
	    sizeof(msg)) == 400 && strncmp(msg, "Expecting to find blob in "
	    "credential.", 34) == 0);
	T("cred-2.8 EC2 blob without access -> 400", stm("POST", "/v3/credentials",
	    tAlice, it_fmt("{\"credential\": {\"user_id\": \"%s\", \"project_id\": "
	    "\"%s\", \"type\": \"ec2\", \"blob\": \"{\\\"secret\\\": \\\"s\\\"}\"}}",
	    alice, pA), msg, sizeof(msg)) == 400 && strncmp(msg, "Expecting to find "
	    "access in credential.", 36) == 0);
	T("cred-2.9 no blob -> 400", stm("POST", "/v3/credentials", tAlice,
	    it_fmt("{\"credential\": {\"user_id\": \"%s\", \"type\": \"x\"}}", alice),
	    msg, sizeof(msg)) == 400 && strstr(msg, "'blob' is a required "
	    "property") != NULL);
	T("cred-2.10 a blob that is not a string -> 400, not echoed",
	    stm("POST", "/v3/credentials", tAlice, it_fmt("{\"credential\": "
	    "{\"user_id\": \"%s\", \"type\": \"x\", \"blob\": {\"k\": "
	    "\"hush-hush\"}}}", alice), msg, sizeof(msg)) == 400 &&
	    strstr(msg, "hush-hush") == NULL);
	T("cred-2.11 no type -> 400", st("POST", "/v3/credentials", A,
	    it_fmt("{\"credential\": {\"user_id\": \"%s\", \"blob\": \"b\"}}", alice))
	    == 400);
	T("cred-2.12 no user_id -> 400", st("POST", "/v3/credentials", A,
	    "{\"credential\": {\"type\": \"x\", \"blob\": \"b\"}}") == 400);
	T("cred-2.13 type not a string -> 400", st("POST", "/v3/credentials", A,
	    it_fmt("{\"credential\": {\"user_id\": \"%s\", \"type\": 3, "
	    "\"blob\": \"b\"}}", alice)) == 400);
	T("cred-2.14 not an object -> 400", st("POST", "/v3/credentials", A,
	    "{\"credential\": \"x\"}") == 400 &&
	    st("POST", "/v3/credentials", A, "[") == 400);
	T("cred-2.15 a member creating for another user -> 403", st("POST",
	    "/v3/credentials", tBob, it_fmt("{\"credential\": {\"user_id\": \"%s\", "
	    "\"type\": \"x\", \"blob\": \"b\"}}", alice)) == 403);
	T("cred-2.16 a system reader creating -> 403", st("POST", "/v3/credentials",
	    tCarol, it_fmt("{\"credential\": {\"user_id\": \"%s\", \"type\": \"x\", "
	    "\"blob\": \"b\"}}", alice)) == 403);
	T("cred-2.17 unknown user -> 404", stm("POST", "/v3/credentials", A,
	    "{\"credential\": {\"user_id\": \"nope\", \"type\": \"x\", "
	    "\"blob\": \"b\"}}", msg, sizeof(msg)) == 404 &&
	    strcmp(msg, "Could not find user: nope.") == 0);
	T("cred-2.18 unknown project -> 404", stm("POST", "/v3/credentials", A,
	    it_fmt("{\"credential\": {\"user_id\": \"%s\", \"project_id\": \"nope\", "
	    "\"type\": \"x\", \"blob\": \"b\"}}", alice), msg, sizeof(msg)) == 404 &&
	    strcmp(msg, "Could not find project: nope.") == 0);
	T("cred-2.19 admin creates for bob -> 201", st("POST", "/v3/credentials", A,
	    it_fmt("{\"credential\": {\"user_id\": \"%s\", \"type\": \"totp\", "
	    "\"blob\": \"GEZDGNBVGY3TQOJQGEZDGNBVGY\"}}", bob)) == 201);

	/* ---- get ---- */
	it_req(&s, "GET", it_fmt("/v3/credentials/%s", cert), tAlice, NULL, NULL, &r);
	T("cred-3.1 owner gets it, blob in the clear", r.status == 200 &&
	    t_streq(it_str(r.json, "credential.blob"), "secret-cert-1"));
	it_resp_free(&r);
	T("cred-3.2 another member -> 403", st("GET", it_fmt("/v3/credentials/%s",
	    cert), tBob, NULL) == 403);
	T("cred-3.3 system reader -> 200", st("GET", it_fmt("/v3/credentials/%s",
	    cert), tCarol, NULL) == 200);
	T("cred-3.4 admin -> 200", st("GET", it_fmt("/v3/credentials/%s", cert), A,
	    NULL) == 200);
	T("cred-3.5 unknown, admin -> 404", stm("GET", "/v3/credentials/nope", A,
	    NULL, msg, sizeof(msg)) == 404 &&
	    strcmp(msg, "Could not find credential: nope.") == 0);
	T("cred-3.6 unknown, member -> 403 (the check comes first)",
	    st("GET", "/v3/credentials/nope", tBob, NULL) == 403);

	/* ---- list ---- */
	it_req(&s, "GET", "/v3/credentials", A, NULL, NULL, &r);
	T("cred-4.1 admin lists all three", r.status == 200 &&
	    ii_count(r.json, "credentials") == 3 && ii_has_id(r.json, "credentials",
	    cert) && ii_has_id(r.json, "credentials", ec2id));
	it_resp_free(&r);
	it_req(&s, "GET", "/v3/credentials", tBob, NULL, NULL, &r);
	T("cred-4.2 a member lists only its own", r.status == 200 &&
	    ii_count(r.json, "credentials") == 1 &&
	    t_streq(it_str(r.json, "credentials.0.user_id"), bob));
	it_resp_free(&r);
	it_req(&s, "GET", it_fmt("/v3/credentials?user_id=%s", alice), tBob, NULL,
	    NULL, &r);
	T("cred-4.3 a member asking for another's -> empty", r.status == 200 &&
	    ii_count(r.json, "credentials") == 0);
	it_resp_free(&r);
	it_req(&s, "GET", it_fmt("/v3/credentials?user_id=%s&type=ec2", alice), A,
	    NULL, NULL, &r);
	T("cred-4.4 filters user_id and type", r.status == 200 &&
	    ii_count(r.json, "credentials") == 1 && ii_has_id(r.json, "credentials",
	    ec2id));
	it_resp_free(&r);
	it_req(&s, "GET", "/v3/credentials", tCarol, NULL, NULL, &r);
	T("cred-4.5 system reader lists all", r.status == 200 &&
	    ii_count(r.json, "credentials") == 3);
	it_resp_free(&r);

	/* ---- PATCH: the blob only ---- */
	it_req(&s, "PATCH", it_fmt("/v3/credentials/%s", cert), tAlice,
	    "{\"credential\": {\"blob\": \"secret-cert-2\"}}", NULL, &r);
	T("cred-5.1 owner replaces the blob -> 200", r.status == 200 &&
	    t_streq(it_str(r.json, "credential.blob"), "secret-cert-2") &&
	    t_streq(it_str(r.json, "credential.label"), "laptop"));
	it_resp_free(&r);
	T("cred-5.2 the new blob is what GET shows", stm("GET",
	    it_fmt("/v3/credentials/%s", cert), A, NULL, msg, sizeof(msg)) == 200);
	T("cred-5.3 a new project_id in a PATCH -> 400 (Debian's fix)", stm("PATCH",
	    it_fmt("/v3/credentials/%s", cert), tAlice, it_fmt("{\"credential\": "
	    "{\"blob\": \"b\", \"project_id\": \"%s\"}}", pB), msg, sizeof(msg)) ==
	    400 && strcmp(msg, "project_id can not be updated for credential") == 0);
	T("cred-5.4 a new user_id or type in a PATCH -> 400",
	    st("PATCH", it_fmt("/v3/credentials/%s", cert), A, it_fmt(
	    "{\"credential\": {\"user_id\": \"%s\"}}", bob)) == 400 &&
	    st("PATCH", it_fmt("/v3/credentials/%s", cert), A,
	    "{\"credential\": {\"type\": \"ec2\", \"blob\": \"b\"}}") == 400 &&
	    st("PATCH", it_fmt("/v3/credentials/%s", cert), A,
	    "{\"credential\": {\"id\": \"x\", \"blob\": \"b\"}}") == 400);
	T("cred-5.4b the whole credential again, only the blob changed -> 200",
	    st("PATCH", it_fmt("/v3/credentials/%s", cert), tAlice, it_fmt(
	    "{\"credential\": {\"user_id\": \"%s\", \"type\": \"cert\", "
	    "\"project_id\": null, \"blob\": \"secret-cert-2\"}}", alice)) == 200);
	T("cred-5.4c another attribute in a PATCH -> 400", stm("PATCH",
	    it_fmt("/v3/credentials/%s", cert), A, "{\"credential\": {\"label\": "
	    "\"x\", \"blob\": \"b\"}}", msg, sizeof(msg)) == 400 &&
	    strstr(msg, "'label' was unexpected") != NULL);
	T("cred-5.5 empty PATCH -> 400", st("PATCH", it_fmt("/v3/credentials/%s",
	    cert), A, "{\"credential\": {}}") == 400);
	T("cred-5.6 blob not a string -> 400", st("PATCH",
	    it_fmt("/v3/credentials/%s", cert), A, "{\"credential\": {\"blob\": 1}}")
	    == 400);
	T("cred-5.7 another member -> 403", st("PATCH", it_fmt("/v3/credentials/%s",
	    cert), tBob, "{\"credential\": {\"blob\": \"mine\"}}") == 403);
	T("cred-5.8 system reader -> 403", st("PATCH", it_fmt("/v3/credentials/%s",
	    cert), tCarol, "{\"credential\": {\"blob\": \"mine\"}}") == 403);
	T("cred-5.9 unknown -> 404", st("PATCH", "/v3/credentials/nope", A,
	    "{\"credential\": {\"blob\": \"b\"}}") == 404);
	T("cred-5.10 EC2: changing the access key -> 400", stm("PATCH",
	    it_fmt("/v3/credentials/%s", ec2id), tAlice, "{\"credential\": {\"blob\": "
	    "\"{\\\"access\\\": \\\"other\\\", \\\"secret\\\": \\\"x\\\"}\"}}", msg,
	    sizeof(msg)) == 400 &&
	    strcmp(msg, "access can not be updated for credential") == 0);
	T("cred-5.11 EC2: binding it to a trust -> 400", stm("PATCH",
	    it_fmt("/v3/credentials/%s", ec2id), tAlice, "{\"credential\": {\"blob\": "
	    "\"{\\\"access\\\": \\\"AKIA-alice\\\", \\\"trust_id\\\": \\\"t\\\"}\"}}",
	    msg, sizeof(msg)) == 400 &&
	    strcmp(msg, "trust_id can not be updated for credential") == 0);
	T("cred-5.12 EC2: a new secret -> 200", st("PATCH",
	    it_fmt("/v3/credentials/%s", ec2id), tAlice, "{\"credential\": {\"blob\": "
	    "\"{\\\"access\\\": \\\"AKIA-alice\\\", \\\"secret\\\": "
	    "\\\"ec2-secret-2\\\"}\"}}") == 200);

	/* ---- EC2 credentials ---- */
	/* it_fmt's buffers rotate: keep a copy. */
	p = ec2path = strdup(it_fmt("/v3/users/%s/credentials/OS-EC2", alice));
	it_req(&s, "POST", p, tAlice, it_fmt("{\"tenant_id\": \"%s\"}", pA), NULL,
	    &r);
	T("cred-6.1 owner creates an EC2 credential -> 201", r.status == 201);
	access = it_str(r.json, "credential.access") ?
	    strdup(it_str(r.json, "credential.access")) : NULL;
	secret = it_str(r.json, "credential.secret") ?
	    strdup(it_str(r.json, "credential.secret")) : NULL;
	T("cred-6.2 shape: user_id, tenant_id, access, secret, trust_id null, links",
	    access && secret && strlen(access) == 32 && strlen(secret) == 32 &&
	    t_streq(it_str(r.json, "credential.user_id"), alice) &&
	    t_streq(it_str(r.json, "credential.tenant_id"), pA) &&
	    json_is_null(it_get(r.json, "credential.trust_id")) &&
	    t_streq(it_str(r.json, "credential.links.self"), it_fmt("%s/v3/users/%s/"
	    "credentials/OS-EC2/%s", s.base, alice, access)));
	it_resp_free(&r);
	T("cred-6.3 for another user -> 403", st("POST", it_fmt("/v3/users/%s/"
	    "credentials/OS-EC2", bob), tAlice, it_fmt("{\"tenant_id\": \"%s\"}", pA))
	    == 403);
	T("cred-6.4 without tenant_id -> 404 \"None\"", stm("POST", p, tAlice, "{}",
	    msg, sizeof(msg)) == 404 &&
	    strcmp(msg, "Could not find project: None.") == 0);
	T("cred-6.5 unknown tenant -> 404", st("POST", p, tAlice,
	    "{\"tenant_id\": \"nope\"}") == 404);
	T("cred-6.6 unknown user -> 404", stm("POST", "/v3/users/nope/credentials/"
	    "OS-EC2", A, it_fmt("{\"tenant_id\": \"%s\"}", pA), msg, sizeof(msg)) ==
	    404 && strcmp(msg, "Could not find user: nope.") == 0);
	it_req(&s, "GET", p, tAlice, NULL, NULL, &r);
	T("cred-6.7 list: both EC2 credentials of alice, secrets shown",
	    r.status == 200 && ii_count(r.json, "credentials") == 2 &&
	    it_str(r.json, "credentials.1.secret") != NULL);
	it_resp_free(&r);
	T("cred-6.8 list another user's -> 403", st("GET", p, tBob, NULL) == 403);
	T("cred-6.9 list of an unknown user (admin) -> 404", st("GET",
	    "/v3/users/nope/credentials/OS-EC2", A, NULL) == 404);
	it_req(&s, "GET", it_fmt("%s/%s", p, access), tAlice, NULL, NULL, &r);
	T("cred-6.10 get by access key", r.status == 200 &&
	    t_streq(it_str(r.json, "credential.secret"), secret));
	it_resp_free(&r);
	T("cred-6.11 another member -> 403", st("GET", it_fmt("%s/%s", p, access),
	    tBob, NULL) == 403);
	T("cred-6.12 unknown access key -> 404", st("GET", it_fmt("%s/nope", p),
	    tAlice, NULL) == 404);
	T("cred-6.13 system reader -> 200", st("GET", it_fmt("%s/%s", p, access),
	    tCarol, NULL) == 200);

	/* ---- ec2tokens ---- */
	it_req(&s, "POST", "/v3/ec2tokens", A, ec2_v2(access, secret,
	    "ec2.example.com:8773", "ec2.example.com:8773", ts_now(0)), NULL, &r);
	T("cred-7.1 EC2 login signed with v2 -> 200 with a token", r.status == 200 &&
	    r.subject_token != NULL &&
	    t_streq(it_str(r.json, "token.methods.0"), "ec2credential") &&
	    t_streq(it_str(r.json, "token.user.id"), alice) &&
	    t_streq(it_str(r.json, "token.project.id"), pA) &&
	    it_get(r.json, "token.catalog") != NULL);
	tok = r.subject_token ? strdup(r.subject_token) : NULL;
	it_resp_free(&r);
	T("cred-7.2 the token validates and authenticates",
	    ii_validate(&s, tok) == 200 &&
	    st("GET", "/v3/auth/projects", tok, NULL) == 200);
	T("cred-7.3 signed without the port -> 200", st("POST", "/v3/ec2tokens", A,
	    ec2_v2(access, secret, "ec2.example.com:8773", "ec2.example.com",
	    ts_now(0))) == 200);
	T("cred-7.4 the credential PATCHed through /v3/credentials -> 200",
	    st("POST", "/v3/ec2tokens", A, ec2_v2("AKIA-alice", "ec2-secret-2",
	    "h", "h", ts_now(0))) == 200);
	T("cred-7.5 the old secret -> 401", st("POST", "/v3/ec2tokens", A,
	    ec2_v2("AKIA-alice", "ec2-secret-1", "h", "h", ts_now(0))) == 401);
	T("cred-7.6 wrong secret -> 401", st("POST", "/v3/ec2tokens", A,
	    ec2_v2(access, "nope", "h", "h", ts_now(0))) == 401);
	T("cred-7.7 signed an hour ago ([credential] auth_ttl 15 min) -> 401",
	    st("POST", "/v3/ec2tokens", A, ec2_v2(access, secret, "h", "h",
	    ts_now(-3600))) == 401);
	T("cred-7.8 signed 10 minutes ago -> 200", st("POST", "/v3/ec2tokens", A,
	    ec2_v2(access, secret, "h", "h", ts_now(-600))) == 200);
	T("cred-7.9 no signature -> 401", st("POST", "/v3/ec2tokens", A,
	    it_fmt("{\"credentials\": {\"access\": \"%s\", \"host\": \"h\", "
	    "\"verb\": \"GET\", \"path\": \"/\", \"params\": {\"SignatureVersion\": "
	    "\"2\"}}}", access)) == 401);
	T("cred-7.10 no access -> 401", st("POST", "/v3/ec2tokens", A,
	    "{\"credentials\": {\"signature\": \"x\"}}") == 401);
	T("cred-7.11 unknown access key -> 404", st("POST", "/v3/ec2tokens", A,
	    ec2_v2("nope", "x", "h", "h", ts_now(0))) == 404);
	T("cred-7.12 empty body -> 400", stm("POST", "/v3/ec2tokens", A, "{}", msg,
	    sizeof(msg)) == 400 && strcmp(msg, "request must include a request body")
	    == 0);
	T("cred-7.13 credentials not an object -> 400", st("POST", "/v3/ec2tokens",
	    A, "{\"credentials\": [1]}") == 400);
	T("cred-7.14 unsignable request (no params) -> 400", st("POST",
	    "/v3/ec2tokens", A, it_fmt("{\"ec2Credentials\": {\"access\": \"%s\", "
	    "\"signature\": \"x\"}}", access)) == 400);
	T("cred-7.15 GET /v3/ec2tokens -> 405", st("GET", "/v3/ec2tokens", A,
	    NULL) == 405);
	/* Keystone 29 (keygate's default policy): only a service user or an
	 * admin may ask (identity:ec2tokens_validate, s3tokens_validate). */
	T("cred-7.15b EC2 login without X-Auth-Token -> 401 (keystone-29)",
	    st("POST", "/v3/ec2tokens", NULL, ec2_v2(access, secret, "h", "h",
	    ts_now(0))) == 401);
	T("cred-7.15c EC2 login asked by a member -> 403 (keystone-29)",
	    st("POST", "/v3/ec2tokens", tBob, ec2_v2(access, secret, "h", "h",
	    ts_now(0))) == 403);
	T("cred-7.15d EC2 login with an invalid X-Auth-Token -> 401",
	    st("POST", "/v3/ec2tokens", "garbage", ec2_v2(access, secret, "h", "h",
	    ts_now(0))) == 401);
	T("cred-7.16 a cert credential's id is no access key -> 404",
	    st("POST", "/v3/ec2tokens", A, ec2_v2(cert, "x", "h", "h", ts_now(0)))
	    == 404);
	/* S3: version 1 over a string to sign the client sends. */
	{
		const char	*sts = "GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/b/k";
		char		 b64[256], sig[128];

		EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)sts,
		    (int)strlen(sts));
		hmac_b64(EVP_sha1(), secret, sts, sig);
		it_req(&s, "POST", "/v3/s3tokens", A, it_fmt("{\"credentials\": "
		    "{\"access\": \"%s\", \"token\": \"%s\", \"signature\": \"%s\"}}",
		    access, b64, sig), NULL, &r);
		T("cred-7.17 S3 login (v1) -> 200, a token, no X-Subject-Token",
		    r.status == 200 && r.subject_token == NULL &&
		    t_streq(it_str(r.json, "token.user.id"), alice));
		it_resp_free(&r);
		T("cred-7.18 S3 wrong signature -> 401", st("POST", "/v3/s3tokens", A,
		    it_fmt("{\"credentials\": {\"access\": \"%s\", \"token\": \"%s\", "
		    "\"signature\": \"AAAA\"}}", access, b64)) == 401);
	}
	/* What the user's state does to an EC2 login. */
	T("cred-7.19 user disabled -> 401", st("PATCH", it_fmt("/v3/users/%s", alice),
	    A, "{\"user\": {\"enabled\": false}}") == 200 &&
	    st("POST", "/v3/ec2tokens", A, ec2_v2(access, secret, "h", "h",
	    ts_now(0))) == 401);
	T("cred-7.20 enabled again -> 200", st("PATCH", it_fmt("/v3/users/%s", alice),
	    A, "{\"user\": {\"enabled\": true}}") == 200 &&
	    st("POST", "/v3/ec2tokens", A, ec2_v2(access, secret, "h", "h",
	    ts_now(0))) == 200);
	T("cred-7.21 no role on the project any more -> 401", st("DELETE",
	    it_fmt("/v3/projects/%s/users/%s/roles/%s", pA, alice, member), A, NULL) ==
	    204 && st("POST", "/v3/ec2tokens", A, ec2_v2(access, secret, "h", "h",
	    ts_now(0))) == 401);
	st("PUT", it_fmt("/v3/projects/%s/users/%s/roles/%s", pA, alice, member), A,
	    NULL);
	free(tAlice);
	tAlice = ii_project_token(&s, alice, PW, pA);

	/* ---- blobs at rest ---- */
	if (!it_pg())
		T("cred-8.1 no blob or secret in the clear in the database",
		    !file_has(it_fmt("%s/keygate.db", s.dir), "secret-cert-2") &&
		    !file_has(it_fmt("%s/keygate.db-wal", s.dir), "secret-cert-2") &&
		    !file_has(it_fmt("%s/keygate.db", s.dir), secret) &&
		    !file_has(it_fmt("%s/keygate.db-wal", s.dir), secret));
	else {
		/* No file to read: psql looks through every credential row as
		 * text, dividing by zero when it finds the needle. */
		static const char	probe[] = "SELECT 1 / (SELECT CASE WHEN count(*)"
		    " = 0 THEN 1 ELSE 0 END FROM credential c"
		    " WHERE strpos(c::text, '%s') > 0 OR strpos(c::text, '%s') > 0)";

		T("cred-8.1 no blob or secret in the clear in the database",
		    secret != NULL && strchr(secret, '\'') == NULL &&
		    it_sql(&s, it_fmt(probe, "secret-cert-2", secret)) == 0);
		T("cred-8.1b the probe sees what is stored in the clear (an id)",
		    it_sql(&s, it_fmt(probe, cert, cert)) != 0);
	}

	/* ---- key rotation: nothing is lost, old keys go once unused ---- */
	{
		char	out[4096];
		int	i, ok = 1;

		T("cred-8.2 credential-keys list: staged and primary, the primary "
		    "sealing all 4", keys_cli("list", out, sizeof(out)) == 0 &&
		    nlines(out) == 2 && strstr(out, "0 staged") != NULL &&
		    strstr(out, "primary") != NULL &&
		    strstr(out, " 4 credentials") != NULL);
		T("cred-8.3 rotate re-encrypts every credential",
		    keys_cli("rotate", out, sizeof(out)) == 0 &&
		    strstr(out, "4 credentials re-encrypted") != NULL);
		T("cred-8.4 the server opens them without a reload",
		    stm("GET", it_fmt("/v3/credentials/%s", cert), A, NULL, msg,
		    sizeof(msg)) == 200 && st("POST", "/v3/ec2tokens", A,
		    ec2_v2(access, secret, "h", "h", ts_now(0))) == 200);
		for (i = 0; i < 3; i++)
			ok &= keys_cli("rotate", out, sizeof(out)) == 0;
		T("cred-8.5 three more rotations: only max_active (3) keys remain",
		    ok && keys_cli("list", out, sizeof(out)) == 0 && nlines(out) == 3 &&
		    strstr(out, " 4 credentials") != NULL);
		T("cred-8.6 every credential still opens", st("GET",
		    it_fmt("/v3/credentials/%s", cert), A, NULL) == 200 &&
		    st("GET", it_fmt("/v3/credentials/%s", ec2id), A, NULL) == 200 &&
		    st("GET", "/v3/credentials", A, NULL) == 200 &&
		    st("POST", "/v3/ec2tokens", A, ec2_v2(access, secret, "h", "h",
		    ts_now(0))) == 200);
		T("cred-8.7 a new credential is sealed under the new primary",
		    st("POST", "/v3/credentials", A, it_fmt("{\"credential\": "
		    "{\"user_id\": \"%s\", \"type\": \"x\", \"blob\": \"b\"}}", bob))
		    == 201 && keys_cli("list", out, sizeof(out)) == 0 &&
		    strstr(out, "primary") != NULL && strstr(out, " 5 credentials") !=
		    NULL);
	}

	/* ---- delete ---- */
	T("cred-9.1 EC2 delete by another member -> 403", st("DELETE",
	    it_fmt("%s/%s", p, access), tBob, NULL) == 403);
	T("cred-9.2 EC2 delete by the owner -> 204", st("DELETE",
	    it_fmt("%s/%s", p, access), tAlice, NULL) == 204);
	T("cred-9.3 again -> 404", st("DELETE", it_fmt("%s/%s", p, access), tAlice,
	    NULL) == 404);
	T("cred-9.4 its EC2 login is gone -> 404", st("POST", "/v3/ec2tokens", A,
	    ec2_v2(access, secret, "h", "h", ts_now(0))) == 404);
	T("cred-9.5 delete by another member -> 403", st("DELETE",
	    it_fmt("/v3/credentials/%s", cert), tBob, NULL) == 403);
	T("cred-9.6 delete by a system reader -> 403", st("DELETE",
	    it_fmt("/v3/credentials/%s", cert), tCarol, NULL) == 403);
	T("cred-9.7 delete by the owner -> 204", st("DELETE",
	    it_fmt("/v3/credentials/%s", cert), tAlice, NULL) == 204);
	T("cred-9.8 again -> 404", st("DELETE", it_fmt("/v3/credentials/%s", cert),
	    A, NULL) == 404);
	/* Credentials go with their project and their user. */
	T("cred-9.9 deleting the project takes its EC2 credentials",
	    st("POST", "/v3/credentials", A, it_fmt("{\"credential\": {\"user_id\": "
	    "\"%s\", \"project_id\": \"%s\", \"type\": \"ec2\", \"blob\": "
	    "\"{\\\"access\\\": \\\"AKIA-pb\\\"}\"}}", bob, pB)) == 201 &&
	    st("PATCH", it_fmt("/v3/projects/%s", pB), A,
	    "{\"project\": {\"enabled\": false}}") == 200 &&
	    st("DELETE", it_fmt("/v3/projects/%s", pB), A, NULL) == 204 &&
	    st("GET", it_fmt("/v3/credentials/%s", hash_access("AKIA-pb")), A, NULL)
	    == 404);
	T("cred-9.10 deleting the user takes its credentials",
	    st("DELETE", it_fmt("/v3/users/%s", alice), A, NULL) == 204 &&
	    st("GET", it_fmt("/v3/credentials/%s", ec2id), A, NULL) == 404);
	it_req(&s, "GET", "/v3/credentials", A, NULL, NULL, &r);
	T("cred-9.11 what is left: bob's two", r.status == 200 &&
	    ii_count(r.json, "credentials") == 2 &&
	    t_streq(it_str(r.json, "credentials.0.type"), "totp"));
	it_resp_free(&r);

	T("cred-10.1 server stops cleanly, database consistent", it_stop(&s) == 0);

	/* Keystone 22's policy has no ec2tokens rule: anyone may ask. */
	{
		static const char *const env22[] = {
			"KEYGATE_OSLO_POLICY_DEFAULTS=keystone-22", NULL };
		char	*admin_id = NULL, *ak = NULL, *sk = NULL, hdr[4200];
		const char *hdrs[] = { hdr, NULL };

		it_start(&s, env22);
		snprintf(hdr, sizeof(hdr), "X-Subject-Token: %s", s.admin_token);
		it_req(&s, "GET", "/v3/auth/tokens", s.admin_token, NULL, hdrs, &r);
		if (it_str(r.json, "token.user.id") != NULL)
			admin_id = strdup(it_str(r.json, "token.user.id"));
		free(pA);
		pA = NULL;
		if (it_str(r.json, "token.project.id") != NULL)
			pA = strdup(it_str(r.json, "token.project.id"));
		it_resp_free(&r);
		it_req(&s, "POST", it_fmt("/v3/users/%s/credentials/OS-EC2",
		    admin_id ? admin_id : "x"), s.admin_token, it_fmt(
		    "{\"tenant_id\": \"%s\"}", pA ? pA : "x"), NULL, &r);
		if (it_str(r.json, "credential.access") != NULL)
			ak = strdup(it_str(r.json, "credential.access"));
		if (it_str(r.json, "credential.secret") != NULL)
			sk = strdup(it_str(r.json, "credential.secret"));
		it_resp_free(&r);
		T("cred-11.1 keystone-22: an EC2 login without X-Auth-Token -> 200",
		    ak && sk && st("POST", "/v3/ec2tokens", NULL, ec2_v2(ak, sk, "h",
		    "h", ts_now(0))) == 200);
		T("cred-11.2 keystone-22: server stops cleanly", it_stop(&s) == 0);
		unsetenv("KEYGATE_OSLO_POLICY_DEFAULTS");
		free(admin_id);
		free(ak);
		free(sk);
	}
	free(pA);
	free(pB);
	free(member);
	free(reader);
	free(alice);
	free(bob);
	free(carol);
	free(tAlice);
	free(tBob);
	free(tCarol);
	free(cert);
	free(ec2id);
	free(access);
	free(secret);
	free(tok);
	free(ec2path);
	return t_report();
}
