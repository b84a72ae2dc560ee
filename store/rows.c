/*
 * rows.c - reading query results into objects and lists, and the other
 * small patterns every store/ implementation file repeats (see
 * store_int.h): one row or KG_ENOTFOUND, all rows into an array, column 0
 * as strings, "does a row exist", "change exactly one row".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

static int
oom(struct kg_err *err)
{
	return kg_errf(err, KG_EINTERNAL, "out of memory");
}

int
store_grow(void *v, size_t elsz, size_t n, size_t *cap, struct kg_err *err)
{
	void	**pv = v, *nv;
	size_t	  ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	if ((nv = realloc(*pv, ncap * elsz)) == NULL)
		return oom(err);
	*pv = nv;
	*cap = ncap;
	return 0;
}

void
store_free_each(void *v, size_t n, size_t elsz, store_free_fn free_one)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; free_one != NULL && i < n; i++)
		free_one((char *)v + i * elsz);
	free(v);
}

int
store_get_one(struct store *st, struct db_stmt *s, const char *what,
    store_row_fn from_row, void *out, const char *type, const char *key,
    struct kg_err *err)
{
	int	rc = db_step(s), ret;

	if (rc == DB_ROW)
		ret = from_row(s, out, err);
	else if (rc == DB_DONE)
		ret = kg_errf(err, KG_ENOTFOUND, "Could not find %s: %s.", type,
		    key);
	else
		ret = store_dberr(st, what, NULL, err);
	db_reset(s);
	return ret;
}

int
store_get_all(struct store *st, struct db_stmt *s, const char *what, size_t elsz,
    store_row_fn from_row, store_free_fn free_one, void **out, size_t *n,
    struct kg_err *err)
{
	char	*v = NULL;
	size_t	 cnt = 0, cap = 0;
	int	 rc;

	*out = NULL;
	*n = 0;
	while ((rc = db_step(s)) == DB_ROW) {
		/* v != NULL after store_grow succeeds; said for the analyzer
		 * (make analyze), which does not look into store.c. */
		if (store_grow(&v, elsz, cnt, &cap, err) == -1 || v == NULL ||
		    from_row(s, v + cnt * elsz, err) == -1)
			goto fail;
		cnt++;
	}
	db_reset(s);
	if (rc != DB_DONE) {
		store_dberr(st, what, NULL, err);
		goto fail;
	}
	*out = v;
	*n = cnt;
	return 0;
 fail:
	db_reset(s);
	store_free_each(v, cnt, elsz, free_one);
	return -1;
}

/* Column 0 as a new string, "" for SQL NULL. */
static int
string_row(struct db_stmt *s, void *p, struct kg_err *err)
{
	char	**out = p;

	if ((*out = db_col_str(s, 0)) == NULL)
		return oom(err);
	return 0;
}

static void
string_free(void *p)
{
	free(*(char **)p);
}

int
store_get_strings(struct store *st, struct db_stmt *s, const char *what,
    char ***out, size_t *n, struct kg_err *err)
{
	return store_get_all(st, s, what, sizeof(**out), string_row, string_free,
	    (void **)out, n, err);
}

int
store_get_by_ids(struct store *st, struct db_stmt *s, const char *what,
    size_t elsz, store_get_fn get, store_free_fn free_one, void **out,
    size_t *n, struct kg_err *err)
{
	char	**ids = NULL, *v = NULL;
	size_t	  nids = 0, i;
	int	  ret = -1;

	*out = NULL;
	*n = 0;
	if (store_get_strings(st, s, what, &ids, &nids, err) == -1)
		return -1;
	if (nids > 0 && (v = calloc(nids, elsz)) == NULL) {
		oom(err);
		goto done;
	}
	for (i = 0; i < nids; i++)
		if (get(st, ids[i], v + i * elsz, err) == -1)
			goto done;
	*out = v;
	*n = nids;
	v = NULL;
	ret = 0;
 done:
	store_free_each(v, nids, elsz, free_one);	/* zeroed past i */
	store_strv_free(ids, nids);
	return ret;
}

int
store_exists(struct store *st, struct db_stmt *s, const char *what, int *yes,
    struct kg_err *err)
{
	int	rc = db_step(s);

	db_reset(s);
	if (rc != DB_ROW && rc != DB_DONE)
		return store_dberr(st, what, NULL, err);
	*yes = rc == DB_ROW;
	return 0;
}

int
store_exec_one(struct store *st, struct db_stmt *s, const char *what,
    const char *conflict, const char *type, const char *id, struct kg_err *err)
{
	if (store_run(st, s, what, conflict, err) == -1)
		return -1;
	if (store_changes(st) == 0)
		return kg_errf(err, KG_ENOTFOUND, "Could not find %s: %s.", type,
		    id);
	return 0;
}

const char *
store_dup_msg(char *buf, size_t bufsz, const char *type, const char *name,
    const char *domain_id)
{
	if (domain_id != NULL)
		snprintf(buf, bufsz, "Conflict occurred attempting to store %s"
		    " - Duplicate entry found with name %s at domain ID %s.", type,
		    name, domain_id);
	else
		snprintf(buf, bufsz, "Conflict occurred attempting to store %s"
		    " - Duplicate entry found with name %s.", type, name);
	return buf;
}
