/*
 * policy_file.c - read an oslo.policy file (policy.yaml / policy.json):
 * a mapping of rule names to check strings. As oslo.policy's
 * parse_file_contents(), JSON is tried first (jansson), then YAML
 * (libyaml). Each rule keeps its line for error messages. Stricter than
 * oslo.policy: duplicate names and values that are not strings (which
 * PyYAML would turn into None, booleans or numbers, and oslo.policy into
 * "always allowed" for None) are refused.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "auth/policy.h"

#define RULES_MAX	100000

void
policy_file_free(struct policy_file *f)
{
	size_t	i;

	if (f == NULL)
		return;
	for (i = 0; i < f->n; i++) {
		free(f->v[i].name);
		free(f->v[i].check_str);
	}
	free(f->v);
	free(f->path);
	memset(f, 0, sizeof(*f));
}

static int
add(struct policy_file *f, const char *name, size_t nlen, const char *check,
    size_t clen, int line, struct kg_err *err)
{
	struct policy_file_rule	*v;
	size_t			 i;

	if (memchr(name, '\0', nlen) != NULL || memchr(check, '\0', clen) != NULL)
		return kg_errf(err, KG_EBADREQ, "%s:%d: a NUL byte in a rule",
		    f->path, line);
	for (i = 0; i < f->n; i++)
		if (strlen(f->v[i].name) == nlen &&
		    memcmp(f->v[i].name, name, nlen) == 0)
			return kg_errf(err, KG_EBADREQ, "%s:%d: rule \"%.*s\" defined "
			    "twice (first at line %d)", f->path, line, (int)nlen, name,
			    f->v[i].line);
	if (f->n == RULES_MAX)
		return kg_errf(err, KG_EBADREQ, "%s:%d: more than %d rules", f->path,
		    line, RULES_MAX);
	if ((v = realloc(f->v, (f->n + 1) * sizeof(*v))) == NULL)
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	f->v = v;
	v = &f->v[f->n];
	v->line = line;
	v->name = strndup(name, nlen);
	v->check_str = strndup(check, clen);
	if (v->name == NULL || v->check_str == NULL) {
		free(v->name);
		free(v->check_str);
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	}
	f->n++;
	return 0;
}

/* ------------------------------------------------------------------------
 * JSON.
 * --------------------------------------------------------------------- */

/*
 * The lines of the top-level keys of a JSON object text jansson accepted,
 * in order (jansson keeps no positions). lines[] has room for max.
 */
static size_t
json_key_lines(const char *p, size_t len, int *lines, size_t max)
{
	const char	*end = p + len;
	size_t		 n = 0;
	int		 line = 1, depth = 0, want_key = 0;

	for (; p < end; p++) {
		switch (*p) {
		case '\n':
			line++;
			break;
		case '{':
		case '[':
			depth++;
			want_key = depth == 1 && *p == '{';
			break;
		case '}':
		case ']':
			depth--;
			break;
		case ',':
			want_key = depth == 1;
			break;
		case '"':
			if (want_key && n < max)
				lines[n++] = line;
			want_key = 0;
			for (p++; p < end && *p != '"'; p++)
				if (*p == '\\' && p + 1 < end)
					p++;
				else if (*p == '\n')
					line++;
			break;
		}
	}
	return n;
}

/* 1: parsed as JSON (or failed as JSON in a way worth reporting: -1). */
static int
load_json(struct policy_file *f, const char *data, size_t len, struct kg_err *err)
{
	json_error_t	 je;
	json_t		*o, *v;
	const char	*k;
	int		*lines;
	size_t		 n, i = 0;

	o = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY |
	    JSON_ALLOW_NUL, &je);
	if (o == NULL) {
		/* A duplicate key is a JSON file's mistake, not YAML's turn. */
		if (strstr(je.text, "duplicate object key") != NULL) {
			kg_errf(err, KG_EBADREQ, "%s:%d: %s", f->path, je.line, je.text);
			return -1;
		}
		return 0;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		kg_errf(err, KG_EBADREQ, "%s: not a mapping of rule names to rules",
		    f->path);
		return -1;
	}
	n = json_object_size(o);
	if ((lines = calloc(n ? n : 1, sizeof(*lines))) == NULL) {
		json_decref(o);
		kg_errf(err, KG_EINTERNAL, "out of memory");
		return -1;
	}
	json_key_lines(data, len, lines, n);
	json_object_foreach(o, k, v) {
		if (!json_is_string(v)) {
			kg_errf(err, KG_EBADREQ, "%s:%d: rule \"%s\": the value is not a "
			    "string (oslo.policy's list syntax is not supported)", f->path,
			    lines[i], k);
			goto fail;
		}
		if (add(f, k, strlen(k), json_string_value(v), json_string_length(v),
		    lines[i], err) == -1)
			goto fail;
		i++;
	}
	free(lines);
	json_decref(o);
	return 1;
 fail:
	free(lines);
	json_decref(o);
	return -1;
}

/* ------------------------------------------------------------------------
 * YAML.
 * --------------------------------------------------------------------- */

