/*
 * appcred.h - application credentials and access rules (Keystone's
 * application_credential backend), in domain terms. See store/store.h
 * for the conventions (errors, threads, ownership); only svc/ calls the
 * functions that write.
 *
 * 404 texts are Keystone's: "Could not find Application Credential:
 * <id>." and "Could not find Access Rule: <id>.". A credential's name is
 * unique per user (409 "Conflict occurred attempting to store
 * application_credential - Duplicate entry found with name <name>."); an
 * access rule is unique per (user, service, path, method).
 */
#ifndef KG_STORE_APPCRED_H
#define KG_STORE_APPCRED_H

#include "common/types.h"
#include "store/store.h"

struct kg_appcred {
	char			 id[STORE_ID_SIZE];
	char			 name[STORE_NAME_SIZE];
	char			*secret_hash;	/* bcrypt; wiped by kg_appcred_free */
	char			*description;	/* NULL: none */
	char			 user_id[STORE_ID_SIZE];
	char			 project_id[STORE_ID_SIZE];
	int64_t			 expires_at;	/* µs; 0: never */
	int			 unrestricted;	/* 1, 0, or -1: not given (null) */
	int64_t			 created_at;	/* µs */
	struct kg_role_ref	*roles;		/* id and current name */
	size_t			 nroles;
	struct kg_access_rule	*rules;
	size_t			 nrules;
};

/* Release the members (the hash wiped); accepts a zeroed struct. */
void	kg_appcred_free(struct kg_appcred *c);
void	kg_appcred_list_free(struct kg_appcred *v, size_t n);

/* ------------------------------------------------------------------------
 * Reads.
 * --------------------------------------------------------------------- */

/* The credential by id, with its roles and access rules. KG_ENOTFOUND. */
int	store_appcred_get(struct store *st, const char *id, struct kg_appcred *out,
	    struct kg_err *err);

/* The credential called name of user_id. KG_ENOTFOUND ("Could not find
 * Application Credential: <name>."). */
int	store_appcred_get_by_name(struct store *st, const char *user_id,
	    const char *name, struct kg_appcred *out, struct kg_err *err);

/* The credentials of user_id (name: only that one; NULL: all), in
 * creation order, with roles and rules. *out: kg_appcred_list_free. */
int	store_appcred_list(struct store *st, const char *user_id, const char *name,
	    struct kg_appcred **out, size_t *n, struct kg_err *err);

/*
 * The ids of the credentials deleting role_id takes with it: those that
 * carry it, and, as Keystone does, every credential of a user who holds
 * it directly on a project, on that project. *ids: store_strv_free.
 */
int	store_appcred_ids_for_role(struct store *st, const char *role_id,
	    char ***ids, size_t *n, struct kg_err *err);

/* The access rules of credential id (none when it is gone). *out: free(). */
int	store_appcred_access_rules(struct store *st, const char *id,
	    struct kg_access_rule **out, size_t *n, struct kg_err *err);

/* Access rule id of user_id. KG_ENOTFOUND (another user's rule too). */
int	store_access_rule_get(struct store *st, const char *user_id,
	    const char *id, struct kg_access_rule *out, struct kg_err *err);

/* user_id's rule for (service, path, method). KG_ENOTFOUND. */
int	store_access_rule_find(struct store *st, const char *user_id,
	    const struct kg_access_rule *match, struct kg_access_rule *out,
	    struct kg_err *err);

/* Does access rule id exist (any user's)? */
int	store_access_rule_exists(struct store *st, const char *id, int *yes,
	    struct kg_err *err);

/* user_id's rules, each filter (NULL: any) an exact match, in creation
 * order. *out: free(). */
int	store_access_rule_list(struct store *st, const char *user_id,
	    const char *service, const char *path, const char *method,
	    struct kg_access_rule **out, size_t *n, struct kg_err *err);

/* Is access rule id used by a credential? */
int	store_access_rule_in_use(struct store *st, const char *id, int *yes,
	    struct kg_err *err);

/* ------------------------------------------------------------------------
 * Writes (svc/ only).
 * --------------------------------------------------------------------- */

/*
 * Insert c with its roles (c->roles[].id) and links to its access rules
 * (c->rules[].id, which must exist). KG_ECONFLICT with Keystone's text on
 * a duplicate name.
 */
int	store_appcred_create(struct store *st, const struct kg_appcred *c,
	    struct kg_err *err);

/* Delete a credential (its roles and rule links go with it). */
int	store_appcred_delete(struct store *st, const char *id, struct kg_err *err);

/* Insert rule r for user_id. KG_ECONFLICT when its id is taken. */
int	store_access_rule_create(struct store *st, const char *user_id,
	    const struct kg_access_rule *r, struct kg_err *err);

/* Delete user_id's rule id (KG_ENOTFOUND; KG_ECONFLICT while in use). */
int	store_access_rule_delete(struct store *st, const char *user_id,
	    const char *id, struct kg_err *err);

#endif /* KG_STORE_APPCRED_H */
