/* test_store_identity.c - unit tests for store/identity.c on :memory:. */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "store/identity.h"
#include "store/store.h"
#include "tests/t.h"

static struct store *
open_db(void)
{
	struct store	*st;
	struct kg_err	 err = { 0 };

	if ((st = store_open(":memory:", &err)) == NULL ||
	    store_migrate(st, NULL, NULL, &err) == -1) {
		fprintf(stderr, "cannot open store: %s\n", err.msg);
		exit(1);
	}
	return st;
}

static int
mk_domain(struct store *st, const char *id, const char *name, struct kg_err *err)
{
	struct kg_domain	d;

	memset(&d, 0, sizeof(d));
	kg_strlcpy(d.id, id, sizeof(d.id));
	kg_strlcpy(d.name, name, sizeof(d.name));
	d.description = "desc";
	d.enabled = 1;
	return store_domain_create(st, &d, err);
}

static int
mk_project(struct store *st, char id[STORE_ID_SIZE], const char *domain_id,
    const char *name, const char *parent_id, char **tags, size_t ntags,
    struct kg_err *err)
{
	struct kg_project	p;

	memset(&p, 0, sizeof(p));
	kg_id_new(p.id);
	kg_strlcpy(p.name, name, sizeof(p.name));
	kg_strlcpy(p.domain_id, domain_id, sizeof(p.domain_id));
	if (parent_id != NULL)
		kg_strlcpy(p.parent_id, parent_id, sizeof(p.parent_id));
	p.enabled = 1;
	p.tags = tags;
	p.ntags = ntags;
	kg_strlcpy(id, p.id, STORE_ID_SIZE);
	return store_project_create(st, &p, err);
}

static int
mk_user(struct store *st, char id[STORE_ID_SIZE], const char *domain_id,
    const char *name, const char *hash, struct kg_err *err)
{
	struct kg_user	u;

	memset(&u, 0, sizeof(u));
	kg_id_new(u.id);
	kg_strlcpy(u.name, name, sizeof(u.name));
	kg_strlcpy(u.domain_id, domain_id, sizeof(u.domain_id));
	u.enabled = 1;
	u.password_hash = (char *)hash;
	u.extra = "{\"email\":\"a@example.org\"}";
	kg_strlcpy(id, u.id, STORE_ID_SIZE);
	return store_user_create(st, &u, err);
}

