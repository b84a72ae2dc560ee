/*
 * api_projects.c - /v3/projects and project tags, as Keystone
 * (keystone/api/projects.py): is_domain projects (domains seen through the
 * projects API), tag filters. Changes go through svc/project.c, which
 * holds the hierarchy rules (same domain as the parent, no disabled
 * ancestors, depth limit, leaf-only delete) and revokes a disabled or
 * deleted project's tokens.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "server/http.h"
#include "server/listcache.h"
#include "server/metrics.h"
#include "server/apijson.h"
#include "server/bodies.h"
#include "server/views.h"
#include "server/ptarget.h"
#include "store/identity.h"
#include "svc/svc.h"


static const char *const project_known[] = { "id", "name", "description",
	"domain_id", "parent_id", "enabled", "is_domain", "tags", "options",
	"links", NULL };

/*
 * Load project id after checking rule on it: the target is the project
 * when found (Keystone's _build_project_target_enforcement). A missing
 * project is reported after the check (Keystone's order).
 */
static int
load_project(struct req *r, const char *rule, const char *id,
    struct kg_project *p, struct kg_err *err)
{
	struct policy_target	t = { 0 };
	struct kg_err		lerr = { 0 };

	memset(p, 0, sizeof(*p));
	if (store_project_get(r->st, id, p, &lerr) == 0)
		ptarget_project(&t, p);
	if (apij_authorize_lookup(r, rule, &t, &lerr, err) == -1) {
		kg_project_free(p);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Create.
 * --------------------------------------------------------------------- */

/* POST /v3/projects with is_domain: Keystone creates a domain. */
static int
create_domain_project(struct req *r, json_t *obj, const char *name,
    const char *desc, int enabled, const char *parent_id, struct kg_err *err)
{
	struct policy_target	 t = { 0 };
	struct kg_domain	 d;
	int			 status = -1;

	ptarget_new_project(&t, obj);
	if (req_authorize(r, "identity:create_project", &t, err) == -1 ||
	    req_authorize(r, "identity:create_domain", NULL, err) == -1)
		return -1;
	if (parent_id != NULL)
		return kg_errf(err, KG_EBADREQ,
		    "only root projects are allowed to act as domains.");
	if (json_array_size(json_object_get(obj, "tags")) > 0)
		return kg_errf(err, KG_ENOTIMPL, "Tags on projects acting as "
		    "domains are not implemented: use PATCH /v3/domains/{id}.");
	memset(&d, 0, sizeof(d));
	if (kg_id_new(d.id) == -1)
		return kg_errf(err, KG_EINTERNAL, "no randomness");
	apij_strip(name, d.name, sizeof(d.name));
	d.description = (char *)(desc ? desc : "");
	d.enabled = enabled;
	if ((d.extra = apij_extra(obj, project_known, NULL, err)) == NULL)
		return -1;
	if (svc_domain_create(r->st, &d, err) == 0)
		status = apij_reply_member(r, "project",
		    apij_domain_as_project(r, &d), 201, err);
	free(d.extra);
	return status;
}

static int
create_project(struct req *r, struct kg_err *err)
{
	struct policy_target	 t = { 0 };
	struct kg_project	 p, parent;
	json_t			*obj, *tags;
	const char		*name, *desc, *domain_id, *parent_id;
	int			 enabled = 1, is_domain = 0, status = -1;

	memset(&p, 0, sizeof(p));
	/* request_validate checked Keystone's project_create schema. */
	if ((obj = apij_body_object(r, "project", err)) == NULL)
		return -1;
	name = apij_str(obj, "name");
	desc = apij_str(obj, "description");
	domain_id = apij_str(obj, "domain_id");
	parent_id = apij_str(obj, "parent_id");
	apij_set_bool(obj, "enabled", &enabled);
	apij_set_bool(obj, "is_domain", &is_domain);
	tags = json_object_get(obj, "tags");
	if (tags != NULL && apij_tags(tags, &p.tags, &p.ntags, err) == -1)
		return -1;
	if (is_domain) {
		status = create_domain_project(r, obj, name, desc, enabled,
		    parent_id, err);
		goto done;
	}
	/*
	 * Without domain_id Keystone uses the token's domain or the default
	 * one; a child project lives in its parent's domain, so take that
	 * rather than failing on a mismatch.
	 */
	if (domain_id == NULL && parent_id != NULL) {
		memset(&parent, 0, sizeof(parent));
		if (store_project_get(r->st, parent_id, &parent, NULL) == 0) {
			kg_strlcpy(p.domain_id, parent.domain_id, sizeof(p.domain_id));
			kg_project_free(&parent);
		}
	}
	if (p.domain_id[0] == '\0')
		kg_strlcpy(p.domain_id, domain_id ? domain_id :
		    apij_default_domain(r), sizeof(p.domain_id));
	ptarget_new_project(&t, obj);
	if (req_authorize(r, "identity:create_project", &t, err) == -1)
		goto done;
	if (kg_id_new(p.id) == -1) {
		kg_errf(err, KG_EINTERNAL, "no randomness");
		goto done;
	}
	apij_strip(name, p.name, sizeof(p.name));
	if (parent_id != NULL)		/* svc clears it for a top-level one */
		kg_strlcpy(p.parent_id, parent_id, sizeof(p.parent_id));
	p.description = (char *)(desc ? desc : "");
	p.enabled = enabled;
	if ((p.extra = apij_extra(obj, project_known, NULL, err)) == NULL)
		goto done;
	if (svc_project_create(r->st, &p, err) == -1)
		goto done;
	status = apij_reply_member(r, "project", apij_project(r, &p), 201, err);
 done:
	free(p.extra);
	p.extra = NULL;
	p.description = NULL;
	kg_project_free(&p);
	return status;
}

/* ------------------------------------------------------------------------
 * List, get.
 * --------------------------------------------------------------------- */

/* GET /v3/projects?is_domain=true: the domains, shown as projects. */
static int
list_domain_projects(struct req *r, int enabled, struct kg_err *err)
{
	struct kg_domain	*v = NULL;
	struct kg_name_match	 m;
	size_t			 n = 0, i;
	json_t			*arr;

	/* Projects acting as domains have neither a domain nor a parent. */
	if (req_query(r, "domain_id") != NULL || req_query(r, "parent_id") != NULL)
		return apij_reply_list(r, "projects", json_array(), err);
	apij_name_match(r, &m);
	if (store_domain_list(r->st, req_query(r, "name"), enabled, &m, &v, &n,
	    err) == -1)
		return -1;
	arr = json_array();
	for (i = 0; arr != NULL && i < n; i++) {
		if (r->ctx->scope == KG_SCOPE_DOMAIN &&
		    strcmp(v[i].id, r->ctx->domain_id) != 0)
			continue;
		json_array_append_new(arr, apij_domain_as_project(r, &v[i]));
	}
	kg_domain_list_free(v, n);
	return apij_reply_list(r, "projects", arr, err);
}

static int
list_projects(struct req *r, struct kg_err *err)
{
	struct policy_target	 t = { 0 };
	struct kg_project_filter f;
	struct kg_project	*v = NULL;
	size_t			 n = 0, i;
	struct apij_list	 l;
	char			 key[LISTCACHE_KEY_MAX];
	int64_t			 rev = -1;
	int			 is_domain, status;

	if (r->ctx->scope == KG_SCOPE_DOMAIN)
		t.v[PK_TARGET_DOMAIN_ID] = r->ctx->domain_id;
	if (req_authorize(r, "identity:list_projects", &t, err) == -1)
		return -1;
	memset(&f, 0, sizeof(f));
	if (apij_query_bool(r, "enabled", &f.enabled, err) == -1 ||
	    apij_query_bool(r, "is_domain", &is_domain, err) == -1)
		return -1;
	if (is_domain == 1)
		return list_domain_projects(r, f.enabled, err);
	if (!apij_list_domain(r, &f.domain_id))
		return apij_reply_list(r, "projects", json_array(), err);
	f.name = req_query(r, "name");
	apij_name_match(r, &f.match);
	f.parent_id = req_query(r, "parent_id");
	f.tags = req_query(r, "tags");
	f.tags_any = req_query(r, "tags-any");
	f.not_tags = req_query(r, "not-tags");
	f.not_tags_any = req_query(r, "not-tags-any");
	/* The revision first: the list read after it is at least as new. */
	if (req_list_key(r, f.domain_id, key, sizeof(key)) == 0 &&
	    (rev = store_projects_revision(r->st)) >= 0 &&
	    (r->out_text = listcache_get(r->srv->lists, key, rev)) != NULL) {
		metrics_list_cache(1);
		return 200;
	}
	metrics_list_cache(0);
	if (store_project_list(r->st, &f, &v, &n, err) == -1)
		return -1;
	apij_list_begin(r, &l, "projects", "projects");
	for (i = 0; i < n; i++)
		apij_list_project(&l, &v[i]);
	kg_project_list_free(v, n);
	if ((status = apij_list_end(r, &l, req_links(r), err)) == 200 && rev >= 0)
		listcache_put(r->srv->lists, key, rev, r->out_text);
	return status;
}

static int
get_project(struct req *r, struct kg_err *err)
{
	struct policy_target	t = { 0 };
	struct kg_project	p;
	struct kg_domain	d;
	int			status;

	/* Keystone's domains are projects: GET /v3/projects/<domain id>. */
	if (store_domain_get(r->st, r->params[0], &d, NULL) == 0) {
		/* A domain as a project: is_domain, no domain or parent. */
		t.v[PK_T_PROJECT_ID] = d.id;
		t.v[PK_T_PROJECT_NAME] = d.name;
		t.v[PK_T_PROJECT_DOMAIN_ID] = t.v[PK_T_PROJECT_PARENT_ID] = POLICY_NONE;
		t.v[PK_T_PROJECT_IS_DOMAIN] = POLICY_TRUE;
		t.v[PK_T_PROJECT_ENABLED] = d.enabled ? POLICY_TRUE : POLICY_FALSE;
		if (req_authorize(r, "identity:get_project", &t, err) == -1) {
			kg_domain_free(&d);
			return -1;
		}
		status = apij_reply_member(r, "project",
		    apij_domain_as_project(r, &d), 200, err);
		kg_domain_free(&d);
		return status;
	}
	if (load_project(r, "identity:get_project", r->params[0], &p, err) == -1)
		return -1;
	status = apij_reply_member(r, "project", apij_project(r, &p), 200, err);
	kg_project_free(&p);
	return status;
}

/* ------------------------------------------------------------------------
 * Update, delete.
 * --------------------------------------------------------------------- */

/*
 * The PATCH body applied to the project as stored (svc_project_update):
 * Keystone's immutable attributes (id, domain, parent, is_domain), then
 * the changed ones, tags included.
 */
static int
project_edit(void *obj, void *cls, struct kg_err *err)
{
	struct kg_project	*p = obj;
	json_t			*body = cls, *tags;
	const char		*name, *domain_id, *parent_id;
	char			**tv = NULL;
	size_t			 ntv = 0;
	int			 is_domain = 0;

	/* request_validate checked Keystone's project_update schema. */
	if (apij_matching_id(body, p->id, err) == -1)
		return -1;
	name = apij_str(body, "name");
	domain_id = apij_str(body, "domain_id");
	parent_id = apij_str(body, "parent_id");
	apij_set_bool(body, "is_domain", &is_domain);
	if (json_object_get(body, "domain_id") != NULL &&
	    (domain_id == NULL || strcmp(domain_id, p->domain_id) != 0))
		return kg_errf(err, KG_EBADREQ, "Cannot change Domain ID");
	if (json_object_get(body, "parent_id") != NULL && (parent_id == NULL ||
	    strcmp(parent_id, p->parent_id[0] ? p->parent_id : p->domain_id) != 0))
		return kg_errf(err, KG_EFORBID, "Update of `parent_id` is not allowed.");
	if (is_domain)
		return kg_errf(err, KG_EBADREQ, "Update of `is_domain` is not allowed.");
	tags = json_object_get(body, "tags");
	if (tags != NULL) {
		if (apij_tags(tags, &tv, &ntv, err) == -1)
			return -1;
		store_strv_free(p->tags, p->ntags);
		p->tags = tv;
		p->ntags = ntv;
	}
	apij_set_bool(body, "enabled", &p->enabled);
	if (name != NULL)
		apij_strip(name, p->name, sizeof(p->name));
	if (apij_set_text(body, "description", &p->description, err) == -1 ||
	    apij_set_extra(body, project_known, &p->extra, err) == -1)
		return -1;
	return 0;
}

static int
update_project(struct req *r, struct kg_err *err)
{
	struct svc_edit		 edit = { project_edit, NULL };
	struct kg_project	 p;
	json_t			*obj, *tags;
	int			 status;

	if (load_project(r, "identity:update_project", r->params[0], &p, err) == -1)
		return -1;
	kg_project_free(&p);
	if ((obj = apij_body_object(r, "project", err)) == NULL)
		return -1;
	tags = json_object_get(obj, "tags");
	edit.cls = obj;
	if (svc_project_update(r->st, r->params[0], &edit, tags != NULL &&
	    !json_is_null(tags), &p, err) == -1)
		return -1;
	status = apij_reply_member(r, "project", apij_project(r, &p), 200, err);
	kg_project_free(&p);
	return status;
}

static int
delete_project(struct req *r, struct kg_err *err)
{
	struct kg_project	p;

	if (load_project(r, "identity:delete_project", r->params[0], &p, err) == -1)
		return -1;
	kg_project_free(&p);
	if (svc_project_delete(r->st, r->params[0], err) == -1)
		return -1;
	return 204;
}

/* ------------------------------------------------------------------------
 * Tags.
 * --------------------------------------------------------------------- */

/* {"tags": [...], "links": {"self": <this URL>}} as Keystone's tag replies. */
static int
reply_tags(struct req *r, char *const *tags, size_t n, struct kg_err *err)
{
	json_t	*arr;
	size_t	 i;

	if ((arr = json_array()) == NULL)
		return apij_oom(err);
	for (i = 0; i < n; i++)
		json_array_append_new(arr, json_string(tags[i]));
	json_decref(r->out);
	if ((r->out = json_pack("{s:o, s:o}", "tags", arr, "links",
	    req_links(r))) == NULL)
		return apij_oom(err);
	json_object_del(json_object_get(r->out, "links"), "previous");
	json_object_del(json_object_get(r->out, "links"), "next");
	return 200;
}

static int
list_tags(struct req *r, struct kg_err *err)
{
	struct kg_project	p;
	int			status;

	if (load_project(r, "identity:list_project_tags", r->params[0], &p, err) == -1)
		return -1;
	status = reply_tags(r, p.tags, p.ntags, err);
	kg_project_free(&p);
	return status;
}

static int
replace_tags(struct req *r, struct kg_err *err)
{
	struct kg_project	 p;
	json_t			*v;
	char			**tv = NULL;
	size_t			 ntv = 0;
	int			 status = -1;

	if (load_project(r, "identity:update_project_tags", r->params[0], &p,
	    err) == -1)
		return -1;
	/* request_validate checked Keystone's project_tags_update schema. */
	if ((v = apij_body(r, err)) == NULL && err->kind != KG_OK)
		goto done;
	v = json_object_get(v, "tags");
	if (apij_tags(v, &tv, &ntv, err) == -1 ||
	    svc_project_tags_set(r->st, p.id, tv, ntv, err) == -1)
		goto done;
	status = reply_tags(r, tv, ntv, err);
 done:
	store_strv_free(tv, ntv);
	kg_project_free(&p);
	return status;
}

static int
clear_tags(struct req *r, struct kg_err *err)
{
	struct kg_project	p;

	if (load_project(r, "identity:delete_project_tags", r->params[0], &p,
	    err) == -1)
		return -1;
	kg_project_free(&p);
	if (svc_project_tags_set(r->st, r->params[0], NULL, 0, err) == -1)
		return -1;
	return 204;
}

static int
check_tag(struct req *r, struct kg_err *err)
{
	struct kg_project	p;
	size_t			i;
	int			found = 0;

	if (load_project(r, "identity:get_project_tag", r->params[0], &p, err) == -1)
		return -1;
	for (i = 0; i < p.ntags; i++)
		if (strcmp(p.tags[i], r->params[1]) == 0)
			found = 1;
	kg_project_free(&p);
	if (!found)
		return kg_errf(err, KG_ENOTFOUND, "Could not find project tag: %s.",
		    r->params[1]);
	return 204;
}

/* Percent-encode s for a URL path segment (RFC 3986 unreserved kept). */
static void
url_escape(const char *s, char *out, size_t outsz)
{
	static const char	hex[] = "0123456789ABCDEF";
	size_t			o = 0;
	unsigned char		c;

	for (; *s != '\0' && o + 4 < outsz; s++) {
		c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
			out[o++] = (char)c;
		else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
}

/*
 * Keystone's check of the tags project p would have with tag added (a new
 * one: the 81st gets "[...] is too long"). svc_project_tag_add checks the
 * count again inside its transaction.
 */
static int
check_new_tag(const struct kg_project *p, const char *tag, struct kg_err *err)
{
	json_t	*a;
	size_t	 i;
	int	 ret;

	for (i = 0; i < p->ntags; i++)
		if (strcmp(p->tags[i], tag) == 0)
			return 0;
	if ((a = json_array()) == NULL)
		return apij_oom(err);
	for (i = 0; i < p->ntags; i++)
		json_array_append_new(a, json_string(p->tags[i]));
	json_array_append_new(a, json_string(tag));
	ret = bodies_check_tags(a, err);
	json_decref(a);
	return ret;
}

static int
add_tag(struct req *r, struct kg_err *err)
{
	struct kg_project	p;
	int			status = -1;
	char			tag[1024], base[600], etag[3 * 1024];

	if (load_project(r, "identity:create_project_tag", r->params[0], &p,
	    err) == -1)
		return -1;
	if (apij_tag_check(r->params[1], err) == -1)
		goto done;
	apij_strip(r->params[1], tag, sizeof(tag));
	if (check_new_tag(&p, tag, err) == -1 ||
	    svc_project_tag_add(r->st, p.id, tag, err) == -1)
		goto done;
	/* Keystone answers with the new tag's URL. */
	req_base_url(r, base, sizeof(base));
	url_escape(r->params[1], etag, sizeof(etag));
	if (asprintf(&r->location, "%s/v3/projects/%s/tags/%s", base, p.id,
	    etag) == -1) {
		r->location = NULL;
		kg_errf(err, KG_EINTERNAL, "out of memory");
		goto done;
	}
	status = 201;
 done:
	kg_project_free(&p);
	return status;
}

static int
delete_tag(struct req *r, struct kg_err *err)
{
	struct kg_project	p;

	if (load_project(r, "identity:delete_project_tag", r->params[0], &p,
	    err) == -1)
		return -1;
	kg_project_free(&p);
	if (svc_project_tag_delete(r->st, r->params[0], r->params[1], err) == -1)
		return -1;
	return 204;
}

const struct route api_projects_routes[] = {
	{ "POST",	"/v3/projects",			create_project,	R_AUTH },
	{ "GET",	"/v3/projects",			list_projects,	R_AUTH },
	{ "GET",	"/v3/projects/{}",		get_project,	R_AUTH },
	{ "PATCH",	"/v3/projects/{}",		update_project,	R_AUTH },
	{ "DELETE",	"/v3/projects/{}",		delete_project,	R_AUTH },
	{ "GET",	"/v3/projects/{}/tags",		list_tags,	R_AUTH },
	{ "PUT",	"/v3/projects/{}/tags",		replace_tags,	R_AUTH },
	{ "DELETE",	"/v3/projects/{}/tags",		clear_tags,	R_AUTH },
	{ "GET",	"/v3/projects/{}/tags/{}",	check_tag,	R_AUTH },
	{ "PUT",	"/v3/projects/{}/tags/{}",	add_tag,	R_AUTH },
	{ "DELETE",	"/v3/projects/{}/tags/{}",	delete_tag,	R_AUTH },
	{ NULL, NULL, NULL, 0 }
};
