/*
 * it_strict.c - issue 7's HTTP-level strictness, against the real binary:
 * Content-Type (strict-1), NUL bytes raw and %00 (strict-2), duplicate
 * token headers (strict-3), OPTIONS / 405 Allow / half-closed short
 * bodies (strict-4), connections under load and a second server on the
 * same address (strict-5), hashing work for unknown users (strict-6) and
 * passwords beyond bcrypt's 72 bytes (strict-7). What curl cannot send
 * (NUL bytes, duplicate headers, half-closes) goes over raw sockets.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "tests/integration/it.h"

#define NMANY		2000	/* keep-alive connections on the default config */

/* ------------------------------------------------------------------------
 * Raw HTTP over a socket.
 * --------------------------------------------------------------------- */

struct raw {
	int	status;			/* 0: no reply */
	char	buf[65536];		/* the whole reply, NUL-terminated */
	size_t	len;
	long	ms;			/* from the last byte sent to the reply */
	int	eof;			/* the server closed the connection */
};

static long
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int
raw_connect(int port)
{
	struct sockaddr_in	sin;
	int			fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The reply in r->buf is complete (headers and Content-Length bytes). */
static int
raw_complete(const struct raw *r)
{
	const char	*end = strstr(r->buf, "\r\n\r\n"), *cl;
	long		 n = 0;

	if (end == NULL)
		return 0;
	if ((cl = strcasestr(r->buf, "\r\nContent-Length:")) != NULL && cl < end)
		n = strtol(cl + 17, NULL, 10);
	return (size_t)(end + 4 - r->buf) + (size_t)n <= r->len;
}

/* Read one reply on fd into r, waiting at most timeout_ms. */
static void
raw_read(int fd, struct raw *r, int timeout_ms)
{
	struct pollfd	pfd = { fd, POLLIN, 0 };
	long		start = now_ms(), left;
	ssize_t		n;

	while (!raw_complete(r) && r->len < sizeof(r->buf) - 1) {
		left = timeout_ms - (now_ms() - start);
		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			break;
		n = recv(fd, r->buf + r->len, sizeof(r->buf) - 1 - r->len, 0);
		if (n <= 0) {
			r->eof = 1;
			break;
		}
		r->len += (size_t)n;
		r->buf[r->len] = '\0';
	}
	r->ms = now_ms() - start;
	if (sscanf(r->buf, "HTTP/1.%*d %d", &r->status) != 1)
		r->status = 0;
}

/*
 * Send len bytes of req on a new connection; with halfclose, shut the
 * writing side down delay_ms later. The reply (or none) into r.
 */
static int
raw_send(struct it_server *s, const char *req, size_t len, int halfclose,
    int delay_ms, struct raw *r)
{
	int	fd;

	memset(r, 0, sizeof(*r));
	if ((fd = raw_connect(s->port)) == -1)
		return 0;
	if (write(fd, req, len) != (ssize_t)len) {
		close(fd);
		return 0;
	}
	if (delay_ms > 0)
		usleep((useconds_t)delay_ms * 1000);
	if (halfclose)
		shutdown(fd, SHUT_WR);
	raw_read(fd, r, 5000);
	close(fd);
	return r->status;
}

#define RAW(s, lit, r)	raw_send(s, lit, sizeof(lit) - 1, 0, 0, r)

/* printf a request into buf; NULs in it are written as "\\0" (2 chars). */
static size_t
build(char *buf, size_t sz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static size_t
build(char *buf, size_t sz, const char *fmt, ...)
{
	va_list	ap;
	size_t	i, j, n;

	va_start(ap, fmt);
	n = (size_t)vsnprintf(buf, sz, fmt, ap);
	va_end(ap);
	if (n >= sz)
		n = sz - 1;
	for (i = j = 0; i < n; i++, j++) {
		if (buf[i] == '\\' && i + 1 < n && buf[i + 1] == '0') {
			buf[j] = '\0';
			i++;
		} else
			buf[j] = buf[i];
	}
	return j;
}

/* A header's value in a raw reply (case-insensitive name), into out. */
static const char *
raw_header(const struct raw *r, const char *name, char *out, size_t outsz)
{
	char		 pat[128];
	const char	*p, *end = strstr(r->buf, "\r\n\r\n");
	size_t		 n;

	snprintf(pat, sizeof(pat), "\r\n%s:", name);
	if ((p = strcasestr(r->buf, pat)) == NULL || (end && p > end))
		return NULL;
	p += strlen(pat);
	while (*p == ' ')
		p++;
	n = strcspn(p, "\r\n");
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	return out;
}

static int
body_has(const struct raw *r, const char *text)
{
	const char	*b = strstr(r->buf, "\r\n\r\n");

	return b != NULL && strstr(b, text) != NULL;
}

/* ------------------------------------------------------------------------
 * Small API helpers.
 * --------------------------------------------------------------------- */

static const char login_fmt[] =
    "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":"
    "{\"name\":\"%s\",\"domain\":{\"%s\":\"%s\"},\"password\":\"%s\"}}}}}";

static long
login(struct it_server *s, const char *user, const char *password)
{
	return it_status(s, "POST", "/v3/auth/tokens", NULL, it_fmt(login_fmt,
	    user, "id", "default", password));
}

/* keygate_password_hashes_total from /metrics, or -1. */
static long
bcrypt_runs(struct it_server *s)
{
	struct it_resp	 r;
	const char	*p;
	long		 n = -1;

	it_req(s, "GET", "/metrics", NULL, NULL, NULL, &r);
	if ((p = strstr(r.body, "\nkeygate_password_hashes_total ")) != NULL)
		n = strtol(p + 31, NULL, 10);
	it_resp_free(&r);
	return n;
}

static long
metric(struct it_server *s, const char *name)
{
	struct it_resp	 r;
	char		 pat[128];
	const char	*p;
	long		 n = -1;

	snprintf(pat, sizeof(pat), "\n%s ", name);
	it_req(s, "GET", "/metrics", NULL, NULL, NULL, &r);
	if ((p = strstr(r.body, pat)) != NULL)
		n = strtol(p + strlen(pat), NULL, 10);
	it_resp_free(&r);
	return n;
}

static char *
create_user(struct it_server *s, const char *body)
{
	struct it_resp	 r;
	char		*id = NULL;

	it_req(s, "POST", "/v3/users", s->admin_token, body, NULL, &r);
	if (r.status == 201 && it_str(r.json, "user.id") != NULL)
		id = strdup(it_str(r.json, "user.id"));
	it_resp_free(&r);
	return id;
}

/* Run SQL on the server's database with the sqlite3 shell (WAL: safe
 * while it runs) or psql (on PostgreSQL; the table "user" quoted). Returns
 * the first output line, malloc'd, or NULL. */
static char *
sql(struct it_server *s, const char *stmt)
{
	char	 cmd[1100], out[512] = "", tmp[] = "/tmp/kg-it-sql-XXXXXX";
	FILE	*f;
	int	 fd;

	if ((fd = mkstemp(tmp)) == -1)
		return NULL;
	if ((s->db[0] == '\0' && write(fd, ".timeout 5000\n", 14) != 14) ||
	    write(fd, stmt, strlen(stmt)) != (ssize_t)strlen(stmt) ||
	    write(fd, "\n", 1) != 1) {
		close(fd);
		unlink(tmp);
		return NULL;
	}
	close(fd);
	if (s->db[0] != '\0')
		snprintf(cmd, sizeof(cmd), "psql -qAt -v ON_ERROR_STOP=1 -d '%s'"
		    " < %s", s->db, tmp);
	else
		snprintf(cmd, sizeof(cmd), "sqlite3 '%s/keygate.db' < %s", s->dir,
		    tmp);
	if ((f = popen(cmd, "r")) != NULL) {
		if (fgets(out, sizeof(out), f) == NULL)
			out[0] = '\0';
		pclose(f);
	}
	unlink(tmp);
	out[strcspn(out, "\n")] = '\0';
	return strdup(out);
}

/* ------------------------------------------------------------------------
 * The cases.
 * --------------------------------------------------------------------- */

static const char valid_login[] =
    "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":"
    "{\"name\":\"admin\",\"domain\":{\"id\":\"default\"},\"password\":\""
    IT_ADMIN_PASSWORD "\"}}}}}";

static void
post_login(struct it_server *s, const char *content_type, struct raw *r)
{
	char	req[2048];
	size_t	n;

	n = build(req, sizeof(req), "POST /v3/auth/tokens HTTP/1.1\r\nHost: x\r\n"
	    "%s%s%sContent-Length: %zu\r\n\r\n%s", content_type ? "Content-Type: " : "",
	    content_type ? content_type : "", content_type ? "\r\n" : "",
	    strlen(valid_login), valid_login);
	raw_send(s, req, n, 0, 0, r);
}

static void
test_content_type(struct it_server *s)
{
	static struct raw	r;
	char			req[1024];
	size_t			n;

	post_login(s, "text/plain", &r);
	T("strict-1.1 JSON body as text/plain: 400", r.status == 400 &&
	    body_has(&r, "\"Expecting to find application/json in Content-Type "
	    "header. The server could not comply with the request since it is "
	    "either malformed or otherwise incorrect. The client is assumed to be "
	    "in error.\""));
	post_login(s, "application/json; charset=utf-8", &r);
	T("strict-1.2 application/json; charset=utf-8: 201", r.status == 201);
	post_login(s, NULL, &r);
	T("strict-1.3 no Content-Type: read as JSON (201)", r.status == 201);
	post_login(s, "application/vnd.openstack.identity+json", &r);
	T("strict-1.4 application/...+json: 201", r.status == 201);
	post_login(s, "application/x-www-form-urlencoded", &r);
	T("strict-1.5 form encoding: 400", r.status == 400);

	n = build(req, sizeof(req), "PATCH /v3/users/x HTTP/1.1\r\nHost: x\r\n"
	    "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}");
	raw_send(s, req, n, 0, 0, &r);
	T("strict-1.6 checked before the token, as Keystone (400, not 401)",
	    r.status == 400);
	T("strict-1.7 no body: no Content-Type check", RAW(s, "GET /v3 HTTP/1.1\r\n"
	    "Host: x\r\nContent-Type: text/plain\r\n\r\n", &r) == 200);

	/* The body is never sent: the 413 must not wait for it. */
	n = build(req, sizeof(req), "POST /v3/auth/tokens HTTP/1.1\r\nHost: x\r\n"
	    "Content-Type: application/json\r\nContent-Length: 200000\r\n\r\n");
	raw_send(s, req, n, 0, 0, &r);
	T("strict-1.8 Content-Length over the limit: 413 at once", r.status == 413 &&
	    r.ms < 3000);
	n = build(req, sizeof(req), "POST /v3/auth/tokens HTTP/1.1\r\nHost: x\r\n"
	    "Content-Type: application/json\r\nContent-Length: 5\r\n\r\n{\"a\":");
	raw_send(s, req, n, 0, 0, &r);
	T("strict-1.9 malformed JSON: Keystone's text", r.status == 400 &&
	    body_has(&r, "\"Expecting to find valid JSON in request body. The server"
	    " could not comply with the request since it is either malformed or "
	    "otherwise incorrect. The client is assumed to be in error.\""));
}

static void
test_nul(struct it_server *s, const char *admin_id)
{
	static struct raw	r;
	const char		*tok = s->admin_token;
	char			 req[8192];
	size_t			 n;

#define GET_TOK(fmt, ...) \
	(n = build(req, sizeof(req), "GET " fmt " HTTP/1.1\r\nHost: x\r\n" \
	    "X-Auth-Token: %s\r\n\r\n", __VA_ARGS__), \
	 raw_send(s, req, n, 0, 0, &r))

	T("strict-2.0 baseline: the user by id", GET_TOK("/v3/users/%s", admin_id,
	    tok) == 200);
	T("strict-2.1 /v3/users/%00: 400 (was the whole list)",
	    GET_TOK("/v3/users/%%00%s", "", tok) == 400 &&
	    body_has(&r, "NUL byte"));
	T("strict-2.2 /v3/users/<id>%00junk: 400 (was the user)",
	    GET_TOK("/v3/users/%s%%00junk", admin_id, tok) == 400);
	T("strict-2.3 ?name=admin%00junk: 400 (was admin)",
	    GET_TOK("/v3/users?name=admin%%00junk%s", "", tok) == 400);
	T("strict-2.4 %00 in a query name: 400",
	    GET_TOK("/v3/users?na%%00me=admin%s", "", tok) == 400);
	T("strict-2.5 raw NUL in the path: 400", GET_TOK("/v3/users\\0junk%s", "",
	    tok) == 400);
	T("strict-2.6 raw NUL in the query: 400",
	    GET_TOK("/v3/users?name=admin\\0junk%s", "", tok) == 400);
	n = build(req, sizeof(req), "GET /v3/users HTTP/1.1\r\nHost: x\r\n"
	    "X-Auth-Token: %s\\0junk\r\n\r\n", tok);
	T("strict-2.7 X-Auth-Token: <valid>\\0junk: 400 (was accepted)",
	    raw_send(s, req, n, 0, 0, &r) == 400);
	n = build(req, sizeof(req), "GET /v3/users HTTP/1.1\r\nHost: x\r\n"
	    "X-Auth-Token: %s\\0\r\n\r\n", tok);
	T("strict-2.8 NUL before CRLF: 400", raw_send(s, req, n, 0, 0, &r) == 400);
	n = build(req, sizeof(req), "GET /v3/users HTTP/1.1\r\nX-Whatever: a\\0b\r\n"
	    "Host: x\r\nX-Auth-Token: %s\r\n\r\n", tok);
	T("strict-2.9 NUL in any header: 400", raw_send(s, req, n, 0, 0, &r) == 400);
	n = build(req, sizeof(req), "GE\\0T /v3 HTTP/1.1\r\nHost: x\r\n\r\n");
	T("strict-2.10 NUL in the method: 400", raw_send(s, req, n, 0, 0, &r) == 400);
	n = build(req, sizeof(req), "GET /v3 HTTP/1.1\r\nHost: x\r\n\\0X-Auth-Token:"
	    " %s\r\n\r\n", tok);
	T("strict-2.11 a line starting with NUL: 400",
	    raw_send(s, req, n, 0, 0, &r) == 400);
	n = build(req, sizeof(req), "GET /v3/users HTTP/1.1\r\nHost: x\r\n"
	    "X-Auth-Token:\r\n %s\r\n\r\n", tok);
	T("strict-2.12 a folded header: 400", raw_send(s, req, n, 0, 0, &r) == 400 &&
	    body_has(&r, "folding"));
	T("strict-2.13 still serving", GET_TOK("/v3/users/%s", admin_id, tok) == 200);
#undef GET_TOK
}

static void
test_duplicates(struct it_server *s)
{
	static struct raw	r;
	const char		*tok = s->admin_token;
	char			 req[16384];
	size_t			 n;

	n = build(req, sizeof(req), "GET /v3/users HTTP/1.1\r\nHost: x\r\n"
	    "X-Auth-Token: %s\r\nX-Auth-Token: bogus\r\n\r\n", tok);
	T("strict-3.1 two X-Auth-Token (valid first): 400 (the first won)",
	    raw_send(s, req, n, 0, 0, &r) == 400 &&
	    body_has(&r, "Expecting to find a single X-Auth-Token header"));
	n = build(req, sizeof(req), "GET /v3/users HTTP/1.1\r\nHost: x\r\n"
	    "X-Auth-Token: bogus\r\nx-auth-token: %s\r\n\r\n", tok);
	T("strict-3.2 two X-Auth-Token (valid second, any case): 400",
	    raw_send(s, req, n, 0, 0, &r) == 400);
	n = build(req, sizeof(req), "GET /v3/auth/tokens HTTP/1.1\r\nHost: x\r\n"
	    "X-Auth-Token: %s\r\nX-Subject-Token: %s\r\nX-Subject-Token: bogus\r\n\r\n",
	    tok, tok);
	T("strict-3.3 two X-Subject-Token: 400", raw_send(s, req, n, 0, 0, &r) == 400 &&
	    body_has(&r, "X-Subject-Token"));
	n = build(req, sizeof(req), "GET /v3/auth/tokens HTTP/1.1\r\nHost: x\r\n"
	    "X-Auth-Token: %s\r\nX-Subject-Token: %s\r\n\r\n", tok, tok);
	T("strict-3.4 one of each: 200", raw_send(s, req, n, 0, 0, &r) == 200);
	n = build(req, sizeof(req), "POST /v3/auth/tokens HTTP/1.1\r\nHost: x\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n%zx\r\n%s\r\n0\r\n\r\n",
	    strlen(valid_login), strlen(valid_login), valid_login);
	T("strict-3.5 Content-Length with Transfer-Encoding: 400",
	    raw_send(s, req, n, 0, 0, &r) == 400);
}

static void
test_http(struct it_server *s, const char *admin_id)
{
	static struct raw	r;
	char			 req[1024], v[128];
	size_t			 n;

	T("strict-4.1 OPTIONS /v3/users, no token: 200",
	    RAW(s, "OPTIONS /v3/users HTTP/1.1\r\nHost: x\r\n\r\n", &r) == 200);
	T("strict-4.2 ... Allow lists its methods", raw_header(&r, "Allow", v,
	    sizeof(v)) != NULL && strcmp(v, "GET, HEAD, OPTIONS, POST") == 0);
	RAW(s, "OPTIONS /v3/auth/tokens HTTP/1.1\r\nHost: x\r\n\r\n", &r);
	T("strict-4.3 OPTIONS /v3/auth/tokens", r.status == 200 &&
	    raw_header(&r, "Allow", v, sizeof(v)) != NULL &&
	    strcmp(v, "DELETE, GET, HEAD, OPTIONS, POST") == 0);
	n = build(req, sizeof(req), "OPTIONS /v3/users/%s HTTP/1.1\r\nHost: x\r\n\r\n",
	    admin_id);
	raw_send(s, req, n, 0, 0, &r);
	T("strict-4.4 OPTIONS /v3/users/{id}", r.status == 200 &&
	    raw_header(&r, "Allow", v, sizeof(v)) != NULL &&
	    strcmp(v, "DELETE, GET, HEAD, OPTIONS, PATCH") == 0);
	T("strict-4.5 OPTIONS on an unknown path: 404",
	    RAW(s, "OPTIONS /v3/nothing HTTP/1.1\r\nHost: x\r\n\r\n", &r) == 404);
	RAW(s, "PUT /v3/users HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", &r);
	T("strict-4.6 405 carries Allow", r.status == 405 &&
	    raw_header(&r, "Allow", v, sizeof(v)) != NULL &&
	    strcmp(v, "GET, HEAD, OPTIONS, POST") == 0);

	/* A body cut short by a half-close: 400 at once, not a timeout. */
	n = build(req, sizeof(req), "POST /v3/auth/tokens HTTP/1.1\r\nHost: x\r\n"
	    "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"auth\":");
	raw_send(s, req, n, 1, 0, &r);
	T("strict-4.7 short body, half-close with the data: 400 at once",
	    r.status == 400 && r.ms < 2000 && body_has(&r, "Content-Length"));
	raw_send(s, req, n, 1, 300, &r);
	T("strict-4.8 short body, half-close later: 400 at once", r.status == 400 &&
	    r.ms < 2000);
	n = build(req, sizeof(req), "POST /v3/auth/tokens HTTP/1.1\r\nHost: x\r\n"
	    "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n");
	raw_send(s, req, n, 1, 0, &r);
	T("strict-4.9 no body at all, half-close: 400 at once", r.status == 400 &&
	    r.ms < 2000);
	raw_send(s, req, n, 1, 300, &r);
	T("strict-4.10 ... half-close later: 400", r.status == 400 && r.ms < 2000);
	n = build(req, sizeof(req), "POST /v3/auth/tokens HTTP/1.1\r\nHost: x\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
	    strlen(valid_login), valid_login);
	T("strict-4.11 a whole request then a half-close is served",
	    raw_send(s, req, n, 1, 0, &r) == 201);
	T("strict-4.12 GET then half-close: 200", RAW(s, "GET /v3 HTTP/1.1\r\n"
	    "Host: x\r\n\r\n", &r) == 200);
}

/* ---- strict-5: connections ---------------------------------------------- */

struct many {
	int	*fd;
	char	(*buf)[2048];
	size_t	*len;
	int	 n;
};

/* Open m->n connections, each sending one keep-alive GET /v3; wait up to
 * timeout_ms for the replies. Returns how many got 200. */
static int
many_open(struct it_server *s, struct many *m, int timeout_ms)
{
	static const char	get[] = "GET /v3 HTTP/1.1\r\nHost: x\r\n\r\n";
	struct pollfd		*pfd;
	int			*idx;
	struct raw		*r;
	long			 start = now_ms(), left;
	int			 i, j, k, ok = 0, pending;
	ssize_t			 nr;

	m->fd = calloc((size_t)m->n, sizeof(int));
	m->buf = calloc((size_t)m->n, sizeof(*m->buf));
	m->len = calloc((size_t)m->n, sizeof(size_t));
	pfd = calloc((size_t)m->n, sizeof(*pfd));
	idx = calloc((size_t)m->n, sizeof(int));
	r = calloc(1, sizeof(*r));
	for (i = 0; i < m->n; i++)
		m->fd[i] = -1;
	for (i = 0; i < m->n; i++) {
		if ((m->fd[i] = raw_connect(s->port)) == -1 ||
		    write(m->fd[i], get, sizeof(get) - 1) != sizeof(get) - 1) {
			fprintf(stderr, "many_open: connection %d: %s\n", i,
			    strerror(errno));
			break;
		}
	}
	pending = i;
	while (pending > 0 && (left = timeout_ms - (now_ms() - start)) > 0) {
		for (i = k = 0; i < m->n; i++)
			if (m->fd[i] != -1 && m->len[i] != (size_t)-1) {
				pfd[k].fd = m->fd[i];
				pfd[k].events = POLLIN;
				pfd[k].revents = 0;
				idx[k++] = i;
			}
		if (poll(pfd, (nfds_t)k, (int)left) <= 0)
			break;
		for (i = 0; i < k; i++) {
			if (pfd[i].revents == 0)
				continue;
			j = idx[i];
			nr = recv(m->fd[j], m->buf[j] + m->len[j],
			    sizeof(m->buf[j]) - 1 - m->len[j], 0);
			if (nr > 0) {
				m->len[j] += (size_t)nr;
				m->buf[j][m->len[j]] = '\0';
			}
			memset(r, 0, sizeof(*r));
			memcpy(r->buf, m->buf[j], m->len[j] + 1);
			r->len = m->len[j];
			if (nr <= 0 || raw_complete(r)) {
				ok += strncmp(m->buf[j], "HTTP/1.1 200", 12) == 0;
				m->len[j] = (size_t)-1;		/* done */
				pending--;
			}
		}
	}
	free(r);
	free(idx);
	free(pfd);
	return ok;
}

static void
many_close(struct many *m)
{
	int	i;

	for (i = 0; i < m->n; i++)
		if (m->fd[i] != -1)
			close(m->fd[i]);
	free(m->fd);
	free(m->buf);
	free(m->len);
}

/* How many of the n connections in fd the server has closed (end-of-file
 * waiting); evictions shut sockets down at once, so a short wait will do. */
static int
count_closed(const int *fd, int n)
{
	struct pollfd	pfd[128];
	char		b;
	int		i, nc = 0;

	usleep(300000);
	for (i = 0; i < n && i < 128; i++) {
		pfd[i].fd = fd[i];
		pfd[i].events = POLLIN;
		pfd[i].revents = 0;
	}
	if (poll(pfd, (nfds_t)i, 0) < 0)
		return -1;
	for (i = 0; i < n && i < 128; i++)
		if (pfd[i].revents != 0 && recv(fd[i], &b, 1, MSG_DONTWAIT) == 0)
			nc++;
	return nc;
}

/* Another GET /v3 on an open keep-alive connection: its status. */
static int
again(int fd)
{
	static const char	get[] = "GET /v3 HTTP/1.1\r\nHost: x\r\n\r\n";
	static struct raw	r;

	memset(&r, 0, sizeof(r));
	if (write(fd, get, sizeof(get) - 1) != sizeof(get) - 1)
		return 0;
	raw_read(fd, &r, 5000);
	return r.status;
}

static void
test_second_server(struct it_server *s)
{
	char	 dir[] = "/tmp/kg-it-XXXXXX", exe[512], listen[64], out[1024] = "";
	int	 pfd[2], status = -1, i;
	pid_t	 pid;
	ssize_t	 n;
	size_t	 len = 0;

	if (mkdtemp(dir) == NULL || pipe(pfd) == -1) {
		T("strict-5.1 second server test set-up", 0);
		return;
	}
	snprintf(exe, sizeof(exe), "%s/keygate", getenv("KG_BUILD") ?
	    getenv("KG_BUILD") : "build");
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", s->port);
	if ((pid = fork()) == 0) {
		dup2(pfd[1], 2);
		close(pfd[0]);
		setenv("KEYGATE_SERVER_DATA_DIR", dir, 1);
		setenv("KEYGATE_SERVER_LISTEN", listen, 1);
		execl(exe, "keygate", "serve", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	for (i = 0; i < 100; i++) {		/* up to 10 s */
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		usleep(100000);
	}
	if (i == 100) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		status = -1;
	}
	while ((n = read(pfd[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(pfd[0]);
	T("strict-5.1 a second serve on the same address exits non-zero",
	    i < 100 && WIFEXITED(status) && WEXITSTATUS(status) != 0);
	T("strict-5.2 ... saying why", strstr(out, "already in use") != NULL);
	T("strict-5.3 the first still serves", it_status(s, "GET", "/v3", NULL,
	    NULL) == 200);
	snprintf(out, sizeof(out), "rm -rf '%s'", dir);
	if (system(out) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

static void
test_many(struct it_server *s)
{
	struct many	m = { .n = NMANY };
	struct raw	r;
	int		ok;
	long		t0 = now_ms();

	ok = many_open(s, &m, 20000);	/* under the 30 s idle timeout */
	T("strict-5.4 2,000 keep-alive connections on the default config: all"
	    " served", ok == NMANY);
	printf("# %d connections answered in %ld ms\n", ok, now_ms() - t0);
	T("strict-5.5 ... and a new client too", RAW(s, "GET /v3 HTTP/1.1\r\n"
	    "Host: x\r\n\r\n", &r) == 200 && r.ms < 5000);
	T("strict-5.6 ... the first connection still works", again(m.fd[0]) == 200);
	many_close(&m);
}

/*
 * max_connections 64: 50 connections served and left idle, then 50 more:
 * the 36 (then, with one more client, 37) closed to make room must all be
 * from the first, longer idle, batch.
 */
static void
test_evict(void)
{
	static const char *const env[] = { "KEYGATE_SERVER_MAX_CONNECTIONS=64", NULL };
	struct it_server	s;
	struct many		old = { .n = 50 }, young = { .n = 50 };
	struct raw		r;
	int			i, nalive = 0, ok;

	it_start(&s, env);
	unsetenv("KEYGATE_SERVER_MAX_CONNECTIONS");
	ok = many_open(&s, &old, 30000);
	usleep(200000);
	ok += many_open(&s, &young, 30000);
	T("strict-5.7 100 connections at max_connections 64: all served", ok == 100);
	T("strict-5.8 a new client is served", RAW(&s, "GET /v3 HTTP/1.1\r\n"
	    "Host: x\r\n\r\n", &r) == 200);
	T("strict-5.9 the 37 closed were the longest idle",
	    count_closed(old.fd, old.n) == 37 && count_closed(young.fd, young.n) == 0);
	for (i = 0; i < young.n; i++)
		nalive += again(young.fd[i]) == 200;
	T("strict-5.10 the others still work", nalive == young.n);
	T("strict-5.11 evictions counted", metric(&s,
	    "keygate_http_connections_evicted_total") >= 37);
	many_close(&old);
	many_close(&young);
	T("strict-5.12 clean stop", it_stop(&s) == 0);
}

/* ---- strict-6: the same hashing work for unknown users ------------------- */

static void
test_timing(struct it_server *s)
{
	long	b;
	char	*id;

	id = create_user(s, "{\"user\":{\"name\":\"nopw\",\"domain_id\":\"default\"}}");
	free(id);
	id = create_user(s, "{\"user\":{\"name\":\"off\",\"domain_id\":\"default\","
	    "\"enabled\":false,\"password\":\"pw-off\"}}");
	free(id);

	b = bcrypt_runs(s);
	T("strict-6.1 unknown user: 401", login(s, "nobody", "pw") == 401);
	T("strict-6.2 ... after one bcrypt, as a wrong password", bcrypt_runs(s) == b + 1);
	b = bcrypt_runs(s);
	T("strict-6.3 unknown domain: 401", it_status(s, "POST", "/v3/auth/tokens",
	    NULL, it_fmt(login_fmt, "admin", "name", "NoSuchDomain", "pw")) == 401);
	T("strict-6.4 ... one bcrypt", bcrypt_runs(s) == b + 1);
	b = bcrypt_runs(s);
	T("strict-6.5 user without a password: 401", login(s, "nopw", "pw") == 401);
	T("strict-6.6 ... one bcrypt", bcrypt_runs(s) == b + 1);
	b = bcrypt_runs(s);
	T("strict-6.7 disabled user: 401", login(s, "off", "pw-off") == 401);
	T("strict-6.8 ... one bcrypt", bcrypt_runs(s) == b + 1);
	b = bcrypt_runs(s);
	T("strict-6.9 wrong password: 401", login(s, "admin", "wrong") == 401);
	T("strict-6.10 ... one bcrypt", bcrypt_runs(s) == b + 1);
	b = bcrypt_runs(s);
	T("strict-6.11 unknown user id: 401", it_status(s, "POST", "/v3/auth/tokens",
	    NULL, "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":"
	    "{\"user\":{\"id\":\"0123456789abcdef0123456789abcdef\",\"password\":"
	    "\"x\"}}}}}") == 401);
	T("strict-6.12 ... one bcrypt", bcrypt_runs(s) == b + 1);
	b = bcrypt_runs(s);
	T("strict-6.13 password change for an unknown user: 401", it_status(s, "POST",
	    "/v3/users/0123456789abcdef0123456789abcdef/password", NULL,
	    "{\"user\":{\"original_password\":\"a\",\"password\":\"b\"}}") == 401);
	T("strict-6.14 ... one bcrypt", bcrypt_runs(s) == b + 1);
}

/* ---- strict-7: passwords beyond bcrypt's 72 bytes ------------------------ */

static void
test_long_passwords(struct it_server *s)
{
	/* Keystone-made bcrypt ("$2b$", cost 4, passlib) of 80 'x', and of
	 * "secret". */
	static const char legacy80[] =
	    "$2b$04$abcdefghijklmnopqrstuubzadhGtS2zEF.gu0yd0opP6cVzb.e0i";
	static const char legacy_secret[] =
	    "$2b$04$abcdefghijklmnopqrstuu2r9OfJnfCsdneAXAGHnS4UpFFP8WIrW";
	char	x72[73], x80[81], x72y8[81], *id, *h;

	memset(x80, 'x', 80);
	x80[80] = '\0';
	memcpy(x72y8, x80, 81);
	memset(x72y8 + 72, 'y', 8);
	memcpy(x72, x80, 72);
	x72[72] = '\0';

	id = create_user(s, it_fmt("{\"user\":{\"name\":\"long\",\"domain_id\":"
	    "\"default\",\"password\":\"%s\"}}", x80));
	T("strict-7.1 user with an 80-byte password", id != NULL);
	T("strict-7.2 its password: 201", login(s, "long", x80) == 201);
	T("strict-7.3 another tail after byte 72: 401 (was 201)",
	    login(s, "long", x72y8) == 401);
	T("strict-7.4 its first 72 bytes only: 401 (was 201)",
	    login(s, "long", x72) == 401);
	free(id);

	/* A hash Keystone made, planted as a migration would. */
	id = create_user(s, "{\"user\":{\"name\":\"legacy\",\"domain_id\":\"default\","
	    "\"password\":\"placeholder\"}}");
	free(sql(s, it_fmt("UPDATE \"user\" SET password_hash = '%s' WHERE name ="
	    " 'legacy';", legacy80)));
	h = sql(s, "SELECT password_hash FROM \"user\" WHERE name = 'legacy';");
	T("strict-7.5 legacy hash planted", h != NULL && strcmp(h, legacy80) == 0);
	free(h);
	T("strict-7.6 legacy bcrypt: the 80 bytes set are refused (> 72)",
	    login(s, "legacy", x80) == 401);
	T("strict-7.7 legacy bcrypt: another tail is refused",
	    login(s, "legacy", x72y8) == 401);
	T("strict-7.8 legacy bcrypt: the 72 bytes it holds log in",
	    login(s, "legacy", x72) == 201);
	h = sql(s, "SELECT password_hash FROM \"user\" WHERE name = 'legacy';");
	T("strict-7.9 ... and the hash is upgraded to bcrypt_sha256", h != NULL &&
	    strncmp(h, "$bcrypt-sha256$v=2,t=2b,r=4$", 28) == 0);
	free(h);
	T("strict-7.10 the upgraded hash logs in", login(s, "legacy", x72) == 201);
	T("strict-7.11 ... and counts every byte", login(s, "legacy", x80) == 401);
	free(id);

	id = create_user(s, "{\"user\":{\"name\":\"ks\",\"domain_id\":\"default\","
	    "\"password\":\"placeholder\"}}");
	free(sql(s, it_fmt("UPDATE \"user\" SET password_hash = '%s' WHERE name ="
	    " 'ks';", legacy_secret)));
	T("strict-7.12 a Keystone $2b$ hash verifies", login(s, "ks", "secret") == 201);
	T("strict-7.13 ... and a wrong one does not", login(s, "ks", "secreT") == 401);
	h = sql(s, "SELECT password_hash FROM \"user\" WHERE name = 'ks';");
	T("strict-7.14 ... upgraded after the good login", h != NULL &&
	    strncmp(h, "$bcrypt-sha256$", 15) == 0);
	free(h);
	T("strict-7.15 ... and still logs in", login(s, "ks", "secret") == 201);
	free(id);
}

int
main(void)
{
	struct it_server	 s;
	struct it_resp		 r;
	struct rlimit		 rl;
	char			*admin_id = NULL;

	/*
	 * Start the server with a soft open-file limit of 1,024 (a common
	 * default): serving 2,000 connections needs it to raise its own.
	 * This process then raises its limit for its client sockets.
	 */
	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur > 1024) {
		rl.rlim_cur = 1024;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	it_start(&s, NULL);
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 8192 ? 8192 :
	    rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	T("strict-0.1 this test may open 2,100 sockets", rl.rlim_cur >= NMANY + 100);

	it_req(&s, "GET", "/v3/users?name=admin", s.admin_token, NULL, NULL, &r);
	if (it_str(r.json, "users.0.id") != NULL)
		admin_id = strdup(it_str(r.json, "users.0.id"));
	it_resp_free(&r);
	T("strict-0.2 admin id", admin_id != NULL);
	if (admin_id == NULL)
		admin_id = strdup("x");

	test_content_type(&s);
	test_nul(&s, admin_id);
	test_duplicates(&s);
	test_http(&s, admin_id);
	test_timing(&s);
	test_long_passwords(&s);
	test_second_server(&s);
	test_many(&s);
	T("strict-5.13 clean stop", it_stop(&s) == 0);
	test_evict();
	free(admin_id);
	return t_report();
}
