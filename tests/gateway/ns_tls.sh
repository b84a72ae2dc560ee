#!/bin/sh
# ns_tls.sh - keygate-gateway and TLS: rules that match the ClientHello's
# SNI and ALPN (curl against python3's ssl server), and the HTTP CONNECT
# mode: curl --proxy with Proxy-Authorization: Bearer, and ssh through a
# ProxyCommand (socat, Basic credentials) to a real sshd, the TLS or SSH
# that follows the CONNECT head admitted on the same flow. Namespaces,
# servers and tokens: tests/gateway/setup.inc.
#
#   sh tests/gateway/ns_tls.sh [BUILD_DIR]   (root; ends "N passed, N failed")
. "$(dirname "$0")/setup.inc"

# a certificate for svc.test and other.test (a CA of its own)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=svc.test -addext "subjectAltName=DNS:svc.test,DNS:other.test" \
    -keyout "$W/tls.key" -out "$W/tls.crt" >/dev/null 2>&1
ing "$PY" "$T/tlsd.py" 0.0.0.0 8443 "$W/tls.crt" "$W/tls.key" >"$W/tlsd.log" 2>&1 &
ing "$PY" "$T/tlsd.py" 127.0.0.1 9443 "$W/tls.crt" "$W/tls.key" >"$W/tlsd2.log" 2>&1 &
ing "$PY" "$T/connectd.py" 3128 svc.test:443=127.0.0.1:9443 \
    ssh.test:22=127.0.0.1:2222 other.test:443=127.0.0.1:9443 >"$W/connectd.log" 2>&1 &

# sshd on the gateway namespace's loopback, a key for root
mkdir -p /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$W/hostkey"
ssh-keygen -q -t ed25519 -N '' -f "$W/userkey"
cp "$W/userkey.pub" "$W/authorized_keys"
cat >"$W/sshd_config" <<EOF
ListenAddress 127.0.0.1:2222
HostKey $W/hostkey
AuthorizedKeysFile $W/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile none
EOF
ing /usr/sbin/sshd -D -e -f "$W/sshd_config" >"$W/sshd.log" 2>&1 &

cat >"$W/gw.policy" <<EOF
default reject
rule web     port 8443 sni svc.test alpn http/1.1 noauth
rule tunnel  port 3128 method CONNECT connect svc.test:443,ssh.test:22 roles member project demo
EOF
cat >"$W/gw.conf" <<EOF
[gateway]
policy = $W/gw.policy
control_socket = $W/ctl.sock
[rules]
ports = 8443,3128
in_interface = kgg$ID
ipv6 = no
[keygate]
url = $KGURL
username = gateway
password_file = $W/gw.pw
project = service
state_dir = $W/state
EOF
"$GW" rules -f "$W/gw.conf" | ing sh -e
start_gw
ok "tls-0.1 gateway synced" wait_for stat_ge sync_ok 1
ok "tls-0.2 TLS server up" wait_for ing curl -fsS -o /dev/null --cacert "$W/tls.crt" \
    --resolve svc.test:9443:127.0.0.1 https://svc.test:9443/
ok "tls-0.3 sshd up" wait_for ing "$PY" -c "import socket
assert socket.create_connection(('127.0.0.1', 2222), 1).recv(4) == b'SSH-'"

# https NAME [curl args]: status and curl exit through the gateway to 8443
https() {
	n=$1
	shift
	inc curl -s -o /dev/null -w '%{http_code}' -m 5 --cacert "$W/tls.crt" \
	    --resolve "$n:8443:10.77.0.1" "$@" "https://$n:8443/"
	echo " $?"
}

# ------------------------------------------------------------------
# 1. SNI and ALPN rules
# ------------------------------------------------------------------
is "tls-1.1 SNI svc.test, ALPN http/1.1 only -> 200" "200 0" "$(https svc.test --http1.1)"
is "tls-1.2 SNI other.test (same server, same certificate) -> reset" "000 35" \
    "$(https other.test --http1.1)"
is "tls-1.3 ALPN offering h2 as well -> reset" "000 35" "$(https svc.test --http2)"
is "tls-1.4 no SNI (an address) -> reset" "000 35" \
    "$(inc curl -s -o /dev/null -w '%{http_code}' -m 5 -k --http1.1 https://10.77.0.1:8443/
    echo " $?")"
is "tls-1.5 logged with SNI and ALPN" "yes" \
    "$(grep -q "decision tcp 10.77.0.2:[0-9]*->10.77.0.1:8443 TLS sni=svc.test alpn=http/1.1 .*rule=web verdict=accept" \
    "$W/gw.log" && echo yes)"
