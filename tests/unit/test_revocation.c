/*
 * test_revocation.c - the focus of this file is auth/revocation.c (which
 * event revokes which token, and the index keys events are found by) and
 * store/revoke.c (events stamped with the revision of the transaction that
 * wrote them, found by those keys).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/revocation.h"
#include "common/util.h"
#include "store/revoke.h"
#include "store/scope.h"
#include "tests/t.h"
#include "tests/unit/tstore.h"

static char		 rr[20][KG_ID_SIZE];
static const char	*rp[20];

/* A project-scoped target: user u (domain du), project p (domain dp). */
static void
target(struct kg_revoke_target *t)
{
	memset(t, 0, sizeof(*t));
	memset(rr, 0, sizeof(rr));
	for (size_t i = 0; i < 20; i++)
		rp[i] = rr[i];
	kg_strlcpy(rr[0], "r1", sizeof(rr[0]));
	t->user_id = "u";
	t->user_domain_id = "du";
	t->project_id = "p";
	t->project_domain_id = "dp";
	t->domain_id = "";
	t->audit_id = "A";
	t->audit_chain_id = "";
	t->role_ids = rp;
	t->nroles = 1;
	t->issued_at = 100;
	t->expires_at = 500;
}

struct keys {
	char	k[40][KG_REVOKE_KEY_SIZE];
	size_t	n;
	size_t	stop_at;	/* return 1 at this key (0: never) */
};

static int
collect(const char *key, void *arg)
{
	struct keys	*k = arg;

	if (k->n < 40)
		kg_strlcpy(k->k[k->n++], key, KG_REVOKE_KEY_SIZE);
	return k->stop_at != 0 && k->n == k->stop_at;
}

static int
has_key(const struct keys *k, const char *key)
{
	size_t	i;

	for (i = 0; i < k->n; i++)
		if (strcmp(k->k[i], key) == 0)
			return 1;
	return 0;
}

static int
key_is(const struct kg_revoke_event *ev, const char *want)
{
	char	key[KG_REVOKE_KEY_SIZE];

	kg_revoke_event_key(ev, key);
	return strcmp(key, want) == 0;
}

/* store_revoke_find callback: count events, remember the last id. */
struct found {
	int	n;
	int64_t	last_id, last_rev;
};

static int
count(const struct kg_revoke_event *ev, void *arg)
{
	struct found	*f = arg;

	f->n++;
	f->last_id = ev->id;
	f->last_rev = ev->revision;
	return 0;
}

/* Events found under the one key. */
static int
found_under(struct store *st, const char *key, int64_t issued_at, int64_t rev)
{
	struct found	f = { 0, 0, 0 };
	struct kg_err	err = { 0 };
	const char	*keys[1] = { key };

	if (store_revoke_find(st, keys, 1, issued_at, rev, count, &f, &err) == -1)
		return -1;
	return f.n;
}

