/*
 * svc.h - the service layer: every change keygate makes to its state.
 *
 * One change = one function = one transaction. Each svc_* function runs
 * its body through svc_run (below): inside the transaction the body
 * re-reads what the change depends on (that the user, project, role, group
 * or domain exists; Keystone's hierarchy rules; the current row of a
 * PATCH), writes, and records the revocation events the change implies
 * (the table below). What is acknowledged is therefore consistent, and
 * complete with its consequences. The callers are the HTTP handlers
 * (server/api_*.c) and keygate bootstrap; svc/ is the only caller of the
 * store_* functions that write.
 *
 * Errors: 0, or -1 with err: KG_ENOTFOUND with Keystone's "Could not find
 * <type>: <id>." texts, KG_ECONFLICT (duplicates), KG_EBADREQ / KG_EFORBID
 * (Keystone's rules, with its texts), KG_EUNAVAIL (the database stayed busy
 * through every retry), KG_EINTERNAL.
 *
 * Threads: a struct store is one connection; pass the calling thread's
 * own (store_thread()). Strings are borrowed for the call.
 *
 * ------------------------------------------------------------------------
 * Who loses tokens when something changes
 * ------------------------------------------------------------------------
 * The events (store/revoke.h) are written in the change's own transaction;
 * keygate's validation and offline checkers (keygate-gateway, which reads
 * GET /v3/OS-REVOKE/events) apply them alike. Each row is one function of
 * svc/revoke.c. A change not listed revokes nothing: creations, grants and
 * memberships added, renames and other attributes, the catalog.
 *
 *   change                          events                          written by
 *   ------------------------------  ------------------------------  --------------------
 *   token revoked                   audit_id: the token and those   svc_token_revoke
 *                                   rescoped from it (its chain)
 *   password set, changed, cleared  user_id                         svc_user_update,
 *                                                                   svc_user_change_password
 *   user disabled or deleted        user_id; trust_id of the trusts svc_user_update,
 *                                   where it is trustor or trustee  svc_user_delete
 *                                   and of those redelegated from
 *                                   them (a chain's tokens do not
 *                                   name its middle users)
 *   user disabled for inactivity    user_id; trust_id of its trusts svc_user_disable_inactive
 *   ([security_compliance]          (as a disable above)
 *   disable_user_account_days_
 *   inactive; found at a login)
 *   account locked (failed          none: a lock refuses logins     svc_user_auth_failed
 *   logins, lockout_failure_        only. Tokens already issued
 *   attempts)                       stay valid, as in Keystone:
 *                                   failures are what an attacker
 *                                   controls, and must not end the
 *                                   user's sessions
 *   password expired                none: refused at the next login
 *   user removed from a group       user_id                         svc_group_remove_user
 *   group deleted while it holds    user_id of each member          svc_group_delete,
 *   grants                                                          svc_domain_delete
 *   grant removed                   for the user, or each member    svc_grant_delete
 *                                   of the group: user_id +
 *                                   project_id or domain_id of a
 *                                   direct project or domain grant;
 *                                   user_id alone for inherited
 *                                   and system grants (they reach
 *                                   tokens of other scopes)
 *   role deleted                    user_id of each holder: granted svc_role_delete,
 *                                   it or a role implying it, on    svc_domain_delete (its
 *                                   any target, directly or         domain-specific roles)
 *                                   through a group
 *   rule "prior implies r" removed  user_id of each holder of prior svc_implied_delete
 *   project disabled or deleted     project_id; when deleted, also  svc_project_update,
 *                                   trust_id of its trusts and of   svc_project_delete
 *                                   those redelegated from them
 *   project deleted with its        the same for each project       svc_project_delete_subtree
 *   subtree (cascade)               deleted
 *   domain disabled or deleted      domain_id: tokens of its users, svc_domain_update,
 *                                   of its projects, scoped to it;  svc_domain_delete
 *                                   trust_id of the trusts of its
 *                                   users and projects, and of
 *                                   their redelegations
 *   trust deleted                   trust_id of it and of every     svc_trust_delete
 *                                   trust redelegated from it
 *   application credential deleted  user_id + app_cred_id: the      svc_appcred_delete
 *                                   tokens issued with it
 *   role deleted: the credentials   user_id + app_cred_id of each   svc_role_delete,
 *   that carry it, and (Keystone)   (besides the holders' user_id   svc_domain_delete
 *   every credential of a direct    events above)
 *   holder on that project, are
 *   deleted
 *
 * A trust event carries its trustor's user_id too (it is found by that
 * index key, see auth/revocation.h). A trust-scoped token matches a
 * user's event when the user is its trustor or trustee: a password
 * change, a removed grant or group membership or a deleted role of the
 * trustor's ends the trust's tokens through the rows above. A trust that
 * expires needs no event: its tokens expire with it (their expiry is
 * capped at the trust's).
 *
 * Application credentials and the rows above: a credential goes with its
 * user and its project (foreign keys; the user_id and project_id events of
 * those rows cover its tokens). A disabled user's credentials stay, as in
 * Keystone, and refuse to log in (401) until the user is enabled again;
 * the user_id event covers their tokens. A user who loses a role (grant
 * removed, membership removed, role or implication deleted) loses, by the
 * rows above, every token that could carry it, those of credentials too;
 * a credential's later tokens carry only the roles it names that the user
 * still holds on its project, and none at all is a refusal (Keystone's
 * rule, applied at issue and again at validation).
 *
 * The admin APIs revoke nothing, as in Keystone: unified limits
 * (svc_registered_limit_*, svc_limit*), policies and their endpoint
 * associations (svc_policy_*), endpoint groups and project endpoint
 * associations (svc_endpoint_group_*, svc_project_endpoint*: they change
 * the catalog of project-scoped tokens, which is built at validation and
 * cached by generation, not revoked) and domain configuration
 * (svc_domain_config_*).
 *
 * Credentials (/v3/credentials, EC2) revoke nothing when they change or
 * go, as in Keystone: a token issued through POST /v3/ec2tokens lives on
 * like any other. They go with their user or project, in the same
 * transaction (foreign keys).
 */
