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

struct region_update {
	const char		*id;
	const struct svc_edit	*edit;
	struct kg_region	 r;
};

static int
region_update_body(struct store *st, void *cls, struct kg_err *err)
{
	struct region_update	*u = cls;

	kg_region_free(&u->r);
	if (store_region_get(st, u->id, &u->r, err) == -1 ||
	    u->edit->fn(&u->r, u->edit->cls, err) == -1 ||
	    store_region_update(st, &u->r, err) == -1)
		return -1;
	return 0;
}

int
svc_region_update(struct store *st, const char *id, const struct svc_edit *edit,
    struct kg_region *out, struct kg_err *err)
{
	struct region_update	u;

	memset(&u, 0, sizeof(u));
	u.id = id;
	u.edit = edit;
	if (svc_run(st, "region update", region_update_body, &u, err) == -1) {
		kg_region_free(&u.r);
		return -1;
	}
	if (out != NULL)
		*out = u.r;
	else
		kg_region_free(&u.r);
	return 0;
}

static int
region_delete_body(struct store *st, void *cls, struct kg_err *err)
{
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

struct service_update {
	const char		*id;
	const struct svc_edit	*edit;
	struct kg_service	 s;
};

static int
service_update_body(struct store *st, void *cls, struct kg_err *err)
{
	struct service_update	*u = cls;

	kg_service_free(&u->s);
	if (store_service_get(st, u->id, &u->s, err) == -1 ||
	    u->edit->fn(&u->s, u->edit->cls, err) == -1 ||
	    store_service_update(st, &u->s, err) == -1)
		return -1;
	return 0;
}

int
svc_service_update(struct store *st, const char *id,
    const struct svc_edit *edit, struct kg_service *out, struct kg_err *err)
{
	struct service_update	u;

	memset(&u, 0, sizeof(u));
	u.id = id;
	u.edit = edit;
	if (svc_run(st, "service update", service_update_body, &u, err) == -1) {
		kg_service_free(&u.s);
		return -1;
	}
	if (out != NULL)
		*out = u.s;
	else
		kg_service_free(&u.s);
	return 0;
}

static int
service_delete_body(struct store *st, void *cls, struct kg_err *err)
{
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
	const char		*id;
	const struct svc_edit	*edit;
	enum svc_region_ref	 how;
	const char		*region_id;
	struct kg_endpoint	*e;		/* create: the new endpoint */
	struct kg_endpoint	 cur;		/* update: as stored */
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

static int
endpoint_update_body(struct store *st, void *cls, struct kg_err *err)
{
	struct endpoint_change	*c = cls;
	char			 service[STORE_ID_SIZE];

	kg_endpoint_free(&c->cur);
	if (store_endpoint_get(st, c->id, &c->cur, err) == -1)
		return -1;
	kg_strlcpy(service, c->cur.service_id, sizeof(service));
	if (c->edit->fn(&c->cur, c->edit->cls, err) == -1 ||
	    endpoint_region(st, &c->cur, c->how, c->region_id, err) == -1)
		return -1;
	if (strcmp(service, c->cur.service_id) != 0 &&
	    endpoint_service(st, c->cur.service_id, err) == -1)
		return -1;
	return store_endpoint_update(st, &c->cur, err);
}

int
svc_endpoint_update(struct store *st, const char *id,
    const struct svc_edit *edit, enum svc_region_ref how, const char *region_id,
    struct kg_endpoint *out, struct kg_err *err)
{
	struct endpoint_change	c;

	memset(&c, 0, sizeof(c));
	c.id = id;
	c.edit = edit;
	c.how = how;
	c.region_id = region_id;
	if (svc_run(st, "endpoint update", endpoint_update_body, &c, err) == -1) {
		kg_endpoint_free(&c.cur);
		return -1;
	}
	if (out != NULL)
		*out = c.cur;
	else
		kg_endpoint_free(&c.cur);
	return 0;
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
