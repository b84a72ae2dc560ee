/*
 * api_appcred.c - application credentials and access rules under
 * /v3/users/{user_id}, as Keystone 22 (keystone/api/users.py
 * UserAppCred* and UserAccessRule*, keystone/application_credential/):
 * create (the secret generated or given, hashed like a password and shown
 * only in this reply), list (?name), show, delete; access rules list
 * (?service, ?path, ?method), show, delete when unused. Changes go through
 * svc/appcred.c; deleting a credential revokes its tokens.
 *
 * Stricter than Keystone (whose checks leave holes): a credential or
 * access rule is looked up as the path's user's, so
 * /v3/users/{other}/access_rules/{id} and a credential under another
 * user's path answer 404 even to an admin the policy lets through
 * (Keystone reads any user's rule by id); a rule named by id when
 * creating a credential must be the user's own; a credential needs a
 * project-scoped token (Keystone makes one without a project from a
 * domain or unscoped token, which then cannot log in).
 *
 * A trust-scoped token may do none of this (403 after the policy check,
 * Keystone's _block_delegated_token_app_creds), and a token of an
 * application credential may not manage trusts (api_trusts.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/accessrule.h"
#include "auth/password.h"
#include "common/util.h"
#include "server/apijson.h"
#include "server/appcred.h"
#include "server/http.h"
#include "server/ptarget.h"
#include "server/views.h"
#include "store/appcred.h"
#include "svc/svc.h"

/* Keystone's ApplicationCredentialValidationError text. */
#define INVALID_APPCRED	"Invalid application credential: "

/* Secret generated when none is given: 64 random bytes, base64url without
 * padding (Keystone's _generate_secret): 86 characters. */
#define SECRET_BYTES	64
#define SECRET_LEN	86
#define SECRET_BUF	(SECRET_BYTES / 3 * 4 + 8)	/* the encoder's room */

/* ------------------------------------------------------------------------
 * The access-rule check (appcred.h).
 * --------------------------------------------------------------------- */

static int
ends_with(const char *s, const char *tail)
{
	size_t	n = strlen(s), m = strlen(tail);

	return n >= m && strcmp(s + n - m, tail) == 0;
}

int
appcred_request_allowed(struct store *st, const struct kg_ctx *ctx,
    const char *service_type, const char *method, const char *path)
{
	struct kg_access_rule	*rules = NULL;
	struct kg_err		 err = { 0 };
	size_t			 n = 0;
	int			 ok;

	if (ctx->app_cred_id[0] == '\0' || ctx->app_cred_nrules == 0)
		return 1;
	/* keystonemiddleware: "token can always be validated regardless of
	 * access rules" (HEAD is Keystone's GET here). */
	if (strcmp(service_type, "identity") == 0 && (strcmp(method, "GET") == 0 ||
	    strcmp(method, "HEAD") == 0) && ends_with(path, "/v3/auth/tokens"))
		return 1;
	if (store_appcred_access_rules(st, ctx->app_cred_id, &rules, &n, &err) == -1)
		return 0;
	ok = access_rules_allow(rules, n, service_type, method, path);
	free(rules);
	return ok;
}

/* ------------------------------------------------------------------------
 * Views.
 * --------------------------------------------------------------------- */

/* An access rule: {id, service, path, method} [+ links]. */
static json_t *
rule_json(struct req *r, const struct kg_access_rule *ar, int links)
{
	json_t	*o;

	o = json_pack("{s:s, s:s, s:s, s:s}", "id", ar->id, "service", ar->service,
	    "path", ar->path, "method", ar->method);
	if (o != NULL && links)
		json_object_set_new(o, "links", req_self_link(r, "access_rules",
		    ar->id));
	return o;
}

