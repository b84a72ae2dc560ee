/*
 * api_trusts.c - trusts (OS-TRUST): /v3/OS-TRUST/trusts[/{id}] and
 * /v3/OS-TRUST/trusts/{id}/roles[/{role_id}], as Keystone 22 serves them
 * (keystone/api/trusts.py, keystone/trust/schema.py).
 *
 * A trust is looked up as Keystone's trust_api.get_trust does
 * (auth/trust.h trust_chain): one that has expired or has no use left is
 * a 404 for show, delete and the roles, before the policy check
 * (lp#1840288), and one whose redelegation chain no longer holds is a
 * 403. A token issued with an application credential, restricted or not,
 * may not list, show, create or delete trusts or read their roles
 * (Keystone since CVE-2026-43000; 403 after the policy check). Lists show
 * every trust, expired or not, without roles. Changes go
 * through svc/trust.c (one transaction, with their revocation events);
 * trust-scoped tokens are auth/issue.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/trust.h"
#include "common/util.h"
#include "server/apijson.h"
#include "server/ptarget.h"
#include "server/views.h"
#include "store/trust.h"
#include "svc/svc.h"

/* keystone/exception.py ForbiddenAction */
#define FORBIDDEN_ACTION	"You are not authorized to perform the requested " \
				"action: %s."
/* keystone/exception.py ValidationError's tail */
#define VALIDATION_TAIL		" The server could not comply with the request " \
	"since it is either malformed or otherwise incorrect. The client is " \
	"assumed to be in error."

/*
 * Keystone's _check_application_credential (CVE-2026-43000): a credential
 * is for one project and cannot reach the trusts of its user, whatever its
 * "unrestricted" says (that flag is about managing credentials).
 */
static int
refuse_app_cred(struct req *r, struct kg_err *err)
{
	if (r->ctx->app_cred_id[0] == '\0')
		return 0;
	return kg_errf(err, KG_EFORBID, FORBIDDEN_ACTION, "Using method "
	    "'application_credential' is not allowed for managing trusts");
}

/* ------------------------------------------------------------------------
 * Views.
 * --------------------------------------------------------------------- */

/* Keystone's _normalize_trust_roles: each role in full (a role deleted
 * meanwhile is left out). New reference or NULL. */
static json_t *
trust_roles(struct req *r, const struct kg_trust *t, struct kg_err *err)
{
	struct kg_role	 role;
	json_t		*a, *o;
	size_t		 i;

	if ((a = json_array()) == NULL)
		return NULL;
	for (i = 0; i < t->nroles; i++) {
		memset(&role, 0, sizeof(role));
		if (store_role_get(r->st, t->roles[i].id, &role, err) == -1) {
			if (err->kind != KG_ENOTFOUND) {
				json_decref(a);
				return NULL;
			}
			kg_err_clear(err);
			continue;
		}
		o = apij_role(r, &role);
		kg_role_free(&role);
		if (o == NULL || json_array_append_new(a, o) == -1) {
			json_decref(a);
			apij_oom(err);
			return NULL;
		}
	}
	return a;
}

/* {"self": .../OS-TRUST/trusts/<id>/roles, "previous": null, "next": null} */
static json_t *
roles_links(struct req *r, const char *id)
{
	char	path[128], url[512];

	snprintf(path, sizeof(path), "/OS-TRUST/trusts/%s/roles", id);
	apij_url(r, path, url, sizeof(url));
	return json_pack("{s:s, s:n, s:n}", "self", url, "previous", "next");
}

static json_t *
time_or_null(int64_t us)
{
	char	buf[KG_TIME_LEN];

	if (us == 0)
		return json_null();
	kg_time_fmt(us, buf);
	return json_string(buf);
}

static json_t *
str_or_null(const char *s)
{
	return s[0] != '\0' ? json_string(s) : json_null();
}

/*
 * A trust as Keystone's TrustModel.to_dict renders it (extra attributes,
 * then the columns) with links; with_roles adds roles and roles_links as
 * show and create do. NULL with err.
 */
static json_t *
trust_view(struct req *r, const struct kg_trust *t, int with_roles,
    struct kg_err *err)
{
	json_t	*o = NULL, *x = NULL, *v;
	char	 path[128], url[512];
	int	 bad;

