/*
 * store_int.h - internals shared by the store/ implementation files only.
 * Never include this outside store/ (the store unit tests do, to reach
 * store_exec_sql).
 *
 * The implementation files write their SQL once, against the driver
 * interface of store/db.h (db_bind_*, db_step, db_col_*), in the dialect
 * both backends accept (see db.h), and get their statements from
 * store_prepare.
 */
#ifndef KG_STORE_INT_H
#define KG_STORE_INT_H

#include "store/db.h"
#include "store/store.h"

#define STORE_STMT_SLOTS	512	/* power of two; > distinct SQL texts */

struct stmt_slot {
	const char	*sql;		/* key: the address of a string literal */
	struct db_stmt	*stmt;
};

struct store {
	const struct db_driver	*drv;
	struct db		*conn;
	int64_t			 retry_at;	/* no re-connect before (µs) */
	struct stmt_slot	 slots[STORE_STMT_SLOTS];
};

/*
 * The prepared statement for sql, compiled once per connection and cached
 * by the address of the string. sql MUST be a string literal or otherwise
 * live for the life of the connection. The statement comes back reset with
 * bindings cleared; callers must not finalize it. NULL on error.
 */
struct db_stmt	*store_prepare(struct store *st, const char *sql,
		    struct kg_err *err);

/*
 * Turn the connection's last failure into an error: constraint ->
 * KG_ECONFLICT with conflict_msg (or a generic text when NULL), retry ->
 * KG_ERETRY (the caller's transaction may be run again), unavailable ->
 * KG_EUNAVAIL, anything else -> KG_EINTERNAL with the detail logged.
 * "what" names the query in the log. Returns -1.
 */
int		 store_dberr(struct store *st, const char *what,
		    const char *conflict_msg, struct kg_err *err);

/* Step a statement that returns no rows (bind first), then reset it.
 * Returns 0 or -1 via store_dberr. */
int		 store_run(struct store *st, struct db_stmt *s, const char *what,
		    const char *conflict_msg, struct kg_err *err);

/* Run a script of statements without parameters (tests, migrations).
 * Returns 0 or -1 via store_dberr. */
int		 store_exec_sql(struct store *st, const char *sql,
		    struct kg_err *err);

/* Copy column col: NULL column -> NULL (db_col_strdup), "" for NULL
 * (db_col_str; NULL only when out of memory), or "" into a fixed buffer
 * (db_col_copy). */
char		*db_col_strdup(struct db_stmt *s, int col);
char		*db_col_str(struct db_stmt *s, int col);
void		 db_col_copy(struct db_stmt *s, int col, char *dst, size_t dstsz);

/* ------------------------------------------------------------------------
 * Name filters (store/match.c).
 * --------------------------------------------------------------------- */

/*
 * The SQL of struct kg_name_match on column "name", to append to a WHERE
 * clause; its parameters are named (:nm_c, :nm_ic, ...) and bound by
 * store_bind_name_match. Case-insensitive ones compare lower(name) with a
 * LIKE pattern lowered and escaped with '\' by db_utf8_lower. Written for
 * both backends: strpos() and a Unicode lower() are PostgreSQL's (names
 * are COLLATE "C" there, whose lower() folds ASCII only: lower() is asked
 * for the database's collation, "default", which folds Unicode when its
 * LC_CTYPE is a UTF-8 locale); db_sqlite.c gives SQLite, whose own lower()
 * and LIKE fold ASCII only, both functions (db_utf8_lower, with C.UTF-8's
 * case tables) and a collation "default" (BINARY).
 */
#define STORE_NAME_ILIKE(p)						\
	" AND (" p " IS NULL OR lower(name COLLATE \"default\") LIKE " p	\
	" ESCAPE '\\')"
#define STORE_NAME_MATCH_SQL						\
	" AND (:nm_c IS NULL OR strpos(name, :nm_c) > 0)"		\
	" AND (:nm_s IS NULL OR substr(name, 1, length(:nm_s)) = :nm_s)" \
	" AND (:nm_e IS NULL OR (length(name) >= length(:nm_e) AND"	\
	"  substr(name, length(name) - length(:nm_e) + 1) = :nm_e))"	\
	STORE_NAME_ILIKE(":nm_ic") STORE_NAME_ILIKE(":nm_is")		\
	STORE_NAME_ILIKE(":nm_ie")

