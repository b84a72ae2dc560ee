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
 * Replace a user's password hash by another hash of the same password
 * (a legacy hash upgraded after a good login): only while the stored hash
 * is still old_hash, so a password changed meanwhile is never undone. The
 * password's creation and expiry times stay; no token is revoked. Returns
 * 1 when replaced, 0 when the hash had changed, -1 on error.
 */
int	store_user_rehash_password(struct store *st, const char *user_id,
	    const char *old_hash, const char *new_hash, struct kg_err *err);

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

/* ------------------------------------------------------------------------
 * The rest of the CRUD, used by the HTTP API (server/api_domains.c,
 * api_projects.c, api_users.c, api_groups.c). Lists come back sorted by
 * id, one page of them (struct kg_page in store.h; NULL: all), as an
 * array *out of *n structs: release with the matching kg_*_list_free().
 * None of these opens a transaction unless it says so.
 * --------------------------------------------------------------------- */

void	kg_domain_list_free(struct kg_domain *v, size_t n);
void	kg_project_list_free(struct kg_project *v, size_t n);
void	kg_user_list_free(struct kg_user *v, size_t n);
void	kg_group_list_free(struct kg_group *v, size_t n);

/* Domain list filters: NULL / -1 mean "any". */
struct kg_domain_filter {
	const char		*id;		/* only this domain */
	const char		*name;
	struct kg_name_match	 match;		/* name__contains, ... */
	int			 enabled;
};

int	store_domain_list(struct store *st, const struct kg_domain_filter *f,
	    struct kg_page *pg, struct kg_domain **out, size_t *n,
	    struct kg_err *err);

/* Rewrite name, description, enabled and extra of domain d->id. */
int	store_domain_update(struct store *st, const struct kg_domain *d,
	    struct kg_err *err);

/*
 * Delete a domain and everything it owns, as Keystone does: its projects
 * (with their tags), users, groups, domain-specific roles, and every grant
 * on or by them (the foreign keys cascade); other users' default project
 * is cleared when it was one of the domain's. Run it inside a transaction.
 */
int	store_domain_delete(struct store *st, const char *id, struct kg_err *err);

/*
 * Project list filters; NULL / -1 mean "any". parent_id also matches the
 * top-level projects of the domain with that id (Keystone's parent of a
 * top-level project is its domain). The tag filters are comma-separated
 * lists with Keystone's meaning: tags = has all, tags_any = has at least
 * one, not_tags = lacks at least one, not_tags_any = has none.
 */
struct kg_project_filter {
	const char	*name;
	struct kg_name_match	 match;	/* name__contains, ... */
	const char	*domain_id;
	const char	*parent_id;
	int		 enabled;
	const char	*tags;
	const char	*tags_any;
	const char	*not_tags;
	const char	*not_tags_any;
};

int	store_project_list(struct store *st, const struct kg_project_filter *f,
	    struct kg_page *pg, struct kg_project **out, size_t *n,
	    struct kg_err *err);

/* Rewrite name, description, enabled and extra of p->id (not its tags). */
int	store_project_update(struct store *st, const struct kg_project *p,
	    struct kg_err *err);

/* Replace the project's tags with tags[ntags] (in that order). */
int	store_project_set_tags(struct store *st, const char *project_id,
	    char *const *tags, size_t ntags, struct kg_err *err);

/* Add one tag (no-op when present) / remove one (KG_ENOTFOUND
 * "Could not find project tag: <tag>." when absent). */
int	store_project_add_tag(struct store *st, const char *project_id,
	    const char *tag, struct kg_err *err);
int	store_project_delete_tag(struct store *st, const char *project_id,
	    const char *tag, struct kg_err *err);

/*
 * Delete a project with its tags and grants. KG_EFORBID with Keystone's
 * text when it has child projects, KG_ENOTFOUND when absent.
 */
int	store_project_delete(struct store *st, const char *id, struct kg_err *err);

/*
 * The ancestors of a project, nearest first (its parent, the parent's
 * parent, ...): ids into *ids[*n] (store_strv_free), and in *disabled the
 * id of the nearest disabled ancestor or "" when all are enabled.
 */
int	store_project_ancestors(struct store *st, const char *id, char ***ids,
	    size_t *n, char disabled[STORE_ID_SIZE], struct kg_err *err);

/*
 * The projects above project id, nearest first (its parent, the parent's
 * parent, ..., up to the top level of its domain), with their tags.
 * Empty for a top-level project or an unknown id.
 */
