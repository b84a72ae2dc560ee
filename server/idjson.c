/*
 * idjson.c - request checks, "extra" handling and JSON views shared by
 * the identity API modules (see idjson.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "server/idjson.h"

int
idj_oom(struct kg_err *err)
{
	return kg_errf(err, KG_EINTERNAL, "out of memory");
}

/* Short JSON rendering of v for error texts ("***" for secrets). */
static void
repr(json_t *v, unsigned int flags, char *out, size_t outsz)
{
	char	*s;

	if (flags & IDJ_SECRET) {
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
	return kg_errf(err, KG_EBADREQ, "Invalid input for field/attribute %s. "
	    "Value: %s. %s", field, val, reason);
}

static int
required(struct kg_err *err, const char *field)
{
	return kg_errf(err, KG_EBADREQ, "'%s' is a required property", field);
}

json_t *
idj_body_object(struct req *r, const char *key, struct kg_err *err)
{
	json_t		*v;
	const char	*k;

	if (r->body == NULL || (v = json_object_get(r->body, key)) == NULL) {
		required(err, key);
		return NULL;
	}
	json_object_foreach(r->body, k, v)
		if (strcmp(k, key) != 0) {
			kg_errf(err, KG_EBADREQ, "Additional properties are not allowed"
			    " ('%s' was unexpected)", k);
			return NULL;
		}
	v = json_object_get(r->body, key);
	if (!json_is_object(v)) {
		invalid(err, key, v, 0, "Expecting an object.");
		return NULL;
	}
	return v;
}

int
idj_not_empty(json_t *obj, const char *field, struct kg_err *err)
{
	if (json_object_size(obj) == 0)
		return kg_errf(err, KG_EBADREQ, "Invalid input for field/attribute %s."
		    " Value: {}. {} does not have enough properties", field);
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
idj_string(json_t *obj, const char *field, unsigned int flags, size_t maxchars,
    const char **out, struct kg_err *err)
{
	json_t		*v = json_object_get(obj, field);
	const char	*s, *p;
	char		 why[128];

	*out = NULL;
	if (v == NULL) {
		if (flags & IDJ_REQUIRED)
			return required(err, field);
		return 0;
	}
	if (json_is_null(v) && (flags & IDJ_NULLABLE))
		return 0;
	if (!json_is_string(v))
		return invalid(err, field, v, flags, (flags & IDJ_NULLABLE) ?
		    "Expecting a string or null." : "Expecting a string.");
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v))
		return invalid(err, field, v, flags, "NUL characters are not allowed.");
	if ((flags & (IDJ_NONBLANK | IDJ_IDCHARS)) && *s == '\0')
		return invalid(err, field, v, flags, "'' is too short");
	if (flags & IDJ_IDCHARS) {
		maxchars = maxchars && maxchars < 64 ? maxchars : 64;
		for (p = s; *p != '\0'; p++)
			if (!isalnum((unsigned char)*p) && *p != '-')
				return invalid(err, field, v, flags,
				    "Does not match '^[a-zA-Z0-9-]+$'");
	}
	if (flags & IDJ_NONBLANK) {
		for (p = s; *p != '\0' && isspace((unsigned char)*p); p++)
			;
		if (*p == '\0')
			return invalid(err, field, v, flags, "Does not match '[\\S]+'");
	}
	if ((maxchars != 0 && utf8_len(s) > maxchars) ||
	    ((flags & (IDJ_NONBLANK | IDJ_IDCHARS)) && strlen(s) >= STORE_NAME_SIZE)) {
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
idj_bool(json_t *obj, const char *field, int *out, int *present,
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

int
idj_options(json_t *obj, struct kg_err *err)
{
	json_t		*v = json_object_get(obj, "options");
	const char	*k;
	json_t		*x;

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return invalid(err, "options", v, 0, "Expecting an object.");
	json_object_foreach(v, k, x)
		return kg_errf(err, KG_EBADREQ, "Invalid input for field/attribute "
		    "options. Additional properties are not allowed ('%s' was "
		    "unexpected)", k);
	return 0;
}

int
idj_tag_check(const char *field, const char *tag, struct kg_err *err)
{
	json_t	*v;
	int	 ret = 0;

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
idj_tags(json_t *v, const char *field, char ***out, size_t *n,
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
	if (cnt > IDJ_MAX_TAGS)
		return invalid(err, field, v, 0, "Is too long (at most 80 items).");
	if (cnt > 0 && (tags = calloc(cnt, sizeof(*tags))) == NULL)
		return idj_oom(err);
	json_array_foreach(v, i, t) {
		if (!json_is_string(t) ||
		    strlen(json_string_value(t)) != json_string_length(t)) {
			invalid(err, field, t, 0, "Expecting a string.");
			goto fail;
		}
		if (idj_tag_check(field, json_string_value(t), err) == -1)
			goto fail;
		/* Keystone strips tags after validating them. */
		idj_strip(json_string_value(t), buf, sizeof(buf));
		for (j = 0; j < i; j++)
			if (strcmp(tags[j], buf) == 0) {
				invalid(err, field, v, 0, "Has non-unique elements.");
				goto fail;
			}
		if ((tags[i] = strdup(buf)) == NULL) {
			idj_oom(err);
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
idj_extra(json_t *obj, const char *const *known, const char *old,
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
		idj_oom(err);
		return NULL;
	}
	json_object_foreach(obj, k, v) {
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
		idj_oom(err);
	return s;
}

void
idj_strip(const char *s, char *out, size_t outsz)
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

int
idj_query_bool(struct req *r, const char *name, int *out, struct kg_err *err)
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

const char *
idj_default_domain(struct req *r)
{
	if (r->ctx != NULL && r->ctx->scope == KG_SCOPE_DOMAIN &&
	    r->ctx->domain_id[0] != '\0')
		return r->ctx->domain_id;
	return STORE_DEFAULT_DOMAIN_ID;
}

int
idj_list_domain(struct req *r, const char **dom)
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

/* Set the members of extra (JSON object text) that out does not have. */
static void
merge_extra(json_t *out, const char *extra)
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

json_t *
idj_domain(struct req *r, const struct kg_domain *d)
{
	json_t	*o, *x, *tags = NULL;

	/* Domains keep their tags in extra: the schema has no domain tags. */
	if ((x = json_loads(d->extra ? d->extra : "{}", 0, NULL)) != NULL &&
	    json_is_array(json_object_get(x, "tags")))
		tags = json_incref(json_object_get(x, "tags"));
	json_decref(x);
	if (tags == NULL)
		tags = json_array();
	o = json_pack("{s:s, s:s, s:s, s:b, s:o, s:{}, s:o}", "id", d->id,
	    "name", d->name, "description", d->description ? d->description : "",
	    "enabled", d->enabled, "tags", tags, "options",
	    "links", req_self_link(r, "domains", d->id));
	return o;
}

json_t *
idj_domain_as_project(struct req *r, const struct kg_domain *d)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:n, s:n, s:b, s:[], s:{}, s:o}",
	    "id", d->id, "name", d->name, "description",
	    d->description ? d->description : "", "enabled", d->enabled,
	    "domain_id", "parent_id", "is_domain", 1, "tags", "options",
	    "links", req_self_link(r, "projects", d->id));
}

json_t *
idj_project(struct req *r, const struct kg_project *p)
{
	json_t	*o, *tags;
	size_t	 i;

	if ((tags = json_array()) == NULL)
		return NULL;
	for (i = 0; i < p->ntags; i++)
		json_array_append_new(tags, json_string(p->tags[i]));
	/* Keystone's parent of a top-level project is its domain. */
	o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:b, s:o, s:{}, s:o}",
	    "id", p->id, "name", p->name, "domain_id", p->domain_id,
	    "description", p->description ? p->description : "",
	    "enabled", p->enabled, "parent_id",
	    p->parent_id[0] ? p->parent_id : p->domain_id, "is_domain", 0,
	    "tags", tags, "options", "links", req_self_link(r, "projects", p->id));
	if (o != NULL)
		merge_extra(o, p->extra);
	return o;
}

json_t *
idj_user(struct req *r, const struct kg_user *u)
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
	merge_extra(o, u->extra);
	/* Keystone's filter_user: never a password, even one kept in extra. */
	json_object_del(o, "password");
	return o;
}

json_t *
idj_group(struct req *r, const struct kg_group *g)
{
	json_t	*o;

	o = json_pack("{s:s, s:s, s:s, s:s, s:o}", "id", g->id, "name", g->name,
	    "domain_id", g->domain_id, "description",
	    g->description ? g->description : "",
	    "links", req_self_link(r, "groups", g->id));
	if (o != NULL)
		merge_extra(o, g->extra);
	return o;
}

int
idj_reply_list(struct req *r, const char *key, json_t *arr, struct kg_err *err)
{
	if (arr == NULL)
		return idj_oom(err);
	json_decref(r->out);
	if ((r->out = json_pack("{s:o, s:o}", key, arr, "links", req_links(r))) == NULL)
		return idj_oom(err);
	return 200;
}

int
idj_reply_member(struct req *r, const char *key, json_t *obj, int status,
    struct kg_err *err)
{
	if (obj == NULL)
		return idj_oom(err);
	json_decref(r->out);
	if ((r->out = json_pack("{s:o}", key, obj)) == NULL)
		return idj_oom(err);
	return status;
}
