/*
 * keys.c - the signing key repository (see keys.h): P-256 private keys in
 * PEM files, in an index-named directory rotated like Keystone's fernet
 * keys (auth/keydir.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/jwt.h"
#include "auth/keydir.h"
#include "auth/keys.h"
#include "common/log.h"
#include "common/util.h"

#define KEY_FILE_MAX	(16 * 1024)

/* keydir_gen_fn: a new P-256 private key as PEM text. */
static char *
gen_pem(size_t *len, struct kg_err *err)
{
	struct jwt_key	*k;
	char		*pem;

	if ((k = jwt_key_generate(err)) == NULL)
		return NULL;
	pem = jwt_key_private_pem(k, err);
	jwt_key_free(k);
	if (pem != NULL)
		*len = strlen(pem);
	return pem;
}

int
keys_setup(const char *dir, struct kg_err *err)
{
	int	rc;

	if ((rc = keydir_setup(dir, gen_pem, KEYS_MAX_ACTIVE_DEFAULT, NULL, NULL,
	    err)) == -1)
		return -1;
	if (rc == 1)
		log_info("%s: created signing keys in %s", __func__, dir);
	return 0;
}

int
keys_rotate(const char *dir, int max_active, struct kg_err *err)
{
	return keydir_rotate(dir, max_active, gen_pem, NULL, NULL, NULL, err);
}

/* Read and parse dir/<index>. */
static struct jwt_key *
load_file(const char *dir, long index, struct kg_err *err)
{
	struct jwt_key	*k;
	char		*buf;
	size_t		 len;

	if ((buf = keydir_read(dir, index, KEY_FILE_MAX, &len, err)) == NULL)
		return NULL;
	if ((k = jwt_key_from_pem(buf, len, err)) == NULL)
		kg_errf(err, KG_EINTERNAL, "%s/%ld: not a P-256 private key", dir, index);
	else if (!jwt_key_is_private(k)) {
		jwt_key_free(k);
		k = NULL;
		kg_errf(err, KG_EINTERNAL, "%s/%ld: not a private key", dir, index);
	}
	kg_wipe(buf, len);
	free(buf);
	return k;
}

int
keys_load(const char *dir, struct jwt_keyset *ks, struct jwt_key **primary,
    struct kg_err *err)
{
	long	idx[KEYDIR_MAX_FILES];
	size_t	n, i;
	int	fd, rc = -1;

	ks->keys = NULL;
	ks->n = 0;
	*primary = NULL;
	/* Shared: no rotation is half done while we read. */
	if ((fd = keydir_lock(dir, 0, err)) == -1)
		return -1;
	if (keydir_indexes(dir, idx, &n, err) == -1)
		goto done;
	if (n == 0) {
		kg_errf(err, KG_EINTERNAL, "no signing keys in %s", dir);
		goto done;
	}
	if ((ks->keys = calloc(n, sizeof(*ks->keys))) == NULL) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		goto done;
	}
	for (i = 0; i < n; i++) {
		if ((ks->keys[i] = load_file(dir, idx[i], err)) == NULL) {
			keys_free(ks);
			goto done;
		}
		ks->n++;
	}
	*primary = ks->keys[n - 1];
	rc = 0;
 done:
	keydir_unlock(fd);
	return rc;
}

void
keys_free(struct jwt_keyset *ks)
{
	size_t	i;

	if (ks == NULL)
		return;
	for (i = 0; i < ks->n; i++)
		jwt_key_free(ks->keys[i]);
	free(ks->keys);
	ks->keys = NULL;
	ks->n = 0;
}

int
keys_list(const char *dir, FILE *fp, struct kg_err *err)
{
	struct jwt_key	*k;
	long		 idx[KEYDIR_MAX_FILES];
	size_t		 n, i;

	if (keydir_indexes(dir, idx, &n, err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if ((k = load_file(dir, idx[i], err)) == NULL)
			return -1;
		fprintf(fp, "%ld %s %s\n", idx[i], keydir_role(idx, n, i),
		    jwt_key_kid(k));
		jwt_key_free(k);
	}
	return 0;
}
