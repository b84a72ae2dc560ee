/*
 * it_policy.c - authorization over HTTP: every route × every persona
 * (system / domain / project scope × admin, member, reader, and domain and
 * project managers; the service role; a user with no role, unscoped)
 * against the status Keystone's default policy gives, for each policy
 * configuration of it_policy_table.h (Keystone 22's legacy defaults as
 * Keystone 22 ships them; Keystone 22's with enforce_scope and
 * enforce_new_defaults, as the tempest plugin suite runs; Keystone 29's
 * with both, keygate's default), generated from Keystone's rules with the
 * real oslo.policy (tests/integration/policy_table.py). Each set gets a
 * fresh server. For the legacy set also issue 7 §3's cells one by one and
 * the policy file: overrides, refusal of a bad file at start and on
 * SIGHUP, "serve -n", "policy list/check".
 *
 * The world: domains dA and dB, projects pA (dA, tag t1) and pB (dB),
 * users uA (dA) and uB (dB), groups gA = {uA, uB} (dA) and gB = {uB} (dB), a
 * domain role rA of dA, and uA and gA holding member on pA, dA and the
 * system, directly and inherited. Every persona's user is in dA; domain
 * personas are scoped to dA, project personas to pA. Mutations act on
 * objects made anew for each try (the table's "fresh" column).
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/integration/it_identity.h"

#define POL_MAXSETS	4
#define POL_MAXPERSONAS	16

/* A policy configuration: [oslo_policy] defaults and the two flags. */
struct pol_set {
	const char	*defaults;
	int		 enforce_scope;
	int		 enforce_new_defaults;
};

struct pol_op {
	const char	*name;
	const char	*method;
	const char	*path;		/* {name} placeholders */
	const char	*body;
	const char	*fresh;		/* ';'-separated set-up steps, or NULL */
	int		 st[POL_MAXSETS][POL_MAXPERSONAS];	/* [set][persona] */
};

#include "tests/integration/it_policy_table.h"

_Static_assert(POL_NSETS <= POL_MAXSETS && POL_NPERSONAS <= POL_MAXPERSONAS,
    "it_policy_table.h outgrew struct pol_op");

#define PW	"persona-pw"

static struct it_server	 s;
static const char	*A;		/* the bootstrap admin's token */

/* Named ids: the world, then the fresh objects of the current try. */
#define NVARS	64
static struct { char name[16]; char val[80]; } vars[NVARS];
static size_t	nvars;
static unsigned	uniq;

static void
var_set(const char *name, const char *val)
{
	size_t	i;

	for (i = 0; i < nvars; i++)
		if (strcmp(vars[i].name, name) == 0)
			break;
	if (i == nvars) {
		if (nvars == NVARS)
			abort();
		nvars++;
	}
	snprintf(vars[i].name, sizeof(vars[i].name), "%s", name);
	snprintf(vars[i].val, sizeof(vars[i].val), "%s", val ? val : "(none)");
}

static const char *
var(const char *name)
{
	size_t	i;

	for (i = 0; i < nvars; i++)
		if (strcmp(vars[i].name, name) == 0)
			return vars[i].val;
	return NULL;
}

/* Replace {name} in tpl; {uniq} is a new name each time. */
static char *
subst(const char *tpl)
{
	static char	out[4][2048];
	static int	slot;
	char		*o = out[slot++ % 4], name[32];
	const char	*p = tpl, *e, *v;
	size_t		 n = 0;

	while (*p != '\0' && n < sizeof(out[0]) - 100) {
		if (*p == '{' && (e = strchr(p, '}')) != NULL &&
		    (size_t)(e - p - 1) < sizeof(name) &&
		    strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
		    p[1]) != NULL) {
			snprintf(name, sizeof(name), "%.*s", (int)(e - p - 1), p + 1);
			if (strcmp(name, "uniq") == 0) {
				n += (size_t)snprintf(o + n, sizeof(out[0]) - n,
				    "pol%u", ++uniq);
				p = e + 1;
				continue;
			}
			if ((v = var(name)) != NULL) {
				n += (size_t)snprintf(o + n, sizeof(out[0]) - n, "%s", v);
				p = e + 1;
				continue;
			}
		}
		o[n++] = *p++;
	}
	o[n] = '\0';
	return o;
}

/* Admin POST; the id at idpath, or NULL. */
static char *
make(const char *path, const char *body, const char *idpath)
{
	return ii_create(&s, subst(path), subst(body), idpath);
}

static long
admin(const char *method, const char *path, const char *body)
{
	return it_status(&s, method, subst(path), A, body ? subst(body) : NULL);
}

/* A password token for user id uid; scope "system", "domain:<id>",
 * "project:<id>" or NULL (unscoped). malloc'd, or NULL. */
