#!/bin/sh
# fresh.sh - the README's test command on a fresh Debian 12 (make
# test-fresh; also run by .ci/run): a container from the local
# debian:bookworm-slim base (tests/container/base.sh, debootstrap) gets a
# copy of the committed tree (git archive HEAD) and runs, as root,
#
#     apt-get install make && make test
#
# so an install step missing from scripts/install-deps fails here, not on
# a user's machine (CI's own machine keeps what was installed by hand).
#
#   sh tests/container/fresh.sh [BUILD_DIR]
#
# The container has every capability (but CAP_SYS_RESOURCE, not in this
# VM's bounding set), no seccomp or AppArmor profile, writable /proc/sys,
# and the host's network and PID namespaces:
# the gateway tests create network namespaces (ip netns, in the
# container's own /run/netns) and name them with $$, which must not
# collide with the host's; apt and npm reach Debian's mirror and the npm
# registry through the host's network (with the host's CA bundle: this
# machine's TLS egress proxy signs with its own CA). Downloaded .deb files are kept in
# /var/cache/keygate-fresh/apt between runs (only the downloads: every run
# installs everything again).
#
# It runs its own dockerd, apart from tests/container/run.sh's: socket
# /run/keygate-fresh/docker.sock, data root /var/lib/keygate-fresh/docker,
# no bridge and no iptables rules (host networking only), stopped at the
# end. Prints "ok/FAIL <id>" lines, the container's test summary and last
# "N passed, N failed". KG_FRESH_KEEP=1 keeps the container for a look.
set -u
cd "$(dirname "$0")/../.." || exit 2
B=${1:-${KG_BUILD:-build}}
W=$(pwd)/$B/container			# base tarball cache (shared with run.sh)
F=$(pwd)/$B/fresh			# logs
mkdir -p "$W" "$F"
DOCKER=/usr/bin/docker
RUN=/run/keygate-fresh
SOCK=unix://$RUN/docker.sock
ROOT=/var/lib/keygate-fresh/docker
APTCACHE=/var/cache/keygate-fresh/apt
NAME=kgfresh-$$
SRC=
DOCKERD_PID=
T_PASS=0
T_FAIL=0

d() {
	$DOCKER -H "$SOCK" "$@"
}

pass() {
	T_PASS=$((T_PASS + 1))
	[ -n "${T_VERBOSE:-}" ] && echo "ok   $1"
	return 0
}

fail() {
	T_FAIL=$((T_FAIL + 1))
	echo "FAIL $1${2:+  ($2)}"
	return 0
}

finish() {
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
	exit $?
}

cleanup() {
	set +e
	if [ -z "${KG_FRESH_KEEP:-}" ]; then
		d rm -f -v "$NAME" >/dev/null 2>&1
	fi
	[ -n "$SRC" ] && rm -rf "$SRC"
	if [ -n "$DOCKERD_PID" ]; then
		kill "$DOCKERD_PID" 2>/dev/null
		i=0
		while kill -0 "$DOCKERD_PID" 2>/dev/null && [ $i -lt 150 ]; do
			sleep 0.2
			i=$((i + 1))
		done
		kill -0 "$DOCKERD_PID" 2>/dev/null && kill -9 "$DOCKERD_PID"
	fi
}
trap 'cleanup' EXIT
trap 'exit 130' INT TERM

# One run at a time: they share the daemon and its data root.
exec 9>/tmp/keygate-fresh-test.lock
if ! flock -w 3600 9; then
	fail fresh-0.0 "another run holds /tmp/keygate-fresh-test.lock"
	finish
fi

# ---- 1. tools and the daemon --------------------------------------------------
if scripts/install-deps container >"$F/install.log" 2>&1; then
	pass fresh-0.1
else
	fail fresh-0.1 "scripts/install-deps container"
	tail -n 20 "$F/install.log" | sed 's/^/    | /'
	finish
fi
mkdir -p "$RUN" "$ROOT" "$APTCACHE/partial"
rm -f "$RUN/dockerd.pid"	# left by a run that was killed (we hold the lock)
# No fd of ours may stay open in the daemon (the lock on 9, CI pipes).
/usr/sbin/dockerd -H "$SOCK" --data-root "$ROOT" --exec-root "$RUN/exec" \
    --pidfile "$RUN/dockerd.pid" --bridge none --iptables=false --ip6tables=false \
    </dev/null >"$F/dockerd.log" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
DOCKERD_PID=$!
i=0
while ! d info >/dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -gt 150 ] || ! kill -0 "$DOCKERD_PID" 2>/dev/null; then
		fail fresh-0.2 "dockerd did not come up"
		tail -n 20 "$F/dockerd.log" | sed 's/^/    | /'
		DOCKERD_PID=
		finish
	fi
	sleep 0.2
