#!/bin/sh
# ns.sh - keygate-gateway end to end, in network namespaces this script
# creates (kgw-<pid>-c client, kgw-<pid>-g gateway + servers, and for the
# routed case kgw-<pid>-s), joined by veth pairs with private addresses
# that exist only there. In the gateway namespace: a real keygate server
# on loopback issuing the tokens, an HTTP/1.1 server on port 8080
# (tests/gateway/httpd.py), the iptables rules `keygate-gateway rules`
# prints, and the daemon.
#
#   sh tests/gateway/ns.sh [BUILD_DIR]       (root; ends "N passed, N failed")
#
# No traffic leaves the namespaces; everything is removed on exit.
. "$(dirname "$0")/setup.inc"

cat >"$W/gw.policy" <<EOF
# keygate-gateway test policy
default reject
rule health   path /healthz noauth
rule sink     path /drop roles * action drop
rule admin    roles admin system mark 0x10
rule readers  path /public roles reader project demo
rule members  roles member project demo
EOF
cat >"$W/gw.conf" <<EOF
[gateway]
policy = $W/gw.policy
control_socket = $W/ctl.sock
hold_timeout_ms = 1000
[rules]
ports = 8080
restore_mark = yes
[keygate]
url = $KGURL
username = gateway
password_file = $W/gw.pw
project = service
sync_interval = 1
state_dir = $W/state
EOF
sed 's/^restore_mark = yes$/queue_bypass = yes/' "$W/gw.conf" >"$W/gw-bypass.conf"

ok "gw-0.2 configuration check" "$GW" -n -f "$W/gw.conf"
ok "gw-0.2 --help" sh -c "'$GW' --help | grep -q 'keygate-gateway rules'"
# this kernel has no nft "queue" (CONFIG_NFT_QUEUE): check the rest of the ruleset
"$GW" rules --nft -f "$W/gw.conf" | grep -v 'queue num' >"$W/rules.nft"
ok "gw-0.5 nft ruleset parses (nft -c, without the queue statement)" \
    ip netns exec "$G" nft -c -f "$W/rules.nft"
"$GW" rules -f "$W/gw.conf" >"$W/rules.sh"
ok "gw-0.3 printed rules apply" ing sh -e "$W/rules.sh"
ing ip rule add fwmark 0x10/0xff table 100
ing ip route add 10.77.0.2/32 dev "kgh$ID" table 100
inc iptables -A INPUT -i "kgd$ID" -p tcp --sport 8080 -j ACCEPT
start_gw
ok "gw-0.4 keys and revocation events from keygate" wait_for stat_ge sync_ok 1
wait_for inc curl -s -o /dev/null -m 1 http://10.77.0.1:8080/healthz
URL=http://10.77.0.1:8080

# ------------------------------------------------------------------
# 1. tokens and roles
# ------------------------------------------------------------------
is "gw-1.1 no token -> reset" "000 56" "$(get $URL/)"
is "gw-1.2 member token, allowed -> 200" "200 0" "$(get -H "X-Auth-Token: $MEMBER" $URL/)"
is "gw-1.3 admin via Authorization: Bearer -> 200" "200 0" \
    "$(get -H "Authorization: Bearer $ADMIN" $URL/)"
is "gw-1.4 wrong role -> reset" "000 56" "$(get -H "X-Auth-Token: $READER" $URL/)"
is "gw-1.5 noauth path, no token -> passes (404 from the server)" "404 0" \
    "$(get $URL/healthz)"
is "gw-1.6 drop rule -> no answer" "000 28" \
    "$(WAIT=1 get -H "X-Auth-Token: $MEMBER" $URL/drop)"
is "gw-1.7 path games do not dodge rules -> reset" "000 56" \
    "$(get --path-as-is -H "X-Auth-Token: $READER" "$URL/x/../healthz")"

# ------------------------------------------------------------------
# 2. bad tokens
# ------------------------------------------------------------------
is "gw-2.0 our own mint with keygate's key passes (control)" "200 0" \
    "$(get -H "X-Auth-Token: $(mint --roles member)" $URL/)"