	if ((o = json_object()) == NULL)
		goto oom;
	if (t->extra != NULL && (x = json_loads(t->extra, 0, NULL)) != NULL &&
	    json_is_object(x) && json_object_update(o, x) == -1)
		goto oom;
	snprintf(path, sizeof(path), "/OS-TRUST/trusts/%s", t->id);
	apij_url(r, path, url, sizeof(url));
	bad = json_object_set_new(o, "id", json_string(t->id)) ||
	    json_object_set_new(o, "trustor_user_id",
	    json_string(t->trustor_user_id)) ||
	    json_object_set_new(o, "trustee_user_id",
	    json_string(t->trustee_user_id)) ||
	    json_object_set_new(o, "project_id", str_or_null(t->project_id)) ||
	    json_object_set_new(o, "impersonation",
	    json_boolean(t->impersonation)) ||
	    json_object_set_new(o, "expires_at", time_or_null(t->expires_at)) ||
	    json_object_set_new(o, "remaining_uses",
	    t->remaining_uses == KG_TRUST_UNLIMITED ? json_null() :
	    json_integer(t->remaining_uses)) ||
	    json_object_set_new(o, "deleted_at", json_null()) ||
	    json_object_set_new(o, "redelegated_trust_id",
	    str_or_null(t->redelegated_trust_id)) ||
	    json_object_set_new(o, "redelegation_count",
	    json_integer(t->redelegation_count)) ||
	    json_object_set_new(o, "links", json_pack("{s:s}", "self", url));
	if (bad)
		goto oom;
	json_object_del(o, "roles");	/* a body's "roles" kept in extra */
	if (with_roles) {
		if ((v = trust_roles(r, t, err)) == NULL)
			goto fail;
		if (json_object_set_new(o, "roles", v) == -1 ||
		    json_object_set_new(o, "roles_links", roles_links(r, t->id)) == -1)
			goto oom;
	}
	json_decref(x);
	return o;
 oom:
	apij_oom(err);
 fail:
	json_decref(x);
	json_decref(o);
	return NULL;
}

/* ------------------------------------------------------------------------
 * Create (keystone/trust/schema.py trust_create, then TrustResource.post).
 * --------------------------------------------------------------------- */

/* The attributes with a column (or a meaning): the rest go to extra. */
static const char *const trust_known[] = {
	"id", "trustor_user_id", "trustee_user_id", "project_id",
	"impersonation", "expires_at", "remaining_uses", "allow_redelegation",
	"redelegation_count", "roles", "links", "roles_links", "deleted_at",
	"redelegated_trust_id", NULL
};

/* "roles" (checked by server/bodies.c: {"id"} or {"name"} each) into
 * t->roles. */
static int
parse_roles(const json_t *m, struct kg_trust *t, struct kg_err *err)
{
	const json_t	*a = json_object_get(m, "roles"), *o, *v;
	size_t		 i;

	if (json_array_size(a) == 0)
		return 0;
	if ((t->roles = calloc(json_array_size(a), sizeof(*t->roles))) == NULL)
		return apij_oom(err);
	json_array_foreach(a, i, o) {
		if ((v = json_object_get(o, "id")) != NULL)
			kg_strlcpy(t->roles[t->nroles].id, json_string_value(v),
			    sizeof(t->roles[t->nroles].id));
		else
			kg_strlcpy(t->roles[t->nroles].name, json_string_value(
			    json_object_get(o, "name")),
			    sizeof(t->roles[t->nroles].name));
		t->nroles++;
	}
	return 0;
}

/* expires_at: Keystone's utils.parse_expiration_date. */
static int
parse_expiry(json_t *m, int64_t *out, struct kg_err *err)
{
	json_t	*v = json_object_get(m, "expires_at");

	*out = 0;
	if (!json_is_string(v))
		return 0;
	if (kg_time_parse(json_string_value(v), out) == -1)
		return kg_errf(err, KG_EBADREQ, "Timestamp not in expected format."
		    VALIDATION_TAIL);
	if (*out < kg_now_us())
		return kg_errf(err, KG_EBADREQ, "The 'expires_at' must not be "
		    "before now." VALIDATION_TAIL);
	return 0;
}

/* The body's members (checked by server/bodies.c trust_create) as struct
 * svc_trust_new; strings copied, extra malloc'd (n->t.extra), roles
 * calloc'd (n->t.roles). */
