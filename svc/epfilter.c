/*
 * epfilter.c - OS-EP-FILTER: endpoint groups and the associations of
 * projects with endpoints and endpoint groups (keystone/api/os_ep_filter.py,
 * keystone/catalog/core.py; see svc.h). Nothing here revokes a token: a
 * project's catalog is computed when its tokens are validated, and the
 * generation counter (bumped by the schema's triggers) refreshes the
 * cached ones.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "svc/svc_int.h"

/* Keystone's ValidationError tail (keystone/exception.py). */
#define VALIDATION_TAIL	" The server could not comply with the request since it" \
	" is either malformed or otherwise incorrect. The client is assumed to" \
	" be in error."

int
svc_endpoint_group_filters_check(const json_t *filters, struct kg_err *err)
{
	const char	*key;
	json_t		*v;

	json_object_foreach((json_t *)filters, key, v) {
		(void)v;
		if (strcmp(key, "service_id") != 0 && strcmp(key, "region_id") != 0 &&
		    strcmp(key, "interface") != 0)
			return kg_errf(err, KG_EBADREQ, "Expecting to find "
			    SVC_ENDPOINT_GROUP_FILTERS " in endpoint_group."
			    VALIDATION_TAIL);
	}
	return 0;
}

/* A string filter value: the value an attribute must have; any other
 * value (a number, true, null for service_id or interface) matches no
 * endpoint, as Python's endpoint[key] != value finds. */
static int
derive_string(const json_t *v, char **out, int *never)
{
	if (v == NULL)
		return 0;
	if (!json_is_string(v)) {
		*never = 1;
		return 0;
	}
	return (*out = strdup(json_string_value(v))) == NULL ? -1 : 0;
}

/*
 * Set the filter_* fields of g from g->filters, the form the store
 * matches endpoints with (store/epfilter.h).
 */
static int
derive_filters(struct kg_endpoint_group *g, struct kg_err *err)
{
	json_t		*f, *r;
	int		 ret = -1;

	free(g->filter_service_id);
	free(g->filter_interface);
	free(g->filter_region_id);
	g->filter_service_id = g->filter_interface = g->filter_region_id = NULL;
	g->filter_region_set = g->filter_never = 0;
	if ((f = json_loads(g->filters != NULL ? g->filters : "{}", 0, NULL)) ==
	    NULL || !json_is_object(f)) {
		json_decref(f);
		return kg_errf(err, KG_EINTERNAL, "endpoint group %s: bad filters",
		    g->id);
	}
	if (derive_string(json_object_get(f, "service_id"), &g->filter_service_id,
	    &g->filter_never) == -1 ||
	    derive_string(json_object_get(f, "interface"), &g->filter_interface,
	    &g->filter_never) == -1)
		goto oom;
	if ((r = json_object_get(f, "region_id")) != NULL) {
		g->filter_region_set = 1;
		if (!json_is_null(r) && derive_string(r, &g->filter_region_id,
		    &g->filter_never) == -1)
			goto oom;
	}
	ret = 0;
	goto done;
 oom:
	kg_errf(err, KG_EINTERNAL, "out of memory");
 done:
	json_decref(f);
	return ret;
}

static int
group_create_body(struct store *st, void *cls, struct kg_err *err)
{
	if (derive_filters(cls, err) == -1)
		return -1;
	return store_endpoint_group_create(st, cls, err);
}

int
svc_endpoint_group_create(struct store *st, struct kg_endpoint_group *g,
    struct kg_err *err)
{
	return svc_run(st, "endpoint group create", group_create_body, g, err);
}

SVC_KIND(group_kind, kg_endpoint_group, "endpoint group update",
    store_endpoint_group_get, store_endpoint_group_update,
    kg_endpoint_group_free);

static int
group_check(struct store *st, void *obj, void *cls, struct kg_err *err)
{
	(void)st;
	(void)cls;
	return derive_filters(obj, err);
}

