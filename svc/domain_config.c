/*
 * domain_config.c - domain-specific configuration, as Keystone's
 * DomainConfigManager (keystone/resource/core.py): the groups and options
 * a domain may set, which are sensitive, their defaults, and the rules of
 * create, update and delete (see svc.h). Nothing here revokes a token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "svc/svc_int.h"

/*
 * The options Keystone 22 lets a domain set, with their defaults there
 * (keystone/conf/identity.py and ldap.py; the "default" API shows them),
 * in Keystone's order. Sensitive ones have no default shown.
 */
struct dc_option {
	const char	*group;
	const char	*option;
	const char	*dflt;		/* JSON text; NULL: sensitive */
};

static const struct dc_option options[] = {
	{ "identity", "driver", "\"sql\"" },
	{ "identity", "list_limit", "null" },
	{ "ldap", "url", "\"ldap://localhost\"" },
	{ "ldap", "user", "null" },
	{ "ldap", "suffix", "\"cn=example,cn=com\"" },
	{ "ldap", "query_scope", "\"one\"" },
	{ "ldap", "page_size", "0" },
	{ "ldap", "alias_dereferencing", "\"default\"" },
	{ "ldap", "debug_level", "null" },
	{ "ldap", "chase_referrals", "null" },
	{ "ldap", "user_tree_dn", "null" },
	{ "ldap", "user_filter", "null" },
	{ "ldap", "user_objectclass", "\"inetOrgPerson\"" },
	{ "ldap", "user_id_attribute", "\"cn\"" },
	{ "ldap", "user_name_attribute", "\"sn\"" },
	{ "ldap", "user_mail_attribute", "\"mail\"" },
	{ "ldap", "user_description_attribute", "\"description\"" },
	{ "ldap", "user_pass_attribute", "\"userPassword\"" },
	{ "ldap", "user_enabled_attribute", "\"enabled\"" },
	{ "ldap", "user_enabled_invert", "false" },
	{ "ldap", "user_enabled_mask", "0" },
	{ "ldap", "user_enabled_default", "\"True\"" },
	{ "ldap", "user_attribute_ignore", "[\"default_project_id\"]" },
	{ "ldap", "user_default_project_id_attribute", "null" },
	{ "ldap", "user_enabled_emulation", "false" },
	{ "ldap", "user_enabled_emulation_dn", "null" },
	{ "ldap", "user_enabled_emulation_use_group_config", "false" },
	{ "ldap", "user_additional_attribute_mapping", "[]" },
	{ "ldap", "group_tree_dn", "null" },
	{ "ldap", "group_filter", "null" },
	{ "ldap", "group_objectclass", "\"groupOfNames\"" },
	{ "ldap", "group_id_attribute", "\"cn\"" },
	{ "ldap", "group_name_attribute", "\"ou\"" },
	{ "ldap", "group_members_are_ids", "false" },
	{ "ldap", "group_member_attribute", "\"member\"" },
	{ "ldap", "group_desc_attribute", "\"description\"" },
	{ "ldap", "group_attribute_ignore", "[]" },
	{ "ldap", "group_additional_attribute_mapping", "[]" },
	{ "ldap", "tls_cacertfile", "null" },
	{ "ldap", "tls_cacertdir", "null" },
	{ "ldap", "use_tls", "false" },
	{ "ldap", "tls_req_cert", "\"demand\"" },
	{ "ldap", "use_pool", "true" },
	{ "ldap", "pool_size", "10" },
	{ "ldap", "pool_retry_max", "3" },
	{ "ldap", "pool_retry_delay", "0.1" },
	{ "ldap", "pool_connection_timeout", "-1" },
	{ "ldap", "pool_connection_lifetime", "600" },
	{ "ldap", "use_auth_pool", "true" },
	{ "ldap", "auth_pool_size", "100" },
	{ "ldap", "auth_pool_connection_lifetime", "60" },
	{ "ldap", "password", NULL },
};
#define NOPTIONS	(sizeof(options) / sizeof(options[0]))

static const struct dc_option *
find_option(const char *group, const char *option)
{
	size_t	i;

	for (i = 0; i < NOPTIONS; i++)
		if (strcmp(options[i].group, group) == 0 &&
		    strcmp(options[i].option, option) == 0)
			return &options[i];
	return NULL;
}

static int
group_known(const char *group)
{
	return strcmp(group, "identity") == 0 || strcmp(group, "ldap") == 0;
}

/* 403 InvalidDomainConfig: "Invalid domain specific configuration: <why>." */
static int
invalid(struct kg_err *err, const char *why)
{
	return kg_errf(err, KG_EFORBID, "Invalid domain specific configuration:"
	    " %s.", why);
}

int
svc_domain_config_check(const char *group, const char *option,
    struct kg_err *err)
{
	char	why[400];

