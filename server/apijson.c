/*
 * apijson.c - request checks, "extra" handling, JSON views and replies
 * shared by the API modules (see apijson.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "common/util.h"
#include "server/apijson.h"
#include "svc/svc.h"

int
apij_oom(struct kg_err *err)
{
	return kg_errf(err, KG_EINTERNAL, "out of memory");
}

/* ------------------------------------------------------------------------
 * 400 texts.
 * --------------------------------------------------------------------- */

static int
input_error(struct kg_err *err, const char *field, const char *val,
    const char *reason)
{
	return kg_errf(err, KG_EBADREQ, "Invalid input for field/attribute %s. "
	    "Value: %s. %s", field, val, reason);
}

/* Short JSON rendering of v for error texts ("***" for secrets). */
static void
repr(json_t *v, unsigned int flags, char *out, size_t outsz)
{
	char	*s;

	if (flags & APIJ_SECRET) {
		kg_strlcpy(out, "***", outsz);
		return;
	}
	if ((s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT)) == NULL) {
		kg_strlcpy(out, "?", outsz);
		return;
	}
	if (strlen(s) >= 64)
		snprintf(out, outsz, "%.60s...", s);
	else
		kg_strlcpy(out, s, outsz);
	free(s);
}

static int
invalid(struct kg_err *err, const char *field, json_t *v, unsigned int flags,
    const char *reason)
{
	char	val[80];

	repr(v, flags, val, sizeof(val));
	return input_error(err, field, val, reason);
}

/* Render v as Python's repr() would (quote: strings in '...'), or as its
 * str() (no quote). */
static void
pyrepr(const json_t *v, int quote, char *out, size_t outsz)
{
	char	*s;

	if (v == NULL) {
		snprintf(out, outsz, "None");
		return;
	}
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
apij_bad_input(struct kg_err *err, const char *attr, const json_t *v,
    const char *why)
{
	char	val[96], rep[100], msg[200];

	pyrepr(v, 0, val, sizeof(val));
	pyrepr(v, 1, rep, sizeof(rep));
	snprintf(msg, sizeof(msg), why, rep);
	return input_error(err, attr, val, msg);
}

int
apij_unexpected(struct kg_err *err, const char *field, const char *key)
{
	if (field == NULL)
		return kg_errf(err, KG_EBADREQ, "Additional properties are not"
		    " allowed ('%s' was unexpected)", key);
	return kg_errf(err, KG_EBADREQ, "Invalid input for field/attribute %s."
	    " Additional properties are not allowed ('%s' was unexpected)",
	    field, key);
}

int
apij_required(struct kg_err *err, const char *field)
{
	return kg_errf(err, KG_EBADREQ, "'%s' is a required property", field);
}

/* ------------------------------------------------------------------------
 * Request bodies.
 * --------------------------------------------------------------------- */

json_t *
apij_body_object(struct req *r, const char *key, unsigned int flags,
    struct kg_err *err)
{
	json_t		*v;
	const char	*k;

	if (r->body == NULL || json_object_get(r->body, key) == NULL) {
		apij_required(err, key);
		return NULL;
	}
	if (!(flags & APIJ_BODY_OPEN))
		json_object_foreach(r->body, k, v)
			if (strcmp(k, key) != 0) {
				apij_unexpected(err, NULL, k);
				return NULL;
			}
	v = json_object_get(r->body, key);
	if (!json_is_object(v)) {
		if (flags & APIJ_BODY_REPR)
			apij_bad_input(err, key, v, "%s is not of type 'object'");
		else
			invalid(err, key, v, 0, "Expecting an object.");
		return NULL;
	}
	if ((flags & APIJ_BODY_NONEMPTY) && json_object_size(v) == 0) {
		apij_bad_input(err, key, v, "%s does not have enough properties");
		return NULL;
	}
	return v;
}

/* Is s made of Keystone's id characters only ([a-zA-Z0-9-]*)? */
static int
id_charset(const char *s)
{
	return s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-")] == '\0';
}

/* Does s match Keystone's id_string (^[a-zA-Z0-9-]+$, 1..64 long)? */
static int
id_chars(const char *s)
{
	size_t	n = strlen(s);

	return n > 0 && n <= 64 && id_charset(s);
}

/* Has s a character other than white space? */
static int
not_blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isspace((unsigned char)*s))
			return 1;
	return 0;
}