#ifndef KG_SVC_H
#define KG_SVC_H

#include <jansson.h>

#include "store/appcred.h"
#include "store/assignment.h"
#include "store/catalog.h"
#include "store/credential.h"
#include "store/domain_config.h"
#include "store/epfilter.h"
#include "store/identity.h"
#include "store/limit.h"
#include "store/policies.h"
#include "store/store.h"
#include "store/trust.h"

/* ------------------------------------------------------------------------
 * Transactions.
 * --------------------------------------------------------------------- */

/* How many times svc_run runs a body that keeps failing with KG_ERETRY. */
#define SVC_MAX_ATTEMPTS	5

/* A transaction body: 0, or -1 with err. */
typedef int	(*svc_body_fn)(struct store *st, void *cls, struct kg_err *err);

/*
 * Run body(st, cls, err) in one transaction and commit it (GNU Taler's
 * run_transaction). When the store reports KG_ERETRY (another connection
 * holds the lock: SQLite's SQLITE_BUSY / SQLITE_LOCKED; a serialization
 * failure or deadlock on PostgreSQL), the transaction is rolled back and
 * the body run again, up to SVC_MAX_ATTEMPTS times with a growing,
 * jittered pause; after the last, KG_EUNAVAIL. Any other error rolls back
 * at once and is returned as the body left it.
 *
 * So a body may run more than once: it must start from its inputs (reset
 * what it fills), and do nothing outside the store (no I/O, no hashing, no
 * global state) -- compute those before, publish after.
 *
 * Called inside another svc_run's body (keygate bootstrap runs all its
 * steps in one transaction), svc_run runs the body inside that
 * transaction: the outermost call commits, and retries the whole when an
 * inner body fails with KG_ERETRY. Inside a read transaction
 * (store_read_begin) it refuses (KG_EINTERNAL). what names the change in
 * log lines.
 */
int	svc_run(struct store *st, const char *what, svc_body_fn body, void *cls,
	    struct kg_err *err);

/*
 * A change to an existing object, applied inside the transaction to the
 * object as stored: read, edit, write, so that concurrent PATCHes of other
 * attributes are not lost. fn edits the object at obj (a struct kg_user
 * for svc_user_update, a struct kg_project for svc_project_update, ...)
 * in place from what cls holds, typically the request body; it may refuse
 * the change (-1 with err) after looking at the current values. Like a
 * body it may run more than once, and must do nothing but edit obj.
 */
struct svc_edit {
	int	(*fn)(void *obj, void *cls, struct kg_err *err);
	void	*cls;
};

/* ------------------------------------------------------------------------
 * Domains.
 * --------------------------------------------------------------------- */

/* Create d (id filled by the caller). KG_ECONFLICT on a duplicate name. */
int	svc_domain_create(struct store *st, const struct kg_domain *d,
	    struct kg_err *err);

/*
 * Edit domain id (struct kg_domain) and store it; disabling revokes its
 * tokens. *out (NULL: not wanted; kg_domain_free) is the domain as stored.
 */
int	svc_domain_update(struct store *st, const char *id,
	    const struct svc_edit *edit, struct kg_domain *out, struct kg_err *err);

/*
 * Delete a disabled domain and everything it owns (Keystone: 403 "Cannot
 * delete a domain that is enabled, please disable it first."): its users,
 * groups, projects and domain-specific roles, with every grant on or by
 * them, revoking what that takes away (the table above). An immutable
 * domain, or one owning an immutable project or role, is refused (403)
 * with nothing deleted.
 */
int	svc_domain_delete(struct store *st, const char *id, struct kg_err *err);

/* ------------------------------------------------------------------------
 * Projects.
 * --------------------------------------------------------------------- */

/* Keystone's max_project_tree_depth and per-project tag limit. */
#define SVC_PROJECT_MAX_DEPTH	5
#define SVC_MAX_TAGS		80

