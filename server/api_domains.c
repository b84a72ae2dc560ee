/*
 * api_domains.c - /v3/domains: create, list (filters name, enabled), get,
 * update, delete, as Keystone (keystone/api/domains.py). Changes go
 * through svc/domain.c: disabling a domain revokes its tokens, an enabled
 * domain cannot be deleted.
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "server/http.h"
#include "server/apijson.h"
#include "server/page.h"
#include "server/views.h"
#include "server/ptarget.h"
#include "store/identity.h"
#include "svc/svc.h"

/* Attributes with a column (or no meaning) that never go to "extra". */
static const char *const domain_known[] = { "id", "name", "description",
	"enabled", "tags", "options", "links", "explicit_domain_id", NULL };

/*
 * The domain's new extra: obj's unknown members over old, plus "tags"
 * when obj has them (domains keep their tags in extra) and its options.
 */
static char *
domain_extra(json_t *obj, const char *old, struct kg_err *err)
{
	char	*s;

	if ((s = apij_extra(obj, domain_known, old, err)) == NULL)
		return NULL;
	if (apij_set_extra_tags(obj, &s, err) == -1 ||
	    apij_set_options(obj, &s, err) == -1) {
		free(s);
		return NULL;
	}
	return s;
}

/* The attributes a create or update may carry (request_validate checked
 * them against Keystone's domain schema). */
static void
domain_check(json_t *obj, const char **name, const char **desc, int *enabled)
{
	*name = apij_str(obj, "name");
	*desc = apij_str(obj, "description");
	apij_set_bool(obj, "enabled", enabled);
}

static int
create_domain(struct req *r, struct kg_err *err)
{
	struct kg_domain	 d;
	json_t			*obj;
	const char		*name, *desc, *eid;
	int			 status = -1;

	memset(&d, 0, sizeof(d));
	if (req_authorize(r, "identity:create_domain", NULL, err) == -1)
		return -1;
	if ((obj = apij_body_object(r, "domain", err)) == NULL)
		return -1;
	d.enabled = 1;
	domain_check(obj, &name, &desc, &d.enabled);
	eid = apij_str(obj, "explicit_domain_id");
	if (eid != NULL) {
		/* Keystone insists on its own id format (uuid4 hex). */
		if (!kg_is_hex_id(eid))
			return kg_errf(err, KG_EBADREQ,
			    "Domain ID does not conform to required UUID format.");
		kg_strlcpy(d.id, eid, sizeof(d.id));
	} else if (kg_id_new(d.id) == -1)
		return kg_errf(err, KG_EINTERNAL, "no randomness");
	apij_strip(name, d.name, sizeof(d.name));
	d.description = (char *)(desc ? desc : "");
	if ((d.extra = domain_extra(obj, NULL, err)) == NULL)
		return -1;
	if (svc_domain_create(r->st, &d, err) == -1)
		goto done;
	status = apij_reply_member(r, "domain", apij_domain(r, &d), 201, err);
 done:
	free(d.extra);
	return status;
}

static int
list_domains(struct req *r, struct kg_err *err)
{
	struct policy_target	 t = { 0 };
	struct kg_domain_filter	 f;
	struct kg_page		 pg;
	struct kg_domain	*v = NULL;
	size_t			 n = 0, i;
	int			 ret;
	json_t			*arr;

	/* Keystone 29: target.domain.id = the caller's domain, if any. */
	if (r->ctx->scope == KG_SCOPE_DOMAIN)
		t.v[PK_T_DOMAIN_ID] = r->ctx->domain_id;
	if (req_authorize(r, "identity:list_domains", &t, err) == -1)
		return -1;
	memset(&f, 0, sizeof(f));
	if (apij_query_bool(r, "enabled", &f.enabled, err) == -1 ||
	    page_from_request(r, PAGE_RESOURCE, &pg, err) == -1)
		return -1;
	f.name = req_query(r, "name");
	apij_name_match(r, &f.match);
	/* A domain-scoped caller sees its own domain only. */
	if (r->ctx->scope == KG_SCOPE_DOMAIN)
		f.id = r->ctx->domain_id;
	if (store_domain_list(r->st, &f, &pg, &v, &n, err) == -1)
		return -1;
	arr = json_array();
	for (i = 0; arr != NULL && i < n; i++)
		json_array_append_new(arr, apij_domain(r, &v[i]));
	ret = page_reply(r, "domains", arr, req_links(r), &pg, n ?
	    v[n - 1].id : NULL, err);
	kg_domain_list_free(v, n);
	return ret;
}

