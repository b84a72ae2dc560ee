/*
 * test_keys.c - the focus of this file is auth/keys.c: the key repository
 * (setup, permissions, rotation with staged/primary/secondary, pruning,
 * listing, loading) and that rotation keeps tokens verifiable.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth/jwt.h"
#include "auth/keys.h"
#include "tests/t.h"

static int
mode_of(const char *path)
{
	struct stat	sb;

	return stat(path, &sb) == 0 ? (int)(sb.st_mode & 0777) : -1;
}

/* Names in dir joined with ',' in sorted order (only index files + temp). */
static void
names(const char *dir, char *out, size_t outsz)
{
	struct dirent	**de;
	int		  n, i;

	out[0] = '\0';
	if ((n = scandir(dir, &de, NULL, alphasort)) < 0)
		return;
	for (i = 0; i < n; i++) {
		if (de[i]->d_name[0] != '.' || strncmp(de[i]->d_name, ".tmp", 4) == 0) {
			if (out[0] != '\0')
				strncat(out, ",", outsz - strlen(out) - 1);
			strncat(out, de[i]->d_name, outsz - strlen(out) - 1);
		}
		free(de[i]);
	}
	free(de);
}

static char *
kid_of(const char *dir, const char *name)
{
	char		 path[512], buf[4096];
	FILE		*fp;
	size_t		 n;
	struct jwt_key	*k;
	struct kg_err	 err = { 0 };
	char		*kid = NULL;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	if ((k = jwt_key_from_pem(buf, n, &err)) != NULL) {
		kid = strdup(jwt_key_kid(k));
		jwt_key_free(k);
	}
	return kid;
}

/*
 * keys-6: eight processes set up one empty repository at once (two
 * bootstraps, or a serve and a bootstrap, started together on one
 * data_dir), then rotate it at once: every call succeeds, and the
 * repository holds what one setup and eight rotations make. Without the
 * directory lock, two setups both promoted a staged key that the other
 * had already renamed (rename: No such file or directory).
 */
