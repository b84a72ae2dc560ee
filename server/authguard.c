/* authguard.c - the rate limit's HTTP side (see authguard.h). */
#include <string.h>

#include "common/util.h"
#include "server/authguard.h"
#include "server/authlimit.h"
#include "server/metrics.h"
#include "store/scope.h"

static const char *
jstr(json_t *o, const char *k)
{
	json_t	*v = json_object_get(o, k);

	return json_is_string(v) && json_string_value(v)[0] != '\0' ?
	    json_string_value(v) : NULL;
}

/* The "user" of method m of a token request's identity, or NULL. */
static json_t *
method_user(struct req *r, const char *m)
{
	json_t	*user;

	user = json_object_get(json_object_get(json_object_get(json_object_get(
	    r->body, "auth"), "identity"), m), "user");
	return json_is_object(user) ? user : NULL;
}

int
authguard_totp(struct req *r)
{
	return method_user(r, "totp") != NULL;
}

/* The user a token request's password (else totp) method names, as
 * stored: id into out ("" when the body names none or no such user). */
static void
token_user(struct req *r, char *out, size_t outsz)
{
	struct kg_token_user	 u;
	json_t			*user, *dom;
	const char		*id, *name;

	out[0] = '\0';
	if ((user = method_user(r, "password")) == NULL)
		user = method_user(r, "totp");
	if (user == NULL)
		return;
	id = jstr(user, "id");
	name = jstr(user, "name");
	dom = json_object_get(user, "domain");
	if (name != NULL) {
		id = NULL;
		if (!json_is_object(dom) ||
		    (jstr(dom, "id") == NULL && jstr(dom, "name") == NULL))
			return;
	} else if (id == NULL)
		return;
	if (store_token_user(r->st, id, name, name ? jstr(dom, "id") : NULL,
	    name && jstr(dom, "id") == NULL ? jstr(dom, "name") : NULL, &u,
	    NULL) == -1)
		return;
	kg_strlcpy(out, u.id, outsz);
	kg_token_user_free(&u);
}

int
authguard_check(struct req *r, struct kg_err *err)
{
	char	addr[64], uid[128];
	int	wait;

	if (r->srv->limit == NULL)
		return 0;
	if (r->nparams == 1)		/* /v3/users/{id}/password */
		kg_strlcpy(uid, r->params[0], sizeof(uid));
	else
		token_user(r, uid, sizeof(uid));
	req_client_addr(r, addr, sizeof(addr));
	if ((wait = authlimit_check(r->srv->limit, addr, uid[0] ? uid : NULL,
	    kg_now_us())) == 0)
		return 0;
	metrics_auth_limited();
	kg_errf(err, KG_ETOOMANY, "Too many failed authentication attempts. "
	    "Retry after %d seconds.", wait);
	err->retry_after = wait;
	return -1;
}

void
authguard_record(struct req *r, const char *user_id, int ok)
{
	char	addr[64];

	if (r->srv->limit == NULL)
		return;
	req_client_addr(r, addr, sizeof(addr));
	if (ok)
		authlimit_succeeded(r->srv->limit, addr, user_id, kg_now_us());
	else
		authlimit_failed(r->srv->limit, addr, user_id, kg_now_us());
}
