/*
 * claims.c - parse and write keygate token claims (see claims.h).
 * Linked into keygate and keygate-gateway.
 */
#include <stdlib.h>
#include <string.h>

#include "auth/claims.h"
#include "common/jsonw.h"
#include "common/util.h"

#define MAX_TIME_S	100000000000LL		/* year 5138: a sane upper bound */

/*
 * The string member key of o, shorter than size bytes and without an
 * embedded NUL; NULL when o is not an object or the member is missing,
 * not a string, too long or empty (unless empty_ok).
 */
static const char *
member_str(const json_t *o, const char *key, size_t size, int empty_ok)
{
	const json_t	*v = json_object_get(o, key);
	const char	*s = json_string_value(v);
	size_t		 n = json_string_length(v);

	if (s == NULL || n >= size || strlen(s) != n || (n == 0 && !empty_ok))
		return NULL;
	return s;
}

/* An {"id", "name"} object; both required, the name may be empty. */
static int
id_name(const json_t *o, const char **id, const char **name)
{
	*id = member_str(o, "id", KG_ID_SIZE, 0);
	*name = member_str(o, "name", KG_NAME_SIZE, 1);
	return *id != NULL && *name != NULL ? 0 : -1;
}

/* An integer member in [lo, hi]. */
static int
member_int(const json_t *o, const char *key, int64_t lo, int64_t hi, int64_t *out)
{
	const json_t	*v = json_object_get(o, key);

	if (!json_is_integer(v))
		return -1;
	*out = json_integer_value(v);
	return *out >= lo && *out <= hi ? 0 : -1;
}

static int
parse_user(const json_t *c, struct kg_claims *o)
{
	const json_t	*user = json_object_get(c, "user");
	const char	*sub = member_str(c, "sub", KG_ID_SIZE, 0);

	if (sub == NULL || id_name(user, &o->user_id, &o->user_name) == -1 ||
	    strcmp(sub, o->user_id) != 0 ||
	    id_name(json_object_get(user, "domain"), &o->user_domain_id,
	    &o->user_domain_name) == -1)
		return -1;
	return 0;
}

static int
parse_times(const json_t *c, struct kg_claims *o)
{
	const json_t	*rev = json_object_get(c, "rev");

	if (member_int(c, "iat", 1, MAX_TIME_S, &o->iat) == -1 ||
	    member_int(c, "exp", 1, MAX_TIME_S, &o->exp) == -1 ||
	    member_int(c, "iat_us", 1, MAX_TIME_S * 1000000, &o->iat_us) == -1)
		return -1;
	if (rev != NULL && member_int(c, "rev", 1, INT64_MAX, &o->rev) == -1)
		return -1;
	return 0;
}

static int
parse_lists(const json_t *c, struct kg_claims *o)
{
	const json_t	*audit = json_object_get(c, "audit_ids");
	const json_t	*methods = json_object_get(c, "methods");
	const json_t	*v;
	const char	*s;
	size_t		 i, n = json_array_size(audit);

	if (!json_is_array(audit) || n < 1 || n > 2)
		return -1;
	for (i = 0; i < n; i++) {
		v = json_array_get(audit, i);
		s = json_string_value(v);
		if (s == NULL || s[0] == '\0' || json_string_length(v) >= KG_AUDIT_SIZE ||
		    strlen(s) != json_string_length(v))
			return -1;
	}
	o->audit_id = json_string_value(json_array_get(audit, 0));
	o->audit_chain_id = n == 2 ? json_string_value(json_array_get(audit, 1)) : "";
	n = json_array_size(methods);
	if (!json_is_array(methods) || n < 1 || n > KG_CLAIMS_MAX_METHODS)
		return -1;
	for (i = 0; i < n; i++) {
		v = json_array_get(methods, i);
		s = json_string_value(v);
		if (s == NULL || s[0] == '\0' ||
		    json_string_length(v) >= KG_CLAIMS_METHOD_SIZE ||
		    strlen(s) != json_string_length(v))
			return -1;
		o->methods[o->nmethods++] = s;
	}
	return 0;
}

