/*
 * db_pg.c - the PostgreSQL driver (see db.h), on libpq: one connection per
 * struct db, statements prepared once per connection (PQprepare, named
 * "kgN") with text parameters and results, SQLSTATEs classified for
 * svc_run's retry, and re-connection after the server went away. With
 * db_sqlite.c, the only file that includes libpq-fe.h.
 *
 * Transactions: a write transaction is READ COMMITTED and first locks the
 * row meta 'generation' (which every change that matters to tokens bumps
 * anyway): writers queue there, cluster-wide, as SQLite's BEGIN IMMEDIATE
 * makes them queue, and every later statement of the change sees all that
 * committed before. A read transaction is REPEATABLE READ READ ONLY: one
 * snapshot and never a serialization failure. See the README ("Database
 * backends") for why serializing writers is acceptable here.
 */
#include <libpq-fe.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"
#include "common/util.h"
#include "store/db.h"

#define PG_TEXTOID	25	/* pg_type.oid of text: unused parameter numbers */

struct db {
	PGconn		*conn;
	char		*uri;		/* the caller's connection string */
	char		 shown[256];	/* the same without its password */
	unsigned	 epoch;		/* counts (re)connections */
	unsigned	 nstmt;		/* statement names kg1, kg2, ... */
	int		 broken;	/* the connection is gone */
	int		 txkind;	/* what begin opened; 0: none */
	int		 lock_timeout_ms;
	int64_t		 changes;
	enum db_errclass cls;
	char		 msg[256];
};

struct pg_stmt {
	struct db_stmt	 base;
	struct db	*db;
	char		 name[16];
	struct db_sqlparams p;		/* the $N text, parameter names */
	Oid		*types;		/* 0 (inferred), text for a gap */
	unsigned	 epoch;		/* db->epoch it was prepared in; 0: never */
	const char	**vals;		/* p.n values; NULL = SQL NULL */
	char		**bufs;		/* their storage */
	size_t		*caps;
	PGresult	*res;		/* the result being read; NULL: not run */
	int		 row, nrows;
	int		 query;		/* a SELECT (or WITH ... SELECT) */
	int		 nomatch;	/* run without the server: no rows */
};

/* ------------------------------------------------------------------------
 * Errors.
 * --------------------------------------------------------------------- */

/* The class of an SQLSTATE (NULL when the server sent none). */
static enum db_errclass
classify(const char *state)
{
	if (state == NULL)
		return DB_EOTHER;
	if (strncmp(state, "23", 2) == 0)
		return DB_ECONSTRAINT;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
	    strcmp(state, "55P03") == 0)
		return DB_ERETRY;
	/* connection exceptions; admin/crash shutdown, cannot connect now;
	 * too many connections */
	if (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
	    strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0 ||
	    strcmp(state, "53300") == 0)
		return DB_EUNAVAIL;
	return DB_EOTHER;
}

/* Copy the first line of text into db->msg. */
static void
set_msg(struct db *db, const char *text)
{
	size_t	n;

	if (text == NULL)
		text = "unknown error";
	n = strcspn(text, "\n");
	if (n >= sizeof(db->msg))
		n = sizeof(db->msg) - 1;
	memcpy(db->msg, text, n);
	db->msg[n] = '\0';
}

/* Record the failure res (may be NULL) on db. Returns -1. */
static int
fail(struct db *db, const PGresult *res)
{
	const char	*state = NULL, *text = NULL;

	if (res != NULL) {
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		text = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	}
	if (text == NULL)
		text = PQerrorMessage(db->conn);
	set_msg(db, text);
	db->cls = classify(state);
	if (db->conn == NULL || PQstatus(db->conn) == CONNECTION_BAD ||
	    db->cls == DB_EUNAVAIL) {
		/* The server hung up (or is about to): re-connect later. */
		db->cls = DB_EUNAVAIL;
		db->broken = 1;
		db->txkind = 0;
	}
	return -1;
}

static int
fail_msg(struct db *db, enum db_errclass cls, const char *text)
{
	db->cls = cls;
	set_msg(db, text);
	return -1;
}

/* ------------------------------------------------------------------------
 * Connections.
 * --------------------------------------------------------------------- */

