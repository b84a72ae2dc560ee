/*
 * credkeys.c - credential blobs sealed at rest with AES-256-GCM under
 * keys kept in an index-named repository (see credkeys.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "auth/credkeys.h"
#include "auth/keydir.h"
#include "common/log.h"
#include "common/util.h"

#define KEY_LEN		32
#define KEY_TEXT_MAX	128		/* a key file is 45 bytes */
#define NONCE_LEN	12
#define TAG_LEN		16
#define SEALED_PREFIX	"kgc1."
#define AAD_LABEL	"keygate-credential-v1"
#define DECRYPT_MSG	"Credential could not be decrypted. Please contact the " \
			"administrator"

struct credkey {
	long		index;
	unsigned char	key[KEY_LEN];
	char		id[CREDKEY_ID_SIZE];
};

/* One load of the repository, immutable, referenced while in use. */
struct credkeys_set {
	struct credkey	*keys;
	size_t		 n;		/* keys[n - 1] is the primary */
	int		 refs;		/* under the owner's lock */
};

struct credkeys {
	char			*dir;
	pthread_mutex_t		 lock;		/* cur, mtime, every set's refs */
	struct credkeys_set	*cur;
	struct timespec		 mtime;		/* of dir when cur was loaded */
};

/* The modification time of dir (zero when it cannot be read). */
static struct timespec
dir_mtime(const char *dir)
{
	struct stat	sb;
	struct timespec	zero = { 0, 0 };

	return stat(dir, &sb) == 0 ? sb.st_mtim : zero;
}

/* ------------------------------------------------------------------------
 * Key files.
 * --------------------------------------------------------------------- */

static void
key_id(const unsigned char key[KEY_LEN], char id[CREDKEY_ID_SIZE])
{
	static const char	hex[] = "0123456789abcdef";
	unsigned char		d[32];
	size_t			i;

	kg_sha256(key, KEY_LEN, d);
	for (i = 0; i < (CREDKEY_ID_SIZE - 1) / 2; i++) {
		id[2 * i] = hex[d[i] >> 4];
		id[2 * i + 1] = hex[d[i] & 0xf];
	}
	id[CREDKEY_ID_SIZE - 1] = '\0';
}

/* keydir_gen_fn: 32 random bytes as base64 text and a newline. */
static char *
gen_key(size_t *len, struct kg_err *err)
{
	unsigned char	 raw[KEY_LEN];
	char		*text;

	if ((text = malloc(KEY_TEXT_MAX)) == NULL) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		return NULL;
	}
	if (kg_random(raw, sizeof(raw)) == -1) {
		free(text);
		kg_errf(err, KG_EINTERNAL, "no randomness");
		return NULL;
	}
	*len = (size_t)EVP_EncodeBlock((unsigned char *)text, raw, KEY_LEN);
	text[(*len)++] = '\n';
	text[*len] = '\0';
	kg_wipe(raw, sizeof(raw));
	return text;
}

/* Read dir/<index> into k. */
static int
load_key(const char *dir, long index, struct credkey *k, struct kg_err *err)
{
	unsigned char	 raw[KEY_TEXT_MAX];
	char		*text;
	size_t		 len;
	int		 n, ok;

	if ((text = keydir_read(dir, index, KEY_TEXT_MAX - 1, &len, err)) == NULL)
		return -1;
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' ||
	    text[len - 1] == ' '))
		text[--len] = '\0';
	/* 44 base64 characters: 32 bytes and one '=' of padding. */
	n = len == 44 ? EVP_DecodeBlock(raw, (unsigned char *)text, (int)len) : -1;
	ok = n == 33 && text[43] == '=' && text[42] != '=';
	if (ok) {
		memcpy(k->key, raw, KEY_LEN);
		k->index = index;
		key_id(k->key, k->id);
	}
	kg_wipe(raw, sizeof(raw));
	kg_wipe(text, len);
	free(text);
	if (!ok)
		return kg_errf(err, KG_EINTERNAL, "%s/%ld: not a credential key (base64 "
		    "of 32 bytes)", dir, index);
	return 0;
}

