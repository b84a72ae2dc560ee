/*
 * api_policies.c - /v3/policies and OS-ENDPOINT-POLICY, as Keystone serves
 * them (keystone/api/policy.py, the endpoint's policy of
 * keystone/api/endpoints.py, keystone/policy/schema.py,
 * keystone/endpoint_policy/core.py).
 *
 * A policy is an opaque blob of a type, stored for other services (keygate
 * does not enforce it, nor does Keystone); it may be associated with an
 * endpoint, a service, or a service in a region, and an endpoint's policy
 * is found from the most specific association up. Changes go through
 * svc/policies.c.
 */
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "server/api_catalog.h"
#include "server/apijson.h"
#include "server/views.h"
#include "store/policies.h"
#include "svc/svc.h"

/* Policy bodies (server/bodies.c): other members are kept as "extra"
 * (additionalProperties: true). */
static const char *const policy_columns[] = { "id", "blob", "type", "links", NULL };

static json_t *
policy_json(struct req *r, const struct kg_policy *p)
{
	json_t	*o;

	o = json_pack("{s:s, s:s, s:s, s:o}", "id", p->id, "type", p->type,
	    "blob", p->blob != NULL ? p->blob : "",
	    "links", req_self_link(r, "policies", p->id));
	if (o != NULL)
		apij_merge_extra(o, p->extra);
	return o;
}

static int
list_policies(struct req *r, struct kg_err *err)
{
	struct kg_policy	*v = NULL;
	size_t			 n = 0, i;
	json_t			*list, *o;

	if (req_authorize(r, "identity:list_policies", NULL, err) == -1)
		return -1;
	if (store_policy_list(r->st, req_query(r, "type"), &v, &n, err) == -1)
		return -1;
	list = json_array();
	for (i = 0; list != NULL && i < n; i++)
		if ((o = policy_json(r, &v[i])) == NULL ||
		    json_array_append_new(list, o) == -1) {
			json_decref(list);
			list = NULL;
		}
	kg_policy_list_free(v, n);
	return apij_reply_list_links(r, "policies", list, apij_query_links(r),
	    err);
}

static int
get_policy(struct req *r, struct kg_err *err)
{
	struct kg_policy	p;
	json_t			*o;

	if (req_authorize(r, "identity:get_policy", NULL, err) == -1)
		return -1;
	if (store_policy_get(r->st, r->params[0], &p, err) == -1)
		return -1;
	o = policy_json(r, &p);
	kg_policy_free(&p);
	return apij_reply_member(r, "policy", o, 200, err);
}

/* Apply blob, type and the other attributes of m to p. */
static int
policy_apply(struct kg_policy *p, const json_t *m, struct kg_err *err)
{
	const json_t	*v;

	if ((v = json_object_get(m, "type")) != NULL)
		kg_strlcpy(p->type, json_string_value(v), sizeof(p->type));
	if (apij_set_text(m, "blob", &p->blob, err) == -1 ||
	    apij_set_extra(m, policy_columns, &p->extra, err) == -1)
		return -1;
	return 0;
}

static int
create_policy(struct req *r, struct kg_err *err)
{
	struct kg_policy	 p;
	json_t			*m, *o = NULL;
	int			 ret = -1;

	if (req_authorize(r, "identity:create_policy", NULL, err) == -1)
		return -1;
	if ((m = apij_body_object(r, "policy", err)) == NULL)
		return -1;
	memset(&p, 0, sizeof(p));
	/* Keystone assigns the id, whatever the body says. */
	if (kg_id_new(p.id) == -1)
		return kg_errf(err, KG_EINTERNAL, "no randomness");
	if (policy_apply(&p, m, err) == -1 ||
	    svc_policy_create(r->st, &p, err) == -1)
		goto done;
	o = policy_json(r, &p);
	ret = 0;
 done:
	kg_policy_free(&p);
	if (ret == -1)
		return -1;
	return apij_reply_member(r, "policy", o, 201, err);
}

