/*
 * test_gwconf.c - keygate-gateway.conf (checks, line numbers, environment
 * overrides, password_file) and the rules `keygate-gateway rules` prints.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gateway/conf.h"
#include "gateway/rules.h"
#include "tests/t.h"

static char	dir[] = "/tmp/kg-gwconf-XXXXXX";

static const char *
write_file(const char *name, const char *text)
{
	static char	path[256];
	FILE		*fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	fputs(text, fp);
	fclose(fp);
	return path;
}

static int
load(const char *text, struct gw_conf *c, struct kg_err *err)
{
	gw_conf_defaults(c);
	kg_err_clear(err);
	return gw_conf_load(c, write_file("gw.conf", text), err);
}

#define BASE "[rules]\nports = 8080\n[keygate]\njwks_file = /k.json\n"

/* Print the rules for c into a malloc'd string. */
static char *
rules(const struct gw_conf *c, int flags)
{
	char	*buf = NULL;
	size_t	 n = 0;
	FILE	*fp = open_memstream(&buf, &n);

	gw_rules_print(fp, c, flags);
	fclose(fp);
	return buf;
}

static int
has(const char *text, const char *line)
{
	return strstr(text, line) != NULL;
}

static void
test_conf(void)
{
	struct gw_conf	c;
	struct kg_err	err;
	uint16_t	a, b;
	char		text[512];

	T("gwconf-1.1 minimal file", load(BASE, &c, &err) == 0);
	T("gwconf-1.1 defaults", c.accept_mark == 1 && c.reject_mark == 2 &&
	    c.drop_mark == 3 && c.mark_mask == 0xff && c.max_header_bytes == 16384 &&
	    strcmp(c.mode, "repeat") == 0 && c.sync_interval == 5 && c.revocation);
	gw_conf_queues(&c, &a, &b);
	T("gwconf-1.1 queue 0", a == 0 && b == 0);

	T("gwconf-1.2 unknown option names its line", load(BASE "\ncolour = red\n", &c,
	    &err) == -1 && strstr(err.msg, "gw.conf:6:") != NULL &&
	    strstr(err.msg, "colour") != NULL);
	T("gwconf-1.2 bad integer", load("[gateway]\nmax_flows = lots\n" BASE, &c, &err) == -1 &&
	    strstr(err.msg, ":2:") != NULL);
	T("gwconf-1.2 missing file", gw_conf_load(&c, "/nonexistent.conf", &err) == -1);
	T("gwconf-1.3 ports required", load("[keygate]\njwks_file = /k\n", &c, &err) == -1 &&
	    strstr(err.msg, "rules.ports") != NULL);
	T("gwconf-1.3 too many ports for multiport", load("[rules]\nports = 1,2,3,4,5,6,"
	    "7,8,9,10,11,12,13,14,15-16\n[keygate]\njwks_file = /k\n", &c, &err) == -1);
	T("gwconf-1.3 bad port", load("[rules]\nports = 0\n[keygate]\njwks_file = /k\n",
	    &c, &err) == -1);
	T("gwconf-1.4 keys source required", load("[rules]\nports = 80\n", &c, &err) == -1 &&
	    strstr(err.msg, "jwks_file") != NULL);
	T("gwconf-1.4 url without credentials", load("[rules]\nports = 80\n[keygate]\n"
	    "url = http://127.0.0.1:5000\npassword_file =\n", &c, &err) == -1 &&
	    strstr(err.msg, "username") != NULL);
	T("gwconf-1.4 url without credentials, revocation off", load("[rules]\nports = 80\n"
	    "[keygate]\nurl = http://127.0.0.1:5000\nrevocation = no\n", &c, &err) == 0);
	T("gwconf-1.4 url scheme", load("[rules]\nports = 80\n[keygate]\nurl = ftp://x\n"
	    "revocation = no\n", &c, &err) == -1);
	T("gwconf-1.5 marks must differ", load("[gateway]\nreject_mark = 1\n" BASE, &c,
	    &err) == -1);
	T("gwconf-1.5 marks inside the mask", load("[gateway]\naccept_mark = 0x100\n" BASE,
	    &c, &err) == -1);
	T("gwconf-1.5 zero mark refused", load("[gateway]\ndrop_mark = 0\n" BASE, &c,
	    &err) == -1);
	T("gwconf-1.5 kill mark inside the mask", load("[gateway]\naccept_mark = 0x10\n"
	    "mark_mask = 0xf0\nreject_mark = 0x20\ndrop_mark = 0x30\n" BASE, &c, &err) == -1 &&
	    strstr(err.msg, "kill_mark") != NULL);
	T("gwconf-1.5 kill mark differs", load("[gateway]\nkill_mark = 0x2\n" BASE, &c,
	    &err) == -1);
	T("gwconf-1.5 check", load("[gateway]\ncheck = some\n" BASE, &c, &err) == -1 &&
	    load("[gateway]\ncheck = every\nhold_all = yes\n" BASE, &c, &err) == -1 &&
	    load("[gateway]\ncheck = every\n" BASE, &c, &err) == 0);
	T("gwconf-1.5 hex marks", load("[gateway]\naccept_mark = 0x10\nmark_mask = 0xf0\n"
	    "reject_mark = 0x20\ndrop_mark = 0x30\nkill_mark = 0x40\n" BASE, &c, &err) == 0 &&
	    c.accept_mark == 0x10 && c.mark_mask == 0xf0);
	T("gwconf-1.6 queue range", load("[gateway]\nqueues = 3-4\n" BASE, &c, &err) == 0);
	gw_conf_queues(&c, &a, &b);
	T("gwconf-1.6 queue range parsed", a == 3 && b == 4);
	T("gwconf-1.6 bad queue range", load("[gateway]\nqueues = 4-3\n" BASE, &c, &err) == -1 &&
	    load("[gateway]\nqueues = 0-16\n" BASE, &c, &err) == -1);
	T("gwconf-1.6 mode", load("[gateway]\nmode = magic\n" BASE, &c, &err) == -1);
	T("gwconf-1.6 hold timeout below flow idle", load("[gateway]\nflow_idle = 1\n"
	    "hold_timeout_ms = 1000\n" BASE, &c, &err) == -1);
	T("gwconf-1.6 chain", load("[rules]\nchain = OUTPUT\n" BASE, &c, &err) == -1);
	T("gwconf-1.6 dst", load("[rules]\ndst = 10.0.0.1,fd00::/64\n" BASE, &c, &err) == 0 &&
	    load("[rules]\ndst = 10.0.0.300\n" BASE, &c, &err) == -1);

	snprintf(text, sizeof(text), "[rules]\nports = 80\n[keygate]\nurl = http://h:5000\n"
	    "username = gw\npassword_file = %s/pw\n", dir);
	write_file("pw", "s3cret\n");
	T("gwconf-1.7 password_file", load(text, &c, &err) == 0 &&
	    strcmp(c.password, "s3cret") == 0);
	setenv("KEYGATE_GW_KEYGATE_PASSWORD", "from-env", 1);
	setenv("KEYGATE_GW_GATEWAY_MAX_FLOWS", "1234", 1);
	T("gwconf-1.8 environment overrides", load("[rules]\nports = 80\n[keygate]\n"
	    "url = http://h:5000\nusername = gw\n", &c, &err) == 0 &&
	    strcmp(c.password, "from-env") == 0 && c.max_flows == 1234);
	setenv("KEYGATE_GW_GATEWAY_MAX_FLOWS", "x", 1);
	T("gwconf-1.8 bad environment value", load(BASE, &c, &err) == -1 &&
	    strstr(err.msg, "gateway.max_flows") != NULL);
	unsetenv("KEYGATE_GW_GATEWAY_MAX_FLOWS");
	unsetenv("KEYGATE_GW_KEYGATE_PASSWORD");
	{
		char	*buf = NULL;
		size_t	 n = 0;
		FILE	*fp = open_memstream(&buf, &n);

		load(text, &c, &err);
		gw_conf_dump(&c, fp);
		fclose(fp);
		T("gwconf-1.9 dump masks the password", strstr(buf, "s3cret") == NULL &&
		    strstr(buf, "keygate.password = ***") != NULL);
		free(buf);
	}
}

