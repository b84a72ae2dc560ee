/*
 * test_store_match.c - Keystone's inexact name filters in store/ (name__
 * contains, __startswith, __endswith and their case-insensitive __i forms)
 * on every list that has them: which names match, case rules (Unicode),
 * '%' and '_' taken literally, filters combined; on SQLite, or PostgreSQL
 * with KG_TEST_PG (tests/unit/tstore.h).
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "store/assignment.h"
#include "store/identity.h"
#include "store/store.h"
#include "tests/t.h"
#include "tests/unit/tstore.h"

static struct store	*st;
static struct kg_err	 err;

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct kg_group *)a)->name,
	    ((const struct kg_group *)b)->name);
}

/* The groups' names, sorted (lists come in id order), joined by ','
 * (or "ERR"). */
static const char *
groups(const struct kg_name_match *m)
{
	static char	 out[512];
	struct kg_group	*v = NULL;
	size_t		 n = 0, i;

	out[0] = '\0';
	if (store_group_list(st, NULL, NULL, m, NULL, &v, &n, &err) == -1)
		return "ERR";
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_name);
	for (i = 0; i < n; i++) {
		if (i > 0)
			strncat(out, ",", sizeof(out) - strlen(out) - 1);
		strncat(out, v[i].name, sizeof(out) - strlen(out) - 1);
	}
	kg_group_list_free(v, n);
	return out;
}

static int
is(const char *got, const char *want)
{
	if (strcmp(got, want) == 0)
		return 1;
	printf("    got '%s', want '%s'\n", got, want);
	return 0;
}

static void
mk_group(const char *name)
{
	struct kg_group	g;

	memset(&g, 0, sizeof(g));
	kg_id_new(g.id);
	kg_strlcpy(g.name, name, sizeof(g.name));
	kg_strlcpy(g.domain_id, "dom", sizeof(g.domain_id));
	if (store_group_create(st, &g, &err) == -1) {
		fprintf(stderr, "group %s: %s\n", name, err.msg);
		exit(1);
	}
}