static int
parse_trust(json_t *m, struct svc_trust_new *n, struct kg_err *err)
{
	struct kg_trust	*t = &n->t;
	json_t		*v;
	json_int_t	 count = -1;

	t->remaining_uses = KG_TRUST_UNLIMITED;
	if (json_is_integer(v = json_object_get(m, "remaining_uses")))
		t->remaining_uses = json_integer_value(v);
	if (json_is_integer(v = json_object_get(m, "redelegation_count")))
		count = json_integer_value(v);
	n->allow_redelegation = json_is_true(json_object_get(m,
	    "allow_redelegation"));
	/* a count above INT_MAX is above any maximum: refused as such */
	n->redelegation_count = count > 1000000 ? 1000000 : (int)count;
	if (parse_roles(m, t, err) == -1 || parse_expiry(m, &t->expires_at,
	    err) == -1)
		return -1;
	kg_strlcpy(t->trustor_user_id, json_string_value(json_object_get(m,
	    "trustor_user_id")), sizeof(t->trustor_user_id));
	kg_strlcpy(t->trustee_user_id, json_string_value(json_object_get(m,
	    "trustee_user_id")), sizeof(t->trustee_user_id));
	if ((v = json_object_get(m, "project_id")) != NULL && json_is_string(v))
		kg_strlcpy(t->project_id, json_string_value(v),
		    sizeof(t->project_id));
	t->impersonation = json_is_true(json_object_get(m, "impersonation"));
	if ((t->extra = apij_extra(m, trust_known, NULL, err)) == NULL)
		return -1;
	return 0;
}

static int
create_trust(struct req *r, struct kg_err *err)
{
	struct policy_target	 pt = { 0 };
	struct svc_trust_new	 n;
	struct kg_trust		 out;
	json_t			*m, *v;
	int			 ret = -1;

	memset(&n, 0, sizeof(n));
	memset(&out, 0, sizeof(out));
	/*
	 * The body's shape first (as every route here, and Keystone since its
	 * request_body_schema decorators; Keystone 22 checked the policy
	 * first), then the policy on the body's trust (keystone-22:
	 * "trust.trustor_user_id"; secure RBAC: "target.trust").
	 */
	if ((m = apij_body_object(r, "trust", err)) == NULL)
		return -1;
	if (json_is_string(v = json_object_get(m, "trustor_user_id")))
		pt.v[PK_TRUST_TRUSTOR_USER_ID] =
		    pt.v[PK_T_TRUST_TRUSTOR_USER_ID] = json_string_value(v);
	if (json_is_string(v = json_object_get(m, "trustee_user_id")))
		pt.v[PK_T_TRUST_TRUSTEE_USER_ID] = json_string_value(v);
	if (req_authorize(r, "identity:create_trust", &pt, err) == -1 ||
	    refuse_app_cred(r, err) == -1 || parse_trust(m, &n, err) == -1)
		goto done;
	if (n.t.project_id[0] != '\0' && n.t.nroles == 0) {
		kg_errf(err, KG_EFORBID, FORBIDDEN_ACTION,
		    "At least one role should be specified");
		goto done;
	}
	if (strcmp(r->ctx->user_id, n.t.trustor_user_id) != 0) {
		kg_errf(err, KG_EFORBID, FORBIDDEN_ACTION,
		    "The authenticated user should match the trustor");
		goto done;
	}
	if (kg_id_new(n.t.id) == -1) {
		kg_errf(err, KG_EINTERNAL, "no randomness");
		goto done;
	}
	/* A trust-scoped caller redelegates its trust (_find_redelegated_trust) */
	if (r->ctx->trust_id[0] != '\0')
		n.redelegated_trust_id = r->ctx->trust_id;
	n.max_redelegation_count = SVC_TRUST_MAX_REDELEGATION;
	if (svc_trust_create(r->st, &n, &out, err) == -1)
		goto done;
	ret = apij_reply_member(r, "trust", trust_view(r, &out, 1, err), 201, err);
 done:
	free(n.t.extra);
	free(n.t.roles);
	kg_trust_free(&out);
	return ret;
}

/* ------------------------------------------------------------------------
 * List, show, delete, roles.
 * --------------------------------------------------------------------- */

static int
list_trusts(struct req *r, struct kg_err *err)
{
	struct policy_target	 pt = { 0 };
	const char		*tor = req_query(r, "trustor_user_id");
	const char		*tee = req_query(r, "trustee_user_id");
	struct kg_trust		*v = NULL;
	json_t			*a, *o;
	size_t			 n = 0, i;
	int			 none = 0;

	if (tor != NULL && *tor != '\0') {
		pt.v[PK_T_TRUST_TRUSTOR_USER_ID] = tor;
		if (req_authorize(r, "identity:list_trusts_for_trustor", &pt,
		    err) == -1)
			return -1;
		tee = NULL;
	} else if (tee != NULL && *tee != '\0') {
		pt.v[PK_T_TRUST_TRUSTEE_USER_ID] = tee;
		if (req_authorize(r, "identity:list_trusts_for_trustee", &pt,
		    err) == -1)
			return -1;
		tor = NULL;
	} else {
		if (req_authorize(r, "identity:list_trusts", &pt, err) == -1)
			return -1;
		/* Keystone: a query without either filter lists nothing */
		tor = tee = NULL;
		none = req_query_count(r) > 0;
	}
	if (refuse_app_cred(r, err) == -1)
		return -1;
	if (!none && store_trust_list(r->st, tor, tee, &v, &n, err) == -1)
		return -1;
	if ((a = json_array()) == NULL)
		goto oom;
	for (i = 0; i < n; i++)
		if ((o = trust_view(r, &v[i], 0, err)) == NULL ||
		    json_array_append_new(a, o) == -1) {
			json_decref(a);
			kg_trust_list_free(v, n);
			return err->kind != KG_OK ? -1 : apij_oom(err);
		}
	kg_trust_list_free(v, n);
	return apij_reply_list_links(r, "trusts", a, apij_query_links(r), err);
 oom:
	kg_trust_list_free(v, n);
	return apij_oom(err);
}

