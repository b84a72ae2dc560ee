/*
 * accessrule.h - which requests an application credential's access rules
 * allow: keystonemiddleware's validate_allowed_request, which every
 * OpenStack service runs on a token whose credential has access rules,
 * and which keygate runs on its own API (service type "identity"). Pure:
 * no store, no allocation; thread-safe.
 *
 * A rule allows a request when its method equals the request's, its
 * service equals the service's type and its path pattern matches the
 * whole request path: "*" and "{name}" match one segment (one or more
 * characters other than '/'), "**" any rest of the path ('/' included,
 * possibly empty), every other character itself (an unclosed "{" too). (keystonemiddleware
 * turns the pattern into a regular expression without escaping, so its
 * '.' also matches any character; keygate matches it literally.)
 */
#ifndef KG_AUTH_ACCESSRULE_H
#define KG_AUTH_ACCESSRULE_H

#include <stddef.h>

#include "common/types.h"

/* 1 when path matches pattern (the rules above), else 0. */
int	access_path_matches(const char *pattern, const char *path);

/* 1 when one of rules[n] allows method path on the service of that type. */
int	access_rules_allow(const struct kg_access_rule *rules, size_t n,
	    const char *service_type, const char *method, const char *path);

/*
 * The OpenStack-Identity-Access-Rules header of a validation request, as
 * Keystone reads it: 1 when the validating service understands access
 * rules (a version >= 1.0), else 0 (absent, lower or not a number).
 */
int	access_rules_supported(const char *header);

#endif /* KG_AUTH_ACCESSRULE_H */
