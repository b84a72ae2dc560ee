/*
 * compliance.h - what PCI-DSS security compliance keeps per user (schema
 * 0012): the failed-authentication counter, the password history, when and
 * by whom the current password was set, the last authentication. See
 * store/store.h for the conventions on errors; the rules are
 * auth/compliance.h's, applied by svc/compliance.c (writes) and
 * auth/issue.c (reads, in the snapshot).
 */
#ifndef KG_STORE_COMPLIANCE_H
#define KG_STORE_COMPLIANCE_H

#include <stdint.h>

#include "store/store.h"

/* A user's compliance state. */
struct kg_user_auth {
	int	 failed_auth_count;	/* 0 when none on record */
	int64_t	 failed_auth_at;	/* µs; 0: none */
	int64_t	 last_active_at;	/* µs; 0: never authenticated */
	int64_t	 created_at;		/* µs */
	int64_t	 password_created_at;	/* µs; 0: no password */
	int	 password_self_service;	/* set by the user, not an admin */
	char	*extra;			/* the user's extra (its "options") */
};

void	kg_user_auth_free(struct kg_user_auth *a);

/* The state of user id (KG_ENOTFOUND "Could not find user: <id>."). */
int	store_user_auth_get(struct store *st, const char *id,
	    struct kg_user_auth *out, struct kg_err *err);

/* Record the failure count and time (count 0: forget the failures). */
int	store_user_auth_set_failures(struct store *st, const char *id,
	    int count, int64_t at, struct kg_err *err);

/* Set last_active_at (not a generation change: a trigger exempts it). */
int	store_user_set_last_active(struct store *st, const char *id, int64_t at,
	    struct kg_err *err);

/* Set enabled = 0 (disabled for inactivity). */
int	store_user_disable(struct store *st, const char *id, struct kg_err *err);

/* Mark the current password as set by the user (1) or an admin (0). */
int	store_user_set_self_service(struct store *st, const char *id, int yes,
	    struct kg_err *err);

/*
 * The previous hashes of user id, newest first, at most max: *out is a
 * string array of *n (store_strv_free; wipe them first: kg_wipe).
 */
int	store_password_history(struct store *st, const char *id, int max,
	    char ***out, size_t *n, struct kg_err *err);

/* Add hash (the password being replaced) to user id's history, then keep
 * only its keep newest entries (keep 0: none). */
int	store_password_history_push(struct store *st, const char *id,
	    const char *hash, int64_t created_at, int keep, struct kg_err *err);

#endif /* KG_STORE_COMPLIANCE_H */
