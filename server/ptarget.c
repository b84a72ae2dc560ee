/*
 * ptarget.c - policy targets as Keystone builds them (see ptarget.h).
 *
 * Each object appears as Keystone's driver returns it, so the values a
 * rule substitutes are the ones Keystone would substitute: a global
 * role's domain_id is None, a top-level project's parent_id is its
 * domain, booleans are True/False.
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "server/ptarget.h"

static const char *
boolstr(int b)
{
	return b ? POLICY_TRUE : POLICY_FALSE;
}

/* "" (the store's "no value") is Python's None. */
static const char *
or_none(const char *s)
{
	return s[0] != '\0' ? s : POLICY_NONE;
}

void
ptarget_user(struct policy_target *t, const struct kg_user *u)
{
	t->v[PK_T_USER_ID] = u->id;
	t->v[PK_T_USER_NAME] = u->name;
	t->v[PK_T_USER_DOMAIN_ID] = u->domain_id;
	t->v[PK_T_USER_ENABLED] = boolstr(u->enabled);
	t->v[PK_T_USER_DEFAULT_PROJECT_ID] = or_none(u->default_project_id);
}

void
ptarget_project(struct policy_target *t, const struct kg_project *p)
{
	t->v[PK_T_PROJECT_ID] = p->id;
	t->v[PK_T_PROJECT_NAME] = p->name;
	t->v[PK_T_PROJECT_DOMAIN_ID] = p->domain_id;
	/* Keystone stores a top-level project's domain as its parent. */
	t->v[PK_T_PROJECT_PARENT_ID] = p->parent_id[0] ? p->parent_id : p->domain_id;
	t->v[PK_T_PROJECT_IS_DOMAIN] = POLICY_FALSE;
	t->v[PK_T_PROJECT_ENABLED] = boolstr(p->enabled);
}

void
ptarget_domain(struct policy_target *t, const struct kg_domain *d)
{
	t->v[PK_T_DOMAIN_ID] = d->id;
	t->v[PK_T_DOMAIN_NAME] = d->name;
	t->v[PK_T_DOMAIN_ENABLED] = boolstr(d->enabled);
}

void
ptarget_limit(struct policy_target *t, const struct kg_limit *l,
    const struct kg_project *p)
{
	t->v[PK_T_LIMIT_PROJECT_ID] = or_none(l->project_id);
	if (l->project_id[0] != '\0') {
		if (p != NULL)
			t->v[PK_T_LIMIT_PROJECT_DOMAIN_ID] = p->domain_id;
	} else
		t->v[PK_T_LIMIT_DOMAIN_ID] = l->domain_id;
}

void
ptarget_group(struct policy_target *t, const struct kg_group *g)
{
	t->v[PK_T_GROUP_ID] = g->id;
	t->v[PK_T_GROUP_NAME] = g->name;
	t->v[PK_T_GROUP_DOMAIN_ID] = g->domain_id;
}

void
ptarget_role(struct policy_target *t, const struct kg_role *r,
    enum ptarget_role_as as)
{
	static const enum policy_key keys[3][3] = {
		{ PK_T_ROLE_ID, PK_T_ROLE_NAME, PK_T_ROLE_DOMAIN_ID },
		{ PK_T_PRIOR_ROLE_ID, PK_T_PRIOR_ROLE_NAME, PK_T_PRIOR_ROLE_DOMAIN_ID },
		{ PK_T_IMPLIED_ROLE_ID, PK_T_IMPLIED_ROLE_NAME,
		  PK_T_IMPLIED_ROLE_DOMAIN_ID },
	};

	t->v[keys[as][0]] = r->id;
	t->v[keys[as][1]] = r->name;
	t->v[keys[as][2]] = or_none(r->domain_id);
}

void
ptarget_endpoint(struct policy_target *t, const struct kg_endpoint *e)
{
	t->v[PK_T_ENDPOINT_ID] = e->id;
	t->v[PK_T_ENDPOINT_SERVICE_ID] = e->service_id;
	t->v[PK_T_ENDPOINT_REGION_ID] = or_none(e->region_id);
	t->v[PK_T_ENDPOINT_INTERFACE] = e->interface;
	t->v[PK_T_ENDPOINT_ENABLED] = boolstr(e->enabled);
}

