/*
 * api_catalog.c - the service catalog API: /v3/regions, /v3/services and
 * /v3/endpoints, as Keystone serves them (keystone/api/regions.py,
 * services.py, endpoints.py and keystone/catalog/schema.py).
 *
 * Attributes a client sends that have no column are kept in "extra" and
 * returned merged into the object, as Keystone's ModelDictMixinWithExtras.
 * Changes go through svc/catalog.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "server/api_catalog.h"
#include "server/apijson.h"
#include "server/page.h"
#include "server/views.h"
#include "server/ptarget.h"
#include "store/catalog.h"
#include "svc/svc.h"

/* String value of m[name], or NULL when absent or null. */
static const char *
str_or_null(const json_t *m, const char *name)
{
	return json_string_value(json_object_get(m, name));
}

/* ------------------------------------------------------------------------
 * Regions.
 * --------------------------------------------------------------------- */

static const char *const region_known[] = {
	"id", "description", "parent_region_id", "links", NULL
};

static json_t *
region_json(struct req *r, const struct kg_region *g)
{
	json_t	*o;

	o = json_pack("{s:s, s:s, s:o, s:o}", "id", g->id,
	    "description", g->description ? g->description : "",
	    "parent_region_id", g->parent_region_id[0] ?
	    json_string(g->parent_region_id) : json_null(),
	    "links", req_self_link(r, "regions", g->id));
	if (o != NULL)
		apij_merge_extra(o, g->extra);
	return o;
}

static int
list_regions(struct req *r, struct kg_err *err)
{
	struct kg_page		 pg;
	struct kg_region	*v = NULL;
	size_t			 n = 0, i;
	json_t			*list;
	int			 ret;

	if (req_authorize(r, "identity:list_regions", NULL, err) == -1 ||
	    page_from_request(r, PAGE_CATALOG, &pg, err) == -1)
		return -1;
	if (store_region_list(r->st, req_query(r, "parent_region_id"), &pg, &v,
	    &n, err) == -1)
		return -1;
	list = json_array();
	for (i = 0; list != NULL && i < n; i++)
		json_array_append_new(list, region_json(r, &v[i]));
	ret = page_reply(r, "regions", list, req_links(r), &pg, n ?
	    v[n - 1].id : NULL, err);
	kg_region_list_free(v, n);
	return ret;
}

static int
get_region(struct req *r, struct kg_err *err)
{
	struct kg_region	g;
	json_t			*o;

	if (req_authorize(r, "identity:get_region", NULL, err) == -1)
		return -1;
	if (store_region_get(r->st, r->params[0], &g, err) == -1)
		return -1;
	o = region_json(r, &g);
	kg_region_free(&g);
	return apij_reply_member(r, "region", o, 200, err);
}

/*
 * m's parent_region_id ("" when absent or null) into out. An id too long
 * for any region names none: 404 as for a missing one (it was cut to 64
 * characters, which could name another region).
 */
static int
parent_region(const json_t *m, char out[STORE_ID_SIZE], struct kg_err *err)
{
	const char	*p = str_or_null(m, "parent_region_id");

	if (p == NULL)
		p = "";
	if (kg_strlcpy(out, p, STORE_ID_SIZE) >= STORE_ID_SIZE)
		return kg_errf(err, KG_ENOTFOUND, "Could not find region: %s.", p);
	return 0;
}

/* Create the region described by m with id (shared by POST and PUT). */
static int
region_create_from(struct req *r, json_t *m, const char *id, struct kg_err *err)
{
	struct kg_region	g;
	char			*extra;
	json_t			*o;
	int			 ret;

	memset(&g, 0, sizeof(g));
	/* PUT's id is the path's, which the body's schema does not see. */
	if (apij_path_value("id", id, sizeof(g.id) - 1, err) == -1)
		return -1;
	kg_strlcpy(g.id, id, sizeof(g.id));
	if (parent_region(m, g.parent_region_id, err) == -1)
		return -1;
	g.description = (char *)(str_or_null(m, "description") ?
	    str_or_null(m, "description") : "");
	if ((extra = apij_extra(m, region_known, NULL, err)) == NULL)
		return -1;
	g.extra = extra;
	ret = svc_region_create(r->st, &g, err);
	free(extra);
	if (ret == -1)
		return -1;
	if (store_region_get(r->st, id, &g, err) == -1)
		return -1;
	o = region_json(r, &g);
	kg_region_free(&g);
	return apij_reply_member(r, "region", o, 201, err);
}

