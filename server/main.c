/*
 * main.c - the keygate command: serve, bootstrap, db-sync, db-check, keys,
 * version.
 * In the spirit of keystone-manage and httpd/relayd (-f file, -n check).
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/credkeys.h"
#include "auth/keys.h"
#include "auth/password.h"
#include "auth/token.h"
#include "common/log.h"
#include "common/sig.h"
#include "common/util.h"
#include "common/version.h"
#include "server/listcache.h"
#include "server/authz.h"
#include "server/bodies.h"
#include "server/bootstrap.h"
#include "server/config.h"
#include "server/credcli.h"
#include "server/healthcheck.h"
#include "server/http.h"
#include "server/metrics.h"
#include "server/policycli.h"
#include "store/store.h"
#include "svc/svc.h"

static void
die(const struct kg_err *err)
{
	fprintf(stderr, "keygate: %s\n", err->msg);
	exit(1);
}

static struct compliance	compliance;

/* Load the configuration: -f file, else $KEYGATE_CONFIG, else defaults. */
static void
load_config(struct kg_config *cfg, const char *path)
{
	struct kg_err		 err = { 0 };
	enum log_level		 lvl;
	enum svc_limit_model	 model;

	if (path == NULL)
		path = getenv("KEYGATE_CONFIG");
	config_defaults(cfg);
	if (config_load(cfg, path, &err) == -1)
		die(&err);
	if (log_level_parse(cfg->log_level, &lvl) == 0)
		log_set_level(lvl);
	/* Process-wide, before any thread: the rules svc/ enforces. */
	if (svc_limit_model_parse(cfg->enforcement_model, &model) == 0)
		svc_set_limit_model(model);
	/* svc/ and auth/ read the rules for the life of the process (the
	 * compiled regex with them): a copy that outlives the command. */
	compliance = cfg->compliance;
	compliance_set(&compliance);
}

static int
make_dir(const char *path, struct kg_err *err)
{
	if (mkdir(path, 0700) == -1 && errno != EEXIST)
		return kg_errf(err, KG_EINTERNAL, "mkdir %s: %s", path, strerror(errno));
	return 0;
}

/* Create the data directory, the database (migrated) and the keys. */
static struct store *
prepare_state(const struct kg_config *cfg, struct kg_err *err)
{
	struct store	*st;
	int		 from, to;

	if (make_dir(cfg->data_dir, err) == -1)
		return NULL;
	if ((st = store_open(config_db_path(cfg), err)) == NULL)
		return NULL;
	if (store_migrate(st, &from, &to, err) == -1 ||
	    keys_setup(config_key_dir(cfg), err) == -1 ||
	    credkeys_setup(config_cred_key_dir(cfg), err) == -1) {
		store_close(st);
		return NULL;
	}
	if (from != to) {
		char	shown[256];

		log_info("database %s at schema version %d", kg_conninfo_redact(
		    config_db_path(cfg), shown, sizeof(shown)), to);
	}
	return st;
}

static void
usage_serve(FILE *fp)
{
	fprintf(fp, "usage: keygate serve [-dn] [-f file]\n"
	    "  -f file  configuration file (default: $KEYGATE_CONFIG, else built-in)\n"
	    "  -n       check the configuration, print it and exit\n"
	    "  -d       stay in the foreground (always the case; for compatibility)\n");
}

