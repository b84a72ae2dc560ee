/*
 * store.c - SQLite connection handling: open with the right pragmas,
 * migrations, transactions, the per-connection statement cache, the
 * generation counter and per-thread connections.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "store/migrations.h"
#include "store/store_int.h"

static char		*pool_path;
static pthread_key_t	 pool_key;
static pthread_once_t	 pool_once = PTHREAD_ONCE_INIT;

struct store *
store_open(const char *path, struct kg_err *err)
{
	struct store	*st;
	char		*msg = NULL;
	int		 rc;

	if ((st = calloc(1, sizeof(*st))) == NULL) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		return NULL;
	}
	rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		log_error("%s: open %s: %s", __func__, path,
		    st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		kg_errf(err, KG_EINTERNAL, "cannot open database %s", path);
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 5000);
	if ((rc = store_match_register(st->db)) != SQLITE_OK) {
		log_error("%s: kg_lower: %s", __func__, sqlite3_errstr(rc));
		kg_errf(err, KG_EINTERNAL, "cannot configure database %s", path);
		goto fail;
	}
	/*
	 * WAL lets readers run while one writer commits; synchronous=FULL
	 * makes every acknowledged commit durable, also across power loss.
	 */
	rc = sqlite3_exec(st->db, "PRAGMA journal_mode=WAL;"
	    "PRAGMA synchronous=FULL;PRAGMA foreign_keys=ON;", NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		log_error("%s: pragmas on %s: %s", __func__, path, msg);
		kg_errf(err, KG_EINTERNAL, "cannot configure database %s", path);
		sqlite3_free(msg);
		goto fail;
	}
	return st;
 fail:
	store_close(st);
	return NULL;
}

void
store_close(struct store *st)
{
	size_t	i;

	if (st == NULL)
		return;
	for (i = 0; i < STORE_STMT_SLOTS; i++)
		sqlite3_finalize(st->slots[i].stmt);
	sqlite3_close(st->db);
	free(st);
}

int
store_schema_version(struct store *st)
{
	sqlite3_stmt	*s;
	int		 v = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

int
store_schema_latest(void)
{
	const struct migration	*m;
	int			 v = 0;

	for (m = kg_migrations; m->name != NULL; m++)
		v = m->version;
	return v;
}

/* Rows of PRAGMA foreign_key_check, each reported; the count or -1. */
static int
fk_check(struct store *st, void (*report)(const char *, void *), void *cls,
    struct kg_err *err)
{
	sqlite3_stmt	*s;
	char		 line[512];
	int		 rc, n = 0;

	if ((rc = sqlite3_prepare_v2(st->db, "PRAGMA foreign_key_check", -1, &s,
	    NULL)) != SQLITE_OK)
		return store_sqlerr(st, rc, "foreign_key_check", NULL, err);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		/* table, rowid, parent table, foreign key index */
		snprintf(line, sizeof(line), "foreign key: %s row %lld refers to a"
		    " missing %s", (const char *)sqlite3_column_text(s, 0),
		    (long long)sqlite3_column_int64(s, 1),
		    (const char *)sqlite3_column_text(s, 2));
		if (report != NULL)
			report(line, cls);
		n++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_sqlerr(st, rc, "foreign_key_check", NULL, err);
	return n;
}

static void
log_problem(const char *line, void *cls)
{
	log_error("%s: %s", (const char *)cls, line);
}

/*
 * Apply migration m: foreign keys off (SQLite ignores the pragma inside a
 * transaction, and a table rebuild needs it), the script and the version
 * in one transaction, which commits only if no foreign key is broken.
 */
static int
migrate_one(struct store *st, const struct migration *m, struct kg_err *err)
{
	char	 pragma[64], *msg = NULL;
	int	 bad;

	if (sqlite3_exec(st->db, "PRAGMA foreign_keys=OFF", NULL, NULL, NULL) !=
	    SQLITE_OK || store_begin(st, err) == -1)
		goto fail;
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version=%d;", m->version);
	if (sqlite3_exec(st->db, m->sql, NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_exec(st->db, pragma, NULL, NULL, &msg) != SQLITE_OK) {
		log_error("%s: migration %s: %s", __func__, m->name, msg);
		sqlite3_free(msg);
		kg_errf(err, KG_EINTERNAL, "migration %s failed", m->name);
		goto fail;
	}
	if ((bad = fk_check(st, log_problem, (void *)m->name, err)) != 0) {
		if (bad > 0)
			kg_errf(err, KG_EINTERNAL, "migration %s leaves %d broken"
			    " foreign keys", m->name, bad);
		goto fail;
	}
	if (store_commit(st, err) == -1)
		goto fail;
	sqlite3_exec(st->db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
	return 0;
 fail:
	store_rollback(st);
	sqlite3_exec(st->db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
	return -1;
}

int
store_migrate_to(struct store *st, int version, int *from, int *to,
    struct kg_err *err)
{
	const struct migration	*m;
	int			 cur;

	if ((cur = store_schema_version(st)) < 0)
		return kg_errf(err, KG_EINTERNAL, "cannot read schema version");
	if (from != NULL)
		*from = cur;
	for (m = kg_migrations; m->name != NULL && m->version <= version; m++) {
		if (m->version <= cur)
			continue;
		if (migrate_one(st, m, err) == -1)
			return -1;
		log_info("%s: applied schema migration %s", __func__, m->name);
		cur = m->version;
	}
	if (to != NULL)
		*to = cur;
	return 0;
}

int
store_migrate(struct store *st, int *from, int *to, struct kg_err *err)
{
	return store_migrate_to(st, store_schema_latest(), from, to, err);
}

int
store_check(struct store *st, void (*report)(const char *, void *), void *cls,
    struct kg_err *err)
{
	sqlite3_stmt	*s;
	const char	*line;
	int		 rc, n = 0, fk;

	if ((rc = sqlite3_prepare_v2(st->db, "PRAGMA integrity_check", -1, &s,
	    NULL)) != SQLITE_OK)
		return store_sqlerr(st, rc, "integrity_check", NULL, err);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		line = (const char *)sqlite3_column_text(s, 0);
		if (line != NULL && strcmp(line, "ok") == 0)
			continue;
		if (report != NULL)
			report(line ? line : "?", cls);
		n++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_sqlerr(st, rc, "integrity_check", NULL, err);
	if ((fk = fk_check(st, report, cls, err)) == -1)
		return -1;
	return n + fk;
}

static int
store_exec_sql(struct store *st, const char *sql, struct kg_err *err)
{
	int	rc;

	if ((rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL)) != SQLITE_OK)
		return store_sqlerr(st, rc, sql, NULL, err);
	return 0;
}

int
store_begin(struct store *st, struct kg_err *err)
{
	return store_exec_sql(st, "BEGIN IMMEDIATE", err);
}

int
store_commit(struct store *st, struct kg_err *err)
{
	if (store_exec_sql(st, "COMMIT", err) == -1) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

void
store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

enum store_tx
store_in_transaction(struct store *st)
{
	if (sqlite3_get_autocommit(st->db))
		return STORE_TX_NONE;
	return sqlite3_txn_state(st->db, NULL) == SQLITE_TXN_WRITE ?
	    STORE_TX_WRITE : STORE_TX_READ;
}

void
store_set_busy_timeout(struct store *st, int ms)
{
	sqlite3_busy_timeout(st->db, ms);
}

int64_t
store_generation(struct store *st)
{
	sqlite3_stmt	*s;
	int64_t		 g = -1;

	if ((s = store_stmt(st, "SELECT value FROM meta WHERE key = 'generation'",
	    NULL)) == NULL)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		g = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return g;
}

int
store_ping(struct store *st)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, "SELECT 1", NULL)) == NULL)
		return -1;
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* ------------------------------------------------------------------------
 * Statement cache and helpers for the store/ implementation files.
 * --------------------------------------------------------------------- */

sqlite3_stmt *
store_stmt(struct store *st, const char *sql, struct kg_err *err)
{
	uintptr_t		 h = (uintptr_t)sql;
	size_t			 i, n;
	struct stmt_slot	*slot;
	int			 rc;

	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15ULL;
	for (n = 0; n < STORE_STMT_SLOTS; n++) {
		i = (h + n) & (STORE_STMT_SLOTS - 1);
		slot = &st->slots[i];
		if (slot->sql == sql) {
			sqlite3_reset(slot->stmt);
			sqlite3_clear_bindings(slot->stmt);
			return slot->stmt;
		}
		if (slot->sql == NULL)
			break;
	}
	if (n == STORE_STMT_SLOTS) {
		log_error("%s: statement cache full", __func__);
		kg_errf(err, KG_EINTERNAL, "statement cache full");
		return NULL;
	}
	rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &slot->stmt, NULL);
	if (rc != SQLITE_OK) {
		store_sqlerr(st, rc, sql, NULL, err);
		slot->stmt = NULL;
		return NULL;
	}
	slot->sql = sql;
	return slot->stmt;
}

