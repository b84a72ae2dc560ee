/*
 * authguard.h - the failed-login rate limit around the routes that check
 * a password or a TOTP passcode (R_LIMIT: POST /v3/auth/tokens with the
 * password or totp method, POST /v3/users/{id}/password): the HTTP side of server/authlimit.h.
 */
#ifndef KG_SERVER_AUTHGUARD_H
#define KG_SERVER_AUTHGUARD_H

#include "server/http.h"

/*
 * Before any hashing, on the worker: the user the body names (for the
 * tokens route: resolved by id, or name and domain, with one indexed
 * read; unknown: none), and the client's address, against the limit.
 * -1 with KG_ETOOMANY (429, err->retry_after seconds) when refused.
 */
int	authguard_check(struct req *r, struct kg_err *err);

/* Does a token request carry a totp passcode (so the limit applies as to
 * a password)? */
int	authguard_totp(struct req *r);

/* What the password check found: ok, or a failure (user_id NULL: no such
 * user). */
void	authguard_record(struct req *r, const char *user_id, int ok);

#endif /* KG_SERVER_AUTHGUARD_H */