static int
cmd_serve(int argc, char **argv)
{
	struct server		 srv;
	struct token_cfg	 tc;
	struct http_daemon	*d;
	struct kg_err		 err = { 0 };
	struct store		*st;
	struct policy_set	*ps;
	const char		*conf = NULL;
	sigset_t		 set;
	int			 ch, check = 0, sig, lfd;
	char			 desc[600];

	while ((ch = getopt(argc, argv, "df:nh")) != -1)
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
			usage_serve(stdout);
			return 0;
		default:
			usage_serve(stderr);
			return 2;
		}
	memset(&srv, 0, sizeof(srv));
	load_config(&srv.cfg, conf);
	{
		struct metrics_acl	acl;

		if (metrics_acl_parse(srv.cfg.metrics_allow, &acl, &err) == -1)
			die(&err);
	}
	/* The policy (and its file) is checked before anything starts. */
	if ((ps = authz_build(&srv.cfg, &err)) == NULL)
		die(&err);
	authz_describe(ps, &srv.cfg, desc, sizeof(desc));
	if (check) {
		config_dump(&srv.cfg, stdout);
		printf("%s\n", desc);
		policy_set_free(ps);
		printf("configuration OK\n");
		return 0;
	}
	if ((srv.authz = authz_new(ps)) == NULL) {
		kg_errf(&err, KG_EINTERNAL, "out of memory");
		die(&err);
	}
	log_info("%s", desc);

	/*
	 * Keep freed memory instead of returning it at once: SQLite's
	 * ephemeral tables (effective roles) allocate and free ~100 KB per
	 * token issued or validated, and trimming that every time costs a
	 * brk/madvise plus page faults per request (measured: 4x slower
	 * token issue). Peak RSS is unchanged; only churn is avoided.
	 */
	mallopt(M_TRIM_THRESHOLD, 4 * 1024 * 1024);
	mallopt(M_MMAP_THRESHOLD, 1024 * 1024);

	/* Signals go to sigwait() here, never to a library thread. */
	kg_sig_block(&set, (const int []){ SIGTERM, SIGINT, SIGHUP, 0 });

	/* The address first: a second server stops before touching state. */
	if ((lfd = http_listen(srv.cfg.listen, &err)) == -1)
		die(&err);

	if ((st = prepare_state(&srv.cfg, &err)) == NULL)
		die(&err);
	/* As Keystone: no project tree deeper than the limit model allows. */
	if (svc_limit_check_depth(st, &err) == -1)
		die(&err);
	store_close(st);
	/* The dummy hash unknown users are checked against, at our cost. */
	if (password_init(srv.cfg.password_hash_rounds, &err) == -1)
		die(&err);
	if (store_pool_init(config_db_path(&srv.cfg), &err) == -1)
		die(&err);
	tc.key_dir = config_key_dir(&srv.cfg);
	tc.expiration = srv.cfg.expiration;
	tc.allow_expired_window = srv.cfg.allow_expired_window;
	tc.totp_windows = srv.cfg.totp_windows;
	tc.receipt_expiration = srv.cfg.receipt_expiration;
	tc.cache_size = srv.cfg.cache_size;
	tc.catalog_filtered_only = !srv.cfg.return_all_endpoints_if_no_filter;
	if ((srv.tokens = tokens_open(&tc, &err)) == NULL)
		die(&err);
	if ((srv.credkeys = credkeys_open(config_cred_key_dir(&srv.cfg),
	    &err)) == NULL)
		die(&err);
	/* Rendered lists (GET /v3/projects): 4 MiB of bodies at most. */
	if ((srv.lists = listcache_new(4u << 20)) == NULL) {
		kg_errf(&err, KG_EINTERNAL, "list cache: out of memory");
		die(&err);
	}
	srv.started_at = kg_now_us();
	if (srv.cfg.rate_limit.enabled &&
	    (srv.limit = authlimit_new(&srv.cfg.rate_limit)) == NULL) {
		kg_errf(&err, KG_EINTERNAL, "rate limit: out of memory");
		die(&err);
	}
	if ((d = http_start(&srv, lfd, &err)) == NULL)
		die(&err);
	log_info("keygate %s listening on %s (data %s, %d threads)",
	    KEYGATE_VERSION, srv.cfg.listen, srv.cfg.data_dir, srv.cfg.threads);

	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			/* After "keygate keys rotate": new primary, old keys kept
			 * for verification, so live tokens stay valid. */
			kg_err_clear(&err);
			if (tokens_reload(srv.tokens, &err) == -1)
				log_error("SIGHUP: keeping the current keys: %s", err.msg);
			/* After "keygate credential-keys rotate". */
			kg_err_clear(&err);
			if (credkeys_reload(srv.credkeys, &err) == -1)
				log_error("SIGHUP: keeping the current credential keys: "
				    "%s", err.msg);
			/* The policy file again; a bad one leaves the old set. */
			kg_err_clear(&err);
			if (authz_reload(srv.authz, &srv.cfg, &err) == -1)
				log_error("SIGHUP: keeping the current policy: %s",
				    err.msg);
			else {
				const struct policy_set *cur = authz_get(srv.authz);

				authz_describe(cur, &srv.cfg, desc, sizeof(desc));
				authz_put(srv.authz, cur);
				log_info("SIGHUP: %s", desc);
			}
			continue;
		}
		break;
	}
	log_info("signal %d: shutting down", sig);
	http_stop(d);
	tokens_close(srv.tokens);
	authlimit_free(srv.limit);
	credkeys_close(srv.credkeys);
	listcache_free(srv.lists);
	authz_free(srv.authz);
	store_pool_shutdown();
	log_info("stopped");
	return 0;
}