static char *
token_for(const char *uid, const char *scope)
{
	struct it_resp	 r;
	char		 sc[200], *tok = NULL;

	sc[0] = '\0';
	if (scope != NULL && strcmp(scope, "system") == 0)
		snprintf(sc, sizeof(sc), ", \"scope\": {\"system\": {\"all\": true}}");
	else if (scope != NULL && strncmp(scope, "domain:", 7) == 0)
		snprintf(sc, sizeof(sc), ", \"scope\": {\"domain\": {\"id\": \"%s\"}}",
		    scope + 7);
	else if (scope != NULL && strncmp(scope, "project:", 8) == 0)
		snprintf(sc, sizeof(sc), ", \"scope\": {\"project\": {\"id\": \"%s\"}}",
		    scope + 8);
	if (it_req(&s, "POST", "/v3/auth/tokens", NULL, it_fmt("{\"auth\": "
	    "{\"identity\": {\"methods\": [\"password\"], \"password\": {\"user\": "
	    "{\"id\": \"%s\", \"password\": \"" PW "\"}}}%s}}", uid, sc), NULL,
	    &r) == 0 && r.status == 201 && r.subject_token != NULL)
		tok = strdup(r.subject_token);
	it_resp_free(&r);
	return tok;
}

/* ---- personas ------------------------------------------------------------ */

struct persona {
	char	 user[80];
	char	 scope[100];
	char	*token;
};
static struct persona	per[POL_NPERSONAS];

/* The role a persona's name ends with, or NULL. */
static const char *
persona_role(const char *name)
{
	const char	*dash = strchr(name, '-');

	if (strcmp(name, "service") == 0)
		return "service_role";
	if (strcmp(name, "no-role") == 0)
		return NULL;
	return dash + 1;
}

static int
setup_personas(void)
{
	const char	*name, *role;
	char		*uid;
	int		 i, ok = 1;

	for (i = 0; i < POL_NPERSONAS; i++) {
		name = pol_personas[i];
		uid = make("/v3/users", it_fmt("{\"user\": {\"name\": \"%s\", "
		    "\"domain_id\": \"{dA}\", \"password\": \"" PW "\"}}", name),
		    "user.id");
		if (uid == NULL)
			return 0;
		snprintf(per[i].user, sizeof(per[i].user), "%s", uid);
		free(uid);
		role = persona_role(name);
		if (strncmp(name, "sys-", 4) == 0) {
			snprintf(per[i].scope, sizeof(per[i].scope), "system");
			ok &= admin("PUT", it_fmt("/v3/system/users/%s/roles/{%s}",
			    per[i].user, role), NULL) == 204;
		} else if (strncmp(name, "dom-", 4) == 0) {
			snprintf(per[i].scope, sizeof(per[i].scope), "domain:%s",
			    var("dA"));
			ok &= admin("PUT", it_fmt("/v3/domains/{dA}/users/%s/roles/{%s}",
			    per[i].user, role), NULL) == 204;
		} else if (role != NULL) {
			snprintf(per[i].scope, sizeof(per[i].scope), "project:%s",
			    var("pA"));
			ok &= admin("PUT", it_fmt("/v3/projects/{pA}/users/%s/roles/{%s}",
			    per[i].user, role), NULL) == 204;
		}
		per[i].token = token_for(per[i].user, per[i].scope[0] ?
		    per[i].scope : NULL);
		ok &= per[i].token != NULL;
	}
	return ok;
}

/* ---- the world -------------------------------------------------------------- */

static int
role_id(const char *name, const char *varname)
{
	struct it_resp	r;
	int		ok;

	it_req(&s, "GET", it_fmt("/v3/roles?name=%s", name), A, NULL, NULL, &r);
	ok = r.status == 200 && it_str(r.json, "roles.0.id") != NULL;
	if (ok)
		var_set(varname, it_str(r.json, "roles.0.id"));
	it_resp_free(&r);
	return ok;
}