int
svc_endpoint_group_update(struct store *st, const char *id,
    const struct svc_edit *edit, struct kg_endpoint_group *out,
    struct kg_err *err)
{
	struct svc_hooks	h = { NULL, group_check, NULL, NULL };

	return svc_update(st, &group_kind, id, edit, &h, out, err);
}

static int
group_delete_body(struct store *st, void *cls, struct kg_err *err)
{
	return store_endpoint_group_delete(st, cls, err);
}

int
svc_endpoint_group_delete(struct store *st, const char *id, struct kg_err *err)
{
	return svc_run(st, "endpoint group delete", group_delete_body, (void *)id,
	    err);
}

/* ------------------------------------------------------------------------
 * Associations.
 * --------------------------------------------------------------------- */

static int
project_exists(struct store *st, const char *id, struct kg_err *err)
{
	struct kg_project	p;

	memset(&p, 0, sizeof(p));
	if (store_project_get(st, id, &p, err) == -1)
		return -1;
	kg_project_free(&p);
	return 0;
}

static int
endpoint_exists(struct store *st, const char *id, struct kg_err *err)
{
	struct kg_endpoint	e;

	memset(&e, 0, sizeof(e));
	if (store_endpoint_get(st, id, &e, err) == -1)
		return -1;
	kg_endpoint_free(&e);
	return 0;
}

static int
group_exists(struct store *st, const char *id, struct kg_err *err)
{
	struct kg_endpoint_group	g;

	memset(&g, 0, sizeof(g));
	if (store_endpoint_group_get(st, id, &g, err) == -1)
		return -1;
	kg_endpoint_group_free(&g);
	return 0;
}

/* A project and an endpoint or endpoint group (ids as the URL gives them). */
struct pair {
	const char	*project_id;
	const char	*other_id;
};

static int
endpoint_add_body(struct store *st, void *cls, struct kg_err *err)
{
	struct pair	*p = cls;

	if (endpoint_exists(st, p->other_id, err) == -1 ||
	    project_exists(st, p->project_id, err) == -1)
		return -1;
	return store_project_endpoint_add(st, p->project_id, p->other_id, err);
}

int
svc_project_endpoint_add(struct store *st, const char *project_id,
    const char *endpoint_id, struct kg_err *err)
{
	struct pair	p = { project_id, endpoint_id };

	return svc_run(st, "project endpoint add", endpoint_add_body, &p, err);
}

static int
endpoint_remove_body(struct store *st, void *cls, struct kg_err *err)
{
	struct pair	*p = cls;

	return store_project_endpoint_remove(st, p->project_id, p->other_id, err);
}

int
svc_project_endpoint_remove(struct store *st, const char *project_id,
    const char *endpoint_id, struct kg_err *err)
{
	struct pair	p = { project_id, endpoint_id };

	return svc_run(st, "project endpoint remove", endpoint_remove_body, &p,
	    err);
}

static int
group_add_body(struct store *st, void *cls, struct kg_err *err)
{
	struct pair	*p = cls;

	if (project_exists(st, p->project_id, err) == -1 ||
	    group_exists(st, p->other_id, err) == -1)
		return -1;
	return store_project_endpoint_group_add(st, p->other_id, p->project_id,
	    err);
}

int
svc_project_endpoint_group_add(struct store *st, const char *group_id,
    const char *project_id, struct kg_err *err)
{
	struct pair	p = { project_id, group_id };

	return svc_run(st, "project endpoint group add", group_add_body, &p, err);
}

static int
group_remove_body(struct store *st, void *cls, struct kg_err *err)
{
	struct pair	*p = cls;

	if (project_exists(st, p->project_id, err) == -1 ||
	    group_exists(st, p->other_id, err) == -1)
		return -1;
	return store_project_endpoint_group_remove(st, p->other_id,
	    p->project_id, err);
}

int
svc_project_endpoint_group_remove(struct store *st, const char *group_id,
    const char *project_id, struct kg_err *err)
{
	struct pair	p = { project_id, group_id };

	return svc_run(st, "project endpoint group remove", group_remove_body,
	    &p, err);
}
