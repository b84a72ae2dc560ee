/*
 * api_users.c - /v3/users, as Keystone (keystone/api/users.py,
 * keystone/identity/core.py): create, list (filters name, domain_id,
 * enabled, password_expires_at), get, update, delete, the self-service
 * password change (no token: the original password proves the caller),
 * and a user's projects and groups. Password hashes never leave the
 * server. Changes go through svc/user.c, which records the revocations
 * they imply (password set, user disabled or deleted). Routes whose body
 * may carry a password are R_SLOW: bcrypt runs on a hashing thread.
 */
#include <stdlib.h>
#include <string.h>

#include "auth/password.h"
#include "common/util.h"
#include "server/http.h"
#include "server/apijson.h"
#include "server/page.h"
#include "server/views.h"
#include "server/ptarget.h"
#include "store/identity.h"
#include "svc/svc.h"

/* Attributes with a column, or read-only ones, never kept in "extra". */
static const char *const user_known[] = { "id", "name", "domain_id",
	"enabled", "password", "default_project_id", "options", "links",
	"password_expires_at", "federated", NULL };

/*
 * Load user id after checking rule on it: the target is the user, when
 * found (Keystone's _build_user_target_enforcement); a missing user is
 * reported after the check.
 */
static int
load_user(struct req *r, const char *rule, const char *id, struct kg_user *u,
    struct kg_err *err)
{
	struct policy_target	t = { 0 };
	struct kg_err		lerr = { 0 };

	memset(u, 0, sizeof(*u));
	if (store_user_get(r->st, id, u, &lerr) == 0)
		ptarget_user(&t, u);
	if (apij_authorize_lookup(r, rule, &t, &lerr, err) == -1) {
		kg_user_free(u);
		return -1;
	}
	return 0;
}

/* The attributes of a create or update (a body request_validate checked
 * against Keystone's user schema). */
static int
user_check(json_t *obj, const char **name, const char **domain_id,
    const char **password, const char **default_project_id,
    struct kg_err *err)
{
	json_t		*fed;

	*name = apij_str(obj, "name");
	*domain_id = apij_str(obj, "domain_id");
	*password = apij_str(obj, "password");
	*default_project_id = apij_str(obj, "default_project_id");
	fed = json_object_get(obj, "federated");
	if (fed != NULL && !json_is_null(fed))
		return kg_errf(err, KG_ENOTIMPL,
		    "Federated users are not supported by keygate.");
	return 0;
}

/* Hash a password with the configured bcrypt cost; NULL stays NULL. */
static int
hash_password(struct req *r, const char *password, char **hash,
    struct kg_err *err)
{
	*hash = NULL;
	if (password == NULL)
		return 0;
	if ((*hash = password_hash(password, r->srv->cfg.password_hash_rounds,
	    err)) == NULL)
		return -1;
	return 0;
}

static void
free_hash(char *hash)
{
	if (hash != NULL) {
		kg_wipe(hash, strlen(hash));
		free(hash);
	}
}

/* ------------------------------------------------------------------------
 * Create, list, get.
 * --------------------------------------------------------------------- */

static int
create_user(struct req *r, struct kg_err *err)
{
	struct policy_target	 t = { 0 };
	struct kg_user		 u;
	json_t			*obj;
	const char		*name, *domain_id, *password, *dpid;
	int			 status = -1;

	memset(&u, 0, sizeof(u));
	if ((obj = apij_body_object(r, "user", err)) == NULL)
		return -1;
	u.enabled = 1;
	if (user_check(obj, &name, &domain_id, &password, &dpid, err) == -1)
		return -1;
	apij_set_bool(obj, "enabled", &u.enabled);
	kg_strlcpy(u.domain_id, domain_id ? domain_id : apij_default_domain(r),
	    sizeof(u.domain_id));
	ptarget_new_user(&t, obj);
	if (req_authorize(r, "identity:create_user", &t, err) == -1)
		return -1;
	if (kg_id_new(u.id) == -1)
		return kg_errf(err, KG_EINTERNAL, "no randomness");
	apij_strip(name, u.name, sizeof(u.name));
	if (dpid != NULL)
		kg_strlcpy(u.default_project_id, dpid, sizeof(u.default_project_id));
	u.created_at = kg_now_us();
	if ((u.extra = apij_extra(obj, user_known, NULL, err)) == NULL)
		return -1;
	if (hash_password(r, password, &u.password_hash, err) == -1)
		goto done;
	if (svc_user_create(r->st, &u, err) == -1)
		goto done;
	status = apij_reply_member(r, "user", apij_user(r, &u), 201, err);
 done:
	kg_user_free(&u);
	return status;
}

