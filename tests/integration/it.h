/*
 * it.h - integration test harness: start the real build/keygate on a free
 * loopback port with a fresh data directory (bootstrapped admin), talk to
 * it over HTTP with libcurl, stop it with SIGTERM.
 *
 * The database is SQLite in the data directory, or, when KG_TEST_PG names
 * a PostgreSQL server ("postgresql://USER:PW@HOST:PORT", as
 * tests/pgcluster prints; tests/run sets it for the [pg] runs), a fresh
 * database created there for each server and dropped by it_stop.
 *
 * The binary is $KG_BUILD/keygate (default build/keygate). The admin user
 * is "admin" / IT_ADMIN_PASSWORD in project "admin", domain Default.
 */
#ifndef KG_IT_H
#define KG_IT_H

#include <jansson.h>
#include <stdlib.h>
#include <sys/types.h>

#include "tests/t.h"

#define IT_ADMIN_PASSWORD	"admin-secret"

struct it_server {
	pid_t	pid;
	int	port;
	char	base[64];		/* "http://127.0.0.1:PORT" */
	char	dir[256];		/* temporary data directory */
	char	db[512];		/* PostgreSQL: its database URI; SQLite: "" */
	char	admin_token[4096];	/* project-scoped admin token, after it_start */
};

struct it_resp {
	long	 status;
	char	*body;			/* raw body, NUL-terminated ("" when none) */
	json_t	*json;			/* parsed body or NULL */
	char	*subject_token;		/* X-Subject-Token header or NULL */
	char	*headers;		/* all response headers, raw */
};

/*
 * Start a server. env is a NULL-terminated list of "NAME=value" added to
 * the server's environment (e.g. "KEYGATE_TOKEN_EXPIRATION=60"), or NULL.
 * Bootstraps the admin and fetches s->admin_token. Exits the test program
 * on failure (nothing else can run).
 */
void	it_start(struct it_server *s, const char *const *env);

/*
 * Run keygate bootstrap (as it_start does) with the admin password
 * password, on the server's data directory. Returns 0 when it exits 0.
 */
int	it_bootstrap(struct it_server *s, const char *password);

/*
 * SIGTERM the server, check its database (keygate db-check: integrity and
 * foreign keys), remove dir. Returns the server's exit status (0 = clean),
 * or -1 when it did not stop or the database check found a problem.
 */
int	it_stop(struct it_server *s);

/*
 * One request. token: X-Auth-Token or NULL. body: JSON text or NULL
 * (sent as application/json unless hdrs has a Content-Type). hdrs:
 * NULL-terminated extra headers ("X-Subject-Token: ...") or NULL.
 * Returns 0, or -1 when the transfer failed (status 0).
 */
int	it_req(struct it_server *s, const char *method, const char *path,
	    const char *token, const char *body, const char *const *hdrs,
	    struct it_resp *out);
void	it_resp_free(struct it_resp *r);

/*
 * Run one SQL statement on the server's database (the sqlite3 or psql
 * client; write it in what both accept: the table "user" quoted). Returns
 * 0 when it succeeded.
 */
int	it_sql(struct it_server *s, const char *stmt);

/* Nonzero when the servers run on PostgreSQL (KG_TEST_PG). */
int	it_pg(void);

/* The parsed body (a new reference, NULL without one) and, in *status,
 * the status (0 when the transfer failed). */
json_t	*it_json(struct it_server *s, const char *method, const char *path,
	    const char *token, const char *body, long *status);

/* Status only, freeing the response: it_status(s, "GET", "/v3", tok, NULL). */
long	it_status(struct it_server *s, const char *method, const char *path,
	    const char *token, const char *body);

/*
 * Issue a password token for user name in domain "Default" (or by user id
 * when name is 32 hex), scoped to project name in Default (NULL:
 * unscoped). Returns a malloc'd token or NULL.
 */
char	*it_token(struct it_server *s, const char *user, const char *password,
	    const char *project);

/*
 * Look up a dotted path in a JSON document: "token.user.name",
 * "users.0.id" (array index). Borrowed reference or NULL.
 */
json_t	*it_get(json_t *doc, const char *path);
/* String at path, or NULL. */
const char *it_str(json_t *doc, const char *path);

/* Response header value (case-insensitive name), malloc'd, or NULL. */
char	*it_header(const struct it_resp *r, const char *name);

/* printf into a static rotating buffer (8 slots), for paths and bodies. */
const char *it_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* KG_IT_H */