static void
usage_bootstrap(FILE *fp)
{
	fprintf(fp, "usage: keygate bootstrap [-f file] --bootstrap-password PASSWORD\n"
	    "         [--bootstrap-username NAME] [--bootstrap-project-name NAME]\n"
	    "         [--bootstrap-role-name NAME] [--bootstrap-service-name NAME]\n"
	    "         [--bootstrap-region-id ID] [--bootstrap-admin-url URL]\n"
	    "         [--bootstrap-internal-url URL] [--bootstrap-public-url URL]\n"
	    "         [--immutable-roles | --no-immutable-roles]\n"
	    "Each flag defaults to its OS_BOOTSTRAP_* environment variable\n"
	    "(OS_BOOTSTRAP_PASSWORD, ...). Creates the data directory, database\n"
	    "and signing keys when missing. The roles it creates are immutable\n"
	    "unless --no-immutable-roles. Idempotent.\n");
}

static int
cmd_bootstrap(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "bootstrap-password", required_argument, NULL, 'p' },
		{ "bootstrap-username", required_argument, NULL, 'u' },
		{ "bootstrap-project-name", required_argument, NULL, 'P' },
		{ "bootstrap-role-name", required_argument, NULL, 'r' },
		{ "bootstrap-service-name", required_argument, NULL, 's' },
		{ "bootstrap-region-id", required_argument, NULL, 'R' },
		{ "bootstrap-admin-url", required_argument, NULL, 'A' },
		{ "bootstrap-internal-url", required_argument, NULL, 'I' },
		{ "bootstrap-public-url", required_argument, NULL, 'U' },
		{ "immutable-roles", no_argument, NULL, 'M' },
		{ "no-immutable-roles", no_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct bootstrap_opts	 o;
	struct kg_config	 cfg;
	struct kg_err		 err = { 0 };
	struct store		*st;
	const char		*conf = NULL;
	int			 ch;

	memset(&o, 0, sizeof(o));
	while ((ch = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1)
		switch (ch) {
		case 'f': conf = optarg; break;
		case 'p': o.password = optarg; break;
		case 'u': o.username = optarg; break;
		case 'P': o.project_name = optarg; break;
		case 'r': o.role_name = optarg; break;
		case 's': o.service_name = optarg; break;
		case 'R': o.region_id = optarg; break;
		case 'A': o.admin_url = optarg; break;
		case 'I': o.internal_url = optarg; break;
		case 'U': o.public_url = optarg; break;
		case 'M': break;	/* Keystone's default */
		case 'm': o.mutable_roles = 1; break;
		case 'h':
			usage_bootstrap(stdout);
			return 0;
		default:
			usage_bootstrap(stderr);
			return 2;
		}
	load_config(&cfg, conf);
	bootstrap_opts_defaults(&o);
	if (o.password == NULL || o.password[0] == '\0') {
		fprintf(stderr, "keygate: bootstrap: a password is required "
		    "(--bootstrap-password or OS_BOOTSTRAP_PASSWORD)\n");
		return 2;
	}
	o.hash_rounds = cfg.password_hash_rounds;
	if ((st = prepare_state(&cfg, &err)) == NULL)
		die(&err);
	if (bootstrap_run(st, &o, &err) == -1) {
		store_close(st);
		die(&err);
	}
	store_close(st);
	log_info("bootstrap complete: user %s, project %s, role %s",
	    o.username, o.project_name, o.role_name);
	return 0;
}

static void
usage_db_sync(FILE *fp)
{
	fprintf(fp, "usage: keygate db-sync [-f file] [--check]\n"
	    "  apply the schema migrations the database lacks (safe while other\n"
	    "  replicas run it or serve); --check: print the schema version and\n"
	    "  exit 0 when it is the latest, 3 when migrations are pending\n");
}

static int
cmd_db_sync(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "check", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct kg_config	 cfg;
	struct kg_err		 err = { 0 };
	struct store		*st;
	const char		*conf = NULL;
	int			 ch, from, to, missing, check = 0;

	while ((ch = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1)
		switch (ch) {
		case 'f':
			conf = optarg;
			break;
		case 'c':
			check = 1;
			break;
		case 'h':
			usage_db_sync(stdout);
			return 0;
		default:
			usage_db_sync(stderr);
			return 2;
		}
	if (optind < argc) {
		usage_db_sync(stderr);
		return 2;
	}
	load_config(&cfg, conf);
	if (make_dir(cfg.data_dir, &err) == -1)
		die(&err);
	if ((st = store_open(config_db_path(&cfg), &err)) == NULL)
		die(&err);
	if (check) {
		from = store_schema_version(st);
		missing = store_schema_missing(st);
		store_close(st);
		if (from < 0 || missing < 0) {
			fprintf(stderr, "keygate: db-sync: cannot read the schema"
			    " version\n");
			return 1;
		}
		printf("schema version %d, latest %d", from, store_schema_latest());
		if (missing > 0)
			printf(", %d migration%s not applied", missing,
			    missing == 1 ? "" : "s");
		printf("\n");
		return missing == 0 ? 0 : 3;
	}
	if (store_migrate(st, &from, &to, &err) == -1) {
		store_close(st);
		die(&err);
	}
	store_close(st);
	printf("schema version %d -> %d\n", from, to);
	return 0;
}

static void
print_problem(const char *line, void *cls)
{
	(void)cls;
	printf("%s\n", line);
}

/*
 * db-check: the database's schema version, SQLite's integrity check and
 * every foreign key (no grant, membership or tag points at nothing).
 * Exit 0 when all is well, 3 when a problem was found.
 */
static int
cmd_db_check(int argc, char **argv)
{
	struct kg_config	 cfg;
	struct kg_err		 err = { 0 };
	struct store		*st;
	const char		*conf = NULL, *path;
	char			 shown[256];
	struct stat		 sb;
	int			 ch, version, missing, n;

	while ((ch = getopt(argc, argv, "f:h")) != -1)
		switch (ch) {
		case 'f':
			conf = optarg;
			break;
		case 'h':
			printf("usage: keygate db-check [-f file]\n");
			return 0;
		default:
			return 2;
		}
	load_config(&cfg, conf);
	path = config_db_path(&cfg);
	kg_conninfo_redact(path, shown, sizeof(shown));
	/* An SQLite file that is not there is an error, not a new database. */
	if (strstr(path, "://") == NULL && stat(path, &sb) == -1) {
		fprintf(stderr, "keygate: %s: %s\n", shown, strerror(errno));
		return 1;
	}
	if ((st = store_open(path, &err)) == NULL)
		die(&err);
	version = store_schema_version(st);
	missing = store_schema_missing(st);
	if ((n = store_check(st, print_problem, NULL, &err)) == -1) {
		store_close(st);
		die(&err);
	}
	store_close(st);
	if (missing != 0) {
		printf("schema version %d, latest %d, %d migration%s not applied:"
		    " run keygate db-sync\n", version, store_schema_latest(),
		    missing, missing == 1 ? "" : "s");
		n++;
	}
	printf("%s: %d problem%s\n", shown, n, n == 1 ? "" : "s");
	return n == 0 ? 0 : 3;
}

/*
 * The options and verb of "keygate keys" and "keygate credential-keys":
 * -f file, -m max_active (at least 3). Returns the verb, or NULL with
 * *rc the exit status (0 for -h, 2 for a usage error).
 */
static const char *
key_command_args(int argc, char **argv, const char *usage, const char **conf,
    int *max_active, int *rc)
{
	int	ch;

	*rc = 2;	/* what a NULL return means unless -h asked for usage */
	while ((ch = getopt(argc, argv, "f:m:h")) != -1)
		switch (ch) {
		case 'f':
			*conf = optarg;
			break;
		case 'm':
			*max_active = atoi(optarg);
			break;
		case 'h':
		default:
			printf("%s", usage);
			if (ch == 'h')
				*rc = 0;
			return NULL;
		}
	if (optind >= argc) {
		fprintf(stderr, "%s", usage);
		return NULL;
	}
	if (*max_active < 3)
		*max_active = 3;
	return argv[optind];
}

static int
cmd_keys(int argc, char **argv)
{
	struct kg_config	 cfg;
	struct kg_err		 err = { 0 };
	const char		*conf = NULL, *verb;
	int			 max_active = KEYS_MAX_ACTIVE_DEFAULT, rc;

	if ((verb = key_command_args(argc, argv, "usage: keygate keys [-f file] "
	    "[-m max_active] create | rotate | list\n", &conf, &max_active,
	    &rc)) == NULL)
		return rc;
	load_config(&cfg, conf);
	if (make_dir(cfg.data_dir, &err) == -1)
		die(&err);
	if (strcmp(verb, "create") == 0)
		rc = keys_setup(config_key_dir(&cfg), &err);
	else if (strcmp(verb, "rotate") == 0)
		rc = keys_rotate(config_key_dir(&cfg), max_active, &err);
	else if (strcmp(verb, "list") == 0)
		rc = keys_list(config_key_dir(&cfg), stdout, &err);
	else {
		fprintf(stderr, "keygate keys: unknown command %s\n", verb);
		return 2;
	}
	if (rc == -1)
		die(&err);
	return 0;
}

static int
cmd_credential_keys(int argc, char **argv)
{
	struct kg_config	 cfg;
	struct kg_err		 err = { 0 };
	const char		*conf = NULL, *verb;
	int			 max_active = CREDKEYS_MAX_ACTIVE_DEFAULT, rc;

	if ((verb = key_command_args(argc, argv, "usage: keygate credential-keys "
	    "[-f file] [-m max_active] create | rotate | migrate | list\n", &conf,
	    &max_active, &rc)) == NULL)
		return rc;
	load_config(&cfg, conf);
	if (make_dir(cfg.data_dir, &err) == -1 ||
	    credcli_run(&cfg, verb, max_active, stdout, &err) == -1)
		die(&err);
	return 0;
}

static void
usage_healthcheck(FILE *fp)
{
	fprintf(fp, "usage: keygate healthcheck [-f file] [-u URL] [-t seconds]\n"
	    "  GET URL (default: http://<server.listen>/healthcheck) and exit 0 when\n"
	    "  it answers 200, else 1. For container HEALTHCHECKs and monitors.\n");
}

static int
cmd_healthcheck(int argc, char **argv)
{
	struct kg_config	 cfg;
	struct kg_err		 err = { 0 };
	const char		*conf = NULL, *url = NULL;
	char			 buf[300];
	int			 ch, status = 0, timeout = 5;

	while ((ch = getopt(argc, argv, "f:u:t:h")) != -1)
		switch (ch) {
		case 'f':
			conf = optarg;
			break;
		case 'u':
			url = optarg;
			break;
		case 't':
			if ((timeout = atoi(optarg)) < 1)
				timeout = 1;
			break;
		case 'h':
			usage_healthcheck(stdout);
			return 0;
		default:
			usage_healthcheck(stderr);
			return 2;
		}
	if (url == NULL) {
		load_config(&cfg, conf);
		if (healthcheck_url(cfg.listen, buf, sizeof(buf)) == -1) {
			fprintf(stderr, "keygate: healthcheck: bad server.listen %s\n",
			    cfg.listen);
			return 1;
		}
		url = buf;
	}
	if (healthcheck_get(url, timeout, &status, &err) == -1) {
		fprintf(stderr, "keygate: healthcheck: %s\n", err.msg);
		return 1;
	}
	if (status != 200) {
		fprintf(stderr, "keygate: healthcheck: %s answered %d\n", url, status);
		return 1;
	}
	return 0;
}

static void
usage_policy(FILE *fp)
{
	fprintf(fp, "usage: keygate policy list [-f file] [--json]\n"
	    "       keygate policy check [-f file] (--token TOKEN | --creds JSON) RULE"
	    " [TARGET-JSON]\n"
	    "  list   print the effective rules (built-in defaults merged with\n"
	    "         [oslo_policy] policy_file), as a policy file\n"
	    "  check  explain whether the token's caller (or the JSON credentials,\n"
	    "         e.g. '{\"user_id\": \"u\", \"project_id\": \"p\", \"roles\": "
	    "[\"reader\"]}')\n"
	    "         may perform RULE on the target, e.g. "
	    "'{\"target\": {\"user\": {\"domain_id\": \"d\"}}}'\n"
	    "         (exit 0: allowed, 1: denied)\n");
}

static int
cmd_policy(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "token", required_argument, NULL, 't' },
		{ "creds", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct kg_config	 cfg;
	struct kg_err		 err = { 0 };
	const char		*conf = NULL, *token = NULL, *creds = NULL, *verb;
	int			 ch, json = 0, rc;

	if (argc < 2 || argv[1][0] == '-') {
		usage_policy(argc >= 2 && strcmp(argv[1], "-h") == 0 ? stdout : stderr);
		return argc >= 2 && strcmp(argv[1], "-h") == 0 ? 0 : 2;
	}
	verb = argv[1];
	argc--;
	argv++;
	while ((ch = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1)
		switch (ch) {
		case 'f': conf = optarg; break;
		case 'j': json = 1; break;
		case 't': token = optarg; break;
		case 'c': creds = optarg; break;
		case 'h':
			usage_policy(stdout);
			return 0;
		default:
			usage_policy(stderr);
			return 2;
		}
	load_config(&cfg, conf);
	if (strcmp(verb, "list") == 0 && optind == argc) {
		if (policycli_list(&cfg, json, stdout, &err) == -1)
			die(&err);
		return 0;
	}
	if (strcmp(verb, "check") == 0 && (token == NULL) != (creds == NULL) &&
	    (argc - optind == 1 || argc - optind == 2)) {
		rc = policycli_check(&cfg, token, creds, argv[optind],
		    argc - optind == 2 ? argv[optind + 1] : NULL, stdout, &err);
		if (rc == -1)
			die(&err);
		return rc ? 0 : 1;
	}
	usage_policy(stderr);
	return 2;
}

/* Print the route table, one "METHOD PATTERN" per line (for API docs checks). */
static int
cmd_routes(int argc, char **argv)
{
	const struct route	*const *t, *r;

	for (t = http_route_tables; *t != NULL; t++)
		for (r = *t; r->method != NULL; r++)
			printf("%s %s%s\n", r->method, r->path,
			    (r->flags & R_AUTH) ? "" : " (no auth)");
	return 0;
}

/* Print the request-body schemas as JSON (for the API description check). */
static int
cmd_schemas(int argc, char **argv)
{
	json_t	*all = bodies_dump();

	if (all == NULL || json_dumpf(all, stdout, JSON_INDENT(2)) == -1) {
		json_decref(all);
		fprintf(stderr, "keygate: schemas: out of memory\n");
		return 1;
	}
	json_decref(all);
	printf("\n");
	return 0;
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: keygate <command> [options]\n"
	    "commands:\n"
	    "  serve       run the Identity API server\n"
	    "  bootstrap   create the initial domain, project, admin user, roles, catalog\n"
	    "  db-sync     apply database schema migrations\n"
	    "  db-check    check the database's integrity and foreign keys\n"
	    "  keys        create | rotate | list token signing keys\n"
	    "  credential-keys  create | rotate | migrate | list the keys of\n"
	    "              credential blobs (rotate re-encrypts every credential)\n"
	    "  healthcheck probe a running server's /healthcheck (exit 0 when healthy)\n"
	    "  policy      list the effective policy rules, or explain a decision\n"
	    "  routes      print the HTTP route table\n"
	    "  schemas     print the request-body schemas (JSON Schema)\n"
	    "  version     print the version\n"
	    "Run \"keygate <command> -h\" for a command's options.\n");
}

int
main(int argc, char **argv)
{
	static const struct {
		const char	*name;
		int		(*fn)(int, char **);
	} cmds[] = {
		{ "serve", cmd_serve },
		{ "bootstrap", cmd_bootstrap },
		{ "db-sync", cmd_db_sync },
		{ "db-check", cmd_db_check },
		{ "keys", cmd_keys },
		{ "credential-keys", cmd_credential_keys },
		{ "healthcheck", cmd_healthcheck },
		{ "routes", cmd_routes },
		{ "schemas", cmd_schemas },
		{ "policy", cmd_policy },
	};
	size_t	i;

	umask(077);	/* database, WAL and keys are secrets: owner only */
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("keygate %s\n", KEYGATE_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "keygate: unknown command %s\n", argv[1]);
	usage(stderr);
	return 2;
}