/*
 * ?password_expires_at={lt,lte,gt,gte,eq,neq}:<time> (Keystone's
 * identity/core.py _translate_expired_password_hints) into f.
 */
static int
parse_expiry_filter(struct req *r, struct kg_user_filter *f, struct kg_err *err)
{
	static const struct { const char *name; enum kg_expires_op op; } ops[] = {
		{ "lt", KG_EXPIRES_LT }, { "lte", KG_EXPIRES_LTE },
		{ "gt", KG_EXPIRES_GT }, { "gte", KG_EXPIRES_GTE },
		{ "eq", KG_EXPIRES_EQ }, { "neq", KG_EXPIRES_NEQ },
	};
	const char	*v = req_query(r, "password_expires_at"), *colon, *ts;
	size_t		 i, len;

	f->expires_op = KG_EXPIRES_ANY;
	if (v == NULL)
		return 0;
	colon = strchr(v, ':');
	/* Keystone defaults to eq; a time contains ':' too. */
	ts = v;
	f->expires_op = KG_EXPIRES_EQ;
	if (colon != NULL) {
		len = (size_t)(colon - v);
		for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
			if (strlen(ops[i].name) == len &&
			    strncmp(ops[i].name, v, len) == 0) {
				f->expires_op = ops[i].op;
				ts = colon + 1;
			}
	}
	if (kg_time_parse(ts, &f->expires_at) == -1)
		return kg_errf(err, KG_EBADREQ, "Timestamp not in expected format. "
		    "The server could not comply with the request since it is either "
		    "malformed or otherwise incorrect. The client is assumed to be "
		    "in error.");
	return 0;
}

static int
list_users(struct req *r, struct kg_err *err)
{
	struct policy_target	 t = { 0 };
	struct kg_user_filter	 f;
	struct kg_page		 pg;
	struct kg_user		*v = NULL;
	size_t			 n = 0, i;
	json_t			*arr;
	int			 ret;

	if (r->ctx->scope == KG_SCOPE_DOMAIN)
		t.v[PK_TARGET_DOMAIN_ID] = r->ctx->domain_id;
	if (req_authorize(r, "identity:list_users", &t, err) == -1)
		return -1;
	memset(&f, 0, sizeof(f));
	if (apij_query_bool(r, "enabled", &f.enabled, err) == -1 ||
	    parse_expiry_filter(r, &f, err) == -1 ||
	    page_from_request(r, PAGE_IDENTITY, &pg, err) == -1)
		return -1;
	if (!apij_list_domain(r, &f.domain_id))
		return apij_reply_list(r, "users", json_array(), err);
	f.name = req_query(r, "name");
	apij_name_match(r, &f.match);
	if (store_user_list(r->st, &f, &pg, &v, &n, err) == -1)
		return -1;
	arr = json_array();
	for (i = 0; arr != NULL && i < n; i++)
		json_array_append_new(arr, apij_user(r, &v[i]));
	ret = page_reply(r, "users", arr, req_links(r), &pg, n ? v[n - 1].id :
	    NULL, err);
	kg_user_list_free(v, n);
	return ret;
}