is "gw-2.1 expired (keygate's key) -> reset" "000 56" \
    "$(get -H "X-Auth-Token: $(mint --roles member --exp -5 --iat -60)" $URL/)"
is "gw-2.2 tampered -> reset" "000 56" \
    "$(get -H "X-Auth-Token: $("$PY" "$T/kgwtok.py" tamper "$READER")" $URL/)"
is "gw-2.3 foreign key -> reset" "000 56" \
    "$(get -H "X-Auth-Token: $("$PY" "$T/kgwtok.py" sign "$W/foreign.pem" --roles member --project "$DEMO:demo")" $URL/)"
is "gw-2.4 foreign key claiming our kid -> reset" "000 56" \
    "$(get -H "X-Auth-Token: $("$PY" "$T/kgwtok.py" sign "$W/foreign.pem" --kid "$REAL_KID" --roles member --project "$DEMO:demo")" $URL/)"
is "gw-2.5 wrong issuer -> reset" "000 56" \
    "$(get -H "X-Auth-Token: $(mint --roles member --issuer evil)" $URL/)"
is "gw-2.6 two different tokens -> reset" "000 56" \
    "$(get -H "X-Auth-Token: $MEMBER" -H "Authorization: Bearer $ADMIN" $URL/)"
is "gw-2.7 reasons counted" "1 2 1 1 1" "$(stat decisions_expired) \
$(stat decisions_bad_signature) $(stat decisions_unknown_key) $(stat decisions_wrong_issuer) \
$(stat decisions_ambiguous)"

# revocation: keygate revokes a token the gateway has already cached
T2=$(token alice alice-pw "{\"project\":{\"id\":\"$DEMO\"}}")
is "gw-2.8 fresh token -> 200 (now cached)" "200 0" "$(get -H "X-Auth-Token: $T2" $URL/)"
h0=$(stat cache_hits)
is "gw-2.8 second use is a cache hit" "200 0 1" \
    "$(get -H "X-Auth-Token: $T2" $URL/) $(($(stat cache_hits) - h0))"
ev0=$(stat revocation_events)
is "gw-2.9 keygate revokes it (DELETE /v3/auth/tokens)" "204" \
    "$(ing curl -s -o /dev/null -w '%{http_code}' -X DELETE -H "X-Auth-Token: $ADMINP" \
    -H "X-Subject-Token: $T2" "$KGURL/v3/auth/tokens")"
ok "gw-2.10 the event reaches the gateway within a sync interval" \
    wait_for stat_ge revocation_events $((ev0 + 1))
is "gw-2.11 revoked token -> reset" "000 56" "$(get -H "X-Auth-Token: $T2" $URL/)"
is "gw-2.11 the user's other token still passes" "200 0" "$(get -H "X-Auth-Token: $MEMBER" $URL/)"
is "gw-2.11 counted as revoked" "1" "$(stat decisions_revoked)"
is "gw-2.12 reader on /public passes (404 from the server)" "404 0" \
    "$(get -H "X-Auth-Token: $READER" $URL/public)"
ev0=$(stat revocation_events)
api PATCH "/v3/users/$BOB" '{"user":{"enabled":false}}' >/dev/null
ok "gw-2.13 disabling bob: an event for his tokens" \
    wait_for stat_ge revocation_events $((ev0 + 1))
is "gw-2.13 bob's token -> reset" "000 56" "$(get -H "X-Auth-Token: $READER" $URL/public)"

# ------------------------------------------------------------------
# 3. request heads across segments
# ------------------------------------------------------------------
early0=$(stat packets_early)
is "gw-3.1 head in 6 pieces, 50 ms apart -> 200" "200" \
    "$(inc "$PY" "$T/client.py" 10.77.0.1 8080 --token "$MEMBER" --chunks 6)"
early1=$(stat packets_early)
is "gw-3.1 the 5 partial pieces passed early" "yes" \
    "$([ $((early1 - early0)) -ge 5 ] && echo yes || echo "no ($early0 -> $early1)")"
