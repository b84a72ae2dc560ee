#!/bin/sh
# keygate-entrypoint - the container's entrypoint.
#
#   serve [ARGS]   (the default) bootstrap on first start, then exec
#                  "keygate serve ARGS" as PID 1 (keygate handles SIGTERM)
#   -X ...         same as "serve -X ..."
#   anything else  exec "keygate ..." (bootstrap, db-sync, keys, version,
#                  healthcheck)
#
# First start: while $KEYGATE_SERVER_DATA_DIR/.bootstrapped is missing,
# run "keygate bootstrap" (idempotent) from these variables, then create
# the marker; later starts keep the data as it is and ignore them:
#   KEYGATE_BOOTSTRAP_PASSWORD     admin password (or KEYGATE_ADMIN_PASSWORD,
#                                  or a file: KEYGATE_BOOTSTRAP_PASSWORD_FILE)
#   KEYGATE_BOOTSTRAP_USERNAME     admin            KEYGATE_BOOTSTRAP_PROJECT_NAME admin
#   KEYGATE_BOOTSTRAP_ROLE_NAME    admin            KEYGATE_BOOTSTRAP_SERVICE_NAME keystone
#   KEYGATE_BOOTSTRAP_REGION_ID    RegionOne
#   KEYGATE_BOOTSTRAP_PUBLIC_URL   http://localhost:5000/v3
#   KEYGATE_BOOTSTRAP_INTERNAL_URL, KEYGATE_BOOTSTRAP_ADMIN_URL  (the public URL)
# The OS_BOOTSTRAP_* names of keystone-manage work too.
set -eu

data=${KEYGATE_SERVER_DATA_DIR:-/var/lib/keygate}
marker=$data/.bootstrapped

say() {
	echo "keygate-entrypoint: $*" >&2
}

first_start() {
	pw=${KEYGATE_BOOTSTRAP_PASSWORD:-${KEYGATE_ADMIN_PASSWORD:-${OS_BOOTSTRAP_PASSWORD:-}}}
	if [ -z "$pw" ] && [ -n "${KEYGATE_BOOTSTRAP_PASSWORD_FILE:-}" ]; then
		if [ ! -r "$KEYGATE_BOOTSTRAP_PASSWORD_FILE" ]; then
			say "cannot read KEYGATE_BOOTSTRAP_PASSWORD_FILE $KEYGATE_BOOTSTRAP_PASSWORD_FILE"
			exit 1
		fi
		pw=$(cat "$KEYGATE_BOOTSTRAP_PASSWORD_FILE")
	fi
	if [ -z "$pw" ]; then
		if [ -e "${KEYGATE_DATABASE_CONNECTION:-$data/keygate.db}" ]; then
			say "no bootstrap password given: using the existing database as it is"
			return 0
		fi
		say "first start: set KEYGATE_BOOTSTRAP_PASSWORD (or KEYGATE_ADMIN_PASSWORD," \
		    "or KEYGATE_BOOTSTRAP_PASSWORD_FILE) to create the admin user"
		exit 1
	fi
	public=${KEYGATE_BOOTSTRAP_PUBLIC_URL:-${OS_BOOTSTRAP_PUBLIC_URL:-http://localhost:5000/v3}}
	OS_BOOTSTRAP_PASSWORD=$pw
	OS_BOOTSTRAP_USERNAME=${KEYGATE_BOOTSTRAP_USERNAME:-${OS_BOOTSTRAP_USERNAME:-admin}}
	OS_BOOTSTRAP_PROJECT_NAME=${KEYGATE_BOOTSTRAP_PROJECT_NAME:-${OS_BOOTSTRAP_PROJECT_NAME:-admin}}
	OS_BOOTSTRAP_ROLE_NAME=${KEYGATE_BOOTSTRAP_ROLE_NAME:-${OS_BOOTSTRAP_ROLE_NAME:-admin}}
	OS_BOOTSTRAP_SERVICE_NAME=${KEYGATE_BOOTSTRAP_SERVICE_NAME:-${OS_BOOTSTRAP_SERVICE_NAME:-keystone}}
	OS_BOOTSTRAP_REGION_ID=${KEYGATE_BOOTSTRAP_REGION_ID:-${OS_BOOTSTRAP_REGION_ID:-RegionOne}}
	OS_BOOTSTRAP_PUBLIC_URL=$public
	OS_BOOTSTRAP_INTERNAL_URL=${KEYGATE_BOOTSTRAP_INTERNAL_URL:-${OS_BOOTSTRAP_INTERNAL_URL:-$public}}
	OS_BOOTSTRAP_ADMIN_URL=${KEYGATE_BOOTSTRAP_ADMIN_URL:-${OS_BOOTSTRAP_ADMIN_URL:-$public}}
	export OS_BOOTSTRAP_PASSWORD OS_BOOTSTRAP_USERNAME OS_BOOTSTRAP_PROJECT_NAME \
	    OS_BOOTSTRAP_ROLE_NAME OS_BOOTSTRAP_SERVICE_NAME OS_BOOTSTRAP_REGION_ID \
	    OS_BOOTSTRAP_PUBLIC_URL OS_BOOTSTRAP_INTERNAL_URL OS_BOOTSTRAP_ADMIN_URL
	say "first start: bootstrapping user $OS_BOOTSTRAP_USERNAME, project" \
	    "$OS_BOOTSTRAP_PROJECT_NAME, identity endpoint $public"
	keygate bootstrap
	: >"$marker"
}

if [ "$#" -eq 0 ]; then
	set -- serve
fi
case "$1" in
-*)
	set -- serve "$@"
	;;
esac
if [ "$1" != serve ]; then
	exec keygate "$@"
fi
case " $* " in
*" -n "*|*" -h "*)			# check the configuration / help: no state
	exec keygate "$@"
	;;
esac

if [ ! -d "$data" ] || [ ! -w "$data" ]; then
	say "$data must be a directory writable by uid $(id -u)" \
	    "(a named volume is; chown a bind mount to $(id -u):$(id -g))"
	exit 1
fi
if [ ! -e "$marker" ]; then
	first_start
fi
# The admin password is not the server's business.
unset KEYGATE_BOOTSTRAP_PASSWORD KEYGATE_ADMIN_PASSWORD OS_BOOTSTRAP_PASSWORD pw 2>/dev/null || true
exec keygate "$@"
