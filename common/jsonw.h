/*
 * jsonw.h - a small append-only JSON text writer for the hot paths (token
 * claims and bodies, written on every issue and validation miss), where
 * building a jansson tree and dumping it costs more than the ES256
 * signature. Everything else builds jansson trees.
 *
 * The writer only escapes: it does not check structure, so callers write
 * the punctuation themselves (jsonw_raw). Strings are expected to be valid
 * UTF-8 (they come from jansson-parsed input or the store, which holds
 * what jansson accepted); the characters JSON requires escaping ('"', '\\'
 * and U+0000..U+001F) are escaped, everything else is copied as is.
 *
 * Memory: the buffer grows by doubling from 2 KB. An allocation failure
 * is sticky: later calls do nothing and jsonw_done returns NULL, so a
 * sequence of writes needs one check at the end. Not thread-safe; one
 * writer per thread.
 */
#ifndef KG_JSONW_H
#define KG_JSONW_H

#include <stddef.h>
#include <stdint.h>

#include "common/types.h"

struct jsonw {
	char	*p;		/* NUL-terminated text so far (NULL before the first write) */
	size_t	 len;		/* bytes in p, without the NUL */
	size_t	 cap;		/* bytes allocated */
	int	 oom;		/* an allocation failed: the text is lost */
};

#define JSONW_INIT	{ NULL, 0, 0, 0 }

/* Make room for n more bytes at once (when the final size is known). */
void	jsonw_reserve(struct jsonw *w, size_t n);

/* Append s verbatim (punctuation, or JSON text made elsewhere). */
void	jsonw_raw(struct jsonw *w, const char *s);

/* Append the n bytes at s verbatim. */
void	jsonw_rawn(struct jsonw *w, const char *s, size_t n);

/* Append s as a JSON string (quoted and escaped); NULL writes null. */
void	jsonw_str(struct jsonw *w, const char *s);

/* Append v as a JSON integer. */
void	jsonw_int(struct jsonw *w, int64_t v);

/* Append the n strings of v as a JSON array of strings. */
void	jsonw_strv(struct jsonw *w, const char *const *v, size_t n);

/* Append Keystone's reference shape {"id": id, "name": name}. */
void	jsonw_id_name(struct jsonw *w, const char *id, const char *name);

/* Append roles[n] as [{"id", "name"}, ...]. */
void	jsonw_roles(struct jsonw *w, const struct kg_role_ref *roles, size_t n);

/*
 * The text written (malloc'd, the caller frees it), or NULL when an
 * allocation failed or nothing was written (the buffer is then freed).
 * The writer is empty afterwards and can be reused.
 */
char	*jsonw_done(struct jsonw *w);

/* Discard the text. NULL-safe. */
void	jsonw_free(struct jsonw *w);

#endif /* KG_JSONW_H */
