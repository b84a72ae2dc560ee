/*
 * jsonfast.h - json_loadb for request bodies without jansson's lexer cost.
 *
 * jansson reads a string one character at a time through a callback and a
 * growing buffer, about 20 ns a byte: a 1.1 KB token-method request body
 * took longer to parse (~23 µs) than the ES256 signature of the new token
 * (~21 µs). kg_json_loadb parses the common subset of JSON directly into
 * jansson values and hands everything else to json_loadb itself:
 *
 *   - objects, arrays, true, false, null, at most 32 levels deep;
 *   - strings of printable ASCII (0x20-0x7f) without backslash escapes;
 *   - object keys unique within their object.
 *
 * Any other input (numbers, escapes, non-ASCII bytes, control characters,
 * duplicate keys, a scalar at the top, trailing text, syntax errors) is
 * parsed again from the start by json_loadb, so the result, and the error
 * text on failure, are always exactly json_loadb's. Over the subset both
 * build the same tree (same values, same key order).
 */
#ifndef KG_JSONFAST_H
#define KG_JSONFAST_H

#include <jansson.h>
#include <stddef.h>

/*
 * Same contract as json_loadb(buf, len, JSON_REJECT_DUPLICATES, err):
 * a new reference to the array or object in buf[0..len), or NULL with
 * err (may be NULL) filled by jansson.
 */
json_t	*kg_json_loadb(const char *buf, size_t len, json_error_t *err);

/* The fast path alone: NULL when buf is outside the subset (tests). */
json_t	*kg_json_loadb_fast(const char *buf, size_t len);

#endif /* KG_JSONFAST_H */
