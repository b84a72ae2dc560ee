/*
 * test_conf.c - the shared table-driven configuration (common/conf.c):
 * every value type with its bounds and error text, line numbers, the
 * environment overrides with and without the variable's name, the dump.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/conf.h"
#include "tests/t.h"

struct tconf {
	char		name[8];
	char		pw[16];
	int		n;
	long		big;
	int		on;
	uint32_t	mark;
};

static const struct conf_option opts[] = {
	CONF_STR(struct tconf, "a", "name", name),
	CONF_SECRET(struct tconf, "a", "pw", pw),
	CONF_INT(struct tconf, "a", "n", n, 1, 10),
	CONF_LONG(struct tconf, "b", "big", big, 0, 5000000000L),
	CONF_BOOL(struct tconf, "b", "on", on),
	CONF_MARK(struct tconf, "b", "mark", mark),
};
#define N	CONF_NOPTS(opts)

static char	path[] = "/tmp/kg-conf-XXXXXX";

static int
load(const char *text, struct tconf *c, struct kg_err *err)
{
	FILE	*fp = fopen(path, "w");

	fputs(text, fp);
	fclose(fp);
	memset(c, 0, sizeof(*c));
	kg_err_clear(err);
	return conf_load_file(opts, N, c, path, err);
}

/* err->msg equals "<path>:<rest>". */
static int
msg_at(const struct kg_err *err, const char *rest)
{
	size_t	n = strlen(path);

	return strncmp(err->msg, path, n) == 0 && strcmp(err->msg + n, rest) == 0;
}

static void
test_file(void)
{
	struct tconf	c;
	struct kg_err	err = { 0 };

	T("conf-1.1 every type parses",
	    load("[a]\nname = abc\npw = s\nN = 7\n[B]\nbig = 4000000000\non = yes\n"
	    "mark = 0x100\n", &c, &err) == 0 && strcmp(c.name, "abc") == 0 &&
	    strcmp(c.pw, "s") == 0 && c.n == 7 && c.big == 4000000000L && c.on == 1 &&
	    c.mark == 0x100);
	T("conf-1.2 booleans", load("[b]\non = Off\n", &c, &err) == 0 && c.on == 0 &&
	    load("[b]\non = 1\n", &c, &err) == 0 && c.on == 1);
	T("conf-1.3 decimal mark", load("[b]\nmark = 255\n", &c, &err) == 0 &&
	    c.mark == 255);
	T("conf-1.4 unknown option names its line",
	    load("[a]\nn = 2\n[x]\ny = 1\n", &c, &err) == -1 &&
	    msg_at(&err, ":4: unknown option [x] y"));
	T("conf-1.5 integer bounds",
	    load("[a]\nn = 11\n", &c, &err) == -1 &&
	    msg_at(&err, ":2: a.n: expected an integer in [1, 10]: 11") &&
	    load("[a]\nn = 3x\n", &c, &err) == -1);
	T("conf-1.6 string too long", load("[a]\nname = 12345678\n", &c, &err) == -1 &&
	    msg_at(&err, ":2: a.name: value too long"));
	T("conf-1.7 not a boolean", load("[b]\non = maybe\n", &c, &err) == -1 &&
	    msg_at(&err, ":2: b.on: not a boolean: maybe"));
	T("conf-1.8 bad marks", load("[b]\nmark = 0\n", &c, &err) == -1 &&
	    msg_at(&err, ":2: b.mark: expected a nonzero 32-bit mark (0x.. or decimal): 0") &&
	    load("[b]\nmark = 0x100000000\n", &c, &err) == -1 &&
	    load("[b]\nmark = -1\n", &c, &err) == -1);
	T("conf-1.9 syntax error names its line",
	    load("[a]\nn = 2\nno equals sign\n", &c, &err) == -1 &&
	    msg_at(&err, ":3: syntax error"));
	T("conf-1.10 missing file", conf_load_file(opts, N, &c, "/nonexistent/x.conf",
	    &err) == -1 && strcmp(err.msg, "/nonexistent/x.conf: No such file or "
	    "directory") == 0);
}

static void
test_env(void)
{
	struct tconf	c;
	struct kg_err	err = { 0 };

	memset(&c, 0, sizeof(c));
	setenv("TCONF_A_N", "9", 1);
	setenv("TCONF_B_MARK", "0x2", 1);
	T("conf-2.1 environment overrides",
	    conf_apply_env(opts, N, &c, "TCONF", 0, &err) == 0 && c.n == 9 &&
	    c.mark == 2 && c.name[0] == '\0');
	setenv("TCONF_A_N", "0", 1);
	T("conf-2.2 bad value without the variable's name",
	    conf_apply_env(opts, N, &c, "TCONF", 0, &err) == -1 &&
	    strcmp(err.msg, "a.n: expected an integer in [1, 10]: 0") == 0);
	T("conf-2.3 bad value with the variable's name",
	    conf_apply_env(opts, N, &c, "TCONF", CONF_ENV_NAME_VAR, &err) == -1 &&
	    strcmp(err.msg, "TCONF_A_N: a.n: expected an integer in [1, 10]: 0") == 0);
	unsetenv("TCONF_A_N");
	unsetenv("TCONF_B_MARK");
}

static void
test_dump(void)
{
	struct tconf	 c = { "x", "", 3, 5000000000L, 1, 0xff };
	char		*buf = NULL;
	size_t		 n = 0;
	FILE		*fp = open_memstream(&buf, &n);

	conf_dump(opts, N, &c, fp);
	fclose(fp);
	T("conf-3.1 dump", strcmp(buf, "a.name = x\na.pw = \na.n = 3\n"
	    "b.big = 5000000000\nb.on = 1\nb.mark = 0xff\n") == 0);
	free(buf);
	buf = NULL;
	strcpy(c.pw, "hidden");
	fp = open_memstream(&buf, &n);
	conf_dump(opts, N, &c, fp);
	fclose(fp);
	T("conf-3.2 dump masks secrets", strstr(buf, "hidden") == NULL &&
	    strstr(buf, "a.pw = ***\n") != NULL);
	free(buf);
}

int
main(void)
{
	int	fd = mkstemp(path);

	if (fd == -1)
		return 1;
	close(fd);
	test_file();
	test_env();
	test_dump();
	unlink(path);
	return t_report();
}