/* The PATCH body applied to the policy as stored (svc_policy_update). */
static int
policy_edit(void *obj, void *cls, struct kg_err *err)
{
	return policy_apply(obj, cls, err);
}

static int
update_policy(struct req *r, struct kg_err *err)
{
	struct svc_edit		 edit = { policy_edit, NULL };
	struct kg_policy	 p;
	json_t			*m, *o, *id;

	if (req_authorize(r, "identity:update_policy", NULL, err) == -1)
		return -1;
	if ((m = apij_body_object(r, "policy", err)) == NULL)
		return -1;
	/* The policy manager's own check (not _require_matching_id). */
	if ((id = json_object_get(m, "id")) != NULL && (!json_is_string(id) ||
	    strcmp(json_string_value(id), r->params[0]) != 0))
		return kg_errf(err, KG_EBADREQ, "Cannot change policy ID");
	edit.cls = m;
	if (svc_policy_update(r->st, r->params[0], &edit, &p, err) == -1)
		return -1;
	o = policy_json(r, &p);
	kg_policy_free(&p);
	return apij_reply_member(r, "policy", o, 200, err);
}

static int
delete_policy(struct req *r, struct kg_err *err)
{
	if (req_authorize(r, "identity:delete_policy", NULL, err) == -1)
		return -1;
	if (svc_policy_delete(r->st, r->params[0], err) == -1)
		return -1;
	return 204;
}

/* ------------------------------------------------------------------------
 * OS-ENDPOINT-POLICY.
 * --------------------------------------------------------------------- */

/* Which target a route's URL names after /v3/policies/{policy}/... */
enum assoc_kind { AS_ENDPOINT, AS_SERVICE, AS_REGION };

static void
target_of(struct req *r, enum assoc_kind k, struct kg_policy_target *t)
{
	memset(t, 0, sizeof(*t));
	switch (k) {
	case AS_ENDPOINT:
		t->endpoint_id = r->params[1];
		break;
	case AS_REGION:
		t->region_id = r->params[2];
		/* FALLTHROUGH */
	case AS_SERVICE:
		t->service_id = r->params[1];
		break;
	}
}

/* The rule names: identity:<verb>_policy_association_for_<what>. */
static const char *
assoc_rule(const char *verb, enum assoc_kind k, char *buf, size_t bufsz)
{
	static const char *const what[] = { "endpoint", "service",
	    "region_and_service" };

	snprintf(buf, bufsz, "identity:%s_policy_association_for_%s", verb,
	    what[k]);
	return buf;
}

/* GET (HEAD): 204 when the association exists. */
static int
check_assoc(struct req *r, enum assoc_kind k, struct kg_err *err)
{
	struct kg_policy_target	 t;
	struct kg_policy	 p;
	struct kg_endpoint	 e;
	struct kg_service	 s;
	struct kg_region	 g;
	char			 rule[96];
	int			 yes = 0;

	if (req_authorize(r, assoc_rule("check", k, rule, sizeof(rule)), NULL,
	    err) == -1)
		return -1;
	target_of(r, k, &t);
	/* What the URL names exists, in Keystone's order. */
	if (store_policy_get(r->st, r->params[0], &p, err) == -1)
		return -1;
	kg_policy_free(&p);
	if (t.endpoint_id != NULL) {
		if (store_endpoint_get(r->st, t.endpoint_id, &e, err) == -1)
			return -1;
		kg_endpoint_free(&e);
	}
	if (t.service_id != NULL) {
		if (store_service_get(r->st, t.service_id, &s, err) == -1)
			return -1;
		kg_service_free(&s);
	}
	if (t.region_id != NULL) {
		if (store_region_get(r->st, t.region_id, &g, err) == -1)
			return -1;
		kg_region_free(&g);
	}
	if (store_policy_assoc_exists(r->st, r->params[0], &t, &yes, err) == -1)
		return -1;
	if (!yes)
		return kg_errf(err, KG_ENOTFOUND, "Could not find policy"
		    " association.");
	return 204;
}

