/*
 * project.c - projects and their tags, under Keystone's hierarchy rules
 * (keystone/resource/core.py): same domain as the parent, no disabled
 * ancestor, a bounded depth, leaf-only delete; disabling or deleting a
 * project revokes its tokens (see svc.h).
 */
#include <jansson.h>
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

/* Forget project id: its trusts' and its tokens, users' default project,
 * the row. */
static int
delete_one(struct store *st, const char *id, struct kg_err *err)
{
	/* store_project_delete refuses a project with children (403). Its
	 * trusts' events go first: the row's delete cascades to its trusts. */
	if (svc_revoke_trusts(st, KG_TRUST_PROJECT, id, err) == -1 ||
	    svc_revoke_project(st, id, err) == -1 ||
	    store_user_unset_default_project(st, id, err) == -1 ||
	    store_project_delete(st, id, err) == -1)
		return -1;
	return 0;
}

/* Project id as stored, and 403 when it is immutable. */
static int
get_deletable(struct store *st, const char *id, struct kg_project *p,
    struct kg_err *err)
{
	memset(p, 0, sizeof(*p));
	if (store_project_get(st, id, p, err) == -1)
		return -1;
	if (svc_extra_immutable(p->extra)) {
		kg_project_free(p);
		return svc_immutable_delete(err, "project", id);
	}
	return 0;
}

static int
delete_body(struct store *st, void *cls, struct kg_err *err)
{
	const char		*id = cls;
	struct kg_project	 p;

	if (get_deletable(st, id, &p, err) == -1)
		return -1;
	kg_project_free(&p);
	return delete_one(st, id, err);
}

int
svc_project_delete(struct store *st, const char *id, struct kg_err *err)
{
	return svc_run(st, "project delete", delete_body, (void *)id, err);
}

/*
 * resource/core.py _delete_project with cascade: the projects below must
 * all be disabled (the project itself need not be); keygate also refuses
 * to delete an immutable one among them, which Keystone deletes.
 */
static int
delete_subtree_body(struct store *st, void *cls, struct kg_err *err)
{
	const char		*id = cls;
	struct kg_project	 p, *sub = NULL;
	size_t			 n = 0, i;
	int			 ret = -1;

	if (get_deletable(st, id, &p, err) == -1)
		return -1;
	kg_project_free(&p);
	if (store_project_subtree(st, id, &sub, &n, err) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (sub[i].enabled) {
			kg_errf(err, KG_EFORBID, "Cannot delete project %s since its "
			    "subtree contains enabled projects.", id);
			goto done;
		}
	for (i = 0; i < n; i++)
		if (svc_extra_immutable(sub[i].extra)) {
			svc_immutable_delete(err, "project", sub[i].id);
			goto done;
		}
	/* The subtree comes level by level: delete from the deepest up. */
	for (i = n; i > 0; i--)
		if (delete_one(st, sub[i - 1].id, err) == -1)
			goto done;
	ret = delete_one(st, id, err);
 done:
	kg_project_list_free(sub, n);
	return ret;
}

int
svc_project_delete_subtree(struct store *st, const char *id,
    struct kg_err *err)
{
	return svc_run(st, "project delete subtree", delete_subtree_body,
	    (void *)id, err);
}

/* ------------------------------------------------------------------------
 * Tags, of a project or of a domain acting as one (Keystone keeps both in
 * the project table; keygate keeps a domain's tags in its extra).
 * --------------------------------------------------------------------- */

enum tag_op { TAG_SET, TAG_ADD, TAG_DELETE };

struct tags {
	const char	*id;
	char *const	*tags;
	size_t		 n;
	const char	*tag;
	enum tag_op	 op;
};

static int
too_many_tags(struct kg_err *err)
{
	return kg_errf(err, KG_EBADREQ, "Invalid input for field/attribute "
	    "tags. Is too long (at most %d items).", SVC_MAX_TAGS);
}

/* resource/core.py's texts for the tags of an immutable project. */
static int
immutable_tags(struct kg_err *err, enum tag_op op, const char *id)
{
	return kg_errf(err, KG_EFORBID, "Cannot %s project tags for %s, project "
	    "is immutable. Set \"immutable\" option to false before creating "
	    "project tags.", op == TAG_ADD ? "create" : op == TAG_SET ? "update" :
	    "delete", id);
}

/* Apply t to the tag list tv[*n] (grown up to SVC_MAX_TAGS + 1 entries
 * by the caller); borrowed strings. */
static int
tags_apply(const struct tags *t, const char **tv, size_t *n,
    struct kg_err *err)
{
	size_t	i;

	switch (t->op) {
	case TAG_SET:
		if (t->n > SVC_MAX_TAGS)
			return too_many_tags(err);
		for (i = 0; i < t->n; i++)
			tv[i] = t->tags[i];
		*n = t->n;
		return 0;
	case TAG_ADD:
		for (i = 0; i < *n; i++)
			if (strcmp(tv[i], t->tag) == 0)
				return 0;
		if (*n + 1 > SVC_MAX_TAGS)
			return too_many_tags(err);
		tv[(*n)++] = t->tag;
		return 0;
	case TAG_DELETE:
		for (i = 0; i < *n; i++)
			if (strcmp(tv[i], t->tag) == 0)
				break;
		if (i == *n)
			return kg_errf(err, KG_ENOTFOUND, "Could not find project "
			    "tag: %s.", t->tag);
		memmove(&tv[i], &tv[i + 1], (*n - i - 1) * sizeof(*tv));
		(*n)--;
		return 0;
	}
	return 0;
}

/* The tags of domain d (kept in its extra as "tags") after t. */
static int
domain_tags_body(struct store *st, struct kg_domain *d, const struct tags *t,
    struct kg_err *err)
{
	const char	*tv[SVC_MAX_TAGS + 1];
	json_t		*x, *a, *v;
	size_t		 n = 0, i;
	char		*extra;
	int		 ret = -1;

	if ((x = json_loads(d->extra ? d->extra : "{}", 0, NULL)) == NULL ||
	    !json_is_object(x)) {
		json_decref(x);
		x = json_object();
	}
	json_array_foreach(json_object_get(x, "tags"), i, v)
		if (json_is_string(v) && n < SVC_MAX_TAGS)
			tv[n++] = json_string_value(v);
	if (tags_apply(t, tv, &n, err) == -1)
		goto done;
	if ((a = json_array()) == NULL)
		goto oom;
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(tv[i]));
	/* a holds copies: x's old "tags" (which tv pointed into) may go. */
	if (json_object_set_new(x, "tags", a) == -1 ||
	    (extra = json_dumps(x, JSON_COMPACT)) == NULL)
		goto oom;
	free(d->extra);
	d->extra = extra;
	ret = store_domain_update(st, d, err);
	goto done;
 oom:
	kg_errf(err, KG_EINTERNAL, "out of memory");
 done:
	json_decref(x);
	return ret;
}

