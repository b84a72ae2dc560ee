/*
 * it_domain_config.c - domain-specific configuration over HTTP (not in
 * the openstack CLI): /v3/domains/{id}/config as a whole, by group and by
 * option, the defaults under /v3/domains/config/.../default, the
 * security_compliance group, Keystone's allowed groups and options and
 * its texts, the sensitive LDAP password, and the default policy (admins
 * write, admins and system readers read).
 */
#include "tests/integration/it_admin.h"

/* The server's [security_compliance] rules the read-only group shows (any
 * password matches: the personas' are not this test's subject). */
#define PW_REGEX	"^.+$"
#define PW_DESC		"Any non-empty password."

static int
json_streq(const json_t *j, const char *want)
{
	return json_is_string(j) && strcmp(json_string_value(j), want) == 0;
}

#define INVALID	"Invalid domain specific configuration: "

struct env {
	struct it_server	 s;
	const char		*adm;
	char			*sysread, *member;
	char			 dom[64];
};

static const char *
cfg(const struct env *e)
{
	return it_fmt("/v3/domains/%s/config", e->dom);
}

static void
defaults(struct env *e)
{
	struct it_server	*s = &e->s;
	struct it_resp		 r;
	char			 msg[512];

	it_req(s, "GET", "/v3/domains/config/default", e->sysread, NULL, NULL, &r);
	T("dconfig-1.1 defaults -> 200", r.status == 200 &&
	    ia_streq(it_str(r.json, "config.identity.driver"), "sql") &&
	    json_is_null(it_get(r.json, "config.identity.list_limit")) &&
	    ia_streq(it_str(r.json, "config.ldap.url"), "ldap://localhost") &&
	    json_integer_value(it_get(r.json, "config.ldap.pool_size")) == 10 &&
	    json_is_false(it_get(r.json, "config.ldap.use_tls")) &&
	    ia_streq(it_str(r.json, "config.ldap.user_attribute_ignore.0"),
	    "default_project_id"));
	T("dconfig-1.2 no default for the password", r.json != NULL &&
	    it_get(r.json, "config.ldap.password") == NULL &&
	    json_object_size(it_get(r.json, "config.ldap")) == 49);
	it_resp_free(&r);
	it_req(s, "GET", "/v3/domains/config/identity/default", e->adm, NULL,
	    NULL, &r);
	T("dconfig-1.3 a group's defaults", r.status == 200 &&
	    json_object_size(it_get(r.json, "config")) == 1 &&
	    json_object_size(it_get(r.json, "config.identity")) == 2);
	it_resp_free(&r);
	it_req(s, "GET", "/v3/domains/config/ldap/user_tree_dn/default", e->adm,
	    NULL, NULL, &r);
	T("dconfig-1.4 an option's default", r.status == 200 &&
	    json_object_size(it_get(r.json, "config")) == 1 &&
	    json_is_null(it_get(r.json, "config.user_tree_dn")));
	it_resp_free(&r);
	T("dconfig-1.5 unknown group -> 403", ia_err(s, "GET",
	    "/v3/domains/config/resource/default", e->adm, NULL, msg,
	    sizeof(msg)) == 403 && ia_streq(msg, INVALID "Group resource is not"
	    " supported for domain specific configurations."));
	T("dconfig-1.6 unknown option -> 403", ia_err(s, "GET",
	    "/v3/domains/config/ldap/color/default", e->adm, NULL, msg,
	    sizeof(msg)) == 403 && ia_streq(msg, INVALID "Option color in group"
	    " ldap is not supported for domain specific configurations."));
	T("dconfig-1.7 the password's default -> 403", ia_err(s, "GET",
	    "/v3/domains/config/ldap/password/default", e->adm, NULL, msg,
	    sizeof(msg)) == 403 && ia_streq(msg, INVALID "Reading the default for"
	    " option password in group ldap is not supported."));
	T("dconfig-1.8 defaults as member -> 403", it_status(s, "GET",
	    "/v3/domains/config/default", e->member, NULL) == 403);
	T("dconfig-1.9 defaults without token -> 401", it_status(s, "GET",
	    "/v3/domains/config/default", NULL, NULL) == 401);
}

