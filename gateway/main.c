/*
 * main.c - keygate-gateway: run the NFQUEUE daemon, print its netfilter
 * rules, ask a running daemon for its counters. In the style of
 * httpd/relayd: -f file, -n (check the configuration), -d (foreground).
 */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/sig.h"
#include "common/util.h"
#include "common/version.h"
#include "gateway/conf.h"
#include "gateway/ct.h"
#include "gateway/ctl.h"
#include "gateway/gwauth.h"
#include "gateway/gwpolicy.h"
#include "gateway/nfq.h"
#include "gateway/rules.h"
#include "gateway/stats.h"
#include "gateway/sync.h"
#include "gateway/verdict.h"

#define MAX_QUEUES	16
#define TICK_US		100000

struct qthread {
	struct gwq	*q;
	uint16_t	 num;
	pthread_t	 thread;
};

static struct {
	struct gw_conf	  c;
	struct gwauth	 *auth;
	struct gw_engine *eng;
	struct qthread	  qt[MAX_QUEUES];
	uint16_t	  qfirst, nq;
	atomic_int	  stop;
} G;

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: keygate-gateway [-dn] [-f file]          run the daemon\n"
	    "       keygate-gateway rules [-f file] [--nft] [--delete] [--queue-bypass]\n"
	    "       keygate-gateway stats [-f file]\n"
	    "       keygate-gateway --version | --help\n"
	    "  -f file   configuration (default: $KEYGATE_GATEWAY_CONFIG, else\n"
	    "            /etc/keygate/gateway.conf)\n"
	    "  -n        check the configuration and the policy file, print them, exit\n"
	    "  -d        stay in the foreground (always the case)\n"
	    "  rules     print the iptables/ip6tables commands (or an nft ruleset)\n"
	    "            that send the protected ports through the gateway;\n"
	    "            --queue-bypass: let traffic pass while no daemon listens\n"
	    "            (fail open), as [rules] queue_bypass = yes\n"
	    "  stats     print the running daemon's counters (control socket)\n"
	    "Signals: SIGHUP reloads the policy and keys and syncs with keygate,\n"
	    "SIGUSR1 logs the counters, SIGTERM/SIGINT stop cleanly.\n");
}

static void
load_conf(const char *path)
{
	struct kg_err	err = { 0 };
	enum log_level	lvl;

	if (path == NULL)
		path = getenv("KEYGATE_GATEWAY_CONFIG");
	if (path == NULL && access("/etc/keygate/gateway.conf", R_OK) == 0)
		path = "/etc/keygate/gateway.conf";
	gw_conf_defaults(&G.c);
	if (gw_conf_load(&G.c, path, &err) == -1) {
		fprintf(stderr, "keygate-gateway: %s\n", err.msg);
		exit(1);
	}
	if (log_level_parse(G.c.log_level, &lvl) == 0)
		log_set_level(lvl);
}

static struct gwp_marks
marks_of(const struct gw_conf *c)
{
	struct gwp_marks	m = { c->accept_mark, c->reject_mark, c->drop_mark,
				      c->mark_mask, c->kill_mark };

	return m;
}

/* ------------------------------------------------------------------
 * The daemon
 * ------------------------------------------------------------------ */

static void
send_verdict(void *arg, uint16_t queue, uint32_t id, enum gw_vkind v, int setmark,
    uint32_t mark)
{
	(void)arg;
	if (queue >= G.qfirst && queue < G.qfirst + G.nq)
		gwq_verdict(G.qt[queue - G.qfirst].q, id, v, setmark, mark);
}

static void
on_packet(void *arg, uint16_t queue, uint32_t id, const void *pkt, size_t len,
    uint32_t mark)
{
	(void)arg;
	gw_engine_packet(G.eng, queue, id, pkt, len, mark, kg_now_us());
}

static void *
queue_main(void *arg)
{
	struct qthread	*t = arg;
	struct pollfd	 p = { gwq_fd(t->q), POLLIN, 0 };
	int64_t		 now, last_tick = 0;
	int		 i, rc = 0;

	while (!atomic_load(&G.stop)) {
		if (poll(&p, 1, TICK_US / 1000) > 0)
			for (i = 0; i < 256 && (rc = gwq_dispatch(t->q, on_packet, NULL)) == 1;
			    i++)
				;
		if (rc == -1) {
			log_error("%s: queue %u failed; stopping", __func__, t->num);
			kill(getpid(), SIGTERM);
			break;
		}
		now = kg_now_us();
		if (now - last_tick >= TICK_US) {
			gw_engine_tick(G.eng, now);
			last_tick = now;
		}
	}
	return NULL;
}

static size_t
ctl_answer(void *arg, const char *cmd, char *buf, size_t sz)
{
	struct gw_gauges	g = { 0 };
	struct gwauth_info	ai;

	(void)arg;
	if (strcmp(cmd, "stats") != 0)
		return (size_t)snprintf(buf, sz, "error unknown command\n");
	gw_engine_gauges(G.eng, &g);
	gwauth_info(G.auth, &ai);
	g.keys = ai.keys;
	g.events = ai.events;
	g.cache_entries = ai.cache_entries;
	return gw_stats_text(buf, sz, &g, kg_now_us());
}