static int
create_region(struct req *r, struct kg_err *err)
{
	json_t		*m;
	const char	*id;
	char		 newid[KG_ID_HEX_LEN + 1];

	if (req_authorize(r, "identity:create_region", NULL, err) == -1)
		return -1;
	if ((m = apij_body_object(r, "region", err)) == NULL)
		return -1;
	/* An id may be given (historical; PUT is the documented way). */
	if ((id = str_or_null(m, "id")) == NULL || *id == '\0') {
		if (kg_id_new(newid) == -1)
			return kg_errf(err, KG_EINTERNAL, "no randomness");
		id = newid;
	}
	return region_create_from(r, m, id, err);
}

static int
put_region(struct req *r, struct kg_err *err)
{
	json_t		*m;
	const char	*id;

	if (req_authorize(r, "identity:create_region", NULL, err) == -1)
		return -1;
	if ((m = apij_body_object(r, "region", err)) == NULL)
		return -1;
	if (json_object_get(m, "id") != NULL &&
	    ((id = str_or_null(m, "id")) == NULL || strcmp(id, r->params[0]) != 0))
		return kg_errf(err, KG_EBADREQ, "Conflicting region IDs specified:"
		    " \"%s\" != \"%s\"", r->params[0], id ? id : "None");
	return region_create_from(r, m, r->params[0], err);
}

/* The PATCH body applied to the region as stored (svc_region_update). */
static int
region_edit(void *obj, void *cls, struct kg_err *err)
{
	struct kg_region	*g = obj;
	json_t			*m = cls;

	if (apij_set_text(m, "description", &g->description, err) == -1)
		return -1;
	if (json_object_get(m, "parent_region_id") != NULL &&
	    parent_region(m, g->parent_region_id, err) == -1)
		return -1;
	return apij_set_extra(m, region_known, &g->extra, err);
}

static int
update_region(struct req *r, struct kg_err *err)
{
	struct svc_edit		 edit = { region_edit, NULL };
	struct kg_region	 g;
	json_t			*m, *o;

	if (req_authorize(r, "identity:update_region", NULL, err) == -1)
		return -1;
	if ((m = apij_body_object(r, "region", err)) == NULL ||
	    apij_matching_id(m, r->params[0], err) == -1)
		return -1;
	edit.cls = m;
	if (svc_region_update(r->st, r->params[0], &edit, &g, err) == -1)
		return -1;
	o = region_json(r, &g);
	kg_region_free(&g);
	return apij_reply_member(r, "region", o, 200, err);
}

static int
delete_region(struct req *r, struct kg_err *err)
{
	if (req_authorize(r, "identity:delete_region", NULL, err) == -1)
		return -1;
	if (svc_region_delete(r->st, r->params[0], err) == -1)
		return -1;
	return 204;
}

/* ------------------------------------------------------------------------
 * Services.
 * --------------------------------------------------------------------- */

static const char *const service_known[] = {
	"id", "type", "name", "description", "enabled", "links", NULL
};

static json_t *
service_json(struct req *r, const struct kg_service *s)
{
	json_t	*o;

	o = json_pack("{s:s, s:s, s:s, s:b, s:o}", "id", s->id, "type", s->type,
	    "name", s->name, "enabled", s->enabled,
	    "links", req_self_link(r, "services", s->id));
	/* Keystone keeps description in extra: absent unless it was set. */
	if (o != NULL && s->description != NULL && s->description[0] != '\0')
		json_object_set_new(o, "description", json_string(s->description));
	if (o != NULL)
		apij_merge_extra(o, s->extra);
	return o;
}

static int
list_services(struct req *r, struct kg_err *err)
{
	struct kg_page		 pg;
	struct kg_service	*v = NULL;
	size_t			 n = 0, i;
	json_t			*list;
	int			 ret;

	if (req_authorize(r, "identity:list_services", NULL, err) == -1 ||
	    page_from_request(r, PAGE_CATALOG, &pg, err) == -1)
		return -1;
	if (store_service_list(r->st, req_query(r, "type"), req_query(r, "name"),
	    &pg, &v, &n, err) == -1)
		return -1;
	list = json_array();
	for (i = 0; list != NULL && i < n; i++)
		json_array_append_new(list, service_json(r, &v[i]));
	ret = page_reply(r, "services", list, req_links(r), &pg, n ?
	    v[n - 1].id : NULL, err);
	kg_service_list_free(v, n);
	return ret;
}

static int
get_service(struct req *r, struct kg_err *err)
{
	struct kg_service	s;
	json_t			*o;

	if (req_authorize(r, "identity:get_service", NULL, err) == -1)
		return -1;
	if (store_service_get(r->st, r->params[0], &s, err) == -1)
		return -1;
	o = service_json(r, &s);
	kg_service_free(&s);
	return apij_reply_member(r, "service", o, 200, err);
}

