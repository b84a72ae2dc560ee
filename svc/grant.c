/*
 * grant.c - role grants to users and groups on projects, domains and the
 * system: create under Keystone's checks, delete with the revocations it
 * implies (see svc.h).
 */
#include <stdlib.h>
#include <string.h>

#include "svc/svc_int.h"

/*
 * Everything the grant names exists, in Keystone's order (role, actor,
 * target: assignment/core.py create_grant via _build_enforcement_target),
 * and its domain-specific role fits the target. In the transaction, so
 * that nothing can be deleted between these checks and the insert (and the
 * foreign keys would refuse it anyway).
 */
static int
create_body(struct store *st, void *cls, struct kg_err *err)
{
	const struct svc_grant	*g = cls;
	struct kg_assign_name	 target;
	struct kg_role		 r;
	int			 ret = -1;

	memset(&r, 0, sizeof(r));
	memset(&target, 0, sizeof(target));
	if (store_role_get(st, g->role_id, &r, err) == -1)
		return -1;
	if (store_assign_name(st, g->is_group ? KG_OBJ_GROUP : KG_OBJ_USER,
	    g->actor_id, NULL, err) == -1)
		goto done;
	if (g->kind == KG_SCOPE_PROJECT && store_assign_name(st, KG_OBJ_PROJECT,
	    g->target_id, &target, err) == -1)
		goto done;
	if (g->kind == KG_SCOPE_DOMAIN && store_assign_name(st, KG_OBJ_DOMAIN,
	    g->target_id, NULL, err) == -1)
		goto done;
	if (g->kind == KG_SCOPE_SYSTEM && r.domain_id[0] != '\0') {
		kg_errf(err, KG_EBADREQ, "Role %s is a domain-specific role. Unable"
		    " to use a domain-specific role in a system assignment.",
		    g->role_id);
		goto done;
	}
	if (g->kind == KG_SCOPE_PROJECT && r.domain_id[0] != '\0' &&
	    strcmp(r.domain_id, target.domain_id) != 0) {
		kg_errf(err, KG_EFORBID, "Project %s must be in the same domain as"
		    " the role %s being assigned.", g->target_id, g->role_id);
		goto done;
	}
	ret = store_grant(st, g->is_group, g->actor_id, g->kind, g->target_id,
	    g->role_id, g->inherited, err);
 done:
	kg_role_free(&r);
	return ret;
}

int
svc_grant_create(struct store *st, const struct svc_grant *g, struct kg_err *err)
{
	return svc_run(st, "grant create", create_body, (void *)g, err);
}

static int
delete_body(struct store *st, void *cls, struct kg_err *err)
{
	const struct svc_grant	*g = cls;

	if (store_ungrant(st, g->is_group, g->actor_id, g->kind, g->target_id,
	    g->role_id, g->inherited, err) == -1 ||
	    svc_revoke_grant(st, g, err) == -1)
		return -1;
	return 0;
}

int
svc_grant_delete(struct store *st, const struct svc_grant *g, struct kg_err *err)
{
	return svc_run(st, "grant delete", delete_body, (void *)g, err);
}
