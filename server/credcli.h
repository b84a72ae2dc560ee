/*
 * credcli.h - "keygate credential-keys": the repository of the keys that
 * seal credential blobs (auth/credkeys.h), and the re-encryption of the
 * stored credentials a rotation needs (through svc/, so a PATCH running
 * meanwhile is never overwritten).
 */
#ifndef KG_CREDCLI_H
#define KG_CREDCLI_H

#include <stdio.h>

#include "common/err.h"
#include "server/config.h"

/*
 * verb: "create" (a staged and a primary key when none), "list" (each key
 * with its role and how many credentials it seals), "rotate" (promote the
 * staged key, re-encrypt every credential under it, then remove the
 * secondaries beyond max_active that nothing uses), "migrate" (re-encrypt
 * under the current primary only). Progress goes to fp. 0, or -1 with err.
 */
int	credcli_run(const struct kg_config *cfg, const char *verb, int max_active,
	    FILE *fp, struct kg_err *err);

#endif /* KG_CREDCLI_H */
