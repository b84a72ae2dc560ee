/*
 * domain.c - domains: create, update (disabling revokes), delete with
 * everything the domain owns (see svc.h).
 */
#include <stdlib.h>
#include <string.h>

#include "svc/svc_int.h"

static int
create_body(struct store *st, void *cls, struct kg_err *err)
{
	return store_domain_create(st, cls, err);
}

int
svc_domain_create(struct store *st, const struct kg_domain *d,
    struct kg_err *err)
{
	return svc_run(st, "domain create", create_body, (void *)d, err);
}

SVC_KIND(domain_kind, kg_domain, "domain update", store_domain_get,
    store_domain_update, kg_domain_free);

static void
note_enabled(const void *obj, void *cls)
{
	*(int *)cls = ((const struct kg_domain *)obj)->enabled;
}

/* Keystone invalidates every token of a domain being disabled. */
static int
revoke_disabled(struct store *st, void *obj, void *cls, struct kg_err *err)
{
	const struct kg_domain	*d = obj;

	if (*(int *)cls && !d->enabled &&
	    (svc_revoke_trusts(st, KG_TRUST_DOMAIN, d->id, err) == -1 ||
	    svc_revoke_domain(st, d->id, err) == -1))
		return -1;
	return 0;
}

int
svc_domain_update(struct store *st, const char *id, const struct svc_edit *edit,
    struct kg_domain *out, struct kg_err *err)
{
	int			was = 0;
	struct svc_hooks	h = { note_enabled, NULL, revoke_disabled, &was };

	return svc_update(st, &domain_kind, id, edit, &h, out, err);
}

/*
 * What deleting domain_id deletes besides itself, before it goes: refused
 * (403) when it owns an immutable project or role (Keystone deletes them
 * one by one and stops at the first immutable one, with what came before
 * it gone; keygate refuses the whole delete instead); else the
 * revocations of the trusts of its users and projects, its groups (members
 * elsewhere lose their grants) and domain-specific roles (their holders
 * anywhere lose what they implied).
 */
static int
prepare_owned(struct store *st, const char *domain_id, struct kg_err *err)
{
	struct kg_project_filter	 f;
	struct kg_project		*p = NULL;
	struct kg_group			*g = NULL;
	struct kg_role			*r = NULL;
	size_t				 np = 0, ng = 0, nr = 0, i;
	int				 ret = -1;

	memset(&f, 0, sizeof(f));
	f.domain_id = domain_id;
	f.enabled = -1;
	if (store_project_list(st, &f, NULL, &p, &np, err) == -1 ||
	    store_group_list(st, NULL, domain_id, NULL, NULL, &g, &ng, err) == -1 ||
	    store_role_list(st, NULL, domain_id, NULL, NULL, &r, &nr, err) == -1)
		goto done;
	for (i = 0; i < np; i++)
		if (svc_extra_immutable(p[i].extra)) {
			svc_immutable_delete(err, "project", p[i].id);
			goto done;
		}
	for (i = 0; i < nr; i++)
		if (svc_role_immutable(&r[i])) {
			svc_immutable_delete(err, "role", r[i].id);
			goto done;
		}
	if (svc_revoke_trusts(st, KG_TRUST_DOMAIN, domain_id, err) == -1)
		goto done;
	for (i = 0; i < ng; i++)
		if (svc_revoke_group(st, g[i].id, err) == -1)
			goto done;
	for (i = 0; i < nr; i++)
		if (svc_revoke_role(st, r[i].id, err) == -1 ||
		    svc_appcred_drop_for_role(st, r[i].id, err) == -1)
			goto done;
	ret = 0;
 done:
	kg_project_list_free(p, np);
	kg_group_list_free(g, ng);
	kg_role_list_free(r, nr);
	return ret;
}

static int
delete_body(struct store *st, void *cls, struct kg_err *err)
{
	const char		*id = cls;
	struct kg_domain	 d;
	int			 enabled, imm;

	memset(&d, 0, sizeof(d));
	if (store_domain_get(st, id, &d, err) == -1)
		return -1;
	enabled = d.enabled;
	imm = svc_extra_immutable(d.extra);
	kg_domain_free(&d);
	/* resource/core.py _delete_domain's order. */
	if (imm)
		return svc_immutable_delete(err, "domain", id);
	if (enabled)
		return kg_errf(err, KG_EFORBID, "Cannot delete a domain that is "
		    "enabled, please disable it first.");
	if (prepare_owned(st, id, err) == -1 ||
	    store_domain_delete(st, id, err) == -1 ||
	    svc_revoke_domain(st, id, err) == -1)
		return -1;
	return 0;
}

int
svc_domain_delete(struct store *st, const char *id, struct kg_err *err)
{
	return svc_run(st, "domain delete", delete_body, (void *)id, err);
}
