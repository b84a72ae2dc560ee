/*
 * conns.c - the HTTP connection registry (see conns.h): counts, the idle
 * list, eviction of the longest-idle connections, and the file-descriptor
 * budget.
 */
#include <sys/resource.h>
#include <sys/socket.h>

#include <errno.h>
#include <string.h>

#include "common/log.h"
#include "server/conns.h"
#include "server/metrics.h"

#define MIN_CONNS	16

int
conns_plan(unsigned int want, unsigned int reserve, struct conns_plan *p,
    struct kg_err *err)
{
	struct rlimit	rl;
	unsigned long	need, fit;

	memset(p, 0, sizeof(*p));
	/* Room above the soft limit for clients accepted before eviction. */
	p->max = want;
	p->hard = want + (want / 16 > 16 ? want / 16 : 16);
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return kg_errf(err, KG_EINTERNAL, "getrlimit: %s", strerror(errno));
	p->nofile_before = p->nofile = (unsigned long)rl.rlim_cur;
	need = (unsigned long)p->hard + reserve;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need &&
	    (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > rl.rlim_cur)) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ?
		    need : rl.rlim_max;
		/* A sandbox may forbid it (systemd's ~@resources): then the
		 * limits are lowered below, as for a low hard limit. */
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("cannot raise the open-file limit (RLIMIT_NOFILE)"
			    " from %lu: %s", p->nofile_before, strerror(errno));
		else {
			p->nofile = (unsigned long)rl.rlim_cur;
			log_info("raised the open-file limit (RLIMIT_NOFILE) from"
			    " %lu to %lu for %u connections", p->nofile_before,
			    p->nofile, p->hard);
		}
	}
	if (p->nofile != (unsigned long)RLIM_INFINITY && p->nofile < need) {
		fit = p->nofile > reserve ? p->nofile - reserve : 0;
		if (fit < MIN_CONNS + MIN_CONNS / 16 + 16)
			return kg_errf(err, KG_EINTERNAL, "the open-file limit"
			    " (RLIMIT_NOFILE %lu) leaves no room for connections;"
			    " raise it (e.g. LimitNOFILE=) or lower"
			    " server.max_connections", p->nofile);
		p->hard = (unsigned int)fit;
		p->max = (unsigned int)(fit * 16 / 17);
		log_warn("the open-file limit (RLIMIT_NOFILE %lu) allows %u"
		    " connections, not server.max_connections = %u; raise it"
		    " (e.g. LimitNOFILE=) to serve more", p->nofile, p->max, want);
	}
	return 0;
}

void
conns_init(struct conns *cs, unsigned int max)
{
	memset(cs, 0, sizeof(*cs));
	pthread_mutex_init(&cs->mu, NULL);
	cs->max = max;
}

void
conns_destroy(struct conns *cs)
{
	pthread_mutex_destroy(&cs->mu);
}

/* The idle list (plain links: cppcheck cannot read <sys/queue.h>). */
static void
idle_remove(struct conns *cs, struct conn *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		cs->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		cs->tail = c->prev;
	c->prev = c->next = NULL;
}

static void
idle_append(struct conns *cs, struct conn *c)
{
	c->state = CONN_IDLE;
	c->next = NULL;
	if ((c->prev = cs->tail) != NULL)
		cs->tail->next = c;
	else
		cs->head = c;
	cs->tail = c;
}

unsigned int
conns_opened(struct conns *cs, struct conn *c, int fd)
{
	struct conn	*v;
	unsigned int	 n = 0;

	pthread_mutex_lock(&cs->mu);
	c->fd = fd;
	idle_append(cs, c);
	cs->open++;
	/* c is in the list, so it is never empty here (v != NULL for the
	 * analyzer's sake). */
	while (cs->open - cs->closing > cs->max && (v = cs->head) != c &&
	    v != NULL) {
		idle_remove(cs, v);
		v->state = CONN_CLOSING;
		cs->closing++;
		cs->evicted++;
		n++;
		/*
		 * Not close(): the descriptor stays libmicrohttpd's. Its
		 * worker reads end-of-file and closes the connection.
		 */
		if (shutdown(v->fd, SHUT_RDWR) == -1 && errno != ENOTCONN)
			log_warn("evicting connection %d: shutdown: %s", v->fd,
			    strerror(errno));
	}
	pthread_mutex_unlock(&cs->mu);
	metrics_connection_opened();
	if (n > 0) {
		metrics_connections_evicted(n);
		log_debug("at %u connections: closed %u idle one(s)", cs->max, n);
	}
	return n;
}

void
conns_busy(struct conns *cs, struct conn *c)
{
	pthread_mutex_lock(&cs->mu);
	if (c->state == CONN_IDLE) {
		idle_remove(cs, c);
		c->state = CONN_BUSY;
	}
	pthread_mutex_unlock(&cs->mu);
}

void
conns_idle(struct conns *cs, struct conn *c)
{
	pthread_mutex_lock(&cs->mu);
	if (c->state == CONN_IDLE)
		idle_remove(cs, c);
	if (c->state != CONN_CLOSING)
		idle_append(cs, c);
	pthread_mutex_unlock(&cs->mu);
}

void
conns_closed(struct conns *cs, struct conn *c)
{
	pthread_mutex_lock(&cs->mu);
	if (c->state == CONN_IDLE)
		idle_remove(cs, c);
	else if (c->state == CONN_CLOSING)
		cs->closing--;
	cs->open--;
	c->state = CONN_CLOSING;	/* unregistered: never touched again */
	c->fd = -1;
	pthread_mutex_unlock(&cs->mu);
	metrics_connection_closed();
}

int
conns_is_closing(struct conns *cs, struct conn *c)
{
	int	closing;

	pthread_mutex_lock(&cs->mu);
	closing = c->state == CONN_CLOSING;
	pthread_mutex_unlock(&cs->mu);
	return closing;
}

void
conns_counts(struct conns *cs, unsigned int *open, uint64_t *evicted)
{
	pthread_mutex_lock(&cs->mu);
	*open = cs->open;
	*evicted = cs->evicted;
	pthread_mutex_unlock(&cs->mu);
}
