/*
 * limit.c - unified limits (keystone/limit/core.py, backends/sql.py and
 * models/): registered limits, limits, and the enforcement models (see
 * svc.h). Nothing here revokes a token.
 *
 * The strict_two_level model is Keystone's, quirks included: a value of 0
 * counts as "no limit" on the other side of a comparison (Python's
 * truthiness), and a project below a top-level project is compared with
 * the registered default only (its parent has no domain limit).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "svc/svc_int.h"

/* Keystone's ValidationError tail (keystone/exception.py). */
#define VALIDATION_TAIL	" The server could not comply with the request since it" \
	" is either malformed or otherwise incorrect. The client is assumed to" \
	" be in error."

/* Set at start-up, before the workers exist (svc.h). */
static enum svc_limit_model	limit_model = SVC_LIMIT_FLAT;

void
svc_set_limit_model(enum svc_limit_model m)
{
	limit_model = m;
}

enum svc_limit_model
svc_limit_model(void)
{
	return limit_model;
}

int
svc_limit_model_parse(const char *name, enum svc_limit_model *m)
{
	if (strcmp(name, "flat") == 0)
		*m = SVC_LIMIT_FLAT;
	else if (strcmp(name, "strict_two_level") == 0)
		*m = SVC_LIMIT_STRICT_TWO_LEVEL;
	else
		return -1;
	return 0;
}

const char *
svc_limit_model_name(enum svc_limit_model m)
{
	return m == SVC_LIMIT_STRICT_TWO_LEVEL ? "strict_two_level" : "flat";
}

const char *
svc_limit_model_description(enum svc_limit_model m)
{
	if (m == SVC_LIMIT_STRICT_TWO_LEVEL)
		return "This model requires project hierarchy never exceeds a"
		    " depth of two";
	return "Limit enforcement and validation does not take project"
	    " hierarchy into consideration.";
}

int
svc_project_max_depth(void)
{
	return limit_model == SVC_LIMIT_STRICT_TWO_LEVEL ? 2 :
	    SVC_PROJECT_MAX_DEPTH;
}

/* ------------------------------------------------------------------------
 * What a limit names must exist (Manager._assert_resource_exist).
 * --------------------------------------------------------------------- */

static int
invalid_ref(struct kg_err *err, const char *attr, const char *target)
{
	return kg_errf(err, KG_EBADREQ, "Expecting to find %s in %s."
	    VALIDATION_TAIL, attr, target);
}

/* 0 when the look-up found it, 1 when it did not, -1 on another error. */
static int
missing(int lookup, struct kg_err *err)
{
	if (lookup == 0)
		return 0;
	if (err->kind != KG_ENOTFOUND)
		return -1;
	kg_err_clear(err);
	return 1;
}

static int
check_service(struct store *st, const char *id, const char *target,
    struct kg_err *err)
{
	struct kg_service	s;
	int			m;

	memset(&s, 0, sizeof(s));
	m = missing(store_service_get(st, id, &s, err), err);
	kg_service_free(&s);
	if (m == 1)
		return invalid_ref(err, "service_id", target);
	return m;
}

static int
check_region(struct store *st, const char *id, const char *target,
    struct kg_err *err)
{
	struct kg_region	r;
	int			m;

	if (id == NULL || id[0] == '\0')
		return 0;
	memset(&r, 0, sizeof(r));
	m = missing(store_region_get(st, id, &r, err), err);
	kg_region_free(&r);
	if (m == 1)
		return invalid_ref(err, "region_id", target);
	return m;
}

static int
domain_exists(struct store *st, const char *id, struct kg_err *err)
{
	struct kg_domain	d;
	int			m;

	memset(&d, 0, sizeof(d));
	m = missing(store_domain_get(st, id, &d, err), err);
	kg_domain_free(&d);
	return m == -1 ? -1 : !m;
}

/* The service, region, project or domain of l exist; a project_id naming
 * a domain becomes its domain_id. */
static int
check_limit_refs(struct store *st, struct kg_limit *l, struct kg_err *err)
{
	struct kg_project	p;
	int			m, d;

	if (check_service(st, l->service_id, "limit", err) == -1 ||
	    check_region(st, l->region_id, "limit", err) == -1)
		return -1;
	if (l->project_id[0] != '\0') {
		memset(&p, 0, sizeof(p));
		m = missing(store_project_get(st, l->project_id, &p, err), err);
		kg_project_free(&p);
		if (m == -1)
			return -1;
		if (m == 1) {
			if ((d = domain_exists(st, l->project_id, err)) == -1)
				return -1;
			if (!d)
				return invalid_ref(err, "project_id", "limit");
			memcpy(l->domain_id, l->project_id, sizeof(l->domain_id));
			l->project_id[0] = '\0';
		}
		return 0;
	}
	if ((d = domain_exists(st, l->domain_id, err)) == -1)
		return -1;
	return d ? 0 : invalid_ref(err, "domain_id", "limit");
}

