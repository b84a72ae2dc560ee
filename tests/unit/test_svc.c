/*
 * test_svc.c - the service layer (svc/) on a real store (SQLite, or
 * PostgreSQL with KG_TEST_PG: tests/unit/tstore.h): svc_run's
 * transaction and retry contract, each row of the revocation table in
 * svc/svc.h, the rules checked inside the transactions, the foreign keys
 * of migration 0002, and that migration on a database holding orphans.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "store/revoke.h"
#include "store/scope.h"
#include "store/trust.h"
#include "svc/svc.h"
#include "tests/t.h"
#include "tests/unit/tstore.h"

/* A connection to conn (NULL: a new database), migrated. */
static struct store *
open_db(const char *conn)
{
	struct store	*st;
	struct kg_err	 err = { 0 };

	if (conn == NULL)
		st = tstore_open();
	else if ((st = store_open(conn, &err)) == NULL ||
	    store_migrate(st, NULL, NULL, &err) == -1) {
		fprintf(stderr, "cannot open store: %s\n", err.msg);
		st = NULL;
	}
	if (st == NULL)
		exit(1);
	return st;
}

static int
sql(struct store *st, const char *q)
{
	return tstore_sql(st, q);
}

/* Problems store_check finds (-1: it could not run). */
static int
problems(struct store *st)
{
	struct kg_err	err = { 0 };

	return store_check(st, NULL, NULL, &err);
}

/* ------------------------------------------------------------------------
 * Fixtures, made through svc itself.
 * --------------------------------------------------------------------- */

static int
domain(struct store *st, const char *id, int enabled)
{
	struct kg_domain	d;
	struct kg_err		err = { 0 };

	memset(&d, 0, sizeof(d));
	kg_strlcpy(d.id, id, sizeof(d.id));
	kg_strlcpy(d.name, id, sizeof(d.name));
	d.enabled = enabled;
	return svc_domain_create(st, &d, &err);
}

static int
project(struct store *st, const char *id, const char *domain_id,
    const char *parent_id, struct kg_err *err)
{
	struct kg_project	p;

	memset(&p, 0, sizeof(p));
	kg_strlcpy(p.id, id, sizeof(p.id));
	kg_strlcpy(p.name, id, sizeof(p.name));
	kg_strlcpy(p.domain_id, domain_id, sizeof(p.domain_id));
	if (parent_id != NULL)
		kg_strlcpy(p.parent_id, parent_id, sizeof(p.parent_id));
	p.enabled = 1;
	return svc_project_create(st, &p, err);
}

static int
user(struct store *st, const char *id, const char *domain_id,
    const char *default_project, struct kg_err *err)
{
	struct kg_user	u;

	memset(&u, 0, sizeof(u));
	kg_strlcpy(u.id, id, sizeof(u.id));
	kg_strlcpy(u.name, id, sizeof(u.name));
	kg_strlcpy(u.domain_id, domain_id, sizeof(u.domain_id));
	if (default_project != NULL)
		kg_strlcpy(u.default_project_id, default_project,
		    sizeof(u.default_project_id));
	u.enabled = 1;
	u.password_hash = "$2b$04$old";
	return svc_user_create(st, &u, err);
}

static int
group(struct store *st, const char *id, const char *domain_id)
{
	struct kg_group	g;
	struct kg_err	err = { 0 };

	memset(&g, 0, sizeof(g));
	kg_strlcpy(g.id, id, sizeof(g.id));
	kg_strlcpy(g.name, id, sizeof(g.name));
	kg_strlcpy(g.domain_id, domain_id, sizeof(g.domain_id));
	return svc_group_create(st, &g, &err);
}

static int
role(struct store *st, const char *id, const char *domain_id)
{
	struct kg_role	r;
	struct kg_err	err = { 0 };

	memset(&r, 0, sizeof(r));
	kg_strlcpy(r.id, id, sizeof(r.id));
	kg_strlcpy(r.name, id, sizeof(r.name));
	if (domain_id != NULL)
		kg_strlcpy(r.domain_id, domain_id, sizeof(r.domain_id));
	return svc_role_create(st, &r, &err);
}

static struct svc_grant
gr(int is_group, const char *actor, enum kg_scope_kind kind, const char *target,
    const char *role_id, int inherited)
{
	struct svc_grant	g;

	memset(&g, 0, sizeof(g));
	g.is_group = is_group;
	g.actor_id = actor;
	g.kind = kind;
	g.target_id = target;
	g.role_id = role_id;
	g.inherited = inherited;
	return g;
}

static int
grant(struct store *st, int is_group, const char *actor, enum kg_scope_kind kind,
    const char *target, const char *role_id, int inherited, struct kg_err *err)
{
	struct svc_grant	g = gr(is_group, actor, kind, target, role_id,
				    inherited);

	return svc_grant_create(st, &g, err);
}

static int
ungrant(struct store *st, int is_group, const char *actor,
    enum kg_scope_kind kind, const char *target, const char *role_id,
    int inherited)
{
	struct svc_grant	g = gr(is_group, actor, kind, target, role_id,
				    inherited);
	struct kg_err		err = { 0 };

	return svc_grant_delete(st, &g, &err);
}

/* ------------------------------------------------------------------------
 * Revocation events written since the last call, as "u=..,p=..;..".
 * --------------------------------------------------------------------- */

static size_t	events_seen;

static const char *
new_events(struct store *st)
{
	static char		 buf[4096];
	struct kg_revoke_event	*ev;
	struct kg_err		 err = { 0 };
	size_t			 n, i, len = 0;

	buf[0] = '\0';
	if (store_revoke_list(st, 0, &ev, &n, &err) == -1)
		return "ERR";
	for (i = events_seen; i < n && len < sizeof(buf) - 200; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
		    "%s%s%s%s%s%s%s%s%s%s%s%s%s", i > events_seen ? ";" : "",
		    ev[i].user_id[0] ? "u=" : "", ev[i].user_id,
		    ev[i].project_id[0] ? ",p=" : "", ev[i].project_id,
		    ev[i].domain_id[0] ? ",d=" : "", ev[i].domain_id,
		    ev[i].audit_id[0] ? "a=" : "", ev[i].audit_id,
		    ev[i].role_id[0] ? ",r=" : "", ev[i].role_id,
		    ev[i].app_cred_id[0] ? ",c=" : "", ev[i].app_cred_id);
	events_seen = n;
	free(ev);
	return buf;
}

static int
events_are(struct store *st, const char *want)
{
	const char	*got = new_events(st);

	if (strcmp(got, want) == 0)
		return 1;
	printf("# events: want \"%s\", got \"%s\"\n", want, got);
	return 0;
}

/* ------------------------------------------------------------------------
 * svc_run.
 * --------------------------------------------------------------------- */

struct attempts {
	int	runs;
	int	fail_first;		/* fail this many runs with fail_kind */
	enum kg_errkind fail_kind;
};

/* Creates domain "d-tx" and fails the first fail_first runs. */
static int
tx_body(struct store *st, void *cls, struct kg_err *err)
{
	struct attempts		*a = cls;
	struct kg_domain	 d;

	a->runs++;
	memset(&d, 0, sizeof(d));
	kg_strlcpy(d.id, "d-tx", sizeof(d.id));
	kg_strlcpy(d.name, "tx", sizeof(d.name));
	if (store_domain_create(st, &d, err) == -1)
		return -1;
	if (a->runs <= a->fail_first)
		return kg_errf(err, a->fail_kind, "injected");
	return 0;
}

static int
domain_exists(struct store *st, const char *id)
{
	struct kg_domain	d;

	memset(&d, 0, sizeof(d));
	if (store_domain_get(st, id, &d, NULL) == -1)
		return 0;
	kg_domain_free(&d);
	return 1;
}

/* A body inside svc_run that calls svc functions (bootstrap's way). */
static int
nested_body(struct store *st, void *cls, struct kg_err *err)
{
	(void)cls;
	if (domain(st, "d-nest", 1) == -1)
		return kg_errf(err, KG_EINTERNAL, "domain");
	/* Its domain does not exist: the whole transaction goes. */
	return user(st, "u-nest", "no-such-domain", NULL, err);
}

