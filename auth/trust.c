/*
 * trust.c - Keystone's get_trust and the subject of a trust-scoped token
 * (see trust.h): keystone/trust/core.py, keystone/trust/backends/sql.py
 * and keystone/models/token_model.py (_validate_token_user,
 * _get_trust_roles) of Keystone 22.
 */
#include <stdlib.h>
#include <string.h>

#include "auth/trust.h"
#include "common/util.h"
#include "store/assignment.h"
#include "store/scope.h"
#include "store/trust.h"

/* Keystone's Forbidden: its detail is shown only with insecure_debug. */
#define FORBIDDEN	"You are not authorized to perform the requested action."

static int
not_found(const char *id, struct kg_err *err)
{
	return kg_errf(err, KG_ENOTFOUND, "Could not find trust: %s.", id);
}

/* The driver's get_trust: expired or used-up trusts are not found. */
static int
visible(const struct kg_trust *t, unsigned int flags, int64_t now,
    struct kg_err *err)
{
	if (t->expires_at != 0 && now > t->expires_at)
		return not_found(t->id, err);
	if (!(flags & TRUST_ANY_USES) && t->remaining_uses == 0)
		return not_found(t->id, err);
	return 0;
}

/* A user that exists, is enabled and whose domain is (assert_user_enabled). */
static int
user_enabled(struct store *st, const char *id, int *yes, struct kg_err *err)
{
	struct kg_token_user	u;

	*yes = 0;
	memset(&u, 0, sizeof(u));
	if (store_token_user(st, id, NULL, NULL, NULL, &u, err) == -1) {
		if (err == NULL || err->kind != KG_ENOTFOUND)
			return -1;
		kg_err_clear(err);
		return 0;
	}
	*yes = u.enabled && u.domain_enabled;
	kg_token_user_free(&u);
	return 0;
}

int
trust_chain(struct store *st, const char *id, unsigned int flags,
    struct kg_trust **chain, size_t *n, struct kg_err *err)
{
	struct kg_trust	*v;
	int64_t		 now = kg_now_us();
	size_t		 cnt = 0;
	int		 ok;

	*chain = NULL;
	*n = 0;
	if ((v = calloc(TRUST_MAX_CHAIN, sizeof(*v))) == NULL)
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	if (store_trust_get(st, id, &v[0], err) == -1 ||
	    visible(&v[0], flags, now, err) == -1)
		goto fail;
	/* keystone/trust/core.py get_trust_pedigree and get_trust: every
	 * trust up the chain is usable and its trustee enabled. */
	for (cnt = 1; v[cnt - 1].redelegated_trust_id[0] != '\0'; cnt++) {
		if (cnt == TRUST_MAX_CHAIN) {
			kg_errf(err, KG_EFORBID, FORBIDDEN);
			goto fail;
		}
		if (store_trust_get(st, v[cnt - 1].redelegated_trust_id, &v[cnt],
		    err) == -1) {
			if (err != NULL && err->kind == KG_ENOTFOUND)
				not_found(id, err);
			goto fail;
		}
		if (visible(&v[cnt], TRUST_ANY_USES, now, err) == -1) {
			not_found(id, err);
			goto fail;
		}
		if (user_enabled(st, v[cnt].trustee_user_id, &ok, err) == -1)
			goto fail;
		if (!ok) {
			kg_errf(err, KG_EFORBID, FORBIDDEN);
			goto fail;
		}
	}
	*chain = v;
	*n = cnt;
	return 0;
 fail:
	kg_trust_list_free(v, TRUST_MAX_CHAIN);
	return -1;
}

/* Load a trust party (trustor or trustee) into u; a missing one refuses. */
static int
load_party(struct store *st, const char *id, struct kg_token_user *u,
    struct kg_err *err)
{
	if (store_token_user(st, id, NULL, NULL, NULL, u, err) == -1) {
		if (err != NULL && err->kind == KG_ENOTFOUND)
			err->kind = KG_EUNAUTH;
		return -1;
	}
	return 0;
}

/*
 * The roles of the trust's tokens into s: the trust's roles and those they
 * imply, every one of which the chain's original trustor must hold on the
 * project (domain-specific ones included), less the domain-specific ones.
 */
