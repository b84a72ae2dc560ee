/* ctl.c - the gateway's control socket (see ctl.h). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "gateway/ctl.h"

#define ANSWER_MAX	16384

struct gwctl {
	int		 fd;
	int		 wake[2];	/* pipe: stop */
	char		 path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	gwctl_fn	 fn;
	void		*arg;
	pthread_t	 thread;
};

static int
addr_of(const char *path, struct sockaddr_un *sa, struct kg_err *err)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (kg_strlcpy(sa->sun_path, path, sizeof(sa->sun_path)) >= sizeof(sa->sun_path))
		return kg_errf(err, KG_EBADREQ, "control socket path too long: %s", path);
	return 0;
}

static void
serve_one(struct gwctl *c, int fd)
{
	struct timeval	 tv = { 1, 0 };
	char		 cmd[64], *ans;
	ssize_t		 n;
	size_t		 len, off = 0;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if ((n = read(fd, cmd, sizeof(cmd) - 1)) <= 0)
		return;
	cmd[n] = '\0';
	cmd[strcspn(cmd, "\r\n")] = '\0';
	if ((ans = malloc(ANSWER_MAX)) == NULL)
		return;
	len = c->fn(c->arg, cmd, ans, ANSWER_MAX);
	while (off < len && (n = send(fd, ans + off, len - off, MSG_NOSIGNAL)) > 0)
		off += (size_t)n;
	free(ans);
}

static void *
ctl_main(void *arg)
{
	struct gwctl	*c = arg;
	struct pollfd	 p[2];
	int		 fd;

	p[0].fd = c->fd;
	p[0].events = POLLIN;
	p[1].fd = c->wake[0];
	p[1].events = POLLIN;
	for (;;) {
		if (poll(p, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		if ((fd = accept(c->fd, NULL, NULL)) == -1)
			continue;
		serve_one(c, fd);
		close(fd);
	}
	return NULL;
}

struct gwctl *
gwctl_start(const char *path, gwctl_fn fn, void *arg, struct kg_err *err)
{
	struct sockaddr_un	 sa;
	struct gwctl		*c;
	char			 dir[sizeof(sa.sun_path)], *slash;
	mode_t			 old;

	if (addr_of(path, &sa, err) == -1)
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		return NULL;
	}
	c->fn = fn;
	c->arg = arg;
	kg_strlcpy(c->path, path, sizeof(c->path));
	c->wake[0] = c->wake[1] = -1;
	c->fd = -1;
	/* the socket's directory, e.g. /run/keygate-gateway (0700) */
	kg_strlcpy(dir, path, sizeof(dir));
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) == -1 && errno != EEXIST)
			goto fail;
	}
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		goto fail;
	(void)unlink(path);		/* a stale socket from a dead daemon */
	old = umask(0077);
	if (bind(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		umask(old);
		goto fail;
	}
	umask(old);
	if (listen(c->fd, 8) == -1 || pipe(c->wake) == -1)
		goto fail;
	if ((errno = pthread_create(&c->thread, NULL, ctl_main, c)) != 0)
		goto fail;
	return c;
 fail:
	kg_errf(err, KG_EINTERNAL, "control socket %s: %s", path, strerror(errno));
	if (c->fd >= 0)
		close(c->fd);
	if (c->wake[0] >= 0) {
		close(c->wake[0]);
		close(c->wake[1]);
	}
	free(c);
	return NULL;
}

void
gwctl_stop(struct gwctl *c)
{
	if (c == NULL)
		return;
	(void)!write(c->wake[1], "x", 1);
	pthread_join(c->thread, NULL);
	close(c->fd);
	close(c->wake[0]);
	close(c->wake[1]);
	unlink(c->path);
	free(c);
}

int
gwctl_query(const char *path, const char *cmd, FILE *out, struct kg_err *err)
{
	struct sockaddr_un	sa;
	struct timeval		tv = { 5, 0 };
	char			buf[4096], line[64];
	ssize_t			n;
	int			fd, len;

	if (addr_of(path, &sa, err) == -1)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return kg_errf(err, KG_EINTERNAL, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		close(fd);
		return kg_errf(err, KG_EUNAVAIL, "%s: %s (is keygate-gateway running?)",
		    path, strerror(errno));
	}
	/* one send: the daemon answers (and closes) after the first read */
	len = snprintf(line, sizeof(line), "%s\n", cmd);
	if (len < 0 || len >= (int)sizeof(line) ||
	    send(fd, line, (size_t)len, MSG_NOSIGNAL) != len) {
		close(fd);
		return kg_errf(err, KG_EUNAVAIL, "%s: %s", path, strerror(errno));
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, out);
	close(fd);
	return n < 0 ? kg_errf(err, KG_EUNAVAIL, "%s: %s", path, strerror(errno)) : 0;
}