static void
create(struct env *e)
{
	struct it_server	*s = &e->s;
	struct it_resp		 r;
	char			 msg[512];
	const char		*body = "{\"config\": {\"identity\": {\"driver\":"
	    " \"ldap\"}, \"ldap\": {\"url\": \"ldap://myldap.com:389/\","
	    " \"user_tree_dn\": \"ou=Users,dc=org\", \"password\": \"s3cret\"}}}";

	T("dconfig-2.1 nothing yet -> 404", ia_err(s, "GET", cfg(e), e->adm, NULL,
	    msg, sizeof(msg)) == 404 && ia_streq(msg, it_fmt("Could not find any"
	    " options in domain configuration for domain %s.", e->dom)));
	T("dconfig-2.2 create as member -> 403",
	    it_status(s, "PUT", cfg(e), e->member, body) == 403);
	T("dconfig-2.3 create as system reader -> 403",
	    it_status(s, "PUT", cfg(e), e->sysread, body) == 403);
	it_req(s, "PUT", cfg(e), e->adm, body, NULL, &r);
	T("dconfig-2.4 create -> 201", r.status == 201 &&
	    ia_streq(it_str(r.json, "config.identity.driver"), "ldap") &&
	    ia_streq(it_str(r.json, "config.ldap.url"), "ldap://myldap.com:389/"));
	T("dconfig-2.5 the password is never shown", r.json != NULL &&
	    it_get(r.json, "config.ldap.password") == NULL &&
	    strstr(r.body, "s3cret") == NULL);
	it_resp_free(&r);
	it_req(s, "PUT", cfg(e), e->adm, "{\"config\": {\"identity\": {\"driver\":"
	    " \"ldap\"}, \"ldap\": {\"url\": \"ldap://myldap.com:389/\","
	    " \"user_tree_dn\": \"ou=Users,dc=org\", \"page_size\": 50}}}", NULL,
	    &r);
	T("dconfig-2.6 replace -> 200", r.status == 200 &&
	    json_integer_value(it_get(r.json, "config.ldap.page_size")) == 50);
	it_resp_free(&r);
	T("dconfig-2.7 unknown domain -> 404", ia_err(s, "PUT",
	    "/v3/domains/nope/config", e->adm, body, msg, sizeof(msg)) == 404 &&
	    ia_streq(msg, "Could not find domain: nope."));
	T("dconfig-2.8 empty config -> 403", ia_err(s, "PUT", cfg(e), e->adm,
	    "{\"config\": {}}", msg, sizeof(msg)) == 403 && ia_streq(msg,
	    INVALID "No options specified."));
	T("dconfig-2.9 no body -> 403", it_status(s, "PUT", cfg(e), e->adm,
	    NULL) == 403);
	T("dconfig-2.10 a group that is not an object -> 403", ia_err(s, "PUT",
	    cfg(e), e->adm, "{\"config\": {\"ldap\": \"x\"}}", msg, sizeof(msg)) ==
	    403 && ia_streq(msg, INVALID "The value of group ldap specified in the"
	    " config should be a dictionary of options."));
	T("dconfig-2.11 an unsupported group -> 403", ia_err(s, "PUT", cfg(e),
	    e->adm, "{\"config\": {\"token\": {\"expiration\": 1}}}", msg,
	    sizeof(msg)) == 403 && ia_streq(msg, INVALID "Group token is not"
	    " supported for domain specific configurations."));
	T("dconfig-2.12 an unsupported option -> 403", ia_err(s, "PUT", cfg(e),
	    e->adm, "{\"config\": {\"identity\": {\"domain_config_dir\": \"x\"}}}",
	    msg, sizeof(msg)) == 403 && ia_streq(msg, INVALID "Option"
	    " domain_config_dir in group identity is not supported for domain"
	    " specific configurations."));
	T("dconfig-2.13 a refused create changes nothing", ia_call(s, "GET",
	    it_fmt("%s/identity/driver", cfg(e)), e->adm, NULL, NULL, 0,
	    "config.driver", msg, sizeof(msg)) == 200 && ia_streq(msg, "ldap") &&
	    it_status(s, "GET", it_fmt("%s/ldap/page_size", cfg(e)), e->adm,
	    NULL) == 200);
}

