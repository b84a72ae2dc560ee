/*
 * api_ep_filter.c - OS-EP-FILTER, as Keystone serves it
 * (keystone/api/os_ep_filter.py, keystone/catalog/schema.py): endpoint
 * groups, and the associations of projects with endpoints and with
 * endpoint groups that restrict a project's catalog (the token side is
 * auth/'s catalog). Changes go through svc/epfilter.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "server/api_catalog.h"
#include "server/apijson.h"
#include "server/views.h"
#include "store/epfilter.h"
#include "svc/svc.h"

#define PREFIX	"OS-EP-FILTER/endpoint_groups"

/* Endpoint group bodies: server/bodies.c (Keystone's schema; other
 * attributes refused, "id" and "links" ignored). */

static json_t *
group_json(struct req *r, const struct kg_endpoint_group *g)
{
	json_t	*f = json_loads(g->filters != NULL ? g->filters : "{}", 0, NULL);

	return json_pack("{s:s, s:s, s:o, s:o, s:o}", "id", g->id, "name", g->name,
	    "description", g->description != NULL ? json_string(g->description) :
	    json_null(), "filters", f != NULL ? f : json_object(),
	    "links", req_self_link(r, PREFIX, g->id));
}

static json_t *
groups_json(struct req *r, const struct kg_endpoint_group *v, size_t n)
{
	json_t	*list = json_array(), *o;
	size_t	 i;

	for (i = 0; list != NULL && i < n; i++)
		if ((o = group_json(r, &v[i])) == NULL ||
		    json_array_append_new(list, o) == -1) {
			json_decref(list);
			return NULL;
		}
	return list;
}

static json_t *
endpoints_json(struct req *r, const struct kg_endpoint *v, size_t n)
{
	json_t	*list = json_array(), *o;
	size_t	 i;

	for (i = 0; list != NULL && i < n; i++)
		if ((o = apij_endpoint(r, &v[i])) == NULL ||
		    json_array_append_new(list, o) == -1) {
			json_decref(list);
			return NULL;
		}
	return list;
}

static json_t *
projects_json(struct req *r, const struct kg_project *v, size_t n)
{
	json_t	*list = json_array(), *o;
	size_t	 i;

	for (i = 0; list != NULL && i < n; i++)
		if ((o = apij_project(r, &v[i])) == NULL ||
		    json_array_append_new(list, o) == -1) {
			json_decref(list);
			return NULL;
		}
	return list;
}

/* ------------------------------------------------------------------------
 * Endpoint groups.
 * --------------------------------------------------------------------- */

static int
group_apply(struct kg_endpoint_group *g, const json_t *m, struct kg_err *err)
{
	const json_t	*v;
	char		*f;

	if ((v = json_object_get(m, "name")) != NULL)
		kg_strlcpy(g->name, json_string_value(v), sizeof(g->name));
	if ((v = json_object_get(m, "description")) != NULL) {
		free(g->description);
		g->description = NULL;
		if (json_is_string(v) &&
		    (g->description = strdup(json_string_value(v))) == NULL)
			return apij_oom(err);
	}
	if ((v = json_object_get(m, "filters")) != NULL) {
		if ((f = json_dumps(v, JSON_COMPACT)) == NULL)
			return apij_oom(err);
		free(g->filters);
		g->filters = f;
	}
	return 0;
}

static int
list_groups(struct req *r, struct kg_err *err)
{
	struct kg_endpoint_group	*v = NULL;
	size_t				 n = 0;
	json_t				*list;

	if (req_authorize(r, "identity:list_endpoint_groups", NULL, err) == -1)
		return -1;
	if (store_endpoint_group_list(r->st, req_query(r, "name"), &v, &n,
	    err) == -1)
		return -1;
	list = groups_json(r, v, n);
	kg_endpoint_group_list_free(v, n);
	return apij_reply_list_links(r, "endpoint_groups", list,
	    apij_query_links(r), err);
}

static int
get_group(struct req *r, struct kg_err *err)
{
	struct kg_endpoint_group	g;
	json_t				*o;

	if (req_authorize(r, "identity:get_endpoint_group", NULL, err) == -1)
		return -1;
	if (store_endpoint_group_get(r->st, r->params[0], &g, err) == -1)
		return -1;
	o = group_json(r, &g);
	kg_endpoint_group_free(&g);
	return apij_reply_member(r, "endpoint_group", o, 200, err);
}