int
credkeys_setup(const char *dir, struct kg_err *err)
{
	int	rc;

	if ((rc = keydir_setup(dir, gen_key, CREDKEYS_MAX_ACTIVE_DEFAULT, NULL,
	    NULL, err)) == -1)
		return -1;
	if (rc == 1)
		log_info("%s: created credential keys in %s", __func__, dir);
	return 0;
}

struct in_use_arg {
	int	(*in_use)(const char *key_id, void *cls);
	void	*cls;
};

/* keydir_may_remove_fn: a key no stored credential uses may go. */
static int
may_remove(const char *dir, long index, void *cls, struct kg_err *err)
{
	struct in_use_arg	*a = cls;
	struct credkey		 k;
	int			 rc;

	if (a->in_use == NULL)
		return 1;
	if (load_key(dir, index, &k, err) == -1)
		return -1;
	rc = a->in_use(k.id, a->cls);
	kg_wipe(&k, sizeof(k));
	if (rc == -1)
		return kg_errf(err, KG_EINTERNAL, "cannot count the credentials of "
		    "key %ld", index);
	return rc == 0;
}

int
credkeys_rotate(const char *dir, int max_active,
    int (*in_use)(const char *key_id, void *cls), void *cls, size_t *kept,
    struct kg_err *err)
{
	struct in_use_arg	a = { in_use, cls };

	return keydir_rotate(dir, max_active, gen_key, may_remove, &a, kept, err);
}

int
credkeys_prune(const char *dir, int max_active,
    int (*in_use)(const char *key_id, void *cls), void *cls, size_t *kept,
    struct kg_err *err)
{
	struct in_use_arg	a = { in_use, cls };

	return keydir_prune(dir, max_active, may_remove, &a, kept, err);
}

