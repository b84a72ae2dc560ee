/*
 * test_conns.c - unit tests for server/conns.c: the longest-idle
 * connection is evicted first (its peer sees end-of-file), busy ones never
 * are, counts follow opens and closes, and conns_plan's file-descriptor
 * budget raises the soft RLIMIT_NOFILE or lowers the limits.
 */
#include <sys/resource.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/conns.h"
#include "tests/t.h"

#define N	8

static int	peer[N];
static struct conn c[N];

/* 1 when the peer of connection i reads end-of-file (it was shut down). */
static int
evicted(int i)
{
	char	b;

	return recv(peer[i], &b, 1, MSG_DONTWAIT) == 0;
}

static void
open_conn(struct conns *cs, int i, unsigned int *nev)
{
	int	sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1) {
		perror("socketpair");
		exit(2);
	}
	peer[i] = sv[1];
	*nev = conns_opened(cs, &c[i], sv[0]);
}

int
main(void)
{
	struct conns		cs;
	struct conns_plan	plan;
	struct kg_err		err = { 0 };
	struct rlimit		rl, orig;
	unsigned int		nev, open;
	uint64_t		total;
	int			i;

	conns_init(&cs, 3);
	for (i = 0; i < 3; i++)
		open_conn(&cs, i, &nev);
	T("conns-1.1 up to max: nothing evicted", nev == 0 && !evicted(0) &&
	    !evicted(1) && !evicted(2));
	conns_busy(&cs, &c[0]);			/* 0 works on a request */
	conns_idle(&cs, &c[1]);			/* 1 just finished one: newest */
	open_conn(&cs, 3, &nev);
	T("conns-1.2 over max: the longest idle goes", nev == 1 && evicted(2) &&
	    !evicted(0) && !evicted(1) && !evicted(3));
	T("conns-1.3 it is closing", conns_is_closing(&cs, &c[2]) &&
	    !conns_is_closing(&cs, &c[1]));
	conns_counts(&cs, &open, &total);
	T("conns-1.4 counts", open == 4 && total == 1);
	open_conn(&cs, 4, &nev);
	T("conns-1.5 busy is never evicted", nev == 1 && evicted(1) && !evicted(0));
	conns_idle(&cs, &c[2]);			/* a CLOSING one finishing */
	T("conns-1.6 closing stays closing", conns_is_closing(&cs, &c[2]));
	conns_closed(&cs, &c[2]);
	conns_closed(&cs, &c[1]);
	conns_counts(&cs, &open, &total);
	T("conns-1.7 closed ones leave", open == 3 && total == 2);
	/* 0 busy, 3 and 4 idle; make them busy too: none can go. */
	conns_busy(&cs, &c[3]);
	conns_busy(&cs, &c[4]);
	open_conn(&cs, 5, &nev);
	T("conns-1.8 all busy: over max, nothing evicted", nev == 0 &&
	    !evicted(0) && !evicted(3) && !evicted(4) && !evicted(5));
	conns_idle(&cs, &c[4]);
	open_conn(&cs, 6, &nev);
	/* 5 is older than 4 (idle again later): 5 goes, then 4. */
	T("conns-1.9 oldest first, newcomer spared", nev == 2 && evicted(5) &&
	    evicted(4) && !evicted(6));
	for (i = 0; i < 7; i++) {
		close(peer[i]);
		close(c[i].fd >= 0 ? c[i].fd : -1);
	}
	conns_destroy(&cs);

	/* The descriptor budget. */
	getrlimit(RLIMIT_NOFILE, &orig);
	rl = orig;
	rl.rlim_cur = 64;
	T("conns-2.0 lower the soft limit", setrlimit(RLIMIT_NOFILE, &rl) == 0);
	T("conns-2.1 plan for 100", conns_plan(100, 50, &plan, &err) == 0 &&
	    plan.max == 100 && plan.hard == 116 && plan.nofile_before == 64 &&
	    plan.nofile == 166);
	getrlimit(RLIMIT_NOFILE, &rl);
	T("conns-2.2 soft limit raised", rl.rlim_cur == 166);
	rl.rlim_cur = rl.rlim_max = 120;
	T("conns-2.3 lower the hard limit", setrlimit(RLIMIT_NOFILE, &rl) == 0);
	T("conns-2.4 limits lowered to fit", conns_plan(100, 50, &plan, &err) == 0 &&
	    plan.hard == 70 && plan.max == 65 && plan.nofile == 120);
	T("conns-2.5 no room: refused", conns_plan(100, 110, &plan, &err) == -1 &&
	    strstr(err.msg, "RLIMIT_NOFILE") != NULL);
	return t_report();
}
