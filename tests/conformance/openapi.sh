#!/bin/sh
# openapi.sh - conformance: api-docs/openapi.yaml describes exactly what
# keygate serves.
#
#   1. lint: Redocly CLI (pinned in api-docs/package.json, installed with
#      `npm ci` into api-docs/node_modules) lints the file with its
#      recommended-strict rules (api-docs/redocly.yaml)
#   2. routes: every route of `keygate routes` is described, every
#      described operation is served, token requirements agree
#   3. schemas: valid JSON Schema 2020-12; every example matches its schema;
#      every request body schema is what the server's validator checks
#      (`keygate schemas`)
#   4. exercise: a real server (bootstrap + serve on a free loopback port)
#      answers a success and a failure on every route; each response's
#      status, headers and body are validated against the description
#
#   sh tests/conformance/openapi.sh [BUILD_DIR]
. "$(dirname "$0")/../lib.sh"
cd "$(dirname "$0")/../.." || exit 2

PY=/usr/bin/python3
CHECK=tests/conformance/openapi_check.py
SPEC=api-docs/openapi.yaml
OUT=$(mktemp -d /tmp/kg-openapi-XXXXXX)
trap 'kg_stop >/dev/null 2>&1; rm -rf "$OUT"' EXIT

# py NAME ARGS...: run a check of openapi_check.py; show its lines, add its
# "N passed, N failed" to ours (no tally at all counts as one failure).
py() {
	name=$1
	shift
	tally "$name" env PYTHONPATH=tests/conformance $PY $CHECK "$@"
}

# ---- 1. lint
have_tools() {
	command -v node && command -v npm && "$PY" -c 'import yaml, jsonschema'
}
ok openapi-0.1 have_tools

npm_install() (	# npm ci, unless node_modules already holds this lock file
	cd api-docs || exit 1
	cmp -s package-lock.json node_modules/.keygate-lock 2>/dev/null && exit 0
	npm ci --no-audit --no-fund --loglevel=error &&
	    cp package-lock.json node_modules/.keygate-lock
)
ok openapi-0.2 npm_install

lint() (
	cd api-docs &&
	    REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_NOTIFICATIONS=true \
	    NO_UPDATE_NOTIFIER=1 node_modules/.bin/redocly lint \
	    --config redocly.yaml --format=stylish openapi.yaml
)
ok openapi-0.3 lint

# ---- 2, 3. routes and schemas
if "$KG_BUILD/keygate" routes >"$OUT/routes.txt"; then
	py routes routes "$SPEC" "$OUT/routes.txt"
else
	echo "FAIL openapi-1.0: keygate routes"
	T_FAIL=$((T_FAIL + 1))
fi
py schemas schemas "$SPEC"
if "$KG_BUILD/keygate" schemas >"$OUT/bodies.json"; then
	py bodies bodies "$SPEC" "$OUT/bodies.json"
else
	echo "FAIL openapi-3.0: keygate schemas"
	T_FAIL=$((T_FAIL + 1))
fi

# ---- 4. the real server; metrics may be scraped from 127.0.0.2 only
if kg_start KEYGATE_METRICS_ALLOW=127.0.0.2; then
	py exercise exercise "$SPEC" "$OUT/routes.txt" "$KG_URL" "$KG_ADMIN_PASSWORD"
	trap 'rm -rf "$OUT"' EXIT
	ok openapi-5.1 kg_stop
else
	echo "FAIL openapi-5.0: the server did not start"
	T_FAIL=$((T_FAIL + 1))
fi
finish