int
apij_check_fields(const json_t *obj, const struct apij_field *f, size_t n,
    struct kg_err *err)
{
	const json_t	*v;
	const char	*s;
	size_t		 i, len;

	for (i = 0; i < n; i++) {
		if ((v = json_object_get(obj, f[i].name)) == NULL)
			continue;
		switch (f[i].type) {
		case APIJ_F_BOOL:
			if (!json_is_boolean(v))
				return apij_bad_input(err, f[i].name, v,
				    "%s is not of type 'boolean'");
			continue;
		case APIJ_F_STRN:
			if (json_is_null(v))
				continue;
			if (!json_is_string(v))
				return apij_bad_input(err, f[i].name, v,
				    "%s is not of type 'string', 'null'");
			break;
		case APIJ_F_STR:
			if (!json_is_string(v))
				return apij_bad_input(err, f[i].name, v,
				    "%s is not of type 'string'");
			break;
		}
		s = json_string_value(v);
		len = json_string_length(v);
		if (len < f[i].minlen)
			return apij_bad_input(err, f[i].name, v, "%s is too short");
		if (f[i].maxlen != 0 && len > f[i].maxlen)
			return apij_bad_input(err, f[i].name, v, "%s is too long");
		if (strlen(s) != len)
			return apij_bad_input(err, f[i].name, v, "%s contains NUL");
		if ((f[i].flags & APIJ_NONBLANK) && !not_blank(s))
			return apij_bad_input(err, f[i].name, v,
			    "%s does not match '[\\\\S]+'");
		if ((f[i].flags & APIJ_IDCHARS) && !id_chars(s))
			return apij_bad_input(err, f[i].name, v,
			    "%s does not match '^[a-zA-Z0-9-]+$'");
	}
	return 0;
}

int
apij_require(const json_t *obj, const char *member, const char *name,
    struct kg_err *err)
{
	char	msg[64];

	if (json_object_get(obj, name) != NULL)
		return 0;
	snprintf(msg, sizeof(msg), "'%s' is a required property", name);
	return apij_bad_input(err, member, obj, msg);
}

int
apij_matching_id(const json_t *obj, const char *id, struct kg_err *err)
{
	const json_t	*v = json_object_get(obj, "id");

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) || strcmp(json_string_value(v), id) != 0)
		return kg_errf(err, KG_EBADREQ, "Cannot change ID");
	return 0;
}

/* Characters (not bytes) of a UTF-8 string. */
static size_t
utf8_len(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

int
apij_string(json_t *obj, const char *field, unsigned int flags, size_t maxchars,
    const char **out, struct kg_err *err)
{
	json_t		*v = json_object_get(obj, field);
	const char	*s;
	char		 why[128];

	*out = NULL;
	if (v == NULL) {
		if (flags & APIJ_REQUIRED)
			return apij_required(err, field);
		return 0;
	}
	if (json_is_null(v) && (flags & APIJ_NULLABLE))
		return 0;
	if (!json_is_string(v))
		return invalid(err, field, v, flags, (flags & APIJ_NULLABLE) ?
		    "Expecting a string or null." : "Expecting a string.");
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v))
		return invalid(err, field, v, flags, "NUL characters are not allowed.");
	if ((flags & (APIJ_NONBLANK | APIJ_IDCHARS)) && *s == '\0')
		return invalid(err, field, v, flags, "'' is too short");
	if (flags & APIJ_IDCHARS) {
		maxchars = maxchars && maxchars < 64 ? maxchars : 64;
		if (!id_charset(s))
			return invalid(err, field, v, flags,
			    "Does not match '^[a-zA-Z0-9-]+$'");
	}
	if ((flags & APIJ_NONBLANK) && !not_blank(s))
		return invalid(err, field, v, flags, "Does not match '[\\S]+'");
	if ((maxchars != 0 && utf8_len(s) > maxchars) ||
	    ((flags & (APIJ_NONBLANK | APIJ_IDCHARS)) &&
	    strlen(s) >= STORE_NAME_SIZE)) {
		snprintf(why, sizeof(why), "Is too long (at most %zu characters).",
		    maxchars ? maxchars : (size_t)STORE_NAME_SIZE - 1);
		return invalid(err, field, v, flags, why);
	}
	*out = s;
	return 0;
}

