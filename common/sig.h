/*
 * sig.h - signal set-up for daemons that take their signals with sigwait()
 * in the main thread (keygate serve, keygate-gateway).
 */
#ifndef KG_SIG_H
#define KG_SIG_H

#include <signal.h>

/*
 * Fill set with sigs (a list ended by 0) and block them in the calling
 * thread, so that threads started afterwards inherit the mask and only
 * sigwait(set) sees them; ignore SIGPIPE (writes to closed sockets fail
 * with EPIPE instead). Call before starting any thread.
 */
void	kg_sig_block(sigset_t *set, const int *sigs);

#endif /* KG_SIG_H */
