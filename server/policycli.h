/*
 * policycli.h - the "keygate policy" subcommands.
 */
#ifndef KG_POLICYCLI_H
#define KG_POLICYCLI_H

#include <stdio.h>

#include "common/err.h"
#include "server/config.h"

/*
 * Print the effective rules of cfg's policy (defaults merged with the
 * policy file) to fp: as YAML that is itself a policy file, or as JSON.
 * 0, or -1 with err (a bad policy file).
 */
int	policycli_list(const struct kg_config *cfg, int as_json, FILE *fp,
	    struct kg_err *err);

/*
 * Explain rule for a caller: the token (validated against cfg's database
 * and keys, as the server would) or creds (JSON credentials, see
 * pcreds_from_json), on target (JSON, may be NULL). Prints each check and
 * the decision. Returns 1 allowed, 0 denied, -1 with err.
 */
int	policycli_check(const struct kg_config *cfg, const char *token,
	    const char *creds, const char *rule, const char *target, FILE *fp,
	    struct kg_err *err);

#endif /* KG_POLICYCLI_H */
