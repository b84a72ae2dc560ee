/*
 * config.c - keygate.conf parsing (libinih) and KEYGATE_* overrides,
 * driven by one table of options.
 */
#include <ini.h>

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"
#include "common/util.h"
#include "server/config.h"

enum opt_type { OPT_STR, OPT_INT, OPT_LONG, OPT_BOOL };

struct option_def {
	const char	*section;
	const char	*name;
	enum opt_type	 type;
	size_t		 off;		/* offsetof(struct kg_config, field) */
	size_t		 size;		/* OPT_STR: buffer size */
	long		 min, max;	/* OPT_INT/OPT_LONG bounds */
};

#define STR(s, n, f)	{ s, n, OPT_STR, offsetof(struct kg_config, f), \
			    sizeof(((struct kg_config *)0)->f), 0, 0 }
#define INT(s, n, f, lo, hi) { s, n, OPT_INT, offsetof(struct kg_config, f), 0, lo, hi }
#define LNG(s, n, f, lo, hi) { s, n, OPT_LONG, offsetof(struct kg_config, f), 0, lo, hi }
#define BOOL(s, n, f)	{ s, n, OPT_BOOL, offsetof(struct kg_config, f), 0, 0, 1 }

static const struct option_def options[] = {
	STR("server", "listen", listen),
	STR("server", "data_dir", data_dir),
	STR("server", "public_endpoint", public_endpoint),
	INT("server", "threads", threads, 1, 256),
	LNG("server", "max_request_body_size", max_request_body_size, 1024, 16777216),
	STR("server", "log_level", log_level),
	INT("server", "connection_timeout", connection_timeout, 1, 3600),
	STR("database", "connection", database),
	LNG("token", "expiration", expiration, 60, 31536000),
	LNG("token", "allow_expired_window", allow_expired_window, 0, 31536000),
	STR("token", "key_repository", key_repository),
	INT("token", "cache_size", cache_size, 0, 10000000),
	INT("identity", "password_hash_rounds", password_hash_rounds, 4, 31),
	BOOL("metrics", "enabled", metrics_enabled),
	STR("metrics", "allow", metrics_allow),
};
#define NOPTIONS	(sizeof(options) / sizeof(options[0]))

static char	db_path_buf[PATH_MAX + 32];
static char	key_dir_buf[PATH_MAX + 32];

void
config_defaults(struct kg_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	kg_strlcpy(cfg->listen, "127.0.0.1:5000", sizeof(cfg->listen));
	kg_strlcpy(cfg->data_dir, "/var/lib/keygate", sizeof(cfg->data_dir));
	cfg->threads = 2;
	cfg->max_request_body_size = 114688;	/* Keystone's default */
	kg_strlcpy(cfg->log_level, "info", sizeof(cfg->log_level));
	cfg->connection_timeout = 30;
	cfg->expiration = 3600;
	cfg->allow_expired_window = 172800;	/* Keystone's default: 48 h */
	cfg->cache_size = 10000;	/* ~1.5 KB each: ~15 MB when full */
	cfg->password_hash_rounds = 12;		/* Keystone's bcrypt default */
	cfg->metrics_enabled = 1;
}

static const struct option_def *
option_find(const char *section, const char *name)
{
	size_t	i;

	for (i = 0; i < NOPTIONS; i++)
		if (strcasecmp(options[i].section, section) == 0 &&
		    strcasecmp(options[i].name, name) == 0)
			return &options[i];
	return NULL;
}

static int
option_set(struct kg_config *cfg, const struct option_def *o, const char *value,
    struct kg_err *err, const char *where)
{
	char	*p = (char *)cfg + o->off, *end;
	long	 v;

