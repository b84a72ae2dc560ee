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
 *   user disabled or deleted        user_id                         svc_user_update,
 *                                                                   svc_user_delete
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
 *   project disabled or deleted     project_id                      svc_project_update,
 *                                                                   svc_project_delete
 *   project deleted with its        project_id of each project      svc_project_delete_subtree
 *   subtree (cascade)               deleted
 *   domain disabled or deleted      domain_id: tokens of its users, svc_domain_update,
 *                                   of its projects, scoped to it   svc_domain_delete
 *
 * Credentials (/v3/credentials, EC2) revoke nothing when they change or
 * go, as in Keystone: a token issued through POST /v3/ec2tokens lives on
 * like any other. They go with their user or project, in the same
 * transaction (foreign keys).
 */
#ifndef KG_SVC_H
#define KG_SVC_H

#include "store/assignment.h"
#include "store/catalog.h"
#include "store/credential.h"
#include "store/identity.h"
#include "store/store.h"

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
 * the new level stays within SVC_PROJECT_MAX_DEPTH (403).
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
 * accepted, as Keystone does).
 */
int	svc_user_create(struct store *st, const struct kg_user *u,
	    struct kg_err *err);

/* A PATCH of a user: the edit (struct kg_user), and the new password. */
struct svc_user_change {
	struct svc_edit	 edit;		/* fn NULL: no other change */
	int		 set_password;	/* store password_hash below */
	const char	*password_hash;	/* already hashed; NULL clears it */
};

/*
 * Apply c to user id. A new password, or disabling the user, revokes its
 * tokens. *out (NULL: not wanted; kg_user_free) is the user as stored.
 */
int	svc_user_update(struct store *st, const char *id,
	    const struct svc_user_change *c, struct kg_user *out,
	    struct kg_err *err);

/* Delete a user with its memberships and grants; revokes its tokens. */
int	svc_user_delete(struct store *st, const char *id, struct kg_err *err);

/*
 * The self-service password change: the caller has verified the original
 * password against verified_hash (bcrypt, before the transaction). The
 * change is made only if the user still has that hash and is enabled --
 * else KG_EUNAUTH "Invalid user / password", as for a wrong password --
 * and revokes the user's tokens.
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
 * Tokens.
 * --------------------------------------------------------------------- */

/* Revoke the token with this audit id, and those rescoped from it. */
int	svc_token_revoke(struct store *st, const char *audit_id,
	    struct kg_err *err);

#endif /* KG_SVC_H */
