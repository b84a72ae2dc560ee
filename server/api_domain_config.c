/*
 * api_domain_config.c - domain-specific configuration, as Keystone serves
 * it (keystone/api/domains.py DomainConfig*, DefaultConfig*):
 * /v3/domains/{id}/config[/{group}[/{option}]] and
 * /v3/domains/config[/{group}[/{option}]]/default. The rules (groups and
 * options a domain may set, sensitive ones, the texts) are
 * svc/domain_config.c's; here: parse, authorize, render.
 *
 * The group "security_compliance" is read-only and only for the default
 * domain: it shows the server's [security_compliance] password_regex and
 * password_regex_description (auth/compliance.h), null when unset, as
 * Keystone shows its CONF's.
 */
#include <string.h>

#include "auth/compliance.h"
#include "server/apijson.h"
#include "server/views.h"
#include "store/identity.h"
#include "svc/svc.h"

static int
reply_config(struct req *r, json_t *config, int status, struct kg_err *err)
{
	return apij_reply_member(r, "config", config, status, err);
}

/* An option's value: its text, or null when unset ("" in the rules). */
static json_t *
compliance_value(const char *v)
{
	return v[0] != '\0' ? json_string(v) : json_null();
}

/* GET /v3/domains/{id}/config/security_compliance[/{option}] */
static int
get_security_compliance(struct req *r, const char *option, struct kg_err *err)
{
	static const char *const readable[] = { "password_regex",
	    "password_regex_description", NULL };
	const struct compliance	*c = compliance_get();
	json_t			*o;
	size_t			 i;

	if (req_authorize(r, "identity:get_security_compliance_domain_config",
	    NULL, err) == -1)
		return -1;
	if (strcmp(r->params[0], STORE_DEFAULT_DOMAIN_ID) != 0)
		return kg_errf(err, KG_EFORBID, "Invalid domain specific"
		    " configuration: Reading security compliance information for"
		    " any domain other than the default domain is not allowed or"
		    " supported.");
	if (option != NULL) {
		for (i = 0; readable[i] != NULL && strcmp(readable[i], option); i++)
			;
		if (readable[i] == NULL)
			return kg_errf(err, KG_EFORBID, "Invalid domain specific"
			    " configuration: Reading security compliance values"
			    " other than password_regex and"
			    " password_regex_description is not allowed.");
		return reply_config(r, json_pack("{s:o}", option,
		    compliance_value(i == 0 ? c->password_regex :
		    c->password_regex_description)), 200, err);
	}
	o = json_pack("{s:{s:o, s:o}}", "security_compliance", "password_regex",
	    compliance_value(c->password_regex), "password_regex_description",
	    compliance_value(c->password_regex_description));
	return reply_config(r, o, 200, err);
}

static int
get_config(struct req *r, const char *group, const char *option,
    struct kg_err *err)
{
	json_t	*o;

	if (group != NULL && strcmp(group, "security_compliance") == 0)
		return get_security_compliance(r, option, err);
	if (req_authorize(r, "identity:get_domain_config", NULL, err) == -1)
		return -1;
	if (svc_domain_config_get(r->st, r->params[0], group, option, &o,
	    err) == -1)
		return -1;
	return reply_config(r, o, 200, err);
}

static int
update_config(struct req *r, const char *group, const char *option,
    struct kg_err *err)
{
	json_t	*c, *o;
	int	 ret;

	if (req_authorize(r, "identity:update_domain_config", NULL, err) == -1)
		return -1;
	if ((c = apij_body_member(r, "config", err)) == NULL)
		return -1;
	ret = svc_domain_config_update(r->st, r->params[0], group, option, c, &o,
	    err);
	json_decref(c);
	if (ret == -1)
		return -1;
	return reply_config(r, o, 200, err);
}

static int
delete_config(struct req *r, const char *group, const char *option,
    struct kg_err *err)
{
	if (req_authorize(r, "identity:delete_domain_config", NULL, err) == -1)
		return -1;
	if (svc_domain_config_delete(r->st, r->params[0], group, option,
	    err) == -1)
		return -1;
	return 204;
}

