#!/bin/sh
# run.sh - build the keygate container image with Docker and use it as a
# developer or an operator would (make test-container; also run by .ci/run).
#
#   sh tests/container/run.sh [BUILD_DIR]
#
# 1. installs docker.io, debootstrap, docker-compose when missing
#    (scripts/install-deps container);
# 2. makes a local debian:bookworm-slim base with debootstrap (no registry
#    is reachable; the tarball is cached as BUILD_DIR/container/*.tar.gz),
#    unless the engine already has that image;
# 3. starts /usr/sbin/dockerd when no daemon answers (and stops it at the
#    end), using Debian's client /usr/bin/docker;
# 4. lints docker/Dockerfile (dockerfile-utils from npm) and
#    docker/compose.yaml (docker-compose config -q);
# 5. builds the image (and the gateway target), checks what it holds,
#    runs it on a free 127.0.0.1 port, waits for the HEALTHCHECK, issues
#    and validates tokens through the published port, restarts and
#    recreates it on the same volume and checks the data survived, stops
#    it with SIGTERM and checks the exit status; does the same through
#    docker/compose.yaml;
# 6. removes the containers, volumes and images it made.
# Prints "ok/FAIL <id>" lines and last "N passed, N failed".
#
# Environment: KG_CONTAINER_KEEP=1 keeps the images and the base image.
# shellcheck disable=SC2016,SC2317
set -u
cd "$(dirname "$0")/../.." || exit 2
B=${1:-${KG_BUILD:-build}}
W=$(pwd)/$B/container			# cache + logs
mkdir -p "$W"
DOCKER=/usr/bin/docker			# Debian's client: BuildKit via the daemon
PY=/usr/bin/python3
export DOCKER_BUILDKIT=1
TAG=kgtest-$$
IMG=keygate-test:$$
GWIMG=keygate-gateway-test:$$
ADMIN_PW=ctr-admin-secret
DOCKERD_PID=
IMPORTED_BASE=
T_PASS=0
T_FAIL=0

say() {
	echo "# $*"
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

# check ID CMD...: CMD must succeed
check() {
	id=$1
	shift
	if "$@" >"$W/check.out" 2>&1; then
		pass "$id"
	else
		fail "$id" "$*"
		tail -n 15 "$W/check.out" | sed 's/^/    | /'
	fi
}

# expect ID WANT GOT: string equality
expect() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "want '$2', got '$3'"
	fi
}

finish() {
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
	exit $?
}

free_port() {
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

cleanup() {
	set +e
	rm -f "$W/body" "$W/hdr" "$W/token" "$W/check.out"
	if [ -n "${COMPOSE_PROJECT:-}" ]; then
		compose down -v >/dev/null 2>&1
	fi
	for c in $($DOCKER ps -aq --filter "name=^$TAG" 2>/dev/null); do
		$DOCKER rm -f -v "$c" >/dev/null 2>&1
	done
	for v in $($DOCKER volume ls -q --filter "name=^$TAG" 2>/dev/null); do
		$DOCKER volume rm "$v" >/dev/null 2>&1
	done
	if [ -z "${KG_CONTAINER_KEEP:-}" ]; then
		$DOCKER rmi "$IMG" "$GWIMG" >/dev/null 2>&1
		[ -n "$IMPORTED_BASE" ] && $DOCKER rmi debian:bookworm-slim >/dev/null 2>&1
	fi
	if [ -n "$DOCKERD_PID" ]; then
		kill "$DOCKERD_PID" 2>/dev/null
		i=0
		while kill -0 "$DOCKERD_PID" 2>/dev/null && [ $i -lt 150 ]; do
			sleep 0.2
			i=$((i + 1))
		done
		kill -0 "$DOCKERD_PID" 2>/dev/null && kill -9 "$DOCKERD_PID"
		DOCKERD_PID=
	fi
}
trap 'cleanup' EXIT
trap 'exit 130' INT TERM

# One run at a time on a machine: they share the daemon.
exec 9>/tmp/keygate-container-test.lock
if ! flock -w 1800 9; then
	fail ctr-0.0 "another container test holds /tmp/keygate-container-test.lock"
	finish
fi

# ---- 1. tools ----------------------------------------------------------------
check ctr-0.1 scripts/install-deps container
# npx for the Dockerfile linter: Debian's npm when no node install has one
# (not in install-deps: it would fight a node installed from elsewhere).
if ! command -v npx >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm \
	    >"$W/npm-install.log" 2>&1
fi
for t in npx $DOCKER /usr/sbin/dockerd /usr/sbin/debootstrap /usr/bin/docker-compose curl; do
	command -v "$t" >/dev/null || { fail ctr-0.1 "$t missing"; finish; }
done

# ---- 2. the daemon ------------------------------------------------------------
if ! $DOCKER info >/dev/null 2>&1; then
	say "starting /usr/sbin/dockerd (log: $W/dockerd.log)"
	# No fd of ours may stay open in the daemon (a lock on 9, CI pipes).
	/usr/sbin/dockerd </dev/null >"$W/dockerd.log" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	DOCKERD_PID=$!
	i=0
	while ! $DOCKER info >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -gt 150 ] || ! kill -0 "$DOCKERD_PID" 2>/dev/null; then
			fail ctr-0.2 "dockerd did not come up"
			tail -n 20 "$W/dockerd.log" | sed 's/^/    | /'
			finish
		fi
		sleep 0.2
	done