done
pass fresh-0.2

# ---- 2. the base image and the tree ---------------------------------------------
. tests/container/base.sh
base_tar=$W/debian-bookworm-slim.tar.gz
if ! d image inspect debian:bookworm-slim >/dev/null 2>&1; then
	if [ ! -s "$base_tar" ] && ! make_base "$base_tar" "$W/debootstrap.log"; then
		fail fresh-0.3 "debootstrap failed (see $W/debootstrap.log)"
		tail -n 20 "$W/debootstrap.log" | sed 's/^/    | /'
		finish
	fi
	d import "$base_tar" debian:bookworm-slim >/dev/null || {
		fail fresh-0.3 "docker import $base_tar"; finish; }
elif [ -s "$base_tar" ] && [ "$base_tar" -nt "$ROOT/.base-imported" ]; then
	# a newer base (e.g. run.sh made one): use it
	d import "$base_tar" debian:bookworm-slim >/dev/null
fi
touch "$ROOT/.base-imported"
pass fresh-0.3

SRC=$(mktemp -d /tmp/kg-fresh-src-XXXXXX)
if git archive HEAD | tar -x -C "$SRC"; then
	pass fresh-0.4
else
	fail fresh-0.4 "git archive HEAD"
	finish
fi

# ---- 3. make test in the container ----------------------------------------------
# The machine's own trust for TLS (here the npm registry is reached through
# an egress proxy whose CA only the machine's bundle holds): the container
# gets the host's bundle and the variables that point at it, as a new
# machine of this kind has them. apt uses plain HTTP.
CA=
for v in NODE_EXTRA_CA_CERTS SSL_CERT_FILE CURL_CA_BUNDLE REQUESTS_CA_BUNDLE; do
	eval "f=\${$v:-}"
	if [ -n "$f" ] && [ -f "$f" ]; then
		CA=$f
		break
	fi
done
[ -z "$CA" ] && [ -f /etc/ssl/certs/ca-certificates.crt ] &&
    CA=/etc/ssl/certs/ca-certificates.crt
set --
if [ -n "$CA" ]; then
	HCA=/etc/keygate-fresh-host-ca.crt
	set -- -v "$CA:$HCA:ro" -e NODE_EXTRA_CA_CERTS=$HCA -e npm_config_cafile=$HCA \
	    -e SSL_CERT_FILE=$HCA -e CURL_CA_BUNDLE=$HCA -e REQUESTS_CA_BUNDLE=$HCA
fi

echo "# make test in a fresh debian:bookworm-slim (log: $F/make-test.log)"
start=$(date +%s)
# Privileged but for CAP_SYS_RESOURCE, which this kind of VM keeps out of
# the bounding set (--privileged then fails: "unable to apply caps").
d run --name "$NAME" --cap-add ALL --cap-drop SYS_RESOURCE \
    --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
    --security-opt systempaths=unconfined --network host --pid host \
    --tmpfs /run:rw,exec --tmpfs /tmp:rw,exec \
    -v "$SRC:/src" -v "$APTCACHE:/var/cache/apt/archives" -w /src "$@" \
    -e DEBIAN_FRONTEND=noninteractive debian:bookworm-slim sh -c '
	# The slim image keeps dpkg from installing /usr/share/{man,groff,...}
	# (its size); a Debian machine has them, and the man page tests need
	# groff'"'"'s device files.
	rm -f /etc/dpkg/dpkg.cfg.d/docker-slim /etc/dpkg/dpkg.cfg.d/docker
	rm -f /etc/apt/apt.conf.d/docker-clean
	apt-get update -qq && apt-get install -y -qq --no-install-recommends make \
	    >/dev/null && make test' >"$F/make-test.log" 2>&1
rc=$?
echo "# container exited $rc after $(( $(date +%s) - start )) s"
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$F/make-test.log" | tail -n 1)
echo "# in the container: ${summary:-no summary}"
if [ "$rc" -eq 0 ] && [ -n "$summary" ] && [ "${summary#* passed, }" = "0 failed" ]; then
	pass fresh-1.1
else
	fail fresh-1.1 "make test on a fresh Debian 12: exit $rc, ${summary:-no summary}"
	grep -E '^(FAIL|failed:|install-deps|E:)|passed,.*[1-9][0-9]* failed' \
	    "$F/make-test.log" | head -n 40 | sed 's/^/    | /'
	tail -n 15 "$F/make-test.log" | sed 's/^/    | /'
fi
finish
