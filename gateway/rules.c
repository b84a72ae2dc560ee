/*
 * rules.c - print the gateway's iptables / nft rules (see rules.h and the
 * README, which explains every line).
 */
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "gateway/rules.h"

/* The destinations of one family from c->dst, comma-joined; "" if none. */
static void
dst_of(const struct gw_conf *c, int v6, char *out, size_t n)
{
	char	 buf[sizeof(c->dst)], *tok, *save = NULL;
	size_t	 o = 0;

	out[0] = '\0';
	kg_strlcpy(buf, c->dst, sizeof(buf));
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if ((strchr(tok, ':') != NULL) != v6)
			continue;
		o += (size_t)snprintf(out + o, o < n ? n - o : 0, "%s%s", o ? "," : "", tok);
	}
}

/* Ports "8080,8000-8010" as iptables wants them ("8080,8000:8010"). */
static void
ports_ipt(const struct gw_conf *c, char *out, size_t n)
{
	char	*p;

	kg_strlcpy(out, c->ports, n);
	for (p = out; *p; p++)
		if (*p == '-')
			*p = ':';
}

static void
queue_target(const struct gw_conf *c, char *out, size_t n)
{
	uint16_t	a, b;

	gw_conf_queues(c, &a, &b);
	if (a == b)
		snprintf(out, n, "NFQUEUE --queue-num %u", a);
	else
		snprintf(out, n, "NFQUEUE --queue-balance %u:%u%s", a, b,
		    c->cpu_fanout ? " --queue-cpu-fanout" : "");
	if (c->queue_bypass)
		strncat(out, " --queue-bypass", n - strlen(out) - 1);
}

/* The jump from the built-in chain: which packets the gateway sees. */
static void
match_of(const struct gw_conf *c, int v6, char *out, size_t n)
{
	char	ports[160], dst[sizeof(c->dst)];

	ports_ipt(c, ports, sizeof(ports));
	dst_of(c, v6, dst, sizeof(dst));
	snprintf(out, n, "-p tcp%s%s%s%s -m multiport --dports %s",
	    c->in_interface[0] ? " -i " : "", c->in_interface,
	    dst[0] ? " -d " : "", dst, ports);
}

/*
 * Packets without TCP payload need no decision: let them skip the queue.
 * u32 has no arithmetic, so "no payload" is spelled out per TCP data
 * offset: IP length == IP header + TCP header (IPv4 without options, IPv6
 * without extension headers; anything else is queued, which is only
 * slower). A length cap alone would let a request sent in tiny segments
 * past the gateway.
 */
static void
print_skip_empty(FILE *fp, const struct gw_conf *c, const char *cmd, int v6,
    const char *table, const char *ch)
{
	/* check = every needs the SYNs: a new connection resets its stream */
	const char	*syn = strcmp(c->skip_empty, "all") == 0 &&
			    strcmp(c->check, "every") != 0 ? "" : " ! --syn";
	int		 d;

	if (strcmp(c->skip_empty, "no") == 0)
		return;
	for (d = 5; d <= 15; d++) {
		if (v6)
			fprintf(fp, "%s -w%s -A %s -p tcp%s -m u32 --u32 "
			    "\"6>>24=6&&4>>16=%d&&52>>26&0x3C=%d\" -j ACCEPT\n", cmd, table,
			    ch, syn, 4 * d, 4 * d);
		else
			fprintf(fp, "%s -w%s -A %s -p tcp%s -m u32 --u32 "
			    "\"0>>22&0x3C=20&&0&0xFFFF=%d&&32>>26&0x3C=%d\" -j ACCEPT\n", cmd,
			    table, ch, syn, 20 + 4 * d, 4 * d);
	}
}

/*
 * teardown: every packet of a connection whose conntrack mark is the kill
 * mark goes to the daemon (payload or not), tagged with that mark so the
 * daemon knows it without remembering the flow.
 */
static void
print_kill(FILE *fp, const struct gw_conf *c, const char *cmd, const char *table,
    const char *ch, const char *q)
{
	if (!c->teardown)
		return;
	fprintf(fp, "%s -w%s -A %s -m connmark --mark 0x%x/0x%x -j MARK --set-xmark "
	    "0x%x/0x%x\n", cmd, table, ch, c->kill_mark, c->mark_mask, c->kill_mark,
	    c->mark_mask);
	fprintf(fp, "%s -w%s -A %s -m mark --mark 0x%x/0x%x -j %s\n", cmd, table, ch,
	    c->kill_mark, c->mark_mask, q);
}

