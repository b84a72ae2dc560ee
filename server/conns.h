/*
 * conns.h - the HTTP connection registry: how many client connections are
 * open, which of them are idle, and room for new clients at the limit.
 *
 * Why: libmicrohttpd stops accepting at its connection limit, so a few
 * thousand idle keep-alive connections (or slow clients that never finish
 * a request) would leave every new client waiting in the listen backlog.
 * keygate keeps server.max_connections open at most, and when a new client
 * arrives beyond that it closes the connection that has been idle longest
 * instead: the newcomer is served, a client that went quiet reconnects.
 *
 * States. A connection is BUSY while the server works on a complete
 * request (from dispatch until its reply is sent or fails), IDLE otherwise:
 * waiting between requests, or still receiving a request's headers or
 * body (so a slow client cannot pin its place). IDLE connections are kept
 * in a list ordered by when they last became idle (connected or finished
 * a reply); the head is evicted first. An evicted connection is CLOSING:
 * conns_evict shut()s its socket down (both ways) and libmicrohttpd,
 * seeing end-of-file on its next read, closes it and reports it closed.
 * BUSY connections are never evicted, so a reply in progress always
 * completes.
 *
 * Capacity. The registry evicts once more than `max` connections are open
 * (not counting those already CLOSING); libmicrohttpd's own hard limit is
 * set higher (conns_plan), so the newcomer has been accepted by the time
 * it is counted and the evicted ones close a moment later. If every
 * connection is BUSY nothing can be evicted: libmicrohttpd accepts up to
 * its hard limit, then new clients wait in the backlog until a reply ends.
 *
 * File descriptors: conns_plan raises the process's soft RLIMIT_NOFILE
 * so that the hard connection limit plus the server's other descriptors
 * fit, and lowers the connection limits (with a warning) when the hard
 * RLIMIT_NOFILE does not allow that many or raising it is forbidden
 * (keygate.service sets LimitNOFILE=65536 and filters setrlimit out).
 *
 * Ownership and threads: struct conn is embedded in the caller's
 * per-connection state and owned by it; the registry only links it. Every
 * function takes the registry's mutex and may be called from any thread.
 * A socket is shut down only while its connection is registered (under
 * the mutex), and the caller unregisters it (conns_closed) before closing
 * the descriptor, so a descriptor number reused by a new connection is
 * never touched.
 */
#ifndef KG_CONNS_H
#define KG_CONNS_H

#include <pthread.h>
#include <stdint.h>

#include "common/err.h"

enum conn_status { CONN_IDLE, CONN_BUSY, CONN_CLOSING };

struct conn {
	int			 fd;
	enum conn_status	 state;
	struct conn		*prev, *next;	/* idle list; private to conns.c */
};

struct conns {
	pthread_mutex_t		 mu;
	unsigned int		 max;		/* evict beyond this many open */
	unsigned int		 open;		/* registered, CLOSING included */
	unsigned int		 closing;
	uint64_t		 evicted;	/* since start */
	struct conn		*head, *tail;	/* idle list, longest idle first */
};

/* Limits derived from server.max_connections and RLIMIT_NOFILE. */
struct conns_plan {
	unsigned int	max;		/* soft limit: evict beyond it */
	unsigned int	hard;		/* libmicrohttpd's connection limit */
	unsigned long	nofile;		/* soft RLIMIT_NOFILE now in force */
	unsigned long	nofile_before;	/* ... and before conns_plan */
};

/*
 * Work out the limits for want connections with reserve descriptors for
 * everything else (databases, listening socket, epoll, logs), raising the
 * soft RLIMIT_NOFILE as needed (and logging it). Returns 0, or -1 with
 * err when the hard RLIMIT_NOFILE leaves room for fewer than 16 clients.
 */
int	conns_plan(unsigned int want, unsigned int reserve, struct conns_plan *p,
	    struct kg_err *err);

void	conns_init(struct conns *cs, unsigned int max);
void	conns_destroy(struct conns *cs);

/*
 * A new connection on socket fd: registered IDLE (newest). When more than
 * max are then open, the longest idle connections are evicted until max
 * remain or none is idle; c itself is never chosen. Returns the number
 * evicted.
 */
unsigned int conns_opened(struct conns *cs, struct conn *c, int fd);

/* c starts working on a complete request: not evictable until conns_idle. */
void	conns_busy(struct conns *cs, struct conn *c);

/* c finished a request (or gave up on one): idle again, newest. A CLOSING
 * connection stays CLOSING. */
void	conns_idle(struct conns *cs, struct conn *c);

/* c is being closed (whatever the reason): unregistered. Call before the
 * socket is closed. */
void	conns_closed(struct conns *cs, struct conn *c);

/* 1 when c was evicted (its socket is shut down). */
int	conns_is_closing(struct conns *cs, struct conn *c);

/* Open connections and evictions so far. */
void	conns_counts(struct conns *cs, unsigned int *open, uint64_t *evicted);

#endif /* KG_CONNS_H */