static int
get_user(struct req *r, struct kg_err *err)
{
	struct kg_user	u;
	int		status;

	if (load_user(r, "identity:get_user", r->params[0], &u, err) == -1)
		return -1;
	status = apij_reply_member(r, "user", apij_user(r, &u), 200, err);
	kg_user_free(&u);
	return status;
}

/* ------------------------------------------------------------------------
 * Update, delete, password change.
 * --------------------------------------------------------------------- */

/*
 * The PATCH body applied to the user as stored (svc_user_update's edit):
 * Keystone's immutable attributes, then the changed ones.
 */
static int
user_edit(void *obj, void *cls, struct kg_err *err)
{
	struct kg_user	*u = obj;
	json_t		*body = cls;
	const char	*name, *domain_id, *password, *dpid;

	if (apij_matching(body, "id", u->id, "Cannot change user ID", err) == -1 ||
	    user_check(body, &name, &domain_id, &password, &dpid, err) == -1)
		return -1;
	if (domain_id != NULL && strcmp(domain_id, u->domain_id) != 0)
		return kg_errf(err, KG_EBADREQ, "Cannot change Domain ID");
	apij_set_bool(body, "enabled", &u->enabled);
	if (name != NULL)
		apij_strip(name, u->name, sizeof(u->name));
	if (json_object_get(body, "default_project_id") != NULL)
		kg_strlcpy(u->default_project_id, dpid ? dpid : "",
		    sizeof(u->default_project_id));
	return apij_set_extra(body, user_known, &u->extra, err);
}

static int
update_user(struct req *r, struct kg_err *err)
{
	struct svc_user_change	 c;
	struct kg_user		 u;
	json_t			*obj;
	const char		*name, *domain_id, *password, *dpid;
	char			*hash = NULL;
	int			 status = -1;

	memset(&u, 0, sizeof(u));
	memset(&c, 0, sizeof(c));
	if (load_user(r, "identity:update_user", r->params[0], &u, err) == -1)
		return -1;
	kg_user_free(&u);
	/* What can be checked from the body alone, before hashing. */
	if ((obj = apij_body_object(r, "user", err)) == NULL ||
	    user_check(obj, &name, &domain_id, &password, &dpid, err) == -1)
		goto done;
	/* bcrypt is slow: hash before the transaction (R_SLOW: on a hashing
	 * thread). */
	if (hash_password(r, password, &hash, err) == -1)
		goto done;
	c.edit.fn = user_edit;
	c.edit.cls = obj;
	c.set_password = json_object_get(obj, "password") != NULL;
	c.password_hash = hash;
	if (svc_user_update(r->st, r->params[0], &c, &u, err) == -1)
		goto done;
	status = apij_reply_member(r, "user", apij_user(r, &u), 200, err);
 done:
	free_hash(hash);
	kg_user_free(&u);
	return status;
}

static int
delete_user(struct req *r, struct kg_err *err)
{
	struct kg_user	u;

	if (load_user(r, "identity:delete_user", r->params[0], &u, err) == -1)
		return -1;
	kg_user_free(&u);
	if (svc_user_delete(r->st, r->params[0], err) == -1)
		return -1;
	return 204;
}

/*
 * POST /v3/users/{id}/password {"user": {"original_password", "password"}}:
 * unauthenticated in Keystone (the original password is the credential).
 * Any failure to prove it is a 401 that says nothing about why.
 */
