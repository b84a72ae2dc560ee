/* keys.c - placeholder: the token module replaces this file. */
#include "auth/keys.h"

int keys_setup(const char *dir, struct kg_err *err) { return 0; }
int keys_rotate(const char *dir, int max_active, struct kg_err *err) { return kg_errf(err, KG_ENOTIMPL, "keys: not implemented"); }
int keys_list(const char *dir, FILE *fp, struct kg_err *err) { return kg_errf(err, KG_ENOTIMPL, "keys: not implemented"); }
