#!/bin/sh
# policy_oslo.sh - keygate's policy engine against the real oslo.policy
# (Debian's python3-oslo.policy): the same decisions for both built-in sets
# under each enforce_scope / enforce_new_defaults combination, and for a
# policy file of random and tricky rule strings (policy_oslo.py).
set -u
B=${1:-build}
cd "$(dirname "$0")/../.." || exit 2
if ! /usr/bin/python3 -c 'import oslo_policy' 2>/dev/null; then
	echo "FAIL policy-oslo python3-oslo.policy is not installed"
	echo "0 passed, 1 failed"
	exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$B/tests/test_policy" --dump-defaults keystone-22 > "$work/d22.json" &&
"$B/tests/test_policy" --dump-defaults keystone-29 > "$work/d29.json" &&
/usr/bin/python3 tests/conformance/policy_oslo.py "$work/d22.json" \
    "$work/d29.json" "$work" > "$work/cases.json" || {
	echo "FAIL policy-oslo could not compute oslo.policy's decisions"
	echo "0 passed, 1 failed"
	exit 1
}
"$B/tests/test_policy" --oslo-cases "$work/cases.json" | tee "$work/out"
# it_policy.c's persona table must be what oslo.policy says of today's rules.
if /usr/bin/python3 tests/integration/policy_table.py "$work/d22.json" \
    "$work/d29.json" > "$work/table.h" && cmp -s "$work/table.h" tests/integration/it_policy_table.h; then
	echo "ok   policy-oslo-table it_policy_table.h is current"
	extra=0
else
	echo "FAIL policy-oslo-table it_policy_table.h differs from policy_table.py's output"
	extra=1
fi
tail -n 1 "$work/out" | {
	read -r p _ f _
	echo "$((p + 1 - extra)) passed, $((f + extra)) failed"
	[ "$((f + extra))" -eq 0 ]
}
