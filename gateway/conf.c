/*
 * conf.c - keygate-gateway.conf: the option table and defaults (parsed by
 * common/conf.c), plus the checks that make a configuration usable.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/conf.h"
#include "common/log.h"
#include "common/util.h"
#include "gateway/conf.h"

#define STR(s, n, f)	CONF_STR(struct gw_conf, s, n, f)
#define SECRET(s, n, f)	CONF_SECRET(struct gw_conf, s, n, f)
#define INT(s, n, f, lo, hi) CONF_INT(struct gw_conf, s, n, f, lo, hi)
#define BOOL(s, n, f)	CONF_BOOL(struct gw_conf, s, n, f)
#define MARK(s, n, f)	CONF_MARK(struct gw_conf, s, n, f)

static const struct conf_option options[] = {
	STR("gateway", "queues", queues),
	STR("gateway", "policy", policy),
	STR("gateway", "mode", mode),
	MARK("gateway", "accept_mark", accept_mark),
	MARK("gateway", "reject_mark", reject_mark),
	MARK("gateway", "drop_mark", drop_mark),
	MARK("gateway", "mark_mask", mark_mask),
	MARK("gateway", "recheck_mark", recheck_mark),
	MARK("gateway", "kill_mark", kill_mark),
	STR("gateway", "check", check),
	BOOL("gateway", "teardown", teardown),
	INT("gateway", "max_header_bytes", max_header_bytes, 256, 60000),
	INT("gateway", "hold_timeout_ms", hold_timeout_ms, 10, 60000),
	BOOL("gateway", "hold_all", hold_all),
	INT("gateway", "max_flows", max_flows, 16, 10000000),
	INT("gateway", "max_pending", max_pending, 1, 1000000),
	INT("gateway", "max_held_packets", max_held_packets, 1, 4096),
	INT("gateway", "flow_idle", flow_idle, 1, 3600),
	INT("gateway", "queue_maxlen", queue_maxlen, 16, 1000000),
	BOOL("gateway", "fail_open", fail_open),
	INT("gateway", "rcvbuf", rcvbuf, 65536, 1073741824),
	INT("gateway", "cache_size", cache_size, 0, 10000000),
	STR("gateway", "log_level", log_level),
	BOOL("gateway", "log_decisions", log_decisions),
	STR("gateway", "control_socket", control_socket),
	STR("rules", "chain", chain),
	STR("rules", "chain_name", chain_name),
	STR("rules", "ports", ports),
	STR("rules", "dst", dst),
	STR("rules", "in_interface", in_interface),
	BOOL("rules", "queue_bypass", queue_bypass),
	STR("rules", "skip_empty", skip_empty),
	BOOL("rules", "cpu_fanout", cpu_fanout),
	BOOL("rules", "restore_mark", restore_mark),
	BOOL("rules", "ipv6", ipv6),
	STR("keygate", "url", url),
	STR("keygate", "jwks_file", jwks_file),
	STR("keygate", "state_dir", state_dir),
	INT("keygate", "sync_interval", sync_interval, 1, 86400),
	INT("keygate", "revocation_interval_ms", revocation_interval_ms, 100, 600000),
	INT("keygate", "timeout", timeout, 1, 300),
	STR("keygate", "issuer", issuer),
	STR("keygate", "username", username),
	SECRET("keygate", "password", password),
	STR("keygate", "password_file", password_file),
	STR("keygate", "user_domain", user_domain),
	STR("keygate", "project", project),
	STR("keygate", "project_domain", project_domain),
	BOOL("keygate", "revocation", revocation),
	INT("keygate", "max_token_lifetime", max_token_lifetime, 60, 31536000),
	INT("keygate", "leeway", leeway, 0, 3600),
	STR("keygate", "cafile", cafile),
};
#define NOPTIONS	CONF_NOPTS(options)

void
gw_conf_defaults(struct gw_conf *c)
{
	memset(c, 0, sizeof(*c));
	kg_strlcpy(c->queues, "0", sizeof(c->queues));
	kg_strlcpy(c->policy, "/etc/keygate/gateway.policy", sizeof(c->policy));
	kg_strlcpy(c->mode, "repeat", sizeof(c->mode));
	c->accept_mark = 0x1;
	c->reject_mark = 0x2;
	c->drop_mark = 0x3;
	c->mark_mask = 0xff;
	c->recheck_mark = 0x100;
	c->kill_mark = 0x4;
	kg_strlcpy(c->check, "first", sizeof(c->check));
	c->teardown = 1;
	c->max_header_bytes = 16384;
	c->hold_timeout_ms = 2000;
	c->max_flows = 65536;
	c->max_pending = 1024;
	c->max_held_packets = 64;
	c->flow_idle = 10;
	c->queue_maxlen = 4096;
	c->rcvbuf = 8 * 1024 * 1024;
	c->cache_size = 10000;
	kg_strlcpy(c->log_level, "info", sizeof(c->log_level));
	c->log_decisions = 1;
	kg_strlcpy(c->control_socket, "/run/keygate-gateway/gateway.sock",
	    sizeof(c->control_socket));
	kg_strlcpy(c->chain, "INPUT", sizeof(c->chain));
	kg_strlcpy(c->chain_name, "KEYGATE", sizeof(c->chain_name));
	kg_strlcpy(c->skip_empty, "all", sizeof(c->skip_empty));
	c->ipv6 = 1;
	c->sync_interval = 5;
	c->revocation_interval_ms = 500;
	c->timeout = 3;
	kg_strlcpy(c->issuer, "keygate", sizeof(c->issuer));
	kg_strlcpy(c->state_dir, "/var/lib/keygate-gateway", sizeof(c->state_dir));
	kg_strlcpy(c->username, "keygate-gateway", sizeof(c->username));
	kg_strlcpy(c->password_file, "/etc/keygate/gateway.password",
	    sizeof(c->password_file));
	kg_strlcpy(c->user_domain, "Default", sizeof(c->user_domain));
	kg_strlcpy(c->project, "service", sizeof(c->project));
	kg_strlcpy(c->project_domain, "Default", sizeof(c->project_domain));
	c->revocation = 1;
	c->max_token_lifetime = 86400;
	c->leeway = 60;
}

static int
read_password_file(struct gw_conf *c, struct kg_err *err)
{
	FILE	*fp;
	size_t	 n;

	if ((fp = fopen(c->password_file, "r")) == NULL)
		return kg_errf(err, KG_EBADREQ, "keygate.password_file: %s: %s",
		    c->password_file, strerror(errno));
	if (fgets(c->password, sizeof(c->password), fp) == NULL)
		c->password[0] = '\0';
	fclose(fp);
	n = strlen(c->password);
	while (n > 0 && (c->password[n - 1] == '\n' || c->password[n - 1] == '\r'))
		c->password[--n] = '\0';
	return 0;
}

/* "N" or "N-M" within [lo, hi]. */
static int
parse_range(const char *s, long lo, long hi, long *a, long *b)
{
	char	*end;

	errno = 0;
	*a = strtol(s, &end, 10);
	if (errno != 0 || end == s || *a < lo || *a > hi)
		return -1;
	*b = *a;
	if (*end == '-') {
		s = end + 1;
		*b = strtol(s, &end, 10);
		if (errno != 0 || end == s || *b < *a || *b > hi)
			return -1;
	}
	return *end == '\0' ? 0 : -1;
}