BIG=$(mint --roles member --pad 9000)
is "gw-3.2 9 KB token over several segments -> 200" "200" \
    "$(inc "$PY" "$T/client.py" 10.77.0.1 8080 --token "$BIG")"
is "gw-3.3 wrong role in pieces -> reset" "reset" \
    "$(inc "$PY" "$T/client.py" 10.77.0.1 8080 --token "$READER" --chunks 4)"
is "gw-3.4 head over 16 KiB -> reset" "reset" \
    "$(inc "$PY" "$T/client.py" 10.77.0.1 8080 --token "$MEMBER" --pad 20000)"
is "gw-3.5 head never completed -> reset after the hold timeout" "reset" \
    "$(inc "$PY" "$T/client.py" 10.77.0.1 8080 --token "$MEMBER" --chunks 2 --delay 3)"
is "gw-3.6 limits counted" "1 1" "$(stat decisions_headers_too_big) $(stat decisions_header_timeout)"
is "gw-3.7 the head completed after the timeout is decided once (no not-http)" "0 0" \
    "$(stat decisions_not_http) $(grep -c 'reason=not-http' "$W/gw.log")"

# ------------------------------------------------------------------
# 4. the queue only sees the start of a connection
# ------------------------------------------------------------------
q0=$(stat packets_queued)
is "gw-4.1 keep-alive: two requests on one connection" "200 200" \
    "$(inc "$PY" "$T/client.py" 10.77.0.1 8080 --token "$MEMBER" --requests 2)"
q1=$(stat packets_queued)
is "gw-4.1 keep-alive: second request not queued" "yes" \
    "$([ $((q1 - q0)) -le 4 ] && echo yes || echo "no ($((q1 - q0)) queued)")"
q1=$(stat packets_queued)
is "gw-4.2 one request: only its packet queued (handshake, FIN skip)" "200 0 1" \
    "$(get -H "X-Auth-Token: $MEMBER" $URL/) $(($(stat packets_queued) - q1))"
is "gw-4.4 port reuse: accepted connection from port 40404" "200" \
    "$(inc "$PY" "$T/client.py" 10.77.0.1 8080 --sport 40404 --token "$MEMBER")"
is "gw-4.4 port reuse: next connection from 40404 without a token -> reset" "reset" \
    "$(inc "$PY" "$T/client.py" 10.77.0.1 8080 --sport 40404)"
q1=$(stat packets_queued)
size=$(inc curl -s -m 20 -H "X-Auth-Token: $MEMBER" -o - $URL/big | wc -c)
q2=$(stat packets_queued)
is "gw-4.3 4 MB download complete" "4000000" "$size"
is "gw-4.3 only the first packets were queued" "yes" \
    "$([ $((q2 - q1)) -le 6 ] && echo yes || echo "no ($((q2 - q1)) queued)")"

# ------------------------------------------------------------------
# 5. IPv6
# ------------------------------------------------------------------
is "gw-5.1 IPv6 member -> 200" "200 0" "$(get -H "X-Auth-Token: $MEMBER" "http://[fd77::1]:8080/")"
is "gw-5.2 IPv6 no token -> reset" "000 56" "$(get "http://[fd77::1]:8080/")"
is "gw-5.3 IPv6 head in pieces -> 200" "200" \
    "$(inc "$PY" "$T/client.py" fd77::1 8080 --token "$MEMBER" --chunks 3)"

# ------------------------------------------------------------------
# 6. the mark selects the routing table (replies of admin flows: table 100)
# ------------------------------------------------------------------
side() { inc iptables -L INPUT -v -x -n | awk -v i="kgd$ID" '$6 == i { print $1 }'; }
s0=$(side)
is "gw-6.1 member request -> 200" "200 0" "$(get -H "X-Auth-Token: $MEMBER" $URL/)"
s1=$(side)
is "gw-6.1 mark 0x1: replies on the main route" "0" "$((s1 - s0))"
is "gw-6.2 admin request -> 200" "200 0" "$(get -H "X-Auth-Token: $ADMIN" $URL/)"
s2=$(side)
is "gw-6.2 mark 0x10: replies through table 100" "yes" \
    "$([ $((s2 - s1)) -ge 2 ] && echo yes || echo "no ($((s2 - s1)))")"