static int
parse_scope(const json_t *c, struct kg_claims *o)
{
	const json_t	*proj = json_object_get(c, "project");
	const json_t	*dom = json_object_get(c, "domain");
	const json_t	*sys = json_object_get(c, "system");

	o->scope_id = o->scope_name = o->scope_domain_id = o->scope_domain_name = "";
	if ((proj != NULL) + (dom != NULL) + (sys != NULL) > 1)
		return -1;
	if (proj != NULL) {
		o->scope = KG_SCOPE_PROJECT;
		if (id_name(proj, &o->scope_id, &o->scope_name) == -1 ||
		    id_name(json_object_get(proj, "domain"), &o->scope_domain_id,
		    &o->scope_domain_name) == -1)
			return -1;
	} else if (dom != NULL) {
		o->scope = KG_SCOPE_DOMAIN;
		if (id_name(dom, &o->scope_id, &o->scope_name) == -1)
			return -1;
	} else if (sys != NULL) {
		o->scope = KG_SCOPE_SYSTEM;
		if (!json_is_object(sys) || !json_is_true(json_object_get(sys, "all")))
			return -1;
	}
	return 0;
}

/* A {"id": ...} object's id. */
static const char *
id_of(const json_t *o)
{
	return member_str(o, "id", KG_ID_SIZE, 0);
}

/*
 * "OS-TRUST:trust": absent, or the trust of a project-scoped token whose
 * user is the trustor (impersonation) or the trustee.
 */
static int
parse_trust(const json_t *c, struct kg_claims *o)
{
	const json_t	*tr = json_object_get(c, "OS-TRUST:trust");
	const json_t	*imp = json_object_get(tr, "impersonation");

	o->trust_id = o->trustor_id = o->trustee_id = "";
	if (tr == NULL)
		return 0;
	if (!json_is_boolean(imp) || o->scope != KG_SCOPE_PROJECT ||
	    (o->trust_id = id_of(tr)) == NULL ||
	    (o->trustor_id = id_of(json_object_get(tr, "trustor_user"))) == NULL ||
	    (o->trustee_id = id_of(json_object_get(tr, "trustee_user"))) == NULL)
		return -1;
	o->trust_impersonation = json_is_true(imp);
	return strcmp(o->user_id, o->trust_impersonation ? o->trustor_id :
	    o->trustee_id) == 0 ? 0 : -1;
}

/* roles: absent, or an array of {"id", "name"}; copied into o->roles. */
static int
parse_roles(const json_t *c, struct kg_claims *o)
{
	const json_t	*roles = json_object_get(c, "roles");
	const char	*id, *name;
	size_t		 i, n = json_array_size(roles);

	if (roles == NULL || n == 0)
		return roles == NULL || json_is_array(roles) ? 0 : CLAIMS_EMALFORMED;
	if (n > KG_CLAIMS_MAX_ROLES)
		return CLAIMS_EMALFORMED;
	if ((o->roles = calloc(n, sizeof(*o->roles))) == NULL)
		return CLAIMS_ENOMEM;
	for (i = 0; i < n; i++) {
		if (id_name(json_array_get(roles, i), &id, &name) == -1)
			return CLAIMS_EMALFORMED;
		kg_strlcpy(o->roles[i].id, id, sizeof(o->roles[i].id));
		kg_strlcpy(o->roles[i].name, name, sizeof(o->roles[i].name));
	}
	o->nroles = n;
	return 0;
}

