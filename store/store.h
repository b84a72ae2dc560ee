/*
 * store.h - keygate's persistent state, in domain terms.
 *
 * Nothing here (or in the per-area headers store/identity.h,
 * store/assignment.h, store/catalog.h, store/revoke.h) mentions SQL or
 * SQLite: a PostgreSQL backend can implement the same contract. Only files
 * under store/ include <sqlite3.h>.
 *
 * Concurrency: a struct store is one database connection and must be used
 * by one thread at a time. The server gives each worker thread its own
 * connection through store_thread().
 *
 * Errors: functions return 0 (or a pointer) on success and -1 (or NULL) on
 * failure with *err filled: KG_ENOTFOUND for a missing object, KG_ECONFLICT
 * for a uniqueness or reference violation, KG_ERETRY for a transient
 * conflict with another connection (SQLite's SQLITE_BUSY / SQLITE_LOCKED;
 * a PostgreSQL backend reports SQLSTATE 40001 / 40P01 the same way): the
 * transaction must be rolled back and may be run again (svc_run does), and
 * KG_EINTERNAL for anything else (the detail is logged, never shown to
 * clients).
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
 * Open the database at path (created when missing) with WAL journaling,
 * foreign keys on and a busy timeout. Does not migrate. Returns NULL on
 * failure.
 */
struct store	*store_open(const char *path, struct kg_err *err);

/* Close a connection and its cached statements. NULL-safe. */
void		 store_close(struct store *st);

/*
 * Apply every schema migration newer than the database's version, each in
 * its own transaction. *from and *to (either may be NULL) receive the
 * version before and after. Returns 0 or -1.
 *
 * A migration may rebuild tables to change their constraints: it runs with
 * foreign-key enforcement off, and is committed only when PRAGMA
 * foreign_key_check finds nothing afterwards (KG_EINTERNAL otherwise).
 */
int		 store_migrate(struct store *st, int *from, int *to, struct kg_err *err);

/* store_migrate up to version (not beyond); for tests of a migration. */
int		 store_migrate_to(struct store *st, int version, int *from, int *to,
		    struct kg_err *err);

/*
 * Check the database: SQLite's integrity_check and foreign_key_check.
 * Each problem found is passed to report (a line of text; report may be
 * NULL). Returns the number of problems, or -1 with err when the checks
 * cannot run.
 */
int		 store_check(struct store *st, void (*report)(const char *line,
		    void *cls), void *cls, struct kg_err *err);

/* Schema version of the open database (PRAGMA user_version), or -1. */
int		 store_schema_version(struct store *st);

/* Highest version the binary knows about. */
int		 store_schema_latest(void);

/*
 * Transactions. store_begin takes the write lock at once (BEGIN IMMEDIATE)
 * so multi-row changes never deadlock on upgrade. Nesting is not supported.
 * Use svc_run (svc/svc.h) rather than these directly: it retries what
 * KG_ERETRY allows. store_rollback is a no-op outside a transaction.
 */
int		 store_begin(struct store *st, struct kg_err *err);
int		 store_commit(struct store *st, struct kg_err *err);
void		 store_rollback(struct store *st);

/* What is open on st: STORE_TX_NONE, STORE_TX_READ (a read transaction,
 * store_read_begin) or STORE_TX_WRITE (store_begin). */
enum store_tx { STORE_TX_NONE = 0, STORE_TX_READ, STORE_TX_WRITE };
enum store_tx	 store_in_transaction(struct store *st);

/*
 * How long a statement waits for another connection's lock before failing
 * with KG_ERETRY (default 5000 ms).
 */
void		 store_set_busy_timeout(struct store *st, int ms);

/*
 * The generation counter: it changes whenever anything that can alter a
 * token validation result changes (users, projects, domains, groups,
 * roles, grants, catalog, revocation events), including changes made by
 * other processes. Caches keyed on it stay correct. Returns -1 on error.
 */
int64_t		 store_generation(struct store *st);

/* Cheap liveness check (SELECT 1). Returns 0 when the database answers. */
int		 store_ping(struct store *st);

/*
 * Per-thread connections. store_pool_init records the path (and checks
 * that it opens); store_thread returns the calling thread's connection,
 * opening it on first use; it is closed when the thread exits or at
 * store_pool_shutdown (for the calling thread).
 */
int		 store_pool_init(const char *path, struct kg_err *err);
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
