/*
 * revoke.c - the rows of the table "who loses tokens when something
 * changes" (svc.h), one function each: the only place that decides which
 * revocation events a change records. Called inside the change's
 * transaction, before the rows they read (memberships, grants) go.
 */
#include <string.h>

#include "common/util.h"
#include "store/revoke.h"
#include "store/trust.h"
#include "svc/svc_int.h"

int
svc_revoke_token(struct store *st, const char *audit_id, struct kg_err *err)
{
	struct kg_revoke_event	ev;

	memset(&ev, 0, sizeof(ev));
	if (kg_strlcpy(ev.audit_id, audit_id, sizeof(ev.audit_id)) >=
	    sizeof(ev.audit_id))
		return kg_errf(err, KG_EBADREQ, "Invalid audit id.");
	ev.issued_before = ev.revoked_at = kg_now_us();
	return store_revoke_add(st, &ev, err);
}

int
svc_revoke_user(struct store *st, const char *user_id, struct kg_err *err)
{
	return store_revoke_user(st, user_id, err);
}

/* A user event for each of ids[n]. */
static int
revoke_users(struct store *st, char *const *ids, size_t n, struct kg_err *err)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (store_revoke_user(st, ids[i], err) == -1)
			return -1;
	return 0;
}

int
svc_revoke_group(struct store *st, const char *group_id, struct kg_err *err)
{
	char	**ids = NULL;
	size_t	  n = 0;
	int	  grants = 0, ret;

	/* As Keystone: the members lose roles only if the group had some. */
	if (store_group_has_grants(st, group_id, &grants, err) == -1)
		return -1;
	if (!grants)
		return 0;
	if (store_assignment_group_members(st, group_id, &ids, &n, err) == -1)
		return -1;
	ret = revoke_users(st, ids, n, err);
	store_strv_free(ids, n);
	return ret;
}

int
svc_revoke_grant(struct store *st, const struct svc_grant *g,
    struct kg_err *err)
{
	struct kg_revoke_event	  ev;
	char			**ids = NULL;
	const char		 *one[1];
	char *const		 *users;
	size_t			  n, i;
	int			  ret = -1;

	if (g->is_group) {
		if (store_assignment_group_members(st, g->actor_id, &ids, &n,
		    err) == -1)
			return -1;
		users = ids;
	} else {
		one[0] = g->actor_id;
		users = (char *const *)one;
		n = 1;
	}
	for (i = 0; i < n; i++) {
		memset(&ev, 0, sizeof(ev));
		kg_strlcpy(ev.user_id, users[i], sizeof(ev.user_id));
		/* A direct grant reaches tokens of its scope only; an inherited
		 * or system grant reaches others: revoke user-wide. */
		if (!g->inherited && g->kind == KG_SCOPE_PROJECT)
			kg_strlcpy(ev.project_id, g->target_id, sizeof(ev.project_id));
		else if (!g->inherited && g->kind == KG_SCOPE_DOMAIN)
			kg_strlcpy(ev.domain_id, g->target_id, sizeof(ev.domain_id));
		ev.issued_before = ev.revoked_at = kg_now_us();
		if (store_revoke_add(st, &ev, err) == -1)
			goto done;
	}
	ret = 0;
 done:
	store_strv_free(ids, g->is_group ? n : 0);
	return ret;
}

int
svc_revoke_role(struct store *st, const char *role_id, struct kg_err *err)
{
	char	**ids = NULL;
	size_t	  n = 0;
	int	  ret;

	if (store_role_holders(st, role_id, &ids, &n, err) == -1)
		return -1;
	ret = revoke_users(st, ids, n, err);
	store_strv_free(ids, n);
	return ret;
}

int
svc_revoke_project(struct store *st, const char *project_id,
    struct kg_err *err)
{
	return store_revoke_project(st, project_id, err);
}

int
svc_revoke_domain(struct store *st, const char *domain_id, struct kg_err *err)
{
	return store_revoke_domain(st, domain_id, err);
}

int
svc_revoke_appcred(struct store *st, const char *user_id,
    const char *app_cred_id, struct kg_err *err)
{
	struct kg_revoke_event	ev;

	/* With the user: a checker that ignores app_cred_id over-revokes
	 * (all of the user's tokens) instead of missing these. */
	memset(&ev, 0, sizeof(ev));
	kg_strlcpy(ev.user_id, user_id, sizeof(ev.user_id));
	kg_strlcpy(ev.app_cred_id, app_cred_id, sizeof(ev.app_cred_id));
	ev.issued_before = ev.revoked_at = kg_now_us();
	return store_revoke_add(st, &ev, err);
}

int
svc_revoke_trusts(struct store *st, enum kg_trust_sel sel, const char *id,
    struct kg_err *err)
{
	struct kg_revoke_event	 ev;
	struct kg_trust		*v = NULL;
	size_t			 n = 0, i;
	int			 ret = 0;

	if (store_trust_affected(st, sel, id, &v, &n, err) == -1)
		return -1;
	for (i = 0; i < n && ret == 0; i++) {
		/* With the trustor (whom the trust's tokens always match): found
		 * by the trustor's index key, and a checker that ignores
		 * trust_id over-revokes instead of missing these. */
		memset(&ev, 0, sizeof(ev));
		kg_strlcpy(ev.user_id, v[i].trustor_user_id, sizeof(ev.user_id));
		kg_strlcpy(ev.trust_id, v[i].id, sizeof(ev.trust_id));
		ev.issued_before = ev.revoked_at = kg_now_us();
		ret = store_revoke_add(st, &ev, err);
	}
	kg_trust_list_free(v, n);
	return ret;
}