static int
put_assoc(struct req *r, enum assoc_kind k, struct kg_err *err)
{
	struct kg_policy_target	t;
	char			rule[96];

	if (req_authorize(r, assoc_rule("create", k, rule, sizeof(rule)), NULL,
	    err) == -1)
		return -1;
	target_of(r, k, &t);
	if (svc_policy_associate(r->st, r->params[0], &t, err) == -1)
		return -1;
	return 204;
}

static int
delete_assoc(struct req *r, enum assoc_kind k, struct kg_err *err)
{
	struct kg_policy_target	t;
	char			rule[96];

	if (req_authorize(r, assoc_rule("delete", k, rule, sizeof(rule)), NULL,
	    err) == -1)
		return -1;
	target_of(r, k, &t);
	if (svc_policy_dissociate(r->st, r->params[0], &t, err) == -1)
		return -1;
	return 204;
}

static int
check_endpoint_assoc(struct req *r, struct kg_err *err)
{
	return check_assoc(r, AS_ENDPOINT, err);
}

static int
put_endpoint_assoc(struct req *r, struct kg_err *err)
{
	return put_assoc(r, AS_ENDPOINT, err);
}

static int
delete_endpoint_assoc(struct req *r, struct kg_err *err)
{
	return delete_assoc(r, AS_ENDPOINT, err);
}

static int
check_service_assoc(struct req *r, struct kg_err *err)
{
	return check_assoc(r, AS_SERVICE, err);
}

static int
put_service_assoc(struct req *r, struct kg_err *err)
{
	return put_assoc(r, AS_SERVICE, err);
}

static int
delete_service_assoc(struct req *r, struct kg_err *err)
{
	return delete_assoc(r, AS_SERVICE, err);
}

static int
check_region_assoc(struct req *r, struct kg_err *err)
{
	return check_assoc(r, AS_REGION, err);
}

static int
put_region_assoc(struct req *r, struct kg_err *err)
{
	return put_assoc(r, AS_REGION, err);
}

static int
delete_region_assoc(struct req *r, struct kg_err *err)
{
	return delete_assoc(r, AS_REGION, err);
}

/* GET /v3/policies/{id}/OS-ENDPOINT-POLICY/endpoints */
static int
list_policy_endpoints(struct req *r, struct kg_err *err)
{
	struct kg_policy	 p;
	struct kg_endpoint	*v = NULL;
	size_t			 n = 0, i;
	json_t			*list, *o;

	if (req_authorize(r, "identity:list_endpoints_for_policy", NULL,
	    err) == -1)
		return -1;
	if (store_policy_get(r->st, r->params[0], &p, err) == -1)
		return -1;
	kg_policy_free(&p);
	if (store_policy_endpoints(r->st, r->params[0], &v, &n, err) == -1)
		return -1;
	list = json_array();
	for (i = 0; list != NULL && i < n; i++) {
		/* As Keystone lists them here: without the legacy "region". */
		if ((o = apij_endpoint(r, &v[i])) == NULL ||
		    json_object_del(o, "region") == -1 ||
		    json_array_append_new(list, o) == -1) {
			json_decref(o);
			json_decref(list);
			list = NULL;
		}
	}
	kg_endpoint_list_free(v, n);
	return apij_reply_list_links(r, "endpoints", list, apij_query_links(r),
	    err);
}

/*
 * The policy of endpoint id, as Keystone's get_policy_for_endpoint: one
 * associated with the endpoint; else with its service in its region or
 * the nearest region above; else with its service. KG_ENOTFOUND "No
 * policy is associated with endpoint <id>." when none is.
 */
static int
policy_for_endpoint(struct store *st, const char *id, char policy[STORE_ID_SIZE],
    struct kg_err *err)
{
	struct kg_policy_target	 t;
	struct kg_endpoint	 e;
	struct kg_region	 g;
	char			 region[STORE_ID_SIZE];
	int			 steps, ret = -1;

