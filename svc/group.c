/*
 * group.c - groups and membership: create, update, delete (members lose
 * the group's grants), add and remove members (see svc.h).
 */
#include <stdlib.h>
#include <string.h>

#include "svc/svc_int.h"

static int
create_body(struct store *st, void *cls, struct kg_err *err)
{
	const struct kg_group	*g = cls;
	struct kg_domain	 d;

	memset(&d, 0, sizeof(d));
	if (store_domain_get(st, g->domain_id, &d, err) == -1)
		return -1;
	kg_domain_free(&d);
	return store_group_create(st, g, err);
}

int
svc_group_create(struct store *st, const struct kg_group *g, struct kg_err *err)
{
	return svc_run(st, "group create", create_body, (void *)g, err);
}

SVC_KIND(group_kind, kg_group, "group update", store_group_get,
    store_group_update, kg_group_free);

int
svc_group_update(struct store *st, const char *id, const struct svc_edit *edit,
    struct kg_group *out, struct kg_err *err)
{
	return svc_update(st, &group_kind, id, edit, NULL, out, err);
}

static int
delete_body(struct store *st, void *cls, struct kg_err *err)
{
	const char	*id = cls;
	struct kg_group	 g;

	memset(&g, 0, sizeof(g));
	if (store_group_get(st, id, &g, err) == -1)
		return -1;
	kg_group_free(&g);
	/* Before the memberships go with the group. */
	if (svc_revoke_group(st, id, err) == -1 ||
	    store_group_delete(st, id, err) == -1)
		return -1;
	return 0;
}

int
svc_group_delete(struct store *st, const char *id, struct kg_err *err)
{
	return svc_run(st, "group delete", delete_body, (void *)id, err);
}

struct member {
	const char	*group_id;
	const char	*user_id;
};

static int
add_body(struct store *st, void *cls, struct kg_err *err)
{
	struct member	*m = cls;

	/* Checks that both exist first, in this transaction. */
	return store_group_add_user(st, m->group_id, m->user_id, err);
}

int
svc_group_add_user(struct store *st, const char *group_id, const char *user_id,
    struct kg_err *err)
{
	struct member	m = { group_id, user_id };

	return svc_run(st, "group add user", add_body, &m, err);
}

static int
remove_body(struct store *st, void *cls, struct kg_err *err)
{
	struct member	*m = cls;

	if (store_group_remove_user(st, m->group_id, m->user_id, err) == -1 ||
	    svc_revoke_user(st, m->user_id, err) == -1)
		return -1;
	return 0;
}

int
svc_group_remove_user(struct store *st, const char *group_id,
    const char *user_id, struct kg_err *err)
{
	struct member	m = { group_id, user_id };

	return svc_run(st, "group remove user", remove_body, &m, err);
}