static int
create_group(struct req *r, struct kg_err *err)
{
	struct kg_endpoint_group	 g;
	json_t				*m, *f, *o = NULL;
	int				 ret = -1;

	if (req_authorize(r, "identity:create_endpoint_group", NULL, err) == -1)
		return -1;
	if ((m = apij_body_object(r, "endpoint_group", err)) == NULL)
		return -1;
	if ((f = json_object_get(m, "filters")) == NULL || json_object_size(f) == 0)
		return kg_errf(err, KG_EBADREQ, "filters field is required and"
		    " cannot be empty");
	if (svc_endpoint_group_filters_check(f, err) == -1)
		return -1;
	memset(&g, 0, sizeof(g));
	if (kg_id_new(g.id) == -1)
		return kg_errf(err, KG_EINTERNAL, "no randomness");
	if (group_apply(&g, m, err) == -1 ||
	    svc_endpoint_group_create(r->st, &g, err) == -1)
		goto done;
	o = group_json(r, &g);
	ret = 0;
 done:
	kg_endpoint_group_free(&g);
	if (ret == -1)
		return -1;
	return apij_reply_member(r, "endpoint_group", o, 201, err);
}

static int
group_edit(void *obj, void *cls, struct kg_err *err)
{
	return group_apply(obj, cls, err);
}

static int
update_group(struct req *r, struct kg_err *err)
{
	struct svc_edit			 edit = { group_edit, NULL };
	struct kg_endpoint_group	 g;
	json_t				*m, *f, *o;

	if (req_authorize(r, "identity:update_endpoint_group", NULL, err) == -1)
		return -1;
	if ((m = apij_body_object(r, "endpoint_group", err)) == NULL)
		return -1;
	if ((f = json_object_get(m, "filters")) != NULL &&
	    svc_endpoint_group_filters_check(f, err) == -1)
		return -1;
	if (apij_matching_id(m, r->params[0], err) == -1)
		return -1;
	edit.cls = m;
	if (svc_endpoint_group_update(r->st, r->params[0], &edit, &g, err) == -1)
		return -1;
	o = group_json(r, &g);
	kg_endpoint_group_free(&g);
	return apij_reply_member(r, "endpoint_group", o, 200, err);
}

static int
delete_group(struct req *r, struct kg_err *err)
{
	if (req_authorize(r, "identity:delete_endpoint_group", NULL, err) == -1)
		return -1;
	if (svc_endpoint_group_delete(r->st, r->params[0], err) == -1)
		return -1;
	return 204;
}

/* GET /v3/OS-EP-FILTER/endpoint_groups/{id}/endpoints */
static int
list_group_endpoints(struct req *r, struct kg_err *err)
{
	struct kg_endpoint_group	 g;
	struct kg_endpoint		*v = NULL;
	size_t				 n = 0;
	json_t				*list;

	if (req_authorize(r,
	    "identity:list_endpoints_associated_with_endpoint_group", NULL,
	    err) == -1)
		return -1;
	if (store_endpoint_group_get(r->st, r->params[0], &g, err) == -1)
		return -1;
	kg_endpoint_group_free(&g);
	if (store_endpoint_group_endpoints(r->st, r->params[0], &v, &n, err) == -1)
		return -1;
	list = endpoints_json(r, v, n);
	kg_endpoint_list_free(v, n);
	return apij_reply_list_links(r, "endpoints", list, apij_query_links(r),
	    err);
}

/* GET /v3/OS-EP-FILTER/endpoint_groups/{id}/projects (Keystone does not
 * check that the group exists: an unknown one has no projects). */
static int
list_group_projects(struct req *r, struct kg_err *err)
{
	struct kg_project	*v = NULL;
	size_t			 n = 0;
	json_t			*list;

	if (req_authorize(r,
	    "identity:list_projects_associated_with_endpoint_group", NULL,
	    err) == -1)
		return -1;
	if (store_endpoint_group_projects(r->st, r->params[0], &v, &n, err) == -1)
		return -1;
	list = projects_json(r, v, n);
	kg_project_list_free(v, n);
	return apij_reply_list_links(r, "projects", list, apij_query_links(r),
	    err);
}

