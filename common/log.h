/*
 * log.h - leveled logging to stderr.
 *
 * One line per call: "2026-11-25T09:06:55.123Z LEVEL message". Callers
 * prefix messages with __func__ for internal events. Never pass passwords,
 * tokens or request bodies to these functions.
 */
#ifndef KG_LOG_H
#define KG_LOG_H

enum log_level { LOG_LVL_DEBUG = 0, LOG_LVL_INFO, LOG_LVL_WARN, LOG_LVL_ERROR };

/* Set the minimum level printed. Default LOG_LVL_INFO. */
void	log_set_level(enum log_level lvl);

/* Parse "debug", "info", "warning"/"warn", "error" (case-insensitive).
 * Returns 0 and sets *out, or -1 for an unknown name. */
int	log_level_parse(const char *name, enum log_level *out);

/* Nonzero when messages of this level would be printed. */
int	log_enabled(enum log_level lvl);

void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* KG_LOG_H */
