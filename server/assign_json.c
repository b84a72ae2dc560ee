/* assign_json.c - JSON helpers for the roles and assignments APIs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "server/assign_json.h"

json_t *
assign_role_json(struct req *r, const struct kg_role *role)
{
	json_t		*o, *extra = NULL, *opts = NULL;
	const char	*k;
	json_t		*v;

	if (role->extra != NULL)
		extra = json_loads(role->extra, 0, NULL);
	if ((o = json_object()) == NULL)
		goto fail;
	if (json_is_object(extra)) {
		json_object_foreach(extra, k, v) {
			if (strcmp(k, "options") == 0) {
				if (json_is_object(v))
					opts = json_incref(v);
				continue;
			}
			if (json_object_set(o, k, v) == -1)
				goto fail;
		}
	}
	if (opts == NULL)
		opts = json_object();
	if (json_object_set_new(o, "id", json_string(role->id)) == -1 ||
	    json_object_set_new(o, "name", json_string(role->name)) == -1 ||
	    json_object_set_new(o, "domain_id", role->domain_id[0] != '\0' ?
	    json_string(role->domain_id) : json_null()) == -1 ||
	    json_object_set_new(o, "description", role->description != NULL &&
	    role->description[0] != '\0' ? json_string(role->description) :
	    json_null()) == -1 ||
	    json_object_set_new(o, "options", opts) == -1 ||
	    json_object_set_new(o, "links", req_self_link(r, "roles", role->id)) == -1) {
		opts = NULL;
		goto fail;
	}
	json_decref(extra);
	return o;
 fail:
	json_decref(opts);
	json_decref(extra);
	json_decref(o);
	return NULL;
}

int
assign_reply_roles(struct req *r, const struct kg_role *v, size_t n,
    struct kg_err *err)
{
	json_t	*list, *o;
	size_t	 i;

	if ((list = json_array()) == NULL)
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	for (i = 0; i < n; i++)
		if ((o = assign_role_json(r, &v[i])) == NULL ||
		    json_array_append_new(list, o) == -1) {
			json_decref(list);
			return kg_errf(err, KG_EINTERNAL, "out of memory");
		}
	r->out = json_pack("{s:o, s:o}", "roles", list, "links", assign_links(r));
	if (r->out == NULL)
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	return 200;
}

void
assign_url(struct req *r, const char *path, char *out, size_t outsz)
{
	char	base[600];

	req_base_url(r, base, sizeof(base));
	snprintf(out, outsz, "%s/v3%s", base, path);
}

struct qs {
	char	*buf;
	size_t	 len, cap;
	int	 overflow;
};

static void
qs_add(struct qs *q, const char *s)
{
	size_t	n = strlen(s);

	if (q->len + n + 1 > q->cap) {
		q->overflow = 1;
		return;
	}
	memcpy(q->buf + q->len, s, n + 1);
	q->len += n;
}

/* Append a query component, percent-encoding what needs it. */
static void
qs_add_enc(struct qs *q, const char *s)
{
	static const char	hex[] = "0123456789ABCDEF";
	char			e[4];

	for (; *s != '\0'; s++) {
		unsigned char	c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~:", c) != NULL) {
			e[0] = (char)c;
			e[1] = '\0';
		} else {
			e[0] = '%';
			e[1] = hex[c >> 4];
			e[2] = hex[c & 15];
			e[3] = '\0';
		}
		qs_add(q, e);
	}
}

static enum MHD_Result
qs_iter(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct qs	*q = cls;

	qs_add(q, q->len == 0 ? "?" : "&");
	qs_add_enc(q, key);
	if (value != NULL) {
		qs_add(q, "=");
		qs_add_enc(q, value);
	}
	return MHD_YES;
}

json_t *
assign_links(struct req *r)
{
	char		url[2400], query[1600];
	struct qs	q = { query, 0, sizeof(query), 0 };

	query[0] = '\0';
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, qs_iter, &q);
	if (q.overflow)
		query[0] = '\0';
	assign_url(r, r->path + (strncmp(r->path, "/v3", 3) == 0 ? 3 : 0),
	    url, sizeof(url) - sizeof(query));
	strncat(url, query, sizeof(url) - strlen(url) - 1);
	return json_pack("{s:n, s:s, s:n}", "next", "self", url, "previous");
}

/* Render v as Python's repr() would (quote: strings in '...'). */
static void
pyrepr(const json_t *v, int quote, char *out, size_t outsz)
{
	char	*s;

	switch (json_typeof(v)) {
	case JSON_STRING:
		snprintf(out, outsz, quote ? "'%s'" : "%s", json_string_value(v));
		break;
	case JSON_INTEGER:
		snprintf(out, outsz, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		snprintf(out, outsz, "%g", json_real_value(v));
		break;
	case JSON_TRUE:
		snprintf(out, outsz, "True");
		break;
	case JSON_FALSE:
		snprintf(out, outsz, "False");
		break;
	case JSON_NULL:
		snprintf(out, outsz, "None");
		break;
	default:
		s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		snprintf(out, outsz, "%s", s ? s : "?");
		free(s);
	}
}

int
assign_bad_input(struct kg_err *err, const char *attr, const json_t *v,
    const char *why)
{
	char	val[96], rep[100], msg[200];

	pyrepr(v, 0, val, sizeof(val));
	pyrepr(v, 1, rep, sizeof(rep));
	snprintf(msg, sizeof(msg), why, rep);
	return kg_errf(err, KG_EBADREQ,
	    "Invalid input for field/attribute %s. Value: %s. %s", attr, val, msg);
}

int
assign_query_true(struct req *r, const char *name)
{
	const char	*v = req_query(r, name);

	return v != NULL && strcmp(v, "0") != 0;
}
