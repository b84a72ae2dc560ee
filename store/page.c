/*
 * page.c - one page of a list (struct kg_page, store.h): the binding of
 * STORE_PAGE_SQL's parameters, the marker's existence check, and the
 * read that fetches one row more than the page to know whether rows
 * remain (see store_int.h).
 */
#include <stdint.h>
#include <string.h>

#include "store/store_int.h"

void
store_bind_named(struct db_stmt *s, const char *name, const char *v)
{
	int	idx = db_param_index(s, name);

	if (idx > 0)
		db_bind_text(s, idx, v);
}

void
store_bind_named_int64(struct db_stmt *s, const char *name, int64_t v)
{
	int	idx = db_param_index(s, name);

	if (idx > 0)
		db_bind_int64(s, idx, v);
}

void
store_bind_page(struct db_stmt *s, const struct kg_page *pg)
{
	/* Every id is a non-empty string: all of them sort after "". */
	store_bind_named(s, ":pg_after", pg != NULL && pg->marker != NULL ?
	    pg->marker : "");
	/* One row beyond the page says whether more remain. */
	store_bind_named_int64(s, ":pg_limit", pg != NULL && pg->limit > 0 &&
	    pg->limit < (size_t)INT64_MAX ? (int64_t)pg->limit + 1 : INT64_MAX);
}

int
store_page_marker(struct store *st, const char *sql, const struct kg_page *pg,
    struct kg_err *err)
{
	struct db_stmt	*s;
	int		 yes = 0;

	if (pg == NULL || pg->marker == NULL)
		return 0;
	if ((s = store_prepare(st, sql, err)) == NULL)
		return -1;
	db_bind_text(s, 1, pg->marker);
	if (store_exists(st, s, "page marker", &yes, err) == -1)
		return -1;
	/* Keystone's MarkerNotFound (keystone/exception.py). */
	return yes ? 0 : kg_errf(err, KG_ENOTFOUND, "Marker %s could not be found.",
	    pg->marker);
}

void
store_page_cut(struct kg_page *pg, size_t elsz, store_free_fn free_one,
    void **out, size_t *n)
{
	size_t	i;

	if (pg == NULL)
		return;
	pg->more = 0;
	if (pg->limit > 0 && *n > pg->limit) {
		/* The extra row only told that the list goes on. */
		for (i = pg->limit; free_one != NULL && i < *n; i++)
			free_one((char *)*out + i * elsz);
		*n = pg->limit;
		pg->more = 1;
	}
}

int
store_get_page(struct store *st, struct db_stmt *s, const char *what,
    size_t elsz, store_row_fn from_row, store_free_fn free_one,
    struct kg_page *pg, void **out, size_t *n, struct kg_err *err)
{
	if (pg != NULL)
		pg->more = 0;
	if (store_get_all(st, s, what, elsz, from_row, free_one, out, n,
	    err) == -1)
		return -1;
	store_page_cut(pg, elsz, free_one, out, n);
	return 0;
}