int
credkeys_list(const char *dir, FILE *fp,
    long (*count)(const char *key_id, void *cls), void *cls, struct kg_err *err)
{
	struct credkey	k;
	long		idx[KEYDIR_MAX_FILES], c;
	size_t		n, i;

	if (keydir_indexes(dir, idx, &n, err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (load_key(dir, idx[i], &k, err) == -1)
			return -1;
		fprintf(fp, "%ld %s %s", idx[i], keydir_role(idx, n, i), k.id);
		if (count != NULL) {
			if ((c = count(k.id, cls)) < 0) {
				kg_wipe(&k, sizeof(k));
				return kg_errf(err, KG_EINTERNAL,
				    "cannot count the credentials");
			}
			fprintf(fp, " %ld credentials", c);
		}
		fprintf(fp, "\n");
		kg_wipe(&k, sizeof(k));
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Loaded sets.
 * --------------------------------------------------------------------- */

static void
set_free(struct credkeys_set *s)
{
	if (s == NULL)
		return;
	if (s->keys != NULL) {
		kg_wipe(s->keys, s->n * sizeof(*s->keys));
		free(s->keys);
	}
	free(s);
}

static struct credkeys_set *
set_load(const char *dir, struct kg_err *err)
{
	struct credkeys_set	*s;
	long			 idx[KEYDIR_MAX_FILES];
	size_t			 n, i;
	int			 fd;

	/* Shared: no rotation is half done while we read. */
	if ((fd = keydir_lock(dir, 0, err)) == -1)
		return NULL;
	s = NULL;
	if (keydir_indexes(dir, idx, &n, err) == -1)
		goto done;
	if (n == 0) {
		kg_errf(err, KG_EINTERNAL, "no credential keys in %s", dir);
		goto done;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->keys = calloc(n, sizeof(*s->keys))) == NULL) {
		free(s);
		s = NULL;
		kg_errf(err, KG_EINTERNAL, "out of memory");
		goto done;
	}
	for (i = 0; i < n; i++) {
		if (load_key(dir, idx[i], &s->keys[i], err) == -1) {
			set_free(s);
			s = NULL;
			goto done;
		}
		s->n++;
	}
	s->refs = 1;
 done:
	keydir_unlock(fd);
	return s;
}

struct credkeys *
credkeys_open(const char *dir, struct kg_err *err)
{
	struct credkeys	*ck;

	if ((ck = calloc(1, sizeof(*ck))) == NULL ||
	    (ck->dir = strdup(dir)) == NULL) {
		free(ck);
		kg_errf(err, KG_EINTERNAL, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&ck->lock, NULL);
	ck->mtime = dir_mtime(dir);
	if ((ck->cur = set_load(dir, err)) == NULL) {
		credkeys_close(ck);
		return NULL;
	}
	log_info("%s: %zu credential keys loaded, primary %s", __func__, ck->cur->n,
	    ck->cur->keys[ck->cur->n - 1].id);
	return ck;
}

static struct credkeys_set *
acquire(struct credkeys *ck)
{
	struct credkeys_set	*s;

	pthread_mutex_lock(&ck->lock);
	s = ck->cur;
	s->refs++;
	pthread_mutex_unlock(&ck->lock);
	return s;
}

static void
release(struct credkeys *ck, struct credkeys_set *s)
{
	int	last;

	if (s == NULL)
		return;
	pthread_mutex_lock(&ck->lock);
	last = --s->refs == 0;
	pthread_mutex_unlock(&ck->lock);
	if (last)
		set_free(s);
}

void
credkeys_close(struct credkeys *ck)
{
	if (ck == NULL)
		return;
	release(ck, ck->cur);
	pthread_mutex_destroy(&ck->lock);
	free(ck->dir);
	free(ck);
}

int
credkeys_reload(struct credkeys *ck, struct kg_err *err)
{
	struct credkeys_set	*s, *old;
	struct timespec		 mt = dir_mtime(ck->dir);

	if ((s = set_load(ck->dir, err)) == NULL)
		return -1;
	pthread_mutex_lock(&ck->lock);
	old = ck->cur;
	ck->cur = s;
	ck->mtime = mt;
	pthread_mutex_unlock(&ck->lock);
	release(ck, old);
	log_info("%s: %zu credential keys loaded, primary %s", __func__, s->n,
	    s->keys[s->n - 1].id);
	return 0;
}

void
credkeys_primary_id(struct credkeys *ck, char id[CREDKEY_ID_SIZE])
{
	struct credkeys_set	*s = acquire(ck);

	kg_strlcpy(id, s->keys[s->n - 1].id, CREDKEY_ID_SIZE);
	release(ck, s);
}

/* ------------------------------------------------------------------------
 * Sealing.
 * --------------------------------------------------------------------- */

/* The associated data: a label and each attribute, NUL-terminated. */
static unsigned char *
aad_bytes(const struct credkeys_aad *a, size_t *len)
{
	const char	*parts[5];
	unsigned char	*out, *p;
	size_t		 i, n = 0;

	parts[0] = AAD_LABEL;
	parts[1] = a->id;
	parts[2] = a->user_id;
	parts[3] = a->project_id;
	parts[4] = a->type;
	for (i = 0; i < 5; i++)
		n += strlen(parts[i] != NULL ? parts[i] : "") + 1;
	if ((out = malloc(n)) == NULL)
		return NULL;
	for (p = out, i = 0; i < 5; i++) {
		const char	*s = parts[i] != NULL ? parts[i] : "";

		memcpy(p, s, strlen(s) + 1);
		p += strlen(s) + 1;
	}
	*len = n;
	return out;
}

/*
 * AES-256-GCM over in[len] with key and nonce: encrypt (tag written after
 * the ciphertext in out) or decrypt (in ends with the tag; 0 only when it
 * authenticates). out has room for len (+ TAG_LEN when encrypting).
 */
static int
gcm(int enc, const unsigned char key[KEY_LEN], const unsigned char *nonce,
    const unsigned char *aad, size_t aadlen, const unsigned char *in, size_t len,
    unsigned char *out)
{
	EVP_CIPHER_CTX	*c;
	int		 n, ok = 0;

	if ((c = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	if (!EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) ||
	    !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) ||
	    !EVP_CipherInit_ex(c, NULL, NULL, key, nonce, enc) ||
	    !EVP_CipherUpdate(c, NULL, &n, aad, (int)aadlen))
		goto done;
	if (enc) {
		if (!EVP_CipherUpdate(c, out, &n, in, (int)len) ||
		    !EVP_CipherFinal_ex(c, out + n, &n) ||
		    !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN, out + len))
			goto done;
	} else {
		if (len < TAG_LEN ||
		    !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN,
		    (void *)(uintptr_t)(in + len - TAG_LEN)) ||
		    !EVP_CipherUpdate(c, out, &n, in, (int)(len - TAG_LEN)) ||
		    !EVP_CipherFinal_ex(c, out + n, &n))
			goto done;
	}
	ok = 1;
 done:
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

static int
seal_with(const struct credkey *k, const struct credkeys_aad *aad,
    const char *plain, size_t len, char **sealed, struct kg_err *err)
{
	unsigned char	*raw = NULL, *ad = NULL;
	size_t		 adlen = 0, rawlen = NONCE_LEN + len + TAG_LEN, outsz;

	*sealed = NULL;
	if (len > 16 * 1024 * 1024)
		return kg_errf(err, KG_EINTERNAL, "credential blob too large");
	outsz = sizeof(SEALED_PREFIX) + (rawlen + 2) / 3 * 4 + 1;
	if ((raw = malloc(rawlen)) == NULL || (ad = aad_bytes(aad, &adlen)) == NULL ||
	    (*sealed = malloc(outsz)) == NULL) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		goto fail;
	}
	if (kg_random(raw, NONCE_LEN) == -1 ||
	    gcm(1, k->key, raw, ad, adlen, (const unsigned char *)plain, len,
	    raw + NONCE_LEN) == -1) {
		kg_errf(err, KG_EINTERNAL, "Credential could not be encrypted");
		goto fail;
	}
	memcpy(*sealed, SEALED_PREFIX, sizeof(SEALED_PREFIX) - 1);
	if (kg_b64url_encode(raw, rawlen, *sealed + sizeof(SEALED_PREFIX) - 1,
	    outsz - (sizeof(SEALED_PREFIX) - 1)) < 0) {
		kg_errf(err, KG_EINTERNAL, "Credential could not be encrypted");
		goto fail;
	}
	free(raw);
	free(ad);
	return 0;
 fail:
	free(raw);
	free(ad);
	free(*sealed);
	*sealed = NULL;
	return -1;
}

int
credkeys_seal(struct credkeys *ck, const struct credkeys_aad *aad,
    const char *plain, size_t len, char **sealed, char key_id[CREDKEY_ID_SIZE],
    struct kg_err *err)
{
	struct credkeys_set	*s;
	const struct credkey	*k;
	struct timespec		 mt = dir_mtime(ck->dir);
	struct kg_err		 rerr = { 0 };
	int			 rc, moved;

	/* A rotation elsewhere (another process, a CLI) changes the
	 * directory: seal under its primary, never under a key it may
	 * remove. Credentials are written rarely: one stat each. */
	pthread_mutex_lock(&ck->lock);
	moved = mt.tv_sec != ck->mtime.tv_sec || mt.tv_nsec != ck->mtime.tv_nsec;
	pthread_mutex_unlock(&ck->lock);
	if (moved && credkeys_reload(ck, &rerr) == -1)
		log_warn("%s: %s", __func__, rerr.msg);
	s = acquire(ck);
	k = &s->keys[s->n - 1];
	rc = seal_with(k, aad, plain, len, sealed, err);
	if (rc == 0)
		kg_strlcpy(key_id, k->id, CREDKEY_ID_SIZE);
	release(ck, s);
	return rc;
}

static const struct credkey *
find_key(const struct credkeys_set *s, const char *id)
{
	size_t	i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->keys[i].id, id) == 0)
			return &s->keys[i];
	return NULL;
}