/* One {"id", "service", "path", "method"} access rule into r. */
static int
parse_access_rule(const json_t *o, struct kg_access_rule *r)
{
	const char	*id = member_str(o, "id", sizeof(r->id), 0);
	const char	*svc = member_str(o, "service", sizeof(r->service), 0);
	const char	*path = member_str(o, "path", sizeof(r->path), 0);
	const char	*m = member_str(o, "method", sizeof(r->method), 0);

	if (id == NULL || svc == NULL || path == NULL || m == NULL)
		return -1;
	kg_strlcpy(r->id, id, sizeof(r->id));
	kg_strlcpy(r->service, svc, sizeof(r->service));
	kg_strlcpy(r->path, path, sizeof(r->path));
	kg_strlcpy(r->method, m, sizeof(r->method));
	return 0;
}

/*
 * application_credential: absent, or {"id", "name", "restricted",
 * "access_rules"?}; the rules copied into o->access_rules.
 */
static int
parse_app_cred(const json_t *c, struct kg_claims *o)
{
	const json_t	*ac = json_object_get(c, "application_credential");
	const json_t	*restricted, *rules;
	size_t		 i, n;

	o->app_cred_id = o->app_cred_name = "";
	if (ac == NULL)
		return 0;
	restricted = json_object_get(ac, "restricted");
	rules = json_object_get(ac, "access_rules");
	if (id_name(ac, &o->app_cred_id, &o->app_cred_name) == -1 ||
	    !json_is_boolean(restricted) ||
	    (rules != NULL && !json_is_array(rules)))
		return CLAIMS_EMALFORMED;
	o->app_cred_restricted = json_is_true(restricted);
	if ((n = json_array_size(rules)) == 0)
		return 0;
	if (n > KG_MAX_ACCESS_RULES)
		return CLAIMS_EMALFORMED;
	if ((o->access_rules = calloc(n, sizeof(*o->access_rules))) == NULL)
		return CLAIMS_ENOMEM;
	for (i = 0; i < n; i++)
		if (parse_access_rule(json_array_get(rules, i),
		    &o->access_rules[i]) == -1)
			return CLAIMS_EMALFORMED;
	o->naccess_rules = n;
	return 0;
}

int
claims_parse(const json_t *payload, struct kg_claims *out)
{
	int	rc;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(payload) ||
	    (out->iss = member_str(payload, "iss", KG_NAME_SIZE, 0)) == NULL ||
	    parse_user(payload, out) == -1 || parse_times(payload, out) == -1 ||
	    parse_lists(payload, out) == -1 || parse_scope(payload, out) == -1 ||
	    parse_trust(payload, out) == -1) {
		memset(out, 0, sizeof(*out));
		return CLAIMS_EMALFORMED;
	}
	if ((rc = parse_roles(payload, out)) != 0 ||
	    (rc = parse_app_cred(payload, out)) != 0) {
		claims_free(out);
		return rc;
	}
	return 0;
}

void
claims_free(struct kg_claims *c)
{
	if (c == NULL)
		return;
	free(c->roles);
	free(c->access_rules);
	memset(c, 0, sizeof(*c));
}

void
claims_write_app_cred(struct jsonw *w, const char *id, const char *name,
    int restricted, const struct kg_access_rule *rules, size_t nrules)
{
	size_t	i;

	jsonw_raw(w, "{\"id\":");
	jsonw_str(w, id);
	jsonw_raw(w, ",\"name\":");
	jsonw_str(w, name);
	jsonw_raw(w, restricted ? ",\"restricted\":true" : ",\"restricted\":false");
	if (nrules > 0) {
		jsonw_raw(w, ",\"access_rules\":[");
		for (i = 0; i < nrules; i++) {
			jsonw_raw(w, i > 0 ? ",{\"id\":" : "{\"id\":");
			jsonw_str(w, rules[i].id);
			jsonw_raw(w, ",\"service\":");
			jsonw_str(w, rules[i].service);
			jsonw_raw(w, ",\"path\":");
			jsonw_str(w, rules[i].path);
			jsonw_raw(w, ",\"method\":");
			jsonw_str(w, rules[i].method);
			jsonw_raw(w, "}");
		}
		jsonw_raw(w, "]");
	}
	jsonw_raw(w, "}");
}