static int
change_password(struct req *r, struct kg_err *err)
{
	struct kg_user	 u;
	json_t		*obj;
	const char	*orig, *pw;
	char		*hash = NULL;
	int		 status = -1;

	memset(&u, 0, sizeof(u));
	/* request_validate checked Keystone's password_change schema. */
	if ((obj = apij_body_object(r, "user", err)) == NULL)
		return -1;
	orig = apij_str(obj, "original_password");
	pw = apij_str(obj, "password");
	if (orig == NULL || pw == NULL)
		return kg_errf(err, KG_EBADREQ, "'%s' is a required property",
		    orig == NULL ? "original_password" : "password");
	if (store_user_get(r->st, r->params[0], &u, err) == -1) {
		if (err->kind == KG_ENOTFOUND) {
			/* A wrong password's cost: no timing oracle for ids. */
			(void)password_verify(orig, NULL);
			kg_errf(err, KG_EUNAUTH, "Invalid user / password");
		}
		return -1;
	}
	/* Expired passwords may be changed; disabled users may not. */
	if (!password_verify(orig, u.password_hash) || !u.enabled) {
		kg_errf(err, KG_EUNAUTH, "Invalid user / password");
		goto done;
	}
	if (hash_password(r, pw, &hash, err) == -1)
		goto done;
	/* Only if the password verified is still the user's. */
	if (svc_user_change_password(r->st, u.id, u.password_hash, hash,
	    err) == -1)
		goto done;
	status = 204;
 done:
	free_hash(hash);
	kg_user_free(&u);
	return status;
}

/* ------------------------------------------------------------------------
 * A user's projects and groups.
 * --------------------------------------------------------------------- */

static int
list_user_projects(struct req *r, struct kg_err *err)
{
	struct kg_user		 u;
	struct kg_project	*v = NULL;
	size_t			 n = 0, i;
	const char		*name = req_query(r, "name");
	const char		*dom = req_query(r, "domain_id");
	int			 enabled;
	json_t			*arr;

	if (load_user(r, "identity:list_user_projects", r->params[0], &u, err) == -1)
		return -1;
	kg_user_free(&u);
	if (apij_query_bool(r, "enabled", &enabled, err) == -1 ||
	    store_user_project_list(r->st, r->params[0], &v, &n, err) == -1)
		return -1;
	arr = json_array();
	for (i = 0; arr != NULL && i < n; i++) {
		if ((name != NULL && strcmp(name, v[i].name) != 0) ||
		    (dom != NULL && strcmp(dom, v[i].domain_id) != 0) ||
		    (enabled >= 0 && enabled != v[i].enabled))
			continue;
		json_array_append_new(arr, apij_project(r, &v[i]));
	}
	kg_project_list_free(v, n);
	return apij_reply_list(r, "projects", arr, err);
}

static int
list_user_groups(struct req *r, struct kg_err *err)
{
	struct kg_user	 u;
	struct kg_group	*v = NULL;
	size_t		 n = 0, i;
	const char	*name = req_query(r, "name");
	json_t		*arr, *g;

	if (load_user(r, "identity:list_groups_for_user", r->params[0], &u,
	    err) == -1)
		return -1;
	kg_user_free(&u);
	if (store_user_group_list(r->st, r->params[0], &v, &n, err) == -1)
		return -1;
	arr = json_array();
	for (i = 0; arr != NULL && i < n; i++) {
		if ((name != NULL && strcmp(name, v[i].name) != 0) ||
		    (r->ctx->scope == KG_SCOPE_DOMAIN &&
		    strcmp(v[i].domain_id, r->ctx->domain_id) != 0))
			continue;
		if ((g = apij_group(r, &v[i])) != NULL)
			json_object_set_new(g, "membership_expires_at", json_null());
		json_array_append_new(arr, g);
	}
	kg_group_list_free(v, n);
	return apij_reply_list(r, "groups", arr, err);
}

const struct route api_users_routes[] = {
	{ "POST",	"/v3/users",			create_user,	R_AUTH | R_SLOW },
	{ "GET",	"/v3/users",			list_users,	R_AUTH },
	{ "GET",	"/v3/users/{}",			get_user,	R_AUTH },
	{ "PATCH",	"/v3/users/{}",			update_user,	R_AUTH | R_SLOW },
	{ "DELETE",	"/v3/users/{}",			delete_user,	R_AUTH },
	{ "POST",	"/v3/users/{}/password",	change_password, R_SLOW },
	{ "GET",	"/v3/users/{}/projects",	list_user_projects, R_AUTH },
	{ "GET",	"/v3/users/{}/groups",		list_user_groups, R_AUTH },
	{ NULL, NULL, NULL, 0 }
};
