/*
 * trust.c - trusts: create (Keystone's checks of the trustee, the roles
 * and a redelegation), delete (revokes the tokens of the trust and of its
 * redelegations), consume a use (see svc.h). keystone/api/trusts.py and
 * keystone/trust/core.py of Keystone 22.
 */
#include <stdlib.h>
#include <string.h>

#include "auth/ctx.h"
#include "auth/trust.h"
#include "common/util.h"
#include "svc/svc_int.h"

/* Keystone's Forbidden: its detail is shown only with insecure_debug. */
#define FORBIDDEN	"You are not authorized to perform the requested action."

struct create {
	const struct svc_trust_new	*n;
	struct kg_trust			*out;
};

/* Roles named by name become the global role of that name (Keystone's
 * get_unique_role_by_name); ids are checked against the trustor's. */
static int
resolve_roles(struct store *st, struct kg_trust *t, struct kg_err *err)
{
	struct kg_role	role;
	size_t		i;

	for (i = 0; i < t->nroles; i++) {
		if (t->roles[i].id[0] != '\0')
			continue;
		memset(&role, 0, sizeof(role));
		if (store_role_get_by_name(st, t->roles[i].name, NULL, &role,
		    err) == -1) {
			if (err != NULL && err->kind == KG_ENOTFOUND)
				kg_errf(err, KG_ENOTFOUND, "Role %s is not defined",
				    t->roles[i].name);
			return -1;
		}
		kg_strlcpy(t->roles[i].id, role.id, sizeof(t->roles[i].id));
		kg_role_free(&role);
	}
	return 0;
}

/*
 * _require_trustor_has_role_in_project: the project exists and the trustor
 * holds each role there (domain-specific ones included); without a
 * project, no role can be delegated.
 */
static int
trustor_holds(struct store *st, const struct kg_trust *t, struct kg_err *err)
{
	struct kg_project	 p;
	struct kg_role_ref	*held = NULL;
	size_t			 nheld = 0, i, j;
	int			 ret = -1;

	memset(&p, 0, sizeof(p));
	if (t->project_id[0] != '\0' &&
	    (store_project_get(st, t->project_id, &p, err) == -1 ||
	    store_effective_roles_all(st, t->trustor_user_id, KG_SCOPE_PROJECT,
	    t->project_id, &held, &nheld, err) == -1))
		goto done;
	for (i = 0; i < t->nroles; i++) {
		for (j = 0; j < nheld; j++)
			if (strcmp(t->roles[i].id, held[j].id) == 0)
				break;
		if (j == nheld) {
			kg_errf(err, KG_ENOTFOUND, "Could not find role: %s.",
			    t->roles[i].id);
			goto done;
		}
	}
	ret = 0;
 done:
	kg_project_free(&p);
	free(held);
	return ret;
}

static int
has_role(const struct kg_trust *t, const char *id)
{
	size_t	i;

	for (i = 0; i < t->nroles; i++)
		if (strcmp(t->roles[i].id, id) == 0)
			return 1;
	return 0;
}

/*
 * keystone/trust/core.py _validate_redelegation of trust t (up the chain)
 * for the new trust nt, which inherits t's expiry when it has none.
 */
static int
check_redelegation(const struct kg_trust *t, struct kg_trust *nt, int max,
    struct kg_err *err)
{
	size_t	i;

	if (!(t->redelegation_count > 0 && t->redelegation_count <= max) ||
	    nt->remaining_uses != KG_TRUST_UNLIMITED)
		return kg_errf(err, KG_EFORBID, FORBIDDEN);
	if (nt->expires_at == 0)
		nt->expires_at = t->expires_at;
	else if (t->expires_at != 0 && t->expires_at < nt->expires_at)
		return kg_errf(err, KG_EFORBID, FORBIDDEN);
	for (i = 0; i < nt->nroles; i++)
		if (!has_role(t, nt->roles[i].id))
			return kg_errf(err, KG_EFORBID, FORBIDDEN);
	if (!t->impersonation && nt->impersonation)
		return kg_errf(err, KG_EFORBID, FORBIDDEN);
	return 0;
}

/*
 * keystone/trust/core.py create_trust: the redelegation depth and, for a
 * trust made with a trust-scoped token, the chain it extends.
 */
static int
redelegation(struct store *st, const struct svc_trust_new *n,
    struct kg_trust *nt, struct kg_err *err)
{
	struct kg_trust	*chain = NULL;
	size_t		 nc = 0, i;
	int		 max = n->max_redelegation_count;
	int		 asked = n->redelegation_count, redelegatable, ret = -1;