void
claims_write_trust(struct jsonw *w, const char *trust_id, int impersonation,
    const char *trustor_id, const char *trustee_id)
{
	jsonw_raw(w, "{\"id\":");
	jsonw_str(w, trust_id);
	jsonw_raw(w, impersonation ? ",\"impersonation\":true" :
	    ",\"impersonation\":false");
	jsonw_raw(w, ",\"trustor_user\":{\"id\":");
	jsonw_str(w, trustor_id);
	jsonw_raw(w, "},\"trustee_user\":{\"id\":");
	jsonw_str(w, trustee_id);
	jsonw_raw(w, "}}");
}

static void
write_scope(struct jsonw *w, const struct kg_claims *c)
{
	switch (c->scope) {
	case KG_SCOPE_PROJECT:
		jsonw_raw(w, ",\"project\":{\"id\":");
		jsonw_str(w, c->scope_id);
		jsonw_raw(w, ",\"name\":");
		jsonw_str(w, c->scope_name);
		jsonw_raw(w, ",\"domain\":");
		jsonw_id_name(w, c->scope_domain_id, c->scope_domain_name);
		jsonw_raw(w, "}");
		break;
	case KG_SCOPE_DOMAIN:
		jsonw_raw(w, ",\"domain\":");
		jsonw_id_name(w, c->scope_id, c->scope_name);
		break;
	case KG_SCOPE_SYSTEM:
		jsonw_raw(w, ",\"system\":{\"all\":true}");
		break;
	case KG_SCOPE_NONE:
		return;
	}
	jsonw_raw(w, ",\"roles\":");
	jsonw_roles(w, c->roles, c->nroles);
}

char *
claims_write(const struct kg_claims *c)
{
	struct jsonw	 w = JSONW_INIT;
	const char	*audit[2] = { c->audit_id, c->audit_chain_id };

	jsonw_raw(&w, "{\"iss\":");
	jsonw_str(&w, c->iss);
	jsonw_raw(&w, ",\"sub\":");
	jsonw_str(&w, c->user_id);
	jsonw_raw(&w, ",\"iat\":");
	jsonw_int(&w, c->iat);
	jsonw_raw(&w, ",\"exp\":");
	jsonw_int(&w, c->exp);
	jsonw_raw(&w, ",\"iat_us\":");
	jsonw_int(&w, c->iat_us);
	if (c->rev > 0) {
		jsonw_raw(&w, ",\"rev\":");
		jsonw_int(&w, c->rev);
	}
	jsonw_raw(&w, ",\"audit_ids\":");
	jsonw_strv(&w, audit, c->audit_chain_id != NULL &&
	    c->audit_chain_id[0] != '\0' ? 2 : 1);
	jsonw_raw(&w, ",\"methods\":");
	jsonw_strv(&w, c->methods, c->nmethods);
	jsonw_raw(&w, ",\"user\":{\"id\":");
	jsonw_str(&w, c->user_id);
	jsonw_raw(&w, ",\"name\":");
	jsonw_str(&w, c->user_name);
	jsonw_raw(&w, ",\"domain\":");
	jsonw_id_name(&w, c->user_domain_id, c->user_domain_name);
	jsonw_raw(&w, "}");
	write_scope(&w, c);
	if (c->app_cred_id != NULL && c->app_cred_id[0] != '\0') {
		jsonw_raw(&w, ",\"application_credential\":");
		claims_write_app_cred(&w, c->app_cred_id, c->app_cred_name,
		    c->app_cred_restricted, c->access_rules, c->naccess_rules);
	}
	if (c->trust_id != NULL && c->trust_id[0] != '\0') {
		jsonw_raw(&w, ",\"OS-TRUST:trust\":");
		claims_write_trust(&w, c->trust_id, c->trust_impersonation,
		    c->trustor_id, c->trustee_id);
	}
	jsonw_raw(&w, "}");
	return jsonw_done(&w);
}