/* Keystone's boolean enum (keystone/api/validation/parameter_types.py). */
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

int
apij_bool(json_t *obj, const char *field, int *out, int *present,
    struct kg_err *err)
{
	json_t	*v = json_object_get(obj, field);
	int	 b;

	if (present != NULL)
		*present = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_boolean(v))
		b = json_is_true(v);
	else if (!json_is_string(v) || (b = bool_word(json_string_value(v))) < 0)
		return invalid(err, field, v, 0, "Expecting a boolean.");
	*out = b;
	if (present != NULL)
		*present = 1;
	return 0;
}

/* obj["options"]: absent, null, or an object of the options allowed
 * (immutable, a boolean or null, when immutable_ok). */
static int
options_check(json_t *obj, int immutable_ok, struct kg_err *err)
{
	json_t		*v = json_object_get(obj, "options");
	const char	*k;
	json_t		*x;

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return invalid(err, "options", v, 0, "Expecting an object.");
	json_object_foreach(v, k, x) {
		if (!immutable_ok || strcmp(k, "immutable") != 0)
			return apij_unexpected(err, "options", k);
		if (!json_is_boolean(x) && !json_is_null(x))
			return invalid(err, "immutable", x, 0, "Expecting a boolean.");
	}
	return 0;
}

int
apij_options(json_t *obj, struct kg_err *err)
{
	return options_check(obj, 0, err);
}

int
apij_resource_options(json_t *obj, struct kg_err *err)
{
	return options_check(obj, 1, err);
}

int
apij_set_options(const json_t *obj, char **extra, struct kg_err *err)
{
	json_t		*in = json_object_get(obj, "options"), *x, *opts, *v;
	const char	*k;
	char		*s;

	if (!json_is_object(in))
		return 0;
	x = json_loads(*extra != NULL ? *extra : "{}", 0, NULL);
	if (!json_is_object(x)) {
		json_decref(x);
		x = json_object();
	}
	opts = json_object_get(x, "options");
	if (!json_is_object(opts)) {
		opts = json_object();
		json_object_set_new(x, "options", opts);
	}
	/* Keystone sets each option given; None unsets it. */
	json_object_foreach(in, k, v) {
		if (json_is_null(v))
			json_object_del(opts, k);
		else
			json_object_set(opts, k, v);
	}
	if (json_object_size(opts) == 0)
		json_object_del(x, "options");
	s = json_dumps(x, JSON_COMPACT);
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
	if (apij_tags(tags, "tags", &tv, &n, err) == -1)
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
	s = x != NULL && a != NULL && json_object_set_new(x, "tags", a) == 0 ?
	    json_dumps(x, JSON_COMPACT) : NULL;
	json_decref(x);
	if (s == NULL)
		return apij_oom(err);
	free(*extra);
	*extra = s;
	return 0;
}

json_t *
apij_options_of(const char *extra)
{
	json_t	*x, *o = NULL;

	if (extra != NULL && (x = json_loads(extra, 0, NULL)) != NULL) {
		if (json_is_object(json_object_get(x, "options")))
			o = json_incref(json_object_get(x, "options"));
		json_decref(x);
	}
	return o != NULL ? o : json_object();
}

