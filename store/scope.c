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
step_one(struct store *st, sqlite3_stmt *s, const char *what, const char *key,
    struct kg_err *err)
{
	int	rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		return 0;
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return kg_errf(err, KG_ENOTFOUND, "Could not find %s: %s.", what, key);
	return store_sqlerr(st, rc, what, NULL, err);
}

#define TOKEN_USER_COLS	"SELECT u.id, u.name, u.enabled, u.password_hash," \
	" u.password_expires_at, u.default_project_id, d.id, d.name, d.enabled" \
	" FROM user u JOIN domain d ON d.id = u.domain_id"

int
store_token_user(struct store *st, const char *id, const char *name,
    const char *domain_id, const char *domain_name, struct kg_token_user *out,
    struct kg_err *err)
{
	sqlite3_stmt	*s;
	const char	*key;

	memset(out, 0, sizeof(*out));
	if (id != NULL) {
		s = store_stmt(st, TOKEN_USER_COLS " WHERE u.id = ?1", err);
		key = id;
	} else if (domain_id != NULL) {
		s = store_stmt(st, TOKEN_USER_COLS " WHERE u.name = ?2 AND u.domain_id = ?3",
		    err);
		key = name;
	} else {
		s = store_stmt(st, TOKEN_USER_COLS " WHERE u.name = ?2 AND d.name = ?4", err);
		key = name;
	}
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, id);
	store_bind_text(s, 2, name);
	store_bind_text(s, 3, domain_id);
	store_bind_text(s, 4, domain_name);
	if (key == NULL)
		key = "None";
	if (step_one(st, s, "user", key, err) == -1)
		return -1;
	store_col_copy(s, 0, out->id, sizeof(out->id));
	store_col_copy(s, 1, out->name, sizeof(out->name));
	out->enabled = sqlite3_column_int(s, 2);
	if (sqlite3_column_type(s, 3) != SQLITE_NULL &&
	    (out->password_hash = store_col_strdup(s, 3)) == NULL) {
		sqlite3_reset(s);
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	}
	out->password_expires_at = sqlite3_column_int64(s, 4);
	store_col_copy(s, 5, out->default_project_id, sizeof(out->default_project_id));
	store_col_copy(s, 6, out->domain_id, sizeof(out->domain_id));
	store_col_copy(s, 7, out->domain_name, sizeof(out->domain_name));
	out->domain_enabled = sqlite3_column_int(s, 8);
	sqlite3_reset(s);
	return 0;
}

/*
 * A login's credential: its columns, its roles' ids (comma-separated, in
 * the primary key's order, which spares a sort: ids are [a-zA-Z0-9-]; the
 * names come with the user's effective roles), whether it has access
 * rules, and its user and
 * the user's domain -- one statement, where the password method's look-up
 * is one too.
 */
#define TOKEN_APPCRED_COLS "SELECT ac.id, ac.name, ac.secret_hash, ac.project_id," \
	" ac.expires_at, ac.unrestricted, (SELECT group_concat(role_id, ',') FROM" \
	" application_credential_role WHERE application_credential_id = ac.id)," \
	" EXISTS (SELECT 1" \
	" FROM application_credential_access_rule AS y WHERE" \
	" y.application_credential_id = ac.id), u.id, u.name, u.enabled," \
	" u.default_project_id, d.id, d.name, d.enabled FROM application_credential" \
	" AS ac JOIN user AS u ON u.id = ac.user_id JOIN domain AS d ON d.id =" \
	" u.domain_id"

/* The comma-separated role ids of column col into ac->roles (no names). */
static int
appcred_roles(sqlite3_stmt *s, int col, struct kg_appcred *ac, struct kg_err *err)
{
	const char	*ids = (const char *)sqlite3_column_text(s, col), *p, *e;
	size_t		 n = 1, len;

	if (ids == NULL || ids[0] == '\0')
		return 0;
	for (p = ids; *p != '\0'; p++)
		n += *p == ',';
	if ((ac->roles = calloc(n, sizeof(*ac->roles))) == NULL)
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	for (p = ids; ac->nroles < n; p = e + 1) {
		if ((e = strchr(p, ',')) == NULL)
			e = p + strlen(p);
		len = (size_t)(e - p);
		if (len >= sizeof(ac->roles[0].id))
			len = sizeof(ac->roles[0].id) - 1;
		memcpy(ac->roles[ac->nroles].id, p, len);
		ac->roles[ac->nroles++].id[len] = '\0';
		if (*e == '\0')
			break;
	}
	return 0;
}

int
store_token_appcred(struct store *st, const char *id, const char *user_id,
    const char *name, struct kg_appcred *ac, struct kg_token_user *u,
    struct kg_err *err)
{
	sqlite3_stmt	*s;
	int		 rules;