static void
print_ipt(FILE *fp, const struct gw_conf *c, const char *cmd, int v6, int del)
{
	char		 match[800], q[96], mk[64];
	const char	*ch = c->chain_name, *split_tbl;
	int		 split = strcmp(c->mode, "split") == 0;
	int		 every = strcmp(c->check, "every") == 0;

	match_of(c, v6, match, sizeof(match));
	queue_target(c, q, sizeof(q));
	snprintf(mk, sizeof(mk), "/0x%x", c->mark_mask);
	split_tbl = split ? " -t mangle" : "";

	if (del) {
		fprintf(fp, "%s -w%s -D %s %s -j %s\n", cmd, split_tbl, c->chain, match, ch);
		fprintf(fp, "%s -w%s -F %s\n", cmd, split_tbl, ch);
		fprintf(fp, "%s -w%s -X %s\n", cmd, split_tbl, ch);
		if (split) {
			fprintf(fp, "%s -w -D %s %s -j %s\n", cmd, c->chain, match, ch);
			fprintf(fp, "%s -w -F %s\n", cmd, ch);
			fprintf(fp, "%s -w -X %s\n", cmd, ch);
		}
		if (c->restore_mark) {
			fprintf(fp, "%s -w -t mangle -D PREROUTING -m connmark ! --mark 0x0%s "
			    "-j CONNMARK --restore-mark --nfmask 0x%x --ctmask 0x%x\n",
			    cmd, mk, c->mark_mask, c->mark_mask);
			fprintf(fp, "%s -w -t mangle -D OUTPUT -m connmark ! --mark 0x0%s "
			    "-j CONNMARK --restore-mark --nfmask 0x%x --ctmask 0x%x\n",
			    cmd, mk, c->mark_mask, c->mark_mask);
		}
		return;
	}

	fprintf(fp, "%s -w -N %s\n", cmd, ch);
	fprintf(fp, "%s -w -A %s -m mark ! --mark 0x0%s -j CONNMARK --save-mark "
	    "--nfmask 0x%x --ctmask 0x%x\n", cmd, ch, mk, c->mark_mask, c->mark_mask);
	fprintf(fp, "%s -w -A %s -p tcp -m connmark --mark 0x%x%s -j REJECT "
	    "--reject-with tcp-reset\n", cmd, ch, c->reject_mark, mk);
	fprintf(fp, "%s -w -A %s -m connmark --mark 0x%x%s -j DROP\n", cmd, ch,
	    c->drop_mark, mk);
	if (!split)
		print_kill(fp, c, cmd, "", ch, q);
	if (split || !every)
		fprintf(fp, "%s -w -A %s -m connmark ! --mark 0x0%s -j ACCEPT\n", cmd, ch,
		    mk);
	else
		fprintf(fp, "%s -w -A %s -m mark --mark 0x%x/0x%x -j ACCEPT\n", cmd, ch,
		    c->recheck_mark, c->recheck_mark);
	if (split) {
		fprintf(fp, "%s -w -t mangle -N %s\n", cmd, ch);
		print_kill(fp, c, cmd, " -t mangle", ch, q);
		if (!every)
			fprintf(fp, "%s -w -t mangle -A %s -m connmark ! --mark 0x0%s "
			    "-j RETURN\n", cmd, ch, mk);
		print_skip_empty(fp, c, cmd, v6, " -t mangle", ch);
		fprintf(fp, "%s -w -t mangle -A %s -j %s\n", cmd, ch, q);
		fprintf(fp, "%s -w -t mangle -I %s %s -j %s\n", cmd, c->chain, match, ch);
	} else {
		print_skip_empty(fp, c, cmd, v6, "", ch);
		fprintf(fp, "%s -w -A %s -j %s\n", cmd, ch, q);
	}
	fprintf(fp, "%s -w -I %s %s -j %s\n", cmd, c->chain, match, ch);
	if (c->restore_mark) {
		fprintf(fp, "%s -w -t mangle -I PREROUTING -m connmark ! --mark 0x0%s "
		    "-j CONNMARK --restore-mark --nfmask 0x%x --ctmask 0x%x\n",
		    cmd, mk, c->mark_mask, c->mark_mask);
		fprintf(fp, "%s -w -t mangle -I OUTPUT -m connmark ! --mark 0x0%s "
		    "-j CONNMARK --restore-mark --nfmask 0x%x --ctmask 0x%x\n",
		    cmd, mk, c->mark_mask, c->mark_mask);
	}
}

/* "a,b" as an nft set body "a, b". */
static void
list_nft(char *out, const char *in, size_t n)
{
	size_t	o = 0;

	for (; *in != '\0' && o + 3 < n; in++) {
		out[o++] = *in;
		if (*in == ',')
			out[o++] = ' ';
	}
	out[o] = '\0';
}

