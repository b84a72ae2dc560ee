/*
 * identity.h - domains, projects, users, groups and group membership.
 * See store/store.h for the conventions on errors and ownership.
 *
 * "extra" is a JSON object text holding attributes the client sent that
 * have no column (Keystone keeps them too, e.g. a user's "email").
 */
#ifndef KG_STORE_IDENTITY_H
#define KG_STORE_IDENTITY_H

#include "store/store.h"

#define STORE_DEFAULT_DOMAIN_ID	"default"

struct kg_domain {
	char	 id[STORE_ID_SIZE];
	char	 name[STORE_NAME_SIZE];
	char	*description;		/* never NULL after a get */
	int	 enabled;
	char	*extra;			/* JSON object text */
};

struct kg_project {
	char	 id[STORE_ID_SIZE];
	char	 name[STORE_NAME_SIZE];
	char	*description;
	char	 domain_id[STORE_ID_SIZE];
	char	 parent_id[STORE_ID_SIZE];	/* "" when top level */
	int	 enabled;
	char	*extra;
	char	**tags;			/* tags[ntags] */
	size_t	 ntags;
};

struct kg_user {
	char	 id[STORE_ID_SIZE];
	char	 name[STORE_NAME_SIZE];
	char	 domain_id[STORE_ID_SIZE];
	int	 enabled;
	char	*password_hash;		/* NULL: the user has no password */
	int64_t	 password_expires_at;	/* µs; 0: never */
	char	 default_project_id[STORE_ID_SIZE];	/* "" when unset */
	char	*extra;
	int64_t	 created_at;		/* µs */
};

struct kg_group {
	char	 id[STORE_ID_SIZE];
	char	 name[STORE_NAME_SIZE];
	char	*description;
	char	 domain_id[STORE_ID_SIZE];
	char	*extra;
};

/* Release members (not the struct). Accept zeroed structs. */
void	kg_domain_free(struct kg_domain *d);
void	kg_project_free(struct kg_project *p);
void	kg_user_free(struct kg_user *u);	/* wipes password_hash */
void	kg_group_free(struct kg_group *g);

/* Look-ups needed by authentication (KG_ENOTFOUND when absent). */
int	store_domain_get(struct store *st, const char *id, struct kg_domain *out,
	    struct kg_err *err);
int	store_domain_get_by_name(struct store *st, const char *name,
	    struct kg_domain *out, struct kg_err *err);
int	store_project_get(struct store *st, const char *id, struct kg_project *out,
	    struct kg_err *err);
int	store_project_get_by_name(struct store *st, const char *domain_id,
	    const char *name, struct kg_project *out, struct kg_err *err);
int	store_user_get(struct store *st, const char *id, struct kg_user *out,
	    struct kg_err *err);
int	store_user_get_by_name(struct store *st, const char *domain_id,
	    const char *name, struct kg_user *out, struct kg_err *err);

/*
 * Ids of the groups user_id belongs to: *ids is an array of *n strings,
 * free with store_strv_free(*ids, *n).
 */
int	store_user_group_ids(struct store *st, const char *user_id, char ***ids,
	    size_t *n, struct kg_err *err);

/*
 * Set a user's password hash (NULL clears it) and expiry (0: never).
 * The caller records the revocation event for existing tokens.
 */
int	store_user_set_password(struct store *st, const char *user_id,
	    const char *hash, int64_t expires_at, struct kg_err *err);

/*
 * Creation (used by bootstrap as well as the API). The id field must be
 * filled by the caller (kg_id_new). KG_ECONFLICT on a duplicate name (with
 * Keystone's "Conflict occurred attempting to store ..." text) or an
 * unknown domain/parent. NULL description/extra are stored as ""/"{}".
 * store_project_create also stores p->tags; it opens its own transaction
 * only when the caller has none open.
 */
int	store_domain_create(struct store *st, const struct kg_domain *d,
	    struct kg_err *err);
int	store_project_create(struct store *st, const struct kg_project *p,
	    struct kg_err *err);
int	store_user_create(struct store *st, const struct kg_user *u,
	    struct kg_err *err);

/* The remaining CRUD (list with filters, update, delete, membership) is
 * declared below by the identity module. */

#endif /* KG_STORE_IDENTITY_H */
