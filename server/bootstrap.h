/*
 * bootstrap.h - keystone-manage bootstrap: create (or complete) the
 * initial identity data. Idempotent: existing objects are reused, the
 * admin password is reset to the one given.
 */
#ifndef KG_BOOTSTRAP_H
#define KG_BOOTSTRAP_H

#include "common/err.h"
#include "store/store.h"

struct bootstrap_opts {
	const char	*password;	/* required */
	const char	*username;	/* "admin" */
	const char	*project_name;	/* "admin" */
	const char	*role_name;	/* "admin" */
	const char	*service_name;	/* "keystone" */
	const char	*region_id;	/* "RegionOne"; NULL/"" = no region/endpoints region */
	const char	*admin_url;	/* endpoints; NULL = not created */
	const char	*internal_url;
	const char	*public_url;
	int		 hash_rounds;	/* bcrypt cost */
	int		 mutable_roles;	/* --no-immutable-roles: the roles it
					   creates without options.immutable */
};

/*
 * Fill unset fields from OS_BOOTSTRAP_* environment variables and then
 * Keystone's defaults.
 */
void	bootstrap_opts_defaults(struct bootstrap_opts *o);

/* Run the bootstrap in one transaction. Returns 0 or -1. */
int	bootstrap_run(struct store *st, const struct bootstrap_opts *o,
	    struct kg_err *err);

#endif /* KG_BOOTSTRAP_H */