static void
test_run(void)
{
	struct store	*st, *other;
	struct attempts	 a;
	struct kg_err	 err = { 0 };
	char		 path[512];

	if (tstore_new_db(path, sizeof(path)) == -1)
		return;
	st = open_db(path);

	memset(&a, 0, sizeof(a));
	T("svc-1.1 a body that succeeds is committed once",
	    svc_run(st, "t", tx_body, &a, &err) == 0 && a.runs == 1 &&
	    domain_exists(st, "d-tx") && !store_in_transaction(st));
	sql(st, "DELETE FROM domain WHERE id = 'd-tx'");

	memset(&a, 0, sizeof(a));
	a.fail_first = 1;
	a.fail_kind = KG_ENOTFOUND;
	T("svc-1.2 other errors: one run, rolled back, error kept",
	    svc_run(st, "t", tx_body, &a, &err) == -1 && a.runs == 1 &&
	    err.kind == KG_ENOTFOUND && strcmp(err.msg, "injected") == 0 &&
	    !domain_exists(st, "d-tx") && !store_in_transaction(st));

	/* The domain insert would conflict if an attempt were not rolled back. */
	memset(&a, 0, sizeof(a));
	a.fail_first = 2;
	a.fail_kind = KG_ERETRY;
	T("svc-1.3 KG_ERETRY: rolled back and run again until it commits",
	    svc_run(st, "t", tx_body, &a, &err) == 0 && a.runs == 3 &&
	    domain_exists(st, "d-tx"));
	sql(st, "DELETE FROM domain WHERE id = 'd-tx'");

	memset(&a, 0, sizeof(a));
	a.fail_first = 1000;
	a.fail_kind = KG_ERETRY;
	T("svc-1.4 still KG_ERETRY after SVC_MAX_ATTEMPTS runs: 503",
	    svc_run(st, "t", tx_body, &a, &err) == -1 &&
	    a.runs == SVC_MAX_ATTEMPTS && err.kind == KG_EUNAVAIL &&
	    !domain_exists(st, "d-tx"));

	/* A real lock held by another connection. */
	other = open_db(path);
	T("svc-1.5 another connection holds the write lock",
	    store_begin(other, &err) == 0 &&
	    sql(other, "INSERT INTO domain (id, name) VALUES ('d-o', 'o')") == 0);
	store_set_busy_timeout(st, 1);
	T("svc-1.6 the store reports a lock wait (SQLite busy, PostgreSQL lock timeout) as KG_ERETRY",
	    store_begin(st, &err) == -1 && err.kind == KG_ERETRY);
	memset(&a, 0, sizeof(a));
	T("svc-1.7 svc_run retries a busy database, then answers KG_EUNAVAIL",
	    svc_run(st, "t", tx_body, &a, &err) == -1 && a.runs == 0 &&
	    err.kind == KG_EUNAVAIL);
	T("svc-1.8 the holder is undisturbed and commits",
	    store_commit(other, &err) == 0 && domain_exists(st, "d-o"));
	memset(&a, 0, sizeof(a));
	T("svc-1.9 once released, the change goes through",
	    svc_run(st, "t", tx_body, &a, &err) == 0 && a.runs == 1);
	store_set_busy_timeout(st, 5000);
	store_close(other);

	T("svc-1.10 svc_run inside a transaction joins it: one failure undoes all",
	    svc_run(st, "nested", nested_body, NULL, &err) == -1 &&
	    err.kind == KG_ENOTFOUND && !domain_exists(st, "d-nest") &&
	    !store_in_transaction(st));
	T("svc-1.11 ... but never a read transaction (its writes would be lost)",
	    store_read_begin(st, &err) == 1 &&
	    store_in_transaction(st) == STORE_TX_READ &&
	    svc_run(st, "t", tx_body, &a, &err) == -1 &&
	    err.kind == KG_EINTERNAL);
	store_read_end(st, 1);
	store_close(st);
}

/* ------------------------------------------------------------------------
 * The revocation table, row by row.
 * --------------------------------------------------------------------- */

static int
rename_user(void *obj, void *cls, struct kg_err *err)
{
	kg_strlcpy(((struct kg_user *)obj)->name, cls,
	    sizeof(((struct kg_user *)obj)->name));
	return 0;
}

static int
set_user_enabled(void *obj, void *cls, struct kg_err *err)
{
	((struct kg_user *)obj)->enabled = *(int *)cls;
	return 0;
}

static int
set_project_enabled(void *obj, void *cls, struct kg_err *err)
{
	((struct kg_project *)obj)->enabled = *(int *)cls;
	return 0;
}

static int
set_domain_enabled(void *obj, void *cls, struct kg_err *err)
{
	((struct kg_domain *)obj)->enabled = *(int *)cls;
	return 0;
}

static int
refuse(void *obj, void *cls, struct kg_err *err)
{
	((struct kg_user *)obj)->enabled = 0;	/* then change its mind */
	return kg_errf(err, KG_EBADREQ, "refused");
}

static void
test_revocations(void)
{
	struct store		*st = open_db(NULL);
	struct kg_err		 err = { 0 };
	struct svc_user_change	 c;
	struct svc_edit		 e;
	struct kg_user		 u;
	int			 off = 0, on = 1;

	events_seen = 0;
	T("svc-2.0 fixtures",
	    domain(st, "default", 1) == 0 && domain(st, "d2", 1) == 0 &&
	    project(st, "p1", "default", NULL, &err) == 0 &&
	    project(st, "p2", "default", "p1", &err) == 0 &&
	    user(st, "u1", "default", NULL, &err) == 0 &&
	    user(st, "u2", "default", NULL, &err) == 0 &&
	    user(st, "u3", "d2", NULL, &err) == 0 &&
	    group(st, "g1", "default") == 0 && group(st, "g2", "d2") == 0 &&
	    svc_group_add_user(st, "g1", "u1", &err) == 0 &&
	    svc_group_add_user(st, "g1", "u2", &err) == 0 &&
	    svc_group_add_user(st, "g2", "u3", &err) == 0 &&
	    role(st, "reader", NULL) == 0 && role(st, "member", NULL) == 0 &&
	    role(st, "admin", NULL) == 0 && role(st, "drole", "d2") == 0 &&
	    svc_implied_create(st, "member", "reader", &err) == 0 &&
	    svc_implied_create(st, "admin", "member", &err) == 0 &&
	    svc_implied_create(st, "drole", "reader", &err) == 0);
	T("svc-2.1 creations, grants and memberships added revoke nothing",
	    grant(st, 0, "u1", KG_SCOPE_PROJECT, "p1", "member", 0, &err) == 0 &&
	    grant(st, 1, "g1", KG_SCOPE_DOMAIN, "default", "reader", 0, &err) == 0 &&
	    grant(st, 0, "u2", KG_SCOPE_PROJECT, "p1", "admin", 1, &err) == 0 &&
	    grant(st, 0, "u3", KG_SCOPE_SYSTEM, NULL, "reader", 0, &err) == 0 &&
	    events_are(st, ""));

	T("svc-2.2 token revoked: its audit id",
	    svc_token_revoke(st, "AUDIT1", &err) == 0 &&
	    events_are(st, "a=AUDIT1"));

	memset(&c, 0, sizeof(c));
	c.edit.fn = rename_user;
	c.edit.cls = "renamed";
	memset(&u, 0, sizeof(u));
	T("svc-2.3 a rename revokes nothing",
	    svc_user_update(st, "u1", &c, &u, &err) == 0 &&
	    strcmp(u.name, "renamed") == 0 && events_are(st, ""));
	kg_user_free(&u);
	memset(&c, 0, sizeof(c));
	c.set_password = 1;
	c.password_hash = "$2b$04$new";
	T("svc-2.4 password set: user", svc_user_update(st, "u1", &c, NULL,
	    &err) == 0 && events_are(st, "u=u1"));
	c.password_hash = NULL;
	T("svc-2.5 password cleared: user", svc_user_update(st, "u1", &c, NULL,
	    &err) == 0 && events_are(st, "u=u1"));
	memset(&c, 0, sizeof(c));
	c.edit.fn = set_user_enabled;
	c.edit.cls = &off;
	T("svc-2.6 user disabled: user", svc_user_update(st, "u2", &c, NULL,
	    &err) == 0 && events_are(st, "u=u2"));
	c.edit.cls = &on;
	T("svc-2.7 user enabled: nothing", svc_user_update(st, "u2", &c, NULL,
	    &err) == 0 && events_are(st, ""));
	c.edit.fn = refuse;
	T("svc-2.8 an edit that refuses changes nothing",
	    svc_user_update(st, "u2", &c, &u, &err) == -1 &&
	    err.kind == KG_EBADREQ && events_are(st, "") &&
	    store_user_get(st, "u2", &u, &err) == 0 && u.enabled == 1);
	kg_user_free(&u);

	T("svc-2.9 self-service change with the verified hash: user",
	    svc_user_change_password(st, "u3", "$2b$04$old", "$2b$04$x",
	    &err) == 0 && events_are(st, "u=u3"));
	T("svc-2.10 ... against a hash changed meanwhile: 401, nothing",
	    svc_user_change_password(st, "u3", "$2b$04$old", "$2b$04$y",
	    &err) == -1 && err.kind == KG_EUNAUTH && events_are(st, "") &&
	    store_user_get(st, "u3", &u, &err) == 0 &&
	    strcmp(u.password_hash, "$2b$04$x") == 0);
	kg_user_free(&u);

	T("svc-2.11 user removed from a group: user",
	    svc_group_remove_user(st, "g2", "u3", &err) == 0 &&
	    events_are(st, "u=u3"));
	T("svc-2.12 group without grants deleted: nothing",
	    svc_group_delete(st, "g2", &err) == 0 && events_are(st, ""));

	T("svc-2.13 direct project grant removed: user + project",
	    ungrant(st, 0, "u1", KG_SCOPE_PROJECT, "p1", "member", 0) == 0 &&
	    events_are(st, "u=u1,p=p1"));
	T("svc-2.14 group domain grant removed: each member + domain",
	    ungrant(st, 1, "g1", KG_SCOPE_DOMAIN, "default", "reader", 0) == 0 &&
	    events_are(st, "u=u1,d=default;u=u2,d=default"));
	T("svc-2.15 inherited grant removed: user-wide",
	    ungrant(st, 0, "u2", KG_SCOPE_PROJECT, "p1", "admin", 1) == 0 &&
	    events_are(st, "u=u2"));
	T("svc-2.16 system grant removed: user-wide",
	    ungrant(st, 0, "u3", KG_SCOPE_SYSTEM, NULL, "reader", 0) == 0 &&
	    events_are(st, "u=u3"));
	T("svc-2.17 a grant that does not exist: 404, nothing",
	    ungrant(st, 0, "u3", KG_SCOPE_SYSTEM, NULL, "reader", 0) == -1 &&
	    events_are(st, ""));

	/* Holders: u1 directly, u2 through g1, both granted a role implying
	 * member; reader's holders include holders of member and admin. */
	T("svc-2.18 more grants",
	    grant(st, 0, "u1", KG_SCOPE_PROJECT, "p1", "admin", 0, &err) == 0 &&
	    grant(st, 1, "g1", KG_SCOPE_PROJECT, "p2", "member", 0, &err) == 0 &&
	    events_are(st, ""));
	T("svc-2.19 rule admin -> member removed: holders of admin",
	    svc_implied_delete(st, "admin", "member", &err) == 0 &&
	    events_are(st, "u=u1"));
	T("svc-2.20 role deleted: every holder, direct or through a group",
	    svc_role_delete(st, "member", &err) == 0 &&
	    events_are(st, "u=u1;u=u2"));
	T("svc-2.21 group holding grants deleted: each member",
	    grant(st, 1, "g1", KG_SCOPE_SYSTEM, NULL, "reader", 0, &err) == 0 &&
	    svc_group_delete(st, "g1", &err) == 0 &&
	    events_are(st, "u=u1;u=u2"));

	e.fn = set_project_enabled;
	e.cls = &off;
	T("svc-2.22 project disabled: project (a leaf first)",
	    svc_project_update(st, "p2", &e, 0, NULL, &err) == 0 &&
	    events_are(st, ",p=p2"));
	T("svc-2.23 project deleted: project",
	    svc_project_delete(st, "p2", &err) == 0 && events_are(st, ",p=p2"));

	/* d2 owns u3, a domain role granted to u1 on a project of default,
	 * and a group holding grants with a member from default. */
	T("svc-2.24 domain fixtures",
	    group(st, "g3", "d2") == 0 &&
	    svc_group_add_user(st, "g3", "u2", &err) == 0 &&
	    grant(st, 1, "g3", KG_SCOPE_PROJECT, "p1", "reader", 0, &err) == 0 &&
	    project(st, "q1", "d2", NULL, &err) == 0 &&
	    grant(st, 0, "u1", KG_SCOPE_PROJECT, "q1", "drole", 0, &err) == 0 &&
	    events_are(st, ""));
	e.fn = set_domain_enabled;
	T("svc-2.25 domain disabled: domain",
	    svc_domain_update(st, "d2", &e, NULL, &err) == 0 &&
	    events_are(st, ",d=d2"));
	T("svc-2.26 domain deleted: its group's members, its role's holders, domain",
	    svc_domain_delete(st, "d2", &err) == 0 &&
	    events_are(st, "u=u2;u=u1;,d=d2"));
	T("svc-2.27 nothing left pointing at it", problems(st) == 0 &&
	    store_user_get(st, "u3", &u, NULL) == -1);
	store_close(st);
}

