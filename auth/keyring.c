/* keyring.c - the loaded signing keys, swapped on reload (see keyring.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "auth/keyring.h"
#include "auth/keys.h"
#include "common/log.h"

struct keyring {
	char			*dir;
	pthread_mutex_t		 lock;		/* cur and every set's refs */
	struct keyring_keys	*cur;
	unsigned int		 next_epoch;
};

static void
keys_set_free(struct keyring_keys *k)
{
	if (k == NULL)
		return;
	keys_free(&k->ks);
	json_decref(k->jwks);
	free(k);
}

static struct keyring_keys *
keys_set_load(const char *dir, struct kg_err *err)
{
	struct keyring_keys	*k;
	json_t			*keys;
	size_t			 i;

	if ((k = calloc(1, sizeof(*k))) == NULL) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		return NULL;
	}
	if (keys_load(dir, &k->ks, &k->primary, err) == -1) {
		free(k);
		return NULL;
	}
	keys = json_array();
	for (i = 0; i < k->ks.n; i++)
		json_array_append_new(keys, jwt_key_to_jwk(k->ks.keys[i]));
	if ((k->jwks = json_pack("{s:o}", "keys", keys)) == NULL) {
		keys_set_free(k);
		kg_errf(err, KG_EINTERNAL, "out of memory");
		return NULL;
	}
	k->refs = 1;
	return k;
}

struct keyring *
keyring_open(const char *dir, struct kg_err *err)
{
	struct keyring	*kr;

	if ((kr = calloc(1, sizeof(*kr))) == NULL ||
	    (kr->dir = strdup(dir)) == NULL) {
		free(kr);
		kg_errf(err, KG_EINTERNAL, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&kr->lock, NULL);
	if ((kr->cur = keys_set_load(dir, err)) == NULL) {
		keyring_close(kr);
		return NULL;
	}
	kr->cur->epoch = ++kr->next_epoch;
	log_info("%s: %zu signing keys loaded, primary %s", __func__, kr->cur->ks.n,
	    jwt_key_kid(kr->cur->primary));
	return kr;
}

void
keyring_close(struct keyring *kr)
{
	if (kr == NULL)
		return;
	if (kr->cur != NULL)
		keyring_release(kr, kr->cur);
	pthread_mutex_destroy(&kr->lock);
	free(kr->dir);
	free(kr);
}

int
keyring_reload(struct keyring *kr, struct kg_err *err)
{
	struct keyring_keys	*k, *old;

	if ((k = keys_set_load(kr->dir, err)) == NULL)
		return -1;
	pthread_mutex_lock(&kr->lock);
	k->epoch = ++kr->next_epoch;
	old = kr->cur;
	kr->cur = k;
	pthread_mutex_unlock(&kr->lock);
	keyring_release(kr, old);
	log_info("%s: %zu signing keys loaded, primary %s", __func__, k->ks.n,
	    jwt_key_kid(k->primary));
	return 0;
}

struct keyring_keys *
keyring_acquire(struct keyring *kr)
{
	struct keyring_keys	*k;

	pthread_mutex_lock(&kr->lock);
	k = kr->cur;
	k->refs++;
	pthread_mutex_unlock(&kr->lock);
	return k;
}

void
keyring_release(struct keyring *kr, struct keyring_keys *k)
{
	int	last;

	if (k == NULL)
		return;
	pthread_mutex_lock(&kr->lock);
	last = --k->refs == 0;
	pthread_mutex_unlock(&kr->lock);
	if (last)
		keys_set_free(k);
}

json_t *
keyring_jwks(struct keyring *kr)
{
	struct keyring_keys	*k = keyring_acquire(kr);
	json_t			*j = json_deep_copy(k->jwks);

	keyring_release(kr, k);
	return j;
}
