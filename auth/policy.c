/*
 * policy.c - the oslo.policy engine (see policy.h): rule strings are
 * parsed exactly as oslo_policy/_parser.py parses them (a whitespace
 * tokenizer and a greedy shift-reduce parser), checked as
 * oslo_policy/_checks.py checks them, and compiled into one array of nodes
 * per set; enforcement walks that array.
 *
 * Credentials are what Keystone's RequestContext.to_policy_values() gives
 * oslo.policy for a token (plus the "system" key oslo.policy adds), read
 * from struct kg_ctx; see cred_value().
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdatomic.h>

#include "auth/policy.h"
#include "common/log.h"

#define CHECK_MAX	65536	/* bytes in one check string */
#define DEPTH_MAX	64	/* nesting of a rule, rule: references included */

/* ------------------------------------------------------------------------
 * Target keys.
 * --------------------------------------------------------------------- */

static const char *const key_names[PK_COUNT] = {
	[PK_USER_ID] = "user_id",
	[PK_GROUP_ID] = "group_id",
	[PK_ROLE_ID] = "role_id",
	[PK_DOMAIN_ID] = "domain_id",
	[PK_PROJECT_ID] = "project_id",
	[PK_PRIOR_ROLE_ID] = "prior_role_id",
	[PK_IMPLIED_ROLE_ID] = "implied_role_id",
	[PK_REGION_ID] = "region_id",
	[PK_SERVICE_ID] = "service_id",
	[PK_ENDPOINT_ID] = "endpoint_id",
	[PK_VALUE] = "value",
	[PK_APPLICATION_CREDENTIAL_ID] = "application_credential_id",
	[PK_ACCESS_RULE_ID] = "access_rule_id",
	[PK_TARGET_DOMAIN_ID] = "target.domain_id",
	[PK_T_USER_ID] = "target.user.id",
	[PK_T_USER_NAME] = "target.user.name",
	[PK_T_USER_DOMAIN_ID] = "target.user.domain_id",
	[PK_T_USER_ENABLED] = "target.user.enabled",
	[PK_T_USER_DEFAULT_PROJECT_ID] = "target.user.default_project_id",
	[PK_T_PROJECT_ID] = "target.project.id",
	[PK_T_PROJECT_NAME] = "target.project.name",
	[PK_T_PROJECT_DOMAIN_ID] = "target.project.domain_id",
	[PK_T_PROJECT_PARENT_ID] = "target.project.parent_id",
	[PK_T_PROJECT_IS_DOMAIN] = "target.project.is_domain",
	[PK_T_PROJECT_ENABLED] = "target.project.enabled",
	[PK_T_DOMAIN_ID] = "target.domain.id",
	[PK_T_DOMAIN_NAME] = "target.domain.name",
	[PK_T_DOMAIN_ENABLED] = "target.domain.enabled",
	[PK_T_GROUP_ID] = "target.group.id",
	[PK_T_GROUP_NAME] = "target.group.name",
	[PK_T_GROUP_DOMAIN_ID] = "target.group.domain_id",
	[PK_T_ROLE_ID] = "target.role.id",
	[PK_T_ROLE_NAME] = "target.role.name",
	[PK_T_ROLE_DOMAIN_ID] = "target.role.domain_id",
	[PK_T_PRIOR_ROLE_ID] = "target.prior_role.id",
	[PK_T_PRIOR_ROLE_NAME] = "target.prior_role.name",
	[PK_T_PRIOR_ROLE_DOMAIN_ID] = "target.prior_role.domain_id",
	[PK_T_IMPLIED_ROLE_ID] = "target.implied_role.id",
	[PK_T_IMPLIED_ROLE_NAME] = "target.implied_role.name",
	[PK_T_IMPLIED_ROLE_DOMAIN_ID] = "target.implied_role.domain_id",
	[PK_T_ENDPOINT_ID] = "target.endpoint.id",
	[PK_T_ENDPOINT_SERVICE_ID] = "target.endpoint.service_id",
	[PK_T_ENDPOINT_REGION_ID] = "target.endpoint.region_id",
	[PK_T_ENDPOINT_INTERFACE] = "target.endpoint.interface",
	[PK_T_ENDPOINT_ENABLED] = "target.endpoint.enabled",
	[PK_T_TOKEN_USER_ID] = "target.token.user_id",
	[PK_T_TOKEN_USER_DOMAIN_ID] = "target.token.user.domain.id",
	[PK_T_LIMIT_PROJECT_ID] = "target.limit.project_id",
	[PK_T_LIMIT_DOMAIN_ID] = "target.limit.domain.id",
	[PK_T_LIMIT_PROJECT_DOMAIN_ID] = "target.limit.project.domain_id",
	[PK_T_CREDENTIAL_USER_ID] = "target.credential.user_id",
	[PK_TRUST_TRUSTOR_USER_ID] = "trust.trustor_user_id",
	[PK_T_TRUST_TRUSTOR_USER_ID] = "target.trust.trustor_user_id",
	[PK_T_TRUST_TRUSTEE_USER_ID] = "target.trust.trustee_user_id",
};

const char *
policy_key_name(enum policy_key k)
{
	return (unsigned int)k < PK_COUNT ? key_names[k] : NULL;
}

enum policy_key
policy_key_find(const char *name)
{
	unsigned int	k;

	for (k = 0; k < PK_COUNT; k++)
		if (key_names[k] != NULL && strcmp(key_names[k], name) == 0)
			return (enum policy_key)k;
	return PK_NEVER;
}

/* ------------------------------------------------------------------------
 * Credential attributes: Keystone's to_policy_values() of a token.
 * --------------------------------------------------------------------- */

enum cattr {
	CA_USER_ID, CA_USER_DOMAIN_ID, CA_SYSTEM_SCOPE, CA_SYSTEM, CA_DOMAIN_ID,
	CA_PROJECT_ID, CA_PROJECT_DOMAIN_ID, CA_ROLES, CA_IS_ADMIN_PROJECT,
	CA_IS_ADMIN, CA_SERVICE_USER_ID, CA_SERVICE_USER_DOMAIN_ID,
	CA_SERVICE_PROJECT_ID, CA_SERVICE_PROJECT_DOMAIN_ID, CA_SERVICE_ROLES,
	CA_TOKEN_USER_ID, CA_TOKEN_USER_DOMAIN_ID, CA_TOKEN_PROJECT_ID,
	CA_TOKEN_PROJECT_DOMAIN_ID, CA_TOKEN_DOMAIN_ID, CA_TOKEN_SYSTEM_ALL,
	CA_TOKEN_ROLES_ID, CA_TOKEN_ROLES_NAME,
	CA_COUNT
};

static const char *const cattr_names[CA_COUNT] = {
	[CA_USER_ID] = "user_id",
	[CA_USER_DOMAIN_ID] = "user_domain_id",
	[CA_SYSTEM_SCOPE] = "system_scope",
	[CA_SYSTEM] = "system",
	[CA_DOMAIN_ID] = "domain_id",
	[CA_PROJECT_ID] = "project_id",
	[CA_PROJECT_DOMAIN_ID] = "project_domain_id",
	[CA_ROLES] = "roles",
	[CA_IS_ADMIN_PROJECT] = "is_admin_project",
	[CA_IS_ADMIN] = "is_admin",
	[CA_SERVICE_USER_ID] = "service_user_id",
	[CA_SERVICE_USER_DOMAIN_ID] = "service_user_domain_id",
	[CA_SERVICE_PROJECT_ID] = "service_project_id",
	[CA_SERVICE_PROJECT_DOMAIN_ID] = "service_project_domain_id",
	[CA_SERVICE_ROLES] = "service_roles",
	[CA_TOKEN_USER_ID] = "token.user.id",
	[CA_TOKEN_USER_DOMAIN_ID] = "token.user.domain.id",
	[CA_TOKEN_PROJECT_ID] = "token.project.id",
	[CA_TOKEN_PROJECT_DOMAIN_ID] = "token.project.domain.id",
	[CA_TOKEN_DOMAIN_ID] = "token.domain.id",
	[CA_TOKEN_SYSTEM_ALL] = "token.system.all",
	[CA_TOKEN_ROLES_ID] = "token.roles.id",
	[CA_TOKEN_ROLES_NAME] = "token.roles.name",
};

