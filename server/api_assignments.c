/*
 * api_assignments.c - role grants and role assignments: the grant routes
 * under /v3/projects, /v3/domains, /v3/system and /v3/OS-INHERIT, and
 * GET /v3/role_assignments, as Keystone serves them (keystone/api/
 * projects.py, domains.py, system.py, os_inherit.py, role_assignments.py).
 *
 * Grants change through svc/grant.c, which checks in one transaction
 * that what a grant names exists, and records the revocation events that
 * removing one implies, so the server and offline checkers stop honouring
 * tokens that carried the role.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "server/apijson.h"
#include "server/views.h"
#include "server/ptarget.h"
#include "store/scope.h"
#include "svc/svc.h"

/* ------------------------------------------------------------------------
 * Grants.
 * --------------------------------------------------------------------- */

/* Which grant a route is about. */
struct grant_spec {
	enum kg_scope_kind	kind;		/* PROJECT, DOMAIN or SYSTEM */
	int			is_group;
	int			inherited;	/* OS-INHERIT ... inherited_to_projects */
};

/* The parts of a grant URL, checked as Keystone's enforcement target. */
struct grant_ref {
	const char	*target_id;	/* NULL for system */
	const char	*actor_id;
	const char	*role_id;	/* NULL for list routes */
	struct kg_role	 role;
	char		 target_domain[STORE_ID_SIZE];	/* project's domain / domain */
	int		 actor_missing;
};

/* The objects a grant URL names, as its policy target. */
struct grant_objs {
	struct kg_user		user;
	struct kg_group		group;
	struct kg_project	project;
	struct kg_domain	domain;
};

static void
grant_objs_free(struct grant_objs *o)
{
	kg_user_free(&o->user);
	kg_group_free(&o->group);
	kg_project_free(&o->project);
	kg_domain_free(&o->domain);
}

/*
 * Resolve the URL and check rule on it as Keystone's controllers do: the
 * objects found become the target (target.role, .user or .group,
 * .project or .domain; req_authorize adds the URL's ids). A missing object is
 * a 404 before the check, in Keystone's order (project grants: role,
 * actor, project; domain grants: domain, role, actor; system: role,
 * actor), except a missing actor when allow_missing (DELETE). OS-INHERIT
 * looks everything up and checks the rule first (a missing object is
 * absent from the target), then reports the first missing one.
 */
static int
grant_load(struct req *r, const struct grant_spec *g, int with_role,
    int allow_missing, const char *rule, struct grant_ref *ref,
    struct kg_err *err)
{
	struct policy_target	 t = { 0 };
	struct grant_objs	 o;
	struct kg_err		 e[4] = { { 0 } };	/* role, actor, target */
	struct kg_err		*first = NULL;
	size_t			 i = 0, k;
	int			 ret = -1;

