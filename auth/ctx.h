/*
 * ctx.h - the authenticated caller of a request, derived from a validated
 * token (Keystone's "credentials"). Filled by tokens_authenticate() in
 * auth/token.c, read by auth/policy.c and the handlers.
 */
#ifndef KG_AUTH_CTX_H
#define KG_AUTH_CTX_H

#include <stddef.h>
#include <stdint.h>

#include "store/assignment.h"

struct kg_ctx {
	char			 user_id[STORE_ID_SIZE];
	char			 user_domain_id[STORE_ID_SIZE];
	enum kg_scope_kind	 scope;			/* NONE: unscoped token */
	char			 project_id[STORE_ID_SIZE];	/* project scope */
	char			 project_domain_id[STORE_ID_SIZE];
	char			 domain_id[STORE_ID_SIZE];	/* domain scope */
	struct kg_role_ref	*roles;			/* effective roles, roles[nroles] */
	size_t			 nroles;
	char			 audit_id[32];		/* of the caller's token */
	int64_t			 expires_at;		/* µs */
};

/* Release ctx->roles and zero the struct. NULL-safe. */
void	kg_ctx_free(struct kg_ctx *ctx);

/* Nonzero when the caller's token carries the role of that name. */
int	kg_ctx_has_role(const struct kg_ctx *ctx, const char *name);

#endif /* KG_AUTH_CTX_H */
