/*
 * page.c - ?limit= and ?marker= in, links.next and truncated out (see
 * page.h).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "server/page.h"

/* The configured default page size of a kind of list (0: none). */
static size_t
default_limit(const struct kg_config *c, enum page_kind kind)
{
	int	v = 0;

	switch (kind) {
	case PAGE_RESOURCE:	v = c->resource_list_limit; break;
	case PAGE_IDENTITY:	v = c->identity_list_limit; break;
	case PAGE_ROLE:		v = c->role_list_limit; break;
	case PAGE_CATALOG:	v = c->catalog_list_limit; break;
	}
	if (v <= 0)
		v = c->list_limit;
	return v > 0 ? (size_t)v : 0;
}

/* 400 for ?limit=<v>, in Keystone's words for a query parameter. */
static int
bad_limit(struct kg_err *err, const char *v, const char *why)
{
	return kg_errf(err, KG_EBADREQ, "Invalid input for query parameters "
	    "limit. Value: %.64s. %s", v, why);
}

int
page_from_request(struct req *r, enum page_kind kind, struct kg_page *pg,
    struct kg_err *err)
{
	const struct kg_config	*c = &r->srv->cfg;
	const char		*v = req_query(r, "limit"), *m;
	size_t			 max = c->max_db_limit > 0 ?
				    (size_t)c->max_db_limit : 1000, lim = 0;
	char			 why[128];

	memset(pg, 0, sizeof(*pg));
	if ((m = req_query(r, "marker")) != NULL && *m != '\0')
		pg->marker = m;
	if (v != NULL && *v != '\0') {
		for (m = v; *m != '\0'; m++) {
			if (!isdigit((unsigned char)*m)) {
				snprintf(why, sizeof(why), "'%.64s' is not of type "
				    "'integer'", v);
				return bad_limit(err, v, why);
			}
			/* Anything beyond max is max: stop counting there. */
			if (lim <= max)
				lim = lim * 10 + (size_t)(*m - '0');
		}
		if (lim == 0)
			return bad_limit(err, v, "0 is less than the minimum of 1");
	} else
		lim = default_limit(c, kind);
	pg->limit = lim == 0 || lim > max ? max : lim;
	return 0;
}

/*
 * Percent-encode s onto f as Werkzeug's url_encode does for Keystone's
 * url_for (urllib's quote_plus, safe "!$'()*,/:;?@").
 */
static void
put_enc(FILE *f, const char *s)
{
	unsigned char	c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (isalnum(c) || strchr("_.-~!$'()*,/:;?@", c) != NULL)
			fputc(c, f);
		else if (c == ' ')
			fputc('+', f);
		else
			fprintf(f, "%%%02X", c);
	}
}

/* The next page's query, built while walking this request's. */
struct next_query {
	FILE		*f;
	const char	*marker;
	char		 limit[24];
	int		 n;		/* parameters written */
	int		 have_marker, have_limit;
	char		 seen[32][32];	/* first occurrences only, as to_dict */
	int		 nseen;
};

static void
put_param(struct next_query *q, const char *key, const char *value)
{
	fputc(q->n++ == 0 ? '?' : '&', q->f);
	put_enc(q->f, key);
	fputc('=', q->f);
	put_enc(q->f, value);
}

/* Nonzero when key was written already (Flask's args.to_dict() keeps a
 * key's first value). */
static int
seen(struct next_query *q, const char *key)
{
	int	i;

	for (i = 0; i < q->nseen; i++)
		if (strcmp(q->seen[i], key) == 0)
			return 1;
	if (q->nseen < (int)(sizeof(q->seen) / sizeof(q->seen[0])) &&
	    strlen(key) < sizeof(q->seen[0]))
		kg_strlcpy(q->seen[q->nseen++], key, sizeof(q->seen[0]));
	return 0;
}

static int
next_param(void *cls, const char *key, const char *value)
{
	struct next_query	*q = cls;

	if (seen(q, key))
		return 0;
	if (value == NULL)	/* "?flag": Flask reads "" */
		value = "";
	if (strcmp(key, "marker") == 0) {
		q->have_marker = 1;
		value = q->marker;
	} else if (strcmp(key, "limit") == 0) {
		q->have_limit = 1;
		value = q->limit;
	}
	put_param(q, key, value);
	return 0;
}

/* base + path + this query with marker and limit replaced (or added, in
 * that order), as Keystone's wrap_collection builds links.next. */
static json_t *
next_link(struct req *r, const struct kg_page *pg, const char *last_id)
{
	struct next_query	 q;
	char			 base[600], *url = NULL;
	size_t			 len = 0;
	json_t			*v;

	memset(&q, 0, sizeof(q));
	if ((q.f = open_memstream(&url, &len)) == NULL)
		return NULL;
	q.marker = last_id;
	snprintf(q.limit, sizeof(q.limit), "%zu", pg->limit);
	req_base_url(r, base, sizeof(base));
	fputs(base, q.f);
	fputs(r->path, q.f);
	req_query_each(r, next_param, &q);
	if (!q.have_marker)
		put_param(&q, "marker", q.marker);
	if (!q.have_limit)
		put_param(&q, "limit", q.limit);
	if (fclose(q.f) != 0) {
		free(url);
		return NULL;
	}
	v = json_string(url);
	free(url);
	return v;
}

int
page_reply(struct req *r, const char *key, json_t *arr, json_t *links,
    const struct kg_page *pg, const char *last_id, struct kg_err *err)
{
	json_t	*next;

	if (arr == NULL || links == NULL)
		goto oom;
	json_decref(r->out);
	r->out = NULL;
	if (pg->more && last_id != NULL) {
		if ((next = next_link(r, pg, last_id)) == NULL ||
		    json_object_set_new(links, "next", next) == -1)
			goto oom;
	}
	if ((r->out = json_pack("{s:o, s:o}", key, arr, "links", links)) == NULL)
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	if (pg->more && json_object_set_new(r->out, "truncated",
	    json_true()) == -1)
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	return 200;
 oom:
	json_decref(arr);
	json_decref(links);
	return kg_errf(err, KG_EINTERNAL, "out of memory");
}

int
page_list_end(struct req *r, struct apij_list *l, json_t *links,
    const struct kg_page *pg, const char *last_id, struct kg_err *err)
{
	json_t	*next;

	if (links != NULL && pg->more && last_id != NULL &&
	    ((next = next_link(r, pg, last_id)) == NULL ||
	    json_object_set_new(links, "next", next) == -1)) {
		json_decref(links);
		links = NULL;
	}
	return apij_list_end_page(r, l, links, pg->more, err);
}
