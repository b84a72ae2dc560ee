/*
 * test_sig.c - kg_sig_block: the listed signals wait for sigwait(),
 * SIGPIPE is ignored.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "common/sig.h"
#include "tests/t.h"

int
main(void)
{
	struct sigaction	sa;
	sigset_t		set, cur;
	int			sig = 0;

	kg_sig_block(&set, (const int []){ SIGUSR2, SIGHUP, 0 });
	T("sig-1.1 set holds the listed signals", sigismember(&set, SIGUSR2) == 1 &&
	    sigismember(&set, SIGHUP) == 1 && sigismember(&set, SIGTERM) == 0);
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	T("sig-1.2 they are blocked", sigismember(&cur, SIGUSR2) == 1 &&
	    sigismember(&cur, SIGHUP) == 1 && sigismember(&cur, SIGTERM) == 0);
	memset(&sa, 0, sizeof(sa));
	sigaction(SIGPIPE, NULL, &sa);
	T("sig-1.3 SIGPIPE ignored", sa.sa_handler == SIG_IGN);
	raise(SIGUSR2);
	T("sig-1.4 a raised signal waits for sigwait", sigwait(&set, &sig) == 0 &&
	    sig == SIGUSR2);
	return t_report();
}
