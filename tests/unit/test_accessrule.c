/*
 * test_accessrule.c - the focus of this file is auth/accessrule.c: the
 * path patterns of application credential access rules as
 * keystonemiddleware matches them ("*" and "{x}" one segment, "**" any
 * rest), which rule allows which request, the access-rules header, and
 * that a pattern built to make a backtracking matcher explode is cheap.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/accessrule.h"
#include "common/util.h"
#include "tests/t.h"

static struct kg_access_rule
rule(const char *service, const char *method, const char *path)
{
	struct kg_access_rule	r;

	memset(&r, 0, sizeof(r));
	kg_strlcpy(r.id, "r", sizeof(r.id));
	kg_strlcpy(r.service, service, sizeof(r.service));
	kg_strlcpy(r.method, method, sizeof(r.method));
	kg_strlcpy(r.path, path, sizeof(r.path));
	return r;
}

int
main(void)
{
	struct kg_access_rule	 rules[3];
	char			 pat[226], path[4200];
	struct timespec		 a, b;
	double			 ms;
	int			 i;

	T("accessrule-1.1 literal", access_path_matches("/v2.1/servers",
	    "/v2.1/servers"));
	T("accessrule-1.2 literal: whole path only", !access_path_matches(
	    "/v2.1/servers", "/v2.1/servers/x") && !access_path_matches(
	    "/v2.1/servers", "/v2.1/server"));
	T("accessrule-1.3 * is one segment", access_path_matches(
	    "/v2.1/servers/*/ips", "/v2.1/servers/abc/ips") && !access_path_matches(
	    "/v2.1/servers/*/ips", "/v2.1/servers/a/b/ips"));
	T("accessrule-1.4 * is at least one character", !access_path_matches(
	    "/v2.1/servers/*/ips", "/v2.1/servers//ips"));
	T("accessrule-1.5 {name} is one segment", access_path_matches(
	    "/v2.1/servers/{server_id}/ips", "/v2.1/servers/42/ips") &&
	    !access_path_matches("/v2.1/servers/{server_id}/ips",
	    "/v2.1/servers/4/2/ips"));
	T("accessrule-1.6 ** is any rest, / included", access_path_matches(
	    "/v2.1/**", "/v2.1/servers/a/b") && access_path_matches("/v2.1/**",
	    "/v2.1/"));
	T("accessrule-1.7 ** may be empty (keystonemiddleware's .*)",
	    access_path_matches("/v2.1/**", "/v2.1/") && access_path_matches(
	    "/a**", "/a"));
	T("accessrule-1.8 ** inside a pattern", access_path_matches(
	    "/v3/**/roles", "/v3/projects/p/users/u/roles") && !access_path_matches(
	    "/v3/**/roles", "/v3/projects/p/users/u/roles/r"));
	T("accessrule-1.9 *** is ** then *", access_path_matches("/a/***",
	    "/a/b/c") && !access_path_matches("/a/***", "/a/"));
	T("accessrule-1.10 * inside a segment", access_path_matches("/v3/*.json",
	    "/v3/x.json") && !access_path_matches("/v3/*.json", "/v3/a/x.json"));
	T("accessrule-1.11 an unclosed { is literal", access_path_matches("/a{b",
	    "/a{b") && !access_path_matches("/a{b", "/axb"));
	T("accessrule-1.12 . is literal (stricter than keystonemiddleware's regex)",
	    !access_path_matches("/v2.1/servers", "/v2x1/servers"));
	T("accessrule-1.13 empty pattern matches only the empty path",
	    access_path_matches("", "") && !access_path_matches("", "/"));

	/* A pattern that makes backtracking exponential, on a long segment. */
	memset(pat, 0, sizeof(pat));
	pat[0] = '/';
	for (i = 1; i + 2 < 225; i += 2) {
		pat[i] = '*';
		pat[i + 1] = 'a';
	}
	memset(path, 'a', 4000);
	path[0] = '/';
	path[4000] = 'b';
	path[4001] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &a);
	i = access_path_matches(pat, path);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	T("accessrule-2.1 *a*a*a... against aaaa...b: no match, linear time",
	    i == 0 && ms < 2000);
	memset(path, 'a', 4200);
	path[0] = '/';
	path[4199] = '\0';
	T("accessrule-2.2 paths over 4096 characters match nothing",
	    !access_path_matches("/**", path));

	rules[0] = rule("compute", "GET", "/v2.1/servers/*/ips");
	rules[1] = rule("compute", "POST", "/v2.1/servers");
	rules[2] = rule("image", "GET", "/v2/**");
	T("accessrule-3.1 method, service and path must all match",
	    access_rules_allow(rules, 3, "compute", "GET", "/v2.1/servers/s/ips") &&
	    access_rules_allow(rules, 3, "compute", "POST", "/v2.1/servers") &&
	    access_rules_allow(rules, 3, "image", "GET", "/v2/images/x"));
	T("accessrule-3.2 another method -> no", !access_rules_allow(rules, 3,
	    "compute", "DELETE", "/v2.1/servers"));
	T("accessrule-3.3 another service -> no", !access_rules_allow(rules, 3,
	    "volume", "GET", "/v2.1/servers/s/ips"));
	T("accessrule-3.4 methods are case-sensitive", !access_rules_allow(rules, 3,
	    "compute", "get", "/v2.1/servers/s/ips"));
	T("accessrule-3.5 no rules: nothing allowed", !access_rules_allow(rules, 0,
	    "compute", "GET", "/"));

	T("accessrule-4.1 header 1.0, 1, 2.5 -> supported",
	    access_rules_supported("1.0") && access_rules_supported("1") &&
	    access_rules_supported("2.5"));
	T("accessrule-4.2 absent, empty, 0.9, garbage -> not",
	    !access_rules_supported(NULL) && !access_rules_supported("") &&
	    !access_rules_supported("0.9") && !access_rules_supported("yes") &&
	    !access_rules_supported("1.0x"));
	return t_report();
}
