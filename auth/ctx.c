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

int
kg_ctx_copy(struct kg_ctx *dst, const struct kg_ctx *src)
{
	*dst = *src;
	dst->roles = NULL;
	if (src->nroles == 0)
		return 0;
	if ((dst->roles = malloc(src->nroles * sizeof(*src->roles))) == NULL) {
		memset(dst, 0, sizeof(*dst));
		return -1;
	}
	memcpy(dst->roles, src->roles, src->nroles * sizeof(*src->roles));
	return 0;
}