/* Open sealed with k. */
static int
open_with(const struct credkey *k, const struct credkeys_aad *aad,
    const char *sealed, char **plain, size_t *len, struct kg_err *err)
{
	unsigned char	*raw = NULL, *ad = NULL, *out = NULL;
	const char	*b64;
	size_t		 adlen = 0, n;
	long		 rawlen;

	*plain = NULL;
	*len = 0;
	if (strncmp(sealed, SEALED_PREFIX, sizeof(SEALED_PREFIX) - 1) != 0)
		goto bad;
	b64 = sealed + sizeof(SEALED_PREFIX) - 1;
	n = strlen(b64);
	if ((raw = malloc(n / 4 * 3 + 3)) == NULL ||
	    (ad = aad_bytes(aad, &adlen)) == NULL)
		goto oom;
	rawlen = kg_b64url_decode(b64, n, raw, n / 4 * 3 + 3);
	if (rawlen < NONCE_LEN + TAG_LEN)
		goto bad;
	n = (size_t)rawlen - NONCE_LEN - TAG_LEN;
	if ((out = malloc(n + 1)) == NULL)
		goto oom;
	if (gcm(0, k->key, raw, ad, adlen, raw + NONCE_LEN,
	    (size_t)rawlen - NONCE_LEN, out) == -1)
		goto bad;
	out[n] = '\0';
	*plain = (char *)out;
	*len = n;
	free(raw);
	free(ad);
	return 0;
 oom:
	free(raw);
	free(ad);
	free(out);
	return kg_errf(err, KG_EINTERNAL, "out of memory");
 bad:
	if (out != NULL) {
		kg_wipe(out, n);
		free(out);
	}
	free(raw);
	free(ad);
	log_error("%s: a credential blob does not authenticate under key %s",
	    __func__, k->id);
	return kg_errf(err, KG_EINTERNAL, DECRYPT_MSG);
}