int	store_project_parents(struct store *st, const char *id,
	    struct kg_project **out, size_t *n, struct kg_err *err);

/*
 * The projects below id, level by level (children, then grandchildren,
 * ...; within a level by id), with their tags. id may be a domain's: then
 * every project of the domain. Empty for a leaf or an unknown id.
 */
int	store_project_subtree(struct store *st, const char *id,
	    struct kg_project **out, size_t *n, struct kg_err *err);

/* Number of descendants of a project (all levels) and how many are
 * enabled. Either pointer may be NULL. */
int	store_project_descendants(struct store *st, const char *id,
	    size_t *total, size_t *enabled, struct kg_err *err);

/*
 * Projects on which user_id has a role assignment, directly or through a
 * group, including inheritance (OS-INHERIT grants on a domain reach all its
 * projects; on a project, its subtree). Sorted by name.
 */
int	store_user_project_list(struct store *st, const char *user_id,
	    struct kg_project **out, size_t *n, struct kg_err *err);

/*
 * Users. NULL / -1 filters mean "any". expires_op compares the password's
 * expiry with expires_at (µs), as Keystone's ?password_expires_at=op:time;
 * a password that never expires matches none of them. password_hash is
 * not loaded.
 */
enum kg_expires_op {
	KG_EXPIRES_ANY = 0, KG_EXPIRES_LT, KG_EXPIRES_LTE, KG_EXPIRES_GT,
	KG_EXPIRES_GTE, KG_EXPIRES_EQ, KG_EXPIRES_NEQ
};

struct kg_user_filter {
	const char		*name;
	struct kg_name_match	 match;		/* name__contains, ... */
	const char		*domain_id;
	int			 enabled;
	enum kg_expires_op	 expires_op;
	int64_t			 expires_at;
};

int	store_user_list(struct store *st, const struct kg_user_filter *f,
	    struct kg_page *pg, struct kg_user **out, size_t *n,
	    struct kg_err *err);

/* Rewrite name, enabled, default_project_id and extra of u->id (not the
 * password: store_user_set_password). */
int	store_user_update(struct store *st, const struct kg_user *u,
	    struct kg_err *err);

/* Delete a user with its memberships and grants. */
int	store_user_delete(struct store *st, const char *id, struct kg_err *err);

/* Clear the default_project_id of every user whose default project is
 * project_id (Keystone does when the project is deleted). */
int	store_user_unset_default_project(struct store *st, const char *project_id,
	    struct kg_err *err);

/* Groups (KG_ENOTFOUND "Could not find group: <id>."). */
int	store_group_get(struct store *st, const char *id, struct kg_group *out,
	    struct kg_err *err);
int	store_group_get_by_name(struct store *st, const char *domain_id,
	    const char *name, struct kg_group *out, struct kg_err *err);
int	store_group_create(struct store *st, const struct kg_group *g,
	    struct kg_err *err);
/* Rewrite name, description and extra of g->id. */
int	store_group_update(struct store *st, const struct kg_group *g,
	    struct kg_err *err);
/* Delete a group with its memberships and grants. */
int	store_group_delete(struct store *st, const char *id, struct kg_err *err);
/* Groups named name in domain_id (NULL: any), matching match (NULL: no
 * name filter), one page of them in id order (NULL: all). */
int	store_group_list(struct store *st, const char *name, const char *domain_id,
	    const struct kg_name_match *match, struct kg_page *pg,
	    struct kg_group **out, size_t *n,
	    struct kg_err *err);

/* Nonzero in *yes when the group holds any role assignment. */
int	store_group_has_grants(struct store *st, const char *group_id, int *yes,
	    struct kg_err *err);

/*
 * Membership. add is idempotent (both must exist: KG_ENOTFOUND naming the
 * missing one). remove and check answer KG_ENOTFOUND "User '<u>' not found
 * in group '<g>'" when the user is not a member.
 */
int	store_group_add_user(struct store *st, const char *group_id,
	    const char *user_id, struct kg_err *err);
int	store_group_remove_user(struct store *st, const char *group_id,
	    const char *user_id, struct kg_err *err);
int	store_group_check_user(struct store *st, const char *group_id,
	    const char *user_id, struct kg_err *err);

/* Members of a group (password_hash not loaded) / groups of a user. */
int	store_group_user_list(struct store *st, const char *group_id,
	    struct kg_user **out, size_t *n, struct kg_err *err);
int	store_user_group_list(struct store *st, const char *user_id,
	    struct kg_group **out, size_t *n, struct kg_err *err);

#endif /* KG_STORE_IDENTITY_H */
