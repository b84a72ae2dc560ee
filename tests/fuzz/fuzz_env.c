/* fuzz_env.c - a bootstrapped data directory for the fuzz targets (see fuzz_env.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/credkeys.h"
#include "auth/keys.h"
#include "common/log.h"
#include "common/util.h"
#include "server/bootstrap.h"
#include "store/store.h"
#include "tests/fuzz/fuzz_env.h"

static char	tmpdir[64];

void
fz_die(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	fprintf(stderr, "fuzz: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

/* Remove the data directory when the process exits (also after a crash
 * report: libFuzzer exits through exit() or _exit, the latter leaves it). */
static void
remove_tmpdir(void)
{
	char	cmd[128];

	if (tmpdir[0] == '\0')
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz: cannot remove %s\n", tmpdir);
}

void
fz_env_setup(struct kg_config *cfg, const char *prefix, const char *base_url)
{
	struct bootstrap_opts	 o;
	struct kg_err		 err = { 0 };
	struct store		*st;
	int			 from, to;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/%s-XXXXXX", prefix);
	if (mkdtemp(tmpdir) == NULL)
		fz_die("mkdtemp %s failed", tmpdir);
	atexit(remove_tmpdir);

	config_defaults(cfg);
	snprintf(cfg->data_dir, sizeof(cfg->data_dir), "%s/data", tmpdir);
	kg_strlcpy(cfg->log_level, "error", sizeof(cfg->log_level));
	cfg->password_hash_rounds = 4;
	cfg->threads = 2;
	cfg->hash_threads = 1;
	cfg->connection_timeout = 5;
	if (config_load(cfg, NULL, &err) == -1)
		fz_die("config: %s", err.msg);
	log_set_level(LOG_LVL_ERROR);
	if (mkdir(cfg->data_dir, 0700) == -1)
		fz_die("mkdir %s failed", cfg->data_dir);
	if ((st = store_open(config_db_path(cfg), &err)) == NULL ||
	    store_migrate(st, &from, &to, &err) == -1 ||
	    keys_setup(config_key_dir(cfg), &err) == -1 ||
	    credkeys_setup(config_cred_key_dir(cfg), &err) == -1)
		fz_die("data directory: %s", err.msg);
	memset(&o, 0, sizeof(o));
	o.password = FZ_ADMIN_PASSWORD;
	o.region_id = "RegionOne";
	o.admin_url = o.internal_url = o.public_url = base_url;
	bootstrap_opts_defaults(&o);
	o.hash_rounds = cfg->password_hash_rounds;
	if (bootstrap_run(st, &o, &err) == -1)
		fz_die("bootstrap: %s", err.msg);
	store_close(st);
}

void
fz_buf_add(struct fz_buf *b, const void *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t	cap = b->cap ? b->cap : 4096;

		while (cap < b->len + n + 1)
			cap *= 2;
		if ((b->p = realloc(b->p, cap)) == NULL)
			abort();
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}
