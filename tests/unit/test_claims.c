/*
 * test_claims.c - the focus of this file is auth/claims.c, the token
 * claims shared by keygate and keygate-gateway: what claims_write writes
 * claims_parse reads back for every scope, and every way a payload can be
 * not quite keygate's is refused.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "auth/claims.h"
#include "common/util.h"
#include "tests/t.h"

static struct kg_role_ref roles[2];

/* A project-scoped claims set with two roles, a chain and a revision. */
static void
sample(struct kg_claims *c)
{
	memset(c, 0, sizeof(*c));
	c->iss = KG_CLAIMS_ISSUER;
	c->user_id = "u1";
	c->user_name = "alice \"the\" \\admin\\\n";
	c->user_domain_id = "default";
	c->user_domain_name = "Default";
	c->scope = KG_SCOPE_PROJECT;
	c->scope_id = "p1";
	c->scope_name = "demo";
	c->scope_domain_id = "d1";
	c->scope_domain_name = "D1";
	c->audit_id = "own-audit";
	c->audit_chain_id = "chain-audit";
	c->methods[0] = "password";
	c->methods[1] = "token";
	c->nmethods = 2;
	kg_strlcpy(roles[0].id, "r1", sizeof(roles[0].id));
	kg_strlcpy(roles[0].name, "member", sizeof(roles[0].name));
	kg_strlcpy(roles[1].id, "r2", sizeof(roles[1].id));
	kg_strlcpy(roles[1].name, "reader", sizeof(roles[1].name));
	c->roles = roles;
	c->nroles = 2;
	c->iat = 1795597615;
	c->exp = 1795601215;
	c->iat_us = 1795597615123456LL;
	c->rev = 42;
}

/* Parse the JSON text; returns claims_parse's value, *doc kept for out. */
static int
parse_text(const char *text, json_t **doc, struct kg_claims *out)
{
	*doc = json_loads(text, 0, NULL);
	return *doc == NULL ? -99 : claims_parse(*doc, out);
}

/* sample() written, one member of the JSON replaced by patch, parsed. */
static int
parse_patched(const char *key, json_t *value)
{
	struct kg_claims	 c, out;
	json_t			*doc;
	char			*text;
	int			 rc;

	sample(&c);
	text = claims_write(&c);
	doc = json_loads(text, 0, NULL);
	free(text);
	if (value == NULL)
		json_object_del(doc, key);
	else
		json_object_set_new(doc, key, value);
	rc = claims_parse(doc, &out);
	claims_free(&out);
	json_decref(doc);
	return rc;
}

static int
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

