/*
 * trust.h - trusts as the token module and the OS-TRUST API read them:
 * Keystone's get_trust (which trusts are visible and usable, down a
 * redelegation chain) and the subject of a trust-scoped token (its user,
 * project and roles as Keystone's token model derives them). Store
 * look-ups only; callers group them in one read snapshot (or run them
 * inside a svc transaction).
 *
 * A trust-scoped token is the trustee's: the trustee authenticates
 * (password or token method) and names the trust. Its user is the trustor
 * when the trust says impersonation, else the trustee; its scope is the
 * trust's project; its roles are the trust's roles and the roles they
 * imply, all of which the trustor (the first trustor of a redelegation
 * chain) must still hold on the project, less the domain-specific ones.
 */
#ifndef KG_AUTH_TRUST_H
#define KG_AUTH_TRUST_H

#include <stdint.h>

#include "auth/subject.h"
#include "common/err.h"
#include "common/types.h"

struct store;

/* trust_chain flags */
#define TRUST_ANY_USES	0x1	/* a trust with no use left is still found
				   (its tokens stay valid: only issuing
				   consumes uses) */

/* Longest redelegation chain followed ([trust] max_redelegation_count
 * is at most TRUST_MAX_CHAIN - 1). */
#define TRUST_MAX_CHAIN	33

/*
 * Keystone's get_trust, with the trust's chain: (*chain)[0] is trust id
 * (with its roles), (*chain)[1] the trust it was redelegated from, and so
 * on up to the first trust, whose trustor is the chain's original
 * trustor; *n >= 1. A trust that has expired, or has no use left (unless
 * TRUST_ANY_USES), is not found (KG_ENOTFOUND "Could not find trust:
 * <id>.", as Keystone), nor is one whose chain holds such a trust; a
 * chain with a trustee that is disabled (or in a disabled domain) is
 * refused (KG_EFORBID: Keystone's "One of the trust agents is disabled or
 * deleted", shown as its generic text). Release with
 * kg_trust_list_free(*chain, *n) (store/trust.h).
 */
int	trust_chain(struct store *st, const char *id, unsigned int flags,
	    struct kg_trust **chain, size_t *n, struct kg_err *err);

/*
 * The subject of a token of the trust chain[0] (chain from trust_chain,
 * n long): see above. Refusals as Keystone's token model makes them at
 * issue: KG_EFORBID for a trustor who is disabled or no longer holds a
 * delegated role, and for a trust without a project (Keystone fails with
 * a 500); KG_ENOTFOUND "Trustor domain is disabled." / "Trustee domain is
 * disabled."; KG_EUNAUTH for a project that is gone or disabled, or no
 * role left. s is filled (release with subject_free) whatever the result.
 */
int	trust_subject(struct store *st, const struct kg_trust *chain, size_t n,
	    struct subject *s, struct kg_err *err);

#endif /* KG_AUTH_TRUST_H */