/* A credential's role: the role as Keystone's get_role returns it. */
static json_t *
role_json(struct req *r, const struct kg_role_ref *ref)
{
	struct kg_role	 role;
	json_t		*o;

	memset(&role, 0, sizeof(role));
	if (store_role_get(r->st, ref->id, &role, NULL) == -1) {
		/* Gone since the credential was read: what the row said. */
		return json_pack("{s:s, s:s, s:n, s:n, s:{}}", "id", ref->id,
		    "name", ref->name, "domain_id", "description", "options");
	}
	if ((o = apij_role(r, &role)) != NULL)
		json_object_del(o, "links");
	kg_role_free(&role);
	return o;
}

/* Keystone's rendering of a credential's expiry: no "Z". */
static json_t *
expiry_json(int64_t us)
{
	char	t[KG_TIME_LEN];

	if (us == 0)
		return json_null();
	kg_time_fmt(us, t);
	t[strlen(t) - 1] = '\0';
	return json_string(t);
}

/*
 * A credential as Keystone shows it (never its hash): id, name,
 * description, user_id, project_id, system (null), expires_at,
 * unrestricted (null when not given), roles, access_rules (when it has
 * some), links.self (Keystone's /v3/application_credentials/{id}).
 */
static json_t *
appcred_json(struct req *r, const struct kg_appcred *c)
{
	json_t	*o, *roles, *rules;
	size_t	 i;

	roles = json_array();
	for (i = 0; roles != NULL && i < c->nroles; i++)
		json_array_append_new(roles, role_json(r, &c->roles[i]));
	o = json_pack("{s:s, s:s, s:o, s:s, s:s, s:n, s:o, s:o, s:o, s:o}",
	    "id", c->id, "name", c->name,
	    "description", c->description != NULL ? json_string(c->description) :
	    json_null(), "user_id", c->user_id, "project_id", c->project_id,
	    "system", "expires_at", expiry_json(c->expires_at),
	    "unrestricted", c->unrestricted < 0 ? json_null() :
	    json_boolean(c->unrestricted), "roles", roles,
	    "links", req_self_link(r, "application_credentials", c->id));
	if (o != NULL && c->nrules > 0) {
		rules = json_array();
		for (i = 0; rules != NULL && i < c->nrules; i++)
			json_array_append_new(rules, rule_json(r, &c->rules[i], 0));
		json_object_set_new(o, "access_rules", rules);
	}
	return o;
}

/* ------------------------------------------------------------------------
 * The create body, as request_validate checked it against Keystone's
 * application_credential_create (server/bodies.c).
 * --------------------------------------------------------------------- */

/*
 * Keystone's parse_expiration_date: ISO 8601 ("T" or a space between date
 * and time, optional fraction, "Z" assumed), not in the past.
 */
static int
parse_expiry(const char *s, int64_t *us, struct kg_err *err)
{
	char	buf[80];	/* the schema allows 64 characters: a cut copy
				   holds a non-ASCII byte, never a valid time */

	kg_strlcpy(buf, s, sizeof(buf));
	if (strlen(buf) > 10 && buf[10] == ' ')
		buf[10] = 'T';
	if (kg_time_parse(buf, us) == -1)
		return kg_errf(err, KG_EBADREQ, "Timestamp not in expected format. "
		    "The server could not comply with the request since it is either "
		    "malformed or otherwise incorrect. The client is assumed to be in "
		    "error.");
	if (*us <= kg_now_us())
		return kg_errf(err, KG_EBADREQ, "The 'expires_at' must not be before "
		    "now. The server could not comply with the request since it is "
		    "either malformed or otherwise incorrect. The client is assumed to "
		    "be in error.");
	return 0;
}

/*
 * The credential's roles: the ones asked for (by id, or a global role's
 * name), each of which the caller's token must carry (Keystone: no role
 * beyond the token's, so a trust or credential cannot widen itself), or
 * else the token's own roles. *out: free().
 */
static int
resolve_roles(struct req *r, json_t *asked, struct kg_role_ref **out, size_t *n,
    struct kg_err *err)
{
	struct kg_role	 role;
	const char	*id, *name;
	json_t		*v;
	size_t		 i, j, cnt = json_array_size(asked);