/* PUT /v3/domains/{id}/config: 201 for a new configuration, 200 when it
 * replaces one. */
static int
create_config(struct req *r, struct kg_err *err)
{
	json_t	*c, *o;
	int	 created = 0, ret;

	if (req_authorize(r, "identity:create_domain_config", NULL, err) == -1)
		return -1;
	if ((c = apij_body_member(r, "config", err)) == NULL)
		return -1;
	ret = svc_domain_config_create(r->st, r->params[0], c, &created, &o, err);
	json_decref(c);
	if (ret == -1)
		return -1;
	return reply_config(r, o, created ? 201 : 200, err);
}

static int
get_whole(struct req *r, struct kg_err *err)
{
	return get_config(r, NULL, NULL, err);
}

static int
get_group(struct req *r, struct kg_err *err)
{
	return get_config(r, r->params[1], NULL, err);
}

static int
get_option(struct req *r, struct kg_err *err)
{
	return get_config(r, r->params[1], r->params[2], err);
}

static int
update_whole(struct req *r, struct kg_err *err)
{
	return update_config(r, NULL, NULL, err);
}

static int
update_group(struct req *r, struct kg_err *err)
{
	return update_config(r, r->params[1], NULL, err);
}

static int
update_option(struct req *r, struct kg_err *err)
{
	return update_config(r, r->params[1], r->params[2], err);
}

static int
delete_whole(struct req *r, struct kg_err *err)
{
	return delete_config(r, NULL, NULL, err);
}

static int
delete_group(struct req *r, struct kg_err *err)
{
	return delete_config(r, r->params[1], NULL, err);
}

static int
delete_option(struct req *r, struct kg_err *err)
{
	return delete_config(r, r->params[1], r->params[2], err);
}

/* GET /v3/domains/config[/{group}[/{option}]]/default */
static int
get_default(struct req *r, const char *group, const char *option,
    struct kg_err *err)
{
	json_t	*o;

	if (req_authorize(r, "identity:get_domain_config_default", NULL,
	    err) == -1)
		return -1;
	if (svc_domain_config_default(group, option, &o, err) == -1)
		return -1;
	return reply_config(r, o, 200, err);
}

static int
get_default_whole(struct req *r, struct kg_err *err)
{
	return get_default(r, NULL, NULL, err);
}

static int
get_default_group(struct req *r, struct kg_err *err)
{
	return get_default(r, r->params[0], NULL, err);
}

static int
get_default_option(struct req *r, struct kg_err *err)
{
	return get_default(r, r->params[0], r->params[1], err);
}

/* The defaults come first: "config" is a path segment there, where the
 * other routes have a domain id (Keystone's router prefers it too). */
const struct route api_domain_config_routes[] = {
	{ "GET",	"/v3/domains/config/default",	get_default_whole, R_AUTH },
	{ "GET",	"/v3/domains/config/{}/default", get_default_group, R_AUTH },
	{ "GET",	"/v3/domains/config/{}/{}/default", get_default_option,
	    R_AUTH },
	{ "GET",	"/v3/domains/{}/config",	get_whole,	R_AUTH },
	{ "PUT",	"/v3/domains/{}/config",	create_config,	R_AUTH },
	{ "PATCH",	"/v3/domains/{}/config",	update_whole,	R_AUTH },
	{ "DELETE",	"/v3/domains/{}/config",	delete_whole,	R_AUTH },
	{ "GET",	"/v3/domains/{}/config/{}",	get_group,	R_AUTH },
	{ "PATCH",	"/v3/domains/{}/config/{}",	update_group,	R_AUTH },
	{ "DELETE",	"/v3/domains/{}/config/{}",	delete_group,	R_AUTH },
	{ "GET",	"/v3/domains/{}/config/{}/{}",	get_option,	R_AUTH },
	{ "PATCH",	"/v3/domains/{}/config/{}/{}",	update_option,	R_AUTH },
	{ "DELETE",	"/v3/domains/{}/config/{}/{}",	delete_option,	R_AUTH },
	{ NULL, NULL, NULL, 0 }
};