# ------------------------------------------------------------------
# 7. counters, logs, reload
# ------------------------------------------------------------------
is "gw-7.1 stats: accepted and cache hits" "yes" \
    "$([ "$(stat flows_accepted)" -ge 10 ] && [ "$(stat cache_hits)" -ge 5 ] && echo yes)"
is "gw-7.2 one log line per decision" "$(stat flows_decided)" "$(grep -c ' decision tcp ' "$W/gw.log")"
is "gw-7.3 no token in the log" "0" "$(grep -cF -e "$MEMBER" -e "$ADMIN" "$W/gw.log")"
is "gw-7.4 log line names user, scope, rule, verdict, reason" "yes" \
    "$(grep -q "decision tcp \\[fd77::2\\]:[0-9]*->\\[fd77::1\\]:8080 GET / user=$ALICE scope=project:$DEMO rule=members verdict=accept mark=0x1 reason=ok token=[0-9a-f]\\{16\\} cache=" "$W/gw.log" && echo yes)"
cp "$W/gw.policy" "$W/gw.policy.good"
echo "rule broken roles" >>"$W/gw.policy"
badline=$(wc -l <"$W/gw.policy")
kill -HUP "$GWPID"
wait_for grep -q "policy refused" "$W/gw.log"
is "gw-7.5 bad policy on SIGHUP refused with its line" "1" "$(grep -c "policy refused.*line $badline:" "$W/gw.log")"
is "gw-7.5 old policy still in force" "200 0" "$(get -H "X-Auth-Token: $MEMBER" $URL/)"
grep -v '^rule members' "$W/gw.policy.good" >"$W/gw.policy"
kill -HUP "$GWPID"
wait_for stat_ge policy_reloads 1
is "gw-7.6 new policy on SIGHUP: members rule gone -> reset" "000 56" \
    "$(get -H "X-Auth-Token: $MEMBER" $URL/)"
cp "$W/gw.policy.good" "$W/gw.policy"
kill -HUP "$GWPID"
wait_for stat_ge policy_reloads 2

# keygate down: the last good keys and events go on; state_dir survives a restart
T3=$(token alice alice-pw "{\"project\":{\"id\":\"$DEMO\"}}")
kill -TERM "$KGPID"
wait "$KGPID"
e0=$(stat sync_errors)
ok "gw-7.8 keygate down: syncs fail" wait_for stat_ge sync_errors $((e0 + 1))
is "gw-7.8 keygate down: a token never seen is still verified" "200 0" \
    "$(get -H "X-Auth-Token: $T3" $URL/)"
ok "gw-7.9 gateway restarted while keygate is down" stop_gw
start_gw
is "gw-7.9 keys from state_dir: valid token -> 200" "200 0" "$(get -H "X-Auth-Token: $MEMBER" $URL/)"
is "gw-7.9 events from state_dir: revoked token -> reset" "000 56" \
    "$(get -H "X-Auth-Token: $T2" $URL/)"
start_kg
s0=$(stat sync_ok)
ok "gw-7.10 keygate back: syncs succeed again" wait_for stat_ge sync_ok $((s0 + 1))

kill -USR1 "$GWPID"
ok "gw-7.11 SIGUSR1 logs the counters" wait_for grep -q 'INFO stats: packets_queued' "$W/gw.log"

echo "rule x roles" >"$W/bad.policy"
sed "s|^policy = .*|policy = $W/bad.policy|" "$W/gw.conf" >"$W/bad.conf"
is "gw-7.7 -n refuses a bad policy with its line" "yes" \
    "$("$GW" -n -f "$W/bad.conf" 2>&1 | grep -q 'bad.policy: line 1:' && echo yes)"

