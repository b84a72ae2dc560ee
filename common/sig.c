/*
 * sig.c - signals for sigwait()-driven daemons (see sig.h).
 */
#include <pthread.h>
#include <signal.h>

#include "common/sig.h"

void
kg_sig_block(sigset_t *set, const int *sigs)
{
	sigemptyset(set);
	for (; *sigs != 0; sigs++)
		sigaddset(set, *sigs);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN);
}
