/*
 * catalog.c - regions, services and endpoints (see svc.h). No catalog
 * change revokes a token; the generation counter refreshes the catalog
 * tokens carry.
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "svc/svc_int.h"

/* Keystone's ValidationError tail (keystone/exception.py). */
#define VALIDATION_TAIL	" The server could not comply with the request since it" \
	" is either malformed or otherwise incorrect. The client is assumed to" \
	" be in error."

/* ------------------------------------------------------------------------
 * Regions.
 * --------------------------------------------------------------------- */

static int
region_create_body(struct store *st, void *cls, struct kg_err *err)
{
	return store_region_create(st, cls, err);
}

int
svc_region_create(struct store *st, const struct kg_region *r,
    struct kg_err *err)
{
	return svc_run(st, "region create", region_create_body, (void *)r, err);
}

SVC_KIND(region_kind, kg_region, "region update", store_region_get,
    store_region_update, kg_region_free);

int
svc_region_update(struct store *st, const char *id, const struct svc_edit *edit,
    struct kg_region *out, struct kg_err *err)
{
	return svc_update(st, &region_kind, id, edit, NULL, out, err);
}

/*
 * A service or region that registered limits name cannot go (the schema
 * refuses; Keystone on MySQL fails the same way, with a 500): 403, as for
 * a region with endpoints.
 */
static int
limits_refer(const char *what, const char *id, int used, struct kg_err *err)
{
	if (used)
		return kg_errf(err, KG_EFORBID, "Unable to delete %s %s because"
		    " registered limits are associated with it.", what, id);
	return 0;
}

static int
region_delete_body(struct store *st, void *cls, struct kg_err *err)
{
	struct kg_region	r;
	int			used = 0;

	memset(&r, 0, sizeof(r));
	if (store_region_get(st, cls, &r, err) == -1)
		return -1;
	kg_region_free(&r);
	if (store_registered_limit_uses_region(st, cls, &used, err) == -1 ||
	    limits_refer("region", cls, used, err) == -1)
		return -1;
	return store_region_delete(st, cls, err);
}

int
svc_region_delete(struct store *st, const char *id, struct kg_err *err)
{
	return svc_run(st, "region delete", region_delete_body, (void *)id, err);
}

/* ------------------------------------------------------------------------
 * Services.
 * --------------------------------------------------------------------- */

static int
service_create_body(struct store *st, void *cls, struct kg_err *err)
{
	return store_service_create(st, cls, err);
}

int
svc_service_create(struct store *st, const struct kg_service *s,
    struct kg_err *err)
{
	return svc_run(st, "service create", service_create_body, (void *)s, err);
}

SVC_KIND(service_kind, kg_service, "service update", store_service_get,
    store_service_update, kg_service_free);

int
svc_service_update(struct store *st, const char *id,
    const struct svc_edit *edit, struct kg_service *out, struct kg_err *err)
{
	return svc_update(st, &service_kind, id, edit, NULL, out, err);
}

static int
service_delete_body(struct store *st, void *cls, struct kg_err *err)
{
	struct kg_service	s;
	int			used = 0;

	memset(&s, 0, sizeof(s));
	if (store_service_get(st, cls, &s, err) == -1)
		return -1;
	kg_service_free(&s);
	if (store_registered_limit_uses_service(st, cls, &used, err) == -1 ||
	    limits_refer("service", cls, used, err) == -1)
		return -1;
	return store_service_delete(st, cls, err);
}

int
svc_service_delete(struct store *st, const char *id, struct kg_err *err)
{
	return svc_run(st, "service delete", service_delete_body, (void *)id, err);
}

/* ------------------------------------------------------------------------
 * Endpoints.
 * --------------------------------------------------------------------- */

/*
 * Set e's region as how says (Keystone's _validate_endpoint_region and
 * _assert_region_exists): a region_id must name a region (else 400); the
 * legacy "region" is created when missing.
 */