/* ------------------------------------------------------------------------
 * The strict-two-level model (keystone/limit/models/strict_two_level.py).
 * --------------------------------------------------------------------- */

static int
invalid_limit(struct kg_err *err, const struct kg_limit *l)
{
	int	project = l->project_id[0] != '\0';

	return kg_errf(err, KG_EFORBID, "Invalid resource limit: The resource"
	    " limit (%s: %s, resource_name: %s, resource_limit: %" PRId64 ","
	    " service_id: %s, region_id: %s) doesn't satisfy current hierarchy"
	    " model..", project ? "project_id" : "domain_id",
	    project ? l->project_id : l->domain_id, l->resource_name,
	    l->resource_limit, l->service_id,
	    l->region_id[0] != '\0' ? l->region_id : "None");
}

static int
same_resource(const struct kg_limit *a, const struct kg_limit *b)
{
	return strcmp(a->service_id, b->service_id) == 0 &&
	    strcmp(a->region_id, b->region_id) == 0 &&
	    strcmp(a->resource_name, b->resource_name) == 0;
}

/*
 * The value a project limit must not exceed: the limit of parent_id as a
 * domain, else the registered default (_get_specified_limit_value with a
 * domain_id). *found 0 when there is neither.
 */
static int
parent_value(struct store *st, const struct kg_registered_limit *rl,
    const char *parent_id, int64_t *value, struct kg_err *err)
{
	struct kg_limit	pl;
	int		m;

	memset(&pl, 0, sizeof(pl));
	m = missing(store_limit_find(st, rl->id, NULL, parent_id, &pl, err), err);
	if (m == -1)
		return -1;
	*value = m == 0 ? pl.resource_limit : rl->default_limit;
	kg_limit_free(&pl);
	return 0;
}

/* One limit of a batch v[n] against the model (check_limit's loop body). */
static int
strict_check_one(struct store *st, const struct kg_limit *l,
    const struct kg_limit *v, size_t n, struct kg_err *err)
{
	struct kg_registered_limit	 rl;
	struct kg_project		 p;
	const char			*parent = NULL;
	int64_t				 pv = 0;
	size_t				 i;
	int				 m, above = 0, ret = -1;

	memset(&rl, 0, sizeof(rl));
	memset(&p, 0, sizeof(p));
	if (l->project_id[0] != '\0') {
		if (store_project_get(st, l->project_id, &p, err) == -1)
			return -1;
		/* A top-level project's parent is its domain (Keystone). */
		parent = p.parent_id[0] != '\0' ? p.parent_id : p.domain_id;
		for (i = 0; i < n; i++)
			if (strcmp(v[i].domain_id, parent) == 0 &&
			    same_resource(&v[i], l)) {
				ret = l->resource_limit > v[i].resource_limit ?
				    invalid_limit(err, l) : 0;
				goto done;
			}
	}
	/* Without a registered limit there is nothing to compare with (and
	 * the limit is refused for that afterwards). */
	m = missing(store_registered_limit_find(st, l->service_id, l->region_id,
	    l->resource_name, &rl, err), err);
	if (m != 0) {
		ret = m == 1 ? 0 : -1;
		goto done;
	}
	if (l->project_id[0] != '\0') {
		if (parent_value(st, &rl, parent, &pv, err) == -1)
			goto done;
		ret = pv != 0 && l->resource_limit > pv ? invalid_limit(err, l) : 0;
		goto done;
	}
	if (store_limit_child_above(st, rl.id, l->domain_id, l->resource_limit,
	    &above, err) == -1)
		goto done;
	ret = above ? invalid_limit(err, l) : 0;
 done:
	kg_project_free(&p);
	kg_registered_limit_free(&rl);
	return ret;
}

static int
model_check(struct store *st, const struct kg_limit *v, size_t n,
    struct kg_err *err)
{
	size_t	i;

	if (limit_model != SVC_LIMIT_STRICT_TWO_LEVEL)
		return 0;
	for (i = 0; i < n; i++)
		if (strict_check_one(st, &v[i], v, n, err) == -1)
			return -1;
	return 0;
}

