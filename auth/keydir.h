/*
 * keydir.h - a key repository laid out like Keystone's fernet keys, for
 * keygate's signing keys (auth/keys.h) and credential keys
 * (auth/credkeys.h): a directory (mode 0700) of files (0600) named by
 * index, "0" the staged key, the highest index the primary, the others
 * secondary. What a file holds is its owner's business.
 *
 * Rotation promotes the staged key to the next index (the new primary),
 * writes a new staged key and removes the lowest secondaries beyond
 * max_active -- only those the owner says may go (a credential key still
 * encrypting a stored credential stays). Every write goes to a temporary
 * file that is fsync'd and renamed into place, so readers never see half
 * a key. Setup, rotation and pruning hold an exclusive flock on the
 * directory, loads a shared one (keydir_lock), so two keygate commands
 * started at once on one data_dir neither both create the first keys nor
 * read a rotation half done.
 */
#ifndef KG_AUTH_KEYDIR_H
#define KG_AUTH_KEYDIR_H

#include <limits.h>
#include <stddef.h>

#include "common/err.h"

#define KEYDIR_MAX_FILES	256	/* more index files than this is a mistake */
#define KEYDIR_KEEP_ALL		INT_MAX	/* a max_active that removes nothing */

/* The contents of a new key (malloc'd; keydir wipes and frees it), *len
 * bytes, or NULL with err. */
typedef char	*(*keydir_gen_fn)(size_t *len, struct kg_err *err);

/* May the secondary key at index go? 1 yes, 0 keep it, -1 error (err). */
typedef int	 (*keydir_may_remove_fn)(const char *dir, long index, void *cls,
		    struct kg_err *err);

/* Make sure dir exists with mode 0700 (tightening a looser mode). */
int	keydir_ensure(const char *dir, struct kg_err *err);

/* The key indexes in dir, ascending: idx[*n] (KEYDIR_MAX_FILES room). */
int	keydir_indexes(const char *dir, long *idx, size_t *n, struct kg_err *err);

/* Write data to dir/<index> atomically, mode 0600. */
int	keydir_write(const char *dir, long index, const char *data, size_t len,
	    struct kg_err *err);

/*
 * The contents of dir/<index> (malloc'd with a NUL after *len bytes: wipe
 * and free it), at most max bytes; warns when the file is readable by
 * others. NULL with err.
 */
char	*keydir_read(const char *dir, long index, size_t max, size_t *len,
	    struct kg_err *err);

/*
 * Lock dir: exclusive (setup, rotation) or shared (loading the keys). The
 * fd for keydir_unlock, or -1 with err. The lock is per open file, so a
 * holder must not call keydir_setup/rotate/prune on the same dir.
 */
int	keydir_lock(const char *dir, int exclusive, struct kg_err *err);
void	keydir_unlock(int fd);

/* Create dir and, when it holds no key, a staged key and a primary (as
 * keystone-manage fernet_setup), under the lock. 1 when it created them,
 * 0 when dir had keys already, -1 with err. */
int	keydir_setup(const char *dir, keydir_gen_fn gen, int max_active,
	    keydir_may_remove_fn may_remove, void *cls, struct kg_err *err);

/*
 * Rotate as described above (max_active >= 2). may_remove NULL: any
 * secondary beyond max_active goes. *kept (may be NULL) counts the ones
 * that had to stay.
 */
int	keydir_rotate(const char *dir, int max_active, keydir_gen_fn gen,
	    keydir_may_remove_fn may_remove, void *cls, size_t *kept,
	    struct kg_err *err);

/* The removal step of a rotation on its own: the lowest secondaries
 * beyond max_active that may_remove lets go (*kept: those it kept). */
int	keydir_prune(const char *dir, int max_active,
	    keydir_may_remove_fn may_remove, void *cls, size_t *kept,
	    struct kg_err *err);

/* "staged", "primary" or "secondary" for the i-th of n sorted indexes. */
const char *keydir_role(const long *idx, size_t n, size_t i);

#endif /* KG_AUTH_KEYDIR_H */
