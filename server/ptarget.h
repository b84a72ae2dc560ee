/*
 * ptarget.h - policy targets as Keystone's controllers build them
 * (keystone/api/ modules: build_target, _build_*_target_enforcement,
 * member_target), from objects the handler looked up; a create's from the
 * object the body describes, as Keystone's; and credentials/targets given
 * as JSON to "keygate policy check".
 *
 * A target only points at the objects' strings: they must outlive the
 * policy check. Booleans and None are static strings.
 */
#ifndef KG_PTARGET_H
#define KG_PTARGET_H

#include <jansson.h>

#include "auth/policy.h"
#include "store/assignment.h"
#include "store/catalog.h"
#include "store/identity.h"
#include "store/limit.h"

/* Which "target.<kind>" a role fills. */
enum ptarget_role_as { PT_ROLE, PT_PRIOR_ROLE, PT_IMPLIED_ROLE };

/* target.user.{id,name,domain_id,enabled,default_project_id} */
void	ptarget_user(struct policy_target *t, const struct kg_user *u);
/* target.project.{id,name,domain_id,parent_id,is_domain,enabled} */
void	ptarget_project(struct policy_target *t, const struct kg_project *p);
/* target.domain.{id,name,enabled} */
void	ptarget_domain(struct policy_target *t, const struct kg_domain *d);
/* target.group.{id,name,domain_id} */
void	ptarget_group(struct policy_target *t, const struct kg_group *g);
/* target.role / prior_role / implied_role .{id,name,domain_id} */
void	ptarget_role(struct policy_target *t, const struct kg_role *r,
	    enum ptarget_role_as as);
/* target.endpoint.{id,service_id,region_id,interface,enabled} */
void	ptarget_endpoint(struct policy_target *t, const struct kg_endpoint *e);
/*
 * target.limit (Keystone's _build_limit_enforcement_target): its
 * project_id (None for a domain limit), and target.limit.project.domain_id
 * of its project p, or target.limit.domain.id of its domain.
 */
void	ptarget_limit(struct policy_target *t, const struct kg_limit *l,
	    const struct kg_project *p);
/* target.trust.{trustor,trustee}_user_id (trusts.py's build_target) */
void	ptarget_trust(struct policy_target *t, const struct kg_trust *tr);
/* target.token.user_id and .user.domain.id of a subject token. */
void	ptarget_token(struct policy_target *t, const struct kg_ctx *subject);

/*
 * The target of a create: Keystone's controllers pass the request body's
 * object as target_attr ({"user": <body's user>}, users.py, projects.py,
 * groups.py, roles.py), so a domain manager's "token.domain.id:
 * %(target.user.domain_id)s" sees the domain the body asks for, and a body
 * without domain_id leaves the key missing (the check is false; the
 * object would land in the default or the caller's domain). Only the
 * object's own descriptive attributes are taken (name, domain_id,
 * enabled, default_project_id, parent_id, is_domain): strings as they
 * are, booleans as True/False, null as None; any other type, an "id"
 * (keygate assigns ids) and everything outside the object are never part
 * of the target (CVE-2026-42999). obj may be NULL. Strings point into
 * obj: keep it alive.
 */
void	ptarget_new_user(struct policy_target *t, json_t *obj);
void	ptarget_new_project(struct policy_target *t, json_t *obj);
void	ptarget_new_group(struct policy_target *t, json_t *obj);
void	ptarget_new_role(struct policy_target *t, json_t *obj);

/*
 * A target from JSON, nested ({"target": {"user": {"id": "u"}}}) or flat
 * ({"target.user.id": "u"}), flattened as Keystone's flatten_dict: strings
 * as they are, true/false as True/False, null as None. Strings point into
 * o (keep it alive). Unknown keys are refused (keygate never sets them).
 */
int	ptarget_from_json(json_t *o, struct policy_target *t, struct kg_err *err);

/*
 * Credentials from JSON as oslo.policy sees them: user_id,
 * user_domain_id, system_scope ("all"), domain_id, project_id,
 * project_domain_id, roles (names). The scope is system when
 * system_scope is "all", else domain when domain_id is set, else project
 * when project_id is set, else none. ctx->roles is allocated: release
 * with kg_ctx_free.
 */
int	pcreds_from_json(json_t *o, struct kg_ctx *ctx, struct kg_err *err);

#endif /* KG_PTARGET_H */
