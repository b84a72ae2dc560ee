/*
 * it_admin.h - helpers shared by the admin API integration tests
 * (it_limits.c, it_policies.c, it_epfilter.c, it_domain_config.c): JSON
 * bodies, ids of created objects, error texts, and tokens of the
 * personas Keystone's policies distinguish (system, domain and project
 * scoped, admin, member or reader).
 */
#ifndef KG_IT_ADMIN_H
#define KG_IT_ADMIN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/integration/it.h"

#define IA_PASSWORD	"persona-secret"

static inline int
ia_streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/*
 * Send method path with body as tok; the status, the error message (into
 * msg, "" when none) and, when idpath is set and the answer parses, the
 * string at idpath (into id). msg and id may be NULL.
 */
static inline long
ia_call(struct it_server *s, const char *method, const char *path,
    const char *tok, const char *body, char *msg, size_t msgsz,
    const char *idpath, char *id, size_t idsz)
{
	struct it_resp	 r;
	const char	*v;
	long		 st;

	if (it_req(s, method, path, tok, body, NULL, &r) == -1) {
		it_resp_free(&r);
		return 0;
	}
	st = r.status;
	if (msg != NULL)
		snprintf(msg, msgsz, "%s", (v = it_str(r.json, "error.message")) ?
		    v : "");
	if (id != NULL) {
		id[0] = '\0';
		if (idpath != NULL && (v = it_str(r.json, idpath)) != NULL)
			snprintf(id, idsz, "%s", v);
	}
	it_resp_free(&r);
	return st;
}

/* Status and error message of a request. */
static inline long
ia_err(struct it_server *s, const char *method, const char *path,
    const char *tok, const char *body, char *msg, size_t msgsz)
{
	return ia_call(s, method, path, tok, body, msg, msgsz, NULL, NULL, 0);
}

/* POST body as tok; the string at idpath into id ("" unless 201). */
static inline int
ia_create(struct it_server *s, const char *path, const char *tok,
    const char *body, const char *idpath, char *id, size_t idsz)
{
	long	st = ia_call(s, "POST", path, tok, body, NULL, 0, idpath, id, idsz);

	if (st != 201)
		id[0] = '\0';
	return st == 201 ? 0 : -1;
}

/* The id of the object named name in GET path's list key ("" if none). */
static inline void
ia_find_id(struct it_server *s, const char *path, const char *key,
    const char *name, char *id, size_t idsz)
{
	struct it_resp	 r;
	json_t		*a, *v;
	size_t		 i;

	id[0] = '\0';
	if (it_req(s, "GET", path, s->admin_token, NULL, NULL, &r) == 0) {
		a = json_object_get(r.json, key);
		json_array_foreach(a, i, v)
			if (ia_streq(json_string_value(json_object_get(v, "name")),
			    name))
				snprintf(id, idsz, "%s", json_string_value(
				    json_object_get(v, "id")));
	}
	it_resp_free(&r);
}

/*
 * A token for user (name in Default) with password, scoped by scope, a
 * JSON object text ({"system": {"all": true}}, {"domain": {"id": ...}},
 * {"project": {"id": ...}}) or NULL. malloc'd, NULL on failure.
 */
static inline char *
ia_token(struct it_server *s, const char *user, const char *password,
    const char *scope)
{
	struct it_resp	 r;
	char		*tok = NULL;

	if (it_req(s, "POST", "/v3/auth/tokens", NULL, it_fmt("{\"auth\":"
	    " {\"identity\": {\"methods\": [\"password\"], \"password\":"
	    " {\"user\": {\"name\": \"%s\", \"password\": \"%s\", \"domain\":"
	    " {\"id\": \"default\"}}}}%s%s}}", user, password,
	    scope ? ", \"scope\": " : "", scope ? scope : ""), NULL, &r) == 0 &&
	    r.status == 201 && r.subject_token != NULL)
		tok = strdup(r.subject_token);
	it_resp_free(&r);
	return tok;
}

/* The admin's system-scoped token (the bootstrap grants it admin on the
 * system), malloc'd. */
static inline char *
ia_system_admin(struct it_server *s)
{
	return ia_token(s, "admin", IT_ADMIN_PASSWORD, "{\"system\":"
	    " {\"all\": true}}");
}

/*
 * A new user name (password IA_PASSWORD) in Default holding role (by
 * name) on target: kind 's' the system, 'd' domain target_id, 'p' project
 * target_id; and a token scoped there. malloc'd, NULL on failure.
 */
static inline char *
ia_persona(struct it_server *s, const char *name, const char *role, char kind,
    const char *target_id)
{
	char	uid[80], rid[80];
	const char *grant, *scope;

	if (ia_create(s, "/v3/users", s->admin_token, it_fmt("{\"user\":"
	    " {\"name\": \"%s\", \"password\": \"%s\", \"domain_id\":"
	    " \"default\"}}", name, IA_PASSWORD), "user.id", uid, sizeof(uid)) ==
	    -1)
		return NULL;
	ia_find_id(s, "/v3/roles", "roles", role, rid, sizeof(rid));
	switch (kind) {
	case 's':
		grant = it_fmt("/v3/system/users/%s/roles/%s", uid, rid);
		scope = "{\"system\": {\"all\": true}}";
		break;
	case 'd':
		grant = it_fmt("/v3/domains/%s/users/%s/roles/%s", target_id, uid,
		    rid);
		scope = it_fmt("{\"domain\": {\"id\": \"%s\"}}", target_id);
		break;
	default:
		grant = it_fmt("/v3/projects/%s/users/%s/roles/%s", target_id, uid,
		    rid);
		scope = it_fmt("{\"project\": {\"id\": \"%s\"}}", target_id);
		break;
	}
	if (it_status(s, "PUT", grant, s->admin_token, NULL) != 204)
		return NULL;
	return ia_token(s, name, IA_PASSWORD, scope);
}

/* Number of elements of the array at key of GET path as tok (-1 when the
 * answer is not 200 with such an array). */
static inline long
ia_count(struct it_server *s, const char *path, const char *tok,
    const char *key)
{
	struct it_resp	 r;
	json_t		*a;
	long		 n = -1;

	if (it_req(s, "GET", path, tok, NULL, NULL, &r) == 0 && r.status == 200 &&
	    json_is_array(a = json_object_get(r.json, key)))
		n = (long)json_array_size(a);
	it_resp_free(&r);
	return n;
}

/* Whether GET path's array at key has an element whose "id" is id. */
static inline int
ia_lists(struct it_server *s, const char *path, const char *tok,
    const char *key, const char *id)
{
	struct it_resp	 r;
	json_t		*a, *v;
	size_t		 i;
	int		 found = 0;

	if (it_req(s, "GET", path, tok, NULL, NULL, &r) == 0 && r.status == 200) {
		a = json_object_get(r.json, key);
		json_array_foreach(a, i, v)
			if (ia_streq(json_string_value(json_object_get(v, "id")), id))
				found = 1;
	}
	it_resp_free(&r);
	return found;
}

#endif /* KG_IT_ADMIN_H */
