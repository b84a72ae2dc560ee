/* test_store_catalog.c - unit tests for store/catalog.c on an in-memory database. */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/util.h"
#include "store/catalog.h"
#include "store/epfilter.h"
#include "tests/t.h"
#include "tests/unit/tstore.h"

static struct kg_region
mkregion(const char *id, const char *parent)
{
	struct kg_region	r;

	memset(&r, 0, sizeof(r));
	kg_strlcpy(r.id, id, sizeof(r.id));
	if (parent != NULL)
		kg_strlcpy(r.parent_region_id, parent, sizeof(r.parent_region_id));
	r.description = "";
	r.extra = "{}";
	return r;
}

static struct kg_service
mkservice(const char *id, const char *type, const char *name, int enabled)
{
	struct kg_service	s;

	memset(&s, 0, sizeof(s));
	kg_strlcpy(s.id, id, sizeof(s.id));
	kg_strlcpy(s.type, type, sizeof(s.type));
	kg_strlcpy(s.name, name, sizeof(s.name));
	s.enabled = enabled;
	return s;	/* description, extra NULL: stored as "" and "{}" */
}

static struct kg_endpoint
mkendpoint(const char *id, const char *svc, const char *region,
    const char *iface, const char *url, int enabled)
{
	struct kg_endpoint	e;

	memset(&e, 0, sizeof(e));
	kg_strlcpy(e.id, id, sizeof(e.id));
	kg_strlcpy(e.service_id, svc, sizeof(e.service_id));
	kg_strlcpy(e.region_id, region ? region : "", sizeof(e.region_id));
	kg_strlcpy(e.interface, iface, sizeof(e.interface));
	e.url = (char *)url;
	e.enabled = enabled;
	e.extra = "{\"note\": 1}";
	return e;
}