	if (group == NULL)
		return 0;
	if (!group_known(group)) {
		snprintf(why, sizeof(why), "Group %.200s is not supported for"
		    " domain specific configurations", group);
		return invalid(err, why);
	}
	if (option != NULL && find_option(group, option) == NULL) {
		snprintf(why, sizeof(why), "Option %.100s in group %.100s is not"
		    " supported for domain specific configurations", option, group);
		return invalid(err, why);
	}
	return 0;
}

/* 404 DomainConfigNotFound for what the request named. */
static int
not_found(struct kg_err *err, const char *domain_id, const char *group,
    const char *option)
{
	if (option != NULL)
		return kg_errf(err, KG_ENOTFOUND, "Could not find option %s in group"
		    " %s in domain configuration for domain %s.", option, group,
		    domain_id);
	if (group != NULL)
		return kg_errf(err, KG_ENOTFOUND, "Could not find group %s in domain"
		    " configuration for domain %s.", group, domain_id);
	return kg_errf(err, KG_ENOTFOUND, "Could not find any options in domain"
	    " configuration for domain %s.", domain_id);
}

/*
 * Keystone's _list_to_config: {group: {option: value}} of v[n], or
 * {option: value} when one option was asked for. *out: new reference.
 */
static int
render(const struct kg_config_opt *v, size_t n, const char *option,
    json_t **out, struct kg_err *err)
{
	json_t	*o, *g, *val;
	size_t	 i;

	if ((o = json_object()) == NULL)
		goto oom;
	for (i = 0; i < n; i++) {
		if ((val = json_loads(v[i].value, JSON_DECODE_ANY, NULL)) == NULL)
			val = json_null();
		if (option != NULL) {
			json_object_set_new(o, v[i].option, val);
			continue;
		}
		if ((g = json_object_get(o, v[i].group)) == NULL) {
			g = json_object();
			if (json_object_set_new(o, v[i].group, g) == -1) {
				json_decref(val);
				goto oom;
			}
		}
		json_object_set_new(g, v[i].option, val);
	}
	*out = o;
	return 0;
 oom:
	json_decref(o);
	return kg_errf(err, KG_EINTERNAL, "out of memory");
}

/* The whitelisted options stored for a domain (group/option: as named). */
static int
get_config(struct store *st, const char *domain_id, const char *group,
    const char *option, json_t **out, struct kg_err *err)
{
	struct kg_config_opt	*v = NULL;
	size_t			 n = 0;
	int			 ret;

	if (store_domain_config_list(st, domain_id, group, option, 0, &v, &n,
	    err) == -1)
		return -1;
	ret = n == 0 ? not_found(err, domain_id, group, option) :
	    render(v, n, option, out, err);
	kg_config_opt_list_free(v, n);
	return ret;
}

int
svc_domain_config_get(struct store *st, const char *domain_id,
    const char *group, const char *option, json_t **out, struct kg_err *err)
{
	*out = NULL;
	if (svc_domain_config_check(group, option, err) == -1)
		return -1;
	return get_config(st, domain_id, group, option, out, err);
}

int
svc_domain_config_default(const char *group, const char *option, json_t **out,
    struct kg_err *err)
{
	const struct dc_option	*d;
	json_t			*o, *g = NULL, *val;
	char			 why[300];
	size_t			 i;

	*out = NULL;
	if (svc_domain_config_check(group, option, err) == -1)
		return -1;
	if (option != NULL) {
		if ((d = find_option(group, option)) == NULL || d->dflt == NULL) {
			snprintf(why, sizeof(why), "Reading the default for option"
			    " %.100s in group %.100s is not supported", option, group);
			return invalid(err, why);
		}
		if ((o = json_object()) == NULL ||
		    (val = json_loads(d->dflt, JSON_DECODE_ANY, NULL)) == NULL ||
		    json_object_set_new(o, option, val) == -1)
			goto oom;
		*out = o;
		return 0;
	}
	if ((o = json_object()) == NULL)
		goto oom;
	for (i = 0; i < NOPTIONS; i++) {
		if (options[i].dflt == NULL ||
		    (group != NULL && strcmp(group, options[i].group) != 0))
			continue;
		if ((g = json_object_get(o, options[i].group)) == NULL &&
		    (json_object_set_new(o, options[i].group, json_object()) == -1 ||
		    (g = json_object_get(o, options[i].group)) == NULL))
			goto oom;
		if ((val = json_loads(options[i].dflt, JSON_DECODE_ANY, NULL)) ==
		    NULL || json_object_set_new(g, options[i].option, val) == -1)
			goto oom;
	}
	*out = o;
	return 0;
 oom:
	json_decref(o);
	return kg_errf(err, KG_EINTERNAL, "out of memory");
}

/* ------------------------------------------------------------------------
 * Changes.
 * --------------------------------------------------------------------- */

