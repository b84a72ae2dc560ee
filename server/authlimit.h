/*
 * authlimit.h - the rate limit on failed password authentications, per
 * source address and per user (keygate's own; Keystone has only the
 * lockout of [security_compliance]). README "Failed-login rate limit" has
 * the budget and the reasoning.
 *
 * Two token buckets of failures: one per source address (capacity
 * address_failures, one failure regained every address_interval seconds)
 * and one per user (user_failures, user_interval). A failure takes one
 * from each; a success gives nothing back. A password check is refused
 * before any hashing (429 with Retry-After) when
 *   - its address has no failure left, or
 *   - its user has none left AND this address failed for this user in the
 *     last `remember` seconds.
 * So an address with no failure on record is never refused for a user:
 * an attacker elsewhere, however many addresses he uses, cannot keep the
 * right password out; each of his addresses gets one wrong guess per
 * user, then waits with the others.
 *
 * Memory is bounded: one table of table_size entries (4-way buckets, keys
 * are SHA-256 of a per-process random salt and the address or user id, so
 * nobody can aim at a bucket); when full, a full (idle) bucket or the
 * oldest entry is replaced. Counts are per process (per replica).
 *
 * Thread-safe (one mutex; held for a few hundred instructions).
 */
#ifndef KG_SERVER_AUTHLIMIT_H
#define KG_SERVER_AUTHLIMIT_H

#include <stdint.h>

struct authlimit_cfg {
	int	enabled;
	int	address_failures;	/* bucket size per address */
	int	address_interval;	/* seconds to regain one */
	int	user_failures;		/* bucket size per user */
	int	user_interval;		/* seconds to regain one */
	int	remember;		/* seconds an address's failure for a user counts */
	int	table_size;		/* entries (rounded up to a multiple of 4) */
};

struct authlimit;

/* NULL when out of memory or !cfg->enabled (every call then allows). */
struct authlimit	*authlimit_new(const struct authlimit_cfg *cfg);
void			 authlimit_free(struct authlimit *l);

/*
 * May a password for user_id (NULL: not known) be checked from addr at
 * now (µs)? 0: yes; else the seconds to wait (>= 1). NULL-safe on l.
 */
int	authlimit_check(struct authlimit *l, const char *addr, const char *user_id,
	    int64_t now);

/* A wrong password (or unknown user: user_id NULL) from addr. */
void	authlimit_failed(struct authlimit *l, const char *addr,
	    const char *user_id, int64_t now);

/* The right password: addr's failure record for user_id is dropped. */
void	authlimit_succeeded(struct authlimit *l, const char *addr,
	    const char *user_id, int64_t now);

/* Entries in use (tests). */
size_t	authlimit_used(struct authlimit *l);

#endif /* KG_SERVER_AUTHLIMIT_H */
