/* scope.c - the token module's view of the store (see scope.h). */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "store/scope.h"
#include "store/store_int.h"

void
kg_token_user_free(struct kg_token_user *u)
{
	if (u == NULL)
		return;
	if (u->password_hash != NULL) {
		kg_wipe(u->password_hash, strlen(u->password_hash));
		free(u->password_hash);
	}
	memset(u, 0, sizeof(*u));
}

/* Step s once: row -> 0 (caller reads), none -> KG_ENOTFOUND, else error. */
static int
step_one(struct store *st, struct db_stmt *s, const char *what, const char *key,
    struct kg_err *err)
{
	int	rc = db_step(s);

	if (rc == DB_ROW)
		return 0;
	db_reset(s);
	if (rc == DB_DONE)
		return kg_errf(err, KG_ENOTFOUND, "Could not find %s: %s.", what, key);
	return store_dberr(st, what, NULL, err);
}

#define TOKEN_USER_COLS	"SELECT u.id, u.name, u.enabled, u.password_hash," \
	" u.password_expires_at, u.default_project_id, d.id, d.name, d.enabled" \
	" FROM \"user\" u JOIN domain d ON d.id = u.domain_id"

int
store_token_user(struct store *st, const char *id, const char *name,
    const char *domain_id, const char *domain_name, struct kg_token_user *out,
    struct kg_err *err)
{
	struct db_stmt	*s;
	const char	*key;

	memset(out, 0, sizeof(*out));
	if (id != NULL) {
		s = store_prepare(st, TOKEN_USER_COLS " WHERE u.id = ?1", err);
		key = id;
	} else if (domain_id != NULL) {
		s = store_prepare(st, TOKEN_USER_COLS " WHERE u.name = ?2 AND u.domain_id = ?3",
		    err);
		key = name;
	} else {
		s = store_prepare(st, TOKEN_USER_COLS " WHERE u.name = ?2 AND d.name = ?4", err);
		key = name;
	}
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, id);
	db_bind_text(s, 2, name);
	db_bind_text(s, 3, domain_id);
	db_bind_text(s, 4, domain_name);
	if (key == NULL)
		key = "None";
	if (step_one(st, s, "user", key, err) == -1)
		return -1;
	db_col_copy(s, 0, out->id, sizeof(out->id));
	db_col_copy(s, 1, out->name, sizeof(out->name));
	out->enabled = db_col_int(s, 2);
	if (!db_col_null(s, 3) &&
	    (out->password_hash = db_col_strdup(s, 3)) == NULL) {
		db_reset(s);
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	}
	out->password_expires_at = db_col_int64(s, 4);
	db_col_copy(s, 5, out->default_project_id, sizeof(out->default_project_id));
	db_col_copy(s, 6, out->domain_id, sizeof(out->domain_id));
	db_col_copy(s, 7, out->domain_name, sizeof(out->domain_name));
	out->domain_enabled = db_col_int(s, 8);
	db_reset(s);
	return 0;
}

/*
 * A login's credential: its columns, whether it has access rules, its user
 * and the user's domain, and one of its role ids per row (a credential
 * without roles: one row, role NULL; the names come with the user's
 * effective roles) -- one statement, where the password method's look-up
 * is one too. Rows in role id order (bytewise on both backends).
 */
#define TOKEN_APPCRED_COLS "SELECT ac.id, ac.name, ac.secret_hash, ac.project_id," \
	" ac.expires_at, ac.unrestricted, acr.role_id," \
	" CASE WHEN EXISTS (SELECT 1" \
	" FROM application_credential_access_rule AS y WHERE" \
	" y.application_credential_id = ac.id) THEN 1 ELSE 0 END, u.id, u.name," \
	" u.enabled, u.default_project_id, d.id, d.name, d.enabled" \
	" FROM application_credential AS ac JOIN \"user\" AS u ON u.id = ac.user_id" \
	" JOIN domain AS d ON d.id = u.domain_id LEFT JOIN application_credential_role" \
	" AS acr ON acr.application_credential_id = ac.id"

/* The role id in column col of the current row (NULL: none) into ac->roles. */
static int
appcred_role(struct db_stmt *s, int col, struct kg_appcred *ac, size_t *cap,
    struct kg_err *err)
{
	if (db_col_null(s, col))
		return 0;
	/* ac->roles != NULL once store_grow succeeds (said for make analyze). */
	if (store_grow(&ac->roles, sizeof(*ac->roles), ac->nroles, cap, err) == -1 ||
	    ac->roles == NULL)
		return -1;
	memset(&ac->roles[ac->nroles], 0, sizeof(ac->roles[0]));
	db_col_copy(s, col, ac->roles[ac->nroles].id, sizeof(ac->roles[0].id));
	ac->nroles++;
	return 0;
}

int
store_token_appcred(struct store *st, const char *id, const char *user_id,
    const char *name, struct kg_appcred *ac, struct kg_token_user *u,
    struct kg_err *err)
{
	struct db_stmt	*s;
	size_t		 cap = 0;
	int		 rules, rc;

