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
ok log-2.1 test -n "$TOK"
fails log-2.2 grep -qF "${TOK:-no-token-issued}" "$LOG"
fails log-2.3 grep -qF "$PW" "$LOG"
fails log-2.4 grep -qF querysecret42 "$LOG"
finish
