/*
 * project.c - projects and their tags, under Keystone's hierarchy rules
 * (keystone/resource/core.py): same domain as the parent, no disabled
 * ancestor, a bounded depth, leaf-only delete; disabling or deleting a
 * project revokes its tokens (see svc.h).
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "svc/svc_int.h"

/*
 * Check p->parent_id for a new project (resource/core.py
 * _assert_regular_project_constraints, _enforce_project_constraints);
 * clear it when the project is top level (no parent, or its domain).
 */
static int
check_parent(struct store *st, struct kg_project *p, struct kg_err *err)
{
	struct kg_project	 parent;
	struct kg_domain	 d;
	char			**anc = NULL, disabled[STORE_ID_SIZE];
	size_t			 nanc = 0;
	int			 ret = -1;

	if (p->parent_id[0] == '\0' || strcmp(p->parent_id, p->domain_id) == 0) {
		p->parent_id[0] = '\0';
		return 0;
	}
	memset(&parent, 0, sizeof(parent));
	if (store_project_get(st, p->parent_id, &parent, err) == -1) {
		if (err->kind != KG_ENOTFOUND)
			return -1;
		/* A parent acting as a domain must be the project's domain. */
		memset(&d, 0, sizeof(d));
		if (store_domain_get(st, p->parent_id, &d, NULL) == 0) {
			kg_domain_free(&d);
			return kg_errf(err, KG_EBADREQ, "Cannot create project, the "
			    "parent (%s) is acting as a domain, but this project's "
			    "domain id (%s) does not match the parent's id.",
			    p->parent_id, p->domain_id);
		}
		err->kind = KG_EBADREQ;		/* ValidationError in Keystone */
		return -1;
	}
	if (strcmp(parent.domain_id, p->domain_id) != 0) {
		kg_errf(err, KG_EBADREQ, "Cannot create project, since it specifies "
		    "its domain_id %s, but specifies a parent in a different domain "
		    "(%s).", p->domain_id, parent.domain_id);
		goto done;
	}
	if (store_project_ancestors(st, parent.id, &anc, &nanc, disabled,
	    err) == -1)
		goto done;
	if (!parent.enabled || disabled[0] != '\0') {
		kg_errf(err, KG_EBADREQ, "cannot create a project in a branch "
		    "containing a disabled project: %s", !parent.enabled ?
		    parent.id : disabled);
		goto done;
	}
	/* The parent is at level nanc + 1; the new project one below. */
	if (nanc + 2 > (size_t)svc_project_max_depth()) {
		kg_errf(err, KG_EFORBID, "Max hierarchy depth reached for %s branch.",
		    parent.id);
		goto done;
	}
	ret = 0;
 done:
	store_strv_free(anc, nanc);
	kg_project_free(&parent);
	return ret;
}

static int
create_body(struct store *st, void *cls, struct kg_err *err)
{
	struct kg_project	*p = cls;
	struct kg_domain	 d;

	memset(&d, 0, sizeof(d));
	if (store_domain_get(st, p->domain_id, &d, err) == -1) {
		if (err->kind == KG_ENOTFOUND)
			err->kind = KG_EBADREQ;	/* ValidationError in Keystone */
		return -1;
	}
	kg_domain_free(&d);
	if (check_parent(st, p, err) == -1)
		return -1;
	return store_project_create(st, p, err);
}

int
svc_project_create(struct store *st, struct kg_project *p, struct kg_err *err)
{
	return svc_run(st, "project create", create_body, p, err);
}

/* The hierarchy rules of an enabled flip (resource/core.py _update_project). */
static int
check_enable_change(struct store *st, const struct kg_project *p, int was,
    struct kg_err *err)
{
	char	**anc = NULL, disabled[STORE_ID_SIZE];
	size_t	 nanc = 0, enabled = 0;

	if (!was && p->enabled) {
		if (store_project_ancestors(st, p->id, &anc, &nanc, disabled,
		    err) == -1)
			return -1;
		store_strv_free(anc, nanc);
		if (disabled[0] != '\0')
			return kg_errf(err, KG_EFORBID, "Cannot enable project %s "
			    "since it has disabled parents", p->id);
	}
	if (was && !p->enabled) {
		if (store_project_descendants(st, p->id, NULL, &enabled, err) == -1)
			return -1;
		if (enabled > 0)
			return kg_errf(err, KG_EFORBID, "Cannot disable project %s "
			    "since its subtree contains enabled projects.", p->id);
	}
	return 0;
}

SVC_KIND(project_kind, kg_project, "project update", store_project_get,
    store_project_update, kg_project_free);

