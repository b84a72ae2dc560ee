/*
 * password.c - bcrypt_sha256 and plain bcrypt hashes through crypt_r(3);
 * see password.h for the formats and the timing rule.
 */
#include <crypt.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/password.h"
#include "common/log.h"
#include "common/util.h"

#define SHA_PREFIX	"$bcrypt-sha256$v=2,t=2b,r="
#define SALT_LEN	22		/* bcrypt's salt, in its base64 alphabet */
#define DIGEST_LEN	31		/* bcrypt's checksum, same alphabet */
#define BCRYPT_LEN	60		/* "$2b$NN$" + salt + digest */
#define KEY_LEN		44		/* base64 of a SHA-256 HMAC, padded */
#define DEFAULT_COST	12

static _Atomic uint64_t	runs;

/* The dummy hash unknown users are checked against (password_init). */
static char		dummy[128];
static int		dummy_cost = DEFAULT_COST;
static pthread_once_t	dummy_once = PTHREAD_ONCE_INIT;

static int
is_b64_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '/';
}

static int
all_b64(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (!is_b64_char(s[i]))
			return 0;
	return 1;
}

/*
 * bcrypt of key with setting ("$2b$NN$<salt>") into out (BCRYPT_LEN + 1
 * bytes). Returns 0, or -1 when crypt_r refuses. Counts the run.
 */
static int
bcrypt_run(const char *key, const char *setting, char out[BCRYPT_LEN + 1])
{
	struct crypt_data	*cd;
	const char		*h;
	int			 rc = -1;

	atomic_fetch_add_explicit(&runs, 1, memory_order_relaxed);
	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return -1;
	h = crypt_r(key, setting, cd);
	if (h != NULL && h[0] != '*' && strlen(h) == BCRYPT_LEN) {
		memcpy(out, h, BCRYPT_LEN + 1);
		rc = 0;
	}
	kg_wipe(cd, sizeof(*cd));
	free(cd);
	return rc;
}

/* passlib's v2 key: base64(HMAC-SHA256(key = salt text, msg = password)). */
static int
sha_key(const char *password, const char *salt, char out[KEY_LEN + 1])
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0;
	int		rc = -1;

	if (HMAC(EVP_sha256(), salt, SALT_LEN, (const unsigned char *)password,
	    strlen(password), md, &mdlen) != NULL && mdlen == 32 &&
	    EVP_EncodeBlock((unsigned char *)out, md, 32) == KEY_LEN)
		rc = 0;
	kg_wipe(md, sizeof(md));
	return rc;
}

/*
 * Split a bcrypt_sha256 v2 hash into cost, salt and digest (NUL-terminated
 * copies). Returns 0, or -1 when hash is not exactly that format.
 */
static int
parse_sha(const char *hash, int *cost, char salt[SALT_LEN + 1],
    char digest[DIGEST_LEN + 1])
{
	const char	*p = hash + sizeof(SHA_PREFIX) - 1;
	int		 c = 0, ndig = 0;

	if (strncmp(hash, SHA_PREFIX, sizeof(SHA_PREFIX) - 1) != 0)
		return -1;
	for (; *p >= '0' && *p <= '9' && ndig < 2; p++, ndig++)
		c = c * 10 + (*p - '0');
	if (ndig == 0 || c < 4 || c > 31 || *p++ != '$')
		return -1;
	if (strlen(p) != SALT_LEN + 1 + DIGEST_LEN || !all_b64(p, SALT_LEN) ||
	    p[SALT_LEN] != '$' || !all_b64(p + SALT_LEN + 1, DIGEST_LEN))
		return -1;
	/* passlib refuses salts whose padding bits are set. */
	if (strchr(".Oeu", p[SALT_LEN - 1]) == NULL)
		return -1;
	*cost = c;
	memcpy(salt, p, SALT_LEN);
	salt[SALT_LEN] = '\0';
	memcpy(digest, p + SALT_LEN + 1, DIGEST_LEN);
	digest[DIGEST_LEN] = '\0';
	return 0;
}

/* 1 for "$2a$NN$", "$2b$NN$" or "$2y$NN$" + 53 characters. */
static int
is_legacy(const char *hash)
{
	return hash != NULL && strlen(hash) == BCRYPT_LEN && hash[0] == '$' &&
	    hash[1] == '2' && (hash[2] == 'a' || hash[2] == 'b' || hash[2] == 'y') &&
	    hash[3] == '$' && hash[4] >= '0' && hash[4] <= '3' &&
	    hash[5] >= '0' && hash[5] <= '9' && hash[6] == '$' &&
	    all_b64(hash + 7, BCRYPT_LEN - 7);
}

