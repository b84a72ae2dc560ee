/*
 * db_sqlite.c - the SQLite driver (see db.h): one file opened in WAL mode
 * with foreign keys on; the write lock is BEGIN IMMEDIATE; one row per
 * migration applied in the table schema_migrations (as on PostgreSQL). With
 * db_pg.c, the only file that includes sqlite3.h.
 */
#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "store/db.h"

struct db {
	sqlite3		*h;
	int		 rc;		/* the last failure's result code */
	char		 msg[256];	/* and its message */
	/* Transaction statements, prepared once (the validation path opens
	 * a read transaction per request). */
	sqlite3_stmt	*tx[4];
};

enum { TX_READ, TX_WRITE, TX_COMMIT, TX_ROLLBACK };

static const char *const tx_sql[4] = {
	"BEGIN DEFERRED", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"
};

struct sq_stmt {
	struct db_stmt	 base;
	struct db	*db;
	sqlite3_stmt	*h;
};

static int
fail(struct db *db, int rc)
{
	db->rc = rc;
	kg_strlcpy(db->msg, sqlite3_errmsg(db->h), sizeof(db->msg));
	return -1;
}

/*
 * PostgreSQL's lower() (Unicode, as in a database with a UTF-8 LC_CTYPE):
 * SQLite's folds ASCII only. NULL stays NULL.
 */
