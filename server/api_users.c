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

#include "auth/compliance.h"
#include "auth/password.h"
#include "common/log.h"
#include "common/util.h"
#include "server/http.h"
#include "server/apijson.h"
#include "server/page.h"
#include "server/views.h"
#include "server/ptarget.h"
#include "server/authguard.h"
#include "store/compliance.h"
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

/*
 * Merge the body's options (request_validate checked them against
 * bodies.c's user_options) into the extra JSON text *extra
 * (under "options", as roles keep "immutable"): a value sets, null
 * removes. Replaces *extra.
 */
static int
options_merge(json_t *obj, char **extra, struct kg_err *err)
{
	json_t		*o = json_object_get(obj, "options"), *root, *cur, *v;
	json_error_t	 jerr;
	const char	*k;
	char		*text;

	if (!json_is_object(o))
		return 0;
	if ((root = json_loads(*extra ? *extra : "{}", 0, &jerr)) == NULL ||
	    !json_is_object(root)) {
		json_decref(root);
		root = json_object();
	}
	if (!json_is_object(cur = json_object_get(root, "options"))) {
		cur = json_object();
		json_object_set_new(root, "options", cur);
	}
	json_object_foreach(o, k, v) {
		if (json_is_null(v))
			json_object_del(cur, k);
		else
			json_object_set(cur, k, v);
	}
	if (json_object_size(cur) == 0)
		json_object_del(root, "options");
	text = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(root);
	if (text == NULL)
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	free(*extra);
	*extra = text;
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
	/* Keystone's validators.validate_password ([security_compliance]
	 * password_regex), before anything is hashed. */
	if (*password != NULL &&
	    compliance_check_password(compliance_get(), *password, err) == -1)
		return -1;
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
	if (options_merge(obj, &u.extra, err) == -1)
		goto done;
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
	if (apij_set_extra(body, user_known, &u->extra, err) == -1)
		return -1;
	return options_merge(body, &u->extra, err);
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
	c.enable = json_is_true(json_object_get(obj, "enabled"));
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
 * Is pw one of the user's last unique_last_password_count passwords (the
 * current hash and the history)? bcrypt each: before the transaction.
 */
static int
in_history(struct req *r, const struct kg_user *u, const char *pw, int *found,
    struct kg_err *err)
{
	const struct compliance	*c = compliance_get();
	char			**h = NULL;
	size_t			 n = 0, i;

	*found = 0;
	if (c->unique_last_password_count <= 0)
		return 0;
	if (u->password_hash != NULL && password_verify(pw, u->password_hash)) {
		*found = 1;
		return 0;
	}
	if (store_password_history(r->st, u->id, compliance_history_keep(c), &h,
	    &n, err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (!*found && password_verify(pw, h[i]))
			*found = 1;
		kg_wipe(h[i], strlen(h[i]));
	}
	store_strv_free(h, n);
	return 0;
}

/* Record a login through svc/ (failures, activity); logged if it fails. */
static void
record(struct req *r, const char *id, int (*fn)(struct store *, const char *,
    struct kg_err *))
{
	struct kg_err	e = { 0 };

	if (fn(r->st, id, &e) == -1 && e.kind != KG_ENOTFOUND)
		log_error("recording a password check of user %s: %s", id, e.msg);
}

/*
 * The original password proves the caller, as Keystone's change_password
 * calls authenticate (an expired password may be changed): a locked
 * account, a wrong password (counted), a disabled or inactive user are
 * refused with authenticate's 401s.
 */
static int
change_password_auth(struct req *r, const struct kg_user *u, const char *orig,
    struct kg_user_auth *ua, struct compliance_opts *o, struct kg_err *err)
{
	const struct compliance		*c = compliance_get();
	struct compliance_failures	 f;
	int64_t				 now = kg_now_us();
	int				 inactive;

	if (store_user_auth_get(r->st, u->id, ua, err) == -1)
		return -1;
	compliance_user_options(ua->extra, o);
	f.count = ua->failed_auth_count;
	f.at = ua->failed_auth_at;
	if (compliance_locked(c, &f, o, now)) {
		authguard_record(r, NULL, 0);
		return kg_err_shown(err, "The account is locked for user: %s.",
		    u->id);
	}
	if (!password_verify(orig, u->password_hash)) {
		authguard_record(r, u->id, 0);
		record(r, u->id, svc_user_auth_failed);
		return kg_errf(err, KG_EUNAUTH, "Invalid user / password");
	}
	authguard_record(r, u->id, 1);
	inactive = compliance_inactive(c, ua->last_active_at, ua->created_at, o,
	    now);
	if (u->enabled && inactive)
		record(r, u->id, svc_user_disable_inactive);
	if (!u->enabled || inactive)
		return kg_err_shown(err, "The account is disabled for user: %s.",
		    u->id);
	record(r, u->id, svc_user_auth_succeeded);
	return 0;
}

/*
 * POST /v3/users/{id}/password {"user": {"original_password", "password"}}:
 * unauthenticated in Keystone (the original password is the credential).
 * Then Keystone's password rules, in its order: password_regex, the
 * user's lock_password, minimum_password_age (when the current password
 * was the user's own), unique_last_password_count.
 */
static int
change_password(struct req *r, struct kg_err *err)
{
	const struct compliance	*c = compliance_get();
	struct compliance_opts	 o;
	struct kg_user_auth	 ua;
	struct kg_user		 u;
	json_t			*obj;
	const char		*orig, *pw;
	char			*hash = NULL;
	int			 status = -1, reused;

	memset(&u, 0, sizeof(u));
	memset(&ua, 0, sizeof(ua));
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
			authguard_record(r, NULL, 0);
			kg_errf(err, KG_EUNAUTH, "Invalid user / password");
		}
		return -1;
	}
	if (change_password_auth(r, &u, orig, &ua, &o, err) == -1 ||
	    compliance_check_password(c, pw, err) == -1)
		goto done;
	/* Checked again in the transaction; here to spare the hashing. */
	if (o.lock_password) {
		compliance_locked_password_error(err);
		goto done;
	}
	if (compliance_check_age(c, ua.password_created_at,
	    ua.password_self_service, kg_now_us(), err) == -1 ||
	    in_history(r, &u, pw, &reused, err) == -1)
		goto done;
	if (reused) {
		compliance_history_error(c, err);
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
	kg_user_auth_free(&ua);
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
	struct apij_list	 l;

	if (load_user(r, "identity:list_user_projects", r->params[0], &u, err) == -1)
		return -1;
	kg_user_free(&u);
	if (apij_query_bool(r, "enabled", &enabled, err) == -1 ||
	    store_user_project_list(r->st, r->params[0], &v, &n, err) == -1)
		return -1;
	apij_list_begin(r, &l, "projects", "projects");
	for (i = 0; i < n; i++) {
		if ((name != NULL && strcmp(name, v[i].name) != 0) ||
		    (dom != NULL && strcmp(dom, v[i].domain_id) != 0) ||
		    (enabled >= 0 && enabled != v[i].enabled))
			continue;
		apij_list_project(&l, &v[i]);
	}
	kg_project_list_free(v, n);
	return apij_list_end(r, &l, req_links(r), err);
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
	{ "POST",	"/v3/users/{}/password",	change_password, R_SLOW | R_LIMIT },
	{ "GET",	"/v3/users/{}/projects",	list_user_projects, R_AUTH },
	{ "GET",	"/v3/users/{}/groups",		list_user_groups, R_AUTH },
	{ NULL, NULL, NULL, 0 }
};
