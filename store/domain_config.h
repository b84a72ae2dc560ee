/*
 * domain_config.h - domain-specific configuration options, one row per
 * (domain, group, option) with its value as JSON text. Which groups and
 * options exist, and which are sensitive, is svc/domain_config.c's
 * business. See store/store.h for the conventions.
 */
#ifndef KG_STORE_DOMAIN_CONFIG_H
#define KG_STORE_DOMAIN_CONFIG_H

#include "store/store.h"

#define STORE_CONFIG_NAME_SIZE	64	/* group and option names */

struct kg_config_opt {
	char	 group[STORE_CONFIG_NAME_SIZE];
	char	 option[STORE_CONFIG_NAME_SIZE];
	char	*value;		/* JSON text */
	int	 sensitive;
};

void	kg_config_opt_list_free(struct kg_config_opt *v, size_t n);

/*
 * The options of domain_id in the order they were stored, restricted to
 * group (NULL: all) and option (NULL: all of the group), and to the
 * sensitive ones or the others (sensitive -1: both).
 */
int	store_domain_config_list(struct store *st, const char *domain_id,
	    const char *group, const char *option, int sensitive,
	    struct kg_config_opt **out, size_t *n, struct kg_err *err);

/* Store one option, replacing its value when it exists. */
int	store_domain_config_put(struct store *st, const char *domain_id,
	    const struct kg_config_opt *o, struct kg_err *err);

/* Delete the domain's options: all (group NULL), a group's (option NULL)
 * or one. No error when nothing matched. */
int	store_domain_config_delete(struct store *st, const char *domain_id,
	    const char *group, const char *option, struct kg_err *err);

#endif /* KG_STORE_DOMAIN_CONFIG_H */
