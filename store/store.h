/*
 * store.h - keygate's persistent state, in domain terms.
 *
 * Nothing here (or in the per-area headers store/identity.h,
 * store/assignment.h, store/catalog.h, store/revoke.h) mentions SQL or a
 * database: the contract is the same on SQLite and on PostgreSQL, and each
 * function is implemented once for both (see store/db.h). Only the drivers
 * store/db_sqlite.c and store/db_pg.c include <sqlite3.h> / <libpq-fe.h>.
 *
 * Concurrency: a struct store is one database connection and must be used
 * by one thread at a time. The server gives each worker thread its own
 * connection through store_thread().
 *
 * Errors: functions return 0 (or a pointer) on success and -1 (or NULL) on
 * failure with *err filled: KG_ENOTFOUND for a missing object, KG_ECONFLICT
 * for a uniqueness or reference violation, KG_ERETRY for a transient
 * conflict with another connection (SQLite's SQLITE_BUSY / SQLITE_LOCKED;
 * PostgreSQL's SQLSTATE 40001 / 40P01 / 55P03): the transaction must be
 * rolled back and may be run again (svc_run does), KG_EUNAVAIL when the
 * database cannot be reached (the connection is re-opened later, see
 * store_thread), and KG_EINTERNAL for anything else (the detail is logged,
 * never shown to clients).
 *
 * Writes: only svc/ calls the functions that change the database, each
 * inside a transaction opened by svc_run (svc/svc.h). store/ holds SQL and
 * no rule beyond what one statement or the schema enforces.
 *
 * Strings in returned structs are owned by the struct; each struct type has
 * a *_free() that releases its members (not the struct itself) and accepts
 * a zeroed struct.
 */
#ifndef KG_STORE_H
#define KG_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/types.h"

struct store;

#define STORE_ID_SIZE	KG_ID_SIZE	/* see common/types.h */
#define STORE_NAME_SIZE	KG_NAME_SIZE

/*
 * Open a connection. conninfo is a PostgreSQL URI (postgresql://... or
 * postgres://...: libpq's syntax, the password also from PGPASSWORD or a
 * password file) or an SQLite path (created when missing; WAL journaling,
 * foreign keys on, a busy timeout); any other "scheme://" is refused.
 * Does not migrate. Returns NULL on failure (KG_EUNAVAIL when the database
 * cannot be reached). Never logs a password.
 */
struct store	*store_open(const char *conninfo, struct kg_err *err);

/* "sqlite" or "postgresql". */
const char	*store_backend(const struct store *st);

/*
 * Nonzero when st's connection is gone (the database went away; it is
 * re-opened by store_thread between requests). Lets a caller tell "the
 * database is down" (503) from a bug.
 */
int		 store_unavailable(struct store *st);

/* Close a connection and its cached statements. NULL-safe. */
void		 store_close(struct store *st);

/*
 * Apply every schema migration the database has not applied (also one
 * numbered below its version: branches add migrations in any order), each
 * in its own transaction. *from and *to (either may be NULL) receive the
 * version before and after. Returns 0 or -1.
 *
 * Safe when several processes run it at once on the same database: each
 * migration is applied by exactly one of them, the others wait for it and
 * go on (serialized by the database: SQLite's write lock, a primary key on
 * PostgreSQL's schema_migrations).
 *
 * SQLite: a migration may rebuild tables to change their constraints: it
 * runs with foreign-key enforcement off, and is committed only when PRAGMA
 * foreign_key_check finds nothing afterwards (KG_EINTERNAL otherwise).
 * PostgreSQL checks foreign keys in migrations as everywhere.
 */
int		 store_migrate(struct store *st, int *from, int *to, struct kg_err *err);

/* store_migrate up to version (not beyond); for tests of a migration. */
int		 store_migrate_to(struct store *st, int version, int *from, int *to,
		    struct kg_err *err);

/* store_migrate_to with another list of migrations (ordered by version,
 * { 0, NULL } ends it), in the backend's SQL: for tests of the machinery. */
struct migration;
int		 store_migrate_list(struct store *st,
		    const struct migration *list, int version, int *from,
		    int *to, struct kg_err *err);

/*
 * Check the database: SQLite's integrity_check and foreign_key_check;
 * on PostgreSQL, which enforces foreign keys always, constraints left
 * unvalidated and disabled triggers.
 * Each problem found is passed to report (a line of text; report may be
 * NULL). Returns the number of problems, or -1 with err when the checks
 * cannot run.
 */
int		 store_check(struct store *st, void (*report)(const char *line,
		    void *cls), void *cls, struct kg_err *err);