/* bcrypt_sha256 of password with cost and salt: the 31-character digest. */
static int
sha_digest(const char *password, int cost, const char *salt,
    char digest[DIGEST_LEN + 1])
{
	char	key[KEY_LEN + 1], setting[40], out[BCRYPT_LEN + 1];
	int	rc = -1;

	snprintf(setting, sizeof(setting), "$2b$%02d$%s", cost, salt);
	if (sha_key(password, salt, key) == 0 &&
	    bcrypt_run(key, setting, out) == 0) {
		memcpy(digest, out + BCRYPT_LEN - DIGEST_LEN, DIGEST_LEN + 1);
		rc = 0;
	}
	kg_wipe(key, sizeof(key));
	kg_wipe(out, sizeof(out));
	return rc;
}

char *
password_hash(const char *password, int cost, struct kg_err *err)
{
	char	rnd[16], setting[CRYPT_GENSALT_OUTPUT_SIZE];
	char	salt[SALT_LEN + 1], digest[DIGEST_LEN + 1];
	char	*out = NULL;

	if (cost < 4 || cost > 31) {
		kg_errf(err, KG_EINTERNAL, "bcrypt cost out of range");
		return NULL;
	}
	/* "$2b$NN$" + 22 salt characters. */
	if (kg_random(rnd, sizeof(rnd)) == -1 ||
	    crypt_gensalt_rn("$2b$", (unsigned long)cost, rnd, sizeof(rnd),
	    setting, sizeof(setting)) == NULL || strlen(setting) != 7 + SALT_LEN ||
	    strchr(".Oeu", setting[7 + SALT_LEN - 1]) == NULL) {
		kg_errf(err, KG_EINTERNAL, "cannot make a bcrypt salt");
		return NULL;
	}
	memcpy(salt, setting + 7, SALT_LEN + 1);
	if (sha_digest(password, cost, salt, digest) == -1) {
		kg_errf(err, KG_EINTERNAL, "bcrypt failed");
		return NULL;
	}
	if (asprintf(&out, SHA_PREFIX "%d$%s$%s", cost, salt, digest) == -1) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		out = NULL;
	}
	kg_wipe(digest, sizeof(digest));
	return out;
}

static void
make_dummy(void)
{
	struct kg_err	 err = { 0 };
	char		*h;

	if ((h = password_hash("keygate dummy password", dummy_cost, &err)) == NULL) {
		log_error("password: cannot make the dummy hash: %s", err.msg);
		return;
	}
	kg_strlcpy(dummy, h, sizeof(dummy));
	free(h);
}

int
password_init(int cost, struct kg_err *err)
{
	if (cost < 4 || cost > 31)
		return kg_errf(err, KG_EINTERNAL, "bcrypt cost out of range");
	dummy_cost = cost;
	pthread_once(&dummy_once, make_dummy);
	if (dummy[0] == '\0')
		return kg_errf(err, KG_EINTERNAL, "cannot make the dummy hash");
	return 0;
}

static int
verify_sha(const char *password, const char *hash)
{
	char	salt[SALT_LEN + 1], want[DIGEST_LEN + 1], got[DIGEST_LEN + 1];
	int	cost, ok = 0;

	if (parse_sha(hash, &cost, salt, want) == -1)
		return -1;
	if (sha_digest(password, cost, salt, got) == 0)
		ok = kg_ct_equal(got, want, DIGEST_LEN);
	kg_wipe(got, sizeof(got));
	return ok;
}

static int
verify_legacy(const char *password, const char *hash)
{
	char	out[BCRYPT_LEN + 1];
	int	ok = 0;

	if (bcrypt_run(password, hash, out) == 0)
		ok = kg_ct_equal(out, hash, BCRYPT_LEN);
	kg_wipe(out, sizeof(out));
	/* bcrypt saw only the first 72 bytes: the rest cannot be checked. */
	if (strlen(password) > PASSWORD_BCRYPT_MAX)
		ok = 0;
	return ok;
}

int
password_verify(const char *password, const char *hash)
{
	int	ok;

	if (password == NULL)
		password = "";
	if (hash != NULL && is_legacy(hash))
		return verify_legacy(password, hash);
	if (hash != NULL && (ok = verify_sha(password, hash)) != -1)
		return ok;
	/* No usable hash: spend the same work, then refuse. */
	pthread_once(&dummy_once, make_dummy);
	if (dummy[0] != '\0')
		(void)verify_sha(password, dummy);
	return 0;
}

int
password_needs_upgrade(const char *hash)
{
	return is_legacy(hash);
}

uint64_t
password_bcrypt_runs(void)
{
	return atomic_load_explicit(&runs, memory_order_relaxed);
}
