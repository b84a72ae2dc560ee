/* tokenbody.c - token objects and replies as JSON text (see tokenbody.h). */
#include <stdlib.h>
#include <string.h>

#include "auth/claims.h"
#include "auth/tokenbody.h"
#include "common/jsonw.h"
#include "common/util.h"

/*
 * A time as Keystone writes it. The last two formatted per thread are
 * kept: a token's expiry and issue time repeat from one token to the next
 * (gmtime_r + strftime + snprintf cost more than the rest of the body).
 */
static void
write_time(struct jsonw *w, int64_t us)
{
	static __thread struct {
		int64_t	us;
		char	text[KG_TIME_LEN];
	}			 last[2];
	static __thread unsigned int next;
	unsigned int		 i;

	for (i = 0; i < 2; i++)
		if (last[i].us == us && last[i].text[0] != '\0')
			break;
	if (i == 2) {
		i = next++ & 1;
		kg_time_fmt(us, last[i].text);
		last[i].us = us;
	}
	jsonw_str(w, last[i].text);
}

static void
write_user(struct jsonw *w, const struct kg_token_user *u)
{
	jsonw_raw(w, ",\"user\":{\"domain\":");
	jsonw_id_name(w, u->domain_id, u->domain_name);
	jsonw_raw(w, ",\"id\":");
	jsonw_str(w, u->id);
	jsonw_raw(w, ",\"name\":");
	jsonw_str(w, u->name);
	jsonw_raw(w, ",\"password_expires_at\":");
	if (u->password_expires_at != 0)
		write_time(w, u->password_expires_at);
	else
		jsonw_raw(w, "null");
	jsonw_raw(w, "}");
}

static void
write_scope(struct jsonw *w, const struct subject *s)
{
	switch (s->scope) {
	case KG_SCOPE_PROJECT:
		jsonw_raw(w, ",\"project\":{\"domain\":");
		jsonw_id_name(w, s->tgt.domain_id, s->tgt.domain_name);
		jsonw_raw(w, ",\"id\":");
		jsonw_str(w, s->tgt.id);
		jsonw_raw(w, ",\"name\":");
		jsonw_str(w, s->tgt.name);
		jsonw_raw(w, "}");
		/* keystone/common/render_token.py: a trust-scoped token has
		 * OS-TRUST:trust and no is_domain */
		if (s->trust.id[0] != '\0') {
			jsonw_raw(w, ",\"OS-TRUST:trust\":");
			claims_write_trust(w, s->trust.id, s->trust.impersonation,
			    s->trust.trustor_id, s->trust.trustee_id);
		} else
			jsonw_raw(w, ",\"is_domain\":false");
		break;
	case KG_SCOPE_DOMAIN:
		jsonw_raw(w, ",\"domain\":");
		jsonw_id_name(w, s->tgt.id, s->tgt.name);
		break;
	case KG_SCOPE_SYSTEM:
		jsonw_raw(w, ",\"system\":{\"all\":true}");
		break;
	case KG_SCOPE_NONE:
		return;
	}
	jsonw_raw(w, ",\"roles\":");
	jsonw_roles(w, s->roles, s->nroles);
}

char *
tokenbody_text(const struct subject *s, const char *const *methods, size_t nmethods,
    const char *audit_id, const char *audit_chain_id, int64_t iat_s, int64_t exp_s,
    const struct token_appcred *ac)
{
	struct jsonw	 w = JSONW_INIT;
	const char	*audit[2] = { audit_id, audit_chain_id };

	jsonw_raw(&w, "{\"methods\":");
	jsonw_strv(&w, methods, nmethods);
	write_user(&w, &s->user);
	jsonw_raw(&w, ",\"audit_ids\":");
	jsonw_strv(&w, audit, audit_chain_id[0] != '\0' ? 2 : 1);
	jsonw_raw(&w, ",\"expires_at\":");
	write_time(&w, exp_s * 1000000);
	jsonw_raw(&w, ",\"issued_at\":");
	write_time(&w, iat_s * 1000000);
	write_scope(&w, s);
	if (ac != NULL) {
		jsonw_raw(&w, ",\"application_credential\":");
		claims_write_app_cred(&w, ac->id, ac->name, ac->restricted, ac->rules,
		    ac->nrules);
	}
	jsonw_raw(&w, "}");
	return jsonw_done(&w);
}

char *
tokenbody_reply(const char *body, const char *catalog)
{
	struct jsonw	w = JSONW_INIT;
	size_t		n = strlen(body);

	if (n < 2 || body[n - 1] != '}')
		return NULL;
	jsonw_reserve(&w, n + (catalog != NULL ? strlen(catalog) + 11 : 0) + 11);
	jsonw_raw(&w, "{\"token\":");
	jsonw_rawn(&w, body, n - 1);	/* without its closing brace */
	if (catalog != NULL) {
		jsonw_raw(&w, ",\"catalog\":");
		jsonw_raw(&w, catalog);
	}
	jsonw_raw(&w, "}}");
	return jsonw_done(&w);
}