void
ptarget_trust(struct policy_target *t, const struct kg_trust *tr)
{
	t->v[PK_T_TRUST_TRUSTOR_USER_ID] = tr->trustor_user_id;
	t->v[PK_T_TRUST_TRUSTEE_USER_ID] = tr->trustee_user_id;
}

void
ptarget_token(struct policy_target *t, const struct kg_ctx *subject)
{
	/* keystone/common/rbac_enforcer: _extract_subject_token_target_data */
	t->v[PK_T_TOKEN_USER_ID] = subject->user_id;
	if (subject->user_domain_id[0] != '\0')
		t->v[PK_T_TOKEN_USER_DOMAIN_ID] = subject->user_domain_id;
}

/* ------------------------------------------------------------------------
 * Creates: the body's object.
 * --------------------------------------------------------------------- */

struct new_attr {
	const char	*name;		/* member of the body's object */
	enum policy_key	 key;
};

static void
new_target(struct policy_target *t, json_t *obj, const struct new_attr *a,
    size_t n)
{
	json_t	*v;
	size_t	 i;

	if (!json_is_object(obj))
		return;
	for (i = 0; i < n; i++) {
		if ((v = json_object_get(obj, a[i].name)) == NULL)
			continue;
		if (json_is_string(v))
			t->v[a[i].key] = json_string_value(v);
		else if (json_is_boolean(v))
			t->v[a[i].key] = boolstr(json_is_true(v));
		else if (json_is_null(v))
			t->v[a[i].key] = POLICY_NONE;
	}
}

#define NATTR(a)	(sizeof(a) / sizeof((a)[0]))

void
ptarget_new_user(struct policy_target *t, json_t *obj)
{
	static const struct new_attr a[] = {
		{ "name", PK_T_USER_NAME }, { "domain_id", PK_T_USER_DOMAIN_ID },
		{ "enabled", PK_T_USER_ENABLED },
		{ "default_project_id", PK_T_USER_DEFAULT_PROJECT_ID },
	};

	new_target(t, obj, a, NATTR(a));
}

void
ptarget_new_project(struct policy_target *t, json_t *obj)
{
	static const struct new_attr a[] = {
		{ "name", PK_T_PROJECT_NAME }, { "domain_id", PK_T_PROJECT_DOMAIN_ID },
		{ "parent_id", PK_T_PROJECT_PARENT_ID },
		{ "is_domain", PK_T_PROJECT_IS_DOMAIN },
		{ "enabled", PK_T_PROJECT_ENABLED },
	};

	new_target(t, obj, a, NATTR(a));
}

void
ptarget_new_group(struct policy_target *t, json_t *obj)
{
	static const struct new_attr a[] = {
		{ "name", PK_T_GROUP_NAME }, { "domain_id", PK_T_GROUP_DOMAIN_ID },
	};

	new_target(t, obj, a, NATTR(a));
}

void
ptarget_new_role(struct policy_target *t, json_t *obj)
{
	static const struct new_attr a[] = {
		{ "name", PK_T_ROLE_NAME }, { "domain_id", PK_T_ROLE_DOMAIN_ID },
	};

	new_target(t, obj, a, NATTR(a));
}

/* ------------------------------------------------------------------------
 * JSON (keygate policy check).
 * --------------------------------------------------------------------- */

static int
flatten(json_t *o, const char *prefix, struct policy_target *t,
    struct kg_err *err)
{
	const char	*k, *val;
	json_t		*v;
	char		 key[256];
	enum policy_key	 pk;

