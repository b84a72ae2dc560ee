/*
 * api_groups.c - /v3/groups and group membership, as Keystone
 * (keystone/api/groups.py, keystone/identity/core.py). Changes go through
 * svc/group.c: removing a member revokes that user's tokens (its roles may
 * drop); deleting a group that holds grants revokes every member's tokens.
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "server/http.h"
#include "server/apijson.h"
#include "server/page.h"
#include "server/views.h"
#include "server/ptarget.h"
#include "store/identity.h"
#include "svc/svc.h"

static const char *const group_known[] = { "id", "name", "description",
	"domain_id", "links", NULL };

/*
 * Load group id after checking rule on it, as Keystone's groups.py does:
 * the target is the group and, for membership calls, the user (each when
 * found); a missing group is reported after the check. With strict, a
 * missing group is a 404 before the check (Keystone's member target for
 * DELETE).
 */
static int
load_group_as(struct req *r, const char *rule, const char *id,
    const char *user_id, int strict, struct kg_group *g, struct kg_err *err)
{
	struct policy_target	t = { 0 };
	struct kg_err		lerr = { 0 };
	struct kg_user		u;
	int			rc;

	memset(g, 0, sizeof(*g));
	memset(&u, 0, sizeof(u));
	if (store_group_get(r->st, id, g, &lerr) == 0)
		ptarget_group(&t, g);
	else if (strict && lerr.kind == KG_ENOTFOUND) {
		*err = lerr;
		return -1;
	}
	if (user_id != NULL && store_user_get(r->st, user_id, &u, NULL) == 0)
		ptarget_user(&t, &u);
	rc = apij_authorize_lookup(r, rule, &t, &lerr, err);
	kg_user_free(&u);
	if (rc == -1)
		kg_group_free(g);
	return rc;
}

static int
load_group(struct req *r, const char *rule, const char *id, const char *user_id,
    struct kg_group *g, struct kg_err *err)
{
	return load_group_as(r, rule, id, user_id, 0, g, err);
}

/* The attributes of a create or update (request_validate checked them
 * against Keystone's group schema). */
static void
group_check(json_t *obj, const char **name, const char **desc,
    const char **domain_id)
{
	*name = apij_str(obj, "name");
	*desc = apij_str(obj, "description");
	*domain_id = apij_str(obj, "domain_id");
}

static int
create_group(struct req *r, struct kg_err *err)
{
	struct policy_target	 t = { 0 };
	struct kg_group		 g;
	json_t			*obj;
	const char		*name, *desc, *domain_id;
	int			 status = -1;

	memset(&g, 0, sizeof(g));
	if ((obj = apij_body_object(r, "group", err)) == NULL)
		return -1;
	group_check(obj, &name, &desc, &domain_id);
	kg_strlcpy(g.domain_id, domain_id ? domain_id : apij_default_domain(r),
	    sizeof(g.domain_id));
	ptarget_new_group(&t, obj);
	if (req_authorize(r, "identity:create_group", &t, err) == -1)
		return -1;
	if (kg_id_new(g.id) == -1)
		return kg_errf(err, KG_EINTERNAL, "no randomness");
	apij_strip(name, g.name, sizeof(g.name));
	g.description = (char *)(desc ? desc : "");
	if ((g.extra = apij_extra(obj, group_known, NULL, err)) == NULL)
		return -1;
	if (svc_group_create(r->st, &g, err) == 0)
		status = apij_reply_member(r, "group", apij_group(r, &g), 201, err);
	free(g.extra);
	return status;
}

static int
list_groups(struct req *r, struct kg_err *err)
{
	struct policy_target	 t = { 0 };
	struct kg_page		 pg;
	struct kg_group		*v = NULL;
	struct kg_name_match	 m;
	size_t			 n = 0, i;
	const char		*dom;
	json_t			*arr;
	int			 ret;

	/* Keystone: target.group.domain_id = the caller's domain, if any. */
	if (r->ctx->scope == KG_SCOPE_DOMAIN)
		t.v[PK_T_GROUP_DOMAIN_ID] = r->ctx->domain_id;
	if (req_authorize(r, "identity:list_groups", &t, err) == -1)
		return -1;
	if (page_from_request(r, PAGE_IDENTITY, &pg, err) == -1)
		return -1;
	if (!apij_list_domain(r, &dom))
		return apij_reply_list(r, "groups", json_array(), err);
	apij_name_match(r, &m);
	if (store_group_list(r->st, req_query(r, "name"), dom, &m, &pg, &v, &n,
	    err) == -1)
		return -1;
	arr = json_array();
	for (i = 0; arr != NULL && i < n; i++)
		json_array_append_new(arr, apij_group(r, &v[i]));
	ret = page_reply(r, "groups", arr, req_links(r), &pg, n ? v[n - 1].id :
	    NULL, err);
	kg_group_list_free(v, n);
	return ret;
}

static int
get_group(struct req *r, struct kg_err *err)
{
	struct kg_group	g;
	int		status;

	if (load_group(r, "identity:get_group", r->params[0], NULL, &g, err) == -1)
		return -1;
	status = apij_reply_member(r, "group", apij_group(r, &g), 200, err);
	kg_group_free(&g);
	return status;
}