static int
check_ports(const char *ports, struct kg_err *err)
{
	char	 buf[sizeof(((struct gw_conf *)0)->ports)], *tok, *save = NULL;
	long	 a, b;
	int	 slots = 0;

	kg_strlcpy(buf, ports, sizeof(buf));
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (parse_range(tok, 1, 65535, &a, &b) == -1)
			return kg_errf(err, KG_EBADREQ, "rules.ports: bad port \"%s\"", tok);
		slots += a == b ? 1 : 2;
	}
	if (slots == 0)
		return kg_errf(err, KG_EBADREQ, "rules.ports: at least one port is required");
	if (slots > 15)
		return kg_errf(err, KG_EBADREQ, "rules.ports: at most 15 ports "
		    "(a range counts 2), the limit of -m multiport");
	return 0;
}

static int
check_dst(const char *dst, struct kg_err *err)
{
	char		 buf[sizeof(((struct gw_conf *)0)->dst)], *tok, *save = NULL, *slash;
	unsigned char	 a[16];
	long		 plen;
	char		*end;
	int		 v6;

	kg_strlcpy(buf, dst, sizeof(buf));
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if ((slash = strchr(tok, '/')) != NULL)
			*slash++ = '\0';
		v6 = strchr(tok, ':') != NULL;
		if (inet_pton(v6 ? AF_INET6 : AF_INET, tok, a) != 1)
			return kg_errf(err, KG_EBADREQ, "rules.dst: bad address \"%s\"", tok);
		if (slash != NULL) {
			plen = strtol(slash, &end, 10);
			if (end == slash || *end != '\0' || plen < 0 || plen > (v6 ? 128 : 32))
				return kg_errf(err, KG_EBADREQ, "rules.dst: bad prefix "
				    "length \"%s\"", slash);
		}
	}
	return 0;
}