int
main(void)
{
	struct kg_revoke_event	 ev, *evs;
	struct kg_revoke_target	 t;
	struct kg_err		 err = { 0 };
	struct keys		 k;
	struct store		*st, *st2;
	struct found		 f;
	char			 path[512], key[KG_REVOKE_KEY_SIZE];
	const char		*keyp[20];
	int64_t			 g0, g1, g2;
	size_t			 n, i;
	int			 ok;

	/* 1. the rule */
	target(&t);
	memset(&ev, 0, sizeof(ev));
	ev.issued_before = 100;
	T("revocation-1.1 empty event at issued_at boundary matches",
	    kg_revoke_matches(&ev, &t));
	ev.issued_before = 99;
	T("revocation-1.2 event before issue does not match", !kg_revoke_matches(&ev, &t));
	ev.issued_before = 200;
	kg_strlcpy(ev.domain_id, "dp", sizeof(ev.domain_id));
	T("revocation-1.3 domain event matches the project's domain",
	    kg_revoke_matches(&ev, &t));
	kg_strlcpy(ev.domain_id, "du", sizeof(ev.domain_id));
	T("revocation-1.4 ... and the user's domain", kg_revoke_matches(&ev, &t));
	kg_strlcpy(ev.domain_id, "dx", sizeof(ev.domain_id));
	T("revocation-1.5 ... not another", !kg_revoke_matches(&ev, &t));
	ev.domain_id[0] = '\0';
	kg_strlcpy(ev.role_id, "r1", sizeof(ev.role_id));
	T("revocation-1.6 role event matches a held role", kg_revoke_matches(&ev, &t));
	kg_strlcpy(ev.role_id, "r2", sizeof(ev.role_id));
	T("revocation-1.7 ... not another role", !kg_revoke_matches(&ev, &t));
	ev.role_id[0] = '\0';
	kg_strlcpy(ev.audit_chain_id, "A", sizeof(ev.audit_chain_id));
	T("revocation-1.8 chain event matches a token that is its own chain",
	    kg_revoke_matches(&ev, &t));
	ev.audit_chain_id[0] = '\0';
	ev.expires_at = 2000000;
	T("revocation-1.9 expires_at must be the same second", !kg_revoke_matches(&ev, &t));
	ev.expires_at = 900;
	T("revocation-1.10 ... which it is", kg_revoke_matches(&ev, &t));
	ev.expires_at = 0;
	kg_strlcpy(ev.user_id, "v", sizeof(ev.user_id));
	T("revocation-1.11 other user does not match", !kg_revoke_matches(&ev, &t));
	ev.user_id[0] = '\0';
	kg_strlcpy(ev.audit_id, "C", sizeof(ev.audit_id));
	t.audit_chain_id = "C";
	T("revocation-1.12 audit id event matches the token's chain (rescoped tokens)",
	    kg_revoke_matches(&ev, &t));
	t.audit_chain_id = "";
	T("revocation-1.13 ... not a token of another chain", !kg_revoke_matches(&ev, &t));
	ev.audit_id[0] = '\0';
	kg_strlcpy(ev.project_id, "p", sizeof(ev.project_id));
	t.project_id = "";
	t.domain_id = "p";
	T("revocation-1.14 project event does not match a domain token of that id",
	    !kg_revoke_matches(&ev, &t));

	/* trusts: a trust event matches the trust's tokens only; a user
	 * event matches the trust tokens of its trustor and trustee */
	target(&t);
	memset(&ev, 0, sizeof(ev));
	ev.issued_before = 100;
	kg_strlcpy(ev.trust_id, "T", sizeof(ev.trust_id));
	kg_strlcpy(ev.user_id, "tor", sizeof(ev.user_id));
	T("revocation-1.15 a trust event does not match a token of no trust",
	    !kg_revoke_matches(&ev, &t));
	t.user_id = "tee";
	t.trust_id = "T";
	t.trustor_id = "tor";
	t.trustee_id = "tee";
	T("revocation-1.16 ... matches the trust's token (user: its trustor)",
	    kg_revoke_matches(&ev, &t));
	t.trust_id = "T2";
	T("revocation-1.17 ... not another trust's token of the same parties",
	    !kg_revoke_matches(&ev, &t));
	ev.trust_id[0] = '\0';
	T("revocation-1.18 the trustor's user event matches the trust token",
	    kg_revoke_matches(&ev, &t));
	kg_strlcpy(ev.user_id, "tee", sizeof(ev.user_id));
	T("revocation-1.19 ... and the trustee's", kg_revoke_matches(&ev, &t));
	kg_strlcpy(ev.user_id, "other", sizeof(ev.user_id));
	T("revocation-1.20 ... not a third user's", !kg_revoke_matches(&ev, &t));
	memset(&k, 0, sizeof(k));
	kg_revoke_target_keys(&t, collect, &k);
	T("revocation-1.21 a trust token's keys hold its trustor and trustee",
	    has_key(&k, "u:tor") && has_key(&k, "u:tee"));

	/* 2. revisions: "checked before the revocation committed" */
	target(&t);
	memset(&ev, 0, sizeof(ev));
	kg_strlcpy(ev.user_id, "u", sizeof(ev.user_id));
	ev.issued_before = 50;		/* the token was signed after the event's time */
	ev.revision = 7;
	t.revision = 6;
	T("revocation-2.1 token checked at an older revision: revoked whatever the clock",
	    kg_revoke_matches(&ev, &t));
	t.revision = 7;
	T("revocation-2.2 token checked at the event's revision: not revoked",
	    !kg_revoke_matches(&ev, &t));
	t.revision = 0;
	T("revocation-2.3 token without a revision: issued_before decides",
	    !kg_revoke_matches(&ev, &t));
	t.revision = 6;
	ev.revision = 0;
	T("revocation-2.4 event without a revision: issued_before decides",
	    !kg_revoke_matches(&ev, &t));
	ev.revision = 7;
	t.revision = 9;
	ev.issued_before = 100;
	T("revocation-2.5 issued_before still covers a newer revision (restored store)",
	    kg_revoke_matches(&ev, &t));
	kg_strlcpy(ev.user_id, "v", sizeof(ev.user_id));
	t.revision = 1;
	T("revocation-2.6 an older revision does not make other fields match",
	    !kg_revoke_matches(&ev, &t));

	/* Application credential events (keygate's extension). */
	target(&t);
	memset(&ev, 0, sizeof(ev));
	ev.issued_before = 100;
	kg_strlcpy(ev.user_id, "u", sizeof(ev.user_id));
	kg_strlcpy(ev.app_cred_id, "ac1", sizeof(ev.app_cred_id));
	T("revocation-2.7 a credential's event spares the user's other tokens",
	    !kg_revoke_matches(&ev, &t));
	t.app_cred_id = "ac2";
	T("revocation-2.8 ... and another credential's", !kg_revoke_matches(&ev, &t));
	t.app_cred_id = "ac1";
	T("revocation-2.9 ... and revokes the credential's", kg_revoke_matches(&ev, &t));
	T("revocation-2.10 ... found by the user's key", key_is(&ev, "u:u"));
	memset(ev.app_cred_id, 0, sizeof(ev.app_cred_id));
	T("revocation-2.11 a user event covers the credential's tokens too",
	    kg_revoke_matches(&ev, &t));

	/* 3. index keys */
	memset(&ev, 0, sizeof(ev));
	T("revocation-3.1 event with no field: *", key_is(&ev, "*"));
	kg_strlcpy(ev.role_id, "R", sizeof(ev.role_id));
	T("revocation-3.2 role only: r:", key_is(&ev, "r:R"));
	kg_strlcpy(ev.domain_id, "D", sizeof(ev.domain_id));
	T("revocation-3.3 domain before role", key_is(&ev, "d:D"));
	kg_strlcpy(ev.project_id, "P", sizeof(ev.project_id));
	T("revocation-3.4 project before domain", key_is(&ev, "p:P"));
	kg_strlcpy(ev.user_id, "U", sizeof(ev.user_id));
	T("revocation-3.5 user before project (grant removal)", key_is(&ev, "u:U"));
	kg_strlcpy(ev.audit_chain_id, "C", sizeof(ev.audit_chain_id));
	T("revocation-3.6 chain before user", key_is(&ev, "c:C"));
	kg_strlcpy(ev.audit_id, "A", sizeof(ev.audit_id));
	T("revocation-3.7 audit id first", key_is(&ev, "a:A"));

	target(&t);
	t.audit_chain_id = "C";
	kg_strlcpy(rr[1], "r2", sizeof(rr[1]));
	t.nroles = 2;
	memset(&k, 0, sizeof(k));
	T("revocation-3.8 target keys: all of them", kg_revoke_target_keys(&t, collect,
	    &k) == 0 && k.n == 10 && has_key(&k, "*") && has_key(&k, "a:A") &&
	    has_key(&k, "a:C") && has_key(&k, "c:C") && has_key(&k, "u:u") &&
	    has_key(&k, "p:p") && has_key(&k, "d:du") && has_key(&k, "d:dp") &&
	    has_key(&k, "r:r1") && has_key(&k, "r:r2"));
	t.audit_chain_id = "";
	t.project_domain_id = "du";
	memset(&k, 0, sizeof(k));
	kg_revoke_target_keys(&t, collect, &k);
	T("revocation-3.9 no repeats (own id is the chain, one domain twice)",
	    k.n == 8 && has_key(&k, "c:A") && !has_key(&k, "a:"));
	memset(&k, 0, sizeof(k));
	k.stop_at = 3;
	T("revocation-3.10 the callback stops the walk",
	    kg_revoke_target_keys(&t, collect, &k) == 1 && k.n == 3);

	/* 4. the store (SQLite, or PostgreSQL with KG_TEST_PG): revisions,
	 * keys, look-ups */
	if (tstore_new_db(path, sizeof(path)) == -1)
		return 1;
	if ((st = store_open(path, &err)) == NULL ||
	    store_migrate(st, NULL, NULL, &err) == -1 ||
	    (st2 = store_open(path, &err)) == NULL) {
		printf("setup: %s\n", err.msg);
		return 1;
	}
	g0 = store_generation(st);
	memset(&ev, 0, sizeof(ev));
	kg_strlcpy(ev.user_id, "u1", sizeof(ev.user_id));
	ev.issued_before = 1000;
	ev.revision = 999999;		/* ignored: the store stamps it */
	store_revoke_add(st, &ev, &err);
	g1 = store_generation(st);
	store_revoke_list(st, 0, &evs, &n, &err);
	T("revocation-4.1 an event is stamped with the revision its write left",
	    n == 1 && evs[0].revision == g1 && g1 > g0);
	free(evs);

	/* A reader's snapshot taken before a revocation commits. */
	if (store_read_begin(st2, &err) != 1)
		printf("read begin: %s\n", err.msg);
	g1 = store_generation(st2);	/* the first read takes the snapshot */
	memset(&ev, 0, sizeof(ev));
	kg_strlcpy(ev.user_id, "u2", sizeof(ev.user_id));
	ev.issued_before = 1000;
	store_begin(st, &err);
	store_revoke_add(st, &ev, &err);
	kg_strlcpy(ev.user_id, "u3", sizeof(ev.user_id));
	store_revoke_add(st, &ev, &err);
	store_commit(st, &err);
	g2 = store_generation(st2);
	store_read_end(st2, 1);
	store_revoke_list(st, 0, &evs, &n, &err);
	T("revocation-4.2 a snapshot before the commit reads a lower revision than "
	    "the events it wrote", n == 3 && g2 == g1 && evs[1].revision > g1 &&
	    evs[2].revision > evs[1].revision &&
	    store_generation(st) >= evs[2].revision);
	free(evs);

	/* Every shape is found under exactly the key the C rule gives it. */
	ok = 1;
	for (i = 0; i < 7; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.issued_before = 5000;
		if (i >= 1) kg_strlcpy(ev.role_id, "kR", sizeof(ev.role_id));
		if (i >= 2) kg_strlcpy(ev.domain_id, "kD", sizeof(ev.domain_id));
		if (i >= 3) kg_strlcpy(ev.project_id, "kP", sizeof(ev.project_id));
		if (i >= 4) kg_strlcpy(ev.user_id, "kU", sizeof(ev.user_id));
		if (i >= 5) kg_strlcpy(ev.audit_chain_id, "kC", sizeof(ev.audit_chain_id));
		if (i >= 6) kg_strlcpy(ev.audit_id, "kA", sizeof(ev.audit_id));
		store_revoke_add(st, &ev, &err);
		kg_revoke_event_key(&ev, key);
		/* found under its own key, the newest (>= 5000) one */
		ok &= found_under(st, key, 4000, 0) == 1;
	}
	T("revocation-4.3 the schema's match_key equals kg_revoke_event_key for "
	    "every shape", ok);
	T("revocation-4.4 ... and under no other key", found_under(st, "u:kR", 4000, 0) == 0 &&
	    found_under(st, "r:kD", 4000, 0) == 0 && found_under(st, "p:kU", 4000, 0) == 0);
	T("revocation-4.5 the time filter: older events not returned",
	    found_under(st, "u:u1", 1001, 0) == 0 && found_under(st, "u:u1", 1000, 0) == 1);
	store_revoke_list(st, 0, &evs, &n, &err);
	g1 = evs[0].revision;
	free(evs);
	T("revocation-4.6 ... but a newer revision than the token's is",
	    found_under(st, "u:u1", 1001, g1 - 1) == 1 &&
	    found_under(st, "u:u1", 1001, g1) == 0);

	/* More keys than one statement binds. */
	memset(&ev, 0, sizeof(ev));
	kg_strlcpy(ev.role_id, "role-19", sizeof(ev.role_id));
	ev.issued_before = 5000;
	store_revoke_add(st, &ev, &err);
	memset(&f, 0, sizeof(f));
	{
		char	keys20[20][KG_REVOKE_KEY_SIZE];

		for (i = 0; i < 20; i++) {
			snprintf(keys20[i], sizeof(keys20[i]), "r:role-%zu", i);
			keyp[i] = keys20[i];
		}
		T("revocation-4.7 20 keys: the one on the 20th is found",
		    store_revoke_find(st, keyp, 20, 4000, 0, count, &f, &err) == 0 &&
		    f.n == 1);
	}

	/* 10,000 events of other keys do not change what a check finds. */
	store_begin(st, &err);
	for (i = 0; i < 10000; i++) {
		memset(&ev, 0, sizeof(ev));
		snprintf(ev.audit_id, sizeof(ev.audit_id), "other-%zu", i);
		ev.issued_before = 9000;
		store_revoke_add(st, &ev, &err);
	}
	store_commit(st, &err);
	T("revocation-4.8 with 10,000 unrelated events a look-up finds only its own",
	    found_under(st, "u:u1", 1000, 0) == 1 && found_under(st, "a:nope", 0, 0) == 0 &&
	    found_under(st, "a:other-77", 0, 0) == 1);

	store_close(st2);
	store_close(st);
	return t_report();
}
