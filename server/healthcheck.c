/*
 * healthcheck.c - a tiny blocking HTTP/1.0 client for GET /healthcheck
 * (see healthcheck.h). No libcurl: the server binary stays lean and the
 * probe has no configuration of its own to get wrong.
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "server/healthcheck.h"

int
healthcheck_url(const char *listen, char *out, size_t outsz)
{
	const char	*colon = strrchr(listen, ':');
	char		 host[128];
	size_t		 n;
	int		 len;

	if (colon == NULL || (n = (size_t)(colon - listen)) >= sizeof(host))
		return -1;
	memcpy(host, listen, n);
	host[n] = '\0';
	if (strcmp(host, "0.0.0.0") == 0 || host[0] == '\0')
		kg_strlcpy(host, "127.0.0.1", sizeof(host));
	else if (strcmp(host, "[::]") == 0)
		kg_strlcpy(host, "[::1]", sizeof(host));
	len = snprintf(out, outsz, "http://%s%s/healthcheck", host, colon);
	return len < 0 || (size_t)len >= outsz ? -1 : 0;
}

int
healthcheck_parse_url(const char *url, char *host, size_t hostsz, char *port,
    size_t portsz, char *path, size_t pathsz)
{
	const char	*p, *h, *he, *slash;
	size_t		 n;

	if (strncmp(url, "http://", 7) != 0)
		return -1;
	p = url + 7;
	slash = p + strcspn(p, "/");
	if (*p == '[') {
		h = p + 1;
		if ((he = memchr(h, ']', (size_t)(slash - h))) == NULL)
			return -1;
		p = he + 1;
	} else {
		h = p;
		he = p + strcspn(p, ":/");
		p = he;
	}
	if ((n = (size_t)(he - h)) == 0 || n >= hostsz)
		return -1;
	memcpy(host, h, n);
	host[n] = '\0';
	if (*p == ':') {
		p++;
		n = (size_t)(slash - p);
		if (n == 0 || n >= portsz || strspn(p, "0123456789") != n)
			return -1;
		memcpy(port, p, n);
		port[n] = '\0';
	} else if (p == slash)
		kg_strlcpy(port, "80", portsz);
	else
		return -1;
	if (kg_strlcpy(path, *slash ? slash : "/", pathsz) >= pathsz)
		return -1;
	if (strpbrk(path, " \r\n") != NULL)
		return -1;
	return 0;
}

int
healthcheck_get(const char *url, int timeout_s, int *status, struct kg_err *err)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	struct timeval	 tv = { timeout_s, 0 };
	char		 host[256], port[16], path[512], req[1024], buf[256];
	size_t		 got = 0;
	ssize_t		 n;
	int		 fd = -1, rc, ret = -1, major, minor, code;

	if (healthcheck_parse_url(url, host, sizeof(host), port, sizeof(port), path,
	    sizeof(path)) == -1)
		return kg_errf(err, KG_EBADREQ, "bad URL %s (expected http://HOST:PORT/PATH)",
		    url);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0)
		return kg_errf(err, KG_EUNAVAIL, "%s: %s", host, gai_strerror(rc));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol)) == -1)
			continue;
		/* On Linux SO_SNDTIMEO also bounds connect(). */
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		return kg_errf(err, KG_EUNAVAIL, "cannot connect to %s port %s: %s",
		    host, port, strerror(errno));
	/* An IPv6 host goes in brackets, as in the URL. */
	n = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: %s%s%s:%s\r\n"
	    "User-Agent: keygate-healthcheck\r\nConnection: close\r\n\r\n", path,
	    strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "", port);
	if (n < 0 || (size_t)n >= sizeof(req) || write(fd, req, (size_t)n) != n) {
		kg_errf(err, KG_EUNAVAIL, "cannot send the request: %s", strerror(errno));
		goto done;
	}
	/* The status line is all we need: "HTTP/1.x NNN ...". */
	while (got < sizeof(buf) - 1 && memchr(buf, '\n', got) == NULL) {
		if ((n = read(fd, buf + got, sizeof(buf) - 1 - got)) <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	if (sscanf(buf, "HTTP/%d.%d %3d", &major, &minor, &code) != 3) {
		kg_errf(err, KG_EUNAVAIL, "no HTTP answer from %s", url);
		goto done;
	}
	*status = code;
	ret = 0;
 done:
	close(fd);
	return ret;
}