/*
 * Create p (id filled by the caller) with its tags, under Keystone's
 * rules: its domain exists (else 400); a parent_id equal to the domain id,
 * or empty, makes a top-level project (p->parent_id is cleared); otherwise
 * the parent exists (400), is in the same domain (400), is not acting as
 * another domain (400), has no disabled project above or at it (400), and
 * the new level stays within svc_project_max_depth() (403; 5 levels, 2
 * under the strict_two_level limit model).
 */
int	svc_project_create(struct store *st, struct kg_project *p,
	    struct kg_err *err);

/*
 * Edit project id (struct kg_project, with its tags) and store it, tags
 * too when set_tags. Enabling needs no disabled ancestor, disabling no
 * enabled descendant (403, Keystone's texts); disabling revokes the
 * project's tokens. *out (NULL: not wanted; kg_project_free) as stored.
 */
int	svc_project_update(struct store *st, const char *id,
	    const struct svc_edit *edit, int set_tags, struct kg_project *out,
	    struct kg_err *err);

/*
 * Delete a leaf project (403 with Keystone's text when it has children,
 * or when it is immutable), its tags and grants; users with it as default
 * project lose that; its tokens are revoked.
 */
int	svc_project_delete(struct store *st, const char *id, struct kg_err *err);

/*
 * Delete project id and every project below it (Keystone's delete_project
 * with cascade), as svc_project_delete deletes each: the projects below
 * must all be disabled (403 "Cannot delete project <id> since its subtree
 * contains enabled projects."), and none of them, nor id, immutable (403).
 */
int	svc_project_delete_subtree(struct store *st, const char *id,
	    struct kg_err *err);

/*
 * The tags of project id, or of domain id seen as a project (kept in the
 * domain's extra). Refused (403, Keystone's "Cannot create|update|delete
 * project tags for <id>, project is immutable. ...") when it is immutable.
 * Replace them with tags[n] (n == 0: clear them).
 */
int	svc_project_tags_set(struct store *st, const char *id, char *const *tags,
	    size_t n, struct kg_err *err);

/* Add a tag (no-op when present; 400 beyond SVC_MAX_TAGS) / delete one
 * (404 "Could not find project tag: <tag>."). */
int	svc_project_tag_add(struct store *st, const char *id, const char *tag,
	    struct kg_err *err);
int	svc_project_tag_delete(struct store *st, const char *id, const char *tag,
	    struct kg_err *err);

/* ------------------------------------------------------------------------
 * Users.
 * --------------------------------------------------------------------- */

/*
 * Create u (id filled by the caller; password_hash already hashed or
 * NULL). Its domain must exist (404); its default project, when it names a
 * domain, is refused (400, as Keystone; a project that does not exist is
 * accepted, as Keystone does). u->password_expires_at is set as stored:
 * [security_compliance] change_password_upon_first_use (now) or
 * password_expires_days, unless the options in u->extra exempt the user.
 */
int	svc_user_create(struct store *st, struct kg_user *u, struct kg_err *err);

/* A PATCH of a user: the edit (struct kg_user), and the new password. */
struct svc_user_change {
	struct svc_edit	 edit;		/* fn NULL: no other change */
	int		 set_password;	/* store password_hash below */
	const char	*password_hash;	/* already hashed; NULL clears it */
	int		 enable;	/* the body says "enabled": true */
};

/*
 * Apply c to user id. A new password, or disabling the user, revokes its
 * tokens. *out (NULL: not wanted; kg_user_free) is the user as stored.
 *
 * Security compliance (auth/compliance.h), as Keystone's update_user: a
 * new password moves the old one into the history, is not self-service,
 * and expires at once under change_password_upon_first_use (unless the
 * user's ignore_change_password_upon_first_use), else after
 * password_expires_days (unless ignore_password_expiry). A user left
 * enabled has its failed logins forgotten (an update unlocks it);
 * enabling counts as activity for disable_user_account_days_inactive.
 * The password history is not checked here: administrators may reuse.
 */
int	svc_user_update(struct store *st, const char *id,
	    const struct svc_user_change *c, struct kg_user *out,
	    struct kg_err *err);

/* Delete a user with its memberships and grants; revokes its tokens. */
int	svc_user_delete(struct store *st, const char *id, struct kg_err *err);

/*
 * The self-service password change: the caller has verified the original
 * password against verified_hash (bcrypt, before the transaction), and the
 * new one against the password rules and history (bcrypt too). The change
 * is made only if the user still has that hash and is enabled -- else
 * KG_EUNAUTH "Invalid user / password", as for a wrong password -- and the
 * user's lock_password option is off and the current password, when the
 * user set it, is older than minimum_password_age (400, Keystone's
 * texts); the old hash joins the history, the new one is self-service
 * and expires after password_expires_days. Revokes the user's tokens.
 */
int	svc_user_change_password(struct store *st, const char *id,
	    const char *verified_hash, const char *new_hash, struct kg_err *err);

