#!/bin/sh
# tempest.sh - conformance: OpenStack's own identity tests (Debian's tempest
# and keystone-tempest-plugin) run against a real keygate.
#
#   sh tests/conformance/tempest.sh [BUILD_DIR]
#
# Two suites, each against a fresh server and data dir, configured as
# Keystone's own devstack jobs configure Keystone and tempest:
#   identity  tempest.api.identity (v3 admin and non-admin API tests)
#             against keygate's default policy (Keystone 29's secure RBAC,
#             enforce_scope and enforce_new_defaults on); tempest's admin
#             is the project-scoped bootstrap admin, as devstack's since
#             Keystone 2024.1 (an admin on any project is a cloud admin)
#   plugin    keystone_tempest_plugin.tests.api and .rbac (the secure-RBAC
#             persona tests of plugin 0.10, written for Keystone 22) against
#             keygate with Keystone 22's rules and both flags on, tempest's
#             admin system-scoped with no project, [identity-feature-enabled]
#             enforce_scope on: Keystone 22's keystone-protection job
#             (keystone's devstack/lib/scope.sh at 22.0.2)
#   plugin29  the same tests against keygate's default policy (Keystone 29's
#             secure RBAC), tempest's admin the project-scoped bootstrap
#             admin: Keystone 29's keystone-protection job (devstack's
#             tempest admin since 2024.1, lib/scope.sh at 29.0.2). The
#             plugin's domain- and project-admin tests that expect 403 fail
#             on Keystone 29 too (an admin in any scope is a cloud admin).
# Each is judged against tests/conformance/tempest/SUITE.expected (tests
# that must pass) and SUITE.failing (tests that fail today, with a reason,
# grouped by the issue that will fix them); see tempest/results.py.
#
# Environment:
#   TEMPEST_SUITES   suites to run (default "identity plugin plugin29")
#   TEMPEST_REGEX    run only the tests whose id matches (stestr's filter;
#                    also limits which listed tests must have run)
#   TEMPEST_TIMEOUT  seconds per suite before the run is killed (default 600)
#   TEMPEST_CONCURRENCY  stestr workers (default 2)
#   TEMPEST_UPDATE=1 rewrite the expectation files from this run
#   TEMPEST_KEEP=1   keep the workspace (tempest.conf, tempest.log, the
#                    subunit stream); it is always kept when a test fails
. "$(dirname "$0")/../lib.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
SUITES=${TEMPEST_SUITES:-identity plugin plugin29}
LIMIT=${TEMPEST_TIMEOUT:-600}
WORKERS=${TEMPEST_CONCURRENCY:-2}
PY=/usr/bin/python3
SITE=$($PY -c 'import os, tempest; print(os.path.dirname(os.path.dirname(tempest.__file__)))' 2>/dev/null)

if [ -z "$SITE" ] || ! $PY -c 'import stestr, subunit, keystone_tempest_plugin' 2>/dev/null; then
	echo "FAIL tempest-0.0 tempest, keystone-tempest-plugin or stestr is not" \
	    "installed (scripts/install-deps test)"
	echo "0 passed, 1 failed"
	exit 1
fi

# write_conf WORKSPACE ENFORCE_SCOPE ADMIN_PROJECT: tempest.conf for this
# server. Identity only: every other service is unavailable, no networks
# are made, admin is the bootstrap admin (scoped to ADMIN_PROJECT, or to
# the system when ADMIN_PROJECT is empty; the system personas always use
# its system grant), and test users are created per test class.
write_conf() {
	ws=$1
	scope=$2
	admin_project=$3
	mkdir -p "$ws/etc" "$ws/lock" "$ws/log"
	cat >"$ws/etc/tempest.conf" <<EOF
[DEFAULT]
log_dir = $ws/log
log_file = tempest.log
use_stderr = false

[oslo_concurrency]
lock_path = $ws/lock

[auth]
use_dynamic_credentials = true
create_isolated_networks = false
admin_username = admin
admin_password = $KG_ADMIN_PASSWORD
admin_project_name = $admin_project
admin_domain_name = Default
admin_system = all

[identity]
uri_v3 = $KG_URL/v3
auth_version = v3
region = RegionOne
v3_endpoint_type = public
admin_role = admin
default_domain_id = default
http_timeout = 30
# The PCI-DSS tests (security_compliance below) assume these server settings
# (Keystone's [security_compliance] lockout_failure_attempts = 2,
# lockout_duration = 5, unique_last_password_count = 2,
# minimum_password_age = 0): the identity suite's server gets them
# (KEYGATE_SECURITY_COMPLIANCE_*, below), as Keystone's devstack job.
user_lockout_failure_attempts = 2
user_lockout_duration = 5
user_unique_last_password_count = 2

# What Keystone 22 serves with its default configuration. Features keygate
# lacks are on so their tests run and fail visibly (SUITE.failing says
# which issue implements them), rather than being skipped.
[identity-feature-enabled]
api_v2 = false
api_v2_admin = false
api_v3 = true
trust = true
project_tags = true
application_credentials = true
access_rules = true
security_compliance = true
domain_specific_drivers = false
immutable_user_source = false
federation = false
enforce_scope = $scope

[enforce_scope]
keystone = $scope

[service_available]
cinder = false
glance = false
neutron = false
nova = false
swift = false
horizon = false
placement = false

[validation]
run_validation = false
EOF
	cat >"$ws/.stestr.conf" <<EOF
[DEFAULT]
test_path=$SITE/tempest/test_discover
top_dir=$SITE
group_regex=([^\.]*\.)*
EOF
}

