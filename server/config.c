/*
 * config.c - keygate.conf: the option table, the defaults and the derived
 * paths; parsing and KEYGATE_* overrides are common/conf.c.
 */
#include <stdio.h>
#include <string.h>

#include "auth/policy.h"
#include "common/conf.h"
#include "common/log.h"
#include "common/util.h"
#include "server/config.h"
#include "svc/svc.h"

#define STR(s, n, f)	CONF_STR(struct kg_config, s, n, f)
#define INT(s, n, f, lo, hi) CONF_INT(struct kg_config, s, n, f, lo, hi)
#define LNG(s, n, f, lo, hi) CONF_LONG(struct kg_config, s, n, f, lo, hi)
#define BOOL(s, n, f)	CONF_BOOL(struct kg_config, s, n, f)

static const struct conf_option options[] = {
	STR("server", "listen", listen),
	STR("server", "data_dir", data_dir),
	STR("server", "public_endpoint", public_endpoint),
	INT("server", "threads", threads, 1, 256),
	LNG("server", "max_request_body_size", max_request_body_size, 1024, 16777216),
	STR("server", "log_level", log_level),
	INT("server", "connection_timeout", connection_timeout, 1, 3600),
	CONF_CONNINFO(struct kg_config, "database", "connection", database),
	INT("server", "max_connections", max_connections, 64, 1000000),
	LNG("token", "expiration", expiration, 60, 31536000),
	LNG("token", "allow_expired_window", allow_expired_window, 0, 31536000),
	STR("token", "key_repository", key_repository),
	INT("token", "cache_size", cache_size, 0, 10000000),
	STR("credential", "key_repository", cred_key_repository),
	INT("credential", "auth_ttl", cred_auth_ttl, 1, 1440),
	INT("totp", "included_previous_windows", totp_windows, 0, 10),
	LNG("receipt", "expiration", receipt_expiration, 0, 86400),
	INT("identity", "password_hash_rounds", password_hash_rounds, 4, 31),
	INT("identity", "hash_threads", hash_threads, 0, 256),
	INT("identity", "hash_queue", hash_queue, 0, 100000),
	BOOL("metrics", "enabled", metrics_enabled),
	STR("metrics", "allow", metrics_allow),
	STR("unified_limit", "enforcement_model", enforcement_model),
	BOOL("endpoint_filter", "return_all_endpoints_if_no_filter",
	    return_all_endpoints_if_no_filter),
	STR("oslo_policy", "policy_file", policy_file),
	BOOL("oslo_policy", "enforce_scope", enforce_scope),
	BOOL("oslo_policy", "enforce_new_defaults", enforce_new_defaults),
	STR("oslo_policy", "defaults", policy_defaults),
	INT("DEFAULT", "list_limit", list_limit, 0, 1000000),
	INT("DEFAULT", "max_db_limit", max_db_limit, 1, 1000000),
	INT("resource", "list_limit", resource_list_limit, 0, 1000000),
	INT("identity", "list_limit", identity_list_limit, 0, 1000000),
	INT("role", "list_limit", role_list_limit, 0, 1000000),
	INT("catalog", "list_limit", catalog_list_limit, 0, 1000000),
	INT("security_compliance", "lockout_failure_attempts",
	    compliance.lockout_failure_attempts, 0, 1000000),
	LNG("security_compliance", "lockout_duration", compliance.lockout_duration,
	    0, 315360000),
	INT("security_compliance", "disable_user_account_days_inactive",
	    compliance.disable_user_account_days_inactive, 0, 36500),
	INT("security_compliance", "password_expires_days",
	    compliance.password_expires_days, 0, 36500),
	INT("security_compliance", "unique_last_password_count",
	    compliance.unique_last_password_count, 0, 100),
	INT("security_compliance", "minimum_password_age",
	    compliance.minimum_password_age, 0, 36500),
	STR("security_compliance", "password_regex", compliance.password_regex),
	STR("security_compliance", "password_regex_description",
	    compliance.password_regex_description),
	BOOL("security_compliance", "change_password_upon_first_use",
	    compliance.change_password_upon_first_use),
	BOOL("rate_limit", "enabled", rate_limit.enabled),
	INT("rate_limit", "address_failures", rate_limit.address_failures, 1, 1000000),
	INT("rate_limit", "address_interval", rate_limit.address_interval, 1, 86400),
	INT("rate_limit", "user_failures", rate_limit.user_failures, 1, 1000000),
	INT("rate_limit", "user_interval", rate_limit.user_interval, 1, 86400),
	INT("rate_limit", "remember", rate_limit.remember, 1, 604800),
	INT("rate_limit", "table_size", rate_limit.table_size, 64, 16777216),
};
#define NOPTIONS	CONF_NOPTS(options)

static char	db_path_buf[PATH_MAX + 32];
static char	key_dir_buf[PATH_MAX + 32];
static char	cred_key_dir_buf[PATH_MAX + 32];