/*
 * A good login against a legacy (plain bcrypt) hash: store new_hash, a
 * hash of the same password in the current format, while the user still
 * has old_hash (a change that raced it wins). Revokes nothing, keeps the
 * password's age. 1 when replaced, 0 when the hash had changed, -1 on
 * error.
 */
int	svc_user_rehash_password(struct store *st, const char *id,
	    const char *old_hash, const char *new_hash, struct kg_err *err);

/* ------------------------------------------------------------------------
 * Authentication outcomes (security compliance, svc/compliance.c). The
 * rules are auth/compliance.h's, under the options compliance_get()
 * returns; the authentication itself is auth/'s (tokens_issue), which
 * reports what it found, and the caller records it here.
 * --------------------------------------------------------------------- */

/* A wrong password for user_id: one more failure on record (a lock that
 * has run out starts again from one). Revokes nothing (see the table). */
int	svc_user_auth_failed(struct store *st, const char *user_id,
	    struct kg_err *err);

/* A successful login: failures forgotten, last_active_at set (once a day,
 * when disable_user_account_days_inactive is on). Callers skip it when
 * the login saw no failures and svc_user_activity_due is false: then it
 * would change nothing, and a write transaction is not free. */
int	svc_user_auth_succeeded(struct store *st, const char *user_id,
	    struct kg_err *err);

/* Is last_active_at (as read) to be set by a login now? */
int	svc_user_activity_due(int64_t last_active_at);

/* A login found user_id inactive for disable_user_account_days_inactive
 * days: if it still is as stored, disable it and revoke its tokens. */
int	svc_user_disable_inactive(struct store *st, const char *user_id,
	    struct kg_err *err);

/* ------------------------------------------------------------------------
 * Groups and membership.
 * --------------------------------------------------------------------- */

/* Create g (id filled by the caller); its domain must exist (404). */
int	svc_group_create(struct store *st, const struct kg_group *g,
	    struct kg_err *err);

/* Edit group id (struct kg_group) and store it; *out as stored (NULL:
 * not wanted). */
int	svc_group_update(struct store *st, const char *id,
	    const struct svc_edit *edit, struct kg_group *out, struct kg_err *err);

/* Delete a group, with its memberships and grants; if it held grants,
 * its members' tokens are revoked. */
int	svc_group_delete(struct store *st, const char *id, struct kg_err *err);

/* Add a user to a group (idempotent; 404 naming whichever is missing) /
 * remove one (404 "User '<u>' not found in group '<g>'"), revoking the
 * user's tokens. */
int	svc_group_add_user(struct store *st, const char *group_id,
	    const char *user_id, struct kg_err *err);
int	svc_group_remove_user(struct store *st, const char *group_id,
	    const char *user_id, struct kg_err *err);

/* ------------------------------------------------------------------------
 * Roles and implied roles.
 * --------------------------------------------------------------------- */

/* Keystone's [assignment] prohibited_implied_role default. */
#define SVC_PROHIBITED_IMPLIED_ROLE	"admin"

/*
 * Keystone's resource option "immutable" on roles, projects and domains
 * (keystone/common/resource_options/options/immutable.py): kept in the
 * object's extra JSON as {"options": {"immutable": true}}. An immutable
 * object cannot be deleted (403, svc_immutable_delete's text), nor
 * changed except to clear the option itself (the handler's edit checks
 * that on the stored object: svc_immutable_update's text); a project's
 * tags neither.
 */
int	svc_extra_immutable(const char *extra);
int	svc_role_immutable(const struct kg_role *r);

/* 403 "Unable to update|delete immutable <type> resource: `<id>. Set
 * resource option "immutable" to false first." Return -1. */
int	svc_immutable_update(struct kg_err *err, const char *type,
	    const char *id);
int	svc_immutable_delete(struct kg_err *err, const char *type,
	    const char *id);

/* Create r (id filled by the caller); a domain role's domain must exist
 * (404). KG_ECONFLICT on a duplicate name. */
int	svc_role_create(struct store *st, const struct kg_role *r,
	    struct kg_err *err);

/* Edit role id (struct kg_role) and store it; *out as stored (NULL: not
 * wanted). The edit decides what an immutable role allows. */
int	svc_role_update(struct store *st, const char *id,
	    const struct svc_edit *edit, struct kg_role *out, struct kg_err *err);

/* Delete a role (403 when immutable), with its grants and inference rules,
 * revoking the tokens of everyone who held it. */
int	svc_role_delete(struct store *st, const char *id, struct kg_err *err);

/*
 * Add the rule "prior implies implied" (idempotent). Both roles exist
 * (404); the implied role is not SVC_PROHIBITED_IMPLIED_ROLE (403 "<id>
 * cannot be an implied roles."); a global role does not imply a
 * domain-specific one (403).
 */
int	svc_implied_create(struct store *st, const char *prior_id,
	    const char *implied_id, struct kg_err *err);