# ------------------------------------------------------------------
# 8. daemon down: fail closed; established flows go on; bypass fails open
# ------------------------------------------------------------------
rm -f "$W/go" "$W/ready"
ip netns exec "$C" "$PY" "$T/client.py" 10.77.0.1 8080 --token "$MEMBER" --requests 2 \
    --ready-file "$W/ready" --wait-file "$W/go" >"$W/ka.out" &
KA=$!
wait_for [ -e "$W/ready" ]
ok "gw-8.1 clean SIGTERM" stop_gw
is "gw-8.2 daemon down: new connection gets nowhere" "000 28" "$(WAIT=2 get -H "X-Auth-Token: $MEMBER" $URL/)"
touch "$W/go"
wait "$KA"
is "gw-8.3 daemon down: established connection goes on" "200 200" "$(cat "$W/ka.out")"
"$GW" rules --delete -f "$W/gw.conf" >"$W/unrules.sh"
ok "gw-8.4 printed --delete rules apply" ing sh -e "$W/unrules.sh"
is "gw-8.4 rules gone" "0" "$(ing iptables -S | grep -c KEYGATE)"
"$GW" rules --queue-bypass -f "$W/gw.conf" >"$W/rules-bypass.sh"
is "gw-8.5 rules --queue-bypass (the README's spelling) prints the bypass" "2" \
    "$(grep -c -- '-A KEYGATE -j NFQUEUE --queue-num 0 --queue-bypass$' "$W/rules-bypass.sh")"
ing sh -e "$W/rules-bypass.sh"
is "gw-8.5 --queue-bypass, daemon down: passes without a token" "200 0" "$(get $URL/)"
start_gw "$W/gw-bypass.conf"
is "gw-8.6 --queue-bypass, daemon up: checked again" "000 56" "$(get $URL/)"
ok "gw-8.7 clean SIGTERM" stop_gw
"$GW" rules --delete -f "$W/gw.conf" | ing sh -e

# ------------------------------------------------------------------
# 9. hold_all: nothing reaches the server before the decision
# ------------------------------------------------------------------
sed -e 's/^\[gateway\]$/[gateway]\nhold_all = yes/' \
    -e 's/^\[rules\]$/[rules]\nskip_empty = ack/' "$W/gw.conf" >"$W/gw-hold.conf"
"$GW" rules -f "$W/gw-hold.conf" | ing sh -e
start_gw "$W/gw-hold.conf"
is "gw-9.1 hold_all: 9 KB token in several segments -> 200" "200" \
    "$(inc "$PY" "$T/client.py" 10.77.0.1 8080 --token "$BIG")"
is "gw-9.1 hold_all: segments held, none passed early" "yes 0" \
    "$([ "$(stat packets_held "$W/gw-hold.conf")" -ge 2 ] && echo yes) $(stat packets_early "$W/gw-hold.conf")"
is "gw-9.2 hold_all: no token in several segments -> reset" "reset" \
    "$(inc "$PY" "$T/client.py" 10.77.0.1 8080 --pad 9000)"
q0=$(stat packets_queued "$W/gw-hold.conf")
r=$(get -H "X-Auth-Token: $MEMBER" $URL/)
nq=$(($(stat packets_queued "$W/gw-hold.conf") - q0))
# SYN and request; on a loaded machine TCP may resend the held request once
is "gw-9.3 skip_empty = ack: SYN and request queued (not the ACKs, the FIN)" "200 0 yes" \
    "$r $([ "$nq" -ge 2 ] && [ "$nq" -le 3 ] && echo yes || echo "no ($nq)")"
ok "gw-9.4 clean SIGTERM" stop_gw
"$GW" rules --delete -f "$W/gw-hold.conf" | ing sh -e