/* ------------------------------------------------------------------------
 * Rules checked inside the transactions; integrity.
 * --------------------------------------------------------------------- */

static void
test_rules(void)
{
	struct store		*st = open_db(NULL);
	struct kg_err		 err = { 0 };
	struct kg_assignment	*v;
	struct kg_assign_filter	 f;
	struct kg_user		 u;
	char			 tag[16];
	size_t			 n, i;
	int			 ok;

	T("svc-3.0 fixtures",
	    domain(st, "default", 1) == 0 && domain(st, "d2", 1) == 0 &&
	    project(st, "p1", "default", NULL, &err) == 0 &&
	    user(st, "u1", "default", "p1", &err) == 0 &&
	    role(st, "r", NULL) == 0 && role(st, "dr", "d2") == 0);

	T("svc-3.1 grant: missing role, user, group, project, domain -> 404",
	    grant(st, 0, "u1", KG_SCOPE_PROJECT, "p1", "nope", 0, &err) == -1 &&
	    err.kind == KG_ENOTFOUND &&
	    strcmp(err.msg, "Could not find role: nope.") == 0 &&
	    grant(st, 0, "nope", KG_SCOPE_PROJECT, "p1", "r", 0, &err) == -1 &&
	    strcmp(err.msg, "Could not find user: nope.") == 0 &&
	    grant(st, 1, "nope", KG_SCOPE_PROJECT, "p1", "r", 0, &err) == -1 &&
	    strcmp(err.msg, "Could not find group: nope.") == 0 &&
	    grant(st, 0, "u1", KG_SCOPE_PROJECT, "nope", "r", 0, &err) == -1 &&
	    strcmp(err.msg, "Could not find project: nope.") == 0 &&
	    grant(st, 0, "u1", KG_SCOPE_DOMAIN, "nope", "r", 0, &err) == -1 &&
	    err.kind == KG_ENOTFOUND &&
	    strcmp(err.msg, "Could not find domain: nope.") == 0);
	T("svc-3.2 domain-specific role: 400 on the system, 403 elsewhere",
	    grant(st, 0, "u1", KG_SCOPE_SYSTEM, NULL, "dr", 0, &err) == -1 &&
	    err.kind == KG_EBADREQ &&
	    grant(st, 0, "u1", KG_SCOPE_PROJECT, "p1", "dr", 0, &err) == -1 &&
	    err.kind == KG_EFORBID);
	T("svc-3.3 grants, and granting twice is not an error",
	    grant(st, 0, "u1", KG_SCOPE_PROJECT, "p1", "r", 0, &err) == 0 &&
	    grant(st, 0, "u1", KG_SCOPE_PROJECT, "p1", "r", 0, &err) == 0 &&
	    grant(st, 0, "u1", KG_SCOPE_DOMAIN, "default", "r", 1, &err) == 0);

	T("svc-3.4 project under a missing parent: 400",
	    project(st, "c", "default", "nope", &err) == -1 &&
	    err.kind == KG_EBADREQ);
	T("svc-3.5 project under a parent of another domain: 400",
	    project(st, "c", "d2", "p1", &err) == -1 && err.kind == KG_EBADREQ);
	T("svc-3.6 project in a missing domain: 400",
	    project(st, "c", "nope", NULL, &err) == -1 && err.kind == KG_EBADREQ);
	ok = project(st, "l2", "default", "p1", &err) == 0 &&
	    project(st, "l3", "default", "l2", &err) == 0 &&
	    project(st, "l4", "default", "l3", &err) == 0 &&
	    project(st, "l5", "default", "l4", &err) == 0;
	T("svc-3.7 five levels, not six (403)", ok &&
	    project(st, "l6", "default", "l5", &err) == -1 &&
	    err.kind == KG_EFORBID);
	T("svc-3.8 a project with children is not deleted (403)",
	    svc_project_delete(st, "l4", &err) == -1 && err.kind == KG_EFORBID);
	T("svc-3.9 a parent equal to the domain: a top-level project",
	    project(st, "top", "default", "default", &err) == 0);

	for (ok = 1, i = 0; ok && i < SVC_MAX_TAGS; i++) {
		snprintf(tag, sizeof(tag), "t%zu", i);
		ok = svc_project_tag_add(st, "top", tag, &err) == 0;
	}
	T("svc-3.10 tags up to the limit, then 400 (an existing one is fine)",
	    ok && svc_project_tag_add(st, "top", "t0", &err) == 0 &&
	    svc_project_tag_add(st, "top", "one-more", &err) == -1 &&
	    err.kind == KG_EBADREQ);
	T("svc-3.11 delete a tag; a missing one is 404",
	    svc_project_tag_delete(st, "top", "t0", &err) == 0 &&
	    svc_project_tag_delete(st, "top", "t0", &err) == -1 &&
	    err.kind == KG_ENOTFOUND);

	T("svc-3.12 membership of a missing user or group: 404",
	    svc_group_add_user(st, "nope", "u1", &err) == -1 &&
	    err.kind == KG_ENOTFOUND &&
	    group(st, "g", "default") == 0 &&
	    svc_group_add_user(st, "g", "nope", &err) == -1 &&
	    err.kind == KG_ENOTFOUND);

	T("svc-3.13 deleting the project clears it as default project, and its "
	    "grants go", svc_project_delete(st, "p1", &err) == -1 &&
	    svc_project_delete(st, "l5", &err) == 0 &&
	    svc_project_delete(st, "l4", &err) == 0 &&
	    svc_project_delete(st, "l3", &err) == 0 &&
	    svc_project_delete(st, "l2", &err) == 0 &&
	    svc_project_delete(st, "p1", &err) == 0 &&
	    store_user_get(st, "u1", &u, &err) == 0 &&
	    u.default_project_id[0] == '\0');
	kg_user_free(&u);
	memset(&f, 0, sizeof(f));
	f.inherited = -1;
	T("svc-3.14 the user's domain grant remains",
	    store_assignment_list(st, &f, &v, &n, &err) == 0 && n == 1 &&
	    v[0].kind == KG_SCOPE_DOMAIN);
	free(v);
	v = NULL;	/* a failed step below leaves it unset */
	T("svc-3.15 deleting the user deletes its grants and memberships",
	    svc_group_add_user(st, "g", "u1", &err) == 0 &&
	    svc_user_delete(st, "u1", &err) == 0 &&
	    store_assignment_list(st, &f, &v, &n, &err) == 0 && n == 0 &&
	    problems(st) == 0);
	free(v);
	v = NULL;	/* a failed step below leaves it unset */
	T("svc-3.16 an enabled domain is not deleted (403)",
	    svc_domain_delete(st, "d2", &err) == -1 && err.kind == KG_EFORBID);
	T("svc-3.17 a domain-specific role needs its domain (404)",
	    role(st, "orphan", "nope") == -1);
	store_close(st);
}