/* Server notices and warnings go to keygate's log, not raw to stderr. */
static void
on_notice(void *arg, const char *message)
{
	(void)arg;
	log_warn("store: database: %.*s", (int)strcspn(message, "\n"), message);
}

/*
 * Connect: keygate's defaults first, the caller's URI last so that what it
 * sets wins (libpq keeps the last value of a repeated keyword). The
 * password comes from the URI, PGPASSWORD, or libpq's password file
 * (PGPASSFILE, passfile=); it is never logged.
 */
static int
connect_db(struct db *db)
{
	static const char *const kw[] = {
		"connect_timeout", "keepalives", "keepalives_idle",
		"keepalives_interval", "keepalives_count", "tcp_user_timeout",
		"application_name", "client_encoding", "dbname", NULL
	};
	const char	*vals[10] = {
		"2", "1", "5", "2", "2", "5000", "keygate", "UTF8", db->uri, NULL
	};
	char		 set[160];
	PGresult	*res;

	if (db->conn != NULL)
		PQfinish(db->conn);
	db->conn = PQconnectdbParams(kw, vals, 1);
	db->txkind = 0;
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		db->broken = 1;
		db->cls = DB_EUNAVAIL;
		set_msg(db, db->conn ? PQerrorMessage(db->conn) : "out of memory");
		return -1;
	}
	PQsetNoticeProcessor(db->conn, on_notice, NULL);
	/* Bound every wait: a lock (as SQLite's busy timeout), and a session
	 * that dies holding the writer lock. */
	snprintf(set, sizeof(set), "SET lock_timeout = %d;"
	    " SET idle_in_transaction_session_timeout = 15000;"
	    " SET client_min_messages = warning",
	    db->lock_timeout_ms);
	res = PQexec(db->conn, set);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fail(db, res);
		PQclear(res);
		db->broken = 1;
		db->cls = DB_EUNAVAIL;
		return -1;
	}
	PQclear(res);
	db->broken = 0;
	db->epoch++;
	return 0;
}

static struct db *
pg_open(const char *uri, struct kg_err *err)
{
	struct db	*db;

	if ((db = calloc(1, sizeof(*db))) == NULL ||
	    (db->uri = strdup(uri)) == NULL) {
		free(db);
		kg_errf(err, KG_EINTERNAL, "out of memory");
		return NULL;
	}
	kg_conninfo_redact(uri, db->shown, sizeof(db->shown));
	db->lock_timeout_ms = 5000;
	if (connect_db(db) == -1) {
		log_error("store: connect to %s: %s", db->shown, db->msg);
		kg_errf(err, KG_EUNAVAIL, "cannot connect to the database %s",
		    db->shown);
		PQfinish(db->conn);
		kg_wipe(db->uri, strlen(db->uri));
		free(db->uri);
		free(db);
		return NULL;
	}
	return db;
}

static void
pg_close(struct db *db)
{
	if (db == NULL)
		return;
	PQfinish(db->conn);
	kg_wipe(db->uri, strlen(db->uri));
	free(db->uri);
	free(db);
}

static int
pg_reconnect(struct db *db)
{
	if (connect_db(db) == -1) {
		log_warn("store: re-connect to %s: %s", db->shown, db->msg);
		return -1;
	}
	log_info("store: re-connected to %s", db->shown);
	return 0;
}

/*
 * Known gone, or -- outside a transaction, without blocking -- hung up
 * meanwhile: a server that shuts down or restarts closes its sessions,
 * which PQconsumeInput sees as the end of the stream.
 */
static int
pg_broken(struct db *db)
{
	if (!db->broken && db->txkind == 0 &&
	    PQtransactionStatus(db->conn) == PQTRANS_IDLE &&
	    (!PQconsumeInput(db->conn) || PQstatus(db->conn) == CONNECTION_BAD)) {
		db->broken = 1;
		db->cls = DB_EUNAVAIL;
		set_msg(db, PQerrorMessage(db->conn));
	}
	return db->broken;
}

