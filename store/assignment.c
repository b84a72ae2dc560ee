/* assignment.c - placeholder: the assignment module replaces this file. */
#include <stdlib.h>

#include "store/assignment.h"

#define NOTYET	return kg_errf(err, KG_ENOTIMPL, "%s: not implemented", __func__)

void kg_role_free(struct kg_role *r) { free(r->description); free(r->extra); }
int store_role_get(struct store *st, const char *id, struct kg_role *out, struct kg_err *err) { NOTYET; }
int store_role_get_by_name(struct store *st, const char *name, const char *domain_id, struct kg_role *out, struct kg_err *err) { NOTYET; }
int store_role_create(struct store *st, const struct kg_role *r, struct kg_err *err) { NOTYET; }
int store_role_add_implied(struct store *st, const char *p, const char *i, struct kg_err *err) { NOTYET; }
int store_grant(struct store *st, int is_group, const char *actor_id, enum kg_scope_kind kind, const char *target_id, const char *role_id, int inherited, struct kg_err *err) { NOTYET; }
int store_effective_roles(struct store *st, const char *user_id, enum kg_scope_kind kind, const char *target_id, struct kg_role_ref **out, size_t *n, struct kg_err *err) { NOTYET; }