static void
read_config(struct env *e)
{
	struct it_server	*s = &e->s;
	struct it_resp		 r;
	char			 msg[512];

	it_req(s, "GET", cfg(e), e->sysread, NULL, NULL, &r);
	T("dconfig-3.1 whole as system reader -> 200", r.status == 200 &&
	    json_object_size(it_get(r.json, "config")) == 2 &&
	    json_object_size(it_get(r.json, "config.ldap")) == 3);
	it_resp_free(&r);
	it_req(s, "GET", it_fmt("%s/ldap", cfg(e)), e->adm, NULL, NULL, &r);
	T("dconfig-3.2 a group", r.status == 200 &&
	    json_object_size(it_get(r.json, "config")) == 1 &&
	    ia_streq(it_str(r.json, "config.ldap.user_tree_dn"),
	    "ou=Users,dc=org"));
	it_resp_free(&r);
	it_req(s, "GET", it_fmt("%s/identity/driver", cfg(e)), e->adm, NULL, NULL,
	    &r);
	T("dconfig-3.3 an option", r.status == 200 &&
	    ia_streq(it_str(r.json, "config.driver"), "ldap") &&
	    json_object_size(it_get(r.json, "config")) == 1);
	it_resp_free(&r);
	T("dconfig-3.4 an unset option -> 404", ia_err(s, "GET",
	    it_fmt("%s/identity/list_limit", cfg(e)), e->adm, NULL, msg,
	    sizeof(msg)) == 404 && ia_streq(msg, it_fmt("Could not find option"
	    " list_limit in group identity in domain configuration for domain"
	    " %s.", e->dom)));
	T("dconfig-3.5 the password option -> 404 (sensitive)", it_status(s,
	    "GET", it_fmt("%s/ldap/password", cfg(e)), e->adm, NULL) == 404);
	T("dconfig-3.6 unsupported group -> 403", it_status(s, "GET",
	    it_fmt("%s/catalog", cfg(e)), e->adm, NULL) == 403);
	T("dconfig-3.7 as member -> 403",
	    it_status(s, "GET", cfg(e), e->member, NULL) == 403);
	T("dconfig-3.8 unknown domain -> 404", it_status(s, "GET",
	    "/v3/domains/nope/config", e->adm, NULL) == 404);
	T("dconfig-3.9 HEAD -> 200",
	    it_status(s, "HEAD", cfg(e), e->adm, NULL) == 200);

	/* security_compliance: any token, the default domain only */
	it_req(s, "GET", "/v3/domains/default/config/security_compliance",
	    e->member, NULL, NULL, &r);
	T("dconfig-4.1 security_compliance as member -> 200: the server's "
	    "[security_compliance] regex and description", r.status == 200 &&
	    json_streq(it_get(r.json, "config.security_compliance.password_regex"),
	    PW_REGEX) && json_streq(it_get(r.json,
	    "config.security_compliance.password_regex_description"), PW_DESC));
	it_resp_free(&r);
	T("dconfig-4.2 one of its options", it_req(s, "GET",
	    "/v3/domains/default/config/security_compliance/password_regex",
	    e->member, NULL, NULL, &r) == 0 && r.status == 200 &&
	    json_streq(it_get(r.json, "config.password_regex"), PW_REGEX) &&
	    json_object_size(json_object_get(r.json, "config")) == 1);
	it_resp_free(&r);
	T("dconfig-4.3 another option -> 403", ia_err(s, "GET",
	    "/v3/domains/default/config/security_compliance/lockout_duration",
	    e->member, NULL, msg, sizeof(msg)) == 403 && ia_streq(msg, INVALID
	    "Reading security compliance values other than password_regex and"
	    " password_regex_description is not allowed."));
	T("dconfig-4.4 another domain -> 403", ia_err(s, "GET",
	    it_fmt("%s/security_compliance", cfg(e)), e->adm, NULL, msg,
	    sizeof(msg)) == 403 && strstr(msg, "other than the default domain"));
	T("dconfig-4.5 not writable -> 403", it_status(s, "PATCH",
	    "/v3/domains/default/config/security_compliance", e->adm,
	    "{\"config\": {\"security_compliance\": {\"password_regex\": \"x\"}}}")
	    == 403);
}

