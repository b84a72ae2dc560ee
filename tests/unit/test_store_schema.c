/*
 * test_store_schema.c - the two schemas (schema/NNNN_*.sql for SQLite,
 * schema/pg/NNNN_*.sql for PostgreSQL) are the same schema: the same
 * migration versions, and, migrated to every version, the same tables,
 * columns (with their NOT NULL) and triggers. The comparison needs both
 * databases: it runs when KG_TEST_PG names a PostgreSQL server (tests/run
 * sets it for the [pg] runs); without it only the versions are compared.
 * Also: each migration applied is recorded, so one numbered below the
 * highest applied (branches land in any order) is still applied, on both
 * backends, and an SQLite database that recorded only PRAGMA user_version
 * is upgraded to that.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/migrations.h"
#include "store/store.h"
#include "tests/t.h"
#include "tests/unit/tstore.h"

static void
test_versions(void)
{
	const struct migration	*a = kg_migrations, *b = kg_migrations_pg;
	const char		*base;
	int			 same = 1;

	for (; a->name != NULL && b->name != NULL; a++, b++) {
		base = strchr(b->name, '_');
		if (a->version != b->version || base == NULL ||
		    strcmp(strchr(a->name, '_'), base) != 0) {
			printf("# migration %s vs pg %s\n", a->name, b->name);
			same = 0;
		}
	}
	T("schema-1.1 the same migrations (version and name) for both backends",
	    same && a->name == NULL && b->name == NULL);
}

/* Lines "kind name detail", sorted, one per item, into a string. */
struct lines {
	char	*v[512];
	size_t	 n;
};

