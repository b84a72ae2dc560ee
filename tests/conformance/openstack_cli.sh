#!/bin/sh
# openstack_cli.sh - conformance: the real `openstack` CLI (Debian's
# python3-openstackclient) drives keygate through the everyday admin
# workflow, exactly as it would drive Keystone.
. "$(dirname "$0")/../lib.sh"

OSC=/usr/bin/openstack
[ -x "$OSC" ] || { echo "openstack CLI missing"; echo "0 passed, 1 failed"; exit 1; }

kg_start || { echo "0 passed, 1 failed"; exit 1; }
trap 'kg_stop >/dev/null 2>&1' EXIT

admin_env() {
	env -i PATH=/usr/bin:/bin HOME=/tmp OS_AUTH_URL="$KG_URL/v3" \
	    OS_IDENTITY_API_VERSION=3 OS_USERNAME=admin OS_PASSWORD="$KG_ADMIN_PASSWORD" \
	    OS_PROJECT_NAME=admin OS_USER_DOMAIN_NAME=Default \
	    OS_PROJECT_DOMAIN_NAME=Default OS_REGION_NAME=RegionOne \
	    OS_INTERFACE=public "$@"
}
os() { admin_env $OSC "$@"; }
# value FIELD ARGS...: one field of a show/create command
value() { f=$1; shift; os "$@" -f value -c "$f"; }

has_line() {	# has_line PATTERN CMD...: CMD's output has a line matching PATTERN
	pat=$1
	shift
	"$@" | grep -q -- "$pat"
}

# tokens
TOKEN=$(os token issue -f value -c id)
ok cli-1.2 test -n "$TOKEN"
ok cli-1.3 test "$(value user_id token issue)" = "$(value id user show admin)"
ok cli-1.4 test "$(value project_id token issue)" = "$(value id project show admin)"

# projects
ok cli-2.1 os project create --description "first project" demo
ok cli-2.2 has_line "^demo$" os project list -f value -c Name
ok cli-2.3 test "$(value description project show demo)" = "first project"
ok cli-2.4 os project set --description changed --disable demo
ok cli-2.5 test "$(value enabled project show demo)" = "False"
ok cli-2.6 test "$(value description project show demo)" = "changed"
ok cli-2.7 os project set --enable demo
fails cli-2.8 os project create demo

# the hierarchy (keystoneclient's parents_as_ids / subtree_as_ids)
DEMO=$(value id project show demo)
ok cli-2.9 os project create --parent demo demo-child
CHILD=$(value id project show demo-child)
# jget JSON PYTHON-EXPR: evaluate EXPR on the parsed JSON (as j), print it
jget() { /usr/bin/python3 -c "import json, sys; j = json.loads(sys.argv[1]); print($2)" "$1"; }
ok cli-2.10 test "$(jget "$(os project show --children demo -f json)" \
    "list(j['subtree'])")" = "['$CHILD']"
ok cli-2.11 test "$(jget "$(os project show --parents demo-child -f json)" \
    "j['parents']")" = "{'$DEMO': {'default': None}}"
# immutable projects, domains and roles
ok cli-2.12 os project set --immutable demo-child
fails cli-2.13 os project set --description changed demo-child
fails cli-2.14 os project delete demo-child
ok cli-2.15 os project set --no-immutable demo-child
ok cli-2.16 os project delete demo-child
ok cli-2.17 os domain create --immutable imm-dom
fails cli-2.18 os domain set --disable imm-dom
ok cli-2.19 os domain set --no-immutable imm-dom
ok cli-2.20 os domain set --disable imm-dom
ok cli-2.21 os domain delete imm-dom
ok cli-2.22 has_line "immutable.*True" os role show admin -f value -c options
fails cli-2.23 os role delete member