	memset(ac, 0, sizeof(*ac));
	memset(u, 0, sizeof(*u));
	if (id != NULL)
		s = store_stmt(st, TOKEN_APPCRED_COLS " WHERE ac.id = ?1", err);
	else
		s = store_stmt(st, TOKEN_APPCRED_COLS " WHERE ac.user_id = ?2 AND"
		    " ac.name = ?3", err);
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, id);
	store_bind_text(s, 2, user_id);
	store_bind_text(s, 3, name);
	if (step_one(st, s, "Application Credential", id != NULL ? id :
	    name != NULL ? name : "None", err) == -1)
		return -1;
	store_col_copy(s, 0, ac->id, sizeof(ac->id));
	store_col_copy(s, 1, ac->name, sizeof(ac->name));
	if ((ac->secret_hash = store_col_strdup(s, 2)) == NULL) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		sqlite3_reset(s);
		goto fail;
	}
	store_col_copy(s, 3, ac->project_id, sizeof(ac->project_id));
	ac->expires_at = sqlite3_column_int64(s, 4);
	ac->unrestricted = sqlite3_column_type(s, 5) == SQLITE_NULL ? -1 :
	    sqlite3_column_int(s, 5) != 0;
	if (appcred_roles(s, 6, ac, err) == -1) {
		sqlite3_reset(s);
		goto fail;
	}
	rules = sqlite3_column_int(s, 7);
	store_col_copy(s, 8, u->id, sizeof(u->id));
	kg_strlcpy(ac->user_id, u->id, sizeof(ac->user_id));
	store_col_copy(s, 9, u->name, sizeof(u->name));
	u->enabled = sqlite3_column_int(s, 10);
	store_col_copy(s, 11, u->default_project_id, sizeof(u->default_project_id));
	store_col_copy(s, 12, u->domain_id, sizeof(u->domain_id));
	store_col_copy(s, 13, u->domain_name, sizeof(u->domain_name));
	u->domain_enabled = sqlite3_column_int(s, 14);
	sqlite3_reset(s);
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
target_from_row(sqlite3_stmt *s, struct kg_token_target *out)
{
	store_col_copy(s, 0, out->id, sizeof(out->id));
	store_col_copy(s, 1, out->name, sizeof(out->name));
	out->enabled = sqlite3_column_int(s, 2);
	store_col_copy(s, 3, out->domain_id, sizeof(out->domain_id));
	store_col_copy(s, 4, out->domain_name, sizeof(out->domain_name));
	out->domain_enabled = sqlite3_column_int(s, 5);
	sqlite3_reset(s);
}

int
store_token_project(struct store *st, const char *id, const char *name,
    const char *domain_id, const char *domain_name, struct kg_token_target *out,
    struct kg_err *err)
{
	sqlite3_stmt	*s;
	const char	*key;

	memset(out, 0, sizeof(*out));
	if (id != NULL) {
		s = store_stmt(st, TOKEN_PROJECT_COLS " WHERE p.id = ?1", err);
		key = id;
	} else if (domain_id != NULL) {
		s = store_stmt(st, TOKEN_PROJECT_COLS
		    " WHERE p.name = ?2 AND p.domain_id = ?3", err);
		key = name;
	} else {
		s = store_stmt(st, TOKEN_PROJECT_COLS " WHERE p.name = ?2 AND d.name = ?4",
		    err);
		key = name;
	}
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, id);
	store_bind_text(s, 2, name);
	store_bind_text(s, 3, domain_id);
	store_bind_text(s, 4, domain_name);
	if (step_one(st, s, "project", key ? key : "None", err) == -1)
		return -1;
	target_from_row(s, out);
	return 0;
}

int
store_token_domain(struct store *st, const char *id, const char *name,
    struct kg_token_target *out, struct kg_err *err)
{
	sqlite3_stmt	*s;

	memset(out, 0, sizeof(*out));
	if (id != NULL)
		s = store_stmt(st, "SELECT id, name, enabled, id, name, enabled"
		    " FROM domain WHERE id = ?1", err);
	else
		s = store_stmt(st, "SELECT id, name, enabled, id, name, enabled"
		    " FROM domain WHERE name = ?2", err);
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, id);
	store_bind_text(s, 2, name);
	if (step_one(st, s, "domain", id ? id : name ? name : "None", err) == -1)
		return -1;
	target_from_row(s, out);
	return 0;
}

int
store_read_begin(struct store *st, struct kg_err *err)
{
	sqlite3_stmt	*s;

	if (!sqlite3_get_autocommit(st->db))
		return 0;		/* the caller's transaction covers us */
	if ((s = store_stmt(st, "BEGIN DEFERRED", err)) == NULL ||
	    store_exec_stmt(st, s, "read begin", NULL, err) == -1)
		return -1;
	return 1;
}

void
store_read_end(struct store *st, int began)
{
	sqlite3_stmt	*s;

	if (began != 1)
		return;
	/* A read-only transaction: COMMIT only releases the snapshot. */
	if ((s = store_stmt(st, "COMMIT", NULL)) == NULL ||
	    store_exec_stmt(st, s, "read end", NULL, NULL) == -1)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

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