/* The PATCH body applied to the group as stored (svc_group_update). */
static int
group_edit(void *obj, void *cls, struct kg_err *err)
{
	struct kg_group	*g = obj;
	json_t		*body = cls;
	const char	*name, *desc, *domain_id;

	if (apij_matching_id(body, g->id, err) == -1)
		return -1;
	group_check(body, &name, &desc, &domain_id);
	if (domain_id != NULL && strcmp(domain_id, g->domain_id) != 0)
		return kg_errf(err, KG_EBADREQ, "Cannot change Domain ID");
	if (name != NULL)
		apij_strip(name, g->name, sizeof(g->name));
	if (apij_set_text(body, "description", &g->description, err) == -1 ||
	    apij_set_extra(body, group_known, &g->extra, err) == -1)
		return -1;
	return 0;
}

static int
update_group(struct req *r, struct kg_err *err)
{
	struct svc_edit	 edit = { group_edit, NULL };
	struct kg_group	 g;
	json_t		*obj;
	int		 status;

	if (load_group(r, "identity:update_group", r->params[0], NULL, &g,
	    err) == -1)
		return -1;
	kg_group_free(&g);
	if ((obj = apij_body_object(r, "group", err)) == NULL)
		return -1;
	edit.cls = obj;
	if (svc_group_update(r->st, r->params[0], &edit, &g, err) == -1)
		return -1;
	status = apij_reply_member(r, "group", apij_group(r, &g), 200, err);
	kg_group_free(&g);
	return status;
}

static int
delete_group(struct req *r, struct kg_err *err)
{
	struct kg_group	g;

	if (load_group_as(r, "identity:delete_group", r->params[0], NULL, 1, &g,
	    err) == -1)
		return -1;
	kg_group_free(&g);
	if (svc_group_delete(r->st, r->params[0], err) == -1)
		return -1;
	return 204;
}

/* ------------------------------------------------------------------------
 * Membership.
 * --------------------------------------------------------------------- */

static int
list_group_users(struct req *r, struct kg_err *err)
{
	struct kg_group	 g;
	struct kg_user	*v = NULL;
	size_t		 n = 0, i;
	const char	*name = req_query(r, "name"), *dom = req_query(r, "domain_id");
	int		 enabled;
	json_t		*arr;

	if (load_group(r, "identity:list_users_in_group", r->params[0], NULL, &g,
	    err) == -1)
		return -1;
	kg_group_free(&g);
	if (apij_query_bool(r, "enabled", &enabled, err) == -1 ||
	    store_group_user_list(r->st, r->params[0], &v, &n, err) == -1)
		return -1;
	arr = json_array();
	for (i = 0; arr != NULL && i < n; i++) {
		if ((name != NULL && strcmp(name, v[i].name) != 0) ||
		    (dom != NULL && strcmp(dom, v[i].domain_id) != 0) ||
		    (enabled >= 0 && enabled != v[i].enabled))
			continue;
		/* Keystone's groups.py: a domain-scoped caller sees the
		 * members of its own domain only. */
		if (r->ctx->scope == KG_SCOPE_DOMAIN &&
		    strcmp(v[i].domain_id, r->ctx->domain_id) != 0)
			continue;
		json_array_append_new(arr, apij_user(r, &v[i]));
	}
	kg_user_list_free(v, n);
	return apij_reply_list(r, "users", arr, err);
}

static int
add_group_user(struct req *r, struct kg_err *err)
{
	struct kg_group	g;

	if (load_group(r, "identity:add_user_to_group", r->params[0], r->params[1],
	    &g, err) == -1)
		return -1;
	kg_group_free(&g);
	if (svc_group_add_user(r->st, r->params[0], r->params[1], err) == -1)
		return -1;
	return 204;
}

static int
check_group_user(struct req *r, struct kg_err *err)
{
	struct kg_group	g;

	if (load_group(r, "identity:check_user_in_group", r->params[0], r->params[1],
	    &g, err) == -1)
		return -1;
	kg_group_free(&g);
	if (store_group_check_user(r->st, r->params[0], r->params[1], err) == -1)
		return -1;
	return 204;
}

static int
remove_group_user(struct req *r, struct kg_err *err)
{
	struct kg_group	g;

	if (load_group(r, "identity:remove_user_from_group", r->params[0],
	    r->params[1], &g, err) == -1)
		return -1;
	kg_group_free(&g);
	if (svc_group_remove_user(r->st, r->params[0], r->params[1], err) == -1)
		return -1;
	return 204;
}

const struct route api_groups_routes[] = {
	{ "POST",	"/v3/groups",			create_group,	R_AUTH },
	{ "GET",	"/v3/groups",			list_groups,	R_AUTH },
	{ "GET",	"/v3/groups/{}",		get_group,	R_AUTH },
	{ "PATCH",	"/v3/groups/{}",		update_group,	R_AUTH },
	{ "DELETE",	"/v3/groups/{}",		delete_group,	R_AUTH },
	{ "GET",	"/v3/groups/{}/users",		list_group_users, R_AUTH },
	{ "PUT",	"/v3/groups/{}/users/{}",	add_group_user,	R_AUTH },
	{ "GET",	"/v3/groups/{}/users/{}",	check_group_user, R_AUTH },
	{ "DELETE",	"/v3/groups/{}/users/{}",	remove_group_user, R_AUTH },
	{ NULL, NULL, NULL, 0 }
};