static int
setup_world(void)
{
	static const char *const grants[] = {
		"/v3/projects/{pA}/users/{uA}/roles/{member}",
		"/v3/projects/{pA}/groups/{gA}/roles/{member}",
		"/v3/domains/{dA}/users/{uA}/roles/{member}",
		"/v3/domains/{dA}/groups/{gA}/roles/{member}",
		"/v3/system/users/{uA}/roles/{member}",
		"/v3/system/groups/{gA}/roles/{member}",
		"/v3/OS-INHERIT/projects/{pA}/users/{uA}/roles/{member}/inherited_to_projects",
		"/v3/OS-INHERIT/projects/{pA}/groups/{gA}/roles/{member}/inherited_to_projects",
		"/v3/OS-INHERIT/domains/{dA}/users/{uA}/roles/{member}/inherited_to_projects",
		"/v3/OS-INHERIT/domains/{dA}/groups/{gA}/roles/{member}/inherited_to_projects",
		"/v3/groups/{gA}/users/{uA}",
		"/v3/groups/{gB}/users/{uB}",
		"/v3/groups/{gA}/users/{uB}",
	};
	char	*id;
	size_t	 i;
	int	 ok = 1;

#define MK(name, path, body, idpath) do {				\
	id = make(path, body, idpath);					\
	var_set(name, id);						\
	ok &= id != NULL;						\
	free(id);							\
} while (0)
	/* {service} is the catalog's service; the role is {service_role}. */
	ok &= role_id("admin", "admin") && role_id("manager", "manager") &&
	    role_id("member", "member") && role_id("reader", "reader") &&
	    role_id("service", "service_role");
	MK("dA", "/v3/domains", "{\"domain\": {\"name\": \"dA\"}}", "domain.id");
	MK("dB", "/v3/domains", "{\"domain\": {\"name\": \"dB\"}}", "domain.id");
	MK("pA", "/v3/projects", "{\"project\": {\"name\": \"pA\", \"domain_id\": "
	    "\"{dA}\", \"tags\": [\"t1\"]}}", "project.id");
	MK("pB", "/v3/projects", "{\"project\": {\"name\": \"pB\", \"domain_id\": "
	    "\"{dB}\"}}", "project.id");
	MK("uA", "/v3/users", "{\"user\": {\"name\": \"uA\", \"domain_id\": \"{dA}\", "
	    "\"password\": \"" PW "\"}}", "user.id");
	MK("uB", "/v3/users", "{\"user\": {\"name\": \"uB\", \"domain_id\": \"{dB}\"}}",
	    "user.id");
	MK("gA", "/v3/groups", "{\"group\": {\"name\": \"gA\", \"domain_id\": "
	    "\"{dA}\"}}", "group.id");
	MK("gB", "/v3/groups", "{\"group\": {\"name\": \"gB\", \"domain_id\": "
	    "\"{dB}\"}}", "group.id");
	MK("rA", "/v3/roles", "{\"role\": {\"name\": \"rA\", \"domain_id\": \"{dA}\"}}",
	    "role.id");
	MK("service", "/v3/services", "{\"service\": {\"type\": \"compute\"}}",
	    "service.id");
	ok &= admin("PUT", "/v3/regions/pol-region", "{\"region\": {}}") == 201;
	var_set("region", "pol-region");
	MK("endpoint", "/v3/endpoints", "{\"endpoint\": {\"service_id\": \"{service}\", "
	    "\"interface\": \"public\", \"region_id\": \"pol-region\", \"url\": "
	    "\"http://compute.example:8774/\"}}", "endpoint.id");
#undef MK
	for (i = 0; i < sizeof(grants) / sizeof(grants[0]); i++)
		ok &= admin("PUT", grants[i], NULL) == 204;
	return ok;
}

/* ---- one try ------------------------------------------------------------- */

/*
 * Run op's set-up steps for persona i: fresh objects (dX, pX, uX, gX, rX,
 * rY, regionX, serviceX, endpointX), "S:tA" / "S:tself" (the subject token:
 * a new token of uA on pA, or of the persona itself), and "PUT <path>".
 */
static int
fresh(const char *steps, int i, char **subject)
{
	char	 buf[512], *step, *save, *id;
	int	 ok = 1;

	if (steps == NULL)
		return 1;
	snprintf(buf, sizeof(buf), "%s", steps);
	for (step = strtok_r(buf, ";", &save); step != NULL && ok;
	    step = strtok_r(NULL, ";", &save)) {
		id = NULL;
		if (strcmp(step, "dX") == 0)
			id = make("/v3/domains", "{\"domain\": {\"name\": \"{uniq}\", "
			    "\"enabled\": false}}", "domain.id");
		else if (strcmp(step, "pX") == 0)
			id = make("/v3/projects", "{\"project\": {\"name\": \"{uniq}\", "
			    "\"domain_id\": \"{dA}\", \"tags\": [\"t1\"]}}", "project.id");
		else if (strcmp(step, "uX") == 0)
			id = make("/v3/users", "{\"user\": {\"name\": \"{uniq}\", "
			    "\"domain_id\": \"{dA}\"}}", "user.id");
		else if (strcmp(step, "gX") == 0)
			id = make("/v3/groups", "{\"group\": {\"name\": \"{uniq}\", "
			    "\"domain_id\": \"{dA}\"}}", "group.id");
		else if (strcmp(step, "rX") == 0 || strcmp(step, "rY") == 0)
			id = make("/v3/roles", "{\"role\": {\"name\": \"{uniq}\"}}",
			    "role.id");
		else if (strcmp(step, "regionX") == 0) {
			id = strdup(subst("{uniq}"));
			ok = admin("PUT", it_fmt("/v3/regions/%s", id),
			    "{\"region\": {}}") == 201;
		} else if (strcmp(step, "serviceX") == 0)
			id = make("/v3/services", "{\"service\": {\"type\": \"x\"}}",
			    "service.id");
		else if (strcmp(step, "endpointX") == 0)
			id = make("/v3/endpoints", "{\"endpoint\": {\"service_id\": "
			    "\"{service}\", \"interface\": \"internal\", \"url\": "
			    "\"http://x.example:1/\"}}", "endpoint.id");
		else if (strcmp(step, "S:tA") == 0) {
			free(*subject);		/* a later S: step wins */
			*subject = token_for(var("uA"), it_fmt("project:%s", var("pA")));
			ok = *subject != NULL;
			continue;
		} else if (strcmp(step, "S:tself") == 0) {
			free(*subject);
			*subject = token_for(per[i].user, per[i].scope[0] ?
			    per[i].scope : NULL);
			ok = *subject != NULL;
			continue;
		} else if (strncmp(step, "PUT ", 4) == 0) {
			ok = admin("PUT", step + 4, NULL) / 100 == 2;
			continue;
		} else {
			printf("    unknown set-up step %s\n", step);
			return 0;
		}
		ok = ok && id != NULL;
		var_set(step, id);
		free(id);
	}
	return ok;
}

