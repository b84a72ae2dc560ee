/*
 * api_credentials.c - /v3/credentials, the EC2 credentials of
 * /v3/users/{id}/credentials/OS-EC2, and the EC2 and S3 logins of POST
 * /v3/ec2tokens and /v3/s3tokens, as Keystone 22 does them
 * (keystone/api/credentials.py, users.py, ec2tokens.py, s3tokens.py,
 * _shared/EC2_S3_Resource.py), with Debian's security fix: a PATCH
 * changes the blob and nothing else.
 *
 * Blobs are sealed (auth/credkeys.h) before they reach svc/ and opened
 * only to render a reply or check a signature; plaintexts and EC2 secrets
 * are wiped when done with, and never logged. Changes go through
 * svc/credential.c; none revokes a token (as Keystone).
 *
 * Delegated callers (Keystone 2026, bug 2142138): a restricted application
 * credential's token creates no EC2 credential (403), and an EC2
 * credential made with a trust-scoped or an application credential's
 * token records that trust or credential in its blob (trust_id,
 * app_cred_id), so it cannot outlive or widen its maker's delegation:
 * ec2_secret refuses such a blob (401) until keygate makes EC2 tokens
 * scoped by it.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/credkeys.h"
#include "auth/ec2sig.h"
#include "auth/token.h"
#include "common/log.h"
#include "common/util.h"
#include "server/apijson.h"
#include "server/appcred.h"
#include "server/http.h"
#include "server/metrics.h"
#include "server/views.h"
#include "store/credential.h"
#include "svc/svc.h"

#define EC2_TYPE	"ec2"
#define MSG_EC2_NOT_FOUND	"EC2 access key not found."

static const char *const cred_known[] = { "id", "blob", "project_id", "type",
	"user_id", "links", NULL };

/* ------------------------------------------------------------------------
 * Helpers.
 * --------------------------------------------------------------------- */

/*
 * The delegation of the caller into an EC2 blob b (Keystone's
 * _assign_unique_id and OS-EC2 create): the trust of a trust-scoped token,
 * the credential of an application credential's token. 0, or -1 (out of
 * memory).
 */
static int
ec2_bind(struct req *r, json_t *b, struct kg_err *err)
{
	if ((r->ctx->trust_id[0] != '\0' && json_object_set_new(b, "trust_id",
	    json_string(r->ctx->trust_id)) == -1) ||
	    (r->ctx->app_cred_id[0] != '\0' && json_object_set_new(b,
	    "app_cred_id", json_string(r->ctx->app_cred_id)) == -1))
		return apij_oom(err);
	return 0;
}

/* sha256(s) as 64 hex digits: Keystone's hash_access_key, the id of an
 * EC2 credential. */
static void
hash_access(const char *s, char out[STORE_ID_SIZE])
{
	static const char	hex[] = "0123456789abcdef";
	unsigned char		d[32];
	size_t			i;

	kg_sha256(s, strlen(s), d);
	for (i = 0; i < sizeof(d); i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 0xf];
	}
	out[64] = '\0';
}

/* Wipe every string of v, recursively. */
static void
json_wipe(json_t *v)
{
	const char	*k;
	json_t		*m;
	size_t		 i;

	if (json_is_string(v)) {
		kg_wipe((char *)(uintptr_t)json_string_value(v), json_string_length(v));
	} else if (json_is_object(v)) {
		json_object_foreach(v, k, m) {
			json_wipe(m);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, m) {
			json_wipe(m);
		}
	}
}

/* Wipe and release a tree this module parsed (and alone holds). */
static void
json_wipe_decref(json_t *v)
{
	if (v == NULL)
		return;
	json_wipe(v);
	json_decref(v);
}

/* Wipe the string member key of o in place (a secret the body carried). */
static void
wipe_member(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	if (json_is_string(v))
		kg_wipe((char *)(uintptr_t)json_string_value(v), json_string_length(v));
}

static void
cred_aad(const struct kg_credential *c, struct credkeys_aad *a)
{
	a->id = c->id;
	a->user_id = c->user_id;
	a->project_id = c->project_id;
	a->type = c->type;
}

/* The blob of c in the clear (credkeys_free_plain it). */
static int
cred_plain(struct req *r, const struct kg_credential *c, char **plain,
    size_t *len, struct kg_err *err)
{
	struct credkeys_aad	a;

	cred_aad(c, &a);
	return credkeys_open_blob(r->srv->credkeys, &a, c->encrypted_blob,
	    c->key_hash, plain, len, err);
}

