/*
 * ctx.h - the authenticated caller of a request, derived from a validated
 * token (Keystone's "credentials"). Filled by tokens_authenticate() and
 * tokens_validate*() (auth/token.h), read by auth/policy.c and the
 * handlers.
 */
#ifndef KG_AUTH_CTX_H
#define KG_AUTH_CTX_H

#include <stddef.h>
#include <stdint.h>

#include "common/types.h"

struct kg_ctx {
	char			 user_id[KG_ID_SIZE];
	char			 user_domain_id[KG_ID_SIZE];
	enum kg_scope_kind	 scope;			/* NONE: unscoped token */
	char			 project_id[KG_ID_SIZE];	/* project scope */
	char			 project_domain_id[KG_ID_SIZE];
	char			 domain_id[KG_ID_SIZE];	/* domain scope */
	struct kg_role_ref	*roles;			/* effective roles, roles[nroles] */
	size_t			 nroles;
	char			 audit_id[KG_AUDIT_SIZE];	/* of the token */
	char			 audit_chain_id[KG_AUDIT_SIZE];	/* its chain; "" when none */
	char			 methods[KG_MAX_METHODS][KG_METHOD_SIZE];
	size_t			 nmethods;
	int64_t			 expires_at;		/* µs */
	int64_t			 rev;			/* store revision the token
							   was checked at: the
							   request's snapshot */
	/* The application credential the token was issued with ("": none):
	 * Keystone refuses a restricted one some calls, and a token whose
	 * credential has access rules may only make the calls they allow. */
	char			 app_cred_id[KG_ID_SIZE];
	int			 app_cred_restricted;
	size_t			 app_cred_nrules;
	/* A trust-scoped token (Keystone's delegated auth): the trust, its
	 * trustor and trustee ("" otherwise); user_id is the trustor when
	 * trust_impersonation, else the trustee. */
	char			 trust_id[KG_ID_SIZE];
	char			 trustor_id[KG_ID_SIZE];
	char			 trustee_id[KG_ID_SIZE];
	int			 trust_impersonation;
};

/* Release ctx->roles and zero the struct. NULL-safe. */
void	kg_ctx_free(struct kg_ctx *ctx);

/* Copy src into dst (dst owns a copy of the roles). 0, or -1 when out of
 * memory (dst zeroed). */
int	kg_ctx_copy(struct kg_ctx *dst, const struct kg_ctx *src);

/* A malloc'd copy of roles[n], NULL when n is 0 or out of memory (then
 * *oom is set). */
struct kg_role_ref *kg_roles_dup(const struct kg_role_ref *roles, size_t n, int *oom);

/* Nonzero when the caller's token carries the role of that name. */
int	kg_ctx_has_role(const struct kg_ctx *ctx, const char *name);

#endif /* KG_AUTH_CTX_H */