static void
pg_set_lock_timeout(struct db *db, int ms)
{
	char		 sql[64];
	PGresult	*res;

	db->lock_timeout_ms = ms;
	if (db->broken)
		return;
	snprintf(sql, sizeof(sql), "SET lock_timeout = %d", ms);
	res = PQexec(db->conn, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		fail(db, res);
	PQclear(res);
}

/* PQexec that must succeed without rows (a script: the last result). */
static int
run(struct db *db, const char *sql)
{
	PGresult	*res;
	int		 st;

	if (db->broken)
		return fail_msg(db, DB_EUNAVAIL, "no connection to the database");
	res = PQexec(db->conn, sql);
	st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		fail(db, res);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return 0;
}

static int
pg_exec(struct db *db, const char *sql)
{
	return run(db, sql);
}

/* ------------------------------------------------------------------------
 * Statements.
 * --------------------------------------------------------------------- */

/* Nonzero when sql reads only: it begins with SELECT or WITH (keygate
 * writes no data-modifying CTEs). */
static int
is_query(const char *sql)
{
	sql += strspn(sql, " \t\r\n(");
	return strncasecmp(sql, "SELECT", 6) == 0 || strncasecmp(sql, "WITH", 4) == 0;
}

static struct db_stmt *
pg_prepare(struct db *db, const char *sql)
{
	struct pg_stmt	*s;
	int		 i;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		goto nomem;
	if (db_placeholders(sql, &s->p) == -1) {
		free(s);
		goto nomem;
	}
	if (s->p.n > 0 && ((s->types = calloc((size_t)s->p.n, sizeof(*s->types))) ==
	    NULL || (s->vals = calloc((size_t)s->p.n, sizeof(*s->vals))) == NULL ||
	    (s->bufs = calloc((size_t)s->p.n, sizeof(*s->bufs))) == NULL ||
	    (s->caps = calloc((size_t)s->p.n, sizeof(*s->caps))) == NULL)) {
		s->base.drv = &db_pg_driver;
		db_pg_driver.finalize(&s->base);
		goto nomem;
	}
	/* A number the text skips, or first tests for NULL, has no type to
	 * infer: say text (see db_placeholders). */
	for (i = 0; i < s->p.n; i++)
		s->types[i] = s->p.used[i] == DB_PARAM_USED ? 0 : PG_TEXTOID;
	s->base.drv = &db_pg_driver;
	s->db = db;
	s->query = is_query(sql);
	snprintf(s->name, sizeof(s->name), "kg%u", ++db->nstmt);
	s->row = -1;
	return &s->base;
 nomem:
	fail_msg(db, DB_EOTHER, "out of memory");
	return NULL;
}

static void
pg_finalize(struct db_stmt *p)
{
	struct pg_stmt	*s = (struct pg_stmt *)p;
	int		 i;

	if (s == NULL)
		return;
	PQclear(s->res);
	for (i = 0; s->bufs != NULL && i < s->p.n; i++)
		free(s->bufs[i]);
	free(s->bufs);
	free(s->caps);
	free(s->vals);
	free(s->types);
	db_sqlparams_free(&s->p);
	free(s);
}

static void
pg_reset(struct db_stmt *p)
{
	struct pg_stmt	*s = (struct pg_stmt *)p;

	PQclear(s->res);
	s->res = NULL;
	s->row = -1;
	s->nrows = 0;
	s->nomatch = 0;
}

static void
pg_clear(struct db_stmt *p)
{
	struct pg_stmt	*s = (struct pg_stmt *)p;
	int		 i;

	for (i = 0; i < s->p.n; i++)
		s->vals[i] = NULL;
}

/* Copy len bytes of v as parameter idx's value. */
static void
bind_bytes(struct pg_stmt *s, int idx, const char *v, size_t len)
{
	char	*nb;
	size_t	 i = (size_t)idx - 1;

	if (idx < 1 || idx > s->p.n)
		return;			/* as SQLite: out of range, ignored */
	if (len + 1 > s->caps[i]) {
		if ((nb = realloc(s->bufs[i], len + 1)) == NULL) {
			s->vals[i] = NULL;	/* fails later as a NULL would */
			return;
		}
		s->bufs[i] = nb;
		s->caps[i] = len + 1;
	}
	memcpy(s->bufs[i], v, len);
	s->bufs[i][len] = '\0';
	s->vals[i] = s->bufs[i];
}

static void
pg_bind_text(struct db_stmt *p, int idx, const char *v)
{
	struct pg_stmt	*s = (struct pg_stmt *)p;

	if (v == NULL) {
		if (idx >= 1 && idx <= s->p.n)
			s->vals[idx - 1] = NULL;
		return;
	}
	bind_bytes(s, idx, v, strlen(v));
}

static void
pg_bind_int64(struct db_stmt *p, int idx, int64_t v)
{
	char	buf[24];
	int	n = snprintf(buf, sizeof(buf), "%lld", (long long)v);

	bind_bytes((struct pg_stmt *)p, idx, buf, (size_t)n);
}

static int
pg_param_index(struct db_stmt *p, const char *name)
{
	struct pg_stmt	*s = (struct pg_stmt *)p;
	int		 i;

	for (i = 0; i < s->p.n; i++)
		if (s->p.names[i] != NULL && strcmp(s->p.names[i], name) == 0)
			return i + 1;
	return 0;
}

/* Prepare s on its connection (once per connection). */
static int
prepare_on_server(struct pg_stmt *s)
{
	struct db	*db = s->db;
	PGresult	*res;

	res = PQprepare(db->conn, s->name, s->p.sql, s->p.n, s->types);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fail(db, res);
		if (db->cls != DB_EUNAVAIL)
			log_error("store: prepare: %s: %s", db->msg, s->p.sql);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	s->epoch = db->epoch;
	return 0;
}

/* Nonzero when every bound value of s is valid UTF-8. */
static int
params_utf8(const struct pg_stmt *s)
{
	int	i;

	for (i = 0; i < s->p.n; i++)
		if (s->vals[i] != NULL && !kg_utf8_valid(s->vals[i]))
			return 0;
	return 1;
}

/* The whole result is fetched at the first step; later steps walk it. */
static int
pg_step(struct db_stmt *p)
{
	struct pg_stmt	*s = (struct pg_stmt *)p;
	struct db	*db = s->db;
	PGresult	*res;
	const char	*tag;
	int		 st;

	if (s->res == NULL && !s->nomatch) {
		if (db->broken)
			return fail_msg(db, DB_EUNAVAIL,
			    "no connection to the database");
		if (!params_utf8(s)) {
			/*
			 * PostgreSQL refuses text that is not UTF-8 (SQLSTATE
			 * 22021), where SQLite compares the bytes. Every text
			 * stored is UTF-8 (the API refuses anything else), so
			 * such a value matches no row: a query answers none,
			 * as on SQLite, without aborting the transaction. A
			 * write of one is refused.
			 */
			if (!s->query)
				return fail_msg(db, DB_EOTHER,
				    "a text parameter is not valid UTF-8");
			s->nomatch = 1;
			s->row = s->nrows = 0;
			return DB_DONE;
		}
		if (s->epoch != db->epoch && prepare_on_server(s) == -1)
			return DB_ERROR;
		res = PQexecPrepared(db->conn, s->name, s->p.n, s->vals, NULL,
		    NULL, 0);
		st = PQresultStatus(res);
		if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
			fail(db, res);
			PQclear(res);
			return DB_ERROR;
		}
		tag = PQcmdStatus(res);
		if (strncmp(tag, "INSERT", 6) == 0 || strncmp(tag, "UPDATE", 6) == 0 ||
		    strncmp(tag, "DELETE", 6) == 0)
			db->changes = strtoll(PQcmdTuples(res), NULL, 10);
		s->res = res;
		s->nrows = PQntuples(res);
		s->row = -1;
	}
	if (s->row + 1 < s->nrows) {
		s->row++;
		return DB_ROW;
	}
	s->row = s->nrows;
	return DB_DONE;
}