int
credkeys_open_blob(struct credkeys *ck, const struct credkeys_aad *aad,
    const char *sealed, const char *key_id, char **plain, size_t *len,
    struct kg_err *err)
{
	struct credkeys_set	*s = acquire(ck);
	const struct credkey	*k;
	struct kg_err		 rerr = { 0 };
	int			 rc;

	if ((k = find_key(s, key_id)) == NULL) {
		/* Rotated by another process: load the repository once more. */
		release(ck, s);
		if (credkeys_reload(ck, &rerr) == -1)
			log_warn("%s: %s", __func__, rerr.msg);
		s = acquire(ck);
		if ((k = find_key(s, key_id)) == NULL) {
			release(ck, s);
			log_error("%s: no credential key %s in %s", __func__, key_id,
			    ck->dir);
			*plain = NULL;
			return kg_errf(err, KG_EINTERNAL, DECRYPT_MSG);
		}
	}
	rc = open_with(k, aad, sealed, plain, len, err);
	release(ck, s);
	return rc;
}

void
credkeys_free_plain(char *plain)
{
	if (plain == NULL)
		return;
	kg_wipe(plain, strlen(plain));
	free(plain);
}

int
credkeys_reseal(struct credkeys *ck, const struct credkeys_aad *aad,
    const char *sealed, const char *key_id, char **resealed,
    char new_id[CREDKEY_ID_SIZE], struct kg_err *err)
{
	char	primary[CREDKEY_ID_SIZE], *plain = NULL;
	size_t	len = 0;
	int	rc;

	*resealed = NULL;
	credkeys_primary_id(ck, primary);
	if (strcmp(primary, key_id) == 0)
		return 0;
	if (credkeys_open_blob(ck, aad, sealed, key_id, &plain, &len, err) == -1)
		return -1;
	rc = credkeys_seal(ck, aad, plain, len, resealed, new_id, err);
	kg_wipe(plain, len);
	free(plain);
	return rc;
}
