/*
 * appcred.h - what the rest of the server needs of application
 * credentials (server/api_appcred.c): the access-rule check
 * keystonemiddleware makes, which keygate makes on its own API, and
 * Keystone's refusal of restricted credentials' tokens.
 */
#ifndef KG_SERVER_APPCRED_H
#define KG_SERVER_APPCRED_H

#include "auth/ctx.h"
#include "common/err.h"
#include "store/store.h"

/*
 * Do the access rules of the credential ctx's token was issued with allow
 * method path on the service of type service_type? As keystonemiddleware:
 * a token can always validate itself (GET .../v3/auth/tokens on
 * "identity"). Reads the rules from the store; a failure is a refusal.
 * 1 allowed, 0 refused.
 */
int	appcred_request_allowed(struct store *st, const struct kg_ctx *ctx,
	    const char *service_type, const char *method, const char *path);

/*
 * Keystone's _check_unrestricted_application_credential: when ctx's token
 * was issued with a restricted application credential, KG_EFORBID
 * "... Using method 'application_credential' is not allowed for managing
 * <what>." and -1; else 0.
 */
int	appcred_check_unrestricted(const struct kg_ctx *ctx, const char *what,
	    struct kg_err *err);

#endif /* KG_SERVER_APPCRED_H */
