/*
 * test_credkeys.c - the focus of this file is auth/credkeys.c: credential
 * blobs sealed at rest (AES-256-GCM bound to the credential's id, user,
 * project and type), the key repository, and rotations that lose no
 * credential: rotate with every key kept, re-seal under the new primary,
 * prune only what nothing uses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/credkeys.h"
#include "auth/keydir.h"
#include "tests/t.h"

static char	dir[256];

static int
nkeys(void)
{
	struct kg_err	err = { 0 };
	long		idx[KEYDIR_MAX_FILES];
	size_t		n;

	return keydir_indexes(dir, idx, &n, &err) == -1 ? -1 : (int)n;
}

/* Open sealed (under key_id) for aad and compare with want. */
static int
opens_to(struct credkeys *ck, const struct credkeys_aad *aad, const char *sealed,
    const char *key_id, const char *want)
{
	struct kg_err	 err = { 0 };
	char		*plain;
	size_t		 len;
	int		 ok;

	if (credkeys_open_blob(ck, aad, sealed, key_id, &plain, &len, &err) == -1)
		return 0;
	ok = len == strlen(want) && strcmp(plain, want) == 0;
	credkeys_free_plain(plain);
	return ok;
}

/* Nonzero when key_id is among the keys "list" prints. */
static int
listed(const char *key_id)
{
	struct kg_err	 err = { 0 };
	char		 buf[4096];
	FILE		*fp = fmemopen(buf, sizeof(buf), "w");
	int		 rc;

	if (fp == NULL)
		return 0;
	rc = credkeys_list(dir, fp, NULL, NULL, &err);
	fclose(fp);
	return rc == 0 && strstr(buf, key_id) != NULL;
}

/* in_use callback: the key ids in cls (a NULL-terminated array) are. */
static int
uses(const char *key_id, void *cls)
{
	const char *const	*v;

	for (v = cls; *v != NULL; v++)
		if (strcmp(key_id, *v) == 0)
			return 1;
	return 0;
}