/* Seal blob[len] for c into c->encrypted_blob and c->key_hash. */
static int
cred_seal(struct req *r, struct kg_credential *c, const char *blob, size_t len,
    struct kg_err *err)
{
	struct credkeys_aad	a;

	cred_aad(c, &a);
	free(c->encrypted_blob);
	c->encrypted_blob = NULL;
	return credkeys_seal(r->srv->credkeys, &a, blob, len, &c->encrypted_blob,
	    c->key_hash, err);
}

/* A credential as Keystone shows it, its blob in the clear. */
static json_t *
cred_view(struct req *r, const struct kg_credential *c, const char *plain)
{
	json_t	*o;

	o = json_pack("{s:s, s:s, s:o, s:s, s:s, s:o}", "id", c->id, "user_id",
	    c->user_id, "project_id", c->project_id[0] != '\0' ?
	    json_string(c->project_id) : json_null(), "type", c->type, "blob", plain,
	    "links", req_self_link(r, "credentials", c->id));
	if (o != NULL)
		apij_merge_extra(o, c->extra);
	return o;
}

/*
 * An EC2 credential's blob as Keystone's _validate_blob_json checks it: a
 * JSON object, not empty, with an "access" (a string here: its hash is the
 * credential's id). *out is the parsed blob (json_wipe_decref it).
 */
static int
ec2_blob(const char *blob, json_t **out, struct kg_err *err)
{
	json_t	*b;

	*out = NULL;
	if ((b = json_loads(blob, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
	    NULL)) == NULL)
		return kg_errf(err, KG_EBADREQ, "Invalid blob in credential");
	if (!json_is_object(b) || json_object_size(b) == 0) {
		json_wipe_decref(b);
		return kg_errf(err, KG_EBADREQ, "Expecting to find blob in credential. "
		    "The server could not comply with the request since it is either "
		    "malformed or otherwise incorrect. The client is assumed to be in "
		    "error.");
	}
	if (!json_is_string(json_object_get(b, "access")) ||
	    json_string_length(json_object_get(b, "access")) !=
	    strlen(json_string_value(json_object_get(b, "access")))) {
		json_wipe_decref(b);
		return kg_errf(err, KG_EBADREQ, "Expecting to find access in "
		    "credential. The server could not comply with the request since "
		    "it is either malformed or otherwise incorrect. The client is "
		    "assumed to be in error.");
	}
	*out = b;
	return 0;
}

/* The "blob" member of a create or PATCH body: a string (not echoed in
 * errors: it holds secrets). */
static int
body_blob(json_t *obj, const char **blob, size_t *len, struct kg_err *err)
{
	json_t	*v = json_object_get(obj, "blob");

	if (v == NULL)
		return kg_errf(err, KG_EBADREQ, "'blob' is a required property");
	if (!json_is_string(v))
		return kg_errf(err, KG_EBADREQ, "Invalid input for field/attribute "
		    "blob. Value: (not shown). It is not of type 'string'");
	*blob = json_string_value(v);
	*len = json_string_length(v);
	if (strlen(*blob) != *len)
		return kg_errf(err, KG_EBADREQ, "Invalid input for field/attribute "
		    "blob. Value: (not shown). It contains NUL");
	return 0;
}

/*
 * Load credential id after checking rule on it, as Keystone's
 * _build_target_enforcement: target.credential is the credential when it
 * exists; a missing one is reported after the check.
 */
static int
cred_load(struct req *r, const char *rule, const char *id,
    struct kg_credential *c, struct kg_err *err)
{
	struct policy_target	t = { 0 };
	struct kg_err		lerr = { 0 };
	int			rc;

	memset(c, 0, sizeof(*c));
	if (store_credential_get(r->st, id, c, &lerr) == 0)
		t.v[PK_T_CREDENTIAL_USER_ID] = c->user_id;
	rc = apij_authorize_lookup(r, rule, &t, &lerr, err);
	if (rc == -1)
		kg_credential_free(c);
	return rc;
}

/* Reply {"credential": view} with the blob of c opened. */
static int
reply_cred(struct req *r, const struct kg_credential *c, int status,
    struct kg_err *err)
{
	char	*plain;
	size_t	 len;
	int	 rc;

	if (cred_plain(r, c, &plain, &len, err) == -1)
		return -1;
	rc = apij_reply_member(r, "credential", cred_view(r, c, plain), status, err);
	credkeys_free_plain(plain);
	return rc;
}

