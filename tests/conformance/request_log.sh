#!/bin/sh
# request_log.sh - one log line per request with method, path, status,
# duration, request id, user id and route pattern; never a token, a
# password or a query string.
. "$(dirname "$0")/../lib.sh"

kg_start KEYGATE_SERVER_LOG_LEVEL=info || { echo "0 passed, 1 failed"; exit 1; }
trap 'kg_stop >/dev/null 2>&1; rm -rf "$KG_DIR"' EXIT
LOG="$KG_DIR/server.log"
PW="$KG_ADMIN_PASSWORD"

# rid FILE: the x-openstack-request-id of a saved "curl -D" header dump
rid() { tr -d '\r' < "$1" | sed -n 's/^x-openstack-request-id: //Ip'; }

curl -s -D "$KG_DIR/h1" -o /dev/null "$KG_URL/v3?secret=querysecret42"
R1=$(rid "$KG_DIR/h1")
curl -s -D "$KG_DIR/h2" -o /dev/null -X POST -H 'Content-Type: application/json' \
    -d "{\"auth\": {\"identity\": {\"methods\": [\"password\"], \"password\": {\"user\":
    {\"name\": \"admin\", \"domain\": {\"id\": \"default\"}, \"password\": \"$PW\"}}},
    \"scope\": {\"project\": {\"name\": \"admin\", \"domain\": {\"id\": \"default\"}}}}}" \
    "$KG_URL/v3/auth/tokens"
R2=$(rid "$KG_DIR/h2")
TOK=$(tr -d '\r' < "$KG_DIR/h2" | sed -n 's/^x-subject-token: //Ip')
curl -s -D "$KG_DIR/h3" -o /dev/null -H "X-Auth-Token: ${TOK:-none}" "$KG_URL/v3/regions/RegionOne"
R3=$(rid "$KG_DIR/h3")
curl -s -o /dev/null "$KG_URL/v3/no/such/path"
curl -s -o /dev/null "$KG_URL/v3/x%0A2026-01-01T00:00:00.000Z%20INFO%20forged"
# A method with a terminal escape (libmicrohttpd passes any bytes but space).
/usr/bin/python3 -c 'import socket,sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"G\x1b[31mX /v3 HTTP/1.1\r\nHost: x\r\n\r\n")
s.settimeout(5)
s.recv(100)' "${KG_URL##*:}"
# A 5xx is logged with its path: the database held by another writer
# beyond svc's retries (5 attempts, each waiting up to the 5 s busy
# timeout: about 26 s) makes a write answer 503.
/usr/bin/python3 -c 'import sqlite3,sys,time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
time.sleep(40)
db.execute("ROLLBACK")' "$KG_DIR/keygate.db" "$KG_DIR/locked" &
LOCKER=$!
i=0
while [ ! -e "$KG_DIR/locked" ] && [ $i -lt 100 ]; do	# up to 10 s
	sleep 0.1
	i=$((i + 1))
done
S5=$(curl -s -m 60 -o /dev/null -w '%{http_code}' -X PUT -H "X-Auth-Token: ${TOK:-none}" \
    -H 'Content-Type: application/json' -d '{"region": {}}' \
    "$KG_URL/v3/regions/r%0A2026-01-01T00:00:00.000Z%20ERROR%20forged5xx")
{ kill "$LOCKER"; wait "$LOCKER"; } 2>/dev/null
# Stop the server ourselves (kg_stop would delete the log with the dir):
# after a clean exit every request's line has been written.
kill -TERM "$KG_PID"
wait "$KG_PID"
ok log-0.1 test $? -eq 0
KG_PID=

ok log-1.1 test -n "$R1"
ok log-1.2 grep -Eq "INFO GET /v3 200 [0-9.]+ms $R1 user=- route=/v3\$" "$LOG"
ok log-1.3 grep -Eq "INFO POST /v3/auth/tokens [0-9]{3} [0-9.]+ms $R2 user=[^ ]+ route=/v3/auth/tokens\$" "$LOG"
ok log-1.4 grep -Eq "INFO GET /v3/regions/RegionOne 200 [0-9.]+ms $R3 user=[0-9a-f]{32} route=/v3/regions/\{\}\$" "$LOG"
ok log-1.5 grep -Eq "INFO GET /v3/no/such/path 404 [0-9.]+ms req-[0-9a-f-]{36} user=- route=-\$" "$LOG"
ok log-1.6 grep -Eq 'INFO GET /v3/x\\x0a2026-01-01T00:00:00.000Z INFO forged 404 ' "$LOG"
fails log-1.7 grep -q '^2026-01-01T00:00:00.000Z INFO forged' "$LOG"
# audit: the method reached the access log raw, and a 5xx's error line
# carried the raw path (both now escaped as the access log's path is).
ok log-1.8 grep -Eq 'INFO G\\x1b\[31mX /v3 [0-9]{3} ' "$LOG"
fails log-1.9 grep -q "$(printf '\033')" "$LOG"
ok log-1.10 test "$S5" = 503
ok log-1.11 grep -q 'ERROR PUT /v3/regions/r\\x0a2026-01-01T00:00:00.000Z ERROR forged5xx: ' "$LOG"
fails log-1.12 grep -q '^2026-01-01T00:00:00.000Z ERROR forged5xx' "$LOG"
ok log-2.1 test -n "$TOK"
fails log-2.2 grep -qF "${TOK:-no-token-issued}" "$LOG"
fails log-2.3 grep -qF "$PW" "$LOG"
fails log-2.4 grep -qF querysecret42 "$LOG"
finish