static void
update(struct env *e)
{
	struct it_server	*s = &e->s;
	struct it_resp		 r;
	char			 msg[512];

	it_req(s, "PATCH", cfg(e), e->adm, "{\"config\": {\"ldap\": {\"url\":"
	    " \"ldap://other\"}}}", NULL, &r);
	T("dconfig-5.1 update whole -> 200 (merged)", r.status == 200 &&
	    ia_streq(it_str(r.json, "config.ldap.url"), "ldap://other") &&
	    ia_streq(it_str(r.json, "config.identity.driver"), "ldap") &&
	    json_object_size(it_get(r.json, "config.ldap")) == 3);
	it_resp_free(&r);
	it_req(s, "PATCH", it_fmt("%s/identity", cfg(e)), e->adm, "{\"config\":"
	    " {\"identity\": {\"driver\": \"sql\", \"list_limit\": 42}}}", NULL, &r);
	T("dconfig-5.2 update a group, adding an option -> 200", r.status == 200 &&
	    ia_streq(it_str(r.json, "config.identity.driver"), "sql") &&
	    json_integer_value(it_get(r.json, "config.identity.list_limit")) == 42);
	it_resp_free(&r);
	it_req(s, "PATCH", it_fmt("%s/identity/driver", cfg(e)), e->adm,
	    "{\"config\": {\"driver\": \"ldap\"}}", NULL, &r);
	T("dconfig-5.3 update an option -> 200 (the whole)", r.status == 200 &&
	    ia_streq(it_str(r.json, "config.identity.driver"), "ldap") &&
	    ia_streq(it_str(r.json, "config.ldap.url"), "ldap://other"));
	it_resp_free(&r);
	T("dconfig-5.4 group update naming another group -> 403", ia_err(s,
	    "PATCH", it_fmt("%s/identity", cfg(e)), e->adm, "{\"config\":"
	    " {\"ldap\": {\"url\": \"x\"}}}", msg, sizeof(msg)) == 403 &&
	    ia_streq(msg, INVALID "request to update group identity, but config"
	    " provided contains group ldap instead."));
	T("dconfig-5.5 group update with two groups -> 403", ia_err(s, "PATCH",
	    it_fmt("%s/identity", cfg(e)), e->adm, "{\"config\": {\"ldap\":"
	    " {\"url\": \"x\"}, \"identity\": {\"driver\": \"x\"}}}", msg,
	    sizeof(msg)) == 403 && ia_streq(msg, INVALID "Trying to update group"
	    " identity, so that, and only that, group must be specified in the"
	    " config."));
	T("dconfig-5.6 option update naming another option -> 403", ia_err(s,
	    "PATCH", it_fmt("%s/identity/driver", cfg(e)), e->adm, "{\"config\":"
	    " {\"list_limit\": 5}}", msg, sizeof(msg)) == 403 && ia_streq(msg,
	    INVALID "Trying to update option driver in group identity, but config"
	    " provided contains option list_limit instead."));
	T("dconfig-5.7 option update with two options -> 403", ia_err(s, "PATCH",
	    it_fmt("%s/identity/driver", cfg(e)), e->adm, "{\"config\":"
	    " {\"driver\": \"a\", \"list_limit\": 5}}", msg, sizeof(msg)) == 403 &&
	    strstr(msg, "option must be specified  in the config"));
	T("dconfig-5.8 update a group not set -> 404", it_status(s, "PATCH",
	    it_fmt("/v3/domains/default/config/ldap"), e->adm, "{\"config\":"
	    " {\"ldap\": {\"url\": \"x\"}}}") == 404);
	T("dconfig-5.9 update an option not set -> 404", ia_err(s, "PATCH",
	    it_fmt("%s/ldap/suffix", cfg(e)), e->adm, "{\"config\": {\"suffix\":"
	    " \"x\"}}", msg, sizeof(msg)) == 404 && ia_streq(msg, it_fmt("Could not"
	    " find option suffix in group ldap in domain configuration for domain"
	    " %s.", e->dom)));
	T("dconfig-5.10 update with an unsupported option -> 403", it_status(s,
	    "PATCH", cfg(e), e->adm, "{\"config\": {\"ldap\": {\"nope\": 1}}}") ==
	    403);
	T("dconfig-5.11 empty update -> 403", it_status(s, "PATCH", cfg(e),
	    e->adm, "{\"config\": {}}") == 403);
	T("dconfig-5.12 update as system reader -> 403", it_status(s, "PATCH",
	    cfg(e), e->sysread, "{\"config\": {\"ldap\": {\"url\": \"x\"}}}") ==
	    403);
	T("dconfig-5.14 an option update naming a group that is not UTF-8 -> 403",
	    ia_err(s, "PATCH", it_fmt("%s/ldap%%FF/url", cfg(e)), e->adm,
	    "{\"config\": {\"url\": \"x\"}}", msg, sizeof(msg)) == 403 &&
	    strncmp(msg, INVALID "Group ldap", strlen(INVALID "Group ldap")) ==
	    0);
	T("dconfig-5.13 update unknown domain -> 404", it_status(s, "PATCH",
	    "/v3/domains/nope/config", e->adm, "{\"config\": {\"ldap\": {\"url\":"
	    " \"x\"}}}") == 404);
}