/* ------------------------------------------------------------------------
 * /v3/credentials
 * --------------------------------------------------------------------- */

static int
create_credential(struct req *r, struct kg_err *err)
{
	struct policy_target	 t = { 0 };
	struct kg_credential	 c;
	json_t			*obj, *eb = NULL;
	const char		*blob = NULL, *s;
	char			*bound = NULL;
	size_t			 len = 0;
	int			 status = -1;

	memset(&c, 0, sizeof(c));
	/* Keystone enforces before it validates: target.credential is the
	 * body's (request_validate held any schema error for apij_body). */
	if (json_is_object(r->body) && json_is_object(json_object_get(r->body,
	    "credential")))
		t.v[PK_T_CREDENTIAL_USER_ID] = json_string_value(json_object_get(
		    json_object_get(r->body, "credential"), "user_id"));
	if (req_authorize(r, "identity:create_credential", &t, err) == -1)
		return -1;
	if ((obj = apij_body_object(r, "credential", err)) == NULL)
		return -1;
	if (json_is_string(json_object_get(obj, "type")) &&
	    strcasecmp(json_string_value(json_object_get(obj, "type")),
	    EC2_TYPE) == 0 && appcred_check_unrestricted(r->ctx,
	    "additional credentials", err) == -1)
		return -1;
	if (body_blob(obj, &blob, &len, err) == -1)
		goto done;
	kg_strlcpy(c.user_id, json_string_value(json_object_get(obj, "user_id")),
	    sizeof(c.user_id));
	kg_strlcpy(c.type, json_string_value(json_object_get(obj, "type")),
	    sizeof(c.type));
	if ((s = json_string_value(json_object_get(obj, "project_id"))) != NULL)
		kg_strlcpy(c.project_id, s, sizeof(c.project_id));
	if (strcasecmp(c.type, EC2_TYPE) == 0) {
		/* The id is the hash of the access key; an EC2 login needs a
		 * project (Keystone since 2024 requires it too). */
		if (ec2_blob(blob, &eb, err) == -1)
			goto done;
		hash_access(json_string_value(json_object_get(eb, "access")), c.id);
		/* A delegated caller's blob says so (the text sealed and shown
		 * is then the blob re-serialized). */
		if (r->ctx->trust_id[0] != '\0' || r->ctx->app_cred_id[0] != '\0') {
			if (ec2_bind(r, eb, err) == -1)
				goto done;
			if ((bound = json_dumps(eb, JSON_COMPACT)) == NULL) {
				apij_oom(err);
				goto done;
			}
			blob = bound;
			len = strlen(bound);
		}
		if (c.project_id[0] == '\0') {
			kg_errf(err, KG_EBADREQ, "'project_id' is a required property");
			goto done;
		}
	} else if (kg_id_new(c.id) == -1) {
		kg_errf(err, KG_EINTERNAL, "no randomness");
		goto done;
	}
	if ((c.extra = apij_extra(obj, cred_known, NULL, err)) == NULL ||
	    cred_seal(r, &c, blob, len, err) == -1)
		goto done;
	if (svc_credential_create(r->st, &c, err) == 0)
		status = apij_reply_member(r, "credential", cred_view(r, &c, blob),
		    201, err);
 done:
	if (bound != NULL) {
		kg_wipe(bound, strlen(bound));
		free(bound);
	}
	json_wipe_decref(eb);
	wipe_member(obj, "blob");
	kg_credential_free(&c);
	return status;
}

static int
list_credentials(struct req *r, struct kg_err *err)
{
	struct policy_target	 t = { 0 }, ct;
	struct kg_credential	*v = NULL;
	struct kg_err		 perr;
	size_t			 n = 0, i, len;
	char			*plain;
	json_t			*arr;

	/* Keystone: a caller outside the system scope lists as the owner of
	 * its own credentials; then each is checked with get_credential. */
	if (r->ctx->scope != KG_SCOPE_SYSTEM)
		t.v[PK_T_CREDENTIAL_USER_ID] = r->ctx->user_id;
	if (req_authorize(r, "identity:list_credentials", &t, err) == -1)
		return -1;
	if (store_credential_list(r->st, req_query(r, "user_id"),
	    req_query(r, "type"), &v, &n, err) == -1)
		return -1;
	if ((arr = json_array()) == NULL) {
		kg_credential_list_free(v, n);
		return apij_oom(err);
	}
	for (i = 0; i < n; i++) {
		memset(&ct, 0, sizeof(ct));
		ct.v[PK_T_CREDENTIAL_USER_ID] = v[i].user_id;
		memset(&perr, 0, sizeof(perr));
		if (req_authorize(r, "identity:get_credential", &ct, &perr) == -1)
			continue;
		if (cred_plain(r, &v[i], &plain, &len, err) == -1) {
			json_decref(arr);
			kg_credential_list_free(v, n);
			return -1;
		}
		json_array_append_new(arr, cred_view(r, &v[i], plain));
		credkeys_free_plain(plain);
	}
	kg_credential_list_free(v, n);
	return apij_reply_list_links(r, "credentials", arr, apij_query_links(r),
	    err);
}

