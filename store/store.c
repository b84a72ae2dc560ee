/*
 * store.c - what both database backends share (see db.h): opening a
 * connection with the driver its connection string names, migrations,
 * transactions, the per-connection statement cache, errors as struct
 * kg_err, the generation counter, and per-thread connections that
 * re-connect after the database came back.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "store/migrations.h"
#include "store/store_int.h"

#define RECONNECT_INTERVAL_US	500000	/* per thread, while the database is down */

static char		*pool_conninfo;
static pthread_key_t	 pool_key;
static pthread_once_t	 pool_once = PTHREAD_ONCE_INIT;

struct store *
store_open(const char *conninfo, struct kg_err *err)
{
	const struct db_driver	*drv;
	struct store		*st;

	if ((drv = db_driver_for(conninfo, err)) == NULL)
		return NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		return NULL;
	}
	st->drv = drv;
	if ((st->conn = drv->open(conninfo, err)) == NULL) {
		free(st);
		return NULL;
	}
	return st;
}

void
store_close(struct store *st)
{
	size_t	i;

	if (st == NULL)
		return;
	for (i = 0; i < STORE_STMT_SLOTS; i++)
		if (st->slots[i].stmt != NULL)
			st->drv->finalize(st->slots[i].stmt);
	st->drv->close(st->conn);
	free(st);
}

const char *
store_backend(const struct store *st)
{
	return st->drv->name;
}

