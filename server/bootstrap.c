/*
 * bootstrap.c - keystone-manage bootstrap for keygate: the default domain,
 * an admin project and user, the default roles (reader < member < manager
 * < admin, plus service; created immutable, as keystone-manage does unless
 * --no-immutable-roles), admin grants on the project and the system, and
 * the identity service in the catalog. Every step reuses what exists, so
 * running it again is harmless; as Keystone's, it re-enables the admin user
 * and resets its password when it differs (which revokes its tokens).
 *
 * Each step is the svc_* function the API uses; all of them run in one
 * transaction (svc_run joins it), so a bootstrap is all or nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/password.h"
#include "common/log.h"
#include "common/util.h"
#include "server/bootstrap.h"
#include "svc/svc.h"

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

/* One bootstrap: its options, the hashes computed before the transaction,
 * and what the transaction did (logged once it has committed). */
struct boot {
	const struct bootstrap_opts	*o;
	const char			*hash;		/* of o->password */
	char				*verified;	/* existing hash o->password matches */
	char				 done[16][96];	/* what was created or changed */
	size_t				 ndone;
};

static void
did(struct boot *b, const char *what, const char *name)
{
	if (b->ndone < sizeof(b->done) / sizeof(b->done[0]))
		snprintf(b->done[b->ndone++], sizeof(b->done[0]), "%s %s", what, name);
}

static int
ensure_domain(struct store *st, struct boot *b, struct kg_err *err)
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
	did(b, "created domain", "Default");
	return svc_domain_create(st, &d, err);
}

static int
ensure_project(struct store *st, struct boot *b, char id[STORE_ID_SIZE],
    struct kg_err *err)
{
	struct kg_project	p;

	memset(&p, 0, sizeof(p));
	if (store_project_get_by_name(st, STORE_DEFAULT_DOMAIN_ID,
	    b->o->project_name, &p, err) == 0) {
		kg_strlcpy(id, p.id, STORE_ID_SIZE);
		kg_project_free(&p);
		return 0;
	}
	if (err->kind != KG_ENOTFOUND)
		return -1;
	if (kg_id_new(p.id) == -1)
		return kg_errf(err, KG_EINTERNAL, "no randomness");
	kg_strlcpy(p.name, b->o->project_name, sizeof(p.name));
	kg_strlcpy(p.domain_id, STORE_DEFAULT_DOMAIN_ID, sizeof(p.domain_id));
	p.description = "Bootstrap project for initializing the cloud.";
	p.enabled = 1;
	p.extra = "{}";
	kg_strlcpy(id, p.id, STORE_ID_SIZE);
	did(b, "created project", b->o->project_name);
	return svc_project_create(st, &p, err);
}

static int
enable_user(void *obj, void *cls, struct kg_err *err)
{
	((struct kg_user *)obj)->enabled = 1;
	return 0;
}

static int
ensure_user(struct store *st, struct boot *b, char id[STORE_ID_SIZE],
    struct kg_err *err)
{
	struct svc_user_change	c;
	struct kg_user		u;

	memset(&u, 0, sizeof(u));
	memset(&c, 0, sizeof(c));
	if (store_user_get_by_name(st, STORE_DEFAULT_DOMAIN_ID, b->o->username, &u,
	    err) == 0) {
		/* As Keystone: re-enable, and reset a password that differs. */
		kg_strlcpy(id, u.id, STORE_ID_SIZE);
		c.set_password = u.password_hash == NULL || b->verified == NULL ||
		    strcmp(u.password_hash, b->verified) != 0;
		c.password_hash = b->hash;
		/* Always "enabled": true, which also unlocks an account locked
		 * by failed logins ([security_compliance]): bootstrap is the
		 * recovery tool. */
		c.edit.fn = enable_user;
		c.enable = 1;
		if (c.set_password || !u.enabled)
			did(b, c.set_password ? "reset the password of" : "enabled",
			    b->o->username);
		kg_user_free(&u);
		return svc_user_update(st, id, &c, NULL, err);
	}
	if (err->kind != KG_ENOTFOUND)
		return -1;
	if (kg_id_new(u.id) == -1)
		return kg_errf(err, KG_EINTERNAL, "no randomness");
	kg_strlcpy(u.name, b->o->username, sizeof(u.name));
	kg_strlcpy(u.domain_id, STORE_DEFAULT_DOMAIN_ID, sizeof(u.domain_id));
	u.enabled = 1;
	u.password_hash = (char *)b->hash;
	/* The recovery account is never created with an expired password
	 * ([security_compliance] change_password_upon_first_use). */
	u.extra = "{\"options\":{\"ignore_change_password_upon_first_use\":true}}";
	u.created_at = kg_now_us();
	kg_strlcpy(id, u.id, STORE_ID_SIZE);
	did(b, "created user", b->o->username);
	return svc_user_create(st, &u, err);
}

