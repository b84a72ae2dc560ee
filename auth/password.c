/* password.c - bcrypt hashing and verification through crypt_r(3). */
#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#include "auth/password.h"
#include "common/util.h"

char *
password_hash(const char *password, int cost, struct kg_err *err)
{
	struct crypt_data	*cd;
	char			 rnd[16];
	const char		*setting, *h;
	char			*out = NULL;

	if (cost < 4 || cost > 31) {
		kg_errf(err, KG_EINTERNAL, "bcrypt cost out of range");
		return NULL;
	}
	if ((cd = calloc(1, sizeof(*cd))) == NULL) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		return NULL;
	}
	if (kg_random(rnd, sizeof(rnd)) == -1 ||
	    (setting = crypt_gensalt_rn("$2b$", (unsigned long)cost, rnd,
	    sizeof(rnd), cd->setting, sizeof(cd->setting))) == NULL) {
		kg_errf(err, KG_EINTERNAL, "cannot make a bcrypt salt");
		goto done;
	}
	h = crypt_r(password, setting, cd);
	if (h == NULL || h[0] == '*') {
		kg_errf(err, KG_EINTERNAL, "bcrypt failed");
		goto done;
	}
	if ((out = strdup(h)) == NULL)
		kg_errf(err, KG_EINTERNAL, "out of memory");
 done:
	kg_wipe(cd, sizeof(*cd));
	free(cd);
	return out;
}

int
password_verify(const char *password, const char *hash)
{
	struct crypt_data	*cd;
	const char		*h;
	size_t			 n;
	int			 ok = 0;

	if (password == NULL || hash == NULL || strncmp(hash, "$2", 2) != 0)
		return 0;
	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return 0;
	h = crypt_r(password, hash, cd);
	n = strlen(hash);
	if (h != NULL && h[0] != '*' && strlen(h) == n)
		ok = kg_ct_equal(h, hash, n);
	kg_wipe(cd, sizeof(*cd));
	free(cd);
	return ok;
}
