/*
 * trust.h - trusts (Keystone's OS-TRUST): a trustor delegating roles on a
 * project to a trustee, possibly redelegated down a chain of trusts.
 * See store/store.h for the conventions on errors and ownership; the
 * rules (who may create what, redelegation, which tokens a trust's end
 * revokes) are svc/trust.c's, the token side auth/issue.c's.
 */
#ifndef KG_STORE_TRUST_H
#define KG_STORE_TRUST_H

#include "store/store.h"

/* struct kg_trust and struct kg_trust_role are in common/types.h. */

/* Release the members of t (not t) and zero it. NULL-safe. */
void	kg_trust_free(struct kg_trust *t);
/* Release an array of n trusts. NULL-safe. */
void	kg_trust_list_free(struct kg_trust *v, size_t n);

/*
 * Insert t with its roles (by id, in order). KG_ECONFLICT with Keystone's
 * text for Keystone's duplicate_trust_constraint (same trustor, trustee,
 * project, impersonation and expiry).
 */
int	store_trust_create(struct store *st, const struct kg_trust *t,
	    struct kg_err *err);

/*
 * The trust by id, expired or used up or not, with its roles (id and
 * name, by id). KG_ENOTFOUND "Could not find
 * trust: <id>.".
 */
int	store_trust_get(struct store *st, const char *id, struct kg_trust *out,
	    struct kg_err *err);

/*
 * Every trust (trustor and trustee NULL), or those of a trustor, or of a
 * trustee, by id, without their roles. *out is an array of
 * *n (kg_trust_list_free).
 */
int	store_trust_list(struct store *st, const char *trustor_user_id,
	    const char *trustee_user_id, struct kg_trust **out, size_t *n,
	    struct kg_err *err);

/* Delete a trust; the trusts redelegated from it go with it (cascade). */
int	store_trust_delete(struct store *st, const char *id, struct kg_err *err);

/*
 * Take one use of a trust that counts them: remaining_uses - 1 when it is
 * above 0, in one statement. *taken is 1 when a use was taken, 0 when none
 * was left or the trust counts none (unlimited); KG_ENOTFOUND when the
 * trust is gone.
 */
int	store_trust_consume(struct store *st, const char *id, int *taken,
	    struct kg_err *err);

/* Which trusts a change takes away (store_trust_affected). */
enum kg_trust_sel {
	KG_TRUST_ID,		/* the trust id */
	KG_TRUST_USER,		/* whose trustor or trustee is user id */
	KG_TRUST_PROJECT,	/* on project id */
	KG_TRUST_DOMAIN		/* whose trustor, trustee or project is in
				   domain id */
};

/*
 * The trusts sel selects and every trust redelegated from them, down the
 * chains, without roles: what the change's revocation events must name.
 * *out is an array of *n (kg_trust_list_free).
 */
int	store_trust_affected(struct store *st, enum kg_trust_sel sel,
	    const char *id, struct kg_trust **out, size_t *n, struct kg_err *err);

/*
 * The roles a token of the trust carries before Keystone's checks: the
 * trust's roles and every role they imply, transitively, each once, with
 * domain_specific set for a domain's own role (Keystone checks those
 * against the trustor but leaves them out of tokens). *out: free().
 */
int	store_trust_effective_roles(struct store *st, const char *trust_id,
	    struct kg_trust_role **out, size_t *n, struct kg_err *err);

#endif /* KG_STORE_TRUST_H */