static int
cattr_find(const char *name, size_t len)
{
	int	a;

	for (a = 0; a < CA_COUNT; a++)
		if (strlen(cattr_names[a]) == len &&
		    memcmp(cattr_names[a], name, len) == 0)
			return a;
	return -1;
}

static int
is_list_attr(int a)
{
	return a == CA_ROLES || a == CA_SERVICE_ROLES || a == CA_TOKEN_ROLES_ID ||
	    a == CA_TOKEN_ROLES_NAME;
}

/*
 * Value i of attribute a of ctx (i > 0 only for lists), as Python's str()
 * prints it; NULL when the key is missing (or i is past the list's end).
 */
static const char *
cred_value(const struct kg_ctx *c, int a, size_t i)
{
	int	sys = c->scope == KG_SCOPE_SYSTEM;
	int	dom = c->scope == KG_SCOPE_DOMAIN;
	int	prj = c->scope == KG_SCOPE_PROJECT;

	if (is_list_attr(a)) {
		if (a == CA_SERVICE_ROLES || i >= c->nroles)
			return NULL;
		if (a == CA_TOKEN_ROLES_ID)
			return c->roles[i].id;
		return c->roles[i].name;
	}
	if (i > 0)
		return NULL;
	switch (a) {
	case CA_USER_ID:
	case CA_TOKEN_USER_ID:
		return c->user_id;
	case CA_USER_DOMAIN_ID:
	case CA_TOKEN_USER_DOMAIN_ID:
		return c->user_domain_id;
	case CA_SYSTEM_SCOPE:
		return sys ? "all" : POLICY_NONE;
	case CA_SYSTEM:			/* added by oslo.policy when set */
		return sys ? "all" : NULL;
	case CA_DOMAIN_ID:
		return dom ? c->domain_id : POLICY_NONE;
	case CA_PROJECT_ID:
		return prj ? c->project_id : POLICY_NONE;
	case CA_PROJECT_DOMAIN_ID:
		return prj ? c->project_domain_id : POLICY_NONE;
	case CA_IS_ADMIN_PROJECT:	/* Keystone: False for domain scope */
		return dom ? POLICY_FALSE : POLICY_TRUE;
	case CA_IS_ADMIN:		/* not in Keystone's credentials */
		return NULL;
	case CA_SERVICE_USER_ID:
	case CA_SERVICE_USER_DOMAIN_ID:
	case CA_SERVICE_PROJECT_ID:
	case CA_SERVICE_PROJECT_DOMAIN_ID:
		return POLICY_NONE;
	case CA_TOKEN_PROJECT_ID:
		return prj ? c->project_id : NULL;
	case CA_TOKEN_PROJECT_DOMAIN_ID:
		return prj ? c->project_domain_id : NULL;
	case CA_TOKEN_DOMAIN_ID:
		return dom ? c->domain_id : NULL;
	case CA_TOKEN_SYSTEM_ALL:
		return sys ? POLICY_TRUE : NULL;
	}
	return NULL;
}

/* ------------------------------------------------------------------------
 * The compiled form.
 * --------------------------------------------------------------------- */

enum pn_kind { PN_TRUE, PN_FALSE, PN_AND, PN_OR, PN_NOT, PN_RULE, PN_ROLE,
	PN_CRED, PN_LIT };

struct pnode {
	unsigned char	 kind;
	unsigned char	 attr;		/* PN_CRED: enum cattr */
	unsigned int	 a;		/* AND/OR: first kid in kids[]; NOT: the
					 * operand; RULE: rule index; ROLE, CRED,
					 * LIT: template index */
	unsigned int	 n;		/* AND/OR: number of kids; LIT: offset
					 * of the literal's str() in text */
	unsigned int	 src;		/* offset of the check's text in text */
	unsigned int	 ref;		/* inlined "rule:x": its text; 0: none */
};

/* A check's match: literal pieces and %(key)s substitutions. */
struct pseg {
	unsigned int	 key;		/* PK_*, or PK_COUNT + 1 for literal text */
	unsigned int	 off, len;	/* literal: bytes in text */
};
#define SEG_TEXT	(PK_COUNT + 1)

struct ptmpl {
	unsigned int	 seg, nseg;
	/* The common shapes, compared without walking segments. */
	enum { TM_MIXED, TM_TEXT, TM_KEY } shape;
	unsigned int	 text;		/* TM_TEXT: offset of the whole text */
	unsigned int	 key;		/* TM_KEY: the one key */
};

enum origin { OR_DEFAULT, OR_DEFAULT_DEPRECATED, OR_FILE, OR_FILE_RENAMED };

static const char *const origin_names[] = {
	"default", "default or deprecated", "file", "file (deprecated name)"
};

struct prule {
	unsigned int	 name;		/* offsets in text */
	unsigned int	 check;
	unsigned int	 root;		/* node */
	unsigned int	 scope_types;
	int		 registered;	/* a default has this name */
	enum origin	 origin;
	int		 line;
	/* while building */
	const char	*src1, *src2;	/* check string(s): src2 OR'ed in */
	int		 state;		/* cycle search: 0 new, 1 open, 2 done */
	int		 depth;
};

struct policy_set {
	struct policy_options	 opt;
	struct prule		*rules;		/* sorted by name */
	size_t			 nrules;
	struct pnode		*nodes;
	size_t			 nnodes, cnodes;
	unsigned int		*kids;
	size_t			 nkids, ckids;
	struct ptmpl		*tmpls;
	size_t			 ntmpls, ctmpls;
	struct pseg		*segs;
	size_t			 nsegs, csegs;
	char			*text;
	size_t			 ntext, ctext;
	unsigned int		*hash;		/* rule index + 1 by name; 0: empty */
	size_t			 hmask;
	unsigned long		 serial;	/* unique per set built */
};

static atomic_ulong	next_serial = 1;

static int
grow(void **v, size_t *cap, size_t n, size_t elem)
{
	size_t	nc;
	void	*p;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 64;
	if (nc > SIZE_MAX / elem)
		return -1;
	if ((p = realloc(*v, nc * elem)) == NULL)
		return -1;
	*v = p;
	*cap = nc;
	return 0;
}

/* Copy len bytes of s (plus a NUL) into the text arena; offset or -1. */
static long
text_add(struct policy_set *s, const char *str, size_t len)
{
	size_t	need = s->ntext + len + 1, nc;
	char	*p;
	long	off;

	if (len > CHECK_MAX * 4 || need > (size_t)0x7fffffff)
		return -1;
	if (need > s->ctext) {
		nc = s->ctext ? s->ctext : 4096;
		while (nc < need)
			nc *= 2;
		if ((p = realloc(s->text, nc)) == NULL)
			return -1;
		s->text = p;
		s->ctext = nc;
	}
	off = (long)s->ntext;
	memcpy(s->text + s->ntext, str, len);
	s->text[s->ntext + len] = '\0';
	s->ntext = need;
	return off;
}

#define TXT(s, off)	((s)->text + (off))

/* ------------------------------------------------------------------------
 * Parsing: oslo_policy/_parser.py.
 * --------------------------------------------------------------------- */

/* A parse-time tree (oslo's Check objects), flattened into the set after. */
struct tnode {
	enum pn_kind	  kind;
	int		  attr;
	struct tnode	**kids;		/* AND/OR */
	size_t		  nkids;
	struct tnode	 *op;		/* NOT */
	char		 *arg;		/* RULE: name; ROLE/CRED/LIT: match */
	char		 *lit;		/* LIT: str() of the kind */
	char		 *src;		/* the check as written */
};

static void
tnode_free(struct tnode *t)
{
	size_t	i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nkids; i++)
		tnode_free(t->kids[i]);
	free(t->kids);
	tnode_free(t->op);
	free(t->arg);
	free(t->lit);
	free(t->src);
	free(t);
}

static struct tnode *
tnode_new(enum pn_kind kind)
{
	struct tnode	*t = calloc(1, sizeof(*t));

	if (t != NULL)
		t->kind = kind;
	return t;
}