static int
get_credential(struct req *r, struct kg_err *err)
{
	struct kg_credential	c;
	int			status;

	if (cred_load(r, "identity:get_credential", r->params[0], &c, err) == -1)
		return -1;
	status = reply_cred(r, &c, 200, err);
	kg_credential_free(&c);
	return status;
}

/*
 * Keystone's _validate_blob_update_keys for an EC2 credential: what binds
 * it (trust, application credential, OAuth access token) cannot change;
 * nor can its access key, whose hash is the credential's id (an EC2 login
 * finds the credential by it).
 */
static int
ec2_update_keys(const char *old, const char *new, struct kg_err *err)
{
	static const char *const keys[] = { "access", "trust_id", "app_cred_id",
		"access_token_id", "access_id" };
	json_t	*ob = NULL, *nb = NULL;
	size_t	 i;
	int	 rc = -1;

	if (ec2_blob(new, &nb, err) == -1)
		return -1;
	if ((ob = json_loads(old, JSON_DECODE_ANY, NULL)) == NULL ||
	    !json_is_object(ob)) {
		kg_errf(err, KG_EINTERNAL, "stored EC2 blob is not an object");
		goto done;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t	*a = json_object_get(ob, keys[i]);
		json_t	*b = json_object_get(nb, keys[i]);

		if (a != NULL && json_is_null(a))
			a = NULL;
		if (b != NULL && json_is_null(b))
			b = NULL;
		if ((a == NULL) != (b == NULL) ||
		    (a != NULL && !json_equal(a, b))) {
			kg_errf(err, KG_EBADREQ, "%s can not be updated for credential",
			    keys[i]);
			goto done;
		}
	}
	rc = 0;
 done:
	json_wipe_decref(ob);
	json_wipe_decref(nb);
	return rc;
}

/* Is v (a PATCH member) the stored value of attribute k of c? */
static int
same_attr(const struct kg_credential *c, const char *k, const json_t *v)
{
	const char	*cur;

	if (strcmp(k, "id") == 0)
		cur = c->id;
	else if (strcmp(k, "user_id") == 0)
		cur = c->user_id;
	else if (strcmp(k, "type") == 0)
		cur = c->type;
	else {
		cur = c->project_id;
		if (json_is_null(v))
			return cur[0] == '\0';
	}
	return json_is_string(v) && strcmp(json_string_value(v), cur) == 0 &&
	    json_string_length(v) == strlen(cur);
}

static int
update_credential(struct req *r, struct kg_err *err)
{
	struct kg_credential	 c;
	const char		*k, *blob = NULL;
	json_t			*obj, *v;
	char			*old = NULL;
	size_t			 len = 0, oldlen;
	int			 status = -1;

	if (cred_load(r, "identity:update_credential", r->params[0], &c, err) == -1)
		return -1;
	if ((obj = apij_body_object(r, "credential", err)) == NULL)
		goto done;
	/* Debian's fix: the blob is the only thing a PATCH may change; the
	 * owner, project and type stay what the create checked (given again
	 * unchanged, as clients that send the whole credential do, they are
	 * accepted). */
	json_object_foreach(obj, k, v) {
		if (strcmp(k, "blob") == 0)
			continue;
		if (strcmp(k, "id") == 0 || strcmp(k, "user_id") == 0 ||
		    strcmp(k, "project_id") == 0 || strcmp(k, "type") == 0) {
			if (!same_attr(&c, k, v)) {
				kg_errf(err, KG_EBADREQ, "%s can not be updated for "
				    "credential", k);
				goto done;
			}
			continue;
		}
		kg_errf(err, KG_EBADREQ, "Additional properties are not allowed "
		    "('%s' was unexpected)", k);
		goto done;
	}
	if (body_blob(obj, &blob, &len, err) == -1)
		goto done;
	if (strcmp(c.type, EC2_TYPE) == 0) {
		if (cred_plain(r, &c, &old, &oldlen, err) == -1 ||
		    ec2_update_keys(old, blob, err) == -1)
			goto done;
	}
	if (cred_seal(r, &c, blob, len, err) == -1 ||
	    svc_credential_set_blob(r->st, c.id, c.encrypted_blob, c.key_hash,
	    err) == -1)
		goto done;
	status = apij_reply_member(r, "credential", cred_view(r, &c, blob), 200,
	    err);
 done:
	credkeys_free_plain(old);
	if (obj != NULL)
		wipe_member(obj, "blob");
	kg_credential_free(&c);
	return status;
}

