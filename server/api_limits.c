/*
 * api_limits.c - unified limits, as Keystone serves them
 * (keystone/api/registered_limits.py, limits.py and keystone/limit/
 * schema.py): /v3/registered_limits, /v3/limits and /v3/limits/model.
 *
 * Creation takes a list and is all or nothing. Changes go through
 * svc/limit.c, which holds the rules (what must exist, duplicates, the
 * enforcement model); here: parse, authorize, render.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "server/apijson.h"
#include "server/views.h"
#include "server/ptarget.h"
#include "store/identity.h"
#include "svc/svc.h"

/* ------------------------------------------------------------------------
 * Request bodies: server/bodies.c holds their schemas (Keystone's
 * keystone/limit/schema.py), checked before the handlers run.
 * --------------------------------------------------------------------- */

/* The validated body's list member key (1..BODY_LIMITS_MAX checked
 * items): borrowed, or NULL with the held 400. */
static json_t *
body_list(struct req *r, const char *key, struct kg_err *err)
{
	json_t	*b, *v;

	if ((b = apij_body(r, err)) != NULL &&
	    json_is_array(v = json_object_get(b, key)))
		return v;
	if (r->body_err.kind == KG_OK)	/* not reached: the schema needs it */
		kg_errf(err, KG_EBADREQ, "'%s' is a required property", key);
	return NULL;
}

static const char *
str_of(const json_t *o, const char *name)
{
	const char	*s = json_string_value(json_object_get(o, name));

	return s != NULL ? s : "";
}

/* ------------------------------------------------------------------------
 * Views.
 * --------------------------------------------------------------------- */