static void
log_stats(void)
{
	char	buf[8192], *p;
	size_t	n = ctl_answer(NULL, "stats", buf, sizeof(buf)), i, start = 0;

	for (i = 0; i < n; i++)
		if (buf[i] == '\n')
			buf[i] = ' ';
	for (p = buf; start < n; start += 1500)
		log_info("stats: %.1500s", p + start);
}

static void
reload(void)
{
	struct gwp_marks	 m = marks_of(&G.c);
	struct gwpolicy		*p;
	struct kg_err		 err = { 0 };

	if ((p = gwpolicy_load(G.c.policy, &m, &err)) == NULL) {
		STAT_INC(policy_errors);
		log_error("SIGHUP: policy refused, keeping the old one: %s", err.msg);
	} else {
		gw_engine_set_policy(G.eng, p);
		STAT_INC(policy_reloads);
		log_info("SIGHUP: policy %s loaded (%zu rules)", G.c.policy, p->n);
	}
	if (G.c.jwks_file[0] != '\0' && gwsync_load_files(&G.c, G.auth, &err) == -1)
		log_error("SIGHUP: keys refused, keeping the old ones: %s", err.msg);
}

static int
run(int check)
{
	struct gwp_marks	 m = marks_of(&G.c);
	struct gw_engine_cfg	 ec;
	struct gwauth_cfg	 ac;
	struct gwq_opts		 qo;
	struct gwpolicy		*pol;
	struct gwsync		*sync = NULL;
	struct gwctl		*ctl = NULL;
	struct gwct		*ct = NULL;
	struct kg_err		 err = { 0 };
	struct gwauth_info	 ai;
	sigset_t		 set;
	uint16_t		 last, i;
	int			 sig;

	if ((pol = gwpolicy_load(G.c.policy, &m, &err)) == NULL) {
		fprintf(stderr, "keygate-gateway: %s\n", err.msg);
		return 1;
	}
	memset(&ac, 0, sizeof(ac));
	ac.issuer = G.c.issuer;
	ac.cache_size = (size_t)G.c.cache_size;
	ac.leeway = G.c.leeway;
	ac.max_lifetime = G.c.max_token_lifetime;
	if ((G.auth = gwauth_new(&ac, &err)) == NULL ||
	    gwsync_load_files(&G.c, G.auth, &err) == -1) {
		fprintf(stderr, "keygate-gateway: %s\n", err.msg);
		gwpolicy_free(pol);
		gwauth_free(G.auth);
		return 1;
	}
	if (check) {
		gw_conf_dump(&G.c, stdout);
		gwauth_info(G.auth, &ai);
		printf("policy %s: %zu rules, default %s\n", G.c.policy, pol->n,
		    gwp_action_name(pol->def));
		printf("keys loaded from files: %zu\n", ai.keys);
		printf("configuration OK\n");
		gwpolicy_free(pol);
		gwauth_free(G.auth);
		return 0;
	}

	memset(&ec, 0, sizeof(ec));
	ec.marks = m;
	ec.split = strcmp(G.c.mode, "split") == 0;
	ec.max_header = (size_t)G.c.max_header_bytes;
	ec.hold_timeout_us = (int64_t)G.c.hold_timeout_ms * 1000;
	ec.max_flows = (size_t)G.c.max_flows;
	ec.max_pending = (size_t)G.c.max_pending;
	ec.max_held = (size_t)G.c.max_held_packets;
	ec.flow_idle_us = (int64_t)G.c.flow_idle * 1000000;
	ec.log_decisions = G.c.log_decisions;
	ec.hold_all = G.c.hold_all;
	ec.recheck = G.c.recheck_mark;
	ec.every = strcmp(G.c.check, "every") == 0;
	ec.teardown = G.c.teardown;
	ec.kill_mark = G.c.teardown ? G.c.kill_mark : 0;
	if ((G.eng = gw_engine_new(&ec, G.auth, send_verdict, NULL, &err)) == NULL) {
		fprintf(stderr, "keygate-gateway: %s\n", err.msg);
		return 1;
	}
	gw_engine_set_policy(G.eng, pol);
	if (G.c.teardown) {
		/* fail closed: a gateway that cannot end revoked connections
		 * does not start (teardown = no opts out) */
		if ((ct = gwct_start(G.eng, G.c.mark_mask, &err)) == NULL) {
			fprintf(stderr, "keygate-gateway: teardown: %s (or set "
			    "teardown = no)\n", err.msg);
			gw_engine_free(G.eng);
			gwauth_free(G.auth);
			return 1;
		}
		gw_engine_set_actions(G.eng, gwct_act, ct);
		gwauth_set_revoke_listener(G.auth, gw_engine_revoked, G.eng);
	}

	/* Signals go to sigwait() below, never to a worker thread. */
	kg_sig_block(&set, (const int []){ SIGTERM, SIGINT, SIGHUP, SIGUSR1, 0 });

	gw_conf_queues(&G.c, &G.qfirst, &last);
	qo.maxlen = (uint32_t)G.c.queue_maxlen;
	qo.fail_open = G.c.fail_open;
	qo.rcvbuf = G.c.rcvbuf;
	for (i = 0; i <= last - G.qfirst; i++) {
		G.qt[i].num = (uint16_t)(G.qfirst + i);
		if ((G.qt[i].q = gwq_open(G.qt[i].num, &qo, &err)) == NULL) {
			fprintf(stderr, "keygate-gateway: %s\n", err.msg);
			goto out;
		}
		G.nq++;
	}
	if ((ctl = gwctl_start(G.c.control_socket, ctl_answer, NULL, &err)) == NULL) {
		fprintf(stderr, "keygate-gateway: %s\n", err.msg);
		goto out;
	}
	if (G.c.url[0] != '\0' && (sync = gwsync_start(&G.c, G.auth, &err)) == NULL) {
		fprintf(stderr, "keygate-gateway: %s\n", err.msg);
		goto out;
	}
	for (i = 0; i < G.nq; i++)
		if ((errno = pthread_create(&G.qt[i].thread, NULL, queue_main,
		    &G.qt[i])) != 0) {
			log_error("queue thread: %s", strerror(errno));
			atomic_store(&G.stop, 1);
			while (i-- > 0)
				pthread_join(G.qt[i].thread, NULL);
			goto out;
		}
	gwauth_info(G.auth, &ai);
	log_info("keygate-gateway %s: queues %s, mode %s, check %s, teardown %s, "
	    "policy %s (%zu rules), %zu key(s)%s%s", KEYGATE_VERSION, G.c.queues,
	    G.c.mode, G.c.check, G.c.teardown ? "yes" : "no", G.c.policy, pol->n,
	    ai.keys, G.c.url[0] ? ", keygate " : "", G.c.url);

	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			reload();
			gwsync_kick(sync);
			continue;
		}
		if (sig == SIGUSR1) {
			log_stats();
			continue;
		}
		break;
	}
	log_info("signal %d: shutting down", sig);
	atomic_store(&G.stop, 1);
	for (i = 0; i < G.nq; i++)
		pthread_join(G.qt[i].thread, NULL);
	gw_engine_flush(G.eng);		/* reject what is held: clients fail fast */
	log_stats();
 out:
	gwsync_stop(sync);		/* no more revocation scans */
	gwctl_stop(ctl);
	gwct_stop(ct);			/* after the queue threads and the sync */
	for (i = 0; i < G.nq; i++)
		gwq_close(G.qt[i].q);
	gw_engine_free(G.eng);
	gwauth_free(G.auth);
	kg_wipe(G.c.password, sizeof(G.c.password));
	log_info("stopped");
	return atomic_load(&G.stop) ? 0 : 1;
}

