/*
 * fuzz_env.h - what the libFuzzer targets under tests/fuzz/ share: a
 * temporary data directory holding a migrated, bootstrapped database and
 * a signing key repository, removed when the process exits; a growing
 * byte buffer for building inputs.
 *
 * Used once per process, from LLVMFuzzerInitialize (single-threaded).
 * Failures are fatal (the target cannot run): they print and exit(2).
 */
#ifndef KG_FUZZ_ENV_H
#define KG_FUZZ_ENV_H

#include "server/config.h"

#define FZ_ADMIN_PASSWORD	"fuzz-admin-secret"

/*
 * Fill cfg with the defaults for a data directory made under /tmp
 * (prefix names it, e.g. "kg-fuzz-http"), quiet logs and bcrypt cost 4;
 * create the database (migrated), the keys, and run the bootstrap (admin
 * user, project, roles, RegionOne and the identity endpoints at base_url).
 */
void	fz_env_setup(struct kg_config *cfg, const char *prefix, const char *base_url);

/* A growing, always NUL-terminated byte buffer (start zeroed; free p). */
struct fz_buf {
	char	*p;
	size_t	 len, cap;
};

/* Append n bytes of s to b; aborts when out of memory. */
void	fz_buf_add(struct fz_buf *b, const void *s, size_t n);

/* Die with a message (printf format). */
void	fz_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif /* KG_FUZZ_ENV_H */