static void
delete_config(struct env *e)
{
	struct it_server	*s = &e->s;
	char			 msg[512], d2[64];

	T("dconfig-6.1 delete as system reader -> 403", it_status(s, "DELETE",
	    cfg(e), e->sysread, NULL) == 403);
	T("dconfig-6.2 delete an option -> 204", it_status(s, "DELETE",
	    it_fmt("%s/identity/driver", cfg(e)), e->adm, NULL) == 204 &&
	    it_status(s, "GET", it_fmt("%s/identity/driver", cfg(e)), e->adm,
	    NULL) == 404 && it_status(s, "GET", it_fmt("%s/identity/list_limit",
	    cfg(e)), e->adm, NULL) == 200);
	T("dconfig-6.3 delete it again -> 404", ia_err(s, "DELETE",
	    it_fmt("%s/identity/driver", cfg(e)), e->adm, NULL, msg, sizeof(msg)) ==
	    404 && ia_streq(msg, it_fmt("Could not find option driver in group"
	    " identity in domain configuration for domain %s.", e->dom)));
	T("dconfig-6.4 delete a group -> 204", it_status(s, "DELETE",
	    it_fmt("%s/identity", cfg(e)), e->adm, NULL) == 204 && it_status(s,
	    "GET", it_fmt("%s/identity", cfg(e)), e->adm, NULL) == 404);
	T("dconfig-6.5 delete a group not set -> 404", ia_err(s, "DELETE",
	    it_fmt("%s/identity", cfg(e)), e->adm, NULL, msg, sizeof(msg)) == 404 &&
	    ia_streq(msg, it_fmt("Could not find group identity in domain"
	    " configuration for domain %s.", e->dom)));
	T("dconfig-6.6 delete an unsupported group -> 403", it_status(s,
	    "DELETE", it_fmt("%s/catalog", cfg(e)), e->adm, NULL) == 403);
	T("dconfig-6.7 delete the whole -> 204", it_status(s, "DELETE", cfg(e),
	    e->adm, NULL) == 204 && it_status(s, "GET", cfg(e), e->adm, NULL) ==
	    404);
	T("dconfig-6.8 delete the whole again -> 204 (as Keystone)", it_status(s,
	    "DELETE", cfg(e), e->adm, NULL) == 204);
	T("dconfig-6.9 delete for an unknown domain -> 404", it_status(s,
	    "DELETE", "/v3/domains/nope/config", e->adm, NULL) == 404);
	/* A deleted domain takes its configuration along. */
	ia_create(s, "/v3/domains", e->adm, "{\"domain\": {\"name\": \"dc2\"}}",
	    "domain.id", d2, sizeof(d2));
	T("dconfig-6.10 a deleted domain's configuration goes", it_status(s, "PUT",
	    it_fmt("/v3/domains/%s/config", d2), e->adm, "{\"config\":"
	    " {\"identity\": {\"driver\": \"sql\"}}}") == 201 && it_status(s,
	    "PATCH", it_fmt("/v3/domains/%s", d2), e->adm, "{\"domain\":"
	    " {\"enabled\": false}}") == 200 && it_status(s, "DELETE",
	    it_fmt("/v3/domains/%s", d2), e->adm, NULL) == 204);
}