	*out = NULL;
	*n = 0;
	if (cnt == 0) {		/* absent or []: the token's roles */
		if (r->ctx->nroles == 0)
			return 0;
		if ((*out = malloc(r->ctx->nroles * sizeof(**out))) == NULL)
			return apij_oom(err);
		memcpy(*out, r->ctx->roles, r->ctx->nroles * sizeof(**out));
		*n = r->ctx->nroles;
		return 0;
	}
	if ((*out = calloc(cnt, sizeof(**out))) == NULL)
		return apij_oom(err);
	json_array_foreach(asked, i, v) {
		id = json_string_value(json_object_get(v, "id"));
		if (id == NULL) {
			name = json_string_value(json_object_get(v, "name"));
			memset(&role, 0, sizeof(role));
			if (store_role_get_by_name(r->st, name, NULL, &role, err) == -1) {
				if (err->kind == KG_ENOTFOUND)
					kg_errf(err, KG_ENOTFOUND, "Role %s is not "
					    "defined", name);
				goto fail;
			}
			kg_strlcpy((*out)[*n].id, role.id, sizeof((*out)[*n].id));
			kg_role_free(&role);
		} else
			kg_strlcpy((*out)[*n].id, id, sizeof((*out)[*n].id));
		for (j = 0; j < r->ctx->nroles; j++)
			if (strcmp(r->ctx->roles[j].id, (*out)[*n].id) == 0)
				break;
		if (j == r->ctx->nroles) {
			kg_errf(err, KG_EBADREQ, INVALID_APPCRED "Cannot create an "
			    "application credential with unassigned role");
			goto fail;
		}
		for (j = 0; j < *n; j++)	/* asked twice: once */
			if (strcmp((*out)[j].id, (*out)[*n].id) == 0)
				break;
		if (j == *n)
			(*n)++;
	}
	return 0;
 fail:
	free(*out);
	*out = NULL;
	*n = 0;
	return -1;
}

/* The access rules asked for, as svc_appcred_new wants them. */
static int
asked_rules(json_t *asked, struct kg_access_rule **out, size_t *n,
    struct kg_err *err)
{
	struct kg_access_rule	*v;
	json_t			*o;
	const char		*s;
	size_t			 i, cnt = json_array_size(asked);

	*out = NULL;
	*n = 0;
	if (cnt == 0)
		return 0;
	if ((v = calloc(cnt, sizeof(*v))) == NULL)
		return apij_oom(err);
	json_array_foreach(asked, i, o) {
		if ((s = json_string_value(json_object_get(o, "id"))) != NULL)
			kg_strlcpy(v[i].id, s, sizeof(v[i].id));
		if ((s = json_string_value(json_object_get(o, "service"))) != NULL &&
		    json_object_get(o, "path") != NULL &&
		    json_object_get(o, "method") != NULL) {
			kg_strlcpy(v[i].service, s, sizeof(v[i].service));
			kg_strlcpy(v[i].path, json_string_value(json_object_get(o,
			    "path")), sizeof(v[i].path));
			kg_strlcpy(v[i].method, json_string_value(json_object_get(o,
			    "method")), sizeof(v[i].method));
		}
	}
	*out = v;
	*n = cnt;
	return 0;
}

/* A new secret: Keystone's _generate_secret. */
static int
new_secret(char out[SECRET_BUF], struct kg_err *err)
{
	unsigned char	b[SECRET_BYTES];
	long		n;

	if (kg_random(b, sizeof(b)) == -1)
		return kg_errf(err, KG_EINTERNAL, "no randomness");
	n = kg_b64url_encode(b, sizeof(b), out, SECRET_BUF);
	kg_wipe(b, sizeof(b));
	if (n != SECRET_LEN)
		return kg_errf(err, KG_EINTERNAL, "cannot encode the secret");
	return 0;
}