	switch (o->type) {
	case OPT_STR:
		if (strlen(value) >= o->size)
			return kg_errf(err, KG_EBADREQ, "%s%s%s.%s: value too long",
			    where, *where ? ": " : "", o->section, o->name);
		kg_strlcpy(p, value, o->size);
		return 0;
	case OPT_BOOL:
		if (strcasecmp(value, "true") == 0 || strcmp(value, "1") == 0 ||
		    strcasecmp(value, "yes") == 0 || strcasecmp(value, "on") == 0)
			v = 1;
		else if (strcasecmp(value, "false") == 0 || strcmp(value, "0") == 0 ||
		    strcasecmp(value, "no") == 0 || strcasecmp(value, "off") == 0)
			v = 0;
		else
			return kg_errf(err, KG_EBADREQ, "%s%s%s.%s: not a boolean: %s",
			    where, *where ? ": " : "", o->section, o->name, value);
		*(int *)(void *)p = (int)v;
		return 0;
	case OPT_INT:
	case OPT_LONG:
		errno = 0;
		v = strtol(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' || v < o->min || v > o->max)
			return kg_errf(err, KG_EBADREQ,
			    "%s%s%s.%s: expected an integer in [%ld, %ld]: %s",
			    where, *where ? ": " : "", o->section, o->name, o->min,
			    o->max, value);
		if (o->type == OPT_INT)
			*(int *)(void *)p = (int)v;
		else
			*(long *)(void *)p = v;
		return 0;
	}
	return -1;
}

struct ini_ctx {
	struct kg_config	*cfg;
	struct kg_err		*err;
	int			 failed;
};

/*
 * Debian's libinih passes no line number to the handler; returning 0
 * makes ini_parse_file return the line, which config_load then prefixes.
 */
static int
on_ini_option(void *user, const char *section, const char *name, const char *value)
{
	struct ini_ctx		*c = user;
	const struct option_def	*o;

	if (c->failed)
		return 0;
	if ((o = option_find(section, name)) == NULL) {
		kg_errf(c->err, KG_EBADREQ, "unknown option [%s] %s", section, name);
		c->failed = 1;
		return 0;
	}
	if (option_set(c->cfg, o, value, c->err, "") == -1) {
		c->failed = 1;
		return 0;
	}
	return 1;
}

static int
config_apply_env(struct kg_config *cfg, struct kg_err *err)
{
	char		 var[128], *p;
	const char	*val;
	size_t		 i;

	for (i = 0; i < NOPTIONS; i++) {
		snprintf(var, sizeof(var), "KEYGATE_%s_%s", options[i].section,
		    options[i].name);
		for (p = var; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		if ((val = getenv(var)) == NULL)
			continue;
		if (option_set(cfg, &options[i], val, err, var) == -1)
			return -1;
	}
	return 0;
}

int
config_load(struct kg_config *cfg, const char *path, struct kg_err *err)
{
	struct ini_ctx	 c = { cfg, err, 0 };
	enum log_level	 lvl;
	FILE		*fp;
	int		 rc;

	if (path != NULL) {
		if ((fp = fopen(path, "r")) == NULL)
			return kg_errf(err, KG_EBADREQ, "%s: %s", path, strerror(errno));
		rc = ini_parse_file(fp, on_ini_option, &c);
		fclose(fp);
		if (c.failed) {
			char	msg[sizeof(err->msg)];

			kg_strlcpy(msg, err->msg, sizeof(msg));
			return kg_errf(err, KG_EBADREQ, "%s:%d: %s", path, rc, msg);
		}
		if (rc != 0)
			return kg_errf(err, KG_EBADREQ, "%s:%d: syntax error", path, rc);
	}
	if (config_apply_env(cfg, err) == -1)
		return -1;
	if (log_level_parse(cfg->log_level, &lvl) == -1)
		return kg_errf(err, KG_EBADREQ, "server.log_level: unknown level %s",
		    cfg->log_level);
	if (cfg->data_dir[0] == '\0')
		return kg_errf(err, KG_EBADREQ, "server.data_dir must be set");
	return 0;
}

const char *
config_db_path(const struct kg_config *cfg)
{
	if (cfg->database[0] != '\0')
		return cfg->database;
	snprintf(db_path_buf, sizeof(db_path_buf), "%s/keygate.db", cfg->data_dir);
	return db_path_buf;
}

const char *
config_key_dir(const struct kg_config *cfg)
{
	if (cfg->key_repository[0] != '\0')
		return cfg->key_repository;
	snprintf(key_dir_buf, sizeof(key_dir_buf), "%s/keys", cfg->data_dir);
	return key_dir_buf;
}

void
config_dump(const struct kg_config *cfg, FILE *fp)
{
	const char	*p;
	size_t		 i;

	for (i = 0; i < NOPTIONS; i++) {
		p = (const char *)cfg + options[i].off;
		fprintf(fp, "%s.%s = ", options[i].section, options[i].name);
		switch (options[i].type) {
		case OPT_STR:
			fprintf(fp, "%s\n", p);
			break;
		case OPT_INT:
		case OPT_BOOL:
			fprintf(fp, "%d\n", *(const int *)(const void *)p);
			break;
		case OPT_LONG:
			fprintf(fp, "%ld\n", *(const long *)(const void *)p);
			break;
		}
	}
}
