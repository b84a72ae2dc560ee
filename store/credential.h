/*
 * credential.h - credentials (Keystone's /v3/credentials, and the EC2
 * credentials of /v3/users/{id}/credentials/OS-EC2). See store/store.h
 * for the conventions on errors and ownership.
 *
 * The store never sees a blob in the clear: encrypted_blob is what
 * auth/credkeys.h sealed, key_hash the id of the key that sealed it. A
 * credential belongs to a user and optionally a project (foreign keys:
 * it goes when they go, in the same transaction).
 */
#ifndef KG_STORE_CREDENTIAL_H
#define KG_STORE_CREDENTIAL_H

#include "store/store.h"

#define STORE_CRED_TYPE_SIZE	256	/* type: up to 255 bytes + NUL */
#define STORE_KEY_HASH_SIZE	17	/* credkeys' key ids */

struct kg_credential {
	char	 id[STORE_ID_SIZE];	/* sha256(access) hex for ec2 */
	char	 user_id[STORE_ID_SIZE];
	char	 project_id[STORE_ID_SIZE];	/* "" when none */
	char	 type[STORE_CRED_TYPE_SIZE];
	char	*encrypted_blob;
	char	 key_hash[STORE_KEY_HASH_SIZE];
	char	*extra;			/* JSON object text */
};

/* Release members (not the struct); accepts a zeroed struct. */
void	kg_credential_free(struct kg_credential *c);
void	kg_credential_list_free(struct kg_credential *v, size_t n);

/* KG_ENOTFOUND "Could not find credential: <id>." */
int	store_credential_get(struct store *st, const char *id,
	    struct kg_credential *out, struct kg_err *err);

/*
 * Credentials in creation order; user_id, type NULL: any. project_id
 * NULL: any (not a Keystone filter; EC2 lists use it with user_id).
 */
int	store_credential_list(struct store *st, const char *user_id,
	    const char *type, struct kg_credential **out, size_t *n,
	    struct kg_err *err);

/* KG_ECONFLICT "Conflict occurred attempting to store credential -
 * Duplicate ID, <id>." on a duplicate id. The user and project must
 * exist (the caller checks: a dangling reference is KG_ECONFLICT too). */
int	store_credential_create(struct store *st, const struct kg_credential *c,
	    struct kg_err *err);

/*
 * Replace the blob (and extra, when not NULL) of credential id. With
 * old_key_hash not NULL, only when the blob is still sealed under that
 * key (a re-encryption that lost a race changes nothing): *changed says
 * whether the row was written. KG_ENOTFOUND when there is no such
 * credential.
 */
int	store_credential_set_blob(struct store *st, const char *id,
	    const char *encrypted_blob, const char *key_hash, const char *extra,
	    const char *old_key_hash, int *changed, struct kg_err *err);

int	store_credential_delete(struct store *st, const char *id,
	    struct kg_err *err);

/* How many credentials are sealed under key_hash. */
int	store_credential_count_key(struct store *st, const char *key_hash,
	    long *count, struct kg_err *err);

/* Ids of the credentials not sealed under key_hash (to re-encrypt). */
int	store_credential_ids_not_under(struct store *st, const char *key_hash,
	    char ***ids, size_t *n, struct kg_err *err);

#endif /* KG_STORE_CREDENTIAL_H */
