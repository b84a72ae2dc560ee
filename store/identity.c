/* identity.c - placeholder: the identity module replaces this file. */
#include <stdlib.h>

#include "store/identity.h"

#define NOTYET	return kg_errf(err, KG_ENOTIMPL, "%s: not implemented", __func__)

void kg_domain_free(struct kg_domain *d) { free(d->description); free(d->extra); }
void kg_project_free(struct kg_project *p) { free(p->description); free(p->extra); store_strv_free(p->tags, p->ntags); }
void kg_user_free(struct kg_user *u) { free(u->password_hash); free(u->extra); }
void kg_group_free(struct kg_group *g) { free(g->description); free(g->extra); }
int store_domain_get(struct store *st, const char *id, struct kg_domain *out, struct kg_err *err) { NOTYET; }
int store_domain_get_by_name(struct store *st, const char *name, struct kg_domain *out, struct kg_err *err) { NOTYET; }
int store_project_get(struct store *st, const char *id, struct kg_project *out, struct kg_err *err) { NOTYET; }
int store_project_get_by_name(struct store *st, const char *d, const char *name, struct kg_project *out, struct kg_err *err) { NOTYET; }
int store_user_get(struct store *st, const char *id, struct kg_user *out, struct kg_err *err) { NOTYET; }
int store_user_get_by_name(struct store *st, const char *d, const char *name, struct kg_user *out, struct kg_err *err) { NOTYET; }
int store_user_group_ids(struct store *st, const char *user_id, char ***ids, size_t *n, struct kg_err *err) { NOTYET; }
int store_user_set_password(struct store *st, const char *user_id, const char *hash, int64_t expires_at, struct kg_err *err) { NOTYET; }
int store_domain_create(struct store *st, const struct kg_domain *d, struct kg_err *err) { NOTYET; }
int store_project_create(struct store *st, const struct kg_project *p, struct kg_err *err) { NOTYET; }
int store_user_create(struct store *st, const struct kg_user *u, struct kg_err *err) { NOTYET; }
