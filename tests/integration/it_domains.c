/*
 * it_domains.c - /v3/domains over HTTP: create, list, get, update, delete,
 * validation errors, conflicts, policy, and token revocation when a
 * domain is disabled.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/integration/it_identity.h"

int
main(void)
{
	struct it_server	 s;
	struct it_resp		 r;
	const char		*A;
	char			*d1, *d2, *uid, *utok, *dtok, *otok, *ouid, *x, long_name[80];

	it_start(&s, NULL);
	A = s.admin_token;
	T("domain-0.1 admin token", A[0] != '\0');

	/* no token / bad token */
	T("domain-1.1 POST without token -> 401", it_status(&s, "POST", "/v3/domains",
	    NULL, "{\"domain\": {\"name\": \"x\"}}") == 401);
	T("domain-1.2 GET list without token -> 401", it_status(&s, "GET",
	    "/v3/domains", NULL, NULL) == 401);
	T("domain-1.3 GET one with bad token -> 401", it_status(&s, "GET",
	    "/v3/domains/default", "garbage", NULL) == 401);

	/* create */
	it_req(&s, "POST", "/v3/domains", A, "{\"domain\": {\"name\": \"  Acme \","
	    " \"description\": \"acme corp\", \"ticket\": 7}}", NULL, &r);
	T("domain-2.1 create -> 201", r.status == 201);
	T("domain-2.2 name stripped", r.json && strcmp(it_str(r.json, "domain.name"),
	    "Acme") == 0);
	T("domain-2.3 enabled by default", json_is_true(it_get(r.json, "domain.enabled")));
	T("domain-2.4 description", strcmp(it_str(r.json, "domain.description") ?
	    it_str(r.json, "domain.description") : "", "acme corp") == 0);
	T("domain-2.5 tags and options", json_array_size(it_get(r.json, "domain.tags")) == 0 &&
	    json_is_object(it_get(r.json, "domain.options")));
	d1 = it_str(r.json, "domain.id") ? strdup(it_str(r.json, "domain.id")) : NULL;
	T("domain-2.6 id is 32 hex", d1 != NULL && strlen(d1) == 32);
	T("domain-2.7 self link", d1 && it_str(r.json, "domain.links.self") &&
	    strcmp(it_str(r.json, "domain.links.self"),
	    it_fmt("%s/v3/domains/%s", s.base, d1)) == 0);
	it_resp_free(&r);

	/* "enabled": "false" was read as false; Keystone's schema refuses it. */
	it_req(&s, "POST", "/v3/domains", A, "{\"domain\": {\"name\": \"tagged\","
	    " \"enabled\": \"false\"}}", NULL, &r);
	T("domain-2.8a string boolean -> 400, Keystone's text", r.status == 400 &&
	    strcmp(ii_msg(&r), "Invalid input for field 'enabled': 'false' is not "
	    "of type 'boolean'") == 0);
	it_resp_free(&r);
	it_req(&s, "POST", "/v3/domains", A, "{\"domain\": {\"name\": \"tagged\","
	    " \"enabled\": false, \"tags\": [\"a\", \"b\"],"
	    " \"explicit_domain_id\": \"0123456789abcdef0123456789abcdef\"}}", NULL, &r);
	T("domain-2.8 explicit id, disabled, tags", r.status == 201 &&
	    strcmp(it_str(r.json, "domain.id"), "0123456789abcdef0123456789abcdef") == 0 &&
	    json_is_false(it_get(r.json, "domain.enabled")) &&
	    json_array_size(it_get(r.json, "domain.tags")) == 2);
	it_resp_free(&r);
	d2 = strdup("0123456789abcdef0123456789abcdef");

	/* conflicts */
	it_req(&s, "POST", "/v3/domains", A, "{\"domain\": {\"name\": \"Acme\"}}", NULL, &r);
	T("domain-3.1 duplicate name -> 409", r.status == 409);
	T("domain-3.2 Keystone's conflict text", strcmp(ii_msg(&r), "Conflict occurred "
	    "attempting to store project - it is not permitted to have two projects "
	    "acting as domains with the same name: Acme.") == 0);
	it_resp_free(&r);
	T("domain-3.3 duplicate explicit id -> 409", it_status(&s, "POST", "/v3/domains",
	    A, "{\"domain\": {\"name\": \"other\", \"explicit_domain_id\": "
	    "\"0123456789abcdef0123456789abcdef\"}}") == 409);

	/* validation */
	it_req(&s, "POST", "/v3/domains", A, "{\"domain\": {}}", NULL, &r);
	T("domain-4.1 missing name -> 400", r.status == 400 &&
	    strcmp(ii_msg(&r), "'name' is a required property") == 0);
	it_resp_free(&r);
	it_req(&s, "POST", "/v3/domains", A, "{\"domain\": {\"name\": 5}}", NULL, &r);
	T("domain-4.2 name not a string -> 400", r.status == 400 &&
	    strcmp(ii_msg(&r), "Invalid input for field 'name': 5 is not of type "
	    "'string'") == 0);
	it_resp_free(&r);
	T("domain-4.3 blank name -> 400", it_status(&s, "POST", "/v3/domains", A,
	    "{\"domain\": {\"name\": \"   \"}}") == 400);
	memset(long_name, 'x', 65);
	long_name[65] = '\0';
	T("domain-4.4 65-char name -> 400", it_status(&s, "POST", "/v3/domains", A,
	    it_fmt("{\"domain\": {\"name\": \"%s\"}}", long_name)) == 400);
	T("domain-4.5 no domain object -> 400", it_status(&s, "POST", "/v3/domains", A,
	    "{\"name\": \"x\"}") == 400);
	T("domain-4.6 domain not an object -> 400", it_status(&s, "POST", "/v3/domains",
	    A, "{\"domain\": \"x\"}") == 400);
	T("domain-4.7 malformed JSON -> 400", it_status(&s, "POST", "/v3/domains", A,
	    "{\"domain\": ") == 400);
	T("domain-4.8 empty body -> 400", it_status(&s, "POST", "/v3/domains", A,
	    NULL) == 400);
	T("domain-4.9 bad enabled -> 400", it_status(&s, "POST", "/v3/domains", A,
	    "{\"domain\": {\"name\": \"x\", \"enabled\": \"maybe\"}}") == 400);
	T("domain-4.10 bad explicit id -> 400", it_status(&s, "POST", "/v3/domains", A,
	    "{\"domain\": {\"name\": \"x\", \"explicit_domain_id\": \"not-hex\"}}") == 400);
	T("domain-4.11 bad tag -> 400", it_status(&s, "POST", "/v3/domains", A,
	    "{\"domain\": {\"name\": \"x\", \"tags\": [\"a,b\"]}}") == 400);
	T("domain-4.12 unknown option -> 400", it_status(&s, "POST", "/v3/domains", A,
	    "{\"domain\": {\"name\": \"x\", \"options\": {\"foo\": true}}}") == 400);
	T("domain-4.13 extra top-level member -> 400", it_status(&s, "POST",
	    "/v3/domains", A, "{\"domain\": {\"name\": \"x\"}, \"y\": 1}") == 400);

	/* list */
	it_req(&s, "GET", "/v3/domains", A, NULL, NULL, &r);
	T("domain-5.1 list -> 200", r.status == 200 && ii_has_id(r.json, "domains",
	    "default") && ii_has_id(r.json, "domains", d1) && ii_has_id(r.json,
	    "domains", d2));
	T("domain-5.2 list links", it_str(r.json, "links.self") != NULL &&
	    json_is_null(it_get(r.json, "links.next")));
	it_resp_free(&r);
	it_req(&s, "GET", "/v3/domains?name=Acme", A, NULL, NULL, &r);
	T("domain-5.3 filter name", r.status == 200 && ii_count(r.json, "domains") == 1 &&
	    ii_has_id(r.json, "domains", d1));
	it_resp_free(&r);
	it_req(&s, "GET", "/v3/domains?enabled=false", A, NULL, NULL, &r);
	T("domain-5.4 filter enabled=false", r.status == 200 && ii_count(r.json,
	    "domains") == 1 && ii_has_id(r.json, "domains", d2));
	it_resp_free(&r);
	T("domain-5.5 bad enabled filter -> 400", it_status(&s, "GET",
	    "/v3/domains?enabled=maybe", A, NULL) == 400);

	/* get */
	it_req(&s, "GET", it_fmt("/v3/domains/%s", d1), A, NULL, NULL, &r);
	T("domain-6.1 get -> 200", r.status == 200 && strcmp(it_str(r.json,
	    "domain.name"), "Acme") == 0);
	it_resp_free(&r);
	it_req(&s, "GET", "/v3/domains/nope", A, NULL, NULL, &r);
	T("domain-6.2 unknown -> 404", r.status == 404 &&
	    strcmp(ii_msg(&r), "Could not find domain: nope.") == 0);
	it_resp_free(&r);
	it_req(&s, "HEAD", "/v3/domains/default", A, NULL, NULL, &r);
	T("domain-6.3 HEAD -> 200 without body", r.status == 200 && r.body[0] == '\0');
	it_resp_free(&r);

	/* update */
	it_req(&s, "PATCH", it_fmt("/v3/domains/%s", d1), A,
	    "{\"domain\": {\"description\": \"changed\", \"tags\": [\"t1\"]}}", NULL, &r);
	T("domain-7.1 patch -> 200", r.status == 200 &&
	    strcmp(it_str(r.json, "domain.description"), "changed") == 0 &&
	    strcmp(it_str(r.json, "domain.tags.0"), "t1") == 0 &&
	    strcmp(it_str(r.json, "domain.name"), "Acme") == 0);
	it_resp_free(&r);
	T("domain-7.2 patch to taken name -> 409", it_status(&s, "PATCH",
	    it_fmt("/v3/domains/%s", d1), A, "{\"domain\": {\"name\": \"Default\"}}") == 409);
	T("domain-7.3 empty patch -> 400", it_status(&s, "PATCH",
	    it_fmt("/v3/domains/%s", d1), A, "{\"domain\": {}}") == 400);
	T("domain-7.4 patch unknown -> 404", it_status(&s, "PATCH", "/v3/domains/nope",
	    A, "{\"domain\": {\"description\": \"x\"}}") == 404);
	T("domain-7.5 patch id -> 400", it_status(&s, "PATCH", it_fmt("/v3/domains/%s",
	    d1), A, "{\"domain\": {\"id\": \"other\"}}") == 400);
	T("domain-7.6 patch bad type -> 400", it_status(&s, "PATCH",
	    it_fmt("/v3/domains/%s", d1), A, "{\"domain\": {\"enabled\": 3}}") == 400);

	/* non-admin callers */
	uid = ii_create(&s, "/v3/users", it_fmt("{\"user\": {\"name\": \"dana\", "
	    "\"domain_id\": \"%s\", \"password\": \"dana-pw\"}}", d1), "user.id");
	T("domain-8.1 user in new domain", uid != NULL);
	utok = uid ? it_token(&s, uid, "dana-pw", NULL) : NULL;
	T("domain-8.2 its unscoped token", utok != NULL);
	T("domain-8.3 non-admin create -> 403", it_status(&s, "POST", "/v3/domains", utok,
	    "{\"domain\": {\"name\": \"evil\"}}") == 403);
	T("domain-8.4 non-admin list -> 403", it_status(&s, "GET", "/v3/domains", utok,
	    NULL) == 403);
	T("domain-8.5 non-admin get (unscoped) -> 403", it_status(&s, "GET",
	    it_fmt("/v3/domains/%s", d1), utok, NULL) == 403);
	T("domain-8.6 non-admin patch -> 403", it_status(&s, "PATCH",
	    it_fmt("/v3/domains/%s", d1), utok, "{\"domain\": {\"enabled\": false}}") == 403);
	T("domain-8.7 non-admin delete -> 403", it_status(&s, "DELETE",
	    it_fmt("/v3/domains/%s", d2), utok, NULL) == 403);
	T("domain-8.8 non-admin get unknown -> 403 (policy first)", it_status(&s, "GET",
	    "/v3/domains/nope", utok, NULL) == 403);
	dtok = uid ? it_token(&s, uid, "dana-pw", NULL) : NULL;
	ouid = ii_create(&s, "/v3/users", "{\"user\": {\"name\": \"olga\", "
	    "\"password\": \"olga-pw\"}}", "user.id");
	otok = ouid ? it_token(&s, ouid, "olga-pw", NULL) : NULL;
	T("domain-8.9 tokens valid before disabling", ii_validate(&s, dtok) == 200 &&
	    ii_validate(&s, otok) == 200);

	/* delete: refused while enabled; disabling revokes the domain's tokens */
	it_req(&s, "DELETE", it_fmt("/v3/domains/%s", d1), A, NULL, NULL, &r);
	T("domain-9.1 delete enabled -> 403", r.status == 403 && strcmp(ii_msg(&r),
	    "Cannot delete a domain that is enabled, please disable it first.") == 0);
	it_resp_free(&r);
	T("domain-9.2 disable -> 200", it_status(&s, "PATCH", it_fmt("/v3/domains/%s",
	    d1), A, "{\"domain\": {\"enabled\": false}}") == 200);
	T("domain-9.3 token of a user in the disabled domain revoked",
	    ii_validate(&s, dtok) == 404);
	T("domain-9.4 other domains' tokens unaffected", ii_validate(&s, otok) == 200);
	x = uid ? it_token(&s, uid, "dana-pw", NULL) : NULL;
	T("domain-9.5 new token refused", uid != NULL && x == NULL);
	free(x);
	T("domain-9.6 delete disabled -> 204", it_status(&s, "DELETE",
	    it_fmt("/v3/domains/%s", d1), A, NULL) == 204);
	T("domain-9.7 gone -> 404", it_status(&s, "GET", it_fmt("/v3/domains/%s", d1),
	    A, NULL) == 404);
	T("domain-9.8 its users went with it", uid && it_status(&s, "GET",
	    it_fmt("/v3/users/%s", uid), A, NULL) == 404);
	T("domain-9.9 delete again -> 404", it_status(&s, "DELETE",
	    it_fmt("/v3/domains/%s", d1), A, NULL) == 404);
	T("domain-9.10 delete created-disabled domain -> 204", it_status(&s, "DELETE",
	    it_fmt("/v3/domains/%s", d2), A, NULL) == 204);

	/* options.immutable on domains (as Keystone 2025.1, which lets the
	 * option alone be cleared: the fix of Keystone 27). */
	it_req(&s, "POST", "/v3/domains", A, "{\"domain\": {\"name\": \"imm\","
	    " \"options\": {\"immutable\": true}}}", NULL, &r);
	x = r.status == 201 && it_str(r.json, "domain.id") ?
	    strdup(it_str(r.json, "domain.id")) : NULL;
	T("domain-11.1 create immutable -> 201, options shown", x != NULL &&
	    json_is_true(it_get(r.json, "domain.options.immutable")));
	it_resp_free(&r);
	it_req(&s, "PATCH", it_fmt("/v3/domains/%s", x ? x : "x"), A,
	    "{\"domain\": {\"enabled\": false}}", NULL, &r);
	T("domain-11.2 disable -> 403, Keystone's text", r.status == 403 &&
	    strcmp(ii_msg(&r), it_fmt("Unable to update immutable domain resource:"
	    " `%s. Set resource option \"immutable\" to false first.",
	    x ? x : "x")) == 0);
	it_resp_free(&r);
	it_req(&s, "DELETE", it_fmt("/v3/domains/%s", x ? x : "x"), A, NULL, NULL,
	    &r);
	T("domain-11.3 DELETE -> 403 (before the enabled rule)", r.status == 403 &&
	    strcmp(ii_msg(&r), it_fmt("Unable to delete immutable domain resource:"
	    " `%s. Set resource option \"immutable\" to false first.",
	    x ? x : "x")) == 0);
	it_resp_free(&r);
	T("domain-11.4 via the projects API: PATCH -> 403", it_status(&s, "PATCH",
	    it_fmt("/v3/projects/%s", x ? x : "x"), A, "{\"project\":"
	    " {\"description\": \"d\"}}") == 403);
	T("domain-11.5 via the projects API: a tag -> 403", it_status(&s, "PUT",
	    it_fmt("/v3/projects/%s/tags/t", x ? x : "x"), A, NULL) == 403);
	it_req(&s, "PATCH", it_fmt("/v3/domains/%s", x ? x : "x"), A,
	    "{\"domain\": {\"options\": {\"immutable\": false}}}", NULL, &r);
	T("domain-11.6 the option alone can be cleared -> 200", r.status == 200 &&
	    json_is_false(it_get(r.json, "domain.options.immutable")));
	it_resp_free(&r);
	free(d2);
	d2 = x ? ii_create(&s, "/v3/projects", it_fmt("{\"project\": {\"name\":"
	    " \"kept\", \"domain_id\": \"%s\", \"options\": {\"immutable\":"
	    " true}}}", x), "project.id") : NULL;
	T("domain-11.7 an immutable project in it", d2 != NULL);
	T("domain-11.8 disable the domain -> 200", it_status(&s, "PATCH",
	    it_fmt("/v3/domains/%s", x ? x : "x"), A, "{\"domain\": {\"enabled\":"
	    " false}}") == 200);
	it_req(&s, "DELETE", it_fmt("/v3/domains/%s", x ? x : "x"), A, NULL, NULL,
	    &r);
	T("domain-11.9 DELETE: the immutable project refuses it, nothing deleted",
	    r.status == 403 && strstr(ii_msg(&r), it_fmt("immutable project "
	    "resource: `%s.", d2 ? d2 : "x")) != NULL && it_status(&s, "GET",
	    it_fmt("/v3/projects/%s", d2 ? d2 : "x"), A, NULL) == 200);
	it_resp_free(&r);
	T("domain-11.10 clear the project's option: the domain goes",
	    it_status(&s, "PATCH", it_fmt("/v3/projects/%s", d2 ? d2 : "x"), A,
	    "{\"project\": {\"options\": {\"immutable\": false}}}") == 200 &&
	    it_status(&s, "DELETE", it_fmt("/v3/domains/%s", x ? x : "x"), A,
	    NULL) == 204);
	T("domain-11.11 options: an unknown one -> 400", it_status(&s, "POST",
	    "/v3/domains", A, "{\"domain\": {\"name\": \"o2\", \"options\":"
	    " {\"x\": true}}}") == 400);
	free(x);

	free(d1);
	free(d2);
	free(uid);
	free(utok);
	free(dtok);
	free(ouid);
	free(otok);
	T("domain-10.1 server exits cleanly", it_stop(&s) == 0);
	return t_report();
}
