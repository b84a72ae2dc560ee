/*
 * options.c - Keystone's resource option "immutable" (keystone/common/
 * resource_options/options/immutable.py) as roles, projects and domains
 * keep it: {"options": {"immutable": true}} in their extra JSON.
 */
#include <jansson.h>

#include "svc/svc_int.h"

int
svc_extra_immutable(const char *extra)
{
	json_t	*x;
	int	 imm;

	if (extra == NULL || (x = json_loads(extra, 0, NULL)) == NULL)
		return 0;
	imm = json_is_true(json_object_get(json_object_get(x, "options"),
	    "immutable"));
	json_decref(x);
	return imm;
}

/* keystone/exception.py ResourceUpdateForbidden, ResourceDeleteForbidden
 * (the lone backquote is Keystone's). */
int
svc_immutable_update(struct kg_err *err, const char *type, const char *id)
{
	return kg_errf(err, KG_EFORBID, "Unable to update immutable %s resource:"
	    " `%s. Set resource option \"immutable\" to false first.", type, id);
}

int
svc_immutable_delete(struct kg_err *err, const char *type, const char *id)
{
	return kg_errf(err, KG_EFORBID, "Unable to delete immutable %s resource:"
	    " `%s. Set resource option \"immutable\" to false first.", type, id);
}