# users
ok cli-3.1 os user create --password alice-pw --email alice@example.org --project demo alice
ok cli-3.2 has_line "^alice$" os user list -f value -c Name
ok cli-3.3 test "$(value email user show alice)" = "alice@example.org"
ok cli-3.4 os user set --email a2@example.org alice
ok cli-3.5 test "$(value email user show alice)" = "a2@example.org"
fails cli-3.6 os user create --password x alice

# roles
ok cli-4.1 os role create observer
ok cli-4.2 has_line "^observer$" os role list -f value -c Name
ok cli-4.3 test "$(value name role show observer)" = "observer"
ok cli-4.4 os role set --name watcher observer
ok cli-4.5 has_line "^watcher$" os role list -f value -c Name
ok cli-4.6 os role add --project demo --user alice member
ok cli-4.7 os role add --project demo --user alice watcher
ok cli-4.8 has_line "^watcher alice@Default demo@Default" \
    os role assignment list --names --project demo -f value -c Role -c User -c Project
ok cli-4.9 has_line "^member alice@Default demo@Default" \
    os role assignment list --names --user alice -f value -c Role -c User -c Project
ok cli-4.10 os role remove --project demo --user alice watcher
fails cli-4.11 has_line "^watcher alice" \
    os role assignment list --names --project demo -f value -c Role -c User
ok cli-4.12 os role delete watcher
fails cli-4.13 os role show watcher

# catalog
ok cli-5.1 has_line "identity" os catalog list -f value -c Type
ok cli-5.2 has_line "keystone identity" os service list -f value -c Name -c Type
ok cli-5.3 has_line "public" os endpoint list -f value -c Interface
ok cli-5.4 has_line "^RegionOne" os region list -f value -c Region
ok cli-5.5 os region create --description "second" RegionTwo
ok cli-5.6 has_line "^RegionTwo" os region list -f value -c Region
ok cli-5.7 os service create --name glance --description images image
ok cli-5.8 os endpoint create --region RegionTwo glance public http://127.0.0.1:9292
ok cli-5.9 has_line "glance image public" os endpoint list -f value -c "Service Name" -c "Service Type" -c Interface

# a non-admin user (member on demo) is refused admin operations
alice_env() {
	env -i PATH=/usr/bin:/bin HOME=/tmp OS_AUTH_URL="$KG_URL/v3" \
	    OS_IDENTITY_API_VERSION=3 OS_USERNAME=alice OS_PASSWORD=alice-pw \
	    OS_PROJECT_NAME=demo OS_USER_DOMAIN_NAME=Default \
	    OS_PROJECT_DOMAIN_NAME=Default OS_REGION_NAME=RegionOne "$@"
}
ok cli-6.1 alice_env $OSC token issue -f value -c id
fails cli-6.2 alice_env $OSC user create --password x mallory
fails cli-6.3 alice_env $OSC project create evil
fails cli-6.4 alice_env $OSC role add --project demo --user alice admin
alice_user_list() { alice_env $OSC user list 2>&1; }
ok cli-6.5 has_line "HTTP 403" alice_user_list

# application credentials: alice makes one, a client logs in with it
alice_os() { alice_env $OSC "$@"; }
ok cli-10.1 alice_os application credential create --role member --secret ac-secret \
    --description "for the CLI test" cli-ac
ok cli-10.2 has_line "^cli-ac$" alice_os application credential list -f value -c Name
ok cli-10.3 test "$(alice_os application credential show cli-ac -f value -c description)" = \
    "for the CLI test"
AC_ID=$(alice_os application credential show cli-ac -f value -c id)
ac_env() {
	env -i PATH=/usr/bin:/bin HOME=/tmp OS_AUTH_URL="$KG_URL/v3" \
	    OS_IDENTITY_API_VERSION=3 OS_AUTH_TYPE=v3applicationcredential \
	    OS_APPLICATION_CREDENTIAL_ID="$AC_ID" \
	    OS_APPLICATION_CREDENTIAL_SECRET="${AC_SECRET:-ac-secret}" \
	    OS_REGION_NAME=RegionOne "$@"
}
ok cli-10.4 test -n "$AC_ID"
ok cli-10.5 ac_env $OSC token issue -f value -c id
ok cli-10.6 test "$(ac_env $OSC token issue -f value -c project_id)" = \
    "$(value id project show demo)"
