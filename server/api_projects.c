/*
 * api_projects.c - /v3/projects and project tags, as Keystone
 * (keystone/api/projects.py, keystone/resource/core.py):
 *
 * - a domain is a project acting as a domain there (is_domain), so every
 *   route here takes a domain's id too: keygate keeps domains in their own
 *   table and shows them through this API as Keystone does (is_domain
 *   true, no domain or parent; changes follow the domain's rules);
 * - GET with ?parents_as_list / parents_as_ids / subtree_as_list /
 *   subtree_as_ids; the lists hold only the projects the caller has a
 *   role on (resource/core.py _filter_projects_list), the ids all;
 * - DELETE with ?cascade deletes a disabled subtree (Keystone's manager
 *   does; its API never routed it);
 * - options.immutable; pages (?limit, ?marker; server/page.h).
 *
 * Changes go through svc/project.c and svc/domain.c, which hold the
 * hierarchy rules (same domain as the parent, no disabled ancestors,
 * depth limit, leaf-only delete, disabled subtrees for cascade) and
 * revoke what a disabled or deleted project or domain takes away.
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
#include "server/page.h"
#include "server/views.h"
#include "server/ptarget.h"
#include "store/identity.h"
#include "svc/svc.h"


/* A project, or a domain seen as a project (is_domain). */
struct pview {
	int			 is_domain;
	struct kg_project	 p;
	struct kg_domain	 d;
};

static void
pview_free(struct pview *v)
{
	kg_project_free(&v->p);
	kg_domain_free(&v->d);
}

static const char *
pview_id(const struct pview *v)
{
	return v->is_domain ? v->d.id : v->p.id;
}

static json_t *
pview_json(struct req *r, const struct pview *v)
{
	return v->is_domain ? apij_domain_as_project(r, &v->d) :
	    apij_project(r, &v->p);
}

/* target.project of a domain acting as a project: no domain, no parent. */
static void
target_domain_project(struct policy_target *t, const struct kg_domain *d)
{
	t->v[PK_T_PROJECT_ID] = d->id;
	t->v[PK_T_PROJECT_NAME] = d->name;
	t->v[PK_T_PROJECT_DOMAIN_ID] = t->v[PK_T_PROJECT_PARENT_ID] = POLICY_NONE;
	t->v[PK_T_PROJECT_IS_DOMAIN] = POLICY_TRUE;
	t->v[PK_T_PROJECT_ENABLED] = d->enabled ? POLICY_TRUE : POLICY_FALSE;
}

/*
 * Load project (or domain) id after checking rule on it: the target is
 * what was found (Keystone's _build_project_target_enforcement). A
 * missing one is reported after the check (Keystone's order).
 */
static int
load_pview(struct req *r, const char *rule, const char *id, struct pview *v,
    struct kg_err *err)
{
	struct policy_target	t = { 0 };
	struct kg_err		lerr = { 0 };

