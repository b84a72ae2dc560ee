/*
 * gwpolicy.c - parse and evaluate the gateway policy file (see gwpolicy.h).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/gwpolicy.h"

#define MAX_RULES	4096
#define MAX_LIST	64		/* entries in one comma list */
#define MAX_LINE	8192
#define MAX_WORDS	64
#define MAX_FILE	(1024 * 1024)

struct parser {
	const struct gwp_marks	*marks;
	struct kg_err		*err;
	int			 line;
};

static int
perr(struct parser *ps, const char *fmt, ...)
{
	char	msg[200];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return kg_errf(ps->err, KG_EBADREQ, "line %d: %s", ps->line, msg);
}

static void
strv_free(char **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
rule_free(struct gwp_rule *r)
{
	free(r->dst);
	free(r->ports);
	strv_free(r->methods, r->nmethods);
	strv_free(r->paths, r->npaths);
	strv_free(r->roles, r->nroles);
	strv_free(r->connect, r->nconnect);
	strv_free(r->sni, r->nsni);
	strv_free(r->alpn, r->nalpn);
	free(r->scope_ref);
	free(r->scope_domain);
}

void
gwpolicy_free(struct gwpolicy *p)
{
	size_t	i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++)
		rule_free(&p->rules[i]);
	free(p->rules);
	free(p);
}

const char *
gwp_action_name(enum gwp_action a)
{
	switch (a) {
	case GWP_ACCEPT:
		return "accept";
	case GWP_REJECT:
		return "reject";
	case GWP_DROP:
		return "drop";
	}
	return "?";
}

/*
 * Split a comma list in place into items[] (pointers into s). Returns the
 * count, or -1 with an error for an empty item or too many.
 */
static int
split_list(struct parser *ps, const char *key, char *s, char *items[MAX_LIST])
{
	int	n = 0;
	char	*p;

	for (;;) {
		if (n == MAX_LIST) {
			perr(ps, "%s: more than %d values", key, MAX_LIST);
			return -1;
		}
		p = strchr(s, ',');
		if (p != NULL)
			*p = '\0';
		if (*s == '\0') {
			perr(ps, "%s: empty value in list", key);
			return -1;
		}
		items[n++] = s;
		if (p == NULL)
			return n;
		s = p + 1;
	}
}

static int
parse_u32(const char *s, uint32_t *out)
{
	char		*end;
	unsigned long	 v;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno != 0 || *end != '\0' || v > 0xffffffffUL)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int
parse_cidr(const char *s, struct gwp_cidr *c)
{
	char		 buf[64], *slash;
	uint32_t	 plen;
	int		 maxlen, i;
	size_t		 n = strlen(s);

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n + 1);
	memset(c, 0, sizeof(*c));
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, c->addr) == 1) {
		c->family = 4;
		maxlen = 32;
	} else if (inet_pton(AF_INET6, buf, c->addr) == 1) {
		c->family = 6;
		maxlen = 128;
	} else {
		return -1;
	}
	if (slash == NULL)
		plen = (uint32_t)maxlen;
	else if (parse_u32(slash, &plen) == -1 || plen > (uint32_t)maxlen ||
	    (slash[0] == '0' && slash[1] != '\0'))
		return -1;
	c->plen = (uint8_t)plen;
	/* clear host bits so matching is a plain compare */
	for (i = 0; i < maxlen / 8; i++) {
		if ((int)plen >= (i + 1) * 8)
			continue;
		if ((int)plen <= i * 8)
			c->addr[i] = 0;
		else
			c->addr[i] &= (uint8_t)(0xff << (8 - (plen - i * 8)));
	}
	return 0;
}

static int
parse_ports(const char *s, struct gwp_ports *p)
{
	char		 buf[16], *dash;
	uint32_t	 lo, hi;
	size_t		 n = strlen(s);

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n + 1);
	if ((dash = strchr(buf, '-')) != NULL)
		*dash++ = '\0';
	if (parse_u32(buf, &lo) == -1 || lo < 1 || lo > 65535)
		return -1;
	hi = lo;
	if (dash != NULL && (parse_u32(dash, &hi) == -1 || hi < lo || hi > 65535))
		return -1;
	p->lo = (uint16_t)lo;
	p->hi = (uint16_t)hi;
	return 0;
}

