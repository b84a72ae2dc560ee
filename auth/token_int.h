/*
 * token_int.h - what auth/token.c (validation, revocation, the tokens
 * object) and auth/issue.c (issuing) share. Never include it elsewhere.
 */
#ifndef KG_AUTH_TOKEN_INT_H
#define KG_AUTH_TOKEN_INT_H

#include <pthread.h>
#include <stdint.h>

#include "auth/subject.h"
#include "auth/token.h"

struct tokens {
	struct token_cfg	 cfg;		/* key_dir points to key_dir below */
	char			*key_dir;
	struct keyring		*keys;
	struct vcache		*vcache;	/* NULL: no cache */
	struct scache		*scache;	/* NULL: no cache */
	struct catcache		*catalog;
	pthread_mutex_t		 prunelock;
	int64_t			 last_prune;	/* µs */
};

/* *rev = the store revision, read in the current snapshot. 0 or -1. */
int	token_revision(struct store *st, int64_t *rev, struct kg_err *err);

/*
 * Validate token at revision rev (0: read it) and fill *ctx (its rev
 * included) and, when body is not NULL, *body with the token object as
 * JSON text (malloc'd). A cache hit at rev answers at once; otherwise the
 * checks run in one read transaction: the caller's when one is open
 * (rev must then be its revision), else a new one whose revision is used
 * instead of rev. Errors as tokens_validate.
 */
int	token_validate(struct tokens *t, struct store *st, const char *token,
	    int allow_expired, int64_t rev, struct kg_ctx *ctx, char **body,
	    struct kg_err *err);

/* Fill *ctx (which owns a copy of the roles) for a token of subject s. */
int	token_ctx(const struct subject *s, const char *audit_id,
	    const char *audit_chain_id, const char *const *methods, size_t nmethods,
	    int64_t exp_s, int64_t rev, struct kg_ctx *ctx, struct kg_err *err);

/* The {"token": body[, "catalog": ...]} reply text (malloc'd), the
 * catalog at rev when with_catalog. NULL with err. */
char	*token_reply(struct tokens *t, struct store *st, int64_t rev,
	    const char *body, int with_catalog, struct kg_err *err);

#endif /* KG_AUTH_TOKEN_INT_H */