fi
pass ctr-0.2

# ---- 3. the base image --------------------------------------------------------
. tests/container/base.sh

base_tar=$W/debian-bookworm-slim.tar.gz
if $DOCKER image inspect debian:bookworm-slim >/dev/null 2>&1; then
	say "using the engine's debian:bookworm-slim"
else
	if [ ! -s "$base_tar" ] && ! make_base "$base_tar" "$W/debootstrap.log"; then
		fail ctr-0.3 "debootstrap failed (see $W/debootstrap.log)"
		tail -n 20 "$W/debootstrap.log" | sed 's/^/    | /'
		finish
	fi
	$DOCKER import "$base_tar" debian:bookworm-slim >/dev/null || {
		fail ctr-0.3 "docker import $base_tar"; finish; }
	IMPORTED_BASE=1
fi
pass ctr-0.3

# ---- 4. lint ------------------------------------------------------------------
# dockerfile-utils (the engine behind VS Code's Docker support): exit 1 on errors.
if npx --yes dockerfile-utils@0.16.3 lint docker/Dockerfile >"$W/lint.out" 2>&1 &&
    ! grep -qi 'error' "$W/lint.out"; then
	pass ctr-1.1
else
	fail ctr-1.1 "npx dockerfile-utils lint docker/Dockerfile"
	sed 's/^/    | /' "$W/lint.out" | tail -n 20
fi
check ctr-1.2 docker-compose -f docker/compose.yaml config -q
# The things the engines here do not support (see containers.md).
check ctr-1.3 sh -c '! grep -nE "^# *syntax=" docker/Dockerfile &&
    ! grep -vE "^[[:space:]]*#" docker/Dockerfile | grep -nE "<<|--chmod|--link|--mount="'
check ctr-1.4 sh -c '! grep -nE "^name:" docker/compose.yaml'

# ---- 5. build -----------------------------------------------------------------
say "docker build (log: $W/build.log)"
if $DOCKER build -f docker/Dockerfile -t "$IMG" . >"$W/build.log" 2>&1; then
	pass ctr-2.1
else
	fail ctr-2.1 "docker build failed"
	tail -n 30 "$W/build.log" | sed 's/^/    | /'
	finish
fi
check ctr-2.2 $DOCKER build -f docker/Dockerfile --target gateway -t "$GWIMG" .

# What the image is: non-root, its own health probe, only runtime pieces.
expect ctr-2.3 "10001:10001" "$($DOCKER image inspect -f '{{.Config.User}}' "$IMG")"
expect ctr-2.4 '[CMD keygate healthcheck]' \
    "$($DOCKER image inspect -f '{{.Config.Healthcheck.Test}}' "$IMG")"