/*
 * Keystone's _block_delegated_token_app_creds: a trust-scoped token may not
 * create, list, show or delete application credentials or access rules (a
 * credential made with one would outlive the trust and lose its chain).
 * Keystone's Forbidden, whose text is the generic one.
 */
static int
refuse_trust(struct req *r, struct kg_err *err)
{
	if (r->ctx->trust_id[0] == '\0')
		return 0;
	return kg_errf(err, KG_EFORBID, "You are not authorized to perform the "
	    "requested action.");
}

int
appcred_check_unrestricted(const struct kg_ctx *ctx, const char *what,
    struct kg_err *err)
{
	if (ctx->app_cred_id[0] != '\0' && ctx->app_cred_restricted)
		return kg_errf(err, KG_EFORBID, "You are not authorized to perform "
		    "the requested action: Using method 'application_credential' is "
		    "not allowed for managing %s.", what);
	return 0;
}

/* ------------------------------------------------------------------------
 * Application credentials.
 * --------------------------------------------------------------------- */

/*
 * POST /v3/users/{user_id}/application_credentials. R_HASHES: the secret,
 * given or made here, is hashed with bcrypt at the password cost, on a
 * hashing thread.
 */
static int
create_appcred(struct req *r, struct kg_err *err)
{
	struct svc_appcred_new	 n;
	struct kg_access_rule	*asked = NULL;
	json_t			*obj, *reply = NULL, *sv = NULL, *wrap = NULL;
	const char		*secret = NULL, *s;
	char			 gen[SECRET_BUF] = "";
	int			 unrestricted = -1, status = -1;

	memset(&n, 0, sizeof(n));
	if (req_authorize(r, "identity:create_application_credential", NULL,
	    err) == -1)
		return -1;
	/* Keystone reads {} when the member is missing: then 'name' is
	 * required (the schema's 400, held until now). */
	if ((obj = apij_body_object(r, "application_credential", err)) == NULL ||
	    refuse_trust(r, err) == -1 ||
	    appcred_check_unrestricted(r->ctx,
	    "additional application credentials", err) == -1)
		return -1;
	secret = apij_str(obj, "secret");
	if (strcmp(r->ctx->user_id, r->params[0]) != 0)
		return kg_errf(err, KG_EFORBID, "You are not authorized to perform "
		    "the requested action: Cannot create an application credential "
		    "for another user.");
	if (r->ctx->scope != KG_SCOPE_PROJECT)
		return kg_errf(err, KG_EFORBID, "You are not authorized to perform "
		    "the requested action: identity:create_application_credential.");
	apij_set_bool(obj, "unrestricted", &unrestricted);
	n.c.unrestricted = unrestricted;
	if (kg_id_new(n.c.id) == -1)
		return kg_errf(err, KG_EINTERNAL, "no randomness");
	apij_strip(json_string_value(json_object_get(obj, "name")), n.c.name,
	    sizeof(n.c.name));
	kg_strlcpy(n.c.user_id, r->ctx->user_id, sizeof(n.c.user_id));
	kg_strlcpy(n.c.project_id, r->ctx->project_id, sizeof(n.c.project_id));
	n.c.created_at = kg_now_us();
	if ((s = json_string_value(json_object_get(obj, "description"))) != NULL &&
	    (n.c.description = strdup(s)) == NULL)
		return apij_oom(err);
	if (secret == NULL || secret[0] == '\0') {
		if (new_secret(gen, err) == -1)
			goto done;
		secret = gen;
	}
	if (resolve_roles(r, json_object_get(obj, "roles"), &n.c.roles,
	    &n.c.nroles, err) == -1)
		goto done;
	if ((s = json_string_value(json_object_get(obj, "expires_at"))) != NULL &&
	    s[0] != '\0' && parse_expiry(s, &n.c.expires_at, err) == -1)
		goto done;
	if (asked_rules(json_object_get(obj, "access_rules"), &asked, &n.nrules,
	    err) == -1)
		goto done;
	n.rules = asked;
	if (n.nrules > 0 && (n.rules_out = calloc(n.nrules,
	    sizeof(*n.rules_out))) == NULL) {
		apij_oom(err);
		goto done;
	}
	/* bcrypt, before the transaction (we are on a hashing thread). */
	if ((n.c.secret_hash = password_hash(secret, r->srv->cfg.password_hash_rounds,
	    err)) == NULL)
		goto done;
	if (svc_appcred_create(r->st, &n, err) == -1)
		goto done;
	n.c.rules = n.rules_out;
	n.c.nrules = n.nrules_out;
	if ((reply = appcred_json(r, &n.c)) == NULL) {
		apij_oom(err);
		goto done;
	}
	/* The one reply that shows the secret: rendered here, and every copy
	 * wiped (the text once sent, see http.h's out_secret). */
	if ((sv = json_string(secret)) == NULL ||
	    json_object_set(reply, "secret", sv) == -1 ||
	    (wrap = json_pack("{s:O}", "application_credential", reply)) == NULL ||
	    (r->out_text = json_dumps(wrap, JSON_COMPACT)) == NULL) {
		apij_oom(err);
		goto done;
	}
	r->out_type = "application/json";
	r->out_secret = 1;
	status = 201;
 done:
	if (sv != NULL) {
		kg_wipe((char *)(uintptr_t)json_string_value(sv),
		    json_string_length(sv));
		json_decref(sv);
	}
	json_decref(wrap);
	json_decref(reply);
	kg_wipe(gen, sizeof(gen));
	n.c.rules = NULL;
	n.c.nrules = 0;
	kg_appcred_free(&n.c);
	free(asked);
	free(n.rules_out);
	return status;
}