/* Defaults that work, and state_dir never silently off. */
static void
test_defaults(void)
{
	struct gw_conf	c;
	struct kg_err	err;
	char		text[512];

	T("gwconf-3.1 default service user and password file", load(BASE, &c, &err) == 0 &&
	    strcmp(c.username, "keygate-gateway") == 0 &&
	    strcmp(c.password_file, "/etc/keygate/gateway.password") == 0 &&
	    strcmp(c.project, "service") == 0);
	T("gwconf-3.2 default state_dir", strcmp(c.state_dir, "/var/lib/keygate-gateway") == 0 &&
	    gw_conf_has_state(&c));
	T("gwconf-3.3 empty state_dir refused, not silently off",
	    load(BASE "state_dir =\n", &c, &err) == -1 && strstr(err.msg, "state_dir") != NULL &&
	    strstr(err.msg, "none") != NULL);
	T("gwconf-3.3 state_dir = none turns it off", load(BASE "state_dir = none\n", &c,
	    &err) == 0 && !gw_conf_has_state(&c));
	T("gwconf-3.3 relative state_dir refused", load(BASE "state_dir = var\n", &c,
	    &err) == -1);
	T("gwconf-3.4 offline gateway: the default password file is not read",
	    load(BASE, &c, &err) == 0 && c.password[0] == '\0');
	T("gwconf-3.4 url: the default password file is needed", load("[rules]\nports = 80\n"
	    "[keygate]\nurl = http://h:5000\npassword_file = /nonexistent/pw\n", &c,
	    &err) == -1 && strstr(err.msg, "/nonexistent/pw") != NULL);
	snprintf(text, sizeof(text), "[rules]\nports = 80\n[keygate]\nurl = http://h:5000\n"
	    "password = inline\npassword_file = /nonexistent/pw\n");
	T("gwconf-3.4 an inline password wins over password_file", load(text, &c, &err) == 0 &&
	    strcmp(c.password, "inline") == 0);
}

