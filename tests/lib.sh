# lib.sh - shared shell helpers for the scripted test suites
# (tests/conformance/*.sh, tests/gateway/*.sh). Source it:
#   . "$(dirname "$0")/../lib.sh"
#
#   ok ID CMD...        run CMD; count a pass or a failure under ID
#   check ID STATUS     count a pass when STATUS (a test's $?) is 0
#   kg_start [ENV=VAL ...]  bootstrap + serve build/keygate on a free loopback
#                       port with a fresh data dir; sets KG_URL, KG_DIR, KG_PID
#   kg_stop             SIGTERM the server, check a clean exit, remove the dir
#   tally NAME CMD...   run CMD, a checker printing "ok"/"FAIL" lines and
#                       "N passed, N failed": show its failures (all with
#                       T_VERBOSE) and add its counts (none: one failure)
#   finish              print "N passed, N failed" and exit accordingly
#   kg_pg_ensure        PostgreSQL for the suite: $KG_TEST_PG (tests/run's
#                       cluster), else a cluster of our own (tests/pgcluster)
#   kg_pg_newdb         create a fresh database there; prints its URI
#   kg_pg_dropdb URI    drop it
#   kg_pg_cleanup       destroy the cluster kg_pg_ensure started, if any

T_PASS=0
T_FAIL=0
KG_BUILD=${KG_BUILD:-${1:-build}}
KG_ADMIN_PASSWORD=admin-secret

ok() {
	id=$1
	shift
	if "$@" >/tmp/kg-t-out.$$ 2>&1; then
		T_PASS=$((T_PASS + 1))
		[ -n "${T_VERBOSE:-}" ] && echo "ok   $id"
	else
		T_FAIL=$((T_FAIL + 1))
		echo "FAIL $id: $*"
		sed 's/^/    | /' /tmp/kg-t-out.$$ | tail -n 15
	fi
	rm -f /tmp/kg-t-out.$$
	return 0
}

# fails ID CMD...: the command must fail (non-zero exit)
fails() {
	id=$1
	shift
	if "$@" >/tmp/kg-t-out.$$ 2>&1; then
		T_FAIL=$((T_FAIL + 1))
		echo "FAIL $id (expected failure): $*"
		sed 's/^/    | /' /tmp/kg-t-out.$$ | tail -n 15
	else
		T_PASS=$((T_PASS + 1))
		[ -n "${T_VERBOSE:-}" ] && echo "ok   $id"
	fi
	rm -f /tmp/kg-t-out.$$
	return 0
}

check() {
	if [ "$2" -eq 0 ]; then
		T_PASS=$((T_PASS + 1))
		[ -n "${T_VERBOSE:-}" ] && echo "ok   $1"
	else
		T_FAIL=$((T_FAIL + 1))
		echo "FAIL $1"
	fi
	return 0
}

free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

kg_start() {
	KG_DIR=$(mktemp -d /tmp/kg-sh-XXXXXX)
	KG_PORT=$(free_port)
	KG_URL="http://127.0.0.1:$KG_PORT"
	export KEYGATE_SERVER_DATA_DIR="$KG_DIR"
	export KEYGATE_SERVER_LISTEN="127.0.0.1:$KG_PORT"
	export KEYGATE_IDENTITY_PASSWORD_HASH_ROUNDS=4
	export KEYGATE_SERVER_LOG_LEVEL=${KEYGATE_SERVER_LOG_LEVEL:-warning}
	for kv in "$@"; do export "$kv"; done
	"$KG_BUILD/keygate" bootstrap --bootstrap-password "$KG_ADMIN_PASSWORD" \
	    --bootstrap-region-id RegionOne \
	    --bootstrap-admin-url "$KG_URL/v3" --bootstrap-internal-url "$KG_URL/v3" \
	    --bootstrap-public-url "$KG_URL/v3" >"$KG_DIR/bootstrap.log" 2>&1 || {
		echo "kg_start: bootstrap failed"; cat "$KG_DIR/bootstrap.log"; return 1; }
	"$KG_BUILD/keygate" serve >"$KG_DIR/server.log" 2>&1 &
	KG_PID=$!
	i=0
	while [ $i -lt 100 ]; do
		if curl -fsS -o /dev/null "$KG_URL/v3" 2>/dev/null; then
			return 0
		fi
		kill -0 "$KG_PID" 2>/dev/null || { echo "kg_start: server died"; cat "$KG_DIR/server.log"; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
	echo "kg_start: server did not answer"
	return 1
}

kg_stop() {
	[ -n "${KG_PID:-}" ] || return 0
	kill -TERM "$KG_PID" 2>/dev/null
	wait "$KG_PID"
	rc=$?
	KG_PID=
	case "$KG_DIR" in /tmp/kg-sh-*) rm -rf "$KG_DIR" ;; esac
	return $rc
}

kg_pg_ensure() {
	[ -n "${KG_TEST_PG:-}" ] && return 0
	KG_PG_OWN=$(mktemp -d /tmp/kg-pg-XXXXXX)
	KG_TEST_PG=$(sh tests/pgcluster start "$KG_PG_OWN") || return 1
	export KG_TEST_PG
}

kg_pg_cleanup() {
	[ -n "${KG_PG_OWN:-}" ] && sh tests/pgcluster destroy "$KG_PG_OWN"
	KG_PG_OWN=
}

kg_pg_newdb() {
	_name=kgsh_$$_$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
	psql -q -v ON_ERROR_STOP=1 -d "$KG_TEST_PG/postgres" \
	    -c "CREATE DATABASE \"$_name\"" >/dev/null || return 1
	echo "$KG_TEST_PG/$_name"
}

kg_pg_dropdb() {
	psql -q -d "$KG_TEST_PG/postgres" \
	    -c "DROP DATABASE IF EXISTS \"${1##*/}\" WITH (FORCE)" >/dev/null 2>&1
}

tally() {
	t_name=$1
	shift
	t_log=$(mktemp /tmp/kg-tally-XXXXXX)
	"$@" >"$t_log" 2>&1
	if [ -n "${T_VERBOSE:-}" ]; then
		cat "$t_log"
	else
		grep -v '^ok ' "$t_log" | grep -v -E '^[0-9]+ passed, [0-9]+ failed$'
	fi
	t_line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$t_log" | tail -n 1)
	if [ -z "$t_line" ]; then
		echo "FAIL $t_name: no result"
		tail -n 20 "$t_log" | sed 's/^/    | /'
		T_FAIL=$((T_FAIL + 1))
	else
		T_PASS=$((T_PASS + ${t_line%% passed*}))
		t_f=${t_line#*passed, }
		T_FAIL=$((T_FAIL + ${t_f%% failed*}))
	fi
	rm -f "$t_log"
}

finish() {
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
	exit $?
}
