#!/bin/sh
# keystonemiddleware.sh - an OpenStack service's auth_token middleware
# (Debian's python3-keystonemiddleware) validating tokens against keygate.
# The work is in ksm_app.py; this wrapper only picks Debian's python.
#
#   sh tests/conformance/keystonemiddleware.sh [BUILD_DIR]
#
# Debian's /usr/bin/python3 has the python3-* modules; the python3 first
# in PATH may be another interpreter without them.
B=${1:-${KG_BUILD:-build}}
dir=$(dirname "$0")
if ! /usr/bin/python3 -c 'import keystonemiddleware.auth_token' 2>/dev/null; then
	echo "FAIL ksm-0.0 python3-keystonemiddleware is not installed" \
	    "(scripts/install-deps test)"
	echo "0 passed, 1 failed"
	exit 1
fi
exec /usr/bin/python3 "$dir/ksm_app.py" "$B"