int
main(void)
{
	struct kg_err		 err = { 0 };
	struct credkeys		*ck;
	struct credkeys_aad	 aad = { "c1", "u1", "p1", "ec2" };
	struct credkeys_aad	 other = { "c1", "u2", "p1", "ec2" };
	const char		*blob = "{\"access\": \"a\", \"secret\": \"s\"}";
	char			*sealed = NULL, *sealed2 = NULL, *resealed = NULL;
	char			 k1[CREDKEY_ID_SIZE], k2[CREDKEY_ID_SIZE];
	char			 k3[CREDKEY_ID_SIZE], path[300];
	struct stat		 sb;
	size_t			 kept = 0;
	int			 i;

	snprintf(dir, sizeof(dir), "/tmp/kg-credkeys-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 2;
	strncat(dir, "/ck", sizeof(dir) - strlen(dir) - 1);

	T("credkeys-1.1 setup creates a staged and a primary key",
	    credkeys_setup(dir, &err) == 0 && nkeys() == 2);
	T("credkeys-1.2 the directory is 0700, the keys 0600",
	    stat(dir, &sb) == 0 && (sb.st_mode & 0777) == 0700 &&
	    snprintf(path, sizeof(path), "%s/1", dir) > 0 &&
	    stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	T("credkeys-1.3 setup again changes nothing",
	    credkeys_setup(dir, &err) == 0 && nkeys() == 2);
	T("credkeys-1.4 open loads the keys", (ck = credkeys_open(dir, &err)) != NULL);
	if (ck == NULL)
		return t_report();

	T("credkeys-2.1 seal", credkeys_seal(ck, &aad, blob, strlen(blob), &sealed,
	    k1, &err) == 0 && strncmp(sealed, "kgc1.", 5) == 0 &&
	    strstr(sealed, "secret") == NULL);
	T("credkeys-2.2 open gives the blob back", opens_to(ck, &aad, sealed, k1,
	    blob));
	T("credkeys-2.3 sealing twice gives different texts (fresh nonce)",
	    credkeys_seal(ck, &aad, blob, strlen(blob), &sealed2, k2, &err) == 0 &&
	    strcmp(sealed, sealed2) != 0 && strcmp(k1, k2) == 0);
	T("credkeys-2.4 a blob moved to another user does not open",
	    !opens_to(ck, &other, sealed, k1, blob));
	sealed2[10] = sealed2[10] == 'A' ? 'B' : 'A';
	T("credkeys-2.5 a tampered blob does not open",
	    !opens_to(ck, &aad, sealed2, k1, blob));
	T("credkeys-2.6 an unknown key id does not open",
	    !opens_to(ck, &aad, sealed, "0123456789abcdef", blob));
	T("credkeys-2.7 garbage does not open", !opens_to(ck, &aad, "kgc1.!!", k1,
	    blob) && !opens_to(ck, &aad, "plain", k1, blob) &&
	    !opens_to(ck, &aad, "kgc1.", k1, blob));
	free(sealed2);
	sealed2 = NULL;

	/* Rotation as "keygate credential-keys rotate" does it. */
	T("credkeys-3.1 rotate keeping every key",
	    credkeys_rotate(dir, KEYDIR_KEEP_ALL, NULL, NULL, NULL, &err) == 0 &&
	    nkeys() == 3);
	T("credkeys-3.2 a server that has not reloaded still opens the blob",
	    opens_to(ck, &aad, sealed, k1, blob));
	T("credkeys-3.3 reload: the primary changed",
	    credkeys_reload(ck, &err) == 0 && (credkeys_primary_id(ck, k2), 1) &&
	    strcmp(k1, k2) != 0);
	T("credkeys-3.4 reseal moves the blob to the new primary",
	    credkeys_reseal(ck, &aad, sealed, k1, &resealed, k3, &err) == 0 &&
	    resealed != NULL && strcmp(k3, k2) == 0 &&
	    opens_to(ck, &aad, resealed, k3, blob));
	T("credkeys-3.5 reseal of a blob already under the primary: nothing",
	    credkeys_reseal(ck, &aad, resealed, k3, &sealed2, k1, &err) == 0 &&
	    sealed2 == NULL);
	/* Two more rotations: the oldest key is beyond max_active 3 but a
	 * credential still uses it: pruning keeps it. */
	for (i = 0; i < 2; i++)
		credkeys_rotate(dir, KEYDIR_KEEP_ALL, NULL, NULL, NULL, &err);
	{
		const char	*both[] = { k1, k3, NULL };

		T("credkeys-3.6 prune keeps the keys still in use",
		    credkeys_prune(dir, 3, uses, both, &kept, &err) == 0 &&
		    kept == 2 && listed(k1) && listed(k3) && nkeys() == 5);
	}
	T("credkeys-3.7 the old blob still opens after a reload",
	    credkeys_reload(ck, &err) == 0 && opens_to(ck, &aad, sealed, k1, blob));
	{
		const char	*one[] = { k3, NULL };

		T("credkeys-3.8 prune removes a key once nothing uses it",
		    credkeys_prune(dir, 3, uses, one, &kept, &err) == 0 &&
		    kept == 1 && !listed(k1) && listed(k3) && nkeys() == 4);
	}
	T("credkeys-3.9 the re-sealed blob still opens",
	    credkeys_reload(ck, &err) == 0 && opens_to(ck, &aad, resealed, k3, blob));
	T("credkeys-3.10 the removed key's blob does not open",
	    !opens_to(ck, &aad, sealed, k1, blob));

	/* Another process rotated: a blob under a key this one has not
	 * loaded makes it reload once; so does sealing (the primary moved). */
	{
		struct credkeys	*ck2 = credkeys_open(dir, &err);
		char		*s3 = NULL, k4[CREDKEY_ID_SIZE];

		credkeys_rotate(dir, KEYDIR_KEEP_ALL, NULL, NULL, NULL, &err);
		credkeys_reload(ck2, &err);
		T("credkeys-4.1 a key loaded elsewhere is found by reloading",
		    ck2 != NULL && credkeys_seal(ck2, &aad, blob, strlen(blob), &s3, k4,
		    &err) == 0 && opens_to(ck, &aad, s3, k4, blob));
		free(s3);
		s3 = NULL;
		credkeys_rotate(dir, KEYDIR_KEEP_ALL, NULL, NULL, NULL, &err);
		credkeys_primary_id(ck2, k4);
		T("credkeys-4.2 sealing after a rotation elsewhere uses the new "
		    "primary", credkeys_seal(ck, &aad, blob, strlen(blob), &s3, k2,
		    &err) == 0 && strcmp(k2, k4) != 0 &&
		    credkeys_reload(ck2, &err) == 0 &&
		    (credkeys_primary_id(ck2, k4), strcmp(k2, k4) == 0));
		free(s3);
		credkeys_close(ck2);
	}
	snprintf(path, sizeof(path), "%s/1", dir);
	T("credkeys-5.1 a key file that is not base64 of 32 bytes is refused",
	    keydir_write(dir, 99, "short\n", 6, &err) == 0 &&
	    credkeys_reload(ck, &err) == -1 && opens_to(ck, &aad, resealed, k3, blob));

	free(sealed);
	free(resealed);
	credkeys_close(ck);
	{
		char	cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%.*s'", (int)(strlen(dir) - 3), dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", dir);
	}
	return t_report();
}