/* GET /v3/users/{user_id}/application_credentials[?name=] */
static int
list_appcreds(struct req *r, struct kg_err *err)
{
	struct kg_appcred	*v = NULL;
	size_t			 n = 0, i;
	json_t			*arr;

	if (req_authorize(r, "identity:list_application_credentials", NULL,
	    err) == -1 || refuse_trust(r, err) == -1)
		return -1;
	if (store_appcred_list(r->st, r->params[0], req_query(r, "name"), &v, &n,
	    err) == -1)
		return -1;
	arr = json_array();
	for (i = 0; arr != NULL && i < n; i++)
		json_array_append_new(arr, appcred_json(r, &v[i]));
	kg_appcred_list_free(v, n);
	return apij_reply_list(r, "application_credentials", arr, err);
}

/*
 * The credential {application_credential_id} for a get or delete: the
 * rule is checked with the credential's owner as user_id (Keystone's
 * _update_request_user_id_attribute: a caller cannot pass the check by
 * putting its own id in the path), then a missing credential, or one that
 * is not the path's user's, is 404.
 */
static int
load_appcred(struct req *r, const char *rule, int deleting,
    struct kg_appcred *c, struct kg_err *err)
{
	struct policy_target	t = { 0 };
	struct kg_err		lerr = { 0 };

	memset(c, 0, sizeof(*c));
	if (store_appcred_get(r->st, r->params[1], c, &lerr) == 0)
		t.v[PK_USER_ID] = c->user_id;
	else if (lerr.kind != KG_ENOTFOUND) {
		*err = lerr;
		return -1;
	}
	/* Keystone's order: the rule, the trust-scoped and restricted-token
	 * checks, then the credential's existence. */
	if (req_authorize(r, rule, &t, err) == -1 || refuse_trust(r, err) == -1 ||
	    (deleting && appcred_check_unrestricted(r->ctx, "additional "
	    "application credentials", err) == -1))
		goto fail;
	if (lerr.kind != KG_OK) {
		*err = lerr;
		goto fail;
	}
	if (strcmp(c->user_id, r->params[0]) != 0) {
		kg_errf(err, KG_ENOTFOUND, "Could not find Application Credential: "
		    "%s.", r->params[1]);
		goto fail;
	}
	return 0;
 fail:
	kg_appcred_free(c);
	return -1;
}