static void
lines_free(struct lines *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* What the schema of st holds: "column table.name notnull|null" and
 * "trigger table.name", skipping what only one backend has by nature. */
static int
describe(struct store *st, const char *sql, struct lines *out)
{
	struct db_stmt	*s;
	struct kg_err	 err = { 0 };
	char		 line[256];
	int		 rc;

	if ((s = store_prepare(st, sql, &err)) == NULL)
		return -1;
	while ((rc = db_step(s)) == DB_ROW && out->n < 512) {
		snprintf(line, sizeof(line), "%s %s.%s%s", db_col_text(s, 0),
		    db_col_text(s, 1), db_col_text(s, 2), db_col_text(s, 3) ?
		    db_col_text(s, 3) : "");
		out->v[out->n++] = strdup(line);
	}
	db_reset(s);
	qsort(out->v, out->n, sizeof(out->v[0]), cmp);
	return rc == DB_ERROR ? -1 : 0;
}

/* SQLite: a PRIMARY KEY column may hold NULL unless declared NOT NULL
 * (a historical quirk); count it as NOT NULL, as PostgreSQL makes it.
 * Generated columns (hidden 2 or 3) are nullable in both. */
static const char SQLITE_DESC[] =
	"SELECT 'column', m.name, p.name, CASE WHEN p.\"notnull\" = 1 OR"
	" (p.pk > 0 AND p.hidden = 0) THEN ' notnull' ELSE ' null' END"
	" FROM sqlite_master m JOIN pragma_table_xinfo(m.name) p"
	" WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
	" AND m.name <> 'schema_migrations'"
	" UNION ALL SELECT 'trigger', tbl_name, name, NULL FROM sqlite_master"
	" WHERE type = 'trigger'";

/* PostgreSQL: its own version table and the explicit rowid columns (SQLite
 * has them implicitly) are not part of the comparison. */
static const char PG_DESC[] =
	"SELECT 'column', table_name, column_name, CASE WHEN is_nullable = 'NO'"
	" THEN ' notnull' ELSE ' null' END FROM information_schema.columns"
	" WHERE table_schema = current_schema() AND table_name <> 'schema_migrations'"
	" AND column_name <> 'rowid'"
	" UNION ALL SELECT DISTINCT 'trigger', event_object_table, trigger_name,"
	" NULL FROM information_schema.triggers"
	" WHERE trigger_schema = current_schema()";

static void
test_equivalent(int version)
{
	struct store	*lite, *pg;
	struct lines	 a = { .n = 0 }, b = { .n = 0 };
	size_t		 i, j;
	int		 c, diff = 0;
	char		 id[96];

	lite = store_open(":memory:", NULL);
	if (lite != NULL && store_migrate_to(lite, version, NULL, NULL, NULL) == -1) {
		store_close(lite);
		lite = NULL;
	}
	pg = tstore_open_at(version);
	snprintf(id, sizeof(id), "schema-2.%d both backends migrate to version %d",
	    version, version);
	T(id, lite != NULL && pg != NULL);
	if (lite == NULL || pg == NULL)
		goto done;
	if (describe(lite, SQLITE_DESC, &a) == -1 || describe(pg, PG_DESC, &b) == -1) {
		T("schema-2.0 describe", 0);
		goto done;
	}
	for (i = j = 0; i < a.n || j < b.n;) {
		c = i == a.n ? 1 : j == b.n ? -1 : strcmp(a.v[i], b.v[j]);
		if (c == 0) {
			i++;
			j++;
			continue;
		}
		printf("# version %d: only in %s: %s\n", version,
		    c < 0 ? "SQLite" : "PostgreSQL", c < 0 ? a.v[i] : b.v[j]);
		if (c < 0)
			i++;
		else
			j++;
		diff++;
	}
	snprintf(id, sizeof(id), "schema-3.%d version %d: the same tables, columns,"
	    " NOT NULLs and triggers", version, version);
	T(id, diff == 0 && a.n > 0);
 done:
	lines_free(&a);
	lines_free(&b);
	store_close(lite);
	store_close(pg);
}

/* The backend's migrations, then extra ones (version, SQL), into list. */
static void
make_list(struct migration *list, size_t cap, int nextra,
    const struct migration *extra)
{
	const struct migration	*m = tstore_is_pg() ? kg_migrations_pg :
				    kg_migrations;
	size_t			 n = 0;
	int			 i;

	for (; m->name != NULL && n + 1 < cap; m++)
		list[n++] = *m;
	for (i = 0; i < nextra && n + 1 < cap; i++)
		list[n++] = extra[i];
	list[n] = (struct migration){ 0, NULL, NULL };
}

static const struct migration	m10 = { 9010, "9010_t10",
				    "CREATE TABLE kg_t10 (x INTEGER);" };
static const struct migration	m20 = { 9020, "9020_t20",
				    "CREATE TABLE kg_t20 (x INTEGER);" };

/* A database that has 9020 applied meets 9010, added later. */
static void
test_order(void)
{
	struct migration	 list[64];
	struct store		*st;
	struct kg_err		 err = { 0 };
	int			 from = -1, to = -1;

	if ((st = tstore_open()) == NULL) {
		T("schema-2.0 open", 0);
		return;
	}
	make_list(list, 64, 1, &m20);
	T("schema-2.1 9020 applied", store_migrate_list(st, list, 1 << 30,
	    NULL, &to, &err) == 0 && to == 9020 &&
	    tstore_sql(st, "INSERT INTO kg_t20 (x) VALUES (1)") == 0);
	make_list(list, 64, 2, (struct migration[]){ m10, m20 });
	T("schema-2.3 then applied (was: skipped as below the version)",
	    store_migrate_list(st, list, 1 << 30, &from, &to, &err) == 0 &&
	    from == 9020 && to == 9020 &&
	    tstore_sql(st, "INSERT INTO kg_t10 (x) VALUES (1)") == 0);
	T("schema-2.4 once: running the list again applies nothing",
	    store_migrate_list(st, list, 1 << 30, NULL, NULL, &err) == 0);
	store_close(st);
}

/* SQLite: a database from before schema_migrations (PRAGMA user_version
 * only) takes every migration up to that version as applied. */
static void
test_legacy(void)
{
	struct migration	 list[64];
	struct store		*st;
	struct kg_err		 err = { 0 };
	int			 latest = store_schema_latest(), to = -1;

	if ((st = tstore_open()) == NULL) {
		T("schema-3.0 open", 0);
		return;
	}
	T("schema-3.1 a legacy database (user_version only)",
	    tstore_sql(st, "DROP TABLE schema_migrations") == 0 &&
	    store_schema_version(st) == latest && store_schema_missing(st) == 0);
	make_list(list, 64, 2, (struct migration[]){ m10, m20 });
	T("schema-3.2 upgraded: the new migrations only (the old ones would fail"
	    " again)", store_migrate_list(st, list, 1 << 30, NULL, &to, &err)
	    == 0 && to == 9020 &&
	    tstore_sql(st, "INSERT INTO kg_t10 (x) VALUES (1)") == 0);
	T("schema-3.3 the old ones recorded", store_migrate(st, NULL, NULL,
	    &err) == 0 && store_schema_missing(st) == 0);
	store_close(st);
}

int
main(void)
{
	const struct migration	*m;

	test_versions();
	test_order();
	if (!tstore_is_pg())
		test_legacy();
	if (!tstore_is_pg()) {
		printf("# KG_TEST_PG not set: schemas compared by version only\n");
		return t_report();
	}
	for (m = kg_migrations; m->name != NULL; m++)
		test_equivalent(m->version);
	return t_report();
}
