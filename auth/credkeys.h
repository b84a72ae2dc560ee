/*
 * credkeys.h - encryption of credential blobs at rest, with keys kept like
 * the signing keys (Keystone's credential fernet keys, keystone-manage
 * credential_setup / credential_rotate / credential_migrate).
 *
 * The repository (auth/keydir.h; [credential] key_repository, by default
 * <data_dir>/credential-keys) holds 256-bit keys, one per file, as
 * base64 text: "0" staged, the highest index the primary (encrypts every
 * new or changed blob), the others secondary (still decrypt what they
 * encrypted). A key is named by its id, the first 16 hex digits of the
 * SHA-256 of the key (Keystone's key_hash), stored with each credential,
 * so keygate knows which key a blob needs and which keys are still in use.
 *
 * A blob is sealed with AES-256-GCM under a fresh 96-bit nonce, bound to
 * the credential's immutable attributes (id, user, project, type) as
 * associated data: a ciphertext moved to another row does not decrypt.
 * Stored form: "kgc1." + base64url(nonce || ciphertext || tag).
 *
 * Rotation never loses a credential: "keygate credential-keys rotate"
 * promotes the staged key, re-encrypts every credential under the new
 * primary (what keystone-manage credential_migrate does), and removes a
 * secondary beyond max_active only when no credential still uses it
 * (credkeys_rotate with KEYDIR_KEEP_ALL, then credkeys_prune).
 * Sealing first checks the repository's modification time and reloads
 * when it changed, so a server never seals under a key a rotation
 * elsewhere may remove; the staged key is loaded before it becomes
 * primary, so every server can open what another has written.
 *
 * The loaded set (struct credkeys) is swapped whole on reload (SIGHUP),
 * and reloaded once on its own when a blob names a key it does not have
 * (another process rotated). Thread-safe. Plaintexts are returned in
 * malloc'd buffers the caller wipes (credkeys_free_plain).
 */
#ifndef KG_AUTH_CREDKEYS_H
#define KG_AUTH_CREDKEYS_H

#include <stddef.h>
#include <stdio.h>

#include "auth/keydir.h"
#include "common/err.h"

#define CREDKEYS_MAX_ACTIVE_DEFAULT	3
#define CREDKEY_ID_SIZE			17	/* 16 hex digits + NUL */

struct credkeys;

/* What a blob is bound to (strings; NULL reads as ""). */
struct credkeys_aad {
	const char	*id;
	const char	*user_id;
	const char	*project_id;
	const char	*type;
};

/* ------------------------------------------------------------------------
 * The repository (keygate credential-keys ...).
 * --------------------------------------------------------------------- */

/* Create dir with a staged and a primary key when it holds none. */
int	credkeys_setup(const char *dir, struct kg_err *err);

/*
 * Promote the staged key and make a new one, then remove secondaries
 * beyond max_active for which in_use(key id, cls) says 0 (1: still used,
 * -1: error). *kept counts the ones kept. Re-encrypting is the caller's
 * (it has the store): see credkeys_reseal.
 */
int	credkeys_rotate(const char *dir, int max_active,
	    int (*in_use)(const char *key_id, void *cls), void *cls, size_t *kept,
	    struct kg_err *err);

/* Remove the secondaries beyond max_active for which in_use says 0 (the
 * removal step of a rotation, run again after re-encrypting). */
int	credkeys_prune(const char *dir, int max_active,
	    int (*in_use)(const char *key_id, void *cls), void *cls, size_t *kept,
	    struct kg_err *err);

/* One line per key: index, role, key id, and count(key id, cls) when
 * count is not NULL ("<n> credentials"). */
int	credkeys_list(const char *dir, FILE *fp,
	    long (*count)(const char *key_id, void *cls), void *cls,
	    struct kg_err *err);

/* ------------------------------------------------------------------------
 * The loaded keys.
 * --------------------------------------------------------------------- */

/* Load the keys of dir (which must hold some). NULL with err. */
struct credkeys	*credkeys_open(const char *dir, struct kg_err *err);
void		 credkeys_close(struct credkeys *ck);

/* Load dir again; on failure the old keys stay. */
int	credkeys_reload(struct credkeys *ck, struct kg_err *err);

/* The primary key's id into id. */
void	credkeys_primary_id(struct credkeys *ck, char id[CREDKEY_ID_SIZE]);

/*
 * Seal plain[len] under the primary key: *sealed (malloc'd, the stored
 * form) and key_id (the primary's id). 0, or -1 with err (KG_EINTERNAL).
 */
int	credkeys_seal(struct credkeys *ck, const struct credkeys_aad *aad,
	    const char *plain, size_t len, char **sealed,
	    char key_id[CREDKEY_ID_SIZE], struct kg_err *err);

/*
 * Open sealed with the key named key_id: *plain (malloc'd, NUL-terminated,
 * *len bytes; release with credkeys_free_plain). KG_EINTERNAL "Credential
 * could not be decrypted..." when the key is missing (after one reload)
 * or the blob does not authenticate (tampered, or moved to another row).
 */
int	credkeys_open_blob(struct credkeys *ck, const struct credkeys_aad *aad,
	    const char *sealed, const char *key_id, char **plain, size_t *len,
	    struct kg_err *err);

/* Wipe and free a plaintext from credkeys_open_blob. NULL-safe. */
void	credkeys_free_plain(char *plain);

/*
 * Decrypt sealed (under key_id) and seal it again under the current
 * primary, for migration: *resealed and new_id as credkeys_seal. When
 * key_id already is the primary, *resealed is NULL and 0 is returned.
 */
int	credkeys_reseal(struct credkeys *ck, const struct credkeys_aad *aad,
	    const char *sealed, const char *key_id, char **resealed,
	    char new_id[CREDKEY_ID_SIZE], struct kg_err *err);

#endif /* KG_AUTH_CREDKEYS_H */