/* The project, then the endpoint group of a /endpoint_groups/{g}/projects/
 * {p} URL exist (404 each, Keystone's order). */
static int
group_project_exist(struct req *r, struct kg_err *err)
{
	struct kg_project		p;
	struct kg_endpoint_group	g;

	if (store_project_get(r->st, r->params[1], &p, err) == -1)
		return -1;
	kg_project_free(&p);
	if (store_endpoint_group_get(r->st, r->params[0], &g, err) == -1)
		return -1;
	kg_endpoint_group_free(&g);
	return 0;
}

static int
get_group_project(struct req *r, struct kg_err *err)
{
	char	url[1200];
	int	yes = 0;

	if (req_authorize(r, "identity:get_endpoint_group_in_project", NULL,
	    err) == -1)
		return -1;
	if (group_project_exist(r, err) == -1 ||
	    store_project_endpoint_group_exists(r->st, r->params[0], r->params[1],
	    &yes, err) == -1)
		return -1;
	if (!yes)
		return kg_errf(err, KG_ENOTFOUND, "Endpoint Group Project"
		    " Association not found");
	apij_url(r, "/" PREFIX, url, sizeof(url) - 200);
	snprintf(url + strlen(url), sizeof(url) - strlen(url), "/%s/projects/%s",
	    r->params[0], r->params[1]);
	return apij_reply_member(r, "project_endpoint_group", json_pack(
	    "{s:s, s:s, s:{s:s}}", "endpoint_group_id", r->params[0],
	    "project_id", r->params[1], "links", "self", url), 200, err);
}

static int
put_group_project(struct req *r, struct kg_err *err)
{
	if (req_authorize(r, "identity:add_endpoint_group_to_project", NULL,
	    err) == -1)
		return -1;
	if (svc_project_endpoint_group_add(r->st, r->params[0], r->params[1],
	    err) == -1)
		return -1;
	return 204;
}

static int
delete_group_project(struct req *r, struct kg_err *err)
{
	if (req_authorize(r, "identity:remove_endpoint_group_from_project", NULL,
	    err) == -1)
		return -1;
	if (svc_project_endpoint_group_remove(r->st, r->params[0], r->params[1],
	    err) == -1)
		return -1;
	return 204;
}

/* ------------------------------------------------------------------------
 * Projects and endpoints.
 * --------------------------------------------------------------------- */

/* GET /v3/OS-EP-FILTER/endpoints/{id}/projects */
static int
list_endpoint_projects(struct req *r, struct kg_err *err)
{
	struct kg_endpoint	 e;
	struct kg_project	*v = NULL;
	size_t			 n = 0;
	json_t			*list;

	if (req_authorize(r, "identity:list_projects_for_endpoint", NULL,
	    err) == -1)
		return -1;
	if (store_endpoint_get(r->st, r->params[0], &e, err) == -1)
		return -1;
	kg_endpoint_free(&e);
	if (store_endpoint_projects(r->st, r->params[0], &v, &n, err) == -1)
		return -1;
	list = projects_json(r, v, n);
	kg_project_list_free(v, n);
	return apij_reply_list_links(r, "projects", list, apij_query_links(r),
	    err);
}

/* GET /v3/OS-EP-FILTER/projects/{p}/endpoints/{e}: 204 when associated. */
static int
check_project_endpoint(struct req *r, struct kg_err *err)
{
	struct kg_endpoint	e;
	struct kg_project	p;
	int			yes = 0;

	if (req_authorize(r, "identity:check_endpoint_in_project", NULL,
	    err) == -1)
		return -1;
	if (store_endpoint_get(r->st, r->params[1], &e, err) == -1)
		return -1;
	kg_endpoint_free(&e);
	if (store_project_get(r->st, r->params[0], &p, err) == -1)
		return -1;
	kg_project_free(&p);
	if (store_project_endpoint_exists(r->st, r->params[0], r->params[1], &yes,
	    err) == -1)
		return -1;
	if (!yes)
		return kg_errf(err, KG_ENOTFOUND, "Endpoint %s not found in project"
		    " %s", r->params[1], r->params[0]);
	return 204;
}