/* Remove a rule (404 "<prior> does not imply <implied>."); the holders of
 * prior lose the implied role: their tokens are revoked. */
int	svc_implied_delete(struct store *st, const char *prior_id,
	    const char *implied_id, struct kg_err *err);

/* ------------------------------------------------------------------------
 * Grants.
 * --------------------------------------------------------------------- */

/* A grant, as the URL names it. */
struct svc_grant {
	int			 is_group;	/* actor: a group, else a user */
	const char		*actor_id;
	enum kg_scope_kind	 kind;		/* PROJECT, DOMAIN or SYSTEM */
	const char		*target_id;	/* ignored for the system */
	const char		*role_id;
	int			 inherited;	/* OS-INHERIT inherited_to_projects */
};

/*
 * Grant (idempotent). The role, the user or group, and the project or
 * domain exist (404 each, checked in that order, as Keystone); a
 * domain-specific role is refused on the system (400) and on a project of
 * another domain (403).
 */
int	svc_grant_create(struct store *st, const struct svc_grant *g,
	    struct kg_err *err);

/* Remove a grant (404 with Keystone's "Could not find role assignment
 * ..." text), revoking what it gave (the table above). */
int	svc_grant_delete(struct store *st, const struct svc_grant *g,
	    struct kg_err *err);

/* ------------------------------------------------------------------------
 * The catalog: regions, services, endpoints. None of these revokes.
 * --------------------------------------------------------------------- */

/* store_region_create's rules: parent exists (404), id unused (409). */
int	svc_region_create(struct store *st, const struct kg_region *r,
	    struct kg_err *err);
/* Edit region id (struct kg_region); a parent must exist and not be the
 * region or below it. *out as stored (NULL: not wanted). */
int	svc_region_update(struct store *st, const char *id,
	    const struct svc_edit *edit, struct kg_region *out, struct kg_err *err);
/* Delete a region and the regions below it, unless one has endpoints
 * (403). */
int	svc_region_delete(struct store *st, const char *id, struct kg_err *err);

int	svc_service_create(struct store *st, const struct kg_service *s,
	    struct kg_err *err);
int	svc_service_update(struct store *st, const char *id,
	    const struct svc_edit *edit, struct kg_service *out, struct kg_err *err);
/* Delete a service and its endpoints. */
int	svc_service_delete(struct store *st, const char *id, struct kg_err *err);

/* How an endpoint's region is given (Keystone's region_id and the legacy
 * "region" attribute). */
enum svc_region_ref {
	SVC_REGION_KEEP = 0,	/* unchanged (update) / none (create) */
	SVC_REGION_CLEAR,	/* no region */
	SVC_REGION_ID,		/* region_id: the region must exist (400) */
	SVC_REGION_LEGACY	/* "region": created when missing */
};

/*
 * Create e (id filled by the caller) with its region set as how says
 * (region_id: the region's id). The service must exist (400 "Expecting to
 * find endpoint service_id in service table. ...").
 */
int	svc_endpoint_create(struct store *st, struct kg_endpoint *e,
	    enum svc_region_ref how, const char *region_id, struct kg_err *err);

/* Edit endpoint id (struct kg_endpoint), then set its region as how says;
 * a changed service_id must name a service (400). *out as stored. */
int	svc_endpoint_update(struct store *st, const char *id,
	    const struct svc_edit *edit, enum svc_region_ref how,
	    const char *region_id, struct kg_endpoint *out, struct kg_err *err);
int	svc_endpoint_delete(struct store *st, const char *id, struct kg_err *err);

/* ------------------------------------------------------------------------
 * Application credentials and access rules.
 * --------------------------------------------------------------------- */

/*
 * A new application credential. The handler fills c (id, name,
 * secret_hash already hashed, description, user_id, project_id,
 * expires_at, unrestricted, created_at, roles[].id) and the access rules
 * asked for: each either a reference to one of the user's rules by id
 * (service "" ) or a (service, path, method), with an id to give it when
 * it is new ("": generate). Rule ids found or created are written into
 * rules_out (nrules of them, same order, duplicates kept once) for the
 * reply.
 */
struct svc_appcred_new {
	struct kg_appcred		 c;		/* c.rules/c.nrules unused */
	const struct kg_access_rule	*rules;		/* as asked */
	size_t				 nrules;
	struct kg_access_rule		*rules_out;	/* room for nrules */
	size_t				 nrules_out;
};

/*
 * Create: the user and project exist (404); the user holds every role on
 * the project now (400 "Invalid application credential: Could not find
 * role assignment with role: ..., user or group: ..., project, domain, or
 * system: ...."); a rule given by id is one of the user's (400 "Invalid
 * application credential: Could not find Access Rule: <id>."); a rule
 * given by its fields is the user's existing one or a new one; the name is
 * unused for the user (409).
 */
int	svc_appcred_create(struct store *st, struct svc_appcred_new *n,
	    struct kg_err *err);