static int
delete_credential(struct req *r, struct kg_err *err)
{
	struct kg_credential	c;

	if (cred_load(r, "identity:delete_credential", r->params[0], &c, err) == -1)
		return -1;
	kg_credential_free(&c);
	if (svc_credential_delete(r->st, r->params[0], err) == -1)
		return -1;
	return 204;
}

/* ------------------------------------------------------------------------
 * /v3/users/{user_id}/credentials/OS-EC2
 * --------------------------------------------------------------------- */

/* Keystone's _convert_v3_to_ec2_credential, with its links.self. */
static json_t *
ec2_view(struct req *r, const struct kg_credential *c, const json_t *blob)
{
	const json_t	*access = json_object_get(blob, "access");
	const json_t	*secret = json_object_get(blob, "secret");
	const json_t	*trust = json_object_get(blob, "trust_id");
	json_t		*o;
	char		 path[300], url[1200];

	snprintf(path, sizeof(path), "/users/%s/credentials/OS-EC2/%s", c->user_id,
	    json_is_string(access) ? json_string_value(access) : "None");
	apij_url(r, path, url, sizeof(url));
	/* Copies: the caller wipes blob. */
	o = json_pack("{s:s, s:o, s:o, s:o, s:o, s:{s:s}}", "user_id", c->user_id,
	    "tenant_id", c->project_id[0] != '\0' ? json_string(c->project_id) :
	    json_null(), "access", access != NULL ? json_deep_copy(access) :
	    json_null(), "secret", secret != NULL ? json_deep_copy(secret) :
	    json_null(), "trust_id", trust != NULL ? json_deep_copy(trust) :
	    json_null(), "links", "self", url);
	return o;
}

/* The EC2 view of a stored credential (its blob opened and parsed). */
static json_t *
ec2_view_stored(struct req *r, const struct kg_credential *c,
    struct kg_err *err)
{
	char	*plain;
	size_t	 len;
	json_t	*b, *o;

	if (cred_plain(r, c, &plain, &len, err) == -1)
		return NULL;
	b = json_loads(plain, JSON_DECODE_ANY, NULL);
	credkeys_free_plain(plain);
	if (!json_is_object(b)) {
		json_wipe_decref(b);
		kg_errf(err, KG_EINTERNAL, "EC2 credential %s: blob is not an object",
		    c->id);
		return NULL;
	}
	if ((o = ec2_view(r, c, b)) == NULL)
		apij_oom(err);
	json_wipe_decref(b);
	return o;
}

static int
user_exists(struct req *r, const char *id, struct kg_err *err)
{
	struct kg_user	u;

	memset(&u, 0, sizeof(u));
	if (store_user_get(r->st, id, &u, err) == -1)
		return -1;
	kg_user_free(&u);
	return 0;
}

static int
list_ec2(struct req *r, struct kg_err *err)
{
	struct kg_credential	*v = NULL;
	size_t			 n = 0, i;
	json_t			*arr, *o;

	if (req_authorize(r, "identity:ec2_list_credentials", NULL, err) == -1 ||
	    user_exists(r, r->params[0], err) == -1 ||
	    store_credential_list(r->st, r->params[0], EC2_TYPE, &v, &n, err) == -1)
		return -1;
	if ((arr = json_array()) == NULL) {
		kg_credential_list_free(v, n);
		return apij_oom(err);
	}
	for (i = 0; i < n; i++) {
		if ((o = ec2_view_stored(r, &v[i], err)) == NULL) {
			json_decref(arr);
			kg_credential_list_free(v, n);
			return -1;
		}
		json_array_append_new(arr, o);
	}
	kg_credential_list_free(v, n);
	return apij_reply_list(r, "credentials", arr, err);
}