/* T() for set k: the id "policy-<set> what"; cond is evaluated first (it
 * may use it_fmt's rotating buffers). */
#define TS(k, what, cond) do {						\
	int	c_ = (cond);						\
	char	id_[200];						\
	snprintf(id_, sizeof(id_), "policy-%s %s", set_label(k), what);	\
	T(id_, c_);							\
} while (0)

/* A short name for pol_sets[k] in test ids: "k22", "k22-srbac", "k29-srbac". */
static const char *
set_label(int k)
{
	static char	buf[32];
	const struct pol_set *ps = &pol_sets[k];

	snprintf(buf, sizeof(buf), "k%s%s", ps->defaults + strlen("keystone-"),
	    ps->enforce_scope && ps->enforce_new_defaults ? "-srbac" :
	    ps->enforce_scope || ps->enforce_new_defaults ? "-mixed" : "");
	return buf;
}

static void
run_table(int set)
{
	const struct pol_op	*op;
	struct it_resp		 r;
	char			 id[200], hdr[4200], *subject;
	const char		*hdrs[2] = { hdr, NULL };
	size_t			 k;
	int			 i, ok;

	var_set("self", "");
	for (k = 0; k < sizeof(pol_ops) / sizeof(pol_ops[0]); k++) {
		op = &pol_ops[k];
		for (i = 0; i < POL_NPERSONAS; i++) {
			snprintf(id, sizeof(id), "policy-%s %s %s -> %d",
			    set_label(set), op->name, pol_personas[i],
			    op->st[set][i]);
			subject = NULL;
			var_set("self", per[i].user);
			if (!fresh(op->fresh, i, &subject)) {
				printf("    %s: set-up failed\n", id);
				T(id, 0);
				free(subject);
				continue;
			}
			if (subject != NULL)
				snprintf(hdr, sizeof(hdr), "X-Subject-Token: %s", subject);
			ok = it_req(&s, op->method, subst(op->path), per[i].token,
			    op->body ? subst(op->body) : NULL, subject ? hdrs : NULL,
			    &r) == 0;
			if (!ok || r.status != op->st[set][i])
				printf("    %s: got %ld %.200s\n", id, r.status,
				    r.body ? r.body : "");
			T(id, ok && r.status == op->st[set][i]);
			it_resp_free(&r);
			free(subject);
		}
	}
}

/* ---- issue 7 §3, cell by cell ---------------------------------------------- */

static int
persona(const char *name)
{
	int	i;

	for (i = 0; i < POL_NPERSONAS; i++)
		if (strcmp(pol_personas[i], name) == 0)
			return i;
	abort();
}

static long
as(const char *who, const char *method, const char *path, const char *subject)
{
	struct it_resp	 r;
	char		 hdr[4200];
	const char	*hdrs[2] = { hdr, NULL };
	long		 st;

	snprintf(hdr, sizeof(hdr), "X-Subject-Token: %s", subject ? subject : "");
	if (it_req(&s, method, subst(path), per[persona(who)].token, NULL,
	    subject ? hdrs : NULL, &r) == -1)
		return 0;
	st = r.status;
	it_resp_free(&r);
	return st;
}

