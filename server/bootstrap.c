/*
 * bootstrap.c - keystone-manage bootstrap for keygate: the default domain,
 * an admin project and user, the default roles (reader < member < manager
 * < admin, plus service), admin grants on the project and the system, and
 * the identity service in the catalog. Every step reuses what exists, so
 * running it again is harmless (and resets the admin password).
 */
#include <stdlib.h>
#include <string.h>

#include "auth/password.h"
#include "common/log.h"
#include "common/util.h"
#include "server/bootstrap.h"
#include "store/assignment.h"
#include "store/catalog.h"
#include "store/identity.h"

static const char *
env_or(const char *cur, const char *var, const char *dflt)
{
	const char	*v;

	if (cur != NULL)
		return cur;
	if ((v = getenv(var)) != NULL && *v != '\0')
		return v;
	return dflt;
}

void
bootstrap_opts_defaults(struct bootstrap_opts *o)
{
	o->password = env_or(o->password, "OS_BOOTSTRAP_PASSWORD", NULL);
	o->username = env_or(o->username, "OS_BOOTSTRAP_USERNAME", "admin");
	o->project_name = env_or(o->project_name, "OS_BOOTSTRAP_PROJECT_NAME", "admin");
	o->role_name = env_or(o->role_name, "OS_BOOTSTRAP_ROLE_NAME", "admin");
	o->service_name = env_or(o->service_name, "OS_BOOTSTRAP_SERVICE_NAME", "keystone");
	o->region_id = env_or(o->region_id, "OS_BOOTSTRAP_REGION_ID", NULL);
	o->admin_url = env_or(o->admin_url, "OS_BOOTSTRAP_ADMIN_URL", NULL);
	o->internal_url = env_or(o->internal_url, "OS_BOOTSTRAP_INTERNAL_URL", NULL);
	o->public_url = env_or(o->public_url, "OS_BOOTSTRAP_PUBLIC_URL", NULL);
}

static int
ensure_domain(struct store *st, struct kg_err *err)
{
	struct kg_domain	d;

	memset(&d, 0, sizeof(d));
	if (store_domain_get(st, STORE_DEFAULT_DOMAIN_ID, &d, err) == 0) {
		kg_domain_free(&d);
		return 0;
	}
	if (err->kind != KG_ENOTFOUND)
		return -1;
	kg_strlcpy(d.id, STORE_DEFAULT_DOMAIN_ID, sizeof(d.id));
	kg_strlcpy(d.name, "Default", sizeof(d.name));
	d.description = "The default domain";
	d.enabled = 1;
	d.extra = "{}";
	log_info("bootstrap: created domain Default");
	return store_domain_create(st, &d, err);
}

static int
ensure_project(struct store *st, const char *name, char id[STORE_ID_SIZE],
    struct kg_err *err)
{
	struct kg_project	p;

	memset(&p, 0, sizeof(p));
	if (store_project_get_by_name(st, STORE_DEFAULT_DOMAIN_ID, name, &p, err) == 0) {
		kg_strlcpy(id, p.id, STORE_ID_SIZE);
		kg_project_free(&p);
		return 0;
	}
	if (err->kind != KG_ENOTFOUND)
		return -1;
	if (kg_id_new(p.id) == -1)
		return kg_errf(err, KG_EINTERNAL, "no randomness");
	kg_strlcpy(p.name, name, sizeof(p.name));
	kg_strlcpy(p.domain_id, STORE_DEFAULT_DOMAIN_ID, sizeof(p.domain_id));
	p.description = "Bootstrap project for initializing the cloud.";
	p.enabled = 1;
	p.extra = "{}";
	kg_strlcpy(id, p.id, STORE_ID_SIZE);
	log_info("bootstrap: created project %s", name);
	return store_project_create(st, &p, err);
}

static int
ensure_user(struct store *st, const struct bootstrap_opts *o,
    char id[STORE_ID_SIZE], struct kg_err *err)
{
	struct kg_user	 u;
	char		*hash;
	int		 rc;

	if ((hash = password_hash(o->password, o->hash_rounds, err)) == NULL)
		return -1;
	memset(&u, 0, sizeof(u));
	if (store_user_get_by_name(st, STORE_DEFAULT_DOMAIN_ID, o->username, &u, err) == 0) {
		kg_strlcpy(id, u.id, STORE_ID_SIZE);
		kg_user_free(&u);
		rc = store_user_set_password(st, id, hash, 0, err);
		log_info("bootstrap: user %s exists: password reset", o->username);
		goto done;
	}
	if (err->kind != KG_ENOTFOUND) {
		rc = -1;
		goto done;
	}
	if (kg_id_new(u.id) == -1) {
		rc = kg_errf(err, KG_EINTERNAL, "no randomness");
		goto done;
	}
	kg_strlcpy(u.name, o->username, sizeof(u.name));
	kg_strlcpy(u.domain_id, STORE_DEFAULT_DOMAIN_ID, sizeof(u.domain_id));
	u.enabled = 1;
	u.password_hash = hash;
	u.extra = "{}";
	u.created_at = kg_now_us();
	kg_strlcpy(id, u.id, STORE_ID_SIZE);
	rc = store_user_create(st, &u, err);
	log_info("bootstrap: created user %s", o->username);
 done:
	kg_wipe(hash, strlen(hash));
	free(hash);
	return rc;
}

static int
ensure_role(struct store *st, const char *name, char id[STORE_ID_SIZE],
    struct kg_err *err)
{
	struct kg_role	r;

