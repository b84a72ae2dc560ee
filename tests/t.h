/*
 * t.h - a tiny test framework (after Redis's testhelp.h).
 *
 *   T("users-3.2 duplicate name -> 409", st == 409);
 *   return t_report();
 *
 * Each case has a stable id. Failures print the id, file and line; the
 * report's last line is "N passed, N failed", which tests/run sums.
 */
#ifndef KG_T_H
#define KG_T_H

#include <stdio.h>
#include <string.h>

static int	t_passed, t_failed;

#define T(id, cond) do {						\
	if (cond) {							\
		t_passed++;						\
		if (getenv("T_VERBOSE")) printf("ok   %s\n", id);	\
	} else {							\
		t_failed++;						\
		printf("FAIL %s  (%s:%d: %s)\n", id, __FILE__, __LINE__, #cond); \
	}								\
	fflush(stdout);							\
} while (0)

/* strcmp(a, b) == 0, false when either is NULL (a failed step before). */
static inline int
t_streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* Append s to the string in buf (size bufsz), cut to fit. */
static inline void
t_cat(char *buf, size_t bufsz, const char *s)
{
	size_t	n = strlen(buf), m = strlen(s);

	if (n + 1 >= bufsz)
		return;
	if (m > bufsz - n - 1)
		m = bufsz - n - 1;
	memcpy(buf + n, s, m);
	buf[n + m] = '\0';
}

/* Print the summary line; the exit status is 1 when anything failed. */
static inline int
t_report(void)
{
	printf("%d passed, %d failed\n", t_passed, t_failed);
	return t_failed ? 1 : 0;
}

#endif /* KG_T_H */
