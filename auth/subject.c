/* subject.c - a token's subject as currently stored (see subject.h). */
#include <stdlib.h>
#include <string.h>

#include "auth/ctx.h"
#include "auth/subject.h"
#include "store/assignment.h"
#include "store/scope.h"

void
subject_free(struct subject *s)
{
	if (s == NULL)
		return;
	kg_token_user_free(&s->user);
	free(s->roles);
	memset(s, 0, sizeof(*s));
}

void
subject_unscope(struct subject *s)
{
	free(s->roles);
	s->roles = NULL;
	s->nroles = 0;
	memset(&s->tgt, 0, sizeof(s->tgt));
	s->scope = KG_SCOPE_NONE;
}

int
subject_copy(struct subject *dst, const struct subject *src)
{
	int	oom;

	*dst = *src;
	dst->user.password_hash = NULL;
	dst->roles = kg_roles_dup(src->roles, src->nroles, &oom);
	if (oom) {
		memset(dst, 0, sizeof(*dst));
		return -1;
	}
	return 0;
}

/* A store failure: not-found becomes a refusal, anything else stays. */
static int
refuse_if_missing(struct kg_err *err)
{
	if (err != NULL && err->kind == KG_ENOTFOUND)
		err->kind = KG_EUNAUTH;
	return -1;
}

int
subject_check_user(const struct subject *s, struct kg_err *err)
{
	if (!s->user.enabled)
		return kg_errf(err, KG_EUNAUTH, "User %s is disabled.", s->user.id);
	if (!s->user.domain_enabled)
		return kg_errf(err, KG_EUNAUTH, "Domain %s is disabled.",
		    s->user.domain_id);
	return 0;
}

int
subject_load_user(struct store *st, const char *user_id, struct subject *s,
    struct kg_err *err)
{
	if (store_token_user(st, user_id, NULL, NULL, NULL, &s->user, err) == -1)
		return refuse_if_missing(err);
	return subject_check_user(s, err);
}

/* The target in s->tgt must be enabled; then load the user's roles on it. */
static int
check_scope(struct store *st, enum kg_scope_kind kind, struct subject *s,
    struct kg_err *err)
{
	const char	*target = s->tgt.id;

	s->scope = kind;
	switch (kind) {
	case KG_SCOPE_NONE:
		return 0;
	case KG_SCOPE_PROJECT:
		if (!s->tgt.enabled)
			return kg_errf(err, KG_EUNAUTH, "Project %s is disabled.", target);
		/* FALLTHROUGH */
	case KG_SCOPE_DOMAIN:
		if (!s->tgt.domain_enabled)
			return kg_errf(err, KG_EUNAUTH, "Domain %s is disabled.",
			    s->tgt.domain_id);
		break;
	case KG_SCOPE_SYSTEM:
		target = "system";
		break;
	}
	if (store_effective_roles(st, s->user.id, kind, target, &s->roles,
	    &s->nroles, err) == -1)
		return -1;
	if (s->nroles == 0)
		return kg_errf(err, KG_EUNAUTH, "User %s has no access to %s.",
		    s->user.id, target);
	return 0;
}

int
subject_load_scope(struct store *st, enum kg_scope_kind kind, const char *id,
    const char *name, const char *domain_id, const char *domain_name,
    struct subject *s, struct kg_err *err)
{
	int	rc = 0;

	if (kind == KG_SCOPE_PROJECT)
		rc = store_token_project(st, id, name, domain_id, domain_name, &s->tgt,
		    err);
	else if (kind == KG_SCOPE_DOMAIN)
		rc = store_token_domain(st, id, name, &s->tgt, err);
	if (rc == -1)
		return refuse_if_missing(err);
	return check_scope(st, kind, s, err);
}

int
subject_restrict_roles(struct subject *s, const struct kg_role_ref *allowed,
    size_t n, struct kg_err *err)
{
	struct kg_role_ref	*kept;
	size_t			 i, j, nkept = 0;

	kept = NULL;
	if (n > 0 && (kept = malloc(n * sizeof(*kept))) == NULL)
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	for (i = 0; i < n; i++)
		for (j = 0; j < s->nroles; j++)
			if (strcmp(allowed[i].id, s->roles[j].id) == 0) {
				kept[nkept++] = s->roles[j];
				break;
			}
	free(s->roles);
	s->roles = kept;
	s->nroles = nkept;
	if (nkept == 0)
		return kg_errf(err, KG_EUNAUTH, "User %s has no access to %s with "
		    "this application credential.", s->user.id, s->tgt.id);
	return 0;
}
