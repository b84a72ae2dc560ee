/*
 * config.h - keygate.conf: an INI file whose every option can be
 * overridden by an environment variable KEYGATE_<SECTION>_<OPTION>
 * (upper case), e.g. KEYGATE_SERVER_LISTEN=127.0.0.1:5001.
 *
 * Precedence: built-in default < file < environment.
 * The sample keygate.conf at the top of the repository documents every
 * option; config_options() lists them for tests and --help.
 */
#ifndef KG_CONFIG_H
#define KG_CONFIG_H

#include <limits.h>
#include <stdio.h>

#include "auth/compliance.h"
#include "common/err.h"
#include "server/authlimit.h"

struct kg_config {
	/* [server] */
	char	listen[128];		/* "host:port"; IPv6 as "[::1]:5000" */
	char	data_dir[PATH_MAX];	/* holds keygate.db and keys/ */
	char	public_endpoint[512];	/* base URL clients use; "" = from Host */
	int	threads;		/* HTTP worker threads */
	long	max_request_body_size;	/* bytes; larger bodies get 413 */
	char	log_level[16];		/* debug | info | warning | error */
	int	connection_timeout;	/* idle keep-alive timeout, seconds */
	int	max_connections;	/* open at most; then the longest idle close */
	/* [database] */
	char	database[PATH_MAX];	/* "" = <data_dir>/keygate.db */
	/* [token] */
	long	expiration;		/* token lifetime, seconds */
	long	allow_expired_window;	/* seconds past expiry ?allow_expired=1 accepts */
	char	key_repository[PATH_MAX];	/* "" = <data_dir>/keys */
	int	cache_size;		/* validated tokens kept in memory */
	/* [credential] (Keystone's names) */
	char	cred_key_repository[PATH_MAX];	/* "" = <data_dir>/credential-keys */
	int	cred_auth_ttl;		/* minutes an EC2 signature stays valid */
	/* [totp], [receipt] (Keystone's names) */
	int	totp_windows;		/* included_previous_windows, 0..10 */
	long	receipt_expiration;	/* seconds an auth receipt stays valid */
	/* [identity] */
	int	password_hash_rounds;	/* bcrypt cost, 4..31 */
	int	hash_threads;		/* bcrypt threads; 0 = one per CPU */
	int	hash_queue;		/* bcrypt jobs waiting at most; then 503 */
	/* [metrics] */
	int	metrics_enabled;	/* serve GET /metrics */
	char	metrics_allow[256];	/* "" = loopback only; "any"; or a CIDR list */
	/* [unified_limit] */
	char	enforcement_model[32];	/* flat | strict_two_level */
	/* [endpoint_filter] */
	int	return_all_endpoints_if_no_filter;	/* see keygate.conf */
	/* [oslo_policy] (Keystone's names) */
	char	policy_file[PATH_MAX];	/* "" = none; relative to the config file */
	int	enforce_scope;		/* refuse tokens outside a rule's scope_types */
	int	enforce_new_defaults;	/* drop the deprecated checks OR'ed in */
	char	policy_defaults[32];	/* built-in set: keystone-22 | keystone-29 */
	/* List pages (Keystone's names): [DEFAULT] list_limit and
	 * max_db_limit, and the list_limit of [resource] (projects, domains),
	 * [identity] (users, groups), [role] and [catalog] (regions, services,
	 * endpoints). 0 = unset: the section's falls back to [DEFAULT]'s,
	 * which falls back to max_db_limit. */
	int	list_limit;
	int	max_db_limit;		/* the largest page, whatever is asked */
	int	resource_list_limit;
	int	identity_list_limit;
	int	role_list_limit;
	int	catalog_list_limit;
	/* [security_compliance] (Keystone's names; auth/compliance.h) */
	struct compliance	compliance;
	/* [rate_limit]: failed password authentications (server/authlimit.h) */
	struct authlimit_cfg	rate_limit;
};

/* Fill cfg with the built-in defaults. */
void	config_defaults(struct kg_config *cfg);

/*
 * Load path (NULL: no file) over the current values, then apply the
 * KEYGATE_* environment overrides, then derive empty paths from data_dir.
 * Unknown sections/options and bad values are errors naming the line or
 * the variable. Returns 0 or -1.
 */
int	config_load(struct kg_config *cfg, const char *path, struct kg_err *err);

/* The effective database path and key directory (after config_load). */
const char *config_db_path(const struct kg_config *cfg);
const char *config_key_dir(const struct kg_config *cfg);
const char *config_cred_key_dir(const struct kg_config *cfg);

/* Print every option as "section.option = value" (for -n / debugging). */
void	config_dump(const struct kg_config *cfg, FILE *fp);

#endif /* KG_CONFIG_H */
