/*
 * credential.c - the credential table (see credential.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "store/credential.h"
#include "store/store_int.h"

#define CRED_COLS	"id, user_id, project_id, type, encrypted_blob, key_hash, extra"

void
kg_credential_free(struct kg_credential *c)
{
	if (c == NULL)
		return;
	free(c->encrypted_blob);
	free(c->extra);
	c->encrypted_blob = NULL;
	c->extra = NULL;
}

static void
cred_free_one(void *p)
{
	kg_credential_free(p);
}

void
kg_credential_list_free(struct kg_credential *v, size_t n)
{
	store_free_each(v, n, sizeof(*v), cred_free_one);
}

static int
cred_row(struct db_stmt *s, void *p, struct kg_err *err)
{
	struct kg_credential	*c = p;

	memset(c, 0, sizeof(*c));
	db_col_copy(s, 0, c->id, sizeof(c->id));
	db_col_copy(s, 1, c->user_id, sizeof(c->user_id));
	db_col_copy(s, 2, c->project_id, sizeof(c->project_id));
	db_col_copy(s, 3, c->type, sizeof(c->type));
	db_col_copy(s, 5, c->key_hash, sizeof(c->key_hash));
	if ((c->encrypted_blob = db_col_str(s, 4)) == NULL ||
	    (c->extra = db_col_str(s, 6)) == NULL) {
		kg_credential_free(c);
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	}
	return 0;
}

int
store_credential_get(struct store *st, const char *id,
    struct kg_credential *out, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT " CRED_COLS " FROM credential WHERE id = ?1",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return store_get_one(st, s, "credential get", cred_row, out, "credential",
	    id, err);
}

int
store_credential_list(struct store *st, const char *user_id, const char *type,
    struct kg_credential **out, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT " CRED_COLS " FROM credential"
	    " WHERE (?1 IS NULL OR user_id = ?1) AND (?2 IS NULL OR type = ?2)"
	    " ORDER BY rowid", err)) == NULL)
		return -1;
	db_bind_text(s, 1, user_id);
	db_bind_text(s, 2, type);
	return store_get_all(st, s, "credential list", sizeof(**out), cred_row,
	    cred_free_one, (void **)out, n, err);
}

int
store_credential_create(struct store *st, const struct kg_credential *c,
    struct kg_err *err)
{
	struct db_stmt	*s;
	char		 msg[200];

	if ((s = store_prepare(st, "INSERT INTO credential (id, user_id, project_id,"
	    " type, encrypted_blob, key_hash, extra)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", err)) == NULL)
		return -1;
	db_bind_text(s, 1, c->id);
	db_bind_text(s, 2, c->user_id);
	db_bind_text(s, 3, store_nz(c->project_id));
	db_bind_text(s, 4, c->type);
	db_bind_text(s, 5, c->encrypted_blob);
	db_bind_text(s, 6, c->key_hash);
	db_bind_text(s, 7, store_or(c->extra, "{}"));
	snprintf(msg, sizeof(msg), "Conflict occurred attempting to store "
	    "credential - Duplicate ID, %s.", c->id);
	return store_run(st, s, "credential create", msg, err);
}

int
store_credential_set_blob(struct store *st, const char *id,
    const char *encrypted_blob, const char *key_hash, const char *extra,
    const char *old_key_hash, int *changed, struct kg_err *err)
{
	struct db_stmt	*s;
	int		 yes;

	*changed = 0;
	if ((s = store_prepare(st, "UPDATE credential SET encrypted_blob = ?2,"
	    " key_hash = ?3, extra = COALESCE(?4, extra)"
	    " WHERE id = ?1 AND (?5 IS NULL OR key_hash = ?5)", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	db_bind_text(s, 2, encrypted_blob);
	db_bind_text(s, 3, key_hash);
	db_bind_text(s, 4, extra);
	db_bind_text(s, 5, old_key_hash);
	if (store_run(st, s, "credential update", NULL, err) == -1)
		return -1;
	if (store_changes(st) > 0) {
		*changed = 1;
		return 0;
	}
	/* Nothing changed: gone, or (old_key_hash) already re-sealed. */
	if ((s = store_prepare(st, "SELECT 1 FROM credential WHERE id = ?1",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	if (store_exists(st, s, "credential get", &yes, err) == -1)
		return -1;
	if (!yes)
		return kg_errf(err, KG_ENOTFOUND, "Could not find credential: %s.", id);
	return 0;
}

int
store_credential_delete(struct store *st, const char *id, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "DELETE FROM credential WHERE id = ?1", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return store_exec_one(st, s, "credential delete", NULL, "credential", id,
	    err);
}

static int
count_row(struct db_stmt *s, void *p, struct kg_err *err)
{
	*(long *)p = (long)db_col_int64(s, 0);
	return 0;
}

int
store_credential_count_key(struct store *st, const char *key_hash, long *count,
    struct kg_err *err)
{
	struct db_stmt	*s;

	*count = 0;
	if ((s = store_prepare(st, "SELECT COUNT(*) FROM credential WHERE key_hash = ?1",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, key_hash);
	return store_get_one(st, s, "credential count", count_row, count,
	    "credential", key_hash, err);
}

int
store_credential_ids_not_under(struct store *st, const char *key_hash,
    char ***ids, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT id FROM credential WHERE key_hash <> ?1"
	    " ORDER BY rowid", err)) == NULL)
		return -1;
	db_bind_text(s, 1, key_hash);
	return store_get_strings(st, s, "credential ids", ids, n, err);
}
