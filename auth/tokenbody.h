/*
 * tokenbody.h - the token object as Keystone shows it in POST and GET
 * /v3/auth/tokens replies, written as JSON text (it is on every issue and
 * validation miss; see common/jsonw.h for why not jansson):
 *   {"methods", "user": {domain, id, name, password_expires_at},
 *    "audit_ids", "expires_at", "issued_at", project + is_domain | domain |
 *    system, "roles", "application_credential"}
 * in Keystone's order on the wire. The catalog is added by tokenbody_reply.
 */
#ifndef KG_AUTH_TOKENBODY_H
#define KG_AUTH_TOKENBODY_H

#include <stdint.h>

#include "auth/subject.h"

/* The application credential a token was issued with, as its body shows
 * it ("application_credential": {id, name, restricted, access_rules}). */
struct token_appcred {
	const char			*id;
	const char			*name;
	int				 restricted;
	const struct kg_access_rule	*rules;
	size_t				 nrules;
};

/*
 * The token object for subject s with the given methods and audit ids
 * (chain "" when none), issued at iat_s and expiring at exp_s (seconds),
 * and ac (NULL: not issued with an application credential). Returns
 * malloc'd JSON text, or NULL when out of memory.
 */
char	*tokenbody_text(const struct subject *s, const char *const *methods,
	    size_t nmethods, const char *audit_id, const char *audit_chain_id,
	    int64_t iat_s, int64_t exp_s, const struct token_appcred *ac);

/*
 * The whole reply {"token": <body>[, "catalog": <catalog>]} from a body
 * made by tokenbody_text and a catalog's JSON text (NULL: none). Returns
 * malloc'd text, or NULL when out of memory or body is not an object.
 */
char	*tokenbody_reply(const char *body, const char *catalog);

#endif /* KG_AUTH_TOKENBODY_H */
