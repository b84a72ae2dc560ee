/* err.c - struct kg_err helpers. */
#include <stdarg.h>
#include <stdio.h>

#include "common/err.h"
#include "common/util.h"

int
kg_errf(struct kg_err *err, enum kg_errkind kind, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL)
		return -1;
	err->kind = kind;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	/*
	 * Messages quote client input (names, ids, path segments), cut to fit
	 * here or by a %.60s: invalid or cut UTF-8 would make the JSON error
	 * body unencodable, and the client would get an empty reply.
	 */
	kg_utf8_repair(err->msg);
	return -1;
}

void
kg_err_clear(struct kg_err *err)
{
	if (err == NULL)
		return;
	err->kind = KG_OK;
	err->msg[0] = '\0';
}
