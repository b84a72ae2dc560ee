/*
 * token_int.h - what auth/token.c (validation, revocation, the tokens
 * object) and auth/issue.c (issuing) share. Never include it elsewhere.
 */
#ifndef KG_AUTH_TOKEN_INT_H
#define KG_AUTH_TOKEN_INT_H

#include <pthread.h>
#include <stdint.h>

#include "auth/claims.h"
#include "auth/subject.h"
#include "auth/token.h"
#include "auth/tokenbody.h"

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

/* Fill *ctx (which owns a copy of the roles) for a token of subject s,
 * issued with application credential ac (NULL: none). */
int	token_ctx(const struct subject *s, const char *audit_id,
	    const char *audit_chain_id, const char *const *methods, size_t nmethods,
	    int64_t exp_s, int64_t rev, const struct token_appcred *ac,
	    struct kg_ctx *ctx, struct kg_err *err);

/* The {"token": body[, "catalog": ...]} reply text (malloc'd), the
 * catalog at rev when with_catalog: that of project_id for a
 * project-scoped token (else NULL; see catcache.h). NULL with err. */
char	*token_reply(struct tokens *t, struct store *st, int64_t rev,
	    const char *body, int with_catalog, const char *project_id,
	    struct kg_err *err);

/* 1 when a stored event revokes what claims c describe, 0 when none, -1. */
int	token_revoked(struct store *st, const struct kg_claims *c,
	    struct kg_err *err);

/*
 * The "totp" method (auth/totpauth.c; the rules in token.h): the user
 * proved into user_id. 0, or -1 with err.
 */
int	token_auth_totp(struct tokens *t, struct store *st,
	    const struct token_auth *a, char user_id[KG_ID_SIZE],
	    struct kg_err *err);

/*
 * Multi-factor rules for user_id after its methods succeeded, at revision
 * rev (auth/receipt.c; the rules in token.h): a->receipt's methods are
 * added to methods[*n] (room for KG_MAX_METHODS; the names stay valid
 * while *hold lives: free it with receipt_hold_free). 0 when the rules
 * are met; -1 with KG_EUNAUTH (and a->receipt_out filled when the
 * methods need completing) or KG_EINTERNAL.
 */
struct receipt_hold;
int	token_mfa_gate(struct tokens *t, struct store *st, int64_t rev,
	    const struct token_auth *a, const char *user_id, const char **methods,
	    size_t *n, struct receipt_hold **hold, struct kg_err *err);
void	receipt_hold_free(struct receipt_hold *h);

#endif /* KG_AUTH_TOKEN_INT_H */
