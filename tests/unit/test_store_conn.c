/*
 * test_store_conn.c - connections as the server uses them (store_thread)
 * and how failures are classified: on PostgreSQL, a session the server
 * ends is KG_EUNAVAIL and re-opened between requests (at most every
 * 500 ms), and serialization failures and deadlocks (SQLSTATE 40001,
 * 40P01) are KG_ERETRY, the kind svc_run runs a change again for. On
 * SQLite only the pool basics apply (its busy case is in test_svc).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/t.h"
#include "tests/unit/tstore.h"

/* The value of a one-number query on st, or -1. */
static int64_t
num(struct store *st, const char *sql)
{
	struct db_stmt	*s;
	int64_t		 v = -1;

	if ((s = store_prepare(st, sql, NULL)) == NULL)
		return -1;
	if (db_step(s) == DB_ROW)
		v = db_col_int64(s, 0);
	db_reset(s);
	return v;
}

/* End st's session from another connection, as a server shutdown does. */
static int
terminate(struct store *st)
{
	struct store	*adm;
	char		 q[128];
	int64_t		 pid = num(st, "SELECT pg_backend_pid()");
	int		 ret;

	if (pid <= 0 || (adm = tstore_admin()) == NULL)
		return -1;
	snprintf(q, sizeof(q), "SELECT pg_terminate_backend(%lld)", (long long)pid);
	ret = tstore_sql(adm, q);
	store_close(adm);
	usleep(100000);		/* the session is gone once the server says so */
	return ret;
}

static void
test_pool(const char *conn)
{
	struct kg_err	 err = { 0 };
	struct store	*st, *again;
	int64_t		 pid;

	T("conn-1.1 the pool opens", store_pool_init(conn, &err) == 0);
	st = store_thread(&err);
	again = store_thread(&err);
	T("conn-1.2 one connection per thread, kept", st != NULL && st == again &&
	    store_ping(st) == 0 && !store_unavailable(st));
	if (st == NULL || !tstore_is_pg()) {
		store_pool_shutdown();
		return;
	}

	pid = num(st, "SELECT pg_backend_pid()");
	T("conn-2.1 the server ends the session", terminate(st) == 0);
	memset(&err, 0, sizeof(err));
	T("conn-2.2 the next statement: KG_EUNAVAIL, the connection marked gone",
	    store_exec_sql(st, "SELECT 1", &err) == -1 && err.kind == KG_EUNAVAIL &&
	    store_unavailable(st));
	again = store_thread(&err);
	T("conn-2.3 store_thread re-opens it (a new session, the same store)",
	    again == st && !store_unavailable(st) && store_ping(st) == 0 &&
	    num(st, "SELECT pg_backend_pid()") != pid);
	T("conn-2.4 prepared statements work again (prepared anew)",
	    store_generation(st) > 0);

	/* Gone again within 500 ms of the last attempt: no new attempt yet. */
	terminate(st);
	store_exec_sql(st, "SELECT 1", NULL);
	memset(&err, 0, sizeof(err));
	T("conn-2.5 a second loss within 500 ms: KG_EUNAVAIL at once, no attempt",
	    store_thread(&err) == NULL && err.kind == KG_EUNAVAIL);
	usleep(600000);
	T("conn-2.6 after 500 ms it re-connects", store_thread(&err) == st &&
	    store_ping(st) == 0);

	/* Lost inside a write transaction: the change fails, nothing is
	 * re-opened under it, and it is re-opened after the rollback. */
	T("conn-2.7 a write transaction", store_begin(st, &err) == 0);
	terminate(st);
	memset(&err, 0, sizeof(err));
	T("conn-2.8 lost in it: KG_EUNAVAIL (never retried: it may have"
	    " committed)", store_exec_sql(st, "UPDATE meta SET value = value"
	    " WHERE key = 'none'", &err) == -1 && err.kind == KG_EUNAVAIL);
	store_rollback(st);
	usleep(600000);
	T("conn-2.9 rolled back, then re-opened", store_in_transaction(st) ==
	    STORE_TX_NONE && store_thread(&err) == st && store_ping(st) == 0);
	store_pool_shutdown();
}

/* Two sessions updating two rows in opposite orders: a deadlock. */
struct locker {
	const char	*conn;
	struct kg_err	 err;
	int		 rc;
};

static void *
lock_b_then_a(void *p)
{
	struct locker	*l = p;
	struct store	*st = store_open(l->conn, &l->err);

	l->rc = -1;
	if (st == NULL)
		return NULL;
	if ((l->rc = store_exec_sql(st, "BEGIN; UPDATE meta SET value = 1"
	    " WHERE key = 'lock-b'", &l->err)) == 0) {
		usleep(300000);
		l->rc = store_exec_sql(st, "UPDATE meta SET value = 1"
		    " WHERE key = 'lock-a'", &l->err);
	}
	store_rollback(st);
	store_close(st);
	return NULL;
}

static void
test_retry_kinds(const char *conn)
{
	struct store	*a, *b;
	struct kg_err	 err = { 0 };
	struct locker	 l = { conn, { 0 }, 0 };
	pthread_t	 t;
	int		 rc;

	a = store_open(conn, &err);
	b = store_open(conn, &err);
	if (a == NULL || b == NULL) {
		T("conn-3.0 two connections", 0);
		goto done;
	}
	/* 40001: a snapshot's row updated by someone else meanwhile. */
	T("conn-3.1 a repeatable-read snapshot", tstore_sql(a, "BEGIN ISOLATION"
	    " LEVEL REPEATABLE READ; SELECT value FROM meta") == 0);
	T("conn-3.2 another session changes the row", tstore_sql(b, "UPDATE meta"
	    " SET value = value + 1 WHERE key = 'generation'") == 0);
	memset(&err, 0, sizeof(err));
	T("conn-3.3 SQLSTATE 40001 (serialization failure) is KG_ERETRY",
	    store_exec_sql(a, "UPDATE meta SET value = value + 1"
	    " WHERE key = 'generation'", &err) == -1 && err.kind == KG_ERETRY);
	store_rollback(a);

	/* 40P01: each session waits for the other's row (rows of meta: no
	 * trigger, no other lock in the way). */
	tstore_sql(a, "INSERT INTO meta (key, value) VALUES ('lock-a', 0),"
	    " ('lock-b', 0)");
	T("conn-3.4 one session locks row a", tstore_sql(a, "BEGIN; UPDATE meta"
	    " SET value = 2 WHERE key = 'lock-a'") == 0);
	pthread_create(&t, NULL, lock_b_then_a, &l);
	usleep(150000);
	memset(&err, 0, sizeof(err));
	rc = store_exec_sql(a, "UPDATE meta SET value = 2 WHERE key = 'lock-b'",
	    &err);
	store_rollback(a);
	pthread_join(t, NULL);
	/* The server picks one of the two as the victim. */
	T("conn-3.5 SQLSTATE 40P01 (deadlock) is KG_ERETRY",
	    (rc == -1 && err.kind == KG_ERETRY) ||
	    (l.rc == -1 && l.err.kind == KG_ERETRY));
 done:
	store_close(a);
	store_close(b);
}

int
main(void)
{
	char		 conn[512];
	struct store	*st;

	if (tstore_new_db(conn, sizeof(conn)) == -1 ||
	    (st = store_open(conn, NULL)) == NULL ||
	    store_migrate(st, NULL, NULL, NULL) == -1) {
		T("conn-0 a database", 0);
		return t_report();
	}
	store_close(st);
	test_pool(conn);
	if (tstore_is_pg())
		test_retry_kinds(conn);
	return t_report();
}
