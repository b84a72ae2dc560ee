/*
 * authz.h - the server's policy: the set built from [oslo_policy] (built-in
 * defaults, flags, policy file), shared by the workers and swapped whole on
 * SIGHUP.
 *
 * Threads: authz_get/authz_put may be called from any thread; a set got
 * stays valid until that thread's next authz_get (a thread keeps its
 * reference between requests, so the request path takes no lock), even
 * across a reload. A reload that fails keeps the current set.
 */
#ifndef KG_AUTHZ_H
#define KG_AUTHZ_H

#include "auth/policy.h"
#include "common/err.h"
#include "server/config.h"

struct authz;

/* Build the set cfg describes (reading its policy file). NULL with err. */
struct policy_set	*authz_build(const struct kg_config *cfg, struct kg_err *err);

/* Take ownership of set s as the current one. NULL on allocation failure. */
struct authz		*authz_new(struct policy_set *s);
void			 authz_free(struct authz *a);

/* Rebuild from cfg and swap; on failure the current set stays. 0 or -1. */
int			 authz_reload(struct authz *a, const struct kg_config *cfg,
			    struct kg_err *err);

const struct policy_set	*authz_get(struct authz *a);
void			 authz_put(struct authz *a, const struct policy_set *s);

/* One line describing s, e.g. for the log and "serve -n". */
void			 authz_describe(const struct policy_set *s,
			    const struct kg_config *cfg, char *buf, size_t bufsz);

#endif /* KG_AUTHZ_H */