static void
test_concurrent(const char *base)
{
	char	dir[256], ls[256];
	pid_t	pids[8];
	int	i, st, okset = 1, okrot = 1;

	snprintf(dir, sizeof(dir), "%s/race", base);
	for (i = 0; i < 8; i++)
		if ((pids[i] = fork()) == 0) {
			struct kg_err	e = { 0 };

			_exit(keys_setup(dir, &e) == 0 ? 0 : 1);
		}
	for (i = 0; i < 8; i++)
		if (pids[i] == -1 || waitpid(pids[i], &st, 0) == -1 ||
		    !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			okset = 0;
	names(dir, ls, sizeof(ls));
	T("keys-6.1 eight setups at once all succeed: staged 0 and primary 1",
	    okset && strcmp(ls, "0,1") == 0);
	for (i = 0; i < 8; i++)
		if ((pids[i] = fork()) == 0) {
			struct kg_err	e = { 0 };

			_exit(keys_rotate(dir, 20, &e) == 0 ? 0 : 1);
		}
	for (i = 0; i < 8; i++)
		if (pids[i] == -1 || waitpid(pids[i], &st, 0) == -1 ||
		    !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			okrot = 0;
	names(dir, ls, sizeof(ls));
	T("keys-6.2 eight rotations at once all succeed: keys 0..9",
	    okrot && strcmp(ls, "0,1,2,3,4,5,6,7,8,9") == 0);
}

int
main(void)
{
	struct kg_err	 err = { 0 };
	struct jwt_keyset ks;
	struct jwt_key	*primary;
	char		 base[] = "/tmp/kg-keys-XXXXXX", dir[256], path[300], ls[256];
	char		*kid0, *kid1, *kid0b = NULL, *tok, *out = NULL;
	json_t		*claims, *c = NULL;
	FILE		*fp;
	size_t		 outlen = 0;
	int		 rc;

	if (mkdtemp(base) == NULL)
		return 1;
	snprintf(dir, sizeof(dir), "%s/keys", base);

	T("keys-1.1 rotate before create fails",
	    mkdir(dir, 0755) == 0 && keys_rotate(dir, 3, &err) == -1);
	T("keys-1.2 setup creates staged 0 and primary 1", keys_setup(dir, &err) == 0 &&
	    (names(dir, ls, sizeof(ls)), strcmp(ls, "0,1") == 0));
	T("keys-1.3 directory tightened to 0700", mode_of(dir) == 0700);
	snprintf(path, sizeof(path), "%s/0", dir);
	T("keys-1.4 key files are 0600", mode_of(path) == 0600 &&
	    (snprintf(path, sizeof(path), "%s/1", dir), mode_of(path) == 0600));
	kid0 = kid_of(dir, "0");
	kid1 = kid_of(dir, "1");
	T("keys-1.5 both files hold distinct P-256 private keys",
	    kid0 && kid1 && strcmp(kid0, kid1) != 0);
	T("keys-1.6 setup is idempotent", keys_setup(dir, &err) == 0 &&
	    (names(dir, ls, sizeof(ls)), strcmp(ls, "0,1") == 0) &&
	    (kid0b = kid_of(dir, "0")) != NULL && t_streq(kid0b, kid0));
	free(kid0b);
	kid0b = NULL;

	/* a token signed by the primary before rotation */
	T("keys-2.1 load: 2 keys, primary is index 1",
	    keys_load(dir, &ks, &primary, &err) == 0 && ks.n == 2 &&
	    t_streq(jwt_key_kid(primary), kid1));
	claims = json_pack("{s:s}", "sub", "x");
	tok = jwt_sign(primary, claims, &err);
	keys_free(&ks);

	T("keys-3.1 rotate promotes staged 0 to 2 and makes a new 0",
	    keys_rotate(dir, 3, &err) == 0 &&
	    (names(dir, ls, sizeof(ls)), strcmp(ls, "0,1,2") == 0) &&
	    (kid0b = kid_of(dir, "2")) != NULL && t_streq(kid0b, kid0));
	free(kid0b);
	kid0b = kid_of(dir, "0");
	T("keys-3.2 new staged key differs", kid0b && kid0 && strcmp(kid0b, kid0) != 0);
	free(kid0b);
	T("keys-3.3 new staged key file is 0600",
	    (snprintf(path, sizeof(path), "%s/0", dir), mode_of(path) == 0600));
	T("keys-3.4 after rotation the old token verifies and the primary is 2",
	    keys_load(dir, &ks, &primary, &err) == 0 && ks.n == 3 &&
	    strcmp(jwt_key_kid(primary), kid0) == 0 &&
	    (c = jwt_verify(&ks, tok, strlen(tok), &err)) != NULL);
	json_decref(c);
	keys_free(&ks);

	T("keys-3.5 second rotation prunes beyond max_active=3 (drops 1)",
	    keys_rotate(dir, 3, &err) == 0 &&
	    (names(dir, ls, sizeof(ls)), strcmp(ls, "0,2,3") == 0));
	T("keys-3.6 token of the pruned key no longer verifies",
	    keys_load(dir, &ks, &primary, &err) == 0 &&
	    jwt_verify(&ks, tok, strlen(tok), &err) == NULL);
	keys_free(&ks);
	T("keys-3.7 max_active=5 keeps more", keys_rotate(dir, 5, &err) == 0 &&
	    keys_rotate(dir, 5, &err) == 0 &&
	    (names(dir, ls, sizeof(ls)), strcmp(ls, "0,2,3,4,5") == 0));
	T("keys-3.8 max_active < 2 refused", keys_rotate(dir, 1, &err) == -1);

	fp = open_memstream(&out, &outlen);
	rc = keys_list(dir, fp, &err);
	fclose(fp);
	kid0b = kid_of(dir, "5");
	T("keys-4.1 list: index, role, kid per line", rc == 0 && out != NULL &&
	    strncmp(out, "0 staged ", 9) == 0 && strstr(out, "\n2 secondary ") != NULL &&
	    strstr(out, "\n5 primary ") != NULL && kid0b && strstr(out, kid0b) != NULL);
	free(out);
	free(kid0b);

	snprintf(path, sizeof(path), "%s/7", dir);
	fp = fopen(path, "w");
	fputs("-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n", fp);
	fclose(fp);
	T("keys-5.1 a malformed key file makes load fail",
	    keys_load(dir, &ks, &primary, &err) == -1 && ks.n == 0);
	unlink(path);
	snprintf(path, sizeof(path), "%s/notakey", dir);
	fp = fopen(path, "w");
	fputs("x", fp);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/007", dir);
	fp = fopen(path, "w");
	fputs("x", fp);
	fclose(fp);
	T("keys-5.2 non-index names are ignored",
	    keys_load(dir, &ks, &primary, &err) == 0 && ks.n == 5);
	keys_free(&ks);
	T("keys-5.3 no temp files left behind",
	    (names(dir, ls, sizeof(ls)), strstr(ls, ".tmp") == NULL));

	test_concurrent(base);

	json_decref(claims);
	free(tok);
	free(kid0);
	free(kid1);
	snprintf(path, sizeof(path), "rm -rf '%s'", base);
	if (system(path) != 0)
		return 1;
	return t_report();
}