	/* The caller's own trust first (the handler's _find_redelegated_trust). */
	if (n->redelegated_trust_id != NULL &&
	    trust_chain(st, n->redelegated_trust_id, 0, &chain, &nc, err) == -1)
		return -1;
	redelegatable = n->allow_redelegation && asked != 0;
	if (!redelegatable)
		nt->redelegation_count = 0;
	else if (asked > max) {
		kg_errf(err, KG_EFORBID, FORBIDDEN);
		goto done;
	} else if (nt->remaining_uses != KG_TRUST_UNLIMITED) {
		kg_errf(err, KG_EBADREQ, "remaining_uses must not be set if "
		    "redelegation is allowed");
		goto done;
	} else
		nt->redelegation_count = asked >= 0 ? asked : max;
	if (chain != NULL) {
		kg_strlcpy(nt->redelegated_trust_id, chain[0].id,
		    sizeof(nt->redelegated_trust_id));
		if (redelegatable && asked > 0 &&
		    asked != chain[0].redelegation_count - 1) {
			/* "Modifying redelegation_count upon redelegation is
			 * forbidden." */
			kg_errf(err, KG_EFORBID, FORBIDDEN);
			goto done;
		}
		if (redelegatable && asked < 0)
			nt->redelegation_count = chain[0].redelegation_count - 1;
		for (i = 0; i < nc; i++)
			if (check_redelegation(&chain[i], nt, max, err) == -1)
				goto done;
	}
	ret = 0;
 done:
	kg_trust_list_free(chain, nc);
	return ret;
}

static int
create_body(struct store *st, void *cls, struct kg_err *err)
{
	struct create		*c = cls;
	const struct svc_trust_new *n = c->n;
	struct kg_user		 trustee;
	struct kg_trust		 nt;
	int			 oom, ret = -1;

	/* A retry starts from the request again. */
	kg_trust_free(c->out);
	nt = n->t;		/* extra borrowed; roles copied (names resolve) */
	nt.roles = kg_roles_dup(n->t.roles, n->t.nroles, &oom);
	if (oom)
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	memset(&trustee, 0, sizeof(trustee));
	if (store_user_get(st, n->t.trustee_user_id, &trustee, err) == -1 ||
	    resolve_roles(st, &nt, err) == -1 ||
	    trustor_holds(st, &nt, err) == -1 ||
	    redelegation(st, n, &nt, err) == -1 ||
	    store_trust_create(st, &nt, err) == -1 ||
	    store_trust_get(st, nt.id, c->out, err) == -1)
		goto done;
	ret = 0;
 done:
	kg_user_free(&trustee);
	free(nt.roles);
	return ret;
}

int
svc_trust_create(struct store *st, const struct svc_trust_new *n,
    struct kg_trust *out, struct kg_err *err)
{
	struct create	c = { n, out };

	memset(out, 0, sizeof(*out));
	return svc_run(st, "trust create", create_body, &c, err);
}

static int
delete_body(struct store *st, void *cls, struct kg_err *err)
{
	const char	*id = cls;
	struct kg_trust	 t;

	/* Its events, and its redelegations', before the cascade takes them. */
	if (store_trust_get(st, id, &t, err) == -1)
		return -1;
	kg_trust_free(&t);
	if (svc_revoke_trusts(st, KG_TRUST_ID, id, err) == -1 ||
	    store_trust_delete(st, id, err) == -1)
		return -1;
	return 0;
}

int
svc_trust_delete(struct store *st, const char *id, struct kg_err *err)
{
	return svc_run(st, "trust delete", delete_body, (void *)id, err);
}

static int
consume_body(struct store *st, void *cls, struct kg_err *err)
{
	const char	*id = cls;
	int		 taken;

	if (store_trust_consume(st, id, &taken, err) == -1) {
		/* Keystone: TrustNotFound at issue is a 401. */
		if (err != NULL && err->kind == KG_ENOTFOUND)
			kg_errf(err, KG_EUNAUTH, "trust %s is gone", id);
		return -1;
	}
	/* Keystone's TrustUseLimitReached, a Forbidden: its detail is shown
	 * only with insecure_debug. */
	if (!taken)
		return kg_errf(err, KG_EFORBID, FORBIDDEN);
	return 0;
}

int
svc_trust_consume(struct store *st, const char *id, struct kg_err *err)
{
	return svc_run(st, "trust consume", consume_body, (void *)id, err);
}