static int
tnode_add(struct tnode *t, struct tnode *kid)
{
	struct tnode	**p;

	if ((p = realloc(t->kids, (t->nkids + 1) * sizeof(*p))) == NULL)
		return -1;
	t->kids = p;
	t->kids[t->nkids++] = kid;
	return 0;
}

static int
perr(struct kg_err *err, const char *fmt, ...)
{
	va_list	ap;
	char	buf[sizeof(err->msg)];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return kg_errf(err, KG_EBADREQ, "%s", buf);
}

/* A Python integer literal as literal_eval() takes it; *out its str(). */
static int
int_literal(const char *s, size_t len, char *out, size_t outsz)
{
	size_t	i = 0, o = 0;
	int	neg = 0;

	if (len > 0 && (s[0] == '+' || s[0] == '-'))
		neg = s[i++] == '-';
	if (i == len || len - i > 30)
		return 0;
	for (size_t j = i; j < len; j++)
		if (!isdigit((unsigned char)s[j]))
			return 0;
	/* Python 3 refuses leading zeros ("007") in decimal literals. */
	if (s[i] == '0' && len - i > 1) {
		for (size_t j = i; j < len; j++)
			if (s[j] != '0')
				return 0;
		i = len - 1;
	}
	if (neg && !(len - i == 1 && s[i] == '0'))
		out[o++] = '-';
	if (o + len - i >= outsz)
		return 0;
	memcpy(out + o, s + i, len - i);
	out[o + len - i] = '\0';
	return 1;
}

/*
 * A literal kind (GenericCheck: ast.literal_eval(kind) succeeds): True,
 * False, None, a decimal integer, or a quoted string without escapes.
 * *out is its str(), malloc'd; 0 when kind is not one of those.
 */
static int
literal_kind(const char *k, size_t len, char **out)
{
	char	num[40];

	*out = NULL;
	if ((len == 4 && memcmp(k, "True", 4) == 0) ||
	    (len == 5 && memcmp(k, "False", 5) == 0) ||
	    (len == 4 && memcmp(k, "None", 4) == 0))
		*out = strndup(k, len);
	else if (int_literal(k, len, num, sizeof(num)))
		*out = strdup(num);
	else if (len >= 2 && (k[0] == '\'' || k[0] == '"') && k[len - 1] == k[0] &&
	    memchr(k + 1, k[0], len - 2) == NULL && memchr(k, '\\', len) == NULL)
		*out = strndup(k + 1, len - 2);
	else
		return 0;
	return *out != NULL ? 1 : -1;
}

/*
 * Check a match string's %-formatting as Python's "match % target" would
 * use it: only %(key)s and %%. Keys may hold balanced parentheses, as in
 * Python.
 */
static int
match_syntax(const char *m, struct kg_err *err)
{
	const char	*p = m;
	int		 depth;

	while ((p = strchr(p, '%')) != NULL) {
		if (p[1] == '%') {
			p += 2;
			continue;
		}
		if (p[1] != '(')
			return perr(err, "'%s': only %%(name)s substitutions (and %%%%) "
			    "are allowed", m);
		depth = 1;
		for (p += 2; *p != '\0' && depth > 0; p++)
			if (*p == '(')
				depth++;
			else if (*p == ')')
				depth--;
		if (depth > 0 || *p != 's')
			return perr(err, "'%s': only %%(name)s substitutions (and %%%%) "
			    "are allowed", m);
		p++;
	}
	return 0;
}

/* oslo's _parse_check: one check token into a node. */
static struct tnode *
parse_check(const char *tok, size_t len, struct kg_err *err)
{
	struct tnode	*t = NULL;
	const char	*colon;
	size_t		 klen;
	char		*lit = NULL;
	int		 a, rc;

	if (len == 1 && tok[0] == '!')
		t = tnode_new(PN_FALSE);
	else if (len == 1 && tok[0] == '@')
		t = tnode_new(PN_TRUE);
	if (t != NULL) {
		if ((t->src = strndup(tok, len)) == NULL)
			goto oom;
		return t;
	}
	if ((colon = memchr(tok, ':', len)) == NULL) {
		perr(err, "check '%.*s' is not KIND:MATCH, '@' or '!'", (int)len, tok);
		return NULL;
	}
	klen = (size_t)(colon - tok);
	if (klen == 4 && memcmp(tok, "rule", 4) == 0) {
		t = tnode_new(PN_RULE);
	} else if (klen == 4 && memcmp(tok, "role", 4) == 0) {
		t = tnode_new(PN_ROLE);
	} else if ((klen == 4 && memcmp(tok, "http", 4) == 0) ||
	    (klen == 5 && memcmp(tok, "https", 5) == 0)) {
		perr(err, "check '%.*s': http and https checks are not supported",
		    (int)len, tok);
		return NULL;
	} else if ((rc = literal_kind(tok, klen, &lit)) != 0) {
		if (rc == -1)
			goto oom;
		if ((t = tnode_new(PN_LIT)) == NULL)
			goto oom;
		t->lit = lit;
		lit = NULL;
	} else if ((a = cattr_find(tok, klen)) >= 0) {
		if ((t = tnode_new(PN_CRED)) != NULL)
			t->attr = a;
	} else {
		perr(err, "check '%.*s': '%.*s' is neither a credential attribute "
		    "keygate's tokens have (README: Policy) nor a literal (True, False, "
		    "None, an integer, a quoted string)", (int)len, tok, (int)klen, tok);
		return NULL;
	}
	if (t == NULL)
		goto oom;
	if ((t->arg = strndup(colon + 1, len - klen - 1)) == NULL ||
	    (t->src = strndup(tok, len)) == NULL)
		goto oom;
	if (t->kind != PN_RULE && match_syntax(t->arg, err) == -1) {
		tnode_free(t);
		return NULL;
	}
	return t;
 oom:
	free(lit);
	tnode_free(t);
	kg_errf(err, KG_EINTERNAL, "out of memory");
	return NULL;
}

enum tok { TK_LP, TK_RP, TK_AND, TK_OR, TK_NOT, TK_CHECK, TK_ANDX, TK_ORX,
	TK_STRING };

static const char *const tok_names[] = { "(", ")", "and", "or", "not",
	"check", "check and check", "check or check", "quoted string" };

struct pstack {
	struct { enum tok tok; struct tnode *t; } v[2 * DEPTH_MAX + 8];
	size_t	n;
};

#define TOP(s, i)	((s)->v[(s)->n - (i)])
#define IS_CHECKISH(k)	((k) == TK_CHECK || (k) == TK_ANDX || (k) == TK_ORX)

/* A new "and"/"or" of a and b, or NULL (out of memory; a and b untouched). */
static struct tnode *
pair(enum pn_kind kind, struct tnode *a, struct tnode *b)
{
	struct tnode	*n;

	if ((n = tnode_new(kind)) == NULL)
		return NULL;
	if (tnode_add(n, a) == -1 || tnode_add(n, b) == -1) {
		n->nkids = 0;		/* a and b stay the caller's */
		tnode_free(n);
		return NULL;
	}
	return n;
}

/*
 * oslo's ParseState.reduce: apply the first matching reduction to the top
 * of the stack, repeatedly. Returns 0, or -1 (out of memory).
 */