struct update {
	int	was;		/* enabled as read */
	int	set_tags;
};

static void
note_enabled(const void *obj, void *cls)
{
	((struct update *)cls)->was = ((const struct kg_project *)obj)->enabled;
}

static int
check_update(struct store *st, void *obj, void *cls, struct kg_err *err)
{
	const struct kg_project	*p = obj;
	const struct update	*u = cls;

	if (u->set_tags && p->ntags > SVC_MAX_TAGS)
		return kg_errf(err, KG_EBADREQ, "Invalid input for field/attribute "
		    "tags. Is too long (at most %d items).", SVC_MAX_TAGS);
	return check_enable_change(st, p, u->was, err);
}

/* Its tags, and the revocation when it was disabled. */
static int
after_update(struct store *st, void *obj, void *cls, struct kg_err *err)
{
	const struct kg_project	*p = obj;
	const struct update	*u = cls;

	if (u->set_tags && store_project_set_tags(st, p->id, p->tags, p->ntags,
	    err) == -1)
		return -1;
	if (u->was && !p->enabled && svc_revoke_project(st, p->id, err) == -1)
		return -1;
	return 0;
}

int
svc_project_update(struct store *st, const char *id, const struct svc_edit *edit,
    int set_tags, struct kg_project *out, struct kg_err *err)
{
	struct update		u = { 0, set_tags };
	struct svc_hooks	h = { note_enabled, check_update, after_update, &u };

	return svc_update(st, &project_kind, id, edit, &h, out, err);
}

static int
delete_body(struct store *st, void *cls, struct kg_err *err)
{
	const char	*id = cls;

	/* store_project_delete refuses a project with children (403). Its
	 * trusts' events go first: the cascade takes the trusts. */
	if (svc_revoke_trusts(st, KG_TRUST_PROJECT, id, err) == -1 ||
	    store_project_delete(st, id, err) == -1 ||
	    store_user_unset_default_project(st, id, err) == -1 ||
	    svc_revoke_project(st, id, err) == -1)
		return -1;
	return 0;
}

int
svc_project_delete(struct store *st, const char *id, struct kg_err *err)
{
	return svc_run(st, "project delete", delete_body, (void *)id, err);
}

/* ------------------------------------------------------------------------
 * Tags.
 * --------------------------------------------------------------------- */

struct tags {
	const char	*id;
	char *const	*tags;
	size_t		 n;
	const char	*tag;
};

static int
tags_set_body(struct store *st, void *cls, struct kg_err *err)
{
	struct tags	*t = cls;

	if (t->n > SVC_MAX_TAGS)
		return kg_errf(err, KG_EBADREQ, "Invalid input for field/attribute "
		    "tags. Is too long (at most %d items).", SVC_MAX_TAGS);
	return store_project_set_tags(st, t->id, t->tags, t->n, err);
}

int
svc_project_tags_set(struct store *st, const char *id, char *const *tags,
    size_t n, struct kg_err *err)
{
	struct tags	t = { id, tags, n, NULL };

	return svc_run(st, "project tags set", tags_set_body, &t, err);
}

static int
tag_add_body(struct store *st, void *cls, struct kg_err *err)
{
	struct tags		*t = cls;
	struct kg_project	 p;
	size_t			 i;
	int			 ret = -1;

	memset(&p, 0, sizeof(p));
	if (store_project_get(st, t->id, &p, err) == -1)
		return -1;
	for (i = 0; i < p.ntags; i++)
		if (strcmp(p.tags[i], t->tag) == 0)
			break;
	if (i == p.ntags && p.ntags + 1 > SVC_MAX_TAGS) {
		kg_errf(err, KG_EBADREQ, "Invalid input for field/attribute tags. "
		    "Is too long (at most %d items).", SVC_MAX_TAGS);
		goto done;
	}
	if (i == p.ntags && store_project_add_tag(st, t->id, t->tag, err) == -1)
		goto done;
	ret = 0;
 done:
	kg_project_free(&p);
	return ret;
}

int
svc_project_tag_add(struct store *st, const char *id, const char *tag,
    struct kg_err *err)
{
	struct tags	t = { id, NULL, 0, tag };

	return svc_run(st, "project tag add", tag_add_body, &t, err);
}

static int
tag_delete_body(struct store *st, void *cls, struct kg_err *err)
{
	struct tags	*t = cls;

	return store_project_delete_tag(st, t->id, t->tag, err);
}

int
svc_project_tag_delete(struct store *st, const char *id, const char *tag,
    struct kg_err *err)
{
	struct tags	t = { id, NULL, 0, tag };

	return svc_run(st, "project tag delete", tag_delete_body, &t, err);
}
