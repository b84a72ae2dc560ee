/*
 * it_revoke_race.c - issue and revocation are linearizable: once a
 * revocation is acknowledged, no token it covers validates, including the
 * tokens whose issue raced with it. Each case runs issuing threads against
 * the real server, revokes in the middle, lets the threads run on past the
 * acknowledgement, stops them, undoes the state change where it can (so
 * the current state would let the token through again) and validates
 * every token issued around the revocation: each one must be refused.
 *
 *   race-1 password change vs password logins with the old password
 *   race-2 token DELETE vs token-method rescopes of that token
 *   race-3 user disable (then re-enable) vs token-method issues
 *   race-4 grant removal (then re-grant) vs token-method issues
 *
 * Bounded: THREADS threads, at most MAX_PER_THREAD requests each and
 * ROUND_US per round; ROUNDS rounds per case.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "tests/integration/it_identity.h"

#define THREADS		6
#define ROUNDS		3
#define MAX_PER_THREAD	3000
#define KEEP		150		/* last tokens kept per thread */
#define LEAD_US		150000		/* issuing before the revocation */
#define TAIL_US		100000		/* issuing after its acknowledgement */
#define ROUND_US	5000000		/* hard bound on a round */

struct issued {
	char	*tok;
	int64_t	 at;			/* when its 201 arrived, µs */
};

struct worker {
	pthread_t	 th;
	struct it_server *s;
	const char	*body;		/* POST /v3/auth/tokens */
	atomic_int	*stop;
	int64_t		 deadline;
	struct issued	 keep[KEEP];	/* ring of the last tokens */
	size_t		 n;		/* tokens issued */
	size_t		 refused;
};

static void *
issue_loop(void *arg)
{
	struct worker	*w = arg;
	struct it_resp	 r;
	struct issued	*slot;
	int		 i;

	for (i = 0; i < MAX_PER_THREAD && !atomic_load(w->stop) &&
	    kg_now_us() < w->deadline; i++) {
		if (it_req(w->s, "POST", "/v3/auth/tokens", NULL, w->body, NULL, &r) == 0 &&
		    r.status == 201 && r.subject_token != NULL) {
			slot = &w->keep[w->n++ % KEEP];
			free(slot->tok);
			slot->tok = strdup(r.subject_token);
			slot->at = kg_now_us();
		} else
			w->refused++;
		it_resp_free(&r);
	}
	return NULL;
}

struct round_result {
	size_t	issued;		/* tokens the threads got */
	size_t	checked;	/* of those, issued around the revocation */
	size_t	after_ack;	/* ... whose 201 came after the acknowledgement */
	size_t	valid;		/* checked tokens that still validate: must be 0 */
	size_t	valid_after_ack;
	long	revoke_status;
};

/*
 * Start the threads on body, call revoke(arg) after LEAD_US, let them run
 * TAIL_US past its answer, stop them, call undo(arg) (may be NULL), then
 * validate the tokens they kept.
 */
static void
race(struct it_server *s, const char *body, long (*revoke)(struct it_server *, void *),
    void (*undo)(struct it_server *, void *), void *arg, struct round_result *res)
{
	struct worker	 w[THREADS];
	atomic_int	 stop = 0;
	int64_t		 sent, acked;
	size_t		 i, j;

	memset(res, 0, sizeof(*res));
	memset(w, 0, sizeof(w));
	for (i = 0; i < THREADS; i++) {
		w[i].s = s;
		w[i].body = body;
		w[i].stop = &stop;
		w[i].deadline = kg_now_us() + ROUND_US;
		pthread_create(&w[i].th, NULL, issue_loop, &w[i]);
	}
	usleep(LEAD_US);
	sent = kg_now_us();
	res->revoke_status = revoke(s, arg);
	acked = kg_now_us();
	usleep(TAIL_US);
	atomic_store(&stop, 1);
	for (i = 0; i < THREADS; i++)
		pthread_join(w[i].th, NULL);
	if (undo != NULL)
		undo(s, arg);
	for (i = 0; i < THREADS; i++) {
		res->issued += w[i].n;
		for (j = 0; j < KEEP; j++) {
			struct issued	*t = &w[i].keep[j];

			if (t->tok == NULL)
				continue;
			/* The tokens that raced: issued from shortly before the
			 * revocation was sent on. */
			if (t->at >= sent - LEAD_US / 3) {
				res->checked++;
				res->after_ack += t->at > acked;
				if (ii_validate(s, t->tok) == 200) {
					res->valid++;
					res->valid_after_ack += t->at > acked;
				}
			}
			free(t->tok);
		}
	}
}

static void
report(const char *name, int round, const struct round_result *r)
{
	printf("%s round %d: revoke %ld, %zu issued, %zu checked (%zu after the ack), "
	    "%zu still valid (%zu after the ack)\n", name, round, r->revoke_status,
	    r->issued, r->checked, r->after_ack, r->valid, r->valid_after_ack);
}