static int
reduce(struct pstack *s)
{
	struct tnode	*x, *y, *last;
	enum tok	 a, b, c;

	for (;;) {
		if (s->n >= 3) {
			a = TOP(s, 3).tok;
			b = TOP(s, 2).tok;
			c = TOP(s, 1).tok;
			if (a == TK_LP && IS_CHECKISH(b) && c == TK_RP) {
				x = TOP(s, 2).t;
				s->n -= 3;
				s->v[s->n].tok = TK_CHECK;
				s->v[s->n++].t = x;
				continue;
			}
			if (b == TK_AND && c == TK_CHECK &&
			    (a == TK_CHECK || a == TK_ANDX || a == TK_ORX)) {
				x = TOP(s, 3).t;
				y = TOP(s, 1).t;
				if (a == TK_CHECK) {
					/* _make_and_expr */
					if ((x = pair(PN_AND, x, y)) == NULL)
						return -1;
					a = TK_ANDX;
				} else if (a == TK_ANDX) {
					/* _extend_and_expr */
					if (tnode_add(x, y) == -1)
						return -1;
				} else {
					/* _mix_or_and_expr: "A or B and C" */
					last = x->kids[x->nkids - 1];
					if (last->kind == PN_AND && last->src == NULL) {
						if (tnode_add(last, y) == -1)
							return -1;
					} else {
						if ((last = pair(PN_AND, last, y)) == NULL)
							return -1;
						x->kids[x->nkids - 1] = last;
					}
				}
				s->n -= 3;
				s->v[s->n].tok = a;
				s->v[s->n++].t = x;
				continue;
			}
			if (b == TK_OR && c == TK_CHECK &&
			    (a == TK_CHECK || a == TK_ANDX || a == TK_ORX)) {
				x = TOP(s, 3).t;
				y = TOP(s, 1).t;
				if (a == TK_ORX) {
					/* _extend_or_expr */
					if (tnode_add(x, y) == -1)
						return -1;
				} else {
					/* _make_or_expr */
					if ((x = pair(PN_OR, x, y)) == NULL)
						return -1;
				}
				s->n -= 3;
				s->v[s->n].tok = TK_ORX;
				s->v[s->n++].t = x;
				continue;
			}
		}
		if (s->n >= 2 && TOP(s, 2).tok == TK_NOT && TOP(s, 1).tok == TK_CHECK) {
			struct tnode *n = tnode_new(PN_NOT);

			if (n == NULL)
				return -1;
			n->op = TOP(s, 1).t;
			s->n -= 2;
			s->v[s->n].tok = TK_CHECK;
			s->v[s->n++].t = n;
			continue;
		}
		return 0;
	}
}

static void
pstack_clear(struct pstack *s)
{
	while (s->n > 0) {
		s->n--;
		tnode_free(s->v[s->n].t);
	}
}

static int
shift(struct pstack *s, enum tok tok, struct tnode *t, struct kg_err *err)
{
	if (s->n == sizeof(s->v) / sizeof(s->v[0])) {
		tnode_free(t);
		return perr(err, "nested more than %d deep", DEPTH_MAX);
	}
	s->v[s->n].tok = tok;
	s->v[s->n++].t = t;
	if (reduce(s) == -1)
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	return 0;
}

/* Python's \s for the ASCII range (str.split by re '\s+'). */
static int
py_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

/* Why a parse that did not reduce to one check failed, for the message. */
static void
parse_failure(const struct pstack *s, const char *rule, struct kg_err *err)
{
	char	shape[160];
	size_t	i, o = 0;
	int	depth = 0;

	for (const char *p = rule; *p; p++) {
		/* A crude count: parentheses inside %(...)s are balanced too. */
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
	}
	shape[0] = '\0';
	for (i = 0; i < s->n && o < sizeof(shape) - 40; i++)
		o += (size_t)snprintf(shape + o, sizeof(shape) - o, "%s%s",
		    i ? " " : "", tok_names[s->v[i].tok]);
	if (s->n > 0 && i < s->n)
		snprintf(shape + o, sizeof(shape) - o, " ...");
	if (depth != 0)
		perr(err, "could not parse the rule: unbalanced parentheses");
	else if (s->n == 0)
		perr(err, "could not parse the rule: no check");
	else
		perr(err, "could not parse the rule: it reduces to \"%s\", not one "
		    "check (missing and/or, or an operator without operand)", shape);
}

/*
 * oslo's _parse_text_rule: the rule string into a tree, or NULL with err.
 * The empty rule is always true.
 */