static int
valid_chain_name(const char *s)
{
	size_t	i, n = strlen(s);

	if (n == 0 || n > 28)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return 0;
	return 1;
}

static int
valid_ifname(const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("_-.+@", s[i]) == NULL)
			return 0;
	return 1;
}

static int
conf_check(struct gw_conf *c, struct kg_err *err)
{
	enum log_level	lvl;
	long		a, b;

	if (parse_range(c->queues, 0, 65535, &a, &b) == -1 || b - a >= 16)
		return kg_errf(err, KG_EBADREQ, "gateway.queues: expected N or N-M "
		    "(at most 16 queues): %s", c->queues);
	if (c->policy[0] == '\0')
		return kg_errf(err, KG_EBADREQ, "gateway.policy: a policy file is required");
	if (strcmp(c->mode, "repeat") != 0 && strcmp(c->mode, "split") != 0)
		return kg_errf(err, KG_EBADREQ, "gateway.mode: repeat or split");
	if ((c->accept_mark & ~c->mark_mask) || (c->reject_mark & ~c->mark_mask) ||
	    (c->drop_mark & ~c->mark_mask))
		return kg_errf(err, KG_EBADREQ, "gateway: accept/reject/drop marks must "
		    "lie inside mark_mask 0x%x", c->mark_mask);
	if ((c->recheck_mark & c->mark_mask) != 0)
		return kg_errf(err, KG_EBADREQ, "gateway.recheck_mark 0x%x must lie outside "
		    "mark_mask 0x%x", c->recheck_mark, c->mark_mask);
	if (c->accept_mark == c->reject_mark || c->accept_mark == c->drop_mark ||
	    c->reject_mark == c->drop_mark)
		return kg_errf(err, KG_EBADREQ, "gateway: accept, reject and drop marks "
		    "must differ");
	if ((c->kill_mark & ~c->mark_mask) || c->kill_mark == c->accept_mark ||
	    c->kill_mark == c->reject_mark || c->kill_mark == c->drop_mark)
		return kg_errf(err, KG_EBADREQ, "gateway.kill_mark 0x%x must lie inside "
		    "mark_mask and differ from the accept, reject and drop marks",
		    c->kill_mark);
	if (strcmp(c->check, "first") != 0 && strcmp(c->check, "every") != 0)
		return kg_errf(err, KG_EBADREQ, "gateway.check: first or every");
	if (strcmp(c->check, "every") == 0 && c->hold_all)
		return kg_errf(err, KG_EBADREQ, "gateway.hold_all is not available with "
		    "check = every");
	if ((long)c->flow_idle * 1000 <= c->hold_timeout_ms)
		return kg_errf(err, KG_EBADREQ, "gateway.flow_idle must be longer than "
		    "hold_timeout_ms");
	if (log_level_parse(c->log_level, &lvl) == -1)
		return kg_errf(err, KG_EBADREQ, "gateway.log_level: unknown level %s",
		    c->log_level);
	if (c->control_socket[0] != '/')
		return kg_errf(err, KG_EBADREQ, "gateway.control_socket: an absolute path");
	if (strcmp(c->chain, "INPUT") != 0 && strcmp(c->chain, "FORWARD") != 0)
		return kg_errf(err, KG_EBADREQ, "rules.chain: INPUT or FORWARD");
	if (strcmp(c->skip_empty, "ack") != 0 && strcmp(c->skip_empty, "all") != 0 &&
	    strcmp(c->skip_empty, "no") != 0)
		return kg_errf(err, KG_EBADREQ, "rules.skip_empty: ack, all or no");
	if (!valid_chain_name(c->chain_name))
		return kg_errf(err, KG_EBADREQ, "rules.chain_name: [A-Za-z0-9_-], "
		    "at most 28");
	if (!valid_ifname(c->in_interface))
		return kg_errf(err, KG_EBADREQ, "rules.in_interface: bad name");
	if (check_ports(c->ports, err) == -1 || check_dst(c->dst, err) == -1)
		return -1;
	if (c->url[0] != '\0' && strncmp(c->url, "http://", 7) != 0 &&
	    strncmp(c->url, "https://", 8) != 0)
		return kg_errf(err, KG_EBADREQ, "keygate.url: http:// or https://");
	if (c->url[0] == '\0' && c->jwks_file[0] == '\0')
		return kg_errf(err, KG_EBADREQ, "keygate.url or keygate.jwks_file is "
		    "required (the gateway needs keys to verify tokens)");
	if (c->state_dir[0] == '\0')
		return kg_errf(err, KG_EBADREQ, "keygate.state_dir: empty; give a directory "
		    "for the last good keys and events, or \"none\" to run without one");
	if (strcmp(c->state_dir, "none") != 0 && c->state_dir[0] != '/')
		return kg_errf(err, KG_EBADREQ, "keygate.state_dir: an absolute path or none");
	if (c->url[0] != '\0' && c->revocation &&
	    (c->username[0] == '\0' || c->password[0] == '\0'))
		return kg_errf(err, KG_EBADREQ, "keygate.username and keygate.password "
		    "(or password_file) are required to follow revocations "
		    "(or set keygate.revocation = no)");
	return 0;
}

