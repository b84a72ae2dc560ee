/*
 * it_identity.h - helpers shared by the identity integration tests
 * (it_domains.c, it_projects.c, it_users.c, it_groups.c).
 */
#ifndef KG_IT_IDENTITY_H
#define KG_IT_IDENTITY_H

#include <string.h>

#include "tests/integration/it.h"

/* POST body to path as admin; the new object's id (at idpath, e.g.
 * "user.id") as a malloc'd string when the answer is 201, else NULL. */
static inline char *
ii_create(struct it_server *s, const char *path, const char *body,
    const char *idpath)
{
	struct it_resp	 r;
	const char	*id;
	char		*ret = NULL;

	if (it_req(s, "POST", path, s->admin_token, body, NULL, &r) == 0 &&
	    r.status == 201 && (id = it_str(r.json, idpath)) != NULL)
		ret = strdup(id);
	it_resp_free(&r);
	return ret;
}

/* Status of validating tok (GET /v3/auth/tokens as admin): 200 or 404. */
static inline long
ii_validate(struct it_server *s, const char *tok)
{
	struct it_resp	 r;
	char		 hdr[4200];
	const char	*hdrs[] = { hdr, NULL };
	long		 st;

	if (tok == NULL)
		return 0;
	snprintf(hdr, sizeof(hdr), "X-Subject-Token: %s", tok);
	if (it_req(s, "GET", "/v3/auth/tokens", s->admin_token, NULL, hdrs, &r) == -1)
		return 0;
	st = r.status;
	it_resp_free(&r);
	return st;
}

/* Nonzero when the array at key of doc has a member whose "id" is id. */
static inline int
ii_has_id(json_t *doc, const char *key, const char *id)
{
	json_t	*a = json_object_get(doc, key), *v;
	size_t	 i;

	if (id == NULL)
		return 0;
	json_array_foreach(a, i, v)
		if (json_is_string(json_object_get(v, "id")) &&
		    strcmp(json_string_value(json_object_get(v, "id")), id) == 0)
			return 1;
	return 0;
}

/* Size of the array at key of doc (-1 when not an array). */
static inline long
ii_count(json_t *doc, const char *key)
{
	json_t	*a = json_object_get(doc, key);

	return json_is_array(a) ? (long)json_array_size(a) : -1;
}

/* The error message of a reply, or "". */
static inline const char *
ii_msg(const struct it_resp *r)
{
	const char	*m = it_str(r->json, "error.message");

	return m ? m : "";
}

/* A role's id by name (GET /v3/roles?name=), malloc'd, or NULL. */
static inline char *
ii_role_id(struct it_server *s, const char *name)
{
	struct it_resp	 r;
	const char	*id;
	char		*ret = NULL;

	if (it_req(s, "GET", it_fmt("/v3/roles?name=%s", name), s->admin_token,
	    NULL, NULL, &r) == 0 && (id = it_str(r.json, "roles.0.id")) != NULL)
		ret = strdup(id);
	it_resp_free(&r);
	return ret;
}

/* A project-scoped token for user id uid (by id: any domain). */
static inline char *
ii_project_token(struct it_server *s, const char *uid, const char *password,
    const char *project_id)
{
	struct it_resp	 r;
	char		*tok = NULL;

	if (it_req(s, "POST", "/v3/auth/tokens", NULL, it_fmt("{\"auth\": "
	    "{\"identity\": {\"methods\": [\"password\"], \"password\": {\"user\": "
	    "{\"id\": \"%s\", \"password\": \"%s\"}}}, \"scope\": {\"project\": "
	    "{\"id\": \"%s\"}}}}", uid, password, project_id), NULL, &r) == 0 &&
	    r.status == 201 && r.subject_token != NULL)
		tok = strdup(r.subject_token);
	it_resp_free(&r);
	return tok;
}

/* A domain-scoped token for user id uid on domain domain_id. */
static inline char *
ii_domain_token(struct it_server *s, const char *uid, const char *password,
    const char *domain_id)
{
	struct it_resp	 r;
	char		*tok = NULL;

	if (it_req(s, "POST", "/v3/auth/tokens", NULL, it_fmt("{\"auth\": "
	    "{\"identity\": {\"methods\": [\"password\"], \"password\": {\"user\": "
	    "{\"id\": \"%s\", \"password\": \"%s\"}}}, \"scope\": {\"domain\": "
	    "{\"id\": \"%s\"}}}}", uid, password, domain_id), NULL, &r) == 0 &&
	    r.status == 201 && r.subject_token != NULL)
		tok = strdup(r.subject_token);
	it_resp_free(&r);
	return tok;
}

#endif /* KG_IT_IDENTITY_H */
