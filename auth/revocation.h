/*
 * revocation.h - which revocation events revoke which tokens: the one
 * rule keygate (validation) and keygate-gateway (offline checks) share.
 * Pure: no store, no clock, no allocation; thread-safe.
 *
 * An event revokes a token when
 *   - it is not older than the token: the token was issued at or before
 *     the event's issued_before (Keystone's rule), OR both carry a store
 *     revision and the token's is lower than the event's (keygate's rule,
 *     see below); and
 *   - every non-empty field of the event matches the token: user_id its
 *     user, or, for a trust-scoped token, the trust's trustor or trustee
 *     (Keystone's rule: a user's event covers the trusts they are part
 *     of); project_id its project; domain_id the user's domain, the
 *     project's domain or the scoped domain; role_id one of its roles;
 *     audit_id its own audit id OR its chain id (revoking a token also
 *     revokes the tokens rescoped from it); audit_chain_id its chain (its
 *     own id when it has none); app_cred_id the application credential
 *     it was issued with (keygate's extension; such events carry the
 *     credential's user_id too, and are found by it); trust_id the trust
 *     it was issued from; expires_at its expiry (to the second).
 *
 * Revisions make issue and revocation linearizable. The store revision
 * (store_generation) grows inside every write transaction. A token carries
 * the revision of the read snapshot in which its issue checked the
 * password, the user, the scope and the roles (claim "rev"); an event
 * records the revision of the transaction that wrote it. A token whose
 * revision is lower than an event's was checked against a state from
 * before that revocation committed, whatever the clocks say, so it is
 * revoked with it; a token checked after the commit saw the new state (a
 * changed password, a disabled user, a removed grant, a revoked parent
 * token) and was refused at issue, or is not covered. issued_before alone
 * cannot decide this: a token signed after the event's time may have been
 * checked before the change committed.
 *
 * Index keys: an event is found by its most selective non-empty field, in
 * the order audit_id, audit_chain_id, user_id, project_id, domain_id,
 * role_id ("a:<id>", "c:", "u:", "p:", "d:", "r:"; "*" when it has none).
 * trust_id is not among them: keygate's trust events also carry the
 * trustor's user_id (svc/revoke.c), so they are found by "u:<trustor>",
 * one of every trust-scoped token's keys.
 * Any event that can match a token has one of the token's keys
 * (kg_revoke_target_keys), so a check looks up those keys only and does
 * not grow with the number of events. The store keeps the same key in an
 * indexed column (schema/0003_revocation_index.sql computes it with the
 * same order; tests/unit/test_revocation.c checks they agree).
 */
#ifndef KG_AUTH_REVOCATION_H
#define KG_AUTH_REVOCATION_H

#include <stddef.h>
#include <stdint.h>

#include "common/types.h"

/*
 * What a token is, for matching. Strings are borrowed; "" (or NULL) when
 * the token has no such attribute.
 */
struct kg_revoke_target {
	const char		*user_id;
	const char		*user_domain_id;
	const char		*project_id;		/* project scope */
	const char		*project_domain_id;
	const char		*domain_id;		/* domain scope */
	const char		*audit_id;		/* the token's own (audit_ids[0]) */
	const char		*audit_chain_id;	/* audit_ids[1], "" when none */
	const char		*app_cred_id;		/* application credential */
	const char		*trust_id;		/* trust-scoped: the trust, */
	const char		*trustor_id;		/* its trustor and */
	const char		*trustee_id;		/* trustee; "" otherwise */
	const char *const	*role_ids;		/* role_ids[nroles] */
	size_t			 nroles;
	int64_t			 issued_at;		/* µs */
	int64_t			 expires_at;		/* µs */
	int64_t			 revision;		/* claim "rev"; 0 = none */
};

/* 1 when ev revokes t (the rule above), else 0. */
int	kg_revoke_matches(const struct kg_revoke_event *ev,
	    const struct kg_revoke_target *t);

/* Room for an index key: a prefix, ':', an audit id or id, NUL. */
#define KG_REVOKE_KEY_SIZE	(2 + KG_REVOKE_AUDIT_SIZE)

/* The index key of ev (see above) into key. */
void	kg_revoke_event_key(const struct kg_revoke_event *ev,
	    char key[KG_REVOKE_KEY_SIZE]);

/* Most keys a target has without its roles (one more per role). */
#define KG_REVOKE_TARGET_KEYS	11

/*
 * Call fn(key, arg) for every index key an event matching t can have:
 * "*", its audit and chain ids, user (and a trust's trustor and trustee),
 * project, the three domains and one per role; repeats are skipped. Stops early and returns fn's value when
 * fn returns nonzero; returns 0 when every key was seen.
 */
int	kg_revoke_target_keys(const struct kg_revoke_target *t,
	    int (*fn)(const char *key, void *arg), void *arg);

#endif /* KG_AUTH_REVOCATION_H */