/* ------------------------------------------------------------------------
 * Migration 0002 on a version-1 database that holds orphans.
 * --------------------------------------------------------------------- */

static void
test_migration(void)
{
	struct store		*st;
	struct kg_err		 err = { 0 };
	struct kg_assign_filter	 f;
	struct kg_assignment	*v = NULL;
	struct kg_role		*roles = NULL;
	struct kg_implied_role	*iv = NULL;
	size_t			 n = 0, nroles = 0, ni = 0;
	int64_t			 g0;
	int			 from, to;

	if ((st = tstore_open_at(0)) == NULL)
		return;
	T("svc-4.1 a version-1 database", store_migrate_to(st, 1, &from, &to,
	    &err) == 0 && from == 0 && to == 1);
	T("svc-4.2 with orphans the old schema let in", sql(st,
	    "INSERT INTO domain (id, name) VALUES ('default', 'Default');"
	    "INSERT INTO project (id, name, domain_id) VALUES ('p1', 'p1', 'default');"
	    "INSERT INTO \"user\" (id, name, domain_id, created_at) VALUES"
	    " ('u1', 'u1', 'default', 0);"
	    "INSERT INTO grp (id, name, domain_id) VALUES ('g1', 'g1', 'default');"
	    "INSERT INTO role (id, name, domain_id) VALUES ('r1', 'r1', ''),"
	    " ('rd', 'rd', 'gone-domain');"
	    "INSERT INTO implied_role VALUES ('r1', 'rd');"
	    "INSERT INTO assignment VALUES"
	    " ('UserProject', 'u1', 'p1', 'r1', 0),"
	    " ('UserSystem', 'u1', 'system', 'r1', 0),"
	    " ('GroupProject', 'g1', 'p1', 'r1', 1),"
	    " ('UserProject', 'ghost', 'p1', 'r1', 0),"
	    " ('GroupDomain', 'g1', 'gone-domain', 'r1', 0),"
	    " ('UserProject', 'u1', 'p1', 'rd', 0);") == 0);
	T("svc-4.3 migrates to the latest version", store_migrate(st, &from, &to,
	    &err) == 0 && from == 1 && to == store_schema_latest());
	memset(&f, 0, sizeof(f));
	f.inherited = -1;
	T("svc-4.4 the grants kept are the valid ones, read back as before",
	    store_assignment_list(st, &f, &v, &n, &err) == 0 && n == 3 &&
	    store_grant_check(st, 0, "u1", KG_SCOPE_PROJECT, "p1", "r1", 0,
	    &err) == 0 &&
	    store_grant_check(st, 0, "u1", KG_SCOPE_SYSTEM, NULL, "r1", 0,
	    &err) == 0 &&
	    store_grant_check(st, 1, "g1", KG_SCOPE_PROJECT, "p1", "r1", 1,
	    &err) == 0);
	free(v);
	v = NULL;	/* a failed step below leaves it unset */
	T("svc-4.5 the orphan domain role and its rule are gone; r1 is global",
	    store_role_list(st, NULL, NULL, NULL, NULL, &roles, &nroles, &err) == 0 &&
	    nroles == 1 && strcmp(roles[0].id, "r1") == 0 &&
	    roles[0].domain_id[0] == '\0' &&
	    store_implied_list(st, NULL, &iv, &ni, &err) == 0 && ni == 0);
	kg_role_list_free(roles, nroles);
	free(iv);
	T("svc-4.6 no problem left", problems(st) == 0);
	g0 = store_generation(st);
	T("svc-4.7 generation triggers: a grant bumps it",
	    store_grant(st, 0, "u1", KG_SCOPE_DOMAIN, "default", "r1", 0,
	    &err) == 0 && store_generation(st) > g0);
	g0 = store_generation(st);
	T("svc-4.8 ... and so does the cascade of a user delete",
	    store_user_delete(st, "u1", &err) == 0 && store_generation(st) > g0 &&
	    store_assignment_list(st, &f, &v, &n, &err) == 0 && n == 1);
	free(v);
	v = NULL;	/* a failed step below leaves it unset */
	T("svc-4.9 the database refuses an orphan grant",
	    sql(st, "INSERT INTO assignment (user_id, project_id, role_id)"
	    " VALUES ('ghost', 'p1', 'r1')") == -1 &&
	    sql(st, "INSERT INTO assignment (user_id, group_id, role_id)"
	    " VALUES (NULL, NULL, 'r1')") == -1);
	store_close(st);
}

/* ------------------------------------------------------------------------
 * The admin APIs (issue 11): all-or-nothing batches, the enforcement
 * models, what deletes take along, and that none of it revokes.
 * --------------------------------------------------------------------- */

static int
svc_fixture(struct store *st, const char *id)
{
	struct kg_service	s;
	struct kg_err		err = { 0 };

	memset(&s, 0, sizeof(s));
	kg_strlcpy(s.id, id, sizeof(s.id));
	kg_strlcpy(s.type, id, sizeof(s.type));
	s.enabled = 1;
	return svc_service_create(st, &s, &err);
}

static int
rlimit(struct store *st, const char *id, const char *svc, const char *res,
    int64_t dflt, struct kg_err *err)
{
	struct kg_registered_limit	r;

	memset(&r, 0, sizeof(r));
	kg_strlcpy(r.id, id, sizeof(r.id));
	kg_strlcpy(r.service_id, svc, sizeof(r.service_id));
	kg_strlcpy(r.resource_name, res, sizeof(r.resource_name));
	r.default_limit = dflt;
	return svc_registered_limits_create(st, &r, 1, err);
}

static void
limit_of(struct kg_limit *l, const char *id, const char *project,
    const char *domain_id, const char *res, int64_t value)
{
	memset(l, 0, sizeof(*l));
	kg_strlcpy(l->id, id, sizeof(l->id));
	if (project != NULL)
		kg_strlcpy(l->project_id, project, sizeof(l->project_id));
	if (domain_id != NULL)
		kg_strlcpy(l->domain_id, domain_id, sizeof(l->domain_id));
	kg_strlcpy(l->service_id, "s1", sizeof(l->service_id));
	kg_strlcpy(l->resource_name, res, sizeof(l->resource_name));
	l->resource_limit = value;
}

static size_t
count_rows(struct store *st, const char *table)
{
	struct kg_err	 err = { 0 };
	struct db_stmt	*s;
	const char	*q;
	size_t		 n = (size_t)-1;

	/* store_prepare caches by address: one literal per table */
	if (strcmp(table, "registered_limit") == 0)
		q = "SELECT count(*) FROM registered_limit";
	else if (strcmp(table, "unified_limit") == 0)
		q = "SELECT count(*) FROM unified_limit";
	else if (strcmp(table, "policy_association") == 0)
		q = "SELECT count(*) FROM policy_association";
	else if (strcmp(table, "project_endpoint") == 0)
		q = "SELECT count(*) FROM project_endpoint";
	else if (strcmp(table, "domain_config") == 0)
		q = "SELECT count(*) FROM domain_config";
	else
		return n;
	if ((s = store_prepare(st, q, &err)) == NULL)
		return n;
	if (db_step(s) == DB_ROW)
		n = (size_t)db_col_int64(s, 0);
	db_reset(s);
	return n;
}

