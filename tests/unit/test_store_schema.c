/*
 * test_store_schema.c - the two schemas (schema/NNNN_*.sql for SQLite,
 * schema/pg/NNNN_*.sql for PostgreSQL) are the same schema: the same
 * migration versions, and, migrated to every version, the same tables,
 * columns (with their NOT NULL) and triggers. The comparison needs both
 * databases: it runs when KG_TEST_PG names a PostgreSQL server (tests/run
 * sets it for the [pg] runs); without it only the versions are compared.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/migrations.h"
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

int
main(void)
{
	const struct migration	*m;

	test_versions();
	if (!tstore_is_pg()) {
		printf("# KG_TEST_PG not set: schemas compared by version only\n");
		return t_report();
	}
	for (m = kg_migrations; m->name != NULL; m++)
		test_equivalent(m->version);
	return t_report();
}
