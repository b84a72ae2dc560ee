/*
 * test_gwpolicy.c - the gateway policy file: parsing (errors with line
 * numbers, never half-loaded) and first-match evaluation.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/gwpolicy.h"
#include "tests/t.h"

static const struct gwp_marks marks = { 0x1, 0x2, 0x3, 0xff, 0 };

static struct gwpolicy *
parse(const char *text, struct kg_err *err)
{
	kg_err_clear(err);
	return gwpolicy_parse(text, strlen(text), &marks, err);
}

/* 1 when text is refused with a message starting "line N:". */
static int
refused_at(const char *text, int line)
{
	struct kg_err	 err;
	struct gwpolicy	*p = parse(text, &err);
	char		 want[32];

	if (p != NULL) {
		gwpolicy_free(p);
		return 0;
	}
	snprintf(want, sizeof(want), "line %d: ", line);
	if (strncmp(err.msg, want, strlen(want)) != 0) {
		printf("    (got \"%s\")\n", err.msg);
		return 0;
	}
	return 1;
}

static const char policy[] =
    "# keygate-gateway policy\n"
    "\n"
    "default reject\n"
    "rule health   path /healthz noauth   # no token needed\n"
    "rule admin    dst 10.0.0.0/8,fd00::/8 port 8080,9000-9001 roles admin system "
    "mark 0x10\n"
    "rule blocked  path /v3/secret roles * action reject\n"
    "rule members  method GET,HEAD path /v3/users,/v3/projects/ roles member,"
    "abcdef0123456789abcdef0123456789 project demo@Default\n"
    "rule dom      roles reader domain d1\n"
    "rule anyproj  port 80 roles reader project p2\n";

static struct gw_role roles_member[] = { { "r1", "member" } };
static struct gw_role roles_admin[] = { { "r2", "admin" } };
static struct gw_role roles_byid[] = { { "abcdef0123456789abcdef0123456789", "x" } };
static struct gw_role roles_reader[] = { { "r3", "reader" } };

static struct gw_ident
ident(enum gw_scope sc, const char *id, const char *name, const char *dname,
    struct gw_role *roles, size_t n)
{
	struct gw_ident	i;

	memset(&i, 0, sizeof(i));
	i.user_id = "u1";
	i.user_name = i.user_domain_id = i.user_domain_name = "";
	i.scope = sc;
	i.scope_id = id;
	i.scope_name = name;
	i.scope_domain_id = "default";
	i.scope_domain_name = dname;
	i.roles = roles;
	i.nroles = n;
	i.audit_id = i.audit_chain_id = "";
	return i;
}

static const char *
eval(const struct gwpolicy *p, const char *dst, uint16_t port, const char *method,
    const char *path, const struct gw_ident *id)
{
	struct pkt_flow		 f;
	struct gwp_request	 rq;
	const struct gwp_rule	*r;

	memset(&f, 0, sizeof(f));
	if (strchr(dst, ':') != NULL) {
		f.family = 6;
		inet_pton(AF_INET6, dst, f.daddr);
	} else {
		f.family = 4;
		inet_pton(AF_INET, dst, f.daddr);
	}
	f.dport = port;
	memset(&rq, 0, sizeof(rq));	/* an HTTP request: no authority, no TLS */
	rq.flow = &f;
	rq.method = method;
	rq.method_len = strlen(method);
	rq.path = path;
	r = gwpolicy_eval(p, &rq, id);
	return r != NULL ? r->name : "(default)";
}

