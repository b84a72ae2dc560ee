#!/bin/sh
# schemas.sh - conformance: keygate answers a malformed request body with
# the 400 text Keystone 22 sends, for every body route. The bodies and the
# expected texts come from tests/conformance/schemas_check.py, which runs
# Keystone's own validator library (python3-jsonschema) on the schemas
# `keygate schemas` prints, against a real server.
#
#   sh tests/conformance/schemas.sh [BUILD_DIR]
. "$(dirname "$0")/../lib.sh"
cd "$(dirname "$0")/../.." || exit 2

PY=/usr/bin/python3
OUT=$(mktemp -d /tmp/kg-schemas-XXXXXX)
trap 'kg_stop >/dev/null 2>&1; rm -rf "$OUT"' EXIT

ok kschema-1.1 "$PY" -c 'import jsonschema'
ok kschema-1.2 sh -c "'$KG_BUILD/keygate' schemas >'$OUT/schemas.json'"
if kg_start; then
	tally kschema-2.0 env PYTHONPATH=tests/conformance "$PY" \
	    tests/conformance/schemas_check.py "$OUT/schemas.json" "$KG_URL" \
	    "$KG_ADMIN_PASSWORD"
	ok kschema-3.1 kg_stop
else
	echo "FAIL kschema-2.0: the server did not start"
	T_FAIL=$((T_FAIL + 1))
fi
finish
