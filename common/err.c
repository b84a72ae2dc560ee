/* err.c - struct kg_err helpers. */
#include <stdarg.h>
#include <stdio.h>

#include "common/err.h"

int
kg_errf(struct kg_err *err, enum kg_errkind kind, const char *fmt, ...)
{
	va_list	ap;
	size_t	n, lead, need;
	unsigned char c;
	int	len;

	if (err == NULL)
		return -1;
	err->kind = kind;
	va_start(ap, fmt);
	len = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (len >= (int)sizeof(err->msg)) {
		/* Cut: never leave half a UTF-8 character (replies are JSON). */
		n = sizeof(err->msg) - 1;
		lead = n;
		while (lead > 0 && ((unsigned char)err->msg[lead - 1] & 0xc0) == 0x80)
			lead--;
		if (lead > 0 && ((unsigned char)err->msg[lead - 1] & 0x80)) {
			c = (unsigned char)err->msg[lead - 1];
			need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
			if (n - (lead - 1) < need)
				err->msg[lead - 1] = '\0';
		}
	}
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