/* ------------------------------------------------------------------
 * Commands
 * ------------------------------------------------------------------ */

static int
cmd_rules(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "nft", no_argument, NULL, 'N' },
		{ "delete", no_argument, NULL, 'D' },
		{ "queue-bypass", no_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*conf = NULL;
	int		 ch, flags = 0, bypass = 0;

	while ((ch = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1)
		switch (ch) {
		case 'f':
			conf = optarg;
			break;
		case 'N':
			flags |= RULES_NFT;
			break;
		case 'D':
			flags |= RULES_DELETE;
			break;
		case 'B':
			bypass = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	load_conf(conf);
	if (bypass)
		G.c.queue_bypass = 1;	/* as [rules] queue_bypass = yes */
	gw_rules_print(stdout, &G.c, flags);
	return 0;
}

static int
cmd_stats(int argc, char **argv)
{
	struct kg_err	 err = { 0 };
	const char	*conf = NULL;
	int		 ch;

	while ((ch = getopt(argc, argv, "f:h")) != -1)
		switch (ch) {
		case 'f':
			conf = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	load_conf(conf);
	if (gwctl_query(G.c.control_socket, "stats", stdout, &err) == -1) {
		fprintf(stderr, "keygate-gateway: %s\n", err.msg);
		return 1;
	}
	return 0;
}

static int
cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*conf = NULL;
	int		 ch, check = 0, rc;

	while ((ch = getopt_long(argc, argv, "df:nhV", longopts, NULL)) != -1)
		switch (ch) {
		case 'd':
			break;
		case 'f':
			conf = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("keygate-gateway %s\n", KEYGATE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	if (optind < argc && strcmp(argv[optind], "run") != 0) {
		usage(stderr);
		return 2;
	}
	load_conf(conf);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = run(check);
	curl_global_cleanup();
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "rules") == 0)
		return cmd_rules(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "stats") == 0)
		return cmd_stats(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	return cmd_run(argc, argv);
}