static int
valid_name(const char *s, size_t max)
{
	size_t	n = strlen(s), i;

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("_.:-", s[i]) == NULL)
			return 0;
	return 1;
}

/* A role, project or domain reference: printable, no spaces, no commas. */
static int
valid_ref(const char *s)
{
	size_t	n = strlen(s), i;

	if (n == 0 || n > 255)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/*
 * "name" or "*.name" (lower-case letters, digits, '-', '.'); with port,
 * followed by ":N" or ":*" (a CONNECT target).
 */
static int
valid_host_pattern(const char *s, int port)
{
	const char	*colon = port ? strrchr(s, ':') : NULL, *h = s, *end;
	uint32_t	 n;

	if (port && colon == NULL)
		return 0;
	end = colon != NULL ? colon : s + strlen(s);
	if (end - h > 2 && h[0] == '*' && h[1] == '.')
		h += 2;
	if (h == end || end - h > 253 || *h == '.' || end[-1] == '.')
		return 0;
	for (; h < end; h++)
		if (!((*h >= 'a' && *h <= 'z') || (*h >= '0' && *h <= '9') || *h == '-' ||
		    (*h == '.' && h[-1] != '.')))
			return 0;
	if (colon != NULL && strcmp(colon + 1, "*") != 0 &&
	    (parse_u32(colon + 1, &n) == -1 || n < 1 || n > 65535))
		return 0;
	return 1;
}

/* Duplicate items into a new string vector; -1 on memory exhaustion. */
static int
strv_dup(char *items[], int n, char ***out, size_t *nout)
{
	char	**v;
	int	  i;

	if ((v = calloc((size_t)n, sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if ((v[i] = strdup(items[i])) == NULL) {
			strv_free(v, (size_t)i);
			return -1;
		}
	*out = v;
	*nout = (size_t)n;
	return 0;
}

static int
rule_keyword(struct parser *ps, struct gwp_rule *r, const char *key, char *val,
    unsigned int *seen)
{
	static const char *const keys[] = { "dst", "port", "method", "path", "roles",
	    "project", "domain", "action", "mark", "connect", "sni", "alpn" };
	char		*items[MAX_LIST], norm[HTTP_MAX_PATH + 1];
	size_t		 k;
	int		 n, i;

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (strcmp(key, keys[k]) == 0)
			break;
	if (k == sizeof(keys) / sizeof(keys[0]))
		return perr(ps, "unknown keyword \"%s\"", key);
	if (*seen & (1u << k))
		return perr(ps, "\"%s\" given twice", key);
	*seen |= 1u << k;
	if (val == NULL)
		return perr(ps, "\"%s\" needs a value", key);

	if (strcmp(key, "action") == 0) {
		if (strcmp(val, "accept") == 0)
			r->action = GWP_ACCEPT;
		else if (strcmp(val, "reject") == 0)
			r->action = GWP_REJECT;
		else if (strcmp(val, "drop") == 0)
			r->action = GWP_DROP;
		else
			return perr(ps, "action must be accept, reject or drop");
		return 0;
	}
	if (strcmp(key, "mark") == 0) {
		if (parse_u32(val, &r->mark) == -1 || r->mark == 0)
			return perr(ps, "mark must be a nonzero number");
		if ((r->mark & ~ps->marks->mask) != 0)
			return perr(ps, "mark 0x%x is outside the gateway's mark mask 0x%x",
			    r->mark, ps->marks->mask);
		if (r->mark == ps->marks->reject || r->mark == ps->marks->drop ||
		    (ps->marks->kill != 0 && r->mark == ps->marks->kill))
			return perr(ps, "mark 0x%x is the reject, drop or kill mark", r->mark);
		return 0;
	}
	if (strcmp(key, "project") == 0 || strcmp(key, "domain") == 0) {
		char	*at = NULL;

		if (r->scope != GW_SCOPE_NONE)
			return perr(ps, "only one of project, domain, system");
		if (key[0] == 'p' && (at = strrchr(val, '@')) != NULL)
			*at++ = '\0';
		if (!valid_ref(val) || (at != NULL && !valid_ref(at)))
			return perr(ps, "bad %s reference", key);
		r->scope = key[0] == 'p' ? GW_SCOPE_PROJECT : GW_SCOPE_DOMAIN;
		if ((r->scope_ref = strdup(val)) == NULL ||
		    (at != NULL && (r->scope_domain = strdup(at)) == NULL))
			return perr(ps, "out of memory");
		return 0;
	}

	if ((n = split_list(ps, key, val, items)) == -1)
		return -1;
	if (strcmp(key, "dst") == 0) {
		if (n == 1 && strcmp(items[0], "any") == 0)
			return 0;
		if ((r->dst = calloc((size_t)n, sizeof(*r->dst))) == NULL)
			return perr(ps, "out of memory");
		for (i = 0; i < n; i++)
			if (parse_cidr(items[i], &r->dst[i]) == -1)
				return perr(ps, "bad address \"%s\"", items[i]);
		r->ndst = (size_t)n;
		return 0;
	}
	if (strcmp(key, "port") == 0) {
		if (n == 1 && strcmp(items[0], "any") == 0)
			return 0;
		if ((r->ports = calloc((size_t)n, sizeof(*r->ports))) == NULL)
			return perr(ps, "out of memory");
		for (i = 0; i < n; i++)
			if (parse_ports(items[i], &r->ports[i]) == -1)
				return perr(ps, "bad port \"%s\"", items[i]);
		r->nports = (size_t)n;
		return 0;
	}
	if (strcmp(key, "method") == 0) {
		for (i = 0; i < n; i++) {
			struct http_req	hr;
			char		line[HTTP_MAX_METHOD + 16];

			/* a CONNECT head needs an authority-form target */
			snprintf(line, sizeof(line), "%s %s HTTP/1.1\r\n\r\n", items[i],
			    strcmp(items[i], "CONNECT") == 0 ? "h:1" : "/");
			if (strlen(items[i]) > HTTP_MAX_METHOD ||
			    http_parse(line, strlen(line), &hr) != HTTP_COMPLETE ||
			    hr.method_len != strlen(items[i]))
				return perr(ps, "bad method \"%s\"", items[i]);
		}
		if (strv_dup(items, n, &r->methods, &r->nmethods) == -1)
			return perr(ps, "out of memory");
		return 0;
	}
	if (strcmp(key, "path") == 0) {
		for (i = 0; i < n; i++) {
			long	len = http_path_normalize(items[i], strlen(items[i]), norm,
			    sizeof(norm));

			if (len < 1 || items[i][0] != '/' || strcmp(norm, items[i]) != 0)
				return perr(ps, "path \"%s\" is not a normalized absolute "
				    "path (no %%-escapes, dot segments, //, ?)", items[i]);
		}
		if (strv_dup(items, n, &r->paths, &r->npaths) == -1)
			return perr(ps, "out of memory");
		return 0;
	}
	if (strcmp(key, "sni") == 0 || strcmp(key, "connect") == 0) {
		for (i = 0; i < n; i++)
			if (!valid_host_pattern(items[i], key[0] == 'c'))
				return perr(ps, "bad %s \"%s\" (a lower-case DNS name, or "
				    "*.name%s)", key, items[i], key[0] == 'c' ?
				    ", then :port or :*" : "");
		if (strv_dup(items, n, key[0] == 's' ? &r->sni : &r->connect,
		    key[0] == 's' ? &r->nsni : &r->nconnect) == -1)
			return perr(ps, "out of memory");
		return 0;
	}
	if (strcmp(key, "alpn") == 0) {
		for (i = 0; i < n; i++)
			if (strlen(items[i]) > 32 || !valid_ref(items[i]))
				return perr(ps, "bad ALPN protocol \"%s\"", items[i]);
		if (strv_dup(items, n, &r->alpn, &r->nalpn) == -1)
			return perr(ps, "out of memory");
		return 0;
	}
	/* roles */
	if (n == 1 && strcmp(items[0], "*") == 0) {
		r->any_role = 1;
		return 0;
	}
	for (i = 0; i < n; i++)
		if (!valid_ref(items[i]) || strcmp(items[i], "*") == 0)
			return perr(ps, "bad role \"%s\"", items[i]);
	if (strv_dup(items, n, &r->roles, &r->nroles) == -1)
		return perr(ps, "out of memory");
	return 0;
}

/* Parse words[1..n) of a "rule" line into r. */
static int
parse_rule(struct parser *ps, struct gwp_rule *r, char **w, int n,
    const struct gwpolicy *p)
{
	unsigned int	seen = 0;
	int		i, has_roles;
	size_t		j;

	if (n < 2 || !valid_name(w[1], sizeof(r->name) - 1))
		return perr(ps, "rule needs a name ([A-Za-z0-9_.:-], at most 31)");
	for (j = 0; j < p->n; j++)
		if (strcmp(p->rules[j].name, w[1]) == 0)
			return perr(ps, "rule name \"%s\" already used on line %d", w[1],
			    p->rules[j].line);
	memcpy(r->name, w[1], strlen(w[1]) + 1);	/* valid_name bounded it */
	r->line = ps->line;
	for (i = 2; i < n; i++) {
		if (strcmp(w[i], "system") == 0) {
			if (r->scope != GW_SCOPE_NONE)
				return perr(ps, "only one of project, domain, system");
			r->scope = GW_SCOPE_SYSTEM;
			continue;
		}
		if (strcmp(w[i], "noauth") == 0) {
			if (r->noauth)
				return perr(ps, "\"noauth\" given twice");
			r->noauth = 1;
			continue;
		}
		if (rule_keyword(ps, r, w[i], i + 1 < n ? w[i + 1] : NULL, &seen) == -1)
			return -1;
		i++;
	}
	has_roles = r->any_role || r->nroles > 0;
	if (r->noauth && (has_roles || r->scope != GW_SCOPE_NONE))
		return perr(ps, "noauth excludes roles, project, domain and system");
	if (!r->noauth && !has_roles)
		return perr(ps, "rule needs \"roles R,...\", \"roles *\" or \"noauth\"");
	if (r->mark != 0 && r->action != GWP_ACCEPT)
		return perr(ps, "mark is only for accept rules (reject/drop use the "
		    "configured marks)");
	if ((r->nsni > 0 || r->nalpn > 0) && !r->noauth)
		return perr(ps, "sni and alpn rules must be noauth (a TLS ClientHello "
		    "carries no token)");
	if ((r->nsni > 0 || r->nalpn > 0) && (r->nmethods > 0 || r->npaths > 0 ||
	    r->nconnect > 0))
		return perr(ps, "sni/alpn (TLS) and method/path/connect (HTTP) exclude "
		    "each other");
	return 0;
}

/* Split line (modified in place) into words; '#' starts a comment. */
static int
split_words(char *line, char *w[MAX_WORDS])
{
	int	n = 0;
	char	*p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (*p == '\0' || *p == '#')
			return n;
		if (n == MAX_WORDS)
			return -1;
		w[n++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r')
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
}

struct gwpolicy *
gwpolicy_parse(const char *text, size_t len, const struct gwp_marks *marks,
    struct kg_err *err)
{
	struct parser	 ps = { marks, err, 0 };
	struct gwpolicy	*p;
	struct gwp_rule	*nr;
	const char	*s = text, *end = text + len, *eol;
	char		 line[MAX_LINE], *w[MAX_WORDS];
	size_t		 ll, cap = 0, i;
	int		 n, have_default = 0;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		return NULL;
	}
	p->def = GWP_REJECT;
	while (s < end) {
		ps.line++;
		if ((eol = memchr(s, '\n', (size_t)(end - s))) == NULL)
			eol = end;
		ll = (size_t)(eol - s);
		if (ll >= sizeof(line)) {
			perr(&ps, "line longer than %d bytes", MAX_LINE - 1);
			goto fail;
		}
		if (memchr(s, '\0', ll) != NULL) {
			perr(&ps, "NUL byte");
			goto fail;
		}
		memcpy(line, s, ll);
		line[ll] = '\0';
		s = eol < end ? eol + 1 : end;
		if ((n = split_words(line, w)) == -1) {
			perr(&ps, "too many words");
			goto fail;
		}
		if (n == 0)
			continue;
		if (strcmp(w[0], "default") == 0) {
			if (have_default) {
				perr(&ps, "\"default\" given twice");
				goto fail;
			}
			have_default = 1;
			if (n == 2 && strcmp(w[1], "reject") == 0)
				p->def = GWP_REJECT;
			else if (n == 2 && strcmp(w[1], "drop") == 0)
				p->def = GWP_DROP;
			else {
				perr(&ps, "default must be \"reject\" or \"drop\" "
				    "(the gateway is deny-by-default)");
				goto fail;
			}
			continue;
		}
		if (strcmp(w[0], "rule") != 0) {
			perr(&ps, "expected \"rule\" or \"default\", got \"%s\"", w[0]);
			goto fail;
		}
		if (p->n == MAX_RULES) {
			perr(&ps, "more than %d rules", MAX_RULES);
			goto fail;
		}
		if (p->n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nr = realloc(p->rules, cap * sizeof(*nr))) == NULL) {
				perr(&ps, "out of memory");
				goto fail;
			}
			p->rules = nr;
		}
		memset(&p->rules[p->n], 0, sizeof(p->rules[0]));
		if (parse_rule(&ps, &p->rules[p->n], w, n, p) == -1) {
			rule_free(&p->rules[p->n]);
			goto fail;
		}
		p->n++;
	}
	for (i = 0; i < p->n; i++)
		if (p->rules[i].npaths > 0)
			p->uses_path = 1;
	return p;
 fail:
	gwpolicy_free(p);
	return NULL;
}

struct gwpolicy *
gwpolicy_load(const char *path, const struct gwp_marks *marks, struct kg_err *err)
{
	struct gwpolicy	*p;
	FILE		*fp;
	char		*buf;
	size_t		 n;

	if ((fp = fopen(path, "r")) == NULL) {
		kg_errf(err, KG_EBADREQ, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((buf = malloc(MAX_FILE + 1)) == NULL) {
		fclose(fp);
		kg_errf(err, KG_EINTERNAL, "out of memory");
		return NULL;
	}
	n = fread(buf, 1, MAX_FILE + 1, fp);
	if (ferror(fp) || n > MAX_FILE) {
		kg_errf(err, KG_EBADREQ, "%s: %s", path,
		    ferror(fp) ? "read error" : "larger than 1 MiB");
		fclose(fp);
		free(buf);
		return NULL;
	}
	fclose(fp);
	p = gwpolicy_parse(buf, n, marks, err);
	if (p == NULL && err != NULL) {
		char	msg[sizeof(err->msg)];

		memcpy(msg, err->msg, sizeof(msg));
		kg_errf(err, KG_EBADREQ, "%s: %s", path, msg);
	}
	free(buf);
	return p;
}

/* ------------------------------------------------------------------
 * Evaluation
 * ------------------------------------------------------------------ */

static int
cidr_match(const struct gwp_cidr *c, const struct pkt_flow *f)
{
	int	full = c->plen / 8, rest = c->plen % 8;

	if (c->family != f->family)
		return 0;
	if (memcmp(c->addr, f->daddr, (size_t)full) != 0)
		return 0;
	return rest == 0 ||
	    ((f->daddr[full] ^ c->addr[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

static int
path_match(const char *prefix, const char *path)
{
	size_t	n = strlen(prefix);

	if (strncmp(prefix, path, n) != 0)
		return 0;
	/* whole segments: "/a" matches "/a" and "/a/b", not "/ab" */
	return prefix[n - 1] == '/' || path[n] == '\0' || path[n] == '/';
}

static int
has_role(const struct gwp_rule *r, const struct gw_ident *id)
{
	size_t	i, j;

	if (r->any_role)
		return 1;
	for (i = 0; i < r->nroles; i++)
		for (j = 0; j < id->nroles; j++)
			if (strcmp(r->roles[i], id->roles[j].name) == 0 ||
			    strcmp(r->roles[i], id->roles[j].id) == 0)
				return 1;
	return 0;
}

static int
scope_match(const struct gwp_rule *r, const struct gw_ident *id)
{
	if (r->scope == GW_SCOPE_NONE)
		return 1;
	if (r->scope != id->scope)
		return 0;
	if (r->scope == GW_SCOPE_SYSTEM)
		return 1;
	if (strcmp(r->scope_ref, id->scope_id) != 0 &&
	    strcmp(r->scope_ref, id->scope_name) != 0)
		return 0;
	return r->scope_domain == NULL ||
	    strcmp(r->scope_domain, id->scope_domain_id) == 0 ||
	    strcmp(r->scope_domain, id->scope_domain_name) == 0;
}

/* host (n bytes, any case) against "name" or "*.name" (below name). */
static int
host_match(const char *pat, size_t plen, const char *host, size_t n)
{
	if (plen > 2 && pat[0] == '*' && pat[1] == '.')
		return n > plen - 1 && strncasecmp(host + n - (plen - 1), pat + 1,
		    plen - 1) == 0;
	return n == plen && strncasecmp(host, pat, n) == 0;
}

static int
sni_match(const struct gwp_rule *r, const struct tls_hello *t)
{
	size_t	i;

	for (i = 0; i < r->nsni; i++)
		if (t->sni[0] != '\0' && host_match(r->sni[i], strlen(r->sni[i]), t->sni,
		    strlen(t->sni)))
			return 1;
	return 0;
}

static int
alpn_match(const struct gwp_rule *r, const struct tls_hello *t)
{
	size_t	i, j;

	if (t->nalpn == 0)
		return 0;
	for (i = 0; i < t->nalpn; i++) {
		for (j = 0; j < r->nalpn && strcmp(r->alpn[j], t->alpn[i]) != 0; j++)
			;
		if (j == r->nalpn)
			return 0;
	}
	return 1;
}

/* A CONNECT target "host:port" against "name:port", "*.name:*"... */
static int
connect_match(const struct gwp_rule *r, const char *a, size_t n)
{
	const char	*colon;
	size_t		 i, hl, pl;

	for (colon = a + n; colon > a && colon[-1] != ':'; colon--)
		;
	if (colon == a)
		return 0;
	hl = (size_t)(colon - 1 - a);
	for (i = 0; i < r->nconnect; i++) {
		const char *pc = strrchr(r->connect[i], ':');

		pl = (size_t)(pc - r->connect[i]);
		if (!host_match(r->connect[i], pl, a, hl))
			continue;
		if (strcmp(pc + 1, "*") == 0 || (strlen(pc + 1) == (size_t)(a + n - colon) &&
		    memcmp(pc + 1, colon, (size_t)(a + n - colon)) == 0))
			return 1;
	}
	return 0;
}

static int
rule_match(const struct gwp_rule *r, const struct gwp_request *rq,
    const struct gw_ident *id)
{
	size_t	i;

	if (rq->tls != NULL) {
		if (r->nmethods > 0 || r->npaths > 0 || r->nconnect > 0)
			return 0;
		if (r->nsni > 0 && !sni_match(r, rq->tls))
			return 0;
		if (r->nalpn > 0 && !alpn_match(r, rq->tls))
			return 0;
	} else if (r->nsni > 0 || r->nalpn > 0) {
		return 0;
	}
	if (r->nconnect > 0 && (rq->authority == NULL ||
	    !connect_match(r, rq->authority, rq->authority_len)))
		return 0;

	if (r->ndst > 0) {
		for (i = 0; i < r->ndst && !cidr_match(&r->dst[i], rq->flow); i++)
			;
		if (i == r->ndst)
			return 0;
	}
	if (r->nports > 0) {
		for (i = 0; i < r->nports && (rq->flow->dport < r->ports[i].lo ||
		    rq->flow->dport > r->ports[i].hi); i++)
			;
		if (i == r->nports)
			return 0;
	}
	if (r->nmethods > 0) {
		for (i = 0; i < r->nmethods && (strlen(r->methods[i]) != rq->method_len ||
		    memcmp(r->methods[i], rq->method, rq->method_len) != 0); i++)
			;
		if (i == r->nmethods)
			return 0;
	}
	if (r->npaths > 0) {
		if (rq->path == NULL)
			return 0;
		for (i = 0; i < r->npaths && !path_match(r->paths[i], rq->path); i++)
			;
		if (i == r->npaths)
			return 0;
	}
	if (r->noauth)
		return 1;
	return id != NULL && has_role(r, id) && scope_match(r, id);
}

const struct gwp_rule *
gwpolicy_eval(const struct gwpolicy *p, const struct gwp_request *rq,
    const struct gw_ident *ident)
{
	size_t	i;

	for (i = 0; i < p->n; i++)
		if (rule_match(&p->rules[i], rq, ident))
			return &p->rules[i];
	return NULL;
}
