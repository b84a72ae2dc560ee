#!/bin/sh
# faults.sh - the database goes away, the server goes away:
#
#  * PostgreSQL stopped (fast shutdown, then a crash) under a running
#    keygate: every request answers 503 with a Keystone JSON error within
#    5 s, /healthcheck says 503, the process stays up, and it serves again
#    within 5 s of the database's return, with its data intact;
#  * keygate killed with SIGKILL during a storm of writes (both backends):
#    every write it acknowledged is there after a restart.
#
#   sh tests/db/faults.sh [BUILD_DIR]
#
# The restart cases need a cluster of their own (tests/pgcluster); the
# kill -9 case uses $KG_TEST_PG when set.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
KG=$KG_BUILD/keygate
WORK=$(mktemp -d /tmp/kg-flt-XXXXXX)
OWN=$(mktemp -d /tmp/kg-pg-XXXXXX)
PIDS=""
cleanup() {
	for p in $PIDS; do
		kill -9 "$p" 2>/dev/null
	done
	sh tests/pgcluster destroy "$OWN" >/dev/null 2>&1
	kg_pg_cleanup
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM
export KEYGATE_IDENTITY_PASSWORD_HASH_ROUNDS=4 KEYGATE_SERVER_LOG_LEVEL=info

PWBODY='{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","domain":{"id":"default"},"password":"admin-secret"}}},"scope":{"project":{"name":"admin","domain":{"id":"default"}}}}}'

token() {
	curl -s -m 10 -D - -o /dev/null -H 'Content-Type: application/json' -d "$PWBODY" \
	    "$KG_URL/v3/auth/tokens" | tr -d '\r' |
	    awk -F': ' 'tolower($1)=="x-subject-token"{print $2}'
}

# req NAME METHOD PATH [BODY]: status and seconds into $WORK/NAME.{code,time,body}
req() {
	name=$1 method=$2 path=$3 body=${4:-}
	set -- -s -m 20 -o "$WORK/$name.body" -w '%{http_code} %{time_total}' \
	    -X "$method" -H "X-Auth-Token: $TOK" -H "X-Subject-Token: $TOK"
	[ -n "$body" ] && set -- "$@" -H 'Content-Type: application/json' -d "$body"
	curl "$@" "$KG_URL$path" >"$WORK/$name.out" 2>/dev/null
	read -r CODE SECS <"$WORK/$name.out"
}

# fast SECS: SECS < 5
fast() {
	awk -v s="$1" 'BEGIN { exit !(s < 5) }'
}

# json503 FILE: a Keystone error body with code 503
json503() {
	/usr/bin/python3 -c "import json,sys; e=json.load(open('$1'))['error']; \
sys.exit(0 if e['code'] == 503 and e['title'] and e['message'] else 1)" 2>/dev/null
}

# --- the database stops under a running server -------------------------
restart_case() {
	mode=$1 n=$2		# stop (fast shutdown) or kill (crash); id prefix
	sh tests/pgcluster "$mode" "$OWN"
	now=$(date +%s.%N)
	bad=0 slow=0 nj=0
	for c in 1 2 3; do
		req v GET /v3/auth/tokens
		[ "$CODE" = 503 ] || bad=$((bad + 1))
		fast "$SECS" || slow=$((slow + 1))
		json503 "$WORK/v.body" || nj=$((nj + 1))
		req l GET /v3/projects
		[ "$CODE" = 503 ] || bad=$((bad + 1))
		fast "$SECS" || slow=$((slow + 1))
		json503 "$WORK/l.body" || nj=$((nj + 1))
		req w POST /v3/projects "{\"project\": {\"name\": \"down-$n-$c\"}}"
		[ "$CODE" = 503 ] || bad=$((bad + 1))
		fast "$SECS" || slow=$((slow + 1))
		req i POST /v3/auth/tokens "$PWBODY"
		[ "$CODE" = 503 ] || bad=$((bad + 1))
		fast "$SECS" || slow=$((slow + 1))
	done
	[ $bad -eq 0 ]
	check "fault-$n.1 database down ($mode): validate, list, write, issue all 503" $?
	[ $bad -eq 0 ] || echo "    $bad answers were not 503 (last $CODE)"
	[ $slow -eq 0 ]
	check "fault-$n.2 ... each within 5 s" $?
	[ $nj -eq 0 ]
	check "fault-$n.3 ... with a Keystone JSON error body" $?
	req h GET /healthcheck
	[ "$CODE" = 503 ] && fast "$SECS"
	check "fault-$n.4 /healthcheck says 503" $?
	kill -0 "$KG_PID" 2>/dev/null
	check "fault-$n.5 the server is still running" $?
	sleep 1
	sh tests/pgcluster resume "$OWN"
	# From the database's return: healthy and serving within 5 s.
	i=0 back=1
	while [ $i -lt 50 ]; do
		req h GET /healthcheck
		if [ "$CODE" = 200 ]; then
			req v GET /v3/auth/tokens
			[ "$CODE" = 200 ] && { back=0; break; }
		fi
		sleep 0.1
		i=$((i + 1))
	done
	[ $back -eq 0 ]
	check "fault-$n.6 back within 5 s of the database's return (healthcheck, validation)" $?
	req w POST /v3/projects "{\"project\": {\"name\": \"after-$n\"}}"
	[ "$CODE" = 201 ]
	check "fault-$n.7 writes again; the data from before is there" $?
	req l GET "/v3/projects?name=before"
	grep -q '"name": *"before"' "$WORK/l.body"
	check "fault-$n.8 the project written before the outage is there" $?
}

if KG_OWN_PG=$(sh tests/pgcluster start "$OWN" 2>"$WORK/pgstart.log"); then
	psql -q -d "$KG_OWN_PG/postgres" -c 'CREATE DATABASE faults' >/dev/null
	kg_start "KEYGATE_DATABASE_CONNECTION=$KG_OWN_PG/faults" ||
	    check "fault-0 server on PostgreSQL" 1
	TOK=$(token)
	req w POST /v3/projects '{"project": {"name": "before"}}'
	[ "$CODE" = 201 ] && [ -n "$TOK" ]
	check "fault-0.1 server on PostgreSQL: token and a write" $?
	[ "$CODE" = 201 ] || { echo "    $CODE: $(cat "$WORK/w.body")"; tail -5 "$KG_DIR/server.log"; }
	restart_case stop 1
	restart_case kill 2
	pw=$(printf '%s' "$KG_OWN_PG" | sed 's|^[^:]*://[^:]*:\([^@]*\)@.*|\1|')
	[ -n "$pw" ] && ! grep -qF "$pw" "$KG_DIR/server.log"
	check "fault-2.9 the server's log through all this holds no password" $?
	kg_stop
	check "fault-2.10 clean exit" $?
	sh tests/pgcluster destroy "$OWN"
else
	cat "$WORK/pgstart.log"
	check "fault-0 a PostgreSQL cluster for the restart cases" 1
fi

# --- kill -9 of the server during a write storm -------------------------
# writer N: up to 150 creates (or 30 s); the names acknowledged with 201 go
# to $WORK/acked.N
writer() {
	w=$1 end=$(($(date +%s) + 30)) k=0
	while [ $k -lt 150 ] && [ "$(date +%s)" -lt $end ]; do
		code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -X POST \
		    -H "X-Auth-Token: $TOK" -H 'Content-Type: application/json' \
		    -d "{\"project\": {\"name\": \"storm-$w-$k\"}}" \
		    "$KG_URL/v3/projects" 2>/dev/null)
		[ "$code" = 201 ] && echo "storm-$w-$k" >>"$WORK/acked.$w"
		[ "$code" = 000 ] && break	# the server is gone
		k=$((k + 1))
	done
}