/* Schema version of the open database: the highest migration applied
 * (0: empty), or -1. */
int		 store_schema_version(struct store *st);

/* How many of the binary's migrations the database has not applied (each
 * applied one is recorded on its own: one numbered below the highest may
 * be missing), or -1. */
int		 store_schema_missing(struct store *st);

/* Highest version the binary knows about. */
int		 store_schema_latest(void);

/*
 * Transactions. store_begin takes the write lock at once (SQLite: BEGIN
 * IMMEDIATE; PostgreSQL: the row lock on the generation counter, shared by
 * every replica), so writers queue instead of deadlocking, and everything a
 * change reads after store_begin stays as read until it commits. Nesting
 * is not supported.
 * Use svc_run (svc/svc.h) rather than these directly: it retries what
 * KG_ERETRY allows. store_rollback is a no-op outside a transaction.
 */
int		 store_begin(struct store *st, struct kg_err *err);
int		 store_commit(struct store *st, struct kg_err *err);
void		 store_rollback(struct store *st);

/*
 * Start a read transaction unless one is already open, so the statements
 * that follow share one snapshot (SQLite: BEGIN DEFERRED; PostgreSQL:
 * REPEATABLE READ READ ONLY). Returns 1 when it began one (pass it to
 * store_read_end), 0 when a transaction was already open, -1 on error.
 */
int		 store_read_begin(struct store *st, struct kg_err *err);
void		 store_read_end(struct store *st, int began);

/* What is open on st: STORE_TX_NONE, STORE_TX_READ (a read transaction,
 * store_read_begin) or STORE_TX_WRITE (store_begin). */
enum store_tx { STORE_TX_NONE = 0, STORE_TX_READ, STORE_TX_WRITE };
enum store_tx	 store_in_transaction(struct store *st);

/*
 * How long a statement waits for another connection's lock before failing
 * with KG_ERETRY (default 5000 ms; PostgreSQL: lock_timeout).
 */
void		 store_set_busy_timeout(struct store *st, int ms);

/*
 * The generation counter: it changes whenever anything that can alter a
 * token validation result changes (users, projects, domains, groups,
 * roles, grants, catalog, revocation events), including changes made by
 * other processes. Caches keyed on it stay correct. Returns -1 on error.
 */
int64_t		 store_generation(struct store *st);

/*
 * The revision of what the projects API lists: bumped by triggers on any
 * change to a project, a project tag or a domain, inserts included
 * (schema 0015), also by other processes and replicas. Read it before the
 * list it keys: the list is then at least as new. -1 on error.
 */
int64_t		 store_projects_revision(struct store *st);

/* Cheap liveness check (SELECT 1). Returns 0 when the database answers. */
int		 store_ping(struct store *st);

/*
 * Per-thread connections. store_pool_init records the connection string
 * (and checks that it opens); store_thread returns the calling thread's
 * connection, opening it on first use, and re-opening it when it was found
 * gone (at most every 500 ms; meanwhile NULL with KG_EUNAVAIL at once); it
 * is closed when the thread exits or at store_pool_shutdown (for the
 * calling thread). Call store_thread between transactions only.
 */
int		 store_pool_init(const char *conninfo, struct kg_err *err);
struct store	*store_thread(struct kg_err *err);
void		 store_pool_shutdown(void);

/*
 * One page of a list, as Keystone's ?limit= and ?marker= ask for it: the
 * rows whose id sorts after marker's, in id order (bytewise), at most
 * limit of them; more says whether rows remain after the page. A list
 * function given a NULL page returns every row, still in id order.
 * A marker that names nothing in the listed table is KG_ENOTFOUND
 * "Marker <marker> could not be found." (Keystone's MarkerNotFound).
 */
struct kg_page {
	const char	*marker;	/* NULL: from the first row */
	size_t		 limit;		/* rows at most; 0: no limit */
	int		 more;		/* out: rows remain after this page */
};

/*
 * Keystone's inexact filters on a list's names (?name__contains=... and
 * the others, keystone/common/driver_hints.py): each one set (non-NULL)
 * must match, all together. The plain ones compare exactly, character by
 * character; the __i ones ignore case (Unicode lower case, as MySQL's
 * collations do for Keystone). Values are text, never patterns: '%' and
 * '_' match themselves.
 */
struct kg_name_match {
	const char	*contains, *icontains;
	const char	*startswith, *istartswith;
	const char	*endswith, *iendswith;
};

/* Release a NULL-terminated-or-counted array of strings. NULL-safe. */
void		 store_strv_free(char **v, size_t n);

#endif /* KG_STORE_H */
