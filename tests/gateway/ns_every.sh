#!/bin/sh
# ns_every.sh - keygate-gateway with `check = every`: every request head on
# a keep-alive connection is decided (method, path, token), pipelined
# heads too, bodies are skipped by their framing, a refused request ends
# the connection; large downloads still bypass the queue. Namespaces,
# servers and tokens: tests/gateway/setup.inc.
#
#   sh tests/gateway/ns_every.sh [BUILD_DIR]   (root; ends "N passed, N failed")
. "$(dirname "$0")/setup.inc"

URL=http://10.77.0.1:8080
echo public >"$W/www/public"	# (a 404 closes the server's side)
cat >"$W/gw.policy" <<EOF
default reject
rule health   path /healthz noauth
rule readers  method GET path /public roles reader project demo
rule members  roles member project demo
EOF
cat >"$W/gw.conf" <<EOF
[gateway]
policy = $W/gw.policy
control_socket = $W/ctl.sock
check = every
[rules]
ports = 8080
[keygate]
url = $KGURL
username = gateway
password_file = $W/gw.pw
project = service
state_dir = $W/state
EOF
"$GW" rules -f "$W/gw.conf" >"$W/rules.sh"
ok "every-0.1 rules apply" ing sh -e "$W/rules.sh"
is "every-0.1 accepted connections are not let around the queue" "0" \
    "$(grep -c -- '-m connmark ! --mark 0x0/0xff -j ACCEPT' "$W/rules.sh")"
start_gw
ok "every-0.2 gateway synced" wait_for stat_ge sync_ok 1

cl() { inc "$PY" "$T/client.py" 10.77.0.1 8080 "$@"; }

# ------------------------------------------------------------------
# 1. keep-alive: each request decided
# ------------------------------------------------------------------
q0=$(stat packets_queued)
r0=$(stat requests_decided)
is "every-1.1 two requests, both with the token" "200 200" \
    "$(cl --requests 2 --tokens "$MEMBER,$MEMBER")"
is "every-1.1 the second request was decided too" "yes" \
    "$([ "$(stat requests_decided)" -gt "$r0" ] && echo yes)"
is "every-1.1 ... and its packet was queued" "yes" \
    "$([ $(($(stat packets_queued) - q0)) -ge 3 ] && echo yes)"
is "every-1.2 second request without a token: reset" "200 reset" \
    "$(cl --requests 2 --tokens "$MEMBER,-")"
is "every-1.3 second request to a noauth path (404 from the server)" "200 404" \
    "$(cl --requests 2 --tokens "$MEMBER,-" --paths /,/healthz)"
is "every-1.4 path rule per request: reader token on /public, then on /" "200 reset" \
    "$(cl --requests 2 --tokens "$READER,$READER" --paths /public,/)"
M2=$(token alice alice-pw "{\"project\":{\"id\":\"$DEMO\"}}")
is "every-1.5 another token on the same connection, allowed" "200 200" \
    "$(cl --requests 2 --tokens "$MEMBER,$M2")"
d0=$(stat requests_denied)
is "every-1.6 three keep-alive requests, the last refused" "200 200 reset" \
    "$(cl --requests 3 --tokens "$MEMBER,$MEMBER,$READER")"
is "every-1.6 counted" "yes" "$([ "$(stat requests_denied)" -gt "$d0" ] && echo yes)"

# ------------------------------------------------------------------
# 2. pipelining, bodies
# ------------------------------------------------------------------
is "every-2.1 two pipelined requests in one segment" "200 200" \
    "$(cl --requests 2 --tokens "$MEMBER,$MEMBER" --pipeline 1)"
is "every-2.2 pipelined, the second without a token: nothing answered" "reset" \
    "$(cl --requests 2 --tokens "$MEMBER,-" --pipeline 1)"
is "every-2.3 POST bodies that look like requests are skipped (Content-Length)" \
    "200 200" "$(cl --requests 2 --tokens "$MEMBER,$MEMBER" --post 3000)"