/*
 * The trust of the URL as trust_api.get_trust finds it (404 before the
 * policy check: lp#1840288), then rule on it. *t: kg_trust_free.
 */
static int
load_trust(struct req *r, const char *rule, struct kg_trust *t,
    struct kg_err *err)
{
	struct policy_target	 pt = { 0 };
	struct kg_trust		*chain = NULL;
	size_t			 n = 0;

	memset(t, 0, sizeof(*t));
	if (trust_chain(r->st, r->params[0], 0, &chain, &n, err) == -1)
		return -1;
	*t = chain[0];
	memset(&chain[0], 0, sizeof(chain[0]));
	kg_trust_list_free(chain, n);
	ptarget_trust(&pt, t);
	if (req_authorize(r, rule, &pt, err) == -1 ||
	    refuse_app_cred(r, err) == -1) {
		kg_trust_free(t);
		return -1;
	}
	return 0;
}

static int
get_trust(struct req *r, struct kg_err *err)
{
	struct kg_trust	t;
	int		ret;

	if (load_trust(r, "identity:get_trust", &t, err) == -1)
		return -1;
	ret = apij_reply_member(r, "trust", trust_view(r, &t, 1, err), 200, err);
	kg_trust_free(&t);
	return ret;
}

static int
delete_trust(struct req *r, struct kg_err *err)
{
	struct kg_trust	t;

	if (load_trust(r, "identity:delete_trust", &t, err) == -1)
		return -1;
	kg_trust_free(&t);
	if (svc_trust_delete(r->st, r->params[0], err) == -1)
		return -1;
	return 204;
}

static int
list_trust_roles(struct req *r, struct kg_err *err)
{
	struct kg_trust	 t;
	json_t		*a, *l;

	if (load_trust(r, "identity:list_roles_for_trust", &t, err) == -1)
		return -1;
	a = trust_roles(r, &t, err);
	l = roles_links(r, t.id);
	kg_trust_free(&t);
	if (a == NULL || l == NULL) {
		json_decref(a);
		json_decref(l);
		return err->kind != KG_OK ? -1 : apij_oom(err);
	}
	return apij_reply_list_links(r, "roles", a, l, err);
}

static int
get_trust_role(struct req *r, struct kg_err *err)
{
	struct kg_trust	t;
	struct kg_role	role;
	size_t		i;
	int		ret;

	if (load_trust(r, "identity:get_role_for_trust", &t, err) == -1)
		return -1;
	for (i = 0; i < t.nroles; i++)
		if (strcmp(t.roles[i].id, r->params[1]) == 0)
			break;
	ret = i < t.nroles;
	kg_trust_free(&t);
	if (!ret)
		return kg_errf(err, KG_ENOTFOUND, "Could not find role: %s.",
		    r->params[1]);
	if (store_role_get(r->st, r->params[1], &role, err) == -1)
		return -1;
	ret = apij_reply_member(r, "role", apij_role(r, &role), 200, err);
	kg_role_free(&role);
	return ret;
}

const struct route api_trusts_routes[] = {
	{ "POST",	"/v3/OS-TRUST/trusts",		create_trust,	R_AUTH },
	{ "GET",	"/v3/OS-TRUST/trusts",		list_trusts,	R_AUTH },
	{ "GET",	"/v3/OS-TRUST/trusts/{}",	get_trust,	R_AUTH },
	{ "DELETE",	"/v3/OS-TRUST/trusts/{}",	delete_trust,	R_AUTH },
	{ "GET",	"/v3/OS-TRUST/trusts/{}/roles",	list_trust_roles, R_AUTH },
	{ "GET",	"/v3/OS-TRUST/trusts/{}/roles/{}", get_trust_role, R_AUTH },
	{ NULL, NULL, NULL, 0 }
};
