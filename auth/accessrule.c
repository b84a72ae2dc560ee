/* accessrule.c - access rules against requests (see accessrule.h). */
#include <stdlib.h>
#include <string.h>

#include "auth/accessrule.h"

/* Paths longer than this match no rule (a refusal, never a crash). */
#define PATH_MAX_MATCH	4096

/*
 * One step of the pattern, keystonemiddleware's tokens: "**" (any rest),
 * "*" not followed by '*' or "{...}" (one segment), else one literal
 * character. Returns the kind and advances *p.
 */
enum tok { T_END, T_ANY, T_ONE, T_LIT };

static enum tok
next_tok(const char **p, char *lit)
{
	const char	*s = *p, *close;

	if (*s == '\0')
		return T_END;
	if (s[0] == '*' && s[1] == '*') {
		*p = s + 2;
		return T_ANY;
	}
	if (s[0] == '*') {
		*p = s + 1;
		return T_ONE;
	}
	if (s[0] == '{' && (close = strchr(s, '}')) != NULL) {
		*p = close + 1;
		return T_ONE;
	}
	*lit = *s;
	*p = s + 1;
	return T_LIT;
}

/*
 * A set-of-positions walk instead of backtracking: at[j] says the pattern
 * read so far can end at path[j]. Each token maps that set to the next in
 * one pass, so a match costs O(pattern * path) whatever the wildcards (a
 * backtracking matcher, like the regular expression keystonemiddleware
 * builds, takes exponential time on "*a*a*a..." against a long segment).
 */
int
access_path_matches(const char *pattern, const char *path)
{
	unsigned char	 a[PATH_MAX_MATCH + 1], b[PATH_MAX_MATCH + 1];
	unsigned char	*at = a, *nx = b, *t;
	const char	*p = pattern;
	size_t		 n = strlen(path), j;
	enum tok	 k;
	char		 c = 0;
	int		 run, any;

	if (n > PATH_MAX_MATCH)
		return 0;
	memset(at, 0, n + 1);
	at[0] = 1;
	while ((k = next_tok(&p, &c)) != T_END) {
		memset(nx, 0, n + 1);
		switch (k) {
		case T_LIT:
			for (j = 0; j < n; j++)
				nx[j + 1] = at[j] && path[j] == c;
			break;
		case T_ONE:	/* one or more characters, none '/' */
			for (run = 0, j = 1; j <= n; j++) {
				run = (run || at[j - 1]) && path[j - 1] != '/';
				nx[j] = (unsigned char)run;
			}
			break;
		case T_ANY:	/* any characters, '/' too, possibly none */
			for (any = 0, j = 0; j <= n; j++) {
				any = any || at[j];
				nx[j] = (unsigned char)any;
			}
			break;
		case T_END:
			break;
		}
		t = at;
		at = nx;
		nx = t;
	}
	return at[n];
}

int
access_rules_allow(const struct kg_access_rule *rules, size_t n,
    const char *service_type, const char *method, const char *path)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(rules[i].method, method) == 0 &&
		    strcmp(rules[i].service, service_type) == 0 &&
		    access_path_matches(rules[i].path, path))
			return 1;
	return 0;
}

int
access_rules_supported(const char *header)
{
	char	*end;
	double	 v;

	if (header == NULL || header[0] == '\0')
		return 0;
	v = strtod(header, &end);
	while (*end == ' ' || *end == '\t')
		end++;
	return end != header && *end == '\0' && v >= 1.0;
}
