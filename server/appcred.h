/*
 * appcred.h - what the rest of the server needs of application
 * credentials (server/api_appcred.c): the access-rule check
 * keystonemiddleware makes, which keygate makes on its own API.
 */
#ifndef KG_SERVER_APPCRED_H
#define KG_SERVER_APPCRED_H

#include "auth/ctx.h"
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

#endif /* KG_SERVER_APPCRED_H */
