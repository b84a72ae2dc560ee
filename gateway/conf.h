/*
 * conf.h - keygate-gateway.conf: an INI file (libinih); every option can
 * be overridden by an environment variable KEYGATE_GW_<SECTION>_<OPTION>
 * (upper case), e.g. KEYGATE_GW_KEYGATE_PASSWORD.
 *
 * Precedence: built-in default < file < environment. gw_conf_dump lists
 * every option (the password as "***").
 */
#ifndef KG_GATEWAY_CONF_H
#define KG_GATEWAY_CONF_H

#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#include "common/err.h"

struct gw_conf {
	/* [gateway] */
	char	queues[32];		/* "0" or a range "0-1": one thread each */
	char	policy[PATH_MAX];	/* policy file (required) */
	char	mode[16];		/* "repeat" (NF_REPEAT + mark) | "split" */
	uint32_t accept_mark;		/* default accept mark */
	uint32_t reject_mark;		/* -> REJECT --reject-with tcp-reset */
	uint32_t drop_mark;		/* -> DROP */
	uint32_t mark_mask;		/* mark bits the gateway owns */
	uint32_t recheck_mark;		/* one more bit, outside mark_mask */
	uint32_t kill_mark;		/* conntrack mark of a connection being ended */
	char	check[8];		/* "first" request only, or "every" one */
	int	teardown;		/* end live connections (revoked, expired) */
	int	max_header_bytes;	/* request head limit (bytes) */
	int	hold_timeout_ms;	/* head must be complete within */
	int	hold_all;		/* hold partial-head packets too */
	int	max_flows;		/* tracked flows */
	int	max_pending;		/* flows holding packets */
	int	max_held_packets;	/* packets held per flow */
	int	flow_idle;		/* seconds a flow is remembered */
	int	queue_maxlen;		/* kernel queue length */
	int	fail_open;		/* NFQA_CFG_F_FAIL_OPEN on queue overflow */
	int	rcvbuf;			/* netlink receive buffer, bytes */
	int	cache_size;		/* verified tokens cached */
	char	log_level[16];
	int	log_decisions;		/* one line per decision */
	char	control_socket[108];	/* unix socket for `keygate-gateway stats` */
	/* [rules] (what `keygate-gateway rules` prints) */
	char	chain[16];		/* INPUT (local server) | FORWARD (router) */
	char	chain_name[29];		/* the gateway's own chain */
	char	ports[128];		/* protected TCP ports: "8080,8000-8010" */
	char	dst[512];		/* optional destination CIDRs (v4 and v6) */
	char	in_interface[16];	/* optional -i */
	int	queue_bypass;		/* --queue-bypass: fail open when down */
	char	skip_empty[8];		/* payload-less packets skip the queue:
					   "all", "ack" (not SYNs), "no" */
	int	cpu_fanout;		/* --queue-cpu-fanout with several queues */
	int	restore_mark;		/* CONNMARK --restore-mark for routing */
	int	ipv6;			/* print ip6tables rules too */
	/* [keygate] */
	char	url[512];		/* keygate base URL; "" = no sync */
	char	jwks_file[PATH_MAX];	/* static JWKS (start-up / offline) */
	char	state_dir[PATH_MAX];	/* last good JWKS + events ("none" = none) */
	int	sync_interval;		/* seconds between JWKS fetches */
	int	revocation_interval_ms;	/* between revocation-event polls */
	int	timeout;		/* HTTP timeout, seconds */
	char	issuer[128];		/* required "iss" ("" = not checked) */
	char	username[256];		/* service user for the revocation feed */
	char	password[256];
	char	password_file[PATH_MAX];
	char	user_domain[256];	/* the user's domain name */
	char	project[256];		/* scope: project name */
	char	project_domain[256];	/* the project's domain name */
	int	revocation;		/* follow /v3/OS-REVOKE/events */
	int	max_token_lifetime;	/* seconds: events older are pruned */
	int	leeway;			/* seconds of clock skew on iat */
	char	cafile[PATH_MAX];	/* CA bundle for an https url */
};

/* Fill with the built-in defaults. */
void	gw_conf_defaults(struct gw_conf *c);

/*
 * Load path (NULL: no file) over the current values, apply the
 * environment overrides, read password_file, then check the whole
 * configuration (marks, ranges, what is required). Errors name the file
 * and line, or the option. Returns 0 or -1.
 */
int	gw_conf_load(struct gw_conf *c, const char *path, struct kg_err *err);

/* 1 when the last good copy is kept (state_dir is not "none"). */
int	gw_conf_has_state(const struct gw_conf *c);

/* The queue range from c->queues. */
void	gw_conf_queues(const struct gw_conf *c, uint16_t *first, uint16_t *last);

/* Print "section.option = value" lines (secrets masked). */
void	gw_conf_dump(const struct gw_conf *c, FILE *fp);

#endif /* KG_GATEWAY_CONF_H */
