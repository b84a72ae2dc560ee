/*
 * test_vcache.c - the focus of this file is auth/vcache.c, the validation
 * cache: a hit gives back exactly the context and body that were put (the
 * context is stored packed), and an entry answers only at its revision,
 * key-set epoch and before its expiry; the least recently used of a
 * bucket is evicted.
 */
#include <stdlib.h>
#include <string.h>

#include "auth/vcache.h"
#include "common/util.h"
#include "tests/t.h"

static void
sample(struct kg_ctx *c, int nroles)
{
	int	i;

	memset(c, 0, sizeof(*c));
	kg_strlcpy(c->user_id, "0123456789abcdef0123456789abcdef", sizeof(c->user_id));
	kg_strlcpy(c->user_domain_id, "default", sizeof(c->user_domain_id));
	c->scope = KG_SCOPE_PROJECT;
	kg_strlcpy(c->project_id, "p1", sizeof(c->project_id));
	kg_strlcpy(c->project_domain_id, "d1", sizeof(c->project_domain_id));
	kg_strlcpy(c->audit_id, "own-audit", sizeof(c->audit_id));
	kg_strlcpy(c->audit_chain_id, "chain", sizeof(c->audit_chain_id));
	kg_strlcpy(c->methods[0], "password", sizeof(c->methods[0]));
	kg_strlcpy(c->methods[1], "token", sizeof(c->methods[1]));
	c->nmethods = 2;
	c->expires_at = kg_now_us() + 3600000000LL;
	c->rev = 17;
	c->nroles = (size_t)nroles;
	c->roles = nroles ? calloc((size_t)nroles, sizeof(*c->roles)) : NULL;
	for (i = 0; i < nroles; i++) {
		snprintf(c->roles[i].id, sizeof(c->roles[i].id), "role-%d", i);
		snprintf(c->roles[i].name, sizeof(c->roles[i].name), "name \"%d\"", i);
	}
}

static int
same_ctx(const struct kg_ctx *a, const struct kg_ctx *b)
{
	size_t	i;

	if (strcmp(a->user_id, b->user_id) || strcmp(a->user_domain_id, b->user_domain_id) ||
	    a->scope != b->scope || strcmp(a->project_id, b->project_id) ||
	    strcmp(a->project_domain_id, b->project_domain_id) ||
	    strcmp(a->domain_id, b->domain_id) || strcmp(a->audit_id, b->audit_id) ||
	    strcmp(a->audit_chain_id, b->audit_chain_id) || a->nmethods != b->nmethods ||
	    a->expires_at != b->expires_at || a->rev != b->rev || a->nroles != b->nroles)
		return 0;
	for (i = 0; i < a->nmethods; i++)
		if (strcmp(a->methods[i], b->methods[i]) != 0)
			return 0;
	for (i = 0; i < a->nroles; i++)
		if (strcmp(a->roles[i].id, b->roles[i].id) ||
		    strcmp(a->roles[i].name, b->roles[i].name))
			return 0;
	return 1;
}

int
main(void)
{
	struct vcache	*c = vcache_new(8), *none = vcache_new(0);
	struct kg_ctx	 in, out;
	unsigned char	 h[32], h2[32];
	unsigned long	 hits, misses;
	int64_t		 now = kg_now_us();
	char		*body = NULL;
	int		 i, ok;

	memset(h, 1, sizeof(h));
	sample(&in, 5);
	vcache_put(c, h, 17, 3, &in, "{\"token\":1}");
	T("vcache-1.1 a hit gives back the context and the body",
	    vcache_get(c, h, 17, 3, now, &out, &body) == 1 && same_ctx(&in, &out) &&
	    body != NULL && strcmp(body, "{\"token\":1}") == 0);
	kg_ctx_free(&out);
	free(body);
	T("vcache-1.2 without asking for the body", vcache_get(c, h, 17, 3, now, &out,
	    NULL) == 1 && same_ctx(&in, &out));
	kg_ctx_free(&out);
	kg_ctx_free(&in);
	sample(&in, 0);
	in.scope = KG_SCOPE_NONE;
	in.project_id[0] = in.project_domain_id[0] = in.audit_chain_id[0] = '\0';
	vcache_put(c, h, 17, 3, &in, "{}");
	T("vcache-1.3 an unscoped context without roles replaces the entry",
	    vcache_get(c, h, 17, 3, now, &out, NULL) == 1 && same_ctx(&in, &out) &&
	    out.roles == NULL);
	kg_ctx_free(&out);

	T("vcache-2.1 another revision: miss", vcache_get(c, h, 18, 3, now, &out,
	    NULL) == 0);
	vcache_put(c, h, 17, 3, &in, "{}");
	T("vcache-2.2 another key-set epoch: miss", vcache_get(c, h, 17, 4, now, &out,
	    NULL) == 0);
	vcache_put(c, h, 17, 3, &in, "{}");
	T("vcache-2.3 expired: miss", vcache_get(c, h, 17, 3, in.expires_at, &out,
	    NULL) == 0);
	T("vcache-2.4 the stale entry was dropped", vcache_get(c, h, 17, 3, now, &out,
	    NULL) == 0);
	memset(h2, 2, sizeof(h2));
	T("vcache-2.5 unknown token: miss", vcache_get(c, h2, 17, 3, now, &out,
	    NULL) == 0);

	/* One bucket (8 entries = 2 buckets of 4): the same first 8 bytes. */
	ok = 1;
	for (i = 0; i < 5; i++) {
		memset(h2, 0, sizeof(h2));
		h2[31] = (unsigned char)i;
		vcache_put(c, h2, 17, 3, &in, "{}");
		if (i == 3) {		/* touch 0: 1 is now the oldest */
			h2[31] = 0;
			ok &= vcache_get(c, h2, 17, 3, now, &out, NULL) == 1;
			kg_ctx_free(&out);
		}
	}
	memset(h2, 0, sizeof(h2));
	h2[31] = 1;
	ok &= vcache_get(c, h2, 17, 3, now, &out, NULL) == 0;
	h2[31] = 0;
	ok &= vcache_get(c, h2, 17, 3, now, &out, NULL) == 1;
	kg_ctx_free(&out);
	T("vcache-3.1 a full bucket evicts its least recently used entry", ok);
	vcache_stats(c, &hits, &misses);
	T("vcache-3.2 counters", hits == 5 && misses == 6);
	vcache_clear(c);
	h2[31] = 0;
	T("vcache-3.3 clear empties it", vcache_get(c, h2, 17, 3, now, &out, NULL) == 0);
	T("vcache-3.4 a cache of 0 entries is none: always a miss", none == NULL &&
	    (vcache_put(none, h, 17, 3, &in, "{}"), vcache_get(none, h, 17, 3, now,
	    &out, NULL)) == 0);
	kg_ctx_free(&in);
	vcache_free(c);
	return t_report();
}
