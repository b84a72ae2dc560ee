/*
 * tstore.h - the database the store and svc unit tests run on: SQLite by
 * default, or, when KG_TEST_PG is set, PostgreSQL: a fresh database per
 * call on the server KG_TEST_PG names ("postgresql://USER:PW@HOST:PORT",
 * as tests/pgcluster prints; tests/run sets it for the [pg] runs, so one
 * suite of store tests runs on both backends). Databases made here are
 * dropped at exit.
 */
#ifndef KG_TSTORE_H
#define KG_TSTORE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "store/store_int.h"

#define TSTORE_MAX	32

static char	tstore_made[TSTORE_MAX][128];	/* files or database names */
static int	tstore_nmade;

/* "pg" or "sqlite". */
static inline const char *
tstore_backend(void)
{
	const char	*b = getenv("KG_TEST_PG");

	return b != NULL && *b != '\0' ? "pg" : "sqlite";
}

static inline int
tstore_is_pg(void)
{
	return strcmp(tstore_backend(), "pg") == 0;
}

/* A connection to KG_TEST_PG's maintenance database. */
static inline struct store *
tstore_admin(void)
{
	char		conn[512];
	struct kg_err	err = { 0 };
	struct store	*st;

	snprintf(conn, sizeof(conn), "%s/postgres", getenv("KG_TEST_PG"));
	if ((st = store_open(conn, &err)) == NULL)
		fprintf(stderr, "tstore: %s\n", err.msg);
	return st;
}

static void
tstore_cleanup(void)
{
	struct store	*adm = NULL;
	char		 q[256];
	int		 i;

	for (i = 0; i < tstore_nmade; i++) {
		if (!tstore_is_pg()) {
			snprintf(q, sizeof(q), "%.127s-wal", tstore_made[i]);
			unlink(q);
			snprintf(q, sizeof(q), "%.127s-shm", tstore_made[i]);
			unlink(q);
			unlink(tstore_made[i]);
			continue;
		}
		if (adm == NULL && (adm = tstore_admin()) == NULL)
			return;
		snprintf(q, sizeof(q), "DROP DATABASE IF EXISTS \"%.127s\" WITH (FORCE)",
		    tstore_made[i]);
		store_exec_sql(adm, q, NULL);
	}
	store_close(adm);
}

/*
 * A new empty database: its connection string into conn (open it as many
 * times as a test needs). Returns 0, or -1 with a message on stderr.
 */
static inline int
tstore_new_db(char *conn, size_t connsz)
{
	struct store	*adm;
	struct kg_err	 err = { 0 };
	char		 q[256];
	int		 fd, ret = 0;

	if (tstore_nmade == TSTORE_MAX) {
		fprintf(stderr, "tstore: too many databases\n");
		return -1;
	}
	/* Registered after the first connection: libcrypto (libpq's TLS)
	 * cleans up at exit too, and must do so after us. */
	if (tstore_nmade == 0 && !tstore_is_pg())
		atexit(tstore_cleanup);
	if (!tstore_is_pg()) {
		snprintf(tstore_made[tstore_nmade], sizeof(tstore_made[0]),
		    "/tmp/kg-ut-XXXXXX");
		if ((fd = mkstemp(tstore_made[tstore_nmade])) == -1)
			return -1;
		close(fd);
		snprintf(conn, connsz, "%s", tstore_made[tstore_nmade++]);
		return 0;
	}
	snprintf(tstore_made[tstore_nmade], sizeof(tstore_made[0]), "kgt_%ld_%d",
	    (long)getpid(), tstore_nmade);
	if ((adm = tstore_admin()) == NULL)
		return -1;
	snprintf(q, sizeof(q), "CREATE DATABASE \"%s\"", tstore_made[tstore_nmade]);
	if (store_exec_sql(adm, q, &err) == -1) {
		fprintf(stderr, "tstore: %s: %s\n", q, err.msg);
		ret = -1;
	} else {
		snprintf(conn, connsz, "%s/%s", getenv("KG_TEST_PG"),
		    tstore_made[tstore_nmade]);
		if (tstore_nmade++ == 0)
			atexit(tstore_cleanup);
	}
	store_close(adm);
	return ret;
}

/* A new database, opened and migrated to the latest version (version < 0)
 * or to version. NULL (with a message) on failure. */
static inline struct store *
tstore_open_at(int version)
{
	struct store	*st;
	struct kg_err	 err = { 0 };
	char		 conn[512];

	if (tstore_is_pg()) {
		if (tstore_new_db(conn, sizeof(conn)) == -1)
			return NULL;
	} else
		snprintf(conn, sizeof(conn), ":memory:");
	if ((st = store_open(conn, &err)) == NULL ||
	    (version < 0 ? store_migrate(st, NULL, NULL, &err) :
	    store_migrate_to(st, version, NULL, NULL, &err)) == -1) {
		fprintf(stderr, "tstore: cannot open %s: %s\n", tstore_backend(),
		    err.msg);
		store_close(st);
		return NULL;
	}
	return st;
}

static inline struct store *
tstore_open(void)
{
	return tstore_open_at(-1);
}

/* Run SQL text (fixtures) on st: 0 or -1. */
static inline int
tstore_sql(struct store *st, const char *q)
{
	struct kg_err	err = { 0 };

	if (store_exec_sql(st, q, &err) == -1) {
		fprintf(stderr, "tstore: %s\n", err.msg);
		return -1;
	}
	return 0;
}

#endif /* KG_TSTORE_H */
