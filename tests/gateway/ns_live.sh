#!/bin/sh
# ns_live.sh - keygate-gateway ends live connections: a token revoked in
# keygate or expiring cuts a download in progress (conntrack entry
# deleted, a TCP reset each way), an idle keep-alive connection is ended
# too, and the revocation feed's delay is measured. Namespaces, servers
# and tokens: tests/gateway/setup.inc.
#
#   sh tests/gateway/ns_live.sh [BUILD_DIR]   (root; ends "N passed, N failed")
. "$(dirname "$0")/setup.inc"

URL=http://10.77.0.1:8080
cat >"$W/gw.policy" <<EOF
default reject
rule members  roles member project demo
EOF
cat >"$W/gw.conf" <<EOF
[gateway]
policy = $W/gw.policy
control_socket = $W/ctl.sock
[rules]
ports = 8080
ipv6 = no
[keygate]
url = $KGURL
username = gateway
password_file = $W/gw.pw
project = service
sync_interval = 2
revocation_interval_ms = 500
state_dir = $W/state
EOF
"$GW" rules -f "$W/gw.conf" >"$W/rules.sh"
ok "live-0.1 rules with the kill lines apply" ing sh -e "$W/rules.sh"
start_gw
ok "live-0.2 gateway synced with keygate" wait_for stat_ge sync_ok 1

ms() { date +%s%3N; }
# revoke TOKEN: keygate's DELETE /v3/auth/tokens
revoke() {
	ing curl -s -o /dev/null -w '%{http_code}' -X DELETE -H "X-Auth-Token: $ADMINP" \
	    -H "X-Subject-Token: $1" "$KGURL/v3/auth/tokens"
}
# download NAME TOKEN PORT: GET /trickle (the server sends 16 KB every
# 50 ms for 15 s) from local port PORT in the background; $W/NAME.rc gets
# curl's exit status, $W/NAME.end the time it ended (renamed into place:
# a reader waiting for the file must never see it empty, which made
# live-1.4 read a cut of minus the epoch)
download() {
	rm -f "$W/$1.out" "$W/$1.rc" "$W/$1.end"
	(inc curl -s -m 30 --local-port "$3" -H "X-Auth-Token: $2" -o "$W/$1.out" \
	    "$URL/trickle"
	    echo $? >"$W/$1.rc"; ms >"$W/$1.end.tmp"; mv "$W/$1.end.tmp" "$W/$1.end") &
}
size_of() { if [ -e "$W/$1.out" ]; then wc -c <"$W/$1.out"; else echo 0; fi; }
flowing() { [ "$(size_of "$1")" -gt 50000 ]; }
# server_conns PORT: established connections from the client's PORT at the
# server; ct_conns PORT: their conntrack entries
server_conns() {
	ing ss -Htn state established "( sport = :8080 and dport = :$1 )" | wc -l
}
ct_conns() {
	ing conntrack -L -p tcp --orig-src 10.77.0.2 --sport "$1" --dport 8080 2>/dev/null |
	    grep -c ESTABLISHED
}
# (for wait_for, which runs a command again and again)
server_gone() { [ "$(server_conns "$1")" = 0 ]; }
ct_gone() { [ "$(ct_conns "$1")" = 0 ]; }

# ------------------------------------------------------------------
# 1. revoked in keygate while downloading
# ------------------------------------------------------------------
T1=$(token alice alice-pw "{\"project\":{\"id\":\"$DEMO\"}}")
download d1 "$T1" 40101
ok "live-1.1 download under way" wait_for flowing d1
is "live-1.1 the server is sending" "1" "$(server_conns 40101)"
is "live-1.1 one tracked live flow" "1" "$(stat flows_live)"
t0=$(ms)
is "live-1.2 keygate revokes the token" "204" "$(revoke "$T1")"
wait_for test -e "$W/d1.end"
t1=$(cat "$W/d1.end" 2>/dev/null || echo 0)
is "live-1.3 the download is cut by a reset (curl 56)" "56" "$(cat "$W/d1.rc" 2>/dev/null)"
is "live-1.3 before it completed" "yes" "$([ "$(size_of d1)" -lt 4915200 ] && echo yes)"
cut=$((t1 - t0))
echo "note: revocation to cut download: ${cut} ms (revocation_interval_ms 500)"
# A bound loose enough for a saturated machine (seen: over 1 s while other
# suites ran); the "note:" line above prints the lag measured.
is "live-1.4 cut soon after the revocation (< 3000 ms; interval 500 ms)" "yes" \
    "$([ "$cut" -ge 0 ] && [ "$cut" -lt 3000 ] && echo yes || echo "no (${cut} ms)")"
ok "live-1.5 the server's side was reset too" wait_for server_gone 40101
ok "live-1.6 the conntrack entry is gone" wait_for ct_gone 40101
is "live-1.7 counted: revoked teardown, resets" "1 yes" \
    "$(stat teardowns_revoked) $([ "$(stat teardown_resets)" -ge 1 ] && echo yes)"
ok "live-1.8 logged with user and token tag" grep -q \
    "teardown tcp 10.77.0.2:[0-9]*->10.77.0.1:8080 user=$ALICE token=[0-9a-f]\\{16\\} reason=revoked" \
    "$W/gw.log"