	memset(&r, 0, sizeof(r));
	if (store_role_get_by_name(st, name, "", &r, err) == 0) {
		kg_strlcpy(id, r.id, STORE_ID_SIZE);
		kg_role_free(&r);
		return 0;
	}
	if (err->kind != KG_ENOTFOUND)
		return -1;
	if (kg_id_new(r.id) == -1)
		return kg_errf(err, KG_EINTERNAL, "no randomness");
	kg_strlcpy(r.name, name, sizeof(r.name));
	r.description = "";
	r.extra = "{}";
	kg_strlcpy(id, r.id, STORE_ID_SIZE);
	log_info("bootstrap: created role %s", name);
	return store_role_create(st, &r, err);
}

/* Implied-role and grant creation are idempotent in the store. */
static int
ensure_roles(struct store *st, const char *admin_name, char admin_id[STORE_ID_SIZE],
    struct kg_err *err)
{
	char	reader[STORE_ID_SIZE], member[STORE_ID_SIZE], manager[STORE_ID_SIZE];
	char	service[STORE_ID_SIZE];

	if (ensure_role(st, "reader", reader, err) == -1 ||
	    ensure_role(st, "member", member, err) == -1 ||
	    ensure_role(st, "manager", manager, err) == -1 ||
	    ensure_role(st, admin_name, admin_id, err) == -1 ||
	    ensure_role(st, "service", service, err) == -1)
		return -1;
	if (store_role_add_implied(st, member, reader, err) == -1 ||
	    store_role_add_implied(st, manager, member, err) == -1 ||
	    store_role_add_implied(st, admin_id, manager, err) == -1)
		return -1;
	return 0;
}

static int
ensure_region(struct store *st, const char *region_id, struct kg_err *err)
{
	struct kg_region	r;

	memset(&r, 0, sizeof(r));
	kg_strlcpy(r.id, region_id, sizeof(r.id));
	r.description = "";
	r.extra = "{}";
	if (store_region_create(st, &r, err) == 0) {
		log_info("bootstrap: created region %s", region_id);
		return 0;
	}
	return err->kind == KG_ECONFLICT ? 0 : -1;
}

static int
ensure_endpoint(struct store *st, const char *service_id, const char *region_id,
    const char *interface, const char *url, struct kg_err *err)
{
	struct kg_endpoint	*eps = NULL, e;
	size_t			 n = 0, i;
	int			 found = 0;

	if (url == NULL || *url == '\0')
		return 0;
	if (store_endpoint_list_by_service(st, service_id, &eps, &n, err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (strcmp(eps[i].interface, interface) == 0 &&
		    strcmp(eps[i].region_id, region_id ? region_id : "") == 0)
			found = 1;
		kg_endpoint_free(&eps[i]);
	}
	free(eps);
	if (found)
		return 0;
	memset(&e, 0, sizeof(e));
	if (kg_id_new(e.id) == -1)
		return kg_errf(err, KG_EINTERNAL, "no randomness");
	kg_strlcpy(e.service_id, service_id, sizeof(e.service_id));
	kg_strlcpy(e.region_id, region_id ? region_id : "", sizeof(e.region_id));
	kg_strlcpy(e.interface, interface, sizeof(e.interface));
	e.url = (char *)url;
	e.enabled = 1;
	e.extra = "{}";
	log_info("bootstrap: created %s endpoint %s", interface, url);
	return store_endpoint_create(st, &e, err);
}

static int
ensure_catalog(struct store *st, const struct bootstrap_opts *o, struct kg_err *err)
{
	struct kg_service	s;
	char			id[STORE_ID_SIZE];

	if (o->region_id != NULL && *o->region_id != '\0' &&
	    ensure_region(st, o->region_id, err) == -1)
		return -1;
	memset(&s, 0, sizeof(s));
	if (store_service_find_by_type_name(st, "identity", o->service_name, &s, err) == 0) {
		kg_strlcpy(id, s.id, sizeof(id));
		kg_service_free(&s);
	} else if (err->kind == KG_ENOTFOUND) {
		if (kg_id_new(s.id) == -1)
			return kg_errf(err, KG_EINTERNAL, "no randomness");
		kg_strlcpy(s.type, "identity", sizeof(s.type));
		kg_strlcpy(s.name, o->service_name, sizeof(s.name));
		s.description = "";
		s.enabled = 1;
		s.extra = "{}";
		kg_strlcpy(id, s.id, sizeof(id));
		if (store_service_create(st, &s, err) == -1)
			return -1;
		log_info("bootstrap: created service %s", o->service_name);
	} else
		return -1;
	if (ensure_endpoint(st, id, o->region_id, "admin", o->admin_url, err) == -1 ||
	    ensure_endpoint(st, id, o->region_id, "internal", o->internal_url, err) == -1 ||
	    ensure_endpoint(st, id, o->region_id, "public", o->public_url, err) == -1)
		return -1;
	return 0;
}

int
bootstrap_run(struct store *st, const struct bootstrap_opts *o, struct kg_err *err)
{
	char	project_id[STORE_ID_SIZE], user_id[STORE_ID_SIZE], role_id[STORE_ID_SIZE];

	if (store_begin(st, err) == -1)
		return -1;
	if (ensure_domain(st, err) == -1 ||
	    ensure_project(st, o->project_name, project_id, err) == -1 ||
	    ensure_user(st, o, user_id, err) == -1 ||
	    ensure_roles(st, o->role_name, role_id, err) == -1 ||
	    store_grant(st, 0, user_id, KG_SCOPE_PROJECT, project_id, role_id, 0, err) == -1 ||
	    store_grant(st, 0, user_id, KG_SCOPE_SYSTEM, NULL, role_id, 0, err) == -1 ||
	    ensure_catalog(st, o, err) == -1) {
		store_rollback(st);
		return -1;
	}
	return store_commit(st, err);
}