int
apij_tag_check(const char *field, const char *tag, struct kg_err *err)
{
	json_t	*v;
	int	 ret = 0;

	/* A tag from the URL path may be any bytes: only UTF-8 is stored. */
	if (!kg_utf8_valid(tag))
		return kg_errf(err, KG_EBADREQ, "Invalid input for field/attribute "
		    "%s. Value is not valid UTF-8.", field);
	if (*tag == '\0' || utf8_len(tag) > 255 || strpbrk(tag, ",/") != NULL) {
		v = json_string(tag);
		ret = invalid(err, field, v, 0, *tag == '\0' ? "'' is too short" :
		    strpbrk(tag, ",/") != NULL ? "Does not match '^[^,/]*$'" :
		    "Is too long (at most 255 characters).");
		json_decref(v);
	}
	return ret;
}

int
apij_tags(json_t *v, const char *field, char ***out, size_t *n,
    struct kg_err *err)
{
	char	**tags = NULL, buf[1024];
	size_t	 i, j, cnt;
	json_t	*t;

	*out = NULL;
	*n = 0;
	if (!json_is_array(v))
		return invalid(err, field, v, 0, "Expecting an array.");
	cnt = json_array_size(v);
	if (cnt > APIJ_MAX_TAGS)
		return invalid(err, field, v, 0, "Is too long (at most 80 items).");
	if (cnt == 0)
		return 0;
	if ((tags = calloc(cnt, sizeof(*tags))) == NULL)
		return apij_oom(err);
	json_array_foreach(v, i, t) {
		if (!json_is_string(t) ||
		    strlen(json_string_value(t)) != json_string_length(t)) {
			invalid(err, field, t, 0, "Expecting a string.");
			goto fail;
		}
		if (apij_tag_check(field, json_string_value(t), err) == -1)
			goto fail;
		/* Keystone strips tags after validating them. */
		apij_strip(json_string_value(t), buf, sizeof(buf));
		for (j = 0; j < i; j++)
			if (strcmp(tags[j], buf) == 0) {
				invalid(err, field, v, 0, "Has non-unique elements.");
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

/* ------------------------------------------------------------------------
 * JSON views and replies.
 * --------------------------------------------------------------------- */

void
apij_merge_extra(json_t *out, const char *extra)
{
	json_t		*x, *v;
	const char	*k;

	if (extra == NULL || (x = json_loads(extra, 0, NULL)) == NULL)
		return;
	if (json_is_object(x))
		json_object_foreach(x, k, v)
			if (json_object_get(out, k) == NULL)
				json_object_set(out, k, v);
	json_decref(x);
}

/* A domain's tags, kept in its extra (the domain table has no tags). */
static json_t *
domain_tags(const struct kg_domain *d)
{
	json_t	*x, *tags = NULL;

	if ((x = json_loads(d->extra ? d->extra : "{}", 0, NULL)) != NULL &&
	    json_is_array(json_object_get(x, "tags")))
		tags = json_incref(json_object_get(x, "tags"));
	json_decref(x);
	return tags != NULL ? tags : json_array();
}

json_t *
apij_domain(struct req *r, const struct kg_domain *d)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:o, s:o, s:o}", "id", d->id,
	    "name", d->name, "description", d->description ? d->description : "",
	    "enabled", d->enabled, "tags", domain_tags(d), "options",
	    apij_options_of(d->extra), "links", req_self_link(r, "domains", d->id));
}

json_t *
apij_domain_as_project(struct req *r, const struct kg_domain *d)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:n, s:n, s:b, s:o, s:o, s:o}",
	    "id", d->id, "name", d->name, "description",
	    d->description ? d->description : "", "enabled", d->enabled,
	    "domain_id", "parent_id", "is_domain", 1, "tags", domain_tags(d),
	    "options", apij_options_of(d->extra),
	    "links", req_self_link(r, "projects", d->id));
}

json_t *
apij_project(struct req *r, const struct kg_project *p)
{
	json_t	*o, *tags;
	size_t	 i;

	if ((tags = json_array()) == NULL)
		return NULL;
	for (i = 0; i < p->ntags; i++)
		json_array_append_new(tags, json_string(p->tags[i]));
	/* Keystone's parent of a top-level project is its domain. */
	o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:b, s:o, s:o, s:o}",
	    "id", p->id, "name", p->name, "domain_id", p->domain_id,
	    "description", p->description ? p->description : "",
	    "enabled", p->enabled, "parent_id",
	    p->parent_id[0] ? p->parent_id : p->domain_id, "is_domain", 0,
	    "tags", tags, "options", apij_options_of(p->extra),
	    "links", req_self_link(r, "projects", p->id));
	if (o != NULL)
		apij_merge_extra(o, p->extra);
	return o;
}

