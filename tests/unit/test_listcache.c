/*
 * test_listcache.c - server/listcache.c: a body is served only at the
 * revision it was kept at, a newer put replaces it, and the bounds hold
 * (entries, bytes, oversized bodies and keys not kept, least recently
 * used evicted first).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/listcache.h"
#include "tests/t.h"

/* 1 when key at rev gives want (NULL: a miss). */
static int
gives(struct listcache *c, const char *key, int64_t rev, const char *want)
{
	char	*got = listcache_get(c, key, rev);
	int	 ok = want == NULL ? got == NULL : got != NULL && strcmp(got, want) == 0;

	free(got);
	return ok;
}

int
main(void)
{
	struct listcache	*c;
	char			 key[16], big[LISTCACHE_KEY_MAX + 1], *body;
	int			 i, kept;

	T("lc-1.1 new", (c = listcache_new(1000)) != NULL);
	T("lc-1.2 empty: miss", gives(c, "a", 1, NULL));
	listcache_put(c, "a", 1, "[1]");
	T("lc-1.3 hit at its revision", gives(c, "a", 1, "[1]"));
	T("lc-1.4 miss at another revision", gives(c, "a", 2, NULL) &&
	    gives(c, "a", 0, NULL));
	T("lc-1.5 miss for another key", gives(c, "b", 1, NULL));
	listcache_put(c, "a", 2, "[2]");
	T("lc-1.6 a put replaces the key's body", gives(c, "a", 2, "[2]") &&
	    gives(c, "a", 1, NULL));

	body = malloc(300);
	memset(body, 'x', 299);
	body[299] = '\0';
	listcache_put(c, "huge", 1, body);
	T("lc-2.1 a body over a quarter of the budget is not kept",
	    gives(c, "huge", 1, NULL));
	body[240] = '\0';
	for (i = 0; i < 5; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		listcache_put(c, key, 1, body);
		if (i == 0)
			T("lc-2.2 k0 kept", gives(c, "k0", 1, body));
	}
	for (i = 0, kept = 0; i < 5; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		kept += gives(c, key, 1, body);
	}
	T("lc-2.3 the byte budget holds (at most 4 of 240 bytes in 1000)",
	    kept <= 4 && gives(c, "k4", 1, body));
	T("lc-2.4 the least recently used went first", gives(c, "k0", 1, NULL));
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	listcache_put(c, big, 1, "[]");
	T("lc-2.5 an overlong key is not kept", gives(c, big, 1, NULL));
	listcache_free(c);

	c = listcache_new(1 << 20);
	for (i = 0; i < LISTCACHE_ENTRIES + 8; i++) {
		snprintf(key, sizeof(key), "e%d", i);
		listcache_put(c, key, i, "[]");
		if (i == 1)
			(void)gives(c, "e0", 0, "[]");	/* e0 used: e1 is older */
	}
	T("lc-3.1 at most LISTCACHE_ENTRIES entries, LRU evicted",
	    gives(c, "e1", 1, NULL) && gives(c, "e39", 39, "[]"));
	listcache_free(c);
	listcache_free(NULL);
	T("lc-3.2 a NULL cache keeps nothing", gives(NULL, "a", 1, NULL));
	free(body);
	return t_report();
}
