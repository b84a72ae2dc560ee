/* ctx.c - the authenticated caller (see ctx.h). */
#include <stdlib.h>
#include <string.h>

#include "auth/ctx.h"

void
kg_ctx_free(struct kg_ctx *ctx)
{
	if (ctx == NULL)
		return;
	free(ctx->roles);
	memset(ctx, 0, sizeof(*ctx));
}

int
kg_ctx_has_role(const struct kg_ctx *ctx, const char *name)
{
	size_t	i;

	for (i = 0; i < ctx->nroles; i++)
		if (strcmp(ctx->roles[i].name, name) == 0)
			return 1;
	return 0;
}

struct kg_role_ref *
kg_roles_dup(const struct kg_role_ref *roles, size_t n, int *oom)
{
	struct kg_role_ref	*r;

	*oom = 0;
	if (n == 0)
		return NULL;
	if ((r = malloc(n * sizeof(*r))) == NULL) {
		*oom = 1;
		return NULL;
	}
	memcpy(r, roles, n * sizeof(*r));
	return r;
}

int
kg_ctx_copy(struct kg_ctx *dst, const struct kg_ctx *src)
{
	int	oom;

	*dst = *src;
	dst->roles = kg_roles_dup(src->roles, src->nroles, &oom);
	if (oom) {
		memset(dst, 0, sizeof(*dst));
		return -1;
	}
	return 0;
}