static int
create_ec2(struct req *r, struct kg_err *err)
{
	struct policy_target	 t = { 0 };
	struct kg_credential	 c;
	struct kg_project	 p;
	const json_t		*tenant;
	json_t			*blob = NULL;
	char			 access[KG_ID_HEX_LEN + 1], secret[KG_ID_HEX_LEN + 1];
	char			*text = NULL, *shown;
	int			 status = -1;

	memset(&c, 0, sizeof(c));
	memset(&p, 0, sizeof(p));
	t.v[PK_T_CREDENTIAL_USER_ID] = r->params[0];
	if (req_authorize(r, "identity:ec2_create_credential", &t, err) == -1 ||
	    appcred_check_unrestricted(r->ctx, "additional application "
	    "credentials", err) == -1 || user_exists(r, r->params[0], err) == -1)
		return -1;
	/* Keystone: get_project(body.get("tenant_id")), 404 for None too. */
	tenant = json_is_object(r->body) ? json_object_get(r->body, "tenant_id") :
	    NULL;
	if (!json_is_string(tenant)) {
		shown = tenant == NULL || json_is_null(tenant) ? strdup("None") :
		    json_dumps(tenant, JSON_ENCODE_ANY | JSON_COMPACT);
		kg_errf(err, KG_ENOTFOUND, "Could not find project: %.64s.",
		    shown != NULL ? shown : "?");
		free(shown);
		return -1;
	}
	if (store_project_get(r->st, json_string_value(tenant), &p, err) == -1)
		return -1;
	kg_project_free(&p);
	if (kg_id_new(access) == -1 || kg_id_new(secret) == -1)
		return kg_errf(err, KG_EINTERNAL, "no randomness");
	kg_strlcpy(c.user_id, r->params[0], sizeof(c.user_id));
	kg_strlcpy(c.project_id, json_string_value(tenant), sizeof(c.project_id));
	kg_strlcpy(c.type, EC2_TYPE, sizeof(c.type));
	hash_access(access, c.id);
	/* As Keystone's jsonutils.dumps: {"access": .., "secret": ..,
	 * "trust_id": <the caller's trust or null>}, and the caller's
	 * application credential (which Keystone's OS-EC2 does not record). */
	if ((blob = json_pack("{s:s, s:s, s:n}", "access", access, "secret",
	    secret, "trust_id")) == NULL) {
		apij_oom(err);
		goto done;
	}
	if (ec2_bind(r, blob, err) == -1)
		goto done;
	if ((text = json_dumps(blob, JSON_PRESERVE_ORDER)) == NULL) {
		apij_oom(err);
		goto done;
	}
	if ((c.extra = strdup("{}")) == NULL) {
		apij_oom(err);
		goto done;
	}
	if (cred_seal(r, &c, text, strlen(text), err) == -1 ||
	    svc_credential_create(r->st, &c, err) == -1)
		goto done;
	status = apij_reply_member(r, "credential", ec2_view(r, &c, blob), 201,
	    err);
 done:
	if (text != NULL) {
		kg_wipe(text, strlen(text));
		free(text);
	}
	json_wipe_decref(blob);
	kg_wipe(secret, sizeof(secret));
	kg_credential_free(&c);
	return status;
}

/*
 * The EC2 credential of access key params[1], as Keystone's
 * _build_enforcer_target_data_owner_and_user_id_match and _get_cred_data:
 * 404 when there is none (before the policy check, as Keystone), the
 * rule on it, the user of the URL must exist, and a credential of another
 * type is 401 "EC2 access key not found.".
 */
static int
ec2_load(struct req *r, const char *rule, struct kg_credential *c,
    struct kg_err *err)
{
	struct policy_target	t = { 0 };
	char			id[STORE_ID_SIZE];

	memset(c, 0, sizeof(*c));
	hash_access(r->params[1], id);
	if (store_credential_get(r->st, id, c, err) == -1)
		return -1;
	t.v[PK_T_CREDENTIAL_USER_ID] = c->user_id;
	if (req_authorize(r, rule, &t, err) == -1 ||
	    user_exists(r, r->params[0], err) == -1)
		goto fail;
	if (strcmp(c->type, EC2_TYPE) != 0) {
		kg_errf(err, KG_EUNAUTH, MSG_EC2_NOT_FOUND);
		goto fail;
	}
	return 0;
 fail:
	kg_credential_free(c);
	return -1;
}