static const char *
pg_column_text(struct db_stmt *p, int col)
{
	struct pg_stmt	*s = (struct pg_stmt *)p;

	if (s->res == NULL || s->row < 0 || s->row >= s->nrows ||
	    col >= PQnfields(s->res) || PQgetisnull(s->res, s->row, col))
		return NULL;
	return PQgetvalue(s->res, s->row, col);
}

static int64_t
pg_column_int64(struct db_stmt *p, int col)
{
	const char	*v = pg_column_text(p, col);

	return v != NULL ? strtoll(v, NULL, 10) : 0;
}

static int
pg_column_null(struct db_stmt *p, int col)
{
	return pg_column_text(p, col) == NULL;
}

static int64_t
pg_changes(struct db *db)
{
	return db->changes;
}

static enum db_errclass
pg_errclass(struct db *db)
{
	return db->cls;
}

static const char *
pg_errmsg(struct db *db)
{
	return db->msg;
}

/* ------------------------------------------------------------------------
 * Transactions.
 * --------------------------------------------------------------------- */

static int
pg_begin(struct db *db, enum db_txkind kind)
{
	const char	*sql;

	switch (kind) {
	case DB_TX_READ:
		sql = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
		break;
	case DB_TX_WRITE:
		/* The writer lock: see the top of this file. */
		sql = "BEGIN ISOLATION LEVEL READ COMMITTED;"
		    " SELECT 1 FROM meta WHERE key = 'generation' FOR UPDATE";
		break;
	default:
		sql = "BEGIN ISOLATION LEVEL READ COMMITTED";
		break;
	}
	if (run(db, sql) == -1) {
		/* A failed second statement leaves an aborted transaction. */
		if (!db->broken && PQtransactionStatus(db->conn) != PQTRANS_IDLE)
			PQclear(PQexec(db->conn, "ROLLBACK"));
		return -1;
	}
	db->txkind = kind == DB_TX_READ ? DB_TX_READ : DB_TX_WRITE;
	return 0;
}