static int
tags_body(struct store *st, void *cls, struct kg_err *err)
{
	struct tags		*t = cls;
	struct kg_project	 p;
	struct kg_domain	 d;
	const char		*tv[SVC_MAX_TAGS + 1];
	size_t			 n = 0, i;
	int			 ret = -1;

	memset(&p, 0, sizeof(p));
	memset(&d, 0, sizeof(d));
	if (store_project_get(st, t->id, &p, err) == -1) {
		/* Not a project: maybe a domain, seen as a project. */
		if (err->kind != KG_ENOTFOUND ||
		    store_domain_get(st, t->id, &d, NULL) == -1)
			return -1;
		if (svc_extra_immutable(d.extra))
			ret = immutable_tags(err, t->op, t->id);
		else
			ret = domain_tags_body(st, &d, t, err);
		kg_domain_free(&d);
		return ret;
	}
	if (svc_extra_immutable(p.extra)) {
		immutable_tags(err, t->op, t->id);
		goto done;
	}
	for (i = 0; i < p.ntags && n < SVC_MAX_TAGS; i++)
		tv[n++] = p.tags[i];
	if (tags_apply(t, tv, &n, err) == -1)
		goto done;
	switch (t->op) {
	case TAG_SET:
		ret = store_project_set_tags(st, t->id, t->tags, t->n, err);
		break;
	case TAG_ADD:
		ret = store_project_add_tag(st, t->id, t->tag, err);
		break;
	case TAG_DELETE:
		ret = store_project_delete_tag(st, t->id, t->tag, err);
		break;
	}
 done:
	kg_project_free(&p);
	return ret;
}

int
svc_project_tags_set(struct store *st, const char *id, char *const *tags,
    size_t n, struct kg_err *err)
{
	struct tags	t = { id, tags, n, NULL, TAG_SET };

	return svc_run(st, "project tags set", tags_body, &t, err);
}

int
svc_project_tag_add(struct store *st, const char *id, const char *tag,
    struct kg_err *err)
{
	struct tags	t = { id, NULL, 0, tag, TAG_ADD };

	return svc_run(st, "project tag add", tags_body, &t, err);
}

int
svc_project_tag_delete(struct store *st, const char *id, const char *tag,
    struct kg_err *err)
{
	struct tags	t = { id, NULL, 0, tag, TAG_DELETE };

	return svc_run(st, "project tag delete", tags_body, &t, err);
}