static void
test_admin(void)
{
	struct store			*st = open_db(NULL);
	struct kg_err			 err = { 0 };
	struct kg_registered_limit	 two[2];
	struct kg_limit			 l[2];
	struct kg_policy		 pol;
	struct kg_policy_target		 t;
	struct kg_endpoint		 ep;
	struct kg_endpoint_group	 g;
	json_t				*conf, *out = NULL;
	int				 created = 0;

	events_seen = 0;
	T("svc-7.0 fixtures", domain(st, "default", 1) == 0 &&
	    domain(st, "d2", 1) == 0 &&
	    project(st, "p1", "default", NULL, &err) == 0 &&
	    project(st, "p2", "default", "p1", &err) == 0 &&
	    svc_fixture(st, "s1") == 0 &&
	    rlimit(st, "rl1", "s1", "cores", 10, &err) == 0);
	(void)new_events(st);

	memset(two, 0, sizeof(two));
	kg_strlcpy(two[0].id, "rl2", sizeof(two[0].id));
	kg_strlcpy(two[1].id, "rl3", sizeof(two[1].id));
	kg_strlcpy(two[0].service_id, "s1", sizeof(two[0].service_id));
	kg_strlcpy(two[1].service_id, "s1", sizeof(two[1].service_id));
	kg_strlcpy(two[0].resource_name, "ram", sizeof(two[0].resource_name));
	kg_strlcpy(two[1].resource_name, "ram", sizeof(two[1].resource_name));
	T("svc-7.1 a batch with a duplicate stores none of it (409)",
	    svc_registered_limits_create(st, two, 2, &err) == -1 &&
	    err.kind == KG_ECONFLICT && count_rows(st, "registered_limit") == 1);

	limit_of(&l[0], "l1", "p1", NULL, "cores", 5);
	limit_of(&l[1], "l2", "nope", NULL, "cores", 5);
	T("svc-7.2 a limit batch with an unknown project stores none (400)",
	    svc_limits_create(st, l, 2, &err) == -1 && err.kind == KG_EBADREQ &&
	    count_rows(st, "unified_limit") == 0);
	limit_of(&l[1], "l2", "d2", NULL, "cores", 7);
	T("svc-7.3 a project id naming a domain makes a domain limit",
	    svc_limits_create(st, l, 2, &err) == 0 && l[1].project_id[0] == '\0' &&
	    strcmp(l[1].domain_id, "d2") == 0 &&
	    strcmp(l[1].registered_limit_id, "rl1") == 0);
	T("svc-7.4 a registered limit in use can neither change nor go (403)",
	    svc_registered_limit_delete(st, "rl1", &err) == -1 &&
	    err.kind == KG_EFORBID && svc_service_delete(st, "s1", &err) == -1 &&
	    err.kind == KG_EFORBID);
	T("svc-7.5 deleting a project deletes its limits", svc_project_delete(st,
	    "p2", &err) == 0 && svc_project_delete(st, "p1", &err) == 0 &&
	    count_rows(st, "unified_limit") == 1);
	T("svc-7.6 deleting a domain deletes its limits (Keystone keeps them)",
	    sql(st, "UPDATE domain SET enabled = 0 WHERE id = 'd2'") == 0 &&
	    svc_domain_delete(st, "d2", &err) == 0 &&
	    count_rows(st, "unified_limit") == 0 && problems(st) == 0);
	(void)new_events(st);	/* the deletions' own revocations */

	/* strict_two_level */
	svc_set_limit_model(SVC_LIMIT_STRICT_TWO_LEVEL);
	T("svc-7.7 strict: two project levels, not three (403)",
	    project(st, "a", "default", NULL, &err) == 0 &&
	    project(st, "b", "default", "a", &err) == 0 &&
	    project(st, "c", "default", "b", &err) == -1 &&
	    err.kind == KG_EFORBID && svc_limit_check_depth(st, &err) == 0);
	limit_of(&l[0], "l3", "a", NULL, "cores", 11);
	T("svc-7.8 strict: above the registered default without a domain limit"
	    " (403)", svc_limits_create(st, l, 1, &err) == -1 &&
	    err.kind == KG_EFORBID && strstr(err.msg, "Invalid resource limit")
	    != NULL);
	limit_of(&l[0], "l3", NULL, "default", "cores", 20);
	limit_of(&l[1], "l4", "a", NULL, "cores", 15);
	T("svc-7.9 strict: with its domain's limit in the same batch -> stored",
	    svc_limits_create(st, l, 2, &err) == 0);
	T("svc-7.10 strict: the domain's limit below its project's (403)",
	    svc_limit_update(st, "l3", &(struct svc_limit_change){ 1, 14, 0, NULL },
	    NULL, &err) == -1 && err.kind == KG_EFORBID &&
	    svc_limit_update(st, "l3", &(struct svc_limit_change){ 1, 15, 0, NULL },
	    NULL, &err) == 0);
	svc_set_limit_model(SVC_LIMIT_FLAT);
	T("svc-7.11 flat again: any depth up to five, any value",
	    project(st, "c", "default", "b", &err) == 0 &&
	    svc_limit_update(st, "l3", &(struct svc_limit_change){ 1, 1, 0, NULL },
	    NULL, &err) == 0);
	svc_set_limit_model(SVC_LIMIT_STRICT_TWO_LEVEL);
	T("svc-7.12 strict refuses a deeper existing tree", svc_limit_check_depth(st,
	    &err) == -1 && strstr(err.msg, "'c'") != NULL);
	svc_set_limit_model(SVC_LIMIT_FLAT);

	/* policies, endpoint filtering, domain config */
	memset(&pol, 0, sizeof(pol));
	kg_strlcpy(pol.id, "pol1", sizeof(pol.id));
	kg_strlcpy(pol.type, "t", sizeof(pol.type));
	pol.blob = "b";
	memset(&ep, 0, sizeof(ep));
	kg_strlcpy(ep.id, "e1", sizeof(ep.id));
	kg_strlcpy(ep.service_id, "s1", sizeof(ep.service_id));
	kg_strlcpy(ep.interface, "public", sizeof(ep.interface));
	ep.url = "http://x";
	ep.enabled = 1;
	memset(&t, 0, sizeof(t));
	t.endpoint_id = "e1";
	memset(&g, 0, sizeof(g));
	kg_strlcpy(g.id, "g1", sizeof(g.id));
	kg_strlcpy(g.name, "g1", sizeof(g.name));
	g.filters = strdup("{\"interface\": \"public\"}");
	T("svc-7.13 policies, associations, endpoint groups",
	    svc_policy_create(st, &pol, &err) == 0 &&
	    svc_endpoint_create(st, &ep, SVC_REGION_KEEP, NULL, &err) == 0 &&
	    svc_policy_associate(st, "pol1", &t, &err) == 0 &&
	    svc_endpoint_group_create(st, &g, &err) == 0 &&
	    svc_project_endpoint_group_add(st, "g1", "a", &err) == 0 &&
	    svc_project_endpoint_add(st, "a", "e1", &err) == 0);
	T("svc-7.13b the group's filters derived for SQL", g.filter_interface !=
	    NULL && strcmp(g.filter_interface, "public") == 0 &&
	    g.filter_service_id == NULL && !g.filter_region_set &&
	    !g.filter_never);
	kg_endpoint_group_free(&g);
	T("svc-7.14 associating twice: 409", svc_project_endpoint_add(st, "a",
	    "e1", &err) == -1 && err.kind == KG_ECONFLICT);
	T("svc-7.15 deleting the endpoint drops its associations",
	    svc_endpoint_delete(st, "e1", &err) == 0 &&
	    count_rows(st, "policy_association") == 0 &&
	    count_rows(st, "project_endpoint") == 0 && problems(st) == 0);
	conf = json_pack("{s:{s:s}, s:{s:s, s:s}}", "identity", "driver", "ldap",
	    "ldap", "url", "ldap://x", "password", "secret");
	T("svc-7.16 domain config: created, the password stored, not shown",
	    svc_domain_config_create(st, "default", conf, &created, &out, &err) ==
	    0 && created && json_object_get(json_object_get(out, "ldap"),
	    "password") == NULL && count_rows(st, "domain_config") == 3);
	json_decref(out);
	out = NULL;
	T("svc-7.17 domain config: a group update naming other groups (403)",
	    svc_domain_config_update(st, "default", "identity", NULL, conf, &out,
	    &err) == -1 && err.kind == KG_EFORBID);
	json_decref(conf);
	T("svc-7.18 none of the admin APIs revoked anything", events_are(st, ""));
	store_close(st);
}

/* ------------------------------------------------------------------------
 * Cascade delete, immutable options, a domain's tags as a project's.
 * --------------------------------------------------------------------- */

#define IMMUTABLE	"{\"options\":{\"immutable\":true}}"

/* A project made immutable through svc (its extra set as the API does). */
static int
set_extra(void *obj, void *cls, struct kg_err *err)
{
	struct kg_project	*p = obj;

	free(p->extra);
	p->extra = strdup(cls);
	return p->extra != NULL ? 0 : -1;
}

static int
project_extra(struct store *st, const char *id, const char *extra)
{
	struct svc_edit	e = { set_extra, (void *)extra };
	struct kg_err	err = { 0 };

	return svc_project_update(st, id, &e, 0, NULL, &err);
}

static int
project_enabled(struct store *st, const char *id, int on)
{
	struct svc_edit	e = { set_project_enabled, &on };
	struct kg_err	err = { 0 };

	return svc_project_update(st, id, &e, 0, NULL, &err);
}

/* Nonzero when project id exists. */
static int
has_project(struct store *st, const char *id)
{
	struct kg_project	p;
	int			yes;

	memset(&p, 0, sizeof(p));
	yes = store_project_get(st, id, &p, NULL) == 0;
	kg_project_free(&p);
	return yes;
}