	memset(ref, 0, sizeof(*ref));
	memset(&o, 0, sizeof(o));
	if (g->kind != KG_SCOPE_SYSTEM)
		ref->target_id = r->params[i++];
	ref->actor_id = r->params[i++];
	if (with_role) {
		ref->role_id = r->params[i++];
		if (store_role_get(r->st, ref->role_id, &ref->role, &e[0]) == 0)
			ptarget_role(&t, &ref->role, PT_ROLE);
	}
	if (g->is_group) {
		if (store_group_get(r->st, ref->actor_id, &o.group, &e[1]) == 0)
			ptarget_group(&t, &o.group);
	} else {
		if (store_user_get(r->st, ref->actor_id, &o.user, &e[1]) == 0)
			ptarget_user(&t, &o.user);
	}
	if (e[1].kind == KG_ENOTFOUND && allow_missing) {
		ref->actor_missing = 1;
		e[1].kind = KG_OK;
	}
	if (g->kind == KG_SCOPE_PROJECT) {
		if (store_project_get(r->st, ref->target_id, &o.project, &e[2]) == 0) {
			ptarget_project(&t, &o.project);
			kg_strlcpy(ref->target_domain, o.project.domain_id,
			    sizeof(ref->target_domain));
		}
	} else if (g->kind == KG_SCOPE_DOMAIN) {
		if (store_domain_get(r->st, ref->target_id, &o.domain, &e[2]) == 0) {
			ptarget_domain(&t, &o.domain);
			kg_strlcpy(ref->target_domain, ref->target_id,
			    sizeof(ref->target_domain));
		}
	}
	/* Keystone's look-up order, and the first look-up that failed. */
	{
		static const size_t	order_project[] = { 0, 1, 2 };
		static const size_t	order_domain[] = { 2, 0, 1 };
		const size_t		*order = g->kind == KG_SCOPE_DOMAIN ?
					    order_domain : order_project;

		for (k = 0; k < 3 && first == NULL; k++)
			if (e[order[k]].kind != KG_OK)
				first = &e[order[k]];
	}
	if (first != NULL && (first->kind != KG_ENOTFOUND || !g->inherited)) {
		*err = *first;
		goto done;
	}
	if (req_authorize(r, rule, &t, err) == -1)
		goto done;
	if (first != NULL) {
		*err = *first;
		goto done;
	}
	ret = 0;
 done:
	grant_objs_free(&o);
	if (ret == -1)
		kg_role_free(&ref->role);
	return ret;
}

static int
grant_check(struct req *r, const struct grant_spec *g, struct kg_err *err)
{
	struct grant_ref	ref;
	int			ret;

	if (grant_load(r, g, 1, 0, g->kind == KG_SCOPE_SYSTEM ? (g->is_group ?
	    "identity:check_system_grant_for_group" :
	    "identity:check_system_grant_for_user") : "identity:check_grant",
	    &ref, err) == -1)
		return -1;
	ret = store_grant_check(r->st, g->is_group, ref.actor_id, g->kind,
	    ref.target_id, ref.role_id, g->inherited, err);
	kg_role_free(&ref.role);
	return ret == 0 ? 204 : -1;
}

/* The grant a URL names, for svc/grant.c. */
static void
grant_of(const struct grant_spec *g, const struct grant_ref *ref,
    struct svc_grant *out)
{
	memset(out, 0, sizeof(*out));
	out->is_group = g->is_group;
	out->actor_id = ref->actor_id;
	out->kind = g->kind;
	out->target_id = ref->target_id;
	out->role_id = ref->role_id;
	out->inherited = g->inherited;
}

static int
grant_put(struct req *r, const struct grant_spec *g, struct kg_err *err)
{
	struct grant_ref	ref;
	struct svc_grant	sg;
	int			ret;

	if (grant_load(r, g, 1, 0, g->kind == KG_SCOPE_SYSTEM ? (g->is_group ?
	    "identity:create_system_grant_for_group" :
	    "identity:create_system_grant_for_user") : "identity:create_grant",
	    &ref, err) == -1)
		return -1;
	grant_of(g, &ref, &sg);
	ret = svc_grant_create(r->st, &sg, err);
	kg_role_free(&ref.role);
	return ret == -1 ? -1 : 204;
}

static int
grant_delete(struct req *r, const struct grant_spec *g, struct kg_err *err)
{
	struct grant_ref	ref;
	struct svc_grant	sg;
	int			ret;

	if (grant_load(r, g, 1, 1, g->kind == KG_SCOPE_SYSTEM ? (g->is_group ?
	    "identity:revoke_system_grant_for_group" :
	    "identity:revoke_system_grant_for_user") : "identity:revoke_grant",
	    &ref, err) == -1)
		return -1;
	grant_of(g, &ref, &sg);
	ret = svc_grant_delete(r->st, &sg, err);
	kg_role_free(&ref.role);
	return ret == -1 ? -1 : 204;
}