ok cli-10.7 test "$(ac_env $OSC token issue -f value -c user_id)" = "$(value id user show alice)"
ok cli-10.8 env -i PATH=/usr/bin:/bin HOME=/tmp OS_AUTH_URL="$KG_URL/v3" \
    OS_IDENTITY_API_VERSION=3 OS_AUTH_TYPE=v3applicationcredential \
    OS_APPLICATION_CREDENTIAL_NAME=cli-ac OS_APPLICATION_CREDENTIAL_SECRET=ac-secret \
    OS_USERNAME=alice OS_USER_DOMAIN_NAME=Default OS_REGION_NAME=RegionOne \
    $OSC token issue -f value -c id
ac_env_wrong() { AC_SECRET=wrong-secret ac_env $OSC token issue -f value -c id; }
fails cli-10.9 ac_env_wrong
# restricted (the default): its token may not make another credential
fails cli-10.11 ac_env $OSC application credential create other-ac
ok cli-10.12 alice_os application credential create --unrestricted cli-ac2
ok cli-10.13 has_line "cli-ac2" alice_os application credential list -f value -c Name
ok cli-10.14 alice_os application credential delete cli-ac
fails cli-10.15 has_line "^cli-ac$" alice_os application credential list -f value -c Name
fails cli-10.16 ac_env $OSC token issue -f value -c id
ok cli-10.17 alice_os application credential delete cli-ac2

# token revoke: the revoked token no longer works
T2=$(os token issue -f value -c id)
ok cli-7.1 os token revoke "$T2"
fails cli-7.2 env -i PATH=/usr/bin:/bin HOME=/tmp OS_AUTH_TYPE=token OS_TOKEN="$T2" \
    OS_AUTH_URL="$KG_URL/v3" OS_PROJECT_NAME=admin OS_PROJECT_DOMAIN_NAME=Default \
    OS_IDENTITY_API_VERSION=3 $OSC project list

# credentials and EC2 credentials (blobs are encrypted at rest)
CRED=$(value id credential create --type cert --project demo alice cli-cert-blob)
ok cli-13.1 test -n "$CRED"
ok cli-13.2 has_line "cli-cert-blob" os credential list -f value -c Data
ok cli-13.3 has_line "^$CRED cert" os credential list --user alice --type cert \
    -f value -c ID -c Type
ok cli-13.4 test "$(value blob credential show "$CRED")" = "cli-cert-blob"
ok cli-13.5 os credential delete "$CRED"
fails cli-13.6 os credential show "$CRED"
AK=$(value access ec2 credentials create --project demo --user alice)
ok cli-13.7 test -n "$AK"
ok cli-13.8 has_line "^$AK" os ec2 credentials list --user alice -f value -c Access
ok cli-13.9 test "$(value project_id ec2 credentials show --user alice "$AK")" = \
    "$(value id project show demo)"
ok cli-13.10 os ec2 credentials delete --user alice "$AK"
fails cli-13.11 has_line "^$AK" os ec2 credentials list --user alice -f value -c Access
AK2=$(alice_env $OSC ec2 credentials create -f value -c access)
ok cli-13.12 test -n "$AK2"
ok cli-13.13 has_line "^$AK2" alice_env $OSC ec2 credentials list -f value -c Access
# trusts: the admin delegates member on project admin to alice, who gets
# a trust-scoped token with it
ok cli-7.3 os trust create --project admin --role member \
    --expiration 2099-01-01T00:00:00 admin alice