/* The functions bootstrap and authentication rely on. */
static void
test_contract(void)
{
	struct store		*st = open_db();
	struct kg_err		 err = { 0 };
	struct kg_domain	 d;
	struct kg_project	 p;
	struct kg_user		 u;
	char			 pid[STORE_ID_SIZE], pid2[STORE_ID_SIZE];
	char			 uid[STORE_ID_SIZE], uid2[STORE_ID_SIZE];
	char			*tags[] = { "b-tag", "a-tag" }, **ids = NULL;
	size_t			 n = 99;

	memset(&d, 0, sizeof(d));
	memset(&p, 0, sizeof(p));
	memset(&u, 0, sizeof(u));

	T("identity-1.1 domain create", mk_domain(st, "default", "Default", &err) == 0);
	T("identity-1.2 domain get", store_domain_get(st, "default", &d, &err) == 0 &&
	    strcmp(d.name, "Default") == 0 && d.enabled == 1 &&
	    strcmp(d.description, "desc") == 0 && strcmp(d.extra, "{}") == 0);
	kg_domain_free(&d);
	T("identity-1.3 domain get by name", store_domain_get_by_name(st, "Default",
	    &d, &err) == 0 && strcmp(d.id, "default") == 0);
	kg_domain_free(&d);
	T("identity-1.4 domain missing", store_domain_get(st, "nope", &d, &err) == -1 &&
	    err.kind == KG_ENOTFOUND && strcmp(err.msg, "Could not find domain: nope.") == 0);
	T("identity-1.5 domain by name missing", store_domain_get_by_name(st, "Nope",
	    &d, &err) == -1 && err.kind == KG_ENOTFOUND);
	T("identity-1.6 domain duplicate name", mk_domain(st, "other", "Default", &err) == -1 &&
	    err.kind == KG_ECONFLICT && strstr(err.msg, "Duplicate entry found with name Default") != NULL);
	T("identity-1.7 domain duplicate id", mk_domain(st, "default", "X", &err) == -1 &&
	    err.kind == KG_ECONFLICT);

	T("identity-2.1 project create with tags", mk_project(st, pid, "default", "admin",
	    NULL, tags, 2, &err) == 0);
	T("identity-2.2 project get", store_project_get(st, pid, &p, &err) == 0 &&
	    strcmp(p.name, "admin") == 0 && strcmp(p.domain_id, "default") == 0 &&
	    p.parent_id[0] == '\0' && p.enabled == 1 && strcmp(p.description, "") == 0 &&
	    strcmp(p.extra, "{}") == 0);
	T("identity-2.3 project tags in insertion order", p.ntags == 2 &&
	    strcmp(p.tags[0], "b-tag") == 0 && strcmp(p.tags[1], "a-tag") == 0);
	kg_project_free(&p);
	T("identity-2.4 project get by name", store_project_get_by_name(st, "default",
	    "admin", &p, &err) == 0 && strcmp(p.id, pid) == 0 && p.ntags == 2);
	kg_project_free(&p);
	T("identity-2.5 project by name wrong domain", store_project_get_by_name(st,
	    "other", "admin", &p, &err) == -1 && err.kind == KG_ENOTFOUND &&
	    strcmp(err.msg, "Could not find project: admin.") == 0);
	T("identity-2.6 project duplicate", mk_project(st, pid2, "default", "admin",
	    NULL, NULL, 0, &err) == -1 && err.kind == KG_ECONFLICT && strcmp(err.msg,
	    "Conflict occurred attempting to store project - Duplicate entry found "
	    "with name admin at domain ID default.") == 0);
	T("identity-2.7 duplicate left nothing behind", store_project_get(st, pid2, &p,
	    &err) == -1 && err.kind == KG_ENOTFOUND);
	T("identity-2.8 project unknown domain", mk_project(st, pid2, "nodomain", "x",
	    NULL, NULL, 0, &err) == -1 && err.kind == KG_ECONFLICT);
	T("identity-2.9 child project", mk_project(st, pid2, "default", "child", pid,
	    NULL, 0, &err) == 0 && store_project_get(st, pid2, &p, &err) == 0 &&
	    strcmp(p.parent_id, pid) == 0 && p.ntags == 0 && p.tags == NULL);
	kg_project_free(&p);
	kg_project_free(&p);	/* idempotent after free */

	T("identity-3.1 user create", mk_user(st, uid, "default", "admin", "$2b$04$hash",
	    &err) == 0);
	T("identity-3.2 user get", store_user_get(st, uid, &u, &err) == 0 &&
	    strcmp(u.name, "admin") == 0 && strcmp(u.domain_id, "default") == 0 &&
	    u.enabled == 1 && u.password_hash != NULL &&
	    strcmp(u.password_hash, "$2b$04$hash") == 0 && u.password_expires_at == 0 &&
	    u.default_project_id[0] == '\0' && strstr(u.extra, "email") != NULL &&
	    u.created_at > 0);
	kg_user_free(&u);
	T("identity-3.3 user get by name", store_user_get_by_name(st, "default", "admin",
	    &u, &err) == 0 && strcmp(u.id, uid) == 0);
	kg_user_free(&u);
	T("identity-3.4 user missing", store_user_get(st, "nope", &u, &err) == -1 &&
	    err.kind == KG_ENOTFOUND && strcmp(err.msg, "Could not find user: nope.") == 0);
	T("identity-3.5 user duplicate", mk_user(st, uid2, "default", "admin", NULL,
	    &err) == -1 && err.kind == KG_ECONFLICT && strcmp(err.msg,
	    "Conflict occurred attempting to store user - Duplicate entry found "
	    "with name admin at domain ID default.") == 0);
	T("identity-3.6 user without password", mk_user(st, uid2, "default", "nopw",
	    NULL, &err) == 0 && store_user_get(st, uid2, &u, &err) == 0 &&
	    u.password_hash == NULL);
	kg_user_free(&u);
	T("identity-3.7 set password", store_user_set_password(st, uid2, "$2b$04$new",
	    1900000000000000LL, &err) == 0 && store_user_get(st, uid2, &u, &err) == 0 &&
	    strcmp(u.password_hash, "$2b$04$new") == 0 &&
	    u.password_expires_at == 1900000000000000LL);
	kg_user_free(&u);
	T("identity-3.8 clear password", store_user_set_password(st, uid2, NULL, 0,
	    &err) == 0 && store_user_get(st, uid2, &u, &err) == 0 &&
	    u.password_hash == NULL && u.password_expires_at == 0);
	kg_user_free(&u);
	T("identity-3.9 set password unknown user", store_user_set_password(st, "nope",
	    "$2b$04$x", 0, &err) == -1 && err.kind == KG_ENOTFOUND);

	T("identity-4.1 no groups", store_user_group_ids(st, uid, &ids, &n, &err) == 0 &&
	    n == 0);
	store_strv_free(ids, n);

	store_close(st);
}

int
main(void)
{
	test_contract();
	return t_report();
}