static int
pg_commit(struct db *db)
{
	PGresult	*res;
	int		 ok;

	if (db->broken)
		return fail_msg(db, DB_EUNAVAIL, "no connection to the database");
	res = PQexec(db->conn, "COMMIT");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fail(db, res);
		PQclear(res);
		db->txkind = 0;
		return -1;
	}
	/* COMMIT of a transaction that failed answers "ROLLBACK". */
	ok = strcmp(PQcmdStatus(res), "COMMIT") == 0;
	PQclear(res);
	db->txkind = 0;
	if (!ok)
		return fail_msg(db, DB_EOTHER, "the transaction was rolled back");
	return 0;
}

static void
pg_rollback(struct db *db)
{
	db->txkind = 0;
	if (db->broken || PQtransactionStatus(db->conn) == PQTRANS_IDLE)
		return;
	PQclear(PQexec(db->conn, "ROLLBACK"));
}

static int
pg_tx_state(struct db *db)
{
	return db->txkind;
}

/* ------------------------------------------------------------------------
 * Schema: the table schema_migrations, one row per version applied.
 * --------------------------------------------------------------------- */

/* One value of a one-row query, or -1. */
static int64_t
query_int(struct db *db, const char *sql)
{
	PGresult	*res;
	int64_t		 v = -1;

	if (db->broken) {
		fail_msg(db, DB_EUNAVAIL, "no connection to the database");
		return -1;
	}
	res = PQexec(db->conn, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		fail(db, res);
	else
		v = PQgetisnull(res, 0, 0) ? 0 : strtoll(PQgetvalue(res, 0, 0),
		    NULL, 10);
	PQclear(res);
	return v;
}

static int
pg_schema_version(struct db *db)
{
	int64_t	v;

	if ((v = query_int(db, "SELECT CASE WHEN to_regclass('schema_migrations')"
	    " IS NULL THEN 0 ELSE 1 END")) <= 0)
		return (int)v;
	return (int)query_int(db, "SELECT max(version) FROM schema_migrations");
}

static int
pg_schema_has(struct db *db, int version)
{
	char	q[128];
	int64_t	v;

	if ((v = query_int(db, "SELECT CASE WHEN to_regclass('schema_migrations')"
	    " IS NULL THEN 0 ELSE 1 END")) <= 0)
		return (int)v;
	snprintf(q, sizeof(q), "SELECT count(*) FROM schema_migrations WHERE"
	    " version = %d", version);
	if ((v = query_int(db, q)) == -1)
		return -1;
	return v > 0;
}

/*
 * The version table, created by the first runner. IF NOT EXISTS does not
 * make two concurrent CREATEs safe: the loser fails on the catalog ("type
 * ... already exists", or a unique violation) and tries again, then sees
 * the table.
 */
static int
version_table(struct db *db)
{
	int	i;

	for (i = 0; i < 5; i++) {
		if (run(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
		    " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
		    " applied_at BIGINT NOT NULL)") == 0)
			return 0;
		if (db->cls == DB_EUNAVAIL)
			return -1;
	}
	return -1;
}

/*
 * Apply m in one transaction that first inserts m's row in
 * schema_migrations: a concurrent runner's insert of the same version waits
 * for ours and, once we commit, fails with a unique violation -- it then
 * knows m is applied (*skipped). PostgreSQL's DDL is transactional: a
 * failed migration leaves nothing behind.
 */
static int
pg_migrate_one(struct db *db, const struct migration *m, int *skipped)
{
	char	ins[256];
	int	has;

	*skipped = 0;
	if (version_table(db) == -1 || pg_begin(db, DB_TX_SCHEMA) == -1)
		return -1;
	if ((has = pg_schema_has(db, m->version)) == -1)
		goto fail;
	if (has) {
		*skipped = 1;
		pg_rollback(db);
		return 0;
	}
	snprintf(ins, sizeof(ins), "INSERT INTO schema_migrations (version, name,"
	    " applied_at) VALUES (%d, '%s', %lld)", m->version, m->name,
	    (long long)kg_now_us());
	if (run(db, ins) == -1) {
		if (db->cls == DB_ECONSTRAINT) {
			*skipped = 1;		/* another runner applied it */
			pg_rollback(db);
			return 0;
		}
		goto fail;
	}
	if (run(db, m->sql) == -1) {
		log_error("store: migration %s: %s", m->name, db->msg);
		goto fail;
	}
	return pg_commit(db);
 fail:
	pg_rollback(db);
	return -1;
}

/*
 * PostgreSQL checks every foreign key in every transaction, migrations
 * included: what is left to report is a constraint someone added NOT VALID
 * or a trigger disabled by hand.
 */
static int
pg_check(struct db *db, void (*report)(const char *, void *), void *cls)
{
	PGresult	*res;
	char		 line[512];
	int		 i, n;

	if (db->broken)
		return fail_msg(db, DB_EUNAVAIL, "no connection to the database");
	res = PQexec(db->conn, "SELECT 'constraint ' || conname || ' on ' ||"
	    " conrelid::regclass::text || ' is not validated' FROM pg_constraint"
	    " c JOIN pg_namespace n ON n.oid = c.connamespace"
	    " WHERE NOT convalidated AND n.nspname = current_schema()"
	    " UNION ALL SELECT 'trigger ' || tgname || ' on ' ||"
	    " tgrelid::regclass::text || ' is disabled' FROM pg_trigger t"
	    " JOIN pg_class r ON r.oid = t.tgrelid"
	    " JOIN pg_namespace n ON n.oid = r.relnamespace"
	    " WHERE t.tgenabled = 'D' AND n.nspname = current_schema()");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fail(db, res);
		PQclear(res);
		return -1;
	}
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "%s", PQgetvalue(res, i, 0));
		if (report != NULL)
			report(line, cls);
	}
	PQclear(res);
	return n;
}

const struct db_driver db_pg_driver = {
	.name = "postgresql",
	.migrations = kg_migrations_pg,
	.open = pg_open,
	.close = pg_close,
	.reconnect = pg_reconnect,
	.broken = pg_broken,
	.set_lock_timeout = pg_set_lock_timeout,
	.exec = pg_exec,
	.prepare = pg_prepare,
	.finalize = pg_finalize,
	.reset = pg_reset,
	.clear = pg_clear,
	.bind_text = pg_bind_text,
	.bind_int64 = pg_bind_int64,
	.param_index = pg_param_index,
	.step = pg_step,
	.column_text = pg_column_text,
	.column_int64 = pg_column_int64,
	.column_null = pg_column_null,
	.changes = pg_changes,
	.errclass = pg_errclass,
	.errmsg = pg_errmsg,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.tx_state = pg_tx_state,
	.schema_version = pg_schema_version,
	.schema_has = pg_schema_has,
	.migrate_one = pg_migrate_one,
	.check = pg_check,
};