/* Delete credential id (404), revoking the tokens issued with it. */
int	svc_appcred_delete(struct store *st, const char *id, struct kg_err *err);

/* Delete user_id's access rule id: 404 when it is not the user's, 403
 * "May not delete access rule in use" while a credential uses it. */
int	svc_access_rule_delete(struct store *st, const char *user_id,
	    const char *id, struct kg_err *err);

/* ------------------------------------------------------------------------
 * Unified limits (svc/limit.c). None of these revokes.
 * --------------------------------------------------------------------- */

/* [unified_limit] enforcement_model. */
enum svc_limit_model {
	SVC_LIMIT_FLAT = 0,		/* "flat": no hierarchy rule */
	SVC_LIMIT_STRICT_TWO_LEVEL	/* "strict_two_level" */
};

/*
 * Set the enforcement model, once, at start-up before any thread calls
 * svc/ (default: flat). It decides the rules of svc_limits_create and
 * svc_limit_update, and the project depth svc_project_create allows: at
 * most SVC_PROJECT_MAX_DEPTH levels, 2 under strict_two_level (a domain's
 * projects and their children), as Keystone.
 */
void	svc_set_limit_model(enum svc_limit_model m);
enum svc_limit_model	svc_limit_model(void);

/* The model by its configuration name ("flat", "strict_two_level"): 0, or
 * -1 when unknown. */
int	svc_limit_model_parse(const char *name, enum svc_limit_model *m);

/* GET /v3/limits/model's name and description of m. */
const char	*svc_limit_model_name(enum svc_limit_model m);
const char	*svc_limit_model_description(enum svc_limit_model m);

/* The deepest project level the model allows (top-level projects are 1). */
int	svc_project_max_depth(void);

/*
 * Create v[n] (ids filled by the caller), all or none, as Keystone: each
 * names a service and a region that exist (else 400 "Expecting to find
 * service_id in registered_limit. ..."); then none may repeat the
 * service, region and resource of another (409 "Conflict occurred
 * attempting to store registered_limit - Duplicate entry.").
 */
int	svc_registered_limits_create(struct store *st,
	    const struct kg_registered_limit *v, size_t n, struct kg_err *err);

/* A PATCH of a registered limit: what the body sets. */
struct svc_registered_limit_change {
	const char	*service_id;	/* NULL: unchanged */
	int		 set_region;
	const char	*region_id;	/* with set_region: NULL = none */
	const char	*resource_name;	/* NULL: unchanged */
	int		 set_default;
	int64_t		 default_limit;
	int		 set_description;
	const char	*description;	/* with set_description: NULL = null */
};

/*
 * Apply c to registered limit id: a given service or region must exist
 * (400), the registered limit exist (404 "Could not find registered limit
 * for <id>.") and have no limit referring to it (403 "Unable to update or
 * delete registered limit <id> because there are project limits
 * associated with it."), and the result repeat no other (409). *out (NULL:
 * not wanted) as stored.
 */
int	svc_registered_limit_update(struct store *st, const char *id,
	    const struct svc_registered_limit_change *c,
	    struct kg_registered_limit *out, struct kg_err *err);

/* Delete (404; 403 while limits refer to it, as for an update). */
int	svc_registered_limit_delete(struct store *st, const char *id,
	    struct kg_err *err);

/*
 * Create v[n] (ids filled by the caller; each with project_id or
 * domain_id, service_id, region_id or "", resource_name, resource_limit,
 * description), all or none, in Keystone's order: the service, region,
 * project or domain exist (400 "Expecting to find <attr> in limit. ...");
 * a project_id naming a domain makes a domain limit (Keystone's projects
 * acting as domains); the enforcement model accepts them (403 "Invalid
 * resource limit: ..."); each has a registered limit (403 "Unable to
 * create a limit that has no corresponding registered limit.") and is
 * the only limit of its project or domain for it (409). v[i].domain_id,
 * project_id and registered_limit_id are filled in as stored.
 */
int	svc_limits_create(struct store *st, struct kg_limit *v, size_t n,
	    struct kg_err *err);

/* A PATCH of a limit. */
struct svc_limit_change {
	int		 set_limit;
	int64_t		 resource_limit;
	int		 set_description;
	const char	*description;	/* NULL: null */
};

/* Apply c to limit id (404 "Could not find limit for <id>."), checked by
 * the enforcement model (403). *out (NULL: not wanted) as stored. */
int	svc_limit_update(struct store *st, const char *id,
	    const struct svc_limit_change *c, struct kg_limit *out,
	    struct kg_err *err);
int	svc_limit_delete(struct store *st, const char *id, struct kg_err *err);

/*
 * Under strict_two_level, the projects deeper than the model allows
 * (which Keystone refuses to start with): 0, or -1 with err naming them
 * (Keystone's text). Always 0 under flat.
 */
int	svc_limit_check_depth(struct store *st, struct kg_err *err);

/* ------------------------------------------------------------------------
 * Policies and OS-ENDPOINT-POLICY (svc/policies.c). None of these revokes.
 * --------------------------------------------------------------------- */

