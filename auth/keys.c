/*
 * keys.c - the signing key repository (see keys.h): a directory of P-256
 * private keys named by index, rotated like Keystone's fernet keys.
 * Every write goes to a temporary file (0600) that is fsync'd and renamed
 * into place, so a reader never sees a half-written key. Changes to the
 * repository (setup, rotation) hold an exclusive flock on the directory
 * and loads a shared one, so that two keygate commands started at once on
 * one data_dir (two bootstraps, a serve and a db-sync) neither both
 * create the first keys nor read a rotation half done.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/jwt.h"
#include "auth/keys.h"
#include "common/log.h"
#include "common/util.h"

#define KEYS_MAX_FILES	256	/* more index files than this is a mistake */
#define KEY_FILE_MAX	(16 * 1024)

static int
cmp_long(const void *a, const void *b)
{
	long	x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

/* Nonzero when name is a key file name: decimal digits, no leading zero. */
static int
is_index(const char *name, long *out)
{
	const char	*p;
	char		*end;

	if (name[0] == '\0' || strlen(name) > 9)
		return 0;
	for (p = name; *p; p++)
		if (*p < '0' || *p > '9')
			return 0;
	if (name[0] == '0' && name[1] != '\0')
		return 0;
	*out = strtol(name, &end, 10);
	return 1;
}

/* Sorted key indexes in dir: *idx[*n]. Returns 0 or -1. */
static int
list_indexes(const char *dir, long *idx, size_t *n, struct kg_err *err)
{
	DIR		*d;
	struct dirent	*de;
	long		 v;

	*n = 0;
	if ((d = opendir(dir)) == NULL)
		return kg_errf(err, KG_EINTERNAL, "key repository %s: %s", dir,
		    strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (!is_index(de->d_name, &v))
			continue;
		if (*n == KEYS_MAX_FILES) {
			closedir(d);
			return kg_errf(err, KG_EINTERNAL, "key repository %s: too many keys",
			    dir);
		}
		idx[(*n)++] = v;
	}
	closedir(d);
	qsort(idx, *n, sizeof(*idx), cmp_long);
	return 0;
}

static int
fsync_dir(const char *dir)
{
	int	fd, rc;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY)) == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Write data to dir/name atomically with mode 0600. */
static int
write_atomic(const char *dir, const char *name, const char *data, size_t len,
    struct kg_err *err)
{
	char	tmp[PATH_MAX], dst[PATH_MAX];
	size_t	off = 0;
	ssize_t	w;
	int	fd;

