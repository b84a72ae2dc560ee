/*
 * revoke.h - Keystone-style revocation events.
 *
 * A token is revoked when an event matches it: every non-empty field of
 * the event equals the token's (user, project, domain, audit id, ...) and
 * the token was issued at or before issued_before. Events are pruned once
 * no token they could match can still be valid.
 *
 * Which change records which events -- "who loses tokens when X
 * changes" -- is decided in one place: the table in svc/svc.h, each row a
 * function of svc/revoke.c, the only caller of the writes below.
 */
#ifndef KG_STORE_REVOKE_H
#define KG_STORE_REVOKE_H

#include "store/assignment.h"
#include "store/store.h"

struct kg_revoke_event {
	int64_t	 id;				/* assigned by the store */
	char	 user_id[STORE_ID_SIZE];	/* "" = any */
	char	 project_id[STORE_ID_SIZE];
	char	 domain_id[STORE_ID_SIZE];
	char	 role_id[STORE_ID_SIZE];
	char	 audit_id[64];
	char	 audit_chain_id[64];
	int64_t	 expires_at;			/* µs; 0 = any */
	int64_t	 issued_before;			/* µs */
	int64_t	 revoked_at;			/* µs */
};

/* Record an event (revoked_at = now when 0). Returns 0 or -1. */
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
 * What a token is, for matching against events. Strings may be "" (the
 * token has no such attribute); they are borrowed.
 */
struct kg_revoke_target {
	const char		*user_id;
	const char		*user_domain_id;
	const char		*project_id;		/* project scope */
	const char		*project_domain_id;
	const char		*domain_id;		/* domain scope */
	const char		*audit_id;		/* the token's own (audit_ids[0]) */
	const char		*audit_chain_id;	/* audit_ids[1], "" when none */
	const struct kg_role_ref *roles;		/* roles[nroles] */
	size_t			 nroles;
	int64_t			 issued_at;		/* µs */
	int64_t			 expires_at;		/* µs */
};

/*
 * Pure: 1 when ev revokes t, as Keystone's revoke model decides: the token
 * was issued at or before ev->issued_before and every non-empty field of
 * the event matches -- user_id the token's user; project_id its project;
 * domain_id the user's domain, the project's domain or the scoped domain;
 * role_id one of its roles; audit_id its own audit id OR its chain id (so
 * revoking a token also revokes the tokens rescoped from it); audit_chain_id
 * its chain (or own id when it has no chain); expires_at its expiry.
 */
int	kg_revoke_matches(const struct kg_revoke_event *ev,
	    const struct kg_revoke_target *t);

/* *revoked = 1 when any stored event matches t. Returns 0 or -1. */
int	store_revoke_check(struct store *st, const struct kg_revoke_target *t,
	    int *revoked, struct kg_err *err);

#endif /* KG_STORE_REVOKE_H */