int	svc_policy_create(struct store *st, const struct kg_policy *p,
	    struct kg_err *err);
/* Edit policy id (struct kg_policy); *out as stored (NULL: not wanted). */
int	svc_policy_update(struct store *st, const char *id,
	    const struct svc_edit *edit, struct kg_policy *out, struct kg_err *err);
/* Delete a policy with its associations. */
int	svc_policy_delete(struct store *st, const char *id, struct kg_err *err);

/*
 * Associate policy_id with the endpoint, service or service and region of
 * t (replacing the policy the target had), or remove that association
 * (no error when there is none). The policy, then the endpoint, service
 * and region named must exist (404 each, in that order).
 */
int	svc_policy_associate(struct store *st, const char *policy_id,
	    const struct kg_policy_target *t, struct kg_err *err);
int	svc_policy_dissociate(struct store *st, const char *policy_id,
	    const struct kg_policy_target *t, struct kg_err *err);

/* ------------------------------------------------------------------------
 * Endpoint groups and project endpoint filtering (svc/epfilter.c). None
 * of these revokes: the catalog of a project's tokens follows them.
 * --------------------------------------------------------------------- */

/* The attributes an endpoint group may filter on. */
#define SVC_ENDPOINT_GROUP_FILTERS	"service_id or region_id or interface"

/* Whether filters (a JSON object) names only service_id, region_id and
 * interface: 0, or -1 with Keystone's 400. */
int	svc_endpoint_group_filters_check(const json_t *filters,
	    struct kg_err *err);

/* Create g (id filled by the caller); its filter_* fields are derived
 * from its filters. */
int	svc_endpoint_group_create(struct store *st, struct kg_endpoint_group *g,
	    struct kg_err *err);
/* Edit endpoint group id (struct kg_endpoint_group); *out as stored. */
int	svc_endpoint_group_update(struct store *st, const char *id,
	    const struct svc_edit *edit, struct kg_endpoint_group *out,
	    struct kg_err *err);
/* Delete, with its project associations. */
int	svc_endpoint_group_delete(struct store *st, const char *id,
	    struct kg_err *err);

/* Associate a project with an endpoint: the endpoint, then the project
 * exist (404); 409 when it is already. Remove: 404 ("Endpoint <e> not
 * found in project <p>") when it is not. */
int	svc_project_endpoint_add(struct store *st, const char *project_id,
	    const char *endpoint_id, struct kg_err *err);
int	svc_project_endpoint_remove(struct store *st, const char *project_id,
	    const char *endpoint_id, struct kg_err *err);

/* Associate a project with an endpoint group: the project, then the group
 * exist (404); 409 when it is already. Remove: the same 404s, then 404
 * "Endpoint Group Project Association not found". */
int	svc_project_endpoint_group_add(struct store *st, const char *group_id,
	    const char *project_id, struct kg_err *err);
int	svc_project_endpoint_group_remove(struct store *st,
	    const char *group_id, const char *project_id, struct kg_err *err);

/* ------------------------------------------------------------------------
 * Domain-specific configuration (svc/domain_config.c): Keystone's groups
 * "identity" and "ldap" with their allowed options ("password" in ldap is
 * sensitive: stored, never shown). keygate stores and serves it as
 * Keystone does; like Keystone with its default
 * domain_specific_drivers_enabled = false, it does not use it (keygate has
 * only its SQL identity backend). None of these revokes.
 * --------------------------------------------------------------------- */

/*
 * Keystone's _assert_valid_group_and_option: group NULL (all), or a
 * supported group; option NULL, or one of the group's. 0, or -1 with 403
 * "Invalid domain specific configuration: Group <g> is not supported for
 * domain specific configurations." (or the option's text).
 */
int	svc_domain_config_check(const char *group, const char *option,
	    struct kg_err *err);

/*
 * The domain's configuration (group and option NULL: all; option NULL:
 * the group), sensitive options left out, as Keystone renders it: {group:
 * {option: value}}, or {option: value} for one option. 403 for a group or
 * option not supported; 404 "Could not find <what> in domain configuration
 * for domain <id>." when nothing is stored. *out: a new reference.
 */
int	svc_domain_config_get(struct store *st, const char *domain_id,
	    const char *group, const char *option, json_t **out,
	    struct kg_err *err);

/*
 * Keystone's defaults of the options a domain may set (group and option
 * NULL: all; 403 as svc_domain_config_check, and for a sensitive option).
 * *out: a new reference shaped as for svc_domain_config_get.
 */
int	svc_domain_config_default(const char *group, const char *option,
	    json_t **out, struct kg_err *err);

/*
 * Replace the configuration of domain_id (404 "Could not find domain:
 * <id>.") with config ({group: {option: value}}: 403 "Invalid domain
 * specific configuration: ..." when empty, malformed or naming what is
 * not supported). *created: whether the domain had none before. *out as
 * svc_domain_config_get renders the whole (a new reference).
 */