static int
get_ec2(struct req *r, struct kg_err *err)
{
	struct kg_credential	 c;
	json_t			*o;

	if (ec2_load(r, "identity:ec2_get_credential", &c, err) == -1)
		return -1;
	o = ec2_view_stored(r, &c, err);
	kg_credential_free(&c);
	if (o == NULL)
		return -1;
	return apij_reply_member(r, "credential", o, 200, err);
}

static int
delete_ec2(struct req *r, struct kg_err *err)
{
	struct kg_credential	c;
	int			rc;

	if (ec2_load(r, "identity:ec2_delete_credential", &c, err) == -1)
		return -1;
	rc = svc_credential_delete(r->st, c.id, err);
	kg_credential_free(&c);
	return rc == -1 ? -1 : 204;
}

/* ------------------------------------------------------------------------
 * POST /v3/ec2tokens and /v3/s3tokens
 * --------------------------------------------------------------------- */

/* A refused EC2/S3 login: 401 (the reason goes to the log only). */
static int
ec2_refused(struct kg_err *err, const char *why)
{
	log_info("EC2 login refused: %s", why);
	metrics_auth_failure();
	return kg_errf(err, KG_EUNAUTH, "%s", why);
}

/*
 * The secret of the EC2 credential with this access key, as Keystone's
 * handle_authenticate loads it: 404 "Could not find credential" when there
 * is none (as Keystone), 401 when it is not an EC2 credential or is bound
 * to a trust, application credential or OAuth token (keygate cannot honour
 * those yet). *secret is malloc'd (wipe and free it).
 */
static int
ec2_secret(struct req *r, const char *access, char cred_id[STORE_ID_SIZE],
    char **secret, struct kg_err *err)
{
	static const char *const bound[] = { "trust_id", "app_cred_id",
		"access_token_id" };
	struct kg_credential	 c;
	json_t			*b = NULL;
	char			*plain = NULL;
	size_t			 len, i;
	int			 rc = -1;

	*secret = NULL;
	memset(&c, 0, sizeof(c));
	hash_access(access, cred_id);
	if (store_credential_get(r->st, cred_id, &c, err) == -1)
		return -1;
	if (strcmp(c.type, EC2_TYPE) != 0) {
		ec2_refused(err, MSG_EC2_NOT_FOUND);
		goto done;
	}
	if (cred_plain(r, &c, &plain, &len, err) == -1)
		goto done;
	b = json_loads(plain, JSON_DECODE_ANY, NULL);
	if (!json_is_object(b) || !json_is_string(json_object_get(b, "secret"))) {
		ec2_refused(err, "EC2 credential without a secret");
		goto done;
	}
	for (i = 0; i < sizeof(bound) / sizeof(bound[0]); i++) {
		const json_t	*v = json_object_get(b, bound[i]);

		if (v != NULL && !json_is_null(v)) {
			ec2_refused(err, "EC2 credential bound to a delegation "
			    "keygate does not support");
			goto done;
		}
	}
	if ((*secret = strdup(json_string_value(json_object_get(b,
	    "secret")))) == NULL) {
		apij_oom(err);
		goto done;
	}
	rc = 0;
 done:
	json_wipe_decref(b);
	credkeys_free_plain(plain);
	kg_credential_free(&c);
	return rc;
}

/* EC2_S3_Resource._check_timestamp with [credential] auth_ttl. */
static int
ec2_check_time(struct req *r, const json_t *creds, struct kg_err *err)
{
	int64_t	ts;
	int	rc;

	if ((rc = ec2sig_timestamp(creds, &ts)) == 0)
		return 0;
	if (rc == -1)
		return ec2_refused(err, "Credential timestamp is invalid");
	if (kg_now_us() > ts + (int64_t)r->srv->cfg.cred_auth_ttl * 60 * 1000000)
		return ec2_refused(err, "Credential is expired");
	return 0;
}