/* ---- fixtures ---------------------------------------------------------- */

/* The status of one request as admin (0 when the transfer failed). */
static long
admin_status(struct it_server *s, const char *method, const char *path,
    const char *body, const char *const *hdrs)
{
	struct it_resp	 r;
	long		 st;

	it_req(s, method, path, s->admin_token, body, hdrs, &r);
	st = r.status;
	it_resp_free(&r);
	return st;
}

static char	 member_role[64], admin_project[64];

static char *
mk_user(struct it_server *s, const char *name, const char *pw)
{
	char	body[256];

	snprintf(body, sizeof(body), "{\"user\": {\"name\": \"%s\", \"password\": \"%s\","
	    " \"domain_id\": \"default\"}}", name, pw);
	return ii_create(s, "/v3/users", body, "user.id");
}

static long
grant(struct it_server *s, const char *method, const char *project, const char *user)
{
	char	path[256];

	snprintf(path, sizeof(path), "/v3/projects/%s/users/%s/roles/%s", project, user,
	    member_role);
	return it_status(s, method, path, s->admin_token, NULL);
}

static int
lookup_id(struct it_server *s, const char *path, const char *idpath, char *out,
    size_t outsz)
{
	struct it_resp	 r;
	const char	*id;
	int		 ok = 0;

	if (it_req(s, "GET", path, s->admin_token, NULL, NULL, &r) == 0 &&
	    r.status == 200 && (id = it_str(r.json, idpath)) != NULL)
		ok = snprintf(out, outsz, "%s", id) < (int)outsz;
	it_resp_free(&r);
	return ok;
}

/* A token-method request for tok, scoped to project (or NULL: as tok). */
static char *
token_body(const char *tok, const char *project)
{
	char	*b;

	if (asprintf(&b, "{\"auth\": {\"identity\": {\"methods\": [\"token\"], "
	    "\"token\": {\"id\": \"%s\"}}%s%s%s}}", tok, project ? ", \"scope\": "
	    "{\"project\": {\"id\": \"" : "", project ? project : "",
	    project ? "\"}}" : "") == -1)
		return NULL;
	return b;
}

/* ---- race-1: password change vs password logins ------------------------ */

struct pwcase {
	const char	*user_id;
	char		 next[32];
};

static long
change_password(struct it_server *s, void *arg)
{
	struct pwcase	*c = arg;
	char		 path[128], body[128];

	snprintf(path, sizeof(path), "/v3/users/%s", c->user_id);
	snprintf(body, sizeof(body), "{\"user\": {\"password\": \"%s\"}}", c->next);
	return admin_status(s, "PATCH", path, body, NULL);
}

static void
race_password(struct it_server *s)
{
	struct round_result	 res;
	struct pwcase		 c;
	char			 body[512], pw[32];
	char			*uid;
	int			 round, ok = 1, raced = 0;

	uid = mk_user(s, "race-pw", "pw-0");
	T("race-1.0 user", uid != NULL);
	if (uid == NULL)
		return;
	c.user_id = uid;
	for (round = 0; round < ROUNDS; round++) {
		snprintf(pw, sizeof(pw), "pw-%d", round);
		snprintf(c.next, sizeof(c.next), "pw-%d", round + 1);
		snprintf(body, sizeof(body), "{\"auth\": {\"identity\": {\"methods\": "
		    "[\"password\"], \"password\": {\"user\": {\"id\": \"%s\", "
		    "\"password\": \"%s\"}}}}}", uid, pw);
		race(s, body, change_password, NULL, &c, &res);
		report("race-1", round, &res);
		ok &= res.revoke_status == 200 && res.valid == 0;
		raced += res.checked > 0;
	}
	T("race-1.1 tokens got with the old password during a password change are "
	    "revoked with it", ok);
	T("race-1.2 ... and some logins did race the change", raced > 0);
	free(uid);
}

/* ---- race-2: token DELETE vs rescopes of that token -------------------- */

static long
delete_token(struct it_server *s, void *arg)
{
	char		 hdr[4200];
	const char	*hdrs[] = { hdr, NULL };

	snprintf(hdr, sizeof(hdr), "X-Subject-Token: %s", (const char *)arg);
	return admin_status(s, "DELETE", "/v3/auth/tokens", NULL, hdrs);
}

