/*
 * apijson.c - request validation before the handler, and the request-side
 * helpers of the API modules (see apijson.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "server/apijson.h"
#include "server/bodies.h"
#include "server/views.h"
#include "svc/svc.h"

/* ------------------------------------------------------------------------
 * Before the handler.
 * --------------------------------------------------------------------- */

static int
query_check(void *arg, const char *key, const char *value)
{
	struct kg_err	*err = arg;
	char		 rep[80], name[APIJ_QUERY_KEY_MAX + 1];
	json_t		*k;

	if (strlen(key) <= APIJ_QUERY_KEY_MAX && (value == NULL ||
	    strlen(value) <= APIJ_QUERY_VALUE_MAX))
		return 0;
	/* The name is client bytes: echo its head, made valid UTF-8 (a JSON
	 * string refuses anything else; fuzz_http found the 500 it gave). */
	kg_strlcpy(name, key, sizeof(name));
	kg_utf8_repair(name);
	if ((k = json_string(name)) == NULL)
		return apij_oom(err);
	validate_repr(k, rep, sizeof(rep), 64);
	json_decref(k);
	if (strlen(key) > APIJ_QUERY_KEY_MAX)
		return kg_errf(err, KG_EBADREQ, "Invalid input for query parameters: "
		    "the name %s is too long (at most %d bytes).", rep,
		    APIJ_QUERY_KEY_MAX);
	return kg_errf(err, KG_EBADREQ, "Invalid input for query parameters %s:"
	    " the value is too long (at most %d bytes).", rep,
	    APIJ_QUERY_VALUE_MAX);
}

