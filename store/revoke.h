/*
 * revoke.h - storage of Keystone-style revocation events (struct
 * kg_revoke_event in common/types.h). Which event revokes which token is
 * decided in auth/revocation.h; the store keeps the events, stamps each
 * with the revision of the transaction that wrote it, and finds them by
 * index key. Events are pruned once no token they could match can still
 * be valid.
 *
 * Which change records which events -- "who loses tokens when X
 * changes" -- is decided in one place: the table in svc/svc.h, each row a
 * function of svc/revoke.c, the only caller of the writes below.
 */
#ifndef KG_STORE_REVOKE_H
#define KG_STORE_REVOKE_H

#include "common/types.h"
#include "store/store.h"

/*
 * Record an event (revoked_at = now when 0). The store sets its revision
 * (ev->revision is ignored): call it inside the transaction that makes
 * the change it revokes for. Returns 0 or -1.
 */
int	store_revoke_add(struct store *st, const struct kg_revoke_event *ev,
	    struct kg_err *err);

/* Shorthand: revoke every token of user_id issued until now. */
int	store_revoke_user(struct store *st, const char *user_id, struct kg_err *err);

/* Shorthand: revoke every token scoped to project_id issued until now. */
int	store_revoke_project(struct store *st, const char *project_id,
	    struct kg_err *err);

/* Shorthand: revoke every token scoped to domain_id issued until now. */
int	store_revoke_domain(struct store *st, const char *domain_id,
	    struct kg_err *err);

/*
 * Events revoked after since (µs; 0 = all), oldest first: *out is an array
 * of *n events; free() it.
 */
int	store_revoke_list(struct store *st, int64_t since,
	    struct kg_revoke_event **out, size_t *n, struct kg_err *err);

/* Delete events revoked before cutoff (µs). Returns the count or -1. */
int	store_revoke_prune(struct store *st, int64_t cutoff, struct kg_err *err);

/*
 * Call fn(ev, arg) for each stored event whose index key (auth/revocation.h)
 * is one of keys[0..nkeys) and that is not older than a token issued at
 * issued_at (µs) with revision (0 = none): issued_before >= issued_at or
 * a revision above it. Stops when fn returns nonzero. Any number of keys;
 * each is one index look-up. Returns fn's nonzero value, 0 when fn
 * accepted every event, or -1.
 */
int	store_revoke_find(struct store *st, const char *const *keys, size_t nkeys,
	    int64_t issued_at, int64_t revision,
	    int (*fn)(const struct kg_revoke_event *ev, void *arg), void *arg,
	    struct kg_err *err);

#endif /* KG_STORE_REVOKE_H */
