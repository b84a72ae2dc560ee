/*
 * store_int.h - internals shared by the store/ implementation files only.
 * Never include this outside store/.
 */
#ifndef KG_STORE_INT_H
#define KG_STORE_INT_H

#include <sqlite3.h>

#include "store/store.h"

#define STORE_STMT_SLOTS	512	/* power of two; > distinct SQL texts */

struct stmt_slot {
	const char	*sql;		/* key: the address of a string literal */
	sqlite3_stmt	*stmt;
};

struct store {
	sqlite3			*db;
	struct stmt_slot	 slots[STORE_STMT_SLOTS];
};

/*
 * The prepared statement for sql, compiled once per connection and cached
 * by the address of the string. sql MUST be a string literal or otherwise
 * live for the life of the connection. The statement comes back reset with
 * bindings cleared; callers must not finalize it. NULL on error.
 */
sqlite3_stmt	*store_stmt(struct store *st, const char *sql, struct kg_err *err);

/*
 * Turn a failed SQLite result code into an error: SQLITE_CONSTRAINT ->
 * KG_ECONFLICT with conflict_msg (or a generic text when NULL), anything
 * else -> KG_EINTERNAL with the detail logged. Returns -1.
 */
int		 store_sqlerr(struct store *st, int rc, const char *what,
		    const char *conflict_msg, struct kg_err *err);

/* Execute a statement that returns no rows (bind first). Returns 0 or -1
 * via store_sqlerr. Resets the statement afterwards. */
int		 store_exec_stmt(struct store *st, sqlite3_stmt *stmt,
		    const char *what, const char *conflict_msg, struct kg_err *err);

/* Bind a C string, or NULL as SQL NULL (SQLITE_TRANSIENT copy). */
int		 store_bind_text(sqlite3_stmt *stmt, int idx, const char *s);

/* Copy column col: NULL column -> NULL (store_col_strdup), or "" into a
 * fixed buffer (store_col_copy). */
char		*store_col_strdup(sqlite3_stmt *stmt, int col);
void		 store_col_copy(sqlite3_stmt *stmt, int col, char *dst, size_t dstsz);

/* Number of rows changed by the last statement on this connection. */
int		 store_changes(struct store *st);

#endif /* KG_STORE_INT_H */