static int
grant_list(struct req *r, const struct grant_spec *g, struct kg_err *err)
{
	struct grant_ref	 ref;
	struct kg_role		*v;
	size_t			 n;
	int			 ret;

	if (grant_load(r, g, 0, 0, g->kind == KG_SCOPE_SYSTEM ? (g->is_group ?
	    "identity:list_system_grants_for_group" :
	    "identity:list_system_grants_for_user") : "identity:list_grants",
	    &ref, err) == -1)
		return -1;
	if (store_grant_roles(r->st, g->is_group, ref.actor_id, g->kind,
	    ref.target_id, g->inherited, &v, &n, err) == -1)
		return -1;
	ret = apij_reply_roles(r, v, n, err);
	kg_role_list_free(v, n);
	return ret;
}

/* One set of four handlers per kind of grant URL. */
#define GRANT_HANDLERS(name, kind, is_group, inherited)			\
static const struct grant_spec name##_spec = { kind, is_group, inherited }; \
static int								\
name##_check(struct req *r, struct kg_err *err)				\
{									\
	return grant_check(r, &name##_spec, err);			\
}									\
static int								\
name##_put(struct req *r, struct kg_err *err)				\
{									\
	return grant_put(r, &name##_spec, err);				\
}									\
static int								\
name##_delete(struct req *r, struct kg_err *err)			\
{									\
	return grant_delete(r, &name##_spec, err);			\
}									\
static int __attribute__((unused))					\
name##_list(struct req *r, struct kg_err *err)				\
{									\
	return grant_list(r, &name##_spec, err);			\
}

GRANT_HANDLERS(pu, KG_SCOPE_PROJECT, 0, 0)
GRANT_HANDLERS(pg, KG_SCOPE_PROJECT, 1, 0)
GRANT_HANDLERS(du, KG_SCOPE_DOMAIN, 0, 0)
GRANT_HANDLERS(dg, KG_SCOPE_DOMAIN, 1, 0)
GRANT_HANDLERS(su, KG_SCOPE_SYSTEM, 0, 0)
GRANT_HANDLERS(sg, KG_SCOPE_SYSTEM, 1, 0)
GRANT_HANDLERS(ipu, KG_SCOPE_PROJECT, 0, 1)
GRANT_HANDLERS(ipg, KG_SCOPE_PROJECT, 1, 1)
GRANT_HANDLERS(idu, KG_SCOPE_DOMAIN, 0, 1)
GRANT_HANDLERS(idg, KG_SCOPE_DOMAIN, 1, 1)

/* ------------------------------------------------------------------------
 * GET /v3/role_assignments
 * --------------------------------------------------------------------- */

/* request.args.get(name) is truthy: present and non-empty. */
static const char *
arg(struct req *r, const char *name)
{
	const char	*v = req_query(r, name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* {"id", "name", "domain": {"id", "name"}} for an owned object. */
static json_t *
named_ref(struct store *st, enum kg_assign_obj obj, const char *id,
    int with_domain, struct kg_err *err)
{
	struct kg_assign_name	nm;
	struct kg_err		lerr = { 0 };

	if (store_assign_name(st, obj, id, &nm, &lerr) == -1) {
		/* Keystone shows users and groups gone from the backend with
		 * empty names. The listing reads one snapshot and the schema
		 * keeps no grant on what is gone, so this is for them only; one
		 * object missing never fails the whole list. */
		if (lerr.kind != KG_ENOTFOUND) {
			*err = lerr;
			return NULL;
		}
		memset(&nm, 0, sizeof(nm));
	}
	if (!with_domain)
		return json_pack("{s:s, s:s}", "id", id, "name", nm.name);
	return json_pack("{s:s, s:s, s:{s:s, s:s}}", "id", id, "name", nm.name,
	    "domain", "id", nm.domain_id, "name", nm.domain_name);
}

/* Keystone's RoleAssignmentsResource._format_entity. */
static json_t *
format_assignment(struct req *r, const struct kg_assignment *a, int names,
    struct kg_err *err)
{
	json_t			*e = NULL, *links, *scope, *o;
	struct kg_assign_name	 rn;
	char			 link[1200], url[2000], mpath[300];
	size_t			 len = 0;
	int			 inherited = a->inherited;

	link[0] = '\0';
#define LINKF(...) (len += (size_t)snprintf(link + len,			\
	len < sizeof(link) ? sizeof(link) - len : 0, __VA_ARGS__),	\
	len = len < sizeof(link) ? len : sizeof(link) - 1)

	if ((e = json_object()) == NULL || (links = json_object()) == NULL ||
	    json_object_set_new(e, "links", links) == -1 ||
	    (scope = json_object()) == NULL)
		goto oom;
	switch (a->kind) {
	case KG_SCOPE_PROJECT:
		o = names ? named_ref(r->st, KG_OBJ_PROJECT, a->target_id, 1, err) :
		    json_pack("{s:s}", "id", a->target_id);
		if (o == NULL || json_object_set_new(scope, "project", o) == -1)
			goto fail_scope;
		if (a->via_kind == KG_SCOPE_DOMAIN) {
			inherited = 1;
			LINKF("/domains/%s", a->via_target);
		} else if (a->via_kind == KG_SCOPE_PROJECT) {
			inherited = 1;
			LINKF("/projects/%s", a->via_target);
		} else
			LINKF("/projects/%s", a->target_id);
		break;
	case KG_SCOPE_DOMAIN:
		o = names ? named_ref(r->st, KG_OBJ_DOMAIN, a->target_id, 0, err) :
		    json_pack("{s:s}", "id", a->target_id);
		if (o == NULL || json_object_set_new(scope, "domain", o) == -1)
			goto fail_scope;
		LINKF("/domains/%s", a->target_id);
		break;
	default:
		LINKF("/system");
		if (json_object_set_new(scope, "system",
		    json_pack("{s:b}", "all", 1)) == -1)
			goto fail_scope;
		break;
	}
	if (json_object_set_new(e, "scope", scope) == -1)
		goto oom;
	if (!a->is_group) {
		o = names ? named_ref(r->st, KG_OBJ_USER, a->actor_id, 1, err) :
		    json_pack("{s:s}", "id", a->actor_id);
		if (o == NULL || json_object_set_new(e, "user", o) == -1)
			goto fail;
		if (a->via_group[0] != '\0') {
			snprintf(mpath, sizeof(mpath), "/groups/%s/users/%s",
			    a->via_group, a->actor_id);
			apij_url(r, mpath, url, sizeof(url));
			if (json_object_set_new(links, "membership",
			    json_string(url)) == -1)
				goto oom;
			LINKF("/groups/%s", a->via_group);
		} else
			LINKF("/users/%s", a->actor_id);
	} else {
		o = names ? named_ref(r->st, KG_OBJ_GROUP, a->actor_id, 1, err) :
		    json_pack("{s:s}", "id", a->actor_id);
		if (o == NULL || json_object_set_new(e, "group", o) == -1)
			goto fail;
		LINKF("/groups/%s", a->actor_id);
	}
	if (names) {
		memset(&rn, 0, sizeof(rn));
		if (store_assign_name(r->st, KG_OBJ_ROLE, a->role_id, &rn, err) == -1 &&
		    err->kind != KG_ENOTFOUND)
			goto fail;
		kg_err_clear(err);
		o = rn.domain_id[0] != '\0' ? json_pack("{s:s, s:s, s:{s:s, s:s}}",
		    "id", a->role_id, "name", rn.name, "domain", "id", rn.domain_id,
		    "name", rn.domain_name) : json_pack("{s:s, s:s}", "id",
		    a->role_id, "name", rn.name);
	} else
		o = json_pack("{s:s}", "id", a->role_id);
	if (o == NULL || json_object_set_new(e, "role", o) == -1)
		goto oom;
	LINKF("/roles/%s", a->prior_role[0] != '\0' ? a->prior_role : a->role_id);
	if (inherited) {
		if (json_object_set_new(scope, "OS-INHERIT:inherited_to",
		    json_string("projects")) == -1)
			goto oom;
		snprintf(url, sizeof(url), "/OS-INHERIT%s/inherited_to_projects", link);
		kg_strlcpy(link, url, sizeof(link));
	}
	apij_url(r, link, url, sizeof(url));
	if (json_object_set_new(links, "assignment", json_string(url)) == -1)
		goto oom;
	if (a->prior_role[0] != '\0') {
		/* Keystone's own text, prior and implied as it names them. */
		snprintf(link, sizeof(link), "/prior_role/%s/implies/%s", a->role_id,
		    a->prior_role);
		apij_url(r, link, url, sizeof(url));
		if (json_object_set_new(links, "prior_role", json_string(url)) == -1)
			goto oom;
	}
	return e;
#undef LINKF
 fail_scope:
	json_decref(scope);
 fail:
	json_decref(e);
	if (err->kind == KG_OK)
		apij_oom(err);
	return NULL;
 oom:
	json_decref(e);
	apij_oom(err);
	return NULL;
}

/* Does an assignment concern domain_id (its domain or a project in it)? */
static int
in_domain(struct req *r, const struct kg_assignment *a, const char *domain_id,
    struct kg_err *err)
{
	struct kg_assign_name	nm;

	if (a->kind == KG_SCOPE_DOMAIN)
		return strcmp(a->target_id, domain_id) == 0;
	if (a->kind != KG_SCOPE_PROJECT)
		return 0;
	if (store_assign_name(r->st, KG_OBJ_PROJECT, a->target_id, &nm, err) == -1) {
		if (err->kind != KG_ENOTFOUND)
			return -1;
		kg_err_clear(err);	/* gone: in no domain */
		return 0;
	}
	return strcmp(nm.domain_id, domain_id) == 0;
}

static int
list_role_assignments(struct req *r, struct kg_err *err)
{
	struct kg_assign_filter	 f;
	struct policy_target	 t = { 0 };
	struct kg_assignment	*v = NULL;
	json_t			*list = NULL, *o;
	const char		*inh, *sys;
	size_t			 n = 0, i;
	int			 names, in, ret = -1, tx = 0;

	memset(&f, 0, sizeof(f));
	f.user_id = arg(r, "user.id");
	f.group_id = arg(r, "group.id");
	f.role_id = arg(r, "role.id");
	f.project_id = arg(r, "scope.project.id");
	f.domain_id = arg(r, "scope.domain.id");
	sys = arg(r, "scope.system");
	f.system = sys != NULL && strcmp(sys, "all") == 0;
	f.effective = apij_query_true(r, "effective");
	f.include_subtree = apij_query_true(r, "include_subtree");
	names = apij_query_true(r, "include_names");
	inh = req_query(r, "scope.OS-INHERIT:inherited_to");
	f.inherited = inh == NULL ? -1 : strcmp(inh, "projects") == 0;

	if (f.include_subtree) {
		struct kg_project	p;
		int			rc;

		/* Keystone: target.project when scope.project.id is given, and
		 * (29) target.domain_id, its domain, for domain-scoped tokens. */
		memset(&p, 0, sizeof(p));
		if (f.project_id != NULL) {
			if (store_project_get(r->st, f.project_id, &p, err) == -1)
				return -1;
			ptarget_project(&t, &p);
			t.v[PK_TARGET_DOMAIN_ID] = p.domain_id;
		}
		rc = req_authorize(r, "identity:list_role_assignments_for_tree", &t,
		    err);
		kg_project_free(&p);
		if (rc == -1)
			return -1;
		if (f.project_id == NULL)
			return kg_errf(err, KG_EBADREQ, "scope.project.id must be"
			    " specified if include_subtree is also specified");
		/* The tree listing has no system filter. */
		f.system = 0;
		sys = NULL;
	} else {
		if (r->ctx->scope == KG_SCOPE_DOMAIN)
			t.v[PK_TARGET_DOMAIN_ID] = r->ctx->domain_id;
		if (req_authorize(r, "identity:list_role_assignments", &t, err) == -1)
			return -1;
	}
	if (f.domain_id != NULL && f.project_id != NULL)
		return kg_errf(err, KG_EBADREQ, "Specify a domain or project, not both");
	if (f.domain_id != NULL && sys != NULL)
		return kg_errf(err, KG_EBADREQ, "Specify system or domain, not both");
	if (f.project_id != NULL && sys != NULL)
		return kg_errf(err, KG_EBADREQ, "Specify system or project, not both");
	if (f.user_id != NULL && f.group_id != NULL)
		return kg_errf(err, KG_EBADREQ, "Specify a user or group, not both");
	if (f.effective && f.group_id != NULL)
		return kg_errf(err, KG_EBADREQ, "Combining effective and group filter"
		    " will always result in an empty list.");
	if (f.effective && f.inherited == 1 && f.domain_id != NULL)
		return kg_errf(err, KG_EBADREQ, "Combining effective, domain and"
		    " inherited filters will always result in an empty list.");

	/* The list and the names in it from one snapshot: concurrent deletes
	 * cannot leave an entry whose project or role has gone. */
	if ((tx = store_read_begin(r->st, err)) == -1)
		return -1;
	if (store_assignment_list(r->st, &f, &v, &n, err) == -1)
		goto done;
	if ((list = json_array()) == NULL) {
		apij_oom(err);
		goto done;
	}
	for (i = 0; i < n; i++) {
		/* A domain-scoped caller sees its domain's assignments only. */
		if (!f.include_subtree && r->ctx->scope == KG_SCOPE_DOMAIN) {
			if ((in = in_domain(r, &v[i], r->ctx->domain_id, err)) == -1)
				goto done;
			if (!in)
				continue;
		}
		if ((o = format_assignment(r, &v[i], names, err)) == NULL)
			goto done;
		if (json_array_append_new(list, o) == -1) {
			apij_oom(err);
			goto done;
		}
	}
	ret = apij_reply_list_links(r, "role_assignments", list,
	    apij_query_links(r), err);
	list = NULL;
 done:
	store_read_end(r->st, tx);
	json_decref(list);
	free(v);
	return ret;
}

#define GRANT_ROUTES(prefix, name)					\
	{ "GET",    prefix "/roles",	name##_list,	R_AUTH },	\
	{ "GET",    prefix "/roles/{}",	name##_check,	R_AUTH },	\
	{ "PUT",    prefix "/roles/{}",	name##_put,	R_AUTH },	\
	{ "DELETE", prefix "/roles/{}",	name##_delete,	R_AUTH }

#define INHERIT_ROUTES(prefix, name)					\
	{ "GET",    prefix "/roles/{}/inherited_to_projects", name##_check, R_AUTH }, \
	{ "PUT",    prefix "/roles/{}/inherited_to_projects", name##_put, R_AUTH },   \
	{ "DELETE", prefix "/roles/{}/inherited_to_projects", name##_delete, R_AUTH }

const struct route api_assignments_routes[] = {
	GRANT_ROUTES("/v3/projects/{}/users/{}", pu),
	GRANT_ROUTES("/v3/projects/{}/groups/{}", pg),
	GRANT_ROUTES("/v3/domains/{}/users/{}", du),
	GRANT_ROUTES("/v3/domains/{}/groups/{}", dg),
	GRANT_ROUTES("/v3/system/users/{}", su),
	GRANT_ROUTES("/v3/system/groups/{}", sg),
	INHERIT_ROUTES("/v3/OS-INHERIT/projects/{}/users/{}", ipu),
	INHERIT_ROUTES("/v3/OS-INHERIT/projects/{}/groups/{}", ipg),
	INHERIT_ROUTES("/v3/OS-INHERIT/domains/{}/users/{}", idu),
	INHERIT_ROUTES("/v3/OS-INHERIT/domains/{}/groups/{}", idg),
	{ "GET", "/v3/OS-INHERIT/domains/{}/users/{}/roles/inherited_to_projects",
	    idu_list, R_AUTH },
	{ "GET", "/v3/OS-INHERIT/domains/{}/groups/{}/roles/inherited_to_projects",
	    idg_list, R_AUTH },
	{ "GET", "/v3/role_assignments", list_role_assignments, R_AUTH },
	{ NULL, NULL, NULL, 0 }
};