static int
put_project_endpoint(struct req *r, struct kg_err *err)
{
	if (req_authorize(r, "identity:add_endpoint_to_project", NULL, err) == -1)
		return -1;
	if (svc_project_endpoint_add(r->st, r->params[0], r->params[1], err) == -1)
		return -1;
	return 204;
}

static int
delete_project_endpoint(struct req *r, struct kg_err *err)
{
	if (req_authorize(r, "identity:remove_endpoint_from_project", NULL,
	    err) == -1)
		return -1;
	if (svc_project_endpoint_remove(r->st, r->params[0], r->params[1],
	    err) == -1)
		return -1;
	return 204;
}

/* GET /v3/OS-EP-FILTER/projects/{p}/endpoints: the project's endpoints,
 * directly or through its endpoint groups. */
static int
list_project_endpoints(struct req *r, struct kg_err *err)
{
	struct kg_project	 p;
	struct kg_endpoint	*v = NULL;
	size_t			 n = 0;
	json_t			*list;

	if (req_authorize(r, "identity:list_endpoints_for_project", NULL,
	    err) == -1)
		return -1;
	if (store_project_get(r->st, r->params[0], &p, err) == -1)
		return -1;
	kg_project_free(&p);
	if (store_project_endpoints(r->st, r->params[0], &v, &n, err) == -1)
		return -1;
	list = endpoints_json(r, v, n);
	kg_endpoint_list_free(v, n);
	return apij_reply_list_links(r, "endpoints", list, apij_query_links(r),
	    err);
}

/* GET /v3/OS-EP-FILTER/projects/{p}/endpoint_groups */
static int
list_project_groups(struct req *r, struct kg_err *err)
{
	struct kg_project		 p;
	struct kg_endpoint_group	*v = NULL;
	size_t				 n = 0;
	json_t				*list;

	if (req_authorize(r, "identity:list_endpoint_groups_for_project", NULL,
	    err) == -1)
		return -1;
	if (store_project_get(r->st, r->params[0], &p, err) == -1)
		return -1;
	kg_project_free(&p);
	if (store_project_endpoint_groups(r->st, r->params[0], &v, &n, err) == -1)
		return -1;
	list = groups_json(r, v, n);
	kg_endpoint_group_list_free(v, n);
	return apij_reply_list_links(r, "endpoint_groups", list,
	    apij_query_links(r), err);
}

#define EPF	"/v3/OS-EP-FILTER"

const struct route api_ep_filter_routes[] = {
	{ "GET",	EPF "/endpoint_groups",		list_groups,	R_AUTH },
	{ "POST",	EPF "/endpoint_groups",		create_group,	R_AUTH },
	{ "GET",	EPF "/endpoint_groups/{}",	get_group,	R_AUTH },
	{ "PATCH",	EPF "/endpoint_groups/{}",	update_group,	R_AUTH },
	{ "DELETE",	EPF "/endpoint_groups/{}",	delete_group,	R_AUTH },
	{ "GET",	EPF "/endpoint_groups/{}/endpoints", list_group_endpoints,
	    R_AUTH },
	{ "GET",	EPF "/endpoint_groups/{}/projects", list_group_projects,
	    R_AUTH },
	{ "GET",	EPF "/endpoint_groups/{}/projects/{}", get_group_project,
	    R_AUTH },
	{ "PUT",	EPF "/endpoint_groups/{}/projects/{}", put_group_project,
	    R_AUTH },
	{ "DELETE",	EPF "/endpoint_groups/{}/projects/{}", delete_group_project,
	    R_AUTH },
	{ "GET",	EPF "/endpoints/{}/projects",	list_endpoint_projects, R_AUTH },
	{ "GET",	EPF "/projects/{}/endpoints",	list_project_endpoints, R_AUTH },
	{ "GET",	EPF "/projects/{}/endpoints/{}", check_project_endpoint,
	    R_AUTH },
	{ "PUT",	EPF "/projects/{}/endpoints/{}", put_project_endpoint,
	    R_AUTH },
	{ "DELETE",	EPF "/projects/{}/endpoints/{}", delete_project_endpoint,
	    R_AUTH },
	{ "GET",	EPF "/projects/{}/endpoint_groups", list_project_groups,
	    R_AUTH },
	{ NULL, NULL, NULL, 0 }
};
