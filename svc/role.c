/*
 * role.c - roles and implied roles (inference rules): create, update,
 * delete (holders lose it), add and remove rules (see svc.h).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "svc/svc_int.h"

int
svc_role_immutable(const struct kg_role *r)
{
	return svc_extra_immutable(r->extra);
}

static int
create_body(struct store *st, void *cls, struct kg_err *err)
{
	const struct kg_role	*r = cls;

	if (r->domain_id[0] != '\0' &&
	    store_assign_name(st, KG_OBJ_DOMAIN, r->domain_id, NULL, err) == -1)
		return -1;
	return store_role_create(st, r, err);
}

int
svc_role_create(struct store *st, const struct kg_role *r, struct kg_err *err)
{
	return svc_run(st, "role create", create_body, (void *)r, err);
}

SVC_KIND(role_kind, kg_role, "role update", store_role_get,
    store_role_update, kg_role_free);

int
svc_role_update(struct store *st, const char *id, const struct svc_edit *edit,
    struct kg_role *out, struct kg_err *err)
{
	return svc_update(st, &role_kind, id, edit, NULL, out, err);
}

static int
delete_body(struct store *st, void *cls, struct kg_err *err)
{
	const char	*id = cls;
	struct kg_role	 r;
	int		 imm;

	memset(&r, 0, sizeof(r));
	if (store_role_get(st, id, &r, err) == -1)
		return -1;
	imm = svc_role_immutable(&r);
	kg_role_free(&r);
	if (imm)
		return svc_immutable_delete(err, "role", id);
	/* Everyone who held it (directly, through a group or by implication)
	 * loses it: their events go first, while the grants still say who. */
	if (svc_revoke_role(st, id, err) == -1 ||
	    svc_appcred_drop_for_role(st, id, err) == -1 ||
	    store_role_delete(st, id, err) == -1)
		return -1;
	return 0;
}

int
svc_role_delete(struct store *st, const char *id, struct kg_err *err)
{
	return svc_run(st, "role delete", delete_body, (void *)id, err);
}

struct rule {
	const char	*prior_id;
	const char	*implied_id;
};

static int
implied_create_body(struct store *st, void *cls, struct kg_err *err)
{
	struct rule	*ru = cls;
	struct kg_role	 prior, implied;
	int		 ret = -1;

	memset(&prior, 0, sizeof(prior));
	memset(&implied, 0, sizeof(implied));
	if (store_role_get(st, ru->prior_id, &prior, err) == -1 ||
	    store_role_get(st, ru->implied_id, &implied, err) == -1)
		goto done;
	if (strcmp(implied.name, SVC_PROHIBITED_IMPLIED_ROLE) == 0) {
		kg_errf(err, KG_EFORBID, "%s cannot be an implied roles.",
		    implied.id);
		goto done;
	}
	if (prior.domain_id[0] == '\0' && implied.domain_id[0] != '\0') {
		kg_errf(err, KG_EFORBID,
		    "Global role cannot imply a domain-specific role");
		goto done;
	}
	ret = store_role_add_implied(st, prior.id, implied.id, err);
 done:
	kg_role_free(&prior);
	kg_role_free(&implied);
	return ret;
}

int
svc_implied_create(struct store *st, const char *prior_id,
    const char *implied_id, struct kg_err *err)
{
	struct rule	ru = { prior_id, implied_id };

	return svc_run(st, "implied role create", implied_create_body, &ru, err);
}

static int
implied_delete_body(struct store *st, void *cls, struct kg_err *err)
{
	struct rule	*ru = cls;

	/* The holders of prior lose the implied role: find them first. */
	if (store_implied_get(st, ru->prior_id, ru->implied_id, err) == -1 ||
	    svc_revoke_role(st, ru->prior_id, err) == -1 ||
	    store_implied_delete(st, ru->prior_id, ru->implied_id, err) == -1)
		return -1;
	return 0;
}

int
svc_implied_delete(struct store *st, const char *prior_id,
    const char *implied_id, struct kg_err *err)
{
	struct rule	ru = { prior_id, implied_id };

	return svc_run(st, "implied role delete", implied_delete_body, &ru, err);
}
