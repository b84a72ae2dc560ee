#!/bin/sh
# migrate.sh - schema migrations and bootstrap on both backends (SQLite and
# PostgreSQL), alone and run several at once on a fresh database, and what
# the database commands print: never a password.
#
#   sh tests/db/migrate.sh [BUILD_DIR]
#
# PostgreSQL: $KG_TEST_PG (tests/run's cluster), else a cluster of its own.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
KG=$KG_BUILD/keygate
ROUNDS=${MIGRATE_ROUNDS:-7}
LATEST=$(ls schema/*.sql | sed -n 's|.*/0*\([0-9][0-9]*\)_.*|\1|p' | sort -n | tail -1)
NMIG=$(ls schema/*.sql | wc -l)
WORK=$(mktemp -d /tmp/kg-mig-XXXXXX)
PIDS=""
cleanup() {
	for p in $PIDS; do
		kill -9 "$p" 2>/dev/null
	done
	kg_pg_cleanup
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

kg_pg_ensure || { echo "FAIL migrate: no PostgreSQL"; T_FAIL=$((T_FAIL + 1)); finish; }

# fresh BACKEND: a new data dir (and, for pg, database) in the environment
fresh() {
	DATA=$(mktemp -d "$WORK/data-XXXXXX")
	export KEYGATE_SERVER_DATA_DIR="$DATA"
	if [ "$1" = pg ]; then
		KEYGATE_DATABASE_CONNECTION=$(kg_pg_newdb) || return 1
		export KEYGATE_DATABASE_CONNECTION
	else
		unset KEYGATE_DATABASE_CONNECTION
	fi
}

# serve_bg: keygate serve on a free port in the background (SERVE_PID, URL)
serve_bg() {
	port=$(free_port)
	URL="http://127.0.0.1:$port"
	KEYGATE_SERVER_LISTEN="127.0.0.1:$port" "$KG" serve >"$DATA/serve.log" 2>&1 &
	SERVE_PID=$!
	PIDS="$PIDS $SERVE_PID"
}

# up URL: the server answers within 20 s
up() {
	i=0
	while [ $i -lt 200 ]; do
		curl -fsS -o /dev/null "$1/v3" 2>/dev/null && return 0
		kill -0 "$SERVE_PID" 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

stop_serve() {
	kill -TERM "$SERVE_PID" 2>/dev/null
	wait "$SERVE_PID"
}

# api PATH PYEXPR: evaluate PYEXPR on the JSON of GET PATH (as admin: $TOK)
api() {
	curl -s -H "X-Auth-Token: $TOK" "$URL$1" |
	    /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($2)" \
	    2>/dev/null
}

export KEYGATE_IDENTITY_PASSWORD_HASH_ROUNDS=4 KEYGATE_SERVER_LOG_LEVEL=info

for B in sqlite pg; do
	# --- db-sync --check, as documented (was: "invalid option") ---------
	fresh $B || { check "dbsync-0-$B fresh database" 1; continue; }
	"$KG" db-sync --check >"$WORK/out" 2>&1
	rc=$?
	[ $rc -eq 3 ] && [ "$(cat "$WORK/out")" = "schema version 0, latest $LATEST, $NMIG migrations not applied" ]
	check "dbsync-1.1-$B --check on an empty database: exit 3, version 0" $?
	[ "$("$KG" db-sync 2>/dev/null)" = "schema version 0 -> $LATEST" ]
	check "dbsync-1.2-$B db-sync migrates" $?
	"$KG" db-sync --check >/dev/null 2>&1
	check "dbsync-1.3-$B --check after: exit 0" $?
	"$KG" db-sync --bogus >/dev/null 2>&1
	[ $? -eq 2 ]
	check "dbsync-1.4-$B an unknown option: exit 2" $?
	[ "$("$KG" db-sync 2>/dev/null)" = "schema version $LATEST -> $LATEST" ]
	check "dbsync-1.5-$B a second db-sync changes nothing" $?

	# --- db-sync, db-sync and serve at once on an empty database ---------
	r=1
	while [ $r -le "$ROUNDS" ]; do
		fresh $B
		serve_bg
		"$KG" db-sync >"$DATA/sync1.log" 2>&1 &
		s1=$!
		"$KG" db-sync >"$DATA/sync2.log" 2>&1 &
		s2=$!
		wait $s1
		rc1=$?
		wait $s2
		rc2=$?
		up "$URL"
		rcu=$?
		stop_serve
		rcs=$?
		"$KG" db-sync --check >/dev/null 2>&1
		rcc=$?
		[ "$rc1$rc2$rcu$rcs$rcc" = 00000 ]
		check "dbsync-2.$r-$B two db-sync and a serve at once on an empty database" $?
		[ "$rc1$rc2$rcu$rcs" = 0000 ] || grep -hv INFO "$DATA"/*.log | head -5
		r=$((r + 1))
	done

	# --- two bootstraps at once: both succeed, one of everything ---------
	fresh $B
	for n in 1 2; do
		"$KG" bootstrap --bootstrap-password pw-one --bootstrap-region-id RegionOne \
		    --bootstrap-public-url http://kg.example/v3 \
		    --bootstrap-internal-url http://kg.internal/v3 \
		    --bootstrap-admin-url http://kg.admin/v3 >"$DATA/b$n.log" 2>&1 &
		eval b$n=\$!
	done
	wait $b1
	rc1=$?
	wait $b2
	rc2=$?
	[ $rc1 -eq 0 ] && [ $rc2 -eq 0 ]
	check "dbsync-3.1-$B two bootstraps at once both succeed" $?
	[ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] || grep -hv INFO "$DATA"/b?.log | head -5
	serve_bg
	up "$URL"
	body='{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","domain":{"id":"default"},"password":"pw-one"}}},"scope":{"project":{"name":"admin","domain":{"id":"default"}}}}}'
	TOK=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' -d "$body" \
	    "$URL/v3/auth/tokens" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-subject-token"{print $2}')
	[ -n "$TOK" ]
	check "dbsync-3.2-$B the admin logs in" $?
	[ "$(api '/v3/users?name=admin' "len(d['users'])")$(api '/v3/projects?name=admin' "len(d['projects'])")$(api '/v3/services?type=identity' "len(d['services'])")" = 111 ]
	check "dbsync-3.3-$B one admin user, one admin project, one identity service" $?
	[ "$(api /v3/endpoints "len(d['endpoints'])") $(api /v3/roles "len(d['roles'])") $(api /v3/regions "len(d['regions'])")" = "3 5 1" ]
	check "dbsync-3.4-$B three endpoints, five roles, one region" $?
	uid=$(api '/v3/users?name=admin' "d['users'][0]['id']")
	pid=$(api '/v3/projects?name=admin' "d['projects'][0]['id']")
	[ "$(api "/v3/role_assignments?user.id=$uid&scope.project.id=$pid" "len(d['role_assignments'])")" = 1 ]
	check "dbsync-3.5-$B one admin grant on the admin project" $?
	stop_serve
	"$KG" db-check >/dev/null 2>&1
	check "dbsync-3.6-$B db-check clean" $?

	# --- passwords never in what keygate prints or logs -------------------
	if [ $B = pg ]; then
		pw=$(printf '%s' "$KG_TEST_PG" | sed 's|^[^:]*://[^:]*:\([^@]*\)@.*|\1|')
		hostpart=${KG_TEST_PG#*@}
		"$KG" serve -n >"$WORK/dump" 2>&1
		grep -q '^database.connection = postgresql://keygate@' "$WORK/dump" &&
		    ! grep -qF "$pw" "$WORK/dump"
		check "dbsync-4.1 serve -n shows the connection without its password" $?
		KEYGATE_DATABASE_CONNECTION="postgresql://keygate:Wrong$pw@$hostpart/postgres" \
		    "$KG" db-sync >"$WORK/wrong" 2>&1
		[ $? -ne 0 ] && ! grep -qF "$pw" "$WORK/wrong" &&
		    grep -q 'password authentication failed' "$WORK/wrong"
		check "dbsync-4.2 a refused password: fails with libpq's reason, no password printed" $?
		KEYGATE_DATABASE_CONNECTION="postgresql://keygate:$pw@127.0.0.1:1/x" \
		    "$KG" bootstrap --bootstrap-password x >"$WORK/down" 2>&1
		[ $? -ne 0 ] && ! grep -qF "$pw" "$WORK/down" &&
		    grep -q 'postgresql://keygate@127.0.0.1:1/x' "$WORK/down"
		check "dbsync-4.3 no server there: fails naming it, no password printed" $?
		! cat "$WORK"/data-*/*.log | grep -qF "$pw"
		check "dbsync-4.4 no password in any serve, db-sync or bootstrap log above" $?
		printf '127.0.0.1:%s:*:keygate:%s\n' "${hostpart##*:}" "$pw" >"$WORK/pgpass"
		chmod 0600 "$WORK/pgpass"
		PGPASSFILE="$WORK/pgpass" KEYGATE_DATABASE_CONNECTION="postgresql://keygate@$hostpart/postgres" \
		    "$KG" db-sync --check >/dev/null 2>&1
		[ $? -eq 3 ]
		check "dbsync-4.5 the password from libpq's password file (PGPASSFILE)" $?
		KEYGATE_DATABASE_CONNECTION="postgres://keygate@$hostpart/postgres?passfile=$WORK/pgpass" \
		    "$KG" db-sync --check >"$WORK/passfile" 2>&1
		[ $? -eq 3 ] && grep -q '^schema version 0, latest' "$WORK/passfile"
		check "dbsync-4.6 postgres:// with a passfile= parameter" $?
	fi
	KEYGATE_DATABASE_CONNECTION="mysql+pymysql://keystone:Sekrit99@db/keystone" \
	    "$KG" db-sync >"$WORK/scheme" 2>&1
	[ $? -ne 0 ] && ! grep -q Sekrit99 "$WORK/scheme" && grep -q 'mysql+pymysql' "$WORK/scheme"
	check "dbsync-5.1-$B another URL scheme is refused, without its password" $?
done
finish