int
main(void)
{
	struct store		*st;
	struct kg_err		 err = { 0 };
	struct kg_region	 r, *rv = NULL;
	struct kg_page		 pg;
	struct kg_service	 s, *sv = NULL;
	struct kg_endpoint	 e, *ev = NULL;
	struct kg_catalog	 cat;
	size_t			 n = 0, i;
	int64_t			 g0;

	st = tstore_open();
	T("cat-0.1 open + migrate", st != NULL);
	if (st == NULL)
		return t_report();

	/* ---- regions ---- */
	g0 = store_generation(st);
	r = mkregion("RegionOne", NULL);
	T("cat-1.1 region create", store_region_create(st, &r, &err) == 0);
	T("cat-1.2 generation bumped", store_generation(st) > g0);
	T("cat-1.3 duplicate region -> conflict",
	    store_region_create(st, &r, &err) == -1 && err.kind == KG_ECONFLICT &&
	    strstr(err.msg, "RegionOne") != NULL);
	r = mkregion("Child", "RegionOne");
	r.description = NULL;
	r.extra = NULL;
	T("cat-1.4 child region (NULL description/extra)", store_region_create(st, &r, &err) == 0);
	r = mkregion("Orphan", "NoSuchRegion");
	T("cat-1.5 unknown parent -> notfound",
	    store_region_create(st, &r, &err) == -1 && err.kind == KG_ENOTFOUND);
	memset(&r, 0, sizeof(r));
	T("cat-1.6 region get", store_region_get(st, "Child", &r, &err) == 0 &&
	    strcmp(r.parent_region_id, "RegionOne") == 0 &&
	    strcmp(r.description, "") == 0 && strcmp(r.extra, "{}") == 0);
	kg_region_free(&r);
	T("cat-1.7 region get unknown",
	    store_region_get(st, "Nope", &r, &err) == -1 && err.kind == KG_ENOTFOUND &&
	    strcmp(err.msg, "Could not find region: Nope.") == 0);
	T("cat-1.8 region list all, in id order", store_region_list(st, NULL, NULL,
	    &rv, &n, &err) == 0 && n == 2 && strcmp(rv[0].id, "Child") == 0 &&
	    strcmp(rv[1].id, "RegionOne") == 0);
	kg_region_list_free(rv, n);
	memset(&pg, 0, sizeof(pg));
	pg.limit = 1;
	T("cat-1.8a region page of 1: more", store_region_list(st, NULL, &pg, &rv,
	    &n, &err) == 0 && n == 1 && pg.more && strcmp(rv[0].id, "Child") == 0);
	kg_region_list_free(rv, n);
	pg.marker = "Child";
	T("cat-1.8b region page after the marker", store_region_list(st, NULL, &pg,
	    &rv, &n, &err) == 0 && n == 1 && !pg.more &&
	    strcmp(rv[0].id, "RegionOne") == 0);
	kg_region_list_free(rv, n);
	pg.marker = "Nope";
	T("cat-1.8c region marker unknown", store_region_list(st, NULL, &pg, &rv,
	    &n, &err) == -1 && err.kind == KG_ENOTFOUND &&
	    strcmp(err.msg, "Marker Nope could not be found.") == 0);
	T("cat-1.9 region list by parent",
	    store_region_list(st, "RegionOne", NULL, &rv, &n, &err) == 0 &&
	    n == 1 && strcmp(rv[0].id, "Child") == 0);
	kg_region_list_free(rv, n);
	r = mkregion("RegionOne", "Child");
	T("cat-1.10 circular parent -> badreq",
	    store_region_update(st, &r, &err) == -1 && err.kind == KG_EBADREQ);
	r = mkregion("RegionOne", "RegionOne");
	T("cat-1.11 self parent -> badreq",
	    store_region_update(st, &r, &err) == -1 && err.kind == KG_EBADREQ);
	r = mkregion("Child", NULL);
	r.description = "moved";
	T("cat-1.12 region update", store_region_update(st, &r, &err) == 0);
	T("cat-1.13 update visible", store_region_get(st, "Child", &r, &err) == 0 &&
	    r.parent_region_id[0] == '\0' && strcmp(r.description, "moved") == 0);
	kg_region_free(&r);
	r = mkregion("Ghost", NULL);
	T("cat-1.14 update unknown",
	    store_region_update(st, &r, &err) == -1 && err.kind == KG_ENOTFOUND);

	/* ---- services ---- */
	s = mkservice("s1", "identity", "keystone", 1);
	T("cat-2.1 service create", store_service_create(st, &s, &err) == 0);
	T("cat-2.2 duplicate service id",
	    store_service_create(st, &s, &err) == -1 && err.kind == KG_ECONFLICT);
	s = mkservice("s2", "compute", "nova", 0);
	s.description = "Compute";
	T("cat-2.3 disabled service", store_service_create(st, &s, &err) == 0);
	s = mkservice("s3", "image", "glance", 1);
	T("cat-2.4 third service", store_service_create(st, &s, &err) == 0);
	T("cat-2.5 find by type/name",
	    store_service_find_by_type_name(st, "identity", "keystone", &s, &err) == 0 &&
	    strcmp(s.id, "s1") == 0 && s.enabled == 1 &&
	    strcmp(s.description, "") == 0 && strcmp(s.extra, "{}") == 0);
	kg_service_free(&s);
	T("cat-2.6 find miss -> notfound",
	    store_service_find_by_type_name(st, "identity", "other", &s, &err) == -1 &&
	    err.kind == KG_ENOTFOUND);
	T("cat-2.7 get", store_service_get(st, "s2", &s, &err) == 0 &&
	    s.enabled == 0 && strcmp(s.description, "Compute") == 0);
	kg_service_free(&s);
	T("cat-2.8 list all", store_service_list(st, NULL, NULL, NULL, &sv, &n, &err) == 0 && n == 3);
	kg_service_list_free(sv, n);
	T("cat-2.9 list by type", store_service_list(st, "compute", NULL, NULL, &sv, &n, &err) == 0 &&
	    n == 1 && strcmp(sv[0].id, "s2") == 0);
	kg_service_list_free(sv, n);
	T("cat-2.10 list by name", store_service_list(st, NULL, "glance", NULL, &sv, &n, &err) == 0 &&
	    n == 1 && strcmp(sv[0].id, "s3") == 0);
	kg_service_list_free(sv, n);
	T("cat-2.11 list type+name mismatch",
	    store_service_list(st, "compute", "glance", NULL, &sv, &n, &err) == 0 && n == 0);
	kg_service_list_free(sv, n);

	/* ---- endpoints ---- */
	e = mkendpoint("e1", "s1", "RegionOne", "public", "http://a/v3", 1);
	T("cat-3.1 endpoint create", store_endpoint_create(st, &e, &err) == 0);
	e = mkendpoint("e2", "s1", "RegionOne", "admin", "http://b/v3", 0);
	T("cat-3.2 disabled endpoint", store_endpoint_create(st, &e, &err) == 0);
	e = mkendpoint("e3", "s1", NULL, "internal", "http://c/v3", 1);
	T("cat-3.3 endpoint without region", store_endpoint_create(st, &e, &err) == 0);
	e = mkendpoint("e4", "s2", "RegionOne", "public", "http://nova", 1);
	T("cat-3.4 endpoint of disabled service", store_endpoint_create(st, &e, &err) == 0);
	e = mkendpoint("e5", "s1", NULL, "private", "http://x", 1);
	T("cat-3.5 bad interface -> badreq",
	    store_endpoint_create(st, &e, &err) == -1 && err.kind == KG_EBADREQ);
	e = mkendpoint("e6", "nosvc", NULL, "public", "http://x", 1);
	T("cat-3.6 unknown service -> conflict",
	    store_endpoint_create(st, &e, &err) == -1 && err.kind == KG_ECONFLICT);
	e = mkendpoint("e7", "s1", "NoRegion", "public", "http://x", 1);
	T("cat-3.7 unknown region -> conflict",
	    store_endpoint_create(st, &e, &err) == -1 && err.kind == KG_ECONFLICT);
	e = mkendpoint("e1", "s1", NULL, "public", "http://x", 1);
	T("cat-3.8 duplicate endpoint id",
	    store_endpoint_create(st, &e, &err) == -1 && err.kind == KG_ECONFLICT);
	T("cat-3.9 list by service (all, enabled or not)",
	    store_endpoint_list_by_service(st, "s1", &ev, &n, &err) == 0 && n == 3 &&
	    strcmp(ev[0].id, "e1") == 0 && strcmp(ev[0].region_id, "RegionOne") == 0 &&
	    strcmp(ev[0].url, "http://a/v3") == 0 && strcmp(ev[2].region_id, "") == 0 &&
	    ev[1].enabled == 0 && strcmp(ev[0].extra, "{\"note\": 1}") == 0);
	kg_endpoint_list_free(ev, n);
	T("cat-3.10 list by unknown service",
	    store_endpoint_list_by_service(st, "zz", &ev, &n, &err) == 0 && n == 0);
	kg_endpoint_list_free(ev, n);
	T("cat-3.11 list filter interface",
	    store_endpoint_list(st, "public", NULL, NULL, NULL, &ev, &n, &err) == 0 && n == 2);
	kg_endpoint_list_free(ev, n);
	T("cat-3.12 list filter region",
	    store_endpoint_list(st, NULL, NULL, "RegionOne", NULL, &ev, &n, &err) == 0 && n == 3);
	kg_endpoint_list_free(ev, n);
	T("cat-3.13 list filter all three",
	    store_endpoint_list(st, "public", "s2", "RegionOne", NULL, &ev, &n, &err) == 0 &&
	    n == 1 && strcmp(ev[0].id, "e4") == 0);
	kg_endpoint_list_free(ev, n);
	T("cat-3.14 get", store_endpoint_get(st, "e3", &e, &err) == 0 &&
	    strcmp(e.interface, "internal") == 0 && e.region_id[0] == '\0');
	e.enabled = 0;
	free(e.url);
	e.url = strdup("http://c2/v3");
	T("cat-3.15 update", store_endpoint_update(st, &e, &err) == 0);
	kg_endpoint_free(&e);
	T("cat-3.16 update visible", store_endpoint_get(st, "e3", &e, &err) == 0 &&
	    e.enabled == 0 && strcmp(e.url, "http://c2/v3") == 0);
	kg_strlcpy(e.interface, "bogus", sizeof(e.interface));
	T("cat-3.17 update bad interface",
	    store_endpoint_update(st, &e, &err) == -1 && err.kind == KG_EBADREQ);
	kg_strlcpy(e.interface, "internal", sizeof(e.interface));
	e.enabled = 1;
	T("cat-3.18 re-enable", store_endpoint_update(st, &e, &err) == 0);
	kg_endpoint_free(&e);
	T("cat-3.19 get unknown", store_endpoint_get(st, "nope", &e, &err) == -1 &&
	    err.kind == KG_ENOTFOUND && strcmp(err.msg, "Could not find endpoint: nope.") == 0);

	/* ---- the token catalog ---- */
	T("cat-4.1 catalog get", store_catalog_get(st, &cat, &err) == 0);
	/* s2 is disabled; s3 has no endpoints; e2 is disabled. */
	T("cat-4.2 enabled services only", cat.nservices == 2 &&
	    strcmp(cat.services[0].id, "s1") == 0 && strcmp(cat.services[1].id, "s3") == 0);
	T("cat-4.3 enabled endpoints only", cat.nservices == 2 && cat.neps[0] == 2 &&
	    strcmp(cat.eps[0][0].id, "e1") == 0 && strcmp(cat.eps[0][1].id, "e3") == 0 &&
	    strcmp(cat.eps[0][0].service_id, "s1") == 0);
	T("cat-4.4 service without endpoints", cat.nservices == 2 && cat.neps[1] == 0);
	T("cat-4.5 service fields", cat.nservices >= 1 &&
	    strcmp(cat.services[0].type, "identity") == 0 &&
	    strcmp(cat.services[0].name, "keystone") == 0);
	store_catalog_free(&cat);
	T("cat-4.6 free zeroes", cat.services == NULL && cat.nservices == 0);
	store_catalog_free(&cat);	/* twice: must be safe */

	/* ---- service update / delete ---- */
	T("cat-5.1 service get s2", store_service_get(st, "s2", &s, &err) == 0);
	s.enabled = 1;
	kg_strlcpy(s.name, "nova2", sizeof(s.name));
	T("cat-5.2 service update", store_service_update(st, &s, &err) == 0);
	kg_service_free(&s);
	T("cat-5.3 catalog now has s2", store_catalog_get(st, &cat, &err) == 0 &&
	    cat.nservices == 3 && strcmp(cat.services[1].name, "nova2") == 0 &&
	    cat.neps[1] == 1);
	store_catalog_free(&cat);
	{
		char	*keep[] = { "e3", "zz" };	/* sorted, as for bsearch */

		T("cat-5.5 a project's catalog: its endpoints, services without"
		    " them dropped", store_catalog_get(st, &cat, &err) == 0 &&
		    (kg_catalog_keep(&cat, keep, 2), cat.nservices == 1) &&
		    strcmp(cat.services[0].id, "s1") == 0 && cat.neps[0] == 1 &&
		    strcmp(cat.eps[0][0].id, "e3") == 0);
		store_catalog_free(&cat);
		T("cat-5.6 nothing kept: an empty catalog",
		    store_catalog_get(st, &cat, &err) == 0 &&
		    (kg_catalog_keep(&cat, keep + 1, 1), cat.nservices == 0));
		store_catalog_free(&cat);
	}
	s = mkservice("ghost", "x", "y", 1);
	T("cat-5.4 update unknown service",
	    store_service_update(st, &s, &err) == -1 && err.kind == KG_ENOTFOUND);

	/* ---- region delete rules ---- */
	r = mkregion("Leaf", "Child");
	T("cat-6.1 grandchild", store_region_create(st, &r, &err) == 0);
	r = mkregion("Child", "RegionOne");
	r.description = "back";
	T("cat-6.2 reparent", store_region_update(st, &r, &err) == 0);
	T("cat-6.3 delete region with endpoints -> forbidden",
	    store_region_delete(st, "RegionOne", &err) == -1 && err.kind == KG_EFORBID);
	e = mkendpoint("e8", "s3", "Leaf", "public", "http://g", 1);
	T("cat-6.4 endpoint in grandchild", store_endpoint_create(st, &e, &err) == 0);
	T("cat-6.5 delete parent of region with endpoints -> forbidden",
	    store_region_delete(st, "Child", &err) == -1 && err.kind == KG_EFORBID);
	T("cat-6.6 endpoint delete", store_endpoint_delete(st, "e8", &err) == 0);
	T("cat-6.7 endpoint delete again -> notfound",
	    store_endpoint_delete(st, "e8", &err) == -1 && err.kind == KG_ENOTFOUND);
	T("cat-6.8 delete subtree", store_region_delete(st, "Child", &err) == 0);
	T("cat-6.9 children gone", store_region_get(st, "Leaf", &r, &err) == -1 &&
	    err.kind == KG_ENOTFOUND);
	T("cat-6.10 parent kept", store_region_get(st, "RegionOne", &r, &err) == 0);
	kg_region_free(&r);
	T("cat-6.11 delete unknown region",
	    store_region_delete(st, "Child", &err) == -1 && err.kind == KG_ENOTFOUND);

	/* ---- service delete cascades to endpoints ---- */
	T("cat-7.1 service delete", store_service_delete(st, "s1", &err) == 0);
	T("cat-7.2 endpoints gone",
	    store_endpoint_list_by_service(st, "s1", &ev, &n, &err) == 0 && n == 0);
	kg_endpoint_list_free(ev, n);
	T("cat-7.3 service delete again",
	    store_service_delete(st, "s1", &err) == -1 && err.kind == KG_ENOTFOUND);
	T("cat-7.4 region deletable once endpoints gone",
	    store_service_delete(st, "s2", &err) == 0 &&
	    store_region_delete(st, "RegionOne", &err) == 0);
	T("cat-7.5 no regions left", store_region_list(st, NULL, NULL, &rv, &n, &err) == 0 && n == 0);
	kg_region_list_free(rv, n);

	/* ---- many rows (array growth) ---- */
	for (i = 0; i < 40; i++) {
		char	id[16];

		snprintf(id, sizeof(id), "m%zu", i);
		e = mkendpoint(id, "s3", NULL, i % 2 ? "public" : "admin", "http://m", 1);
		if (store_endpoint_create(st, &e, &err) == -1)
			break;
	}
	T("cat-8.1 40 endpoints", i == 40);
	T("cat-8.2 catalog with 40 endpoints", store_catalog_get(st, &cat, &err) == 0 &&
	    cat.nservices == 1 && cat.neps[0] == 40 &&
	    strcmp(cat.eps[0][39].id, "m39") == 0);
	store_catalog_free(&cat);

	kg_region_free(NULL);
	kg_service_free(NULL);
	kg_endpoint_free(NULL);
	kg_region_list_free(NULL, 0);
	store_close(st);
	return t_report();
}