int
request_validate(struct req *r, struct kg_err *err)
{
	const struct body	*b;

	if (req_query_each(r, query_check, err) == -1)
		return -1;
	if ((b = bodies_find(r->method, r->route)) == NULL)
		return 0;
	if (bodies_validate(b, r->body, &r->body_err) == -1 &&
	    r->body_err.kind != KG_EBADREQ) {
		*err = r->body_err;		/* out of memory: now */
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * A validated body.
 * --------------------------------------------------------------------- */

int
apij_bad_input(struct kg_err *err, const char *field, const json_t *v,
    const char *why)
{
	char	rep[VALIDATE_ECHO_MAX + 8];

	validate_repr(v, rep, sizeof(rep), VALIDATE_ECHO_MAX);
	return kg_errf(err, KG_EBADREQ, "Invalid input for field '%s': %s%s",
	    field, rep, why);
}

int
apij_path_value(const char *column, const char *v, size_t max,
    struct kg_err *err)
{
	json_t	*j;
	int	 ret;

	if ((j = json_string(v)) == NULL)	/* jansson checks UTF-8 */
		return kg_errf(err, KG_EBADREQ, "Invalid input for field '%s': "
		    "the value is not valid UTF-8.", column);
	ret = bodies_check_bytes(column, j, max, err);
	json_decref(j);
	return ret;
}

json_t *
apij_body(struct req *r, struct kg_err *err)
{
	r->body_seen = 1;
	if (r->body_err.kind != KG_OK) {
		*err = r->body_err;
		return NULL;
	}
	return r->body;
}

json_t *
apij_body_object(struct req *r, const char *key, struct kg_err *err)
{
	json_t	*v;

	if (apij_body(r, err) == NULL && r->body_err.kind != KG_OK)
		return NULL;
	v = r->body ? json_object_get(r->body, key) : NULL;
	if (v == NULL) {
		kg_errf(err, KG_EBADREQ, "'%s' is a required property", key);
		return NULL;
	}
	if (!json_is_object(v)) {
		apij_bad_input(err, key, v, " is not of type 'object'");
		return NULL;
	}
	return v;
}

json_t *
apij_body_member(struct req *r, const char *key, struct kg_err *err)
{
	json_t	*b, *v;

	if ((b = apij_body(r, err)) == NULL && r->body_err.kind != KG_OK)
		return NULL;
	if (b != NULL && (v = json_object_get(b, key)) != NULL)
		return json_incref(v);
	if ((v = json_object()) == NULL)
		kg_errf(err, KG_EINTERNAL, "out of memory");
	return v;
}

const char *
apij_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

int
apij_set_bool(const json_t *obj, const char *key, int *out)
{
	const json_t	*v = json_object_get(obj, key);

	if (!json_is_boolean(v))
		return 0;
	*out = json_is_true(v);
	return 1;
}

int
apij_matching(const json_t *obj, const char *key, const char *id,
    const char *text, struct kg_err *err)
{
	const json_t	*v = json_object_get(obj, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) || strcmp(json_string_value(v), id) != 0)
		return kg_errf(err, KG_EBADREQ, "%s", text);
	return 0;
}

int
apij_matching_id(const json_t *obj, const char *id, struct kg_err *err)
{
	return apij_matching(obj, "id", id, "Cannot change ID", err);
}

int
apij_tag_check(const char *tag, struct kg_err *err)
{
	json_t	*v;
	int	 ret;

	/* A tag from the URL path may be any bytes: only UTF-8 is stored. */
	if ((v = json_string(tag)) == NULL)
		return kg_errf(err, KG_EBADREQ, "Invalid input for field 'tags': "
		    "the tag is not valid UTF-8.");
	ret = bodies_check_tag(v, err);
	json_decref(v);
	return ret;
}

int
apij_tags(const json_t *v, char ***out, size_t *n, struct kg_err *err)
{
	char	**tags = NULL, buf[1024];
	size_t	 i, j, cnt = json_array_size(v);
	json_t	*t;

	*out = NULL;
	*n = 0;
	if (cnt == 0)
		return 0;
	if ((tags = calloc(cnt, sizeof(*tags))) == NULL)
		return apij_oom(err);
	json_array_foreach(v, i, t) {
		/* Keystone strips tags after validating them. */
		apij_strip(json_is_string(t) ? json_string_value(t) : "", buf,
		    sizeof(buf));
		for (j = 0; j < i; j++)
			if (strcmp(tags[j], buf) == 0) {
				apij_bad_input(err, "tags", v,
				    " has non-unique elements");
				goto fail;
			}
		if ((tags[i] = strdup(buf)) == NULL) {
			apij_oom(err);
			goto fail;
		}
	}
	*out = tags;
	*n = cnt;
	return 0;
 fail:
	store_strv_free(tags, cnt);
	return -1;
}

int
apij_set_options(const json_t *obj, char **extra, struct kg_err *err)
{
	json_t		*in = json_object_get(obj, "options"), *x, *opts, *v;
	const char	*k;
	char		*s = NULL;

	if (!json_is_object(in))
		return 0;
	x = json_loads(*extra != NULL ? *extra : "{}", 0, NULL);
	if (!json_is_object(x)) {
		json_decref(x);
		if ((x = json_object()) == NULL)
			return apij_oom(err);
	}
	opts = json_object_get(x, "options");
	if (!json_is_object(opts)) {
		if ((opts = json_object()) == NULL ||
		    json_object_set_new(x, "options", opts) == -1)
			goto done;
	}
	/* Keystone sets each option given; None unsets it. */
	json_object_foreach(in, k, v) {
		if (json_is_null(v))
			json_object_del(opts, k);
		else if (json_object_set(opts, k, v) == -1)
			goto done;
	}
	if (json_object_size(opts) == 0)
		json_object_del(x, "options");
	s = json_dumps(x, JSON_COMPACT);
 done:
	json_decref(x);
	if (s == NULL)
		return apij_oom(err);
	free(*extra);
	*extra = s;
	return 0;
}

int
apij_immutable_edit(const char *extra, const json_t *m, const char *type,
    const char *id, struct kg_err *err)
{
	json_t	*v;

	if (!svc_extra_immutable(extra))
		return 0;
	/* Only {"options": {"immutable": false or null}}, alone. */
	v = json_object_get(json_object_get(m, "options"), "immutable");
	if (json_object_size(m) > 1 || v == NULL ||
	    !(json_is_false(v) || json_is_null(v)))
		return svc_immutable_update(err, type, id);
	return 0;
}

int
apij_set_extra_tags(const json_t *obj, char **extra, struct kg_err *err)
{
	json_t	*tags = json_object_get(obj, "tags"), *x, *a;
	char	**tv = NULL, *s;
	size_t	  n = 0, i;

	if (tags == NULL || json_is_null(tags))
		return 0;
	if (apij_tags(tags, &tv, &n, err) == -1)
		return -1;
	x = json_loads(*extra != NULL ? *extra : "{}", 0, NULL);
	if (!json_is_object(x)) {
		json_decref(x);
		x = json_object();
	}
	a = json_array();
	for (i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, json_string(tv[i]));
	store_strv_free(tv, n);
	s = NULL;
	if (x == NULL)
		json_decref(a);
	else if (a != NULL && json_object_set_new(x, "tags", a) == 0)
		s = json_dumps(x, JSON_COMPACT);	/* set_new took a */
	json_decref(x);
	if (s == NULL)
		return apij_oom(err);
	free(*extra);
	*extra = s;
	return 0;
}

char *
apij_extra(const json_t *obj, const char *const *known, const char *old,
    struct kg_err *err)
{
	json_t		*extra = NULL, *v;
	const char	*k;
	const char *const *kn;
	char		*s = NULL;

	if (old != NULL && *old != '\0')
		extra = json_loads(old, 0, NULL);
	if (!json_is_object(extra)) {
		json_decref(extra);
		extra = json_object();
	}
	if (extra == NULL) {
		apij_oom(err);
		return NULL;
	}
	json_object_foreach((json_t *)obj, k, v) {
		for (kn = known; *kn != NULL; kn++)
			if (strcmp(*kn, k) == 0)
				break;
		if (*kn == NULL && json_object_set(extra, k, v) == -1)
			goto done;
	}
	s = json_dumps(extra, JSON_COMPACT);
 done:
	json_decref(extra);
	if (s == NULL)
		apij_oom(err);
	return s;
}

int
apij_set_extra(const json_t *obj, const char *const *known, char **extra,
    struct kg_err *err)
{
	char	*s;

	if ((s = apij_extra(obj, known, *extra, err)) == NULL)
		return -1;
	free(*extra);
	*extra = s;
	return 0;
}

int
apij_set_text(const json_t *obj, const char *key, char **dst,
    struct kg_err *err)
{
	const json_t	*v = json_object_get(obj, key);
	char		*s;

	if (v == NULL)
		return 0;
	if ((s = strdup(json_is_string(v) ? json_string_value(v) : "")) == NULL)
		return apij_oom(err);
	free(*dst);
	*dst = s;
	return 0;
}

void
apij_strip(const char *s, char *out, size_t outsz)
{
	size_t	n;

	while (*s != '\0' && isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

/* Keystone's boolean words for query filters (parameter_types.py). */
static int
bool_word(const char *s)
{
	static const char *const yes[] = { "True", "TRUE", "true", "1", "y", "Y",
	    "on", "ON", "yes" };
	static const char *const no[] = { "False", "FALSE", "false", "", "0", "n",
	    "N", "off", "OFF", "no" };
	size_t	i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strcmp(s, yes[i]) == 0)
			return 1;
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (strcmp(s, no[i]) == 0)
			return 0;
	return -1;
}

/* ------------------------------------------------------------------------
 * Query parameters and the caller's domain.
 * --------------------------------------------------------------------- */

int
apij_query_bool(struct req *r, const char *name, int *out, struct kg_err *err)
{
	const char	*v = req_query(r, name);

	*out = -1;
	if (v == NULL)
		return 0;
	/* req_query_bool accepts what Keystone's query filters accept. */
	if ((*out = req_query_bool(r, name, -1)) < 0 && (*out = bool_word(v)) < 0)
		return kg_errf(err, KG_EBADREQ, "Invalid input for query parameters "
		    "%s. Value: %.60s. Expecting a boolean.", name, v);
	return 0;
}

void
apij_name_match(struct req *r, struct kg_name_match *m)
{
	m->contains = req_query(r, "name__contains");
	m->icontains = req_query(r, "name__icontains");
	m->startswith = req_query(r, "name__startswith");
	m->istartswith = req_query(r, "name__istartswith");
	m->endswith = req_query(r, "name__endswith");
	m->iendswith = req_query(r, "name__iendswith");
}

int
apij_query_true(struct req *r, const char *name)
{
	const char	*v = req_query(r, name);

	return v != NULL && strcmp(v, "0") != 0;
}

int
apij_authorize_lookup(struct req *r, const char *rule,
    const struct policy_target *t, const struct kg_err *lookup,
    struct kg_err *err)
{
	if (lookup->kind != KG_OK && lookup->kind != KG_ENOTFOUND) {
		*err = *lookup;
		return -1;
	}
	if (req_authorize(r, rule, t, err) == -1)
		return -1;
	if (lookup->kind != KG_OK) {
		*err = *lookup;
		return -1;
	}
	return 0;
}

const char *
apij_default_domain(struct req *r)
{
	if (r->ctx != NULL && r->ctx->scope == KG_SCOPE_DOMAIN &&
	    r->ctx->domain_id[0] != '\0')
		return r->ctx->domain_id;
	return STORE_DEFAULT_DOMAIN_ID;
}

int
apij_list_domain(struct req *r, const char **dom)
{
	const char	*q = req_query(r, "domain_id");

	*dom = q;
	if (r->ctx == NULL || r->ctx->scope != KG_SCOPE_DOMAIN)
		return 1;
	if (q != NULL && strcmp(q, r->ctx->domain_id) != 0)
		return 0;
	*dom = r->ctx->domain_id;
	return 1;
}
