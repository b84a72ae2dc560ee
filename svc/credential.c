/*
 * credential.c - credentials: create, replace the blob, delete, and the
 * re-encryption of a rotation (see svc.h). Blobs arrive sealed
 * (auth/credkeys.h): nothing here sees one in the clear.
 */
#include <stdlib.h>
#include <string.h>

#include "svc/svc_int.h"

static int
create_body(struct store *st, void *cls, struct kg_err *err)
{
	const struct kg_credential	*c = cls;
	struct kg_user			 u;
	struct kg_project		 p;

	memset(&u, 0, sizeof(u));
	memset(&p, 0, sizeof(p));
	if (store_user_get(st, c->user_id, &u, err) == -1)
		return -1;
	kg_user_free(&u);
	if (c->project_id[0] != '\0') {
		if (store_project_get(st, c->project_id, &p, err) == -1)
			return -1;
		kg_project_free(&p);
	}
	return store_credential_create(st, c, err);
}

int
svc_credential_create(struct store *st, const struct kg_credential *c,
    struct kg_err *err)
{
	return svc_run(st, "credential create", create_body, (void *)c, err);
}

struct set_blob {
	const char	*id;
	const char	*sealed;
	const char	*key_hash;
	const char	*old_key_hash;	/* NULL: any */
	int		 changed;
};

static int
set_blob_body(struct store *st, void *cls, struct kg_err *err)
{
	struct set_blob	*b = cls;

	return store_credential_set_blob(st, b->id, b->sealed, b->key_hash, NULL,
	    b->old_key_hash, &b->changed, err);
}

int
svc_credential_set_blob(struct store *st, const char *id, const char *sealed,
    const char *key_hash, struct kg_err *err)
{
	struct set_blob	b = { id, sealed, key_hash, NULL, 0 };

	return svc_run(st, "credential update", set_blob_body, &b, err);
}

int
svc_credential_reseal(struct store *st, const char *id, const char *old_key_hash,
    const char *sealed, const char *key_hash, int *changed, struct kg_err *err)
{
	struct set_blob	b = { id, sealed, key_hash, old_key_hash, 0 };
	int		rc;

	rc = svc_run(st, "credential re-encrypt", set_blob_body, &b, err);
	*changed = b.changed;
	return rc;
}

static int
delete_body(struct store *st, void *cls, struct kg_err *err)
{
	return store_credential_delete(st, cls, err);
}

int
svc_credential_delete(struct store *st, const char *id, struct kg_err *err)
{
	return svc_run(st, "credential delete", delete_body, (void *)id, err);
}