/* ------------------------------------------------------------------------
 * Registered limits.
 * --------------------------------------------------------------------- */

struct rl_batch {
	const struct kg_registered_limit	*v;
	size_t					 n;
};

static int
rl_create_body(struct store *st, void *cls, struct kg_err *err)
{
	struct rl_batch	*b = cls;
	size_t		 i;

	for (i = 0; i < b->n; i++)
		if (check_service(st, b->v[i].service_id, "registered_limit",
		    err) == -1 ||
		    check_region(st, b->v[i].region_id, "registered_limit",
		    err) == -1)
			return -1;
	for (i = 0; i < b->n; i++)
		if (store_registered_limit_create(st, &b->v[i], err) == -1)
			return -1;
	return 0;
}

int
svc_registered_limits_create(struct store *st,
    const struct kg_registered_limit *v, size_t n, struct kg_err *err)
{
	struct rl_batch	b = { v, n };

	return svc_run(st, "registered limits create", rl_create_body, &b, err);
}

static int
rl_in_use(struct store *st, const char *id, struct kg_err *err)
{
	int	used = 0;

	if (store_registered_limit_in_use(st, id, &used, err) == -1)
		return -1;
	if (used)
		return kg_errf(err, KG_EFORBID, "Unable to update or delete"
		    " registered limit %s because there are project limits"
		    " associated with it.", id);
	return 0;
}

struct rl_update {
	const char				*id;
	const struct svc_registered_limit_change *c;
	struct kg_registered_limit		*out;
};

static int
set_text(char **dst, const char *src, struct kg_err *err)
{
	char	*v = NULL;

	if (src != NULL && (v = strdup(src)) == NULL)
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	free(*dst);
	*dst = v;
	return 0;
}

static int
rl_update_body(struct store *st, void *cls, struct kg_err *err)
{
	struct rl_update			*u = cls;
	const struct svc_registered_limit_change *c = u->c;
	struct kg_registered_limit		*r = u->out, other;
	int					 m;

	kg_registered_limit_free(r);
	memset(r, 0, sizeof(*r));
	if ((c->service_id != NULL && check_service(st, c->service_id,
	    "registered_limit", err) == -1) ||
	    (c->set_region && check_region(st, c->region_id, "registered_limit",
	    err) == -1))
		return -1;
	if (store_registered_limit_get(st, u->id, r, err) == -1 ||
	    rl_in_use(st, u->id, err) == -1)
		return -1;
	if (c->service_id != NULL)
		kg_strlcpy(r->service_id, c->service_id, sizeof(r->service_id));
	if (c->set_region)
		kg_strlcpy(r->region_id, c->region_id ? c->region_id : "",
		    sizeof(r->region_id));
	if (c->resource_name != NULL)
		kg_strlcpy(r->resource_name, c->resource_name,
		    sizeof(r->resource_name));
	if (c->set_default)
		r->default_limit = c->default_limit;
	if (c->set_description && set_text(&r->description, c->description,
	    err) == -1)
		return -1;
	/* Another registered limit for the same resource (Keystone compares
	 * with every one, this one included: it answers 409 to a PATCH that
	 * repeats the service; keygate only to a real duplicate). */
	memset(&other, 0, sizeof(other));
	m = missing(store_registered_limit_find(st, r->service_id, r->region_id,
	    r->resource_name, &other, err), err);
	if (m == 0 && strcmp(other.id, r->id) != 0)
		m = kg_errf(err, KG_ECONFLICT, "Conflict occurred attempting to"
		    " store registered_limit - Duplicate entry.");
	kg_registered_limit_free(&other);
	if (m == -1)
		return -1;
	return store_registered_limit_update(st, r, err);
}

int
svc_registered_limit_update(struct store *st, const char *id,
    const struct svc_registered_limit_change *c,
    struct kg_registered_limit *out, struct kg_err *err)
{
	struct kg_registered_limit	tmp;
	struct rl_update		u = { id, c, out != NULL ? out : &tmp };
	int				ret;

	memset(u.out, 0, sizeof(*u.out));
	ret = svc_run(st, "registered limit update", rl_update_body, &u, err);
	if (ret == -1 || out == NULL)
		kg_registered_limit_free(u.out);
	return ret;
}

static int
rl_delete_body(struct store *st, void *cls, struct kg_err *err)
{
	struct kg_registered_limit	r;

	memset(&r, 0, sizeof(r));
	if (store_registered_limit_get(st, cls, &r, err) == -1)
		return -1;
	kg_registered_limit_free(&r);
	if (rl_in_use(st, cls, err) == -1)
		return -1;
	return store_registered_limit_delete(st, cls, err);
}

