/*
 * test_store_credential.c - the focus of this file is store/credential.c
 * and svc/credential.c: credentials reference an existing user and
 * project, lists filter by user and type in creation order, a blob is
 * replaced, re-encryption only replaces a blob still under the old key,
 * the counts a key rotation uses, and credentials going with their user
 * and project. On SQLite, or on PostgreSQL with KG_TEST_PG
 * (tests/unit/tstore.h).
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/util.h"
#include "store/credential.h"
#include "store/identity.h"
#include "svc/svc.h"
#include "tests/t.h"
#include "tests/unit/tstore.h"

static struct kg_credential
mkcred(const char *id, const char *user, const char *project, const char *type,
    const char *blob, const char *key)
{
	struct kg_credential	c;

	memset(&c, 0, sizeof(c));
	kg_strlcpy(c.id, id, sizeof(c.id));
	kg_strlcpy(c.user_id, user, sizeof(c.user_id));
	kg_strlcpy(c.project_id, project != NULL ? project : "", sizeof(c.project_id));
	kg_strlcpy(c.type, type, sizeof(c.type));
	kg_strlcpy(c.key_hash, key, sizeof(c.key_hash));
	c.encrypted_blob = (char *)blob;
	c.extra = "{\"label\": 1}";
	return c;
}

int
main(void)
{
	struct store		*st;
	struct kg_err		 err = { 0 };
	struct kg_user		 u;
	struct kg_project	 p;
	struct kg_credential	 c, *v = NULL;
	char			**ids = NULL;
	size_t			 n = 0;
	long			 count = -1;
	int			 changed = -1;

	st = tstore_open();
	T("credstore-0.1 open + migrate", st != NULL);
	if (st == NULL)
		return t_report();
	memset(&u, 0, sizeof(u));
	kg_strlcpy(u.id, "u1", sizeof(u.id));
	kg_strlcpy(u.name, "alice", sizeof(u.name));
	kg_strlcpy(u.domain_id, "default", sizeof(u.domain_id));
	u.enabled = 1;
	memset(&p, 0, sizeof(p));
	kg_strlcpy(p.id, "p1", sizeof(p.id));
	kg_strlcpy(p.name, "demo", sizeof(p.name));
	kg_strlcpy(p.domain_id, "default", sizeof(p.domain_id));
	p.enabled = 1;
	{
		struct kg_domain	d;

		memset(&d, 0, sizeof(d));
		kg_strlcpy(d.id, "default", sizeof(d.id));
		kg_strlcpy(d.name, "Default", sizeof(d.name));
		d.enabled = 1;
		T("credstore-0.2 domain, user, project",
		    svc_domain_create(st, &d, &err) == 0 &&
		    svc_user_create(st, &u, &err) == 0 &&
		    svc_project_create(st, &p, &err) == 0);
	}

	c = mkcred("c1", "u1", NULL, "cert", "kgc1.AAAA", "k1");
	T("credstore-1.1 create", svc_credential_create(st, &c, &err) == 0);
	T("credstore-1.2 the same id again -> conflict naming it",
	    svc_credential_create(st, &c, &err) == -1 && err.kind == KG_ECONFLICT &&
	    strstr(err.msg, "Duplicate ID, c1") != NULL);
	c = mkcred("c2", "nope", NULL, "cert", "x", "k1");
	T("credstore-1.3 unknown user -> 404", svc_credential_create(st, &c, &err) ==
	    -1 && err.kind == KG_ENOTFOUND &&
	    strcmp(err.msg, "Could not find user: nope.") == 0);
	c = mkcred("c2", "u1", "nope", "ec2", "x", "k1");
	T("credstore-1.4 unknown project -> 404", svc_credential_create(st, &c, &err)
	    == -1 && err.kind == KG_ENOTFOUND &&
	    strcmp(err.msg, "Could not find project: nope.") == 0);
	c = mkcred("c2", "u1", "p1", "ec2", "kgc1.BBBB", "k1");
	T("credstore-1.5 with a project", svc_credential_create(st, &c, &err) == 0);
	c = mkcred("c3", "u1", "p1", "totp", "kgc1.CCCC", "k2");
	T("credstore-1.6 a third, under another key",
	    svc_credential_create(st, &c, &err) == 0);

	memset(&c, 0, sizeof(c));
	T("credstore-2.1 get", store_credential_get(st, "c2", &c, &err) == 0 &&
	    strcmp(c.user_id, "u1") == 0 && strcmp(c.project_id, "p1") == 0 &&
	    strcmp(c.type, "ec2") == 0 && strcmp(c.encrypted_blob, "kgc1.BBBB") == 0 &&
	    strcmp(c.key_hash, "k1") == 0 && strcmp(c.extra, "{\"label\": 1}") == 0);
	kg_credential_free(&c);
	T("credstore-2.2 get without project: \"\"", store_credential_get(st, "c1",
	    &c, &err) == 0 && c.project_id[0] == '\0');
	kg_credential_free(&c);
	T("credstore-2.3 get unknown -> 404", store_credential_get(st, "zz", &c,
	    &err) == -1 && err.kind == KG_ENOTFOUND &&
	    strcmp(err.msg, "Could not find credential: zz.") == 0);
	T("credstore-2.4 list all, creation order",
	    store_credential_list(st, NULL, NULL, &v, &n, &err) == 0 && n == 3 &&
	    strcmp(v[0].id, "c1") == 0 && strcmp(v[2].id, "c3") == 0);
	kg_credential_list_free(v, n);
	T("credstore-2.5 list by type", store_credential_list(st, "u1", "ec2", &v,
	    &n, &err) == 0 && n == 1 && strcmp(v[0].id, "c2") == 0);
	kg_credential_list_free(v, n);
	T("credstore-2.6 list of another user: none", store_credential_list(st,
	    "u2", NULL, &v, &n, &err) == 0 && n == 0);
	kg_credential_list_free(v, n);

	T("credstore-3.1 replace a blob", svc_credential_set_blob(st, "c1",
	    "kgc1.DDDD", "k2", &err) == 0 && store_credential_get(st, "c1", &c,
	    &err) == 0 && strcmp(c.encrypted_blob, "kgc1.DDDD") == 0 &&
	    strcmp(c.key_hash, "k2") == 0);
	kg_credential_free(&c);
	T("credstore-3.2 replace the blob of an unknown one -> 404",
	    svc_credential_set_blob(st, "zz", "x", "k2", &err) == -1 &&
	    err.kind == KG_ENOTFOUND);
	T("credstore-3.3 counts per key", store_credential_count_key(st, "k1",
	    &count, &err) == 0 && count == 1 && store_credential_count_key(st, "k2",
	    &count, &err) == 0 && count == 2 && store_credential_count_key(st, "k9",
	    &count, &err) == 0 && count == 0);
	T("credstore-3.4 ids not under k2", store_credential_ids_not_under(st, "k2",
	    &ids, &n, &err) == 0 && n == 1 && strcmp(ids[0], "c2") == 0);
	store_strv_free(ids, n);
	T("credstore-3.5 re-seal under the old key: done", svc_credential_reseal(st,
	    "c2", "k1", "kgc1.EEEE", "k2", &changed, &err) == 0 && changed == 1);
	T("credstore-3.6 re-seal that lost a race (blob no longer under k1): "
	    "nothing changes", svc_credential_reseal(st, "c2", "k1", "kgc1.FFFF",
	    "k3", &changed, &err) == 0 && changed == 0 &&
	    store_credential_get(st, "c2", &c, &err) == 0 &&
	    strcmp(c.encrypted_blob, "kgc1.EEEE") == 0);
	kg_credential_free(&c);
	T("credstore-3.7 re-seal of a deleted one -> 404", svc_credential_reseal(st,
	    "zz", "k1", "x", "k2", &changed, &err) == -1 && err.kind == KG_ENOTFOUND);

	T("credstore-4.1 delete", svc_credential_delete(st, "c3", &err) == 0);
	T("credstore-4.2 delete again -> 404", svc_credential_delete(st, "c3", &err)
	    == -1 && err.kind == KG_ENOTFOUND);
	T("credstore-4.3 deleting the project takes its credentials",
	    svc_project_delete(st, "p1", &err) == 0 &&
	    store_credential_get(st, "c2", &c, &err) == -1 &&
	    err.kind == KG_ENOTFOUND && store_credential_get(st, "c1", &c, &err) == 0);
	kg_credential_free(&c);
	T("credstore-4.4 deleting the user takes the rest",
	    svc_user_delete(st, "u1", &err) == 0 &&
	    store_credential_list(st, NULL, NULL, &v, &n, &err) == 0 && n == 0);
	kg_credential_list_free(v, n);
	kg_credential_free(NULL);
	kg_credential_list_free(NULL, 0);
	store_close(st);
	return t_report();
}