static void
test_hierarchy(void)
{
	struct store		*st = open_db(NULL);
	struct kg_err		 err = { 0 };
	struct kg_user		 u;
	struct kg_domain	 d;
	struct kg_role		 r;
	char			*t2[] = { "x", "y" };

	events_seen = 0;
	/* a (b (c), e); u1's default project is c. */
	T("svc-8.0 fixtures", domain(st, "default", 1) == 0 &&
	    project(st, "a", "default", NULL, &err) == 0 &&
	    project(st, "b", "default", "a", &err) == 0 &&
	    project(st, "c", "default", "b", &err) == 0 &&
	    project(st, "e", "default", "a", &err) == 0 &&
	    user(st, "u1", "default", "c", &err) == 0 &&
	    role(st, "r", NULL) == 0 &&
	    grant(st, 0, "u1", KG_SCOPE_PROJECT, "c", "r", 0, &err) == 0 &&
	    events_are(st, ""));
	T("svc-8.1 cascade with an enabled project below: 403, nothing done",
	    svc_project_delete_subtree(st, "a", &err) == -1 &&
	    err.kind == KG_EFORBID && strcmp(err.msg, "Cannot delete project a "
	    "since its subtree contains enabled projects.") == 0 &&
	    events_are(st, "") && has_project(st, "c"));
	T("svc-8.2 disable c, b, e (a stays enabled)",
	    project_enabled(st, "c", 0) == 0 && project_enabled(st, "b", 0) == 0 &&
	    project_enabled(st, "e", 0) == 0 &&
	    events_are(st, ",p=c;,p=b;,p=e"));
	T("svc-8.3 an immutable project below stops the cascade: 403, nothing",
	    project_extra(st, "c", IMMUTABLE) == 0 &&
	    svc_project_delete_subtree(st, "a", &err) == -1 &&
	    err.kind == KG_EFORBID && strncmp(err.msg, "Unable to delete "
	    "immutable project resource: `c.", 33) == 0 && events_are(st, ""));
	T("svc-8.4 ... as it stops the plain delete of c",
	    svc_project_delete(st, "c", &err) == -1 && err.kind == KG_EFORBID &&
	    events_are(st, ""));
	T("svc-8.5 an immutable project's tags: 403 with Keystone's texts",
	    svc_project_tag_add(st, "c", "t", &err) == -1 &&
	    strcmp(err.msg, "Cannot create project tags for c, project is "
	    "immutable. Set \"immutable\" option to false before creating project "
	    "tags.") == 0 &&
	    svc_project_tags_set(st, "c", t2, 2, &err) == -1 &&
	    strncmp(err.msg, "Cannot update project tags", 26) == 0 &&
	    svc_project_tag_delete(st, "c", "t", &err) == -1 &&
	    strncmp(err.msg, "Cannot delete project tags", 26) == 0);
	T("svc-8.6 cascade: each project of the subtree revoked, deepest first",
	    project_extra(st, "c", "{}") == 0 &&
	    svc_project_delete_subtree(st, "a", &err) == 0 &&
	    events_are(st, ",p=c;,p=e;,p=b;,p=a"));
	T("svc-8.7 ... all gone with their grants; the default project cleared",
	    !has_project(st, "b") && !has_project(st, "a") && problems(st) == 0 &&
	    store_user_get(st, "u1", &u, &err) == 0 &&
	    u.default_project_id[0] == '\0');
	kg_user_free(&u);
	T("svc-8.8 cascade on a missing project: 404",
	    svc_project_delete_subtree(st, "a", &err) == -1 &&
	    err.kind == KG_ENOTFOUND);

	/* A domain: its immutable project or role refuses the delete. */
	T("svc-8.9 fixtures: d2 (disabled) with a project and a role",
	    domain(st, "d2", 0) == 0 && project(st, "q", "d2", NULL, &err) == 0 &&
	    role(st, "dr", "d2") == 0 && project_extra(st, "q", IMMUTABLE) == 0 &&
	    events_are(st, ""));
	T("svc-8.10 its immutable project: 403, nothing deleted or revoked",
	    svc_domain_delete(st, "d2", &err) == -1 && err.kind == KG_EFORBID &&
	    strncmp(err.msg, "Unable to delete immutable project resource: `q.",
	    48) == 0 && events_are(st, "") && has_project(st, "q"));
	memset(&r, 0, sizeof(r));
	T("svc-8.11 its immutable role: 403 naming the role",
	    project_extra(st, "q", "{}") == 0 &&
	    store_role_get(st, "dr", &r, &err) == 0 &&
	    (free(r.extra), r.extra = strdup(IMMUTABLE)) != NULL &&
	    store_role_update(st, &r, &err) == 0 &&
	    svc_domain_delete(st, "d2", &err) == -1 &&
	    strncmp(err.msg, "Unable to delete immutable role resource: `dr.",
	    45) == 0 && events_are(st, ""));
	kg_role_free(&r);
	memset(&d, 0, sizeof(d));
	T("svc-8.12 an immutable domain: 403 before the enabled rule",
	    store_domain_get(st, "default", &d, &err) == 0 &&
	    (free(d.extra), d.extra = strdup(IMMUTABLE)) != NULL &&
	    store_domain_update(st, &d, &err) == 0 &&
	    svc_domain_delete(st, "default", &err) == -1 &&
	    strncmp(err.msg, "Unable to delete immutable domain resource: "
	    "`default.", 52) == 0);
	kg_domain_free(&d);

	/* A domain's tags through the project tag functions. */
	T("svc-8.13 tags on a domain seen as a project (kept in its extra)",
	    svc_project_tag_add(st, "d2", "t1", &err) == 0 &&
	    svc_project_tag_add(st, "d2", "t2", &err) == 0 &&
	    svc_project_tag_add(st, "d2", "t1", &err) == 0 &&
	    svc_project_tag_delete(st, "d2", "t2", &err) == 0 &&
	    store_domain_get(st, "d2", &d, &err) == 0 &&
	    strstr(d.extra, "\"tags\":[\"t1\"]") != NULL);
	kg_domain_free(&d);
	T("svc-8.14 ... a missing one is 404, the set replaces them",
	    svc_project_tag_delete(st, "d2", "t9", &err) == -1 &&
	    err.kind == KG_ENOTFOUND &&
	    svc_project_tags_set(st, "d2", t2, 2, &err) == 0 &&
	    store_domain_get(st, "d2", &d, &err) == 0 &&
	    strstr(d.extra, "\"tags\":[\"x\",\"y\"]") != NULL);
	kg_domain_free(&d);
	T("svc-8.15 ... an immutable domain's tags: 403",
	    svc_project_tag_add(st, "default", "t", &err) == -1 &&
	    err.kind == KG_EFORBID);
	T("svc-8.16 ... neither a project nor a domain: 404",
	    svc_project_tag_add(st, "nope", "t", &err) == -1 &&
	    err.kind == KG_ENOTFOUND);
	store_close(st);
}

/* ------------------------------------------------------------------------
 * Trusts: create's rules, taking uses, and the trust rows of the
 * revocation table.
 * --------------------------------------------------------------------- */

/* The trust ids of the events written since the last look, "t1,t2". */
static const char *
new_trust_events(struct store *st)
{
	static char		 buf[1024];
	struct kg_revoke_event	*ev;
	struct kg_err		 err = { 0 };
	size_t			 n, i;

	buf[0] = '\0';
	if (store_revoke_list(st, 0, &ev, &n, &err) == -1)
		return "ERR";
	for (i = events_seen; i < n; i++) {
		if (ev[i].trust_id[0] == '\0')
			continue;
		if (buf[0] != '\0')
			t_cat(buf, sizeof(buf), ",");
		t_cat(buf, sizeof(buf), ev[i].trust_id);
	}
	events_seen = n;
	free(ev);
	return buf;
}

static int
trust_events_are(struct store *st, const char *want)
{
	const char	*got = new_trust_events(st);

	if (strcmp(got, want) == 0)
		return 1;
	printf("# trust events: want \"%s\", got \"%s\"\n", want, got);
	return 0;
}

/*
 * Create trust id: trustor -> trustee on project (NULL: none) with role
 * (by id; NULL: none); redelegated from `from` (NULL: not), allowing
 * redelegation when redel >= 0 (its count; -1 not allowed, -2 allowed
 * with the default count), uses (KG_TRUST_UNLIMITED or a count).
 */
static int
trust(struct store *st, const char *id, const char *trustor,
    const char *trustee, const char *project, const char *role_id,
    const char *from, int redel, int64_t uses, struct kg_err *err)
{
	struct svc_trust_new	 n;
	struct kg_role_ref	 r;
	struct kg_trust		 out;
	int			 rc;

	memset(&n, 0, sizeof(n));
	memset(&r, 0, sizeof(r));
	kg_strlcpy(n.t.id, id, sizeof(n.t.id));
	kg_strlcpy(n.t.trustor_user_id, trustor, sizeof(n.t.trustor_user_id));
	kg_strlcpy(n.t.trustee_user_id, trustee, sizeof(n.t.trustee_user_id));
	if (project != NULL)
		kg_strlcpy(n.t.project_id, project, sizeof(n.t.project_id));
	if (role_id != NULL) {
		kg_strlcpy(r.id, role_id, sizeof(r.id));
		n.t.roles = &r;
		n.t.nroles = 1;
	}
	n.t.remaining_uses = uses;
	n.allow_redelegation = redel != -1;
	n.redelegation_count = redel >= 0 ? redel : -1;
	n.redelegated_trust_id = from;
	n.max_redelegation_count = SVC_TRUST_MAX_REDELEGATION;
	rc = svc_trust_create(st, &n, &out, err);
	kg_trust_free(&out);
	return rc;
}