	memset(ac, 0, sizeof(*ac));
	memset(u, 0, sizeof(*u));
	if (id != NULL)
		s = store_prepare(st, TOKEN_APPCRED_COLS " WHERE ac.id = ?1"
		    " ORDER BY acr.role_id", err);
	else
		s = store_prepare(st, TOKEN_APPCRED_COLS " WHERE ac.user_id = ?2 AND"
		    " ac.name = ?3 ORDER BY acr.role_id", err);
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, id);
	db_bind_text(s, 2, user_id);
	db_bind_text(s, 3, name);
	if (step_one(st, s, "Application Credential", id != NULL ? id :
	    name != NULL ? name : "None", err) == -1)
		return -1;
	db_col_copy(s, 0, ac->id, sizeof(ac->id));
	db_col_copy(s, 1, ac->name, sizeof(ac->name));
	if ((ac->secret_hash = db_col_strdup(s, 2)) == NULL) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		db_reset(s);
		goto fail;
	}
	db_col_copy(s, 3, ac->project_id, sizeof(ac->project_id));
	ac->expires_at = db_col_int64(s, 4);
	ac->unrestricted = db_col_null(s, 5) ? -1 : db_col_int(s, 5) != 0;
	rules = db_col_int(s, 7);
	db_col_copy(s, 8, u->id, sizeof(u->id));
	kg_strlcpy(ac->user_id, u->id, sizeof(ac->user_id));
	db_col_copy(s, 9, u->name, sizeof(u->name));
	u->enabled = db_col_int(s, 10);
	db_col_copy(s, 11, u->default_project_id, sizeof(u->default_project_id));
	db_col_copy(s, 12, u->domain_id, sizeof(u->domain_id));
	db_col_copy(s, 13, u->domain_name, sizeof(u->domain_name));
	u->domain_enabled = db_col_int(s, 14);
	do {
		if (appcred_role(s, 6, ac, &cap, err) == -1) {
			db_reset(s);
			goto fail;
		}
	} while ((rc = db_step(s)) == DB_ROW);
	db_reset(s);
	if (rc != DB_DONE) {
		store_dberr(st, "token appcred", NULL, err);
		goto fail;
	}
	if (rules && store_appcred_access_rules(st, ac->id, &ac->rules, &ac->nrules,
	    err) == -1)
		goto fail;
	return 0;
 fail:
	kg_appcred_free(ac);
	kg_token_user_free(u);
	return -1;
}

#define TOKEN_PROJECT_COLS "SELECT p.id, p.name, p.enabled, d.id, d.name," \
	" d.enabled FROM project p JOIN domain d ON d.id = p.domain_id"

static void
target_from_row(struct db_stmt *s, struct kg_token_target *out)
{
	db_col_copy(s, 0, out->id, sizeof(out->id));
	db_col_copy(s, 1, out->name, sizeof(out->name));
	out->enabled = db_col_int(s, 2);
	db_col_copy(s, 3, out->domain_id, sizeof(out->domain_id));
	db_col_copy(s, 4, out->domain_name, sizeof(out->domain_name));
	out->domain_enabled = db_col_int(s, 5);
	db_reset(s);
}

int
store_token_project(struct store *st, const char *id, const char *name,
    const char *domain_id, const char *domain_name, struct kg_token_target *out,
    struct kg_err *err)
{
	struct db_stmt	*s;
	const char	*key;

	memset(out, 0, sizeof(*out));
	if (id != NULL) {
		s = store_prepare(st, TOKEN_PROJECT_COLS " WHERE p.id = ?1", err);
		key = id;
	} else if (domain_id != NULL) {
		s = store_prepare(st, TOKEN_PROJECT_COLS
		    " WHERE p.name = ?2 AND p.domain_id = ?3", err);
		key = name;
	} else {
		s = store_prepare(st, TOKEN_PROJECT_COLS " WHERE p.name = ?2 AND d.name = ?4",
		    err);
		key = name;
	}
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, id);
	db_bind_text(s, 2, name);
	db_bind_text(s, 3, domain_id);
	db_bind_text(s, 4, domain_name);
	if (step_one(st, s, "project", key ? key : "None", err) == -1)
		return -1;
	target_from_row(s, out);
	return 0;
}

int
store_token_domain(struct store *st, const char *id, const char *name,
    struct kg_token_target *out, struct kg_err *err)
{
	struct db_stmt	*s;

	memset(out, 0, sizeof(*out));
	if (id != NULL)
		s = store_prepare(st, "SELECT id, name, enabled, id, name, enabled"
		    " FROM domain WHERE id = ?1", err);
	else
		s = store_prepare(st, "SELECT id, name, enabled, id, name, enabled"
		    " FROM domain WHERE name = ?2", err);
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, id);
	db_bind_text(s, 2, name);
	if (step_one(st, s, "domain", id ? id : name ? name : "None", err) == -1)
		return -1;
	target_from_row(s, out);
	return 0;
}

int
store_scope_targets(struct store *st, const char *user_id, enum kg_scope_kind kind,
    char ***ids, size_t *n, struct kg_err *err)
{
	struct db_stmt		*s;
	struct kg_role_ref	*roles;
	char			**v = NULL, **nv;
	size_t			 cnt = 0, cap = 0, nroles, i, keep = 0;
	int			 rc;

	*ids = NULL;
	*n = 0;
	if (kind == KG_SCOPE_PROJECT)
		s = store_prepare(st, "SELECT p.id FROM project p JOIN domain d"
		    " ON d.id = p.domain_id WHERE p.enabled = 1 AND d.enabled = 1"
		    " ORDER BY p.name, p.id", err);
	else if (kind == KG_SCOPE_DOMAIN)
		s = store_prepare(st, "SELECT id FROM domain WHERE enabled = 1"
		    " ORDER BY name, id", err);
	else
		return kg_errf(err, KG_EBADREQ, "Invalid scope.");
	if (s == NULL)
		return -1;
	while ((rc = db_step(s)) == DB_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
				goto oom;
			v = nv;
		}
		if ((v[cnt] = db_col_strdup(s, 0)) == NULL)
			goto oom;
		cnt++;
	}
	db_reset(s);
	if (rc != DB_DONE) {
		store_strv_free(v, cnt);
		return store_dberr(st, "scope targets", NULL, err);
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
	db_reset(s);
	store_strv_free(v, cnt);
	return kg_errf(err, KG_EINTERNAL, "out of memory");
}