void
config_defaults(struct kg_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	kg_strlcpy(cfg->listen, "127.0.0.1:5000", sizeof(cfg->listen));
	kg_strlcpy(cfg->data_dir, "/var/lib/keygate", sizeof(cfg->data_dir));
	cfg->threads = 2;
	cfg->max_request_body_size = 114688;	/* Keystone's default */
	kg_strlcpy(cfg->log_level, "info", sizeof(cfg->log_level));
	cfg->connection_timeout = 30;
	cfg->max_connections = 4096;
	cfg->expiration = 3600;
	cfg->allow_expired_window = 172800;	/* Keystone's default: 48 h */
	cfg->cache_size = 10000;	/* ~1.5 KB each: ~15 MB when full */
	cfg->cred_auth_ttl = 15;		/* Keystone's [credential] auth_ttl */
	cfg->totp_windows = 1;			/* Keystone's [totp] default */
	cfg->receipt_expiration = 300;		/* Keystone's [receipt] default */
	cfg->password_hash_rounds = 12;		/* Keystone's bcrypt default */
	cfg->hash_threads = 0;			/* one per CPU */
	cfg->hash_queue = 64;
	cfg->metrics_enabled = 1;
	kg_strlcpy(cfg->enforcement_model, "flat", sizeof(cfg->enforcement_model));
	cfg->return_all_endpoints_if_no_filter = 1;	/* Keystone's default */
	/*
	 * Keystone's latest release as it ships (oslo.policy >= 4.4 enforces
	 * scope and the new defaults): secure RBAC. keystone-22 with both
	 * flags off is the legacy behaviour (README: Policy).
	 */
	kg_strlcpy(cfg->policy_defaults, "keystone-29", sizeof(cfg->policy_defaults));
	cfg->enforce_scope = 1;
	cfg->enforce_new_defaults = 1;
	cfg->max_db_limit = 1000;		/* Keystone's default (2025.1) */
	/* Keystone's defaults: every feature off but the lockout duration. */
	cfg->compliance.lockout_duration = 1800;
	/* README "Failed-login rate limit": the budget and why. */
	cfg->rate_limit.enabled = 1;
	cfg->rate_limit.address_failures = 30;
	cfg->rate_limit.address_interval = 2;
	cfg->rate_limit.user_failures = 10;
	cfg->rate_limit.user_interval = 30;
	cfg->rate_limit.remember = 900;
	cfg->rate_limit.table_size = 65536;
}

/*
 * A relative policy_file is relative to the configuration file's
 * directory (oslo.config looks there first too).
 */
static int
resolve_policy_file(struct kg_config *cfg, const char *conf_path,
    struct kg_err *err)
{
	char		 buf[PATH_MAX];
	const char	*slash;

	if (cfg->policy_file[0] == '\0' || cfg->policy_file[0] == '/' ||
	    conf_path == NULL || (slash = strrchr(conf_path, '/')) == NULL)
		return 0;
	if ((size_t)snprintf(buf, sizeof(buf), "%.*s/%s", (int)(slash - conf_path),
	    conf_path, cfg->policy_file) >= sizeof(cfg->policy_file))
		return kg_errf(err, KG_EBADREQ, "oslo_policy.policy_file: path too long");
	kg_strlcpy(cfg->policy_file, buf, sizeof(cfg->policy_file));
	return 0;
}

int
config_load(struct kg_config *cfg, const char *path, struct kg_err *err)
{
	enum log_level		lvl;
	enum svc_limit_model	model;

	if (path != NULL && conf_load_file(options, NOPTIONS, cfg, path, err) == -1)
		return -1;
	if (conf_apply_env(options, NOPTIONS, cfg, "KEYGATE", CONF_ENV_NAME_VAR,
	    err) == -1)
		return -1;
	if (log_level_parse(cfg->log_level, &lvl) == -1)
		return kg_errf(err, KG_EBADREQ, "server.log_level: unknown level %s",
		    cfg->log_level);
	if (cfg->data_dir[0] == '\0')
		return kg_errf(err, KG_EBADREQ, "server.data_dir must be set");
	if (svc_limit_model_parse(cfg->enforcement_model, &model) == -1)
		return kg_errf(err, KG_EBADREQ, "unified_limit.enforcement_model:"
		    " unknown model %s (flat or strict_two_level)",
		    cfg->enforcement_model);
	compliance_fini(&cfg->compliance);
	if (compliance_init(&cfg->compliance, err) == -1)
		return -1;
	if (policy_defaults_find(cfg->policy_defaults) == NULL)
		return kg_errf(err, KG_EBADREQ, "oslo_policy.defaults: %s is not "
		    "keystone-22 or keystone-29", cfg->policy_defaults);
	return resolve_policy_file(cfg, path, err);
}

const char *
config_db_path(const struct kg_config *cfg)
{
	if (cfg->database[0] != '\0')
		return cfg->database;
	snprintf(db_path_buf, sizeof(db_path_buf), "%s/keygate.db", cfg->data_dir);
	return db_path_buf;
}

const char *
config_key_dir(const struct kg_config *cfg)
{
	if (cfg->key_repository[0] != '\0')
		return cfg->key_repository;
	snprintf(key_dir_buf, sizeof(key_dir_buf), "%s/keys", cfg->data_dir);
	return key_dir_buf;
}

const char *
config_cred_key_dir(const struct kg_config *cfg)
{
	if (cfg->cred_key_repository[0] != '\0')
		return cfg->cred_key_repository;
	snprintf(cred_key_dir_buf, sizeof(cred_key_dir_buf), "%s/credential-keys",
	    cfg->data_dir);
	return cred_key_dir_buf;
}

void
config_dump(const struct kg_config *cfg, FILE *fp)
{
	conf_dump(options, NOPTIONS, cfg, fp);
}
