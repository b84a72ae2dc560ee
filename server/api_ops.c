/*
 * api_ops.c - operability endpoints: GET /healthcheck (as oslo.middleware's
 * healthcheck: "OK" when the database answers, 503 otherwise) and
 * GET /metrics (Prometheus text format, limited by metrics.enabled and
 * metrics.allow). Neither needs a token.
 */
#include <microhttpd.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/token.h"
#include "common/log.h"
#include "server/http.h"
#include "server/metrics.h"

static int
text_reply(struct req *r, unsigned int status, const char *text, const char *type,
    struct kg_err *err)
{
	if ((r->out_text = strdup(text)) == NULL)
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	r->out_type = type;
	return (int)status;
}

/*
 * 200 "OK" when this worker's database connection answers; 503 otherwise
 * (a connection that cannot even be opened is turned into 503 by http.c).
 */
static int
get_healthcheck(struct req *r, struct kg_err *err)
{
	if (store_ping(r->st) == 0)
		return text_reply(r, 200, "OK", "text/plain", err);
	log_warn("%s: database does not answer", __func__);
	return text_reply(r, 503, "DATABASE UNAVAILABLE", "text/plain", err);
}

/* The scraper's address, from MHD. NULL when unknown. */
static const struct sockaddr *
client_addr(struct req *r)
{
	const union MHD_ConnectionInfo	*ci;

	ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	return ci != NULL ? ci->client_addr : NULL;
}

static int
get_metrics(struct req *r, struct kg_err *err)
{
	struct metrics_acl	 acl;
	struct token_stats	 ts;
	struct kg_err		 perr = { 0 };
	char			*body;

	if (!r->srv->cfg.metrics_enabled)
		return kg_errf(err, KG_ENOTFOUND, "The resource could not be found.");
	/* serve checks metrics.allow at start; a bad value here fails closed. */
	if (metrics_acl_parse(r->srv->cfg.metrics_allow, &acl, &perr) == -1) {
		log_error("%s: %s", __func__, perr.msg);
		return kg_errf(err, KG_EFORBID,
		    "You are not authorized to perform the requested action.");
	}
	if (!metrics_acl_allows(&acl, client_addr(r)))
		return kg_errf(err, KG_EFORBID,
		    "You are not authorized to perform the requested action.");
	if ((body = metrics_render(r->srv->started_at)) == NULL)
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	/* The token module's validation cache, appended as two counters. */
	tokens_stats(r->srv->tokens, &ts);
	if (asprintf(&r->out_text, "%s"
	    "# HELP keygate_token_cache_hits_total Token validations answered"
	    " from the cache.\n# TYPE keygate_token_cache_hits_total counter\n"
	    "keygate_token_cache_hits_total %lu\n"
	    "# HELP keygate_token_cache_misses_total Token validations that missed"
	    " the cache.\n# TYPE keygate_token_cache_misses_total counter\n"
	    "keygate_token_cache_misses_total %lu\n", body, ts.hits,
	    ts.misses) == -1) {
		r->out_text = NULL;
		free(body);
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	}
	free(body);
	r->out_type = "text/plain; version=0.0.4; charset=utf-8";
	return 200;
}

const struct route api_ops_routes[] = {
	{ "GET", "/healthcheck", get_healthcheck, 0 },
	{ "GET", "/metrics", get_metrics, 0 },
	{ NULL, NULL, NULL, 0 }
};