int
gw_conf_load(struct gw_conf *c, const char *path, struct kg_err *err)
{
	if (path != NULL && conf_load_file(options, NOPTIONS, c, path, err) == -1)
		return -1;
	if (conf_apply_env(options, NOPTIONS, c, "KEYGATE_GW", 0, err) == -1)
		return -1;
	/* the file is read only when it is needed: an inline password (or
	 * KEYGATE_GW_KEYGATE_PASSWORD) wins, and an offline gateway (no url,
	 * or revocation = no) needs none */
	if (c->url[0] != '\0' && c->revocation && c->password[0] == '\0' &&
	    c->password_file[0] != '\0' && read_password_file(c, err) == -1)
		return -1;
	return conf_check(c, err);
}

int
gw_conf_has_state(const struct gw_conf *c)
{
	return c->state_dir[0] != '\0' && strcmp(c->state_dir, "none") != 0;
}

void
gw_conf_queues(const struct gw_conf *c, uint16_t *first, uint16_t *last)
{
	long	a = 0, b = 0;

	(void)parse_range(c->queues, 0, 65535, &a, &b);
	*first = (uint16_t)a;
	*last = (uint16_t)b;
}

void
gw_conf_dump(const struct gw_conf *c, FILE *fp)
{
	conf_dump(options, NOPTIONS, c, fp);
}