static void
sql_lower(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char	*s;
	char		*l;
	size_t		 n;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	s = (const char *)sqlite3_value_text(argv[0]);
	n = (size_t)sqlite3_value_bytes(argv[0]);
	if (s == NULL || (l = db_utf8_lower(s, n, 0, &n)) == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	sqlite3_result_text64(ctx, l, n, free, SQLITE_UTF8);
}

/*
 * PostgreSQL's strpos(string, substring): the 1-based character position
 * of the first occurrence, 0 when absent, NULL when either is NULL.
 */
static void
sql_strpos(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char	*h, *nd, *at, *p;
	sqlite3_int64		 pos;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL ||
	    sqlite3_value_type(argv[1]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	h = sqlite3_value_text(argv[0]);
	nd = sqlite3_value_text(argv[1]);
	if (h == NULL || nd == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	if ((at = (const unsigned char *)strstr((const char *)h,
	    (const char *)nd)) == NULL) {
		sqlite3_result_int64(ctx, 0);
		return;
	}
	for (pos = 1, p = h; p < at; p++)
		if ((*p & 0xc0) != 0x80)	/* not a continuation byte */
			pos++;
	sqlite3_result_int64(ctx, pos);
}

/* Collation "default" (PostgreSQL's name for the database's): BINARY. */
static int
coll_binary(void *cls, int na, const void *a, int nb, const void *b)
{
	int	c;

	(void)cls;
	c = memcmp(a, b, (size_t)(na < nb ? na : nb));
	return c != 0 ? c : (na > nb) - (na < nb);
}

/* Give a new connection the functions and collation the shared SQL
 * dialect uses (db.h). */
static int
register_functions(sqlite3 *h)
{
	int	flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
	int	rc;

	rc = sqlite3_create_function_v2(h, "lower", 1, flags, NULL, sql_lower,
	    NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(h, "strpos", 2, flags, NULL,
		    sql_strpos, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_collation_v2(h, "default", SQLITE_UTF8, NULL,
		    coll_binary, NULL);
	return rc;
}

static struct db *
sq_open(const char *path, struct kg_err *err)
{
	struct db	*db;
	char		*msg = NULL;
	int		 rc, tries;

	if ((db = calloc(1, sizeof(*db))) == NULL) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		return NULL;
	}
	rc = sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		log_error("store: open %s: %s", path,
		    db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
		kg_errf(err, KG_EUNAVAIL, "cannot open database %s", path);
		goto fail;
	}
	sqlite3_busy_timeout(db->h, 5000);
	if ((rc = register_functions(db->h)) != SQLITE_OK) {
		log_error("store: functions on %s: %s", path, sqlite3_errstr(rc));
		kg_errf(err, KG_EINTERNAL, "cannot configure database %s", path);
		goto fail;
	}
	/*
	 * WAL lets readers run while one writer commits; synchronous=FULL
	 * makes every acknowledged commit durable, also across power loss.
	 * Switching a new file to WAL needs it to itself, and SQLite does not
	 * wait for that (no busy handler): another process opening the same
	 * new file at once makes it fail with SQLITE_BUSY; try again for up
	 * to 5 s.
	 */
	for (tries = 0;; tries++) {
		rc = sqlite3_exec(db->h, "PRAGMA journal_mode=WAL;"
		    "PRAGMA synchronous=FULL;PRAGMA foreign_keys=ON;", NULL, NULL,
		    &msg);
		if ((rc & 0xff) != SQLITE_BUSY || tries == 100)
			break;
		sqlite3_free(msg);
		msg = NULL;
		sqlite3_sleep(50);
	}
	if (rc != SQLITE_OK) {
		log_error("store: pragmas on %s: %s", path, msg);
		kg_errf(err, KG_EINTERNAL, "cannot configure database %s", path);
		sqlite3_free(msg);
		goto fail;
	}
	return db;
 fail:
	sqlite3_close(db->h);
	free(db);
	return NULL;
}

static void
sq_close(struct db *db)
{
	size_t	i;

	if (db == NULL)
		return;
	for (i = 0; i < sizeof(db->tx) / sizeof(db->tx[0]); i++)
		sqlite3_finalize(db->tx[i]);
	sqlite3_close(db->h);
	free(db);
}

/* A local file is never "gone": nothing to re-open. */
static int
sq_reconnect(struct db *db)
{
	(void)db;
	return 0;
}

static int
sq_broken(struct db *db)
{
	(void)db;
	return 0;
}

static void
sq_set_lock_timeout(struct db *db, int ms)
{
	sqlite3_busy_timeout(db->h, ms);
}

static int
sq_exec(struct db *db, const char *sql)
{
	char	*msg = NULL;
	int	 rc;

	if ((rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg)) == SQLITE_OK)
		return 0;
	db->rc = rc;
	kg_strlcpy(db->msg, msg ? msg : sqlite3_errstr(rc), sizeof(db->msg));
	sqlite3_free(msg);
	return -1;
}

static struct db_stmt *
sq_prepare(struct db *db, const char *sql)
{
	struct sq_stmt	*s;
	int		 rc;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		db->rc = SQLITE_NOMEM;
		kg_strlcpy(db->msg, "out of memory", sizeof(db->msg));
		return NULL;
	}
	rc = sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->h,
	    NULL);
	if (rc != SQLITE_OK) {
		fail(db, rc);
		free(s);
		return NULL;
	}
	s->base.drv = &db_sqlite_driver;
	s->db = db;
	return &s->base;
}

static void
sq_finalize(struct db_stmt *p)
{
	struct sq_stmt	*s = (struct sq_stmt *)p;

	if (s == NULL)
		return;
	sqlite3_finalize(s->h);
	free(s);
}

static void
sq_reset(struct db_stmt *p)
{
	sqlite3_reset(((struct sq_stmt *)p)->h);
}

static void
sq_clear(struct db_stmt *p)
{
	sqlite3_clear_bindings(((struct sq_stmt *)p)->h);
}

static void
sq_bind_text(struct db_stmt *p, int idx, const char *v)
{
	struct sq_stmt	*s = (struct sq_stmt *)p;

	if (v == NULL)
		sqlite3_bind_null(s->h, idx);
	else
		sqlite3_bind_text(s->h, idx, v, -1, SQLITE_TRANSIENT);
}

static void
sq_bind_int64(struct db_stmt *p, int idx, int64_t v)
{
	sqlite3_bind_int64(((struct sq_stmt *)p)->h, idx, v);
}

static int
sq_param_index(struct db_stmt *p, const char *name)
{
	return sqlite3_bind_parameter_index(((struct sq_stmt *)p)->h, name);
}

static int
sq_step(struct db_stmt *p)
{
	struct sq_stmt	*s = (struct sq_stmt *)p;
	int		 rc = sqlite3_step(s->h);

	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	fail(s->db, rc);
	return DB_ERROR;
}

static const char *
sq_column_text(struct db_stmt *p, int col)
{
	return (const char *)sqlite3_column_text(((struct sq_stmt *)p)->h, col);
}

static int64_t
sq_column_int64(struct db_stmt *p, int col)
{
	return sqlite3_column_int64(((struct sq_stmt *)p)->h, col);
}

static int
sq_column_null(struct db_stmt *p, int col)
{
	return sqlite3_column_type(((struct sq_stmt *)p)->h, col) == SQLITE_NULL;
}

static int64_t
sq_changes(struct db *db)
{
	return sqlite3_changes(db->h);
}

static enum db_errclass
sq_errclass(struct db *db)
{
	switch (db->rc & 0xff) {
	case SQLITE_OK:
		return DB_ENONE;
	case SQLITE_CONSTRAINT:
		return DB_ECONSTRAINT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return DB_ERETRY;
	default:
		return DB_EOTHER;
	}
}

static const char *
sq_errmsg(struct db *db)
{
	return db->msg;
}

/* Step one of the prepared transaction statements. */
static int
tx_run(struct db *db, int which)
{
	int	rc;

	if (db->tx[which] == NULL && (rc = sqlite3_prepare_v3(db->h,
	    tx_sql[which], -1, SQLITE_PREPARE_PERSISTENT, &db->tx[which],
	    NULL)) != SQLITE_OK)
		return fail(db, rc);
	rc = sqlite3_step(db->tx[which]);
	sqlite3_reset(db->tx[which]);
	if (rc != SQLITE_DONE)
		return fail(db, rc);
	return 0;
}

static int
sq_begin(struct db *db, enum db_txkind kind)
{
	return tx_run(db, kind == DB_TX_READ ? TX_READ : TX_WRITE);
}

static int
sq_commit(struct db *db)
{
	return tx_run(db, TX_COMMIT);
}

static void
sq_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		(void)tx_run(db, TX_ROLLBACK);
}

