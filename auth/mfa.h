/*
 * mfa.h - multi-factor rules as Keystone applies them (keystone/auth/core.py
 * UserMFARulesValidator, keystone/models/receipt_model.py): the user
 * options multi_factor_auth_enabled and multi_factor_auth_rules, kept in
 * the user's extra JSON under "options" like the PCI-DSS options
 * (auth/compliance.h). Pure: no store, no I/O, thread-safe.
 *
 * A rule is a list of method names; the user must authenticate with every
 * method of at least one rule. Only methods the server has count: a rule's
 * names are first reduced to the active ones (so a rule naming a method
 * this server lacks cannot lock its users out), and a rule left empty is
 * met. No rules, or multi_factor_auth_enabled false: any method will do.
 * Malformed stored rules are skipped, as Keystone's _parse_rule_structure
 * does (the API never stores them: server/bodies.c validates them).
 */
#ifndef KG_AUTH_MFA_H
#define KG_AUTH_MFA_H

#include <stddef.h>

#include <jansson.h>

#define MFA_ENABLED_OPT	"multi_factor_auth_enabled"
#define MFA_RULES_OPT	"multi_factor_auth_rules"

/*
 * Do the methods done (ndone names) meet the rules of the user whose extra
 * JSON text is extra (NULL: no options)? active: the server's methods,
 * NULL-terminated. 1 yes, 0 no.
 */
int	mfa_satisfied(const char *extra, const char *const *done, size_t ndone,
	    const char *const *active);

/*
 * A receipt's "required_auth_methods" (Keystone's ReceiptModel.
 * required_methods): each rule, reduced to the active methods, that has a
 * method in common with those done, in the rules' order. New
 * reference (an empty array when none); NULL when out of memory.
 */
json_t	*mfa_required(const char *extra, const char *const *done, size_t ndone,
	    const char *const *active);

#endif /* KG_AUTH_MFA_H */