static int
ec2_login(struct req *r, int s3, struct kg_err *err)
{
	static const char *const names[] = { "credentials", "credential",
		"ec2Credentials" };
	struct token_auth	 a;
	const json_t		*creds = NULL, *v;
	const char		*access, *rule;
	char			 cred_id[STORE_ID_SIZE], why[160] = "";
	char			*secret = NULL, *tok = NULL, *reply = NULL;
	enum ec2sig_rc		 sig;
	size_t			 i;

	/* Keystone 29 (bug 2119646): only a service user or an admin may ask
	 * (identity:ec2tokens_validate / s3tokens_validate); Keystone 22,
	 * whose rules have neither, lets anyone. */
	rule = s3 ? "identity:s3tokens_validate" : "identity:ec2tokens_validate";
	if (req_has_rule(r, rule)) {
		if (r->ctx == NULL)
			return ec2_refused(err, "no X-Auth-Token: a service user's "
			    "token is required");
		if (req_authorize(r, rule, NULL, err) == -1)
			return -1;
	}
	if (r->body == NULL || (json_is_object(r->body) &&
	    json_object_size(r->body) == 0))
		return kg_errf(err, KG_EBADREQ, "request must include a request body");
	if (!json_is_object(r->body))
		return kg_errf(err, KG_EBADREQ, "The request body must be an object.");
	/* Keystone takes the first of these that is truthy. */
	for (i = 0; creds == NULL && i < sizeof(names) / sizeof(names[0]); i++)
		if ((v = json_object_get(r->body, names[i])) != NULL &&
		    !json_is_null(v) && !json_is_false(v) &&
		    !(json_is_object(v) && json_object_size(v) == 0))
			creds = v;
	if (creds != NULL && !json_is_object(creds))
		return kg_errf(err, KG_EBADREQ, "Invalid input for field "
		    "'credentials': it must be an object.");
	access = json_string_value(json_object_get(creds, "access"));
	if (access == NULL || access[0] == '\0' ||
	    strlen(access) != json_string_length(json_object_get(creds, "access")))
		return ec2_refused(err, "EC2 Signature not supplied");
	if (ec2_secret(r, access, cred_id, &secret, err) == -1)
		return -1;
	sig = s3 ? s3sig_check(creds, secret, why, sizeof(why)) :
	    ec2sig_check(creds, secret, why, sizeof(why));
	kg_wipe(secret, strlen(secret));
	free(secret);
	switch (sig) {
	case EC2SIG_OK:
		break;
	case EC2SIG_NOSIG:
		return ec2_refused(err, "EC2 signature not supplied.");
	case EC2SIG_MISMATCH:
		return ec2_refused(err, s3 ? "Credential signature mismatch" :
		    "Invalid EC2 signature.");
	case EC2SIG_EDATE:
		return ec2_refused(err, why);
	case EC2SIG_EFORMAT:
		return kg_errf(err, KG_EBADREQ, "The request cannot be signed: %s",
		    why);
	default:
		return apij_oom(err);
	}
	if (ec2_check_time(r, creds, err) == -1)
		return -1;
	memset(&a, 0, sizeof(a));
	a.methods[0] = "ec2credential";
	a.nmethods = 1;
	a.ec2_credential_id = cred_id;
	a.scope = KG_SCOPE_PROJECT;
	if (tokens_issue(r->srv->tokens, r->st, &a, 1, &tok, &reply, NULL,
	    err) == -1) {
		if (err->kind == KG_EUNAUTH)
			metrics_auth_failure();
		return -1;
	}
	/* Keystone answers 200; only ec2tokens sends X-Subject-Token. */
	if (s3) {
		kg_wipe(tok, strlen(tok));
		free(tok);
	} else
		r->subject_token = tok;
	r->out_text = reply;
	r->out_type = "application/json";
	metrics_token_issued();
	return 200;
}

static int
ec2_tokens(struct req *r, struct kg_err *err)
{
	return ec2_login(r, 0, err);
}

static int
s3_tokens(struct req *r, struct kg_err *err)
{
	return ec2_login(r, 1, err);
}

const struct route api_credentials_routes[] = {
	{ "GET", "/v3/credentials", list_credentials, R_AUTH },
	{ "POST", "/v3/credentials", create_credential, R_AUTH },
	{ "GET", "/v3/credentials/{}", get_credential, R_AUTH },
	{ "PATCH", "/v3/credentials/{}", update_credential, R_AUTH },
	{ "DELETE", "/v3/credentials/{}", delete_credential, R_AUTH },
	{ "GET", "/v3/users/{}/credentials/OS-EC2", list_ec2, R_AUTH },
	{ "POST", "/v3/users/{}/credentials/OS-EC2", create_ec2, R_AUTH },
	{ "GET", "/v3/users/{}/credentials/OS-EC2/{}", get_ec2, R_AUTH },
	{ "DELETE", "/v3/users/{}/credentials/OS-EC2/{}", delete_ec2, R_AUTH },
	{ "POST", "/v3/ec2tokens", ec2_tokens, R_AUTH_OPT },
	{ "POST", "/v3/s3tokens", s3_tokens, R_AUTH_OPT },
	{ NULL, NULL, NULL, 0 }
};
