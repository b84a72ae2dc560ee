/*
 * test_db.c - the backend-neutral parts of the store's driver layer
 * (store/db.c) and the connection-string redaction (common/util.c): the
 * placeholder rewriting for PostgreSQL, the choice of driver, and that no
 * password survives into what is logged or dumped.
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "store/db.h"
#include "tests/t.h"

/* The rewritten text of sql, or "ERR". */
static const char *
rewrite(const char *sql, struct db_sqlparams *p)
{
	static char	buf[1024];

	if (db_placeholders(sql, p) == -1)
		return "ERR";
	snprintf(buf, sizeof(buf), "%s", p->sql);
	return buf;
}

static void
test_placeholders(void)
{
	struct db_sqlparams	p;

	T("db-1.1 numbered, bare and named placeholders, as SQLite numbers them",
	    strcmp(rewrite("SELECT ?1, ?, :a, :a, ?5, ?, :b", &p),
	    "SELECT $1, $2, $3, $3, $5, $6, $7") == 0 && p.n == 7 &&
	    p.used[3] == 0 && p.used[4] != 0 && p.names[2] != NULL &&
	    strcmp(p.names[2], ":a") == 0 && p.names[0] == NULL &&
	    strcmp(p.names[6], ":b") == 0);
	db_sqlparams_free(&p);
	T("db-1.2 quoted text, quoted names and :: casts are left alone",
	    strcmp(rewrite("SELECT '?1 :x', \"a?b\", x::text, 'it''s ?' FROM t"
	    " WHERE y = ?", &p), "SELECT '?1 :x', \"a?b\", x::text, 'it''s ?'"
	    " FROM t WHERE y = $1") == 0 && p.n == 1);
	db_sqlparams_free(&p);
	T("db-1.3 a parameter first met in IS NULL is marked (no type to infer)",
	    strcmp(rewrite("WHERE (?1 IS NULL OR name = ?1) AND (?2 is not  null"
	    " OR x = ?2) AND (x = ?3 OR ?3 IS NULL) AND ?4 IS NULLX", &p),
	    "WHERE ($1 IS NULL OR name = $1) AND ($2 is not  null OR x = $2)"
	    " AND (x = $3 OR $3 IS NULL) AND $4 IS NULLX") == 0 &&
	    p.used[0] == (DB_PARAM_USED | DB_PARAM_NULLTEST) &&
	    p.used[1] == (DB_PARAM_USED | DB_PARAM_NULLTEST) &&
	    p.used[2] == DB_PARAM_USED && p.used[3] == DB_PARAM_USED);
	db_sqlparams_free(&p);
	T("db-1.4 a number beyond the limit is refused",
	    strcmp(rewrite("SELECT ?1000", &p), "ERR") == 0 && p.sql == NULL);
	T("db-1.5 no placeholders: the text unchanged",
	    strcmp(rewrite("SELECT 1", &p), "SELECT 1") == 0 && p.n == 0);
	db_sqlparams_free(&p);
}

static void
test_driver_for(void)
{
	struct kg_err	err = { 0 };

	T("db-2.1 postgresql:// and postgres:// are PostgreSQL",
	    db_driver_for("postgresql://u@h/db", &err) == &db_pg_driver &&
	    db_driver_for("postgres://u@h/db", &err) == &db_pg_driver);
	T("db-2.2 a path is SQLite",
	    db_driver_for("/var/lib/keygate/keygate.db", &err) == &db_sqlite_driver &&
	    db_driver_for(":memory:", &err) == &db_sqlite_driver &&
	    db_driver_for("data/k:g.db", &err) == &db_sqlite_driver);
	T("db-2.3 another URL scheme is refused, naming only the scheme",
	    db_driver_for("mysql+pymysql://keystone:s3cret@db/keystone", &err) ==
	    NULL && err.kind == KG_EBADREQ &&
	    strstr(err.msg, "mysql+pymysql") != NULL &&
	    strstr(err.msg, "s3cret") == NULL);
}

static const char *
redact(const char *conn)
{
	static char	buf[128];

	return kg_conninfo_redact(conn, buf, sizeof(buf));
}

static void
test_redact(void)
{
	char	small[16];

	T("db-3.1 password and query dropped",
	    strcmp(redact("postgresql://kg:pw@db:5432/keygate?sslmode=require"
	    "&password=pw2"), "postgresql://kg@db:5432/keygate") == 0);
	T("db-3.2 a password holding '/' or '@'",
	    strcmp(redact("postgres://kg:p/w@x@db/keygate"),
	    "postgres://kg@db/keygate") == 0);
	T("db-3.3 no user info: unchanged",
	    strcmp(redact("postgresql://db/keygate"), "postgresql://db/keygate") == 0);
	T("db-3.4 a password without a user",
	    strcmp(redact("postgresql://:pw@db/keygate"), "postgresql://db/keygate") ==
	    0);
	T("db-3.5 a path is not a URI: unchanged",
	    strcmp(redact("/srv/a:b@c/keygate.db"), "/srv/a:b@c/keygate.db") == 0 &&
	    strcmp(redact("x/y://z"), "x/y://z") == 0);
	T("db-3.6 truncated to the buffer, still without the password",
	    strcmp(kg_conninfo_redact("postgresql://user:secret@host/db", small,
	    sizeof(small)), "postgresql://us") == 0);
}

int
main(void)
{
	test_placeholders();
	test_driver_for();
	test_redact();
	return t_report();
}