	snprintf(dst, sizeof(dst), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.tmp-%s-XXXXXX", dir, name);
	if ((fd = mkstemp(tmp)) == -1)
		return kg_errf(err, KG_EINTERNAL, "key repository: mkstemp in %s: %s",
		    dir, strerror(errno));
	if (fchmod(fd, 0600) == -1)
		goto fail;
	while (off < len) {
		if ((w = write(fd, data + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)w;
	}
	if (fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, dst) == -1)
		goto fail;
	fsync_dir(dir);
	return 0;
 fail:
	kg_errf(err, KG_EINTERNAL, "key repository: writing %s: %s", dst,
	    strerror(errno));
	if (fd != -1)
		close(fd);
	unlink(tmp);
	return -1;
}

/* Generate a key and store it as dir/<index>. */
static int
new_key_file(const char *dir, long index, struct kg_err *err)
{
	struct jwt_key	*k;
	char		*pem, name[16];
	int		 rc;

	if ((k = jwt_key_generate(err)) == NULL)
		return -1;
	pem = jwt_key_private_pem(k, err);
	jwt_key_free(k);
	if (pem == NULL)
		return -1;
	snprintf(name, sizeof(name), "%ld", index);
	rc = write_atomic(dir, name, pem, strlen(pem), err);
	kg_wipe(pem, strlen(pem));
	free(pem);
	return rc;
}

/* Make sure dir exists with mode 0700 (tightening it when looser). */
static int
ensure_dir(const char *dir, struct kg_err *err)
{
	struct stat	sb;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return kg_errf(err, KG_EINTERNAL, "mkdir %s: %s", dir, strerror(errno));
	if (stat(dir, &sb) == -1)
		return kg_errf(err, KG_EINTERNAL, "stat %s: %s", dir, strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return kg_errf(err, KG_EINTERNAL, "%s is not a directory", dir);
	if ((sb.st_mode & 077) != 0) {
		log_warn("%s: key repository %s was mode %03o; setting 0700", __func__,
		    dir, (unsigned int)(sb.st_mode & 0777));
		if (chmod(dir, 0700) == -1)
			return kg_errf(err, KG_EINTERNAL, "chmod %s: %s", dir,
			    strerror(errno));
	}
	return 0;
}

/* Lock the repository dir (LOCK_EX or LOCK_SH); the fd to unlock_dir, or
 * -1 with err. */
static int
lock_dir(const char *dir, int how, struct kg_err *err)
{
	int	fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return kg_errf(err, KG_EINTERNAL, "key repository %s: %s", dir,
		    strerror(errno));
	while (flock(fd, how) == -1) {
		if (errno == EINTR)
			continue;
		kg_errf(err, KG_EINTERNAL, "lock %s: %s", dir, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void
unlock_dir(int fd)
{
	if (fd != -1)
		close(fd);	/* releases the flock */
}

static int	rotate_locked(const char *dir, int max_active, struct kg_err *err);

int
keys_setup(const char *dir, struct kg_err *err)
{
	long	idx[KEYS_MAX_FILES];
	size_t	n;
	int	fd, rc = -1;

	if (ensure_dir(dir, err) == -1 || (fd = lock_dir(dir, LOCK_EX, err)) == -1)
		return -1;
	if (list_indexes(dir, idx, &n, err) == -1)
		goto done;
	rc = 0;
	if (n > 0)
		goto done;
	/* As keystone-manage fernet_setup: a staged key, then rotate once. */
	rc = -1;
	if (new_key_file(dir, 0, err) == -1 ||
	    rotate_locked(dir, KEYS_MAX_ACTIVE_DEFAULT, err) == -1)
		goto done;
	log_info("%s: created signing keys in %s", __func__, dir);
	rc = 0;
 done:
	unlock_dir(fd);
	return rc;
}

int
keys_rotate(const char *dir, int max_active, struct kg_err *err)
{
	int	fd, rc;

	if (max_active < 2)
		return kg_errf(err, KG_EBADREQ, "max_active must be at least 2");
	if (ensure_dir(dir, err) == -1 || (fd = lock_dir(dir, LOCK_EX, err)) == -1)
		return -1;
	rc = rotate_locked(dir, max_active, err);
	unlock_dir(fd);
	return rc;
}

static int
rotate_locked(const char *dir, int max_active, struct kg_err *err)
{
	long	idx[KEYS_MAX_FILES];
	size_t	n, i, keep;
	char	from[PATH_MAX], to[PATH_MAX];

	if (list_indexes(dir, idx, &n, err) == -1)
		return -1;
	if (n == 0)
		return kg_errf(err, KG_EINTERNAL,
		    "no keys in %s: run \"keygate keys create\" first", dir);
	/* Promote the staged key (or make one when it is missing). */
	if (idx[0] != 0 && new_key_file(dir, 0, err) == -1)
		return -1;
	snprintf(from, sizeof(from), "%s/0", dir);
	snprintf(to, sizeof(to), "%s/%ld", dir, idx[n - 1] + 1);
	if (rename(from, to) == -1)
		return kg_errf(err, KG_EINTERNAL, "rename %s: %s", from, strerror(errno));
	if (new_key_file(dir, 0, err) == -1)
		return -1;
	/* Keep the staged key plus the max_active - 1 highest indexes. */
	if (list_indexes(dir, idx, &n, err) == -1)
		return -1;
	keep = (size_t)max_active;
	for (i = 1; i < n && n - i >= keep; i++) {
		snprintf(from, sizeof(from), "%s/%ld", dir, idx[i]);
		if (unlink(from) == -1)
			return kg_errf(err, KG_EINTERNAL, "unlink %s: %s", from,
			    strerror(errno));
		log_info("keys_rotate: removed key %ld", idx[i]);
	}
	fsync_dir(dir);
	log_info("keys_rotate: key %ld is now primary", idx[n - 1]);
	return 0;
}

/* Read and parse dir/<index>; warns when the file is readable by others. */
static struct jwt_key *
load_file(const char *dir, long index, struct kg_err *err)
{
	struct jwt_key	*k = NULL;
	struct stat	 sb;
	char		 path[PATH_MAX], *buf = NULL;
	ssize_t		 r;
	size_t		 len = 0;
	int		 fd;

	snprintf(path, sizeof(path), "%s/%ld", dir, index);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW)) == -1) {
		kg_errf(err, KG_EINTERNAL, "open %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) || sb.st_size > KEY_FILE_MAX) {
		kg_errf(err, KG_EINTERNAL, "%s is not a key file", path);
		goto done;
	}
	if ((sb.st_mode & 077) != 0)
		log_warn("%s: %s is mode %03o; it should be 0600", __func__, path,
		    (unsigned int)(sb.st_mode & 0777));
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		goto done;
	}
	while (len < (size_t)sb.st_size &&
	    (r = read(fd, buf + len, (size_t)sb.st_size - len)) > 0)
		len += (size_t)r;
	if ((k = jwt_key_from_pem(buf, len, err)) == NULL)
		kg_errf(err, KG_EINTERNAL, "%s: not a P-256 private key", path);
	else if (!jwt_key_is_private(k)) {
		jwt_key_free(k);
		k = NULL;
		kg_errf(err, KG_EINTERNAL, "%s: not a private key", path);
	}
 done:
	if (buf != NULL) {
		kg_wipe(buf, len);
		free(buf);
	}
	close(fd);
	return k;
}

int
keys_load(const char *dir, struct jwt_keyset *ks, struct jwt_key **primary,
    struct kg_err *err)
{
	long	idx[KEYS_MAX_FILES];
	size_t	n, i;

	int	fd, rc = -1;

	ks->keys = NULL;
	ks->n = 0;
	*primary = NULL;
	if ((fd = lock_dir(dir, LOCK_SH, err)) == -1)
		return -1;
	if (list_indexes(dir, idx, &n, err) == -1)
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
	unlock_dir(fd);
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
	long		 idx[KEYS_MAX_FILES];
	size_t		 n, i;
	const char	*role;

	if (list_indexes(dir, idx, &n, err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if ((k = load_file(dir, idx[i], err)) == NULL)
			return -1;
		if (i == n - 1)
			role = "primary";
		else if (idx[i] == 0)
			role = "staged";
		else
			role = "secondary";
		fprintf(fp, "%ld %s %s\n", idx[i], role, jwt_key_kid(k));
		jwt_key_free(k);
	}
	return 0;
}