static void
issue7_cells(void)
{
	struct it_resp	 r;
	char		*other = token_for(var("uA"), it_fmt("project:%s", var("pA")));

	T("policy-7.3a a domain reader may not list grants on its domain of a "
	    "user of another domain -> 403",
	    as("dom-reader", "GET", "/v3/domains/{dA}/users/{uB}/roles", NULL) == 403);
	T("policy-7.3a ... nor the OS-INHERIT form -> 403",
	    as("dom-reader", "GET", "/v3/OS-INHERIT/domains/{dA}/users/{uB}/roles/"
	    "inherited_to_projects", NULL) == 403);
	T("policy-7.3a ... but may for a user of its domain -> 200",
	    as("dom-reader", "GET", "/v3/domains/{dA}/users/{uA}/roles", NULL) == 200);
	it_req(&s, "GET", "/v3/auth/catalog", per[persona("sys-reader")].token, NULL,
	    NULL, &r);
	T("policy-7.3b GET /v3/auth/catalog with a system-scoped token -> 403",
	    r.status == 403 && strcmp(ii_msg(&r), "A project-scoped token is "
	    "required to produce a service catalog.") == 0);
	it_resp_free(&r);
	T("policy-7.3b ... with a domain-scoped token -> 403",
	    as("dom-admin", "GET", "/v3/auth/catalog", NULL) == 403);
	T("policy-7.3c HEAD on another's token with only the service role -> 403",
	    as("service", "HEAD", "/v3/auth/tokens", other) == 403);
	T("policy-7.3c ... GET is validate_token, which has a service rule -> 200",
	    as("service", "GET", "/v3/auth/tokens", other) == 200);
	T("policy-7.3d GET /v3/OS-REVOKE/events as a system reader -> 403",
	    as("sys-reader", "GET", "/v3/OS-REVOKE/events", NULL) == 403);
	T("policy-7.3e a system reader may GET another user's token -> 200",
	    as("sys-reader", "GET", "/v3/auth/tokens", other) == 200);
	T("policy-7.3e ... and HEAD it -> 200",
	    as("sys-reader", "HEAD", "/v3/auth/tokens", other) == 200);
	it_req(&s, "POST", "/v3/auth/tokens", NULL, it_fmt("{\"auth\": {\"identity\": "
	    "{\"methods\": [\"token\"], \"token\": {\"id\": \"%s\"}}, \"scope\": "
	    "{\"project\": {\"id\": \"%s\"}}}}", per[persona("sys-admin")].token,
	    var("pA")), NULL, &r);
	T("policy-7.3f rescoping a system-scoped token to a project -> 403",
	    r.status == 403 && strstr(ii_msg(&r), "Using a system-scoped token to "
	    "create a project-scoped or domain-scoped token is not allowed.") != NULL);
	it_resp_free(&r);
	it_req(&s, "POST", "/v3/auth/tokens", NULL, it_fmt("{\"auth\": {\"identity\": "
	    "{\"methods\": [\"token\"], \"token\": {\"id\": \"%s\"}}, \"scope\": "
	    "{\"domain\": {\"id\": \"%s\"}}}}", per[persona("sys-admin")].token,
	    var("dA")), NULL, &r);
	T("policy-7.3f ... or to a domain -> 403", r.status == 403);
	it_resp_free(&r);
	free(other);
}

/* ---- targets come from the objects, never from the body --------------------- */

static void
targets(void)
{
	struct it_resp	r;

	/* A domain admin's rule is "admin" in Keystone 22 (cloud admin), so
	 * target steering shows with a policy file below; here, ordering. */
	it_req(&s, "GET", "/v3/roles/nope", per[persona("no-role")].token, NULL, NULL,
	    &r);
	T("policy-8.1 GET a missing role: 404 before the check (Keystone's member "
	    "target)", r.status == 404);
	it_resp_free(&r);
	T("policy-8.2 PATCH a missing domain: 404 before the check",
	    as("proj-member", "PATCH", "/v3/domains/nope", NULL) == 404);
	T("policy-8.3 GET a missing domain: the check first -> 403",
	    as("proj-member", "GET", "/v3/domains/nope", NULL) == 403);
	T("policy-8.4 GET a missing user: the check first -> 403",
	    as("proj-member", "GET", "/v3/users/nope", NULL) == 403);
	T("policy-8.5 DELETE a missing group: 404 before the check",
	    as("proj-member", "DELETE", "/v3/groups/nope", NULL) == 404);
	T("policy-8.6 GET a missing endpoint: 404 before the check",
	    as("proj-member", "GET", "/v3/endpoints/nope", NULL) == 404);
}

/* ---- lists filtered by the caller's domain ----------------------------------- */

/*
 * Keystone's list controllers drop, for a domain-scoped caller, what lies
 * outside its domain (groups.py list_users_in_group, users.py
 * list_groups_for_user, list_users, list_projects, list_role_assignments,
 * Keystone 29's list_domains): gA holds uA (dA) and uB (dB).
 */