static struct tnode *
parse_rule(const char *rule, struct kg_err *err)
{
	struct pstack	 st;
	struct tnode	*t, *res;
	const char	*p = rule, *tok, *end, *clean;
	size_t		 len, trail, lead, i;
	char		 low[4];

	st.n = 0;
	if (strlen(rule) > CHECK_MAX) {
		perr(err, "the rule is longer than %d bytes", CHECK_MAX);
		return NULL;
	}
	for (;;) {
		while (py_space((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		tok = p;
		while (*p != '\0' && !py_space((unsigned char)*p))
			p++;
		end = p;
		for (lead = 0; tok + lead < end && tok[lead] == '('; lead++)
			if (shift(&st, TK_LP, NULL, err) == -1)
				goto fail;
		tok += lead;
		if (tok == end)
			continue;
		for (clean = end; clean > tok && clean[-1] == ')'; clean--)
			;
		trail = (size_t)(end - clean);
		len = (size_t)(clean - tok);
		if (len == 2 || len == 3) {
			for (i = 0; i < len; i++)
				low[i] = (char)tolower((unsigned char)tok[i]);
			low[len] = '\0';
		} else
			low[0] = '\0';
		if (strcmp(low, "and") == 0 || strcmp(low, "or") == 0 ||
		    strcmp(low, "not") == 0) {
			if (shift(&st, low[0] == 'a' ? TK_AND : low[0] == 'o' ?
			    TK_OR : TK_NOT, NULL, err) == -1)
				goto fail;
		} else if (len > 0) {
			/* oslo tests the quotes on the token with its trailing
			 * parentheses still on. */
			if (end - tok >= 2 && (tok[0] == '"' || tok[0] == '\'') &&
			    end[-1] == tok[0]) {
				if (shift(&st, TK_STRING, NULL, err) == -1)
					goto fail;
			} else {
				if ((t = parse_check(tok, len, err)) == NULL)
					goto fail;
				if (shift(&st, TK_CHECK, t, err) == -1)
					goto fail;
			}
		}
		for (i = 0; i < trail; i++)
			if (shift(&st, TK_RP, NULL, err) == -1)
				goto fail;
	}
	if (st.n == 0 && rule[0] != '\0') {
		/* oslo: only the empty string is TrueCheck; blanks fail to parse. */
		perr(err, "could not parse the rule: no check (\"\" allows everyone)");
		return NULL;
	}
	if (st.n == 0) {
		/* The empty rule: oslo's TrueCheck. */
		if ((res = tnode_new(PN_TRUE)) == NULL ||
		    (res->src = strdup("")) == NULL) {
			tnode_free(res);
			kg_errf(err, KG_EINTERNAL, "out of memory");
			return NULL;
		}
		return res;
	}
	if (st.n != 1 || !IS_CHECKISH(st.v[0].tok)) {
		parse_failure(&st, rule, err);
		goto fail;
	}
	return st.v[0].t;
 fail:
	pstack_clear(&st);
	return NULL;
}

int
policy_check_syntax(const char *check_str, struct kg_err *err)
{
	struct tnode	*t;

	if ((t = parse_rule(check_str, err)) == NULL)
		return -1;
	tnode_free(t);
	return 0;
}

/* ------------------------------------------------------------------------
 * Compiling trees into the set.
 * --------------------------------------------------------------------- */

static int
rule_cmp(const void *a, const void *b, void *arg)
{
	const struct policy_set	*s = arg;

	return strcmp(TXT(s, ((const struct prule *)a)->name),
	    TXT(s, ((const struct prule *)b)->name));
}

/*
 * Hash of a rule name: FNV-1a of its length and last 12 bytes (names
 * share the "identity:" prefix and differ at the end); cheap on the
 * request path.
 */
static uint32_t
name_hash(const char *p)
{
	uint32_t	h = 2166136261u;
	size_t		len = strlen(p), i;

	h = (h ^ (uint32_t)len) * 16777619u;
	for (i = len > 12 ? len - 12 : 0; i < len; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return h;
}

static long
rule_index(const struct policy_set *s, const char *name)
{
	size_t		lo = 0, hi = s->nrules, mid, i;
	unsigned int	v;
	int		c;

	/* Enforcement looks names up in the table built with the set. */
	if (s->hash != NULL) {
		for (i = name_hash(name) & s->hmask; (v = s->hash[i]) != 0;
		    i = (i + 1) & s->hmask)
			if (strcmp(TXT(s, s->rules[v - 1].name), name) == 0)
				return (long)v - 1;
		return -1;
	}

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(name, TXT(s, s->rules[mid].name));
		if (c == 0)
			return (long)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

/* The match string m as a template: text pieces and known keys. */
static long
tmpl_add(struct policy_set *s, const char *m)
{
	const char	*p = m, *q;
	struct pseg	 seg;
	long		 off;
	size_t		 first = s->nsegs;
	int		 depth;
	char		 key[256];

	while (*p != '\0') {
		if (*p == '%' && p[1] == '(') {
			depth = 1;
			for (q = p + 2; *q != '\0' && depth > 0; q++)
				if (*q == '(')
					depth++;
				else if (*q == ')')
					depth--;
			/* q is past ')'; "s" follows (match_syntax checked). */
			snprintf(key, sizeof(key), "%.*s", (int)(q - p - 3), p + 2);
			seg.key = (q - p - 3) < (long)sizeof(key) ?
			    (unsigned int)policy_key_find(key) : PK_NEVER;
			seg.off = seg.len = 0;
			p = q + 1;
		} else {
			/* A run of text; "%%" is one '%'. */
			char	buf[1024];
			size_t	n = 0;

			while (*p != '\0' && !(*p == '%' && p[1] == '(') &&
			    n < sizeof(buf)) {
				buf[n++] = *p;
				p += (*p == '%' && p[1] == '%') ? 2 : 1;
			}
			if ((off = text_add(s, buf, n)) == -1)
				return -1;
			seg.key = SEG_TEXT;
			seg.off = (unsigned int)off;
			seg.len = (unsigned int)n;
		}
		if (grow((void **)&s->segs, &s->csegs, s->nsegs, sizeof(seg)) == -1)
			return -1;
		s->segs[s->nsegs++] = seg;
	}
	if (grow((void **)&s->tmpls, &s->ctmpls, s->ntmpls,
	    sizeof(struct ptmpl)) == -1)
		return -1;
	s->tmpls[s->ntmpls].seg = (unsigned int)first;
	s->tmpls[s->ntmpls].nseg = (unsigned int)(s->nsegs - first);
	s->tmpls[s->ntmpls].shape = TM_MIXED;
	if (s->nsegs - first == 0) {
		/* The empty match: the empty text. */
		if ((off = text_add(s, "", 0)) == -1)
			return -1;
		s->tmpls[s->ntmpls].shape = TM_TEXT;
		s->tmpls[s->ntmpls].text = (unsigned int)off;
	} else if (s->nsegs - first == 1 && s->segs[first].key == SEG_TEXT) {
		s->tmpls[s->ntmpls].shape = TM_TEXT;
		s->tmpls[s->ntmpls].text = s->segs[first].off;
	} else if (s->nsegs - first == 1) {
		s->tmpls[s->ntmpls].shape = TM_KEY;
		s->tmpls[s->ntmpls].key = s->segs[first].key;
	}
	return (long)s->ntmpls++;
}

/*
 * Emit tree t into the set; returns its node index or -1 (out of memory,
 * or an undefined rule: reference, err set).
 */
static long
emit(struct policy_set *s, const struct tnode *t, struct kg_err *err)
{
	struct pnode	 n;
	long		 off, idx, k;
	size_t		 i, first;

	memset(&n, 0, sizeof(n));
	n.kind = (unsigned char)t->kind;
	if ((off = text_add(s, t->src ? t->src : "", t->src ? strlen(t->src) : 0))
	    == -1)
		goto oom;
	n.src = (unsigned int)off;
	switch (t->kind) {
	case PN_TRUE:
	case PN_FALSE:
		break;
	case PN_AND:
	case PN_OR:
		/*
		 * Kids first (they may add nodes), then their indices. An "or"
		 * kid of an "or" (an "and" of an "and") is spliced in: the
		 * same decision with fewer nodes to walk.
		 */
		{
			long		*ix = calloc(t->nkids, sizeof(*ix));
			size_t		 total = 0, j;
			const struct pnode *kn;

			if (ix == NULL)
				goto oom;
			for (i = 0; i < t->nkids; i++) {
				if ((ix[i] = emit(s, t->kids[i], err)) == -1) {
					free(ix);
					return -1;
				}
				kn = &s->nodes[ix[i]];
				total += kn->kind == t->kind ? kn->n : 1;
			}
			first = s->nkids;
			for (i = 0; i < t->nkids; i++) {
				kn = &s->nodes[ix[i]];
				for (j = 0; j < (kn->kind == t->kind ? kn->n : 1); j++) {
					if (grow((void **)&s->kids, &s->ckids, s->nkids,
					    sizeof(unsigned int)) == -1) {
						free(ix);
						goto oom;
					}
					kn = &s->nodes[ix[i]];
					s->kids[s->nkids++] = kn->kind == t->kind ?
					    s->kids[kn->a + j] : (unsigned int)ix[i];
				}
			}
			free(ix);
			n.a = (unsigned int)first;
			n.n = (unsigned int)total;
		}
		break;
	case PN_NOT:
		if ((k = emit(s, t->op, err)) == -1)
			return -1;
		n.a = (unsigned int)k;
		break;
	case PN_RULE:
		if ((k = rule_index(s, t->arg)) == -1) {
			perr(err, "check 'rule:%s': no rule of that name", t->arg);
			return -1;
		}
		n.a = (unsigned int)k;
		break;
	case PN_LIT:
		if ((off = text_add(s, t->lit, strlen(t->lit))) == -1)
			goto oom;
		n.n = (unsigned int)off;
		/* FALLTHROUGH */
	case PN_ROLE:
	case PN_CRED:
		n.attr = (unsigned char)t->attr;
		if ((k = tmpl_add(s, t->arg)) == -1)
			goto oom;
		n.a = (unsigned int)k;
		break;
	}
	if (grow((void **)&s->nodes, &s->cnodes, s->nnodes, sizeof(n)) == -1)
		goto oom;
	idx = (long)s->nnodes;
	s->nodes[s->nnodes++] = n;
	return idx;
 oom:
	kg_errf(err, KG_EINTERNAL, "out of memory");
	return -1;
}

/* ------------------------------------------------------------------------
 * Evaluation.
 * --------------------------------------------------------------------- */

/* Explain mode: the checks visited, in order (allocates; not the hot path). */
struct xline {
	int	 depth;
	char	*what;
	int	 result;
};

struct env {
	const struct kg_ctx		*ctx;
	const struct policy_target	*t;
	int				 explain;
	struct xline			*x;
	size_t				 nx, cx;
	int				 xfail;
};

static const char *
tval(const struct env *e, unsigned int key)
{
	if (key >= PK_COUNT || e->t == NULL)
		return NULL;
	return e->t->v[key];
}

/* Every key the template substitutes is present (else: KeyError). */
static int
tmpl_ready(const struct policy_set *s, const struct ptmpl *m, const struct env *e)
{
	unsigned int	i;

	for (i = 0; i < m->nseg; i++)
		if (s->segs[m->seg + i].key != SEG_TEXT &&
		    tval(e, s->segs[m->seg + i].key) == NULL)
			return 0;
	return 1;
}

/*
 * The substituted template equals str (ASCII case-folded when icase:
 * Python's str.lower() also folds non-ASCII letters; keygate does not).
 */
static int
tmpl_eq(const struct policy_set *s, const struct ptmpl *m, const struct env *e,
    const char *str, int icase)
{
	const struct pseg	*g;
	const char		*piece;
	size_t			 len;
	unsigned int		 i;

	for (i = 0; i < m->nseg; i++) {
		g = &s->segs[m->seg + i];
		if (g->key == SEG_TEXT) {
			piece = TXT(s, g->off);
			len = g->len;
		} else {
			piece = tval(e, g->key);
			len = strlen(piece);
		}
		if (strnlen(str, len) < len ||
		    (icase ? strncasecmp(str, piece, len) : memcmp(str, piece, len)) != 0)
			return 0;
		str += len;
	}
	return *str == '\0';
}

/* The substituted template as text (explain only). */
static void
tmpl_render(const struct policy_set *s, const struct ptmpl *m,
    const struct env *e, char *out, size_t outsz)
{
	const struct pseg	*g;
	const char		*v;
	size_t			 o = 0;
	unsigned int		 i;
	int			 w;

	out[0] = '\0';
	for (i = 0; i < m->nseg && o < outsz; i++) {
		g = &s->segs[m->seg + i];
		if (g->key == SEG_TEXT)
			w = snprintf(out + o, outsz - o, "%.*s", (int)g->len,
			    TXT(s, g->off));
		else {
			v = tval(e, g->key);
			w = snprintf(out + o, outsz - o, "%s", v ? v :
			    "<missing: KeyError>");
		}
		if (w < 0)
			break;
		o += (size_t)w;
	}
}

static long
xadd(struct env *e, int depth)
{
	if (e->xfail || grow((void **)&e->x, &e->cx, e->nx, sizeof(*e->x)) == -1) {
		e->xfail = 1;
		return -1;
	}
	e->x[e->nx].depth = depth;
	e->x[e->nx].what = NULL;
	e->x[e->nx].result = 0;
	return (long)e->nx++;
}

static int
eval_leaf(const struct policy_set *s, const struct pnode *p, struct env *e)
{
	const struct ptmpl	*m = &s->tmpls[p->a];
	const char		*v;
	size_t			 i;

	/* One piece of text or one key: compare whole strings. */
	if (m->shape != TM_MIXED) {
		const char *want = m->shape == TM_TEXT ? TXT(s, m->text) :
		    tval(e, m->key);

		if (want == NULL)
			return 0;		/* KeyError */
		switch (p->kind) {
		case PN_ROLE:
			/* (c | 0x20) differs only if the ASCII-folded bytes do:
			 * a cheap first test before strcasecmp. */
			for (i = 0; i < e->ctx->nroles; i++)
				if ((e->ctx->roles[i].name[0] | 0x20) == (want[0] | 0x20) &&
				    strcasecmp(e->ctx->roles[i].name, want) == 0)
					return 1;
			return 0;
		case PN_LIT:
			return strcmp(TXT(s, p->n), want) == 0;
		case PN_CRED:
			for (i = 0; (v = cred_value(e->ctx, p->attr, i)) != NULL; i++)
				if (v[0] == want[0] && strcmp(v, want) == 0)
					return 1;
			return 0;
		}
		return 0;
	}
	if (!tmpl_ready(s, m, e))
		return 0;
	switch (p->kind) {
	case PN_ROLE:
		/* RoleCheck: match.lower() in [r.lower() for r in roles] */
		for (i = 0; i < e->ctx->nroles; i++)
			if (tmpl_eq(s, m, e, e->ctx->roles[i].name, 1))
				return 1;
		return 0;
	case PN_LIT:
		return tmpl_eq(s, m, e, TXT(s, p->n), 0);
	case PN_CRED:
		/* GenericCheck: match == str(creds[kind...]), any list item */
		for (i = 0; (v = cred_value(e->ctx, p->attr, i)) != NULL; i++)
			if (tmpl_eq(s, m, e, v, 0))
				return 1;
		return 0;
	}
	return 0;
}

static void
explain_line(const struct policy_set *s, const struct pnode *p, struct env *e,
    long line, int r)
{
	char	buf[700], m[400];

	if (line < 0)
		return;
	if (p->ref != 0 && (p->kind == PN_AND || p->kind == PN_OR ||
	    p->kind == PN_NOT))
		snprintf(buf, sizeof(buf), "%s: %s", TXT(s, p->ref), p->kind == PN_AND ?
		    "and" : p->kind == PN_OR ? "or" : "not");
	else if (p->ref != 0 && (p->kind == PN_ROLE || p->kind == PN_CRED ||
	    p->kind == PN_LIT)) {
		tmpl_render(s, &s->tmpls[p->a], e, m, sizeof(m));
		snprintf(buf, sizeof(buf), "%s: %s  (match \"%s\")", TXT(s, p->ref),
		    TXT(s, p->src), m);
	} else if (p->ref != 0)
		snprintf(buf, sizeof(buf), "%s: %s", TXT(s, p->ref), *TXT(s, p->src) ?
		    TXT(s, p->src) : "\"\" (the empty rule)");
	else if (p->kind == PN_AND || p->kind == PN_OR || p->kind == PN_NOT)
		snprintf(buf, sizeof(buf), "%s", p->kind == PN_AND ? "and" :
		    p->kind == PN_OR ? "or" : "not");
	else if (p->kind == PN_ROLE || p->kind == PN_CRED || p->kind == PN_LIT) {
		tmpl_render(s, &s->tmpls[p->a], e, m, sizeof(m));
		snprintf(buf, sizeof(buf), "%s  (match \"%s\")", TXT(s, p->src), m);
	} else
		snprintf(buf, sizeof(buf), "%s", *TXT(s, p->src) ? TXT(s, p->src) :
		    "\"\" (the empty rule)");
	if ((e->x[line].what = strdup(buf)) == NULL)
		e->xfail = 1;
	e->x[line].result = r;
}

static int	eval(const struct policy_set *s, unsigned int n, struct env *e,
		    int depth);

/* A kid of an and/or: leaf checks without a call through eval. */
static inline int
eval_kid(const struct policy_set *s, unsigned int n, struct env *e, int depth)
{
	const struct pnode	*k = &s->nodes[n];

	if (!e->explain && (k->kind == PN_ROLE || k->kind == PN_CRED ||
	    k->kind == PN_LIT))
		return eval_leaf(s, k, e);
	return eval(s, n, e, depth);
}

static int
eval(const struct policy_set *s, unsigned int n, struct env *e, int depth)
{
	const struct pnode	*p = &s->nodes[n];
	unsigned int		 i;
	long			 line = -1;
	int			 r = 0;

	if (e->explain)
		line = xadd(e, depth);
	switch (p->kind) {
	case PN_TRUE:
		r = 1;
		break;
	case PN_FALSE:
		r = 0;
		break;
	case PN_AND:
		r = 1;
		for (i = 0; i < p->n && r; i++)
			r = eval_kid(s, s->kids[p->a + i], e, depth + 1);
		break;
	case PN_OR:
		for (i = 0; i < p->n && !r; i++)
			r = eval_kid(s, s->kids[p->a + i], e, depth + 1);
		break;
	case PN_NOT:
		r = !eval(s, p->a, e, depth + 1);
		break;
	case PN_RULE:
		r = eval(s, s->rules[p->a].root, e, depth + 1);
		break;
	default:
		r = eval_leaf(s, p, e);
		break;
	}
	if (e->explain)
		explain_line(s, p, e, line, r);
	return r;
}

/*
 * rule_index with a small per-thread memo keyed by the name's address:
 * callers pass the same string literals again and again. The name is
 * still compared, so a reused buffer cannot pick a stale rule.
 */
static long
rule_index_cached(const struct policy_set *s, const char *name)
{
	static __thread struct {
		unsigned long	 serial;
		const char	*name;
		long		 idx;
	} memo[16];
	size_t	slot = ((uintptr_t)name >> 3) & 15;
	long	i;

	if (memo[slot].serial == s->serial && memo[slot].name == name &&
	    strcmp(TXT(s, s->rules[memo[slot].idx].name), name) == 0)
		return memo[slot].idx;
	if ((i = rule_index(s, name)) >= 0) {
		memo[slot].serial = s->serial;
		memo[slot].name = name;
		memo[slot].idx = i;
	}
	return i;
}

static unsigned int
scope_bit(const struct kg_ctx *c)
{
	/* oslo's _enforce_scope: neither system nor domain is "project". */
	return c->scope == KG_SCOPE_SYSTEM ? PS_SYSTEM :
	    c->scope == KG_SCOPE_DOMAIN ? PS_DOMAIN : PS_PROJECT;
}

static const char *
scope_text(unsigned int bits, char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, "%s%s%s%s%s", bits & PS_SYSTEM ? "system" : "",
	    (bits & PS_SYSTEM) && (bits & (PS_DOMAIN | PS_PROJECT)) ? "," : "",
	    bits & PS_DOMAIN ? "domain" : "",
	    (bits & PS_DOMAIN) && (bits & PS_PROJECT) ? "," : "",
	    bits & PS_PROJECT ? "project" : "");
	return buf;
}

static int
enforce(const struct policy_set *s, const char *rule, const struct kg_ctx *ctx,
    const struct policy_target *t, struct env *e, char *note, size_t notesz)
{
	const struct prule	*r;
	long			 i;
	char			 a[32], b[32];

	if (s == NULL || ctx == NULL || (i = rule_index_cached(s, rule)) == -1) {
		if (note != NULL)
			snprintf(note, notesz, "no rule named %s: denied", rule);
		return 0;
	}
	r = &s->rules[i];
	e->ctx = ctx;
	e->t = t;
	if (r->registered && r->scope_types != 0 &&
	    !(r->scope_types & scope_bit(ctx))) {
		if (note != NULL)
			snprintf(note, notesz, "scope: the token is %s-scoped, the "
			    "rule's scope_types are %s: %s",
			    scope_text(scope_bit(ctx), a, sizeof(a)),
			    scope_text(r->scope_types, b, sizeof(b)),
			    s->opt.enforce_scope ? "denied (enforce_scope)" :
			    "allowed to go on (enforce_scope is off)");
		if (s->opt.enforce_scope) {
			/* Explain what the check alone would give, all the same. */
			if (e->explain)
				(void)eval(s, r->root, e, 0);
			return 0;
		}
	}
	return eval(s, r->root, e, 0);
}

int
policy_enforce(const struct policy_set *s, const char *rule,
    const struct kg_ctx *ctx, const struct policy_target *t)
{
	struct env	e;

	memset(&e, 0, sizeof(e));
	return enforce(s, rule, ctx, t, &e, NULL, 0);
}

int
policy_has_rule(const struct policy_set *s, const char *rule)
{
	return s != NULL && rule_index_cached(s, rule) != -1;
}

int
policy_explain(const struct policy_set *s, const char *rule,
    const struct kg_ctx *ctx, const struct policy_target *t,
    policy_trace_fn trace, void *arg)
{
	struct env	e;
	char		note[300];
	size_t		i;
	int		r;

	memset(&e, 0, sizeof(e));
	e.explain = 1;
	note[0] = '\0';
	r = enforce(s, rule, ctx, t, &e, note, sizeof(note));
	if (note[0] != '\0')
		trace(arg, -1, note, r);
	for (i = 0; i < e.nx; i++) {
		if (!e.xfail)
			trace(arg, e.x[i].depth, e.x[i].what, e.x[i].result);
		free(e.x[i].what);
	}
	free(e.x);
	return e.xfail ? -1 : r;
}

/* ------------------------------------------------------------------------
 * Building a set.
 * --------------------------------------------------------------------- */

static const struct policy_file_rule *
file_find(const struct policy_file *f, const char *name)
{
	size_t	i;

	for (i = 0; f != NULL && i < f->n; i++)
		if (strcmp(f->v[i].name, name) == 0)
			return &f->v[i];
	return NULL;
}

static const struct policy_default *
default_find(const struct policy_defaults *d, const char *name)
{
	size_t	i;

	for (i = 0; i < d->nrules; i++)
		if (strcmp(d->rules[i].name, name) == 0)
			return &d->rules[i];
	return NULL;
}

/* The check is exactly "rule:<name>" (oslo compares str(check)). */
static int
is_ref_to(const char *check_str, const char *name)
{
	struct kg_err	 e = { 0 };
	struct tnode	*t = parse_rule(check_str, &e);
	int		 r;

	r = t != NULL && t->kind == PN_RULE && strcmp(t->arg, name) == 0;
	tnode_free(t);
	return r;
}

static int
add_rule(struct policy_set *s, const char *name, const char *src1,
    const char *src2, enum origin origin, int line)
{
	struct prule	*r = &s->rules[s->nrules];
	const struct policy_default *d = default_find(s->opt.defaults, name);
	long		 off;

	memset(r, 0, sizeof(*r));
	if ((off = text_add(s, name, strlen(name))) == -1)
		return -1;
	r->name = (unsigned int)off;
	r->src1 = src1;
	r->src2 = src2;
	r->origin = origin;
	r->line = line;
	r->registered = d != NULL;
	r->scope_types = d != NULL ? d->scope_types : 0;
	s->nrules++;
	return 0;
}

/* Where rule r came from, for error messages. */
static void
rule_where(const struct policy_set *s, const struct prule *r,
    const struct policy_file *f, char *buf, size_t bufsz)
{
	if (r->origin == OR_FILE || r->origin == OR_FILE_RENAMED)
		snprintf(buf, bufsz, "%s:%d: rule \"%s\"", f != NULL &&
		    f->path != NULL ? f->path : "policy file", r->line,
		    TXT(s, r->name));
	else
		snprintf(buf, bufsz, "built-in policy %s: rule \"%s\"",
		    s->opt.defaults->name, TXT(s, r->name));
}

/* Prefix err's message with where rule r came from. */
static void
prefix_err(const struct policy_set *s, const struct prule *r,
    const struct policy_file *f, struct kg_err *err)
{
	char	where[200], msg[sizeof(err->msg)];

	rule_where(s, r, f, where, sizeof(where));
	memcpy(msg, err->msg, sizeof(msg));
	msg[sizeof(msg) - 1] = '\0';
	kg_errf(err, err->kind, "%s: %s", where, msg);
}

static int
compile_rule(struct policy_set *s, struct prule *r, struct kg_err *err)
{
	struct tnode	*t1 = NULL, *t2 = NULL, *t = NULL;
	long		 root = -1, off;
	char		*both = NULL;
	size_t		 len;

	if ((t1 = parse_rule(r->src1, err)) == NULL)
		goto done;
	if (r->src2 != NULL) {
		if ((t2 = parse_rule(r->src2, err)) == NULL)
			goto done;
		/* oslo: OrCheck([default.check, deprecated_rule.check]) */
		if ((t = tnode_new(PN_OR)) == NULL || tnode_add(t, t1) == -1)
			goto oom;
		t1 = NULL;
		if (tnode_add(t, t2) == -1)
			goto oom;
		t2 = NULL;
		len = strlen(r->src1) + strlen(r->src2) + 16;
		if ((both = malloc(len)) == NULL)
			goto oom;
		snprintf(both, len, "(%s) or (%s)", r->src1, r->src2);
		off = text_add(s, both, strlen(both));
	} else {
		t = t1;
		t1 = NULL;
		off = text_add(s, r->src1, strlen(r->src1));
	}
	if (off == -1)
		goto oom;
	r->check = (unsigned int)off;
	root = emit(s, t, err);
	goto done;
 oom:
	kg_errf(err, KG_EINTERNAL, "out of memory");
 done:
	free(both);
	tnode_free(t1);
	tnode_free(t2);
	tnode_free(t);
	if (root >= 0)
		r->root = (unsigned int)root;
	return root >= 0 ? 0 : -1;
}

/*
 * Depth of node n, following rule: references; -1 with err on a cycle
 * (oslo's _cycle_check) or when deeper than DEPTH_MAX.
 */
static int	rule_depth(struct policy_set *s, size_t i, int depth,
		    struct kg_err *err);

static int
node_depth(struct policy_set *s, unsigned int n, int depth, struct kg_err *err)
{
	const struct pnode	*p = &s->nodes[n];
	unsigned int		 i;
	int			 d, max = 0;

	if (depth > DEPTH_MAX)
		return perr(err, "rules nested more than %d deep", DEPTH_MAX);
	switch (p->kind) {
	case PN_AND:
	case PN_OR:
		for (i = 0; i < p->n; i++) {
			if ((d = node_depth(s, s->kids[p->a + i], depth + 1, err)) == -1)
				return -1;
			if (d > max)
				max = d;
		}
		return max + 1;
	case PN_NOT:
		if ((d = node_depth(s, p->a, depth + 1, err)) == -1)
			return -1;
		return d + 1;
	case PN_RULE:
		if ((d = rule_depth(s, p->a, depth + 1, err)) == -1)
			return -1;
		return d + 1;
	}
	return 1;
}

static int
rule_depth(struct policy_set *s, size_t i, int depth, struct kg_err *err)
{
	struct prule	*r = &s->rules[i];
	int		 d;

	if (r->state == 2)
		return r->depth;
	if (r->state == 1)
		return perr(err, "rule \"%s\" refers to itself (a cycle of rule: "
		    "references)", TXT(s, r->name));
	r->state = 1;
	if ((d = node_depth(s, r->root, depth, err)) == -1)
		return -1;
	r->state = 2;
	r->depth = d;
	return d;
}

/*
 * Fewer nodes to walk, same decisions (every check is free of side
 * effects): a rule: reference becomes a copy of the rule's root node
 * (kids shared), and an "or" kid of an "or" (an "and" of an "and") is
 * spliced into its parent. Run once the set is complete and acyclic.
 */
static int
optimize(struct policy_set *s)
{
	struct pnode	*p, *k;
	unsigned int	 r, j, m, first;
	size_t		 n;
	int		 changed, pass;

	for (n = 0; n < s->nnodes; n++) {
		p = &s->nodes[n];
		if (p->kind != PN_RULE)
			continue;
		r = s->rules[p->a].root;
		while (s->nodes[r].kind == PN_RULE)
			r = s->rules[s->nodes[r].a].root;
		{
			unsigned int	ref = p->src;

			*p = s->nodes[r];
			p->ref = ref;
		}
	}
	for (pass = 0; pass < DEPTH_MAX; pass++) {
		changed = 0;
		for (n = 0; n < s->nnodes; n++) {
			p = &s->nodes[n];
			if (p->kind != PN_AND && p->kind != PN_OR)
				continue;
			for (j = 0; j < p->n; j++)
				if (s->nodes[s->kids[p->a + j]].kind == p->kind)
					break;
			if (j == p->n)
				continue;
			first = (unsigned int)s->nkids;
			for (j = 0; j < p->n; j++) {
				k = &s->nodes[s->kids[s->nodes[n].a + j]];
				for (m = 0; m < (k->kind == s->nodes[n].kind ? k->n : 1);
				    m++) {
					if (grow((void **)&s->kids, &s->ckids, s->nkids,
					    sizeof(unsigned int)) == -1)
						return -1;
					k = &s->nodes[s->kids[s->nodes[n].a + j]];
					s->kids[s->nkids++] = k->kind == s->nodes[n].kind ?
					    s->kids[k->a + m] : s->kids[s->nodes[n].a + j];
				}
			}
			s->nodes[n].a = first;
			s->nodes[n].n = (unsigned int)s->nkids - first;
			changed = 1;
		}
		if (!changed)
			break;
	}
	/*
	 * Single checks before sub-expressions, stably: an "or" that a cheap
	 * check decides (role:admin, role:service) stops there; the same
	 * decision in any order, as no check has side effects.
	 */
	for (n = 0; n < s->nnodes; n++) {
		p = &s->nodes[n];
		if (p->kind != PN_AND && p->kind != PN_OR)
			continue;
		first = (unsigned int)s->nkids;
		for (pass = 0; pass < 2; pass++)
			for (j = 0; j < s->nodes[n].n; j++) {
				r = s->kids[s->nodes[n].a + j];
				k = &s->nodes[r];
				if ((k->kind == PN_AND || k->kind == PN_OR ||
				    k->kind == PN_NOT) != pass)
					continue;
				if (grow((void **)&s->kids, &s->ckids, s->nkids,
				    sizeof(unsigned int)) == -1)
					return -1;
				s->kids[s->nkids++] = r;
			}
		s->nodes[n].a = first;
	}
	return 0;
}

struct policy_set *
policy_set_build(const struct policy_options *o, const struct policy_file *f,
    struct kg_err *err)
{
	const struct policy_defaults	*d = o->defaults;
	const struct policy_default	*def;
	const struct policy_file_rule	*fr;
	struct policy_set		*s;
	char				 where[400];
	size_t				 i, max;
	const char			*src2;
	struct prule			*r;

	if (d == NULL) {
		kg_errf(err, KG_EBADREQ, "no default policy set");
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		goto oom;
	s->opt = *o;
	s->serial = atomic_fetch_add(&next_serial, 1);
	/* Text offset 0 is a placeholder: pnode.ref 0 means "none". */
	if (text_add(s, "", 0) == -1)
		goto oom;
	max = d->nrules + (f != NULL ? f->n : 0);
	if ((s->rules = calloc(max ? max : 1, sizeof(*s->rules))) == NULL)
		goto oom;

	/* The file's rules first: they win over defaults of the same name. */
	for (i = 0; f != NULL && i < f->n; i++)
		if (add_rule(s, f->v[i].name, f->v[i].check_str, NULL, OR_FILE,
		    f->v[i].line) == -1)
			goto oom;
	for (i = 0; i < d->nrules; i++) {
		def = &d->rules[i];
		if (file_find(f, def->name) != NULL)
			continue;
		src2 = NULL;
		if (def->deprecated_name != NULL) {
			/* A rename the file still overrides by the old name. */
			fr = strcmp(def->deprecated_name, def->name) != 0 ?
			    file_find(f, def->deprecated_name) : NULL;
			if (fr != NULL && !is_ref_to(fr->check_str, def->name)) {
				if (add_rule(s, def->name, fr->check_str, NULL,
				    OR_FILE_RENAMED, fr->line) == -1)
					goto oom;
				continue;
			}
			if (!o->enforce_new_defaults &&
			    strcmp(def->deprecated_check_str, def->check_str) != 0)
				src2 = def->deprecated_check_str;
		}
		if (add_rule(s, def->name, def->check_str, src2, src2 != NULL ?
		    OR_DEFAULT_DEPRECATED : OR_DEFAULT, 0) == -1)
			goto oom;
	}
	qsort_r(s->rules, s->nrules, sizeof(*s->rules), rule_cmp, s);
	for (i = 1; i < s->nrules; i++)
		if (strcmp(TXT(s, s->rules[i - 1].name), TXT(s, s->rules[i].name)) == 0) {
			rule_where(s, &s->rules[i], f, where, sizeof(where));
			kg_errf(err, KG_EBADREQ, "%s: defined twice", where);
			goto fail;
		}
	for (i = 0; i < s->nrules; i++) {
		r = &s->rules[i];
		if (compile_rule(s, r, err) == -1) {
			prefix_err(s, r, f, err);
			goto fail;
		}
	}
	for (i = 0; i < s->nrules; i++)
		if (rule_depth(s, i, 0, err) == -1) {
			prefix_err(s, &s->rules[i], f, err);
			goto fail;
		}
	for (i = 0; i < s->nrules; i++)
		s->rules[i].src1 = s->rules[i].src2 = NULL;
	if (optimize(s) == -1)
		goto oom;
	/* Open addressing, at most half full. */
	for (max = 64; max < 2 * s->nrules; max *= 2)
		;
	if ((s->hash = calloc(max, sizeof(*s->hash))) == NULL)
		goto oom;
	s->hmask = max - 1;
	for (i = 0; i < s->nrules; i++) {
		size_t	h = name_hash(TXT(s, s->rules[i].name)) & s->hmask;

		while (s->hash[h] != 0)
			h = (h + 1) & s->hmask;
		s->hash[h] = (unsigned int)i + 1;
	}
	return s;
 oom:
	kg_errf(err, KG_EINTERNAL, "out of memory");
 fail:
	policy_set_free(s);
	return NULL;
}

void
policy_set_free(struct policy_set *s)
{
	if (s == NULL)
		return;
	free(s->rules);
	free(s->nodes);
	free(s->kids);
	free(s->tmpls);
	free(s->segs);
	free(s->text);
	free(s->hash);
	free(s);
}

const struct policy_options *
policy_set_options(const struct policy_set *s)
{
	return &s->opt;
}

size_t
policy_set_count(const struct policy_set *s)
{
	return s->nrules;
}

int
policy_set_rule(const struct policy_set *s, size_t i, struct policy_rule_info *out)
{
	const struct prule	*r;

	if (i >= s->nrules)
		return -1;
	r = &s->rules[i];
	out->name = TXT(s, r->name);
	out->check_str = TXT(s, r->check);
	out->scope_types = r->scope_types;
	out->origin = origin_names[r->origin];
	out->line = r->line;
	return 0;
}

const struct policy_defaults *
policy_defaults_find(const char *name)
{
	if (strcmp(name, "keystone-22") == 0)
		return &policy_keystone_legacy;
	if (strcmp(name, "keystone-29") == 0)
		return &policy_keystone_current;
	return NULL;
}