expect ctr-2.5 'map[/var/lib/keygate:{}]' "$($DOCKER image inspect -f '{{.Config.Volumes}}' "$IMG")"
expect ctr-2.6 '[keygate-entrypoint]' "$($DOCKER image inspect -f '{{.Config.Entrypoint}}' "$IMG")"
expect ctr-2.7 "" "$($DOCKER run --rm --entrypoint sh "$IMG" -c \
    'dpkg-query -W -f "\${Package}\n" | grep -E -- "-dev\$|^gcc(-[0-9]+)?\$|^cpp|^make\$|^pkg-config\$"; \
    command -v cc gcc make')"
expect ctr-2.8 "keygate keygate-entrypoint" "$($DOCKER run --rm --entrypoint sh "$IMG" -c \
    'ls /usr/local/bin | tr "\n" " " | sed "s/ \$//"')"
expect ctr-2.9 "10001 keygate" "$($DOCKER run --rm --entrypoint sh "$IMG" -c 'echo $(id -u) $(id -un)')"
check ctr-2.10 $DOCKER run --rm "$IMG" version
# Configuration through KEYGATE_* only ("serve -n" prints the effective one).
out=$($DOCKER run --rm -e KEYGATE_TOKEN_EXPIRATION=7200 "$IMG" -n 2>&1)
case "$out" in
*"server.listen = 0.0.0.0:5000"*"token.expiration = 7200"*"configuration OK"*) pass ctr-2.11 ;;
*) fail ctr-2.11 "serve -n: $out" ;;
esac
out=$($DOCKER run --rm -e KEYGATE_TOKEN_EXPIRATION=7 "$IMG" -n 2>&1)
rc=$?
case "$rc $out" in
"1 "*KEYGATE_TOKEN_EXPIRATION*) pass ctr-2.12 ;;
*) fail ctr-2.12 "a bad KEYGATE_TOKEN_EXPIRATION is not reported: $out" ;;
esac

# ---- 6. run it ----------------------------------------------------------------
PORT=$(free_port)
URL=http://127.0.0.1:$PORT

# wait_healthy CONTAINER: the HEALTHCHECK (keygate healthcheck) says healthy
wait_healthy() {
	i=0
	while [ $i -lt 120 ]; do
		st=$($DOCKER inspect -f '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}' "$1" 2>/dev/null)
		case "$st" in
		"running healthy") return 0 ;;
		exited*|dead*|"") break ;;
		esac
		sleep 0.5
		i=$((i + 1))
	done
	echo "container $1: $st" >&2
	$DOCKER logs --tail 20 "$1" 2>&1 | sed 's/^/    | /' >&2
	return 1
}

# run_kg NAME PASSWORD [docker run args...]: detached, on $PORT and volume $TAG-data
run_kg() {
	n=$1
	p=$2
	shift 2
	$DOCKER run -d --name "$n" -p "127.0.0.1:$PORT:5000" -v "$TAG-data:/var/lib/keygate" \
	    -e KEYGATE_ADMIN_PASSWORD="$p" -e KEYGATE_BOOTSTRAP_PUBLIC_URL="$URL/v3" \
	    -e KEYGATE_IDENTITY_PASSWORD_HASH_ROUNDS=4 --health-interval 1s "$@" "$IMG" >/dev/null
}

# req METHOD URL [curl args...]: status on stdout; body in $W/body, headers in $W/hdr
req() {
	m=$1
	u=$2
	shift 2
	curl -s -o "$W/body" -D "$W/hdr" -w '%{http_code}' -X "$m" "$@" "$u" || true
}

# token USER PASSWORD [PROJECT]: POST /v3/auth/tokens; status on stdout,
# the token in $W/token (read it with tok)
token() {
	scope=
	[ -n "${3:-}" ] && scope=",\"scope\":{\"project\":{\"name\":\"$3\",\"domain\":{\"id\":\"default\"}}}"
	st=$(req POST "$BASE/v3/auth/tokens" -H 'Content-Type: application/json' -d \
	    "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":\"$1\",\"domain\":{\"id\":\"default\"},\"password\":\"$2\"}}}$scope}}")
	sed -n 's/^[Xx]-[Ss]ubject-[Tt]oken: *\([^[:space:]]*\).*/\1/p' "$W/hdr" >"$W/token"
	echo "$st"
}

tok() {
	cat "$W/token"
}