static void
test_parse(void)
{
	struct kg_err	 err;
	struct gwpolicy	*p;

	p = parse(policy, &err);
	T("gwpol-1.1 sample policy parses", p != NULL);
	if (p == NULL) {
		printf("    %s\n", err.msg);
		return;
	}
	T("gwpol-1.1 six rules, default reject", p->n == 6 && p->def == GWP_REJECT &&
	    p->uses_path);
	T("gwpol-1.2 rule fields", strcmp(p->rules[1].name, "admin") == 0 &&
	    p->rules[1].line == 5 && p->rules[1].ndst == 2 && p->rules[1].nports == 2 &&
	    p->rules[1].ports[1].lo == 9000 && p->rules[1].ports[1].hi == 9001 &&
	    p->rules[1].scope == GW_SCOPE_SYSTEM && p->rules[1].mark == 0x10);
	T("gwpol-1.2 noauth rule", p->rules[0].noauth && p->rules[0].npaths == 1);
	T("gwpol-1.2 reject rule with any role", p->rules[2].action == GWP_REJECT &&
	    p->rules[2].any_role);
	T("gwpol-1.2 project NAME@DOMAIN", p->rules[3].scope == GW_SCOPE_PROJECT &&
	    strcmp(p->rules[3].scope_ref, "demo") == 0 &&
	    strcmp(p->rules[3].scope_domain, "Default") == 0 && p->rules[3].nmethods == 2);
	gwpolicy_free(p);

	p = parse("default drop\n", &err);
	T("gwpol-1.3 empty policy with default drop", p != NULL && p->n == 0 &&
	    p->def == GWP_DROP && !p->uses_path);
	gwpolicy_free(p);
	p = parse("", &err);
	T("gwpol-1.3 empty file: reject everything", p != NULL && p->n == 0 &&
	    p->def == GWP_REJECT);
	gwpolicy_free(p);
	p = parse("rule a roles x\r\nrule b roles y", &err);
	T("gwpol-1.3 CRLF and no final newline", p != NULL && p->n == 2);
	gwpolicy_free(p);

	T("gwpol-2.1 unknown keyword", refused_at("rule a roles x\n\nrule b roles y "
	    "colour red\n", 3));
	T("gwpol-2.1 unknown statement", refused_at("# c\nallow all\n", 2));
	T("gwpol-2.2 rule without roles or noauth", refused_at("rule a port 80\n", 1));
	T("gwpol-2.2 rule without a name", refused_at("rule\n", 1));
	T("gwpol-2.2 bad name", refused_at("rule a/b roles x\n", 1));
	T("gwpol-2.2 duplicate rule name", refused_at("rule a roles x\nrule a roles y\n", 2));
	T("gwpol-2.3 bad CIDR", refused_at("rule a dst 10.0.0.0/33 roles x\n", 1) &&
	    refused_at("rule a dst 10.0.0/8 roles x\n", 1) &&
	    refused_at("rule a dst fd00::/129 roles x\n", 1));
	T("gwpol-2.3 bad port", refused_at("rule a port 0 roles x\n", 1) &&
	    refused_at("rule a port 70000 roles x\n", 1) &&
	    refused_at("rule a port 90-80 roles x\n", 1) &&
	    refused_at("rule a port 80, roles x\n", 1));
	T("gwpol-2.4 mark outside the mask", refused_at("rule a roles x mark 0x100\n", 1));
	T("gwpol-2.4 mark equal to the reject mark", refused_at("rule a roles x mark 2\n", 1));
	T("gwpol-2.4 mark on a reject rule", refused_at("rule a roles x action reject "
	    "mark 0x10\n", 1));
	T("gwpol-2.4 mark zero / not a number", refused_at("rule a roles x mark 0\n", 1) &&
	    refused_at("rule a roles x mark ten\n", 1));
	T("gwpol-2.5 noauth with roles", refused_at("rule a noauth roles x\n", 1));
	T("gwpol-2.5 two scopes", refused_at("rule a roles x project p system\n", 1) &&
	    refused_at("rule a roles x domain d project p\n", 1));
	T("gwpol-2.5 keyword twice", refused_at("rule a roles x roles y\n", 1));
	T("gwpol-2.5 value missing", refused_at("rule a roles\n", 1));
	T("gwpol-2.6 default accept refused", refused_at("default accept\n", 1));
	T("gwpol-2.6 default twice", refused_at("default reject\ndefault drop\n", 2));
	T("gwpol-2.6 bad action", refused_at("rule a roles x action allow\n", 1));
	T("gwpol-2.7 path not normalized", refused_at("rule a path /a/../b roles x\n", 1) &&
	    refused_at("rule a path /a//b roles x\n", 1) &&
	    refused_at("rule a path /a%20b roles x\n", 1) &&
	    refused_at("rule a path v3 roles x\n", 1));
	T("gwpol-2.7 bad method", refused_at("rule a method G@T roles x\n", 1));
	T("gwpol-2.7 '*' among roles", refused_at("rule a roles x,* \n", 1));
	T("gwpol-2.8 NUL byte", (p = gwpolicy_parse("rule a roles x\n\0", 16, &marks,
	    &err)) == NULL && strncmp(err.msg, "line 2:", 7) == 0);
	p = gwpolicy_load("gateway/gateway.policy", &marks, &err);
	T("gwpol-2.10 the sample gateway/gateway.policy loads", p != NULL && p->n == 5);
	gwpolicy_free(p);
	T("gwpol-2.9 missing file", gwpolicy_load("/nonexistent/policy", &marks, &err) ==
	    NULL && strstr(err.msg, "/nonexistent/policy") != NULL);
}

