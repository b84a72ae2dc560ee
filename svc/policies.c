/*
 * policies.c - policies and their OS-ENDPOINT-POLICY associations
 * (keystone/policy/core.py, keystone/endpoint_policy/core.py; see svc.h).
 * Nothing here revokes a token: keygate, like Keystone, stores policies
 * for other services and does not enforce them.
 */
#include <stdlib.h>
#include <string.h>

#include "svc/svc_int.h"

static int
create_body(struct store *st, void *cls, struct kg_err *err)
{
	return store_policy_create(st, cls, err);
}

int
svc_policy_create(struct store *st, const struct kg_policy *p,
    struct kg_err *err)
{
	return svc_run(st, "policy create", create_body, (void *)p, err);
}

SVC_KIND(policy_kind, kg_policy, "policy update", store_policy_get,
    store_policy_update, kg_policy_free);

int
svc_policy_update(struct store *st, const char *id, const struct svc_edit *edit,
    struct kg_policy *out, struct kg_err *err)
{
	return svc_update(st, &policy_kind, id, edit, NULL, out, err);
}

static int
delete_body(struct store *st, void *cls, struct kg_err *err)
{
	return store_policy_delete(st, cls, err);
}

int
svc_policy_delete(struct store *st, const char *id, struct kg_err *err)
{
	return svc_run(st, "policy delete", delete_body, (void *)id, err);
}

/*
 * What the association's URL names exists, in the order Keystone's
 * controllers look: the policy, then the endpoint, or the service and
 * then the region (404 each).
 */
static int
check_target(struct store *st, const char *policy_id,
    const struct kg_policy_target *t, struct kg_err *err)
{
	struct kg_policy	p;
	struct kg_endpoint	e;
	struct kg_service	s;
	struct kg_region	r;

	memset(&p, 0, sizeof(p));
	if (store_policy_get(st, policy_id, &p, err) == -1)
		return -1;
	kg_policy_free(&p);
	if (t->endpoint_id != NULL) {
		memset(&e, 0, sizeof(e));
		if (store_endpoint_get(st, t->endpoint_id, &e, err) == -1)
			return -1;
		kg_endpoint_free(&e);
	}
	if (t->service_id != NULL) {
		memset(&s, 0, sizeof(s));
		if (store_service_get(st, t->service_id, &s, err) == -1)
			return -1;
		kg_service_free(&s);
	}
	if (t->region_id != NULL) {
		memset(&r, 0, sizeof(r));
		if (store_region_get(st, t->region_id, &r, err) == -1)
			return -1;
		kg_region_free(&r);
	}
	return 0;
}

struct assoc {
	const char			*policy_id;
	const struct kg_policy_target	*t;
};

static int
associate_body(struct store *st, void *cls, struct kg_err *err)
{
	struct assoc	*a = cls;

	if (check_target(st, a->policy_id, a->t, err) == -1)
		return -1;
	return store_policy_assoc_set(st, a->policy_id, a->t, err);
}

int
svc_policy_associate(struct store *st, const char *policy_id,
    const struct kg_policy_target *t, struct kg_err *err)
{
	struct assoc	a = { policy_id, t };

	return svc_run(st, "policy associate", associate_body, &a, err);
}

static int
dissociate_body(struct store *st, void *cls, struct kg_err *err)
{
	struct assoc	*a = cls;

	if (check_target(st, a->policy_id, a->t, err) == -1)
		return -1;
	return store_policy_assoc_delete(st, a->policy_id, a->t, err);
}

int
svc_policy_dissociate(struct store *st, const char *policy_id,
    const struct kg_policy_target *t, struct kg_err *err)
{
	struct assoc	a = { policy_id, t };

	return svc_run(st, "policy dissociate", dissociate_body, &a, err);
}