/* Apply the attributes of m to s (columns and extra). */
static int
service_apply(struct kg_service *s, const json_t *m, struct kg_err *err)
{
	const json_t	*v;

	if ((v = json_object_get(m, "type")) != NULL)
		kg_strlcpy(s->type, json_string_value(v), sizeof(s->type));
	if ((v = json_object_get(m, "name")) != NULL)
		kg_strlcpy(s->name, json_string_value(v), sizeof(s->name));
	if ((v = json_object_get(m, "enabled")) != NULL)
		s->enabled = json_is_true(v);
	if (apij_set_text(m, "description", &s->description, err) == -1 ||
	    apij_set_extra(m, service_known, &s->extra, err) == -1)
		return -1;
	return 0;
}

static int
create_service(struct req *r, struct kg_err *err)
{
	struct kg_service	 s;
	json_t			*m, *o;
	int			 ret;

	if (req_authorize(r, "identity:create_service", NULL, err) == -1)
		return -1;
	if ((m = apij_body_object(r, "service", err)) == NULL)
		return -1;
	memset(&s, 0, sizeof(s));
	s.enabled = 1;
	if (kg_id_new(s.id) == -1)
		return kg_errf(err, KG_EINTERNAL, "no randomness");
	if (service_apply(&s, m, err) == -1) {
		kg_service_free(&s);
		return -1;
	}
	ret = svc_service_create(r->st, &s, err);
	o = ret == 0 ? service_json(r, &s) : NULL;
	kg_service_free(&s);
	if (ret == -1)
		return -1;
	return apij_reply_member(r, "service", o, 201, err);
}

/* The PATCH body applied to the service as stored. */
static int
service_edit(void *obj, void *cls, struct kg_err *err)
{
	return service_apply(obj, cls, err);
}

static int
update_service(struct req *r, struct kg_err *err)
{
	struct svc_edit		 edit = { service_edit, NULL };
	struct kg_service	 s;
	json_t			*m, *o;

	if (req_authorize(r, "identity:update_service", NULL, err) == -1)
		return -1;
	if ((m = apij_body_object(r, "service", err)) == NULL ||
	    apij_matching_id(m, r->params[0], err) == -1)
		return -1;
	edit.cls = m;
	if (svc_service_update(r->st, r->params[0], &edit, &s, err) == -1)
		return -1;
	o = service_json(r, &s);
	kg_service_free(&s);
	return apij_reply_member(r, "service", o, 200, err);
}

static int
delete_service(struct req *r, struct kg_err *err)
{
	if (req_authorize(r, "identity:delete_service", NULL, err) == -1)
		return -1;
	if (svc_service_delete(r->st, r->params[0], err) == -1)
		return -1;
	return 204;
}

/* ------------------------------------------------------------------------
 * Endpoints.
 * --------------------------------------------------------------------- */

/* "region" is an alias of region_id on input, never stored in extra. */
static const char *const endpoint_known[] = {
	"id", "interface", "region_id", "region", "service_id", "url", "enabled",
	"legacy_endpoint_id", "links", NULL
};

static int
interface_valid(const char *s)
{
	return strcmp(s, "public") == 0 || strcmp(s, "internal") == 0 ||
	    strcmp(s, "admin") == 0;
}

/* The substitutions Keystone allows in endpoint URLs ($(name)s). */
static int
url_subst_ok(const char *name, size_t n)
{
	static const char *const ok[] = { "tenant_id", "project_id", "user_id",
	    "compute_host", "public_endpoint" };
	size_t	i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strlen(ok[i]) == n && strncmp(ok[i], name, n) == 0)
			return 1;
	return 0;
}

/*
 * Keystone's check_endpoint_url: the URL, with "$(" read as "%(", must be a
 * valid Python %-format over a mapping of the whitelisted names. So every
 * '%' or "$(" starts "%%" or "(name)" + optional flags/width/precision + a
 * conversion character.
 */
static int
url_valid(const char *url)
{
	const char	*p, *q;

	for (p = url; *p != '\0'; p++) {
		if (*p == '$' && p[1] == '(')
			;
		else if (*p == '%') {
			if (p[1] == '%') {
				p++;
				continue;
			}
			if (p[1] != '(')
				return 0;
		} else
			continue;
		p += 2;
		if ((q = strchr(p, ')')) == NULL || !url_subst_ok(p, (size_t)(q - p)))
			return 0;
		p = q + 1;
		p += strspn(p, "-+ #0");
		p += strspn(p, "0123456789");
		if (*p == '.') {
			p++;
			p += strspn(p, "0123456789");
		}
		if (*p == '\0' || strchr("hlL", *p) != NULL) {
			if (*p == '\0')
				return 0;
			p++;
		}
		if (*p == '\0' || strchr("diouxXeEfFgGcrsa", *p) == NULL)
			return 0;
	}
	return 1;
}