static int
ensure_role(struct store *st, struct boot *b, const char *name,
    char id[STORE_ID_SIZE], struct kg_err *err)
{
	struct kg_role	r;

	memset(&r, 0, sizeof(r));
	if (store_role_get_by_name(st, name, NULL, &r, err) == 0) {
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
	/* keystone/cmd/bootstrap.py _ensure_role_exists: every role it
	 * creates is immutable unless asked otherwise; a role that exists is
	 * left as it is. */
	r.extra = b->o->mutable_roles ? "{}" : "{\"options\":{\"immutable\":true}}";
	kg_strlcpy(id, r.id, STORE_ID_SIZE);
	did(b, b->o->mutable_roles ? "created mutable role" : "created role",
	    name);
	return svc_role_create(st, &r, err);
}

/* Implied-role and grant creation are idempotent. */
static int
ensure_roles(struct store *st, struct boot *b, char admin_id[STORE_ID_SIZE],
    struct kg_err *err)
{
	char	reader[STORE_ID_SIZE], member[STORE_ID_SIZE], manager[STORE_ID_SIZE];
	char	service[STORE_ID_SIZE];

	if (ensure_role(st, b, "reader", reader, err) == -1 ||
	    ensure_role(st, b, "member", member, err) == -1 ||
	    ensure_role(st, b, "manager", manager, err) == -1 ||
	    ensure_role(st, b, b->o->role_name, admin_id, err) == -1 ||
	    ensure_role(st, b, "service", service, err) == -1)
		return -1;
	if (svc_implied_create(st, member, reader, err) == -1 ||
	    svc_implied_create(st, manager, member, err) == -1 ||
	    svc_implied_create(st, admin_id, manager, err) == -1)
		return -1;
	return 0;
}

static int
ensure_grants(struct store *st, const char *user_id, const char *project_id,
    const char *role_id, struct kg_err *err)
{
	struct svc_grant	g;

	memset(&g, 0, sizeof(g));
	g.actor_id = user_id;
	g.kind = KG_SCOPE_PROJECT;
	g.target_id = project_id;
	g.role_id = role_id;
	if (svc_grant_create(st, &g, err) == -1)
		return -1;
	g.kind = KG_SCOPE_SYSTEM;
	g.target_id = NULL;
	return svc_grant_create(st, &g, err);
}

static int
ensure_region(struct store *st, struct boot *b, const char *region_id,
    struct kg_err *err)
{
	struct kg_region	r;

	memset(&r, 0, sizeof(r));
	if (store_region_get(st, region_id, &r, err) == 0) {
		kg_region_free(&r);
		return 0;
	}
	if (err->kind != KG_ENOTFOUND)
		return -1;
	kg_strlcpy(r.id, region_id, sizeof(r.id));
	r.description = "";
	r.extra = "{}";
	did(b, "created region", region_id);
	return svc_region_create(st, &r, err);
}

static int
ensure_endpoint(struct store *st, struct boot *b, const char *service_id,
    const char *interface, const char *url, struct kg_err *err)
{
	struct kg_endpoint	*eps = NULL, e;
	const char		*region_id = b->o->region_id;
	size_t			 n = 0, i;
	int			 found = 0;

	if (url == NULL || *url == '\0')
		return 0;
	if (region_id != NULL && *region_id == '\0')
		region_id = NULL;
	if (store_endpoint_list_by_service(st, service_id, &eps, &n, err) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (strcmp(eps[i].interface, interface) == 0 &&
		    strcmp(eps[i].region_id, region_id ? region_id : "") == 0)
			found = 1;
	kg_endpoint_list_free(eps, n);
	if (found)
		return 0;
	memset(&e, 0, sizeof(e));
	if (kg_id_new(e.id) == -1)
		return kg_errf(err, KG_EINTERNAL, "no randomness");
	kg_strlcpy(e.service_id, service_id, sizeof(e.service_id));
	kg_strlcpy(e.interface, interface, sizeof(e.interface));
	e.url = (char *)url;
	e.enabled = 1;
	e.extra = "{}";
	did(b, "created endpoint", interface);
	return svc_endpoint_create(st, &e, region_id ? SVC_REGION_ID :
	    SVC_REGION_KEEP, region_id, err);
}

static int
ensure_catalog(struct store *st, struct boot *b, struct kg_err *err)
{
	const struct bootstrap_opts	*o = b->o;
	struct kg_service		 s;
	char				 id[STORE_ID_SIZE];

	if (o->region_id != NULL && *o->region_id != '\0' &&
	    ensure_region(st, b, o->region_id, err) == -1)
		return -1;
	memset(&s, 0, sizeof(s));
	if (store_service_find_by_type_name(st, "identity", o->service_name, &s,
	    err) == 0) {
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
		did(b, "created service", o->service_name);
		if (svc_service_create(st, &s, err) == -1)
			return -1;
	} else
		return -1;
	if (ensure_endpoint(st, b, id, "admin", o->admin_url, err) == -1 ||
	    ensure_endpoint(st, b, id, "internal", o->internal_url, err) == -1 ||
	    ensure_endpoint(st, b, id, "public", o->public_url, err) == -1)
		return -1;
	return 0;
}

/* The whole bootstrap: one transaction (the svc_* calls join it). */
static int
bootstrap_body(struct store *st, void *cls, struct kg_err *err)
{
	struct boot	*b = cls;
	char		 project_id[STORE_ID_SIZE], user_id[STORE_ID_SIZE];
	char		 role_id[STORE_ID_SIZE];

	b->ndone = 0;
	if (ensure_domain(st, b, err) == -1 ||
	    ensure_project(st, b, project_id, err) == -1 ||
	    ensure_user(st, b, user_id, err) == -1 ||
	    ensure_roles(st, b, role_id, err) == -1 ||
	    ensure_grants(st, user_id, project_id, role_id, err) == -1 ||
	    ensure_catalog(st, b, err) == -1)
		return -1;
	return 0;
}

/*
 * The existing admin's password hash when o->password matches it (bcrypt,
 * before the transaction), else NULL.
 */
static char *
verified_hash(struct store *st, const struct bootstrap_opts *o)
{
	struct kg_user	 u;
	char		*h = NULL;

	memset(&u, 0, sizeof(u));
	if (store_user_get_by_name(st, STORE_DEFAULT_DOMAIN_ID, o->username, &u,
	    NULL) == -1)
		return NULL;
	if (u.password_hash != NULL && password_verify(o->password, u.password_hash))
		h = strdup(u.password_hash);
	kg_user_free(&u);
	return h;
}

int
bootstrap_run(struct store *st, const struct bootstrap_opts *o, struct kg_err *err)
{
	struct boot	 b;
	char		*hash;
	size_t		 i;
	int		 ret;

	memset(&b, 0, sizeof(b));
	b.o = o;
	if ((hash = password_hash(o->password, o->hash_rounds, err)) == NULL)
		return -1;
	b.hash = hash;
	b.verified = verified_hash(st, o);
	ret = svc_run(st, "bootstrap", bootstrap_body, &b, err);
	if (ret == 0)
		for (i = 0; i < b.ndone; i++) {
			log_info("bootstrap: %s", b.done[i]);
			/* Keystone's warning for a role made without the option. */
			if (strncmp(b.done[i], "created mutable role ", 21) == 0)
				log_warn("bootstrap: role %s was created as a mutable "
				    "role; it is recommended to make it immutable (the "
				    "\"immutable\" resource option), or to bootstrap "
				    "without --no-immutable-roles", b.done[i] + 21);
		}
	kg_wipe(hash, strlen(hash));
	free(hash);
	if (b.verified != NULL) {
		kg_wipe(b.verified, strlen(b.verified));
		free(b.verified);
	}
	return ret;
}