int
main(void)
{
	struct kg_name_match	 m;
	struct kg_domain	 d, *dv = NULL;
	struct kg_domain_filter	 df;
	struct kg_user		 u, *uv = NULL;
	struct kg_user_filter	 uf;
	struct kg_project_filter pf;
	struct kg_project	 p, *pv = NULL;
	struct kg_role		 r, *rv = NULL;
	size_t			 n = 0;

	if ((st = tstore_open()) == NULL)
		return 1;
	memset(&d, 0, sizeof(d));
	kg_strlcpy(d.id, "dom", sizeof(d.id));
	kg_strlcpy(d.name, "Dom", sizeof(d.name));
	d.enabled = 1;
	T("match-0.1 fixture domain", store_domain_create(st, &d, &err) == 0);
	mk_group("Alpha");
	mk_group("alphabet");
	mk_group("beta_1");
	mk_group("betaX1");
	mk_group("100%");
	mk_group("1000");
	mk_group("back\\slash");
	mk_group("\xc3\x89" "cole");		/* École */
	mk_group("\xc3\xa9" "cole-2");		/* école-2 */

	memset(&m, 0, sizeof(m));
	T("match-1.1 no filter: all", is(groups(&m), "100%,1000,Alpha,alphabet,"
	    "back\\slash,betaX1,beta_1,\xc3\x89" "cole,\xc3\xa9" "cole-2"));
	T("match-1.2 NULL filter: all", is(groups(NULL), groups(&m)));

	m.contains = "lph";
	T("match-2.1 contains", is(groups(&m), "Alpha,alphabet"));
	m.contains = "LPH";
	T("match-2.2 contains is case-sensitive", is(groups(&m), ""));
	memset(&m, 0, sizeof(m));
	m.icontains = "LPH";
	T("match-2.3 icontains ignores case", is(groups(&m), "Alpha,alphabet"));
	memset(&m, 0, sizeof(m));
	m.startswith = "al";
	T("match-2.4 startswith", is(groups(&m), "alphabet"));
	memset(&m, 0, sizeof(m));
	m.istartswith = "AL";
	T("match-2.5 istartswith", is(groups(&m), "Alpha,alphabet"));
	memset(&m, 0, sizeof(m));
	m.endswith = "bet";
	T("match-2.6 endswith", is(groups(&m), "alphabet"));
	m.endswith = "Alphabet";
	T("match-2.7 endswith the whole name", is(groups(&m), ""));
	m.endswith = "alphabet";
	T("match-2.8 endswith: equal name", is(groups(&m), "alphabet"));
	memset(&m, 0, sizeof(m));
	m.iendswith = "HA";
	T("match-2.9 iendswith", is(groups(&m), "Alpha"));
	memset(&m, 0, sizeof(m));
	m.contains = "";
	T("match-2.10 empty value: every name", is(groups(&m), groups(NULL)));

	/* LIKE's metacharacters are text, never patterns */
	memset(&m, 0, sizeof(m));
	m.icontains = "a_1";
	T("match-3.1 '_' is not a wildcard", is(groups(&m), "beta_1"));
	m.icontains = "%";
	T("match-3.2 '%' is not a wildcard", is(groups(&m), "100%"));
	m.icontains = "0%";
	T("match-3.3 '0%' matches '100%' only", is(groups(&m), "100%"));
	memset(&m, 0, sizeof(m));
	m.iendswith = "%";
	T("match-3.4 iendswith '%'", is(groups(&m), "100%"));
	memset(&m, 0, sizeof(m));
	m.istartswith = "back\\";
	T("match-3.5 '\\' is not an escape", is(groups(&m), "back\\slash"));
	memset(&m, 0, sizeof(m));
	m.contains = "_";
	T("match-3.6 exact: '_' is a character", is(groups(&m), "beta_1"));

	/* Unicode */
	memset(&m, 0, sizeof(m));
	m.istartswith = "\xc3\xa9" "co";	/* éco */
	T("match-4.1 Unicode case folding (É = é)", is(groups(&m),
	    "\xc3\x89" "cole,\xc3\xa9" "cole-2"));
	memset(&m, 0, sizeof(m));
	m.startswith = "\xc3\xa9";
	T("match-4.2 case-sensitive keeps É apart", is(groups(&m),
	    "\xc3\xa9" "cole-2"));
	memset(&m, 0, sizeof(m));
	m.endswith = "ole";
	T("match-4.3 endswith counts characters", is(groups(&m), "\xc3\x89" "cole"));

	/* combined */
	memset(&m, 0, sizeof(m));
	m.icontains = "a";
	m.endswith = "1";
	m.startswith = "beta";
	T("match-5.1 filters combine (AND)", is(groups(&m), "betaX1,beta_1"));
	m.istartswith = "BETAX";
	T("match-5.2 all must hold", is(groups(&m), "betaX1"));

	/* every list */
	memset(&m, 0, sizeof(m));
	m.icontains = "OM";
	memset(&df, 0, sizeof(df));
	df.enabled = -1;
	df.match = m;
	T("match-6.1 domains", store_domain_list(st, &df, NULL, &dv, &n,
	    &err) == 0 && n == 1 && strcmp(dv[0].name, "Dom") == 0);
	kg_domain_list_free(dv, n);
	memset(&p, 0, sizeof(p));
	kg_id_new(p.id);
	kg_strlcpy(p.name, "Project-X", sizeof(p.name));
	kg_strlcpy(p.domain_id, "dom", sizeof(p.domain_id));
	p.enabled = 1;
	T("match-6.2 fixture project", store_project_create(st, &p, &err) == 0);
	memset(&pf, 0, sizeof(pf));
	pf.enabled = -1;
	pf.match.iendswith = "-x";
	T("match-6.3 projects", store_project_list(st, &pf, NULL, &pv, &n, &err) == 0 &&
	    n == 1 && strcmp(pv[0].name, "Project-X") == 0);
	kg_project_list_free(pv, n);
	pf.match.iendswith = "-y";
	T("match-6.4 projects: no match", store_project_list(st, &pf, NULL, &pv, &n,
	    &err) == 0 && n == 0);
	kg_project_list_free(pv, n);
	memset(&u, 0, sizeof(u));
	kg_id_new(u.id);
	kg_strlcpy(u.name, "Carol", sizeof(u.name));
	kg_strlcpy(u.domain_id, "dom", sizeof(u.domain_id));
	u.enabled = 1;
	T("match-6.5 fixture user", store_user_create(st, &u, &err) == 0);
	memset(&uf, 0, sizeof(uf));
	uf.enabled = -1;
	uf.match.startswith = "Car";
	T("match-6.6 users", store_user_list(st, &uf, NULL, &uv, &n, &err) == 0 &&
	    n == 1 && strcmp(uv[0].name, "Carol") == 0);
	kg_user_list_free(uv, n);
	uf.match.startswith = "car";
	T("match-6.7 users: case-sensitive", store_user_list(st, &uf, NULL, &uv, &n,
	    &err) == 0 && n == 0);
	kg_user_list_free(uv, n);
	memset(&r, 0, sizeof(r));
	kg_id_new(r.id);
	kg_strlcpy(r.name, "Reader_Plus", sizeof(r.name));
	T("match-6.8 fixture role", store_role_create(st, &r, &err) == 0);
	memset(&m, 0, sizeof(m));
	m.icontains = "r_p";
	T("match-6.9 roles", store_role_list(st, NULL, NULL, &m, NULL, &rv, &n, &err) == 0 &&
	    n == 1 && strcmp(rv[0].name, "Reader_Plus") == 0);
	kg_role_list_free(rv, n);
	m.icontains = "rxp";
	T("match-6.10 roles: '_' literal", store_role_list(st, NULL, NULL, &m, NULL, &rv,
	    &n, &err) == 0 && n == 0);
	kg_role_list_free(rv, n);
	store_close(st);
	return t_report();
}