/* Bind m (NULL: no filter) to the parameters of STORE_NAME_MATCH_SQL in s.
 * Returns 0, or -1 (out of memory) with err. */
int		 store_bind_name_match(struct db_stmt *s,
		    const struct kg_name_match *m, struct kg_err *err);

/* Number of rows changed by the last statement on this connection. */
int		 store_changes(struct store *st);

/* ------------------------------------------------------------------------
 * Rows into objects and lists (store/rows.c). "what" names the query in
 * the log line of a database error; type and key make Keystone's 404 text
 * "Could not find <type>: <key>.".
 * --------------------------------------------------------------------- */

/* Read the current row of s into the object at out (which it owns after).
 * Returns 0, or -1 with err (nothing left to free). */
typedef int	(*store_row_fn)(struct db_stmt *s, void *out, struct kg_err *err);

/* Release the members of the object at p (not p itself). */
typedef void	(*store_free_fn)(void *p);

/*
 * Step the bound statement s expecting at most one row, read by from_row
 * into out. No row: KG_ENOTFOUND "Could not find <type>: <key>.". Resets
 * s. Returns 0 or -1.
 */
int		 store_get_one(struct store *st, struct db_stmt *s,
		    const char *what, store_row_fn from_row, void *out,
		    const char *type, const char *key, struct kg_err *err);

/*
 * Step the bound statement s, reading every row with from_row into a new
 * array of elements of elsz bytes: *out (NULL when none, free with
 * store_free_each), *n. On failure the rows read so far are released with
 * free_one (may be NULL). Resets s. Returns 0 or -1.
 */
int		 store_get_all(struct store *st, struct db_stmt *s,
		    const char *what, size_t elsz, store_row_fn from_row,
		    store_free_fn free_one, void **out, size_t *n,
		    struct kg_err *err);

/* store_get_all of column 0 as strings ("" for NULL): *out is a new
 * string array of *n (store_strv_free). */
int		 store_get_strings(struct store *st, struct db_stmt *s,
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

/* Look up object id into out (which it owns after); KG_ENOTFOUND when
 * there is none. A store_*_get function. */
typedef int	(*store_get_fn)(struct store *st, const char *id, void *out,
		    struct kg_err *err);

/*
 * The objects whose ids the bound statement s returns (column 0), each
 * read with get, in that order: *out (an array of *n elements of elsz
 * bytes, free with store_free_each(*out, *n, elsz, free_one)). Resets s.
 * Returns 0 or -1 (nothing left to free).
 */
int		 store_get_by_ids(struct store *st, struct db_stmt *s,
		    const char *what, size_t elsz, store_get_fn get,
		    store_free_fn free_one, void **out, size_t *n,
		    struct kg_err *err);

/* *yes = whether the bound statement s returns a row. Resets s. Returns
 * 0 or -1. */
int		 store_exists(struct store *st, struct db_stmt *s,
		    const char *what, int *yes, struct kg_err *err);

/* store_run of a statement that changes one row; KG_ENOTFOUND "Could not
 * find <type>: <id>." when it changed none. */
int		 store_exec_one(struct store *st, struct db_stmt *s,
		    const char *what, const char *conflict, const char *type,
		    const char *id, struct kg_err *err);

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

void		 store_bind_page(struct db_stmt *s, const struct kg_page *pg);

/* Bind a text (NULL: SQL NULL) / an integer to the named parameter
 * name (":x") of s, when s has it. */
void		 store_bind_named(struct db_stmt *s, const char *name, const char *v);
void		 store_bind_named_int64(struct db_stmt *s, const char *name,
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
int		 store_get_page(struct store *st, struct db_stmt *s, const char *what,
		    size_t elsz, store_row_fn from_row, store_free_fn free_one,
		    struct kg_page *pg, void **out, size_t *n, struct kg_err *err);

/*
 * For a list read some other way from a statement bound by
 * store_bind_page: entries of *out (*n of elsz bytes) beyond pg->limit
 * are freed with free_one and cut off, and pg->more tells whether there
 * were any (pg NULL: nothing done).
 */
void		 store_page_cut(struct kg_page *pg, size_t elsz,
		    store_free_fn free_one, void **out, size_t *n);

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