static void
race_delete(struct it_server *s)
{
	struct round_result	 res;
	char			*uid, *t0, *body;
	int			 round, ok = 1, raced = 0;

	uid = mk_user(s, "race-del", "del-pw");
	T("race-2.0 user with a role", uid != NULL &&
	    grant(s, "PUT", admin_project, uid) == 204);
	if (uid == NULL)
		return;
	for (round = 0; round < ROUNDS; round++) {
		t0 = it_token(s, "race-del", "del-pw", "admin");
		body = t0 ? token_body(t0, admin_project) : NULL;
		if (body == NULL) {
			ok = 0;
			break;
		}
		race(s, body, delete_token, NULL, t0, &res);
		report("race-2", round, &res);
		ok &= res.revoke_status == 204 && res.valid == 0 &&
		    ii_validate(s, t0) == 404;
		raced += res.checked > 0;
		free(body);
		free(t0);
	}
	T("race-2.1 tokens rescoped from a token while it is deleted are revoked "
	    "with it", ok);
	T("race-2.2 ... and some rescopes did race the DELETE", raced > 0);
	free(uid);
}

/* ---- race-3: user disable vs issue ------------------------------------- */

static long
set_enabled(struct it_server *s, const char *uid, int enabled)
{
	char	path[128];

	snprintf(path, sizeof(path), "/v3/users/%s", uid);
	return it_status(s, "PATCH", path, s->admin_token, enabled ?
	    "{\"user\": {\"enabled\": true}}" : "{\"user\": {\"enabled\": false}}");
}

static long
disable_user(struct it_server *s, void *arg)
{
	return set_enabled(s, arg, 0);
}

static void
enable_user(struct it_server *s, void *arg)
{
	set_enabled(s, arg, 1);
}

static void
race_disable(struct it_server *s)
{
	struct round_result	 res;
	char			*uid, *t0, *body;
	int			 round, ok = 1, raced = 0;

	uid = mk_user(s, "race-dis", "dis-pw");
	T("race-3.0 user", uid != NULL);
	if (uid == NULL)
		return;
	for (round = 0; round < ROUNDS; round++) {
		t0 = it_token(s, "race-dis", "dis-pw", NULL);
		body = t0 ? token_body(t0, NULL) : NULL;
		if (body == NULL) {
			ok = 0;
			break;
		}
		race(s, body, disable_user, enable_user, uid, &res);
		report("race-3", round, &res);
		ok &= res.revoke_status == 200 && res.valid == 0;
		raced += res.checked > 0;
		free(body);
		free(t0);
	}
	T("race-3.1 tokens issued while the user is disabled stay revoked once it is "
	    "enabled again", ok);
	T("race-3.2 ... and some issues did race the disable", raced > 0);
	free(uid);
}

/* ---- race-4: grant removal vs issue ------------------------------------ */

struct grantcase {
	const char	*uid;
	const char	*project;
};

static long
revoke_grant(struct it_server *s, void *arg)
{
	struct grantcase	*c = arg;

	return grant(s, "DELETE", c->project, c->uid);
}

static void
regrant(struct it_server *s, void *arg)
{
	struct grantcase	*c = arg;

	grant(s, "PUT", c->project, c->uid);
}

static void
race_grant(struct it_server *s)
{
	struct round_result	 res;
	struct grantcase	 c;
	char			*uid, *pid, *t0, *body;
	int			 round, ok = 1, raced = 0;

	uid = mk_user(s, "race-grant", "grant-pw");
	pid = ii_create(s, "/v3/projects", "{\"project\": {\"name\": \"race-grant\"}}",
	    "project.id");
	T("race-4.0 user with a role on a project", uid != NULL && pid != NULL &&
	    grant(s, "PUT", pid, uid) == 204);
	if (uid == NULL || pid == NULL) {
		free(uid);
		free(pid);
		return;
	}
	c.uid = uid;
	c.project = pid;
	t0 = it_token(s, "race-grant", "grant-pw", NULL);	/* unscoped: survives */
	body = t0 ? token_body(t0, pid) : NULL;
	for (round = 0; body != NULL && round < ROUNDS; round++) {
		race(s, body, revoke_grant, regrant, &c, &res);
		report("race-4", round, &res);
		ok &= res.revoke_status == 204 && res.valid == 0;
		raced += res.checked > 0;
	}
	T("race-4.1 tokens issued while their grant is removed stay revoked once it "
	    "is granted again", body != NULL && ok);
	T("race-4.2 ... and some issues did race the removal", raced > 0);
	free(body);
	free(t0);
	free(uid);
	free(pid);
}

int
main(void)
{
	static const char *const env[] = { "KEYGATE_SERVER_THREADS=4", NULL };
	struct it_server	 s;

	it_start(&s, env);
	T("race-0.1 fixtures", s.admin_token[0] != '\0' &&
	    lookup_id(&s, "/v3/roles?name=member", "roles.0.id", member_role,
	    sizeof(member_role)) &&
	    lookup_id(&s, "/v3/projects?name=admin", "projects.0.id", admin_project,
	    sizeof(admin_project)));
	race_password(&s);
	race_delete(&s);
	race_disable(&s);
	race_grant(&s);
	T("race-9.1 clean exit", it_stop(&s) == 0);
	return t_report();
}