is "every-2.4 chunked bodies" "200 200" \
    "$(cl --requests 2 --tokens "$MEMBER,$MEMBER" --post 3000 --chunked 1)"
is "every-2.5 pipelined POSTs" "200 200 200" \
    "$(cl --requests 3 --tokens "$MEMBER,$MEMBER,$MEMBER" --post 700 --pipeline 1)"
is "every-2.6 heads in pieces, keep-alive" "200 200" \
    "$(cl --requests 2 --tokens "$MEMBER,$MEMBER" --chunks 4)"
is "every-2.7 curl, two URLs on one connection" "200200" \
    "$(inc curl -s -o /dev/null -o /dev/null -w '%{http_code}' -H "X-Auth-Token: $MEMBER" \
    "$URL/" "$URL/")"

# ------------------------------------------------------------------
# 3. downloads still skip the queue (only the client's payload is queued)
# ------------------------------------------------------------------
q1=$(stat packets_queued)
size=$(inc curl -s -m 20 -H "X-Auth-Token: $MEMBER" -o - "$URL/big" | wc -c)
q2=$(stat packets_queued)
is "every-3.1 4 MB download complete" "4000000" "$size"
is "every-3.1 SYN and request queued, the ACKs are not" "yes" \
    "$([ $((q2 - q1)) -le 4 ] && echo yes || echo "no ($((q2 - q1)) queued)")"

# ------------------------------------------------------------------
# 4. revoked between two requests of one connection
# ------------------------------------------------------------------
T4=$(token alice alice-pw "{\"project\":{\"id\":\"$DEMO\"}}")
rm -f "$W/go" "$W/ready"
inc "$PY" "$T/client.py" 10.77.0.1 8080 --tokens "$T4,$T4" --requests 2 \
    --ready-file "$W/ready" --wait-file "$W/go" >"$W/ka.out" &
KA=$!
wait_for [ -e "$W/ready" ]
e0=$(stat revocation_events)
ing curl -s -o /dev/null -X DELETE -H "X-Auth-Token: $ADMINP" -H "X-Subject-Token: $T4" \
    "$KGURL/v3/auth/tokens"
wait_for stat_ge revocation_events $((e0 + 1))
touch "$W/go"
wait "$KA"
is "every-4.1 the next request on the open connection is refused" "200 reset" \
    "$(cat "$W/ka.out")"

# ------------------------------------------------------------------
# 5. logs, IPv6, split mode
# ------------------------------------------------------------------
is "every-5.1 one log line per request head" "yes" \
    "$(grep -q "decision tcp 10.77.0.2:[0-9]*->10.77.0.1:8080 GET /healthz user=- .*reason=ok" \
    "$W/gw.log" && echo yes)"
is "every-5.2 no token in the log" "0" "$(grep -cF -e "$MEMBER" -e "$READER" "$W/gw.log")"
is "every-5.3 IPv6 keep-alive, second refused" "200 reset" \
    "$(inc "$PY" "$T/client.py" fd77::1 8080 --requests 2 --tokens "$MEMBER,-")"
ok "every-5.4 clean SIGTERM" stop_gw
"$GW" rules --delete -f "$W/gw.conf" | ing sh -e
sed 's/^\[gateway\]$/[gateway]\nmode = split/' "$W/gw.conf" >"$W/gw-split.conf"
"$GW" rules -f "$W/gw-split.conf" | ing sh -e
start_gw "$W/gw-split.conf"
is "every-5.5 split mode: second request checked" "200 reset" \
    "$(cl --requests 2 --tokens "$MEMBER,-")"
is "every-5.5 split mode: pipelined" "200 200" \
    "$(cl --requests 2 --tokens "$MEMBER,$MEMBER" --pipeline 1)"
ok "every-5.6 clean SIGTERM" stop_gw
"$GW" rules --delete -f "$W/gw-split.conf" | ing sh -e
is "every-5.7 no requeue loops seen" "0" "$(grep -c 'came back with mark' "$W/gw.log")"

finish
