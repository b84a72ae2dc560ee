/*
 * policies.h - stored policies (/v3/policies: an opaque blob of a type,
 * which keygate keeps and serves but does not enforce, as Keystone) and
 * their OS-ENDPOINT-POLICY associations with an endpoint, a service, or a
 * service in a region. See store/store.h for the conventions.
 */
#ifndef KG_STORE_POLICIES_H
#define KG_STORE_POLICIES_H

#include "store/catalog.h"
#include "store/store.h"

struct kg_policy {
	char	 id[STORE_ID_SIZE];
	char	 type[STORE_NAME_SIZE];
	char	*blob;
	char	*extra;		/* JSON object text of the other attributes */
};

void	kg_policy_free(struct kg_policy *p);
void	kg_policy_list_free(struct kg_policy *v, size_t n);

/* Create (KG_ECONFLICT when the id exists); NULL extra is "{}". */
int	store_policy_create(struct store *st, const struct kg_policy *p,
	    struct kg_err *err);
/* KG_ENOTFOUND "Could not find policy: <id>." */
int	store_policy_get(struct store *st, const char *id, struct kg_policy *out,
	    struct kg_err *err);
/* In creation order; type NULL: any. */
int	store_policy_list(struct store *st, const char *type,
	    struct kg_policy **out, size_t *n, struct kg_err *err);
/* Rewrite type, blob and extra of p->id. */
int	store_policy_update(struct store *st, const struct kg_policy *p,
	    struct kg_err *err);
/* Delete, with its associations (the foreign key cascades). */
int	store_policy_delete(struct store *st, const char *id, struct kg_err *err);

/*
 * Associations. A target is an endpoint (service_id and region_id NULL),
 * a service (endpoint_id and region_id NULL) or a service in a region
 * (endpoint_id NULL); NULL and "" both mean "not set". A target has at
 * most one policy.
 */
struct kg_policy_target {
	const char	*endpoint_id;
	const char	*service_id;
	const char	*region_id;
};

/* Associate policy_id with t, replacing the policy t had. */
int	store_policy_assoc_set(struct store *st, const char *policy_id,
	    const struct kg_policy_target *t, struct kg_err *err);

/* *yes: whether policy_id is associated with exactly t. */
int	store_policy_assoc_exists(struct store *st, const char *policy_id,
	    const struct kg_policy_target *t, int *yes, struct kg_err *err);

/* Remove the association of policy_id with t, if any (no error when
 * there is none, as Keystone). */
int	store_policy_assoc_delete(struct store *st, const char *policy_id,
	    const struct kg_policy_target *t, struct kg_err *err);

/*
 * The policy associated with exactly t into policy_id. KG_ENOTFOUND
 * "Could not find policy association." when there is none.
 */
int	store_policy_assoc_find(struct store *st,
	    const struct kg_policy_target *t, char policy_id[STORE_ID_SIZE],
	    struct kg_err *err);

/*
 * The endpoints a policy applies to, as Keystone's
 * list_endpoints_for_policy: for each association (oldest first), the
 * endpoint; every endpoint of the service; or every endpoint of the
 * service in the region and the regions below it. An endpoint reached by
 * two associations is listed twice, as in Keystone.
 */
int	store_policy_endpoints(struct store *st, const char *policy_id,
	    struct kg_endpoint **out, size_t *n, struct kg_err *err);

#endif /* KG_STORE_POLICIES_H */