int	svc_domain_config_create(struct store *st, const char *domain_id,
	    const json_t *config, int *created, json_t **out, struct kg_err *err);

/*
 * Merge config into the configuration of domain_id, as Keystone's
 * update_config: the whole (group and option NULL), one group (config
 * holds that group only, which must exist: 404) or one option (config is
 * {option: value}; the option must exist). *out: the whole, as stored.
 */
int	svc_domain_config_update(struct store *st, const char *domain_id,
	    const char *group, const char *option, const json_t *config,
	    json_t **out, struct kg_err *err);

/* Delete the whole configuration, a group or an option of domain_id (404
 * for the domain; 403 as svc_domain_config_check; 404 when the group or
 * option is not set). */
int	svc_domain_config_delete(struct store *st, const char *domain_id,
	    const char *group, const char *option, struct kg_err *err);

/* ------------------------------------------------------------------------
 * Credentials. Blobs come sealed (auth/credkeys.h); none of these revokes.
 * --------------------------------------------------------------------- */

/* Create c: its user (404 "Could not find user: <id>.") and project, when
 * it has one (404), exist; KG_ECONFLICT on a duplicate id (an EC2 access
 * key used twice). */
int	svc_credential_create(struct store *st, const struct kg_credential *c,
	    struct kg_err *err);

/* Replace the sealed blob of credential id (404 when gone). */
int	svc_credential_set_blob(struct store *st, const char *id,
	    const char *sealed, const char *key_hash, struct kg_err *err);

/*
 * The re-encryption of a key rotation: replace the blob only if it is
 * still sealed under old_key_hash (*changed = 0 otherwise: a PATCH
 * re-sealed it meanwhile).
 */
int	svc_credential_reseal(struct store *st, const char *id,
	    const char *old_key_hash, const char *sealed, const char *key_hash,
	    int *changed, struct kg_err *err);

int	svc_credential_delete(struct store *st, const char *id,
	    struct kg_err *err);

/* ------------------------------------------------------------------------
 * Trusts (OS-TRUST).
 * --------------------------------------------------------------------- */

/* Keystone's [trust] max_redelegation_count default. */
#define SVC_TRUST_MAX_REDELEGATION	3

/* A trust to create, as the request gives it (its shape already checked). */
struct svc_trust_new {
	/*
	 * id (filled by the caller), trustor_user_id (the caller's user),
	 * trustee_user_id, project_id ("": none), impersonation, expires_at
	 * (0: none), remaining_uses (KG_TRUST_UNLIMITED: none), extra, and
	 * roles, each by id, or by a global role's name (id "").
	 */
	struct kg_trust	 t;
	int		 allow_redelegation;
	int		 redelegation_count;	/* -1: not given */
	/* The trust of the caller's trust-scoped token (a redelegation);
	 * NULL: the caller's token is not trust-scoped. */
	const char	*redelegated_trust_id;
	int		 max_redelegation_count;	/* [trust] option */
};

/*
 * Create a trust as Keystone 22's POST /v3/OS-TRUST/trusts does, after the
 * handler's own checks (policy, the trustor is the caller, a project needs
 * roles): the trustee exists (404 "Could not find user: <id>."); a role
 * named by name is a global role (404 "Role <name> is not defined"); the
 * project exists (404) and the trustor holds every role on it, directly,
 * through a group, by inheritance or implication (404 "Could not find
 * role: <id>.", also for any role without a project); then Keystone's
 * redelegation rules: redelegation_count above the maximum (403), uses
 * with redelegation (400), and for a redelegation each trust up the chain
 * of redelegated_trust_id (404 when it is gone, expired or used up; 403
 * when a trustee on it is disabled) must allow one more level, have no
 * uses, no earlier expiry, every role, impersonation if asked (403; an
 * expiry not given is inherited). KG_ECONFLICT for Keystone's duplicate
 * trust. *out (kg_trust_free) is the trust as stored, with its roles.
 */
int	svc_trust_create(struct store *st, const struct svc_trust_new *n,
	    struct kg_trust *out, struct kg_err *err);

/* Delete a trust (404 "Could not find trust: <id>.") and those redelegated
 * from it, revoking their tokens. */
int	svc_trust_delete(struct store *st, const char *id, struct kg_err *err);

/*
 * Take one use of a trust that counts them (remaining_uses not unlimited),
 * for a token just signed and not yet handed out: KG_EFORBID (Keystone's
 * TrustUseLimitReached, generic text) when another issue took the last
 * one, or the trust counts none; KG_EUNAUTH when the trust is gone.
 */
int	svc_trust_consume(struct store *st, const char *id, struct kg_err *err);

/* ------------------------------------------------------------------------
 * Tokens.
 * --------------------------------------------------------------------- */

/* Revoke the token with this audit id, and those rescoped from it. */
int	svc_token_revoke(struct store *st, const char *audit_id,
	    struct kg_err *err);

#endif /* KG_SVC_H */
