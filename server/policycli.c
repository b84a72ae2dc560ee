/*
 * policycli.c - "keygate policy list" (the effective rules, printed as a
 * policy file) and "keygate policy check" (a decision explained, like
 * oslopolicy-checker).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/token.h"
#include "server/authz.h"
#include "server/policycli.h"
#include "server/ptarget.h"
#include "store/store.h"

static void
scope_list(unsigned int bits, char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, "%s%s%s", bits & PS_SYSTEM ? "system," : "",
	    bits & PS_DOMAIN ? "domain," : "", bits & PS_PROJECT ? "project," : "");
	if (buf[0] != '\0')
		buf[strlen(buf) - 1] = '\0';
}

int
policycli_list(const struct kg_config *cfg, int as_json, FILE *fp,
    struct kg_err *err)
{
	struct policy_set	*s;
	struct policy_rule_info	 ri;
	json_t			*a, *o, *sc, *js, *jn;
	char			 desc[600], scopes[32], *q, *n;
	size_t			 i;

	if ((s = authz_build(cfg, err)) == NULL)
		return -1;
	if (as_json) {
		a = json_array();
		for (i = 0; i < policy_set_count(s); i++) {
			policy_set_rule(s, i, &ri);
			sc = json_array();
			if (ri.scope_types & PS_SYSTEM)
				json_array_append_new(sc, json_string("system"));
			if (ri.scope_types & PS_DOMAIN)
				json_array_append_new(sc, json_string("domain"));
			if (ri.scope_types & PS_PROJECT)
				json_array_append_new(sc, json_string("project"));
			o = json_pack("{s:s, s:s, s:o, s:s}", "name", ri.name,
			    "check_str", ri.check_str, "scope_types", sc,
			    "origin", ri.origin);
			if (ri.line > 0)
				json_object_set_new(o, "line", json_integer(ri.line));
			json_array_append_new(a, o);
		}
		json_dumpf(a, fp, JSON_INDENT(1));
		fputc('\n', fp);
		json_decref(a);
		policy_set_free(s);
		return 0;
	}
	/* YAML that is itself a policy file giving the same decisions. */
	authz_describe(s, cfg, desc, sizeof(desc));
	fprintf(fp, "# keygate %s\n", desc);
	for (i = 0; i < policy_set_count(s); i++) {
		policy_set_rule(s, i, &ri);
		scope_list(ri.scope_types, scopes, sizeof(scopes));
		/* JSON strings are YAML double-quoted scalars. */
		js = json_string(ri.check_str);
		jn = json_string(ri.name);
		q = json_dumps(js, JSON_ENCODE_ANY);
		n = json_dumps(jn, JSON_ENCODE_ANY);
		json_decref(js);
		json_decref(jn);
		fprintf(fp, "\n# %s", ri.origin);
		if (ri.line > 0)
			fprintf(fp, " (line %d)", ri.line);
		if (scopes[0] != '\0')
			fprintf(fp, "; scope_types: %s", scopes);
		if (q == NULL || n == NULL) {
			free(q);
			free(n);
			policy_set_free(s);
			return kg_errf(err, KG_EINTERNAL, "out of memory");
		}
		fprintf(fp, "\n%s: %s\n", n, q);
		free(q);
		free(n);
	}
	policy_set_free(s);
	return 0;
}

static void
print_trace(void *arg, int depth, const char *what, int result)
{
	FILE	*fp = arg;

	if (depth < 0) {
		fprintf(fp, "  %s\n", what);
		return;
	}
	fprintf(fp, "  %*s%s -> %s\n", 2 * depth, "", what, result ? "true" : "false");
}

/* The caller of token, as the server would authenticate it. */
static int
token_caller(const struct kg_config *cfg, const char *token, struct kg_ctx *ctx,
    struct kg_err *err)
{
	struct token_cfg	 tc;
	struct tokens		*t;
	struct store		*st;
	int			 rc;

	memset(&tc, 0, sizeof(tc));
	tc.key_dir = config_key_dir(cfg);
	tc.expiration = cfg->expiration;
	tc.allow_expired_window = cfg->allow_expired_window;
	tc.totp_windows = cfg->totp_windows;
	tc.receipt_expiration = cfg->receipt_expiration;
	tc.cache_size = 0;
	if ((st = store_open(config_db_path(cfg), err)) == NULL)
		return -1;
	if ((t = tokens_open(&tc, err)) == NULL) {
		store_close(st);
		return -1;
	}
	rc = tokens_authenticate(t, st, token, ctx, err);
	tokens_close(t);
	store_close(st);
	return rc;
}

int
policycli_check(const struct kg_config *cfg, const char *token,
    const char *creds, const char *rule, const char *target, FILE *fp,
    struct kg_err *err)
{
	struct policy_set	*s = NULL;
	struct policy_target	 t;
	struct kg_ctx		 ctx;
	json_error_t		 je;
	json_t			*tj = NULL, *cj = NULL;
	size_t			 i;
	int			 rc = -1;

	memset(&ctx, 0, sizeof(ctx));
	memset(&t, 0, sizeof(t));
	if ((s = authz_build(cfg, err)) == NULL)
		return -1;
	if (target != NULL) {
		if ((tj = json_loads(target, 0, &je)) == NULL) {
			kg_errf(err, KG_EBADREQ, "target: %s", je.text);
			goto done;
		}
		if (ptarget_from_json(tj, &t, err) == -1)
			goto done;
	}
	if (creds != NULL) {
		if ((cj = json_loads(creds, 0, &je)) == NULL) {
			kg_errf(err, KG_EBADREQ, "credentials: %s", je.text);
			goto done;
		}
		if (pcreds_from_json(cj, &ctx, err) == -1)
			goto done;
	} else if (token_caller(cfg, token, &ctx, err) == -1)
		goto done;

	fprintf(fp, "caller: user %s (domain %s), %s", ctx.user_id,
	    ctx.user_domain_id[0] ? ctx.user_domain_id : "-",
	    ctx.scope == KG_SCOPE_SYSTEM ? "system-scoped" :
	    ctx.scope == KG_SCOPE_DOMAIN ? "domain-scoped" :
	    ctx.scope == KG_SCOPE_PROJECT ? "project-scoped" : "unscoped");
	if (ctx.scope == KG_SCOPE_DOMAIN)
		fprintf(fp, " on %s", ctx.domain_id);
	else if (ctx.scope == KG_SCOPE_PROJECT)
		fprintf(fp, " on %s (domain %s)", ctx.project_id,
		    ctx.project_domain_id[0] ? ctx.project_domain_id : "-");
	fprintf(fp, ", roles");
	for (i = 0; i < ctx.nroles; i++)
		fprintf(fp, "%s%s", i ? "," : " ", ctx.roles[i].name);
	fprintf(fp, "%s\n", ctx.nroles ? "" : " (none)");
	for (i = 0; i < PK_COUNT; i++)
		if (t.v[i] != NULL)
			fprintf(fp, "target: %s = %s\n", policy_key_name(i), t.v[i]);
	fprintf(fp, "rule %s:\n", rule);
	rc = policy_explain(s, rule, &ctx, &t, print_trace, fp);
	if (rc == -1) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		goto done;
	}
	fprintf(fp, "%s: %s\n", rule, rc ? "ALLOWED" : "DENIED");
 done:
	kg_ctx_free(&ctx);
	json_decref(tj);
	json_decref(cj);
	policy_set_free(s);
	return rc;
}
