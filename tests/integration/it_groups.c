/*
 * it_groups.c - /v3/groups and membership over HTTP: create, list, get,
 * update, delete, add/check/remove members, validation, conflicts,
 * policy, and revocation when a member is removed or a granted group is
 * deleted.
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
	char			*g1, *g2, *u1, *u2, *t1, *t2, *p1, *member, *dom, *x;

	it_start(&s, NULL);
	A = s.admin_token;
	T("group-0.1 admin token", A[0] != '\0');

	T("group-1.1 POST without token -> 401", it_status(&s, "POST", "/v3/groups",
	    NULL, "{\"group\": {\"name\": \"x\"}}") == 401);
	T("group-1.2 GET without token -> 401", it_status(&s, "GET", "/v3/groups", NULL,
	    NULL) == 401);

	/* create */
	it_req(&s, "POST", "/v3/groups", A, "{\"group\": {\"name\": \"ops\","
	    " \"description\": \"operators\", \"pager\": \"on\"}}", NULL, &r);
	T("group-2.1 create -> 201", r.status == 201);
	g1 = it_str(r.json, "group.id") ? strdup(it_str(r.json, "group.id")) : NULL;
	T("group-2.2 shape", r.json && strcmp(it_str(r.json, "group.name"), "ops") == 0 &&
	    strcmp(it_str(r.json, "group.domain_id"), "default") == 0 &&
	    strcmp(it_str(r.json, "group.description"), "operators") == 0 &&
	    strcmp(it_str(r.json, "group.pager"), "on") == 0);
	T("group-2.3 self link", g1 && strcmp(it_str(r.json, "group.links.self"),
	    it_fmt("%s/v3/groups/%s", s.base, g1)) == 0);
	it_resp_free(&r);
	g2 = ii_create(&s, "/v3/groups", "{\"group\": {\"name\": \"devs\"}}", "group.id");
	T("group-2.4 second group", g2 != NULL);
	it_req(&s, "POST", "/v3/groups", A, "{\"group\": {\"name\": \"ops\"}}", NULL, &r);
	T("group-2.5 duplicate -> 409", r.status == 409 && strcmp(ii_msg(&r),
	    "Conflict occurred attempting to store group - Duplicate entry found with "
	    "name ops at domain ID default.") == 0);
	it_resp_free(&r);
	T("group-2.6 missing name -> 400", it_status(&s, "POST", "/v3/groups", A,
	    "{\"group\": {\"description\": \"x\"}}") == 400);
	T("group-2.7 name wrong type -> 400", it_status(&s, "POST", "/v3/groups", A,
	    "{\"group\": {\"name\": true}}") == 400);
	it_req(&s, "POST", "/v3/groups", A, "{\"group\": {\"name\": \"x\", \"domain_id\":"
	    " \"nope\"}}", NULL, &r);
	T("group-2.8 unknown domain -> 404", r.status == 404 &&
	    strcmp(ii_msg(&r), "Could not find domain: nope.") == 0);
	it_resp_free(&r);
	T("group-2.9 malformed JSON -> 400", it_status(&s, "POST", "/v3/groups", A,
	    "[") == 400);
	dom = ii_create(&s, "/v3/domains", "{\"domain\": {\"name\": \"Other\"}}",
	    "domain.id");
	x = dom ? ii_create(&s, "/v3/groups", it_fmt("{\"group\": {\"name\": \"ops\","
	    " \"domain_id\": \"%s\"}}", dom), "group.id") : NULL;
	T("group-2.10 same name in another domain -> 201", x != NULL);
	free(x);

	/* list, get */
	it_req(&s, "GET", "/v3/groups", A, NULL, NULL, &r);
	T("group-3.1 list", r.status == 200 && ii_count(r.json, "groups") == 3 &&
	    ii_has_id(r.json, "groups", g1) && ii_has_id(r.json, "groups", g2));
	it_resp_free(&r);
	it_req(&s, "GET", "/v3/groups?name=ops", A, NULL, NULL, &r);
	T("group-3.2 filter name", r.status == 200 && ii_count(r.json, "groups") == 2);
	it_resp_free(&r);
	it_req(&s, "GET", "/v3/groups?name=ops&domain_id=default", A, NULL, NULL, &r);
	T("group-3.3 filter name+domain", r.status == 200 &&
	    ii_count(r.json, "groups") == 1 && ii_has_id(r.json, "groups", g1));
	it_resp_free(&r);
	T("group-3.4 get -> 200", it_status(&s, "GET", it_fmt("/v3/groups/%s", g1), A,
	    NULL) == 200);
	it_req(&s, "GET", "/v3/groups/nope", A, NULL, NULL, &r);
	T("group-3.5 unknown -> 404", r.status == 404 &&
	    strcmp(ii_msg(&r), "Could not find group: nope.") == 0);
	it_resp_free(&r);

	/* update */
	it_req(&s, "PATCH", it_fmt("/v3/groups/%s", g2), A,
	    "{\"group\": {\"name\": \"developers\", \"description\": \"code\"}}", NULL, &r);
	T("group-4.1 patch -> 200", r.status == 200 &&
	    strcmp(it_str(r.json, "group.name"), "developers") == 0 &&
	    strcmp(it_str(r.json, "group.description"), "code") == 0);
	it_resp_free(&r);
	T("group-4.2 rename to taken -> 409", it_status(&s, "PATCH",
	    it_fmt("/v3/groups/%s", g2), A, "{\"group\": {\"name\": \"ops\"}}") == 409);
	T("group-4.3 change domain -> 400", it_status(&s, "PATCH",
	    it_fmt("/v3/groups/%s", g2), A, it_fmt("{\"group\": {\"domain_id\": \"%s\"}}",
	    dom)) == 400);
	T("group-4.4 empty patch -> 400", it_status(&s, "PATCH",
	    it_fmt("/v3/groups/%s", g2), A, "{\"group\": {}}") == 400);
	T("group-4.5 patch unknown -> 404", it_status(&s, "PATCH", "/v3/groups/nope", A,
	    "{\"group\": {\"name\": \"z\"}}") == 404);

	/* membership */
	u1 = ii_create(&s, "/v3/users", "{\"user\": {\"name\": \"ursula\","
	    " \"password\": \"u-pw\"}}", "user.id");
	u2 = ii_create(&s, "/v3/users", "{\"user\": {\"name\": \"victor\","
	    " \"password\": \"v-pw\"}}", "user.id");
	T("group-5.1 users", u1 && u2);
	T("group-5.2 add -> 204", it_status(&s, "PUT", it_fmt("/v3/groups/%s/users/%s",
	    g1, u1), A, NULL) == 204);
	T("group-5.3 add twice -> 204", it_status(&s, "PUT",
	    it_fmt("/v3/groups/%s/users/%s", g1, u1), A, NULL) == 204);
	it_req(&s, "PUT", it_fmt("/v3/groups/%s/users/nope", g1), A, NULL, NULL, &r);
	T("group-5.4 add unknown user -> 404", r.status == 404 &&
	    strcmp(ii_msg(&r), "Could not find user: nope.") == 0);
	it_resp_free(&r);
	T("group-5.5 add to unknown group -> 404", it_status(&s, "PUT",
	    it_fmt("/v3/groups/nope/users/%s", u1), A, NULL) == 404);
	T("group-5.6 check member -> 204", it_status(&s, "GET",
	    it_fmt("/v3/groups/%s/users/%s", g1, u1), A, NULL) == 204 &&
	    it_status(&s, "HEAD", it_fmt("/v3/groups/%s/users/%s", g1, u1), A, NULL) == 204);
	it_req(&s, "HEAD", it_fmt("/v3/groups/%s/users/%s", g1, u2), A, NULL, NULL, &r);
	T("group-5.7 check non-member -> 404", r.status == 404);
	it_resp_free(&r);
	it_req(&s, "GET", it_fmt("/v3/groups/%s/users", g1), A, NULL, NULL, &r);
	T("group-5.8 list members", r.status == 200 && ii_count(r.json, "users") == 1 &&
	    ii_has_id(r.json, "users", u1) && strstr(r.body, "$2b$") == NULL);
	it_resp_free(&r);
	it_req(&s, "GET", it_fmt("/v3/groups/%s/users?name=victor", g1), A, NULL, NULL, &r);
	T("group-5.9 list members filter", r.status == 200 && ii_count(r.json, "users") == 0);
	it_resp_free(&r);
	T("group-5.10 members of unknown group -> 404", it_status(&s, "GET",
	    "/v3/groups/nope/users", A, NULL) == 404);

	/* non-admin callers */
	t1 = u1 ? it_token(&s, u1, "u-pw", NULL) : NULL;
	T("group-6.1 non-admin token", t1 != NULL);
	T("group-6.2 non-admin create -> 403", it_status(&s, "POST", "/v3/groups", t1,
	    "{\"group\": {\"name\": \"evil\"}}") == 403);
	T("group-6.3 non-admin list -> 403", it_status(&s, "GET", "/v3/groups", t1,
	    NULL) == 403);
	T("group-6.4 non-admin get -> 403", it_status(&s, "GET",
	    it_fmt("/v3/groups/%s", g1), t1, NULL) == 403);
	T("group-6.5 non-admin add member -> 403", it_status(&s, "PUT",
	    it_fmt("/v3/groups/%s/users/%s", g2, u1), t1, NULL) == 403);
	T("group-6.6 non-admin remove member -> 403", it_status(&s, "DELETE",
	    it_fmt("/v3/groups/%s/users/%s", g1, u1), t1, NULL) == 403);
	T("group-6.7 non-admin patch/delete -> 403", it_status(&s, "PATCH",
	    it_fmt("/v3/groups/%s", g1), t1, "{\"group\": {\"name\": \"q\"}}") == 403 &&
	    it_status(&s, "DELETE", it_fmt("/v3/groups/%s", g1), t1, NULL) == 403);

	/* removal revokes the member's tokens */
	T("group-7.1 token valid", ii_validate(&s, t1) == 200);
	T("group-7.2 remove -> 204", it_status(&s, "DELETE",
	    it_fmt("/v3/groups/%s/users/%s", g1, u1), A, NULL) == 204);
	T("group-7.3 removed member's token revoked", ii_validate(&s, t1) == 404);
	it_req(&s, "DELETE", it_fmt("/v3/groups/%s/users/%s", g1, u1), A, NULL, NULL, &r);
	T("group-7.4 remove non-member -> 404", r.status == 404 && strcmp(ii_msg(&r),
	    it_fmt("User '%s' not found in group '%s'", u1, g1)) == 0);
	it_resp_free(&r);

	/* deleting a group with grants revokes its members' tokens */
	p1 = ii_create(&s, "/v3/projects", "{\"project\": {\"name\": \"gp\"}}",
	    "project.id");
	member = ii_role_id(&s, "member");
	T("group-8.1 group grant", p1 && member && it_status(&s, "PUT",
	    it_fmt("/v3/projects/%s/groups/%s/roles/%s", p1, g2, member), A, NULL) == 204 &&
	    it_status(&s, "PUT", it_fmt("/v3/groups/%s/users/%s", g2, u2), A, NULL) == 204);
	t2 = (u2 && p1) ? ii_project_token(&s, u2, "v-pw", p1) : NULL;
	T("group-8.2 project token through the group", t2 != NULL &&
	    ii_validate(&s, t2) == 200);
	T("group-8.3 delete group -> 204", it_status(&s, "DELETE",
	    it_fmt("/v3/groups/%s", g2), A, NULL) == 204);
	T("group-8.4 member's token revoked", ii_validate(&s, t2) == 404);
	T("group-8.5 gone -> 404", it_status(&s, "GET", it_fmt("/v3/groups/%s", g2), A,
	    NULL) == 404);
	T("group-8.6 delete again -> 404", it_status(&s, "DELETE",
	    it_fmt("/v3/groups/%s", g2), A, NULL) == 404);
	x = (u2 && p1) ? ii_project_token(&s, u2, "v-pw", p1) : NULL;
	T("group-8.7 no access through a deleted group", x == NULL);
	free(x);

	free(g1);
	free(g2);
	free(u1);
	free(u2);
	free(t1);
	free(t2);
	free(p1);
	free(member);
	free(dom);
	T("group-9.1 server exits cleanly", it_stop(&s) == 0);
	return t_report();
}
