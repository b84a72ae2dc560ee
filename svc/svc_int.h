/*
 * svc_int.h - shared by the svc/ implementation files only: the rows of
 * the revocation table in svc.h, one function each (svc/revoke.c). Each
 * records the events inside the caller's transaction (svc_run) and
 * returns 0, or -1 with err.
 */
#ifndef KG_SVC_INT_H
#define KG_SVC_INT_H

#include "svc/svc.h"

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

/* Domain disabled or deleted. */
int	svc_revoke_domain(struct store *st, const char *domain_id,
	    struct kg_err *err);

#endif /* KG_SVC_INT_H */