int
main(void)
{
	static const char *const env[] = {
		"KEYGATE_SECURITY_COMPLIANCE_PASSWORD_REGEX=" PW_REGEX,
		"KEYGATE_SECURITY_COMPLIANCE_PASSWORD_REGEX_DESCRIPTION=" PW_DESC,
		NULL
	};
	struct env	 e;
	struct it_resp	 r;
	char		 proj[64] = "";
	char		*sysread, *member;	/* owned here: e is handed to
						   calls that may change it */

	memset(&e, 0, sizeof(e));
	it_start(&e.s, env);
	e.adm = e.s.admin_token;
	ia_create(&e.s, "/v3/domains", e.adm, "{\"domain\": {\"name\": \"dc\"}}",
	    "domain.id", e.dom, sizeof(e.dom));
	ia_find_id(&e.s, "/v3/projects", "projects", "admin", proj, sizeof(proj));
	sysread = ia_persona(&e.s, "dsysreader", "reader", 's', NULL);
	member = ia_persona(&e.s, "dmember", "member", 'p', proj);
	T("dconfig-0.1 set up", e.dom[0] && sysread && member);
	if (sysread == NULL)
		sysread = strdup("none");
	if (member == NULL)
		member = strdup("none");
	e.sysread = sysread;
	e.member = member;

	defaults(&e);
	create(&e);
	read_config(&e);
	update(&e);
	delete_config(&e);

	T("dconfig-0.2 clean exit", it_stop(&e.s) == 0);

	/* A server without a password regex shows nulls, as Keystone. */
	unsetenv("KEYGATE_SECURITY_COMPLIANCE_PASSWORD_REGEX");
	unsetenv("KEYGATE_SECURITY_COMPLIANCE_PASSWORD_REGEX_DESCRIPTION");
	it_start(&e.s, NULL);
	it_req(&e.s, "GET", "/v3/domains/default/config/security_compliance",
	    e.s.admin_token, NULL, NULL, &r);
	T("dconfig-4.6 no [security_compliance] regex: both null", r.status ==
	    200 && json_is_null(it_get(r.json,
	    "config.security_compliance.password_regex")) && json_is_null(
	    it_get(r.json, "config.security_compliance.password_regex_description")));
	it_resp_free(&r);
	T("dconfig-0.3 clean exit", it_stop(&e.s) == 0);
	free(sysread);
	free(member);
	return t_report();
}