/* What PyYAML's resolver makes of a plain scalar other than str, or NULL. */
static const char *
plain_type(const char *s, size_t len)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
	static const char *const bools[] = { "yes", "Yes", "YES", "no", "No", "NO",
		"true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON",
		"off", "Off", "OFF", NULL };
	size_t	i = 0;
	int	k;

	for (k = 0; nulls[k]; k++)
		if (strlen(nulls[k]) == len && memcmp(nulls[k], s, len) == 0)
			return "null";
	for (k = 0; bools[k]; k++)
		if (strlen(bools[k]) == len && memcmp(bools[k], s, len) == 0)
			return "boolean";
	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i < len && s[i] == '.')
		i++;
	if (i < len && s[i] >= '0' && s[i] <= '9')
		return "number";
	if (len >= 3 && (memcmp(s + (s[0] == '+' || s[0] == '-'), ".inf", 4) == 0 ||
	    memcmp(s, ".nan", 4) == 0 || memcmp(s, ".NaN", 4) == 0))
		return "number";
	return NULL;
}

static int
load_yaml(struct policy_file *f, const char *data, size_t len, struct kg_err *err)
{
	yaml_parser_t		 p;
	yaml_document_t		 doc;
	yaml_node_t		*root, *k, *v;
	yaml_node_pair_t	*pair;
	const char		*type;
	int			 rc = -1, line;

	if (!yaml_parser_initialize(&p))
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
	if (!yaml_parser_load(&p, &doc)) {
		kg_errf(err, KG_EBADREQ, "%s:%zu: not YAML (nor JSON): %s%s%s",
		    f->path, (p.problem_mark.line + 1), p.problem ? p.problem : "error",
		    p.context ? " " : "", p.context ? p.context : "");
		yaml_parser_delete(&p);
		return -1;
	}
	if ((root = yaml_document_get_root_node(&doc)) == NULL) {
		rc = 0;				/* an empty file: no rules */
		goto done;
	}
	if (root->type != YAML_MAPPING_NODE) {
		kg_errf(err, KG_EBADREQ, "%s:%zu: not a mapping of rule names to "
		    "rules", f->path, root->start_mark.line + 1);
		goto done;
	}
	for (pair = root->data.mapping.pairs.start;
	    pair < root->data.mapping.pairs.top; pair++) {
		k = yaml_document_get_node(&doc, pair->key);
		v = yaml_document_get_node(&doc, pair->value);
		line = (int)k->start_mark.line + 1;
		if (k->type != YAML_SCALAR_NODE) {
			kg_errf(err, KG_EBADREQ, "%s:%d: a rule name must be a string",
			    f->path, line);
			goto done;
		}
		if (v->type != YAML_SCALAR_NODE) {
			kg_errf(err, KG_EBADREQ, "%s:%d: rule \"%.*s\": the value is not a "
			    "string (oslo.policy's list syntax is not supported)", f->path,
			    line, (int)k->data.scalar.length, k->data.scalar.value);
			goto done;
		}
		if (v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		    (type = plain_type((const char *)v->data.scalar.value,
		    v->data.scalar.length)) != NULL) {
			kg_errf(err, KG_EBADREQ, "%s:%d: rule \"%.*s\": the value is a YAML "
			    "%s, not a string: quote it (\"\" allows everyone, \"!\" "
			    "no one)", f->path, line, (int)k->data.scalar.length,
			    k->data.scalar.value, type);
			goto done;
		}
		if (add(f, (const char *)k->data.scalar.value, k->data.scalar.length,
		    (const char *)v->data.scalar.value, v->data.scalar.length, line,
		    err) == -1)
			goto done;
	}
	rc = 0;
 done:
	yaml_document_delete(&doc);
	yaml_parser_delete(&p);
	return rc;
}

int
policy_file_parse(const char *name, const char *data, size_t len,
    struct policy_file *out, struct kg_err *err)
{
	int	rc;

	memset(out, 0, sizeof(*out));
	if ((out->path = strdup(name)) == NULL)
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	if (len > POLICY_FILE_MAX) {
		kg_errf(err, KG_EBADREQ, "%s: larger than %d bytes", name,
		    POLICY_FILE_MAX);
		goto fail;
	}
	if ((rc = load_json(out, data, len, err)) == 1)
		return 0;
	if (rc == -1 || load_yaml(out, data, len, err) == -1)
		goto fail;
	return 0;
 fail:
	policy_file_free(out);
	return -1;
}

int
policy_file_load(const char *path, struct policy_file *out, struct kg_err *err)
{
	struct stat	 sb;
	char		*buf = NULL;
	size_t		 got = 0;
	ssize_t		 r;
	int		 fd, rc = -1;

	memset(out, 0, sizeof(*out));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return kg_errf(err, KG_EBADREQ, "%s: %s", path, strerror(errno));
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		kg_errf(err, KG_EBADREQ, "%s: not a regular file", path);
		goto done;
	}
	if (sb.st_size > POLICY_FILE_MAX) {
		kg_errf(err, KG_EBADREQ, "%s: larger than %d bytes", path,
		    POLICY_FILE_MAX);
		goto done;
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		kg_errf(err, KG_EINTERNAL, "out of memory");
		goto done;
	}
	while (got < (size_t)sb.st_size &&
	    (r = read(fd, buf + got, (size_t)sb.st_size - got)) != 0) {
		if (r == -1) {
			if (errno == EINTR)
				continue;
			kg_errf(err, KG_EBADREQ, "%s: %s", path, strerror(errno));
			goto done;
		}
		got += (size_t)r;
	}
	buf[got] = '\0';
	rc = policy_file_parse(path, buf, got, out, err);
 done:
	free(buf);
	close(fd);
	return rc;
}