int
store_schema_version(struct store *st)
{
	return st->drv->schema_version(st->conn);
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

int
store_schema_missing(struct store *st)
{
	const struct migration	*m;
	int			 has, n = 0;

	for (m = st->drv->migrations; m->name != NULL; m++) {
		if ((has = st->drv->schema_has(st->conn, m->version)) == -1)
			return -1;
		n += !has;
	}
	return n;
}

int
store_migrate_list(struct store *st, const struct migration *list,
    int version, int *from, int *to, struct kg_err *err)
{
	const struct migration	*m;
	int			 cur, has, skipped;

	if ((cur = store_schema_version(st)) < 0)
		return store_dberr(st, "schema version", NULL, err);
	if (from != NULL)
		*from = cur;
	/* Every migration not recorded, also one numbered below cur. */
	for (m = list; m->name != NULL && m->version <= version; m++) {
		if ((has = st->drv->schema_has(st->conn, m->version)) == -1)
			return store_dberr(st, "schema version", NULL, err);
		if (has)
			continue;
		if (st->drv->migrate_one(st->conn, m, &skipped) == -1) {
			store_dberr(st, m->name, NULL, err);
			if (err != NULL && err->kind == KG_EINTERNAL)
				kg_errf(err, KG_EINTERNAL, "migration %s failed",
				    m->name);
			return -1;
		}
		if (skipped)
			log_info("%s: schema migration %s was applied by another"
			    " process", __func__, m->name);
		else
			log_info("%s: applied schema migration %s", __func__,
			    m->name);
	}
	if (to != NULL && (*to = store_schema_version(st)) < 0)
		return store_dberr(st, "schema version", NULL, err);
	return 0;
}

int
store_migrate_to(struct store *st, int version, int *from, int *to,
    struct kg_err *err)
{
	return store_migrate_list(st, st->drv->migrations, version, from, to,
	    err);
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
	int	n;

	if ((n = st->drv->check(st->conn, report, cls)) == -1)
		return store_dberr(st, "check", NULL, err);
	return n;
}

int
store_exec_sql(struct store *st, const char *sql, struct kg_err *err)
{
	if (st->drv->exec(st->conn, sql) == -1)
		return store_dberr(st, sql, NULL, err);
	return 0;
}

/* ------------------------------------------------------------------------
 * Transactions.
 * --------------------------------------------------------------------- */

int
store_begin(struct store *st, struct kg_err *err)
{
	if (st->drv->begin(st->conn, DB_TX_WRITE) == -1)
		return store_dberr(st, "begin", NULL, err);
	return 0;
}

int
store_commit(struct store *st, struct kg_err *err)
{
	if (st->drv->commit(st->conn) == -1) {
		store_dberr(st, "commit", NULL, err);
		store_rollback(st);
		return -1;
	}
	return 0;
}

void
store_rollback(struct store *st)
{
	st->drv->rollback(st->conn);
}

enum store_tx
store_in_transaction(struct store *st)
{
	switch (st->drv->tx_state(st->conn)) {
	case 0:
		return STORE_TX_NONE;
	case DB_TX_READ:
		return STORE_TX_READ;
	default:
		return STORE_TX_WRITE;
	}
}

int
store_read_begin(struct store *st, struct kg_err *err)
{
	if (st->drv->tx_state(st->conn) != 0)
		return 0;		/* the caller's transaction covers us */
	if (st->drv->begin(st->conn, DB_TX_READ) == -1)
		return store_dberr(st, "read begin", NULL, err);
	return 1;
}

void
store_read_end(struct store *st, int began)
{
	if (began != 1)
		return;
	/* A read-only transaction: COMMIT only releases the snapshot. */
	if (st->drv->commit(st->conn) == -1)
		st->drv->rollback(st->conn);
}

void
store_set_busy_timeout(struct store *st, int ms)
{
	st->drv->set_lock_timeout(st->conn, ms);
}

int64_t
store_generation(struct store *st)
{
	struct db_stmt	*s;
	int64_t		 g = -1;

	if ((s = store_prepare(st, "SELECT value FROM meta WHERE key = 'generation'",
	    NULL)) == NULL)
		return -1;
	if (db_step(s) == DB_ROW)
		g = db_col_int64(s, 0);
	db_reset(s);
	return g;
}

int
store_ping(struct store *st)
{
	struct db_stmt	*s;
	int		 rc;

	if ((s = store_prepare(st, "SELECT 1", NULL)) == NULL)
		return -1;
	rc = db_step(s);
	db_reset(s);
	return rc == DB_ROW ? 0 : -1;
}

int
store_unavailable(struct store *st)
{
	return st->drv->broken(st->conn);
}

/* ------------------------------------------------------------------------
 * Statement cache and helpers for the store/ implementation files.
 * --------------------------------------------------------------------- */

struct db_stmt *
store_prepare(struct store *st, const char *sql, struct kg_err *err)
{
	uintptr_t		 h = (uintptr_t)sql;
	size_t			 i, n;
	struct stmt_slot	*slot;

	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15ULL;
	for (n = 0; n < STORE_STMT_SLOTS; n++) {
		i = (h + n) & (STORE_STMT_SLOTS - 1);
		slot = &st->slots[i];
		if (slot->sql == sql) {
			db_reset(slot->stmt);
			st->drv->clear(slot->stmt);
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
	if ((slot->stmt = st->drv->prepare(st->conn, sql)) == NULL) {
		store_dberr(st, sql, NULL, err);
		return NULL;
	}
	slot->sql = sql;
	return slot->stmt;
}

int
store_dberr(struct store *st, const char *what, const char *conflict_msg,
    struct kg_err *err)
{
	switch (st->drv->errclass(st->conn)) {
	case DB_ECONSTRAINT:
		return kg_errf(err, KG_ECONFLICT, "%s", conflict_msg ?
		    conflict_msg : "Conflict occurred attempting to store data.");
	case DB_ERETRY:
		/* Another connection holds the lock: the transaction may be
		 * retried. */
		log_debug("store: %s: %s", what, st->drv->errmsg(st->conn));
		return kg_errf(err, KG_ERETRY, "database busy");
	case DB_EUNAVAIL:
		log_warn("store: %s: %s", what, st->drv->errmsg(st->conn));
		return kg_errf(err, KG_EUNAVAIL, "The database is unavailable.");
	default:
		log_error("store: %s: %s", what, st->drv->errmsg(st->conn));
		return kg_errf(err, KG_EINTERNAL, "database error");
	}
}

int
store_run(struct store *st, struct db_stmt *s, const char *what,
    const char *conflict_msg, struct kg_err *err)
{
	int	rc = db_step(s);

	db_reset(s);
	if (rc == DB_ERROR)
		return store_dberr(st, what, conflict_msg, err);
	return 0;
}

char *
db_col_strdup(struct db_stmt *s, int col)
{
	const char	*t = db_col_text(s, col);

	return t ? strdup(t) : NULL;
}

char *
db_col_str(struct db_stmt *s, int col)
{
	const char	*t = db_col_text(s, col);

	return strdup(t ? t : "");
}

void
db_col_copy(struct db_stmt *s, int col, char *dst, size_t dstsz)
{
	const char	*t = db_col_text(s, col);
	size_t		 n = t ? strlen(t) : 0;

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
	return (int)st->drv->changes(st->conn);
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
store_pool_init(const char *conninfo, struct kg_err *err)
{
	struct store	*st;

	pthread_once(&pool_once, pool_make_key);
	if (pool_conninfo != NULL)
		kg_wipe(pool_conninfo, strlen(pool_conninfo));
	free(pool_conninfo);
	if ((pool_conninfo = strdup(conninfo)) == NULL)
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	if ((st = store_open(conninfo, err)) == NULL)
		return -1;
	pthread_setspecific(pool_key, st);	/* the caller's own connection */
	return 0;
}

/*
 * A connection found gone is re-opened here, between requests (never in
 * the middle of a transaction): at most once per RECONNECT_INTERVAL_US
 * per thread, so that while the database is down each request fails at
 * once instead of waiting for a connect timeout.
 */
static int
pool_revive(struct store *st, struct kg_err *err)
{
	int64_t	now;

	if (st->drv->tx_state(st->conn) != 0 || !st->drv->broken(st->conn))
		return 0;
	now = kg_now_us();
	if (now < st->retry_at)
		return kg_errf(err, KG_EUNAVAIL, "The database is unavailable.");
	st->retry_at = now + RECONNECT_INTERVAL_US;
	if (st->drv->reconnect(st->conn) == -1)
		return kg_errf(err, KG_EUNAVAIL, "The database is unavailable.");
	return 0;
}

struct store *
store_thread(struct kg_err *err)
{
	struct store	*st;

	if (pool_conninfo == NULL) {
		kg_errf(err, KG_EINTERNAL, "store pool not initialised");
		return NULL;
	}
	if ((st = pthread_getspecific(pool_key)) != NULL)
		return pool_revive(st, err) == 0 ? st : NULL;
	if ((st = store_open(pool_conninfo, err)) == NULL)
		return NULL;
	pthread_setspecific(pool_key, st);
	return st;
}

void
store_pool_shutdown(void)
{
	struct store	*st;

	if (pool_conninfo == NULL)
		return;
	if ((st = pthread_getspecific(pool_key)) != NULL) {
		pthread_setspecific(pool_key, NULL);
		store_close(st);
	}
	kg_wipe(pool_conninfo, strlen(pool_conninfo));
	free(pool_conninfo);
	pool_conninfo = NULL;
}
