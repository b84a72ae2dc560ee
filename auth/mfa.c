/* mfa.c - multi-factor rules (see mfa.h). */
#include <string.h>

#include "auth/mfa.h"

static int
in_list(const char *s, const char *const *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

static int
is_active(const char *s, const char *const *active)
{
	for (; *active != NULL; active++)
		if (strcmp(*active, s) == 0)
			return 1;
	return 0;
}

/*
 * The user's rules (a new reference to the stored array) when they apply:
 * rules set, not empty, and multi_factor_auth_enabled not false. NULL:
 * none apply.
 */
static json_t *
load_rules(const char *extra)
{
	json_t		*root, *opts, *rules = NULL;
	json_error_t	 jerr;

	if (extra == NULL || (root = json_loads(extra, 0, &jerr)) == NULL)
		return NULL;
	opts = json_object_get(root, "options");
	if (!json_is_false(json_object_get(opts, MFA_ENABLED_OPT)) &&
	    json_is_array(rules = json_object_get(opts, MFA_RULES_OPT)) &&
	    json_array_size(rules) > 0)
		json_incref(rules);
	else
		rules = NULL;
	json_decref(root);
	return rules;
}

/* A usable rule: a non-empty array of strings (Keystone skips others). */
static int
rule_ok(const json_t *r)
{
	size_t	 i;
	json_t	*m;

	if (!json_is_array(r) || json_array_size(r) == 0)
		return 0;
	json_array_foreach(r, i, m)
		if (!json_is_string(m))
			return 0;
	return 1;
}

/* Is every active method of rule r among the n names of v? */
static int
rule_within(const json_t *r, const char *const *v, size_t n,
    const char *const *active)
{
	size_t	 i;
	json_t	*m;

	json_array_foreach(r, i, m)
		if (is_active(json_string_value(m), active) &&
		    !in_list(json_string_value(m), v, n))
			return 0;
	return 1;
}

int
mfa_satisfied(const char *extra, const char *const *done, size_t ndone,
    const char *const *active)
{
	json_t	*rules, *r;
	size_t	 i;
	int	 ok = 0, any = 0;

	if ((rules = load_rules(extra)) == NULL)
		return 1;
	json_array_foreach(rules, i, r) {
		if (!rule_ok(r))
			continue;
		any = 1;
		if (rule_within(r, done, ndone, active)) {
			ok = 1;
			break;
		}
	}
	json_decref(rules);
	return ok || !any;
}

static int
array_has(const json_t *a, const char *s)
{
	size_t	 i;
	json_t	*m;

	json_array_foreach(a, i, m)
		if (strcmp(json_string_value(m), s) == 0)
			return 1;
	return 0;
}

/* Rule r reduced to the active methods, without repeats; NULL: no memory. */
static json_t *
rule_active(const json_t *r, const char *const *active)
{
	json_t		*out = json_array(), *m;
	const char	*s;
	size_t		 i;

	if (out == NULL)
		return NULL;
	json_array_foreach(r, i, m) {
		s = json_string_value(m);
		if (is_active(s, active) && !array_has(out, s) &&
		    json_array_append_new(out, json_string(s)) == -1) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

json_t *
mfa_required(const char *extra, const char *const *done, size_t ndone,
    const char *const *active)
{
	json_t	*rules, *r, *ra, *out;
	size_t	 i, k;
	int	 covers;

	if ((out = json_array()) == NULL)
		return NULL;
	if ((rules = load_rules(extra)) == NULL)
		return out;
	json_array_foreach(rules, i, r) {
		if (!rule_ok(r))
			continue;
		if ((ra = rule_active(r, active)) == NULL)
			goto fail;
		for (covers = 0, k = 0; k < ndone && !covers; k++)
			covers = array_has(ra, done[k]);
		if (!covers)
			json_decref(ra);
		else if (json_array_append_new(out, ra) == -1)
			goto fail;
	}
	json_decref(rules);
	return out;
 fail:
	json_decref(rules);
	json_decref(out);
	return NULL;
}
