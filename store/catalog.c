/*
 * catalog.c - regions, services and endpoints (see catalog.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "store/catalog.h"
#include "store/store_int.h"

static int
oom(struct kg_err *err)
{
	return kg_errf(err, KG_EINTERNAL, "out of memory");
}

void
kg_region_free(struct kg_region *r)
{
	if (r == NULL)
		return;
	free(r->description);
	free(r->extra);
	r->description = r->extra = NULL;
}

void
kg_service_free(struct kg_service *s)
{
	if (s == NULL)
		return;
	free(s->description);
	free(s->extra);
	s->description = s->extra = NULL;
}

void
kg_endpoint_free(struct kg_endpoint *e)
{
	if (e == NULL)
		return;
	free(e->url);
	free(e->extra);
	e->url = e->extra = NULL;
}

static void
region_free_one(void *p)
{
	kg_region_free(p);
}

static void
service_free_one(void *p)
{
	kg_service_free(p);
}

static void
endpoint_free_one(void *p)
{
	kg_endpoint_free(p);
}

void
kg_region_list_free(struct kg_region *v, size_t n)
{
	store_free_each(v, n, sizeof(*v), region_free_one);
}

void
kg_service_list_free(struct kg_service *v, size_t n)
{
	store_free_each(v, n, sizeof(*v), service_free_one);
}

void
kg_endpoint_list_free(struct kg_endpoint *v, size_t n)
{
	store_free_each(v, n, sizeof(*v), endpoint_free_one);
}

/* ------------------------------------------------------------------------
 * Row readers (store_row_fn). Column order is fixed by the SELECTs below;
 * the token catalog reads a service and an endpoint from one joined row,
 * so those two take the offset of their first column.
 * --------------------------------------------------------------------- */

#define REGION_COLS	"id, description, parent_region_id, extra"
#define SERVICE_COLS	"id, type, name, description, enabled, extra"
#define ENDPOINT_COLS	"id, service_id, region_id, interface, url, enabled, extra"

static int
region_row(struct db_stmt *s, void *p, struct kg_err *err)
{
	struct kg_region	*r = p;

	memset(r, 0, sizeof(*r));
	db_col_copy(s, 0, r->id, sizeof(r->id));
	db_col_copy(s, 2, r->parent_region_id, sizeof(r->parent_region_id));
	r->description = db_col_strdup(s, 1);
	r->extra = db_col_strdup(s, 3);
	if (r->description == NULL || r->extra == NULL) {
		kg_region_free(r);
		return oom(err);
	}
	return 0;
}

static int
service_at(struct db_stmt *s, int off, struct kg_service *v, struct kg_err *err)
{
	memset(v, 0, sizeof(*v));
	db_col_copy(s, off + 0, v->id, sizeof(v->id));
	db_col_copy(s, off + 1, v->type, sizeof(v->type));
	db_col_copy(s, off + 2, v->name, sizeof(v->name));
	v->description = db_col_strdup(s, off + 3);
	v->enabled = db_col_int(s, off + 4) != 0;
	v->extra = db_col_strdup(s, off + 5);
	if (v->description == NULL || v->extra == NULL) {
		kg_service_free(v);
		return oom(err);
	}
	return 0;
}

static int
service_row(struct db_stmt *s, void *p, struct kg_err *err)
{
	return service_at(s, 0, p, err);
}

static int
endpoint_at(struct db_stmt *s, int off, struct kg_endpoint *e, struct kg_err *err)
{
	memset(e, 0, sizeof(*e));
	db_col_copy(s, off + 0, e->id, sizeof(e->id));
	db_col_copy(s, off + 1, e->service_id, sizeof(e->service_id));
	db_col_copy(s, off + 2, e->region_id, sizeof(e->region_id));
	db_col_copy(s, off + 3, e->interface, sizeof(e->interface));
	e->url = db_col_strdup(s, off + 4);
	e->enabled = db_col_int(s, off + 5) != 0;
	e->extra = db_col_strdup(s, off + 6);
	if (e->url == NULL || e->extra == NULL) {
		kg_endpoint_free(e);
		return oom(err);
	}
	return 0;
}

static int
endpoint_row(struct db_stmt *s, void *p, struct kg_err *err)
{
	return endpoint_at(s, 0, p, err);
}