static void
test_eval(void)
{
	struct kg_err	 err;
	struct gwpolicy	*p = parse(policy, &err);
	struct gw_ident	 member = ident(GW_SCOPE_PROJECT, "p1", "demo", "Default",
			     roles_member, 1);
	struct gw_ident	 member_other_dom = ident(GW_SCOPE_PROJECT, "p1", "demo",
			     "Other", roles_member, 1);
	struct gw_ident	 byid = ident(GW_SCOPE_PROJECT, "p1", "demo", "Default",
			     roles_byid, 1);
	struct gw_ident	 admin_sys = ident(GW_SCOPE_SYSTEM, "", "", "", roles_admin, 1);
	struct gw_ident	 admin_proj = ident(GW_SCOPE_PROJECT, "p1", "demo", "Default",
			     roles_admin, 1);
	struct gw_ident	 reader_dom = ident(GW_SCOPE_DOMAIN, "d1", "dom1", "",
			     roles_reader, 1);
	struct gw_ident	 reader_p2 = ident(GW_SCOPE_PROJECT, "p2", "proj2", "Default",
			     roles_reader, 1);
	struct gw_ident	 reader_p2name = ident(GW_SCOPE_PROJECT, "zz", "p2", "Default",
			     roles_reader, 1);
	struct gw_ident	 unscoped = ident(GW_SCOPE_NONE, "", "", "", NULL, 0);

	if (p == NULL)
		return;
	T("gwpol-3.1 noauth rule without a token", strcmp(eval(p, "10.0.0.1", 8080, "GET",
	    "/healthz", NULL), "health") == 0);
	T("gwpol-3.1 noauth path is segment-wise", strcmp(eval(p, "10.0.0.1", 8080, "GET",
	    "/healthzz", NULL), "(default)") == 0);
	T("gwpol-3.1 no token, no rule", strcmp(eval(p, "10.0.0.1", 8080, "GET", "/", NULL),
	    "(default)") == 0);
	T("gwpol-3.2 admin system scope, v4 dst", strcmp(eval(p, "10.1.2.3", 8080, "GET",
	    "/", &admin_sys), "admin") == 0);
	T("gwpol-3.2 admin v6 dst and port range", strcmp(eval(p, "fd00::5", 9001, "POST",
	    "/x", &admin_sys), "admin") == 0);
	T("gwpol-3.2 dst outside the CIDRs", strcmp(eval(p, "192.168.0.1", 8080, "GET", "/",
	    &admin_sys), "(default)") == 0);
	T("gwpol-3.2 port outside the list", strcmp(eval(p, "10.0.0.1", 9002, "GET", "/",
	    &admin_sys), "(default)") == 0);
	T("gwpol-3.2 admin role but project scope", strcmp(eval(p, "10.0.0.1", 8080, "GET",
	    "/", &admin_proj), "(default)") == 0);
	T("gwpol-3.3 reject rule matches any valid token first", strcmp(eval(p, "10.0.0.1",
	    8080, "GET", "/v3/secret/x", &member), "blocked") == 0);
	T("gwpol-3.3 reject rule does not match without a token", strcmp(eval(p,
	    "10.0.0.1", 8080, "GET", "/v3/secret", NULL), "(default)") == 0);
	T("gwpol-3.4 member GET on a path", strcmp(eval(p, "10.0.0.1", 8080, "GET",
	    "/v3/users/abc", &member), "members") == 0);
	T("gwpol-3.4 member exact path", strcmp(eval(p, "10.0.0.1", 8080, "HEAD", "/v3/users",
	    &member), "members") == 0);
	T("gwpol-3.4 prefix with trailing slash", strcmp(eval(p, "10.0.0.1", 8080, "GET",
	    "/v3/projects/x", &member), "members") == 0 && strcmp(eval(p, "10.0.0.1", 8080,
	    "GET", "/v3/projects", &member), "(default)") == 0);
	T("gwpol-3.4 path prefix is segment-wise", strcmp(eval(p, "10.0.0.1", 8080, "GET",
	    "/v3/usersx", &member), "(default)") == 0);
	T("gwpol-3.4 method not allowed", strcmp(eval(p, "10.0.0.1", 8080, "DELETE",
	    "/v3/users", &member), "(default)") == 0);
	T("gwpol-3.4 role matched by id", strcmp(eval(p, "10.0.0.1", 8080, "GET", "/v3/users",
	    &byid), "members") == 0);
	T("gwpol-3.4 project domain must match", strcmp(eval(p, "10.0.0.1", 8080, "GET",
	    "/v3/users", &member_other_dom), "(default)") == 0);
	T("gwpol-3.4 unsafe path never matches a path rule", strcmp(eval(p, "10.0.0.1", 8080,
	    "GET", NULL, &member), "(default)") == 0);
	T("gwpol-3.5 domain scope by id", strcmp(eval(p, "10.0.0.1", 8080, "GET", "/",
	    &reader_dom), "dom") == 0);
	T("gwpol-3.5 project by id and by name", strcmp(eval(p, "10.0.0.1", 80, "GET", "/",
	    &reader_p2), "anyproj") == 0 && strcmp(eval(p, "10.0.0.1", 80, "GET", "/",
	    &reader_p2name), "anyproj") == 0);
	T("gwpol-3.5 unscoped token with no roles", strcmp(eval(p, "10.0.0.1", 80, "GET",
	    "/v3/users", &unscoped), "(default)") == 0);
	T("gwpol-3.6 action names", strcmp(gwp_action_name(GWP_ACCEPT), "accept") == 0 &&
	    strcmp(gwp_action_name(GWP_DROP), "drop") == 0);
	gwpolicy_free(p);
}

