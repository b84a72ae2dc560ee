/* token.c - placeholder until the token module lands: every token is refused. */
#include <stdlib.h>

#include "auth/token.h"

struct tokens {
	int	unused;
};

struct tokens *
tokens_open(const struct token_cfg *cfg, struct kg_err *err)
{
	struct tokens	*t = calloc(1, sizeof(*t));

	if (t == NULL)
		kg_errf(err, KG_EINTERNAL, "out of memory");
	return t;
}

void
tokens_close(struct tokens *t)
{
	free(t);
}

int
tokens_authenticate(struct tokens *t, struct store *st, const char *token,
    struct kg_ctx *ctx, struct kg_err *err)
{
	return kg_errf(err, KG_EUNAUTH, "token validation not implemented");
}