	/* The endpoint exists (Keystone's controller looks first). */
	if (store_endpoint_get(st, id, &e, err) == -1)
		return -1;
	memset(&t, 0, sizeof(t));
	t.endpoint_id = id;
	if (store_policy_assoc_find(st, &t, policy, err) == 0) {
		ret = 0;
		goto done;
	}
	if (err->kind != KG_ENOTFOUND)
		goto done;
	kg_err_clear(err);
	memset(&t, 0, sizeof(t));
	t.service_id = e.service_id;
	kg_strlcpy(region, e.region_id, sizeof(region));
	/* Up the region tree; a bound in case the tree has a loop. */
	for (steps = 0; region[0] != '\0' && steps < 1000; steps++) {
		t.region_id = region;
		if (store_policy_assoc_find(st, &t, policy, err) == 0) {
			ret = 0;
			goto done;
		}
		if (err->kind != KG_ENOTFOUND)
			goto done;
		kg_err_clear(err);
		if (store_region_get(st, region, &g, err) == -1)
			goto done;
		kg_strlcpy(region, g.parent_region_id, sizeof(region));
		kg_region_free(&g);
	}
	t.region_id = NULL;
	if (store_policy_assoc_find(st, &t, policy, err) == 0)
		ret = 0;
	else if (err->kind == KG_ENOTFOUND)
		kg_errf(err, KG_ENOTFOUND, "No policy is associated with endpoint"
		    " %s.", id);
 done:
	kg_endpoint_free(&e);
	return ret;
}

/* GET /v3/endpoints/{id}/OS-ENDPOINT-POLICY/policy */
static int
get_endpoint_policy(struct req *r, struct kg_err *err)
{
	struct kg_policy	 p;
	char			 id[STORE_ID_SIZE];
	json_t			*o;

	if (req_authorize(r, "identity:get_policy_for_endpoint", NULL, err) == -1)
		return -1;
	if (policy_for_endpoint(r->st, r->params[0], id, err) == -1 ||
	    store_policy_get(r->st, id, &p, err) == -1)
		return -1;
	o = policy_json(r, &p);
	kg_policy_free(&p);
	/* Keystone's wrap_member with collection "endpoints": the self link
	 * names the policy's id under /v3/endpoints. */
	if (o != NULL)
		json_object_set_new(o, "links", req_self_link(r, "endpoints", id));
	return apij_reply_member(r, "policy", o, 200, err);
}

#define EP_POLICY	"/v3/policies/{}/OS-ENDPOINT-POLICY"

const struct route api_policies_routes[] = {
	{ "GET",	"/v3/policies",			list_policies,	R_AUTH },
	{ "POST",	"/v3/policies",			create_policy,	R_AUTH },
	{ "GET",	"/v3/policies/{}",		get_policy,	R_AUTH },
	{ "PATCH",	"/v3/policies/{}",		update_policy,	R_AUTH },
	{ "DELETE",	"/v3/policies/{}",		delete_policy,	R_AUTH },
	{ "GET",	EP_POLICY "/endpoints",		list_policy_endpoints, R_AUTH },
	{ "GET",	EP_POLICY "/endpoints/{}",	check_endpoint_assoc, R_AUTH },
	{ "PUT",	EP_POLICY "/endpoints/{}",	put_endpoint_assoc, R_AUTH },
	{ "DELETE",	EP_POLICY "/endpoints/{}",	delete_endpoint_assoc, R_AUTH },
	{ "GET",	EP_POLICY "/services/{}",	check_service_assoc, R_AUTH },
	{ "PUT",	EP_POLICY "/services/{}",	put_service_assoc, R_AUTH },
	{ "DELETE",	EP_POLICY "/services/{}",	delete_service_assoc, R_AUTH },
	{ "GET",	EP_POLICY "/services/{}/regions/{}", check_region_assoc, R_AUTH },
	{ "PUT",	EP_POLICY "/services/{}/regions/{}", put_region_assoc, R_AUTH },
	{ "DELETE",	EP_POLICY "/services/{}/regions/{}", delete_region_assoc, R_AUTH },
	{ "GET",	"/v3/endpoints/{}/OS-ENDPOINT-POLICY/policy", get_endpoint_policy,
	    R_AUTH },
	{ NULL, NULL, NULL, 0 }
};
