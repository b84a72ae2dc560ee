/*
 * sync.c - the gateway's JWKS and revocation-event feed from keygate
 * (see sync.h).
 */
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "gateway/stats.h"
#include "gateway/sync.h"

#define MAX_BODY	(8 * 1024 * 1024)
#define FULL_EVERY_US	(300 * (int64_t)1000000)	/* between full event fetches */

struct gwsync {
	struct gw_conf	 c;		/* a copy: the thread owns it */
	char		 base[512];	/* url without a trailing "/" or "/v3" */
	struct gwauth	*a;
	pthread_t	 thread;
	CURL		*curl;		/* one handle: its connection is reused */
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 kicked;
	atomic_int	 stop;
	char		 token[16384];	/* service token ("" = none) */
	int64_t		 token_exp;	/* µs */
	int64_t		 next_keys;	/* monotonic µs: next JWKS fetch */
	int64_t		 next_full;	/* monotonic µs: next full event fetch */
	int		 full;		/* next event fetch is a full one */
	int		 was_down;	/* for logging transitions only */
};

struct body {
	char	*buf;
	size_t	 len;
	char	 subject[16384];	/* X-Subject-Token */
};

static size_t
on_data(char *p, size_t sz, size_t n, void *arg)
{
	struct body	*b = arg;
	char		*nb;

	n *= sz;
	if (b->len + n > MAX_BODY)
		return 0;		/* abort: larger than any sane answer */
	if ((nb = realloc(b->buf, b->len + n + 1)) == NULL)
		return 0;
	memcpy(nb + b->len, p, n);
	b->buf = nb;
	b->len += n;
	b->buf[b->len] = '\0';
	return n;
}

static size_t
on_header(char *p, size_t sz, size_t n, void *arg)
{
	struct body	*b = arg;
	size_t		 len = sz * n, i;

	if (len > 16 && strncasecmp(p, "X-Subject-Token:", 16) == 0) {
		for (i = 16; i < len && (p[i] == ' ' || p[i] == '\t'); i++)
			;
		while (len > i && (p[len - 1] == '\r' || p[len - 1] == '\n' ||
		    p[len - 1] == ' '))
			len--;
		if (len - i < sizeof(b->subject)) {
			memcpy(b->subject, p + i, len - i);
			b->subject[len - i] = '\0';
		}
	}
	return sz * n;
}

static int
on_progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	struct gwsync	*s = arg;

	(void)a; (void)b; (void)c; (void)d;
	return atomic_load(&s->stop) ? 1 : 0;
}

/*
 * One HTTP exchange. Returns the status (0 when the transfer failed) and
 * fills out (free out->buf).
 */
static long
http(struct gwsync *s, const char *method, const char *path, const char *json,
    int with_token, struct body *out)
{
	CURL			*h;
	struct curl_slist	*hdrs = NULL;
	char			 url[2048], *tokhdr = NULL;
	long			 status = 0;
	CURLcode		 rc;

	memset(out, 0, sizeof(*out));
	if ((h = s->curl) == NULL)
		return 0;
	curl_easy_reset(h);		/* options only: the connection stays */
	snprintf(url, sizeof(url), "%s%s", s->base, path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)s->c.timeout);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)s->c.timeout);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, out);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, s);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "keygate-gateway");
	if (s->c.cafile[0] != '\0')
		curl_easy_setopt(h, CURLOPT_CAINFO, s->c.cafile);
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	if (with_token && s->token[0] != '\0' &&
	    (tokhdr = malloc(strlen(s->token) + 16)) != NULL) {
		sprintf(tokhdr, "X-Auth-Token: %s", s->token);
		hdrs = curl_slist_append(hdrs, tokhdr);
	}
	if (json != NULL) {
		hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, json);
	}
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	if ((rc = curl_easy_perform(h)) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	else if (!atomic_load(&s->stop))
		log_debug("%s: %s %s: %s", __func__, method, path, curl_easy_strerror(rc));
	curl_slist_free_all(hdrs);
	if (tokhdr != NULL) {
		kg_wipe(tokhdr, strlen(tokhdr));
		free(tokhdr);
	}
	return status;
}

static void
body_free(struct body *b)
{
	free(b->buf);
	b->buf = NULL;
	kg_wipe(b->subject, sizeof(b->subject));
}

