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
 * KG_ECONFLICT with conflict_msg (or a generic text when NULL),
 * SQLITE_BUSY / SQLITE_LOCKED -> KG_ERETRY (the caller's transaction may be
 * run again), anything else -> KG_EINTERNAL with the detail logged.
 * Returns -1.
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

/* ------------------------------------------------------------------------
 * Name filters (store/match.c).
 * --------------------------------------------------------------------- */

/*
 * The SQL of struct kg_name_match on column "name", to append to a WHERE
 * clause; its parameters are named (:nm_c, :nm_ic, ...) and bound by
 * store_bind_name_match. Case-insensitive ones compare kg_lower(name)
 * with a LIKE pattern escaped with '\'.
 */
#define STORE_NAME_MATCH_SQL						\
	" AND (:nm_c IS NULL OR instr(name, :nm_c) > 0)"		\
	" AND (:nm_s IS NULL OR substr(name, 1, length(:nm_s)) = :nm_s)" \
	" AND (:nm_e IS NULL OR (length(name) >= length(:nm_e) AND"	\
	"  substr(name, length(name) - length(:nm_e) + 1) = :nm_e))"	\
	" AND (:nm_ic IS NULL OR kg_lower(name) LIKE :nm_ic ESCAPE '\\')" \
	" AND (:nm_is IS NULL OR kg_lower(name) LIKE :nm_is ESCAPE '\\')" \
	" AND (:nm_ie IS NULL OR kg_lower(name) LIKE :nm_ie ESCAPE '\\')"

/* Bind m (NULL: no filter) to the parameters of STORE_NAME_MATCH_SQL in s.
 * Returns 0, or -1 (out of memory) with err. */
int		 store_bind_name_match(sqlite3_stmt *s,
		    const struct kg_name_match *m, struct kg_err *err);

/* Register kg_lower(text) on a new connection. Returns an SQLite code. */
int		 store_match_register(sqlite3 *db);

/* Number of rows changed by the last statement on this connection. */
int		 store_changes(struct store *st);

/* ------------------------------------------------------------------------
 * Rows into objects and lists (store/rows.c). "what" names the query in
 * the log line of a database error; type and key make Keystone's 404 text
 * "Could not find <type>: <key>.".
 * --------------------------------------------------------------------- */

/* Read the current row of s into the object at out (which it owns after).
 * Returns 0, or -1 with err (nothing left to free). */
typedef int	(*store_row_fn)(sqlite3_stmt *s, void *out, struct kg_err *err);

/* Release the members of the object at p (not p itself). */
typedef void	(*store_free_fn)(void *p);

/*
 * Step the bound statement s expecting at most one row, read by from_row
 * into out. No row: KG_ENOTFOUND "Could not find <type>: <key>.". Resets
 * s. Returns 0 or -1.
 */
int		 store_get_one(struct store *st, sqlite3_stmt *s, const char *what,
		    store_row_fn from_row, void *out, const char *type,
		    const char *key, struct kg_err *err);

/*
 * Step the bound statement s, reading every row with from_row into a new
 * array of elements of elsz bytes: *out (NULL when none, free with
 * store_free_each), *n. On failure the rows read so far are released with
 * free_one (may be NULL). Resets s. Returns 0 or -1.
 */
int		 store_get_all(struct store *st, sqlite3_stmt *s, const char *what,
		    size_t elsz, store_row_fn from_row, store_free_fn free_one,
		    void **out, size_t *n, struct kg_err *err);

/* Copy text column col, "" for SQL NULL; NULL only when out of memory. */
char		*store_col_str(sqlite3_stmt *s, int col);

/* store_get_all of column 0 as strings ("" for NULL): *out is a new
 * string array of *n (store_strv_free). */
int		 store_get_strings(struct store *st, sqlite3_stmt *s,
		    const char *what, char ***out, size_t *n, struct kg_err *err);

/* free_one (may be NULL) on each of the n elements of elsz bytes at v,
 * then free(v). NULL-safe. */
void		 store_free_each(void *v, size_t n, size_t elsz,
		    store_free_fn free_one);

/*
 * Make room for one more element of elsz bytes in the array *(void **)v
 * holding n of *cap. Returns 0, or -1 with err (the array untouched).
 */
int		 store_grow(void *v, size_t elsz, size_t n, size_t *cap,
		    struct kg_err *err);

/* *yes = whether the bound statement s returns a row. Resets s. Returns
 * 0 or -1. */
int		 store_exists(struct store *st, sqlite3_stmt *s, const char *what,
		    int *yes, struct kg_err *err);

/* store_exec_stmt of a statement that changes one row; KG_ENOTFOUND
 * "Could not find <type>: <id>." when it changed none. */
int		 store_exec_one(struct store *st, sqlite3_stmt *s, const char *what,
		    const char *conflict, const char *type, const char *id,
		    struct kg_err *err);

/*
 * Keystone's text for a duplicate name (keystone/common/sql/core.py):
 * "Conflict occurred attempting to store <type> - Duplicate entry found
 * with name <name>[ at domain ID <domain_id>]." (domain_id NULL: no
 * domain). Into buf; returns buf.
 */
const char	*store_dup_msg(char *buf, size_t bufsz, const char *type,
		    const char *name, const char *domain_id);

/* ------------------------------------------------------------------------
 * Pages of lists (store/page.c, struct kg_page in store.h).
 * --------------------------------------------------------------------- */

/*
 * A paged list's WHERE starts with STORE_PAGE_AFTER(col) (a range on an
 * index whose last column is col: the primary key, or (domain_id, id))
 * and its statement ends with STORE_PAGE_END(col); store_bind_page binds
 * both from the page (NULL: everything).
 */
#define STORE_PAGE_AFTER(col)	" " col " > :pg_after"
#define STORE_PAGE_END(col)	" ORDER BY " col " LIMIT :pg_limit"

void		 store_bind_page(sqlite3_stmt *s, const struct kg_page *pg);

/* Bind a text (NULL: SQL NULL) / an integer to the named parameter
 * name (":x") of s, when s has it. */
void		 store_bind_named(sqlite3_stmt *s, const char *name, const char *v);
void		 store_bind_named_int64(sqlite3_stmt *s, const char *name,
		    int64_t v);

/*
 * KG_ENOTFOUND "Marker <m> could not be found." unless the statement sql
 * (whose ?1 is the marker) returns a row; 0 when pg has no marker.
 */
int		 store_page_marker(struct store *st, const char *sql,
		    const struct kg_page *pg, struct kg_err *err);

/*
 * store_get_all of a statement bound by store_bind_page: a row beyond
 * pg->limit is dropped and sets pg->more (pg NULL: all rows).
 */
int		 store_get_page(struct store *st, sqlite3_stmt *s, const char *what,
		    size_t elsz, store_row_fn from_row, store_free_fn free_one,
		    struct kg_page *pg, void **out, size_t *n, struct kg_err *err);

/* s, or NULL for "" (optional references are stored as SQL NULL). */
static inline const char *
store_nz(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : NULL;
}

/* s, or dflt when s is NULL (NOT NULL columns with a default). */
static inline const char *
store_or(const char *s, const char *dflt)
{
	return s != NULL ? s : dflt;
}

#endif /* KG_STORE_INT_H */