json_t *
apij_endpoint(struct req *r, const struct kg_endpoint *e)
{
	json_t	*o, *reg;

	reg = e->region_id[0] ? json_string(e->region_id) : json_null();
	o = json_pack("{s:s, s:s, s:O, s:O, s:s, s:s, s:b, s:o}", "id", e->id,
	    "interface", e->interface, "region_id", reg, "region", reg,
	    "service_id", e->service_id, "url", e->url ? e->url : "",
	    "enabled", e->enabled, "links", req_self_link(r, "endpoints", e->id));
	json_decref(reg);
	if (o != NULL)
		apij_merge_extra(o, e->extra);
	return o;
}

/*
 * How the body m gives the endpoint's region (Keystone's
 * _validate_endpoint_region): "region_id" when present and not null, else
 * the legacy "region" (created when missing), else, for a "region_id":
 * null, no region; else unchanged.
 */
static enum svc_region_ref
region_ref(const json_t *m, const char **id)
{
	const json_t	*rid = json_object_get(m, "region_id");
	const char	*legacy = str_or_null(m, "region");

	*id = NULL;
	if (rid != NULL && !json_is_null(rid)) {
		*id = json_string_value(rid);
		return SVC_REGION_ID;
	}
	if (legacy != NULL && *legacy != '\0') {
		*id = legacy;
		return SVC_REGION_LEGACY;
	}
	return rid != NULL ? SVC_REGION_CLEAR : SVC_REGION_KEEP;
}

/* Apply the plain attributes of m (not region) to e. */
static int
endpoint_apply(struct kg_endpoint *e, const json_t *m, struct kg_err *err)
{
	const json_t	*v;

	if ((v = json_object_get(m, "interface")) != NULL)
		kg_strlcpy(e->interface, json_string_value(v), sizeof(e->interface));
	if ((v = json_object_get(m, "service_id")) != NULL)
		kg_strlcpy(e->service_id, json_string_value(v), sizeof(e->service_id));
	if ((v = json_object_get(m, "enabled")) != NULL)
		e->enabled = json_is_true(v);
	if (apij_set_text(m, "url", &e->url, err) == -1 ||
	    apij_set_extra(m, endpoint_known, &e->extra, err) == -1)
		return -1;
	return 0;
}

static int
list_endpoints(struct req *r, struct kg_err *err)
{
	struct kg_page		 pg;
	struct kg_endpoint	*v = NULL;
	const char		*iface = req_query(r, "interface");
	size_t			 n = 0, i;
	json_t			*list;
	int			 ret;

	if (req_authorize(r, "identity:list_endpoints", NULL, err) == -1 ||
	    page_from_request(r, PAGE_CATALOG, &pg, err) == -1)
		return -1;
	if (iface != NULL && !interface_valid(iface))
		return kg_errf(err, KG_EBADREQ, "Invalid input for query parameters"
		    " interface. Value: %s. '%s' is not one of ['admin', 'internal',"
		    " 'public']", iface, iface);
	if (store_endpoint_list(r->st, iface, req_query(r, "service_id"),
	    req_query(r, "region_id"), &pg, &v, &n, err) == -1)
		return -1;
	list = json_array();
	for (i = 0; list != NULL && i < n; i++)
		json_array_append_new(list, apij_endpoint(r, &v[i]));
	ret = page_reply(r, "endpoints", list, req_links(r), &pg, n ?
	    v[n - 1].id : NULL, err);
	kg_endpoint_list_free(v, n);
	return ret;
}

/*
 * Keystone's member target for /v3/endpoints/{id}: the endpoint is looked
 * up first (a missing one is a 404 before the check) and is the target.
 */
static int
authorize_endpoint(struct req *r, const char *rule, struct kg_err *err)
{
	struct policy_target	t = { 0 };
	struct kg_endpoint	e;
	int			rc;

	memset(&e, 0, sizeof(e));
	if (store_endpoint_get(r->st, r->params[0], &e, err) == -1)
		return -1;
	ptarget_endpoint(&t, &e);
	rc = req_authorize(r, rule, &t, err);
	kg_endpoint_free(&e);
	return rc;
}

