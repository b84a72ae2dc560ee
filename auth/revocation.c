/*
 * revocation.c - the revocation rule and its index keys (see
 * revocation.h). Linked into keygate and keygate-gateway.
 */
#include <string.h>

#include "auth/revocation.h"

/* s, or "" for NULL. */
static const char *
str(const char *s)
{
	return s != NULL ? s : "";
}

/* An event field matches: empty (any) or equal. */
static int
field_eq(const char *ev, const char *tok)
{
	return ev[0] == '\0' || strcmp(ev, str(tok)) == 0;
}

/* A non-empty token attribute equal to the event's value. */
static int
nonempty_eq(const char *ev, const char *tok)
{
	return tok != NULL && tok[0] != '\0' && strcmp(ev, tok) == 0;
}

/* The event is not older than the token (see revocation.h). */
static int
covers_time(const struct kg_revoke_event *ev, const struct kg_revoke_target *t)
{
	if (t->issued_at <= ev->issued_before)
		return 1;
	return t->revision > 0 && ev->revision > 0 && t->revision < ev->revision;
}

int
kg_revoke_matches(const struct kg_revoke_event *ev, const struct kg_revoke_target *t)
{
	const char	*chain;
	size_t		 i;

	if (!covers_time(ev, t))
		return 0;
	if (ev->user_id[0] != '\0' && !nonempty_eq(ev->user_id, t->user_id) &&
	    !nonempty_eq(ev->user_id, t->trustor_id) &&
	    !nonempty_eq(ev->user_id, t->trustee_id))
		return 0;
	if (!field_eq(ev->project_id, t->project_id) ||
	    !field_eq(ev->trust_id, t->trust_id))
		return 0;
	if (ev->domain_id[0] != '\0' && !nonempty_eq(ev->domain_id, t->user_domain_id) &&
	    !nonempty_eq(ev->domain_id, t->project_domain_id) &&
	    !nonempty_eq(ev->domain_id, t->domain_id))
		return 0;
	if (ev->audit_id[0] != '\0' && !nonempty_eq(ev->audit_id, t->audit_id) &&
	    !nonempty_eq(ev->audit_id, t->audit_chain_id))
		return 0;
	chain = t->audit_chain_id != NULL && t->audit_chain_id[0] != '\0' ?
	    t->audit_chain_id : t->audit_id;
	if (!field_eq(ev->audit_chain_id, chain))
		return 0;
	if (!field_eq(ev->app_cred_id, t->app_cred_id))
		return 0;
	if (ev->expires_at != 0 && ev->expires_at / 1000000 != t->expires_at / 1000000)
		return 0;
	if (ev->role_id[0] != '\0') {
		for (i = 0; i < t->nroles; i++)
			if (strcmp(ev->role_id, str(t->role_ids[i])) == 0)
				break;
		if (i == t->nroles)
			return 0;
	}
	return 1;
}

/* "<c>:<id>" into key (ids longer than the key are cut: they never match). */
static void
make_key(char key[KG_REVOKE_KEY_SIZE], char c, const char *id)
{
	size_t	n = strlen(id);

	if (n > KG_REVOKE_KEY_SIZE - 3)
		n = KG_REVOKE_KEY_SIZE - 3;
	key[0] = c;
	key[1] = ':';
	memcpy(key + 2, id, n);
	key[n + 2] = '\0';
}

void
kg_revoke_event_key(const struct kg_revoke_event *ev, char key[KG_REVOKE_KEY_SIZE])
{
	if (ev->audit_id[0] != '\0')
		make_key(key, 'a', ev->audit_id);
	else if (ev->audit_chain_id[0] != '\0')
		make_key(key, 'c', ev->audit_chain_id);
	else if (ev->user_id[0] != '\0')
		make_key(key, 'u', ev->user_id);
	else if (ev->project_id[0] != '\0')
		make_key(key, 'p', ev->project_id);
	else if (ev->domain_id[0] != '\0')
		make_key(key, 'd', ev->domain_id);
	else if (ev->role_id[0] != '\0')
		make_key(key, 'r', ev->role_id);
	else
		memcpy(key, "*", 2);
}

struct keyer {
	int	(*fn)(const char *, void *);
	void	*arg;
	char	 seen[KG_REVOKE_TARGET_KEYS][KG_REVOKE_KEY_SIZE];
	size_t	 nseen;
};

/* Offer "<c>:<id>" unless id is empty or the key was offered already. */
static int
offer(struct keyer *k, char c, const char *id)
{
	char	key[KG_REVOKE_KEY_SIZE];
	size_t	i;

	if (id == NULL || id[0] == '\0')
		return 0;
	make_key(key, c, id);
	for (i = 0; i < k->nseen; i++)
		if (strcmp(k->seen[i], key) == 0)
			return 0;
	if (k->nseen < KG_REVOKE_TARGET_KEYS)
		memcpy(k->seen[k->nseen++], key, sizeof(key));
	return k->fn(key, k->arg);
}

int
kg_revoke_target_keys(const struct kg_revoke_target *t,
    int (*fn)(const char *key, void *arg), void *arg)
{
	struct keyer	 k;
	char		 key[KG_REVOKE_KEY_SIZE];
	const char	*chain;
	size_t		 i;
	int		 rc;

	k.fn = fn;
	k.arg = arg;
	k.nseen = 0;
	chain = t->audit_chain_id != NULL && t->audit_chain_id[0] != '\0' ?
	    t->audit_chain_id : t->audit_id;
	if ((rc = fn("*", arg)) != 0 ||
	    (rc = offer(&k, 'a', t->audit_id)) != 0 ||
	    (rc = offer(&k, 'a', t->audit_chain_id)) != 0 ||
	    (rc = offer(&k, 'c', chain)) != 0 ||
	    (rc = offer(&k, 'u', t->user_id)) != 0 ||
	    (rc = offer(&k, 'u', t->trustor_id)) != 0 ||
	    (rc = offer(&k, 'u', t->trustee_id)) != 0 ||
	    (rc = offer(&k, 'p', t->project_id)) != 0 ||
	    (rc = offer(&k, 'd', t->user_domain_id)) != 0 ||
	    (rc = offer(&k, 'd', t->project_domain_id)) != 0 ||
	    (rc = offer(&k, 'd', t->domain_id)) != 0)
		return rc;
	for (i = 0; i < t->nroles; i++) {
		/* Roles are distinct in a token; no need to remember them. */
		if (t->role_ids[i] == NULL || t->role_ids[i][0] == '\0')
			continue;
		make_key(key, 'r', t->role_ids[i]);
		if ((rc = fn(key, arg)) != 0)
			return rc;
	}
	return 0;
}
