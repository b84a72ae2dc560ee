/*
 * healthcheck.h - the client side of GET /healthcheck, for
 * "keygate healthcheck" (container HEALTHCHECKs, systemd watchdogs, ...):
 * one blocking HTTP/1.0 request over a plain TCP socket.
 */
#ifndef KG_HEALTHCHECK_H
#define KG_HEALTHCHECK_H

#include <stddef.h>

#include "common/err.h"

/*
 * The URL to probe for a server listening on listen ("host:port" or
 * "[v6]:port"): a wildcard address (0.0.0.0, ::) becomes the loopback one.
 * Writes "http://HOST:PORT/healthcheck" into out. Returns 0 or -1 (does not
 * fit).
 */
int	healthcheck_url(const char *listen, char *out, size_t outsz);

/*
 * Split an "http://host[:port][/path]" URL (host may be "[v6]"): port
 * defaults to "80", path to "/". Returns 0, or -1 for another scheme or a
 * malformed URL.
 */
int	healthcheck_parse_url(const char *url, char *host, size_t hostsz,
	    char *port, size_t portsz, char *path, size_t pathsz);

/*
 * GET url and store the HTTP status in *status. timeout_s bounds the
 * connect, the send and each read. Returns 0 (any status), or -1 with err
 * when no HTTP answer came.
 */
int	healthcheck_get(const char *url, int timeout_s, int *status,
	    struct kg_err *err);

#endif /* KG_HEALTHCHECK_H */
