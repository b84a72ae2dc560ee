/*
 * views.c - JSON views of domains, projects, users, groups and roles, and
 * the list and member replies (see views.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "server/views.h"

int
apij_oom(struct kg_err *err)
{
	return kg_errf(err, KG_EINTERNAL, "out of memory");
}

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
	json_t	*o, *exp, *x;
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
	/* The resource options are kept in extra (api_users.c). */
	if (u->extra != NULL && strstr(u->extra, "\"options\"") != NULL &&
	    (x = json_loads(u->extra, 0, NULL)) != NULL) {
		if (json_is_object(json_object_get(x, "options")))
			json_object_set(o, "options", json_object_get(x, "options"));
		json_decref(x);
	}
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

static int
qs_iter(void *cls, const char *key, const char *value)
{
	struct qs	*q = cls;

	qs_add(q, q->len == 0 ? "?" : "&");
	qs_add_enc(q, key);
	if (value != NULL) {
		qs_add(q, "=");
		qs_add_enc(q, value);
	}
	return 0;
}

json_t *
apij_query_links(struct req *r)
{
	char		url[2400], query[1600];
	struct qs	q = { query, 0, sizeof(query), 0 };

	query[0] = '\0';
	req_query_each(r, qs_iter, &q);
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