TRUST=$(os trust list -f value -c ID | head -n 1)
ok cli-7.4 test -n "$TRUST"
ok cli-7.5 test "$(value trustee_user_id trust show "$TRUST")" = "$(value id user show alice)"
ok cli-7.6 test "$(value project_id trust show "$TRUST")" = "$(value id project show admin)"
ok cli-7.7 has_line "member" os trust show "$TRUST" -f value -c roles
trust_env() {
	env -i PATH=/usr/bin:/bin HOME=/tmp OS_AUTH_URL="$KG_URL/v3" \
	    OS_IDENTITY_API_VERSION=3 OS_USERNAME=alice OS_PASSWORD=alice-pw \
	    OS_USER_DOMAIN_NAME=Default OS_TRUST_ID="$TRUST" \
	    OS_REGION_NAME=RegionOne "$@"
}
ok cli-7.8 test "$(trust_env $OSC token issue -f value -c project_id)" = \
    "$(value id project show admin)"
ok cli-7.9 test "$(trust_env $OSC token issue -f value -c user_id)" = \
    "$(value id user show alice)"
ok cli-7.10 os trust delete "$TRUST"
fails cli-7.11 os trust show "$TRUST"
fails cli-7.12 trust_env $OSC token issue

# unified limits: written with a system-scoped token, as Keystone 22's policy
# wants; Keystone 29's (keygate's default) lets a project admin write too, not
# a project member
sys_env() {
	env -i PATH=/usr/bin:/bin HOME=/tmp OS_AUTH_URL="$KG_URL/v3" \
	    OS_IDENTITY_API_VERSION=3 OS_USERNAME=admin OS_PASSWORD="$KG_ADMIN_PASSWORD" \
	    OS_SYSTEM_SCOPE=all OS_USER_DOMAIN_NAME=Default OS_REGION_NAME=RegionOne \
	    OS_INTERFACE=public "$@"
}
sysos() { sys_env $OSC "$@"; }
ok cli-12.1 sysos registered limit create --service glance --region RegionTwo \
    --default-limit 10 --description "images per project" image-count
ok cli-12.2 has_line "image-count 10" \
    sysos registered limit list -f value -c "Resource Name" -c "Default Limit"
fails cli-12.3 sysos registered limit create --service glance --region RegionTwo \
    --default-limit 5 image-count
fails cli-12.4 alice_env $OSC registered limit create --service glance \
    --default-limit 1 project-member
ok cli-12.4b os registered limit create --service glance --default-limit 1 \
    project-scoped-admin
ok cli-12.5 sysos limit create --project demo --service glance --region RegionTwo \
    --resource-limit 5 image-count
ok cli-12.6 has_line "image-count 5" \
    sysos limit list -f value -c "Resource Name" -c "Resource Limit"
fails cli-12.7 sysos limit create --project demo --service glance \
    --resource-limit 5 no-such-registered-limit
ok cli-12.8 has_line "image-count 5" \
    alice_env $OSC limit list -f value -c "Resource Name" -c "Resource Limit"

# endpoint groups: demo's catalog holds only what its groups select
FILTERS=$(mktemp /tmp/kg-cli-filters-XXXXXX)
printf '{"service_id": "%s"}\n' "$(value id service show glance)" >"$FILTERS"
ok cli-13.1 os endpoint group create --description "images only" images "$FILTERS"
ok cli-13.2 has_line "^images$" os endpoint group list -f value -c Name
ok cli-13.3 os endpoint group add project images demo
ok cli-13.4 has_line "^demo$" os endpoint group list --endpointgroup images \
    -f value -c Name
rm -f "$FILTERS"
# alice's token on demo carries only the group's endpoints; admin's the whole
ok cli-13.5 has_line "^glance$" alice_env $OSC catalog list -f value -c Name
fails cli-13.6 has_line "^keystone$" alice_env $OSC catalog list -f value -c Name
ok cli-13.7 has_line "^keystone$" os catalog list -f value -c Name

# clean up objects through the CLI
ok cli-8.1 os user delete alice
ok cli-8.2 os project delete demo
fails cli-8.3 os project show demo

trap - EXIT
ok cli-9.1 kg_stop
finish
