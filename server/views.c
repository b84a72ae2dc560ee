/*
 * views.c - JSON views of domains, projects, users, groups and roles, and
 * the list and member replies (see views.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonw.h"
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

/* The keys of a project's view: extra attributes never replace them. */
const char *const apij_project_keys[] = { "id", "name", "description",
	"domain_id", "parent_id", "enabled", "is_domain", "tags", "options",
	"links", NULL };

/* Write the members of x (extra, parsed; NULL: none) whose key is not in
 * keys, each preceded by a comma. */
static void
write_extra(struct jsonw *w, json_t *x, const char *const *keys)
{
	json_t		*v;
	const char	*k;
	char		*t;
	size_t		 i;

	if (!json_is_object(x))
		return;
	json_object_foreach(x, k, v) {
		for (i = 0; keys[i] != NULL && strcmp(keys[i], k) != 0; i++)
			;
		if (keys[i] != NULL ||
		    (t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)
			continue;
		jsonw_raw(w, ",");
		jsonw_str(w, k);
		jsonw_raw(w, ":");
		jsonw_raw(w, t);
		free(t);
	}
}

/* Write the resource options kept in x (extra, parsed; NULL: none) as
 * the "options" object: {} when there are none. */
static void
write_options(struct jsonw *w, json_t *x)
{
	json_t	*o = json_is_object(x) ? json_object_get(x, "options") : NULL;
	char	*t;

	if (!json_is_object(o) || json_object_size(o) == 0) {
		jsonw_raw(w, "{}");
		return;
	}
	if ((t = json_dumps(o, JSON_COMPACT)) == NULL) {
		w->oom = 1;	/* the text is lost, as on any failed write */
		return;
	}
	jsonw_raw(w, t);
	free(t);
}

/* Write project p; self is its collection's URL with a final '/'. */
static void
write_project(struct jsonw *w, const char *self, const struct kg_project *p)
{
	char	url[APIJ_SELF_MAX + sizeof(p->id)];
	json_t	*x = NULL;

	if (p->extra != NULL && strcmp(p->extra, "{}") != 0)
		x = json_loads(p->extra, 0, NULL);
	jsonw_raw(w, "{\"id\":");
	jsonw_str(w, p->id);
	jsonw_raw(w, ",\"name\":");
	jsonw_str(w, p->name);
	jsonw_raw(w, ",\"domain_id\":");
	jsonw_str(w, p->domain_id);
	jsonw_raw(w, ",\"description\":");
	jsonw_str(w, p->description ? p->description : "");
	jsonw_raw(w, p->enabled ? ",\"enabled\":true" : ",\"enabled\":false");
	/* Keystone's parent of a top-level project is its domain. */
	jsonw_raw(w, ",\"parent_id\":");
	jsonw_str(w, p->parent_id[0] ? p->parent_id : p->domain_id);
	jsonw_raw(w, ",\"is_domain\":false,\"tags\":");
	jsonw_strv(w, (const char *const *)p->tags, p->ntags);
	jsonw_raw(w, ",\"options\":");
	write_options(w, x);
	jsonw_raw(w, ",\"links\":{\"self\":");
	snprintf(url, sizeof(url), "%s%s", self, p->id);
	jsonw_str(w, url);
	jsonw_raw(w, "}");
	write_extra(w, x, apij_project_keys);
	jsonw_raw(w, "}");
	json_decref(x);
}

json_t *
apij_project(struct req *r, const struct kg_project *p)
{
	struct jsonw	 w = JSONW_INIT;
	char		 self[APIJ_SELF_MAX], *t;
	json_t		*o;

	apij_url(r, "/projects/", self, sizeof(self));
	write_project(&w, self, p);
	if ((t = jsonw_done(&w)) == NULL)
		return NULL;
	o = json_loads(t, 0, NULL);
	free(t);
	return o;
}

void
apij_list_begin(struct req *r, struct apij_list *l, const char *key,
    const char *collection)
{
	char	path[64];	/* "/<collection>/": literals of a few bytes */

	memset(l, 0, sizeof(*l));
	snprintf(path, sizeof(path), "/%s/", collection);
	apij_url(r, path, l->self, sizeof(l->self));
	jsonw_raw(&l->w, "{");
	jsonw_str(&l->w, key);
	jsonw_raw(&l->w, ":[");
}

void
apij_list_project(struct apij_list *l, const struct kg_project *p)
{
	if (l->n++ > 0)
		jsonw_raw(&l->w, ",");
	write_project(&l->w, l->self, p);
}

int
apij_list_end(struct req *r, struct apij_list *l, json_t *links,
    struct kg_err *err)
{
	return apij_list_end_page(r, l, links, 0, err);
}

int
apij_list_end_page(struct req *r, struct apij_list *l, json_t *links,
    int truncated, struct kg_err *err)
{
	char	*t;

	if (links == NULL || (t = json_dumps(links, JSON_COMPACT)) == NULL) {
		json_decref(links);
		jsonw_free(&l->w);
		return apij_oom(err);
	}
	json_decref(links);
	jsonw_raw(&l->w, "],\"links\":");
	jsonw_raw(&l->w, t);
	jsonw_raw(&l->w, truncated ? ",\"truncated\":true}" : "}");
	free(t);
	if ((t = jsonw_done(&l->w)) == NULL)
		return apij_oom(err);
	json_decref(r->out);
	r->out = NULL;
	free(r->out_text);
	r->out_text = t;
	return 200;
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
	kg_utf8_repair(url);	/* the path as received: any bytes */
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