/* Keystone's _assert_valid_config: a non-empty {group: {option: value}}
 * of supported groups and options. */
static int
check_config(const json_t *config, struct kg_err *err)
{
	const char	*group, *option;
	json_t		*opts, *v;
	char		 why[400];

	if (!json_is_object(config) || json_object_size(config) == 0)
		return invalid(err, "No options specified");
	json_object_foreach((json_t *)config, group, opts) {
		if (!json_is_object(opts) || json_object_size(opts) == 0) {
			snprintf(why, sizeof(why), "The value of group %.200s specified"
			    " in the config should be a dictionary of options", group);
			return invalid(err, why);
		}
		json_object_foreach(opts, option, v) {
			(void)v;
			if (svc_domain_config_check(group, option, err) == -1)
				return -1;
		}
	}
	return 0;
}

static int
domain_exists(struct store *st, const char *id, struct kg_err *err)
{
	struct kg_domain	d;

	memset(&d, 0, sizeof(d));
	if (store_domain_get(st, id, &d, err) == -1)
		return -1;
	kg_domain_free(&d);
	return 0;
}

/* Store every option of config (checked) for the domain. */
static int
put_config(struct store *st, const char *domain_id, const json_t *config,
    struct kg_err *err)
{
	struct kg_config_opt	 o;
	const struct dc_option	*d;
	const char		*group, *option;
	json_t			*opts, *v;
	int			 ret;

	json_object_foreach((json_t *)config, group, opts) {
		json_object_foreach(opts, option, v) {
			memset(&o, 0, sizeof(o));
			kg_strlcpy(o.group, group, sizeof(o.group));
			kg_strlcpy(o.option, option, sizeof(o.option));
			d = find_option(group, option);
			o.sensitive = d != NULL && d->dflt == NULL;
			if ((o.value = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT)) ==
			    NULL)
				return kg_errf(err, KG_EINTERNAL, "out of memory");
			ret = store_domain_config_put(st, domain_id, &o, err);
			free(o.value);
			if (ret == -1)
				return -1;
		}
	}
	return 0;
}

struct dc_change {
	const char	*domain_id;
	const char	*group;
	const char	*option;
	const json_t	*config;
	int		*created;
	json_t		*out;
};

static int
create_body(struct store *st, void *cls, struct kg_err *err)
{
	struct dc_change	*c = cls;
	struct kg_config_opt	*v = NULL;
	size_t			 n = 0;

	json_decref(c->out);
	c->out = NULL;
	if (domain_exists(st, c->domain_id, err) == -1 ||
	    check_config(c->config, err) == -1)
		return -1;
	if (store_domain_config_list(st, c->domain_id, NULL, NULL, -1, &v, &n,
	    err) == -1)
		return -1;
	kg_config_opt_list_free(v, n);
	*c->created = n == 0;
	if (store_domain_config_delete(st, c->domain_id, NULL, NULL, err) == -1 ||
	    put_config(st, c->domain_id, c->config, err) == -1)
		return -1;
	/* What Keystone returns: the whitelisted options, or {} without. */
	if (get_config(st, c->domain_id, NULL, NULL, &c->out, err) == -1) {
		if (err->kind != KG_ENOTFOUND)
			return -1;
		kg_err_clear(err);
		if ((c->out = json_object()) == NULL)
			return kg_errf(err, KG_EINTERNAL, "out of memory");
	}
	return 0;
}

int
svc_domain_config_create(struct store *st, const char *domain_id,
    const json_t *config, int *created, json_t **out, struct kg_err *err)
{
	struct dc_change	c = { domain_id, NULL, NULL, config, created, NULL };

	*out = NULL;
	if (svc_run(st, "domain config create", create_body, &c, err) == -1) {
		json_decref(c.out);
		return -1;
	}
	*out = c.out;
	return 0;
}

/* The first member's name of object o (for Keystone's "instead" texts). */
static const char *
first_key(const json_t *o)
{
	void	*it = json_object_iter((json_t *)o);

	return it != NULL ? json_object_iter_key(it) : "";
}

/* Keystone's _assert_valid_update on conf ({group: {option: value}}). */
static int
check_update(struct store *st, const struct dc_change *c, const json_t *conf,
    struct kg_err *err)
{
	struct kg_config_opt	*v = NULL;
	const json_t		*g;
	char			 why[600];
	size_t			 n = 0;

