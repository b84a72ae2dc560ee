/*
 * domain_config.c - domain-specific configuration, on either backend (see
 * domain_config.h).
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "store/domain_config.h"
#include "store/store_int.h"

static void
opt_free_one(void *p)
{
	struct kg_config_opt	*o = p;

	free(o->value);
	o->value = NULL;
}

void
kg_config_opt_list_free(struct kg_config_opt *v, size_t n)
{
	store_free_each(v, n, sizeof(*v), opt_free_one);
}

static int
opt_row(struct db_stmt *s, void *p, struct kg_err *err)
{
	struct kg_config_opt	*o = p;

	memset(o, 0, sizeof(*o));
	db_col_copy(s, 0, o->group, sizeof(o->group));
	db_col_copy(s, 1, o->option, sizeof(o->option));
	o->sensitive = db_col_int(s, 3) != 0;
	if ((o->value = db_col_str(s, 2)) == NULL)
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	return 0;
}

int
store_domain_config_list(struct store *st, const char *domain_id,
    const char *group, const char *option, int sensitive,
    struct kg_config_opt **out, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "SELECT grp, option, value, sensitive"
	    " FROM domain_config WHERE domain_id = ?1"
	    " AND (?2 IS NULL OR grp = ?2) AND (?3 IS NULL OR option = ?3)"
	    " AND (?4 < 0 OR sensitive = ?4) ORDER BY rowid", err)) == NULL)
		return -1;
	db_bind_text(s, 1, domain_id);
	db_bind_text(s, 2, group);
	db_bind_text(s, 3, group != NULL ? option : NULL);
	db_bind_int(s, 4, sensitive);
	return store_get_all(st, s, "domain config list", sizeof(**out), opt_row,
	    opt_free_one, (void **)out, n, err);
}

int
store_domain_config_put(struct store *st, const char *domain_id,
    const struct kg_config_opt *o, struct kg_err *err)
{
	struct db_stmt	*s;

	/* Delete, then insert: a replaced option moves to the end, as in
	 * Keystone (update_config_options deletes and adds). */
	if (store_domain_config_delete(st, domain_id, o->group, o->option,
	    err) == -1)
		return -1;
	if ((s = store_prepare(st, "INSERT INTO domain_config (domain_id, grp,"
	    " option, value, sensitive) VALUES (?, ?, ?, ?, ?)", err)) == NULL)
		return -1;
	db_bind_text(s, 1, domain_id);
	db_bind_text(s, 2, o->group);
	db_bind_text(s, 3, o->option);
	db_bind_text(s, 4, o->value);
	db_bind_int(s, 5, o->sensitive != 0);
	return store_run(st, s, "domain config put", NULL, err);
}

int
store_domain_config_delete(struct store *st, const char *domain_id,
    const char *group, const char *option, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "DELETE FROM domain_config WHERE domain_id = ?1"
	    " AND (?2 IS NULL OR grp = ?2) AND (?3 IS NULL OR option = ?3)",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, domain_id);
	db_bind_text(s, 2, group);
	db_bind_text(s, 3, group != NULL ? option : NULL);
	return store_run(st, s, "domain config delete", NULL, err);
}
