/*
 * conf.h - table-driven INI configuration (libinih) with environment
 * overrides, shared by keygate (server/config.c) and keygate-gateway
 * (gateway/conf.c).
 *
 * A program describes its configuration struct with a table of
 * struct conf_option (section, option name, type, where the field lies,
 * bounds); the functions below fill that struct from a file and from
 * <PREFIX>_<SECTION>_<OPTION> environment variables and print it back.
 * Usage:
 *
 *	#define INT(s, n, f, lo, hi) CONF_INT(struct my_conf, s, n, f, lo, hi)
 *	static const struct conf_option opts[] = { INT("a", "b", b, 1, 9), };
 *	conf_load_file(opts, CONF_NOPTS(opts), &c, path, err);
 *	conf_apply_env(opts, CONF_NOPTS(opts), &c, "MYPROG", 0, err);
 */
#ifndef KG_CONF_H
#define KG_CONF_H

#include <stddef.h>
#include <stdio.h>

#include "common/err.h"

enum conf_type {
	CONF_T_STR,		/* char[size] */
	CONF_T_INT,		/* int in [min, max] (decimal) */
	CONF_T_LONG,		/* long in [min, max] (decimal) */
	CONF_T_BOOL,		/* int 0/1: yes/no, true/false, on/off, 1/0 */
	CONF_T_MARK		/* uint32_t, nonzero: 0x.. or decimal; dumped in hex */
};

struct conf_option {
	const char	*section;
	const char	*name;
	enum conf_type	 type;
	size_t		 off;		/* offsetof(struct ..., field) */
	size_t		 size;		/* CONF_T_STR: buffer size */
	long		 min, max;	/* CONF_T_INT/CONF_T_LONG bounds */
	int		 secret;	/* CONF_T_STR: 1: dumped as "***" when set;
					   2: a connection string, dumped
					   without its password */
};

#define CONF_OFF(T, f)	offsetof(T, f)
#define CONF_SZ(T, f)	sizeof(((T *)0)->f)
#define CONF_STR(T, s, n, f) { s, n, CONF_T_STR, CONF_OFF(T, f), CONF_SZ(T, f), 0, 0, 0 }
#define CONF_SECRET(T, s, n, f) { s, n, CONF_T_STR, CONF_OFF(T, f), CONF_SZ(T, f), 0, 0, 1 }
#define CONF_CONNINFO(T, s, n, f) { s, n, CONF_T_STR, CONF_OFF(T, f), CONF_SZ(T, f), 0, 0, 2 }
#define CONF_INT(T, s, n, f, lo, hi) { s, n, CONF_T_INT, CONF_OFF(T, f), 0, lo, hi, 0 }
#define CONF_LONG(T, s, n, f, lo, hi) { s, n, CONF_T_LONG, CONF_OFF(T, f), 0, lo, hi, 0 }
#define CONF_BOOL(T, s, n, f) { s, n, CONF_T_BOOL, CONF_OFF(T, f), 0, 0, 1, 0 }
#define CONF_MARK(T, s, n, f) { s, n, CONF_T_MARK, CONF_OFF(T, f), 0, 0, 0, 0 }
#define CONF_NOPTS(t)	(sizeof(t) / sizeof((t)[0]))

/* conf_apply_env flags */
#define CONF_ENV_NAME_VAR	0x1	/* errors start "<VARIABLE>: " */

/*
 * Parse the INI file path over base. Unknown sections/options, bad values
 * and syntax errors fail with "<path>:<line>: <what>"; a file that cannot
 * be opened with "<path>: <strerror>". Returns 0 or -1.
 */
int	conf_load_file(const struct conf_option *t, size_t n, void *base,
	    const char *path, struct kg_err *err);

/*
 * For each option whose variable <prefix>_<SECTION>_<OPTION> (upper case)
 * is set, store its value over base. The first bad value fails with
 * "section.option: <what>" (prefixed with the variable's name when flags
 * has CONF_ENV_NAME_VAR). Returns 0 or -1.
 */
int	conf_apply_env(const struct conf_option *t, size_t n, void *base,
	    const char *prefix, int flags, struct kg_err *err);

/* Print every option as "section.option = value" (secrets masked). */
void	conf_dump(const struct conf_option *t, size_t n, const void *base, FILE *fp);

#endif /* KG_CONF_H */
