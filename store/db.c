/*
 * db.c - what both drivers share that is not SQL: the choice of driver
 * from a connection string, and the rewriting of SQLite-style placeholders
 * into PostgreSQL's (see db.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "store/db.h"

const struct db_driver *
db_driver_for(const char *conninfo, struct kg_err *err)
{
	size_t	n;

	if (strncmp(conninfo, "postgresql://", 13) == 0 ||
	    strncmp(conninfo, "postgres://", 11) == 0)
		return &db_pg_driver;
	if ((n = kg_uri_scheme(conninfo)) > 0) {
		/* Only the scheme: the rest may hold a password. */
		kg_errf(err, KG_EBADREQ, "database.connection: unsupported URL"
		    " scheme \"%.*s\" (PostgreSQL: postgresql://USER@HOST:PORT/DB;"
		    " SQLite: a file path)", (int)(n > 32 ? 32 : n), conninfo);
		return NULL;
	}
	return &db_sqlite_driver;
}

void
db_sqlparams_free(struct db_sqlparams *p)
{
	int	i;

	if (p == NULL)
		return;
	for (i = 0; p->names != NULL && i < p->n; i++)
		free(p->names[i]);
	free(p->names);
	free(p->used);
	free(p->sql);
	memset(p, 0, sizeof(*p));
}

/* Nonzero when s (after a placeholder) goes on with IS [NOT] NULL. */
static int
null_test(const char *s)
{
	while (*s == ' ')
		s++;
	if (strncasecmp(s, "IS", 2) != 0 || s[2] != ' ')
		return 0;
	for (s += 3; *s == ' '; s++)
		;
	if (strncasecmp(s, "NOT", 3) == 0 && s[3] == ' ')
		for (s += 4; *s == ' '; s++)
			;
	return strncasecmp(s, "NULL", 4) == 0 && !isalnum((unsigned char)s[4]) &&
	    s[4] != '_';
}

/* Note parameter number idx (1-based) as used, named name[len] or not;
 * rest is the text after it. */
static int
note_param(struct db_sqlparams *p, int idx, const char *name, size_t len,
    const char *rest)
{
	unsigned char	*nu;
	char		**nn;
	int		 i;

	if (idx > p->n) {
		if ((nu = realloc(p->used, (size_t)idx)) == NULL)
			return -1;
		p->used = nu;
		if ((nn = realloc(p->names, (size_t)idx * sizeof(*nn))) == NULL)
			return -1;
		p->names = nn;
		for (i = p->n; i < idx; i++) {
			p->used[i] = 0;
			p->names[i] = NULL;
		}
		p->n = idx;
	}
	if (p->used[idx - 1] == 0)
		p->used[idx - 1] = DB_PARAM_USED |
		    (null_test(rest) ? DB_PARAM_NULLTEST : 0);
	if (name != NULL && p->names[idx - 1] == NULL &&
	    (p->names[idx - 1] = strndup(name, len)) == NULL)
		return -1;
	return 0;
}

/* The number of the named parameter name[len] seen so far, or 0. */
static int
named_index(const struct db_sqlparams *p, const char *name, size_t len)
{
	int	i;

	for (i = 0; i < p->n; i++)
		if (p->names[i] != NULL && strlen(p->names[i]) == len &&
		    strncmp(p->names[i], name, len) == 0)
			return i + 1;
	return 0;
}

int
db_placeholders(const char *sql, struct db_sqlparams *p)
{
	size_t	 len = strlen(sql), j;
	char	*o, quote;
	long	 v;
	int	 idx, max = 0;

	memset(p, 0, sizeof(*p));
	/* "?" becomes "$NNNN" at most: 5 bytes per input byte is enough. */
	if (len > 1000000 || (p->sql = malloc(len * 5 + 1)) == NULL)
		return -1;
	o = p->sql;
	while (*sql != '\0') {
		if (*sql == '\'' || *sql == '"') {
			/* A literal or quoted identifier ('' and "" escape). */
			quote = *sql;
			*o++ = *sql++;
			while (*sql != '\0' && *sql != quote)
				*o++ = *sql++;
			if (*sql != '\0')
				*o++ = *sql++;
			continue;
		}
		if (sql[0] == ':' && sql[1] == ':') {
			*o++ = *sql++;
			*o++ = *sql++;
			continue;
		}
		if (*sql == '?') {
			sql++;
			if (isdigit((unsigned char)*sql)) {
				v = strtol(sql, (char **)&sql, 10);
				if (v < 1 || v > DB_MAX_PARAMS)
					goto fail;
				idx = (int)v;
			} else
				idx = max + 1;
		} else if (*sql == ':' && (isalpha((unsigned char)sql[1]) ||
		    sql[1] == '_')) {
			for (j = 1; isalnum((unsigned char)sql[j]) || sql[j] == '_';
			    j++)
				;
			if ((idx = named_index(p, sql, j)) == 0)
				idx = max + 1;
			if (idx > DB_MAX_PARAMS ||
			    note_param(p, idx, sql, j, sql + j) == -1)
				goto fail;
			sql += j;
			if (idx > max)
				max = idx;
			o += sprintf(o, "$%d", idx);
			continue;
		} else {
			*o++ = *sql++;
			continue;
		}
		if (idx > DB_MAX_PARAMS || note_param(p, idx, NULL, 0, sql) == -1)
			goto fail;
		if (idx > max)
			max = idx;
		o += sprintf(o, "$%d", idx);
	}
	*o = '\0';
	return 0;
 fail:
	db_sqlparams_free(p);
	return -1;
}