is "tls-1.6 plain HTTP to the TLS port -> reset" "000 56" \
    "$(inc curl -s -o /dev/null -w '%{http_code}' -m 5 -H "X-Auth-Token: $MEMBER" \
    http://10.77.0.1:8443/; echo " $?")"

# ------------------------------------------------------------------
# 2. CONNECT with curl --proxy
# ------------------------------------------------------------------
# viaproxy TOKEN-HEADER NAME: curl through the CONNECT proxy on 3128
viaproxy() {
	inc curl -s -o "$W/via.out" -w '%{http_code}' -m 5 --cacert "$W/tls.crt" \
	    --proxy http://10.77.0.1:3128 ${1:+--proxy-header "$1"} "https://$2/"
	echo " $?"
}
is "tls-2.1 curl --proxy, Proxy-Authorization: Bearer -> 200 over the tunnel" "200 0" \
    "$(viaproxy "Proxy-Authorization: Bearer $MEMBER" svc.test)"
is "tls-2.1 the TLS server answered" "tls ok svc.test" "$(cat "$W/via.out")"
is "tls-2.2 X-Auth-Token works too" "200 0" "$(viaproxy "X-Auth-Token: $MEMBER" svc.test)"
is "tls-2.3 no token -> reset (curl: proxy CONNECT aborted)" "000 56" "$(viaproxy "" svc.test)"
is "tls-2.4 reader token -> reset" "000 56" \
    "$(viaproxy "Proxy-Authorization: Bearer $READER" svc.test)"
is "tls-2.5 a target the rule does not name -> reset" "000 56" \
    "$(viaproxy "Proxy-Authorization: Bearer $MEMBER" other.test)"
is "tls-2.6 logged with the CONNECT target" "yes" \
    "$(grep -q "decision tcp 10.77.0.2:[0-9]*->10.77.0.1:3128 CONNECT svc.test:443 user=$ALICE .*rule=tunnel verdict=accept" \
    "$W/gw.log" && echo yes)"

# ------------------------------------------------------------------
# 3. ssh through a ProxyCommand (socat, Basic credentials token:<token>)
# ------------------------------------------------------------------
printf 'token:%s' "$MEMBER" >"$W/proxyauth"
chmod 600 "$W/proxyauth"
sshvia() {
	inc ssh -i "$W/userkey" -o BatchMode=yes -o StrictHostKeyChecking=no \
	    -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=5 \
	    -o ProxyCommand="socat - PROXY:10.77.0.1:%h:%p,proxyport=3128,proxyauthfile=$1" \
	    root@ssh.test 'echo ssh ok' 2>"$W/ssh.err"
}
is "tls-3.1 ssh root@ssh.test through the gateway and the proxy" "ssh ok" \
    "$(sshvia "$W/proxyauth")"
printf 'token:%s' "$READER" >"$W/proxyauth-reader"
is "tls-3.2 with a reader's token: refused" "" "$(sshvia "$W/proxyauth-reader")"
is "tls-3.3 decided on the CONNECT head, for alice" "yes" \
    "$(grep -q "CONNECT ssh.test:22 user=$ALICE .*rule=tunnel verdict=accept" "$W/gw.log" \
    && echo yes)"

# a long ssh session is cut when its token is revoked
T5=$(token alice alice-pw "{\"project\":{\"id\":\"$DEMO\"}}")
printf 'token:%s' "$T5" >"$W/proxyauth5"
rm -f "$W/ssh5.rc"
(inc ssh -i "$W/userkey" -o BatchMode=yes -o StrictHostKeyChecking=no \
    -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ServerAliveInterval=1 \
    -o ProxyCommand="socat - PROXY:10.77.0.1:%h:%p,proxyport=3128,proxyauthfile=$W/proxyauth5" \
    root@ssh.test 'echo started; sleep 20' >"$W/ssh5.out" 2>&1; echo $? >"$W/ssh5.rc") &
ok "tls-3.4 a long ssh session runs" wait_for grep -q started "$W/ssh5.out"
ing curl -s -o /dev/null -X DELETE -H "X-Auth-Token: $ADMINP" -H "X-Subject-Token: $T5" \
    "$KGURL/v3/auth/tokens"
ok "tls-3.5 revoking its token ends it" wait_for test -e "$W/ssh5.rc"
is "tls-3.5 ssh exits with an error" "255" "$(cat "$W/ssh5.rc" 2>/dev/null)"

ok "tls-4.1 clean SIGTERM" stop_gw
"$GW" rules --delete -f "$W/gw.conf" | ing sh -e
finish
