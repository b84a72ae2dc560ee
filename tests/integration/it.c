/*
 * it.c - integration test harness (see it.h): runs the real keygate
 * binary on a loopback port and drives it with libcurl.
 */
#include <curl/curl.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/integration/it.h"

static const char *
build_dir(void)
{
	const char	*b = getenv("KG_BUILD");

	return b && *b ? b : "build";
}

static int
free_port(void)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);
	int			fd, port;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		close(fd);
		return -1;
	}
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

int
it_pg(void)
{
	const char	*pg = getenv("KG_TEST_PG");

	return pg != NULL && *pg != '\0';
}

/* Run argv (a client program); 0 when it exits 0. Output to stderr. */
static int
run_quiet(char *const argv[])
{
	pid_t	pid;
	int	status;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		dup2(2, 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid == -1 || waitpid(pid, &status, 0) == -1)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* PostgreSQL: statement sql on the maintenance database of KG_TEST_PG. */
static int
pg_admin(const char *sql)
{
	char	uri[512];

	snprintf(uri, sizeof(uri), "%s/postgres", getenv("KG_TEST_PG"));
	return run_quiet((char *const []){ "psql", "-q", "-v", "ON_ERROR_STOP=1",
	    "-d", uri, "-c", (char *)sql, NULL });
}

/* The server's database: on PostgreSQL a new one, named in s->db. */
static int
make_db(struct it_server *s)
{
	static int	n;
	char		name[64];

	s->db[0] = '\0';
	if (!it_pg())
		return 0;
	snprintf(name, sizeof(name), "kgit_%ld_%d", (long)getpid(), n++);
	if (pg_admin(it_fmt("CREATE DATABASE \"%s\"", name)) == -1)
		return -1;
	snprintf(s->db, sizeof(s->db), "%s/%s", getenv("KG_TEST_PG"), name);
	return 0;
}

static void
drop_db(struct it_server *s)
{
	const char	*name;

	if (s->db[0] == '\0' || (name = strrchr(s->db, '/')) == NULL)
		return;
	if (pg_admin(it_fmt("DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)",
	    name + 1)) == -1)
		fprintf(stderr, "it_stop: cannot drop database %s\n", name + 1);
	s->db[0] = '\0';
}

int
it_sql(struct it_server *s, const char *stmt)
{
	char	path[300];

	if (s->db[0] != '\0')
		return run_quiet((char *const []){ "psql", "-q", "-v",
		    "ON_ERROR_STOP=1", "-d", s->db, "-c", (char *)stmt, NULL });
	snprintf(path, sizeof(path), "%s/keygate.db", s->dir);
	return run_quiet((char *const []){ "sqlite3", "-cmd", ".timeout 5000", path,
	    (char *)stmt, NULL });
}

static void
set_server_env(struct it_server *s, const char *const *env)
{
	char	v[64];

	setenv("KEYGATE_SERVER_DATA_DIR", s->dir, 1);
	if (s->db[0] != '\0')
		setenv("KEYGATE_DATABASE_CONNECTION", s->db, 1);
	else
		unsetenv("KEYGATE_DATABASE_CONNECTION");
	snprintf(v, sizeof(v), "127.0.0.1:%d", s->port);
	setenv("KEYGATE_SERVER_LISTEN", v, 1);
	setenv("KEYGATE_IDENTITY_PASSWORD_HASH_ROUNDS", "4", 0);
	setenv("KEYGATE_SERVER_LOG_LEVEL", getenv("IT_LOG") ? "debug" : "warning", 1);
	for (; env != NULL && *env != NULL; env++)
		putenv((char *)*env);
}

int
it_bootstrap(struct it_server *s, const char *password)
{
	char	exe[512], url[128];
	pid_t	pid;
	int	status;

	snprintf(exe, sizeof(exe), "%s/keygate", build_dir());
	snprintf(url, sizeof(url), "%s/v3", s->base);
	if ((pid = fork()) == 0) {
		execl(exe, "keygate", "bootstrap", "--bootstrap-password",
		    password, "--bootstrap-region-id", "RegionOne",
		    "--bootstrap-admin-url", url, "--bootstrap-internal-url", url,
		    "--bootstrap-public-url", url, (char *)NULL);
		_exit(127);
	}
	if (pid == -1 || waitpid(pid, &status, 0) == -1)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

void
it_start(struct it_server *s, const char *const *env)
{
	char		 exe[512];
	char		*tok;
	int		 i, status;
	pid_t		 parent;

	memset(s, 0, sizeof(s[0]));
	curl_global_init(CURL_GLOBAL_DEFAULT);
	snprintf(s->dir, sizeof(s->dir), "/tmp/kg-it-XXXXXX");
	if (mkdtemp(s->dir) == NULL || (s->port = free_port()) == -1) {
		fprintf(stderr, "it_start: cannot make temp dir or port\n");
		exit(2);
	}
	snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%d", s->port);
	if (make_db(s) == -1) {
		fprintf(stderr, "it_start: cannot create a PostgreSQL database\n");
		exit(2);
	}
	set_server_env(s, env);
	if (it_bootstrap(s, IT_ADMIN_PASSWORD) == -1) {
		fprintf(stderr, "it_start: bootstrap failed\n");
		exit(2);
	}
	snprintf(exe, sizeof(exe), "%s/keygate", build_dir());
	parent = getpid();
	if ((s->pid = fork()) == 0) {
		/* A test that dies (a signal, timeout(1)) takes its server
		 * with it: an orphan would hold the caller's pipes open. The
		 * test may have died before the prctl: then it is not our
		 * parent any more (a subreaper's pid need not be 1). */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(127);
		execl(exe, "keygate", "serve", (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200; i++) {	/* up to 10 s */
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			fprintf(stderr, "it_start: server terminated prematurely\n");
			exit(2);
		}
		if (it_status(s, "GET", "/v3", NULL, NULL) == 200)
			break;
		usleep(50000);
	}
	if (i == 200) {
		fprintf(stderr, "it_start: server did not answer\n");
		kill(s->pid, SIGKILL);
		exit(2);
	}
	tok = it_token(s, "admin", IT_ADMIN_PASSWORD, "admin");
	if (tok != NULL) {
		snprintf(s->admin_token, sizeof(s->admin_token), "%s", tok);
		free(tok);
	}
}

/*
 * keygate db-check on the server's database (the environment names its
 * data directory): 0 when clean, else -1 (its report is on stdout).
 */
static int
db_check(void)
{
	char	exe[512];
	pid_t	pid;
	int	status;

	snprintf(exe, sizeof(exe), "%s/keygate", build_dir());
	fflush(stdout);
	if ((pid = fork()) == 0) {
		execl(exe, "keygate", "db-check", (char *)NULL);
		_exit(127);
	}
	if (pid == -1 || waitpid(pid, &status, 0) == -1)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int
it_stop(struct it_server *s)
{
	char	cmd[300];
	int	status = -1, i, clean = -1;

	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		for (i = 0; i < 100; i++) {
			if (waitpid(s->pid, &status, WNOHANG) == s->pid)
				break;
			usleep(50000);
		}
		if (i == 100) {
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &status, 0);
			status = -1;
		}
		s->pid = 0;
	}
	/* Every suite ends with the database checked: integrity, foreign keys. */
	if (s->dir[0] != '\0' && (clean = db_check()) == -1)
		fprintf(stderr, "it_stop: keygate db-check found problems in %s\n",
		    s->dir);
	drop_db(s);
	if (s->dir[0] != '\0' && strncmp(s->dir, "/tmp/kg-it-", 11) == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "it_stop: cannot remove %s\n", s->dir);
	}
	if (status == -1 || clean == -1)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

struct buf {
	char	*p;
	size_t	 len;
};

static size_t
on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct buf	*b = userdata;
	size_t		 n = size * nmemb;
	char		*np;

	if ((np = realloc(b->p, b->len + n + 1)) == NULL)
		return 0;
	b->p = np;
	memcpy(b->p + b->len, ptr, n);
	b->len += n;
	b->p[b->len] = '\0';
	return n;
}

/* Does hdrs set its own Content-Type (a form, say)? */
static int
has_content_type(const char *const *hdrs)
{
	for (; hdrs != NULL && *hdrs != NULL; hdrs++)
		if (strncasecmp(*hdrs, "Content-Type:", 13) == 0)
			return 1;
	return 0;
}

/*
 * With KG_IT_RECORD=FILE, every request is appended to FILE as one JSON
 * line {"m", "p", "tok": "admin"|"other"|null, "h": [...], "b"}: the
 * fuzz seeds are made from them (tests/fuzz/make-http-seeds).
 */
static void
record(struct it_server *s, const char *method, const char *path,
    const char *token, const char *body, const char *const *hdrs)
{
	const char	*file = getenv("KG_IT_RECORD");
	json_t		*r, *h;
	char		*line;
	FILE		*fp;

	if (file == NULL || *file == '\0')
		return;
	h = json_array();
	for (; hdrs != NULL && *hdrs != NULL; hdrs++)
		json_array_append_new(h, json_string(*hdrs));
	r = json_pack("{s:s, s:s, s:o, s:o, s:o}", "m", method, "p", path, "tok",
	    token == NULL ? json_null() : json_string(strcmp(token,
	    s->admin_token) == 0 ? "admin" : "other"), "h", h, "b",
	    body == NULL ? json_null() : json_string(body));
	if (r != NULL && (line = json_dumps(r, JSON_COMPACT)) != NULL) {
		if ((fp = fopen(file, "a")) != NULL) {
			fprintf(fp, "%s\n", line);
			fclose(fp);
		}
		free(line);
	}
	json_decref(r);
}

int
it_req(struct it_server *s, const char *method, const char *path,
    const char *token, const char *body, const char *const *hdrs,
    struct it_resp *out)
{
	CURL			*c;
	struct curl_slist	*h = NULL;
	struct buf		 b = { NULL, 0 }, hb = { NULL, 0 };
	char			*url, line[8192];
	CURLcode		 rc;

	memset(out, 0, sizeof(*out));
	record(s, method, path, token, body, hdrs);
	if ((c = curl_easy_init()) == NULL)
		return -1;
	/* Not a fixed buffer: tests send paths and queries of any length. */
	if (asprintf(&url, "%s%s", s->base, path) == -1) {
		curl_easy_cleanup(c);
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	free(url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &hb);
	h = curl_slist_append(h, "Accept: application/json");
	if (token != NULL) {
		snprintf(line, sizeof(line), "X-Auth-Token: %s", token);
		h = curl_slist_append(h, line);
	}
	if (body != NULL) {
		if (!has_content_type(hdrs))
			h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	for (; hdrs != NULL && *hdrs != NULL; hdrs++)
		h = curl_slist_append(h, *hdrs);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	out->body = b.p ? b.p : strdup("");
	out->headers = hb.p ? hb.p : strdup("");
	if (out->body[0] != '\0')
		out->json = json_loads(out->body, 0, NULL);
	out->subject_token = it_header(out, "X-Subject-Token");
	return rc == CURLE_OK ? 0 : -1;
}

void
it_resp_free(struct it_resp *r)
{
	free(r->body);
	free(r->headers);
	free(r->subject_token);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

json_t *
it_json(struct it_server *s, const char *method, const char *path,
    const char *token, const char *body, long *status)
{
	struct it_resp	 r;
	json_t		*j;

	if (it_req(s, method, path, token, body, NULL, &r) == -1) {
		*status = 0;
		it_resp_free(&r);
		return NULL;
	}
	*status = r.status;
	j = r.json != NULL ? json_incref(r.json) : NULL;
	it_resp_free(&r);
	return j;
}

long
it_status(struct it_server *s, const char *method, const char *path,
    const char *token, const char *body)
{
	struct it_resp	r;
	long		st;

	it_req(s, method, path, token, body, NULL, &r);
	st = r.status;
	it_resp_free(&r);
	return st;
}

char *
it_header(const struct it_resp *r, const char *name)
{
	const char	*p = r->headers;
	size_t		 n = strlen(name), len;

	while (p != NULL && *p != '\0') {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1;
			while (*p == ' ')
				p++;
			len = strcspn(p, "\r\n");
			return strndup(p, len);
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return NULL;
}

static int
is_hex32(const char *s)
{
	return strlen(s) == 32 && strspn(s, "0123456789abcdefABCDEF") == 32;
}

char *
it_token(struct it_server *s, const char *user, const char *password,
    const char *project)
{
	struct it_resp	 r;
	json_t		*req, *u, *scope = NULL;
	char		*body, *tok = NULL;

	if (is_hex32(user))
		u = json_pack("{s:s, s:s}", "id", user, "password", password);
	else
		u = json_pack("{s:s, s:s, s:{s:s}}", "name", user, "password",
		    password, "domain", "name", "Default");
	if (project != NULL)
		scope = json_pack("{s:{s:s, s:{s:s}}}", "project", "name", project,
		    "domain", "id", "default");
	req = json_pack("{s:{s:{s:[s], s:{s:o}}}}", "auth", "identity", "methods",
	    "password", "password", "user", u);
	if (scope != NULL)
		json_object_set_new(json_object_get(req, "auth"), "scope", scope);
	body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (it_req(s, "POST", "/v3/auth/tokens", NULL, body, NULL, &r) == 0 &&
	    r.status == 201 && r.subject_token != NULL)
		tok = strdup(r.subject_token);
	free(body);
	it_resp_free(&r);
	return tok;
}

json_t *
it_get(json_t *doc, const char *path)
{
	char	 key[256];
	size_t	 n;
	char	*end;
	long	 idx;

	while (doc != NULL && *path != '\0') {
		n = strcspn(path, ".");
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		if (json_is_array(doc)) {
			idx = strtol(key, &end, 10);
			if (*end != '\0')
				return NULL;
			doc = json_array_get(doc, (size_t)idx);
		} else
			doc = json_object_get(doc, key);
		path += n;
		if (*path == '.')
			path++;
	}
	return doc;
}

const char *
it_str(json_t *doc, const char *path)
{
	return json_string_value(it_get(doc, path));
}

const char *
it_fmt(const char *fmt, ...)
{
	static char	bufs[8][8192];
	static int	slot;
	char		*b = bufs[slot++ & 7];
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(b, sizeof(bufs[0]), fmt, ap);
	va_end(ap);
	return b;
}