storm_case() {
	B=$1
	rm -f "$WORK"/acked.*
	if [ "$B" = pg ]; then
		db=$(kg_pg_newdb) || { check "fault-3.0-$B database" 1; return; }
		set -- "KEYGATE_DATABASE_CONNECTION=$db"
	else
		unset KEYGATE_DATABASE_CONNECTION
		set --
	fi
	kg_start "$@" || { check "fault-3.0-$B server" 1; return; }
	TOK=$(token)
	for w in 1 2 3; do
		writer $w &
		eval wp$w=\$!
	done
	# Kill once writes are flowing (at most 20 s).
	i=0
	while [ $i -lt 200 ] && [ "$(cat "$WORK"/acked.* 2>/dev/null | wc -l)" -lt 30 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 "$KG_PID"
	wait "$KG_PID" 2>/dev/null
	wait $wp1 $wp2 $wp3
	acked=$(cat "$WORK"/acked.* 2>/dev/null | wc -l)
	[ "$acked" -ge 30 ]
	check "fault-3.1-$B writes acknowledged before the kill ($acked)" $?
	"$KG" serve >"$KG_DIR/server2.log" 2>&1 &
	KG_PID=$!
	i=0
	while [ $i -lt 100 ] && ! curl -fsS -o /dev/null "$KG_URL/v3" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	TOK=$(token)
	curl -s -H "X-Auth-Token: $TOK" "$KG_URL/v3/projects" >"$WORK/after.json"
	lost=$(/usr/bin/python3 -c "
import json, sys
have = {p['name'] for p in json.load(open('$WORK/after.json'))['projects']}
acked = set()
import glob
for f in glob.glob('$WORK/acked.*'):
    acked |= set(open(f).read().split())
print(len(acked - have))" 2>/dev/null)
	[ "$lost" = 0 ]
	check "fault-3.2-$B after a restart, no acknowledged write is missing" $?
	[ "$lost" = 0 ] || echo "    lost: $lost of $acked"
	"$KG" db-check >/dev/null 2>&1
	check "fault-3.3-$B database consistent (db-check)" $?
	kg_stop
	check "fault-3.4-$B clean stop" $?
	[ "$B" = pg ] && kg_pg_dropdb "$db"
}

storm_case sqlite
if kg_pg_ensure; then
	storm_case pg
else
	check "fault-3.0-pg PostgreSQL" 1
fi
finish
