/*
 * db.h - the database driver interface, internal to store/ (never include
 * it outside store/; the rest of keygate sees only store/ headers).
 *
 * Every store_* function is written once, against this interface, and runs
 * on either driver: store/db_sqlite.c (SQLite) or store/db_pg.c
 * (PostgreSQL, libpq). Those two files are the only ones that include
 * sqlite3.h or libpq-fe.h. store/store.c picks the driver from the
 * connection string (db_driver_for) and owns what both share: the
 * statement cache, transactions as svc/ sees them, per-thread connections
 * and reconnection, and the mapping of db_errclass to struct kg_err.
 *
 * SQL dialect (see the README, "Database backends"): write each statement
 * once, in what both databases accept. Placeholders are ?N (also ? and
 * :name, numbered as SQLite numbers them; db_pg.c rewrites them to $N);
 * the table "user" is always quoted; no SQLite-only functions (db_sqlite.c
 * gives SQLite PostgreSQL's strpos(), Unicode lower() and the collation
 * "default"), no INSERT OR
 * IGNORE (ON CONFLICT DO NOTHING), no boolean result columns, CAST(?N AS
 * TEXT) where a parameter has no other type context.
 *
 * Threads: a struct db and its statements belong to one thread at a time.
 * Errors: a failed call returns -1 / DB_ERROR / NULL and leaves the
 * classification and the message on the connection (errclass, errmsg)
 * until the next failure. The message never holds a password.
 */
#ifndef KG_STORE_DB_H
#define KG_STORE_DB_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "store/migrations.h"

struct db;			/* one connection (driver-specific) */
struct db_driver;

/* A prepared statement. Each driver's statement struct begins with this. */
struct db_stmt {
	const struct db_driver	*drv;
};

/* What db_step returns. */
enum { DB_ERROR = -1, DB_DONE = 0, DB_ROW = 1 };

/* Why the last call on a connection failed. */
enum db_errclass {
	DB_ENONE = 0,
	DB_ECONSTRAINT,		/* unique, foreign key, check, not null */
	DB_ERETRY,		/* busy, lock timeout, serialization failure,
				   deadlock: the transaction may run again */
	DB_EUNAVAIL,		/* the connection is lost or the server refuses
				   it: re-open it (db_driver.reconnect) */
	DB_EOTHER		/* anything else */
};

/* Transaction kinds (db_driver.begin). */
enum db_txkind {
	DB_TX_READ = 1,		/* one snapshot, read only */
	DB_TX_WRITE,		/* the writer: serialized with every other writer
				   (SQLite's write lock; PostgreSQL: the row lock
				   on meta 'generation', taken first) */
	DB_TX_SCHEMA		/* a migration (the schema may not exist yet) */
};

struct db_driver {
	const char	*name;			/* "sqlite", "postgresql" */
	const struct migration *migrations;	/* ordered, { 0, NULL } ends */

	/* Open (conninfo: a path or a URI; never logged whole). */
	struct db	*(*open)(const char *conninfo, struct kg_err *err);
	void		 (*close)(struct db *db);
	/* Re-open a connection that reported DB_EUNAVAIL; 0 or -1. Every
	 * statement of the connection stays valid (re-prepared on use). */
	int		 (*reconnect)(struct db *db);
	/* Nonzero when the connection is known to be gone (outside a
	 * transaction this also notices a server that hung up meanwhile). */
	int		 (*broken)(struct db *db);
	/* How long a statement waits for another connection's lock before
	 * failing with DB_ERETRY. */
	void		 (*set_lock_timeout)(struct db *db, int ms);

	/* Run a script of statements without parameters or rows. 0 / -1. */
	int		 (*exec)(struct db *db, const char *sql);

	struct db_stmt	*(*prepare)(struct db *db, const char *sql);
	void		 (*finalize)(struct db_stmt *s);
	/* Forget the current result, so the statement runs again at the
	 * next step; the bindings stay (as sqlite3_reset). */
	void		 (*reset)(struct db_stmt *s);
	/* Every binding back to NULL. */
	void		 (*clear)(struct db_stmt *s);
	/* Bindings (idx from 1; out of range: ignored). s NULL: SQL NULL. */
	void		 (*bind_text)(struct db_stmt *s, int idx, const char *v);
	void		 (*bind_int64)(struct db_stmt *s, int idx, int64_t v);
	/* Index of a named parameter (":name"), 0 when absent. */
	int		 (*param_index)(struct db_stmt *s, const char *name);
	/* DB_ROW (a row to read), DB_DONE, or DB_ERROR. */
	int		 (*step)(struct db_stmt *s);
	/* The current row's column: text (NULL for SQL NULL; valid until
	 * the next step or reset), integer (0 for NULL), NULL test. */
	const char	*(*column_text)(struct db_stmt *s, int col);
	int64_t		 (*column_int64)(struct db_stmt *s, int col);
	int		 (*column_null)(struct db_stmt *s, int col);
	/* Rows changed by the connection's last INSERT/UPDATE/DELETE. */
	int64_t		 (*changes)(struct db *db);

