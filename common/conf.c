/*
 * conf.c - INI files (libinih) and environment overrides driven by a
 * table of options (see conf.h).
 */
#include <ini.h>

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/conf.h"
#include "common/util.h"

static const struct conf_option *
option_find(const struct conf_option *t, size_t n, const char *section,
    const char *name)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcasecmp(t[i].section, section) == 0 &&
		    strcasecmp(t[i].name, name) == 0)
			return &t[i];
	return NULL;
}

/* Store value into o's field of base; errors start with where (may be ""). */
static int
option_set(void *base, const struct conf_option *o, const char *value,
    struct kg_err *err, const char *where)
{
	char		*p = (char *)base + o->off, *end;
	const char	*sep = *where ? ": " : "";
	long		 v;
	unsigned long	 u;

	switch (o->type) {
	case CONF_T_STR:
		if (strlen(value) >= o->size)
			return kg_errf(err, KG_EBADREQ, "%s%s%s.%s: value too long",
			    where, sep, o->section, o->name);
		kg_strlcpy(p, value, o->size);
		return 0;
	case CONF_T_BOOL:
		if (strcasecmp(value, "true") == 0 || strcmp(value, "1") == 0 ||
		    strcasecmp(value, "yes") == 0 || strcasecmp(value, "on") == 0)
			v = 1;
		else if (strcasecmp(value, "false") == 0 || strcmp(value, "0") == 0 ||
		    strcasecmp(value, "no") == 0 || strcasecmp(value, "off") == 0)
			v = 0;
		else
			return kg_errf(err, KG_EBADREQ, "%s%s%s.%s: not a boolean: %s",
			    where, sep, o->section, o->name, value);
		*(int *)(void *)p = (int)v;
		return 0;
	case CONF_T_INT:
	case CONF_T_LONG:
		errno = 0;
		v = strtol(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' || v < o->min || v > o->max)
			return kg_errf(err, KG_EBADREQ,
			    "%s%s%s.%s: expected an integer in [%ld, %ld]: %s",
			    where, sep, o->section, o->name, o->min, o->max, value);
		if (o->type == CONF_T_INT)
			*(int *)(void *)p = (int)v;
		else
			*(long *)(void *)p = v;
		return 0;
	case CONF_T_MARK:
		errno = 0;
		u = strtoul(value, &end, 0);
		if (errno != 0 || end == value || *end != '\0' ||
		    !isdigit((unsigned char)*value) || u == 0 || u > 0xffffffffUL)
			return kg_errf(err, KG_EBADREQ, "%s%s%s.%s: expected a nonzero "
			    "32-bit mark (0x.. or decimal): %s", where, sep, o->section,
			    o->name, value);
		*(uint32_t *)(void *)p = (uint32_t)u;
		return 0;
	}
	return -1;
}

struct ini_ctx {
	const struct conf_option	*t;
	size_t				 n;
	void				*base;
	struct kg_err			*err;
	int				 failed;
};

/*
 * Debian's libinih passes no line number to the handler; returning 0
 * makes ini_parse_file return the line, which conf_load_file prefixes.
 */
static int
on_ini_option(void *user, const char *section, const char *name, const char *value)
{
	struct ini_ctx			*x = user;
	const struct conf_option	*o;

	if (x->failed)
		return 0;
	if ((o = option_find(x->t, x->n, section, name)) == NULL) {
		kg_errf(x->err, KG_EBADREQ, "unknown option [%s] %s", section, name);
		x->failed = 1;
		return 0;
	}
	if (option_set(x->base, o, value, x->err, "") == -1) {
		x->failed = 1;
		return 0;
	}
	return 1;
}

int
conf_load_file(const struct conf_option *t, size_t n, void *base, const char *path,
    struct kg_err *err)
{
	struct ini_ctx	 x = { t, n, base, err, 0 };
	FILE		*fp;
	int		 rc;

	if ((fp = fopen(path, "r")) == NULL)
		return kg_errf(err, KG_EBADREQ, "%s: %s", path, strerror(errno));
	rc = ini_parse_file(fp, on_ini_option, &x);
	fclose(fp);
	if (x.failed) {
		char	msg[sizeof(err->msg)];

		kg_strlcpy(msg, err->msg, sizeof(msg));
		return kg_errf(err, KG_EBADREQ, "%s:%d: %s", path, rc, msg);
	}
	if (rc != 0)
		return kg_errf(err, KG_EBADREQ, "%s:%d: syntax error", path, rc);
	return 0;
}

int
conf_apply_env(const struct conf_option *t, size_t n, void *base, const char *prefix,
    int flags, struct kg_err *err)
{
	char		 var[128], *p;
	const char	*val;
	size_t		 i;

	for (i = 0; i < n; i++) {
		snprintf(var, sizeof(var), "%s_%s_%s", prefix, t[i].section, t[i].name);
		for (p = var; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		if ((val = getenv(var)) == NULL)
			continue;
		if (option_set(base, &t[i], val, err,
		    (flags & CONF_ENV_NAME_VAR) ? var : "") == -1)
			return -1;
	}
	return 0;
}

void
conf_dump(const struct conf_option *t, size_t n, const void *base, FILE *fp)
{
	const char	*p;
	char		 shown[512];
	size_t		 i;

	for (i = 0; i < n; i++) {
		p = (const char *)base + t[i].off;
		fprintf(fp, "%s.%s = ", t[i].section, t[i].name);
		switch (t[i].type) {
		case CONF_T_STR:
			if (t[i].secret == 2)
				p = kg_conninfo_redact(p, shown, sizeof(shown));
			fprintf(fp, "%s\n", t[i].secret == 1 && *p ? "***" : p);
			break;
		case CONF_T_INT:
		case CONF_T_BOOL:
			fprintf(fp, "%d\n", *(const int *)(const void *)p);
			break;
		case CONF_T_LONG:
			fprintf(fp, "%ld\n", *(const long *)(const void *)p);
			break;
		case CONF_T_MARK:
			fprintf(fp, "0x%x\n", *(const uint32_t *)(const void *)p);
			break;
		}
	}
}
