/* err.c - struct kg_err helpers. */
#include <stdarg.h>
#include <stdio.h>

#include "common/err.h"
#include "common/util.h"

int
kg_errf(struct kg_err *err, enum kg_errkind kind, const char *fmt, ...)
{
	va_list	ap;
	int	len;

	if (err == NULL)
		return -1;
	err->kind = kind;
	err->shown = 0;
	err->retry_after = 0;
	va_start(ap, fmt);
	len = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	/*
	 * Messages quote client input (names, ids, path segments): a cut at
	 * the end of msg never leaves half a character, and invalid or cut
	 * UTF-8 inside (a %.60s) is repaired, or the JSON error body would be
	 * unencodable and the client would get an empty reply.
	 */
	if (len >= (int)sizeof(err->msg))
		err->msg[kg_utf8_cut(err->msg, sizeof(err->msg) - 1)] = '\0';
	kg_utf8_repair(err->msg);
	return -1;
}

int
kg_err_shown(struct kg_err *err, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL)
		return -1;
	err->kind = KG_EUNAUTH;
	err->retry_after = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	kg_utf8_repair(err->msg);
	err->shown = 1;
	return -1;
}

void
kg_err_clear(struct kg_err *err)
{
	if (err == NULL)
		return;
	err->kind = KG_OK;
	err->msg[0] = '\0';
	err->shown = 0;
	err->retry_after = 0;
}
