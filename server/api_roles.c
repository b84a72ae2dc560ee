/*
 * api_roles.c - roles and implied roles: /v3/roles, /v3/roles/{id},
 * /v3/roles/{prior}/implies[/{implied}] and /v3/role_inferences, as
 * Keystone serves them (keystone/api/roles.py, role_inferences.py,
 * keystone/assignment/schema.py).
 *
 * A role's "options" (Keystone's resource options: only "immutable") are
 * kept in its extra JSON under the key "options"; every other attribute a
 * client sends that has no column is kept in extra as well. Changes go
 * through svc/role.c, which revokes the tokens of a deleted role's holders.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "server/apijson.h"
#include "server/page.h"
#include "server/views.h"
#include "server/ptarget.h"
#include "svc/svc.h"

/* ------------------------------------------------------------------------
 * Role bodies (keystone/assignment/schema.py, checked in server/bodies.c).
 * --------------------------------------------------------------------- */

/*
 * The {"role": {...}} member, checked by request_validate against Keystone's
 * role_create / role_update schema: borrowed, or NULL with err.
 */
static json_t *
role_body(struct req *r, struct kg_err *err)
{
	return apij_body_object(r, "role", err);
}

/*
 * Merge body attributes other than the columns into the extra object x:
 * options merge key by key (null removes one), others replace.
 */