	if (check_config(conf, err) == -1 ||
	    svc_domain_config_check(c->group, c->option, err) == -1)
		return -1;
	if (c->group == NULL)
		return 0;
	g = json_object_get(conf, c->group);
	if (json_object_size(conf) != 1 || (c->option != NULL &&
	    (g == NULL || json_object_size(g) != 1))) {
		if (c->option != NULL)
			snprintf(why, sizeof(why), "Trying to update option %.100s in"
			    " group %.100s, so that, and only that, option must be"
			    " specified  in the config", c->option, c->group);
		else
			snprintf(why, sizeof(why), "Trying to update group %.100s, so"
			    " that, and only that, group must be specified in the"
			    " config", c->group);
		return invalid(err, why);
	}
	if (g == NULL) {
		snprintf(why, sizeof(why), "request to update group %.100s, but"
		    " config provided contains group %.100s instead", c->group,
		    first_key(conf));
		return invalid(err, why);
	}
	if (c->option != NULL && json_object_get(g, c->option) == NULL) {
		snprintf(why, sizeof(why), "Trying to update option %.100s in group"
		    " %.100s, but config provided contains option %.100s instead",
		    c->option, c->group, first_key(g));
		return invalid(err, why);
	}
	/* An update changes what exists: the group or option must be set. */
	if (store_domain_config_list(st, c->domain_id, c->group, c->option, -1,
	    &v, &n, err) == -1)
		return -1;
	kg_config_opt_list_free(v, n);
	if (n == 0)
		return not_found(err, c->domain_id, c->group, c->option);
	return 0;
}

static int
update_body(struct store *st, void *cls, struct kg_err *err)
{
	struct dc_change	*c = cls;
	const json_t		*conf = c->config;
	json_t			*wrap = NULL;
	int			 ret = -1;

	json_decref(c->out);
	c->out = NULL;
	if (domain_exists(st, c->domain_id, err) == -1)
		return -1;
	/* For one option the body is {option: value}: {group: body}, once
	 * the group is known to be one (a name from the URL may be any bytes,
	 * which a JSON key cannot hold). */
	if (c->group != NULL && c->option != NULL) {
		if (svc_domain_config_check(c->group, c->option, err) == -1)
			return -1;
		if ((wrap = json_object()) == NULL ||
		    json_object_set(wrap, c->group, (json_t *)c->config) == -1) {
			json_decref(wrap);
			return kg_errf(err, KG_EINTERNAL, "out of memory");
		}
		conf = wrap;
	}
	if (check_update(st, c, conf, err) == 0 &&
	    put_config(st, c->domain_id, conf, err) == 0 &&
	    get_config(st, c->domain_id, NULL, NULL, &c->out, err) == 0)
		ret = 0;
	json_decref(wrap);
	return ret;
}

int
svc_domain_config_update(struct store *st, const char *domain_id,
    const char *group, const char *option, const json_t *config, json_t **out,
    struct kg_err *err)
{
	struct dc_change	c = { domain_id, group, option, config, NULL, NULL };

	*out = NULL;
	if (svc_run(st, "domain config update", update_body, &c, err) == -1) {
		json_decref(c.out);
		return -1;
	}
	*out = c.out;
	return 0;
}

/* Python's truthiness of a JSON value (Keystone's "not current.get(o)"). */
static int
json_truthy(const char *text)
{
	json_t	*v = json_loads(text, JSON_DECODE_ANY, NULL);
	int	 t;

	if (v == NULL)
		return 0;
	switch (json_typeof(v)) {
	case JSON_STRING:
		t = json_string_length(v) > 0;
		break;
	case JSON_INTEGER:
		t = json_integer_value(v) != 0;
		break;
	case JSON_REAL:
		t = json_real_value(v) != 0.0;
		break;
	case JSON_ARRAY:
		t = json_array_size(v) > 0;
		break;
	case JSON_OBJECT:
		t = json_object_size(v) > 0;
		break;
	case JSON_TRUE:
		t = 1;
		break;
	default:
		t = 0;
		break;
	}
	json_decref(v);
	return t;
}

static int
delete_body(struct store *st, void *cls, struct kg_err *err)
{
	struct dc_change	*c = cls;
	struct kg_config_opt	*v = NULL;
	size_t			 n = 0;
	int			 present;

	if (domain_exists(st, c->domain_id, err) == -1 ||
	    svc_domain_config_check(c->group, c->option, err) == -1)
		return -1;
	if (c->group != NULL) {
		/* A partial delete needs what it names (Keystone: set, and
		 * for an option, to a value Python finds true). */
		if (store_domain_config_list(st, c->domain_id, c->group, c->option,
		    -1, &v, &n, err) == -1)
			return -1;
		present = n > 0 && (c->option == NULL || json_truthy(v[0].value));
		kg_config_opt_list_free(v, n);
		if (!present)
			return not_found(err, c->domain_id, c->group, c->option);
	}
	return store_domain_config_delete(st, c->domain_id, c->group, c->option,
	    err);
}

int
svc_domain_config_delete(struct store *st, const char *domain_id,
    const char *group, const char *option, struct kg_err *err)
{
	struct dc_change	c = { domain_id, group, option, NULL, NULL, NULL };

	return svc_run(st, "domain config delete", delete_body, &c, err);
}
