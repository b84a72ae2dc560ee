/* scope.c - the projects and domains a user can scope to (see scope.h). */
#include <stdlib.h>
#include <string.h>

#include "store/scope.h"
#include "store/store_int.h"

int
store_scope_targets(struct store *st, const char *user_id, enum kg_scope_kind kind,
    char ***ids, size_t *n, struct kg_err *err)
{
	sqlite3_stmt		*s;
	struct kg_role_ref	*roles;
	char			**v = NULL, **nv;
	size_t			 cnt = 0, cap = 0, nroles, i, keep = 0;
	int			 rc;

	*ids = NULL;
	*n = 0;
	if (kind == KG_SCOPE_PROJECT)
		s = store_stmt(st, "SELECT p.id FROM project p JOIN domain d"
		    " ON d.id = p.domain_id WHERE p.enabled = 1 AND d.enabled = 1"
		    " ORDER BY p.name, p.id", err);
	else if (kind == KG_SCOPE_DOMAIN)
		s = store_stmt(st, "SELECT id FROM domain WHERE enabled = 1"
		    " ORDER BY name, id", err);
	else
		return kg_errf(err, KG_EBADREQ, "Invalid scope.");
	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
				goto oom;
			v = nv;
		}
		if ((v[cnt] = store_col_strdup(s, 0)) == NULL)
			goto oom;
		cnt++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_strv_free(v, cnt);
		return store_sqlerr(st, rc, "scope targets", NULL, err);
	}
	/* Keep the candidates where the user has an effective role. */
	for (i = 0; i < cnt; i++) {
		if (store_effective_roles(st, user_id, kind, v[i], &roles, &nroles,
		    err) == -1) {
			/* v[keep..i) were moved or freed already. */
			for (; i < cnt; i++)
				v[keep++] = v[i];
			store_strv_free(v, keep);
			return -1;
		}
		free(roles);
		if (nroles > 0)
			v[keep++] = v[i];
		else
			free(v[i]);
	}
	*ids = v;
	*n = keep;
	return 0;
 oom:
	sqlite3_reset(s);
	store_strv_free(v, cnt);
	return kg_errf(err, KG_EINTERNAL, "out of memory");
}
