/*
 * credcli.c - "keygate credential-keys" (see credcli.h).
 */
#include <stdlib.h>
#include <string.h>

#include "auth/credkeys.h"
#include "common/log.h"
#include "server/credcli.h"
#include "store/credential.h"
#include "svc/svc.h"

/* credkeys_list / credkeys_rotate callbacks over the store. */
static long
count_key(const char *key_id, void *cls)
{
	struct kg_err	err = { 0 };
	long		n;

	if (store_credential_count_key(cls, key_id, &n, &err) == -1) {
		log_error("%s", err.msg);
		return -1;
	}
	return n;
}

static int
key_in_use(const char *key_id, void *cls)
{
	long	n = count_key(key_id, cls);

	return n < 0 ? -1 : n > 0;
}

/* Re-encrypt every credential not sealed under the primary of dir. */
static int
migrate(struct store *st, const char *dir, FILE *fp, struct kg_err *err)
{
	struct credkeys		*ck;
	struct kg_credential	 c;
	struct credkeys_aad	 aad;
	char			 primary[CREDKEY_ID_SIZE], new_id[CREDKEY_ID_SIZE];
	char			**ids = NULL, *sealed;
	size_t			 n = 0, i, done = 0;
	int			 changed, rc = -1;

	if ((ck = credkeys_open(dir, err)) == NULL)
		return -1;
	credkeys_primary_id(ck, primary);
	if (store_credential_ids_not_under(st, primary, &ids, &n, err) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		memset(&c, 0, sizeof(c));
		if (store_credential_get(st, ids[i], &c, err) == -1) {
			if (err->kind == KG_ENOTFOUND) {	/* deleted meanwhile */
				kg_err_clear(err);
				continue;
			}
			goto out;
		}
		aad.id = c.id;
		aad.user_id = c.user_id;
		aad.project_id = c.project_id;
		aad.type = c.type;
		if (credkeys_reseal(ck, &aad, c.encrypted_blob, c.key_hash, &sealed,
		    new_id, err) == -1) {
			kg_credential_free(&c);
			goto out;
		}
		if (sealed != NULL) {
			changed = 0;
			if (svc_credential_reseal(st, c.id, c.key_hash, sealed, new_id,
			    &changed, err) == -1 && err->kind != KG_ENOTFOUND) {
				free(sealed);
				kg_credential_free(&c);
				goto out;
			}
			kg_err_clear(err);
			done += changed;
			free(sealed);
		}
		kg_credential_free(&c);
	}
	fprintf(fp, "%zu credentials re-encrypted under key %s\n", done, primary);
	rc = 0;
 out:
	store_strv_free(ids, n);
	credkeys_close(ck);
	return rc;
}

int
credcli_run(const struct kg_config *cfg, const char *verb, int max_active,
    FILE *fp, struct kg_err *err)
{
	const char	*dir = config_cred_key_dir(cfg);
	struct store	*st;
	size_t		 kept = 0;
	int		 rc = -1;

	if (strcmp(verb, "create") == 0)
		return credkeys_setup(dir, err);
	if (strcmp(verb, "list") != 0 && strcmp(verb, "rotate") != 0 &&
	    strcmp(verb, "migrate") != 0)
		return kg_errf(err, KG_EBADREQ, "unknown command %s (create, list, "
		    "rotate, migrate)", verb);
	if ((st = store_open(config_db_path(cfg), err)) == NULL)
		return -1;
	if (store_migrate(st, NULL, NULL, err) == -1)
		goto out;
	if (strcmp(verb, "list") == 0)
		rc = credkeys_list(dir, fp, count_key, st, err);
	else if (strcmp(verb, "migrate") == 0)
		rc = migrate(st, dir, fp, err);
	else {
		/* Promote first, keeping every key; re-encrypt; then remove the
		 * old keys nothing uses any more. */
		if (credkeys_rotate(dir, KEYDIR_KEEP_ALL, NULL, NULL, NULL, err) == -1 ||
		    migrate(st, dir, fp, err) == -1 ||
		    credkeys_prune(dir, max_active, key_in_use, st, &kept, err) == -1)
			goto out;
		if (kept > 0)
			fprintf(fp, "%zu old keys kept: credentials still use them\n",
			    kept);
		fprintf(fp, "rotated; send SIGHUP to running servers\n");
		rc = 0;
	}
 out:
	store_close(st);
	return rc;
}