/* Every "/etc/keygate/<x>.conf" named in text is the daemon's default path. */
static int
doc_paths_agree(const char *path)
{
	FILE	*fp = fopen(path, "r");
	char	 line[1024], *p, *q;
	int	 ok = fp != NULL;

	while (fp != NULL && fgets(line, sizeof(line), fp) != NULL)
		for (p = line; (p = strstr(p, "/etc/keygate/")) != NULL; p = q) {
			q = p + 13;
			while (*q && strchr(" `)\n\t,|", *q) == NULL)
				q++;
			if (q - p > 5 && strncmp(q - 5, ".conf", 5) == 0 &&
			    strncmp(p, "/etc/keygate/gateway.conf", 25) != 0 &&
			    strncmp(p, "/etc/keygate/keygate.conf", 25) != 0) {
				printf("    %s names %.*s\n", path, (int)(q - p), p);
				ok = 0;
			}
		}
	if (fp != NULL)
		fclose(fp);
	return ok;
}

/* The sample gateway/keygate-gateway.conf parses and names every option. */
static void
test_sample(void)
{
	struct gw_conf	 c;
	struct kg_err	 err = { 0 };
	char		*dump = NULL, *sample, *line, *save = NULL, *dot, *eq, want[300];
	size_t		 n = 0, missing = 0, options = 0;
	FILE		*fp;

	setenv("KEYGATE_GW_KEYGATE_PASSWORD_FILE", write_file("pw", "x\n"), 1);
	gw_conf_defaults(&c);
	T("gwconf-2.1 sample configuration parses",
	    gw_conf_load(&c, "gateway/keygate-gateway.conf", &err) == 0);
	if (err.msg[0])
		printf("    %s\n", err.msg);
	unsetenv("KEYGATE_GW_KEYGATE_PASSWORD_FILE");
	if ((fp = fopen("gateway/keygate-gateway.conf", "r")) == NULL)
		return;
	sample = calloc(1, 65536);
	sample[0] = '\n';
	(void)!fread(sample + 1, 1, 65534, fp);
	fclose(fp);
	fp = open_memstream(&dump, &n);
	gw_conf_dump(&c, fp);
	fclose(fp);
	/* each dump line "section.option = value": the sample sets "option ="
	 * (or shows it commented out, "#option =") */
	for (line = strtok_r(dump, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((dot = strchr(line, '.')) == NULL || (eq = strstr(line, " = ")) == NULL)
			continue;
		*eq = '\0';
		options++;
		snprintf(want, sizeof(want), "\n%s =", dot + 1);
		if (strstr(sample, want) == NULL &&
		    (want[0] = '#', strstr(sample, want) == NULL)) {
			printf("    the sample lacks %s\n", line);
			missing++;
		}
	}
	free(dump);
	free(sample);
	T("gwconf-2.2 the sample names every option", options > 40 && missing == 0);

	/* its values are the defaults, but for the two marked REQUIRED */
	{
		struct gw_conf	 d;
		char		*ddump = NULL, *l2, *s2 = NULL, *dl, *s3 = NULL;
		size_t		 dn = 0, differ = 0;

		setenv("KEYGATE_GW_KEYGATE_PASSWORD_FILE", write_file("pw", "x\n"), 1);
		gw_conf_defaults(&d);
		gw_conf_load(&d, write_file("req.conf", "[rules]\nports = 8080\n[keygate]\n"
		    "url = http://127.0.0.1:5000\n"), &err);
		unsetenv("KEYGATE_GW_KEYGATE_PASSWORD_FILE");
		fp = open_memstream(&dump, &n);
		gw_conf_dump(&c, fp);
		fclose(fp);
		fp = open_memstream(&ddump, &dn);
		gw_conf_dump(&d, fp);
		fclose(fp);
		for (l2 = strtok_r(dump, "\n", &s2), dl = strtok_r(ddump, "\n", &s3);
		    l2 != NULL && dl != NULL;
		    l2 = strtok_r(NULL, "\n", &s2), dl = strtok_r(NULL, "\n", &s3))
			if (strcmp(l2, dl) != 0) {
				printf("    sample: %s, default: %s\n", l2, dl);
				differ++;
			}
		T("gwconf-2.3 the sample shows the built-in defaults", differ == 0);
		free(dump);
		free(ddump);
	}
	T("gwconf-2.4 README, man page and unit agree on the config path",
	    doc_paths_agree("gateway/README.md") && doc_paths_agree("README.md") &&
	    doc_paths_agree("dist/man/keygate-gateway.8") &&
	    doc_paths_agree("dist/systemd/keygate-gateway.service") &&
	    doc_paths_agree("gateway/keygate-gateway.conf"));
}

static void
test_rules(void)
{
	struct gw_conf	 c;
	struct kg_err	 err;
	char		*r;

	load("[rules]\nports = 8080,9000-9001\n[keygate]\njwks_file = /k\n", &c, &err);
	r = rules(&c, 0);
	T("gwrules-1.1 own chain", has(r, "iptables -w -N KEYGATE\n"));
	T("gwrules-1.1 save the decided mark first", has(r, "iptables -w -A KEYGATE -m mark "
	    "! --mark 0x0/0xff -j CONNMARK --save-mark --nfmask 0xff --ctmask 0xff\n"));
	T("gwrules-1.1 reject mark -> tcp-reset", has(r, "iptables -w -A KEYGATE -p tcp "
	    "-m connmark --mark 0x2/0xff -j REJECT --reject-with tcp-reset\n"));
	T("gwrules-1.1 drop mark -> DROP", has(r, "-m connmark --mark 0x3/0xff -j DROP\n"));
	T("gwrules-1.1 decided flows skip the queue", has(r, "-A KEYGATE -m connmark ! "
	    "--mark 0x0/0xff -j ACCEPT\n"));
	T("gwrules-1.1 queue last, fail-closed", has(r, "-A KEYGATE -j NFQUEUE "
	    "--queue-num 0\n") && !has(r, "bypass"));
	T("gwrules-1.1 payload-less packets skip the queue (exact lengths)", has(r,
	    "iptables -w -A KEYGATE -p tcp -m u32 --u32 \"0>>22&0x3C=20&&0&0xFFFF=40&&"
	    "32>>26&0x3C=20\" -j ACCEPT\n") && has(r, "0&0xFFFF=80&&32>>26&0x3C=60\" -j "
	    "ACCEPT\n") && has(r, "ip6tables -w -A KEYGATE -p tcp -m u32 --u32 "
	    "\"6>>24=6&&4>>16=32&&52>>26&0x3C=32\" -j ACCEPT\n"));
	T("gwrules-1.1 skip rules before the queue", strstr(r, "-m u32") <
	    strstr(r, "-A KEYGATE -j NFQUEUE"));
	T("gwrules-1.3 teardown: a connection with the kill mark is queued whole, tagged",
	    has(r, "iptables -w -A KEYGATE -m connmark --mark 0x4/0xff -j MARK --set-xmark "
	    "0x4/0xff\n") && has(r, "iptables -w -A KEYGATE -m mark --mark 0x4/0xff -j "
	    "NFQUEUE --queue-num 0\n"));
	T("gwrules-1.3 kill lines after reject/drop, before the accept and skip lines",
	    strstr(r, "-j DROP") < strstr(r, "--set-xmark") &&
	    strstr(r, "--set-xmark") < strstr(r, "! --mark 0x0/0xff -j ACCEPT") &&
	    strstr(r, "--set-xmark") < strstr(r, "-m u32"));
	T("gwrules-1.1 mark rules precede the queue", strstr(r, "--save-mark") <
	    strstr(r, "NFQUEUE"));
	T("gwrules-1.1 jump for the ports", has(r, "iptables -w -I INPUT -p tcp -m multiport "
	    "--dports 8080,9000:9001 -j KEYGATE\n"));
	T("gwrules-1.1 IPv6 too", has(r, "ip6tables -w -A KEYGATE -j NFQUEUE --queue-num 0\n"));
	free(r);
	r = rules(&c, RULES_DELETE);
	T("gwrules-1.2 delete", has(r, "iptables -w -D INPUT -p tcp -m multiport --dports "
	    "8080,9000:9001 -j KEYGATE\n") && has(r, "iptables -w -X KEYGATE\n") &&
	    !has(r, "-N KEYGATE"));
	free(r);

	load("[gateway]\nqueues = 2-3\n[rules]\nports = 80\nqueue_bypass = yes\n"
	    "cpu_fanout = yes\nipv6 = no\nchain = FORWARD\ndst = 10.1.0.0/16,fd00::1\n"
	    "in_interface = eth1\nrestore_mark = yes\n[keygate]\njwks_file = /k\n", &c, &err);
	r = rules(&c, 0);
	T("gwrules-2.1 balance, fanout, bypass", has(r, "-j NFQUEUE --queue-balance 2:3 "
	    "--queue-cpu-fanout --queue-bypass\n") && has(r, "FAIL-OPEN"));
	T("gwrules-2.1 FORWARD, interface, IPv4 destinations only", has(r,
	    "iptables -w -I FORWARD -p tcp -i eth1 -d 10.1.0.0/16 -m multiport --dports 80 "
	    "-j KEYGATE\n"));
	T("gwrules-2.1 ipv6 = no", !has(r, "ip6tables"));
	T("gwrules-2.2 restore mark for routing", has(r, "iptables -w -t mangle -I PREROUTING "
	    "-m connmark ! --mark 0x0/0xff -j CONNMARK --restore-mark --nfmask 0xff "
	    "--ctmask 0xff\n") && has(r, "-t mangle -I OUTPUT"));
	free(r);

	load("[gateway]\ncheck = every\n[rules]\nports = 80\n[keygate]\njwks_file = /k\n",
	    &c, &err);
	r = rules(&c, 0);
	T("gwrules-2.4 every: accepted connections' packets keep coming",
	    !has(r, "-A KEYGATE -m connmark ! --mark 0x0/0xff -j ACCEPT") &&
	    has(r, "iptables -w -A KEYGATE -m mark --mark 0x100/0x100 -j ACCEPT\n"));
	T("gwrules-2.4 every: SYNs queued (a new connection resets the stream)",
	    has(r, "-p tcp ! --syn -m u32") && !has(r, "-p tcp -m u32"));
	free(r);
	load("[gateway]\ncheck = every\nmode = split\n[rules]\nports = 80\n[keygate]\n"
	    "jwks_file = /k\n", &c, &err);
	r = rules(&c, 0);
	T("gwrules-2.4 every, split: no connmark shortcut in mangle", !has(r, "-j RETURN") &&
	    has(r, "-t mangle -A KEYGATE -m connmark --mark 0x4/0xff -j MARK"));
	free(r);
	load("[gateway]\nteardown = no\n[rules]\nports = 80\n[keygate]\njwks_file = /k\n",
	    &c, &err);
	r = rules(&c, 0);
	T("gwrules-2.5 teardown = no: no kill lines", !has(r, "--set-xmark"));
	free(r);
	load("[rules]\nports = 80\nskip_empty = ack\n[keygate]\njwks_file = /k\n", &c, &err);
	r = rules(&c, 0);
	T("gwrules-2.3 skip_empty = ack keeps SYNs queued", has(r, "-p tcp ! --syn -m u32"));
	free(r);
	load("[rules]\nports = 80\nskip_empty = no\n[keygate]\njwks_file = /k\n", &c, &err);
	r = rules(&c, 0);
	T("gwrules-2.3 skip_empty = no", !has(r, "u32"));
	free(r);
	T("gwrules-2.3 bad skip_empty", load("[rules]\nports = 80\nskip_empty = some\n"
	    "[keygate]\njwks_file = /k\n", &c, &err) == -1);

	load("[gateway]\nmode = split\n[rules]\nports = 80\n[keygate]\njwks_file = /k\n",
	    &c, &err);
	r = rules(&c, 0);
	T("gwrules-3.1 split: queue in mangle", has(r, "iptables -w -t mangle -A KEYGATE -j "
	    "NFQUEUE --queue-num 0\n") && has(r, "iptables -w -t mangle -I INPUT -p tcp -m "
	    "multiport --dports 80 -j KEYGATE\n"));
	T("gwrules-3.1 split: skip rules in mangle", has(r, "iptables -w -t mangle -A KEYGATE "
	    "-p tcp -m u32"));
	T("gwrules-3.1 split: decisions in filter", has(r, "iptables -w -A KEYGATE -p tcp "
	    "-m connmark --mark 0x2/0xff -j REJECT") && !has(r, "iptables -w -A KEYGATE -j "
	    "NFQUEUE"));
	free(r);

	load("[rules]\nports = 80,90-91\nqueue_bypass = yes\ndst = 10.0.0.1,fd00::1\n"
	    "[keygate]\njwks_file = /k\n", &c, &err);
	r = rules(&c, RULES_NFT);
	T("gwrules-4.1 nft table", has(r, "table inet keygate {\n") &&
	    has(r, "meta l4proto tcp tcp dport { 80, 90-91 } jump check\n"));
	T("gwrules-4.1 nft marks and queue", has(r, "meta mark & 0xff != 0 ct mark set "
	    "meta mark & 0xff\n") && has(r, "ct mark & 0xff == 0x2 meta l4proto tcp reject "
	    "with tcp reset\n") && has(r, "queue num 0 bypass\n") &&
	    has(r, "ip daddr != { 10.0.0.1 } return"));
	free(r);
	r = rules(&c, RULES_NFT | RULES_DELETE);
	T("gwrules-4.2 nft delete", strcmp(r, "delete table inet keygate\n") == 0);
	free(r);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	test_conf();
	test_defaults();
	test_sample();
	test_rules();
	unlink(write_file("gw.conf", ""));
	unlink(write_file("pw", ""));
	unlink(write_file("req.conf", ""));
	rmdir(dir);
	return t_report();
}