/* Write data to dir/name atomically (tmp + rename), mode 0600. */
static void
state_write(const struct gwsync *s, const char *name, const char *data, size_t n)
{
	char	path[4200], tmp[4210];
	FILE	*fp;

	if (!gw_conf_has_state(&s->c))
		return;
	snprintf(path, sizeof(path), "%s/%s", s->c.state_dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	(void)mkdir(s->c.state_dir, 0700);
	if ((fp = fopen(tmp, "w")) == NULL) {
		log_warn("%s: %s: %s", __func__, tmp, strerror(errno));
		return;
	}
	(void)fchmod(fileno(fp), 0600);
	if (fwrite(data, 1, n, fp) != n || fclose(fp) != 0 || rename(tmp, path) == -1) {
		log_warn("%s: %s: %s", __func__, path, strerror(errno));
		unlink(tmp);
	}
}

/* Get a service token when there is none or it expires soon. */
static int
authenticate(struct gwsync *s)
{
	json_t		*req, *resp;
	struct body	 b;
	char		*js;
	const char	*exp;
	long		 st;
	int64_t		 now = kg_now_us(), margin;

	margin = ((int64_t)s->c.sync_interval * 2 + 60) * 1000000;
	if (s->token[0] != '\0' && s->token_exp - margin > now)
		return 0;
	req = json_pack("{s:{s:{s:[s], s:{s:{s:s, s:{s:s}, s:s}}}, s:{s:{s:s, s:{s:s}}}}}",
	    "auth", "identity", "methods", "password", "password", "user",
	    "name", s->c.username, "domain", "name", s->c.user_domain,
	    "password", s->c.password, "scope", "project", "name", s->c.project,
	    "domain", "name", s->c.project_domain);
	js = req != NULL ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	if (js == NULL)
		return -1;
	st = http(s, "POST", "/v3/auth/tokens", js, 0, &b);
	kg_wipe(js, strlen(js));
	free(js);
	if (st != 201 || b.subject[0] == '\0') {
		if (st != 0)
			log_warn("%s: keygate refused the gateway's credentials "
			    "(user %s, HTTP %ld)", __func__, s->c.username, st);
		body_free(&b);
		return -1;
	}
	kg_strlcpy(s->token, b.subject, sizeof(s->token));
	s->token_exp = now + 3600 * (int64_t)1000000;
	if (b.buf != NULL && (resp = json_loadb(b.buf, b.len, 0, NULL)) != NULL) {
		exp = json_string_value(json_object_get(json_object_get(resp, "token"),
		    "expires_at"));
		if (exp != NULL)
			(void)kg_time_parse(exp, &s->token_exp);
		json_decref(resp);
	}
	body_free(&b);
	log_info("%s: got a service token for %s", __func__, s->c.username);
	return 0;
}

static int
sync_keys(struct gwsync *s)
{
	struct jwt_key	**keys;
	struct kg_err	  err = { 0 };
	struct body	  b;
	size_t		  n;
	long		  st;

	st = http(s, "GET", "/v3/OS-KEYGATE/jwks", NULL, 1, &b);
	if (st != 200 || b.buf == NULL) {
		if (st != 0)
			log_warn("%s: GET /v3/OS-KEYGATE/jwks: HTTP %ld", __func__, st);
		body_free(&b);
		return -1;
	}
	if (gwauth_parse_jwks(b.buf, b.len, &keys, &n, &err) == -1) {
		log_warn("%s: %s", __func__, err.msg);
		body_free(&b);
		return -1;
	}
	if (gwauth_set_keys(s->a, keys, n)) {
		STAT_INC(jwks_updates);
		log_info("%s: installed %zu verification key(s) from keygate", __func__, n);
		state_write(s, "jwks.json", b.buf, b.len);
	}
	body_free(&b);
	return 0;
}

/* Serialize the stored events for the state file. */
static void
save_events(struct gwsync *s, const struct kg_revoke_event *ev, size_t n, int replace)
{
	char	path[4200];
	FILE	*fp;
	size_t	i;
	char	t1[KG_TIME_LEN], t2[KG_TIME_LEN], t3[KG_TIME_LEN];

	if (!gw_conf_has_state(&s->c))
		return;
	/* append-only log of what was received; rewritten on a full fetch */
	snprintf(path, sizeof(path), "%s/events.jsonl", s->c.state_dir);
	(void)mkdir(s->c.state_dir, 0700);
	if ((fp = fopen(path, replace ? "w" : "a")) == NULL)
		return;
	(void)fchmod(fileno(fp), 0600);
	for (i = 0; i < n; i++) {
		json_t	*o;
		char	*js;

		kg_time_fmt(ev[i].issued_before, t1);
		kg_time_fmt(ev[i].revoked_at, t2);
		kg_time_fmt(ev[i].expires_at, t3);
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s*}",
		    "user_id", ev[i].user_id, "project_id", ev[i].project_id,
		    "domain_id", ev[i].domain_id, "role_id", ev[i].role_id,
		    "audit_id", ev[i].audit_id, "audit_chain_id", ev[i].audit_chain_id,
		    "issued_before", t1, "revoked_at", t2,
		    "expires_at", ev[i].expires_at ? t3 : NULL);
		if (o != NULL && ev[i].trust_id[0] != '\0')
			json_object_set_new(o, "OS-TRUST:trust_id",
			    json_string(ev[i].trust_id));
		if (o != NULL && ev[i].revision > 0)
			json_object_set_new(o, "OS-KEYGATE:revision",
			    json_integer(ev[i].revision));
		if (o != NULL && ev[i].app_cred_id[0] != '\0')
			json_object_set_new(o, "OS-KEYGATE:application_credential_id",
			    json_string(ev[i].app_cred_id));
		if (o != NULL && (js = json_dumps(o, JSON_COMPACT)) != NULL) {
			fprintf(fp, "{\"events\":[%s]}\n", js);
			free(js);
		}
		json_decref(o);
	}
	fclose(fp);
}