json() {
	$PY -c 'import json,sys
d=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    d=d[int(k)] if isinstance(d,list) else d.get(k) if isinstance(d,dict) else None
print(d if d is not None else "")' "$W/body" "$1" 2>/dev/null
}

BASE=$URL
# An empty volume and no password: a clear refusal, not a server without admin.
out=$($DOCKER run --name "$TAG-nopw" -v "$TAG-empty:/var/lib/keygate" "$IMG" 2>&1)
rc=$?
expect ctr-3.1 1 "$rc"
case "$out" in
*KEYGATE_BOOTSTRAP_PASSWORD*) pass ctr-3.2 ;;
*) fail ctr-3.2 "no hint about KEYGATE_BOOTSTRAP_PASSWORD: $out" ;;
esac

run_kg "$TAG-1" "$ADMIN_PW"
check ctr-3.3 wait_healthy "$TAG-1"
[ "$T_FAIL" -eq 0 ] || finish
expect ctr-3.4 200 "$(req GET "$URL/v3")"
expect ctr-3.5 "v3.14" "$(json version.id)"
expect ctr-3.6 201 "$(token admin "$ADMIN_PW" admin)"
ADMIN_TOKEN=$(tok)
check ctr-3.7 test -n "$ADMIN_TOKEN"
expect ctr-3.8 "$URL/v3" "$(json token.catalog.0.endpoints.0.url)"
expect ctr-3.9 200 "$(req GET "$URL/v3/auth/tokens" -H "X-Auth-Token: $ADMIN_TOKEN" \
    -H "X-Subject-Token: $ADMIN_TOKEN")"
expect ctr-3.10 admin "$(json token.user.name)"
expect ctr-3.11 404 "$(req GET "$URL/v3/auth/tokens" -H "X-Auth-Token: $ADMIN_TOKEN" \
    -H "X-Subject-Token: not-a-token")"
expect ctr-3.12 401 "$(token admin wrong-password admin)"
expect ctr-3.13 201 "$(req POST "$URL/v3/projects" -H "X-Auth-Token: $ADMIN_TOKEN" \
    -H 'Content-Type: application/json' -d '{"project":{"name":"kept","domain_id":"default"}}')"
PROJECT_ID=$(json project.id)
expect ctr-3.14 201 "$(req POST "$URL/v3/users" -H "X-Auth-Token: $ADMIN_TOKEN" \
    -H 'Content-Type: application/json' \
    -d '{"user":{"name":"carol","domain_id":"default","password":"carol-secret"}}')"
# Only the published loopback port: nothing on the container's other ports.
expect ctr-3.15 "127.0.0.1:$PORT" "$($DOCKER port "$TAG-1" 5000/tcp | head -n 1)"

# Restart: same container, same volume.
check ctr-4.1 $DOCKER restart -t 20 "$TAG-1"
check ctr-4.2 wait_healthy "$TAG-1"
expect ctr-4.3 201 "$(token admin "$ADMIN_PW" admin)"
TOKEN=$(tok)
expect ctr-4.4 200 "$(req GET "$URL/v3/projects/$PROJECT_ID" -H "X-Auth-Token: $TOKEN")"
expect ctr-4.5 kept "$(json project.name)"
expect ctr-4.6 201 "$(token carol carol-secret)"
# Tokens issued before the restart stay valid: the signing keys are in the volume.
expect ctr-4.7 200 "$(req GET "$URL/v3/auth/tokens" -H "X-Auth-Token: $TOKEN" \
    -H "X-Subject-Token: $ADMIN_TOKEN")"

# SIGTERM (docker stop) -> keygate shuts down cleanly, exit 0.
check ctr-5.1 $DOCKER stop -t 30 "$TAG-1"
expect ctr-5.2 "0" "$($DOCKER inspect -f '{{.State.ExitCode}}' "$TAG-1")"
case "$($DOCKER logs "$TAG-1" 2>&1)" in
*"shutting down"*) pass ctr-5.3 ;;
*) fail ctr-5.3 "no 'shutting down' in the log" ;;
esac
case "$($DOCKER logs "$TAG-1" 2>&1)" in
*"$ADMIN_PW"*) fail ctr-5.4 "the admin password is in the container's log" ;;
*) pass ctr-5.4 ;;
esac