static int
sq_tx_state(struct db *db)
{
	if (sqlite3_get_autocommit(db->h))
		return 0;
	return sqlite3_txn_state(db->h, NULL) == SQLITE_TXN_WRITE ?
	    DB_TX_WRITE : DB_TX_READ;
}

/* ------------------------------------------------------------------------
 * Schema: the table schema_migrations, migrations, integrity checks.
 *
 * Each migration applied has its row in schema_migrations, so that one
 * with a lower number than some already applied (branches land in any
 * order) is still applied. Databases made before that table existed
 * recorded only the highest version, in PRAGMA user_version: until a
 * migration runs, that number is read as "every migration up to it", and
 * the first migration to run records those rows (legacy_rows). PRAGMA
 * user_version still holds the highest version, for the sqlite3 shell.
 * --------------------------------------------------------------------- */

/* The first integer column of a one-row query with an optional integer
 * parameter (bound when param >= 0): *v (0 when there is no row); 0 or -1. */
static int
query_int(struct db *db, const char *sql, int param, int64_t *v)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((rc = sqlite3_prepare_v2(db->h, sql, -1, &s, NULL)) != SQLITE_OK)
		return fail(db, rc);
	if (param >= 0)
		sqlite3_bind_int(s, 1, param);
	*v = 0;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*v = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE) {
		fail(db, rc);
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	return 0;
}

/* 1 when the table schema_migrations exists, 0 when not, -1 on error. */
static int
has_table(struct db *db)
{
	int64_t	v;

	if (query_int(db, "SELECT count(*) FROM sqlite_master WHERE type ="
	    " 'table' AND name = 'schema_migrations'", -1, &v) == -1)
		return -1;
	return v > 0;
}

static int
sq_schema_version(struct db *db)
{
	int64_t	v;
	int	t;

	if ((t = has_table(db)) == -1)
		return -1;
	if (query_int(db, t ? "SELECT COALESCE(max(version), 0) FROM"
	    " schema_migrations" : "PRAGMA user_version", -1, &v) == -1)
		return -1;
	return (int)v;
}

static int
sq_schema_has(struct db *db, int version)
{
	int64_t	v;
	int	t;

	if ((t = has_table(db)) == -1)
		return -1;
	if (!t) {		/* before schema_migrations: the highest only */
		if (query_int(db, "PRAGMA user_version", -1, &v) == -1)
			return -1;
		return v >= version;
	}
	if (query_int(db, "SELECT count(*) FROM schema_migrations WHERE"
	    " version = ?", version, &v) == -1)
		return -1;
	return v > 0;
}

/* Inside the migration's write transaction: schema_migrations, created
 * when missing with the rows of a database that recorded only PRAGMA
 * user_version (the binaries that did knew 0001..0003 only, applied in
 * order: every known migration up to it was applied). 0 or -1. */
static int
legacy_rows(struct db *db)
{
	const struct migration	*m;
	sqlite3_stmt		*s;
	int64_t			 uv;
	int			 t, rc;

	if ((t = has_table(db)) != 0)
		return t == -1 ? -1 : 0;
	if (query_int(db, "PRAGMA user_version", -1, &uv) == -1 ||
	    sq_exec(db, "CREATE TABLE schema_migrations (version INTEGER"
	    " PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)")
	    == -1)
		return -1;
	if (uv > 3)
		log_warn("store: schema version %lld recorded without the"
		    " list of migrations: taking every migration up to it as"
		    " applied", (long long)uv);
	if ((rc = sqlite3_prepare_v2(db->h, "INSERT INTO schema_migrations"
	    " (version, name, applied_at) VALUES (?, ?, 0)", -1, &s, NULL))
	    != SQLITE_OK)
		return fail(db, rc);
	for (m = kg_migrations; m->name != NULL && m->version <= uv; m++) {
		sqlite3_bind_int(s, 1, m->version);
		sqlite3_bind_text(s, 2, m->name, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE) {
			fail(db, rc);
			sqlite3_finalize(s);
			return -1;
		}
	}
	sqlite3_finalize(s);
	return 0;
}

/* Record m as applied (its row; user_version: the highest). 0 or -1. */
static int
record(struct db *db, const struct migration *m)
{
	sqlite3_stmt	*s;
	char		 pragma[64];
	int		 rc, top;