static int
sync_events(struct gwsync *s)
{
	struct kg_revoke_event *ev = NULL;
	struct kg_err	  err = { 0 };
	struct body	  b;
	char		  path[128], t[KG_TIME_LEN];
	int64_t		  since;
	size_t		  n, added;
	long		  st;
	int		  full = s->full, attempt;

	since = gwauth_events_latest(s->a);
	if (full || since == 0) {
		full = 1;
		snprintf(path, sizeof(path), "/v3/OS-REVOKE/events");
	} else {
		kg_time_fmt(since - 1000000, t);
		snprintf(path, sizeof(path), "/v3/OS-REVOKE/events?since=%s", t);
	}
	for (attempt = 0; attempt < 2; attempt++) {
		if (authenticate(s) == -1)
			return -1;
		st = http(s, "GET", path, NULL, 1, &b);
		if (st != 401)
			break;
		body_free(&b);
		s->token[0] = '\0';		/* expired or revoked: log in again */
	}
	if (st != 200 || b.buf == NULL) {
		if (st != 0)
			log_warn("%s: GET %s: HTTP %ld", __func__, "/v3/OS-REVOKE/events", st);
		body_free(&b);
		return -1;
	}
	if (gwauth_parse_events(b.buf, b.len, &ev, &n, &err) == -1) {
		log_warn("%s: %s", __func__, err.msg);
		body_free(&b);
		return -1;
	}
	body_free(&b);
	added = gwauth_add_events(s->a, ev, n, full);
	if (added > 0) {
		STAT_ADD(revocation_events, added);
		log_info("%s: %zu new revocation event(s)", __func__, added);
	}
	if (added > 0 || full)
		save_events(s, ev, n, full);
	free(ev);
	s->full = 0;
	gwauth_prune_events(s->a, kg_now_us());
	return 0;
}

static int64_t
mono_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * One round: the keys when they are due (every sync_interval), the
 * revocation events always (every revocation_interval_ms), so that a
 * revocation reaches the gateway, and the live flows it ends, within about
 * that interval plus one request.
 */
static void
sync_round(struct gwsync *s)
{
	int64_t	now = mono_us();
	int	ok = 1;

	if (now >= s->next_keys) {
		if (s->c.revocation)
			(void)authenticate(s);
		ok = sync_keys(s) == 0;
		s->next_keys = now + (int64_t)s->c.sync_interval * 1000000;
	}
	if (now >= s->next_full) {
		s->full = 1;
		s->next_full = now + FULL_EVERY_US;
	}
	if (s->c.revocation && sync_events(s) == -1)
		ok = 0;
	if (ok) {
		STAT_INC(sync_ok);
		atomic_store(&gw_stats.last_sync_ok, kg_now_us());
		if (s->was_down)
			log_info("%s: keygate reachable again", __func__);
		s->was_down = 0;
	} else {
		STAT_INC(sync_errors);
		if (!s->was_down)
			log_warn("%s: sync with %s failed; keeping the last good keys "
			    "and events", __func__, s->base);
		s->was_down = 1;
		/* retry the keys with the next round, not a whole interval later */
		s->next_keys = now;
	}
}