int
store_sqlerr(struct store *st, int rc, const char *what, const char *conflict_msg,
    struct kg_err *err)
{
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return kg_errf(err, KG_ECONFLICT, "%s", conflict_msg ? conflict_msg :
		    "Conflict occurred attempting to store data.");
	/* Another connection holds the lock: the transaction may be retried. */
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

	if (dstsz == 0)		/* dstsz - 1 below would wrap */
		return;
	if (n >= dstsz)
		n = dstsz - 1;
	if (n > 0)
		memcpy(dst, t, n);
	dst[n] = '\0';
}

int
store_changes(struct store *st)
{
	return sqlite3_changes(st->db);
}

void
store_strv_free(char **v, size_t n)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* ------------------------------------------------------------------------
 * Per-thread connections.
 * --------------------------------------------------------------------- */

static void
pool_thread_exit(void *p)
{
	store_close(p);
}

static void
pool_make_key(void)
{
	pthread_key_create(&pool_key, pool_thread_exit);
}

int
store_pool_init(const char *path, struct kg_err *err)
{
	struct store	*st;

	pthread_once(&pool_once, pool_make_key);
	free(pool_path);
	if ((pool_path = strdup(path)) == NULL)
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	if ((st = store_open(path, err)) == NULL)
		return -1;
	pthread_setspecific(pool_key, st);	/* the caller's own connection */
	return 0;
}

struct store *
store_thread(struct kg_err *err)
{
	struct store	*st;

	if (pool_path == NULL) {
		kg_errf(err, KG_EINTERNAL, "store pool not initialised");
		return NULL;
	}
	if ((st = pthread_getspecific(pool_key)) != NULL)
		return st;
	if ((st = store_open(pool_path, err)) == NULL)
		return NULL;
	pthread_setspecific(pool_key, st);
	return st;
}

void
store_pool_shutdown(void)
{
	struct store	*st;

	if (pool_path == NULL)
		return;
	if ((st = pthread_getspecific(pool_key)) != NULL) {
		pthread_setspecific(pool_key, NULL);
		store_close(st);
	}
	free(pool_path);
	pool_path = NULL;
}