# ------------------------------------------------------------------
# 10. the split-hook variant (NF_ACCEPT + mark, queue in mangle)
# ------------------------------------------------------------------
sed 's/^\[gateway\]$/[gateway]\nmode = split/' "$W/gw.conf" >"$W/gw-split.conf"
"$GW" rules -f "$W/gw-split.conf" | ing sh -e
start_gw "$W/gw-split.conf"
is "gw-10.1 split mode: member -> 200" "200 0" "$(get -H "X-Auth-Token: $MEMBER" $URL/)"
is "gw-10.2 split mode: no token -> reset" "000 56" "$(get $URL/)"
q0=$(stat packets_queued "$W/gw-split.conf")
size=$(inc curl -s -m 20 -H "X-Auth-Token: $MEMBER" -o - $URL/big | wc -c)
q1=$(stat packets_queued "$W/gw-split.conf")
is "gw-10.3 split mode: download, only the start queued" "4000000 yes" \
    "$size $([ $((q1 - q0)) -le 6 ] && echo yes || echo "no ($((q1 - q0)))")"
ok "gw-10.4 clean SIGTERM" stop_gw
"$GW" rules --delete -f "$W/gw-split.conf" | ing sh -e
is "gw-10.5 no requeue loops seen" "0" "$(grep -c 'came back with mark' "$W/gw.log")"

# ------------------------------------------------------------------
# 11. a routed gateway: client -> gateway (FORWARD) -> server namespace
# ------------------------------------------------------------------
ip netns add "$S"
ip link add "kgs$ID" netns "$G" type veth peer name "kgt$ID" netns "$S"
ing ip addr add 10.76.0.1/24 dev "kgs$ID"
ip -n "$S" addr add 10.76.0.2/24 dev "kgt$ID"
ing ip link set "kgs$ID" up
ip -n "$S" link set "kgt$ID" up
ip -n "$S" link set lo up
ip -n "$S" route add default via 10.76.0.1
inc ip route add 10.76.0.0/24 via 10.77.0.1
ing sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$S" "$PY" "$T/httpd.py" 8080 "$W/www" >"$W/httpd-s.log" 2>&1 &
sed -e 's/^\[rules\]$/[rules]\nchain = FORWARD\ndst = 10.76.0.2/' "$W/gw.conf" >"$W/gw-fwd.conf"
"$GW" rules -f "$W/gw-fwd.conf" | ing sh -e
start_gw "$W/gw-fwd.conf"
wait_for ip netns exec "$S" curl -s -o /dev/null http://127.0.0.1:8080/
is "gw-11.1 routed: member -> 200 from the server namespace" "200 0" \
    "$(get -H "X-Auth-Token: $MEMBER" http://10.76.0.2:8080/)"
is "gw-11.2 routed: no token -> reset" "000 56" "$(get http://10.76.0.2:8080/)"
is "gw-11.3 routed: the gateway host's own port is not covered (dst)" "200 0" \
    "$(get $URL/)"
ok "gw-11.4 clean SIGTERM" stop_gw
"$GW" rules --delete -f "$W/gw-fwd.conf" | ing sh -e

# ------------------------------------------------------------------
# 12. two queues, one thread each (--queue-balance 3:4 --queue-cpu-fanout)
# ------------------------------------------------------------------
sed -e 's/^\[gateway\]$/[gateway]\nqueues = 3-4/' -e 's/^\[rules\]$/[rules]\ncpu_fanout = yes/' \
    "$W/gw.conf" >"$W/gw-multi.conf"
"$GW" rules -f "$W/gw-multi.conf" | ing sh -e
start_gw "$W/gw-multi.conf"
is "gw-12.1 both queues bound" "3 4" \
    "$(ing awk '{ print $1 }' /proc/net/netfilter/nfnetlink_queue | sort -n | tr '\n' ' ' | sed 's/ $//')"
is "gw-12.2 IPv4 and IPv6 through the balanced queues" "200 0 200 0 000 56" \
    "$(get -H "X-Auth-Token: $MEMBER" $URL/) $(get -H "X-Auth-Token: $MEMBER" \
    "http://[fd77::1]:8080/") $(get $URL/)"
ok "gw-12.3 clean SIGTERM" stop_gw
"$GW" rules --delete -f "$W/gw-multi.conf" | ing sh -e
is "gw-12.4 all rules removed" "0 0" "$(ing iptables -S | grep -c KEYGATE) $(ing ip6tables -S |
    grep -c KEYGATE)"

finish