static void *
sync_main(void *arg)
{
	struct gwsync	*s = arg;
	struct timespec	 ts;
	int64_t		 wait_us, deadline;

	for (;;) {
		sync_round(s);
		wait_us = s->c.revocation ? (int64_t)s->c.revocation_interval_ms * 1000 :
		    s->next_keys - mono_us();
		if (s->was_down && wait_us < 1000000)
			wait_us = 1000000;	/* keygate down: at most once a second */
		if (wait_us < 0)
			wait_us = 0;
		pthread_mutex_lock(&s->mu);
		clock_gettime(CLOCK_REALTIME, &ts);
		deadline = (int64_t)ts.tv_nsec / 1000 + wait_us;
		ts.tv_sec += deadline / 1000000;
		ts.tv_nsec = (long)(deadline % 1000000) * 1000;
		while (!s->kicked && !atomic_load(&s->stop))
			if (pthread_cond_timedwait(&s->cv, &s->mu, &ts) == ETIMEDOUT)
				break;
		if (s->kicked) {
			s->full = 1;
			s->next_keys = 0;
		}
		s->kicked = 0;
		pthread_mutex_unlock(&s->mu);
		if (atomic_load(&s->stop))
			break;
	}
	return NULL;
}

/* Read a whole small file; malloc'd, NUL-terminated. */
static char *
slurp(const char *path, size_t *n)
{
	FILE	*fp;
	char	*buf;

	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	if ((buf = malloc(MAX_BODY + 1)) == NULL) {
		fclose(fp);
		return NULL;
	}
	*n = fread(buf, 1, MAX_BODY, fp);
	fclose(fp);
	buf[*n] = '\0';
	return buf;
}

int
gwsync_load_files(const struct gw_conf *c, struct gwauth *a, struct kg_err *err)
{
	struct jwt_key	**keys;
	struct kg_revoke_event *ev;
	char		  path[4200], *buf, *line, *save = NULL;
	size_t		  len, n, nk;

	if (c->jwks_file[0] != '\0') {
		if ((buf = slurp(c->jwks_file, &len)) == NULL)
			return kg_errf(err, KG_EBADREQ, "%s: %s", c->jwks_file,
			    strerror(errno));
		if (gwauth_parse_jwks(buf, len, &keys, &nk, err) == -1) {
			free(buf);
			return -1;
		}
		free(buf);
		gwauth_set_keys(a, keys, nk);
		return 0;	/* static keys: the state copy is not needed */
	}
	if (!gw_conf_has_state(c))
		return 0;
	snprintf(path, sizeof(path), "%s/jwks.json", c->state_dir);
	if ((buf = slurp(path, &len)) != NULL) {
		if (gwauth_parse_jwks(buf, len, &keys, &nk, NULL) == 0) {
			gwauth_set_keys(a, keys, nk);
			log_info("%s: %zu key(s) from the last good copy %s", __func__, nk,
			    path);
		}
		free(buf);
	}
	snprintf(path, sizeof(path), "%s/events.jsonl", c->state_dir);
	if ((buf = slurp(path, &len)) != NULL) {
		for (line = strtok_r(buf, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save))
			if (gwauth_parse_events(line, strlen(line), &ev, &n, NULL) == 0) {
				gwauth_add_events(a, ev, n, 0);
				free(ev);
			}
		free(buf);
		gwauth_prune_events(a, kg_now_us());
	}
	return 0;
}

struct gwsync *
gwsync_start(const struct gw_conf *c, struct gwauth *a, struct kg_err *err)
{
	struct gwsync	*s;
	size_t		 n;

	if (c->url[0] == '\0')
		return NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		return NULL;
	}
	s->c = *c;
	s->a = a;
	s->full = 1;
	if ((s->curl = curl_easy_init()) == NULL) {
		kg_errf(err, KG_EINTERNAL, "curl_easy_init failed");
		free(s);
		return NULL;
	}
	kg_strlcpy(s->base, c->url, sizeof(s->base));
	n = strlen(s->base);
	while (n > 0 && s->base[n - 1] == '/')
		s->base[--n] = '\0';
	if (n >= 3 && strcmp(s->base + n - 3, "/v3") == 0)
		s->base[n - 3] = '\0';
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if ((errno = pthread_create(&s->thread, NULL, sync_main, s)) != 0) {
		kg_errf(err, KG_EINTERNAL, "sync thread: %s", strerror(errno));
		curl_easy_cleanup(s->curl);
		free(s);
		return NULL;
	}
	return s;
}

void
gwsync_kick(struct gwsync *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->kicked = 1;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

void
gwsync_stop(struct gwsync *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	atomic_store(&s->stop, 1);
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	curl_easy_cleanup(s->curl);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	kg_wipe(s->c.password, sizeof(s->c.password));
	kg_wipe(s->token, sizeof(s->token));
	free(s);
}