# Recreate (a new container, e.g. a new image) on the same volume with a
# different password: the data is kept, bootstrap does not run again.
$DOCKER rm "$TAG-1" >/dev/null
run_kg "$TAG-2" "another-password"
check ctr-6.1 wait_healthy "$TAG-2"
expect ctr-6.2 201 "$(token admin "$ADMIN_PW" admin)"
TOKEN=$(tok)
expect ctr-6.3 401 "$(token admin another-password admin)"
expect ctr-6.4 201 "$(token carol carol-secret)"
expect ctr-6.5 200 "$(req GET "$URL/v3/auth/tokens" -H "X-Auth-Token: $TOKEN" \
    -H "X-Subject-Token: $ADMIN_TOKEN")"
case "$($DOCKER logs "$TAG-2" 2>&1)" in
*"first start"*) fail ctr-6.6 "the second container bootstrapped again" ;;
*) pass ctr-6.6 ;;
esac
# The server process does not see the admin password.
expect ctr-6.7 "" "$($DOCKER exec "$TAG-2" sh -c 'tr "\0" "\n" </proc/1/environ | grep -E "ADMIN_PASSWORD|BOOTSTRAP_PASSWORD|another-password"')"
expect ctr-6.8 "keygate" "$($DOCKER exec "$TAG-2" sh -c 'cat /proc/1/comm')"
check ctr-6.9 $DOCKER stop -t 30 "$TAG-2"
expect ctr-6.10 "0" "$($DOCKER inspect -f '{{.State.ExitCode}}' "$TAG-2")"

# ---- 7. docker/compose.yaml ---------------------------------------------------
COMPOSE_PROJECT=$(echo "$TAG" | tr -d -)
compose() {
	KEYGATE_IMAGE=$IMG KEYGATE_GATEWAY_IMAGE=$GWIMG KEYGATE_PORT=$CPORT KEYGATE_ADMIN_PASSWORD=compose-secret \
	    docker-compose -p "$COMPOSE_PROJECT" -f docker/compose.yaml "$@"
}
CPORT=$(free_port)
BASE=http://127.0.0.1:$CPORT
check ctr-7.1 compose up -d --no-build
CID=$(compose ps -q keygate 2>/dev/null)
# The gateway example is in a profile: a plain "up" leaves it alone.
expect ctr-7.2 "keygate" "$($DOCKER ps --filter "label=com.docker.compose.project=$COMPOSE_PROJECT" \
    --format '{{.Label "com.docker.compose.service"}}' | sort | tr '\n' ' ' | sed 's/ $//')"
check ctr-7.3 wait_healthy "$CID"
expect ctr-7.4 201 "$(token admin compose-secret admin)"
TOKEN=$(tok)
expect ctr-7.5 "$BASE/v3" "$(json token.catalog.0.endpoints.0.url)"
expect ctr-7.6 200 "$(req GET "$BASE/v3/auth/tokens" -H "X-Auth-Token: $TOKEN" \
    -H "X-Subject-Token: $TOKEN")"
# The gateway example: its configuration and policy are accepted, and it
# prints the netfilter rules for the host (running it needs NET_ADMIN and
# the host's network: tests/gateway/ covers the daemon).
out=$(compose --profile gateway run --rm --no-deps gateway -n 2>&1)
case "$out" in
*"policy /etc/keygate/gateway.policy: 2 rules"*"configuration OK"*) pass ctr-7.7 ;;
*) fail ctr-7.7 "gateway -n: $out" ;;
esac
out=$(compose --profile gateway run --rm --no-deps gateway rules 2>&1)
case "$out" in
*"iptables -w -I INPUT -p tcp -m multiport --dports 8080 -j KEYGATE"*) pass ctr-7.8 ;;
*) fail ctr-7.8 "gateway rules: $out" ;;
esac
check ctr-7.9 compose stop
expect ctr-7.10 "0" "$($DOCKER inspect -f '{{.State.ExitCode}}' "$CID")"
check ctr-7.11 compose down -v
COMPOSE_PROJECT=

finish
