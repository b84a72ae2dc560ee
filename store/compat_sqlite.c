/*
 * compat_sqlite.c - TRANSITIONAL: the SQLite-only statement calls that
 * store/scope.c and store/revoke.c still use (see store_int.h). They share
 * the connection's statement cache with store_prepare. Removed once those
 * two files are written against store/db.h.
 */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "store/store_int.h"

sqlite3_stmt	*db_sqlite_stmt(struct db_stmt *s);

sqlite3_stmt *
store_stmt(struct store *st, const char *sql, struct kg_err *err)
{
	struct db_stmt	*s;

	if (st->drv != &db_sqlite_driver) {
		log_error("store: not available on %s yet: %s", st->drv->name, sql);
		kg_errf(err, KG_EINTERNAL, "database error");
		return NULL;
	}
	if ((s = store_prepare(st, sql, err)) == NULL)
		return NULL;
	return db_sqlite_stmt(s);
}

int
store_sqlerr(struct store *st, int rc, const char *what, const char *conflict_msg,
    struct kg_err *err)
{
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return kg_errf(err, KG_ECONFLICT, "%s", conflict_msg ? conflict_msg :
		    "Conflict occurred attempting to store data.");
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
		log_debug("store: %s: %s (%d)", what, sqlite3_errmsg(st->db), rc);
		return kg_errf(err, KG_ERETRY, "database busy");
	}
	log_error("store: %s: %s (%d)", what, sqlite3_errmsg(st->db), rc);
	return kg_errf(err, KG_EINTERNAL, "database error");
}

int
store_exec_stmt(struct store *st, sqlite3_stmt *stmt, const char *what,
    const char *conflict_msg, struct kg_err *err)
{
	int	rc = sqlite3_step(stmt);

	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_sqlerr(st, rc, what, conflict_msg, err);
	return 0;
}

int
store_bind_text(sqlite3_stmt *stmt, int idx, const char *s)
{
	if (s == NULL)
		return sqlite3_bind_null(stmt, idx);
	return sqlite3_bind_text(stmt, idx, s, -1, SQLITE_TRANSIENT);
}

char *
store_col_strdup(sqlite3_stmt *stmt, int col)
{
	const unsigned char	*t = sqlite3_column_text(stmt, col);

	return t ? strdup((const char *)t) : NULL;
}

void
store_col_copy(sqlite3_stmt *stmt, int col, char *dst, size_t dstsz)
{
	const unsigned char	*t = sqlite3_column_text(stmt, col);
	size_t			 n = t ? strlen((const char *)t) : 0;

	if (n >= dstsz)
		n = dstsz - 1;
	if (n > 0)
		memcpy(dst, t, n);
	dst[n] = '\0';
}
