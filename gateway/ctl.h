/*
 * ctl.h - the gateway's control socket: a unix stream socket (mode 0600)
 * where `keygate-gateway stats` asks the running daemon for its counters.
 * One line in ("stats"), the answer out, close.
 */
#ifndef KG_GATEWAY_CTL_H
#define KG_GATEWAY_CTL_H

#include <stddef.h>
#include <stdio.h>

#include "common/err.h"

/* Fill buf (size sz) with the answer to cmd; return its length. */
typedef size_t (*gwctl_fn)(void *arg, const char *cmd, char *buf, size_t sz);

struct gwctl;

/* Listen on path (replacing a stale socket) in a thread of its own. */
struct gwctl	*gwctl_start(const char *path, gwctl_fn fn, void *arg,
		    struct kg_err *err);
void		 gwctl_stop(struct gwctl *c);		/* NULL-safe; unlinks */

/* Client: send cmd to the daemon at path, copy the answer to out. */
int		 gwctl_query(const char *path, const char *cmd, FILE *out,
		    struct kg_err *err);

#endif /* KG_GATEWAY_CTL_H */
