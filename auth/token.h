/*
 * token.h - keygate tokens: ES256-signed JWTs that carry identity, scope
 * and roles, so other services can also verify them offline.
 *
 * Issuing, validating (signature with the pinned algorithm, expiry,
 * revocation events, current state of user/project/roles) and revoking.
 * The tokens object holds the parsed signing keys and the validation
 * cache; it is shared by all worker threads and is thread-safe.
 */
#ifndef KG_AUTH_TOKEN_H
#define KG_AUTH_TOKEN_H

#include "auth/ctx.h"
#include "common/err.h"
#include "store/store.h"

struct tokens;

struct token_cfg {
	const char	*key_dir;		/* signing key repository */
	long		 expiration;		/* seconds */
	long		 allow_expired_window;	/* seconds */
	int		 cache_size;		/* validated tokens cached; 0 = off */
};

/* Load the keys in cfg->key_dir (which must exist, see auth/keys.h).
 * NULL on failure. */
struct tokens	*tokens_open(const struct token_cfg *cfg, struct kg_err *err);
void		 tokens_close(struct tokens *t);

/*
 * Authenticate a request: validate token (never expired, never revoked)
 * against the current state and fill *ctx with the caller. KG_EUNAUTH on
 * any failure (the message is Keystone's fixed text).
 */
int	tokens_authenticate(struct tokens *t, struct store *st, const char *token,
	    struct kg_ctx *ctx, struct kg_err *err);

#endif /* KG_AUTH_TOKEN_H */