static int
endpoint_region(struct store *st, struct kg_endpoint *e, enum svc_region_ref how,
    const char *region_id, struct kg_err *err)
{
	struct kg_region	r;

	memset(&r, 0, sizeof(r));
	switch (how) {
	case SVC_REGION_KEEP:
		return 0;
	case SVC_REGION_CLEAR:
		e->region_id[0] = '\0';
		return 0;
	case SVC_REGION_ID:
	case SVC_REGION_LEGACY:
		break;
	}
	if (region_id == NULL || region_id[0] == '\0' ||
	    kg_strlcpy(e->region_id, region_id, sizeof(e->region_id)) >=
	    sizeof(e->region_id))
		goto notfound;
	if (store_region_get(st, e->region_id, &r, err) == 0) {
		kg_region_free(&r);
		return 0;
	}
	if (err->kind != KG_ENOTFOUND)
		return -1;
	if (how == SVC_REGION_ID)
		goto notfound;
	kg_err_clear(err);
	kg_strlcpy(r.id, e->region_id, sizeof(r.id));
	return store_region_create(st, &r, err);
 notfound:
	return kg_errf(err, KG_EBADREQ, "Expecting to find endpoint region_id in"
	    " region table." VALIDATION_TAIL);
}

/* _assert_service_exists: 400 when service_id names no service. */
static int
endpoint_service(struct store *st, const char *service_id, struct kg_err *err)
{
	struct kg_service	s;

	memset(&s, 0, sizeof(s));
	if (store_service_get(st, service_id, &s, err) == 0) {
		kg_service_free(&s);
		return 0;
	}
	if (err->kind != KG_ENOTFOUND)
		return -1;
	return kg_errf(err, KG_EBADREQ, "Expecting to find endpoint service_id in"
	    " service table." VALIDATION_TAIL);
}

struct endpoint_change {
	enum svc_region_ref	 how;
	const char		*region_id;
	struct kg_endpoint	*e;		/* create: the new endpoint */
	char			 service[STORE_ID_SIZE];	/* update: as read */
};

static int
endpoint_create_body(struct store *st, void *cls, struct kg_err *err)
{
	struct endpoint_change	*c = cls;

	if (endpoint_region(st, c->e, c->how, c->region_id, err) == -1 ||
	    endpoint_service(st, c->e->service_id, err) == -1)
		return -1;
	return store_endpoint_create(st, c->e, err);
}

int
svc_endpoint_create(struct store *st, struct kg_endpoint *e,
    enum svc_region_ref how, const char *region_id, struct kg_err *err)
{
	struct endpoint_change	c;

	memset(&c, 0, sizeof(c));
	c.how = how;
	c.region_id = region_id;
	c.e = e;
	return svc_run(st, "endpoint create", endpoint_create_body, &c, err);
}

SVC_KIND(endpoint_kind, kg_endpoint, "endpoint update", store_endpoint_get,
    store_endpoint_update, kg_endpoint_free);

static void
note_service(const void *obj, void *cls)
{
	kg_strlcpy(((struct endpoint_change *)cls)->service,
	    ((const struct kg_endpoint *)obj)->service_id, STORE_ID_SIZE);
}

/* Its region as the body gives it; a new service must exist. */
static int
check_endpoint(struct store *st, void *obj, void *cls, struct kg_err *err)
{
	struct kg_endpoint	*e = obj;
	struct endpoint_change	*c = cls;

	if (endpoint_region(st, e, c->how, c->region_id, err) == -1)
		return -1;
	if (strcmp(c->service, e->service_id) != 0)
		return endpoint_service(st, e->service_id, err);
	return 0;
}

int
svc_endpoint_update(struct store *st, const char *id,
    const struct svc_edit *edit, enum svc_region_ref how, const char *region_id,
    struct kg_endpoint *out, struct kg_err *err)
{
	struct endpoint_change	c;
	struct svc_hooks	h = { note_service, check_endpoint, NULL, &c };

	memset(&c, 0, sizeof(c));
	c.how = how;
	c.region_id = region_id;
	return svc_update(st, &endpoint_kind, id, edit, &h, out, err);
}

static int
endpoint_delete_body(struct store *st, void *cls, struct kg_err *err)
{
	return store_endpoint_delete(st, cls, err);
}

int
svc_endpoint_delete(struct store *st, const char *id, struct kg_err *err)
{
	return svc_run(st, "endpoint delete", endpoint_delete_body, (void *)id, err);
}
