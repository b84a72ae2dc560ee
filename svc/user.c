/*
 * user.c - users: create, update (a new password or disabling revokes),
 * delete (revokes), the self-service password change (see svc.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/compliance.h"
#include "common/util.h"
#include "store/compliance.h"
#include "svc/svc_int.h"

/* Keystone refuses a domain as a user's default project (a project that
 * does not exist is accepted: identity/core.py
 * _assert_default_project_id_is_not_domain). */
static int
check_default_project(struct store *st, const char *id, struct kg_err *err)
{
	struct kg_domain	d;

	memset(&d, 0, sizeof(d));
	if (id[0] == '\0' || store_domain_get(st, id, &d, NULL) == -1)
		return 0;
	kg_domain_free(&d);
	return kg_errf(err, KG_EBADREQ,
	    "User's default project ID cannot be a domain ID: %s", id);
}

/*
 * When a password an administrator sets (create, PATCH, bootstrap)
 * expires: at once under change_password_upon_first_use (Keystone's
 * _change_password_required), else password_expires_days later; the
 * user's options (in extra) may exempt it.
 */
static int64_t
admin_password_expiry(const struct kg_user *u, int64_t now)
{
	const struct compliance	*c = compliance_get();
	struct compliance_opts	 o;

	if (u->password_hash == NULL)
		return 0;
	compliance_user_options(u->extra, &o);
	return compliance_expires_at(c, &o, compliance_must_change(c, &o), now);
}

static int
create_body(struct store *st, void *cls, struct kg_err *err)
{
	struct kg_user		*u = cls;
	struct kg_domain	 d;

	memset(&d, 0, sizeof(d));
	if (store_domain_get(st, u->domain_id, &d, err) == -1)
		return -1;
	kg_domain_free(&d);
	if (check_default_project(st, u->default_project_id, err) == -1)
		return -1;
	u->password_expires_at = admin_password_expiry(u, u->created_at ?
	    u->created_at : kg_now_us());
	return store_user_create(st, u, err);
}

int
svc_user_create(struct store *st, struct kg_user *u, struct kg_err *err)
{
	return svc_run(st, "user create", create_body, u, err);
}

SVC_KIND(user_kind, kg_user, "user update", store_user_get,
    store_user_update, kg_user_free);

struct update {
	const struct svc_user_change	*c;
	int				 was;		/* as read */
	char				 dpid[STORE_ID_SIZE];
};

static void
note_user(const void *obj, void *cls)
{
	const struct kg_user	*u = obj;
	struct update		*up = cls;

	up->was = u->enabled;
	kg_strlcpy(up->dpid, u->default_project_id, sizeof(up->dpid));
}

static int
check_user(struct store *st, void *obj, void *cls, struct kg_err *err)
{
	const struct kg_user	*u = obj;
	const struct update	*up = cls;

	if (strcmp(up->dpid, u->default_project_id) == 0)
		return 0;
	return check_default_project(st, u->default_project_id, err);
}

/* The password, and the revocation: Keystone ends the tokens of a user
 * whose password is set or who is disabled. */
static int
after_user(struct store *st, void *obj, void *cls, struct kg_err *err)
{
	struct kg_user		*u = obj;
	const struct update	*up = cls;

	const struct compliance	*comp = compliance_get();
	struct kg_user_auth	 a;
	int64_t			 now = kg_now_us(), expires = 0;

	if (up->c->set_password) {
		/* The replaced password joins the history (Keystone's password
		 * setter keeps it for unique_last_password_count); an
		 * administrator's password is not self-service. */
		if (store_user_auth_get(st, u->id, &a, err) == -1)
			return -1;
		if (store_password_history_push(st, u->id, u->password_hash,
		    a.password_created_at, compliance_history_keep(comp),
		    err) == -1) {
			kg_user_auth_free(&a);
			return -1;
		}
		kg_user_auth_free(&a);
		if (up->c->password_hash != NULL) {
			struct kg_user	nu = *u;

			nu.password_hash = (char *)(uintptr_t)up->c->password_hash;
			expires = admin_password_expiry(&nu, now);
		}
		if (store_user_set_password(st, u->id, up->c->password_hash,
		    expires, err) == -1 ||
		    store_user_set_self_service(st, u->id, 0, err) == -1)
			return -1;
		if (u->password_hash != NULL)
			kg_wipe(u->password_hash, strlen(u->password_hash));
		free(u->password_hash);
		u->password_hash = NULL;
		if (up->c->password_hash != NULL &&
		    (u->password_hash = strdup(up->c->password_hash)) == NULL)
			return kg_errf(err, KG_EINTERNAL, "out of memory");
		u->password_expires_at = expires;
	}
	/* Keystone's enabled setter: an enabled user's failures are
	 * forgotten (an update unlocks), and enabling counts as activity. */
	if (u->enabled) {
		if (store_user_auth_set_failures(st, u->id, 0, 0, err) == -1)
			return -1;
		if (comp->disable_user_account_days_inactive > 0 &&
		    (up->c->enable || !up->was) &&
		    store_user_set_last_active(st, u->id, now, err) == -1)
			return -1;
	}
	if (up->was && !u->enabled &&
	    svc_revoke_trusts(st, KG_TRUST_USER, u->id, err) == -1)
		return -1;
	if (up->c->set_password || (up->was && !u->enabled))
		return svc_revoke_user(st, u->id, err);
	return 0;
}