static int
trust_exists(struct store *st, const char *id)
{
	struct kg_trust	t;

	if (store_trust_get(st, id, &t, NULL) == -1)
		return 0;
	kg_trust_free(&t);
	return 1;
}

static void
test_trusts(void)
{
	struct store		*st = open_db(NULL);
	struct kg_err		 err = { 0 };
	struct kg_trust		 t;
	struct svc_user_change	 c;
	int			 off = 0;

	events_seen = 0;
	T("svc-5.0 fixtures",
	    domain(st, "default", 1) == 0 && domain(st, "d2", 1) == 0 &&
	    project(st, "p1", "default", NULL, &err) == 0 &&
	    project(st, "p2", "d2", NULL, &err) == 0 &&
	    user(st, "alice", "default", NULL, &err) == 0 &&
	    user(st, "bob", "default", NULL, &err) == 0 &&
	    user(st, "carol", "d2", NULL, &err) == 0 &&
	    role(st, "reader", NULL) == 0 && role(st, "member", NULL) == 0 &&
	    role(st, "admin", NULL) == 0 &&
	    svc_implied_create(st, "member", "reader", &err) == 0 &&
	    grant(st, 0, "alice", KG_SCOPE_PROJECT, "p1", "member", 0, &err) == 0 &&
	    grant(st, 0, "alice", KG_SCOPE_PROJECT, "p2", "member", 0, &err) == 0);
	new_trust_events(st);

	T("svc-5.1 create: unknown trustee -> 404",
	    trust(st, "t0", "alice", "ghost", "p1", "member", NULL, -1,
	    KG_TRUST_UNLIMITED, &err) == -1 && err.kind == KG_ENOTFOUND &&
	    strcmp(err.msg, "Could not find user: ghost.") == 0);
	T("svc-5.2 create: a role the trustor does not hold -> 404",
	    trust(st, "t0", "alice", "bob", "p1", "admin", NULL, -1,
	    KG_TRUST_UNLIMITED, &err) == -1 && err.kind == KG_ENOTFOUND &&
	    strcmp(err.msg, "Could not find role: admin.") == 0);
	T("svc-5.3 create: an implied role is held",
	    trust(st, "t-implied", "alice", "bob", "p1", "reader", NULL, -1,
	    KG_TRUST_UNLIMITED, &err) == 0);
	T("svc-5.4 create: a role without a project -> 404",
	    trust(st, "t0", "alice", "bob", NULL, "member", NULL, -1,
	    KG_TRUST_UNLIMITED, &err) == -1 && err.kind == KG_ENOTFOUND);
	T("svc-5.5 create: unknown project -> 404",
	    trust(st, "t0", "alice", "bob", "ghost", "member", NULL, -1,
	    KG_TRUST_UNLIMITED, &err) == -1 && err.kind == KG_ENOTFOUND);
	T("svc-5.6 create -> stored with its roles",
	    trust(st, "t1", "alice", "bob", "p1", "member", NULL, -1, 2, &err) == 0 &&
	    store_trust_get(st, "t1", &t, &err) == 0 && t.nroles == 1 &&
	    strcmp(t.roles[0].name, "member") == 0 && t.remaining_uses == 2 &&
	    t.redelegation_count == 0);
	kg_trust_free(&t);
	T("svc-5.7 the same trust without an expiry is another trust (NULLs "
	    "differ in Keystone's duplicate_trust_constraint too)",
	    trust(st, "t1b", "alice", "bob", "p1", "member", NULL, -1, 2, &err) == 0);
	T("svc-5.8 creating revokes nothing", trust_events_are(st, ""));

	/* uses */
	T("svc-5.9 two uses taken, the third refused -> 403",
	    svc_trust_consume(st, "t1", &err) == 0 &&
	    svc_trust_consume(st, "t1", &err) == 0 &&
	    svc_trust_consume(st, "t1", &err) == -1 && err.kind == KG_EFORBID &&
	    store_trust_get(st, "t1", &t, &err) == 0 && t.remaining_uses == 0);
	kg_trust_free(&t);
	T("svc-5.10 a use of a trust that is gone -> 401",
	    svc_trust_consume(st, "ghost", &err) == -1 && err.kind == KG_EUNAUTH);

	/* redelegation */
	T("svc-5.11 redelegation deeper than the maximum -> 403",
	    trust(st, "t0", "alice", "bob", "p1", "member", NULL, 4,
	    KG_TRUST_UNLIMITED, &err) == -1 && err.kind == KG_EFORBID);
	T("svc-5.12 uses with redelegation -> 400",
	    trust(st, "t0", "alice", "bob", "p1", "member", NULL, -2, 3, &err) == -1 &&
	    err.kind == KG_EBADREQ);
	T("svc-5.13 a redelegatable trust gets the maximum count",
	    trust(st, "r1", "alice", "bob", "p2", "member", NULL, -2,
	    KG_TRUST_UNLIMITED, &err) == 0 &&
	    store_trust_get(st, "r1", &t, &err) == 0 &&
	    t.redelegation_count == SVC_TRUST_MAX_REDELEGATION);
	kg_trust_free(&t);
	T("svc-5.14 its redelegation counts one less",
	    trust(st, "r2", "alice", "carol", "p2", "member", "r1", -2,
	    KG_TRUST_UNLIMITED, &err) == 0 &&
	    store_trust_get(st, "r2", &t, &err) == 0 &&
	    t.redelegation_count == SVC_TRUST_MAX_REDELEGATION - 1 &&
	    strcmp(t.redelegated_trust_id, "r1") == 0);
	kg_trust_free(&t);
	T("svc-5.15 changing the count on redelegation -> 403",
	    trust(st, "r3", "alice", "bob", "p2", "member", "r2", 3,
	    KG_TRUST_UNLIMITED, &err) == -1 && err.kind == KG_EFORBID);
	T("svc-5.16 redelegating a role the trust lacks -> 403",
	    trust(st, "r3", "alice", "bob", "p2", "reader", "r2", -2,
	    KG_TRUST_UNLIMITED, &err) == -1 && err.kind == KG_EFORBID);
	T("svc-5.17 redelegating a trust that does not allow it -> 403",
	    trust(st, "r3", "alice", "carol", "p1", "reader", "t-implied", -2,
	    KG_TRUST_UNLIMITED, &err) == -1 && err.kind == KG_EFORBID);
	T("svc-5.18 a third level",
	    trust(st, "r3", "alice", "bob", "p2", "member", "r2", -2,
	    KG_TRUST_UNLIMITED, &err) == 0);

	/* the trust rows of the revocation table */
	T("svc-5.19 deleting a trust revokes it and its redelegations",
	    svc_trust_delete(st, "r2", &err) == 0 &&
	    trust_events_are(st, "r2,r3") && trust_exists(st, "r1") &&
	    !trust_exists(st, "r2") && !trust_exists(st, "r3"));
	T("svc-5.20 deleting it again -> 404",
	    svc_trust_delete(st, "r2", &err) == -1 && err.kind == KG_ENOTFOUND);
	T("svc-5.21 rebuild a chain",
	    trust(st, "r2", "alice", "carol", "p2", "member", "r1", -2,
	    KG_TRUST_UNLIMITED, &err) == 0);
	new_trust_events(st);
	memset(&c, 0, sizeof(c));
	c.edit.fn = set_user_enabled;
	c.edit.cls = &off;
	T("svc-5.22 disabling a trustee revokes its trusts and what they "
	    "gave", svc_user_update(st, "carol", &c, NULL, &err) == 0 &&
	    trust_events_are(st, "r2"));
	T("svc-5.23 deleting a project revokes the trusts on it",
	    svc_project_delete(st, "p2", &err) == 0 &&
	    trust_events_are(st, "r1,r2") && !trust_exists(st, "r1") &&
	    !trust_exists(st, "r2"));
	T("svc-5.24 deleting the trustor revokes and removes its trusts",
	    svc_user_delete(st, "alice", &err) == 0 &&
	    trust_events_are(st, "t-implied,t1,t1b") && !trust_exists(st, "t1") &&
	    problems(st) == 0);
	T("svc-5.25 a cascade delete revokes the trusts on each project below",
	    project(st, "p3", "default", NULL, &err) == 0 &&
	    project(st, "p4", "default", "p3", &err) == 0 &&
	    user(st, "dave", "default", NULL, &err) == 0 &&
	    grant(st, 0, "bob", KG_SCOPE_PROJECT, "p4", "member", 0, &err) == 0 &&
	    trust(st, "t4", "bob", "dave", "p4", "member", NULL, -1,
	    KG_TRUST_UNLIMITED, &err) == 0 &&
	    project_enabled(st, "p4", 0) == 0 && trust_events_are(st, "") &&
	    svc_project_delete_subtree(st, "p3", &err) == 0 &&
	    trust_events_are(st, "t4") && !trust_exists(st, "t4") &&
	    problems(st) == 0);
	store_close(st);
}