static int
trust_roles(struct store *st, const struct kg_trust *tr, const char *trustor,
    struct subject *s, struct kg_err *err)
{
	struct kg_trust_role	*eff = NULL;
	struct kg_role_ref	*held = NULL;
	size_t			 neff = 0, nheld = 0, i, j;
	int			 ret = -1;

	if (store_trust_effective_roles(st, tr->id, &eff, &neff, err) == -1 ||
	    store_effective_roles_all(st, trustor, KG_SCOPE_PROJECT, tr->project_id,
	    &held, &nheld, err) == -1)
		goto done;
	if (neff > 0 && (s->roles = calloc(neff, sizeof(*s->roles))) == NULL) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		goto done;
	}
	for (i = 0; i < neff; i++) {
		for (j = 0; j < nheld; j++)
			if (strcmp(eff[i].ref.id, held[j].id) == 0)
				break;
		if (j == nheld) {
			/* keystone/models/token_model.py: "Trustee has no
			 * delegated roles." (a Forbidden) */
			kg_errf(err, KG_EFORBID, FORBIDDEN);
			goto done;
		}
		if (!eff[i].domain_specific)
			s->roles[s->nroles++] = eff[i].ref;
	}
	if (s->nroles == 0) {
		kg_errf(err, KG_EUNAUTH, "User %s has no access to project %s.",
		    s->user.id, tr->project_id);
		goto done;
	}
	ret = 0;
 done:
	free(eff);
	free(held);
	return ret;
}

int
trust_subject(struct store *st, const struct kg_trust *chain, size_t n,
    struct subject *s, struct kg_err *err)
{
	const struct kg_trust	*tr = &chain[0];
	struct kg_token_user	 trustor, trustee;
	int			 ret = -1;

	memset(&trustor, 0, sizeof(trustor));
	memset(&trustee, 0, sizeof(trustee));
	if (tr->project_id[0] == '\0')
		return kg_errf(err, KG_EFORBID, "You are not authorized to perform the "
		    "requested action: Using a trust without a project to create a "
		    "token.");
	if (load_party(st, tr->trustor_user_id, &trustor, err) == -1 ||
	    load_party(st, tr->trustee_user_id, &trustee, err) == -1)
		goto done;
	/* keystone/models/token_model.py _validate_token_user */
	if (!trustor.domain_enabled) {
		kg_errf(err, KG_ENOTFOUND, "Trustor domain is disabled.");
		goto done;
	}
	if (!trustee.domain_enabled) {
		kg_errf(err, KG_ENOTFOUND, "Trustee domain is disabled.");
		goto done;
	}
	if (!trustor.enabled) {
		kg_errf(err, KG_EFORBID, FORBIDDEN);
		goto done;
	}
	if (!trustee.enabled) {
		kg_errf(err, KG_EUNAUTH, "User %s is disabled.", trustee.id);
		goto done;
	}
	/* The token's user: the trustor when it impersonates, else the
	 * trustee (keystone/common/render_token.py). */
	if (tr->impersonation) {
		s->user = trustor;
		memset(&trustor, 0, sizeof(trustor));
	} else {
		s->user = trustee;
		memset(&trustee, 0, sizeof(trustee));
	}
	if (store_token_project(st, tr->project_id, NULL, NULL, NULL, &s->tgt,
	    err) == -1) {
		if (err != NULL && err->kind == KG_ENOTFOUND)
			err->kind = KG_EUNAUTH;
		goto done;
	}
	s->scope = KG_SCOPE_PROJECT;
	if (!s->tgt.enabled || !s->tgt.domain_enabled) {
		kg_errf(err, KG_EUNAUTH, "Project %s or its domain is disabled.",
		    s->tgt.id);
		goto done;
	}
	kg_strlcpy(s->trust.id, tr->id, sizeof(s->trust.id));
	kg_strlcpy(s->trust.trustor_id, tr->trustor_user_id,
	    sizeof(s->trust.trustor_id));
	kg_strlcpy(s->trust.trustee_id, tr->trustee_user_id,
	    sizeof(s->trust.trustee_id));
	s->trust.impersonation = tr->impersonation;
	s->trust.expires_at = tr->expires_at;
	ret = trust_roles(st, tr, chain[n - 1].trustor_user_id, s, err);
 done:
	kg_token_user_free(&trustor);
	kg_token_user_free(&trustee);
	return ret;
}