int
svc_user_update(struct store *st, const char *id,
    const struct svc_user_change *c, struct kg_user *out, struct kg_err *err)
{
	struct update		up;
	struct svc_hooks	h = { note_user, check_user, after_user, &up };

	memset(&up, 0, sizeof(up));
	up.c = c;
	return svc_update(st, &user_kind, id, &c->edit, &h, out, err);
}

static int
delete_body(struct store *st, void *cls, struct kg_err *err)
{
	const char	*id = cls;

	/* Its trusts' events before the cascade takes them. */
	if (svc_revoke_trusts(st, KG_TRUST_USER, id, err) == -1 ||
	    store_user_delete(st, id, err) == -1 ||
	    svc_revoke_user(st, id, err) == -1)
		return -1;
	return 0;
}

int
svc_user_delete(struct store *st, const char *id, struct kg_err *err)
{
	return svc_run(st, "user delete", delete_body, (void *)id, err);
}

struct password {
	const char	*id;
	const char	*verified_hash;
	const char	*new_hash;
};

static int
password_body(struct store *st, void *cls, struct kg_err *err)
{
	const struct compliance	*c = compliance_get();
	struct password		*pw = cls;
	struct compliance_opts	 o;
	struct kg_user_auth	 a;
	struct kg_user		 u;
	int64_t			 now = kg_now_us();
	int			 same, ret = -1;

	memset(&u, 0, sizeof(u));
	memset(&a, 0, sizeof(a));
	if (store_user_get(st, pw->id, &u, err) == -1) {
		if (err->kind == KG_ENOTFOUND)
			kg_errf(err, KG_EUNAUTH, "Invalid user / password");
		return -1;
	}
	/* The password proven is still the user's (no change raced ours),
	 * and a disabled user may not change it. */
	same = u.password_hash != NULL && pw->verified_hash != NULL &&
	    strcmp(u.password_hash, pw->verified_hash) == 0;
	if (!same || !u.enabled) {
		kg_errf(err, KG_EUNAUTH, "Invalid user / password");
		goto done;
	}
	/* Keystone's driver.change_password, on the state as stored. */
	compliance_user_options(u.extra, &o);
	if (o.lock_password) {
		compliance_locked_password_error(err);
		goto done;
	}
	if (store_user_auth_get(st, pw->id, &a, err) == -1 ||
	    compliance_check_age(c, a.password_created_at,
	    a.password_self_service, now, err) == -1)
		goto done;
	if (store_password_history_push(st, pw->id, u.password_hash,
	    a.password_created_at, compliance_history_keep(c), err) == -1 ||
	    store_user_set_password(st, pw->id, pw->new_hash,
	    compliance_expires_at(c, &o, 0, now), err) == -1 ||
	    store_user_set_self_service(st, pw->id, 1, err) == -1 ||
	    svc_revoke_user(st, pw->id, err) == -1)
		goto done;
	ret = 0;
 done:
	kg_user_auth_free(&a);
	kg_user_free(&u);
	return ret;
}

int
svc_user_change_password(struct store *st, const char *id,
    const char *verified_hash, const char *new_hash, struct kg_err *err)
{
	struct password	pw = { id, verified_hash, new_hash };

	return svc_run(st, "user password change", password_body, &pw, err);
}

struct rehash {
	const char	*id;
	const char	*old_hash;
	const char	*new_hash;
	int		 replaced;
};

static int
rehash_body(struct store *st, void *cls, struct kg_err *err)
{
	struct rehash	*rh = cls;

	rh->replaced = store_user_rehash_password(st, rh->id, rh->old_hash,
	    rh->new_hash, err);
	return rh->replaced == -1 ? -1 : 0;
}

int
svc_user_rehash_password(struct store *st, const char *id, const char *old_hash,
    const char *new_hash, struct kg_err *err)
{
	struct rehash	rh = { id, old_hash, new_hash, 0 };

	if (svc_run(st, "user password rehash", rehash_body, &rh, err) == -1)
		return -1;
	return rh.replaced;
}