	memset(v, 0, sizeof(*v));
	if (store_project_get(r->st, id, &v->p, &lerr) == 0)
		ptarget_project(&t, &v->p);
	else if (lerr.kind == KG_ENOTFOUND &&
	    store_domain_get(r->st, id, &v->d, NULL) == 0) {
		v->is_domain = 1;
		lerr.kind = KG_OK;
		target_domain_project(&t, &v->d);
	}
	if (apij_authorize_lookup(r, rule, &t, &lerr, err) == -1) {
		pview_free(v);
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
	memset(&d, 0, sizeof(d));
	if (kg_id_new(d.id) == -1)
		return kg_errf(err, KG_EINTERNAL, "no randomness");
	apij_strip(name, d.name, sizeof(d.name));
	d.description = (char *)(desc ? desc : "");
	d.enabled = enabled;
	if ((d.extra = apij_extra(obj, apij_project_keys, NULL, err)) == NULL)
		return -1;
	if (apij_set_extra_tags(obj, &d.extra, err) == 0 &&
	    apij_set_options(obj, &d.extra, err) == 0 &&
	    svc_domain_create(r->st, &d, err) == 0)
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
	if ((p.extra = apij_extra(obj, apij_project_keys, NULL, err)) == NULL ||
	    apij_set_options(obj, &p.extra, err) == -1)
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
 * List.
 * --------------------------------------------------------------------- */

/* Every name of list in tags (a JSON array of strings)? / any? */
static int
tags_have(const json_t *tags, const char *list, int all)
{
	const char	*t;
	size_t		 len, i;
	json_t		*v;
	char		 one[256];
	int		 hit;

	for (t = list;; t += len + 1) {
		len = strcspn(t, ",");
		hit = 0;
		if (len < sizeof(one)) {
			memcpy(one, t, len);
			one[len] = '\0';
			json_array_foreach(tags, i, v)
				if (json_is_string(v) &&
				    strcmp(json_string_value(v), one) == 0)
					hit = 1;
		}
		if (all && !hit)
			return 0;
		if (!all && hit)
			return 1;
		if (t[len] == '\0')
			return all;
	}
}

/* Keystone's tag filters on a domain's tags (kept in its extra). */
static int
domain_tags_match(struct req *r, const struct kg_domain *d)
{
	const char	*tags = req_query(r, "tags"), *any = req_query(r, "tags-any");
	const char	*not = req_query(r, "not-tags");
	const char	*notany = req_query(r, "not-tags-any");
	json_t		*x, *tv;
	int		 ok = 1;

	if (tags == NULL && any == NULL && not == NULL && notany == NULL)
		return 1;
	x = json_loads(d->extra ? d->extra : "{}", 0, NULL);
	tv = json_object_get(x, "tags");
	if ((tags != NULL && !tags_have(tv, tags, 1)) ||
	    (any != NULL && !tags_have(tv, any, 0)) ||
	    (not != NULL && tags_have(tv, not, 1)) ||
	    (notany != NULL && tags_have(tv, notany, 0)))
		ok = 0;
	json_decref(x);
	return ok;
}

/*
 * GET /v3/projects?is_domain=true: the domains, shown as projects, a page
 * of them. With tag filters (domains keep their tags in extra, out of
 * the database's reach) the page is cut here, after the filter.
 */
static int
list_domain_projects(struct req *r, int enabled, struct kg_err *err)
{
	struct kg_domain_filter	 f;
	struct kg_page		 pg, all = { NULL, 0, 0 }, *use;
	struct kg_domain	*v = NULL;
	size_t			 n = 0, i, kept = 0;
	const char		*last = NULL;
	int			 tagged, ret;
	json_t			*arr;

	if (page_from_request(r, PAGE_RESOURCE, &pg, err) == -1)
		return -1;
	/* Projects acting as domains have neither a domain nor a parent. */
	if (req_query(r, "domain_id") != NULL || req_query(r, "parent_id") != NULL)
		return apij_reply_list(r, "projects", json_array(), err);
	memset(&f, 0, sizeof(f));
	f.name = req_query(r, "name");
	apij_name_match(r, &f.match);
	f.enabled = enabled;
	if (r->ctx->scope == KG_SCOPE_DOMAIN)
		f.id = r->ctx->domain_id;
	tagged = req_query(r, "tags") != NULL || req_query(r, "tags-any") != NULL ||
	    req_query(r, "not-tags") != NULL || req_query(r, "not-tags-any") != NULL;
	all.marker = pg.marker;
	use = tagged ? &all : &pg;
	if (store_domain_list(r->st, &f, use, &v, &n, err) == -1)
		return -1;
	arr = json_array();
	for (i = 0; arr != NULL && i < n; i++) {
		if (!domain_tags_match(r, &v[i]))
			continue;
		if (tagged && kept == pg.limit) {
			pg.more = 1;
			break;
		}
		json_array_append_new(arr, apij_domain_as_project(r, &v[i]));
		last = v[i].id;
		kept++;
	}
	ret = page_reply(r, "projects", arr, req_links(r), &pg, last, err);
	kg_domain_list_free(v, n);
	return ret;
}

static int
list_projects(struct req *r, struct kg_err *err)
{
	struct policy_target	 t = { 0 };
	struct kg_project_filter f;
	struct kg_page		 pg;
	struct kg_project	*v = NULL;
	size_t			 n = 0, i;
	struct apij_list	 l;
	char			 key[LISTCACHE_KEY_MAX];
	int64_t			 rev = -1;
	int			 is_domain, ret;

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
	if (page_from_request(r, PAGE_RESOURCE, &pg, err) == -1)
		return -1;
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
	if (store_project_list(r->st, &f, &pg, &v, &n, err) == -1)
		return -1;
	apij_list_begin(r, &l, "projects", "projects");
	for (i = 0; i < n; i++)
		apij_list_project(&l, &v[i]);
	ret = page_list_end(r, &l, req_links(r), &pg, n ? v[n - 1].id : NULL,
	    err);
	kg_project_list_free(v, n);
	if (ret == 200 && rev >= 0 && r->out_text != NULL)
		listcache_put(r->srv->lists, key, rev, r->out_text);
	return ret;
}

/* ------------------------------------------------------------------------
 * Get, with the hierarchy (resource/core.py list_project_parents,
 * get_project_parents_as_ids, list_projects_in_subtree,
 * get_projects_in_subtree_as_ids).
 * --------------------------------------------------------------------- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The ids of the projects the caller has a role on, sorted (*ids[*n]):
 * the lists of parents and subtree show only those, as Keystone's.
 */
static int
caller_projects(struct req *r, char ***ids, size_t *n, struct kg_err *err)
{
	struct kg_project	*v = NULL;
	size_t			 nv = 0, i;

	*ids = NULL;
	*n = 0;
	if (r->ctx->user_id[0] == '\0')
		return 0;
	if (store_user_project_list(r->st, r->ctx->user_id, &v, &nv, err) == -1)
		return -1;
	if (nv > 0 && (*ids = calloc(nv, sizeof(**ids))) == NULL) {
		kg_project_list_free(v, nv);
		return apij_oom(err);
	}
	for (i = 0; i < nv; i++)
		if (((*ids)[i] = strdup(v[i].id)) == NULL) {
			store_strv_free(*ids, i);
			*ids = NULL;
			kg_project_list_free(v, nv);
			return apij_oom(err);
		}
	*n = nv;
	kg_project_list_free(v, nv);
	if (*n > 1)
		qsort(*ids, *n, sizeof(**ids), cmp_str);
	return 0;
}

/* [{"project": {...}}, ...] of the projects v[n] the caller has a role on. */
static int
wrapped_list(struct req *r, const struct kg_project *v, size_t n,
    json_t **out, struct kg_err *err)
{
	char	**mine = NULL;
	size_t	  nmine = 0, i;
	json_t	 *arr;
	const char *key;

	if (caller_projects(r, &mine, &nmine, err) == -1)
		return -1;
	arr = json_array();
	for (i = 0; arr != NULL && i < n; i++) {
		key = v[i].id;
		if (nmine == 0 || bsearch(&key, mine, nmine, sizeof(*mine),
		    cmp_str) == NULL)
			continue;
		json_array_append_new(arr, json_pack("{s:o}", "project",
		    apij_project(r, &v[i])));
	}
	store_strv_free(mine, nmine);
	if ((*out = arr) == NULL)
		return apij_oom(err);
	return 0;
}

/* {parent: {grandparent: ... {domain: null}}}; null for a domain. */
static json_t *
parents_ids(const struct pview *pv, const struct kg_project *v, size_t n)
{
	json_t	*o;
	size_t	 i;

	if (pv->is_domain)
		return json_null();
	o = json_pack("{s:n}", pv->p.domain_id);
	for (i = n; o != NULL && i > 0; i--)
		o = json_pack("{s:o}", v[i - 1].id, o);
	return o;
}

/* An edge of the subtree: a project and its parent (its domain when top
 * level), sorted by parent for subtree_ids. */
struct edge {
	const char	*parent;
	const char	*id;
};

static int
cmp_edge(const void *a, const void *b)
{
	return strcmp(((const struct edge *)a)->parent,
	    ((const struct edge *)b)->parent);
}

/* {child: {grandchild: null, ...}, ...} below id; null for a leaf. */
static json_t *
subtree_ids(const struct edge *e, size_t n, const char *id, int depth)
{
	struct edge	 key = { id, NULL };
	const struct edge *hit;
	size_t		 i;
	json_t		*o;

	if (depth > 64 || (hit = bsearch(&key, e, n, sizeof(*e), cmp_edge)) ==
	    NULL)
		return json_null();
	/* bsearch found one child of id: back up to the first. */
	i = (size_t)(hit - e);
	while (i > 0 && strcmp(e[i - 1].parent, id) == 0)
		i--;
	if ((o = json_object()) == NULL)
		return NULL;
	for (; i < n && strcmp(e[i].parent, id) == 0; i++)
		json_object_set_new(o, e[i].id, subtree_ids(e, n, e[i].id,
		    depth + 1));
	return o;
}

static json_t *
subtree_ids_of(const char *root, const struct kg_project *v, size_t n)
{
	struct edge	*e;
	json_t		*o;
	size_t		 i;

	if (n == 0)
		return json_null();
	if ((e = calloc(n, sizeof(*e))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		e[i].id = v[i].id;
		e[i].parent = v[i].parent_id[0] ? v[i].parent_id : v[i].domain_id;
	}
	qsort(e, n, sizeof(*e), cmp_edge);
	o = subtree_ids(e, n, root, 0);
	free(e);
	return o;
}

/* Add "parents" and "subtree" to o as the query asks (projects.py
 * _expand_project_ref). */
static int
expand_hierarchy(struct req *r, const struct pview *pv, json_t *o,
    struct kg_err *err)
{
	int			 pl = apij_query_true(r, "parents_as_list");
	int			 pi = apij_query_true(r, "parents_as_ids");
	int			 sl = apij_query_true(r, "subtree_as_list");
	int			 si = apij_query_true(r, "subtree_as_ids");
	struct kg_project	*v = NULL;
	size_t			 n = 0;
	json_t			*x = NULL;
	int			 ret = -1;

	if (pl && pi)
		return kg_errf(err, KG_EBADREQ, "Cannot use parents_as_list and "
		    "parents_as_ids query params at the same time.");
	if (sl && si)
		return kg_errf(err, KG_EBADREQ, "Cannot use subtree_as_list and "
		    "subtree_as_ids query params at the same time.");
	if (pl || pi) {
		if (!pv->is_domain && store_project_parents(r->st, pv->p.id, &v,
		    &n, err) == -1)
			return -1;
		if (pl ? wrapped_list(r, v, n, &x, err) == -1 :
		    (x = parents_ids(pv, v, n)) == NULL)
			goto done;
		if (json_object_set_new(o, "parents", x) == -1)
			goto oom;
		kg_project_list_free(v, n);
		v = NULL;
		n = 0;
	}
	if (sl || si) {
		if (store_project_subtree(r->st, pview_id(pv), &v, &n, err) == -1)
			goto done;
		if (sl ? wrapped_list(r, v, n, &x, err) == -1 :
		    (x = subtree_ids_of(pview_id(pv), v, n)) == NULL)
			goto done;
		if (json_object_set_new(o, "subtree", x) == -1)
			goto oom;
	}
	ret = 0;
	goto done;
 oom:
	apij_oom(err);
 done:
	if (ret == -1 && err->kind == KG_OK)
		apij_oom(err);
	kg_project_list_free(v, n);
	return ret;
}

static int
get_project(struct req *r, struct kg_err *err)
{
	struct pview	 v;
	json_t		*o;
	int		 status = -1;

	if (load_pview(r, "identity:get_project", r->params[0], &v, err) == -1)
		return -1;
	if ((o = pview_json(r, &v)) == NULL)
		apij_oom(err);
	else if (expand_hierarchy(r, &v, o, err) == -1)
		json_decref(o);
	else
		status = apij_reply_member(r, "project", o, 200, err);
	pview_free(&v);
	return status;
}

/* ------------------------------------------------------------------------
 * Update, delete.
 * --------------------------------------------------------------------- */

/* The PATCH body's attributes (request_validate checked Keystone's
 * project_update schema). */
struct pbody {
	const char	*name, *domain_id, *parent_id;
	int		 is_domain, is_domain_given;
};

static void
pbody_read(const json_t *body, struct pbody *b)
{
	memset(b, 0, sizeof(*b));
	b->name = apij_str(body, "name");
	b->domain_id = apij_str(body, "domain_id");
	b->parent_id = apij_str(body, "parent_id");
	b->is_domain_given = apij_set_bool(body, "is_domain", &b->is_domain);
}

/*
 * The PATCH body applied to the project as stored (svc_project_update):
 * Keystone's fixed attributes (id, domain, immutability, parent,
 * is_domain), then the changed ones, tags and options included.
 */
static int
project_edit(void *obj, void *cls, struct kg_err *err)
{
	struct kg_project	*p = obj;
	json_t			*body = cls, *tags;
	struct pbody		 b;
	char			**tv = NULL;
	size_t			 ntv = 0;

	pbody_read(body, &b);
	if (apij_matching_id(body, p->id, err) == -1)
		return -1;
	if (json_object_get(body, "domain_id") != NULL &&
	    (b.domain_id == NULL || strcmp(b.domain_id, p->domain_id) != 0))
		return kg_errf(err, KG_EBADREQ, "Cannot change Domain ID");
	if (apij_immutable_edit(p->extra, body, "project", p->id, err) == -1)
		return -1;
	if (json_object_get(body, "parent_id") != NULL && (b.parent_id == NULL ||
	    strcmp(b.parent_id, p->parent_id[0] ? p->parent_id : p->domain_id) != 0))
		return kg_errf(err, KG_EFORBID, "Update of `parent_id` is not allowed.");
	if (b.is_domain)
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
	if (b.name != NULL)
		apij_strip(b.name, p->name, sizeof(p->name));
	if (apij_set_text(body, "description", &p->description, err) == -1 ||
	    apij_set_extra(body, apij_project_keys, &p->extra, err) == -1 ||
	    apij_set_options(body, &p->extra, err) == -1)
		return -1;
	return 0;
}

/*
 * The same for a domain seen as a project (svc_domain_update): its
 * domain_id and parent_id are None, its is_domain true; disabling it is
 * allowed whatever its projects are (resource/core.py _update_project).
 */
static int
domain_project_edit(void *obj, void *cls, struct kg_err *err)
{
	struct kg_domain	*d = obj;
	json_t			*body = cls;
	struct pbody		 b;

	pbody_read(body, &b);
	if (apij_matching_id(body, d->id, err) == -1)
		return -1;
	if (b.domain_id != NULL)
		return kg_errf(err, KG_EBADREQ, "Cannot change Domain ID");
	if (apij_immutable_edit(d->extra, body, "domain", d->id, err) == -1)
		return -1;
	if (b.parent_id != NULL)
		return kg_errf(err, KG_EFORBID, "Update of `parent_id` is not allowed.");
	if (b.is_domain_given && !b.is_domain)
		return kg_errf(err, KG_EBADREQ, "Update of `is_domain` is not allowed.");
	apij_set_bool(body, "enabled", &d->enabled);
	if (b.name != NULL)
		apij_strip(b.name, d->name, sizeof(d->name));
	if (apij_set_text(body, "description", &d->description, err) == -1 ||
	    apij_set_extra(body, apij_project_keys, &d->extra, err) == -1 ||
	    apij_set_extra_tags(body, &d->extra, err) == -1 ||
	    apij_set_options(body, &d->extra, err) == -1)
		return -1;
	return 0;
}

static int
update_project(struct req *r, struct kg_err *err)
{
	struct svc_edit	 edit = { project_edit, NULL };
	struct pview	 v;
	json_t		*obj, *tags;
	int		 status;

	if (load_pview(r, "identity:update_project", r->params[0], &v, err) == -1)
		return -1;
	pview_free(&v);
	if ((obj = apij_body_object(r, "project", err)) == NULL)
		return -1;
	edit.cls = obj;
	if (v.is_domain) {
		edit.fn = domain_project_edit;
		if (svc_domain_update(r->st, r->params[0], &edit, &v.d, err) == -1)
			return -1;
	} else {
		tags = json_object_get(obj, "tags");
		if (svc_project_update(r->st, r->params[0], &edit, tags != NULL,
		    &v.p, err) == -1)
			return -1;
	}
	status = apij_reply_member(r, "project", pview_json(r, &v), 200, err);
	pview_free(&v);
	return status;
}

static int
delete_project(struct req *r, struct kg_err *err)
{
	struct pview	v;
	int		cascade = req_query_bool(r, "cascade", 0), ret;

	if (load_pview(r, "identity:delete_project", r->params[0], &v, err) == -1)
		return -1;
	pview_free(&v);
	if (cascade == -1)
		return kg_errf(err, KG_EBADREQ, "Invalid input for query parameters "
		    "cascade. Value: %.64s. Expecting a boolean.",
		    req_query(r, "cascade"));
	/* Deleting a project acting as a domain deletes the domain. */
	if (v.is_domain)
		ret = svc_domain_delete(r->st, r->params[0], err);
	else if (cascade)
		ret = svc_project_delete_subtree(r->st, r->params[0], err);
	else
		ret = svc_project_delete(r->st, r->params[0], err);
	return ret == -1 ? -1 : 204;
}

/* ------------------------------------------------------------------------
 * Tags.
 * --------------------------------------------------------------------- */

/* {"tags": tags, "links": {"self": <this URL>}} as Keystone's tag
 * replies, stealing tags. */
static int
reply_tags(struct req *r, json_t *tags, struct kg_err *err)
{
	if (tags == NULL)
		return apij_oom(err);
	json_decref(r->out);
	if ((r->out = json_pack("{s:o, s:o}", "tags", tags, "links",
	    req_links(r))) == NULL)
		return apij_oom(err);
	json_object_del(json_object_get(r->out, "links"), "previous");
	json_object_del(json_object_get(r->out, "links"), "next");
	return 200;
}

/* The tags of a project or a domain as a JSON array (new reference). */
static json_t *
pview_tags(struct req *r, const struct pview *v)
{
	json_t	*o = pview_json(r, v), *tags;

	tags = json_incref(json_object_get(o, "tags"));
	json_decref(o);
	return tags;
}

static int
list_tags(struct req *r, struct kg_err *err)
{
	struct pview	v;
	int		status;

	if (load_pview(r, "identity:list_project_tags", r->params[0], &v,
	    err) == -1)
		return -1;
	status = reply_tags(r, pview_tags(r, &v), err);
	pview_free(&v);
	return status;
}

static int
replace_tags(struct req *r, struct kg_err *err)
{
	struct pview	  v;
	json_t		 *t, *arr;
	char		**tv = NULL;
	size_t		  ntv = 0, i;
	int		  status = -1;

	if (load_pview(r, "identity:update_project_tags", r->params[0], &v,
	    err) == -1)
		return -1;
	pview_free(&v);
	/* request_validate checked Keystone's project_tags_update schema. */
	if ((t = apij_body(r, err)) == NULL && err->kind != KG_OK)
		return -1;
	t = json_object_get(t, "tags");
	if (apij_tags(t, &tv, &ntv, err) == -1 ||
	    svc_project_tags_set(r->st, r->params[0], tv, ntv, err) == -1)
		goto done;
	arr = json_array();
	for (i = 0; arr != NULL && i < ntv; i++)
		json_array_append_new(arr, json_string(tv[i]));
	status = reply_tags(r, arr, err);
 done:
	store_strv_free(tv, ntv);
	return status;
}

static int
clear_tags(struct req *r, struct kg_err *err)
{
	struct pview	v;

	if (load_pview(r, "identity:delete_project_tags", r->params[0], &v,
	    err) == -1)
		return -1;
	pview_free(&v);
	if (svc_project_tags_set(r->st, r->params[0], NULL, 0, err) == -1)
		return -1;
	return 204;
}

static int
check_tag(struct req *r, struct kg_err *err)
{
	struct pview	 v;
	json_t		*tags, *t;
	size_t		 i;
	int		 found = 0;

	if (load_pview(r, "identity:get_project_tag", r->params[0], &v, err) == -1)
		return -1;
	tags = pview_tags(r, &v);
	pview_free(&v);
	json_array_foreach(tags, i, t)
		if (strcmp(json_string_value(t), r->params[1]) == 0)
			found = 1;
	json_decref(tags);
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
 * Keystone's check of the tags a project would have with tag added (a new
 * one: the 81st gets "[...] is too long"). svc_project_tag_add checks the
 * count again inside its transaction. tags: the project's (NULL: out of
 * memory).
 */
static int
check_new_tag(const json_t *tags, const char *tag, struct kg_err *err)
{
	json_t	*a, *t;
	size_t	 i;
	int	 ret;

	if (tags == NULL)
		return apij_oom(err);
	json_array_foreach(tags, i, t)
		if (strcmp(json_string_value(t), tag) == 0)
			return 0;
	if ((a = json_copy((json_t *)tags)) == NULL ||
	    json_array_append_new(a, json_string(tag)) == -1) {
		json_decref(a);
		return apij_oom(err);
	}
	ret = bodies_check_tags(a, err);
	json_decref(a);
	return ret;
}

static int
add_tag(struct req *r, struct kg_err *err)
{
	struct pview	 v;
	json_t		*tags;
	char		 tag[1024], base[600], etag[3 * 1024];
	int		 ret;

	if (load_pview(r, "identity:create_project_tag", r->params[0], &v,
	    err) == -1)
		return -1;
	tags = pview_tags(r, &v);
	pview_free(&v);
	if (apij_tag_check(r->params[1], err) == -1) {
		json_decref(tags);
		return -1;
	}
	apij_strip(r->params[1], tag, sizeof(tag));
	ret = check_new_tag(tags, tag, err);
	json_decref(tags);
	if (ret == -1 || svc_project_tag_add(r->st, r->params[0], tag, err) == -1)
		return -1;
	/* Keystone answers with the new tag's URL. */
	req_base_url(r, base, sizeof(base));
	url_escape(r->params[1], etag, sizeof(etag));
	if (asprintf(&r->location, "%s/v3/projects/%s/tags/%s", base,
	    r->params[0], etag) == -1) {
		r->location = NULL;
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	}
	return 201;
}

static int
delete_tag(struct req *r, struct kg_err *err)
{
	struct pview	v;

	if (load_pview(r, "identity:delete_project_tag", r->params[0], &v,
	    err) == -1)
		return -1;
	pview_free(&v);
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