# run_suite NAME REGEX ENFORCE_SCOPE ADMIN_PROJECT [SERVER-ENV ...]
run_suite() {
	name=$1
	regex=$2
	scope=$3
	admin_project=$4
	shift 4
	[ -n "${TEMPEST_REGEX:-}" ] && regex=$TEMPEST_REGEX
	kg_start "$@" || { echo "FAIL tempest-$name server did not start"; T_FAIL=$((T_FAIL + 1)); return; }
	ws=$(mktemp -d /tmp/kg-tempest-XXXXXX)
	write_conf "$ws" "$scope" "$admin_project"
	start=$(date +%s)
	# timeout signals its whole process group: stestr and its workers.
	(cd "$ws" && HOME=$ws TEMPEST_CONFIG_DIR=$ws/etc PYTHON=$PY \
	    timeout -k 10 "$LIMIT" $PY -m stestr.cli run --concurrency "$WORKERS" \
	    --subunit "$regex" >"$ws/run.subunit" 2>"$ws/stestr.err")
	rc=$?
	killed=0
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		killed=1
		echo "FAIL tempest-$name run killed after ${LIMIT}s"
		T_FAIL=$((T_FAIL + 1))
	fi
	cp "$KG_DIR/server.log" "$ws/keygate.log" 2>/dev/null
	if ! kg_stop; then
		echo "FAIL tempest-$name keygate did not exit cleanly (see $ws/keygate.log)"
		T_FAIL=$((T_FAIL + 1))
	fi
	for kv in "$@"; do unset "${kv%%=*}"; done	# kg_start exported them
	$PY "$HERE/tempest/results.py" "$name" "$ws/run.subunit" \
	    "$HERE/tempest/$name.expected" "$HERE/tempest/$name.failing" \
	    "${TEMPEST_REGEX:-}" >"$ws/results.txt"
	res=$?
	grep -v '^[0-9]* passed, [0-9]* failed$' "$ws/results.txt"
	sum=$(tail -n 1 "$ws/results.txt")
	case "$sum" in
	*" passed, "*" failed")
		T_PASS=$((T_PASS + ${sum%% *}))
		f=${sum#* passed, }
		T_FAIL=$((T_FAIL + ${f%% *})) ;;
	*)	echo "FAIL tempest-$name results.py gave no summary"
		T_FAIL=$((T_FAIL + 1)) ;;
	esac
	echo "tempest-$name: $(( $(date +%s) - start ))s; workspace $ws"
	if [ $res -eq 0 ] && [ $killed -eq 0 ] && [ -z "${TEMPEST_KEEP:-}" ]; then
		rm -rf "$ws"
	fi
}

for s in $SUITES; do
	case $s in
	identity) run_suite identity '^tempest\.api\.identity\.' true admin \
		    KEYGATE_SECURITY_COMPLIANCE_LOCKOUT_FAILURE_ATTEMPTS=2 \
		    KEYGATE_SECURITY_COMPLIANCE_LOCKOUT_DURATION=5 \
		    KEYGATE_SECURITY_COMPLIANCE_UNIQUE_LAST_PASSWORD_COUNT=2 \
		    KEYGATE_SECURITY_COMPLIANCE_MINIMUM_PASSWORD_AGE=0 ;;
	plugin)	run_suite plugin '^keystone_tempest_plugin\.tests\.(api|rbac)\.' true '' \
		    KEYGATE_OSLO_POLICY_DEFAULTS=keystone-22 \
		    KEYGATE_OSLO_POLICY_ENFORCE_SCOPE=true \
		    KEYGATE_OSLO_POLICY_ENFORCE_NEW_DEFAULTS=true ;;
	plugin29) run_suite plugin29 '^keystone_tempest_plugin\.tests\.(api|rbac)\.' true admin ;;
	*)	echo "FAIL tempest: unknown suite $s (identity, plugin, plugin29)"
		T_FAIL=$((T_FAIL + 1)) ;;
	esac
done
finish
