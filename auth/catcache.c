/* catcache.c - the token catalog, cached per store revision (see catcache.h). */
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "auth/catcache.h"
#include "store/catalog.h"
#include "store/scope.h"

struct catcache {
	pthread_mutex_t	 lock;
	int64_t		 rev;		/* revision text was read at */
	char		*text;		/* NULL until first built */
};

struct catcache *
catcache_new(void)
{
	struct catcache	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	pthread_mutex_init(&c->lock, NULL);
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

/* Read the catalog in one snapshot: its text (malloc'd) and revision. */
static char *
load(struct store *st, int64_t *rev, struct kg_err *err)
{
	struct kg_catalog	 cat;
	json_t			*j = NULL;
	char			*text = NULL;
	int			 tx;

	if ((tx = store_read_begin(st, err)) == -1)
		return NULL;
	if ((*rev = store_generation(st)) == -1) {
		kg_errf(err, KG_EINTERNAL, "cannot read the store revision");
		goto done;
	}
	if (store_catalog_get(st, &cat, err) == -1)
		goto done;
	j = catalog_json(&cat);
	store_catalog_free(&cat);
	if (j == NULL || (text = json_dumps(j, JSON_COMPACT)) == NULL)
		kg_errf(err, KG_EINTERNAL, "out of memory");
 done:
	store_read_end(st, tx);
	json_decref(j);
	return text;
}

int
catcache_with(struct catcache *c, struct store *st, int64_t rev,
    void (*fn)(const char *text, void *arg), void *arg, struct kg_err *err)
{
	char	*text, *keep;
	int	 hit = 0;

	pthread_mutex_lock(&c->lock);
	if (c->text != NULL && c->rev == rev) {
		fn(c->text, arg);
		hit = 1;
	}
	pthread_mutex_unlock(&c->lock);
	if (hit)
		return 0;
	if ((text = load(st, &rev, err)) == NULL)
		return -1;
	fn(text, arg);
	keep = text;
	pthread_mutex_lock(&c->lock);
	if (c->text == NULL || c->rev < rev) {
		keep = c->text;
		c->text = text;
		c->rev = rev;
	}
	pthread_mutex_unlock(&c->lock);
	free(keep);
	return 0;
}