/* ------------------------------------------------------------------------
 * Regions.
 * --------------------------------------------------------------------- */

int
store_region_get(struct store *st, const char *id, struct kg_region *out,
    struct kg_err *err)
{
	struct db_stmt	*s;

	memset(out, 0, sizeof(*out));
	if ((s = store_prepare(st, "SELECT " REGION_COLS " FROM region WHERE id = ?",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return store_get_one(st, s, "region get", region_row, out, "region", id,
	    err);
}

static int
region_exists(struct store *st, const char *id, struct kg_err *err)
{
	struct kg_region	r;

	if (store_region_get(st, id, &r, err) == -1)
		return -1;
	kg_region_free(&r);
	return 0;
}

int
store_region_create(struct store *st, const struct kg_region *r,
    struct kg_err *err)
{
	struct db_stmt	*s;
	char		 msg[128];

	/* Keystone checks for a duplicate before the parent. */
	snprintf(msg, sizeof(msg), "Conflict occurred attempting to store region"
	    " - Duplicate ID, %.64s..", r->id);
	if (region_exists(st, r->id, NULL) == 0)
		return kg_errf(err, KG_ECONFLICT, "%s", msg);
	if (store_nz(r->parent_region_id) != NULL &&
	    region_exists(st, r->parent_region_id, err) == -1)
		return -1;
	if ((s = store_prepare(st, "INSERT INTO region (id, description,"
	    " parent_region_id, extra) VALUES (?, ?, ?, ?)", err)) == NULL)
		return -1;
	db_bind_text(s, 1, r->id);
	db_bind_text(s, 2, store_or(r->description, ""));
	db_bind_text(s, 3, store_nz(r->parent_region_id));
	db_bind_text(s, 4, store_or(r->extra, "{}"));
	return store_run(st, s, "region create", msg, err);
}

int
store_region_list(struct store *st, const char *parent_region_id,
    struct kg_page *pg, struct kg_region **out, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	*out = NULL;
	*n = 0;
	if (store_page_marker(st, "SELECT 1 FROM region WHERE id = ?1", pg,
	    err) == -1)
		return -1;
	if ((s = store_prepare(st, "SELECT " REGION_COLS " FROM region WHERE"
	    STORE_PAGE_AFTER("id") " AND (:parent IS NULL OR"
	    " parent_region_id = :parent)" STORE_PAGE_END("id"), err)) == NULL)
		return -1;
	store_bind_named(s, ":parent", parent_region_id);
	store_bind_page(s, pg);
	return store_get_page(st, s, "region list", sizeof(**out), region_row,
	    region_free_one, pg, (void **)out, n, err);
}

/*
 * Nonzero when candidate is id itself or one of its descendants (so making
 * it id's parent would close a loop). -1 on error.
 */
static int
region_in_subtree(struct store *st, const char *id, const char *candidate,
    struct kg_err *err)
{
	struct db_stmt	*s;
	int		 found = 0;

	if ((s = store_prepare(st, "WITH RECURSIVE sub(id) AS ("
	    " SELECT id FROM region WHERE id = ?1 UNION SELECT r.id FROM region r"
	    " JOIN sub ON r.parent_region_id = sub.id)"
	    " SELECT 1 FROM sub WHERE id = ?2", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	db_bind_text(s, 2, candidate);
	if (store_exists(st, s, "region subtree", &found, err) == -1)
		return -1;
	return found;
}

int
store_region_update(struct store *st, const struct kg_region *r,
    struct kg_err *err)
{
	struct db_stmt	*s;
	int		 loop;

	if (store_nz(r->parent_region_id) != NULL) {
		if (region_exists(st, r->parent_region_id, err) == -1)
			return -1;
		if ((loop = region_in_subtree(st, r->id, r->parent_region_id,
		    err)) == -1)
			return -1;
		if (loop)
			return kg_errf(err, KG_EBADREQ, "The specified parent region"
			    " %s would create a circular region hierarchy.",
			    r->parent_region_id);
	}
	if ((s = store_prepare(st, "UPDATE region SET description = ?,"
	    " parent_region_id = ?, extra = ? WHERE id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, store_or(r->description, ""));
	db_bind_text(s, 2, store_nz(r->parent_region_id));
	db_bind_text(s, 3, store_or(r->extra, "{}"));
	db_bind_text(s, 4, r->id);
	return store_exec_one(st, s, "region update", NULL, "region", r->id, err);
}

int
store_region_delete(struct store *st, const char *id, struct kg_err *err)
{
	struct db_stmt	*s;
	int		 used = 0;

	if (region_exists(st, id, err) == -1)
		return -1;
	/* Keystone refuses when the region or any descendant has endpoints. */
	if ((s = store_prepare(st, "WITH RECURSIVE sub(id) AS ("
	    " SELECT id FROM region WHERE id = ?1 UNION SELECT r.id FROM region r"
	    " JOIN sub ON r.parent_region_id = sub.id)"
	    " SELECT 1 FROM endpoint WHERE region_id IN (SELECT id FROM sub)"
	    " LIMIT 1", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	if (store_exists(st, s, "region delete check", &used, err) == -1)
		return -1;
	if (used)
		return kg_errf(err, KG_EFORBID, "Unable to delete region %s because"
		    " it or its child regions have associated endpoints.", id);
	/*
	 * Then the whole subtree goes, children first (as Keystone's
	 * _delete_child_regions): delete leaves until the region itself is gone.
	 */
	for (;;) {
		if ((s = store_prepare(st, "WITH RECURSIVE sub(id) AS ("
		    " SELECT id FROM region WHERE id = ?1 UNION SELECT r.id FROM region r"
	    " JOIN sub ON r.parent_region_id = sub.id)"
		    " DELETE FROM region WHERE id IN (SELECT id FROM sub) AND NOT EXISTS"
		    " (SELECT 1 FROM region c WHERE c.parent_region_id = region.id)",
		    err)) == NULL)
			return -1;
		db_bind_text(s, 1, id);
		if (store_run(st, s, "region delete", NULL, err) == -1)
			return -1;
		if (store_changes(st) == 0)
			break;
	}
	return region_exists(st, id, NULL) == 0 ?
	    kg_errf(err, KG_EINTERNAL, "region %s not deleted", id) : 0;
}

/* ------------------------------------------------------------------------
 * Services.
 * --------------------------------------------------------------------- */

int
store_service_create(struct store *st, const struct kg_service *v,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "INSERT INTO service (id, type, name, description,"
	    " enabled, extra) VALUES (?, ?, ?, ?, ?, ?)", err)) == NULL)
		return -1;
	db_bind_text(s, 1, v->id);
	db_bind_text(s, 2, v->type);
	db_bind_text(s, 3, v->name);
	db_bind_text(s, 4, store_or(v->description, ""));
	db_bind_int(s, 5, v->enabled != 0);
	db_bind_text(s, 6, store_or(v->extra, "{}"));
	return store_run(st, s, "service create", "Conflict occurred"
	    " attempting to store service - Duplicate ID.", err);
}

int
store_service_get(struct store *st, const char *id, struct kg_service *out,
    struct kg_err *err)
{
	struct db_stmt	*s;

	memset(out, 0, sizeof(*out));
	if ((s = store_prepare(st, "SELECT " SERVICE_COLS " FROM service WHERE id = ?",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return store_get_one(st, s, "service get", service_row, out, "service", id,
	    err);
}

int
store_service_find_by_type_name(struct store *st, const char *type,
    const char *name, struct kg_service *out, struct kg_err *err)
{
	struct db_stmt	*s;

	memset(out, 0, sizeof(*out));
	if ((s = store_prepare(st, "SELECT " SERVICE_COLS " FROM service"
	    " WHERE type = ? AND name = ? ORDER BY rowid LIMIT 1", err)) == NULL)
		return -1;
	db_bind_text(s, 1, type);
	db_bind_text(s, 2, name);
	return store_get_one(st, s, "service find", service_row, out, "service",
	    name, err);
}

int
store_service_list(struct store *st, const char *type, const char *name,
    struct kg_page *pg, struct kg_service **out, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	*out = NULL;
	*n = 0;
	if (store_page_marker(st, "SELECT 1 FROM service WHERE id = ?1", pg,
	    err) == -1)
		return -1;
	if ((s = store_prepare(st, "SELECT " SERVICE_COLS " FROM service WHERE"
	    STORE_PAGE_AFTER("id") " AND (:type IS NULL OR type = :type)"
	    " AND (:name IS NULL OR name = :name)" STORE_PAGE_END("id"),
	    err)) == NULL)
		return -1;
	store_bind_named(s, ":type", type);
	store_bind_named(s, ":name", name);
	store_bind_page(s, pg);
	return store_get_page(st, s, "service list", sizeof(**out), service_row,
	    service_free_one, pg, (void **)out, n, err);
}

int
store_service_update(struct store *st, const struct kg_service *v,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "UPDATE service SET type = ?, name = ?,"
	    " description = ?, enabled = ?, extra = ? WHERE id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, v->type);
	db_bind_text(s, 2, v->name);
	db_bind_text(s, 3, store_or(v->description, ""));
	db_bind_int(s, 4, v->enabled != 0);
	db_bind_text(s, 5, store_or(v->extra, "{}"));
	db_bind_text(s, 6, v->id);
	return store_exec_one(st, s, "service update", NULL, "service", v->id,
	    err);
}

int
store_service_delete(struct store *st, const char *id, struct kg_err *err)
{
	struct db_stmt	*s;

	/* Its endpoints go with it (ON DELETE CASCADE), as in Keystone. */
	if ((s = store_prepare(st, "DELETE FROM service WHERE id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return store_exec_one(st, s, "service delete", NULL, "service", id, err);
}

/* ------------------------------------------------------------------------
 * Endpoints.
 * --------------------------------------------------------------------- */

static int
interface_ok(const char *i)
{
	return strcmp(i, "public") == 0 || strcmp(i, "internal") == 0 ||
	    strcmp(i, "admin") == 0;
}

int
store_endpoint_create(struct store *st, const struct kg_endpoint *e,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if (!interface_ok(e->interface))
		return kg_errf(err, KG_EBADREQ, "Invalid interface: %s.", e->interface);
	if ((s = store_prepare(st, "INSERT INTO endpoint (id, service_id, region_id,"
	    " interface, url, enabled, extra) VALUES (?, ?, ?, ?, ?, ?, ?)",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, e->id);
	db_bind_text(s, 2, e->service_id);
	db_bind_text(s, 3, store_nz(e->region_id));
	db_bind_text(s, 4, e->interface);
	db_bind_text(s, 5, store_or(e->url, ""));
	db_bind_int(s, 6, e->enabled != 0);
	db_bind_text(s, 7, store_or(e->extra, "{}"));
	return store_run(st, s, "endpoint create", "Conflict occurred"
	    " attempting to store endpoint - Duplicate ID or unknown service or"
	    " region.", err);
}

int
store_endpoint_get(struct store *st, const char *id, struct kg_endpoint *out,
    struct kg_err *err)
{
	struct db_stmt	*s;

	memset(out, 0, sizeof(*out));
	if ((s = store_prepare(st, "SELECT " ENDPOINT_COLS " FROM endpoint WHERE id = ?",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return store_get_one(st, s, "endpoint get", endpoint_row, out, "endpoint",
	    id, err);
}

int
store_endpoint_list(struct store *st, const char *interface,
    const char *service_id, const char *region_id, struct kg_page *pg,
    struct kg_endpoint **out, size_t *n, struct kg_err *err)
{
	struct db_stmt	*s;

	*out = NULL;
	*n = 0;
	if (store_page_marker(st, "SELECT 1 FROM endpoint WHERE id = ?1", pg,
	    err) == -1)
		return -1;
	if ((s = store_prepare(st, "SELECT " ENDPOINT_COLS " FROM endpoint WHERE"
	    STORE_PAGE_AFTER("id") " AND (:iface IS NULL OR interface = :iface)"
	    " AND (:service IS NULL OR service_id = :service)"
	    " AND (:region IS NULL OR region_id = :region)" STORE_PAGE_END("id"),
	    err)) == NULL)
		return -1;
	store_bind_named(s, ":iface", interface);
	store_bind_named(s, ":service", service_id);
	store_bind_named(s, ":region", region_id);
	store_bind_page(s, pg);
	return store_get_page(st, s, "endpoint list", sizeof(**out), endpoint_row,
	    endpoint_free_one, pg, (void **)out, n, err);
}

int
store_endpoint_list_by_service(struct store *st, const char *service_id,
    struct kg_endpoint **out, size_t *n, struct kg_err *err)
{
	return store_endpoint_list(st, NULL, service_id, NULL, NULL, out, n, err);
}

int
store_endpoint_update(struct store *st, const struct kg_endpoint *e,
    struct kg_err *err)
{
	struct db_stmt	*s;

	if (!interface_ok(e->interface))
		return kg_errf(err, KG_EBADREQ, "Invalid interface: %s.", e->interface);
	if ((s = store_prepare(st, "UPDATE endpoint SET service_id = ?, region_id = ?,"
	    " interface = ?, url = ?, enabled = ?, extra = ? WHERE id = ?",
	    err)) == NULL)
		return -1;
	db_bind_text(s, 1, e->service_id);
	db_bind_text(s, 2, store_nz(e->region_id));
	db_bind_text(s, 3, e->interface);
	db_bind_text(s, 4, store_or(e->url, ""));
	db_bind_int(s, 5, e->enabled != 0);
	db_bind_text(s, 6, store_or(e->extra, "{}"));
	db_bind_text(s, 7, e->id);
	return store_exec_one(st, s, "endpoint update", "Conflict occurred"
	    " attempting to store endpoint - unknown service or region.",
	    "endpoint", e->id, err);
}

int
store_endpoint_delete(struct store *st, const char *id, struct kg_err *err)
{
	struct db_stmt	*s;

	if ((s = store_prepare(st, "DELETE FROM endpoint WHERE id = ?", err)) == NULL)
		return -1;
	db_bind_text(s, 1, id);
	return store_exec_one(st, s, "endpoint delete", NULL, "endpoint", id, err);
}

/* ------------------------------------------------------------------------
 * The token catalog.
 * --------------------------------------------------------------------- */

void
store_catalog_free(struct kg_catalog *c)
{
	size_t	i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nservices; i++) {
		kg_service_free(&c->services[i]);
		if (c->eps != NULL)
			kg_endpoint_list_free(c->eps[i], c->neps[i]);
	}
	free(c->services);
	free(c->eps);
	free(c->neps);
	memset(c, 0, sizeof(*c));
}

/*
 * One statement (so one consistent snapshot): every enabled service, left
 * joined with its enabled endpoints, grouped by service in creation order.
 */
int
store_catalog_get(struct store *st, struct kg_catalog *out, struct kg_err *err)
{
	struct db_stmt		*s;
	struct kg_catalog	 c;
	size_t			 scap = 0, ecap = 0, ncap = 0, epcap = 0, i = 0;
	int			 rc;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	if ((s = store_prepare(st, "SELECT s.id, s.type, s.name, s.description,"
	    " s.enabled, s.extra, e.id, e.service_id, e.region_id, e.interface,"
	    " e.url, e.enabled, e.extra FROM service s LEFT JOIN endpoint e"
	    " ON e.service_id = s.id AND e.enabled = 1 WHERE s.enabled = 1"
	    " ORDER BY s.rowid, e.rowid", err)) == NULL)
		return -1;
	while ((rc = db_step(s)) == DB_ROW) {
		const char *sid = db_col_text(s, 0);

		if (c.nservices == 0 || strcmp(c.services[c.nservices - 1].id,
		    sid ? sid : "") != 0) {
			if (store_grow(&c.services, sizeof(*c.services),
			    c.nservices, &scap, err) == -1 ||
			    store_grow(&c.eps, sizeof(*c.eps), c.nservices, &ecap,
			    err) == -1 ||
			    store_grow(&c.neps, sizeof(*c.neps), c.nservices, &ncap,
			    err) == -1)
				goto fail;
			i = c.nservices;
			c.eps[i] = NULL;
			c.neps[i] = 0;
			if (service_at(s, 0, &c.services[i], err) == -1)
				goto fail;
			c.nservices++;
			epcap = 0;
		}
		if (db_col_null(s, 6))
			continue;	/* a service without endpoints */
		if (store_grow(&c.eps[i], sizeof(**c.eps), c.neps[i], &epcap,
		    err) == -1 ||
		    endpoint_at(s, 6, &c.eps[i][c.neps[i]], err) == -1)
			goto fail;
		c.neps[i]++;
	}
	db_reset(s);
	if (rc != DB_DONE) {
		store_catalog_free(&c);
		return store_dberr(st, "catalog get", NULL, err);
	}
	*out = c;
	return 0;
 fail:
	db_reset(s);
	store_catalog_free(&c);
	return -1;
}
