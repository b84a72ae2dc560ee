/* log.c - leveled, timestamped logging to stderr, one write per line. */
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"

static enum log_level	min_level = LOG_LVL_INFO;

void
log_set_level(enum log_level lvl)
{
	min_level = lvl;
}

int
log_enabled(enum log_level lvl)
{
	return lvl >= min_level;
}

int
log_level_parse(const char *name, enum log_level *out)
{
	static const struct { const char *name; enum log_level lvl; } names[] = {
		{ "debug", LOG_LVL_DEBUG }, { "info", LOG_LVL_INFO },
		{ "warning", LOG_LVL_WARN }, { "warn", LOG_LVL_WARN },
		{ "error", LOG_LVL_ERROR },
	};
	size_t	i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(name, names[i].name) == 0) {
			*out = names[i].lvl;
			return 0;
		}
	return -1;
}

/* Format the whole line first so concurrent threads never interleave. */
static void
log_vwrite(enum log_level lvl, const char *fmt, va_list ap)
{
	static const char *const tags[] = { "DEBUG", "INFO", "WARNING", "ERROR" };
	char		 line[2048];
	struct timespec	 ts;
	struct tm	 tm;
	int		 n, m;

	if (lvl < min_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, ts.tv_nsec / 1000000, tags[lvl]);
	m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	if (m < 0)
		return;
	n += m;
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, n);
}

#define LOG_FN(name, lvl)				\
void							\
name(const char *fmt, ...)				\
{							\
	va_list	ap;					\
							\
	va_start(ap, fmt);				\
	log_vwrite(lvl, fmt, ap);			\
	va_end(ap);					\
}
LOG_FN(log_debug, LOG_LVL_DEBUG)
LOG_FN(log_info, LOG_LVL_INFO)
LOG_FN(log_warn, LOG_LVL_WARN)
LOG_FN(log_error, LOG_LVL_ERROR)