static void
scoped_lists(int k)
{
	struct it_resp	r;

	it_req(&s, "GET", subst("/v3/groups/{gA}/users"),
	    per[persona("dom-reader")].token, NULL, NULL, &r);
	TS(k, "10.1 a domain reader lists a group of its domain: members of its "
	    "domain only", r.status == 200 && ii_has_id(r.json, "users", var("uA")) &&
	    !ii_has_id(r.json, "users", var("uB")));
	it_resp_free(&r);
	it_req(&s, "GET", subst("/v3/groups/{gA}/users"),
	    per[persona("sys-reader")].token, NULL, NULL, &r);
	TS(k, "10.2 ... a system reader sees every member", r.status == 200 &&
	    ii_has_id(r.json, "users", var("uA")) &&
	    ii_has_id(r.json, "users", var("uB")));
	it_resp_free(&r);
	it_req(&s, "GET", "/v3/users", per[persona("dom-reader")].token, NULL, NULL,
	    &r);
	TS(k, "10.3 a domain reader lists users: its domain's only",
	    r.status == 200 && ii_has_id(r.json, "users", var("uA")) &&
	    !ii_has_id(r.json, "users", var("uB")));
	it_resp_free(&r);
}

/* ---- the policy file ------------------------------------------------------- */

static char	policy_path[300];