	if ((rc = sqlite3_prepare_v2(db->h, "INSERT INTO schema_migrations"
	    " (version, name, applied_at) VALUES (?, ?, ?)", -1, &s, NULL))
	    != SQLITE_OK)
		return fail(db, rc);
	sqlite3_bind_int(s, 1, m->version);
	sqlite3_bind_text(s, 2, m->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, kg_now_us());
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return fail(db, rc);
	if ((top = sq_schema_version(db)) == -1)
		return -1;
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version=%d;", top);
	return sq_exec(db, pragma);
}

/* Rows of PRAGMA foreign_key_check, each reported; the count or -1. */
static int
fk_check(struct db *db, void (*report)(const char *, void *), void *cls)
{
	sqlite3_stmt	*s;
	char		 line[512];
	int		 rc, n = 0;

	if ((rc = sqlite3_prepare_v2(db->h, "PRAGMA foreign_key_check", -1, &s,
	    NULL)) != SQLITE_OK)
		return fail(db, rc);
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
	if (rc != SQLITE_DONE)
		n = fail(db, rc);
	sqlite3_finalize(s);
	return n;
}

static void
log_problem(const char *line, void *cls)
{
	log_error("%s: %s", (const char *)cls, line);
}

/*
 * Apply migration m: foreign keys off (SQLite ignores the pragma inside a
 * transaction, and a table rebuild needs it); then, holding the write lock
 * (BEGIN IMMEDIATE), whether m is applied -- read only now, so that a
 * concurrent runner that got the lock first is seen -- the script and m's
 * row, committed only if no foreign key is broken.
 */
static int
sq_migrate_one(struct db *db, const struct migration *m, int *skipped)
{
	int	bad, has;

	*skipped = 0;
	if (sq_exec(db, "PRAGMA foreign_keys=OFF") == -1 ||
	    tx_run(db, TX_WRITE) == -1)
		goto fail;
	if (legacy_rows(db) == -1 || (has = sq_schema_has(db, m->version)) == -1)
		goto fail;
	if (has) {
		*skipped = 1;
		sq_rollback(db);
		sq_exec(db, "PRAGMA foreign_keys=ON");
		return 0;
	}
	if (sq_exec(db, m->sql) == -1 || record(db, m) == -1) {
		log_error("store: migration %s: %s", m->name, db->msg);
		goto fail;
	}
	if ((bad = fk_check(db, log_problem, (void *)m->name)) != 0) {
		if (bad > 0) {
			db->rc = SQLITE_CONSTRAINT;
			snprintf(db->msg, sizeof(db->msg), "migration %s leaves %d"
			    " broken foreign keys", m->name, bad);
		}
		goto fail;
	}
	if (tx_run(db, TX_COMMIT) == -1)
		goto fail;
	sq_exec(db, "PRAGMA foreign_keys=ON");
	return 0;
 fail:
	sq_rollback(db);
	sq_exec(db, "PRAGMA foreign_keys=ON");
	return -1;
}

static int
sq_check(struct db *db, void (*report)(const char *, void *), void *cls)
{
	sqlite3_stmt	*s;
	const char	*line;
	int		 rc, n = 0, fk;

	if ((rc = sqlite3_prepare_v2(db->h, "PRAGMA integrity_check", -1, &s,
	    NULL)) != SQLITE_OK)
		return fail(db, rc);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		line = (const char *)sqlite3_column_text(s, 0);
		if (line != NULL && strcmp(line, "ok") == 0)
			continue;
		if (report != NULL)
			report(line ? line : "?", cls);
		n++;
	}
	if (rc != SQLITE_DONE)
		fail(db, rc);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return -1;
	if ((fk = fk_check(db, report, cls)) == -1)
		return -1;
	return n + fk;
}

const struct db_driver db_sqlite_driver = {
	.name = "sqlite",
	.migrations = kg_migrations,
	.open = sq_open,
	.close = sq_close,
	.reconnect = sq_reconnect,
	.broken = sq_broken,
	.set_lock_timeout = sq_set_lock_timeout,
	.exec = sq_exec,
	.prepare = sq_prepare,
	.finalize = sq_finalize,
	.reset = sq_reset,
	.clear = sq_clear,
	.bind_text = sq_bind_text,
	.bind_int64 = sq_bind_int64,
	.param_index = sq_param_index,
	.step = sq_step,
	.column_text = sq_column_text,
	.column_int64 = sq_column_int64,
	.column_null = sq_column_null,
	.changes = sq_changes,
	.errclass = sq_errclass,
	.errmsg = sq_errmsg,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.tx_state = sq_tx_state,
	.schema_version = sq_schema_version,
	.schema_has = sq_schema_has,
	.migrate_one = sq_migrate_one,
	.check = sq_check,
};