static int
merge_extra(json_t *x, const json_t *m, struct kg_err *err)
{
	const char	*k, *ok;
	json_t		*v, *ov, *opts;

	json_object_foreach((json_t *)m, k, v) {
		if (strcmp(k, "id") == 0 || strcmp(k, "name") == 0 ||
		    strcmp(k, "description") == 0 || strcmp(k, "domain_id") == 0 ||
		    strcmp(k, "links") == 0)
			continue;
		if (strcmp(k, "options") == 0) {
			opts = json_object_get(x, "options");
			if (!json_is_object(opts)) {
				opts = json_object();
				if (json_object_set_new(x, "options", opts) == -1)
					return apij_oom(err);
			}
			json_object_foreach(v, ok, ov) {
				if (json_is_null(ov))
					json_object_del(opts, ok);
				else if (json_object_set(opts, ok, ov) == -1)
					return apij_oom(err);
			}
			if (json_object_size(opts) == 0)
				json_object_del(x, "options");
			continue;
		}
		if (json_object_set(x, k, v) == -1)
			return apij_oom(err);
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * /v3/roles
 * --------------------------------------------------------------------- */

static int
create_role(struct req *r, struct kg_err *err)
{
	struct policy_target	 t = { 0 };
	struct kg_role		 role;
	json_t			*m, *x = NULL, *v;
	int			 ret = -1;

	memset(&role, 0, sizeof(role));
	if ((m = role_body(r, err)) == NULL)
		return -1;
	/* Keystone: a domain role's target is the body's role; a global
	 * role's create has none. */
	v = json_object_get(m, "domain_id");
	if (json_is_string(v)) {
		ptarget_new_role(&t, m);
		if (req_authorize(r, "identity:create_domain_role", &t, err) == -1)
			return -1;
		kg_strlcpy(role.domain_id, json_string_value(v), sizeof(role.domain_id));
	} else if (req_authorize(r, "identity:create_role", &t, err) == -1)
		return -1;
	if (kg_id_new(role.id) == -1)
		return kg_errf(err, KG_EINTERNAL, "no randomness");
	kg_strlcpy(role.name, json_string_value(json_object_get(m, "name")),
	    sizeof(role.name));
	role.description = (char *)json_string_value(json_object_get(m,
	    "description"));
	if ((x = json_object()) == NULL || merge_extra(x, m, err) == -1)
		goto done;
	if ((role.extra = json_dumps(x, JSON_COMPACT)) == NULL) {
		apij_oom(err);
		goto done;
	}
	if (svc_role_create(r->st, &role, err) == -1)
		goto done;
	ret = apij_reply_member(r, "role", apij_role(r, &role), 201, err);
 done:
	free(role.extra);
	json_decref(x);
	return ret;
}

static int
list_roles(struct req *r, struct kg_err *err)
{
	struct policy_target	 t = { 0 };
	const char		*name = req_query(r, "name");
	const char		*dom = req_query(r, "domain_id");
	struct kg_page		 pg;
	struct kg_name_match	 m;
	struct kg_role		*v;
	size_t			 n, i;
	json_t			*arr;
	int			 ret;

	/* Keystone: no target (query filters are not part of it). */
	if (dom != NULL && *dom != '\0') {
		if (req_authorize(r, "identity:list_domain_roles", &t, err) == -1)
			return -1;
	} else {
		dom = NULL;
		if (req_authorize(r, "identity:list_roles", &t, err) == -1)
			return -1;
	}
	apij_name_match(r, &m);
	if (page_from_request(r, PAGE_ROLE, &pg, err) == -1 ||
	    store_role_list(r->st, name, dom, &m, &pg, &v, &n, err) == -1)
		return -1;
	arr = json_array();
	for (i = 0; arr != NULL && i < n; i++)
		json_array_append_new(arr, apij_role(r, &v[i]));
	ret = page_reply(r, "roles", arr, apij_query_links(r), &pg, n ?
	    v[n - 1].id : NULL, err);
	kg_role_list_free(v, n);
	return ret;
}

/*
 * Load the role of the URL and check rule (or its domain_rule variant for
 * a domain-specific role) with the role as target. A missing role is a
 * 404 before the check: Keystone's enforce_call looks the member up
 * (RoleResource.get_member_from_driver) and lets its NotFound through.
 */
static int
load_role(struct req *r, const char *rule, const char *domain_rule,
    struct kg_role *role, struct kg_err *err)
{
	struct policy_target	t = { 0 };

	memset(role, 0, sizeof(*role));
	if (store_role_get(r->st, r->params[0], role, err) == -1)
		return -1;
	ptarget_role(&t, role, PT_ROLE);
	if (role->domain_id[0] != '\0')
		rule = domain_rule;
	if (req_authorize(r, rule, &t, err) == -1) {
		kg_role_free(role);
		return -1;
	}
	return 0;
}

static int
get_role(struct req *r, struct kg_err *err)
{
	struct kg_role	role;
	int		ret;

	if (load_role(r, "identity:get_role", "identity:get_domain_role", &role,
	    err) == -1)
		return -1;
	ret = apij_reply_member(r, "role", apij_role(r, &role), 200, err);
	kg_role_free(&role);
	return ret;
}

/*
 * The PATCH body (checked by role_body) applied to the role as stored
 * (svc_role_update): an immutable role only accepts setting immutable to
 * false; domain_id cannot change.
 */
static int
role_edit(void *obj, void *cls, struct kg_err *err)
{
	struct kg_role	*role = obj;
	json_t		*m = cls, *v, *x = NULL;
	char		*extra = NULL, *desc;
	int		 ret = -1;

	if (apij_matching_id(m, role->id, err) == -1)
		return -1;
	if (apij_immutable_edit(role->extra, m, "role", role->id, err) == -1)
		return -1;
	v = json_object_get(m, "domain_id");
	if (v != NULL && strcmp(json_is_string(v) ? json_string_value(v) : "",
	    role->domain_id) != 0)
		return kg_errf(err, KG_EBADREQ, "Update of `domain_id` is not allowed.");
	x = json_loads(role->extra ? role->extra : "{}", 0, NULL);
	if (!json_is_object(x)) {
		json_decref(x);
		x = json_object();
	}
	if (x == NULL || merge_extra(x, m, err) == -1 ||
	    (extra = json_dumps(x, JSON_COMPACT)) == NULL)
		goto done;
	if ((v = json_object_get(m, "description")) != NULL) {
		if ((desc = strdup(json_is_string(v) ? json_string_value(v) :
		    "")) == NULL)
			goto done;
		free(role->description);
		role->description = desc;
	}
	if ((v = json_object_get(m, "name")) != NULL)
		kg_strlcpy(role->name, json_string_value(v), sizeof(role->name));
	free(role->extra);
	role->extra = extra;
	extra = NULL;
	ret = 0;
 done:
	if (ret == -1 && err->kind == KG_OK)
		apij_oom(err);
	free(extra);
	json_decref(x);
	return ret;
}

static int
update_role(struct req *r, struct kg_err *err)
{
	struct svc_edit	 edit = { role_edit, NULL };
	struct kg_role	 role;
	int		 ret;

	if (load_role(r, "identity:update_role", "identity:update_domain_role",
	    &role, err) == -1)
		return -1;
	kg_role_free(&role);
	if ((edit.cls = role_body(r, err)) == NULL)
		return -1;
	if (svc_role_update(r->st, r->params[0], &edit, &role, err) == -1)
		return -1;
	ret = apij_reply_member(r, "role", apij_role(r, &role), 200, err);
	kg_role_free(&role);
	return ret;
}

static int
delete_role(struct req *r, struct kg_err *err)
{
	struct kg_role	role;

	if (load_role(r, "identity:delete_role", "identity:delete_domain_role",
	    &role, err) == -1)
		return -1;
	kg_role_free(&role);
	if (svc_role_delete(r->st, r->params[0], err) == -1)
		return -1;
	return 204;
}

/* ------------------------------------------------------------------------
 * Implied roles and role inferences.
 * --------------------------------------------------------------------- */

/* {"id", "links": {"self"}, "name"} of a prior or implied role. */
static json_t *
inference_ref(struct req *r, const char *id, const char *name)
{
	return json_pack("{s:s, s:o, s:s}", "id", id, "links",
	    req_self_link(r, "roles", id), "name", name);
}

/* Check rule with target.prior_role and .implied_role (when in the URL). */
static int
authorize_pair(struct req *r, const char *rule, const struct kg_role *prior,
    const struct kg_role *implied, struct kg_err *err)
{
	struct policy_target	t = { 0 };

	ptarget_role(&t, prior, PT_PRIOR_ROLE);
	if (r->nparams > 1)
		ptarget_role(&t, implied, PT_IMPLIED_ROLE);
	return req_authorize(r, rule, &t, err);
}

/*
 * Keystone's _build_enforcement_target_ref: both roles of the URL must
 * exist (404 first), then the rule is checked with them as target.
 */
static int
load_pair(struct req *r, const char *rule, struct kg_role *prior,
    struct kg_role *implied, struct kg_err *err)
{
	memset(prior, 0, sizeof(*prior));
	memset(implied, 0, sizeof(*implied));
	if (store_role_get(r->st, r->params[0], prior, err) == -1)
		return -1;
	if (r->nparams > 1 &&
	    store_role_get(r->st, r->params[1], implied, err) == -1)
		goto fail;
	if (authorize_pair(r, rule, prior, implied, err) == -1)
		goto fail;
	return 0;
 fail:
	kg_role_free(prior);
	kg_role_free(implied);
	return -1;
}

/* {"role_inference": {"prior_role", "implies": {...}}, "links": {"self"}} */
static int
reply_inference(struct req *r, const struct kg_role *prior,
    const struct kg_role *implied, int status, struct kg_err *err)
{
	char	path[300], url[1000];

	snprintf(path, sizeof(path), "/roles/%s/implies/%s", prior->id, implied->id);
	apij_url(r, path, url, sizeof(url));
	r->out = json_pack("{s:{s:o, s:o}, s:{s:s}}", "role_inference",
	    "prior_role", inference_ref(r, prior->id, prior->name),
	    "implies", inference_ref(r, implied->id, implied->name),
	    "links", "self", url);
	if (r->out == NULL)
		return apij_oom(err);
	return status;
}

static int
create_implied(struct req *r, struct kg_err *err)
{
	struct kg_role	prior, implied;
	int		ret = -1;

	if (load_pair(r, "identity:create_implied_role", &prior, &implied,
	    err) == -1)
		return -1;
	if (svc_implied_create(r->st, prior.id, implied.id, err) == 0)
		ret = reply_inference(r, &prior, &implied, 201, err);
	kg_role_free(&prior);
	kg_role_free(&implied);
	return ret;
}

static int
get_implied(struct req *r, struct kg_err *err)
{
	struct kg_role	prior, implied;
	int		ret = -1;

	if (load_pair(r, "identity:get_implied_role", &prior, &implied, err) == -1)
		return -1;
	if (store_implied_get(r->st, prior.id, implied.id, err) == 0)
		ret = reply_inference(r, &prior, &implied, 200, err);
	kg_role_free(&prior);
	kg_role_free(&implied);
	return ret;
}

/* HEAD: Keystone checks both check_implied_role and get_implied_role. */
static int
check_implied(struct req *r, struct kg_err *err)
{
	struct kg_role	prior, implied;
	int		ret = -1;

	if (load_pair(r, "identity:check_implied_role", &prior, &implied,
	    err) == -1)
		return -1;
	if (authorize_pair(r, "identity:get_implied_role", &prior, &implied,
	    err) == 0 &&
	    store_implied_get(r->st, prior.id, implied.id, err) == 0)
		ret = 204;
	kg_role_free(&prior);
	kg_role_free(&implied);
	return ret;
}

static int
delete_implied(struct req *r, struct kg_err *err)
{
	struct kg_role	prior, implied;
	int		ret = -1;

	if (load_pair(r, "identity:delete_implied_role", &prior, &implied,
	    err) == -1)
		return -1;
	if (svc_implied_delete(r->st, prior.id, implied.id, err) == 0)
		ret = 204;
	kg_role_free(&prior);
	kg_role_free(&implied);
	return ret;
}

static int
list_implied(struct req *r, struct kg_err *err)
{
	struct kg_role		 prior, unused;
	struct kg_implied_role	*v = NULL;
	json_t			*list;
	size_t			 n = 0, i;
	char			 path[200], url[900];
	int			 ret = -1;

	if (load_pair(r, "identity:list_implied_roles", &prior, &unused,
	    err) == -1)
		return -1;
	if (store_implied_list(r->st, prior.id, &v, &n, err) == -1)
		goto done;
	if ((list = json_array()) == NULL)
		goto oom;
	for (i = 0; i < n; i++)
		if (json_array_append_new(list, inference_ref(r, v[i].implied_id,
		    v[i].implied_name)) == -1) {
			json_decref(list);
			goto oom;
		}
	snprintf(path, sizeof(path), "/roles/%s/implies", prior.id);
	apij_url(r, path, url, sizeof(url));
	r->out = json_pack("{s:{s:o, s:o}, s:{s:s}}", "role_inference",
	    "prior_role", inference_ref(r, prior.id, prior.name), "implies", list,
	    "links", "self", url);
	if (r->out == NULL)
		goto oom;
	ret = 200;
	goto done;
 oom:
	apij_oom(err);
 done:
	free(v);
	kg_role_free(&prior);
	kg_role_free(&unused);
	return ret;
}

static int
list_inferences(struct req *r, struct kg_err *err)
{
	struct kg_implied_role	*v = NULL;
	json_t			*list, *cur = NULL, *implies = NULL;
	size_t			 n, i;

	if (req_authorize(r, "identity:list_role_inference_rules", NULL, err) == -1)
		return -1;
	if (store_implied_list(r->st, NULL, &v, &n, err) == -1)
		return -1;
	if ((list = json_array()) == NULL)
		goto oom;
	for (i = 0; i < n; i++) {
		if (i == 0 || strcmp(v[i].prior_id, v[i - 1].prior_id) != 0) {
			implies = json_array();
			cur = json_pack("{s:o, s:o}", "prior_role",
			    inference_ref(r, v[i].prior_id, v[i].prior_name),
			    "implies", implies);
			if (cur == NULL || json_array_append_new(list, cur) == -1)
				goto oom;
		}
		if (json_array_append_new(implies, inference_ref(r, v[i].implied_id,
		    v[i].implied_name)) == -1)
			goto oom;
	}
	free(v);
	if ((r->out = json_pack("{s:o}", "role_inferences", list)) == NULL)
		return apij_oom(err);
	return 200;
 oom:
	free(v);
	json_decref(list);
	return apij_oom(err);
}

const struct route api_roles_routes[] = {
	{ "GET",	"/v3/roles",			list_roles,	R_AUTH },
	{ "POST",	"/v3/roles",			create_role,	R_AUTH },
	{ "GET",	"/v3/roles/{}",			get_role,	R_AUTH },
	{ "PATCH",	"/v3/roles/{}",			update_role,	R_AUTH },
	{ "DELETE",	"/v3/roles/{}",			delete_role,	R_AUTH },
	{ "GET",	"/v3/roles/{}/implies",		list_implied,	R_AUTH },
	{ "GET",	"/v3/roles/{}/implies/{}",	get_implied,	R_AUTH },
	{ "HEAD",	"/v3/roles/{}/implies/{}",	check_implied,	R_AUTH },
	{ "PUT",	"/v3/roles/{}/implies/{}",	create_implied,	R_AUTH },
	{ "DELETE",	"/v3/roles/{}/implies/{}",	delete_implied,	R_AUTH },
	{ "GET",	"/v3/role_inferences",		list_inferences, R_AUTH },
	{ NULL, NULL, NULL, 0 }
};