static void
write_policy(const char *text)
{
	char	tmp[320];
	FILE	*fp;

	/* Atomically, as an operator's editor or config management would. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", policy_path);
	if ((fp = fopen(tmp, "w")) == NULL)
		return;
	fputs(text, fp);
	fclose(fp);
	rename(tmp, policy_path);
}

/* Run "keygate ARGS" with the server's environment; output into out. */
static int
keygate(char *out, size_t outsz, const char *fmt, ...)
{
	const char	*b = getenv("KG_BUILD");
	char		 args[8192], cmd[9000];
	va_list		 ap;
	FILE		*fp;
	size_t		 n = 0;
	int		 st;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s/keygate %s 2>&1", b && *b ? b : "build", args);
	out[0] = '\0';
	if ((fp = popen(cmd, "r")) == NULL)
		return -1;
	while (n < outsz - 1 && fgets(out + n, (int)(outsz - n), fp) != NULL)
		n += strlen(out + n);
	while (fgetc(fp) != EOF)
		;
	st = pclose(fp);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* SIGHUP the server and wait (up to 5 s) until who's method path gives want. */
static int
hup_until(const char *who, const char *method, const char *path, long want)
{
	int	i;

	kill(s.pid, SIGHUP);
	for (i = 0; i < 100; i++) {
		if (as(who, method, path, NULL) == want)
			return 1;
		usleep(50000);
	}
	return 0;
}

static void
policy_file(void)
{
	static char	out[65536];
	char		*mgr, *tok, *id;
	struct it_resp	 r;
	int		 rc;

	T("policy-9.0 an empty policy file: Keystone 22's defaults",
	    as("proj-member", "GET", "/v3/users", NULL) == 403);
	write_policy("# operators' overrides\n"
	    "\"identity:list_users\": \"role:member\"\n"
	    "identity:create_user: rule:admin_required or (role:manager and "
	    "token.domain.id:%(target.user.domain_id)s)\n"
	    "identity:update_user: rule:admin_required or (role:manager and "
	    "token.domain.id:%(target.user.domain_id)s)\n");
	T("policy-9.1 SIGHUP loads the file: a rule is overridden",
	    hup_until("proj-member", "GET", "/v3/users", 200));

	/* Issue 12's example: domain managers may manage their domain's users. */
	id = make("/v3/users", "{\"user\": {\"name\": \"manager\", \"domain_id\": "
	    "\"{dA}\", \"password\": \"" PW "\"}}", "user.id");
	mgr = NULL;
	if (id != NULL && admin("PUT", it_fmt("/v3/domains/{dA}/users/%s/roles/"
	    "{manager}", id), NULL) == 204)
		mgr = token_for(id, it_fmt("domain:%s", var("dA")));
	free(id);
	T("policy-9.2 a domain manager may create a user in its domain",
	    mgr && it_status(&s, "POST", "/v3/users", mgr, subst("{\"user\": "
	    "{\"name\": \"{uniq}\", \"domain_id\": \"{dA}\"}}")) == 201);
	T("policy-9.3 ... but not without domain_id: Keystone's target is the "
	    "body's user, whose domain_id is then missing (the check is false)",
	    mgr && it_status(&s, "POST", "/v3/users", mgr, subst("{\"user\": "
	    "{\"name\": \"{uniq}\"}}")) == 403);
	T("policy-9.4 ... but not in another domain",
	    mgr && it_status(&s, "POST", "/v3/users", mgr, subst("{\"user\": "
	    "{\"name\": \"{uniq}\", \"domain_id\": \"{dB}\"}}")) == 403);
	T("policy-9.5 the target is the stored user, never the body: a body "
	    "naming its domain does not open another domain's user",
	    mgr && it_status(&s, "PATCH", subst("/v3/users/{uB}"), mgr,
	    subst("{\"user\": {\"domain_id\": \"{dA}\", \"description\": \"x\"}, "
	    "\"target\": {\"user\": {\"domain_id\": \"{dA}\"}}}")) == 403);
	T("policy-9.6 ... while its own domain's user may be updated",
	    mgr && it_status(&s, "PATCH", subst("/v3/users/{uA}"), mgr,
	    "{\"user\": {\"description\": \"x\"}}") == 200);
	free(mgr);

	rc = keygate(out, sizeof(out), "policy list");
	T("policy-9.7 policy list shows the file's rule and where it is from",
	    rc == 0 && strstr(out, "# file (line 2); scope_types: system,domain\n"
	    "\"identity:list_users\": \"role:member\"") != NULL && strstr(out, "policy_file ") != NULL);
	tok = per[persona("proj-member")].token;
	rc = keygate(out, sizeof(out), "policy check --token %s identity:list_users", tok);
	T("policy-9.8 policy check --token explains an allowed call (exit 0)",
	    rc == 0 && strstr(out, "role:member  (match \"member\") -> true") != NULL &&
	    strstr(out, "identity:list_users: ALLOWED") != NULL);
	rc = keygate(out, sizeof(out), "policy check --token %s identity:get_user "
	    "'{\"target\": {\"user\": {\"id\": \"x\", \"domain_id\": \"%s\"}}}'",
	    tok, var("dB"));
	T("policy-9.9 ... and a denied one (exit 1)",
	    rc == 1 && strstr(out, "identity:get_user: DENIED") != NULL);
	rc = keygate(out, sizeof(out), "policy check --creds '{\"user_id\": \"u\", "
	    "\"system_scope\": \"all\", \"roles\": [\"reader\"]}' "
	    "identity:list_revoke_events");
	T("policy-9.10 policy check --creds", rc == 1 &&
	    strstr(out, "identity:list_revoke_events: DENIED") != NULL);

	write_policy("\"identity:list_users\": \"!\"\n"
	    "\"identity:get_user\": \"role:admin or\"\n");
	kill(s.pid, SIGHUP);
	usleep(500000);
	T("policy-9.11 a bad file on SIGHUP: the server keeps its current set",
	    as("proj-member", "GET", "/v3/users", NULL) == 200);
	rc = keygate(out, sizeof(out), "serve -n");
	T("policy-9.12 serve -n refuses a bad file with its line and rule name",
	    rc != 0 && strstr(out, ":2: rule \"identity:get_user\": could not parse")
	    != NULL);
	T("policy-9.13 ... and so does policy list", keygate(out, sizeof(out),
	    "policy list") != 0);

	write_policy("{\n  \"identity:list_users\": \"role:member\",\n"
	    "  \"identity:list_users\": \"@\"\n}\n");
	rc = keygate(out, sizeof(out), "serve -n");
	T("policy-9.14 a JSON file with a rule twice is refused",
	    rc != 0 && strstr(out, "duplicate") != NULL);
	write_policy("{\"identity:list_users\": \"role:reader\"}\n");
	rc = keygate(out, sizeof(out), "serve -n");
	T("policy-9.15 a JSON file is accepted by serve -n",
	    rc == 0 && strstr(out, "policy: 200 rules, defaults keystone-22.0.2") != NULL);
	T("policy-9.16 ... and loaded on SIGHUP",
	    hup_until("proj-reader", "GET", "/v3/users", 200));

	/* The list is itself a policy file giving the same decisions. */
	rc = keygate(out, sizeof(out), "policy list");
	write_policy(out);
	T("policy-9.17 policy list's output is a valid policy file",
	    rc == 0 && keygate(out, sizeof(out), "serve -n") == 0);
	T("policy-9.18 ... that decides as the set it was printed from",
	    hup_until("proj-reader", "GET", "/v3/users", 200) &&
	    as("proj-reader", "GET", "/v3/domains", NULL) == 403);
	write_policy("");
	T("policy-9.19 back to the defaults",
	    hup_until("proj-reader", "GET", "/v3/users", 403));
	it_req(&s, "GET", "/v3/users", per[persona("proj-reader")].token, NULL, NULL,
	    &r);
	T("policy-9.20 a refusal names the rule, as Keystone's",
	    r.status == 403 && strcmp(ii_msg(&r), "You are not authorized to "
	    "perform the requested action: identity:list_users.") == 0);
	it_resp_free(&r);
}

/* The bootstrap admin's system-scoped token: the world's maker in every set
 * (a project admin is a cloud admin in Keystone 29's rules and the legacy
 * ones, not in Keystone 22's secure RBAC). */
static int
system_admin(void)
{
	struct it_resp	r;
	int		ok;

	ok = it_req(&s, "POST", "/v3/auth/tokens", NULL, "{\"auth\": {\"identity\": "
	    "{\"methods\": [\"password\"], \"password\": {\"user\": {\"name\": "
	    "\"admin\", \"domain\": {\"id\": \"default\"}, \"password\": \""
	    IT_ADMIN_PASSWORD "\"}}}, \"scope\": {\"system\": {\"all\": true}}}}",
	    NULL, &r) == 0 && r.status == 201 && r.subject_token != NULL;
	if (ok)
		snprintf(s.admin_token, sizeof(s.admin_token), "%s", r.subject_token);
	it_resp_free(&r);
	return ok;
}

static void
free_personas(void)
{
	int	i;

	for (i = 0; i < POL_NPERSONAS; i++) {
		free(per[i].token);
		per[i].token = NULL;
	}
}

/*
 * Keygate's default set (Keystone 29's secure RBAC): domain managers
 * already manage their domain's users; an operator's file lets project
 * managers create users in their project's domain too (README: Policy;
 * keygate.conf(5)), end to end: reload on SIGHUP, the grant, its limits.
 */
static void
policy_file_default(int k)
{
	const char	*mgr = per[persona("proj-manager")].token;
	const char	*body = "{\"user\": {\"name\": \"{uniq}\", \"domain_id\": "
			    "\"{dA}\"}}";
	int		 i, st = 0;

	TS(k, "11.1 without a policy file a project manager may not create users",
	    it_status(&s, "POST", "/v3/users", mgr, subst(body)) == 403);
	TS(k, "11.2 ... a domain manager may, in its domain",
	    it_status(&s, "POST", "/v3/users", per[persona("dom-manager")].token,
	    subst(body)) == 201);
	write_policy("# project managers onboard users into their project's domain\n"
	    "\"identity:create_user\": \"(rule:admin_required) or (role:manager and "
	    "token.domain.id:%(target.user.domain_id)s) or (role:manager and "
	    "token.project.domain.id:%(target.user.domain_id)s)\"\n");
	kill(s.pid, SIGHUP);
	for (i = 0; i < 100 && st != 201; i++) {	/* up to 5 s */
		st = it_status(&s, "POST", "/v3/users", mgr, subst(body));
		if (st != 201)
			usleep(50000);
	}
	TS(k, "11.3 with the file (SIGHUP) a project manager creates a user in its "
	    "project's domain", st == 201);
	TS(k, "11.4 ... not in another domain", it_status(&s, "POST", "/v3/users",
	    mgr, subst("{\"user\": {\"name\": \"{uniq}\", \"domain_id\": "
	    "\"{dB}\"}}")) == 403);
	TS(k, "11.5 ... nor without domain_id (the target's domain is missing)",
	    it_status(&s, "POST", "/v3/users", mgr, subst("{\"user\": {\"name\": "
	    "\"{uniq}\"}}")) == 403);
	TS(k, "11.6 ... and a project member still may not",
	    it_status(&s, "POST", "/v3/users", per[persona("proj-member")].token,
	    subst(body)) == 403);
	TS(k, "11.7 the other rules stay Keystone 29's: a project manager may not "
	    "update a user", it_status(&s, "PATCH", subst("/v3/users/{uA}"), mgr,
	    "{\"user\": {\"description\": \"x\"}}") == 403);
	write_policy("");
}

int
main(void)
{
	static char	 env[4][400];
	const char	*envp[] = { env[0], env[1], env[2], env[3], NULL };
	char		 dir[] = "/tmp/kg-it-policy-XXXXXX";
	int		 k;

	if (mkdtemp(dir) == NULL)
		return 2;
	snprintf(policy_path, sizeof(policy_path), "%s/policy.yaml", dir);
	for (k = 0; k < POL_NSETS; k++) {
		write_policy("");
		snprintf(env[0], sizeof(env[0]), "KEYGATE_OSLO_POLICY_POLICY_FILE=%s",
		    policy_path);
		snprintf(env[1], sizeof(env[1]), "KEYGATE_OSLO_POLICY_DEFAULTS=%s",
		    pol_sets[k].defaults);
		snprintf(env[2], sizeof(env[2]),
		    "KEYGATE_OSLO_POLICY_ENFORCE_SCOPE=%s",
		    pol_sets[k].enforce_scope ? "true" : "false");
		snprintf(env[3], sizeof(env[3]),
		    "KEYGATE_OSLO_POLICY_ENFORCE_NEW_DEFAULTS=%s",
		    pol_sets[k].enforce_new_defaults ? "true" : "false");
		it_start(&s, envp);
		A = s.admin_token;
		printf("# %s: defaults %s, enforce_scope %d, enforce_new_defaults %d\n",
		    set_label(k), pol_sets[k].defaults, pol_sets[k].enforce_scope,
		    pol_sets[k].enforce_new_defaults);
		TS(k, "0.0 system admin", system_admin());
		TS(k, "0.1 world", setup_world());
		TS(k, "0.2 personas", setup_personas());
		if (k == 0) {	/* the legacy set: issue 7's cells, the file */
			issue7_cells();
			targets();
		}
		run_table(k);
		scoped_lists(k);
		if (k == 0)
			policy_file();
		if (strcmp(pol_sets[k].defaults, "keystone-29") == 0)
			policy_file_default(k);
		free_personas();
		it_stop(&s);
	}
	unlink(policy_path);
	rmdir(dir);
	return t_report();
}