static json_t *
nullable(const char *s)
{
	return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

static json_t *
registered_json(struct req *r, const struct kg_registered_limit *rl)
{
	return json_pack("{s:s, s:s, s:o, s:s, s:I, s:o, s:o}", "id", rl->id,
	    "service_id", rl->service_id, "region_id", nullable(rl->region_id),
	    "resource_name", rl->resource_name,
	    "default_limit", (json_int_t)rl->default_limit,
	    "description", rl->description != NULL ?
	    json_string(rl->description) : json_null(),
	    "links", req_self_link(r, "registered_limits", rl->id));
}

static json_t *
limit_json(struct req *r, const struct kg_limit *l)
{
	return json_pack("{s:s, s:o, s:o, s:s, s:o, s:s, s:I, s:o, s:o}",
	    "id", l->id, "project_id", nullable(l->project_id),
	    "domain_id", nullable(l->domain_id), "service_id", l->service_id,
	    "region_id", nullable(l->region_id),
	    "resource_name", l->resource_name,
	    "resource_limit", (json_int_t)l->resource_limit,
	    "description", l->description != NULL ?
	    json_string(l->description) : json_null(),
	    "links", req_self_link(r, "limits", l->id));
}

static json_t *
registered_list_json(struct req *r, const struct kg_registered_limit *v,
    size_t n)
{
	json_t	*list = json_array(), *o;
	size_t	 i;

	for (i = 0; list != NULL && i < n; i++)
		if ((o = registered_json(r, &v[i])) == NULL ||
		    json_array_append_new(list, o) == -1) {
			json_decref(list);
			return NULL;
		}
	return list;
}

static json_t *
limit_list_json(struct req *r, const struct kg_limit *v, size_t n)
{
	json_t	*list = json_array(), *o;
	size_t	 i;

	for (i = 0; list != NULL && i < n; i++)
		if ((o = limit_json(r, &v[i])) == NULL ||
		    json_array_append_new(list, o) == -1) {
			json_decref(list);
			return NULL;
		}
	return list;
}

/* r->out = {key: list} (a creation's reply: no links). */
static int
reply_created(struct req *r, const char *key, json_t *list, struct kg_err *err)
{
	if (list == NULL)
		return apij_oom(err);
	json_decref(r->out);
	if ((r->out = json_pack("{s:o}", key, list)) == NULL)
		return apij_oom(err);
	return 201;
}

/* ------------------------------------------------------------------------
 * /v3/registered_limits
 * --------------------------------------------------------------------- */

static int
list_registered_limits(struct req *r, struct kg_err *err)
{
	struct kg_registered_limit	*v = NULL;
	struct kg_limit_filter		 f;
	size_t				 n = 0;
	json_t				*list;

	if (req_authorize(r, "identity:list_registered_limits", NULL, err) == -1)
		return -1;
	memset(&f, 0, sizeof(f));
	f.service_id = req_query(r, "service_id");
	f.region_id = req_query(r, "region_id");
	f.resource_name = req_query(r, "resource_name");
	if (store_registered_limit_list(r->st, &f, &v, &n, err) == -1)
		return -1;
	list = registered_list_json(r, v, n);
	kg_registered_limit_list_free(v, n);
	return apij_reply_list_links(r, "registered_limits", list,
	    apij_query_links(r), err);
}

static int
get_registered_limit(struct req *r, struct kg_err *err)
{
	struct kg_registered_limit	rl;
	json_t				*o;

	if (req_authorize(r, "identity:get_registered_limit", NULL, err) == -1)
		return -1;
	if (store_registered_limit_get(r->st, r->params[0], &rl, err) == -1)
		return -1;
	o = registered_json(r, &rl);
	kg_registered_limit_free(&rl);
	return apij_reply_member(r, "registered_limit", o, 200, err);
}

/* Fill rl from the (checked) body item m; rl->description borrowed. */
static void
registered_from(struct kg_registered_limit *rl, const json_t *m)
{
	memset(rl, 0, sizeof(*rl));
	kg_strlcpy(rl->service_id, str_of(m, "service_id"), sizeof(rl->service_id));
	kg_strlcpy(rl->region_id, str_of(m, "region_id"), sizeof(rl->region_id));
	kg_strlcpy(rl->resource_name, str_of(m, "resource_name"),
	    sizeof(rl->resource_name));
	rl->default_limit = json_integer_value(json_object_get(m, "default_limit"));
	rl->description = (char *)json_string_value(json_object_get(m,
	    "description"));
}

static int
create_registered_limits(struct req *r, struct kg_err *err)
{
	struct kg_registered_limit	*v;
	json_t				*list, *m;
	size_t				 n, i;
	int				 ret = -1;

	if (req_authorize(r, "identity:create_registered_limits", NULL,
	    err) == -1)
		return -1;
	if ((list = body_list(r, "registered_limits", err)) == NULL)
		return -1;
	n = json_array_size(list);
	if ((v = calloc(n, sizeof(*v))) == NULL)
		return apij_oom(err);
	json_array_foreach(list, i, m) {
		registered_from(&v[i], m);
		if (kg_id_new(v[i].id) == -1) {
			kg_errf(err, KG_EINTERNAL, "no randomness");
			goto done;
		}
	}
	if (svc_registered_limits_create(r->st, v, n, err) == -1)
		goto done;
	ret = reply_created(r, "registered_limits", registered_list_json(r, v, n),
	    err);
 done:
	free(v);	/* descriptions were borrowed from the body */
	return ret;
}

static int
update_registered_limit(struct req *r, struct kg_err *err)
{
	struct svc_registered_limit_change	 c;
	struct kg_registered_limit		 rl;
	json_t					*m, *v, *o;
	int					 ret = -1;

	if (req_authorize(r, "identity:update_registered_limit", NULL, err) == -1)
		return -1;
	if ((m = apij_body_member(r, "registered_limit", err)) == NULL)
		return -1;
	memset(&c, 0, sizeof(c));
	if ((v = json_object_get(m, "service_id")) != NULL)
		c.service_id = json_string_value(v);
	if ((v = json_object_get(m, "region_id")) != NULL) {
		c.set_region = 1;
		c.region_id = json_string_value(v);
	}
	if ((v = json_object_get(m, "resource_name")) != NULL)
		c.resource_name = json_string_value(v);
	if ((v = json_object_get(m, "default_limit")) != NULL) {
		c.set_default = 1;
		c.default_limit = json_integer_value(v);
	}
	if ((v = json_object_get(m, "description")) != NULL) {
		c.set_description = 1;
		c.description = json_string_value(v);
	}
	if (svc_registered_limit_update(r->st, r->params[0], &c, &rl, err) == -1)
		goto done;
	o = registered_json(r, &rl);
	kg_registered_limit_free(&rl);
	ret = apij_reply_member(r, "registered_limit", o, 200, err);
 done:
	json_decref(m);
	return ret;
}

static int
delete_registered_limit(struct req *r, struct kg_err *err)
{
	if (req_authorize(r, "identity:delete_registered_limit", NULL, err) == -1)
		return -1;
	if (svc_registered_limit_delete(r->st, r->params[0], err) == -1)
		return -1;
	return 204;
}

/* ------------------------------------------------------------------------
 * /v3/limits
 * --------------------------------------------------------------------- */

static int
get_limit_model(struct req *r, struct kg_err *err)
{
	enum svc_limit_model	m = svc_limit_model();

	if (req_authorize(r, "identity:get_limit_model", NULL, err) == -1)
		return -1;
	return apij_reply_member(r, "model", json_pack("{s:s, s:s}",
	    "name", svc_limit_model_name(m),
	    "description", svc_limit_model_description(m)), 200, err);
}

/*
 * GET /v3/limits: what the caller's scope may see, as Keystone's
 * _list_limits: the system everything; a domain its own limits and its
 * projects'; a project its own; an unscoped token nothing.
 */
static int
list_limits(struct req *r, struct kg_err *err)
{
	struct kg_limit		*v = NULL;
	struct kg_limit_filter	 f;
	size_t			 n = 0;
	json_t			*list;
	int			 ret = 0;

	if (req_authorize(r, "identity:list_limits", NULL, err) == -1)
		return -1;
	memset(&f, 0, sizeof(f));
	f.service_id = req_query(r, "service_id");
	f.region_id = req_query(r, "region_id");
	f.resource_name = req_query(r, "resource_name");
	f.project_id = req_query(r, "project_id");
	f.domain_id = req_query(r, "domain_id");
	switch (r->ctx->scope) {
	case KG_SCOPE_SYSTEM:
		ret = store_limit_list(r->st, &f, &v, &n, err);
		break;
	case KG_SCOPE_DOMAIN:
		ret = store_limit_list_in_domain(r->st, &f, r->ctx->domain_id, &v,
		    &n, err);
		break;
	case KG_SCOPE_PROJECT:
		/* Both the caller's project and the query's must match. */
		if (f.project_id == NULL ||
		    strcmp(f.project_id, r->ctx->project_id) == 0) {
			f.project_id = r->ctx->project_id;
			ret = store_limit_list(r->st, &f, &v, &n, err);
		}
		break;
	default:
		break;
	}
	if (ret == -1)
		return -1;
	list = limit_list_json(r, v, n);
	kg_limit_list_free(v, n);
	return apij_reply_list_links(r, "limits", list, apij_query_links(r), err);
}

/*
 * GET /v3/limits/{id}: the limit, with its project's or its domain's id,
 * is the policy's target (Keystone's _build_limit_enforcement_target); a
 * caller the rule refuses learns nothing about a missing one.
 */
static int
get_limit(struct req *r, struct kg_err *err)
{
	struct policy_target	 t;
	struct kg_limit		 l;
	struct kg_project	 p;
	struct kg_err		 lookup = { 0 };
	json_t			*o;
	int			 ret;

	memset(&t, 0, sizeof(t));
	memset(&p, 0, sizeof(p));
	if (store_limit_get(r->st, r->params[0], &l, &lookup) == 0)
		ptarget_limit(&t, &l, l.project_id[0] != '\0' &&
		    store_project_get(r->st, l.project_id, &p, NULL) == 0 ?
		    &p : NULL);
	ret = apij_authorize_lookup(r, "identity:get_limit", &t, &lookup, err);
	kg_project_free(&p);
	if (ret == -1)
		return -1;
	o = limit_json(r, &l);
	kg_limit_free(&l);
	return apij_reply_member(r, "limit", o, 200, err);
}

/* Fill l from the (checked) body item m; l->description borrowed. */
static void
limit_from(struct kg_limit *l, const json_t *m)
{
	memset(l, 0, sizeof(*l));
	kg_strlcpy(l->project_id, str_of(m, "project_id"), sizeof(l->project_id));
	kg_strlcpy(l->domain_id, str_of(m, "domain_id"), sizeof(l->domain_id));
	kg_strlcpy(l->service_id, str_of(m, "service_id"), sizeof(l->service_id));
	kg_strlcpy(l->region_id, str_of(m, "region_id"), sizeof(l->region_id));
	kg_strlcpy(l->resource_name, str_of(m, "resource_name"),
	    sizeof(l->resource_name));
	l->resource_limit = json_integer_value(json_object_get(m,
	    "resource_limit"));
	l->description = (char *)json_string_value(json_object_get(m,
	    "description"));
}

static int
create_limits(struct req *r, struct kg_err *err)
{
	struct kg_limit	*v;
	json_t		*list, *m;
	size_t		 n, i;
	int		 ret = -1;

	if (req_authorize(r, "identity:create_limits", NULL, err) == -1)
		return -1;
	if ((list = body_list(r, "limits", err)) == NULL)
		return -1;
	n = json_array_size(list);
	if ((v = calloc(n, sizeof(*v))) == NULL)
		return apij_oom(err);
	json_array_foreach(list, i, m) {
		limit_from(&v[i], m);
		if (kg_id_new(v[i].id) == -1) {
			kg_errf(err, KG_EINTERNAL, "no randomness");
			goto done;
		}
	}
	if (svc_limits_create(r->st, v, n, err) == -1)
		goto done;
	ret = reply_created(r, "limits", limit_list_json(r, v, n), err);
 done:
	free(v);	/* descriptions were borrowed from the body */
	return ret;
}

static int
update_limit(struct req *r, struct kg_err *err)
{
	struct svc_limit_change	 c;
	struct kg_limit		 l;
	json_t			*m, *v, *o;
	int			 ret = -1;

	if (req_authorize(r, "identity:update_limit", NULL, err) == -1)
		return -1;
	if ((m = apij_body_member(r, "limit", err)) == NULL)
		return -1;
	memset(&c, 0, sizeof(c));
	if ((v = json_object_get(m, "resource_limit")) != NULL) {
		c.set_limit = 1;
		c.resource_limit = json_integer_value(v);
	}
	if ((v = json_object_get(m, "description")) != NULL) {
		c.set_description = 1;
		c.description = json_string_value(v);
	}
	if (svc_limit_update(r->st, r->params[0], &c, &l, err) == -1)
		goto done;
	o = limit_json(r, &l);
	kg_limit_free(&l);
	ret = apij_reply_member(r, "limit", o, 200, err);
 done:
	json_decref(m);
	return ret;
}

static int
delete_limit(struct req *r, struct kg_err *err)
{
	if (req_authorize(r, "identity:delete_limit", NULL, err) == -1)
		return -1;
	if (svc_limit_delete(r->st, r->params[0], err) == -1)
		return -1;
	return 204;
}

const struct route api_limits_routes[] = {
	{ "GET",	"/v3/registered_limits",	list_registered_limits,	R_AUTH },
	{ "POST",	"/v3/registered_limits",	create_registered_limits, R_AUTH },
	{ "GET",	"/v3/registered_limits/{}",	get_registered_limit,	R_AUTH },
	{ "PATCH",	"/v3/registered_limits/{}",	update_registered_limit, R_AUTH },
	{ "DELETE",	"/v3/registered_limits/{}",	delete_registered_limit, R_AUTH },
	{ "GET",	"/v3/limits/model",		get_limit_model,	R_AUTH },
	{ "GET",	"/v3/limits",			list_limits,		R_AUTH },
	{ "POST",	"/v3/limits",			create_limits,		R_AUTH },
	{ "GET",	"/v3/limits/{}",		get_limit,		R_AUTH },
	{ "PATCH",	"/v3/limits/{}",		update_limit,		R_AUTH },
	{ "DELETE",	"/v3/limits/{}",		delete_limit,		R_AUTH },
	{ NULL, NULL, NULL, 0 }
};