static int
get_endpoint(struct req *r, struct kg_err *err)
{
	struct kg_endpoint	e;
	json_t			*o;

	if (authorize_endpoint(r, "identity:get_endpoint", err) == -1)
		return -1;
	if (store_endpoint_get(r->st, r->params[0], &e, err) == -1)
		return -1;
	o = apij_endpoint(r, &e);
	kg_endpoint_free(&e);
	return apij_reply_member(r, "endpoint", o, 200, err);
}

static int
create_endpoint(struct req *r, struct kg_err *err)
{
	struct kg_endpoint	 e;
	json_t			*m, *o = NULL;
	enum svc_region_ref	 how;
	const char		*region_id;
	int			 ret = -1;

	if (req_authorize(r, "identity:create_endpoint", NULL, err) == -1)
		return -1;
	if ((m = apij_body_object(r, "endpoint", err)) == NULL)
		return -1;
	if (!url_valid(str_or_null(m, "url")))
		return kg_errf(err, KG_EBADREQ, "Cannot create an endpoint with an"
		    " invalid URL: %s.", str_or_null(m, "url"));
	memset(&e, 0, sizeof(e));
	e.enabled = 1;
	/* Keystone always assigns the id, whatever the body says. */
	if (kg_id_new(e.id) == -1)
		return kg_errf(err, KG_EINTERNAL, "no randomness");
	if (endpoint_apply(&e, m, err) == -1)
		goto done;
	how = region_ref(m, &region_id);
	if (svc_endpoint_create(r->st, &e, how, region_id, err) == -1)
		goto done;
	o = apij_endpoint(r, &e);
	ret = 0;
 done:
	kg_endpoint_free(&e);
	if (ret == -1)
		return -1;
	return apij_reply_member(r, "endpoint", o, 201, err);
}

/* The PATCH body applied to the endpoint as stored (its region apart). */
static int
endpoint_edit(void *obj, void *cls, struct kg_err *err)
{
	return endpoint_apply(obj, cls, err);
}

static int
update_endpoint(struct req *r, struct kg_err *err)
{
	struct svc_edit		 edit = { endpoint_edit, NULL };
	struct kg_endpoint	 e;
	json_t			*m, *o;
	enum svc_region_ref	 how;
	const char		*region_id;

	if (authorize_endpoint(r, "identity:update_endpoint", err) == -1)
		return -1;
	if ((m = apij_body_object(r, "endpoint", err)) == NULL ||
	    apij_matching_id(m, r->params[0], err) == -1)
		return -1;
	edit.cls = m;
	how = region_ref(m, &region_id);
	if (svc_endpoint_update(r->st, r->params[0], &edit, how, region_id, &e,
	    err) == -1)
		return -1;
	o = apij_endpoint(r, &e);
	kg_endpoint_free(&e);
	return apij_reply_member(r, "endpoint", o, 200, err);
}

static int
delete_endpoint(struct req *r, struct kg_err *err)
{
	if (authorize_endpoint(r, "identity:delete_endpoint", err) == -1)
		return -1;
	if (svc_endpoint_delete(r->st, r->params[0], err) == -1)
		return -1;
	return 204;
}

const struct route api_catalog_routes[] = {
	{ "GET",	"/v3/regions",		list_regions,		R_AUTH },
	{ "POST",	"/v3/regions",		create_region,		R_AUTH },
	{ "GET",	"/v3/regions/{}",	get_region,		R_AUTH },
	{ "PUT",	"/v3/regions/{}",	put_region,		R_AUTH },
	{ "PATCH",	"/v3/regions/{}",	update_region,		R_AUTH },
	{ "DELETE",	"/v3/regions/{}",	delete_region,		R_AUTH },
	{ "GET",	"/v3/services",		list_services,		R_AUTH },
	{ "POST",	"/v3/services",		create_service,		R_AUTH },
	{ "GET",	"/v3/services/{}",	get_service,		R_AUTH },
	{ "PATCH",	"/v3/services/{}",	update_service,		R_AUTH },
	{ "DELETE",	"/v3/services/{}",	delete_service,		R_AUTH },
	{ "GET",	"/v3/endpoints",	list_endpoints,		R_AUTH },
	{ "POST",	"/v3/endpoints",	create_endpoint,	R_AUTH },
	{ "GET",	"/v3/endpoints/{}",	get_endpoint,		R_AUTH },
	{ "PATCH",	"/v3/endpoints/{}",	update_endpoint,	R_AUTH },
	{ "DELETE",	"/v3/endpoints/{}",	delete_endpoint,	R_AUTH },
	{ NULL, NULL, NULL, 0 }
};