int
main(void)
{
	struct kg_claims	 c, out;
	json_t			*doc, *big;
	char			*text, key[16];
	int			 rc, i;

	/* 1. round trips */
	sample(&c);
	text = claims_write(&c);
	rc = parse_text(text, &doc, &out);
	T("claims-1.1 project scope round trip", rc == 0 && same(out.iss, "keygate") &&
	    same(out.user_id, "u1") && same(out.user_name, c.user_name) &&
	    same(out.user_domain_id, "default") && out.scope == KG_SCOPE_PROJECT &&
	    same(out.scope_id, "p1") && same(out.scope_name, "demo") &&
	    same(out.scope_domain_id, "d1") && same(out.scope_domain_name, "D1") &&
	    same(out.audit_id, "own-audit") && same(out.audit_chain_id, "chain-audit") &&
	    out.nmethods == 2 && same(out.methods[1], "token") && out.nroles == 2 &&
	    same(out.roles[1].id, "r2") && same(out.roles[1].name, "reader") &&
	    out.iat == c.iat && out.exp == c.exp && out.iat_us == c.iat_us &&
	    out.rev == 42);
	T("claims-1.2 sub and user.id both written", doc != NULL &&
	    same(json_string_value(json_object_get(doc, "sub")), "u1"));
	claims_free(&out);
	json_decref(doc);
	free(text);

	sample(&c);
	c.scope = KG_SCOPE_DOMAIN;
	c.scope_domain_id = c.scope_domain_name = "";
	c.audit_chain_id = "";
	c.rev = 0;
	text = claims_write(&c);
	rc = parse_text(text, &doc, &out);
	T("claims-1.3 domain scope, no chain, no rev", rc == 0 &&
	    out.scope == KG_SCOPE_DOMAIN && same(out.scope_id, "p1") &&
	    same(out.scope_domain_id, "") && same(out.audit_chain_id, "") &&
	    out.rev == 0 && json_object_get(doc, "rev") == NULL &&
	    json_array_size(json_object_get(doc, "audit_ids")) == 1);
	claims_free(&out);
	json_decref(doc);
	free(text);

	sample(&c);
	c.scope = KG_SCOPE_SYSTEM;
	text = claims_write(&c);
	rc = parse_text(text, &doc, &out);
	T("claims-1.4 system scope", rc == 0 && out.scope == KG_SCOPE_SYSTEM &&
	    same(out.scope_id, "") && out.nroles == 2 &&
	    json_is_true(json_object_get(json_object_get(doc, "system"), "all")));
	claims_free(&out);
	json_decref(doc);
	free(text);

	sample(&c);
	c.scope = KG_SCOPE_NONE;
	text = claims_write(&c);
	rc = parse_text(text, &doc, &out);
	T("claims-1.5 unscoped: no scope member, no roles", rc == 0 &&
	    out.scope == KG_SCOPE_NONE && out.nroles == 0 &&
	    json_object_get(doc, "roles") == NULL &&
	    json_object_get(doc, "project") == NULL);
	claims_free(&out);
	json_decref(doc);
	free(text);
	claims_free(NULL);

	/* a trust-scoped token: the trustee's (no impersonation), then the
	 * trustor's (impersonation) */
	sample(&c);
	c.user_id = "tee";
	c.trust_id = "t1";
	c.trustor_id = "tor";
	c.trustee_id = "tee";
	text = claims_write(&c);
	rc = parse_text(text, &doc, &out);
	T("claims-1.6 trust round trip", rc == 0 && same(out.trust_id, "t1") &&
	    same(out.trustor_id, "tor") && same(out.trustee_id, "tee") &&
	    out.trust_impersonation == 0 &&
	    json_is_false(json_object_get(json_object_get(doc, "OS-TRUST:trust"),
	    "impersonation")));
	claims_free(&out);
	json_decref(doc);
	free(text);
	c.user_id = "tor";
	c.trust_impersonation = 1;
	text = claims_write(&c);
	rc = parse_text(text, &doc, &out);
	T("claims-1.7 impersonating trust round trip", rc == 0 &&
	    out.trust_impersonation == 1 && same(out.user_id, "tor"));
	claims_free(&out);
	json_decref(doc);
	free(text);
	c.user_id = "tee";		/* impersonation, but the trustee's */
	text = claims_write(&c);
	rc = parse_text(text, &doc, &out);
	T("claims-1.8 an impersonating trust token of the trustee is refused",
	    rc == CLAIMS_EMALFORMED);
	claims_free(&out);
	json_decref(doc);
	free(text);
	c.scope = KG_SCOPE_DOMAIN;
	c.user_id = "tor";
	text = claims_write(&c);
	rc = parse_text(text, &doc, &out);
	T("claims-1.9 a trust on a domain-scoped token is refused",
	    rc == CLAIMS_EMALFORMED);
	claims_free(&out);
	json_decref(doc);
	free(text);
	sample(&c);
	text = claims_write(&c);
	rc = parse_text(text, &doc, &out);
	T("claims-1.10 no trust: empty trust fields, no OS-TRUST:trust", rc == 0 &&
	    same(out.trust_id, "") && json_object_get(doc, "OS-TRUST:trust") == NULL);
	claims_free(&out);
	json_decref(doc);
	free(text);

	/* 2. what is refused */
	T("claims-2.20 OS-TRUST:trust without trustee_user", parse_patched(
	    "OS-TRUST:trust", json_pack("{s:s, s:b, s:{s:s}}", "id", "t",
	    "impersonation", 1, "trustor_user", "id", "u1")) == CLAIMS_EMALFORMED);
	T("claims-2.21 OS-TRUST:trust with impersonation not a boolean",
	    parse_patched("OS-TRUST:trust", json_pack("{s:s, s:i, s:{s:s}, s:{s:s}}",
	    "id", "t", "impersonation", 1, "trustor_user", "id", "u1",
	    "trustee_user", "id", "u2")) == CLAIMS_EMALFORMED);
	T("claims-2.22 a well-formed OS-TRUST:trust on the sample parses",
	    parse_patched("OS-TRUST:trust", json_pack("{s:s, s:b, s:{s:s}, s:{s:s}}",
	    "id", "t", "impersonation", 1, "trustor_user", "id", "u1",
	    "trustee_user", "id", "u2")) == 0);
	T("claims-2.1 the sample parses", parse_patched("pad", json_string("x")) == 0);
	T("claims-2.2 no iss", parse_patched("iss", NULL) == CLAIMS_EMALFORMED);
	T("claims-2.3 iss not a string", parse_patched("iss", json_integer(1)) ==
	    CLAIMS_EMALFORMED);
	T("claims-2.4 sub differs from user.id", parse_patched("sub", json_string("u2")) ==
	    CLAIMS_EMALFORMED);
	T("claims-2.5 no sub", parse_patched("sub", NULL) == CLAIMS_EMALFORMED);
	T("claims-2.6 user without a domain", parse_patched("user",
	    json_pack("{s:s, s:s}", "id", "u1", "name", "a")) == CLAIMS_EMALFORMED);
	T("claims-2.7 user id of 65 characters", parse_patched("user",
	    json_pack("{s:s, s:s, s:{s:s, s:s}}", "id", "0123456789012345678901234567890123456789012345678901234567890123x",
	    "name", "a", "domain", "id", "d", "name", "D")) == CLAIMS_EMALFORMED);
	T("claims-2.8 a NUL inside the user name", parse_patched("user",
	    json_pack("{s:s, s:s#, s:{s:s, s:s}}", "id", "u1", "name", "a\0b", 3,
	    "domain", "id", "d", "name", "D")) == CLAIMS_EMALFORMED);
	T("claims-2.9 exp not an integer", parse_patched("exp", json_real(1.5)) ==
	    CLAIMS_EMALFORMED);
	T("claims-2.10 exp beyond year 5138", parse_patched("exp",
	    json_integer(100000000001LL)) == CLAIMS_EMALFORMED);
	T("claims-2.11 iat 0", parse_patched("iat", json_integer(0)) == CLAIMS_EMALFORMED);
	T("claims-2.12 no iat_us", parse_patched("iat_us", NULL) == CLAIMS_EMALFORMED);
	T("claims-2.13 rev 0", parse_patched("rev", json_integer(0)) == CLAIMS_EMALFORMED);
	T("claims-2.14 rev a string", parse_patched("rev", json_string("42")) ==
	    CLAIMS_EMALFORMED);
	T("claims-2.15 no audit ids", parse_patched("audit_ids", json_array()) ==
	    CLAIMS_EMALFORMED);
	T("claims-2.16 three audit ids", parse_patched("audit_ids",
	    json_pack("[s, s, s]", "a", "b", "c")) == CLAIMS_EMALFORMED);
	T("claims-2.17 an audit id of 32 characters", parse_patched("audit_ids",
	    json_pack("[s]", "0123456789abcdef0123456789abcdef")) == CLAIMS_EMALFORMED);
	T("claims-2.18 no methods", parse_patched("methods", json_array()) ==
	    CLAIMS_EMALFORMED);
	T("claims-2.19 a method not a string", parse_patched("methods",
	    json_pack("[i]", 1)) == CLAIMS_EMALFORMED);
	big = json_array();
	for (i = 0; i < KG_CLAIMS_MAX_METHODS + 1; i++) {
		snprintf(key, sizeof(key), "m%d", i);
		json_array_append_new(big, json_string(key));
	}
	T("claims-2.20 too many methods", parse_patched("methods", big) ==
	    CLAIMS_EMALFORMED);
	T("claims-2.21 project and domain at once", parse_patched("domain",
	    json_pack("{s:s, s:s}", "id", "d", "name", "D")) == CLAIMS_EMALFORMED);
	T("claims-2.22 project without its domain", parse_patched("project",
	    json_pack("{s:s, s:s}", "id", "p", "name", "P")) == CLAIMS_EMALFORMED);
	T("claims-2.23 roles not an array", parse_patched("roles", json_object()) ==
	    CLAIMS_EMALFORMED);
	T("claims-2.24 a role without a name", parse_patched("roles",
	    json_pack("[{s:s}]", "id", "r")) == CLAIMS_EMALFORMED);
	T("claims-2.25 a role with an empty id", parse_patched("roles",
	    json_pack("[{s:s, s:s}]", "id", "", "name", "r")) == CLAIMS_EMALFORMED);
	big = json_array();
	for (i = 0; i < KG_CLAIMS_MAX_ROLES + 1; i++)
		json_array_append_new(big, json_pack("{s:s, s:s}", "id", "r", "name", "r"));
	T("claims-2.26 more than KG_CLAIMS_MAX_ROLES roles", parse_patched("roles", big) ==
	    CLAIMS_EMALFORMED);
	big = json_array();
	T("claims-2.27 not an object", claims_parse(big, &out) == CLAIMS_EMALFORMED &&
	    out.user_id == NULL);
	json_decref(big);

	/* 3. the application credential claim */
	{
		struct kg_access_rule	ar[2];

		memset(ar, 0, sizeof(ar));
		kg_strlcpy(ar[0].id, "ar1", sizeof(ar[0].id));
		kg_strlcpy(ar[0].service, "compute", sizeof(ar[0].service));
		kg_strlcpy(ar[0].path, "/v2.1/servers/{id}/ips", sizeof(ar[0].path));
		kg_strlcpy(ar[0].method, "GET", sizeof(ar[0].method));
		kg_strlcpy(ar[1].id, "ar2", sizeof(ar[1].id));
		kg_strlcpy(ar[1].service, "identity", sizeof(ar[1].service));
		kg_strlcpy(ar[1].path, "/v3/**", sizeof(ar[1].path));
		kg_strlcpy(ar[1].method, "DELETE", sizeof(ar[1].method));
		sample(&c);
		c.app_cred_id = "ac1";
		c.app_cred_name = "backup \"job\"";
		c.app_cred_restricted = 1;
		c.access_rules = ar;
		c.naccess_rules = 2;
		text = claims_write(&c);
		rc = parse_text(text, &doc, &out);
		T("claims-3.1 credential, restriction and rules round trip", rc == 0 &&
		    same(out.app_cred_id, "ac1") && same(out.app_cred_name,
		    "backup \"job\"") && out.app_cred_restricted == 1 &&
		    out.naccess_rules == 2 && same(out.access_rules[0].path,
		    "/v2.1/servers/{id}/ips") && same(out.access_rules[1].method,
		    "DELETE") && same(out.access_rules[1].service, "identity") &&
		    same(out.access_rules[1].id, "ar2"));
		claims_free(&out);
		json_decref(doc);
		free(text);
		c.app_cred_restricted = 0;
		c.naccess_rules = 0;
		text = claims_write(&c);
		rc = parse_text(text, &doc, &out);
		T("claims-3.2 unrestricted, no rules: no access_rules member", rc == 0 &&
		    out.app_cred_restricted == 0 && out.naccess_rules == 0 &&
		    strstr(text, "access_rules") == NULL);
		claims_free(&out);
		json_decref(doc);
		free(text);
		sample(&c);
		text = claims_write(&c);
		rc = parse_text(text, &doc, &out);
		T("claims-3.3 no credential: \"\" and no member", rc == 0 &&
		    same(out.app_cred_id, "") && strstr(text,
		    "application_credential") == NULL);
		claims_free(&out);
		json_decref(doc);
		free(text);
	}
	T("claims-3.4 credential without restricted", parse_patched(
	    "application_credential", json_pack("{s:s, s:s}", "id", "a", "name",
	    "n")) == CLAIMS_EMALFORMED);
	T("claims-3.5 credential with an empty id", parse_patched(
	    "application_credential", json_pack("{s:s, s:s, s:b}", "id", "", "name",
	    "n", "restricted", 1)) == CLAIMS_EMALFORMED);
	T("claims-3.6 credential not an object", parse_patched(
	    "application_credential", json_string("a")) == CLAIMS_EMALFORMED);
	T("claims-3.7 rules not an array", parse_patched("application_credential",
	    json_pack("{s:s, s:s, s:b, s:{}}", "id", "a", "name", "n", "restricted",
	    1, "access_rules")) == CLAIMS_EMALFORMED);
	T("claims-3.8 a rule without a method", parse_patched(
	    "application_credential", json_pack("{s:s, s:s, s:b, s:[{s:s, s:s, s:s}]}",
	    "id", "a", "name", "n", "restricted", 1, "access_rules", "id", "r",
	    "service", "s", "path", "/")) == CLAIMS_EMALFORMED);
	T("claims-3.9 a method too long", parse_patched("application_credential",
	    json_pack("{s:s, s:s, s:b, s:[{s:s, s:s, s:s, s:s}]}", "id", "a", "name",
	    "n", "restricted", 1, "access_rules", "id", "r", "service", "s", "path",
	    "/", "method", "OPTIONSXX")) == CLAIMS_EMALFORMED);
	big = json_array();
	for (i = 0; i < KG_MAX_ACCESS_RULES + 1; i++)
		json_array_append_new(big, json_pack("{s:s, s:s, s:s, s:s}", "id", "r",
		    "service", "s", "path", "/", "method", "GET"));
	T("claims-3.10 more than KG_MAX_ACCESS_RULES rules", parse_patched(
	    "application_credential", json_pack("{s:s, s:s, s:b, s:o}", "id", "a",
	    "name", "n", "restricted", 1, "access_rules", big)) == CLAIMS_EMALFORMED);
	return t_report();
}
