/*
 * token.c - token revocation (DELETE /v3/auth/tokens): the event on the
 * token's audit id, which also revokes the tokens rescoped from it (see
 * svc.h). Issuing and validating tokens is auth/token.c's, and reads only.
 */
#include "svc/svc_int.h"

static int
revoke_body(struct store *st, void *cls, struct kg_err *err)
{
	return svc_revoke_token(st, cls, err);
}

int
svc_token_revoke(struct store *st, const char *audit_id, struct kg_err *err)
{
	return svc_run(st, "token revoke", revoke_body, (void *)audit_id, err);
}