/* ------------------------------------------------------------------------
 * Application credentials (svc/appcred.c) and their revocation rows.
 * --------------------------------------------------------------------- */

/* A credential id of user uid on project pid carrying roles[n]; rules[nr]
 * as asked. */
static int
appcred(struct store *st, const char *id, const char *uid, const char *pid,
    const char *const *roles, size_t n, const struct kg_access_rule *rules,
    size_t nr, struct kg_access_rule *out, struct kg_err *err)
{
	struct svc_appcred_new	a;
	struct kg_role_ref	r[4];
	size_t			i;
	int			rc;

	memset(&a, 0, sizeof(a));
	memset(r, 0, sizeof(r));
	kg_strlcpy(a.c.id, id, sizeof(a.c.id));
	kg_strlcpy(a.c.name, id, sizeof(a.c.name));
	kg_strlcpy(a.c.user_id, uid, sizeof(a.c.user_id));
	kg_strlcpy(a.c.project_id, pid, sizeof(a.c.project_id));
	a.c.secret_hash = "$2b$04$hash";
	a.c.unrestricted = -1;
	a.c.created_at = 1;
	for (i = 0; i < n && i < 4; i++)
		kg_strlcpy(r[i].id, roles[i], sizeof(r[i].id));
	a.c.roles = r;
	a.c.nroles = i;
	a.rules = rules;
	a.nrules = nr;
	a.rules_out = out;
	rc = svc_appcred_create(st, &a, err);
	return rc;
}

static int
appcred_exists(struct store *st, const char *id)
{
	struct kg_appcred	c;
	struct kg_err		err = { 0 };

	memset(&c, 0, sizeof(c));
	if (store_appcred_get(st, id, &c, &err) == -1)
		return 0;
	kg_appcred_free(&c);
	return 1;
}

static void
test_appcreds(void)
{
	struct store		*st = open_db(NULL);
	struct kg_err		 err = { 0 };
	struct kg_access_rule	 ask[3], out[3];
	struct kg_appcred	 c;
	const char		*mr[] = { "member" }, *both[] = { "member", "obs" };
	int			 used;

	events_seen = 0;
	T("svc-6.0 fixtures", domain(st, "d", 1) == 0 &&
	    project(st, "p", "d", NULL, &err) == 0 &&
	    project(st, "p2", "d", NULL, &err) == 0 &&
	    user(st, "u", "d", NULL, &err) == 0 && user(st, "v", "d", NULL, &err) == 0
	    && role(st, "member", NULL) == 0 && role(st, "obs", NULL) == 0 &&
	    role(st, "other", NULL) == 0 &&
	    grant(st, 0, "u", KG_SCOPE_PROJECT, "p", "member", 0, &err) == 0 &&
	    grant(st, 0, "u", KG_SCOPE_PROJECT, "p", "obs", 0, &err) == 0 &&
	    grant(st, 0, "u", KG_SCOPE_PROJECT, "p2", "member", 0, &err) == 0);
	new_events(st);

	T("svc-6.1 create a credential with the user's roles",
	    appcred(st, "c1", "u", "p", both, 2, NULL, 0, NULL, &err) == 0 &&
	    appcred_exists(st, "c1"));
	memset(&err, 0, sizeof(err));
	T("svc-6.2 a role the user does not hold there -> 400 (Keystone's text)",
	    appcred(st, "c2", "u", "p2", both, 2, NULL, 0, NULL, &err) == -1 &&
	    err.kind == KG_EBADREQ && strcmp(err.msg, "Invalid application "
	    "credential: Could not find role assignment with role: obs, user or "
	    "group: u, project, domain, or system: p2.") == 0 &&
	    !appcred_exists(st, "c2"));
	memset(&err, 0, sizeof(err));
	T("svc-6.3 a project that is gone -> 404", appcred(st, "c3", "u", "nosuch",
	    mr, 1, NULL, 0, NULL, &err) == -1 && err.kind == KG_ENOTFOUND);
	memset(&err, 0, sizeof(err));
	T("svc-6.4 a duplicate name -> 409", appcred(st, "c1", "u", "p", mr, 1, NULL,
	    0, NULL, &err) == -1 && err.kind == KG_ECONFLICT);
	memset(&err, 0, sizeof(err));
	T("svc-6.5 creating revokes nothing", events_are(st, ""));

	/* Access rules: found by fields, shared, by id only the user's. */
	memset(ask, 0, sizeof(ask));
	kg_strlcpy(ask[0].service, "compute", sizeof(ask[0].service));
	kg_strlcpy(ask[0].path, "/x", sizeof(ask[0].path));
	kg_strlcpy(ask[0].method, "GET", sizeof(ask[0].method));
	ask[1] = ask[0];		/* the same twice: once */
	T("svc-6.6 a credential with a new rule", appcred(st, "c4", "u", "p", mr, 1,
	    ask, 2, out, &err) == 0 && out[0].id[0] != '\0' &&
	    store_appcred_get(st, "c4", &c, &err) == 0 && c.nrules == 1 &&
	    strcmp(c.rules[0].id, out[0].id) == 0);
	kg_appcred_free(&c);
	memset(ask, 0, sizeof(ask));
	kg_strlcpy(ask[0].id, out[0].id, sizeof(ask[0].id));
	T("svc-6.7 another naming it by id shares it", appcred(st, "c5", "u", "p",
	    mr, 1, ask, 1, out + 1, &err) == 0 && strcmp(out[1].id, out[0].id) == 0);
	memset(&err, 0, sizeof(err));
	T("svc-6.8 another user naming it by id -> 400", grant(st, 0, "v",
	    KG_SCOPE_PROJECT, "p", "member", 0, &err) == 0 && appcred(st, "c6", "v",
	    "p", mr, 1, ask, 1, out + 2, &err) == -1 && err.kind == KG_EBADREQ);
	new_events(st);
	memset(&err, 0, sizeof(err));
	T("svc-6.9 deleting a rule in use -> 403", svc_access_rule_delete(st, "u",
	    out[0].id, &err) == -1 && err.kind == KG_EFORBID &&
	    strcmp(err.msg, "May not delete access rule in use") == 0);
	memset(&err, 0, sizeof(err));
	T("svc-6.10 ... another user's rule -> 404", svc_access_rule_delete(st, "v",
	    out[0].id, &err) == -1 && err.kind == KG_ENOTFOUND);

	/* Deletion and its revocation row. */
	T("svc-6.11 delete a credential: user + credential event",
	    svc_appcred_delete(st, "c4", &err) == 0 && !appcred_exists(st, "c4") &&
	    events_are(st, "u=u,c=c4"));
	memset(&err, 0, sizeof(err));
	T("svc-6.12 deleting it again -> 404", svc_appcred_delete(st, "c4",
	    &err) == -1 && err.kind == KG_ENOTFOUND && events_are(st, ""));
	T("svc-6.13 once unused the rule deletes", svc_appcred_delete(st, "c5",
	    &err) == 0 && store_access_rule_in_use(st, out[0].id, &used, &err) == 0 &&
	    !used && svc_access_rule_delete(st, "u", out[0].id, &err) == 0);
	new_events(st);

	/* A deleted role takes the credentials carrying it, and (Keystone)
	 * every credential of a direct holder on that project. */
	T("svc-6.14 credentials: c7 on p (member), c8 on p2 (member)",
	    appcred(st, "c7", "u", "p", mr, 1, NULL, 0, NULL, &err) == 0 &&
	    appcred(st, "c8", "u", "p2", mr, 1, NULL, 0, NULL, &err) == 0);
	T("svc-6.15 delete role obs: c1 (carries it) and c7 (u holds obs on p) go, "
	    "c8 stays", svc_role_delete(st, "obs", &err) == 0 &&
	    !appcred_exists(st, "c1") && !appcred_exists(st, "c7") &&
	    appcred_exists(st, "c8") &&
	    events_are(st, "u=u;u=u,c=c1;u=u,c=c7"));
	T("svc-6.16 a user deleted takes the rest with it", svc_user_delete(st, "u",
	    &err) == 0 && !appcred_exists(st, "c8") && events_are(st, "u=u"));
	T("svc-6.17 no problem left", problems(st) == 0);
	T("svc-6.18 the database refuses a credential of a missing user",
	    sql(st, "INSERT INTO application_credential (id, name, secret_hash,"
	    " user_id, project_id, created_at) VALUES ('x', 'x', 'h', 'ghost', 'p',"
	    " 1)") == -1);
	store_close(st);
}

int
main(void)
{
	test_run();
	test_revocations();
	test_rules();
	test_hierarchy();
	test_migration();
	test_trusts();
	test_appcreds();
	test_admin();
	return t_report();
}