	json_object_foreach(o, k, v) {
		if ((size_t)snprintf(key, sizeof(key), "%s%s%s", prefix,
		    prefix[0] ? "." : "", k) >= sizeof(key))
			return kg_errf(err, KG_EBADREQ, "target key too long: %.64s...",
			    key);
		if (json_is_object(v)) {
			if (flatten(v, key, t, err) == -1)
				return -1;
			continue;
		}
		if (json_is_string(v))
			val = json_string_value(v);
		else if (json_is_boolean(v))
			val = json_is_true(v) ? POLICY_TRUE : POLICY_FALSE;
		else if (json_is_null(v))
			val = POLICY_NONE;
		else
			return kg_errf(err, KG_EBADREQ, "target %s: only strings, "
			    "booleans and null are supported", key);
		if ((pk = policy_key_find(key)) == PK_NEVER)
			return kg_errf(err, KG_EBADREQ, "target %s: keygate never sets "
			    "this key (see README: Policy)", key);
		t->v[pk] = val;
	}
	return 0;
}

int
ptarget_from_json(json_t *o, struct policy_target *t, struct kg_err *err)
{
	memset(t, 0, sizeof(*t));
	if (!json_is_object(o))
		return kg_errf(err, KG_EBADREQ, "the target must be a JSON object");
	return flatten(o, "", t, err);
}

static int
cred_str(json_t *o, const char *key, char *out, size_t outsz, struct kg_err *err)
{
	json_t	*v = json_object_get(o, key);

	out[0] = '\0';
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) || json_string_length(v) >= outsz ||
	    json_string_length(v) == 0)
		return kg_errf(err, KG_EBADREQ, "credentials %s: a non-empty string "
		    "of at most %zu bytes", key, outsz - 1);
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

int
pcreds_from_json(json_t *o, struct kg_ctx *ctx, struct kg_err *err)
{
	json_t	*roles, *r, *ss;
	size_t	 i;
	char	 sys[8];

	memset(ctx, 0, sizeof(*ctx));
	if (!json_is_object(o))
		return kg_errf(err, KG_EBADREQ, "the credentials must be a JSON object");
	if (cred_str(o, "user_id", ctx->user_id, sizeof(ctx->user_id), err) == -1 ||
	    cred_str(o, "user_domain_id", ctx->user_domain_id,
	    sizeof(ctx->user_domain_id), err) == -1 ||
	    cred_str(o, "domain_id", ctx->domain_id, sizeof(ctx->domain_id),
	    err) == -1 ||
	    cred_str(o, "project_id", ctx->project_id, sizeof(ctx->project_id),
	    err) == -1 ||
	    cred_str(o, "project_domain_id", ctx->project_domain_id,
	    sizeof(ctx->project_domain_id), err) == -1 ||
	    cred_str(o, "system_scope", sys, sizeof(sys), err) == -1)
		return -1;
	ss = json_object_get(o, "system_scope");
	if (sys[0] != '\0' && strcmp(sys, "all") != 0)
		return kg_errf(err, KG_EBADREQ, "credentials system_scope: \"all\" or "
		    "null");
	if (ss != NULL && sys[0] != '\0')
		ctx->scope = KG_SCOPE_SYSTEM;
	else if (ctx->domain_id[0] != '\0')
		ctx->scope = KG_SCOPE_DOMAIN;
	else if (ctx->project_id[0] != '\0')
		ctx->scope = KG_SCOPE_PROJECT;
	roles = json_object_get(o, "roles");
	if (roles == NULL)
		return 0;
	if (!json_is_array(roles))
		return kg_errf(err, KG_EBADREQ, "credentials roles: a list of names");
	if (json_array_size(roles) > 0 &&
	    (ctx->roles = calloc(json_array_size(roles), sizeof(*ctx->roles))) == NULL)
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	json_array_foreach(roles, i, r) {
		if (!json_is_string(r) || json_string_length(r) == 0 ||
		    json_string_length(r) >= sizeof(ctx->roles[i].name)) {
			kg_ctx_free(ctx);
			return kg_errf(err, KG_EBADREQ, "credentials roles: a list of "
			    "names");
		}
		kg_strlcpy(ctx->roles[i].name, json_string_value(r),
		    sizeof(ctx->roles[i].name));
		kg_strlcpy(ctx->roles[i].id, json_string_value(r),
		    sizeof(ctx->roles[i].id));
		ctx->nroles++;
	}
	return 0;
}