is "live-1.9 a new connection with it is refused" "000 56" "$(get -H "X-Auth-Token: $T1" $URL/)"
is "live-1.10 the user's other token still works" "200 0" "$(get -H "X-Auth-Token: $MEMBER" $URL/)"
# conntrack forgets the connections (as it does after TIME_WAIT): DESTROY
# events (filtered in the kernel by mark) reach the daemon
live_none() { [ "$(stat flows_live)" = 0 ]; }
ing conntrack -D -p tcp --orig-src 10.77.0.2 --dport 8080 >/dev/null 2>&1
ok "live-1.11 conntrack's DESTROY events end the tracking" wait_for live_none
is "live-1.11 counted" "yes" "$([ "$(stat conntrack_gone)" -ge 1 ] && echo yes)"

# ------------------------------------------------------------------
# 2. the token expires while downloading
# ------------------------------------------------------------------
KEYPEM=$W/kg/keys/$(ls "$W/kg/keys" | sort -n | tail -n 1)
# The token expires at floor(minting time) + 3 s: at least 2 s after tb
# (before minting), at most 3 s after ta (after it). Python's start-up
# under load lies between the two (live-2.3 once saw 1860 ms from ta).
tb=$(ms)
SHORT=$("$PY" "$T/kgwtok.py" sign "$KEYPEM" --user "$ALICE" --project "$DEMO:demo" \
    --roles member --exp 3)
t0=$(ms)
download d2 "$SHORT" 40102
ok "live-2.1 download with a token valid for 3 s" wait_for flowing d2
i=0
until [ -e "$W/d2.end" ] || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
t1=$(cat "$W/d2.end" 2>/dev/null || echo 0)
is "live-2.2 cut by a reset" "56" "$(cat "$W/d2.rc" 2>/dev/null)"
cut=$((t1 - t0))
cutb=$((t1 - tb))
echo "note: expiry cut the download ${cut} ms after a 3 s token was minted"
is "live-2.3 at expiry (>= 2 s from before minting, <= 4.2 s after it)" "yes" \
    "$([ "$cutb" -ge 2000 ] && [ "$cut" -le 4200 ] && echo yes ||
    echo "no (${cutb} ms from before, ${cut} ms from after minting)")"
is "live-2.4 counted as expired" "1" "$(stat teardowns_expired)"
ok "live-2.5 the server's side was reset too" wait_for server_gone 40102

# ------------------------------------------------------------------
# 3. an idle keep-alive connection: the probe makes the client answer
# ------------------------------------------------------------------
T3=$(token alice alice-pw "{\"project\":{\"id\":\"$DEMO\"}}")
rm -f "$W/go" "$W/ready"
inc "$PY" "$T/client.py" 10.77.0.1 8080 --token "$T3" --requests 2 --sport 40103 \
    --ready-file "$W/ready" --wait-file "$W/go" >"$W/ka.out" &
KA=$!
ok "live-3.1 first request answered, connection idle" wait_for [ -e "$W/ready" ]
p0=$(stat teardown_probes)
revoke "$T3" >/dev/null
ok "live-3.2 the idle connection is ended" wait_for server_gone 40103
is "live-3.3 a probe was sent" "yes" "$([ "$(stat teardown_probes)" -gt "$p0" ] && echo yes)"
touch "$W/go"
wait "$KA"
is "live-3.4 the client's next request finds a reset" "200 reset" "$(cat "$W/ka.out")"

# ------------------------------------------------------------------
# 4. how fast the gateway learns a revocation (revocation_interval_ms 500)
# ------------------------------------------------------------------
worst=0
all=""
for n in 1 2 3 4 5; do
	Tn=$(token alice alice-pw "{\"project\":{\"id\":\"$DEMO\"}}")
	e0=$(stat revocation_events)
	t0=$(ms)
	revoke "$Tn" >/dev/null
	i=0
	until [ "$(stat revocation_events)" -gt "$e0" ] || [ $i -ge 300 ]; do
		sleep 0.01
		i=$((i + 1))
	done
	d=$(($(ms) - t0))
	all="$all $d"
	[ "$d" -gt "$worst" ] && worst=$d
done
echo "note: revocation reached the gateway after:$all ms"
is "live-4.1 every revocation learned within 1 s" "yes" \
    "$([ "$worst" -lt 1000 ] && echo yes || echo "no ($all ms)")"

# ------------------------------------------------------------------
# 5. teardown = no: the old behaviour, nothing tracked
# ------------------------------------------------------------------
ok "live-5.1 clean SIGTERM" stop_gw
"$GW" rules --delete -f "$W/gw.conf" | ing sh -e
sed 's/^\[gateway\]$/[gateway]\nteardown = no/' "$W/gw.conf" >"$W/gw-no.conf"
"$GW" rules -f "$W/gw-no.conf" | ing sh -e
is "live-5.2 no kill lines" "0" "$(ing iptables -S KEYGATE | grep -c -- '--set-xmark')"
start_gw "$W/gw-no.conf"
is "live-5.3 member -> 200, not tracked" "200 0 0" \
    "$(get -H "X-Auth-Token: $MEMBER" $URL/) $(stat flows_live "$W/gw-no.conf")"
ok "live-5.4 clean SIGTERM" stop_gw
"$GW" rules --delete -f "$W/gw-no.conf" | ing sh -e

finish