static void
print_nft(FILE *fp, const struct gw_conf *c, int del)
{
	char		 d4[sizeof(c->dst)], d6[sizeof(c->dst)], ports[256];
	char		 set[sizeof(c->dst) * 2], qstmt[64];
	uint16_t	 a, b;
	const char	*hook = strcmp(c->chain, "FORWARD") == 0 ? "forward" : "input";

	if (del) {
		fprintf(fp, "delete table inet keygate\n");
		return;
	}
	dst_of(c, 0, d4, sizeof(d4));
	dst_of(c, 1, d6, sizeof(d6));
	list_nft(ports, c->ports, sizeof(ports));
	gw_conf_queues(c, &a, &b);
	if (a == b)
		snprintf(qstmt, sizeof(qstmt), "queue num %u%s", a,
		    c->queue_bypass ? " bypass" : "");
	else
		snprintf(qstmt, sizeof(qstmt), "queue num %u-%u%s%s", a, b,
		    c->cpu_fanout || c->queue_bypass ? " " : "",
		    c->cpu_fanout && c->queue_bypass ? "fanout,bypass" :
		    c->cpu_fanout ? "fanout" : c->queue_bypass ? "bypass" : "");
	fprintf(fp, "# needs CONFIG_NFT_QUEUE; on kernels without it use the "
	    "iptables rules\n");
	fprintf(fp, "table inet keygate {\n");
	fprintf(fp, "\tchain gate {\n");
	fprintf(fp, "\t\ttype filter hook %s priority 0; policy accept;\n", hook);
	fprintf(fp, "\t\t%s%s%smeta l4proto tcp tcp dport { %s } jump check\n",
	    c->in_interface[0] ? "iifname \"" : "", c->in_interface,
	    c->in_interface[0] ? "\" " : "", ports);
	fprintf(fp, "\t}\n");
	fprintf(fp, "\tchain check {\n");
	if (d4[0]) {
		list_nft(set, d4, sizeof(set));
		fprintf(fp, "\t\tmeta nfproto ipv4 ip daddr != { %s } return\n", set);
	}
	if (d6[0]) {
		list_nft(set, d6, sizeof(set));
		fprintf(fp, "\t\tmeta nfproto ipv6 ip6 daddr != { %s } return\n", set);
	}
	if (!c->ipv6)
		fprintf(fp, "\t\tmeta nfproto ipv6 return\n");
	fprintf(fp, "\t\tmeta mark & 0x%x != 0 ct mark set meta mark & 0x%x\n",
	    c->mark_mask, c->mark_mask);
	fprintf(fp, "\t\tct mark & 0x%x == 0x%x meta l4proto tcp reject with tcp reset\n",
	    c->mark_mask, c->reject_mark);
	fprintf(fp, "\t\tct mark & 0x%x == 0x%x drop\n", c->mark_mask, c->drop_mark);
	if (c->teardown) {
		fprintf(fp, "\t\tct mark & 0x%x == 0x%x meta mark set meta mark & 0x%x | "
		    "0x%x\n", c->mark_mask, c->kill_mark, ~c->mark_mask, c->kill_mark);
		fprintf(fp, "\t\tmeta mark & 0x%x == 0x%x %s\n", c->mark_mask, c->kill_mark,
		    qstmt);
	}
	if (strcmp(c->check, "every") == 0)
		fprintf(fp, "\t\tmeta mark & 0x%x == 0x%x accept\n", c->recheck_mark,
		    c->recheck_mark);
	else
		fprintf(fp, "\t\tct mark & 0x%x != 0 accept\n", c->mark_mask);
	fprintf(fp, "\t\t%s\n", qstmt);
	fprintf(fp, "\t}\n}\n");
	if (c->restore_mark)
		fprintf(fp, "table inet keygate_route {\n"
		    "\tchain pre {\n\t\ttype filter hook prerouting priority -150; "
		    "policy accept;\n\t\tct mark & 0x%x != 0 meta mark set ct mark & 0x%x\n"
		    "\t}\n\tchain out {\n\t\ttype route hook output priority -150; "
		    "policy accept;\n\t\tct mark & 0x%x != 0 meta mark set ct mark & 0x%x\n"
		    "\t}\n}\n", c->mark_mask, c->mark_mask, c->mark_mask, c->mark_mask);
}

void
gw_rules_print(FILE *fp, const struct gw_conf *c, int flags)
{
	uint16_t	a, b;

	gw_conf_queues(c, &a, &b);
	if (flags & RULES_NFT) {
		print_nft(fp, c, flags & RULES_DELETE);
		return;
	}
	fprintf(fp, "#!/bin/sh\n# keygate-gateway %s: chain %s, ports %s, queue%s %s, "
	    "mode %s, marks accept 0x%x reject 0x%x drop 0x%x (mask 0x%x)%s\n",
	    flags & RULES_DELETE ? "rules --delete" : "rules", c->chain, c->ports,
	    a == b ? "" : "s", c->queues, c->mode, c->accept_mark, c->reject_mark,
	    c->drop_mark, c->mark_mask,
	    c->queue_bypass ? ", FAIL-OPEN when the daemon is down (--queue-bypass)" :
	    ", fail-closed");
	print_ipt(fp, c, "iptables", 0, flags & RULES_DELETE);
	if (c->ipv6)
		print_ipt(fp, c, "ip6tables", 1, flags & RULES_DELETE);
}