int
svc_registered_limit_delete(struct store *st, const char *id,
    struct kg_err *err)
{
	return svc_run(st, "registered limit delete", rl_delete_body, (void *)id,
	    err);
}

/* ------------------------------------------------------------------------
 * Limits.
 * --------------------------------------------------------------------- */

struct limit_batch {
	struct kg_limit	*v;
	size_t		 n;
};

/* The registered limit of l into l->registered_limit_id (403 without). */
static int
limit_reference(struct store *st, struct kg_limit *l, struct kg_err *err)
{
	struct kg_registered_limit	rl;
	int				m;

	memset(&rl, 0, sizeof(rl));
	m = missing(store_registered_limit_find(st, l->service_id, l->region_id,
	    l->resource_name, &rl, err), err);
	if (m == 0)
		kg_strlcpy(l->registered_limit_id, rl.id,
		    sizeof(l->registered_limit_id));
	kg_registered_limit_free(&rl);
	if (m == 1)
		return kg_errf(err, KG_EFORBID, "Unable to create a limit that has"
		    " no corresponding registered limit.");
	return m;
}

static int
limit_create_body(struct store *st, void *cls, struct kg_err *err)
{
	struct limit_batch	*b = cls;
	size_t			 i;

	for (i = 0; i < b->n; i++)
		if (check_limit_refs(st, &b->v[i], err) == -1)
			return -1;
	if (model_check(st, b->v, b->n, err) == -1)
		return -1;
	for (i = 0; i < b->n; i++)
		if (limit_reference(st, &b->v[i], err) == -1 ||
		    store_limit_create(st, &b->v[i], err) == -1)
			return -1;
	return 0;
}

int
svc_limits_create(struct store *st, struct kg_limit *v, size_t n,
    struct kg_err *err)
{
	struct limit_batch	b = { v, n };

	return svc_run(st, "limits create", limit_create_body, &b, err);
}

struct limit_update {
	const char			*id;
	const struct svc_limit_change	*c;
	struct kg_limit			*out;
};

static int
limit_update_body(struct store *st, void *cls, struct kg_err *err)
{
	struct limit_update		*u = cls;
	const struct svc_limit_change	*c = u->c;
	struct kg_limit			*l = u->out;

	kg_limit_free(l);
	memset(l, 0, sizeof(*l));
	if (store_limit_get(st, u->id, l, err) == -1)
		return -1;
	if (c->set_limit)
		l->resource_limit = c->resource_limit;
	if (c->set_description && set_text(&l->description, c->description,
	    err) == -1)
		return -1;
	if (model_check(st, l, 1, err) == -1)
		return -1;
	return store_limit_update(st, l, err);
}

int
svc_limit_update(struct store *st, const char *id,
    const struct svc_limit_change *c, struct kg_limit *out, struct kg_err *err)
{
	struct kg_limit		tmp;
	struct limit_update	u = { id, c, out != NULL ? out : &tmp };
	int			ret;

	memset(u.out, 0, sizeof(*u.out));
	ret = svc_run(st, "limit update", limit_update_body, &u, err);
	if (ret == -1 || out == NULL)
		kg_limit_free(u.out);
	return ret;
}

static int
limit_delete_body(struct store *st, void *cls, struct kg_err *err)
{
	return store_limit_delete(st, cls, err);
}

int
svc_limit_delete(struct store *st, const char *id, struct kg_err *err)
{
	return svc_run(st, "limit delete", limit_delete_body, (void *)id, err);
}

int
svc_limit_check_depth(struct store *st, struct kg_err *err)
{
	char	**ids = NULL, list[512];
	size_t	  n = 0, i, off = 0;
	int	  max = svc_project_max_depth();

	if (limit_model != SVC_LIMIT_STRICT_TWO_LEVEL)
		return 0;
	if (store_projects_below_level(st, max, &ids, &n, err) == -1)
		return -1;
	if (n == 0)
		return 0;
	list[0] = '\0';
	for (i = 0; i < n && off < sizeof(list) - 70; i++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s'%s'",
		    i ? ", " : "", ids[i]);
	if (i < n)
		snprintf(list + off, sizeof(list) - off, ", ...");
	store_strv_free(ids, n);
	return kg_errf(err, KG_EINTERNAL, "keygate cannot start due to project"
	    " hierarchical depth in the current deployment (project_ids: [%s])"
	    " exceeds the enforcement model's maximum limit of %d. Please use a"
	    " different enforcement model to correct the issue.", list, max);
}
