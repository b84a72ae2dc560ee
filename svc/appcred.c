/*
 * appcred.c - application credentials and access rules: create (the
 * user's roles re-checked in the transaction, access rules found or
 * created), delete (revokes the credential's tokens), access rule delete
 * (only when unused), and the credentials a deleted role takes with it
 * (see svc.h).
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "svc/svc_int.h"

/* Keystone's ApplicationCredentialValidationError text. */
#define INVALID_APPCRED	"Invalid application credential: "

/* The user holds every role of c effectively on c's project (Keystone's
 * _require_user_has_role_in_project); the role names filled in. */
static int
check_roles(struct store *st, struct kg_appcred *c, struct kg_err *err)
{
	struct kg_role_ref	*have = NULL;
	size_t			 nhave = 0, i, j;
	int			 ret = -1;

	if (store_effective_roles(st, c->user_id, KG_SCOPE_PROJECT, c->project_id,
	    &have, &nhave, err) == -1)
		return -1;
	for (i = 0; i < c->nroles; i++) {
		for (j = 0; j < nhave; j++)
			if (strcmp(have[j].id, c->roles[i].id) == 0)
				break;
		if (j == nhave) {
			kg_errf(err, KG_EBADREQ, INVALID_APPCRED "Could not find role "
			    "assignment with role: %s, user or group: %s, project, "
			    "domain, or system: %s.", c->roles[i].id, c->user_id,
			    c->project_id);
			goto done;
		}
		kg_strlcpy(c->roles[i].name, have[j].name, sizeof(c->roles[i].name));
	}
	ret = 0;
 done:
	free(have);
	return ret;
}

/*
 * The rule asked for as r, for user_id, into *out: by id, one of the
 * user's; by its fields, the user's existing rule or a new one (with r's
 * id, or a new id). As Keystone's driver.
 */
static int
resolve_rule(struct store *st, const char *user_id,
    const struct kg_access_rule *r, struct kg_access_rule *out,
    struct kg_err *err)
{
	struct kg_err	lerr = { 0 };
	int		taken;

	if (r->id[0] != '\0') {
		if (store_access_rule_get(st, user_id, r->id, out, &lerr) == 0)
			return 0;
		if (lerr.kind != KG_ENOTFOUND) {
			*err = lerr;
			return -1;
		}
		if (r->service[0] == '\0')
			return kg_errf(err, KG_EBADREQ, INVALID_APPCRED "Could not "
			    "find Access Rule: %s.", r->id);
	}
	memset(&lerr, 0, sizeof(lerr));
	if (store_access_rule_find(st, user_id, r, out, &lerr) == 0)
		return 0;
	if (lerr.kind != KG_ENOTFOUND) {
		*err = lerr;
		return -1;
	}
	*out = *r;
	if (out->id[0] == '\0' && kg_id_new(out->id) == -1)
		return kg_errf(err, KG_EINTERNAL, "no randomness");
	/* An id the client chose that another user's rule has. */
	if (store_access_rule_exists(st, out->id, &taken, err) == -1)
		return -1;
	if (taken)
		return kg_errf(err, KG_ECONFLICT, "Conflict occurred attempting to "
		    "store access_rule - Duplicate entry.");
	return store_access_rule_create(st, user_id, out, err);
}

static int
create_body(struct store *st, void *cls, struct kg_err *err)
{
	struct svc_appcred_new	*n = cls;
	struct kg_appcred	 c = n->c;
	struct kg_user		 u;
	struct kg_project	 p;
	struct kg_access_rule	 r;
	size_t			 i, j;

	/* The body may run again: start from the request every time. */
	n->nrules_out = 0;
	memset(&u, 0, sizeof(u));
	memset(&p, 0, sizeof(p));
	if (store_user_get(st, c.user_id, &u, err) == -1)
		return -1;
	kg_user_free(&u);
	if (store_project_get(st, c.project_id, &p, err) == -1)
		return -1;
	kg_project_free(&p);
	if (check_roles(st, &n->c, err) == -1)
		return -1;
	for (i = 0; i < n->nrules; i++) {
		if (resolve_rule(st, c.user_id, &n->rules[i], &r, err) == -1)
			return -1;
		for (j = 0; j < n->nrules_out; j++)
			if (strcmp(n->rules_out[j].id, r.id) == 0)
				break;
		if (j == n->nrules_out)
			n->rules_out[n->nrules_out++] = r;
	}
	c.rules = n->rules_out;
	c.nrules = n->nrules_out;
	return store_appcred_create(st, &c, err);
}

int
svc_appcred_create(struct store *st, struct svc_appcred_new *n,
    struct kg_err *err)
{
	return svc_run(st, "application credential create", create_body, n, err);
}

/* Delete credential id and revoke its tokens, inside a transaction. */
static int
drop(struct store *st, const char *id, struct kg_err *err)
{
	struct kg_appcred	c;
	int			ret;

	memset(&c, 0, sizeof(c));
	if (store_appcred_get(st, id, &c, err) == -1)
		return -1;
	ret = svc_revoke_appcred(st, c.user_id, c.id, err) == -1 ||
	    store_appcred_delete(st, c.id, err) == -1 ? -1 : 0;
	kg_appcred_free(&c);
	return ret;
}

static int
delete_body(struct store *st, void *cls, struct kg_err *err)
{
	return drop(st, cls, err);
}

int
svc_appcred_delete(struct store *st, const char *id, struct kg_err *err)
{
	return svc_run(st, "application credential delete", delete_body,
	    (void *)id, err);
}

int
svc_appcred_drop_for_role(struct store *st, const char *role_id,
    struct kg_err *err)
{
	char	**ids = NULL;
	size_t	  n = 0, i;
	int	  ret = 0;

	if (store_appcred_ids_for_role(st, role_id, &ids, &n, err) == -1)
		return -1;
	for (i = 0; i < n && ret == 0; i++)
		ret = drop(st, ids[i], err);
	store_strv_free(ids, n);
	return ret;
}

struct rule_ref {
	const char	*user_id;
	const char	*id;
};

static int
rule_delete_body(struct store *st, void *cls, struct kg_err *err)
{
	struct rule_ref		*rr = cls;
	struct kg_access_rule	 r;
	int			 used;

	if (store_access_rule_get(st, rr->user_id, rr->id, &r, err) == -1 ||
	    store_access_rule_in_use(st, rr->id, &used, err) == -1)
		return -1;
	if (used)
		return kg_errf(err, KG_EFORBID, "May not delete access rule in use");
	return store_access_rule_delete(st, rr->user_id, rr->id, err);
}

int
svc_access_rule_delete(struct store *st, const char *user_id, const char *id,
    struct kg_err *err)
{
	struct rule_ref	rr = { user_id, id };

	return svc_run(st, "access rule delete", rule_delete_body, &rr, err);
}
