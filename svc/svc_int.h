/*
 * svc_int.h - shared by the svc/ implementation files only: the rows of
 * the revocation table in svc.h, one function each (svc/revoke.c). Each
 * records the events inside the caller's transaction (svc_run) and
 * returns 0, or -1 with err.
 */
#ifndef KG_SVC_INT_H
#define KG_SVC_INT_H

#include "svc/svc.h"

/* ------------------------------------------------------------------------
 * Read, edit, write: the shape every svc_*_update shares.
 * --------------------------------------------------------------------- */

/* The store operations of one type of object (struct kg_user, ...). */
struct svc_kind {
	const char	*what;		/* "user update", for log lines */
	size_t		 size;		/* sizeof the struct */
	int		(*get)(struct store *st, const char *id, void *obj,
			    struct kg_err *err);
	int		(*put)(struct store *st, const void *obj, struct kg_err *err);
	void		(*free)(void *obj);	/* its members, not obj */
};

/*
 * static const struct svc_kind name, for objects of type struct type whose
 * store functions are get_fn(st, id, struct type *, err), put_fn(st, const
 * struct type *, err) and free_fn(struct type *).
 */
#define SVC_KIND(name, type, what, get_fn, put_fn, free_fn)		\
static int								\
name##_get(struct store *st, const char *id, void *obj, struct kg_err *err) \
{									\
	return get_fn(st, id, (struct type *)obj, err);			\
}									\
static int								\
name##_put(struct store *st, const void *obj, struct kg_err *err)	\
{									\
	return put_fn(st, (const struct type *)obj, err);		\
}									\
static void								\
name##_free(void *obj)							\
{									\
	free_fn((struct type *)obj);					\
}									\
static const struct svc_kind name = { what, sizeof(struct type),	\
	name##_get, name##_put, name##_free }

/*
 * What a type's update does besides read, edit, write (each may be NULL):
 * before(obj, cls) notes what it needs of the object as read (was it
 * enabled?); check runs after the edit, before the write (rules that look
 * at the result); after runs after the write (tags, revocations). Like
 * bodies, they may run more than once and must start from obj and cls.
 */
struct svc_hooks {
	void	(*before)(const void *obj, void *cls);
	int	(*check)(struct store *st, void *obj, void *cls, struct kg_err *err);
	int	(*after)(struct store *st, void *obj, void *cls, struct kg_err *err);
	void	*cls;
};

/*
 * In one svc_run transaction: read object id of kind k, apply edit (NULL,
 * or fn NULL: none) and the hooks (h may be NULL), write it. *out (a struct of kind k, NULL: not
 * wanted; free with the kind's free) gets the object as stored.
 */
int	svc_update(struct store *st, const struct svc_kind *k, const char *id,
	    const struct svc_edit *edit, const struct svc_hooks *h, void *out,
	    struct kg_err *err);

/* Token revoked: its audit id (matching its own and its chain's). */
int	svc_revoke_token(struct store *st, const char *audit_id,
	    struct kg_err *err);

/* Password set, user disabled or deleted, user removed from a group. */
int	svc_revoke_user(struct store *st, const char *user_id,
	    struct kg_err *err);

/* Group about to be deleted: its members, when it holds grants. */
int	svc_revoke_group(struct store *st, const char *group_id,
	    struct kg_err *err);

/* Grant about to be removed: per affected user (see svc.h). */
int	svc_revoke_grant(struct store *st, const struct svc_grant *g,
	    struct kg_err *err);

/* Role about to be deleted, or a rule "role implies ..." about to be
 * removed: the holders of role_id. */
int	svc_revoke_role(struct store *st, const char *role_id,
	    struct kg_err *err);

/* Project disabled or deleted. */
int	svc_revoke_project(struct store *st, const char *project_id,
	    struct kg_err *err);

/* Application credential about to be deleted: its tokens. */
int	svc_revoke_appcred(struct store *st, const char *user_id,
	    const char *app_cred_id, struct kg_err *err);

/* Role about to be deleted: delete the credentials it takes with it
 * (store_appcred_ids_for_role), each with svc_revoke_appcred. */
int	svc_appcred_drop_for_role(struct store *st, const char *role_id,
	    struct kg_err *err);

/* Domain disabled or deleted. */
int	svc_revoke_domain(struct store *st, const char *domain_id,
	    struct kg_err *err);

/* Trusts about to go or become unusable, chains included: those sel
 * names with id (store_trust_affected). */
int	svc_revoke_trusts(struct store *st, enum kg_trust_sel sel,
	    const char *id, struct kg_err *err);

#endif /* KG_SVC_INT_H */
