/*
 * keydir.c - the index-named key repository shared by signing and
 * credential keys (see keydir.h).
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

#include "auth/keydir.h"
#include "common/log.h"
#include "common/util.h"

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

int
keydir_indexes(const char *dir, long *idx, size_t *n, struct kg_err *err)
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
		if (*n == KEYDIR_MAX_FILES) {
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

int
keydir_write(const char *dir, long index, const char *data, size_t len,
    struct kg_err *err)
{
	char	tmp[PATH_MAX], dst[PATH_MAX];
	size_t	off = 0;
	ssize_t	w;
	int	fd;

	snprintf(dst, sizeof(dst), "%s/%ld", dir, index);
	snprintf(tmp, sizeof(tmp), "%s/.tmp-%ld-XXXXXX", dir, index);
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

/* Generate a key with gen and store it as dir/<index>. */
static int
new_key_file(const char *dir, long index, keydir_gen_fn gen, struct kg_err *err)
{
	char	*data;
	size_t	 len = 0;
	int	 rc;

	if ((data = gen(&len, err)) == NULL)
		return -1;
	rc = keydir_write(dir, index, data, len, err);
	kg_wipe(data, len);
	free(data);
	return rc;
}

int
keydir_ensure(const char *dir, struct kg_err *err)
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

int
keydir_lock(const char *dir, int exclusive, struct kg_err *err)
{
	int	fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return kg_errf(err, KG_EINTERNAL, "key repository %s: %s", dir,
		    strerror(errno));
	while (flock(fd, exclusive ? LOCK_EX : LOCK_SH) == -1) {
		if (errno == EINTR)
			continue;
		kg_errf(err, KG_EINTERNAL, "lock %s: %s", dir, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

void
keydir_unlock(int fd)
{
	if (fd != -1)
		close(fd);	/* releases the flock */
}

static int	rotate_locked(const char *dir, int max_active, keydir_gen_fn gen,
		    keydir_may_remove_fn may_remove, void *cls, size_t *kept,
		    struct kg_err *err);
static int	prune_locked(const char *dir, int max_active,
		    keydir_may_remove_fn may_remove, void *cls, size_t *kept,
		    struct kg_err *err);

int
keydir_setup(const char *dir, keydir_gen_fn gen, int max_active,
    keydir_may_remove_fn may_remove, void *cls, struct kg_err *err)
{
	long	idx[KEYDIR_MAX_FILES];
	size_t	n;
	int	fd, rc = -1;

	if (max_active < 2)
		return kg_errf(err, KG_EBADREQ, "max_active must be at least 2");
	if (keydir_ensure(dir, err) == -1 ||
	    (fd = keydir_lock(dir, 1, err)) == -1)
		return -1;
	if (keydir_indexes(dir, idx, &n, err) == -1)
		goto done;
	rc = 0;
	if (n > 0)
		goto done;
	/* As keystone-manage fernet_setup: a staged key, then rotate once. */
	rc = -1;
	if (new_key_file(dir, 0, gen, err) == -1 ||
	    rotate_locked(dir, max_active, gen, may_remove, cls, NULL, err) == -1)
		goto done;
	rc = 1;
 done:
	keydir_unlock(fd);
	return rc;
}

int
keydir_rotate(const char *dir, int max_active, keydir_gen_fn gen,
    keydir_may_remove_fn may_remove, void *cls, size_t *kept, struct kg_err *err)
{
	int	fd, rc;

	if (kept != NULL)
		*kept = 0;
	if (max_active < 2)
		return kg_errf(err, KG_EBADREQ, "max_active must be at least 2");
	if (keydir_ensure(dir, err) == -1 ||
	    (fd = keydir_lock(dir, 1, err)) == -1)
		return -1;
	rc = rotate_locked(dir, max_active, gen, may_remove, cls, kept, err);
	keydir_unlock(fd);
	return rc;
}

static int
rotate_locked(const char *dir, int max_active, keydir_gen_fn gen,
    keydir_may_remove_fn may_remove, void *cls, size_t *kept, struct kg_err *err)
{
	long	idx[KEYDIR_MAX_FILES];
	size_t	n;
	char	from[PATH_MAX], to[PATH_MAX];

	if (keydir_indexes(dir, idx, &n, err) == -1)
		return -1;
	if (n == 0)
		return kg_errf(err, KG_EINTERNAL, "no keys in %s: create them first",
		    dir);
	/* Promote the staged key (or make one when it is missing). */
	if (idx[0] != 0 && new_key_file(dir, 0, gen, err) == -1)
		return -1;
	snprintf(from, sizeof(from), "%s/0", dir);
	snprintf(to, sizeof(to), "%s/%ld", dir, idx[n - 1] + 1);
	if (rename(from, to) == -1)
		return kg_errf(err, KG_EINTERNAL, "rename %s: %s", from, strerror(errno));
	if (new_key_file(dir, 0, gen, err) == -1)
		return -1;
	log_info("%s: key %ld is now primary", __func__, idx[n - 1] + 1);
	return prune_locked(dir, max_active, may_remove, cls, kept, err);
}

int
keydir_prune(const char *dir, int max_active, keydir_may_remove_fn may_remove,
    void *cls, size_t *kept, struct kg_err *err)
{
	int	fd, rc;

	if (kept != NULL)
		*kept = 0;
	if (max_active < 2)
		return kg_errf(err, KG_EBADREQ, "max_active must be at least 2");
	if ((fd = keydir_lock(dir, 1, err)) == -1)
		return -1;
	rc = prune_locked(dir, max_active, may_remove, cls, kept, err);
	keydir_unlock(fd);
	return rc;
}

static int
prune_locked(const char *dir, int max_active, keydir_may_remove_fn may_remove,
    void *cls, size_t *kept, struct kg_err *err)
{
	long	idx[KEYDIR_MAX_FILES];
	size_t	n, i, over;
	char	path[PATH_MAX];
	int	rc;

	/* Keep the staged key plus the max_active - 1 highest indexes;
	 * secondaries the owner still needs stay too. */
	if (keydir_indexes(dir, idx, &n, err) == -1)
		return -1;
	over = n > (size_t)max_active ? n - (size_t)max_active : 0;
	for (i = 1; i <= over; i++) {
		if (may_remove != NULL) {
			if ((rc = may_remove(dir, idx[i], cls, err)) == -1)
				return -1;
			if (rc == 0) {
				log_warn("%s: key %ld is still in use: kept", __func__,
				    idx[i]);
				if (kept != NULL)
					(*kept)++;
				continue;
			}
		}
		snprintf(path, sizeof(path), "%s/%ld", dir, idx[i]);
		if (unlink(path) == -1)
			return kg_errf(err, KG_EINTERNAL, "unlink %s: %s", path,
			    strerror(errno));
		log_info("%s: removed key %ld", __func__, idx[i]);
	}
	fsync_dir(dir);
	return 0;
}

char *
keydir_read(const char *dir, long index, size_t max, size_t *len,
    struct kg_err *err)
{
	struct stat	 sb;
	char		 path[PATH_MAX], *buf = NULL;
	ssize_t		 r;
	size_t		 got = 0;
	int		 fd;

	*len = 0;
	snprintf(path, sizeof(path), "%s/%ld", dir, index);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW)) == -1) {
		kg_errf(err, KG_EINTERNAL, "open %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    (size_t)sb.st_size > max) {
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
	while (got < (size_t)sb.st_size &&
	    (r = read(fd, buf + got, (size_t)sb.st_size - got)) > 0)
		got += (size_t)r;
	buf[got] = '\0';
	*len = got;
 done:
	close(fd);
	return buf;
}

const char *
keydir_role(const long *idx, size_t n, size_t i)
{
	if (i == n - 1)
		return "primary";
	if (idx[i] == 0)
		return "staged";
	return "secondary";
}