static int
get_appcred(struct req *r, struct kg_err *err)
{
	struct kg_appcred	c;
	int			status;

	if (load_appcred(r, "identity:get_application_credential", 0, &c,
	    err) == -1)
		return -1;
	status = apij_reply_member(r, "application_credential", appcred_json(r, &c),
	    200, err);
	kg_appcred_free(&c);
	return status;
}

static int
delete_appcred(struct req *r, struct kg_err *err)
{
	struct kg_appcred	c;
	int			rc;

	if (load_appcred(r, "identity:delete_application_credential", 1, &c,
	    err) == -1)
		return -1;
	rc = svc_appcred_delete(r->st, c.id, err);
	kg_appcred_free(&c);
	return rc == -1 ? -1 : 204;
}

/* ------------------------------------------------------------------------
 * Access rules.
 * --------------------------------------------------------------------- */

/* The rule check with target.user the path's user (Keystone's
 * _build_user_target_enforcement; a missing user leaves it out), then
 * refuse_trust. */
static int
authorize_user(struct req *r, const char *rule, struct kg_err *err)
{
	struct policy_target	t = { 0 };
	struct kg_user		u;
	int			rc;

	memset(&u, 0, sizeof(u));
	if (store_user_get(r->st, r->params[0], &u, NULL) == 0)
		ptarget_user(&t, &u);
	rc = req_authorize(r, rule, &t, err);
	kg_user_free(&u);
	return rc == -1 ? -1 : refuse_trust(r, err);
}

/* GET /v3/users/{user_id}/access_rules[?service=&path=&method=] */
static int
list_rules(struct req *r, struct kg_err *err)
{
	struct kg_access_rule	*v = NULL;
	size_t			 n = 0, i;
	json_t			*arr;

	if (authorize_user(r, "identity:list_access_rules", err) == -1 ||
	    store_access_rule_list(r->st, r->params[0], req_query(r, "service"),
	    req_query(r, "path"), req_query(r, "method"), &v, &n, err) == -1)
		return -1;
	arr = json_array();
	for (i = 0; arr != NULL && i < n; i++)
		json_array_append_new(arr, rule_json(r, &v[i], 1));
	free(v);
	return apij_reply_list(r, "access_rules", arr, err);
}

static int
get_rule(struct req *r, struct kg_err *err)
{
	struct kg_access_rule	ar;

	if (authorize_user(r, "identity:get_access_rule", err) == -1 ||
	    store_access_rule_get(r->st, r->params[0], r->params[1], &ar, err) == -1)
		return -1;
	return apij_reply_member(r, "access_rule", rule_json(r, &ar, 1), 200, err);
}

static int
delete_rule(struct req *r, struct kg_err *err)
{
	if (authorize_user(r, "identity:delete_access_rule", err) == -1 ||
	    svc_access_rule_delete(r->st, r->params[0], r->params[1], err) == -1)
		return -1;
	return 204;
}

const struct route api_appcred_routes[] = {
	{ "POST",	"/v3/users/{}/application_credentials",	create_appcred,
	    R_AUTH | R_HASHES },
	{ "GET",	"/v3/users/{}/application_credentials",	list_appcreds, R_AUTH },
	{ "GET",	"/v3/users/{}/application_credentials/{}", get_appcred, R_AUTH },
	{ "DELETE",	"/v3/users/{}/application_credentials/{}", delete_appcred,
	    R_AUTH },
	{ "GET",	"/v3/users/{}/access_rules",		list_rules,	R_AUTH },
	{ "GET",	"/v3/users/{}/access_rules/{}",		get_rule,	R_AUTH },
	{ "DELETE",	"/v3/users/{}/access_rules/{}",		delete_rule,	R_AUTH },
	{ NULL, NULL, NULL, 0 }
};
