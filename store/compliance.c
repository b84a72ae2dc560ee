/* compliance.c - the per-user security compliance state (see compliance.h). */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "store/compliance.h"
#include "store/store_int.h"

void
kg_user_auth_free(struct kg_user_auth *a)
{
	if (a == NULL)
		return;
	free(a->extra);
	memset(a, 0, sizeof(*a));
}

static int
auth_row(struct db_stmt *s, void *p, struct kg_err *err)
{
	struct kg_user_auth	*a = p;

	memset(a, 0, sizeof(*a));
	a->failed_auth_count = db_col_int(s, 0);
	a->failed_auth_at = db_col_int64(s, 1);
	a->last_active_at = db_col_int64(s, 2);
	a->created_at = db_col_int64(s, 3);
	a->password_created_at = db_col_int64(s, 4);
	a->password_self_service = db_col_int(s, 5);
	if ((a->extra = db_col_str(s, 6)) == NULL)
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	return 0;
}

int
store_user_auth_get(struct store *st, const char *id, struct kg_user_auth *out,
    struct kg_err *err)
{
	struct db_stmt	*s;

	memset(out, 0, sizeof(*out));
	if ((s = store_prepare(st, "SELECT COALESCE(a.failed_auth_count, 0),"
	    " a.failed_auth_at, u.last_active_at, u.created_at,"
	    " u.password_created_at, u.password_self_service, u.extra"
	    " FROM \"user\" u LEFT JOIN user_auth a ON a.user_id = u.id"
	    " WHERE u.id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return store_get_one(st, s, "user auth get", auth_row, out, "user", id,
	    err);
}

int
store_user_auth_set_failures(struct store *st, const char *id, int count,
    int64_t at, struct kg_err *err)
{
	struct db_stmt	*s;

	if (count <= 0) {
		if ((s = store_prepare(st, "DELETE FROM user_auth WHERE user_id = ?",
		    err)) == NULL)
			return -1;
		db_bind_text(s, 1, id);
		return store_run(st, s, "user auth reset", NULL, err);
	}
	if ((s = store_prepare(st, "INSERT INTO user_auth (user_id,"
	    " failed_auth_count, failed_auth_at) VALUES (?1, ?2, ?3)"
	    " ON CONFLICT (user_id) DO UPDATE SET failed_auth_count = ?2,"
	    " failed_auth_at = ?3", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	db_bind_int(s, 2, count);
	db_bind_int64(s, 3, at);
	return store_run(st, s, "user auth failure", NULL, err);
}

int
store_user_set_last_active(struct store *st, const char *id, int64_t at,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "UPDATE \"user\" SET last_active_at = ? WHERE id = ?",
	    err)) == NULL)
		return -1;
	db_bind_int64(s, 1, at);
	db_bind_text(s, 2, id);
	return store_exec_one(st, s, "user last active", NULL, "user", id, err);
}

int
store_user_disable(struct store *st, const char *id, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "UPDATE \"user\" SET enabled = 0 WHERE id = ?",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return store_exec_one(st, s, "user disable", NULL, "user", id, err);
}

int
store_user_set_self_service(struct store *st, const char *id, int yes,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "UPDATE \"user\" SET password_self_service = ?"
	    " WHERE id = ?", err)) == NULL)
		return -1;
	db_bind_int(s, 1, yes ? 1 : 0);
	db_bind_text(s, 2, id);
	return store_exec_one(st, s, "user self service", NULL, "user", id, err);
}

int
store_password_history(struct store *st, const char *id, int max, char ***out,
    size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	*out = NULL;
	*n = 0;
	if (max <= 0)
		return 0;
	if ((s = store_prepare(st, "SELECT password_hash FROM password_history"
	    " WHERE user_id = ? ORDER BY id DESC LIMIT ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	db_bind_int(s, 2, max);
	return store_get_strings(st, s, "password history", out, n, err);
}

int
store_password_history_push(struct store *st, const char *id, const char *hash,
    int64_t created_at, int keep, struct kg_err *err)
{
	struct db_stmt	*s;

	if (keep > 0 && hash != NULL) {
		if ((s = store_prepare(st, "INSERT INTO password_history (user_id,"
		    " password_hash, created_at) VALUES (?, ?, ?)", err)) == NULL)
			return -1;
		db_bind_text(s, 1, id);
		db_bind_text(s, 2, hash);
		db_bind_int64(s, 3, created_at);
		if (store_run(st, s, "password history add", NULL, err) == -1)
			return -1;
	}
	if ((s = store_prepare(st, "DELETE FROM password_history WHERE user_id = ?1"
	    " AND id NOT IN (SELECT id FROM password_history WHERE user_id = ?1"
	    " ORDER BY id DESC LIMIT ?2)", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	db_bind_int(s, 2, keep > 0 ? keep : 0);
	return store_run(st, s, "password history trim", NULL, err);
}