	enum db_errclass (*errclass)(struct db *db);
	const char	*(*errmsg)(struct db *db);

	/* Transactions. commit fails (-1) also when the database rolled the
	 * transaction back instead; rollback is a no-op outside one. */
	int		 (*begin)(struct db *db, enum db_txkind kind);
	int		 (*commit)(struct db *db);
	void		 (*rollback)(struct db *db);
	/* 0: none open; else the kind begin opened (DB_TX_SCHEMA counts as
	 * DB_TX_WRITE). */
	int		 (*tx_state)(struct db *db);

	/* Schema: the highest version applied (0 on an empty database, -1
	 * on error); whether migration version is applied (1, 0, -1: each
	 * is recorded on its own, so that one numbered below the highest
	 * is still applied); apply migration m unless another process
	 * applied it (*skipped = 1), atomically and serialized with any
	 * other runner. */
	int		 (*schema_version)(struct db *db);
	int		 (*schema_has)(struct db *db, int version);
	int		 (*migrate_one)(struct db *db, const struct migration *m,
			    int *skipped);
	/* Integrity checks: each problem to report; count or -1. */
	int		 (*check)(struct db *db, void (*report)(const char *line,
			    void *cls), void *cls);
};

extern const struct db_driver db_sqlite_driver;
extern const struct db_driver db_pg_driver;

/*
 * The driver for a connection string: postgresql:// or postgres:// URIs
 * are PostgreSQL; any other "scheme://..." is refused (NULL, err: an
 * SQLAlchemy-style URL must not be taken for a file name); anything else
 * is an SQLite path.
 */
const struct db_driver *db_driver_for(const char *conninfo, struct kg_err *err);

/*
 * SQLite-style placeholders rewritten for PostgreSQL (db_pg.c; pure, so
 * the unit tests check it): ?N, ? and :name, numbered as SQLite numbers
 * them (? and a new :name take the highest number so far plus one), become
 * $N; quoted literals and identifiers and :: casts are left alone.
 * PostgreSQL infers a parameter's type from its first use; where that is
 * "?N IS NULL" there is none to infer, so the driver says text: cast such
 * a parameter (CAST(?N AS BIGINT)) when it is not text.
 */
#define DB_MAX_PARAMS	999

struct db_sqlparams {
	char		 *sql;		/* the rewritten statement */
	int		  n;		/* highest parameter number */
	unsigned char	 *used;		/* used[i]: bit 1: $i+1 appears; bit 2: it
					   first appears as "$i+1 IS [NOT] NULL" */
	char		**names;	/* names[i]: ":name" of $i+1, or NULL */
};

#define DB_PARAM_USED		0x1
#define DB_PARAM_NULLTEST	0x2

/* Returns 0, or -1 (out of memory, a number beyond DB_MAX_PARAMS). */
int	db_placeholders(const char *sql, struct db_sqlparams *p);
void	db_sqlparams_free(struct db_sqlparams *p);

/*
 * s[0..n) in lower case (Unicode, C.UTF-8's tables; ASCII only when that
 * locale is missing; bytes that are not UTF-8 stay as they are) into a new
 * string (malloc'd, *outlen bytes, NUL-terminated); with escape, LIKE's
 * '%', '_' and backslash get a backslash before them. NULL when out of
 * memory.
 * store/match.c; db_sqlite.c's lower() is this.
 */
char	*db_utf8_lower(const char *s, size_t n, int escape, size_t *outlen);

/* The statement calls, dispatched to the statement's driver. */
static inline void
db_reset(struct db_stmt *s)
{
	s->drv->reset(s);
}

static inline void
db_bind_text(struct db_stmt *s, int idx, const char *v)
{
	s->drv->bind_text(s, idx, v);
}

static inline void
db_bind_int64(struct db_stmt *s, int idx, int64_t v)
{
	s->drv->bind_int64(s, idx, v);
}

static inline void
db_bind_int(struct db_stmt *s, int idx, int v)
{
	s->drv->bind_int64(s, idx, v);
}

static inline int
db_param_index(struct db_stmt *s, const char *name)
{
	return s->drv->param_index(s, name);
}

static inline int
db_step(struct db_stmt *s)
{
	return s->drv->step(s);
}

static inline const char *
db_col_text(struct db_stmt *s, int col)
{
	return s->drv->column_text(s, col);
}

static inline int64_t
db_col_int64(struct db_stmt *s, int col)
{
	return s->drv->column_int64(s, col);
}

static inline int
db_col_int(struct db_stmt *s, int col)
{
	return (int)s->drv->column_int64(s, col);
}

static inline int
db_col_null(struct db_stmt *s, int col)
{
	return s->drv->column_null(s, col);
}

#endif /* KG_STORE_DB_H */