/* TLS (sni, alpn) and CONNECT rules. */
static void
test_tls_connect(void)
{
	struct kg_err		 err;
	struct gwpolicy		*p;
	struct pkt_flow		 f = { .family = 4, .daddr = { 10, 0, 0, 1 }, .dport = 443 };
	struct tls_hello	 th;
	struct gwp_request	 rq;
	struct gw_ident		 id = ident(GW_SCOPE_PROJECT, "p1", "demo", "Default",
				    roles_member, 1);
	const struct gwp_rule	*r;
	const char		*text =
	    "rule web  port 443 sni www.example.com,*.svc.test alpn h2,http/1.1 noauth\n"
	    "rule open port 9000 noauth\n"
	    "rule ssh  method CONNECT connect bastion.test:22,*.lab.test:* roles member\n";

	T("tls-pol-1.1 sni, alpn, connect parse", (p = parse(text, &err)) != NULL);
	if (p == NULL) {
		printf("    %s\n", err.msg);
		return;
	}
	memset(&th, 0, sizeof(th));
	strcpy(th.sni, "www.example.com");
	strcpy(th.alpn[0], "h2");
	th.nalpn = 1;
	memset(&rq, 0, sizeof(rq));
	rq.flow = &f;
	rq.tls = &th;
	r = gwpolicy_eval(p, &rq, NULL);
	T("tls-pol-1.2 SNI and ALPN match", r != NULL && strcmp(r->name, "web") == 0);
	strcpy(th.sni, "a.b.svc.test");
	T("tls-pol-1.2 *.name matches below it", gwpolicy_eval(p, &rq, NULL) != NULL);
	strcpy(th.sni, "svc.test");
	T("tls-pol-1.2 *.name is not the name itself", gwpolicy_eval(p, &rq, NULL) == NULL);
	strcpy(th.sni, "xsvc.test");
	T("tls-pol-1.2 nor a suffix inside a label", gwpolicy_eval(p, &rq, NULL) == NULL);
	strcpy(th.sni, "www.example.com");
	strcpy(th.alpn[1], "spdy/3");
	th.nalpn = 2;
	T("tls-pol-1.3 an offered protocol outside the list: no match",
	    gwpolicy_eval(p, &rq, NULL) == NULL);
	th.nalpn = 0;
	T("tls-pol-1.3 no ALPN offered: no match", gwpolicy_eval(p, &rq, NULL) == NULL);
	th.nalpn = 1;
	th.sni[0] = '\0';
	T("tls-pol-1.3 no SNI: no match", gwpolicy_eval(p, &rq, NULL) == NULL);
	f.dport = 9000;
	r = gwpolicy_eval(p, &rq, NULL);
	T("tls-pol-1.4 a noauth port rule matches TLS too", r != NULL &&
	    strcmp(r->name, "open") == 0);

	f.dport = 3128;
	memset(&rq, 0, sizeof(rq));
	rq.flow = &f;
	rq.method = "CONNECT";
	rq.method_len = 7;
	rq.authority = "bastion.test:22";
	rq.authority_len = 15;
	r = gwpolicy_eval(p, &rq, &id);
	T("tls-pol-2.1 CONNECT target and role", r != NULL && strcmp(r->name, "ssh") == 0);
	T("tls-pol-2.1 not without a token", gwpolicy_eval(p, &rq, NULL) == NULL);
	rq.authority = "bastion.test:23";
	T("tls-pol-2.2 another port", gwpolicy_eval(p, &rq, &id) == NULL);
	rq.authority = "x.lab.test:8443";
	rq.authority_len = 15;
	T("tls-pol-2.2 *.name:* any port below", gwpolicy_eval(p, &rq, &id) != NULL);
	rq.authority = NULL;
	rq.path = "/";
	rq.method = "GET";
	rq.method_len = 3;
	T("tls-pol-2.3 a connect rule never matches other requests",
	    gwpolicy_eval(p, &rq, &id) == NULL);
	gwpolicy_free(p);

	T("tls-pol-3.1 sni needs noauth", refused_at("rule x sni a.test roles *\n", 1));
	T("tls-pol-3.1 sni excludes path", refused_at("rule x sni a.test path /a noauth\n", 1));
	T("tls-pol-3.1 bad names", refused_at("rule x sni A.test noauth\n", 1) &&
	    refused_at("rule x sni a..b noauth\n", 1) && refused_at("rule x sni * noauth\n", 1) &&
	    refused_at("rule x connect a.test roles *\n", 1) &&
	    refused_at("rule x connect a.test:0 roles *\n", 1));
	{
		struct gwp_marks	 km = { 0x1, 0x2, 0x3, 0xff, 0x4 };
		struct gwpolicy		*q = gwpolicy_parse("rule x roles * mark 0x4\n", 23, &km,
					    &err);

		T("tls-pol-3.1 the kill mark is not a rule mark", q == NULL);
		gwpolicy_free(q);
	}
}

int
main(void)
{
	test_parse();
	test_eval();
	test_tls_connect();
	return t_report();
}