/*
 * Load domain id after checking rule on it, the domain as target when
 * found. A missing domain is reported after the check (GET: Keystone's
 * _build_domain_enforcement_target) or, with strict, before it (PATCH,
 * DELETE: Keystone's member target lets the NotFound through).
 */
static int
load_domain_as(struct req *r, const char *rule, const char *id, int strict,
    struct kg_domain *d, struct kg_err *err)
{
	struct policy_target	t = { 0 };
	struct kg_err		lerr = { 0 };

	memset(d, 0, sizeof(*d));
	if (store_domain_get(r->st, id, d, &lerr) == 0)
		ptarget_domain(&t, d);
	else if (strict && lerr.kind == KG_ENOTFOUND) {
		*err = lerr;
		return -1;
	}
	if (apij_authorize_lookup(r, rule, &t, &lerr, err) == -1) {
		kg_domain_free(d);
		return -1;
	}
	return 0;
}

static int
load_domain(struct req *r, const char *rule, const char *id,
    struct kg_domain *d, struct kg_err *err)
{
	return load_domain_as(r, rule, id, 0, d, err);
}

static int
get_domain(struct req *r, struct kg_err *err)
{
	struct kg_domain	d;
	int			status;

	if (load_domain(r, "identity:get_domain", r->params[0], &d, err) == -1)
		return -1;
	status = apij_reply_member(r, "domain", apij_domain(r, &d), 200, err);
	kg_domain_free(&d);
	return status;
}

/* The PATCH body applied to the domain as stored (svc_domain_update). */
static int
domain_edit(void *obj, void *cls, struct kg_err *err)
{
	struct kg_domain	*d = obj;
	json_t			*body = cls;
	const char		*name, *desc;
	char			*extra;

	/* request_validate checked the body's schema (400); then
	 * immutability (403). */
	domain_check(body, &name, &desc, &d->enabled);
	if (apij_immutable_edit(d->extra, body, "domain", d->id, err) == -1)
		return -1;
	if (name != NULL)
		apij_strip(name, d->name, sizeof(d->name));
	if (apij_set_text(body, "description", &d->description, err) == -1)
		return -1;
	if ((extra = domain_extra(body, d->extra, err)) == NULL)
		return -1;
	free(d->extra);
	d->extra = extra;
	return 0;
}

static int
update_domain(struct req *r, struct kg_err *err)
{
	struct svc_edit		 edit = { domain_edit, NULL };
	struct kg_domain	 d;
	json_t			*obj;
	int			 status;

	if (load_domain_as(r, "identity:update_domain", r->params[0], 1, &d,
	    err) == -1)
		return -1;
	kg_domain_free(&d);
	if ((obj = apij_body_object(r, "domain", err)) == NULL ||
	    apij_matching_id(obj, r->params[0], err) == -1)
		return -1;
	edit.cls = obj;
	memset(&d, 0, sizeof(d));
	if (svc_domain_update(r->st, r->params[0], &edit, &d, err) == -1)
		return -1;
	status = apij_reply_member(r, "domain", apij_domain(r, &d), 200, err);
	kg_domain_free(&d);
	return status;
}

static int
delete_domain(struct req *r, struct kg_err *err)
{
	struct kg_domain	d;

	if (load_domain_as(r, "identity:delete_domain", r->params[0], 1, &d,
	    err) == -1)
		return -1;
	kg_domain_free(&d);
	if (svc_domain_delete(r->st, r->params[0], err) == -1)
		return -1;
	return 204;
}

const struct route api_domains_routes[] = {
	{ "POST",	"/v3/domains",		create_domain,	R_AUTH },
	{ "GET",	"/v3/domains",		list_domains,	R_AUTH },
	{ "GET",	"/v3/domains/{}",	get_domain,	R_AUTH },
	{ "PATCH",	"/v3/domains/{}",	update_domain,	R_AUTH },
	{ "DELETE",	"/v3/domains/{}",	delete_domain,	R_AUTH },
	{ NULL, NULL, NULL, 0 }
};