json_t *
apij_user(struct req *r, const struct kg_user *u)
{
	json_t	*o, *exp;
	char	 t[KG_TIME_LEN];

	if (u->password_expires_at != 0) {
		kg_time_fmt(u->password_expires_at, t);
		exp = json_string(t);
	} else
		exp = json_null();
	o = json_pack("{s:s, s:s, s:s, s:b, s:o, s:{}, s:o}", "id", u->id,
	    "name", u->name, "domain_id", u->domain_id, "enabled", u->enabled,
	    "password_expires_at", exp, "options",
	    "links", req_self_link(r, "users", u->id));
	if (o == NULL)
		return NULL;
	if (u->default_project_id[0] != '\0')
		json_object_set_new(o, "default_project_id",
		    json_string(u->default_project_id));
	apij_merge_extra(o, u->extra);
	/* Keystone's filter_user: never a password, even one kept in extra. */
	json_object_del(o, "password");
	return o;
}

json_t *
apij_group(struct req *r, const struct kg_group *g)
{
	json_t	*o;

	o = json_pack("{s:s, s:s, s:s, s:s, s:o}", "id", g->id, "name", g->name,
	    "domain_id", g->domain_id, "description",
	    g->description ? g->description : "",
	    "links", req_self_link(r, "groups", g->id));
	if (o != NULL)
		apij_merge_extra(o, g->extra);
	return o;
}

json_t *
apij_role(struct req *r, const struct kg_role *role)
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

void
apij_url(struct req *r, const char *path, char *out, size_t outsz)
{
	char	base[600];

	req_base_url(r, base, sizeof(base));
	snprintf(out, outsz, "%s/v3%s", base, path);
}

/* A query string being rebuilt from MHD's parsed arguments. */
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
apij_query_links(struct req *r)
{
	char		url[2400], query[1600];
	struct qs	q = { query, 0, sizeof(query), 0 };

	query[0] = '\0';
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, qs_iter, &q);
	if (q.overflow)
		query[0] = '\0';
	apij_url(r, r->path + (strncmp(r->path, "/v3", 3) == 0 ? 3 : 0),
	    url, sizeof(url) - sizeof(query));
	strncat(url, query, sizeof(url) - strlen(url) - 1);
	return json_pack("{s:n, s:s, s:n}", "next", "self", url, "previous");
}

int
apij_reply_list_links(struct req *r, const char *key, json_t *arr,
    json_t *links, struct kg_err *err)
{
	if (arr == NULL) {
		json_decref(links);
		return apij_oom(err);
	}
	json_decref(r->out);
	if ((r->out = json_pack("{s:o, s:o}", key, arr, "links", links)) == NULL)
		return apij_oom(err);
	return 200;
}

int
apij_reply_list(struct req *r, const char *key, json_t *arr, struct kg_err *err)
{
	return apij_reply_list_links(r, key, arr, req_links(r), err);
}

int
apij_reply_roles(struct req *r, const struct kg_role *v, size_t n,
    struct kg_err *err)
{
	json_t	*list, *o;
	size_t	 i;

	if ((list = json_array()) == NULL)
		return apij_oom(err);
	for (i = 0; i < n; i++)
		if ((o = apij_role(r, &v[i])) == NULL ||
		    json_array_append_new(list, o) == -1) {
			json_decref(list);
			return apij_oom(err);
		}
	return apij_reply_list_links(r, "roles", list, apij_query_links(r), err);
}

int
apij_reply_member(struct req *r, const char *key, json_t *obj, int status,
    struct kg_err *err)
{
	if (obj == NULL)
		return apij_oom(err);
	json_decref(r->out);
	if ((r->out = json_pack("{s:o}", key, obj)) == NULL)
		return apij_oom(err);
	return status;
}
