/* catcache.c - the token catalog, cached per store revision (see catcache.h). */
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "auth/catcache.h"
#include "store/catalog.h"
#include "store/epfilter.h"
#include "store/scope.h"

struct catcache {
	pthread_mutex_t	 lock;
	int64_t		 rev;		/* revision text was read at */
	char		*text;		/* NULL until first built */
	int		 filtered;	/* at rev, some project has associations */
	int		 return_all;	/* the whole catalog for the others */
};

/* The catalog of a token that sees none. */
#define NO_CATALOG	"[]"

struct catcache *
catcache_new(int return_all)
{
	struct catcache	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	pthread_mutex_init(&c->lock, NULL);
	c->return_all = return_all;
	return c;
}

void
catcache_free(struct catcache *c)
{
	if (c == NULL)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c->text);
	free(c);
}

/* A NULL region as Keystone writes it. */
static json_t *
region_or_null(const char *region)
{
	return region[0] != '\0' ? json_string(region) : json_null();
}

static json_t *
catalog_json(const struct kg_catalog *cat)
{
	json_t			  *out = json_array(), *eps, *e;
	const struct kg_endpoint *ep;
	size_t			  i, j;

	for (i = 0; i < cat->nservices; i++) {
		eps = json_array();
		for (j = 0; j < cat->neps[i]; j++) {
			ep = &cat->eps[i][j];
			e = json_pack("{s:s, s:s, s:o, s:s, s:o}", "id", ep->id,
			    "interface", ep->interface,
			    "region_id", region_or_null(ep->region_id),
			    "url", ep->url ? ep->url : "",
			    "region", region_or_null(ep->region_id));
			json_array_append_new(eps, e);
		}
		json_array_append_new(out, json_pack("{s:o, s:s, s:s, s:s}",
		    "endpoints", eps, "id", cat->services[i].id,
		    "type", cat->services[i].type, "name", cat->services[i].name));
	}
	return out;
}

static char *
catalog_text(const struct kg_catalog *cat, struct kg_err *err)
{
	json_t	*j = catalog_json(cat);
	char	*text = NULL;

	if (j == NULL || (text = json_dumps(j, JSON_COMPACT)) == NULL)
		kg_errf(err, KG_EINTERNAL, "out of memory");
	json_decref(j);
	return text;
}

/*
 * Read in one snapshot the whole catalog (project_id NULL) or project_id's
 * (*own: whether the project has associations; when it has none, the
 * whole catalog): its text (malloc'd), revision and whether any project
 * has associations.
 */
static char *
load(struct store *st, const char *project_id, int64_t *rev, int *filtered,
    int *own, struct kg_err *err)
{
	struct kg_catalog	 cat;
	char			**ids = NULL, *text = NULL;
	size_t			 n = 0;
	int			 tx;

	*own = 0;
	memset(&cat, 0, sizeof(cat));
	if ((tx = store_read_begin(st, err)) == -1)
		return NULL;
	if ((*rev = store_generation(st)) == -1) {
		kg_errf(err, KG_EINTERNAL, "cannot read the store revision");
		goto done;
	}
	if (store_endpoint_filter_used(st, filtered, err) == -1 ||
	    (project_id != NULL && *filtered &&
	    store_project_endpoint_ids(st, project_id, &ids, &n, err) == -1) ||
	    store_catalog_get(st, &cat, err) == -1)
		goto done;
	if (n > 0) {
		kg_catalog_keep(&cat, ids, n);
		*own = 1;
	}
	text = catalog_text(&cat, err);
 done:
	store_catalog_free(&cat);
	store_strv_free(ids, n);
	store_read_end(st, tx);
	return text;
}

/* Keep text as the cached catalog of rev unless a newer one is there;
 * frees what is not kept. */
static void
keep_text(struct catcache *c, char *text, int64_t rev, int filtered)
{
	char	*drop = text;

	pthread_mutex_lock(&c->lock);
	if (c->text == NULL || c->rev < rev) {
		drop = c->text;
		c->text = text;
		c->rev = rev;
		c->filtered = filtered;
	}
	pthread_mutex_unlock(&c->lock);
	free(drop);
}

int
catcache_with(struct catcache *c, struct store *st, int64_t rev,
    const char *project_id, void (*fn)(const char *text, void *arg), void *arg,
    struct kg_err *err)
{
	char	*text;
	int	 hit = 0, filtered = 0, own = 0;

	pthread_mutex_lock(&c->lock);
	if (c->text != NULL && c->rev == rev &&
	    (project_id == NULL || !c->filtered)) {
		fn(c->return_all ? c->text : NO_CATALOG, arg);
		hit = 1;
	}
	pthread_mutex_unlock(&c->lock);
	if (hit)
		return 0;
	if ((text = load(st, project_id, &rev, &filtered, &own, err)) == NULL)
		return -1;
	fn(own || c->return_all ? text : NO_CATALOG, arg);
	if (own)
		free(text);	/* the project's own: not the shared one */
	else
		keep_text(c, text, rev, filtered);
	return 0;
}
